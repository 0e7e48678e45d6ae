#!/usr/bin/python3
"""Milburn, "Thermodynamics of learning machines": figures of sections 2.1-2.2.

  milburn.py fig6 FILE.h5 -o OUT.png   first-jump survival of the two-state switch
                                       (inputs/milburn_twostate.ini): simulated
                                       profile with standard errors against eq. 21
  milburn.py fig5 FILE.h5 -o OUT.png   rates mu(t), nu(t) of the sigmoid swap and the
                                       mean state <n(t)> (inputs/milburn_twostate_fig5.ini)
  milburn.py fig4 FILE.h5 -o OUT.png   double well (inputs/milburn_doublewell.ini): the
                                       potential and the bias ramp (Fig. 2), survival of
                                       the first passage per noise level, switching
                                       error against the Fokker-Planck grid
  milburn.py fig3 FILE.h5 -o OUT.png   stationary <x> against the bias per noise level
                                       (inputs/milburn_doublewell_fig3.ini) against quadrature

Exit status 2 when the file is not of the expected model.
"""
import argparse
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from scipy.integrate import quad

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thermolearn_h5 import BadFile, exit_on_bad_file, open_or_exit  # noqa: E402


class Datasets:
    """f["/path"] and f["/path"][p] through thermolearn_h5's Run (units, descriptions, errors)."""

    def __init__(self, run):
        self.run = run

    def __getitem__(self, path):
        return self.run.dataset(path)


def open_model(path, model):
    run = open_or_exit(path, "milburn.py")
    if run.model != model:
        exit_on_bad_file("milburn.py", BadFile(f"{path} holds model '{run.model}', expected '{model}'"))
    return Datasets(run)


def profile(f, model, name):
    # with a reverse direction the profiles live under /<model>/forward/
    return f.run.profile(name) if f.run.has(name) else f.run.profile(name, "forward")


def twostate_times(f, p):
    time = f["/parameters/time"][p]
    if time == 0:
        time = f["/parameters/tau"][p]
    K = int(f["/parameters/survival_times"][p])
    return time * np.arange(1, K + 1) / K


def fig6(f, ax):
    s, e = profile(f, "twostate", "survival")
    exact = f["/twostate/survival_exact"][...]
    for p in range(s.shape[0]):
        t = twostate_times(f, p)
        K = len(t)
        a = f["/parameters/step_factor"][p]
        ax.errorbar(t, s[p, :K], yerr=e[p, :K], fmt="o", ms=3, label=f"simulated, a = {a:g}")
        ax.plot(t, exact[p, :K], "-", lw=1, label=f"eq. 21, a = {a:g}")
    ax.set_xlabel("t")
    ax.set_ylabel("P(no jump by t), n(0) = +1")
    ax.set_yscale("log")
    ax.set_title("Fig. 6: wait time of the switch, nu(t) = nu (1 + a theta(t - 5))")
    ax.legend(fontsize=7)


def fig5(f, axes):
    mu, nu = f["/parameters/rate_up"][0], f["/parameters/rate_down"][0]
    t0, s = f["/parameters/t0"][0], f["/parameters/width"][0]
    time = f["/parameters/time"][0]
    t = np.linspace(0, time, 400)
    fx = 1 / (1 + np.exp(-(t - t0) / s))
    axes[0].plot(t, mu + fx * (nu - mu), label="mu(t): -1 -> +1")
    axes[0].plot(t, nu - fx * (nu - mu), label="nu(t): +1 -> -1")
    axes[0].set_xlabel("t")
    axes[0].set_ylabel("rate")
    axes[0].set_title(f"Fig. 5: sigmoid swap, t0 = {t0:g}, width = {s:g}")
    axes[0].legend(fontsize=7)
    sv, e = profile(f, "twostate", "state")
    tt = twostate_times(f, 0)
    K = len(tt)
    axes[1].errorbar(tt, sv[0, :K], yerr=e[0, :K], fmt="o", ms=3, label="simulated <n(t)>")
    axes[1].plot(tt, f["/twostate/state_exact"][0, :K], "-", label="master equation, 2 p+1(t) - 1")
    pu, pe = f["/twostate/p_up_final"][0], f["/twostate/p_up_final_err"][0]
    axes[1].set_title(f"p+1(end) = {pu:.4f} +- {pe:.4f} (exact {f['/twostate/p_up_final_exact'][0]:.4f})", fontsize=8)
    axes[1].set_xlabel("t")
    axes[1].set_ylabel("<n(t)>")
    axes[1].legend(fontsize=7)


def fig4(f, axes):
    x = np.linspace(-1.3, 1.3, 300)
    for lam in (0.0, 0.15, 0.3, 0.6):
        axes[0].plot(x, x**2 * (x**2 - 1) - lam * x, label=f"lambda = {lam:g}")
    axes[0].set_ylim(-0.6, 0.6)
    axes[0].set_xlabel("x")
    axes[0].set_ylabel("V(x) = x^2(x^2 - 1) - lambda x")
    axes[0].set_title("Fig. 2: the biased double well")
    axes[0].legend(fontsize=7)
    s, e = profile(f, "doublewell", "survival")
    times = f["/doublewell/survival_times"][...]
    T = f["/parameters/temperature"][...]
    for p in range(s.shape[0]):
        K = int(f["/parameters/survival_times"][p])
        axes[1].errorbar(times[p, :K], s[p, :K], yerr=e[p, :K], fmt="-", label=f"T = D = {T[p]:g}")
    axes[1].set_xlabel("t")
    axes[1].set_ylabel("P(x has not reached 0.5)")
    axes[1].set_title("Fig. 4: switching from the left well")
    axes[1].legend(fontsize=7)
    pe, pe_err, pe_x = (f["/doublewell/p_error" + k][...] for k in ("", "_err", "_exact"))
    axes[2].errorbar(T, pe, yerr=pe_err, fmt="o", label="simulated (MALA)")
    axes[2].plot(T, pe_x, "x", ms=9, label="Fokker-Planck grid")
    axes[2].set_xlabel("T = D")
    axes[2].set_ylabel("P(x(end) < 0): switching error")
    axes[2].legend(fontsize=7)


def fig3(f, ax):
    lam, T = f["/parameters/lambda_start"][...], f["/parameters/temperature"][...]
    xm, xe = f["/doublewell/x_mean"][...], f["/doublewell/x_mean_err"][...]
    for t in np.unique(T):
        sel = T == t
        order = np.argsort(lam[sel])
        ax.errorbar(lam[sel][order], xm[sel][order], yerr=xe[sel][order], fmt="o", ms=3, label=f"simulated, D = {t:g}")
        ll = np.linspace(lam.min(), lam.max(), 81)
        def mean(l):
            w = lambda x: np.exp(-(x**2 * (x**2 - 1) - l * x) / t)
            return quad(lambda x: x * w(x), -3, 3, points=[-0.7, 0, 0.7])[0] / quad(w, -3, 3, points=[-0.7, 0, 0.7])[0]
        ax.plot(ll, [mean(l) for l in ll], "-", lw=1)
    ax.set_xlabel("bias lambda")
    ax.set_ylabel("<x> (stationary)")
    ax.set_title("Fig. 3: mean position against bias (lines: quadrature)")
    ax.legend(fontsize=7)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("figure", choices=["fig3", "fig4", "fig5", "fig6"])
    ap.add_argument("file")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    model = "twostate" if args.figure in ("fig5", "fig6") else "doublewell"
    f = open_model(args.file, model)
    if args.figure == "fig6":
        fig, ax = plt.subplots(figsize=(6, 4))
        fig6(f, ax)
    elif args.figure == "fig5":
        fig, axes = plt.subplots(1, 2, figsize=(10, 4))
        fig5(f, axes)
    elif args.figure == "fig4":
        fig, axes = plt.subplots(1, 3, figsize=(15, 4))
        fig4(f, axes)
    else:
        fig, ax = plt.subplots(figsize=(6, 4))
        fig3(f, ax)
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
