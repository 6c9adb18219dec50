#!/usr/bin/env bash
# Good clients' latency and the server's memory while abusive clients hit the webhook port (hostile input,
# measured with a load script rather than timed test assertions; the abusive-client tests in
# Tests/WebhookServerTests/ConnectionTests.swift hold the behaviour itself).
#
#   Benchmarks/abuse.sh [--no-build] [--duration SECONDS]
#   IDENTITY_GUARD_BIN=path Benchmarks/abuse.sh --no-build
#   ABUSE_KINDS=idle,handshakes Benchmarks/abuse.sh --no-build   # only some of the abusers (names: see abusers.py)
#
# `identity-guard serve --dev` (release build, production defaults except --idle-timeout 15 so that the
# never-reading clients' connections are gone within the script) runs on CPU 0. A good client — wrk, 8
# keep-alive connections each pausing 10 ms between requests, the p99 to read — measures on CPU 1:
#   1. baseline   good clients alone
#   2. abuse      good clients while Benchmarks/abuse/abusers.py runs: 1,000 silent TCP connections, 100
#                 slowloris heads, 50 slow bodies, 50 never-reading pipeliners and back-to-back failed TLS
#                 handshakes (see its header)
#   3. after      good clients once the abusers have stopped and their connections are closed
# The abusers run on the server's CPU at nice 19 (ABUSE_CPU=1 puts them beside wrk instead: their kernel work is
# not niced, and it then delays the measuring client itself by up to a second, which says nothing about the
# server). RSS is read idle, every second during the abuse (peak), and after; the open-connection gauge shows
# the abusers' connections come and go. Needs python3 and wrk (installed with apt-get when missing), 2 CPUs.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
DURATION=30
BUILD=1
PORT=18643
while [ $# -gt 0 ]; do
    case $1 in
        --no-build) BUILD=0; shift ;;
        --duration) DURATION=$2; shift 2 ;;
        -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
        *) echo "abuse.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
    esac
done
if [ "$(nproc)" -lt 2 ]; then echo "abuse.sh: needs 2 CPUs (server on CPU 0, clients on CPU 1)" >&2; exit 2; fi
if ! command -v wrk >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
BIN=${IDENTITY_GUARD_BIN:-$ROOT/.build-release/release/identity-guard}
if [ $BUILD = 1 ]; then
    Benchmarks/release-build.sh identity-guard 2>&1 | tail -2
fi
ulimit -n 65536 2>/dev/null || true

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

taskset -c 0 "$BIN" serve --dev --port $PORT --metrics-port $((PORT + 1)) --idle-timeout 15 \
    >"$WORK/server.out" 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$((PORT + 1))/readyz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "abuse.sh: the server did not start:" >&2; cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.1
done
rss() { awk '/^VmRSS/{print $2}' "/proc/$SERVER_PID/status"; }
metric() { curl -s "http://127.0.0.1:$((PORT + 1))/metrics" | awk -v name="$1" '$1 == name {print $2}'; }

good() {
    local label=$1
    IG_LABEL=$label IG_EXPECT='"allowed":true' IG_DELAY_MS=10 taskset -c 1 wrk -t1 -c8 -d"${DURATION}s" \
        --timeout 5s --latency -s "$ROOT/Benchmarks/load/admission.lua" "https://127.0.0.1:$PORT/validate" \
        >"$WORK/$label.wrk"
    grep '^IG-RESULT' "$WORK/$label.wrk"
}

IG_EXPECT='"allowed":true' taskset -c 1 wrk -t1 -c8 -d3s -s "$ROOT/Benchmarks/load/admission.lua" \
    "https://127.0.0.1:$PORT/validate" >/dev/null
RSS_IDLE=$(rss)
echo "== 1. baseline: good clients alone (${DURATION} s)"
BASE=$(good baseline)
echo "$BASE"

echo "== 2. good clients while the abusers run"
taskset -c "${ABUSE_CPU:-0}" nice -n 19 python3 "$ROOT/Benchmarks/abuse/abusers.py" $PORT $((DURATION + 10)) \
    "${ABUSE_KINDS:-idle,slowloris,slow-body,never-read,handshakes}" >"$WORK/abusers.out" 2>&1 &
ABUSERS=$!
sleep 5
( peak=0; open_peak=0
  while kill -0 $ABUSERS 2>/dev/null; do
      now=$(rss); [ "$now" -gt "$peak" ] && peak=$now
      open=$(metric identity_guard_open_connections); open=${open%.*}
      [ -n "$open" ] && [ "$open" -gt "$open_peak" ] && open_peak=$open
      echo "$peak $open_peak" >"$WORK/peak"
      sleep 1
  done ) &
ABUSE=$(good abuse)
echo "$ABUSE"
wait $ABUSERS || true
cat "$WORK/abusers.out"
read -r RSS_PEAK OPEN_PEAK <"$WORK/peak"

echo "== waiting for the abusers' connections to close (read timeout 10 s, idle timeout 15 s)"
for _ in $(seq 60); do
    open=$(metric identity_guard_open_connections); open=${open%.*}
    [ "${open:-0}" -le 0 ] && break
    sleep 1
done
echo "open connections now: ${open:-?}"
echo "== 3. after: good clients alone again"
AFTER=$(good after)
echo "$AFTER"
RSS_AFTER=$(rss)

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
ms() { awk "BEGIN{printf \"%.2f\", $1 / 1000}"; }
echo
echo "== summary: good clients (8 connections, 10 ms pauses) — p50 / p99 / req/s / errors"
for run in BASE ABUSE AFTER; do
    line=${!run}
    printf '%-9s p50 %6s ms  p99 %6s ms  %8s req/s  bad %s\n' "$run" "$(ms "$(field "$line" p50_us)")" \
        "$(ms "$(field "$line" p99_us)")" "$(field "$line" rps)" \
        "$(( $(field "$line" non200) + $(field "$line" unexpected_body) + $(field "$line" socket_errors) ))"
done
echo "server RSS: idle $((RSS_IDLE / 1024)) MiB, peak during abuse $((RSS_PEAK / 1024)) MiB, after $((RSS_AFTER / 1024)) MiB"
echo "open connections: peak ${OPEN_PEAK} during abuse, ${open:-?} after;" \
    "refused over the cap: $(metric identity_guard_connections_refused_total)"
echo "server log lines: $(grep -c 'read timeout' "$WORK/server.log" || true) read-timeout closes," \
    "$(grep -c 'tls error' "$WORK/server.log" || true) TLS-error closes"
