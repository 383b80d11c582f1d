"""Indexing primitives: gather, scatter (set/add/sub/mul/min/max), dynamic_slice, dynamic_update_slice.

Gather and scatter follow XLA's general form, as JAX exposes it: an array of start indices whose last
dimension is the index vector, dimension numbers saying how operand, indices and output dimensions
relate, and a mode for out-of-bounds starts. Each primitive's impl is vectorised NumPy (one fancy-index
expression for all windows, ``ufunc.at`` for combining scatters), followed by its abstract eval, jvp,
transpose and batch rules. The batch rules use the operand/indices *batching dimensions* of the
dimension numbers, so a vmapped gather is again a single gather.
"""
from __future__ import annotations

import enum
import weakref
from typing import NamedTuple, Sequence

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.core import Primitive, ShapedArray, Tracer
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.interpreters.ad import Zero, is_undefined_primal
from jaxlite._src.lax import elementwise as lax_ew
from jaxlite._src.lax import shapes as lax_shapes
from jaxlite._src.lax.utils import canonicalize_shape
from jaxlite._src.numpy.util import staged_jit

__all__ = [
    "GatherDimensionNumbers", "ScatterDimensionNumbers", "GatherScatterMode",
    "gather", "gather_p", "scatter", "scatter_p", "scatter_add", "scatter_add_p", "scatter_sub",
    "scatter_sub_p", "scatter_mul", "scatter_mul_p", "scatter_min", "scatter_min_p", "scatter_max",
    "scatter_max_p", "scatter_apply", "dynamic_slice", "dynamic_slice_p", "dynamic_update_slice",
    "dynamic_update_slice_p", "dynamic_index_in_dim", "dynamic_slice_in_dim",
    "dynamic_update_index_in_dim", "dynamic_update_slice_in_dim", "index_in_dim", "slice_in_dim",
    "index_take",
]


def _aval(x):
    return core.get_aval(x)


# ---------------------------------------------------------------------------------------------------
# dimension numbers and modes
# ---------------------------------------------------------------------------------------------------

class GatherDimensionNumbers(NamedTuple):
    """How a gather's operand, start indices and output dimensions relate (XLA's Gather).

    offset_dims: output dimensions holding the slice (window) dimensions, ascending.
    collapsed_slice_dims: operand dimensions of slice size 1 that are dropped from the output.
    start_index_map: for each entry of an index vector, the operand dimension it starts.
    operand_batching_dims / start_indices_batching_dims: paired dimensions of operand and indices that
    are indexed in lockstep (used by vmap).
    The index vector dimension is always the last dimension of the indices.
    """
    offset_dims: tuple
    collapsed_slice_dims: tuple
    start_index_map: tuple
    operand_batching_dims: tuple = ()
    start_indices_batching_dims: tuple = ()


class ScatterDimensionNumbers(NamedTuple):
    """How a scatter's operand, indices and updates dimensions relate (XLA's Scatter).

    update_window_dims: dimensions of ``updates`` that are window dimensions, ascending.
    inserted_window_dims: operand dimensions of window size 1 that ``updates`` does not have.
    scatter_dims_to_operand_dims: for each entry of an index vector, the operand dimension it starts.
    operand_batching_dims / scatter_indices_batching_dims: paired lockstep dimensions (used by vmap).
    """
    update_window_dims: tuple
    inserted_window_dims: tuple
    scatter_dims_to_operand_dims: tuple
    operand_batching_dims: tuple = ()
    scatter_indices_batching_dims: tuple = ()


class GatherScatterMode(enum.Enum):
    """What gathers and scatters do with out-of-bounds indices.

    CLIP: clamp the start so that the whole window is in bounds.
    FILL_OR_DROP: a gathered window that is partly out of bounds is filled with ``fill_value``; a
    scattered window that is partly out of bounds is dropped.
    PROMISE_IN_BOUNDS: the caller promises in-bounds indices; in practice gathers clamp and scatters
    drop (as XLA does), and gradients are only right for in-bounds indices.
    ONE_HOT: accepted for compatibility; not implemented.
    """
    CLIP = enum.auto()
    FILL_OR_DROP = enum.auto()
    PROMISE_IN_BOUNDS = enum.auto()
    ONE_HOT = enum.auto()

    @staticmethod
    def from_any(s) -> "GatherScatterMode":
        if isinstance(s, GatherScatterMode):
            return s
        if s == "clip":
            return GatherScatterMode.CLIP
        if s is None or s == "fill" or s == "drop":
            return GatherScatterMode.FILL_OR_DROP
        if s == "promise_in_bounds":
            return GatherScatterMode.PROMISE_IN_BOUNDS
        if s == "one_hot":
            return GatherScatterMode.ONE_HOT
        raise ValueError(f'Unknown gather mode "{s}"')


def _check_mode(mode, name):
    if mode is GatherScatterMode.ONE_HOT:
        raise NotImplementedError(f"{name} with mode=GatherScatterMode.ONE_HOT")


# ---------------------------------------------------------------------------------------------------
# shared NumPy machinery: the operand positions covered by each index's window
# ---------------------------------------------------------------------------------------------------

def _full_starts(indices, operand_rank, index_map, operand_batching_dims, indices_batching_dims):
    """Start position in every operand dimension, one row per index vector: shape (n, operand_rank)."""
    indices = np.asarray(indices)
    batch_shape = indices.shape[:-1]
    n = int(np.prod(batch_shape, dtype=np.int64))
    starts = np.zeros((n, operand_rank), np.int64)
    if index_map:
        starts[:, list(index_map)] = indices.reshape(n, indices.shape[-1]).astype(np.int64)
    for od, idim in zip(operand_batching_dims, indices_batching_dims):
        # the batching position along indices dimension ``idim`` indexes operand dimension ``od``
        shape = [1] * len(batch_shape)
        shape[idim] = batch_shape[idim]
        pos = np.broadcast_to(np.arange(batch_shape[idim]).reshape(shape), batch_shape)
        starts[:, od] = pos.reshape(n)
    return starts, batch_shape, n


def _window_grids(starts, window):
    """Index arrays (one per operand dim) of shape (n, *window) addressing each window's elements."""
    n, rank = starts.shape
    grids = []
    for d in range(rank):
        offs = np.arange(window[d]).reshape((1,) + (1,) * d + (window[d],) + (1,) * (rank - d - 1))
        grids.append(starts[:, d].reshape((n,) + (1,) * rank) + offs)
    return tuple(grids)


def _default_fill_value(dtype):
    dtype = np.dtype(dtype)
    if dtypes.issubdtype(dtype, np.inexact):
        return np.nan
    if dtypes.issubdtype(dtype, np.signedinteger):
        return int(np.iinfo(dtype).min)
    if dtypes.issubdtype(dtype, np.unsignedinteger):
        return int(np.iinfo(dtype).max)
    if dtype == np.bool_:
        return True
    raise ValueError(f"Unsupported dtype for gather fill_value {dtype}")


# ---------------------------------------------------------------------------------------------------
# gather
# ---------------------------------------------------------------------------------------------------

def _gather_impl(operand, indices, *, dimension_numbers, slice_sizes, unique_indices,
                 indices_are_sorted, mode, fill_value):
    _check_mode(mode, "gather")
    dn = dimension_numbers
    operand = np.asarray(operand)
    starts, batch_shape, n = _full_starts(indices, operand.ndim, dn.start_index_map,
                                          dn.operand_batching_dims, dn.start_indices_batching_dims)
    upper = np.asarray(operand.shape, np.int64) - np.asarray(slice_sizes, np.int64)
    in_bounds = None
    if mode is GatherScatterMode.FILL_OR_DROP and dn.start_index_map:
        sim = list(dn.start_index_map)
        s = starts[:, sim]
        in_bounds = np.all((s >= 0) & (s <= upper[sim]), axis=1)
    starts = np.clip(starts, 0, np.maximum(upper, 0))
    offset_sizes = tuple(s for d, s in enumerate(slice_sizes)
                         if d not in dn.collapsed_slice_dims and d not in dn.operand_batching_dims)
    if n == 0 or operand.size == 0:
        win = np.zeros((n,) + offset_sizes, operand.dtype)
    else:
        win = operand[_window_grids(starts, slice_sizes)].reshape((n,) + offset_sizes)
    if in_bounds is not None and not in_bounds.all():
        fill = np.asarray(fill_value if fill_value is not None else _default_fill_value(operand.dtype))
        win = np.where(in_bounds.reshape((n,) + (1,) * len(offset_sizes)), win,
                       fill.astype(operand.dtype))
    win = win.reshape(tuple(batch_shape) + offset_sizes)
    # batch dims fill the output positions that are not offset_dims, in order
    out_rank = len(batch_shape) + len(offset_sizes)
    perm, b = [], 0
    for o in range(out_rank):
        if o in dn.offset_dims:
            perm.append(len(batch_shape) + dn.offset_dims.index(o))
        else:
            perm.append(b)
            b += 1
    return np.transpose(win, perm) if perm != list(range(out_rank)) else win


def _is_sorted(dims, op, name):
    if list(dims) != sorted(dims):
        raise TypeError(f"{name} in {op} op must be sorted; got {tuple(dims)}")


def _no_dups(dims, op, name):
    if len(set(dims)) != len(dims):
        raise TypeError(f"{name} in {op} op must not repeat; got: {tuple(dims)}.")


def _in_range(dims, rank, op, name):
    for d in dims:
        if not 0 <= d < rank:
            raise TypeError(f"Invalid {name} set in {op} op; valid range is [0, {rank}); got: {d}.")


def _disjoint(a, b, op, na, nb):
    if set(a) & set(b):
        raise TypeError(f"{na} and {nb} in {op} op must be disjoint; got: {tuple(a)} and {tuple(b)}.")


def _gather_abstract(operand, indices, *, dimension_numbers, slice_sizes, unique_indices,
                     indices_are_sorted, mode, fill_value):
    dn = dimension_numbers
    if not isinstance(dn, GatherDimensionNumbers):
        raise TypeError(f"gather dimension_numbers must be a GatherDimensionNumbers, got {dn!r}")
    if not dtypes.issubdtype(indices.dtype, np.integer):
        raise ValueError("indices must have an integer type")
    if indices.ndim < 1:
        raise TypeError("Gather indices must have rank >= 1: the last dimension is the index vector "
                        f"(add a trailing dimension of size 1 to gather scalar indices); got shape "
                        f"{indices.shape}.")
    ivd = indices.ndim - 1
    out_rank = len(dn.offset_dims) + indices.ndim - 1
    _is_sorted(dn.offset_dims, "gather", "offset_dims")
    _no_dups(dn.offset_dims, "gather", "offset_dims")
    for i, d in enumerate(dn.offset_dims):
        if not 0 <= d < out_rank:
            raise TypeError(f"Offset dimension {i} in gather op is out of bounds; got {d}, but should "
                            f"have been in [0, {out_rank})")
    if len(dn.start_index_map) != indices.shape[ivd]:
        raise TypeError(f"Gather op has {len(dn.start_index_map)} elements in start_index_map and the "
                        f"bound of dimension index_vector_dim={ivd} of indices is {indices.shape[ivd]}. "
                        "These two numbers must be equal.")
    for i, d in enumerate(dn.start_index_map):
        if not 0 <= d < operand.ndim:
            raise TypeError(f"Invalid start_index_map; domain is [0, {operand.ndim}), got: {i}->{d}.")
    _no_dups(dn.start_index_map, "gather", "start_index_map")
    _is_sorted(dn.collapsed_slice_dims, "gather", "collapsed_slice_dims")
    _in_range(dn.collapsed_slice_dims, operand.ndim, "gather", "collapsed_slice_dims")
    _no_dups(dn.collapsed_slice_dims, "gather", "collapsed_slice_dims")
    _no_dups(dn.operand_batching_dims, "gather", "operand_batching_dims")
    _is_sorted(dn.operand_batching_dims, "gather", "operand_batching_dims")
    _in_range(dn.operand_batching_dims, operand.ndim, "gather", "operand_batching_dims")
    _disjoint(dn.collapsed_slice_dims, dn.operand_batching_dims, "gather", "collapsed_slice_dims",
              "operand_batching_dims")
    _disjoint(dn.start_index_map, dn.operand_batching_dims, "gather", "start_index_map",
              "operand_batching_dims")
    _no_dups(dn.start_indices_batching_dims, "gather", "start_indices_batching_dims")
    _in_range(dn.start_indices_batching_dims, indices.ndim, "gather", "start_indices_batching_dims")
    if ivd in dn.start_indices_batching_dims:
        raise TypeError("Gather op cannot have the index vector dimension as a batching dimension; got "
                        f"{tuple(dn.start_indices_batching_dims)}.")
    if len(dn.operand_batching_dims) != len(dn.start_indices_batching_dims):
        raise TypeError("Gather op requires equal numbers of operand_batching_dims and "
                        f"start_indices_batching_dims, got {tuple(dn.operand_batching_dims)} and "
                        f"{tuple(dn.start_indices_batching_dims)}.")
    ob = tuple(operand.shape[i] for i in dn.operand_batching_dims)
    ib = tuple(indices.shape[i] for i in dn.start_indices_batching_dims)
    if ob != ib:
        raise TypeError("Gather op requires operand batching dimensions and indices batching dimensions "
                        f"to have the same shape, got {ob} and {ib}.")
    if len(slice_sizes) != operand.ndim:
        raise TypeError(f"Gather op must have one slice size for every input dimension; got: "
                        f"len(slice_sizes)={len(slice_sizes)}, input_shape.rank={operand.ndim}")
    if len(slice_sizes) != (len(dn.offset_dims) + len(dn.collapsed_slice_dims)
                            + len(dn.operand_batching_dims)):
        raise TypeError("All components of the offset index in a gather op must either be a offset "
                        f"dimension or explicitly collapsed/batching; got len(slice_sizes)="
                        f"{len(slice_sizes)}, output_slice_sizes={tuple(dn.offset_dims)}, "
                        f"collapsed_slice_dims={tuple(dn.collapsed_slice_dims)}, operand_batching_dims="
                        f"{tuple(dn.operand_batching_dims)}.")
    if indices.size:
        for i, (s, n) in enumerate(zip(slice_sizes, operand.shape)):
            if not 0 <= s <= n:
                raise TypeError(f"Slice size at index {i} in gather op is out of range, must be within "
                                f"[0, {n} + 1), got {s}.")
    for i, d in enumerate(dn.collapsed_slice_dims):
        if slice_sizes[d] != 1:
            raise TypeError(f"Gather op can only collapse slice dims with bound 1, but bound is "
                            f"{slice_sizes[d]} for index {d} at position {i}.")
    for i, d in enumerate(dn.operand_batching_dims):
        if slice_sizes[d] > 1:
            raise TypeError(f"Gather op can only have operand batching dims with bound 0/1, but bound "
                            f"is {slice_sizes[d]} for index {d} at position {i}.")
    offset_sizes = iter(s for d, s in enumerate(slice_sizes)
                        if d not in dn.collapsed_slice_dims and d not in dn.operand_batching_dims)
    batch_sizes = iter(indices.shape[:-1])
    shape = tuple(next(offset_sizes) if o in dn.offset_dims else next(batch_sizes)
                  for o in range(out_rank))
    return ShapedArray(shape, operand.dtype, operand.weak_type)


gather_p = Primitive("gather")
gather_p.def_impl(_gather_impl)
gather_p.def_abstract_eval(_gather_abstract)


def _gather_jvp(g, operand, indices, *, dimension_numbers, slice_sizes, unique_indices,
                indices_are_sorted, mode, fill_value):
    return gather(g, indices, dimension_numbers, slice_sizes, unique_indices=unique_indices,
                  indices_are_sorted=indices_are_sorted, mode=mode, fill_value=0)


def _gather_transpose(ct, operand, indices, *, dimension_numbers, slice_sizes, unique_indices,
                      indices_are_sorted, mode, fill_value):
    assert is_undefined_primal(operand)
    if type(ct) is Zero:
        return [None, None]
    aval = operand.aval
    zeros = lax_ew.full(aval.shape, 0, _aval(ct).dtype, weak_type=aval.weak_type)
    dn = dimension_numbers
    sdn = ScatterDimensionNumbers(
        update_window_dims=dn.offset_dims, inserted_window_dims=dn.collapsed_slice_dims,
        scatter_dims_to_operand_dims=dn.start_index_map, operand_batching_dims=dn.operand_batching_dims,
        scatter_indices_batching_dims=dn.start_indices_batching_dims)
    return [scatter_add(zeros, indices, ct, sdn, unique_indices=unique_indices,
                        indices_are_sorted=indices_are_sorted, mode=mode), None]


ad.defjvp(gather_p, _gather_jvp, None)
ad.primitive_transposes[gather_p] = _gather_transpose


def _dim(d):
    """A dimension number as given (NumPy ints print as such in JAX's jaxprs), else a Python int."""
    return d if isinstance(d, np.integer) else int(d)


def _add1(dims):
    # shifted past a new leading batch dimension; NumPy ints, as JAX's batch rules compute them (np.add)
    return tuple(np.add(1, dims))


def _gather_batch(vals, dims, *, dimension_numbers, slice_sizes, unique_indices, indices_are_sorted,
                  mode, fill_value):
    operand, indices = vals
    obd, ibd = dims
    dn = dimension_numbers
    if ibd is None:
        # batched operand only: the batch dimension becomes a full-size leading window dimension
        operand = batching.moveaxis(operand, obd, 0)
        size = _aval(operand).shape[0]
        new = GatherDimensionNumbers(
            offset_dims=(0,) + _add1(dn.offset_dims), collapsed_slice_dims=_add1(dn.collapsed_slice_dims),
            start_index_map=_add1(dn.start_index_map), operand_batching_dims=_add1(dn.operand_batching_dims),
            start_indices_batching_dims=dn.start_indices_batching_dims)
        return gather_p.bind(operand, indices, dimension_numbers=new, slice_sizes=(size,) + tuple(slice_sizes),
                             unique_indices=unique_indices, indices_are_sorted=indices_are_sorted,
                             mode=mode, fill_value=fill_value), 0
    if obd is None:
        # batched indices only: the batch dimension is one more batch dimension of the indices
        indices = batching.moveaxis(indices, ibd, 0)
        new = GatherDimensionNumbers(
            offset_dims=tuple(1 + d for d in dn.offset_dims), collapsed_slice_dims=dn.collapsed_slice_dims,
            start_index_map=dn.start_index_map, operand_batching_dims=dn.operand_batching_dims,
            start_indices_batching_dims=_add1(dn.start_indices_batching_dims))
        return gather_p.bind(operand, indices, dimension_numbers=new, slice_sizes=tuple(slice_sizes),
                             unique_indices=False, indices_are_sorted=False, mode=mode,
                             fill_value=fill_value), 0
    # both batched: pair the two batch dimensions as operand/indices batching dimensions
    operand = batching.moveaxis(operand, obd, 0)
    indices = batching.moveaxis(indices, ibd, 0)
    size = _aval(operand).shape[0]
    new = GatherDimensionNumbers(
        offset_dims=_add1(dn.offset_dims), collapsed_slice_dims=_add1(dn.collapsed_slice_dims),
        start_index_map=_add1(dn.start_index_map),
        operand_batching_dims=(0,) + _add1(dn.operand_batching_dims),
        start_indices_batching_dims=(0,) + _add1(dn.start_indices_batching_dims))
    return gather_p.bind(operand, indices, dimension_numbers=new,
                         slice_sizes=(0 if size == 0 else 1,) + tuple(slice_sizes),
                         unique_indices=unique_indices, indices_are_sorted=indices_are_sorted,
                         mode=mode, fill_value=fill_value), 0


batching.primitive_batchers[gather_p] = _gather_batch


def gather(operand, start_indices, dimension_numbers: GatherDimensionNumbers, slice_sizes, *,
           unique_indices: bool = False, indices_are_sorted: bool = False, mode=None, fill_value=None):
    """XLA's Gather: slices of ``operand`` of size ``slice_sizes`` starting at each index vector
    (the last dimension of ``start_indices``). Most users want NumPy indexing (``x[idx]``) instead.

    Example::

        >>> dn = lax.GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(0,),
        ...                                 start_index_map=(0,))
        >>> lax.gather(jnp.array([10, 11, 12]), jnp.array([[2], [0]]), dn, (1,))
        Array([12, 10], dtype=int32)
    """
    if mode is None:
        mode = GatherScatterMode.PROMISE_IN_BOUNDS
    mode = GatherScatterMode.from_any(mode)
    if mode is GatherScatterMode.FILL_OR_DROP:
        if fill_value is None:
            fill_value = _default_fill_value(_aval(operand).dtype)
    else:
        fill_value = None
    if not isinstance(dimension_numbers, GatherDimensionNumbers):
        raise TypeError(f"gather dimension_numbers must be a GatherDimensionNumbers, got "
                        f"{dimension_numbers!r}")
    dimension_numbers = GatherDimensionNumbers(*(tuple(_dim(d) for d in f) for f in dimension_numbers))
    return gather_p.bind(operand, start_indices, dimension_numbers=dimension_numbers,
                         slice_sizes=canonicalize_shape(slice_sizes), unique_indices=bool(unique_indices),
                         indices_are_sorted=bool(indices_are_sorted), mode=mode, fill_value=fill_value)


# ---------------------------------------------------------------------------------------------------
# scatter family
# ---------------------------------------------------------------------------------------------------

def _scatter_window(operand_shape, updates_shape, dn):
    window, pos = [], 0
    for d in range(len(operand_shape)):
        if d in dn.inserted_window_dims or d in dn.operand_batching_dims:
            window.append(1)
        else:
            window.append(updates_shape[dn.update_window_dims[pos]])
            pos += 1
    return window


def _scatter_targets(operand, indices, updates, dn, mode):
    """(index grids into the operand, matching update values) for the windows that are applied."""
    window = _scatter_window(operand.shape, updates.shape, dn)
    starts, batch_shape, n = _full_starts(indices, operand.ndim, dn.scatter_dims_to_operand_dims,
                                          dn.operand_batching_dims, dn.scatter_indices_batching_dims)
    upper = np.asarray(operand.shape, np.int64) - np.asarray(window, np.int64)
    if mode is GatherScatterMode.CLIP:
        starts = np.clip(starts, 0, np.maximum(upper, 0))
    # FILL_OR_DROP and PROMISE_IN_BOUNDS: a window not entirely in bounds is dropped (as XLA does)
    ok = np.all((starts >= 0) & (starts <= upper), axis=1)
    scatter_dims = [d for d in range(updates.ndim) if d not in dn.update_window_dims]
    u = np.transpose(updates, scatter_dims + list(dn.update_window_dims)).reshape((n,) + tuple(window))
    if not ok.all():
        starts, u = starts[ok], u[ok]
    return _window_grids(starts, window), u


_SCATTER_UFUNCS = {}


def _make_scatter_impl(prim_name):
    def impl(operand, indices, updates, *, update_jaxpr, update_consts, dimension_numbers,
             indices_are_sorted, unique_indices, mode):
        _check_mode(mode, prim_name)
        operand = np.asarray(operand)
        out = np.array(operand, copy=True)  # never write into the input's buffer
        if out.size == 0:
            return out
        grids, u = _scatter_targets(operand, indices, np.asarray(updates), dimension_numbers, mode)
        if u.size == 0:
            return out
        u = u.astype(out.dtype, copy=False)
        if prim_name == "scatter":
            if update_jaxpr is None:
                out[grids] = u
            else:
                _scatter_apply_jaxpr(out, grids, u, update_jaxpr, update_consts)
            return out
        with np.errstate(all="ignore"):
            _SCATTER_UFUNCS[prim_name].at(out, grids, u)
        return out
    return impl


def _scatter_apply_jaxpr(out, grids, u, update_jaxpr, update_consts):
    """Combine with an arbitrary scalar jaxpr; repeated targets are combined one occurrence at a time."""
    from jaxlite._src.backend import numpy_backend
    fn = numpy_backend.compile_jaxpr(update_jaxpr, update_consts)
    lin = np.ravel_multi_index(tuple(np.broadcast_to(g, u.shape).ravel() for g in grids), out.shape)
    uf = u.ravel()
    order = np.argsort(lin, kind="stable")
    sorted_lin = lin[order]
    first = np.r_[True, sorted_lin[1:] != sorted_lin[:-1]]
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(lin)), 0))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(lin)) - group_start
    flat = out.reshape(-1)
    for r in range(int(rank.max()) + 1 if len(rank) else 0):
        sel = rank == r
        tgt = lin[sel]
        res, = fn(flat[tgt], uf[sel])
        flat[tgt] = np.asarray(res, out.dtype)


def _scatter_abstract(operand, indices, updates, *, update_jaxpr, update_consts, dimension_numbers,
                      indices_are_sorted, unique_indices, mode):
    dn = dimension_numbers
    if not isinstance(dn, ScatterDimensionNumbers):
        raise TypeError(f"scatter dimension_numbers must be a ScatterDimensionNumbers, got {dn!r}")
    if not dtypes.issubdtype(indices.dtype, np.integer):
        raise ValueError("indices must have an integer type")
    if operand.dtype != updates.dtype:
        raise TypeError(f"lax.scatter requires arguments to have the same dtypes, got "
                        f"{operand.dtype.name}, {updates.dtype.name}. (Tip: jnp.scatter is a similar "
                        "function that does automatic type promotion on inputs).")
    if indices.ndim < 1:
        raise TypeError("Scatter indices must have rank >= 1: the last dimension is the index vector; "
                        f"got shape {indices.shape}.")
    ivd = indices.ndim - 1
    expected = indices.ndim - 1 + len(dn.update_window_dims)
    if updates.ndim != expected:
        raise TypeError(f"Updates tensor must be of rank {expected}; got {updates.ndim}.")
    _is_sorted(dn.update_window_dims, "scatter", "update_window_dims")
    _no_dups(dn.update_window_dims, "scatter", "update_window_dims")
    _in_range(dn.update_window_dims, updates.ndim, "scatter", "update_window_dims")
    _is_sorted(dn.inserted_window_dims, "scatter", "inserted_window_dims")
    _no_dups(dn.inserted_window_dims, "scatter", "inserted_window_dims")
    _in_range(dn.inserted_window_dims, operand.ndim, "scatter", "inserted_window_dims")
    _is_sorted(dn.operand_batching_dims, "scatter", "operand_batching_dims")
    _no_dups(dn.operand_batching_dims, "scatter", "operand_batching_dims")
    _in_range(dn.operand_batching_dims, operand.ndim, "scatter", "operand_batching_dims")
    _disjoint(dn.inserted_window_dims, dn.operand_batching_dims, "scatter", "inserted_window_dims",
              "operand_batching_dims")
    _disjoint(dn.scatter_dims_to_operand_dims, dn.operand_batching_dims, "scatter",
              "scatter_dims_to_operand_dims", "operand_batching_dims")
    _no_dups(dn.scatter_indices_batching_dims, "scatter", "scatter_indices_batching_dims")
    _in_range(dn.scatter_indices_batching_dims, indices.ndim, "scatter", "scatter_indices_batching_dims")
    if ivd in dn.scatter_indices_batching_dims:
        raise TypeError("Scatter op cannot have the index vector dimension as a batching dimension; got "
                        f"{tuple(dn.scatter_indices_batching_dims)}.")
    if len(dn.operand_batching_dims) != len(dn.scatter_indices_batching_dims):
        raise TypeError("Scatter op requires equal numbers of operand_batching_dims and "
                        f"scatter_indices_batching_dims, got {tuple(dn.operand_batching_dims)} and "
                        f"{tuple(dn.scatter_indices_batching_dims)}.")
    ob = tuple(operand.shape[i] for i in dn.operand_batching_dims)
    ib = tuple(indices.shape[i] for i in dn.scatter_indices_batching_dims)
    if ob != ib:
        raise TypeError("Scatter op requires operand batching dimensions and indices batching "
                        f"dimensions to have the same shape, got {ob} and {ib}.")
    window_size = len(dn.update_window_dims) + len(dn.inserted_window_dims) + len(dn.operand_batching_dims)
    if operand.ndim != window_size:
        raise TypeError(f"Scatter op has window of size {window_size}; doesn't match operand of rank "
                        f"{operand.ndim}.")
    if len(dn.scatter_dims_to_operand_dims) != indices.shape[ivd]:
        raise TypeError(f"Scatter op has {len(dn.scatter_dims_to_operand_dims)} elements in "
                        f"scatter_dims_to_operand_dims and the bound of dimension index_vector_dim={ivd} "
                        f"of indices is {indices.shape[ivd]}. These two numbers must be equal")
    for i, d in enumerate(dn.scatter_dims_to_operand_dims):
        if not 0 <= d < operand.ndim:
            raise TypeError(f"Invalid scatter_dims_to_operand_dims mapping; domain is [0, "
                            f"{operand.ndim}), got: {i}->{d}.")
    _no_dups(dn.scatter_dims_to_operand_dims, "scatter", "scatter_dims_to_operand_dims")
    max_sizes = [operand.shape[i] for i in range(operand.ndim)
                 if i not in dn.inserted_window_dims and i not in dn.operand_batching_dims]
    for i, d in enumerate(dn.update_window_dims):
        if max_sizes[i] < updates.shape[d]:
            raise TypeError("Bounds of the window dimensions of updates must not exceed the bounds of the "
                            f"corresponding dimensions of operand. For dimension {d}, updates bound is "
                            f"{updates.shape[d]}, operand bound is {max_sizes[i]}.")
    scatter_dims = [d for d in range(updates.ndim) if d not in dn.update_window_dims]
    for k, d in enumerate(scatter_dims):
        if updates.shape[d] != indices.shape[k]:
            raise TypeError("Bounds of the scatter dimensions of updates must be the same as the bounds of "
                            f"the corresponding dimensions of scatter indices. For scatter dimension {d}, "
                            f"updates bound is {updates.shape[d]}, indices bound is {indices.shape[k]}.")
    return ShapedArray(operand.shape, operand.dtype, operand.weak_type)


def _scatter_primitive(name, ufunc=None):
    p = Primitive(name)
    if ufunc is not None:
        _SCATTER_UFUNCS[name] = ufunc
    p.def_impl(_make_scatter_impl(name))
    p.def_abstract_eval(_scatter_abstract)
    return p


scatter_p = _scatter_primitive("scatter")
scatter_add_p = _scatter_primitive("scatter-add", np.add)
scatter_sub_p = _scatter_primitive("scatter-sub", np.subtract)
scatter_mul_p = _scatter_primitive("scatter-mul", np.multiply)
scatter_min_p = _scatter_primitive("scatter-min", np.minimum)
scatter_max_p = _scatter_primitive("scatter-max", np.maximum)


def _inverse_gather(dn: ScatterDimensionNumbers, operand_shape, updates_shape):
    """The gather reading, for every update element, the operand element it is scattered to."""
    gdn = GatherDimensionNumbers(
        offset_dims=dn.update_window_dims, collapsed_slice_dims=dn.inserted_window_dims,
        start_index_map=dn.scatter_dims_to_operand_dims, operand_batching_dims=dn.operand_batching_dims,
        start_indices_batching_dims=dn.scatter_indices_batching_dims)
    return gdn, tuple(_scatter_window(operand_shape, updates_shape, dn))


def _scatter_params(params, **kw):
    out = dict(params)
    out.update(kw)
    return out


# --- scatter-add / scatter-sub: linear in (operand, updates) ---

def _scatter_addsub_jvp(prim, primals, tangents, **params):
    operand, indices, updates = primals
    g_op, _, g_up = tangents
    out = prim.bind(operand, indices, updates, **params)
    if type(g_op) is Zero and type(g_up) is Zero:
        return out, Zero.from_primal_value(out)
    g_op = ad.instantiate_zeros(g_op)
    g_up = ad.instantiate_zeros(g_up)
    return out, prim.bind(g_op, indices, g_up, **params)


def _scatter_addsub_transpose(prim, ct, operand, indices, updates, *, update_jaxpr, update_consts,
                              dimension_numbers, indices_are_sorted, unique_indices, mode):
    assert not is_undefined_primal(indices)
    if type(ct) is Zero:
        return [None, None, None]
    op_ct = ct if is_undefined_primal(operand) else None
    up_ct = None
    if is_undefined_primal(updates):
        gdn, sizes = _inverse_gather(dimension_numbers, _aval(ct).shape, updates.aval.shape)
        up_ct = gather(ct, indices, gdn, sizes, mode=mode, fill_value=0)
        if prim is scatter_sub_p:
            up_ct = lax_ew.neg(up_ct)
    return [op_ct, None, up_ct]


for _p in (scatter_add_p, scatter_sub_p):
    ad.primitive_jvps[_p] = (lambda p: lambda primals, tangents, **params:
                             _scatter_addsub_jvp(p, primals, tangents, **params))(_p)
    ad.primitive_transposes[_p] = (lambda p: lambda ct, *args, **params:
                                   _scatter_addsub_transpose(p, ct, *args, **params))(_p)


# --- scatter-mul ---

def _scatter_mul_jvp_updates(g, x, i, y, *, update_jaxpr, update_consts, dimension_numbers,
                             indices_are_sorted, unique_indices, mode):
    if not unique_indices:
        raise NotImplementedError("scatter_mul gradients are only implemented if `unique_indices=True`")
    return lax_ew.mul(x, scatter_add(lax_ew._zeros(x), i, g, dimension_numbers,
                                     indices_are_sorted=indices_are_sorted,
                                     unique_indices=unique_indices, mode=mode))


ad.defjvp(scatter_mul_p, lambda g, x, i, y, **p: scatter_mul_p.bind(g, i, y, **p), None,
          _scatter_mul_jvp_updates)


def _scatter_mul_transpose(ct, operand, indices, updates, *, update_jaxpr, update_consts,
                           dimension_numbers, indices_are_sorted, unique_indices, mode):
    assert not is_undefined_primal(indices)
    if type(ct) is Zero:
        return [None, None, None]
    op_ct = up_ct = None
    if is_undefined_primal(operand):
        op_ct = scatter_mul(ct, indices, updates, dimension_numbers, indices_are_sorted=indices_are_sorted,
                            unique_indices=unique_indices, mode=mode)
    if is_undefined_primal(updates):
        if not unique_indices:
            raise NotImplementedError("scatter_mul gradients are only implemented if "
                                      "`unique_indices=True`")
        gdn, sizes = _inverse_gather(dimension_numbers, _aval(ct).shape, updates.aval.shape)
        up_ct = gather(lax_ew.mul(ct, operand), indices, gdn, sizes, mode=mode, fill_value=0)
    return [op_ct, None, up_ct]


ad.primitive_transposes[scatter_mul_p] = _scatter_mul_transpose


# --- scatter-min / scatter-max: ties share the tangent equally ---

def _scatter_extremal_jvp(prim, primals, tangents, *, update_jaxpr, update_consts, dimension_numbers,
                          indices_are_sorted, unique_indices, mode):
    operand, indices, updates = primals
    g_op, _, g_up = tangents
    params = dict(update_jaxpr=update_jaxpr, update_consts=update_consts,
                  dimension_numbers=dimension_numbers, indices_are_sorted=indices_are_sorted,
                  unique_indices=unique_indices, mode=mode)
    out = prim.bind(operand, indices, updates, **params)
    if type(g_op) is Zero and type(g_up) is Zero:
        return out, Zero.from_primal_value(out)
    g_op = ad.instantiate_zeros(g_op)
    g_up = ad.instantiate_zeros(g_up)
    dn = dimension_numbers
    gdn, sizes = _inverse_gather(dn, _aval(operand).shape, _aval(updates).shape)
    from jaxlite._src.lax.elementwise import div, eq, select, sub, add, mul
    initial = gather(operand, indices, gdn, sizes)
    target = gather(out, indices, gdn, sizes)
    won = eq(updates, target)          # this update is the extremum at its target
    kept = eq(initial, target)         # the operand's own value is (also) the extremum there
    ones_u, zeros_u = lax_ew._ones(updates), lax_ew._zeros(updates)
    n_won = gather(scatter_add(lax_ew._zeros(operand), indices, select(won, ones_u, zeros_u), dn),
                   indices, gdn, sizes)
    n_refs = gather(scatter_add(lax_ew._zeros(operand), indices, ones_u, dn), indices, gdn, sizes)
    one = lax_ew._ones(n_won)
    up_norm = select(kept, div(one, add(n_won, one)), div(one, n_won))
    up_coef = select(won, up_norm, zeros_u)
    op_norm = select(kept, div(one, add(n_won, one)), lax_ew._zeros(n_won))
    op_coef = div(sub(op_norm, one), n_refs)
    t_target = gather(g_op, indices, gdn, sizes)
    t_updates = add(mul(t_target, op_coef), mul(g_up, up_coef))
    return out, scatter_add(g_op, indices, t_updates, dn, indices_are_sorted=indices_are_sorted,
                            unique_indices=unique_indices, mode=mode)


for _p in (scatter_min_p, scatter_max_p):
    ad.primitive_jvps[_p] = (lambda p: lambda primals, tangents, **params:
                             _scatter_extremal_jvp(p, primals, tangents, **params))(_p)


# --- scatter (overwrite) ---

def _scatter_jvp(primals, tangents, *, update_jaxpr, update_consts, dimension_numbers,
                 indices_are_sorted, unique_indices, mode):
    if update_jaxpr is not None:
        raise NotImplementedError("scatter_apply JVP not implemented")
    operand, indices, updates = primals
    g_op, _, g_up = tangents
    dn = dimension_numbers
    params = dict(update_jaxpr=None, update_consts=update_consts, dimension_numbers=dn,
                  indices_are_sorted=indices_are_sorted, unique_indices=unique_indices, mode=mode)
    if type(g_op) is Zero and type(g_up) is Zero:
        out = scatter_p.bind(operand, indices, updates, **params)
        return out, Zero.from_primal_value(out)
    g_op = ad.instantiate_zeros(g_op)
    g_up = ad.instantiate_zeros(g_up)
    if unique_indices:
        return (scatter_p.bind(operand, indices, updates, **params),
                scatter_p.bind(g_op, indices, g_up, **params))
    # Which update lands where is unspecified with repeated indices. Scatter a distinct id per update,
    # gather the ids back, and keep only the updates (and operand entries) whose id survived; the
    # result is then a scatter-add, whose rules we have.
    from jaxlite._src.lax.elementwise import add, eq, select
    up_shape = list(_aval(updates).shape)
    for d in dn.update_window_dims:
        up_shape[d] = 1
    num_ids = int(np.prod(up_shape, dtype=np.int64))
    id_dtype = np.dtype(np.uint32) if num_ids < np.iinfo(np.uint32).max else np.dtype(np.uint64)
    ids = add(lax_shapes.reshape(lax_shapes.iota(id_dtype, num_ids), tuple(up_shape)),
              lax_ew.full(up_shape, 1, id_dtype))
    ids = lax_shapes.broadcast_in_dim(ids, _aval(updates).shape, tuple(range(len(up_shape)))) \
        if tuple(up_shape) != _aval(updates).shape else ids
    scattered = scatter(lax_ew.full(_aval(operand).shape, 0, id_dtype), indices, ids, dn,
                        indices_are_sorted=indices_are_sorted, unique_indices=unique_indices, mode=mode)
    gdn, sizes = _inverse_gather(dn, _aval(operand).shape, _aval(updates).shape)
    back = gather(scattered, indices, gdn, sizes)
    untouched = eq(scattered, lax_ew._zeros(scattered))
    winner = eq(ids, back)
    m_op = select(untouched, operand, lax_ew._zeros(operand))
    m_up = select(winner, updates, lax_ew._zeros(updates))
    m_gop = select(untouched, g_op, lax_ew._zeros(g_op))
    m_gup = select(winner, g_up, lax_ew._zeros(g_up))
    kw = dict(indices_are_sorted=indices_are_sorted, unique_indices=unique_indices, mode=mode)
    return scatter_add(m_op, indices, m_up, dn, **kw), scatter_add(m_gop, indices, m_gup, dn, **kw)


def _scatter_transpose(ct, operand, indices, updates, *, update_jaxpr, update_consts, dimension_numbers,
                       indices_are_sorted, unique_indices, mode):
    if not unique_indices:
        raise NotImplementedError("scatter transpose is only implemented where unique_indices=True")
    assert not is_undefined_primal(indices)
    if type(ct) is Zero:
        return [None, None, None]
    up_aval = updates.aval if is_undefined_primal(updates) else _aval(updates)
    op_ct = up_ct = None
    if is_undefined_primal(operand):
        op_ct = scatter(ct, indices, lax_ew.full(up_aval.shape, 0, _aval(ct).dtype), dimension_numbers,
                        indices_are_sorted=indices_are_sorted, unique_indices=True, mode=mode)
    if is_undefined_primal(updates):
        gdn, sizes = _inverse_gather(dimension_numbers, _aval(ct).shape, up_aval.shape)
        up_ct = gather(ct, indices, gdn, sizes, mode=mode, fill_value=0)
    return [op_ct, None, up_ct]


ad.primitive_jvps[scatter_p] = _scatter_jvp
ad.primitive_transposes[scatter_p] = _scatter_transpose


def _scatter_batch(prim, vals, dims, *, update_jaxpr, update_consts, dimension_numbers,
                   indices_are_sorted, unique_indices, mode):
    operand, indices, updates = vals
    obd, ibd, ubd = dims
    size = batching.axis_size_of(vals, dims)
    operand = batching.bdim_at_front(operand, obd, size)
    updates = batching.bdim_at_front(updates, ubd, size)
    dn = dimension_numbers
    params = dict(update_jaxpr=update_jaxpr, update_consts=update_consts,
                  indices_are_sorted=indices_are_sorted, unique_indices=unique_indices, mode=mode)
    if ibd is None:
        new = ScatterDimensionNumbers(
            update_window_dims=(0,) + _add1(dn.update_window_dims),
            inserted_window_dims=_add1(dn.inserted_window_dims),
            scatter_dims_to_operand_dims=_add1(dn.scatter_dims_to_operand_dims),
            operand_batching_dims=_add1(dn.operand_batching_dims),
            scatter_indices_batching_dims=dn.scatter_indices_batching_dims)
        return prim.bind(operand, indices, updates, dimension_numbers=new, **params), 0
    indices = batching.bdim_at_front(indices, ibd, size)
    new = ScatterDimensionNumbers(
        update_window_dims=_add1(dn.update_window_dims),
        inserted_window_dims=_add1(dn.inserted_window_dims),
        scatter_dims_to_operand_dims=_add1(dn.scatter_dims_to_operand_dims),
        operand_batching_dims=(0,) + _add1(dn.operand_batching_dims),
        scatter_indices_batching_dims=(0,) + _add1(dn.scatter_indices_batching_dims))
    return prim.bind(operand, indices, updates, dimension_numbers=new, **params), 0


for _p in (scatter_p, scatter_add_p, scatter_sub_p, scatter_mul_p, scatter_min_p, scatter_max_p):
    batching.primitive_batchers[_p] = (lambda p: lambda vals, dims, **params:
                                       _scatter_batch(p, vals, dims, **params))(_p)


# the combiner jaxprs shown as ``update_jaxpr`` (traced once per dtype, so params stay identical)
_combiner_cache: dict = {}


def _combiner_jaxpr(fn, key, dtype):
    k = (key, np.dtype(dtype))
    out = _combiner_cache.get(k)
    if out is None:
        from jaxlite._src.interpreters import partial_eval as pe
        aval = ShapedArray((), dtype)
        with core.set_current_trace(core.eval_trace):
            jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(lambda x, y: [fn(x, y)], [aval, aval])
        out = _combiner_cache[k] = (jaxpr, tuple(consts))
    return out


def _scatter_dn(dimension_numbers):
    if not isinstance(dimension_numbers, ScatterDimensionNumbers):
        raise TypeError(f"scatter dimension_numbers must be a ScatterDimensionNumbers, got "
                        f"{dimension_numbers!r}")
    return ScatterDimensionNumbers(*(tuple(_dim(d) for d in f) for f in dimension_numbers))


def _scatter_combining(prim, fn, key, operand, scatter_indices, updates, dimension_numbers,
                       indices_are_sorted, unique_indices, mode):
    jaxpr, consts = _combiner_jaxpr(fn, key, _aval(operand).dtype)
    return prim.bind(operand, scatter_indices, updates, update_jaxpr=jaxpr, update_consts=consts,
                     dimension_numbers=_scatter_dn(dimension_numbers),
                     indices_are_sorted=bool(indices_are_sorted), unique_indices=bool(unique_indices),
                     mode=GatherScatterMode.from_any(mode))


def scatter_add(operand, scatter_indices, updates, dimension_numbers: ScatterDimensionNumbers, *,
                indices_are_sorted: bool = False, unique_indices: bool = False, mode=None):
    """XLA's Scatter combining with addition: ``operand`` with ``updates`` added at the windows
    starting at each index vector of ``scatter_indices``. Prefer ``x.at[idx].add(y)``.

    Example::

        >>> dn = lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
        ...                                  scatter_dims_to_operand_dims=(0,))
        >>> lax.scatter_add(jnp.zeros(3), jnp.array([[1], [1]]), jnp.array([1., 2.]), dn)
        Array([0., 3., 0.], dtype=float32)
    """
    return _scatter_combining(scatter_add_p, lax_ew.add, "add", operand, scatter_indices, updates,
                              dimension_numbers, indices_are_sorted, unique_indices, mode)


def scatter_sub(operand, scatter_indices, updates, dimension_numbers: ScatterDimensionNumbers, *,
                indices_are_sorted: bool = False, unique_indices: bool = False, mode=None):
    """Like :func:`scatter_add`, subtracting the updates. Prefer ``x.at[idx].subtract(y)``."""
    return _scatter_combining(scatter_sub_p, lax_ew.sub, "sub", operand, scatter_indices, updates,
                              dimension_numbers, indices_are_sorted, unique_indices, mode)


def scatter_mul(operand, scatter_indices, updates, dimension_numbers: ScatterDimensionNumbers, *,
                indices_are_sorted: bool = False, unique_indices: bool = False, mode=None):
    """Like :func:`scatter_add`, multiplying by the updates. Prefer ``x.at[idx].multiply(y)``."""
    return _scatter_combining(scatter_mul_p, lax_ew.mul, "mul", operand, scatter_indices, updates,
                              dimension_numbers, indices_are_sorted, unique_indices, mode)


def scatter_min(operand, scatter_indices, updates, dimension_numbers: ScatterDimensionNumbers, *,
                indices_are_sorted: bool = False, unique_indices: bool = False, mode=None):
    """Like :func:`scatter_add`, keeping the minimum. Prefer ``x.at[idx].min(y)``."""
    return _scatter_combining(scatter_min_p, lax_ew.min, "min", operand, scatter_indices, updates,
                              dimension_numbers, indices_are_sorted, unique_indices, mode)


def scatter_max(operand, scatter_indices, updates, dimension_numbers: ScatterDimensionNumbers, *,
                indices_are_sorted: bool = False, unique_indices: bool = False, mode=None):
    """Like :func:`scatter_add`, keeping the maximum. Prefer ``x.at[idx].max(y)``."""
    return _scatter_combining(scatter_max_p, lax_ew.max, "max", operand, scatter_indices, updates,
                              dimension_numbers, indices_are_sorted, unique_indices, mode)


def scatter(operand, scatter_indices, updates, dimension_numbers: ScatterDimensionNumbers, *,
            indices_are_sorted: bool = False, unique_indices: bool = False, mode=None):
    """XLA's Scatter overwriting: ``updates`` replace the windows of ``operand`` starting at each
    index vector (with repeated indices, which update wins is unspecified). Prefer ``x.at[idx].set(y)``.

    Example::

        >>> dn = lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
        ...                                  scatter_dims_to_operand_dims=(0,))
        >>> lax.scatter(jnp.zeros(3), jnp.array([[2]]), jnp.array([5.]), dn)
        Array([0., 0., 5.], dtype=float32)
    """
    return scatter_p.bind(operand, scatter_indices, updates, update_jaxpr=None, update_consts=(),
                          dimension_numbers=_scatter_dn(dimension_numbers),
                          indices_are_sorted=bool(indices_are_sorted), unique_indices=bool(unique_indices),
                          mode=GatherScatterMode.from_any(mode))


# per-function combiner jaxprs for scatter_apply; weak keys so temporary lambdas are not kept alive
_apply_cache = weakref.WeakKeyDictionary()


def scatter_apply(operand, scatter_indices, func, dimension_numbers: ScatterDimensionNumbers, *,
                  update_shape=(), indices_are_sorted: bool = False, unique_indices: bool = False,
                  mode=None):
    """Replace the addressed elements of ``operand`` by ``func`` of them; a repeated index applies
    ``func`` repeatedly. Not differentiable (as in JAX). Prefer ``x.at[idx].apply(func)``."""
    dtype = _aval(operand).dtype
    unused = lax_ew.full(canonicalize_shape(update_shape), 0, dtype)
    try:
        per_dtype = _apply_cache.setdefault(func, {})
    except TypeError:  # not weakly referenceable: trace afresh
        per_dtype = {}
    cached = per_dtype.get(np.dtype(dtype))
    if cached is None:
        from jaxlite._src.interpreters import partial_eval as pe
        aval = ShapedArray((), dtype)
        with core.set_current_trace(core.eval_trace):
            jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(lambda x, y: [func(x)], [aval, aval])
        cached = per_dtype[np.dtype(dtype)] = (jaxpr, tuple(consts))
    jaxpr, consts = cached
    return scatter_p.bind(operand, scatter_indices, unused, update_jaxpr=jaxpr, update_consts=consts,
                          dimension_numbers=_scatter_dn(dimension_numbers),
                          indices_are_sorted=bool(indices_are_sorted), unique_indices=bool(unique_indices),
                          mode=GatherScatterMode.from_any(mode))


# ---------------------------------------------------------------------------------------------------
# dynamic_slice
# ---------------------------------------------------------------------------------------------------

def _clamped_starts(shape, sizes, starts):
    return tuple(int(min(max(int(s), 0), n - k)) for s, n, k in zip(starts, shape, sizes))


def _dynamic_slice_impl(operand, *start_indices, slice_sizes):
    operand = np.asarray(operand)
    st = _clamped_starts(operand.shape, slice_sizes, start_indices)
    return operand[tuple(np.s_[s:s + k] for s, k in zip(st, slice_sizes))]


def _check_start_indices(name, operand, start_indices):
    if len(start_indices) != operand.ndim:
        raise TypeError(f"{name} start_indices must have length equal to the rank of operand, got "
                        f"{len(start_indices)} indices for operand shape {operand.shape}.")
    if any(i.ndim != 0 for i in start_indices):
        raise TypeError(f"start_indices arguments to {name} must be scalars, got indices with shapes "
                        f"{[i.shape for i in start_indices]}")
    if start_indices and any(i.dtype != start_indices[0].dtype or not dtypes.issubdtype(i.dtype, np.integer)
                             for i in start_indices):
        raise TypeError(f"index arguments to {name} must be integers of the same type, got: "
                        f"{', '.join(i.dtype.name for i in start_indices)}")


def _dynamic_slice_abstract(operand, *start_indices, slice_sizes):
    _check_start_indices("dynamic_slice", operand, start_indices)
    if len(slice_sizes) != operand.ndim or not all(k <= n for k, n in zip(slice_sizes, operand.shape)):
        raise TypeError(f"slice slice_sizes must be less than or equal to operand shape, got slice_sizes "
                        f"{tuple(slice_sizes)} for operand shape {operand.shape}.")
    if not all(k >= 0 for k in slice_sizes):
        raise TypeError(f"slice slice_sizes must be greater than or equal to zero, got slice_sizes of "
                        f"{tuple(slice_sizes)}.")
    return ShapedArray(tuple(slice_sizes), operand.dtype, operand.weak_type)


dynamic_slice_p = Primitive("dynamic_slice")
dynamic_slice_p.def_impl(_dynamic_slice_impl)
dynamic_slice_p.def_abstract_eval(_dynamic_slice_abstract)


def _dynamic_slice_jvp(primals, tangents, *, slice_sizes):
    operand, *starts = primals
    out = dynamic_slice_p.bind(operand, *starts, slice_sizes=slice_sizes)
    t = tangents[0]
    if type(t) is Zero:
        return out, Zero.from_primal_value(out)
    return out, dynamic_slice_p.bind(t, *starts, slice_sizes=slice_sizes)


def _dynamic_slice_transpose(ct, operand, *starts, slice_sizes):
    assert is_undefined_primal(operand) and not any(is_undefined_primal(s) for s in starts)
    if type(ct) is Zero:
        return [None] * (1 + len(starts))
    aval = operand.aval
    zeros = lax_ew.full(aval.shape, 0, aval.dtype, weak_type=aval.weak_type)
    return [dynamic_update_slice_p.bind(zeros, ct, *starts)] + [None] * len(starts)


ad.primitive_jvps[dynamic_slice_p] = _dynamic_slice_jvp
ad.primitive_transposes[dynamic_slice_p] = _dynamic_slice_transpose


def _stack_start_indices(starts, dims):
    """Start indices (scalars, some batched) as one index vector per batch element: a (size, n) array
    batched at 0, or, with no batched start, one (n,) vector and batch dim None."""
    if not starts:
        return np.zeros(0, np.int32), None
    size = next((_aval(s).shape[d] for s, d in zip(starts, dims) if d is not None), None)
    if size is None:
        return lax_shapes.concatenate([lax_shapes.broadcast_in_dim(s, (1,), ()) for s in starts], 0), None
    cols = [lax_shapes.broadcast_in_dim(s, (size, 1), (0,) if d is not None else ())
            for s, d in zip(starts, dims)]
    return lax_shapes.concatenate(cols, 1), 0


def _dynamic_slice_batch(vals, dims, *, slice_sizes):
    # a gather with one start vector per batch element, clamped like dynamic_slice
    operand, *starts = vals
    obd, *sbd = dims
    index, ibd = _stack_start_indices(starts, sbd)
    nd = len(slice_sizes)
    dn = GatherDimensionNumbers(offset_dims=tuple(range(nd)), collapsed_slice_dims=(),
                                start_index_map=tuple(range(nd)))
    return _gather_batch([operand, index], [obd, ibd], dimension_numbers=dn, slice_sizes=tuple(slice_sizes),
                         unique_indices=True, indices_are_sorted=True, mode=GatherScatterMode.CLIP,
                         fill_value=None)


batching.primitive_batchers[dynamic_slice_p] = _dynamic_slice_batch


def _dynamic_slice_indices(operand, start_indices, allow_negative_indices):
    """Wrap negative start indices (per dimension, where allowed), as JAX does before binding."""
    shape = _aval(operand).shape
    if not isinstance(start_indices, (list, tuple)):
        a = _aval(start_indices)
        if a.ndim != 1:
            raise ValueError(f"Slice indices must be a 1D sequence, got {a.shape}")
        start_indices = [start_indices[k] for k in range(a.shape[0])]
    if len(start_indices) != len(shape):
        raise ValueError(f"Length of slice indices must match number of operand dimensions "
                         f"({len(start_indices)} vs {shape})")
    if isinstance(allow_negative_indices, bool):
        allow_negative_indices = [allow_negative_indices] * len(shape)
    out = []
    for i, d, neg_ok in zip(start_indices, shape, allow_negative_indices):
        if isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)):
            dt = dtypes.canonicalize_dtype(np.asarray(i).dtype if isinstance(i, np.integer) else np.int64)
            if dtypes.issubdtype(dt, np.unsignedinteger):
                out.append(lax_ew._convert_element_type(i, dt))
                continue
            if i < 0 and not neg_ok:
                raise ValueError(f"Index {i} is out of bounds for dimension {d} if "
                                 "allow_negative_indices=False")
            out.append(lax_ew._convert_element_type(i + d if i < 0 else i, dt))
            continue
        dt = _aval(i).dtype
        if dtypes.issubdtype(dt, np.unsignedinteger) or not neg_ok:
            out.append(i)
            continue
        d_arr = lax_ew._convert_element_type(d, dt)
        out.append(lax_ew.select(i < 0, i + d_arr, i))
    return out


def dynamic_slice(operand, start_indices, slice_sizes, *, allow_negative_indices=True):
    """The slice of ``operand`` of size ``slice_sizes`` at (possibly traced) ``start_indices``.
    Starts are clamped so the slice stays in bounds; negative starts count from the end.

    Example::

        >>> lax.dynamic_slice(jnp.arange(5), (3,), (3,))   # start clamped to 2
        Array([2, 3, 4], dtype=int32)
    """
    starts = _dynamic_slice_indices(operand, start_indices, allow_negative_indices)
    return dynamic_slice_p.bind(operand, *starts, slice_sizes=canonicalize_shape(slice_sizes))


# ---------------------------------------------------------------------------------------------------
# dynamic_update_slice
# ---------------------------------------------------------------------------------------------------

def _dynamic_update_slice_impl(operand, update, *start_indices):
    operand = np.asarray(operand)
    update = np.asarray(update)
    out = np.array(operand, copy=True)
    st = _clamped_starts(operand.shape, update.shape, start_indices)
    out[tuple(np.s_[s:s + k] for s, k in zip(st, update.shape))] = update
    return out


def _dynamic_update_slice_abstract(operand, update, *start_indices):
    if operand.ndim != update.ndim:
        raise TypeError(f"dynamic_update_slice update must have the same rank as operand, got update "
                        f"shape {update.shape} for operand shape {operand.shape}.")
    _check_start_indices("dynamic_update_slice", operand, start_indices)
    if not all(u <= n for u, n in zip(update.shape, operand.shape)):
        raise TypeError(f"dynamic_update_slice update shape must be smaller than operand shape, got "
                        f"update shape {update.shape} for operand shape {operand.shape}.")
    if operand.dtype != update.dtype:
        raise TypeError(f"lax.dynamic_update_slice requires arguments to have the same dtypes, got "
                        f"{operand.dtype.name}, {update.dtype.name}.")
    return ShapedArray(operand.shape, operand.dtype, operand.weak_type)


dynamic_update_slice_p = Primitive("dynamic_update_slice")
dynamic_update_slice_p.def_impl(_dynamic_update_slice_impl)
dynamic_update_slice_p.def_abstract_eval(_dynamic_update_slice_abstract)


def _dynamic_update_slice_jvp(primals, tangents):
    operand, update, *starts = primals
    g_op, g_up = tangents[:2]
    out = dynamic_update_slice_p.bind(operand, update, *starts)
    if type(g_op) is Zero and type(g_up) is Zero:
        return out, Zero.from_primal_value(out)
    g_op = ad.instantiate_zeros(g_op)
    g_up = ad.instantiate_zeros(g_up)
    return out, dynamic_update_slice_p.bind(g_op, g_up, *starts)


def _dynamic_update_slice_transpose(ct, operand, update, *starts):
    assert not any(is_undefined_primal(s) for s in starts)
    if type(ct) is Zero:
        return [None] * (2 + len(starts))
    up_aval = update.aval if is_undefined_primal(update) else _aval(update)
    op_ct = up_ct = None
    if is_undefined_primal(operand):
        zeros = lax_ew.full(up_aval.shape, 0, up_aval.dtype, weak_type=up_aval.weak_type)
        op_ct = dynamic_update_slice_p.bind(ct, zeros, *starts)
    if is_undefined_primal(update):
        up_ct = dynamic_slice_p.bind(ct, *starts, slice_sizes=up_aval.shape)
    return [op_ct, up_ct] + [None] * len(starts)


ad.primitive_jvps[dynamic_update_slice_p] = _dynamic_update_slice_jvp
ad.primitive_transposes[dynamic_update_slice_p] = _dynamic_update_slice_transpose


def _dynamic_update_slice_batch(vals, dims):
    # a clamping scatter with one window per batch element
    operand, update, *starts = vals
    obd, ubd, *sbd = dims
    index, ibd = _stack_start_indices(starts, sbd)
    nd = len(starts)
    dn = ScatterDimensionNumbers(update_window_dims=tuple(range(nd)), inserted_window_dims=(),
                                 scatter_dims_to_operand_dims=tuple(range(nd)))
    return _scatter_batch(scatter_p, [operand, index, update], [obd, ibd, ubd], update_jaxpr=None,
                          update_consts=(), dimension_numbers=dn, indices_are_sorted=True,
                          unique_indices=True, mode=GatherScatterMode.CLIP)


batching.primitive_batchers[dynamic_update_slice_p] = _dynamic_update_slice_batch


def dynamic_update_slice(operand, update, start_indices, *, allow_negative_indices=True):
    """``operand`` with ``update`` written at (possibly traced) ``start_indices`` (clamped so that the
    update fits; negative starts count from the end).

    Example::

        >>> lax.dynamic_update_slice(jnp.zeros(4), jnp.ones(2), (1,))
        Array([0., 1., 1., 0.], dtype=float32)
    """
    starts = _dynamic_slice_indices(operand, start_indices, allow_negative_indices)
    return dynamic_update_slice_p.bind(operand, update, *starts)


# ---------------------------------------------------------------------------------------------------
# convenience wrappers
# ---------------------------------------------------------------------------------------------------

def _canon_axis(axis, ndim):
    axis = int(axis)
    if not -ndim <= axis < max(ndim, 1):
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim if ndim else 0


def slice_in_dim(operand, start_index, limit_index, stride: int = 1, axis: int = 0):
    """``operand[..., start_index:limit_index:stride]`` along ``axis`` (static indices)."""
    shape = _aval(operand).shape
    axis = int(axis)
    n = shape[axis]
    start = 0 if start_index is None else int(start_index)
    limit = n if limit_index is None else int(limit_index)
    if start < 0:
        start += n
    if limit < 0:
        limit += n
    starts = [0] * len(shape)
    limits = list(shape)
    strides = [1] * len(shape)
    starts[axis], limits[axis], strides[axis] = start, limit, int(stride)
    return lax_shapes.slice(operand, starts, limits, strides)


def index_in_dim(operand, index: int, axis: int = 0, keepdims: bool = True):
    """``operand[..., index]`` along ``axis`` (static ``index``); ``keepdims`` keeps a size-1 axis."""
    index, axis = int(index), int(axis)
    n = _aval(operand).shape[axis]
    wrapped = index + n if index < 0 else index
    if not 0 <= wrapped < n:
        raise IndexError(f"index {index} is out of bounds for axis {axis} with size {n}")
    out = slice_in_dim(operand, wrapped, wrapped + 1, 1, axis)
    return out if keepdims else lax_shapes.squeeze(out, (axis,))


def _zero_like_index(i):
    if isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)):
        return type(i)(0) if isinstance(i, np.integer) else 0
    return lax_ew._convert_element_type(0, _aval(i).dtype)


def dynamic_slice_in_dim(operand, start_index, slice_size: int, axis: int = 0, *,
                         allow_negative_indices: bool = True):
    """``operand[..., start_index:start_index + slice_size]`` along ``axis`` with a traced start."""
    shape = _aval(operand).shape
    axis = int(axis)
    starts = [_zero_like_index(start_index)] * len(shape)
    sizes = list(shape)
    neg = [False] * len(shape)
    starts[axis] = start_index
    sizes[axis] = int(slice_size)
    neg[axis] = allow_negative_indices
    return dynamic_slice(operand, starts, sizes, allow_negative_indices=neg)


@staged_jit(static_argnames=("axis", "keepdims", "allow_negative_indices"))
def dynamic_index_in_dim(operand, index, axis: int = 0, keepdims: bool = True, *,
                         allow_negative_indices: bool = True):
    """``operand[..., index]`` along ``axis`` with a traced ``index``."""
    out = dynamic_slice_in_dim(operand, index, 1, axis, allow_negative_indices=allow_negative_indices)
    return out if keepdims else lax_shapes.squeeze(out, (int(axis),))


def dynamic_update_slice_in_dim(operand, update, start_index, axis: int, *,
                                allow_negative_indices: bool = True):
    """Write ``update`` into ``operand`` at ``start_index`` along ``axis`` (other axes start at 0)."""
    axis = int(axis)
    nd = _aval(operand).ndim
    starts = [_zero_like_index(start_index)] * nd
    starts[axis] = start_index
    neg = [False] * nd
    neg[axis] = allow_negative_indices
    return dynamic_update_slice(operand, update, starts, allow_negative_indices=neg)


@staged_jit(static_argnames=("axis", "allow_negative_indices"))
def dynamic_update_index_in_dim(operand, update, index, axis: int, *, allow_negative_indices: bool = True):
    """Write ``update`` (rank one less than ``operand``, or equal with size 1 at ``axis``) at ``index``."""
    axis = int(axis)
    if _aval(update).ndim == _aval(operand).ndim - 1:
        update = lax_shapes.expand_dims(update, (axis,))
    return dynamic_update_slice_in_dim(operand, update, index, axis,
                                       allow_negative_indices=allow_negative_indices)


def index_take(src, idxs, axes):
    """``src`` gathered at the index arrays ``idxs`` along ``axes`` (indices wrap modulo the sizes)."""
    axes = tuple(int(a) for a in axes)
    indices = lax_shapes.concatenate([lax_shapes.expand_dims(i, (1,)) for i in idxs], 1)
    shape = _aval(src).shape
    idx_aval = _aval(indices)
    sizes = np.array([shape[a] for a in axes], idx_aval.dtype)
    indices = indices % lax_shapes.broadcast_in_dim(sizes, idx_aval.shape, (1,))
    slice_sizes = list(shape)
    for a in axes:
        slice_sizes[a] = 1
    offset_dims = tuple(range(1, len(shape) - idx_aval.shape[1] + 1))
    dn = GatherDimensionNumbers(offset_dims=offset_dims, collapsed_slice_dims=axes, start_index_map=axes)
    return gather(src, indices, dn, tuple(slice_sizes))
