#!/usr/bin/env bash
# Stop 28 (lvl10m), issue #14: bit-for-bit speedups of the levels — the gradient rows F_S·M kept from the step size's
# row-range pass for the step (blocks of at most 65 536 points: levels 2–3 at 1M, level 3 at 10⁷), the final update's
# contraction over two rows, the 2-D k-means++ distance update without a call per point. Same bits by construction: the
# cost of every row must be equal before and after. Prints, per 1M 2-D squared row (8 Gaussians → moons, half-moon →
# S-curve), one markdown row for the harness of the commit before this stop (BEFORE, a built hiref; default: commit
# 38582f1's, built in a temporary worktree) and one for the checked-out tree's (bench/compare/hiref/bin/Release/net10.0/hiref),
# then the process CPU-s at each stage boundary of each run (first rank, level 1, level 2, level 3, leaves, slab rounds).
# Estimated run time on a quiet 2-core machine: ~8 minutes (8 solves of 30–50 s), plus ~3 minutes to build BEFORE.
# The 10⁷ effect: bench/quiet/hirefs10m.sh (the CLI run, ~4 quiet min) on this tree against its stop-28 leaf253 numbers.
# Assumes `dotnet build Monge.slnx -c Release` and `dotnet build -c Release bench/compare/hiref`; run from the repository root.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
AFTER=bench/compare/hiref/bin/Release/net10.0/hiref
dir=
if [ -z "${BEFORE:-}" ]; then
  dir=$(mktemp -d /tmp/lvl10m-before.XXXXXX)
  git worktree add -q --detach "$dir" 38582f1
  dotnet build -c Release "$dir/bench/compare/hiref" > /dev/null
  BEFORE=$dir/bench/compare/hiref/bin/Release/net10.0/hiref
fi
uptime
hiref_harness() { H=$HARNESS; }
stages() { # dataset, bound, harness: the stage lines (process CPU at each boundary) of one run
  "$3" tune "$1" 2 sqeuclidean 1048576 lb="$2" 2>&1 >/dev/null | grep -o '^  \[[0-9.]* s\] [^(]*\|process CPU [0-9.]* s' | paste -sd' ' | sed 's/process CPU/CPU/g'
}
tune_1m_header
for data in "eight-gaussians-moons 7.119330" "half-moon-s-curve 4.148411"; do
  read -r name bound <<< "$data"
  HARNESS=$BEFORE tune_1m_row sqeuclidean "$name" "$bound" "before (38582f1)"
  HARNESS=$AFTER tune_1m_row sqeuclidean "$name" "$bound" "after (lvl10m: kept gradient rows, two-row contraction, 2-D k-means++)"
done
echo
echo "stage boundaries (wall s, stage, process CPU s), one more run each:"
for data in "eight-gaussians-moons 7.119330" "half-moon-s-curve 4.148411"; do
  read -r name bound <<< "$data"
  echo "$name before: $(stages "$name" "$bound" "$BEFORE")"
  echo "$name after:  $(stages "$name" "$bound" "$AFTER")"
done
uptime
[ -z "$dir" ] || git worktree remove --force "$dir"
