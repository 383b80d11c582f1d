"""lax.cond / switch / while_loop / fori_loop / scan / map / associative_scan, jnp.select / piecewise.

Oracles: the same computation as a Python loop, finite differences (check_grads) and real JAX
(values, dtypes, weak types, jaxpr text) when it is installed.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

import jaxlite as jax
import jaxlite.numpy as jnp
from jaxlite import lax
from jaxlite.test_util import check_grads

from conftest import assert_same


def _np(x):
    return np.asarray(x)


def _strip_addresses(s):
    return re.sub(r"0x[0-9a-fA-F]+", "0x", s)


# ---------------------------------------------------------------------------------------------------
# cond / switch
# ---------------------------------------------------------------------------------------------------

def test_cond_values_and_pytrees():
    def f(p, x, y):
        return lax.cond(p, lambda a, b: {"s": a + b, "t": (a * b,)},
                        lambda a, b: {"s": a - b, "t": (a / b,)}, x, y)
    x, y = jnp.float32(3.0), jnp.arange(1.0, 4.0)
    for p in (True, False, 1, 0.0):
        out = f(p, x, y)
        ref = {"s": _np(x) + _np(y), "t": (_np(x) * _np(y),)} if p else \
            {"s": _np(x) - _np(y), "t": (_np(x) / _np(y),)}
        assert_same(out, ref)
        assert_same(jax.jit(f)(p, x, y), ref)


def test_cond_no_operands_and_operand_kw():
    assert lax.cond(True, lambda: 1.0, lambda: 2.0) == 1.0
    assert lax.cond(False, lambda x: x + 1, lambda x: x - 1, operand=5) == 4


def test_cond_matches_jax(jax):
    from jax import lax as jlax
    import jax.numpy as jjnp
    for x in (2.0, -2.0):
        ours = lax.cond(x > 0, jnp.sin, lambda v: v * 3, jnp.float32(x))
        theirs = jlax.cond(x > 0, jjnp.sin, lambda v: v * 3, jjnp.float32(x))
        assert_same(ours, theirs)
    # weak types follow JAX (branch 0 = false branch decides)
    assert_same(lax.cond(True, lambda: 1.0, lambda: 2.0), jlax.cond(True, lambda: 1.0, lambda: 2.0))


def test_switch_clamps_index():
    branches = [lambda x: x, lambda x: x * 10, lambda x: x * 100]
    for i, want in [(-5, 1.), (0, 1.), (1, 10.), (2, 100.), (7, 100.)]:
        assert float(lax.switch(i, branches, 1.0)) == want
        assert float(jax.jit(lambda i: lax.switch(i, branches, 1.0))(i)) == want


def test_branch_output_mismatch_errors():
    with pytest.raises(TypeError, match="cond branches must have equal output types") as e:
        lax.cond(True, lambda x: x, lambda x: x.astype(jnp.int32), jnp.ones(2))
    assert "true_fun" in str(e.value) and "false_fun" in str(e.value)
    assert "float32[2]" in str(e.value) and "int32[2]" in str(e.value)
    with pytest.raises(TypeError, match="the shapes do not match"):
        lax.cond(True, lambda x: x, lambda x: x[:1], jnp.ones(2))
    with pytest.raises(TypeError, match="same pytree structure"):
        lax.cond(True, lambda x: (x, x), lambda x: x, 1.0)
    with pytest.raises(TypeError, match="switch branches must have equal output types"):
        lax.switch(0, [lambda x: x, lambda x: x[:1]], jnp.ones(2))


def test_predicate_errors():
    with pytest.raises(TypeError, match="Pred must be a scalar"):
        lax.cond(jnp.array([True, False]), lambda: 1, lambda: 2)
    with pytest.raises(TypeError, match="Pred type must be either boolean or number"):
        lax.cond("yes", lambda: 1, lambda: 2)
    with pytest.raises(TypeError, match="Index type must be an integer"):
        lax.switch(1.5, [lambda: 1, lambda: 2])
    with pytest.raises(TypeError, match="cond_fun must return a boolean scalar"):
        lax.while_loop(lambda x: x, lambda x: x + 1, 1.0)
    with pytest.raises(TypeError, match="cond_fun must return a boolean scalar"):
        lax.while_loop(lambda x: jnp.ones(2) > 0, lambda x: x + 1, 1.0)


def test_python_if_on_tracer_points_to_cond():
    with pytest.raises(jax.errors.TracerBoolConversionError) as e:
        jax.jit(lambda x: x if x > 0 else -x)(1.0)
    msg = str(e.value)
    assert "lax.cond" in msg and "while_loop" in msg and "jnp.where" in msg


def test_cond_jaxpr_text_matches_jax(jax):
    from jax import lax as jlax
    import jax.numpy as jjnp

    def f_ours(x):
        return lax.cond(x > 0, jnp.sin, jnp.cos, x)

    def f_jax(x):
        return jlax.cond(x > 0, jjnp.sin, jjnp.cos, x)
    x = np.float32(1.0)
    assert str(jax.make_jaxpr(f_jax)(x)) == str(jax_make_jaxpr_ours(f_ours)(x))

    def s_ours(i, x):
        return lax.switch(i, [jnp.sin, jnp.cos, jnp.tan], x)

    def s_jax(i, x):
        return jlax.switch(i, [jjnp.sin, jjnp.cos, jjnp.tan], x)
    assert str(jax.make_jaxpr(s_jax)(np.int32(1), x)) == str(jax_make_jaxpr_ours(s_ours)(np.int32(1), x))


def jax_make_jaxpr_ours(f):
    import jaxlite
    return jaxlite.make_jaxpr(f)


def test_cond_closure_consts_and_forwarding(jax):
    from jax import lax as jlax
    import jax.numpy as jjnp
    y = np.arange(3.0, dtype=np.float32)

    def ours(x):
        return lax.cond(x[0] > 0, lambda x: x + y, lambda x: x, x)

    def theirs(x):
        return jlax.cond(x[0] > 0, lambda x: x + y, lambda x: x, x)
    x = np.ones(3, np.float32)
    got = jax_make_jaxpr_ours(ours)(x)
    want = jax.make_jaxpr(theirs)(x)
    assert [e.primitive.name for e in got.eqns] == [e.primitive.name for e in want.eqns]
    assert_same(ours(x), theirs(x))
    # an output both branches forward unchanged is not an output of cond
    j = jax_make_jaxpr_ours(lambda x, z: lax.cond(x > 0, lambda a, b: (a, b + 1), lambda a, b: (a, b),
                                                   x, z))(1.0, 2.0)
    assert len(j.eqns[-1].outvars) == 1


# ---------------------------------------------------------------------------------------------------
# while_loop / fori_loop
# ---------------------------------------------------------------------------------------------------

def test_while_loop_against_python():
    def py(x, n):
        i, acc = 0, x
        while i < n:
            acc = acc * 1.5 + i
            i += 1
        return acc

    def f(x, n):
        return lax.while_loop(lambda c: c[0] < n, lambda c: (c[0] + 1, c[1] * 1.5 + c[0]), (0, x))[1]
    for n in (0, 1, 5):
        np.testing.assert_allclose(f(jnp.float32(2.0), n), py(2.0, n), rtol=1e-6)
        np.testing.assert_allclose(jax.jit(f)(jnp.float32(2.0), n), py(2.0, n), rtol=1e-6)


def test_fori_loop_static_is_scan_and_dynamic_is_while():
    body = lambda i, x: x + i * x  # noqa: E731
    j = jax.make_jaxpr(lambda x: lax.fori_loop(0, 4, body, x))(1.0)
    assert [e.primitive.name for e in j.eqns] == ["scan"]
    j = jax.make_jaxpr(lambda x, n: lax.fori_loop(0, n, body, x))(1.0, 4)
    assert [e.primitive.name for e in j.eqns] == ["while"]
    ref = 1.0
    for i in range(2, 6):
        ref = ref + i * ref
    assert float(lax.fori_loop(2, 6, body, 1.0)) == ref
    assert float(jax.jit(lambda n: lax.fori_loop(2, n, body, 1.0))(6)) == ref
    assert float(lax.fori_loop(5, 2, body, 1.0)) == 1.0


def test_fori_loop_bound_types():
    with pytest.raises(TypeError, match="lower and upper arguments to fori_loop must have equal types"):
        lax.fori_loop(jnp.int16(0), jnp.int32(3), lambda i, x: x, 0.)
    # a weak Python int takes the other bound's type
    out = jax.jit(lambda n: lax.fori_loop(0, n, lambda i, x: x + i, jnp.int32(0)))(jnp.int32(4))
    assert int(out) == 6


def test_loop_jaxprs_match_jax(jax):
    from jax import lax as jlax
    x = np.float32(1.0)
    cases = [
        (lambda x: lax.while_loop(lambda c: c < 10., lambda c: c + 1., x),
         lambda x: jlax.while_loop(lambda c: c < 10., lambda c: c + 1., x)),
        (lambda x: lax.fori_loop(0, 10, lambda i, c: c * 2., x),
         lambda x: jlax.fori_loop(0, 10, lambda i, c: c * 2., x)),
        (lambda x: lax.scan(lambda c, a: (c + a, c * a), x, np.ones(3, np.float32)),
         lambda x: jlax.scan(lambda c, a: (c + a, c * a), x, np.ones(3, np.float32))),
        (lambda x: lax.map(lambda a: a * 2.0, jnp.ones(3) * x),
         lambda x: jlax.map(lambda a: a * 2.0, jax.numpy.ones(3) * x)),
    ]
    for ours, theirs in cases:
        assert str(jax_make_jaxpr_ours(ours)(x)) == str(jax.make_jaxpr(theirs)(x))
        assert_same(ours(x), theirs(x))


def test_carry_type_errors():
    with pytest.raises(TypeError, match="must have equal types") as e:
        lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1].astype(jnp.int32)), (0, 1.0))
    assert "The input carry component c[1] has type float32[]" in str(e.value)
    assert "int32[]" in str(e.value) and "the dtypes do not match" in str(e.value)
    with pytest.raises(TypeError, match="scan body function carry input and carry output must have "
                                        "equal types") as e:
        lax.scan(lambda carry, x: (jnp.stack([carry, carry]), x), jnp.float32(0), jnp.ones(2))
    assert "The input carry carry has type float32[]" in str(e.value)
    assert "the shapes do not match" in str(e.value)
    # a strong dtype change of a strongly typed carry is an error
    with pytest.raises(TypeError, match="the dtypes do not match"):
        lax.fori_loop(0, 3, lambda i, x: x + 0.5, jnp.int32(0))
    # a weakly typed init (Python scalar) takes the dtype the body gives it, as in JAX
    out = lax.fori_loop(0, 3, lambda i, x: x + 0.5, 0)
    assert out.dtype == np.float32 and float(out) == 1.5
    with pytest.raises(TypeError, match="same pytree structure"):
        lax.while_loop(lambda c: True, lambda c: (c, c), 1.0)
    # a weak init whose dtype the body keeps is promoted silently, as in JAX
    out = lax.fori_loop(0, 3, lambda i, x: x + jnp.float32(0.5), 0.0)
    assert out.dtype == np.float32 and float(out) == 1.5


# ---------------------------------------------------------------------------------------------------
# scan / map / associative_scan
# ---------------------------------------------------------------------------------------------------

def _py_scan(f, init, xs, reverse=False):
    carry, ys = init, []
    idx = range(len(xs) - 1, -1, -1) if reverse else range(len(xs))
    for i in idx:
        carry, y = f(carry, xs[i])
        ys.append(y)
    if reverse:
        ys.reverse()
    return carry, np.stack(ys)


@pytest.mark.parametrize("reverse", [False, True])
def test_scan_against_python(reverse):
    xs = np.arange(1.0, 6.0, dtype=np.float32)
    f = lambda c, x: (c * 0.5 + x, c - x)  # noqa: E731
    c, ys = lax.scan(f, jnp.float32(1.0), xs, reverse=reverse)
    rc, rys = _py_scan(lambda c, x: (c * np.float32(0.5) + x, c - x), np.float32(1.0), xs, reverse)
    np.testing.assert_allclose(c, rc, rtol=1e-6)
    np.testing.assert_allclose(ys, rys, rtol=1e-6)
    c2, ys2 = jax.jit(lambda i, x: lax.scan(f, i, x, reverse=reverse, unroll=2))(jnp.float32(1.0), xs)
    np.testing.assert_allclose(c2, rc, rtol=1e-6)
    np.testing.assert_allclose(ys2, rys, rtol=1e-6)


def test_scan_pytrees_length_and_none():
    init = {"a": jnp.zeros(2), "n": 0}
    xs = (jnp.arange(6.0).reshape(3, 2), [jnp.arange(3)])

    def f(c, x):
        v, (k,) = x
        return {"a": c["a"] + v, "n": c["n"] + k}, (v.sum(), None)
    c, (s, none) = lax.scan(f, init, xs)
    np.testing.assert_allclose(c["a"], [6.0, 9.0])
    assert int(c["n"]) == 3 and none is None
    np.testing.assert_allclose(s, [1.0, 5.0, 9.0])
    c, ys = lax.scan(lambda c, _: (c + 1, c * 2), 0, None, length=4)
    assert int(c) == 4 and _np(ys).tolist() == [0, 2, 4, 6]
    with pytest.raises(ValueError, match="scan got no values to scan over and `length` not provided"):
        lax.scan(lambda c, _: (c, c), 0, None)
    with pytest.raises(ValueError, match="different leading axis sizes"):
        lax.scan(lambda c, x: (c, x), 0, (jnp.ones(2), jnp.ones(3)))
    with pytest.raises(ValueError, match="disagrees with leading axis sizes"):
        lax.scan(lambda c, x: (c, x), 0, jnp.ones(2), length=3)
    with pytest.raises(TypeError, match="scan body output must be a pair"):
        lax.scan(lambda c, x: c, 0., jnp.ones(2))


def test_scan_zero_length():
    c, ys = lax.scan(lambda c, x: (c + x.sum(), x * 2), jnp.float32(1.0), jnp.zeros((0, 3)))
    assert float(c) == 1.0 and ys.shape == (0, 3)


def test_scan_matches_jax(jax):
    from jax import lax as jlax
    xs = np.linspace(-1, 1, 7).astype(np.float32)

    def body_ours(c, x):
        return c * jnp.tanh(x) + 1, (c, x > 0)

    def body_jax(c, x):
        return c * jax.numpy.tanh(x) + 1, (c, x > 0)
    assert_same(lax.scan(body_ours, 0.5, xs), jlax.scan(body_jax, 0.5, xs))
    assert_same(lax.scan(body_ours, jnp.float32(0.5), xs, reverse=True),
                jlax.scan(body_jax, np.float32(0.5), xs, reverse=True))


def test_map_and_batch_size():
    xs = jnp.arange(10.0).reshape(5, 2)
    f = lambda x: (x.sum(), x * 2)  # noqa: E731
    ref = (np.asarray(xs).sum(1), np.asarray(xs) * 2)
    for bs in (None, 0, 2, 5, 7):
        out = lax.map(f, xs, batch_size=bs)
        np.testing.assert_allclose(out[0], ref[0])
        np.testing.assert_allclose(out[1], ref[1])


def test_associative_scan():
    x = np.arange(1, 8)
    np.testing.assert_array_equal(lax.associative_scan(jnp.add, x), np.cumsum(x))
    np.testing.assert_array_equal(lax.associative_scan(jnp.add, x, reverse=True),
                                  np.cumsum(x[::-1])[::-1])
    m = np.random.RandomState(0).rand(6, 3).astype(np.float32) + 0.5
    np.testing.assert_allclose(lax.associative_scan(jnp.multiply, m, axis=1), np.cumprod(m, 1),
                               rtol=1e-5)
    # pytree elements: running (sum, max)
    out = lax.associative_scan(lambda a, b: (a[0] + b[0], jnp.maximum(a[1], b[1])),
                               (x, x[::-1]))
    np.testing.assert_array_equal(out[0], np.cumsum(x))
    np.testing.assert_array_equal(out[1], np.maximum.accumulate(x[::-1]))


# ---------------------------------------------------------------------------------------------------
# autodiff
# ---------------------------------------------------------------------------------------------------

def test_cond_grads():
    f = lambda x, y: lax.cond(x > y, lambda a, b: jnp.sin(a) * b, lambda a, b: a * jnp.exp(b), x, y)  # noqa
    for x, y in [(1.0, 0.3), (-1.0, 0.3)]:
        check_grads(f, (x, y), order=2, modes=["fwd", "rev"])
    g = jax.grad(lambda x: lax.switch(2, [jnp.sin, jnp.cos, lambda v: v ** 3], x))(2.0)
    np.testing.assert_allclose(g, 12.0)


def test_cond_grad_jaxpr_matches_jax_prims(jax):
    from jax import lax as jlax
    import jax.numpy as jjnp
    ours = jax_make_jaxpr_ours(jax_grad_ours(lambda x: lax.cond(x > 0, jnp.sin, jnp.cos, x)))(1.0)
    theirs = jax.make_jaxpr(jax.grad(lambda x: jlax.cond(x > 0, jjnp.sin, jjnp.cos, x)))(1.0)
    assert [e.primitive.name for e in ours.eqns] == [e.primitive.name for e in theirs.eqns]


def jax_grad_ours(f):
    import jaxlite
    return jaxlite.grad(f)


def test_scan_and_fori_grads():
    xs = jnp.array([0.5, -0.3, 0.8, 0.1])

    def rnn(w, h0):
        def step(h, x):
            h = jnp.tanh(w * h + x)
            return h, h * h
        h, ys = lax.scan(step, h0, xs)
        return h + ys.sum()
    check_grads(rnn, (0.7, 0.2), order=2, modes=["fwd", "rev"])
    check_grads(lambda w, h0: lax.scan(lambda h, x: (jnp.sin(w * h) + x, None), h0, xs,
                                       reverse=True)[0], (0.7, 0.2), order=1, modes=["fwd", "rev"])
    f = lambda x: lax.fori_loop(0, 4, lambda i, c: c * x + jnp.sin(c), 1.0)  # noqa: E731
    check_grads(f, (0.9,), order=2, modes=["fwd", "rev"])
    m = lambda x: lax.map(lambda v: jnp.sin(v) * v, x).sum()  # noqa: E731
    check_grads(m, (jnp.array([0.1, 0.5, 2.0]),), order=1, modes=["fwd", "rev"])


def test_scan_grad_wrt_consts_and_xs_matches_loop():
    w = jnp.array([[0.5, -0.2], [0.1, 0.3]])
    xs = jnp.arange(6.0).reshape(3, 2) / 10

    def f_scan(w, xs):
        return lax.scan(lambda h, x: (jnp.tanh(w @ h + x), h.sum()), jnp.ones(2), xs)[0].sum()

    def f_loop(w, xs):
        h = jnp.ones(2)
        for i in range(3):
            h = jnp.tanh(w @ h + xs[i])
        return h.sum()
    g1 = jax.grad(f_scan, argnums=(0, 1))(w, xs)
    g2 = jax.grad(f_loop, argnums=(0, 1))(w, xs)
    np.testing.assert_allclose(g1[0], g2[0], rtol=1e-5)
    np.testing.assert_allclose(g1[1], g2[1], rtol=1e-5)


def test_while_loop_jvp_and_reverse_error():
    f = lambda x: lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, jnp.sin(c[1]) * 2), (0, x))[1]  # noqa
    check_grads(f, (0.4,), order=2, modes=["fwd"])
    with pytest.raises(ValueError, match="Reverse-mode differentiation does not work for "
                                         "lax.while_loop or lax.fori_loop with dynamic start/stop"):
        jax.grad(f)(0.4)
    with pytest.raises(ValueError, match="Try using lax.scan, or using fori_loop with static"):
        jax.jit(jax.grad(lambda x, n: lax.fori_loop(0, n, lambda i, c: c * x, 1.0)))(0.4, 3)
    # linearize works (forward), as in JAX
    y, f_lin = jax.linearize(f, 0.4)
    np.testing.assert_allclose(f_lin(1.0), jax.jvp(f, (0.4,), (1.0,))[1], rtol=1e-6)


def test_checkpoint_inside_scan_body():
    xs = jnp.linspace(0.0, 1.0, 5)

    def f(w):
        body = jax.checkpoint(lambda c, x: (jnp.sin(c * w) + x, c))
        return lax.scan(body, 1.0, xs)[0]
    check_grads(f, (0.8,), order=1, modes=["rev"])


# ---------------------------------------------------------------------------------------------------
# vmap
# ---------------------------------------------------------------------------------------------------

def test_vmap_cond_batched_predicate_is_select():
    f = lambda p, x: lax.cond(p, jnp.sin, jnp.cos, x)  # noqa: E731
    p = jnp.array([True, False, True])
    x = jnp.array([0.1, 0.2, 0.3])
    np.testing.assert_allclose(jax.vmap(f)(p, x), np.where(_np(p), np.sin(x), np.cos(x)), rtol=1e-6)
    prims = [e.primitive.name for e in jax.make_jaxpr(jax.vmap(f))(p, x).eqns]
    assert "cond" not in prims and "select_n" in prims
    # unbatched predicate keeps the cond
    prims = [e.primitive.name for e in jax.make_jaxpr(jax.vmap(f, in_axes=(None, 0)))(True, x).eqns]
    assert "cond" in prims
    np.testing.assert_allclose(jax.vmap(f, in_axes=(None, 0))(False, x), np.cos(x), rtol=1e-6)


def test_vmap_switch_batched_index():
    br = [lambda x: x, lambda x: x * 10, lambda x: -x]
    i = jnp.array([0, 1, 2, 9, -3])
    x = jnp.arange(1.0, 6.0)
    want = [1.0, 20.0, -3.0, -4.0, 5.0]
    np.testing.assert_allclose(jax.vmap(lambda i, x: lax.switch(i, br, x))(i, x), want)


def test_vmap_while_batched_predicate_freezes_finished():
    def collatz_steps(n):
        def body(c):
            n, k = c
            return jnp.where(n % 2 == 0, n // 2, 3 * n + 1), k + 1
        return lax.while_loop(lambda c: c[0] != 1, body, (n, 0))[1]
    ns = jnp.array([1, 2, 3, 6, 7, 27])

    def py(n):
        k = 0
        while n != 1:
            n = n // 2 if n % 2 == 0 else 3 * n + 1
            k += 1
        return k
    assert _np(jax.vmap(collatz_steps)(ns)).tolist() == [py(int(n)) for n in ns]
    assert _np(jax.jit(jax.vmap(collatz_steps))(ns)).tolist() == [py(int(n)) for n in ns]
    # batched body consts with an unbatched predicate
    out = jax.vmap(lambda a: lax.fori_loop(0, 3, lambda i, c: c * a, 1.0))(jnp.array([1., 2., 3.]))
    np.testing.assert_allclose(out, [1.0, 8.0, 27.0])


def _counting_loop(j):
    return lambda x, n: j.lax.while_loop(lambda c: c[0] < n, lambda c: (c[0] + 1, c[1] * 1.5 + x), (0, x))


VMAP_WHILE = [
    ("batched pred", lambda j: j.vmap(lambda x: j.lax.while_loop(lambda c: c < 10, lambda c: c * 2, x)),
     (np.array([1.0, 3.0, 5.0], np.float32),)),
    ("weak init", lambda j: j.vmap(lambda n: j.lax.while_loop(lambda c: c < n, lambda c: c + 1.5, 0.0)),
     (np.array([1.0, 4.0, 7.0], np.float32),)),
    ("carry batched by pred", lambda j: j.vmap(_counting_loop(j)),
     (np.array([1.0, 2.0, 3.0], np.float32), np.array([1, 4, 2], np.int32))),
    ("unbatched pred", lambda j: j.vmap(_counting_loop(j), in_axes=(0, None)),
     (np.array([1.0, 2.0, 3.0], np.float32), np.int32(3))),
    ("fori batched bound", lambda j: j.vmap(lambda x, n: j.lax.fori_loop(0, n, lambda i, c: c * x + i, x)),
     (np.array([1.0, 2.0, 3.0], np.float32), np.array([1, 4, 2], np.int32))),
    ("jit vmap", lambda j: j.jit(j.vmap(_counting_loop(j))),
     (np.array([1.0, 2.0, 3.0], np.float32), np.array([1, 4, 2], np.int32))),
    ("inner batched pred", lambda j: j.vmap(j.vmap(_counting_loop(j), in_axes=(0, None))),
     (np.arange(1.0, 7.0, dtype=np.float32).reshape(2, 3), np.array([1, 4], np.int32))),
    ("jvp of vmap", lambda j: lambda x, n: j.jvp(lambda x: j.vmap(_counting_loop(j))(x, n)[1], (x,), (x,)),
     (np.array([1.0, 2.0, 3.0], np.float32), np.array([1, 4, 2], np.int32))),
]


@pytest.mark.parametrize("name, make, args", VMAP_WHILE, ids=[c[0] for c in VMAP_WHILE])
def test_vmap_while_jaxpr_and_values_match_jax(jax, name, make, args):
    """A batched predicate stays batched (no select step; the loop keeps finished elements), as in JAX."""
    import jaxlite
    assert str(jaxlite.make_jaxpr(make(jaxlite))(*args)) == str(jax.make_jaxpr(make(jax))(*args))
    assert_same(make(jaxlite)(*args), make(jax)(*args))


def test_vmap_jvp_float0_tangent_prints_as_jax(jax):
    import jaxlite

    def make(j):
        return j.vmap(lambda x, n: j.jvp(lambda x: (n, x * 2.0), (x,), (x,)))
    args = (np.ones(3, np.float32), np.ones(3, np.int32))
    assert str(jaxlite.make_jaxpr(make(jaxlite))(*args)) == str(jax.make_jaxpr(make(jax))(*args))


def test_vmap_scan_in_axes_and_grad():
    xs = jnp.arange(12.0).reshape(3, 4) / 10  # batch on axis 1 of the scanned values

    def f(h0, xs):
        return lax.scan(lambda h, x: (jnp.tanh(h + x), h * x), h0, xs)
    hb = jnp.array([0.1, 0.2, 0.3, 0.4])
    c, ys = jax.vmap(f, in_axes=(0, 1), out_axes=(0, 1))(hb, xs)
    for b in range(4):
        rc, rys = f(hb[b], xs[:, b])
        np.testing.assert_allclose(c[b], rc, rtol=1e-6)
        np.testing.assert_allclose(ys[:, b], rys, rtol=1e-6)
    per_example = jax.vmap(jax.grad(lambda h, x: f(h, x)[0]), in_axes=(0, 1))(hb, xs)
    for b in range(4):
        np.testing.assert_allclose(per_example[b], jax.grad(lambda h: f(h, xs[:, b])[0])(hb[b]),
                                   rtol=1e-5)


def test_vmap_matches_jax(jax):
    from jax import lax as jlax
    import jax.numpy as jjnp
    x = np.linspace(-1, 1, 5).astype(np.float32)
    ours = jax_vmap_ours(lambda v: lax.cond(v > 0, lambda a: a * 2, jnp.exp, v))(x)
    theirs = jax.vmap(lambda v: jlax.cond(v > 0, lambda a: a * 2, jjnp.exp, v))(x)
    assert_same(ours, theirs)


def jax_vmap_ours(f):
    import jaxlite
    return jaxlite.vmap(f)


# ---------------------------------------------------------------------------------------------------
# jnp.select / jnp.piecewise
# ---------------------------------------------------------------------------------------------------

def test_jnp_select_and_piecewise():
    x = np.linspace(-2.0, 2.0, 9).astype(np.float32)
    out = jnp.select([x < -1, x > 1], [x * 2, x ** 2], default=-7.0)
    np.testing.assert_allclose(out, np.select([x < -1, x > 1], [x * 2, x ** 2], default=-7.0))
    assert out.dtype == np.float32
    with pytest.raises(ValueError, match="condlist must have length equal to choicelist"):
        jnp.select([x > 0], [x, x])
    pw = jnp.piecewise(x, [x < 0, x >= 0], [lambda v: -v, lambda v: v * 3])
    np.testing.assert_allclose(pw, np.piecewise(x, [x < 0, x >= 0], [lambda v: -v, lambda v: v * 3]))
    pw = jnp.piecewise(x, [x < -1, x > 1], [0.5, lambda v: v, 9.0])
    np.testing.assert_allclose(pw, np.piecewise(x, [x < -1, x > 1], [0.5, lambda v: v, 9.0]))
    with pytest.raises(ValueError, match="either 2 or 3 functions are expected"):
        jnp.piecewise(x, [x < 0, x > 1], [1.0])


def test_jnp_select_piecewise_match_jax(jax):
    import jax.numpy as jjnp
    x = np.linspace(-2.0, 2.0, 6).astype(np.float32)
    assert_same(jnp.select([x < 0], [x * 2]), jjnp.select([x < 0], [x * 2]))
    assert_same(jnp.piecewise(x, [x < 0], [lambda v: v * 2, lambda v: v + 1]),
                jjnp.piecewise(x, [x < 0], [lambda v: v * 2, lambda v: v + 1]))


# ---------------------------------------------------------------------------------------------------
# disable_jit, debug_nans, backend
# ---------------------------------------------------------------------------------------------------

def test_disable_jit_runs_python_loops():
    seen = []

    def body(i, x):
        seen.append(type(x).__name__)
        return x + i
    with jax.disable_jit():
        assert int(lax.fori_loop(0, 3, body, 0)) == 3
        assert len(seen) == 3  # the body ran as Python, once per iteration
        assert float(lax.cond(True, lambda x: x + 1, lambda x: x, 1.0)) == 2.0
        c, ys = lax.scan(lambda c, x: (c + x, c), 0.0, jnp.arange(3.0))
        assert float(c) == 3.0 and _np(ys).tolist() == [0.0, 0.0, 1.0]
        assert float(lax.while_loop(lambda c: c < 5, lambda c: c + 2, 0)) == 6
        # under vmap the predicate is not concrete: falls back to the primitive
        out = jax.vmap(lambda n: lax.while_loop(lambda c: c < n, lambda c: c + 1, 0))(jnp.array([2, 4]))
        assert _np(out).tolist() == [2, 4]


def test_debug_nans_names_primitive_inside_loops():
    def f(x):
        return lax.fori_loop(0, 3, lambda i, c: jnp.log(c - 2.0), x)
    with jax.debug_nans(True):
        with pytest.raises(FloatingPointError, match="log"):
            jax.jit(f)(1.0)
        with pytest.raises(FloatingPointError, match="log"):
            f(1.0)
        with pytest.raises(FloatingPointError, match="sqrt"):
            jax.jit(lambda x: lax.cond(x > 0, jnp.sqrt, jnp.sqrt, x))(-1.0)
        with pytest.raises(FloatingPointError, match="log"):
            jax.jit(lambda x: lax.while_loop(lambda c: c < 10, lambda c: c + jnp.log(-c), x))(1.0)
    assert np.isnan(jax.jit(f)(1.0))  # no check without the flag


def test_debug_infs():
    with jax.debug_infs(True):
        with pytest.raises(FloatingPointError, match="div"):
            jax.jit(lambda x: lax.scan(lambda c, a: (c / a, c), x, jnp.zeros(2)))(1.0)


def test_loop_body_compiled_once():
    calls = [0]

    def body(i, x):
        calls[0] += 1
        return x * 2.0
    f = jax.jit(lambda x: lax.fori_loop(0, 100, body, x))
    assert float(f(1.0)) == 2.0 ** 100
    assert float(f(2.0)) == 2.0 ** 101
    assert calls[0] == 1  # traced once; the loop runs the compiled body


def test_scan_outputs_do_not_alias_inputs():
    xs = jnp.arange(4.0)
    before = _np(xs).copy()
    _, ys = lax.scan(lambda c, x: (c, x), 0.0, xs)
    np.testing.assert_array_equal(_np(xs), before)
    np.testing.assert_array_equal(ys, before)


def test_example_script_runs():
    import importlib.util
    import os
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples",
                        "control_flow.py")
    spec = importlib.util.spec_from_file_location("control_flow_example", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    r = mod.main(quiet=True)
    assert r["good_abs"] == (3.0, 2.0) and r["power"] == 32.0 and r["dpower"] == 80.0
    assert abs(r["sqrt2"] - 2 ** 0.5) < 1e-5
    assert r["cumsum"] == [1.0, 3.0, 6.0, 10.0, 15.0]


def test_structure_error_messages_name_the_component():
    with pytest.raises(TypeError) as e:
        lax.while_loop(lambda c: True, lambda c: (c, c), 1.0)
    assert ("The input carry c is a pytree leaf but the corresponding component of the carry output "
            "is a <class 'tuple'>, so their Python types differ.") in str(e.value)
    with pytest.raises(TypeError) as e:
        lax.fori_loop(0, 2, lambda i, c: [c[0], c[1], c[0]], [1.0, 2.0])
    assert "list of length 2" in str(e.value) and "the lengths do not match" in str(e.value)
    with pytest.raises(TypeError) as e:
        lax.cond(True, lambda x: (x, x), lambda x: x, 1.0)
    assert ("true_fun output is a <class 'tuple'> but false_fun output is a pytree leaf, so their "
            "Python types differ.") in str(e.value)


_jaxlite = jax  # the fixture named jax below is real JAX
_SCAN_XS = np.arange(1.0, 4.0, dtype=np.float32)
# grad of scans: the known scan's residual outputs, the transposed scan's operand order (ct carry,
# ct ys, residual xs; zero ct ys not scanned) and its body's equations print as JAX's
SCAN_GRAD_CASES = [
    ("sin", lambda j, n: lambda c: j.lax.scan(lambda c, x: (n.sin(c) * x, None), c, _SCAN_XS)[0]),
    ("mul add", lambda j, n: lambda c: j.lax.scan(lambda c, x: (c * x + 1.0, None), c, _SCAN_XS)[0]),
    ("two muls", lambda j, n: lambda c: j.lax.scan(lambda c, x: (c * c * x, c * x), c, _SCAN_XS)[1].sum()),
    ("exp sin", lambda j, n: lambda c: j.lax.scan(lambda h, x: (n.exp(h) + n.sin(h * x), None), c,
                                                 _SCAN_XS)[0]),
    ("cos mul mul", lambda j, n: lambda c: j.lax.scan(lambda h, x: (n.cos(h) * h * x, h * 2.0), c,
                                                     _SCAN_XS)[1].sum()),
    ("tanh", lambda j, n: lambda c: j.lax.scan(lambda h, x: (n.tanh(h) * x, h), c, _SCAN_XS)[1].sum()),
    # a weak Python-float initial carry: the ct carry accumulators have the ct carry's (strong) type, a
    # conversion that changes nothing is no equation, and const cotangents are summed as they arise
    ("weak init mul const", lambda j, n: lambda a: j.lax.scan(lambda c, x: (c * 2.0 + x * a, None), 1.0,
                                                             _SCAN_XS)[0]),
    ("weak init", lambda j, n: lambda a: j.lax.scan(lambda c, x: (c * a + x, None), 0.0, _SCAN_XS)[0]),
    ("weak init ys", lambda j, n: lambda a: j.lax.scan(lambda c, x: (c * x * a, c), 1.0, _SCAN_XS)[1].sum()),
    ("weak init no xs", lambda j, n: lambda a: j.lax.scan(lambda c, _: (c * a * 3.0, None), 1.0, None,
                                                         length=3)[0]),
]


@pytest.mark.parametrize("name, make", SCAN_GRAD_CASES, ids=[c[0] for c in SCAN_GRAD_CASES])
def test_scan_grad_jaxprs_match_jax(jax, name, make):
    import jax.numpy as real
    ours = jax_make_jaxpr_ours(jax_grad_ours(make(_jaxlite, jnp)))(np.float32(0.7))
    theirs = jax.make_jaxpr(jax.grad(make(jax, real)))(np.float32(0.7))
    assert str(ours) == str(theirs)
    assert_same(jax_grad_ours(make(_jaxlite, jnp))(np.float32(0.7)), jax.grad(make(jax, real))(np.float32(0.7)))


def test_scan_grad_closed_over_array_is_one_constvar(jax):
    """A global jnp array scanned over (or closed over) by grad(scan) is one constant, as in JAX."""
    import jax.numpy as real
    w_ours, w_jax = jnp.array([1.0, 2.0, 3.0]), real.array([1.0, 2.0, 3.0])
    cases = [
        (lambda j, w: lambda x: j.lax.scan(lambda c, y: (c * y, None), x, w)[0], np.float32(0.5)),
        (lambda j, w: lambda x: j.lax.scan(lambda c, y: (c * w + w, c * w), x, None, length=2)[1].sum(),
         np.ones(3, np.float32)),
    ]
    for make, x in cases:
        ours = jax_make_jaxpr_ours(jax_grad_ours(make(_jaxlite, w_ours)))(x)
        theirs = jax.make_jaxpr(jax.grad(make(jax, w_jax)))(x)
        assert str(ours) == str(theirs)
        assert_same(jax_grad_ours(make(_jaxlite, w_ours))(x), jax.grad(make(jax, w_jax))(x))


def test_scan_grad_with_array_xs_forwards_them(jax):
    """An Array (not NumPy) xs needed by the transposed scan is passed on, not stacked again."""
    import jax.numpy as real
    f = lambda j, n: lambda c, xs: j.lax.scan(lambda c, x: (c * c * x, c * x), c, xs)[1].sum()  # noqa: E731
    ours = jax_make_jaxpr_ours(jax_grad_ours(f(_jaxlite, jnp)))(np.float32(0.7), jnp.arange(1.0, 4.0))
    theirs = jax.make_jaxpr(jax.grad(f(jax, real)))(np.float32(0.7), real.arange(1.0, 4.0))
    assert str(ours) == str(theirs)
