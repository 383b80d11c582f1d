"""jax.scipy.special and jax.scipy.stats against real JAX and SciPy: values, dtypes, gradients."""
from __future__ import annotations

import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
import jaxlite.scipy.special as sp

from conftest import assert_same

rng = np.random.RandomState(0)
X = np.array([0.1, 0.5, 1.3, 2.7, 7.5], np.float32)
XS = np.array([-3.5, -1.2, -0.3, 0.0, 0.4, 1.7, 4.2], np.float32)
XB = np.array([-3.5, -1.2, -0.3, 0.4, 1.7, 4.2], np.float32)  # (JAX's abs'(0) = 1 skews Bessel grads at 0)
P = np.array([1e-20, 1e-5, 0.02, 0.3, 0.5, 0.77, 0.95, 1 - 1e-6], np.float32)

UNARY = [  # name, inputs, differentiable
    ("erf", XS, True), ("erfc", XS, True), ("erfinv", np.array([-0.9, -0.2, 0., 0.5, 0.99], np.float32), True),
    ("gammaln", X, True), ("digamma", X, True), ("gamma", np.array([-2.5, -0.5, 0.3, 1., 4.5], np.float32), True),
    ("gammasgn", np.array([-2.5, -1.5, -1., 0.3, 4.5], np.float32), False),
    ("expit", XS, True), ("logit", np.array([0.01, 0.3, 0.5, 0.9], np.float32), True),
    ("ndtr", np.array([-12., -3., -0.5, 0., 0.5, 3., 9.], np.float32), True),
    ("ndtri", P, True),
    ("log_ndtr", np.array([-40., -12., -3., -0.5, 0., 0.5, 3., 6., 9.], np.float32), True),
    ("entr", np.array([0., 0.2, 1., 3.], np.float32), False), ("i0", XB, True), ("i0e", XS, True),
    ("i1", XB, True), ("i1e", XS, True), ("factorial", np.array([0., 1., 3., 4.5, -1.], np.float32), False),
    ("loggamma", X, True),
]


@pytest.mark.parametrize("name,x,diff", UNARY, ids=[u[0] for u in UNARY])
def test_unary(jax, name, x, diff):
    import jax.scipy.special as jsp
    f, g = getattr(sp, name), getattr(jsp, name)
    assert_same(f(x), g(x), rtol=2e-5, atol=1e-6)
    assert_same(f(x.astype(np.float64)), g(x.astype(np.float64)), rtol=2e-5, atol=1e-6)  # -> f32
    if name in ("ndtr", "log_ndtr"):  # no integer promotion here, as in JAX
        with pytest.raises(TypeError, match="not supported"):
            f(np.int32(2))
        assert_same(f(0.25), g(0.25), rtol=2e-5)
    else:
        arg = np.int32(2) if name not in ("ndtri", "logit", "erfinv") else 0.25
        assert_same(f(arg), g(arg), rtol=2e-5)
    if diff:
        assert_same(jaxlite.vmap(jaxlite.grad(f))(x), jax.vmap(jax.grad(g))(x), rtol=1e-4, atol=1e-6)


BINARY = [
    ("xlogy", np.array([0., 0., 1., 2.5], np.float32), np.array([0., 2., 3., 0.5], np.float32), True),
    ("xlog1py", np.array([0., 0., 1., 2.5], np.float32), np.array([-1., 2., 3., 0.5], np.float32), True),
    ("betaln", X, X[::-1].copy(), True),
    ("beta", X, X[::-1].copy(), False),
    ("gammainc", X, X[::-1].copy(), True),
    ("gammaincc", X, X[::-1].copy(), True),
    ("polygamma", np.array([0, 1, 2, 3, 1], np.int32), X, False),
    ("zeta", np.array([1.5, 2., 3., 4.5, 6.], np.float32), X, False),
    ("rel_entr", np.array([0., 0.5, 1., 2.], np.float32), np.array([0., 0.2, 0., 3.], np.float32), False),
    ("kl_div", np.array([0., 0.5, 1., 2.], np.float32), np.array([0., 0.2, 0., 3.], np.float32), False),
    ("comb", np.array([5., 10., 3., 4.], np.float32), np.array([2., 3., 5., -1.], np.float32), False),
    ("poch", X, np.array([0., 1., 2.5, 0.5, 3.], np.float32), False),
    ("boxcox", X, np.array([0., 1., 2.5, 0.5, -1.], np.float32), False),
    ("boxcox1p", X, np.array([0., 1., 2.5, 0.5, -1.], np.float32), False),
]


@pytest.mark.parametrize("name,x,y,diff", BINARY, ids=[b[0] for b in BINARY])
def test_binary(jax, name, x, y, diff):
    import jax.scipy.special as jsp
    f, g = getattr(sp, name), getattr(jsp, name)
    assert_same(f(x, y), g(x, y), rtol=1e-5, atol=1e-6)
    if diff:
        for argnums in (0, 1):
            gl = jaxlite.vmap(jaxlite.grad(f, argnums))(x, y)
            gj = jax.vmap(jax.grad(g, argnums))(x, y)
            assert_same(gl, gj, rtol=2e-4, atol=1e-6)


def test_betainc(jax):
    import jax.scipy.special as jsp
    a, b, x = X, X[::-1].copy(), np.array([0.1, 0.3, 0.5, 0.8, 0.95], np.float32)
    assert_same(sp.betainc(a, b, x), jsp.betainc(a, b, x), rtol=1e-5, atol=1e-6)
    assert_same(jaxlite.vmap(jaxlite.grad(sp.betainc, 2))(a, b, x),
                jax.vmap(jax.grad(jsp.betainc, 2))(a, b, x), rtol=1e-4)
    with pytest.raises(ValueError, match="not supported"):
        jaxlite.grad(sp.betainc)(1.0, 2.0, 0.3)


def test_multigammaln_and_zeta_grad(jax):
    import jax.scipy.special as jsp
    assert_same(sp.multigammaln(X + 2, 3), jsp.multigammaln(X + 2, 3), rtol=1e-5)
    q = X + 1
    assert_same(jaxlite.vmap(jaxlite.grad(sp.zeta, 1))(np.full(5, 2.5, np.float32), q),
                jax.vmap(jax.grad(jsp.zeta, 1))(np.full(5, 2.5, np.float32), q), rtol=1e-4)


def test_logsumexp_matches_jax(jax):
    import jax.scipy.special as jsp
    x = rng.randn(3, 4).astype(np.float32)
    b = rng.randn(3, 4).astype(np.float32)
    assert_same(sp.logsumexp(x, axis=1), jsp.logsumexp(x, axis=1))
    assert_same(sp.logsumexp(x, b=b), jsp.logsumexp(x, b=b))
    assert_same(sp.logsumexp(x, b=b, axis=0, return_sign=True), jsp.logsumexp(x, b=b, axis=0, return_sign=True))
    assert_same(sp.softmax(x, axis=0), jsp.softmax(x, axis=0))
    assert_same(sp.log_softmax(x), jsp.log_softmax(x))


def test_against_scipy_float64(x64):
    scipy_special = pytest.importorskip("scipy.special")
    x = np.linspace(0.05, 6, 13)
    for name in ("gammaln", "digamma", "erf", "erfc", "i0e", "i1e", "ndtr", "expit"):
        np.testing.assert_allclose(getattr(sp, name)(x), getattr(scipy_special, name)(x), rtol=1e-12)
    p = np.linspace(1e-9, 1 - 1e-9, 11)
    np.testing.assert_allclose(sp.ndtri(p), scipy_special.ndtri(p), rtol=1e-12)
    np.testing.assert_allclose(sp.log_ndtr(-x * 5), scipy_special.log_ndtr(-x * 5), rtol=1e-10)
    np.testing.assert_allclose(sp.gammainc(x, x[::-1]), scipy_special.gammainc(x, x[::-1]), rtol=1e-12)
    # dP/da (igamma_grad_a) by finite differences of SciPy in float64
    a, z, h = 1.7, 2.3, 1e-6
    fd = (scipy_special.gammainc(a + h, z) - scipy_special.gammainc(a - h, z)) / (2 * h)
    np.testing.assert_allclose(jaxlite.grad(sp.gammainc)(a, z), fd, rtol=1e-7)


# ---------------------------------------------------------------------------------------------------
# jax.scipy.stats
# ---------------------------------------------------------------------------------------------------

XR = np.array([-2.5, -0.7, 0.0, 0.3, 0.9, 1.6, 4.0], np.float32)
XU = np.array([-0.1, 0.0, 0.2, 0.5, 0.8, 1.0, 1.3], np.float32)
K = np.array([-1., 0., 1., 2., 3., 2.5, 7.], np.float32)

STATS = [  # (dist, fn, args) — args are positional after x
    ("norm", f, (XR, 0.5, 1.5)) for f in ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf")
] + [("norm", f, (XU, 0.5, 2.0)) for f in ("ppf", "isf")] + [
    ("beta", f, (XU, 2.0, 3.0)) for f in ("logpdf", "pdf", "cdf", "sf")
] + [("gamma", f, (XR, 2.0, 0.0, 1.5)) for f in ("logpdf", "pdf", "cdf", "sf", "logcdf", "logsf")] + [
    ("bernoulli", "logpmf", (K, 0.3)), ("bernoulli", "pmf", (K, 0.3)), ("bernoulli", "cdf", (K, 0.3)),
    ("bernoulli", "ppf", (XU, 0.3)),
    ("poisson", "logpmf", (K, 2.5)), ("poisson", "pmf", (K, 2.5)), ("poisson", "cdf", (K, 2.5)),
] + [("uniform", f, (XU, 0.1, 0.6)) for f in ("logpdf", "pdf", "cdf", "ppf")] + [
    ("t", f, (XR, 3.0, 0.2, 1.3)) for f in ("logpdf", "pdf")
] + [("cauchy", f, (XR, 0.2, 1.3)) for f in ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf")] + [
    ("cauchy", f, (XU, 0.2, 1.3)) for f in ("ppf", "isf")
] + [("laplace", f, (XR, 0.2, 1.3)) for f in ("logpdf", "pdf", "cdf")] + [
    ("logistic", f, (XR, 0.2, 1.3)) for f in ("logpdf", "pdf", "cdf", "sf")
] + [("logistic", f, (XU[1:-1] * 0.9 + 0.05, 0.2, 1.3)) for f in ("ppf", "isf")] + [
    ("expon", f, (XR, 0.1, 1.3)) for f in ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf")
] + [("expon", "ppf", (XU, 0.1, 1.3))]


@pytest.mark.parametrize("dist,fn,args", STATS, ids=[f"{d}.{f}{i}" for i, (d, f, _) in enumerate(STATS)])
def test_stats_against_jax(jax, dist, fn, args):
    import jax.scipy.stats as jst
    import jaxlite.scipy.stats as lst
    f, g = getattr(getattr(lst, dist), fn), getattr(getattr(jst, dist), fn)
    assert_same(f(*args), g(*args), rtol=2e-5, atol=1e-6)
    if fn in ("logpdf", "cdf", "logcdf") and dist not in ("bernoulli", "poisson"):
        x = args[0]
        ok = np.isfinite(np.asarray(g(*args)))
        gl = jaxlite.vmap(jaxlite.grad(lambda v: f(v, *args[1:])))(x)
        gj = jax.vmap(jax.grad(lambda v: g(v, *args[1:])))(x)
        np.testing.assert_allclose(np.asarray(gl)[ok], np.asarray(gj)[ok], rtol=1e-4, atol=1e-6)


def test_multivariate_normal_and_dirichlet(jax):
    import jax.scipy.stats as jst
    import jaxlite.scipy.stats as lst
    A = rng.randn(3, 3).astype(np.float32)
    cov = A @ A.T + 3 * np.eye(3, dtype=np.float32)
    mean = rng.randn(3).astype(np.float32)
    x = rng.randn(5, 3).astype(np.float32)
    assert_same(lst.multivariate_normal.logpdf(x, mean, cov), jst.multivariate_normal.logpdf(x, mean, cov),
                rtol=1e-5, atol=1e-5)
    assert_same(lst.multivariate_normal.pdf(x[0], mean, cov), jst.multivariate_normal.pdf(x[0], mean, cov),
                rtol=1e-5)
    assert_same(lst.multivariate_normal.logpdf(x, mean, 2.0), jst.multivariate_normal.logpdf(x, mean, 2.0),
                rtol=1e-5)
    alpha = np.array([1.5, 2.0, 0.7], np.float32)
    p = rng.dirichlet(alpha, size=4).T.astype(np.float32)
    assert_same(lst.dirichlet.logpdf(p, alpha), jst.dirichlet.logpdf(p, alpha), rtol=1e-4)
    assert_same(lst.dirichlet.pdf(p[:2], alpha), jst.dirichlet.pdf(p[:2], alpha), rtol=1e-4)
