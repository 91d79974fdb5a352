#!/usr/bin/env bash
# tool16 (issue 16; grid16 added the ReadyToRun CLI rows, about +1-2 minutes for the publish): grid and dense fixed-support barycenters vs POT 0.8.2, side by side (after the fused half step and
# TensorPrimitives exp/log of 2026-12-06, Monge warm is about 1.5-2x faster than before). Estimate on a quiet 2-core
# machine: about 1.5 minutes (grid 64: Monge first call + 3 warm solves + tight reference + plain IBP ~4 s with process
# starts, POT sinkhorn 0.2 s, sinkhorn_log 1.2 s; grid 200: Monge ~2 s, reference ~1 s, POT 4.6 s; CLI end to end on
# 64x64 and 200x200 ~4 s; dense 1-D 100/1000: ~25 s; plus building the helper if needed). Free-support rows are in
# bench/quiet/free16.sh. Assumes `dotnet build Monge.slnx -c Release` was done; uses /usr/bin/python3 (POT). Run from the
# repository root.
set -euo pipefail
cd "$(dirname "$0")/../.."
uptime
dotnet build bench/compare/barycenter -c Release -v q -nologo >/dev/null
echo
echo "## Grid (POT convolutional_barycenter2d, reg 0.004, thr 1e-8, same rule), 64x64 = POT's size, 200x200 ~ 10x the points"
echo "## Monge: first call in a fresh process (JIT included, process start excluded) and warm (best of 3 further solves)"
/usr/bin/python3 bench/compare/barycenter/compare.py grid --thr 1e-8 --grids 64 --warm --plain-ibp
/usr/bin/python3 bench/compare/barycenter/compare.py grid --thr 1e-8 --grids 200 --warm | tail -n +4
echo
echo "## The CLI end to end (process start, JIT, reading four .npy inputs, writing the barycenter): wall seconds"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$tmp" <<'PY'
import os, sys
import numpy as np
sys.path.insert(0, os.path.join("tools", "fixtures"))
from barycenter import shapes
for s in (64, 200):
    for k, a in enumerate(shapes(s, s)):
        np.save(os.path.join(sys.argv[1], f"s{s}_{k}.npy"), a)
PY
for s in 64 200; do
  start=$(date +%s.%N)
  dotnet src/Monge.Cli/bin/Release/net10.0/Monge.Cli.dll barycenter --method fixed --grid ${s}x${s} --epsilon 0.004 \
    --threshold 1e-8 --inputs "$tmp"/s${s}_0.npy "$tmp"/s${s}_1.npy "$tmp"/s${s}_2.npy "$tmp"/s${s}_3.npy \
    --out "$tmp"/bary${s}.npy --overwrite --json > "$tmp"/cli${s}.json 2>/dev/null
  end=$(date +%s.%N)
  /usr/bin/python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(f'| CLI {sys.argv[2]}x{sys.argv[2]} | {float(sys.argv[4])-float(sys.argv[3]):.3f} s wall end to end | {j.get(\"iterations\")} it | converged {j.get(\"converged\")} |')" "$tmp"/cli${s}.json $s $start $end
done
echo
echo "## grid16: the same CLI call from a ReadyToRun publish of the CLI (start-up JIT of Monge.Cli/System.CommandLine is"
echo "## most of the build output's time); wall and user+sys CPU seconds, build output vs R2R publish"
pub="$tmp/pub"
dotnet publish src/Monge.Cli -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$pub" -v q -nologo >/dev/null
for dll in src/Monge.Cli/bin/Release/net10.0/Monge.Cli.dll "$pub/Monge.Cli.dll"; do
  for s in 64 200; do
    /usr/bin/time -f "| CLI $s x $s | $(basename "$(dirname "$dll")") | %e s wall | %U + %S s CPU | %M KB |" \
      dotnet "$dll" barycenter --method fixed --grid ${s}x${s} --epsilon 0.004 --threshold 1e-8 \
      --inputs "$tmp"/s${s}_0.npy "$tmp"/s${s}_1.npy "$tmp"/s${s}_2.npy "$tmp"/s${s}_3.npy \
      --out "$tmp"/bary${s}.npy --overwrite --json 2>&1 >/dev/null | tail -1
  done
done
echo
echo "## Fixed support, dense 1-D (POT ot.bregman.barycenter, reg 1e-3), n = 100 (POT's example) and 1000"
/usr/bin/python3 bench/compare/barycenter/compare.py 1d --thr 1e-8 --sizes 100,1000 --warm
uptime
