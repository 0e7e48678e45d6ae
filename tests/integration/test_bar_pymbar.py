#!/usr/bin/python3
"""Cross-check tl_estimate_bar (through tests/tools/bar_cli) against pymbar.BAR.

Build the CLI without the Makefile:
  mkdir -p build/tools && mpicc -std=c17 -O2 -Wall -Wextra -Iinclude \
      $(pkg-config --cflags gsl) tests/tools/bar_cli.c src/analysis/estimators.c \
      -o build/tools/bar_cli $(pkg-config --libs gsl) -lm
Run:
  /usr/bin/python3 tests/integration/test_bar_pymbar.py build/tools/bar_cli

pymbar (Debian's 3.1) works in units of kT: it gets beta*W and its results are
divided by beta.  BAR is defined for any two sample sets, so the sets below are
arbitrary, skewed and of unequal size; they need not satisfy Crooks.  Integer
weights are checked against pymbar on the correspondingly repeated samples.
Exit 0 when every case agrees (dF to 1e-8 relative, error to 1e-6), 1 otherwise.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
from pymbar import BAR

DF_RTOL = 1e-8
ERR_RTOL = 1e-6


def run_cli(cli, beta, fwd, rev, w_fwd=None, w_rev=None):
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, x, w in (("fwd.txt", fwd, w_fwd), ("rev.txt", rev, w_rev)):
            path = os.path.join(tmp, name)
            cols = [x] if w is None else [x, w]
            np.savetxt(path, np.column_stack(cols), fmt="%.17g")
            paths.append(path)
        out = subprocess.run([cli, paths[0], paths[1], repr(beta)],
                             capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{cli} exited {out.returncode}: {out.stderr.strip()}")
    df, err = (float(v) for v in out.stdout.split())
    return df, err


def reference(beta, fwd, rev):
    df_kt, err_kt = BAR(beta * fwd, beta * rev, compute_uncertainty=True,
                        uncertainty_method="BAR")
    return df_kt / beta, err_kt / beta


def cases():
    rng = np.random.default_rng(20240611)
    # Gamma-distributed forward work, skewed the other way in the reverse.
    yield "gamma/gamma", 2.5, 0.5 + rng.gamma(2.0, 0.4, 3000), \
        -(1.6 - rng.gamma(3.0, 0.3, 1700)), None, None
    # Uniform against log-normal, more reverse than forward samples.
    yield "uniform/lognormal", 0.7, rng.uniform(-1.0, 4.0, 900), \
        -(2.0 - rng.lognormal(0.0, 0.6, 2500)), None, None
    # Works of order 1e3 kT: only the offset should matter.
    yield "offset 1e3 kT", 1.3, 1000.0 / 1.3 + rng.gamma(1.5, 1.0, 2000), \
        -(1000.0 / 1.3 + 2.0 - rng.exponential(1.5, 1200)), None, None
    # Few samples, strong asymmetry.
    yield "small sets", 1.0, rng.exponential(2.0, 7) + 0.3, \
        -(1.5 - rng.exponential(1.0, 11)), None, None
    # Integer weights: compared with pymbar on repeated samples.
    x_f, x_r = rng.gamma(2.0, 0.5, 400), -(1.2 - rng.gamma(2.0, 0.4, 300))
    yield "integer weights", 1.7, x_f, x_r, \
        rng.integers(0, 5, x_f.size).astype(float), rng.integers(1, 4, x_r.size).astype(float)


def main():
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} PATH_TO_bar_cli", file=sys.stderr)
        return 2
    cli = sys.argv[1]
    failures = 0
    for name, beta, fwd, rev, w_f, w_r in cases():
        try:
            df, err = run_cli(cli, beta, fwd, rev, w_f, w_r)
        except (OSError, RuntimeError, ValueError) as exc:
            print(f"FAIL {name:18s} could not run the CLI: {exc}")
            failures += 1
            continue
        ref_f = fwd if w_f is None else np.repeat(fwd, w_f.astype(int))
        ref_r = rev if w_r is None else np.repeat(rev, w_r.astype(int))
        df_ref, err_ref = reference(beta, ref_f, ref_r)
        rel_df = abs(df - df_ref) / abs(df_ref)
        rel_err = abs(err - err_ref) / abs(err_ref)
        ok = rel_df <= DF_RTOL and rel_err <= ERR_RTOL
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name:18s} dF {df:.12g} (pymbar {df_ref:.12g}, "
              f"rel {rel_df:.1e})  err {err:.10g} (pymbar {err_ref:.10g}, rel {rel_err:.1e})")
    if failures:
        print(f"test_bar_pymbar: {failures} case(s) disagree with pymbar.BAR "
              f"(tolerances: dF {DF_RTOL:g}, error {ERR_RTOL:g} relative)")
        return 1
    print("test_bar_pymbar: all cases agree with pymbar.BAR")
    return 0


if __name__ == "__main__":
    sys.exit(main())
