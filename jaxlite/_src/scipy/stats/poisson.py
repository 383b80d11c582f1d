"""jax.scipy.stats.poisson."""
from __future__ import annotations

import numpy as np

from jaxlite._src.lax import lax
from jaxlite._src.scipy import special
from jaxlite._src.scipy.stats._common import c, jnp, promote_args_inexact

__all__ = ["logpmf", "pmf", "cdf", "entropy"]


def logpmf(k, mu, loc=0):
    """``k log mu - mu - log k!`` at non-negative integers ``k - loc``, -inf elsewhere."""
    k, mu, loc = promote_args_inexact("poisson.logpmf", k, mu, loc)
    np_ = jnp()
    zero = c(k, 0)
    x = lax.sub(k, loc)
    log_probs = lax.sub(lax.sub(special.xlogy(x, mu), special.gammaln(lax.add(x, c(x, 1)))), mu)
    return np_.where(np_.logical_or(lax.lt(x, zero), lax.ne(np_.round(k), k)), -np_.inf, log_probs)


def pmf(k, mu, loc=0):
    """Probability mass."""
    return jnp().exp(logpmf(k, mu, loc))


def cdf(k, mu, loc=0):
    """``Q(floor(k - loc) + 1, mu)``; 0 below the support."""
    k, mu, loc = promote_args_inexact("poisson.cdf", k, mu, loc)
    np_ = jnp()
    x = lax.sub(k, loc)
    p = special.gammaincc(np_.floor(lax.add(x, c(x, 1))), mu)
    return np_.where(lax.lt(x, c(x, 0)), c(x, 0), p)


def entropy(mu, loc=0):
    """Entropy of the Poisson distribution (summed over the bulk of its support)."""
    raise NotImplementedError("jax.scipy.stats.poisson.entropy")
