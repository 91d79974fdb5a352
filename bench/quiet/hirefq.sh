#!/usr/bin/env bash
# HiRef quality and certificate (issue #14, hirefq). Estimated ≈ 3.5 min (≤ 4 min) on a quiet 2-core machine (from CPU seconds:
# 16-D mixture 32 768 solve + certificate 60 CPU-s (quiet, stop 15); half-moon → S-curve 131 072 solve + certificate 31 CPU-s;
# the three 32 768 polish rows ≈ 18 + 18 + 25 CPU-s; 16-D 131 072 slabs only 41 CPU-s and slabs + global ×2 ≈ 80 CPU-s
# (measured under load); ≈ 270 CPU-s on both cores ≈ 2.5 min wall plus start-up).
# Run from the repository root after `dotnet build Monge.slnx -c Release`; builds the hiref compare tool if needed.
# Prints, per case: HiRef cost, the certified lower bound (Monge.Tools.DualBound), the certified gap, the solve and
# certificate seconds and their ratio (goal: certificate ≤ 3× the solve; 16-D now uses the cluster-screened
# c-transforms of DualBoundClusters).
set -euo pipefail
H=bench/compare/hiref/bin/Release/net10.0/hiref
[ -x "$H" ] || dotnet build -c Release bench/compare/hiref > /dev/null
uptime
printf '%-28s %8s %12s %12s %9s %8s %9s %7s %9s %9s\n' case n cost bound gap solve_s certify_s ratio solve_cpu cert_cpu
run() {
  local name=$1 ds=$2 d=$3 n=$4
  local out
  out=$("$H" tune "$ds" "$d" sqeuclidean "$n" certify=1 2>/dev/null)
  local cost bound gap solve cert ratio scpu ccpu
  cost=$(grep -o 'cost=[0-9.]*' <<< "$out" | head -1 | cut -d= -f2)
  bound=$(grep -o 'bound=[0-9.]*' <<< "$out" | cut -d= -f2)
  gap=$(grep -o 'certified_gap=[0-9.%]*' <<< "$out" | cut -d= -f2)
  solve=$(grep -o 'solve_s=[0-9.]*' <<< "$out" | cut -d= -f2)
  cert=$(grep -o 'certify_s=[0-9.]*' <<< "$out" | cut -d= -f2)
  ratio=$(grep -o 'certify_over_solve=[0-9.]*' <<< "$out" | cut -d= -f2)
  scpu=$(grep -o 'solve_cpu_s=[0-9.]*' <<< "$out" | cut -d= -f2)
  ccpu=$(grep -o 'certify_cpu_s=[0-9.]*' <<< "$out" | cut -d= -f2)
  printf '%-28s %8s %12s %12s %9s %8s %9s %7s %9s %9s\n' "$name" "$n" "$cost" "$bound" "${gap}%" "$solve" "$cert" "$ratio" "$scpu" "$ccpu"
}
run "mixture 16-D (sq.)" gaussian-mixture 16 32768
run "half-moon -> S-curve (2-D)" half-moon-s-curve 2 131072

# Global sparse refinement (GlobalSparsePolish) seeded with the cheap global potential (CoarsePotential: Sinkhorn on
# 2048-point cell-weighted subsamples, soft c-transform extension; no certificate) on the 16-D mixture: at 32 768 instead
# of / after the slab rounds (gap to the certified bound 78.015301), and at 131 072 the balanced default against slabs +
# global (gap to the recorded bound 86.1635). Prints wall and CPU seconds (user + sys) of each whole run.
printf '\n%-40s %8s %12s %9s %8s %8s  %s\n' "16-D mixture, polish" n cost gap wall_s cpu_s "steps (cost, gap, s)"
grun() {
  local name=$1 n=$2 lb=$3; shift 3
  local out cost gap steps t0 t1 cpu
  t0=$(date +%s.%N)
  out=$( { /usr/bin/time -f 'CPU %U %S' "$H" tune gaussian-mixture 16 sqeuclidean "$n" lb="$lb" "$@" 2>&1 >&3; } 3>&1 )
  t1=$(date +%s.%N)
  cost=$(grep -o 'cost=[0-9.]*' <<< "$out" | head -1 | cut -d= -f2)
  gap=$(grep -o ',gap=[0-9.]* %' <<< "$out" | head -1 | cut -d= -f2)
  steps=$(grep -o 'steps: .*' <<< "$out" | cut -c8-)
  cpu=$(grep -o 'CPU [0-9.]* [0-9.]*' <<< "$out" | awk '{printf "%.1f", $2 + $3}')
  printf '%-40s %8s %12s %9s %8.1f %8s  %s\n' "$name" "$n" "$cost" "$gap" "$(echo "$t1 - $t0" | bc)" "$cpu" "$steps"
}
grun "slabs (default at 32768)" 32768 78.015301
grun "global x4 (coarse potential), no slabs" 32768 78.015301 slabs=0 global=4 globalmin=0
grun "slabs + global x4 (coarse potential)" 32768 78.015301 global=4 globalmin=0
grun "slabs only (balanced before)" 131072 86.1635 global=0
grun "slabs + global x2 (balanced now)" 131072 86.1635
uptime
