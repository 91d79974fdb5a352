#!/usr/bin/env bash
# Old-vs-new side-by-side run for the seam refactor (issue "One seam"): the same problems through the `monge` CLI of
# two builds, interleaved (old, new, old, new, ...) so that machine noise hits both alike. Prints one Markdown row per
# run: case, build, solve seconds (from the JSON), wall seconds, peak resident memory, cost.
#
#   bench/seam/compare.sh OLD_REPO NEW_REPO [REPEATS] [CASES...]
#
# OLD_REPO / NEW_REPO: repository roots with `dotnet build -c Release src/Monge.Cli` done (and bench/Monge.Benchmarks
# for the kernel case). Cases: kernel sinkhorn4000 lap4000 emd4096 frlc200k hiref1m (default: all).
set -euo pipefail
old=$(cd "$1" && pwd); new=$(cd "$2" && pwd); repeats=${3:-2}; shift $(( $# >= 3 ? 3 : $# ))
cases=("$@"); [ ${#cases[@]} -eq 0 ] && cases=(kernel sinkhorn4000 lap4000 emd4096 frlc200k hiref1m)
data=$(mktemp -d); trap 'rm -rf "$data"' EXIT
cli() { dotnet "$1/src/Monge.Cli/bin/Release/net10.0/Monge.Cli.dll" "${@:2}"; }
gen() { cli "$new" generate --dataset "$1" --n "$2" --seed 1 --out "$data/$3x.npy" --target-out "$data/$3y.npy" --overwrite "${@:4}" >/dev/null 2>&1; }

run_case() { # name build args...
  local name=$1 root=$2; shift 2
  local out="$data/out.json" tim="$data/time.txt"
  /usr/bin/time -f "%e %M" -o "$tim" dotnet "$root/src/Monge.Cli/bin/Release/net10.0/Monge.Cli.dll" "$@" --json >"$out" 2>"$data/err.txt" || true
  python3 - "$name" "$([ "$root" = "$old" ] && echo old || echo new)" "$out" "$tim" <<'PY'
import json, sys
name, build, out, tim = sys.argv[1:5]
wall, rss = open(tim).read().split()[-2:]
try:
    j = json.load(open(out))
except Exception as e:
    print(f"| {name} | {build} | (no JSON: {e}) | {float(wall):.1f} | {int(rss)/1024:.0f} MB | |"); sys.exit()
sec = j.get("seconds", j.get("solve_seconds", ""))
cost = j.get("cost", j.get("mean_cost", ""))
print(f"| {name} | {build} | {sec if sec == '' else f'{float(sec):.2f}'} | {float(wall):.1f} | {int(rss)/1024:.0f} MB | {cost} |")
PY
}

echo "| case | build | solve s | wall s | peak RSS | cost |"
echo "|---|---|---|---|---|---|"
for c in "${cases[@]}"; do
  case $c in
    kernel)
      for r in $(seq "$repeats"); do for root in "$old" "$new"; do
        echo "kernel, $( [ "$root" = "$old" ] && echo old || echo new ), repeat $r:"
        (cd "$root" && dotnet bench/Monge.Benchmarks/bin/Release/net10.0/Monge.Benchmarks.dll --filter '*SoftMinBenchmarks*' --job short 2>&1 | grep -E '^\|' | grep -v -- '---' | tail -n +2)
      done; done ;;
    sinkhorn4000) gen half-moon-s-curve 4000 s
      for r in $(seq "$repeats"); do for root in "$old" "$new"; do run_case "$c" "$root" solve --source "$data/sx.npy" --target "$data/sy.npy" --method sinkhorn --epsilon 0.01 --relative-epsilon --threshold 1e-3; done; done ;;
    lap4000) gen checkerboard 4000 l
      for r in $(seq "$repeats"); do for root in "$old" "$new"; do run_case "$c" "$root" match --source "$data/lx.npy" --target "$data/ly.npy" --method exact --out "$data/perm.npy" --overwrite; done; done ;;
    emd4096) gen half-moon-s-curve 4096 e
      for r in $(seq "$repeats"); do for root in "$old" "$new"; do run_case "$c" "$root" solve --source "$data/ex.npy" --target "$data/ey.npy" --method emd; done; done ;;
    frlc200k) gen gaussian-mixture 200000 f
      for r in $(seq "$repeats"); do for root in "$old" "$new"; do run_case "$c" "$root" solve --source "$data/fx.npy" --target "$data/fy.npy" --method frlc --rank 32; done; done ;;
    hiref1m)
      for r in $(seq "$repeats"); do for root in "$old" "$new"; do run_case "$c" "$root" demo --n 1048576 --method hiref --plot "$data/demo.png" --overwrite; done; done ;;
    *) echo "unknown case $c" >&2; exit 2 ;;
  esac
done
