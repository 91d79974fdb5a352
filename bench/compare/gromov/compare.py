#!/usr/bin/python3
"""Monge vs POT 0.8.2 conditional-gradient Gromov-Wasserstein on the same problems (one run each, same stopping rule).

    dotnet build src/Monge.Cli -c Release
    /usr/bin/python3 bench/compare/gromov/compare.py [n ...] [--dims 2,30] [--max-iter 200] [--skip-pot]

--skip-pot runs Monge only (POT's columns print nan; its value column then compares nothing).

Problems: n = m points, x and y drawn independently (seed 0 and 1) from N(0, I_d) for each d in --dims (default 2 and
30); C1 = sqeuclidean(x, x) / max, C2 = sqeuclidean(y, y) / max (computed once here and given to both solvers, Monge
through --source-cost/--target-cost), uniform weights, square loss.

Stopping, the same on both sides: POT's cg defaults (start a b^T, at most --max-iter outer iterations (POT's 200),
stop when |df|/|f| < 1e-9 or |df| < 1e-9); Monge `monge gw --method cg --max-iterations 200 --tolerance 1e-9`.
POT's emd inside cg keeps its default numItermax = 100000 pivots.

Times: POT's is the wall time of ot.gromov.gromov_wasserstein (costs excluded); Monge's is the solver's own
"seconds" from --json (file loading and process start excluded; the first-call JIT included). The value is the GW
objective of each returned plan in POT's convention (Monge's is recomputed here from its --plan-out with POT's
gwloss, so both are measured by the same code).
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
CLI = os.path.join(ROOT, "src", "Monge.Cli", "bin", "Release", "net10.0", "Monge.Cli.dll")


def option(name, default, cast):
    if name in sys.argv:
        return cast(sys.argv[sys.argv.index(name) + 1])
    return default


def positional():
    skip = set()
    for k, a in enumerate(sys.argv):
        if a == "--skip-pot":
            skip.add(k)
        elif a.startswith("--"):
            skip.update((k, k + 1))
    return [int(a) for k, a in enumerate(sys.argv[1:], 1) if k not in skip]


def gw_value(c1, c2, p, q, plan):
    const_c, h1, h2 = ot.gromov.init_matrix(c1, c2, p, q, "square_loss")
    return float(ot.gromov.gwloss(const_c, h1, h2, plan))


def main():
    sizes = positional() or [300, 1000]
    dims = [int(d) for d in option("--dims", "2,30", str).split(",")]
    max_iter = option("--max-iter", 200, int)
    print(f"POT {ot.__version__}; load: {os.getloadavg()}")
    print("| n | d | POT s | POT value | POT it | Monge s | Monge value | Monge it | speed-up | value diff (rel) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            for d in dims:
                x = np.random.default_rng(0).normal(size=(n, d))
                y = np.random.default_rng(1).normal(size=(n, d))
                c1 = ot.dist(x, x)
                c2 = ot.dist(y, y)
                c1 /= c1.max()
                c2 /= c2.max()
                p = ot.unif(n)
                q = ot.unif(n)
                f1, f2, planf = (os.path.join(tmp, s) for s in ("c1.npy", "c2.npy", "plan.npy"))
                np.save(f1, c1)
                np.save(f2, c2)
                cmd = ["dotnet", CLI, "gw", "--source-cost", f1, "--target-cost", f2, "--method", "cg",
                       "--max-iterations", str(max_iter), "--tolerance", "1e-9", "--plan-out", planf, "--overwrite", "--json"]
                out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
                summary = json.loads(out)
                monge_value = gw_value(c1, c2, p, q, np.load(planf))
                if "--skip-pot" in sys.argv:
                    pot_s, pot_value, pot_it = float("nan"), float("nan"), "-"
                else:
                    t = time.time()
                    plan, log = ot.gromov.gromov_wasserstein(c1, c2, p, q, "square_loss", log=True, numItermax=max_iter)
                    pot_s = time.time() - t
                    pot_value = gw_value(c1, c2, p, q, plan)
                    pot_it = len(log['loss']) - 1
                print(f"| {n} | {d} | {pot_s:.2f} | {pot_value:.9g} | {pot_it} | {summary['seconds']:.2f} | "
                      f"{monge_value:.9g} | {summary['iterations']} | {pot_s / summary['seconds']:.1f}x | "
                      f"{(monge_value - pot_value) / abs(pot_value):+.1e} |", flush=True)
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
