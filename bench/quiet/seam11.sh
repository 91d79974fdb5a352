#!/usr/bin/env bash
# Issue 11, "SIMD width twins folded": the width-generic soft-min kernel and FastExp, old (the commit before any fold,
# 93cb0d0: hand-written Vector256/Vector512 copies) vs new (this tree: FastExp and both soft-min passes one generic body
# each, the passes inlined into per-width entry points), side by side, interleaved old/new/old/new so background load
# hits both alike. Cases (SimdWidthBenchmarks): the fused soft-min (n = m = 4096, d = 3) forced to 256- and 512-bit
# vectors, and 2^x over 4096 values at both widths, float and double. Then the load-independent check: the JIT's
# machine code of the eight soft-min pass methods (Max/Sum x 256/512 x float/double), old vs new, as the number of
# instruction lines that differ (comments and labels stripped). Estimate on a quiet 2-core machine: old bench build
# ≈ 60 s (once), then 4 runs of 8 BenchmarkDotNet cases (in-process, 3 warm-up + 9 iterations of 200 ms) ≈ 25 s per
# run, then 4 short disassembly runs ≈ 5 s each; total ≈ 3 min 20 s. Assumes `dotnet build Monge.slnx -c Release` was
# done here. Prints one Markdown table (the minimum time per operation of each run, and new / old of the better run of
# each), the machine-code comparison and `uptime`.
#
#   bench/quiet/seam11.sh            (OLD=/path uses an existing old checkout instead of /tmp/seam11-old)
set -euo pipefail
root=$(pwd)
base=${SEAM11_BASE:-93cb0d0}
old=${OLD:-/tmp/seam11-old}
if [ ! -d "$old" ]; then git worktree add --detach "$old" "$base" >/dev/null; fi
# The benchmark class uses only members both versions have; build it against the old library too.
mkdir -p "$old/bench/Monge.Benchmarks/Numerics"
cp bench/Monge.Benchmarks/Numerics/SimdWidthBenchmarks.cs "$old/bench/Monge.Benchmarks/Numerics/"
(cd "$old" && dotnet build bench/Monge.Benchmarks -c Release -v q -nologo >/dev/null)

out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
run() { # label dir
  (cd "$2" && dotnet bench/Monge.Benchmarks/bin/Release/net10.0/Monge.Benchmarks.dll \
      --filter '*SimdWidthBenchmarks*' --job short --iterationCount 9 --iterationTime 200 --inProcess \
      --artifacts "$out/$1" >/dev/null 2>&1)
}
uptime
run old1 "$old"; run new1 "$root"; run old2 "$old"; run new2 "$root"
python3 - "$out" <<'PY'
import csv, glob, os, re, sys
out = sys.argv[1]
def us(s):
    v, unit = s.replace(',', '').split()
    return float(v) * {'ns': 1e-3, 'μs': 1, 'us': 1, 'ms': 1e3, 's': 1e6}[unit]
res = {}
for run in ('old1', 'new1', 'old2', 'new2'):
    for f in glob.glob(os.path.join(out, run, 'results', '*-report.csv')):
        t = 'float' if '_Single_' in f else 'double'
        for row in csv.DictReader(open(f, encoding='utf-8')):
            res.setdefault((row['Method'], t), {})[run] = us(row['Min'])
print('| case | T | old run 1 (min) | new run 1 (min) | old run 2 (min) | new run 2 (min) | new / old (better run of each) |')
print('|---|---|---|---|---|---|---|')
for (m, t), r in sorted(res.items()):
    cells = ' | '.join(f"{r[k] / 1000:.3f} ms" if k in r and r[k] >= 100 else (f"{r[k]:.3f} µs" if k in r else '—') for k in ('old1', 'new1', 'old2', 'new2'))
    o = min(r.get('old1', float('inf')), r.get('old2', float('inf')))
    n = min(r.get('new1', float('inf')), r.get('new2', float('inf')))
    print(f"| {m} | {t} | {cells} | {n / o:.2f} |")
PY
echo
echo "Machine code of the soft-min passes, old vs new: bytes of code and vector moves to/from the stack (spills) per method"
dis() { # dir out [env]
  (cd "$1" && env ${3:-} DOTNET_JitDisasm='*Passes*:Sum *Passes*:Max' DOTNET_JitStdOutFile="$2" \
      dotnet bench/Monge.Benchmarks/bin/Release/net10.0/Monge.Benchmarks.dll softmin-ab 600 3 1 >/dev/null 2>&1)
}
summary() { # listing -> "method bytes spills" per method
  awk '/; Assembly listing for method/{name=$6; sub(/\(.*/, "", name); sub(/.*SquaredEuclideanSoftMin\+/, "", name); spills=0}
       /vmov(ups|aps|dqu).*\[(rsp|rbp)/{spills++}
       /; Total bytes of code/{print name, $NF, spills}' "$1"
}
for width in 512 256; do
  e=""; [ "$width" = 256 ] && e="DOTNET_PreferredVectorBitWidth=256"
  dis "$old" "$out/old$width.txt" "$e"; dis "$root" "$out/new$width.txt" "$e"
  echo "  ${width}-bit run (method: old bytes/spills -> new bytes/spills):"
  join <(summary "$out/old$width.txt" | sort) <(summary "$out/new$width.txt" | sort) | awk '{printf "    %s: %s/%s -> %s/%s\n", $1, $2, $3, $4, $5}'
done
uptime
