#!/usr/bin/env bash
# Stop 30 (levels), issue #14: the 1M 2-D solve's levels 2–3 and level 1's rank choice (docs/hiref.md "Stop 30 (levels)").
#   sqmin=65536   (internal SquaredFactorsMinBlock, off by default) the Euclidean level-2 blocks (65 536 points at 1M)
#                 co-cluster with the exact squared factors (k = 4) instead of 32 Nyström columns; level 3 stays Euclidean;
#   sqmin=4096    levels 2 and 3 both on the squared factors;
#   firstranksample=32768  the rank choice's sample before stop 30 (default now 16 384; the same choices measured, the
#                 solves bit for bit the same; only the choice's seconds differ).
# Prints one markdown row per 1M 2-D run (lib.sh tune_1m_row): wall s, CPU-s (user + sys), peak RSS, schedule, cost, gap to
# the certified bound of the same data (data seed 1) and the rank choice's report.
# Usage: bench/quiet/levels30.sh [main|all]  (main: 8 Gaussians → moons Euclidean default / sqmin=65536 / sqmin=4096 and
# squared default / firstranksample=32768, 5 solves, ≈ 3–4 min quiet; all: + MAF, half-moon and checkerboard Euclidean
# default / sqmin=65536, ≈ 8–10 min quiet).
# Assumes `dotnet build Monge.slnx -c Release` and `dotnet build -c Release bench/compare/hiref`; run from the repository root.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
TUNE_TIMEOUT=900
what=${1:-main}
uptime
tune_1m_header
tune_1m_row euclidean eight-gaussians-moons 2.440467 "default" profile=1
tune_1m_row euclidean eight-gaussians-moons 2.440467 "sqmin=65536 (level 2 squared factors)" sqmin=65536 profile=1
tune_1m_row euclidean eight-gaussians-moons 2.440467 "sqmin=4096 (levels 2–3 squared factors)" sqmin=4096 profile=1
tune_1m_row sqeuclidean eight-gaussians-moons 7.119330 "default (rank-choice sample 16 384)" profile=1
tune_1m_row sqeuclidean eight-gaussians-moons 7.119330 "firstranksample=32768 (before stop 30)" firstranksample=32768 profile=1
if [[ $what == all ]]; then
  for pair in "maf-moons-rings 4.574378" "half-moon-s-curve 1.989728" "checkerboard 4.591281"; do
    read -r data bound <<< "$pair"
    tune_1m_row euclidean "$data" "$bound" "default" profile=1
    tune_1m_row euclidean "$data" "$bound" "sqmin=65536" sqmin=65536 profile=1
  done
fi
