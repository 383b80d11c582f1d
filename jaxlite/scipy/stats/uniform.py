"""jax.scipy.stats.uniform (re-exported from jaxlite._src.scipy.stats.uniform)."""
from jaxlite._src.scipy.stats.uniform import logpdf, pdf, cdf, ppf  # noqa: F401
