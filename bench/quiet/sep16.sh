#!/usr/bin/env bash
# Issue #14, stop 25 (sep16): the 16-D mixture (squared Euclidean, data seed 1) — how much of the 1M certified gap is the
# bound's coarse level. The certificate's medium level has 16 384 points per side at every n, so it holds n / 16 384
# points per level point: 8 at 131 072, 64 at 1 048 576. Each line: the bound (and cost and gap where a solve runs),
# CPU-s (user + sys) and peak RSS.
#   131k  (≈ 5 min quiet): the certificate alone at 131 072 with medium levels of 2 048, 4 096, 8 192 and 16 384
#         (default) points (8 sampled points per cell, as at 1M); under load (stop 25): 86.202625, 86.377534,
#         86.514501, 86.639430 — the bound rises ≈ 0.15% per doubling of the level.
#   1m    (≈ 12–20 min quiet, stopped after 1 500 s): the certificate alone at 1 048 576 with a medium level of 32 768
#         points (refinemax=32768², cellmax=262144: 8 per cell) against the default's 69.074537 (stop 22, quiet). Under
#         load (stop 25): 69.186961 (+0.163%: 1.441% → 1.277% certified), 1 048.4 CPU-s, peak 8.16 GB.
#   512k  (≈ 15–20 min quiet): n = 524 288, the default solve with the default certificate (one process), then the
#         certificate alone with the 32 768-point medium level: the certified gap at 524 288 and its bound side.
# Run from the repository root after `dotnet build Monge.slnx -c Release`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
hiref_harness
uptime
keys='cost=[0-9.]*\|,gap=[0-9.]* %\|bound=[0-9.]*\|certified_gap=[0-9.]* %\|certify_cpu_s=[0-9.]*\|"solve_cpu_s":[0-9.]*\|order_f_cpu_s=[0-9.]*\|cpu_s=[0-9.+]*\|peak_kb=[0-9]*'
run() {
  local label=$1 limit=$2
  shift 2
  echo -n "$label: "
  /usr/bin/time -f "cpu_s=%U+%S peak_kb=%M" timeout "$limit" "$H" tune gaussian-mixture 16 sqeuclidean "$@" 2>&1 \
    | grep -o "$keys" | tr '\n' ' ' || true
  echo
}
case "${1:-131k}" in
  131k)
    run "131072 medium=2048" 600 131072 certify=1 nosolve=1 coarse=1024 medium=2048 cellmax=16384
    run "131072 medium=4096" 600 131072 certify=1 nosolve=1 coarse=2048 medium=4096 cellmax=32768
    run "131072 medium=8192" 600 131072 certify=1 nosolve=1 medium=8192 cellmax=65536
    run "131072 default (16384)" 600 131072 certify=1 nosolve=1
    ;;
  1m)
    run "1048576 medium=32768" 1500 1048576 certify=1 nosolve=1 medium=32768 refinemax=1073741824 cellmax=262144
    ;;
  512k)
    run "524288 default solve + certificate" 1500 524288 certify=1
    run "524288 medium=32768" 1500 524288 certify=1 nosolve=1 medium=32768 refinemax=1073741824 cellmax=262144
    ;;
esac
uptime
