#!/usr/bin/env bash
# HiRef at d = 64 and a million points (issue #14 goal: ≤ 10 minutes): n = 1 048 576 10-cluster Gaussian mixture → another,
# 64-D, squared Euclidean, through `monge match --method hiref` from float64 .npy inputs (512 MB each), under
# /usr/bin/time -v: wall, CPU = user + sys, peak RSS, cost, per-level seconds. Estimated on a quiet 2-core machine:
# generation ~20 s, the match ~200 CPU-s (~2 min wall; docs/hiref.md "Fourth pass", from the 131 072 / 262 144 × 64
# per-level CPU), peak ~2.5 GB: about 3 minutes in all (at most 6). Needs ≥ 5 GB available memory (checked below).
# Assumes `dotnet build Monge.slnx -c Release` was run; run from the repository root.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N=${N:-1048576}
free_gb=$(free -g | awk '/^Mem:/ {print $7}')
if [ "$free_gb" -lt 5 ]; then echo "only ${free_gb} GB available; need 5" >&2; exit 1; fi
DIR=$(mktemp -d /tmp/hiref64.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
uptime
generate_pair gaussian-mixture "$N" "$DIR/x.npy" "$DIR/y.npy" --dimension 64
/usr/bin/time -v timeout 900 $MONGE match --source "$DIR/x.npy" --target "$DIR/y.npy" --method hiref --out "$DIR/p.npy" --json \
  > "$DIR/m.json" 2> "$DIR/m.err" || { echo "match failed"; tail -20 "$DIR/m.err"; exit 1; }
echo '| n × d | wall | CPU s (user+sys) | peak RSS | cost | level seconds | schedule |'
echo '|---|---|---|---|---|---|---|'
summary_row "$DIR/m.json" "$DIR/m.err" \
  '| {n} × 64 | {wall} | {cpu:.1f} | {rss_gb:.2f} GB | {cost} | [{level_seconds}] | {rank_schedule} |' n="$N"
uptime
