#!/usr/bin/env bash
# The job scripts cannot drift from jobs/template.sbatch: every jobs/NAME.sbatch
# is exactly what jobs/make_jobs.sh writes (a thin wrapper: the template's
# #SBATCH lines and `exec bash jobs/template.sbatch`), every input has one, and
# a wrapper run with a stand-in srun starts the template's command on its own
# input with the template's environment (OMPI_MCA_odls_base_sigkill_timeout,
# the fix jobs/ou.sbatch once lacked).
# Fails if a script is edited by hand, an input lacks a script, or the
# template's command or environment do not reach a wrapper.
source "$(dirname "$0")/common.sh"
cd "$ROOT"

bash jobs/make_jobs.sh "$TMP/jobs"
bad=0
for f in "$TMP"/jobs/*.sbatch; do
    name=$(basename "$f")
    cmp -s "$f" "jobs/$name" || { echo "  jobs/$name differs from what make_jobs.sh writes"; diff "$f" "jobs/$name" | head -5; bad=1; }
done
for f in jobs/*.sbatch; do
    name=$(basename "$f")
    [ "$name" = template.sbatch ] && continue
    [ -e "$TMP/jobs/$name" ] || { echo "  jobs/$name has no inputs/${name%.sbatch}.ini"; bad=1; }
done
[ $bad = 0 ] && pass "every jobs/*.sbatch is the generated thin wrapper of its input ($(ls "$TMP"/jobs | wc -l) scripts)" \
    || fail "job scripts differ from jobs/make_jobs.sh (run make jobs)"

# A stand-in srun records its arguments and the variable, and stops with
# status 3 (the template then exits 3 without resubmitting or checking).
mkdir -p "$TMP/bin"
cat > "$TMP/bin/srun" <<'SH'
#!/bin/bash
echo "$* | sigkill_timeout=${OMPI_MCA_odls_base_sigkill_timeout:-unset}" > "$SRUN_LOG"
exit 3
SH
chmod +x "$TMP/bin/srun"
ok=1
for f in jobs/*.sbatch; do
    name=$(basename "$f" .sbatch)
    [ "$name" = template ] && continue
    rm -f "$TMP/srun.log"
    (unset INPUT OUTPUT OMPI_MCA_odls_base_sigkill_timeout
     PATH="$TMP/bin:$PATH" SRUN_LOG="$TMP/srun.log" OUTPUT="$TMP/out/$name.h5" bash "$f") 2>/dev/null
    status=$?
    want="--mpi=pmix bin/thermolearn run inputs/$name.ini -o $TMP/out/$name.h5 --resume | sigkill_timeout=10"
    got=$(cat "$TMP/srun.log" 2>/dev/null)
    if [ "$status" != 3 ] || [ "$got" != "$want" ]; then
        echo "  $f: status $status, srun got: $got"; ok=0
    fi
done
[ $ok = 1 ] && pass "every wrapper runs srun --mpi=pmix ... run inputs/NAME.ini --resume with sigkill_timeout 10" \
    || fail "a wrapper does not run the template's command"
finish
