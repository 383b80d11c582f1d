"""pmap benchmark (issue 9): python benchmarks/bench_pmap.py [--quick] [--no-jax]

The seed's data-parallel training step (value_and_grad of an MLP, ``pmean`` of the gradients, SGD) with
``pmap`` over 2 virtual CPU devices, each taking half of a batch of 256, against the same step on one
device over the whole batch. The table's "jax" column is real JAX's pmap on its own 2 CPU devices; the
"numpy" column holds jaxlite's single-device step, so jaxlite/numpy is the pmap-over-1-device ratio.
"""
from __future__ import annotations

import os

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=2")

import numpy as np  # noqa: E402

try:
    from common import Case, block, main
except ImportError:  # imported as benchmarks.bench_pmap
    from benchmarks.common import Case, block, main

BATCH, N_IN, N_HID, N_OUT, NDEV = 256, 784, 512, 10, 2


def data(seed=0):
    rng = np.random.default_rng(seed)
    params = {"w1": (rng.standard_normal((N_IN, N_HID)) * 0.01).astype(np.float32),
              "b1": np.zeros(N_HID, np.float32),
              "w2": (rng.standard_normal((N_HID, N_OUT)) * 0.01).astype(np.float32),
              "b2": np.zeros(N_OUT, np.float32)}
    x = rng.standard_normal((BATCH, N_IN)).astype(np.float32)
    y = rng.standard_normal((BATCH, N_OUT)).astype(np.float32)
    return params, x, y


def make_step(jax, axis_name=None):
    jnp = jax.numpy

    def loss_fn(p, x, y):
        h = jnp.tanh(x @ p["w1"] + p["b1"])
        return jnp.mean((h @ p["w2"] + p["b2"] - y) ** 2)

    def step(p, x, y):
        loss, g = jax.value_and_grad(loss_fn)(p, x, y)
        if axis_name is not None:
            g = jax.lax.pmean(g, axis_name)
        return jax.tree.map(lambda a, b: a - 0.01 * b, p, g), loss
    return step


def cases():
    params, x, y = data()
    xs, ys = x.reshape(NDEV, BATCH // NDEV, N_IN), y.reshape(NDEV, BATCH // NDEV, N_OUT)

    def build_pmap(jax):
        if jax.device_count() < NDEV:
            raise NotImplementedError(f"needs {NDEV} devices, have {jax.device_count()}")
        f = jax.pmap(make_step(jax, "devices"), axis_name="devices", in_axes=(None, 0, 0))
        return lambda: block(jax, f(params, xs, ys))

    import jaxlite
    one = jaxlite.jit(make_step(jaxlite))
    single = lambda: block(jaxlite, one(params, x, y))  # noqa: E731
    return [Case(f"pmap train step over {NDEV} devices (vs 1 device in the numpy column)", build_pmap,
                 single)]


if __name__ == "__main__":
    main(cases, __doc__)
