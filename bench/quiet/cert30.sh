#!/usr/bin/env bash
# Issue #14, stop 30 (cert): the squared 2-D certificate with stop 30's default (the order from f from the coarse level,
# the order from g from its soft extension) against the stop-29 default (`sqlevel=0`: both soft extensions) and the
# other options of the stop (docs/hiref.md "Stop 30 (cert)"). One line per run: the bound, the
# certificate's Sinkhorn-stage and transform seconds, certificate and solve CPU-s and their ratio, tree pairs per query,
# the bounds of the two orders, then the process CPU-s (user + sys) and peak RSS (MiB).
#   1m   (default; ≈ 8–10 quiet minutes): checkerboard at n = 1 048 576, seeds 2 and 1: solve + certificate with the
#        default (its cpu_ratio is the 3× goal), then the stop-29 certificate alone (`sqlevel=0`; divide by the first
#        line's solve_cpu_s).
#   rows (≈ 8 quiet minutes): the other three squared 1M rows (8 Gaussians → moons, half-moon → S-curve, MAF moons →
#        rings, data seed 1), certificate alone, default and `sqlevel=0`: the bound the new default must not lose.
#   262k (≈ 4 quiet minutes): the checkerboard proxy of the stop, certificate alone (nosolve=1), seeds 2 and 1: default,
#        sqlevel=0, sqmixed=0 (both orders from the level), sqcurv=1, sqlevel=0 sqslack=1e-7.
# Under load (stop 30): at 262 144 seed 2 sqlevel=0 44.2 CPU-s, bound 21.099286; the default 35.4 CPU-s, 21.117452.
# Run from the repository root after `dotnet build Monge.slnx -c Release`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
hiref_harness
uptime
run() {
  local label=$1 out line
  shift
  out=$( { /usr/bin/time -f 'CPU %U %S %M' "$H" tune "${DATASET:-checkerboard}" 2 sqeuclidean "$@"; } 2>&1 ) || { echo "$label: failed"; return 0; }
  line=$(grep -o 'bound=[0-9.]*\|sinkhorn_s=[0-9.]*\|transforms_s=[0-9.]*\|certify_cpu_s=[0-9.]*\|solve_cpu_s=[0-9.]*\|cpu_ratio=[0-9.]*\|tree_pairs_per_query=[0-9]*\|bound_from_f=[0-9.]*\|bound_best=[0-9.]*' <<< "$out" | tr '\n' ' ')
  echo "$label: $line process $(tune_cpu "$out")"
}
case "${1:-1m}" in
  1m)
    for data in 2 1; do
      run "1048576 data=$data default" 1048576 certify=1 data=$data
      run "1048576 data=$data sqlevel=0 (certificate alone)" 1048576 certify=1 nosolve=1 data=$data sqlevel=0
    done
    ;;
  rows)
    for DATASET in eight-gaussians-moons half-moon-s-curve maf-moons-rings; do
      run "$DATASET 1048576 default" 1048576 certify=1 nosolve=1
      run "$DATASET 1048576 sqlevel=0" 1048576 certify=1 nosolve=1 sqlevel=0
    done
    ;;
  262k)
    for data in 2 1; do
      for opts in "" "sqlevel=0" "sqmixed=0" "sqcurv=1" "sqlevel=0 sqslack=1e-7"; do
        # shellcheck disable=SC2086
        run "262144 data=$data ${opts:-default}" 262144 certify=1 nosolve=1 data=$data $opts
      done
    done
    ;;
  *)
    echo "usage: $0 [1m|rows|262k]" >&2
    exit 2
    ;;
esac
