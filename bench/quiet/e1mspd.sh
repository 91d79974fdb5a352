#!/usr/bin/env bash
# Stop 25 (e1mspd), issue #14: the 2-D Euclidean rows at 1 048 576 through the HiRef harness, one row each under
# /usr/bin/time (wall s for the 30 s goal, CPU-s = user + sys, peak RSS). Rows (data seed 1, default balanced):
#   solve (default argument `solve`): MAF moons → rings and 8 Gaussians → moons, Euclidean cost, the default (no sampled
#     start for the Euclidean cost: bit-identical to stop 24) and with the opt-in sampled start of the level-1 block
#     (`sampledeucl=1`, stop 25); gaps against the certified bounds of the same data (ecert, stop 24: MAF 4.574378,
#     8 Gaussians 2.440467). Under load (docs/hiref.md "Stop 25 (e1mspd)"): MAF 88.5 → 71.5 CPU-s, 0.051% → 0.047%;
#     8 Gaussians 0.489% → 0.578%;
#   cert: MAF moons → rings with `certify=1` (solve + certificate in one process: the certificate's CPU over the solve's;
#     stop 25 computes each tree node's bound once: at 131 072 under load the certificate 39.7 → 24.8 CPU-s, same bound).
# Lead's quiet run before this stop (docs/benchmarks.md, after the stop-24 merge): MAF solve 40.7 s wall / 77.1 CPU-s,
# certificate 3.12× wall / 3.25× CPU. Estimated quiet run time: `solve` ≈ 4 minutes, `cert` ≈ 2–3 minutes.
# Assumes `dotnet build Monge.slnx -c Release` and `dotnet build -c Release bench/compare/hiref`; run from the repository root.
set -euo pipefail
HIREF=bench/compare/hiref/bin/Release/net10.0/hiref
uptime
echo "| case | variant | wall s | CPU s (user+sys) | peak RSS | level s | cost after the leaves | cost | certified gap | certificate |"
echo "|---|---|---|---|---|---|---|---|---|---|"
row() { # dataset, label, extra options...
  local data=$1 label=$2
  out=$( { timeout 1200 /usr/bin/time -f "TIME %e %U %S %M" $HIREF tune "$data" 2 euclidean 1048576 "${@:3}"; } 2>&1 ) || { echo "| $data | $label | failed |"; return 0; }
  read -r wall user sys rss <<< "$(grep '^TIME' <<< "$out" | awk '{print $2, $3, $4, $5}')"
  line=$(grep "^$data" <<< "$out")
  cost=$(grep -o 'cost=[0-9.]*' <<< "$line" | head -1 | cut -d= -f2)
  before=$(grep -o 'before_polish=[0-9.]*' <<< "$line" | cut -d= -f2)
  levels=$(grep -o 'levels_s=[^,]*' <<< "$line" | cut -d= -f2 || true)
  gap=$(grep -o ',gap=[^,]*' <<< "$line" | cut -d= -f2 || true)
  cert=$(grep -o 'certificate: .*' <<< "$out" | grep -o 'bound=[0-9.]*\|certified_gap=[^,]*\|certify_s=[^,]*\|certify_cpu_s=[^,]*\|cpu_ratio=[^,]*\|certify_over_solve=[^,]*\|tree_pairs_per_query=[^,]*' | tr '\n' ' ' || true)
  [[ -n $cert ]] && gap=$(grep -o 'certified_gap=[^ ]*' <<< "$cert" | cut -d= -f2)
  echo "| $data | $label | $wall | $(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.1f", u+s}') | $(awk -v r="$rss" 'BEGIN{printf "%.2f GB", r/1e6}') | $levels | $before | $cost | $gap | ${cert:-—} |"
}
case "${1:-solve}" in
  solve)
    row maf-moons-rings "default" lb=4.574378
    row maf-moons-rings "sampled start (sampledeucl=1)" lb=4.574378 sampledeucl=1
    row eight-gaussians-moons "default" lb=2.440467
    row eight-gaussians-moons "sampled start (sampledeucl=1)" lb=2.440467 sampledeucl=1
    ;;
  cert)
    row maf-moons-rings "solve + certificate (default)" certify=1
    ;;
esac
uptime
