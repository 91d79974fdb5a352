#!/usr/bin/python3
"""Monge vs POT 0.8.2 free-support Wasserstein barycenters on the same problems, from the same start, to the same point.

    dotnet build bench/compare/barycenter_free/BaryFreeCompare.csproj -c Release
    /usr/bin/python3 bench/compare/barycenter_free/compare.py [--scales 1,10,30] [--repeats 3] [--seeds 0,1,2]

Problems (POT's example plot_free_support_barycenter.py of 0.8.x, scaled): S = 3 inputs in 2-D, input s has n_s points
drawn from N(mu_s, A_s A_s^T) with n_s uniform in [1, 20 * scale), mu_s ~ N(0, 4^2 I), A_s uniform in [0, 1]^{2x2},
random weights; K = 10 * scale barycenter points with uniform weights, X_init ~ N(0, I) (POT's example).

Stopping, the same on both sides: run to the fixed point. POT: ot.lp.free_support_barycenter(numItermax=1000,
stopThr=1e-20) (it stops when its displacement is 0, i.e. when the exact plans repeat); Monge: FreeSupportBarycenter
with Threshold = 0 (it stops when the exact objective repeats, i.e. when the plans repeat), MaxIterations = 1000.
Accuracy: both objectives sum_s w_s ot.emd2 are computed here by POT at each returned X; the max point difference is
reported.

Times: POT's "first call" is the first ot.lp.free_support_barycenter call on each problem (Python, NumPy and POT already
imported, so start-up is excluded; the first problem of a run also pays POT's lazy imports); "speed-up first call" is
that over Monge's first call. POT's "s" is the best wall (and process CPU) time over the repeats (after one call;
calls under 20 ms are timed in batches of about 20 ms, per call reported, on both sides); Monge's "first
call" is the first FreeSupportBarycenter.Solve of the process (JIT included) and "warm" the best in-process wall (and
process CPU) time over the repeats after a warm-up of twice 2 000 calls or 1 s, whichever comes first, each followed by a
0.5 s pause for the background JIT (loading excluded on both sides). On a
loaded machine compare the CPU columns.
"""
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import ot

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
EXE = os.path.join(ROOT, "bench", "compare", "barycenter_free", "bin", "Release", "net10.0", "BaryFreeCompare.dll")


def option(name, default, cast):
    if name in sys.argv:
        return cast(sys.argv[sys.argv.index(name) + 1])
    return default


def problem(seed, scale):
    rng = np.random.RandomState(seed)
    pts, wts = [], []
    for _ in range(3):
        n = rng.randint(low=1, high=20 * scale)
        mu = rng.normal(0.0, 4.0, (2,))
        a = rng.rand(2, 2)
        cov = a @ a.T
        pts.append(rng.multivariate_normal(mu, cov, size=n))
        w = rng.uniform(0.0, 1.0, (n,))
        wts.append(w / w.sum())
    k = 10 * scale
    x_init = rng.normal(0.0, 1.0, (k, 2))
    b = np.ones(k) / k
    lam = np.ones(3) / 3
    return pts, wts, lam, b, x_init


def objective(x, pts, wts, lam, b):
    return sum(l * ot.emd2(b, w, ot.dist(x, p)) for l, w, p in zip(lam, wts, pts))


def main():
    scales = [int(s) for s in option("--scales", "1,10,30", str).split(",")]
    seeds = [int(s) for s in option("--seeds", "0,1,2", str).split(",")]
    repeats = option("--repeats", 3, int)
    print(f"POT {ot.__version__}; load before: {os.getloadavg()}")
    print("| scale | seed | K | n_s | POT first call s | POT s (cpu) | POT it | Monge first call s | Monge warm s (cpu) | Monge it | speed-up warm wall (cpu) | speed-up first call | objective POT | objective Monge | rel diff | max abs ΔX |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for scale in scales:
            for seed in seeds:
                pts, wts, lam, b, x_init = problem(seed, scale)
                def pot():
                    return ot.lp.free_support_barycenter(pts, wts, x_init.copy(), b, lam, numItermax=1000, stopThr=1e-20,
                                                         log=True)
                t = time.perf_counter()
                x_pot, log = pot()
                pot_first = time.perf_counter() - t  # the first call of this problem in the process (Python and POT already loaded)
                batch = max(1, min(1000, int(0.02 / max(pot_first, 1e-7))))  # ~20 ms batches when fast
                best = best_cpu = float("inf")
                for _ in range(repeats):
                    t, c = time.perf_counter(), time.process_time()
                    for _ in range(batch):
                        x_pot, log = pot()
                    best = min(best, (time.perf_counter() - t) / batch)
                    best_cpu = min(best_cpu, (time.process_time() - c) / batch)
                inp, out = os.path.join(tmp, "in.npz"), os.path.join(tmp, "out.npz")
                np.savez(inp, sizes=np.array([len(p) for p in pts], dtype=float), points=np.vstack(pts),
                         weights=np.concatenate(wts), lambdas=lam, b=b, x_init=x_init)
                subprocess.run(["dotnet", EXE, inp, out, str(repeats)], check=True)
                res = np.load(out)
                f_pot = objective(x_pot, pts, wts, lam, b)
                f_monge = objective(res["x"], pts, wts, lam, b)
                dx = float(np.abs(res["x"] - x_pot).max())
                sec = float(res["seconds"][0])
                cpu = float(res["cpu_seconds"][0])
                first = float(res["first_seconds"][0])
                print(f"| {scale}x | {seed} | {len(b)} | {','.join(str(len(p)) for p in pts)} | {pot_first:.5f} | {best:.5f} ({best_cpu:.5f}) | "
                      f"{len(log['displacement_square_norms'])} | {first:.5f} | {sec:.5f} ({cpu:.5f}) | {int(res['iterations'][0])} | "
                      f"{best / sec:.1f}x ({best_cpu / max(cpu, 1e-9):.1f}x) | {pot_first / first:.2f}x | "
                      f"{f_pot:.10g} | {f_monge:.10g} | {abs(f_monge - f_pot) / f_pot:.1e} | {dx:.1e} |", flush=True)
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
