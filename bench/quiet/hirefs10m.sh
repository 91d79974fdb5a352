#!/usr/bin/env bash
# HiRef at ten million points (issue #14, hirefs): n = 10 000 000 2-D half-moon → S-curve through
# `monge match --method hiref` from float64 .npy inputs (read straight into the solver's arrays, no second copy), under
# /usr/bin/time -v: wall, CPU = user + sys, peak RSS (goal ≤ 300 s, ≤ 4 GB), cost, per-level seconds and the progress
# lines on stderr. Estimated time on a quiet 2-core machine: generation ~30 s, the match ~410-450 s wall (stop 20 quiet,
# same solver with --quality fast inside the 10M loopback: 397 s, 759.9 CPU-s, levels 131 / 98 / 22 / 16 s; the defaults add
# about one round of 32-pair slabs; stop 21 (big10m) made the leaves' cost fill, the levels' block costs and the slab
# projection cheaper or parallel, results unchanged; docs/hiref.md "10⁷ (big10m, stop 21)"): about 8 minutes in all, at
# most 12. Needs >= 6 GB available memory (checked below). Peak expected ~2.9 GB (level 1, 2.80-2.87 GB measured).
# Assumes `dotnet build Monge.slnx -c Release` was run; run from the repository root.
set -euo pipefail
MONGE="dotnet src/Monge.Cli/bin/Release/net10.0/Monge.Cli.dll"
N=${N:-10000000}
free_gb=$(free -g | awk '/^Mem:/ {print $7}')
if [ "$free_gb" -lt 6 ]; then echo "only ${free_gb} GB available; need 6" >&2; exit 1; fi
DIR=$(mktemp -d /tmp/hirefs10m.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
uptime
$MONGE generate --dataset half-moon-s-curve --n "$N" --seed 1 --out "$DIR/x.npy" --target-out "$DIR/y.npy" > /dev/null
/usr/bin/time -v $MONGE match --source "$DIR/x.npy" --target "$DIR/y.npy" --method hiref --out "$DIR/p.npy" --json \
  > "$DIR/m.json" 2> "$DIR/m.err" || { echo "match failed"; tail -20 "$DIR/m.err"; exit 1; }
# The progress lines on stderr: the start and the end of every level and of the leaves.
grep -E '"completed":0,|"completed":([0-9]+),"total":\1,' "$DIR/m.err" | cut -c1-120 | head -20 || true
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
leaf = find(doc, "leaf_seconds") or 0.0
polish = find(doc, "polish_seconds") or 0.0
print("| n | wall | CPU s (user+sys) | peak RSS | cost | level seconds | leaves s | polish s | schedule |")
print("|---|---|---|---|---|---|---|---|---|")
print(f"| {n} | {field('Elapsed (wall clock) time (h:mm:ss or m:ss)')} | {cpu:.1f} | {rss:.2f} GB | {find(doc, 'cost')} | [{secs}] | {leaf:.1f} | {polish:.1f} | {find(doc, 'rank_schedule')} |")
PY
uptime
