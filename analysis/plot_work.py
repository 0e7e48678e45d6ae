#!/usr/bin/python3
"""Plot forward and reverse work distributions from a thermolearn HDF5 file.

For every grid point (or those chosen with --points) one panel shows the
forward work density P_F(W) and the reverse density P_R(-W) as two step
histograms (Chen 2020, Fig. 3/4 style), a solid vertical line at the
crossing estimate of dF and a dashed vertical line at the exact dF (when
known).  The panel title gives the grid parameters of the point.

Usage:  plot_work.py FILE.h5 [-o OUT.png] [--points LIST] [--log]

Densities: counts / (all counts, outliers included) / bin width.  The reverse
histogram is stored on mirrored edges (reverse edges = -forward edges
reversed), so P_R(-W) on the forward bins is the reversed reverse counts.

Exit status: 0 on success, 2 on bad input (missing file, not HDF5, not a
thermolearn file, malformed layout, bad --points), 1 on other failures.
"""
import argparse
import math
import os
import re
import sys

import numpy as np


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thermolearn_h5 import EXIT_BAD_INPUT, BadFile, Run, text as _text, fmt as _fmt  # noqa: E402

PROG = "plot_work.py"
BadInput = BadFile


def parse_points(spec, n_points):
    """'0,3,5-7' -> [0, 3, 5, 6, 7]; validates the range."""
    points = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"(-?\d+)(?:-(\d+))?", part)
        if not m or (m.group(2) is not None and int(m.group(2)) < int(m.group(1))):
            raise BadInput(f"--points: cannot parse '{part}' (expected e.g. 0,3 or 2-5)")
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) is not None else lo
        points.extend(range(lo, hi + 1))
    if not points:
        raise BadInput("--points: no point given")
    bad = [p for p in points if p < 0 or p >= n_points]
    if bad:
        raise BadInput(f"--points: point {bad[0]} out of range (file has {n_points} "
                       f"points, 0..{n_points - 1})")
    return list(dict.fromkeys(points))  # de-duplicate, keep order


def read_file(path):
    """Read everything the plot needs; raises BadInput on a file we cannot use."""
    with Run(path) as run:
        d = {"path": path, "model": run.model, "version": run.attr("version", "")}
        for side in ("forward", "reverse"):
            run.require(f"/work/{side}/counts", f"/work/{side}/edges", what="a run with forward and reverse work")
            h = run.histogram("work", side)
            counts, edges = h["counts"], h["edges"]
            if counts.ndim != 2 or edges.ndim != 2 or edges.shape != (counts.shape[0], counts.shape[1] + 1):
                raise BadInput(f"{path}: malformed thermolearn file: /work/{side}/counts "
                               f"{counts.shape} and edges {edges.shape} do not match [P,B], [P,B+1]")
            d[side] = {"counts": counts, "edges": edges, "outliers": h["outliers"]}
        if d["forward"]["counts"].shape != d["reverse"]["counts"].shape:
            raise BadInput(f"{path}: malformed thermolearn file: forward and reverse "
                           "histograms differ in shape")
        n = d["forward"]["counts"].shape[0]
        if run.number("n_points") is not None and run.n_points != n:
            raise BadInput(f"{path}: malformed thermolearn file: n_points={run.n_points} "
                           f"but histograms have {n} rows")
        d["n_points"] = n
        d["units"] = d["forward"]["edges"].units.strip()

        def optional(name):
            v = np.asarray(run.optional(name)).ravel()
            return v if v.shape == (n,) else np.full(n, np.nan)

        d["crossing"] = optional("/estimates/delta_f_crossing")
        d["bar"] = optional("/estimates/delta_f_bar")
        d["bar_err"] = optional("/estimates/delta_f_bar_err")
        d["exact"] = optional("delta_f_exact") if run.model else np.full(n, np.nan)
        d["axes"] = run.axes
        d["params"] = {}
        for a in d["axes"]:
            if run.has(f"/parameters/{a}"):
                v = np.asarray(run.parameter(a)).ravel()
                if v.shape == (n,):
                    d["params"][a] = v
    return d


def densities(side, p):
    """(edges, density) of one direction at point p, normalised with outliers."""
    counts = side["counts"][p]
    edges = side["edges"][p]
    total = counts.sum() + side["outliers"][p].sum()
    width = np.diff(edges)
    with np.errstate(divide="ignore", invalid="ignore"):
        dens = np.where(width > 0, counts / total / width, 0.0) if total > 0 else np.zeros_like(counts)
    return edges, dens, total


def panel_title(d, p):
    parts = []
    for a in d["axes"]:
        if a in d["params"]:
            v = d["params"][a][p]
            parts.append(f"{a} = {_fmt(float(v))}" if np.issubdtype(np.asarray(v).dtype, np.number)
                         else f"{a} = {_text(v)}")
        else:
            parts.append(f"{a} = ?")
    return f"point {p}" + (": " + ", ".join(parts) if parts else "")


def plot(d, points, out, log):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(points)
    ncols = math.ceil(math.sqrt(n))
    nrows = math.ceil(n / ncols)
    fig, axs = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 3.6 * nrows + 0.5),
                            squeeze=False)
    u = d["units"]
    wlabel = f"W [{u}]" if u and u != "1" else "W"
    inv = u if re.fullmatch(r"\w+", u or "") else f"({u})"
    ylabel = "probability density" + (f" [1/{inv}]" if u and u != "1" else "")
    c_f, c_r = "tab:blue", "tab:red"

    for i, p in enumerate(points):
        ax = axs[i // ncols][i % ncols]
        ef, pf, nf = densities(d["forward"], p)
        er, pr_raw, nr = densities(d["reverse"], p)
        # reverse work W_R on mirrored edges -> P_R(-W) on the forward axis
        er_m = -er[::-1]
        pr = pr_raw[::-1]
        ax.stairs(pf, ef, fill=True, color=c_f, alpha=0.25, lw=0)
        ax.stairs(pf, ef, color=c_f, lw=1.4, label=r"$P_F(W)$" + f"  (N={int(nf)})")
        ax.stairs(pr, er_m, fill=True, color=c_r, alpha=0.25, lw=0)
        ax.stairs(pr, er_m, color=c_r, lw=1.4, label=r"$P_R(-W)$" + f"  (N={int(nr)})")

        cross, exact = d["crossing"][p], d["exact"][p]
        if np.isfinite(cross):
            ax.axvline(cross, color="black", lw=1.3,
                       label=r"crossing $\Delta F$ = " + _fmt(cross))
        if np.isfinite(exact):
            ax.axvline(exact, color="tab:green", lw=1.6, ls="--",
                       label=r"exact $\Delta F$ = " + _fmt(exact))
        bar, err = d["bar"][p], d["bar_err"][p]
        if np.isfinite(bar):
            txt = r"BAR $\Delta F$ = " + _fmt(bar) + (r" $\pm$ " + f"{err:.2g}" if np.isfinite(err) else "")
            ax.text(0.98, 0.97, txt, transform=ax.transAxes, ha="right", va="top",
                    fontsize=7.5, bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="0.7", alpha=0.8))

        positive = np.concatenate([pf[pf > 0], pr[pr > 0]])
        if log:
            ax.set_yscale("log")
            if positive.size:
                # headroom above the peaks for the legend and the BAR label
                ax.set_ylim(positive.min() / 3, positive.max() * 30)
        else:
            ax.set_ylim(bottom=0)
            if positive.size:
                ax.set_ylim(top=positive.max() * 1.4)  # room for the BAR label
        if nf == 0 and nr == 0:
            ax.text(0.5, 0.5, "no work samples", transform=ax.transAxes, ha="center",
                    va="center", color="0.4")
        lo = min(ef[0], er_m[0])
        hi = max(ef[-1], er_m[-1])
        if np.isfinite(lo) and np.isfinite(hi) and hi > lo:
            ax.set_xlim(lo, hi)

        ax.set_title(panel_title(d, p), fontsize=10)
        ax.set_xlabel(wlabel)
        if i % ncols == 0:
            ax.set_ylabel(ylabel)
        ax.legend(fontsize=7, loc="upper left", framealpha=0.8)
        ax.tick_params(labelsize=8)

    for j in range(n, nrows * ncols):
        axs[j // ncols][j % ncols].set_visible(False)

    head = os.path.basename(d["path"])
    if d["model"]:
        head += f" - model {d['model']}"
    fig.suptitle(f"Work distributions: {head}", fontsize=11)
    fig.tight_layout()
    dpi = 110 if n <= 16 else 80
    fig.savefig(out, dpi=dpi, format="png")
    plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog=PROG,
        description="Plot P_F(W) and P_R(-W) per grid point from a thermolearn HDF5 file.")
    ap.add_argument("file", metavar="FILE.h5", help="thermolearn output file")
    ap.add_argument("-o", "--output", metavar="OUT.png",
                    help="output PNG (default: FILE with .png)")
    ap.add_argument("--points", metavar="LIST",
                    help="comma-separated point indices (ranges a-b allowed); default: all")
    ap.add_argument("--log", action="store_true", help="logarithmic density axis")
    a = ap.parse_args(argv)

    out = a.output or (os.path.splitext(a.file)[0] + ".png")
    try:
        d = read_file(a.file)
        if d["n_points"] == 0:
            raise BadInput(f"{a.file}: file has no grid points")
        points = parse_points(a.points, d["n_points"]) if a.points is not None \
            else list(range(d["n_points"]))
    except BadInput as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (KeyError, OSError, ValueError, TypeError) as e:
        print(f"{PROG}: error: {a.file}: unreadable thermolearn file ({e})", file=sys.stderr)
        return EXIT_BAD_INPUT

    try:
        plot(d, points, out, a.log)
    except OSError as e:
        print(f"{PROG}: error: cannot write {out}: {e}", file=sys.stderr)
        return 1
    print(f"wrote {out} ({len(points)} panel{'s' if len(points) != 1 else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
