#!/usr/bin/python3
"""Milburn, "Thermodynamics of learning machines": figures of sections 4.1, 5 and 6.

  milburn_learning.py clock FILE.h5 -o OUT.png  escapement clock (inputs/milburn_clock.ini):
                                               E[T] against T0 and eq. 107, V[T] and the
                                               phase diffusion against eq. 108, the power
                                               given to the bath against r*^2
  milburn_learning.py wald FILE.h5 -o OUT.png   Fig. 23: period law of the phase clock
                                               (inputs/milburn_clock_wald.ini) against the
                                               Wald density, with eq. 108's variance beside
  milburn_learning.py lif FILE.h5 -o OUT.png    Fig. 25: the LIF synapse switching a clock
                                               (inputs/milburn_clock_lif.ini): the drive and
                                               E[J(t)] by quadrature, N(tau) and eq. 112 per J0
  milburn_learning.py rate FILE.h5 -o OUT.png   Fig. 26: the rate code of eq. 114
                                               (inputs/milburn_clock_rate.ini): v(t) of the
                                               noiseless clock under the square wave, the
                                               output rate per level against 1/T0(chi), the
                                               output rate and power against theta
  milburn_learning.py network FILE.h5 [FILE2.h5] -o OUT.png
                                               eq. 115: the two-input perceptron of clocks
                                               (inputs/milburn_clock_network.ini, _level.ini):
                                               E[J(tau)] and the output's N(tau) and eq. 112
                                               against the input bits, per synapse
  milburn_learning.py gate FILE.h5 -o OUT.png   Figs. 15 / 18: error against epoch of the
                                               NOT or XOR gate (inputs/milburn_not.ini,
                                               milburn_xor.ini), exact expected error with
                                               its standard error, and the final weights

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
    run = open_or_exit(path, "milburn_learning.py")
    if run.model != model:
        exit_on_bad_file("milburn_learning.py", BadFile(f"{path} holds model '{run.model}', expected '{model}'"))
    return run


def wald(t, mean, var):
    lam = mean**3 / var
    return np.sqrt(lam / (2 * np.pi * t**3)) * np.exp(-lam * (t - mean) ** 2 / (2 * mean**2 * t))


def clock(run, axes):
    chi, T = run.parameter("chi"), run.parameter("temperature")
    kappa = run.parameter("kappa")
    sigma = 2 * kappa * T
    g = {k: run.dataset(k, float) for k in ("period_mean", "period_mean_err", "period_deterministic",
                                            "interval_var", "interval_var_err", "interval_var_paper",
                                            "interval_var_averaged", "phase_diffusion", "phase_diffusion_err",
                                            "dissipation_rate", "dissipation_rate_err", "dissipation_identity",
                                            "dissipation_paper", "radius_rms")}
    for t in np.unique(T):
        s = T == t
        o = np.argsort(chi[s])
        c = chi[s][o]
        pick = lambda k: g[k][s][o]  # noqa: E731
        axes[0].errorbar(c, pick("period_mean"), yerr=pick("period_mean_err"), fmt="o", ms=4,
                         label=f"E[T], sigma = {2 * t * kappa[s][0]:g}")
        axes[1].errorbar(c, pick("interval_var") / (2 * t * kappa[s][0]), yerr=pick("interval_var_err") / (2 * t * kappa[s][0]),
                         fmt="o", ms=4, label=f"V[T]/sigma, sigma = {2 * t * kappa[s][0]:g}")
        axes[1].errorbar(c, pick("phase_diffusion") / (2 * t * kappa[s][0]),
                         yerr=pick("phase_diffusion_err") / (2 * t * kappa[s][0]), fmt="s", ms=4, mfc="none",
                         label=f"phase diffusion/sigma, sigma = {2 * t * kappa[s][0]:g}")
        axes[2].errorbar(pick("radius_rms") ** 2, pick("dissipation_rate"), yerr=pick("dissipation_rate_err"),
                         fmt="o", ms=4, label=f"-<Q>/t, sigma = {2 * t * kappa[s][0]:g}")
        axes[2].plot(pick("radius_rms") ** 2, pick("dissipation_identity"), "x", label="kappa <y^2> - sigma/2")
    s = T == T.min()
    o = np.argsort(chi[s])
    axes[0].plot(chi[s][o], g["period_deterministic"][s][o], "-", label="T0 (deterministic cycle)")
    axes[0].axhline(2 * np.pi, ls="--", c="k", label="eq. 107: 2 pi")
    axes[0].set_xlabel("chi")
    axes[0].set_ylabel("period")
    axes[0].set_title("E[T]: not 2 pi (eq. 107)", fontsize=9)
    axes[0].legend(fontsize=6)
    axes[1].plot(chi[s][o], g["interval_var_paper"][s][o] / sigma[s][o], "--", c="k", label="eq. 108: 2 pi/r*")
    axes[1].plot(chi[s][o], g["interval_var_averaged"][s][o] / sigma[s][o], ":", c="k", label="eq. 105: pi/r*^2")
    axes[1].set_yscale("log")
    axes[1].set_xlabel("chi")
    axes[1].set_ylabel("variance / sigma")
    axes[1].set_title("period variance against eq. 108 (r* = rms radius)", fontsize=9)
    axes[1].legend(fontsize=6)
    r2 = np.linspace(0, 1.1 * np.nanmax(g["radius_rms"] ** 2), 50)
    axes[2].plot(r2, kappa[0] * r2 / 2, "--", c="k", label="kappa r*^2/2 (circular cycle)")
    axes[2].set_xlabel("r*^2 = <(x - x*)^2 + y^2>")
    axes[2].set_ylabel("power to the bath")
    axes[2].set_title("dissipation against r*^2", fontsize=9)
    axes[2].legend(fontsize=6)


def wald_fig(run, ax):
    h = run.histogram("first_period", "forward")
    r = run.parameter("radius")
    mean, var = run.dataset("period_mean_exact", float), run.dataset("interval_var_exact", float)
    paper = run.dataset("interval_var_paper", float)
    for p in range(h["counts"].shape[0]):
        edges, counts = h["edges"][p], h["counts"][p]
        total = counts.sum() + h["outliers"][p].sum()
        mid = (edges[1:] + edges[:-1]) / 2
        line = ax.step(mid, counts / total / np.diff(edges), where="mid", label=f"simulated, r = {r[p]:g}")
        t = np.linspace(max(edges[0], 1e-3), edges[-1], 400)
        ax.plot(t, wald(t, mean[p], var[p]), "-", c=line[0].get_color(), lw=1,
                label=f"Wald, V = 2 pi sigma/r^2 = {var[p]:.3g} (eq. 108: {paper[p]:.3g})")
    ax.set_xlabel("period T")
    ax.set_ylabel("density")
    ax.set_title("Fig. 23: periods of the phase clock (eq. 105), omega = 1", fontsize=9)
    ax.legend(fontsize=6)


def lif(run, axes):
    p = {k: run.parameter(k) for k in ("lif_k", "lif_weight", "lif_alpha", "lif_tau", "pre_amplitude", "pre_period",
                                         "lif_threshold")}
    k, w, a, tau, lam, P = (float(p[n][0]) for n in ("lif_k", "lif_weight", "lif_alpha", "lif_tau", "pre_amplitude",
                                                     "pre_period"))
    t = np.linspace(0, tau, 4000)
    drive = k * w / (1 + np.exp(a * (t - tau))) * (1 + np.tanh(lam * np.sin(2 * np.pi * t / P)))
    mean = np.zeros_like(t)
    for i in range(1, len(t)):  # dJ/dt = -k^2 J + drive, on the plotting grid
        h = t[i] - t[i - 1]
        mean[i] = mean[i - 1] * np.exp(-k * k * h) + (1 - np.exp(-k * k * h)) / (k * k) * 0.5 * (drive[i] + drive[i - 1])
    axes[0].plot(t, drive, lw=0.7, label="drive k w h(t)(1 + m(t))")
    axes[0].plot(t, mean, label="E[J(t)]")
    J, J_err = run.dataset("lif_j_mean", float), run.dataset("lif_j_mean_err", float)
    axes[0].errorbar([tau], [J[0]], yerr=[J_err[0]], fmt="o", label="simulated J(tau)")
    for j0 in p["lif_threshold"]:
        axes[0].axhline(j0, ls=":", c="k")
    axes[0].set_xlabel("t")
    axes[0].set_title("Fig. 25: the synapse (dotted: the thresholds J0)", fontsize=9)
    axes[0].legend(fontsize=6)
    count = run.histogram("lif_count", "forward")["moments"][:, 0]
    fire = run.histogram("fire_probability", "forward")["moments"][:, 0]
    x = np.arange(len(p["lif_threshold"]))
    axes[1].bar(x - 0.2, count, 0.4, label="<N(tau)>")
    axes[1].bar(x + 0.2, fire, 0.4, label="eq. 112 firing probability")
    axes[1].set_xticks(x, [f"J0 = {v:g}" for v in p["lif_threshold"]])
    axes[1].set_title("the Hopf switch of eq. 113", fontsize=9)
    axes[1].legend(fontsize=6)


def fig26_path(gamma, kappa, chi, theta, period, duty, t_end):
    """The noiseless clock of eqs. 102-104 under chi(t) = chi (1 + theta M(t)), as the paper's Fig. 26."""
    from scipy.integrate import solve_ivp

    def rhs(t, s):
        x, y, v = s
        m = 1.0 if (t % period) < duty * period else -1.0
        return [y, -x - kappa * y + chi * (1 + theta * m) * v,
                gamma * np.exp(-x) * (1 - v) - gamma * np.exp(x) * (1 + v)]
    t_all, v_all, state = [], [], [1.0, 0.0, -np.tanh(1.0)]
    cuts = sorted(set(np.concatenate([np.arange(0, t_end, period), np.arange(duty * period, t_end, period), [t_end]])))
    for a, b in zip(cuts[:-1], cuts[1:]):  # integrate piece by piece: the coupling jumps at the edges
        sol = solve_ivp(rhs, (a, b), state, max_step=0.01, rtol=1e-9, atol=1e-11, t_eval=np.linspace(a, b, 400))
        t_all.append(sol.t), v_all.append(sol.y[2])
        state = sol.y[:, -1]
    return np.concatenate(t_all), np.concatenate(v_all)


def rate(run, axes):
    chi, theta = run.parameter("chi"), run.parameter("square_theta")
    period = run.parameter("square_period")
    gamma, kappa, duty = (float(run.parameter(k)[0]) for k in ("gamma", "kappa", "square_duty"))
    g = {k: run.dataset(k, float) for k in ("rate_high", "rate_high_err", "rate_low", "rate_low_err",
                                            "rate_high_adiabatic", "rate_low_adiabatic", "rate_out",
                                            "rate_out_err", "rate_adiabatic", "dissipation_rate",
                                            "dissipation_rate_err", "chi_hopf")}
    t, v = fig26_path(gamma, kappa, float(chi[0]), 0.5, 20.0, 0.5, 80.0)
    m = np.where((t % 20.0) < 10.0, 1.0, -1.0)
    axes[0].plot(t, v, lw=0.6, label="v(t), no noise")
    axes[0].plot(t, 0.5 * m, "k--", lw=0.8, label="M(t)/2")
    axes[0].set_xlabel("t")
    axes[0].set_title(f"Fig. 26: chi(t) = {float(chi[0]):g} (1 + 0.5 M(t)), gamma = kappa = 1", fontsize=9)
    axes[0].legend(fontsize=6, loc="lower right")
    for P in np.unique(period):
        s = period == P
        lo, hi = chi[s] * (1 - theta[s]), chi[s] * (1 + theta[s])
        axes[1].errorbar(hi, g["rate_high"][s], yerr=g["rate_high_err"][s], fmt="o", ms=4,
                         label=f"M = +1, square period {P:g}")
        axes[1].errorbar(lo, g["rate_low"][s], yerr=g["rate_low_err"][s], fmt="s", ms=4,
                         label=f"M = -1, square period {P:g}")
    levels = np.concatenate([chi * (1 - theta), chi * (1 + theta)])
    ad = np.concatenate([g["rate_low_adiabatic"], g["rate_high_adiabatic"]])
    o = np.argsort(levels)
    axes[1].plot(levels[o], ad[o], "k-", lw=0.8, label="adiabatic 1/T0(chi)")
    axes[1].axvline(g["chi_hopf"][0], ls=":", c="k", lw=0.8)
    axes[1].set_xlabel("chi level (dotted: chi_h)")
    axes[1].set_ylabel("output rate (passages / time)")
    axes[1].set_title("the rate code: output rate against the input level", fontsize=9)
    axes[1].legend(fontsize=6)
    for P in np.unique(period):
        s = period == P
        o = np.argsort(theta[s])
        axes[2].errorbar(theta[s][o], g["rate_out"][s][o], yerr=g["rate_out_err"][s][o], fmt="o-", ms=4,
                         label=f"output rate, square period {P:g}")
        axes[2].plot(theta[s][o], g["rate_adiabatic"][s][o], "k--", lw=0.8)
    axes[2].set_xlabel("theta")
    axes[2].set_ylabel("rate (dashed: duty-weighted adiabatic)")
    twin = axes[2].twinx()
    for P in np.unique(period):
        s = period == P
        o = np.argsort(theta[s])
        twin.errorbar(theta[s][o], g["dissipation_rate"][s][o], yerr=g["dissipation_rate_err"][s][o], fmt="x:",
                      ms=5, c="C3")
    twin.set_ylabel("power to the bath (x)", color="C3")
    axes[2].set_title("output rate and dissipated power against theta", fontsize=9)
    axes[2].legend(fontsize=6)


def network(runs, axes):
    for r, run in enumerate(runs):
        x1, x2 = run.parameter("net_x1"), run.parameter("net_x2")
        syn = run.parameter("net_synapse")  # a choice: one string for the run
        syn = syn.decode() if isinstance(syn, bytes) else syn if isinstance(syn, str) else str(syn[0])
        J, J_err = run.dataset("lif_j_mean", float), run.dataset("lif_j_mean_err", float)
        approx = run.dataset("network_j_approx", float)
        N, N_err = run.dataset("network_output", float), run.dataset("network_output_err", float)
        fire = run.histogram("fire_probability", "forward")["moments"][:, 0]
        labels = [f"({a:+.0f}, {b:+.0f})" for a, b in zip(x1, x2)]
        x = np.arange(len(labels)) + 0.25 * r
        axes[0].errorbar(x, J, yerr=J_err, fmt="o", label=f"E[J(tau)], {syn} synapse")
        axes[0].plot(x, approx, "k_", ms=12)
        axes[1].errorbar(x, N, yerr=N_err, fmt="o", label=f"N(tau), {syn} synapse")
        axes[1].plot(x, 10 * fire, "x", label=f"10 x eq. 112, {syn} synapse")
        axes[0].set_xticks(np.arange(len(labels)), labels)
        axes[1].set_xticks(np.arange(len(labels)), labels)
        j0 = float(run.parameter("lif_threshold")[0])
    axes[0].axhline(j0, ls=":", c="k")
    axes[0].set_xlabel("input bits (x_1, x_2)")
    axes[0].set_title("eq. 115: the synapse at tau (bars: rate approximation; dotted: J0)", fontsize=9)
    axes[0].legend(fontsize=6)
    axes[1].set_xlabel("input bits (x_1, x_2)")
    axes[1].set_title("the output clock: passages in [0, tau] and the firing probability", fontsize=9)
    axes[1].legend(fontsize=6)


def gate(run, axes):
    err, err_e = run.profile("error_exact")
    samp, samp_e = run.profile("error_sampled")
    epochs = run.dataset("record_epochs", float)
    beta = run.parameter("beta")
    for p in range(err.shape[0]):
        k = np.isfinite(epochs[p])
        axes[0].errorbar(epochs[p][k], err[p][k], yerr=err_e[p][k], fmt="-", label=f"exact, beta = {beta[p]:g}")
        axes[0].plot(epochs[p][k], samp[p][k], ".", ms=2, label=f"sampled (eq. 65), beta = {beta[p]:g}")
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel("error")
    axes[0].set_title("learning curve: exact expected error and sampled error (eq. 65)", fontsize=9)
    axes[0].legend(fontsize=6)
    w, w_e = run.profile("final_weights")
    caption = run.dataset("caption_weights", float)
    names = ["w", "b"] if w.shape[1] == 2 else ["wh11", "wh12", "wh21", "wh22", "bh1", "bh2", "wo1", "wo2", "b3"]
    x = np.arange(len(names))
    for p in range(w.shape[0]):
        axes[1].errorbar(x + 0.1 * p, w[p], yerr=w_e[p], fmt="o", ms=4, label=f"final mean, beta = {beta[p]:g}")
        axes[1].plot(x + 0.1 * p, caption[p], "x", ms=7, c="k")
    axes[1].set_xticks(x, names)
    axes[1].set_ylabel("weight")
    axes[1].set_title("final weights (x: the caption's values)", fontsize=9)
    axes[1].legend(fontsize=6)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("figure", choices=["clock", "wald", "lif", "rate", "network", "gate"])
    ap.add_argument("file")
    ap.add_argument("more", nargs="*", help="network: further files drawn beside the first")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    try:
        if a.figure == "clock":
            run = open_model(a.file, "clock")
            fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
            clock(run, axes)
        elif a.figure == "wald":
            run = open_model(a.file, "clock")
            fig, ax = plt.subplots(figsize=(7, 4.5))
            wald_fig(run, ax)
        elif a.figure == "lif":
            run = open_model(a.file, "clock")
            fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
            lif(run, axes)
        elif a.figure == "network":
            runs = [open_model(f, "clock") for f in [a.file] + a.more]
            fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
            network(runs, axes)
        elif a.figure == "rate":
            run = open_model(a.file, "clock")
            fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
            rate(run, axes)
        else:
            run = open_model(a.file, "gate")
            fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
            gate(run, axes)
    except BadFile as e:
        exit_on_bad_file("milburn_learning.py", e)
    fig.tight_layout()
    fig.savefig(a.output, dpi=120)


if __name__ == "__main__":
    main()
