#!/usr/bin/env bash
# Throughput of `identity-guard check` over a generated set of User and Identity documents.
#
# Usage: Benchmarks/check-throughput.sh [DOCUMENTS]   (default 100000)
# Builds the release binary with Benchmarks/release-build.sh (waits if another build holds the lock),
# generates the documents once into .build-release/manifests-DOCUMENTS, times three runs of `check` and prints
# documents per second.
set -euo pipefail
cd "$(dirname "$0")/.."
documents="${1:-100000}"
scratch=.build-release
data="$scratch/manifests-$documents"

binary="$(QUIET=1 Benchmarks/release-build.sh identity-guard)"
if [ ! -d "$data" ]; then
    python3 Benchmarks/generate-manifests.py --documents "$documents" "$data"
fi

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
best=""
for run in 1 2 3; do
    start=$(date +%s.%N)
    status=0
    "$binary" check "$data" >/dev/null || status=$?
    end=$(date +%s.%N)
    seconds=$(echo "$end - $start" | bc -l)
    rate=$(echo "$documents / $seconds" | bc -l)
    printf 'run %d: %d documents in %.2f s = %.0f documents/s (exit status %d)\n' \
        "$run" "$documents" "$seconds" "$rate" "$status"
    if [ -z "$best" ] || [ "$(echo "$rate > $best" | bc -l)" = 1 ]; then best=$rate; fi
done
printf 'best: %.0f documents/s\n' "$best"
