#!/usr/bin/env bash
# The exact k-best candidate search with the float32 screen (issue #14, rcs32, stop 20). 16-D mixture, squared Euclidean,
# data seed 1: the global step alone from the slab-polished matching (savematch, then polishfrom): the default probed
# balls (2 passes), the exact search without the screen (gscreen=0, 32 768 only: ≈ 100 CPU-s per pass at 131 072) and with
# it (the new default of gexact=1), 1 and 2 passes. The exact variants give the same cost bit for bit with and without
# the screen (same candidates). Estimated ≈ 6 min on a quiet 2-core machine (CPU-s measured under load: 32 768 save 22,
# probes 4.7, exact unscreened ≈ 18, screened 8.5; 131 072 save 40, the others see docs/benchmarks.md "stop 20 — rcs32").
# Run from the repository root after `dotnet build Monge.slnx -c Release`; builds the hiref compare tool if needed.
# Prints per row: n, variant, passes, cost, gap to the bound given (78.015301 at 32 768, the certified 86.674533 at
# 131 072), CPU seconds (user + sys) of the step's process, peak resident MB, float64 evaluations and float32 values per row.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
hiref_harness
T=$(mktemp -d)
uptime
printf '%8s %-16s %6s %12s %9s %8s %8s %10s %10s\n' n variant passes cost gap cpu_s peak_mb evaluated screened
for case in "32768 78.015301" "131072 86.674533"; do
  set -- $case
  n=$1 lb=$2
  "$H" tune gaussian-mixture 16 sqeuclidean "$n" lb="$lb" global=0 savematch="$T/m$n.bin" > /dev/null 2>&1
  variants=("probes 2 gexact=0" "exact 1 gexact=1" "exact 2 gexact=1")
  [ "$n" = 32768 ] && variants+=("exact-noscreen 2 gexact=1 gscreen=0")
  for v in "${variants[@]}"; do
    read -r name passes extra <<< "$v"
    out=$( { /usr/bin/time -f 'CPU %U %S %M' "$H" tune gaussian-mixture 16 sqeuclidean "$n" lb="$lb" polishfrom="$T/m$n.bin" global="$passes" $extra 2>&1 >&3; } 3>&1 )
    line=$(grep -o 'polishfrom: .*' <<< "$out")
    cost=$(grep -o ',cost=[0-9.]*' <<< "$line" | cut -d= -f2)
    gap=$(grep -o ',gap=[0-9.,]* %' <<< "$line" | cut -d= -f2)
    ran=$(grep -o ',passes=[0-9]*' <<< "$line" | cut -d= -f2)
    ev=$(grep -o 'evaluated_per_row=[0-9a-zA-Z]*' <<< "$line" | cut -d= -f2)
    sc=$(grep -o 'screened_per_row=[0-9a-zA-Z]*' <<< "$line" | cut -d= -f2)
    read -r cpu peak < <(tune_cpu "$out")
    printf '%8s %-16s %6s %12s %9s %8.1f %8.0f %10s %10s\n' "$n" "$name" "$ran" "$cost" "$gap" "$cpu" "$peak" "$ev" "$sc"
  done
done
rm -rf "$T"
uptime
