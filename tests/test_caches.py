"""The caches of traced jaxprs and compiled programs: bounded (LRU), tied to the lifetime of what they
are about, and all emptied by ``jax.clear_caches()`` — so that what a cached program closes over (large
constants, closed-over arrays) is not kept alive for good."""
from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import jaxlite
import jaxlite as jax
import jaxlite.numpy as jnp
from jaxlite import lax
from jaxlite._src import api
from jaxlite._src.lax.control_flow import common, loops


def _traces(fn):
    n0 = common.trace_count
    out = fn()
    return common.trace_count - n0, out


def test_clear_caches_drops_arrays_closed_over_by_eager_loops():
    big = jnp.ones((256, 256))
    ref = weakref.ref(big)

    def run():
        return lax.fori_loop(0, 2, lambda i, c: c + big, jnp.zeros((256, 256)))

    n, out = _traces(run)
    assert n == 1
    np.testing.assert_array_equal(out, np.full((256, 256), 2.))
    assert _traces(run)[0] == 0  # cached: the body closing over ``big`` is not traced again
    del big, out
    gc.collect()
    assert ref() is not None  # held by the control-flow trace cache
    jax.clear_caches()
    gc.collect()
    assert ref() is None
    assert _traces(lambda: lax.scan(lambda c, x: (c + x, c), 0., jnp.arange(3.)))[0] == 1


def _jit_traces_around_clear(j, jnp_):
    n = []
    f = j.jit(lambda x: n.append(1) or x * 2)
    f(jnp_.ones(3))
    f(jnp_.ones(3))
    j.clear_caches()
    f(jnp_.ones(3))
    return len(n)


def test_clear_caches_retraces_jit_like_jax(jax):
    import jax.numpy as real_jnp
    assert _jit_traces_around_clear(jaxlite, jnp) == _jit_traces_around_clear(jax, real_jnp) == 2


def test_control_flow_trace_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(common, "_TRACE_CACHE_SIZE", 4)
    jax.clear_caches()
    body = lambda c, x: (c + x, c * 2)  # noqa: E731
    for n in range(1, 9):
        c, ys = lax.scan(body, jnp.zeros(n), jnp.ones((2, n)))
        np.testing.assert_array_equal(c, np.full(n, 2.))
    assert len(common._trace_cache) == 4
    # least recently used goes first: n=8 is still cached, n=1 was dropped
    assert _traces(lambda: lax.scan(body, jnp.zeros(8), jnp.ones((2, 8))))[0] == 0
    assert _traces(lambda: lax.scan(body, jnp.zeros(1), jnp.ones((2, 1))))[0] == 1


def test_jit_caches_are_bounded_lru(monkeypatch):
    monkeypatch.setattr(api, "_JIT_CACHE_SIZE", 3)
    traced = []
    f = jax.jit(lambda x: traced.append(x.shape) or x + 1)
    for n in range(1, 6):
        np.testing.assert_array_equal(f(jnp.zeros(n)), np.ones(n))
    assert f._cache_size() == 3 and len(f._fast_cache) <= 3
    f(np.zeros(3, np.float32))      # used again (a NumPy argument: looked up by the full key)
    f(jnp.zeros(6))                 # evicts n=4, the least recently used
    traced.clear()
    f(jnp.zeros(3))
    f(jnp.zeros(4))
    assert traced == [(4,)]
    g = jax.jit(lambda x: traced.append(x.shape) or x * 2)  # staged inside another trace
    traced.clear()
    for n in range(1, 6):
        jax.make_jaxpr(g)(jnp.zeros(n))
    assert len(g._trace_cache) == 3 and len(traced) == 5


@pytest.mark.parametrize("loop, param", [
    (lambda x: lax.fori_loop(0, 3, lambda i, c: c * 2., x), "jaxpr"),  # a scan
    (lambda x: lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1] * 2.), (0, x))[1],
     "body_jaxpr"),
])
def test_loop_programs_die_with_their_jaxpr(loop, param):
    f = jax.jit(loop)
    np.testing.assert_array_equal(f(jnp.ones(2)), np.full(2, 8.))
    body = f._cache[next(iter(f._cache))].closed.eqns[0].params[param]
    assert body in loops._programs
    ref = weakref.ref(body)
    del f, body
    common.clear_trace_cache()  # (it holds the traced body of the loop's user function, bounded)
    gc.collect()
    assert ref() is None
