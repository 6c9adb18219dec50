#!/usr/bin/env bash
# The native-policy differential at full size: the suite CI runs with 120 Users per CRD shape (165 creates and 40
# updates each), here with DIFFERENTIAL_OBJECTS Users (default 1500: 2,045 creates and 500 updates per shape,
# 7,635 requests compared over the three shapes), each sent to a real kube-apiserver once with only the webhook
# and once with only the generated policies.
#
#   Benchmarks/native-differential.sh              # needs the envtest binaries: bash ../shared/envtest/setup.sh .build/envtest
#   DIFFERENTIAL_OBJECTS=5000 Benchmarks/native-differential.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export KUBEBUILDER_ASSETS=${KUBEBUILDER_ASSETS:-$PWD/.build/envtest}
export DIFFERENTIAL_OBJECTS=${DIFFERENTIAL_OBJECTS:-1500}
swift build --build-tests
swift test --skip-build --filter NativePolicyDifferentialTests 2>&1 | grep -E "native differential|✘|✔ Suite"
