#!/usr/bin/env bash
# Issue #14, stop 31 (sqcert): the squared 2-D certificate with the cells' nearest coarse point by a k-d tree (always on,
# the same cells bit for bit) and γ fitted on every node of the squared tree searches (`sqfit=0`: the parent's γ below
# 192 points, as before); docs/hiref.md "Stop 31 (sqcert)". One line per run: the bound, the certificate's Sinkhorn-stage
# and transform seconds, certificate and solve CPU-s and their ratio, tree pairs per query, the two orders' bounds, then
# the process CPU-s (user + sys) and peak RSS (MiB). With BASE=path/to/an/older/hiref (e.g. main f9a1cce's harness) each
# run is repeated with it right after (interleaved A/B: the cells' change has no option).
#   1m   (default; ≈ 6–8 quiet minutes, twice with BASE): checkerboard at n = 1 048 576, seeds 2 and 1: solve +
#        certificate (its cpu_ratio is the ≤ 3× goal, ≤ 2.7× the topic's target), then `sqfit=0`'s certificate alone.
#   rows (≈ 4 quiet minutes): the other three squared 1M rows (8 Gaussians → moons, half-moon → S-curve, MAF moons →
#        rings, data seed 1), certificate alone: the bounds must equal stop 30's (7.120932, 4.149486, 22.089601).
#   eucl (≈ 6 quiet minutes): the two 2-D Euclidean 1M certificates (8 Gaussians → moons, MAF), certificate alone: the
#        shared Sinkhorn stage's cells (the bounds unchanged: 2.440467, 4.574378).
# Under load (stop 31, load 44–50): 1M seed 2 certificate 71.4 → 39.9 CPU-s against a 29.5 / 30.0 CPU-s solve, bound
# 21.111925 and cost 21.232245 the same bits.
# Run from the repository root after `dotnet build Monge.slnx -c Release`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
hiref_harness
uptime
COST=sqeuclidean
run() {
  local label=$1 out line bin
  shift
  for bin in "$H" ${BASE:+"$BASE"}; do
    out=$( { /usr/bin/time -f 'CPU %U %S %M' "$bin" tune "${DATASET:-checkerboard}" 2 "$COST" "$@"; } 2>&1 ) || { echo "$label: failed"; continue; }
    line=$(grep -o 'bound=[0-9.]*\|sinkhorn_s=[0-9.]*\|transforms_s=[0-9.]*\|certify_cpu_s=[0-9.]*\|solve_cpu_s=[0-9.]*\|cpu_ratio=[0-9.]*\|tree_pairs_per_query=[0-9]*\|bound_from_f=[0-9.]*\|bound_best=[0-9.]*' <<< "$out" | tr '\n' ' ')
    echo "$label$([ "$bin" = "$H" ] || echo ' (BASE)'): $line process $(tune_cpu "$out")"
  done
}
case "${1:-1m}" in
  1m)
    for data in 2 1; do
      run "1048576 data=$data default" 1048576 certify=1 data=$data
      BASE='' run "1048576 data=$data sqfit=0 (certificate alone)" 1048576 certify=1 nosolve=1 data=$data sqfit=0
    done
    ;;
  rows)
    for DATASET in eight-gaussians-moons half-moon-s-curve maf-moons-rings; do
      run "$DATASET 1048576 default" 1048576 certify=1 nosolve=1
    done
    ;;
  eucl)
    COST=euclidean
    for DATASET in eight-gaussians-moons maf-moons-rings; do
      run "$DATASET euclidean 1048576 default" 1048576 certify=1 nosolve=1
    done
    ;;
  *)
    echo "usage: $0 [1m|rows|eucl]" >&2
    exit 2
    ;;
esac
