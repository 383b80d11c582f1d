"""jax.nn against real JAX: values, dtypes, weak types, gradients (including at kinks), vmap."""
from __future__ import annotations

import numpy as np
import pytest

import jaxlite
import jaxlite.nn as nn
import jaxlite.numpy as jnp

from conftest import assert_same

rng = np.random.RandomState(0)

ACTIVATIONS = ["relu", "relu6", "silu", "swish", "sigmoid", "softplus", "soft_sign", "log_sigmoid", "elu",
               "celu", "selu", "leaky_relu", "hard_tanh", "hard_sigmoid", "hard_silu", "hard_swish",
               "sparse_plus", "sparse_sigmoid", "squareplus", "mish", "identity"]

# kinks and ordinary points
X = np.array([-7., -3., -1., -0.5, 0., 0.5, 1., 3., 6., 7.], np.float32)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_values_and_grads(jax, name):
    f, g = getattr(nn, name), getattr(jax.nn, name)
    assert_same(f(X), g(X), rtol=1e-6, atol=1e-6)
    # per-element derivative, kinks included (relu'(0) = 0, relu6'(6) = 0, ...)
    assert_same(jaxlite.vmap(jaxlite.grad(f))(X), jax.vmap(jax.grad(g))(X), rtol=1e-5, atol=1e-6)
    # dtypes: float16, float64 input under x64 off -> float32, Python scalar stays weak
    assert_same(f(X.astype(np.float16)), g(X.astype(np.float16)))
    assert_same(f(0.5), g(0.5))


@pytest.mark.parametrize("approximate", [True, False])
def test_gelu(jax, approximate):
    assert_same(nn.gelu(X, approximate), jax.nn.gelu(X, approximate), rtol=1e-6, atol=1e-6)
    assert_same(jaxlite.vmap(jaxlite.grad(lambda v: nn.gelu(v, approximate)))(X),
                jax.vmap(jax.grad(lambda v: jax.nn.gelu(v, approximate)))(X), rtol=1e-5, atol=1e-6)
    assert_same(nn.gelu(3, approximate), jax.nn.gelu(3, approximate))


def test_parametrised_activations(jax):
    assert_same(nn.elu(X, 0.5), jax.nn.elu(X, 0.5))
    assert_same(nn.celu(X, 2.0), jax.nn.celu(X, 2.0))
    assert_same(nn.leaky_relu(X, 0.2), jax.nn.leaky_relu(X, 0.2))
    assert_same(nn.squareplus(X, 2.0), jax.nn.squareplus(X, 2.0))
    assert_same(nn.log1mexp(np.abs(X) + 0.1), jax.nn.log1mexp(np.abs(X) + 0.1))


def test_glu(jax):
    x = rng.randn(3, 4).astype(np.float32)
    assert_same(nn.glu(x), jax.nn.glu(x))
    assert_same(nn.glu(x, axis=0) if False else nn.glu(x.T, axis=0), jax.nn.glu(x.T, axis=0))


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
@pytest.mark.parametrize("axis", [-1, 0, (0, 1)])
def test_softmax_family(jax, fn, axis):
    x = rng.randn(3, 4).astype(np.float32) * 3
    f, g = getattr(nn, fn), getattr(jax.nn, fn)
    assert_same(f(x, axis=axis), g(x, axis=axis), rtol=1e-5, atol=1e-6)
    where = rng.rand(3, 4) > 0.3
    where[:, 0] = True
    where[0, :] = True
    assert_same(f(x, axis=axis, where=where), g(x, axis=axis, where=where), rtol=1e-5, atol=1e-6)
    w = rng.randn(3, 4).astype(np.float32)
    assert_same(jaxlite.grad(lambda v: (f(v, axis=axis) * w).sum())(x),
                jax.grad(lambda v: (g(v, axis=axis) * w).sum())(x), rtol=1e-5, atol=1e-6)
    # large values stay finite
    big = np.array([1000., 0., -1000.], np.float32)
    assert_same(f(big), g(big))


def test_logsumexp(jax):
    x = rng.randn(3, 4).astype(np.float32)
    b = rng.randn(3, 4).astype(np.float32)
    assert_same(nn.logsumexp(x), jax.nn.logsumexp(x))
    assert_same(nn.logsumexp(x, axis=1, keepdims=True), jax.nn.logsumexp(x, axis=1, keepdims=True))
    assert_same(nn.logsumexp(x, axis=0, b=b), jax.nn.logsumexp(x, axis=0, b=b))
    assert_same(nn.logsumexp(x, axis=0, b=b, return_sign=True),
                jax.nn.logsumexp(x, axis=0, b=b, return_sign=True))
    where = x > 0
    assert_same(nn.logsumexp(x, axis=1, where=where), jax.nn.logsumexp(x, axis=1, where=where))
    assert_same(jaxlite.grad(lambda v: nn.logsumexp(v))(x), jax.grad(lambda v: jax.nn.logsumexp(v))(x))
    assert_same(nn.logsumexp(np.array([-np.inf, -np.inf], np.float32)),
                jax.nn.logsumexp(np.array([-np.inf, -np.inf], np.float32)))
    assert_same(nn.logmeanexp(x, axis=1), jax.nn.logmeanexp(x, axis=1))


def test_one_hot(jax):
    idx = np.array([0, 2, 5, -1, 1], np.int32)
    assert_same(nn.one_hot(idx, 4), jax.nn.one_hot(idx, 4))
    assert_same(nn.one_hot(idx, 4, axis=0), jax.nn.one_hot(idx, 4, axis=0))
    assert_same(nn.one_hot(idx, 4, dtype=jnp.int32), jax.nn.one_hot(idx, 4, dtype=jax.numpy.int32))
    idx2 = rng.randint(0, 3, size=(2, 3)).astype(np.int32)
    assert_same(nn.one_hot(idx2, 3, axis=1), jax.nn.one_hot(idx2, 3, axis=1))


@pytest.mark.parametrize("algorithm", ["fast", "stable"])
def test_standardize(jax, algorithm):
    x = rng.randn(4, 5).astype(np.float32)
    assert_same(nn.standardize(x, algorithm=algorithm), jax.nn.standardize(x, algorithm=algorithm),
                rtol=1e-5, atol=1e-5)
    assert_same(nn.standardize(x, axis=0, algorithm=algorithm),
                jax.nn.standardize(x, axis=0, algorithm=algorithm), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kw", [
    {}, {"is_causal": True}, {"scale": 0.3}, {"bias": True}, {"mask": True}, {"gqa": True},
    {"local_window_size": 1}, {"seq": True}, {"three_d": True},
])
def test_dot_product_attention(jax, kw):
    kw = dict(kw)
    B, T, S, N, H = 2, 4, 5, 4, 3
    K = 2 if kw.pop("gqa", False) else N
    if kw.get("is_causal") or "local_window_size" in kw:
        S = T
    q = rng.randn(B, T, N, H).astype(np.float32)
    k = rng.randn(B, S, K, H).astype(np.float32)
    v = rng.randn(B, S, K, H).astype(np.float32)
    if kw.pop("bias", False):
        kw["bias"] = rng.randn(1, N, T, S).astype(np.float32)
    if kw.pop("mask", False):
        m = rng.rand(B, 1, T, S) > 0.3
        m[..., 0] = True
        kw["mask"] = m
    if kw.pop("seq", False):
        kw["query_seq_lengths"] = np.array([2, 4], np.int32)
        kw["key_value_seq_lengths"] = np.array([3, 5], np.int32)
    if kw.pop("three_d", False):
        q, k, v = q[0], k[0], v[0]
    want = jax.nn.dot_product_attention(q, k, v, **kw)
    got = nn.dot_product_attention(q, k, v, **kw)
    assert_same(got, want, rtol=1e-5, atol=1e-5)
    if "query_seq_lengths" not in kw:
        gl = jaxlite.grad(lambda a: nn.dot_product_attention(a, k, v, **kw).sum())(q)
        gj = jax.grad(lambda a: jax.nn.dot_product_attention(a, k, v, **kw).sum())(q)
        assert_same(gl, gj, rtol=1e-4, atol=1e-5)


def test_relu_jaxpr_matches_jax_structure(jax):
    # relu is a custom_jvp around a jit, as in JAX
    s = str(jaxlite.make_jaxpr(nn.relu)(X))
    assert "custom_jvp_call" in s and "name=relu" in s and "max" in s


# ---------------------------------------------------------------------------------------------------
# initializers: same key -> same numbers as JAX
# ---------------------------------------------------------------------------------------------------

INITS = [("zeros", None), ("ones", None), ("constant", (0.3,)), ("uniform", ()), ("normal", (0.5,)),
         ("truncated_normal", ()), ("glorot_uniform", ()), ("glorot_normal", ()), ("xavier_uniform", ()),
         ("lecun_uniform", ()), ("lecun_normal", ()), ("he_uniform", ()), ("he_normal", ()),
         ("kaiming_normal", ()), ("orthogonal", ()), ("delta_orthogonal", ()),
         ("variance_scaling", (2.0, "fan_out", "normal")),
         ("variance_scaling", (1.0, "fan_geo_avg", "uniform", (0, 1), 2))]


@pytest.mark.parametrize("name,args", INITS, ids=[f"{n}{i}" for i, (n, _) in enumerate(INITS)])
def test_initializers_match_jax(jax, name, args):
    import jax.nn.initializers as ji
    fl = getattr(nn.initializers, name) if args is None else getattr(nn.initializers, name)(*args)
    fj = getattr(ji, name) if args is None else getattr(ji, name)(*args)
    shapes = [(3, 3, 4, 5)] if name == "delta_orthogonal" else [(3, 3, 4, 5), (6, 4)]
    if args and len(args) > 3:
        shapes = [(3, 3, 4, 5)]
    for shape in shapes:
        a = fl(jaxlite.random.key(1), shape)
        b = fj(jax.random.key(1), shape)
        assert_same(a, b, rtol=1e-5, atol=1e-6)
    if name not in ("orthogonal", "delta_orthogonal") and not (args and len(args) > 3):
        assert_same(fl(jaxlite.random.PRNGKey(3), (4, 4), jnp.float16),
                    fj(jax.random.PRNGKey(3), (4, 4), jax.numpy.float16))


def test_initializer_errors():
    with pytest.raises(ValueError, match="at least 2D"):
        nn.initializers.lecun_normal()(jaxlite.random.key(0), (3,))
    with pytest.raises(ValueError, match="at least a 2D"):
        nn.initializers.orthogonal()(jaxlite.random.key(0), (3,))
