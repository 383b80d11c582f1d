"""jax.numpy statistics: NaN-ignoring reductions, quantiles/medians, cov/corrcoef, bincount, histogram.

Indexing by computed positions (quantiles, bincount) is a one-hot contraction over the data axis, so
everything here is built from elementwise ops, reductions and sorts (and differentiates with them).
"""
from __future__ import annotations

import operator

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.lax import lax
from jaxlite._src.numpy import reductions
from jaxlite._src.numpy.util import ensure_arraylike, promote_dtypes_inexact, staged_jit

__all__ = ["nansum", "nanprod", "nanmax", "nanmin", "nanmean", "nanvar", "nanstd", "nanargmax",
           "nanargmin", "nancumsum", "nancumprod", "median", "nanmedian", "quantile", "nanquantile",
           "percentile", "nanpercentile", "cov", "corrcoef", "bincount", "histogram",
           "histogram_bin_edges"]


def _isnan(x):
    return lax.ne(x, x)


def _is_inexact(x):
    return dtypes.issubdtype(x.dtype, np.inexact)


def _replace_nan(a, value):
    return lax.select(_isnan(a), lax.full_like(a, value), a) if _is_inexact(a) else a


def _all_nan(a, axis, keepdims):
    return reductions.all(_isnan(a), axis=axis, keepdims=keepdims)


# ---------------------------------------------------------------------------------------------------
# NaN-ignoring reductions
# ---------------------------------------------------------------------------------------------------

def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """Sum treating NaNs as zero."""
    a = ensure_arraylike("nansum", a)
    return reductions.sum(_replace_nan(a, 0), axis, dtype, out, keepdims, initial, where)


def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """Product treating NaNs as one."""
    a = ensure_arraylike("nanprod", a)
    return reductions.prod(_replace_nan(a, 1), axis, dtype, out, keepdims, initial, where)


def nanmax(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """Maximum ignoring NaNs (NaN where a slice is all NaN)."""
    a = ensure_arraylike("nanmax", a)
    res = reductions.max(_replace_nan(a, -np.inf), axis, out, keepdims, initial, where)
    if _is_inexact(a):
        res = lax.select(_all_nan(a, axis, keepdims), lax.full_like(res, np.nan), res)
    return res


def nanmin(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """Minimum ignoring NaNs (NaN where a slice is all NaN)."""
    a = ensure_arraylike("nanmin", a)
    res = reductions.min(_replace_nan(a, np.inf), axis, out, keepdims, initial, where)
    if _is_inexact(a):
        res = lax.select(_all_nan(a, axis, keepdims), lax.full_like(res, np.nan), res)
    return res


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, where=None):
    """Mean of the non-NaN elements."""
    a = ensure_arraylike("nanmean", a)
    if not _is_inexact(a):
        return reductions.mean(a, axis, dtype, out, keepdims, where=where)
    dt = dtypes.to_inexact_dtype(a.dtype) if dtype is None else dtype
    count = reductions.sum(lax.bitwise_not(_isnan(a)), axis, dtype=np.int32, keepdims=keepdims, where=where)
    total = nansum(a, axis, dtype=dt, keepdims=keepdims, where=where)
    return lax.div(total, lax.convert_element_type(count, total.dtype))


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None, mean=None):
    """Variance of the non-NaN elements."""
    a = ensure_arraylike("nanvar", a)
    if mean is not None:
        raise NotImplementedError("the 'mean' argument of jnp.nanvar")
    comp = dtypes.to_inexact_dtype(a.dtype) if dtype is None else np.dtype(dtype)
    a = lax._convert_element_type(a, comp, False)
    a_mean = nanmean(a, axis, keepdims=True, where=where)
    centered = _replace_nan(lax.sub(a, a_mean), 0)
    if dtypes.issubdtype(centered.dtype, np.complexfloating):
        sq = lax.real(lax.mul(centered, lax.conj(centered)))
    else:
        sq = lax.mul(centered, centered)
    count = reductions.sum(lax.bitwise_not(_isnan(a)), axis, keepdims=keepdims, where=where)
    denom = lax.sub(lax.convert_element_type(count, sq.dtype), lax._convert_element_type(ddof, sq.dtype))
    total = reductions.sum(sq, axis, keepdims=keepdims, where=where)
    denom = lax.select(lax.le(denom, lax._zeros(denom)), lax.full_like(denom, np.nan), denom)
    return lax.div(total, denom)


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None, mean=None):
    """Standard deviation of the non-NaN elements."""
    return lax.sqrt(nanvar(a, axis, dtype, out, ddof, keepdims, where, mean))


def _nanarg(name, fn, fill):
    def f(a, axis=None, out=None, keepdims=None):
        a = ensure_arraylike(name, a)
        if not _is_inexact(a):
            return fn(a, axis, out, keepdims)
        nan_mask = _isnan(a)
        res = fn(lax.select(nan_mask, lax.full_like(a, fill), a), axis, out, keepdims)
        allnan = reductions.all(nan_mask, axis=axis, keepdims=bool(keepdims))
        return lax.select(allnan, lax.full_like(res, -1), res)
    f.__name__ = name
    f.__doc__ = f"Index of the {name[5:]}imum ignoring NaNs (-1 where a slice is all NaN)."
    return f


nanargmax = _nanarg("nanargmax", reductions.argmax, -np.inf)
nanargmin = _nanarg("nanargmin", reductions.argmin, np.inf)


@staged_jit(static_argnames=("axis", "dtype"))
def nancumsum(a, axis=None, dtype=None, out=None):
    """Cumulative sum treating NaNs as zero."""
    return reductions._cumulative_reduction("nancumsum", "cumsum", a, axis, dtype, out, fill_nan=True,
                                            fill_value=0)


@staged_jit(static_argnames=("axis", "dtype"))
def nancumprod(a, axis=None, dtype=None, out=None):
    """Cumulative product treating NaNs as one."""
    return reductions._cumulative_reduction("nancumprod", "cumprod", a, axis, dtype, out, fill_nan=True,
                                            fill_value=1)


# ---------------------------------------------------------------------------------------------------
# quantiles
# ---------------------------------------------------------------------------------------------------

def _take_last(x, idx):
    """``out[q..., r...] = x[r..., idx[q..., r...]]`` for x of shape R+(n,) and idx of shape Q+R."""
    from jaxlite._src.lax.sorting import _take_along_axis_onehot
    nq = idx.ndim - (x.ndim - 1)
    shape = idx.shape + (x.shape[-1],)
    xb = lax.broadcast_in_dim(x, shape, tuple(range(nq, len(shape))))
    ib = lax.reshape(idx, idx.shape + (1,))
    return lax.squeeze(_take_along_axis_onehot(xb, ib, len(shape) - 1), (len(shape) - 1,))


def _quantile(a, q, axis, method, keepdims, squash_nans):
    if method not in ("linear", "lower", "higher", "midpoint", "nearest"):
        if method == "inverted_cdf":
            raise NotImplementedError("quantile method 'inverted_cdf'")
        raise ValueError("method can only be 'linear', 'lower', 'higher', 'midpoint', 'nearest' or "
                         "'inverted_cdf'")
    a, = promote_dtypes_inexact(a)
    if dtypes.issubdtype(a.dtype, np.complexfloating):
        raise ValueError("quantile does not support complex input, as the operation is poorly defined.")
    q = lax._convert_element_type(q, a.dtype, False)
    if q.ndim > 1:
        raise ValueError(f"q must be have rank <= 1, got shape {q.shape}")
    nd = a.ndim
    if axis is None:
        axes = tuple(range(nd))
    elif isinstance(axis, (tuple, list)):
        axes = tuple(sorted(int(ax) % nd for ax in axis))
        if len(set(axes)) != len(axes):
            raise ValueError("repeated axis")
    else:
        from jaxlite._src.numpy.util import canonicalize_axis
        axes = (canonicalize_axis(axis, nd),)
    keep = [i for i in range(nd) if i not in axes]
    kept_shape = tuple(a.shape[i] for i in keep)
    n = int(np.prod([a.shape[i] for i in axes], dtype=np.int64))
    # bring the reduced axes together at the end: shape kept + (n,)
    x = lax.reshape(lax.transpose(a, tuple(keep) + axes), kept_shape + (n,))
    last = len(kept_shape)
    if squash_nans:
        x = lax.sort(_replace_nan(x, np.nan), dimension=last)
        counts = lax.reduce_sum(lax.convert_element_type(lax.bitwise_not(_isnan(x)), a.dtype), (last,))
    else:
        anynan = lax.reduce_or(_isnan(x), (last,))
        x = lax.select(lax.broadcast_in_dim(anynan, x.shape, tuple(range(last))), lax.full_like(x, np.nan), x)
        x = lax.sort(x, dimension=last)
        counts = lax.full(kept_shape, n, a.dtype)
    q_shape = q.shape
    out_shape = q_shape + kept_shape
    qb = lax.broadcast_in_dim(q, out_shape, tuple(range(q.ndim)))
    cb = lax.broadcast_in_dim(counts, out_shape, tuple(range(q.ndim, len(out_shape))))
    pos = lax.mul(qb, lax.sub(cb, lax._ones(cb)))
    low = lax.floor(pos)
    high = lax.ceil(pos)
    high_weight = lax.sub(pos, low)
    low_weight = lax.sub(lax._ones(high_weight), high_weight)
    top = lax.max(lax._zeros(cb), lax.sub(cb, lax._ones(cb)))
    low = lax.max(lax._zeros(low), lax.min(low, top))
    high = lax.max(lax._zeros(high), lax.min(high, top))
    idx_t = dtypes.default_int_dtype()
    low_value = _take_last(x, lax.convert_element_type(low, idx_t))
    high_value = _take_last(x, lax.convert_element_type(high, idx_t))
    if method == "linear":
        result = lax.add(lax.mul(low_value, low_weight), lax.mul(high_value, high_weight))
    elif method == "lower":
        result = low_value
    elif method == "higher":
        result = high_value
    elif method == "nearest":
        result = lax.select(lax.le(high_weight, lax.full_like(high_weight, 0.5)), low_value, high_value)
    else:
        result = lax.mul(lax.add(low_value, high_value), lax.full_like(low_value, 0.5))
    if keepdims:
        shape = list(a.shape)
        for ax in axes:
            shape[ax] = 1
        result = lax.reshape(result, q_shape + tuple(shape))
    return result


def _check_quantile_args(name, out, overwrite_input, weights):
    if overwrite_input or out is not None:
        raise ValueError(f"jax.numpy.{name} does not support overwrite_input=True or out != None")
    if weights is not None:
        raise NotImplementedError(f"the 'weights' argument of jnp.{name}")


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
             weights=None):
    """The ``q``-th quantile(s) (``q`` in [0, 1], scalar or 1-D) along ``axis``.

    Example:
        >>> jnp.quantile(jnp.array([1., 2., 3., 4.]), 0.5)
        Array(2.5, dtype=float32)
    """
    a, q = ensure_arraylike("quantile", a, q)
    _check_quantile_args("quantile", out, overwrite_input, weights)
    return _quantile_jit(a, q, axis=axis, method=method, keepdims=keepdims, squash_nans=False)


def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
                weights=None):
    """Like :func:`quantile`, ignoring NaNs."""
    a, q = ensure_arraylike("nanquantile", a, q)
    _check_quantile_args("nanquantile", out, overwrite_input, weights)
    return _quantile_jit(a, q, axis=axis, method=method, keepdims=keepdims, squash_nans=True)


@staged_jit(static_argnames=("axis", "method", "keepdims", "squash_nans"))
def _quantile_jit(a, q, axis, method, keepdims, squash_nans):
    return _quantile(a, q, axis, method, keepdims, squash_nans)


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
               weights=None):
    """The ``q``-th percentile(s) (``q`` in [0, 100]) along ``axis``."""
    a, q = ensure_arraylike("percentile", a, q)
    q, = promote_dtypes_inexact(q)
    return quantile(a, lax.div(q, lax._convert_element_type(100.0, q.dtype, q.weak_type)), axis, out,
                    overwrite_input, method, keepdims, weights=weights)


def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
                  weights=None):
    """Like :func:`percentile`, ignoring NaNs."""
    a, q = ensure_arraylike("nanpercentile", a, q)
    q, = promote_dtypes_inexact(q)
    return nanquantile(a, lax.div(q, lax._convert_element_type(100.0, q.dtype, q.weak_type)), axis, out,
                       overwrite_input, method, keepdims, weights=weights)


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """Median along ``axis`` (NaN if the slice has a NaN)."""
    a = ensure_arraylike("median", a)
    return quantile(a, 0.5, axis=axis, out=out, overwrite_input=overwrite_input, keepdims=keepdims,
                    method="midpoint")


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """Median along ``axis`` ignoring NaNs."""
    a = ensure_arraylike("nanmedian", a)
    return nanquantile(a, 0.5, axis=axis, out=out, overwrite_input=overwrite_input, keepdims=keepdims,
                       method="midpoint")


# ---------------------------------------------------------------------------------------------------
# covariance
# ---------------------------------------------------------------------------------------------------

def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None):
    """Covariance matrix of the variables in the rows (``rowvar=True``) of ``m`` (and ``y``)."""
    from jaxlite._src.numpy import lax_numpy as L
    if fweights is not None or aweights is not None:
        raise NotImplementedError("the fweights/aweights arguments of jnp.cov")
    if y is not None:
        m, y = promote_dtypes_inexact(*ensure_arraylike("cov", m, y))
        if y.ndim > 2:
            raise ValueError("y has more than 2 dimensions")
    else:
        m, = promote_dtypes_inexact(ensure_arraylike("cov", m))
    if m.ndim > 2:
        raise ValueError("m has more than 2 dimensions")
    X = L.atleast_2d(m)
    if not rowvar and X.shape[0] != 1:
        X = L.transpose(X)
    if X.shape[0] == 0:
        return lax.full((0, 0), 0, X.dtype)
    if y is not None:
        Y = L.atleast_2d(y)
        if not rowvar and Y.shape[0] != 1:
            Y = L.transpose(Y)
        X = lax.concatenate([X, Y], 0)
    if ddof is None:
        ddof = 1 if not bias else 0
    f = X.shape[1] - ddof
    avg = reductions.mean(X, axis=1)
    X = lax.sub(X, lax.broadcast_in_dim(avg, X.shape, (0,)))
    XT = lax.conj(L.transpose(X)) if dtypes.issubdtype(X.dtype, np.complexfloating) else L.transpose(X)
    c = lax.div(L.dot(X, XT), lax._convert_element_type(f, X.dtype))
    return L.squeeze(c)


def corrcoef(x, y=None, rowvar=True):
    """Pearson correlation coefficients (clipped to [-1, 1])."""
    from jaxlite._src.numpy import lax_numpy as L
    c = cov(x, y, rowvar)
    if c.ndim == 0:
        return lax.div(c, c)
    d = L.diagonal(c)
    std = lax.sqrt(lax.real(d)) if dtypes.issubdtype(c.dtype, np.complexfloating) else lax.sqrt(d)
    std = lax._convert_element_type(std, c.dtype)
    c = lax.div(lax.div(c, lax.broadcast_in_dim(std, c.shape, (0,))), lax.broadcast_in_dim(std, c.shape, (1,)))
    if dtypes.issubdtype(c.dtype, np.complexfloating):
        re = L.clip(lax.real(c), -1, 1)
        im = L.clip(lax.imag(c), -1, 1)
        return lax.complex(re, im)
    return L.clip(c, -1, 1)


# ---------------------------------------------------------------------------------------------------
# counting
# ---------------------------------------------------------------------------------------------------

def _scatter_add_1d(idx, weights, length):
    """``zeros(length).at[idx].add(weights)`` (out-of-range indices dropped) as a one-hot sum."""
    n = idx.shape[0]
    shape = (n, length)
    hit = lax.eq(lax.broadcast_in_dim(lax.convert_element_type(idx, np.int32), shape, (0,)),
                 lax.broadcasted_iota(np.int32, shape, 1))
    w = lax.broadcast_in_dim(weights, shape, (0,))
    return lax.reduce_sum(lax.select(hit, w, lax._zeros(w)), (0,))


def bincount(x, weights=None, minlength=0, *, length=None):
    """Counts (or summed ``weights``) of each non-negative integer in 1-D ``x``.

    Under ``jit`` pass a static ``length``; values >= length are dropped, negatives count as 0.
    """
    x = ensure_arraylike("bincount", x)
    if not dtypes.issubdtype(x.dtype, np.integer):
        raise TypeError(f"x argument to bincount must have an integer type; got {x.dtype}")
    if x.ndim != 1:
        raise ValueError("only 1-dimensional input supported.")
    minlength = core.concrete_or_error(operator.index, minlength,
                                       "The error occurred because of argument 'minlength' of jnp.bincount.")
    if length is None:
        xv = core.concrete_or_error(np.asarray, x, "The error occurred because of argument 'x' of "
                                    "jnp.bincount. To avoid this error, pass a static `length` argument.")
        length = max(minlength, xv.size and int(xv.max()) + 1)
    else:
        length = core.concrete_or_error(operator.index, length,
                                        "The error occurred because of argument 'length' of jnp.bincount.")
    if weights is None:
        weights = lax.full(x.shape, 1, dtypes.default_int_dtype())
    else:
        weights = ensure_arraylike("bincount", weights)
        if weights.shape != x.shape:
            raise ValueError("shape of weights must match shape of x.")
    if length == 0:
        return lax.full((0,), 0, weights.dtype)
    return _scatter_add_1d(lax.max(x, lax._zeros(x)), weights, length)


def histogram_bin_edges(a, bins=10, range=None, weights=None):
    """The bin edges :func:`histogram` would use."""
    from jaxlite._src.numpy import lax_numpy as L
    if isinstance(bins, str):
        raise NotImplementedError("string values for `bins` not implemented.")
    arr = ensure_arraylike("histogram_bin_edges", a)
    dtype = dtypes.to_inexact_dtype(arr.dtype)
    if np.ndim(bins) == 1:
        return L.asarray(bins, dtype=dtype)
    bins_int = core.concrete_or_error(operator.index, bins, "bins argument of histogram_bin_edges")
    if range is None:
        range = [reductions.min(arr), reductions.max(arr)]
    rng = L.asarray(L.stack([L.asarray(r) for r in range]) if isinstance(range, (list, tuple)) else range,
                    dtype=dtype)
    if rng.shape != (2,):
        raise ValueError(f"`range` must be either None or a sequence of scalars, got {range}")
    lo, hi = rng[0], rng[1]
    same = lax.eq(lo, hi)
    half = lax._convert_element_type(0.5, dtype)
    lo = lax.select(same, lax.sub(lo, half), lo)
    hi = lax.select(same, lax.add(hi, half), hi)
    return L.linspace(lo, hi, bins_int + 1, dtype=dtype)


def histogram(a, bins=10, range=None, weights=None, density=None):
    """Counts (or summed weights) of ``a`` in each bin, and the bin edges."""
    from jaxlite._src.numpy.sorting import searchsorted
    if weights is None:
        a = ensure_arraylike("histogram", a)
        weights = lax.full(a.shape, 1, a.dtype)
    else:
        a, weights = ensure_arraylike("histogram", a, weights)
        if a.shape != weights.shape:
            raise ValueError("weights should have the same shape as a.")
    a, = promote_dtypes_inexact(a)
    weights, = promote_dtypes_inexact(weights)
    edges = histogram_bin_edges(a, bins, range, weights)
    ne = edges.shape[0]
    flat = lax.reshape(a, (a.size,))
    idx = searchsorted(edges, flat, side="right")
    last = lax.squeeze(lax.slice(edges, (ne - 1,), (ne,)), (0,))
    idx = lax.select(lax.eq(flat, lax.broadcast_in_dim(last, flat.shape, ())),
                     lax.full_like(idx, ne - 1), idx)
    counts = _scatter_add_1d(idx, lax.reshape(weights, (weights.size,)), ne)
    counts = lax.slice(counts, (1,), (ne,))
    if density:
        widths = lax.sub(lax.slice(edges, (1,), (ne,)), lax.slice(edges, (0,), (ne - 1,)))
        counts = lax.div(lax.div(counts, widths), lax.reduce_sum(counts, (0,)))
    return counts, edges
