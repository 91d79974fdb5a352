#!/usr/bin/env bash
# ubdeb (stop 21, issue 16; stop 22 and 23, ubal): unbalanced and debiased fixed-support barycenters vs POT 0.8.2 on POT's 1-D example
# (n = 100 and 1000, reg 1e-2, weights 0.8/0.2; unbalanced reg_m = 1), steady state. Debiased runs on the stabilized dense
# kernel path and stops on POT's rule (docs/barycenters.md, "The debiased stopping rule"). The unbalanced rows carry the L1
# distance of both answers to a tight reference (Monge at thr 1e-12): equal accuracy, not only the same rule
# (docs/toolbox-checklist.md, "Open against the issue", rows 1 and 2). Stop 23: the unbalanced rows use --repeat 0.3 (both
# sides time three batches of >= 0.3 CPU-s of back-to-back calls and report the per-call mean of the best batch; a 1.3 ms
# solve is not one timer reading). Estimate on a quiet 2-core machine: about 2 minutes
# (POT debiased at n = 1000: ~15 s per run, three runs). Assumes `dotnet build Monge.slnx -c
# Release`; /usr/bin/python3 (POT); run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/../.."
uptime
dotnet build bench/compare/barycenter -c Release -v q -nologo >/dev/null
echo "## Unbalanced (ot.unbalanced.barycenter_unbalanced), relative-change rule both sides, thr 1e-8, mean of many calls"
/usr/bin/python3 bench/compare/barycenter/compare.py unbalanced --thr 1e-8 --sizes 100,1000 --repeat 0.3
echo "## Debiased (barycenter_debiased, sinkhorn_log), both exactly 120 iterations (the same iterate)"
/usr/bin/python3 bench/compare/barycenter/compare.py debiased --iters 120 --sizes 100,1000 --warm | tail -n +4
echo "## Debiased, thr 1e-8, POT's rule on both sides"
/usr/bin/python3 bench/compare/barycenter/compare.py debiased --thr 1e-8 --sizes 100,1000 --warm --no-ref | tail -n +4
uptime
