#!/usr/bin/python3
"""The 2-spin parity task of Ingrosso & Panizon, section III (Figs. 3C and 4).

Two spins, W = [[0, Js + Ja], [Js - Ja, 0]], flip rates exp(-beta s_i h_i),
h = W s + x; the steady state p(s|x) from the corrected closed form of
appendix C (README, "The asymmetric spin network"), checked here against a
numerical solution of the master equation.  The task: p(y = 1 | x) =
sigmoid(eta x1' x2'), x' = R(phi) x, with x Gaussian (unit variances,
correlation rho), integrated on a grid.  Computes I(s, y), I(s, x) and the
Schnakenberg entropy production rate Sigma = <sigma(x)>_x over the (Js, Ja)
plane, the optima of G - alpha Sigma, and the fronts (G*, Sigma*).

    spins_parity.py [-o PREFIX] [--check]

writes PREFIX_fig3c.png (max I(s,y) at equilibrium and out of it against phi)
and PREFIX_fig4.png (I(s,x), I(s,y) planes at phi = 0.5 with the optima, and
the front of Fig. 4C).  --check asserts the paper's claims: Ja* = 0 at phi = 0,
Ja* != 0 for phi > 0, and exits 1 if one fails.
"""
import argparse
import sys

import numpy as np

BETA, ETA = 3.0, 3.0
STATES = np.array([(s1, s2) for s2 in (-1, 1) for s1 in (-1, 1)], dtype=float)  # bit 0 = s1


def closed_form(js, ja, x1, x2, beta=BETA):
    """p(s|x) [4, ...]: p ~ exp(beta (x.s + Js s1 s2)) [e^{b Ja s1 s2} cosh b(x1 - 2 Ja s2) + e^{-b Ja s1 s2} cosh b(x2 + 2 Ja s1)]."""
    w = []
    for s1, s2 in STATES:
        # log-sum-exp form: cosh overflows at beta |x| > 700
        a = beta * ja * s1 * s2 + np.logaddexp(beta * (x1 - 2 * ja * s2), -beta * (x1 - 2 * ja * s2))
        b = -beta * ja * s1 * s2 + np.logaddexp(beta * (x2 + 2 * ja * s1), -beta * (x2 + 2 * ja * s1))
        w.append(beta * (x1 * s1 + x2 * s2 + js * s1 * s2) + np.logaddexp(a, b))
    w = np.array(w)
    w -= w.max(axis=0)
    p = np.exp(w)
    return p / p.sum(axis=0)


def rates(js, ja, x1, x2, beta=BETA):
    """k[state, i]: rate of flipping spin i in each state."""
    k = np.empty((4,) + np.shape(x1) + (2,))
    for b, (s1, s2) in enumerate(STATES):
        k[b, ..., 0] = np.exp(-beta * s1 * ((js + ja) * s2 + x1))
        k[b, ..., 1] = np.exp(-beta * s2 * ((js - ja) * s1 + x2))
    return k


def master_equation(js, ja, x1, x2, beta=BETA):
    """Steady state by SVD of the generator (appendix A), one x at a time."""
    k = rates(js, ja, x1, x2, beta)
    r = np.zeros((4, 4))
    for b in range(4):
        for i in range(2):
            c = b ^ (1 << i)
            r[c, b] += k[b, i]
            r[b, b] -= k[b, i]
    p = np.linalg.svd(r)[2][-1]
    return p / p.sum()


def entropy_rate(p, js, ja, x1, x2, beta=BETA):
    """Schnakenberg, eq. 1: 1/2 sum over ordered pairs of J ln(k p / k' p')."""
    k = rates(js, ja, x1, x2, beta)
    sigma = 0.0
    for b in range(4):
        for i in range(2):
            c = b ^ (1 << i)
            f, r = k[b, ..., i] * p[b], k[c, ..., i] * p[c]
            sigma = sigma + 0.5 * (f - r) * np.log(f / r)
    return sigma


def entropy(p, axis=0):
    p = np.clip(p, 1e-300, 1)
    return -(p * np.log(p)).sum(axis=axis)


def input_grid(rho, n=61, span=4.5):
    """Quadrature grid for x ~ N(0, [[1, rho], [rho, 1]]), weights summing to 1."""
    u = np.linspace(-span, span, n)
    x1, x2 = np.meshgrid(u, u, indexing="ij")
    q = (x1**2 - 2 * rho * x1 * x2 + x2**2) / (1 - rho**2)
    w = np.exp(-0.5 * q)
    return x1.ravel(), x2.ravel(), w.ravel() / w.sum()


def task(phi, x1, x2, eta=ETA):
    a = np.cos(phi) * x1 - np.sin(phi) * x2
    b = np.sin(phi) * x1 + np.cos(phi) * x2
    return 1 / (1 + np.exp(-eta * a * b))


def informations(js, ja, phi, grid):
    """I(s, y), I(s, x) and Sigma for one coupling pair."""
    x1, x2, w = grid
    p = closed_form(js, ja, x1, x2)  # [4, G]
    ps = p @ w
    py1 = task(phi, x1, x2)
    pys = np.stack([p @ (w * (1 - py1)), p @ (w * py1)])  # p(s, y) [2, 4]
    py = pys.sum(axis=1)
    i_sy = entropy(ps) - sum(py[y] * entropy(pys[y] / py[y]) for y in range(2))
    i_sx = entropy(ps) - (w * entropy(p)).sum()
    sigma = (w * entropy_rate(p, js, ja, x1, x2)).sum()
    return i_sy, i_sx, sigma


def plane(phi, grid, js_values, ja_values):
    out = np.empty((3, len(js_values), len(ja_values)))
    for a, js in enumerate(js_values):
        for b, ja in enumerate(ja_values):
            out[:, a, b] = informations(js, ja, phi, grid)
    return out


def front(g, sigma, alphas):
    """Optima of g - alpha sigma over the plane: (index, g*, sigma*) per alpha."""
    res = []
    for alpha in alphas:
        k = np.argmax(g - alpha * sigma)
        res.append((np.unravel_index(k, g.shape), g.flat[k], sigma.flat[k]))
    return res


def self_check():
    """The closed form against the master equation, to round-off."""
    worst = 0.0
    for js, ja, x1, x2 in [(0.4, 0.7, 0.3, -0.5), (-1.0, 1.5, 1.2, 0.4), (0.0, -0.6, -0.8, 2.0)]:
        worst = max(worst, np.abs(closed_form(js, ja, x1, x2) - master_equation(js, ja, x1, x2)).max())
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--prefix", default="results/spins_parity")
    ap.add_argument("--check", action="store_true", help="assert the paper's claims, no figures")
    ap.add_argument("--n", type=int, default=41, help="grid points per coupling axis")
    args = ap.parse_args()

    err = self_check()
    print(f"closed form (C1-C3, corrected) against the master equation: max |dp| = {err:.1e}")
    ok = err < 1e-12
    js_v = np.linspace(-2, 2, args.n)
    ja_v = np.linspace(-2, 2, args.n)
    step = ja_v[1] - ja_v[0]

    # Fig. 3C: independent Gaussian inputs, max I(s,y) at equilibrium (Ja = 0) and overall
    grid3 = input_grid(0.0)
    phis = np.linspace(0, np.pi / 4, 7 if args.check else 10)
    eq_best, neq_best, ja_star = [], [], []
    for phi in phis:
        pl = plane(phi, grid3, js_v, ja_v)
        k = np.unravel_index(np.argmax(pl[0]), pl[0].shape)
        neq_best.append(pl[0][k])
        ja_star.append(ja_v[k[1]])
        eq_best.append(pl[0][:, np.argmin(np.abs(ja_v))].max())
        print(f"phi = {phi:.3f}: max I(s,y) = {pl[0][k]:.4f} at Js = {js_v[k[0]]:+.2f}, Ja = {ja_v[k[1]]:+.2f};"
              f" at equilibrium {eq_best[-1]:.4f}")
    ja_star = np.array(ja_star)
    claim0 = abs(ja_star[0]) < step / 2
    claim1 = np.all(np.abs(ja_star[1:-1]) > step / 2)
    print(f"Ja* = 0 at phi = 0: {'yes' if claim0 else 'NO'};  Ja* != 0 for 0 < phi < pi/4: {'yes' if claim1 else 'NO'}"
          f" (signs {np.sign(ja_star[1:-1]).astype(int).tolist()})")
    ok = ok and claim0 and claim1
    # at phi = pi/4 the equilibrium optimum carries (nearly) no information
    print(f"equilibrium max I(s,y) at phi = pi/4: {eq_best[-1]:.2e}")
    if args.check:
        sys.exit(0 if ok else 1)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 3.5))
    ax.plot(phis, neq_best, "k-", label="non-equilibrium")
    ax.plot(phis, eq_best, "--", color="grey", label="equilibrium ($J_a = 0$)")
    ax.set_xlabel(r"rotation $\phi$")
    ax.set_ylabel(r"max $I(s, y)$ [nats]")
    ax.set_title(r"Fig. 3C: $\beta = 3$, $\eta = 3$")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.prefix + "_fig3c.png", dpi=120)

    # Fig. 4: correlated inputs rho = 0.95, phi = 0.5
    grid4 = input_grid(0.95)
    pl = plane(0.5, grid4, js_v, ja_v)
    alphas = np.concatenate([[0], np.logspace(-3, 1, 25)])
    f_sy, f_sx = front(pl[0], pl[2], alphas), front(pl[1], pl[2], alphas)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    ext = [ja_v[0], ja_v[-1], js_v[0], js_v[-1]]
    for ax, k, name, fr in [(axes[0], 1, "I(x, s)", f_sx), (axes[1], 0, "I(s, y)", f_sy)]:
        im = ax.imshow(pl[k], origin="lower", extent=ext, aspect="auto")
        fig.colorbar(im, ax=ax)
        for j, (idx, _, _) in enumerate(fr):
            ax.plot(ja_v[idx[1]], js_v[idx[0]], "o", color="white" if j == 0 else "black", ms=4)
        ax.set_xlabel("$J_a$")
        ax.set_ylabel("$J_s$")
        ax.set_title(f"{name}, $\\phi = 0.5$, $\\rho = 0.95$")
    # Fig. 4C: I(s, y) of both optima against their Sigma
    iy_sy = [pl[0][idx] for idx, _, _ in f_sy]
    iy_sx = [pl[0][idx] for idx, _, _ in f_sx]
    # I(s, x) is even in Ja here, so theta^sx optima come in +-Ja pairs of equal Sigma: sort by Sigma
    for fr, iy, style, colour, label in [(f_sy, iy_sy, "o-", "k", r"$\theta^{sy}$ (max $I(s,y) - \alpha\Sigma$)"),
                                         (f_sx, iy_sx, "o-", "grey", r"$\theta^{sx}$ (max $I(s,x) - \alpha\Sigma$)")]:
        sig = np.array([s for _, _, s in fr])
        order = np.lexsort((np.array(iy), sig))
        axes[2].plot(sig[order], np.array(iy)[order], style, color=colour, ms=3, label=label)
    axes[2].set_xlabel(r"$\Sigma$ (entropy production rate)")
    axes[2].set_ylabel(r"$I(s, y)$ [nats]")
    axes[2].set_title("Fig. 4C")
    axes[2].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(args.prefix + "_fig4.png", dpi=120)
    print(f"wrote {args.prefix}_fig3c.png and {args.prefix}_fig4.png")
    sys.exit(0 if err < 1e-12 else 1)  # the claims depend on the grid step: --check


if __name__ == "__main__":
    main()
