#!/usr/bin/env bash
# Goldt & Seifert (2017): Fig. 2 (efficiency over nu and tau, N = P = 1) and
# Fig. 3 (information against alpha at N = 10000, efficiency inset).
set -euo pipefail
for fig in fig2 fig3; do
    $MPIRUN -n 2 bin/thermolearn run inputs/perceptron_$fig.ini -o results/perceptron_$fig.h5 --force
    $PY analysis/perceptron_$fig.py results/perceptron_$fig.h5 -o results/perceptron_$fig.png
done
