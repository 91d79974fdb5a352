#!/usr/bin/env bash
# audit30 (stop 23, issue #14): `monge match --method hiref --certify` run as a single-cell user would, on seeded
# AnnData slice pairs made by bench/audit30/make_pairs.py (obsm/X_pca 30-D and 50-D float32 with 14 cell types, a batch
# shift and unequal type proportions between slices; obsm/spatial in micrometres 0–10 000, obsm/spatial_mm the same in
# millimetres), n = 131 072, balanced (default) budget, squared Euclidean. One line per case: CPU-s (solve + certificate),
# peak RSS, cost, certified gap, the certificate's wall seconds against the solve's, the polish steps that ran. The last
# line compares the µm and mm permutations (units must not change the answer).
# Under load (helper, 2026-12-06): 30-D 246 CPU-s, 1.27 GB, gap 2.211%; 50-D 381 CPU-s, 2.53 GB, 1.699%; 2-D µm 75
# CPU-s, 0.24 GB, 8.300%; mm the same cost. Estimate on a quiet 2-core machine: ≈ 750 CPU-s in all, 7–10 minutes. `audit30.sh 2d` runs the
# two spatial cases only. Needs /usr/bin/python3 with anndata (docs/pitfalls: Debian's python3-anndata) and
# `dotnet build Monge.slnx -c Release`; run from the repository root.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DIR=$(mktemp -d /tmp/audit30-quiet.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
uptime
git log -1 --format='commit %h %cs %s' | cut -c1-100
which=${1:-all}
N=${N:-131072}   # N=2048 for a dry run
case "$which" in
  all) DIMS="30 50" ;;
  2d) DIMS="30" ;;
  *) echo "usage: $0 [all|2d]" >&2; exit 2 ;;
esac
args=()
for d in $DIMS; do args+=("$N" "$d"); done
/usr/bin/python3 bench/audit30/make_pairs.py "$DIR" "${args[@]}" > /dev/null

run() { # name, n, d, obsm key, extra options...
  local name=$1 n=$2 d=$3 key=$4
  timed_match "$DIR/$name" "$DIR/a_${n}_d$d.h5ad#obsm/$key" "$DIR/b_${n}_d$d.h5ad#obsm/$key" "${@:5}" || return 0
  summary_row "$DIR/$name.json" "$DIR/$name.time" \
    '| {name} | {cpu:.1f} | {rss_gb:.2f} GB | {cost:.6g} | {gap_pct} | {seconds:.1f} | {certify_seconds} | {steps} |' name="$name" \
    gap_pct="$(/usr/bin/python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print('%.3f%%' % (100 * j['gap']) if 'gap' in j else '-')" "$DIR/$name.json")" \
    steps="$(/usr/bin/python3 -c "import json,sys; print(' '.join('%s:%d' % (s['step'], s['rounds']) for s in json.load(open(sys.argv[1]))['polish_steps']))" "$DIR/$name.json")"
}
echo "| case | CPU s (solve + certificate) | peak RSS | cost | certified gap | solve s | certify s | polish steps:rounds |"
echo "|---|---|---|---|---|---|---|---|"
if [ "$which" = all ]; then
  run pca30-$N "$N" 30 X_pca --certify
  run pca50-$N "$N" 50 X_pca --certify
fi
run xy-um-$N "$N" 30 spatial --certify
run xy-mm-$N "$N" 30 spatial_mm   # the same solve in mm (no certificate: its gap matched the µm one under load)
/usr/bin/python3 - "$DIR/xy-um-$N-p.npy" "$DIR/xy-mm-$N-p.npy" "$DIR/xy-um-$N.json" "$DIR/xy-mm-$N.json" <<'PY'
import json, sys
import numpy as np
p, q = np.load(sys.argv[1]), np.load(sys.argv[2])
a, b = json.load(open(sys.argv[3])), json.load(open(sys.argv[4]))
print("units: um vs mm: %d of %d rows differ (exact ties: identical clipped corner points); cost ratio mm/um x 1e6 - 1 = %.2e"
      % ((p != q).sum(), len(p), b["cost"] * 1e6 / a["cost"] - 1))
PY
uptime
