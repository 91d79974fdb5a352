#!/usr/bin/env bash
# Quiet-machine measurement for issue #15 (stop 21, silo10m): the 3-silo loopback (tests/distributed/loopback.sh, no silo
# killed, `--quality fast --leaf-size 256 --seed 7`) at N points (default 2 500 000) with the silos' memory timeline on
# (MONGE_MEMORY_TRACE=2, docs/distributed.md "Where a silo's memory goes"): prints loopback.sh's lines (per-level seconds
# and bytes, peak RSS and CPU-s per process, their sum, the single machine's run, identical permutations) and, per silo,
# the two samples between which its peak resident set was reached, with what ran in that process then (the coordinator's stage, shards, workers).
# SILO10M_BEFORE=DIR (a copy of an older build's src/Monge.Cli/bin/Release/net10.0) runs the same job first with that
# build, cluster only, for a before/after pair on the same machine. Bounded: 15 min per cluster job
# (MONGE_LOOPBACK_DEADLINE), 40 min in all; quiet estimate at 2.5 M: ~4 min cluster + ~2 min single machine.
# Assumes `dotnet build Monge.slnx -c Release` was done. Usage: bench/quiet/silo10m.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-2500000}"
LOGS="$(mktemp -d)"
trap 'rm -rf "$LOGS"' EXIT
largest() {
  # The sample where the process's peak RSS (VmHWM) first reached its final value, and the sample before it: the peak
  # happened between the two (the RSS itself stays up after a collection: the GC keeps what it committed).
  for k in 0 1 2; do
    awk -v k="$k" '/^memtrace/ { for (i = 1; i <= NF; i++) if ($i ~ /^peak=/) { v = substr($i, 6) + 0; if (v > best) { best = v; line = $0; before = prev } } prev = $0 }
      END { gsub(/loopback-[0-9]+\//, "", line); gsub(/loopback-[0-9]+\//, "", before); sub(/^memtrace /, "", line); sub(/^memtrace /, "", before)
            print "silo10m: silo" k " peak " best " MB reached between [" substr(before, 1, 300) "] and [" substr(line, 1, 300) "]" }' "$1/silo$k.log"
  done
}
echo "== uptime before: $(uptime)"
if [ -n "${SILO10M_BEFORE:-}" ]; then
  echo "== silo10m: n=$N with the build in $SILO10M_BEFORE (cluster only)"
  MONGE_LOOPBACK_CLI="$SILO10M_BEFORE/Monge.Cli" MONGE_LOOPBACK_SINGLE=0 MONGE_LOOPBACK_KILL=0 MONGE_LOOPBACK_DEADLINE=900 \
    MONGE_LOOPBACK_LOGS="$LOGS/before" MONGE_LOOPBACK_SILO_ENV="MONGE_MEMORY_TRACE=2" timeout 1200 tests/distributed/loopback.sh "$N"
  largest "$LOGS/before"
fi
echo "== silo10m: n=$N with this build"
MONGE_LOOPBACK_KILL=0 MONGE_LOOPBACK_DEADLINE=900 MONGE_LOOPBACK_LOGS="$LOGS/after" MONGE_LOOPBACK_SILO_ENV="MONGE_MEMORY_TRACE=2" \
  timeout 1500 tests/distributed/loopback.sh "$N"
largest "$LOGS/after"
echo "== uptime after: $(uptime)"
