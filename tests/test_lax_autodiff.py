"""Every differentiable lax primitive: check_grads (orders 1 and 2, fwd and rev) against finite
differences, gradients against real JAX, and vmap of the gradient against a loop."""
import zlib

import numpy as np
import pytest

import jaxlite as jl
import jaxlite.numpy as jnp
from jaxlite import lax
from jaxlite.test_util import check_grads

from conftest import assert_same

rng = np.random.RandomState(0)


@pytest.fixture(autouse=True)
def _seed_per_test(request):
    """The same inputs for a test whatever the order tests run in (xdist)."""
    rng.seed(zlib.crc32(request.node.name.encode()))


def _pos(*shape):
    return (rng.rand(*shape) + 0.5).astype(np.float32)


def _unit(*shape):
    return (rng.rand(*shape) * 1.6 - 0.8).astype(np.float32)


def _any(*shape):
    return rng.randn(*shape).astype(np.float32)


# name, function of lax module, argument makers, order
UNARY = [
    ("neg", lambda l: l.neg, _any), ("sin", lambda l: l.sin, _any), ("cos", lambda l: l.cos, _any),
    ("tan", lambda l: l.tan, _unit), ("asin", lambda l: l.asin, _unit), ("acos", lambda l: l.acos, _unit),
    ("atan", lambda l: l.atan, _any), ("sinh", lambda l: l.sinh, _any), ("cosh", lambda l: l.cosh, _any),
    ("tanh", lambda l: l.tanh, _any), ("asinh", lambda l: l.asinh, _any), ("acosh", lambda l: l.acosh,
                                                                         lambda *s: _pos(*s) + 1.0),
    ("atanh", lambda l: l.atanh, _unit), ("exp", lambda l: l.exp, _any), ("exp2", lambda l: l.exp2, _any),
    ("log", lambda l: l.log, _pos), ("log1p", lambda l: l.log1p, _pos), ("expm1", lambda l: l.expm1, _any),
    ("sqrt", lambda l: l.sqrt, _pos), ("rsqrt", lambda l: l.rsqrt, _pos), ("cbrt", lambda l: l.cbrt, _pos),
    ("logistic", lambda l: l.logistic, _any), ("erf", lambda l: l.erf, _any),
    ("erfc", lambda l: l.erfc, _any), ("erf_inv", lambda l: l.erf_inv, _unit),
    ("lgamma", lambda l: l.lgamma, _pos), ("digamma", lambda l: l.digamma, _pos),
    ("abs", lambda l: l.abs, _pos), ("square", lambda l: l.square, _any),
    ("integer_pow3", lambda l: (lambda x: l.integer_pow(x, 3)), _any),
    ("integer_pow-2", lambda l: (lambda x: l.integer_pow(x, -2)), _pos),
    ("reduce_precision", lambda l: (lambda x: l.reduce_precision(x, 8, 23)), _any),
]

BINARY = [
    ("add", lambda l: l.add), ("sub", lambda l: l.sub), ("mul", lambda l: l.mul), ("div", lambda l: l.div),
    ("max", lambda l: l.max), ("min", lambda l: l.min), ("pow", lambda l: l.pow),
    ("atan2", lambda l: l.atan2), ("rem", lambda l: l.rem),
]


@pytest.mark.parametrize("name,getf,make", UNARY, ids=[u[0] for u in UNARY])
def test_unary_check_grads(name, getf, make):
    f = getf(lax)
    x = make(3)
    tol = 3e-2 if name in ("erf_inv", "digamma", "lgamma", "tan", "acosh", "rsqrt", "integer_pow-2") else 1e-2
    check_grads(f, (x,), order=2, modes=("fwd", "rev"), atol=tol, rtol=tol)


@pytest.mark.parametrize("name,getf,make", UNARY, ids=[u[0] for u in UNARY])
def test_unary_grad_matches_jax(jax, name, getf, make):
    from jax import lax as rlax
    x = make(4)
    g = lambda lmod, J: J.vmap(J.grad(lambda v: getf(lmod)(v)))  # noqa: E731
    assert_same(g(lax, jl)(x), g(rlax, jax)(x), rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("name,getf", BINARY, ids=[b[0] for b in BINARY])
def test_binary_check_grads(name, getf):
    f = getf(lax)
    x, y = _pos(3), _pos(3) + 0.3
    check_grads(f, (x, y), order=2, modes=("fwd", "rev"), atol=2e-2, rtol=2e-2)
    # rank-0 operand broadcast against an array
    check_grads(f, (x, np.float32(1.3)), order=1, modes=("fwd", "rev"), atol=2e-2, rtol=2e-2)


@pytest.mark.parametrize("name,getf", BINARY, ids=[b[0] for b in BINARY])
def test_binary_grad_matches_jax(jax, name, getf):
    from jax import lax as rlax
    x, y = _pos(4), _pos(4) + 0.3

    def g(lmod, J):
        return J.grad(lambda a, b: J.numpy.sum(getf(lmod)(a, b) * 1.5), argnums=(0, 1))
    assert_same(g(lax, jl)(x, y), g(rlax, jax)(x, y), rtol=2e-5, atol=2e-5)


SHAPE_OPS = [
    ("broadcast_in_dim", lambda l: (lambda x: l.broadcast_in_dim(x, (2, 3, 4), (1, 2))), (3, 4)),
    ("reshape", lambda l: (lambda x: l.reshape(x, (4, 3))), (3, 4)),
    ("transpose", lambda l: (lambda x: l.transpose(x, (1, 0))), (3, 4)),
    ("squeeze", lambda l: (lambda x: l.squeeze(x, (1,))), (3, 1, 4)),
    ("expand_dims", lambda l: (lambda x: l.expand_dims(x, (0, 2))), (3, 4)),
    ("rev", lambda l: (lambda x: l.rev(x, (0,))), (3, 4)),
    ("concatenate", lambda l: (lambda x: l.concatenate([x, 2 * x], 1)), (3, 4)),
    ("pad", lambda l: (lambda x: l.pad(x, 0.5, ((1, 2, 1), (0, -1, 0)))), (3, 4)),
    ("slice", lambda l: (lambda x: l.slice(x, (0, 1), (3, 4), (2, 2))), (3, 4)),
    ("reduce_sum", lambda l: (lambda x: l.reduce_sum(x, (1,))), (3, 4)),
    ("reduce_max", lambda l: (lambda x: l.reduce_max(x, (0,))), (3, 4)),
    ("reduce_min", lambda l: (lambda x: l.reduce_min(x, (1,))), (3, 4)),
    ("reduce_prod", lambda l: (lambda x: l.reduce_prod(x, (1,))), (3, 4)),
    ("dot_general", lambda l: (lambda x: l.dot_general(x, x * 2, (((1,), (1,)), ((), ())))), (3, 4)),
    ("batch_dot_general", lambda l: (lambda x: l.dot_general(x, x + 1, (((2,), (1,)), ((0,), (0,))))),
     (2, 3, 3)),
    ("select_n", lambda l: (lambda x: l.select_n(x > 1.0, x, x * 3)), (3, 4)),
    ("clamp", lambda l: (lambda x: l.clamp(0.8, x, 1.2)), (3, 4)),
    ("convert_element_type", lambda l: (lambda x: l.convert_element_type(x, np.float16) * 2), (3, 4)),
]


@pytest.mark.parametrize("name,getf,shape", SHAPE_OPS, ids=[s[0] for s in SHAPE_OPS])
def test_structural_ops(jax, name, getf, shape):
    from jax import lax as rlax
    # deterministic per case (xdist runs tests in any order), and away from the kinks of
    # clamp/select_n (0.8, 1.0, 1.2) where finite differences are meaningless
    x = (np.random.RandomState(zlib.crc32(name.encode())).rand(*shape) + 0.5).astype(np.float32)
    for kink in (0.8, 1.0, 1.2):
        x = np.where(np.abs(x - kink) < 0.03, x + 0.07, x).astype(np.float32)
    f = getf(lax)
    if name != "convert_element_type":
        check_grads(f, (x,), order=2, modes=("fwd", "rev"), atol=2e-2, rtol=2e-2)
    gl = jl.grad(lambda v: jnp.sum(jnp.sin(getf(lax)(v).astype(jnp.float32))))(x)
    gj = jax.grad(lambda v: jax.numpy.sum(jax.numpy.sin(getf(rlax)(v).astype(jax.numpy.float32))))(x)
    assert_same(gl, gj, rtol=1e-4, atol=1e-4)
    # the vmapped gradient equals the per-example loop
    xs = np.stack([x, x * 1.1])
    g = jl.vmap(jl.grad(lambda v: jnp.sum(getf(lax)(v).astype(jnp.float32) ** 2)))
    loop = np.stack([np.asarray(jl.grad(lambda v: jnp.sum(getf(lax)(v).astype(jnp.float32) ** 2))(xi))
                     for xi in xs])
    np.testing.assert_allclose(g(xs), loop, rtol=1e-5, atol=1e-5)
