#!/usr/bin/python3
"""Monge vs POT 0.8.2 on entropic Gromov-Wasserstein (run with Debian's /usr/bin/python3, which has POT).

    dotnet build bench/compare/gromov/entropic -c Release
    /usr/bin/python3 bench/compare/gromov/compare_entropic.py [n ...] [--eps 1e-2] [--data 2d|30d|both] [--skip-pot]

Problems: n source and n target points, uniform weights; `2d`: x ~ N(0, I_2), y ~ N(0, diag(0.5, 1.5)^2) (seed 0);
`30d`: four Gaussian clusters in 30-D (per-axis scale 1/sqrt(k)), the target a rotated, noisier copy (seed 1).
C1, C2 = squared Euclidean distances divided by their max. Square loss.

Both sides solve the same problem at the same epsilon in POT's convention (T <- sinkhorn(2 L(x)T, eps)):
POT: `ot.gromov.entropic_gromov_wasserstein(C1, C2, p, q, 'square_loss', eps, max_iter=1000, tol=1e-9)` (its stop test
is ||T - T_prev||_F <= 1e-9, checked every 10 iterations; each inner `ot.sinkhorn` runs at most 1000 iterations to
1e-9). Monge: `EntropicGromovWasserstein { Epsilon = eps }` with its defaults (stop at ||T - T_prev||_1 <= 1e-9, a
stricter test; inner log-domain Sinkhorn warm-started, L1 marginal error 1e-10), on the factored costs.
Times: POT's wall time of the call (C1, C2 given; its CPU time in brackets); Monge's time to build the problem and solve
it, measured in the helper (process start and .npy loading excluded), CPU seconds of the whole process over that span in
brackets. The helper solves twice in one process: "first" pays the JIT (a one-shot user), "warm" is the second solve (a
library user solving many problems). "first" is run twice, with the runtime's default tiering (a library user's
process) and with `DOTNET_TC_QuickJitForLoops=0` (the setting of the `monge` CLI, Monge.Cli.csproj). Printed: times,
speed-ups (POT wall / Monge wall), GW value (POT's gw_dist convention) of each plan, outer iterations.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import ot

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
HELPER = os.path.join(ROOT, "bench", "compare", "gromov", "entropic", "bin", "Release", "net10.0", "EntropicCompare.dll")


def option(name, default, cast):
    if name in sys.argv:
        return cast(sys.argv[sys.argv.index(name) + 1])
    return default


def data(kind, n):
    if kind == "2d":
        rng = np.random.RandomState(0)
        return rng.normal(size=(n, 2)), rng.normal(size=(n, 2)) * np.array([0.5, 1.5])
    rng = np.random.RandomState(1)
    d = 30
    scale = 1.0 / np.sqrt(np.arange(1, d + 1))
    centres = rng.normal(size=(4, d)) * 3 * scale
    x = centres[rng.randint(0, 4, size=n)] + rng.normal(size=(n, d)) * scale
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    y = (centres[rng.randint(0, 4, size=n)] + rng.normal(size=(n, d)) * scale * 1.2) @ q
    return x, y


def normalized(x):
    c = ot.dist(x, x)
    return c / c.max()


def main():
    sizes = [int(a) for a in sys.argv[1:] if a.isdigit()] or [1000]
    eps = option("--eps", 1e-2, float)
    kinds = {"both": ["2d", "30d"]}.get(option("--data", "both", str), [option("--data", "both", str)])
    print("| data | n | eps | Monge first s [CPU] | first, CLI JIT s [CPU] | warm s [CPU] | POT s [CPU] | speed-up first / CLI / warm | Monge GW | POT GW | Monge it | POT checks |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for kind in kinds:
        for n in sizes:
            x, y = data(kind, n)
            runs = []
            with tempfile.TemporaryDirectory() as tmp:
                px, py = os.path.join(tmp, "x.npy"), os.path.join(tmp, "y.npy")
                np.save(px, x)
                np.save(py, y)
                for extra in ({}, {"DOTNET_TC_QuickJitForLoops": "0"}):
                    env = dict(os.environ, **extra)
                    out = subprocess.run(["dotnet", HELPER, px, py, repr(eps)], check=True, capture_output=True, text=True, env=env).stdout
                    runs.append(json.loads(out.strip().splitlines()[-1]))
            mine, cli = runs
            if "--skip-pot" in sys.argv:
                pot_s, pot_cpu, pot_gw, pot_checks = float("nan"), float("nan"), float("nan"), 0
            else:
                C1, C2 = normalized(x), normalized(y)
                p = q = np.full(n, 1.0 / n)
                t0, c0 = time.perf_counter(), time.process_time()
                T, log = ot.gromov.entropic_gromov_wasserstein(C1, C2, p, q, "square_loss", eps, max_iter=1000, tol=1e-9, log=True)
                pot_s, pot_cpu = time.perf_counter() - t0, time.process_time() - c0
                pot_gw, pot_checks = log["gw_dist"], len(log["err"])
            status = "converged" if mine["converged"] else "NOT converged"
            print(f"| {kind} | {n} | {eps:g} | {mine['seconds']:.3f} [{mine['cpu_seconds']:.2f}] | {cli['seconds']:.3f} [{cli['cpu_seconds']:.2f}] "
                  f"| {mine['warm_seconds']:.3f} [{mine['warm_cpu_seconds']:.2f}] | {pot_s:.2f} [{pot_cpu:.2f}] "
                  f"| {pot_s / mine['seconds']:.1f}x / {pot_s / cli['seconds']:.1f}x / {pot_s / mine['warm_seconds']:.1f}x "
                  f"| {mine['gw']:.8f} | {pot_gw:.8f} | {mine['iterations']} ({mine['inner']} Sinkhorn, {status}) | {pot_checks} |", flush=True)


if __name__ == "__main__":
    main()
