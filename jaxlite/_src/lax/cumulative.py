"""Cumulative reductions along one axis: cumsum, cumprod, cummax, cummin, cumlogsumexp.

Each is a primitive with params ``axis`` (non-negative) and ``reverse``. ``cumsum`` is linear (its
transpose is the cumsum running the other way). The others are differentiated, as in JAX, by taking the
JVP of a parallel prefix scan (``_associative_scan``) built from slices, pads and the elementwise
combine function, so ties and zeros get exactly the derivatives of ``lax.max``/``lax.mul``.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.core import Primitive, ShapedArray
from jaxlite._src.interpreters import ad, batching

__all__ = ["cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp", "cumsum_p", "cumprod_p",
           "cummax_p", "cummin_p", "cumlogsumexp_p"]


# ---------------------------------------------------------------------------------------------------
# shared rules
# ---------------------------------------------------------------------------------------------------

def _cumred_abstract(name, x, *, axis, reverse):
    if not dtypes.issubdtype(x.dtype, np.number):
        raise TypeError(f"{name} does not accept dtype {x.dtype.name}. Accepted dtypes are subtypes "
                        f"of number.")
    if axis < 0:
        raise ValueError("XLA operations do not allow negative axes")
    if axis >= x.ndim:
        raise ValueError(f"axis {axis} is out of bounds for array of shape {x.shape}")
    return ShapedArray(x.shape, x.dtype, x.weak_type)


def _low_precision(dt):
    return dt.kind == "f" and dt.itemsize < 4


def _cumred_impl(accumulate, x, *, axis, reverse):
    x = np.asarray(x)
    dt = x.dtype
    work = x.astype(np.float32) if _low_precision(dt) else x
    if reverse:
        work = np.flip(work, axis)
    with np.errstate(all="ignore"):
        out = accumulate(work, axis)
    if reverse:
        out = np.flip(out, axis)
    return np.asarray(out, dt)


def _cumred_batch(prim, vals, dims, *, axis, reverse):
    (x,), (d,) = vals, dims
    axis = axis if axis < d else axis + 1
    return prim.bind(x, axis=axis, reverse=reverse), d


def _cumulative_primitive(name, accumulate):
    prim = Primitive(name)
    prim.def_impl(partial(_cumred_impl, accumulate))
    prim.def_abstract_eval(partial(_cumred_abstract, name))
    batching.primitive_batchers[prim] = partial(_cumred_batch, prim)
    return prim


def _np_cumsum(x, axis):
    return np.cumsum(x, axis=axis, dtype=x.dtype)


def _np_cumprod(x, axis):
    return np.cumprod(x, axis=axis, dtype=x.dtype)


def _np_cummax(x, axis):
    return np.maximum.accumulate(x, axis=axis)


def _np_cummin(x, axis):
    return np.minimum.accumulate(x, axis=axis)


def _np_cumlogsumexp(x, axis):
    if x.dtype.kind == "c":
        raise NotImplementedError("cumlogsumexp of complex values")
    return np.logaddexp.accumulate(x, axis=axis)


# ---------------------------------------------------------------------------------------------------
# the parallel prefix scan used for derivatives
# ---------------------------------------------------------------------------------------------------

def _slice_axis(x, start, stop, axis, stride=1):
    from jaxlite._src.lax.shapes import slice as lax_slice
    shape = core.get_aval(x).shape
    starts = [0] * len(shape)
    limits = list(shape)
    strides = [1] * len(shape)
    starts[axis], limits[axis], strides[axis] = start, stop, stride
    return lax_slice(x, starts, limits, strides)


def _interleave(a, b, axis):
    """Elements of ``a`` at even and of ``b`` at odd positions along ``axis``."""
    from jaxlite._src.lax import elementwise as ew
    from jaxlite._src.lax.shapes import pad
    na = core.get_aval(a).shape[axis]
    nb = core.get_aval(b).shape[axis]
    nd = core.get_aval(a).ndim
    cfg_a = [(0, 0, 0)] * nd
    cfg_b = [(0, 0, 0)] * nd
    cfg_a[axis] = (0, 1 if na == nb else 0, 1)
    cfg_b[axis] = (1, 0 if na == nb else 1, 1)
    op = ew.bitwise_or if core.get_aval(a).dtype == np.bool_ else ew.add
    return op(pad(a, ew._convert_element_type(0, core.get_aval(a).dtype), cfg_a),
              pad(b, ew._convert_element_type(0, core.get_aval(b).dtype), cfg_b))


def _associative_scan(combine, elems, axis, reverse=False):
    """Inclusive scan of a list of arrays with an associative ``combine(list, list) -> list``.

    Pairs are combined, the half-size problem is solved recursively (giving the odd positions) and the
    even positions are completed from them: O(log n) rounds of whole-array operations.
    """
    from jaxlite._src.lax.shapes import concatenate, rev
    if reverse:
        elems = [rev(e, (axis,)) for e in elems]

    def scan(elems):
        n = core.get_aval(elems[0]).shape[axis]
        if n < 2:
            return elems
        reduced = combine([_slice_axis(e, 0, n - 1, axis, 2) for e in elems],
                          [_slice_axis(e, 1, n, axis, 2) for e in elems])
        odd = scan(reduced)
        if n % 2 == 0:
            even = combine([_slice_axis(e, 0, core.get_aval(e).shape[axis] - 1, axis) for e in odd],
                           [_slice_axis(e, 2, n, axis, 2) for e in elems])
        else:
            even = combine(odd, [_slice_axis(e, 2, n, axis, 2) for e in elems])
        even = [concatenate([_slice_axis(e, 0, 1, axis), r], axis) for e, r in zip(elems, even)]
        return [_interleave(e, o, axis) for e, o in zip(even, odd)]

    out = scan(list(elems))
    if reverse:
        out = [rev(e, (axis,)) for e in out]
    return out


def _scan_jvp(combine):
    """JVP rule: forward-mode derivative of the prefix scan with ``combine`` (a binary lax op)."""
    def jvp(primals, tangents, *, axis, reverse):
        fun = lambda x: _associative_scan(lambda a, b: [combine(a[0], b[0])], [x], axis, reverse)  # noqa
        (p,), (t,) = ad.jvp_flat(fun, primals, tangents)
        return p, t
    return jvp


# ---------------------------------------------------------------------------------------------------
# cumsum (linear)
# ---------------------------------------------------------------------------------------------------

cumsum_p = _cumulative_primitive("cumsum", _np_cumsum)


def _cumsum_transpose(ct, x, *, axis, reverse):
    if type(ct) is ad.Zero:
        return [None]
    return [cumsum_p.bind(ct, axis=axis, reverse=not reverse)]


ad.deflinear(cumsum_p, _cumsum_transpose)


def cumsum(operand, axis: int = 0, reverse: bool = False):
    """Cumulative sum along ``axis``: ``cumsum([1, 2, 3]) == [1, 3, 6]``."""
    return cumsum_p.bind(operand, axis=int(axis), reverse=bool(reverse))


# ---------------------------------------------------------------------------------------------------
# cumprod, cummax, cummin
# ---------------------------------------------------------------------------------------------------

def _mul(a, b):
    from jaxlite._src.lax.elementwise import mul
    return mul(a, b)


def _max(a, b):
    from jaxlite._src.lax.elementwise import max
    return max(a, b)


def _min(a, b):
    from jaxlite._src.lax.elementwise import min
    return min(a, b)


cumprod_p = _cumulative_primitive("cumprod", _np_cumprod)
ad.primitive_jvps[cumprod_p] = _scan_jvp(_mul)

cummax_p = _cumulative_primitive("cummax", _np_cummax)
ad.primitive_jvps[cummax_p] = _scan_jvp(_max)

cummin_p = _cumulative_primitive("cummin", _np_cummin)
ad.primitive_jvps[cummin_p] = _scan_jvp(_min)


def cumprod(operand, axis: int = 0, reverse: bool = False):
    """Cumulative product along ``axis``."""
    return cumprod_p.bind(operand, axis=int(axis), reverse=bool(reverse))


def cummax(operand, axis: int = 0, reverse: bool = False):
    """Cumulative maximum along ``axis`` (NaN propagates)."""
    return cummax_p.bind(operand, axis=int(axis), reverse=bool(reverse))


def cummin(operand, axis: int = 0, reverse: bool = False):
    """Cumulative minimum along ``axis`` (NaN propagates)."""
    return cummin_p.bind(operand, axis=int(axis), reverse=bool(reverse))


# ---------------------------------------------------------------------------------------------------
# cumlogsumexp
# ---------------------------------------------------------------------------------------------------

cumlogsumexp_p = _cumulative_primitive("cumlogsumexp", _np_cumlogsumexp)


def _logaddexp(x, y):
    """log(exp(x) + exp(y)) without overflow (real floating point)."""
    from jaxlite._src.lax import elementwise as ew
    amax = ew.max(x, y)
    delta = ew.sub(x, y)
    return ew.select(ew.ne(delta, delta), ew.add(x, y),  # NaNs, or infinities of the same sign
                     ew.add(amax, ew.log1p(ew.exp(ew.neg(ew.abs(delta))))))


def _posinf_to_zero(x):
    from jaxlite._src.lax import elementwise as ew
    return ew.select(ew.eq(x, ew.full_like(x, np.inf)), ew._zeros(x), x)


def _cumlogsumexp_jvp(primals, tangents, *, axis, reverse):
    # Scan (value, tangent) pairs. The tangent of logaddexp(a, b) is
    # ta * exp(a - out) + tb * exp(b - out), with +inf replaced by 0 in the exponents (as JAX's
    # logaddexp derivative does) so that infinite inputs give no NaN.
    from jaxlite._src.lax import elementwise as ew
    (x,), (t,) = primals, tangents
    t = ad.instantiate_zeros(t)

    def combine(a, b):
        (va, ta), (vb, tb) = a, b
        out = _logaddexp(va, vb)
        w_a = ew.exp(ew.sub(_posinf_to_zero(va), _posinf_to_zero(out)))
        w_b = ew.exp(ew.sub(_posinf_to_zero(vb), _posinf_to_zero(out)))
        return [out, ew.add(ew.mul(ta, w_a), ew.mul(tb, w_b))]

    ans = cumlogsumexp_p.bind(x, axis=axis, reverse=reverse)
    _, t_out = _associative_scan(combine, [x, t], axis, reverse)
    return ans, t_out


ad.primitive_jvps[cumlogsumexp_p] = _cumlogsumexp_jvp


def cumlogsumexp(operand, axis: int = 0, reverse: bool = False):
    """Cumulative ``logsumexp`` along ``axis``."""
    return cumlogsumexp_p.bind(operand, axis=int(axis), reverse=bool(reverse))
