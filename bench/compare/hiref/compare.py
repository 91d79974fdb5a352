#!/usr/bin/python3
"""HiRef quality sweep against the exact optimum and POT Sinkhorn's primal cost.

Usage (from the repository root, after `dotnet build -c Release bench/compare/hiref`):
    /usr/bin/python3 bench/compare/hiref/compare.py [--max-n 16384] [--exact-max 10007] [--scipy-max 0]
        [--sinkhorn-max 10007] [--eps 0.05]
Runs the C# tool's `quality` mode (half-moon → S-curve, checkerboard, MAF moons → rings, 8 Gaussians → moons,
Gaussian mixtures d = 16 and 64; n = 4096, 10007, 16384; squared Euclidean and Euclidean), which reports HiRef's
cost and Monge's exact Jonker–Volgenant optimum (n ≤ --exact-max), and dumps the points. For each case this script
adds SciPy's `linear_sum_assignment` optimum (n ≤ --scipy-max) and POT's Sinkhorn primal cost ⟨P, C⟩
(n ≤ --sinkhorn-max; dense n×n, about 4 n² doubles of memory): ε = --eps absolute for the Euclidean cost (the
reference's set-up: p = 1, ε = 0.05, stop threshold 1e-3) and ε = eps·mean(C) for the squared Euclidean cost, whose
scale differs by orders of magnitude between the 2-D pairs and the d = 64 mixture.
"""
import argparse
import csv
import io
import os
import subprocess
import tempfile
import time

import numpy as np
import ot
from scipy.optimize import linear_sum_assignment

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "bin", "Release", "net10.0", "hiref")


def cost_matrix(x, y, kind):
    c = ot.dist(x, y)  # squared Euclidean
    return c if kind == "SquaredEuclidean" else np.sqrt(np.maximum(c, 0))


def sinkhorn_primal(c, eps):
    n = c.shape[0]
    a = np.full(n, 1.0 / n)
    p = ot.sinkhorn(a, a, c, eps, numItermax=100000, stopThr=1e-3)
    if not np.all(np.isfinite(p)):
        p = ot.sinkhorn(a, a, c, eps, method="sinkhorn_log", numItermax=100000, stopThr=1e-3)
    return float(np.sum(p * c))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-n", type=int, default=16384)
    ap.add_argument("--exact-max", type=int, default=10007, help="Monge exact LAP up to this n")
    ap.add_argument("--scipy-max", type=int, default=0, help="SciPy linear_sum_assignment up to this n")
    ap.add_argument("--sinkhorn-max", type=int, default=10007)
    ap.add_argument("--eps", type=float, default=0.05)
    ap.add_argument("--from-csv", nargs=2, metavar=("CSV", "DIR"),
                    help="reuse the output and point dump of an earlier `hiref quality MAX_N EXACT_MAX DIR > CSV` run")
    args = ap.parse_args()
    if args.from_csv:
        with open(args.from_csv[0]) as f:
            out = f.read()
        tmp = args.from_csv[1]
    else:
        tmp = tempfile.mkdtemp()
        out = subprocess.run([TOOL, "quality", str(args.max_n), str(args.exact_max), tmp], check=True, capture_output=True, text=True).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    print(f"{'dataset':22} {'d':>2} {'cost':16} {'n':>6} {'hiref':>11} {'s':>6} {'exact':>11} {'ratio':>7} {'scipy':>11} {'eps':>7} {'sinkhorn':>11} {'s':>6} {'hiref/sk':>8}")
    for r in rows:
        n = int(r["n"])
        stem = os.path.join(tmp, f"{r['dataset']}-{r['d']}-{n}")
        x, y = np.load(stem + "-x.npy"), np.load(stem + "-y.npy")
        hiref = float(r["hiref_cost"])
        exact = float(r["exact_cost"])
        scipy_cost = float("nan")
        sk = float("nan")
        sk_s = float("nan")
        eps = float("nan")
        if n <= max(args.scipy_max, args.sinkhorn_max):
            c = cost_matrix(x, y, r["cost"])
            if n <= args.scipy_max:
                i, j = linear_sum_assignment(c)
                scipy_cost = float(c[i, j].mean())
                if not np.isfinite(exact):
                    exact = scipy_cost
            if n <= args.sinkhorn_max:
                eps = args.eps if r["cost"] == "Euclidean" else args.eps * float(c.mean())
                t = time.perf_counter()
                sk = sinkhorn_primal(c, eps)
                sk_s = time.perf_counter() - t
            del c
        print(f"{r['dataset']:22} {r['d']:>2} {r['cost']:16} {n:>6} {hiref:11.6f} {float(r['seconds']):6.2f} {exact:11.6f} "
              f"{hiref / exact:7.5f} {scipy_cost:11.6f} {eps:7.4f} {sk:11.6f} {sk_s:6.1f} {hiref / sk:8.5f}", flush=True)


if __name__ == "__main__":
    main()
