#!/usr/bin/env bash
# Stop 29 (euclfac), issue #14: the Euclidean 1M solve outside the mirror steps. Bit-for-bit changes: the Nyström
# factor rows of a block (2·m·k landmark costs, m·k² multiply-adds) over fixed chunks of 4 096 rows on the block's
# workers (level 1's one block of 1 048 576 was serial), the Euclidean landmark costs as a row of squared sums and one
# vectorised square root, the B = c(L, Y)ᵀW⁺ᵀ product over whole rows; the seeding's 2-D distance rows without a call
# per centre. The costs must equal the commit before this stop bit for bit (8 Gaussians → moons 2.452390…, MAF moons →
# rings 4.576689…).
# Prints: (1) one markdown row per 2-D Euclidean 1M row with the default (tune_1m_row: wall, CPU-s = user + sys, peak
# RSS, schedule, cost, gap to the stop-24 bound); (2) for 8 Gaussians → moons with profile=1, the wall and process CPU at
# each stage boundary (level 1's start = from "level 1" to its first "level 1 steps" line: factors, k-means++, Lloyd
# steps) and the level-1/2/3 Factors and Seeding thread-seconds. With BEFORE=path/to/an/older/hiref, (2) is also run with
# that harness (e.g. one built from commit 5cbd846 in a temporary worktree) for the comparison.
# Estimated run time on a quiet 2-core machine: ~5 minutes (4 solves of 35–75 s, one more with profile=1; +1.2 min with BEFORE).
# Assumes `dotnet build Monge.slnx -c Release` and `dotnet build -c Release bench/compare/hiref`; run from the repository root.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
TUNE_TIMEOUT=900
uptime
tune_1m_header
row() { tune_1m_row euclidean "$@"; }  # dataset, bound, label, extra options...
row eight-gaussians-moons 2.440467 "default"
row maf-moons-rings 4.574378 "default"
row half-moon-s-curve 1.989728 "default"
row checkerboard 4.591281 "default"
stages() { # harness: stage boundaries and the levels' factor/seeding thread-seconds of one profiled 8 Gaussians run
  local out
  out=$("$1" tune eight-gaussians-moons 2 euclidean 1048576 lb=2.440467 profile=1 2>&1 >/dev/null)
  grep -v 'level 1 steps' <<< "$out" | grep -o '^  \[[0-9.]* s\] [^(]*\|process CPU [0-9.]* s' | paste -sd' ' | sed 's/process CPU/CPU/g'
  echo "first mirror step of level 1: $(grep -m1 'level 1 steps' <<< "$out" | grep -o '^  \[[0-9.]* s\]\|process CPU [0-9.]* s' | paste -sd' ')"
  grep -o '^  profile of level [123]: Factors=[0-9.]*s Seeding=[0-9.]*s' <<< "$out"
}
echo
echo "8 Gaussians → moons, stage boundaries (wall s, stage, process CPU s):"
echo "this tree: $(stages bench/compare/hiref/bin/Release/net10.0/hiref)"
if [ -n "${BEFORE:-}" ]; then
  echo "BEFORE:    $(stages "$BEFORE")"
fi
uptime
