#!/usr/bin/env bash
# `check` on damaged but openable files: every structural problem (a dataset
# or attribute missing, another shape, rank or type, sizes that disagree,
# histogram counts that do not add up to the trajectories, samples that
# disagree with the moments' [min, max] or, binned, with the counts) exits 2 with a
# message naming the dataset or attribute, and prints no table; 1 stays for a
# physics check that fails.  One small file of each kind (Crooks, heat
# exchange, steady state, spins X/X_err/X_exact, and a Crooks file without
# the check declaration /checks, as written before it), damaged with h5py;
# the declaration itself damaged too.
set -u
source "$(dirname "$0")/common.sh"
cp "$1" "$TMP/thermolearn" && BIN="$TMP/thermolearn"
cd "$TMP"
# Every command here is one process: no orted for the MPI singleton (faster start).
export OMPI_MCA_ess_singleton_isolated=1

head='[run]
model = hopfield
trajectories = 400
seed = 3
[grid]
gamma = 0.2, 0.4
[hopfield]
n = 6
temperature = 3
field = 1
pattern_seed = 2'
printf '%s\nsteps = 10\n[histogram]\nbins = 12\n' "$head" > crooks.ini
printf '%s\nprotocol = exchange\nupdate = palindromic\ntemperature_initial = 6\nsteps = 3\n' "$head" > exchange.ini
printf '%s\nprotocol = steady\nasymmetry = 0.5\nsteps = 5\n' "$head" > steady.ini
printf '0 1.1\n-0.3 0\n' > w2.txt
printf '[run]\nmodel = spins\ntrajectories = 200\nseed = 3\n[grid]\nbeta = 1, 1.3\n[spins]\ncoupling_matrix = w2.txt\ntime = 20\ntransient = 2\n' > spins.ini
for k in crooks exchange steady spins; do
    "$BIN" run $k.ini -o $k.h5 --quiet || fail "$k run exited $?"
    "$BIN" check $k.h5 > /dev/null 2>&1
    rc=$?
    [ $rc = 0 ] && pass "$k: the undamaged file passes (status 0)" || fail "$k: undamaged file, status $rc"
done

# The damages, one a line: NAME | KIND | the message expected after "FILE: " | Python
# (f: the copy of KIND.h5, open r+; np: numpy).  All made in one Python run.
cat > cases.txt <<'CASES'
reverse counts deleted|crooks|/work/reverse/counts: missing|del f["/work/reverse/counts"]
reverse work group deleted|crooks|/work/reverse/counts: missing|del f["/work/reverse"]
exact dF deleted|crooks|/hopfield/delta_f_exact: missing|del f["/hopfield/delta_f_exact"]
counts with a bin less|crooks|/work/forward/edges: 13 edges for the 11 bins of /work/forward/counts (expected 12)|c = f["/work/forward/counts"][:, 1:]; del f["/work/forward/counts"]; f["/work/forward/counts"] = c
reverse counts with another number of bins|crooks|/work/reverse/counts: shape [2, 13], expected [2, 12]|c = f["/work/reverse/counts"][...]; del f["/work/reverse/counts"]; f["/work/reverse/counts"] = np.concatenate([c, np.zeros((2, 1), c.dtype)], axis=1)
edges one short|crooks|/work/reverse/edges: 12 edges for the 12 bins of /work/reverse/counts (expected 13)|e = f["/work/reverse/edges"][:, :-1]; del f["/work/reverse/edges"]; f["/work/reverse/edges"] = e
moments of 3 columns|crooks|/work/forward/moments: shape [2, 3], expected [2, 4]|m = f["/work/forward/moments"][:, :3]; del f["/work/forward/moments"]; f["/work/forward/moments"] = m
edges stored as float32|crooks|/work/forward/edges: stored as 4-byte floating point, expected 64-bit floating point|e = f["/work/forward/edges"][...].astype(np.float32); del f["/work/forward/edges"]; f["/work/forward/edges"] = e
counts stored as float64|crooks|/work/forward/counts: stored as 8-byte floating point, expected 64-bit integer|c = f["/work/forward/counts"][...].astype(np.float64); del f["/work/forward/counts"]; f["/work/forward/counts"] = c
beta of another rank|crooks|/parameters/beta: has 2 dimension(s), expected 1|b = f["/parameters/beta"][...]; del f["/parameters/beta"]; f["/parameters/beta"] = b.reshape(2, 1)
beta one point short|crooks|/parameters/beta: shape [1], expected [2]|b = f["/parameters/beta"][:1]; del f["/parameters/beta"]; f["/parameters/beta"] = b
beta as strings|crooks|/parameters/beta: stored as 1-byte string, expected 64-bit floating point|del f["/parameters/beta"]; f["/parameters/beta"] = np.array([b"1", b"2"])
a grid axis deleted|crooks|/parameters/gamma: missing|del f["/parameters/gamma"]
one direction's samples deleted|crooks|/work/reverse/samples: missing|del f["/work/reverse/samples"]
samples of different lengths|crooks|/work/reverse/samples: shape [2, 399], expected [2, 400]|s = f["/work/reverse/samples"][:, 1:]; del f["/work/reverse/samples"]; f["/work/reverse/samples"] = s
a count changed|crooks|/work/forward/counts: point 1: 401 trajectories in the bins and outliers, but trajectories = 400|c = f["/work/forward/counts"]; c[1, 5] = c[1, 5] + 1
edges not increasing|crooks|/work/reverse/edges: point 0: the bin edges do not increase|e = f["/work/reverse/edges"]; e[0, 3] = e[0, 5]
a sample far outside the work range|crooks|/work/forward: point 1: sample 7 = 1e+30 is outside [min, max]|s = f["/work/forward/samples"]; s[1, 7] = 1e30
a sample moved to another bin|crooks|/work/reverse: point 0: the samples, binned on the edges, do not give the counts and outliers|s = f["/work/reverse/samples"]; e = f["/work/reverse/edges"][0]; x = s[0]; b = np.searchsorted(e, x, side="right"); t = int(np.nonzero(b != b[0])[0][0]); s[0, 0] = x[t]
a mean outside [min, max]|crooks|/work/forward: point 0: the mean|m = f["/work/forward/moments"]; m[0, 0] = m[0, 3] + 1
exchange: a heat sample moved to another bin|exchange|/heat/exchange: point 1: the samples, binned on the edges, do not give the counts and outliers|s = f["/heat/exchange/samples"]; e = f["/heat/exchange/edges"][1]; x = s[1]; b = np.searchsorted(e, x, side="right"); t = int(np.nonzero(b != b[0])[0][0]); s[1, 0] = x[t]
root attribute model deleted|crooks|/ attribute model: missing|del f.attrs["model"]
root attribute model emptied|crooks|/ attribute model: '' is not a model name|f.attrs["model"] = ""
n_points one more than the data|crooks|/parameters/beta: shape [2], expected [3]|f.attrs["n_points"] = np.uint64(3)
n_points as a string|crooks|/ attribute n_points: expected one 64-bit integer|f.attrs["n_points"] = "2"
trajectories attribute deleted|crooks|/ attribute trajectories: missing|del f.attrs["trajectories"]
grid axes attribute deleted|crooks|/parameters attribute axes: missing|del f["/parameters"].attrs["axes"]
grid axes attribute as integers|crooks|/parameters attribute axes: not a variable-length string|f["/parameters"].attrs["axes"] = np.array([1, 2])
grid axes attribute truncated to nothing|crooks|/parameters attribute axes: expected a list of strings|f["/parameters"].attrs.create("axes", np.array([], dtype=object), dtype=h5py.string_dtype())
the whole /parameters group deleted|crooks|/parameters/beta: missing|del f["/parameters"]
plasticity attribute as a number (a file without /checks)|crooks_old|/parameters attribute plasticity: not a variable-length string|f["/parameters"].attrs["plasticity"] = 3
exchange: beta_initial deleted|exchange|/hopfield/beta_initial: missing|del f["/hopfield/beta_initial"]
exchange: outliers of 3 columns|exchange|/heat/exchange/outliers: shape [2, 3], expected [2, 2]|o = f["/heat/exchange/outliers"][...]; del f["/heat/exchange/outliers"]; f["/heat/exchange/outliers"] = np.concatenate([o, o[:, :1]], axis=1)
exchange: samples of one point|exchange|/heat/exchange/samples: shape [1, 400], expected [2, >0]|s = f["/heat/exchange/samples"][:1]; del f["/heat/exchange/samples"]; f["/heat/exchange/samples"] = s
steady: error of the rate deleted|steady|/hopfield/entropy_production_rate_err: missing|del f["/hopfield/entropy_production_rate_err"]
steady: exact rate of 3 points|steady|/hopfield/entropy_production_exact: shape [3], expected [2]|x = f["/hopfield/entropy_production_exact"][...]; del f["/hopfield/entropy_production_exact"]; f["/hopfield/entropy_production_exact"] = np.append(x, 0.0)
steady: asymmetry of another length|steady|/parameters/asymmetry: shape [1], expected [2]|a = f["/parameters/asymmetry"][:1]; del f["/parameters/asymmetry"]; f["/parameters/asymmetry"] = a
spins: magnetization_err deleted|spins|/spins/magnetization_err: missing (the other two of its triple|del f["/spins/magnetization_err"]
spins: exact magnetization of one spin less|spins|/spins/magnetization_exact: 1 values per point, but magnetization has 2|x = f["/spins/magnetization_exact"][..., :1]; del f["/spins/magnetization_exact"]; f["/spins/magnetization_exact"] = x
spins: magnetization of one point|spins|/spins/magnetization: shape [1, 1, 2], expected [2, >0, >0]|x = f["/spins/magnetization"][:1]; del f["/spins/magnetization"]; f["/spins/magnetization"] = x
spins: n_points deleted|spins|/ attribute n_points: missing|del f.attrs["n_points"]
old file: asymmetry of another length|crooks_old|/parameters/asymmetry: shape [1], expected [2]|a = f["/parameters/asymmetry"][:1]; del f["/parameters/asymmetry"]; f["/parameters/asymmetry"] = a
old file: exact dF deleted|crooks_old|/hopfield/delta_f_exact: missing|del f["/hopfield/delta_f_exact"]
declaration: n_checks deleted|crooks|/checks attribute n_checks: missing|del f["/checks"].attrs["n_checks"]
declaration: n_checks as a string|crooks|/checks attribute n_checks: expected one 64-bit integer|f["/checks"].attrs["n_checks"] = "1"
declaration: n_checks beyond the checks|crooks|/checks/1: missing|f["/checks"].attrs["n_checks"] = np.uint64(2)
declaration: no check declared|crooks|/checks: the model declares no check for this run: nothing to check|f["/checks"].attrs["n_checks"] = np.uint64(0)
declaration: the check's group deleted|crooks|/checks/0: missing|del f["/checks/0"]
declaration: an unknown kind|crooks|/checks/0 attribute kind: 'bogus' is not a kind of check|f["/checks/0"].attrs["kind"] = "bogus"
declaration: kind as a number|crooks|/checks/0 attribute kind: not a variable-length string|f["/checks/0"].attrs["kind"] = 3
declaration: the exact dF not a path|crooks|/checks/0 attribute exact: 'delta_f_exact' is not the path of an object|f["/checks/0"].attrs["exact"] = "delta_f_exact"
declaration: the exact dF at a path with nothing|crooks|/hopfield/nothing: missing|f["/checks/0"].attrs["exact"] = "/hopfield/nothing"
declaration: the reverse histograms deleted|crooks|/checks/0 attribute reverse: missing|del f["/checks/0"].attrs["reverse"]
declaration: detailed balance deleted|crooks|/checks/detailed_balance_broken: missing|del f["/checks/detailed_balance_broken"]
declaration: detailed balance of one point|crooks|/checks/detailed_balance_broken: shape [1], expected [2]|b = f["/checks/detailed_balance_broken"][:1]; del f["/checks/detailed_balance_broken"]; f["/checks/detailed_balance_broken"] = b
declaration: detailed balance as float64|crooks|/checks/detailed_balance_broken: stored as 8-byte floating point, expected 8-bit integer|del f["/checks/detailed_balance_broken"]; f["/checks/detailed_balance_broken"] = np.zeros(2)
declaration: a reason beyond the list|crooks|/checks/detailed_balance_broken: point 1: 3 is not 0 or the number of one of its 0 reasons|f["/checks/detailed_balance_broken"][1] = 3
declaration: reasons deleted|crooks|/checks/detailed_balance_broken attribute reasons: missing|del f["/checks/detailed_balance_broken"].attrs["reasons"]
exchange declaration: the histogram attribute deleted|exchange|/checks/0 attribute histogram: missing|del f["/checks/0"].attrs["histogram"]
exchange declaration: beta_initial at a path with nothing|exchange|/hopfield/nothing: missing|f["/checks/0"].attrs["beta_initial"] = "/hopfield/nothing"
steady declaration: the column attribute deleted|steady|/checks/0 attribute column: missing|del f["/checks/0"].attrs["column"]
steady declaration: the error at a path with nothing|steady|/hopfield/nothing: missing|f["/checks/0"].attrs["error"] = "/hopfield/nothing"
spins declaration: a triple's estimate renamed|spins|/spins/nothing: missing (the other two of its triple|f["/checks/2"].attrs["estimate"] = "/spins/nothing"
spins declaration: the third triple's group deleted|spins|/checks/2: missing|del f["/checks/2"]
CASES
# crooks_old: the Crooks file as written before the run stored the check
# declaration /checks: check derives it the old way (check_legacy.c).
"$PY" -c 'import shutil, h5py
shutil.copy("crooks.h5", "crooks_old.h5")
with h5py.File("crooks_old.h5", "r+") as f:
    del f["/checks"]' || fail "making crooks_old.h5"
"$BIN" check crooks_old.h5 > /dev/null 2>&1
rc=$?
[ $rc = 0 ] && pass "crooks_old: the file without /checks passes (status 0)" || fail "crooks_old: undamaged file, status $rc"

"$PY" - <<'PY' || fail "making the damaged files"
import shutil, h5py, numpy as np
for i, line in enumerate(open("cases.txt")):
    name, kind, want, code = line.rstrip("\n").split("|", 3)
    shutil.copy(f"{kind}.h5", f"d{i}.h5")
    with h5py.File(f"d{i}.h5", "r+") as f:
        exec(code)
PY
# check and check --json exit 2, name the problem after the file's name, print no table.
i=0
while IFS='|' read -r name kind want code; do
    file="d$i.h5"; i=$((i + 1))
    "$BIN" check "$file" > out.txt 2> err.txt; rc=$?
    rcj=2 # --json reads the same way: tried on every third file
    [ $((i % 3)) = 1 ] && { "$BIN" check "$file" --json > /dev/null 2>&1; rcj=$?; }
    if [ $rc = 2 ] && [ $rcj = 2 ] && grep -qF -- "$file: $want" err.txt && [ ! -s out.txt ]; then
        pass "$name: status 2, '$(head -1 err.txt | sed "s|.*$file: ||")'"
    else
        fail "$name: status $rc (--json $rcj), stderr '$(head -c 300 err.txt)', stdout $(wc -l < out.txt) lines"
    fi
done < cases.txt

# ---- physics failures stay status 1 ----------------------------------------------------------------
"$PY" - <<'PY' || fail "making the physics failures"
import shutil, h5py
def moved(kind, out, edit):
    shutil.copy(f"{kind}.h5", out)
    with h5py.File(out, "r+") as f:
        edit(f)
def crooks(f):
    x = f["/hopfield/delta_f_exact"]; x[0] = x[0] + 50 * f["/estimates/delta_f_bar_err"][0]
def steady(f):
    x = f["/hopfield/entropy_production_exact"]; x[1] = x[1] + 50 * f["/hopfield/entropy_production_rate_err"][1]
def spins(f):
    x = f["/spins/magnetization_exact"]; x[0] = x[0] + 0.5
moved("crooks", "p_crooks.h5", crooks); moved("steady", "p_steady.h5", steady); moved("spins", "p_spins.h5", spins)
PY
for k in crooks steady spins; do
    "$BIN" check p_$k.h5 > out.txt 2> err.txt
    rc=$?
    [ $rc = 1 ] && grep -q "FAIL" out.txt && [ ! -s err.txt ] && pass "$k: an exact value moved: status 1 (a physics failure, not damage)" ||
        fail "$k: exact value moved: status $rc, $(head -c 200 err.txt)"
done
finish
