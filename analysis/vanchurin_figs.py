"""Vanchurin Figs. 2-7 and a summary table from a vanchurin run.

    /usr/bin/python3 analysis/vanchurin_figs.py OUT.h5 [-o PREFIX]

Writes PREFIX_fig2.png (bulk and boundary loss against epoch), _fig3 (bulk
against boundary), _fig45 (log lambda histograms at the first, middle and last
checkpoint after 0, one panel per architecture), _fig67 (C_n and C_{N-n}
against epoch and against log U, with the least-squares lines printed beside
the paper's C20 = 769 + 1.25 log U and C834 = 772 + 1.41 log U).  Prints per
point and checkpoint: the losses, bulk/boundary, accuracies, mu2 and mu3 as
raw traces and per dynamical eigenvalue, the standardised skew, and the three
beta estimates.  Uses the per-trajectory profile samples when the file has
them (trajectory 0 for the curves), else the means over trajectories.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thermolearn_h5 import BadFile, exit_on_bad_file, open_or_exit  # noqa: E402

SERIES = ["boundary_loss", "test_boundary_loss", "train_accuracy", "test_accuracy", "bulk_loss",
          "boundary_loss_bulk_subset", "bulk_loss_se", "bulk_loss_median", "bulk_outside", "bulk_iterations",
          "bulk_unconverged", "mu2", "mu3", "log_lambda_sum", "n_nonunit", "complexity_n", "complexity_rest",
          "log_lambda_min", "log_lambda_max", "mu2_per_eigenvalue", "mu3_per_eigenvalue", "skewness", "gap_log_lambda", "beta_gap", "beta_gap_eq94", "beta_loss",
          "bulk_excess"]
K = {n: i for i, n in enumerate(SERIES)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file")
    ap.add_argument("-o", "--prefix", default=None)
    a = ap.parse_args()
    prefix = a.prefix or os.path.splitext(a.file)[0]
    run = open_or_exit(a.file, "vanchurin_figs.py")
    try:
        with run:
            if run.model != "vanchurin":
                raise BadFile(f"{a.file}: a {run.model} run, not vanchurin")
            series, _ = run.profile("series")
            try:
                one = run.profile_samples("series")[:, 0]
                source = "trajectory 0 (profile samples)"
            except BadFile:
                one, source = series, "mean over trajectories"
            density, _ = run.profile("log_lambda_density")
            epochs = run.dataset("checkpoint_epochs")
            edges = run.dataset("log_lambda_edges")
            n_dyn = run.dataset("n_dynamical")
            n_neurons = run.dataset("n_neurons")
            widths = run.dataset("widths")
            labels = ["-".join(str(int(w)) for w in widths[p] if w > 0) for p in range(run.n_points)]
            report(run, series, epochs, n_dyn, labels)
            plots(prefix, one, density, epochs, edges, n_neurons, labels, source)
    except BadFile as e:
        exit_on_bad_file("vanchurin_figs.py", e)


def report(run, s, epochs, n_dyn, labels):
    print(f"{run.trajectories} trajectories per point; means over them (mu2/n, mu3/n: per eigenvalue that differs from 1)")
    head = ("epoch", "U_bnd", "U_bulk", "bulk/bnd", "test_acc", "mu2", "mu3", "mu2/n", "mu3/n", "skew",
            "beta_gap", "beta_94", "beta_U")
    for p in range(run.n_points):
        print(f"\npoint {p}: {labels[p]} (N = {int(np.sum(run.dataset('widths')[p]))}, n_dynamical = {int(n_dyn[p])})")
        print(" ".join(f"{h:>9}" for h in head))
        for c, e in enumerate(epochs[p]):
            if not np.isfinite(e):
                continue
            v = s[p, c]
            row = (e, v[K["boundary_loss"]], v[K["bulk_loss"]], v[K["bulk_loss"]] / v[K["boundary_loss_bulk_subset"]],
                   v[K["test_accuracy"]], v[K["mu2"]], v[K["mu3"]], v[K["mu2_per_eigenvalue"]],
                   v[K["mu3_per_eigenvalue"]], v[K["skewness"]],
                   v[K["beta_gap"]], v[K["beta_gap_eq94"]], v[K["beta_loss"]])
            print(" ".join(f"{x:9.4g}" for x in row))


def plots(prefix, s, density, epochs, edges, n_neurons, labels, source):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    P = s.shape[0]
    late = [np.isfinite(epochs[p]) & (epochs[p] > 0) for p in range(P)]

    fig, ax = plt.subplots(figsize=(6, 4))
    for p in range(P):
        e = epochs[p][late[p]]
        ax.loglog(e, s[p, late[p], K["bulk_loss"]], "-o", ms=3, label=f"{labels[p]}: bulk U")
        ax.loglog(e, s[p, late[p], K["boundary_loss_bulk_subset"]], "--s", ms=3, label=f"{labels[p]}: boundary U_d")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss (mean over the bulk samples)")
    ax.set_title(f"Fig. 2 analogue ({source})", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(f"{prefix}_fig2.png", dpi=120)

    fig, ax = plt.subplots(figsize=(5, 4))
    for p in range(P):
        ax.loglog(s[p, late[p], K["boundary_loss_bulk_subset"]], s[p, late[p], K["bulk_loss"]], "-o", ms=3, label=labels[p])
    lim = ax.get_xlim()
    ax.plot(lim, lim, "k:", lw=0.8, label="bulk = boundary")
    ax.set_xlabel("boundary loss U_d")
    ax.set_ylabel("bulk loss U")
    ax.set_title("Fig. 3 analogue", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(f"{prefix}_fig3.png", dpi=120)

    fig, axes = plt.subplots(1, P, figsize=(4.5 * P, 3.6), squeeze=False)
    centres = [0.5 * (edges[p][1:] + edges[p][:-1]) for p in range(P)]
    for p in range(P):
        idx = np.nonzero(late[p])[0]
        for c in (idx[0], idx[len(idx) // 2], idx[-1]) if len(idx) else ():
            axes[0, p].step(centres[p], density[p, c, :len(centres[p])], where="mid", label=f"epoch {epochs[p][c]:g}")
        axes[0, p].set_title(f"{labels[p]}: log lambda (Figs. 4/5)", fontsize=9)
        axes[0, p].set_xlabel("log lambda")
        axes[0, p].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(f"{prefix}_fig45.png", dpi=120)

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    print("\nC against log U (epochs > 0), least squares; the paper: C20 = 769 + 1.25 log U, C834 = 772 + 1.41 log U")
    for p in range(P):
        e, u = epochs[p][late[p]], np.log(s[p, late[p], K["bulk_loss"]])
        for name, style in (("complexity_n", "-o"), ("complexity_rest", "--s")):
            c = s[p, late[p], K[name]]
            axes[0].semilogx(e, c, style, ms=3, label=f"{labels[p]} {name}")
            axes[1].plot(u, c, style, ms=3, label=f"{labels[p]} {name}")
            if len(u) >= 2:
                slope, offset = np.polyfit(u, c, 1)
                print(f"  {labels[p]:>12} {name:>16}: C = {offset:.2f} + {slope:.3f} log U  "
                      f"((N/2) log 2 pi = {0.5 * n_neurons[p] * np.log(2 * np.pi):.2f})")
    axes[0].set_xlabel("epoch")
    axes[1].set_xlabel("log U (bulk)")
    for ax in axes:
        ax.set_ylabel("complexity")
        ax.legend(fontsize=7)
    fig.suptitle("Figs. 6/7 analogues", fontsize=9)
    fig.tight_layout()
    fig.savefig(f"{prefix}_fig67.png", dpi=120)
    print(f"wrote {prefix}_fig2.png, _fig3.png, _fig45.png, _fig67.png")


if __name__ == "__main__":
    main()
