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

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=fake apiserver CA" \
    -keyout "$WORK/ca.key" -out "$WORK/ca.crt" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$WORK/tls.key" -out "$WORK/tls.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$WORK/ext.cnf"
openssl x509 -req -in "$WORK/tls.csr" -CA "$WORK/ca.crt" -CAkey "$WORK/ca.key" -CAcreateserial -days 2 \
    -extfile "$WORK/ext.cnf" -out "$WORK/tls.crt" 2>/dev/null

python3 Benchmarks/cache-memory/fake_apiserver.py --users "$USERS" --cert "$WORK/tls.crt" --key "$WORK/tls.key" \
    --token audit-token > "$WORK/api.port" 2> "$WORK/api.log" < /dev/null &
api=$!
for _ in $(seq 300); do [[ -s "$WORK/api.port" ]] && break; sleep 0.1; done
port="$(cat "$WORK/api.port")"
cat > "$WORK/kubeconfig" <<YAML
apiVersion: v1
kind: Config
current-context: fake
clusters:
- name: fake
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority-data: $(base64 -w0 "$WORK/ca.crt")
contexts:
- name: fake
  context: {cluster: fake, user: fake}
users:
- name: fake
  user: {token: audit-token}
YAML

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
