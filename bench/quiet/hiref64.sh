#!/usr/bin/env bash
# HiRef at d = 64 and a million points (issue #14 goal: ≤ 10 minutes): n = 1 048 576 10-cluster Gaussian mixture → another,
# 64-D, squared Euclidean, through `monge match --method hiref` from float64 .npy inputs (512 MB each), under
# /usr/bin/time -v: wall, CPU = user + sys, peak RSS, cost, per-level seconds. Estimated on a quiet 2-core machine:
# generation ~20 s, the match ~200 CPU-s (~2 min wall; docs/hiref.md "Fourth pass", from the 131 072 / 262 144 × 64
# per-level CPU), peak ~2.5 GB: about 3 minutes in all (at most 6). Needs ≥ 5 GB available memory (checked below).
# Assumes `dotnet build Monge.slnx -c Release` was run; run from the repository root.
set -euo pipefail
MONGE="dotnet src/Monge.Cli/bin/Release/net10.0/Monge.Cli.dll"
N=${N:-1048576}
free_gb=$(free -g | awk '/^Mem:/ {print $7}')
if [ "$free_gb" -lt 5 ]; then echo "only ${free_gb} GB available; need 5" >&2; exit 1; fi
DIR=$(mktemp -d /tmp/hiref64.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
uptime
$MONGE generate --dataset gaussian-mixture --dimension 64 --n "$N" --seed 1 --out "$DIR/x.npy" --target-out "$DIR/y.npy" > /dev/null
/usr/bin/time -v timeout 900 $MONGE match --source "$DIR/x.npy" --target "$DIR/y.npy" --method hiref --out "$DIR/p.npy" --json \
  > "$DIR/m.json" 2> "$DIR/m.err" || { echo "match failed"; tail -20 "$DIR/m.err"; exit 1; }
/usr/bin/python3 - "$DIR/m.json" "$DIR/m.err" "$N" <<'PY'
import json, re, sys
path, err, n = sys.argv[1:]
text = open(path).read()
doc = json.loads(text[text.find("{"):])
def find(d, key):
    if isinstance(d, dict):
        if key in d: return d[key]
        for v in d.values():
            r = find(v, key)
            if r is not None: return r
    return None
t = open(err).read()
def field(name):
    m = re.search(re.escape(name) + r".*?: (.*)", t)
    return m.group(1).strip() if m else "?"
cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
rss = int(field("Maximum resident set size (kbytes)")) / 1e6
levels = find(doc, "levels") or []
secs = " ".join(f"{l.get('seconds', 0):.1f}" for l in levels if isinstance(l, dict))
print("| n × d | wall | CPU s (user+sys) | peak RSS | cost | level seconds | schedule |")
print("|---|---|---|---|---|---|---|")
print(f"| {n} × 64 | {field('Elapsed (wall clock) time (h:mm:ss or m:ss)')} | {cpu:.1f} | {rss:.2f} GB | {find(doc, 'cost')} | [{secs}] | {find(doc, 'rank_schedule')} |")
PY
uptime
