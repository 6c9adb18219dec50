#!/usr/bin/env bash
# Instructions per admission review, counted by valgrind's callgrind: an A/B of two binaries that holds within
# about 1 % on a host where CPU time per request moves by 10-20 % between identical runs and the VM has no
# hardware counters. The count per request is a little higher when fewer requests share an event-loop turn (a
# slower run), so run the two binaries in alternation and compare the pairs.
#
#   Benchmarks/load/instructions.sh [BINARY] [BODY]   # default: .build-release's identity-guard, the CREATE review
#   for i in 1 2 3; do Benchmarks/load/instructions.sh /tmp/before; Benchmarks/load/instructions.sh; done  # A/B
#   TOP=25 Benchmarks/load/instructions.sh            # also the 25 functions with the most instructions of their own
#   KEEP=/tmp/create.callgrind Benchmarks/load/instructions.sh   # keep the measured dump for callgrind_annotate
#   CALLGRIND_OPTIONS=--dump-instr=yes KEEP=/tmp/create.callgrind Benchmarks/load/instructions.sh  # per instruction
#
# Starts `serve --dev` under callgrind on CPU 0, warms it up with wrk on CPU 1 (4 connections: valgrind runs the
# server about 50× slower), dumps the counts, loads it for 8 s more and dumps again: the second dump holds only
# the measured requests, so start-up and warm-up cancel out. Prints user-space instructions per request. It counts
# no time in the kernel (the socket reads and writes) and no cache or branch effects: it measures what a change to
# our code or the build saves in instructions, and the load test (Benchmarks/load.sh) what that is worth in time.
# valgrind 3.19 cannot read the DWARF 5 debug information Swift 6.3 writes, so a copy of BINARY without it (symbols
# kept) is what runs; for the same reason BINARY must link the Swift runtime statically, as release-build.sh
# builds it (the toolchain's shared libraries carry DWARF 5 too). valgrind and wrk come from apt-get when missing.
# Every answer must be allowed.
set -euo pipefail
NAME=instructions.sh
source "$(dirname "$0")/single-server.sh"
need valgrind
need wrk

strip --strip-debug -o "$WORK/server" "$BIN"
start valgrind --tool=callgrind --cache-sim=no ${CALLGRIND_OPTIONS:-} \
    --callgrind-out-file="$WORK/callgrind.out" "$WORK/server"
load 3s 4 >/dev/null  # warm-up: connections, TLS sessions, caches
callgrind_control --dump=warm-up "$SERVER" >/dev/null 2>&1
RESULT=$(load 8s 4 | grep IG-RESULT)
callgrind_control --dump=measured "$SERVER" >/dev/null 2>&1
check_answers "$RESULT"
REQUESTS=$(echo "$RESULT" | sed 's/.* requests=\([0-9]*\).*/\1/')
MEASURED=$(grep -l '^desc: Trigger: .*measured' "$WORK"/callgrind.out* | head -1)
INSTRUCTIONS=$(awk '/^(summary|totals):/ {print $2; exit}' "$MEASURED")
awk -v i="$INSTRUCTIONS" -v r="$REQUESTS" -v b="$(basename "$BODY")" \
    'BEGIN { printf "%s: %d requests, %d instructions, %.0f per request\n", b, r, i, i / r }'
if [ -n "${KEEP:-}" ]; then cp "$MEASURED" "$KEEP"; fi
if [ "${TOP:-0}" -gt 0 ]; then
    callgrind_annotate --inclusive=no --threshold=100 "$MEASURED" 2>/dev/null | grep -E '^ *[0-9,]+ +\(' \
        | sed 's/ \[[^]]*\]$//; s/???://' \
        | awk -v r="$REQUESTS" -v i="$INSTRUCTIONS" -v top="$TOP" '{n=$1; gsub(",", "", n); n += 0}
            # The entry points of the threads, on the stack at both dumps, count the whole window: skipped.
            n < i / 2 && shown < top {
                sub(/^ *[0-9,]+ +\([ 0-9.]+%\) +/, "")
                printf "%8.0f  %s\n", n / r, substr($0, 1, 130)
                shown++
            }'
fi
