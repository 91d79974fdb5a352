#!/usr/bin/env bash
# Stop 31 (lead, issue #14), run from the repository root after `dotnet build -c Release bench/compare/hiref`.
# 1M solve + certificate rows, old (BEFORE) and new for three, new only for the rest (≈ 10 quiet minutes).
OLD=${BEFORE:?set BEFORE=path/to/old/hiref (e.g. git worktree add /tmp/old31 f9a1cce and build bench/compare/hiref there)}
NEW=bench/compare/hiref/bin/Release/net10.0/hiref
run() { # label exe dataset cost args...
  local label=$1 exe=$2 ds=$3 cost=$4; shift 4
  local out; out=$( { /usr/bin/time -f "TIME %e %U %S %M" $exe tune $ds 2 $cost 1048576 "$@"; } 2>&1 )
  local t=$(grep ^TIME <<< "$out"); local j=$(grep '^json:' <<< "$out" | sed 's/^json: //')
  echo "$label $ds $cost $* load=$(cut -d' ' -f1 /proc/loadavg) $t $(/usr/bin/python3 -c "import json,sys; r=json.loads(sys.argv[1]); f=lambda k: r.get(k); print('solve_s=%s solve_cpu=%s cert_s=%s cert_cpu=%s lb=%r gap=%s cost=%r' % (f('solve_s'), f('solve_cpu_s'), f('certify_s'), f('certify_cpu_s'), f('lower_bound'), f('certified_gap'), f('cost')))" "$j")"
  grep -o "tree_pairs_per_query=[0-9]*" <<< "$out" | tail -1
}
run new $NEW checkerboard sqeuclidean certify=1 data=2
run old $OLD checkerboard sqeuclidean certify=1 data=2
run new $NEW maf-moons-rings euclidean certify=1
run old $OLD maf-moons-rings euclidean certify=1
run new $NEW eight-gaussians-moons euclidean certify=1
run old $OLD eight-gaussians-moons euclidean certify=1
run new $NEW checkerboard sqeuclidean certify=1 data=1
run new $NEW half-moon-s-curve euclidean certify=1
run new $NEW checkerboard euclidean certify=1
run new $NEW eight-gaussians-moons sqeuclidean certify=1
run new $NEW half-moon-s-curve sqeuclidean certify=1
run new $NEW maf-moons-rings sqeuclidean certify=1
