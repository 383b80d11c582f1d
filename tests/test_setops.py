"""unique (+ size/fill_value/equal_nan/axis), unique_*, set algebra, isin, nonzero/flatnonzero/argwhere:
values and dtypes against real JAX; ConcretizationTypeError under jit without size."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from conftest import assert_same

RNG = np.random.default_rng(2)
X = RNG.integers(0, 5, (4, 6)).astype(np.float32)
X[1, 1] = X[2, 2] = np.nan

UNIQUE_KW = [{}, {"return_index": True}, {"return_inverse": True}, {"return_counts": True},
             {"return_index": True, "return_inverse": True, "return_counts": True},
             {"equal_nan": False, "return_counts": True}, {"size": 8}, {"size": 8, "fill_value": -1},
             {"size": 3, "return_index": True, "return_counts": True, "return_inverse": True},
             {"size": 9, "return_counts": True, "return_index": True}]


@pytest.mark.parametrize("kw", UNIQUE_KW)
def test_unique(jax, kw):
    assert_same(jnp.unique(X, **kw), jax.numpy.unique(X, **kw))


@pytest.mark.parametrize("kw", [{"axis": 0}, {"axis": 0, "return_index": True, "return_inverse": True,
                                              "return_counts": True}, {"axis": 1, "return_counts": True},
                                {"axis": 0, "size": 6, "fill_value": 9}])
def test_unique_axis(jax, kw):
    xi = RNG.integers(0, 3, (5, 3))
    assert_same(jnp.unique(xi, **kw), jax.numpy.unique(xi, **kw))


def test_unique_variants(jax):
    for name in ["unique_all", "unique_counts", "unique_inverse"]:
        assert_same(tuple(getattr(jnp, name)(X)), tuple(getattr(jax.numpy, name)(X)))
    assert_same(jnp.unique_values(X), jax.numpy.unique_values(X))
    assert_same(jnp.unique(np.zeros(0), size=2, fill_value=1.), jax.numpy.unique(np.zeros(0), size=2, fill_value=1.))
    assert_same(jnp.unique(np.array([1 + 1j, np.nan, 1 + 1j, complex(0, np.nan)], np.complex64)),
                jax.numpy.unique(np.array([1 + 1j, np.nan, 1 + 1j, complex(0, np.nan)], np.complex64)))


def test_unique_under_jit():
    x = jnp.array([3, 1, 3, 2, 1])
    with pytest.raises(jaxlite.errors.ConcretizationTypeError):
        jaxlite.jit(jnp.unique)(x)
    out = jaxlite.jit(lambda v: jnp.unique(v, size=4, fill_value=0))(x)
    assert_same(out, np.array([1, 2, 3, 0], np.int32))
    vals, counts = jaxlite.jit(lambda v: jnp.unique(v, size=3, return_counts=True))(x)
    assert_same(counts, np.array([2, 1, 2], np.int32))


def test_unique_vmap_with_size():
    x = np.array([[3, 1, 3], [2, 2, 2]])
    out = jaxlite.vmap(lambda v: jnp.unique(v, size=3, fill_value=-1))(x)
    assert_same(out, np.array([[1, 3, -1], [2, -1, -1]], np.int32))


@pytest.mark.parametrize("method", ["auto", "compare_all", "sort", "binary_search"])
@pytest.mark.parametrize("invert", [False, True])
def test_isin(jax, method, invert):
    a = RNG.integers(0, 8, (2, 5)).astype(np.float32)
    a[0, 0] = np.nan
    b = np.append(RNG.integers(3, 12, 7), np.nan).astype(np.float32)
    assert_same(jnp.isin(a, b, method=method, invert=invert),
                jax.numpy.isin(a, b, method=method, invert=invert))


@pytest.mark.parametrize("fn", ["union1d", "setdiff1d", "setxor1d", "intersect1d"])
def test_set_algebra(jax, fn):
    a = RNG.integers(0, 8, 10)
    b = RNG.integers(3, 12, 7)
    f, g = getattr(jnp, fn), getattr(jax.numpy, fn)
    assert_same(f(a, b), g(a, b))
    for kw in [{"size": 12}, {"size": 3}, {"size": 12, "fill_value": -7}]:
        assert_same(f(a, b, **kw), g(a, b, **kw))
    au, bu = np.unique(a), np.unique(b)
    kw = {} if fn == "union1d" else {"assume_unique": True}
    assert_same(f(au, bu, **kw), g(au, bu, **kw))
    if fn != "union1d":
        assert_same(f(au, bu, size=9, **kw), g(au, bu, size=9, **kw))
    with pytest.raises(jaxlite.errors.ConcretizationTypeError):
        jaxlite.jit(f)(a, b)
    assert_same(jaxlite.jit(lambda x, y: f(x, y, size=5))(a, b), g(a, b, size=5))


def test_intersect1d_indices(jax):
    a = RNG.integers(0, 8, 10)
    b = RNG.integers(3, 12, 7)
    assert_same(jnp.intersect1d(a, b, return_indices=True), jax.numpy.intersect1d(a, b, return_indices=True))
    assert_same(jnp.intersect1d(a, b, return_indices=True, size=10),
                jax.numpy.intersect1d(a, b, return_indices=True, size=10))
    au, bu = np.unique(a), np.unique(b)
    assert_same(jnp.intersect1d(au, bu, return_indices=True, assume_unique=True),
                jax.numpy.intersect1d(au, bu, return_indices=True, assume_unique=True))


def test_nonzero_family(jax):
    y = RNG.integers(0, 2, (3, 4))
    J = jax.numpy
    assert_same(jnp.nonzero(y), J.nonzero(y))
    assert_same(jnp.nonzero(y, size=10), J.nonzero(y, size=10))
    assert_same(jnp.nonzero(y, size=3, fill_value=-1), J.nonzero(y, size=3, fill_value=-1))
    assert_same(jnp.nonzero(y, size=9, fill_value=(7, 8)), J.nonzero(y, size=9, fill_value=(7, 8)))
    assert_same(jnp.flatnonzero(y), J.flatnonzero(y))
    assert_same(jnp.argwhere(y), J.argwhere(y))
    assert_same(jnp.argwhere(y, size=9, fill_value=5), J.argwhere(y, size=9, fill_value=5))
    assert_same(jnp.argwhere(3), J.argwhere(3))
    assert_same(jnp.where(y), J.where(y))
    assert_same(jnp.asarray(y).nonzero(), J.asarray(y).nonzero())
    with pytest.raises(ValueError, match="0d"):
        jnp.nonzero(1)


def test_nonzero_under_jit():
    y = jnp.array([0, 3, 0, 5])
    with pytest.raises(jaxlite.errors.ConcretizationTypeError, match="size argument of jnp.nonzero"):
        jaxlite.jit(jnp.nonzero)(y)
    assert_same(jaxlite.jit(lambda v: jnp.nonzero(v, size=3))(y), (np.array([1, 3, 0], np.int32),))
    out = jaxlite.vmap(lambda v: jnp.flatnonzero(v, size=2, fill_value=-1))(jnp.array([[0, 1, 1], [1, 0, 0]]))
    assert_same(out, np.array([[1, 2], [0, -1]], np.int32))
