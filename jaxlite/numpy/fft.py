"""jax.numpy.fft (re-exported from jaxlite._src.numpy.fft)."""
from jaxlite._src.numpy.fft import *  # noqa: F401,F403
from jaxlite._src.numpy.fft import __all__  # noqa: F401
