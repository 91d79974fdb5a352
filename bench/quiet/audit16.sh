#!/usr/bin/env bash
# audit16 (issue 16): the unbalanced and debiased fixed-support barycenters vs POT 0.8.2 on POT's 1-D example problem
# (n = 100, POT's size, and 1000), reg 1e-2, weights 0.8/0.2. Unbalanced: reg_m = 1 both sides, the same stopping rule
# (relative change of the barycenter <= 1e-8); Monge warm (best of 3) and first call. Debiased: n = 100 only (Monge's
# stricter rule, ||q_t - q_t-1||_1 <= thr, runs to its 20000-iteration budget at thr 1e-8; n = 1000 would take minutes).
# Estimate on a quiet 2-core machine: about 2 minutes (POT debiased at n = 1000, 120 iterations: ~15 s). Assumes `dotnet build Monge.slnx -c Release`; /usr/bin/python3 (POT);
# run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/../.."
uptime
dotnet build bench/compare/barycenter -c Release -v q -nologo >/dev/null
echo "## Unbalanced (ot.unbalanced.barycenter_unbalanced), first call then warm"
/usr/bin/python3 bench/compare/barycenter/compare.py unbalanced --thr 1e-8 --sizes 100,1000
/usr/bin/python3 bench/compare/barycenter/compare.py unbalanced --thr 1e-8 --sizes 100,1000 --warm --no-ref | tail -n +4
echo "## Debiased (ot.bregman.barycenter_debiased, sinkhorn_log), n = 100"
/usr/bin/python3 bench/compare/barycenter/compare.py debiased --thr 1e-8 --sizes 100 --no-ref
echo "## Debiased, both sides exactly 120 iterations (the same iterate), n = 100 warm and 1000 first call"
/usr/bin/python3 bench/compare/barycenter/compare.py debiased --iters 120 --sizes 100 --warm | tail -n +4
/usr/bin/python3 bench/compare/barycenter/compare.py debiased --iters 120 --sizes 1000 | tail -n +4
uptime
