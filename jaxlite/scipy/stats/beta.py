"""jax.scipy.stats.beta (re-exported from jaxlite._src.scipy.stats.beta)."""
from jaxlite._src.scipy.stats.beta import logpdf, pdf, cdf, logcdf, sf, logsf  # noqa: F401
