#!/usr/bin/env python3
"""An independent lower bound on the optimal assignment cost of two point clouds, computed on a GPU with PyTorch.

Issue #14 asks which side holds a certified gap (HiRef's matching or Monge.Tools.DualBound's bound). This script is a
second, independent bound for the squared Euclidean cost (uniform weights, n = m or not), built without any of
Monge's code: a dense log-domain Sinkhorn with epsilon scaling on the whole n x m problem (fp32, tiled by rows, the
kernel never stored), then, after every epsilon stage, the exact c-transforms in float64

    f_i = min_j C_ij - g_j,   g_j = min_i C_ij - f_i,   bound = mean(f) + mean(g)

which is a valid lower bound for ANY g (weak duality: f_i + g_j <= C_ij for all pairs by construction), so the
Sinkhorn part only has to find a good g; its accuracy does not enter the validity. Costs in the c-transforms are
||x||^2 + ||y||^2 - 2<x, y> in float64 after centring both clouds on the same point (a shift changes no cost);
their round-off is ~1e-15 relative. The best bound over the stages is reported.

Usage: gpu_bound.py X.npy Y.npy [--eps-final 3e-5] [--factor 0.5] [--iters 20] [--rows 4096] [--label NAME]
       [--seconds S]   (stop the epsilon schedule after S seconds, report the best bound so far)
Prints one line per stage and a final `json: {...}` line. Runs on CPU when no GPU is present (small n only).
"""
import argparse
import json
import math
import time

import numpy as np
import torch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("x")
    p.add_argument("y")
    p.add_argument("--eps-final", type=float, default=3e-5, help="final epsilon relative to the mean cost")
    p.add_argument("--factor", type=float, default=0.5, help="epsilon ratio between stages")
    p.add_argument("--iters", type=int, default=20, help="Sinkhorn sweeps per stage")
    p.add_argument("--rows", type=int, default=4096, help="rows per tile")
    p.add_argument("--label", default="")
    p.add_argument("--seconds", type=float, default=1e9)
    a = p.parse_args()
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    x = np.load(a.x).astype(np.float64)
    y = np.load(a.y).astype(np.float64)
    n, m = x.shape[0], y.shape[0]
    centre = 0.5 * (x.mean(0) + y.mean(0))
    X64 = torch.tensor(x - centre, dtype=torch.float64, device=dev)
    Y64 = torch.tensor(y - centre, dtype=torch.float64, device=dev)
    xx64 = (X64 * X64).sum(1)
    yy64 = (Y64 * Y64).sum(1)
    X, Y, xx, yy = X64.float(), Y64.float(), xx64.float(), yy64.float()
    R = a.rows

    def c_transform_rows(g64):
        # f_i = min_j ||x_i||^2 + ||y_j||^2 - 2<x_i, y_j> - g_j, float64
        out = torch.empty(n, dtype=torch.float64, device=dev)
        t = (yy64 - g64)[None, :]
        for s in range(0, n, R):
            e = min(n, s + R)
            z = torch.addmm(t, X64[s:e], Y64.T, beta=1.0, alpha=-2.0)
            out[s:e] = z.min(1).values + xx64[s:e]
        return out

    def c_transform_cols(f64):
        out = torch.empty(m, dtype=torch.float64, device=dev)
        t = (xx64 - f64)[None, :]
        for s in range(0, m, R):
            e = min(m, s + R)
            z = torch.addmm(t, Y64[s:e], X64.T, beta=1.0, alpha=-2.0)
            out[s:e] = z.min(1).values + yy64[s:e]
        return out

    def soft_rows(g, eps):
        # f_i = -eps log sum_j (1/m) exp((g_j - C_ij)/eps) = xx_i - eps LSE_j((g_j - yy_j + 2<x_i,y_j>)/eps) + eps log m
        out = torch.empty(n, dtype=torch.float32, device=dev)
        t = ((g - yy) / eps)[None, :]
        for s in range(0, n, R):
            e = min(n, s + R)
            z = torch.addmm(t, X[s:e], Y.T, beta=1.0, alpha=2.0 / eps)
            out[s:e] = xx[s:e] - eps * torch.logsumexp(z, 1) + eps * math.log(m)
        return out

    def soft_cols(f, eps):
        out = torch.empty(m, dtype=torch.float32, device=dev)
        t = ((f - xx) / eps)[None, :]
        for s in range(0, m, R):
            e = min(m, s + R)
            z = torch.addmm(t, Y[s:e], X.T, beta=1.0, alpha=2.0 / eps)
            out[s:e] = yy[s:e] - eps * torch.logsumexp(z, 1) + eps * math.log(n)
        return out

    # Mean cost (exact: mean ||x||^2 + mean ||y||^2 - 2 <mean x, mean y>) sets the epsilon scale.
    mean_cost = float(xx64.mean() + yy64.mean() - 2.0 * (X64.mean(0) * Y64.mean(0)).sum())
    eps = mean_cost
    eps_final = a.eps_final * mean_cost
    g = torch.zeros(m, dtype=torch.float32, device=dev)
    best = -math.inf
    clock = time.time()
    stages = []
    sweeps = 0
    while True:
        for _ in range(a.iters):
            f = soft_rows(g, eps)
            g = soft_cols(f, eps)
            sweeps += 1
        f64 = c_transform_rows(g.double())
        g64 = c_transform_cols(f64)
        bound = float(f64.mean() + g64.mean())
        if dev.type == "cuda":
            torch.cuda.synchronize()
        best = max(best, bound)
        el = time.time() - clock
        stages.append({"eps": eps, "bound": bound, "seconds": el})
        print(f"{a.label} eps={eps:.3e} ({eps / mean_cost:.1e} of mean cost) sweeps={sweeps} bound={bound:.6f} best={best:.6f} t={el:.1f}s", flush=True)
        if eps <= eps_final * (1 + 1e-12) or el > a.seconds:
            break
        eps = max(eps * a.factor, eps_final)
        # warm start: keep g (a feasible-ish potential) for the next, smaller epsilon
        g = g64.float()
    print("json: " + json.dumps({"label": a.label, "n": n, "m": m, "d": x.shape[1], "mean_cost": mean_cost, "bound": best,
                                  "sweeps": sweeps, "seconds": time.time() - clock, "device": str(dev),
                                  "gpu": torch.cuda.get_device_name(0) if dev.type == "cuda" else None, "stages": stages}), flush=True)


if __name__ == "__main__":
    main()
