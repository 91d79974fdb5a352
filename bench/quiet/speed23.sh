#!/usr/bin/env bash
# Stop 23 (speed), issue #14: HiRef at 1 048 576 2-D points, squared Euclidean, default balanced budget, through the HiRef
# harness, one row each under /usr/bin/time. Rows:
#   8 Gaussians → moons with the sampled start of the level-1 block (`sampled=65536`: seeding and mirror steps on a
#     stratified 65 536-point sample, carried to the block, then ≤ 6 whole-block steps) and without it (`sampled=0`: the
#     stop-22 default, bit-identical to main before stop 23 apart from the slab sort's tie order);
#   half-moon → S-curve, the same two.
# 8 Gaussians bound 7.119330 (certificate of the same data, stop 20): gap = cost / bound − 1 (goal ≤ 1%). Goal: the solve
# ≤ 30 s wall. Stop-22 quiet (hiref1m.sh): 8 Gaussians default ≈ 40.8 s, half-moon 31.27 s, 58.5 CPU-s.
# Estimated run time on a quiet 2-core machine: ~3 minutes. Assumes `dotnet build Monge.slnx -c Release`; run from the
# repository root.
set -euo pipefail
HIREF=bench/compare/hiref/bin/Release/net10.0/hiref
uptime
echo "| case | variant | wall s | CPU s (user+sys) | peak RSS | cost after the leaves | cost | gap to 7.119330 (8 Gaussians) |"
echo "|---|---|---|---|---|---|---|---|"
row() { # dataset, label, extra options...
  local data=$1 label=$2
  out=$( { timeout 600 /usr/bin/time -f "TIME %e %U %S %M" $HIREF tune "$data" 2 sqeuclidean 1048576 "${@:3}"; } 2>&1 ) || { echo "| $data | $label | failed |"; return 0; }
  read -r wall user sys rss <<< "$(grep '^TIME' <<< "$out" | awk '{print $2, $3, $4, $5}')"
  line=$(grep "^$data" <<< "$out")
  cost=$(grep -o 'cost=[0-9.]*' <<< "$line" | head -1 | cut -d= -f2)
  before=$(grep -o 'before_polish=[0-9.]*' <<< "$line" | cut -d= -f2)
  gap=—
  if [[ $data == eight-gaussians-moons ]]; then gap=$(grep -o ',gap=[^,]*' <<< "$line" | cut -d= -f2); fi
  echo "| $data | $label | $wall | $(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.1f", u+s}') | $(awk -v r="$rss" 'BEGIN{printf "%.2f GB", r/1e6}') | $before | $cost | $gap |"
}
row eight-gaussians-moons "sampled start (sampled=65536)" lb=7.119330 sampled=65536
row eight-gaussians-moons "stop 22 (sampled=0)" lb=7.119330 sampled=0
row half-moon-s-curve "sampled start (sampled=65536)" sampled=65536
row half-moon-s-curve "stop 22 (sampled=0)" sampled=0
uptime
