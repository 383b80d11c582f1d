"""jax.scipy.stats.poisson (re-exported from jaxlite._src.scipy.stats.poisson)."""
from jaxlite._src.scipy.stats.poisson import logpmf, pmf, cdf, entropy  # noqa: F401
