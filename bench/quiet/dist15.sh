#!/usr/bin/env bash
# Quiet-machine measurement for issue #15 (distributed HiRef). Estimate on a quiet 2-core machine: about 2 to 2.5 minutes
# (stop 17 quiet: cluster job 41 s, single machine 30 s; generation ~3 s, 3 silos ~10 s, teardown 5 s; CPU ~170 s).
# Runs tests/distributed/loopback.sh without killing a silo: 3 `monge cluster silo` processes (1 core each) on loopback,
# N points (default 1 048 576), level 0 split data-parallel over one shard grain per silo, then the 16 level-1 blocks on
# workers and the subtrees (default --subtree-size 131072), versus `--method hiref` on one machine: the same permutation.
# Prints, from the cluster's --json: per-level seconds (level_seconds; the single machine's per-level seconds on the
# next line), subtree seconds, bytes written/read through the store, checkpoint seconds, the sharded level's shards,
# round trips, partials in messages (shard_message_bytes), the split of its fan-outs into the slowest shard's work
# (shard_compute_seconds) and the rest (shard_fan_out_seconds minus that: messaging and queueing), the logits' trip
# through the store (shard_logits_seconds: the price of one iteration checkpoint), and uptime.
# Assumes `dotnet build Monge.slnx -c Release` was done. Usage: bench/quiet/dist15.sh [N]
# (MONGE_LOOPBACK_SHARDS=-1 gives the one-worker level 0 for comparison; not run by default, to stay within 4 minutes.)
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-1048576}"
echo "== uptime before: $(uptime)"
MONGE_LOOPBACK_KILL=0 /usr/bin/time -f "loopback total: wall %e s, cpu user %U s sys %S s, max rss %M KB (largest process)" \
  tests/distributed/loopback.sh "$N"
echo "== uptime after: $(uptime)"
