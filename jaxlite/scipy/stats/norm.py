"""jax.scipy.stats.norm (re-exported from jaxlite._src.scipy.stats.norm)."""
from jaxlite._src.scipy.stats.norm import logpdf, pdf, cdf, logcdf, sf, logsf, ppf, isf  # noqa: F401
