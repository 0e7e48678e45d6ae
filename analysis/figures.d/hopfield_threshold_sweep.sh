#!/usr/bin/env bash
# Chen (2020) section III C: Crooks over the activation threshold U.
set -euo pipefail
$MPIRUN -n 2 bin/thermolearn run inputs/hopfield_threshold_sweep.ini -o results/hopfield_threshold_sweep.h5 --force
bin/thermolearn check results/hopfield_threshold_sweep.h5 || true
$PY analysis/plot_work.py results/hopfield_threshold_sweep.h5 -o results/hopfield_threshold_sweep.png
$PY analysis/hopfield_free_energy.py results/hopfield_threshold_sweep.h5 -o results/hopfield_threshold_sweep_free_energy.png
