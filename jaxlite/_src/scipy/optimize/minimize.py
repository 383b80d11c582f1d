"""``jax.scipy.optimize.minimize``: BFGS (the method JAX provides)."""
from __future__ import annotations

from typing import Any, Callable, Mapping, NamedTuple

from jaxlite._src.scipy.optimize.bfgs import minimize_bfgs


class OptimizeResults(NamedTuple):
    """Result of ``minimize``: solution ``x``, ``success``, ``status`` (0 converged, 1 max iterations,
    2+ line-search failure), ``fun``/``jac`` at ``x``, ``hess_inv`` estimate and the counts ``nfev``,
    ``njev``, ``nit``."""
    x: Any
    success: Any
    status: Any
    fun: Any
    jac: Any
    hess_inv: Any
    nfev: Any
    njev: Any
    nit: Any


def minimize(fun: Callable, x0, args: tuple = (), *, method: str, tol: float | None = None,
             options: Mapping[str, Any] | None = None) -> OptimizeResults:
    """Minimise a scalar function of a 1-D array, like ``scipy.optimize.minimize`` (``method='BFGS'``).

    Runs on ``lax.while_loop``, so it works under ``jit`` and ``vmap``. ``options`` go to the solver:
    ``maxiter``, ``norm``, ``gtol``, ``line_search_maxiter``. ``tol`` is accepted and ignored, as in JAX.

    >>> res = jax.scipy.optimize.minimize(lambda x: jnp.sum((x - 3.0) ** 2), jnp.zeros(2), method="BFGS")
    >>> res.x   # ~[3., 3.]
    """
    import jaxlite.numpy as jnp
    options = {} if options is None else dict(options)
    if not isinstance(args, tuple):
        raise TypeError(f"args argument to jax.scipy.optimize.minimize must be a tuple, got {args}")

    def objective(x):
        return fun(x, *args)

    if method.lower() == "bfgs":
        r = minimize_bfgs(objective, x0, **options)
        return OptimizeResults(x=r.x_k, success=r.converged & jnp.logical_not(r.failed), status=r.status,
                               fun=r.f_k, jac=r.g_k, hess_inv=r.H_k, nfev=r.nfev, njev=r.ngev, nit=r.k)
    if method.lower() == "l-bfgs-experimental-do-not-rely-on-this":
        raise NotImplementedError("minimize(method='l-bfgs-experimental-do-not-rely-on-this') is not "
                                  "implemented in jaxlite; use method='BFGS'")
    raise ValueError(f"Method {method} not recognized")
