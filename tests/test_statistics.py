"""jax.numpy statistics against real JAX: nan-reductions, quantiles/medians, cov/corrcoef, bincount,
histogram (values, shapes, dtypes) and the gradient of quantile."""
import warnings

import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp

rng = np.random.default_rng(0)
x = rng.normal(size=(4, 5)).astype(np.float32)
xn = x.copy()
xn[1, 2] = np.nan
xn[3, :] = np.nan


def test_statistics_against_jax(jax):
    J = jax.numpy

    def chk(name, *a, **k):
        r = getattr(jnp, name)(*a, **k)
        e = getattr(J, name)(*a, **k)
        if isinstance(e, tuple):
            for u, v in zip(r, e):
                np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-6, err_msg=name)
                assert u.dtype == v.dtype, (name, u.dtype, v.dtype)
            return
        assert r.shape == e.shape and r.dtype == e.dtype, (name, k, r.shape, e.shape, r.dtype, e.dtype)
        np.testing.assert_allclose(r, e, rtol=1e-5, atol=1e-6, err_msg=f"{name} {k}")
    warnings.simplefilter("ignore")
    for f in ['nansum','nanprod','nanmax','nanmin','nanmean','nanvar','nanstd','nanargmax','nanargmin','nancumsum','nancumprod']:
        for ax in [None, 0, 1]:
            chk(f, xn, axis=ax)
    chk('nanmean', np.arange(6).reshape(2,3), axis=0); chk('nansum', np.arange(6).reshape(2,3))
    for m in ['linear','lower','higher','midpoint','nearest']:
        for ax in [None, 0, 1, (0,1)]:
            for q in [0.3, np.array([0., .25, .5, 1.], np.float32)]:
                chk('quantile', x, q, axis=ax, method=m); chk('nanquantile', xn, q, axis=ax, method=m)
                chk('quantile', x, q, axis=ax, method=m, keepdims=True)
    chk('median', x); chk('median', x, axis=1); chk('nanmedian', xn, axis=1); chk('percentile', x, 30); chk('nanpercentile', xn, np.array([10, 90.]), axis=0)
    chk('median', np.arange(7)); chk('quantile', xn, 0.5, axis=1)
    chk('cov', x); chk('cov', x, rowvar=False); chk('cov', x[0], x[1]); chk('cov', x, bias=True); chk('corrcoef', x); chk('corrcoef', x[0], x[1]); chk('cov', x[0])
    xi = rng.integers(0,6,20)
    chk('bincount', xi); chk('bincount', xi, minlength=10); chk('bincount', xi, weights=x.ravel()); chk('bincount', xi, length=4)
    chk('histogram', x); chk('histogram', x, bins=4, range=(-1,1)); chk('histogram', x, bins=np.array([-2,0,.5,3.])); chk('histogram', x, density=True); chk('histogram', x, weights=np.abs(x))
    chk('histogram_bin_edges', x, bins=5)
    g = jaxlite.grad(lambda v: jnp.quantile(v, 0.3))(x); e = jax.grad(lambda v: J.quantile(v, 0.3))(x); np.testing.assert_allclose(g, e, rtol=1e-5)


def test_bincount_and_unique_under_jit():
    xi = jnp.array([0, 1, 1, 3])
    with pytest.raises(jaxlite.errors.ConcretizationTypeError):
        jaxlite.jit(jnp.bincount)(xi)
    out = jaxlite.jit(lambda v: jnp.bincount(v, length=5))(xi)
    np.testing.assert_array_equal(np.asarray(out), [1, 2, 0, 1, 0])
    with pytest.raises(TypeError, match="integer"):
        jnp.bincount(jnp.ones(3))


def test_median_vmap_matches_loop():
    out = jaxlite.vmap(jnp.median)(x)
    np.testing.assert_allclose(np.asarray(out), [float(jnp.median(r)) for r in x], rtol=1e-6)


# ---------------------------------------------------------------------------------------------------
# gather/scatter-based lookups, inverted_cdf and weights, nanvar(mean=), cov weights
# ---------------------------------------------------------------------------------------------------

from conftest import assert_same  # noqa: E402

x3 = rng.normal(size=(3, 4, 2)).astype(np.float32)
x3n = x3.copy()
x3n[0, 1, 0] = np.nan
x3n[2, :, 1] = np.nan
w3 = rng.uniform(size=x3.shape).astype(np.float32)


def _prims(jaxpr_text):
    import re
    return re.findall(r"= ([a-z_\-]+)\[?", jaxpr_text)


@pytest.mark.parametrize("fn", ["quantile", "nanquantile"])
def test_inverted_cdf_against_jax(jax, fn):
    J = jax.numpy
    for data in (x3, x3n):
        for axis in (None, 0, 2, (0, 2)):
            for keepdims in (False, True):
                for q in (0.35, np.array([0.0, 0.5, 1.0], np.float32)):
                    for w in (None, w3):
                        kw = dict(axis=axis, keepdims=keepdims, method="inverted_cdf", weights=w)
                        assert_same(getattr(jnp, fn)(data, q, **kw), getattr(J, fn)(data, q, **kw))
    # weights of the reduced axis's shape, and bad (negative) weights give NaN
    w1 = np.array([1., 2., 0.5, 1.], np.float32)
    assert_same(jnp.quantile(x3, 0.4, axis=1, method="inverted_cdf", weights=w1),
                J.quantile(x3, 0.4, axis=1, method="inverted_cdf", weights=w1))
    wneg = w3.copy()
    wneg[1, 2, 1] = -1
    assert_same(jnp.quantile(x3, 0.4, axis=1, method="inverted_cdf", weights=wneg),
                J.quantile(x3, 0.4, axis=1, method="inverted_cdf", weights=wneg))


def test_quantile_weights_errors(jax):
    J = jax.numpy
    for call in (lambda m: m.quantile(x3, 0.5, weights=w3),
                 lambda m: m.quantile(x3, 0.5, method="inverted_cdf", weights=w3[0]),
                 lambda m: m.quantile(x3, 0.5, axis=1, method="inverted_cdf", weights=w3[0]),
                 lambda m: m.quantile(x3, 0.5, method="inverted_cdf", weights=w3 + 1j),
                 lambda m: m.percentile(x3, [25, 50])):
        with pytest.raises(Exception) as e_ref:
            call(J)
        with pytest.raises(type(e_ref.value)):
            call(jnp)


def test_percentile_values_and_weights(jax):
    J = jax.numpy
    q = np.array([10., 50., 95.], np.float32)
    assert_same(jnp.percentile(x3, q, axis=1), J.percentile(x3, q, axis=1))
    assert_same(jnp.percentile(x3, 30), J.percentile(x3, 30))
    assert_same(jnp.percentile(x3, q, method="inverted_cdf", weights=w3),
                J.percentile(x3, q, method="inverted_cdf", weights=w3))
    # JAX's own nanpercentile can be one element off through XLA's division; check against NumPy
    np.testing.assert_allclose(jnp.nanpercentile(x3n, q, axis=(0, 2), method="lower"),
                               np.nanpercentile(x3n, q, axis=(0, 2), method="lower"), rtol=1e-6)
    assert_same(jnp.median(x3, axis=(0, 2), keepdims=True), J.median(x3, axis=(0, 2), keepdims=True))
    assert_same(jnp.nanmedian(x3n, axis=1), J.nanmedian(x3n, axis=1))


def test_quantile_jaxpr_uses_gather_like_jax(jax):
    J = jax.numpy
    for f, g in [(lambda m: m.median, None),
                 (lambda m: (lambda a: m.quantile(a, np.array([.2, .7], np.float32), axis=0)), None),
                 (lambda m: (lambda a: m.nanquantile(a, 0.3, axis=1)), None),
                 (lambda m: (lambda a: m.quantile(a, 0.3, axis=1, keepdims=True)), None)]:
        mine = _prims(str(jaxlite.make_jaxpr(f(jnp))(x)))
        ref = _prims(str(jax.make_jaxpr(f(J))(x)))
        # jnp.where's size-1 broadcasting adds a reshape in jaxlite; otherwise the same primitives
        assert [p for p in mine if p != "reshape"] == [p for p in ref if p != "reshape"], (mine, ref)
        assert "gather" in mine and "eq" not in mine


def test_bincount_jaxpr_matches_jax(jax):
    xi = np.arange(5, dtype=np.int32)
    f = (lambda m: (lambda a: m.bincount(a, length=4)))
    assert str(jaxlite.make_jaxpr(f(jnp))(xi)) == str(jax.make_jaxpr(f(jax.numpy))(xi))


def test_quantile_and_bincount_grads_and_vmap(jax):
    J = jax.numpy
    for method in ("linear", "midpoint", "nearest", "inverted_cdf"):
        f = lambda m: (lambda v: m.quantile(v, np.array([.3, .8], np.float32), axis=1, method=method).sum())
        assert_same(jaxlite.grad(f(jnp))(x), jax.grad(f(J))(x))
    f = lambda m: (lambda v: m.nanquantile(v, 0.6, axis=0).sum())
    assert_same(jaxlite.grad(f(jnp))(xn), jax.grad(f(J))(xn))
    xi = rng.integers(0, 6, 20).astype(np.int32)
    wv = rng.normal(size=20).astype(np.float32)
    f = lambda m: (lambda w: (m.bincount(xi, w, length=5) ** 2).sum())
    assert_same(jaxlite.grad(f(jnp))(wv), jax.grad(f(J))(wv))
    f = lambda m: (lambda w: (m.histogram(x.ravel(), bins=4, weights=w)[0] ** 2).sum())
    assert_same(jaxlite.grad(f(jnp))(np.abs(x.ravel())), jax.grad(f(J))(np.abs(x.ravel())))
    # vmap against a loop
    xs = rng.integers(0, 6, (3, 7)).astype(np.int32)
    out = jaxlite.vmap(lambda r: jnp.bincount(r, length=6))(xs)
    assert_same(out, np.stack([np.bincount(r, minlength=6) for r in xs]).astype(np.int32),
                check_weak_type=False)
    qv = lambda r: jnp.quantile(r, np.array([.1, .9], np.float32), method="inverted_cdf")
    assert_same(jaxlite.vmap(qv)(x), np.stack([np.asarray(qv(r)) for r in x]))
    nq = lambda r: jnp.nanquantile(r, 0.4)
    assert_same(jaxlite.vmap(nq)(xn), np.stack([np.asarray(nq(r)) for r in xn]))


def test_nanvar_nanstd_mean_argument(jax):
    J = jax.numpy
    for fn in ("nanvar", "nanstd"):
        for axis in (None, 0, 1):
            m = J.nanmean(xn, axis=axis, keepdims=True)
            assert_same(getattr(jnp, fn)(xn, axis=axis, mean=np.asarray(m), ddof=1),
                        getattr(J, fn)(xn, axis=axis, mean=m, ddof=1))
            assert_same(getattr(jnp, fn)(xn, axis=axis, keepdims=True),
                        getattr(J, fn)(xn, axis=axis, keepdims=True))
    xi = np.arange(6).reshape(2, 3)
    assert_same(jnp.nanvar(xi, axis=1), J.nanvar(xi, axis=1))
    assert_same(jnp.nanvar(xn.astype(np.float16), axis=1), J.nanvar(xn.astype(np.float16), axis=1))


def test_cov_weights_against_jax(jax):
    J = jax.numpy
    fw = np.array([1, 2, 0, 3, 1], np.int32)
    aw = np.array([0.5, 1.0, 2.0, 0.1, 1.0], np.float32)
    for kw in (dict(fweights=fw), dict(aweights=aw), dict(fweights=fw, aweights=aw),
               dict(fweights=fw, aweights=aw, ddof=0), dict(aweights=aw, bias=True),
               dict(fweights=-fw), dict(dtype=np.float32), dict(aweights=aw, ddof=2)):
        assert_same(jnp.cov(x, **kw), J.cov(x, **kw))
    assert_same(jnp.cov(x.T, rowvar=False, aweights=aw), J.cov(x.T, rowvar=False, aweights=aw))
    assert_same(jnp.cov(x[0], x[1], fweights=fw), J.cov(x[0], x[1], fweights=fw))
    assert_same(jnp.cov(np.zeros((2, 0), np.float32)), J.cov(np.zeros((2, 0), np.float32)))
    for bad in (dict(fweights=aw), dict(fweights=fw[:3]), dict(aweights=np.ones((5, 1)))):
        with pytest.raises(Exception) as e_ref:
            J.cov(x, **bad)
        with pytest.raises(type(e_ref.value)):
            jnp.cov(x, **bad)
    g = jaxlite.grad(lambda a: jnp.cov(x, aweights=a).sum())(aw)
    assert_same(g, jax.grad(lambda a: J.cov(x, aweights=a).sum())(aw))


def test_histogram2d_histogramdd_against_jax(jax):
    J = jax.numpy
    pts = rng.normal(size=(30, 3)).astype(np.float32)
    wt = rng.uniform(size=30).astype(np.float32)
    for kw in (dict(), dict(bins=4), dict(bins=[3, 4, 5]), dict(weights=wt), dict(density=True),
               dict(bins=3, range=[(-1, 1), None, (0, 2)])):
        assert_same(jnp.histogramdd(pts, **kw), J.histogramdd(pts, **kw))
    for kw in (dict(), dict(bins=(3, 5)), dict(bins=np.array([-2., 0., 0.5, 3.], np.float32)),
               dict(weights=wt, density=True)):
        assert_same(jnp.histogram2d(pts[:, 0], pts[:, 1], **kw), J.histogram2d(pts[:, 0], pts[:, 1], **kw))
    # integer data (promoted with the weights); explicit edges, as JAX's linspace edges can be an ulp
    # off and move integer values that sit exactly on them
    ints = (pts[:, 0] * 10).astype(np.int32)
    edges = np.array([-30., -5., 0.5, 30.], np.float32)
    assert_same(jnp.histogram(ints, bins=edges, weights=wt), J.histogram(ints, bins=edges, weights=wt))
