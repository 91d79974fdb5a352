#!/usr/bin/python3
"""Single-cell-like slice pairs for the stop-23 audit of `monge match --method hiref` (docs/hiref.md,
"Stop 23 (audit30): a user's run on single-cell-like data").

Two AnnData slices per (n, d): obsm/X_pca (d-D float32, 14 cell types with norms in the tens, a batch shift between the
slices, unequal cell-type proportions that differ between the slices), obsm/spatial in micrometres (0-10 000 um,
per-type tissue regions, a rigid shift and small rotation between slices), obsm/spatial_mm (the same in millimetres),
obs/cell_type (categorical) and obs/weight (unequal library-size weights, total != 1). Seeded; run with Debian's Python:

    /usr/bin/python3 bench/audit30/make_pairs.py OUTDIR N D [N D ...]

writes OUTDIR/a_N_dD.h5ad and OUTDIR/b_N_dD.h5ad.
"""
import os
import sys

import anndata as ad
import numpy as np
import pandas as pd

TYPES = np.array(["exc_L2/3", "exc_L4", "exc_L5", "exc_L6", "inh_Pvalb", "inh_Sst", "inh_Vip", "astro", "oligo",
                  "OPC", "micro", "endo", "peri", "VLMC"])
P_A = np.array([0.16, 0.12, 0.11, 0.09, 0.05, 0.04, 0.03, 0.10, 0.14, 0.04, 0.04, 0.04, 0.02, 0.02])
P_B = np.array([0.12, 0.14, 0.09, 0.11, 0.06, 0.03, 0.02, 0.13, 0.10, 0.05, 0.06, 0.05, 0.02, 0.02])


def make(out, n, d):
    rng = np.random.default_rng(23_000 + 7 * d)          # one seed per dimension: both sizes share the biology
    k = len(TYPES)
    # Cell-type centres with norms in the tens; subtypes (3 per type) along a few axes give elongated clusters.
    means = 6.0 * rng.standard_normal((k, d))
    sub = 2.0 * rng.standard_normal((k, 3, d))
    scales = np.linspace(3.0, 0.3, d) ** 0.5              # PCA-like decaying variance per component
    batch = 1.5 * rng.standard_normal(d) * scales         # batch effect of slice b
    centres = rng.uniform(1500, 8500, (k, 2))             # per-type tissue regions (um)
    spread = rng.uniform(400, 1600, k)
    rot = np.deg2rad(4.0)
    R = np.array([[np.cos(rot), -np.sin(rot)], [np.sin(rot), np.cos(rot)]])
    for name, p, shifted in (("a", P_A, False), ("b", P_B, True)):
        t = rng.choice(k, n, p=p / p.sum())
        s = rng.integers(0, 3, n)
        pca = means[t] + sub[t, s] + scales * rng.standard_normal((n, d))
        xy = centres[t] + spread[t, None] * rng.standard_normal((n, 2))
        if shifted:
            pca = pca + batch
            xy = (xy - 5000.0) @ R.T + 5000.0 + np.array([180.0, -120.0])
        xy = np.clip(xy, 0.0, 10_000.0)
        w = rng.lognormal(0.0, 0.6, n)
        obs = pd.DataFrame({"cell_type": pd.Categorical(TYPES[t], categories=TYPES), "weight": w},
                           index=[f"{name}{i}" for i in range(n)])
        a = ad.AnnData(X=np.zeros((n, 0), dtype=np.float32), obs=obs)
        a.obsm["X_pca"] = pca.astype(np.float32)
        a.obsm["spatial"] = xy
        a.obsm["spatial_mm"] = xy / 1000.0
        path = os.path.join(out, f"{name}_{n}_d{d}.h5ad")
        a.write_h5ad(path)
        print(path, "pca norm mean %.1f" % np.linalg.norm(pca, axis=1).mean(), "weight total %.1f" % w.sum())


if __name__ == "__main__":
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    args = sys.argv[2:]
    for i in range(0, len(args), 2):
        make(out, int(args[i]), int(args[i + 1]))
