"""Issue 6 follow-ups: the traced-jaxpr cache of eager cond/switch/scan/while_loop/fori_loop (counted
re-traces, and that a changed environment is re-traced), and the loop runners against a Python loop."""
from __future__ import annotations

import functools

import numpy as np
import pytest

import jaxlite as jax
import jaxlite.numpy as jnp
from jaxlite import lax
from jaxlite._src.lax.control_flow import common

_W = jnp.ones(3)


def _traces(fn):
    n0 = common.trace_count
    out = fn()
    return common.trace_count - n0, out


def _step(c, x):
    return c * _W + x, c.sum()


def test_eager_scan_is_traced_once():
    global _W
    xs = jnp.ones((4, 3))
    n, first = _traces(lambda: lax.scan(_step, jnp.zeros(3), xs))
    assert n == 1
    for _ in range(5):
        n, (c, ys) = _traces(lambda: lax.scan(_step, jnp.zeros(3), xs))
        assert n == 0
        np.testing.assert_array_equal(c, first[0])
        np.testing.assert_array_equal(ys, first[1])
    old = _W
    try:
        _W = jnp.full(3, 2.)  # a rebound global the body names: re-traced, new value used
        n, (c, _) = _traces(lambda: lax.scan(_step, jnp.zeros(3), xs))
        assert n == 1
        np.testing.assert_array_equal(c, [15., 15., 15.])
    finally:
        _W = old


def test_new_avals_or_tree_retrace():
    lax.scan(_step, jnp.zeros(3), jnp.ones((4, 3)))
    n, _ = _traces(lambda: lax.scan(_step, jnp.zeros(3), jnp.ones((5, 3))))  # same slice avals
    assert n == 0
    n, _ = _traces(lambda: lax.scan(_step, jnp.zeros(3), jnp.ones((4, 3), jnp.int32)))
    assert n == 1
    def tree_step(c, x):
        return jax.tree_util.tree_map(lambda a: a + 1., c), x
    lax.scan(tree_step, (jnp.zeros(3), jnp.zeros(3)), None, length=2)
    n, _ = _traces(lambda: lax.scan(tree_step, [jnp.zeros(3), jnp.zeros(3)], None, length=2))
    assert n == 1


def test_inline_lambdas_and_fori_while_cond_cached():
    def loop():
        outs = []
        for k in range(4):
            r = lax.fori_loop(0, 10, lambda i, x: x + i, 0.)
            r2 = lax.fori_loop(0, jnp.int32(7), lambda i, x: x * 2., 1.)
            r3 = lax.cond(r > 3, lambda x: x + 1, lambda x: x - 1, r)
            r4 = lax.while_loop(lambda x: x < 10, lambda x: x * 2, 1)
            r5 = lax.switch(1, [lambda x: x, lambda x: -x], r)
            outs.append((r, r2, r3, r4, r5))
        return outs
    loop()
    n, outs = _traces(loop)
    assert n == 0
    for r, r2, r3, r4, r5 in outs:
        assert float(r) == 45. and float(r2) == 128. and float(r3) == 46. and int(r4) == 16
        assert float(r5) == -45.


def test_closure_change_retraces():
    def make(k):
        return lambda c, x: (c + k * x, c)
    xs = jnp.arange(3.)
    lax.scan(make(1.), 0., xs)
    n, (c, _) = _traces(lambda: lax.scan(make(1.), 0., xs))
    assert float(c) == 3.
    n, (c, _) = _traces(lambda: lax.scan(make(2.), 0., xs))
    assert n == 1 and float(c) == 6.
    a = jnp.float32(3.)
    n, (c, _) = _traces(lambda: lax.scan(make(a), 0., xs))
    assert n == 1 and float(c) == 9.
    n, (c, _) = _traces(lambda: lax.scan(make(jnp.float32(3.)), 0., xs))  # a new array object
    assert n == 1 and float(c) == 9.


def test_mutable_environment_not_cached():
    w = np.ones(3, np.float32)  # a NumPy array can change in place: never cached
    f = lambda c, x: (c + w, c)  # noqa: E731
    lax.scan(f, jnp.zeros(3), None, length=2)
    w[:] = 5.
    n, (c, _) = _traces(lambda: lax.scan(f, jnp.zeros(3), None, length=2))
    assert n == 1
    np.testing.assert_array_equal(c, [10., 10., 10.])

    class Model:
        def __init__(self):
            self.k = 1.

        def body(self, c, x):
            return c + self.k, c
    m = Model()
    lax.scan(m.body, 0., None, length=3)
    m.k = 2.
    n, (c, _) = _traces(lambda: lax.scan(m.body, 0., None, length=3))
    assert n == 1 and float(c) == 6.
    params = {"k": jnp.float32(1.)}
    g = lambda c, x: (c + params["k"], c)  # noqa: E731
    lax.scan(g, 0., None, length=3)
    params["k"] = jnp.float32(4.)  # a dict's entries are part of the environment
    n, (c, _) = _traces(lambda: lax.scan(g, 0., None, length=3))
    assert n == 1 and float(c) == 12.


def test_tracer_closures_not_cached():
    def outer(a):
        return lax.scan(lambda c, x: (c * a + x, c), 0., jnp.arange(3.))[0]
    np.testing.assert_allclose(jax.jit(outer)(2.), 4.)  # (0*2+0)*2+1 = 1; 1*2+2 = 4
    np.testing.assert_allclose(jax.jit(outer)(3.), 5.)
    np.testing.assert_allclose(outer(3.), 5.)
    g = jax.grad(outer)(2.)
    np.testing.assert_allclose(g, 1.)  # c1 = 1, c2 = a * c1 + 2
