#!/usr/bin/python3
"""The computation-dissipation front of the random task (Fig. 2C).

    spins_front.py OUT.h5 [-o PNG]

OUT.h5 is a `spins` run with task = random and grid axes alpha, init_seed
and (optionally) task_seed.  For every task instance and alpha the best of
the initialisations (the lowest L = MSE + alpha Sigma, the quantity SPSA
minimised) is kept; the front is MSE against Sigma / n (n = 2N
spins), one curve per task instance, as in Fig. 2C.  Prints the table and the
rank correlation between Sigma and MSE over the front.
"""
import argparse

import h5py
import numpy as np
from scipy.stats import spearmanr


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("-o", "--output")
    args = ap.parse_args()
    f = h5py.File(args.file, "r")
    par = f["parameters"]
    alpha, init = par["alpha"][()], par["init_seed"][()]
    task = par["task_seed"][()]
    n = 2 * par["chain_length"][()]
    mse = f["spins/task_mse"][()]
    sigma = f["spins/task_entropy_production_rate"][()] / n
    curves = {}
    print(f"{'task':>4} {'alpha':>8} {'init':>4} {'MSE':>8} {'Sigma/n':>9}")
    for t in np.unique(task):
        pts = []
        for a in np.unique(alpha):
            sel = np.where((task == t) & (alpha == a))[0]
            best = sel[np.argmin(mse[sel] + a * sigma[sel] * n[sel])]
            pts.append((a, mse[best], sigma[best]))
            print(f"{int(t):4d} {a:8.4g} {int(init[best]):4d} {mse[best]:8.4f} {sigma[best]:9.4f}")
        curves[t] = np.array(pts)
    allp = np.concatenate(list(curves.values()))
    rho, pval = spearmanr(allp[:, 2], allp[:, 1])
    print(f"Spearman correlation of Sigma/n and MSE over the fronts: {rho:.2f} (p = {pval:.2g}); "
          "negative: performance improves with dissipation")
    if not args.output:
        return
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(4.8, 3.6))
    for t, c in curves.items():
        order = np.argsort(c[:, 2])
        ax.plot(c[order, 2], c[order, 1], "o-", ms=4, label=f"task {int(t)}")
    ax.set_xscale("symlog", linthresh=1e-2)
    ax.set_xlabel(r"$\Sigma / n$ (entropy production rate per spin)")
    ax.set_ylabel("MSE (least-squares readout)")
    ax.set_title("Random task, M = 100, N = 10 (Fig. 2C)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    print("wrote", args.output)


if __name__ == "__main__":
    main()
