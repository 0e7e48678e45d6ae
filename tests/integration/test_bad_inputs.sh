#!/usr/bin/env bash
# Integration test: bad inputs are rejected cleanly.
#
# Usage: tests/integration/test_bad_inputs.sh BIN
#   BIN     the thermolearn binary
#   MPIRUN  (env) MPI launcher prefix, e.g. "mpirun --oversubscribe --allow-run-as-root".
#           Empty: every single-process case runs BIN directly.  Set: those cases run
#           under "$MPIRUN -n 1" (a fixed rank count, whatever the host's core count).
#           The few two-rank cases run under "$MPIRUN -n 2" (when MPIRUN is empty they
#           use "mpirun --oversubscribe" if mpirun exists, and are skipped otherwise).
#
# For every bad input: exit status 2 (3 for an output directory that does not
# exist), no crash (status < 128) and no hang, a "thermolearn: ..." message on
# stderr that names the file and, where the engine knows it, the line
# ("path:LINE: [section] key: ..."), and nothing created or changed in the
# working directory.  Then `check` and `info` on files that are not (complete)
# thermolearn outputs, and a positive control.
#
# Prints PASS:/FAIL: per case and a closing "N passed, M failed"; exits non-zero
# if anything failed.  Cases marked "ENGINE BUG" fail until the engine is fixed.
set -u

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 path/to/thermolearn   (MPIRUN in the environment: optional launcher)" >&2
    exit 2
fi
BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
PY="${PY:-/usr/bin/python3}"
MPIRUN="${MPIRUN:-}"
TIMEOUT="${TIMEOUT:-60}"

# Launcher for the single-process cases (an array, so that it can be empty).
if [ -n "$MPIRUN" ]; then read -r -a LAUNCH <<< "$MPIRUN -n 1"; else LAUNCH=(); fi
# Launcher for the two-rank cases.
MPI2="$MPIRUN"
if [ -z "$MPI2" ] && command -v mpirun > /dev/null 2>&1; then
    MPI2="mpirun --oversubscribe"
    if [ "$(id -u)" = 0 ]; then MPI2="$MPI2 --allow-run-as-root"; fi
fi

TOP="$(mktemp -d "${TMPDIR:-/tmp}/test_bad_inputs.XXXXXX")"
trap 'rm -rf "$TOP"' EXIT
W="$TOP/work"     # inputs, outputs; the working directory of every run
L="$TOP/log"      # captured stdout/stderr, outside W so that snapshots ignore them
mkdir -p "$W" "$L"
cd "$W" || exit 2
export OMPI_MCA_rmaps_base_oversubscribe=1

passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# ---- helpers ----------------------------------------------------------------------

# A listing of everything under W with sizes, modes and modification times.
snapshot() { (cd "$W" && find . -printf '%p %y %s %m %T@\n' | LC_ALL=C sort); }

# lineof FILE TEXT: number of the first line of FILE that contains TEXT.
lineof() { grep -n -m1 -F -- "$2" "$1" | cut -d: -f1; }

# at FILE TEXT SECTION KEY: the "path:LINE: [section] key:" prefix of a message about
# the line of FILE that holds TEXT.
at() { echo "$1:$(lineof "$1" "$2"): [$3] $4:"; }

# mk NAME: writes stdin to W/NAME.ini and prints the path.
mk() { cat > "$W/$1.ini"; echo "$W/$1.ini"; }

# Sections of a good small input.
RUN_OK='[run]
model = hopfield
trajectories = 64
seed = 1'
HOP_OK='[hopfield]
n = 6
temperature = 2
gamma = 0.2
steps = 5'

# expect NAME WANT [MESSAGE...] -- COMMAND...: runs COMMAND (under the timeout);
# asserts its exit status is WANT, it did not crash or hang, stderr holds a
# "thermolearn: " line and every MESSAGE (fixed strings), there was no internal
# abort, and nothing under W was created or changed.
expect() {
    local name="$1" want="$2" rc m before after
    shift 2
    local msgs=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do msgs+=("$1"); shift; done
    shift
    local problems=()
    before="$(snapshot)"
    timeout -k 5 "$TIMEOUT" "$@" > "$L/out" 2> "$L/err" < /dev/null
    rc=$?
    after="$(snapshot)"
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then problems+=("hung (killed after ${TIMEOUT} s)")
    elif [ "$rc" -ge 128 ]; then problems+=("crashed (exit status $rc, signal $((rc - 128)))")
    elif [ "$rc" != "$want" ]; then problems+=("exit status $rc, expected $want"); fi
    if ! grep -q '^thermolearn: ' "$L/err"; then problems+=("no 'thermolearn: ' message on stderr"); fi
    for m in "${msgs[@]}"; do
        grep -qF -- "$m" "$L/err" || problems+=("stderr lacks '$m'")
    done
    if grep -qE 'MPI_ABORT|\[rank [0-9]+\]' "$L/err"; then
        problems+=("an internal abort instead of an input error")
    fi
    if [ "$before" != "$after" ]; then
        problems+=("files under the working directory changed: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | tr '\n' ' ')")
    fi
    if [ ${#problems[@]} -eq 0 ]; then
        pass "$name (exit $rc: $(grep -m1 '^thermolearn: ' "$L/err" | cut -c1-160))"
    else
        fail "$name: $(IFS='; '; echo "${problems[*]}")"
        sed 's/^/    stderr: /' "$L/err" | head -8
    fi
}

# bad NAME FILE [MESSAGE...]: `run FILE` must exit 2 with MESSAGEs and the file's path.
bad() {
    local name="$1" file="$2"
    shift 2
    expect "run: $name" 2 "$file" "$@" -- "${LAUNCH[@]}" "$BIN" run "$file"
}

# bad_sentinel NAME FILE [MESSAGE...]: as bad, with -o at an existing file of known
# content and --force: the input is rejected before anything is written.
bad_sentinel() {
    local name="$1" file="$2" sum
    shift 2
    local out="$W/sentinel_$(basename "$file" .ini).h5"
    printf 'sentinel: must survive a rejected input\n' > "$out"
    sum="$(cksum < "$out")"
    expect "run --force over a sentinel: $name" 2 "$file" "$@" -- \
        "${LAUNCH[@]}" "$BIN" run "$file" -o "$out" --force
    if [ "$(cksum < "$out")" = "$sum" ] && [ ! -e "$out.partial" ]; then
        pass "sentinel untouched: $name"
    else
        fail "sentinel untouched: $name: $out changed or $out.partial appeared"
    fi
    rm -f "$out" "$out.partial"
}

# ---- the input file ------------------------------------------------------------------

bad "nonexistent input file" "$W/no_such_input.ini" "cannot open"
mkdir "$W/input_dir.ini"
bad "input is a directory" "$W/input_dir.ini" "cannot read"

f=$(mk syntax <<EOF
$RUN_OK
this is not ini
$HOP_OK
EOF
)
bad "syntax error line" "$f" "line $(lineof "$f" 'this is not ini')" "syntax error"

f=$(mk duplicate <<EOF
$RUN_OK
$HOP_OK
steps = 7
EOF
)
bad "duplicate key" "$f" "$f:$(lineof "$f" 'steps = 7'): [hopfield] steps:" \
    "given twice (first on line $(lineof "$f" 'steps = 5'))"
bad_sentinel "duplicate key" "$f" "given twice"

# ---- sections and keys ------------------------------------------------------------------

f=$(mk unknown_section <<EOF
$RUN_OK
$HOP_OK
[hopfeild]
spins = 6
EOF
)
bad "unknown section" "$f" "$(at "$f" 'spins = 6' hopfeild spins)" "unknown section [hopfeild]"

f=$(mk unknown_key_run <<EOF
$RUN_OK
outptu = x.h5
$HOP_OK
EOF
)
bad "unknown key in [run]" "$f" "$(at "$f" outptu run outptu)" "unknown key"
bad_sentinel "unknown key in [run]" "$f" "unknown key"

f=$(mk unknown_key_hopfield <<EOF
$RUN_OK
$HOP_OK
stepz = 5
EOF
)
bad "unknown key in [hopfield]" "$f" "$(at "$f" stepz hopfield stepz)" "unknown key"

f=$(mk unknown_key_histogram <<EOF
$RUN_OK
$HOP_OK
[histogram]
bins = 10
binz = 10
EOF
)
bad "unknown key in [histogram]" "$f" "$(at "$f" binz histogram binz)" "unknown key"

f=$(mk missing_model <<EOF
[run]
trajectories = 64
$HOP_OK
EOF
)
bad "missing [run] model" "$f" "[run] model" "missing"

f=$(mk unknown_model <<EOF
[run]
model = ising
trajectories = 64
$HOP_OK
EOF
)
bad "unknown model" "$f" "$(at "$f" ising run model)" "unknown model 'ising'" "hopfield"

f=$(mk missing_trajectories <<EOF
[run]
model = hopfield
$HOP_OK
EOF
)
bad "missing trajectories" "$f" "[run] trajectories" "missing"

f=$(mk zero_trajectories <<EOF
[run]
model = hopfield
trajectories = 0
$HOP_OK
EOF
)
bad "zero trajectories" "$f" "$(at "$f" 'trajectories = 0' run trajectories)" "out of range"

f=$(mk seed_overflow <<EOF
$RUN_OK
$HOP_OK
EOF
)
sed -i 's/^seed = 1$/seed = 18446744073709551616/' "$f"
# ENGINE BUG: 2^64 overflows strtoull (ERANGE, clamped to 2^64-1) and is accepted.
bad "seed above 2^64-1" "$f" "$(at "$f" 'seed =' run seed)" "malformed seed"
rm -f "$W/seed_overflow.h5"   # in case the engine accepted it

# ---- numbers -------------------------------------------------------------------------------

f=$(mk malformed_number <<EOF
$RUN_OK
[hopfield]
n = 6
temperature = 2x
steps = 5
EOF
)
bad "malformed number" "$f" "$(at "$f" 'temperature' hopfield temperature)" "malformed number '2x'"

f=$(mk n_fraction <<EOF
$RUN_OK
[hopfield]
n = 3.5
temperature = 2
steps = 5
EOF
)
bad "malformed integer (n = 3.5)" "$f" "$(at "$f" 'n = 3.5' hopfield n)" "not an integer"

f=$(mk n_abc <<EOF
$RUN_OK
[hopfield]
n = abc
temperature = 2
steps = 5
EOF
)
bad "malformed integer (n = abc)" "$f" "$(at "$f" 'n = abc' hopfield n)" "malformed" "'abc'"
bad_sentinel "malformed integer (n = abc)" "$f" "'abc'"

f=$(mk trajectories_real <<EOF
[run]
model = hopfield
trajectories = 6.4e1
$HOP_OK
EOF
)
bad "malformed integer (trajectories = 6.4e1)" "$f" "$(at "$f" 'trajectories' run trajectories)" "malformed integer"

f=$(mk negative_temperature <<EOF
$RUN_OK
[hopfield]
n = 6
temperature = -1
steps = 5
EOF
)
bad "negative temperature" "$f" "$(at "$f" 'temperature' hopfield temperature)" "out of range"

f=$(mk beta_zero <<EOF
$RUN_OK
[hopfield]
n = 6
beta = 0
steps = 5
EOF
)
bad "beta = 0" "$f" "$(at "$f" 'beta' hopfield beta)" "out of range"

f=$(mk beta_and_temperature <<EOF
$RUN_OK
$HOP_OK
beta = 0.5
EOF
)
bad "both beta and temperature" "$f" "beta" "temperature" "both given"

f=$(mk no_thermal <<EOF
$RUN_OK
[hopfield]
n = 6
steps = 5
EOF
)
bad "neither beta nor temperature" "$f" "beta" "temperature" "missing"

f=$(mk gamma_high <<EOF
$RUN_OK
[hopfield]
n = 6
temperature = 2
gamma = 1.5
steps = 5
EOF
)
bad "gamma = 1.5 outside [0,1]" "$f" "$(at "$f" 'gamma' hopfield gamma)" "out of range"

f=$(mk gamma_low <<EOF
$RUN_OK
[hopfield]
n = 6
temperature = 2
gamma = -0.1
steps = 5
EOF
)
bad "gamma = -0.1 outside [0,1]" "$f" "$(at "$f" 'gamma' hopfield gamma)" "out of range"

f=$(mk n_max <<EOF
$RUN_OK
[hopfield]
n = 5000
temperature = 2
steps = 5
EOF
)
bad "n = 5000 above the maximum" "$f" "$(at "$f" 'n = 5000' hopfield n)" "out of range" "4096"

# ---- choices and model-level checks ---------------------------------------------------------

f=$(mk protocol_zigzag <<EOF
$RUN_OK
$HOP_OK
protocol = zigzag
EOF
)
bad "protocol = zigzag" "$f" "$(at "$f" zigzag hopfield protocol)" "'zigzag'" "interpolate" "ramp"

f=$(mk exact_n30 <<EOF
$RUN_OK
[hopfield]
n = 30
temperature = 2
steps = 5
initial = exact
EOF
)
bad "initial = exact with n = 30" "$f" "[hopfield]" "n = 30" "initial = exact"

f=$(mk patterns3 <<EOF
$RUN_OK
$HOP_OK
patterns = 3
weights = two_pattern
EOF
)
bad "patterns = 3 with weights = two_pattern" "$f" "[hopfield]" "patterns = 3" "two_pattern"
bad_sentinel "patterns = 3 with weights = two_pattern" "$f" "patterns = 3"

f=$(mk hebbian_gamma <<EOF
$RUN_OK
$HOP_OK
weights = hebbian
EOF
)
bad "gamma with weights = hebbian" "$f" "[hopfield]" "gamma" "hebbian"

f=$(mk pattern_file_missing <<EOF
$RUN_OK
$HOP_OK
pattern_file = $W/no_such_patterns.txt
EOF
)
bad "pattern_file does not exist" "$f" "pattern_file" "$W/no_such_patterns.txt"
bad_sentinel "pattern_file does not exist" "$f" "no_such_patterns.txt"

printf '1 -1 1 -1 1 -1\n1 1 1 -1 -1\n' > "$W/short_patterns.txt"
f=$(mk pattern_file_short <<EOF
$RUN_OK
$HOP_OK
pattern_file = $W/short_patterns.txt
EOF
)
bad "pattern_file with 11 of 12 values" "$f" "pattern_file" "short_patterns.txt" "expected 2 rows of 6"

# A path of 300 characters is legal, but longer than inih's line buffer.
long="$W/$(printf 'p%.0s' $(seq 300)).txt"
f=$(mk pattern_file_long <<EOF
$RUN_OK
$HOP_OK
pattern_file = $long
EOF
)
# ENGINE BUG: a line longer than inih's buffer is split in two by read_line
# (config.c): the message is "line N+1: syntax error" instead of one about pattern_file,
# and every later line number is off by one.
bad "pattern_file with a 300-character path that does not exist" "$f" "pattern_file" "cannot open"

# ---- [grid] ------------------------------------------------------------------------------

grid_case() { # grid_case NAME "KEY = VALUE" [MESSAGE...]: a [grid] line in a good input
    local name="$1" line="$2" key="${2%% *}"
    shift 2
    local f
    f=$(mk "grid_$name" <<EOF
$RUN_OK
[grid]
$line
[hopfield]
n = 6
temperature = 2
steps = 5
EOF
)
    bad "[grid] $line" "$f" "$(at "$f" "$line" grid "$key")" "$@"
}
grid_case empty_range 'gamma = 0.1:0.9:0' "empty range"
grid_case empty_list 'gamma =' "empty list"
grid_case empty_element 'gamma = 0.1,,0.2' "empty element"
grid_case bad_range 'gamma = 1:2' "a range is start:stop:count"
grid_case bad_count 'gamma = 0.1:0.9:2.5' "malformed count"
# ENGINE BUG: strtok_r in parse_range (grid.c) skips empty fields, so a leading or
# trailing ':' is accepted as a 3-point range.
grid_case trailing_colon 'gamma = 0.1:0.9:3:' "a range is start:stop:count"
grid_case leading_colon 'gamma = :0.1:0.9:3' "a range is start:stop:count"
rm -f "$W/grid_trailing_colon.h5" "$W/grid_leading_colon.h5"   # in case they were accepted
grid_case log_zero 'field = log:0:1:3' "log range" "positive"
grid_case log_negative 'field = log:-1:1:3' "log range" "positive"
grid_case not_parameter 'bogus = 1,2' "not a parameter of model hopfield"
grid_case protocol_axis 'protocol = 0,1' "only numeric parameters"
grid_case n_fraction 'n = 4,5.5' "not an integer"
grid_case gamma_out 'gamma = 0.5,1.5' "out of range"
grid_case malformed 'gamma = 0.1,x' "malformed number 'x'"

f=$(mk grid_and_hopfield <<EOF
$RUN_OK
[grid]
gamma = 0.1,0.2
$HOP_OK
EOF
)
bad "a key in both [grid] and [hopfield]" "$f" "$(at "$f" 'gamma = 0.2' hopfield gamma)" \
    "[grid] (line $(lineof "$f" 'gamma = 0.1,0.2'))"
bad_sentinel "a key in both [grid] and [hopfield]" "$f" "[grid]"

# ---- [histogram] -------------------------------------------------------------------------

hist_case() { # hist_case NAME "KEY = VALUE" [MESSAGE...]
    local name="$1" line="$2" key="${2%% *}"
    shift 2
    local f
    f=$(mk "hist_$name" <<EOF
$RUN_OK
$HOP_OK
[histogram]
$line
EOF
)
    bad "[histogram] $line" "$f" "$(at "$f" "$line" histogram "$key")" "$@"
}
hist_case bins0 'bins = 0' "out of range"
hist_case range_reversed 'range = 5:1' "empty range"
hist_case range_syntax 'range = 1:2:3' "range is 'auto' or 'lo:hi'"
hist_case store_maybe 'store_samples = maybe' "'maybe'"

# ---- the command line and the output file -------------------------------------------------

good=$(mk good <<EOF
$RUN_OK
$HOP_OK
[histogram]
bins = 20
EOF
)
expect "run with no input file" 2 "no input file" -- "${LAUNCH[@]}" "$BIN" run
expect "run with two input files" 2 "unexpected argument" -- "${LAUNCH[@]}" "$BIN" run "$good" "$good"
expect "run with an unknown option" 2 "unexpected argument" -- "${LAUNCH[@]}" "$BIN" run "$good" --bogus

printf 'sentinel: an existing output\n' > "$W/existing.h5"
sum="$(cksum < "$W/existing.h5")"
expect "existing output without --force" 2 "$W/existing.h5" "--force" -- \
    "${LAUNCH[@]}" "$BIN" run "$good" -o "$W/existing.h5"
if [ "$(cksum < "$W/existing.h5")" = "$sum" ]; then pass "existing output untouched"
else fail "existing output untouched: its content changed"; fi

expect "output in a directory that does not exist" 3 "$W/no_such_dir/out.h5" "cannot create output" -- \
    "${LAUNCH[@]}" "$BIN" run "$good" -o "$W/no_such_dir/out.h5"
[ ! -e "$W/no_such_dir" ] && pass "the missing output directory was not created" ||
    fail "the missing output directory was created"

mkdir "$W/out_dir.h5"
expect "-o names an existing directory" 2 "$W/out_dir.h5" "directory" -- \
    "${LAUNCH[@]}" "$BIN" run "$good" -o "$W/out_dir.h5" --force

f=$(mk output_nodir <<EOF
$RUN_OK
output = $W/no_such_dir/out.h5
$HOP_OK
EOF
)
expect "[run] output in a directory that does not exist" 3 "$W/no_such_dir/out.h5" "cannot create output" -- \
    "${LAUNCH[@]}" "$BIN" run "$f"

# ---- two ranks: every rank exits with the same status, one message ------------------------

# mpi_case NAME WANT FILE MESSAGE [RUN ARGS...]
mpi_case() {
    local name="$1" want="$2" file="$3" msg="$4" rc r n_ok=0 n_files count
    shift 4
    if [ -z "$MPI2" ]; then echo "SKIP: 2 ranks: $name (no MPI launcher)"; return; fi
    local rcdir="$TOP/rc.$RANDOM"
    mkdir -p "$rcdir"
    local before after problems=()
    before="$(snapshot)"
    # shellcheck disable=SC2086
    timeout -k 5 "$TIMEOUT" $MPI2 -n 2 bash -c \
        'r=${OMPI_COMM_WORLD_RANK:-${PMI_RANK:-${PMIX_RANK:-x$$}}}; "$@"; s=$?; echo $s > "'"$rcdir"'/rank.$r"; exit $s' \
        wrap "$BIN" run "$file" "$@" > "$L/out" 2> "$L/err" < /dev/null
    rc=$?
    after="$(snapshot)"
    n_files=$(find "$rcdir" -name 'rank.*' | wc -l)
    for r in "$rcdir"/rank.*; do [ -f "$r" ] && [ "$(cat "$r")" = "$want" ] && n_ok=$((n_ok + 1)); done
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then problems+=("hung (killed after ${TIMEOUT} s)"); fi
    [ "$rc" = "$want" ] || problems+=("mpirun exit status $rc, expected $want")
    [ "$n_files" = 2 ] && [ "$n_ok" = 2 ] ||
        problems+=("rank statuses: $(cd "$rcdir" && for r in rank.*; do printf '%s=%s ' "$r" "$(cat "$r")"; done) expected 2 ranks with $want")
    count=$(grep -cF -- "$msg" "$L/err")
    [ "$count" = 1 ] || problems+=("message '$msg' printed $count times, expected once (by rank 0)")
    grep -qE 'MPI_ABORT|\[rank [0-9]+\]' "$L/err" && problems+=("an internal abort")
    [ "$before" = "$after" ] || problems+=("files under the working directory changed")
    rm -rf "$rcdir"
    if [ ${#problems[@]} -eq 0 ]; then pass "2 ranks: $name (every rank exited $want)"
    else fail "2 ranks: $name: $(IFS='; '; echo "${problems[*]}")"; sed 's/^/    stderr: /' "$L/err" | head -8; fi
}
mpi_case "nonexistent input file" 2 "$W/no_such_input.ini" "cannot open"
mpi_case "unknown key in [run]" 2 "$W/unknown_key_run.ini" "unknown key"
mpi_case "duplicate key" 2 "$W/duplicate.ini" "given twice"
mpi_case "patterns = 3 with two_pattern (model validate)" 2 "$W/patterns3.ini" "patterns = 3"
mpi_case "pattern_file does not exist" 2 "$W/pattern_file_missing.ini" "no_such_patterns.txt"
mpi_case "[grid] empty range" 2 "$W/grid_empty_range.ini" "empty range"
mpi_case "existing output without --force" 2 "$good" "--force" -o "$W/existing.h5"
mpi_case "output directory does not exist" 3 "$good" "cannot create output" -o "$W/no_such_dir/out.h5"
if [ -n "$MPI2" ]; then
    [ "$(cksum < "$W/existing.h5")" = "$sum" ] && pass "2 ranks: existing output untouched" ||
        fail "2 ranks: existing output untouched: its content changed"
fi

# ---- positive control (also makes the file for the truncation cases) -------------------------

timeout -k 5 "$TIMEOUT" "${LAUNCH[@]}" "$BIN" run "$good" -o "$W/good.h5" > "$L/out" 2> "$L/err"
rc=$?
if [ "$rc" = 0 ] && [ -s "$W/good.h5" ] && [ ! -e "$W/good.h5.partial" ]; then
    pass "positive control: the good input runs (exit 0, $(wc -c < "$W/good.h5") bytes)"
else
    fail "positive control: the good input: exit $rc; $(head -c 300 "$L/err")"
fi
timeout -k 5 "$TIMEOUT" "${LAUNCH[@]}" "$BIN" check "$W/good.h5" > "$L/out" 2> "$L/err"
rc=$?
if [ "$rc" = 0 ] || [ "$rc" = 1 ]; then pass "positive control: check on the good output (exit $rc)"
else fail "positive control: check on the good output: exit $rc; $(head -c 300 "$L/err")"; fi
timeout -k 5 "$TIMEOUT" "${LAUNCH[@]}" "$BIN" info "$W/good.h5" > "$L/out" 2> "$L/err"
rc=$?
if [ "$rc" = 0 ] && grep -q hopfield "$L/out"; then pass "positive control: info on the good output"
else fail "positive control: info on the good output: exit $rc; $(head -c 300 "$L/err")"; fi
if [ -n "$MPI2" ]; then
    # shellcheck disable=SC2086
    timeout -k 5 "$TIMEOUT" $MPI2 -n 2 "$BIN" run "$good" -o "$W/good2.h5" > "$L/out" 2> "$L/err"
    rc=$?
    [ "$rc" = 0 ] && [ -s "$W/good2.h5" ] && pass "positive control: the good input on 2 ranks" ||
        fail "positive control: the good input on 2 ranks: exit $rc; $(head -c 300 "$L/err")"
    rm -f "$W/good2.h5"
fi

# ---- check and info on files that are not (complete) thermolearn outputs ---------------------

printf 'just some text\nnot HDF5 at all\n' > "$W/text.h5"
: > "$W/empty.h5"
size=$(wc -c < "$W/good.h5")
head -c 2000 "$W/good.h5" > "$W/truncated_2000.h5"
head -c $((size / 2)) "$W/good.h5" > "$W/truncated_half.h5"
foreign_ok=0
if "$PY" -c '
import sys, h5py, numpy
with h5py.File(sys.argv[1], "w") as f:
    f.attrs["program"] = "somebody else"
    f["work/forward/counts"] = numpy.arange(10, dtype="u8").reshape(1, 10)
with h5py.File(sys.argv[2], "w") as f:
    f["x"] = numpy.zeros(3)
with h5py.File(sys.argv[3], "r+") as f:
    del f["work"]
' "$W/foreign.h5" "$W/foreign_noattr.h5" "$(cp "$W/good.h5" "$W/no_work.h5" && echo "$W/no_work.h5")" \
    > "$L/py" 2>&1; then
    foreign_ok=1
else
    fail "could not write the foreign HDF5 files with $PY and h5py: $(tail -1 "$L/py")"
fi

file_case() { # file_case NAME FILE MESSAGE...: check and info both exit 2
    local name="$1" file="$2"
    shift 2
    expect "check on $name" 2 "$file" "$@" -- "${LAUNCH[@]}" "$BIN" check "$file"
    expect "check --json on $name" 2 "$file" "$@" -- "${LAUNCH[@]}" "$BIN" check "$file" --json
    expect "info on $name" 2 "$file" "$@" -- "${LAUNCH[@]}" "$BIN" info "$file"
}
file_case "a missing file" "$W/no_such_file.h5" "cannot open"
file_case "a text file" "$W/text.h5" "not an HDF5 file"
file_case "an empty file" "$W/empty.h5" "not an HDF5 file"
file_case "a directory" "$W/out_dir.h5" "HDF5"
file_case "a valid output truncated to 2000 bytes" "$W/truncated_2000.h5" "truncated"
file_case "a valid output truncated to half" "$W/truncated_half.h5" "truncated"
if [ "$foreign_ok" = 1 ]; then
    file_case "an HDF5 file from another program" "$W/foreign.h5" "not one written by thermolearn"
    file_case "an HDF5 file with no attributes" "$W/foreign_noattr.h5" "not one written by thermolearn"
    expect "check on a thermolearn file without /work" 2 "$W/no_work.h5" "no forward and reverse work" -- \
        "${LAUNCH[@]}" "$BIN" check "$W/no_work.h5"
fi
expect "check with no file" 2 "no file given" -- "${LAUNCH[@]}" "$BIN" check
expect "info with two files" 2 "unexpected argument" -- "${LAUNCH[@]}" "$BIN" info "$W/good.h5" "$W/good.h5"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
