#!/usr/bin/env bash
# HiRef at scale (issue #14, hirefs): n = 1 048 576 2-D, n = 262 144 16-D and n = 131 072 64-D through
# `monge match --method hiref`, each under /usr/bin/time -v (wall, CPU = user + sys, peak RSS), with the JSON summary's
# cost and per-level seconds (the 64-D levels give the estimate for d = 64 at 1M: see docs/hiref.md, "Scale table").
# Stop 18 (docs/hiref.md, "Fourth pass"): the scratch pool is trimmed between levels (level 1's buffers dropped and
# collected before level 2); results are bit-identical, so compare the 1M row with stop 17's quiet 25.6 s wall,
# 47.1 CPU-s, 0.51 GB, cost 4.170676 (the peak RSS may fall a little: level 1's scratch is no longer held through level 3).
# Estimated time on a quiet 2-core machine (from stop 17's quiet run): data generation ~15 s, 1M 2-D ~47 CPU-s (~26 s
# wall), 262 144 16-D ~170 CPU-s (~94 s wall, global refinement included), 131 072 64-D ~75 CPU-s (~45 s wall): about
# 3 minutes (at most 4).
# Assumes `dotnet build Monge.slnx -c Release` was run; run from the repository root.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DIR=$(mktemp -d /tmp/hirefs-quiet.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
uptime
generate_pair half-moon-s-curve 1048576 "$DIR/x1m.npy" "$DIR/y1m.npy"
generate_pair gaussian-mixture 262144 "$DIR/x16.npy" "$DIR/y16.npy" --dimension 16
generate_pair gaussian-mixture 131072 "$DIR/x64.npy" "$DIR/y64.npy" --dimension 64

run() { # name, source, target
  local name=$1
  timed_match "$DIR/$name" "$2" "$3" || return 0
  summary_row "$DIR/$name.json" "$DIR/$name.time" \
    '| {name} | {wall} | {cpu:.1f} | {rss_gb:.2f} GB | {cost} | [{level_seconds}] | {rank_schedule} |' name="$name"
}
echo "| case | wall | CPU s (user+sys) | peak RSS | cost | level seconds | schedule |"
echo "|---|---|---|---|---|---|---|"
run half-moon-s-curve-1m-2d "$DIR/x1m.npy" "$DIR/y1m.npy"
run gaussian-mixture-262144-16d "$DIR/x16.npy" "$DIR/y16.npy"
run gaussian-mixture-131072-64d "$DIR/x64.npy" "$DIR/y64.npy"
uptime
