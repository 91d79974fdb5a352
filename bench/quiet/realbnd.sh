#!/usr/bin/env bash
# realbnd (stop 24, issue #14): the certificate's lower bound on single-cell-like data against the exact optimum, with
# and without the sparse dual ascent (DualBound.AscentCandidates; on by default up to 16 384 points). Pairs from
# bench/audit30/make_pairs.py (seeded), n = 16 384: obsm/spatial (2-D, micrometres) and obsm/X_pca (30-D), squared
# Euclidean; the optimum by the network simplex (`hiref bound … exact=1`). One line per case: bound, optimum, below the
# optimum, CPU-s of the bound alone, peak MB; `ascent:` lines give the bound after each ascent pass.
# Under load (helper, 2026-12-06, CPU-s): 2-D µm 130 229.118 (0.576% below) in 6.0 → 130 983.823 (0.000004%) in 12.2;
# 30-D 308.697715 (0.177%) in 48.0 → 309.223820 (0.0068%) in 52.3. Quiet estimate ≈ 5–8 minutes (the 30-D exact
# optimum ≈ 130 CPU-s, twice). Needs /usr/bin/python3 with anndata and h5py, `dotnet build Monge.slnx -c Release`;
# run from the repository root.
set -euo pipefail
DIR=$(mktemp -d /tmp/realbnd-quiet.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
H=bench/compare/hiref/bin/Release/net10.0/hiref
N=${N:-16384}   # N=2048 for a dry run
uptime
git log -1 --format='commit %h %cs %s' | cut -c1-100
/usr/bin/python3 bench/audit30/make_pairs.py "$DIR" "$N" 30 > /dev/null
/usr/bin/python3 - "$DIR" "$N" <<'PY'
import sys, h5py, numpy as np
d, n = sys.argv[1], sys.argv[2]
for s in 'ab':
    with h5py.File(f'{d}/{s}_{n}_d30.h5ad', 'r') as f:
        np.save(f'{d}/{s}_pca.npy', np.asarray(f['obsm/X_pca'], dtype=np.float64))
        np.save(f'{d}/{s}_um.npy', np.asarray(f['obsm/spatial'], dtype=np.float64))
PY
for key in um pca; do
  for opt in ascent=0 ascent=16; do
    $H bound "$DIR/a_$key.npy" "$DIR/b_$key.npy" "$N" exact=1 "$opt" | tail -2 | tr '\n' ' '
    echo
  done
done
