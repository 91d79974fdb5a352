#!/usr/bin/env bash
# realnb (stop 24, issue #14): the neighbourhood re-solve on the random parts' union (2-D squared Euclidean,
# 65 536 < n <= 262 144; default since stop 24, PartsNeighbourhoodCandidates = 16) against the union without it
# (nbparts=0, the stop-23 default; nbparts=16 is the new default), one after the other, at n = 131 072: the single-cell-like 2-D micrometre pair of
# bench/audit30/make_pairs.py (obsm/spatial; gap to the certified bound computed in the same run, certify=1) and the
# four 2-D squared rows of docs/hiref.md's twelve-case table (gap to their lb=). `tissue` runs only the first case, `synthetic` only the four synthetic rows.
# Under load (helper, CPU-s): see docs/hiref.md "Stop 24 (realnb)". Quiet estimate: ≈ 10 runs of 40–90 s, ≤ 12 minutes.
# Needs /usr/bin/python3 with anndata and numpy, `dotnet build Monge.slnx -c Release`; run from the repository root.
# Prints per run: case, variant, cost, gap, CPU seconds (user + sys) of the process, peak resident MB.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
hiref_harness
DIR=$(mktemp -d /tmp/realnb-quiet.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
N=${N:-131072}   # N=4096 for a dry run
/usr/bin/python3 bench/audit30/make_pairs.py "$DIR" "$N" 30 > /dev/null
/usr/bin/python3 - "$DIR" "$N" <<'PY'
import sys
import anndata
import numpy as np
d, n = sys.argv[1], sys.argv[2]
for side in "ab":
    a = anndata.read_h5ad(f"{d}/{side}_{n}_d30.h5ad")
    np.save(f"{d}/{side}_xy.npy", np.asarray(a.obsm["spatial"], dtype=np.float64))
PY
CASES=("half-moon-s-curve 2 sqeuclidean $N files=$DIR/a_xy.npy,$DIR/b_xy.npy certify=1")
[ "${1:-all}" = synthetic ] && CASES=()
if [ "${1:-all}" = all ] || [ "${1:-all}" = synthetic ]; then
  CASES+=("eight-gaussians-moons 2 sqeuclidean $N lb=7.107039" "checkerboard 2 sqeuclidean $N lb=21.095116"
          "half-moon-s-curve 2 sqeuclidean $N lb=4.142639" "maf-moons-rings 2 sqeuclidean $N lb=22.104687")
elif [ "${1:-all}" != tissue ]; then
  echo "usage: $0 [all|tissue|synthetic]" >&2; exit 2
fi
uptime
git log -1 --format='commit %h %cs %s' | cut -c1-100
printf '%-40s %-12s %12s %9s %8s %8s\n' case variant cost gap cpu_s peak_mb
for c in "${CASES[@]}"; do
  for v in "nbparts=0" "nbparts=16"; do
    # shellcheck disable=SC2086
    out=$( { /usr/bin/time -f 'CPU %U %S %M' "$H" tune $c $v 2>&1 >&3; } 3>&1 )
    line=$(grep -E '^[a-z-]+,[0-9]+,' <<< "$out" | tail -1)
    cost=$(grep -oE ',cost=[0-9.]+' <<< "$line" | cut -d= -f2)
    gap=$( (grep -oE 'certified_gap=[^,]+' <<< "$out" || true) | head -1 | cut -d= -f2 | tr -d ' ')
    [ -n "$gap" ] || gap=$(grep -oE ',gap=[^,]+' <<< "$line" | cut -d= -f2 | tr -d ' ')
    read -r cpu mb <<< "$(tune_cpu "$out")"
    name=$(cut -d' ' -f1-4 <<< "$c"); [[ "$c" == *files=* ]] && name="tissue 2-D um $N"
    printf '%-40s %-12s %12s %9s %8s %8s\n' "$name" "$v" "$cost" "$gap" "$cpu" "$mb"
  done
done
uptime
