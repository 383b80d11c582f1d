"""Cumulative reductions: lax.cumsum/cumprod/cummax/cummin/cumlogsumexp and jnp.cumsum & friends."""
import numpy as np
import pytest

import jaxlite
import jaxlite.lax as lax
import jaxlite.numpy as jnp
from conftest import assert_same

RNG = np.random.default_rng(0)
LAX_FNS = ["cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp"]


def _np_ref(name, x, axis, reverse):
    x = np.flip(x, axis) if reverse else x
    f = {"cumsum": np.cumsum, "cumprod": np.cumprod, "cummax": np.maximum.accumulate,
         "cummin": np.minimum.accumulate, "cumlogsumexp": np.logaddexp.accumulate}[name]
    out = f(x, axis=axis, dtype=x.dtype) if name in ("cumsum", "cumprod") else f(x, axis=axis)
    return np.flip(out, axis) if reverse else out


@pytest.mark.parametrize("name", LAX_FNS)
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("axis", [0, 1])
def test_lax_values(name, reverse, axis):
    x = RNG.normal(size=(4, 5)).astype(np.float32)
    out = getattr(lax, name)(x, axis=axis, reverse=reverse)
    assert_same(out, _np_ref(name, x, axis, reverse), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.uint8, np.float16])
def test_lax_int_and_small_dtypes(dtype):
    x = np.array([[1, 2, 3], [10, 10, 10]], dtype)
    for name in ["cumsum", "cumprod", "cummax", "cummin"]:
        out = getattr(lax, name)(x, axis=1)
        assert out.dtype == np.dtype(dtype)
        assert_same(out, _np_ref(name, x, 1, False).astype(dtype), rtol=1e-2)


def test_lax_errors():
    with pytest.raises(TypeError, match="does not accept dtype bool"):
        lax.cumsum(np.array([True, False]))
    with pytest.raises(ValueError, match="out of bounds"):
        lax.cumsum(np.ones(3), axis=1)


def test_jaxpr_names():
    jaxpr = jaxlite.make_jaxpr(lambda x: lax.cummax(x, axis=0, reverse=True))(np.ones(3, np.float32))
    assert "cummax[axis=0 reverse=True]" in str(jaxpr)


def _fd_grad(f, x, eps=1e-3):
    x = np.asarray(x, np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


@pytest.mark.parametrize("name", LAX_FNS)
@pytest.mark.parametrize("reverse", [False, True])
def test_grads_finite_differences(name, reverse):
    x = RNG.uniform(0.5, 2.0, size=(3, 4)) * RNG.choice([-1, 1], size=(3, 4))
    w = RNG.normal(size=(3, 4))
    f = lambda v: jnp.sum(getattr(lax, name)(v, axis=1, reverse=reverse) * w)  # noqa: E731
    g = jaxlite.grad(f)(jnp.asarray(x, np.float32))
    fd = _fd_grad(lambda v: float(f(jnp.asarray(v, np.float32))), x)
    np.testing.assert_allclose(np.asarray(g), fd, rtol=2e-2, atol=2e-2)


def test_cumprod_grad_with_zero(jax):
    x = np.array([2., 0., 3., 4.], np.float32)
    f = lambda v, m: m.sum(m.cumprod(v) ** 2)  # noqa: E731
    assert_same(jaxlite.grad(lambda v: f(v, jnp))(x), jax.grad(lambda v: f(v, jax.numpy))(x))


def test_cummax_ties_grad_matches_jax(jax):
    x = np.array([1., 3., 3., 2., 3.], np.float32)
    assert_same(jaxlite.grad(lambda v: lax.cummax(v).sum())(x), jax.grad(lambda v: jax.lax.cummax(v).sum())(x))


def test_cumlogsumexp_grad_neg_inf(jax):
    x = np.array([-np.inf, 0., 1.], np.float32)
    assert_same(jaxlite.grad(lambda v: lax.cumlogsumexp(v).sum())(x),
                jax.grad(lambda v: jax.lax.cumlogsumexp(v).sum())(x))


def test_second_order():
    x = jnp.array([1.5, 2., 0.5])
    h = jaxlite.grad(lambda v: jaxlite.grad(lambda u: lax.cumprod(u).sum())(v).sum())(x)
    # against a finite difference of the first derivative
    g = lambda v: np.asarray(jaxlite.grad(lambda u: lax.cumprod(u).sum())(jnp.asarray(v, np.float32))).sum()  # noqa
    fd = _fd_grad(g, np.asarray(x))
    np.testing.assert_allclose(np.asarray(h), fd, rtol=1e-2, atol=1e-2)


@pytest.mark.parametrize("name", LAX_FNS)
def test_vmap_matches_loop(name):
    x = RNG.normal(size=(3, 4, 5)).astype(np.float32)
    f = lambda v: getattr(lax, name)(v, axis=1, reverse=True)  # noqa: E731
    for in_axes in [0, 1, 2]:
        out = jaxlite.vmap(f, in_axes=in_axes)(x)
        ref = np.stack([np.asarray(f(np.take(x, i, axis=in_axes))) for i in range(x.shape[in_axes])])
        np.testing.assert_allclose(np.asarray(out), ref, rtol=1e-6)


# ----- jax.numpy -----------------------------------------------------------------------------------

CASES = [
    (np.arange(6, dtype=np.int8).reshape(2, 3), {}),
    (np.arange(6, dtype=np.int8).reshape(2, 3), {"axis": 1}),
    (np.array([True, False, True]), {}),
    (np.arange(6, dtype=np.uint16), {}),
    (np.arange(6, dtype=np.float32).reshape(3, 2), {"axis": 0}),
    (np.arange(6, dtype=np.int32), {"dtype": np.float32}),
    (np.array([1, -1, 0, 2]), {"dtype": bool}),
    (3.0, {}),
    (3, {}),
    (True, {}),
]


@pytest.mark.parametrize("fn", ["cumsum", "cumprod"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_jnp_against_jax(jax, fn, case):
    x, kw = CASES[case]
    assert_same(getattr(jnp, fn)(x, **kw), getattr(jax.numpy, fn)(x, **kw))


@pytest.mark.parametrize("fn", ["cumulative_sum", "cumulative_prod"])
@pytest.mark.parametrize("include_initial", [False, True])
def test_jnp_cumulative_against_jax(jax, fn, include_initial):
    for x, kw in [(np.arange(1, 5, dtype=np.int8), {}), (np.arange(1, 7.).reshape(2, 3), {"axis": 1}),
                  (np.arange(1, 7, dtype=np.int16).reshape(2, 3), {"axis": 0, "dtype": np.float32})]:
        assert_same(getattr(jnp, fn)(x, include_initial=include_initial, **kw),
                    getattr(jax.numpy, fn)(x, include_initial=include_initial, **kw))


def test_jnp_cumulative_errors():
    with pytest.raises(ValueError, match="non-scalar"):
        jnp.cumulative_sum(3.0)
    with pytest.raises(ValueError, match="only optional for one-dimensional"):
        jnp.cumulative_prod(np.ones((2, 2)))


def test_jnp_cumsum_jaxpr_is_nested_jit():
    text = str(jaxlite.make_jaxpr(jnp.cumsum)(np.ones(3, np.float32)))
    assert "name=cumsum" in text and "cumsum[axis=0 reverse=False]" in text


def test_methods():
    x = jnp.arange(1, 5)
    assert_same(x.cumsum(), np.cumsum(np.arange(1, 5)).astype(np.int32))
    assert_same(x.cumprod(), np.cumprod(np.arange(1, 5)).astype(np.int32))


def test_jnp_grad():
    x = jnp.array([1., 2., 3.])
    assert_same(jaxlite.grad(lambda v: jnp.cumsum(v).sum())(x), np.array([3., 2., 1.], np.float32))
