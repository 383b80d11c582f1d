"""Indexing inside compiled programs and loops: the NumPy backend's one-index scatter and dynamic_slice
fast paths and the loops' in-place writes into carried buffers, against real JAX and the eager impls."""
from __future__ import annotations

import numpy as np
import pytest

import jaxlite as jax
import jaxlite.numpy as jnp
from jaxlite import lax

jax_real = pytest.importorskip("jax")
jax_real.config.update("jax_platforms", "cpu")
jnp_real = jax_real.numpy


def _same(got, want, rtol=1e-6):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-6)


def _both(make, *args, rtol=1e-6):
    """``make(jax_module)`` jitted in jaxlite and in JAX on the same NumPy arguments."""
    got = jax.jit(make(jax))(*args)
    want = jax_real.jit(make(jax_real))(*args)
    for g, w in zip(jax.tree.leaves(got), jax_real.tree.leaves(want)):
        _same(g, w, rtol)
    return got


INDICES = [0, 2, 4, -1, -5, 5, 7, -6, -100, 100]


@pytest.mark.parametrize("op", ["set", "add", "multiply", "min", "max"])
@pytest.mark.parametrize("mode", [None, "clip", "drop", "promise_in_bounds"])
def test_at_one_index_1d(op, mode):
    x = np.array([1.5, -2.0, 3.0, 0.25, 7.0], np.float32)

    def make(j):
        def f(x, i):
            return getattr(x.at[i], op)(np.float32(-4.5), mode=mode)
        return f
    for i in INDICES:
        if mode == "promise_in_bounds" and not -5 <= i < 5:
            continue  # undefined in JAX
        _both(make, x, np.int32(i))


@pytest.mark.parametrize("axis", [0, 1, 2])
@pytest.mark.parametrize("mode", [None, "clip"])
def test_at_one_index_along_an_axis(axis, mode):
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    u = np.full(tuple(n for d, n in enumerate(x.shape) if d != axis), -1.0, np.float32)

    def make(j):
        def f(x, i, u):
            key = (slice(None),) * axis + (i,)
            return x.at[key].set(u, mode=mode), x.at[key].add(u, mode=mode), x[key]
        return f
    for i in (0, 1, -1, -2, 3, 4, -5, 50):
        _both(make, x, np.int32(i), u)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.int8, np.int32, np.uint8, np.bool_,
                                   np.complex64])
def test_at_one_index_dtypes(dtype):
    x = np.arange(6).astype(dtype)
    v = np.array(3).astype(dtype)

    def make(j):
        def f(x, i):
            add = x.at[i].add(v) if dtype != np.bool_ else x  # lax.add takes no bools
            return x.at[i].set(v), add, x[i], x.at[i].max(v)
        return f
    for i in (0, 5, -1, 6, -7):
        _both(make, x, np.int32(i))


def test_at_one_index_float64(x64):
    x = np.arange(6, dtype=np.float64)

    def make(j):
        return lambda x, i: (x.at[i].set(2.5), x.at[i].add(2.5), x[i], x.at[i].min(2.5))
    for i in (0, 5, -1, 6, -7):
        _both(make, x, np.int64(i))


def test_integer_index_dtypes():
    x = np.arange(5, dtype=np.float32)

    def make(j):
        return lambda x, i: (x.at[i].set(9.0), x[i])
    for i in (np.uint8(3), np.int8(-2), np.uint32(7), np.int16(-9)):
        _both(make, x, i)


def test_lax_scatter_modes_out_of_range():
    x = np.arange(5, dtype=np.float32)
    dn = lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
                                     scatter_dims_to_operand_dims=(0,))
    for mode in (lax.GatherScatterMode.FILL_OR_DROP, lax.GatherScatterMode.CLIP,
                 lax.GatherScatterMode.PROMISE_IN_BOUNDS):
        for i in (-1, 0, 4, 5, 1000):
            idx = np.array([i], np.int32)
            u = np.float32(7.0)
            got = jax.jit(lambda x, idx, u: lax.scatter(x, idx, u, dn, mode=mode))(x, idx, u)
            with jax.disable_jit():
                want = lax.scatter(x, idx, u, dn, mode=mode)
            _same(got, want)
            for sc in (lax.scatter_add, lax.scatter_mul, lax.scatter_min, lax.scatter_max):
                got = jax.jit(lambda x, idx, u: sc(x, idx, u, dn, mode=mode))(x, idx, u)
                with jax.disable_jit():
                    want = sc(x, idx, u, dn, mode=mode)
                _same(got, want)


@pytest.mark.parametrize("sizes", [(1,), (3,), (5,)])
def test_dynamic_slice_clamps(sizes):
    x = np.arange(5, dtype=np.float32)

    def make(j):
        return lambda x, i: j.lax.dynamic_slice(x, (i,), sizes)
    for i in (-3, 0, 1, 2, 4, 5, 99):
        _both(make, x, np.int32(i))


def test_dynamic_slice_2d_clamps():
    x = np.arange(20, dtype=np.int32).reshape(4, 5)

    def make(j):
        return lambda x, i, k: j.lax.dynamic_slice(x, (i, k), (2, 3))
    for i, k in ((0, 0), (-1, 7), (3, 2), (9, -9), (1, 1)):
        _both(make, x, np.int32(i), np.int32(k))


def _recurrence(j, lo=1, hi=50):
    return lambda x: j.lax.fori_loop(lo, hi, lambda i, x: x.at[i].set(x[i - 1] * 0.5 + x[i]), x)


def test_indexed_fori_loop_matches_jax():
    x = np.linspace(-1, 1, 50).astype(np.float32)
    _both(lambda j: _recurrence(j), x, rtol=1e-5)
    _both(lambda j: _recurrence(j, -60, 70), x, rtol=1e-5)  # negative and out-of-range indices


def test_indexed_loop_does_not_touch_the_input_or_earlier_results():
    x = np.linspace(-1, 1, 50).astype(np.float32)
    xj = jnp.asarray(x)
    f = jax.jit(_recurrence(jax))
    r1 = f(xj)
    r1_copy = np.array(r1)
    r2 = f(xj)
    np.testing.assert_array_equal(np.asarray(xj), x)
    np.testing.assert_array_equal(np.asarray(r1), r1_copy)
    np.testing.assert_array_equal(np.asarray(r2), r1_copy)
    assert not np.shares_memory(np.asarray(r1), np.asarray(r2))
    r3 = f(r1)  # a result fed back in is not overwritten either
    np.testing.assert_array_equal(np.asarray(r1), r1_copy)
    assert not np.shares_memory(np.asarray(r1), np.asarray(r3))


def test_indexed_loop_carry_aliases():
    """Carries that share a buffer, a carry that is also a y, a carry read after the write."""
    x = np.arange(8, dtype=np.float32)

    def make(j):
        def f(x):
            def both(i, c):  # two carries that are the same array after the first step
                a, b = c
                a = a.at[i].set(a[i] + b[i] + 1.0)
                return a, a

            def keep_old(i, c):  # the old value is still read after the write
                a, s = c
                b = a.at[i].set(-1.0)
                return b, s + a[i] + b[i]

            def scanned(c, _):  # the new carry is also emitted as a y
                i, a = c
                a = a.at[i].add(10.0)
                return (i + 1, a), a

            def sliced(c, _):  # a view of the old carry emitted after the write
                i, a = c
                old = j.lax.dynamic_slice(a, (i,), (2,))
                a = a.at[i].set(0.0)
                return (i + 1, a), old
            return (j.lax.fori_loop(0, 8, both, (x, x)), j.lax.fori_loop(0, 8, keep_old, (x, 0.0)),
                    j.lax.scan(scanned, (0, x), None, length=8),
                    j.lax.scan(sliced, (0, x), None, length=7))
        return f
    _both(make, x)


def test_indexed_loop_vmap_and_grad():
    x = np.linspace(-1, 1, 24).astype(np.float32).reshape(3, 8)
    _both(lambda j: j.vmap(_recurrence(j, 1, 8)), x, rtol=1e-5)
    _both(lambda j: j.grad(lambda x: _recurrence(j, 1, 8)(x).sum()), x[0], rtol=1e-5)
    _both(lambda j: j.vmap(j.grad(lambda x: (_recurrence(j, 1, 8)(x) ** 2).sum())), x, rtol=1e-5)


def test_indexed_while_loop():
    x = np.linspace(-1, 1, 30).astype(np.float32)

    def make(j):
        def f(x, n):
            return j.lax.fori_loop(1, n, lambda i, x: x.at[i].add(x[i - 1] * 0.25), x)
        return f
    for n in (0, 1, 10, 30, 45):
        _both(make, x, np.int32(n), rtol=1e-5)


def test_squeeze_and_one_element_broadcast():
    x = np.arange(6, dtype=np.float32).reshape(1, 6, 1)

    def make(j):
        def f(x, s):
            one = j.lax.dynamic_slice(x, (0, s, 0), (1, 1, 1))
            return (j.lax.squeeze(one, (0, 1, 2)) * 2, j.lax.squeeze(x, (0, 2)), j.lax.squeeze(x, (2,)),
                    j.lax.broadcast_in_dim(s, (1, 1), ()), j.lax.broadcast_in_dim(s * 2, (1,), ()) + 1,
                    j.lax.broadcast_in_dim(s, (2, 3), ()))
        return f
    _both(make, x, np.int32(4))


def _loop_sources():
    from jaxlite._src.lax.control_flow import loops
    return [run.__jaxlite_source__ for per_body in list(loops._programs.values())
            for _, run in per_body.values() if hasattr(run, "__jaxlite_source__")]


@pytest.mark.parametrize("inline", [True, False])
@pytest.mark.parametrize("static", [True, False])
def test_indexed_loop_writes_its_own_copy_in_place(monkeypatch, inline, static):
    from jaxlite._src.lax.control_flow import loops
    monkeypatch.setattr(loops, "_INLINE", inline)
    x = np.linspace(-1, 1, 40).astype(np.float32)
    xj = jnp.asarray(x)

    def make(j):
        def f(x, n):
            return j.lax.fori_loop(1, 40 if static else n,
                                   lambda i, x: x.at[i].set(x[i - 1] * 0.5 + x[i] + 0.125), x)
        return f
    got = jax.jit(make(jax))(xj, np.int32(40))
    want = jax_real.jit(make(jax_real))(x, np.int32(40))
    _same(got, want, 1e-5)
    np.testing.assert_array_equal(np.asarray(xj), x)
    again = jax.jit(make(jax))(xj, np.int32(40))
    assert not np.shares_memory(np.asarray(got), np.asarray(again))
    if inline and jax.config.jaxlite_backend == "numpy":  # the numba tier runs the loop natively
        assert any("_copy(" in src for src in _loop_sources())


def test_indexed_loop_same_array_in_two_carries():
    x = np.arange(6, dtype=np.float32)

    def make(j):
        def f(x):
            def body(i, c):
                a, b = c
                return a.at[i].set(b[i] * 2 + 1), b
            return j.lax.fori_loop(0, 6, body, (x, x))
        return f
    _both(make, x)


def test_indexed_loop_callback_sees_each_state():
    seen = []
    x = np.zeros(4, np.float32)

    def body(i, x):
        jax.debug.callback(lambda v: seen.append(np.array(v, copy=False)), x)
        return x.at[i].set(1.0)
    jax.jit(lambda x: jax.lax.fori_loop(0, 4, body, x))(x)
    assert [int(np.asarray(v).sum()) for v in seen] == [0, 1, 2, 3]
