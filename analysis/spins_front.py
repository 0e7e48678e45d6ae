#!/usr/bin/python3
"""The computation-dissipation trade-off of the random task (Fig. 2C).

    spins_front.py OUT.h5 [-o PNG] [--max-p P]

OUT.h5 is a `spins` run with task = random and grid axes alpha, init_seed
and (optionally) task_seed.  Every point is an SPSA optimum of
L = G - alpha Sigma, with G = -MSE (readout = mse) or G = -cross-entropy
(readout = cross_entropy), both re-evaluated on fresh streams by the engine.

Prints every optimum (G, Sigma / n with n = 2N spins, accuracy), the best of
the initialisations for each task instance and alpha (the lowest
loss + alpha Sigma, the quantity SPSA minimised: the front), and Spearman's
rank correlation between Sigma and G with its two-sided p-value over all
optima, over each instance's optima and over the fronts.  Positive: the
optima that dissipate more perform better, as in Fig. 2C.

-o draws G against Sigma / n: every optimum as a dot, the fronts as lines.
--max-p P exits 1 unless the correlation over all optima is positive with
p < P.
"""
import argparse
import os
import sys

import numpy as np
from scipy.stats import spearmanr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thermolearn_h5 import BadFile, Run, exit_on_bad_file  # noqa: E402

PROG = "spins_front.py"


def load(path):
    with Run(path) as run:
        if run.model != "spins":
            raise BadFile(f"{path}: not a spins run (model '{run.model}')")
        mse, ce = run.dataset("task_mse"), run.dataset("task_cross_entropy")
        if np.all(np.isfinite(mse)):
            loss, name = mse, "MSE"
        elif np.all(np.isfinite(ce)):
            loss, name = ce, "cross-entropy"
        else:
            raise BadFile(f"{path}: not a run with task = random (no task_mse or task_cross_entropy at every point)")
        N = run.parameter("chain_length")
        n = 2 * N
        return {"alpha": run.parameter("alpha"), "init": run.parameter("init_seed"),
                "task": run.parameter("task_seed"), "patterns": run.parameter("patterns"), "N": N,
                "loss": loss, "name": name, "sigma": run.dataset("task_entropy_production_rate") / n, "n": n,
                "accuracy": run.dataset("task_accuracy")}


def spearman(sigma, g):
    if len(sigma) < 3:
        return np.nan, np.nan
    r = spearmanr(sigma, g)
    return r.statistic, r.pvalue


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("-o", "--output")
    ap.add_argument("--max-p", type=float, help="exit 1 unless rho > 0 with p below this over all optima")
    args = ap.parse_args()
    try:
        d = load(args.file)
    except BadFile as e:
        exit_on_bad_file(PROG, e)
    alpha, init, task, loss, sigma = d["alpha"], d["init"], d["task"], d["loss"], d["sigma"]
    gain = -loss
    fronts = {}
    print(f"{'task':>4} {'alpha':>7} {'init':>4} {d['name']:>13} {'Sigma/n':>9} {'accuracy':>8}  (* best of the inits)")
    for t in np.unique(task):
        rows = []
        for a in np.unique(alpha):
            sel = np.where((task == t) & (alpha == a))[0]
            best = sel[np.argmin(loss[sel] + a * sigma[sel] * d["n"][sel])]
            for k in sel[np.argsort(init[sel])]:
                print(f"{int(t):4d} {a:7.4g} {int(init[k]):4d} {loss[k]:13.4f} {sigma[k]:9.4f} {d['accuracy'][k]:8.2f}"
                      f"{'  *' if k == best else ''}")
            rows.append(best)
        fronts[t] = np.array(rows)
    rho, p = spearman(sigma, gain)
    print(f"{len(loss)} optima ({len(np.unique(task))} task instances x {len(np.unique(alpha))} alpha x "
          f"{len(np.unique(init))} initialisations), N = {int(d['N'][0])}, M = {int(d['patterns'][0])}")
    print(f"Spearman correlation of Sigma and G = -{d['name']} over all optima: rho = {rho:+.2f}, p = {p:.2g}")
    for t in np.unique(task):
        sel = task == t
        r, q = spearman(sigma[sel], gain[sel])
        print(f"  task instance {int(t)}: rho = {r:+.2f}, p = {q:.2g} ({sel.sum()} optima)")
    best = np.concatenate(list(fronts.values()))
    r, q = spearman(sigma[best], gain[best])
    print(f"  fronts (best initialisation per instance and alpha): rho = {r:+.2f}, p = {q:.2g} ({len(best)} optima)")
    print("positive rho: performance improves with dissipation (Fig. 2C)")
    if args.output:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(5.2, 3.9))
        for j, (t, rows) in enumerate(fronts.items()):
            colour = f"C{j}"
            sel = task == t
            ax.plot(sigma[sel], gain[sel], ".", color=colour, alpha=0.45, ms=5)
            order = rows[np.argsort(sigma[rows])]
            ax.plot(sigma[order], gain[order], "o-", color=colour, ms=4, label=f"task {int(t)}")
        ax.set_xscale("symlog", linthresh=1e-2)
        ax.set_xlabel(r"$\Sigma / n$ (entropy production rate per spin)")
        ax.set_ylabel(f"$G = -${d['name']}")
        ax.set_title(f"Random task, M = {int(d['patterns'][0])}, N = {int(d['N'][0])} (Fig. 2C): "
                     f"Spearman {rho:+.2f}, p = {p:.1g}", fontsize=9)
        ax.legend(fontsize=7, title="dots: every optimum; lines: best init", title_fontsize=7)
        fig.tight_layout()
        fig.savefig(args.output, dpi=120)
        print("wrote", args.output)
    if args.max_p is not None and not (rho > 0 and p < args.max_p):
        sys.exit(1)


if __name__ == "__main__":
    main()
