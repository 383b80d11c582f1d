"""jax.scipy.stats.cauchy."""
from __future__ import annotations

import numpy as np

from jaxlite._src.lax import lax
from jaxlite._src.scipy.stats._common import c, promote_args_inexact

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf"]


def logpdf(x, loc=0, scale=1):
    """Log density ``-log(pi scale (1 + z^2))``."""
    x, loc, scale = promote_args_inexact("cauchy.logpdf", x, loc, scale)
    z = lax.div(lax.sub(x, loc), scale)
    return lax.neg(lax.add(lax.log1p(lax.mul(z, z)), lax.log(lax.mul(c(x, np.pi), scale))))


def pdf(x, loc=0, scale=1):
    """Density."""
    return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    """CDF ``1/2 + atan(z) / pi``."""
    x, loc, scale = promote_args_inexact("cauchy.cdf", x, loc, scale)
    z = lax.div(lax.sub(x, loc), scale)
    return lax.add(c(x, 0.5), lax.div(lax.atan2(z, c(z, 1)), c(x, np.pi)))


def logcdf(x, loc=0, scale=1):
    """Log CDF."""
    return lax.log(cdf(x, loc, scale))


def sf(x, loc=0, scale=1):
    """Survival function."""
    x, loc, scale = promote_args_inexact("cauchy.sf", x, loc, scale)
    return cdf(lax.neg(x), lax.neg(loc), scale)


def logsf(x, loc=0, scale=1):
    """Log survival function."""
    x, loc, scale = promote_args_inexact("cauchy.logsf", x, loc, scale)
    return logcdf(lax.neg(x), lax.neg(loc), scale)


def ppf(q, loc=0, scale=1):
    """Quantile ``loc + scale tan(pi (q - 1/2))``."""
    q, loc, scale = promote_args_inexact("cauchy.ppf", q, loc, scale)
    return lax.add(loc, lax.mul(scale, lax.tan(lax.mul(c(q, np.pi), lax.sub(q, c(q, 0.5))))))


def isf(q, loc=0, scale=1):
    """Inverse survival function."""
    q, loc, scale = promote_args_inexact("cauchy.isf", q, loc, scale)
    return ppf(lax.sub(c(q, 1), q), loc, scale)
