"""jax.scipy.stats.bernoulli."""
from __future__ import annotations

import numpy as np

from jaxlite._src.lax import lax
from jaxlite._src.scipy import special
from jaxlite._src.scipy.stats._common import c, jnp, promote_args_inexact

__all__ = ["logpmf", "pmf", "cdf", "ppf"]


def logpmf(k, p, loc=0):
    """``log p`` at ``k - loc == 1``, ``log(1 - p)`` at 0, -inf elsewhere."""
    k, p, loc = promote_args_inexact("bernoulli.logpmf", k, p, loc)
    np_ = jnp()
    zero, one = c(k, 0), c(k, 1)
    x = lax.sub(k, loc)
    log_probs = lax.add(special.xlogy(x, p), special.xlog1py(lax.sub(one, x), lax.neg(p)))
    return np_.where(np_.logical_or(lax.lt(x, zero), lax.gt(x, one)), -np_.inf, log_probs)


def pmf(k, p, loc=0):
    """Probability mass."""
    return jnp().exp(logpmf(k, p, loc))


def cdf(k, p):
    """CDF: 0 below 0, ``1 - p`` on [0, 1), 1 from 1 on; NaN for ``p`` outside [0, 1]."""
    k, p = promote_args_inexact("bernoulli.cdf", k, p)
    np_ = jnp()
    zero, one = c(k, 0), c(k, 1)
    conds = [np_.isnan(k) | np_.isnan(p) | lax.lt(p, zero) | lax.gt(p, one),
             lax.lt(k, zero), lax.lt(k, one)]
    vals = [c(k, np.nan), zero, lax.sub(one, p)]
    out = one
    for cond, val in zip(reversed(conds), reversed(vals)):
        out = np_.where(cond, val, out)
    return out


def ppf(q, p):
    """Quantile: 0 where ``q <= 1 - p``, else 1 (NaN outside [0, 1])."""
    q, p = promote_args_inexact("bernoulli.ppf", q, p)
    np_ = jnp()
    zero, one = c(q, 0), c(q, 1)
    bad = np_.isnan(q) | np_.isnan(p) | lax.lt(p, zero) | lax.gt(p, one) | lax.lt(q, zero) | lax.gt(q, one)
    return np_.where(bad, c(q, np.nan), np_.where(lax.le(q, lax.sub(one, p)), zero, one))
