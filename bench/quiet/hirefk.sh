#!/usr/bin/env bash
# Exact k-best candidates for HiRef's global sparse refinement (issue #14, hirefk, stop 19). 16-D mixture, squared
# Euclidean, data seed 1: the global step alone from the slab-polished matching (savematch, then polishfrom), with the
# default probed balls (8 + the partner's) and with the exact k-best search (gexact=1), 2 passes each.
# Estimated ≈ 8 min on a quiet 2-core machine (CPU-s measured under load: 32 768 save 22, probes 5, exact 19;
# 131 072 save 40, probes ≈ 45, exact ≈ 300 estimated from the 32 768 search × 16).
# Run from the repository root after `dotnet build Monge.slnx -c Release`; builds the hiref compare tool if needed.
# Prints per row: n, search, cost, gap to the bound given (78.015301 at 32 768, the certified 86.674533 at 131 072),
# CPU seconds (user + sys) of the step's process, peak resident MB, targets evaluated per row by the exact search.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
hiref_harness
T=$(mktemp -d)
uptime
printf '%8s %-8s %12s %9s %8s %8s %10s\n' n search cost gap cpu_s peak_mb evaluated
for case in "32768 78.015301" "131072 86.674533"; do
  set -- $case
  n=$1 lb=$2
  "$H" tune gaussian-mixture 16 sqeuclidean "$n" lb="$lb" global=0 savematch="$T/m$n.bin" > /dev/null 2>&1
  for search in probes exact; do
    extra=""; [ "$search" = exact ] && extra="gexact=1"
    out=$( { /usr/bin/time -f 'CPU %U %S %M' "$H" tune gaussian-mixture 16 sqeuclidean "$n" lb="$lb" polishfrom="$T/m$n.bin" global=2 $extra 2>&1 >&3; } 3>&1 )
    line=$(grep -o 'polishfrom: .*' <<< "$out")
    cost=$(grep -o ',cost=[0-9.]*' <<< "$line" | cut -d= -f2)
    gap=$(grep -o ',gap=[0-9.,]* %' <<< "$line" | cut -d= -f2)
    ev=$(grep -o 'evaluated_per_row=[0-9a-zA-Z]*' <<< "$line" | cut -d= -f2)
    read -r cpu peak < <(tune_cpu "$out")
    printf '%8s %-8s %12s %9s %8.1f %8.0f %10s\n' "$n" "$search" "$cost" "$gap" "$cpu" "$peak" "$ev"
  done
done
rm -rf "$T"
uptime
