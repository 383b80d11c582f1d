"""BFGS on ``lax.while_loop`` (Nocedal & Wright, Algorithm 6.1), the same iteration as JAX's."""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from jaxlite._src.scipy.optimize.line_search import line_search


class _BFGSResults(NamedTuple):
    """State of the BFGS iteration: convergence flags, counts, iterate ``x_k`` with value ``f_k``,
    gradient ``g_k`` and inverse-Hessian estimate ``H_k``; ``status`` 0 converged, 1 max iterations,
    2 + line-search status on a failed line search."""
    converged: Any
    failed: Any
    k: Any
    nfev: Any
    ngev: Any
    nhev: Any
    x_k: Any
    f_k: Any
    g_k: Any
    H_k: Any
    old_old_fval: Any
    status: Any
    line_search_status: Any


def minimize_bfgs(fun, x0, maxiter: int | None = None, norm=np.inf, gtol: float = 1e-5,
                  line_search_maxiter: int = 10) -> _BFGSResults:
    """Minimise ``fun`` from the 1-D ``x0`` with BFGS; stops when ``norm(grad, ord=norm) < gtol``."""
    import jaxlite.numpy as jnp
    from jaxlite._src.ad_api import value_and_grad
    from jaxlite._src.lax.control_flow import while_loop
    if maxiter is None:
        maxiter = np.size(x0) * 200
    x0 = jnp.asarray(x0)
    d = x0.shape[0]
    f0, g0 = value_and_grad(fun)(x0)
    init = _BFGSResults(converged=jnp.linalg.norm(g0, ord=norm) < gtol, failed=False, k=0, nfev=1, ngev=1,
                        nhev=0, x_k=x0, f_k=f0, g_k=g0, H_k=jnp.eye(d, dtype=x0.dtype),
                        old_old_fval=f0 + jnp.linalg.norm(g0) / 2, status=0, line_search_status=0)

    def keep_going(s):
        return jnp.logical_not(s.converged) & jnp.logical_not(s.failed) & (s.k < maxiter)

    def step(s):
        p = -jnp.dot(s.H_k, s.g_k, precision="highest")
        ls = line_search(fun, s.x_k, p, old_fval=s.f_k, old_old_fval=s.old_old_fval, gfk=s.g_k,
                         maxiter=line_search_maxiter)
        s = s._replace(nfev=s.nfev + ls.nfev, ngev=s.ngev + ls.ngev, failed=ls.failed,
                       line_search_status=ls.status)
        sk = ls.a_k * p
        yk = ls.g_k - s.g_k
        rho = jnp.reciprocal(jnp.dot(yk, sk, precision="highest"))
        # H+ = (I - rho s y^T) H (I - rho y s^T) + rho s s^T, skipped when y.s == 0
        w = jnp.eye(d, dtype=rho.dtype) - rho * (sk[:, None] * yk[None, :])
        H_new = jnp.einsum("ij,jk,lk", w, s.H_k, w, precision="highest") + rho * sk[:, None] * sk[None, :]
        H_new = jnp.where(jnp.isfinite(rho), H_new, s.H_k)
        return s._replace(converged=jnp.linalg.norm(ls.g_k, ord=norm) < gtol, k=s.k + 1, x_k=s.x_k + sk,
                          f_k=ls.f_k, g_k=ls.g_k, H_k=H_new, old_old_fval=s.f_k)

    s = while_loop(keep_going, step, init)
    status = jnp.where(s.converged, 0, jnp.where(s.k == maxiter, 1, jnp.where(s.failed, 2 + s.line_search_status,
                                                                                -1)))
    return s._replace(status=status)
