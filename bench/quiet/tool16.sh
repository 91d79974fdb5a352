#!/usr/bin/env bash
# tool16 (issue 16; grid16 added the ReadyToRun CLI rows, about +1-2 minutes for the publish; stop 20 added the packed-tool
# end-to-end rows, about +2-4 minutes for the pack): grid and dense fixed-support barycenters vs POT 0.8.2, side by side (after the fused half step and
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
## tool16 (stop 20): Auto is the stabilized dense kernel; --log-grid adds Monge's log path; POT sinkhorn_stabilized added
/usr/bin/python3 bench/compare/barycenter/compare.py 1d --thr 1e-8 --sizes 100,1000 --warm --log-grid
echo
echo "## tool16 (stop 20): first call end to end (process start to exit), POT's 1-D example n = 100: the packed tool"
echo "## (dotnet pack: RID-specific, linux-x64 ReadyToRun; ~1-3 min of pack) vs the build output vs python3 + import ot + POT"
/usr/bin/python3 - "$tmp" <<'PY'
import os, sys
import numpy as np
n = 100
x = np.arange(n, dtype=float)
g = lambda m, s: (lambda h: h / h.sum())(np.exp(-((x - m) ** 2) / (2 * s * s)))
np.save(os.path.join(sys.argv[1], "a1.npy"), g(0.2 * n, 0.05 * n))
np.save(os.path.join(sys.argv[1], "a2.npy"), g(0.6 * n, 0.1 * n))
np.save(os.path.join(sys.argv[1], "x.npy"), (x / (n - 1))[:, None])
PY
cat > "$tmp/pot1d.py" <<'PY'
import os, sys
import numpy as np, ot
d = sys.argv[1]
x = np.load(os.path.join(d, "x.npy")); A = np.stack([np.load(os.path.join(d, "a1.npy")), np.load(os.path.join(d, "a2.npy"))]).T
M = ot.dist(x, x); M /= M.max()
np.save(os.path.join(d, "pot.npy"), ot.bregman.barycenter(A, M, 1e-3, np.array([0.8, 0.2]), method="sinkhorn_log", numItermax=20000, stopThr=1e-8))
PY
dotnet pack src/Monge.Cli -c Release -o "$tmp/nupkg" -v q -nologo >/dev/null
(cd "$tmp" && dotnet tool install --tool-path "$tmp/tools" --add-source "$tmp/nupkg" Monge.Cli >/dev/null)
args=(barycenter --method fixed --support "$tmp/x.npy" --inputs "$tmp/a1.npy" "$tmp/a2.npy" --weights 0.8,0.2 --epsilon 1e-3 --threshold 1e-8 --out "$tmp/m.npy" --overwrite --json)
for r in 1 2 3; do
  /usr/bin/time -f "| 1-D n=100 | packed tool (R2R) | %e s wall | %U + %S s CPU | %M KB |" "$tmp/tools/monge" "${args[@]}" 2>&1 >/dev/null | tail -1
  /usr/bin/time -f "| 1-D n=100 | build output (JIT) | %e s wall | %U + %S s CPU | %M KB |" dotnet src/Monge.Cli/bin/Release/net10.0/Monge.Cli.dll "${args[@]}" 2>&1 >/dev/null | tail -1
  /usr/bin/time -f "| 1-D n=100 | python3 + import ot + POT sinkhorn_log | %e s wall | %U + %S s CPU | %M KB |" /usr/bin/python3 "$tmp/pot1d.py" "$tmp" 2>&1 | tail -1
done
/usr/bin/python3 -c "import numpy as np, sys; print('L1(tool, POT) =', np.abs(np.load(sys.argv[1]) - np.load(sys.argv[2])).sum())" "$tmp/m.npy" "$tmp/pot.npy"
uptime
