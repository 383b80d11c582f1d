"""jax.scipy.stats.cauchy (re-exported from jaxlite._src.scipy.stats.cauchy)."""
from jaxlite._src.scipy.stats.cauchy import logpdf, pdf, cdf, logcdf, sf, logsf, ppf, isf  # noqa: F401
