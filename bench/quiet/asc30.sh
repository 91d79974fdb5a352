#!/usr/bin/env bash
# asc30 (stop 25, issue #14): the certificate's sparse dual ascent with exits (DualBound.AscentExitPoints) on the
# single-cell-like 30-D PCA pair at n = 131 072, on by default there since asc30 (AscentExitMaxDimension = 30): HiRef's solve
# and `certify=1 exitdim=-1` (the ascent in any dimension) in one `hiref tune` run. Pairs from
# bench/audit30/make_pairs.py (seeded), obsm/X_pca as float64 .npy, squared Euclidean. Prints per case the tune line
# (cost), the `certificate:` line (bound, certified gap, certify_cpu_s against solve_cpu_s) and the `ascent:` line (the
# bound before the ascent and after each pass; bids per pass), and the process's CPU-s and peak KB from /usr/bin/time.
# `asc30.sh 50` runs the 50-D pair instead; EXTRA="exitpasses=1" adds tune keys.
# Under load (helper, 2026-12-07, 30-D): solve 195.6 CPU-s, cost 321.235482; ascent: 314.872644 318.468527 318.863125
# 319.057566 (3 passes), certified gap 0.683% (2.021% without), certify_cpu_s 517.3 (2.64x), 714 CPU-s and 2.03 GB in
# all. Quiet estimate: 12-15 minutes.
# Needs /usr/bin/python3 with anndata and h5py, `dotnet build -c Release bench/compare/hiref`; run from the repository root.
set -euo pipefail
D=${1:-30}
N=${N:-131072}
DIR=$(mktemp -d /tmp/asc30-quiet.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
H=bench/compare/hiref/bin/Release/net10.0/hiref
uptime
git log -1 --format='commit %h %cs %s' | cut -c1-100
/usr/bin/python3 bench/audit30/make_pairs.py "$DIR" "$N" "$D" > /dev/null
/usr/bin/python3 - "$DIR" "$N" "$D" <<'PY'
import sys, h5py, numpy as np
d, n, dim = sys.argv[1:4]
for s in 'ab':
    with h5py.File(f'{d}/{s}_{n}_d{dim}.h5ad', 'r') as f:
        np.save(f'{d}/{s}.npy', np.asarray(f['obsm/X_pca'], dtype=np.float64))
PY
/usr/bin/time -f 'CPU %U %S %M' "$H" tune gaussian-mixture "$D" sqeuclidean "$N" "files=$DIR/a.npy,$DIR/b.npy" certify=1 exitdim=-1 ${EXTRA:-} 2>&1 \
  | grep -E '^(gaussian|  certificate|  ascent|CPU)' | cut -c1-400
uptime
