"""jax.scipy.stats: distributions as modules of functions (``norm.logpdf``, ``gamma.cdf``, ...)."""
from jaxlite.scipy.stats import (  # noqa: F401
    bernoulli, beta, cauchy, dirichlet, expon, gamma, laplace, logistic, multivariate_normal, norm,
    poisson, t, uniform,
)
