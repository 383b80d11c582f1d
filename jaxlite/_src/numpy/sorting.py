"""jax.numpy sorting and searching: sort, argsort, lexsort, partition, argpartition, sort_complex,
searchsorted, digitize. All are built on the ``sort`` and ``top_k`` primitives."""
from __future__ import annotations

import operator
from typing import Sequence

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.lax import lax
from jaxlite._src.numpy.util import canonicalize_axis, ensure_arraylike, promote_dtypes, staged_jit

__all__ = ["sort", "argsort", "lexsort", "partition", "argpartition", "sort_complex", "searchsorted",
           "digitize"]


def _index_dtype_for(n):
    # JAX: the default int, unless the axis is too long for int32
    return np.dtype(np.int64) if n >= (1 << 31) else dtypes.default_int_dtype()


def _check_kind_order(name, kind, order):
    if kind is not None:
        raise TypeError(f"'kind' argument to {name} is not supported. Use stable=True or stable=False to "
                        f"specify sort stability.")
    if order is not None:
        raise TypeError(f"'order' argument to {name} is not supported.")


@staged_jit(static_argnames=("axis", "kind", "order", "stable", "descending"))
def sort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    """A sorted copy of ``a`` along ``axis`` (flattened if ``axis`` is None); NaNs go last.

    Example:
        >>> jnp.sort(jnp.array([2, 3, 1]), descending=True)
        Array([3, 2, 1], dtype=int32)
    """
    arr = ensure_arraylike("sort", a)
    _check_kind_order("sort", kind, order)
    if axis is None:
        arr = lax.reshape(arr, (arr.size,))
        axis = 0
    dimension = canonicalize_axis(axis, arr.ndim)
    result = lax.sort(arr, dimension=dimension, is_stable=stable)
    return lax.rev(result, (dimension,)) if descending else result


@staged_jit(static_argnames=("axis", "kind", "order", "stable", "descending", "dtype"))
def argsort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False, dtype=None):
    """Indices that sort ``a`` along ``axis``. Stable by default; with ``descending=True`` equal
    elements keep their original order.

    Example:
        >>> jnp.argsort(jnp.array([3, 1, 2]))
        Array([1, 2, 0], dtype=int32)
    """
    arr = ensure_arraylike("argsort", a)
    _check_kind_order("argsort", kind, order)
    if axis is None:
        arr = lax.reshape(arr, (arr.size,))
        axis = 0
    dimension = canonicalize_axis(axis, arr.ndim)
    if dtype is not None:
        from jaxlite._src.numpy.lax_numpy import _dtype_arg
        idx_dtype = _dtype_arg(dtype)
    else:
        idx_dtype = _index_dtype_for(arr.shape[dimension] if arr.ndim else 1)
    iota = lax.broadcasted_iota(idx_dtype, arr.shape, dimension)
    # stable descending: reverse first so that equal elements come out in their original order
    if descending and stable:
        arr = lax.rev(arr, (dimension,))
        iota = lax.rev(iota, (dimension,))
    _, indices = lax.sort_key_val(arr, iota, dimension=dimension, is_stable=stable)
    return lax.rev(indices, (dimension,)) if descending else indices


@staged_jit(static_argnames=("axis",))
def lexsort(keys, axis=-1):
    """Indirect stable sort by several keys; the LAST key is the primary one (as in NumPy)."""
    if isinstance(keys, (core.Array, core.Tracer, np.ndarray)):
        keys = [keys[i] for i in range(keys.shape[0])] if keys.ndim else [keys]
    key_arrays = tuple(ensure_arraylike("lexsort", k) for k in keys) if len(keys) else ()
    if len(key_arrays) == 0:
        raise TypeError("need sequence of keys with len > 0 in lexsort")
    if len({k.shape for k in key_arrays}) > 1:
        raise ValueError("all keys need to be the same shape")
    if key_arrays[0].ndim == 0:
        return lax.full((), 0, dtypes.default_int_dtype())
    axis = canonicalize_axis(axis, key_arrays[0].ndim)
    iota = lax.broadcasted_iota(_index_dtype_for(key_arrays[0].shape[axis]), key_arrays[0].shape, axis)
    return lax.sort((*key_arrays[::-1], iota), dimension=axis, num_keys=len(key_arrays))[-1]


def _neg_for_top_k(arr):
    """A key whose largest entries are ``arr``'s smallest (unsigned ints are shifted so 0 survives)."""
    if dtypes.issubdtype(arr.dtype, np.unsignedinteger):
        one = lax._convert_element_type(1, arr.dtype)
        return lax.neg(lax.add(arr, one))
    return lax.neg(arr)


def _from_neg(arr_dtype, vals):
    if dtypes.issubdtype(arr_dtype, np.unsignedinteger):
        one = lax._convert_element_type(1, arr_dtype)
        return lax.sub(lax.neg(vals), one)
    return lax.neg(vals)


@staged_jit(static_argnames=("kth", "axis"))
def partition(a, kth, axis=-1):
    """A copy of ``a`` with the ``kth`` element in sorted position, smaller ones before it (sorted) and
    larger ones after it (in descending order, as JAX's top_k-based implementation gives)."""
    arr = ensure_arraylike("partition", a)
    if dtypes.issubdtype(arr.dtype, np.complexfloating):
        raise NotImplementedError("jnp.partition for complex dtype is not implemented.")
    axis = canonicalize_axis(axis, arr.ndim)
    kth = canonicalize_axis(kth, arr.shape[axis])
    from jaxlite._src.numpy.lax_numpy import swapaxes
    arr = swapaxes(arr, axis, -1)
    bottom = _from_neg(arr.dtype, lax.top_k(_neg_for_top_k(arr), kth + 1)[0])
    top = lax.top_k(arr, arr.shape[-1] - kth - 1)[0]
    out = lax.concatenate([bottom, top], arr.ndim - 1)
    return swapaxes(out, -1, axis)


@staged_jit(static_argnames=("kth", "axis"))
def argpartition(a, kth, axis=-1):
    """Indices that would partition ``a`` (see :func:`partition`)."""
    arr = ensure_arraylike("partition", a)
    if dtypes.issubdtype(arr.dtype, np.complexfloating):
        raise NotImplementedError("jnp.argpartition for complex dtype is not implemented.")
    axis = canonicalize_axis(axis, arr.ndim)
    kth = canonicalize_axis(kth, arr.shape[axis])
    from jaxlite._src.numpy.lax_numpy import swapaxes
    arr = swapaxes(arr, axis, -1)
    n = arr.shape[-1]
    bottom_ind = lax.top_k(_neg_for_top_k(arr), kth + 1)[1]
    # the remaining indices, in increasing order: mark the chosen ones and take the unmarked ones
    chosen = lax.reduce_or(lax.eq(lax.expand_dims(bottom_ind, (bottom_ind.ndim,)),
                                  lax.broadcasted_iota(np.int32, bottom_ind.shape + (n,), bottom_ind.ndim)),
                           (bottom_ind.ndim - 1,))
    proxy = lax.convert_element_type(lax.bitwise_not(chosen), np.float32)
    top_ind = lax.top_k(proxy, n - kth - 1)[1]
    out = lax.concatenate([bottom_ind, top_ind], arr.ndim - 1)
    return swapaxes(out, -1, axis)


@staged_jit
def sort_complex(a):
    """Sort by real part, then imaginary part; the result is complex."""
    a = ensure_arraylike("sort_complex", a)
    a = lax.sort(a)
    return lax.convert_element_type(a, dtypes.to_complex_dtype(a.dtype))


# ---------------------------------------------------------------------------------------------------
# searchsorted / digitize
# ---------------------------------------------------------------------------------------------------

def _lt_sort_order(x, y):
    """x < y in the sort order (NaN largest, all NaNs equal; complex lexicographic)."""
    if dtypes.issubdtype(x.dtype, np.complexfloating):
        xr, xi, yr, yi = lax.real(x), lax.imag(x), lax.real(y), lax.imag(y)
        return lax.bitwise_or(_lt_sort_order(xr, yr),
                              lax.bitwise_and(_eq_sort_order(xr, yr), _lt_sort_order(xi, yi)))
    if dtypes.issubdtype(x.dtype, np.floating):
        xnan, ynan = lax.ne(x, x), lax.ne(y, y)
        return lax.bitwise_or(lax.lt(x, y), lax.bitwise_and(lax.bitwise_not(xnan), ynan))
    return lax.lt(x, y)


def _eq_sort_order(x, y):
    if dtypes.issubdtype(x.dtype, np.floating):
        return lax.bitwise_or(lax.eq(x, y), lax.bitwise_and(lax.ne(x, x), lax.ne(y, y)))
    return lax.eq(x, y)


def _searchsorted_compare_all(sorted_arr, query, side, dtype):
    # count the elements of sorted_arr that go before each query
    a = lax.expand_dims(sorted_arr, tuple(range(1, query.ndim + 1)))
    q = lax.expand_dims(query, (0,))
    shape = sorted_arr.shape + query.shape
    a = lax.broadcast_in_dim(a, shape, tuple(range(len(shape))))
    q = lax.broadcast_in_dim(q, shape, tuple(range(len(shape))))
    if side == "left":
        before = _lt_sort_order(a, q)
    else:
        before = lax.bitwise_not(_lt_sort_order(q, a))
    return lax.reduce_sum(lax.convert_element_type(before, dtype), (0,))


def _rank(x, working_dtype):
    """Position of each element of 1-D ``x`` in its stable sorted order (the inverse permutation)."""
    idx = lax.iota(working_dtype, x.shape[0])
    perm = lax.sort_key_val(x, idx)[1]
    return lax.sort_key_val(perm, idx)[1]


def _searchsorted_sort(sorted_arr, query, side, dtype):
    # co-sort the queries with the array: a query's position among all elements, minus its rank among
    # the queries, is the number of array elements before it (queries go first among equals for
    # side='left', last for side='right')
    n, m = sorted_arr.shape[0], query.size
    working = np.int32 if n + m <= np.iinfo(np.int32).max else np.int64
    q = lax.reshape(query, (m,))
    if side == "left":
        index = lax.slice(_rank(lax.concatenate([q, sorted_arr], 0), working), (0,), (m,))
    else:
        index = lax.slice(_rank(lax.concatenate([sorted_arr, q], 0), working), (n,), (n + m,))
    out = lax.sub(index, _rank(q, working))
    return lax.convert_element_type(lax.reshape(out, query.shape), dtype)


@staged_jit(static_argnames=("side", "method"))
def _searchsorted(a, v, sorter, side, method):
    if sorter is not None:
        a = _permute(a, sorter)
    dtype = np.dtype(np.int64) if a.shape[0] >= (1 << 31) else np.dtype(np.int32)
    if a.shape[0] == 0:
        return lax.full(v.shape, 0, dtype)
    if method == "compare_all":
        return _searchsorted_compare_all(a, v, side, dtype)
    # 'scan' (JAX's default binary search), 'scan_unrolled' and 'sort' all give the same answer; the
    # co-sorting algorithm needs no gather and is O((n + m) log(n + m)).
    return _searchsorted_sort(a, v, side, dtype)


def searchsorted(a, v, side="left", sorter=None, *, method="scan"):
    """Indices where the elements of ``v`` would be inserted into the sorted 1-D ``a``.

    ``method`` is one of 'scan' (default), 'scan_unrolled', 'sort' or 'compare_all'; all give the
    same result.

    Example:
        >>> jnp.searchsorted(jnp.array([1, 2, 3]), jnp.array([0, 2, 4]))
        Array([0, 1, 3], dtype=int32)
    """
    if sorter is None:
        a, v = ensure_arraylike("searchsorted", a, v)
    else:
        a, v, sorter = ensure_arraylike("searchsorted", a, v, sorter)
    if a.ndim != 1:
        raise ValueError("a should be 1-dimensional")
    if side not in ("left", "right"):
        raise ValueError(f"{side!r} is an invalid value for keyword 'side'. Expected one of "
                         f"['left', 'right'].")
    if method not in ("scan", "scan_unrolled", "compare_all", "sort"):
        raise ValueError(f"Unsupported method: {method}")
    a, v = promote_dtypes(a, v)
    return _searchsorted(a, v, sorter, side=side, method=method)


@staged_jit(static_argnames=("right", "method"))
def digitize(x, bins, right=False, *, method=None):
    """Index of the bin of ``bins`` (monotonic, 1-D) that each element of ``x`` falls in.

    Example:
        >>> jnp.digitize(jnp.array([1.0, 2.5, 3.5]), jnp.array([1, 2, 3]))
        Array([1, 2, 3], dtype=int32)
    """
    x, bins_arr = ensure_arraylike("digitize", x, bins)
    right = core.concrete_or_error(bool, right, "right argument of jnp.digitize()")
    if bins_arr.ndim != 1:
        raise ValueError(f"digitize: bins must be a 1-dimensional array; got bins={bins}")
    if bins_arr.shape[0] == 0:
        return lax.full(x.shape, 0, np.int32)
    side = "right" if not right else "left"
    kw = {} if method is None else {"method": method}
    n = bins_arr.shape[0]
    increasing = lax.ge(lax.squeeze(lax.slice(bins_arr, (n - 1,), (n,)), (0,)),
                        lax.squeeze(lax.slice(bins_arr, (0,), (1,)), (0,)))
    fwd = searchsorted(bins_arr, x, side=side, **kw)
    bwd = lax.sub(lax._convert_element_type(n, fwd.dtype),
                  searchsorted(lax.rev(bins_arr, (0,)), x, side=side, **kw))
    return lax.select(lax.broadcast_in_dim(increasing, fwd.shape, ()), fwd, bwd)


# ---------------------------------------------------------------------------------------------------
# gather-free helpers shared with setops/statistics
# ---------------------------------------------------------------------------------------------------

def _permute(x, perm, axis=0):
    """``x`` with ``out[i] = x[perm[i]]`` along ``axis``, for a permutation ``perm`` (1-D).

    Two sorts: sorting ``iota`` by ``perm`` gives the inverse permutation, and sorting ``x`` by the
    inverse puts each element where ``perm`` asks."""
    n = perm.shape[0]
    idx = lax.iota(perm.dtype, n)
    inv = lax.sort_key_val(perm, idx)[1]
    return _apply_inverse(x, inv, axis)


def _apply_inverse(x, inv, axis=0):
    """``out[inv[k]] = x[k]`` along ``axis`` (a scatter by a permutation), as a sort keyed on ``inv``."""
    x = ensure_arraylike("permute", x)
    key = lax.broadcast_in_dim(inv, x.shape, (axis,)) if x.ndim > 1 else inv
    return lax.sort_key_val(key, x, dimension=axis)[1]


def _compress(mask, operands, size, axis=0):
    """The entries of ``operands`` where 1-D ``mask`` is true, in order, first ``size`` of them (padded
    with the trailing entries when fewer are true), along ``axis``. Also returns the true count.

    A stable sort keyed on ``not mask`` brings the selected entries to the front."""
    n = mask.shape[0]
    key = lax.convert_element_type(lax.bitwise_not(mask), np.uint8)
    outs = []
    for x in operands:
        k = lax.broadcast_in_dim(key, x.shape, (axis,)) if x.ndim > 1 else key
        s = lax.sort_key_val(k, x, dimension=axis)[1]
        if size <= n:
            starts = [0] * s.ndim
            limits = list(s.shape)
            limits[axis] = size
            s = lax.slice(s, starts, limits)
        else:
            cfg = [(0, 0, 0)] * s.ndim
            cfg[axis] = (0, size - n, 0)
            s = lax.pad(s, lax._convert_element_type(0, s.dtype), cfg)
        outs.append(s)
    count = lax.reduce_sum(lax.convert_element_type(mask, dtypes.default_int_dtype()), (0,))
    return outs, count
