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
cd "$(dirname "$0")/../.."
BIN=${1:-.build-release/release/identity-guard}
BODY=${2:-Benchmarks/load/user-create-validate.json}
LUA=Benchmarks/load/admission.lua
if [ ! -x "$BIN" ]; then
    echo "allocations.sh: no binary at $BIN (Benchmarks/release-build.sh)" >&2
    exit 2
fi
command -v perf >/dev/null || { echo "allocations.sh: needs perf (apt-get install linux-perf)" >&2; exit 2; }
if ! command -v wrk >/dev/null; then
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null; apt-get install -y wrk >/dev/null; }
fi

LIBC=$(ldconfig -p | awk '/libc\.so\.6 .*x86-64|libc\.so\.6 .*AArch64/ {print $NF; exit}')
perf probe -q -x "$LIBC" malloc 2>/dev/null || true  # already there is fine
EVENT=probe_libc:malloc

PORT=$((20000 + RANDOM % 20000))
WORK=$(mktemp -d)
taskset -c 0 "$BIN" serve --dev --metrics-port 0 --shutdown-delay 0s --port "$PORT" >"$WORK/out" 2>"$WORK/log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do curl -skf "https://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

load() {
    IG_BODY=$BODY IG_EXPECT='"allowed":true' taskset -c 1 wrk -t1 -c32 -d"$1" -s "$LUA" \
        "https://127.0.0.1:$PORT/validate"
}
load 2s >/dev/null  # warm-up
perf stat -e "$EVENT" -p "$SERVER" -o "$WORK/stat" -- sleep 4 &
STAT=$!
sleep 0.5
RESULT=$(load 3s | grep IG-RESULT)
wait $STAT
REQUESTS=$(echo "$RESULT" | sed 's/.* requests=\([0-9]*\).*/\1/')
MALLOCS=$(awk -v e="$EVENT" '$2 == e {gsub(",", "", $1); print $1}' "$WORK/stat")
if ! echo "$RESULT" | grep -q 'non200=0 unexpected_body=0'; then
    echo "allocations.sh: some answers were wrong: $RESULT" >&2
    exit 1
fi
awk -v m="$MALLOCS" -v r="$REQUESTS" -v b="$(basename "$BODY")" \
    'BEGIN { printf "%s: %d requests, %d mallocs, %.1f per request\n", b, r, m, m / r }'
