#!/usr/bin/env bash
# exactfrlc branch (stop 20): `monge match --method exact --certify` on the 30-D walkthrough pair (first 3000 rows of
# tgt_pca.npy against src_pca.npy from bench/user19/make_pair.py), squared Euclidean and Euclidean: the certificate is
# the solver's own duals (assignment_duals), so the gap is 0 up to rounding (DualBound gave 3.48% on this matching).
# Prints one line per cost: cost, lower bound, gap, certificate, solve and certify seconds, CPU-s and peak RSS.
# Estimated under a minute on a quiet 2-core machine. Run from the repo root after `dotnet build Monge.slnx -c Release`;
# needs /usr/bin/python3 with numpy and anndata (the pair's generator).
set -euo pipefail
CLI=src/Monge.Cli/bin/Release/net10.0/Monge.Cli.dll
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
/usr/bin/python3 bench/user19/make_pair.py "$DIR" > /dev/null
/usr/bin/python3 -c "import numpy as np, sys; np.save(sys.argv[2], np.ascontiguousarray(np.load(sys.argv[1])[:3000]))" "$DIR/tgt_pca.npy" "$DIR/tgt3000.npy"
for cost in sqeuclidean euclidean; do
  /usr/bin/time -f "%U %S %M" -o "$DIR/time" dotnet "$CLI" match --source "$DIR/tgt3000.npy" --target "$DIR/src_pca.npy" \
    --method exact --cost "$cost" --certify --out "$DIR/p.npy" --overwrite --json > "$DIR/out.json" 2> "$DIR/err"
  /usr/bin/python3 -c "
import json, sys
j = json.load(open(sys.argv[1])); u, s, m = open(sys.argv[2]).read().split()
print(f\"{sys.argv[3]}: cost {j['cost']:.12g} bound {j['lower_bound']:.12g} gap {j['gap']:.3g} {j['certificate']} solve {j['seconds']:.2f} s certify {j['certify_seconds']:.2f} s CPU {float(u)+float(s):.2f} s peak {int(m)/1024:.0f} MiB\")
" "$DIR/out.json" "$DIR/time" "$cost"
done
