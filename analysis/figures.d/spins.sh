#!/usr/bin/env bash
# Figures of the asymmetric spin network (Ingrosso & Panizon): the 2-spin
# parity task (Figs. 3C and 4), and the Gillespie run at 2N = 8 against the
# exact master equation, and the random-task front (Fig. 2C).  Run from the
# repository root with $MPIRUN and $PY set.
set -eu
mkdir -p results
$PY analysis/spins_parity.py -o results/spins_parity
$MPIRUN -n 2 bin/thermolearn run inputs/spins_exact8.ini -o results/spins_exact8.h5 --force --quiet
$PY analysis/spins_exact.py results/spins_exact8.h5 -o results/spins_exact8.png
# Fig. 2C (reduced): SPSA fronts of the random task, a few minutes on 2 ranks
$MPIRUN -n 2 bin/thermolearn run inputs/spins_random_task.ini -o results/spins_random_task.h5 --force --quiet
$PY analysis/spins_front.py results/spins_random_task.h5 -o results/spins_random_task.png
