"""Windowed reductions: reduce_window_sum/max/min, select_and_gather_add, select_and_scatter_add, and
the generic ``lax.reduce_window`` / ``lax.reduce`` front ends.

A window reduction looks at ``operand`` through a sliding window: the operand is first dilated
(``base_dilation``: holes between elements), then padded (``padding``; negative entries crop), and the
window (``window_dimensions``, with holes ``window_dilation``) moves by ``window_strides``. The NumPy
implementations build that view with ``sliding_window_view`` (no copy) and reduce its window axes.

Max/min pooling is differentiated as in JAX: the tangent of ``reduce_window_max`` is
``select_and_gather_add`` (pick the tangent where the operand attains the window's max), whose transpose
is ``select_and_scatter_add`` (send each cotangent back to that position).
"""
from __future__ import annotations

import enum
from typing import Any, Callable, Sequence

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.core import Primitive, ShapedArray, Tracer
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.interpreters.ad import Zero, is_undefined_primal
from jaxlite._src.lax.utils import check_accepted_dtypes, _num, _any

__all__ = [
    "reduce_window", "reduce", "padtype_to_pads", "PaddingType", "reduce_window_shape_tuple",
    "reduce_window_sum_p", "reduce_window_max_p", "reduce_window_min_p", "select_and_gather_add_p",
    "select_and_scatter_add_p",
]


# ---------------------------------------------------------------------------------------------------
# padding helpers
# ---------------------------------------------------------------------------------------------------

class PaddingType(enum.Enum):
    VALID = 1
    SAME = 2
    SAME_LOWER = 3


def padtype_to_pads(in_shape, window_shape, window_strides, padding) -> list[tuple[int, int]]:
    """``(low, high)`` pads per dimension for ``'VALID'``, ``'SAME'`` or ``'SAME_LOWER'`` padding.

    'SAME' pads so that the output has ``ceil(in / stride)`` elements, the odd element going to the
    end ('SAME_LOWER': to the start).

    >>> padtype_to_pads((5,), (2,), (1,), 'SAME')
    [(0, 1)]
    """
    if isinstance(padding, str):
        try:
            padding = PaddingType[padding.upper()]
        except KeyError:
            raise RuntimeError(f"Unrecognized padding type: expected 'VALID', 'SAME', or 'SAME_LOWER', "
                               f"got {padding}.") from None
    if padding == PaddingType.VALID:
        return [(0, 0)] * len(in_shape)
    if padding in (PaddingType.SAME, PaddingType.SAME_LOWER):
        out = []
        for n, k, s in zip(in_shape, window_shape, window_strides):
            out_size = -(-int(n) // int(s))
            total = max(0, (out_size - 1) * int(s) + int(k) - int(n))
            small, big = total // 2, total - total // 2
            out.append((small, big) if padding == PaddingType.SAME else (big, small))
        return out
    raise TypeError(f"Unknown padding type: {padding}.")


def _dilate_shape(shape, dilation):
    return tuple(0 if s == 0 else 1 + d * (s - 1) for s, d in zip(shape, dilation))


def reduce_window_shape_tuple(operand_shape, window_dimensions, window_strides, padding,
                              base_dilation=None, window_dilation=None):
    if base_dilation is not None:
        operand_shape = _dilate_shape(operand_shape, base_dilation)
    if window_dilation is not None:
        window_dimensions = _dilate_shape(window_dimensions, window_dilation)
    out = []
    for n, (lo, hi), k, s in zip(operand_shape, padding, window_dimensions, window_strides):
        padded = n + lo + hi
        if padded < 0:
            raise ValueError(f"reduce_window: negative padding {padding} larger than the operand "
                             f"dimension (operand shape {tuple(operand_shape)}).")
        out.append(0 if padded < k else (padded - k) // s + 1)
    return tuple(out)


def _check_window_params(name, ndim, window_dimensions, window_strides, padding, base_dilation,
                         window_dilation):
    for what, v in (("window_dimensions", window_dimensions), ("window_strides", window_strides),
                    ("base_dilation", base_dilation), ("window_dilation", window_dilation)):
        if len(v) != ndim:
            raise TypeError(f"{name} got the wrong number of {what} for operand: got operand of rank "
                            f"{ndim} with {what}={tuple(v)}.")
        if any(int(d) <= 0 for d in v):
            raise TypeError(f"{name}: all {what} must be positive, got {tuple(v)}.")
    if len(padding) != ndim:
        raise TypeError(f"{name} got the wrong number of padding pairs for operand: got operand of rank "
                        f"{ndim} with padding={tuple(padding)}.")


# ---------------------------------------------------------------------------------------------------
# the window view (NumPy)
# ---------------------------------------------------------------------------------------------------

def _pad_and_dilate(x, padding, base_dilation, fill):
    """``x`` dilated (holes = ``fill``) and padded with ``fill`` (negative pads crop)."""
    x = np.asarray(x)
    if any(d != 1 for d in base_dilation):
        y = np.full(_dilate_shape(x.shape, base_dilation), fill, x.dtype)
        y[tuple(np.s_[::d] for d in base_dilation)] = x
        x = y
    pos = [(max(lo, 0), max(hi, 0)) for lo, hi in padding]
    if any(p != (0, 0) for p in pos):
        x = np.pad(x, pos, constant_values=fill)
    if any(lo < 0 or hi < 0 for lo, hi in padding):
        x = x[tuple(np.s_[-lo if lo < 0 else 0: n + hi if hi < 0 else n]
                    for n, (lo, hi) in zip(x.shape, padding))]
    return x


def _window_view(x, window_dimensions, window_strides, padding, base_dilation, window_dilation, fill):
    """An array of shape ``out_shape + window_dimensions``: element ``[o, w]`` is the w-th element of
    window o (a strided view, not a copy, when possible)."""
    xp = _pad_and_dilate(x, padding, base_dilation, fill)
    eff = _dilate_shape(window_dimensions, window_dilation)
    out_shape = reduce_window_shape_tuple(xp.shape, window_dimensions, window_strides,
                                          [(0, 0)] * xp.ndim, None, window_dilation)
    if any(s == 0 for s in out_shape) or xp.size == 0:
        return np.empty(tuple(out_shape) + tuple(window_dimensions), xp.dtype)
    v = np.lib.stride_tricks.sliding_window_view(xp, eff)
    idx = tuple(np.s_[::s] for s in window_strides) + tuple(np.s_[::d] for d in window_dilation)
    return v[idx]


def _max_identity(dtype):
    dtype = np.dtype(dtype)
    if dtypes.issubdtype(dtype, np.inexact):
        return np.array(-np.inf, dtype)
    if dtypes.issubdtype(dtype, np.integer):
        return np.array(np.iinfo(dtype).min, dtype)
    if dtype == np.bool_:
        return np.array(False)
    raise ValueError(f"Unsupported dtype for max: {dtype}")


def _min_identity(dtype):
    dtype = np.dtype(dtype)
    if dtypes.issubdtype(dtype, np.inexact):
        return np.array(np.inf, dtype)
    if dtypes.issubdtype(dtype, np.integer):
        return np.array(np.iinfo(dtype).max, dtype)
    if dtype == np.bool_:
        return np.array(True)
    raise ValueError(f"Unsupported dtype for min: {dtype}")


# ---------------------------------------------------------------------------------------------------
# reduce_window_sum / max / min
# ---------------------------------------------------------------------------------------------------

def _window_params(**p):
    return (p["window_dimensions"], p["window_strides"], p["padding"], p["base_dilation"],
            p["window_dilation"])


def _reduce_window_abstract(name, accepted, typename):
    def rule(x, *, window_dimensions, window_strides, padding, base_dilation, window_dilation):
        check_accepted_dtypes(name, [x], accepted, typename)
        _check_window_params("reduce_window", x.ndim, window_dimensions, window_strides, padding,
                             base_dilation, window_dilation)
        shape = reduce_window_shape_tuple(x.shape, window_dimensions, window_strides, padding,
                                          base_dilation, window_dilation)
        return ShapedArray(shape, x.dtype, x.weak_type)
    return rule


def _reduce_window_batch(prim):
    def rule(vals, dims, *, window_dimensions, window_strides, padding, base_dilation, window_dilation):
        (x,), (d,) = vals, dims

        def ins(t, v):
            return tuple(t[:d]) + (v,) + tuple(t[d:])
        return prim.bind(x, window_dimensions=ins(window_dimensions, 1),
                         window_strides=ins(window_strides, 1), padding=ins(padding, (0, 0)),
                         base_dilation=ins(base_dilation, 1), window_dilation=ins(window_dilation, 1)), d
    batching.primitive_batchers[prim] = rule


def _make_reduce_window(name, np_reduce, fill_fn, accepted, typename):
    prim = Primitive(name)

    def impl(x, *, window_dimensions, window_strides, padding, base_dilation, window_dilation):
        fill = fill_fn(x.dtype)
        v = _window_view(x, window_dimensions, window_strides, padding, base_dilation, window_dilation,
                         fill)
        axes = tuple(range(x.ndim, 2 * x.ndim))
        with np.errstate(all="ignore"):
            if v.size == 0:
                return np.full(v.shape[:x.ndim], fill, x.dtype)
            return np.asarray(np_reduce(v, axis=axes), x.dtype)

    prim.def_impl(impl)
    prim.def_abstract_eval(_reduce_window_abstract(name, accepted, typename))
    _reduce_window_batch(prim)
    return prim


def _np_window_sum(v, axis):
    return np.sum(v, axis=axis, dtype=v.dtype)


reduce_window_sum_p = _make_reduce_window("reduce_window_sum", _np_window_sum,
                                          lambda dt: np.zeros((), dt), _num, "number")


def _vjp_lhs_padding(in_shape, window_dimensions, window_strides, out_shape, padding, lhs_dilation,
                     rhs_dilation):
    """Padding of the (stride-dilated) cotangent so that a stride-``lhs_dilation`` window pass over it
    lands on each input element: the pads that transpose a window/convolution over the input."""
    lhs_d = _dilate_shape(in_shape, lhs_dilation)
    rhs_d = _dilate_shape(window_dimensions, rhs_dilation)
    out_d = _dilate_shape(out_shape, window_strides)
    before = [k - lo - 1 for k, (lo, _) in zip(rhs_d, padding)]
    after = [l + k - 1 - o - b for l, k, o, b in zip(lhs_d, rhs_d, out_d, before)]
    return list(zip(before, after))


def _reduce_window_sum_transpose(ct, x, *, window_dimensions, window_strides, padding, base_dilation,
                                 window_dilation):
    assert is_undefined_primal(x)
    if type(ct) is Zero:
        return [None]
    in_shape = x.aval.shape
    ct_shape = core.get_aval(ct).shape
    pads = _vjp_lhs_padding(in_shape, window_dimensions, window_strides, ct_shape, padding,
                            base_dilation, window_dilation)
    from jaxlite._src.lax.shapes import pad
    zero = _scalar_zero(ct)
    padded = pad(ct, zero, [(lo, hi, s - 1) for (lo, hi), s in zip(pads, window_strides)])
    ones = (1,) * len(in_shape)
    out = reduce_window_sum_p.bind(padded, window_dimensions=tuple(window_dimensions),
                                   window_strides=tuple(base_dilation),
                                   padding=tuple((0, 0) for _ in in_shape), base_dilation=ones,
                                   window_dilation=tuple(window_dilation))
    return [out]


def _scalar_zero(x):
    from jaxlite._src.lax.elementwise import full
    aval = core.get_aval(x)
    return full((), 0, aval.dtype)


ad.deflinear(reduce_window_sum_p, _reduce_window_sum_transpose)

reduce_window_max_p = _make_reduce_window("reduce_window_max", np.max, _max_identity, _any, "any")
reduce_window_min_p = _make_reduce_window("reduce_window_min", np.min, _min_identity, _any, "any")


def _chooser_jvp(prim, select_prim):
    def jvp(primals, tangents, **params):
        (x,), (t,) = primals, tangents
        ans = prim.bind(x, **params)
        if type(t) is Zero:
            return ans, Zero.from_primal_value(ans)
        return ans, select_and_gather_add_p.bind(t, x, select_prim=select_prim, **params)
    ad.primitive_jvps[prim] = jvp


# ---------------------------------------------------------------------------------------------------
# select_and_gather_add: per window, the tangent at the position of the operand's max (ge) / min (le)
# ---------------------------------------------------------------------------------------------------

def _select_fill(select_prim, dtype):
    return _max_identity(dtype) if select_prim.name == "ge" else _min_identity(dtype)


def _selected_index(op_windows, select_prim, nd):
    """Flat index (within the window) of the first max (ge) or first min (le) of each window."""
    flat = op_windows.reshape(op_windows.shape[:nd] + (-1,))
    with np.errstate(all="ignore"):
        return np.argmax(flat, axis=-1) if select_prim.name == "ge" else np.argmin(flat, axis=-1)


def _sga_impl(t, x, *, select_prim, window_dimensions, window_strides, padding, base_dilation,
              window_dilation):
    nd = x.ndim
    ov = _window_view(x, window_dimensions, window_strides, padding, base_dilation, window_dilation,
                      _select_fill(select_prim, x.dtype))
    tv = _window_view(t, window_dimensions, window_strides, padding, base_dilation, window_dilation,
                      np.zeros((), t.dtype))
    out_shape = ov.shape[:nd]
    if ov.size == 0:
        return np.zeros(out_shape, t.dtype)
    idx = _selected_index(ov, select_prim, nd)
    tflat = tv.reshape(out_shape + (-1,))
    return np.take_along_axis(tflat, idx[..., None], axis=-1)[..., 0]


def _sga_abstract(t, x, *, select_prim, window_dimensions, window_strides, padding, base_dilation,
                  window_dilation):
    if t.shape != x.shape:
        raise TypeError(f"select_and_gather_add: tangents and operand must have the same shape, got "
                        f"{t.shape} and {x.shape}.")
    _check_window_params("select_and_gather_add", x.ndim, window_dimensions, window_strides, padding,
                         base_dilation, window_dilation)
    shape = reduce_window_shape_tuple(x.shape, window_dimensions, window_strides, padding,
                                      base_dilation, window_dilation)
    return ShapedArray(shape, t.dtype, t.weak_type)


select_and_gather_add_p = Primitive("select_and_gather_add")
select_and_gather_add_p.def_impl(_sga_impl)
select_and_gather_add_p.def_abstract_eval(_sga_abstract)


def _sga_jvp(primals, tangents, **params):
    (t, x), (dt, _) = primals, tangents
    ans = select_and_gather_add_p.bind(t, x, **params)
    if type(dt) is Zero:
        return ans, Zero.from_primal_value(ans)
    return ans, select_and_gather_add_p.bind(dt, x, **params)


def _sga_transpose(ct, t, x, *, select_prim, window_dimensions, window_strides, padding, base_dilation,
                   window_dilation):
    assert is_undefined_primal(t) and not is_undefined_primal(x)
    if type(ct) is Zero:
        return [None, None]
    if any(d != 1 for d in base_dilation) or any(d != 1 for d in window_dilation):
        raise NotImplementedError("reverse-mode differentiation of reduce_window_max/min with "
                                  "base_dilation or window_dilation other than 1")
    return [select_and_scatter_add_p.bind(ct, x, select_prim=select_prim,
                                          window_dimensions=window_dimensions,
                                          window_strides=window_strides, padding=padding), None]


ad.primitive_jvps[select_and_gather_add_p] = _sga_jvp
ad.primitive_transposes[select_and_gather_add_p] = _sga_transpose


def _two_operand_window_batch(prim):
    """Batch rule for primitives taking (values, operand) of one shape plus window params."""
    def rule(vals, dims, **params):
        size = batching.axis_size_of(vals, dims)
        a, b = (batching.bdim_at_front(v, d, size) for v, d in zip(vals, dims))
        new = dict(params)
        for k in ("window_dimensions", "window_strides", "base_dilation", "window_dilation"):
            if k in new:
                new[k] = (1,) + tuple(new[k])
        new["padding"] = ((0, 0),) + tuple(new["padding"])
        return prim.bind(a, b, **new), 0
    batching.primitive_batchers[prim] = rule


_two_operand_window_batch(select_and_gather_add_p)

# ---------------------------------------------------------------------------------------------------
# select_and_scatter_add: each source value goes to the selected position of its window (summed)
# ---------------------------------------------------------------------------------------------------


def _ssa_impl(source, x, *, select_prim, window_dimensions, window_strides, padding):
    nd = x.ndim
    ones = (1,) * nd
    ov = _window_view(x, window_dimensions, window_strides, padding, ones, ones,
                      _select_fill(select_prim, x.dtype))
    out_shape = ov.shape[:nd]
    result = np.zeros(x.shape, source.dtype)
    if ov.size == 0 or x.size == 0:
        return result
    idx = _selected_index(ov, select_prim, nd)
    # position (in x's coordinates) of each window's selected element
    w = np.unravel_index(idx, tuple(window_dimensions))
    grids = np.indices(out_shape, sparse=True)
    pos = [g * s + wi - lo for g, s, wi, (lo, _) in zip(grids, window_strides, w, padding)]
    valid = np.ones(out_shape, bool)
    for p, n in zip(pos, x.shape):
        valid &= (p >= 0) & (p < n)
    flat = np.ravel_multi_index(tuple(np.where(valid, p, 0) for p in pos), x.shape)
    src = np.asarray(source)
    if src.dtype.kind == "f":
        acc = np.bincount(flat[valid], weights=src[valid].astype(np.float64), minlength=x.size)
        return acc.reshape(x.shape).astype(source.dtype)
    flat_out = result.reshape(-1)
    np.add.at(flat_out, flat[valid], src[valid])
    return flat_out.reshape(x.shape)


def _ssa_abstract(source, x, *, select_prim, window_dimensions, window_strides, padding):
    ones = (1,) * x.ndim
    _check_window_params("select_and_scatter_add", x.ndim, window_dimensions, window_strides, padding,
                         ones, ones)
    shape = reduce_window_shape_tuple(x.shape, window_dimensions, window_strides, padding)
    if tuple(source.shape) != shape:
        raise TypeError(f"select_and_scatter_add: source shape {source.shape} does not match the "
                        f"window output shape {shape}.")
    return ShapedArray(x.shape, source.dtype, source.weak_type)


select_and_scatter_add_p = Primitive("select_and_scatter_add")
select_and_scatter_add_p.def_impl(_ssa_impl)
select_and_scatter_add_p.def_abstract_eval(_ssa_abstract)


def _ssa_jvp(primals, tangents, **params):
    (s, x), (ds, _) = primals, tangents
    ans = select_and_scatter_add_p.bind(s, x, **params)
    if type(ds) is Zero:
        return ans, Zero.from_primal_value(ans)
    return ans, select_and_scatter_add_p.bind(ds, x, **params)


def _ssa_transpose(ct, s, x, *, select_prim, window_dimensions, window_strides, padding):
    assert is_undefined_primal(s) and not is_undefined_primal(x)
    if type(ct) is Zero:
        return [None, None]
    ones = (1,) * len(window_dimensions)
    return [select_and_gather_add_p.bind(ct, x, select_prim=select_prim,
                                         window_dimensions=window_dimensions,
                                         window_strides=window_strides, padding=padding,
                                         base_dilation=ones, window_dilation=ones), None]


ad.primitive_jvps[select_and_scatter_add_p] = _ssa_jvp
ad.primitive_transposes[select_and_scatter_add_p] = _ssa_transpose
_two_operand_window_batch(select_and_scatter_add_p)


def _late_jvps():
    from jaxlite._src.lax.elementwise import ge_p, le_p
    _chooser_jvp(reduce_window_max_p, ge_p)
    _chooser_jvp(reduce_window_min_p, le_p)


_late_jvps()


# ---------------------------------------------------------------------------------------------------
# front ends: lax.reduce_window and lax.reduce
# ---------------------------------------------------------------------------------------------------

def _is_concrete_scalar(x):
    if isinstance(x, Tracer):
        return x.to_concrete_value() is not None and x.aval.shape == ()
    return np.ndim(x) == 0


def _concrete(x):
    if isinstance(x, Tracer):
        return np.asarray(x.to_concrete_value())
    if isinstance(x, core.Array):
        return x._value
    return np.asarray(x)


def _monoid_kind(computation, init_values):
    """'add', 'mul', 'max', 'min', 'and', 'or', 'xor' when (computation, init) is a known monoid."""
    from jaxlite._src.lax import elementwise as ew
    if len(init_values) != 1 or not _is_concrete_scalar(init_values[0]):
        return None
    init = init_values[0]
    val = _concrete(init)
    dtype = core.get_aval(init).dtype
    intlike = dtype == np.bool_ or dtypes.issubdtype(dtype, np.integer)
    with np.errstate(all="ignore"):
        if computation is ew.add:
            return "add" if np.equal(val, 0) else None
        if computation is ew.mul:
            return "mul" if np.equal(val, 1) else None
        if computation is ew.max:
            return "max" if np.equal(val, _max_identity(dtype)) else None
        if computation is ew.min:
            return "min" if np.equal(val, _min_identity(dtype)) else None
        if computation is ew.bitwise_or and intlike:
            return "or" if np.equal(val, np.array(0).astype(dtype)) else None
        if computation is ew.bitwise_and and intlike:
            return "and" if np.equal(val, np.array(-1).astype(dtype)) else None
        if computation is ew.bitwise_xor and intlike:
            return "xor" if np.equal(val, np.array(0).astype(dtype)) else None
    return None


def _as_operand(x):
    if isinstance(x, (core.Array, Tracer)):
        return x
    v, aval = core.to_value_and_aval(x)
    return core.Array._from_np(v, aval.weak_type)


def reduce_window(operand, init_value, computation: Callable, window_dimensions, window_strides=None,
                  padding="VALID", base_dilation=None, window_dilation=None):
    """Reduce each (strided, padded, dilated) window of ``operand`` with ``computation``.

    ``operand`` and ``init_value`` may be pytrees of the same structure. ``(lax.add, 0)``,
    ``(lax.max, -inf)`` and ``(lax.min, inf)`` become the ``reduce_window_sum/max/min`` primitives
    (differentiable); any other computation is applied window offset by window offset.

    >>> import jaxlite.numpy as jnp
    >>> reduce_window(jnp.arange(5.), 0., add, (2,), (1,), 'VALID')
    Array([1., 3., 5., 7.], dtype=float32)
    """
    from jaxlite._src import tree_util
    flat_ops, tree = tree_util.tree_flatten(operand)
    flat_inits, init_tree = tree_util.tree_flatten(init_value)
    if tree != init_tree:
        raise ValueError(f"Operands must have the same tree structure as init_values: {tree} vs. "
                         f"{init_tree}")
    if not flat_ops:
        raise ValueError("reduce_window must have at least one operand.")
    flat_ops = [_as_operand(o) for o in flat_ops]
    shape = core.get_aval(flat_ops[0]).shape
    nd = len(shape)
    window_dimensions = tuple(int(d) for d in window_dimensions)
    if isinstance(padding, str):
        eff = window_dimensions if window_dilation is None else _dilate_shape(window_dimensions,
                                                                              window_dilation)
        padding = tuple(padtype_to_pads(shape, eff, window_strides or (1,) * nd, padding))
    else:
        padding = tuple((int(lo), int(hi)) for lo, hi in padding)
    window_strides = (1,) * nd if window_strides is None else tuple(int(s) for s in window_strides)
    base_dilation = (1,) * nd if base_dilation is None else tuple(int(s) for s in base_dilation)
    window_dilation = (1,) * nd if window_dilation is None else tuple(int(s) for s in window_dilation)
    params = dict(window_dimensions=window_dimensions, window_strides=window_strides, padding=padding,
                  base_dilation=base_dilation, window_dilation=window_dilation)
    kind = _monoid_kind(computation, flat_inits)
    prim = {"add": reduce_window_sum_p, "max": reduce_window_max_p, "min": reduce_window_min_p}.get(kind)
    if prim is not None:
        return tree_util.tree_unflatten(tree, [prim.bind(flat_ops[0], **params)])
    return _generic_reduce_window(flat_ops, flat_inits, tree, computation, **params)


def _generic_reduce_window(flat_ops, flat_inits, tree, computation, *, window_dimensions,
                           window_strides, padding, base_dilation, window_dilation):
    """Any computation: pad (and dilate) each operand with its init value, then fold the window
    offsets one by one with ``computation`` (each step is a whole-array strided slice)."""
    from jaxlite._src import tree_util
    from jaxlite._src.lax.shapes import pad, slice as lslice, broadcast_in_dim
    from jaxlite._src.lax.elementwise import _convert_element_type, select
    shape = core.get_aval(flat_ops[0]).shape
    for o in flat_ops:
        if core.get_aval(o).shape != shape:
            raise ValueError("reduce_window operands must all have the same shape")
    _check_window_params("reduce_window", len(shape), window_dimensions, window_strides, padding,
                         base_dilation, window_dilation)
    out_shape = reduce_window_shape_tuple(shape, window_dimensions, window_strides, padding,
                                          base_dilation, window_dilation)
    inits = []
    padded = []
    for o, i in zip(flat_ops, flat_inits):
        aval = core.get_aval(o)
        if core.get_aval(i).shape != ():
            raise TypeError("reduce_window: init values must be scalars")
        i = _convert_element_type(i, aval.dtype, aval.weak_type) if not isinstance(i, Tracer) else i
        inits.append(i)
        padded.append(pad(o, i, [(lo, hi, d - 1) for (lo, hi), d in zip(padding, base_dilation)]))
    acc = [broadcast_in_dim(i, out_shape, ()) for i in inits]
    if any(s == 0 for s in out_shape):
        return tree_util.tree_unflatten(tree, acc)
    # as in XLA, padding and dilation holes take no part in the reduction (init is applied once)
    has_holes = any(lo > 0 or hi > 0 for lo, hi in padding) or any(d > 1 for d in base_dilation)
    mask = None
    if has_holes:
        valid = np.ones(shape, bool)
        valid = _pad_and_dilate(valid, padding, base_dilation, np.array(False))
    for offset in np.ndindex(*window_dimensions):
        start = [w * d for w, d in zip(offset, window_dilation)]
        limit = [st + (n - 1) * s + 1 for st, n, s in zip(start, out_shape, window_strides)]
        pieces = [lslice(p, start, limit, window_strides) for p in padded]
        res = computation(tree_util.tree_unflatten(tree, acc), tree_util.tree_unflatten(tree, pieces))
        flat_res, res_tree = tree_util.tree_flatten(res)
        if res_tree != tree:
            raise ValueError(f"reduce_window output must have the same tree structure as the operands "
                             f"{tree} vs. {res_tree}")
        if has_holes:
            m = valid[tuple(np.s_[st:li:s] for st, li, s in zip(start, limit, window_strides))]
            if not m.all():
                mask = core.Array._from_np(np.ascontiguousarray(m), False)
                flat_res = [select(mask, r, a) for r, a in zip(flat_res, acc)]
        acc = flat_res
    return tree_util.tree_unflatten(tree, acc)


def reduce(operands, init_values, computation: Callable, dimensions: Sequence[int], out_sharding=None):
    """Reduce ``operands`` over ``dimensions`` with the monoid ``(computation, init_values)``.

    Known monoids (``lax.add`` with 0, ``lax.mul`` with 1, ``lax.max``/``lax.min`` with -inf/inf,
    bitwise and/or/xor) become ``reduce_sum``/``reduce_prod``/... ; other computations (which must be
    associative, as in JAX) are applied in a tree of pairwise combinations.
    """
    from jaxlite._src import tree_util
    from jaxlite._src.lax import reductions as red
    from jaxlite._src.lax.elementwise import _convert_element_type
    flat_ops, tree = tree_util.tree_flatten(operands)
    flat_inits, init_tree = tree_util.tree_flatten(init_values)
    if tree != init_tree:
        raise ValueError(f"Operands must have the same tree structure as init_values: {tree} vs. "
                         f"{init_tree}")
    if len(flat_ops) != len(flat_inits):
        raise ValueError(f"Must have same total number of operands as init_values: "
                         f" {len(flat_ops)} vs. {len(flat_inits)}")
    flat_ops = [_as_operand(o) for o in flat_ops]
    dimensions = tuple(int(d) for d in dimensions)
    kind = _monoid_kind(computation, flat_inits)
    if kind is not None:
        fn = {"add": red.reduce_sum, "mul": red.reduce_prod, "max": red.reduce_max, "min": red.reduce_min,
              "and": red.reduce_and, "or": red.reduce_or, "xor": red.reduce_xor}[kind]
        x = flat_ops[0]
        weak = core.get_aval(x).weak_type and dtypes.is_weakly_typed(flat_inits[0])
        out = fn(x, dimensions)
        out = _convert_element_type(out, core.get_aval(out).dtype, weak)
        return tree_util.tree_unflatten(tree, [out])
    return _generic_reduce(flat_ops, flat_inits, tree, computation, dimensions)


def _generic_reduce(flat_ops, flat_inits, tree, computation, dimensions):
    from jaxlite._src import tree_util
    from jaxlite._src.lax.shapes import transpose, reshape, slice as lslice, broadcast_in_dim, concatenate
    from jaxlite._src.lax.elementwise import _convert_element_type
    shape = core.get_aval(flat_ops[0]).shape
    for d in dimensions:
        if not 0 <= d < len(shape):
            raise ValueError(f"reduce: dimension {d} out of bounds for operand of shape {shape}")
    kept = [i for i in range(len(shape)) if i not in dimensions]
    kshape = tuple(shape[i] for i in kept)
    n = int(np.prod([shape[d] for d in dimensions], dtype=np.int64))
    xs = [reshape(transpose(o, tuple(kept) + dimensions), kshape + (n,)) for o in flat_ops]
    inits = []
    for o, i in zip(flat_ops, flat_inits):
        aval = core.get_aval(o)
        inits.append(_convert_element_type(i, aval.dtype, aval.weak_type)
                     if not isinstance(i, Tracer) else i)
    k = len(kshape)

    def combine(a, b):
        res = computation(tree_util.tree_unflatten(tree, a), tree_util.tree_unflatten(tree, b))
        flat_res, res_tree = tree_util.tree_flatten(res)
        if res_tree != tree:
            raise ValueError(f"reduce: computation output must have the same tree structure as the "
                             f"operands {tree} vs. {res_tree}")
        return flat_res

    # pairwise (adjacent) combination halves the reduced axis each round: needs associativity only
    while n > 1:
        half = n // 2
        evens = [lslice(x, (0,) * (k + 1), kshape + (2 * half,), (1,) * k + (2,)) for x in xs]
        odds = [lslice(x, (0,) * k + (1,), kshape + (2 * half,), (1,) * k + (2,)) for x in xs]
        comb = combine(evens, odds)
        if n % 2:
            comb = [concatenate([c, lslice(x, (0,) * k + (n - 1,), kshape + (n,))], k)
                    for c, x in zip(comb, xs)]
        xs = comb
        n = half + n % 2
    init_b = [broadcast_in_dim(i, kshape, ()) for i in inits]
    if n == 0:
        return tree_util.tree_unflatten(tree, init_b)
    last = [reshape(x, kshape) for x in xs]
    return tree_util.tree_unflatten(tree, combine(init_b, last))
