#!/usr/bin/env bash
# Milburn, "Thermodynamics of learning machines", sections 2.1-2.2: the
# two-state switch (Figs. 5, 6) and the double-well switch (Figs. 2-4), with
# `check` on every file (exact references beside the simulated values); the
# ramp of eqs. 9-20 and the thermal Crooks pair are checked without a figure.
set -euo pipefail
for pair in milburn_twostate:fig6 milburn_twostate_fig5:fig5 milburn_doublewell:fig4 milburn_doublewell_fig3:fig3 \
            milburn_twostate_ramp: milburn_twostate_crooks:; do
    input=${pair%%:*} fig=${pair#*:}
    $MPIRUN -n 2 bin/thermolearn run inputs/$input.ini -o results/$input.h5 --force --quiet
    bin/thermolearn check results/$input.h5 | tail -1
    [ -z "$fig" ] || $PY analysis/milburn.py $fig results/$input.h5 -o results/$input.png
done
# Sections 2.3 and 4.2: the partially observed switch (Fig. 7), the
# feedback-cooled weights (Fig. 20) and their full loop of eq. 84 with the
# switch filtered (feedback = filtered, 1.2e8 steps across the batch, a few
# seconds), analysis/milburn_filter_weights.py.
for pair in milburn_observed:fig7 milburn_weightsde:fig20 milburn_weights_filtered:filtered; do
    input=${pair%%:*} fig=${pair#*:}
    $MPIRUN -n 2 bin/thermolearn run inputs/$input.ini -o results/$input.h5 --force --quiet
    bin/thermolearn check results/$input.h5 | tail -1
    $PY analysis/milburn_filter_weights.py $fig results/$input.h5 -o results/$input.png
done
