#!/usr/bin/env bash
# HiRef at ten million points (issue #14, hirefs): n = 10 000 000 2-D half-moon → S-curve through
# `monge match --method hiref` from float64 .npy inputs (read straight into the solver's arrays, no second copy), under
# /usr/bin/time -v: wall, CPU = user + sys, peak RSS (goal ≤ 300 s, ≤ 4 GB), cost, per-level seconds and the progress
# lines on stderr. Estimated time on a quiet 2-core machine: generation ~30 s, the match ~410-450 s wall (stop 20 quiet,
# same solver with --quality fast inside the 10M loopback: 397 s, 759.9 CPU-s, levels 131 / 98 / 22 / 16 s; the defaults add
# about one round of 32-pair slabs; stop 21 (big10m) made the leaves' cost fill, the levels' block costs and the slab
# projection cheaper or parallel, results unchanged; docs/hiref.md "10⁷ (big10m, stop 21)"): about 8 minutes in all, at
# most 12. Stop 22 (fast1m): the float co-clustering stops at a 1e-3 stall above 262 144 points (results change on
# purpose), estimated −10 to −16% of the CPU: ~335–360 s quiet (docs/hiref.md "Stop 22 (fast1m)"). Needs >= 6 GB available memory (checked below). Peak expected ~2.9 GB (level 1, 2.80-2.87 GB measured).
# Stop 23 (speed): the sampled start (levels 1 and 2: blocks of >= 524 288 points run their mirror steps on a 65 536-point
# sample, then <= 6 whole-block steps): estimated ~215-260 s quiet, not measured (docs/hiref.md "Stop 23 (speed)").
# Assumes `dotnet build Monge.slnx -c Release` was run; run from the repository root.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N=${N:-10000000}
free_gb=$(free -g | awk '/^Mem:/ {print $7}')
if [ "$free_gb" -lt 6 ]; then echo "only ${free_gb} GB available; need 6" >&2; exit 1; fi
DIR=$(mktemp -d /tmp/hirefs10m.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
uptime
generate_pair half-moon-s-curve "$N" "$DIR/x.npy" "$DIR/y.npy"
/usr/bin/time -v $MONGE match --source "$DIR/x.npy" --target "$DIR/y.npy" --method hiref --out "$DIR/p.npy" --json \
  > "$DIR/m.json" 2> "$DIR/m.err" || { echo "match failed"; tail -20 "$DIR/m.err"; exit 1; }
# The progress lines on stderr: the start and the end of every level and of the leaves.
grep -E '"completed":0,|"completed":([0-9]+),"total":\1,' "$DIR/m.err" | cut -c1-120 | head -20 || true
echo '| n | wall | CPU s (user+sys) | peak RSS | cost | level seconds | leaves s | polish s | schedule |'
echo '|---|---|---|---|---|---|---|---|---|'
summary_row "$DIR/m.json" "$DIR/m.err" \
  '| {n} | {wall} | {cpu:.1f} | {rss_gb:.2f} GB | {cost} | [{level_seconds}] | {leaf_seconds} | {polish_seconds} | {rank_schedule} |' n="$N"
uptime
