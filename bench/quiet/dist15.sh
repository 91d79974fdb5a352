#!/usr/bin/env bash
# Quiet-machine measurement for issue #15 (distributed HiRef, subtrees on workers). Estimate on a quiet 2-core machine:
# about 3 to 3.5 minutes (generation ~5 s, 3 silos ~10 s, cluster job ~90-110 s, single machine ~70 s; CPU ~300 s).
# Runs tests/distributed/loopback.sh without killing a silo: 3 `monge cluster silo` processes (1 core each) on loopback,
# N points (default 1 048 576; pass 524288 if the machine is slower), cluster (default --subtree-size 131072: level 0 on
# one worker, then 16 subtrees of 65 536 points on the workers, the polish on the coordinator) vs `--method hiref`,
# the same permutation. Prints per-level seconds, subtree seconds, bytes moved, checkpoint seconds, the coordinator's
# generation (job epoch: 1 when no second coordinator run took over), the sharded level's shards, round trips and
# message bytes, and uptime. Level 0 runs data-parallel over one shard grain per silo (--trunk-shards 0, the default);
# MONGE_LOOPBACK_SHARDS=-1 bench/quiet/dist15.sh gives the one-worker level 0 for comparison (not run by default, to stay
# within 4 minutes).
# Assumes `dotnet build Monge.slnx -c Release` was done. Usage: bench/quiet/dist15.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-1048576}"
echo "== uptime before: $(uptime)"
MONGE_LOOPBACK_KILL=0 /usr/bin/time -f "loopback total: wall %e s, cpu user %U s sys %S s, max rss %M KB (largest process)" \
  tests/distributed/loopback.sh "$N"
echo "== uptime after: $(uptime)"
