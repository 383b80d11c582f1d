"""jax.scipy.stats.multivariate_normal (re-exported from jaxlite._src.scipy.stats.multivariate_normal)."""
from jaxlite._src.scipy.stats.multivariate_normal import logpdf, pdf  # noqa: F401
