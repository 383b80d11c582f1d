"""The numba tier (jaxlite_backend='numba'): same values as the NumPy backend, kernels compiled in the
background with the NumPy code serving calls meanwhile, equation-by-equation fallback, config errors."""
from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

import jaxlite as jax
import jaxlite.numpy as jnp
from jaxlite import lax
from jaxlite._src.backend import numba_backend, numpy_backend


def test_unknown_backend_is_a_value_error():
    with pytest.raises(ValueError, match="'numpy' or 'numba'"):
        jax.config.update("jaxlite_backend", "cuda")
    assert jax.config.jaxlite_backend == "numpy"


def test_unknown_backend_from_the_environment_is_a_value_error():
    import os
    import subprocess
    env = dict(os.environ, JAXLITE_BACKEND="cuda")
    proc = subprocess.run([sys.executable, "-c", "import jaxlite"], env=env, capture_output=True, text=True)
    assert proc.returncode != 0 and "ValueError: jaxlite_backend must be 'numpy' or 'numba'" in proc.stderr


def test_numba_backend_without_numba_is_an_import_error(monkeypatch):
    monkeypatch.setattr(numba_backend, "_numba", None)
    monkeypatch.setitem(sys.modules, "numba", None)  # makes ``import numba`` fail
    with pytest.raises(ImportError, match=r"jaxlite\[fast\]"):
        jax.config.update("jaxlite_backend", "numba")
    assert jax.config.jaxlite_backend == "numpy"
    assert not numba_backend.available()


@pytest.fixture
def numba_tier():
    if not numba_backend.available():
        pytest.skip("numba not installed (the [fast] extra)")
    with jax.config.override("jaxlite_backend", "numba"):
        yield


def _loss(p, x, y):
    return jnp.mean((jnp.dot(p, x) - y) ** 2)


def _per_example_grads():
    return jax.jit(jax.vmap(jax.grad(_loss), in_axes=(None, 0, 0)))


def _data(b, dtype=np.float32):
    rng = np.random.default_rng(b)
    return (rng.standard_normal((4, 9)).astype(dtype), rng.standard_normal((b, 9)).astype(dtype),
            rng.standard_normal((b, 4)).astype(dtype))


@pytest.mark.parametrize("b", [3, 20000])  # one thread / the parallel kernel
def test_per_example_grads_same_bits_as_numpy_backend(numba_tier, b):
    args = _data(b)
    with jax.config.override("jaxlite_backend", "numpy"):
        want = np.asarray(_per_example_grads()(*args))
    numba_backend.wait_all()
    f = _per_example_grads()
    got = f(*args)
    np.testing.assert_array_equal(np.asarray(got), want)
    assert got.dtype == jnp.float32 and got.shape == (b, 4, 9)


@pytest.mark.parametrize("dn,xs,ys", [
    ((((), ()), ((0,), (0,))), (5, 3), (5, 7)),
    ((((), ()), ((1,), (0,))), (3, 5), (5, 7)),
    ((((), ()), ((0,), (2,))), (5, 2, 3), (7, 1, 5)),
    ((((2,), (1,)), ((0,), (0,))), (5, 3, 1), (5, 1, 4)),
    ((((), ()), ((0, 1), (1, 0))), (2, 5, 3), (5, 2, 4)),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batched_outer_products_every_layout(numba_tier, dn, xs, ys, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(xs).astype(dtype)
    y = rng.standard_normal(ys).astype(dtype)
    numba_backend.wait_all()
    with jax.config.override("jax_enable_x64", dtype == np.float64):
        got = jax.jit(lambda a, b: lax.dot_general(a, b, dn))(x, y)
        want = lax.dot_general(x, y, dn)  # the primitive's impl, eagerly
        assert got.dtype == want.dtype == dtype
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


def test_numpy_code_serves_calls_until_the_kernel_is_ready(numba_tier, monkeypatch):
    """A kernel that is still compiling (here: never finishes) leaves the NumPy lowering in charge."""
    gate = threading.Event()
    slow = numba_backend.TieredKernel("slow-outer", lambda nb: gate.wait() and None)
    monkeypatch.setattr(numba_backend, "_outer_kernels", slow)
    args = _data(6)
    got = _per_example_grads()(*args)
    with jax.config.override("jaxlite_backend", "numpy"):
        want = _per_example_grads()(*args)
    np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    assert slow._thread is not None and slow._thread.is_alive()  # compiling in the background
    gate.set()


def test_a_failed_kernel_build_keeps_numpy(numba_tier, monkeypatch):
    def broken(nb):
        raise RuntimeError("no native code today")
    k = numba_backend.TieredKernel("broken", broken)
    monkeypatch.setattr(numba_backend, "_outer_kernels", k)
    assert k.wait(10) is None and isinstance(k.error, RuntimeError)
    args = _data(5)
    got = _per_example_grads()(*args)
    with jax.config.override("jaxlite_backend", "numpy"):
        want = _per_example_grads()(*args)
    np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


def test_switching_backends_recompiles(numba_tier):
    """Programs are compiled per backend: a jaxpr compiled under one is recompiled under the other."""
    closed = jax.make_jaxpr(jax.vmap(jax.grad(_loss), in_axes=(None, 0, 0)))(*_data(4))
    fn = numpy_backend.compile_closed(closed)
    assert fn.__jaxlite_backend__ == "numba"
    with jax.config.override("jaxlite_backend", "numpy"):
        fn2 = numpy_backend.compile_closed(closed)
        assert fn2.__jaxlite_backend__ == "numpy"
    assert numpy_backend.compile_closed(closed).__jaxlite_backend__ == "numba"


def test_concurrent_calls_from_threads(numba_tier):
    numba_backend.wait_all()
    f = _per_example_grads()
    inputs = [_data(20000 + i) for i in range(4)]
    with jax.config.override("jaxlite_backend", "numpy"):
        g = _per_example_grads()
        wants = [np.asarray(g(*a)) for a in inputs]
    results = {}

    def call(i):
        results[i] = np.asarray(f(*inputs[i]))
    threads = [threading.Thread(target=call, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(4):
        np.testing.assert_array_equal(results[i], wants[i])


def test_other_equations_fall_back_to_numpy(numba_tier):
    """Equations without a numba lowering (here: everything but the outer product) run as before."""
    x = np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4)
    f = jax.jit(lambda a: jnp.tanh(a) @ a.T + jnp.cumsum(a, axis=1).sum())
    with jax.config.override("jaxlite_backend", "numpy"):
        want = np.asarray(jax.jit(lambda a: jnp.tanh(a) @ a.T + jnp.cumsum(a, axis=1).sum())(x))
    np.testing.assert_array_equal(np.asarray(f(x)), want)


def test_loop_bodies_compiled_per_backend(numba_tier):
    """A scan whose body has a batched outer product: its loop program is built per backend, with the
    same values on both."""
    from jaxlite._src.lax.control_flow import loops
    numba_backend.wait_all()
    xs = np.random.default_rng(2).standard_normal((5, 6, 3)).astype(np.float32)

    def f(xs):
        def body(c, x):
            o = lax.dot_general(x, x, (((), ()), ((0,), (0,))))
            return c + o.sum(), o
        return lax.scan(body, jnp.float32(0), xs)
    g = jax.jit(f)
    got = g(xs)
    with jax.config.override("jaxlite_backend", "numpy"):
        want = jax.jit(f)(xs)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    backends = {key[-1] for per_body in loops._programs.values() for key in per_body}
    assert {"numpy", "numba"} <= backends


def test_random_samplers_same_bits_on_the_tier(numba_tier):
    """Under the tier xla_math's float32 log/exp/erf_inv become numba loops (compiled in the background,
    NumPy serving meanwhile): jax.random gives the same bits before and after they are ready."""
    from jaxlite._src import xla_math
    key = jax.random.key(3)
    with jax.config.override("jaxlite_backend", "numpy"):
        want = [np.asarray(jax.random.normal(key, (5000,))), np.asarray(jax.random.exponential(key, (5000,)))]
    first = [np.asarray(jax.random.normal(key, (5000,))), np.asarray(jax.random.exponential(key, (5000,)))]
    assert xla_math._numba_loops is not None
    assert xla_math._numba_loops.wait(300) is not None, xla_math._numba_loops.error
    assert set(xla_math._numba_kernels()) == {"log", "log1p", "exp", "erf_inv"}
    after = [np.asarray(jax.random.normal(key, (5000,))), np.asarray(jax.random.exponential(key, (5000,)))]
    for w, a, b in zip(want, first, after):
        np.testing.assert_array_equal(a, w)
        np.testing.assert_array_equal(b, w)
