# Shared by the bench/quiet scripts: `source "$(dirname "$0")/lib.sh"` after `set -euo pipefail`, from the repository
# root. Defines MONGE (the CLI build output) and the run-and-parse steps the scripts used to repeat; it runs nothing when
# sourced. Each function's output is the one its scripts printed before it was shared.

MONGE="dotnet src/Monge.Cli/bin/Release/net10.0/Monge.Cli.dll"
QUIET_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# hiref_harness: sets H to the HiRef compare tool (bench/compare/hiref), building it first if it is missing.
hiref_harness() {
  H=bench/compare/hiref/bin/Release/net10.0/hiref
  [ -x "$H" ] || dotnet build -c Release bench/compare/hiref > /dev/null
}

# generate_pair DATASET N X Y [options...]: `monge generate` with seed 1, source to X and target to Y, quietly.
generate_pair() {
  local dataset=$1 n=$2 x=$3 y=$4
  shift 4
  $MONGE generate --dataset "$dataset" "$@" --n "$n" --seed 1 --out "$x" --target-out "$y" > /dev/null
}

# timed_match BASE SOURCE TARGET [options...]: `monge match --method hiref --json` under /usr/bin/time -v, the plan to
# BASE-p.npy, the JSON to BASE.json, stderr (with time's report) to BASE.time. On failure: prints "NAME failed" (NAME =
# BASE's file name) and the last 5 lines of stderr, and returns 1.
timed_match() {
  local base=$1 x=$2 y=$3
  shift 3
  /usr/bin/time -v $MONGE match --source "$x" --target "$y" --method hiref --out "$base-p.npy" --json "$@" \
    > "$base.json" 2> "$base.time" || { echo "$(basename "$base") failed"; tail -5 "$base.time"; return 1; }
}

# summary_row JSON TIME FORMAT [key=value...]: prints FORMAT (Python str.format) filled from /usr/bin/time -v's report in
# TIME ({wall}, {cpu} = user + sys seconds, {rss_gb}), from the JSON summary in JSON (any other name: the first value of
# that key, depth first; {level_seconds}: the levels' seconds, one decimal, space-separated) and from the key=value pairs.
summary_row() {
  /usr/bin/python3 "$QUIET_LIB_DIR/summary_row.py" "$@"
}

# tune_cpu OUTPUT: from a harness run's output that ends with /usr/bin/time -f 'CPU %U %S %M', prints
# "user+sys peak_MiB" (user + sys by bc, peak rounded down to whole MiB).
tune_cpu() {
  local u s m
  read -r u s m < <(grep -o '^CPU [0-9.]* [0-9.]* [0-9]*$' <<< "$1" | tail -1 | cut -c5-)
  echo "$(echo "$u + $s" | bc) $(echo "$m / 1024" | bc)"
}

# tune_1m_header / tune_1m_row COST DATASET BOUND LABEL [options...]: one `hiref tune DATASET 2 COST 1048576 lb=BOUND
# options...` under /usr/bin/time (at most TUNE_TIMEOUT seconds, default 600), printed as a markdown row under
# tune_1m_header's header: dataset, label, wall s, CPU-s (user + sys), peak RSS, schedule, cost, gap to the bound and the
# level-1 rank choice's report (empty when it did not run); "failed" when the run fails. Calls hiref_harness.
tune_1m_header() {
  echo "| case | variant | wall s | CPU s (user+sys) | peak RSS | schedule | cost | gap to the bound | first rank (sample costs) |"
  echo "|---|---|---|---|---|---|---|---|---|"
}
tune_1m_row() {
  local cost_name=$1 data=$2 bound=$3 label=$4 out wall user sys rss line cost gap sched first
  shift 4
  hiref_harness
  out=$( { timeout "${TUNE_TIMEOUT:-600}" /usr/bin/time -f "TIME %e %U %S %M" "$H" tune "$data" 2 "$cost_name" 1048576 lb="$bound" "$@"; } 2>&1 ) \
    || { echo "| $data | $label | failed |"; return 0; }
  read -r wall user sys rss <<< "$(grep '^TIME' <<< "$out" | awk '{print $2, $3, $4, $5}')"
  line=$(grep "^$data" <<< "$out")
  cost=$(grep -o 'cost=[0-9.]*' <<< "$line" | head -1 | cut -d= -f2)
  gap=$(grep -o ',gap=[^,]*' <<< "$line" | cut -d= -f2)
  sched=$(grep -o 'schedule=\[[0-9 ]*\]' <<< "$line" | cut -d= -f2)
  first=$(grep '  first rank:' <<< "$out" | sed 's/  first rank: //' || true)
  echo "| $data | $label | $wall | $(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.1f", u+s}') | $(awk -v r="$rss" 'BEGIN{printf "%.2f GB", r/1e6}') | $sched | $cost | $gap | $first |"
}
