#!/usr/bin/env python3
"""Distributed HiRef on paper (issue 15): time and bytes for 100M and 1B points on 8, 32 and 128 machines, from the
per-point costs measured at 1M (docs/distributed.md, "On paper"). Every input is a named constant below; change one
and re-run: python3 bench/compare/dist15/scale_model.py
"""
import math

# --- measured (quiet 2-core machine, 1 048 576 2-D points, --quality fast --leaf-size 256; docs/benchmarks.md) ---
W_SP = 24.6e-6     # core-s per point of a single-precision level (blocks >= 524 288): single machine level 0, 12.3 s x 2 cores / 1M
W_DP = 13.2e-6     # core-s per point of a double-precision level of ~65k-point blocks: level 1, 6.6 s x 2 / 1M
W_LOW = 2.6e-6     # core-s per point of a level of small blocks (~4k points): level 2, 1.3 s x 2 / 1M
W_LEAF = 6.7e-6    # core-s per point of the exact leaves: 47.1 CPU-s - the three levels, / 1M
PARTIAL_PER_R = 11 # bytes of per-chunk partials per point and cluster of a sharded level (188 MB at 1M, r = 16;
                   # 181 MB at 2M, r = 8: ~11·r bytes a point)
ROUND_TRIPS = 1300 # fan-outs per sharded level (1277 at 1M, 1224 at 2M: set by the iterations, not by n)
SERIAL = 3.4e-6    # s per point of the sharded level spent outside the fan-outs and the logits (the coordinator's
                   # k-means++ draw, partial sums and hard split on one core, the shard inputs' gather and load): 16% of
                   # the level at 2M (31.6 of 193.3 s, loaded), applied to the quiet 1M sharded level 0 (20.5 s)

RUN_BYTES = 160    # bytes a point of the sorted runs a sharded level writes (and the coordinator reads back): both
                   # sides' logits plus a key and an index a row (2 x 160 MB at 1M, r = 16; stop 19)
SHARD_BYTES = 300  # bytes a shard holds per row at d = 2, r = 14-16 (points 32, factors 64, logits 8·r, plan 4·r, row
                   # scalings 8), live data; the loopback peaks are measured against it (docs/distributed.md, "Memory
                   # per process and GC settings")

# --- assumed (stated in docs/distributed.md) ---
CORES = 16              # cores per machine
LINK = 1.25e9           # bytes/s into the coordinator's machine (10 GbE)
STORE = 1.25e9          # bytes/s of the store into one machine (and out of it)
LATENCY = 1e-3          # seconds per fan-out beyond the slowest shard's compute (Orleans call + network)
SUBTREE = 131072        # blocks of at most this many points go whole to a worker
SP_MIN = 524288         # blocks of at least this many points take the single-precision co-clustering
LEAF = 256
D = 2
R = 16                  # clusters per split (the library picks 13-16 at these sizes)


def schedule(n):
    sizes, m = [], n
    while m > LEAF:
        sizes.append(m)
        m = math.ceil(m / R)
    return sizes  # block size at each level


def model(n, machines, serial_per_point):
    sizes = schedule(n)
    cores = machines * CORES
    out = {"levels": len(sizes)}
    # level 0: sharded; shards compute in parallel, partials into the coordinator, round trips, coordinator serial part
    t0_compute = W_SP * n / cores
    t0_bytes = PARTIAL_PER_R * R * n / LINK
    t0_rt = ROUND_TRIPS * LATENCY
    t0_serial = serial_per_point * n
    t0_io = (2 * n * D * 8 + RUN_BYTES * n) / LINK   # the shard inputs out, the sorted runs back
    out["level0"] = t0_compute + t0_bytes + t0_rt + t0_serial + t0_io
    out["level0_parts"] = (t0_compute, t0_bytes + t0_io, t0_rt, t0_serial)
    # trunk levels 1..: blocks of sizes[t] > SUBTREE split one per worker (c threads), gathered by the coordinator
    trunk = 0.0
    t = 1
    while t < len(sizes) and sizes[t] > SUBTREE:
        blocks = R ** t
        w = W_SP if sizes[t] >= SP_MIN else W_DP
        rounds = math.ceil(blocks / machines)
        trunk += rounds * w * sizes[t] / CORES + (2 * n * D * 8 + 16 * n) / LINK
        t += 1
    out["trunk"] = trunk
    out["trunk_levels"] = t - 1
    # subtrees: the remaining levels and the leaves, all machines' cores; their points out and outputs back once
    rest = sizes[t:]
    w_sub = sum(W_DP if s > 16384 else W_LOW for s in rest) + W_LEAF
    out["subtrees"] = w_sub * n / cores + (2 * n * D * 8 + 8 * n) / LINK
    out["total"] = out["level0"] + out["trunk"] + out["subtrees"] + 2 * n * D * 8 / STORE + 4 * n / STORE
    out["bytes"] = (2 * n * D * 8 + 2 * RUN_BYTES * n + 8 * n + PARTIAL_PER_R * R * n   # level 0: shard inputs, sorted runs written and read, checkpoint, partials
                    + (t - 1) * (2 * n * D * 8 + 16 * n)                      # trunk levels
                    + 2 * n * D * 8 + 8 * n                                   # subtrees
                    + 2 * n * D * 8 + 4 * n)                                  # points in, result out
    # stop 20: the coordinator holds the points, both index arrays, a sharded block's saved ranges and its labels and
    # regrouping buffer (no logits since stop 19: the hard split merges the shards' sorted runs a page at a time)
    out["coordinator_memory"] = 2 * n * D * 8 + 8 * n + 8 * n + 8 * n
    out["shard_memory"] = n / machines * SHARD_BYTES
    return out


def main(serial_per_point):
    print(f"coordinator serial part: {serial_per_point * 1e6:.2f} us a point of a sharded level")
    print("| n | machines | levels (trunk) | level 0: compute + bytes + round trips + serial | trunk 1.. | subtrees | total | data moved | coordinator memory | per-shard memory |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for n in (10**8, 10**9):
        for m in (8, 32, 128):
            o = model(n, m, serial_per_point)
            c, b, rt, s = o["level0_parts"]
            print(f"| {n:.0e} | {m} | {o['levels']} ({1 + o['trunk_levels']}) | {o['level0']:.0f} s = {c:.0f} + {b:.0f} + {rt:.1f} + {s:.0f} | {o['trunk']:.0f} s | {o['subtrees']:.0f} s | {o['total'] / 60:.1f} min | {o['bytes'] / 1e9:.0f} GB | {o['coordinator_memory'] / 1e9:.0f} GB | {o['shard_memory'] / 1e9:.1f} GB |")


if __name__ == "__main__":
    import sys
    main(float(sys.argv[1]) * 1e-6 if len(sys.argv) > 1 else SERIAL)
