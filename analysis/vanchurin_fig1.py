"""Vanchurin Fig. 1: eq. 9.3, -Delta F against log lambda, with its true
stationary points and the paper's eq. 9.4 marked.

    /usr/bin/python3 analysis/vanchurin_fig1.py [-o results/vanchurin_fig1.png] [--n 854] [--gamma 0.3333]

Eq. 9.3 is analytic (no run needed): a fraction gamma of the N eigenvalues
at lambda = e^u and 1 - gamma at lambda^(gamma/(gamma-1)) (det G = 1):

    -Delta F(u) = (N beta / 2) [gamma / (1 + beta e^u)^2 + (1 - gamma) / (1 + beta e^(-k u))^2],  k = gamma/(1 - gamma).

u = 0 is stationary for every beta; the other stationary point solves
beta = (e^((1+k)u/3) - 1) / (e^u - e^((1-2k)u/3)), for gamma = 1/3
u* = 2 log((1 - beta)/beta), which exists only for beta < 1.  The paper's
eq. 9.4, 3 log(-1/2 + sqrt(1/4 + 1/beta)), agrees with it only at beta = 1/2.
Prints, for each beta, both points and -Delta F at u = 0 and u -> -inf; the
numbers are decided by tests/unit/test_vanchurin_spectrum.c (test_eq93).
"""
import argparse

import numpy as np


def laplacian(u, beta, gamma, n):
    k = gamma / (1 - gamma)
    return 0.5 * n * beta * (gamma / (1 + beta * np.exp(u)) ** 2 + (1 - gamma) / (1 + beta * np.exp(-k * u)) ** 2)


def slope(u, beta, gamma):
    k = gamma / (1 - gamma)
    return -np.exp(u) / (1 + beta * np.exp(u)) ** 3 + np.exp(-k * u) / (1 + beta * np.exp(-k * u)) ** 3


def stationary(beta, gamma, lo=-40.0, hi=40.0, steps=40001):
    """Roots u != 0 of d(-Delta F)/du, by bisection between sign changes on a grid."""
    u = np.linspace(lo, hi, steps) + 1.234e-4
    d = slope(u, beta, gamma)
    roots = []
    for i in np.nonzero(np.sign(d[:-1]) != np.sign(d[1:]))[0]:
        a, b = u[i], u[i + 1]
        for _ in range(200):
            m = 0.5 * (a + b)
            if np.sign(slope(m, beta, gamma)) == np.sign(slope(a, beta, gamma)):
                a = m
            else:
                b = m
        if abs(a) > 1e-6:
            roots.append(0.5 * (a + b))
    return roots


def eq94(beta):
    return 3 * np.log(-0.5 + np.sqrt(0.25 + 1 / beta))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--output", default="results/vanchurin_fig1.png")
    ap.add_argument("--n", type=float, default=854)
    ap.add_argument("--gamma", type=float, default=1 / 3)
    a = ap.parse_args()
    betas = [0.25, 0.5, 0.73, 1.0]
    print(f"eq. 9.3 with N = {a.n:g}, gamma = {a.gamma:.6g}")
    print(f"{'beta':>6} {'true u*':>10} {'eq. 9.4':>10} {'-dF(0)':>10} {'-dF(-inf)':>10}")
    for b in betas:
        roots = stationary(b, a.gamma)
        true = ", ".join(f"{r:.4f}" for r in roots) or "none"
        print(f"{b:6.2f} {true:>10} {eq94(b):10.4f} {laplacian(0, b, a.gamma, a.n):10.2f} {0.5 * a.n * b * a.gamma:10.2f}")
    print(f"phase boundary (plateau = -dF(0)): beta = gamma^-1/2 - 1 = {a.gamma ** -0.5 - 1:.4f}; "
          f"the paper's sqrt(N) - 1 = {np.sqrt(a.n) - 1:.2f} is the same boundary for gamma = 1/N")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    u = np.linspace(-8, 8, 2001)
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for b, c in zip(betas, ["C0", "C1", "C2", "C3"]):
        ax.plot(u, laplacian(u, b, a.gamma, a.n), color=c, label=f"beta = {b:g}")
        for r in stationary(b, a.gamma):
            ax.plot(r, laplacian(r, b, a.gamma, a.n), "o", color=c)
        ax.plot(eq94(b), laplacian(eq94(b), b, a.gamma, a.n), "x", color=c, ms=8)
    ax.set_xlabel("log lambda")
    ax.set_ylabel("-Delta F (eq. 9.3)")
    ax.set_title(f"Fig. 1: o true stationary points, x eq. 9.4 (N = {a.n:g}, gamma = {a.gamma:.3g})", fontsize=9)
    ax.legend()
    fig.tight_layout()
    fig.savefig(a.output, dpi=120)
    print(f"wrote {a.output}")


if __name__ == "__main__":
    main()
