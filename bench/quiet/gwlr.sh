#!/usr/bin/env bash
# Issue 13 (gwlr): FRLC-GW at n = 100 000 (2-D, k-means start vs the former random start, 30-D k-means) and monge align on
# the synthetic 20 000-cell slice pair end to end from .h5ad (before: random start, 150 iterations; after: defaults, with and
# without --refine). Estimated CPU time on a quiet machine: about 0.35 CPU-s per FRLC iteration at n = 100 000 rank 10
# (measured under load: 0.31-0.42 per iteration plus 3.5-5 s of initialisation), so the 2-D pair of runs capped at 150
# iterations at most each is about 2 × 55 CPU-s, the 30-D run about 60 CPU-s, the four 20 000-cell aligns about 4 × 20 CPU-s:
# ≈ 300 CPU-s, about 2.5-3.5 min of wall time on 2 cores. The 50 000-cell align does not fit beside them in 4 minutes:
# run it with `GWLR_CELLS=50000 bash bench/quiet/gwlr.sh align` alone.
# Assumes `dotnet build Monge.slnx -c Release` and /usr/bin/python3 with h5py and numpy; run from the repository root.
set -euo pipefail
B=bench/Monge.Benchmarks/bin/Release/net10.0/Monge.Benchmarks.dll
CLI=src/Monge.Cli/bin/Release/net10.0/Monge.Cli.dll
CELLS=${GWLR_CELLS:-20000}
DIR=$(mktemp -d /tmp/gwlr.XXXXXX)
uptime
if [ "${1:-all}" != "align" ]; then
  echo "== FRLC-GW n = 100 000, rank 10 (gw-lowrank N D RANK frlc INIT MAX_ITERATIONS)"
  for args in "2 10 frlc random 150" "2 10 frlc kmeans 150" "30 10 frlc kmeans 150"; do
    /usr/bin/time -f "wall=%e user=%U sys=%S maxrss_kb=%M" dotnet $B gw-lowrank 100000 $args 2>&1 | sed "s/^/[$args] /"
  done
fi
echo "== monge align, $CELLS source cells (rank 20, alpha 0.5, affine)"
dotnet $B gw-slices "$CELLS" "$DIR" >/dev/null
common=(--source "$DIR/s1.h5ad" --target "$DIR/s2.h5ad" --alpha 0.5 --method frlc --rank 20 --seed 1 --align-mode affine
  --transfer "$DIR/s1.h5ad#obs/cell_type" --json --overwrite)
run() {
  local name=$1; shift
  /usr/bin/time -f "wall=%e user=%U sys=%S maxrss_kb=%M" dotnet $CLI align "${common[@]}" --aligned-out "$DIR/$name.npy" \
    --transfer-out "$DIR/$name.csv" "$@" > "$DIR/$name.json" 2> "$DIR/$name.time" || true
  /usr/bin/python3 - "$DIR" "$name" <<'PY'
import sys, json, csv, h5py, numpy as np
d, name = sys.argv[1], sys.argv[2]
s1 = h5py.File(f"{d}/s1.h5ad", "r")
truth = s1["obsm/spatial_target_frame"][:]
aligned = np.load(f"{d}/{name}.npy")
err = np.linalg.norm(aligned - truth, axis=1)
ct = s1["obs/cell_type"]
if isinstance(ct, h5py.Group):
    cats = [c.decode() if isinstance(c, bytes) else str(c) for c in ct["categories"][:]]
    labels = [cats[i] for i in ct["codes"][:]]
else:
    labels = [c.decode() if isinstance(c, bytes) else str(c) for c in ct[:]]
rows = list(csv.DictReader(open(f"{d}/{name}.csv")))
pred = [r["label"] for r in rows]
s2 = h5py.File(f"{d}/s2.h5ad", "r")
ct2 = s2["obs/cell_type"]
if isinstance(ct2, h5py.Group):
    cats2 = [c.decode() if isinstance(c, bytes) else str(c) for c in ct2["categories"][:]]
    tl = [cats2[i] for i in ct2["codes"][:]]
else:
    tl = [c.decode() if isinstance(c, bytes) else str(c) for c in ct2[:]]
acc = np.mean([p == t for p, t in zip(pred, tl)]) if len(pred) == len(tl) else float("nan")
j = json.load(open(f"{d}/{name}.json"))
t = open(f"{d}/{name}.time").read().strip().splitlines()[-1]
print(f"{name:10s} iterations={j.get('iterations')} converged={j.get('converged')} median_err={np.median(err):.1f} p90={np.percentile(err,90):.1f} label_acc={acc:.3f} rotation={j.get('rotation_degrees'):.1f} {t}")
PY
}
run before --max-iterations 150 --init random
run after
run kmeans --init kmeans
run refined --refine
uptime
rm -rf "$DIR"
