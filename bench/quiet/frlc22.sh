#!/usr/bin/env bash
# stop 22, frlc: what Anderson (memory 5, default), plain sweeps (memory 0) and plain sweeps capped at 100 per Q/R
# projection cost and give on the 30-D PCA-like 150 and 2000 pairs and half-moon -> S-curve 1000 (outer iterations,
# status, cost, marginal error, Q/R sweeps, process CPU-s of each solve, one process per pair). Also the zero-weight
# diagnosis: LatentIterations 5000 (the T projections' cap) against the default 500.
# Estimated 1-2 minutes on a quiet 2-core machine. Run from the repo root after `dotnet build Monge.slnx -c Release`.
set -euo pipefail
B=bench/Monge.Benchmarks/bin/Release/net10.0/Monge.Benchmarks.dll
uptime
dotnet "$B" frlc-anderson pca 150 6 2 1 5 0/100 0 5/500/5000
dotnet "$B" frlc-anderson moons 1000 10 0 1 5 0/100 0
dotnet "$B" frlc-anderson pca 2000 4 1 1 5 0/100 0
uptime
