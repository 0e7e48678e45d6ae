#!/usr/bin/env bash
# The documents against the code, and the repository standing alone:
#  - every table between <!-- describe MODEL OPTIONS --> and <!-- end describe -->
#    in README.md and docs/ is exactly what `thermolearn describe MODEL OPTIONS`
#    prints, and every model has a page docs/models/MODEL.md with both tables;
#    the comparison is shown to catch a changed cell (a copy with one cell edited);
#  - no link or path leaves the repository (../shared/...), every relative link
#    resolves, every page is listed in docs/index.md;
#  - README.md is short, links every model page, says nothing is "planned" and
#    lists no tests;
#  - every analysis script reads output through analysis/thermolearn_h5.py.
# Fails when a parameter, a default, a range, a description, units or a dataset
# changes in the code and not in the docs (or the other way round).
source "$(dirname "$0")/common.sh"
BIN=${1:-bin/thermolearn}
case $BIN in /*) ;; *) BIN=$ROOT/$BIN;; esac
cd "$ROOT"

# compare_blocks FILE...: every describe block against the binary; prints the differences.
compare_blocks() {
    "$PY" - "$BIN" "$@" <<'PY'
import re, subprocess, sys
binary, files = sys.argv[1], sys.argv[2:]
bad = n = 0
for path in files:
    text = open(path, encoding="utf-8").read()
    for m in re.finditer(r"<!-- describe ([^>]*?) -->\n(.*?)<!-- end describe -->", text, re.S):
        n += 1
        args = m.group(1).split()
        want = subprocess.run([binary, "describe", *args], capture_output=True, text=True).stdout
        if m.group(2) != want:
            bad += 1
            got, exp = m.group(2).splitlines(), want.splitlines()
            diff = [f"    doc:  {a}\n    code: {b}" for a, b in zip(got + [""] * len(exp), exp + [""] * len(got)) if a != b]
            print(f"  {path}: describe {' '.join(args)}: differs from the code (update the table with "
                  f"`thermolearn describe {' '.join(args)}`):\n" + "\n".join(diff[:3]))
print(f"  {n} tables compared")
sys.exit(1 if bad or n == 0 else 0)
PY
}

pages=$(ls README.md docs/*.md docs/models/*.md)
out=$(compare_blocks $pages) && pass "every describe table in the docs is what the binary prints ($(echo "$out" | tail -1 | xargs))" \
    || { echo "$out"; fail "docs tables differ from thermolearn describe"; }

# The checker can fail: one cell of a copy changed.
mkdir -p "$TMP/docs"
sed '0,/| `time` | real | time | `100` |/s//| `time` | real | time | `200` |/' docs/models/ou.md > "$TMP/docs/ou.md"
if cmp -s docs/models/ou.md "$TMP/docs/ou.md"; then fail "control: could not edit a cell of docs/models/ou.md"
elif out=$(compare_blocks "$TMP/docs/ou.md"); then fail "control: an edited default went unnoticed"
else pass "control: an edited default in a copy of docs/models/ou.md is caught"; fi

models=$("$BIN" describe 2>&1 | sed -n 's/.*(models: \(.*\)).*/\1/p' | tr -d ',')
[ -n "$models" ] || fail "no model list from '$BIN describe'"
missing=""
for m in $models; do
    f=docs/models/$m.md
    grep -q "<!-- describe $m --parameters -->" "$f" 2>/dev/null && grep -q "<!-- describe $m --datasets -->" "$f" \
        && grep -q "](docs/models/$m.md)" README.md || missing="$missing $m"
done
[ -z "$missing" ] && pass "every model ($models) has a page with both generated tables, linked from the README" \
    || fail "models without a complete page or README link:$missing"

# Links.  Pages other branches write are allowed to be absent until merged.
"$PY" - $pages <<'PY' && pass "every relative link resolves inside the repository; nothing points to ../shared" || fail "links"
import os, re, sys
root = os.getcwd()
pending = {"docs/models.md", "docs/locking.md", "docs/performance.md", "docs/data.md"}
bad = 0
for page in sys.argv[1:]:
    text = open(page, encoding="utf-8").read()
    if "../shared" in text or "/work/shared" in text or "/work/wt" in text:
        print(f"  {page}: refers to a path outside the repository"); bad += 1
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path = os.path.normpath(os.path.join(os.path.dirname(page), target.split("#")[0]))
        if path.startswith("..") or os.path.isabs(path):
            print(f"  {page}: link {target} leaves the repository"); bad += 1
        elif not os.path.exists(path) and path not in pending:
            print(f"  {page}: link {target}: no such file"); bad += 1
sys.exit(bad > 0)
PY

unlisted=""
for f in docs/*.md docs/models/*.md; do
    [ "$f" = docs/index.md ] && continue
    grep -q "](${f#docs/})" docs/index.md || unlisted="$unlisted $f"
done
[ -z "$unlisted" ] && pass "docs/index.md lists every page" || fail "pages missing from docs/index.md:$unlisted"

lines=$(wc -l < README.md)
bad=""
[ "$lines" -le 120 ] || bad="$bad $lines-lines"
grep -qi "planned" README.md && bad="$bad says-planned"
grep -q "tests/" README.md && bad="$bad lists-tests"
grep -q "^    make run" README.md && grep -q "^    make test" README.md || bad="$bad no-setup-commands"
[ -z "$bad" ] && pass "README.md: $lines lines, the two set-up commands, nothing planned, no test lists" || fail "README.md:$bad"

direct=$(grep -l "h5py.File\|import h5py" analysis/*.py | grep -v "analysis/thermolearn_h5.py" | tr '\n' ' ')
[ -z "$direct" ] && pass "every analysis script reads output through thermolearn_h5.py" \
    || fail "scripts that open HDF5 files themselves: $direct"
finish
