"""jax.scipy.optimize (re-exported from jaxlite._src.scipy.optimize)."""
from jaxlite._src.scipy.optimize.minimize import minimize, OptimizeResults  # noqa: F401
from jaxlite._src.scipy.optimize.line_search import line_search  # noqa: F401
