#!/usr/bin/env bash
# Builds a release product the way the Containerfile builds the shipped binary — the Swift standard library and
# Foundation linked statically (--static-swift-stdlib) — into .build-release, and prints the binary's path.
# Every benchmark builds through here, so that they all measure what ships and share one scratch path (two sets
# of flags on one scratch path would rebuild everything each time).
#
#   Benchmarks/release-build.sh [PRODUCT]      # default identity-guard; build output on standard error
#   IDENTITY_GUARD_BENCHMARKS=1 Benchmarks/release-build.sh canned-webhook   # the benchmark-only products
#   QUIET=1 Benchmarks/release-build.sh        # the build's output only when it fails
#
# Linking statically is not only smaller to ship: each retain and release is a direct call instead of one through
# the PLT, and the runtime's thread-local state (the exclusivity checks' access set) is reached without
# __tls_get_addr. On the load test's CREATE review that is about 10 % less CPU per request than the same code linked
# dynamically (README, "CREATE and UPDATE against agnhost").
set -euo pipefail
cd "$(dirname "$0")/.."
product="${1:-identity-guard}"
# The functions a review runs are placed together, in the order deploy/hot-functions.txt gives
# (Benchmarks/load/hot-functions.sh writes it): each function in a section of its own, which gold then lays out.
build=(-c release --scratch-path .build-release --static-swift-stdlib
    -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections
    -Xlinker --section-ordering-file -Xlinker "$PWD/deploy/hot-functions.txt")
flags=("${build[@]}" --product "$product")
# SwiftPM does not compile Swift sources again when only their -Xfrontend flags change: a scratch path built with
# other flags is started afresh, or it would link old objects without their sections.
stamp=.build-release/identity-guard-build-flags
if [ -d .build-release ] && [ "$(cat "$stamp" 2>/dev/null)" != "${build[*]}" ]; then
    echo "release-build.sh: .build-release was built with other flags; building it afresh" >&2
    rm -rf .build-release
fi
mkdir -p .build-release
echo "${build[*]}" >"$stamp"
# Nor does it link again when only the order changed (the linker reads the list; SwiftPM does not know it).
if [ deploy/hot-functions.txt -nt ".build-release/release/$product" ]; then rm -f ".build-release/release/$product"; fi
if [ "${QUIET:-0}" = 1 ]; then
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    swift build "${flags[@]}" >"$log" 2>&1 || { cat "$log" >&2; echo "release-build.sh: the build failed" >&2; exit 1; }
else
    swift build "${flags[@]}" >&2
fi
echo "$(swift build "${flags[@]}" --show-bin-path)/$product"
