#!/usr/bin/env bash
# Issue #14, stop 23 (g16): the 16-D mixture at n = 1 048 576, squared Euclidean, through the harness, the whole default
# solve: the grouped global refinement with groups of 131 072 pairs (stop-23 default; the groups of a round run two at a
# time on 2 cores) and with the stop-22 groups of 65 536 (`groups=65536`, now also two at a time). Gap against the
# stop-22 certified bound 69.074537 (cert1m; it does not depend on the matching). Stop 22 quiet: 70.150531, 1.558%,
# 485.1 CPU-s, ≈ 344 s wall. One line per case: cost, gap, solve wall and CPU seconds, peak RSS. Estimate on 2 quiet
# cores: ~5–6 min per case; each is stopped after 420 s (then its fields are empty: report the timeout).
# Run from the repository root after `dotnet build Monge.slnx -c Release`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
hiref_harness
uptime
for opts in "" "groups=65536"; do
  echo -n "16-D 1048576 ${opts:-default}: "
  /usr/bin/time -f "cpu_s=%U+%S peak_kb=%M" timeout 420 "$H" tune gaussian-mixture 16 sqeuclidean 1048576 lb=69.074537 $opts 2>&1 \
    | grep -o 'cost=[0-9.]*\|,gap=[0-9.]* %\|"solve_s":[0-9.]*\|"solve_cpu_s":[0-9.]*\|cpu_s=[0-9.+]*\|peak_kb=[0-9]*' | tr '\n' ' ' || true
  echo
done
uptime
