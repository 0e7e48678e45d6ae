#!/usr/bin/python3
"""Gillespie estimates of a `spins` run against the exact master equation.

    spins_exact.py OUT.h5 [-o PNG]

Every trajectory runs every input, so the magnetisations are
/spins/magnetization [point, input, spin] and the rates [point, input].
Prints, for every point and input, the entropy production rate against
Schnakenberg's (eq. 1), the worst magnetisation in standard errors, and
<exp(-Sigma_tot)> over the IFT window (checked where /spins/ift_exact is 1);
draws the magnetisations (estimate +- 2 SE against exact) and the rates.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thermolearn_h5 import BadFile, Run, exit_on_bad_file  # noqa: E402

PROG = "spins_exact.py"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("-o", "--output")
    args = ap.parse_args()
    try:
        with Run(args.file) as run:
            if run.model != "spins":
                raise BadFile(f"{args.file}: not a spins run (model '{run.model}')")
            (m, me), mx = run.profile("magnetization"), run.dataset("magnetization_exact")
            (ep, epe), epx = run.profile("entropy_production_rate"), run.dataset("entropy_production_rate_exact")
            (ift, ifte), iftx = run.profile("ift"), run.dataset("ift_exact")
    except BadFile as e:
        exit_on_bad_file(PROG, e)
    P, M = ep.shape
    print(f"{'point':>5} {'input':>5} {'Sigma rate':>12} {'+-':>8} {'exact':>10} {'z':>6} {'max|z| m':>9} "
          f"{'<e^-S>':>9} {'+-':>7} {'checked':>7}")
    np.seterr(invalid="ignore", divide="ignore")  # error 0 (a frozen spin) or NaN (n > 14, padding)
    for p in range(P):
        for mu in range(M):
            if not np.isfinite(ep[p, mu]):
                continue  # padding: this point has fewer inputs
            zm = np.nanmax(np.abs((m[p, mu] - mx[p, mu]) / me[p, mu])) if np.any(np.isfinite(mx[p, mu])) else np.nan
            print(f"{p:5d} {mu:5d} {ep[p, mu]:12.5f} {epe[p, mu]:8.5f} {epx[p, mu]:10.5f} "
                  f"{(ep[p, mu] - epx[p, mu]) / epe[p, mu]:6.2f} {zm:9.2f} {ift[p, mu]:9.4f} {ifte[p, mu]:7.4f} "
                  f"{'yes' if iftx[p, mu] == 1 else 'no':>7}")
    if not args.output:
        return
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.8))
    for p in range(P):
        for mu in range(M):
            ax[0].errorbar(mx[p, mu], m[p, mu], yerr=2 * me[p, mu], fmt="o", ms=3, label=f"point {p}, input {mu}")
    lim = [np.nanmin(mx) - 0.05, np.nanmax(mx) + 0.05]
    ax[0].plot(lim, lim, "k:", lw=1)
    ax[0].set_xlabel(r"exact $\langle s_i \rangle$ (master equation)")
    ax[0].set_ylabel(r"Gillespie $\langle s_i \rangle$ $\pm$ 2 SE")
    ax[0].legend(fontsize=6)
    k = np.arange(P * M)
    ax[1].errorbar(k, ep.ravel(), yerr=2 * epe.ravel(), fmt="o", label="Gillespie $\\pm$ 2 SE")
    ax[1].plot(k, epx.ravel(), "kx", label="Schnakenberg (eq. 1)")
    ax[1].set_xlabel("point x inputs + input")
    ax[1].set_ylabel("entropy production rate")
    ax[1].set_yscale("log")
    ax[1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    print("wrote", args.output)


if __name__ == "__main__":
    main()
