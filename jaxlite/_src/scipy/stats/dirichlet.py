"""jax.scipy.stats.dirichlet."""
from __future__ import annotations

from jaxlite._src.scipy import special
from jaxlite._src.numpy.util import check_arraylike, promote_dtypes_inexact
from jaxlite._src.scipy.stats._common import jnp

__all__ = ["logpdf", "pdf"]


def logpdf(x, alpha):
    """Log density of ``Dir(alpha)`` at ``x`` (the simplex on axis 0, as SciPy/JAX); -inf off it."""
    check_arraylike("dirichlet.logpdf", x, alpha)
    x, alpha = promote_dtypes_inexact(x, alpha)
    np_ = jnp()
    if alpha.ndim != 1:
        raise ValueError(f"`alpha` must be one-dimensional; got alpha.shape={alpha.shape}")
    if x.shape[0] not in (alpha.shape[0], alpha.shape[0] - 1):
        raise ValueError("`x` must have either the same number of entries as `alpha` or one entry "
                         f"fewer; got x.shape={x.shape}, alpha.shape={alpha.shape}")
    one = np_.ones((), dtype=x.dtype)
    if x.shape[0] != alpha.shape[0]:
        x = np_.concatenate([x, np_.expand_dims(one - x.sum(0), 0)], axis=0)
    normalize_term = special.gammaln(alpha).sum() - special.gammaln(alpha.sum())
    if x.ndim > 1:
        alpha = np_.expand_dims(alpha, tuple(range(1, x.ndim)))
    log_probs = special.xlogy(alpha - one, x).sum(0) - normalize_term
    return np_.where(_in_simplex(x), log_probs, -np_.inf)


def _in_simplex(x):
    np_ = jnp()
    eps = 1e-6
    return np_.all(x > 0, axis=0) & (np_.abs(x.sum(0) - 1) < eps)


def pdf(x, alpha):
    """Density."""
    return jnp().exp(logpdf(x, alpha))
