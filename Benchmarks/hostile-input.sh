#!/usr/bin/env bash
# How long identity-guard takes to refuse each alias bomb and to deny each violation flood (issue 20), and how
# much memory it needs. Numbers for the README; the tests assert node counts and answer sizes, never time.
#
# Usage: Benchmarks/hostile-input.sh [BINARY]
# Without BINARY it builds the release binary with Benchmarks/release-build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then
    binary="$1"
else
    binary="$(QUIET=1 Benchmarks/release-build.sh identity-guard)"
fi
work="$(mktemp -d)"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
python3 Benchmarks/hostile/make_inputs.py "$work/in" >/dev/null

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
measure() { # LABEL COMMAND...: wall time, peak RSS, exit status, first line of standard error
    local label="$1"; shift
    local status=0
    /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/err" || status=$?
    read -r seconds kib < <(tail -n 1 "$work/time")
    printf '%-28s %6.2f s %7.1f MiB  exit %d  %s\n' "$label" "$seconds" "$(echo "$kib / 1024" | bc -l)" \
        "$status" "$(head -n 1 "$work/err" | cut -c1-90)"
}
cd "$work/in"
measure "check bomb.yaml" "$binary" check bomb.yaml
measure "check list-bomb.yaml" "$binary" check list-bomb.yaml
measure "check key-bomb.yaml" "$binary" check key-bomb.yaml
measure "check merge-bomb.yaml" "$binary" check merge-bomb.yaml
measure "mutate bomb.yaml" "$binary" mutate bomb.yaml
measure "check --config config.yaml" "$binary" check --config config.yaml bomb.yaml
measure "serve --config config.yaml" "$binary" serve --dev --no-cluster --config config.yaml --port 0 \
    --metrics-port 0
measure "check --kubeconfig" "$binary" check --kubeconfig kubeconfig bomb.yaml

# The floods, over TLS against a real server: time to the answer and its size.
port=$((20000 + RANDOM % 20000))
"$binary" serve --dev --no-cluster --port "$port" --metrics-port 0 --log-level warning >"$work/serve.out" 2>&1 &
server=$!
for _ in $(seq 1 100); do
    ca="$(grep -o '/[^ ]*/ca.crt' "$work/serve.out" | head -n 1 || true)"
    [ -n "$ca" ] && curl -s --cacert "$ca" "https://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
for body in duplicates.json unknown.json; do
    for run in 1 2 3; do
        curl -s --cacert "$ca" -H 'Content-Type: application/json' --data-binary "@$body" \
            -o "$work/answer" -w "$body run $run: %{time_total} s, answer %{size_download} bytes, HTTP %{http_code}\n" \
            "https://127.0.0.1:$port/validate"
    done
done
normal="$OLDPWD/Benchmarks/load/user-update-validate.json"
for run in 1 2 3; do
    curl -s --cacert "$ca" -H 'Content-Type: application/json' --data-binary "@$normal" -o /dev/null \
        -w "2.5 KB review run $run: %{time_total} s, HTTP %{http_code}\n" "https://127.0.0.1:$port/validate"
done
echo "server peak RSS: $(grep VmHWM /proc/$server/status | awk '{printf "%.1f MiB", $2 / 1024}')"
