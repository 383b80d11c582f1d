"""NumPy-style indexing (``x[idx]``), functional updates (``x.at[idx].set(v)``) and the indexing
functions of jax.numpy (take, take_along_axis, put_along_axis, choose, compress, ...).

``x[idx]`` is lowered the way JAX lowers it, trying in order:

1. static ``slice`` (+ ``rev``/``squeeze``/``expand_dims``) when every index is a static int, slice,
   ``None`` or ``...`` (and static ints are in bounds);
2. ``dynamic_slice`` when the only non-static indices are scalar integer arrays (traced ``x[i]``) and
   all slices have unit steps; the start index is wrapped with ``lt``/``add``/``select_n``;
3. ``gather`` for everything else (integer arrays, boolean masks, mixed advanced/basic indexing).

``x.at[idx].op(y)`` builds the same gather description and transposes it into a scatter.
Out-of-bounds reads clamp (``mode=None``/``'promise_in_bounds'``/``'clip'``) or fill (``'fill'``);
out-of-bounds updates are dropped unless ``mode='clip'``. Nothing here mutates its inputs.
"""
from __future__ import annotations

import enum
import operator
from typing import Any, NamedTuple, Sequence

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.core import Tracer
from jaxlite._src.errors import NonConcreteBooleanIndexError
from jaxlite._src.lax import lax
from jaxlite._src.lax import indexing as slicing
from jaxlite._src.lax.indexing import GatherScatterMode

__all__ = [
    "rewriting_take", "take", "take_along_axis", "put_along_axis", "put", "place", "choose",
    "compress", "extract", "ravel_multi_index", "unravel_index", "diag_indices", "diag_indices_from",
    "tril_indices", "triu_indices", "tril_indices_from", "triu_indices_from", "ix_",
]


def _jnp():
    from jaxlite._src.numpy import lax_numpy
    return lax_numpy


def _is_array(x):
    return isinstance(x, (core.Array, Tracer, np.ndarray))


def _ndim(x):
    return core.get_aval(x).ndim if isinstance(x, (core.Array, Tracer)) else np.ndim(x)


def _shape(x):
    return core.get_aval(x).shape if isinstance(x, (core.Array, Tracer)) else np.shape(x)


def _dtype(x):
    return core.get_aval(x).dtype if isinstance(x, (core.Array, Tracer)) else np.asarray(x).dtype


# ---------------------------------------------------------------------------------------------------
# parsing an index expression
# ---------------------------------------------------------------------------------------------------

class IndexType(enum.Enum):
    NONE = "none"
    SLICE = "slice"
    ELLIPSIS = "ellipsis"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    ARRAY = "array"


def _is_integer_index(i):
    return isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_))


def _is_scalar(x):
    return np.isscalar(x) or (_is_array(x) and _ndim(x) == 0)


def _is_boolean_index(i):
    if isinstance(i, (bool, np.bool_)):
        return True
    if _is_array(i):
        return _dtype(i) == np.bool_
    return (isinstance(i, list) and len(i) > 0 and
            all(_is_scalar(e) and np.asarray(e).dtype == np.bool_ for e in i
                if not isinstance(e, Tracer)) and
            all(not isinstance(e, Tracer) or e.dtype == np.bool_ for e in i))


def _index_type(idx) -> IndexType:
    if idx is None:
        return IndexType.NONE
    if idx is Ellipsis:
        return IndexType.ELLIPSIS
    if isinstance(idx, slice):
        return IndexType.SLICE
    if _is_integer_index(idx):
        return IndexType.INTEGER
    if _is_boolean_index(idx):
        return IndexType.BOOLEAN
    if _is_array(idx):
        if dtypes.issubdtype(_dtype(idx), np.integer):
            return IndexType.ARRAY
        raise TypeError(f"Indexer must have integer or boolean type, got indexer with type {_dtype(idx)}")
    if isinstance(idx, str):
        raise TypeError(f"JAX does not support string indexing; got idx={idx!r}")
    if isinstance(idx, Sequence):
        if not idx:
            return IndexType.ARRAY
        dt = _dtype(_jnp().asarray(idx))
        if dt == np.bool_:
            return IndexType.BOOLEAN
        if dtypes.issubdtype(dt, np.integer):
            return IndexType.ARRAY
        raise TypeError(f"Indexer must have integer or boolean type, got indexer with type {dt}")
    if isinstance(idx, (float, complex, np.generic)):
        raise TypeError(f"Indexer must have integer or boolean type, got indexer with type "
                        f"{np.dtype(type(idx))}")
    raise IndexError("only integers, slices (`:`), ellipsis (`...`), newaxis (`None`) and integer or "
                     f"boolean arrays are valid indices. Got {idx}")


class ParsedIndex(NamedTuple):
    index: Any
    typ: IndexType
    consumed_axes: tuple


def _should_unpack_list_index(x):
    return ((_is_array(x) and _ndim(x) != 0) or isinstance(x, (Sequence, slice))
            or x is Ellipsis or x is None)


def _eliminate_list_indexing(idx):
    if isinstance(idx, tuple):
        return idx
    if isinstance(idx, Sequence) and not isinstance(idx, (str, core.Array, np.ndarray)):
        hint = "arr[tuple(seq)]" if any(_should_unpack_list_index(i) for i in idx) else "arr[array(seq)]"
        raise TypeError("Using a non-tuple sequence for multidimensional indexing is not allowed; use "
                        f"`{hint}` instead of `arr[seq]`. See https://github.com/jax-ml/jax/issues/4564 "
                        "for more information.")
    return (idx,)


def _parse_indices(idx, shape) -> list[ParsedIndex]:
    indices = _eliminate_list_indexing(idx)
    types = [_index_type(i) for i in indices]
    consumed = []
    ellipses = []
    for k, (i, t) in enumerate(zip(indices, types)):
        if t in (IndexType.NONE, IndexType.ELLIPSIS):
            consumed.append(0)
            if t is IndexType.ELLIPSIS:
                ellipses.append(k)
        elif t is IndexType.BOOLEAN:
            consumed.append(_ndim(i) if not isinstance(i, list) else np.ndim(np.asarray(i)))
        else:
            consumed.append(1)
    if len(ellipses) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    total = sum(consumed)
    if total > len(shape):
        raise IndexError(f"Too many indices: array is {len(shape)}-dimensional, but {total} were indexed")
    if ellipses:
        consumed[ellipses[0]] = len(shape) - total
    out, cur = [], 0
    for i, t, n in zip(indices, types, consumed):
        out.append(ParsedIndex(i, t, tuple(range(cur, cur + n))))
        cur += n
    return out


def _expand_ellipses(parsed, shape):
    out, used = [], 0
    for p in parsed:
        used += len(p.consumed_axes)
        if p.typ is IndexType.ELLIPSIS:
            out.extend(ParsedIndex(slice(None), IndexType.SLICE, (a,)) for a in p.consumed_axes)
        else:
            out.append(p)
    out.extend(ParsedIndex(slice(None), IndexType.SLICE, (a,)) for a in range(used, len(shape)))
    return out


def _validate_static_ints(parsed, shape, normalize):
    for p in parsed:
        if p.typ is IndexType.INTEGER:
            i = operator.index(p.index)
            axis, = p.consumed_axes
            size = shape[axis]
            k = i + size if normalize and i < 0 else i
            if not 0 <= k < size:
                raise IndexError(f"index {i} out of bounds for axis {axis} with size {size} "
                                 f"(normalize_indices={normalize})")


def _is_static_value(v):
    return v is None or (not isinstance(v, Tracer) or v.to_concrete_value() is not None)


def _validate_slices(parsed):
    for pos, p in enumerate(parsed):
        if p.typ is IndexType.SLICE:
            s = p.index
            if not all(_is_static_value(v) for v in (s.start, s.stop, s.step)):
                raise IndexError(f"Slice entries must be static integers. Got {s} at position {pos}")


def _static_slice_bounds(s: slice, size: int):
    start = None if s.start is None else operator.index(s.start)
    stop = None if s.stop is None else operator.index(s.stop)
    step = None if s.step is None else operator.index(s.step)
    return slice(start, stop, step).indices(size)


# ---------------------------------------------------------------------------------------------------
# x[idx]
# ---------------------------------------------------------------------------------------------------

def _try_static_slice(arr, parsed, shape, mode, normalize):
    m = GatherScatterMode.PROMISE_IN_BOUNDS if mode is None else GatherScatterMode.from_any(mode)
    if m not in (GatherScatterMode.PROMISE_IN_BOUNDS, GatherScatterMode.CLIP):
        return None
    if any(p.typ in (IndexType.ARRAY, IndexType.BOOLEAN) for p in parsed):
        return None
    if m is GatherScatterMode.PROMISE_IN_BOUNDS:
        try:
            _validate_static_ints(parsed, shape, normalize)
        except IndexError:
            return None
    _validate_slices(parsed)
    starts, limits, strides, rev, squeeze, newaxis = [], [], [], [], [], []
    for p in _expand_ellipses(parsed, shape):
        if p.typ is IndexType.NONE:
            newaxis.append(len(starts) - len(squeeze) + len(newaxis))
        elif p.typ is IndexType.INTEGER:
            axis, = p.consumed_axes
            if shape[axis] == 0:
                raise IndexError(f"index is out of bounds for axis {axis} with size 0")
            k = int(p.index)
            if normalize and k < 0:
                k += shape[axis]
            k = min(max(k, 0), shape[axis] - 1)
            starts.append(k)
            limits.append(k + 1)
            strides.append(1)
            squeeze.append(axis)
        else:
            axis, = p.consumed_axes
            size = shape[axis]
            start, stop, step = _static_slice_bounds(p.index, size)
            if step < 0:
                new_start = min(size, stop + 1 + abs(start - stop - 1) % abs(step))
                starts.append(new_start)
                limits.append(max(new_start, start + 1))
                strides.append(-step)
                rev.append(axis)
            else:
                starts.append(start)
                limits.append(max(start, stop))
                strides.append(step)
    out = arr
    trivial = all(s == 1 for s in strides) and all((a, b) == (0, n) for a, b, n in zip(starts, limits, shape))
    if not trivial:
        out = lax.slice(out, starts, limits, None if all(s == 1 for s in strides) else strides)
    if rev:
        out = lax.rev(out, tuple(rev))
    if squeeze:
        out = lax.squeeze(out, tuple(squeeze))
    if newaxis:
        out = lax.expand_dims(out, tuple(newaxis))
    return out


def _index_dtype(shape):
    big = any(d > np.iinfo(np.int32).max for d in shape)
    return np.dtype(np.int64) if big and dtypes.canonicalize_dtype(np.int64) == np.int64 else np.dtype(np.int32)


def _try_dynamic_slice(arr, parsed, shape, mode, normalize):
    if mode is not None and GatherScatterMode.from_any(mode) not in (
            GatherScatterMode.PROMISE_IN_BOUNDS, GatherScatterMode.CLIP):
        return None
    for p in parsed:
        if p.typ is IndexType.SLICE:
            if p.index.step is not None and not (_is_static_value(p.index.step)
                                                 and operator.index(p.index.step) in (-1, 1)):
                return None
            if not all(_is_static_value(v) for v in (p.index.start, p.index.stop)):
                return None
        elif p.typ is IndexType.ARRAY:
            if isinstance(p.index, Sequence) or _ndim(p.index) != 0:
                return None
        elif p.typ is IndexType.BOOLEAN:
            return None
    starts, sizes, rev, squeeze, newaxis = [], [], [], [], []
    trivial = True
    for p in _expand_ellipses(parsed, shape):
        if p.typ is IndexType.NONE:
            newaxis.append(len(starts) - len(squeeze) + len(newaxis))
        elif p.typ in (IndexType.INTEGER, IndexType.ARRAY):
            trivial = False
            axis, = p.consumed_axes
            if shape[axis] == 0:
                raise IndexError(f"index is out of bounds for axis {axis} with size 0")
            starts.append(_jnp().asarray(p.index))
            sizes.append(1)
            squeeze.append(axis)
        else:
            if p.index != slice(None):
                trivial = False
            axis, = p.consumed_axes
            size = shape[axis]
            start, stop, step = _static_slice_bounds(p.index, size)
            if step < 0:
                new_start = stop + 1 + abs(start - stop - 1) % abs(step)
                starts.append(new_start)
                sizes.append(max(0, start + 1 - new_start))
                rev.append(axis)
            else:
                starts.append(start)
                sizes.append(max(0, stop - start))
    if len(starts) > 1:
        dt = _index_dtype(shape)
        starts = [lax._convert_element_type(s, dt) for s in starts]
    out = arr
    if not trivial:
        out = slicing.dynamic_slice(out, starts, sizes, allow_negative_indices=normalize)
    if rev:
        out = lax.rev(out, tuple(rev))
    if squeeze:
        out = lax.squeeze(out, tuple(squeeze))
    if newaxis:
        out = lax.expand_dims(out, tuple(newaxis))
    return out


def _expand_bool_indices(parsed, shape):
    out = []
    for pos, p in enumerate(parsed):
        if p.typ is not IndexType.BOOLEAN:
            out.append(p)
            continue
        idx = p.index
        if isinstance(idx, Tracer) and idx.to_concrete_value() is None:
            raise NonConcreteBooleanIndexError(idx)
        if isinstance(idx, list) and any(isinstance(e, Tracer) for e in idx):
            if any(e.to_concrete_value() is None for e in idx if isinstance(e, Tracer)):
                raise NonConcreteBooleanIndexError(_jnp().asarray(idx))
        val = np.asarray(idx.to_concrete_value() if isinstance(idx, Tracer) else
                         [np.asarray(e) for e in idx] if isinstance(idx, list) else idx)
        if val.ndim == 0:
            out.append(ParsedIndex(bool(val), p.typ, ()))
            continue
        expected = [shape[a] for a in p.consumed_axes]
        if not all(s1 in (0, s2) for s1, s2 in zip(val.shape, expected)):
            raise IndexError(f"boolean index did not match shape of indexed array in index {pos}: got "
                             f"{val.shape}, expected {expected}")
        for ii, axis in zip(np.where(val), p.consumed_axes):
            out.append(ParsedIndex(ii.astype(dtypes.canonicalize_dtype(np.int64)), IndexType.ARRAY, (axis,)))
    return out


def _expand_scalar_bool_indices(parsed, shape):
    new_shape = list(shape)
    new = []
    cur = 0
    for i, p in enumerate(parsed):
        if p.typ is IndexType.BOOLEAN and np.ndim(p.index) == 0:
            new_shape.insert(i, 1)
            new.append(ParsedIndex(np.arange(int(p.index), dtype=np.int32), IndexType.ARRAY, (cur,)))
            cur += 1
        else:
            n = len(p.consumed_axes)
            new.append(ParsedIndex(p.index, p.typ, tuple(range(cur, cur + n))))
            cur += n
    return new, tuple(new_shape)


class _GatherIndexer(NamedTuple):
    slice_shape: tuple           # shape of x[idx]
    gather_slice_shape: tuple    # slice_sizes of the gather
    gather_indices: Any          # the gather's start indices
    dnums: slicing.GatherDimensionNumbers
    unique_indices: bool
    indices_are_sorted: bool
    reversed_y_dims: tuple       # result dims to reverse (negative steps)
    newaxis_dims: tuple          # result dims added by None
    scalar_bool_dims: tuple      # operand dims added for scalar boolean indices


def _const(example, val):
    """``val`` as a constant of ``example``'s dtype; weak (a Python scalar) for weak scalar examples."""
    dt = _dtype(example)
    if dtypes.is_weakly_typed_scalar(example):
        return (int if dtypes.issubdtype(dt, np.integer) else float)(val)
    return np.asarray(val, dt)


def _normalize_parsed(parsed, shape):
    out = []
    for p in parsed:
        if p.typ is IndexType.INTEGER:
            axis, = p.consumed_axes
            idx = p.index
            if not isinstance(idx, np.unsignedinteger) and idx < 0:
                idx = idx + shape[axis]
            out.append(ParsedIndex(idx, p.typ, p.consumed_axes))
        elif p.typ is IndexType.ARRAY:
            axis, = p.consumed_axes
            idx = p.index
            if not dtypes.issubdtype(_dtype(idx), np.unsignedinteger):
                idx = lax.select(idx < 0, lax.add(idx, _const(idx, shape[axis])), idx)
            out.append(ParsedIndex(idx, p.typ, p.consumed_axes))
        else:
            out.append(p)
    return out


def _index_to_gather(parsed, shape, normalize=True) -> _GatherIndexer:
    jnp = _jnp()
    _validate_slices(parsed)
    parsed = [ParsedIndex(jnp.asarray(p.index), p.typ, p.consumed_axes)
              if isinstance(p.index, Sequence) and not isinstance(p.index, (str, slice)) else p
              for p in parsed]
    adv_pos = np.nonzero(np.array([p.typ in (IndexType.ARRAY, IndexType.INTEGER) for p in parsed],
                                  dtype=bool))[0]
    contiguous = bool(np.all(np.diff(adv_pos) == 1))
    parsed = _expand_ellipses(parsed, shape)
    scalar_bool_dims = tuple(n for n, p in enumerate(parsed) if p.typ is IndexType.BOOLEAN)
    parsed, shape = _expand_scalar_bool_indices(parsed, shape)
    if normalize:
        parsed = _normalize_parsed(parsed, shape)

    advanced, idx_adv_axes, x_adv_axes = [], [], []
    if any(p.typ in (IndexType.ARRAY, IndexType.BOOLEAN) and _ndim(p.index) > 0 for p in parsed):
        j = 0
        for i, p in enumerate(parsed):
            if p.typ is IndexType.NONE:
                continue
            if p.typ in (IndexType.ARRAY, IndexType.INTEGER):
                advanced.append(jnp.asarray(p.index))
                idx_adv_axes.append(i)
                x_adv_axes.append(j)
            j += 1

    index_dtype = _index_dtype(shape)
    x_axis = y_axis = collapsed_y_axis = 0
    offset_dims, collapsed_slice_dims, start_index_map = [], [], []
    gather_indices, gather_indices_shape = [], []
    slice_shape, newaxis_dims, reversed_y_dims, gather_slice_shape = [], [], [], []

    for pos, p in enumerate(parsed):
        if advanced and ((contiguous and pos == idx_adv_axes[0]) or (not contiguous and pos == 0)):
            arrs = _broadcast_index_arrays(advanced)
            adv_shape = _shape(arrs[0])
            start_dim = len(gather_indices_shape)
            gather_indices.extend((lax._convert_element_type(a, index_dtype), start_dim) for a in arrs)
            gather_indices_shape += list(adv_shape)
            start_index_map.extend(x_adv_axes)
            collapsed_slice_dims.extend(x_adv_axes)
            slice_shape.extend(adv_shape)
            y_axis += len(adv_shape)
            collapsed_y_axis += len(adv_shape)
        if pos in idx_adv_axes:
            x_axis += 1
            gather_slice_shape.append(1)
            continue
        if p.typ in (IndexType.INTEGER, IndexType.ARRAY) and _ndim(p.index) == 0:
            if shape[x_axis] == 0:
                raise IndexError(f"index is out of bounds for axis {x_axis} with size 0")
            gather_indices.append((lax._convert_element_type(p.index, index_dtype), len(gather_indices_shape)))
            collapsed_slice_dims.append(x_axis)
            gather_slice_shape.append(1)
            start_index_map.append(x_axis)
            x_axis += 1
        elif p.typ is IndexType.NONE:
            slice_shape.append(1)
            newaxis_dims.append(y_axis)
            y_axis += 1
        elif p.typ is IndexType.SLICE:
            start, stop, step = _static_slice_bounds(p.index, shape[x_axis])
            size = len(range(start, stop, step))
            slice_shape.append(size)
            if step == 1:
                if size != shape[x_axis]:
                    gather_indices.append((lax._convert_element_type(start, index_dtype),
                                           len(gather_indices_shape)))
                    start_index_map.append(x_axis)
                gather_slice_shape.append(size)
                offset_dims.append(collapsed_y_axis)
            else:
                idx = (jnp.array(start, dtype=index_dtype)
                       + jnp.array(step, dtype=index_dtype) * lax.iota(index_dtype, size))
                if step < 0:
                    reversed_y_dims.append(collapsed_y_axis)
                    idx = lax.rev(idx, (0,))
                gather_slice_shape.append(1)
                gather_indices.append((idx, len(gather_indices_shape)))
                start_index_map.append(x_axis)
                gather_indices_shape.append(size)
                collapsed_slice_dims.append(x_axis)
            collapsed_y_axis += 1
            y_axis += 1
            x_axis += 1
        else:
            raise IndexError(f"Got unsupported indexer at position {pos}: {p!r}")

    if not gather_indices:
        gather_indices_array = np.zeros((0,), index_dtype)
    elif len(gather_indices) == 1:
        g, _ = gather_indices[0]
        gather_indices_array = lax.expand_dims(g, (_ndim(g),))
    else:
        last = len(gather_indices_shape)
        full_shape = tuple(gather_indices_shape) + (1,)
        gather_indices_array = lax.concatenate(
            [lax.broadcast_in_dim(g, full_shape, tuple(range(i, i + _ndim(g)))) for g, i in gather_indices],
            last)
    dnums = slicing.GatherDimensionNumbers(offset_dims=tuple(offset_dims),
                                           collapsed_slice_dims=tuple(sorted(collapsed_slice_dims)),
                                           start_index_map=tuple(start_index_map))
    return _GatherIndexer(tuple(slice_shape), tuple(gather_slice_shape), gather_indices_array, dnums,
                          not advanced, not advanced, tuple(reversed_y_dims), tuple(newaxis_dims),
                          scalar_bool_dims)


def _broadcast_index_arrays(arrs):
    shapes = [_shape(a) for a in arrs]
    if len(set(shapes)) == 1:
        return list(arrs)
    try:
        target = lax.broadcast_shapes(*shapes)
    except ValueError:
        raise IndexError("shape mismatch: indexing arrays could not be broadcast together with shapes "
                         + " ".join(str(tuple(s)) for s in shapes)) from None
    return [_jnp().broadcast_to(a, target) for a in arrs]


def rewriting_take(arr, idx, indices_are_sorted=False, unique_indices=False, mode=None, fill_value=None,
                   normalize_indices=True):
    """``arr[idx]`` with NumPy semantics, lowered as JAX lowers it (slice, dynamic_slice or gather)."""
    shape = core.get_aval(arr).shape
    parsed = _parse_indices(idx, shape)
    out = _try_static_slice(arr, parsed, shape, mode, normalize_indices)
    if out is not None:
        return out
    out = _try_dynamic_slice(arr, parsed, shape, mode, normalize_indices)
    if out is not None:
        return out
    parsed = _expand_bool_indices(parsed, shape)
    return _gather(arr, parsed, shape, indices_are_sorted=indices_are_sorted,
                   unique_indices=unique_indices, mode=mode, fill_value=fill_value,
                   normalize_indices=normalize_indices)


def _gather(arr, parsed, shape, *, indices_are_sorted, unique_indices, mode, fill_value, normalize_indices):
    indexer = _index_to_gather(parsed, shape, normalize_indices)
    y = arr
    if fill_value is not None:
        fill_value = core.concrete_or_error(None, fill_value, "fill_value argument to indexed get()")
        if np.ndim(fill_value) != 0:
            raise ValueError("fill_value argument to indexed get() must be a scalar")
        if isinstance(fill_value, np.ndarray):
            fill_value = fill_value.item()
    if indexer.scalar_bool_dims:
        y = lax.expand_dims(y, indexer.scalar_bool_dims)
    if 0 in indexer.slice_shape:
        aval = core.get_aval(arr)
        return lax.full(indexer.slice_shape, 0, aval.dtype, weak_type=aval.weak_type)
    if 0 not in _shape(indexer.gather_indices):
        y = slicing.gather(y, indexer.gather_indices, indexer.dnums, indexer.gather_slice_shape,
                           unique_indices=unique_indices or indexer.unique_indices,
                           indices_are_sorted=indices_are_sorted or indexer.indices_are_sorted,
                           mode=mode, fill_value=fill_value)
    if indexer.reversed_y_dims:
        y = lax.rev(y, indexer.reversed_y_dims)
    if indexer.newaxis_dims:
        y = lax.expand_dims(y, indexer.newaxis_dims)
    return y


# ---------------------------------------------------------------------------------------------------
# x.at[idx].op(y)
# ---------------------------------------------------------------------------------------------------

def _scatter_update(x, idx, y, scatter_op, indices_are_sorted, unique_indices, mode=None,
                    normalize_indices=True):
    jnp = _jnp()
    x = jnp.asarray(x)
    if (type(y) is int and dtypes.issubdtype(x.dtype, np.integer)
            and np.iinfo(x.dtype).min <= y <= np.iinfo(x.dtype).max):
        y = jnp.asarray(y, dtype=x.dtype)
    else:
        y = jnp.asarray(y)
    parsed = _expand_bool_indices(_parse_indices(idx, x.shape), x.shape)
    dtype = x.dtype
    weak = core.get_aval(x).weak_type
    indexer = _index_to_gather(parsed, x.shape, normalize_indices)
    if 0 in indexer.slice_shape:
        return x
    from jaxlite._src.numpy.util import promote_dtypes
    x, y = promote_dtypes(x, y)
    y = jnp.broadcast_to(y, indexer.slice_shape)
    if indexer.newaxis_dims:
        y = lax.squeeze(y, indexer.newaxis_dims)
    if indexer.reversed_y_dims:
        y = lax.rev(y, indexer.reversed_y_dims)
    if indexer.scalar_bool_dims:
        x = lax.expand_dims(x, indexer.scalar_bool_dims)
    dn = indexer.dnums
    sdn = slicing.ScatterDimensionNumbers(
        update_window_dims=dn.offset_dims, inserted_window_dims=dn.collapsed_slice_dims,
        scatter_dims_to_operand_dims=dn.start_index_map, operand_batching_dims=dn.operand_batching_dims,
        scatter_indices_batching_dims=dn.start_indices_batching_dims)
    out = scatter_op(x, indexer.gather_indices, y, sdn,
                     indices_are_sorted=indexer.indices_are_sorted or indices_are_sorted,
                     unique_indices=indexer.unique_indices or unique_indices, mode=mode)
    if indexer.scalar_bool_dims:
        out = lax.squeeze(out, indexer.scalar_bool_dims)
    return lax._convert_element_type(out, dtype, weak)


class _IndexUpdateHelper:
    """The ``x.at`` property: ``x.at[idx]`` gives an object whose methods return updated copies of ``x``.

    Example::

        >>> x = jnp.zeros(4)
        >>> x.at[1].set(5.)
        Array([0., 5., 0., 0.], dtype=float32)
        >>> x.at[jnp.array([0, 0, 9])].add(1.)      # repeated indices add up; index 9 is dropped
        Array([2., 0., 0., 0.], dtype=float32)
    """
    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array

    def __getitem__(self, index):
        return _IndexUpdateRef(self.array, index)

    def __repr__(self):
        return f"_IndexUpdateHelper({self.array!r})"


class _IndexUpdateRef:
    """``x.at[idx]``: each method returns a new array; ``x`` is never modified."""
    __slots__ = ("array", "index")

    def __init__(self, array, index):
        self.array = array
        self.index = index

    def __repr__(self):
        return f"_IndexUpdateRef({self.array!r}, {self.index!r})"

    def get(self, *, indices_are_sorted=False, unique_indices=False, mode=None, fill_value=None,
            out_sharding=None, wrap_negative_indices=True):
        """``x[idx]``, with out-of-bounds handling chosen by ``mode`` (and ``fill_value`` for 'fill')."""
        return rewriting_take(self.array, self.index, indices_are_sorted=indices_are_sorted,
                              unique_indices=unique_indices, mode=mode, fill_value=fill_value,
                              normalize_indices=wrap_negative_indices)

    def _update(self, values, op, indices_are_sorted, unique_indices, mode, wrap_negative_indices):
        return _scatter_update(self.array, self.index, values, op, indices_are_sorted, unique_indices,
                               mode=mode, normalize_indices=wrap_negative_indices)

    def set(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
            out_sharding=None, wrap_negative_indices=True):
        """Pure ``x[idx] = values``."""
        return self._update(values, slicing.scatter, indices_are_sorted, unique_indices, mode,
                            wrap_negative_indices)

    def apply(self, func, *, indices_are_sorted=False, unique_indices=False, mode=None,
              wrap_negative_indices=True):
        """Pure ``func.at(x, idx)``: ``func`` applied at the indexed positions (repeatedly if repeated)."""
        def op(x, indices, y, dims, **kw):
            return slicing.scatter_apply(x, indices, func, dims, update_shape=_shape(y), **kw)
        return self._update(np.zeros((), core.get_aval(self.array).dtype), op, indices_are_sorted, unique_indices, mode,
                            wrap_negative_indices)

    def add(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
            out_sharding=None, wrap_negative_indices=True):
        """Pure ``x[idx] += values`` (repeated indices accumulate)."""
        return self._update(values, slicing.scatter_add, indices_are_sorted, unique_indices, mode,
                            wrap_negative_indices)

    def subtract(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
                 out_sharding=None, wrap_negative_indices=True):
        """Pure ``x[idx] -= values``."""
        return self._update(values, slicing.scatter_sub, indices_are_sorted, unique_indices, mode,
                            wrap_negative_indices)

    def multiply(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
                 out_sharding=None, wrap_negative_indices=True):
        """Pure ``x[idx] *= values``."""
        return self._update(values, slicing.scatter_mul, indices_are_sorted, unique_indices, mode,
                            wrap_negative_indices)

    mul = multiply

    def divide(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
               out_sharding=None, wrap_negative_indices=True):
        """Pure ``x[idx] /= values``."""
        from jaxlite._src.numpy import ufuncs
        return self._by_factors(ufuncs.divide, values, indices_are_sorted, unique_indices, mode,
                                wrap_negative_indices)

    def power(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
              out_sharding=None, wrap_negative_indices=True):
        """Pure ``x[idx] **= values``."""
        from jaxlite._src.numpy import ufuncs
        return self._by_factors(ufuncs.power, values, indices_are_sorted, unique_indices, mode,
                                wrap_negative_indices)

    def _by_factors(self, ufunc, values, indices_are_sorted, unique_indices, mode, wrap_negative_indices):
        """``ufunc(x, f)`` where ``f`` is ones but for the product of the ``values`` at the index (so a
        repeated index divides or raises repeatedly)."""
        factors = _scatter_update(_jnp().ones_like(self.array), self.index, values, slicing.scatter_mul,
                                  indices_are_sorted, unique_indices, mode=mode,
                                  normalize_indices=wrap_negative_indices)
        return ufunc(self.array, factors)

    def min(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
            out_sharding=None, wrap_negative_indices=True):
        """Pure ``x[idx] = minimum(x[idx], values)``."""
        return self._update(values, slicing.scatter_min, indices_are_sorted, unique_indices, mode,
                            wrap_negative_indices)

    def max(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
            out_sharding=None, wrap_negative_indices=True):
        """Pure ``x[idx] = maximum(x[idx], values)``."""
        return self._update(values, slicing.scatter_max, indices_are_sorted, unique_indices, mode,
                            wrap_negative_indices)


# ---------------------------------------------------------------------------------------------------
# jax.numpy indexing functions
# ---------------------------------------------------------------------------------------------------

def _ensure(name, *args):
    from jaxlite._src.numpy.util import ensure_arraylike
    return ensure_arraylike(name, *args)


def _canon_axis(axis, ndim):
    from jaxlite._src.numpy.util import canonicalize_axis
    return canonicalize_axis(axis, ndim)


def take(a, indices, axis=None, out=None, mode=None, unique_indices=False, indices_are_sorted=False,
         fill_value=None):
    """Elements of ``a`` at ``indices`` along ``axis`` (flattened if None).

    ``mode``: 'fill' (default: out-of-bounds give ``fill_value``, NaN for floats), 'clip' or 'wrap'.

    Example::

        >>> jnp.take(jnp.array([1., 2., 3.]), jnp.array([0, 5, -1]))
        Array([ 1., nan,  3.], dtype=float32)
    """
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.take is not supported.")
    jnp = _jnp()
    a, indices = _ensure("take", a, indices)
    if axis is None:
        a = jnp.ravel(a)
        axis_idx = 0
    else:
        axis_idx = _canon_axis(axis, a.ndim)
    if mode is None or mode == "fill":
        gmode = GatherScatterMode.FILL_OR_DROP
        indices = jnp.where(indices < 0, indices + a.shape[axis_idx], indices)
    elif mode == "raise":
        raise NotImplementedError("The 'raise' mode to jnp.take is not supported.")
    elif mode == "wrap":
        from jaxlite._src.numpy import ufuncs
        indices = ufuncs.mod(indices, np.asarray(a.shape[axis_idx], indices.dtype))
        gmode = GatherScatterMode.PROMISE_IN_BOUNDS
    elif mode == "clip":
        gmode = GatherScatterMode.CLIP
    else:
        raise ValueError(f"Invalid mode '{mode}' for np.take")
    index_dims = indices.ndim
    slice_sizes = list(a.shape)
    if slice_sizes[axis_idx] == 0:
        if indices.size != 0:
            raise IndexError("Cannot do a non-empty jnp.take() from an empty axis.")
        return a
    if indices.size == 0:
        out_shape = slice_sizes[:axis_idx] + list(indices.shape) + slice_sizes[axis_idx + 1:]
        return lax.full_like(a, 0, shape=out_shape)
    slice_sizes[axis_idx] = 1
    dn = slicing.GatherDimensionNumbers(
        offset_dims=tuple(list(range(axis_idx)) + list(range(axis_idx + index_dims, a.ndim + index_dims - 1))),
        collapsed_slice_dims=(axis_idx,), start_index_map=(axis_idx,))
    return slicing.gather(a, lax.expand_dims(indices, (index_dims,)), dn, tuple(slice_sizes), mode=gmode,
                          unique_indices=unique_indices, indices_are_sorted=indices_are_sorted,
                          fill_value=fill_value)


def _normalize_index(index, axis_size):
    if dtypes.issubdtype(_dtype(index), np.unsignedinteger):
        return index
    size = _const(index, axis_size)
    if isinstance(index, (int, np.integer)):
        return lax.add(index, size) if index < 0 else index
    return lax.select(index < 0, lax.add(index, size), index)


def take_along_axis(arr, indices, axis, mode=None, fill_value=None, *, wrap_negative_indices=None):
    """``arr`` gathered along ``axis`` at ``indices`` (same rank as ``arr``), like NumPy's.

    Out-of-bounds indices give ``fill_value`` (NaN for floats) unless ``mode='clip'``.

    Example::

        >>> x = jnp.array([[4, 3], [2, 5]])
        >>> jnp.take_along_axis(x, jnp.argmin(x, axis=1, keepdims=True), axis=1)
        Array([[3],
               [2]], dtype=int32)
    """
    a, indices = _ensure("take_along_axis", arr, indices)
    if not dtypes.issubdtype(indices.dtype, np.integer):
        raise TypeError(f"take_along_axis indices must be of integer type, got {indices.dtype}")
    idx_shape = indices.shape
    if axis is None:
        if indices.ndim != 1:
            raise ValueError(f"take_along_axis indices must be 1D if axis=None, got shape {idx_shape}")
        a = _jnp().ravel(a)
        axis = 0
    rank = a.ndim
    if rank != indices.ndim:
        raise ValueError(f"indices and arr must have the same number of dimensions; {indices.ndim} vs. "
                         f"{a.ndim}")
    axis_int = _canon_axis(axis, rank)
    if mode == "one_hot":
        raise NotImplementedError("jnp.take_along_axis with mode='one_hot'")
    arr_shape = tuple(1 if i == axis_int else d for i, d in enumerate(a.shape))
    out_shape = lax.broadcast_shapes(idx_shape, arr_shape)
    axis_size = a.shape[axis_int]
    if axis_size == 0:
        return lax.full(out_shape, 0, a.dtype)
    if wrap_negative_indices is None:
        wrap_negative_indices = mode != "promise_in_bounds"
    if wrap_negative_indices:
        indices = _normalize_index(indices, axis_size)
    index_dims = [i for i, d in enumerate(idx_shape) if i == axis_int or d != 1]
    gather_index_shape = tuple(np.array(out_shape, dtype=np.int64)[index_dims].tolist()) + (1,)
    gather_indices = lax.reshape(indices, gather_index_shape)
    slice_sizes, offset_dims, start_index_map, collapsed, obd, sibd, squeeze = [], [], [], [], [], [], []
    new_i = j = 0
    for i in range(rank):
        if i == axis_int:
            slice_sizes.append(1)
            start_index_map.append(new_i)
            collapsed.append(new_i)
            new_i += 1
            j += 1
        elif idx_shape[i] == 1:
            offset_dims.append(i)
            slice_sizes.append(arr_shape[i])
            new_i += 1
        elif arr_shape[i] == 1:
            squeeze.append(i)
            j += 1
        else:
            slice_sizes.append(0 if arr_shape[i] == 0 else 1)
            obd.append(new_i)
            sibd.append(j)
            new_i += 1
            j += 1
    a = lax.squeeze(a, tuple(squeeze))
    dn = slicing.GatherDimensionNumbers(offset_dims=tuple(offset_dims), collapsed_slice_dims=tuple(collapsed),
                                        start_index_map=tuple(start_index_map),
                                        operand_batching_dims=tuple(obd), start_indices_batching_dims=tuple(sibd))
    return slicing.gather(a, gather_indices, dn, tuple(slice_sizes), mode="fill" if mode is None else mode,
                          fill_value=fill_value)


def put_along_axis(arr, indices, values, axis, inplace=True, *, mode=None):
    """A copy of ``arr`` with ``values`` put at ``indices`` along ``axis``. JAX arrays are immutable,
    so ``inplace=False`` must be passed."""
    if inplace:
        raise ValueError("jax.numpy.put_along_axis cannot modify arrays in-place, because JAX arrays are "
                         "immutable. Pass inplace=False to instead return an updated array.")
    jnp = _jnp()
    arr, indices, values = _ensure("put_along_axis", arr, indices, values)
    original_axis, original_shape = axis, arr.shape
    if axis is None:
        arr = jnp.ravel(arr)
        axis = 0
    if arr.ndim != indices.ndim:
        raise ValueError("put_along_axis arguments 'arr' and 'indices' must have same ndim. Got "
                         f"arr.ndim={arr.ndim} and indices.ndim={indices.ndim}.")
    try:
        values = jnp.broadcast_to(values, indices.shape)
    except ValueError:
        raise ValueError("put_along_axis argument 'values' must be broadcastable to 'indices'. Got "
                         f"values.shape={values.shape} and indices.shape={indices.shape}.") from None
    axis = _canon_axis(axis, arr.ndim)
    idx = list(jnp.indices(arr.shape, sparse=True))
    idx[axis] = indices
    result = arr.at[tuple(idx)].set(values, mode=mode)
    if original_axis is None:
        result = result.reshape(original_shape)
    return result


def put(a, ind, v, mode=None, *, inplace=True):
    """A copy of ``a`` with flat positions ``ind`` set to ``v``. JAX arrays are immutable, so
    ``inplace=False`` must be passed."""
    if inplace:
        raise ValueError("jax.numpy.put cannot modify arrays in-place, because JAX arrays are immutable. "
                         "Pass inplace=False to instead return an updated array.")
    jnp = _jnp()
    arr, ind_arr, _ = _ensure("put", a, ind, v)
    ind_arr = jnp.ravel(ind_arr)
    v_arr = jnp.ravel(v)
    if not arr.size or not ind_arr.size or not v_arr.size:
        return arr
    v_arr = _tile_to_size(v_arr, ind_arr.size)
    if mode is None:
        scatter_mode = "drop"
    elif mode == "clip":
        ind_arr = jnp.clip(ind_arr, 0, arr.size - 1)
        scatter_mode = "promise_in_bounds"
    elif mode == "wrap":
        from jaxlite._src.numpy import ufuncs
        ind_arr = ufuncs.mod(ind_arr, arr.size)
        scatter_mode = "promise_in_bounds"
    elif mode == "raise":
        raise NotImplementedError("The 'raise' mode to jnp.put is not supported.")
    else:
        raise ValueError(f"mode should be one of 'wrap' or 'clip'; got mode={mode!r}")
    return arr.at[unravel_index(ind_arr, arr.shape)].set(v_arr, mode=scatter_mode)


def _tile_to_size(arr, size):
    jnp = _jnp()
    n = arr.shape[0]
    if n < size:
        reps = int(np.ceil(size / n))
        arr = jnp.concatenate([arr] * reps)
    return arr[:size] if arr.shape[0] > size else arr


def _rank_of_true(mask_flat):
    """For each True entry of a 1-D boolean array, how many True entries precede it."""
    from jaxlite._src.lax import lax as lax_mod
    return lax_mod.cumsum(lax._convert_element_type(mask_flat, dtypes.default_int_dtype()), 0) - 1


def place(arr, mask, vals, *, inplace=True):
    """A copy of ``arr`` whose entries where ``mask`` is True are taken from ``vals`` in order
    (``vals`` repeats if too short). ``inplace=False`` must be passed."""
    jnp = _jnp()
    data, mask_arr, vals_arr = _ensure("place", arr, mask, vals)
    vals_arr = jnp.ravel(vals_arr)
    if inplace:
        raise ValueError("jax.numpy.place cannot modify arrays in-place, because JAX arrays are immutable. "
                         "Pass inplace=False to instead return an updated array.")
    if data.size != mask_arr.size:
        raise ValueError("place: arr and mask must be the same size")
    if not vals_arr.size:
        raise ValueError("Cannot place values from an empty array")
    if not data.size:
        return data
    m = lax._convert_element_type(jnp.ravel(mask_arr), np.bool_)
    k = _rank_of_true(m) % vals_arr.shape[0]
    picked = take(vals_arr, jnp.where(m, k, 0), mode="clip")
    picked = lax._convert_element_type(picked, data.dtype)
    return jnp.where(m, picked, jnp.ravel(data)).reshape(data.shape)


def choose(a, choices, out=None, mode="raise"):
    """``choices[a[i], i]`` for every position ``i`` (after broadcasting ``a`` and the choices).

    ``mode``: 'raise' (needs a concrete ``a``), 'wrap' or 'clip'.
    """
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.choose is not supported.")
    jnp = _jnp()
    a = _ensure("choose", a)
    choices = [_ensure("choose", c) for c in choices]
    if not dtypes.issubdtype(a.dtype, np.integer):
        raise ValueError("`a` array must be integer typed")
    n = len(choices)
    if mode == "raise":
        arr = jnp.asarray(core.concrete_or_error(
            None, a, "The error occurred because jnp.choose was jit-compiled with mode='raise'. Use "
            "mode='wrap' or mode='clip' instead."))
        v = np.asarray(arr)
        if np.any((v < 0) | (v >= n)):
            raise ValueError("invalid entry in choice array")
        arr = a
    elif mode == "wrap":
        from jaxlite._src.numpy import ufuncs
        arr = ufuncs.mod(a, n)
    elif mode == "clip":
        arr = jnp.clip(a, 0, n - 1)
    else:
        raise ValueError(f"mode={mode!r} not understood. Must be 'raise', 'wrap', or 'clip'")
    arr, *choices = jnp.broadcast_arrays(arr, *choices)
    return jnp.array(choices)[(arr,) + jnp.indices(arr.shape, sparse=True)]


def compress(condition, a, axis=None, *, size=None, fill_value=0, out=None):
    """The slices of ``a`` along ``axis`` where ``condition`` is True. Pass a static ``size`` to use it
    under jit (the result is padded with ``fill_value``)."""
    jnp = _jnp()
    condition_arr, arr, fill_value = _ensure("compress", condition, a, fill_value)
    condition_arr = lax._convert_element_type(condition_arr, np.bool_)
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.compress is not supported.")
    if condition_arr.ndim != 1:
        raise ValueError("condition must be a 1D array")
    if axis is None:
        axis = 0
        arr = jnp.ravel(arr)
    else:
        arr = jnp.moveaxis(arr, axis, 0)
    n = arr.shape[0]
    condition_arr, extra = condition_arr[:n], condition_arr[n:]
    arr = arr[:condition_arr.shape[0]]
    if size is None:
        if extra.size and bool(np.any(np.asarray(core.concrete_or_error(
                None, extra, "jnp.compress with a traced condition needs a static `size=`.")))):
            raise ValueError("condition contains entries that are out of bounds")
        result = arr[condition_arr]
    else:
        size = core.concrete_or_error(operator.index, size, "The size argument of jnp.compress.")
        if not 0 <= size <= arr.shape[0]:
            raise ValueError("size must be positive and not greater than the size of the array axis; got "
                             f"size={size} for a.shape[axis]={arr.shape[0]}")
        m = condition_arr.shape[0]
        # slot k of the result takes the k-th True position; unused slots point past the end (filled)
        slots = jnp.where(condition_arr, _rank_of_true(condition_arr), m)
        positions = jnp.full((m,), m, dtypes.default_int_dtype()).at[slots].set(
            lax.iota(dtypes.default_int_dtype(), m), mode="drop")
        result = take(arr, positions[:size], axis=0, mode="fill",
                      fill_value=core.concrete_or_error(None, fill_value, "fill_value of jnp.compress"))
        result = lax._convert_element_type(result, arr.dtype, core.get_aval(arr).weak_type)
    return jnp.moveaxis(result, 0, axis)


def extract(condition, arr, *, size=None, fill_value=0):
    """The entries of ``arr`` (flattened) where ``condition`` (flattened) is True."""
    jnp = _jnp()
    from jaxlite._src.numpy.util import check_arraylike
    check_arraylike("extract", condition, arr, fill_value)
    return compress(jnp.ravel(condition), jnp.ravel(arr), size=size, fill_value=fill_value)


def ravel_multi_index(multi_index, dims, mode="raise", order="C", *, dtype=None):
    """Flat indices of the coordinate arrays ``multi_index`` into an array of shape ``dims``."""
    jnp = _jnp()
    if len(multi_index) != len(dims):
        raise ValueError(f"len(multi_index)={len(multi_index)} != len(dims)={len(dims)}")
    dims = tuple(core.concrete_or_error(operator.index, d, "in `dims` argument of ravel_multi_index().")
                 for d in dims)
    idx = [_ensure("ravel_multi_index", i) for i in multi_index]
    if dtype is None:
        dtype = dtypes.result_type(int, *idx)
    else:
        dtype = dtypes.canonicalize_dtype(np.dtype(dtype))
    if not dtypes.issubdtype(dtype, np.integer):
        raise ValueError(f"dtype={dtype} is not an integer type.")
    if int(np.prod(dims, dtype=object)) - 1 > np.iinfo(dtype).max:
        raise ValueError(f"jnp.ravel_multi_index: dtype={dtype} not large enough to hold flattened index for "
                         f"dims={dims}. Use the dtype argument to pass a suitable dtype.")
    for i in idx:
        if mode == "raise":
            core.concrete_or_error(None, i, "The error occurred because ravel_multi_index was jit-compiled "
                                            "with mode='raise'. Use mode='wrap' or mode='clip' instead.")
        if not dtypes.issubdtype(i.dtype, np.integer):
            raise TypeError("only int indices permitted")
    if mode == "raise":
        if any(np.any((np.asarray(i) < 0) | (np.asarray(i) >= d)) for i, d in zip(idx, dims)):
            raise ValueError("invalid entry in coordinates array")
    elif mode == "clip":
        idx = [jnp.clip(i, 0, d - 1) for i, d in zip(idx, dims)]
    elif mode == "wrap":
        from jaxlite._src.numpy import ufuncs
        idx = [ufuncs.mod(i, d) for i, d in zip(idx, dims)]
    elif mode != "ignore":
        raise ValueError(f"invalid mode={mode!r}. Expected 'raise', 'wrap', 'clip', or 'ignore'.")
    if order == "F":
        strides = np.cumprod((1,) + dims[:-1])
    elif order == "C":
        strides = np.cumprod((1,) + dims[1:][::-1])[::-1]
    else:
        raise ValueError(f"invalid order={order!r}. Expected 'C' or 'F'")
    result = jnp.array(0, dtype=dtype)
    for i, s in zip(idx, strides):
        result = result + lax._convert_element_type(i, dtype) * int(s)
    return result


def unravel_index(indices, shape):
    """Coordinate arrays of the flat ``indices`` into ``shape``. Unlike NumPy, negative indices count
    from the end and out-of-bounds indices are clipped."""
    jnp = _jnp()
    from jaxlite._src.numpy import ufuncs
    idx = _ensure("unravel_index", indices)
    try:
        shape = list(shape)
    except TypeError:
        shape = [shape]
    if any(np.ndim(s) != 0 for s in shape):
        raise ValueError("unravel_index: shape should be a scalar or 1D sequence.")
    out = [0] * len(shape)
    for i, s in reversed(list(enumerate(shape))):
        idx, out[i] = ufuncs.divmod(idx, s)
    oob_pos = idx > 0
    oob_neg = jnp.asarray(False) if dtypes.issubdtype(idx.dtype, np.unsignedinteger) else idx < -1
    return tuple(jnp.where(oob_pos, s - 1, jnp.where(oob_neg, 0, i)) for s, i in zip(shape, out))


def _int_index_array(v):
    return core.Array._from_np(np.asarray(v, dtypes.default_int_dtype()))


def diag_indices(n, ndim=2):
    """Indices ``(arange(n),) * ndim`` of the main diagonal of an ``ndim``-dimensional array."""
    n = core.concrete_or_error(operator.index, n, "'n' argument of jnp.diag_indices()")
    ndim = core.concrete_or_error(operator.index, ndim, "'ndim' argument of jnp.diag_indices()")
    if n < 0:
        raise ValueError(f"n argument to diag_indices must be nonnegative, got {n}")
    if ndim < 0:
        raise ValueError(f"ndim argument to diag_indices must be nonnegative, got {ndim}")
    return (lax.iota(dtypes.default_int_dtype(), n),) * ndim


def diag_indices_from(arr):
    """Main-diagonal indices of ``arr`` (at least 2-D, all sides equal)."""
    arr = _ensure("diag_indices_from", arr)
    if arr.ndim < 2:
        raise ValueError("input array must be at least 2-d")
    if len(set(arr.shape)) != 1:
        raise ValueError("All dimensions of input must be of equal length")
    return diag_indices(arr.shape[0], arr.ndim)


def _tri_args(n, k, m, name):
    n = core.concrete_or_error(operator.index, n, f"n argument of jnp.{name}")
    k = core.concrete_or_error(operator.index, k, f"k argument of jnp.{name}")
    m = n if m is None else core.concrete_or_error(operator.index, m, f"m argument of jnp.{name}")
    return n, k, m


def _upper_count(n, m, k):
    """How many entries of an (n, m) array have column - row >= k."""
    return int(np.clip(m - k - np.arange(n), 0, m).sum()) if n and m else 0


def triu_indices(n, k=0, m=None):
    """Row and column indices of the upper triangle (from diagonal ``k``) of an ``(n, m)`` array."""
    from jaxlite._src.numpy import lax_numpy, setops
    n, k, m = _tri_args(n, k, m, "triu_indices")
    # as JAX: the nonzero entries of a triangular mask, their count known statically
    mask = lax_numpy.triu(lax_numpy.ones((n, m)), k=k)
    return setops.nonzero(mask, size=_upper_count(n, m, k))


def tril_indices(n, k=0, m=None):
    """Row and column indices of the lower triangle (to diagonal ``k``) of an ``(n, m)`` array."""
    from jaxlite._src.numpy import lax_numpy, setops
    n, k, m = _tri_args(n, k, m, "tril_indices")
    mask = lax_numpy.tril(lax_numpy.ones((n, m)), k=k)
    return setops.nonzero(mask, size=n * m - _upper_count(n, m, k + 1))


def _shape_of_2d(arr, name):
    shape = arr.shape if hasattr(arr, "shape") else _ensure(name, arr).shape
    if len(shape) != 2:
        raise ValueError("Only 2-D inputs are accepted")
    return shape


def triu_indices_from(arr, k=0):
    """:func:`triu_indices` for the shape of the 2-D ``arr``."""
    s = _shape_of_2d(arr, "triu_indices_from")
    return triu_indices(s[0], k=k, m=s[1])


def tril_indices_from(arr, k=0):
    """:func:`tril_indices` for the shape of the 2-D ``arr``."""
    s = _shape_of_2d(arr, "tril_indices_from")
    return tril_indices(s[0], k=k, m=s[1])


def ix_(*args):
    """An open mesh from 1-D index arrays: ``x[jnp.ix_(rows, cols)]`` selects a sub-block."""
    out = []
    n = len(args)
    for i, a in enumerate(args):
        a = _ensure("ix", a)
        if a.ndim != 1:
            raise ValueError(f"Arguments to jax.numpy.ix_ must be 1-dimensional, got shape {a.shape}")
        if a.dtype == np.bool_:
            raise NotImplementedError("Boolean arguments to jax.numpy.ix_ are not implemented")
        shape = [1] * n
        shape[i] = a.shape[0]
        if a.size == 0:
            out.append(lax.full(shape, 0, dtypes.canonicalize_dtype(np.intp)))
        else:
            out.append(lax.broadcast_in_dim(a, tuple(shape), (i,)))
    return tuple(out)
