#!/usr/bin/env bash
# Milburn, "Thermodynamics of learning machines", sections 4.1, 5 and 6: the
# NOT and XOR gates learned by sampled switches (Figs. 15, 18), the noisy
# escapement clock (Figs. 21-22: period, period variance and dissipated power
# against the cycle size), the Wald law of the phase clock (Fig. 23) and the
# LIF synapse switching a clock (Fig. 25), the rate code of eq. 114 (Fig. 26)
# and the two-input perceptron of clocks of eq. 115, with
# `check` on every file.
set -euo pipefail
for pair in milburn_not:gate milburn_xor:gate milburn_clock:clock milburn_clock_wald:wald \
            milburn_clock_lif:lif milburn_clock_rate:rate; do
    input=${pair%%:*} fig=${pair#*:}
    $MPIRUN -n 2 bin/thermolearn run inputs/$input.ini -o results/$input.h5 --force --quiet
    bin/thermolearn check results/$input.h5 | tail -1
    $PY analysis/milburn_learning.py $fig results/$input.h5 -o results/$input.png
done
for input in milburn_clock_network milburn_clock_network_level; do
    $MPIRUN -n 2 bin/thermolearn run inputs/$input.ini -o results/$input.h5 --force --quiet
    bin/thermolearn check results/$input.h5 | tail -1
done
$PY analysis/milburn_learning.py network results/milburn_clock_network.h5 results/milburn_clock_network_level.h5 \
    -o results/milburn_clock_network.png
