#!/usr/bin/env bash
# HiRef certificate in high dimension (issue #14, hirefc). Estimated ≈ 2 min (≤ 4 min) on a quiet 2-core machine, from CPU
# seconds measured under load 50–75: 16-D mixture n = 131 072 solve ≈ 45 CPU-s + certificate (float32 tile c-transforms)
# ≈ 109 CPU-s (whole 16-D process 153 CPU-s); 2-D half-moon → S-curve n = 131 072 solve + certificate ≈ 30 CPU-s; both use both cores.
# Run from the repository root after `dotnet build Monge.slnx -c Release`; builds the hiref compare tool if needed.
# Prints, per case: HiRef cost, the certified lower bound (Monge.Tools.DualBound), the certified gap, the solve and
# certificate seconds (wall and CPU) and their ratio (goal: certificate ≤ 3× the solve).
set -euo pipefail
H=bench/compare/hiref/bin/Release/net10.0/hiref
[ -x "$H" ] || dotnet build -c Release bench/compare/hiref > /dev/null
uptime
printf '%-28s %8s %12s %12s %9s %8s %9s %7s %9s %9s %9s\n' case n cost bound gap solve_s certify_s ratio solve_cpu cert_cpu cpu_ratio
run() {
  local name=$1 ds=$2 d=$3 n=$4
  local out
  out=$("$H" tune "$ds" "$d" sqeuclidean "$n" certify=1 2>/dev/null)
  local cost bound gap solve cert ratio scpu ccpu cratio
  cost=$(grep -o 'cost=[0-9.]*' <<< "$out" | head -1 | cut -d= -f2)
  bound=$(grep -o 'bound=[0-9.]*' <<< "$out" | cut -d= -f2)
  gap=$(grep -o 'certified_gap=[0-9.%]*' <<< "$out" | cut -d= -f2)
  solve=$(grep -o 'solve_s=[0-9.]*' <<< "$out" | cut -d= -f2)
  cert=$(grep -o 'certify_s=[0-9.]*' <<< "$out" | cut -d= -f2)
  ratio=$(grep -o 'certify_over_solve=[0-9.]*' <<< "$out" | cut -d= -f2)
  scpu=$(grep -o 'solve_cpu_s=[0-9.]*' <<< "$out" | cut -d= -f2)
  ccpu=$(grep -o 'certify_cpu_s=[0-9.]*' <<< "$out" | cut -d= -f2)
  cratio=$(grep -o 'cpu_ratio=[0-9.]*' <<< "$out" | cut -d= -f2)
  printf '%-28s %8s %12s %12s %9s %8s %9s %7s %9s %9s %9s\n' "$name" "$n" "$cost" "$bound" "${gap}%" "$solve" "$cert" "$ratio" "$scpu" "$ccpu" "$cratio"
}
run "mixture 16-D (sq.)" gaussian-mixture 16 131072
run "half-moon -> S-curve (2-D)" half-moon-s-curve 2 131072
uptime
