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
# Estimated time on a quiet 2-core machine: data ~20 s, four solves of ~25–35 s, two certificates of ~25 s: ~4 minutes.
# Assumes `dotnet build Monge.slnx -c Release` was run; run from the repository root.
set -euo pipefail
MONGE="dotnet src/Monge.Cli/bin/Release/net10.0/Monge.Cli.dll"
DIR=$(mktemp -d /tmp/hiref1m-quiet.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
uptime
$MONGE generate --dataset eight-gaussians-moons --n 1048576 --seed 1 --out "$DIR/g8x.npy" --target-out "$DIR/g8y.npy" > /dev/null
$MONGE generate --dataset half-moon-s-curve --n 1048576 --seed 1 --out "$DIR/hmx.npy" --target-out "$DIR/hmy.npy" > /dev/null

run() { # name, source, target, extra options...
  local name=$1 x=$2 y=$3
  shift 3
  /usr/bin/time -v $MONGE match --source "$x" --target "$y" --method hiref --out "$DIR/$name-p.npy" --json "$@" \
    > "$DIR/$name.json" 2> "$DIR/$name.time" || { echo "$name failed"; tail -5 "$DIR/$name.time"; return 0; }
  local wall user sys rss
  wall=$(grep "Elapsed (wall clock)" "$DIR/$name.time" | awk '{print $NF}')
  user=$(grep "User time" "$DIR/$name.time" | awk '{print $NF}')
  sys=$(grep "System time" "$DIR/$name.time" | awk '{print $NF}')
  rss=$(grep "Maximum resident" "$DIR/$name.time" | awk '{print $NF}')
  /usr/bin/python3 - "$DIR/$name.json" "$name" "$wall" "$user" "$sys" "$rss" <<'PY'
import json, sys
path, name, wall, user, sys_t, rss = sys.argv[1:]
text = open(path).read()
start = text.find("{")
doc = json.loads(text[start:]) if start >= 0 else {}
def find(d, key):
    if isinstance(d, dict):
        if key in d: return d[key]
        for v in d.values():
            r = find(v, key)
            if r is not None: return r
    return None
print(f"| {name} | {wall} | {float(user) + float(sys_t):.1f} | {int(rss) / 1e6:.2f} GB | {find(doc, 'cost')} | "
      f"{find(doc, 'gap')} | {find(doc, 'certify_seconds')} |")
PY
}
echo "| case | wall | CPU s (user+sys, certificate included) | peak RSS | cost | certified gap | certify s |"
echo "|---|---|---|---|---|---|---|"
run g8-1m-fast "$DIR/g8x.npy" "$DIR/g8y.npy" --quality fast --certify
run g8-1m-default "$DIR/g8x.npy" "$DIR/g8y.npy" --certify
run hm-1m-fast "$DIR/hmx.npy" "$DIR/hmy.npy" --quality fast
run hm-1m-default "$DIR/hmx.npy" "$DIR/hmy.npy"
uptime
