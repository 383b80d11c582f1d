"""List the public names of real JAX's modules that jaxlite does not provide.

    python tools/missing_names.py            # summary per module
    python tools/missing_names.py -v         # also list the missing names

Needs real JAX installed (it is the reference); jaxlite itself never imports it.
"""
from __future__ import annotations

import importlib
import sys

MODULES = ["", ".numpy", ".numpy.linalg", ".numpy.fft", ".lax", ".nn", ".nn.initializers", ".random",
           ".scipy.special", ".scipy.linalg", ".scipy.stats.norm", ".tree", ".tree_util", ".dtypes",
           ".sharding", ".debug", ".errors"]


def public_names(mod):
    return {n for n in dir(mod) if not n.startswith("_")}


def compare(suffix):
    try:
        ref = importlib.import_module("jax" + suffix)
    except ImportError:
        return None
    try:
        ours = importlib.import_module("jaxlite" + suffix)
    except ImportError:
        return sorted(public_names(ref)), len(public_names(ref))
    missing = sorted(n for n in public_names(ref) if not hasattr(ours, n))
    return missing, len(public_names(ref))


def main(argv):
    verbose = "-v" in argv
    rows = []
    for suffix in MODULES:
        res = compare(suffix)
        if res is None:
            continue
        missing, total = res
        rows.append((("jax" + suffix), len(missing), total))
        if verbose and missing:
            print(f"jax{suffix}: " + ", ".join(missing))
    print(f"{'module':28} {'missing':>8} {'total':>6} {'missing %':>9}")
    for name, m, t in rows:
        print(f"{name:28} {m:8d} {t:6d} {100 * m / max(t, 1):8.1f}%")


if __name__ == "__main__":
    main(sys.argv[1:])
