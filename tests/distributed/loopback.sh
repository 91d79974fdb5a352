#!/usr/bin/env bash
# Slow tier of the distributed HiRef tests: three `monge cluster silo` processes on loopback TCP, one job of N points
# (default 1 048 576) through `monge match --method cluster`, one secondary silo killed (SIGKILL) right after the first
# level checkpoint appears in the store; the permutation must be byte-identical to `monge match --method hiref` with the
# same options. Needs a Release build (dotnet build Monge.slnx -c Release). Prints timings for docs/benchmarks.md.
# From 524 288 points on, level 0 is split data-parallel by one shard grain per silo (--trunk-shards, default 0).
# Usage: tests/distributed/loopback.sh [N]   (MONGE_LOOPBACK_PORT picks the first silo port, default 21111;
#   MONGE_LOOPBACK_KILL=worker (the default, also 1) kills a secondary silo that does not run the coordinator (the third,
#   or the second when the third runs it: the job's epoch names the coordinator's silo), MONGE_LOOPBACK_KILL=coordinator
#   kills the coordinator's silo when it is a secondary (else the third): the job restarts there from the checkpoint;
#   the default was "the third silo" until stop 22, which ran the coordinator in about a third of the runs (docs/distributed.md);
#   MONGE_LOOPBACK_KILL=0 runs without killing a silo, for measurements; MONGE_LOOPBACK_KILL=mid kills the third silo
#   while the sharded level 0 runs (3 s after its shard inputs appear; the level starts again on the two live silos);
#   MONGE_LOOPBACK_SHARDS=S passes --trunk-shards S (-1: level 0 on one worker); MONGE_LOOPBACK_SUBTREE=S passes --subtree-size S,
#   0 = every level block by block and the leaves on the coordinator; default: the library's, 131 072;
#   MONGE_LOOPBACK_SILO_ENV="VAR=value …" sets environment variables for the silo processes only, e.g. the GC settings
#   a heap cap per silo, "DOTNET_GCHeapHardLimit=0x20000000" (docs/distributed.md, "Memory per process and GC settings");
#   MONGE_LOOPBACK_SINGLE=0 skips the single-machine run and the comparison (memory measurements of GC variants only);
#   MONGE_LOOPBACK_KEEP=FILE keeps the single machine's permutation, MONGE_LOOPBACK_EXPECT=FILE skips the single machine
#   and compares the cluster's permutation with FILE (the points are the same for the same N: seeded generation);
#   MONGE_LOOPBACK_CLI=PATH runs another build's monge apphost (a copy of bin/Release/net10.0, for before/after runs);
#   MONGE_LOOPBACK_LOGS=DIR copies the silos' logs, the client's stderr and the JSON outputs to DIR at the end (with
#   MONGE_LOOPBACK_SILO_ENV="MONGE_MEMORY_TRACE=1" the silo logs hold a memory timeline, docs/distributed.md);
#   MONGE_LOOPBACK_DEADLINE=S stops after S seconds from the start of the job (exit 124), printing where the job is:
#   the level checkpoints, sharded blocks and subtrees finished in the store, and the silos' peak RSS so far)
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-1048576}"
MONGE="${MONGE_LOOPBACK_CLI:-src/Monge.Cli/bin/Release/net10.0/Monge.Cli}"
[ -x "$MONGE" ] || { echo "loopback: build first (dotnet build Monge.slnx -c Release)" >&2; exit 2; }
PORT="${MONGE_LOOPBACK_PORT:-21111}"
GATE=$((PORT + 20000))
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  if [ -n "${MONGE_LOOPBACK_LOGS:-}" ]; then
    mkdir -p "$MONGE_LOOPBACK_LOGS"
    cp "$WORK"/silo*.log "$WORK"/cluster.err "$WORK"/*.json "$MONGE_LOOPBACK_LOGS"/ 2>/dev/null || true
  fi
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 5
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
OPTS=(--leaf-size 256 --seed 7 --quality fast)
KILL="${MONGE_LOOPBACK_KILL:-worker}"
[ "$KILL" = 1 ] && KILL=worker
CLUSTER_OPTS=()
[ -n "${MONGE_LOOPBACK_SUBTREE:-}" ] && CLUSTER_OPTS+=(--subtree-size "$MONGE_LOOPBACK_SUBTREE")
[ -n "${MONGE_LOOPBACK_SHARDS:-}" ] && CLUSTER_OPTS+=(--trunk-shards "$MONGE_LOOPBACK_SHARDS")

echo "== loopback: generate $N points"
"$MONGE" generate --dataset half-moon-s-curve --n "$N" --seed 7 --out "$WORK/x.npy" --target-out "$WORK/y.npy" >/dev/null 2>&1

for p in $PORT $((PORT + 1)) $((PORT + 2)) $GATE $((GATE + 1)) $((GATE + 2)); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "loopback: port $p is in use (set MONGE_LOOPBACK_PORT)" >&2; exit 1; fi
done
[ -n "${MONGE_LOOPBACK_SILO_ENV:-}" ] && echo "== loopback: silo environment: $MONGE_LOOPBACK_SILO_ENV"
echo "== loopback: 3 silos on 127.0.0.1:$PORT..$((PORT + 2)), gateways $GATE..$((GATE + 2))"
for k in 0 1 2; do
  primary=()
  [ "$k" -gt 0 ] && primary=(--primary "127.0.0.1:$PORT")
  # shellcheck disable=SC2086
  env ${MONGE_LOOPBACK_SILO_ENV:-} "$MONGE" cluster silo --store "$WORK/store" --port $((PORT + k)) --gateway-port $((GATE + k)) --cores 1 "${primary[@]}" 2>"$WORK/silo$k.log" &
  PIDS+=($!)
  sleep 2
done
for k in 0 1 2; do
  for _ in $(seq 1 60); do grep -q "silo up" "$WORK/silo$k.log" && break; sleep 1; done
  grep -q "silo up" "$WORK/silo$k.log" || { echo "loopback: silo $k did not start" >&2; cat "$WORK/silo$k.log" >&2; exit 1; }
done

echo "== loopback: job on the cluster"
start=$SECONDS
/usr/bin/time -f "%U %S %M" -o "$WORK/client.time" "$MONGE" match --method cluster --cluster "127.0.0.1:$GATE" --store "$WORK/store" --job-id "loopback-$$" \
  --source "$WORK/x.npy" --target "$WORK/y.npy" --out "$WORK/cluster.npy" --json "${OPTS[@]}" "${CLUSTER_OPTS[@]}" >"$WORK/cluster.json" 2>"$WORK/cluster.err" &
JOB=$!
PIDS+=("$JOB")
MARK="$WORK/store/jobs/loopback-$$/levels/0.blk"
[ "$KILL" = mid ] && MARK="$WORK/store/jobs/loopback-$$/shards/0"
[ "$KILL" = 0 ] || for _ in $(seq 1 1200); do
  [ -e "$MARK" ] && break
  kill -0 "$JOB" 2>/dev/null || break
  sleep 0.5
done
if [ "$KILL" = 0 ]; then
  echo "== loopback: no silo killed (MONGE_LOOPBACK_KILL=0)"
elif [ "$KILL" = mid ] && [ -e "$MARK" ] && kill -0 "$JOB" 2>/dev/null; then
  sleep 3
  [ -f "$WORK/store/jobs/loopback-$$/levels/0.blk" ] && { echo "loopback: level 0 ended before the mid-level kill" >&2; exit 1; }
  echo "== loopback: sharded level 0 running; killing the third silo (pid ${PIDS[2]})"
  kill -9 "${PIDS[2]}"
elif [ -f "$WORK/store/jobs/loopback-$$/levels/0.blk" ] && kill -0 "$JOB" 2>/dev/null; then
  # Which silo runs the coordinator: the job's epoch names the silo of the run that wrote it (JobEpoch's token).
  coord=-1
  for k in 0 1 2; do grep -aq "127.0.0.1:$((PORT + k)):" "$WORK/store/jobs/loopback-$$/epoch.blk" 2>/dev/null && coord=$k; done
  victim=2
  case "$KILL" in
    coordinator) [ "$coord" -gt 0 ] && victim=$coord ;;
    worker) [ "$coord" = 2 ] && victim=1 ;;
  esac
  what="a worker silo"; [ "$victim" = "$coord" ] && what="the coordinator's silo"
  echo "== loopback: level 0 checkpointed; killing silo $victim (pid ${PIDS[$victim]}, $what; the coordinator ran on silo $coord)"
  kill -9 "${PIDS[$victim]}"
else
  echo "loopback: the job ended before its first checkpoint" >&2; cat "$WORK/cluster.err" >&2; exit 1
fi
DEADLINE="${MONGE_LOOPBACK_DEADLINE:-0}"
where_is() {
  local jobdir="$WORK/store/jobs/loopback-$$"
  echo "loopback: where the job is after $((SECONDS - start)) s: level checkpoints [$(ls "$jobdir/levels" 2>/dev/null | tr '\n' ' ')]," \
    "sharded blocks done $(find "$jobdir/shards" -name '*.done' 2>/dev/null | wc -l)," \
    "subtrees done $(find "$jobdir/subtrees" -name '*.out' 2>/dev/null | wc -l) of $(find "$jobdir/subtrees" -name '*.in' -o -name '*.out' 2>/dev/null | wc -l) started"
  for k in 0 1 2; do
    [ -r "/proc/${PIDS[$k]}/status" ] && echo "loopback: silo$k peak RSS so far $(($(awk '/^VmHWM:/ {print $2}' "/proc/${PIDS[$k]}/status") / 1024)) MB"
  done
}
if [ "$DEADLINE" -gt 0 ]; then
  while kill -0 "$JOB" 2>/dev/null; do
    if [ $((SECONDS - start)) -ge "$DEADLINE" ]; then
      echo "loopback: the cluster job passed MONGE_LOOPBACK_DEADLINE=$DEADLINE s" >&2
      where_is
      exit 124
    fi
    sleep 2
  done
fi
wait "$JOB" || { echo "loopback: the cluster job failed" >&2; where_is; tail -20 "$WORK/cluster.err" >&2; exit 1; }
cluster_s=$((SECONDS - start))
# Peak RSS (VmHWM) and CPU seconds (user + sys) of each live silo process, and of the client, after the job.
rss_line="loopback: peak RSS per process:"
total_kb=0
for k in 0 1 2; do
  pid="${PIDS[$k]}"
  if [ -r "/proc/$pid/status" ]; then
    kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
    cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$pid/stat")
    rss_line="$rss_line silo$k $((kb / 1024)) MB (${cpu} CPU-s)"
    proc_lines="${proc_lines:-}loopback: process silo$k peak $((kb / 1024)) MB, CPU ${cpu} s"$'\n'
    total_kb=$((total_kb + kb))
  else
    rss_line="$rss_line silo$k gone"
  fi
done
read -r cu cs ckb <"$WORK/client.time" || true
rss_line="$rss_line client $((${ckb:-0} / 1024)) MB; sum $(((total_kb + ${ckb:-0}) / 1024)) MB"
printf '%s' "${proc_lines:-}"
echo "loopback: process client peak $((${ckb:-0} / 1024)) MB, CPU $(echo "${cu:-0} ${cs:-0}" | awk '{printf "%.1f", $1 + $2}') s"

if [ -n "${MONGE_LOOPBACK_EXPECT:-}" ]; then
  # Compared with a permutation written by an earlier run's single machine (MONGE_LOOPBACK_KEEP) on the same points.
  echo "$rss_line"
  echo "loopback: n=$N cluster $((SECONDS - start))s; single machine not run, compared with $MONGE_LOOPBACK_EXPECT"
  if cmp -s "$WORK/cluster.npy" "$MONGE_LOOPBACK_EXPECT"; then echo "loopback: permutations identical"; exit 0; fi
  echo "loopback: permutations DIFFER" >&2
  exit 1
fi

if [ "${MONGE_LOOPBACK_SINGLE:-1}" = 0 ]; then
  tr -d ' \n' <"$WORK/cluster.json" | grep -o '"level_seconds":\[[^]]*\]' || true
  echo "$rss_line"
  echo "loopback: n=$N cluster $((SECONDS - start))s; single machine skipped (MONGE_LOOPBACK_SINGLE=0), permutation not compared"
  exit 0
fi

echo "== loopback: the same match on one machine"
start=$SECONDS
/usr/bin/time -f "%U %S %M" -o "$WORK/single.time" "$MONGE" match --method hiref --source "$WORK/x.npy" --target "$WORK/y.npy" --out "$WORK/single.npy" --json "${OPTS[@]}" >"$WORK/single.json" 2>/dev/null
single_s=$((SECONDS - start))
[ -n "${MONGE_LOOPBACK_KEEP:-}" ] && cp "$WORK/single.npy" "$MONGE_LOOPBACK_KEEP"

grep -E '"(cost|coordinator_runs|generation|resumed_levels|resumed_subtrees|retries|checkpoint_seconds|leaf_seconds|subtrees|subtree_seconds|bytes_written|bytes_read|sharded_levels|shards|shard_round_trips|shard_message_bytes|sharded_level_restarts|shard_fan_out_seconds|shard_compute_seconds|shard_logits_seconds)"' "$WORK/cluster.json" | tr -d ' ,' | tr '\n' ' '
echo
tr -d ' \n' <"$WORK/cluster.json" | grep -o '"level_seconds":\[[^]]*\]' || true
tr -d ' \n' <"$WORK/cluster.json" | grep -o '"level_bytes":\[[^]]*\]' || true
tr -d ' \n' <"$WORK/single.json" | grep -o '"levels":\[[^]]*\]' | grep -o '"seconds":[0-9.e-]*' | tr '\n' ' ' || true
echo
killed="one silo killed"; [ "$KILL" = 0 ] && killed="no silo killed"
echo "$rss_line"
read -r su ss skb <"$WORK/single.time" || true
echo "loopback: single machine peak RSS $((${skb:-0} / 1024)) MB, CPU $(echo "${su:-0} ${ss:-0}" | awk '{printf "%.1f", $1 + $2}') s"
echo "loopback: n=$N cluster ${cluster_s}s ($killed), single machine ${single_s}s"
if cmp -s "$WORK/cluster.npy" "$WORK/single.npy"; then
  echo "loopback: permutations identical"
else
  echo "loopback: permutations DIFFER" >&2
  exit 1
fi
