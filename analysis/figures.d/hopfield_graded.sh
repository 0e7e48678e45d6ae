#!/usr/bin/env bash
# Chen (2020) eq. 15: the graded-response network; Crooks at three Langevin time steps.
set -euo pipefail
$MPIRUN -n 2 bin/thermolearn run inputs/hopfield_graded.ini -o results/hopfield_graded.h5 --force
bin/thermolearn check results/hopfield_graded.h5 || true
$PY analysis/plot_work.py results/hopfield_graded.h5 -o results/hopfield_graded.png
