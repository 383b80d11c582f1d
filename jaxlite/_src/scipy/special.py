"""jax.scipy.special: special functions on lax primitives, with JAX's dtypes and derivatives.

Integer and boolean inputs are promoted to the default float type (``promote_args_inexact``), Python
scalars stay weakly typed. Functions that JAX defines with a custom JVP (``xlogy``, ``xlog1py``,
``entr``, ``logit``, ``log_ndtr``, ``zeta``) have the same custom rule here.
"""
from __future__ import annotations

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.lax import lax
from jaxlite._src.lax import special as lax_special
from jaxlite._src.numpy.util import promote_args_inexact, promote_dtypes_inexact, ensure_arraylike

__all__ = [
    "logsumexp", "erf", "erfc", "erfinv", "gammaln", "gammasgn", "gamma", "loggamma", "digamma",
    "polygamma", "betaln", "beta", "betainc", "gammainc", "gammaincc", "xlogy", "xlog1py", "entr",
    "expit", "logit", "log_ndtr", "ndtr", "ndtri", "softmax", "log_softmax", "zeta", "i0", "i0e", "i1",
    "i1e", "multigammaln", "factorial", "comb", "rel_entr", "kl_div", "poch", "boxcox", "boxcox1p",
]


def _custom_jvp(fun=None, *, nondiff_argnums=()):
    """``jax.custom_jvp`` (imported lazily so this module does not depend on import order)."""
    from jaxlite._src.custom_derivatives import custom_jvp
    if fun is None:
        return lambda f: custom_jvp(f, nondiff_argnums=nondiff_argnums)
    return custom_jvp(fun, nondiff_argnums=nondiff_argnums)


def _jnp():
    import jaxlite.numpy as jnp
    return jnp


def _c(x, v):
    """A scalar constant of ``x``'s dtype (weak if ``x`` is weak), as JAX's ``_const``."""
    aval = core.get_aval(x)
    return lax._convert_element_type(v, aval.dtype, aval.weak_type)


def _where(c, x, y):
    return _jnp().where(c, x, y)


# ---------------------------------------------------------------------------------------------------
# error function family, normal distribution
# ---------------------------------------------------------------------------------------------------

def erf(x):
    """Error function ``2/sqrt(pi) * int_0^x exp(-t**2) dt``."""
    x, = promote_args_inexact("erf", x)
    return lax.erf(x)


def erfc(x):
    """Complementary error function ``1 - erf(x)``."""
    x, = promote_args_inexact("erfc", x)
    return lax.erfc(x)


def erfinv(x):
    """Inverse of ``erf`` on (-1, 1)."""
    x, = promote_args_inexact("erfinv", x)
    return lax.erf_inv(x)


def ndtr(x):
    """Standard normal CDF ``Phi(x)``, accurate in both tails."""
    x = _jnp().asarray(x)
    dt = x.dtype
    if dt not in (np.float32, np.float64):
        raise TypeError(f"x.dtype={dt} is not supported, see docstring for supported types.")
    # JAX's constants here are strongly typed, so the result is never weak
    return _ndtr(lax._convert_element_type(x, dt, False))


def _ndtr(x):
    half_sqrt_2 = _c(x, 0.5 * np.sqrt(2.0))
    w = lax.mul(x, half_sqrt_2)
    z = lax.abs(w)
    y = _where(lax.lt(z, half_sqrt_2), lax.add(_c(x, 1.0), lax.erf(w)),
               _where(lax.gt(w, _c(x, 0.0)), lax.sub(_c(x, 2.0), lax.erfc(z)), lax.erfc(z)))
    return lax.mul(_c(x, 0.5), y)


# Cephes ndtri rational approximations (numerator/denominator coefficients, highest power first)
_NDTRI_P0 = [-5.99633501014107895267E1, 9.80010754185999661536E1, -5.66762857469070293439E1,
             1.39312609387279679503E1, -1.23916583867381258016E0]
_NDTRI_Q0 = [1.0, 1.95448858338141759834E0, 4.67627912898881538453E0, 8.63602421390890590575E1,
             -2.25462687854119370527E2, 2.00260212380060660359E2, -8.20372256168333339912E1,
             1.59056225126211695515E1, -1.18331621121330003142E0]
_NDTRI_P1 = [4.05544892305962419923E0, 3.15251094599893866154E1, 5.71628192246421288162E1,
             4.40805073893200834700E1, 1.46849561928858024014E1, 2.18663306850790267539E0,
             -1.40256079171354495875E-1, -3.50424626827848203418E-2, -8.57456785154685413611E-4]
_NDTRI_Q1 = [1.0, 1.57799883256466749731E1, 4.53907635128879210584E1, 4.13172038254672030440E1,
             1.50425385692907503408E1, 2.50464946208309415979E0, -1.42182922854787788574E-1,
             -3.80806407691578277194E-2, -9.33259480895457427372E-4]
_NDTRI_P2 = [3.23774891776946035970E0, 6.91522889068984211695E0, 3.93881025292474443415E0,
             1.33303460815807542389E0, 2.01485389549179081538E-1, 1.23716634817820021358E-2,
             3.01581553508235416007E-4, 2.65806974686737550832E-6, 6.23974539184983293730E-9]
_NDTRI_Q2 = [1.0, 6.02427039364742014255E0, 3.67983563856160859403E0, 1.37702099489081330271E0,
             2.16236993594496635890E-1, 1.34204006088543189037E-2, 3.28014464682127739104E-4,
             2.89247864745380683936E-6, 6.79019408009981274425E-9]


def _polyval(coeffs, x):
    acc = _c(x, coeffs[0])
    for c in coeffs[1:]:
        acc = lax.add(lax.mul(acc, x), _c(x, c))
    return acc


def ndtri(p):
    """Inverse of ``ndtr``: the ``x`` with ``Phi(x) = p`` (Cephes' rational approximations)."""
    p, = promote_args_inexact("ndtri", p)
    if p.dtype not in (np.float32, np.float64):
        raise TypeError(f"x.dtype={p.dtype} is not supported, see docstring for supported types.")
    # JAX's constants here are strongly typed, so the result is never weak
    p = lax._convert_element_type(p, p.dtype, False)
    one, half = _c(p, 1.0), _c(p, 0.5)
    flip = lax.gt(p, _c(p, -np.expm1(-2.0)))
    q = _where(flip, lax.sub(one, p), p)
    q = _where(lax.eq(q, _c(p, 0.0)), lax.full_like(q, 0.5), q)
    # central region
    w = lax.sub(q, half)
    ww = lax.mul(w, w)
    x_mid = lax.add(w, lax.mul(lax.mul(w, ww), lax.div(_polyval(_NDTRI_P0, ww), _polyval(_NDTRI_Q0, ww))))
    x_mid = lax.mul(x_mid, _c(p, -np.sqrt(2.0 * np.pi)))
    # tails
    z = lax.sqrt(lax.mul(_c(p, -2.0), lax.log(q)))
    first = lax.sub(z, lax.div(lax.log(z), z))
    iz = lax.div(one, z)
    far = lax.div(lax.div(_polyval(_NDTRI_P2, iz), _polyval(_NDTRI_Q2, iz)), z)
    near = lax.div(lax.div(_polyval(_NDTRI_P1, iz), _polyval(_NDTRI_Q1, iz)), z)
    x_tail = _where(lax.ge(z, _c(p, 8.0)), lax.sub(first, far), lax.sub(first, near))
    x = _where(lax.gt(q, _c(p, np.exp(-2.0))), x_mid, x_tail)
    x = _where(lax.gt(p, _c(p, 1.0 - np.exp(-2.0))), x, lax.neg(x))
    inf = lax.full_like(x, np.inf)
    return _where(lax.eq(p, _c(p, 0.0)), lax.neg(inf), _where(lax.eq(p, one), inf, x))


def _norm_logpdf(x):
    return lax.sub(lax.mul(_c(x, -0.5), lax.mul(x, x)), _c(x, np.log(np.sqrt(2 * np.pi))))


def _log_ndtr_lower(x, series_order):
    """Asymptotic expansion of ``log Phi(x)`` for ``x << -1``."""
    x2 = lax.mul(x, x)
    log_scale = lax.sub(lax.sub(lax.mul(_c(x, -0.5), x2), lax.log(lax.neg(x))),
                        _c(x, 0.5 * np.log(2.0 * np.pi)))
    total = _c(x, 0.0)
    even, odd = _c(x, 1.0), _c(x, 0.0)
    x2n = x2
    dfact = 1.0
    for n in range(1, series_order + 1):
        dfact *= (2 * n - 1)
        term = lax.div(_c(x, dfact), x2n)
        if n % 2:
            odd = lax.add(odd, term)
        else:
            even = lax.add(even, term)
        x2n = lax.mul(x2n, x2)
    total = lax.sub(even, odd)
    return lax.add(log_scale, lax.log(total))


@_custom_jvp(nondiff_argnums=(1,))
def _log_ndtr(x, series_order):
    dt = x.dtype
    lower, upper = (-20.0, 8.0) if dt == np.float64 else (-10.0, 5.0)
    lo, up = _c(x, lower), _c(x, upper)
    jnp = _jnp()
    # one ndtr call for both branches; max/min keep the unused branches finite (no NaN gradients)
    ndtr_res = _ndtr(lax.select(lax.gt(x, up), lax.neg(x), lax.max(x, lo)))
    return jnp.where(lax.gt(x, up), lax.neg(ndtr_res),
                     jnp.where(lax.gt(x, lo), lax.log(ndtr_res),
                               _log_ndtr_lower(lax.min(x, lo), series_order)))


@_log_ndtr.defjvp
def _log_ndtr_jvp(series_order, primals, tangents):
    (x,), (t,) = primals, tangents
    ans = _log_ndtr(x, series_order)
    return ans, lax.mul(t, lax.exp(lax.sub(_norm_logpdf(x), ans)))


def log_ndtr(x, series_order: int = 3):
    """``log(ndtr(x))``, accurate far into the left tail (an asymptotic series below -10/-20)."""
    if not isinstance(series_order, int):
        raise TypeError("series_order must be a Python integer.")
    if series_order < 0:
        raise ValueError("series_order must be non-negative.")
    if series_order > 30:
        raise ValueError("series_order must be <= 30.")
    x = _jnp().asarray(x)
    if x.dtype not in (np.float32, np.float64):
        raise TypeError(f"x.dtype={np.dtype(x.dtype)} is not supported.")
    return _log_ndtr(lax._convert_element_type(x, x.dtype, False), series_order)


# ---------------------------------------------------------------------------------------------------
# gamma family
# ---------------------------------------------------------------------------------------------------

def gammaln(x):
    """``log|Gamma(x)|``."""
    x, = promote_args_inexact("gammaln", x)
    return lax.lgamma(x)


def gammasgn(x):
    """Sign of ``Gamma(x)``: NaN at poles (non-positive integers) and NaN; -1 where Gamma < 0."""
    x, = promote_args_inexact("gammasgn", x)
    if dtypes.issubdtype(x.dtype, np.complexfloating):
        raise ValueError("gammasgn does not support complex-valued inputs.")
    jnp = _jnp()
    fx = lax.floor(x)
    neg = lax.lt(x, _c(x, 0.0))
    pole = (neg & lax.eq(x, fx)) | jnp.isnan(x)
    odd = lax.ne(lax.rem(fx, _c(x, 2.0)), _c(x, 0.0))
    minus = (neg & odd) | (lax.eq(x, _c(x, 0.0)) & jnp.signbit(x))
    return jnp.where(pole, _c(x, np.nan), jnp.where(minus, _c(x, -1.0), _c(x, 1.0)))


def gamma(x):
    """The gamma function (real arguments)."""
    x, = promote_args_inexact("gamma", x)
    if dtypes.issubdtype(x.dtype, np.complexfloating):
        raise NotImplementedError("jax.scipy.special.gamma of complex arguments")
    return lax.mul(gammasgn(x), lax.exp(lax.lgamma(x)))


def loggamma(x):
    """Principal branch of ``log Gamma(x)``: ``gammaln`` for ``x > 0``, NaN for negative reals."""
    x, = promote_args_inexact("loggamma", x)
    if dtypes.issubdtype(x.dtype, np.complexfloating):
        raise NotImplementedError("jax.scipy.special.loggamma of complex arguments")
    return _where(lax.lt(x, _c(x, 0.0)), _c(x, np.nan), lax.lgamma(x))


def digamma(x):
    """``d/dx log Gamma(x)``."""
    x, = promote_args_inexact("digamma", x)
    return lax.digamma(x)


def polygamma(n, x):
    """``n``-th derivative of ``digamma`` (``n`` a non-negative integer)."""
    n_dtype = core.get_aval(n).dtype
    if not dtypes.issubdtype(n_dtype, np.integer):
        raise ValueError(f"Argument `n` to polygamma must be of integer type. Got dtype {n_dtype}.")
    n_arr, x_arr = promote_args_inexact("polygamma", n, x)
    if dtypes.issubdtype(x_arr.dtype, np.complexfloating):
        raise ValueError("polygamma does not support complex-valued inputs.")
    return lax_special.polygamma(n_arr, x_arr)


def betaln(a, b):
    """``log|B(a, b)|``, computed stably for large arguments."""
    a, b = promote_args_inexact("betaln", a, b)
    lo, hi = lax.min(a, b), lax.max(a, b)
    # log B = lgamma(lo) + (lgamma(hi) - lgamma(lo + hi)): subtract the two large terms first
    return lax.add(lax.lgamma(lo), lax.sub(lax.lgamma(hi), lax.lgamma(lax.add(lo, hi))))


def beta(a, b):
    """``B(a, b) = Gamma(a) Gamma(b) / Gamma(a + b)``."""
    a, b = promote_args_inexact("beta", a, b)
    if dtypes.issubdtype(a.dtype, np.complexfloating):
        raise ValueError("beta does not support complex-valued inputs.")
    sign = lax.mul(lax.mul(gammasgn(a), gammasgn(b)), gammasgn(lax.add(a, b)))
    return lax.mul(sign, lax.exp(betaln(a, b)))


def betainc(a, b, x):
    """Regularized incomplete beta function ``I_x(a, b)`` (differentiable in ``x`` only, as JAX)."""
    a, b, x = promote_args_inexact("betainc", a, b, x)
    shape = lax.broadcast_shapes(a.shape, b.shape, x.shape)
    a, b, x = (_jnp().broadcast_to(v, shape) for v in (a, b, x))
    return lax_special.betainc(a, b, x)


def gammainc(a, x):
    """Regularized lower incomplete gamma ``P(a, x)``."""
    a, x = promote_args_inexact("gammainc", a, x)
    shape = lax.broadcast_shapes(a.shape, x.shape)
    a, x = (_jnp().broadcast_to(v, shape) for v in (a, x))
    return lax_special.igamma(a, x)


def gammaincc(a, x):
    """Regularized upper incomplete gamma ``Q(a, x) = 1 - P(a, x)``."""
    a, x = promote_args_inexact("gammaincc", a, x)
    shape = lax.broadcast_shapes(a.shape, x.shape)
    a, x = (_jnp().broadcast_to(v, shape) for v in (a, x))
    return lax_special.igammac(a, x)


def multigammaln(a, d):
    """Log of the multivariate gamma function of dimension ``d`` (a concrete integer)."""
    d = core.concrete_or_error(int, d, "d argument of multigammaln")
    a, = promote_args_inexact("multigammaln", a)
    jnp = _jnp()
    constant = lax.mul(_c(a, 0.25 * d * (d - 1)), lax.log(_c(a, np.pi)))
    ds = jnp.arange(d, dtype=a.dtype) / 2
    res = jnp.sum(gammaln(jnp.expand_dims(a, -1) - ds), axis=-1)
    return res + constant


def factorial(n, exact: bool = False):
    """``n!`` as a float via ``Gamma(n + 1)``; 0 for negative ``n``."""
    if exact:
        raise NotImplementedError("factorial with exact=True")
    n, = promote_args_inexact("factorial", n)
    return _where(lax.lt(n, _c(n, 0.0)), _c(n, 0.0), lax.exp(lax.lgamma(lax.add(n, _c(n, 1.0)))))


def comb(N, k, *, repetition: bool = False):
    """``N choose k`` as a float (0 when ``k > N``, ``k < 0`` or ``N < 0``)."""
    N, k = promote_args_inexact("comb", N, k)
    jnp = _jnp()
    if repetition:
        res = comb(lax.sub(lax.add(N, k), _c(N, 1.0)), k)
        return jnp.where(lax.eq(k, _c(k, 0.0)) & lax.ge(N, _c(N, 0.0)), _c(res, 1.0), res)
    ok = lax.le(k, N) & lax.ge(N, _c(N, 0.0)) & lax.ge(k, _c(k, 0.0))
    sN = jnp.where(ok, N, _c(N, 0.0))
    sk = jnp.where(ok, k, _c(k, 0.0))
    one = _c(N, 1.0)
    res = lax.exp(lax.sub(lax.sub(gammaln(lax.add(sN, one)), gammaln(lax.add(sk, one))),
                          gammaln(lax.sub(lax.add(sN, one), sk))))
    return jnp.where(ok, res, _c(res, 0.0))


def poch(z, m):
    """Pochhammer symbol ``Gamma(z + m) / Gamma(z)``."""
    z, m = promote_args_inexact("poch", z, m)
    jnp = _jnp()
    res = lax.mul(lax.mul(gammasgn(lax.add(z, m)), gammasgn(z)),
                  lax.exp(lax.sub(gammaln(lax.add(z, m)), gammaln(z))))
    return jnp.where(lax.eq(m, _c(m, 0.0)), _c(res, 1.0), res)


# ---------------------------------------------------------------------------------------------------
# logs and entropies
# ---------------------------------------------------------------------------------------------------

@_custom_jvp
def _xlogy(x, y):
    jnp = _jnp()
    safe = jnp.where(lax.eq(x, _c(x, 0.0)), _c(x, 1.0), y)
    return jnp.where(lax.eq(x, _c(x, 0.0)), _c(x, 0.0), lax.mul(x, lax.log(safe)))


@_xlogy.defjvp
def _xlogy_jvp(primals, tangents):
    (x, y), (tx, ty) = primals, tangents
    return _xlogy(x, y), lax.add(lax.mul(tx, lax.log(y)), lax.div(lax.mul(ty, x), y))


def xlogy(x, y):
    """``x * log(y)``, with ``0 * log(0) = 0``."""
    x, y = promote_args_inexact("xlogy", x, y)
    return _xlogy(x, y)


@_custom_jvp
def _xlog1py(x, y):
    jnp = _jnp()
    safe = jnp.where(lax.eq(x, _c(x, 0.0)), _c(x, 0.0), y)
    return jnp.where(lax.eq(x, _c(x, 0.0)), _c(x, 0.0), lax.mul(x, lax.log1p(safe)))


@_xlog1py.defjvp
def _xlog1py_jvp(primals, tangents):
    (x, y), (tx, ty) = primals, tangents
    return _xlog1py(x, y), lax.add(lax.mul(tx, lax.log1p(y)),
                                   lax.div(lax.mul(ty, x), lax.add(y, _c(y, 1.0))))


def xlog1py(x, y):
    """``x * log1p(y)``, with ``0 * log1p(-1) = 0``."""
    x, y = promote_args_inexact("xlog1py", x, y)
    return _xlog1py(x, y)


@_custom_jvp
def _xlogx(x):
    return _xlogy(x, x)


@_xlogx.defjvp
def _xlogx_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return _xlogx(x), lax.mul(t, lax.add(lax.log(x), _c(x, 1.0)))


def entr(x):
    """Elementwise entropy ``-x log x`` (0 at 0, -inf for negative ``x``)."""
    x, = promote_args_inexact("entr", x)
    return _where(lax.lt(x, _c(x, 0.0)), _c(x, -np.inf), lax.neg(_xlogx(x)))


def rel_entr(p, q):
    """``p log(p / q)`` for ``p, q > 0``; 0 at ``p = 0, q >= 0``; inf otherwise."""
    p, q = promote_args_inexact("rel_entr", p, q)
    jnp = _jnp()
    zero = _c(p, 0.0)
    both_gt = lax.gt(p, zero) & lax.gt(q, zero)
    one_zero = lax.eq(p, zero) & lax.ge(q, zero)
    safe_p = jnp.where(both_gt, p, _c(p, 1.0))
    safe_q = jnp.where(both_gt, q, _c(q, 1.0))
    val = lax.mul(safe_p, lax.log(lax.div(safe_p, safe_q)))
    return jnp.where(both_gt, val, jnp.where(one_zero, zero, _c(p, np.inf)))


def kl_div(p, q):
    """``p log(p / q) - p + q`` for ``p, q > 0``; ``q`` at ``p = 0, q >= 0``; inf otherwise."""
    p, q = promote_args_inexact("kl_div", p, q)
    jnp = _jnp()
    zero = _c(p, 0.0)
    both_gt = lax.gt(p, zero) & lax.gt(q, zero)
    one_zero = lax.eq(p, zero) & lax.ge(q, zero)
    safe_p = jnp.where(both_gt, p, _c(p, 1.0))
    safe_q = jnp.where(both_gt, q, _c(q, 1.0))
    val = lax.add(lax.sub(lax.mul(safe_p, lax.log(lax.div(safe_p, safe_q))), safe_p), safe_q)
    return jnp.where(both_gt, val, jnp.where(one_zero, q, _c(p, np.inf)))


@_custom_jvp
def _logit(x):
    return lax.log(lax.div(x, lax.sub(_c(x, 1.0), x)))


@_logit.defjvp
def _logit_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return _logit(x), lax.div(t, lax.mul(x, lax.sub(_c(x, 1.0), x)))


def logit(x):
    """``log(x / (1 - x))``, the inverse of ``expit``."""
    x, = promote_args_inexact("logit", x)
    return _logit(x)


def expit(x):
    """The logistic sigmoid ``1 / (1 + exp(-x))``."""
    x, = promote_args_inexact("expit", x)
    return lax.logistic(x)


def boxcox(x, lmbda):
    """Box-Cox transform ``(x**lmbda - 1) / lmbda`` (``log x`` at ``lmbda = 0``)."""
    x, lmbda = promote_args_inexact("boxcox", x, lmbda)
    jnp = _jnp()
    zero = lax.eq(lmbda, _c(lmbda, 0.0))
    safe = jnp.where(zero, _c(lmbda, 1.0), lmbda)
    return jnp.where(zero, lax.log(x), lax.div(lax.expm1(lax.mul(safe, lax.log(x))), safe))


def boxcox1p(x, lmbda):
    """Box-Cox transform of ``1 + x``."""
    x, lmbda = promote_args_inexact("boxcox1p", x, lmbda)
    jnp = _jnp()
    zero = lax.eq(lmbda, _c(lmbda, 0.0))
    safe = jnp.where(zero, _c(lmbda, 1.0), lmbda)
    return jnp.where(zero, lax.log1p(x), lax.div(lax.expm1(lax.mul(safe, lax.log1p(x))), safe))


# ---------------------------------------------------------------------------------------------------
# zeta, Bessel
# ---------------------------------------------------------------------------------------------------

def zeta(x, q=None):
    """Hurwitz zeta ``sum_n (n + q) ** -x`` (``q`` is required, as in JAX)."""
    if q is None:
        raise NotImplementedError("Riemann zeta function not implemented; pass q != None to compute "
                                  "the Hurwitz Zeta function.")
    x, q = promote_args_inexact("zeta", x, q)
    shape = lax.broadcast_shapes(x.shape, q.shape)
    x, q = (_jnp().broadcast_to(v, shape) for v in (x, q))
    return lax_special.zeta(x, q)


def i0e(x):
    """Exponentially scaled modified Bessel function of order 0, ``exp(-|x|) I0(x)``."""
    x, = promote_args_inexact("i0e", x)
    return lax_special.bessel_i0e(x)


def i0(x):
    """Modified Bessel function of order 0."""
    x, = promote_args_inexact("i0", x)
    return lax.mul(lax.exp(lax.abs(x)), lax_special.bessel_i0e(x))


def i1e(x):
    """Exponentially scaled modified Bessel function of order 1, ``exp(-|x|) I1(x)``."""
    x, = promote_args_inexact("i1e", x)
    return lax_special.bessel_i1e(x)


def i1(x):
    """Modified Bessel function of order 1."""
    x, = promote_args_inexact("i1", x)
    return lax.mul(lax.exp(lax.abs(x)), lax_special.bessel_i1e(x))


# ---------------------------------------------------------------------------------------------------
# logsumexp, softmax
# ---------------------------------------------------------------------------------------------------

def _reduction_dims(ndim, axis):
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        a = int(a)
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of bounds for array of dimension {ndim}")
        out.append(a % ndim if ndim else 0)
    if len(set(out)) != len(out):
        raise ValueError(f"duplicate value in 'axis': {axis}")
    return tuple(out)


def logsumexp(a, axis=None, b=None, keepdims: bool = False, return_sign: bool = False, where=None):
    """``log(sum(b * exp(a)))`` over ``axis``, computed without overflow.

    With ``return_sign=True`` returns ``(log|sum|, sign(sum))``; otherwise a negative sum gives NaN.
    ``where`` masks the elements that take part.

    >>> import jaxlite.numpy as jnp
    >>> logsumexp(jnp.array([0., 0.]))
    Array(0.6931472, dtype=float32)
    """
    jnp = _jnp()
    if where is not None:
        a = jnp.where(where, a, 0)
    if b is not None:
        a_arr, b_arr = promote_args_inexact("logsumexp", a, b)
        a_arr = jnp.where(b_arr != 0, a_arr, -np.inf)
    else:
        a_arr, = promote_args_inexact("logsumexp", a)
        b_arr = None
    dims = _reduction_dims(a_arr.ndim, axis)
    is_complex = dtypes.issubdtype(a_arr.dtype, np.complexfloating)
    real_a = lax.real(a_arr) if is_complex else a_arr
    amax = jnp.max(real_a, axis=dims, keepdims=keepdims, where=where, initial=-np.inf)
    amax = lax.stop_gradient(lax.select(jnp.isfinite(amax), amax, lax.full_like(amax, 0)))
    amax_b = amax if keepdims else lax.expand_dims(amax, dims)
    exp_a = lax.exp(lax.sub(a_arr, lax.convert_element_type(amax_b, a_arr.dtype)))
    if b_arr is not None:
        exp_a = lax.mul(exp_a, b_arr)
    sumexp = jnp.sum(exp_a, axis=dims, keepdims=keepdims, where=where)
    sign = lax.sign(sumexp)
    if return_sign or not is_complex:
        sumexp = lax.abs(sumexp)
    out = lax.add(lax.log(sumexp), lax.convert_element_type(amax, sumexp.dtype))
    if return_sign:
        return (out, sign)
    if b is not None and not dtypes.issubdtype(out.dtype, np.complexfloating):
        out = jnp.where(lax.lt(sign, _c(sign, 0)), jnp.array(np.nan, dtype=out.dtype), out)
    return out


def softmax(x, /, *, axis=None):
    """``exp(x) / sum(exp(x))`` along ``axis`` (as ``jax.nn.softmax``)."""
    from jaxlite._src.nn.functions import softmax as nn_softmax
    return nn_softmax(x, axis=axis)


def log_softmax(x, /, *, axis=None):
    """``x - logsumexp(x)`` along ``axis`` (as ``jax.nn.log_softmax``)."""
    from jaxlite._src.nn.functions import log_softmax as nn_log_softmax
    return nn_log_softmax(x, axis=axis)
