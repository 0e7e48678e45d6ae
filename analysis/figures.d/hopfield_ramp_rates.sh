#!/usr/bin/env bash
# Chen (2020) Fig. 2: work distributions of the ramp for s = 0.005 and s = 0.05 per step.
set -euo pipefail
$MPIRUN -n 2 bin/thermolearn run inputs/hopfield_ramp_rates.ini -o results/hopfield_ramp_rates.h5 --force
bin/thermolearn check results/hopfield_ramp_rates.h5 || true
$PY analysis/plot_work.py results/hopfield_ramp_rates.h5 -o results/hopfield_ramp_rates.png
