#!/usr/bin/env bash
# Stop 27 (spdleaf), issue #14: the leaves and slab rounds of the 1 048 576-point 2-D solve. Runs three 1M rows
# (8 Gaussians → moons squared and Euclidean, half-moon → S-curve squared) in three variants, each with profile=1: the
# default (since stop 27 the leaves of 256 go through the assignment solver's float32 route with an exact float64
# repair), leafmixed=512 (stop 26's leaves of 256 in double) and leafwarm=0 (no multiscale warm start in the leaves' and
# slabs' assignments). Prints one row per run: wall and CPU seconds (user + sys), peak RSS, cost (the same bits in every
# variant of a row: each leaf's optimum is unique on these continuous data), the CPU of the leaves stage (process CPU at
# "slab 1" minus at "leaves"), of the slab rounds (process CPU at the end minus at "slab 1") and the number of rounds.
# Estimated run time on a quiet 2-core machine: ~8 minutes (9 solves of 35–55 s).
# Assumes `dotnet build Monge.slnx -c Release` and `dotnet build -c Release bench/compare/hiref`; run from the repository root.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
uptime
hiref_harness
echo "| case | variant | wall s | CPU s (user+sys) | peak RSS | cost | leaves CPU-s | slab rounds CPU-s | rounds |"
echo "|---|---|---|---|---|---|---|---|---|"
row() { # dataset, cost, bound, label, options...
  local data=$1 cost_name=$2 bound=$3 label=$4 out
  shift 4
  out=$( { timeout 600 /usr/bin/time -f "TIME %e %U %S %M" "$H" tune "$data" 2 "$cost_name" 1048576 lb="$bound" profile=1 "$@"; } 2>&1 ) \
    || { echo "| $data $cost_name | $label | failed |"; return 0; }
  awk -v data="$data $cost_name" -v label="$label" '
    /^TIME/ { wall = $2; cpu = $3 + $4; rss = $5 }
    /\] leaves \(/ { match($0, /process CPU [0-9.]+/); leaves = substr($0, RSTART + 12, RLENGTH - 12) }
    /\] slab 1 \(/ { match($0, /process CPU [0-9.]+/); slab1 = substr($0, RSTART + 12, RLENGTH - 12) }
    /\] slab [0-9]+ \(/ { rounds++ }
    /"process_cpu_s"/ { match($0, /"process_cpu_s":[0-9.]+/); solve = substr($0, RSTART + 16, RLENGTH - 16); match($0, /"cost":[0-9.]+/); cost = substr($0, RSTART + 7, RLENGTH - 7) }
    END { printf "| %s | %s | %.1f | %.1f | %.2f GB | %s | %.1f | %.1f | %d |\n", data, label, wall, cpu, rss / 1e6, cost, slab1 - leaves, solve - slab1, rounds }
  ' <<< "$out"
}
for variant in "default" "leafmixed=512" "leafwarm=0"; do
  opts=(); [[ $variant == default ]] || opts=("$variant")
  row eight-gaussians-moons sqeuclidean 7.119330 "$variant" "${opts[@]}"
  row half-moon-s-curve sqeuclidean 4.148411 "$variant" "${opts[@]}"
  row eight-gaussians-moons euclidean 2.440467 "$variant" "${opts[@]}"
done
uptime
