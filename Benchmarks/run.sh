#!/usr/bin/env bash
# Runs the admission hot-path benchmarks (Benchmarks/AdmissionBenchmarks) and prints the results table.
#
#   Benchmarks/run.sh                      # every benchmark
#   Benchmarks/run.sh --filter 'handle.*'  # further arguments go to `swift package benchmark`
#
# The benchmark package (ordo-one/benchmark) is only part of the build when IDENTITY_GUARD_BENCHMARKS is set
# (see the end of Package.swift), so that `swift build` / `swift test` / CI never resolve or build it. It builds
# in its own scratch folder, .build-bench, so that it never waits for or disturbs a build in .build. The first
# run builds the benchmark package in release mode: about 4 minutes on 2 cores; later runs take seconds.
#
# Note: the run adds the benchmark package's pins to Package.resolved (git ignores that file); a plain
# `swift build` leaves them there and does not build those packages.
set -euo pipefail

cd "$(dirname "$0")/.."

export IDENTITY_GUARD_BENCHMARKS=1
# Only the admission benchmarks: the other executables under Benchmarks/ (the load test's canned-webhook, claim-latency)
# are programs, not benchmark suites.
exec swift package --scratch-path .build-bench benchmark --target AdmissionBenchmarks --no-progress "$@"
