#!/usr/bin/env bash
# Stop 31 (leafslab), issue #14: the leaves go straight to the multiscale warm start (ExactWarmStartFirst, default on)
# and run no row reduction pass after it (ExactWarmStartReductionPasses, default 0) — the same optimum, so the same
# matching. 8 Gaussians → moons, n = 1 048 576, data seed 1, both costs, interleaved: the default against
# `leafwarmfirst=0 leafwarmarr=2` (the previous leaf route in this build), and with BEFORE=path/to/old/hiref also the old
# harness (e.g. main at f9a1cce), twice each in alternation.
# Prints one row per run: wall and CPU seconds (user + sys), peak RSS, cost (must be the same bits in every variant),
# the CPU of the levels (process CPU at "leaves"), of the leaves ("slab 1" minus "leaves") and of the slab rounds (end
# minus "slab 1"), the rounds.
# Estimated run time on a quiet 2-core machine: ~5 minutes (8 solves of ≈ 30–35 s; + 4 with BEFORE).
# Assumes `dotnet build Monge.slnx -c Release` and `dotnet build -c Release bench/compare/hiref`; run from the repository root.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
uptime
hiref_harness
echo "| cost | variant | wall s | CPU s (user+sys) | peak RSS | cost value | levels CPU-s | leaves CPU-s | slab rounds CPU-s | rounds |"
echo "|---|---|---|---|---|---|---|---|---|---|"
row() { # harness, cost, bound, label, options...
  local exe=$1 cost=$2 bound=$3 label=$4 out
  shift 4
  out=$( { timeout 600 /usr/bin/time -f "TIME %e %U %S %M" "$exe" tune eight-gaussians-moons 2 "$cost" 1048576 lb="$bound" profile=1 "$@"; } 2>&1 ) \
    || { echo "| $cost | $label | failed |"; return 0; }
  awk -v cost="$cost" -v label="$label" '
    /^TIME/ { wall = $2; cpu = $3 + $4; rss = $5 }
    /\] leaves \(/ { match($0, /process CPU [0-9.]+/); leaves = substr($0, RSTART + 12, RLENGTH - 12) }
    /\] slab [0-9]+ \(/ { match($0, /process CPU [0-9.]+/); c = substr($0, RSTART + 12, RLENGTH - 12); if (!rounds) slab1 = c; rounds++ }
    /"process_cpu_s"/ { match($0, /"process_cpu_s":[0-9.]+/); solve = substr($0, RSTART + 16, RLENGTH - 16); match($0, /"cost":[0-9.]+/); value = substr($0, RSTART + 7, RLENGTH - 7) }
    END { printf "| %s | %s | %.1f | %.1f | %.2f GB | %s | %.1f | %.1f | %.1f | %d |\n", cost, label, wall, cpu, rss / 1e6, value, leaves, slab1 - leaves, solve - slab1, rounds }
  ' <<< "$out"
}
for cost in sqeuclidean euclidean; do
  bound=7.120932; [[ $cost == euclidean ]] && bound=2.440467
  for rep in 1 2; do
    row "$H" "$cost" "$bound" default
    row "$H" "$cost" "$bound" "leafwarmfirst=0 leafwarmarr=2" leafwarmfirst=0 leafwarmarr=2
    if [[ -n ${BEFORE:-} ]]; then row "$BEFORE" "$cost" "$bound" before; fi
  done
done
uptime
