"""The sharding API on 8 virtual CPU devices: data parallelism with NamedSharding, tensor (model)
parallelism of an MLP, and FSDP-style parameter sharding; each checked against one device."""
import numpy as np

import jaxlite as jax
jax.config.update("jax_num_cpu_devices", 8)
import jaxlite.numpy as jnp  # noqa: E402
from jaxlite.experimental import mesh_utils  # noqa: E402
from jaxlite.sharding import Mesh, NamedSharding, PartitionSpec as P  # noqa: E402


def mlp(params, x):
    h = jax.nn.relu(x @ params["w1"]) if hasattr(jax, "nn") else jnp.maximum(x @ params["w1"], 0)
    return h @ params["w2"]


def loss_fn(params, x, y):
    return jnp.mean((mlp(params, x) - y) ** 2)


@jax.jit
def step(params, x, y):
    loss, g = jax.value_and_grad(loss_fn)(params, x, y)
    return jax.tree.map(lambda p, g: p - 0.05 * g, params, g), loss


def check(name, params, x, y, ref):
    new, loss = step(params, x, y)
    print(f"{name}: x {x.sharding.spec}, w1 {params['w1'].sharding.spec}, w2 {params['w2'].sharding.spec}"
          f" -> new w1 {new['w1'].sharding.spec}, prediction {mlp(params, x).sharding.spec}")
    jax.debug.visualize_array_sharding(params["w1"])
    for k in ref[0]:
        np.testing.assert_allclose(np.asarray(new[k]), np.asarray(ref[0][k]), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(loss), np.asarray(ref[1]), rtol=1e-5)


def main():
    rng = np.random.default_rng(0)
    params = {"w1": rng.standard_normal((16, 64)).astype(np.float32) * 0.1,
              "w2": rng.standard_normal((64, 4)).astype(np.float32) * 0.1}
    x = rng.standard_normal((32, 16)).astype(np.float32)
    y = rng.standard_normal((32, 4)).astype(np.float32)
    ref = step(params, x, y)  # one device

    mesh = Mesh(mesh_utils.create_device_mesh((2, 4)), axis_names=("data", "model"))
    put = lambda v, *spec: jax.device_put(v, NamedSharding(mesh, P(*spec)))
    # data parallelism: the batch split over every device, parameters replicated
    dmesh = Mesh(mesh_utils.create_device_mesh((8,)), ("batch",))
    check("data parallel", jax.device_put(params, NamedSharding(dmesh, P())),
          jax.device_put(x, NamedSharding(dmesh, P("batch"))), jax.device_put(y, NamedSharding(dmesh, P("batch"))),
          ref)
    # tensor parallelism: hidden units split over 'model', batch over 'data'
    check("tensor parallel", {"w1": put(params["w1"], None, "model"), "w2": put(params["w2"], "model", None)},
          put(x, "data"), put(y, "data"), ref)
    # FSDP: every parameter split along its first dimension over all devices, gathered when used
    check("fsdp", {"w1": put(params["w1"], ("data", "model")), "w2": put(params["w2"], ("data", "model"))},
          put(x, "data"), put(y, "data"), ref)
    print("all three match the single-device step")


if __name__ == "__main__":
    main()
