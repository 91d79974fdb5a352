#!/usr/bin/env bash
# Stop 24 (chk1m), issue #14: checkerboard squared Euclidean at 1 048 576 points — the default rank schedule [16, 16, 16]
# against [4, 8, 8, 16] and [8, 8, 8, 8] (same 4 096 leaves of 256), seeds 0–2, and 8 Gaussians → moons with all three
# (does the schedule cost the 8 Gaussians row quality or time?). [4, 8, 8, 16] under load: 0.995% / 0.683% / 0.347%
# (seeds 0 / 1 / 2) but 8 Gaussians → moons 1.197% (default 0.655%). Under load (docs/hiref.md "Stop 24 (chk1m)"):
# checkerboard 3.454% / 5.613% / 1.965% (default, seeds 0 / 1 / 2, 46–57 CPU-s) against 1.085% / 1.974% / 2.152%
# ([8, 8, 8, 8], 36–45 CPU-s).
# Bounds: checkerboard 21.086307 (m1m), 8 Gaussians → moons 7.119330 (stop 20); gap = cost / bound − 1 (goal ≤ 1%).
# Goal: the solve ≤ 30 s wall. Estimated run time on a quiet 2-core machine: ~8 minutes. Assumes
# `dotnet build Monge.slnx -c Release`; run from the repository root.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
uptime
tune_1m_header
row() { tune_1m_row sqeuclidean "$@"; }  # dataset, bound, label, extra options...
row checkerboard 21.086307 "default, seed 0"
row checkerboard 21.086307 "[4,8,8,16], seed 0" schedule=4,8,8,16
row checkerboard 21.086307 "[8,8,8,8], seed 0" schedule=8,8,8,8
row checkerboard 21.086307 "default, seed 1" seed=1
row checkerboard 21.086307 "[4,8,8,16], seed 1" schedule=4,8,8,16 seed=1
row checkerboard 21.086307 "[8,8,8,8], seed 1" schedule=8,8,8,8 seed=1
row checkerboard 21.086307 "default, seed 2" seed=2
row checkerboard 21.086307 "[4,8,8,16], seed 2" schedule=4,8,8,16 seed=2
row checkerboard 21.086307 "[8,8,8,8], seed 2" schedule=8,8,8,8 seed=2
row eight-gaussians-moons 7.119330 "default"
row eight-gaussians-moons 7.119330 "[4,8,8,16]" schedule=4,8,8,16
row eight-gaussians-moons 7.119330 "[8,8,8,8]" schedule=8,8,8,8
uptime
