#!/usr/bin/env bash
# The 2-spin parity task (section III), analysis/spins_parity.py --check: the
# closed form against the master equation (numpy SVD) to round-off; the
# orientation conventions (phi > 0 and Ja > 0 both turn their pictures
# counterclockwise; I(phi, Js, Ja) = I(-phi, Js, -Ja)); Ja* = 0 at phi = 0 and
# Ja* > 0 for 0 < phi < pi/4 within the grid step (the paper's claims);
# theta^sy above theta^sx on the front of Fig. 4C.  Then the figures are drawn,
# and the rotation the other way round (x' = R(phi) x) must fail the check.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"
if "$PY" "$ROOT/analysis/spins_parity.py" --check --n 21; then
    pass "parity task: closed form = master equation, Ja* = 0 at phi = 0, Ja* > 0 for 0 < phi < pi/4, Fig. 4C order"
else
    fail "parity task claims"
fi
# The check can fail: with the paper's printed C3 (x2 - 2 Ja s1) the closed form is off.
sed 's/np.cosh(beta \* (x2 + 2 \* ja \* s1))/np.cosh(beta * (x2 - 2 * ja * s1))/; s/-beta \* (x2 + 2 \* ja \* s1))/-beta * (x2 - 2 * ja * s1))/; s/beta \* (x2 + 2 \* ja \* s1), /beta * (x2 - 2 * ja * s1), /' \
    "$ROOT/analysis/spins_parity.py" > "$TMP/printed.py"
if cmp -s "$ROOT/analysis/spins_parity.py" "$TMP/printed.py"; then
    fail "could not build the printed-C3 variant"
elif "$PY" "$TMP/printed.py" --check --n 5 >/dev/null; then
    fail "the printed C3 passes the round-off check"
else
    pass "the paper's printed C3 fails the same check"
fi
# The check can fail: with x' = R(phi) x (the picture of p(y|x) turning clockwise) every Ja* is negative.
sed 's/return np.cos(phi) \* x1 + np.sin(phi) \* x2, -np.sin(phi) \* x1 + np.cos(phi) \* x2/return np.cos(phi) * x1 - np.sin(phi) * x2, np.sin(phi) * x1 + np.cos(phi) * x2/' \
    "$ROOT/analysis/spins_parity.py" > "$TMP/clockwise.py"
if cmp -s "$ROOT/analysis/spins_parity.py" "$TMP/clockwise.py"; then
    fail "could not build the clockwise variant"
elif "$PY" "$TMP/clockwise.py" --check --n 11 > "$TMP/clockwise.log"; then
    fail "the clockwise rotation passes the check"
elif grep -q "NO .*Ja\* > 0 for 0 < phi" "$TMP/clockwise.log"; then
    pass "the clockwise rotation fails the check (Ja* < 0)"
else
    fail "the clockwise rotation failed for another reason"
fi
if "$PY" "$ROOT/analysis/spins_parity.py" --n 9 -o "$TMP/parity" >/dev/null && [ -s "$TMP/parity_fig3.png" ] && [ -s "$TMP/parity_fig4.png" ]; then
    pass "parity figures drawn"
else
    fail "parity figures"
fi
finish
