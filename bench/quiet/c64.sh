#!/usr/bin/env bash
# The high-dimensional certificates of issue #14 (c64, stop 24): `--certify` at most 3x the solve, at n = 131 072 and
# 1 048 576, for the 64-D mixture (squared and Euclidean) and the 16-D mixture Euclidean. Each row is one `hiref tune
# gaussian-mixture D COST N certify=1 [nosolve=1] [screen=0]` and prints the cost, the bound, the certified gap, the
# CPU-seconds (user + sys of the process) of the solve and of the certificate, their ratio, the certificate's split
# (Sinkhorn stage = certificate less the orders of c-transforms), the ball pairs evaluated per query per transform and
# the process peak. `screen=0` rows are the certificate before c64 (the Euclidean transforms on the block-screened tiles),
# certificate only.
# `131k` (default): the three rows at 131 072, solve + certificate, and the two Euclidean certificates with screen=0
# (under load, stop 22-23: solves 130-280 CPU-s, certificates 220-460 CPU-s; ~15-20 quiet minutes);
# `64`: the 64-D squared row at 1 048 576 (solve + certificate; needs >= 6 GB free; solve ~2.5 quiet minutes, stop 19);
# `64e`: the 64-D Euclidean row at 1 048 576; `16e`: the 16-D Euclidean row at 1 048 576. Each case is capped at
# 1 200 s (CAP=seconds to change; a capped case prints "timeout"). Run from the repository root after `dotnet build Monge.slnx -c Release`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
hiref_harness
case "${1:-131k}" in
  131k) CASES=("16 euclidean 131072" "16 euclidean 131072 nosolve=1 screen=0" "64 sqeuclidean 131072"
               "64 euclidean 131072" "64 euclidean 131072 nosolve=1 screen=0") ;;
  64) CASES=("64 sqeuclidean 1048576") ;;
  64e) CASES=("64 euclidean 1048576") ;;
  16e) CASES=("16 euclidean 1048576") ;;
  *) echo "usage: $0 [131k|64|64e|16e]" >&2; exit 2 ;;
esac
if [ "${1:-131k}" != 131k ]; then
  free_gb=$(free -g | awk '/^Mem:/ {print $7}')
  if [ "$free_gb" -lt 6 ]; then echo "only ${free_gb} GB available; need 6" >&2; exit 1; fi
fi
uptime
git log -1 --format='commit %h %cs %s' | cut -c1-100
printf '%-44s %10s %10s %7s %8s %8s %6s %8s %8s %9s %7s\n' case cost bound gap solve_cpu cert_cpu ratio sink_cpu tran_cpu pairs/q peak_mb
for c in "${CASES[@]}"; do
  # shellcheck disable=SC2086
  out=$(timeout "${CAP:-1200}" "$H" tune gaussian-mixture $c certify=1 2>/dev/null) || { echo "$c: timeout or failure"; continue; }
  json=$(sed -n 's/^json: //p' <<< "$out")
  orders=$(grep -oE 'order_f_cpu_s=[0-9.]+,order_g_cpu_s=[0-9.]+' <<< "$out" | sed 's/order_f_cpu_s=//; s/,order_g_cpu_s=/ /')
  pairs=$(grep -oE 'ball_pairs_per_query=[0-9]+' <<< "$out" | cut -d= -f2)
  /usr/bin/python3 - "$c" "$json" $orders "$pairs" <<'PY'
import json, sys
r = json.loads(sys.argv[2]); f, g = float(sys.argv[3]), float(sys.argv[4])
cert, solve = r['certify_cpu_s'], r['solve_cpu_s']
cost = f"{r['cost']:>10.6f}" if r['cost'] is not None else f"{'-':>10}"
gap = f"{100*r['certified_gap']:>6.3f}%" if r['certified_gap'] is not None else f"{'-':>7}"
ratio = f"{cert/solve:>6.2f}" if solve else f"{'-':>6}"
solve_s = f"{solve:>8.1f}" if solve else f"{'-':>8}"
print(f"{sys.argv[1]:<44} {cost} {r['lower_bound']:>10.6f} {gap} {solve_s} {cert:>8.1f} {ratio} {cert-f-g:>8.1f} {f+g:>8.1f}"
      f" {sys.argv[5]:>9} {r['process_peak_mb']:>7.0f}")
PY
done
uptime
