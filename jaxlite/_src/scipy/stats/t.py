"""jax.scipy.stats.t: Student's t distribution."""
from __future__ import annotations

import numpy as np

from jaxlite._src.lax import lax
from jaxlite._src.scipy.stats._common import c, promote_args_inexact

__all__ = ["logpdf", "pdf"]


def logpdf(x, df, loc=0, scale=1):
    """Log density of Student's t with ``df`` degrees of freedom."""
    x, df, loc, scale = promote_args_inexact("t.logpdf", x, df, loc, scale)
    two, half, one = c(x, 2), c(x, 0.5), c(x, 1)
    scaled = lax.div(lax.sub(x, loc), scale)
    df_over_two = lax.div(df, two)
    df_plus_one_over_two = lax.add(df_over_two, half)
    normalize_term_const = lax.mul(lax.mul(scale, scale), c(x, np.pi))
    normalize_term_tmp = lax.div(lax.log(lax.mul(normalize_term_const, df)), two)
    normalize_term = lax.sub(lax.add(lax.lgamma(df_over_two), normalize_term_tmp),
                             lax.lgamma(df_plus_one_over_two))
    quadratic = lax.div(lax.mul(scaled, scaled), df)
    return lax.neg(lax.add(normalize_term, lax.mul(df_plus_one_over_two, lax.log1p(quadratic))))


def pdf(x, df, loc=0, scale=1):
    """Density."""
    return lax.exp(logpdf(x, df, loc, scale))
