#!/usr/bin/env bash
# Stop 30 (leaves), issue #14: the slab rounds keep the pairs' coordinates by position (SlabRowsMaxPoints, default
# 4 194 304) and the 2-D cost rows of the leaves and slabs use an AVX2 kernel — the same bits. 8 Gaussians → moons,
# n = 1 048 576, data seed 1, both costs: the default against `slabrows=0` (the gathered slab rows; the AVX2 row kernel
# stays), and with BEFORE=path/to/old/hiref also the old harness (e.g. main at 33a268c, for the whole change).
# Prints one row per run: wall and CPU seconds (user + sys), peak RSS, cost (must be the same bits in every variant),
# the CPU of the leaves (process CPU at "slab 1" minus at "leaves") and of the slab rounds (end minus "slab 1"), the rounds.
# Estimated run time on a quiet 2-core machine: ~2.5 minutes (4 solves of ≈ 30–35 s; + 2 with BEFORE).
# Assumes `dotnet build Monge.slnx -c Release` and `dotnet build -c Release bench/compare/hiref`; run from the repository root.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
uptime
hiref_harness
echo "| cost | variant | wall s | CPU s (user+sys) | peak RSS | cost value | leaves CPU-s | slab rounds CPU-s | rounds |"
echo "|---|---|---|---|---|---|---|---|---|"
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
    END { printf "| %s | %s | %.1f | %.1f | %.2f GB | %s | %.1f | %.1f | %d |\n", cost, label, wall, cpu, rss / 1e6, value, slab1 - leaves, solve - slab1, rounds }
  ' <<< "$out"
}
for cost in sqeuclidean euclidean; do
  bound=7.119330; [[ $cost == euclidean ]] && bound=2.440467
  row "$H" "$cost" "$bound" default
  row "$H" "$cost" "$bound" slabrows=0 slabrows=0
  if [[ -n ${BEFORE:-} ]]; then row "$BEFORE" "$cost" "$bound" before; fi
done
uptime
