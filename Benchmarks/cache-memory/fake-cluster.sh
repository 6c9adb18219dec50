# Sourced by the benchmarks that read a fake cluster (cache-memory/run.sh, audit/run.sh): a throwaway CA and a
# certificate for 127.0.0.1, the fake HTTPS API server (fake_apiserver.py) with N Users and their Identities, and a
# kubeconfig for it. FAKE_API_ARGS adds flags to the server (e.g. "--no-identities", "--no-defects").
# Everything lives in $WORK, which the caller makes and removes.

# fake_cluster_certificates — $WORK/ca.crt and the server's $WORK/tls.crt, $WORK/tls.key.
fake_cluster_certificates() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=fake apiserver CA" \
        -keyout "$WORK/ca.key" -out "$WORK/ca.crt" -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
        -keyout "$WORK/tls.key" -out "$WORK/tls.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$WORK/ext.cnf"
    openssl x509 -req -in "$WORK/tls.csr" -CA "$WORK/ca.crt" -CAkey "$WORK/ca.key" -CAcreateserial -days 2 \
        -extfile "$WORK/ext.cnf" -out "$WORK/tls.crt" 2>/dev/null
}

# fake_cluster_start USERS TOKEN NAME — starts the fake API server; sets FAKE_API_PID and FAKE_API_PORT.
fake_cluster_start() {
    local users="$1" token="$2" name="$3"
    # shellcheck disable=SC2086  # FAKE_API_ARGS is a list of flags
    python3 Benchmarks/cache-memory/fake_apiserver.py --users "$users" --cert "$WORK/tls.crt" --key "$WORK/tls.key" \
        --token "$token" ${FAKE_API_ARGS:-} > "$WORK/$name.port" 2> "$WORK/$name.log" < /dev/null &
    FAKE_API_PID=$!
    for _ in $(seq 300); do [[ -s "$WORK/$name.port" ]] && break; sleep 0.1; done
    FAKE_API_PORT="$(cat "$WORK/$name.port")"
}

# fake_cluster_kubeconfig PORT TOKEN FILE — a kubeconfig for the fake API server on PORT.
fake_cluster_kubeconfig() {
    cat > "$3" <<YAML
apiVersion: v1
kind: Config
current-context: fake
clusters:
- name: fake
  cluster:
    server: https://127.0.0.1:$1
    certificate-authority-data: $(base64 -w0 "$WORK/ca.crt")
contexts:
- name: fake
  context: {cluster: fake, user: fake}
users:
- name: fake
  user: {token: $2}
YAML
}
