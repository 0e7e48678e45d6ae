#!/usr/bin/python3
"""dF from the crossing and from BAR against the exact dF over a grid axis
(Chen 2020, Fig. 4e), from a thermolearn Crooks run.

Usage:  hopfield_free_energy.py FILE.h5 [-o OUT.png] [--axis NAME]
The axis defaults to the first grid axis.  Exit status: 0, or 2 on bad input.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thermolearn_h5 import BadFile, Run, exit_on_bad_file  # noqa: E402

PROG = "hopfield_free_energy.py"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("-o", "--output")
    ap.add_argument("--axis")
    args = ap.parse_args()
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    with Run(args.file) as run:
        run.require("/estimates/delta_f_bar", "/estimates/delta_f_bar_err", "/estimates/delta_f_crossing",
                    "/hopfield/delta_f_exact", what="a Hopfield Crooks run")
        axis = args.axis or (run.axes[0] if run.axes else None)
        if axis is None or not run.has(f"/parameters/{axis}"):
            raise BadFile(f"{args.file}: no grid axis to plot against (give --axis)")
        x = run.parameter(axis)
        bar, err = run.dataset("/estimates/delta_f_bar"), run.dataset("/estimates/delta_f_bar_err")
        cross, exact = run.dataset("/estimates/delta_f_crossing"), run.dataset("/hopfield/delta_f_exact")
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot(x, exact, "k-", lw=1, label="exact (enumeration)")
    ax.plot(x, cross, "s", mfc="none", label="crossing P_F(W) = P_R(−W)")
    ax.errorbar(x, bar, 3 * err, fmt="o", ms=3, label="BAR ± 3 s.e.")
    ax.set_xlabel(axis)
    ax.set_ylabel(f"ΔF ({exact.units})")
    ax.set_title("Free energy from nonequilibrium work")
    ax.legend(fontsize=8)
    fig.tight_layout()
    for k in range(len(x)):
        print(f"{axis} {x[k]:g}: exact {exact[k]:.4f} crossing {cross[k]:.4f} BAR {bar[k]:.4f} +- {err[k]:.4f}")
    out = args.output or args.file.rsplit(".", 1)[0] + "_free_energy.png"
    fig.savefig(out, dpi=120)
    print(f"wrote {out}")


if __name__ == "__main__":
    try:
        main()
    except BadFile as e:
        exit_on_bad_file(PROG, e)
