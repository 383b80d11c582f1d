"""jax.debug (re-exports from jaxlite._src)."""
from jaxlite._src.debugging import debug_print as print, debug_callback as callback  # noqa: F401,A001
from jaxlite._src.sharding import visualize_array_sharding, visualize_sharding, inspect_array_sharding  # noqa: F401
