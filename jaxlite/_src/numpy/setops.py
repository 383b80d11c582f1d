"""jax.numpy set operations and value-dependent selections: unique (and unique_*), union1d,
intersect1d, setdiff1d, setxor1d, isin, nonzero, flatnonzero, argwhere.

Output sizes that depend on the values need concrete inputs, or a static ``size=`` (as in JAX: under
``jit`` without ``size`` they raise ConcretizationTypeError). The selections are stable sorts keyed on
a mask, so no gather or scatter is needed.
"""
from __future__ import annotations

import operator
from typing import NamedTuple

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.lax import lax
from jaxlite._src.numpy.sorting import _apply_inverse, _compress, _lt_sort_order, searchsorted
from jaxlite._src.numpy.util import canonicalize_axis, ensure_arraylike, promote_dtypes, staged_jit

__all__ = ["unique", "unique_values", "unique_counts", "unique_inverse", "unique_all", "union1d",
           "intersect1d", "setdiff1d", "setxor1d", "isin", "nonzero", "flatnonzero", "argwhere"]

UNIQUE_SIZE_HINT = (
    "To make jnp.unique() compatible with JIT and other transforms, you can specify a concrete value "
    "for the size argument, which will determine the output size.")


def _int():
    return dtypes.default_int_dtype()


def _iota(n, dtype=None):
    return lax.iota(dtype or _int(), n)


def _count(mask):
    return lax.reduce_sum(lax.convert_element_type(mask, _int()), tuple(range(mask.ndim)))


def _concrete_count(mask, msg):
    return core.concrete_or_error(lambda v: int(np.asarray(v)), _count(mask), msg)


def _first(x):
    return lax.squeeze(lax.slice(x, (0,) * x.ndim, (1,) + x.shape[1:]), (0,))


def _isnan(x):
    return lax.ne(x, x)


# ---------------------------------------------------------------------------------------------------
# nonzero / flatnonzero / argwhere
# ---------------------------------------------------------------------------------------------------

def nonzero(a, *, size=None, fill_value=None):
    """Indices of the nonzero elements, one array per dimension.

    With ``size``, exactly ``size`` indices are returned per dimension (padded with ``fill_value``,
    default 0, or truncated); without it the input must be concrete (not traced).

    Example:
        >>> jnp.nonzero(jnp.array([0, 3, 0, 5]))
        (Array([1, 3], dtype=int32),)
    """
    arr = ensure_arraylike("nonzero", a)
    if arr.ndim == 0:
        raise ValueError("Calling nonzero on 0d arrays is not allowed. Use jnp.atleast_1d(scalar).nonzero() "
                         "instead.")
    mask = arr if arr.dtype == np.bool_ else arr != 0
    if size is None:
        size = _concrete_count(mask, "The size argument of jnp.nonzero must be statically specified to "
                                     "use jnp.nonzero within JAX transformations.")
    else:
        size = core.concrete_or_error(operator.index, size, "The size argument of jnp.nonzero must be "
                                      "statically specified to use jnp.nonzero within JAX transformations.")
    from jaxlite._src.numpy import lax_numpy as L, reductions, statistics
    if arr.size == 0 or size == 0:
        return tuple(L.zeros(size, int) for _ in arr.shape)
    # as JAX: count the mask's running total into bins (bin b counts the elements before the
    # (b+1)-th nonzero one), so that the running sum of the counts is each nonzero's flat index
    flat = reductions.cumsum(statistics.bincount(reductions.cumsum(mask), length=size))
    strides = (np.cumprod(arr.shape[::-1])[::-1] // arr.shape).astype(flat.dtype)
    out = [(flat // stride) % dim for stride, dim in zip(strides, arr.shape)]
    if fill_value is not None:
        fills = fill_value if isinstance(fill_value, tuple) else (fill_value,) * arr.ndim
        if any(np.shape(v) != () for v in fills):
            raise ValueError(f"fill_value must be a scalar or a tuple of length {arr.ndim}; got {fill_value}")
        padding = L.arange(size) >= mask.sum()
        out = [L.where(padding, f, o) for f, o in zip(fills, out)]
    return tuple(out)


def flatnonzero(a, *, size=None, fill_value=None):
    """Indices of the nonzero elements of ``a`` flattened."""
    a = ensure_arraylike("flatnonzero", a)
    return nonzero(lax.reshape(a, (a.size,)), size=size, fill_value=fill_value)[0]


def argwhere(a, *, size=None, fill_value=None):
    """Indices of the nonzero elements as a ``(count, ndim)`` array."""
    a = ensure_arraylike("argwhere", a)
    nd = a.ndim
    arr = lax.reshape(a, (1,)) if nd == 0 else a
    idx = nonzero(arr, size=size, fill_value=fill_value)
    n = idx[0].shape[0]
    result = lax.concatenate([lax.reshape(i, (n, 1)) for i in idx], 1)
    if nd == 0:
        return lax.slice(result, (0, 0), (n, 0))
    return result


# ---------------------------------------------------------------------------------------------------
# unique
# ---------------------------------------------------------------------------------------------------

def _unique_sorted_mask(ar, axis, equal_nan):
    """Rows of ``ar`` along ``axis`` sorted lexicographically, the first-occurrence mask, the perm."""
    from jaxlite._src.numpy.lax_numpy import moveaxis
    aux = moveaxis(ar, axis, 0)
    if dtypes.issubdtype(aux.dtype, np.complexfloating):
        aux = lax.select(_isnan(aux), lax.full_like(aux, np.nan), aux)
    n = aux.shape[0]
    rest = aux.shape[1:]
    m = int(np.prod(rest, dtype=np.int64))
    iota = _iota(max(n, 1) if m == 0 else n)
    if m == 0:
        perm = lax.full((1,), 0, _int())
        n_eff = 1
    elif aux.ndim == 1:
        aux, perm = lax.sort_key_val(aux, iota)
        n_eff = n
    else:
        cols = lax.reshape(aux, (n, m))
        keys = [lax.squeeze(lax.slice(cols, (0, j), (n, j + 1)), (1,)) for j in range(m)]
        perm = lax.sort((*keys, iota), num_keys=m)[-1]
        from jaxlite._src.numpy.sorting import _permute
        aux = _permute(aux, perm)
        n_eff = n
    if aux.size:
        a1 = lax.slice(aux, (1,) + (0,) * (aux.ndim - 1), aux.shape)
        a0 = lax.slice(aux, (0,) * aux.ndim, (n - 1,) + aux.shape[1:])
        neq = lax.ne(a1, a0)
        if dtypes.issubdtype(aux.dtype, np.inexact) and equal_nan:
            neq = lax.bitwise_and(neq, lax.bitwise_not(lax.bitwise_and(_isnan(a1), _isnan(a0))))
        if aux.ndim > 1:
            neq = lax.reduce_or(neq, tuple(range(1, aux.ndim)))
        mask = lax.concatenate([lax.full((1,), True, np.bool_), neq], 0)
    else:
        mask = lax.full((n_eff,), False, np.bool_)
    return aux, mask, perm


def _unique(ar, axis, return_index=False, return_inverse=False, return_counts=False, equal_nan=True,
            size=None, fill_value=None, return_true_size=False):
    from jaxlite._src.numpy.lax_numpy import moveaxis, where
    axis = canonicalize_axis(axis, ar.ndim)
    if ar.shape[axis] == 0 and size and fill_value is None:
        raise ValueError("jnp.unique: for zero-sized input with nonzero size argument, fill_value must "
                         "be specified")
    aux, mask, perm = _unique_sorted_mask(ar, axis, equal_nan)
    if size is None:
        out_size = _concrete_count(mask, "The error arose in jnp.unique(). " + UNIQUE_SIZE_HINT)
    else:
        out_size = size
    n = mask.shape[0]
    count = _count(mask)
    valid = lax.lt(_iota(out_size), lax.broadcast_in_dim(count, (out_size,), ()))
    if aux.size:
        (result,), _ = _compress(mask, [aux], out_size)
        # positions past the count hold aux[0], as JAX's nonzero-padding with index 0 gives
        vb = lax.broadcast_in_dim(valid, result.shape, (0,))
        result = lax.select(vb, result, lax.broadcast_in_dim(_first(aux), result.shape,
                                                             tuple(range(1, result.ndim))))
    else:
        result = aux
    if size is not None and fill_value is not None:
        fill = lax._convert_element_type(fill_value, result.dtype)
        if result.shape[0]:
            vb = lax.broadcast_in_dim(valid, result.shape, (0,))
            result = lax.select(vb, result, lax.broadcast_in_dim(fill, result.shape, ()))
        else:
            result = lax.full((size, *result.shape[1:]), fill, result.dtype)
    result = moveaxis(result, 0, axis)
    ret = (result,)
    if return_index:
        if aux.size:
            (idx,), _ = _compress(mask, [perm], out_size)
            idx = lax.select(valid, idx, lax.broadcast_in_dim(_first(perm), (out_size,), ()))
            ret += (idx,)
        else:
            ret += (perm,)
    if return_inverse:
        if aux.size:
            from jaxlite._src.numpy.reductions import cumsum
            imask = lax.sub(cumsum(mask), lax._convert_element_type(1, _int()))
            ret += (_apply_inverse(imask, perm),)
        else:
            ret += (lax.full((ar.shape[axis],), 0, _int()),)
    if return_counts:
        if aux.size:
            (pos,), _ = _compress(mask, [_iota(n)], out_size + 1)
            k = out_size + 1
            vk = lax.lt(_iota(k), lax.broadcast_in_dim(count, (k,), ()))
            pos = lax.select(vk, pos, lax.full((k,), n, _int()))
            if size is not None:
                # JAX pads with index 0 and then replaces zeros after the first by the length
                zero_after_first = lax.bitwise_and(lax.eq(pos, lax._zeros(pos)),
                                                   lax.gt(_iota(k), lax._zeros(pos)))
                pos = lax.select(zero_after_first, lax.full((k,), n, _int()), pos)
            ret += (lax.sub(lax.slice(pos, (1,), (k,)), lax.slice(pos, (0,), (k - 1,))),)
        elif ar.shape[axis]:
            ret += (lax.full((1,), ar.shape[axis], _int()),)
        else:
            ret += (lax.full((0,), 0, _int()),)
    if return_true_size:
        ret += (count,)
    return ret[0] if len(ret) == 1 else ret


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *,
           equal_nan=True, size=None, fill_value=None, sorted=True):
    """The sorted unique elements of ``ar`` (rows/slices along ``axis`` if given).

    Optionally also the index of each unique value's first occurrence, the inverse indices that
    rebuild ``ar``, and the counts. Under ``jit``, pass a static ``size`` (the output is padded with
    ``fill_value``, default the smallest unique value, or truncated).

    Example:
        >>> jnp.unique(jnp.array([3, 1, 3, 2]))
        Array([1, 2, 3], dtype=int32)
    """
    del sorted
    arr = ensure_arraylike("unique", ar)
    if size is None:
        core.concrete_or_error(None, arr, "The error arose for the first argument of jnp.unique(). "
                               + UNIQUE_SIZE_HINT)
    else:
        size = core.concrete_or_error(operator.index, size, "The error arose for the size argument of "
                                      "jnp.unique(). " + UNIQUE_SIZE_HINT)
    arr_shape = arr.shape
    if axis is None:
        axis_int = 0
        arr = lax.reshape(arr, (arr.size,))
    else:
        axis_int = canonicalize_axis(axis, arr.ndim)
    result = _unique(arr, axis_int, return_index, return_inverse, return_counts, equal_nan=equal_nan,
                     size=size, fill_value=fill_value)
    if return_inverse and axis is None:
        i = 2 if return_index else 1
        result = (*result[:i], lax.reshape(result[i], arr_shape), *result[i + 1:])
    return result


class _UniqueAllResult(NamedTuple):
    values: object
    indices: object
    inverse_indices: object
    counts: object


class _UniqueCountsResult(NamedTuple):
    values: object
    counts: object


class _UniqueInverseResult(NamedTuple):
    values: object
    inverse_indices: object


def unique_all(x, /, *, size=None, fill_value=None):
    """Array API ``unique_all``: values, first indices, inverse indices and counts (NaNs distinct)."""
    x = ensure_arraylike("unique_all", x)
    values, indices, inverse, counts = unique(x, return_index=True, return_inverse=True,
                                              return_counts=True, equal_nan=False, size=size,
                                              fill_value=fill_value)
    return _UniqueAllResult(values, indices, inverse, counts)


def unique_counts(x, /, *, size=None, fill_value=None):
    x = ensure_arraylike("unique_counts", x)
    values, counts = unique(x, return_counts=True, equal_nan=False, size=size, fill_value=fill_value)
    return _UniqueCountsResult(values, counts)


def unique_inverse(x, /, *, size=None, fill_value=None):
    x = ensure_arraylike("unique_inverse", x)
    values, inverse = unique(x, return_inverse=True, equal_nan=False, size=size, fill_value=fill_value)
    return _UniqueInverseResult(values, inverse)


def unique_values(x, /, *, size=None, fill_value=None):
    x = ensure_arraylike("unique_values", x)
    return unique(x, equal_nan=False, size=size, fill_value=fill_value)


# ---------------------------------------------------------------------------------------------------
# membership and set algebra
# ---------------------------------------------------------------------------------------------------

@staged_jit(static_argnames=("assume_unique", "invert", "method"))
def _in1d(ar1, ar2, invert, method="auto", assume_unique=False):
    ar1, ar2 = ensure_arraylike("in1d", ar1, ar2)
    arr1, arr2 = promote_dtypes(ar1, ar2)
    arr1 = lax.reshape(arr1, (arr1.size,))
    arr2 = lax.reshape(arr2, (arr2.size,))
    if arr1.size == 0 or arr2.size == 0:
        return lax.full(arr1.shape, bool(invert), np.bool_)
    if method in ("auto", "compare_all"):
        shape = (arr1.size, arr2.size)
        eq = lax.eq(lax.broadcast_in_dim(arr1, shape, (0,)), lax.broadcast_in_dim(arr2, shape, (1,)))
        if invert:
            return lax.reduce_and(lax.bitwise_not(eq), (1,))
        return lax.reduce_or(eq, (1,))
    if method in ("binary_search", "sort"):
        # present iff some element of sorted arr2 equals it: the left and right insertion points differ
        s2 = lax.sort(arr2)
        lo = searchsorted(s2, arr1, side="left", method="sort")
        hi = searchsorted(s2, arr1, side="right", method="sort")
        found = lax.gt(hi, lo)
        if dtypes.issubdtype(arr1.dtype, np.inexact):
            found = lax.bitwise_and(found, lax.bitwise_not(_isnan(arr1)))  # NaN equals nothing
        return lax.bitwise_not(found) if invert else found
    raise ValueError(f"method={method!r} is not implemented; options are 'compare_all', "
                     f"'binary_search', 'sort', and 'auto'")


def isin(element, test_elements, assume_unique=False, invert=False, *, method="auto"):
    """Elementwise ``element in test_elements`` (shape of ``element``).

    Example:
        >>> jnp.isin(jnp.array([1, 2, 3]), jnp.array([2, 4]))
        Array([False,  True, False], dtype=bool)
    """
    element, test_elements = ensure_arraylike("isin", element, test_elements)
    result = _in1d(element, test_elements, invert=invert, method=method, assume_unique=assume_unique)
    return lax.reshape(result, element.shape)


def _check_size(name, size, *arrays):
    if size is None:
        for a in arrays:
            core.concrete_or_error(None, a, f"The error arose in {name}()")
        return None
    return core.concrete_or_error(operator.index, size, f"The error arose in {name}()")


def _fill_tail(vals, n_valid, fill_value):
    """Entries past ``n_valid`` become ``fill_value``, or (None) the largest then smallest valid value
    as JAX's implementation leaves them."""
    from jaxlite._src.numpy.lax_numpy import where
    k = vals.shape[0]
    valid = lax.lt(_iota(k), lax.broadcast_in_dim(n_valid, (k,), ()))
    if fill_value is None:
        vals = where(valid, vals, lax.reduce_max(vals, (0,)))
        return where(valid, vals, lax.reduce_min(vals, (0,)))
    return where(valid, vals, fill_value)


def _concat_unique(arr1, arr2):
    """Unique values of each array, the second's right after the first's (then padding)."""
    u1, n1 = _unique(arr1, 0, size=arr1.size, return_true_size=True)
    u2, n2 = _unique(arr2, 0, size=arr2.size, return_true_size=True)
    dt = dtypes.result_type(u1, u2)
    u1 = lax._convert_element_type(u1, dt)
    u2 = lax._convert_element_type(u2, dt)
    both = lax.concatenate([u1, u2], 0)
    keep = lax.concatenate([lax.lt(_iota(arr1.size), lax.broadcast_in_dim(n1, (arr1.size,), ())),
                            lax.lt(_iota(arr2.size), lax.broadcast_in_dim(n2, (arr2.size,), ()))], 0)
    (arr,), _ = _compress(keep, [both], both.shape[0])
    total = lax.add(n1, n2)
    arr = lax.select(lax.lt(_iota(arr.shape[0]), lax.broadcast_in_dim(total, arr.shape, ())), arr,
                     lax._zeros(arr))
    return arr, n1, n2


def union1d(ar1, ar2, *, size=None, fill_value=None):
    """Sorted unique values in either array."""
    ar1, ar2 = ensure_arraylike("union1d", ar1, ar2)
    size = _check_size("union1d", size, ar1, ar2)
    from jaxlite._src.numpy.lax_numpy import concatenate
    return unique(concatenate((ar1, ar2), axis=None), size=size, fill_value=fill_value)


def setdiff1d(ar1, ar2, assume_unique=False, *, size=None, fill_value=None):
    """Sorted unique values of ``ar1`` that are not in ``ar2``."""
    arr1, arr2 = ensure_arraylike("setdiff1d", ar1, ar2)
    arr1 = lax.reshape(arr1, (arr1.size,))
    arr2 = lax.reshape(arr2, (arr2.size,))
    size = _check_size("setdiff1d", size, arr1)
    fill = lax._convert_element_type(0 if fill_value is None else fill_value, arr1.dtype)
    if arr1.size == 0:
        return lax.full((size or 0,), fill, arr1.dtype)
    if not assume_unique:
        arr1 = unique(arr1, size=size and arr1.size)
    mask = _in1d(arr1, arr2, invert=True, assume_unique=assume_unique)
    if size is None:
        n = _concrete_count(mask, "The error arose in setdiff1d()")
        return _compress(mask, [arr1], n)[0][0]
    if not assume_unique:
        # unique() padded arr1 with copies of its first value; only the first n_unique are real
        n_unique = lax.sub(lax._convert_element_type(arr1.size + 1, _int()),
                           _count(lax.eq(arr1, lax.broadcast_in_dim(_first(arr1), arr1.shape, ()))))
        mask = lax.bitwise_and(mask, lax.lt(_iota(arr1.size), lax.broadcast_in_dim(n_unique, arr1.shape, ())))
    (vals,), count = _compress(mask, [arr1], size)
    valid = lax.lt(_iota(size), lax.broadcast_in_dim(count, (size,), ()))
    # JAX takes arr1[0] for the padding positions before filling them
    vals = lax.select(valid, vals, lax.broadcast_in_dim(_first(arr1), (size,), ()))
    return lax.select(valid, vals, lax.broadcast_in_dim(fill, (size,), ()))


def setxor1d(ar1, ar2, assume_unique=False, *, size=None, fill_value=None):
    """Sorted unique values in exactly one of the arrays."""
    ar1, ar2 = ensure_arraylike("setxor1d", ar1, ar2)
    arr1, arr2 = promote_dtypes(lax.reshape(ar1, (ar1.size,)), lax.reshape(ar2, (ar2.size,)))
    if size is None:
        _check_size("setxor1d", None, arr1, arr2)
        if not assume_unique:
            arr1 = unique(arr1)
            arr2 = unique(arr2)
        aux = lax.concatenate([arr1, arr2], 0)
        if aux.size == 0:
            return aux
        flag = _xor_flag(lax.sort(aux))
        n = _concrete_count(flag, "The error arose in setxor1d()")
        return _compress(flag, [lax.sort(aux)], n)[0][0]
    size = _check_size("setxor1d", size)
    if assume_unique:
        aux = lax.sort(lax.concatenate([arr1, arr2], 0))
        flag = _xor_flag(aux)
    else:
        arr, n1, n2 = _concat_unique(arr1, arr2)
        total = lax.add(n1, n2)
        valid = lax.lt(_iota(arr.shape[0]), lax.broadcast_in_dim(total, arr.shape, ()))
        _, aux = lax.sort([lax.bitwise_not(valid), arr], num_keys=2)
        flag = lax.bitwise_and(_xor_flag(aux), valid)
    n = _count(flag)
    if aux.size:
        (vals,), _ = _compress(flag, [aux], size)
        vals = lax.select(lax.lt(_iota(size), lax.broadcast_in_dim(n, (size,), ())), vals,
                          lax.full((size,), 0, aux.dtype))
    else:
        vals = lax.full((size,), 0, aux.dtype)
    return _fill_tail(vals, n, fill_value)


def _xor_flag(aux):
    """Entries of sorted ``aux`` that differ from both neighbours."""
    n = aux.shape[0]
    diff = lax.ne(lax.slice(aux, (1,), (n,)), lax.slice(aux, (0,), (n - 1,)))
    t = lax.full((1,), True, np.bool_)
    flag = lax.concatenate([t, diff, t], 0)
    return lax.bitwise_and(lax.slice(flag, (1,), (n + 1,)), lax.slice(flag, (0,), (n,)))


def intersect1d(ar1, ar2, assume_unique=False, return_indices=False, *, size=None, fill_value=None):
    """Sorted unique values in both arrays (and, optionally, where they first occur in each)."""
    ar1, ar2 = ensure_arraylike("intersect1d", ar1, ar2)
    arr1, arr2 = promote_dtypes(ar1, ar2)
    arr1 = lax.reshape(arr1, (arr1.size,))
    arr2 = lax.reshape(arr2, (arr2.size,))
    if size is None:
        _check_size("intersect1d", None, arr1, arr2)
    else:
        size = _check_size("intersect1d", size)
    n1_all = arr1.size
    if assume_unique:
        ind1, n1 = _iota(arr1.size), lax._convert_element_type(arr1.size, _int())
        ind2, n2 = _iota(arr2.size), lax._convert_element_type(arr2.size, _int())
        arr = lax.concatenate([arr1, arr2], 0)
        valid = lax.full(arr.shape, True, np.bool_)
    else:
        arr1, ind1, n1 = _unique(arr1, 0, size=arr1.size, return_index=True, return_true_size=True,
                                 fill_value=0) if arr1.size else (arr1, _iota(0), _count(lax.full((0,), False, np.bool_)))
        arr2, ind2, n2 = _unique(arr2, 0, size=arr2.size, return_index=True, return_true_size=True,
                                 fill_value=0) if arr2.size else (arr2, _iota(0), _count(lax.full((0,), False, np.bool_)))
        arr = lax.concatenate([arr1, arr2], 0)
        keep = lax.concatenate([lax.lt(_iota(arr1.size), lax.broadcast_in_dim(n1, arr1.shape, ())),
                                lax.lt(_iota(arr2.size), lax.broadcast_in_dim(n2, arr2.shape, ()))], 0)
        # valid values first (arr1's then arr2's), so that positions >= n1 belong to arr2
        (arr, src), _ = _compress(keep, [arr, _iota(arr.shape[0])], arr.shape[0])
        valid = lax.lt(_iota(arr.shape[0]), lax.broadcast_in_dim(lax.add(n1, n2), arr.shape, ()))
        del src
    m = arr.shape[0]
    if m == 0:
        empty = lax.full((size or 0,), 0, arr.dtype)
        if return_indices:
            return empty, lax.full((size or 0,), 0, _int()), lax.full((size or 0,), 0, _int())
        return empty
    _, aux, order = lax.sort([lax.bitwise_not(valid), arr, _iota(m)], num_keys=2)
    vmask = lax.sort([lax.bitwise_not(valid), arr, valid], num_keys=2)[2]
    same = lax.eq(lax.slice(aux, (1,), (m,)), lax.slice(aux, (0,), (m - 1,)))
    aux_mask = lax.bitwise_and(same, lax.slice(vmask, (1,), (m,)))
    n = _count(aux_mask)
    out_size = _concrete_count(aux_mask, "The error arose in intersect1d()") if size is None else size
    (vals, i1), _ = _compress(aux_mask, [lax.slice(aux, (0,), (m - 1,)), lax.slice(order, (0,), (m - 1,))],
                              out_size)
    (i2,), _ = _compress(aux_mask, [lax.slice(order, (1,), (m,))], out_size)
    valid_out = lax.lt(_iota(out_size), lax.broadcast_in_dim(n, (out_size,), ()))
    if size is not None:
        vals = lax.select(valid_out, vals, lax.full((out_size,), 0, vals.dtype))
        vals = _fill_tail(vals, n, fill_value)
    if not return_indices:
        return vals
    # positions in the concatenation: arr1's part first, arr2's after n1 (or arr1.size if unique)
    offset = n1 if not assume_unique else lax._convert_element_type(n1_all, _int())
    i2 = lax.sub(i2, lax.broadcast_in_dim(offset, i2.shape, ()))
    if not assume_unique:
        i1 = _take_small(ind1, i1)
        i2 = _take_small(ind2, i2)
    if size is not None:
        i1 = lax.select(valid_out, i1, lax.full((out_size,), ar1.size, _int()))
        i2 = lax.select(valid_out, i2, lax.full((out_size,), ar2.size, _int()))
    return vals, i1, i2


def _take_small(src, idx):
    """``src[idx]`` for 1-D arrays with in-range ``idx`` (a gather; ``src`` may be empty)."""
    if src.shape[0] == 0:
        return lax.full(idx.shape, 0, src.dtype)
    from jaxlite._src.numpy.indexing import take
    return take(src, idx, mode="clip")
