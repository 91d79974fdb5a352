#!/usr/bin/python3
"""Monge exact solvers vs SciPy linear_sum_assignment and POT ot.emd on the same point sets.

Usage (from the repository root, after `dotnet build -c Release bench/compare/exact/ExactCompare.csproj`):
    /usr/bin/python3 bench/compare/exact/compare.py [--sizes 2000 4000 8000] [--instances uniform spiral]
        [--scipy-max 8000] [--repeats 1] [--skip-emd]
    point-cloud mode (high dimension): add --dims 2 50 [--pot-max 8192], instances also gauss and mixture
Instances: `uniform` = uniform points in the unit square (both sides); `spiral` = a noisy spiral matched to a
shifted disc/annulus (the structured kind, see the pitfalls notes). Cost: squared Euclidean. Each tool is timed on
the cost matrix only (building C is excluded for everyone), except `lap-points`, Monge's point-cloud entry point,
which computes the costs itself. Prints wall seconds, CPU seconds of the solving process (less sensitive to other
load on a shared machine), costs and ratios (peer / Monge, > 1: Monge faster).
"""
import argparse
import os
import subprocess
import tempfile
import time

import numpy as np
import ot
from scipy.optimize import linear_sum_assignment

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "bin", "Release", "net10.0", "ExactCompare")


def instance(kind, n, seed=0, dim=2):
    rng = np.random.default_rng(seed)
    if kind == "uniform":
        return rng.random((n, dim)), rng.random((n, dim))
    if kind == "gauss":
        # Standard normal sources, targets shifted by 0.5 in every coordinate (PCA-like spread in `dim` dimensions).
        return rng.normal(size=(n, dim)), rng.normal(size=(n, dim)) + 0.5
    if kind == "mixture":
        # Structured: 8 clusters (centres N(0, 4² I), unit spread); the targets' clusters move by a random 2-unit step
        # and hold other shares of the points, so nearest-column guesses collide (the hard kind for assignment solvers).
        centres = 4 * rng.normal(size=(8, dim))
        step = rng.normal(size=(8, dim))
        step *= 2 / np.linalg.norm(step, axis=1, keepdims=True)
        xs = centres[rng.integers(0, 8, n)] + rng.normal(size=(n, dim))
        ys = (centres + step)[rng.choice(8, n, p=rng.dirichlet(np.ones(8)))] + rng.normal(size=(n, dim))
        return xs, ys
    t = np.sqrt(rng.random(n)) * 4 * np.pi
    x = np.c_[t * np.cos(t), t * np.sin(t)] / (4 * np.pi) + 0.02 * rng.normal(size=(n, 2))
    s = rng.random(n) * 2 * np.pi
    r = np.sqrt(0.25 + 0.75 * rng.random(n))
    return x, np.c_[r * np.cos(s) + 0.5, r * np.sin(s) + 0.2]


def monge(method, xf, yf, repeats):
    """(wall seconds, CPU seconds, cost) of one Monge solve (best of `repeats`)."""
    out = subprocess.run([TOOL, method, xf, yf, str(repeats)], check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[2]), float(out[1])


def timed(f):
    w0, c0 = time.perf_counter(), time.process_time()
    value = f()
    return time.perf_counter() - w0, time.process_time() - c0, value


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", type=int, nargs="+", default=[2000, 4000, 8000])
    p.add_argument("--instances", nargs="+", default=["uniform", "spiral"])
    p.add_argument("--scipy-max", type=int, default=8000, help="skip SciPy above this n")
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--skip-emd", action="store_true", help="time only the assignment solvers")
    p.add_argument("--dims", type=int, nargs="+", default=None,
                   help="point-cloud mode: Monge's point-cloud entry point (new memory budget vs the old fixed 2^24 "
                        "entries) against SciPy (dense cost given) and POT ot.emd2 (exact oracle), in these dimensions")
    p.add_argument("--pot-max", type=int, default=8192, help="point-cloud mode: skip POT above this n")
    args = p.parse_args()
    if args.dims:
        return points_mode(args)
    tmp = tempfile.mkdtemp()
    print(f"uptime: {os.getloadavg()}")
    print(f"{'instance':8} {'n':>5} {'lap wall':>8} {'cpu':>6} {'points':>7} {'cpu':>6} {'scipy':>7} {'cpu':>6} "
          f"{'ratio':>5} {'cpu':>5} {'pts':>5} {'cpu':>5} {'emd':>6} {'pot':>7} {'ratio':>5}  agree")
    for kind in args.instances:
        for n in args.sizes:
            x, y = instance(kind, n)
            xf, yf = os.path.join(tmp, "x.npy"), os.path.join(tmp, "y.npy")
            np.save(xf, x)
            np.save(yf, y)
            t_lap, u_lap, c_lap = monge("lap", xf, yf, args.repeats)
            t_pts, u_pts, c_pts = monge("lap-points", xf, yf, args.repeats)
            c = ot.dist(x, y)
            t_sp = u_sp = float("nan")
            c_sp = c_lap
            if n <= args.scipy_max:
                t_sp, u_sp, (r, col) = timed(lambda: linear_sum_assignment(c))
                c_sp = c[r, col].sum()
            t_emd = t_pot = float("nan")
            c_emd = c_pot = c_lap
            if not args.skip_emd:
                t_emd, _, c_emd = monge("emd", xf, yf, args.repeats)
                a = np.full(n, 1.0 / n)
                t_pot, _, c_pot = timed(lambda: ot.emd2(a, a, c, numItermax=10**9) * n)
            agree = np.allclose([c_lap, c_pts, c_emd, c_sp, c_pot], c_lap, rtol=1e-9)
            print(f"{kind:8} {n:5d} {t_lap:8.3f} {u_lap:6.3f} {t_pts:7.3f} {u_pts:6.3f} {t_sp:7.3f} {u_sp:6.3f} "
                  f"{t_sp / t_lap:5.2f} {u_sp / u_lap:5.2f} {t_sp / t_pts:5.2f} {u_sp / u_pts:5.2f} "
                  f"{t_emd:6.3f} {t_pot:7.3f} {t_pot / t_emd:5.2f}  {agree}", flush=True)
        print(f"uptime: {os.getloadavg()}", flush=True)


def points_mode(args):
    """Point clouds in, matching out: Monge computes its costs (new budget vs old), SciPy and POT get C = ot.dist."""
    tmp = tempfile.mkdtemp()
    print(f"uptime: {os.getloadavg()}")
    print(f"{'instance':8} {'d':>3} {'n':>5} {'new':>7} {'cpu':>7} {'old':>7} {'cpu':>7} {'old/new':>7} {'scipy':>7} {'cpu':>7} "
          f"{'sp/new':>6} {'pot':>7} {'pot/new':>7}  agree (new cost)")
    for kind in args.instances:
        for dim in args.dims:
            for n in args.sizes:
                x, y = instance(kind, n, dim=dim)
                xf, yf = os.path.join(tmp, "x.npy"), os.path.join(tmp, "y.npy")
                np.save(xf, x)
                np.save(yf, y)
                t_new, u_new, c_new = monge("lap-points", xf, yf, args.repeats)
                t_old, u_old, c_old = monge("lap-points@67108864", xf, yf, args.repeats)
                c = ot.dist(x, y)
                t_sp = u_sp = t_pot = float("nan")
                c_sp = c_pot = c_new
                if n <= args.scipy_max:
                    t_sp, u_sp, (r, col) = timed(lambda: linear_sum_assignment(c))
                    c_sp = c[r, col].sum()
                if n <= args.pot_max and not args.skip_emd:
                    a = np.full(n, 1.0 / n)
                    t_pot, _, c_pot = timed(lambda: ot.emd2(a, a, c, numItermax=10**9) * n)
                agree = np.allclose([c_old, c_sp, c_pot], c_new, rtol=1e-9)
                print(f"{kind:8} {dim:3d} {n:5d} {t_new:7.2f} {u_new:7.2f} {t_old:7.2f} {u_old:7.2f} {t_old / t_new:7.2f} "
                      f"{t_sp:7.2f} {u_sp:7.2f} {t_sp / t_new:6.2f} {t_pot:7.2f} {t_pot / t_new:7.2f}  {agree} ({c_new:.10g})",
                      flush=True)
    print(f"uptime: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
