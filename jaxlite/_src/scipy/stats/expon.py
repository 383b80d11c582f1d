"""jax.scipy.stats.expon: the exponential distribution."""
from __future__ import annotations

import numpy as np

from jaxlite._src.lax import lax
from jaxlite._src.scipy.stats._common import c, jnp, promote_args_inexact

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf"]


def logpdf(x, loc=0, scale=1):
    """``-log(scale) - (x - loc) / scale`` for ``x >= loc``, -inf below."""
    x, loc, scale = promote_args_inexact("expon.logpdf", x, loc, scale)
    np_ = jnp()
    log_scale = lax.log(scale)
    linear = lax.div(lax.sub(x, loc), scale)
    log_probs = lax.neg(lax.add(linear, log_scale))
    return np_.where(lax.lt(x, loc), -np_.inf, log_probs)


def pdf(x, loc=0, scale=1):
    """Density."""
    return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    """CDF ``1 - exp(-z)`` (0 below ``loc``)."""
    x, loc, scale = promote_args_inexact("expon.cdf", x, loc, scale)
    np_ = jnp()
    z = lax.div(lax.sub(x, loc), scale)
    return np_.where(lax.lt(z, c(z, 0)), c(z, 0), lax.neg(lax.expm1(lax.neg(z))))


def logcdf(x, loc=0, scale=1):
    """Log CDF."""
    x, loc, scale = promote_args_inexact("expon.logcdf", x, loc, scale)
    np_ = jnp()
    z = lax.div(lax.sub(x, loc), scale)
    return np_.where(lax.lt(z, c(z, 0)), -np_.inf, lax.log(lax.neg(lax.expm1(lax.neg(z)))))


def sf(x, loc=0, scale=1):
    """Survival function ``exp(-z)`` (1 below ``loc``)."""
    x, loc, scale = promote_args_inexact("expon.sf", x, loc, scale)
    np_ = jnp()
    z = lax.div(lax.sub(x, loc), scale)
    return np_.where(lax.lt(z, c(z, 0)), c(z, 1), lax.exp(lax.neg(z)))


def logsf(x, loc=0, scale=1):
    """Log survival function ``-z`` (0 below ``loc``)."""
    x, loc, scale = promote_args_inexact("expon.logsf", x, loc, scale)
    np_ = jnp()
    z = lax.div(lax.sub(x, loc), scale)
    return np_.where(lax.lt(z, c(z, 0)), c(z, 0), lax.neg(z))


def ppf(q, loc=0, scale=1):
    """Quantile ``loc - scale log1p(-q)`` for ``q`` in [0, 1], NaN outside."""
    q, loc, scale = promote_args_inexact("expon.ppf", q, loc, scale)
    np_ = jnp()
    val = lax.sub(loc, lax.mul(scale, lax.log1p(lax.neg(q))))
    return np_.where(lax.lt(q, c(q, 0)) | lax.gt(q, c(q, 1)), c(q, np.nan), val)
