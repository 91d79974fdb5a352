#!/usr/bin/env bash
# asc50 (stop 27, issue #14): graph reuse in the certificate's exit ascent (DualBound.AscentReuseGraph, harness key
# ascentreuse=1: passes after the first keep the first pass's graph, exits re-derived for the new prices) and the ascent on
# the 50-D single-cell-like PCA pair, at n = 131 072 (N=... to change). Prints per case the tune line, the `certificate:`
# line (bound, certified gap, certify_cpu_s, solve_cpu_s, cpu_ratio) and the `ascent:` line (the bound before the ascent and
# after each pass, bids per pass, and `cpu_s:` the process CPU-s since the ascent began after each pass), and the process's
# CPU-s and peak KB from /usr/bin/time. Cases:
#   1-2. 16-D mixture, squared and Euclidean, certificate alone (nosolve=1), 3 passes forced (exitfirstgain=0
#        exitpasses=3), reuse off then on: the per-pass bound and CPU-s of each.
#   3-4. 30-D PCA pair, certificate alone, reuse off then on (the default pass rule).
#   5.   50-D PCA pair: HiRef's solve and the certificate with the ascent (exitdim=-1); the first `ascent:` value is the
#        bound of today's default (ascent skipped above d = 30).
#   6.   50-D PCA pair, certificate alone, exitdim=-1 ascentreuse=1.
# Pairs from bench/audit30/make_pairs.py (seeded), obsm/X_pca as float64 .npy. Quiet estimate: 50-70 minutes (each 16-D
# certificate ≈ 250-450 CPU-s, each 30-/50-D one ≈ 500-900, the 50-D solve ≈ 250).
# Needs /usr/bin/python3 with anndata and h5py, `dotnet build -c Release bench/compare/hiref`; run from the repository root.
set -euo pipefail
N=${N:-131072}
DIR=$(mktemp -d /tmp/asc50-quiet.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
H=bench/compare/hiref/bin/Release/net10.0/hiref
uptime
git log -1 --format='commit %h %cs %s' | cut -c1-100
/usr/bin/python3 bench/audit30/make_pairs.py "$DIR" "$N" 30 "$N" 50 > /dev/null
/usr/bin/python3 - "$DIR" "$N" <<'PY'
import sys, h5py, numpy as np
d, n = sys.argv[1:3]
for dim in (30, 50):
    for s in 'ab':
        with h5py.File(f'{d}/{s}_{n}_d{dim}.h5ad', 'r') as f:
            np.save(f'{d}/{s}{dim}.npy', np.asarray(f['obsm/X_pca'], dtype=np.float64))
PY
run() {
  echo "== $*"
  /usr/bin/time -f 'CPU %U %S %M' "$H" tune "$@" 2>&1 | grep -E '^(gaussian|  certificate|  ascent|CPU)' | cut -c1-600
}
for cost in sqeuclidean euclidean; do
  for reuse in 0 1; do
    run gaussian-mixture 16 "$cost" "$N" certify=1 nosolve=1 exitfirstgain=0 exitpasses=3 ascentreuse=$reuse
  done
done
for reuse in 0 1; do
  run gaussian-mixture 30 sqeuclidean "$N" "files=$DIR/a30.npy,$DIR/b30.npy" certify=1 nosolve=1 ascentreuse=$reuse
done
run gaussian-mixture 50 sqeuclidean "$N" "files=$DIR/a50.npy,$DIR/b50.npy" certify=1 exitdim=-1
run gaussian-mixture 50 sqeuclidean "$N" "files=$DIR/a50.npy,$DIR/b50.npy" certify=1 nosolve=1 exitdim=-1 ascentreuse=1
uptime
