#!/usr/bin/env bash
# Issue #14, stop 24 (g16c): the 16-D mixture at n = 1 048 576, squared Euclidean, through the harness.
# 1. The whole default solve (unchanged since stop 23: groups of 131 072 pairs, two at a time). Gap against the stop-22
#    certified bound 69.074537 (cert1m; it does not depend on the matching). Stop 23 quiet: 70.076693, 1.451%,
#    567.3 CPU-s, 287.7 s wall, 2.54 GB. One line: cost, gap, solve wall and CPU seconds, peak RSS.
# 2. Groups of 262 144 (stop 24's candidate, not the default): the solve without the grouped step saved (grounds=0), then
#    the grouped step from it with groups=262144 (one group at a time: GroupedGlobalPolish.MaxConcurrentPairs), stopped
#    after the first group or two (a group took 281.6 CPU-s under load: the whole round ≈ 1 100 CPU-s). Prints each group's
#    line: the whole cost after it, its gap, its CPU-s. Under load (stop 24): group 1 of 4 took 71.289485 (3.207%) to
#    70.974389 (2.750%) for 281.6 CPU-s, peak 1.86 GB.
# Estimate on 2 quiet cores: ~5 min + ~4 min; each part is stopped after 360 / 300 s.
# Run from the repository root after `dotnet build Monge.slnx -c Release`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
hiref_harness
uptime
echo -n "16-D 1048576 default: "
/usr/bin/time -f "cpu_s=%U+%S peak_kb=%M" timeout 360 "$H" tune gaussian-mixture 16 sqeuclidean 1048576 lb=69.074537 2>&1 \
  | grep -o 'cost=[0-9.]*\|,gap=[0-9.]* %\|"solve_s":[0-9.]*\|"solve_cpu_s":[0-9.]*\|cpu_s=[0-9.+]*\|peak_kb=[0-9]*' | tr '\n' ' ' || true
echo
start=$(mktemp)
trap 'rm -f "$start"' EXIT
echo -n "16-D 1048576 grounds=0 (start of the groups): "
"$H" tune gaussian-mixture 16 sqeuclidean 1048576 lb=69.074537 grounds=0 savematch="$start" 2>&1 \
  | grep -o 'cost=[0-9.]*\|,gap=[0-9.]* %\|"solve_cpu_s":[0-9.]*' | tr '\n' ' ' || true
echo
echo "16-D 1048576 groups=262144 from it (first groups):"
timeout 300 "$H" tune gaussian-mixture 16 sqeuclidean 1048576 lb=69.074537 polishfrom="$start" groups=262144 2>&1 \
  | grep 'round 1 group' || true
uptime
