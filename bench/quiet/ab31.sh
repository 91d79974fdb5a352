#!/usr/bin/env bash
# Stop 31 (lead, issue #14), run from the repository root after `dotnet build -c Release bench/compare/hiref`.
# Interleaved A/B, old (BEFORE) and new alternating: 8 Gaussians → moons 1M solve, both costs, twice (≈ 3 quiet minutes).
OLD=${BEFORE:?set BEFORE=path/to/old/hiref (e.g. git worktree add /tmp/old31 f9a1cce and build bench/compare/hiref there)}
NEW=bench/compare/hiref/bin/Release/net10.0/hiref
run() { # label exe cost bound
  local out; out=$( { /usr/bin/time -f "TIME %e %U %S %M" $2 tune eight-gaussians-moons 2 $3 1048576 lb=$4; } 2>&1 )
  local t=$(grep ^TIME <<< "$out"); local j=$(grep '^json:' <<< "$out" | sed 's/^json: //')
  echo "$1 $3 load=$(cut -d' ' -f1 /proc/loadavg) $t $(/usr/bin/python3 -c "import json,sys; r=json.loads(sys.argv[1]); print('solve_s=%.2f cost=%r gap=%s' % (r.get('solve_s') or r.get('seconds') or -1, r['cost'], r.get('certified_gap')))" "$j")"
}
for i in 1 2; do
  run old $OLD sqeuclidean 7.120932; run new $NEW sqeuclidean 7.120932
  run old $OLD euclidean 2.440467;  run new $NEW euclidean 2.440467
done
