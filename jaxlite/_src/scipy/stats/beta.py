"""jax.scipy.stats.beta: the beta distribution on ``[loc, loc + scale]``."""
from __future__ import annotations

from jaxlite._src.lax import lax
from jaxlite._src.scipy import special
from jaxlite._src.scipy.stats._common import c, jnp, promote_args_inexact

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]


def logpdf(x, a, b, loc=0, scale=1):
    """Log density; -inf outside the support, the boundary values as SciPy."""
    x, a, b, loc, scale = promote_args_inexact("beta.logpdf", x, a, b, loc, scale)
    np_ = jnp()
    one = c(x, 1)
    shape_term = lax.neg(special.betaln(a, b))
    y = lax.div(lax.sub(x, loc), scale)
    log_linear_term = lax.add(special.xlogy(lax.sub(a, one), y), special.xlog1py(lax.sub(b, one), lax.neg(y)))
    log_probs = lax.sub(lax.add(shape_term, log_linear_term), lax.log(scale))
    result = np_.where(np_.logical_or(lax.gt(x, lax.add(loc, scale)), lax.lt(x, loc)), -np_.inf, log_probs)
    return np_.where(np_.isnan(x), np_.nan, result)


def pdf(x, a, b, loc=0, scale=1):
    """Density."""
    return lax.exp(logpdf(x, a, b, loc, scale))


def cdf(x, a, b, loc=0, scale=1):
    """CDF: the regularized incomplete beta function of the standardized ``x`` (clipped to [0, 1])."""
    x, a, b, loc, scale = promote_args_inexact("beta.cdf", x, a, b, loc, scale)
    np_ = jnp()
    y = np_.clip(lax.div(lax.sub(x, loc), scale), 0, 1)
    return special.betainc(a, b, y)


def logcdf(x, a, b, loc=0, scale=1):
    """Log CDF."""
    return lax.log(cdf(x, a, b, loc, scale))


def sf(x, a, b, loc=0, scale=1):
    """Survival function ``I_{1-y}(b, a)``."""
    x, a, b, loc, scale = promote_args_inexact("beta.sf", x, a, b, loc, scale)
    np_ = jnp()
    y = np_.clip(lax.div(lax.sub(x, loc), scale), 0, 1)
    return special.betainc(b, a, lax.sub(c(y, 1), y))


def logsf(x, a, b, loc=0, scale=1):
    """Log survival function."""
    return lax.log(sf(x, a, b, loc, scale))
