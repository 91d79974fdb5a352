#!/usr/bin/env bash
# Stop 25 (chkrank), issue #14: level 1's rank chosen on a 32 768-point sample above 262 144 points (2-D, automatic
# schedule; candidates 4 and 16, each sample solved by its levels, leaves and ≤ 8 slab rounds of 32; rank 4 kept only if
# its sample cost is > 0.5% below rank 16's; the rest of the schedule keeps the 4 096 leaves of 256: [4, 8, 8, 16] or
# [16, 16, 16]). Prints one row per 1M 2-D squared case: the chosen rank (with the candidates' sample costs), wall and
# CPU seconds (user + sys), peak RSS, cost and gap to the known bound; then the old default (firstrank=off) on the same
# cases for the CPU comparison. Goal: every gap ≤ 1%, CPU within +10% of firstrank=off, the solve ≤ 30 s wall.
# Bounds: checkerboard 21.086307 (m1m), 8 Gaussians → moons 7.119330 (stop 20), MAF moons → rings 22.089519 (m1m),
# half-moon → S-curve 4.148411 (the scale table); gap = cost / bound − 1.
# Estimated run time on a quiet 2-core machine: ~15 minutes (12 solves of ~30 s wall, data generation included).
# Assumes `dotnet build Monge.slnx -c Release` and `dotnet build -c Release bench/compare/hiref`; run from the repository root.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
uptime
tune_1m_header
row() { tune_1m_row sqeuclidean "$@"; }  # dataset, bound, label, extra options...
for variant in auto off; do
  row checkerboard 21.086307 "firstrank=$variant, seed 0" firstrank=$variant
  row checkerboard 21.086307 "firstrank=$variant, seed 1" firstrank=$variant seed=1
  row checkerboard 21.086307 "firstrank=$variant, seed 2" firstrank=$variant seed=2
  row eight-gaussians-moons 7.119330 "firstrank=$variant" firstrank=$variant
  row half-moon-s-curve 4.148411 "firstrank=$variant" firstrank=$variant
  row maf-moons-rings 22.089519 "firstrank=$variant" firstrank=$variant
done
uptime
