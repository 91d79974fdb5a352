#!/usr/bin/python3
"""Draws docs/images/barycenter-free.png: the free-support barycenter (K = 300) of a ring, a square and a cross.

    dotnet build src/Monge.Cli -c Release
    /usr/bin/python3 bench/compare/barycenter_free/picture.py
"""
import os
import subprocess
import tempfile

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CLI = os.path.join(ROOT, "src", "Monge.Cli", "bin", "Release", "net10.0", "Monge.Cli.dll")


def shapes():
    rng = np.random.default_rng(0)
    t = rng.uniform(0, 2 * np.pi, 300)
    ring = np.c_[np.cos(t), np.sin(t)] + rng.normal(0, 0.04, (300, 2)) + [-3, 2]
    s = rng.uniform(-1, 1, 220)
    side = rng.integers(0, 4, 220)[:, None]
    one = np.ones(220)
    square = np.where(side == 0, np.c_[s, -one], np.where(side == 1, np.c_[s, one], np.where(side == 2, np.c_[-one, s], np.c_[one, s])))
    square = square * 0.9 + rng.normal(0, 0.03, (220, 2)) + [3, 2]
    u = rng.uniform(-1, 1, 260)
    arm = rng.integers(0, 2, 260)[:, None]
    cross = np.where(arm == 0, np.c_[u, np.zeros(260)], np.c_[np.zeros(260), u]) * 1.2 + rng.normal(0, 0.04, (260, 2)) + [0, -2.5]
    return ring, square, cross


def main():
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for name, points in zip(("ring", "square", "cross"), shapes()):
            files.append(os.path.join(tmp, name + ".npy"))
            np.save(files[-1], points)
        subprocess.run(["dotnet", CLI, "barycenter", "--method", "free", "--inputs", *files, "--size", "300", "--seed", "1",
                        "--out", os.path.join(tmp, "bary.npy"), "--plot", os.path.join(ROOT, "docs", "images", "barycenter-free.png"),
                        "--overwrite", "--json"], check=True)


if __name__ == "__main__":
    main()
