#!/usr/bin/env bash
# Time and memory of `identity-guard audit` over N stored Users (default 100,000), read from the fake HTTPS API
# server of Benchmarks/cache-memory (paged list of realistic Users with managedFields; it serves no Identities,
# so the audit notes that and audits Users only).
#
#   Benchmarks/audit/run.sh [N]          (Linux; needs openssl, python3, GNU time — installed with apt if missing)
#
# Builds with `swift build -c release --product identity-guard --scratch-path .build-release` unless
# IDENTITY_GUARD_BINARY names a binary to use. Prints wall-clock seconds, CPU seconds and peak RSS (VmHWM) for
# the JSON format (the audit's work plus rendering every finding), three runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
USERS="${1:-100000}"
BINARY="${IDENTITY_GUARD_BINARY:-}"
if [[ -z "$BINARY" ]]; then
    swift build -c release --product identity-guard --scratch-path .build-release >&2
    BINARY=.build-release/release/identity-guard
fi
[[ -x /usr/bin/time ]] || { apt-get update -qq && apt-get install -y -qq time > /dev/null; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"; kill ${api:-} 2> /dev/null || true' EXIT

# shellcheck source=../cache-memory/fake-cluster.sh
source Benchmarks/cache-memory/fake-cluster.sh
fake_cluster_certificates
fake_cluster_start "$USERS" audit-token api
api=$FAKE_API_PID
fake_cluster_kubeconfig "$FAKE_API_PORT" audit-token "$WORK/kubeconfig"

echo "users=$USERS load=$(cut -d' ' -f1-3 /proc/loadavg)"
for run in 1 2 3; do
    status=0
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$BINARY" audit --kubeconfig "$WORK/kubeconfig" --format json \
        > "$WORK/out.json" 2> "$WORK/err" || status=$?
    read -r wall user sys rss < "$WORK/time"
    findings=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['results']))" "$WORK/out.json")
    printf 'run %d: %.2f s wall, %.2f s CPU, peak RSS %.1f MiB, exit %d, %s findings\n' \
        "$run" "$wall" "$(echo "$user + $sys" | bc)" "$(echo "$rss / 1024" | bc -l)" "$status" "$findings"
done
