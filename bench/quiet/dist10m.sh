#!/usr/bin/env bash
# Quiet-machine measurement for issue #15 at 10 M points (stop 20, dist16): tests/distributed/loopback.sh 10000000 without
# killing a silo: 3 `monge cluster silo` processes (1 core each) on loopback, level 0 split over one shard grain per silo,
# the hard split merged from the shards' sorted runs, then the level-1 blocks on workers and the subtrees; then
# `--method hiref` on one machine with the same options: the permutations must be identical.
# Prints the per-level seconds and bytes moved (level_seconds, level_bytes), store bytes, round trips, the cluster and
# single-machine times, and peak RSS and CPU-s per process (3 silos, client; the single machine's), and the sum of the
# cluster's peaks (target: ≤ 8 GB for all processes together).
# Silos run with the GC settings docs/distributed.md recommends ("Memory per process and GC settings"): the silos compact
# after each large piece of work (HiRefSiloOptions.CompactAfterWork, on by default); DIST10M_SILO_ENV="VAR=value …" adds
# environment variables for the silos only (default none; e.g. DIST10M_SILO_ENV="DOTNET_GCHeapHardLimit=0x90000000" caps
# each silo's GC heap at 2.25 GB, not measured at 10 M).
# Time: bounded at 25 min for the cluster job (MONGE_LOOPBACK_DEADLINE=1500 s from the job's start: past it, the script
# prints where the job is — level checkpoints, sharded blocks and subtrees done, the silos' peaks so far — and exits 124),
# and the whole script at 50 min. Estimate on the quiet 2-core machine: generation ~1 min, cluster ~12–15 min (1.35–1.5×
# the single machine), single machine ~8–9 min (stop 19's 10^7 CLI run: 8:49 at the default quality; `fast` less).
# Assumes `dotnet build Monge.slnx -c Release` was done.
# Usage: bench/quiet/dist10m.sh [N]   (default 10000000; 2500000 gives the mid-size point of the memory extrapolation)
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-10000000}"
echo "== uptime before: $(uptime)"
MONGE_LOOPBACK_SILO_ENV="${DIST10M_SILO_ENV:-}" MONGE_LOOPBACK_DEADLINE="${MONGE_LOOPBACK_DEADLINE:-1500}" \
  MONGE_LOOPBACK_KILL=0 timeout 3000 tests/distributed/loopback.sh "$N"
echo "== uptime after: $(uptime)"
