#!/usr/bin/env bash
# Certificate against solve at n = 131 072 (issue #14 goal: `--certify` at most 3x the solve; cert, stop 23): each row is
# one `hiref tune DATASET D COST 131072 certify=1` (default balanced solve, then Monge.Tools.DualBound) and prints the
# HiRef cost, the bound, the certified gap, the CPU-seconds (user + sys of the process) of the solve and of the
# certificate, their ratio, the certificate's split (Sinkhorn stage = certificate less the two orders of c-transforms)
# and the process peak.
# `all` (default): the four Euclidean 2-D rows, the 16-D Euclidean row and the four squared 2-D rows (~12-15 quiet
# minutes; under load, stop 23: 2-D certificates 7-25 CPU-s, 2-D solves 30-60 CPU-s, the 16-D Euclidean solve ~130 and
# its certificate <= 320 CPU-s); `eucl`: the four Euclidean 2-D rows (~4 minutes); `sq`: the four squared 2-D rows;
# `16`: the 16-D Euclidean row alone; `1m`: half-moon -> S-curve Euclidean at 1 048 576 (needs >= 6 GB free).
# Run from the repository root after `dotnet build Monge.slnx -c Release`; builds the hiref compare tool if needed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
hiref_harness
EUCL=("maf-moons-rings 2 euclidean 131072" "eight-gaussians-moons 2 euclidean 131072" "checkerboard 2 euclidean 131072"
      "half-moon-s-curve 2 euclidean 131072")
SQ=("half-moon-s-curve 2 sqeuclidean 131072" "checkerboard 2 sqeuclidean 131072" "maf-moons-rings 2 sqeuclidean 131072"
    "eight-gaussians-moons 2 sqeuclidean 131072")
case "${1:-all}" in
  all) CASES=("${EUCL[@]}" "gaussian-mixture 16 euclidean 131072" "${SQ[@]}") ;;
  eucl) CASES=("${EUCL[@]}") ;;
  sq) CASES=("${SQ[@]}") ;;
  16) CASES=("gaussian-mixture 16 euclidean 131072") ;;
  1m) CASES=("half-moon-s-curve 2 euclidean 1048576") ;;
  *) echo "usage: $0 [all|eucl|sq|16|1m]" >&2; exit 2 ;;
esac
uptime
git log -1 --format='commit %h %cs %s' | cut -c1-100
printf '%-37s %8s %10s %10s %7s %8s %8s %6s %8s %8s %7s\n' case n cost bound gap solve_cpu cert_cpu ratio sink_cpu tran_cpu peak_mb
for c in "${CASES[@]}"; do
  # shellcheck disable=SC2086
  out=$("$H" tune $c certify=1 2>/dev/null)
  json=$(sed -n 's/^json: //p' <<< "$out")
  orders=$(grep -oE 'order_f_cpu_s=[0-9.]+,order_g_cpu_s=[0-9.]+' <<< "$out" | sed 's/order_f_cpu_s=//; s/,order_g_cpu_s=/ /')
  /usr/bin/python3 - "$json" $orders <<'PY'
import json, sys
r = json.loads(sys.argv[1]); f, g = float(sys.argv[2]), float(sys.argv[3])
name = f"{r['dataset']} {r['d']}-D {r['cost_function']}"
cert, solve = r['certify_cpu_s'], r['solve_cpu_s']
print(f"{name:<37} {r['n']:>8} {r['cost']:>10.6f} {r['lower_bound']:>10.6f} {100*r['certified_gap']:>6.3f}% {solve:>8.1f} {cert:>8.1f}"
      f" {cert/solve:>6.2f} {cert-f-g:>8.1f} {f+g:>8.1f} {r['process_peak_mb']:>7.0f}")
PY
done
uptime
