"""Autodiff: jvp, linearize, vjp, grad family, jacobians, custom rules, checkpoint, jit interplay.

Oracles: closed forms, finite differences (check_grads) and real JAX (values, dtypes, weak types and
jaxpr text).
"""
import numpy as np
import pytest

import jaxlite as jl
import jaxlite.numpy as jnp
from jaxlite import lax
from jaxlite.test_util import check_grads

from conftest import assert_same


# ---------------------------------------------------------------------------------------------------
# closed forms and finite differences
# ---------------------------------------------------------------------------------------------------

def test_seed_grad_examples():
    f = lambda x: jnp.sin(x) ** 2 + 1.0
    np.testing.assert_allclose(jl.grad(f)(0.5), np.sin(1.0), rtol=1e-6)
    np.testing.assert_allclose(jl.grad(jl.grad(f))(0.5), 2 * np.cos(1.0), rtol=1e-5)

    def loss(params, x):
        pred = params @ x
        return jnp.mean((pred - 1.0) ** 2)

    p, x = jnp.ones((2, 3)) * 0.1, jnp.arange(3.0)
    g0, g1 = jl.grad(loss, argnums=(0, 1))(p, x)
    assert g0.shape == (2, 3) and g1.shape == (3,)
    r = np.asarray(p) @ np.asarray(x) - 1.0
    np.testing.assert_allclose(g0, np.outer(r, np.asarray(x)), rtol=1e-6)
    np.testing.assert_allclose(g1, np.asarray(p).T @ r, rtol=1e-6)
    v, g = jl.value_and_grad(loss)(p, x)
    np.testing.assert_allclose(v, np.mean(r ** 2), rtol=1e-6)


def test_higher_order_tanh():
    x = 0.3
    t = np.tanh(x)
    d3 = -2 * (1 - t ** 2) * (1 - 3 * t ** 2)
    np.testing.assert_allclose(jl.grad(jl.grad(jl.grad(jnp.tanh)))(x), d3, rtol=1e-5)


@pytest.mark.parametrize("fun", [
    jnp.sin, jnp.cos, jnp.tanh, jnp.exp, jnp.log1p, jnp.sqrt, lambda x: x ** 3, lambda x: 1.0 / (1 + x),
    lambda x: jnp.arctan2(x, 2.0), lambda x: jnp.maximum(x, 0.3), lambda x: jnp.where(x > 0.4, x, x * x),
])
def test_check_grads_unary(fun):
    check_grads(fun, (np.array([0.2, 0.5, 0.9], np.float32),), order=2, modes=("fwd", "rev"),
                atol=2e-2, rtol=2e-2)


def test_check_grads_nary_pytrees():
    def f(params, x):
        h = jnp.tanh(x @ params["w"] + params["b"])
        return jnp.sum(h * h) + jnp.mean(params["w"])
    params = {"w": np.full((3, 2), 0.1, np.float32), "b": np.array([0.1, -0.2], np.float32)}
    x = np.arange(6, dtype=np.float32).reshape(2, 3) / 6
    check_grads(f, (params, x), order=2, atol=2e-2, rtol=2e-2)


def test_grad_pytree_structure():
    params = {"layer1": {"w": jnp.ones((2, 2)), "b": jnp.zeros(2)}, "layer2": [jnp.ones(2)]}
    g = jl.grad(lambda p: sum(jnp.sum(l ** 2) for l in jl.tree.leaves(p)))(params)
    assert jl.tree.structure(g) == jl.tree.structure(params)
    np.testing.assert_allclose(g["layer1"]["w"], 2 * np.ones((2, 2)))


def test_jvp_linearize_vjp_agree():
    f = lambda x, y: (jnp.sin(x) * y, x + y)
    x, y = jnp.array([0.1, 0.2]), jnp.array([1.0, 2.0])
    tx, ty = jnp.array([1.0, 0.0]), jnp.array([0.5, 0.5])
    out, tout = jl.jvp(f, (x, y), (tx, ty))
    out2, f_lin = jl.linearize(f, x, y)
    tout2 = f_lin(tx, ty)
    for a, b in zip(tout, tout2):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    out3, f_vjp = jl.vjp(f, x, y)
    ct = (jnp.array([1.0, 2.0]), jnp.array([3.0, 4.0]))
    gx, gy = f_vjp(ct)
    # <ct, J t> == <J^T ct, t>
    lhs = sum(float(np.dot(c, t)) for c, t in zip(ct, tout))
    rhs = float(np.dot(gx, tx) + np.dot(gy, ty))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-6)


def test_has_aux():
    f = lambda x: (jnp.sum(x ** 2), {"n": x.shape[0], "x": x})
    g, aux = jl.grad(f, has_aux=True)(jnp.arange(3.0))
    np.testing.assert_allclose(g, [0, 2, 4])
    assert aux["n"] == 3
    (v, aux), g = jl.value_and_grad(f, has_aux=True)(jnp.arange(3.0))
    assert float(v) == 5.0
    y, f_vjp, aux = jl.vjp(f, jnp.arange(3.0), has_aux=True)
    np.testing.assert_allclose(f_vjp(1.0)[0], [0, 2, 4])
    y, t, aux = jl.jvp(f, (jnp.arange(3.0),), (jnp.ones(3),), has_aux=True)
    assert float(t) == 6.0


def test_integer_inputs_float0():
    f = lambda x, n: x * n
    g = jl.grad(f, argnums=(0, 1), allow_int=True)(2.0, 3)
    assert float(g[0]) == 3.0
    assert g[1].dtype == jl.dtypes.float0
    out, t = jl.jvp(lambda n: n * 2, (3,), (np.zeros((), jl.dtypes.float0),))
    assert t.dtype == jl.dtypes.float0


def test_nondifferentiable_ops_zero():
    for f in [jnp.floor, jnp.sign, jnp.round, lambda x: (x > 0).astype(jnp.float32),
              lambda x: jnp.argmax(x).astype(jnp.float32) * x[0]]:
        g = jl.grad(lambda x: jnp.sum(f(x)))(jnp.array([0.3, -1.2]))
        assert g.shape == (2,)
    np.testing.assert_array_equal(jl.grad(lambda x: jnp.sum(jnp.floor(x)))(jnp.array([0.3, 1.5])), [0, 0])


def test_stop_gradient():
    g = jl.grad(lambda x: x * lax.stop_gradient(x))(3.0)
    assert float(g) == 3.0


# ---------------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------------

def test_grad_errors():
    with pytest.raises(TypeError, match=r"Gradient only defined for scalar-output functions. Output had "
                                        r"shape: \(3,\)"):
        jl.grad(lambda x: x)(jnp.ones(3))
    with pytest.raises(TypeError, match="grad requires real- or complex-valued inputs.*allow_int"):
        jl.grad(lambda x: x * 2)(3)
    with pytest.raises(TypeError, match="grad requires real-valued outputs.*holomorphic=True"):
        jl.grad(lambda x: x * 1j)(1.0)
    with pytest.raises(ValueError, match="must have value greater than or equal to -len"):
        jl.grad(lambda x, y: x * y, argnums=-3)(1.0, 2.0)
    with pytest.raises(TypeError, match=r"differentiating with respect to argnums=\(0, 2\) requires at "
                                        "least 3 positional arguments"):
        jl.grad(lambda x, y: x * y, argnums=(0, 2))(1.0, 2.0)
    with pytest.raises(TypeError, match="primal and tangent arguments to jax.jvp must be tuples or lists"):
        jl.jvp(jnp.sin, 1.0, 1.0)
    with pytest.raises(TypeError, match="dtypes must be equal"):
        jl.jvp(jnp.sin, (1.0,), (np.float16(1.0),))


def test_holomorphic():
    g = jl.grad(lambda z: z ** 2, holomorphic=True)(1.0 + 1.0j)
    np.testing.assert_allclose(g, 2 + 2j)


# ---------------------------------------------------------------------------------------------------
# jacobians
# ---------------------------------------------------------------------------------------------------

def test_jacobians_hessian():
    def f(x):
        return jnp.asarray([x[0], 5 * x[2], 4 * x[1] ** 2 - 2 * x[2], x[2] * jnp.sin(x[0])])
    x = jnp.array([1.0, 2.0, 3.0])
    expected = np.array([[1, 0, 0], [0, 0, 5], [0, 16, -2], [3 * np.cos(1.0), 0, np.sin(1.0)]])
    np.testing.assert_allclose(jl.jacfwd(f)(x), expected, rtol=1e-5)
    np.testing.assert_allclose(jl.jacrev(f)(x), expected, rtol=1e-5)
    g = lambda x: x[0] ** 3 - 2 * x[0] * x[1] - x[1] ** 6
    np.testing.assert_allclose(jl.hessian(g)(jnp.array([1.0, 2.0])), [[6, -2], [-2, -480]], rtol=1e-5)


def test_jacobian_pytrees_match_jax(jax):
    import jax.numpy as rjnp
    f_l = lambda d: {"c": jnp.power(d["a"], d["b"])}
    f_j = lambda d: {"c": rjnp.power(d["a"], d["b"])}
    arg = {"a": np.arange(2.0, dtype=np.float32) + 1, "b": np.arange(2.0, dtype=np.float32) + 2}
    assert_same(jl.hessian(f_l)(arg), jax.hessian(f_j)(arg), rtol=1e-5, atol=1e-5)
    assert_same(jl.jacrev(f_l)(arg), jax.jacrev(f_j)(arg), rtol=1e-5, atol=1e-5)
    assert_same(jl.jacfwd(f_l)(arg), jax.jacfwd(f_j)(arg), rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------------------------------------------
# against JAX: values, weak types and jaxprs
# ---------------------------------------------------------------------------------------------------

def test_grad_weak_type_matches_jax(jax):
    import jax.numpy as rjnp
    assert_same(jl.grad(jnp.sin)(0.5), jax.grad(rjnp.sin)(0.5))
    assert_same(jl.grad(lambda x: x * 2.0)(0.5), jax.grad(lambda x: x * 2.0)(0.5))
    x = np.float32(0.5)
    assert_same(jl.grad(jnp.sin)(x), jax.grad(rjnp.sin)(x))


def test_grad_jaxpr_matches_jax(jax):
    import jax.numpy as rjnp
    cases = [
        (lambda x: jnp.sin(x) ** 2 + 1.0, lambda x: rjnp.sin(x) ** 2 + 1.0, 0.5),
        (lambda x: jnp.sum(x ** 3), lambda x: rjnp.sum(x ** 3), np.ones(3, np.float32)),
    ]
    for fl, fj, x in cases:
        assert str(jl.make_jaxpr(jl.grad(fl))(x)) == str(jax.make_jaxpr(jax.grad(fj))(x))


def test_grad_through_jit(jax):
    import jax.numpy as rjnp
    f_l = lambda x: jnp.sin(x) ** 2 + 1.0
    f_j = lambda x: rjnp.sin(x) ** 2 + 1.0
    assert_same(jl.grad(jl.jit(f_l))(0.5), jax.grad(jax.jit(f_j))(0.5))
    assert_same(jl.jit(jl.grad(f_l))(0.5), jax.jit(jax.grad(f_j))(0.5))
    text_l = str(jl.make_jaxpr(jl.grad(jl.jit(f_l)))(0.5))
    text_j = str(jax.make_jaxpr(jax.grad(jax.jit(f_j)))(0.5))
    assert text_l == text_j


def test_jit_of_grad_caches():
    count = []

    def f(x):
        count.append(1)
        return jnp.sum(jnp.tanh(x))

    g = jl.jit(jl.grad(f))
    g(jnp.ones(3))
    g(jnp.ones(3) * 2)
    assert len(count) == 1


# ---------------------------------------------------------------------------------------------------
# custom_jvp / custom_vjp
# ---------------------------------------------------------------------------------------------------

def test_custom_jvp_basic_and_jaxpr(jax):
    import jax.numpy as rjnp

    @jl.custom_jvp
    def f(x):
        return jnp.sin(x)

    @f.defjvp
    def fj(p, t):
        return f(p[0]), 2 * t[0]

    @jax.custom_jvp
    def g(x):
        return rjnp.sin(x)

    @g.defjvp
    def fj(p, t):  # noqa: F811 (same name on purpose: it is printed in the jaxpr)
        return g(p[0]), 2 * t[0]

    assert float(jl.grad(f)(1.0)) == 2.0
    assert float(jl.jit(jl.grad(f))(1.0)) == 2.0
    np.testing.assert_allclose(jl.vmap(jl.grad(f))(jnp.ones(3)), [2, 2, 2])
    np.testing.assert_allclose(jl.grad(lambda x: jnp.sum(jl.vmap(f)(x)))(jnp.ones(3)), [2, 2, 2])
    f.__name__ = "f"
    assert str(jl.make_jaxpr(f)(1.0)).replace("name=f", "name=g") == str(jax.make_jaxpr(g)(1.0))
    assert str(jl.make_jaxpr(jl.grad(f))(1.0)).replace("name=f", "name=g") == \
        str(jax.make_jaxpr(jax.grad(g))(1.0))


def test_custom_jvp_defjvps_and_nondiff():
    f = jl.custom_jvp(lambda x, y: x * y)
    f.defjvps(lambda g, ans, x, y: g * 10.0, lambda g, ans, x, y: g * 100.0)
    gx, gy = jl.grad(f, argnums=(0, 1))(1.0, 2.0)
    assert (float(gx), float(gy)) == (10.0, 100.0)

    from functools import partial

    @partial(jl.custom_jvp, nondiff_argnums=(0,))
    def app(fn, x):
        return fn(x)

    @app.defjvp
    def app_jvp(fn, primals, tangents):
        (x,), (t,) = primals, tangents
        return app(fn, x), 7.0 * t

    assert float(jl.grad(lambda x: app(jnp.sin, x))(0.3)) == 7.0


def test_custom_vjp_basic():
    @jl.custom_vjp
    def f(x, y):
        return jnp.sin(x) * y

    def fwd(x, y):
        return f(x, y), (jnp.cos(x), jnp.sin(x), y)

    def bwd(res, g):
        cos_x, sin_x, y = res
        return (cos_x * g * y, sin_x * g)

    f.defvjp(fwd, bwd)
    gx, gy = jl.grad(f, argnums=(0, 1))(0.5, 2.0)
    np.testing.assert_allclose([gx, gy], [np.cos(0.5) * 2, np.sin(0.5)], rtol=1e-6)
    np.testing.assert_allclose(jl.jit(jl.grad(f))(0.5, 2.0), np.cos(0.5) * 2, rtol=1e-6)
    np.testing.assert_allclose(jl.vmap(jl.grad(f), in_axes=(0, None))(jnp.array([0.5, 0.6]), 2.0),
                               np.cos([0.5, 0.6]) * 2, rtol=1e-6)
    np.testing.assert_allclose(jl.grad(lambda x: jnp.sum(jl.vmap(f, (0, None))(x, 2.0)))(
        jnp.array([0.5, 0.6])), np.cos([0.5, 0.6]) * 2, rtol=1e-6)
    np.testing.assert_allclose(jl.jacrev(lambda x: f(x, jnp.full(2, 2.0)))(jnp.array([0.5, 0.6])),
                               np.diag(np.cos([0.5, 0.6]) * 2), rtol=1e-6)


def test_custom_vjp_errors():
    @jl.custom_vjp
    def f(x):
        return jnp.sin(x)

    f.defvjp(lambda x: (f(x), x), lambda r, g: g * 3)   # bwd must return a tuple
    with pytest.raises(TypeError, match="Custom VJP bwd rule must produce an output with the same "
                                        r"container \(pytree\) structure"):
        jl.grad(f)(1.0)
    f.defvjp(lambda x: (f(x), x), lambda r, g: (g * 3,))
    with pytest.raises(TypeError, match="can't apply forward-mode autodiff"):
        jl.jvp(f, (1.0,), (1.0,))


def test_custom_vjp_jaxpr_matches_jax(jax):
    import jax.numpy as rjnp

    @jl.custom_vjp
    def g(x):
        return jnp.sin(x)
    g.defvjp(lambda x: (g(x), x), lambda r, ct: (ct * 3,))

    @jax.custom_vjp
    def g2(x):
        return rjnp.sin(x)
    g2.defvjp(lambda x: (g2(x), x), lambda r, ct: (ct * 3,))

    norm = lambda s: s.replace("name=g2", "name=g")  # noqa: E731
    assert str(jl.make_jaxpr(g)(1.0)) == norm(str(jax.make_jaxpr(g2)(1.0)))
    assert str(jl.make_jaxpr(jl.grad(g))(1.0)) == norm(str(jax.make_jaxpr(jax.grad(g2))(1.0)))


# ---------------------------------------------------------------------------------------------------
# checkpoint
# ---------------------------------------------------------------------------------------------------

def test_checkpoint_jaxpr_matches_jax(jax):
    import jax.numpy as rjnp
    fl = jl.checkpoint(lambda x: jnp.sin(jnp.sin(x)))
    fj = jax.checkpoint(lambda x: rjnp.sin(rjnp.sin(x)))
    assert str(jl.make_jaxpr(fl)(1.0)) == str(jax.make_jaxpr(fj)(1.0))
    assert str(jl.make_jaxpr(jl.grad(fl))(1.0)) == str(jax.make_jaxpr(jax.grad(fj))(1.0))


@pytest.mark.parametrize("policy", [None, "nothing_saveable", "everything_saveable", "dots_saveable"])
def test_checkpoint_policies_values(policy):
    pol = None if policy is None else getattr(jl.checkpoint_policies, policy)
    g = jl.checkpoint(lambda W, x: jnp.tanh(W @ jnp.tanh(W @ x)), policy=pol)
    W, x = jnp.ones((3, 3)) * 0.1, jnp.arange(3.0)
    plain = jl.grad(lambda W: jnp.sum(jnp.tanh(W @ jnp.tanh(W @ x))))(W)
    np.testing.assert_allclose(jl.grad(lambda W: jnp.sum(g(W, x)))(W), plain, rtol=1e-6)
    np.testing.assert_allclose(jl.jit(jl.grad(lambda W: jnp.sum(g(W, x))))(W), plain, rtol=1e-6)
    np.testing.assert_allclose(jl.vmap(jl.grad(lambda W, x: jnp.sum(g(W, x))), (None, 0))(
        W, jnp.stack([x, x])), jnp.stack([plain, plain]), rtol=1e-6)


def test_checkpoint_static_argnums():
    f = jl.checkpoint(lambda x, n: x ** n, static_argnums=(1,))
    assert float(jl.grad(f)(2.0, 3)) == 12.0
