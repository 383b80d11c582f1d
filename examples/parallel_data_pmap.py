"""Data parallelism with pmap on 8 virtual CPU devices (the seed's train_step), checked against one device."""
import functools

import numpy as np

import jaxlite as jax
jax.config.update("jax_num_cpu_devices", 8)
import jaxlite.numpy as jnp  # noqa: E402


def loss_fn(params, batch):
    x, y = batch
    pred = jnp.tanh(x @ params["w1"]) @ params["w2"]
    return jnp.mean((pred - y) ** 2)


@functools.partial(jax.pmap, axis_name="devices")
def train_step(params, batch):
    loss, grads = jax.value_and_grad(loss_fn)(params, batch)
    grads = jax.lax.pmean(grads, axis_name="devices")
    return jax.tree.map(lambda p, g: p - 0.01 * g, params, grads), jax.lax.pmean(loss, "devices")


def main():
    n = jax.device_count()
    rng = np.random.default_rng(0)
    params = {"w1": rng.standard_normal((16, 32)).astype(np.float32) * 0.1,
              "w2": rng.standard_normal((32, 1)).astype(np.float32) * 0.1}
    x = rng.standard_normal((n * 8, 16)).astype(np.float32)
    y = rng.standard_normal((n * 8, 1)).astype(np.float32)
    replicated = jax.device_put_replicated(params, jax.devices())
    batch = (x.reshape(n, 8, 16), y.reshape(n, 8, 1))
    new_params, loss = train_step(replicated, batch)
    print("devices:", jax.devices())
    print("params sharding:", new_params["w1"].sharding)
    # single device: the gradient of the mean loss over the whole batch is the mean of shard gradients
    loss1, g = jax.value_and_grad(loss_fn)(params, (x, y))
    ref = jax.tree.map(lambda p, g: p - 0.01 * g, params, g)
    np.testing.assert_allclose(np.asarray(new_params["w1"][0]), np.asarray(ref["w1"]), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(np.asarray(loss[0]), np.asarray(loss1), rtol=1e-5)
    print("loss:", float(loss[0]), "- matches the single-device step")


if __name__ == "__main__":
    main()
