"""Read thermolearn output files: the one reader of every analysis script.

    import sys; sys.path.insert(0, "analysis")        # or copy this file next to your script
    from thermolearn_h5 import Run

    with Run("results/hopfield_crooks.h5") as run:
        print(run.model, run.n_points, run.provenance["git_commit"])
        print(run.table())                             # one row per grid point
        bar = run.dataset("/estimates/delta_f_bar")    # an array that knows its units
        print(bar[0], bar.units, bar.description)
        exact = run.dataset("delta_f_exact")           # relative: /<model>/delta_f_exact
        w = run.samples("work", "forward")             # [P, S] per-trajectory values

A file that is missing, not HDF5, or not written by thermolearn raises
BadFile with a message that names the file and the problem; so does a
missing dataset.  Scripts turn it into an exit status with `open_or_exit` /
`exit_on_bad_file`.  Only h5py and numpy (Debian's python3-h5py, python3-numpy).
The layout is described in docs/hdf5-layout.md; this module is documented in
docs/reading-output.md.
"""
import os
import sys

import numpy as np

EXIT_BAD_INPUT = 2


class BadFile(Exception):
    """A file, or a part of it, that cannot be used; the message names both."""


class Dataset(np.ndarray):
    """A numpy array with the dataset's path, units and description."""

    def __new__(cls, values, path="", units="", description=""):
        obj = np.asarray(values).view(cls)
        obj.path, obj.units, obj.description = path, units, description
        return obj

    def __array_finalize__(self, obj):
        self.path = getattr(obj, "path", "")
        self.units = getattr(obj, "units", "")
        self.description = getattr(obj, "description", "")


def text(value):
    """Decode an HDF5 string attribute (str, bytes, numpy scalar or array) to str."""
    if isinstance(value, np.ndarray):
        if value.size != 1:
            return " ".join(text(v) for v in value.ravel())
        value = value.ravel()[0]
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode("utf-8", "replace").rstrip("\0")
    return str(value)


def text_list(value):
    """Decode a string-array attribute to a list of str ('' or None: [])."""
    if value is None:
        return []
    if isinstance(value, np.ndarray):
        return [text(v) for v in value.ravel() if text(v)]
    s = text(value)
    return [s] if s else []


def fmt(x):
    """A number for a label: 4 significant digits, 'nan' for NaN."""
    return f"{x:.4g}" if np.isfinite(x) else "nan"


class Run:
    """One thermolearn output file, open for reading."""

    def __init__(self, path):
        import h5py

        self.path = path
        if not os.path.exists(path):
            raise BadFile(f"{path}: no such file")
        if not os.path.isfile(path):
            raise BadFile(f"{path}: not a regular file")
        try:
            is_hdf5 = h5py.is_hdf5(path)
        except (OSError, ValueError):
            is_hdf5 = False
        if not is_hdf5:
            raise BadFile(f"{path}: not an HDF5 file")
        try:
            self.file = h5py.File(path, "r")
        except OSError as e:
            raise BadFile(f"{path}: cannot open as HDF5 ({e})")
        program = self.attr("program")
        if program != "thermolearn":
            self.file.close()
            what = "no root attribute 'program'" if program is None else f"program='{program}'"
            raise BadFile(f"{path}: not a thermolearn file ({what})")
        self.model = self.attr("model", "")
        self.n_points = int(self.number("n_points", 0))
        self.trajectories = int(self.number("trajectories", 0))

    # ---- the file ------------------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.file.close()

    def attr(self, name, default=None, obj="/"):
        """A string attribute of obj (default: the root), decoded; default if absent."""
        a = self.file[obj].attrs
        return text(a[name]) if name in a else default

    def number(self, name, default=None, obj="/"):
        """A numeric attribute of obj, as a Python number; default if absent."""
        a = self.file[obj].attrs
        return np.asarray(a[name]).ravel()[0].item() if name in a else default

    @property
    def provenance(self):
        """Who wrote the file, from what: version, git_commit, git_dirty, created, input, ..."""
        keys = ["program", "version", "git_commit", "created", "model", "model_description",
                "input_file", "input"]
        p = {k: self.attr(k) for k in keys}
        for k in ("git_dirty", "seed", "n_ranks", "n_points", "trajectories"):
            p[k] = self.number(k)
        p["input_files"] = text_list(self.file.attrs.get("input_files"))
        return p

    def has(self, path):
        return self._path(path) in self.file

    # ---- parameters ----------------------------------------------------------------
    @property
    def axes(self):
        """The grid axes, in order (the last varies fastest)."""
        if "parameters" not in self.file:
            return []
        return text_list(self.file["parameters"].attrs.get("axes"))

    def parameter(self, name):
        """A numeric parameter at every point [P], or a choice/string parameter (str)."""
        g = self.file["parameters"] if "parameters" in self.file else None
        if g is not None and name in g:
            return self.dataset(f"/parameters/{name}")
        if g is not None and name in g.attrs:
            return text(g.attrs[name])
        raise BadFile(f"{self.path}: no parameter '{name}'")

    def parameters(self):
        """Every parameter: {name: array [P]} for numbers, {name: str} for the others."""
        g = self.file["parameters"]
        p = {k: self.dataset(f"/parameters/{k}") for k in g}
        p.update({k: text(v) for k, v in g.attrs.items() if k != "axes"})
        return p

    def table(self, names=None):
        """The numeric parameters as a table, one row per point: a numpy structured
        array with a column `point` and one per name (default: the grid axes, then
        every other numeric parameter).  Print it with format_table()."""
        g = self.file["parameters"]
        if names is None:
            names = self.axes + sorted(k for k in g if k not in self.axes)
        cols = [np.arange(self.n_points)] + [np.asarray(self.parameter(n), dtype=float) for n in names]
        dtype = [("point", int)] + [(n, float) for n in names]
        return np.rec.fromarrays(cols, dtype=dtype)

    def grid_shape(self):
        """The grid as a shape: one length per axis, in order (() without axes)."""
        values = [np.asarray(self.parameter(a), dtype=float) for a in self.axes]
        shape = tuple(len(np.unique(v)) for v in values)
        ok = int(np.prod(shape)) == self.n_points
        # row-major: axis k is constant along every other axis of the grid
        for k, v in enumerate(values):
            if not ok:
                break
            g = np.moveaxis(v.reshape(shape), k, -1).reshape(-1, shape[k])
            ok = bool(np.all(g == g[0]))
        if not ok:
            raise BadFile(f"{self.path}: the parameters of the grid axes {self.axes} "
                          f"do not form a {' x '.join(map(str, shape))} grid of {self.n_points} points")
        return shape

    def on_grid(self, values):
        """Reshape a per-point array [P, ...] to [n_axis1, n_axis2, ..., ...]."""
        values = np.asarray(values)
        return values.reshape(self.grid_shape() + values.shape[1:])

    def axis_values(self, axis):
        """The values of one grid axis, in grid order."""
        v = np.asarray(self.parameter(axis))
        k = self.axes.index(axis)
        return np.moveaxis(self.on_grid(v), k, 0).reshape(self.grid_shape()[k], -1)[:, 0]

    def point_label(self, p):
        """'gamma = 0.1, field = 5': the grid parameters of point p."""
        return ", ".join(f"{a} = {fmt(float(self.parameter(a)[p]))}" for a in self.axes)

    # ---- datasets ------------------------------------------------------------------
    def _path(self, path):
        return path if path.startswith("/") else f"/{self.model}/{path}"

    def dataset(self, path, dtype=None):
        """A dataset with its units and description; a path without a leading '/'
        is the model's own (/<model>/path).  BadFile if it is missing."""
        import h5py

        full = self._path(path)
        if full not in self.file or not isinstance(self.file[full], h5py.Dataset):
            raise BadFile(f"{self.path}: no dataset {full}")
        d = self.file[full]
        values = d[()] if dtype is None else np.asarray(d[()], dtype=dtype)
        return Dataset(values, full, self.attr("units", "", full), self.attr("description", "", full))

    def require(self, *paths, what=None):
        """BadFile naming every missing dataset (what: the kind of run expected)."""
        missing = [self._path(p) for p in paths if not self.has(p)]
        if missing:
            kind = f"not {what} (" if what else "("
            raise BadFile(f"{self.path}: {kind}missing {', '.join(missing)})")

    def optional(self, path, fill=np.nan):
        """A per-point dataset [P, ...], or fill at every point where it is absent."""
        return self.dataset(path, float) if self.has(path) else np.full(self.n_points, fill)

    def directions(self, observable):
        """The directions an observable was run in ('forward', 'reverse', 'steady', ...)."""
        g = self.file.get(f"/{observable}")
        return list(g.keys()) if g is not None else []

    def histogram(self, observable, direction):
        """{'counts' [P, B], 'edges' [P, B+1], 'outliers' [P, 2], 'moments' [P, 4]}."""
        base = f"/{observable}/{direction}"
        h = {k: self.dataset(f"{base}/{k}", float) for k in ("counts", "edges")}
        P = h["counts"].shape[0]
        h["outliers"] = self.dataset(f"{base}/outliers", float).reshape(P, -1) \
            if self.has(f"{base}/outliers") else np.zeros((P, 2))
        h["moments"] = self.dataset(f"{base}/moments", float) if self.has(f"{base}/moments") \
            else np.full((P, 4), np.nan)
        return h

    def samples(self, observable, direction):
        """Per-trajectory values [P, S] (S = min(trajectories, sample_cap))."""
        path = f"/{observable}/{direction}/samples"
        if not self.has(path):
            raise BadFile(f"{self.path}: no {path} (run with [histogram] store_samples = true)")
        return self.dataset(path, float)

    def profile(self, name, direction=None):
        """A profile's mean and standard error over the trajectories, [P, dims...] each."""
        base = name if direction is None else f"{direction}/{name}"
        return self.dataset(base, float), self.dataset(f"{base}_err", float)

    def profile_samples(self, name, direction=None):
        """A profile per trajectory [P, S, dims...] (/<model>/<name>_samples), when the
        engine stored it (store_samples = true, engines that write profile samples)."""
        base = name if direction is None else f"{direction}/{name}"
        if not self.has(f"{base}_samples"):
            raise BadFile(f"{self.path}: no per-trajectory samples of the profile {self._path(base)}")
        return self.dataset(f"{base}_samples", float)


def data_arrays(path, *names):
    """Arrays of a data file (`thermolearn data ... -o FILE`, or any HDF5 table), by dataset name."""
    import h5py

    if not os.path.isfile(path):
        raise BadFile(f"{path}: no such file")
    try:
        with h5py.File(path, "r") as f:
            missing = [n for n in names if n not in f]
            if missing:
                raise BadFile(f"{path}: no dataset {', '.join(missing)}")
            return [f[n][()] for n in names]
    except OSError as e:
        raise BadFile(f"{path}: cannot open as HDF5 ({e})")


def open_or_exit(path, prog):
    """Run(path), or the message on stderr and exit status 2."""
    try:
        return Run(path)
    except BadFile as e:
        exit_on_bad_file(prog, e)


def exit_on_bad_file(prog, error):
    print(f"{prog}: error: {error}", file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)


def format_table(rows):
    """A structured array (Run.table()) as aligned text."""
    names = rows.dtype.names
    cells = [[str(n) for n in names]] + [[str(int(r[0]))] + [fmt(r[k]) for k in names[1:]] for r in rows]
    width = [max(len(c[k]) for c in cells) for k in range(len(names))]
    return "\n".join("  ".join(c[k].rjust(width[k]) for k in range(len(names))) for c in cells)


if __name__ == "__main__":
    # python3 analysis/thermolearn_h5.py OUT.h5: provenance, parameters, datasets with units.
    if len(sys.argv) != 2:
        sys.exit("usage: thermolearn_h5.py OUT.h5")
    run = open_or_exit(sys.argv[1], "thermolearn_h5.py")
    with run:
        for k, v in run.provenance.items():
            if k != "input":
                print(f"{k:18} {v}")
        print(format_table(run.table()))
        run.file.visititems(lambda n, o: print(f"/{n:40} {o.shape} ({text(o.attrs.get('units', ''))})")
                            if hasattr(o, "shape") else None)
