"""jax.scipy.linalg (re-exported from jaxlite._src.scipy.linalg)."""
from jaxlite._src.scipy.linalg import *  # noqa: F401,F403
from jaxlite._src.scipy.linalg import __all__  # noqa: F401
