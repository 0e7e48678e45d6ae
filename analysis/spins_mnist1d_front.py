#!/usr/bin/python3
"""The computation-dissipation front on MNIST-1D (Ingrosso & Panizon, Fig. 2A).

    spins_mnist1d_front.py OUT.h5 [-o PNG] [--data MNIST1D.h5]

OUT.h5 is a `spins` run with a dataset (inputs/spins_mnist1d_front.ini): grid
axes alpha, init_seed and symmetric (1: W = W^T, equilibrium).  Every point is
an SPSA optimum of L = G - alpha Sigma, G = -cross-entropy, re-evaluated by the
engine on fresh streams, on the training points and on the test points.

Prints every optimum; per (symmetric, alpha) the mean over the starts with its
standard error; the equilibrium point (symmetric = 1, all its optima) and the
best non-equilibrium alpha (lowest mean training CE), and the relative cost of
forcing equilibrium in CE and in accuracy (the paper: about 5 % and 7 %).
Sigma/N divides the mean entropy production rate by N = chain_length (40), the
N of Fig. 2A's caption.

Baselines, fitted like the engine's readout (mean CE + ridge/2 |W_out|^2, with
the bias when the run has one) on the same training points: a linear softmax
on the raw inputs x, and uncoupled spins m = tanh(beta input_scale x) (W = 0).
Their test scores need the test set: --data names a file written by
`thermolearn data mnist1d -o FILE` (same seed as the run's dataset).

-o draws CE and accuracy against Sigma/N, every optimum as a dot, the means
per alpha as a line, the equilibrium point as a star, the baselines as
horizontal lines.
"""
import argparse
import os
import sys

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thermolearn_h5 import BadFile, Run, data_arrays, exit_on_bad_file  # noqa: E402

PROG = "spins_mnist1d_front.py"


def load(path):
    with Run(path) as run:
        if run.model != "spins":
            raise BadFile(f"{path}: not a spins run (model '{run.model}')")
        ce = run.dataset("task_cross_entropy")
        if not np.all(np.isfinite(ce)):
            raise BadFile(f"{path}: not a run with a dataset and readout = cross_entropy (task_cross_entropy NaN)")
        N = int(run.parameter("chain_length")[0])
        x = np.asarray(run.dataset("input"))[0][:, :N]  # the training fields, identical at every point
        return {"alpha": run.parameter("alpha"), "init": run.parameter("init_seed"),
                "symmetric": run.parameter("symmetric"), "N": N, "ce": ce,
                "acc": run.dataset("task_accuracy"), "ce_test": run.dataset("task_test_cross_entropy"),
                "acc_test": run.dataset("task_test_accuracy"),
                "sigma": run.dataset("task_entropy_production_rate") / N, "field": x,
                "labels": None, "scale": float(run.parameter("input_scale")[0]),
                "beta": float(run.parameter("beta")[0]), "ridge": float(run.parameter("ridge")[0]),
                "bias": int(run.parameter("bias")[0]), "samples": len(x)}


def fit_softmax(f, y, ridge, bias, K=10):
    """The engine's readout: mean CE + ridge/2 |W|^2 (the bias a feature of 1)."""
    if bias:
        f = np.hstack([f, np.ones((len(f), 1))])
    M, d = f.shape

    def obj(w):
        W = w.reshape(K, d)
        z = f @ W.T
        z -= z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=1))
        p = np.exp(z - lse[:, None])
        p[np.arange(M), y] -= 1
        return (lse - z[np.arange(M), y]).mean() + 0.5 * ridge * w @ w, (p.T @ f / M).ravel() + ridge * w

    w = minimize(obj, np.zeros(K * d), jac=True, method="L-BFGS-B", options={"maxiter": 5000, "gtol": 1e-9}).x
    return w.reshape(K, d)


def score(W, f, y, bias):
    if bias:
        f = np.hstack([f, np.ones((len(f), 1))])
    z = f @ W.T
    z -= z.max(axis=1, keepdims=True)
    lse = np.log(np.exp(z).sum(axis=1))
    return (lse - z[np.arange(len(y)), y]).mean(), (z.argmax(axis=1) == y).mean()


def mean_se(v):
    v = np.asarray(v, dtype=float)
    return v.mean(), (v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else np.nan)


def baselines(d, data):
    """Rows (name, train CE, train acc, test CE, test acc) for the linear and W = 0 readouts."""
    if data is None:
        return []
    xtr, ytr, xte, yte = data_arrays(data, "x_train", "y_train", "x_test", "y_test")
    ytr, yte = ytr.astype(int), yte.astype(int)
    M = d["samples"]
    xtr, ytr = xtr[:M], ytr[:M]
    if not np.allclose(d["scale"] * xtr, d["field"], rtol=0, atol=1e-12):
        raise BadFile(f"{data}: its first {M} training rows times input_scale are not the run's inputs")
    rows = []
    for name, g in (("linear softmax on raw x", lambda x: x),
                    (f"uncoupled spins m = tanh({d['beta'] * d['scale']:g} x)", lambda x: np.tanh(d["beta"] * d["scale"] * x))):
        W = fit_softmax(g(xtr), ytr, d["ridge"], d["bias"])
        rows.append((name, *score(W, g(xtr), ytr, d["bias"]), *score(W, g(xte), yte, d["bias"])))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("-o", "--output")
    ap.add_argument("--data", help="the MNIST-1D set as written by `thermolearn data mnist1d -o` (baselines)")
    args = ap.parse_args()
    try:
        d = load(args.file)
        base = baselines(d, args.data)
    except BadFile as e:
        exit_on_bad_file(PROG, e)
    sym, alpha, init = d["symmetric"], d["alpha"], d["init"]
    print(f"{'sym':>3} {'alpha':>7} {'init':>4} {'CE train':>9} {'acc train':>9} {'CE test':>8} {'acc test':>8} {'Sigma/N':>9}")
    for k in np.lexsort((init, alpha, sym)):
        print(f"{int(sym[k]):3d} {alpha[k]:7.4g} {int(init[k]):4d} {d['ce'][k]:9.4f} {d['acc'][k]:9.3f} "
              f"{d['ce_test'][k]:8.4f} {d['acc_test'][k]:8.3f} {d['sigma'][k]:9.4f}")
    print(f"\nM = {d['samples']} training points, N = {d['N']} (Sigma/N per spin of a chain); "
          "mean +- standard error over the starts:")
    groups = {}
    for s in np.unique(sym):
        for a in np.unique(alpha):
            sel = (sym == s) & (alpha == a)
            if sel.any():
                groups[(int(s), a)] = sel
    print(f"{'sym':>3} {'alpha':>7} {'n':>2} {'CE train':>16} {'acc train':>15} {'CE test':>16} {'acc test':>15} {'Sigma/N':>9}")
    for (s, a), sel in groups.items():
        cols = [mean_se(d[c][sel]) for c in ("ce", "acc", "ce_test", "acc_test")]
        print(f"{s:3d} {a:7.4g} {sel.sum():2d} " + " ".join(f"{m:8.4f}+-{e:6.4f}" for m, e in cols) +
              f" {np.mean(d['sigma'][sel]):9.4f}")
    eq = sym == 1
    noneq = [(a, sel) for (s, a), sel in groups.items() if s == 0]
    if eq.any() and noneq:
        best_a, best = min(noneq, key=lambda t: np.mean(d["ce"][t[1]]))
        print(f"\nequilibrium (symmetric W, {eq.sum()} optima) against the best non-equilibrium alpha = {best_a:g} "
              f"({best.sum()} optima), training set:")
        for name, c, sign in (("CE", "ce", 1), ("accuracy", "acc", -1), ("test CE", "ce_test", 1),
                              ("test accuracy", "acc_test", -1)):
            (me, ee), (mb, eb) = mean_se(d[c][eq]), mean_se(d[c][best])
            cost = sign * (me - mb) / mb
            err = abs(me / mb) * np.hypot(ee / me, eb / mb)
            print(f"  {name:14s} equilibrium {me:.4f} +- {ee:.4f}   non-equilibrium {mb:.4f} +- {eb:.4f}   "
                  f"cost of equilibrium {100 * cost:+.1f} +- {100 * err:.1f} %")
        print(f"  Sigma/N: equilibrium {np.mean(d['sigma'][eq]):.4f}, non-equilibrium {np.mean(d['sigma'][best]):.4f}")
        print("  (the paper, M = 4000 at full length: about 5 % in CE and 7 % in accuracy)")
    if base:
        print("\nbaselines (same training points, ridge and bias as the run's readout):")
        for name, c, a, ct, at in base:
            print(f"  {name:34s} train CE {c:.4f} acc {a:.3f}   test CE {ct:.4f} acc {at:.3f}")
    if args.output:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
        for ax, (c, ct, label) in zip(axes, (("ce", "ce_test", "cross-entropy (nats)"), ("acc", "acc_test", "accuracy"))):
            for col, key, name in (("C0", c, "train"), ("C1", ct, "test")):
                ne = ~eq
                ax.plot(d["sigma"][ne], d[key][ne], ".", color=col, alpha=0.4)
                means = sorted((np.mean(d["sigma"][sel]), np.mean(d[key][sel])) for a, sel in noneq)
                ax.plot(*zip(*means), "o-", color=col, ms=4, label=f"{name}: mean per alpha")
                if eq.any():
                    ax.plot(np.mean(d["sigma"][eq]), np.mean(d[key][eq]), "*", color=col, ms=14, mec="k",
                            label=f"{name}: equilibrium (W = W^T)")
            for j, (name, bc, ba, btc, bta) in enumerate(base):
                ax.axhline(bc if c == "ce" else ba, color=f"C{j + 2}", ls="--", lw=1, label=f"{name} (train)")
            ax.set_xscale("symlog", linthresh=1e-2)
            ax.set_xlabel(r"$\Sigma / N$ (entropy production rate per spin of a chain, N = 40)")
            ax.set_ylabel(label)
        axes[0].legend(fontsize=6)
        fig.suptitle(f"MNIST-1D, M = {d['samples']}, two chains of N = {d['N']} spins, k = 2 (Fig. 2A)", fontsize=9)
        fig.tight_layout()
        fig.savefig(args.output, dpi=120)
        print("wrote", args.output)


if __name__ == "__main__":
    main()
