#!/usr/bin/python3
"""The 2-spin parity task of Ingrosso & Panizon, section III (Figs. 3 and 4).

A REFERENCE CALCULATION, not a reader of thermolearn output: it reads no
HDF5 file and runs no simulation.  It computes the task's exact quantities
from the closed form and the master equation, to check the paper's claims
and conventions (analysis/thermolearn_h5.py is the reader of output files).

Two spins, W = [[0, Js + Ja], [Js - Ja, 0]] (W_12 = Js + Ja: the field on
spin 1 from spin 2), flip rates exp(-beta s_i h_i), h = W s + x; the steady
state p(s|x) from the corrected closed form of appendix C (docs/models/spins.md,
"Where the engine departs from the paper"), checked here against a numerical solution of the
master equation.  The task: p(y = 1 | x) = sigmoid(eta x1' x2'), with x' the
coordinates of x in axes turned by phi (x' = R(-phi) x, R the
counterclockwise rotation), so that the picture of p(y|x) in the x plane
turns counterclockwise by phi.  That is the orientation in which the paper's
J_a* > 0 for phi > 0 holds: J_a > 0 turns the picture of p(s|x)
counterclockwise too (Fig. 3D); with x' = R(phi) x every J_a* changes sign
(I(s,y) at (phi, Js, Ja) equals I(s,y) at (-phi, Js, -Ja), the swap of the
two spins).  x is Gaussian (unit variances, correlation rho), integrated on a
grid along its principal axes.  Computes I(s, y), I(s, x) and the Schnakenberg
entropy production rate Sigma = <sigma(x)>_x over the (Js, Ja) plane, the
optima of G - alpha Sigma (grid, then refined by Nelder-Mead), and the
fronts (Sigma*, I(s,y)) of Fig. 4C.

    spins_parity.py [-o PREFIX] [--check] [--n N]

writes PREFIX_fig3.png (B: p(y=1|x) for several phi; C: max I(s,y) at
equilibrium and out of it against phi; D: p(s=(+,+)|x) at Js = 0 for
increasing Ja) and PREFIX_fig4.png (I(s,x), I(s,y) planes at phi = 0.5,
rho = 0.95 with the optima, and the front of Fig. 4C).  --check asserts the
conventions and the paper's claims (J_a* = 0 at phi = 0 and J_a* > 0 for
0 < phi < pi/4 within the grid step, theta^sy above theta^sx on the front)
without drawing, and exits 1 if one fails.
"""
import argparse
import sys

import numpy as np
from scipy.optimize import minimize, minimize_scalar

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
    """Quadrature for x ~ N(0, [[1, rho], [rho, 1]]): a uniform grid of n x n points
    over +-span standard deviations of the principal axes u = (x1 + x2)/sqrt2,
    v = (x1 - x2)/sqrt2, Gaussian weights summing to 1.  The grid is symmetric
    under x1 <-> x2 (v -> -v), so the swap symmetry holds to round-off."""
    t = np.linspace(-span, span, n)
    u, v = np.meshgrid(t * np.sqrt(1 + rho), t * np.sqrt(1 - rho), indexing="ij")
    w = np.exp(-0.5 * t[:, None] ** 2 - 0.5 * t[None, :] ** 2)
    x1, x2 = (u + v) / np.sqrt(2), (u - v) / np.sqrt(2)
    return x1.ravel(), x2.ravel(), w.ravel() / w.sum()


def rotated(phi, x1, x2):
    """x^phi: the coordinates of x in axes turned counterclockwise by phi, R(-phi) x."""
    return np.cos(phi) * x1 + np.sin(phi) * x2, -np.sin(phi) * x1 + np.cos(phi) * x2


def task(phi, x1, x2, eta=ETA):
    """p(y = 1 | x) = sigmoid(eta x1^phi x2^phi): the phi = 0 picture turned counterclockwise by phi."""
    a, b = rotated(phi, x1, x2)
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


def refine(k, alpha, phi, grid, start):
    """Maximise I_k - alpha Sigma (k = 0: I(s,y), 1: I(s,x)) by Nelder-Mead from start (Js, Ja);
    returns (Js, Ja, I(s,y), I(s,x), Sigma)."""
    def neg(t):
        r = informations(t[0], t[1], phi, grid)
        return -(r[k] - alpha * r[2])
    res = minimize(neg, start, method="Nelder-Mead", options={"xatol": 1e-5, "fatol": 1e-12})
    js, ja = res.x
    return (js, ja) + tuple(informations(js, ja, phi, grid))


def front(k, pl, js_v, ja_v, alphas, phi, grid):
    """Optima of I_k - alpha Sigma: the grid's best point refined; one row per alpha."""
    rows = []
    for alpha in alphas:
        a, b = np.unravel_index(np.argmax(pl[k] - alpha * pl[2]), pl[k].shape)
        rows.append(refine(k, alpha, phi, grid, [js_v[a], ja_v[b]]))
    return np.array(rows)


def self_check():
    """The closed form against the master equation, to round-off."""
    worst = 0.0
    for js, ja, x1, x2 in [(0.4, 0.7, 0.3, -0.5), (-1.0, 1.5, 1.2, 0.4), (0.0, -0.6, -0.8, 2.0)]:
        worst = max(worst, np.abs(closed_form(js, ja, x1, x2) - master_equation(js, ja, x1, x2)).max())
    return worst


def centroid_angle(p, x1, x2):
    """Direction (degrees) of the centre of mass of p - <p> over a square of inputs."""
    w = p - p.mean()
    return np.degrees(np.arctan2((w * x2).sum(), (w * x1).sum()))


def orientation_checks():
    """The conventions that fix the sign of J_a*.  Returns a list of (claim, ok)."""
    out = []
    # the task's picture turns counterclockwise: p_phi(R(phi) x) = p_0(x)
    rng = np.random.default_rng(1)
    x1, x2 = rng.normal(size=(2, 200))
    phi = 0.4
    r1, r2 = np.cos(phi) * x1 - np.sin(phi) * x2, np.sin(phi) * x1 + np.cos(phi) * x2
    out.append(("p(y=1|x) at phi is the phi = 0 picture turned counterclockwise by phi",
                np.abs(task(phi, r1, r2) - task(0, x1, x2)).max() < 1e-12))
    # J_a > 0 turns p(s=(+,+)|x) counterclockwise (Fig. 3D): centroid from 45 degrees towards 90
    u = np.linspace(-2.5, 2.5, 201)
    g1, g2 = np.meshgrid(u, u, indexing="ij")
    angles = [centroid_angle(closed_form(0.0, ja, g1, g2)[3], g1, g2) for ja in (0, 0.5, 1, 2)]
    print("centroid of p(s=(+,+)|x) at Js = 0, Ja = 0, 0.5, 1, 2: " + ", ".join(f"{a:.1f}" for a in angles)
          + " degrees")
    out.append(("Ja > 0 turns p(s|x) counterclockwise (Fig. 3D), by up to pi/4",
                abs(angles[0] - 45) < 1e-9 and np.all(np.diff(angles) > 5) and angles[-1] < 90))
    # swapping the spins (Ja -> -Ja) is the same as phi -> -phi; I(s,x) and Sigma are even in Ja
    grid = input_grid(0.3, n=25)
    worst = 0.0
    for js, ja, phi in [(0.3, 0.8, 0.5), (-0.7, 0.4, 0.2), (1.1, -1.3, 0.7)]:
        a = np.array(informations(js, ja, phi, grid))
        b = np.array(informations(js, -ja, -phi, grid))
        worst = max(worst, np.abs(a - b).max())
    out.append((f"I(phi, Js, Ja) = I(-phi, Js, -Ja), Sigma and I(s,x) even in Ja (max diff {worst:.1e})",
                worst < 1e-12))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--prefix", default="results/spins_parity")
    ap.add_argument("--check", action="store_true", help="assert the conventions and the paper's claims, no figures")
    ap.add_argument("--n", type=int, default=41, help="grid points per coupling axis")
    args = ap.parse_args()

    err = self_check()
    print(f"closed form (C1-C3, corrected) against the master equation: max |dp| = {err:.1e}")
    claims = [("closed form = master equation", err < 1e-12)] + orientation_checks()
    js_v = np.linspace(-2, 2, args.n)
    ja_v = np.linspace(-2, 2, args.n)
    step = ja_v[1] - ja_v[0]

    # Fig. 3C: independent Gaussian inputs, max I(s,y) at equilibrium (Ja = 0) and overall
    grid3 = input_grid(0.0)
    phis = np.linspace(0, np.pi / 4, 7 if args.check else 10)
    eq_best, neq_best, ja_star, ja_refined = [], [], [], []
    for phi in phis:
        pl = plane(phi, grid3, js_v, ja_v)
        k = np.unravel_index(np.argmax(pl[0]), pl[0].shape)
        ja_star.append(ja_v[k[1]])
        best = refine(0, 0.0, phi, grid3, [js_v[k[0]], ja_v[k[1]]])
        ja_refined.append(best[1])
        neq_best.append(best[2])
        j0 = np.argmax(pl[0][:, np.argmin(np.abs(ja_v))])
        eq = minimize_scalar(lambda js: -informations(js, 0.0, phi, grid3)[0],
                             bounds=(js_v[max(j0 - 1, 0)], js_v[min(j0 + 1, len(js_v) - 1)]), method="bounded")
        eq_best.append(max(-eq.fun, pl[0][j0, np.argmin(np.abs(ja_v))]))
        print(f"phi = {phi:.3f}: max I(s,y) = {pl[0][k]:.4f} at grid Js = {js_v[k[0]]:+.2f}, Ja = {ja_v[k[1]]:+.2f};"
              f" refined {best[2]:.4f} at Js = {best[0]:+.3f}, Ja = {best[1]:+.3f}; at equilibrium {eq_best[-1]:.4f}")
        if phi == phis[-1]:  # phi = pi/4: the plane is even in Ja, both signs are optimal
            even = np.abs(pl[0] - pl[0][:, ::-1]).max()
            claims.append((f"phi = pi/4: I(s,y) even in Ja (max diff {even:.1e})", even < 1e-12))
    ja_star = np.array(ja_star)
    claims.append((f"Ja* = 0 at phi = 0 (grid step {step:.2f})", abs(ja_star[0]) < step / 2))
    claims.append((f"Ja* > 0 for 0 < phi < pi/4 (Ja* = {', '.join(f'{j:+.2f}' for j in ja_star[1:-1])})",
                   bool(np.all(ja_star[1:-1] > step / 2))))
    ja_refined = np.array(ja_refined)
    claims.append((f"refined: |Ja*| < 1e-3 at phi = 0 ({ja_refined[0]:+.1e}), Ja* increasing on 0 < phi < pi/4 "
                   f"({', '.join(f'{j:+.3f}' for j in ja_refined[1:-1])})",
                   abs(ja_refined[0]) < 1e-3 and ja_refined[1] > 1e-3 and bool(np.all(np.diff(ja_refined[:-1]) > 0))))
    # at phi = pi/4 the equilibrium optimum carries (nearly) no information
    print(f"equilibrium max I(s,y) at phi = pi/4: {eq_best[-1]:.2e}")
    claims.append(("equilibrium I(s,y) vanishes at phi = pi/4", eq_best[-1] < 1e-6))

    # Fig. 4: correlated inputs rho = 0.95, phi = 0.5; the fronts of theta^sy and theta^sx
    grid4 = input_grid(0.95)
    pl = plane(0.5, grid4, js_v, ja_v)
    alphas = np.concatenate([[0], np.logspace(-3, 1, 25 if not args.check else 9)])
    f_sy = front(0, pl, js_v, ja_v, alphas, 0.5, grid4)
    f_sx = front(1, pl, js_v, ja_v, alphas, 0.5, grid4)
    # I(s,x) and Sigma are even in Ja: every theta^sx optimum has a mirror (Js, -Ja), optimal as well,
    # with another I(s,y).  Both branches: Ja >= 0 and Ja <= 0.
    f_sx = np.array([(js, abs(ja)) + tuple(informations(js, abs(ja), 0.5, grid4)) for js, ja in f_sx[:, :2]])
    f_sx_mirror = np.array([(js, -ja) + tuple(informations(js, -ja, 0.5, grid4)) for js, ja in f_sx[:, :2]])
    print(f"{'alpha':>8} | theta^sy: {'Js':>6} {'Ja':>6} {'I(s,y)':>7} {'Sigma':>7} | theta^sx: {'Js':>6} {'+-Ja':>6}"
          f" {'I(s,y)':>15} {'Sigma':>7}")
    for a, ry, rx, rm in zip(alphas, f_sy, f_sx, f_sx_mirror):
        print(f"{a:8.3g} |           {ry[0]:+6.3f} {ry[1]:+6.3f} {ry[2]:7.4f} {ry[4]:7.4f} |           "
              f"{rx[0]:+6.3f} {rx[1]:6.3f} {rx[2]:7.4f}/{rm[2]:7.4f} {rx[4]:7.4f}")
    claims.append((f"phi = 0.5, rho = 0.95, alpha = 0: theta^sy has Ja = {f_sy[0, 1]:+.3f} > 0",
                   f_sy[0, 1] > 1e-3))
    claims.append((f"alpha = 0: theta^sx is out of equilibrium too (|Ja| = {abs(f_sx[0, 1]):.3f})",
                   abs(f_sx[0, 1]) > 1e-3))
    # theta^sy above theta^sx: at the entropy production of each theta^sx optimum, the theta^sy front
    # (interpolated in Sigma) carries more information about y
    order = np.argsort(f_sy[:, 4])
    both = np.concatenate([f_sx, f_sx_mirror])
    inside = both[:, 4] <= f_sy[:, 4].max()
    above = np.interp(both[inside, 4], f_sy[order, 4], f_sy[order, 2]) - both[inside, 2]
    claims.append((f"Fig. 4C: theta^sy above both branches of theta^sx at equal Sigma (min gap {above.min():.4f} nats)",
                   bool(np.all(above > 0))))

    ok = True
    for text, good in claims:
        print(f"  {'ok ' if good else 'NO '} {text}")
        ok = ok and good
    if args.check:
        sys.exit(0 if ok else 1)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 4, figsize=(13, 6.4))
    u = np.linspace(-2.5, 2.5, 201)
    g1, g2 = np.meshgrid(u, u, indexing="ij")
    ext = [u[0], u[-1], u[0], u[-1]]
    for ax, phi in zip(axes[0, :3], (0, np.pi / 8, np.pi / 4)):
        ax.imshow(task(phi, g1, g2, eta=2).T, origin="lower", extent=ext, vmin=0, vmax=1, cmap="RdBu_r")
        ax.set_title(f"B: $p(y=1|x)$, $\\phi = {phi:.2f}$, $\\eta = 2$", fontsize=9)
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
    ax = axes[0, 3]
    ax.plot(phis, neq_best, "k-", label="non-equilibrium")
    ax.plot(phis, eq_best, "--", color="grey", label="equilibrium ($J_a = 0$)")
    ax.set_xlabel(r"rotation $\phi$")
    ax.set_ylabel(r"max $I(s, y)$ [nats]")
    ax.set_title(r"C: $\beta = 3$, $\eta = 3$", fontsize=9)
    ax.legend(fontsize=7)
    for ax, ja in zip(axes[1], (0, 0.5, 1, 2)):
        ax.imshow(closed_form(0.0, ja, g1, g2)[3].T, origin="lower", extent=ext, vmin=0, vmax=1)
        ax.set_title(f"D: $p(s=(+,+)|x)$, $J_s = 0$, $J_a = {ja}$", fontsize=9)
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
    fig.suptitle(r"Fig. 3: $\phi > 0$ and $J_a > 0$ both turn the pictures counterclockwise", fontsize=10)
    fig.tight_layout()
    fig.savefig(args.prefix + "_fig3.png", dpi=110)

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    ext = [ja_v[0], ja_v[-1], js_v[0], js_v[-1]]
    for ax, k, name, fr in [(axes[0], 1, "I(x, s)", f_sx), (axes[1], 0, "I(s, y)", f_sy)]:
        im = ax.imshow(pl[k], origin="lower", extent=ext, aspect="auto")
        fig.colorbar(im, ax=ax)
        ax.plot(fr[1:, 1], fr[1:, 0], "o", color="black", ms=3, label=r"$\alpha > 0$")
        ax.plot(fr[0, 1], fr[0, 0], "o", color="white", ms=5, label=r"$\alpha = 0$")
        ax.set_xlabel("$J_a$")
        ax.set_ylabel("$J_s$")
        ax.set_title(f"{'A' if k else 'B'}: {name}, $\\phi = 0.5$, $\\rho = 0.95$", fontsize=9)
    axes[0].legend(fontsize=7, loc="lower left")
    for fr, style, colour, label in [
            (f_sy, "o-", "k", r"$\theta^{sy}$ (max $I(s,y) - \alpha\Sigma$)"),
            (f_sx, "o-", "grey", r"$\theta^{sx}$ (max $I(s,x) - \alpha\Sigma$), $J_a \geq 0$"),
            (f_sx_mirror, "o--", "grey", r"$\theta^{sx}$, its mirror $J_a \leq 0$")]:
        order = np.argsort(fr[:, 4])
        axes[2].plot(fr[order, 4], fr[order, 2], style, color=colour, ms=3, label=label)
    axes[2].set_xlabel(r"$\Sigma$ (entropy production rate)")
    axes[2].set_ylabel(r"$I(s, y)$ [nats]")
    axes[2].set_title(r"C: the front, $\phi = 0.5$, $\rho = 0.95$, $\beta = \eta = 3$", fontsize=9)
    axes[2].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(args.prefix + "_fig4.png", dpi=120)
    print(f"wrote {args.prefix}_fig3.png and {args.prefix}_fig4.png")
    sys.exit(0 if err < 1e-12 else 1)  # the claims depend on the grid step: --check


if __name__ == "__main__":
    main()
