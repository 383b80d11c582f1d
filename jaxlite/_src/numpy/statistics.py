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


@staged_jit(static_argnames=("axis", "dtype", "keepdims"))
def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None, mean=None):
    """Variance of the non-NaN elements (``mean``: a precomputed mean with ``keepdims=True`` shape).

    Example:
        >>> jnp.nanvar(jnp.array([1., jnp.nan, 3.]))
        Array(1., dtype=float32)
    """
    from jaxlite._src.numpy import lax_numpy as L
    a = ensure_arraylike("nanvar", a)
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.nanvar is not supported.")
    comp, dtype = reductions._var_promote_types(a.dtype, dtype)
    a = lax._convert_element_type(a, comp, False)
    if mean is None:
        a_mean = nanmean(a, axis, dtype=comp, keepdims=True, where=where)
    else:
        a_mean = lax._convert_element_type(ensure_arraylike("nanvar", mean), comp, False)
    centered = L.where(_isnan(a), 0, lax.sub(a, a_mean))
    if dtypes.issubdtype(centered.dtype, np.complexfloating):
        centered = lax.real(lax.mul(centered, lax.conj(centered)))
    else:
        centered = lax.square(centered)
    normalizer = reductions.sum(lax.bitwise_not(_isnan(a)), axis=axis, keepdims=keepdims, where=where)
    normalizer = normalizer - ddof
    mask = lax.le(normalizer, lax._zeros(normalizer))
    result = reductions.sum(centered, axis, keepdims=keepdims, where=where)
    result = L.where(mask, np.nan, result)
    divisor = L.where(mask, 1, normalizer)
    result = lax.div(result, lax.convert_element_type(divisor, result.dtype))
    return lax.convert_element_type(result, dtype)


@staged_jit(static_argnames=("axis", "dtype", "keepdims"))
def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None, mean=None):
    """Standard deviation of the non-NaN elements (``mean`` as for :func:`nanvar`)."""
    a = ensure_arraylike("nanstd", a)
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.nanstd is not supported.")
    return lax.sqrt(nanvar(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims, where=where, mean=mean))


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

def _where_scalar(pred, value, x):
    """``jnp.where(pred, value, x)`` for a Python scalar ``value`` (recorded as JAX's ``_where``)."""
    from jaxlite._src.numpy.lax_numpy import where
    return where(pred, value, x)


def _scalar(value, like):
    """A 0-d constant of ``like``'s dtype (as JAX's ``lax._const``)."""
    return np.array(value, like.dtype)


def _canonical_axes(axis, nd):
    from jaxlite._src.numpy.util import canonicalize_axis
    axes = tuple(canonicalize_axis(ax, nd) for ax in axis)
    if len(set(axes)) != len(axes):
        raise ValueError("repeated axis")
    return axes


def _quantile(a, q, axis, method, keepdims, squash_nans, weights=None):
    if method not in ("linear", "lower", "higher", "midpoint", "nearest", "inverted_cdf"):
        raise ValueError("method can only be 'linear', 'lower', 'higher', 'midpoint', 'nearest' or "
                         "'inverted_cdf'")
    from jaxlite._src.lax.indexing import GatherDimensionNumbers, gather
    from jaxlite._src.numpy.util import canonicalize_axis
    if weights is not None:
        if dtypes.issubdtype(weights.dtype, np.complexfloating):
            raise ValueError("Weights cannot be complex types.")
        if method != "inverted_cdf":
            raise NotImplementedError(f"{method} doesn't support weights. Only method 'inverted_cdf' "
                                      f"supports weights.")
        a, weights = promote_dtypes_inexact(a, weights)
        if weights.shape != a.shape:
            if axis is None:
                raise ValueError("Weights shape must match 'a' shape when axis is None.")
            ax_t = _canonical_axes(axis if isinstance(axis, (tuple, list)) else (axis,), a.ndim)
            red_shape = tuple(a.shape[ax] for ax in ax_t)
            if weights.shape != red_shape:
                raise ValueError(f"Weights shape {weights.shape} must match reduction axes {red_shape}")
            weights = lax.broadcast_in_dim(weights, a.shape, ax_t)
    else:
        a, = promote_dtypes_inexact(a)
    if dtypes.issubdtype(a.dtype, np.complexfloating):
        raise ValueError("quantile does not support complex input, as the operation is poorly defined.")
    keep_shape = None  # the keepdims=True shape when axes are merged
    if axis is None:
        if keepdims:
            keep_shape = [1] * a.ndim
        a = lax.reshape(a, (a.size,))
        if weights is not None:
            weights = lax.reshape(weights, (weights.size,))
        axis = 0
    elif isinstance(axis, (tuple, list)):
        nd = a.ndim
        axes = _canonical_axes(axis, nd)
        keep_shape = [1 if i in axes else d for i, d in enumerate(a.shape)]
        # kept dimensions first (in order), the reduced ones merged into one last dimension
        dims = list(range(nd))
        for i, k in enumerate(sorted(set(range(nd)) - set(axes))):
            dims[i], dims[k] = dims[k], dims[i]
        kept = tuple(d for i, d in enumerate(a.shape) if i not in axes)
        merged = int(np.prod([a.shape[i] for i in axes], dtype=np.int64))
        a = lax.reshape(a, kept + (merged,), tuple(dims))
        if weights is not None:
            weights = lax.reshape(weights, kept + (merged,), tuple(dims))
        axis = a.ndim - 1
    else:
        axis = canonicalize_axis(axis, a.ndim)
    if q.ndim > 1:
        raise ValueError(f"q must be have rank <= 1, got shape {q.shape}")
    q_shape, q_ndim, q_orig = q.shape, q.ndim, q
    a_shape = a.shape
    idx_t = dtypes.default_int_dtype()

    def one(x):
        return _scalar(1, x)

    if squash_nans:
        a = _where_scalar(_isnan(a), np.nan, a)  # NaNs of either sign sort last
        if weights is not None:
            a, weights = lax.sort_key_val(a, weights, dimension=axis)
        else:
            a = lax.sort(a, dimension=axis)
        # JAX sums the boolean mask as default ints before the cast to q's dtype
        counts = reductions.sum(lax.convert_element_type(lax.bitwise_not(_isnan(a)), idx_t), axis=axis,
                                dtype=q.dtype, keepdims=keepdims)
        red_shape = counts.shape
        q = lax.expand_dims(q, tuple(range(q_ndim, len(red_shape) + q_ndim)))
        counts = lax.expand_dims(counts, tuple(range(q_ndim)))
        q = lax.mul(q, lax.sub(counts, one(q)))
        low, high = lax.floor(q), lax.ceil(q)
        high_weight = lax.sub(q, low)
        low_weight = lax.sub(one(high_weight), high_weight)
        low = lax.max(_scalar(0, low), lax.min(low, lax.sub(counts, one(counts))))
        high = lax.max(_scalar(0, high), lax.min(high, lax.sub(counts, one(counts))))
        low = lax.convert_element_type(low, idx_t)
        high = lax.convert_element_type(high, idx_t)
        out_shape = q_shape + red_shape
        index = [lax.broadcasted_iota(idx_t, out_shape, d + q_ndim) for d in range(len(red_shape))]
        if keepdims:
            index[axis] = low
        else:
            index.insert(axis, low)
        low_value = a[tuple(index)]
        index[axis] = high
        high_value = a[tuple(index)]
    else:
        a = _where_scalar(reductions.any(_isnan(a), axis=axis, keepdims=True), np.nan, a)
        if weights is not None:
            a, weights = lax.sort_key_val(a, weights, dimension=axis)
        else:
            a = lax.sort(a, dimension=axis)
        n = lax._convert_element_type(a_shape[axis], q.dtype, False)
        q = lax.mul(q, lax.sub(n, one(n)))
        low, high = lax.floor(q), lax.ceil(q)
        high_weight = lax.sub(q, low)
        low_weight = lax.sub(one(high_weight), high_weight)
        low = lax.clamp(_scalar(0, low), low, lax.sub(n, one(n)))
        high = lax.clamp(_scalar(0, high), high, lax.sub(n, one(n)))
        low = lax.convert_element_type(low, idx_t)
        high = lax.convert_element_type(high, idx_t)
        slice_sizes = list(a_shape)
        slice_sizes[axis] = 1
        end = len(a_shape) + q_ndim if keepdims else len(a_shape) + q_ndim - 1
        dnums = GatherDimensionNumbers(offset_dims=tuple(range(q_ndim, end)),
                                       collapsed_slice_dims=() if keepdims else (axis,),
                                       start_index_map=(axis,))
        low_value = gather(a, lax.expand_dims(low, (low.ndim,)), dnums, slice_sizes)
        high_value = gather(a, lax.expand_dims(high, (high.ndim,)), dnums, slice_sizes)
        if q_ndim == 1:
            low_weight = lax.broadcast_in_dim(low_weight, low_value.shape, (0,))
            high_weight = lax.broadcast_in_dim(high_weight, high_value.shape, (0,))

    if method == "linear":
        result = lax.add(lax.mul(lax._convert_element_type(low_value, q.dtype), low_weight),
                         lax.mul(lax._convert_element_type(high_value, q.dtype), high_weight))
    elif method == "lower":
        result = low_value
    elif method == "higher":
        result = high_value
    elif method == "nearest":
        result = lax.select(lax.le(high_weight, lax._convert_element_type(0.5, high_weight.dtype)),
                            low_value, high_value)
    elif method == "midpoint":
        result = lax.mul(lax.add(low_value, high_value), lax._convert_element_type(0.5, low_value.dtype))
    else:
        result = _inverted_cdf(a, weights, q_orig, axis, keepdims, squash_nans, a_shape)
    if keepdims and keep_shape:
        if q_ndim > 0:
            keep_shape = [q_shape[0], *keep_shape]
        result = lax.reshape(result, tuple(keep_shape))
    return lax.convert_element_type(result, a.dtype)


def _inverted_cdf(a, weights, q, axis, keepdims, squash_nans, a_shape):
    """The first sorted value whose cumulative weight reaches ``q`` times the total weight.

    ``a`` (and ``weights``) are sorted along ``axis``. Negative or NaN weights, and NaN data unless
    ``squash_nans``, make the result NaN."""
    from jaxlite._src.numpy.indexing import take_along_axis
    q_ndim = q.ndim
    idx_t = dtypes.default_int_dtype()
    if weights is None:
        weights = lax.full_like(a, 1.0)
    zeros = lax.full_like(weights, 0)
    bad_weights = lax.bitwise_or(lax.lt(weights, zeros), _isnan(weights))
    nan_data = _isnan(a)
    clean = lax.select(lax.bitwise_or(bad_weights, nan_data), zeros, weights)
    cum = reductions.cumsum(clean, axis=axis)
    n_ax = cum.shape[axis]
    total = lax.slice_in_dim(cum, n_ax - 1, n_ax, axis=axis)
    if not keepdims:
        total = lax.squeeze(total, (axis,))
    target = lax.mul(lax.reshape(q, q.shape + (1,) * total.ndim),
                     lax.expand_dims(total, tuple(range(q_ndim))))
    if not keepdims:
        target = lax.expand_dims(target, (axis + q_ndim,))
    is_less = lax.lt(lax.expand_dims(cum, tuple(range(q_ndim))), target)
    idx = reductions.sum(lax.convert_element_type(is_less, idx_t), axis=axis + q_ndim, keepdims=keepdims)
    if squash_nans:
        valid = reductions.sum(lax.bitwise_not(nan_data), axis=axis, dtype=q.dtype, keepdims=keepdims)
    else:
        valid = lax.full_like(total, a_shape[axis], dtype=q.dtype)
    max_idx = lax.convert_element_type(lax.sub(valid, lax._ones(valid)), idx_t)
    max_idx = lax.convert_element_type(lax.expand_dims(max_idx, tuple(range(q_ndim))), idx.dtype)
    idx = lax.max(_scalar(0, idx), lax.min(idx, max_idx))
    if keepdims:
        idx = lax.squeeze(idx, (q_ndim + axis,))
    if q_ndim == 0:
        result = lax.squeeze(take_along_axis(a, lax.expand_dims(idx, (axis,)), axis=axis), (axis,))
    else:
        # the q dimension goes where the reduced axis was, then back to the front
        perm = [*range(q_ndim, q_ndim + axis), *range(q_ndim), *range(q_ndim + axis, idx.ndim)]
        result = take_along_axis(a, lax.transpose(idx, tuple(perm)), axis=axis)
        result = lax.transpose(result, tuple(perm.index(i) for i in range(len(perm))))
    if keepdims:
        result = lax.expand_dims(result, (q_ndim + axis,))
    all_nan = lax.eq(valid, lax.full_like(valid, 0))
    any_bad = reductions.any(bad_weights, axis=axis, keepdims=keepdims)
    if squash_nans:
        force_nan = lax.bitwise_or(any_bad, all_nan)
    else:
        force_nan = lax.bitwise_or(any_bad, reductions.any(nan_data, axis=axis, keepdims=keepdims))
    force_nan = lax.expand_dims(force_nan, tuple(range(q_ndim)))
    return _where_scalar(force_nan, np.nan, result)


def _check_quantile_args(name, out, overwrite_input):
    if overwrite_input or out is not None:
        raise ValueError(f"jax.numpy.{name} does not support overwrite_input=True or out != None")


@staged_jit(static_argnames=("axis", "overwrite_input", "keepdims", "method"))
def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
             weights=None):
    """The ``q``-th quantile(s) (``q`` in [0, 1], scalar or 1-D) along ``axis``.

    ``weights`` (same shape as ``a``, or as the reduced axes) are supported with
    ``method='inverted_cdf'`` only.

    Example:
        >>> jnp.quantile(jnp.array([1., 2., 3., 4.]), 0.5)
        Array(2.5, dtype=float32)
    """
    a, q = ensure_arraylike("quantile", a, q)
    if weights is not None:
        weights = ensure_arraylike("quantile", weights)
    _check_quantile_args("quantile", out, overwrite_input)
    return _quantile(a, q, axis, method, keepdims, False, weights)


@staged_jit(static_argnames=("axis", "overwrite_input", "keepdims", "method"))
def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
                weights=None):
    """Like :func:`quantile`, ignoring NaNs."""
    a, q = ensure_arraylike("nanquantile", a, q)
    if weights is not None:
        weights = ensure_arraylike("nanquantile", weights)
    _check_quantile_args("nanquantile", out, overwrite_input)
    return _quantile(a, q, axis, method, keepdims, True, weights)


def _percent_to_fraction(q):
    q, = promote_dtypes_inexact(q)
    return lax.div(q, lax._convert_element_type(100, q.dtype, q.weak_type))


@staged_jit(static_argnames=("axis", "overwrite_input", "keepdims", "method"))
def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
               weights=None):
    """The ``q``-th percentile(s) (``q`` in [0, 100], scalar or 1-D, e.g. a list) along ``axis``."""
    a, q = ensure_arraylike("percentile", a, q)
    if weights is not None:
        weights = ensure_arraylike("percentile", weights)
    return quantile(a, _percent_to_fraction(q), axis=axis, out=out, overwrite_input=overwrite_input,
                    method=method, keepdims=keepdims, weights=weights)


@staged_jit(static_argnames=("axis", "overwrite_input", "keepdims", "method"))
def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
                  weights=None):
    """Like :func:`percentile`, ignoring NaNs."""
    a, q = ensure_arraylike("nanpercentile", a, q)
    if weights is not None:
        weights = ensure_arraylike("nanpercentile", weights)
    return nanquantile(a, _percent_to_fraction(q), axis=axis, out=out, overwrite_input=overwrite_input,
                       method=method, keepdims=keepdims, weights=weights)


@staged_jit(static_argnames=("axis", "overwrite_input", "keepdims"))
def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """Median along ``axis`` (NaN if the slice has a NaN)."""
    a = ensure_arraylike("median", a)
    return quantile(a, 0.5, axis=axis, out=out, overwrite_input=overwrite_input, keepdims=keepdims,
                    method="midpoint")


@staged_jit(static_argnames=("axis", "overwrite_input", "keepdims"))
def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """Median along ``axis`` ignoring NaNs."""
    a = ensure_arraylike("nanmedian", a)
    return nanquantile(a, 0.5, axis=axis, out=out, overwrite_input=overwrite_input, keepdims=keepdims,
                       method="midpoint")


# ---------------------------------------------------------------------------------------------------
# covariance
# ---------------------------------------------------------------------------------------------------

def _abs(x):
    from jaxlite._src.numpy.ufuncs import absolute
    return absolute(x)


def _cov_weights(name, weights, n_samples):
    """cov's ``fweights``/``aweights`` as an array, checked to hold one weight per sample."""
    weights = ensure_arraylike("cov", weights)
    if weights.ndim > 1:
        raise RuntimeError(f"cannot handle multidimensional {name}")
    if weights.shape[0] != n_samples:
        raise RuntimeError(f"incompatible numbers of samples and {name}")
    return weights


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, dtype=None):
    """Covariance matrix of the variables in the rows (``rowvar=True``) of ``m`` (and ``y``).

    ``fweights`` (integer repeat counts) and ``aweights`` (importance weights) weight the
    observations, as in NumPy; negative weights are taken by absolute value.

    Example:
        >>> jnp.cov(jnp.array([[0., 1., 2.], [2., 1., 0.]]))
        Array([[ 1., -1.],
               [-1.,  1.]], dtype=float32)
    """
    from jaxlite._src.numpy import lax_numpy as L
    if y is not None:
        m, y = promote_dtypes_inexact(*ensure_arraylike("cov", m, y))
        if y.ndim > 2:
            raise ValueError("y has more than 2 dimensions")
    else:
        m, = promote_dtypes_inexact(ensure_arraylike("cov", m))
    if m.ndim > 2:
        raise ValueError("m has more than 2 dimensions")
    if dtype is not None and not dtypes.issubdtype(dtype, np.inexact):
        raise ValueError(f"cov: dtype must be a subclass of float or complex; got dtype={dtype!r}")
    X = L.atleast_2d(m)
    if not rowvar and m.ndim != 1:
        X = L.transpose(X)
    if X.shape[0] == 0:
        return L.reshape(L.array([]), (0, 0))
    if y is not None:
        Y = L.atleast_2d(y)
        if not rowvar and Y.shape[0] != 1:
            Y = L.transpose(Y)
        X = L.concatenate((X, Y), axis=0)
    if X.shape[1] == 0:
        shape = () if X.shape[0] == 1 else (X.shape[0], X.shape[0])
        return lax.full(shape, np.nan, X.dtype)
    if ddof is None:
        ddof = 1 if bias == 0 else 0
    w = None
    if fweights is not None:
        fweights = _cov_weights("fweights", fweights, X.shape[1])
        if not dtypes.issubdtype(fweights.dtype, np.integer):
            raise TypeError("fweights must be integer.")
        w = _abs(fweights)  # NumPy raises for negative weights; JAX takes the magnitude
    if aweights is not None:
        aweights = _abs(_cov_weights("aweights", aweights, X.shape[1]))
        w = aweights if w is None else w * aweights
    if dtype is not None:
        X = X.astype(dtype)
        w = w.astype(dtype) if w is not None else w
    avg, w_sum = reductions.average(X, axis=1, weights=w, returned=True)
    w_sum = w_sum[0]
    if w is None:
        f = X.shape[1] - ddof
    elif ddof == 0:
        f = w_sum
    elif aweights is None:
        f = w_sum - ddof
    else:
        f = w_sum - ddof * reductions.sum(w * aweights) / w_sum
    X = X - avg[:, None]
    XT = L.transpose(X) if w is None else L.transpose(X * lax.broadcast_in_dim(w, (1, w.shape[0]), (1,)))
    from jaxlite._src.numpy.ufuncs import conj, true_divide
    return L.squeeze(true_divide(L.dot(X, conj(XT)), f))


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

def _short(x):
    return f"{np.dtype(x.dtype).name}[{','.join(map(str, x.shape))}]"


def bincount(x, weights=None, minlength=0, *, length=None):
    """Counts (or summed ``weights``) of each non-negative integer in 1-D ``x``.

    Under ``jit`` pass a static ``length``; values >= length are dropped, negatives count as 0.

    Example:
        >>> jnp.bincount(jnp.array([0, 2, 2, 5]), length=4)
        Array([1, 0, 2, 0], dtype=int32)
    """
    from jaxlite._src.numpy import lax_numpy as L
    x = ensure_arraylike("bincount", x)
    if x.dtype == np.bool_:
        x = lax.convert_element_type(x, np.int32)
    if not dtypes.issubdtype(x.dtype, np.integer):
        raise TypeError(f"x argument to bincount must have an integer type; got {x.dtype}")
    if x.ndim != 1:
        raise ValueError("only 1-dimensional input supported.")
    minlength = core.concrete_or_error(operator.index, minlength,
                                       "The error occurred because of argument 'minlength' of jnp.bincount.")
    if length is None:
        xv = core.concrete_or_error(np.asarray, x, "The error occurred because of argument 'x' of "
                                    "jnp.bincount. To avoid this error, pass a static `length` argument.")
        length = max(minlength, xv.size and int(max(0, xv.max())) + 1)
    else:
        length = core.concrete_or_error(operator.index, length,
                                        "The error occurred because of argument 'length' of jnp.bincount.")
    if weights is None:
        weights = np.array(1, dtypes.default_int_dtype())
    else:
        weights = ensure_arraylike("bincount", weights)
        if weights.shape != x.shape:
            raise ValueError(f"type of weights must match type of x. Got typeof(x)={_short(x)} and "
                             f"typeof(weights)={_short(weights)}")
    # out-of-range (too large) values are dropped by the scatter
    return L.zeros(length, weights.dtype).at[L.clip(x, 0)].add(weights, mode="drop")


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
    from jaxlite._src.numpy import lax_numpy as L
    from jaxlite._src.numpy.sorting import searchsorted
    if weights is None:
        a, _ = ensure_arraylike("histogram", a, bins)
        a, = promote_dtypes_inexact(a)
        weights = L.ones_like(a)
    else:
        a, _, weights = ensure_arraylike("histogram", a, bins, weights)
        if a.shape != weights.shape:
            raise ValueError("weights should have the same shape as a.")
        a, weights = promote_dtypes_inexact(a, weights)
    edges = histogram_bin_edges(a, bins, range, weights)
    ne = edges.shape[0]
    idx = searchsorted(edges, a, side="right")
    # a value on the last edge belongs to the last bin
    idx = L.where(a == edges[-1], ne - 1, idx)
    counts = L.zeros(ne, weights.dtype).at[idx].add(weights)
    counts = lax.slice(counts, (1,), (ne,))
    if density:
        widths = lax.sub(lax.slice(edges, (1,), (ne,)), lax.slice(edges, (0,), (ne - 1,)))
        counts = lax.div(lax.div(counts, widths), lax.reduce_sum(counts, (0,)))
    return counts, edges
