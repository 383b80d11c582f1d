"""Shared test helpers.

* ``jax`` fixture: the real JAX as an oracle (the test is skipped when JAX is not installed).
* ``assert_same(x, y)``: a jaxlite result ``x`` equals an oracle result ``y`` (real JAX, NumPy or a
  Python value) in values, shape, dtype and — when ``y`` carries one — weak type. Works on pytrees.
* ``weak_type_of(x)``: the weak type of an Array (jaxlite or JAX).
"""
from __future__ import annotations

import os

# Two test workers share two cores: one BLAS thread each avoids oversubscription stalls.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import pytest


def _release_oracle_memory():
    """Drop real JAX's compiled executables and give the freed memory back to the OS.

    Every eager JAX operation the oracle runs is an XLA executable compiled for its shapes and dtypes
    (about 1.5 MB of native memory each), kept in JAX's caches: a test file comparing against JAX on
    many shapes holds ~1 GB of them, and a test worker running many files grew to several GB.
    jaxlite's own caches are bounded and are not cleared here (tests must see their real behaviour).
    """
    import gc
    import sys
    real = sys.modules.get("jax")
    if real is None or "jaxlite" in (getattr(real, "__file__", None) or "jaxlite"):
        return
    real.clear_caches()
    gc.collect()
    try:  # glibc keeps freed blocks in its arenas; hand them back so that RSS drops
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _rss_bytes():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return 0


_RSS_RELEASE_BYTES = 768 * 2**20


@pytest.fixture(scope="module", autouse=True)
def _oracle_memory_per_module():
    yield
    _release_oracle_memory()


@pytest.fixture(autouse=True)
def _oracle_memory_per_test():
    yield
    if _rss_bytes() > _RSS_RELEASE_BYTES:  # a file comparing on many shapes: release within it too
        _release_oracle_memory()


@pytest.fixture(scope="session")
def jax():
    """Real JAX, used only as an oracle; skips the test when it is not installed."""
    return pytest.importorskip("jax")


@pytest.fixture(scope="session")
def jnp_oracle(jax):
    import jax.numpy as jnp_
    return jnp_


def weak_type_of(x):
    """The weak type flag of a jaxlite or JAX array (None for NumPy values / Python scalars)."""
    if hasattr(x, "aval") and hasattr(x.aval, "weak_type"):
        return bool(x.aval.weak_type)
    if hasattr(x, "weak_type"):
        return bool(x.weak_type)
    return None


def _is_leaf(x):
    return not isinstance(x, (tuple, list, dict))


def _tolerance(dtype):
    dt = np.dtype(dtype)
    if dt.kind not in "fc":
        if dt.name == "bfloat16":
            return 1e-2, 1e-2
        return 0, 0
    return {2: (1e-2, 1e-3), 4: (2e-5, 1e-6), 8: (1e-12, 1e-14), 16: (2e-5, 1e-6)}.get(
        dt.itemsize, (1e-5, 1e-6))


def assert_same(x, y, *, rtol=None, atol=None, check_weak_type=True, check_dtype=True):
    """Assert that jaxlite value ``x`` matches the oracle value ``y`` (pytrees allowed).

    Compares shape, dtype (if ``y`` has one), weak type (if ``y`` has one) and values (exactly for
    ints/bools, to a dtype-dependent tolerance for floats, NaNs equal).
    """
    if isinstance(y, dict):
        assert isinstance(x, dict) and sorted(x) == sorted(y), f"dict keys differ: {x!r} vs {y!r}"
        for k in y:
            assert_same(x[k], y[k], rtol=rtol, atol=atol, check_weak_type=check_weak_type,
                        check_dtype=check_dtype)
        return
    if isinstance(y, (tuple, list)):
        assert isinstance(x, (tuple, list)), f"expected a sequence, got {type(x)}"
        assert len(x) == len(y), f"length {len(x)} != {len(y)}"
        for a, b in zip(x, y):
            assert_same(a, b, rtol=rtol, atol=atol, check_weak_type=check_weak_type,
                        check_dtype=check_dtype)
        return
    xv = np.asarray(x)
    yv = np.asarray(y)
    assert xv.shape == yv.shape, f"shape {xv.shape} != {yv.shape}"
    if check_dtype and hasattr(y, "dtype"):
        assert np.dtype(x.dtype) == np.dtype(y.dtype), f"dtype {x.dtype} != {y.dtype}"
    if check_weak_type:
        wy = weak_type_of(y)
        if wy is not None:
            wx = weak_type_of(x)
            assert wx == wy, f"weak_type {wx} != {wy} (dtype {getattr(x, 'dtype', None)})"
    r, a = _tolerance(yv.dtype)
    r = r if rtol is None else rtol
    a = a if atol is None else atol
    if yv.dtype.kind in "fc" or yv.dtype.name == "bfloat16":
        np.testing.assert_allclose(xv.astype(np.complex128 if yv.dtype.kind == "c" else np.float64),
                                   yv.astype(np.complex128 if yv.dtype.kind == "c" else np.float64),
                                   rtol=r, atol=a, equal_nan=True)
    else:
        np.testing.assert_array_equal(xv, yv)


@pytest.fixture
def x64():
    """Turn x64 on in jaxlite (and in JAX if it is installed) for one test, restoring it after."""
    import jaxlite
    old = jaxlite.config.jax_enable_x64 if hasattr(jaxlite.config, "jax_enable_x64") else \
        jaxlite.config._values["jax_enable_x64"]
    try:
        import jax as real_jax
    except ImportError:
        real_jax = None
    old_real = real_jax.config.jax_enable_x64 if real_jax is not None else None
    jaxlite.config.update("jax_enable_x64", True)
    if real_jax is not None:
        real_jax.config.update("jax_enable_x64", True)
    try:
        yield
    finally:
        jaxlite.config.update("jax_enable_x64", old)
        if real_jax is not None:
            real_jax.config.update("jax_enable_x64", old_real)
