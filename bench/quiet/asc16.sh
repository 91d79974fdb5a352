#!/usr/bin/env bash
# asc16 (stop 26, issue #14): the certificate's sparse dual ascent with exits (DualBound.AscentExitMaxDimension = 30 since
# asc30) on the rows it newly reaches: the 10-cluster Gaussian mixture in 16-D at n = 131 072, squared Euclidean and
# Euclidean (data seed 1), and the single-cell-like 50-D PCA pair (bench/audit30/make_pairs.py, obsm/X_pca, `exitdim=-1`:
# the ascent above d = 30). One `hiref tune … certify=1` run per row: the solve, then the certificate with the ascent; the
# `ascent:` line's first value is the bound without it (exitdim=6, the behaviour before asc30), then the bound after each
# pass and the bids; the `orders:` line's order_g_cpu_s less order_f_cpu_s is ≈ the ascent's CPU (the ascent runs inside
# the order from g). EXTRA="exitpasses=1" (or any tune keys) is added to every row. Prints per row the tune line,
# `certificate:`, `orders:`, `ascent:` and the process's CPU-s and peak KB from /usr/bin/time.
# Under load (helper, 2026-12-07, sq. 16-D): solve 136.3 CPU-s, cost 87.051272; ascent: 86.639430 86.891106 86.910208
# (2 passes), certified gap 0.475% -> 0.162%, certify_cpu_s 308.1 (2.26x; ≈ 148 without the ascent, 1.09x).
# Euclidean 16-D: solve 168.6 CPU-s, cost 9.278342; ascent: 9.252034 9.265335 9.266133 (2 passes), 0.284% -> 0.132%,
# certify_cpu_s 528.2 (3.13x, over the 3x goal; ≈ 314 without the ascent, 1.86x).
# EXTRA="exitpasses=1": Euclidean 16-D certificate 451.0 CPU-s alone (2.67x), bound 9.265335 (0.140%).
# Quiet estimate: ≈ 25–35 minutes (≈ 2 000 CPU-s on 2 cores; the 50-D row not yet measured anywhere).
# Needs /usr/bin/python3 with anndata and h5py, `dotnet build -c Release bench/compare/hiref`; run from the repository root.
set -euo pipefail
N=${N:-131072}
DIR=$(mktemp -d /tmp/asc16-quiet.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
H=bench/compare/hiref/bin/Release/net10.0/hiref
uptime
git log -1 --format='commit %h %cs %s' | cut -c1-100
run() {
  /usr/bin/time -f 'CPU %U %S %M' "$H" tune "$@" certify=1 ${EXTRA:-} 2>&1 | grep -E '^(gaussian|  certificate|  orders|  ascent|CPU)' | cut -c1-500
}
run gaussian-mixture 16 sqeuclidean "$N"
run gaussian-mixture 16 euclidean "$N"
/usr/bin/python3 bench/audit30/make_pairs.py "$DIR" "$N" 50 > /dev/null
/usr/bin/python3 - "$DIR" "$N" 50 <<'PY'
import sys, h5py, numpy as np
d, n, dim = sys.argv[1:4]
for s in 'ab':
    with h5py.File(f'{d}/{s}_{n}_d{dim}.h5ad', 'r') as f:
        np.save(f'{d}/{s}.npy', np.asarray(f['obsm/X_pca'], dtype=np.float64))
PY
run gaussian-mixture 50 sqeuclidean "$N" "files=$DIR/a.npy,$DIR/b.npy" exitdim=-1
uptime
