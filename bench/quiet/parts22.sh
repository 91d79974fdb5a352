#!/usr/bin/env bash
# Random parts as a HiRef step (issue #14, parts, stop 22): each 2-D case at n = 131 072 solved with the balanced
# defaults (in 2-D for 32 768 < n <= 262 144: the union of HiRef solves on 2 random halves, then the slab rounds) and with
# the step off (partsize=0, the stop-21 default), gap to the certified bounds of docs/hiref.md's 131 072 table.
# `sq` (default): the four squared-Euclidean 2-D rows, 8 runs, ~6-8 quiet minutes (under load: 30-110 CPU-s per run);
# `eucl`: the four Euclidean 2-D rows (the step is off for that cost: both variants give the same answer); `big`: 8 Gaussians -> moons and half-moon -> S-curve at 262 144 (no bound: costs only);
# `q`: 8 Gaussians -> moons with quarters (partsize=32768) against halves.
# Run from the repository root after `dotnet build Monge.slnx -c Release`; builds the hiref compare tool if needed.
# Prints per run: case, variant, cost, gap to the bound, CPU seconds (user + sys) of the process, peak resident MB.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
hiref_harness
case "${1:-sq}" in
  sq) CASES=("eight-gaussians-moons 2 sqeuclidean 131072 lb=7.107039" "checkerboard 2 sqeuclidean 131072 lb=21.095116"
             "half-moon-s-curve 2 sqeuclidean 131072 lb=4.142639" "maf-moons-rings 2 sqeuclidean 131072 lb=22.104687") ;;
  eucl) CASES=("eight-gaussians-moons 2 euclidean 131072 lb=2.433514" "checkerboard 2 euclidean 131072 lb=4.590736"
               "half-moon-s-curve 2 euclidean 131072 lb=1.988038" "maf-moons-rings 2 euclidean 131072 lb=4.574496") ;;
  big) CASES=("eight-gaussians-moons 2 sqeuclidean 262144 lb=1" "half-moon-s-curve 2 sqeuclidean 262144 lb=1") ;;
  q) CASES=("eight-gaussians-moons 2 sqeuclidean 131072 lb=7.107039") ;;
  *) echo "usage: $0 [sq|eucl|big|q]" >&2; exit 2 ;;
esac
VARIANTS=("partsize=0" "partsize=65536")
[ "${1:-sq}" = q ] && VARIANTS=("partsize=65536" "partsize=32768")
uptime
git log -1 --format='commit %h %cs %s' | cut -c1-100
printf '%-40s %-15s %10s %9s %8s %8s\n' case variant cost gap cpu_s peak_mb
for c in "${CASES[@]}"; do
  for v in "${VARIANTS[@]}"; do
    # shellcheck disable=SC2086
    out=$( { /usr/bin/time -f 'CPU %U %S %M' "$H" tune $c $v 2>&1 >&3; } 3>&1 )
    line=$(grep -E '^[a-z-]+,[0-9]+,' <<< "$out" | tail -1)
    cost=$(grep -oE ',cost=[0-9.]+' <<< "$line" | cut -d= -f2)
    gap=$(grep -oE ',gap=[^,]+' <<< "$line" | cut -d= -f2 | tr -d ' ')
    read -r _ u s m <<< "$(grep '^CPU' <<< "$out")"
    printf '%-40s %-15s %10s %9s %8.1f %8.0f\n' "$(cut -d' ' -f1-4 <<< "$c")" "$v" "$cost" "$gap" "$(echo "$u + $s" | bc)" "$(echo "$m / 1024" | bc)"
  done
done
uptime
