#!/usr/bin/env bash
# Issue #14, stop 27 (lvl262): the certificate's sparse level of 262 144 points at n = 1 048 576 on the 16-D mixture
# (squared Euclidean, data seed 1, DualBound seed 0, certificate alone: nosolve=1). The goal: a bound ≥ 69.3764 (the
# stop-24 matching 70.070202 within 1%), certificate ≤ 3× the solve (≈ 935 CPU-s on the lead's stop-26 machine), peak
# RSS against stop 26's 4.66 GB. Each line: the bound, the sparse level's own bounds (`level:`: after the lift, then after
# each pass; a bound on the sample's assignment, not the problem's), CPU-s (user + sys) and peak RSS (KiB).
#   1m     (≈ 15–25 min quiet; NOT finished under load at stop 27: killed at 1 350 CPU-s, peak RSS 8.59 GB and rising):
#          sparselevel=262144 with one pass (sparsepasses=1), the run of stop 27. Watch the peak: the stop-27 run's RSS grew
#          from 4.28 GB to 8.59 GB over its last ≈ 500 CPU-s.
#   1mold  (≈ 15–20 min quiet): stop 26's default for comparison (131 072, up to 3 passes; under load 69.338449 in
#          876.7 CPU-s, 4.66 GB).
# Run from the repository root after `dotnet build Monge.slnx -c Release`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
hiref_harness
uptime
keys='bound=[0-9.]*\|certify_cpu_s=[0-9.]*\|level: [0-9. ]*\|cpu_s=[0-9.+]*\|peak_kb=[0-9]*'
run() {
  local label=$1 limit=$2
  shift 2
  echo -n "$label: "
  /usr/bin/time -f "cpu_s=%U+%S peak_kb=%M" timeout "$limit" "$H" tune gaussian-mixture 16 sqeuclidean "$@" 2>&1 \
    | grep -o "$keys" | tr '\n' ' ' || true
  echo
}
case "${1:-1m}" in
  1m)
    run "1048576 sparselevel=262144 sparsepasses=1" 3600 1048576 certify=1 nosolve=1 sparselevel=262144 sparsepasses=1
    ;;
  1mold)
    run "1048576 default (sparse level 131072)" 3600 1048576 certify=1 nosolve=1
    ;;
  *)
    echo "usage: $0 [1m|1mold]" >&2
    exit 2
    ;;
esac
