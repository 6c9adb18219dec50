#!/usr/bin/env bash
# Time and memory of `identity-guard audit` over N stored Users (default 100,000) and their Identities, read from
# the fake HTTPS API server of Benchmarks/cache-memory (fake_apiserver.py: paged lists of realistic Users with
# managedFields and of an Identity for 9 Users in 10, with a few defects per 100,000 Users for the checks across
# objects — 20 pairs sharing an email, 20 Identities naming no User, 20 with another uid, i.e. 80 findings per
# 100,000 Users from those checks). The server makes each page from the object's index, so 1,000,000 Users cost
# it no memory; FAKE_API_ARGS="--no-identities" serves Users only, "--no-defects" no defects.
#
#   Benchmarks/audit/run.sh [N]          (Linux; needs openssl, python3, GNU time — installed with apt if missing)
#
#   Benchmarks/audit/run.sh 100000                  # 3 runs
#   RUNS=1 Benchmarks/audit/run.sh 1000000          # 1,000,000 Users, 900,000 Identities (1 run is the default
#                                                   # above 100,000)
#   MAX_RSS_MIB=6144 MAX_SECONDS=900 Benchmarks/audit/run.sh 1000000
#                                                   # stops a run above 6 GiB resident or after 15 minutes
#
# Builds with Benchmarks/release-build.sh (as the Containerfile: --static-swift-stdlib) unless
# IDENTITY_GUARD_BINARY names a binary to use. Per run, for the JSON format (the audit's work plus rendering every
# finding): wall-clock seconds, CPU seconds (user + system), peak RSS (GNU time's maximum resident set), the
# exit status, the number of findings (JSON results) and the wall and CPU time per User; and the CPU seconds the
# fake API server spent serving it (on 2 cores it competes with the audit for them).
set -euo pipefail
cd "$(dirname "$0")/../.."
USERS="${1:-100000}"
RUNS="${RUNS:-$(( USERS > 100000 ? 1 : 3 ))}"
MAX_RSS_MIB="${MAX_RSS_MIB:-0}"    # 0: no limit
MAX_SECONDS="${MAX_SECONDS:-0}"    # 0: no limit
BINARY="${IDENTITY_GUARD_BINARY:-}"
if [[ -z "$BINARY" ]]; then
    BINARY="$(Benchmarks/release-build.sh identity-guard)"
fi
[[ -x /usr/bin/time ]] || { apt-get update -qq && apt-get install -y -qq time > /dev/null; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"; kill ${api:-} ${timer:-} 2> /dev/null || true' EXIT

# shellcheck source=../cache-memory/fake-cluster.sh
source Benchmarks/cache-memory/fake-cluster.sh
fake_cluster_certificates
fake_cluster_start "$USERS" audit-token api
api=$FAKE_API_PID
fake_cluster_kubeconfig "$FAKE_API_PORT" audit-token "$WORK/kubeconfig"

# CPU seconds (user + system) a process has used so far.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }

echo "users=$USERS runs=$RUNS server-args='${FAKE_API_ARGS:-}' load=$(cut -d' ' -f1-3 /proc/loadavg) ($BINARY)"
for run in $(seq "$RUNS"); do
    status=0
    stopped=""
    server_before="$(cpu_seconds "$api")"
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$BINARY" audit --kubeconfig "$WORK/kubeconfig" --format json \
        > "$WORK/out.json" 2> "$WORK/err" &
    timer=$!
    # The watchdog: with MAX_RSS_MIB or MAX_SECONDS, stop the audit (the child of time) when it passes either.
    started=$SECONDS
    while kill -0 "$timer" 2> /dev/null; do
        sleep 0.5
        audit="$(pgrep -P "$timer" | head -1 || true)"
        [[ -n "$audit" ]] || continue
        rss_kib="$(awk '/^VmRSS/{print $2}' "/proc/$audit/status" 2> /dev/null || echo 0)"
        if (( MAX_RSS_MIB > 0 && ${rss_kib:-0} > MAX_RSS_MIB * 1024 )); then
            stopped="stopped at ${MAX_RSS_MIB} MiB resident after $((SECONDS - started)) s"
        elif (( MAX_SECONDS > 0 && SECONDS - started > MAX_SECONDS )); then
            stopped="stopped after ${MAX_SECONDS} s at $((${rss_kib:-0} / 1024)) MiB resident"
        fi
        if [[ -n "$stopped" ]]; then kill "$audit" 2> /dev/null || true; break; fi
    done
    wait "$timer" || status=$?
    timer=
    server_cpu="$(echo "$(cpu_seconds "$api") - $server_before" | bc)"
    if [[ -n "$stopped" ]]; then
        printf 'run %d: %s (fake API server %.1f s CPU)\n' "$run" "$stopped" "$server_cpu"
        continue
    fi
    # GNU time writes "Command exited with non-zero status N" before its line when the audit exits non-zero.
    read -r wall user sys rss < <(tail -1 "$WORK/time")
    findings=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['results']))" "$WORK/out.json" \
        2> /dev/null || echo "?")
    cpu="$(echo "$user + $sys" | bc)"
    printf 'run %d: %.2f s wall, %.2f s CPU, peak RSS %.1f MiB, exit %d, %s findings; per User %.1f µs wall, %.1f µs CPU (fake API server %.1f s CPU)\n' \
        "$run" "$wall" "$cpu" "$(echo "$rss / 1024" | bc -l)" "$status" "$findings" \
        "$(echo "$wall * 1000000 / $USERS" | bc -l)" "$(echo "$cpu * 1000000 / $USERS" | bc -l)" "$server_cpu"
    if (( status > 1 )); then sed 's/^/  /' "$WORK/err" | head -5; fi
done
sed 's/^/  audit: /' "$WORK/err" | head -3
