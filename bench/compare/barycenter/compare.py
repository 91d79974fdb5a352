#!/usr/bin/python3
"""Monge vs POT 0.8.2 on fixed-support barycenters (run with Debian's /usr/bin/python3, which has POT).

    dotnet build bench/compare/barycenter -c Release
    /usr/bin/python3 bench/compare/barycenter/compare.py [1d|grid|debiased|unbalanced|all] [--thr 1e-8] [--sizes 100,1000]
        [--grids 64,200] [--warm] [--repeat S] [--log-grid] [--plain-ibp] [--no-ref] [--iters N]

--warm: Monge also times three more solves in the same process and reports the fastest (first-call JIT excluded, as
POT's numpy is warm) beside the first call (JIT included, process start excluded).
--repeat S (implies --warm): both sides time three batches of back-to-back calls, each batch at least S seconds of
process CPU (at least one call), and report the per-call means of the batch with the least CPU per call (POT's first
call is made once before, untimed; Monge warms up as with --warm). A 1.5 ms solve is then a mean over many calls, not
one timer reading, and the ratio a real number.
--log-grid: also run Monge's log-domain path (GridScaling.LogDomain; on the grid, and on the dense 1-D support where
Auto picks the stabilized dense kernel). --plain-ibp: also run Monge without
over-relaxation (Momentum = 1, POT's iteration). --no-ref: skip the tight reference runs (L1
columns are then to Monge's own answer). "cpu" columns: process CPU seconds of the timed call (user + sys, all threads),
the number to compare when the machine is loaded.

Problems (the same on both sides, the same stopping rule and threshold):
  1d   POT's plot_barycenter_1D example: n bins on arange(n), Gaussians N(0.2n, 0.05n) and N(0.6n, 0.1n), M = dist / max,
       reg 1e-3, weights (0.8, 0.2); n = 100 (POT's size) and 1000 (10x). POT: ot.bregman.barycenter with method
       'sinkhorn_log', 'sinkhorn' (the default; pitfalls.md: it disagrees with the log version at small reg) and
       'sinkhorn_stabilized' (absorption, tau 1e10). Monge: FixedSupportBarycenter on the dense N x N cost (Auto: the
       stabilized dense kernel path; the reference is Monge's log-domain path at thr 1e-12).
  grid four shapes (square, disc, ring, cross) on an s x s grid, equal weights, reg 0.004 (POT's
       plot_convolutional_barycenter value), axes linspace(0, 1). POT: convolutional_barycenter2d, 'sinkhorn_log' and
       'sinkhorn'. Monge: FixedSupportBarycenter on GridGeometry (separable log-domain soft-min).
  debiased   the 1d problem at reg 1e-2 (POT's plot_debiased_barycenter sweeps reg 5e-3, 1e-2, 5e-2 at n = 100) with
       POT's barycenter_debiased, method 'sinkhorn_log' (accurate at small reg). Monge: Debiased = true. Both run the same damped update of the
       debiasing potential and the same rule (std of the marginals, more than 20 iterations; stop 21: Monge dropped its
       extra ||q_t - q_t-1||_1 <= thr, docs/barycenters.md), Monge checking every iteration, POT every tenth. --iters N: both run exactly N iterations
       (threshold 0: the same update, so the same iterate; L1 column = distance between the two answers).
  unbalanced the 1d problem at reg 1e-2, reg_m 1 (POT's plot_UOT_barycenter_1D: reg_m 1 on M / max, n = 100; reg 1e-2
       because POT's unbalanced barycenter runs in the kernel domain, as the fixtures).
       POT: ot.unbalanced.barycenter_unbalanced (its only method, kernel domain 'sinkhorn'). Monge: Relaxation.FromRho(1, 1).
       Stopping rule on both sides: the relative change of the barycenter (max |q - q'| / max(|q|, |q'|, 1)) <= thr.
  "all" runs 1d and grid (the headline set); debiased and unbalanced are asked for by name.
Stopping rule on both sides (1d, grid): sum_j std_k of the plans' barycenter marginals <= thr (POT checks every 10 iterations,
Monge every iteration; Monge over-relaxes the barycenter side by default, which keeps the input marginals exact when the
error is measured, so the rule means the same). Accuracy: the L1 distance of each barycenter to a tight reference (Monge at thr 1e-12, or the
best available). Times: POT's wall time of the call; Monge's solver time in the helper (process start excluded,
first-call JIT included).
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import ot

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
HELPER = os.path.join(ROOT, "bench", "compare", "barycenter", "bin", "Release", "net10.0", "BarycenterCompare.dll")
sys.path.insert(0, os.path.join(ROOT, "tools", "fixtures"))
from barycenter import shapes  # noqa: E402


def option(name, default, cast):
    if name in sys.argv:
        return cast(sys.argv[sys.argv.index(name) + 1])
    return default


def monge(tmp, A, reg, thr, weights, mode, x=None, extra=()):
    a_path = os.path.join(tmp, "A.npy")
    out = os.path.join(tmp, "out.npy")
    np.save(a_path, A)
    args = ["dotnet", HELPER, a_path, out, repr(reg), repr(thr), ",".join(repr(w) for w in weights), mode]
    if x is not None:
        x_path = os.path.join(tmp, "x.npy")
        np.save(x_path, x)
        args.append(x_path)
    if "--warm" in sys.argv or "--repeat" in sys.argv:
        args.append("warm")
    if "--repeat" in sys.argv:
        args.append(f"repeat={option('--repeat', 0.2, float)!r}")
    args.extend(extra)
    line = subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    info = json.loads(line)
    return np.load(out), info


def pot(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if "--repeat" not in sys.argv:
            t = time.perf_counter()
            c = time.process_time()
            bary, log = fn(*args, log=True, **kw)
            return bary, time.perf_counter() - t, log["niter"], time.process_time() - c
        budget = option("--repeat", 0.2, float)
        bary, log = fn(*args, log=True, **kw)
        best = (float("inf"), float("inf"))
        for _ in range(3):
            t = time.perf_counter()
            c = time.process_time()
            calls = 0
            while True:
                bary, log = fn(*args, log=True, **kw)
                calls += 1
                if time.process_time() - c >= budget:
                    break
            cpu = (time.process_time() - c) / calls
            if cpu < best[1]:
                best = ((time.perf_counter() - t) / calls, cpu)
        return bary, best[0], log["niter"], best[1]


def row(problem, size, reg, thr, ref, mg, minfo, results):
    l1 = np.abs(mg.reshape(-1) - ref.reshape(-1)).sum()
    domain = " kernel" if minfo.get("kernel") else ""
    which = f"warm, mean of {minfo.get('repeats', 1)}" if "--repeat" in sys.argv else "warm, best of 3" if "--warm" in sys.argv else "first call"
    print(f"| {problem} | {size} | {reg:g} | {thr:g} | Monge{domain} {which} | {minfo['seconds']:.4f} | {minfo['cpu']:.4f} | 1.0x | 1.0x | {minfo['iterations']} | {l1:.1e} |")
    for name, (bary, seconds, niter, cpu) in results.items():
        l1p = np.abs(np.asarray(bary).reshape(-1) - ref.reshape(-1)).sum()
        if name.startswith("Monge"):
            label, its = name, niter
        else:
            label, its = f"POT {name}", niter + 1
        print(f"| {problem} | {size} | {reg:g} | {thr:g} | {label} | {seconds:.4f} | {cpu:.4f} | {seconds / minfo['seconds']:.1f}x | {cpu / minfo['cpu']:.1f}x | {its} | {l1p:.1e} |")
    sys.stdout.flush()


def one_d(tmp, n, thr):
    x = np.arange(n, dtype=float)[:, None]
    g = lambda m, s: (lambda h: h / h.sum())(np.exp(-((x[:, 0] - m) ** 2) / (2 * s * s)))
    A = np.stack([g(0.2 * n, 0.05 * n), g(0.6 * n, 0.1 * n)])
    w = np.array([0.8, 0.2])
    reg = 1e-3
    M = ot.dist(x, x)
    M /= M.max()
    mg, info = monge(tmp, A, reg, thr, w, "dense", x)
    # The reference is the log-domain path (independent of the stabilized dense kernel path that Auto picks here).
    ref = mg if "--no-ref" in sys.argv else monge(tmp, A, reg, 1e-12, w, "dense", x, extra=("log",))[0]
    results = {}
    if "--warm" in sys.argv or "--repeat" in sys.argv:
        results["Monge first call"] = (mg, info["first_seconds"], info["iterations"], info["first_cpu"])
    if "--log-grid" in sys.argv:
        lg, linfo = monge(tmp, A, reg, thr, w, "dense", x, extra=("log",))
        results["Monge log domain"] = (lg, linfo["seconds"], linfo["iterations"], linfo["cpu"])
    results["sinkhorn_log"] = pot(ot.bregman.barycenter, A.T, M, reg, w, method="sinkhorn_log", numItermax=20000, stopThr=thr)
    results["sinkhorn"] = pot(ot.bregman.barycenter, A.T, M, reg, w, method="sinkhorn", numItermax=20000, stopThr=thr)
    results["sinkhorn_stabilized"] = pot(ot.bregman.barycenter, A.T, M, reg, w, method="sinkhorn_stabilized", numItermax=20000, stopThr=thr)
    row("1d", n, reg, thr, ref, mg, info, results)


def debiased(tmp, n, thr):
    A, w, reg, M, x = one_d_problem(n, 1e-2)
    iters = option("--iters", None, int)
    if iters is not None:
        mg, info = monge(tmp, A, reg, 0.0, w, "dense", x, extra=("debiased", f"iterations={iters}"))
        results = {
            "barycenter_debiased log": pot(ot.bregman.barycenter_debiased, A.T, M, reg, w, method="sinkhorn_log", numItermax=iters, stopThr=0.0),
        }
        row("debiased", n, reg, 0.0, mg, mg, info, results)
        return
    mg, info = monge(tmp, A, reg, thr, w, "dense", x, extra=("debiased",))
    ref = mg if "--no-ref" in sys.argv else monge(tmp, A, reg, 1e-12, w, "dense", x, extra=("debiased",))[0]
    results = {
        "barycenter_debiased log": pot(ot.bregman.barycenter_debiased, A.T, M, reg, w, method="sinkhorn_log", numItermax=20000, stopThr=thr),
    }
    row("debiased", n, reg, thr, ref, mg, info, results)


def unbalanced(tmp, n, thr):
    A, w, reg, M, x = one_d_problem(n, 1e-2)
    reg_m = 1.0
    mg, info = monge(tmp, A, reg, thr, w, "dense", x, extra=(f"rho={reg_m!r}",))
    ref = mg if "--no-ref" in sys.argv else monge(tmp, A, reg, 1e-12, w, "dense", x, extra=(f"rho={reg_m!r}",))[0]
    results = {
        "barycenter_unbalanced": pot(ot.unbalanced.barycenter_unbalanced, A.T, M, reg, reg_m, weights=w, numItermax=20000, stopThr=thr),
    }
    row("unbalanced", n, reg, thr, ref, mg, info, results)


def one_d_problem(n, reg):
    x = np.arange(n, dtype=float)[:, None]
    g = lambda m, s: (lambda h: h / h.sum())(np.exp(-((x[:, 0] - m) ** 2) / (2 * s * s)))
    A = np.stack([g(0.2 * n, 0.05 * n), g(0.6 * n, 0.1 * n)])
    M = ot.dist(x, x)
    M /= M.max()
    return A, np.array([0.8, 0.2]), reg, M, x


def grid(tmp, s, thr):
    A = shapes(s, s)
    w = np.full(4, 0.25)
    reg = 0.004
    mg, info = monge(tmp, A, reg, thr, w, "grid")
    ref = mg if "--no-ref" in sys.argv else monge(tmp, A, reg, 1e-12, w, "grid")[0]
    results = {}
    if "--warm" in sys.argv or "--repeat" in sys.argv:
        results["Monge first call"] = (mg, info["first_seconds"], info["iterations"], info["first_cpu"])
    if "--log-grid" in sys.argv:
        lg, linfo = monge(tmp, A, reg, thr, w, "grid", extra=("log",))
        results["Monge log domain"] = (lg, linfo["seconds"], linfo["iterations"], linfo["cpu"])
    if "--plain-ibp" in sys.argv:
        pg, pinfo = monge(tmp, A, reg, thr, w, "grid", extra=("momentum=1",))
        results["Monge plain IBP"] = (pg, pinfo["seconds"], pinfo["iterations"], pinfo["cpu"])
    results["sinkhorn"] = pot(ot.bregman.convolutional_barycenter2d, A, reg, w, method="sinkhorn", numItermax=20000, stopThr=thr)
    if s <= 128:
        results["sinkhorn_log"] = pot(ot.bregman.convolutional_barycenter2d, A, reg, w, method="sinkhorn_log", numItermax=20000, stopThr=thr)
    row("grid", f"{s}x{s}", reg, thr, ref, mg, info, results)


def main():
    which = next((a for a in sys.argv[1:] if a in ("1d", "grid", "debiased", "unbalanced", "all")), "all")
    thr = option("--thr", 1e-8, float)
    sizes = [int(v) for v in option("--sizes", "100,1000", str).split(",")]
    grids = [int(v) for v in option("--grids", "64,200", str).split(",")]
    print(f"load average {os.getloadavg()[0]:.1f}")
    print("| problem | size | reg | thr | solver | seconds | cpu s | time / Monge | cpu / Monge | iterations | L1 to reference |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        if which in ("1d", "all"):
            for n in sizes:
                one_d(tmp, n, thr)
        if which in ("grid", "all"):
            for s in grids:
                grid(tmp, s, thr)
        if which == "debiased":
            for n in sizes:
                debiased(tmp, n, thr)
        if which == "unbalanced":
            for n in sizes:
                unbalanced(tmp, n, thr)
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
