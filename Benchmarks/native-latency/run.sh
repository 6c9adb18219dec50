#!/usr/bin/env bash
# Admission latency the kube-apiserver adds per User CREATE: identity-guard as a webhook (mode "webhook") against
# the same rules as ValidatingAdmissionPolicy / MutatingAdmissionPolicy objects (mode "native"), read from the
# apiserver's own /metrics (histogram bucket deltas across a steady load, p50/p99 by linear interpolation within
# buckets as Prometheus's histogram_quantile does; the mean comes from _sum/_count and is exact).
#
#   IDENTITY_GUARD_BIN=/tmp/ig-release/release/identity-guard Benchmarks/native-latency/run.sh
#
# Environment (all optional):
#   IDENTITY_GUARD_BIN  identity-guard binary (default: .build/release/identity-guard, else .build/debug/...)
#   KUBEBUILDER_ASSETS  directory with etcd, kube-apiserver, kubectl (default: .build/envtest)
#   RATE=50             User CREATEs per second (open loop: request i is due at start + i/RATE)
#   DURATION=60         seconds of measured load per run
#   WARMUP=10           seconds of unmeasured load before the "before" snapshot
#   RUNS=1              runs per mode; runs alternate webhook, native, webhook, native, ...
#   MODES="webhook native"
#   DRY_RUN=1           1: POST ...?dryRun=All (admission runs, nothing stored); 0: real creates (distinct names;
#                       the control plane is thrown away after each run)
#   CLIENT_THREADS=4    keep-alive HTTPS connections of the load generator
#   BASE_PORT=32000     etcd client BASE_PORT+379, peer +380, apiserver +443, webhook +1443
#   POLICIES_FILE       native mode: apply this YAML instead of `identity-guard policies --config ...` (to time a
#                       subset; it must still deny state "bogus" and strip spec.password, or the run stops)
#   WORK_DIR            scratch directory (default: mktemp); KEEP=1 keeps it
#   OUT_DIR             if set, the per-run results (JSON), /metrics snapshots and the table are copied there
#
# Each run gets a fresh control plane (new etcd data dir and kube-apiserver), so metrics and summaries start at
# zero; the rule configuration is the same in both modes: rules user.email-unique, user.name-hash and
# identity.user-exists off (the three webhook-only rules), so both enforce the same rules. Before measuring,
# each mode is checked to deny a User with spec.state "bogus" and to strip spec.password (the mutating rule).
# Only 127.0.0.1 is used. Every process started here is stopped on exit.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ASSETS=${KUBEBUILDER_ASSETS:-$ROOT/.build/envtest}
if [ -z "${IDENTITY_GUARD_BIN:-}" ]; then
    if [ -x "$ROOT/.build/release/identity-guard" ]; then IDENTITY_GUARD_BIN=$ROOT/.build/release/identity-guard
    else IDENTITY_GUARD_BIN=$ROOT/.build/debug/identity-guard; fi
fi
RATE=${RATE:-50}
DURATION=${DURATION:-60}
WARMUP=${WARMUP:-10}
RUNS=${RUNS:-1}
MODES=${MODES:-webhook native}
DRY_RUN=${DRY_RUN:-1}
CLIENT_THREADS=${CLIENT_THREADS:-4}
BASE_PORT=${BASE_PORT:-32000}
ETCD_PORT=$((BASE_PORT + 379)); PEER_PORT=$((BASE_PORT + 380)); API_PORT=$((BASE_PORT + 443)); WH_PORT=$((BASE_PORT + 1443))
TOKEN=admin-token

for f in etcd kube-apiserver kubectl; do
    [ -x "$ASSETS/$f" ] || { echo "run.sh: $ASSETS/$f missing (set KUBEBUILDER_ASSETS)" >&2; exit 2; }
done
[ -x "$IDENTITY_GUARD_BIN" ] || { echo "run.sh: $IDENTITY_GUARD_BIN missing (set IDENTITY_GUARD_BIN)" >&2; exit 2; }
for p in $ETCD_PORT $PEER_PORT $API_PORT $WH_PORT; do
    if (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "run.sh: port $p is in use (set BASE_PORT)" >&2; exit 2; fi
done

W=${WORK_DIR:-$(mktemp -d /tmp/native-latency.XXXXXX)}
mkdir -p "$W"
KUBECTL="$ASSETS/kubectl --kubeconfig $W/kubeconfig"
PIDS=()

stop_pid() {  # stop_pid PID: TERM, wait up to 10 s, KILL
    local pid=$1
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
stop_all() {
    local i
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[$i]}"; done
    PIDS=()
}
cleanup() {
    stop_all
    if [ "${KEEP:-0}" = 1 ]; then echo "work dir kept: $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# --- helpers (Python 3, standard library only) ---------------------------------------------------------------
cat > "$W/load.py" <<'PY'
# load.py URL RATE DURATION THREADS DRYRUN PREFIX OUT.json: open-loop User CREATEs, keep-alive HTTPS.
import http.client, json, ssl, sys, threading, time
url, rate, duration, threads, dry, prefix, out = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1", sys.argv[6], sys.argv[7]
host, port = url.split("//")[1].split(":")
port = int(port)
path = "/apis/auth.alauda.io/v1/users" + ("?dryRun=All" if dry else "")
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
hdr = {"Authorization": "Bearer admin-token", "Content-Type": "application/json", "Accept": "application/json"}
n = int(rate * duration)
lat, lag, codes, names = [], [], {}, []
lock = threading.Lock()
t0 = time.monotonic() + 0.2
def body(i):
    name = f"{prefix}-{i}"
    return name, json.dumps({"apiVersion": "auth.alauda.io/v1", "kind": "User", "metadata": {"name": name},
        "spec": {"email": f"{name}@example.com", "username": name, "state": "active",
                 "groups": ["dev", "ops", "readers"], "connector_type": "local"}})
def worker(k):
    conn = http.client.HTTPSConnection(host, port, context=ctx, timeout=30)
    for i in range(k, n, threads):
        due = t0 + i / rate
        d = due - time.monotonic()
        if d > 0: time.sleep(d)
        name, b = body(i)
        s = time.monotonic()
        try:
            conn.request("POST", path, body=b, headers=hdr)
            r = conn.getresponse(); r.read(); code = r.status
        except Exception as e:
            code = type(e).__name__; conn.close()
            conn = http.client.HTTPSConnection(host, port, context=ctx, timeout=30)
        e = time.monotonic()
        with lock:
            lat.append(e - s); lag.append(max(0.0, s - due)); codes[str(code)] = codes.get(str(code), 0) + 1
            if code == 201: names.append(name)
    conn.close()
ts = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
for t in ts: t.start()
for t in ts: t.join()
elapsed = time.monotonic() - t0
lat.sort(); lag.sort()
def q(v, p): return v[min(len(v) - 1, int(p * len(v)))] if v else float("nan")
json.dump({"sent": n, "elapsed": elapsed, "achieved_rate": n / elapsed, "codes": codes,
           "p50": q(lat, .5), "p99": q(lat, .99), "lag_p99": q(lag, .99), "created": names}, open(out, "w"))
PY

cat > "$W/quant.py" <<'PY'
# quant.py BEFORE AFTER MODE OUT.json: quantiles of histogram deltas between two /metrics snapshots.
import json, math, re, sys
LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LBL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
def parse(path):
    d = {}
    for line in open(path):
        m = LINE.match(line.strip())
        if not m: continue
        name, labels, v = m.group(1), dict(LBL.findall(m.group(2) or "")), float(m.group(3))
        d[(name, tuple(sorted(labels.items())))] = v
    return d
before, after, mode, out = parse(sys.argv[1]), parse(sys.argv[2]), sys.argv[3], sys.argv[4]
def delta(key): return after.get(key, 0.0) - before.get(key, 0.0)
def hist(metric, want, group_by=()):
    """Sum the series of `metric` whose labels match `want` (dict of label -> value or set), grouped by group_by."""
    groups = {}
    for (name, labels), _ in after.items():
        if name not in (metric + "_bucket", metric + "_sum", metric + "_count"): continue
        L = dict(labels)
        if any((L.get(k) not in v) if isinstance(v, set) else (L.get(k) != v) for k, v in want.items()): continue
        g = tuple((k, L.get(k, "")) for k in group_by)
        G = groups.setdefault(g, {"buckets": {}, "sum": 0.0, "count": 0.0})
        dv = delta((name, labels))
        if name.endswith("_bucket"):
            le = float(L["le"]); G["buckets"][le] = G["buckets"].get(le, 0.0) + dv
        elif name.endswith("_sum"): G["sum"] += dv
        else: G["count"] += dv
    res = []
    for g, G in sorted(groups.items()):
        if G["count"] <= 0: continue
        bs = sorted(G["buckets"].items())
        def quantile(q):  # Prometheus histogram_quantile
            total = bs[-1][1]; rank = q * total; prev_le, prev_c = 0.0, 0.0
            for le, c in bs:
                if c >= rank:
                    if math.isinf(le): return prev_le  # in +Inf bucket: the highest finite bound
                    if prev_le == 0.0 and le <= 0: return le
                    return prev_le + (le - prev_le) * (rank - prev_c) / (c - prev_c) if c > prev_c else le
                prev_le, prev_c = le, c
            return float("nan")
        res.append({"group": dict(g), "count": G["count"], "mean": G["sum"] / G["count"],
                    "p50": quantile(.5), "p99": quantile(.99),
                    "bounds": [le for le, _ in bs if not math.isinf(le)]})
    return res
names = sorted({n for n, _ in after})
found = [n for n in names if re.match(r'apiserver_(validating|mutating)_admission_policy_.*|apiserver_admission_webhook_.*', n)]
cel = {"apiserver_admission_step_admission_duration_seconds{type=validate}":
           hist("apiserver_admission_step_admission_duration_seconds", {"operation": "CREATE", "type": "validate"}),
       "apiserver_admission_step_admission_duration_seconds{type=admit}":
           hist("apiserver_admission_step_admission_duration_seconds", {"operation": "CREATE", "type": "admit"}),
       "apiserver_admission_controller_admission_duration_seconds{name=...}":
           hist("apiserver_admission_controller_admission_duration_seconds",
                {"operation": "CREATE", "name": {"ValidatingAdmissionWebhook", "MutatingAdmissionWebhook",
                                                  "ValidatingAdmissionPolicy", "MutatingAdmissionPolicy"}}, ("name", "type")),
       "apiserver_admission_webhook_admission_duration_seconds":
           hist("apiserver_admission_webhook_admission_duration_seconds", {"operation": "CREATE"}, ("name", "type", "rejected")),
       "apiserver_validating_admission_policy_check_duration_seconds":
           hist("apiserver_validating_admission_policy_check_duration_seconds", {}, ()),
       "apiserver_mutating_admission_policy_check_duration_seconds":
           hist("apiserver_mutating_admission_policy_check_duration_seconds", {}, ()),
       "apiserver_request_duration_seconds{POST users}":
           hist("apiserver_request_duration_seconds", {"verb": "POST", "resource": "users"}, ()),
       }
# Per-policy breakdown and error counters, for the record.
cel["apiserver_validating_admission_policy_check_duration_seconds by policy"] = \
    hist("apiserver_validating_admission_policy_check_duration_seconds", {}, ("policy", "enforcement_action", "error_type"))
cel["apiserver_mutating_admission_policy_check_duration_seconds by policy"] = \
    hist("apiserver_mutating_admission_policy_check_duration_seconds", {}, ("policy", "error_type"))
counters = {f"{n}{dict(l)}": delta((n, l)) for (n, l) in after
            if re.match(r'apiserver_(validating|mutating)_admission_policy_check_total|apiserver_admission_webhook_(rejection_count|fail_open_count|request_total)', n)
            and delta((n, l)) != 0}
# The step summary (ALPHA, quantiles computed by the apiserver over the whole life of this apiserver: the ~190
# CREATEs of its own bootstrap, the probes and the warm-up are included), full resolution, unlike the buckets.
summary = {}
for (name, labels), v in after.items():
    L = dict(labels)
    if name == "apiserver_admission_step_admission_duration_seconds_summary" and L.get("operation") == "CREATE" \
            and L.get("rejected") == "false":
        summary.setdefault(L["type"], {})["p" + str(round(float(L["quantile"]) * 100))] = v
    if name == "apiserver_admission_step_admission_duration_seconds_summary_count" and L.get("operation") == "CREATE" \
            and L.get("rejected") == "false":
        summary.setdefault(L["type"], {})["count"] = v
json.dump({"mode": mode, "metrics": cel, "summary": summary, "counters": counters, "metric_names": found}, open(out, "w"), indent=1)
PY

cat > "$W/table.py" <<'PY'
# table.py RESULT.json...: markdown table over runs.
import json, sys
rows = []
def ms(x): return f"{x * 1000:.3f}"
print("| mode | run | metric (CREATE) | series | samples | p50 ms | p99 ms | mean ms | buckets (s, up to) |")
print("| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | --- |")
for path in sys.argv[1:]:
    r = json.load(open(path))
    for metric, groups in r["metrics"].items():
        if " by policy" in metric: continue
        if not groups:
            print(f"| {r['mode']} | {r['run']} | {metric} | no observations | 0 | | | | |")
        for g in groups:
            series = ",".join(f"{k}={v}" for k, v in g["group"].items()) or "all"
            bounds = ",".join(f"{b:g}" for b in g["bounds"][:6]) + ("…" if len(g["bounds"]) > 6 else "")
            print(f"| {r['mode']} | {r['run']} | {metric} | {series} | {g['count']:.0f} | {ms(g['p50'])} | {ms(g['p99'])} | {ms(g['mean'])} | {bounds} |")
    for t, v in sorted(r.get("summary", {}).items()):
        print(f"| {r['mode']} | {r['run']} | apiserver_admission_step_admission_duration_seconds_summary{{type={t}}} | whole apiserver life (bootstrap, warm-up) | {v.get('count', 0):.0f} | {ms(v.get('p50', float('nan')))} | {ms(v.get('p99', float('nan')))} | | exact (p90 {ms(v.get('p90', float('nan')))}) |")
    c = r["client"]
    print(f"| {r['mode']} | {r['run']} | client end-to-end (POST{' dryRun' if r['dry_run'] else ''}) | {c['achieved_rate']:.1f}/s, lag p99 {ms(c['lag_p99'])} ms, codes {c['codes']} | {c['sent']} | {ms(c['p50'])} | {ms(c['p99'])} | | exact |")
print()
for path in sys.argv[1:]:
    r = json.load(open(path))
    print(f"- {r['mode']} run {r['run']}: load average {r['loadavg']}; admission metric names: {', '.join(r['metric_names']) or 'none'}")
    for k, v in r["counters"].items(): print(f"  - {k} +{v:.0f}")
PY

# --- control plane -------------------------------------------------------------------------------------------
openssl genrsa -out "$W/sa.key" 2048 2>/dev/null
openssl rsa -in "$W/sa.key" -pubout -out "$W/sa.pub" 2>/dev/null
echo "$TOKEN,admin,1,\"system:masters\"" > "$W/tokens.csv"
cat > "$W/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: bench, cluster: {server: "https://127.0.0.1:$API_PORT", insecure-skip-tls-verify: true}}]
users: [{name: admin, user: {token: $TOKEN}}]
contexts: [{name: bench, context: {cluster: bench, user: admin}}]
current-context: bench
EOF
cat > "$W/config.yaml" <<'EOF'
rules:
  user.email-unique: "off"
  user.name-hash: "off"
  identity.user-exists: "off"
EOF

# Webhook serving certificate: a throwaway CA and a leaf for IP 127.0.0.1.
mkdir -p "$W/wh"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/wh/ca.key" -out "$W/wh/ca.crt" -days 2 -subj /CN=native-latency-ca 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$W/wh/tls.key" -out "$W/wh/tls.csr" -subj /CN=127.0.0.1 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' > "$W/wh/ext.cnf"
openssl x509 -req -in "$W/wh/tls.csr" -CA "$W/wh/ca.crt" -CAkey "$W/wh/ca.key" -CAcreateserial -out "$W/wh/tls.crt" -days 2 -extfile "$W/wh/ext.cnf" 2>/dev/null

# deploy/base/webhooks.yaml with each clientConfig.service replaced by url + caBundle.
python3 - "$(base64 -w0 "$W/wh/ca.crt")" "$WH_PORT" "$ROOT/deploy/base/webhooks.yaml" > "$W/webhooks.yaml" <<'PY'
import sys
ca, port, src = sys.argv[1], sys.argv[2], open(sys.argv[3]).read().splitlines()
out, i = [], 0
while i < len(src):
    line = src[i]
    if line.strip() == "clientConfig:":
        ind = len(line) - len(line.lstrip()); i += 1; path = None
        while i < len(src) and (len(src[i]) - len(src[i].lstrip()) > ind or not src[i].strip()):
            if src[i].strip().startswith("path:"): path = src[i].split(":", 1)[1].strip()
            i += 1
        assert path, "no path in clientConfig"
        out += [" " * ind + "clientConfig:", " " * ind + f"  url: https://127.0.0.1:{port}{path}", " " * ind + f"  caBundle: {ca}"]
        continue
    out.append(line); i += 1
print("\n".join(out))
PY
grep -q "url: https://127.0.0.1:$WH_PORT/validate" "$W/webhooks.yaml" && grep -q "url: https://127.0.0.1:$WH_PORT/mutate" "$W/webhooks.yaml" \
    || { echo "run.sh: could not rewrite webhooks.yaml" >&2; exit 1; }

if [ -n "${POLICIES_FILE:-}" ]; then cp "$POLICIES_FILE" "$W/policies.yaml"
else "$IDENTITY_GUARD_BIN" policies --config "$W/config.yaml" > "$W/policies.yaml"; fi

metrics() { curl -sfk -H "Authorization: Bearer $TOKEN" "https://127.0.0.1:$API_PORT/metrics" > "$1"; }

start_plane() {
    local d=$W/plane
    rm -rf "$d"; mkdir -p "$d"
    "$ASSETS/etcd" --data-dir "$d/etcd" --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
        --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" --listen-peer-urls "http://127.0.0.1:$PEER_PORT" \
        --initial-advertise-peer-urls "http://127.0.0.1:$PEER_PORT" --initial-cluster "default=http://127.0.0.1:$PEER_PORT" \
        > "$d/etcd.log" 2>&1 &
    PIDS+=($!)
    "$ASSETS/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" --bind-address 127.0.0.1 --secure-port "$API_PORT" \
        --cert-dir "$d/serving" --service-cluster-ip-range 10.0.0.0/24 --endpoint-reconciler-type none \
        --authorization-mode RBAC --token-auth-file "$W/tokens.csv" --service-account-issuer https://kubernetes.default.svc \
        --service-account-key-file "$W/sa.pub" --service-account-signing-key-file "$W/sa.key" > "$d/apiserver.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 120); do
        curl -sfk -H "Authorization: Bearer $TOKEN" "https://127.0.0.1:$API_PORT/readyz" >/dev/null 2>&1 && break
        sleep 0.5
    done
    curl -sfk -H "Authorization: Bearer $TOKEN" "https://127.0.0.1:$API_PORT/readyz" >/dev/null \
        || { tail -20 "$d/apiserver.log" >&2; echo "run.sh: kube-apiserver not ready" >&2; exit 1; }
    $KUBECTL apply -f "$ROOT/deploy/base/crd-users.yaml" >/dev/null
    $KUBECTL wait --for condition=Established crd/users.auth.alauda.io --timeout 60s >/dev/null
}

start_webhook() {
    "$IDENTITY_GUARD_BIN" serve --tls-cert "$W/wh/tls.crt" --tls-key "$W/wh/tls.key" --address 127.0.0.1 --port "$WH_PORT" \
        --metrics-port 0 --config "$W/config.yaml" --no-cluster --log-level warning > "$W/plane/webhook.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do
        curl -sf --cacert "$W/wh/ca.crt" "https://127.0.0.1:$WH_PORT/healthz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    cat "$W/plane/webhook.log" >&2; echo "run.sh: identity-guard serve not ready" >&2; exit 1
}

# check_rules: a User with state "bogus" is denied by user.state, and spec.password is removed. Retries while the
# webhook configurations / policies propagate to the admission plugins.
check_rules() {
    local bad='{"apiVersion":"auth.alauda.io/v1","kind":"User","metadata":{"name":"probe-bad"},"spec":{"email":"probe@example.com","state":"bogus"}}'
    local pw='{"apiVersion":"auth.alauda.io/v1","kind":"User","metadata":{"name":"probe-pw"},"spec":{"email":"pw@example.com","state":"active","password":"x"}}'
    local out ok=0
    for _ in $(seq 60); do
        out=$(echo "$bad" | $KUBECTL create --dry-run=server -f - 2>&1 || true)
        if echo "$out" | grep -q 'Unsupported value: "bogus"'; then
            out=$(echo "$pw" | $KUBECTL create --dry-run=server -o json -f - 2>&1 || true)
            if ! echo "$out" | grep -q '"password"' && echo "$out" | grep -q '"is_disabled"'; then ok=1; break; fi
        fi
        sleep 1
    done
    [ $ok = 1 ] || { echo "run.sh: rules not enforced in this mode; last answer:" >&2; echo "$out" >&2; exit 1; }
}

RESULTS=()
run_mode() {  # run_mode MODE RUN
    local mode=$1 run=$2 tag="$1-$2"
    log "$tag: starting control plane"
    start_plane
    if [ "$mode" = webhook ]; then
        start_webhook
        $KUBECTL apply -f "$W/webhooks.yaml" >/dev/null
    else
        $KUBECTL apply -f "$W/policies.yaml" > "$W/$tag.apply.txt" 2>&1 || { cat "$W/$tag.apply.txt" >&2; exit 1; }
    fi
    check_rules
    if [ "$mode" = native ]; then
        $KUBECTL get validatingadmissionpolicies,mutatingadmissionpolicies -o json > "$W/$tag.policies-status.json"
        python3 - "$W/$tag.policies-status.json" <<'PY' >&2
import json, sys
for p in json.load(open(sys.argv[1]))["items"]:
    st = p.get("status", {})
    warn = (st.get("typeChecking") or {}).get("expressionWarnings")
    conds = [c for c in st.get("conditions", []) if c.get("status") != "True"]
    if warn or conds: print(f"  {p['kind']} {p['metadata']['name']}: warnings={warn} conditions={conds}")
PY
    fi
    log "$tag: warm-up ${WARMUP}s at $RATE/s"
    python3 "$W/load.py" "https://127.0.0.1:$API_PORT" "$RATE" "$WARMUP" "$CLIENT_THREADS" "$DRY_RUN" "warm-$tag" "$W/$tag.warm.json"
    metrics "$W/$tag.before.prom"
    log "$tag: load ${DURATION}s at $RATE/s"
    python3 "$W/load.py" "https://127.0.0.1:$API_PORT" "$RATE" "$DURATION" "$CLIENT_THREADS" "$DRY_RUN" "u-$tag" "$W/$tag.client.json"
    local la; la=$(cut -d' ' -f1-3 /proc/loadavg)
    metrics "$W/$tag.after.prom"
    python3 "$W/quant.py" "$W/$tag.before.prom" "$W/$tag.after.prom" "$mode" "$W/$tag.result.json"
    python3 - "$W/$tag.result.json" "$W/$tag.client.json" "$run" "$DRY_RUN" "$la" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); c = json.load(open(sys.argv[2]))
c.pop("created", None)
r.update(client=c, run=int(sys.argv[3]), dry_run=sys.argv[4] == "1", loadavg=sys.argv[5])
json.dump(r, open(sys.argv[1], "w"), indent=1)
PY
    RESULTS+=("$W/$tag.result.json")
    stop_all
}

log "identity-guard: $IDENTITY_GUARD_BIN ($("$IDENTITY_GUARD_BIN" --version 2>/dev/null || echo '?'))"
log "kube-apiserver: $("$ASSETS/kube-apiserver" --version); work dir $W"
for run in $(seq "$RUNS"); do
    for mode in $MODES; do run_mode "$mode" "$run"; done
done

echo
echo "## Admission latency per User CREATE, rate $RATE/s for ${DURATION}s ($([ "$DRY_RUN" = 1 ] && echo dryRun=All || echo stored)), $(date -u +%Y-%m-%dT%H:%MZ)"
echo
python3 "$W/table.py" "${RESULTS[@]}" | tee "$W/table.md"
if [ -n "${OUT_DIR:-}" ]; then mkdir -p "$OUT_DIR"; cp "$W"/*.result.json "$W"/*.prom "$W/table.md" "$W/policies.yaml" "$OUT_DIR"/; fi
