#!/usr/bin/python3
"""Heat-exchange fluctuation theorem from a thermolearn exchange run (Chen 2020, Fig. 5b).

For every grid point: ln P(Q)/P(-Q) in bins of |Q| (points with Poisson error
bars), the predicted line (1/T1 - 1/T2) Q and the maximum-likelihood slope
(the one `thermolearn check` judges).  The binned log ratio is for the eye
only: a least-squares fit of it is biased by the binning.

Usage:  hopfield_xft.py FILE.h5 [-o OUT.png] [--bins B]
Exit status: 0, or 2 on bad input (missing file, not an exchange run).
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thermolearn_h5 import BadFile, Run, exit_on_bad_file  # noqa: E402

PROG = "hopfield_xft.py"


def ml_slope(q):
    """ML slope of the sign of Q given |Q| (log-odds s|Q|) and its Fisher error."""
    from scipy.optimize import brentq
    q = q[q != 0]
    if np.all(q > 0) or np.all(q < 0):
        return np.nan, np.nan
    score = lambda s: np.sum(q / (1.0 + np.exp(np.clip(s * q, -700, 700))))
    lo, hi = -1.0, 1.0
    while score(lo) < 0: lo *= 2
    while score(hi) > 0: hi *= 2
    s = brentq(score, lo, hi, xtol=1e-14)
    p = 1.0 / (1.0 + np.exp(-s * q))
    return s, 1.0 / np.sqrt(np.sum(q * q * p * (1 - p)))


def log_ratio(q, bins):
    """ln(n+/n-) in bins of |Q| with both signs populated, and its Poisson error."""
    a = np.abs(q[q != 0])
    edges = np.unique(np.quantile(a, np.linspace(0, 1, bins + 1)))
    pos, _ = np.histogram(q[q > 0], edges)
    neg, _ = np.histogram(-q[q < 0], edges)
    centre, _ = np.histogram(a, edges, weights=a)
    count = pos + neg
    ok = (pos > 0) & (neg > 0)
    x = centre[ok] / count[ok]
    return x, np.log(pos[ok] / neg[ok]), np.sqrt(1.0 / pos[ok] + 1.0 / neg[ok])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("-o", "--output")
    ap.add_argument("--bins", type=int, default=25)
    args = ap.parse_args()
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    with Run(args.file) as run:
        run.require("/heat/exchange/samples", "/hopfield/beta_initial",
                    what="an exchange run with stored samples")
        q = run.samples("heat", "exchange")
        beta = run.parameter("beta")
        beta1 = run.dataset("/hopfield/beta_initial")
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for p in range(q.shape[0]):
        s_pred = beta1[p] - beta[p]
        s, err = ml_slope(q[p])
        x, y, dy = log_ratio(q[p], args.bins)
        label = f"$T_1$ = {1 / beta1[p]:g} → $T_2$ = {1 / beta[p]:g}"
        pts = ax.errorbar(x, y, dy, fmt="o", ms=3, label=label)
        xx = np.linspace(0, x.max() if x.size else 1, 50)
        ax.plot(xx, s_pred * xx, "-", color=pts[0].get_color(), lw=1,
                label=f"predicted slope {s_pred:.4f}")
        ax.plot(xx, s * xx, ":", color="k", lw=1, label=f"ML slope {s:.4f} ± {err:.4f}")
        print(f"point {p}: T1 {1 / beta1[p]:g} T2 {1 / beta[p]:g} predicted {s_pred:.5f} "
              f"ML {s:.10g} +- {err:.10g} z {(s - s_pred) / err:.2f}")
    ax.set_xlabel("|Q| (heat absorbed, energy units)")
    ax.set_ylabel("ln P(+|Q|) / P(−|Q|)")
    ax.set_title("Heat-exchange fluctuation theorem")
    ax.legend(fontsize=7)
    fig.tight_layout()
    out = args.output or args.file.rsplit(".", 1)[0] + "_xft.png"
    fig.savefig(out, dpi=120)
    print(f"wrote {out}")


if __name__ == "__main__":
    try:
        main()
    except BadFile as e:
        exit_on_bad_file(PROG, e)
