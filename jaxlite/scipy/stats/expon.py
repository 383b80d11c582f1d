"""jax.scipy.stats.expon (re-exported from jaxlite._src.scipy.stats.expon)."""
from jaxlite._src.scipy.stats.expon import logpdf, pdf, cdf, logcdf, sf, logsf, ppf  # noqa: F401
