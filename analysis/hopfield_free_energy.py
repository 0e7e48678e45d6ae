#!/usr/bin/python3
"""dF from the crossing and from BAR against the exact dF over a grid axis
(Chen 2020, Fig. 4e), from a thermolearn Crooks run.

Usage:  hopfield_free_energy.py FILE.h5 [-o OUT.png] [--axis NAME]
The axis defaults to the first grid axis.  Exit status: 0, or 2 on bad input.
"""
import argparse
import sys

import numpy as np


def fail(msg):
    print(f"hopfield_free_energy.py: {msg}", file=sys.stderr)
    sys.exit(2)


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("-o", "--output")
    ap.add_argument("--axis")
    args = ap.parse_args()
    import h5py
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    try:
        f = h5py.File(args.file, "r")
    except OSError as e:
        fail(f"{args.file}: {e}")
    with f:
        need = ["/estimates/delta_f_bar", "/estimates/delta_f_bar_err", "/estimates/delta_f_crossing",
                "/hopfield/delta_f_exact"]
        missing = [d for d in need if d not in f]
        if missing:
            fail(f"{args.file}: not a Hopfield Crooks run (missing {', '.join(missing)})")
        axes = [text(a) for a in np.atleast_1d(f["/parameters"].attrs.get("axes", []))]
        axis = args.axis or (axes[0] if axes else None)
        if axis is None or f"/parameters/{axis}" not in f:
            fail(f"{args.file}: no grid axis to plot against (give --axis)")
        x = f[f"/parameters/{axis}"][...]
        bar, err = f["/estimates/delta_f_bar"][...], f["/estimates/delta_f_bar_err"][...]
        cross, exact = f["/estimates/delta_f_crossing"][...], f["/hopfield/delta_f_exact"][...]
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot(x, exact, "k-", lw=1, label="exact (enumeration)")
    ax.plot(x, cross, "s", mfc="none", label="crossing P_F(W) = P_R(−W)")
    ax.errorbar(x, bar, 3 * err, fmt="o", ms=3, label="BAR ± 3 s.e.")
    ax.set_xlabel(axis)
    ax.set_ylabel("ΔF (energy units)")
    ax.set_title("Free energy from nonequilibrium work")
    ax.legend(fontsize=8)
    fig.tight_layout()
    for k in range(len(x)):
        print(f"{axis} {x[k]:g}: exact {exact[k]:.4f} crossing {cross[k]:.4f} BAR {bar[k]:.4f} +- {err[k]:.4f}")
    out = args.output or args.file.rsplit(".", 1)[0] + "_free_energy.png"
    fig.savefig(out, dpi=120)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
