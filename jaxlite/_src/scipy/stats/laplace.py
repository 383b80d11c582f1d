"""jax.scipy.stats.laplace."""
from __future__ import annotations

import numpy as np

from jaxlite._src.lax import lax
from jaxlite._src.scipy.stats._common import c, jnp, promote_args_inexact

__all__ = ["logpdf", "pdf", "cdf"]


def logpdf(x, loc=0, scale=1):
    """Log density ``-log(2 scale) - |x - loc| / scale``."""
    x, loc, scale = promote_args_inexact("laplace.logpdf", x, loc, scale)
    two = c(x, 2)
    linear = lax.div(lax.abs(lax.sub(x, loc)), scale)
    return lax.neg(lax.add(lax.log(lax.mul(two, scale)), linear))


def pdf(x, loc=0, scale=1):
    """Density."""
    return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    """CDF."""
    x, loc, scale = promote_args_inexact("laplace.cdf", x, loc, scale)
    np_ = jnp()
    half, one, zero = c(x, 0.5), c(x, 1), c(x, 0)
    diff = lax.div(lax.sub(x, loc), scale)
    return np_.where(lax.lt(diff, zero), lax.mul(half, lax.exp(diff)),
                     lax.sub(one, lax.mul(half, lax.exp(lax.neg(diff)))))
