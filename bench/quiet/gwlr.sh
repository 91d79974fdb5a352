#!/usr/bin/env bash
# Issue 13 (gwlr): FRLC-GW at n = 100 000 in 2-D with defaults (k-means start, runs to convergence) and monge align end to
# end from .h5ad with defaults on the synthetic 20 000-cell pair (with and without --refine) and the 50 000-cell pair.
# Estimated CPU time on a quiet machine (from CPU seconds measured under load 60-90): FRLC-GW 100k 2-D about 50 CPU-s
# (init 5 + at most ~100 iterations at 0.35-0.42), the 20 000-cell aligns about 2 x 40 (117 iterations, 36 CPU-s in
# process), the 50 000-cell align about 80 (152 iterations, 75 CPU-s in process) plus the pair generation (~10):
# ~230 CPU-s, about 2-2.5 min of wall time on 2 cores. The 30-D FRLC-GW run (~100-180 CPU-s) does not fit beside them:
# `bash bench/quiet/gwlr.sh frlc30` runs it alone.
# Assumes `dotnet build Monge.slnx -c Release` and /usr/bin/python3 with h5py and numpy; run from the repository root.
set -euo pipefail
B=bench/Monge.Benchmarks/bin/Release/net10.0/Monge.Benchmarks.dll
CLI=src/Monge.Cli/bin/Release/net10.0/Monge.Cli.dll
DIR=$(mktemp -d /tmp/gwlr.XXXXXX)
T="wall=%e user=%U sys=%S maxrss_kb=%M"
uptime
if [ "${1:-all}" = "frlc30" ]; then
  /usr/bin/time -f "$T" dotnet $B gw-lowrank 100000 30 10 frlc kmeans 2>&1 | sed "s/^/[30-D] /"
  exit 0
fi
echo "== FRLC-GW n = 100 000, 2-D, rank 10, defaults (gw-lowrank N D RANK frlc kmeans)"
/usr/bin/time -f "$T" dotnet $B gw-lowrank 100000 2 10 frlc kmeans 2>&1 | sed "s/^/[2-D] /"
run() {
  local cells=$1 name=$2; shift 2
  /usr/bin/time -f "$T" dotnet $CLI align --source "$DIR/$cells/s1.h5ad" --target "$DIR/$cells/s2.h5ad" --alpha 0.5 --method frlc \
    --rank 20 --seed 1 --align-mode affine --transfer "$DIR/$cells/s1.h5ad#obs/cell_type" --json --overwrite \
    --aligned-out "$DIR/$name.npy" --transfer-out "$DIR/$name.csv" "$@" > "$DIR/$name.json" 2> "$DIR/$name.time" || true
  /usr/bin/python3 - "$DIR" "$cells" "$name" <<'PY'
import sys, json, csv, h5py, numpy as np
d, cells, name = sys.argv[1], sys.argv[2], sys.argv[3]
def labels(f):
    ct = f["obs/cell_type"]
    if isinstance(ct, h5py.Group):
        cats = [c.decode() if isinstance(c, bytes) else str(c) for c in ct["categories"][:]]
        return [cats[i] for i in ct["codes"][:]]
    return [c.decode() if isinstance(c, bytes) else str(c) for c in ct[:]]
s1 = h5py.File(f"{d}/{cells}/s1.h5ad", "r")
err = np.linalg.norm(np.load(f"{d}/{name}.npy") - s1["obsm/spatial_target_frame"][:], axis=1)
pred = [r["label"] for r in csv.DictReader(open(f"{d}/{name}.csv"))]
tl = labels(h5py.File(f"{d}/{cells}/s2.h5ad", "r"))
acc = np.mean([p == t for p, t in zip(pred, tl)]) if len(pred) == len(tl) else float("nan")
j = json.load(open(f"{d}/{name}.json"))
t = open(f"{d}/{name}.time").read().strip().splitlines()[-1]
print(f"{name:12s} iterations={j.get('iterations')} converged={j.get('converged')} median_err={np.median(err):.1f} p90={np.percentile(err,90):.1f} label_acc={acc:.3f} rotation={j.get('rotation_degrees'):.1f} marginal_error={j.get('marginal_error')} {t}")
PY
}
for cells in 20000 50000; do
  mkdir -p "$DIR/$cells"
  dotnet $B gw-slices "$cells" "$DIR/$cells" >/dev/null
done
echo "== monge align (FRLC-GW rank 20, alpha 0.5, affine, defaults)"
run 20000 align20k
run 20000 align20k-ref --refine
run 50000 align50k
uptime
rm -rf "$DIR"
