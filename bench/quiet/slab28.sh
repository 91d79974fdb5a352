#!/usr/bin/env bash
# Stop 28 (slab8g), issue #14: the huge slab rounds (32 pairs per slab) of the 1 048 576-point 2-D solves, each slab's
# exact assignment started from the current pairing (default, `LinearAssignment.SolveFromIdentity`: two dual
# passes, then augmenting paths for the rows not tight) against every slab solved cold (slabwarm=0, stop 27's
# solve). Two rows (8 Gaussians → moons and half-moon → S-curve, squared, data seed 1), both variants, profile=1.
# Prints one row per run: wall and CPU seconds (user + sys), peak RSS, cost (the same bits in both variants: the slab
# optimum is the same), the CPU of the slab rounds (process CPU at the stage after the last slab round minus at
# "slab 1"), the rounds, and the last round's warm-start counters (slabs solved warm / certified without a path / rows re-inserted).
# Estimated run time on a quiet 2-core machine: ~4 minutes (4 solves of 35–50 s).
# Assumes `dotnet build Monge.slnx -c Release` and `dotnet build -c Release bench/compare/hiref`; run from the repository root.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
uptime
hiref_harness
echo "| case | variant | wall s | CPU s (user+sys) | peak RSS | cost | slab rounds CPU-s | rounds | warm solves / certified / paths |"
echo "|---|---|---|---|---|---|---|---|---|"
row() { # dataset, bound, label, options...
  local data=$1 bound=$2 label=$3 out
  shift 3
  out=$( { timeout 600 /usr/bin/time -f "TIME %e %U %S %M" "$H" tune "$data" 2 sqeuclidean 1048576 lb="$bound" profile=1 "$@"; } 2>&1 ) \
    || { echo "| $data | $label | failed |"; return 0; }
  awk -v data="$data" -v label="$label" '
    /^TIME/ { wall = $2; cpu = $3 + $4; rss = $5 }
    /\] slab [0-9]+ \(/ { match($0, /process CPU [0-9.]+/); c = substr($0, RSTART + 12, RLENGTH - 12); if (!rounds) slab1 = c; rounds++; last = c; inslab = 1; next }
    /\] [a-z]/ && inslab && !after { match($0, /process CPU [0-9.]+/); if (RLENGTH > 0) { after = substr($0, RSTART + 12, RLENGTH - 12) } }
    /warm_solves=/ { match($0, /warm_solves=[0-9]+ warm_certified=[0-9]+ warm_paths=[0-9]+/); warm = substr($0, RSTART, RLENGTH) }
    /"process_cpu_s"/ { match($0, /"process_cpu_s":[0-9.]+/); solve = substr($0, RSTART + 16, RLENGTH - 16); match($0, /"cost":[0-9.]+/); cost = substr($0, RSTART + 7, RLENGTH - 7) }
    END { if (!after) after = solve; printf "| %s | %s | %.1f | %.1f | %.2f GB | %s | %.1f | %d | %s |\n", data, label, wall, cpu, rss / 1e6, cost, after - slab1, rounds, warm }
  ' <<< "$out"
}
for variant in "default" "slabwarm=0"; do
  opts=(); [[ $variant == default ]] || opts=("$variant")
  row eight-gaussians-moons 7.119330 "$variant" "${opts[@]}"
  row half-moon-s-curve 4.148411 "$variant" "${opts[@]}"
done
uptime
