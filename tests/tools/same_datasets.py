#!/usr/bin/python3
"""same_datasets.py A B: every dataset of A equals B's to the bit.

Same list of datasets, and for each the same type, shape, raw bytes (so -0
and +0 differ, and NaN payloads are compared, which h5diff does not do) and
the same attributes.  Prints each difference; exit 1 if there is one."""
import sys

import h5py
import numpy as np


def datasets(f):
    out = {}
    f.visititems(lambda name, obj: out.__setitem__(name, obj) if isinstance(obj, h5py.Dataset) else None)
    return out


def raw(x):
    """The bytes of a value; strings (fixed or variable length) by their text."""
    if isinstance(x, (bytes, str)):
        return x.encode() if isinstance(x, str) else x
    a = np.asarray(x)
    return repr(a.tolist()).encode() if a.dtype.kind == "O" else a.tobytes()


def main(a_path, b_path):
    bad = 0
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        da, db = datasets(a), datasets(b)
        if sorted(da) != sorted(db):
            print("  dataset lists differ:", sorted(set(da) ^ set(db)))
            bad = 1
        for name in sorted(set(da) & set(db)):
            x, y = da[name], db[name]
            if x.dtype != y.dtype or x.shape != y.shape:
                print(f"  differs: /{name} (type or shape)")
                bad = 1
            elif raw(x[()]) != raw(y[()]):
                print(f"  differs: /{name}")
                bad = 1
            elif sorted(x.attrs) != sorted(y.attrs) or any(raw(x.attrs[k]) != raw(y.attrs[k]) for k in x.attrs):
                print(f"  differs: /{name} (attributes)")
                bad = 1
        if not da:
            print("  no datasets in", a_path)
            bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
