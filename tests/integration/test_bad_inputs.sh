#!/usr/bin/env bash
# Integration test: bad inputs are rejected cleanly.
#
# Usage: tests/integration/test_bad_inputs.sh BIN
#   BIN     the thermolearn binary (copied first, so that a rebuild during the test
#           cannot change what is tested)
#   MPIRUN  (env) MPI launcher prefix, e.g. "mpirun --oversubscribe --allow-run-as-root".
#           Empty: every single-process case runs BIN directly.  Set: those cases run
#           under "$MPIRUN -n 1" (a fixed rank count, whatever the host's core count).
#           The two-rank cases run under "$MPIRUN -n 2" (when MPIRUN is empty they use
#           "mpirun --oversubscribe" if mpirun exists, and are skipped otherwise).
#   JOBS    (env) cases run at once (default 6: a failing mpirun idles ~2 s)
#
# For every bad input: exit status 2 (3 for an output directory that does not
# exist), no crash (status < 128) and no hang, a "thermolearn: ..." message on
# stderr that names the file and, where the engine knows it, the line
# ("path:LINE: [section] key: ..."), and nothing created or changed in the
# working directory (every case runs in a fresh one).  Then `check` and `info`
# on files that are not (complete) thermolearn outputs, and a positive control.
#
# Prints PASS:/FAIL: per case and a closing "N passed, M failed"; exits non-zero
# if anything failed.
set -u

if [ $# -lt 1 ] || [ ! -x "$1" ] || [ -d "$1" ]; then
    echo "usage: $0 path/to/thermolearn   (MPIRUN in the environment: optional launcher)" >&2
    exit 2
fi
PY="${PY:-/usr/bin/python3}"
MPIRUN="${MPIRUN:-}"
TIMEOUT="${TIMEOUT:-60}"
JOBS="${JOBS:-6}"

TOP="$(mktemp -d "${TMPDIR:-/tmp}/test_bad_inputs.XXXXXX")"
trap 'rm -rf "$TOP"' EXIT
IN="$TOP/in"        # input files and fixtures (never a working directory)
FILES="$TOP/files"  # files for check and info
L="$TOP/log"        # per-case reports and captured output
mkdir -p "$IN" "$FILES" "$L"
cp "$1" "$TOP/thermolearn" || exit 2
BIN="$TOP/thermolearn"
export OMPI_MCA_rmaps_base_oversubscribe=1

# Launcher for the single-process cases (an array, so that it can be empty).
if [ -n "$MPIRUN" ]; then read -r -a LAUNCH <<< "$MPIRUN -n 1"; else LAUNCH=(); fi
# Launcher for the two-rank cases.
MPI2="$MPIRUN"
if [ -z "$MPI2" ] && command -v mpirun > /dev/null 2>&1; then
    MPI2="mpirun --oversubscribe"
    if [ "$(id -u)" = 0 ]; then MPI2="$MPI2 --allow-run-as-root"; fi
fi

# Cases print their PASS:/FAIL: lines into their own report; the reports are
# printed, in order, and counted at the end.
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }

# spawn FUNCTION ARGS...: runs FUNCTION in the background, in a fresh working
# directory W (its cwd), with at most JOBS cases at once.
n_cases=0
spawn() {
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
    n_cases=$((n_cases + 1))
    local id
    id=$(printf '%04d' "$n_cases")
    mkdir "$TOP/c$id"
    (W="$TOP/c$id" CASE="$id"; cd "$W" && "$@") > "$L/r$id" 2>&1 < /dev/null &
}

# ---- helpers ----------------------------------------------------------------------

# A listing of everything under W with sizes, modes and modification times.
snapshot() { (cd "$W" && find . -printf '%p %y %s %m %T@\n' | LC_ALL=C sort); }

# lineof FILE TEXT: number of the first line of FILE that contains TEXT.
lineof() { grep -n -m1 -F -- "$2" "$1" | cut -d: -f1; }

# at FILE TEXT SECTION KEY: the "path:LINE: [section] key:" prefix of a message about
# the line of FILE that holds TEXT.
at() { echo "$1:$(lineof "$1" "$2"): [$3] $4:"; }

# mk NAME: writes stdin to IN/NAME.ini and prints the path.
mk() { cat > "$IN/$1.ini"; echo "$IN/$1.ini"; }

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

# expect NAME WANT [MESSAGE...] -- COMMAND...: runs COMMAND (under the timeout, or
# LIMIT seconds if set) in W; asserts its exit status is WANT, it did not crash or
# hang, stderr holds a "thermolearn: " line and every MESSAGE (fixed strings; one
# written "!TEXT" must NOT appear), there was no internal abort or sanitizer report,
# and nothing under W was created or changed.
expect() {
    local name="$1" want="$2" rc m before after out="$L/$CASE.out" err="$L/$CASE.err"
    shift 2
    local msgs=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do msgs+=("$1"); shift; done
    shift
    local problems=()
    before="$(snapshot)"
    timeout -k 5 "${LIMIT:-$TIMEOUT}" "$@" > "$out" 2> "$err" < /dev/null
    rc=$?
    after="$(snapshot)"
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then problems+=("hung (killed after ${LIMIT:-$TIMEOUT} s)")
    elif [ "$rc" -ge 128 ]; then problems+=("crashed (exit status $rc, signal $((rc - 128)))")
    elif [ "$rc" != "$want" ]; then problems+=("exit status $rc, expected $want"); fi
    if ! grep -q '^thermolearn: ' "$err"; then problems+=("no 'thermolearn: ' message on stderr"); fi
    for m in "${msgs[@]}"; do
        if [ "${m:0:1}" = "!" ]; then
            grep -qF -- "${m:1}" "$err" && problems+=("stderr says '${m:1}'")
        else
            grep -qF -- "$m" "$err" || problems+=("stderr lacks '$m'")
        fi
    done
    if grep -qE 'MPI_ABORT|\[rank [0-9]+\]|Sanitizer' "$err"; then
        problems+=("an internal abort or a sanitizer report instead of an input error")
    fi
    if [ "$before" != "$after" ]; then
        problems+=("files in the working directory changed: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | tr '\n' ' ')")
    fi
    if [ ${#problems[@]} -eq 0 ]; then
        pass "$name (exit $rc: $(grep -m1 '^thermolearn: ' "$err" | cut -c1-160))"
    else
        fail "$name: $(IFS='; '; echo "${problems[*]}")"
        sed 's/^/    stderr: /' "$err" | head -8
        return 1
    fi
}

# bad NAME FILE [MESSAGE...]: `run FILE` must exit 2 with MESSAGEs and the file's path.
bad() {
    local name="$1" file="$2"
    shift 2
    spawn expect "run: $name" 2 "$file" "$@" -- "${LAUNCH[@]}" "$BIN" run "$file"
}

# bad_sentinel NAME FILE [MESSAGE...]: as bad, with -o at an existing file of known
# content and --force: the input is rejected before anything is written.
run_over_sentinel() {
    local name="$1" file="$2" sum
    shift 2
    printf 'sentinel: must survive a rejected input\n' > sentinel.h5
    sum="$(cksum < sentinel.h5)"
    expect "run --force over a sentinel: $name" 2 "$file" "$@" -- \
        "${LAUNCH[@]}" "$BIN" run "$file" -o sentinel.h5 --force
    if [ "$(cksum < sentinel.h5)" = "$sum" ] && [ ! -e sentinel.h5.partial ]; then
        pass "sentinel untouched: $name"
    else
        fail "sentinel untouched: $name: sentinel.h5 changed or sentinel.h5.partial appeared"
    fi
}
bad_sentinel() { spawn run_over_sentinel "$@"; }

# ---- the input file ------------------------------------------------------------------

bad "nonexistent input file" "$IN/no_such_input.ini" "cannot open"
mkdir "$IN/input_dir.ini"
bad "input is a directory" "$IN/input_dir.ini" "cannot read"

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
# 2^64 overflows strtoull (ERANGE, clamped to 2^64-1): once accepted, now refused.
bad "seed above 2^64-1" "$f" "$(at "$f" 'seed =' run seed)" "malformed seed"

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
pattern_file = $IN/no_such_patterns.txt
EOF
)
bad "pattern_file does not exist" "$f" "pattern_file" "$IN/no_such_patterns.txt"
bad_sentinel "pattern_file does not exist" "$f" "no_such_patterns.txt"

printf '1 -1 1 -1 1 -1\n1 1 1 -1 -1\n' > "$IN/short_patterns.txt"
f=$(mk pattern_file_short <<EOF
$RUN_OK
$HOP_OK
pattern_file = $IN/short_patterns.txt
EOF
)
bad "pattern_file with 11 of 12 values" "$f" "pattern_file" "short_patterns.txt" "expected 2 rows of 6"

printf '1 -1 1 -1 1 -1\n1 1 1 -1 -1 -1 junk\n' > "$IN/junk_patterns.txt"
f=$(mk pattern_file_junk <<EOF
$RUN_OK
$HOP_OK
pattern_file = $IN/junk_patterns.txt
EOF
)
# The message names the token that is not a number; it once said "expected 2 rows of
# 6 values +1/-1, read 12 values", contradicting itself and not naming 'junk'.
bad "pattern_file with 12 values and a trailing 'junk'" "$f" "pattern_file" \
    "!expected 2 rows of 6 values +1/-1, read 12 values"

# A path of 300 characters is legal, but longer than inih's line buffer.
long="$IN/$(printf 'p%.0s' $(seq 300)).txt"
f=$(mk pattern_file_long <<EOF
$RUN_OK
$HOP_OK
pattern_file = $long
EOF
)
# A line longer than inih's buffer (200 characters) was once split in two: the message
# was "line N+1: syntax error" and every later line number was off by one.
bad "pattern_file with a 300-character path that does not exist" "$f" "pattern_file" "!syntax error"

f=$(mk long_comment <<EOF
# $(printf 'c%.0s' $(seq 300))
$RUN_OK
$HOP_OK
stepz = 5
EOF
)
# The same for a legal 300-character comment line: the unknown key below it must be
# reported on its own line.
bad "unknown key after a 300-character comment line" "$f" "$(at "$f" stepz hopfield stepz)" "unknown key"

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
# (With a `make SANITIZE=1` binary this case also shows a heap-buffer-overflow read in
# parse_list, grid.c: text[strlen(text) - 1] with an empty text.)
grid_case empty_list 'gamma =' "empty list"
grid_case empty_element 'gamma = 0.1,,0.2' "empty element"
grid_case bad_range 'gamma = 1:2' "a range is start:stop:count"
grid_case bad_count 'gamma = 0.1:0.9:2.5' "malformed count"
# A leading or trailing ':' is not a 3-point range (strtok_r, which skips empty
# fields, once accepted it).
grid_case trailing_colon 'gamma = 0.1:0.9:3:' "a range is start:stop:count"
grid_case leading_colon 'gamma = :0.1:0.9:3' "a range is start:stop:count"
grid_case log_zero 'field = log:0:1:3' "log range" "positive"
grid_case log_negative 'field = log:-1:1:3' "log range" "positive"
grid_case not_parameter 'bogus = 1,2' "not a parameter of model hopfield"
grid_case protocol_axis 'protocol = 0,1' "only numeric parameters"
grid_case n_fraction 'n = 4,5.5' "not an integer"
grid_case gamma_out 'gamma = 0.5,1.5' "out of range"
grid_case malformed 'gamma = 0.1,x' "malformed number 'x'"

f=$(mk grid_huge <<EOF
$RUN_OK
[grid]
gamma = 0:1:1000000
field = 0:1:1000000
$HOP_OK
EOF
)
sed -i '/^gamma = 0.2$/d' "$f"
# 10^12 grid points are refused at once (they were once accepted, and validating
# every point on every rank hung the run instead of exiting 2).
LIMIT=15 bad "a grid of 10^12 points (two axes of 10^6)" "$f" "[grid]" "too many points"

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
spawn expect "run with no input file" 2 "no input file" -- "${LAUNCH[@]}" "$BIN" run
spawn expect "run with two input files" 2 "unexpected argument" -- "${LAUNCH[@]}" "$BIN" run "$good" "$good"
spawn expect "run with an unknown option" 2 "unexpected argument" -- "${LAUNCH[@]}" "$BIN" run "$good" --bogus

existing_output() {
    local sum
    printf 'sentinel: an existing output\n' > existing.h5
    sum="$(cksum < existing.h5)"
    expect "existing output without --force" 2 "existing.h5" "--force" -- \
        "${LAUNCH[@]}" "$BIN" run "$good" -o existing.h5
    if [ "$(cksum < existing.h5)" = "$sum" ]; then pass "existing output untouched"
    else fail "existing output untouched: its content changed"; fi
}
spawn existing_output

# Nothing may be created: the snapshot of W covers no_such_dir and any .partial.
spawn expect "output in a directory that does not exist" 3 "no_such_dir/out.h5" "cannot create output" -- \
    "${LAUNCH[@]}" "$BIN" run "$good" -o no_such_dir/out.h5

output_is_directory() {
    mkdir out_dir.h5
    expect "-o names an existing directory (with --force)" 2 "out_dir.h5" "directory" -- \
        "${LAUNCH[@]}" "$BIN" run "$good" -o out_dir.h5 --force
}
spawn output_is_directory

f=$(mk output_nodir <<EOF
$RUN_OK
output = no_such_dir/out.h5
$HOP_OK
EOF
)
spawn expect "[run] output in a directory that does not exist" 3 "no_such_dir/out.h5" "cannot create output" -- \
    "${LAUNCH[@]}" "$BIN" run "$f"

# ---- lists, indices into lists and T = 0: the toy model of the test build ------------------
# (tests/models/toy, in build/tests/thermolearn beside the binary under test)
TOY_SRC="$(cd "$(dirname "$0")/../.." && pwd)/build/tests/thermolearn"
if [ -x "$TOY_SRC" ] && cp "$TOY_SRC" "$TOP/thermolearn_toy"; then
    TOY="$TOP/thermolearn_toy"
    bad_toy() {
        local name="$1" file="$2"
        shift 2
        spawn expect "run (toy): $name" 2 "$file" "$@" -- "${LAUNCH[@]}" "$TOY" run "$file"
    }
    TOY_RUN='[run]
model = toy
trajectories = 4'
    f=$(printf '%s\n[toy]\nstiffnesses = 1, , 2\n' "$TOY_RUN" | mk toy_empty_item)
    bad_toy "list with an empty item" "$f" "$(at "$f" 'stiffnesses =' toy stiffnesses)" "item 2 of 3 is empty"
    f=$(printf '%s\n[toy]\nlabels = a, b,\n' "$TOY_RUN" | mk toy_trailing_comma)
    bad_toy "list with a trailing comma" "$f" "$(at "$f" 'labels =' toy labels)" "item 3 of 3 is empty"
    f=$(printf '%s\n[toy]\nstiffnesses =\n' "$TOY_RUN" | mk toy_empty_list)
    bad_toy "empty list" "$f" "$(at "$f" 'stiffnesses =' toy stiffnesses)" "empty list"
    f=$(printf '%s\n[toy]\nstiffnesses = 0.5, soft\n' "$TOY_RUN" | mk toy_list_word)
    bad_toy "word in a list of numbers" "$f" "$(at "$f" 'stiffnesses =' toy stiffnesses)" \
        "item 2 'soft' is not a finite number"
    f=$(printf '%s\n[toy]\nstiffnesses = 0.5, 0\n' "$TOY_RUN" | mk toy_list_range)
    bad_toy "list item out of range" "$f" "$(at "$f" 'stiffnesses =' toy stiffnesses)" "item 2: value 0 out of range"
    f=$(printf '%s\n[toy]\nstiffnesses = 0.5, 1\ntrap = 2\n' "$TOY_RUN" | mk toy_index_scalar)
    bad_toy "index past the end of its list" "$f" "$(at "$f" 'trap =' toy trap)" \
        "index 2 into stiffnesses, which has 2 item(s)"
    f=$(printf '%s\n[grid]\ntrap = 0, 1, 5\n[toy]\nstiffnesses = 0.5, 1\n' "$TOY_RUN" | mk toy_index_grid)
    bad_toy "grid axis of indices past the end of the list" "$f" "$(at "$f" 'trap =' grid trap)" "index 5 into stiffnesses"
    f=$(printf '%s\n[grid]\nstiffnesses = 1, 2\n' "$TOY_RUN" | mk toy_list_axis)
    bad_toy "a list as a grid axis" "$f" "$(at "$f" 'stiffnesses =' grid stiffnesses)" "only numeric parameters"
    f=$(printf '%s\n[toy]\ntemperature = -0.5\n' "$TOY_RUN" | mk toy_negative_temperature)
    bad_toy "negative temperature (T = 0 allowed)" "$f" "$(at "$f" 'temperature =' toy temperature)" "must be >= 0"
    f=$(printf '%s\n[hopfield]\nn = 6\ntemperature = 0\n' "$RUN_OK" | mk hop_zero_temperature)
    bad "T = 0 where the model does not allow it" "$f" "$(at "$f" 'temperature =' hopfield temperature)" "must be > 0"
else
    spawn fail "no $TOY_SRC (make unit-tests): the list and T = 0 cases did not run"
fi

# ---- two ranks: every rank exits with the same status, one message ------------------------

# two_ranks NAME WANT FILE MESSAGE [RUN ARGS...]
two_ranks() {
    local name="$1" want="$2" file="$3" msg="$4" rc r n_ok=0 n_files count before after
    local out="$L/$CASE.out" err="$L/$CASE.err" rcdir="$L/$CASE.rc"
    shift 4
    mkdir -p "$rcdir"
    local problems=()
    before="$(snapshot)"
    # mpirun kills the other ranks as soon as one exits non-zero: a failing
    # wrapper waits a second so that every rank can record its status first.
    # shellcheck disable=SC2086
    timeout -k 5 "$TIMEOUT" $MPI2 -n 2 bash -c \
        'r=${OMPI_COMM_WORLD_RANK:-${PMI_RANK:-${PMIX_RANK:-x$$}}}; "$@"; s=$?; echo $s > "'"$rcdir"'/rank.$r"; [ $s = 0 ] || sleep 1; exit $s' \
        wrap "$BIN" run "$file" "$@" > "$out" 2> "$err" < /dev/null
    rc=$?
    after="$(snapshot)"
    n_files=$(find "$rcdir" -name 'rank.*' | wc -l)
    for r in "$rcdir"/rank.*; do [ -f "$r" ] && [ "$(cat "$r")" = "$want" ] && n_ok=$((n_ok + 1)); done
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then problems+=("hung (killed after ${TIMEOUT} s)"); fi
    [ "$rc" = "$want" ] || problems+=("mpirun exit status $rc, expected $want")
    [ "$n_files" = 2 ] && [ "$n_ok" = 2 ] ||
        problems+=("rank statuses: $(cd "$rcdir" && for r in rank.*; do printf '%s=%s ' "$r" "$(cat "$r" 2>/dev/null)"; done)(expected 2 ranks with $want)")
    count=$(grep -cF -- "$msg" "$err")
    [ "$count" = 1 ] || problems+=("message '$msg' printed $count times, expected once (by rank 0)")
    grep -qE 'MPI_ABORT|\[rank [0-9]+\]|Sanitizer' "$err" && problems+=("an internal abort or a sanitizer report")
    [ "$before" = "$after" ] || problems+=("files in the working directory changed")
    if [ ${#problems[@]} -eq 0 ]; then pass "2 ranks: $name (every rank exited $want)"
    else fail "2 ranks: $name: $(IFS='; '; echo "${problems[*]}")"; sed 's/^/    stderr: /' "$err" | head -8; fi
}
two_ranks_existing() {
    local sum
    printf 'sentinel: an existing output\n' > existing.h5
    sum="$(cksum < existing.h5)"
    two_ranks "existing output without --force" 2 "$good" "--force" -o existing.h5
    [ "$(cksum < existing.h5)" = "$sum" ] && pass "2 ranks: existing output untouched" ||
        fail "2 ranks: existing output untouched: its content changed"
}
if [ -n "$MPI2" ]; then
    spawn two_ranks "nonexistent input file" 2 "$IN/no_such_input.ini" "cannot open"
    spawn two_ranks "unknown key in [run]" 2 "$IN/unknown_key_run.ini" "unknown key"
    spawn two_ranks "duplicate key" 2 "$IN/duplicate.ini" "given twice"
    spawn two_ranks "patterns = 3 with two_pattern (model validate)" 2 "$IN/patterns3.ini" "patterns = 3"
    spawn two_ranks "pattern_file does not exist" 2 "$IN/pattern_file_missing.ini" "no_such_patterns.txt"
    spawn two_ranks "[grid] empty range" 2 "$IN/grid_empty_range.ini" "empty range"
    spawn two_ranks_existing
    spawn two_ranks "output directory does not exist" 3 "$good" "cannot create output" -o no_such_dir/out.h5
else
    echo "SKIP: the two-rank cases (MPIRUN is empty and there is no mpirun)"
fi

# ---- positive control (also makes the file for the truncation cases) -------------------------

positive_control() {
    local rc out="$L/$CASE.out" err="$L/$CASE.err"
    timeout -k 5 "$TIMEOUT" "${LAUNCH[@]}" "$BIN" run "$good" -o "$FILES/good.h5" > "$out" 2> "$err"
    rc=$?
    if [ "$rc" = 0 ] && [ -s "$FILES/good.h5" ] && [ ! -e "$FILES/good.h5.partial" ]; then
        pass "positive control: the good input runs (exit 0, $(wc -c < "$FILES/good.h5") bytes)"
    else
        fail "positive control: the good input: exit $rc; $(head -c 300 "$err")"
    fi
    timeout -k 5 "$TIMEOUT" "${LAUNCH[@]}" "$BIN" check "$FILES/good.h5" > "$out" 2> "$err"
    rc=$?
    if [ "$rc" = 0 ] || [ "$rc" = 1 ]; then pass "positive control: check on the good output (exit $rc)"
    else fail "positive control: check on the good output: exit $rc; $(head -c 300 "$err")"; fi
    timeout -k 5 "$TIMEOUT" "${LAUNCH[@]}" "$BIN" info "$FILES/good.h5" > "$out" 2> "$err"
    rc=$?
    if [ "$rc" = 0 ] && grep -q hopfield "$out"; then pass "positive control: info on the good output"
    else fail "positive control: info on the good output: exit $rc; $(head -c 300 "$err")"; fi
}
positive_control_2() {
    local rc err="$L/$CASE.err"
    # shellcheck disable=SC2086
    timeout -k 5 "$TIMEOUT" $MPI2 -n 2 "$BIN" run "$good" -o good2.h5 > /dev/null 2> "$err"
    rc=$?
    [ "$rc" = 0 ] && [ -s good2.h5 ] && pass "positive control: the good input on 2 ranks" ||
        fail "positive control: the good input on 2 ranks: exit $rc; $(head -c 300 "$err")"
}
spawn positive_control
[ -n "$MPI2" ] && spawn positive_control_2
wait

# ---- check and info on files that are not (complete) thermolearn outputs ---------------------

printf 'just some text\nnot HDF5 at all\n' > "$FILES/text.h5"
: > "$FILES/empty.h5"
if [ -s "$FILES/good.h5" ]; then
    size=$(wc -c < "$FILES/good.h5")
    head -c 2000 "$FILES/good.h5" > "$FILES/truncated_2000.h5"
    head -c $((size / 2)) "$FILES/good.h5" > "$FILES/truncated_half.h5"
    cp "$FILES/good.h5" "$FILES/no_work.h5"
fi
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
' "$FILES/foreign.h5" "$FILES/foreign_noattr.h5" "$FILES/no_work.h5" > "$L/py" 2>&1; then
    foreign_ok=1
else
    fail "could not write the foreign HDF5 files with $PY and h5py: $(tail -1 "$L/py")" > "$L/r0000"
fi

# inspect VERB NAME SOURCE MESSAGE... [--json]: VERB (check or info) on a copy of
# SOURCE in W (SOURCE "-": a missing file, "/": a directory) exits 2.
inspect() {
    local verb="$1" name="$2" src="$3" target
    shift 3
    local args=()
    if [ "${*: -1}" = "--json" ]; then args=(--json); set -- "${@:1:$#-1}"; fi
    case "$src" in
        -) target="$W/no_such_file.h5" ;;
        /) target="$W/a_directory.h5"; mkdir "$target" ;;
        *) target="$W/$(basename "$src")"; cp "$src" "$target" ;;
    esac
    expect "$verb ${args[*]:+${args[*]} }on $name" 2 "$target" "$@" -- \
        "${LAUNCH[@]}" "$BIN" "$verb" "$target" "${args[@]}"
}
file_case() { # file_case NAME SOURCE MESSAGE...: check, check --json and info all exit 2
    spawn inspect check "$@"
    spawn inspect check "$@" --json
    spawn inspect info "$@"
}
file_case "a missing file" - "cannot open"
file_case "a text file" "$FILES/text.h5" "not an HDF5 file"
file_case "an empty file" "$FILES/empty.h5" "not an HDF5 file"
file_case "a directory" / "HDF5"
file_case "a valid output truncated to 2000 bytes" "$FILES/truncated_2000.h5" "truncated"
file_case "a valid output truncated to half its size" "$FILES/truncated_half.h5" "truncated"
if [ "$foreign_ok" = 1 ]; then
    file_case "an HDF5 file from another program" "$FILES/foreign.h5" "not one written by thermolearn"
    file_case "an HDF5 file with no attributes" "$FILES/foreign_noattr.h5" "not one written by thermolearn"
    spawn inspect check "a thermolearn file without /work" "$FILES/no_work.h5" "/work/forward/counts: missing"
fi
spawn expect "check with no file" 2 "no file given" -- "${LAUNCH[@]}" "$BIN" check
spawn expect "info with two files" 2 "unexpected argument" -- \
    "${LAUNCH[@]}" "$BIN" info "$FILES/good.h5" "$FILES/good.h5"
wait

# ---- the reports, in order ---------------------------------------------------------------------

passed=0 failed=0
for r in "$L"/r[0-9]*; do
    cat "$r"
    p=$(grep -c '^PASS: ' "$r")
    f=$(grep -c '^FAIL: ' "$r")
    if [ "$p" = 0 ] && [ "$f" = 0 ]; then
        echo "FAIL: case $(basename "$r") reported nothing"
        f=1
    fi
    passed=$((passed + p)) failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
