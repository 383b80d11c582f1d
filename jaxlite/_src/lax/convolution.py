"""Convolutions: ``conv_general_dilated`` and the wrappers built on it (conv, conv_transpose, ...).

The primitive works in a canonical layout: lhs ``(N, C, spatial...)``, rhs ``(O, I, spatial...)``, out
``(N, O, spatial...)``; ``ConvDimensionNumbers`` says where those axes are in the actual arrays. The
NumPy implementation is im2col: a strided window view of the (dilated, padded) input, then one batched
matrix product per feature/batch group (BLAS does the work, no Python loop over pixels).

Differentiation: the convolution is bilinear; its transposes are convolutions again (the lhs cotangent
convolves the output cotangent with the spatially flipped kernel; the rhs cotangent convolves the input
with the output cotangent), exactly as in JAX, so ``grad`` of a CNN produces the same jaxprs.
"""
from __future__ import annotations

import operator
from typing import NamedTuple, Sequence, Union

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.core import Primitive, ShapedArray
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.interpreters.ad import Zero, is_undefined_primal
from jaxlite._src.lax.utils import check_same_dtypes
from jaxlite._src.lax.windowed import _dilate_shape, _pad_and_dilate, padtype_to_pads, _vjp_lhs_padding

__all__ = [
    "ConvDimensionNumbers", "ConvGeneralDilatedDimensionNumbers", "conv_general_dilated", "conv",
    "conv_with_general_padding", "conv_transpose", "conv_dimension_numbers",
    "conv_general_permutations", "conv_general_shape_tuple", "conv_shape_tuple",
    "conv_transpose_shape_tuple", "conv_general_dilated_patches", "conv_general_dilated_p",
]


class ConvDimensionNumbers(NamedTuple):
    """Where the batch, feature and spatial dimensions of a convolution's operands live.

    lhs_spec: ``(batch dim, feature dim, spatial dims...)`` of the input;
    rhs_spec: ``(out feature dim, in feature dim, spatial dims...)`` of the kernel;
    out_spec: ``(batch dim, feature dim, spatial dims...)`` of the output.
    """
    lhs_spec: Sequence[int]
    rhs_spec: Sequence[int]
    out_spec: Sequence[int]


ConvGeneralDilatedDimensionNumbers = Union[tuple, ConvDimensionNumbers, None]


# ---------------------------------------------------------------------------------------------------
# dimension numbers
# ---------------------------------------------------------------------------------------------------

def conv_general_permutations(dimension_numbers):
    """Axis permutations (to the canonical layouts) for string dimension numbers like
    ``('NHWC', 'HWIO', 'NHWC')``; spatial axes are ordered as they appear in the rhs spec."""
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    charpairs = (("N", "C"), ("O", "I"), ("N", "C"))
    for i, (a, b) in enumerate(charpairs):
        if not dimension_numbers[i].count(a) == dimension_numbers[i].count(b) == 1:
            raise TypeError(f"convolution dimension_numbers[{i}] must contain the characters '{a}' and "
                            f"'{b}' exactly once, got {dimension_numbers[i]}.")
        if len(dimension_numbers[i]) != len(set(dimension_numbers[i])):
            raise TypeError(f"convolution dimension_numbers[{i}] cannot have duplicate characters, got "
                            f"{dimension_numbers[i]}.")
    if not (set(lhs_spec) - set("NC") == set(rhs_spec) - set("OI") == set(out_spec) - set("NC")):
        raise TypeError(f"convolution dimension_numbers elements must each have the same set of spatial "
                        f"characters, got {dimension_numbers}.")

    def perm(spec, pair):
        spatial = [i for i, c in enumerate(spec) if c not in pair]
        if spec is not rhs_spec:
            spatial.sort(key=lambda i: rhs_spec.index(spec[i]))
        return (spec.index(pair[0]), spec.index(pair[1])) + tuple(spatial)

    return tuple(perm(s, p) for s, p in zip(dimension_numbers, charpairs))


def conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers) -> ConvDimensionNumbers:
    """``dimension_numbers`` (None, a triple of strings, or ConvDimensionNumbers) as
    ``ConvDimensionNumbers``. None means ``('NCHW', 'OIHW', 'NCHW')``-style layouts."""
    if isinstance(dimension_numbers, ConvDimensionNumbers):
        return dimension_numbers
    if len(lhs_shape) != len(rhs_shape):
        raise TypeError(f"convolution requires lhs and rhs ndim to be equal, got {len(lhs_shape)} and "
                        f"{len(rhs_shape)}.")
    if dimension_numbers is None:
        iota = tuple(range(len(lhs_shape)))
        return ConvDimensionNumbers(iota, iota, iota)
    if isinstance(dimension_numbers, (list, tuple)):
        if len(dimension_numbers) != 3:
            raise TypeError(f"convolution dimension_numbers list/tuple must be length 3, got "
                            f"{len(dimension_numbers)}.")
        if not all(isinstance(e, str) for e in dimension_numbers):
            raise TypeError(f"convolution dimension_numbers elements must be strings, got "
                            f"{tuple(map(type, dimension_numbers))}.")
        for i, e in enumerate(dimension_numbers):
            if len(e) != len(lhs_shape):
                raise TypeError(f"convolution dimension_numbers[{i}] must have len equal to the ndim of "
                                f"lhs and rhs, got {len(e)} for lhs and rhs shapes {tuple(lhs_shape)} "
                                f"and {tuple(rhs_shape)}.")
        return ConvDimensionNumbers(*conv_general_permutations(dimension_numbers))
    raise TypeError(f"convolution dimension_numbers must be tuple/list or None, got "
                    f"{type(dimension_numbers)}.")


def conv_shape_tuple(lhs_shape, rhs_shape, strides, pads, batch_group_count=1):
    """Output shape (canonical layout) of a convolution of canonical-layout shapes."""
    if isinstance(pads, str):
        pads = padtype_to_pads(lhs_shape[2:], rhs_shape[2:], strides, pads)
    if len(pads) != len(lhs_shape) - 2:
        raise TypeError(f"Wrong number of explicit pads for convolution: expected {len(lhs_shape) - 2}, "
                        f"got {len(pads)}.")
    padded = [n + lo + hi for n, (lo, hi) in zip(lhs_shape[2:], pads)]
    if any(p < 0 for p in padded):
        raise ValueError(f"Negative padding is larger than the size of the corresponding dimension: got "
                         f"padding={tuple(pads)} for lhs_shape[2:]={tuple(lhs_shape[2:])}")
    space = tuple(0 if p < k else (p - k) // s + 1 for p, k, s in zip(padded, rhs_shape[2:], strides))
    n = lhs_shape[0] // batch_group_count if batch_group_count > 1 else lhs_shape[0]
    return (n, rhs_shape[0]) + space


def conv_general_shape_tuple(lhs_shape, rhs_shape, window_strides, padding, dimension_numbers):
    lhs_perm, rhs_perm, out_perm = conv_general_permutations(dimension_numbers)
    out = conv_shape_tuple(np.take(lhs_shape, lhs_perm), np.take(rhs_shape, rhs_perm), window_strides,
                           padding)
    return tuple(int(d) for d in np.take(out, np.argsort(out_perm)))


def conv_transpose_shape_tuple(lhs_shape, rhs_shape, window_strides, padding, dimension_numbers):
    lhs_perm, rhs_perm, out_perm = conv_general_permutations(dimension_numbers)
    lhs_t = np.take(lhs_shape, lhs_perm)
    rhs_t = np.take(rhs_shape, rhs_perm)
    if isinstance(padding, str):
        padding = [_conv_transpose_padding(k, s, padding) for k, s in zip(rhs_t[2:], window_strides)]
    pad_sums = [int(np.sum(p)) for p in padding]
    space = [(i - 1) * s - k + 2 + p for i, k, s, p in zip(lhs_t[2:], rhs_t[2:], window_strides, pad_sums)]
    out = (int(lhs_t[0]), int(rhs_t[0])) + tuple(space)
    return tuple(int(d) for d in np.take(out, np.argsort(out_perm)))


# ---------------------------------------------------------------------------------------------------
# the primitive
# ---------------------------------------------------------------------------------------------------

def _conv_shape_rule(lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
                     feature_group_count, batch_group_count, **_):
    dn = dimension_numbers
    if lhs.ndim != rhs.ndim:
        raise ValueError(f"conv_general_dilated lhs and rhs must have the same number of dimensions, but "
                         f"got {lhs.shape} and {rhs.shape}.")
    if not feature_group_count > 0:
        raise ValueError(f"conv_general_dilated feature_group_count must be a positive integer, got "
                         f"{feature_group_count}.")
    c = lhs.shape[dn.lhs_spec[1]]
    q, r = divmod(c, feature_group_count)
    if r:
        raise ValueError(f"conv_general_dilated feature_group_count must divide lhs feature dimension "
                         f"size, but {feature_group_count} does not divide {c}.")
    if q != rhs.shape[dn.rhs_spec[1]]:
        raise ValueError(f"conv_general_dilated lhs feature dimension size divided by feature_group_count "
                         f"must equal the rhs input feature dimension size, but {c} // "
                         f"{feature_group_count} != {rhs.shape[dn.rhs_spec[1]]}.")
    o = rhs.shape[dn.rhs_spec[0]]
    if o % feature_group_count:
        raise ValueError(f"conv_general_dilated rhs output feature dimension size must be a multiple of "
                         f"feature_group_count, but {o} is not a multiple of {feature_group_count}.")
    if not batch_group_count > 0:
        raise ValueError(f"conv_general_dilated batch_group_count must be a positive integer, got "
                         f"{batch_group_count}.")
    nb = lhs.shape[dn.lhs_spec[0]]
    if batch_group_count > 1 and nb % batch_group_count:
        raise ValueError(f"conv_general_dilated batch_group_count must divide lhs batch dimension size, "
                         f"but {batch_group_count} does not divide {nb}.")
    if o % batch_group_count:
        raise ValueError(f"conv_general_dilated rhs output feature dimension size must be a multiple of "
                         f"batch_group_count, but {o} is not a multiple of {batch_group_count}.")
    if batch_group_count > 1 and feature_group_count > 1:
        raise ValueError(f"At most one of batch_group_count and feature_group_count may be > 1, got "
                         f"batch_group_count={batch_group_count} and "
                         f"feature_group_count={feature_group_count}")
    if len(dn.rhs_spec) - 2 != len(window_strides):
        raise ValueError(f"conv_general_dilated window and window_strides must have the same number of "
                         f"dimensions, but got {len(dn.rhs_spec) - 2} and {len(window_strides)}")
    lhs_t = _dilate_shape(np.take(lhs.shape, dn.lhs_spec), (1, 1) + tuple(lhs_dilation))
    rhs_t = _dilate_shape(np.take(rhs.shape, dn.rhs_spec), (1, 1) + tuple(rhs_dilation))
    out_t = conv_shape_tuple(lhs_t, rhs_t, window_strides, padding, batch_group_count)
    return tuple(int(d) for d in np.take(out_t, np.argsort(dn.out_spec)))


def _conv_abstract(lhs, rhs, *, preferred_element_type, **params):
    shape = _conv_shape_rule(lhs, rhs, **params)
    check_same_dtypes("conv_general_dilated", [lhs, rhs])
    if preferred_element_type is None:
        dtype = lhs.dtype
    else:
        dtype = np.dtype(preferred_element_type)
    return ShapedArray(shape, dtype, lhs.weak_type and rhs.weak_type)


def _compute_dtype(dtype):
    """Accumulation dtype for NumPy: half precision accumulates in float32, bool in int32."""
    if dtype in (np.float16, dtypes.bfloat16) or dtype.itemsize < 2 and dtype.kind == "f":
        return np.dtype(np.float32)
    if dtype == np.bool_:
        return np.dtype(np.int32)
    return dtype


def _conv_impl(lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
               feature_group_count, batch_group_count, precision, preferred_element_type,
               out_sharding=None):
    dn = dimension_numbers
    out_dtype = np.dtype(preferred_element_type) if preferred_element_type is not None else lhs.dtype
    cdt = _compute_dtype(out_dtype)
    x = np.transpose(np.asarray(lhs), dn.lhs_spec).astype(cdt, copy=False)   # N C spatial
    w = np.transpose(np.asarray(rhs), dn.rhs_spec).astype(cdt, copy=False)   # O I window
    nsp = x.ndim - 2
    N, C = x.shape[:2]
    O, I = w.shape[:2]
    ksize = w.shape[2:]
    xp = _pad_and_dilate(x, ((0, 0), (0, 0)) + tuple(padding), (1, 1) + tuple(lhs_dilation),
                         np.zeros((), cdt))
    eff = _dilate_shape(ksize, rhs_dilation)
    out_sp = tuple(0 if p < k else (p - k) // s + 1 for p, k, s in zip(xp.shape[2:], eff, window_strides))
    G, B = feature_group_count, batch_group_count
    groups = max(G, B)
    nb = N // B
    og = O // groups
    cg = C // G
    K = int(np.prod(ksize, dtype=np.int64))
    P = int(np.prod(out_sp, dtype=np.int64))
    if 0 in out_sp or x.size == 0 or w.size == 0:
        res = np.zeros((nb, O) + out_sp, cdt)
    else:
        # patches[n, c, out..., k...]: the window of input channel c feeding output position out
        v = np.lib.stride_tricks.sliding_window_view(xp, eff, axis=tuple(range(2, 2 + nsp)))
        v = v[(slice(None), slice(None)) + tuple(np.s_[::s] for s in window_strides)
              + tuple(np.s_[::d] for d in rhs_dilation)]
        if B > 1:
            v = v.reshape((B, nb, C) + v.shape[2:])           # groups split the batch
        else:
            v = v.reshape((nb, G, cg) + v.shape[2:]).swapaxes(0, 1)   # groups split the channels
        cin = v.shape[2]
        # im2col: (groups, batch * out positions, channels * window)
        perm = (0, 1) + tuple(range(3, 3 + nsp)) + (2,) + tuple(range(3 + nsp, 3 + 2 * nsp))
        cols = np.ascontiguousarray(np.transpose(v, perm)).reshape(groups, nb * P, cin * K)
        ker = w.reshape(groups, og, I * K).transpose(0, 2, 1)
        prod = np.matmul(cols, ker)                            # (groups, nb * P, og)
        res = prod.reshape((groups, nb) + out_sp + (og,))
        res = np.moveaxis(res, -1, 1)                          # (groups, og, nb, out...)
        res = res.reshape((O, nb) + out_sp).swapaxes(0, 1)     # (nb, O, out...)
    out = np.transpose(res, np.argsort(dn.out_spec))
    return np.asarray(out).astype(out_dtype, copy=False)


conv_general_dilated_p = Primitive("conv_general_dilated")
conv_general_dilated_p.def_impl(_conv_impl)
conv_general_dilated_p.def_abstract_eval(_conv_abstract)


# ----- transposes (the jvp is bilinear) -----

def _spec_swap01(spec):
    return (spec[1], spec[0]) + tuple(spec[2:])


def _reshape_axis_into(src, dst, x):
    """Merge axis ``src`` into axis ``dst`` (``src`` becomes the major part)."""
    from jaxlite._src.lax.shapes import reshape, transpose
    shape = core.get_aval(x).shape
    perm = [i for i in range(len(shape)) if i != src]
    perm.insert(dst, src)
    new_shape = [shape[i] for i in perm if i != src]
    new_shape[dst] *= shape[src]
    return reshape(transpose(x, tuple(perm)), tuple(new_shape))


def _reshape_axis_out_of(src, size1, x):
    """Split axis ``src`` into ``(size1, rest)``."""
    from jaxlite._src.lax.shapes import reshape
    shape = list(core.get_aval(x).shape)
    size2, rem = divmod(shape[src], size1)
    assert not rem
    shape[src:src + 1] = [size1, size2]
    return reshape(x, tuple(shape))


def _conv_transpose_lhs(g, lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation,
                        dimension_numbers, feature_group_count, batch_group_count, precision,
                        preferred_element_type, out_sharding=None):
    from jaxlite._src.lax.shapes import rev
    from jaxlite._src.lax.elementwise import convert_element_type
    dn = dimension_numbers
    lhs_aval = lhs.aval
    rhs_shape = core.get_aval(rhs).shape
    g_shape = core.get_aval(g).shape
    lhs_spec, rhs_spec, out_spec = dn
    G = feature_group_count
    if G > 1:
        rhs = _reshape_axis_out_of(rhs_spec[0], G, rhs)
        rhs = _reshape_axis_into(rhs_spec[0], rhs_spec[1], rhs)
    elif batch_group_count > 1:
        rhs = _reshape_axis_out_of(rhs_spec[0], batch_group_count, rhs)
        rhs = _reshape_axis_into(rhs_spec[0], rhs_spec[1], rhs)
        G = batch_group_count
    trans_dn = ConvDimensionNumbers(out_spec, _spec_swap01(rhs_spec), lhs_spec)
    pads = _vjp_lhs_padding(np.take(lhs_aval.shape, lhs_spec[2:]), np.take(rhs_shape, rhs_spec[2:]),
                            window_strides, np.take(g_shape, out_spec[2:]), padding, lhs_dilation,
                            rhs_dilation)
    flipped = rev(rhs, tuple(rhs_spec[2:]))
    gdt = core.get_aval(g).dtype
    if core.get_aval(flipped).dtype != gdt:
        flipped = convert_element_type(flipped, gdt)
    out = conv_general_dilated(g, flipped, window_strides=lhs_dilation, padding=pads,
                               lhs_dilation=window_strides, rhs_dilation=rhs_dilation,
                               dimension_numbers=trans_dn, feature_group_count=G, batch_group_count=1,
                               precision=precision, preferred_element_type=preferred_element_type)
    if core.get_aval(out).dtype != lhs_aval.dtype:
        out = convert_element_type(out, lhs_aval.dtype)
    if batch_group_count > 1:
        out = _reshape_axis_out_of(lhs_spec[1], batch_group_count, out)
        out = _reshape_axis_into(lhs_spec[1], lhs_spec[0], out)
    return out


def _conv_transpose_rhs(g, lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation,
                        dimension_numbers, feature_group_count, batch_group_count, precision,
                        preferred_element_type, out_sharding=None):
    from jaxlite._src.lax.elementwise import convert_element_type
    dn = dimension_numbers
    g_aval = core.get_aval(g)
    if g_aval.size == 0:
        return Zero(rhs.aval)
    lhs_shape = core.get_aval(lhs).shape
    rhs_aval = rhs.aval
    lhs_spec, rhs_spec, out_spec = dn
    fgc, bgc = feature_group_count, batch_group_count
    if bgc > 1:
        fgc, bgc = bgc, 1
    elif fgc > 1:
        fgc, bgc = 1, fgc
    trans_dn = ConvDimensionNumbers(_spec_swap01(lhs_spec), _spec_swap01(out_spec), _spec_swap01(rhs_spec))
    in_sp = np.take(lhs_shape, lhs_spec[2:])
    k_sp = np.take(rhs_aval.shape, rhs_spec[2:])
    out_sp = np.take(g_aval.shape, out_spec[2:])
    lhs_d = _dilate_shape(in_sp, lhs_dilation)
    rhs_d = _dilate_shape(k_sp, rhs_dilation)
    out_d = _dilate_shape(out_sp, window_strides)
    pads = [(lo, (od - ld) + (rd - lo - 1)) for (lo, _), ld, rd, od in zip(padding, lhs_d, rhs_d, out_d)]
    if core.get_aval(lhs).dtype != g_aval.dtype:
        lhs = convert_element_type(lhs, g_aval.dtype)
    out = conv_general_dilated(lhs, g, window_strides=rhs_dilation, padding=pads,
                               lhs_dilation=lhs_dilation, rhs_dilation=window_strides,
                               dimension_numbers=trans_dn, feature_group_count=fgc, batch_group_count=bgc,
                               precision=precision, preferred_element_type=preferred_element_type)
    if core.get_aval(out).dtype != rhs_aval.dtype:
        out = convert_element_type(out, rhs_aval.dtype)
    return out


ad.defbilinear(conv_general_dilated_p, _conv_transpose_lhs, _conv_transpose_rhs)


# ----- batching -----

def _conv_batch(vals, dims, **params):
    (lhs, rhs), (ld, rd) = vals, dims
    dn = params["dimension_numbers"]
    lhs_spec, rhs_spec, out_spec = dn
    fgc, bgc = params["feature_group_count"], params["batch_group_count"]
    p = dict(params)

    def bind(l, r, **kw):
        q = dict(p)
        q.update(kw)
        return conv_general_dilated_p.bind(l, r, **q)

    if ld is not None and rd is not None:
        size = core.get_aval(lhs).shape[ld]
        if bgc > 1:
            new_lhs = _reshape_axis_into(ld, lhs_spec[0], lhs)
            kw = dict(batch_group_count=bgc * size)
        else:
            new_lhs = _reshape_axis_into(ld, lhs_spec[1], lhs)
            kw = dict(feature_group_count=fgc * size)
        new_rhs = _reshape_axis_into(rd, rhs_spec[0], rhs)
        out = bind(new_lhs, new_rhs, **kw)
        return _reshape_axis_out_of(out_spec[1], size, out), out_spec[1]
    if ld is not None:
        size = core.get_aval(lhs).shape[ld]
        if bgc == 1:
            new_lhs = _reshape_axis_into(ld, lhs_spec[0], lhs)
            out = bind(new_lhs, rhs)
            return _reshape_axis_out_of(out_spec[0], size, out), out_spec[0]
        # keep the batch groups major: (groups, vmap, per-group batch)
        new_lhs = _reshape_axis_out_of(lhs_spec[0] + int(ld <= lhs_spec[0]), bgc, lhs)
        new_lhs = _reshape_axis_into(ld + int(lhs_spec[0] < ld), lhs_spec[0] + 1, new_lhs)
        new_lhs = _reshape_axis_into(lhs_spec[0], lhs_spec[0], new_lhs)
        out = bind(new_lhs, rhs)
        return _reshape_axis_out_of(out_spec[0], size, out), out_spec[0]
    size = core.get_aval(rhs).shape[rd]
    if fgc == 1 and bgc == 1:
        new_rhs = _reshape_axis_into(rd, rhs_spec[0], rhs)
        out = bind(lhs, new_rhs)
        return _reshape_axis_out_of(out_spec[1], size, out), out_spec[1]
    groups = fgc if fgc > 1 else bgc
    new_rhs = _reshape_axis_out_of(rhs_spec[0] + int(rd <= rhs_spec[0]), groups, rhs)
    new_rhs = _reshape_axis_into(rd + int(rhs_spec[0] < rd), rhs_spec[0] + 1, new_rhs)
    new_rhs = _reshape_axis_into(rhs_spec[0], rhs_spec[0], new_rhs)
    out = bind(lhs, new_rhs)
    out = _reshape_axis_out_of(out_spec[1], groups, out)
    out = _reshape_axis_out_of(out_spec[1] + 1, size, out)
    out = _reshape_axis_into(out_spec[1], out_spec[1] + 1, out)
    return out, out_spec[1]


batching.primitive_batchers[conv_general_dilated_p] = _conv_batch


# ---------------------------------------------------------------------------------------------------
# user-facing functions
# ---------------------------------------------------------------------------------------------------

def _canonicalize_precision(precision):
    from jaxlite._src.lax.linalg import canonicalize_precision
    return canonicalize_precision(precision)


def conv_general_dilated(lhs, rhs, window_strides: Sequence[int], padding, lhs_dilation=None,
                         rhs_dilation=None, dimension_numbers: ConvGeneralDilatedDimensionNumbers = None,
                         feature_group_count: int = 1, batch_group_count: int = 1, precision=None,
                         preferred_element_type=None, out_sharding=None):
    """General n-dimensional convolution with strides, padding, lhs (input) and rhs (kernel)
    dilation, feature/batch groups and arbitrary layouts.

    ``padding`` is ``'SAME'``, ``'SAME_LOWER'``, ``'VALID'`` or ``[(low, high), ...]`` per spatial dim.
    ``dimension_numbers`` is None (``NCHW, OIHW, NCHW``), ``ConvDimensionNumbers`` or strings such as
    ``('NHWC', 'HWIO', 'NHWC')``.

    >>> import jaxlite.numpy as jnp
    >>> conv_general_dilated(jnp.ones((1, 1, 4)), jnp.ones((1, 1, 2)), (1,), 'VALID')
    Array([[[2., 2., 2.]]], dtype=float32)
    """
    lhs_aval, rhs_aval = core.get_aval(lhs), core.get_aval(rhs)
    dnums = conv_dimension_numbers(lhs_aval.shape, rhs_aval.shape, dimension_numbers)
    nsp = lhs_aval.ndim - 2
    if lhs_dilation is None:
        lhs_dilation = (1,) * nsp
    elif isinstance(padding, str) and any(d != 1 for d in lhs_dilation):
        raise ValueError("String padding is not implemented for transposed convolution using this op. "
                         "Please either exactly specify the required padding or use conv_transpose.")
    if rhs_dilation is None:
        rhs_dilation = (1,) * nsp
    window_strides = tuple(int(s) for s in window_strides)
    lhs_dilation = tuple(int(d) for d in lhs_dilation)
    rhs_dilation = tuple(int(d) for d in rhs_dilation)
    if isinstance(padding, str):
        k_sp = np.take(rhs_aval.shape, dnums.rhs_spec)[2:]
        eff = _dilate_shape(k_sp, rhs_dilation)
        padding = padtype_to_pads(np.take(lhs_aval.shape, dnums.lhs_spec)[2:], eff, window_strides,
                                  padding)
    try:
        padding = tuple((operator.index(lo), operator.index(hi)) for lo, hi in padding)
    except (ValueError, TypeError) as e:
        raise ValueError(f"padding argument to conv_general_dilated should be a string or a sequence of "
                         f"(low, high) pairs, got {padding}") from e
    if preferred_element_type is not None:
        preferred_element_type = dtypes.canonicalize_dtype(np.dtype(preferred_element_type))
    return conv_general_dilated_p.bind(
        lhs, rhs, window_strides=window_strides, padding=tuple((int(a), int(b)) for a, b in padding),
        lhs_dilation=lhs_dilation, rhs_dilation=rhs_dilation, dimension_numbers=dnums,
        feature_group_count=int(feature_group_count), batch_group_count=int(batch_group_count),
        precision=_canonicalize_precision(precision), preferred_element_type=preferred_element_type,
        out_sharding=out_sharding)


def conv(lhs, rhs, window_strides: Sequence[int], padding: str, precision=None,
         preferred_element_type=None):
    """Convolution in ``NCHW``/``OIHW`` layout with ``'SAME'``/``'VALID'`` padding."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, precision=precision,
                                preferred_element_type=preferred_element_type)


def conv_with_general_padding(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation,
                              precision=None, preferred_element_type=None):
    """``conv_general_dilated`` with default dimension numbers."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=lhs_dilation,
                                rhs_dilation=rhs_dilation, precision=precision,
                                preferred_element_type=preferred_element_type)


def _conv_transpose_padding(k, s, padding):
    """(before, after) padding of one spatial dim of a transposed convolution."""
    if padding == "SAME":
        total = k + s - 2
        before = k - 1 if s > k - 1 else int(np.ceil(total / 2))
    elif padding == "VALID":
        total = k + s - 2 + max(k - s, 0)
        before = k - 1
    elif isinstance(padding, tuple):
        pads = tuple(k - p - 1 for p in padding)
        before = pads[0]
        total = sum(pads)
    else:
        raise ValueError(f"Invalid padding mode: {padding}")
    return before, total - before


def conv_transpose(lhs, rhs, strides: Sequence[int], padding, rhs_dilation=None, dimension_numbers=None,
                   transpose_kernel: bool = False, precision=None, preferred_element_type=None,
                   use_consistent_padding: bool = False):
    """Transposed ("fractionally strided") convolution, computed directly as a convolution with
    ``lhs_dilation=strides``. Layouts default to TensorFlow's (``NHWC``, ``HWIO``).

    With ``transpose_kernel=True`` the kernel's spatial axes are flipped and its I/O axes swapped, which
    makes this the gradient of ``conv_general_dilated`` (as Keras' Conv2DTranspose).
    """
    from jaxlite._src.lax.shapes import rev, transpose
    la, ra = core.get_aval(lhs), core.get_aval(rhs)
    if not (la.ndim == ra.ndim and la.ndim >= 2):
        raise TypeError(f"conv_transpose: lhs and rhs must have the same rank >= 2, got shapes {la.shape} "
                        f"and {ra.shape}.")
    nd = la.ndim
    one = (1,) * (nd - 2)
    if dimension_numbers is None:
        defaults = {2: ("NC", "IO", "NC"), 3: ("NHC", "HIO", "NHC"), 4: ("NHWC", "HWIO", "NHWC"),
                    5: ("NHWDC", "HWDIO", "NHWDC")}
        if nd not in defaults:
            raise ValueError("No 4+ dimensional dimension_number defaults.")
        dimension_numbers = defaults[nd]
    dn = conv_dimension_numbers(la.shape, ra.shape, dimension_numbers)
    k_sdims = np.take(ra.shape, dn.rhs_spec)[2:]
    if rhs_dilation is None:
        rhs_dilation = (1,) * (nd - 2)
    if use_consistent_padding or (isinstance(padding, str) and padding in {"SAME", "VALID"}):
        eff = _dilate_shape(k_sdims, rhs_dilation)
        rep = [padding] * len(strides) if isinstance(padding, str) else [tuple(p) for p in padding]
        pads = tuple(_conv_transpose_padding(int(k), int(s), p) for k, s, p in zip(eff, strides, rep))
    else:
        pads = padding
    if transpose_kernel:
        rhs = rev(rhs, tuple(dn.rhs_spec[2:]))
        perm = list(range(nd))
        perm[dn.rhs_spec[0]], perm[dn.rhs_spec[1]] = perm[dn.rhs_spec[1]], perm[dn.rhs_spec[0]]
        rhs = transpose(rhs, tuple(perm))
    return conv_general_dilated(lhs, rhs, one, pads, strides, rhs_dilation, dn, precision=precision,
                                preferred_element_type=preferred_element_type)


def conv_general_dilated_patches(lhs, filter_shape: Sequence[int], window_strides: Sequence[int], padding,
                                 lhs_dilation=None, rhs_dilation=None, dimension_numbers=None,
                                 precision=None, preferred_element_type=None):
    """The patches ``conv_general_dilated`` would multiply with its kernel: output feature
    ``c * prod(filter_shape) + k`` is input channel ``c`` at window position ``k``. Computed, as in JAX,
    as a grouped convolution with an identity kernel."""
    from jaxlite._src.lax.elementwise import _convert_element_type
    from jaxlite._src.lax.shapes import reshape, broadcast_in_dim
    from jaxlite._src.lax.elementwise import eq
    from jaxlite._src.lax.shapes import broadcasted_iota
    la = core.get_aval(lhs)
    filter_shape = tuple(int(k) for k in filter_shape)
    nsp = len(filter_shape)
    if la.ndim != nsp + 2:
        raise ValueError(f"conv_general_dilated_patches: lhs must have rank len(filter_shape) + 2 = "
                         f"{nsp + 2}, got shape {la.shape}.")
    dn = conv_dimension_numbers(la.shape, (1, 1) + filter_shape, dimension_numbers)
    lhs_spec, rhs_spec, out_spec = dn
    c = la.shape[lhs_spec[1]]
    k = int(np.prod(filter_shape, dtype=np.int64))
    # identity kernel of shape (c * k, 1, *filter_shape) in canonical order, then laid out per rhs_spec
    iota_rows = broadcasted_iota(np.int32, (k, k), 0)
    iota_cols = broadcasted_iota(np.int32, (k, k), 1)
    ident = _convert_element_type(eq(iota_rows, iota_cols), la.dtype)
    ident = reshape(ident, (k, 1) + filter_shape)
    ident = broadcast_in_dim(ident, (c, k, 1) + filter_shape, tuple(range(1, nsp + 3)))
    ident = reshape(ident, (c * k, 1) + filter_shape)
    from jaxlite._src.lax.shapes import transpose
    rhs = transpose(ident, tuple(int(i) for i in np.argsort(rhs_spec)))
    return conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation, dn,
                                feature_group_count=c, precision=precision,
                                preferred_element_type=preferred_element_type)
