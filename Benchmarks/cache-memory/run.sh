#!/usr/bin/env bash
# Resident memory of `identity-guard serve` holding N Users in its cluster cache (SPEC: < 100 MiB at 100,000).
#
# Starts a small HTTPS fake API server (fake_apiserver.py: paged list of N realistic Users with managedFields,
# a watch that stays open), points the release server at it through a kubeconfig, waits until /readyz says
# the cache is synced, and reads VmRSS/VmHWM from /proc. Runs once with 0 Users (the baseline) and once with N.
#
#   Benchmarks/cache-memory/run.sh [N]        (default 100000; Linux only)
#
#   Benchmarks/cache-memory/run.sh 100000     # the SPEC's point: fails at 100 MiB or more
#   Benchmarks/cache-memory/run.sh 1000000    # a million Users (no limit unless LIMIT_MIB=…); waits up to
#                                             # 120 s + 1 s per 2,000 Users for /readyz (READY_SECONDS=…)
#
# Reports, per N: VmRSS once synced, the peak (VmHWM: the first list, page by page), seconds and CPU seconds
# until /readyz, and the cache's user count. The fake server also serves Identities (serve without
# --audit-interval does not read them); FAKE_API_ARGS="--no-identities" turns them off.
#
# Builds with Benchmarks/release-build.sh (as the Containerfile: --static-swift-stdlib) unless
# IDENTITY_GUARD_BINARY names a binary to use.
set -euo pipefail
cd "$(dirname "$0")/../.."
# RELIST=1 also measures a relist: once synced, the fake server ends the watch with 410 Expired and the peak
# resident memory of the second full list is reported against the synced VmRSS.
# SERVE_ARGS adds flags to serve (e.g. "--audit-interval 5s" with SETTLE_SECONDS=20: the periodic audit's memory
# beside the cache's); SETTLE_SECONDS is how long to wait after /readyz before reading memory (default 3).
USERS="${1:-100000}"
LIMIT_MIB="${LIMIT_MIB:-$(( USERS <= 100000 ? 100 : 0 ))}"   # 0: report only
READY_SECONDS="${READY_SECONDS:-$(( 120 + USERS / 2000 ))}"
BINARY="${IDENTITY_GUARD_BINARY:-}"
if [[ -z "$BINARY" ]]; then
    BINARY="$(Benchmarks/release-build.sh identity-guard)"
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# shellcheck source=fake-cluster.sh
source Benchmarks/cache-memory/fake-cluster.sh
fake_cluster_certificates

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Prints "rss_kib hwm_kib seconds_to_ready cached_users trimmed_rss_kib cpu_seconds_to_ready" for one run with $1
# Users.
measure() {
    local users="$1"
    local port webhook metrics
    server=
    fake_cluster_start "$users" memory-token "api-$users"
    api=$FAKE_API_PID
    # measure runs in a subshell: it stops what it started itself.
    trap 'kill $api ${server:-} 2> /dev/null || true' EXIT
    port=$FAKE_API_PORT
    fake_cluster_kubeconfig "$port" memory-token "$WORK/kubeconfig-$users"
    webhook="$(free_port)"
    metrics="$(free_port)"
    local started=$SECONDS
    # --claims local: the fake server has no Leases (email claims' readiness probe would keep /readyz at 503).
    "$BINARY" serve --dev --port "$webhook" --metrics-port "$metrics" --kubeconfig "$WORK/kubeconfig-$users" \
        --claims local --log-format text ${SERVE_ARGS:-} > "$WORK/serve-$users.log" 2>&1 < /dev/null &
    server=$!
    for _ in $(seq $((READY_SECONDS * 10))); do
        if curl -sf "http://127.0.0.1:$metrics/readyz" > /dev/null 2>&1; then break; fi
        kill -0 "$server" 2>/dev/null || { cat "$WORK/serve-$users.log" >&2; exit 1; }
        sleep 0.1
    done
    curl -sf "http://127.0.0.1:$metrics/readyz" > /dev/null || {
        echo "not ready after $READY_SECONDS s: $(curl -s "http://127.0.0.1:$metrics/readyz")" >&2; exit 1; }
    local ready=$((SECONDS - started))
    local cpu
    cpu="$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$server/stat")"
    local cached
    cached="$(curl -s "http://127.0.0.1:$metrics/metrics" | awk '/^identity_guard_cache_users /{print $2}')"
    # Let the watch settle; memory is read after the list is in and its pages are freed (SETTLE_SECONDS longer
    # to let `SERVE_ARGS="--audit-interval 5s"` audit a few times first).
    # The peak of the first list is read now; the peak is then reset (clear_refs 5), so that the one read after
    # the wait is that of what ran meanwhile (the periodic audits, with SERVE_ARGS="--audit-interval …").
    local hwm settled_hwm
    hwm="$(awk '/^VmHWM/{print $2}' "/proc/$server/status")"
    echo 5 > "/proc/$server/clear_refs"
    sleep "${SETTLE_SECONDS:-3}"
    local audits
    audits="$(grep -c 'audit done' "$WORK/serve-$users.log" || true)"
    local rss
    rss="$(awk '/^VmRSS/{print $2}' "/proc/$server/status")"
    settled_hwm="$(awk '/^VmHWM/{print $2}' "/proc/$server/status")"
    # Diagnostic: how much of that is memory malloc has freed but kept (glibc returns little to the system)?
    local trimmed="-"
    if command -v gdb > /dev/null; then
        gdb -p "$server" -batch -ex 'call (int) malloc_trim(0)' > /dev/null 2>&1 || true
        trimmed="$(awk '/^VmRSS/{print $2}' "/proc/$server/status")"
    fi
    # The relist (RELIST=1): the peak is reset (clear_refs 5), the fake server ends the watch with 410 Expired, and
    # the cache lists everything again beside what it holds; the new peak is the relist's.
    local relist_hwm="-" relist_rss="-" relist_seconds="-"
    if [[ "${RELIST:-0}" == 1 && "$users" -gt 0 ]]; then
        echo 5 > "/proc/$server/clear_refs"
        local relist_started=$SECONDS
        kill -USR1 "$api"
        for _ in $(seq $((READY_SECONDS * 10))); do
            if curl -s "http://127.0.0.1:$metrics/metrics" \
                | awk '/^identity_guard_cache_relists_total /{found = $2 >= 1} END {exit !found}'; then break; fi
            sleep 0.1
        done
        # The relist is counted when it starts; it is done when the last-sync time moves.
        local synced before
        before="$(curl -s "http://127.0.0.1:$metrics/metrics" | awk '/^identity_guard_cache_last_sync_timestamp_seconds /{print $2}')"
        for _ in $(seq $((READY_SECONDS * 10))); do
            synced="$(curl -s "http://127.0.0.1:$metrics/metrics" \
                | awk '/^identity_guard_cache_last_sync_timestamp_seconds /{print $2}')"
            [[ "$synced" != "$before" ]] && break
            sleep 0.1
        done
        relist_seconds=$((SECONDS - relist_started))
        sleep "${SETTLE_SECONDS:-3}"
        relist_hwm="$(awk '/^VmHWM/{print $2}' "/proc/$server/status")"
        relist_rss="$(awk '/^VmRSS/{print $2}' "/proc/$server/status")"
    fi
    echo "$rss $hwm $ready $cached $trimmed $cpu $audits $relist_hwm $relist_rss $relist_seconds $settled_hwm"
}

read -r base_rss base_hwm _ _ base_trimmed _ < <(measure 0)
read -r rss hwm ready cached trimmed cpu audits relist_hwm relist_rss relist_seconds settled_hwm \
    < <(measure "$USERS")
mib() { [[ "$1" == "-" ]] && echo "-" || awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
echo "identity-guard serve, cluster cache on a fake API server ($BINARY)"
echo "  0 Users:         VmRSS $(mib "$base_rss") MiB, peak (VmHWM) $(mib "$base_hwm") MiB"
echo "  $USERS Users:    VmRSS $(mib "$rss") MiB, peak (VmHWM) $(mib "$hwm") MiB, ready in ${ready}s (${cpu}s CPU), cache_users=$cached, audits run: $audits"
echo "  once synced:     peak (VmHWM since) $(mib "$settled_hwm") MiB over the ${SETTLE_SECONDS:-3} s wait (audits run: $audits)"
echo "  after malloc_trim(0) (gdb): 0 Users $(mib "$base_trimmed") MiB, $USERS Users $(mib "$trimmed") MiB"
if [[ "$relist_hwm" != "-" ]]; then
    echo "  relist (410 Expired): peak (VmHWM) $(mib "$relist_hwm") MiB" \
        "($(awk -v a="$relist_hwm" -v b="$rss" 'BEGIN { printf "%.2f", a / b }')x the synced VmRSS)," \
        "VmRSS $(mib "$relist_rss") MiB after it, relisted in ${relist_seconds}s"
fi
echo "  per User:        $(awk -v a="$rss" -v b="$base_rss" -v n="$USERS" 'BEGIN { printf "%.0f", (a - b) * 1024 / n }') bytes"
echo "  peak per User:   $(awk -v a="$hwm" -v b="$base_rss" -v n="$USERS" 'BEGIN { printf "%.0f", (a - b) * 1024 / n }') bytes"
if (( LIMIT_MIB == 0 )); then exit 0; fi
if (( rss < LIMIT_MIB * 1024 )); then echo "  PASS: under $LIMIT_MIB MiB"; else echo "  FAIL: $LIMIT_MIB MiB or more"; exit 1; fi
