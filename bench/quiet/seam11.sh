#!/usr/bin/env bash
# Issue 11, "SIMD width twins folded": the width-generic soft-min kernel and FastExp, old (the commit before the fold,
# 93cb0d0) vs new (this tree), side by side. Estimate on a quiet 2-core machine: old bench build ≈ 60 s, then per build
# 10 BenchmarkDotNet cases (in-process, short job) ≈ 5 s each ≈ 50 s, twice (old, new) plus one more new run ≈ 150 s;
# total ≈ 3.5 min. Assumes `dotnet build Monge.slnx -c Release` was done here. Prints one Markdown table and `uptime`.
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

run() { # label dir
  (cd "$2" && dotnet bench/Monge.Benchmarks/bin/Release/net10.0/Monge.Benchmarks.dll \
      --filter '*SimdWidthBenchmarks*' '*SoftMinBenchmarks*SoftMinRows*' --job short --inProcess 2>&1) |
    grep -E '^\| *[A-Za-z0-9]' | grep -v -E '^\| *Method' | awk -v b="$1" -F'|' '{ printf "| %s | %s | %s |\n", b, $2 $3, $4 }' |
    sed -E 's/  +/ /g'
}

echo "| build | case | mean |"
echo "|---|---|---|"
run old "$old"
run new "$root"
run "new (repeat)" "$root"
uptime
