"""vmap: in_axes/out_axes handling, compositions with jit and grad, errors; oracle = a Python loop
over the unbatched function (and real JAX for error texts and per-example gradients)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import jaxlite as jl
import jaxlite.numpy as jnp
from jaxlite import lax

from conftest import assert_same


def loop_vmap(f, in_axes, out_axes, *args):
    """The reference: run f per example and stack."""
    sizes = [np.shape(a)[ax] for a, ax in zip(args, in_axes) if ax is not None]
    n = sizes[0]
    outs = []
    for i in range(n):
        ex = [a if ax is None else np.take(np.asarray(a), i, axis=ax) for a, ax in zip(args, in_axes)]
        outs.append(np.asarray(f(*ex)))
    return np.stack(outs, axis=out_axes)


def test_seed_batch_predict():
    params = jnp.ones((4, 3)) * 0.5
    batch = jnp.arange(24.0).reshape(8, 3)
    predict = lambda p, x: jnp.dot(p, x)
    out = jl.vmap(predict, in_axes=(None, 0))(params, batch)
    np.testing.assert_allclose(out, np.asarray(batch) @ np.asarray(params).T)


def test_seed_per_example_grads(jax):
    import jax.numpy as rjnp

    def loss_l(params, x, y):
        return (jnp.dot(params, x) - y) ** 2

    def loss_j(params, x, y):
        return (rjnp.dot(params, x) - y) ** 2

    rng = np.random.RandomState(0)
    params = rng.randn(5).astype(np.float32)
    xb, yb = rng.randn(16, 5).astype(np.float32), rng.randn(16).astype(np.float32)
    got = jl.vmap(jl.grad(loss_l), in_axes=(None, 0, 0))(params, xb, yb)
    want = jax.vmap(jax.grad(loss_j), in_axes=(None, 0, 0))(params, xb, yb)
    assert got.shape == (16, 5)
    assert_same(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("fun", [
    lambda x, y: jnp.sin(x) * y + 1.0,
    lambda x, y: x @ y.T,
    lambda x, y: jnp.sum(x, axis=0) + jnp.max(y),
    lambda x, y: jnp.concatenate([x, y], axis=1),
    lambda x, y: jnp.reshape(x, (-1,)) * 2.0,
    lambda x, y: jnp.transpose(x) + y.T,
    lambda x, y: jnp.where(x > 0, x, y),
    lambda x, y: lax.pad(x, 0.0, ((1, 0, 0), (0, 2, 1))),
    lambda x, y: x[1:, ::2] + y[:-1, ::2],
    lambda x, y: jnp.argmax(x, axis=1).astype(jnp.float32) + y[:, 0],
    lambda x, y: jnp.broadcast_to(x[:, :1], (2, 3)) * y,
    lambda x, y: jnp.mean(x * y) - jnp.var(x),
    lambda x, y: jl.jit(lambda a, b: a * b + 1)(x, y),
])
@pytest.mark.parametrize("axes", [(0, 0), (1, 0), (0, None), (None, 2), (-1, 1)])
def test_vmap_matches_loop(fun, axes):
    rng = np.random.RandomState(1)
    shapes = {None: (2, 3), 0: (4, 2, 3), 1: (2, 4, 3), 2: (2, 3, 4), -1: (2, 3, 4)}
    x = rng.randn(*shapes[axes[0]]).astype(np.float32)
    y = rng.randn(*shapes[axes[1]]).astype(np.float32)
    if axes == (None, None):
        return
    want = loop_vmap(fun, axes, 0, x, y)
    got = jl.vmap(fun, in_axes=axes)(x, y)
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-5)
    got_jit = jl.jit(jl.vmap(fun, in_axes=axes))(x, y)
    np.testing.assert_allclose(got_jit, want, rtol=2e-5, atol=2e-5)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2), st.integers(-3, 2), st.sampled_from([0, 1, -1]))
def test_vmap_axes_property(in_ax, in_ax2, out_ax):
    rng = np.random.RandomState(2)
    x = rng.randn(3, 3, 3).astype(np.float32)
    y = rng.randn(3, 3, 3).astype(np.float32)
    f = lambda a, b: jnp.tanh(a) @ b
    want = loop_vmap(f, (in_ax, in_ax2 % 3), out_ax, x, y)
    got = jl.vmap(f, in_axes=(in_ax, in_ax2), out_axes=out_ax)(x, y)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_pytree_in_out_axes_and_kwargs():
    def f(d, z=None):
        return {"s": d["a"] + d["b"], "z": z * 2}
    d = {"a": jnp.ones((3, 2)), "b": jnp.arange(2.0)}
    out = jl.vmap(f, in_axes=({"a": 0, "b": None},))(d, z=jnp.arange(3.0))
    np.testing.assert_allclose(out["s"], np.ones((3, 2)) + np.arange(2.0))
    np.testing.assert_allclose(out["z"], np.arange(3.0) * 2)
    out = jl.vmap(lambda x: (x, x.sum()), out_axes=(1, 0))(jnp.ones((3, 2)))
    assert out[0].shape == (2, 3) and out[1].shape == (3,)
    # out_axes None for an unbatched output
    out = jl.vmap(lambda x, c: (x * 2, c), in_axes=(0, None), out_axes=(0, None))(jnp.ones(3), 5.0)
    assert float(out[1]) == 5.0


def test_nested_vmap_and_axis_size():
    x = jnp.arange(12.0).reshape(3, 4)
    out = jl.vmap(jl.vmap(lambda a: a * 2))(x)
    np.testing.assert_allclose(out, np.asarray(x) * 2)
    out = jl.vmap(jl.vmap(lambda a, b: a * b, (0, None)), (None, 0))(jnp.arange(3.0), jnp.arange(4.0))
    np.testing.assert_allclose(out, np.outer(np.arange(4.0), np.arange(3.0)))
    out = jl.vmap(lambda: jnp.ones(2), axis_size=3)()
    assert out.shape == (3, 2)


def test_grad_of_vmap_and_vmap_of_jit():
    f = lambda w, x: jnp.sum(jl.vmap(lambda xi: jnp.tanh(w @ xi))(x))
    w = jnp.ones(3) * 0.1
    x = jnp.arange(6.0).reshape(2, 3)
    g = jl.grad(f)(w, x)
    want = sum((1 - np.tanh(np.asarray(w) @ xi) ** 2) * xi for xi in np.asarray(x))
    np.testing.assert_allclose(g, want, rtol=1e-5)
    out = jl.vmap(jl.jit(lambda a: jnp.sin(a) ** 2))(jnp.arange(3.0))
    np.testing.assert_allclose(out, np.sin(np.arange(3.0)) ** 2, rtol=1e-6)


def test_jacobians_are_vmapped():
    x = jnp.array([0.1, 0.2, 0.3])
    f = lambda x: jnp.sin(x) * jnp.sum(x)
    j1, j2 = jl.jacfwd(f)(x), jl.jacrev(f)(x)
    np.testing.assert_allclose(j1, j2, rtol=1e-6)


def test_vmap_errors(jax):
    with pytest.raises(ValueError, match="vmap got inconsistent sizes for array axes to be mapped:\n"
                                         r"  \* one axis had size 2: axis 0 of argument x of type f32\[2\];"
                                         "\n"
                                         r"  \* one axis had size 3: axis 0 of argument y of type "
                                         r"f32\[3\]"):
        jl.vmap(lambda x, y: x + y)(jnp.ones(2), jnp.ones(3))
    with pytest.raises(ValueError, match="vmap was requested to map its argument along axis 1, which "
                                         "implies that its rank should be at least 2, but is only 1"):
        jl.vmap(lambda x: x, in_axes=1)(jnp.ones(3))
    with pytest.raises(ValueError, match="vmap in_axes specification must be a tree prefix of the "
                                         "corresponding value"):
        jl.vmap(lambda x: x, in_axes=([0, 0],))([jnp.ones(3)])
    with pytest.raises(ValueError, match=r"len\(in_axes\)=2, len\(args\)=1"):
        jl.vmap(lambda x: x, in_axes=(0, 0))(jnp.ones(3))
    with pytest.raises(TypeError, match="vmap in_axes must be an int, None, or"):
        jl.vmap(lambda x: x, in_axes=1.5)
    with pytest.raises(ValueError, match="vmap must have at least one non-None value in in_axes"):
        jl.vmap(lambda x: x, in_axes=None)(jnp.ones(3))


def test_vmap_bool_conversion_error():
    with pytest.raises(jl.errors.TracerBoolConversionError):
        jl.vmap(lambda x: x if x > 0 else -x)(jnp.ones(3))


_X3 = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
# JAX's batching rules compute axes with NumPy (reducers, broadcast_in_dim, broadcasting an unbatched
# operand), so its jaxprs print them as np.int64(...); ours print the same text
NUMPY_INT_PARAMS = [
    ("sum", lambda j, n: j.vmap(lambda x: n.sum(x, axis=1)), (_X3,)),
    ("sum in_axes 1", lambda j, n: j.vmap(lambda x: n.sum(x, axis=0), in_axes=1), (_X3,)),
    ("max min prod", lambda j, n: j.vmap(lambda x: (n.max(x, 0), n.min(x, 1), n.prod(x, 1))), (_X3,)),
    ("any argmax", lambda j, n: j.vmap(lambda x: (n.any(x > 3, axis=1), n.argmax(x, axis=0))), (_X3,)),
    ("broadcast_to", lambda j, n: j.vmap(lambda x: n.broadcast_to(x, (5, 3, 4))), (_X3,)),
    ("unbatched operand", lambda j, n: j.vmap(lambda x: x + n.ones((3, 4))), (_X3,)),
    ("logsumexp", lambda j, n: j.vmap(lambda x: j.nn.logsumexp(x, axis=-1)), (_X3,)),
    ("mean grad", lambda j, n: j.vmap(j.grad(lambda x: n.mean(x ** 2))), (_X3,)),
    ("per-example grad", lambda j, n: j.vmap(j.grad(lambda p, x, y: n.mean((n.dot(p, x) - y) ** 2)),
                                             in_axes=(None, 0, 0)),
     (np.ones((4, 3), np.float32), np.ones((5, 3), np.float32), np.ones((5, 4), np.float32))),
    ("vectorize", lambda j, n: lambda x, y: n.vectorize(lambda a, b: a * b + 1)(x, y),
     (np.ones((2, 3), np.float32), np.ones(3, np.float32))),
    ("out_axes 1 unbatched", lambda j, n: j.vmap(lambda x: (x, 2.0 * n.ones(3)), out_axes=1), (_X3[0],)),
]


@pytest.mark.parametrize("name, make, args", NUMPY_INT_PARAMS, ids=[c[0] for c in NUMPY_INT_PARAMS])
def test_batched_jaxprs_print_numpy_int_params_as_jax(name, make, args):
    jax_ = pytest.importorskip("jax")
    import jax.numpy as real
    assert str(jl.make_jaxpr(make(jl, jnp))(*args)) == str(jax_.make_jaxpr(make(jax_, real))(*args))
    assert_same(make(jl, jnp)(*args), make(jax_, real)(*args))


def test_numpy_int_params_hit_the_jit_cache():
    f = jl.jit(jl.vmap(lambda x: jnp.sum(x, axis=1)))
    f(_X3)
    f(_X3)
    assert f._cache_size() == 1
    eqn = jl.make_jaxpr(jl.vmap(lambda x: jnp.sum(x, axis=1)))(_X3).eqns[0]
    hash(tuple(eqn.params.items()))
    assert eqn.params["axes"] == (2,)


_X23 = np.arange(1, 7, dtype=np.float32).reshape(2, 3)
# jnp functions JAX wraps in jit stay nested jits under vmap/grad inside a staged trace, and select_n's
# batching follows JAX's cases (same batch dims: in place; scalar unbatched predicate: cases meet at the
# first case's batch dim; otherwise predicate, then cases, to the front)
STAGED_UNDER_TRANSFORMS = [
    ("vmap where", lambda j, n: j.vmap(lambda x: n.where(x > 2, x, -x)), (_X23,)),
    ("grad where", lambda j, n: j.grad(lambda x: n.where(x > 2, x * x, 0.0).sum()), (_X23,)),
    ("vmap grad where", lambda j, n: j.vmap(j.grad(lambda x: n.where(x > 2, x * x, 0.0).sum())), (_X23,)),
    ("grad cumsum", lambda j, n: j.grad(lambda x: n.cumsum(x).sum()), (_X23,)),
    ("jit vmap cumsum", lambda j, n: j.jit(j.vmap(lambda x: n.cumsum(x))), (_X23,)),
    ("vmap var", lambda j, n: j.vmap(lambda x: n.var(x)), (_X23,)),
    ("vmap tril", lambda j, n: j.vmap(lambda x: n.tril(x * n.ones((3, 3)))), (_X23,)),
    ("vmap sort", lambda j, n: j.vmap(lambda x: n.sort(x)), (_X23,)),
    ("select per-example scalar predicate", lambda j, n: j.vmap(lambda p, a, b: j.lax.select_n(p, a, b)),
     (np.array([True, False]), _X23, -_X23)),
    ("select unbatched predicate, cases at other dims",
     lambda j, n: j.vmap(lambda a, b: j.lax.select_n(True, a, b), in_axes=(0, 1)), (_X23, (-_X23).T.copy())),
    ("select batched predicate, unbatched cases",
     lambda j, n: j.vmap(lambda p: j.lax.select_n(p, n.ones(3), n.zeros(3))), (_X23 > 2,)),
    ("select batched predicate, scalar cases", lambda j, n: j.vmap(lambda p: j.lax.select_n(p, 1.0, 2.0)),
     (np.array([True, False]),)),
    ("select unbatched predicate, one case batched",
     lambda j, n: j.vmap(lambda p, a: j.lax.select_n(p, a, n.zeros(3)), in_axes=(None, 0)), (_X23[0] > 2, _X23)),
]


@pytest.mark.parametrize("name, make, args", STAGED_UNDER_TRANSFORMS, ids=[c[0] for c in STAGED_UNDER_TRANSFORMS])
def test_staged_jits_and_select_batching_as_jax(name, make, args):
    jax_ = pytest.importorskip("jax")
    import jax.numpy as real
    assert str(jl.make_jaxpr(make(jl, jnp))(*args)) == str(jax_.make_jaxpr(make(jax_, real))(*args))
    assert_same(make(jl, jnp)(*args), make(jax_, real)(*args))


# jnp.split is one split primitive with np.int64 sizes, and jacfwd/jacrev/hessian build and unravel their
# bases with it (and the basis conversion JAX shows), as JAX does
SPLIT_AND_JACOBIANS = [
    ("split sections", lambda j, n: lambda x: n.split(x, 3), (np.arange(12.0, dtype=np.float32),)),
    ("array_split indices", lambda j, n: lambda x: n.array_split(x, [2, 5]), (np.arange(12.0, dtype=np.float32),)),
    ("hsplit", lambda j, n: lambda x: n.hsplit(x, 3), (_X23,)),
    ("jacfwd", lambda j, n: j.jacfwd(lambda x: n.sin(x) * x), (_X23,)),
    ("jacrev", lambda j, n: j.jacrev(lambda x: n.sin(x) * x), (_X23,)),
    ("hessian", lambda j, n: j.hessian(lambda x: (n.sin(x) * x).sum()), (_X23[0],)),
    ("jacfwd argnums", lambda j, n: j.jacfwd(lambda x, y: (x * y, x.sum()), argnums=(0, 1)), (_X23[0], _X23[1])),
    ("jacrev dict", lambda j, n: j.jacrev(lambda d: {"a": d["x"] * 2, "b": d["y"].sum()}), ({"x": _X23[0], "y": _X23},)),
    ("jit jacfwd tanh", lambda j, n: j.jit(j.jacfwd(lambda x: n.tanh(x))), (_X23[0],)),
]


@pytest.mark.parametrize("name, make, args", SPLIT_AND_JACOBIANS, ids=[c[0] for c in SPLIT_AND_JACOBIANS])
def test_split_and_jacobian_jaxprs_as_jax(name, make, args):
    jax_ = pytest.importorskip("jax")
    import jax.numpy as real
    assert str(jl.make_jaxpr(make(jl, jnp))(*args)) == str(jax_.make_jaxpr(make(jax_, real))(*args))
    assert_same(make(jl, jnp)(*args), make(jax_, real)(*args), rtol=1e-5)


def test_split_out_of_order_indices_raise_as_jax():
    jax_ = pytest.importorskip("jax")
    for n in (jnp, jax_.numpy):
        with pytest.raises(ValueError, match="Sizes passed to split must be nonnegative"):
            n.split(np.arange(10.0), [5, 2])
