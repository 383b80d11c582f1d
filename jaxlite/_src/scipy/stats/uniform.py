"""jax.scipy.stats.uniform on ``[loc, loc + scale]``."""
from __future__ import annotations

import numpy as np

from jaxlite._src.lax import lax
from jaxlite._src.scipy.stats._common import c, jnp, promote_args_inexact

__all__ = ["logpdf", "pdf", "cdf", "ppf"]


def logpdf(x, loc=0, scale=1):
    """``-log(scale)`` inside ``[loc, loc + scale]``, -inf outside."""
    x, loc, scale = promote_args_inexact("uniform.logpdf", x, loc, scale)
    np_ = jnp()
    log_probs = lax.neg(lax.log(scale))
    out = np_.where(np_.logical_or(lax.gt(x, lax.add(loc, scale)), lax.lt(x, loc)), -np_.inf, log_probs)
    return np_.where(np_.isnan(x), np_.nan, out)


def pdf(x, loc=0, scale=1):
    """Density."""
    return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    """CDF clipped to [0, 1]."""
    x, loc, scale = promote_args_inexact("uniform.cdf", x, loc, scale)
    np_ = jnp()
    zero, one = c(x, 0), c(x, 1)
    out = np_.where(lax.lt(x, loc), zero, np_.where(lax.ge(x, lax.add(loc, scale)), one,
                                                    lax.div(lax.sub(x, loc), scale)))
    return out


def ppf(q, loc=0, scale=1):
    """Quantile ``loc + q * scale`` for ``q`` in [0, 1], NaN outside."""
    q, loc, scale = promote_args_inexact("uniform.ppf", q, loc, scale)
    np_ = jnp()
    return np_.where(np_.isnan(q) | lax.lt(q, c(q, 0)) | lax.gt(q, c(q, 1)), c(q, np.nan),
                     lax.add(loc, lax.mul(q, scale)))
