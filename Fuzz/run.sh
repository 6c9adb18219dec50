#!/usr/bin/env bash
# Builds one libFuzzer target with the fuzzer and address sanitizers and runs it for a while.
#
#   Fuzz/run.sh TARGET [SECONDS]     TARGET: JSONReaderFuzz JSONPatchFuzz AdmissionFuzz ManifestFuzz
#                                            RuleConfigurationFuzz; SECONDS defaults to 600
#
# The targets are part of the package only with IDENTITY_GUARD_FUZZ=1 (see the end of Package.swift), built in
# their own scratch folder (.build-fuzz), never by `swift build`/`swift test`. Each starts from its committed seed
# corpus (Fuzz/corpus/TARGET) and keeps what it discovers in a working corpus under .build-fuzz; a crash, a leak,
# a failed round trip (a precondition) or an input slower than 1 s stops it and leaves the input as
# .build-fuzz/artifacts/TARGET/crash-… (or timeout-…/leak-…): add that input to the regression tests.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: Fuzz/run.sh TARGET [SECONDS]}
seconds=${2:-600}
export IDENTITY_GUARD_FUZZ=1
# -Xswiftc -sanitize=fuzzer instruments every module for coverage; --sanitize links libFuzzer and ASan.
swift build -c release --product "$target" --scratch-path .build-fuzz --sanitize fuzzer --sanitize address \
    -Xswiftc -sanitize=fuzzer,address >&2
work=.build-fuzz/corpus/$target
artifacts=.build-fuzz/artifacts/$target
mkdir -p "$work" "$artifacts"
exec .build-fuzz/release/"$target" "$work" "Fuzz/corpus/$target" -max_total_time="$seconds" -timeout=1 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/"
