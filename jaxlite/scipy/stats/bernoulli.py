"""jax.scipy.stats.bernoulli (re-exported from jaxlite._src.scipy.stats.bernoulli)."""
from jaxlite._src.scipy.stats.bernoulli import logpmf, pmf, cdf, ppf  # noqa: F401
