#!/usr/bin/env bash
# Heap allocations per admission review: the steadiest signal this project has for small hot-path changes on a
# shared host, where CPU time moves ±5 % between identical runs and the VM offers no hardware counters.
#
#   Benchmarks/load/allocations.sh [BINARY] [BODY]   # default: .build-release's identity-guard, the CREATE review
#   Benchmarks/load/allocations.sh .build-release/release/identity-guard Benchmarks/load/user-update-validate.json
#
# Starts `serve --dev` on CPU 0, loads it with wrk on CPU 1 (32 connections, as load.sh does), counts libc's
# `malloc` calls in the server with a perf uprobe over 3 s of load, and prints them per request. Needs root (the
# uprobe) and perf; wrk comes from apt-get when missing. Every answer must be allowed (admission.lua checks).
set -euo pipefail
NAME=allocations.sh
source "$(dirname "$0")/single-server.sh"
command -v perf >/dev/null || { echo "allocations.sh: needs perf (apt-get install linux-perf)" >&2; exit 2; }
need wrk

LIBC=$(ldconfig -p | awk '/libc\.so\.6 .*x86-64|libc\.so\.6 .*AArch64/ {print $NF; exit}')
perf probe -q -x "$LIBC" malloc 2>/dev/null || true  # already there is fine
EVENT=probe_libc:malloc

start "$BIN"
load 2s 32 >/dev/null  # warm-up
perf stat -e "$EVENT" -p "$SERVER" -o "$WORK/stat" -- sleep 4 &
STAT=$!
sleep 0.5
RESULT=$(load 3s 32 | grep IG-RESULT)
wait $STAT
REQUESTS=$(echo "$RESULT" | sed 's/.* requests=\([0-9]*\).*/\1/')
MALLOCS=$(awk -v e="$EVENT" '$2 == e {gsub(",", "", $1); print $1}' "$WORK/stat")
check_answers "$RESULT"
awk -v m="$MALLOCS" -v r="$REQUESTS" -v b="$(basename "$BODY")" \
    'BEGIN { printf "%s: %d requests, %d mallocs, %.1f per request\n", b, r, m, m / r }'
