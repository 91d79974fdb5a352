#!/usr/bin/env bash
# pwar (stop 27, issue #14): the certificate's sparse dual ascent without exits (n ≤ AscentExitPoints = 16 384) and its
# price war. Since stop 27 a pass without exits that spends DualBound.AscentWarBids (default 1000) bids per row is re-run
# from the same warm start with exits on the rest of AscentBids, and the later passes run with exits; `warbids=30000`
# (= AscentBids) is the behaviour before. For each n in NS (default "800 4096 16384"), each of the four 2-D pairs and the
# 16-D Gaussian mixture, both costs: `hiref bound DATASET D N cost=COST exact=1` with the default, and with BEFORE=1 also
# `warbids=30000`. Prints per case the `ascent:` line (bound after each pass, bids per pass: a pass over 1000·n bids is a
# war re-run with exits) and the summary line (bound, exact optimum, below the optimum, bound_cpu_s = the certificate's
# CPU-s, exact_cpu_s), then `CPU user sys peakKB` of the process. Not yet run at 16 384 (the helper's machine was at
# load 30–116); the war row is eight-gaussians-moons Euclidean 16 384 (stop 26, quiet: 397.6 CPU-s before); see
# docs/hiref.md "Stop 27 (pwar)". Quiet estimate: ≈ 15–25 min with the default only (the 16 384 exact optima dominate), + ≈ 8 min with
# BEFORE=1 (the 16 384 Euclidean war). Needs `dotnet build Monge.slnx -c Release`; run from the repository root.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
hiref_harness
NS=${NS:-"800 4096 16384"}
uptime
git log -1 --format='commit %h %cs %s' | cut -c1-100
for n in $NS; do
  for pair in half-moon-s-curve:2 checkerboard:2 eight-gaussians-moons:2 maf-moons-rings:2 gaussian-mixture:16; do
    for cost in sqeuclidean euclidean; do
      variants=("")
      [ "${BEFORE:-0}" = 1 ] && variants=("warbids=30000" "")
      for v in "${variants[@]}"; do
        echo "== ${pair%:*} d=${pair#*:} n=$n $cost ${v:-default}"
        # shellcheck disable=SC2086
        /usr/bin/time -f 'CPU %U %S %M' "$H" bound "${pair%:*}" "${pair#*:}" "$n" cost="$cost" exact=1 $v 2>&1 | tail -3
      done
    done
  done
done
