"""The Threefry-2x32 block cipher as a primitive: the source of every random bit in jax.random.

``threefry2x32(k1, k2, x1, x2) -> (y1, y2)`` encrypts the counter pair ``(x1, x2)`` under the key
``(k1, k2)`` with 20 rounds of Threefry (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
SC 2011), elementwise over uint32 arrays that broadcast against each other. It is an integer function:
it has no derivative (its outputs are integers, so their tangents are float0 zeros).
"""
from __future__ import annotations

import math

import numpy as np

from jaxlite._src.core import Primitive, ShapedArray
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.lax.utils import broadcasting_shape_rule

__all__ = ["threefry2x32_p", "threefry2x32", "threefry_2x32_np", "threefry_2x32_iota_np",
           "erf_inv_f32"]

_U32 = np.dtype(np.uint32)
# rotation distances of the even and odd groups of four rounds
_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = np.uint32(0x1BD11BDA)


# The cipher runs on chunks of this many elements, so that its two words and a temporary stay in the
# CPU cache through the 20 rounds (each round is several NumPy passes over them).
_CHUNK = 1 << 14


def _as_operand(x, shape):
    """A uint32 cipher operand: a NumPy scalar when it is the same everywhere, else a flat array."""
    if x.size == 1:
        return _U32.type(x.reshape(()))
    return np.broadcast_to(x, shape).reshape(-1)


def _chunk(x, start, stop):
    return x if x.ndim == 0 else x[start:stop]


def _rounds(a, b, ks, tmp):
    """The 20 rounds of Threefry-2x32 on the chunks ``a``, ``b`` (already offset by the first key
    injection), in place; ``ks`` are the three key-schedule words (scalars or chunks)."""
    scalar_keys = all(k.ndim == 0 for k in ks)
    for i in range(5):
        for r in _ROTATIONS[i % 2]:
            a += b
            # b = rotl(b, r) ^ a
            np.left_shift(b, r, out=tmp)
            b >>= 32 - r
            b |= tmp
            b ^= a
        a += ks[(i + 1) % 3]
        if scalar_keys:  # one pass: key word and round number folded into one constant (mod 2**32)
            b += _U32.type((int(ks[(i + 2) % 3]) + i + 1) & 0xFFFFFFFF)
        else:
            b += ks[(i + 2) % 3]
            b += _U32.type(i + 1)


def threefry_2x32_np(k1, k2, x1, x2):
    """Threefry-2x32 on NumPy uint32 arrays (broadcast together); returns two new arrays."""
    k1, k2, x1, x2 = (np.asarray(a, _U32) for a in (k1, k2, x1, x2))
    shape = np.broadcast_shapes(k1.shape, k2.shape, x1.shape, x2.shape)
    n = math.prod(shape)
    k1, k2, x1, x2 = (_as_operand(a, shape) for a in (k1, k2, x1, x2))
    ks = (k1, k2, k1 ^ k2 ^ _PARITY)
    out1, out2 = np.empty(n, _U32), np.empty(n, _U32)
    tmp = np.empty(min(n, _CHUNK), _U32)
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        a, b = out1[start:stop], out2[start:stop]
        np.add(_chunk(x1, start, stop), _chunk(k1, start, stop), out=a)
        np.add(_chunk(x2, start, stop), _chunk(k2, start, stop), out=b)
        _rounds(a, b, tuple(_chunk(k, start, stop) for k in ks), tmp[:stop - start])
    return out1.reshape(shape), out2.reshape(shape)


def threefry_2x32_iota_np(k1, k2, n: int, xor: bool = False):
    """Threefry-2x32 of one key over the counters ``0 .. n-1`` (high words 0, low words the index),
    without materialising the counters: ``(y1, y2)``, or ``y1 ^ y2`` when ``xor`` (JAX's 32-bit
    partitionable random bits). Requires ``n <= 2**32``."""
    k1, k2 = _U32.type(k1), _U32.type(k2)
    ks = (k1, k2, k1 ^ k2 ^ _PARITY)
    out1 = np.empty(n, _U32)
    out2 = np.empty(n, _U32) if not xor else None
    size = min(n, _CHUNK)
    base = np.arange(size, dtype=_U32)
    tmp = np.empty(size, _U32)
    b_buf = np.empty(size, _U32)
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        m = stop - start
        a = out1[start:stop]
        b = out2[start:stop] if not xor else b_buf[:m]
        a.fill(k1)  # high counter word 0, plus the first key word
        np.add(base[:m], _U32.type((start + int(k2)) & 0xFFFFFFFF), out=b)
        _rounds(a, b, ks, tmp[:m])
        if xor:
            a ^= b
    return out1 if xor else (out1, out2)


def _threefry2x32_abstract_eval(k1, k2, x1, x2):
    avals = (k1, k2, x1, x2)
    if any(a.dtype != _U32 for a in avals):
        raise TypeError("Arguments to threefry2x32 must have uint32 type, got "
                        f"{', '.join(a.str_short() for a in avals)}")
    shape = broadcasting_shape_rule("threefry2x32", *avals)
    aval = ShapedArray(shape, _U32)
    return [aval, aval]


threefry2x32_p = Primitive("threefry2x32")
threefry2x32_p.multiple_results = True
threefry2x32_p.def_impl(lambda k1, k2, x1, x2: list(threefry_2x32_np(k1, k2, x1, x2)))
threefry2x32_p.def_abstract_eval(_threefry2x32_abstract_eval)
ad.defjvp_zero(threefry2x32_p)
batching.defbroadcasting(threefry2x32_p)


def threefry2x32(k1, k2, x1, x2):
    """Bind ``threefry2x32``: two uint32 arrays, the encrypted counters."""
    return threefry2x32_p.bind(k1, k2, x1, x2)


# ---------------------------------------------------------------------------------------------------
# erf_inv in float32 as XLA computes it, so that normal samples (sqrt(2) * erf_inv(u)) match JAX's
# ---------------------------------------------------------------------------------------------------
# Giles, "Approximating the erfinv function" (GPU Computing Gems, 2011): single-precision polynomials in
# w = -log(1 - x**2), one for w < 5 and one (in sqrt(w)) above. XLA evaluates exactly these in float32.
_GILES_W_LT_5 = np.array([2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                          0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941],
                         np.float32)
_GILES_W_GE_5 = np.array([-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
                          0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682],
                         np.float32)


_GILES_SMALL = [np.float32(c) for c in _GILES_W_LT_5]
_GILES_LARGE = [np.float32(c) for c in _GILES_W_GE_5]


def _horner(p, w, coeffs):
    """``p = coeffs[0]``, then ``p = c + p * w`` for the rest, in place (float32 rounding each step)."""
    p.fill(coeffs[0])
    for c in coeffs[1:]:
        p *= w
        p += c
    return p


def erf_inv_f32(x: np.ndarray) -> np.ndarray:
    """Inverse error function of a float32 array, by XLA's float32 algorithm (erf_inv(+-1) = +-inf)."""
    x = np.asarray(x, np.float32)
    flat = x.reshape(-1)
    n = flat.size
    out = np.empty(n, np.float32)
    w_buf = np.empty(min(n, _CHUNK), np.float32)
    f32 = np.float32
    with np.errstate(all="ignore"):
        for start in range(0, n, _CHUNK):
            stop = min(n, start + _CHUNK)
            xc, p, w = flat[start:stop], out[start:stop], w_buf[:stop - start]
            # w = -log(1 - x**2); the central polynomial in w - 2.5, the tail one in sqrt(w) - 3
            np.multiply(xc, xc, out=w)
            np.negative(w, out=w)
            np.log1p(w, out=w)
            np.negative(w, out=w)
            tail = ~(w < f32(5))  # (NaN goes to the tail polynomial)
            tail_idx = np.flatnonzero(tail) if tail.any() else None
            w_tail = np.sqrt(w[tail_idx]) - f32(3) if tail_idx is not None else None
            w -= f32(2.5)
            _horner(p, w, _GILES_SMALL)
            if tail_idx is not None:
                p[tail_idx] = _horner(np.empty_like(w_tail), w_tail, _GILES_LARGE)
            p *= xc
            edge = np.abs(xc) == f32(1)
            if edge.any():
                p[edge] = xc[edge] * f32(np.inf)
    return out.reshape(x.shape)
