#!/usr/bin/env bash
# Issue 13 (gwent): entropic GW vs POT 0.8.2 side by side (Monge's first call with default tiering, first call with the
# CLI's QuickJitForLoops=0, and a warm second solve in the same process), the conditional gradient at n = 1000 (Monge
# only), and the micrometre blobs of the issue (40 points: the former stall; 300 points from CG and from a x b).
# Estimate on a quiet 2-core machine (from CPU seconds measured under load, 2026-12-05): POT entropic n = 300 2-D ~4 s,
# 30-D ~3 s, n = 1000 2-D ~116 s; Monge entropic: six helper processes ~1-2 s each at n = 300, ~2-3 s at n = 1000
# (start-up included); CG n = 1000 2-D ~3 s with start-up; the blob runs ~1 s, ~7 s and ~5 s CPU. Total ~2.7 min (< 4 min). POT's CG at
# n = 1000 (6 min) is skipped: docs/benchmarks.md records 356.7 s (load 85).
# Run from the repo root after `dotnet build Monge.slnx -c Release` (it builds bench/compare/gromov/entropic too).
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "== uptime: $(uptime)"
HELPER=bench/compare/gromov/entropic/bin/Release/net10.0/EntropicCompare.dll
[ -f "$HELPER" ] || dotnet build bench/compare/gromov/entropic -c Release -v q
echo "== entropic GW, eps = 1e-2 (POT convention), n = 300, 2-D and 30-D"
/usr/bin/python3 bench/compare/gromov/compare_entropic.py 300
echo "== entropic GW, n = 1000, 2-D"
/usr/bin/python3 bench/compare/gromov/compare_entropic.py 1000 --data 2d
echo "== conditional gradient, n = 1000, 2-D, Monge only (POT recorded: 356.72 s, value 0.000453313709)"
/usr/bin/python3 bench/compare/gromov/compare.py 1000 --dims 2 --skip-pot
echo "== micrometre blobs, eps 0.01 x mean cost: 40 points from the CG plan (<= 500 inner, 200 outer; the stall fixed by the"
echo "   Newton polish), 300 points from the CG plan (<= 2000 inner, 100 outer) and from a x b (<= 2000 inner)"
TMP=$(mktemp -d)
/usr/bin/python3 - "$TMP" <<'PY'
import sys
import numpy as np
out = sys.argv[1]
for n, seed in ((40, 3), (300, 5)):
    rng = np.random.RandomState(seed)
    x = 200 * rng.normal(size=(n, 2))
    perm = rng.permutation(n)
    s, c = np.sin(0.7), np.cos(0.7)
    xr = x[perm]
    y = np.stack([c * xr[:, 0] - s * xr[:, 1] + 1000, s * xr[:, 0] + c * xr[:, 1] - 500], 1)
    np.save(f"{out}/x{n}.npy", x); np.save(f"{out}/y{n}.npy", y); np.save(f"{out}/p{n}.npy", perm.astype(float))
PY
/usr/bin/time -f "   %U user %S sys %e wall" dotnet "$HELPER" blob "$TMP/x40.npy" "$TMP/y40.npy" "$TMP/p40.npy" 0.01 1 1 cg 500 200
/usr/bin/time -f "   %U user %S sys %e wall" dotnet "$HELPER" blob "$TMP/x300.npy" "$TMP/y300.npy" "$TMP/p300.npy" 0.01 1 1 cg 2000 100
/usr/bin/time -f "   %U user %S sys %e wall" dotnet "$HELPER" blob "$TMP/x300.npy" "$TMP/y300.npy" "$TMP/p300.npy" 0.01 1 1 product 2000 1000
rm -rf "$TMP"
echo "== uptime: $(uptime)"
