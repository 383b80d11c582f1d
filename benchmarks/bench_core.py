"""Core jit benchmarks (issue 3): python benchmarks/bench_core.py [--quick] [--no-jax]

- tiny jitted call ``x * 2 + 1`` on 100 float32 values, cache hit: measures the per-call overhead of a
  jitted function (flatten arguments, cache lookup, run the compiled program, wrap the result).
- MLP forward 784-512-512-10 (tanh hidden layers), batch 256, under jit.
- elementwise chains on 1M float32 under jit, on the NumPy backend and on the numba tier (fused):
  ``tanh(x * w + b) * 0.5 + x`` and the arithmetic-only ``(x * w + b) * 0.5 - max(x, 0) * w``.
"""
from __future__ import annotations

import numpy as np

try:
    from common import Case, block, main, numba_tier_skip, on_numba_tier
except ImportError:  # imported as benchmarks.bench_core
    from benchmarks.common import Case, block, main, numba_tier_skip, on_numba_tier

SIZES = (784, 512, 512, 10)
BATCH = 256
CHAIN_N = 1_000_000


def mlp_params(sizes=SIZES, seed=0):
    """NumPy float32 parameters [(w, b), ...], scaled like a standard initialisation."""
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((m, n)).astype(np.float32) / np.float32(np.sqrt(m)),
             (0.1 * rng.standard_normal(n)).astype(np.float32))
            for m, n in zip(sizes[:-1], sizes[1:])]


def mlp_data(batch=BATCH, sizes=SIZES, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.standard_normal((batch, sizes[-1])).astype(np.float32)
    return x, y


def make_mlp(jnp):
    """predict and loss written once for any ``jax.numpy``-like module."""
    def predict(params, x):
        h = x
        for w, b in params[:-1]:
            h = jnp.tanh(h @ w + b)
        w, b = params[-1]
        return h @ w + b

    def loss(params, x, y):
        return jnp.mean((predict(params, x) - y) ** 2)
    return predict, loss


def device_params(jax, params):
    return [(jax.numpy.asarray(w), jax.numpy.asarray(b)) for w, b in params]


def cases():
    def tiny(jax):
        f = jax.jit(lambda x: x * 2 + 1)
        x = jax.numpy.ones(100, dtype=jax.numpy.float32)
        block(jax, f(x))
        return lambda: block(jax, f(x))

    xn = np.ones(100, np.float32)

    def tiny_np():
        return xn * 2 + 1

    params = mlp_params()
    x, _ = mlp_data()

    def mlp(jax):
        predict, _ = make_mlp(jax.numpy)
        f = jax.jit(predict)
        p = device_params(jax, params)
        xd = jax.numpy.asarray(x)
        return lambda: block(jax, f(p, xd))

    predict_np, _ = make_mlp(np)

    rng = np.random.default_rng(2)
    cx, cw = (rng.standard_normal(CHAIN_N).astype(np.float32) for _ in range(2))
    cb = np.float32(0.1)
    chains = {"tanh(x*w+b)*0.5+x": lambda jnp: lambda x, w, b: jnp.tanh(x * w + b) * 0.5 + x,
              "(x*w+b)*0.5-max(x,0)*w": lambda jnp: lambda x, w, b: (x * w + b) * 0.5
              - jnp.maximum(x, 0.0) * w}

    def chain(expr, numba_tier):
        def b(jax):
            args = tuple(jax.numpy.asarray(a) for a in (cx, cw, cb))
            make = lambda jax: jax.jit(chains[expr](jax.numpy))  # noqa: E731
            f = on_numba_tier(jax, make, *args) if numba_tier else make(jax)
            block(jax, f(*args))
            return lambda: block(jax, f(*args))
        return b

    def chain_np(expr):
        fn = chains[expr](np)
        return lambda: fn(cx, cw, cb)

    no_numba = numba_tier_skip()
    chain_cases = []
    for expr in chains:
        chain_cases += [Case(f"jit {expr} 1M f32", chain(expr, False), chain_np(expr)),
                        Case(f"jit {expr} 1M f32, numba tier", chain(expr, True), chain_np(expr),
                             skip=no_numba)]

    return [
        Case("jit tiny call x*2+1 (100 f32)", tiny, tiny_np, target=0.5),
        Case("jit MLP forward 784-512-512-10 b256", mlp, lambda: predict_np(params, x), target=1.3),
    ] + chain_cases


if __name__ == "__main__":
    main(cases, __doc__)
