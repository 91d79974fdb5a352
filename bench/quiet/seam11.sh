#!/usr/bin/env bash
# Issue 11, "LinearAssignment phase state typed": the Jonker–Volgenant core, old (8e40182: every phase took rowsol,
# colsol, v, free, scratch, ... as separate spans) vs new (this tree: one JvState ref struct, copied to locals at the
# top of each phase), side by side, interleaved old/new/old/new so background load hits both alike. Cases
# (LinearAssignmentStateBenchmarks): n = 1000 and 4000, uniform points in the unit square, squared Euclidean, float,
# double (default route: float solve + double repair) and double only. Answers are identical by construction (same
# arithmetic in the same order; the LinearAssignment tests check them against brute force and SciPy fixtures).
# Estimate on a quiet 2-core machine: old bench build ≈ 60 s (once), then 4 BenchmarkDotNet runs of 6 cases
# (in-process, 1 warm-up + 5 iterations; n = 4000 ≈ 0.3–1 s per solve) ≈ 35 s per run; total ≈ 3 min 30 s.
# Assumes `dotnet build Monge.slnx -c Release` was done here. Prints one Markdown table (the minimum time of each run,
# and new / old of the better run of each) and `uptime` before and after.
#
#   bench/quiet/seam11.sh            (OLD=/path uses an existing old checkout instead of /tmp/seam11-lapold)
set -euo pipefail
root=$(pwd)
base=${SEAM11_BASE:-8e40182}
old=${OLD:-/tmp/seam11-lapold}
if [ ! -d "$old" ]; then git worktree add --detach "$old" "$base" >/dev/null; fi
# The benchmark class uses only members both versions have; build it against the old library too.
cp bench/Monge.Benchmarks/LinearAssignmentStateBenchmarks.cs "$old/bench/Monge.Benchmarks/"
(cd "$old" && dotnet build bench/Monge.Benchmarks -c Release -v q -nologo >/dev/null)

out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
run() { # label dir
  (cd "$2" && dotnet bench/Monge.Benchmarks/bin/Release/net10.0/Monge.Benchmarks.dll \
      --filter '*LinearAssignmentStateBenchmarks*' --warmupCount 1 --iterationCount 5 --inProcess \
      --artifacts "$out/$1" >/dev/null 2>&1)
}
uptime
run old1 "$old"; run new1 "$root"; run old2 "$old"; run new2 "$root"
python3 - "$out" <<'PY'
import csv, glob, os, sys
out = sys.argv[1]
def ms(s):
    v, unit = s.replace(',', '').split()
    return float(v) * {'ns': 1e-6, 'μs': 1e-3, 'us': 1e-3, 'ms': 1, 's': 1e3}[unit]
res = {}
for run in ('old1', 'new1', 'old2', 'new2'):
    for f in glob.glob(os.path.join(out, run, 'results', '*-report.csv')):
        for row in csv.DictReader(open(f, encoding='utf-8')):
            res.setdefault((row['Method'], int(row['N'])), {})[run] = ms(row['Min'])
print('| case | n | old run 1 (min) | new run 1 (min) | old run 2 (min) | new run 2 (min) | new / old (better run of each) |')
print('|---|---|---|---|---|---|---|')
for (m, n), r in sorted(res.items(), key=lambda kv: (kv[0][1], kv[0][0])):
    cells = ' | '.join(f"{r[k]:.1f} ms" if k in r else '—' for k in ('old1', 'new1', 'old2', 'new2'))
    o = min(r.get('old1', float('inf')), r.get('old2', float('inf')))
    w = min(r.get('new1', float('inf')), r.get('new2', float('inf')))
    print(f"| {m} | {n} | {cells} | {w / o:.3f} |")
PY
uptime
