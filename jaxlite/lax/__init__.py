"""jax.lax: the primitive operations (re-exported from jaxlite._src.lax)."""
from jaxlite._src.lax.lax import *  # noqa: F401,F403
from jaxlite._src.interpreters.ad import add_any_p as add_jaxvals_p  # noqa: F401
from jaxlite._src.lax.parallel import *  # noqa: F401,F403,E402  (collectives)
from jaxlite._src.sharding import with_sharding_constraint, sharding_constraint_p  # noqa: F401,E402
