#!/usr/bin/env bash
# Chen (2020) eq. 16: Hebbian plasticity during the protocol.
set -euo pipefail
$MPIRUN -n 2 bin/thermolearn run inputs/hopfield_plasticity.ini -o results/hopfield_plasticity.h5 --force
bin/thermolearn check results/hopfield_plasticity.h5 || true
$PY analysis/plot_work.py results/hopfield_plasticity.h5 -o results/hopfield_plasticity.png
