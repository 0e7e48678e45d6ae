#!/usr/bin/python3
"""Write a small synthetic thermolearn HDF5 file (for tests of the analysis tools).

The work distributions are Gaussian and satisfy the Crooks relation exactly:
    forward  W   ~ N(dF + beta s^2/2, s^2)
    reverse  W_R ~ N(-dF + beta s^2/2, s^2)
so P_F(W) / P_R(-W) = exp(beta (W - dF)).

The layout follows the thermolearn output contract (P points, B bins, T
trajectories per direction):
    root attrs     program, version, model, n_points, trajectories, seed, input, ...
    /parameters/<name>             float64 [P]   (group attr `axes`: grid axis names)
    /work/{forward,reverse}/counts   uint64  [P,B]
    /work/{forward,reverse}/edges    float64 [P,B+1]  (reverse = -forward[::-1])
    /work/{forward,reverse}/samples  float64 [P,T]    (optional)
    /work/{forward,reverse}/moments  float64 [P,4]    (mean, variance, min, max)
    /work/{forward,reverse}/outliers uint64  [P,2]    (below, above)
    /estimates/delta_f_crossing, delta_f_bar, delta_f_bar_err  float64 [P]
    /<model>/delta_f_exact          float64 [P]   (NaN where unavailable)
Every dataset carries string attributes `description` and `units`.

Usage:  make_synthetic_h5.py OUT.h5 [--points N] [--bins B] [--trajectories T]
                             [--seed S] [--model NAME] [--no-samples]
                             [--nan-exact LIST] [--no-axes] [--program NAME]
Importable too:  from make_synthetic_h5 import make_synthetic
"""
import argparse
import sys

import h5py
import numpy as np

STR = h5py.string_dtype()


def _dset(group, name, data, description, units):
    d = group.create_dataset(name, data=data)
    d.attrs["description"] = description
    d.attrs["units"] = units
    return d


def _crossing(cf, cr_mirrored, tot_f, tot_r, edges, beta):
    """Weighted fit of ln(p_F/p_R) = beta (W - dF), slope fixed (as the engine)."""
    width = np.diff(edges)
    centres = 0.5 * (edges[:-1] + edges[1:])
    both = (cf > 0) & (cr_mirrored > 0)
    if not both.any():
        return float("nan")
    nf = cf[both].astype(float)
    nr = cr_mirrored[both].astype(float)
    pf = nf / tot_f / width[both]
    pr = nr / tot_r / width[both]
    w = 1.0 / (1.0 / nf + 1.0 / nr)
    est = centres[both] - np.log(pf / pr) / beta
    return float(np.sum(w * est) / np.sum(w))


def _bar(wf, wr, beta):
    """Bennett acceptance ratio by bisection, with the Shirts et al. error."""
    nf, nr = len(wf), len(wr)
    m = np.log(nf / nr)

    def fermi(x):
        return 0.5 * (1.0 - np.tanh(0.5 * x))  # 1/(1+e^x), overflow-safe

    def g(df):
        return np.sum(fermi(m + beta * (wf - df))) - np.sum(fermi(-m + beta * (wr + df)))

    lo = min(wf.min(), -wr.max()) - 10.0 / beta
    hi = max(wf.max(), -wr.min()) + 10.0 / beta
    glo, ghi = g(lo), g(hi)
    if glo * ghi > 0:
        return float("nan"), float("nan")
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        gm = g(mid)
        if gm * glo > 0:
            lo, glo = mid, gm
        else:
            hi = mid
    df = 0.5 * (lo + hi)
    ff = fermi(m + beta * (wf - df))
    fr = fermi(-m + beta * (wr + df))
    var = (np.mean(ff**2) / np.mean(ff) ** 2 - 1) / nf + (np.mean(fr**2) / np.mean(fr) ** 2 - 1) / nr
    return float(df), float(np.sqrt(max(var, 0.0)) / beta)


def make_synthetic(path, n_points=2, bins=40, trajectories=4000, seed=1234,
                   model="hopfield", samples=True, nan_exact=(), axes=("gamma",),
                   program="thermolearn"):
    """Write the file; returns a dict with the true dF and sigma per point."""
    rng = np.random.default_rng(seed)
    P, B, T = n_points, bins, trajectories
    gamma = np.linspace(0.2, 1.0, P) if P > 1 else np.array([0.5])
    beta = np.ones(P)
    n_neurons = np.full(P, 16.0)
    delta_f = -2.0 - 3.0 * gamma          # arbitrary smooth dependence
    sigma = 0.8 + 1.5 * gamma             # wider work distributions for larger gamma

    counts = {d: np.zeros((P, B), np.uint64) for d in ("forward", "reverse")}
    edges = {d: np.zeros((P, B + 1)) for d in ("forward", "reverse")}
    samp = {d: np.zeros((P, T)) for d in ("forward", "reverse")}
    moments = {d: np.zeros((P, 4)) for d in ("forward", "reverse")}
    outliers = {d: np.zeros((P, 2), np.uint64) for d in ("forward", "reverse")}
    crossing = np.zeros(P)
    bar = np.zeros(P)
    bar_err = np.zeros(P)

    for p in range(P):
        s2 = sigma[p] ** 2
        wf = rng.normal(delta_f[p] + beta[p] * s2 / 2, sigma[p], T)
        wr = rng.normal(-delta_f[p] + beta[p] * s2 / 2, sigma[p], T)
        # forward edges cover both P_F(W) and P_R(-W), slightly clipped so that a
        # few samples fall outside (outliers)
        lo = delta_f[p] - beta[p] * s2 / 2 - 3.2 * sigma[p]
        hi = delta_f[p] + beta[p] * s2 / 2 + 3.2 * sigma[p]
        ef = np.linspace(lo, hi, B + 1)
        er = -ef[::-1]
        for d, w, e in (("forward", wf, ef), ("reverse", wr, er)):
            c, _ = np.histogram(w, bins=e)
            # np.histogram closes the last bin; the contract is half-open [a, b)
            c[-1] -= np.count_nonzero(w == e[-1])
            counts[d][p] = c
            edges[d][p] = e
            samp[d][p] = w
            moments[d][p] = (w.mean(), w.var(ddof=1), w.min(), w.max())
            outliers[d][p] = (np.count_nonzero(w < e[0]), np.count_nonzero(w >= e[-1]))
        tot_f = counts["forward"][p].sum() + outliers["forward"][p].sum()
        tot_r = counts["reverse"][p].sum() + outliers["reverse"][p].sum()
        crossing[p] = _crossing(counts["forward"][p], counts["reverse"][p][::-1],
                                float(tot_f), float(tot_r), ef, beta[p])
        bar[p], bar_err[p] = _bar(wf, wr, beta[p])

    exact = delta_f.copy()
    for p in nan_exact:
        exact[p] = np.nan

    input_text = (
        "# synthetic input (tests/tools/make_synthetic_h5.py)\n"
        f"[model]\nname = {model}\nn_neurons = 16\n"
        f"[grid]\ngamma = {gamma[0]:g}:{gamma[-1]:g}:{P}\n"
        f"[run]\ntrajectories = {T}\nbins = {B}\nseed = {seed}\n"
    )

    with h5py.File(path, "w") as f:
        f.attrs["program"] = program
        f.attrs["version"] = "0.1.0"
        f.attrs["git_commit"] = "synthetic"
        f.attrs["model"] = model
        f.attrs["n_points"] = np.int64(P)
        f.attrs["trajectories"] = np.int64(T)
        f.attrs["bins"] = np.int64(B)
        f.attrs["seed"] = np.uint64(seed)
        f.attrs["input"] = input_text

        g = f.create_group("parameters")
        g.attrs["axes"] = np.array(list(axes), dtype=STR)
        _dset(g, "gamma", gamma, "coupling strength of the Hopfield network", "1")
        _dset(g, "beta", beta, "inverse temperature of the bath", "1/energy")
        _dset(g, "n_neurons", n_neurons, "number of neurons", "1")

        for d in ("forward", "reverse"):
            g = f.create_group(f"work/{d}")
            what = "forward work W" if d == "forward" else "reverse work W_R"
            _dset(g, "counts", counts[d], f"histogram counts of the {what}", "1")
            _dset(g, "edges", edges[d], f"bin edges of the {what}"
                  + (" (mirrored: -forward edges reversed)" if d == "reverse" else ""),
                  "energy")
            if samples:
                _dset(g, "samples", samp[d], f"samples of the {what}", "energy")
            _dset(g, "moments", moments[d], f"mean, variance, min, max of the {what}",
                  "energy, energy^2, energy, energy")
            _dset(g, "outliers", outliers[d], f"{what} below / above the edges", "1")

        g = f.create_group("estimates")
        _dset(g, "delta_f_crossing", crossing, "dF from the crossing of P_F(W) and P_R(-W)", "energy")
        _dset(g, "delta_f_bar", bar, "dF from Bennett's acceptance ratio", "energy")
        _dset(g, "delta_f_bar_err", bar_err, "standard error of the BAR estimate", "energy")

        g = f.create_group(model)
        _dset(g, "delta_f_exact", exact, "exact dF (NaN where unavailable)", "energy")

    return {"delta_f": delta_f, "sigma": sigma, "gamma": gamma,
            "crossing": crossing, "bar": bar}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--points", type=int, default=2)
    ap.add_argument("--bins", type=int, default=40)
    ap.add_argument("--trajectories", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--model", default="hopfield")
    ap.add_argument("--no-samples", action="store_true", help="omit /work/*/samples")
    ap.add_argument("--nan-exact", default="", help="comma list of points with NaN exact dF")
    ap.add_argument("--no-axes", action="store_true", help="empty /parameters axes attribute")
    ap.add_argument("--program", default="thermolearn", help="root attribute `program`")
    a = ap.parse_args(argv)
    nan_exact = [int(x) for x in a.nan_exact.split(",") if x.strip()]
    info = make_synthetic(a.out, a.points, a.bins, a.trajectories, a.seed, a.model,
                          samples=not a.no_samples, nan_exact=nan_exact,
                          axes=() if a.no_axes else ("gamma",), program=a.program)
    for p in range(a.points):
        print(f"point {p}: gamma={info['gamma'][p]:.4g} dF={info['delta_f'][p]:.4f} "
              f"crossing={info['crossing'][p]:.4f} bar={info['bar'][p]:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
