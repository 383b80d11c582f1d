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


# ----- the inlined loop programs against the plain runners and a Python loop ----------------------

@pytest.fixture(params=[True, False], ids=["inlined", "plain"])
def inline(request):
    from jaxlite._src.lax.control_flow import loops
    old = loops._INLINE
    loops._INLINE = request.param
    yield request.param
    loops._INLINE = old


def _py_scan(f, c, xs, reverse=False):
    ys = [None] * len(xs)
    order = range(len(xs) - 1, -1, -1) if reverse else range(len(xs))
    for i in order:
        c, ys[i] = f(c, xs[i])
    return c, np.stack(ys)


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("jit", [False, True])
def test_scan_vs_python_loop(inline, reverse, jit):
    rng = np.random.default_rng(0)
    w = rng.standard_normal((4, 4)).astype(np.float32)
    xs = rng.standard_normal((6, 4)).astype(np.float32)

    def body(c, x):
        h, k = c
        new = (jnp.tanh(h @ w + x), k + 1)
        return new, (h, x, k * 2, jnp.float32(1.))  # ys: the incoming carry, the x slice, a literal

    def np_body(c, x):
        h, k = c
        return (np.tanh(h @ w + x), k + 1), (h, x, k * 2, np.float32(1.))
    run = jax.jit(lambda c, xs: lax.scan(body, c, xs, reverse=reverse)) if jit else \
        (lambda c, xs: lax.scan(body, c, xs, reverse=reverse))
    (h, k), ys = run((jnp.zeros(4), jnp.int32(0)), xs)
    ref_c, _ = _py_scan(lambda c, x: (np_body(c, x)[0], 0), (np.zeros(4, np.float32), np.int32(0)), xs,
                        reverse)
    np.testing.assert_allclose(h, ref_c[0], rtol=1e-5, atol=1e-6)
    assert int(k) == 6 and h.dtype == np.float32
    order = range(5, -1, -1) if reverse else range(6)
    hh = np.zeros(4, np.float32)
    for t, i in enumerate(order):
        np.testing.assert_allclose(ys[0][i], hh, rtol=1e-5, atol=1e-6)
        hh = np.tanh(hh @ w + xs[i])
        assert int(ys[2][i]) == 2 * t
    np.testing.assert_array_equal(ys[1], xs)
    np.testing.assert_array_equal(ys[3], np.ones(6, np.float32))


@pytest.mark.parametrize("jit", [False, True])
def test_loops_vs_python_loop(inline, jit):
    maybe_jit = jax.jit if jit else (lambda f: f)
    fori = maybe_jit(lambda x: lax.fori_loop(0, 1000, lambda i, x: x * 0.999 + 1.0, x))
    x = np.float32(0.)
    for _ in range(1000):
        x = x * np.float32(0.999) + np.float32(1.)
    r = fori(jnp.float32(0.))
    assert r.dtype == np.float32 and float(r) == float(x)  # bit-identical float32 arithmetic
    wl = maybe_jit(lambda n: lax.while_loop(lambda c: c[0] < n, lambda c: (c[0] + 1, c[1] * 3 % 7),
                                            (0, 1)))
    i, v = wl(jnp.int32(10))
    pv = 1
    for _ in range(10):
        pv = pv * 3 % 7
    assert int(i) == 10 and int(v) == pv
    dyn = maybe_jit(lambda n: lax.fori_loop(0, n, lambda i, acc: acc + i * i, 0))
    assert int(dyn(jnp.int32(20))) == sum(i * i for i in range(20))
    empty = maybe_jit(lambda x: lax.scan(lambda c, _: (c, None), x, None, length=0))
    assert float(empty(jnp.float32(2.))[0]) == 2.
    nocarry = maybe_jit(lambda xs: lax.scan(lambda c, x: ((), x * 2), (), xs)[1])
    np.testing.assert_array_equal(nocarry(jnp.arange(3.)), [0., 2., 4.])


def test_nested_loops_and_grad(inline):
    def f(w):
        def outer(c, x):
            inner = lax.fori_loop(0, 3, lambda i, a: a * w + x, c)
            return inner, inner
        return lax.scan(outer, 0.1, jnp.arange(4.) / 4)[1].sum()

    def py(w):
        c, tot = 0.1, 0.
        for x in np.arange(4.) / 4:
            for _ in range(3):
                c = c * w + x
            tot += c
        return tot
    np.testing.assert_allclose(f(0.5), py(0.5), rtol=1e-5)
    np.testing.assert_allclose(jax.jit(f)(0.5), py(0.5), rtol=1e-5)
    np.testing.assert_allclose(jax.grad(f)(0.5), (py(0.5 + 1e-4) - py(0.5 - 1e-4)) / 2e-4, rtol=1e-2)


# ----- jaxprs as JAX prints them: forwarded carries/ys, vmap of cond with a batched predicate ------

def _programs(jax_mod):
    jnp_, lax_ = jax_mod.numpy, jax_mod.lax
    return {
        "scan_passthrough": (lambda x: lax_.scan(lambda c, x: ((c[0] + x, c[1]), c[0]), (0., x[0]), x),
                             (np.arange(3.),)),
        "scan_forwarded_y": (lambda x: lax_.scan(lambda c, x: (c + x, (x, c)), 0., x), (np.arange(3.),)),
        "fori": (lambda x: lax_.fori_loop(0, 5, lambda i, x: x * 2., x), (1.,)),
        "while_passthrough": (lambda x, k: lax_.while_loop(lambda c: c[0] < 5,
                                                           lambda c: (c[0] + c[1], c[1]), (x, k)),
                              (0., 1.)),
        "vmap_cond": (jax_mod.vmap(lambda p, x: lax_.cond(p, lambda x: jnp_.sin(x), lambda x: x * 2., x)),
                      (np.array([True, False]), np.arange(2.))),
        "grad_fori": (jax_mod.grad(lambda w: lax_.fori_loop(0, 3, lambda i, c: c * w + 1., 0.5)), (2.,)),
    }


@pytest.mark.parametrize("name", list(_programs(jax)))
def test_jaxprs_match_jax(name):
    real = pytest.importorskip("jax")
    ours, theirs = _programs(jax)[name], _programs(real)[name]
    if name != "grad_fori":  # grad: the transposed body lists two independent equations in another order
        assert str(jax.make_jaxpr(ours[0])(*ours[1])) == str(real.make_jaxpr(theirs[0])(*theirs[1]))
    a, b = ours[0](*ours[1]), theirs[0](*theirs[1])
    for x, y in zip(jax.tree_util.tree_leaves(a), real.tree_util.tree_leaves(b)):
        # JAX hands a forwarded input back as it was given (a Python or NumPy scalar); we give an Array
        y = real.numpy.asarray(y)
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=1e-6)
        assert np.asarray(x).dtype == np.asarray(y).dtype


def test_forwarded_outputs_values():
    (c, k), (ys, xs) = lax.scan(lambda c, x: ((c[0] + x, c[1]), (c[0], x)), (0., jnp.int32(2)),
                                jnp.arange(3.))
    assert float(c) == 3. and int(k) == 2 and k.dtype == np.int32
    np.testing.assert_array_equal(ys, [0., 0., 1.])
    np.testing.assert_array_equal(xs, [0., 1., 2.])
    i, step = lax.while_loop(lambda c: c[0] < 5, lambda c: (c[0] + c[1], c[1]), (0., 1.))
    assert float(i) == 5. and float(step) == 1. and isinstance(step, jax.Array)
    # a pass-through carry the cond reads stays a carry
    i, lim = lax.while_loop(lambda c: c[0] < c[1], lambda c: (c[0] + 1, c[1]), (0, 4))
    assert int(i) == 4 and int(lim) == 4


def test_vmap_cond_untaken_branch_gradient_is_zero():
    # log(x) is not taken where x <= 0; without the stop_gradient masking its NaN would leak
    f = lambda x: lax.cond(x > 0, jnp.log, lambda x: x * 0., x)  # noqa: E731
    g = jax.vmap(jax.grad(f))(jnp.array([-1., 2.]))
    np.testing.assert_allclose(g, [0., 0.5])
    g2 = jax.grad(lambda xs: jax.vmap(f)(xs).sum())(jnp.array([-1., 2.]))
    np.testing.assert_allclose(g2, [0., 0.5])
