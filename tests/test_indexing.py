"""Indexing: lax gather/scatter/dynamic_slice primitives, jnp indexing and ``.at`` updates, indexing
functions. Oracles: NumPy, real JAX (when installed), finite differences and Python loops."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import lax
from jaxlite.errors import NonConcreteBooleanIndexError
from conftest import assert_same

X = np.arange(60, dtype=np.float32).reshape(3, 4, 5)


def _to_jax(idx, mod):
    """The same index expression with arrays of module ``mod`` (jaxlite.numpy or jax.numpy)."""
    if isinstance(idx, tuple):
        return tuple(_to_jax(i, mod) for i in idx)
    if isinstance(idx, np.ndarray):
        return mod.asarray(idx)
    return idx


INDICES = [
    0, -1, (1, 2), (1, -2, 3), slice(None), slice(1, None), slice(None, None, -1), slice(3, 0, -2),
    (Ellipsis, 1), (None, 1), (1, None, Ellipsis, None), (slice(None), None, 2),
    np.array([0, 2]), np.array([[0, 1], [2, 2]]), (np.array([0, 2]), np.array([1, 3])),
    (np.array([0, 2]), slice(None), np.array([1, 4])), (slice(None), np.array([1, 3]), np.array([0, 4])),
    (1, slice(None, None, 2), np.array([0, 1])), (np.array([-1, 0]), Ellipsis),
    (Ellipsis, np.array([4, -5])), np.array([True, False, True]),
    (slice(None), np.array([True, False, True, True])), X[:, :, 0] > 17, (np.array([1, 0]), None, np.array([2, 3])),
    (Ellipsis, None), (slice(1, 1),), (np.array([], dtype=np.int32),), True, (1, False),
    (slice(None), [0, 1]), ([0, 2], [1, 1]), (np.uint8(1), np.array([1, 2], np.uint32)),
    (np.array(1), slice(None, 3)), (slice(None), 2, np.array([[0], [3]])),
]


@pytest.mark.parametrize("idx", INDICES, ids=[str(i) for i in range(len(INDICES))])
def test_getitem_vs_numpy(idx):
    x = jnp.asarray(X)
    out = x[_to_jax(idx, jnp)]
    expected = X[idx]
    assert_same(out, expected)
    # the same under jit (boolean masks are concrete constants here)
    assert_same(jaxlite.jit(lambda a: a[_to_jax(idx, jnp)])(x), expected)


@pytest.mark.parametrize("idx", INDICES[:28], ids=[str(i) for i in range(28)])
def test_getitem_vs_jax(idx, jax):
    import jax.numpy as rjnp
    ours = jnp.asarray(X)[_to_jax(idx, jnp)]
    theirs = rjnp.asarray(X)[_to_jax(idx, rjnp)]
    assert_same(ours, theirs)


def test_out_of_bounds_reads_clamp():
    x = jnp.array([1, 2, 3])
    assert_same(x[10], np.int32(3))
    assert_same(x[-10], np.int32(1))
    assert_same(x[jnp.array([0, 5, -7])], np.array([1, 3, 1], np.int32))
    assert_same(x.at[jnp.array([0, 5])].get(mode="fill", fill_value=-1), np.array([1, -1], np.int32))
    assert_same(x.at[5].get(mode="fill", fill_value=-1), np.int32(-1))
    assert_same(x.at[5].get(mode="clip"), np.int32(3))
    f = jnp.arange(3.)
    assert np.isnan(np.asarray(f.at[7].get(mode="fill")))
    assert_same(jaxlite.jit(lambda a, i: a[i])(x, 10), np.int32(3))


def test_weak_types_and_dtypes(jax):
    import jax.numpy as rjnp
    for mk in (lambda m: m.asarray(3.0) * m.ones(3), lambda m: m.arange(6, dtype=m.int8)):
        a, b = mk(jnp), mk(rjnp)
        assert_same(a[1], b[1])
        assert_same(a[jnp.array([0, 2])], b[rjnp.array([0, 2])])
        assert_same(a.at[1].set(2), b.at[1].set(2))
        assert_same(a.at[jnp.array([0, 0])].add(1), b.at[rjnp.array([0, 0])].add(1))
        assert_same(a.at[1].multiply(3), b.at[1].multiply(3))
        assert_same(a.at[1].divide(2), b.at[1].divide(2))
        assert_same(a.at[1].power(2), b.at[1].power(2))
    # a weakly-typed scalar array stays weak through x.at[].set
    w = jnp.asarray(2.0) + jnp.zeros(3)
    assert_same(w.at[0].set(1.0), (rjnp.asarray(2.0) + rjnp.zeros(3)).at[0].set(1.0))


AT_CASES = [
    (np.array([0, 1, 1, 4]), np.array([1., 2., 3., 4.], np.float32)),
    ((slice(None), np.array([2, 2, 0])), np.float32(5.)),
    (np.array([[0, 0], [3, 3]]), np.float32(2.)),
    (Ellipsis, np.float32(1.5)),
]


@pytest.mark.parametrize("case", range(len(AT_CASES)))
@pytest.mark.parametrize("method", ["set", "add", "subtract", "multiply", "divide", "power", "min", "max"])
def test_at_methods_vs_numpy(case, method):
    idx, vals = AT_CASES[case]
    base = np.linspace(1, 2, 20, dtype=np.float32).reshape(5, 4) if case == 1 else \
        np.linspace(1, 2, 5, dtype=np.float32)
    if case == 3:
        base = base.reshape(5)
    x = jnp.asarray(base)
    before = np.array(base, copy=True)
    out = getattr(x.at[_to_jax(idx, jnp)], method)(vals)
    ref = np.array(base, copy=True)
    ufunc = {"set": None, "add": np.add, "subtract": np.subtract, "multiply": np.multiply,
             "divide": np.divide, "power": np.power, "min": np.minimum, "max": np.maximum}[method]
    if ufunc is None:
        ref[idx] = vals
    elif method in ("divide", "power"):
        scale = np.ones_like(base)
        np.multiply.at(scale, idx, np.broadcast_to(vals, scale[idx].shape))
        ref = ufunc(base, scale)
    else:
        ufunc.at(ref, idx, np.broadcast_to(vals, ref[idx].shape))
    assert_same(out, ref.astype(np.float32), rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(x), before)  # never mutated


def test_at_apply_repeats():
    x = jnp.array([1., 2., 3.])
    assert_same(x.at[jnp.array([0, 0, 2])].apply(lambda v: v * 2), np.array([4., 2., 6.], np.float32))
    assert_same(x.at[1].apply(jnp.negative), np.array([1., -2., 3.], np.float32))


def test_at_out_of_bounds_modes():
    x = jnp.arange(5)
    idx = jnp.array([1, 7, -8])
    assert_same(x.at[idx].set(0), np.array([0, 0, 2, 3, 4], np.int32))
    assert_same(x.at[idx].set(0, mode="drop"), np.array([0, 0, 2, 3, 4], np.int32))
    assert_same(x.at[idx].set(-1, mode="clip"), np.array([-1, -1, 2, 3, -1], np.int32))
    assert_same(x.at[idx].add(10, mode="promise_in_bounds"), np.array([0, 11, 2, 3, 4], np.int32))
    assert_same(x.at[7].add(10), np.arange(5, dtype=np.int32))
    assert_same(x.at[2].get(wrap_negative_indices=False), np.int32(2))


def test_setitem_raises():
    x = jnp.arange(3)
    with pytest.raises(TypeError, match="at\\["):
        x[0] = 1


def test_index_errors():
    x = jnp.ones((2, 3))
    with pytest.raises(IndexError, match="Too many indices"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match="single ellipsis"):
        x[..., 0, ...]
    with pytest.raises(TypeError, match="integer or boolean"):
        x[1.5]
    with pytest.raises(TypeError, match="non-tuple sequence"):
        x[[0, slice(None)]]
    with pytest.raises(IndexError, match="boolean index did not match"):
        x[jnp.array([True, False, True])]
    with pytest.raises(NonConcreteBooleanIndexError):
        jaxlite.jit(lambda a, m: a[m])(x, jnp.array([True, False]))
    with pytest.raises(IndexError):
        jaxlite.jit(lambda a, m: a.at[m].set(0.))(x, jnp.array([True, False]))
    with pytest.raises(IndexError, match="out of bounds for axis 0 with size 0"):
        jnp.ones((0, 3))[0]
    with pytest.raises(TypeError, match="JAX arrays are\\s+immutable|in-place"):
        x[0] = 2


def _jaxpr_text(fn, *args):
    return str(jaxlite.make_jaxpr(fn)(*args))


def test_jaxprs_match_jax(jax):
    import jax.numpy as rjnp
    cases = [
        (lambda x, i: x[i], (np.arange(5.), 2)),
        (lambda x, i: x[i], (np.arange(5.), np.array([1, 2], np.int32))),
        (lambda x: x[1], (np.arange(5.),)),
        (lambda x: x[10], (np.arange(3),)),
        (lambda x: x[::2], (np.arange(5.),)),
        (lambda x: x[::-1, 1], (np.ones((4, 3)),)),
        (lambda x, i: x.at[i].add(1.), (np.arange(5.), np.array([1, 2], np.int32))),
        (lambda x, i: x.at[i].set(1.), (np.arange(5.), np.array([1, 2], np.int32))),
        (lambda x, i: x.at[i].min(1.), (np.arange(5.), np.array([1, 2], np.int32))),
        (lambda x: x.at[1].set(5), (np.arange(3),)),
        (lambda x, i: x.at[i].get(mode="fill"), (np.arange(3), 1)),
    ]
    for fn, args in cases:
        ours = _jaxpr_text(fn, *[jnp.asarray(a) if isinstance(a, np.ndarray) else a for a in args])
        theirs = str(jax.make_jaxpr(fn)(*[rjnp.asarray(a) if isinstance(a, np.ndarray) else a for a in args]))
        assert ours == theirs, f"\nours:\n{ours}\njax:\n{theirs}"
    ours = _jaxpr_text(lambda x, i: lax.dynamic_slice(x, (i,), (2,)), jnp.arange(5.), 1)
    theirs = str(jax.make_jaxpr(lambda x, i: jax.lax.dynamic_slice(x, (i,), (2,)))(rjnp.arange(5.), 1))
    assert ours == theirs


# ---------------------------------------------------------------------------------------------------
# lax level
# ---------------------------------------------------------------------------------------------------

def test_lax_gather_scatter_vs_jax(jax):
    from jax import lax as rlax
    import jax.numpy as rjnp
    op = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    idx = np.array([[0, 1], [1, 2], [1, 5]], np.int32)
    for mode in ("clip", "fill", "promise_in_bounds"):
        kw = dict(offset_dims=(1,), collapsed_slice_dims=(0, 1), start_index_map=(0, 1))
        ours = lax.gather(jnp.asarray(op), jnp.asarray(idx), lax.GatherDimensionNumbers(**kw), (1, 1, 2),
                          mode=mode)
        theirs = rlax.gather(rjnp.asarray(op), rjnp.asarray(idx), rlax.GatherDimensionNumbers(**kw),
                             (1, 1, 2), mode=mode)
        assert_same(ours, theirs)
        skw = dict(update_window_dims=(1,), inserted_window_dims=(0, 1), scatter_dims_to_operand_dims=(0, 1))
        upd = np.arange(6, dtype=np.float32).reshape(3, 2) + 100
        for name in ("scatter", "scatter_add", "scatter_sub", "scatter_mul", "scatter_min", "scatter_max"):
            ours = getattr(lax, name)(jnp.asarray(op), jnp.asarray(idx), jnp.asarray(upd),
                                      lax.ScatterDimensionNumbers(**skw), mode=mode)
            theirs = getattr(rlax, name)(rjnp.asarray(op), rjnp.asarray(idx), rjnp.asarray(upd),
                                         rlax.ScatterDimensionNumbers(**skw), mode=mode)
            assert_same(ours, theirs)
    # batching dims
    kw = dict(offset_dims=(2,), collapsed_slice_dims=(1,), start_index_map=(1,), operand_batching_dims=(0,),
              start_indices_batching_dims=(0,))
    bidx = np.array([[[2], [0]], [[1], [1]]], np.int32)
    ours = lax.gather(jnp.asarray(op), jnp.asarray(bidx), lax.GatherDimensionNumbers(**kw), (1, 1, 4))
    theirs = rlax.gather(rjnp.asarray(op), rjnp.asarray(bidx), rlax.GatherDimensionNumbers(**kw), (1, 1, 4))
    assert_same(ours, theirs)


def test_lax_dynamic_slices(jax):
    from jax import lax as rlax
    import jax.numpy as rjnp
    x = np.arange(20, dtype=np.float32).reshape(4, 5)
    for starts in [(1, 2), (3, 4), (-1, -2), (-9, 0)]:
        assert_same(lax.dynamic_slice(jnp.asarray(x), starts, (2, 3)),
                    rlax.dynamic_slice(rjnp.asarray(x), starts, (2, 3)))
        assert_same(lax.dynamic_update_slice(jnp.asarray(x), jnp.ones((2, 3)), starts),
                    rlax.dynamic_update_slice(rjnp.asarray(x), rjnp.ones((2, 3)), starts))
    assert_same(lax.dynamic_slice_in_dim(jnp.asarray(x), 3, 2, axis=0),
                rlax.dynamic_slice_in_dim(rjnp.asarray(x), 3, 2, axis=0))
    assert_same(lax.dynamic_index_in_dim(jnp.asarray(x), -1, axis=1, keepdims=False),
                rlax.dynamic_index_in_dim(rjnp.asarray(x), -1, axis=1, keepdims=False))
    assert_same(lax.dynamic_update_index_in_dim(jnp.asarray(x), jnp.zeros(5), 2, 0),
                rlax.dynamic_update_index_in_dim(rjnp.asarray(x), rjnp.zeros(5), 2, 0))
    assert_same(lax.dynamic_update_slice_in_dim(jnp.asarray(x), jnp.zeros((4, 2)), 4, 1),
                rlax.dynamic_update_slice_in_dim(rjnp.asarray(x), rjnp.zeros((4, 2)), 4, 1))
    assert_same(lax.index_in_dim(jnp.asarray(x), -1, 1), rlax.index_in_dim(rjnp.asarray(x), -1, 1))
    assert_same(lax.slice_in_dim(jnp.asarray(x), 1, -1, 2, 1), rlax.slice_in_dim(rjnp.asarray(x), 1, -1, 2, 1))
    idxs = (np.array([0, -1, 5], np.int32), np.array([1, 2, 3], np.int32))
    assert_same(lax.index_take(jnp.asarray(x), tuple(map(jnp.asarray, idxs)), (0, 1)),
                rlax.index_take(rjnp.asarray(x), tuple(map(rjnp.asarray, idxs)), (0, 1)))


def test_lax_errors():
    x = jnp.ones((3, 4))
    dn = lax.GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(0,), start_index_map=(0,))
    with pytest.raises(TypeError, match="one slice size for every input dimension"):
        lax.gather(x, jnp.zeros((2, 1), jnp.int32), dn, (1,))
    with pytest.raises(ValueError, match="integer type"):
        lax.gather(x[:, 0], jnp.zeros((2, 1)), dn, (1,))
    with pytest.raises(TypeError, match="collapse slice dims with bound 1"):
        lax.gather(x[:, 0], jnp.zeros((2, 1), jnp.int32), dn, (2,))
    sdn = lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
                                      scatter_dims_to_operand_dims=(0,))
    with pytest.raises(TypeError, match="same dtypes"):
        lax.scatter_add(x[:, 0], jnp.zeros((2, 1), jnp.int32), jnp.ones(2, jnp.int32), sdn)
    with pytest.raises(TypeError, match="scatter dimensions of updates"):
        lax.scatter_add(x[:, 0], jnp.zeros((2, 1), jnp.int32), jnp.ones(3), sdn)
    with pytest.raises(TypeError, match="slice_sizes must be less than or equal"):
        lax.dynamic_slice(x, (0, 0), (4, 1))
    with pytest.raises(TypeError, match="same rank"):
        lax.dynamic_update_slice(x, jnp.ones(2), (0, 0))
    with pytest.raises(ValueError, match="Unknown gather mode"):
        lax.gather(x[:, 0], jnp.zeros((2, 1), jnp.int32), dn, (1,), mode="bogus")


# ---------------------------------------------------------------------------------------------------
# autodiff and vmap
# ---------------------------------------------------------------------------------------------------

GRAD_FUNS = [
    ("gather", lambda m, x: (m.sin(x[m.array([0, 0, 1]), m.array([1, 1, 2])]) ** 2).sum()),
    ("slice_int", lambda m, x: (x[1, ::-2] ** 3).sum() + x[0, -1]),
    ("mixed", lambda m, x: (x[m.array([1, 0]), None, 1:] ** 2).sum()),
    ("bool", lambda m, x: (x[m.array([[True, False, True], [False, True, True]])] ** 2).sum()),
    ("at_add", lambda m, x: (x.at[0, m.array([0, 0, 2])].add(x[1] ** 2) ** 2).sum()),
    ("at_set_unique", lambda m, x: (x.at[m.array([1, 0])].set(x[0] * 3, unique_indices=True) ** 2).sum()),
    ("at_set_dup", lambda m, x: (x.at[0, m.array([2, 2])].set(x[1, :2] * 3) ** 2).sum()),
    ("at_mul", lambda m, x: (x.at[1].multiply(x[0], unique_indices=True) ** 2).sum()),
    ("at_max", lambda m, x: (x.at[0].max(x[1] * 2) ** 2).sum()),
    ("at_min", lambda m, x: (x.at[m.array([0, 0])].min(m.ones(3) * 1.5) ** 2).sum()),
    ("at_sub", lambda m, x: (x.at[m.array([1, 1])].subtract(x[0]) ** 2).sum()),
    ("take_along", lambda m, x: (m.take_along_axis(x, m.array([[2, 0], [1, 1]]), axis=1) ** 2).sum()),
    ("take", lambda m, x: (m.take(x, m.array([5, 0, 7]), mode="fill", fill_value=0.) ** 2).sum()),
]


@pytest.mark.parametrize("name,fn", GRAD_FUNS, ids=[g[0] for g in GRAD_FUNS])
def test_grad_vs_jax(name, fn, jax):
    import jax.numpy as rjnp
    x = np.array([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7]], np.float32)
    ours = jaxlite.grad(lambda a: fn(jnp, a))(jnp.asarray(x))
    theirs = jax.grad(lambda a: fn(rjnp, a))(rjnp.asarray(x))
    assert_same(ours, theirs, rtol=1e-5, atol=1e-6)
    # forward mode agrees with reverse mode
    t = np.ones_like(x)
    _, jv = jaxlite.jvp(lambda a: fn(jnp, a), (jnp.asarray(x),), (jnp.asarray(t),))
    np.testing.assert_allclose(np.asarray(jv), np.sum(np.asarray(ours) * t), rtol=1e-5)


def test_grad_dynamic_slice_finite_differences():
    def f(x, i):
        y = lax.dynamic_slice(x, (i, 1), (2, 2))
        z = lax.dynamic_update_slice(x * 2., jnp.sin(y), (1, i))
        return (z ** 2).sum() + (x[i] ** 3).sum()
    x = np.random.RandomState(0).randn(4, 3).astype(np.float32)
    for i in (0, 2, 5):
        g = np.asarray(jaxlite.grad(f)(jnp.asarray(x), i))
        eps = 1e-2
        fd = np.zeros_like(x)
        for k in np.ndindex(x.shape):
            d = np.zeros_like(x)
            d[k] = eps
            fd[k] = (float(f(jnp.asarray(x + d), i)) - float(f(jnp.asarray(x - d), i))) / (2 * eps)
        np.testing.assert_allclose(g, fd, rtol=2e-2, atol=2e-2)


def test_vmap_batched_indices_vs_loop():
    rng = np.random.RandomState(1)
    xs = rng.randn(4, 5, 3).astype(np.float32)
    idx = rng.randint(-5, 5, size=(4, 2)).astype(np.int32)
    scalars = rng.randint(-7, 7, size=(4,)).astype(np.int32)
    funs = [
        lambda x, i, s: x[i],
        lambda x, i, s: x[s],
        lambda x, i, s: x[:, s % 3],
        lambda x, i, s: x[i, s % 3],
        lambda x, i, s: x.at[i].add(1.),
        lambda x, i, s: x.at[s, 1].set(-1.),
        lambda x, i, s: x.at[i, 0].max(s.astype(jnp.float32)),
        lambda x, i, s: x.at[i, 0].mul(2.),
        lambda x, i, s: lax.dynamic_slice(x, (s, 0), (2, 3)),
        lambda x, i, s: lax.dynamic_update_slice(x, jnp.ones((2, 2)), (s, 1)),
        lambda x, i, s: jnp.take_along_axis(x[:2], jnp.abs(i)[:, None] % 3, axis=1),
        lambda x, i, s: jnp.take(x, i, axis=0, mode="clip"),
    ]
    for fn in funs:
        loop = np.stack([np.asarray(fn(jnp.asarray(xs[b]), jnp.asarray(idx[b]), jnp.asarray(scalars[b])))
                         for b in range(4)])
        out = jaxlite.vmap(fn)(jnp.asarray(xs), jnp.asarray(idx), jnp.asarray(scalars))
        np.testing.assert_allclose(np.asarray(out), loop, rtol=1e-6)
        # only the indices batched (operand shared), and only the operand batched
        loop2 = np.stack([np.asarray(fn(jnp.asarray(xs[0]), jnp.asarray(idx[b]), jnp.asarray(scalars[b])))
                          for b in range(4)])
        out2 = jaxlite.vmap(fn, in_axes=(None, 0, 0))(jnp.asarray(xs[0]), jnp.asarray(idx), jnp.asarray(scalars))
        np.testing.assert_allclose(np.asarray(out2), loop2, rtol=1e-6)
        loop3 = np.stack([np.asarray(fn(jnp.asarray(xs[b]), jnp.asarray(idx[0]), jnp.asarray(scalars[0])))
                          for b in range(4)])
        out3 = jaxlite.vmap(fn, in_axes=(0, None, None))(jnp.asarray(xs), jnp.asarray(idx[0]),
                                                          jnp.asarray(scalars[0]))
        np.testing.assert_allclose(np.asarray(out3), loop3, rtol=1e-6)


def test_vmap_of_grad_through_gather():
    xs = jnp.asarray(np.random.RandomState(2).randn(3, 4).astype(np.float32))
    idx = jnp.array([[0, 0], [1, 3], [2, 2]])
    g = jaxlite.vmap(jaxlite.grad(lambda x, i: (x[i] ** 2).sum()))(xs, idx)
    for b in range(3):
        ref = np.zeros(4, np.float32)
        np.add.at(ref, np.asarray(idx[b]), 2 * np.asarray(xs[b])[np.asarray(idx[b])])
        np.testing.assert_allclose(np.asarray(g[b]), ref, rtol=1e-6)


# ---------------------------------------------------------------------------------------------------
# jnp indexing functions
# ---------------------------------------------------------------------------------------------------

def test_take_and_friends(jax):
    import jax.numpy as rjnp
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    i = np.array([[0, 5], [-1, 2]], np.int32)
    for kw in [dict(), dict(axis=1), dict(axis=0, mode="clip"), dict(axis=1, mode="wrap"),
               dict(mode="fill", fill_value=-2.)]:
        assert_same(jnp.take(jnp.asarray(a), jnp.asarray(i), **kw), rjnp.take(rjnp.asarray(a), rjnp.asarray(i), **kw))
    ti = np.array([[3, 0, -1], [1, 7, 2], [0, 0, 0]], np.int32)
    for kw in [dict(axis=1), dict(axis=0), dict(axis=1, mode="clip"), dict(axis=-1, fill_value=9.)]:
        assert_same(jnp.take_along_axis(jnp.asarray(a[:, :3]), jnp.asarray(ti), **kw),
                    rjnp.take_along_axis(rjnp.asarray(a[:, :3]), rjnp.asarray(ti), **kw))
    assert_same(jnp.take_along_axis(jnp.asarray(a), jnp.array([[1], [0], [3]]), axis=1),
                np.take_along_axis(a, np.array([[1], [0], [3]]), axis=1))
    pi = np.array([[1], [0], [3]], np.int32)
    assert_same(jnp.put_along_axis(jnp.asarray(a), jnp.asarray(pi), 99., axis=1, inplace=False),
                rjnp.put_along_axis(rjnp.asarray(a), rjnp.asarray(pi), 99., axis=1, inplace=False))
    with pytest.raises(ValueError, match="inplace=False"):
        jnp.put_along_axis(jnp.asarray(a), jnp.asarray(pi), 99., axis=1)
    with pytest.raises(ValueError, match="inplace=False"):
        jnp.put(jnp.asarray(a), jnp.array([0]), 1.)
    for mode in (None, "clip", "wrap"):
        assert_same(jnp.put(jnp.asarray(a), jnp.array([0, 13, -1]), jnp.array([7., 8.]), mode=mode, inplace=False),
                    rjnp.put(rjnp.asarray(a), rjnp.array([0, 13, -1]), rjnp.array([7., 8.]), mode=mode,
                             inplace=False))
    mask = a % 3 == 0
    assert_same(jnp.place(jnp.asarray(a), jnp.asarray(mask), jnp.array([-1., -2.]), inplace=False),
                rjnp.place(rjnp.asarray(a), rjnp.asarray(mask), rjnp.array([-1., -2.]), inplace=False))
    c = np.array([2, 0, 1, 1], np.int32)
    choices = [a[0], a[1], a[2]]
    for mode in ("raise", "clip", "wrap"):
        cc = c if mode == "raise" else c * 2 - 1
        assert_same(jnp.choose(jnp.asarray(cc), [jnp.asarray(ch) for ch in choices], mode=mode),
                    rjnp.choose(rjnp.asarray(cc), [rjnp.asarray(ch) for ch in choices], mode=mode))
    cond = np.array([True, False, True])
    assert_same(jnp.compress(jnp.asarray(cond), jnp.asarray(a), axis=0), np.compress(cond, a, axis=0))
    assert_same(jnp.compress(jnp.asarray(cond), jnp.asarray(a), axis=1), np.compress(cond, a, axis=1))
    assert_same(jnp.compress(jnp.asarray(cond), jnp.asarray(a), axis=1, size=3, fill_value=-5),
                rjnp.compress(rjnp.asarray(cond), rjnp.asarray(a), axis=1, size=3, fill_value=-5))
    assert_same(jaxlite.jit(lambda c, x: jnp.compress(c, x, size=2))(jnp.asarray(cond), jnp.asarray(a[0])),
                np.array([0., 2.], np.float32))
    assert_same(jnp.extract(jnp.asarray(mask), jnp.asarray(a)), np.extract(mask, a))
    assert_same(jnp.extract(jnp.asarray(mask), jnp.asarray(a), size=6, fill_value=1.),
                rjnp.extract(rjnp.asarray(mask), rjnp.asarray(a), size=6, fill_value=1.))


def test_index_helpers(jax):
    import jax.numpy as rjnp
    mi = (np.array([0, 2, 1], np.int32), np.array([3, 0, 4], np.int32))
    for mode, order in [("raise", "C"), ("clip", "F"), ("wrap", "C")]:
        m = mi if mode == "raise" else (mi[0] * 3 - 2, mi[1])
        assert_same(jnp.ravel_multi_index(tuple(map(jnp.asarray, m)), (3, 5), mode=mode, order=order),
                    rjnp.ravel_multi_index(tuple(map(rjnp.asarray, m)), (3, 5), mode=mode, order=order))
    with pytest.raises(ValueError, match="invalid entry"):
        jnp.ravel_multi_index((jnp.array([3]), jnp.array([0])), (3, 5))
    flat = np.array([0, 7, 14, -1, 20], np.int32)
    assert_same(jnp.unravel_index(jnp.asarray(flat), (3, 5)), rjnp.unravel_index(rjnp.asarray(flat), (3, 5)))
    i32 = lambda t: tuple(np.asarray(v, np.int32) for v in t)  # noqa: E731  (NumPy gives int64)
    assert_same(jnp.diag_indices(3), i32(np.diag_indices(3)))
    assert_same(jnp.diag_indices_from(jnp.ones((2, 2, 2))), i32(np.diag_indices_from(np.ones((2, 2, 2)))))
    for k in (-1, 0, 2):
        assert_same(jnp.tril_indices(4, k, 3), i32(np.tril_indices(4, k, 3)))
        assert_same(jnp.triu_indices(3, k), i32(np.triu_indices(3, k)))
        assert_same(jnp.triu_indices_from(jnp.ones((2, 5)), k), i32(np.triu_indices_from(np.ones((2, 5)), k)))
        assert_same(jnp.tril_indices_from(jnp.ones((4, 2)), k), i32(np.tril_indices_from(np.ones((4, 2)), k)))
    a = np.arange(20).reshape(4, 5)
    r, c = jnp.ix_(jnp.array([0, 3]), jnp.array([1, 2, 4]))
    assert_same(jnp.asarray(a)[r, c], a[np.ix_([0, 3], [1, 2, 4])].astype(np.int32))
    assert_same(jnp.ix_(jnp.array([0, 3]), jnp.array([1, 2])), rjnp.ix_(rjnp.array([0, 3]), rjnp.array([1, 2])))


# ---------------------------------------------------------------------------------------------------
# random index expressions
# ---------------------------------------------------------------------------------------------------

SHAPE = (4, 3, 5)


@st.composite
def index_exprs(draw):
    items = []
    dim = 0
    used_ellipsis = False
    n = draw(st.integers(0, 4))
    for _ in range(n):
        kind = draw(st.sampled_from(["int", "slice", "array", "none", "ellipsis", "bool"]))
        if kind == "none":
            items.append(None)
            continue
        if kind == "ellipsis":
            if not used_ellipsis:
                items.append(Ellipsis)
                used_ellipsis = True
            continue
        if dim >= len(SHAPE):
            break
        size = SHAPE[dim] if not used_ellipsis else SHAPE[-1]
        if used_ellipsis and dim >= 1:
            break
        if kind == "int":
            items.append(draw(st.integers(-size, size - 1)))
        elif kind == "slice":
            items.append(slice(draw(st.none() | st.integers(-size - 1, size + 1)),
                               draw(st.none() | st.integers(-size - 1, size + 1)),
                               draw(st.none() | st.sampled_from([1, 2, -1, -3]))))
        elif kind == "array":
            items.append(np.array(draw(st.lists(st.integers(-size, size - 1), min_size=1, max_size=3)),
                                  np.int32))
        else:
            items.append(np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size))))
        dim += 1
    return tuple(items)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(index_exprs())
def test_random_index_expressions(idx):
    x = np.arange(np.prod(SHAPE), dtype=np.float32).reshape(SHAPE)
    try:
        expected = x[idx]
    except IndexError:
        return  # e.g. arrays that do not broadcast together
    assert_same(jnp.asarray(x)[_to_jax(idx, jnp)], expected)
    # updates: x[idx] = v is x.at[idx].set(v) (when numpy's result is well defined: unique targets)
    ref = np.array(x, copy=True)
    ref[idx] = -1.
    out = jnp.asarray(x).at[_to_jax(idx, jnp)].set(-1.)
    assert_same(out, ref)
    ref2 = np.array(x, copy=True)
    np.add.at(ref2, idx, 1.)
    assert_same(jnp.asarray(x).at[_to_jax(idx, jnp)].add(1.), ref2)
