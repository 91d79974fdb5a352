#!/usr/bin/env bash
# Stop 29 (euclvl1), issue #14: the Euclidean 2-D 1M solve's level 1 — the 30 whole-block mirror steps of the 1 048 576-point
# level-1 block against the stop-29 variants (internal, opt-in; docs/hiref.md "Stop 29 (euclvl1)"):
#   default       (stop 29) the level-1 block co-clusters with the exact squared-Euclidean factors (k = 4) and so the squared
#                 cost's sampled start (65 536-point sample, ≤ 6 whole-block steps); level 2 on, the leaves and the cost Euclidean;
#   lvl1sq=0      before stop 29: 30 whole-block mirror steps on 32 Nyström columns (stall stop 1e-3);
#   lvl1sq=0 sampledeucl=1 sampledsteps=12  stop 25's Euclidean sampled start with 12 whole-block steps.
# Under load (docs/hiref.md "Stop 29 (euclvl1)"), lvl1sq=0 → default: 8 Gaussians 134.4 → 68.2 CPU-s (0.489 → 0.270%), MAF
# 87.3 → 50.5 (0.051 → 0.103%), half-moon 90.3 → 55.0 (0.217 → 0.253%), checkerboard 73.6 → 57.4 (0.377 → 0.277%).
# Prints one markdown row per 1M 2-D Euclidean run (lib.sh tune_1m_row): wall s, CPU-s (user + sys), peak RSS, schedule,
# cost and gap to the certified bound of the same data (data seed 1; stop 24 ecert / stop 26 chkeuc: 8 Gaussians → moons
# 2.440467, MAF moons → rings 4.574378, checkerboard 4.591281, half-moon → S-curve 1.989728).
# Usage: bench/quiet/euclvl1.sh [main|all] (main: the four pairs, lvl1sq=0 vs the default, 8 solves, ≈ 6–8 min quiet;
# all: also lvl1sq=0 sampledeucl=1 sampledsteps=12 on 8 Gaussians and MAF, ≈ 9–11 min quiet).
# Assumes `dotnet build Monge.slnx -c Release` and `dotnet build -c Release bench/compare/hiref`; run from the repository root.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
TUNE_TIMEOUT=900
what=${1:-main}
uptime
tune_1m_header
row() { tune_1m_row euclidean "$@"; }  # dataset, bound, label, extra options...
for pair in "eight-gaussians-moons 2.440467" "maf-moons-rings 4.574378" "half-moon-s-curve 1.989728" "checkerboard 4.591281"; do
  read -r data bound <<< "$pair"
  row "$data" "$bound" "lvl1sq=0 (before stop 29)" lvl1sq=0
  row "$data" "$bound" "default (squared factors at level 1)"
  if [[ $what == all && ( $data == eight-gaussians-moons || $data == maf-moons-rings ) ]]; then
    row "$data" "$bound" "lvl1sq=0 sampledeucl=1 sampledsteps=12" lvl1sq=0 sampledeucl=1 sampledsteps=12
  fi
done
uptime
