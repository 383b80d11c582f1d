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


# ---------------------------------------------------------------------------------------------------
# Native loops and fused elementwise chains (numba_native)
# ---------------------------------------------------------------------------------------------------

def _on_both_tiers(f, *args, x64=False):
    """``jit(f)(*args)`` on the NumPy backend, then on the numba tier once its kernels are compiled
    (the first numba-tier call, served by NumPy while numba compiles, is checked too)."""
    with jax.config.override("jax_enable_x64", x64):
        with jax.config.override("jaxlite_backend", "numpy"):
            want = jax.jit(f)(*args)
        g = jax.jit(f)
        first = g(*args)
        numba_backend.wait_all()
        got = g(*args)
    # a kernel numba could not compile would leave NumPy in charge silently: none may fail
    failed = [(k.name, getattr(k, "source", None), k.error) for k in numba_backend._kernels if k.error]
    assert not failed, failed
    return want, first, got


def _same(a, b):
    la, lb = jax.tree.leaves(a), jax.tree.leaves(b)
    assert len(la) == len(lb)
    for x, y in zip(la, lb):
        assert x.dtype == y.dtype and x.shape == y.shape, (x, y)
        assert getattr(x, "weak_type", None) == getattr(y, "weak_type", None)
        x, y = np.asarray(x), np.asarray(y)
        if x.dtype.kind not in "biuf":  # bfloat16: NumPy's testing compares its NaNs as floats
            x, y = x.astype(np.float32), y.astype(np.float32)
        np.testing.assert_array_equal(x, y)


def _native_runs():
    """The native loop kernels built so far, compiled."""
    from jaxlite._src.lax.control_flow import loops
    return [run.__jaxlite_native__ for per_body in loops._programs.values()
            for (_, run) in per_body.values() if hasattr(run, "__jaxlite_native__")]


def _jax():
    return pytest.importorskip("jax")


def _loop_kernels(marker=""):
    """The generated loop kernels so far (kept by numba_backend; loop programs die with their jit)."""
    return {k.source for k in numba_backend._kernels
            if "_loop(" in getattr(k, "source", "") and marker in k.source}


def test_fori_loop_runs_natively_same_bits(numba_tier):
    f = lambda x: lax.fori_loop(0, 10_000, lambda i, x: x * 0.999 + 1.0, x)
    want, first, got = _on_both_tiers(f, jnp.float32(0))
    _same(first, want)
    _same(got, want)
    assert any(k.wait() is not None for k in _native_runs())
    rj = _jax()
    np.testing.assert_array_equal(np.asarray(got), np.asarray(rj.jit(
        lambda x: rj.lax.fori_loop(0, 10_000, lambda i, x: x * 0.999 + 1.0, x))(np.float32(0))))


def _mixed_body(i, c):
    a, (b, k, flag) = c
    a = a * 0.5 + jnp.float32(i) / 3.0                 # float32, int -> float conversion
    b = b * jnp.int8(3) + jnp.int8(1)                   # int8 wraps
    k = k * jnp.uint32(2654435761) + jnp.uint32(i)      # uint32 wraps
    flag = jnp.logical_xor(flag, a > 1.0)
    a = jnp.where(flag, jnp.minimum(a, 2.0), jnp.maximum(-a, -3.0))
    return a, (b, k, flag)


def _mixed_init():
    return jnp.float32(0.25), (jnp.int8(5), jnp.uint32(7), jnp.bool_(False))


@pytest.mark.parametrize("n", [1, 37])
def test_fori_loop_pytree_carry_of_several_dtypes(numba_tier, n):
    f = lambda c: lax.fori_loop(0, n, _mixed_body, c)
    want, first, got = _on_both_tiers(f, _mixed_init())
    _same(first, want)
    _same(got, want)
    rj = _jax()
    ref = rj.jit(lambda c: rj.lax.fori_loop(0, n, _mixed_body_jax(rj), c))(
        (np.float32(0.25), (np.int8(5), np.uint32(7), np.bool_(False))))
    for a, b in zip(jax.tree.leaves(got), rj.tree.leaves(ref)):
        assert np.asarray(a).dtype == np.asarray(b).dtype
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def _mixed_body_jax(rj):
    rjnp = rj.numpy

    def body(i, c):
        a, (b, k, flag) = c
        a = a * 0.5 + rjnp.float32(i) / 3.0
        b = b * rjnp.int8(3) + rjnp.int8(1)
        k = k * rjnp.uint32(2654435761) + rjnp.uint32(i)
        flag = rjnp.logical_xor(flag, a > 1.0)
        a = rjnp.where(flag, rjnp.minimum(a, 2.0), rjnp.maximum(-a, -3.0))
        return a, (b, k, flag)
    return body


def test_while_loop_early_exit_and_dynamic_bounds(numba_tier):
    def collatz(n):
        def cond(c):
            n, steps = c
            return (n != 1) & (steps < 1000)

        def body(c):
            n, steps = c
            return jnp.where(n % 2 == 0, n // 2, 3 * n + 1), steps + 1
        return lax.while_loop(cond, body, (n, 0))

    def dyn(x, n):
        return lax.fori_loop(0, n, lambda i, x: x * 1.0001 - 0.5 * jnp.float32(i), x)
    for f, args in [(dyn, (jnp.float32(3.0), 250)), (dyn, (jnp.float32(3.0), 0)),
                    (lambda x: lax.while_loop(lambda x: x < 1e4, lambda x: x * 1.5 + 1.0, x),
                     (jnp.float32(1.0),))]:
        want, first, got = _on_both_tiers(f, *args)
        _same(first, want)
        _same(got, want)
    # integer division and remainder have no element rule: that loop stays on the NumPy backend
    want, first, got = _on_both_tiers(collatz, jnp.int32(27))
    _same(got, want)
    assert int(got[1]) == 111


@pytest.mark.parametrize("reverse", [False, True])
def test_scan_scalar_slices_and_outputs(numba_tier, reverse):
    xs = np.linspace(-3, 3, 101, dtype=np.float32)
    ks = np.arange(101, dtype=np.int32) * 40_000_000  # int32 products wrap

    def f(xs, ks):
        def step(c, xk):
            x, k = xk
            s, p = c
            s = s + x * x - jnp.float32(1) / (x - 1.5)   # division by values near zero
            p = p * 3 + k
            return (s, p), (s * 2.0, p > 0, jnp.sqrt(jnp.abs(x)))
        return lax.scan(step, (jnp.float32(0), jnp.int32(1)), (xs, ks), reverse=reverse)
    want, first, got = _on_both_tiers(f, xs, ks)
    _same(first, want)
    _same(got, want)
    rj = _jax()
    ref = rj.jit(lambda xs, ks: rj.lax.scan(
        lambda c, xk: ((c[0] + xk[0] * xk[0] - rj.numpy.float32(1) / (xk[0] - 1.5), c[1] * 3 + xk[1]),
                       (c[0] + xk[0] * xk[0] - rj.numpy.float32(1) / (xk[0] - 1.5),)),
        (np.float32(0), np.int32(1)), (xs, ks), reverse=reverse))(xs, ks)
    np.testing.assert_array_equal(np.asarray(got[0][0]), np.asarray(ref[0][0]))
    np.testing.assert_array_equal(np.asarray(got[0][1]), np.asarray(ref[0][1]))


def test_loops_in_float64_and_transcendentals(numba_tier):
    """float64 under x64; exp/tanh in a native loop call the C library, which may differ from NumPy's
    SIMD routines in the last bit (documented): compared to a few ulp."""
    f = lambda x: lax.fori_loop(0, 200, lambda i, x: jnp.tanh(x) * 1.7 + jnp.exp(-x * x) * 0.1, x)
    for x64, x0 in [(True, np.float64(0.3)), (False, np.float32(0.3))]:
        want, first, got = _on_both_tiers(f, x0, x64=x64)
        assert got.dtype == want.dtype == x0.dtype
        np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=4 * np.finfo(x0.dtype).eps)


def test_min_max_nan_zero_and_division_semantics(numba_tier):
    vals = np.array([0.0, -0.0, np.nan, 1.0, -np.inf, np.inf, 2.5, -1.0], np.float32)
    a = np.repeat(vals, len(vals))
    b = np.tile(vals, len(vals))

    def step(c, ab):
        x, y = ab
        return c, (jnp.maximum(x, y), jnp.minimum(x, y), x / y, jnp.sign(x), x < y,
                   lax.convert_element_type(x * 1e10, jnp.int32),
                   lax.convert_element_type(x, jnp.uint8), lax.rsqrt(y))
    f = lambda a, b: lax.scan(step, jnp.float32(0), (a, b))
    want, first, got = _on_both_tiers(f, a, b)
    for w, g in zip(jax.tree.leaves(want), jax.tree.leaves(got)):
        assert w.dtype == g.dtype
        np.testing.assert_array_equal(np.signbit(np.asarray(g)), np.signbit(np.asarray(w)))
    _same(got, want)


def test_loops_over_arrays_with_elementwise_bodies(numba_tier):
    """Array carries, consts and slices of one shape with an elementwise body: the native loop runs
    each element's steps in turn (same operations, same order: same bits)."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    xs = rng.standard_normal((7, 3, 4)).astype(np.float32)
    ks = np.arange(7, dtype=np.int32)

    def euler(x, k):  # an ODE integrator: x' = -k x + 1, pytree carry (array, scalar count)
        return lax.fori_loop(0, 300, lambda i, c: (c[0] + 0.01 * (1.0 - k * c[0]), c[1] + 1), (x, 0))

    def scan_f(x, xs, ks):
        def step(c, sk):
            s, k = sk
            c = jnp.where(s > 0, c * s, c - jnp.float32(k))
            return c, (c + s, k * 2, c > 0)
        return lax.scan(step, x, (xs, ks), reverse=True)

    def while_f(x):  # scalar predicate, array carry
        return lax.while_loop(lambda c: c[1] < 20, lambda c: (jnp.abs(c[0]) * 1.5 - 0.25, c[1] + 1),
                              (x, jnp.int32(0)))
    before = _loop_kernels("for j in range(n)")
    for f, args in [(euler, (x, x * 0 + 2.0)), (euler, (x, 2.0)), (scan_f, (x, xs, ks)),
                    (while_f, (x,))]:
        want, first, got = _on_both_tiers(f, *args)
        _same(first, want)
        _same(got, want)
    assert len(_loop_kernels("for j in range(n)") - before) >= 3
    rj = _jax()
    ref = rj.jit(lambda x: rj.lax.fori_loop(0, 300, lambda i, c: c + 0.01 * (1.0 - 2.0 * c), x))(x)
    # (XLA contracts x + 0.01 * y into a fused multiply-add: the last bit may differ)
    np.testing.assert_allclose(np.asarray(euler(x, 2.0)[0]), np.asarray(ref), rtol=1e-6)


def test_loop_with_unsupported_body_falls_back(numba_tier):
    """Cross-element bodies (cumsum) and float16 have no native loop: same values as the NumPy
    backend."""
    before = len(_native_runs())
    for f, x in [(lambda x: lax.fori_loop(0, 5, lambda i, x: jnp.cumsum(x) * 0.5, x), jnp.ones(4)),
                 (lambda x: lax.fori_loop(0, 5, lambda i, x: x * 0.5 + 1, x), jnp.float16(1))]:
        want, first, got = _on_both_tiers(f, x)
        _same(got, want)
    assert len(_native_runs()) == before


def test_native_loop_serves_numpy_until_compiled(numba_tier, monkeypatch):
    from jaxlite._src.backend import numba_native
    gate = threading.Event()
    made = []

    def slow(name, src, glob, arg_types, signature):
        k = numba_backend.TieredKernel(name, lambda nb: gate.wait() and None)
        k.start()
        made.append(k)
        return k
    monkeypatch.setattr(numba_native, "_tiered", slow)
    f = jax.jit(lambda x: lax.fori_loop(0, 100, lambda i, x: x * 0.75 + 0.125, x))
    got = f(jnp.float32(2))
    with jax.config.override("jaxlite_backend", "numpy"):
        want = jax.jit(lambda x: lax.fori_loop(0, 100, lambda i, x: x * 0.75 + 0.125, x))(jnp.float32(2))
    _same(got, want)
    assert made and made[0]._thread.is_alive()
    gate.set()


def test_fused_chain_same_bits_and_one_kernel(numba_tier):
    from jaxlite._src.backend import numba_native
    rng = np.random.default_rng(0)
    x = rng.standard_normal(200_000).astype(np.float32)
    w = rng.standard_normal(200_000).astype(np.float32)
    def chain(np_):
        return lambda x, w, b: np_.tanh(x * w + b) * 0.5 + x
    f = chain(jnp)
    want, first, got = _on_both_tiers(f, x, w, 0.25)
    _same(first, want)
    _same(got, want)  # tanh stays NumPy's: bit for bit
    closed = jax.make_jaxpr(f)(x, w, 0.25)
    src = numpy_backend.compile_jaxpr(closed.jaxpr, closed.consts).__jaxlite_source__
    assert src.count("_f") == 3  # kernel, NumPy's tanh, kernel
    rj = _jax()
    np.testing.assert_allclose(np.asarray(got), np.asarray(rj.jit(chain(rj.numpy))(x, w, 0.25)),
                               rtol=2e-6, atol=1e-7)
    assert numba_native.fused_p is not None


def _chain(x, y, k):
    a = x * y - k
    b = jnp.where(a > 0, a / (y + 2.0), -a)
    c = jnp.maximum(b, x) + jnp.minimum(y, 0.5) * 3
    return c, (c > 1) & (x < y), jnp.sqrt(jnp.abs(c)).astype(jnp.int32), c.astype(jnp.bfloat16)


def test_same_source_other_dtypes_get_their_own_kernels(numba_tier):
    """``a * b + a`` generates the same kernel source for float32 and float64 operands: each dtype
    still gets a kernel compiled for it."""
    for dtype in (np.float32, np.float64, np.float32):
        x = np.linspace(-1, 1, 5000).astype(dtype)
        want, first, got = _on_both_tiers(lambda a, b: a * b + a, x, x[::-1].copy(), x64=True)
        _same(got, want)
        want, first, got = _on_both_tiers(
            lambda a: lax.fori_loop(0, 9, lambda i, c: c * c + c, a), x[7], x64=True)
        _same(got, want)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.uint8, np.int64])
def test_fused_chain_dtypes(numba_tier, dtype):
    rng = np.random.default_rng(1)
    n = 10_000
    x64 = np.dtype(dtype).itemsize == 8
    if np.dtype(dtype).kind == "f":
        x = rng.standard_normal(n).astype(dtype)
        y = rng.standard_normal(n).astype(dtype)
        x[:8] = [0, -0.0, np.nan, np.inf, -np.inf, 1, 0, -0.0]
        y[:8] = [0, 0, 1, np.inf, 2, np.nan, -0.0, 0]
        f = _chain
    else:
        info = np.iinfo(dtype)
        x = rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)
        y = rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)
        def int_chain(np_):
            return lambda x, y, k: (x * y - k, np_.maximum(x, y) + (x ^ y), -x, (x * 3) ** 3 > y)
        f = int_chain(jnp)
    want, first, got = _on_both_tiers(f, x, y, 7, x64=x64)
    _same(first, want)
    _same(got, want)
    rj = _jax()
    with rj.enable_x64(x64):
        ref = rj.jit(int_chain(rj.numpy))(x, y, 7) if f is not _chain else None
    if ref is not None:  # integer chains: exact against JAX as well
        for a, b in zip(jax.tree.leaves(got), rj.tree.leaves(ref)):
            assert np.asarray(a).dtype == np.asarray(b).dtype
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


try:
    from hypothesis import given, settings, strategies as st
except ImportError:  # pragma: no cover
    given = None

_OPS = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b,
        lambda a, b: jnp.maximum(a, b), lambda a, b: jnp.minimum(a, b),
        lambda a, b: jnp.where(a < b, a, b * 0.5), lambda a, b: jnp.sqrt(jnp.abs(a)) - b,
        lambda a, b: a * a + 1.5, lambda a, b: -a / 3.0]

if given is not None:
    @settings(max_examples=12, deadline=None)
    @given(ops=st.lists(st.integers(0, len(_OPS) - 1), min_size=2, max_size=6),
           dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2 ** 16))
    def test_random_chains_fused_and_in_loops_match_numpy(ops, dtype, seed):
        if not numba_backend.available():
            pytest.skip("numba not installed (the [fast] extra)")
        rng = np.random.default_rng(seed)
        x = rng.standard_normal(5000).astype(dtype)
        y = rng.standard_normal(5000).astype(dtype)

        def chain(a, b):
            for k in ops:
                a, b = _OPS[k](a, b), a
            return a
        x64 = dtype == np.float64
        with jax.config.override("jaxlite_backend", "numba"):
            want, first, got = _on_both_tiers(chain, x, y, x64=x64)
            _same(got, want)
            loop = lambda x, y: lax.scan(lambda c, xy: (c + chain(*xy), chain(*xy)), x[0] * 0, (x, y))
            want, first, got = _on_both_tiers(loop, x[:50], y[:50], x64=x64)
            _same(got, want)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.uint8, np.uint16, np.uint32])
def test_integer_division_remainder_shifts_clamp_edge_cases(numba_tier, dtype):
    """Every pair of edge values (MIN // -1, division by zero, shifts by negative or too many bits)
    through a native loop: the NumPy backend's (XLA's) values, bit for bit."""
    info = np.iinfo(dtype)
    vals = np.array(sorted({info.min, info.min + 1, 0, 1, 2, 3, 7, info.max, info.max - 1}
                           | ({-1} if info.min < 0 else set())), dtype)
    a, b = np.repeat(vals, len(vals)), np.tile(vals, len(vals))
    shifts = np.array([0, 1, 3, 7, 8, 15, 16, 31, 32, 33] + ([-1] if info.min < 0 else []), dtype)
    sa, sb = np.repeat(vals, len(shifts)), np.tile(shifts, len(vals))

    def arith(a, b):
        return lax.scan(lambda c, ab: (c, (lax.div(*ab), lax.rem(*ab), lax.clamp(dtype(2), ab[0], dtype(7)))),
                        0, (a, b))

    def shift(a, b):
        return lax.scan(lambda c, ab: (c, (lax.shift_left(*ab), lax.shift_right_logical(*ab),
                                           lax.shift_right_arithmetic(*ab))), 0, (a, b))
    for f, args in [(arith, (a, b)), (shift, (sa, sb))]:
        want, first, got = _on_both_tiers(f, *args)
        _same(first, want)
        _same(got, want)
    rj = _jax()
    bs = np.where(b == 0, 1, b).astype(dtype)  # XLA's own division by zero is not compared
    got = jax.jit(lambda a, b: lax.scan(lambda c, ab: (c, lax.div(*ab)), 0, (a, b))[1])(a, bs)
    np.testing.assert_array_equal(np.asarray(got), np.asarray(rj.jit(rj.lax.div)(a, bs)))
    got = jax.jit(shift)(sa, sb)[1]
    ref = [rj.jit(fn)(sa, sb) for fn in (rj.lax.shift_left, rj.lax.shift_right_logical,
                                        rj.lax.shift_right_arithmetic)]
    for g, r in zip(got, ref):
        np.testing.assert_array_equal(np.asarray(g), np.asarray(r))


def test_float_remainder_and_clamp_with_nans_and_zeros(numba_tier):
    fl = np.array([0., -0., 1.5, -1.5, np.nan, np.inf, -np.inf, 3., 7., 2.], np.float32)
    a, b = np.repeat(fl, len(fl)), np.tile(fl, len(fl))
    f = lambda a, b: lax.scan(lambda c, ab: (c, (lax.rem(*ab), lax.clamp(np.float32(-0.0), ab[0], ab[1]),
                                                 lax.clamp(ab[1], ab[0], np.float32(2)))), 0, (a, b))
    want, first, got = _on_both_tiers(f, a, b)
    _same(got, want)
    for w, g in zip(jax.tree.leaves(want), jax.tree.leaves(got)):
        np.testing.assert_array_equal(np.signbit(np.asarray(g)), np.signbit(np.asarray(w)))


def _nested(np_, lax_):
    def f(x, n):
        def body(i, c):
            x, k = c
            x = lax_.cond(i % 3 == 0, lambda x: x * 0.5, lambda x: x + 1.0, x)
            k = lax_.switch(i % 4, [lambda k: k + 1, lambda k: k * 2, lambda k: k - 3,
                                    lambda k: k ^ 5], k)
            y = lax_.fori_loop(0, 5, lambda j, y: y * 1.1 + np_.float32(j), x)
            z = lax_.while_loop(lambda z: z < 100, lambda z: z * 2 + 1, k & 15)
            return y * 0.01 + x, k + z
        return lax_.fori_loop(0, n, body, (x, np_.int32(1)))
    return f


@pytest.mark.parametrize("x", [np.float32(1.0), np.linspace(0, 1, 6, dtype=np.float32)])
def test_cond_switch_and_nested_loops_inside_a_native_loop(numba_tier, x):
    from jaxlite._src.lax.control_flow import loops
    f = _nested(jnp, lax)
    want, first, got = _on_both_tiers(f, x, 50)
    _same(first, want)
    _same(got, want)
    srcs = [getattr(run, "__jaxlite_source__", "") for per_body in loops._programs.values()
            for (_, run) in per_body.values()]
    assert any("elif" in s and "for t" in s and "    while True:" in s for s in srcs)
    rj = _jax()
    ref = rj.jit(_nested(rj.numpy, rj.lax))(x, 50)
    np.testing.assert_allclose(np.asarray(got[0]), np.asarray(ref[0]), rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(got[1]), np.asarray(ref[1]))


def _indexed_cases(np_, lax_):
    xs = np.arange(10.0, dtype=np.float32) - 3.5
    m = np.arange(12, dtype=np.int32).reshape(3, 4) * 7 - 20
    return [
        # reads of a const array (clamped like dynamic_slice), a scalar carry
        (lambda xs: lax_.fori_loop(0, 10, lambda i, acc: acc + xs[i] * xs[9 - i] - xs[i - 12], np_.float32(0)),
         (xs,)),
        # writes into a carried array (and reads of what was written), FILL_OR_DROP beyond the end
        (lambda xs: lax_.fori_loop(0, 25, lambda i, x: x.at[i % 7].add(1.5).at[i + 3].set(-x[i] * 2.0), xs),
         (xs,)),
        # 2-D const reads, dynamic_update_slice of one element, a pytree carry
        (lambda m, v: lax_.fori_loop(0, 12, lambda i, c: (
            lax_.dynamic_update_slice(c[0], (m[i // 4, i % 4] * 3)[None], (i,)), c[1] + m[2 - i // 4, i % 4]),
            (v, 0)), (m, np.zeros(12, np.int32))),
        # a while loop with an early exit filling a buffer; the predicate reads it
        (lambda v: lax_.while_loop(lambda c: (c[1] < 9) & (c[0][c[1] - 1] < 30.0),
                                   lambda c: (c[0].at[c[1]].set(c[0][c[1] - 1] + c[0][c[1] - 2]), c[1] + 1),
                                   (v, 2)), (np.ones(9, np.float32),)),
        # scan with per-step slices and outputs, an array carry written at the step's index
        (lambda xs: lax_.scan(lambda c, x: ((c[0].at[c[1] % 4].add(x), c[1] + 1), c[0][0] * x), 
                              (np_.zeros(4, np_.float32), 0), xs), (xs,)),
    ]


def test_indexed_loops_read_and_write_single_elements(numba_tier):
    """x[i] and x.at[i].set/add in loop bodies: the arrays are the kernel's arguments, carried ones
    copied once and written in place; the same values as the NumPy backend and JAX."""
    before = _loop_kernels(".copy()")
    rj = _jax()
    for (f, args), (fj, _) in zip(_indexed_cases(jnp, lax), _indexed_cases(rj.numpy, rj.lax)):
        copies = [np.array(a, copy=True) for a in args]
        want, first, got = _on_both_tiers(f, *args)
        _same(first, want)
        _same(got, want)
        for a, c in zip(args, copies):  # the inputs are never written
            np.testing.assert_array_equal(a, c)
        for g, r in zip(jax.tree.leaves(got), rj.tree.leaves(rj.jit(fj)(*args))):
            np.testing.assert_array_equal(np.asarray(g), np.asarray(r))
    assert len(_loop_kernels(".copy()") - before) >= 4  # (the first case carries no array)


def test_indexed_loops_copy_where_they_cannot_write_in_place(numba_tier):
    """Reading an array after writing it, returning one array for two carries, swapping carries: the
    kernel writes into a copy where the array is still needed; the same values."""
    xs = np.arange(6.0, dtype=np.float32)

    def old_read(x):  # the old x is read after the write
        def body(i, c):
            x, s = c
            y = x.at[i].set(100.0)
            return y, s + x[i] + y[i]
        return lax.fori_loop(0, 6, body, (x, jnp.float32(0)))

    def aliased(x):
        return lax.fori_loop(0, 6, lambda i, c: (c[0].at[i].set(1.0), c[0].at[i].set(1.0)), (x, x))

    def swap(x):
        return lax.fori_loop(0, 5, lambda i, c: (c[1].at[i].add(1.0), c[0]), (x, x * 2))
    def write_const(x):
        return lax.fori_loop(0, 6, lambda i, c: c + x.at[i].set(-1.0)[5 - i], jnp.float32(0))
    before = _loop_kernels(".copy()")
    for f in (old_read, aliased, swap, write_const):
        want, first, got = _on_both_tiers(f, xs)
        _same(first, want)
        _same(got, want)
    np.testing.assert_array_equal(xs, np.arange(6.0, dtype=np.float32))
    assert len(_loop_kernels(".copy()") - before) == 4


if given is not None:
    _IDX = [lambda i: i, lambda i: i - 1, lambda i: i + 3, lambda i: 2 * i, lambda i: 4, lambda i: -1,
            lambda i: 20 - i]

    @settings(max_examples=15, deadline=None)
    @given(prog=st.lists(st.tuples(st.sampled_from(["read", "set", "add", "old"]),
                                   st.integers(0, len(_IDX) - 1), st.integers(0, len(_IDX) - 1)),
                         min_size=1, max_size=6),
           two=st.booleans())
    def test_random_indexed_loop_bodies_match_numpy(prog, two):
        """Random sequences of element reads and writes (also of the step's old buffer, and into two
        buffers) in a fori_loop: the numba tier's in-place kernels give the NumPy backend's values."""
        if not numba_backend.available():
            pytest.skip("numba not installed (the [fast] extra)")

        def body(i, c):
            x, y, acc = c
            old = x
            for op, a, b in prog:
                if op == "read":
                    acc = acc * 0.5 + x[_IDX[a](i)]
                elif op == "set":
                    x = x.at[_IDX[a](i)].set(acc - x[_IDX[b](i)])
                elif op == "add":
                    x = x.at[_IDX[a](i)].add(x[_IDX[b](i)] * 0.25)
                else:
                    acc = acc + old[_IDX[a](i)]
                if two:
                    y = y.at[_IDX[b](i)].set(x[_IDX[a](i)])
            return x, y, acc
        f = lambda x, y: lax.fori_loop(0, 12, body, (x, y, jnp.float32(1)))
        x = np.linspace(-1, 1, 16, dtype=np.float32)
        with jax.config.override("jaxlite_backend", "numba"):
            want, first, got = _on_both_tiers(f, x, x[::-1].copy())
        _same(first, want)
        _same(got, want)


def test_round_both_methods_in_loops_and_chains(numba_tier):
    v = np.array([0.5, 1.5, 2.5, -0.5, -2.5, -0.0, 0.0, 1e30, np.nan, np.inf, 0.49999997, -7.5], np.float32)
    xs = np.tile(v, 400)  # 4,800 elements: a fused chain
    f = lambda x: (lax.round(x * 1.0, lax.RoundingMethod.AWAY_FROM_ZERO) + 0.0,
                   lax.round(x * 1.0, lax.RoundingMethod.TO_NEAREST_EVEN) - 0.0)
    g = lambda x: lax.scan(lambda c, s: (c, f(s)), 0, x)
    for h, a in [(f, xs), (g, v)]:
        want, first, got = _on_both_tiers(h, a)
        _same(got, want)
        for w, o in zip(jax.tree.leaves(want), jax.tree.leaves(got)):
            np.testing.assert_array_equal(np.signbit(np.asarray(o)), np.signbit(np.asarray(w)))


def test_fused_chain_serves_numpy_until_compiled(numba_tier, monkeypatch):
    from jaxlite._src.backend import numba_native
    gate = threading.Event()
    made = []

    def slow(name, src, glob, arg_types, signature):
        k = numba_backend.TieredKernel(name, lambda nb: gate.wait() and None)
        k.start()
        made.append(k)
        return k
    monkeypatch.setattr(numba_native, "_tiered", slow)
    x = np.linspace(-3, 3, 10_000, dtype=np.float32)
    f = lambda x: jnp.maximum(x * 3.0 - 1.0, x / 7.0) + 2.0
    got = jax.jit(f)(x)
    with jax.config.override("jaxlite_backend", "numpy"):
        want = jax.jit(f)(x)
    _same(got, want)
    assert made and made[0]._thread.is_alive() and made[0].get() is None
    gate.set()


def test_nested_jits_and_custom_jvps_join_fused_chains(numba_tier):
    """jnp.where (a nested jit) and jax.nn.relu (a custom_jvp) inline into the chain: one kernel."""
    def chain(np_, nn):
        return lambda x, w: np_.where(x > 0, nn.relu(x * w - 1.0) * 2.0, np_.abs(x) + w)
    x = np.linspace(-3, 3, 100_000, dtype=np.float32)
    x[:4] = [np.nan, -0.0, 0.0, 1 / 3]
    w = np.cos(x)
    f = chain(jnp, jax.nn)
    want, first, got = _on_both_tiers(f, x, w)
    _same(first, want)
    _same(got, want)
    closed = jax.make_jaxpr(f)(x, w)
    src = numpy_backend.compile_jaxpr(closed.jaxpr, closed.consts).__jaxlite_source__
    assert src.count("= _f") == 1
    rj = _jax()
    np.testing.assert_array_equal(np.asarray(got), np.asarray(rj.jit(chain(rj.numpy, rj.nn))(x, w)))


def test_fused_chains_read_broadcast_operands_in_place(numba_tier):
    """Bias rows, columns and broadcast_in_dim operands are read where the broadcast puts them (no
    broadcast copy): nested loops over the output's dimensions."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((64, 128)).astype(np.float32)
    b = rng.standard_normal(128).astype(np.float32)
    c = rng.standard_normal((64, 1)).astype(np.float32)
    y = rng.standard_normal((8, 16, 32)).astype(np.float32)
    m = rng.standard_normal((16, 1)).astype(np.float32)
    one = np.float32([1.5])
    cases = [
        (lambda x, b: (x - b) * 2.0 + b, (x, b)),
        (lambda x, b, c: (x * c + b) / c - jnp.maximum(c, b), (x, b, c)),
        (lambda y, m: y * m - y * 0.5, (y, m)),
        (lambda y, m: lax.broadcast_in_dim(m[:, 0], (8, 32, 16), (2,)) * 3.0 + y.transpose(0, 2, 1), (y, m)),
        (lambda x, one: lax.broadcast_in_dim(one, x.shape, (1,)) * x + x * one, (x[:, :1].repeat(128, 1), one)),
        (lambda x, one: lax.broadcast_in_dim(one, (64, 128), (0,)) * x - x, (x, one)),
    ]
    before = {k.source for k in numba_backend._kernels if "for i1 in" in getattr(k, "source", "")}
    for f, args in cases:
        want, first, got = _on_both_tiers(f, *args)
        _same(first, want)
        _same(got, want)
    after = {k.source for k in numba_backend._kernels if "for i1 in" in getattr(k, "source", "")}
    assert len(after - before) >= 4


def test_identity_broadcast_in_a_chain(numba_tier):
    x = np.linspace(-1, 1, 6000, dtype=np.float32)
    f = lambda x: (lax.broadcast_in_dim(x, x.shape, (0,)) * 2.0 + x) * x
    want, first, got = _on_both_tiers(f, x)
    _same(got, want)
