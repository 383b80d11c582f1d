"""jax.scipy.stats.logistic (re-exported from jaxlite._src.scipy.stats.logistic)."""
from jaxlite._src.scipy.stats.logistic import logpdf, pdf, cdf, sf, ppf, isf  # noqa: F401
