"""vmap benchmarks (issue 5): python benchmarks/bench_vmap.py [--quick] [--no-jax]

The seed's per-example gradients: a 784 -> 10 linear model ``pred = params @ x``, loss
``mean((pred - y) ** 2)`` for ONE example, and ``vmap(grad(loss), in_axes=(None, 0, 0))`` over a batch
of 256 -- jitted and not. (The seed's loss returns the vector ``(pred - y) ** 2``; ``grad`` needs a
scalar, so it is averaged here.) The NumPy column computes the same (256, 10, 784) gradients with one
broadcasted outer product.
"""
from __future__ import annotations

import numpy as np

try:
    from common import Case, block, main
except ImportError:  # imported as benchmarks.bench_vmap
    from benchmarks.common import Case, block, main

BATCH, N_IN, N_OUT = 256, 784, 10


def data(seed=0):
    rng = np.random.default_rng(seed)
    params = (rng.standard_normal((N_OUT, N_IN)) / np.sqrt(N_IN)).astype(np.float32)
    xb = rng.standard_normal((BATCH, N_IN)).astype(np.float32)
    yb = rng.standard_normal((BATCH, N_OUT)).astype(np.float32)
    return params, xb, yb


def make_loss(jnp):
    def loss_fn(params, x, y):
        pred = jnp.dot(params, x)
        return jnp.mean((pred - y) ** 2)
    return loss_fn


def numpy_per_example_grads(params, xb, yb):
    err = xb @ params.T - yb                                   # (B, out)
    return (np.float32(2.0 / N_OUT) * err)[:, :, None] * xb[:, None, :]   # (B, out, in)


def cases():
    params, xb, yb = data()

    def build(jit):
        def b(jax):
            f = jax.vmap(jax.grad(make_loss(jax.numpy)), in_axes=(None, 0, 0))
            if jit:
                f = jax.jit(f)
            p, x, y = (jax.numpy.asarray(a) for a in (params, xb, yb))
            return lambda: block(jax, f(p, x, y))
        return b

    def build_numba_tier(jax):
        if not hasattr(jax.config, "override"):  # real JAX: the same program as above
            return build(True)(jax)
        from jaxlite._src.backend import numba_backend
        with jax.config.override("jaxlite_backend", "numba"):
            numba_backend.wait_all()  # compile the tier's kernels before timing
            f = jax.jit(jax.vmap(jax.grad(make_loss(jax.numpy)), in_axes=(None, 0, 0)))
            p, x, y = (jax.numpy.asarray(a) for a in (params, xb, yb))
            compiled = f.lower(p, x, y).compile()  # bound to the numba tier's program
        return lambda: block(jax, compiled(p, x, y))

    try:
        import numba  # noqa: F401
        no_numba = None
    except ImportError:
        no_numba = "numba not installed (pip install 'jaxlite[fast]')"
    np_fn = lambda: numpy_per_example_grads(params, xb, yb)  # noqa: E731
    return [
        Case("jit(vmap(grad)) per-example b256 784->10", build(True), np_fn, target=1.1),
        Case("jit(vmap(grad)) per-example, numba tier", build_numba_tier, np_fn, target=1.1,
             skip=no_numba),
        Case("vmap(grad) (no jit) per-example b256", build(False), np_fn),
    ]


if __name__ == "__main__":
    main(cases, __doc__)
