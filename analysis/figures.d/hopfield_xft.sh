#!/usr/bin/env bash
# Chen (2020) Fig. 5b: heat-exchange FT, T1 = 15 -> T2 = 5 and T2 = 10.
set -euo pipefail
$MPIRUN -n 2 bin/thermolearn run inputs/hopfield_xft.ini -o results/hopfield_xft.h5 --force
bin/thermolearn check results/hopfield_xft.h5 || true
$PY analysis/hopfield_xft.py results/hopfield_xft.h5 -o results/hopfield_xft.png
