"""The numba tier (optional, the ``[fast]`` extra): native kernels for the equations NumPy runs slowly.

Selected with ``jax.config.update("jaxlite_backend", "numba")`` (or ``JAXLITE_BACKEND=numba``). Programs
are still compiled by the NumPy backend (numpy_backend.compile_jaxpr); for each equation it first asks
this module for a *numba lowering* -- ``rule(eqn) -> callable | None``, registered in ``numba_lowerings``
under the primitive object -- and falls back to its own lowering equation by equation when there is none.

Kernels are tiered: a kernel is compiled by numba on a background thread the first time a program needs
it, and until it is ready the lowering runs the NumPy code it replaces, so no call waits for a compiler.
Every kernel computes exactly what the NumPy code computes (the same float operations in the same order,
no fast-math), so switching tiers never changes a value -- except the last bit of a transcendental
function inside a native loop (below).

What has a kernel: batched outer products (``dot_general`` with nothing to contract, e.g. the
per-example gradients of ``vmap(grad(f))``), written in one parallel pass over the output; xla_math's
float32 log/log1p/exp/erf_inv (registered by xla_math itself, used by the random samplers); and the
kernels numba_native.py generates from element rules: runs of elementwise equations fused into one loop
over the elements (NumPy's transcendental functions stay between them), and ``scan``/``fori_loop``/
``while_loop`` whose bodies are elementwise code on scalars (or on arrays of one shape) compiled into one
native loop. Transcendental functions inside native loops call the C library, which may differ from
NumPy's routines in the last bit; everything else gives the NumPy backend's bits.
"""
from __future__ import annotations

import threading

import numpy as np

numba_lowerings: dict = {}

_numba = None


def numba_module():
    """The numba module, or an ImportError saying how to install it."""
    global _numba
    if _numba is None:
        try:
            import numba
        except ImportError as e:
            raise ImportError("jaxlite_backend='numba' needs numba: pip install 'jaxlite[fast]' "
                              "(or pip install numba), or use jaxlite_backend='numpy'") from e
        _numba = numba
    return _numba


def available() -> bool:
    try:
        numba_module()
    except ImportError:
        return False
    return True


class TieredKernel:
    """A numba kernel built by ``build(numba)`` on a background thread, started by the first ``get``.

    ``get()`` returns the compiled kernel, or None while it is being compiled (the caller then runs its
    NumPy code). A build that fails leaves the NumPy code in place for good (``error`` keeps why)."""

    def __init__(self, name, build):
        self.name = name
        self._build = build
        self._kernel = None
        self._thread = None
        self._lock = threading.Lock()
        self.error = None

    def _compile(self):
        try:
            self._kernel = self._build(numba_module())
        except Exception as e:  # noqa: BLE001 -- reported through .error, NumPy keeps serving
            self.error = e

    def start(self):
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._compile, name=f"jaxlite-numba-{self.name}",
                                                daemon=True)
                self._thread.start()

    def get(self):
        kernel = self._kernel
        if kernel is None and self._thread is None:
            self.start()
        return kernel

    def wait(self, timeout=None):
        """Block until the kernel is compiled (tests and benchmarks); returns it, or None if it failed."""
        self.start()
        self._thread.join(timeout)
        return self._kernel


_kernels: list = []


def kernel(name):
    """Decorator: register ``build(numba) -> kernel`` as a TieredKernel named ``name``."""
    def register(build):
        k = TieredKernel(name, build)
        _kernels.append(k)
        return k
    return register


def wait_all(timeout=None):
    """Compile every registered kernel now and wait for them (benchmarks and tests use this), also the
    kernels generated for programs (native loops, fused chains) compiled so far."""
    for k in list(_kernels):
        k.wait(timeout)


def lower(eqn):
    """The numba lowering of ``eqn``, or None (then the NumPy backend lowers it)."""
    rule = numba_lowerings.get(eqn.primitive)
    return rule(eqn) if rule is not None else None


_installed = False


def install():
    """Register the rules (the lax modules are imported first) and make sure numba can be imported."""
    global _installed
    numba_module()
    if _installed:
        return
    _installed = True
    from jaxlite._src.backend import numba_native
    from jaxlite._src.lax import linalg
    numba_lowerings.setdefault(linalg.dot_general_p, _dot_general_numba)
    numba_lowerings.setdefault(numba_native.fused_p, lambda eqn: eqn.params["kernel"])


def fuse(eqns, outvars, fusion_rules):
    """``eqns`` with runs of elementwise equations fused into numba kernels (numba_native.fuse)."""
    from jaxlite._src.backend import numba_native
    return numba_native.fuse(eqns, outvars, fusion_rules)


def native_loop(kind, *args):
    """The loop (``kind`` 'scan' or 'while', with numba_native's arguments) as a native numba loop,
    or None if its body has equations the tier cannot compile element by element."""
    numba_module()
    from jaxlite._src.backend import numba_native
    try:
        return (numba_native.native_scan if kind == "scan" else numba_native.native_while)(*args)
    except Exception:  # noqa: BLE001 -- a body the generator does not handle: the NumPy loop runs
        return None


# ---------------------------------------------------------------------------------------------------
# dot_general: batched outer products
# ---------------------------------------------------------------------------------------------------

# Below this many output bytes one thread writes the product (starting the parallel region costs more).
_PARALLEL_MIN_BYTES = 1 << 20


@kernel("outer")
def _outer_kernels(numba):
    def outer(a, c, out):
        for i in numba.prange(a.shape[0]):
            for j in range(a.shape[1]):
                s = a[i, j]
                for k in range(c.shape[1]):
                    out[i, j, k] = s * c[i, k]
    sigs = [f"void({t}[:, ::1], {t}[:, ::1], {t}[:, :, ::1])" for t in ("float32", "float64")]
    return _njit(numba, outer, sigs), _njit(numba, outer, sigs, parallel=True)


def _njit(numba, fn, sigs, **options):
    """``numba.njit(sigs)(fn)`` compiled now, cached on disk when numba can write its cache (next to this
    file or in the user's cache directory), else compiled without a cache."""
    try:
        return numba.njit(sigs, nogil=True, cache=True, **options)(fn)
    except Exception:  # noqa: BLE001 -- e.g. no writable cache location: compile every session instead
        return numba.njit(sigs, nogil=True, **options)(fn)


# numba's default threading layer (workqueue) must not be entered by two threads at once
_parallel_lock = threading.Lock()


def _dot_general_numba(eqn):
    from jaxlite._src.backend import numpy_backend
    x, y = (v.aval for v in eqn.invars)
    (xc, yc), (xb, yb) = eqn.params["dimension_numbers"]
    pet = eqn.params["preferred_element_type"]
    dt = x.dtype
    if (dt not in (np.dtype(np.float32), np.dtype(np.float64)) or y.dtype != dt
            or (pet is not None and np.dtype(pet) != dt) or not xb):
        return None
    if any(x.shape[i] != 1 for i in xc):
        return None
    numpy_fn = numpy_backend._dot_general_fast(eqn)  # the NumPy code this replaces
    px, py, out_shape, (b, m, _, n), tx, ty = numpy_backend._dot_layout(
        x, y, tuple(xc), tuple(yc), tuple(xb), tuple(yb))
    parallel = b * m * n * dt.itemsize >= _PARALLEL_MIN_BYTES
    ascontiguous, empty = np.ascontiguousarray, np.empty
    tiered = _outer_kernels

    def outer(a, c):
        kernels = tiered.get()
        if kernels is None:
            return numpy_fn(a, c)
        a = a.transpose(px) if tx else a
        c = c.transpose(py) if ty else c
        a, c = ascontiguous(a.reshape(b, m)), ascontiguous(c.reshape(b, n))
        out = empty((b, m, n), dt)
        if parallel:
            with _parallel_lock:
                kernels[1](a, c, out)
        else:
            kernels[0](a, c, out)
        return out.reshape(out_shape)
    return outer
