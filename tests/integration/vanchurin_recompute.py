"""Recompute a vanchurin run's spectrum from its stored weights with numpy.

Usage: vanchurin_recompute.py FILE.h5   (a run with fprime_at = unit)

With f' = 1 the spectrum of G = M^T M, M = I - w, depends on the weights
alone: build the full N x N matrix M from /vanchurin/weights, take numpy's
SVD (LAPACK, an independent path from the model's reduced matrix), and
compare log lambda, mu2 and mu3 at the last checkpoint with what the run
stored.  Also checks at every checkpoint: sum log lambda ~ 0, bulk <= boundary
on the bulk subset, and the count of non-unit eigenvalues.  Prints one PASS or
FAIL line per check; exits 1 on a failure.
"""
import sys

import h5py
import numpy as np

SERIES = ["boundary_loss", "test_boundary_loss", "train_accuracy", "test_accuracy", "bulk_loss",
          "boundary_loss_bulk_subset", "bulk_loss_se", "bulk_loss_median", "bulk_outside", "bulk_iterations",
          "bulk_unconverged", "mu2", "mu3", "log_lambda_sum", "n_nonunit", "complexity_n", "complexity_rest",
          "log_lambda_min", "log_lambda_max", "mu2_per_eigenvalue", "mu3_per_eigenvalue", "skewness", "gap_log_lambda", "beta_gap", "beta_gap_eq94", "beta_loss"]
K = {name: i for i, name in enumerate(SERIES)}


def main(path):
    failed = 0

    def check(ok, what):
        nonlocal failed
        print(("PASS: " if ok else "FAIL: ") + what)
        failed += not ok

    with h5py.File(path, "r") as f:
        g = f["vanchurin"]
        series = g["series"][...]
        for p in range(series.shape[0]):
            widths = [int(w) for w in g["widths"][p] if w > 0]
            n_dyn = int(g["n_dynamical"][p])
            s = series[p]
            check(np.all(np.abs(s[:, K["log_lambda_sum"]]) <= 1e-12 * n_dyn), f"point {p}: |sum log lambda| <= 1e-12 n_dyn")
            check(np.all(s[:, K["bulk_loss"]] <= s[:, K["boundary_loss_bulk_subset"]]), f"point {p}: bulk <= boundary")
            check(np.all(s[:, K["n_nonunit"]] == g["n_nonunit_expected"][p]), f"point {p}: count of non-unit eigenvalues")
            # the full matrix from the weights: W_1, b_1, W_2, b_2, ...
            theta = g["weights"][p]
            n = sum(widths)
            m = np.eye(n)
            at, row, col = 0, widths[0], 0
            for l in range(1, len(widths)):
                w = theta[at:at + widths[l] * widths[l - 1]].reshape(widths[l], widths[l - 1])
                at += widths[l] * widths[l - 1] + widths[l]
                m[row:row + widths[l], col:col + widths[l - 1]] = -w
                col += widths[l - 1]
                row += widths[l]
            u = np.sort(2 * np.log(np.linalg.svd(m, compute_uv=False)))[::-1]
            stored = g["log_lambda_sorted"][p, -1, :n_dyn]
            nz = u[np.abs(u) > 1e-9]
            st = stored[np.abs(stored) > 1e-9]
            check(len(nz) == len(st) and np.allclose(nz, st, rtol=0, atol=1e-9),
                  f"point {p}: log lambda from the stored weights (numpy SVD of the full {n} x {n} M)")
            for k, name in ((2, "mu2"), (3, "mu3")):
                mine = np.sum(u ** k)
                check(abs(mine - s[-1, K[name]]) <= 1e-9 * max(1.0, abs(mine)),
                      f"point {p}: {name} = {s[-1, K[name]]:.12g} recomputed {mine:.12g}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
