#!/usr/bin/env bash
# HiRef certificate (issue #14, hirefc; stop 19 hirefcert: the 16-D 262 144 row and the per-order columns).
# Estimated ≈ 6 min (≤ 9 min) on a quiet 2-core machine; the 262 144 16-D row is ≈ 4× the 131 072 one (solve ≈ 100
# CPU-s, certificate ≈ 400 CPU-s: the transforms visit ~99% of n² pairs). Before that, from CPU seconds
# measured under load 80–110 (2026-12-06): 16-D mixture n = 131 072 solve ≈ 45 CPU-s + certificate ≈ 105 CPU-s;
# 2-D half-moon → S-curve n = 131 072 Euclidean solve ≈ 29 CPU-s + certificate ≈ 25 CPU-s; 8 Gaussians → moons
# n = 131 072 squared solve ≈ 26 CPU-s + certificate ≈ 8 CPU-s; all use both cores.
# Run from the repository root after `dotnet build Monge.slnx -c Release`; builds the hiref compare tool if needed.
# Prints, per case: HiRef cost, the certified lower bound (Monge.Tools.DualBound), the certified gap, the solve and
# certificate seconds (wall and CPU) and their ratio (goal: certificate ≤ 3× the solve), and the pairs the exact
# c-transforms evaluate per query (ball screening in 16-D, k-d trees in 2-D; of n), then the bound of the order of
# c-transforms from f alone, whether the order from g raised it, and the CPU-seconds of each order (DualBound.BothOrders).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
hiref_harness
uptime
printf '%-30s %8s %12s %12s %9s %8s %9s %7s %9s %9s %9s %9s %12s %7s %7s %7s\n' case n cost bound gap solve_s certify_s ratio solve_cpu cert_cpu cpu_ratio pairs/q bound_f g_gains cpu_f cpu_g
field() { grep -o "$1=[0-9.%]*" <<< "$2" | head -1 | cut -d= -f2; }
run() {
  local name=$1 ds=$2 d=$3 costname=$4 n=$5
  local out pairs
  out=$("$H" tune "$ds" "$d" "$costname" "$n" certify=1 2>/dev/null)
  pairs=$(field ball_pairs_per_query "$out")
  [ "$pairs" = "0" ] && pairs=$(field tree_pairs_per_query "$out")
  printf '%-30s %8s %12s %12s %9s %8s %9s %7s %9s %9s %9s %9s %12s %7s %7s %7s\n' "$name" "$n" "$(grep -o 'cost=[0-9.]*' <<< "$out" | head -1 | cut -d= -f2)" \
    "$(field bound "$out")" "$(field certified_gap "$out")%" "$(field solve_s "$out")" "$(field certify_s "$out")" \
    "$(field certify_over_solve "$out")" "$(field solve_cpu_s "$out")" "$(field certify_cpu_s "$out")" "$(field cpu_ratio "$out")" "$pairs" \
    "$(field bound_from_f "$out")" "$(grep -o 'g_gains=[A-Za-z]*' <<< "$out" | cut -d= -f2)" "$(field order_f_cpu_s "$out")" "$(field order_g_cpu_s "$out")"
}
run "mixture 16-D (sq.)" gaussian-mixture 16 sqeuclidean 131072
run "half-moon -> S-curve (2-D, Eucl.)" half-moon-s-curve 2 euclidean 131072
run "8 Gaussians -> moons (2-D, sq.)" eight-gaussians-moons 2 sqeuclidean 131072
run "mixture 16-D (sq.)" gaussian-mixture 16 sqeuclidean 262144
uptime
