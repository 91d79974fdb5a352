#!/usr/bin/env bash
# Issue #14, stop 28 (sparsemem): the certificate's memory with WorkerScratch (one scratch per worker, reused across the
# Parallel.For task replicas) on the 16-D mixture (squared Euclidean, data seed 1, DualBound seed 0, certificate alone:
# nosolve=1, profile=1). Each line: the bound, the sparse level's own bounds (`level:`), the scratch counts (`scratches:`:
# local-init calls = scratches the old code allocated, against scratches allocated now; GC counts gen0/1/2, bytes
# allocated), CPU-s (user + sys) and peak RSS (KiB); then the RSS trace (CPU-s, RSS MB) sampled every 15 s.
#   1m     (≈ 15–30 min quiet): sparselevel=262144 at n = 1 048 576 (default 3 passes). Goal: bound ≥ 69.3764 (the
#          stop-24 matching 70.070202 within 1%), certificate ≤ ≈ 2 800 CPU-s, peak RSS ≤ 4.66 GB (stop 26's default).
#          Stop 27 under load, before WorkerScratch: killed at 1 350 CPU-s, 8.59 GB and rising (1 pass).
#   1mdef  (≈ 15–20 min quiet): the default at 1M (sparse level 131 072; stop 26 under load: 69.338449, 876.7 CPU-s,
#          4.66 GB before WorkerScratch).
#   262k   (≈ 5–8 min quiet): the 1:4 proxy, n = 262 144 with levels scaled as 1M's (coarse=2048 medium=4096
#          cellmax=32768, full-size ascent off): sparselevel=65536 (1M's 262 144 : 1 048 576) and the default (131 072).
#   131k   (≈ 1–3 min quiet): the default at n = 131 072, a check that the RSS trace is sampled (the harness process,
#          found under /usr/bin/time → timeout; before stop 29 the trace sampled timeout's RSS).
# Run from the repository root after `dotnet build Monge.slnx -c Release`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
hiref_harness
uptime
keys='bound=[0-9.]*\|certify_cpu_s=[0-9.]*\|level: [0-9. ]*\|scratches: [^ ]*\|cpu_s=[0-9.+]*\|peak_kb=[0-9]*'
run() {
  local label=$1 limit=$2
  shift 2
  echo -n "$label: "
  local log
  log=$(mktemp)
  /usr/bin/time -f "cpu_s=%U+%S peak_kb=%M" timeout "$limit" "$H" tune gaussian-mixture 16 sqeuclidean "$@" profile=1 >"$log" 2>&1 &
  local tp=$! tmo="" pid="" trace=""
  while kill -0 "$tp" 2>/dev/null; do
    # The harness is the grandchild: /usr/bin/time → timeout → hiref (stop 29: this sampled timeout before).
    if [ -z "$pid" ]; then
      tmo=$(pgrep -P "$tp" -x timeout | head -1 || true)
      [ -z "$tmo" ] || pid=$(pgrep -P "$tmo" -x hiref | head -1 || true)
    fi
    if [ -n "$pid" ] && [ -r "/proc/$pid/status" ]; then
      trace+="$(awk '{printf "%.0f", ($14+$15)/100}' "/proc/$pid/stat" 2>/dev/null):$(awk '/VmRSS/{printf "%d", $2/1024}' "/proc/$pid/status" 2>/dev/null) "
      sleep 15
    else
      sleep 1
    fi
  done
  wait "$tp" || true
  grep -o "$keys" "$log" | tr '\n' ' ' || true
  echo
  echo "  rss (cpu_s:MB): $trace"
  rm -f "$log"
}
P262="262144 certify=1 nosolve=1 coarse=2048 medium=4096 cellmax=32768 ascentmax=16384"
case "${1:-1m}" in
  1m)
    run "1048576 sparselevel=262144" 5400 1048576 certify=1 nosolve=1 sparselevel=262144
    ;;
  1mdef)
    run "1048576 default (sparse level 131072)" 3600 1048576 certify=1 nosolve=1
    ;;
  131k)
    run "131072 default" 1800 131072 certify=1 nosolve=1
    ;;
  262k)
    run "262144 sparselevel=65536" 1800 $P262 sparselevel=65536
    run "262144 default (sparse level 131072)" 1800 $P262
    ;;
  *)
    echo "usage: $0 [1m|1mdef|262k|131k]" >&2
    exit 2
    ;;
esac
