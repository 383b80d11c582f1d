"""jax.scipy.stats.logistic."""
from __future__ import annotations

from jaxlite._src.lax import lax
from jaxlite._src.scipy import special
from jaxlite._src.scipy.stats._common import c, jnp, promote_args_inexact

__all__ = ["logpdf", "pdf", "cdf", "sf", "ppf", "isf"]


def logpdf(x, loc=0, scale=1):
    """Log density ``-z - 2 softplus(-z) - log(scale)``."""
    x, loc, scale = promote_args_inexact("logistic.logpdf", x, loc, scale)
    np_ = jnp()
    z = lax.div(lax.sub(x, loc), scale)
    two = c(x, 2)
    half_z = lax.div(z, two)
    return lax.sub(lax.mul(lax.neg(two), np_.logaddexp(half_z, lax.neg(half_z))), lax.log(scale))


def pdf(x, loc=0, scale=1):
    """Density."""
    return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    """CDF ``expit(z)``."""
    x, loc, scale = promote_args_inexact("logistic.cdf", x, loc, scale)
    return special.expit(lax.div(lax.sub(x, loc), scale))


def sf(x, loc=0, scale=1):
    """Survival function ``expit(-z)``."""
    x, loc, scale = promote_args_inexact("logistic.sf", x, loc, scale)
    return special.expit(lax.neg(lax.div(lax.sub(x, loc), scale)))


def ppf(x, loc=0, scale=1):
    """Quantile ``loc + scale logit(q)``."""
    x, loc, scale = promote_args_inexact("logistic.ppf", x, loc, scale)
    return lax.add(lax.mul(special.logit(x), scale), loc)


def isf(x, loc=0, scale=1):
    """Inverse survival function ``loc - scale logit(q)``."""
    x, loc, scale = promote_args_inexact("logistic.isf", x, loc, scale)
    return lax.add(lax.mul(lax.neg(special.logit(x)), scale), loc)
