"""Autodiff benchmarks (issue 4): python benchmarks/bench_ad.py [--quick] [--no-jax]

- ``jit(value_and_grad(loss))`` of the MLP 784-512-512-10 (tanh), batch 256, mean squared error;
  the NumPy column is the same forward and backward pass written by hand.
- ``grad`` without jit: the per-call overhead of eager differentiation (trace, linearize, transpose,
  every primitive dispatched one by one), on the seed's ``sin(x)**2 + 1`` at a scalar and on the MLP.
"""
from __future__ import annotations

import numpy as np

try:
    from common import Case, block, main
    from bench_core import device_params, make_mlp, mlp_data, mlp_params
except ImportError:  # imported as benchmarks.bench_ad
    from benchmarks.common import Case, block, main
    from benchmarks.bench_core import device_params, make_mlp, mlp_data, mlp_params


def numpy_value_and_grad(params, x, y):
    """The MLP's loss and gradients by hand-written backpropagation (the NumPy floor)."""
    hs = [x]
    h = x
    for w, b in params[:-1]:
        h = np.tanh(h @ w + b)
        hs.append(h)
    w, b = params[-1]
    out = h @ w + b
    diff = out - y
    loss = np.mean(diff ** 2)
    g = diff * np.float32(2.0 / diff.size)
    grads = []
    for i in range(len(params) - 1, -1, -1):
        w, _ = params[i]
        grads.append((hs[i].T @ g, g.sum(0)))
        if i:
            g = (g @ w.T) * (1 - hs[i] ** 2)
    return loss, grads[::-1]


def cases():
    params = mlp_params()
    x, y = mlp_data()

    def vg_jit(jax):
        _, loss = make_mlp(jax.numpy)
        f = jax.jit(jax.value_and_grad(loss))
        p = device_params(jax, params)
        xd, yd = jax.numpy.asarray(x), jax.numpy.asarray(y)
        return lambda: block(jax, f(p, xd, yd))

    def vg_eager(jax):
        _, loss = make_mlp(jax.numpy)
        f = jax.value_and_grad(loss)
        p = device_params(jax, params)
        xd, yd = jax.numpy.asarray(x), jax.numpy.asarray(y)
        return lambda: block(jax, f(p, xd, yd))

    def grad_scalar(jax):
        jnp = jax.numpy
        df = jax.grad(lambda x: jnp.sin(x) ** 2 + 1.0)
        x0 = jnp.float32(0.5)
        return lambda: block(jax, df(x0))

    def grad_scalar_np():
        x0 = np.float32(0.5)
        return 2 * np.sin(x0) * np.cos(x0)

    return [
        Case("jit(value_and_grad) MLP b256", vg_jit, lambda: numpy_value_and_grad(params, x, y),
             target=1.3),
        Case("grad (no jit) sin(x)**2+1 scalar", grad_scalar, grad_scalar_np),
        Case("value_and_grad (no jit) MLP b256", vg_eager, lambda: numpy_value_and_grad(params, x, y)),
    ]


if __name__ == "__main__":
    main(cases, __doc__)
