#!/usr/bin/env bash
# Files that cannot be written give a clear error (status 3) before any
# simulation: a disk too small for the output and its checkpoint (a 300 kB
# tmpfs), a read-only file system (100 MB), a checkpoint path that cannot be written.
# Needs mount (root in a container usually may); skipped with a message if not.
set -u
source "$(dirname "$0")/common.sh"
cp "$1" "$TMP/thermolearn" && BIN="$TMP/thermolearn"
cd "$TMP"
cat > big.ini <<'INI'
[run]
model = hopfield
trajectories = 20000
seed = 2

[grid]
gamma = 0.1:0.9:5

[hopfield]
n = 8
temperature = 2
steps = 50
INI
mkdir -p small ro
umount_all() { umount "$TMP/small" 2>/dev/null; umount "$TMP/ro" 2>/dev/null; rm -rf "$TMP"; }
trap umount_all EXIT
if ! mount -t tmpfs -o size=300k tmpfs small 2>/dev/null || ! mount -t tmpfs -o ro,size=100m tmpfs ro 2>/dev/null; then
    echo "SKIP: cannot mount a small tmpfs here (not root, or not allowed in this container)"
    echo "0 passed, 0 failed"
    exit 0
fi

# expect_io NAME MESSAGE ARGS...: status 3, the message, no time spent, nothing left behind
expect_io() {
    local name=$1 msg=$2 rc start
    shift 2
    start=$SECONDS
    $MPIRUN -n 2 "$BIN" run big.ini "$@" --no-progress > out.txt 2> err.txt
    rc=$?
    if [ $rc = 3 ] && grep -q "$msg" err.txt && [ "$(grep -c "$msg" err.txt)" = 1 ] && ! grep -q "model hopfield" err.txt; then
        pass "$name: status 3 before simulating: $(head -1 err.txt)"
    else
        fail "$name: status $rc: $(head -c 300 err.txt)"
    fi
    [ -z "$(find small ro -type f)" ] || fail "$name: files left behind: $(find small ro -type f)"
}
expect_io "disk too small" "not enough disk space for small/out.h5" -o small/out.h5
expect_io "read-only file system" "cannot create output" -o ro/out.h5
expect_io "checkpoint on a read-only file system" "cannot write the checkpoint" -o ok.h5 --checkpoint ro/ok.ckpt
expect_io "checkpoint on a disk too small" "not enough disk space for small/ok2.ckpt" -o ok2.h5 --checkpoint small/ok2.ckpt

# The estimate is not too cautious: a run that fits the small disk runs there.
sed 's/trajectories = 20000/trajectories = 300/; s/0.1:0.9:5/0.5/' big.ini > fits.ini
$MPIRUN -n 2 "$BIN" run fits.ini -o small/fits.h5 --quiet && [ -f small/fits.h5 ] &&
    pass "a run that fits the small disk writes its file there ($(du -k small/fits.h5 | cut -f1) kB)" ||
    fail "a run that fits the small disk: $(ls -la small)"
finish
