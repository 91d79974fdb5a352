#!/usr/bin/env bash
# Stop 26 (chkeuc), issue #14: checkerboard with the Euclidean cost at 1 048 576 under level 1's rank choice (stop 25,
# chkrank), whose Euclidean sample is now scored with the squared cost (FirstRankSquaredScore; firstranksq=0: stop 25's
# Euclidean score). Prints one row per 1M 2-D Euclidean run: the chosen rank (with the candidates' sample costs), wall and CPU
# seconds (user + sys), peak RSS, schedule, cost and certified gap to the known bound. Checkerboard: the default, the
# schedule before stop 25 (firstrank=off) and the forced [4, 8, 8, 16], on solver seeds 0, 1, 2 (and firstranksq=0 on seed 0); then the three other
# 2-D Euclidean rows with the default (they should keep [16, 16, 16]).
# Bounds (DualBound, data seed 1, docs/hiref.md "Stop 24 (ecert)"): checkerboard 4.591281, 8 Gaussians → moons 2.440467,
# half-moon → S-curve 1.989728, MAF moons → rings 4.574378; gap = cost / bound − 1.
# Usage: bench/quiet/chkeuc.sh [chk|others|all] (default all).
# Estimated run time on a quiet 2-core machine: ~27 minutes for all (13 solves of 40–60 s wall, data generation included).
# Assumes `dotnet build Monge.slnx -c Release` and `dotnet build -c Release bench/compare/hiref`; run from the repository root.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
TUNE_TIMEOUT=900
what=${1:-all}
uptime
tune_1m_header
row() { tune_1m_row euclidean "$@"; }  # dataset, bound, label, extra options...
if [[ $what == chk || $what == all ]]; then
  for seed in 0 1 2; do
    row checkerboard 4.591281 "default, seed $seed" seed=$seed
    if [[ $seed == 0 ]]; then
      row checkerboard 4.591281 "firstranksq=0 (stop 25's Euclidean score), seed 0" firstranksq=0 seed=0
    fi
    row checkerboard 4.591281 "firstrank=off, seed $seed" firstrank=off seed=$seed
    row checkerboard 4.591281 "schedule=4,8,8,16, seed $seed" schedule=4,8,8,16 seed=$seed
  done
fi
if [[ $what == others || $what == all ]]; then
  row eight-gaussians-moons 2.440467 "default"
  row half-moon-s-curve 1.989728 "default"
  row maf-moons-rings 4.574378 "default"
fi
uptime
