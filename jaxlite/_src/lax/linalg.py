"""dot_general (and later the decompositions): matrix products on NumPy/BLAS."""
from __future__ import annotations

import enum

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.core import Primitive, ShapedArray
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.interpreters.ad import Zero, is_undefined_primal

__all__ = ["dot_general", "dot", "batch_matmul", "dot_general_p", "Precision", "DotAlgorithmPreset"]


class Precision(enum.Enum):
    """How precisely matrix products compute (accelerator-specific in JAX; no effect on CPU)."""
    DEFAULT = 0
    HIGH = 1
    HIGHEST = 2

    @classmethod
    def _missing_(cls, value):
        # JAX's aliases: Precision("highest"), Precision("tensorfloat32"), ...
        return _PRECISION_NAMES.get(value)

    def __repr__(self):
        return f"Precision.{self.name}"

    def __str__(self):
        return self.name


_PRECISION_NAMES = {"highest": Precision.HIGHEST, "float32": Precision.HIGHEST, "high": Precision.HIGH,
                    "bfloat16_3x": Precision.HIGH, "tensorfloat32": Precision.HIGH,
                    "default": Precision.DEFAULT, "bfloat16": Precision.DEFAULT, "fastest": Precision.DEFAULT}


def canonicalize_precision(precision):
    """None, or one Precision per operand (a pair), from a Precision, a name or a pair of them."""
    if precision is None:
        return None
    if isinstance(precision, Precision):
        return precision, precision
    if isinstance(precision, str):
        if precision in _PRECISION_NAMES:
            return Precision(precision), Precision(precision)
        if precision.upper() in Precision.__members__:
            return Precision[precision.upper()], Precision[precision.upper()]
        if hasattr(DotAlgorithmPreset, precision):
            return precision
    elif isinstance(precision, (list, tuple)) and len(precision) == 2:
        if all(isinstance(p, Precision) for p in precision):
            return tuple(precision)
        if all(isinstance(p, str) for p in precision):
            return canonicalize_precision(precision[0])[0], canonicalize_precision(precision[1])[0]
    raise ValueError(f"Precision argument must be one of:\n- None,\n- a string among "
                     f"{sorted(_PRECISION_NAMES)},\n- a lax.Precision value,\n- a tuple of two lax.Precision "
                     f"values or strings,\n- a lax.DotAlgorithmPreset name; got {precision}.")


class DotAlgorithmPreset:
    DEFAULT = "DEFAULT"


def _remaining(n, *taken):
    s = set()
    for t in taken:
        s.update(t)
    return [i for i in range(n) if i not in s]


def _dot_general_impl(x, y, *, dimension_numbers, precision, preferred_element_type, out_sharding):
    (xc, yc), (xb, yb) = dimension_numbers
    x = np.asarray(x)
    out_dtype = x.dtype if preferred_element_type is None else preferred_element_type
    y = np.asarray(y)
    if x.dtype != out_dtype:
        x = x.astype(out_dtype)
    if y.dtype != out_dtype:
        y = y.astype(out_dtype)
    # fast paths for the common matrix cases
    if not xb:
        if x.ndim == 2 and y.ndim == 2 and xc == (1,) and yc == (0,):
            return np.dot(x, y)
        if x.ndim == 1 and y.ndim == 1 and xc == (0,) and yc == (0,):
            return np.asarray(np.dot(x, y))
        if y.ndim == 2 and xc == (x.ndim - 1,) and yc == (0,):
            return np.matmul(x, y)
        if x.ndim == 2 and y.ndim == 1 and xc == (1,) and yc == (0,):
            return np.dot(x, y)
    xf = _remaining(x.ndim, xc, xb)
    yf = _remaining(y.ndim, yc, yb)
    xt = np.transpose(x, list(xb) + xf + list(xc))
    yt = np.transpose(y, list(yb) + list(yc) + yf)
    bshape = [x.shape[i] for i in xb]
    xfs = [x.shape[i] for i in xf]
    yfs = [y.shape[i] for i in yf]
    k = int(np.prod([x.shape[i] for i in xc], dtype=np.int64))
    m = int(np.prod(xfs, dtype=np.int64))
    n = int(np.prod(yfs, dtype=np.int64))
    b = int(np.prod(bshape, dtype=np.int64))
    out = np.matmul(xt.reshape(b, m, k), yt.reshape(b, k, n))
    return out.reshape(bshape + xfs + yfs)


def _dot_general_abstract(x, y, *, dimension_numbers, precision, preferred_element_type, out_sharding):
    (xc, yc), (xb, yb) = dimension_numbers
    if len(xc) != len(yc) or len(xb) != len(yb):
        raise TypeError(f"dot_general requires equal numbers of lhs and rhs contracting and batch "
                        f"dimensions, got dimension_numbers {dimension_numbers}.")
    for a, b in zip(xb, yb):
        if x.shape[a] != y.shape[b]:
            raise TypeError(f"dot_general requires lhs batch dimensions and rhs batch dimensions to have "
                            f"the same shape, got {tuple(x.shape[i] for i in xb)} and "
                            f"{tuple(y.shape[i] for i in yb)}.")
    for a, b in zip(xc, yc):
        if x.shape[a] != y.shape[b]:
            raise TypeError(f"dot_general requires contracting dimensions to have the same shape, got "
                            f"{tuple(x.shape[i] for i in xc)} and {tuple(y.shape[i] for i in yc)} "
                            f"(lhs shape {x.shape}, rhs shape {y.shape}).")
    if x.dtype != y.dtype and preferred_element_type is None:
        raise TypeError(f"dot_general requires operands of the same dtype, got {x.dtype.name} and "
                        f"{y.dtype.name}")
    shape = ([x.shape[i] for i in xb] + [x.shape[i] for i in _remaining(x.ndim, xc, xb)]
             + [y.shape[i] for i in _remaining(y.ndim, yc, yb)])
    dtype = x.dtype if preferred_element_type is None else preferred_element_type
    return ShapedArray(shape, dtype, x.weak_type and y.weak_type)


dot_general_p = Primitive("dot_general")
dot_general_p.def_impl(_dot_general_impl)
dot_general_p.def_abstract_eval(_dot_general_abstract)


class _DN(tuple):
    """Prints dimension numbers the way JAX does: (([1], [0]), ([], []))."""

    def __str__(self):
        (xc, yc), (xb, yb) = self
        return f"(({list(xc)}, {list(yc)}), ({list(xb)}, {list(yb)}))"


def _dot_pp(params):
    out = {"dimension_numbers": _DN(params["dimension_numbers"])}
    # as JAX's: precision and preferred_element_type only when given
    for k in ("precision", "preferred_element_type"):
        if params[k] is not None:
            out[k] = params[k]
    return out


dot_general_p.pp_params = _dot_pp


def _ranges_like(*xs):
    start = 0
    for x in xs:
        yield tuple(range(start, start + len(x)))
        start += len(x)


def _dot_transpose_lhs(ct, x_aval, y_aval_or_val, dimension_numbers, preferred, swap_ans=False, y=None,
                       precision=None):
    (xc, yc), (xb, yb) = dimension_numbers
    x_ndim = x_aval.ndim
    y_ndim = core.get_aval(y).ndim
    x_kept = _remaining(x_ndim, xc, xb)
    y_kept = _remaining(y_ndim, yc, yb)
    if swap_ans:
        ans_batch, ans_y, _ = _ranges_like(xb, y_kept, x_kept)
    else:
        ans_batch, _, ans_y = _ranges_like(xb, x_kept, y_kept)
    dims = ((tuple(ans_y), tuple(y_kept)), (tuple(ans_batch), tuple(yb)))
    x_contract_sorted_by_y = list(np.take(xc, np.argsort(yc))) if xc else []
    out_axes = np.argsort(list(xb) + x_kept + x_contract_sorted_by_y)
    from jaxlite._src.lax.shapes import transpose
    # as JAX's: the forward product's precision and preferred type, then back to x's type
    res = dot_general_p.bind(ct, y, dimension_numbers=dims, precision=precision,
                             preferred_element_type=preferred, out_sharding=None)
    res = transpose(res, tuple(int(a) for a in out_axes))
    if core.get_aval(res).dtype != x_aval.dtype:
        from jaxlite._src.lax.elementwise import _convert_element_type
        res = _convert_element_type(res, x_aval.dtype, x_aval.weak_type)
    return res


def _dot_general_transpose(ct, x, y, *, dimension_numbers, precision, preferred_element_type,
                           out_sharding):
    if type(ct) is Zero:
        return [None, None]
    if is_undefined_primal(x) and not is_undefined_primal(y):
        return [_dot_transpose_lhs(ct, x.aval, None, dimension_numbers, preferred_element_type, y=y,
                                   precision=precision), None]
    if is_undefined_primal(y) and not is_undefined_primal(x):
        (xc, yc), (xb, yb) = dimension_numbers
        swapped = ((yc, xc), (yb, xb))
        return [None, _dot_transpose_lhs(ct, y.aval, None, swapped, preferred_element_type, swap_ans=True,
                                         y=x, precision=precision)]
    raise ValueError("transpose of dot_general: exactly one operand must be linear")


def _dot_jvp(primals, tangents, **params):
    x, y = primals
    tx, ty = tangents
    ans = dot_general_p.bind(x, y, **params)
    out = Zero.from_primal_value(ans)
    if type(tx) is not Zero:
        out = ad.add_tangents(out, dot_general_p.bind(tx, y, **params))
    if type(ty) is not Zero:
        out = ad.add_tangents(out, dot_general_p.bind(x, ty, **params))
    return ans, out


ad.primitive_jvps[dot_general_p] = _dot_jvp
ad.primitive_transposes[dot_general_p] = _dot_general_transpose


def _dot_general_batch(vals, dims, *, dimension_numbers, _prim=dot_general_p, **params):
    dot_general_p = _prim  # (the twin below batches into itself)
    (x, y), (xd, yd) = vals, dims
    (xc, yc), (xb, yb) = dimension_numbers
    if xd is not None and yd is not None:
        x = batching.moveaxis(x, xd, 0)
        y = batching.moveaxis(y, yd, 0)
        shift = lambda t: tuple(i + 1 for i in t)  # noqa: E731
        dn = ((shift(xc), shift(yc)), ((0,) + shift(xb), (0,) + shift(yb)))
        return dot_general_p.bind(x, y, dimension_numbers=dn, **params), 0
    if xd is not None:
        x = batching.moveaxis(x, xd, 0)
        shift = lambda t: tuple(i + 1 for i in t)  # noqa: E731
        dn = ((shift(xc), yc), (shift(xb), yb))
        return dot_general_p.bind(x, y, dimension_numbers=dn, **params), len(xb)
    y = batching.moveaxis(y, yd, 0)
    shift = lambda t: tuple(i + 1 for i in t)  # noqa: E731
    dn = ((xc, shift(yc)), (xb, shift(yb)))
    x_free = core.get_aval(x).ndim - len(xc) - len(xb)
    return dot_general_p.bind(x, y, dimension_numbers=dn, **params), len(xb) + x_free


batching.primitive_batchers[dot_general_p] = _dot_general_batch


# A twin of dot_general (same name and params, so jaxprs print the same) that adds the products in the
# order XLA CPU's dot kernels do (xla_math.dot_nt: loop nest, matrix-vector kernel or YNNPACK, chosen by
# shape as XLA chooses). The random samplers bind it while ``xla_math.exact()`` is on, so that
# multivariate_normal's ``factor @ normals`` rounds as JAX's does; shapes it does not cover use NumPy.
from jaxlite._src import xla_math as _xla_math  # noqa: E402


def _dot_general_xla_impl(x, y, *, dimension_numbers, precision, preferred_element_type, out_sharding):
    (xc, yc), (xb, yb) = dimension_numbers
    x, y = np.asarray(x), np.asarray(y)
    if (not xb and x.ndim >= 1 and y.ndim == 2 and xc == (x.ndim - 1,) and yc == (1,)
            and x.dtype == y.dtype and preferred_element_type in (None, x.dtype)):
        k = x.shape[-1]
        out = _xla_math.dot_nt(x.reshape(-1, k), y)
        if out is not None:
            return out.reshape(x.shape[:-1] + y.shape[:1])
    return _dot_general_impl(x, y, dimension_numbers=dimension_numbers, precision=precision,
                             preferred_element_type=preferred_element_type, out_sharding=out_sharding)


dot_general_xla_p = Primitive("dot_general")
dot_general_xla_p.def_impl(_dot_general_xla_impl)
dot_general_xla_p.def_abstract_eval(_dot_general_abstract)
dot_general_xla_p.pp_params = _dot_pp
ad.primitive_jvps[dot_general_xla_p] = _dot_jvp
ad.primitive_transposes[dot_general_xla_p] = _dot_general_transpose
batching.primitive_batchers[dot_general_xla_p] = \
    lambda vals, dims, **params: _dot_general_batch(vals, dims, _prim=dot_general_xla_p, **params)


def dot_general(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None,
                out_sharding=None):
    """General tensor contraction: ``dimension_numbers = ((lhs_contract, rhs_contract),
    (lhs_batch, rhs_batch))``; output dims are batch, lhs free, rhs free."""
    (xc, yc), (xb, yb) = dimension_numbers
    dn = ((tuple(int(i) for i in xc), tuple(int(i) for i in yc)),
          (tuple(int(i) for i in xb), tuple(int(i) for i in yb)))
    la, ra = core.get_aval(lhs), core.get_aval(rhs)
    if preferred_element_type is None:
        if la.dtype != ra.dtype:
            raise TypeError(f"dot_general requires operands of the same dtype, got {la.dtype.name} and "
                            f"{ra.dtype.name}; use jnp.dot/jnp.matmul to promote, or pass "
                            f"preferred_element_type.")
        pet = None  # (the operands' dtype; JAX keeps None in the params)
    else:
        pet = dtypes.canonicalize_dtype(np.dtype(preferred_element_type))
    precision = canonicalize_precision(precision)
    prim = dot_general_p
    if (_xla_math.enabled() and la.dtype == ra.dtype and pet in (None, la.dtype)
            and la.dtype in (np.float32, np.float64)):
        prim = dot_general_xla_p
    return prim.bind(lhs, rhs, dimension_numbers=dn, precision=precision, preferred_element_type=pet,
                     out_sharding=out_sharding)


def dot(lhs, rhs, precision=None, preferred_element_type=None):
    """Vector/matrix product contracting the last dim of lhs with the first of rhs (ndim <= 2)."""
    la, ra = core.get_aval(lhs), core.get_aval(rhs)
    if la.ndim in (1, 2) and ra.ndim in (1, 2):
        if la.shape[-1] != ra.shape[0]:
            raise ValueError(f"lax.dot contracts the last axis of lhs with the first of rhs, but their sizes "
                             f"differ: lhs {la.shape}, rhs {ra.shape}. For other contractions use "
                             f"lax.dot_general with dimension_numbers.")
        return dot_general(lhs, rhs, (((la.ndim - 1,), (0,)), ((), ())), precision, preferred_element_type)
    raise TypeError(f"Incompatible shapes for dot: got {la.shape} and {ra.shape}.")


def batch_matmul(lhs, rhs, precision=None):
    la = core.get_aval(lhs)
    nb = la.ndim - 2
    return dot_general(lhs, rhs, (((la.ndim - 1,), (la.ndim - 2,)), (tuple(range(nb)), tuple(range(nb)))),
                       precision)
