#!/usr/bin/env bash
# CPU per request of two binaries in alternation: an A/B of time, where instructions.sh counts work. The same
# review on the same host costs 40-95 µs of CPU from one round to the next (neighbours, caches), so the two
# binaries run in ABBA blocks and each block is read as a pair: A's two rounds against B's two.
#
#   Benchmarks/load/cpu-ab.sh BINARY_A BINARY_B [BLOCKS] [BODY]   # default 3 blocks, the CREATE review
#
# Each round starts `serve --dev` on CPU 0 (log to a file, as load.sh's yardstick), warms it with wrk on CPU 1 for
# 3 s, loads it for 8 s with 32 connections and reads the server's user and system time from /proc. Prints each
# round, then each block's means and B's difference from A. Every answer must be allowed.
set -euo pipefail
NAME=cpu-ab.sh
A=${1:?usage: cpu-ab.sh BINARY_A BINARY_B [BLOCKS] [BODY]}
B=${2:?usage: cpu-ab.sh BINARY_A BINARY_B [BLOCKS] [BODY]}
BLOCKS=${3:-3}
source "$(dirname "$0")/single-server.sh" "$A" "${4:-}"
need wrk
TICKS=$(getconf CLK_TCK)

round() {  # prints "user_us sys_us" per request
    start "$1"
    load 3s 32 >/dev/null
    local before after result requests
    before=$(awk '{print $14, $15}' "/proc/$SERVER/stat")
    result=$(load 8s 32 | grep IG-RESULT)
    after=$(awk '{print $14, $15}' "/proc/$SERVER/stat")
    check_answers "$result"
    kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
    requests=$(echo "$result" | sed 's/.* requests=\([0-9]*\).*/\1/')
    echo "$before $after" | awk -v r="$requests" -v t="$TICKS" \
        '{ printf "%.1f %.1f\n", ($3 - $1) * 1e6 / t / r, ($4 - $2) * 1e6 / t / r }'
}

for block in $(seq "$BLOCKS"); do
    sums=""
    for which in A B B A; do
        if [ $which = A ]; then bin=$A; else bin=$B; fi
        read -r user sys <<<"$(round "$bin")"
        [ -n "${sys:-}" ] || { echo "$NAME: a round of $bin failed" >&2; exit 1; }
        echo "$block $which $user $sys" | awk '{
            printf "block %d %s: user %5.1f µs, sys %5.1f µs, total %5.1f µs per request\n", $1, $2, $3, $4, $3 + $4
        }'
        sums="$sums $which $user $sys"
    done
    echo "$sums" | awk -v b="$block" '{
        for (i = 1; i <= NF; i += 3) { u[$i] += $(i + 1) / 2; s[$i] += $(i + 2) / 2 }
        a = u["A"] + s["A"]; bb = u["B"] + s["B"]
        printf "block %d: A %.1f µs (user %.1f), B %.1f µs (user %.1f): B %+.1f %%\n",
            b, a, u["A"], bb, u["B"], (bb - a) * 100 / a
    }'
done
