#!/usr/bin/env bash
# Makes a CA and a serving certificate for the identity-guard webhook Service with openssl, and writes a
# kustomize overlay (the TLS Secret and the caBundle patches for both webhook configurations) to apply:
#
#   certs/generate.sh [--namespace identity-guard] [--service identity-guard] [--out certs/out] [--days 365]
#   kubectl apply -k certs/out
#
# The certificate names <service>.<namespace>.svc and <service>.<namespace>.svc.cluster.local (what the
# apiserver connects to). Nothing it writes is committed (certs/out is git-ignored): it holds a private key.
# Rerun it to rotate; identity-guard reloads the mounted Secret's new files without a restart.
set -euo pipefail

namespace=identity-guard
service=identity-guard
days=365
here=$(cd "$(dirname "$0")" && pwd)
out="$here/out"

while [ $# -gt 0 ]; do
    case "$1" in
        --namespace) namespace=$2; shift 2 ;;
        --service) service=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --days) days=$2; shift 2 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "generate.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
command -v openssl >/dev/null || { echo "generate.sh: openssl is required" >&2; exit 2; }

mkdir -p "$out"
chmod 700 "$out"
umask 077
dns="$service.$namespace.svc"

openssl ecparam -name prime256v1 -genkey -noout -out "$out/ca.key"
openssl req -x509 -new -key "$out/ca.key" -sha256 -days "$((days * 3))" -out "$out/ca.crt" \
    -subj "/O=identity-guard/CN=identity-guard webhook CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

openssl ecparam -name prime256v1 -genkey -noout -out "$out/tls.key"
openssl req -new -key "$out/tls.key" -out "$out/tls.csr" -subj "/CN=$dns" 2>/dev/null
cat > "$out/tls.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:$dns,DNS:$dns.cluster.local,DNS:$service.$namespace,DNS:$service
EXT
openssl x509 -req -in "$out/tls.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
    -days "$days" -sha256 -extfile "$out/tls.ext" -out "$out/tls.crt" 2>/dev/null
rm -f "$out/tls.csr" "$out/tls.ext" "$out/ca.srl"
openssl verify -CAfile "$out/ca.crt" "$out/tls.crt" >/dev/null

b64() { base64 < "$1" | tr -d '\n'; }
ca_bundle=$(b64 "$out/ca.crt")

cat > "$out/secret.yaml" <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: identity-guard-tls
  namespace: $namespace
type: kubernetes.io/tls
data:
  tls.crt: $(b64 "$out/tls.crt")
  tls.key: $(b64 "$out/tls.key")
  ca.crt: $ca_bundle
YAML

deploy=$(python3 -c 'import os,sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))' "$here/../deploy" "$out" \
    2>/dev/null || echo "$here/../deploy")
cat > "$out/kustomization.yaml" <<YAML
# Written by certs/generate.sh: the identity-guard base with this CA's Secret and caBundle. Do not commit.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $deploy
  - secret.yaml
patches:
  - target:
      kind: ValidatingWebhookConfiguration
      name: identity-guard
    patch: |-
      - op: add
        path: /webhooks/0/clientConfig/caBundle
        value: $ca_bundle
  - target:
      kind: MutatingWebhookConfiguration
      name: identity-guard
    patch: |-
      - op: add
        path: /webhooks/0/clientConfig/caBundle
        value: $ca_bundle
YAML
if [ "$namespace" != identity-guard ]; then
    printf 'namespace: %s\n' "$namespace" >> "$out/kustomization.yaml"
fi

echo "wrote $out: ca.crt, tls.crt, tls.key (for $dns), secret.yaml, kustomization.yaml"
echo "apply with: kubectl apply -k $out"
echo "caBundle: $ca_bundle"
