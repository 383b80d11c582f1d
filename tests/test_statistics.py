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
