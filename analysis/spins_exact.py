#!/usr/bin/python3
"""Gillespie estimates of a `spins` run against the exact master equation.

    spins_exact.py OUT.h5 [-o PNG]

Prints, for every point, the entropy production rate and the worst
magnetisation in standard errors, and <exp(-Sigma_tot)>; draws the
magnetisations (estimate +- 2 SE against exact) and the rates.
"""
import argparse

import h5py
import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("-o", "--output")
    args = ap.parse_args()
    f = h5py.File(args.file, "r")
    g = f["spins"]
    m, me, mx = g["magnetization"][()], g["magnetization_err"][()], g["magnetization_exact"][()]
    ep, epe, epx = g["entropy_production_rate"][()], g["entropy_production_rate_err"][()], g["entropy_production_rate_exact"][()]
    ift, ifte = g["ift"][()], g["ift_err"][()]
    print(f"{'point':>5} {'Sigma rate':>12} {'+-':>8} {'exact':>10} {'z':>6} {'max|z| m':>9} {'<e^-S>':>9}")
    for p in range(len(ep)):
        zm = np.nanmax(np.abs((m[p] - mx[p]) / me[p]))
        print(f"{p:5d} {ep[p]:12.5f} {epe[p]:8.5f} {epx[p]:10.5f} {(ep[p] - epx[p]) / epe[p]:6.2f} {zm:9.2f} "
              f"{ift[p]:9.3g}")
    if not args.output:
        return
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.8))
    for p in range(len(ep)):
        ax[0].errorbar(mx[p], m[p], yerr=2 * me[p], fmt="o", ms=3, label=f"point {p}")
    lim = [np.nanmin(mx) - 0.05, np.nanmax(mx) + 0.05]
    ax[0].plot(lim, lim, "k:", lw=1)
    ax[0].set_xlabel(r"exact $\langle s_i \rangle$ (master equation)")
    ax[0].set_ylabel(r"Gillespie $\langle s_i \rangle$ $\pm$ 2 SE")
    ax[0].legend(fontsize=7)
    ax[1].errorbar(np.arange(len(ep)), ep, yerr=2 * epe, fmt="o", label="Gillespie $\\pm$ 2 SE")
    ax[1].plot(np.arange(len(ep)), epx, "kx", label="Schnakenberg (eq. 1)")
    ax[1].set_xlabel("grid point")
    ax[1].set_ylabel("entropy production rate")
    ax[1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    print("wrote", args.output)


if __name__ == "__main__":
    main()
