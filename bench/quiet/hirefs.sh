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
MONGE="dotnet src/Monge.Cli/bin/Release/net10.0/Monge.Cli.dll"
DIR=$(mktemp -d /tmp/hirefs-quiet.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
uptime
$MONGE generate --dataset half-moon-s-curve --n 1048576 --seed 1 --out "$DIR/x1m.npy" --target-out "$DIR/y1m.npy" > /dev/null
$MONGE generate --dataset gaussian-mixture --dimension 16 --n 262144 --seed 1 --out "$DIR/x16.npy" --target-out "$DIR/y16.npy" > /dev/null
$MONGE generate --dataset gaussian-mixture --dimension 64 --n 131072 --seed 1 --out "$DIR/x64.npy" --target-out "$DIR/y64.npy" > /dev/null

run() { # name, source, target
  local name=$1
  /usr/bin/time -v $MONGE match --source "$2" --target "$3" --method hiref --out "$DIR/$name-p.npy" --json \
    > "$DIR/$name.json" 2> "$DIR/$name.time" || { echo "$name failed"; tail -5 "$DIR/$name.time"; return; }
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
cost = find(doc, "cost")
levels = find(doc, "levels") or []
secs = " ".join(f"{l.get('seconds', 0):.1f}" for l in levels if isinstance(l, dict))
print(f"| {name} | {wall} | {float(user) + float(sys_t):.1f} | {int(rss) / 1e6:.2f} GB | {cost} | [{secs}] | {find(doc, 'rank_schedule')} |")
PY
}
echo "| case | wall | CPU s (user+sys) | peak RSS | cost | level seconds | schedule |"
echo "|---|---|---|---|---|---|---|"
run half-moon-s-curve-1m-2d "$DIR/x1m.npy" "$DIR/y1m.npy"
run gaussian-mixture-262144-16d "$DIR/x16.npy" "$DIR/y16.npy"
run gaussian-mixture-131072-64d "$DIR/x64.npy" "$DIR/y64.npy"
uptime
