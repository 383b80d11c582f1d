"""Convolutions and windowed reductions against real JAX: values, dtypes, VJPs/JVPs, vmap, jaxprs."""
from __future__ import annotations

import numpy as np
import pytest

import jaxlite
import jaxlite.lax as llax
import jaxlite.numpy as jnp

rng = np.random.RandomState(0)


def _close(a, b, tol=1e-4):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


CONV_CASES = [
    # lhs shape, rhs shape, strides, padding, lhs_dilation, rhs_dilation, dimension_numbers, fgc, bgc
    ((2, 3, 7, 6), (4, 3, 3, 2), (1, 1), "VALID", None, None, None, 1, 1),
    ((2, 3, 7, 6), (4, 3, 3, 2), (2, 1), "SAME", None, None, None, 1, 1),
    ((2, 3, 7, 6), (4, 3, 3, 2), (2, 3), [(1, 2), (0, -1)], None, None, None, 1, 1),
    ((2, 3, 7, 6), (4, 3, 3, 2), (1, 2), [(1, 2), (2, 1)], (2, 1), (1, 2), None, 1, 1),
    ((2, 7, 6, 3), (3, 2, 3, 4), (1, 1), "SAME", None, None, ("NHWC", "HWIO", "NHWC"), 1, 1),
    ((2, 6, 7, 6), (4, 3, 3, 2), (1, 1), "SAME", None, None, None, 2, 1),
    ((4, 3, 7, 6), (4, 3, 3, 2), (1, 1), "SAME", None, None, None, 1, 2),
    ((2, 3, 9), (4, 3, 3), (2,), "SAME", None, (2,), None, 1, 1),
    ((2, 4, 5, 6, 3), (4, 2, 2, 3, 2), (1, 2, 1), "VALID", None, None, None, 2, 1),
    ((2, 6, 7, 6), (6, 1, 3, 3), (1, 1), "SAME_LOWER", None, None, None, 6, 1),
    ((3, 7, 2, 6), (2, 4, 3, 3), (1, 1), "SAME", None, None, ("HNCW", "IOHW", "CWNH"), 1, 1),
]


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv_general_dilated_values_and_vjp(jax, case):
    ls, rs, strides, padding, ld, rd, dn, fgc, bgc = case
    x = rng.randn(*ls).astype(np.float32)
    w = rng.randn(*rs).astype(np.float32)

    def f(lax):
        return lambda a, b: lax.conv_general_dilated(a, b, strides, padding, ld, rd, dn, fgc, bgc)
    want = f(jax.lax)(x, w)
    got = f(llax)(x, w)
    _close(got, want)
    assert got.dtype == want.dtype
    ct = rng.randn(*want.shape).astype(np.float32)
    for a, b in zip(jaxlite.vjp(f(llax), x, w)[1](ct), jax.vjp(f(jax.lax), x, w)[1](ct)):
        _close(a, b)
    tx, tw = rng.randn(*ls).astype(np.float32), rng.randn(*rs).astype(np.float32)
    _close(jaxlite.jvp(f(llax), (x, w), (tx, tw))[1], jax.jvp(f(jax.lax), (x, w), (tx, tw))[1])


VMAP_CASES = [
    ((5, 2, 3, 7, 6), (4, 3, 3, 2), (0, None), 1, 1),
    ((2, 3, 7, 6), (4, 3, 3, 2, 5), (None, 4), 1, 1),
    ((2, 3, 7, 5, 6), (4, 3, 5, 3, 2), (3, 2), 1, 1),
    ((2, 6, 7, 6, 5), (4, 3, 3, 2), (4, None), 2, 1),
    ((4, 3, 5, 7, 6), (4, 3, 3, 2), (2, None), 1, 2),
    ((2, 6, 7, 6), (4, 3, 3, 5, 2), (None, 3), 2, 1),
    ((4, 3, 7, 6), (4, 3, 5, 3, 2), (None, 2), 1, 2),
    ((4, 3, 7, 6, 5), (4, 3, 5, 3, 2), (4, 2), 1, 2),
    ((5, 2, 6, 7, 6), (5, 4, 3, 3, 2), (0, 0), 2, 1),
]


@pytest.mark.parametrize("case", VMAP_CASES)
def test_conv_vmap(jax, case):
    ls, rs, in_axes, fgc, bgc = case
    x = rng.randn(*ls).astype(np.float32)
    w = rng.randn(*rs).astype(np.float32)

    def f(lax):
        return lambda a, b: lax.conv_general_dilated(a, b, (1, 1), "SAME", None, None, None, fgc, bgc)
    _close(jaxlite.vmap(f(llax), in_axes)(x, w), jax.vmap(f(jax.lax), in_axes)(x, w))


def test_conv_jaxpr_matches_jax(jax):
    x = np.ones((1, 2, 5, 5), np.float32)
    w = np.ones((3, 2, 2, 2), np.float32)
    got = str(jaxlite.make_jaxpr(lambda a, b: llax.conv(a, b, (1, 1), "SAME"))(x, w))
    want = str(jax.make_jaxpr(lambda a, b: jax.lax.conv(a, b, (1, 1), "SAME"))(x, w))
    assert got == want


def test_conv_dtypes(jax):
    x = rng.randn(1, 2, 5, 5)
    w = rng.randn(3, 2, 2, 2)
    for dt in (np.float16, np.int32):
        a, b = x.astype(dt), w.astype(dt)
        want = jax.lax.conv(a, b, (1, 1), "VALID")
        got = llax.conv(a, b, (1, 1), "VALID")
        assert got.dtype == want.dtype
        _close(np.asarray(got, np.float64), np.asarray(want, np.float64), 1e-2)
    want = jax.lax.conv(x.astype(np.int8), w.astype(np.int8), (1, 1), "VALID",
                        preferred_element_type=np.int32)
    got = llax.conv(x.astype(np.int8), w.astype(np.int8), (1, 1), "VALID",
                    preferred_element_type=np.int32)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    with pytest.raises(TypeError, match="same dtypes"):
        llax.conv(x.astype(np.float32), w.astype(np.float16), (1, 1), "VALID")
    with pytest.raises(ValueError, match="feature_group_count"):
        llax.conv_general_dilated(x.astype(np.float32), w.astype(np.float32), (1, 1), "VALID",
                                  feature_group_count=3)


@pytest.mark.parametrize("padding", ["SAME", "VALID", ((1, 2), (0, 1))])
@pytest.mark.parametrize("transpose_kernel", [False, True])
def test_conv_transpose(jax, padding, transpose_kernel):
    x = rng.randn(2, 5, 6, 3).astype(np.float32)
    w = rng.randn(3, 2, 3, 3).astype(np.float32)
    kw = dict(strides=(2, 1), padding=padding, transpose_kernel=transpose_kernel)
    _close(llax.conv_transpose(x, w, **kw), jax.lax.conv_transpose(x, w, **kw))


def test_conv_general_dilated_patches(jax):
    x = rng.randn(2, 3, 6, 5).astype(np.float32)
    args = ((2, 3), (1, 2), "SAME")
    _close(llax.conv_general_dilated_patches(x, *args), jax.lax.conv_general_dilated_patches(x, *args))
    xn = np.moveaxis(x, 1, 3)
    kw = dict(dimension_numbers=("NHWC", "OIHW", "NHWC"))
    _close(llax.conv_general_dilated_patches(xn, *args, **kw),
           jax.lax.conv_general_dilated_patches(xn, *args, **kw))


def test_conv_helpers(jax):
    dn = ("NHWC", "HWIO", "NHWC")
    assert llax.conv_dimension_numbers((1, 2, 3, 4), (1, 2, 3, 4), dn) == \
        tuple(jax.lax.conv_dimension_numbers((1, 2, 3, 4), (1, 2, 3, 4), dn))
    assert llax.conv_general_shape_tuple((2, 9, 8, 3), (3, 3, 3, 5), (2, 1), "SAME", dn) == \
        tuple(jax.lax.conv_general_shape_tuple((2, 9, 8, 3), (3, 3, 3, 5), (2, 1), "SAME", dn))
    assert llax.padtype_to_pads((5, 6), (2, 3), (2, 1), "SAME") == \
        [tuple(p) for p in jax.lax.padtype_to_pads((5, 6), (2, 3), (2, 1), "SAME")]
    with pytest.raises(TypeError, match="exactly once"):
        llax.conv_dimension_numbers((1, 2, 3, 4), (1, 2, 3, 4), ("NHWW", "HWIO", "NHWC"))


def test_cnn_grad(jax):
    """grad of a small CNN (conv + relu + max pool + dense) matches JAX."""
    x = rng.randn(4, 8, 8, 1).astype(np.float32)
    y = rng.randn(4, 10).astype(np.float32)
    params = [rng.randn(3, 3, 1, 4).astype(np.float32) * 0.3, rng.randn(64, 10).astype(np.float32) * 0.1]

    def make(jx, jn):
        def loss(p, x, y):
            h = jx.lax.conv_general_dilated(x, p[0], (1, 1), "SAME",
                                            dimension_numbers=("NHWC", "HWIO", "NHWC"))
            h = jn.where(h > 0, h, 0.0)
            h = jx.lax.reduce_window(h, -jn.inf, jx.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
            out = h.reshape(h.shape[0], -1) @ p[1]
            return jn.mean((out - y) ** 2)
        return loss
    import jax.numpy as jjnp
    g_l = jaxlite.grad(make(jaxlite, jnp))(params, x, y)
    g_j = jax.grad(make(jax, jjnp))(params, x, y)
    for a, b in zip(g_l, g_j):
        _close(a, b, 1e-4)


# ---------------------------------------------------------------------------------------------------
# reduce_window / reduce
# ---------------------------------------------------------------------------------------------------

RW_CASES = [
    ((2, 3, 7, 6), (1, 1, 2, 2), (1, 1, 2, 2), "VALID", None, None, False, True),
    ((2, 3, 7, 6), (1, 1, 3, 3), (1, 1, 1, 1), "SAME", None, None, False, True),
    ((2, 3, 7, 6), (1, 1, 3, 3), (1, 1, 2, 2), "SAME", None, None, True, True),   # ties
    ((2, 3, 7, 6), (1, 1, 3, 2), (1, 1, 2, 1), [(0, 0), (0, 0), (1, 2), (-1, 1)], None, None, False,
     False),
    ((7, 6), (2, 3), (1, 2), "VALID", (2, 1), (1, 2), False, False),
]


@pytest.mark.parametrize("op,init", [("add", 0.), ("max", -np.inf), ("min", np.inf)])
@pytest.mark.parametrize("case", RW_CASES)
def test_reduce_window_monoids(jax, op, init, case):
    shape, wd, ws, pad, bd, wdl, ties, grad_ok = case
    x = rng.randn(*shape).astype(np.float32)
    if ties:
        x = np.round(x)

    def f(lax):
        return lambda a: lax.reduce_window(a, init, getattr(lax, op), wd, ws, pad, bd, wdl)
    want = f(jax.lax)(x)
    got = f(llax)(x)
    _close(got, want, 1e-5)
    assert got.dtype == want.dtype
    if grad_ok or op == "add":
        ct = rng.randn(*want.shape).astype(np.float32)
        _close(jaxlite.vjp(f(llax), x)[1](ct)[0], jax.vjp(f(jax.lax), x)[1](ct)[0], 1e-5)
    _close(jaxlite.jvp(f(llax), (x,), (2 * x,))[1], jax.jvp(f(jax.lax), (x,), (2 * x,))[1], 1e-5)
    xs = np.stack([x, x + 1, -x])
    _close(jaxlite.vmap(f(llax))(xs), jax.vmap(f(jax.lax))(xs), 1e-5)


def test_reduce_window_jaxpr_matches_jax(jax):
    x = np.ones((1, 2, 5, 5), np.float32)

    def f(lax, jn):
        return lambda a: lax.reduce_window(a, -jn.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID").sum()
    import jax.numpy as jjnp
    assert str(jaxlite.make_jaxpr(jaxlite.grad(f(llax, jnp)))(x)) == \
        str(jax.make_jaxpr(jax.grad(f(jax.lax, jjnp)))(x))


@pytest.mark.parametrize("op,init,pad,bd,wdl", [
    ("mul", 1., "VALID", None, None),
    ("add", 1., "SAME", None, None),
    ("max", 0., "SAME", (2, 1), (1, 2)),
    ("add", 10., [(1, 1), (2, 0)], None, None),
])
def test_reduce_window_generic(jax, op, init, pad, bd, wdl):
    x = rng.randn(7, 6).astype(np.float32)

    def f(lax):
        return lambda a: lax.reduce_window(a, np.float32(init), getattr(lax, op), (2, 3), (1, 2), pad, bd, wdl)
    _close(f(llax)(x), f(jax.lax)(x), 1e-5)
    xs = np.stack([x, x + 1])
    _close(jaxlite.vmap(f(llax))(xs), jax.vmap(f(jax.lax))(xs), 1e-5)


def test_reduce_window_pytree(jax):
    x = rng.randn(6, 5).astype(np.float32)
    y = rng.randn(6, 5).astype(np.float32)

    def comp(lax):
        def c(a, b):
            return (lax.add(a[0], b[0]), lax.max(a[1], b[1]))
        return c
    want = jax.lax.reduce_window((x, y), (np.float32(0), np.float32(-np.inf)), comp(jax.lax), (2, 2),
                                 (1, 1), "VALID")
    got = llax.reduce_window((x, y), (np.float32(0), np.float32(-np.inf)), comp(llax), (2, 2), (1, 1),
                             "VALID")
    for a, b in zip(got, want):
        _close(a, b, 1e-5)


@pytest.mark.parametrize("op,init,dims", [
    ("add", 0., (1,)), ("max", -np.inf, (0, 2)), ("mul", 1., (2,)), ("add", 1., (0, 2)),
    ("min", 3., (1,)), ("sub", 0., (1,)),
])
def test_reduce(jax, op, init, dims):
    x = rng.randn(3, 5, 4).astype(np.float32)
    if op == "sub":  # not associative: only check it runs and has the right shape
        got = llax.reduce(x, np.float32(init), llax.sub, dims)
        assert got.shape == (3, 4)
        return
    want = jax.lax.reduce(x, np.float32(init), getattr(jax.lax, op), dims)
    got = llax.reduce(x, np.float32(init), getattr(llax, op), dims)
    _close(got, want, 1e-5)
    assert got.dtype == want.dtype


def test_reduce_ints_and_bools(jax):
    x = rng.randint(-5, 5, size=(4, 6)).astype(np.int32)
    for op, init in (("bitwise_or", 0), ("bitwise_and", -1), ("max", np.iinfo(np.int32).min)):
        want = jax.lax.reduce(x, np.int32(init), getattr(jax.lax, op), (1,))
        got = llax.reduce(x, np.int32(init), getattr(llax, op), (1,))
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype
    b = x > 0
    want = jax.lax.reduce(b, True, jax.lax.bitwise_and, (0,))
    got = llax.reduce(b, True, llax.bitwise_and, (0,))
    np.testing.assert_array_equal(got, want)
