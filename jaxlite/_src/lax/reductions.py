"""Reduction primitives: reduce_sum/prod/max/min/and/or/xor, argmax/argmin."""
from __future__ import annotations

import math
from functools import partial

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.core import Primitive, ShapedArray
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.interpreters.ad import Zero
from jaxlite._src.lax.utils import check_accepted_dtypes, _num, _any, _bool_or_int

__all__ = [
    "reduce_sum", "reduce_prod", "reduce_max", "reduce_min", "reduce_and", "reduce_or", "reduce_xor",
    "argmax", "argmin", "reduce_sum_p", "reduce_prod_p", "reduce_max_p", "reduce_min_p", "reduce_and_p",
    "reduce_or_p", "reduce_xor_p", "argmax_p", "argmin_p",
]


def _reduce_shape(x, axes):
    for a in axes:
        if not 0 <= a < x.ndim:
            raise ValueError(f"reduction axes {axes} out of bounds for operand of shape {x.shape}")
    if len(set(axes)) != len(axes):
        raise ValueError(f"duplicate value in 'axes' of reduction: {axes}")
    return tuple(s for i, s in enumerate(x.shape) if i not in axes)


def _reducer(name, np_fn, accepted=_num, typename="number", has_out_sharding=False):
    prim = Primitive(name)

    def impl(x, *, axes, **_):
        with np.errstate(all="ignore"):
            out = np_fn(x, axis=axes) if axes else x
        return np.asarray(out, x.dtype)

    def abstract(x, *, axes, **_):
        check_accepted_dtypes(name, [x], accepted, typename)
        return ShapedArray(_reduce_shape(x, axes), x.dtype, x.weak_type)

    def batch(vals, dims, *, axes, **params):
        (x,), (d,) = vals, dims
        # computed with NumPy as JAX's reducer batcher does, so the axes print as np.int64 like JAX's
        new_axes = tuple(np.where(np.less(axes, d), axes, np.add(axes, 1)))
        # the batch dim shifts left by the number of reduced axes before it
        out_d = d - sum(1 for a in new_axes if a < d)
        return prim.bind(x, axes=new_axes, **params), out_d

    prim.def_impl(impl)
    prim.def_abstract_eval(abstract)
    batching.primitive_batchers[prim] = batch
    return prim


# ----- reduce_sum (linear) -----
reduce_sum_p = _reducer("reduce_sum", np.sum)


def _reduce_sum_transpose(ct, x, *, axes, out_sharding):
    if type(ct) is Zero:
        return [None]
    from jaxlite._src.lax.shapes import broadcast_in_dim
    shape = x.aval.shape
    kept = tuple(np.delete(np.arange(len(shape)), axes))  # NumPy ints, as JAX's rule computes them
    return [broadcast_in_dim(ct, shape, kept)]


ad.deflinear(reduce_sum_p, _reduce_sum_transpose)


def reduce_sum(operand, axes, out_sharding=None):
    axes = tuple(sorted(int(a) for a in axes))
    if _xla_math.enabled() and dtypes.issubdtype(core.get_aval(operand).dtype, np.floating):
        return reduce_sum_xla_p.bind(operand, axes=axes, out_sharding=out_sharding)
    return reduce_sum_p.bind(operand, axes=axes, out_sharding=out_sharding)


# A twin of reduce_sum (same name and params, so jaxprs print the same) that adds in XLA CPU's order
# (xla_math.reduce_sum: 32-element windows, one element after the other). The random samplers bind it
# while ``xla_math.exact()`` is on, so that e.g. dirichlet's normalising sums round as JAX's do.
from jaxlite._src import xla_math as _xla_math  # noqa: E402

reduce_sum_xla_p = _reducer("reduce_sum", lambda x, axis: _xla_math.reduce_sum(x, axis))
ad.deflinear(reduce_sum_xla_p, _reduce_sum_transpose)


def _sum_of_squares_fusion(eqn, producers):
    """``reduce_sum(q * q)`` over one short axis (1 to 4 long): XLA fuses the squares into the reduction
    loop, where LLVM contracts each ``acc + q*q`` into a fused multiply-add (jnp.linalg.norm in
    jax.random.maxwell). For bfloat16 ``q``, jnp.sum's float32 conversion of the squares is looked through:
    XLA keeps them unrounded (excess precision); the same for bfloat16 powers (jax.random.ball) and
    exponentials (jax.random.dirichlet), summed in XLA's order. From 4096 elements on XLA hands such
    reductions to YNNPACK, which sums the squares after rounding them (float32, float64) or the bfloat16
    values' float32 squares, exponentials and powers, in its own order (xla_math.reduce_sum switches)."""
    from jaxlite._src.lax.elementwise import convert_element_type_p, mul_p
    (x,) = eqn.invars
    axes = eqn.params["axes"]
    if x.aval.dtype not in (np.float32, np.float64) or len(axes) != 1:
        return None
    src = producers.get(x) if type(x) is core.Var else None
    upcast = False
    if (src is not None and src.primitive is convert_element_type_p and x.aval.dtype == np.float32
            and src.invars[0].aval.dtype == dtypes.bfloat16 and type(src.invars[0]) is core.Var):
        src, upcast = producers.get(src.invars[0]), True
    if upcast and src is not None and src.primitive.name == "pow" and src.outvars[0].aval.shape == x.aval.shape:
        # (bfloat16 powers summed in float32: XLA keeps them unrounded too, as jax.random.ball's norm)
        return (lambda a, b: _xla_math.reduce_sum(
            _xla_math.pow(*np.broadcast_arrays(a.astype(np.float32), b.astype(np.float32))), axes)), list(src.invars)
    if upcast and src is not None and src.primitive.name == "exp" and src.outvars[0].aval.shape == x.aval.shape:
        # (likewise bfloat16 exponentials: jax.random.dirichlet's normalising sum)
        return (lambda a: _xla_math.reduce_sum(_xla_math.exp(a.astype(np.float32)), axes)), list(src.invars)
    if src is None or src.primitive is not mul_p or src.invars[0] is not src.invars[1]:
        return None
    if math.prod(x.aval.shape) >= _xla_math.YNN_MIN_ELEMENTS:
        if upcast:  # (YNNPACK sums the bfloat16 values' squares itself: its bfloat16 kernel)
            return (lambda q: _xla_math.ynn_reduce_sum(q, axes[0], bf16_squares=True)), [src.invars[0]]
        return None
    if not 1 <= x.aval.shape[axes[0]] <= 4:
        return None
    if upcast:
        return (lambda q: _xla_math.sum_of_squares(q.astype(np.float32), axes[0])), [src.invars[0]]
    return partial(_xla_math.sum_of_squares, axis=axes[0]), [src.invars[0]]


from jaxlite._src.backend import numpy_backend as _numpy_backend  # noqa: E402

_numpy_backend.fusions[reduce_sum_xla_p] = _sum_of_squares_fusion


# ----- reduce_max / reduce_min -----
def _max_identity(dt):
    """The lowest value of ``dt`` (-inf for inexact types): reduce_max's value on an empty axis."""
    if dtypes.issubdtype(dt, np.inexact):
        return -np.inf
    if dt == np.bool_:
        return False
    return dtypes.iinfo(dt).min


def _min_identity(dt):
    """The highest value of ``dt`` (inf for inexact types): reduce_min's value on an empty axis."""
    if dtypes.issubdtype(dt, np.inexact):
        return np.inf
    if dt == np.bool_:
        return True
    return dtypes.iinfo(dt).max


def _np_extreme(np_fn, identity):
    # NumPy has no identity for max/min and raises on an empty axis; XLA's is the dtype's extreme value
    return lambda x, axis: np_fn(x, axis=axis, initial=identity(x.dtype)) if x.size == 0 else np_fn(x, axis=axis)


reduce_max_p = _reducer("reduce_max", _np_extreme(np.max, _max_identity), _any, "any")
reduce_min_p = _reducer("reduce_min", _np_extreme(np.min, _min_identity), _any, "any")


def _minmax_reduce_jvp(prim):
    def jvp(primals, tangents, *, axes, **params):
        (x,), (t,) = primals, tangents
        from jaxlite._src.lax import elementwise as ew
        from jaxlite._src.lax.shapes import reshape
        ans = prim.bind(x, axes=axes, **params)
        # the chosen locations: x equal to the answer with the reduced axes kept as size 1 (as JAX's)
        shape = tuple(1 if i in axes else d for i, d in enumerate(core.get_aval(x).shape))
        location = ew._eq_meet(x, reshape(ans, shape))
        loc = ew.convert_element_type(location, core.get_aval(t).dtype)
        counts = reduce_sum(loc, axes)
        return ans, ew.div(reduce_sum(ew.mul(t, loc), axes), counts)
    return jvp


ad.primitive_jvps[reduce_max_p] = _minmax_reduce_jvp(reduce_max_p)
ad.primitive_jvps[reduce_min_p] = _minmax_reduce_jvp(reduce_min_p)


def reduce_max(operand, axes, out_sharding=None):
    return reduce_max_p.bind(operand, axes=tuple(sorted(int(a) for a in axes)))


def reduce_min(operand, axes, out_sharding=None):
    return reduce_min_p.bind(operand, axes=tuple(sorted(int(a) for a in axes)))


# ----- reduce_prod -----
reduce_prod_p = _reducer("reduce_prod", np.prod)


def _reduce_prod_jvp(primals, tangents, *, axes, **params):
    (x,), (t,) = primals, tangents
    from jaxlite._src.lax import elementwise as ew
    from jaxlite._src.lax.shapes import broadcast_in_dim
    ans = reduce_prod_p.bind(x, axes=axes, **params)
    # d prod = sum_i t_i * prod_{j != i} x_j, computed without dividing by x (zeros are fine)
    shape = core.get_aval(x).shape
    from jaxlite._src.lax.cumulative import cumprod
    from jaxlite._src.lax.shapes import transpose, reshape
    kept = [i for i in range(len(shape)) if i not in axes]
    perm = tuple(kept) + tuple(axes)
    xt = transpose(x, perm)
    tt = transpose(t, perm)
    n = int(np.prod([shape[a] for a in axes], dtype=np.int64))
    kshape = tuple(shape[i] for i in kept)
    xr = reshape(xt, kshape + (n,))
    tr = reshape(tt, kshape + (n,))
    one = ew._ones(reduce_prod_p.bind(xr, axes=(len(kshape),)))
    one = broadcast_in_dim(one, kshape + (1,), tuple(range(len(kshape))))
    from jaxlite._src.lax.shapes import concatenate, slice as lslice
    excl_fwd = concatenate([one, lslice(cumprod(xr, axis=len(kshape)), (0,) * (len(kshape) + 1),
                                        kshape + (n - 1,))], len(kshape))
    excl_bwd = concatenate([lslice(cumprod(xr, axis=len(kshape), reverse=True), (0,) * len(kshape) + (1,),
                                   kshape + (n,)), one], len(kshape))
    others = ew.mul(excl_fwd, excl_bwd)
    return ans, reduce_sum(ew.mul(tr, others), (len(kshape),))


ad.primitive_jvps[reduce_prod_p] = _reduce_prod_jvp


def reduce_prod(operand, axes, out_sharding=None):
    return reduce_prod_p.bind(operand, axes=tuple(sorted(int(a) for a in axes)))


# ----- logical reductions -----
reduce_and_p = _reducer("reduce_and", lambda x, axis: np.all(x, axis=axis) if x.dtype == np.bool_ else
                        np.bitwise_and.reduce(x, axis=axis), _bool_or_int, "bool or integer")
reduce_or_p = _reducer("reduce_or", lambda x, axis: np.any(x, axis=axis) if x.dtype == np.bool_ else
                       np.bitwise_or.reduce(x, axis=axis), _bool_or_int, "bool or integer")
reduce_xor_p = _reducer("reduce_xor", lambda x, axis: np.logical_xor.reduce(x, axis=axis)
                        if x.dtype == np.bool_ else np.bitwise_xor.reduce(x, axis=axis),
                        _bool_or_int, "bool or integer")
for _p in (reduce_and_p, reduce_or_p, reduce_xor_p):
    ad.defjvp_zero(_p)


def reduce_and(operand, axes):
    return reduce_and_p.bind(operand, axes=tuple(sorted(int(a) for a in axes)))


def reduce_or(operand, axes):
    return reduce_or_p.bind(operand, axes=tuple(sorted(int(a) for a in axes)))


def reduce_xor(operand, axes):
    return reduce_xor_p.bind(operand, axes=tuple(sorted(int(a) for a in axes)))


# ----- argmax / argmin -----
def _arg_reducer(name, np_fn):
    prim = Primitive(name)

    def impl(x, *, axes, index_dtype):
        (axis,) = axes
        if x.dtype.kind in "fc" or x.dtype == dtypes.bfloat16:
            # NaN wins, as in JAX (first NaN index)
            isnan = np.isnan(x)
            idx = np_fn(x, axis=axis)
            if isnan.any():
                nan_idx = np.argmax(isnan, axis=axis)
                idx = np.where(np.any(isnan, axis=axis), nan_idx, idx)
            return np.asarray(idx, index_dtype)
        return np.asarray(np_fn(x, axis=axis), index_dtype)

    def abstract(x, *, axes, index_dtype):
        (axis,) = axes
        if not 0 <= axis < x.ndim:
            raise ValueError(f"Invalid axis {axis} for operand shape {x.shape}")
        if x.shape[axis] == 0:
            raise ValueError(f"{name} on a zero-size axis {axis} of shape {x.shape}")
        return ShapedArray(_reduce_shape(x, axes), index_dtype, False)

    def batch(vals, dims, *, axes, index_dtype):
        (x,), (d,) = vals, dims
        (new_axis,) = np.where(np.less(axes, d), axes, np.add(axes, 1))  # np.int64, as JAX's
        out_d = d - (1 if new_axis < d else 0)
        return prim.bind(x, axes=(new_axis,), index_dtype=index_dtype), out_d

    prim.def_impl(impl)
    prim.def_abstract_eval(abstract)
    batching.primitive_batchers[prim] = batch
    ad.defjvp_zero(prim)
    return prim


argmax_p = _arg_reducer("argmax", np.argmax)
argmin_p = _arg_reducer("argmin", np.argmin)


def argmax(operand, axis, index_dtype):
    return argmax_p.bind(operand, axes=(int(axis),), index_dtype=dtypes.canonicalize_dtype(np.dtype(index_dtype)))


def argmin(operand, axis, index_dtype):
    return argmin_p.bind(operand, axes=(int(axis),), index_dtype=dtypes.canonicalize_dtype(np.dtype(index_dtype)))
