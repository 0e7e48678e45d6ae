#!/usr/bin/env bash
# Milburn, "Thermodynamics of learning machines": the sample-path figures, a
# few trajectories each with `path_samples` (analysis/milburn_paths.py):
# the double-well switch (Fig. 4), the two-state switch under the sigmoid swap
# (Fig. 5), the escapement clock (Figs. 21, 22), the LIF-switched clock
# (Fig. 25) and the rate-coded clock (Fig. 26).  Seconds in all.
set -euo pipefail
for pair in milburn_doublewell_paths:fig4 milburn_twostate_paths:fig5 milburn_clock_paths:fig21 \
            milburn_clock_lif_paths:fig25 milburn_clock_square_paths:fig26; do
    input=${pair%%:*} fig=${pair#*:}
    $MPIRUN -n 2 bin/thermolearn run inputs/$input.ini -o results/$input.h5 --force --quiet
    $PY analysis/milburn_paths.py $fig results/$input.h5 -o results/$input.png
done
