#!/usr/bin/env bash
# Quiet-machine measurement for issue #15 at 10 M points (stop 20, dist16; stop 22, dist: the per-silo GC cap):
# tests/distributed/loopback.sh 10000000 without killing a silo: 3 `monge cluster silo` processes (1 core each) on
# loopback, level 0 split over one shard grain per silo, the hard split merged from the shards' sorted runs, then the
# level-1 blocks on workers and the subtrees; then `--method hiref` on one machine with the same options: the
# permutations must be identical.
# Run 1: no cap. Prints the per-level seconds and bytes moved (level_seconds, level_bytes), checkpoint seconds, store
# bytes, round trips, the cluster and single-machine times, one line per process (3 silos, client: peak RSS and CPU-s),
# the single machine's peak and CPU-s, and the sum of the cluster's peaks (target: ≤ 8 GB for all processes together).
# Run 2 (stop 22): the same cluster job with a GC heap cap per silo, DIST10M_SILO_ENV (default
# "DOTNET_GCHeapHardLimit=<cap>", the cap sized by docs/distributed.md's model: 256 MiB + 200 B a point of the job,
# 0x87359400 = 2.27 GB at 10 M, 0x1C800000 = 478 MB at 1 M; DIST10M_SILO_ENV="" skips run 2); no single machine: its permutation is compared with
# run 1's single machine (same seeded points). Past the cap a silo fails with OutOfMemoryException instead of growing:
# then run 2 fails (the script says so and goes on to exit 1).
# Silos compact after each large piece of work (HiRefSiloOptions.CompactAfterWork, on by default).
# Time: each cluster job bounded at 25 min (MONGE_LOOPBACK_DEADLINE=1500 s from the job's start: past it, the script
# prints where the job is and that run exits 124), each run at 50 min. Quiet estimate (stop 21: cluster 431 s, single
# 376 s): run 1 ≈ 14 min, run 2 ≈ 8 min.
# Assumes `dotnet build Monge.slnx -c Release` was done.
# Usage: bench/quiet/dist10m.sh [N]   (default 10000000; 2500000 gives the mid-size point of the memory model)
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-10000000}"
KEEP="$(mktemp -d)"
trap 'rm -rf "$KEEP"' EXIT
CAP_BYTES=$((268435456 + 200 * N))
CAP_ENV="${DIST10M_SILO_ENV-DOTNET_GCHeapHardLimit=$(printf '0x%X' "$CAP_BYTES")}"
echo "== uptime before: $(uptime)"
echo "== dist10m: run 1, n=$N, no cap"
MONGE_LOOPBACK_KEEP="$KEEP/single.npy" MONGE_LOOPBACK_DEADLINE="${MONGE_LOOPBACK_DEADLINE:-1500}" \
  MONGE_LOOPBACK_KILL=0 timeout 3000 tests/distributed/loopback.sh "$N"
status=0
if [ -n "$CAP_ENV" ]; then
  echo "== dist10m: run 2, n=$N, silos with $CAP_ENV (cluster only, compared with run 1's single machine)"
  MONGE_LOOPBACK_SILO_ENV="$CAP_ENV" MONGE_LOOPBACK_EXPECT="$KEEP/single.npy" MONGE_LOOPBACK_DEADLINE="${MONGE_LOOPBACK_DEADLINE:-1500}" \
    MONGE_LOOPBACK_KILL=0 timeout 3000 tests/distributed/loopback.sh "$N" || { status=$?; echo "dist10m: run 2 with $CAP_ENV failed (exit $status)"; }
fi
echo "== uptime after: $(uptime)"
exit "$status"
