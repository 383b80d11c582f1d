"""jax.scipy.stats.t (re-exported from jaxlite._src.scipy.stats.t)."""
from jaxlite._src.scipy.stats.t import logpdf, pdf  # noqa: F401
