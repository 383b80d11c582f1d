"""Shape primitives: broadcast_in_dim, reshape, transpose, squeeze, expand_dims, rev, concatenate, pad,
slice, iota. Each with impl, abstract eval, jvp/transpose (they are all linear) and batch rule."""
from __future__ import annotations

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.core import Primitive, ShapedArray
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.interpreters import partial_eval as _pe
from jaxlite._src.interpreters.ad import Zero, is_undefined_primal
from jaxlite._src.lax.utils import canonicalize_shape

__all__ = [
    "broadcast_in_dim", "broadcast", "broadcast_to_rank", "reshape", "transpose", "squeeze",
    "expand_dims", "rev", "concatenate", "pad", "slice", "iota", "broadcasted_iota", "collapse",
    "broadcast_in_dim_p", "reshape_p", "transpose_p", "squeeze_p", "rev_p", "concatenate_p", "pad_p",
    "slice_p", "iota_p", "broadcast_shapes", "stack", "unstack", "stack_p", "unstack_p",
]


def _aval(x):
    return core.get_aval(x)


# ---------------------------------------------------------------------------------------------------
# broadcast_in_dim
# ---------------------------------------------------------------------------------------------------

def _bid_impl(x, *, shape, broadcast_dimensions, sharding):
    x = np.asarray(x)
    if x.ndim == len(shape):
        return np.broadcast_to(x, shape)
    new_shape = [1] * len(shape)
    for i, d in enumerate(broadcast_dimensions):
        new_shape[d] = x.shape[i]
    return np.broadcast_to(x.reshape(new_shape), shape)


def _bid_abstract(x, *, shape, broadcast_dimensions, sharding):
    if len(broadcast_dimensions) != x.ndim:
        raise TypeError(f"broadcast_in_dim broadcast_dimensions must have length equal to operand ndim; "
                        f"got broadcast_dimensions {broadcast_dimensions} for operand ndim {x.ndim}.")
    for i, d in enumerate(broadcast_dimensions):
        if not 0 <= d < len(shape):
            raise TypeError(f"broadcast_in_dim broadcast_dimensions must be valid indices into shape "
                            f"{shape}, got {broadcast_dimensions}.")
        if x.shape[i] != 1 and x.shape[i] != shape[d]:
            raise TypeError(f"broadcast_in_dim operand dimension sizes must either be 1, or be equal to "
                            f"their corresponding dimensions in the target broadcast shape; got operand "
                            f"of shape {x.shape}, target broadcast shape {shape}, broadcast_dimensions "
                            f"{broadcast_dimensions}")
    if list(broadcast_dimensions) != sorted(broadcast_dimensions):
        raise TypeError(f"broadcast_in_dim broadcast_dimensions must be strictly increasing; got "
                        f"{broadcast_dimensions}")
    return ShapedArray(shape, x.dtype, x.weak_type)


broadcast_in_dim_p = Primitive("broadcast_in_dim")
broadcast_in_dim_p.def_impl(_bid_impl)
broadcast_in_dim_p.def_abstract_eval(_bid_abstract)


def _bid_pp(params):
    # JAX shows only non-trivial broadcast_dimensions; the shape is the output's
    return {"broadcast_dimensions": params["broadcast_dimensions"]} if params["broadcast_dimensions"] else {}


broadcast_in_dim_p.pp_params = _bid_pp


def _bid_transpose(ct, x, *, shape, broadcast_dimensions, sharding):
    if type(ct) is Zero:
        return [None]
    # as JAX's: sum over every dimension that is not an operand dimension of size > 1, then restore the
    # operand's size-1 dimensions
    unit = [i for i, n in enumerate(x.aval.shape) if n == 1]
    kept = [d for i, d in enumerate(broadcast_dimensions) if i not in unit]
    axes = tuple(i for i in range(len(shape)) if i not in kept)
    from jaxlite._src.lax.reductions import reduce_sum
    return [expand_dims(reduce_sum(ct, axes), unit)]


ad.deflinear(broadcast_in_dim_p, _bid_transpose)


def _bid_batch(vals, dims, *, shape, broadcast_dimensions, sharding):
    (x,), (d,) = vals, dims
    x = batching.moveaxis(x, d, 0)
    size = _aval(x).shape[0]
    return (broadcast_in_dim_p.bind(x, shape=(size,) + tuple(shape),
                                    broadcast_dimensions=(0,) + tuple(np.add(1, broadcast_dimensions)),
                                    sharding=None), 0)


batching.primitive_batchers[broadcast_in_dim_p] = _bid_batch


def broadcast_in_dim(operand, shape, broadcast_dimensions, out_sharding=None):
    """Broadcast ``operand`` to ``shape``; operand dim ``i`` becomes output dim ``broadcast_dimensions[i]``."""
    shape = canonicalize_shape(shape)
    if any(d < 0 for d in shape):
        raise TypeError(f"broadcast_in_dim: the target shape {shape} has a negative size; sizes must be >= 0.")
    bd = tuple(broadcast_dimensions)  # as given (JAX's batching rules pass NumPy ints, and print them)
    a = _aval(operand)
    if a.shape == shape and not bd and isinstance(operand, core.Array):
        return operand
    # (one to the operand's own shape is bound too, as in JAX; staging skips it: see _bid_forward)
    return broadcast_in_dim_p.bind(operand, shape=shape, broadcast_dimensions=bd, sharding=out_sharding)


def _bid_forward(avals, *, shape, broadcast_dimensions, sharding):
    return [0] if avals[0].shape == tuple(shape) and sharding is None else None


_pe.forwarding_rules[broadcast_in_dim_p] = _bid_forward


def broadcast(operand, sizes, out_sharding=None):
    """Add leading dimensions of ``sizes`` to ``operand``."""
    sizes = canonicalize_shape(sizes)
    a = _aval(operand)
    if not sizes and isinstance(operand, (core.Array, core.Tracer)):
        return operand
    return broadcast_in_dim(operand, tuple(sizes) + a.shape,
                            tuple(range(len(sizes), len(sizes) + a.ndim)), out_sharding)


def broadcast_to_rank(x, rank):
    nd = _aval(x).ndim
    if nd == rank:
        return x
    return broadcast(x, (1,) * (rank - nd))


def broadcast_shapes(*shapes):
    """NumPy-style broadcast of shapes; ValueError naming them if incompatible."""
    shapes = [tuple(s) for s in shapes]
    if not shapes:
        return ()
    nd = max(len(s) for s in shapes)
    padded = [(1,) * (nd - len(s)) + s for s in shapes]
    out = []
    for dims in zip(*padded):
        non1 = {d for d in dims if d != 1}
        if len(non1) > 1:
            raise ValueError(f"Incompatible shapes for broadcasting: shapes={[tuple(s) for s in shapes]}")
        out.append(non1.pop() if non1 else 1)
    return tuple(out)


# ---------------------------------------------------------------------------------------------------
# reshape
# ---------------------------------------------------------------------------------------------------

def _reshape_impl(x, *, new_sizes, dimensions, sharding):
    if dimensions is not None:
        x = np.transpose(x, dimensions)
    return np.reshape(x, new_sizes)


def _reshape_abstract(x, *, new_sizes, dimensions, sharding):
    if int(np.prod(new_sizes, dtype=np.int64)) != x.size:
        raise TypeError(f"reshape total size must be unchanged, got new_sizes {new_sizes} (size "
                        f"{int(np.prod(new_sizes))}) for shape {x.shape} (size {x.size}).")
    return ShapedArray(new_sizes, x.dtype, x.weak_type)


reshape_p = Primitive("reshape")
reshape_p.def_impl(_reshape_impl)
reshape_p.def_abstract_eval(_reshape_abstract)


def _reshape_transpose(ct, x, *, new_sizes, dimensions, sharding):
    if type(ct) is Zero:
        return [None]
    out = reshape(ct, x.aval.shape if dimensions is None else
                  tuple(np.take(x.aval.shape, dimensions)))
    if dimensions is not None:
        out = transpose(out, tuple(np.argsort(dimensions)))
    return [out]


ad.deflinear(reshape_p, _reshape_transpose)


def _reshape_batch(vals, dims, *, new_sizes, dimensions, sharding):
    (x,), (d,) = vals, dims
    x = batching.moveaxis(x, d, 0)
    if dimensions is not None:
        x = transpose(x, (0,) + tuple(i + 1 for i in dimensions))
    size = _aval(x).shape[0]
    return reshape_p.bind(x, new_sizes=(size,) + tuple(new_sizes), dimensions=None, sharding=None), 0


batching.primitive_batchers[reshape_p] = _reshape_batch


def reshape(operand, new_sizes, dimensions=None, out_sharding=None):
    """Reshape ``operand`` (after transposing by ``dimensions`` if given)."""
    new_sizes = canonicalize_shape(new_sizes)
    a = _aval(operand)
    dims = None if dimensions is None or tuple(dimensions) == tuple(range(a.ndim)) else tuple(dimensions)
    if a.shape == new_sizes and dims is None and isinstance(operand, (core.Array, core.Tracer)):
        return operand
    return reshape_p.bind(operand, new_sizes=new_sizes, dimensions=dims, sharding=out_sharding)


def collapse(operand, start_dimension, stop_dimension=None):
    shape = _aval(operand).shape
    stop = len(shape) if stop_dimension is None else stop_dimension
    size = int(np.prod(shape[start_dimension:stop], dtype=np.int64))
    return reshape(operand, shape[:start_dimension] + (size,) + shape[stop:])


# ---------------------------------------------------------------------------------------------------
# transpose
# ---------------------------------------------------------------------------------------------------

transpose_p = Primitive("transpose")
transpose_p.def_impl(lambda x, *, permutation: np.transpose(x, permutation))


def _transpose_abstract(x, *, permutation):
    if sorted(permutation) != list(range(x.ndim)):
        raise TypeError(f"transpose permutation isn't a permutation of operand dimensions, got "
                        f"permutation {permutation} for operand shape {x.shape}.")
    return ShapedArray(tuple(x.shape[p] for p in permutation), x.dtype, x.weak_type)


transpose_p.def_abstract_eval(_transpose_abstract)
ad.deflinear(transpose_p, lambda ct, x, *, permutation: [None if type(ct) is Zero else
                                                         transpose(ct, tuple(np.argsort(permutation)))])


def _transpose_batch(vals, dims, *, permutation):
    (x,), (d,) = vals, dims
    perm = (d,) + tuple(p if p < d else p + 1 for p in permutation)
    return transpose_p.bind(x, permutation=perm), 0


batching.primitive_batchers[transpose_p] = _transpose_batch


def transpose(operand, permutation):
    permutation = tuple(int(p) for p in permutation)
    if (permutation == tuple(range(len(permutation))) and isinstance(operand, (core.Array, core.Tracer))
            and len(permutation) == operand.ndim):
        return operand
    return transpose_p.bind(operand, permutation=permutation)


# ---------------------------------------------------------------------------------------------------
# squeeze / expand_dims
# ---------------------------------------------------------------------------------------------------

squeeze_p = Primitive("squeeze")
squeeze_p.def_impl(lambda x, *, dimensions: np.squeeze(x, dimensions) if dimensions else x)


def _squeeze_abstract(x, *, dimensions):
    for d in dimensions:
        if x.shape[d] != 1:
            raise ValueError(f"cannot select an axis to squeeze out which has size not equal to one, got "
                            f"shape={x.shape} and dimensions={dimensions}")
    return ShapedArray(tuple(s for i, s in enumerate(x.shape) if i not in dimensions), x.dtype, x.weak_type)


squeeze_p.def_abstract_eval(_squeeze_abstract)
ad.deflinear(squeeze_p, lambda ct, x, *, dimensions: [None if type(ct) is Zero else
                                                      expand_dims(ct, dimensions)])


def _squeeze_batch(vals, dims, *, dimensions):
    (x,), (d,) = vals, dims
    x = batching.moveaxis(x, d, 0)
    return squeeze_p.bind(x, dimensions=tuple(i + 1 for i in dimensions)), 0


batching.primitive_batchers[squeeze_p] = _squeeze_batch


def squeeze(array, dimensions):
    nd = _aval(array).ndim
    dims = tuple(sorted(int(d) % nd if nd else int(d) for d in dimensions))
    if not dims and isinstance(array, (core.Array, core.Tracer)):
        return array
    return squeeze_p.bind(array, dimensions=dims)


def expand_dims(array, dimensions):
    """Insert size-1 dims at ``dimensions`` (positions in the output), via broadcast_in_dim."""
    a = _aval(array)
    ndim_out = a.ndim + len(dimensions)
    for d in dimensions:
        if not -ndim_out <= d < ndim_out:
            raise ValueError(f"expand_dims: axis {d} is out of bounds for the result's {ndim_out} dimensions")
    dims = sorted(int(d) % ndim_out for d in dimensions)
    shape = list(a.shape)
    for d in dims:
        shape.insert(d, 1)
    bdims = tuple(i for i in range(ndim_out) if i not in dims)
    return broadcast_in_dim(array, tuple(shape), bdims)


# ---------------------------------------------------------------------------------------------------
# rev
# ---------------------------------------------------------------------------------------------------

rev_p = Primitive("rev")
rev_p.def_impl(lambda x, *, dimensions: np.flip(x, dimensions) if dimensions else x)
def _rev_abstract(x, *, dimensions):
    if not all(0 <= d < x.ndim for d in dimensions) or len(set(dimensions)) != len(dimensions):
        raise TypeError(f"rev dimensions must be distinct axes of the operand, in [0, {x.ndim}); got "
                        f"{dimensions} for an operand of shape {x.shape}.")
    return ShapedArray(x.shape, x.dtype, x.weak_type)


rev_p.def_abstract_eval(_rev_abstract)
ad.deflinear(rev_p, lambda ct, x, *, dimensions: [None if type(ct) is Zero else rev(ct, dimensions)])


def _rev_batch(vals, dims, *, dimensions):
    (x,), (d,) = vals, dims
    x = batching.moveaxis(x, d, 0)
    return rev_p.bind(x, dimensions=tuple(i + 1 for i in dimensions)), 0


batching.primitive_batchers[rev_p] = _rev_batch


def rev(operand, dimensions):
    return rev_p.bind(operand, dimensions=tuple(int(d) for d in dimensions))


# ---------------------------------------------------------------------------------------------------
# concatenate
# ---------------------------------------------------------------------------------------------------

concatenate_p = Primitive("concatenate")
concatenate_p.def_impl(lambda *xs, dimension: np.concatenate(xs, axis=dimension))


def _concat_abstract(*xs, dimension):
    if not xs:
        raise TypeError("concatenate requires at least one operand")
    x0 = xs[0]
    if not 0 <= dimension < x0.ndim:
        raise TypeError(f"concatenate dimension out of bounds: dimension {dimension} for shapes "
                        f"{', '.join(str(x.shape) for x in xs)}.")
    for x in xs[1:]:
        if x.ndim != x0.ndim or any(a != b for i, (a, b) in enumerate(zip(x.shape, x0.shape))
                                    if i != dimension):
            raise TypeError(f"Cannot concatenate arrays with shapes that differ in dimensions other than "
                            f"the one being concatenated: concatenating along dimension {dimension} for "
                            f"shapes {', '.join(str(x.shape) for x in xs)}.")
        if x.dtype != x0.dtype:
            raise TypeError(f"concatenate requires arguments to have the same dtypes, got "
                            f"{', '.join(x.dtype.name for x in xs)}.")
    shape = list(x0.shape)
    shape[dimension] = sum(x.shape[dimension] for x in xs)
    return ShapedArray(shape, x0.dtype, all(x.weak_type for x in xs))


concatenate_p.def_abstract_eval(_concat_abstract)


def _concat_transpose(ct, *xs, dimension):
    # one split of the cotangent into the operands' sizes (pieces for known operands go unused)
    if type(ct) is Zero:
        return [None] * len(xs)
    from jaxlite._src.lax.misc import split_p
    sizes = tuple((x.aval if is_undefined_primal(x) else _aval(x)).shape[dimension] for x in xs)
    return split_p.bind(ct, sizes=sizes, axis=dimension)


ad.deflinear(concatenate_p, _concat_transpose)


def _concat_batch(vals, dims, *, dimension):
    # batched operands get their batch dimension in front; unbatched ones a new leading one (as JAX's)
    size = batching.axis_size_of(vals, dims)
    xs = [batching.moveaxis(v, d, 0) if d is not None else broadcast(v, (size,)) for v, d in zip(vals, dims)]
    return concatenate_p.bind(*xs, dimension=dimension + 1), 0


batching.primitive_batchers[concatenate_p] = _concat_batch


def concatenate(operands, dimension):
    operands = list(operands)
    if len(operands) == 1 and isinstance(operands[0], (core.Array, core.Tracer)):
        return operands[0]
    return concatenate_p.bind(*operands, dimension=int(dimension))


# ---------------------------------------------------------------------------------------------------
# pad (lo, hi, interior per dim; negative lo/hi crop)
# ---------------------------------------------------------------------------------------------------

def _pad_impl(x, pv, *, padding_config):
    x = np.asarray(x)
    out = x
    # interior padding first
    if any(i for _, _, i in padding_config):
        shape = [s + max(s - 1, 0) * i for s, (_, _, i) in zip(x.shape, padding_config)]
        full = np.full(shape, pv, x.dtype)
        idx = tuple(np.s_[::i + 1] for _, _, i in padding_config)
        full[idx] = x
        out = full
    pads = [(max(lo, 0), max(hi, 0)) for lo, hi, _ in padding_config]
    out = np.pad(out, pads, constant_values=pv) if any(p != (0, 0) for p in pads) else out
    crops = tuple(np.s_[(-lo if lo < 0 else 0):(out.shape[k] + hi if hi < 0 else out.shape[k])]
                  for k, (lo, hi, _) in enumerate(padding_config))
    return np.asarray(out[crops], x.dtype)


def _pad_abstract(x, pv, *, padding_config):
    if pv.shape != ():
        raise TypeError(f"pad padding_value must be a scalar, got shape {pv.shape}")
    if pv.dtype != x.dtype:
        raise TypeError(f"pad operand and padding_value must be same dtype: got {x.dtype.name} and "
                        f"{pv.dtype.name}.")
    if len(padding_config) != x.ndim:
        raise ValueError(f"pad: padding_config has {len(padding_config)} (low, high, interior) triples, one "
                         f"an axis, but the operand has {x.ndim} axes (shape {x.shape}).")
    shape = []
    for s, (lo, hi, i) in zip(x.shape, padding_config):
        if i < 0:
            raise TypeError(f"interior padding in padding_config must be nonnegative, got {padding_config}")
        n = lo + hi + s + max(s - 1, 0) * i
        if n < 0:
            raise TypeError(f"Dimension size after padding is not at least 0, got {n} for {padding_config}")
        shape.append(n)
    return ShapedArray(shape, x.dtype, x.weak_type)


pad_p = Primitive("pad")
pad_p.def_impl(_pad_impl)
pad_p.def_abstract_eval(_pad_abstract)


def _pad_transpose(ct, x, pv, *, padding_config):
    if type(ct) is Zero:
        return [None, None]
    from jaxlite._src.lax.reductions import reduce_sum
    from jaxlite._src.lax.elementwise import sub
    out_x = out_pv = None
    if is_undefined_primal(x):
        lo = [-l for l, _, _ in padding_config]
        hi = [-h for _, h, _ in padding_config]
        unpadded = pad(ct, np.zeros((), ct.dtype if hasattr(ct, "dtype") else np.float32)[()],
                       [(l, h, 0) for l, h in zip(lo, hi)])
        strides = [i + 1 for _, _, i in padding_config]
        out_x = slice(unpadded, [0] * len(strides), _aval(unpadded).shape, strides)
    if is_undefined_primal(pv):
        total = reduce_sum(ct, tuple(range(_aval(ct).ndim)))
        inner = reduce_sum(out_x, tuple(range(_aval(out_x).ndim))) if out_x is not None else 0
        out_pv = sub(total, inner) if out_x is not None else total
    return [out_x, out_pv]


ad.deflinear(pad_p, _pad_transpose)


def _pad_batch(vals, dims, *, padding_config):
    (x, pv), (xd, pd) = vals, dims
    if pd is not None:
        raise NotImplementedError("vmap of lax.pad with a batched padding value")
    x = batching.moveaxis(x, xd, 0)
    return pad_p.bind(x, pv, padding_config=((0, 0, 0),) + tuple(padding_config)), 0


batching.primitive_batchers[pad_p] = _pad_batch


def pad(operand, padding_value, padding_config):
    """Pad with ``padding_value``: ``padding_config`` is ``[(low, high, interior), ...]`` per dim."""
    from jaxlite._src.lax.elementwise import _convert_element_type
    # (NumPy ints are kept, as JAX keeps what it is given: jnp.pad's np.int64 widths print so)
    cfg = tuple(tuple(v if isinstance(v, np.integer) else int(v) for v in (l, h, i)) for l, h, i in padding_config)
    a = _aval(operand)
    padding_value = _convert_element_type(padding_value, a.dtype, weak_type=a.weak_type) \
        if not isinstance(padding_value, core.Tracer) else padding_value
    return pad_p.bind(operand, padding_value, padding_config=cfg)


# ---------------------------------------------------------------------------------------------------
# slice (static)
# ---------------------------------------------------------------------------------------------------

def _slice_impl(x, *, start_indices, limit_indices, strides):
    if strides is None:
        idx = tuple(np.s_[s:l] for s, l in zip(start_indices, limit_indices))
    else:
        idx = tuple(np.s_[s:l:st] for s, l, st in zip(start_indices, limit_indices, strides))
    return x[idx]


def _slice_abstract(x, *, start_indices, limit_indices, strides):
    if len(start_indices) != x.ndim or len(limit_indices) != x.ndim:
        raise TypeError(f"slice start_indices {start_indices} and limit_indices {limit_indices} must have "
                        f"length equal to the number of dimensions of the operand, {x.ndim}.")
    shape = []
    for k, (s, l) in enumerate(zip(start_indices, limit_indices)):
        if not 0 <= s <= l <= x.shape[k]:
            raise TypeError(f"slice indices out of bounds or decreasing: start_indices {start_indices}, "
                            f"limit_indices {limit_indices} for operand shape {x.shape}.")
        st = 1 if strides is None else strides[k]
        shape.append(max(0, (l - s + st - 1) // st))
    return ShapedArray(shape, x.dtype, x.weak_type)


slice_p = Primitive("slice")
slice_p.def_impl(_slice_impl)
slice_p.def_abstract_eval(_slice_abstract)


def _slice_transpose(ct, x, *, start_indices, limit_indices, strides):
    if type(ct) is Zero:
        return [None]
    # the high and interior pads are NumPy ints, as JAX computes them (np.subtract)
    shape = x.aval.shape
    if strides is None or all(s == 1 for s in strides):
        cfg = list(zip(start_indices, np.subtract(shape, limit_indices), (0,) * len(shape)))
    else:
        ct_shape = _aval(ct).shape
        real_limits = np.add(start_indices, np.where(np.array(ct_shape) == 0, 0,
                                                     np.add(1, np.multiply(np.subtract(ct_shape, 1), strides))))
        cfg = list(zip(start_indices, np.subtract(shape, real_limits), np.subtract(strides, 1)))
    from jaxlite._src.lax.elementwise import _convert_element_type
    zero = _convert_element_type(0, x.aval.dtype)
    return [pad(ct, zero, cfg)]


ad.deflinear(slice_p, _slice_transpose)


def _slice_batch(vals, dims, *, start_indices, limit_indices, strides):
    (x,), (d,) = vals, dims
    x = batching.moveaxis(x, d, 0)
    size = _aval(x).shape[0]
    return slice_p.bind(x, start_indices=(0,) + tuple(start_indices),
                        limit_indices=(size,) + tuple(limit_indices),
                        strides=None if strides is None else (1,) + tuple(strides)), 0


batching.primitive_batchers[slice_p] = _slice_batch


def slice(operand, start_indices, limit_indices, strides=None):
    """Static slice ``operand[start:limit:stride]`` per dimension."""
    start = tuple(int(i) for i in start_indices)
    limit = tuple(int(i) for i in limit_indices)
    st = None if strides is None else tuple(int(s) for s in strides)  # kept as given (JAX prints them)
    return slice_p.bind(operand, start_indices=start, limit_indices=limit, strides=st)


# ---------------------------------------------------------------------------------------------------
# stack / unstack (JAX >= 0.7 has them as primitives; jnp.stack binds stack)
# ---------------------------------------------------------------------------------------------------

def _stack_abstract(*xs, axis):
    if not xs:
        raise TypeError("stack requires at least one operand")
    x0 = xs[0]
    for x in xs[1:]:
        if x.shape != x0.shape:
            raise TypeError(f"stack requires all operands to have the same shape, got shapes "
                            f"{', '.join(str(x.shape) for x in xs)}.")
        if x.dtype != x0.dtype:
            raise TypeError(f"stack requires all operands to have the same dtype, got dtypes "
                            f"{', '.join(x.dtype.name for x in xs)}.")
    if not 0 <= axis <= x0.ndim:
        raise TypeError(f"stack axis {axis} out of bounds for operands of rank {x0.ndim}")
    shape = list(x0.shape)
    shape.insert(axis, len(xs))
    return ShapedArray(shape, x0.dtype, all(x.weak_type for x in xs))


stack_p = Primitive("stack")
stack_p.def_impl(lambda *xs, axis: np.stack(xs, axis=axis))
stack_p.def_abstract_eval(_stack_abstract)


def _stack_transpose(ct, *xs, axis):
    if type(ct) is Zero:
        return [None] * len(xs)
    return unstack_p.bind(ct, axis=axis)


ad.deflinear(stack_p, _stack_transpose)


def _stack_batch(vals, dims, *, axis):
    d0 = dims[0]
    if d0 is not None and all(d == d0 for d in dims):
        if axis <= d0:
            return stack_p.bind(*vals, axis=axis), d0 + 1
        return stack_p.bind(*vals, axis=axis + 1), d0
    size = batching.axis_size_of(vals, dims)
    xs = [batching.bdim_at_front(v, d, size) for v, d in zip(vals, dims)]
    return stack_p.bind(*xs, axis=axis + 1), 0


batching.primitive_batchers[stack_p] = _stack_batch


def stack(operands, axis=0):
    """Stack same-shaped ``operands`` along a new ``axis``."""
    operands = list(operands)
    if not operands:
        raise ValueError("Need at least one array to stack.")
    nd = _aval(operands[0]).ndim
    axis = int(axis)
    if not -(nd + 1) <= axis <= nd:
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {nd + 1}")
    return stack_p.bind(*operands, axis=axis % (nd + 1))


def _unstack_abstract(x, *, axis):
    if x.ndim == 0:
        raise ValueError(f"unstack requires arrays with rank > 0, however a scalar array of shape "
                         f"{x.shape} was passed.")
    shape = list(x.shape)
    n = shape.pop(axis)
    return [ShapedArray(shape, x.dtype, x.weak_type) for _ in range(n)]


unstack_p = Primitive("unstack")
unstack_p.multiple_results = True
unstack_p.def_impl(lambda x, *, axis: [np.take(x, i, axis=axis) for i in range(x.shape[axis])])
unstack_p.def_abstract_eval(_unstack_abstract)


def _unstack_transpose(cts, x, *, axis):
    if all(type(c) is Zero for c in cts):
        return [None]
    cts = [ad.instantiate_zeros(c) for c in cts]
    return [stack_p.bind(*cts, axis=axis)]


ad.deflinear(unstack_p, _unstack_transpose)


def _unstack_batch(vals, dims, *, axis):
    (x,), (d,) = vals, dims
    out_axis, out_d = (axis, d - 1) if axis < d else (axis + 1, d)
    outs = unstack_p.bind(x, axis=out_axis)
    return outs, [out_d] * len(outs)


batching.primitive_batchers[unstack_p] = _unstack_batch


def unstack(x, axis=0):
    """The slices of ``x`` along ``axis``, as a tuple."""
    nd = _aval(x).ndim
    return tuple(unstack_p.bind(x, axis=int(axis) % nd if nd else int(axis)))


# ---------------------------------------------------------------------------------------------------
# iota
# ---------------------------------------------------------------------------------------------------

def _iota_impl(*, dtype, shape, dimension, sharding):
    r = np.arange(shape[dimension], dtype=dtype)
    bshape = [1] * len(shape)
    bshape[dimension] = shape[dimension]
    return np.broadcast_to(r.reshape(bshape), shape)


iota_p = Primitive("iota")
iota_p.def_impl(_iota_impl)
def _iota_abstract(*, dtype, shape, dimension, sharding):
    if any(d < 0 for d in shape):
        raise TypeError(f"iota: the shape {shape} has a negative size; sizes must be >= 0.")
    if not (dtypes.issubdtype(dtype, np.integer) or dtypes.issubdtype(dtype, np.inexact)):
        raise TypeError(f"iota does not accept dtype {np.dtype(dtype).name}. Accepted dtypes are "
                        "subtypes of integer, floating, complexfloating.")
    return ShapedArray(shape, dtype, False)


iota_p.def_abstract_eval(_iota_abstract)
ad.defjvp_zero(iota_p)


def iota(dtype, size):
    """``[0, 1, ..., size-1]`` of ``dtype``."""
    return broadcasted_iota(dtype, (int(size),), 0)


def broadcasted_iota(dtype, shape, dimension, out_sharding=None):
    shape = canonicalize_shape(shape)
    return iota_p.bind(dtype=dtypes.canonicalize_dtype(np.dtype(dtype)), shape=shape,
                       dimension=int(dimension), sharding=out_sharding)
