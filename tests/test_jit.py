"""jit: cache hits and re-traces, static arguments, lowering, eval_shape — against real JAX."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from conftest import assert_same


def _trace_count(j, n):
    count = [0]

    @j.jit
    def f(x):
        count[0] += 1  # a Python side effect: runs once per trace
        return x * 2

    seen = []
    for arg in [n.ones(3), n.ones(3), n.zeros(3), n.ones(4), n.ones(3, n.int32), 1.0, 2.0, 1,
                np.ones(3, np.float32), n.ones(3, n.float16)]:
        f(arg)
        seen.append(count[0])
    return seen


def test_trace_counts_match_jax(jax):
    import jax.numpy as real
    assert _trace_count(jaxlite, jnp) == _trace_count(jax, real)
    assert _trace_count(jaxlite, jnp) == [1, 1, 1, 2, 3, 4, 4, 5, 5, 6]


def test_static_argnums_and_argnames(jax):
    import jax.numpy as real

    def run(j, n):
        count = [0]

        def f(x, k):
            count[0] += 1
            return x * k
        g = j.jit(f, static_argnums=1)
        out = []
        for k in [2, 2, 3, 3]:
            out.append((g(n.ones(3), k), count[0]))
        h = j.jit(f, static_argnames="k")
        for k in [2, 2, 5]:
            out.append((h(n.ones(3), k=k), count[0]))
        return out
    ours, theirs = run(jaxlite, jnp), run(jax, real)
    assert [c for _, c in ours] == [c for _, c in theirs]
    for (a, _), (b, _) in zip(ours, theirs):
        assert_same(a, b)


@pytest.mark.parametrize("static", [[1, 2], {"a": 1}, np.ones(2)])
def test_unhashable_static_raises_value_error(static):
    f = jaxlite.jit(lambda x, k: x, static_argnums=1)
    with pytest.raises(ValueError, match="Non-hashable static arguments are not supported"):
        f(jnp.ones(3), static)
    g = jaxlite.jit(lambda x, k: x, static_argnames="k")
    with pytest.raises(ValueError, match="Non-hashable static arguments"):
        g(jnp.ones(3), k=static)


def test_retrace_on_weak_type_change():
    count = [0]

    @jaxlite.jit
    def f(x):
        count[0] += 1
        return x + 1
    assert f(1.0).weak_type
    assert not f(jnp.float32(1.0)).weak_type
    assert count[0] == 2


def test_config_x64_is_part_of_the_key(x64):
    f = jaxlite.jit(lambda x: x + 1)
    assert f(1.0).dtype == np.float64


def test_lower_trace_eval_shape(jax):
    import jax.numpy as real

    ours = jaxlite.jit(lambda x: jnp.sin(x) * 2).lower(jnp.ones(3)).as_text()
    assert ours == str(jax.make_jaxpr(lambda x: real.sin(x) * 2)(real.ones(3)))
    traced = jaxlite.jit(lambda x: x * 2).trace(jnp.ones(3))
    assert str(traced.jaxpr) == str(jax.jit(lambda x: x * 2).trace(real.ones(3)).jaxpr)
    compiled = jaxlite.jit(lambda x: x * 2).lower(jnp.ones(3)).compile()
    assert_same(compiled(jnp.ones(3)), jax.jit(lambda x: x * 2)(real.ones(3)))
    s = jaxlite.eval_shape(lambda x: x.sum(0), jaxlite.ShapeDtypeStruct((2, 3), jnp.float32))
    assert (s.shape, s.dtype) == ((3,), np.float32)
    s2 = jaxlite.jit(lambda x: (x.sum(0), x.astype(int))).eval_shape(jnp.ones((2, 3)))
    r2 = jax.jit(lambda x: (x.sum(0), x.astype(int))).eval_shape(real.ones((2, 3)))
    assert [(a.shape, a.dtype) for a in s2] == [(a.shape, a.dtype) for a in r2]


@pytest.mark.parametrize("f, args", [
    (lambda x: x * 2, (1.0,)), (lambda x: x, (1,)), (lambda x: (x, 2), (1.0,)),
    (lambda x, y=1.0: x + y, (np.ones(2, np.float32),)), (lambda x: None, (1.0,)),
    (lambda d: {"a": d["a"] + 1, "b": [d["b"]]}, ({"a": np.ones(2, np.float32), "b": 1},)),
    (lambda x: x, (np.ones(2),)), (lambda x: x.astype("int8"), (np.array([1.7, -2.5], np.float32),)),
    (lambda x: len(x), (np.ones(3, np.float32),)), (lambda x: sum(x), (np.ones(3, np.float32),)),
    (lambda x: [x[0], x[-1], x[1:]], (np.arange(4.0, dtype=np.float32),)),
])
def test_jit_results_match_jax(jax, f, args):
    assert_same(jaxlite.jit(f)(*args), jax.jit(f)(*args))


def test_nested_jit_and_disable_jit():
    f = jaxlite.jit(lambda x: jaxlite.jit(lambda y: y * 2)(x) + 1)
    np.testing.assert_array_equal(f(jnp.ones(3)), np.full(3, 3.0))
    with jaxlite.disable_jit():
        assert jaxlite.jit(lambda x: type(x).__name__ == "ArrayImpl")(jnp.ones(2))


def test_donate_and_kwargs():
    f = jaxlite.jit(lambda x, *, s: x * s, donate_argnums=0, static_argnames="s")
    np.testing.assert_array_equal(f(jnp.ones(2), s=3), [3.0, 3.0])


def test_make_jaxpr_static_and_return_shape(jax):
    import jax.numpy as real
    assert (str(jaxlite.make_jaxpr(lambda x, k: x * k, static_argnums=1)(jnp.ones(2), 3))
            == str(jax.make_jaxpr(lambda x, k: x * k, static_argnums=1)(real.ones(2), 3)))
    _, shape = jaxlite.make_jaxpr(lambda x: x.sum(), return_shape=True)(jnp.ones(2))
    assert shape.shape == () and shape.dtype == np.float32


def test_jaxpr_fields_and_eval_jaxpr(jax):
    import jax.numpy as real
    c = jaxlite.make_jaxpr(lambda x: jnp.sin(x) + 1)(jnp.ones(2))
    rc = jax.make_jaxpr(lambda x: real.sin(x) + 1)(real.ones(2))
    assert [e.primitive.name for e in c.eqns] == [e.primitive.name for e in rc.eqns]
    assert [str(v.aval) for v in c.jaxpr.invars] == [str(v.aval) for v in rc.jaxpr.invars]
    assert [str(v.aval) for v in c.jaxpr.outvars] == [str(v.aval) for v in rc.jaxpr.outvars]
    assert len(c.consts) == len(rc.consts) == 0
    out = jaxlite.core.eval_jaxpr(c.jaxpr, c.consts, jnp.ones(2))
    assert_same(out, jax.core.eval_jaxpr(rc.jaxpr, rc.consts, real.ones(2)))


def test_cache_hit_is_fast_path():
    f = jaxlite.jit(lambda x: x * 2 + 1)
    x = jnp.arange(100.0)
    f(x)
    assert f._cache_size() == 1
    for _ in range(3):
        f(x)
    assert f._cache_size() == 1


# Functions whose outputs include Python or NumPy scalar constants: literal outvars of the jaxpr.
_LITERAL_OUT = [
    ("jit", lambda j, n, x: j.jit(lambda x: (x, 1.0, 1, True, 2 + 1j, np.float32(3)))(x)),
    ("jit only", lambda j, n, x: j.jit(lambda x: 3.0)(x)),
    ("nested", lambda j, n, x: j.jit(lambda x: j.jit(lambda y: (y * 2, 1.0))(x))(x)),
    ("cond", lambda j, n, x: j.jit(lambda x: j.lax.cond(x > 0, lambda y: 1.0, lambda y: y, x))(x)),
    ("scan", lambda j, n, x: j.lax.scan(lambda c, y: (1.0, c * y), x, n.arange(3.0))),
    ("scan ys", lambda j, n, x: j.jit(lambda x: j.lax.scan(lambda c, y: (c + y, 2.0), x,
                                                          n.arange(3.0)))(x)),
    ("while", lambda j, n, x: j.lax.while_loop(lambda c: c < 3, lambda c: 5.0, x)),
    ("grad cond", lambda j, n, x: j.grad(lambda x: j.lax.cond(x < 0, lambda y: 1.0,
                                                              lambda y: y * y, x))(x)),
    ("grad scan", lambda j, n, x: j.grad(lambda x: j.lax.scan(lambda c, y: (1.0, c * y), x,
                                                              n.arange(1.0, 4.0))[1].sum())(x)),
    ("grad jit", lambda j, n, x: j.grad(lambda x: sum(j.jit(lambda y: (y * 3.0, 1.0))(x)))(x)),
    ("vmap jit", lambda j, n, x: j.vmap(j.jit(lambda y: (y, 1.0)))(n.arange(3.0) * x)),
    ("vmap cond", lambda j, n, x: j.vmap(lambda y: j.lax.cond(y > 0, lambda y: 1.0, lambda y: y, y))(
        n.arange(-1.0, 2.0) * x)),
    ("vmap scan", lambda j, n, x: j.vmap(lambda x: j.lax.scan(lambda c, y: (1.0, c * y), x,
                                                              n.arange(3.0)))(n.arange(3.0) * x)),
    ("jvp jit", lambda j, n, x: j.jvp(j.jit(lambda y: (y, 1.0)), (x,), (x,))),
    ("linearize", lambda j, n, x: j.linearize(j.jit(lambda y: (y * y, 1.0)), x)[1](x)),
    ("vjp", lambda j, n, x: j.vjp(j.jit(lambda y: (y * y, 1.0)), x)[1]((x, x))),
    ("remat", lambda j, n, x: j.grad(lambda x: sum(j.checkpoint(lambda y: (y * y, 1.0))(x)))(x)),
    ("jacfwd jit", lambda j, n, x: j.jacfwd(lambda x: j.jit(lambda y: (y, 1.0))(x))(x)),
    ("jacrev jit", lambda j, n, x: j.jacrev(lambda x: j.jit(lambda y: (y, 1.0))(x))(x)),
]


@pytest.mark.parametrize("name, make", _LITERAL_OUT, ids=[c[0] for c in _LITERAL_OUT])
def test_literal_outputs_match_jax(jax, name, make):
    import jax.numpy as real
    assert_same(make(jaxlite, jnp, jnp.float32(1.5)), make(jax, real, real.float32(1.5)))
