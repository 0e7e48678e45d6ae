#!/usr/bin/env bash
# Chen (2020) Fig. 4e style: work distributions over gamma = 0.1 ... 0.9.
set -euo pipefail
$MPIRUN -n 2 bin/thermolearn run inputs/hopfield_gamma_sweep.ini -o results/hopfield_gamma_sweep.h5 --force
bin/thermolearn check results/hopfield_gamma_sweep.h5 || true
$PY analysis/plot_work.py results/hopfield_gamma_sweep.h5 -o results/hopfield_gamma_sweep.png
# Fig. 4e: dF from the crossing and BAR against the exact dF over gamma.
$PY analysis/hopfield_free_energy.py results/hopfield_gamma_sweep.h5 -o results/hopfield_gamma_sweep_free_energy.png
