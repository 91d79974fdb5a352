#!/usr/bin/python3
"""A realistic single-cell pair for the stop-19 walkthrough (docs/testing.md, "Realistic-data walkthrough").

Two AnnData files of 3000 and 5000 cells: obsm/X_pca (30-D, norms in the tens), obsm/spatial in micrometres (0-5000),
obs/cell_type (categorical, 6 types), obs/weight (unequal cell weights, total mass = number of cells x ~1.3, not one).
The same arrays as .npy and .csv (columns pc1..pc30, x, y, cell_type, weight). Seeded; run with Debian's Python:
    /usr/bin/python3 bench/user19/make_pair.py OUTDIR
"""
import sys, os
import numpy as np
import pandas as pd
import anndata as ad

out = sys.argv[1] if len(sys.argv) > 1 else "user19-data"
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(19)
types = np.array(["neuron_L1", "neuron_L2", "neuron_L3", "astrocyte", "oligodendrocyte", "immune"])
means = 4.0 * rng.standard_normal((len(types), 30))   # per-type PCA centre (norms ~ 20)
centres = rng.uniform(800, 4200, (len(types), 2))      # per-type tissue region (um)


def slice_(n, shift, batch):
    t = rng.choice(len(types), n, p=[0.25, 0.2, 0.2, 0.15, 0.12, 0.08])
    pca = means[t] + 1.5 * rng.standard_normal((n, 30)) + batch
    xy = np.clip(centres[t] + 600.0 * rng.standard_normal((n, 2)) + shift, 0, 5000)
    w = rng.lognormal(0.2, 0.5, n)                       # e.g. library-size weights: unequal, total != 1
    return pca, xy, t, w


for name, n, shift, batch in [("src", 3000, (0.0, 0.0), 0.0), ("tgt", 5000, (150.0, -80.0), 0.3)]:
    pca, xy, t, w = slice_(n, np.array(shift), batch)
    obs = pd.DataFrame({"cell_type": pd.Categorical(types[t], categories=types), "weight": w},
                       index=[f"{name}_cell{i}" for i in range(n)])
    a = ad.AnnData(X=np.zeros((n, 0), dtype=np.float32), obs=obs)
    a.obsm["X_pca"] = pca
    a.obsm["spatial"] = xy
    a.write_h5ad(os.path.join(out, f"{name}.h5ad"))
    np.save(os.path.join(out, f"{name}_pca.npy"), pca)
    np.save(os.path.join(out, f"{name}_xy.npy"), xy)
    np.save(os.path.join(out, f"{name}_w.npy"), w)
    np.save(os.path.join(out, f"{name}_type.npy"), t.astype(np.int64))
    df = pd.DataFrame(pca, columns=[f"pc{k + 1}" for k in range(30)])
    df["x"], df["y"], df["cell_type"], df["weight"] = xy[:, 0], xy[:, 1], types[t], w
    df.to_csv(os.path.join(out, f"{name}.csv"), index=False)
    print(name, n, "mass", w.sum())
