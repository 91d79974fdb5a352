#!/usr/bin/env bash
# HiRef twelve-case quality table (issue #14, hireft): the cases missing from docs/hiref.md's "Quality at n = 131 072"
# table that fit, smallest first, each solved with the defaults (balanced) and certified (Monge.Tools.DualBound).
# The default (`missing`) is the one row never certified: the 64-D mixture, Euclidean, n = 131 072 (stop 22: its solve
# with the exact global step is ≈ 300 CPU-s under load, the 64-D squared one 273 CPU-s; the certificate is unmeasured,
# estimated 500–1 000 CPU-s from the 64-D squared one's 460 and the Euclidean certificates' extra Sinkhorn cost).
# Run from the repository root after `dotnet build Monge.slnx -c Release`; builds the hiref compare tool if needed.
# `bench/quiet/table12.sh all` runs all twelve cases at 131 072 (≈ 2 300–2 800 CPU-s, 20–25 minutes quiet; the ten
# measured cases took 1 200 CPU-s under load, the two 64-D cases are estimated at 1 100–1 600); `bench/quiet/table12.sh 1m` the four 1 048 576-point 2-D cases (≈ 1 300–3 100 CPU-s, 12–28
# minutes quiet: the Euclidean certificates dominate and are estimates; needs ≥ 6 GB free); `bench/quiet/table12.sh 2d` the
# checkerboard and 8 Gaussians → moons squared rows at 131 072 (stop 20, ≈ 2–3 quiet minutes); `bench/quiet/table12.sh rows64`
# the 64-D rows (both costs) and the 16-D Euclidean row with today's defaults (stop 22; ≈ 700 CPU-s of solves under
# load plus the three certificates, ≈ 1 300–1 800 CPU-s in all).
# Every case is one `hiref tune DATASET D COST N certify=1` whose last line is a `json: {...}` record; the table is
# printed from those records (also kept in $OUT, default /tmp/table12.jsonl, to regenerate the docs table).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
hiref_harness
OUT=${OUT:-/tmp/table12.jsonl}
: > "$OUT"
case "${1:-missing}" in
  missing) CASES=("gaussian-mixture 64 euclidean 131072") ;;
  # stop 20 (hiref2d): the two 2-D squared rows above 0.5% before it (checkerboard: up to 16 slab rounds stopping after two
  # poor rounds; 8 Gaussians → moons: the certificate's bound), ≈ 2 × (60 + 10) CPU-s.
  2d) CASES=("checkerboard 2 sqeuclidean 131072" "eight-gaussians-moons 2 sqeuclidean 131072") ;;
  all) CASES=("half-moon-s-curve 2 sqeuclidean 131072" "maf-moons-rings 2 sqeuclidean 131072" "checkerboard 2 sqeuclidean 131072"
             "eight-gaussians-moons 2 sqeuclidean 131072" "half-moon-s-curve 2 euclidean 131072" "maf-moons-rings 2 euclidean 131072"
             "checkerboard 2 euclidean 131072" "eight-gaussians-moons 2 euclidean 131072" "gaussian-mixture 16 sqeuclidean 131072"
             "gaussian-mixture 16 euclidean 131072" "gaussian-mixture 64 sqeuclidean 131072" "gaussian-mixture 64 euclidean 131072") ;;
  1m) CASES=("half-moon-s-curve 2 sqeuclidean 1048576" "eight-gaussians-moons 2 sqeuclidean 1048576"
            "half-moon-s-curve 2 euclidean 1048576" "eight-gaussians-moons 2 euclidean 1048576") ;;
  # stop 23 (e1m): the 1 048 576-point rows never certified before: the four 2-D Euclidean pairs (`1m-eucl`), checkerboard
  # and MAF moons → rings squared (`1m-sq`), and the 16-D mixture with the Euclidean cost (`1m-16e`: the solve only, its
  # certificate is past a quiet 15 minutes; `CERTIFY=certify=1` adds it). bench/quiet/e1m.sh runs them.
  1m-eucl) CASES=("half-moon-s-curve 2 euclidean 1048576" "checkerboard 2 euclidean 1048576"
                 "maf-moons-rings 2 euclidean 1048576" "eight-gaussians-moons 2 euclidean 1048576") ;;
  1m-sq) CASES=("checkerboard 2 sqeuclidean 1048576" "maf-moons-rings 2 sqeuclidean 1048576") ;;
  # stop 24 (m1m): all eight 2-D rows at 1 048 576 (4 pairs × 2 costs), the squared ones first (≈ 4 × 60–100 quiet CPU-s),
  # then the Euclidean ones (solve ≈ 50–60 quiet CPU-s, certificate up to ≈ 4× that on checkerboard); ≤ 25 quiet minutes.
  1m-all) CASES=("half-moon-s-curve 2 sqeuclidean 1048576" "eight-gaussians-moons 2 sqeuclidean 1048576"
                "checkerboard 2 sqeuclidean 1048576" "maf-moons-rings 2 sqeuclidean 1048576"
                "half-moon-s-curve 2 euclidean 1048576" "eight-gaussians-moons 2 euclidean 1048576"
                "maf-moons-rings 2 euclidean 1048576" "checkerboard 2 euclidean 1048576") ;;
  1m-16e) CASES=("gaussian-mixture 16 euclidean 1048576"); CERTIFY=${CERTIFY-} ;;
  # stop 22 (rows64): the 64-D rows and the 16-D Euclidean row with the exact k-best global step (the default since stop
  # 20); see docs/hiref.md "Stop 22 (rows64)" for the CPU-s measured under load.
  rows64) CASES=("gaussian-mixture 64 sqeuclidean 131072" "gaussian-mixture 64 euclidean 131072" "gaussian-mixture 16 euclidean 131072") ;;
  *) echo "usage: $0 [missing|all|1m|1m-all|1m-eucl|1m-sq|1m-16e|2d|rows64]" >&2; exit 2 ;;
esac
case "${1:-}" in 1m*) BIG=1 ;; *) BIG=0 ;; esac
if [ "$BIG" = 1 ] && [ "$(free -g | awk '/Mem:/{print $7}')" -lt 6 ]; then echo "need >= 6 GB available" >&2; exit 3; fi
uptime
git log -1 --format='commit %h %cs %s' | cut -c1-100
for c in "${CASES[@]}"; do
  # shellcheck disable=SC2086
  "$H" tune $c ${CERTIFY-certify=1} 2>/dev/null | sed -n 's/^json: //p' >> "$OUT"
done
/usr/bin/python3 - "$OUT" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
h = f"{'case':<37} {'n':>8} {'cost':>11} {'bound':>11} {'gap':>8} {'solve_s':>8} {'cert_s':>8} {'solve_cpu':>9} {'cert_cpu':>9} {'cpu_ratio':>9} {'peak_mb':>8}"
print(h)
for r in rows:
    name = f"{r['dataset']} {r['d']}-D {r['cost_function']}"
    f = lambda k, fmt, scale=1: '-' if r.get(k) is None else format(scale * r[k], fmt)
    ratio = '-' if r.get('certify_cpu_s') is None or not r.get('solve_cpu_s') else format(r['certify_cpu_s'] / r['solve_cpu_s'], '.2f')
    print(f"{name:<37} {r['n']:>8} {f('cost', '.6f'):>11} {f('lower_bound', '.6f'):>11} {f('certified_gap', '.3f', 100):>7}% {f('solve_s', '.1f'):>8} {f('certify_s', '.1f'):>8}"
          f" {f('solve_cpu_s', '.1f'):>9} {f('certify_cpu_s', '.1f'):>9} {ratio:>9} {f('process_peak_mb', '.0f'):>8}")
PY
uptime
