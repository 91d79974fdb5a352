#!/usr/bin/env bash
# 8 Gaussians -> moons, squared Euclidean, n = 131 072 (issue #14, slab8g, stop 21): which side holds the 0.837%.
# Rows: the levels alone (saved), the default's 512-pair slab rounds from them (= the default solve), two first rounds of
# 4096 pairs then the default rounds, and the union of 4 random quarters each solved by HiRef at 32 768 points (an upper
# bound on the optimum), then the default rounds on it. Gap against the certified bound 7.107039. Measured under load:
# 14.9 + 24.7, 102.5, 100.8 + 11.0 CPU-s (docs/benchmarks.md "stop 21 — slab8g"); about 5 min on a quiet 2-core machine.
# Run from the repository root after `dotnet build Monge.slnx -c Release`; builds the hiref compare tool if needed.
# Prints per row: variant, cost (final), gap, CPU seconds (user + sys) of the process, peak resident MB.
set -euo pipefail
H=bench/compare/hiref/bin/Release/net10.0/hiref
[ -x "$H" ] || dotnet build -c Release bench/compare/hiref > /dev/null
T=$(mktemp -d)
A="eight-gaussians-moons 2 sqeuclidean 131072 lb=7.107039"
uptime
printf '%-22s %10s %9s %8s %8s\n' variant cost gap cpu_s peak_mb
run() {
  local name=$1 pattern=$2
  shift 2
  out=$( { /usr/bin/time -f 'CPU %U %S %M' "$H" tune $A "$@" 2>&1 >&3; } 3>&1 )
  line=$(grep -E "$pattern" <<< "$out" | tail -1)
  cost=$(grep -oE '(cost|after|union_cost)=[0-9.]+' <<< "$line" | tail -1 | cut -d= -f2)
  gap=$(grep -oE 'gap=[0-9.]+ %' <<< "$line" | tail -1 | cut -d= -f2)
  read -r _ u s m <<< "$(grep '^CPU' <<< "$out")"
  printf '%-22s %10s %9s %8.1f %8.0f\n' "$name" "$cost" "$gap" "$(echo "$u + $s" | bc)" "$(echo "$m / 1024" | bc)"
}
run levels '^eight-gaussians' large=0 savematch="$T/p0.bin"
run default-slabs 'slabfrom: after' slabfrom="$T/p0.bin"
run first2x4096 'slabfrom: after' slabfrom="$T/p0.bin" first=2 firstsize=4096
run parts4 'parts: ' parts=4 savematch="$T/p4.bin"
run parts4+slabs 'slabfrom: after' slabfrom="$T/p4.bin"
rm -rf "$T"
