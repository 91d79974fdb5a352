#!/usr/bin/env bash
# Issue 12 (sink12): Sinkhorn defaults vs POT ot.sinkhorn (2-D n = 2000 with POT the median of 3 runs and Monge's first
# and warm solves, 2-D n = 4000, 30-D PCA-like 3000 x 2700), the float32-early-iterations A/B and the adaptive-ω
# traces, and FRLC defaults vs LR-Sinkhorn at rank 10 on the three pairs of docs/lowrank.md.
# Estimated 3.5 minutes on a quiet 2-core machine (from CPU seconds measured under load: POT 2-D 3 x ~2.5 s at 2000 and
# ~15 s at 4000, POT 30-D ~35 s, Monge runs, warm runs and the 1e-9 references ~30 s, traces ~5 s, the three low-rank
# pairs ~20 s each including the exact optimum). Run from the repo root after `dotnet build Monge.slnx -c Release`.
# Times: POT's is the wall time of ot.dist + ot.sinkhorn (Python and NumPy already imported); Monge's is the solver's
# own "seconds" (JIT of the solver included; process start and file loading excluded); the "process" figure is the
# whole `monge solve` process; "first solve" / "warm" come from one process with the CLI's JIT setting.
set -euo pipefail
B=bench/Monge.Benchmarks/bin/Release/net10.0/Monge.Benchmarks.dll
uptime
echo "## Sinkhorn defaults vs POT (L2 marginal threshold 1e-6, eps = 0.01 mean C)"
/usr/bin/python3 bench/compare/sinkhorn/compare.py 2000 --dim 2 --log-full-max 0 --pot-runs 3 --warm
/usr/bin/python3 bench/compare/sinkhorn/compare.py 4000 --dim 2 --log-full-max 0 --pot-runs 1 --warm
/usr/bin/python3 bench/compare/sinkhorn/compare.py 3000 --dim 30 --log-full-max 0 --pot-runs 1
echo "## Adaptive ω: iterations and error traces (checks every 10 iterations, every iteration in the last interval)"
dotnet "$B" sinkhorn-trace 2d 2000 defaults,plain
echo "## float32 early iterations A/B, same process (all double, defaults, twice)"
DOTNET_TC_QuickJitForLoops=0 dotnet "$B" sinkhorn-trace 2d 2000 double,defaults,double,defaults
dotnet "$B" sinkhorn-trace 2d 4000 defaults
echo "## FRLC defaults vs LR-Sinkhorn, rank 10, n = 2000, seed 0"
for data in moons pca um; do
  dotnet "$B" lowrank-units "$data" 2000 10 mean 1
done
uptime
