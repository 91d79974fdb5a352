#!/usr/bin/env bash
# HiRef at ten million points (issue #14, hirefs): n = 10 000 000 2-D half-moon → S-curve through
# `monge match --method hiref` from float64 .npy inputs (read straight into the solver's arrays, no second copy), under
# /usr/bin/time -v: wall, CPU = user + sys, peak RSS (goal ≤ 300 s, ≤ 4 GB), cost, per-level seconds and the progress
# lines on stderr. Estimated time on a quiet 2-core machine: generation ~30 s, the match ~990 CPU-s (stop 19,
# measured under load through the CLI at schedule [11, 14, 16, 16]: levels 296 / 319 / 68 / 39 CPU-s, leaves ~265
# projected; docs/hiref.md, "Fifth pass"), ~9 minutes wall (stop 19 quiet: 8:49, 1 025.8 CPU-s); stop 20 (cocl)
# warm-starts the float projections (levels 1-2 are large float blocks): estimated ~900 CPU-s, ~8 minutes wall
# (docs/hiref.md, "Sixth pass"): about 10 minutes in all (at most 13). Needs ≥ 6 GB available memory (checked below). Peak expected ~2.9 GB (level 1, measured
# 2.87 GB under load with the same .npy inputs).
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
echo '| n | wall | CPU s (user+sys) | peak RSS | cost | level seconds | schedule |'
echo '|---|---|---|---|---|---|---|'
summary_row "$DIR/m.json" "$DIR/m.err" \
  '| {n} | {wall} | {cpu:.1f} | {rss_gb:.2f} GB | {cost} | [{level_seconds}] | {rank_schedule} |' n="$N"
uptime
