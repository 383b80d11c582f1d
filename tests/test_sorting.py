"""lax.sort (multi-operand), lax.top_k, jnp.sort/argsort/lexsort/partition/argpartition/searchsorted/
digitize: values and dtypes against real JAX, derivatives against finite differences, vmap vs a loop."""
import numpy as np
import pytest

import jaxlite
import jaxlite.lax as lax
import jaxlite.numpy as jnp
from conftest import assert_same

RNG = np.random.default_rng(1)
SPECIAL = np.array([1., np.nan, 3., -0., 0., 3., -np.nan, -np.inf, np.inf, 2.], np.float32)


def test_lax_sort_nan_and_zero_order(jax):
    assert_same(lax.sort(SPECIAL), jax.lax.sort(SPECIAL))
    iota = np.arange(SPECIAL.size, dtype=np.int32)
    assert_same(lax.sort_key_val(SPECIAL, iota), jax.lax.sort_key_val(SPECIAL, iota))


def test_lax_sort_multi_operand(jax):
    k1 = RNG.integers(0, 3, (4, 6)).astype(np.float32)
    k1[0, 0] = np.nan
    k2 = RNG.integers(0, 3, (4, 6)).astype(np.int32)
    v = RNG.normal(size=(4, 6)).astype(np.float32)
    for dim in [0, 1, -1]:
        for nk in [1, 2, 3]:
            assert_same(lax.sort((k1, k2, v), dimension=dim, num_keys=nk),
                        jax.lax.sort((k1, k2, v), dimension=dim, num_keys=nk))


def test_lax_sort_complex_and_ints(jax):
    c = np.array([1 + 2j, np.nan, 1 + 1j, -1 - 5j, 0j, complex(0, np.nan), 1 - 1j], np.complex64)
    assert_same(lax.sort(c), jax.lax.sort(c))
    for dt in [np.int8, np.uint32, np.bool_]:
        x = RNG.integers(0, 2 if dt == np.bool_ else 100, 9).astype(dt)
        assert_same(lax.sort(x), jax.lax.sort(x))


def test_lax_sort_errors():
    with pytest.raises(ValueError, match="num_keys"):
        lax.sort(np.ones(3), num_keys=2)
    with pytest.raises(TypeError, match="equal shapes"):
        lax.sort((np.ones(3), np.ones(4)))


def test_sort_jaxpr():
    text = str(jaxlite.make_jaxpr(lambda x: lax.sort(x))(np.ones(3, np.float32)))
    assert "sort[dimension=0 is_stable=True num_keys=1]" in text


def test_top_k(jax):
    assert_same(lax.top_k(SPECIAL, 10), jax.lax.top_k(SPECIAL, 10))
    x = RNG.integers(0, 5, (3, 7)).astype(np.uint8)
    assert_same(lax.top_k(x, 3), jax.lax.top_k(x, 3))
    assert_same(lax.top_k(x, 2, axis=0), jax.lax.top_k(x, 2, axis=0))
    with pytest.raises(ValueError, match="no larger than"):
        lax.top_k(np.ones(3), 4)


def _fd_grad(f, x, eps=1e-3):
    g = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x, dtype=np.float64)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


def test_sort_grad():
    x = RNG.permutation(12).reshape(3, 4).astype(np.float64) + RNG.uniform(0, .1, (3, 4))
    w = RNG.normal(size=(3, 4))
    for dim in [0, 1]:
        f = lambda v: jnp.sum(lax.sort(v, dimension=dim) * w)  # noqa: E731
        g = jaxlite.grad(f)(jnp.asarray(x, np.float32))
        fd = _fd_grad(lambda v: float(f(jnp.asarray(v, np.float32))), x)
        np.testing.assert_allclose(np.asarray(g), fd, rtol=1e-2, atol=1e-2)


def test_sort_multi_operand_grad_and_jvp(jax):
    k = np.array([3., 1., 2., 1.], np.float32)
    v = np.array([10., 20., 30., 40.], np.float32)

    def f(m, k, v):
        a, b = m.lax.sort((k, v), num_keys=1)
        return (a * b * np.arange(1., 5.)).sum()
    assert_same(jaxlite.grad(lambda k, v: f(jaxlite, k, v), argnums=(0, 1))(k, v),
                jax.grad(lambda k, v: f(jax, k, v), argnums=(0, 1))(k, v))
    t = np.arange(4., dtype=np.float32)
    assert_same(jaxlite.jvp(lambda k: lax.sort((k, v))[1], (k,), (t,)),
                jax.jvp(lambda k: jax.lax.sort((k, v))[1], (k,), (t,)))


def test_top_k_grad(jax):
    x = np.array([[3., 1., 4., 1.5], [0., 2., -1., 5.]], np.float32)
    w = np.array([1., 10.], np.float32)
    assert_same(jaxlite.grad(lambda v: (lax.top_k(v, 2)[0] * w).sum())(x),
                jax.grad(lambda v: (jax.lax.top_k(v, 2)[0] * w).sum())(x))


def test_jnp_sort_grad(jax):
    x = np.array([0.3, -1., 2., 0.1], np.float32)
    assert_same(jaxlite.grad(lambda v: (jnp.sort(v, descending=True) * jnp.arange(4.)).sum())(x),
                jax.grad(lambda v: (jax.numpy.sort(v, descending=True) * jax.numpy.arange(4.)).sum())(x))


@pytest.mark.parametrize("in_axes", [0, 1, 2])
def test_sort_vmap(in_axes):
    x = RNG.normal(size=(3, 4, 5)).astype(np.float32)
    v = RNG.normal(size=(3, 4, 5)).astype(np.float32)
    f = lambda a, b: lax.sort((a, b), dimension=0)  # noqa: E731
    out = jaxlite.vmap(f, in_axes=(in_axes, in_axes))(x, v)
    for o, i in zip(out, range(2)):
        ref = np.stack([np.asarray(f(np.take(x, j, in_axes), np.take(v, j, in_axes))[i])
                        for j in range(x.shape[in_axes])])
        np.testing.assert_array_equal(np.asarray(o), ref)
    # one batched operand, one not
    v0 = np.take(v, 0, in_axes)
    out = jaxlite.vmap(f, in_axes=(in_axes, None))(x, v0)
    for o, i in zip(out, range(2)):
        ref = np.stack([np.asarray(f(np.take(x, j, in_axes), v0)[i]) for j in range(x.shape[in_axes])])
        np.testing.assert_array_equal(np.asarray(o), ref)


def test_top_k_and_argsort_vmap():
    x = RNG.normal(size=(4, 6)).astype(np.float32)
    for f in [lambda a: lax.top_k(a, 3)[1], lambda a: jnp.argsort(a), lambda a: jnp.sort(a)]:
        out = jaxlite.vmap(f, in_axes=1)(x)
        ref = np.stack([np.asarray(f(x[:, j])) for j in range(x.shape[1])])
        np.testing.assert_array_equal(np.asarray(out), ref)


# ----- jax.numpy -----------------------------------------------------------------------------------

@pytest.mark.parametrize("fn", ["sort", "argsort"])
@pytest.mark.parametrize("kw", [{}, {"axis": 0}, {"axis": None}, {"descending": True}, {"stable": False},
                                {"descending": True, "axis": 0}])
def test_jnp_sort_argsort(jax, fn, kw):
    x = RNG.integers(0, 5, (3, 7)).astype(np.float32)
    x[0, 2] = np.nan
    assert_same(getattr(jnp, fn)(x, **kw), getattr(jax.numpy, fn)(x, **kw))


def test_jnp_sort_misc(jax):
    k = [RNG.integers(0, 3, 10) for _ in range(3)]
    assert_same(jnp.lexsort(k), jax.numpy.lexsort(k))
    k2 = RNG.integers(0, 3, (2, 3, 4))
    assert_same(jnp.lexsort(k2, axis=0), jax.numpy.lexsort(k2, axis=0))
    assert_same(jnp.sort_complex(np.array([3, 1, 2])), jax.numpy.sort_complex(np.array([3, 1, 2])))
    assert_same(jnp.argsort(np.arange(4), dtype=np.int16), jax.numpy.argsort(np.arange(4), dtype=np.int16))
    with pytest.raises(TypeError, match="kind"):
        jnp.sort(np.ones(3), kind="quicksort")
    text = str(jaxlite.make_jaxpr(jnp.argsort)(np.ones(3, np.float32)))
    assert "name=argsort" in text and "iota" in text


@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.uint8])
def test_partition(jax, dtype):
    x = RNG.integers(0, 6, (3, 8)).astype(dtype)
    for kth in [0, 3, 7, -1]:
        assert_same(jnp.partition(x, kth), jax.numpy.partition(x, kth))
        assert_same(jnp.argpartition(x, kth), jax.numpy.argpartition(x, kth))
    assert_same(jnp.partition(x, 1, axis=0), jax.numpy.partition(x, 1, axis=0))
    assert_same(jnp.argpartition(x, 1, axis=0), jax.numpy.argpartition(x, 1, axis=0))


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("method", ["scan", "scan_unrolled", "compare_all", "sort"])
def test_searchsorted(jax, side, method):
    a = np.sort(RNG.integers(0, 10, 12)).astype(np.float32)
    a[-1] = np.nan
    v = np.array([[-1, 0, 3, 3.5], [9, 10, np.nan, 2]], np.float32)
    assert_same(jnp.searchsorted(a, v, side=side, method=method),
                jax.numpy.searchsorted(a, v, side=side, method=method))
    ai = np.sort(RNG.integers(0, 10, 7))
    assert_same(jnp.searchsorted(ai, 4, side=side, method=method),
                jax.numpy.searchsorted(ai, 4, side=side, method=method))
    assert_same(jnp.searchsorted(np.zeros(0), v, side=side, method=method),
                jax.numpy.searchsorted(np.zeros(0), v, side=side, method=method))


def test_partition_bool_is_rejected_like_jax():
    with pytest.raises(TypeError):
        jnp.partition(np.array([True, False]), 0)


def test_searchsorted_sorter_and_errors(jax):
    a = RNG.normal(size=9).astype(np.float32)
    sorter = np.argsort(a)
    v = np.array([-0.5, 0., 0.5], np.float32)
    assert_same(jnp.searchsorted(a, v, sorter=sorter), jax.numpy.searchsorted(a, v, sorter=sorter))
    with pytest.raises(ValueError, match="1-dimensional"):
        jnp.searchsorted(np.ones((2, 2)), 1.)
    with pytest.raises(ValueError, match="method"):
        jnp.searchsorted(np.ones(2), 1., method="bogus")


def test_searchsorted_jit_and_vmap():
    a = jnp.array([1., 2., 3.])
    v = jnp.array([[0.5, 2.5], [3.5, 1.]])
    f = jaxlite.jit(lambda a, v: jnp.searchsorted(a, v))
    assert_same(f(a, v), np.searchsorted(np.asarray(a), np.asarray(v)).astype(np.int32))
    out = jaxlite.vmap(lambda q: jnp.searchsorted(a, q))(v)
    assert_same(out, np.searchsorted(np.asarray(a), np.asarray(v)).astype(np.int32))


def test_digitize(jax):
    x = np.array([1.0, 2.0, 2.5, 1.5, 3.0, 3.5])
    for bins in [np.array([1, 2, 3.]), np.array([3, 2, 1.])]:
        for right in [False, True]:
            assert_same(jnp.digitize(x, bins, right=right), jax.numpy.digitize(x, bins, right=right))
    assert_same(jnp.digitize(x, np.zeros(0)), jax.numpy.digitize(x, np.zeros(0)))


def test_top_k_derivative_is_a_gather_like_jax(jax):
    from conftest import assert_same
    xs = np.random.default_rng(3).normal(size=(3, 6)).astype(np.float32)
    f = lambda m: (lambda a: (m.lax.top_k(a, 2)[0] ** 2).sum())
    assert str(jaxlite.make_jaxpr(jaxlite.grad(lambda a: jaxlite.lax.top_k(a, 2)[0].sum()))(xs[0])) == \
        str(jax.make_jaxpr(jax.grad(lambda a: jax.lax.top_k(a, 2)[0].sum()))(xs[0]))
    jv = lambda m: (lambda a, t: m.jvp(lambda a: m.lax.top_k(a, 2)[0], (a,), (t,)))
    assert str(jaxlite.make_jaxpr(jv(jaxlite))(xs, xs)) == str(jax.make_jaxpr(jv(jax))(xs, xs))
    assert_same(jaxlite.grad(f(jaxlite))(xs), jax.grad(f(jax))(xs))
    g = jaxlite.vmap(jaxlite.grad(f(jaxlite)))(xs)
    assert_same(g, np.stack([np.asarray(jaxlite.grad(f(jaxlite))(r)) for r in xs]))
    # along a non-last axis
    h = lambda m: (lambda a: (m.lax.top_k(a, 2, axis=0)[0] ** 3).sum())
    assert_same(jaxlite.grad(h(jaxlite))(xs), jax.grad(h(jax))(xs))
