"""The remaining jax.numpy names: windows, index tricks, ufunc/frompyfunc, fill_diagonal, poly/polydiv,
matvec/vecmat/vecdot, dsplit, mask_indices, dtype aliases. Oracles: real JAX (values, dtypes, weak types)
and NumPy."""
from __future__ import annotations

import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from conftest import assert_same


# ---------------------------------------------------------------------------------------------------
# window functions
# ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["bartlett", "blackman", "hamming", "hanning"])
@pytest.mark.parametrize("M", [0, 1, 2, 5, 8])
def test_windows_vs_jax_and_numpy(jnp_oracle, name, M):
    ours = getattr(jnp, name)(M)
    assert_same(ours, getattr(jnp_oracle, name)(M))
    np.testing.assert_allclose(np.asarray(ours), getattr(np, name)(M), atol=1e-6)


@pytest.mark.parametrize("M,beta", [(0, 1.0), (1, 2.0), (4, 3.0), (9, 0.5), (7, 14.0)])
def test_kaiser(jnp_oracle, M, beta):
    ours = jnp.kaiser(M, beta)
    assert_same(ours, jnp_oracle.kaiser(M, beta), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(ours), np.kaiser(M, beta), rtol=1e-5, atol=1e-6)


def test_window_under_jit_needs_concrete_M():
    assert jaxlite.jit(lambda: jnp.hamming(4))().shape == (4,)
    with pytest.raises(jaxlite.errors.ConcretizationTypeError):
        jaxlite.jit(jnp.hanning)(4)


# ---------------------------------------------------------------------------------------------------
# index tricks
# ---------------------------------------------------------------------------------------------------

def _both(jnp_oracle, fn):
    return fn(jnp), fn(jnp_oracle)


@pytest.mark.parametrize("expr", [
    lambda n: n.mgrid[0:4],
    lambda n: n.mgrid[0:3, 1:5:2],
    lambda n: n.mgrid[0:1:5j],
    lambda n: n.mgrid[-1:1:3j, 0:2],
    lambda n: n.mgrid[0.5:2.5],
    lambda n: n.ogrid[0:3, 0:2],
    lambda n: n.ogrid[0:1:4j],
    lambda n: n.r_[0:3, 5, n.array([7, 8])],
    lambda n: n.r_[-1:1:5j, 0:4],
    lambda n: n.r_["0,2", n.array([1, 2, 3]), n.array([4, 5, 6])],
    lambda n: n.r_["0,2,0", n.array([1, 2, 3]), n.array([4, 5, 6])],
    lambda n: n.r_["1,2,0", n.array([1, 2, 3]), n.array([4, 5, 6])],
    lambda n: n.r_["0,3,-2", n.array([1, 2]), n.array([3, 4])],
    lambda n: n.r_["r", 1:4],
    lambda n: n.r_["c", n.array([1, 2, 3])],
    lambda n: n.r_[1.5, 2],
    lambda n: n.c_[n.array([1, 2, 3]), n.array([4, 5, 6])],
    lambda n: n.c_[n.ones((2, 2)), n.zeros((2, 1))],
    lambda n: n.c_["0,2", n.array([1, 2]), n.array([3, 4])],
    lambda n: n.c_[0:3, n.array([1., 2., 3.])],
])
def test_index_tricks_vs_jax(jnp_oracle, expr):
    ours, ref = _both(jnp_oracle, expr)
    assert_same(ours, ref)


def test_index_tricks_errors_and_aliases(jnp_oracle):
    with pytest.raises(ValueError, match="beginning"):
        jnp.r_[1:3, "0,2"]
    with pytest.raises(ValueError, match="directive"):
        jnp.r_["a,b", 1]
    assert jnp.s_[1:2, ::3] == np.s_[1:2, ::3]
    assert jnp.index_exp[1:2] == np.index_exp[1:2]
    assert len(jnp.r_) == 0


# ---------------------------------------------------------------------------------------------------
# ufunc / frompyfunc
# ---------------------------------------------------------------------------------------------------

def _ufuncs(n):
    add = n.frompyfunc(lambda x, y: x + y, nin=2, nout=1, identity=0)
    mx = n.frompyfunc(n.maximum, nin=2, nout=1)
    return add, mx


def test_ufunc_call_and_props(jnp_oracle):
    add, mx = _ufuncs(jnp)
    radd, rmx = _ufuncs(jnp_oracle)
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    assert_same(add(x, 1.0), radd(x, 1.0))
    assert_same(mx(x, np.float32(2)), rmx(x, np.float32(2)))
    assert (add.nin, add.nout, add.nargs, add.identity) == (2, 1, 2, 0)
    assert "jnp.ufunc" in repr(add)
    assert isinstance(add, jnp.ufunc)
    with pytest.raises(NotImplementedError):
        add(x, x, out=x)
    divmod_ = jnp.frompyfunc(jnp.divmod, nin=2, nout=2)
    q, r = divmod_(jnp.arange(5), 2)
    assert_same(q, jnp_oracle.arange(5) // 2)
    assert_same(r, jnp_oracle.arange(5) % 2)


@pytest.mark.parametrize("kwargs", [{}, {"axis": 1}, {"axis": None}, {"axis": 0, "keepdims": True},
                                    {"axis": -1, "initial": 10.0},
                                    {"axis": 1, "where": np.array([True, False, True]), "initial": 0.0},
                                    {"axis": 0, "dtype": np.int32}])
def test_ufunc_reduce(jnp_oracle, kwargs):
    add, mx = _ufuncs(jnp)
    radd, rmx = _ufuncs(jnp_oracle)
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3) - 2
    assert_same(add.reduce(x, **kwargs), radd.reduce(x, **kwargs))
    np.testing.assert_allclose(add.reduce(x, **kwargs), np.add.reduce(x, **kwargs))
    if "where" not in kwargs:
        assert_same(mx.reduce(x, **kwargs), rmx.reduce(x, **kwargs))


def test_ufunc_reduce_errors():
    add, mx = _ufuncs(jnp)
    with pytest.raises(ValueError, match="identity"):
        mx.reduce(jnp.ones(3), where=jnp.array([True, False, True]))
    with pytest.raises(ValueError, match="zero-size"):
        mx.reduce(jnp.ones((0,)))
    with pytest.raises(ValueError, match="binary"):
        jnp.frompyfunc(jnp.sin, 1, 1).reduce(jnp.ones(3))
    assert_same(add.reduce(jnp.ones((0,))), np.float32(0))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_ufunc_accumulate(jnp_oracle, axis):
    add, mx = _ufuncs(jnp)
    radd, rmx = _ufuncs(jnp_oracle)
    x = np.array([[3, 1, 4], [1, 5, 9]], np.int32)
    assert_same(add.accumulate(x, axis=axis), radd.accumulate(x, axis=axis))
    assert_same(mx.accumulate(x, axis=axis), rmx.accumulate(x, axis=axis))
    np.testing.assert_array_equal(mx.accumulate(x, axis=axis), np.maximum.accumulate(x, axis=axis))


def test_ufunc_at(jnp_oracle):
    add, mx = _ufuncs(jnp)
    radd, rmx = _ufuncs(jnp_oracle)
    a = np.zeros(5, np.float32)
    idx = np.array([0, 1, 1, 4])
    assert_same(add.at(a, idx, 2.0, inplace=False), radd.at(a, idx, 2.0, inplace=False))
    expected = a.copy()
    np.add.at(expected, idx, 2.0)
    np.testing.assert_array_equal(add.at(a, idx, 2.0, inplace=False), expected)
    b = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    assert_same(mx.at(b, (np.array([0, 2, 0]), np.array([1, 3, 1])), np.array([5.0, 9.0, 1.0]), inplace=False),
                rmx.at(b, (np.array([0, 2, 0]), np.array([1, 3, 1])), np.array([5.0, 9.0, 1.0]), inplace=False))
    # a slice in the index: JAX's jitted ``at`` rejects it as an argument, and so do we
    with pytest.raises(TypeError):
        mx.at(b, (np.array([0, 2]), slice(None)), 5.0, inplace=False)
    assert_same(add.at(b, 1, 1.0, inplace=False), radd.at(b, 1, 1.0, inplace=False))
    neg = jnp.frompyfunc(jnp.negative, 1, 1)
    assert_same(neg.at(a + 1, np.array([0, 2]), inplace=False),
                jnp_oracle.frompyfunc(jnp_oracle.negative, 1, 1).at(a + 1, np.array([0, 2]), inplace=False))
    with pytest.raises(NotImplementedError, match="inplace=False"):
        add.at(a, idx, 1.0)


def test_ufunc_reduceat_and_outer(jnp_oracle):
    add, mx = _ufuncs(jnp)
    radd, rmx = _ufuncs(jnp_oracle)
    x = np.arange(8, dtype=np.int32)
    ind = np.array([0, 4, 1, 5])
    assert_same(add.reduceat(x, ind), radd.reduceat(x, ind))
    np.testing.assert_array_equal(add.reduceat(x, ind), np.add.reduceat(x, ind))
    y = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    assert_same(mx.reduceat(y, np.array([0, 2]), axis=1), rmx.reduceat(y, np.array([0, 2]), axis=1))
    assert_same(add.outer(np.arange(3), np.arange(4.0).reshape(2, 2)),
                radd.outer(np.arange(3), np.arange(4.0).reshape(2, 2)))


def test_ufunc_under_jit_and_grad():
    add, _ = _ufuncs(jnp)
    f = jaxlite.jit(lambda x: add.reduce(x * x))
    x = jnp.arange(4.0)
    assert_same(f(x), np.float32(14.0))
    np.testing.assert_allclose(jaxlite.grad(lambda x: add.reduce(x * x))(x), 2 * np.arange(4.0))


# ---------------------------------------------------------------------------------------------------
# other functions
# ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn", [
    lambda n: n.fill_diagonal(n.zeros((3, 4)), 5.0, inplace=False),
    lambda n: n.fill_diagonal(n.zeros((4, 3), n.int32), n.array([1, 2]), inplace=False),
    lambda n: n.fill_diagonal(n.ones((3, 3, 3)), n.array([[7.0, 8.0]]), inplace=False),
    lambda n: n.dsplit(n.arange(24.0).reshape(2, 3, 4), 2),
    lambda n: n.dsplit(n.arange(24).reshape(2, 3, 4), [1, 3]),
    lambda n: n.mask_indices(4, n.triu),
    lambda n: n.mask_indices(3, n.tril, -1),
    lambda n: n.poly(n.array([1.0, 2.0, -3.0])),
    lambda n: n.poly(n.array([2, 3])),
    lambda n: n.poly(n.array([[1.0, 2.0], [0.0, 3.0]])),
    lambda n: n.poly(n.zeros((0,))),
    lambda n: n.polydiv(n.array([1.0, 3.0, 2.0, 5.0]), n.array([1.0, 1.0])),
    lambda n: n.polydiv(n.array([2, 4, 6]), n.array([2, 2, 2, 2])),
    lambda n: n.polydiv(n.array([1.0, 3.0, 2.0]), n.array([1.0, 1.0]), trim_leading_zeros=True),
    lambda n: n.matvec(n.arange(24.0).reshape(2, 3, 4), n.arange(4.0)),
    lambda n: n.matvec(n.ones((3, 4), n.int32), n.ones((2, 4), n.int32)),
    lambda n: n.vecmat(n.array([1 + 2j, 3 - 1j]), n.arange(6.0).reshape(2, 3)),
    lambda n: n.vecmat(n.arange(3.0), n.arange(12.0).reshape(2, 3, 2)),
    lambda n: n.vecdot(n.arange(6.0).reshape(2, 3), n.arange(3.0)),
    lambda n: n.vecdot(n.array([1j, 2.0]), n.array([1j, 1.0])),
    lambda n: n.vecdot(n.arange(6.0).reshape(3, 2), n.ones((3, 2)), axis=0),
    lambda n: n.fromstring("1 2 3", dtype=int, sep=" "),
    lambda n: n.fromstring("0.1, 0.2, 0.3", dtype=float, count=2, sep=","),
])
def test_functions_vs_jax(jnp_oracle, fn):
    assert_same(fn(jnp), fn(jnp_oracle), rtol=1e-5, atol=1e-5)


def test_numpy_oracles():
    np.testing.assert_allclose(jnp.poly(jnp.array([1.0, 2.0, -3.0])), np.poly([1.0, 2.0, -3.0]), rtol=1e-6)
    q, r = jnp.polydiv(jnp.array([1.0, 3.0, 2.0, 5.0]), jnp.array([1.0, 1.0]))
    qn, rn = np.polydiv([1.0, 3.0, 2.0, 5.0], [1.0, 1.0])
    np.testing.assert_allclose(q, qn)
    np.testing.assert_allclose(np.asarray(r)[-1:], rn)
    a = np.zeros((3, 4))
    np.fill_diagonal(a, [1.0, 2.0])
    np.testing.assert_array_equal(jnp.fill_diagonal(jnp.zeros((3, 4)), jnp.array([1.0, 2.0]), inplace=False), a)
    for ours, ref in zip(jnp.mask_indices(4, jnp.triu, 1), np.mask_indices(4, np.triu, 1)):
        np.testing.assert_array_equal(ours, ref)


def test_fill_diagonal_errors_and_no_mutation():
    a = jnp.zeros((2, 2))
    with pytest.raises(NotImplementedError, match="inplace=False"):
        jnp.fill_diagonal(a, 1.0)
    with pytest.raises(NotImplementedError, match="wrap"):
        jnp.fill_diagonal(a, 1.0, wrap=True, inplace=False)
    with pytest.raises(ValueError, match="at least 2-d"):
        jnp.fill_diagonal(jnp.zeros(3), 1.0, inplace=False)
    with pytest.raises(ValueError, match="equal length"):
        jnp.fill_diagonal(jnp.zeros((2, 2, 3)), 1.0, inplace=False)
    jnp.fill_diagonal(a, 1.0, inplace=False)
    assert float(a.sum()) == 0.0
    with pytest.raises(ValueError):
        jnp.dsplit(jnp.ones((2, 2)), 2)


def test_grads_and_jit_of_products():
    x = jnp.arange(12.0).reshape(3, 4)
    v = jnp.arange(4.0)
    g = jaxlite.grad(lambda v: jnp.matvec(x, v).sum())(v)
    np.testing.assert_allclose(g, np.asarray(x).sum(0))
    g = jaxlite.grad(lambda w: jnp.vecdot(w, v))(v)
    np.testing.assert_allclose(g, np.asarray(v))
    assert_same(jaxlite.jit(jnp.vecmat)(jnp.ones(3), x[:3, :3]), np.asarray(x[:3, :3]).sum(0))
    assert "jit[name=poly" in str(jaxlite.make_jaxpr(jnp.poly)(jnp.ones(2)))


def test_dtype_aliases_and_numpy_names(jnp_oracle):
    assert jnp.double == jnp.float64 and jnp.single == jnp.float32
    assert jnp.cdouble == jnp.complex128 and jnp.csingle == jnp.complex64
    assert jnp.flexible is np.flexible and jnp.ComplexWarning is jnp_oracle.ComplexWarning
    assert jnp.iterable([1]) and not jnp.iterable(1)
    assert "1." in jnp.array_str(jnp.ones(2)) and "dtype" not in jnp.array_str(jnp.ones(2))
    assert jnp.savez is np.savez
    for name in ["float8_e4m3fn", "float8_e5m2", "int4", "uint4", "float4_e2m1fn", "int2"]:
        if not hasattr(jnp_oracle, name):
            continue
        ours, ref = getattr(jnp, name), getattr(jnp_oracle, name)
        assert np.dtype(ours) == np.dtype(ref), name
        assert repr(ours) == repr(ref)
        x = ours(1.0 if "float" in name else 1)
        assert x.dtype == ref(1.0 if "float" in name else 1).dtype
    with pytest.raises(NotImplementedError, match="non-pure"):
        jnp.fromfile("x")


@pytest.mark.parametrize("kwargs", [{}, {"bins": 5}, {"bins": [3, 4], "density": True},
                                    {"bins": 4, "range": [(-1, 1), (-2, 2)], "weights": np.ones(50, np.float32)}])
def test_histogram2d_vs_jax(jnp_oracle, kwargs):
    r = np.random.default_rng(0)
    x, y = r.normal(size=50).astype(np.float32), r.normal(size=50).astype(np.float32)
    assert_same(jnp.histogram2d(x, y, **kwargs), jnp_oracle.histogram2d(x, y, **kwargs), rtol=1e-5, atol=1e-6)
    ref = np.histogram2d(x, y, **kwargs)
    np.testing.assert_allclose(jnp.histogram2d(x, y, **kwargs)[0], ref[0], rtol=1e-5)


def test_histogramdd_vs_jax(jnp_oracle):
    s = np.random.default_rng(1).normal(size=(30, 3)).astype(np.float32)
    for kw in [{"bins": 3}, {"bins": [2, 3, 4], "density": True}]:
        ours, ref = jnp.histogramdd(s, **kw), jnp_oracle.histogramdd(s, **kw)
        assert_same(ours[0], ref[0], rtol=1e-5, atol=1e-6)
        for e, f in zip(ours[1], ref[1]):
            assert_same(e, f, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="one weight"):
        jnp.histogramdd(s, weights=np.ones(3))


_X = np.arange(1, 7, dtype=np.int32).reshape(2, 3)
_XF = np.linspace(-1, 2, 6, dtype=np.float32).reshape(2, 3)
_XB = np.array([[True, False, True], [True, True, False]])
_IDX = np.array([0, 2, 0], np.int32)
# (name, f(jnp, *args), args): the methods of JAX's built-in ufuncs
BUILTIN_UFUNC_CASES = [
    ("add", lambda n, x: n.add(x, 1), (_X,)),
    ("negative", lambda n, x: n.negative(x), (_XF,)),
    ("add.reduce", lambda n, x: n.add.reduce(x), (_X,)),
    ("add.reduce None", lambda n, x: n.add.reduce(x, axis=None), (_X,)),
    ("add.reduce initial", lambda n, x: n.add.reduce(x, axis=1, keepdims=True, initial=2.0), (_XF,)),
    ("add.reduce where", lambda n, x, w: n.add.reduce(x, axis=1, where=w), (_XF, _XB)),
    ("multiply.reduce", lambda n, x: n.multiply.reduce(x, axis=1), (_X,)),
    ("multiply.reduce bool", lambda n, x: n.multiply.reduce(x, axis=1), (_XB,)),
    ("add.reduce bool", lambda n, x: n.add.reduce(x, axis=1), (_XB,)),
    ("maximum.reduce", lambda n, x: n.maximum.reduce(x, axis=1), (_XF,)),
    ("minimum.reduce", lambda n, x: n.minimum.reduce(x), (_X,)),
    ("minimum.reduce initial", lambda n, x: n.minimum.reduce(x, initial=2), (_X,)),
    ("subtract.reduce", lambda n, x: n.subtract.reduce(x, axis=1), (_X,)),
    ("bitwise_and.reduce", lambda n, x: n.bitwise_and.reduce(x, axis=1), (_X,)),
    ("bitwise_or.reduce", lambda n, x: n.bitwise_or.reduce(x, axis=1), (_X,)),
    ("bitwise_xor.reduce", lambda n, x: n.bitwise_xor.reduce(x, axis=0), (_X,)),
    ("bitwise_or.reduce bool", lambda n, x: n.bitwise_or.reduce(x, axis=0), (_XB,)),
    ("bitwise_and.reduce uint8 where", lambda n, x, w: n.bitwise_and.reduce(x.astype(np.uint8) + 1, axis=1,
                                                                             where=w), (_X, _XB)),
    ("bitwise_and.reduce bool where", lambda n, x, w: n.bitwise_and.reduce(x, axis=1, where=w), (_XB, _XB)),
    ("logical_and.reduce", lambda n, x: n.logical_and.reduce(x, axis=1), (_XB,)),
    ("logical_or.reduce int", lambda n, x: n.logical_or.reduce(x, axis=1), (_X,)),
    ("logical_xor.reduce", lambda n, x: n.logical_xor.reduce(x, axis=0), (_XB,)),
    ("logaddexp.reduce", lambda n, x: n.logaddexp.reduce(x, axis=1), (_XF,)),
    ("logaddexp2.reduce", lambda n, x: n.logaddexp2.reduce(x, axis=0), (_XF,)),
    ("logaddexp.reduce initial", lambda n, x: n.logaddexp.reduce(x, axis=1, initial=1.5), (_XF,)),
    ("logaddexp2.reduce initial", lambda n, x: n.logaddexp2.reduce(x, initial=-0.5), (_XF,)),
    ("logaddexp.reduce complex", lambda n, x: n.logaddexp.reduce(x * (1 + 0.5j), axis=1), (_XF,)),
    ("add.accumulate", lambda n, x: n.add.accumulate(x, axis=1), (_X,)),
    ("multiply.accumulate", lambda n, x: n.multiply.accumulate(x), (_XF,)),
    ("subtract.accumulate", lambda n, x: n.subtract.accumulate(x, axis=1), (_X,)),
    ("maximum.accumulate", lambda n, x: n.maximum.accumulate(x, axis=1), (_XF,)),
    ("add.at", lambda n, x, i: n.add.at(x, i, 10, inplace=False), (_X, _IDX)),
    ("multiply.at", lambda n, x, i: n.multiply.at(x, (1, i), 2.0, inplace=False), (_XF, _IDX)),
    ("subtract.at", lambda n, x, i: n.subtract.at(x, i, 1, inplace=False), (_X, _IDX)),
    ("maximum.at", lambda n, x, i: n.maximum.at(x, i, 3, inplace=False), (_X, _IDX)),
    ("negative.at", lambda n, x, i: n.negative.at(x, i, inplace=False), (_XF, _IDX)),
    ("add.at bool", lambda n, x: n.add.at(x, 0, True, inplace=False), (_XB,)),
    ("add.outer", lambda n, x: n.add.outer(x, np.arange(2.0)), (np.arange(3),)),
    ("add.reduceat", lambda n, x: n.add.reduceat(x, np.array([0, 2, 5])), (np.arange(6),)),
    ("maximum.reduceat", lambda n, x: n.maximum.reduceat(x, np.array([0, 2]), axis=1), (_XF,)),
]
# the jaxprs of these print exactly as JAX's (the others differ inside jnp.take/append/vmap, and in
# jnp.logaddexp's custom_jvp body)
SAME_JAXPR = {c[0] for c in BUILTIN_UFUNC_CASES} - {"add.outer", "add.reduceat", "maximum.reduceat",
                                                     "logaddexp.reduce initial", "logaddexp2.reduce initial"}


def test_builtin_ufuncs_are_ufuncs(jnp_oracle):
    names = sorted(n for n in dir(jnp_oracle) if isinstance(getattr(jnp_oracle, n), jnp_oracle.ufunc))
    assert sorted(n for n in dir(jnp) if isinstance(getattr(jnp, n), jnp.ufunc)) == names
    for n in names:
        ours, theirs = getattr(jnp, n), getattr(jnp_oracle, n)
        assert (ours.nin, ours.nout, ours.nargs, ours.__name__, repr(ours)) == \
            (theirs.nin, theirs.nout, theirs.nargs, theirs.__name__, repr(theirs))
        assert ours.identity == theirs.identity and type(ours.identity) is type(theirs.identity)


@pytest.mark.parametrize("name, f, args", BUILTIN_UFUNC_CASES, ids=[c[0] for c in BUILTIN_UFUNC_CASES])
def test_builtin_ufunc_methods_match_jax(jax, name, f, args):
    import jax.numpy as real
    assert_same(f(jnp, *args), f(real, *args))
    if name in SAME_JAXPR:
        assert str(jaxlite.make_jaxpr(lambda *a: f(jnp, *a))(*args)) == \
            str(jax.make_jaxpr(lambda *a: f(real, *a))(*args))


def test_builtin_ufunc_operators_and_errors(jnp_oracle):
    x = jnp.arange(3.0)
    assert_same(-x + x * 2 - 1, jnp_oracle.array([-1.0, 0.0, 1.0]))
    with pytest.raises(NotImplementedError, match="inplace=False"):
        jnp.add.at(x, 0, 1.0)
    with pytest.raises(ValueError, match="reduce only supported for binary ufuncs"):
        jnp.negative.reduce(x)
    with pytest.raises(ValueError, match="does not have an identity"):
        jnp.maximum.reduce(x, where=x > 0)


def test_ufunc_at_with_a_slice_or_ellipsis_raises_type_error_as_jax():
    """``at`` is jitted as a whole, as JAX's: a slice or ``...`` in the index is not a valid argument."""
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    for idx in [(slice(None), 1), slice(0, 1), Ellipsis, (0, slice(None))]:
        with pytest.raises(TypeError, match="slice|ellipsis"):
            jnp.add.at(x, idx, 10.0, inplace=False)
        with pytest.raises(TypeError):  # the argument check comes before the inplace check
            jnp.add.at(x, idx, 10.0)
    # None is an empty pytree, so (0, None) passes through jit (a new axis, as in JAX)
    assert_same(jnp.add.at(x, (0, None), 1.0, inplace=False), jnp.asarray(x).at[0, None].add(1.0))


@pytest.mark.parametrize("k", [True, False, np.int8(-1), 2])
def test_eye_offset_like_jax(jnp_oracle, k):
    assert_same(jnp.eye(3, 4, k=k), jnp_oracle.eye(3, 4, k=k))
