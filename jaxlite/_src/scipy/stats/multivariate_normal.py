"""jax.scipy.stats.multivariate_normal: log density of a multivariate normal (via Cholesky)."""
from __future__ import annotations

import numpy as np

from jaxlite._src.numpy.util import check_arraylike, promote_dtypes_inexact
from jaxlite._src.scipy.stats._common import jnp

__all__ = ["logpdf", "pdf"]


def logpdf(x, mean, cov, allow_singular: None = None):
    """Log density of ``N(mean, cov)`` at ``x`` (batched over leading dims; ``cov`` may be a scalar
    or a vector of variances only when ``mean`` is a scalar/1-d as in JAX)."""
    if allow_singular is not None:
        raise NotImplementedError("allow_singular argument of multivariate_normal.logpdf")
    from jaxlite._src.lax.decompositions import triangular_solve
    np_ = jnp()
    check_arraylike("multivariate_normal.logpdf", x, mean, cov)
    x, mean, cov = promote_dtypes_inexact(x, mean, cov)
    if not mean.shape:
        return (-1 / 2 * np_.square(x - mean) / cov - 1 / 2 * (np.log(2 * np.pi) + np_.log(cov)))
    n = mean.shape[-1]
    if not np.shape(cov):
        y = x - mean
        return -1 / 2 * np_.sum(y * y, axis=-1) / cov - n / 2 * (np.log(2 * np.pi) + np_.log(cov))
    if cov.ndim < 2 or cov.shape[-2:] != (n, n):
        raise ValueError("multivariate_normal.logpdf got incompatible shapes")
    L = np_.linalg.cholesky(cov)
    d = x - mean
    batch = np.broadcast_shapes(d.shape[:-1], L.shape[:-2])
    Lb = np_.broadcast_to(L, batch + (n, n))
    db = np_.broadcast_to(d, batch + (n,))[..., None]
    y = triangular_solve(Lb, db, left_side=True, lower=True, transpose_a=False)[..., 0]
    return (-1 / 2 * np_.sum(y * y, axis=-1) - n / 2 * np.log(2 * np.pi)
            - np_.log(np_.diagonal(L, axis1=-1, axis2=-2)).sum(-1))


def pdf(x, mean, cov):
    """Density of ``N(mean, cov)``."""
    return jnp().exp(logpdf(x, mean, cov))
