#!/usr/bin/env bash
# stop 21, frlcinv: FRLC's Q/R projections run plain Sinkhorn sweeps by default (ProjectionAndersonMemory = 0; it was
# 5). (1) unit invariance of the pairs that failed with Anderson (iterations, cost / units^2, plan difference at units
# x1, x1e-3, x1e3); (2) what Anderson off costs: FRLC defaults with memory 0 and 5 one after the other in one process
# (outer iterations, cost, marginal error, total projection sweeps, process CPU seconds of each solve), on the
# frlc.sh size table's half-moon -> S-curve set-up (rank 10, seed 0) and the 30-D PCA-like and micrometre pairs at
# 2000 points (the PCA pair also in units x1e3).
# Estimated 3 minutes on a quiet 2-core machine. Run from the repo root after `dotnet build Monge.slnx -c Release`.
set -euo pipefail
B=bench/Monge.Benchmarks/bin/Release/net10.0/Monge.Benchmarks.dll
uptime
echo "## Units (defaults: plain sweeps)"
dotnet "$B" frlc-units pca 150 6 large 2 | grep -v lr-sinkhorn
dotnet "$B" frlc-units pca 150 6 default 2 | grep -v lr-sinkhorn
dotnet "$B" frlc-units gauss 150 6 large 2 | grep -v lr-sinkhorn
echo "## Anderson memory 0 (default) vs 5: iterations, cost, sweeps, CPU-s"
for n in 200 500 1000 2000; do
  dotnet "$B" frlc-anderson moons "$n" 10 0
done
dotnet "$B" frlc-anderson pca 150 6 2
dotnet "$B" frlc-anderson gauss 150 6 2
dotnet "$B" frlc-anderson um 2000 4 1
dotnet "$B" frlc-anderson pca 2000 4 1
dotnet "$B" frlc-anderson pca 2000 4 1 1e3
uptime
