"""Timing helper shared by the benchmarks (run on demand, never part of the test suite).

Every benchmark case is written once against the JAX API and built twice: with ``jaxlite`` and, when it
is installed, with real ``jax`` -- both run in the same process, so their ratio is measured under the
same machine load. A plain NumPy version of the same computation is timed as well where one exists.

Timing: each implementation is warmed up (tracing, compilation, caches), then the number of calls per
sample is calibrated so that one sample takes ``--min-time`` seconds; ``--repeat`` samples are taken,
*interleaved* between jaxlite, JAX and NumPy so that load changes hit all of them alike, and the best
(default) or median per-call time is reported. Garbage collection is off while a sample runs, as in
``timeit``.

JAX is imported only here, and only if present: ``--no-jax`` skips it.
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

# The benchmarks import ``jaxlite`` from the checkout they live in.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)


@dataclass
class Case:
    """One benchmark. ``build(jax)`` gets the ``jax`` or ``jaxlite`` module and returns a zero-argument
    callable that runs the measured work once and blocks on its result. ``numpy`` is an optional
    zero-argument callable doing the same computation in plain NumPy. ``target`` is the issue's target
    for jaxlite/JAX (shown in the table). ``skip`` is a reason not to run the case (or None)."""
    name: str
    build: Callable
    numpy: Optional[Callable] = None
    target: Optional[float] = None
    skip: Optional[str] = None
    note: str = ""


@dataclass
class Row:
    name: str
    times: dict = field(default_factory=dict)  # "jaxlite"/"jax"/"numpy" -> seconds per call
    target: Optional[float] = None
    skip: Optional[str] = None

    def ratio(self, a, b):
        ta, tb = self.times.get(a), self.times.get(b)
        if ta is None or tb is None or tb == 0:
            return None
        return ta / tb


def load_jax():
    """Real JAX if installed (CPU), else None."""
    try:
        import jax
    except ImportError:
        return None
    return jax


def _sample(fn, number):
    gc_was = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        return time.perf_counter() - t0
    finally:
        if gc_was:
            gc.enable()


def _calibrate(fn, min_time):
    """Calls per sample so that a sample takes about ``min_time`` seconds."""
    number = 1
    while True:
        t = _sample(fn, number)
        if t >= min_time or number >= 1 << 20:
            return number
        number = max(number * 2, int(number * min_time / max(t, 1e-9) * 1.1))


def time_impls(impls: dict, repeat=15, min_time=0.01, warmup=3, stat="best"):
    """Seconds per call of each zero-argument callable in ``impls`` (name -> fn), interleaved."""
    for fn in impls.values():
        for _ in range(warmup):
            fn()
    numbers = {k: _calibrate(fn, min_time) for k, fn in impls.items()}
    samples = {k: [] for k in impls}
    for _ in range(repeat):
        for k, fn in impls.items():
            samples[k].append(_sample(fn, numbers[k]) / numbers[k])
    reduce = min if stat == "best" else statistics.median
    return {k: reduce(v) for k, v in samples.items()}


def run_case(case: Case, jax_mod, args) -> Row:
    import jaxlite
    row = Row(case.name, target=case.target, skip=case.skip)
    if case.skip:
        return row
    impls = {}
    try:
        impls["jaxlite"] = case.build(jaxlite)
    except NotImplementedError as e:  # a feature jaxlite does not have yet
        row.skip = f"not implemented: {e}"
        return row
    if jax_mod is not None:
        impls["jax"] = case.build(jax_mod)
    if case.numpy is not None and not args.no_numpy:
        impls["numpy"] = case.numpy
    row.times = time_impls(impls, repeat=args.repeat, min_time=args.min_time, stat=args.stat)
    return row


def _fmt_time(t):
    if t is None:
        return "-"
    if t < 1e-3:
        return f"{t * 1e6:.1f} us"
    if t < 1:
        return f"{t * 1e3:.2f} ms"
    return f"{t:.2f} s"


def _fmt_ratio(r):
    return "-" if r is None else f"{r:.2f}x"


def print_table(rows, file=None):
    file = file or sys.stdout
    head = ("case", "jaxlite", "JAX", "NumPy", "jaxlite/JAX", "target", "jaxlite/NumPy")
    lines = []
    for r in rows:
        if r.skip:
            lines.append((r.name, f"skipped: {r.skip}", "", "", "", "", ""))
            continue
        ratio = r.ratio("jaxlite", "jax")
        tgt = "-" if r.target is None else f"<= {r.target:g}x"
        if r.target is not None and ratio is not None:
            tgt += " ok" if ratio <= r.target else " MISSED"
        lines.append((r.name, _fmt_time(r.times.get("jaxlite")), _fmt_time(r.times.get("jax")),
                      _fmt_time(r.times.get("numpy")), _fmt_ratio(ratio), tgt,
                      _fmt_ratio(r.ratio("jaxlite", "numpy"))))
    widths = [max(len(h), *(len(l[i]) for l in lines if not l[1].startswith("skipped") or i == 0))
              if lines else len(h) for i, h in enumerate(head)]
    fmt = "  ".join("{:<%d}" % widths[0] if i == 0 else "{:>%d}" % w for i, w in enumerate(widths))
    print(fmt.format(*head), file=file)
    print("  ".join("-" * w for w in widths), file=file)
    for l in lines:
        if l[1].startswith("skipped"):
            print(f"{l[0]:<{widths[0]}}  {l[1]}", file=file)
        else:
            print(fmt.format(*l), file=file)


def parser(description=""):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--repeat", type=int, default=15, help="samples per implementation (default 15)")
    p.add_argument("--min-time", type=float, default=0.01,
                   help="seconds per sample; calls per sample are calibrated to it (default 0.01). "
                        "Short samples make the best-of-N robust to a busy machine.")
    p.add_argument("--stat", choices=("best", "median"), default="best",
                   help="per-call time reported: best (default) or median of the samples")
    p.add_argument("--no-jax", action="store_true", help="do not import or time real JAX")
    p.add_argument("--no-numpy", action="store_true", help="do not time the plain NumPy versions")
    p.add_argument("-k", dest="filter", default=None, help="only cases whose name contains this")
    p.add_argument("--quick", action="store_true", help="repeat 5, min-time 0.005 (a smoke run)")
    p.add_argument("--blas-threads", type=int, default=None,
                   help="limit NumPy's BLAS to this many threads (threadpoolctl, or "
                        "OPENBLAS_NUM_THREADS before NumPy is imported); default: BLAS's own choice")
    return p


def limit_blas_threads(n):
    """Limit the BLAS thread pool(s) NumPy uses to ``n`` threads; returns a description."""
    if n is None:
        return "BLAS threads: library default"
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        if "numpy" in sys.modules:
            return f"BLAS threads: could not limit to {n} (install threadpoolctl)"
        for var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
            os.environ[var] = str(n)
        return f"BLAS threads: {n} (environment)"
    global _blas_limit  # keep the limiter alive for the whole run
    _blas_limit = threadpool_limits(limits=n, user_api="blas")
    return f"BLAS threads: {n} (threadpoolctl)"


_blas_limit = None


def machine_info(with_jax=True):
    import platform
    import numpy as np
    jax = load_jax() if with_jax else None
    try:
        load = "load average %.1f" % os.getloadavg()[0]
    except OSError:
        load = ""
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {load}; "
            f"numpy {np.__version__}" + (f", jax {jax.__version__}" if jax else ", jax not installed"))


def main(cases_fn, description="", argv=None):
    """Parse the command line, run ``cases_fn()`` (a list of Case) and print the table."""
    args = parser(description).parse_args(argv)
    if args.quick:
        args.repeat, args.min_time = 5, 0.005
    print(limit_blas_threads(args.blas_threads), "|", machine_info(not args.no_jax))
    rows = run(cases_fn(), args)
    print_table(rows)
    return rows


def run(cases, args):
    jax_mod = None if args.no_jax else load_jax()
    rows = []
    for case in cases:
        if args.filter and args.filter not in case.name:
            continue
        rows.append(run_case(case, jax_mod, args))
    return rows


def block(jax, out):
    """Wait for a result (no-op for jaxlite, which computes synchronously)."""
    return jax.block_until_ready(out)


def is_jaxlite(jax):
    return jax.__name__ == "jaxlite"


def numba_tier_skip():
    """Why a numba-tier case cannot run (numba missing), or None."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return "numba not installed (pip install 'jaxlite[fast]')"
    return None


def on_numba_tier(jax, make, *args):
    """For jaxlite: ``make(jax)`` (a jitted function) lowered and compiled under the numba tier, called
    once so that its kernels start compiling, and returned once they are ready. For JAX: ``make(jax)``."""
    f = make(jax)
    if not is_jaxlite(jax):
        return f
    from jaxlite._src.backend import numba_backend
    with jax.config.override("jaxlite_backend", "numba"):
        compiled = f.lower(*args).compile()  # bound to the numba tier's program
        compiled(*args)
        numba_backend.wait_all()
    return compiled
