#!/usr/bin/env bash
# HiRef at a million points with the small-slab rounds (issue #14, stop 19, hiref1m): n = 1 048 576 2-D, squared
# Euclidean, through `monge match --method hiref`, each under /usr/bin/time -v (wall, CPU = user + sys, peak RSS), with the
# JSON summary's cost and, with --certify, the certified gap. Rows, in order:
#   8 Gaussians → moons, --quality fast (the levels and leaves alone: the balanced default before stop 19) --certify
#   8 Gaussians → moons, default (balanced: + up to 8 slab rounds of 32 pairs)                     --certify
#   half-moon → S-curve, --quality fast, then default (the time the rounds add where the levels are already close)
# Goals (docs/hiref.md, "Stop 19"): 8 Gaussians certified ≤ 1% and the solve ≤ 30 s wall / ~55 CPU-s, ≤ 1 GB; half-moon
# default within a few percent of fast in CPU-s. Stop-18 quiet reference: half-moon 25.65 s wall, 47.7 CPU-s, 0.41 GB.
# Stop 20 (cocl): the float co-clustering's projections start from the previous step's column scalings (every block at
# 1M is float): fewer sweeps and lower costs than stop 19's quiet run (8 Gaussians default: cost 7.172597, 0.748%);
# compare the four rows with docs/benchmarks.md "Quiet-machine measurements after the stop-19 merge".
# Stop 22 (fast1m): above 262 144 points the float co-clustering stops at a 1e-3 stall (SinglePrecisionLargeStallTolerance):
# under load −26% CPU on 8 Gaussians (certified 0.742% against 0.727%), half-moon +0.006% cost; bench/quiet/fast1m.sh
# compares both tolerances. Stop 23 (speed): the level-1 block's mirror steps run on a 65 536-point sample and are carried
# to the block (SampledStartPoints, default): under load 8 Gaussians default 77.6 → 56.0 CPU-s, 0.742% → 0.655% certified;
# bench/quiet/speed23.sh compares with and without it. Estimated time on a quiet 2-core machine: data ~20 s, four solves of ~25–35 s, two certificates of ~25 s: ~4 minutes.
# Assumes `dotnet build Monge.slnx -c Release` was run; run from the repository root.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DIR=$(mktemp -d /tmp/hiref1m-quiet.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
uptime
generate_pair eight-gaussians-moons 1048576 "$DIR/g8x.npy" "$DIR/g8y.npy"
generate_pair half-moon-s-curve 1048576 "$DIR/hmx.npy" "$DIR/hmy.npy"

run() { # name, source, target, extra options...
  local name=$1
  timed_match "$DIR/$name" "${@:2}" || return 0
  summary_row "$DIR/$name.json" "$DIR/$name.time" \
    '| {name} | {wall} | {cpu:.1f} | {rss_gb:.2f} GB | {cost} | {gap} | {certify_seconds} |' name="$name"
}
echo "| case | wall | CPU s (user+sys, certificate included) | peak RSS | cost | certified gap | certify s |"
echo "|---|---|---|---|---|---|---|"
run g8-1m-fast "$DIR/g8x.npy" "$DIR/g8y.npy" --quality fast --certify
run g8-1m-default "$DIR/g8x.npy" "$DIR/g8y.npy" --certify
run hm-1m-fast "$DIR/hmx.npy" "$DIR/hmy.npy" --quality fast
run hm-1m-default "$DIR/hmx.npy" "$DIR/hmy.npy"
uptime
