"""Sorting primitives: ``sort`` (several operands, lexicographic on the first ``num_keys``) and ``top_k``.

Order, as in JAX: floating point keys sort with -0.0 equal to 0.0 and every NaN (either sign) at the
end; complex keys sort by real part, then imaginary part. ``top_k`` instead uses the total order of
the bit patterns (-NaN < -inf < ... < -0.0 < 0.0 < ... < inf < NaN), ties going to the lower index.

Derivatives follow the permutation: the jvp of ``sort`` sorts an iota along with the operands and
gathers the tangents at the sorted iota (a gather, whose transpose is a scatter-add).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.core import Primitive, ShapedArray
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.interpreters.ad import Zero, is_undefined_primal

__all__ = ["sort", "sort_key_val", "top_k", "sort_p", "top_k_p"]


def _canonical_axis(axis, ndim):
    axis = int(axis)
    if not -ndim <= axis < max(ndim, 1):
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim if ndim else 0


# ---------------------------------------------------------------------------------------------------
# sort
# ---------------------------------------------------------------------------------------------------

def _sort_keys_np(x):
    """NumPy arrays whose lexicographic (stable) order is JAX's sort order for ``x`` (primary first)."""
    if x.dtype.kind == "c":
        return _sort_keys_np(np.real(x)) + _sort_keys_np(np.imag(x))
    if x.dtype.kind == "f" or x.dtype == dtypes.bfloat16:
        x = x.astype(np.float32) if x.dtype.itemsize < 4 else x
        # -0.0 and 0.0 compare equal; NumPy's comparisons put all NaNs last and equal to each other
        return [x]
    if x.dtype == np.bool_:
        return [x.astype(np.uint8)]
    return [x]


def _sort_permutation_np(keys, axis):
    """Indices that stably sort ``keys`` (lexicographically, first key primary) along ``axis``."""
    flat = []
    for k in keys:
        flat.extend(_sort_keys_np(np.moveaxis(np.asarray(k), axis, -1)))
    if len(flat) == 1:
        return np.argsort(flat[0], axis=-1, kind="stable")
    return np.lexsort(flat[::-1], axis=-1)


def _sort_impl(*operands, dimension, is_stable, num_keys):
    perm = _sort_permutation_np(operands[:num_keys], dimension)
    outs = []
    for x in operands:
        xm = np.moveaxis(np.asarray(x), dimension, -1)
        outs.append(np.moveaxis(np.take_along_axis(xm, perm, axis=-1), -1, dimension))
    return outs


def _sort_abstract(*avals, dimension, is_stable, num_keys):
    if not avals:
        raise TypeError("Sort requires at least one operand")
    if any(a.shape != avals[0].shape for a in avals[1:]):
        shapes = " ".join(str(a.shape) for a in avals)
        raise TypeError(f"Arguments to sort must have equal shapes, got: {shapes}")
    if not 1 <= num_keys <= len(avals):
        raise ValueError(f"num_keys={num_keys} must be between 1 and len(operand)={len(avals)}")
    if not 0 <= dimension < max(avals[0].ndim, 1):
        raise ValueError(f"sort dimension {dimension} out of bounds for operand shape {avals[0].shape}")
    return [ShapedArray(a.shape, a.dtype, a.weak_type) for a in avals]


sort_p = Primitive("sort")
sort_p.multiple_results = True
sort_p.def_impl(_sort_impl)
sort_p.def_abstract_eval(_sort_abstract)


def _sort_jvp(primals, tangents, *, dimension, is_stable, num_keys):
    # sort an iota alongside (unsigned, as wide as the axis needs) and gather each tangent with it
    from jaxlite._src.lax.indexing import GatherDimensionNumbers, GatherScatterMode, gather
    from jaxlite._src.lax.shapes import broadcasted_iota, expand_dims
    shape = core.get_aval(primals[0]).shape
    index_dtype = np.uint64 if any(d > np.iinfo(np.uint32).max for d in shape) else np.uint32
    *out, perm = sort_p.bind(*primals, broadcasted_iota(index_dtype, shape, dimension),
                             dimension=dimension, is_stable=is_stable, num_keys=num_keys)
    others = tuple(np.delete(np.arange(len(shape), dtype=np.int64), dimension))
    dnums = GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(dimension,),
                                   start_index_map=(dimension,), operand_batching_dims=others,
                                   start_indices_batching_dims=others)
    idx = expand_dims(perm, (len(shape),))
    t_out = [t if type(t) in (Zero, ad.SymbolicZero) else
             gather(t, idx, dnums, (1,) * len(shape), mode=GatherScatterMode.PROMISE_IN_BOUNDS)
             for t in tangents]
    return out, t_out


ad.primitive_jvps[sort_p] = _sort_jvp


def _sort_batch(vals, dims, *, dimension, is_stable, num_keys):
    from jaxlite._src.lax.shapes import broadcast_in_dim
    proto, bdim = next((v, d) for v, d in zip(vals, dims) if d is not None)
    shape = core.get_aval(proto).shape
    new = []
    for v, d in zip(vals, dims):
        if d is None:
            kept = tuple(i for i in range(len(shape)) if i != bdim)
            new.append(broadcast_in_dim(v, shape, kept))
        else:
            new.append(batching.moveaxis(v, d, bdim))
    new_dim = dimension + (bdim <= dimension)
    out = sort_p.bind(*new, dimension=new_dim, is_stable=is_stable, num_keys=num_keys)
    return out, [bdim] * len(out)


batching.primitive_batchers[sort_p] = _sort_batch


def sort(operand, dimension: int = -1, is_stable: bool = True, num_keys: int = 1):
    """Sort ``operand`` (an array, or a sequence of arrays sorted together) along ``dimension``.

    With several operands the order is lexicographic on the first ``num_keys`` of them; the others
    follow the same permutation. NaNs sort to the end; -0.0 equals 0.0.

    Example:
        >>> lax.sort(jnp.array([3., 1., 2.]))
        Array([1., 2., 3.], dtype=float32)
    """
    if isinstance(operand, Sequence):
        if len(operand) == 0:
            raise TypeError("Sort requires at least one operand")
        if not 1 <= num_keys <= len(operand):
            raise ValueError(f"num_keys={num_keys} must be between 1 and len(operand)={len(operand)}")
        dimension = _canonical_axis(dimension, core.get_aval(operand[0]).ndim)
        return tuple(sort_p.bind(*operand, dimension=dimension, is_stable=bool(is_stable),
                                 num_keys=int(num_keys)))
    if num_keys != 1:
        raise ValueError(f"num_keys={num_keys} must equal 1 for a single operand.")
    dimension = _canonical_axis(dimension, core.get_aval(operand).ndim)
    return sort_p.bind(operand, dimension=dimension, is_stable=bool(is_stable), num_keys=1)[0]


def sort_key_val(keys, values, dimension: int = -1, is_stable: bool = True):
    """Sort ``keys`` along ``dimension`` and apply the same permutation to ``values``."""
    dimension = _canonical_axis(dimension, core.get_aval(keys).ndim)
    k, v = sort_p.bind(keys, values, dimension=dimension, is_stable=bool(is_stable), num_keys=1)
    return k, v


# ---------------------------------------------------------------------------------------------------
# taking elements along an axis by index (used by derivative rules)
# ---------------------------------------------------------------------------------------------------

def _take_along_axis(x, idx, axis):
    """``out[..., i, ...] = x[..., idx[..., i, ...], ...]`` along ``axis``, for in-bounds ``idx`` of
    x's rank: one gather batched over every other dimension (JAX's top_k derivative)."""
    from jaxlite._src.lax.indexing import GatherDimensionNumbers, gather
    from jaxlite._src.lax.shapes import reshape
    shape = core.get_aval(idx).shape
    rank = len(shape)
    others = tuple(i for i in range(rank) if i != axis)
    dnums = GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(axis,), start_index_map=(axis,),
                                   operand_batching_dims=others, start_indices_batching_dims=others)
    return gather(x, reshape(idx, shape + (1,)), dnums, (1,) * rank)


# ---------------------------------------------------------------------------------------------------
# top_k
# ---------------------------------------------------------------------------------------------------

def _total_order_key(x):
    """An integer/float NumPy key whose ascending order is top_k's total order on ``x``."""
    if x.dtype.kind == "f" or x.dtype == dtypes.bfloat16:
        bits = {2: np.int16, 4: np.int32, 8: np.int64}[x.dtype.itemsize]
        s = np.ascontiguousarray(x).view(bits).astype(np.int64)
        nbits = 8 * x.dtype.itemsize
        # negative floats: flip the magnitude bits so that larger magnitudes sort lower
        return np.where(s < 0, s ^ ((1 << (nbits - 1)) - 1), s)
    if x.dtype == np.bool_:
        return x.astype(np.uint8)
    return x


def _top_k_impl(x, *, k, axis):
    xm = np.moveaxis(np.asarray(x), axis, -1)
    key = _total_order_key(xm)
    n = xm.shape[-1]
    # stable ascending sort of the reversed keys, reversed again: descending, ties by lower index
    order = np.argsort(key[..., ::-1], axis=-1, kind="stable")[..., ::-1]
    idx = (n - 1 - order)[..., :k]
    vals = np.take_along_axis(xm, idx, axis=-1)
    return [np.moveaxis(vals, -1, axis), np.moveaxis(idx.astype(np.int32), -1, axis)]


def _top_k_abstract(x, *, k, axis):
    if dtypes.issubdtype(x.dtype, np.complexfloating):
        raise ValueError("top_k is not compatible with complex inputs.")
    if k < 0:
        raise ValueError(f"k argument to top_k must be nonnegative, got {k}")
    if x.ndim == 0:
        raise TypeError(f"top_k operand must have >= 1 dimension, got {x.shape}")
    if not 0 <= axis < x.ndim:
        raise ValueError(f"axis argument out of range: axis={axis} for operand.shape={x.shape}")
    shape = list(x.shape)
    if shape[axis] < k:
        raise ValueError(f"k argument to top_k must be no larger than size along axis; got k={k} with "
                         f"shape={tuple(shape)} and axis={axis}")
    shape[axis] = k
    return [ShapedArray(shape, x.dtype, x.weak_type), ShapedArray(shape, np.int32, False)]


top_k_p = Primitive("top_k")
top_k_p.multiple_results = True
top_k_p.def_impl(_top_k_impl)
top_k_p.def_abstract_eval(_top_k_abstract)


def _top_k_jvp(primals, tangents, *, k, axis):
    (x,), (t,) = primals, tangents
    vals, idx = top_k_p.bind(x, k=k, axis=axis)
    if type(t) in (Zero, ad.SymbolicZero):
        t_out = Zero.from_primal_value(vals)
    else:
        t_out = _take_along_axis(t, idx, axis)
    return [vals, idx], [t_out, Zero.from_primal_value(idx)]


ad.primitive_jvps[top_k_p] = _top_k_jvp


def _top_k_batch(vals, dims, *, k, axis):
    (x,), (d,) = vals, dims
    if d <= axis:
        axis += 1
    return top_k_p.bind(x, k=k, axis=axis), [d, d]


batching.primitive_batchers[top_k_p] = _top_k_batch


def top_k(operand, k: int, *, axis: int = -1):
    """The ``k`` largest entries along ``axis`` and their (int32) indices, largest first; ties go to
    the lower index.

    Example:
        >>> lax.top_k(jnp.array([9., 3., 6., 4., 10.]), 3)
        (Array([10.,  9.,  6.], dtype=float32), Array([4, 0, 2], dtype=int32))
    """
    k = core.concrete_or_error(int, k, "The k argument of lax.top_k must be a concrete int.")
    if k < 0:
        raise ValueError(f"k argument to top_k must be nonnegative, got {k}")
    axis = _canonical_axis(axis, core.get_aval(operand).ndim)
    vals, idx = top_k_p.bind(operand, k=k, axis=axis)
    return vals, idx
