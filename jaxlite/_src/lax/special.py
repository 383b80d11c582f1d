"""Special-function primitives: incomplete gamma/beta, polygamma, Hurwitz zeta, scaled Bessel I0/I1.

(``erf``, ``erfc``, ``erf_inv``, ``lgamma`` and ``digamma`` live in ``elementwise.py``.) The NumPy
implementations evaluate SciPy's functions in float64 (SciPy is imported lazily, on first use) and
round to the operand dtype; the jvp rules are JAX's.
"""
from __future__ import annotations

import numpy as np

from jaxlite._src import dtypes
from jaxlite._src.interpreters import ad
from jaxlite._src.lax import elementwise as ew
from jaxlite._src.lax.elementwise import naryop, unop
from jaxlite._src.lax.utils import _float

__all__ = [
    "betainc", "polygamma", "igamma", "igammac", "igamma_grad_a", "zeta", "bessel_i0e", "bessel_i1e",
    "regularized_incomplete_beta_p", "polygamma_p", "igamma_p", "igammac_p", "igamma_grad_a_p",
    "zeta_p", "bessel_i0e_p", "bessel_i1e_p",
]


def _scipy_impl(fn_name):
    def impl(*args):
        import scipy.special as sc
        dt = args[0].dtype
        with np.errstate(all="ignore"):
            out = getattr(sc, fn_name)(*[np.asarray(a, np.float64) for a in args])
        return np.asarray(out).astype(dt)
    return impl


def _const(x, v):
    return ew._full_like_val(x, v)


# ----- regularized incomplete beta I_x(a, b) -----
regularized_incomplete_beta_p = naryop("regularized_incomplete_beta", _scipy_impl("betainc"), _float,
                                       "floating")


def _betainc_grad_x(g, a, b, x):
    lbeta = ew.sub(ew.add(ew.lgamma(a), ew.lgamma(b)), ew.lgamma(ew.add(a, b)))
    dx = ew.exp(ew.sub(ew.add(ew.mul(ew.sub(b, _const(b, 1)), ew.log1p(ew.neg(x))),
                              ew.mul(ew.sub(a, _const(a, 1)), ew.log(x))), lbeta))
    return ew.mul(dx, g)


def _betainc_grad_ab(g, a, b, x):
    raise ValueError("Betainc gradient with respect to a and b not supported.")


ad.defjvp(regularized_incomplete_beta_p, _betainc_grad_ab, _betainc_grad_ab, _betainc_grad_x)


def betainc(a, b, x):
    """Regularized incomplete beta function ``I_x(a, b)``, elementwise."""
    return regularized_incomplete_beta_p.bind(a, b, x)


# ----- polygamma psi^(m)(x) -----
def _polygamma_impl(m, x):
    import scipy.special as sc
    dt = x.dtype
    m64 = np.asarray(m, np.float64)
    with np.errstate(all="ignore"):
        ok = (m64 == np.floor(m64)) & (m64 >= 0)
        out = sc.polygamma(np.where(ok, m64, 0).astype(np.int64), np.asarray(x, np.float64))
        out = np.where(ok, out, np.nan)
    return np.asarray(out).astype(dt)


polygamma_p = naryop("polygamma", _polygamma_impl, _float, "floating")


def _polygamma_grad_m(g, m, x):
    raise ValueError("polygamma gradient with respect to m is not supported")


ad.defjvp(polygamma_p, _polygamma_grad_m,
          lambda g, m, x: ew.mul(g, polygamma(ew.add(m, _const(m, 1)), x)))


def polygamma(m, x):
    """The m-th derivative of the digamma function, elementwise (``m`` a non-negative integer value)."""
    return polygamma_p.bind(m, x)


# ----- incomplete gamma P(a, x), Q(a, x) and dP/da -----
def _igamma_grad_a_impl(a, x):
    """dP(a, x)/da by Richardson-extrapolated central differences of SciPy's gammainc in float64
    (accurate to ~1e-10 relative, far below float32 resolution)."""
    import scipy.special as sc
    dt = a.dtype
    a64, x64 = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    with np.errstate(all="ignore"):
        h = np.minimum(np.maximum(np.abs(a64), 1.0) * 1e-3, np.abs(a64) / 4)
        h = np.where(h > 0, h, 1e-3)

        def d(step):
            return (sc.gammainc(a64 + step, x64) - sc.gammainc(a64 - step, x64)) / (2 * step)
        out = (4 * d(h / 2) - d(h)) / 3
        out = np.where((x64 == 0) | np.isinf(x64), 0.0, out)
        out = np.where(np.isnan(a64) | np.isnan(x64) | (a64 <= 0) | (x64 < 0), np.nan, out)
    return np.asarray(out).astype(dt)


igamma_grad_a_p = naryop("igamma_grad_a", _igamma_grad_a_impl, _float, "floating")


def igamma_grad_a(a, x):
    return igamma_grad_a_p.bind(a, x)


igamma_p = naryop("igamma", _scipy_impl("gammainc"), _float, "floating")
igammac_p = naryop("igammac", _scipy_impl("gammaincc"), _float, "floating")


def _igamma_grad_x(g, a, x):
    return ew.mul(g, ew.exp(ew.sub(ew.add(ew.neg(x), ew.mul(ew.sub(a, _const(a, 1)), ew.log(x))),
                                   ew.lgamma(a))))


ad.defjvp(igamma_p, lambda g, a, x: ew.mul(g, igamma_grad_a(a, x)), _igamma_grad_x)
ad.defjvp(igammac_p, lambda g, a, x: ew.neg(ew.mul(g, igamma_grad_a(a, x))),
          lambda g, a, x: ew.neg(_igamma_grad_x(g, a, x)))


def igamma(a, x):
    """Regularized lower incomplete gamma function ``P(a, x)``."""
    return igamma_p.bind(a, x)


def igammac(a, x):
    """Regularized upper incomplete gamma function ``Q(a, x) = 1 - P(a, x)``."""
    return igammac_p.bind(a, x)


# ----- Hurwitz zeta -----
zeta_p = naryop("zeta", _scipy_impl("zeta"), _float, "floating")


def _zeta_grad_x(g, x, q):
    raise NotImplementedError("the derivative of zeta(x, q) with respect to x")


ad.defjvp(zeta_p, _zeta_grad_x,
          lambda g, x, q: ew.mul(g, ew.mul(ew.neg(x), zeta(ew.add(x, _const(x, 1)), q))))


def zeta(x, q):
    """Hurwitz zeta function ``sum_n (n + q) ** -x``, elementwise."""
    return zeta_p.bind(x, q)


# ----- exponentially scaled modified Bessel functions -----
bessel_i0e_p = unop("bessel_i0e", _scipy_impl("i0e"), _float, "floating")
ad.defjvp2(bessel_i0e_p, lambda g, y, x: ew.mul(g, ew.sub(bessel_i1e(x), ew.mul(ew.sign(x), y))))

bessel_i1e_p = unop("bessel_i1e", _scipy_impl("i1e"), _float, "floating")


def _bessel_i1e_jvp(g, y, x):
    eps = float(dtypes.finfo(x.dtype).eps)
    not_tiny = ew.gt(ew.abs(x), _const(x, eps))
    safe_x = ew.select(not_tiny, x, _const(x, eps))
    dy = ew.sub(bessel_i0e(safe_x), ew.mul(y, ew.add(ew.sign(safe_x), ew.div(_const(x, 1), safe_x))))
    return ew.mul(g, ew.select(not_tiny, dy, _const(x, 0.5)))


ad.defjvp2(bessel_i1e_p, _bessel_i1e_jvp)


def bessel_i0e(x):
    """``exp(-|x|) * I0(x)``, elementwise."""
    return bessel_i0e_p.bind(x)


def bessel_i1e(x):
    """``exp(-|x|) * I1(x)``, elementwise."""
    return bessel_i1e_p.bind(x)
