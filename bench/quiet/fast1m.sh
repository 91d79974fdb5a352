#!/usr/bin/env bash
# Stop 22 (fast1m), issue #14: HiRef at 1 048 576 2-D points, squared Euclidean, default balanced budget, through the HiRef
# harness, one row each under /usr/bin/time. Rows:
#   8 Gaussians → moons, stop 22 defaults (SinglePrecisionLargeStallTolerance 1e-3 above 262 144 points) and the stop-21
#     defaults (stalllarge=1e-4: bit-identical to main before stop 22);
#   half-moon → S-curve, the same two.
# 8 Gaussians bound 7.119330 (certificate of the same data, stop 20): gap = cost / bound − 1 (goal ≤ 1%). Stop-21 quiet:
# 8 Gaussians default 47 s wall with its certificate (hiref1m.sh), half-moon 32.7 s, 61.5 CPU-s. Estimated run time on a quiet 2-core machine: ~3 minutes.
# Assumes `dotnet build Monge.slnx -c Release`; run from the repository root.
set -euo pipefail
HIREF=bench/compare/hiref/bin/Release/net10.0/hiref
uptime
echo "| case | variant | wall s | CPU s (user+sys) | peak RSS | cost after the leaves | cost | gap to 7.119330 (8 Gaussians) |"
echo "|---|---|---|---|---|---|---|---|"
row() { # dataset, label, extra options...
  local data=$1 label=$2
  out=$( { /usr/bin/time -f "TIME %e %U %S %M" $HIREF tune "$data" 2 sqeuclidean 1048576 "${@:3}"; } 2>&1 )
  read -r wall user sys rss <<< "$(grep '^TIME' <<< "$out" | awk '{print $2, $3, $4, $5}')"
  line=$(grep "^$data" <<< "$out")
  cost=$(grep -o 'cost=[0-9.]*' <<< "$line" | head -1 | cut -d= -f2)
  before=$(grep -o 'before_polish=[0-9.]*' <<< "$line" | cut -d= -f2)
  gap=—
  if [[ $data == eight-gaussians-moons ]]; then gap=$(grep -o ',gap=[^,]*' <<< "$line" | cut -d= -f2); fi
  echo "| $data | $label | $wall | $(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.1f", u+s}') | $(awk -v r="$rss" 'BEGIN{printf "%.2f GB", r/1e6}') | $before | $cost | $gap |"
}
row eight-gaussians-moons "stop 22 default" lb=7.119330
row eight-gaussians-moons "stop 21 default" lb=7.119330 stalllarge=1e-4
row half-moon-s-curve "stop 22 default"
row half-moon-s-curve "stop 21 default" stalllarge=1e-4
uptime
