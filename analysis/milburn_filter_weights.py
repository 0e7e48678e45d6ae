#!/usr/bin/python3
"""Milburn, "Thermodynamics of learning machines": figures of sections 2.3 and 4.2.

  milburn_filter_weights.py fig7 FILE.h5 -o OUT.png    partially observed switch
                                                 (inputs/milburn_observed.ini): per
                                                 measurement rate, one sample path of
                                                 the observed current Io and of n, n_c;
                                                 the ensemble's n_c histogram against
                                                 the Wonham law
  milburn_filter_weights.py fig20 FILE.h5 -o OUT.png   feedback-cooled weights
                                                 (inputs/milburn_weightsde.ini): initial
                                                 and final weight histograms against the
                                                 exact laws, eq. 87 and eqs. 86-87 as printed
  milburn_filter_weights.py filtered FILE.h5 -o OUT.png  the full loop of eq. 84
                                                 (inputs/milburn_weights_filtered.ini,
                                                 feedback = filtered): <w(time)> and
                                                 <1 - n_c^2> against switch_rate for each
                                                 measurement_rate, beside eq. 85's
                                                 stationary law; the final histograms
                                                 against exp(-2V/D); prints the table

Exit status 2 when the file is not of the expected model.
"""
import argparse
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thermolearn_h5 import BadFile, exit_on_bad_file, open_or_exit  # noqa: E402


def open_model(path, model):
    run = open_or_exit(path, "milburn_filter_weights.py")
    if run.model != model:
        exit_on_bad_file("milburn_filter_weights.py", BadFile(f"{path} holds model '{run.model}', expected '{model}'"))
    return run


def fig7(run):
    gammas = run.parameter("measurement_rate")
    P = len(gammas)
    fig, axes = plt.subplots(P, 3, figsize=(15, 3.2 * P), squeeze=False)
    path, times = run.dataset("path"), run.dataset("path_times")
    occ, occ_err = run.profile("nc_occupation")
    exact = run.dataset("nc_occupation_exact")
    mmse, mmse_err, mmse_exact = (run.dataset("mmse" + k) for k in ("", "_err", "_exact"))
    bins = run.parameter("nc_bins")
    for p in range(P):
        K = int(np.sum(~np.isnan(times[p])))
        t = times[p, :K]
        axes[p, 0].plot(t, path[p, :K, 2], lw=0.6)
        axes[p, 0].set_ylabel("Io(t)")
        axes[p, 0].set_title(f"Gamma = {gammas[p]:g}: observed current (eq. 31)", fontsize=9)
        axes[p, 1].plot(t, path[p, :K, 0], lw=0.8, color="0.6", label="n(t) (hidden)")
        axes[p, 1].plot(t, path[p, :K, 1], lw=0.8, label="n_c(t) (Bayes filter)")
        axes[p, 1].set_ylim(-1.1, 1.1)
        axes[p, 1].set_title(f"Gamma = {gammas[p]:g}: conditional mean", fontsize=9)
        axes[p, 1].legend(fontsize=7, loc="lower right")
        B = int(bins[p])
        centres = -1 + (np.arange(B) + 0.5) * 2 / B
        axes[p, 2].errorbar(centres, occ[p, :B], yerr=occ_err[p, :B], fmt="o", ms=3, label="simulated")
        axes[p, 2].plot(centres, exact[p, :B], "-", label="Wonham law (continuum)")
        axes[p, 2].set_yscale("log")
        axes[p, 2].set_title(f"n_c occupation; MMSE {mmse[p]:.4f} +- {mmse_err[p]:.4f} (exact {mmse_exact[p]:.4f})",
                             fontsize=9)
        axes[p, 2].legend(fontsize=7)
    for ax in axes[-1, :2]:
        ax.set_xlabel("t")
    axes[-1, 2].set_xlabel("n_c")
    return fig


def fig20(run):
    betas = run.parameter("switch_beta")
    P = len(betas)
    fig, axes = plt.subplots(1, P, figsize=(7 * P, 4.5), squeeze=False)
    ini, ini_err = run.profile("initial_histogram")
    fin, fin_err = run.profile("final_histogram")
    edges, w, curves = run.dataset("histogram_edges"), run.dataset("curve_w"), run.dataset("curves")
    fixed, paper88 = run.dataset("fixed_point"), run.dataset("fixed_point_eq88_paper")
    for p in range(P):
        ax = axes[0, p]
        e = edges[p][~np.isnan(edges[p])]
        B, width = len(e) - 1, np.diff(e)
        centres = 0.5 * (e[1:] + e[:-1])
        ax.errorbar(centres, ini[p, :B] / width, yerr=ini_err[p, :B] / width, fmt="o", ms=3, color="C0",
                    label="initial, simulated")
        ax.errorbar(centres, fin[p, :B] / width, yerr=fin_err[p, :B] / width, fmt="s", ms=3, color="C1",
                    label="final, simulated")
        ax.plot(w[p], curves[p, :, 0], "-", color="C0", lw=1, label="eq. 77: N(0, D/2 gamma_w)")
        ax.plot(w[p], curves[p, :, 1], "-", color="C1", lw=1.5, label="exp(-2V/D) (the SDE's law)")
        ax.plot(w[p], curves[p, :, 2], "--", color="C2", lw=1, label="eq. 87 as printed: exp(-V/2D)")
        ax.plot(w[p], curves[p, :, 3], ":", color="C3", lw=1.2, label="eqs. 86-87 as printed (V_p)")
        ax.axvline(fixed[p], color="C1", lw=0.7)
        if not np.isnan(paper88[p]) and abs(paper88[p] - fixed[p]) > 1e-6:
            ax.axvline(paper88[p], color="C3", lw=0.7, ls=":")
        ax.set_xlabel("w")
        ax.set_ylabel("density")
        ax.set_title(f"Fig. 20: switch_beta = {betas[p]:g}, fixed point {fixed[p]:.4f} (eq. 88 printed: {paper88[p]:.4f})",
                     fontsize=9)
        ax.legend(fontsize=7)
    return fig


def filtered(run):
    """The full loop of eq. 84 over switch_rate (gamma_s) and measurement_rate (Gamma)."""
    if run.parameter("feedback") != "filtered":
        raise BadFile(f"{run.path}: feedback = {run.parameter('feedback')}, expected filtered")
    rates, gammas = (np.asarray(run.parameter(k), dtype=float) for k in ("switch_rate", "measurement_rate"))
    w, w_err = run.dataset("w_mean", float), run.dataset("w_mean_err", float)
    f, f_err = run.dataset("one_minus_nc2", float), run.dataset("one_minus_nc2_err", float)
    st_mean = run.dataset("stationary_mean", float)
    fin, fin_err = run.profile("final_histogram")
    edges, cw, curves = run.dataset("histogram_edges"), run.dataset("curve_w"), run.dataset("curves")
    beta, x, b = (np.asarray(run.parameter(k), dtype=float) for k in ("switch_beta", "input", "bias"))
    # eq. 85's factor: E[sech^2(beta A/2)] = E[1 - tanh^2] under its stationary law exp(-2V/D) (curve 1)
    dens = curves[:, :, 1]
    sech2 = 1 - np.tanh(0.5 * beta[:, None] * (cw * x[:, None] + b[:, None])) ** 2
    adiabatic = np.trapz(dens * sech2, cw, axis=1) / np.trapz(dens, cw, axis=1)

    fig, axes = plt.subplots(2, 2, figsize=(12, 8.5))
    levels = sorted(set(gammas))
    print(f"{'switch_rate':>11} {'Gamma':>6} {'<w(time)>':>20} {'<1 - n_c^2>':>18} {'eq. 85 <w>':>11}")
    for i, G in enumerate(levels):
        sel = np.flatnonzero(gammas == G)
        sel = sel[np.argsort(rates[sel])]
        for p in sel:
            print(f"{rates[p]:11g} {G:6g} {w[p]:11.4f} +- {w_err[p]:.4f} {f[p]:9.4f} +- {f_err[p]:.4f} {st_mean[p]:11.5f}")
        axes[0, 0].errorbar(rates[sel], w[sel], yerr=w_err[sel], fmt="o-", ms=4, capsize=3, color=f"C{i}",
                            label=f"filtered loop, Gamma = {G:g}")
        axes[0, 1].errorbar(rates[sel], f[sel], yerr=f_err[sel], fmt="o-", ms=4, capsize=3, color=f"C{i}",
                            label=f"<1 - n_c^2>, Gamma = {G:g}")
        ax = axes[1, min(i, 1)]
        for j, p in enumerate(sel):
            e = edges[p][~np.isnan(edges[p])]
            B, width = len(e) - 1, np.diff(e)
            centres = 0.5 * (e[1:] + e[:-1])
            ax.errorbar(centres, fin[p, :B] / width, yerr=fin_err[p, :B] / width, fmt="o", ms=2.5, color=f"C{j + 2}",
                        label=f"switch_rate = {rates[p]:g}, <w> = {w[p]:.3f}")
        ax.plot(cw[sel[0]], curves[sel[0], :, 1], "-", color="k", lw=1.2, label="eq. 85: exp(-2V/D)")
        ax.plot(cw[sel[0]], curves[sel[0], :, 0], ":", color="0.5", lw=1, label="initial: N(0, D/2 gamma_w)")
        ax.set_title(f"final weights, measurement_rate Gamma = {G:g}", fontsize=9)
        ax.set_xlabel("w(time)")
        ax.set_ylabel("density")
        ax.legend(fontsize=7)
    axes[0, 0].axhline(st_mean[0], color="k", ls="--", lw=1, label=f"eq. 85 stationary mean {st_mean[0]:.4f}")
    axes[0, 1].axhline(adiabatic[0], color="k", ls="--", lw=1,
                       label=f"eq. 85: E[sech^2(beta A/2)] = {adiabatic[0]:.3f} under exp(-2V/D)\n"
                             "(stationary: the loop's average also holds the relaxation from w(0))")
    for ax, what in ((axes[0, 0], "<w(time)>"), (axes[0, 1], "<1 - n_c^2> over [transient, time)")):
        ax.set_xscale("log")
        ax.set_xlabel("switch_rate gamma_s")
        ax.set_ylabel(what)
        ax.legend(fontsize=7)
    axes[0, 0].set_title("eq. 84, filtered feedback: final weight (the NOT gate learned: w < 0)", fontsize=9)
    axes[0, 1].set_title("the drift's factor 1 - n_c^2 (filter's MMSE where the switch is slow)", fontsize=9)
    return fig


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("figure", choices=["fig7", "fig20", "filtered"])
    ap.add_argument("file")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    run = open_model(args.file, "observed" if args.figure == "fig7" else "weightsde")
    try:
        fig = {"fig7": fig7, "fig20": fig20, "filtered": filtered}[args.figure](run)
    except BadFile as e:
        exit_on_bad_file("milburn_filter_weights.py", e)
    fig.tight_layout()
    fig.savefig(args.output, dpi=110)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
