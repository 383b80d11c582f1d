"""jax.scipy.stats.gamma: the gamma distribution with shape ``a``, ``loc`` and ``scale``."""
from __future__ import annotations

from jaxlite._src.lax import lax
from jaxlite._src.scipy import special
from jaxlite._src.scipy.stats._common import c, jnp, promote_args_inexact

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]


def logpdf(x, a, loc=0, scale=1):
    """Log density; -inf for ``x < loc``."""
    x, a, loc, scale = promote_args_inexact("gamma.logpdf", x, a, loc, scale)
    np_ = jnp()
    ok = lax.ge(x, loc)
    y = np_.where(ok, lax.div(lax.sub(x, loc), scale), c(x, 1))
    log_linear = lax.sub(special.xlogy(lax.sub(a, c(a, 1)), y), y)
    log_probs = lax.sub(lax.sub(log_linear, special.gammaln(a)), lax.log(scale))
    return np_.where(ok, log_probs, -np_.inf)


def pdf(x, a, loc=0, scale=1):
    """Density."""
    return lax.exp(logpdf(x, a, loc, scale))


def cdf(x, a, loc=0, scale=1):
    """CDF ``P(a, (x - loc) / scale)``."""
    x, a, loc, scale = promote_args_inexact("gamma.cdf", x, a, loc, scale)
    np_ = jnp()
    return special.gammainc(a, np_.clip(lax.div(lax.sub(x, loc), scale), 0, np_.inf))


def logcdf(x, a, loc=0, scale=1):
    """Log CDF."""
    return lax.log(cdf(x, a, loc, scale))


def sf(x, a, loc=0, scale=1):
    """Survival function ``Q(a, (x - loc) / scale)``."""
    x, a, loc, scale = promote_args_inexact("gamma.sf", x, a, loc, scale)
    np_ = jnp()
    return special.gammaincc(a, np_.clip(lax.div(lax.sub(x, loc), scale), 0, np_.inf))


def logsf(x, a, loc=0, scale=1):
    """Log survival function."""
    return lax.log(sf(x, a, loc, scale))
