#!/usr/bin/env bash
# Chen (2020) Fig. 6b-d: |dF_BAR - dF|, W_diss and the steady-state entropy production against a.
set -euo pipefail
$MPIRUN -n 2 bin/thermolearn run inputs/hopfield_asymmetry.ini -o results/hopfield_asymmetry.h5 --force
$MPIRUN -n 2 bin/thermolearn run inputs/hopfield_steady_asymmetry.ini -o results/hopfield_steady_asymmetry.h5 --force
bin/thermolearn check results/hopfield_asymmetry.h5 || true
bin/thermolearn check results/hopfield_steady_asymmetry.h5 || true
$PY analysis/hopfield_asymmetry.py results/hopfield_asymmetry.h5 results/hopfield_steady_asymmetry.h5 \
    -o results/hopfield_asymmetry.png
