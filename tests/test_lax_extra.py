"""The remaining jax.lax names: custom_linear_solve/custom_root (values and implicit gradients vs JAX),
mulhi, split, tile, empty, optimization_barrier, rng_bit_generator, rng_uniform, tokens, composite,
platform_dependent, approx_max_k/min_k, ragged_dot, random_gamma_grad, broadcast_like."""
from __future__ import annotations

from functools import partial

import numpy as np
import pytest

import jaxlite
import jaxlite.lax as lax
import jaxlite.numpy as jnp
from conftest import assert_same
from jaxlite.test_util import check_grads


def _rng(seed=0):
    return np.random.default_rng(seed)


# ---------------------------------------------------------------------------------------------------
# custom_linear_solve
# ---------------------------------------------------------------------------------------------------

def _spd(n, seed=0):
    m = _rng(seed).normal(size=(n, n)).astype(np.float32)
    return m @ m.T + n * np.eye(n, dtype=np.float32)


def _make_linear_solve(J, symmetric):
    def f(a, b):
        matvec = lambda x: J.numpy.dot(a, x)  # noqa: E731
        solve = lambda mv, x: J.numpy.linalg.solve(a, x)  # noqa: E731
        tsolve = None if symmetric else (lambda vm, x: J.numpy.linalg.solve(a.T, x))
        return J.lax.custom_linear_solve(matvec, b, solve, tsolve, symmetric=symmetric)
    return f


class _NS:
    def __init__(self, lax_mod, numpy_mod):
        self.lax, self.numpy = lax_mod, numpy_mod


@pytest.mark.parametrize("symmetric", [True, False])
def test_custom_linear_solve_values_and_grads_vs_jax(jax, symmetric):
    ours = _make_linear_solve(_NS(lax, jnp), symmetric)
    ref = _make_linear_solve(_NS(jax.lax, jax.numpy), symmetric)
    a = _spd(3) if symmetric else _spd(3) + np.triu(np.ones((3, 3), np.float32))
    b = _rng(1).normal(size=3).astype(np.float32)
    assert_same(ours(a, b), ref(a, b), rtol=1e-5, atol=1e-5)
    loss = lambda J, f: (lambda a, b: (f(a, b) ** 2).sum())  # noqa: E731
    for argnums in [0, 1, (0, 1)]:
        g_ours = jaxlite.grad(loss(None, ours), argnums)(a, b)
        g_ref = jax.grad(loss(None, ref), argnums)(a, b)
        assert_same(g_ours, g_ref, rtol=2e-4, atol=2e-4)
    # forward mode
    ta, tb = np.ones_like(a), np.ones_like(b)
    assert_same(jaxlite.jvp(ours, (a, b), (ta, tb)), jax.jvp(ref, (a, b), (ta, tb)), rtol=2e-4, atol=2e-4)


def test_custom_linear_solve_check_grads_and_jit():
    a, b = _spd(3, 2), _rng(3).normal(size=3).astype(np.float32)
    f = _make_linear_solve(_NS(lax, jnp), False)
    check_grads(f, (a.astype(np.float64), b.astype(np.float64)), order=1, modes=["fwd", "rev"], atol=5e-2,
                rtol=5e-2)
    np.testing.assert_allclose(jaxlite.jit(f)(a, b), np.linalg.solve(a, b), rtol=1e-5)
    np.testing.assert_allclose(jaxlite.jit(jaxlite.grad(lambda b: f(a, b).sum()))(b),
                               np.linalg.solve(a.T, np.ones(3)), rtol=1e-5)


def test_custom_linear_solve_pytree_aux_and_iterative_solver(jax):
    a = _spd(2, 4)

    def solve_cg(matvec, b):
        # a few Jacobi-preconditioned gradient steps in a while_loop: not reverse differentiable by
        # itself, so the gradient must come from the implicit rule
        def body(c):
            i, x = c
            r = b - matvec(x)
            return i + 1, x + r / jnp.diag(a)
        _, x = lax.while_loop(lambda c: c[0] < 200, body, (0, jnp.zeros_like(b)))
        return x, 7

    def f(b):
        return lax.custom_linear_solve(lambda x: jnp.dot(a, x), b, solve_cg, symmetric=True, has_aux=True)

    b = np.array([1.0, 2.0], np.float32)
    x, aux = f(b)
    np.testing.assert_allclose(x, np.linalg.solve(a, b), rtol=1e-4)
    assert int(aux) == 7
    g = jaxlite.grad(lambda b: f(b)[0].sum())(b)
    np.testing.assert_allclose(g, np.linalg.solve(a, np.ones(2)), rtol=1e-4)

    def tree_solve(b):
        mv = lambda t: {"u": 2.0 * t["u"], "v": 4.0 * t["v"]}  # noqa: E731
        sv = lambda _, t: {"u": t["u"] / 2.0, "v": t["v"] / 4.0}  # noqa: E731
        return lax.custom_linear_solve(mv, b, sv, symmetric=True)
    t = {"u": jnp.ones(2), "v": jnp.float32(8.0)}
    out = tree_solve(t)
    assert_same(out["u"], np.full(2, 0.5, np.float32))
    assert_same(out["v"], np.float32(2.0))
    g = jaxlite.grad(lambda t: tree_solve(t)["v"])(t)
    assert_same(g["v"], np.float32(0.25))


def test_custom_linear_solve_vmap_and_errors(jax):
    a = np.stack([_spd(2, s) for s in range(3)])
    b = _rng(5).normal(size=(3, 2)).astype(np.float32)
    f = _make_linear_solve(_NS(lax, jnp), False)
    out = jaxlite.vmap(f)(a, b)
    np.testing.assert_allclose(out, np.linalg.solve(a, b[..., None])[..., 0], rtol=1e-5)
    out2 = jaxlite.vmap(f, (None, 0))(a[0], b)
    np.testing.assert_allclose(out2, np.linalg.solve(a[0], b.T).T, rtol=1e-5)
    g = jaxlite.vmap(jaxlite.grad(lambda a, b: f(a, b).sum()))(a, b)
    g_ref = jax.vmap(jax.grad(lambda a, b: _make_linear_solve(_NS(jax.lax, jax.numpy), False)(a, b).sum()))(a, b)
    assert_same(g, g_ref, rtol=2e-4, atol=2e-4)
    # no transpose_solve: forward mode works, reverse mode raises as in JAX
    g = lambda b: lax.custom_linear_solve(lambda x: 2.0 * x, b, lambda mv, x: x / 2.0)  # noqa: E731
    np.testing.assert_allclose(jaxlite.jvp(g, (jnp.ones(2),), (jnp.ones(2),))[1], [0.5, 0.5])
    with pytest.raises(TypeError, match="transpose_solve required"):
        jaxlite.grad(lambda b: g(b).sum())(jnp.ones(2))
    with pytest.raises(ValueError, match="output shapes must match b"):
        lax.custom_linear_solve(lambda x: x, jnp.ones(2), lambda mv, x: jnp.ones(3))


def test_custom_linear_solve_jaxpr_matches_jax(jax):
    a = _spd(2)
    f = lambda b: lax.custom_linear_solve(lambda x: x * 2.0, b, lambda mv, x: x / 2.0, symmetric=True)  # noqa
    fr = lambda b: jax.lax.custom_linear_solve(lambda x: x * 2.0, b, lambda mv, x: x / 2.0, symmetric=True)  # noqa
    ours = str(jaxlite.make_jaxpr(f)(np.ones(2, np.float32)))
    ref = str(jax.make_jaxpr(fr)(np.ones(2, np.float32)))
    assert "custom_linear_solve[" in ours and "custom_linear_solve[" in ref
    assert "const_lengths=_LinearSolveTuple(matvec=0, vecmat=0, solve=0, transpose_solve=0)" in ours
    assert "const_lengths=_LinearSolveTuple(matvec=0, vecmat=0, solve=0, transpose_solve=0)" in ref
    del a


# ---------------------------------------------------------------------------------------------------
# custom_root
# ---------------------------------------------------------------------------------------------------

def _sqrt_root(J, a):
    f = lambda x: x ** 2 - a  # noqa: E731
    newton = lambda f, x0: J.lax.fori_loop(0, 30, lambda i, x: x - f(x) / (2 * x), x0)  # noqa: E731
    return J.lax.custom_root(f, 1.0, newton, lambda g, y: y / g(1.0))


def test_custom_root_scalar_vs_jax(jax):
    ours = partial(_sqrt_root, _NS(lax, jnp))
    ref = partial(_sqrt_root, _NS(jax.lax, jax.numpy))
    for a in [np.float32(4.0), np.float32(2.5)]:
        assert_same(ours(a), ref(a), rtol=1e-6)
        assert_same(jaxlite.grad(ours)(a), jax.grad(ref)(a), rtol=1e-5)
        assert_same(jaxlite.jacfwd(ours)(a), jax.jacfwd(ref)(a), rtol=1e-5)
        np.testing.assert_allclose(jaxlite.grad(ours)(a), 0.5 / np.sqrt(a), rtol=1e-5)
    assert_same(jaxlite.jit(jaxlite.grad(ours))(np.float32(9.0)), np.float32(1 / 6), rtol=1e-5)
    np.testing.assert_allclose(jaxlite.vmap(jaxlite.grad(ours))(np.array([1.0, 4.0], np.float32)), [0.5, 0.25],
                               rtol=1e-5)


def test_custom_root_vector_with_aux(jax):
    def solve_fixed_point(J, theta):
        # root of f(x) = A x - theta (x = A^{-1} theta) with a linear tangent solve
        A = J.numpy.array([[3.0, 1.0], [1.0, 2.0]])
        f = lambda x: A @ x - theta  # noqa: E731

        def solver(f, x0):
            x = J.lax.fori_loop(0, 100, lambda i, x: x - 0.2 * f(x), x0)
            return x, J.numpy.sum(x)

        def tangent_solve(g, y):
            return J.numpy.linalg.solve(J.jacfwd(g)(y), y)
        sol, aux = J.lax.custom_root(f, J.numpy.zeros(2), solver, tangent_solve, has_aux=True)
        return (sol ** 2).sum() + 0.0 * aux

    class NS(_NS):
        def __init__(self, lax_mod, numpy_mod, jacfwd):
            super().__init__(lax_mod, numpy_mod)
            self.jacfwd = jacfwd
    ours = partial(solve_fixed_point, NS(lax, jnp, jaxlite.jacfwd))
    ref = partial(solve_fixed_point, NS(jax.lax, jax.numpy, jax.jacfwd))
    theta = np.array([1.0, -2.0], np.float32)
    assert_same(ours(theta), ref(theta), rtol=1e-4, atol=1e-5)
    assert_same(jaxlite.grad(ours)(theta), jax.grad(ref)(theta), rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------------------------------------------
# primitives in misc.py
# ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.uint8, np.uint32, np.int64, np.uint64])
def test_mulhi(jax, dtype):
    info = np.iinfo(dtype)
    vals = _rng(0).integers(info.min, info.max, size=16, dtype=dtype, endpoint=True)
    vals[:4] = [info.min, info.max, 0, 1] if info.min < 0 else [info.max, info.max, 0, 1]
    x, y = vals, vals[::-1].copy()
    bits = 8 * np.dtype(dtype).itemsize
    expected = np.array([(int(a) * int(b)) >> bits for a, b in zip(x, y)], dtype=object).astype(dtype)
    if bits == 64:
        # int64 values need x64 in jaxlite as in JAX: check the NumPy implementation directly
        from jaxlite._src.lax.misc import _mulhi_impl
        np.testing.assert_array_equal(_mulhi_impl(x, y), expected)
        return
    np.testing.assert_array_equal(lax.mulhi(x, y), expected)
    if bits <= 32:
        assert_same(lax.mulhi(x, y), jax.lax.mulhi(x, y))
    with pytest.raises(TypeError):
        lax.mulhi(np.float32(1), np.float32(2))


def test_split_tile_empty_vs_jax(jax):
    x = np.arange(24.0, dtype=np.float32).reshape(4, 6)
    for sizes, axis in [((1, 3), 0), ((2, 0, 4), 1), ((6,), -1)]:
        assert_same(lax.split(x, sizes, axis), jax.lax.split(x, sizes, axis))
    with pytest.raises(ValueError, match="Sum of sizes"):
        lax.split(x, (1, 2), 0)
    assert_same(lax.tile(x, (2, 3)), jax.lax.tile(x, (2, 3)))
    with pytest.raises(TypeError, match="reps length"):
        lax.tile(x, (2,))
    assert_same(lax.empty((2, 3), np.int32), np.zeros((2, 3), np.int32))
    assert str(jaxlite.make_jaxpr(lambda: lax.empty((2,), "float32"))()) == \
        str(jax.make_jaxpr(lambda: jax.lax.empty((2,), "float32"))())
    assert str(jaxlite.make_jaxpr(lambda x: lax.split(x, (1, 3)))(x)) == \
        str(jax.make_jaxpr(lambda x: jax.lax.split(x, (1, 3)))(x))


def test_split_tile_grads_and_vmap(jax):
    x = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    w = np.arange(1.0, 4.0, dtype=np.float32)
    f = lambda lx: (lambda x: (lx.split(x, (1, 3), 1)[1] ** 2).sum() + (lx.tile(x, (2, 1)) * x.sum()).sum())  # noqa
    assert_same(jaxlite.grad(f(lax))(x), jax.grad(f(jax.lax))(x), rtol=1e-5)
    # float32 finite differences: loose tolerances (second derivatives are also checked against JAX)
    check_grads(lambda x: lax.split(x, (2, 2), 1)[0] * lax.tile(x, (1, 1))[:, :2], (x / 7,),
                order=2, modes=["fwd", "rev"], atol=5e-2, rtol=5e-2)
    h = lambda l: (lambda x: (l.tile(l.split(x, (1, 3), 1)[1], (2, 1)) ** 3).sum())  # noqa: E731
    assert_same(jaxlite.hessian(h(lax))(x / 7), jax.hessian(h(jax.lax))(x / 7), rtol=1e-4, atol=1e-5)
    v = jaxlite.vmap(lambda x: lax.split(x, (1, 3))[1])(x)
    assert_same(v, x[:, 1:])
    v = jaxlite.vmap(lambda x: lax.tile(x, (2,)), 1, 1)(x)
    assert_same(v, np.tile(x, (2, 1)))
    del w


def test_optimization_barrier(jax):
    x = np.float32(1.5)
    f = lambda l: (lambda x: l.optimization_barrier((l.sin(x), x * 2.0))[0] * x)  # noqa: E731
    assert_same(f(lax)(x), f(jax.lax)(x))
    assert_same(jaxlite.grad(f(lax))(x), jax.grad(f(jax.lax))(x))
    assert_same(jaxlite.jvp(f(lax), (x,), (np.float32(1.0),)), jax.jvp(f(jax.lax), (x,), (np.float32(1.0),)))
    assert_same(jaxlite.vmap(f(lax))(np.arange(3.0, dtype=np.float32)),
                jax.vmap(f(jax.lax))(np.arange(3.0, dtype=np.float32)))
    ours = str(jaxlite.make_jaxpr(lambda x: lax.optimization_barrier([x, x]))(x))
    ref = str(jax.make_jaxpr(lambda x: jax.lax.optimization_barrier([x, x]))(x))
    assert ours == ref


def test_rng_bit_generator_shapes_and_determinism(jax):
    key = np.array([1, 2, 3, 4], np.uint32)
    for dtype in [np.uint8, np.uint16, np.uint32, np.uint64]:
        if dtype == np.uint64 and not jaxlite.config.jax_enable_x64:
            continue
        k, bits = lax.rng_bit_generator(key, (3, 5), dtype)
        rk, rbits = jax.lax.rng_bit_generator(key, (3, 5), dtype)
        assert (k.shape, k.dtype, bits.shape, bits.dtype) == (rk.shape, rk.dtype, rbits.shape, rbits.dtype)
        k2, bits2 = lax.rng_bit_generator(key, (3, 5), dtype)
        np.testing.assert_array_equal(bits, bits2)
        np.testing.assert_array_equal(k, k2)
    _, b1 = lax.rng_bit_generator(key, (100,))
    _, b2 = lax.rng_bit_generator(key + 1, (100,))
    assert not np.array_equal(b1, b2)
    assert len(np.unique(np.asarray(b1))) > 90
    with pytest.raises(TypeError, match="unsupported dtype"):
        lax.rng_bit_generator(key, (2,), np.int32)
    jk, jb = jaxlite.jit(lambda k: lax.rng_bit_generator(k, (4,)))(key)
    np.testing.assert_array_equal(jb, lax.rng_bit_generator(key, (4,))[1])
    vk, vb = jaxlite.vmap(lambda k: lax.rng_bit_generator(k, (4,)))(np.stack([key, key]))
    assert vb.shape == (2, 4) and np.array_equal(vb[0], vb[1])
    assert str(lax.RandomAlgorithm.RNG_PHILOX) == str(jax.lax.RandomAlgorithm.RNG_PHILOX)


def test_rng_uniform_and_tokens(jax):
    u = lax.rng_uniform(np.float32(2.0), np.float32(3.0), (50,))
    assert u.shape == (50,) and u.dtype == np.float32
    assert np.all((np.asarray(u) >= 2.0) & (np.asarray(u) < 3.0))
    i = lax.rng_uniform(np.int32(0), np.int32(5), (50,))
    assert i.dtype == np.int32 and np.all((np.asarray(i) >= 0) & (np.asarray(i) < 5))
    t = lax.after_all(lax.create_token(), lax.create_token())
    assert "Token" in repr(t)
    ours = str(jaxlite.make_jaxpr(lambda x: (lax.after_all(lax.create_token()), x)[1])(1.0))
    assert "create_token" in ours and "after_all" in ours
    with pytest.raises(TypeError, match="not a token"):
        lax.after_all(jnp.ones(2))


def test_composite(jax):
    def make(l, n):
        @partial(l.composite, name="my.tangent")
        def tangent(x, *, scale):
            return n.sin(x) / n.cos(x) * scale
        return tangent
    x = np.linspace(0.1, 1.0, 4, dtype=np.float32)
    assert_same(make(lax, jnp)(x, scale=2.0), make(jax.lax, jax.numpy)(x, scale=2.0))
    ours = str(jaxlite.make_jaxpr(partial(make(lax, jnp), scale=2.0))(x))
    assert "composite[" in ours and "name=my.tangent" in ours
    assert_same(jaxlite.jit(partial(make(lax, jnp), scale=1.0))(x), np.tan(x), rtol=1e-6)
    assert_same(jaxlite.vmap(partial(make(lax, jnp), scale=1.0))(x), np.tan(x), rtol=1e-6)
    with pytest.raises(ValueError, match="JVP rule for composite"):
        jaxlite.grad(lambda x: make(lax, jnp)(x, scale=1.0).sum())(x)


def test_platform_dependent_and_broadcast_like(jax):
    x = np.float32(0.5)
    assert_same(lax.platform_dependent(x, cpu=jnp.sin, tpu=jnp.cos),
                jax.lax.platform_dependent(x, cpu=jax.numpy.sin, tpu=jax.numpy.cos))
    assert_same(lax.platform_dependent(x, tpu=jnp.sin, default=jnp.cos),
                jax.lax.platform_dependent(x, tpu=jax.numpy.sin, default=jax.numpy.cos))
    assert_same(jaxlite.jit(lambda x: lax.platform_dependent(x, cpu=jnp.exp, default=jnp.cos))(x), np.exp(x))
    with pytest.raises(ValueError, match="cuda"):
        lax.platform_dependent(x, gpu=jnp.sin)
    with pytest.raises(NotImplementedError, match="cpu"):
        lax.platform_dependent(x, tpu=jnp.sin)
    a = np.arange(3.0, dtype=np.float32)
    assert_same(lax.broadcast_like(a, np.ones((2, 3))), jax.lax.broadcast_like(a, np.ones((2, 3))))
    assert_same(lax.broadcast_like(a[:, None], np.ones((2, 3, 4))),
                jax.lax.broadcast_like(a[:, None], np.ones((2, 3, 4))))


@pytest.mark.parametrize("fn", ["approx_max_k", "approx_min_k"])
@pytest.mark.parametrize("dim", [-1, 0])
def test_approx_k_vs_jax(jax, fn, dim):
    x = _rng(2).normal(size=(5, 7)).astype(np.float32)
    x[0, :3] = 0.25   # ties
    ours = getattr(lax, fn)(x, 3, reduction_dimension=dim)
    ref = getattr(jax.lax, fn)(x, 3, reduction_dimension=dim)
    assert_same(ours, ref)
    g = jaxlite.grad(lambda x: (getattr(lax, fn)(x, 3, reduction_dimension=dim)[0] ** 2).sum())(x)
    g_ref = jax.grad(lambda x: (getattr(jax.lax, fn)(x, 3, reduction_dimension=dim)[0] ** 2).sum())(x)
    assert_same(g, g_ref)
    v = jaxlite.vmap(lambda r: getattr(lax, fn)(r, 2))(x)
    assert_same(v, jax.vmap(lambda r: getattr(jax.lax, fn)(r, 2))(x))


def test_ragged_dot_vs_jax(jax):
    lhs = _rng(3).normal(size=(7, 4)).astype(np.float32)
    rhs = _rng(4).normal(size=(3, 4, 5)).astype(np.float32)
    for gs in [np.array([2, 3, 2], np.int32), np.array([0, 4, 1], np.int32), np.array([7, 0, 0], np.int32)]:
        assert_same(lax.ragged_dot(lhs, rhs, gs), jax.lax.ragged_dot(lhs, rhs, gs), rtol=1e-5, atol=1e-5)
    gs = np.array([2, 3, 2], np.int32)
    f = lambda l: (lambda a, b: (l.ragged_dot(a, b, gs) ** 2).sum())  # noqa: E731
    assert_same(jaxlite.grad(f(lax), (0, 1))(lhs, rhs), jax.grad(f(jax.lax), (0, 1))(lhs, rhs), rtol=1e-4,
                atol=1e-4)
    dn = lax.RaggedDotDimensionNumbers((((1,), (1,)), ((), ())), [0], [0])
    assert_same(lax.ragged_dot_general(lhs, rhs, gs, dn), jax.lax.ragged_dot(lhs, rhs, gs), rtol=1e-5, atol=1e-5)


def test_random_gamma_grad_vs_jax(jax):
    a = np.array([0.5, 1.0, 2.0, 5.0], np.float32)
    x = np.array([0.3, 1.2, 2.5, 4.0], np.float32)
    assert_same(lax.random_gamma_grad(a, x), jax.lax.random_gamma_grad(a, x), rtol=2e-4, atol=1e-5)


def test_misc_names(jax):
    assert lax.stop_gradient_p.name == "stop_gradient"
    for v in [np.float64(1), 1.0, 2, np.int8, "float16", np.ones(2, np.float64)]:
        assert lax.dtype(v) == jax.lax.dtype(v), v
    assert_same(lax.shape_as_value((2, 3)), np.array([2, 3], np.int32))
    assert lax.Tolerance(atol=1e-3).atol == 1e-3
    assert lax.DotDimensionNumbers is not None
    assert lax.dce_sink(jnp.ones(2)) is None
    assert_same(lax.eq_to_p.bind(np.int32(2), np.int32(2)), np.bool_(True))


@pytest.mark.parametrize("dn,lhs_perm,rhs_shape", [(None, None, (4, 18, 7, 9)),
                                                   (("NHWC", "HOIW", "NWHC"), (0, 2, 3, 1), (7, 4, 18, 9))])
def test_conv_general_dilated_local_vs_jax(jax, dn, lhs_perm, rhs_shape):
    r = _rng(9)
    lhs = r.normal(size=(2, 3, 9, 10)).astype(np.float32)
    if lhs_perm:
        lhs = lhs.transpose(lhs_perm)
    rhs = r.normal(size=rhs_shape).astype(np.float32)
    args = ((1, 1), "VALID", (3, 2))
    ours = lax.conv_general_dilated_local(lhs, rhs, *args, dimension_numbers=dn)
    ref = jax.lax.conv_general_dilated_local(lhs, rhs, *args, dimension_numbers=dn)
    assert_same(ours, ref, rtol=1e-4, atol=1e-4)
    f = lambda l: (lambda a, b: (l.conv_general_dilated_local(a, b, *args, dimension_numbers=dn) ** 2).sum())  # noqa
    assert_same(jaxlite.grad(f(lax), (0, 1))(lhs, rhs), jax.grad(f(jax.lax), (0, 1))(lhs, rhs), rtol=1e-3,
                atol=1e-3)


# ---------------------------------------------------------------------------------------------------
# shifts: a scalar in-range amount is one NumPy call; everything else goes through the general path
# ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["int8", "uint8", "int16", "uint16", "int32", "uint32"])
@pytest.mark.parametrize("name", ["shift_left", "shift_right_logical", "shift_right_arithmetic"])
def test_shifts_match_jax(dtype, name):
    jax = pytest.importorskip("jax")
    info = np.iinfo(dtype)
    x = _rng(3).integers(info.min, info.max, 500, dtype=dtype, endpoint=True)
    bits = info.bits
    amounts = [0, 1, 5, bits - 1, bits, bits + 3] + ([-1] if info.min < 0 else [])
    for k in amounts:
        for y in (np.array(k, dtype), np.full(x.shape, k, dtype)):  # scalar (fast path) and array
            got = getattr(lax, name)(x, y)
            want = getattr(jax.lax, name)(x, y)
            assert_same(got, want)


# ---------------------------------------------------------------------------------------------------
# reduce_max / reduce_min over an empty axis: the dtype's lowest / highest value, as XLA's
# ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16", "int32", "uint8", "bool"])
def test_max_min_of_empty_axes_match_jax(dtype):
    jax = pytest.importorskip("jax")
    import jax.numpy as real
    x = np.zeros((2, 0), jnp.dtype(dtype))
    for name in ("reduce_max", "reduce_min"):
        assert_same(getattr(lax, name)(x, (1,)), getattr(jax.lax, name)(x, (1,)))
        assert_same(jaxlite.jit(lambda a: getattr(lax, name)(a, (0, 1)))(x),
                    jax.jit(lambda a: getattr(jax.lax, name)(a, (0, 1)))(x))
    if dtype != "bool":
        assert_same(jnp.max(x, axis=1, initial=3), real.max(x, axis=1, initial=3))
        assert_same(jnp.minimum.reduce(x, axis=1, initial=3), real.minimum.reduce(x, axis=1, initial=3))
