#!/usr/bin/env bash
# Figures of the asymmetric spin network (Ingrosso & Panizon): the 2-spin
# parity task (Figs. 3 and 4), the Gillespie run at 2N = 8 against the
# exact master equation, and the random task's trade-off (Fig. 2C).  Run from the
# repository root with $MPIRUN and $PY set.
set -eu
mkdir -p results
$PY analysis/spins_parity.py -o results/spins_parity
$MPIRUN -n 2 bin/thermolearn run inputs/spins_exact8.ini -o results/spins_exact8.h5 --force --quiet
$PY analysis/spins_exact.py results/spins_exact8.h5 -o results/spins_exact8.png
# Fig. 2C: 63 SPSA optima of the random task (about 4 CPU minutes); prints the Spearman
# correlation of entropy production and performance with its p-value
$MPIRUN -n 2 bin/thermolearn run inputs/spins_random_task.ini -o results/spins_random_task.h5 --force --quiet
$PY analysis/spins_front.py results/spins_random_task.h5 -o results/spins_random_task.png
# Fig. 2A, reduced for a workstation: the MNIST-1D front (18 SPSA optima, about 6 CPU
# minutes); prints CE and accuracy at equilibrium and away from it, the cost of
# equilibrium and the baselines (linear softmax, uncoupled spins) on the same points
bin/thermolearn data mnist1d -o results/mnist1d.h5 --force
$MPIRUN -n 2 bin/thermolearn run inputs/spins_mnist1d_front.ini -o results/spins_mnist1d_front.h5 --force --quiet
$PY analysis/spins_mnist1d_front.py results/spins_mnist1d_front.h5 --data results/mnist1d.h5 -o results/spins_mnist1d_front.png
