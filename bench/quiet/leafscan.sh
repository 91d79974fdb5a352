#!/usr/bin/env bash
# Stop 28 (leafscan), issue #14: the leaves' exact assignments. Runs the two leaf proxies — half-moon → S-curve squared at
# n = 1 036 288 = 253 · 4 096 (schedule [16, 16, 16]: 4 096 leaves of 253, like 10⁷'s 253–254) and 8 Gaussians → moons
# squared at 1 048 576 (leaves of 256) — in the variants below, each with profile=1 and the first-rank choice off (the
# choice picks [16, 16, 16] on both), and prints one row per run: wall and CPU seconds (user + sys), peak RSS, cost (the
# same bits in every variant of a row: each leaf's optimum is unique on these continuous data), the CPU of the leaves stage
# (process CPU at "slab 1" minus at "leaves") and the assignment counters of the leaves stage (rows free after the column
# reduction and after the first row reduction, warm starts, columns scanned by the augmenting paths, by the warm start's
# sub-problems and by the float route's double repair).
# Variants: default (since stop 28 the leaves' warm start recurses from 96: ExactWarmStartMinSize); leafwarmmin=128 (the
# assignment solver's own threshold, the default before). The third variant, leafshift=128 (the mean-shifted start), was
# removed at stop 29 with its option.
# Estimated run time on a quiet 2-core machine: ~6 minutes (4 solves of 40–90 s).
# Assumes `dotnet build Monge.slnx -c Release` and `dotnet build -c Release bench/compare/hiref`; run from the repository root.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
uptime
hiref_harness
echo "| case | variant | wall s | CPU s (user+sys) | peak RSS | cost | leaves CPU-s | free after CR / RR | warm starts | path scans | warm-start scans | repair scans |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
row() { # dataset, n, schedule, label, options...
  local data=$1 n=$2 schedule=$3 label=$4 out
  shift 4
  out=$( { timeout 900 /usr/bin/time -f "TIME %e %U %S %M" "$H" tune "$data" 2 sqeuclidean "$n" schedule="$schedule" firstrank=off profile=1 "$@"; } 2>&1 ) \
    || { echo "| $data $n | $label | failed |"; return 0; }
  awk -v data="$data $n" -v label="$label" '
    function field(name,   s) { if (match($0, name "=[0-9]+")) { s = substr($0, RSTART + length(name) + 1, RLENGTH - length(name) - 1); return s } return "" }
    /^TIME/ { wall = $2; cpu = $3 + $4; rss = $5 }
    /\] leaves \(/ { match($0, /process CPU [0-9.]+/); leaves = substr($0, RSTART + 12, RLENGTH - 12) }
    /\] slab 1 \(/ { match($0, /process CPU [0-9.]+/); slab1 = substr($0, RSTART + 12, RLENGTH - 12) }
    /profile of leaves:/ { rows = field("Rows"); cr = field("FreeAfterColumnReduction"); rr = field("FreeAfterRowReduction"); warm = field("WarmStarts"); scans = field("Scans"); child = field("ChildScans"); repair = field("RepairScans") }
    /"process_cpu_s"/ { match($0, /"cost":[0-9.]+/); cost = substr($0, RSTART + 7, RLENGTH - 7) }
    END { printf "| %s | %s | %.1f | %.1f | %.2f GB | %s | %.1f | %.1f%% / %.1f%% | %s | %.1fM | %.1fM | %.1fM |\n", data, label, wall, cpu, rss / 1e6, cost, slab1 - leaves, 100 * cr / rows, 100 * rr / rows, warm, scans / 1e6, child / 1e6, repair / 1e6 }
  ' <<< "$out"
}
for variant in "default" "leafwarmmin=128"; do
  opts=(); [[ $variant == default ]] || opts=($variant)
  row half-moon-s-curve 1036288 16,16,16 "$variant" "${opts[@]}"
  row eight-gaussians-moons 1048576 16,16,16 "$variant" lb=7.119330 "${opts[@]}"
done
uptime
