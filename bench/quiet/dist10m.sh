#!/usr/bin/env bash
# Quiet-machine measurement for issue #15 at 10 M points (stop 19, dist15b): tests/distributed/loopback.sh 10000000 without
# killing a silo: 3 `monge cluster silo` processes (1 core each) on loopback, level 0 split over one shard grain per silo,
# the hard split merged from the shards' sorted runs (the coordinator holds no logits), then the level-1 blocks on
# workers and the subtrees; then `--method hiref` on one machine with the same options: the permutations must be identical.
# Prints the per-level seconds and bytes moved (level_seconds, level_bytes), store bytes, round trips, the sorted runs'
# trip (shard_logits_seconds), the cluster and single-machine times, and peak RSS and CPU-s per process (3 silos, client;
# the single machine's peak RSS and CPU-s). Estimate on the quiet 2-core machine: 20–30 min in all (single machine ~6–7 min,
# cluster ~1.4× that, generation ~1 min); bounded by `timeout` at 60 min. Peak memory estimate: silos ~1.5–2 GB each,
# single machine ~3.2 GB (run while the silos are still up). Assumes `dotnet build Monge.slnx -c Release` was done.
# Usage: bench/quiet/dist10m.sh [N]   (default 10000000; 2500000 gives the mid-size point of the memory extrapolation)
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-10000000}"
echo "== uptime before: $(uptime)"
MONGE_LOOPBACK_KILL=0 timeout 3600 tests/distributed/loopback.sh "$N"
echo "== uptime after: $(uptime)"
