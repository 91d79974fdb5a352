#!/usr/bin/env bash
# Stop 26 (spd1m), issue #14: the CPU of level 1's rank choice at 1 048 576 (2-D, squared). The two candidates' sample
# solves (32 768 points, ranks 4 and 16) now run side by side, one worker each on two cores (firstrankpar=1, the default),
# instead of one after another on both workers (firstrankpar=0, stop 25's). Prints, per 1M 2-D squared case, one row per
# variant: auto (side by side), firstrankpar=0 (stop 25's choice) and firstrank=off (no choice) — wall and CPU seconds
# (user + sys), peak RSS, schedule, cost, gap to the known bound and the choice (sample costs, its wall seconds). The
# sample costs and the chosen rank must be the same in both choice rows (bit for bit), and the matching of every row where
# 16 is chosen equal to firstrank=off's. Goal: CPU of auto within +10% of off; solve ≤ 30 s wall.
# Then `choice` rows: the choice alone (firstrankonly=1) in both variants, its process CPU.
# Bounds as in chkrank.sh. Estimated run time on a quiet 2-core machine: ~10 minutes (18 solves of ~30 s + 12 short runs).
# Assumes `dotnet build Monge.slnx -c Release` and `dotnet build -c Release bench/compare/hiref`; run from the repository root.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
uptime
tune_1m_header
row() { tune_1m_row sqeuclidean "$@"; }  # dataset, bound, label, extra options...
cases() { # variant label, options...
  row checkerboard 21.086307 "$1, seed 0" "${@:2}"
  row checkerboard 21.086307 "$1, seed 1" seed=1 "${@:2}"
  row checkerboard 21.086307 "$1, seed 2" seed=2 "${@:2}"
  row eight-gaussians-moons 7.119330 "$1" "${@:2}"
  row half-moon-s-curve 4.148411 "$1" "${@:2}"
  row maf-moons-rings 22.089519 "$1" "${@:2}"
}
cases "auto (side by side)" firstrank=auto
cases "firstrankpar=0" firstrankpar=0
cases "off" firstrank=off
echo
echo "choice alone (firstrankonly=1): dataset, options, first rank (sample costs; s; wall), process CPU of the choice"
for par in 1 0; do
  for args in "checkerboard" "checkerboard seed=1" "checkerboard seed=2" "eight-gaussians-moons" "half-moon-s-curve" "maf-moons-rings"; do
    read -r data extra <<< "$args"
    hiref_harness; "$H" tune "$data" 2 sqeuclidean 1048576 firstrankonly=1 firstrankpar=$par $extra | grep 'first rank' || echo "$data failed"
  done
done
uptime
