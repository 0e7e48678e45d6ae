#!/usr/bin/python3
"""Milburn, "Thermodynamics of learning machines": the sample-path figures.

Each input runs a few trajectories with `path_samples` and [histogram]
store_samples, so /<model>/path_samples [point, trajectory, time, component]
holds every stored trajectory's sampled path.

  milburn_paths.py fig4 FILE.h5 -o OUT.png   double well (inputs/milburn_doublewell_paths.ini):
                                             x(t) of the sample paths per noise level, bias beside
  milburn_paths.py fig5 FILE.h5 -o OUT.png   two-state switch (inputs/milburn_twostate_paths.ini):
                                             the rates mu(t), nu(t) and the sample paths n(t)
  milburn_paths.py fig21 FILE.h5 -o OUT.png  escapement clock (inputs/milburn_clock_paths.ini):
                                             v(t) and x(t) per point (Fig. 21 deterministic,
                                             Fig. 22 noisy)
  milburn_paths.py fig25 FILE.h5 -o OUT.png  LIF-switched clock (inputs/milburn_clock_lif_paths.ini):
                                             J(t) and 10 v(t) per threshold J0
  milburn_paths.py fig26 FILE.h5 -o OUT.png  rate-coded clock (inputs/milburn_clock_square_paths.ini):
                                             v(t) and the square wave M(t) per point (temperature)

Exit status 2 when the file is not of the expected model or holds no sample paths.
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

NAME = "milburn_paths.py"
COLORS = ["C0", "C1", "C2", "C3", "C4"]


def open_paths(path, model):
    run = open_or_exit(path, NAME)
    if run.model != model:
        exit_on_bad_file(NAME, BadFile(f"{path} holds model '{run.model}', expected '{model}'"))
    if not run.has(f"/{model}/path_samples"):
        exit_on_bad_file(NAME, BadFile(f"{path} holds no /{model}/path_samples: run with path_samples > 0 and "
                                       "[histogram] store_samples = true"))
    return run


def par(run, name, p):
    return float(run.dataset(f"/parameters/{name}")[p])


def fig4(run, axes):
    paths = run.dataset("/doublewell/path_samples")
    P, S, J = paths.shape[0], paths.shape[1], paths.shape[2]
    for p, ax in zip(range(P), axes):
        time, dt = par(run, "time", p), par(run, "dt", p)
        steps = max(1, int(np.ceil(time / dt * (1 - 1e-12))))
        t = np.round(steps * np.arange(1, J + 1) / J) * (time / steps)
        for s in range(S):
            ax.plot(t, paths[p, s, :, 0], color=COLORS[s % 5], lw=0.8, label=f"sample {s + 1}")
        ramp = par(run, "ramp_time", p)
        l0, l1 = par(run, "lambda_start", p), par(run, "lambda_end", p)
        lam = l0 + (l1 - l0) * np.minimum(t / ramp, 1) if ramp > 0 else np.full_like(t, l1)
        ax.plot(t, lam, "k--", lw=1, label="bias lambda(t)")
        ax.axhline(0, color="grey", lw=0.5)
        ax.set_title(f"T = D = {par(run, 'temperature', p):g}")
        ax.set_xlabel("t")
        ax.set_ylabel("x(t)")
        ax.set_ylim(-1.4, 1.4)
    axes[0].legend(fontsize=7, loc="lower right")


def twostate_rates(run, t):
    mu, nu, t0, width = (par(run, k, 0) for k in ("rate_up", "rate_down", "t0", "width"))
    f = 1 / (1 + np.exp(-(t - t0) / width))
    return mu + f * (nu - mu), nu - f * (nu - mu)


def fig5(run, axes):
    paths = run.dataset("/twostate/path_samples")
    S, J = paths.shape[1], paths.shape[2]
    time = par(run, "time", 0)
    t = time * np.arange(1, J + 1) / J
    mu, nu = twostate_rates(run, t)
    axes[0].plot(t, mu, label="mu(t): -1 -> +1")
    axes[0].plot(t, nu, label="nu(t): +1 -> -1")
    axes[0].set_xlabel("t")
    axes[0].set_ylabel("rate")
    axes[0].set_title("the sigmoid swap of the rates (eq. 9)")
    axes[0].legend()
    shown = min(S, 3)
    for s in range(shown):
        axes[1].step(t, paths[0, s, :, 0] + 2.6 * (shown - 1 - s), where="post", color=COLORS[s], lw=0.9,
                     label=f"sample {s + 1}")
    axes[1].set_yticks([2.6 * k + d for k in range(shown) for d in (-1, 1)])
    axes[1].set_yticklabels(["-1", "+1"] * shown)
    axes[1].set_xlabel("t")
    axes[1].set_ylabel("n(t), sample paths (offset)")
    axes[1].set_title("sample paths n(t) (exact thinning)")
    axes[1].legend(fontsize=7, loc="upper right")


def clock_times(run, p, J, lif, square=False):
    dt = par(run, "dt", p)
    if lif:
        steps = round(par(run, "lif_tau", p) / dt)
    elif square:  # the whole steps nearest square_cycles periods of M
        steps = round(par(run, "square_cycles", p) * par(run, "square_period", p) / dt)
    else:  # [0, transient + periods T0], T0 the deterministic period
        steps = round((par(run, "transient", p) + par(run, "periods", p) * float(run.dataset("/clock/period_deterministic")[p])) / dt)
    return np.round(steps * np.arange(1, J + 1) / J) * dt


def fig21(run, axes):
    paths = run.dataset("/clock/path_samples")
    P, S, J = paths.shape[0], paths.shape[1], paths.shape[2]
    for p in range(P):
        t = clock_times(run, p, J, False)
        ax = axes[p]
        gamma, T = par(run, "gamma", p), par(run, "temperature", p)
        for s in range(min(S, 2)):
            ax.plot(t, paths[p, s, :, 2], color=COLORS[s], lw=0.8, label=f"v(t), sample {s + 1}")
        ax.plot(t, paths[p, 0, :, 0] / 10, color="k", lw=0.6, alpha=0.6, label="x(t)/10, sample 1")
        ax.set_xlim(0, min(t[-1], 25))
        tag = "Fig. 21: " if gamma == 1 and T < 1e-3 else "Fig. 22: " if gamma == 10 and T > 1e-3 else ""
        ax.set_title(f"{tag}gamma = {gamma:g}, chi = {par(run, 'chi', p):g}, eps = {par(run, 'bias', p):g}, "
                     f"sigma = {2 * par(run, 'kappa', p) * T:g}", fontsize=9)
        ax.set_xlabel("t")
        ax.legend(fontsize=7, loc="lower right")


def fig25(run, axes):
    paths = run.dataset("/clock/path_samples")
    P, S, J = paths.shape[0], paths.shape[1], paths.shape[2]
    for p in range(P):
        t = clock_times(run, p, J, True)
        ax = axes[p]
        for s in range(S):
            ax.plot(t, 10 * paths[p, s, :, 2], color=COLORS[s], lw=0.6, alpha=0.7,
                    label="10 v(t)" if s == 0 else None)
            ax.plot(t, paths[p, s, :, 3], color="k", lw=1.2, label="J(t)" if s == 0 else None)
        j0 = par(run, "lif_threshold", p)
        ax.axhline(j0, color="r", ls="--", lw=1, label=f"J0 = {j0:g}")
        ax.set_title(f"threshold J0 = {j0:g}: {S} sample paths")
        ax.set_xlabel("t")
        ax.legend(fontsize=7, loc="lower left")


def fig26(run, axes):
    paths = run.dataset("/clock/path_samples")
    P, S, J = paths.shape[0], paths.shape[1], paths.shape[2]
    for p in range(P):
        t = clock_times(run, p, J, False, square=True)
        ax = axes[p]
        for s in range(min(S, 2)):
            ax.plot(t, paths[p, s, :, 2], color=COLORS[s], lw=0.7, alpha=0.8, label=f"v(t), sample {s + 1}")
        ax.plot(t, 1.2 + 0.1 * paths[p, 0, :, 3], color="k", lw=1.2, label="1.2 + M(t)/10")
        chi, theta, T = par(run, "chi", p), par(run, "square_theta", p), par(run, "temperature", p)
        hi, lo = float(run.dataset("/clock/rate_high")[p]), float(run.dataset("/clock/rate_low")[p])
        ax.set_title(f"chi(t) = {chi:g} (1 + {theta:g} M(t)), T = {T:g}: rate {hi:.3f} (M = +1), {lo:.3f} (M = -1)",
                     fontsize=9)
        ax.set_xlabel("t")
        ax.set_ylim(-1.1, 1.45)
        ax.legend(fontsize=7, loc="lower left", ncol=3)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("figure", choices=["fig4", "fig5", "fig21", "fig25", "fig26"])
    ap.add_argument("file")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    model = {"fig4": "doublewell", "fig5": "twostate"}.get(args.figure, "clock")
    run = open_paths(args.file, model)
    P = int(run.dataset(f"/{model}/path_samples").shape[0])
    if args.figure == "fig5":
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
        fig5(run, axes)
    elif args.figure == "fig4":
        fig, axes = plt.subplots(1, P, figsize=(5 * P, 4), squeeze=False)
        fig4(run, axes[0])
    elif args.figure == "fig21":
        fig, axes = plt.subplots(1, P, figsize=(4.5 * P, 4), squeeze=False)
        fig21(run, axes[0])
    elif args.figure == "fig26":
        fig, axes = plt.subplots(P, 1, figsize=(11, 3.2 * P), squeeze=False)
        fig26(run, axes[:, 0])
    else:
        fig, axes = plt.subplots(1, P, figsize=(6 * P, 4), squeeze=False)
        fig25(run, axes[0])
    fig.tight_layout()
    fig.savefig(args.output, dpi=110)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
