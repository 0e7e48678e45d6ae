#!/usr/bin/env bash
# Progress reports from rank 0 on stderr: plain lines in a batch log (stderr
# not a terminal), a live bar on a terminal; counts never go back and end at
# the exact total (points x directions x trajectories); a resumed run counts
# what the checkpoint holds; --quiet and --no-progress print none.
set -u
source "$(dirname "$0")/common.sh"
cp "$1" "$TMP/thermolearn" && BIN="$TMP/thermolearn"
cd "$TMP"
cat > p.ini <<'INI'
[run]
model = hopfield
trajectories = 1100
seed = 3

[grid]
gamma = 0.2, 0.5, 0.8

[hopfield]
n = 10
temperature = 3
steps = 2000
INI
TOTAL=$((3 * 2 * 1100))

# check_lines FILE: the progress lines of FILE are well formed, nondecreasing, end at TOTAL.
check_lines() {
    "$PY" - "$1" "$TOTAL" <<'PY'
import re, sys
total = int(sys.argv[2])
pat = re.compile(r"^thermolearn: progress (\d+)/(\d+) trajectories \((\d+\.\d)%\), ([0-9.e+]+) trajectories/s, (\d+:\d\d(:\d\d)?|\?) left$")
counts = []
for line in open(sys.argv[1]):
    if "progress" not in line:
        continue
    m = pat.match(line.rstrip("\n"))
    assert m, "malformed: " + line
    assert int(m.group(2)) == total, line
    counts.append(int(m.group(1)))
assert len(counts) >= 3, counts
assert counts == sorted(counts), counts
assert counts[-1] == total, counts
print(len(counts), counts[0])
PY
}

# Runs that must last a while whatever the machine's speed sleep 0.1 s after each
# of their 30 units of work (a test hook) and checkpoint every 20 ms: about 1.5 s
# on 2 ranks, so that a stop lands early and the resumed run still reports
# several times.  (A stall in each checkpoint write was not enough: a resumed
# run once finished its last 1432 trajectories between two progress lines.)
slow() { THERMOLEARN_TEST_UNIT_STALL=0.1 "$@" --checkpoint-interval 0.02; }
slow $MPIRUN -n 2 "$BIN" run p.ini -o a.h5 --progress 0.05 2> a.err || fail "run exited $?"
out=$(check_lines a.err) && pass "batch log: $out plain progress lines, nondecreasing, ending at $TOTAL" ||
    fail "batch log progress lines: $out"
grep -q $'\r' a.err && fail "batch log: carriage returns in a log" || pass "batch log: no carriage returns"

# A terminal: script(1) gives the run a pseudo-terminal.  One rank without
# mpirun sees it; under mpirun stderr is a pipe, and --progress-bar asks for the bar.
has_bar() {
    grep -q $'\r\[#*\.*\] *[0-9.]*% [0-9]*/'"$TOTAL"' trajectories' "$1" &&
        grep -q "\[##############################\] 100.0%" "$1"
}
script -qfec "$BIN run p.ini -o tty1.h5" tty1.out >/dev/null 2>&1
has_bar tty1.out && pass "terminal: a live bar redrawn in place, ending full" ||
    fail "terminal: no live bar: $(tr '\r' '\n' < tty1.out | head -3)"
$MPIRUN -n 2 "$BIN" run p.ini -o tty2.h5 --progress-bar 2> tty2.err
has_bar tty2.err && pass "--progress-bar under mpirun: the live bar" || fail "--progress-bar: no bar: $(head -c 300 tty2.err)"
$MPIRUN -n 2 "$BIN" run p.ini -o q.h5 --quiet 2> q.err || fail "quiet run exited $?"
$MPIRUN -n 2 "$BIN" run p.ini -o n.h5 --no-progress 2> n.err || fail "--no-progress run exited $?"
! grep -q progress q.err n.err && pass "--quiet and --no-progress: no progress lines" || fail "progress printed with --quiet or --no-progress"

# Resumed: counting starts from what the checkpoint holds.
# stopped (a stop file) once it has reported some progress
slow $MPIRUN -n 2 "$BIN" run p.ini -o r.h5 --progress 0.05 2>r0.err &
pid=$!
for k in $(seq 400); do grep -q "progress" r0.err && break; sleep 0.05; done
touch r.h5.stop
wait $pid
slow $MPIRUN -n 2 "$BIN" run p.ini -o r.h5 --resume --progress 0.05 2> r.err
out=$(check_lines r.err) && first=${out#* } && [ "$first" -gt 0 ] &&
    pass "resumed run: progress starts at the checkpoint's $first trajectories and ends at $TOTAL" ||
    fail "resumed run progress: $out"
finish
