#!/usr/bin/python3
"""Goldt & Seifert, Fig. 2: learning efficiency of a single weight (N = P = 1).

Heat map of the simulated efficiency eta = I / (dS(w) + dQ) (dataset
/perceptron/efficiency) over the learning rate nu and the learning duration
tau, with contours of the theory (/perceptron/efficiency_theory: eq. 20 for
p_C, eq. 13 for the heat, the exact entropy of the two-Gaussian mixture).

Usage:  perceptron_fig2.py FILE.h5 [-o OUT.png]
Exit status 2 when the file is not a perceptron grid over (nu, tau).
"""
import argparse
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thermolearn_h5 import BadFile, Run, exit_on_bad_file  # noqa: E402

PROG = "perceptron_fig2.py"


def grid(run, values):
    """A per-point dataset on the (nu, tau) grid: nu values, tau values, [nu, tau]."""
    nu, tau = run.parameter("nu"), run.parameter("tau")
    unu, utau = np.unique(nu), np.unique(tau)
    out = np.full((len(unu), len(utau)), np.nan)
    out[np.searchsorted(unu, nu), np.searchsorted(utau, tau)] = values
    return unu, utau, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("-o", "--output", default=None)
    args = ap.parse_args()
    try:
        with Run(args.file) as run:
            if run.model != "perceptron":
                raise BadFile(f"{args.file}: not a perceptron run (model '{run.model}')")
            run.require("efficiency", "efficiency_theory")
            eff, theory = run.dataset("efficiency"), run.dataset("efficiency_theory")
            n = run.parameter("n")
            nu, tau, sim = grid(run, eff)
            _, _, th = grid(run, theory)
    except BadFile as e:
        exit_on_bad_file(PROG, e)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    mesh = ax.pcolormesh(nu, tau, sim.T, shading="nearest", cmap="viridis", vmin=0, vmax=np.nanmax(sim))
    cs = ax.contour(nu, tau, th.T, levels=[0.05, 0.1, 0.15, 0.2, 0.25, 0.3], colors="w", linewidths=0.8)
    ax.clabel(cs, fmt="%.2f", fontsize=7)
    ax.set_yscale("log")
    ax.set_xlabel(r"learning rate $\nu$")
    ax.set_ylabel(r"learning duration $\tau$")
    ax.set_title(f"efficiency $\\eta$, N = P = {int(n[0])} (simulation; white: theory)")
    fig.colorbar(mesh, ax=ax, label=r"$\eta = I / (\Delta S(\omega) + \Delta Q)$")
    fig.tight_layout()
    out = args.output or args.file.rsplit(".", 1)[0] + ".png"
    fig.savefig(out, dpi=150)
    k = np.nanargmax(sim)
    print(f"wrote {out}; largest simulated eta {sim.flat[k]:.4f} at nu = {nu[k // len(tau)]:.3g}, "
          f"tau = {tau[k % len(tau)]:.3g}; largest |sim - theory| {np.nanmax(np.abs(sim - th)):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
