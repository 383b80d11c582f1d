"""jax.lax: the primitive operations (re-exported from jaxlite._src.lax)."""
from jaxlite._src.lax.lax import *  # noqa: F401,F403
from jaxlite._src.interpreters.ad import add_any_p as add_jaxvals_p  # noqa: F401
