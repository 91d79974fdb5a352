#!/usr/bin/env bash
# first21 (issue 16, stop 21 — tidy): where the library's in-process first call goes. The barycenter compare helper
# (bench/compare/barycenter) solves POT's 1-D example (dense, n = 100, reg 1e-3, weights 0.8/0.2, thr 1e-8) and the
# 64 × 64 grid (4 shapes, reg 0.004) once in a fresh process and reports the first call's CPU-s and the JIT's share
# (JitInfo, printed by the helper on stderr: compile milliseconds, wall time on the JIT's threads, and methods compiled
# during the call). Variants: the build output (JIT), the runtime
# knobs DOTNET_TieredPGO=0, DOTNET_TC_QuickJitForLoops=0, DOTNET_ReadyToRun=0 (the framework's own precompiled code off:
# what ReadyToRun saves where it applies), a ReadyToRun publish of the helper (Monge.dll, Monge.IO.dll and
# System.Numerics.Tensors.dll precompiled: what a user's `dotnet publish -r RID -p:PublishReadyToRun=true` gives the
# library), and the build output with only Monge.dll swapped for its ReadyToRun image. Five fresh processes per row,
# the minimum of each column. Estimate on a quiet 2-core machine: publish ~40 s, 60 processes of ~0.3 s: about 1.5 min.
# Run from the repository root after `dotnet build Monge.slnx -c Release`; needs /usr/bin/python3 with numpy.
set -euo pipefail
cd "$(dirname "$0")/../.."
uptime
dotnet build bench/compare/barycenter -c Release -v q -nologo > /dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dotnet publish bench/compare/barycenter -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
  -o "$tmp/r2r" -v q -nologo > /dev/null
cp -r bench/compare/barycenter/bin/Release/net10.0 "$tmp/monge-only"
cp "$tmp/r2r/Monge.dll" "$tmp/monge-only/Monge.dll"
/usr/bin/python3 - "$tmp" <<'PY'
import os, sys
import numpy as np
sys.path.insert(0, os.path.join("tools", "fixtures"))
from barycenter import shapes
d = sys.argv[1]
n = 100
x = np.arange(n, dtype=float)
g = lambda m, s: (lambda h: h / h.sum())(np.exp(-((x - m) ** 2) / (2 * s * s)))
np.save(os.path.join(d, "a1d.npy"), np.stack([g(0.2 * n, 0.05 * n), g(0.6 * n, 0.1 * n)]))
np.save(os.path.join(d, "x1d.npy"), x[:, None])
np.save(os.path.join(d, "a64.npy"), shapes(64, 64))
PY
build=bench/compare/barycenter/bin/Release/net10.0/BarycenterCompare.dll
echo "| case | variant | first call CPU-s | JIT ms in it | methods compiled in it | iterations |"
echo "|---|---|---|---|---|---|"
row() { # case variant dll env... -- helper arguments
  local case=$1 variant=$2 dll=$3
  shift 3
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  : > "$tmp/rows"
  for _ in 1 2 3 4 5; do
    env "${envs[@]}" dotnet "$dll" "$@" > "$tmp/out" 2> "$tmp/err"
    echo "$(grep -o 'first_jit_ms=.*' "$tmp/err") $(tail -1 "$tmp/out")" >> "$tmp/rows"
  done
  /usr/bin/python3 - "$tmp/rows" "$case" "$variant" <<'PY'
import json, sys
rows = []
for line in open(sys.argv[1]):
    jit, doc = line.split(" {", 1)
    r = json.loads("{" + doc)
    r.update((k, float(v)) for k, v in (kv.split("=") for kv in jit.split()))
    rows.append(r)
print(f"| {sys.argv[2]} | {sys.argv[3]} | {min(r['first_cpu'] for r in rows):.3f} | {min(r['first_jit_ms'] for r in rows):.0f} | "
      f"{min(r['first_jit_methods'] for r in rows):.0f} | {rows[0]['iterations']} |")
PY
}
for c in 1d grid64; do
  if [ "$c" = 1d ]; then args=("$tmp/a1d.npy" "$tmp/out.npy" 0.001 1e-8 0.8,0.2 dense "$tmp/x1d.npy")
  else args=("$tmp/a64.npy" "$tmp/out.npy" 0.004 1e-8 0.25,0.25,0.25,0.25 grid); fi
  row "$c" "build output (JIT)" "$build" -- "${args[@]}"
  row "$c" "DOTNET_TieredPGO=0" "$build" DOTNET_TieredPGO=0 -- "${args[@]}"
  row "$c" "DOTNET_TC_QuickJitForLoops=0" "$build" DOTNET_TC_QuickJitForLoops=0 -- "${args[@]}"
  row "$c" "DOTNET_ReadyToRun=0" "$build" DOTNET_ReadyToRun=0 -- "${args[@]}"
  row "$c" "Monge.dll ReadyToRun only" "$tmp/monge-only/BarycenterCompare.dll" -- "${args[@]}"
  row "$c" "ReadyToRun publish" "$tmp/r2r/BarycenterCompare.dll" -- "${args[@]}"
  row "$c" "ReadyToRun publish, TieredPGO=0" "$tmp/r2r/BarycenterCompare.dll" DOTNET_TieredPGO=0 -- "${args[@]}"
done
echo "## Monge methods the JIT still compiles in the ReadyToRun publish (whole process, first call included), by tier"
echo "## (FullOpts: AggressiveOptimization kernels, which ReadyToRun never precompiles; Tier0: generic code over double"
echo "## not pregenerated in Monge.dll)"
for c in 1d grid64; do
  if [ "$c" = 1d ]; then args=("$tmp/a1d.npy" "$tmp/out.npy" 0.001 1e-8 0.8,0.2 dense "$tmp/x1d.npy")
  else args=("$tmp/a64.npy" "$tmp/out.npy" 0.004 1e-8 0.25,0.25,0.25,0.25 grid); fi
  DOTNET_JitStdOutFile="$tmp/jit.txt" DOTNET_JitDisasmSummary=1 dotnet "$tmp/r2r/BarycenterCompare.dll" "${args[@]}" > /dev/null 2>&1
  echo "$c: $(grep ' Monge\.' "$tmp/jit.txt" | grep -o '\[[A-Za-z0-9 -]*\(, IL size\| @0x\)' | sed 's/^\[//; s/, IL size//; s/ @0x//' | sort | uniq -c | sort -rn | awk '{n=$1; $1=""; printf "%s%s%s", sep, n, $0; sep=","}')"
done
uptime
