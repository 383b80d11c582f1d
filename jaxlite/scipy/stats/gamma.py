"""jax.scipy.stats.gamma (re-exported from jaxlite._src.scipy.stats.gamma)."""
from jaxlite._src.scipy.stats.gamma import logpdf, pdf, cdf, logcdf, sf, logsf  # noqa: F401
