"""jax.experimental: mesh_utils and shard_map (other experimental modules are not provided)."""
from jaxlite.experimental import mesh_utils, shard_map  # noqa: F401
from jaxlite._src.callback import io_callback  # noqa: F401,E402
