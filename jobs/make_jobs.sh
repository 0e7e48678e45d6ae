#!/usr/bin/env bash
# Writes jobs/NAME.sbatch, from jobs/template.sbatch, for every inputs/NAME.ini
# that has none yet (`make jobs`).  Existing scripts are kept.
set -eu
cd "$(dirname "$0")/.."
for ini in inputs/*.ini; do
    name=$(basename "$ini" .ini)
    [ -e "jobs/$name.sbatch" ] && continue
    sed -e "s|^# Template: .*|# Runs $ini (made from jobs/template.sbatch by jobs/make_jobs.sh). Submit from the repository root:|" \
        -e "s|^#     INPUT=.*|#     sbatch jobs/$name.sbatch|" \
        -e "s|^#SBATCH --job-name=thermolearn|#SBATCH --job-name=$name|" \
        -e "s|^INPUT=\${INPUT:-inputs/hopfield_crooks.ini}|INPUT=\${INPUT:-$ini}|" \
        -e "s|jobs/template.sbatch}|jobs/$name.sbatch}|" \
        jobs/template.sbatch > "jobs/$name.sbatch"
done
