#!/usr/bin/env bash
# free16 (issue 16): free-support barycenters vs POT 0.8.2 and ProgOT on a Gaussian pair with a closed-form map.
# Estimate on a quiet 2-core machine: about 3.5 minutes (builds of the helper if needed ~40 s; free support at
# scales 1 (POT's example), 10 (10x) and 30, seeds 0-2 at 1 and 10, seed 0 at 30, 3 repeats, first call and warm on both
# sides: POT ~25 s, Monge ~20 s with its warm-ups; ProgOT d = 2 table at n = 250 and 1000, K = 4, warm, cold and
# debiased stages, plain and debiased one-shot maps: ~90 s).
# Assumes `dotnet build Monge.slnx -c Release` was done; uses /usr/bin/python3 (POT). Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/../.."
uptime
dotnet build bench/compare/barycenter_free/BaryFreeCompare.csproj -c Release -v q -nologo >/dev/null
echo
echo "## Free support (POT ot.lp.free_support_barycenter vs FreeSupportBarycenter, exact inner solves, run to the fixed point)"
echo "## scale 1 = POT's example (K = 10), scale 10 = 10x (K = 100), scale 30 (K = 300)"
/usr/bin/python3 bench/compare/barycenter_free/compare.py --scales 1,10 --seeds 0,1,2 --repeats 3
/usr/bin/python3 bench/compare/barycenter_free/compare.py --scales 30 --seeds 0 --repeats 3 | tail -n +4
echo
echo "## ProgOT (plain and debiased stages) vs the entropic map, d = 2 Gaussian pair, error relative to the closed-form Monge map (1000 test points)"
/usr/bin/time -f "progot-gauss: %e s wall, %U s user, %S s sys, %M KB peak" \
  dotnet bench/Monge.Benchmarks/bin/Release/net10.0/Monge.Benchmarks.dll progot-gauss 250,1000 4
uptime
