#!/usr/bin/python3
"""Effects of asymmetric couplings (Chen 2020, Fig. 6b-d).

From a Crooks run over `asymmetry` (inputs/hopfield_asymmetry.ini): the error
|dF_BAR - dF| of the free-energy estimate (dF of the symmetric part of W, as
in the paper) and the dissipated work <W>_F - dF against a.  From a steady
run over `asymmetry` (inputs/hopfield_steady_asymmetry.ini), when given: the
steady-state entropy production per sweep, exact (enumeration) and along
trajectories, against a.

Usage:  hopfield_asymmetry.py CROOKS.h5 [STEADY.h5] [-o OUT.png]
Exit status: 0, or 2 on bad input.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thermolearn_h5 import BadFile, Run, exit_on_bad_file  # noqa: E402

PROG = "hopfield_asymmetry.py"


def read(path, names):
    """The datasets names of one file (BadFile if one is missing)."""
    with Run(path) as run:
        run.require(*names)
        return [run.dataset(n) for n in names]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("crooks")
    ap.add_argument("steady", nargs="?")
    ap.add_argument("-o", "--output")
    args = ap.parse_args()
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    a, bar, err, exact, wdiss = read(args.crooks, ["/parameters/asymmetry", "/estimates/delta_f_bar",
                                                   "/estimates/delta_f_bar_err", "/hopfield/delta_f_exact",
                                                   "/hopfield/dissipated_work"])
    panels = 3 if args.steady else 2
    fig, axs = plt.subplots(1, panels, figsize=(4 * panels, 3.6))
    axs[0].errorbar(a, np.abs(bar - exact), err, fmt="o-", ms=3)
    axs[0].set_ylabel("|ΔF_BAR − ΔF| (energy units)")
    axs[0].set_title("(b) free-energy error")
    axs[1].plot(a, wdiss, "o-", ms=3)
    axs[1].set_ylabel("W_diss = ⟨W⟩_F − ΔF")
    axs[1].set_title("(c) dissipated work")
    for k in range(len(a)):
        print(f"a {a[k]:g}: |dF_BAR - dF| {abs(bar[k] - exact[k]):.4f} +- {err[k]:.4f}  W_diss {wdiss[k]:.4f}")
    if args.steady:
        a2, ep, rate, rerr = read(args.steady, ["/parameters/asymmetry", "/hopfield/entropy_production_exact",
                                                "/hopfield/entropy_production_rate",
                                                "/hopfield/entropy_production_rate_err"])
        axs[2].plot(a2, ep, "k-", lw=1, label="exact (enumeration)")
        axs[2].errorbar(a2, rate, 3 * rerr, fmt="o", ms=3, label="trajectories ± 3 s.e.")
        with Run(args.steady) as run:
            if run.has("/hopfield/housekeeping_exact"):
                hk = run.dataset("/hopfield/housekeeping_exact")
                axs[2].plot(a2, hk, "--", lw=1, label="eq. 17 (pattern states, exact)")
                for k in range(len(a2)):
                    print(f"a {a2[k]:g}: eq. 17 housekeeping {hk[k]:.6f}")
        axs[2].set_ylabel("entropy production per sweep (k_B)")
        axs[2].set_title("(d) steady-state EP")
        axs[2].legend(fontsize=7)
        for k in range(len(a2)):
            print(f"a {a2[k]:g}: EP exact {ep[k]:.6f} trajectories {rate[k]:.6f} +- {rerr[k]:.6f}")
    for ax in axs:
        ax.set_xlabel("asymmetry a")
    fig.tight_layout()
    out = args.output or args.crooks.rsplit(".", 1)[0] + "_asymmetry.png"
    fig.savefig(out, dpi=120)
    print(f"wrote {out}")


if __name__ == "__main__":
    try:
        main()
    except BadFile as e:
        exit_on_bad_file(PROG, e)
