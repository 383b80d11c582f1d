"""Control-flow benchmarks (issue 6): python benchmarks/bench_control_flow.py [--quick] [--no-jax]

- ``lax.fori_loop`` of 10,000 scalar steps under jit (``x = x * 0.999 + 1.0``), on the NumPy backend and
  on the numba tier (one native loop); a ``while_loop`` (Newton's iteration) on the numba tier.
- an indexed ``fori_loop``: ``x.at[i].set(x[i - 1] * 0.5 + x[i])`` over 10,000 elements.
- a scan RNN, hidden 128, input 64, 100 steps, batch 32: ``h = tanh(h @ Wh + x_t @ Wx + b)``, forward
  (all hidden states) and forward+grad (``value_and_grad`` of the mean square of the hidden states
  with respect to the weights), both under jit.

Cases whose construct jaxlite does not have yet are skipped with a note.
"""
from __future__ import annotations

import numpy as np

try:
    from common import Case, block, main, numba_tier_skip, on_numba_tier
except ImportError:  # imported as benchmarks.bench_control_flow
    from benchmarks.common import Case, block, main, numba_tier_skip, on_numba_tier

STEPS, HIDDEN, N_IN, T, BATCH = 10_000, 128, 64, 100, 32


def rnn_data(seed=0):
    rng = np.random.default_rng(seed)
    wh = (rng.standard_normal((HIDDEN, HIDDEN)) / np.sqrt(HIDDEN)).astype(np.float32)
    wx = (rng.standard_normal((N_IN, HIDDEN)) / np.sqrt(N_IN)).astype(np.float32)
    b = (0.1 * rng.standard_normal(HIDDEN)).astype(np.float32)
    xs = rng.standard_normal((T, BATCH, N_IN)).astype(np.float32)
    h0 = np.zeros((BATCH, HIDDEN), np.float32)
    return (wh, wx, b), xs, h0


def make_rnn(jax):
    jnp = jax.numpy

    def run(params, xs, h0):
        wh, wx, b = params

        def step(h, x):
            h = jnp.tanh(h @ wh + x @ wx + b)
            return h, h
        _, hs = jax.lax.scan(step, h0, xs)
        return hs

    def loss(params, xs, h0):
        return jnp.mean(run(params, xs, h0) ** 2)
    return run, loss


def numpy_rnn(params, xs, h0):
    wh, wx, b = params
    hs = np.empty((T,) + h0.shape, np.float32)
    h = h0
    for t in range(T):
        h = np.tanh(h @ wh + xs[t] @ wx + b)
        hs[t] = h
    return hs


def numpy_rnn_value_and_grad(params, xs, h0):
    wh, wx, b = params
    hs = numpy_rnn(params, xs, h0)
    loss = np.mean(hs ** 2)
    ghs = hs * np.float32(2.0 / hs.size)
    gwh, gwx, gb = np.zeros_like(wh), np.zeros_like(wx), np.zeros_like(b)
    gh = np.zeros_like(h0)
    for t in range(T - 1, -1, -1):
        gh = gh + ghs[t]
        ga = gh * (1 - hs[t] ** 2)
        hprev = hs[t - 1] if t else h0
        gwh += hprev.T @ ga
        gwx += xs[t].T @ ga
        gb += ga.sum(0)
        gh = ga @ wh.T
    return loss, (gwh, gwx, gb)


def _missing(name):
    import jaxlite
    return None if hasattr(jaxlite.lax, name) else f"jaxlite.lax.{name} not available yet"


def cases():
    def fori(jax):
        f = jax.jit(lambda x: jax.lax.fori_loop(0, STEPS, lambda i, x: x * 0.999 + 1.0, x))
        x0 = jax.numpy.float32(0.0)
        block(jax, f(x0))
        return lambda: block(jax, f(x0))

    def fori_np():
        x = np.float32(0.0)
        a, c = np.float32(0.999), np.float32(1.0)
        for _ in range(STEPS):
            x = x * a + c
        return x

    def fori_numba(jax):
        x0 = jax.numpy.float32(0.0)
        f = on_numba_tier(jax, lambda jax: jax.jit(
            lambda x: jax.lax.fori_loop(0, STEPS, lambda i, x: x * 0.999 + 1.0, x)), x0)
        block(jax, f(x0))
        return lambda: block(jax, f(x0))

    def newton(jax):
        # while_loop with an early exit: Newton's iteration for sqrt(2), 64 starting points in turn
        def solve(a):
            def cond(c):
                x, k = c
                return (jax.numpy.abs(x * x - a) > 1e-6 * a) & (k < 100)
            return jax.lax.while_loop(cond, lambda c: (0.5 * (c[0] + a / c[0]), c[1] + 1),
                                      (a, 0))[0]
        a0 = jax.numpy.float32(12345.0)
        f = on_numba_tier(jax, lambda jax: jax.jit(solve), a0)
        block(jax, f(a0))
        return lambda: block(jax, f(a0))

    def newton_np():
        a = x = np.float32(12345.0)
        k = 0
        while abs(x * x - a) > np.float32(1e-6) * a and k < 100:
            x, k = np.float32(0.5) * (x + a / x), k + 1
        return x

    def recurrence(numba_tier):
        # an indexed loop: each step reads the previous element of a buffer and writes the next
        def b(jax):
            def run(x):
                return jax.lax.fori_loop(1, STEPS, lambda i, x: x.at[i].set(x[i - 1] * 0.5 + x[i]), x)
            x0 = jax.numpy.ones(STEPS, jax.numpy.float32)
            make = lambda jax: jax.jit(run)  # noqa: E731
            f = on_numba_tier(jax, make, x0) if numba_tier else make(jax)
            block(jax, f(x0))
            return lambda: block(jax, f(x0))
        return b

    def recurrence_np():
        x = np.ones(STEPS, np.float32)
        h = np.float32(0.5)
        for i in range(1, STEPS):
            x[i] = x[i - 1] * h + x[i]
        return x

    params, xs, h0 = rnn_data()

    def rnn(grad):
        def b(jax):
            run, loss = make_rnn(jax)
            f = jax.jit(jax.value_and_grad(loss) if grad else run)
            p = tuple(jax.numpy.asarray(a) for a in params)
            xd, hd = jax.numpy.asarray(xs), jax.numpy.asarray(h0)
            return lambda: block(jax, f(p, xd, hd))
        return b

    def rnn_numba(jax):
        run, _ = make_rnn(jax)
        p = tuple(jax.numpy.asarray(a) for a in params)
        xd, hd = jax.numpy.asarray(xs), jax.numpy.asarray(h0)
        f = on_numba_tier(jax, lambda jax: jax.jit(run), p, xd, hd)
        return lambda: block(jax, f(p, xd, hd))

    no_numba = numba_tier_skip()
    return [
        Case("jit fori_loop 10,000 scalar steps", fori, fori_np, skip=_missing("fori_loop")),
        Case("jit fori_loop 10,000 scalar steps, numba tier", fori_numba, fori_np, target=2.0,
             skip=no_numba),
        Case("jit while_loop Newton sqrt, numba tier", newton, newton_np, skip=no_numba),
        Case("jit fori_loop x.at[i].set(x[i-1]*0.5+x[i]) 10,000 steps", recurrence(False),
             recurrence_np, skip=_missing("fori_loop")),
        Case("jit fori_loop x.at[i].set(...) 10,000 steps, numba tier", recurrence(True),
             recurrence_np, target=2.0, skip=no_numba),
        Case("jit scan RNN h128 T100 b32 forward", rnn(False), lambda: numpy_rnn(params, xs, h0),
             skip=_missing("scan")),
        Case("jit scan RNN forward, numba tier", rnn_numba, lambda: numpy_rnn(params, xs, h0),
             target=2.0, skip=no_numba),
        Case("jit scan RNN forward+grad", rnn(True),
             lambda: numpy_rnn_value_and_grad(params, xs, h0), skip=_missing("scan")),
    ]


if __name__ == "__main__":
    main(cases, __doc__)
