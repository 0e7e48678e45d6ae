#!/usr/bin/env bash
# Vanchurin (2021): Fig. 1 (eq. 9.3, analytic) and the analogues of Figs. 2-7 from
# the deep/shallow workstation run on Fashion-MNIST.
set -euo pipefail
$PY analysis/vanchurin_fig1.py -o results/vanchurin_fig1.png
$MPIRUN -n 2 bin/thermolearn run inputs/vanchurin_deep_shallow.ini -o results/vanchurin_deep_shallow.h5 --force
bin/thermolearn check results/vanchurin_deep_shallow.h5 || true
$PY analysis/vanchurin_figs.py results/vanchurin_deep_shallow.h5 -o results/vanchurin_deep_shallow
