#!/usr/bin/python3
"""Goldt & Seifert, Fig. 3: Hebbian learning in the thermodynamic limit.

Main panel: mutual information I = ln 2 - S(p_C) per sample against
alpha = P/N for each nu in the file: Monte Carlo (/perceptron/
mutual_information, error bars one standard error over trajectories, each
with its own disorder) against eq. 20 integrated numerically (solid,
variance 1 + alpha nu^2) and the approximation S70 (dashed).
Inset: the efficiency of eq. 22, eta = alpha I / (dS(w_n) + dQ_n), with the
Gaussian dS = 1/2 ln(1 + alpha nu^2) that the simulation supports, in the
limits tau -> 0 (solid, dQ = alpha nu^2 / 2) and tau -> infinity (dashed,
dQ = 0), and the simulated efficiency (points) at the file's tau.

Usage:  perceptron_fig3.py FILE.h5 [-o OUT.png]
"""
import argparse
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from scipy import integrate, special

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thermolearn_h5 import BadFile, Run, exit_on_bad_file  # noqa: E402

PROG = "perceptron_fig3.py"


def p_correct(alpha, nu):
    """Eq. 20: Delta ~ N(nu, 1 + alpha nu^2), P(correct | Delta) = 1 / (1 + exp(-Delta))."""
    var = 1 + alpha * nu * nu
    f = lambda x: np.exp(-(x - nu) ** 2 / (2 * var)) / np.sqrt(2 * np.pi * var) * special.expit(x)
    return integrate.quad(f, nu - 14 * np.sqrt(var), nu + 14 * np.sqrt(var), limit=200)[0]


def p_approx(alpha, nu):
    """S70: 1/2 + 1/2 erf((nu/2) / sqrt(2 (1 + alpha nu^2 / 4)))."""
    return 0.5 + 0.5 * special.erf(0.5 * nu / np.sqrt(2 * (1 + alpha * nu * nu / 4)))


def info(p):
    p = np.clip(p, 1e-300, 1 - 1e-16)
    return np.log(2) + p * np.log(p) + (1 - p) * np.log1p(-p)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("-o", "--output", default=None)
    args = ap.parse_args()
    try:
        with Run(args.file) as run:
            if run.model != "perceptron":
                raise BadFile(f"{args.file}: not a perceptron run (model '{run.model}')")
            alpha, nu = run.parameter("alpha"), run.parameter("nu")
            tau, n = run.parameter("tau"), run.parameter("n")
            I, I_err = run.dataset("mutual_information"), run.dataset("mutual_information_err")
            eff, eff_err = run.dataset("efficiency"), run.dataset("efficiency_err")
            I_th = run.dataset("mutual_information_theory")
    except BadFile as e:
        exit_on_bad_file(PROG, e)
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    inset = ax.inset_axes([0.55, 0.5, 0.42, 0.45])
    a_dense = np.logspace(np.log10(alpha.min() / 1.5), np.log10(alpha.max() * 1.5), 120)
    colors = plt.cm.viridis(np.linspace(0, 0.85, len(np.unique(nu))))
    worst = 0.0
    for c, v in zip(colors, np.unique(nu)):
        pts = np.argsort(np.where(nu == v, alpha, np.inf))[: np.sum(nu == v)]
        i_th = np.array([info(p_correct(a, v)) for a in a_dense])
        ax.plot(a_dense, i_th, color=c, label=f"$\\nu$ = {v:g}")
        ax.plot(a_dense, info(p_approx(a_dense, v)), color=c, ls="--", lw=0.8)
        ax.errorbar(alpha[pts], I[pts], yerr=I_err[pts], fmt="x", color=c, capsize=2)
        worst = max(worst, np.max(np.abs(I[pts] - I_th[pts]) / I_err[pts]))
        ds = 0.5 * np.log1p(a_dense * v * v)
        inset.plot(a_dense, a_dense * i_th / (ds + a_dense * v * v / 2), color=c)
        inset.plot(a_dense, a_dense * i_th / ds, color=c, ls="--")
        inset.errorbar(alpha[pts], eff[pts], yerr=eff_err[pts], fmt=".", color=c, ms=3)
    ax.set_xscale("log")
    ax.set_xlabel(r"$\alpha = P/N$")
    ax.set_ylabel(r"$I(\sigma_T^\mu : \sigma^\mu)$ (nats)")
    ax.set_title(f"Hebbian learning, N = {int(n[0])}: Monte Carlo (x) against eq. 20 (solid), S70 (dashed)",
                 fontsize=8)
    ax.axhline(np.log(2), color="0.6", lw=0.5)
    ax.legend(loc="lower left", fontsize=7)
    inset.set_xscale("log")
    inset.set_xlabel(r"$\alpha$", fontsize=7)
    inset.set_ylabel(r"$\tilde\eta$", fontsize=7)
    inset.tick_params(labelsize=6)
    inset.set_title(rf"$\tau\to 0$ (solid), $\tau\to\infty$ (dashed); points: $\tau$ = {tau[0]:g}", fontsize=6)
    fig.tight_layout()
    out = args.output or args.file.rsplit(".", 1)[0] + ".png"
    fig.savefig(out, dpi=150)
    print(f"wrote {out}; largest |I_MC - I_eq20| = {worst:.2f} standard errors (finite-N eq. 20)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
