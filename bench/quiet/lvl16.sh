#!/usr/bin/env bash
# Issue #14, stop 26 (lvl16): the certificate's sparse level on the 16-D mixture (squared Euclidean, data seed 1). The
# medium level's potential (a dense Sinkhorn on S points per side) is lifted by one c-transform to a finer uniform sample
# of F points per side and raised there by the sparse dual ascent with exits (SparseLevelSize = F, `sparselevel=F`; 0:
# none; the default −1 is 131 072 above 131 072 points in dimension > 6), before the full-size transforms. The full-size ascent is off (`ascentmax=16384`) so that only the level changes. Each
# line: the bound, the sparse level's own bounds (`level:`: after the lift, then after each pass), CPU-s (user + sys)
# of the certificate alone (nosolve=1) and peak RSS. Under load (stop 26): 86.202625 (14.2 CPU-s), 86.594693 (17.4),
# 86.776572 (68.4), 86.858555 (203.7).
#   131k (≈ 5–8 min quiet): the 1M-like proxy (medium level 2 048, 64 points per level point as at 1M, cells over 16 384
#        sampled points): no sparse level (sparselevel=0), then sparse levels of 16 384, 65 536 and 131 072 points (8, 2
#        and 1 point per sparse point), against sep16's dense levels (8 192: 86.514501, 16 384: 86.639430).
#   1m   (≈ 15–25 min quiet; not run at stop 26): n = 1 048 576 with the stop-25 certificate (sparselevel=0; 69.074537)
#        and the new default (the automatic sparse level of 131 072 points above 131 072 in d > 6). The goal: ≥ 69.3764
#        (the stop-24 matching 70.070202 within 1%), certificate ≤ 3× the solve, peak ≤ 4 GB.
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
proxy='131072 certify=1 nosolve=1 coarse=1024 medium=2048 cellmax=16384 ascentmax=16384'
case "${1:-131k}" in
  131k)
    run "131072 medium=2048, no sparse level" 600 $proxy sparselevel=0
    run "131072 medium=2048, sparse level 16384" 900 $proxy sparselevel=16384
    run "131072 medium=2048, sparse level 65536" 1200 $proxy sparselevel=65536
    run "131072 medium=2048, sparse level 131072" 1800 $proxy sparselevel=131072
    ;;
  1m)
    run "1048576 stop 25 (no sparse level)" 1800 1048576 certify=1 nosolve=1 sparselevel=0
    run "1048576 default (sparse level 131072)" 2400 1048576 certify=1 nosolve=1
    ;;
esac
uptime
