#!/usr/bin/env bash
# Stop 31 (lvl), issue #14: the 2-D seeding of the co-clustering's blocks on coordinates gathered by axis (k-means++,
# Lloyd distances and weighted centres vectorised) — the same bits. Interleaved A/B of the 1M 8 Gaussians → moons solve,
# both costs: BEFORE (the base harness, e.g. main at f9a1cce built in a temporary worktree) and this build, alternating,
# ROUNDS times each (default 2). Prints one row per run: wall, CPU-s (user + sys), peak RSS, the cost (must be the same
# bits in every row of a cost), and the process CPU of the rank choice and levels 1, 2, 3 (stage boundaries, profile=1).
# Usage: BEFORE=path/to/old/hiref bench/quiet/lvl31.sh [sqeuclidean|euclidean|both]
# Estimated run time on a quiet 2-core machine: ≈ 30–35 s per solve, 8 solves for both (≈ 5 min).
# Assumes `dotnet build -c Release bench/compare/hiref`; run from the repository root.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
hiref_harness
: "${BEFORE:?set BEFORE to the hiref harness of the old commit}"
ROUNDS=${ROUNDS:-2}
which=${1:-both}
uptime
echo "| cost | build | wall s | CPU s (user+sys) | peak RSS | cost value | choice CPU-s | level 1 | level 2 | level 3 |"
echo "|---|---|---|---|---|---|---|---|---|---|"
row() { # harness, cost, bound, label
  local exe=$1 cost=$2 bound=$3 label=$4 out
  out=$( { timeout 900 /usr/bin/time -f "TIME %e %U %S %M" "$exe" tune eight-gaussians-moons 2 "$cost" 1048576 lb="$bound" profile=1; } 2>&1 ) \
    || { echo "| $cost | $label | failed |"; return 0; }
  awk -v cost="$cost" -v label="$label" '
    function cpu(line) { match(line, /process CPU [0-9.]+/); return substr(line, RSTART + 12, RLENGTH - 12) }
    /^TIME/ { wall = $2; total = $3 + $4; rss = $5 }
    /\] first rank \(/ { first = cpu($0) }
    /\] level 1 \(/ && !l1 { l1 = cpu($0) }
    /\] level 2 \(/ { l2 = cpu($0) }
    /\] level 3 \(/ { l3 = cpu($0) }
    /\] leaves \(/ { lv = cpu($0) }
    /^json:/ { match($0, /"cost":[0-9.]+/); value = substr($0, RSTART + 7, RLENGTH - 7) }
    END { printf "| %s | %s | %.1f | %.1f | %.2f GB | %s | %.1f | %.1f | %.1f | %.1f |\n", cost, label, wall, total, rss / 1e6, value, l1 - first, l2 - l1, l3 - l2, lv - l3 }
  ' <<< "$out"
}
for cost in sqeuclidean euclidean; do
  [[ $which == both || $which == "$cost" ]] || continue
  bound=7.120932; [[ $cost == euclidean ]] && bound=2.440467
  for ((k = 0; k < ROUNDS; k++)); do
    row "$BEFORE" "$cost" "$bound" before
    row "$H" "$cost" "$bound" after
  done
done
uptime
