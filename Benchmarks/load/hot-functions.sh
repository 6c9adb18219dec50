#!/usr/bin/env bash
# Writes deploy/hot-functions.txt: the text sections of the functions an admission review runs, hottest first,
# which the release build hands the linker (gold's --section-ordering-file) so that they lie together instead of
# spread over the binary's 15 MB of code (README, "Performance": fewer instruction-cache and TLB misses per request).
#
#   Benchmarks/release-build.sh && Benchmarks/load/hot-functions.sh [BINARY]
#
# Counts a CREATE and an UPDATE review under callgrind (Benchmarks/load/instructions.sh, mangled names), adds up
# each function's own instructions per request over both, and keeps every function with at least half an instruction
# of its own per request. The measured window opens wrk's 4 connections, so TLS handshake code amortized over it
# passes that bar too; the shorter the run, the more of it (1,161 functions from about 3,000 and 2,000 requests).
# Regenerate it after changes to the hot path: a function missing from the list is only placed elsewhere
# (the list never changes what the binary does, only where its code lies), and a name the binary no longer has is
# ignored by the linker.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-$(QUIET=1 Benchmarks/release-build.sh)}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
COUNTS=()
for body in user-create-validate user-update-validate; do
    line=$(CALLGRIND_OPTIONS=--demangle=no KEEP="$WORK/$body.callgrind" \
        Benchmarks/load/instructions.sh "$BIN" "Benchmarks/load/$body.json" | tail -1)
    echo "$line" >&2
    COUNTS+=("$WORK/$body.callgrind" "$(echo "$line" | sed 's/.*: \([0-9]*\) requests.*/\1/')")
done
{
    echo "# The functions an admission review runs, hottest first (Benchmarks/load/hot-functions.sh)."
    for ((i = 0; i < ${#COUNTS[@]}; i += 2)); do
        # Callgrind's format: `fn=(id) name` names a function once and `fn=(id)` later; a cost line after
        # `calls=` is the callee's inclusive cost, every other cost line the current function's own.
        awk -v requests="${COUNTS[i + 1]}" '
            function name(token,    id, rest) {
                id = token; sub(/\).*/, "", id); sub(/^\(/, "", id)
                rest = token; if (sub(/^\([0-9]+\) /, "", rest)) names[id] = rest
                return names[id]
            }
            /^fn=/ { current = name(substr($0, 4)); sub(/'"'"'[0-9]+$/, "", current); next }
            /^cfn=/ { name(substr($0, 5)); next }
            /^calls=/ { inclusive = 1; next }
            /^[0-9+*-]/ { if (inclusive) inclusive = 0; else own[current] += $NF / requests }
            END { for (f in own) print own[f], f }' "${COUNTS[i]}"
    done | awk '{ total[$2] += $1 } END { for (f in total) if (total[f] >= 0.5) print total[f], f }' \
        | grep -v -E ' (0x|.*[][*?( ])' | sort -k1,1gr -k2 | awk '{ print ".text." $2 }'
} >deploy/hot-functions.txt
echo "deploy/hot-functions.txt: $(grep -c '^\.text\.' deploy/hot-functions.txt) functions" >&2
