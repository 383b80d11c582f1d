"""jax.debug (re-exports from jaxlite._src)."""
from jaxlite._src.sharding import visualize_array_sharding, visualize_sharding, inspect_array_sharding  # noqa: F401
