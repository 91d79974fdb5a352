#!/usr/bin/env bash
# Stop 24 (ecert): one order of Euclidean tree transforms at this size; certificates alone under load 145.4 CPU-s
# (half-moon, 2.23× its solve) and 129.2 (checkerboard, 1.63×), docs/hiref.md "Stop 24 (ecert)".
# Stop 24 (m1m): the default is now `all`, the eight 2-D rows (4 pairs × 2 costs, table12.sh 1m-all), one line each,
# ≤ 25 quiet minutes (under load, docs/hiref.md "Stop 24 (m1m)": checkerboard Euclidean solve 79.1 CPU-s, certificate
# 560.7 before the level transforms; checkerboard squared 56.5 + 123.0). `eucl`, `sq` and `16e` as before.
# Stop 23 (e1m, issue #14): the 1 048 576-point rows of docs/hiref.md's scale table that were never measured, each one
# `hiref tune DATASET D COST 1048576 certify=1` with today's defaults (balanced), as a table (bench/quiet/table12.sh prints it).
#   eucl (default): the four 2-D pairs with the Euclidean cost (half-moon → S-curve, checkerboard, MAF moons → rings,
#                   8 Gaussians → moons); estimated ≈ 4 × (50 + 60–150) quiet CPU-s, ≤ 15 quiet minutes; ≥ 6 GB free
#   sq:             checkerboard and MAF moons → rings with the squared Euclidean cost (≈ 2 × (45 + 25) CPU-s)
#   16e:            the 16-D mixture with the Euclidean cost, the solve only (levels + the grouped global step; ≈ 5–8
#                   quiet minutes; its certificate, `CERTIFY=certify=1`, is estimated past the 15 minutes)
# Under load (docs/hiref.md, "Stop 23 (e1m)") 8 Gaussians → moons Euclidean: solve 105.6 CPU-s, 0.647% certified,
# certificate 242.4 CPU-s.
# Run from the repository root after `dotnet build Monge.slnx -c Release`.
set -euo pipefail
exec "$(dirname "$0")/table12.sh" "1m-${1:-all}"
