"""jax.numpy reductions: sum/prod/max/min/mean/var/std/all/any/argmax/argmin with axis, keepdims,
where, dtype and initial, using JAX's result dtypes (small ints sum to the default int)."""
from __future__ import annotations

import builtins
import math
import operator

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.core import Tracer
from jaxlite._src.lax import lax
from jaxlite._src.numpy.util import (canonicalize_axis, ensure_arraylike, promote_dtypes_inexact, staged_jit,
                                     _to_array)

__all__ = ["sum", "prod", "max", "min", "amax", "amin", "mean", "var", "std", "all", "any", "argmax",
           "argmin", "count_nonzero", "ptp", "average", "cumulative_sum", "cumulative_prod",
           "cumsum", "cumprod"]


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (tuple, list)):
        axes = tuple(canonicalize_axis(a, ndim) for a in axis)
    else:
        axes = (canonicalize_axis(core.concrete_or_error(operator.index, axis, "axis argument of a "
                                                         "reduction"), ndim),)
    if len(set(axes)) != len(axes):
        raise ValueError(f"duplicate value in 'axis': {axis}")
    return axes


def _named_axes(name, axis):
    """The axis names when ``axis`` names mapped axes (``vmap``/``pmap`` ``axis_name``s), else None."""
    items = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    if not builtins.any(isinstance(i, str) for i in items):
        return None
    if not builtins.all(isinstance(i, str) for i in items):
        raise NotImplementedError(f"jnp.{name} over a mix of named and positional axes ({axis}); reduce "
                                  f"the positional axes and the named ones in two calls")
    return items


def _keepdims(out, shape, axes):
    # JAX re-inserts reduced axes with broadcast_in_dim (lax.expand_dims)
    return lax.expand_dims(out, tuple(axes)) if axes else out


def _sum_dtype(dt):
    # summing/producting small ints and bools accumulates in the default int, as JAX does
    if dt == np.bool_:
        return dtypes.default_int_dtype()
    if dtypes.issubdtype(dt, np.unsignedinteger):
        return dt if np.dtype(dt).itemsize >= dtypes.default_uint_dtype().itemsize else dtypes.default_uint_dtype()
    if dtypes.issubdtype(dt, np.integer):
        return dt if np.dtype(dt).itemsize >= dtypes.default_int_dtype().itemsize else dtypes.default_int_dtype()
    return dt


def _dtype_arg(dtype):
    if dtype is None:
        return None
    from jaxlite._src.numpy.lax_numpy import _dtype_arg as f
    return f(dtype)


def _reduction(name, a, axis, dtype, keepdims, initial, where, lax_reduce, identity, upcast_small_ints,
               has_identity=True, promote_bool=None, initial_op=None, upcast_f16=False):
    a = ensure_arraylike(name, a)
    if isinstance(axis, Tracer):
        raise core.ConcretizationTypeError(axis, f"The axis argument of jnp.{name} must be concrete.")
    names = _named_axes(name, axis)
    if names is not None:  # a reduction across mapped axes: the collective of the same kind
        from jaxlite._src.lax import parallel
        collective = {"sum": parallel.psum, "max": parallel.pmax, "min": parallel.pmin}.get(name)
        if collective is None:
            raise NotImplementedError(f"jnp.{name} over named axes (axis={axis!r}); jnp.sum, max, min "
                                      f"and mean take axis names")
        axes, lax_reduce = (), lambda x, _: collective(x, names)
    else:
        axes = _axes(axis, a.ndim)
    dt = _dtype_arg(dtype)
    if dt is None:
        dt = _sum_dtype(a.dtype) if upcast_small_ints else a.dtype
        if promote_bool is not None and a.dtype == np.bool_:
            dt = promote_bool
    elif name in ("sum", "prod") and a.dtype == np.bool_:
        # numeric reductions count booleans as the default int first, as JAX does
        a = lax._convert_element_type(a, dtypes.default_int_dtype(), a.weak_type)
    # sum and prod of float16/bfloat16 (without a dtype) compute in float32, as JAX's
    result_dt = dt
    if upcast_f16 and dtype is None and np.dtype(dt) in (np.dtype(np.float16), np.dtype(dtypes.bfloat16)):
        dt = np.dtype(np.float32)
    # reductions return strongly typed results: a weak input is converted first, as in JAX
    if a.dtype != dt or a.weak_type:
        a = lax._convert_element_type(a, dt, False)
    if where is not None:
        if not has_identity and initial is None:
            raise ValueError(f"reduction operation {name} does not have an identity, so to use a where "
                             f"mask one has to specify 'initial'")
        from jaxlite._src.numpy.lax_numpy import where as _where
        a = _where(where, a, np.asarray(identity(a.dtype), a.dtype))
    if builtins.any(a.shape[i] == 0 for i in axes) and not has_identity and initial is None:
        raise ValueError(f"zero-size array to reduction operation {name} which has no identity")
    out = lax_reduce(a, axes)
    if initial is not None:
        init = lax._convert_element_type(initial, out.dtype, out.weak_type)
        op = initial_op or {"sum": lax.add, "prod": lax.mul, "max": lax.max, "min": lax.min}[name]
        out = op(init, out)  # the initial value first, as JAX
    if keepdims:
        out = _keepdims(out, a.shape, axes)
    if out.dtype != result_dt:
        out = lax._convert_element_type(out, result_dt, False)
    return out


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None, promote_integers=True):
    """Sum of elements over ``axis``."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.sum is not supported.")
    return _reduction("sum", a, axis, dtype, keepdims, initial, where,
                      lambda x, axes: lax.reduce_sum(x, axes) if x.dtype != np.bool_ else
                      lax.reduce_or(x, axes), lambda dt: 0, promote_integers, upcast_f16=True)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None, promote_integers=True):
    """Product of elements over ``axis``."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.prod is not supported.")
    return _reduction("prod", a, axis, dtype, keepdims, initial, where,
                      lambda x, axes: lax.reduce_prod(x, axes) if x.dtype != np.bool_ else
                      lax.reduce_and(x, axes), lambda dt: 1, promote_integers, upcast_f16=True)


from jaxlite._src.lax.reductions import _max_identity, _min_identity  # noqa: E402


def max(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """Maximum over ``axis`` (NaN propagates)."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.max is not supported.")
    return _reduction("max", a, axis, None, keepdims, initial, where, lax.reduce_max, _max_identity, False,
                      has_identity=False)


def min(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """Minimum over ``axis`` (NaN propagates)."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.min is not supported.")
    return _reduction("min", a, axis, None, keepdims, initial, where, lax.reduce_min, _min_identity, False,
                      has_identity=False)


amax = max
amin = min


def all(a, axis=None, out=None, keepdims=False, *, where=None):
    a = ensure_arraylike("all", a)
    if a.dtype != np.bool_ or a.weak_type:
        a = lax._convert_element_type(a, np.bool_, False)
    return _reduction("all", a, axis, None, keepdims, None, where, lax.reduce_and, lambda dt: True, False)


def any(a, axis=None, out=None, keepdims=False, *, where=None):
    a = ensure_arraylike("any", a)
    if a.dtype != np.bool_ or a.weak_type:
        a = lax._convert_element_type(a, np.bool_, False)
    return _reduction("any", a, axis, None, keepdims, None, where, lax.reduce_or, lambda dt: False, False)


def _upcast_f16(dt):
    # half-precision means and variances accumulate in float32, as in JAX
    if np.dtype(dt) in (np.dtype(np.float16), np.dtype(dtypes.bfloat16)):
        return np.dtype(np.float32)
    return np.dtype(dt)


def _count(a, axes, keepdims, where, dtype):
    """The number of elements reduced over (a concrete scalar, or an array when ``where`` is given)."""
    if where is None:
        n = int(np.prod([a.shape[i] for i in axes], dtype=np.int64))
        return lax._convert_element_type(n, dtype, False)
    from jaxlite._src.numpy.lax_numpy import broadcast_to
    return sum(broadcast_to(_to_array(where), a.shape), axes, dtype=dtype, keepdims=keepdims)


def _check_where(name, where):
    """``where=`` as one boolean Array (so its uses share one constant)."""
    if where is None:
        return None
    where = ensure_arraylike(name, where)
    if where.dtype != np.bool_:
        raise ValueError(f"jnp.{name}: where must be None or a boolean array; got where.dtype={where.dtype!r}.")
    return where


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None, upcast_f16_for_computation=True):
    """Arithmetic mean over ``axis`` (integers give the default float)."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.mean is not supported.")
    a = ensure_arraylike("mean", a)
    where = _check_where("mean", where)
    names = _named_axes("mean", axis)
    axes = () if names is not None else _axes(axis, a.ndim)
    result_dtype = dtypes.to_inexact_dtype(a.dtype) if dtype is None else _dtype_arg(dtype)
    if upcast_f16_for_computation and dtypes.issubdtype(result_dtype, np.inexact):
        computation_dtype = _upcast_f16(result_dtype)
    else:
        computation_dtype = result_dtype
    if names is not None:  # the sum across the mapped axes over their total size
        from jaxlite._src.lax import parallel
        if where is not None:
            raise NotImplementedError("jnp.mean over named axes with a where mask")
        normalizer = lax._convert_element_type(math.prod(parallel.axis_size(n) for n in names),
                                               computation_dtype, False)
    else:
        normalizer = _count(a, axes, keepdims, where, computation_dtype)
    total = sum(a, axis, dtype=computation_dtype, keepdims=keepdims, where=where)
    return lax._convert_element_type(lax.div(total, normalizer), result_dtype, False)


def _var_promote_types(a_dtype, dtype):
    if dtype is not None:
        if (not dtypes.issubdtype(dtype, np.complexfloating)
                and dtypes.issubdtype(a_dtype, np.complexfloating)):
            raise ValueError("jax.numpy.var does not yet support real dtype parameters when computing the "
                             "variance of an array of complex values.")
        computation_dtype = dtype
    else:
        if not dtypes.issubdtype(a_dtype, np.inexact):
            dtype = dtypes.to_inexact_dtype(a_dtype)
            computation_dtype = dtype
        else:
            dtype = np.zeros((), a_dtype).real.dtype
            computation_dtype = a_dtype
    return _upcast_f16(computation_dtype), np.dtype(dtype)


def _var_args(name, a, out, ddof, correction, where):
    """var's and std's checked arguments: the array, the correction (``ddof`` unless given) and ``where``."""
    if correction is None:
        correction = ddof
    elif not isinstance(ddof, int) or ddof != 0:
        raise ValueError("ddof and correction can't be provided simultaneously.")
    if out is not None:
        raise NotImplementedError(f"The 'out' argument to jnp.{name} is not supported.")
    return ensure_arraylike(name, a), correction, _check_where(name, where)


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, mean=None,
        correction=None):
    """Variance over ``axis`` (``ddof``/``correction`` is subtracted from the count)."""
    a, correction, where = _var_args("var", a, out, ddof, correction, where)
    return _var(a, _axes_static(axis), _dtype_arg(dtype), correction, keepdims, where, mean)


def _axes_static(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _var_impl(a, axis, dtype, correction, keepdims, where, a_mean):
    axes = _axes(axis, a.ndim)
    computation_dtype, dtype = _var_promote_types(a.dtype, dtype)
    a = lax._convert_element_type(a, computation_dtype, False)
    if a_mean is None:
        a_mean = _mean_fn(a, axes, dtype=computation_dtype, keepdims=True, where=where)
    else:
        a_mean = lax._convert_element_type(ensure_arraylike("var", a_mean), computation_dtype, False)
    centered = lax.sub(a, a_mean)
    if dtypes.issubdtype(computation_dtype, np.complexfloating):
        centered = lax.real(lax.mul(centered, lax.conj(centered)))
        computation_dtype = centered.dtype
    else:
        centered = lax.square(centered)
    normalizer = _count(a, axes, keepdims, where, computation_dtype)
    normalizer = lax.sub(normalizer, lax._convert_element_type(correction, computation_dtype, False))
    result = sum(centered, axes, dtype=computation_dtype, keepdims=keepdims, where=where)
    result = lax._convert_element_type(lax.div(result, normalizer), dtype, False)
    from jaxlite._src.numpy.lax_numpy import _where
    return _where(lax.gt(normalizer, lax._convert_element_type(0, normalizer.dtype, normalizer.weak_type)),
                  result, np.nan)


_mean_fn = mean


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, mean=None,
        correction=None):
    """Standard deviation over ``axis``."""
    a, correction, where = _var_args("std", a, out, ddof, correction, where)
    return _std(a, _axes_static(axis), _dtype_arg(dtype), correction, keepdims, where, mean)


def argmax(a, axis=None, out=None, keepdims=None):
    a = ensure_arraylike("argmax", a)
    if axis is None:
        from jaxlite._src.numpy.lax_numpy import ravel
        out_ = lax.argmax(ravel(a), 0, dtypes.default_int_dtype())
        return lax.reshape(out_, (1,) * a.ndim) if keepdims else out_
    ax = canonicalize_axis(axis, a.ndim)
    out_ = lax.argmax(a, ax, dtypes.default_int_dtype())
    return lax.expand_dims(out_, (ax,)) if keepdims else out_


def argmin(a, axis=None, out=None, keepdims=None):
    a = ensure_arraylike("argmin", a)
    if axis is None:
        from jaxlite._src.numpy.lax_numpy import ravel
        out_ = lax.argmin(ravel(a), 0, dtypes.default_int_dtype())
        return lax.reshape(out_, (1,) * a.ndim) if keepdims else out_
    ax = canonicalize_axis(axis, a.ndim)
    out_ = lax.argmin(a, ax, dtypes.default_int_dtype())
    return lax.expand_dims(out_, (ax,)) if keepdims else out_


def count_nonzero(a, axis=None, keepdims=False):
    a = ensure_arraylike("count_nonzero", a)
    return sum(lax.ne(a, lax._zeros(a)), axis=axis, dtype=dtypes.default_int_dtype(), keepdims=keepdims)


def ptp(a, axis=None, out=None, keepdims=False):
    return lax.sub(max(a, axis, keepdims=keepdims), min(a, axis, keepdims=keepdims))


def average(a, axis=None, weights=None, returned=False, keepdims=False):
    a = ensure_arraylike("average", a)
    if weights is None:
        avg = mean(a, axis, keepdims=keepdims)
        axes = _axes(axis, a.ndim)
        cnt = lax.full_like(avg, int(np.prod([a.shape[i] for i in axes])))
        return (avg, cnt) if returned else avg
    a, weights = promote_dtypes_inexact(a, weights)
    from jaxlite._src.numpy.lax_numpy import broadcast_to
    if weights.shape != a.shape:
        if axis is None:
            raise ValueError("Axis must be specified when shapes of a and weights differ.")
        ax = canonicalize_axis(axis, a.ndim)
        if weights.ndim != 1 or weights.shape[0] != a.shape[ax]:
            raise ValueError("Length of weights not compatible with specified axis.")
        weights = lax.broadcast_in_dim(weights, a.shape, (ax,))
    wsum = sum(weights, axis, keepdims=keepdims)
    avg = lax.div(sum(lax.mul(a, weights), axis, keepdims=keepdims), wsum)
    return (avg, wsum) if returned else avg


def _cumulative_reduction(name, reduction, a, axis, dtype, out=None, fill_nan=False, fill_value=0,
                          promote_integers=False):
    """Shared by cumsum/cumprod/nancumsum/...: flatten for ``axis=None``, pick JAX's accumulation dtype
    (bools count in the default int; other ints keep their dtype unless ``promote_integers``)."""
    from jaxlite._src.lax import cumulative
    a = ensure_arraylike(name, a)
    if out is not None:
        raise NotImplementedError(f"The 'out' argument to jnp.{name} is not supported")
    if axis is None or a.ndim == 0:
        a = lax.reshape(a, (a.size,))
    if axis is None:
        axis = 0
    axis = canonicalize_axis(core.concrete_or_error(operator.index, axis, f"axis argument of jnp.{name}"),
                             a.ndim)
    if fill_nan and dtypes.issubdtype(a.dtype, np.inexact):
        a = lax.select(lax.ne(a, a), lax.full_like(a, fill_value), a)
    if dtype is None:
        result_type = _sum_dtype(a.dtype) if (promote_integers or a.dtype == np.bool_) else a.dtype
        computation_type = result_type
    else:
        result_type = _dtype_arg(dtype)
        if result_type == np.bool_:
            # lax accumulates numbers only; count the nonzero entries instead of adding raw values
            if a.dtype != np.bool_:
                a = lax.ne(a, lax._zeros(a))
            computation_type = _sum_dtype(result_type)
        else:
            computation_type = result_type
    a = lax._convert_element_type(a, computation_type, False)
    result = getattr(cumulative, reduction)(a, axis)
    return lax._convert_element_type(result, result_type, False)


@staged_jit(static_argnames=("axis", "dtype"))
def cumsum(a, axis=None, dtype=None, out=None):
    """Cumulative sum of elements along ``axis`` (the flattened array if ``axis`` is None).

    Example:
        >>> jnp.cumsum(jnp.array([[1, 2, 3], [4, 5, 6]]), axis=1)
        Array([[ 1,  3,  6],
               [ 4,  9, 15]], dtype=int32)
    """
    return _cumulative_reduction("cumsum", "cumsum", a, axis, dtype, out)


@staged_jit(static_argnames=("axis", "dtype"))
def cumprod(a, axis=None, dtype=None, out=None):
    """Cumulative product of elements along ``axis`` (the flattened array if ``axis`` is None)."""
    return _cumulative_reduction("cumprod", "cumprod", a, axis, dtype, out)


@staged_jit(static_argnames=("axis", "dtype"))
def _cumsum_with_promotion(a, axis=None, dtype=None, out=None):
    return _cumulative_reduction("_cumsum_with_promotion", "cumsum", a, axis, dtype, out,
                                 promote_integers=True)


def _cumulative_axis(name, what, x, axis):
    if x.ndim == 0:
        raise ValueError(f"The input must be non-scalar to take a cumulative {what}, however a scalar "
                         f"value or scalar array was given.")
    if axis is None:
        if x.ndim > 1:
            raise ValueError(f"The input array has rank {x.ndim}, however axis was not set to an explicit "
                             f"value. The axis argument is only optional for one-dimensional arrays.")
        return 0
    return canonicalize_axis(axis, x.ndim)


def _with_initial(out, axis, value):
    shape = list(out.shape)
    shape[axis] = 1
    return lax.concatenate([lax.full(shape, value, dtype=out.dtype), out], axis)


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False):
    """Cumulative sum along ``axis`` (optional for 1-D input); ``include_initial`` prepends a 0."""
    x = ensure_arraylike("cumulative_sum", x)
    axis = _cumulative_axis("cumulative_sum", "sum", x, axis)
    dtype = _dtype_arg(dtype)
    out = _cumsum_with_promotion(x, axis=axis, dtype=dtype)
    return _with_initial(out, axis, 0) if include_initial else out


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False):
    """Cumulative product along ``axis`` (optional for 1-D input); ``include_initial`` prepends a 1."""
    x = ensure_arraylike("cumulative_prod", x)
    axis = _cumulative_axis("cumulative_prod", "product", x, axis)
    dtype = _dtype_arg(dtype)
    out = _cumulative_reduction("cumulative_prod", "cumprod", x, axis, dtype)
    return _with_initial(out, axis, 1) if include_initial else out


@staged_jit(static_argnums=(1, 2, 4))
def _var(a, axis, dtype, correction, keepdims, where, a_mean):
    return _var_impl(a, axis, dtype, correction, keepdims, where, a_mean)


@staged_jit(static_argnums=(1, 2, 4))
def _std(a, axis, dtype, correction, keepdims, where, a_mean):
    return lax.sqrt(_var(a, axis, dtype, correction, keepdims, where, a_mean))


# ----- reductions behind ``jnp.<ufunc>.reduce`` (each a lax reduction primitive, as in JAX) ------------

def _require_integer(a):
    if not (a.dtype == np.bool_ or dtypes.issubdtype(a.dtype, np.integer)):
        raise ValueError(f"integer argument required; got dtype={a.dtype}")
    return a


def _cast_to_bool(a):
    if dtypes.issubdtype(a.dtype, np.complexfloating):
        a = lax.real(a)
    return a if a.dtype == np.bool_ and not a.weak_type else lax._convert_element_type(a, np.bool_, False)


def _ufunc_reduction(name, lax_reduce, op, identity, preproc, has_identity=True):
    def reduce(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
        a = preproc(ensure_arraylike(name, a))
        return _reduction(name, a, axis, dtype, keepdims, initial, where, lax_reduce, identity, False,
                          has_identity=has_identity, initial_op=op)
    reduce.__name__ = name
    return reduce


_reduce_max = _ufunc_reduction("max", lax.reduce_max, lax.max, _max_identity, lambda a: a, False)
_reduce_min = _ufunc_reduction("min", lax.reduce_min, lax.min, _min_identity, lambda a: a, False)
_reduce_bitwise_and = _ufunc_reduction("reduce_bitwise_and", lax.reduce_and, lax.bitwise_and,
                                       lambda dt: np.bitwise_not(np.zeros((), dt)), _require_integer)  # all ones
_reduce_bitwise_or = _ufunc_reduction("reduce_bitwise_or", lax.reduce_or, lax.bitwise_or,
                                      lambda dt: False if dt == np.bool_ else 0, _require_integer)
_reduce_bitwise_xor = _ufunc_reduction("reduce_bitwise_xor", lax.reduce_xor, lax.bitwise_xor,
                                       lambda dt: False if dt == np.bool_ else 0, _require_integer)
_reduce_logical_and = _ufunc_reduction("reduce_logical_and", lax.reduce_and, lax.bitwise_and,
                                       lambda dt: True, _cast_to_bool)
_reduce_logical_or = _ufunc_reduction("reduce_logical_or", lax.reduce_or, lax.bitwise_or,
                                      lambda dt: False, _cast_to_bool)
_reduce_logical_xor = _ufunc_reduction("reduce_logical_xor", lax.reduce_xor, lax.bitwise_xor,
                                       lambda dt: False, _cast_to_bool)


def _logsumexp(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """``jnp.logaddexp.reduce``: ``log(sum(exp(a)))`` computed stably (``initial`` joins as one more
    term). As in JAX, ``dtype`` is not used."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.logaddexp.reduce is not supported.")
    a = ensure_arraylike("logsumexp", a)
    (a,) = promote_dtypes_inexact(a)
    amax = max(lax.real(a) if dtypes.issubdtype(a.dtype, np.complexfloating) else a, axis=axis,
               keepdims=keepdims, where=where, initial=-np.inf)
    amax = lax.stop_gradient(lax.select(lax.is_finite(amax), amax, lax.full_like(amax, 0)))
    axes = _axes(axis, a.ndim)
    shifted = lax.sub(a, (amax if keepdims else _keepdims(amax, a.shape, axes)).astype(a.dtype))
    total = sum(lax.exp(shifted), axis=axis, keepdims=keepdims, where=where)
    out_ = lax.add(lax.log(total), amax.astype(total.dtype))
    if initial is None:
        return out_
    from jaxlite._src.numpy.ufuncs import _logaddexp
    return _logaddexp(initial, out_)


def _logsumexp2(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """``jnp.logaddexp2.reduce``: ``log2(sum(2 ** a))``."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.logaddexp2.reduce is not supported.")
    ln2 = float(np.log(2))
    a = ensure_arraylike("logsumexp2", a)
    (a,) = promote_dtypes_inexact(a)
    if initial is not None:
        initial = initial * ln2
    out_ = _logsumexp(lax.mul(a, np.asarray(ln2, a.dtype)), axis=axis, dtype=dtype, keepdims=keepdims,
                      initial=initial, where=where)
    return lax.div(out_, np.asarray(ln2, out_.dtype))
