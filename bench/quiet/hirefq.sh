#!/usr/bin/env bash
# HiRef quality and certificate (issue #14, hirefq). Estimated ≈ 3 min (≤ 4 min) on a quiet 2-core machine (from CPU seconds
# measured under load: 16-D mixture n = 16 384 solve 9 + certificate 25–29 CPU-s, so ≈ 60–90 CPU-s at 32 768; 2-D half-moon → S-curve
# n = 131 072 solve + certificate ≈ 60–80 CPU-s; the two global-refinement rows at 32 768 ≈ 25 + 70 CPU-s; all use both cores).
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

# Global sparse refinement (GlobalSparsePolish, internal, off by default) on the 16-D mixture at 32 768 instead of the
# slab rounds: unseeded (its first pass takes the targets nearest the partner) and seeded with the certificate's target
# potential (seedpot=1: the certificate runs first, its time is printed apart). Gap to the certified bound 78.015301.
printf '\n%-34s %12s %9s %8s  %s\n' "16-D mixture 32768, polish" cost gap solve_s "steps (cost, gap, s)"
grun() {
  local name=$1; shift
  local out
  out=$("$H" tune gaussian-mixture 16 sqeuclidean 32768 lb=78.015301 "$@" 2>/dev/null)
  local cost gap solve steps seed
  cost=$(grep -o 'cost=[0-9.]*' <<< "$out" | head -1 | cut -d= -f2)
  gap=$(grep -o ',gap=[0-9.]* %' <<< "$out" | head -1 | cut -d= -f2)
  solve=$(grep -o ',s=[0-9.]*' <<< "$out" | head -1 | cut -d= -f2)
  steps=$(grep -o 'steps: .*' <<< "$out" | cut -c8-)
  seed=$(grep -o 'seed potential: .*' <<< "$out" || true)
  printf '%-34s %12s %9s %8s  %s %s\n' "$name" "$cost" "$gap" "$solve" "$steps" "$seed"
}
grun "slabs (default)"
grun "global x4, no slabs" slabs=0 global=4 globalmin=0
grun "global x4 seeded, no slabs" slabs=0 global=4 globalmin=0 seedpot=1
uptime
