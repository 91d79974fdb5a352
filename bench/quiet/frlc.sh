#!/usr/bin/env bash
# frlc branch (FRLC correctness): unit invariance of FRLC (the same pair in units x1e-3, x1, x1e3: iterations, status,
# cost / units^2, plan difference), and the size table (half-moon -> S-curve, rank 10, n = 20 ... 2000: FRLC with the
# defaults, with the large-problem schedule and with the reference schedule forced, against LR-Sinkhorn at equal rank
# and the exact optimum).
# Estimated 2.5 minutes on a quiet 2-core machine (from CPU seconds measured under load: the size table ~60 s, most of
# it n = 1000 and 2000 with the exact optimum; the units runs ~40 s, the 2000-point one ~25 s).
# Run from the repo root after `dotnet build Monge.slnx -c Release`. Costs, iterations and marginal errors are
# deterministic; seconds are the solver's own wall time (JIT included in the first run of each process).
set -euo pipefail
B=bench/Monge.Benchmarks/bin/Release/net10.0/Monge.Benchmarks.dll
uptime
echo "## Units: FRLC at units x1, x1e-3, x1e3 (mean cost scaling); plan diff relative to the peak; LR-Sinkhorn for reference"
dotnet "$B" frlc-units um 150 6 default 2
dotnet "$B" frlc-units pca 150 6 large 2
dotnet "$B" frlc-units gauss 150 6 large 2
dotnet "$B" frlc-units um 2000 4 default 1
echo "## Size table: half-moon -> S-curve, rank 10, seed 0 (defaults + LR-Sinkhorn; large schedule; reference schedule)"
for n in 20 60 200 500 1000 2000; do
  dotnet "$B" lowrank-units moons "$n" 10 mean 1 1
  dotnet "$B" lowrank-units moons "$n" 10 mean 1 1 only=frlc rhoin=2 delay=80 fallback=1 otol=1e-4 thr=0 maxit=300
  dotnet "$B" lowrank-units moons "$n" 10 mean 1 1 only=frlc rhoin=50 delay=0 fallback=0 otol=0 thr=1e-5 maxit=200
done
uptime
