#!/usr/bin/env bash
# realasc (stop 25, issue #14): the certificate's lower bound on the single-cell-like 2-D micrometre slices at n = 131 072
# with the sparse dual ascent with exits (DualBound.AscentExitPoints, on by default above 16 384 points up to
# AscentMaxPoints = 131 072, dimension <= 6) against the bound without it (ascent=0), and the 16 384 row (ascent without
# exits, unchanged) against the network-simplex optimum 130 983.828684. Pairs from bench/audit30/make_pairs.py (seeded),
# squared Euclidean, `hiref bound` (the bound alone). One line per case: bound, CPU-s of the bound, peak MB; `ascent:`
# lines give the bound before the ascent and after each pass, and the auction's bids per pass.
# Under load (helper, 2026-12-06, CPU-s): 131 072: 153 597.496 without; with exits 156 227.69, 156 841.10, 157 178.55,
# 157 396.45, 157 549.86 (default stops here: gain < 1e-3), 157 664.12 after a sixth pass in 333.8 CPU-s (6 passes);
# 16 384: 130 983.823345 (unchanged). Quiet estimate ≈ 6–10 minutes (the 131 072 ascent ≈ 4 minutes).
# Needs /usr/bin/python3 with anndata and h5py, `dotnet build Monge.slnx -c Release`; run from the repository root.
set -euo pipefail
DIR=$(mktemp -d /tmp/realasc-quiet.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
H=bench/compare/hiref/bin/Release/net10.0/hiref
uptime
git log -1 --format='commit %h %cs %s' | cut -c1-100
/usr/bin/python3 bench/audit30/make_pairs.py "$DIR" 131072 30 16384 30 > /dev/null
/usr/bin/python3 - "$DIR" <<'PY'
import sys, h5py, numpy as np
d = sys.argv[1]
for n in (131072, 16384):
    for s in 'ab':
        with h5py.File(f'{d}/{s}_{n}_d30.h5ad', 'r') as f:
            np.save(f'{d}/{s}_{n}_um.npy', np.asarray(f['obsm/spatial'], dtype=np.float64))
PY
for opt in ascent=0 ascent=16; do
  $H bound "$DIR/a_131072_um.npy" "$DIR/b_131072_um.npy" 131072 exact=0 "$opt" | tail -2 | tr '\n' ' '
  echo
done
$H bound "$DIR/a_16384_um.npy" "$DIR/b_16384_um.npy" 16384 exact=0 opt=130983.828684 | tail -2 | tr '\n' ' '
echo
