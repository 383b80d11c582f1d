"""jax.scipy.stats.norm: the normal distribution with ``loc`` and ``scale``."""
from __future__ import annotations

import numpy as np

from jaxlite._src.lax import lax
from jaxlite._src.scipy import special
from jaxlite._src.scipy.stats._common import c, promote_args_inexact

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf"]


def logpdf(x, loc=0, scale=1):
    """Log of the normal density."""
    x, loc, scale = promote_args_inexact("norm.logpdf", x, loc, scale)
    log_norm = lax.add(lax.log(scale), c(x, 0.5 * np.log(2 * np.pi)))
    z = lax.div(lax.sub(x, loc), scale)
    return lax.sub(lax.mul(c(x, -0.5), lax.mul(z, z)), log_norm)


def pdf(x, loc=0, scale=1):
    """Normal density."""
    return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    """Normal CDF."""
    x, loc, scale = promote_args_inexact("norm.cdf", x, loc, scale)
    return special.ndtr(lax.div(lax.sub(x, loc), scale))


def logcdf(x, loc=0, scale=1):
    """Log of the normal CDF (accurate in the left tail)."""
    x, loc, scale = promote_args_inexact("norm.logcdf", x, loc, scale)
    return special.log_ndtr(lax.div(lax.sub(x, loc), scale))


def sf(x, loc=0, scale=1):
    """Survival function ``1 - cdf``."""
    x, loc, scale = promote_args_inexact("norm.sf", x, loc, scale)
    return cdf(lax.neg(x), lax.neg(loc), scale)


def logsf(x, loc=0, scale=1):
    """Log of the survival function."""
    x, loc, scale = promote_args_inexact("norm.logsf", x, loc, scale)
    return logcdf(lax.neg(x), lax.neg(loc), scale)


def ppf(q, loc=0, scale=1):
    """Quantile function (inverse CDF)."""
    q, loc, scale = promote_args_inexact("norm.ppf", q, loc, scale)
    return lax.add(lax.mul(special.ndtri(q), scale), loc)


def isf(q, loc=0, scale=1):
    """Inverse survival function."""
    q, loc, scale = promote_args_inexact("norm.isf", q, loc, scale)
    return ppf(lax.sub(c(q, 1.0), q), loc, scale)
