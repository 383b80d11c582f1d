"""jax.numpy.linalg (re-exported from jaxlite._src.numpy.linalg)."""
from jaxlite._src.numpy.linalg import *  # noqa: F401,F403
from jaxlite._src.numpy.linalg import __all__  # noqa: F401
