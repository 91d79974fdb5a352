#!/usr/bin/env bash
# tool16 (issue 16): barycenters vs POT 0.8.2, side by side. Estimate on a quiet 2-core machine: about 2.5 minutes
# (grid 64: ~25 s incl. Monge log domain, Monge plain IBP and POT sinkhorn_log (19 s); grid 200: ~15 s (POT 4.3 s, Monge
# default + plain + tight reference ~2.5 s, process starts); dense 1-D 100/1000: ~20 s; free support
# scales 1/10/30, one seed, 3 repeats: ~60 s; plus builds of the two helpers if needed and process starts).
# Assumes `dotnet build Monge.slnx -c Release` was done; uses /usr/bin/python3 (POT). Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/../.."
uptime
dotnet build bench/compare/barycenter -c Release -v q -nologo >/dev/null
dotnet build bench/compare/barycenter_free/BaryFreeCompare.csproj -c Release -v q -nologo >/dev/null
echo
echo "## Fixed support on grids (POT convolutional_barycenter2d, reg 0.004), 64x64 = POT's size, 200x200 ~ 10x the points"
/usr/bin/python3 bench/compare/barycenter/compare.py grid --thr 1e-8 --grids 64 --warm --log-grid --plain-ibp
/usr/bin/python3 bench/compare/barycenter/compare.py grid --thr 1e-8 --grids 200 --warm --plain-ibp | tail -n +4
echo
echo "## Fixed support, dense 1-D (POT ot.bregman.barycenter, reg 1e-3), n = 100 (POT's example) and 1000"
/usr/bin/python3 bench/compare/barycenter/compare.py 1d --thr 1e-8 --sizes 100,1000 --warm
echo
echo "## Free support (POT ot.lp.free_support_barycenter), scales 1 (POT's example), 10, 30"
/usr/bin/python3 bench/compare/barycenter_free/compare.py --scales 1,10,30 --seeds 0 --repeats 3
uptime
