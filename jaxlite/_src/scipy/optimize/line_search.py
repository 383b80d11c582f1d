"""A line search satisfying the strong Wolfe conditions (Nocedal & Wright, Algorithms 3.5 and 3.6), on
``lax.while_loop`` so that it can run under ``jit``. Same algorithm and constants as JAX's (and SciPy's
``line_search_wolfe2``): a bracketing phase that doubles the step, then a ``zoom`` that interpolates
(cubic, else quadratic, else bisection) inside the bracket.
"""
from __future__ import annotations

from typing import Any, NamedTuple


def _jnp():
    import jaxlite.numpy as jnp
    return jnp


def _dot(a, b):
    return _jnp().dot(a, b, precision="highest")


def _select(pred, new: dict, old: NamedTuple) -> dict:
    """``{k: where(pred, new[k], old.k)}`` for the keys of ``new``."""
    jnp = _jnp()
    return {k: jnp.where(pred, v, getattr(old, k)) for k, v in new.items()}


def _cubic_min(a, fa, fpa, b, fb, c, fc):
    """Minimiser of the cubic through (a, fa) with slope fpa at a, (b, fb) and (c, fc)."""
    from jaxlite._src import dtypes
    jnp = _jnp()
    dt = dtypes.result_type(a, fa, fpa, b, fb, c, fc)
    db, dc = b - a, c - a
    denom = (db * dc) ** 2 * (db - dc)
    m = jnp.array([[dc ** 2, -db ** 2], [-dc ** 3, db ** 3]], dtype=dt)
    v = jnp.array([fb - fa - fpa * db, fc - fa - fpa * dc], dtype=dt)
    A, B = _dot(m, v) / denom
    return a + (-B + jnp.sqrt(B * B - 3.0 * A * fpa)) / (3.0 * A)


def _quad_min(a, fa, fpa, b, fb):
    """Minimiser of the parabola through (a, fa) with slope fpa at a and (b, fb)."""
    db = b - a
    curvature = (fb - fa - fpa * db) / db ** 2
    return a - fpa / (2.0 * curvature)


class _Zoom(NamedTuple):
    done: Any
    failed: Any
    j: Any
    a_lo: Any
    phi_lo: Any
    dphi_lo: Any
    a_hi: Any
    phi_hi: Any
    dphi_hi: Any
    a_rec: Any
    phi_rec: Any
    a_star: Any
    phi_star: Any
    dphi_star: Any
    g_star: Any
    nfev: Any
    ngev: Any


def _zoom(phi_and_grad, armijo_fails, curvature_holds, a_lo, phi_lo, dphi_lo, a_hi, phi_hi, dphi_hi, g0, skip):
    """Shrink the bracket [a_lo, a_hi] until a point satisfies both Wolfe conditions (``skip``: do nothing)."""
    from jaxlite._src import dtypes
    from jaxlite._src.lax.control_flow import while_loop
    jnp = _jnp()
    init = _Zoom(done=False, failed=False, j=0, a_lo=a_lo, phi_lo=phi_lo, dphi_lo=dphi_lo, a_hi=a_hi,
                 phi_hi=phi_hi, dphi_hi=dphi_hi, a_rec=(a_lo + a_hi) / 2.0, phi_rec=(phi_lo + phi_hi) / 2.0,
                 a_star=1.0, phi_star=phi_lo, dphi_star=dphi_lo, g_star=g0, nfev=0, ngev=0)
    cubic_margin, quad_margin = 0.2, 0.1

    def step(s):
        width = s.a_hi - s.a_lo
        lo, hi = jnp.minimum(s.a_hi, s.a_lo), jnp.maximum(s.a_hi, s.a_lo)
        tiny = jnp.where(dtypes.finfo(width.dtype).bits < 64, 1e-5, 1e-10)
        s = s._replace(failed=s.failed | (width <= tiny))
        a_cubic = _cubic_min(s.a_lo, s.phi_lo, s.dphi_lo, s.a_hi, s.phi_hi, s.a_rec, s.phi_rec)
        use_cubic = (s.j > 0) & (a_cubic > lo + cubic_margin * width) & (a_cubic < hi - cubic_margin * width)
        a_quad = _quad_min(s.a_lo, s.phi_lo, s.dphi_lo, s.a_hi, s.phi_hi)
        use_quad = ~use_cubic & (a_quad > lo + quad_margin * width) & (a_quad < hi - quad_margin * width)
        use_mid = ~use_cubic & ~use_quad
        a_j = jnp.where(use_cubic, a_cubic, s.a_rec)
        a_j = jnp.where(use_quad, a_quad, a_j)
        a_j = jnp.where(use_mid, (s.a_lo + s.a_hi) / 2.0, a_j)
        phi_j, dphi_j, g_j = phi_and_grad(a_j)
        phi_j = phi_j.astype(s.phi_lo.dtype)
        dphi_j = dphi_j.astype(s.dphi_lo.dtype)
        g_j = g_j.astype(s.g_star.dtype)
        s = s._replace(nfev=s.nfev + 1, ngev=s.ngev + 1)
        to_hi = armijo_fails(a_j, phi_j) | (phi_j >= s.phi_lo)
        found = curvature_holds(dphi_j) & ~to_hi
        flip = (dphi_j * (s.a_hi - s.a_lo) >= 0.0) & ~to_hi & ~found
        to_lo = ~to_hi & ~found
        s = s._replace(**_select(to_hi, dict(a_hi=a_j, phi_hi=phi_j, dphi_hi=dphi_j, a_rec=s.a_hi,
                                             phi_rec=s.phi_hi), s))
        s = s._replace(done=found | s.done,
                       **_select(found, dict(a_star=a_j, phi_star=phi_j, dphi_star=dphi_j, g_star=g_j), s))
        s = s._replace(**_select(flip, dict(a_hi=s.a_lo, phi_hi=s.phi_lo, dphi_hi=s.dphi_lo, a_rec=s.a_hi,
                                            phi_rec=s.phi_hi), s))
        s = s._replace(**_select(to_lo & ~flip, dict(a_rec=s.a_lo, phi_rec=s.phi_lo), s))
        s = s._replace(**_select(to_lo, dict(a_lo=a_j, phi_lo=phi_j, dphi_lo=dphi_j), s))
        s = s._replace(j=s.j + 1)
        return s._replace(failed=s.failed | (s.j >= 30))

    return while_loop(lambda s: ~s.done & ~skip & ~s.failed, step, init)


class _Search(NamedTuple):
    done: Any
    failed: Any
    i: Any
    a_i1: Any
    phi_i1: Any
    dphi_i1: Any
    nfev: Any
    ngev: Any
    a_star: Any
    phi_star: Any
    dphi_star: Any
    g_star: Any


class _LineSearchResults(NamedTuple):
    """Results of ``line_search``: step ``a_k``, value ``f_k`` and gradient ``g_k`` there, counts, and
    ``status`` (0 success, 1 failure in zoom, 3 maximum iterations reached)."""
    failed: Any
    nit: Any
    nfev: Any
    ngev: Any
    k: Any
    a_k: Any
    f_k: Any
    g_k: Any
    status: Any


def line_search(f, xk, pk, old_fval=None, old_old_fval=None, gfk=None, c1=1e-4, c2=0.9, maxiter=20):
    """Find a step ``a`` along ``pk`` from ``xk`` meeting the strong Wolfe conditions
    ``f(xk + a pk) <= f(xk) + c1 a f'(xk).pk`` and ``|f'(xk + a pk).pk| <= c2 |f'(xk).pk|``.

    Returns a ``_LineSearchResults`` (``a_k``, ``f_k``, ``g_k``, ``failed``, ``status``, counts).
    """
    from jaxlite._src import dtypes
    from jaxlite._src.ad_api import value_and_grad
    from jaxlite._src.lax.control_flow import while_loop
    from jaxlite._src.numpy.util import promote_dtypes_inexact
    jnp = _jnp()
    xk, pk = promote_dtypes_inexact(jnp.asarray(xk), jnp.asarray(pk))

    def phi_and_grad(t):
        t = jnp.array(t, dtype=pk.dtype)
        val, g = value_and_grad(f)(xk + t * pk)
        return val, jnp.real(_dot(g, pk)), g

    fresh = old_fval is None or gfk is None
    if fresh:
        phi0, dphi0, gfk = phi_and_grad(0)
    else:
        phi0, dphi0 = old_fval, jnp.real(_dot(gfk, pk))
    if old_old_fval is not None:
        guess = 1.01 * 2 * (phi0 - old_old_fval) / dphi0
        first_step = jnp.where(guess > 1, 1.0, guess)
    else:
        first_step = 1

    def armijo_fails(a, phi):
        return phi > phi0 + c1 * a * dphi0

    def curvature_holds(dphi):
        return jnp.abs(dphi) <= -c2 * dphi0

    init = _Search(done=jnp.array(False), failed=jnp.array(False), i=1, a_i1=0.0, phi_i1=phi0, dphi_i1=dphi0,
                   nfev=1 if fresh else 0, ngev=1 if fresh else 0, a_star=0.0, phi_star=phi0, dphi_star=dphi0,
                   g_star=gfk)

    def step(s):
        a_i = jnp.where(s.i == 1, first_step, s.a_i1 * 2.0)
        phi_i, dphi_i, g_i = phi_and_grad(a_i)
        s = s._replace(nfev=s.nfev + 1, ngev=s.ngev + 1)
        bracket_left = armijo_fails(a_i, phi_i) | ((phi_i >= s.phi_i1) & (s.i > 1))
        accept = curvature_holds(dphi_i) & ~bracket_left
        bracket_right = (dphi_i >= 0.0) & ~bracket_left & ~accept
        z1 = _zoom(phi_and_grad, armijo_fails, curvature_holds, s.a_i1, s.phi_i1, s.dphi_i1, a_i, phi_i, dphi_i,
                   gfk, ~bracket_left)
        s = s._replace(nfev=s.nfev + z1.nfev, ngev=s.ngev + z1.ngev)
        z2 = _zoom(phi_and_grad, armijo_fails, curvature_holds, a_i, phi_i, dphi_i, s.a_i1, s.phi_i1, s.dphi_i1,
                   gfk, ~bracket_right)
        s = s._replace(nfev=s.nfev + z2.nfev, ngev=s.ngev + z2.ngev)
        keys = ("a_star", "phi_star", "dphi_star", "g_star")
        s = s._replace(done=bracket_left | s.done, failed=(bracket_left & z1.failed) | s.failed,
                       **_select(bracket_left, {k: getattr(z1, k) for k in keys}, s))
        s = s._replace(done=accept | s.done,
                       **_select(accept, dict(a_star=a_i, phi_star=phi_i, dphi_star=dphi_i, g_star=g_i), s))
        s = s._replace(done=bracket_right | s.done, failed=(bracket_right & z2.failed) | s.failed,
                       **_select(bracket_right, {k: getattr(z2, k) for k in keys}, s))
        return s._replace(i=s.i + 1, a_i1=a_i, phi_i1=phi_i, dphi_i1=dphi_i)

    s = while_loop(lambda s: ~s.done & (s.i <= maxiter) & ~s.failed, step, init)
    status = jnp.where(s.failed, jnp.array(1), jnp.where(s.i > maxiter, jnp.array(3), jnp.array(0)))
    a_k = jnp.asarray(s.a_star)
    # keep single-precision steps away from zero (as JAX)
    a_k = jnp.where((dtypes.finfo(a_k.dtype).bits != 64) & (jnp.abs(a_k) < 1e-8), jnp.sign(a_k) * 1e-8, a_k)
    return _LineSearchResults(failed=s.failed | ~s.done, nit=s.i - 1, nfev=s.nfev, ngev=s.ngev, k=s.i, a_k=a_k,
                              f_k=s.phi_star, g_k=s.g_star, status=status)
