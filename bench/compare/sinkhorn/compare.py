#!/usr/bin/python3
"""Monge vs POT on the same entropic OT problems (run with Debian's /usr/bin/python3, which has POT 0.8.2).

    dotnet build src/Monge.Cli -c Release
    /usr/bin/python3 bench/compare/sinkhorn/compare.py [n ...] [--thr 1e-6] [--ref-thr 1e-9] [--log-full-max 2000]
        [--data 2d|pca30 | --dim 2|30] [--plain] [--best] [--pot-runs 3] [--warm]

Problems (--data): `2d` (default): n = m points, uniform weights, x ~ U[0,1]^2, y ~ U[0,1]^2 + 0.2 (seed 0);
`pca30`: n source and 0.9 n target points in 30-D shaped like PCA scores (per-axis scale 25/sqrt(k), four clusters,
the target shifted by 3 on every axis; norms about 80; seed 1). Squared Euclidean cost, eps = 0.01 * mean(C) passed
to Monge as an absolute --epsilon (the same number on both sides, printed). Monge runs with its DEFAULTS otherwise
(adaptive over-relaxation, automatic cost storage); --plain adds a plain-Sinkhorn run (--momentum 1), --best the
hand-tuned eps-scaling + momentum 1.8 of earlier revisions.

Stopping, the same definition on both sides: POT's `ot.sinkhorn` stops when ||P^T 1 - b||_2 < stopThr, checked every
10 iterations right after its u update (so P 1 = a exactly); Monge `--norm l2` checks the same quantity every 10
iterations after its f update. With momentum Monge adds the row error ||P 1 - a||_2 (stricter). Both marginal
errors (row, column; L2) of every returned plan are recomputed here from the plan (Monge's from its potentials via
--potentials-out) and printed.

Cost agreement: a threshold of 1e-6 on the L2 marginal error leaves each solver's cost about 1e-5..1e-4 (relative)
away from the converged entropic cost, in different directions for different iteration paths, so the cost of each
run is also compared with a reference: the converged cost at --ref-thr (Monge ε-scaling + momentum, cheap; checked
against POT at the same threshold when --check-ref is given).

Times: Monge's is the solver's own "seconds" (file loading and process start excluded; the first-call JIT included).
POT's is the wall time of the call plus ot.dist, the median of --pot-runs runs (default 3; all are printed). The whole
`monge solve` process (runtime start, argument parsing, reading the .npy files, JIT, solve, writing the potentials) is
also timed from outside ("process s"). --warm adds, in one separate process with the CLI's JIT setting
(DOTNET_TC_QuickJitForLoops=0, as Monge.Cli.csproj sets), three solves of the same problem with the library's defaults
(`Monge.Benchmarks.dll sinkhorn-warm`): the first (JIT included, as in the CLI) and the median of the next two ("warm":
the code already compiled, as in a long-lived process or notebook), each timed around Solve alone, with its ratio. `sinkhorn_log` runs to the threshold for n <= --log-full-max;
above, it runs 30 iterations and its time is extrapolated to the iteration count `ot.sinkhorn` needed (the two make
the same iterates in exact arithmetic), marked "~".
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
import ot

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CLI = os.path.join(ROOT, "src", "Monge.Cli", "bin", "Release", "net10.0", "Monge.Cli.dll")
BENCH = os.path.join(ROOT, "bench", "Monge.Benchmarks", "bin", "Release", "net10.0", "Monge.Benchmarks.dll")
BEST = ["--epsilon-scaling", "100", "--epsilon-decay", "0.8", "--momentum", "1.8"]


def option(name, default, cast):
    if name in sys.argv:
        return cast(sys.argv[sys.argv.index(name) + 1])
    return default


def monge(tmp, x_path, y_path, eps, thr, extra):
    pot = os.path.join(tmp, "potentials.npz")
    cmd = ["dotnet", CLI, "solve", "--source", x_path, "--target", y_path, "--epsilon", repr(eps),
           "--threshold", repr(thr), "--norm", "l2", "--max-iterations", "100000", "--json",
           "--potentials-out", pot, "--overwrite"] + extra
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    js = json.loads(out)
    js["process_wall"] = wall
    # CPU seconds (user + sys) of the whole `monge solve` process: start, JIT, file loading and the solve.
    js["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    z = np.load(pot)
    return js, z["f"], z["g"]


def monge_warm(x_path, y_path, eps, thr, solves=3):
    """First and warm solves in one process with the CLI's JIT setting (see the module docstring)."""
    env = dict(os.environ, DOTNET_TC_QuickJitForLoops="0")
    out = subprocess.run(["dotnet", BENCH, "sinkhorn-warm", x_path, y_path, repr(eps), repr(thr), str(solves)],
                         check=True, capture_output=True, text=True, env=env).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def marginal_errors(P, a, b):
    return np.linalg.norm(P.sum(1) - a), np.linalg.norm(P.sum(0) - b)


def main():
    thr = option("--thr", 1e-6, float)
    ref_thr = option("--ref-thr", 1e-9, float)
    log_full_max = option("--log-full-max", 2000, int)
    check_ref = "--check-ref" in sys.argv
    pot_runs = option("--pot-runs", 3, int)
    warm = "--warm" in sys.argv
    skip = {"--thr", "--ref-thr", "--log-full-max", "--data", "--dim", "--pot-runs"}
    args = [a for i, a in enumerate(sys.argv[1:], 1) if not a.startswith("--") and sys.argv[i - 1] not in skip]
    data = option("--data", {"2": "2d", "30": "pca30"}[option("--dim", "2", str)], str)
    sizes = [int(a) for a in args] or [2000, 4000]
    variants = [("defaults", [])]
    if "--plain" in sys.argv:
        variants.append(("plain", ["--momentum", "1", "--cost-storage", "online"]))
    if "--best" in sys.argv:
        variants.append(("best", BEST))
    names = [v[0] for v in variants]
    print(f"data {data}, threshold {thr:g} (L2), reference threshold {ref_thr:g}; load average {os.getloadavg()[0]:.1f}")
    print("| n x m | POT sinkhorn s (it) | POT sinkhorn_log s | " + " | ".join(f"Monge {v} s (it)" for v in names)
          + " | defaults: x vs sinkhorn | x vs sinkhorn_log | rel. cost error vs converged: POT / " + " / ".join(names)
          + " | marginal L2 errors (row, col): POT / " + " / ".join(names) + " | Monge defaults: momentum, geometry, kernel |"
          + " CPU s: POT sinkhorn / Monge defaults (whole process) | CPU ratio |")
    print("|" + "---|" * (9 + len(names)))
    for n in sizes:
        if data == "pca30":
            rng = np.random.RandomState(1)
            scale = 25.0 / np.sqrt(np.arange(1, 31))
            centers = np.random.RandomState(5).normal(size=(4, 30)) * scale * 1.5

            def pca(count, shift):
                return rng.normal(size=(count, 30)) * scale + centers[rng.randint(0, 4, size=count)] + shift

            x = pca(n, 0.0)
            y = pca(int(0.9 * n), 3.0)
        else:
            rng = np.random.RandomState(0)
            x = rng.uniform(size=(n, 2))
            y = rng.uniform(size=(n, 2)) + 0.2
        a = np.full(len(x), 1.0 / len(x))
        b = np.full(len(y), 1.0 / len(y))
        with tempfile.TemporaryDirectory() as tmp:
            xp, yp = os.path.join(tmp, "x.npy"), os.path.join(tmp, "y.npy")
            np.save(xp, x)
            np.save(yp, y)
            pot_times, pot_cpus = [], []
            for _ in range(pot_runs):
                t = time.perf_counter()
                c0 = time.process_time()
                M = ot.dist(x, y)
                eps = 0.01 * M.mean()
                P, log = ot.sinkhorn(a, b, M, eps, stopThr=thr, numItermax=100000, log=True)
                pot_times.append(time.perf_counter() - t)
                pot_cpus.append(time.process_time() - c0)
            t_pot = float(np.median(pot_times))
            cpu_pot = float(np.median(pot_cpus))
            it_pot = log["niter"]
            cost_pot = float((P * M).sum())
            err_pot = marginal_errors(P, a, b)
            del P
            t = time.perf_counter()
            if n <= log_full_max:
                ot.sinkhorn(a, b, M, eps, method="sinkhorn_log", stopThr=thr, numItermax=100000)
                t_log = time.perf_counter() - t
                log_mark = ""
            else:
                ot.sinkhorn(a, b, M, eps, method="sinkhorn_log", stopThr=0.0, numItermax=30)
                t_log = (time.perf_counter() - t) / 30 * it_pot
                log_mark = "~"
            runs = {}
            for name, extra in variants:
                js, f, g = monge(tmp, xp, yp, eps, thr, extra)
                assert abs(js["epsilon"] - eps) <= 1e-15 * eps, (js["epsilon"], eps)
                Pm = a[:, None] * b[None, :] * np.exp((f[:, None] + g[None, :] - M) / eps)
                runs[name] = (js, marginal_errors(Pm, a, b))
                del Pm
            warm_runs = monge_warm(xp, yp, eps, thr) if warm else None
            ref, _, _ = monge(tmp, xp, yp, eps, ref_thr, [])
            cost_ref = ref["cost"]
            if check_ref:
                P, _ = ot.sinkhorn(a, b, M, eps, stopThr=ref_thr, numItermax=100000, log=True)
                pot_ref = float((P * M).sum())
                print(f"n={n}: reference cost {cost_ref:.12g} (Monge, thr {ref_thr:g}) vs POT at the same threshold "
                      f"{pot_ref:.12g}: rel. diff {abs(cost_ref - pot_ref) / pot_ref:.1e}", flush=True)
                del P
            del M
        defaults = runs["defaults"][0]

        def rel(c, r):
            return abs(c - r) / abs(r)

        def errs(e):
            return f"{e[0]:.1e}, {e[1]:.1e}"

        times = " | ".join(f"{runs[v][0]['seconds']:.2f} ({runs[v][0]['iterations']})" for v in names)
        costs = " / ".join(f"{rel(runs[v][0]['cost'], cost_ref):.1e}" for v in names)
        margs = " / ".join(errs(runs[v][1]) for v in names)
        geo = defaults["geometry"]
        print(f"| {len(x)} x {len(y)} | {t_pot:.2f} ({it_pot}) | {log_mark}{t_log:.1f} | {times} | "
              f"{t_pot / defaults['seconds']:.1f} | {log_mark}{t_log / defaults['seconds']:.0f} | "
              f"{rel(cost_pot, cost_ref):.1e} / {costs} | {errs(err_pot)} / {margs} | "
              f"{defaults['momentum']:.3f}, {geo['kind']} {geo['bytes'] / 2**20:.0f} MiB, "
              f"{geo.get('kernel_bytes', 0) / 2**20:.0f} MiB | {cpu_pot:.2f} / {defaults['cpu']:.2f} | "
              f"{cpu_pot / defaults['cpu']:.1f} |", flush=True)
        print(f"  POT runs (s): {', '.join(f'{v:.3f}' for v in pot_times)} (median {t_pot:.3f}); Monge `monge solve` "
              f"process wall {defaults['process_wall']:.2f} s (solver {defaults['seconds']:.3f} s): "
              f"{t_pot / defaults['process_wall']:.1f}x as a whole process", flush=True)
        if warm_runs:
            first = warm_runs[0]
            rest = float(np.median([r["seconds"] for r in warm_runs[1:]]))
            print(f"  same problem, one process (CLI JIT setting): first solve {first['seconds']:.3f} s "
                  f"({first['iterations']} it, {first['status']}) = {t_pot / first['seconds']:.1f}x POT median; warm "
                  f"{', '.join('%.3f' % r['seconds'] for r in warm_runs[1:])} s (median {rest:.3f}) = "
                  f"{t_pot / rest:.1f}x; rel. cost error vs converged {rel(first['cost'], cost_ref):.1e}", flush=True)


if __name__ == "__main__":
    main()
