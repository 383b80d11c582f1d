"""jax.scipy.stats.dirichlet (re-exported from jaxlite._src.scipy.stats.dirichlet)."""
from jaxlite._src.scipy.stats.dirichlet import logpdf, pdf  # noqa: F401
