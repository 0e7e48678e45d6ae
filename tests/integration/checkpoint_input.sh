# Sourced by the checkpoint tests: write_input NAME TRAJECTORIES SEED GAMMA-LIST
# writes NAME.ini, 6 points x 2 directions with $CHECKPOINT_STEPS protocol steps.
write_input() {
    cat > "$1.ini" <<INI
[run]
model = hopfield
trajectories = $2
seed = $3

[grid]
gamma = $4
temperature = 2:6:3

[hopfield]
n = 10
field = 2
steps = ${CHECKPOINT_STEPS:?}

[histogram]
bins = 30
sample_cap = 700
INI
}
