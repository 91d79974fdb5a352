#!/usr/bin/env bash
# Certificate at small n in high dimension (issue #14, stop 20 cert16m): DualBound's exact duals (network simplex,
# ExactMaxPairs = 4096² pairs) against its Sinkhorn path (exactmax=-1) and the exact optimum, CPU-s and peak memory of
# each. Cases: the 30-D single-cell pair of the stop-19 walkthrough (first 3000 rows of tgt_pca vs src_pca; needs
# /usr/bin/python3 with anndata, skipped otherwise) and the 16-D mixture at 4096. About 1 min quiet.
# With the argument `131k` (stop 21, cert16) it runs the 16-D mixture certificate alone at 131 072 with the per-query
# screen (default), with the block screen (screen=0; same bound expected) and with stop 21's first transforms from the
# extension to every point (level=0; stop 22, cert1m: a 0.05% higher bound for more CPU), CPU-s of the transforms (cpu_f) and pairs
# per query (of n, per transform: twice the printed value). ≈ 3 min quiet.
# With the argument `1m` it runs the 16-D mixture at 1 048 576, solve and certificate, through the harness (stop 21
# estimate from runs under load: solve ≈ 400 CPU-s, certificate ≈ 1 100 CPU-s, ≈ 12–14 min quiet on 2 cores), stopped
# after 900 s (then the line is empty: report the timeout).
# Run from the repository root after `dotnet build Monge.slnx -c Release`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
hiref_harness
uptime
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
run() { /usr/bin/time -f "  cpu_s=%U+%S peak_kb=%M" "$H" bound "$@" 2>&1 | tail -2 | tr '\n' ' '; echo; }
if /usr/bin/python3 -c 'import anndata' 2> /dev/null; then
  /usr/bin/python3 bench/user19/make_pair.py "$dir" > /dev/null
  run "$dir/tgt_pca.npy" "$dir/src_pca.npy" 3000
  run "$dir/tgt_pca.npy" "$dir/src_pca.npy" 3000 exactmax=-1
else
  echo "30-D pair skipped: /usr/bin/python3 has no anndata"
fi
run gaussian-mixture 16 4096
run gaussian-mixture 16 4096 exactmax=-1
if [ "${1:-}" = "131k" ]; then
  # stop 22 (cert1m): level=0 is the stop-21 default (first transform from the extension to every point).
  for s in "screen=1" "screen=0" "level=0"; do
    echo -n "16-D 131072 $s: "
    /usr/bin/time -f "  cpu_s=%U+%S peak_kb=%M" "$H" tune gaussian-mixture 16 sqeuclidean 131072 certify=1 nosolve=1 $s 2>&1 \
      | grep -o 'bound=[0-9.]*\|certify_cpu_s=[0-9.]*\|ball_pairs_per_query=[0-9]*\|order_f_cpu_s=[0-9.]*\|cpu_s=[0-9.+]*\|peak_kb=[0-9]*' | tr '\n' ' '
    echo
  done
fi
if [ "${1:-}" = "1m" ]; then
  timeout 900 "$H" tune gaussian-mixture 16 sqeuclidean 1048576 certify=1 \
    | grep -o 'cost=[0-9.]*\|bound=[0-9.]*\|certified_gap=[0-9.%]*\|solve_cpu_s=[0-9.]*\|certify_cpu_s=[0-9.]*\|cpu_ratio=[0-9.]*\|ball_pairs_per_query=[0-9]*\|order_f_cpu_s=[0-9.]*' | tr '\n' ' ' || true
  echo
fi
