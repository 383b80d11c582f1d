"""jax.numpy reductions: sum/prod/max/min/mean/var/std/all/any/argmax/argmin with axis, keepdims,
where, dtype and initial, using JAX's result dtypes (small ints sum to the default int)."""
from __future__ import annotations

import builtins
import operator

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.core import Tracer
from jaxlite._src.lax import lax
from jaxlite._src.numpy.util import canonicalize_axis, ensure_arraylike, promote_dtypes_inexact, _to_array

__all__ = ["sum", "prod", "max", "min", "amax", "amin", "mean", "var", "std", "all", "any", "argmax",
           "argmin", "count_nonzero", "ptp", "average", "cumulative_sum", "cumulative_prod"]


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


def _keepdims(out, shape, axes):
    return lax.reshape(out, tuple(1 if i in axes else d for i, d in enumerate(shape)))


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
               has_identity=True, promote_bool=None):
    a = ensure_arraylike(name, a)
    if isinstance(axis, Tracer):
        raise core.ConcretizationTypeError(axis, f"The axis argument of jnp.{name} must be concrete.")
    axes = _axes(axis, a.ndim)
    dt = _dtype_arg(dtype)
    if dt is None:
        dt = _sum_dtype(a.dtype) if upcast_small_ints else a.dtype
        if promote_bool is not None and a.dtype == np.bool_:
            dt = promote_bool
    weak = a.weak_type and dtype is None and dt == a.dtype
    if a.dtype != dt:
        a = lax._convert_element_type(a, dt, weak)
    if where is not None:
        if not has_identity and initial is None:
            raise ValueError(f"reduction operation {name} does not have an identity, so to use a where "
                             f"mask one has to specify 'initial'")
        where = _to_array(where)
        mask = lax.broadcast_in_dim(where, a.shape, tuple(range(a.ndim - where.ndim, a.ndim))) \
            if where.shape != a.shape else where
        if where.shape != a.shape:
            from jaxlite._src.numpy.lax_numpy import broadcast_to
            mask = broadcast_to(where, a.shape)
        a = lax.select(mask, a, lax.full_like(a, identity(a.dtype)))
    if any(a.shape[i] == 0 for i in axes) and not has_identity and initial is None:
        raise ValueError(f"zero-size array to reduction operation {name} which has no identity")
    out = lax_reduce(a, axes)
    if initial is not None:
        init = lax._convert_element_type(initial, out.dtype, out.weak_type)
        out = {"sum": lax.add, "prod": lax.mul, "max": lax.max, "min": lax.min}[name](out, init)
    if keepdims:
        out = _keepdims(out, a.shape, axes)
    return out


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None, promote_integers=True):
    """Sum of elements over ``axis``."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.sum is not supported.")
    return _reduction("sum", a, axis, dtype, keepdims, initial, where,
                      lambda x, axes: lax.reduce_sum(x, axes) if x.dtype != np.bool_ else
                      lax.reduce_or(x, axes), lambda dt: 0, promote_integers)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None, promote_integers=True):
    """Product of elements over ``axis``."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.prod is not supported.")
    return _reduction("prod", a, axis, dtype, keepdims, initial, where,
                      lambda x, axes: lax.reduce_prod(x, axes) if x.dtype != np.bool_ else
                      lax.reduce_and(x, axes), lambda dt: 1, promote_integers)


def _max_identity(dt):
    if dtypes.issubdtype(dt, np.inexact):
        return -np.inf
    if dt == np.bool_:
        return False
    return dtypes.iinfo(dt).min


def _min_identity(dt):
    if dtypes.issubdtype(dt, np.inexact):
        return np.inf
    if dt == np.bool_:
        return True
    return dtypes.iinfo(dt).max


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
    if a.dtype != np.bool_:
        a = lax.ne(a, lax._zeros(a))
    return _reduction("all", a, axis, None, keepdims, None, where, lax.reduce_and, lambda dt: True, False)


def any(a, axis=None, out=None, keepdims=False, *, where=None):
    a = ensure_arraylike("any", a)
    if a.dtype != np.bool_:
        a = lax.ne(a, lax._zeros(a))
    return _reduction("any", a, axis, None, keepdims, None, where, lax.reduce_or, lambda dt: False, False)


def _count(shape, axes, where):
    if where is None:
        return int(np.prod([shape[i] for i in axes], dtype=np.int64))
    from jaxlite._src.numpy.lax_numpy import broadcast_to
    w = broadcast_to(_to_array(where), shape)
    return sum(w, axis=axes, dtype=dtypes.default_int_dtype())


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None, upcast_f16_for_computation=True):
    """Arithmetic mean over ``axis`` (integers give the default float)."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.mean is not supported.")
    a = ensure_arraylike("mean", a)
    axes = _axes(axis, a.ndim)
    if dtype is None:
        result_dtype = dtypes.to_inexact_dtype(a.dtype)
    else:
        result_dtype = _dtype_arg(dtype)
    weak = a.weak_type and dtype is None
    total = sum(a, axis, dtype=result_dtype, keepdims=keepdims, where=where)
    if a.weak_type and dtype is None:
        total = lax._convert_element_type(total, result_dtype, True)
    n = _count(a.shape, axes, where)
    if isinstance(n, int):
        if n == 0:
            return lax.div(total, lax._convert_element_type(np.nan, result_dtype, weak))
        return lax.div(total, lax._convert_element_type(n, result_dtype, weak))
    if keepdims:
        n = _keepdims(n, a.shape, axes)
    return lax.div(total, lax.convert_element_type(n, result_dtype))


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, correction=None):
    """Variance over ``axis`` (``ddof``/``correction`` subtracts from the count)."""
    if correction is not None:
        ddof = correction
    a = ensure_arraylike("var", a)
    axes = _axes(axis, a.ndim)
    computation_dtype = dtypes.to_inexact_dtype(a.dtype) if dtype is None else _dtype_arg(dtype)
    a = lax._convert_element_type(a, computation_dtype, a.weak_type)
    a_mean = mean(a, axes, keepdims=True, where=where)
    centered = lax.sub(a, a_mean)
    if dtypes.issubdtype(centered.dtype, np.complexfloating):
        sq = lax.real(lax.mul(centered, lax.conj(centered)))
    else:
        sq = lax.mul(centered, centered)
    n = _count(a.shape, axes, where)
    total = sum(sq, axes, keepdims=keepdims, where=where)
    if isinstance(n, int):
        denom = builtins.max(n - ddof, 0)
        return lax.div(total, lax._convert_element_type(denom if denom else np.nan, total.dtype, total.weak_type))
    if keepdims:
        n = _keepdims(n, a.shape, axes)
    return lax.div(total, lax.sub(lax.convert_element_type(n, total.dtype),
                                  lax._convert_element_type(ddof, total.dtype)))


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, correction=None):
    """Standard deviation over ``axis``."""
    return lax.sqrt(var(a, axis, dtype, out, ddof, keepdims, where=where, correction=correction))


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


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False):
    raise NotImplementedError("jnp.cumulative_sum (needs the cumulative lax primitives)")


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False):
    raise NotImplementedError("jnp.cumulative_prod (needs the cumulative lax primitives)")
