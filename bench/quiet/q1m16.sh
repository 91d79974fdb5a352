#!/usr/bin/env bash
# Issue #14, stop 22 (q1m16): the 16-D mixture at n = 1 048 576, squared Euclidean, through the harness: the default solve
# (now with one round of the grouped global refinement: random 65 536-pair groups, two exact global passes each) and the
# stop-21 default (`grounds=0`), gap against the stop-21 certified bound 69.120721 (the bound does not depend on the
# matching; cert16m.sh 1m recomputes it in ~1 100 CPU-s). One line per case: cost, gap, solve CPU-s, peak RSS.
# Estimate on 2 quiet cores: ~2 min (grounds=0) + ~5 min (default). Each case is stopped after 900 s (empty fields then).
# Run from the repository root after `dotnet build Monge.slnx -c Release`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
hiref_harness
uptime
for opts in "" "grounds=0"; do
  echo -n "16-D 1048576 ${opts:-default}: "
  /usr/bin/time -f "cpu_s=%U+%S peak_kb=%M" timeout 900 "$H" tune gaussian-mixture 16 sqeuclidean 1048576 lb=69.120721 $opts 2>&1 \
    | grep -o 'cost=[0-9.]*\|,gap=[0-9.]* %\|steps: .*\|"solve_cpu_s":[0-9.]*\|cpu_s=[0-9.+]*\|peak_kb=[0-9]*' | tr '\n' ' ' || true
  echo
done
uptime
