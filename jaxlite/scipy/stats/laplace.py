"""jax.scipy.stats.laplace (re-exported from jaxlite._src.scipy.stats.laplace)."""
from jaxlite._src.scipy.stats.laplace import logpdf, pdf, cdf  # noqa: F401
