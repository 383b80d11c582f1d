"""The Threefry-2x32 block cipher as a primitive: the source of every random bit in jax.random.

``threefry2x32(k1, k2, x1, x2) -> (y1, y2)`` encrypts the counter pair ``(x1, x2)`` under the key
``(k1, k2)`` with 20 rounds of Threefry (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
SC 2011), elementwise over uint32 arrays that broadcast against each other. It is an integer function:
it has no derivative (its outputs are integers, so their tangents are float0 zeros).
"""
from __future__ import annotations

import numpy as np

from jaxlite._src.core import Primitive, ShapedArray
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.lax.utils import broadcasting_shape_rule

__all__ = ["threefry2x32_p", "threefry2x32", "threefry_2x32_np", "erf_inv_f32"]

_U32 = np.dtype(np.uint32)
# rotation distances of the even and odd groups of four rounds
_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = np.uint32(0x1BD11BDA)


def threefry_2x32_np(k1, k2, x1, x2):
    """Threefry-2x32 on NumPy uint32 arrays (broadcast together); returns two new arrays."""
    k1, k2, x1, x2 = (np.asarray(a, _U32) for a in (k1, k2, x1, x2))
    shape = np.broadcast_shapes(k1.shape, k2.shape, x1.shape, x2.shape)
    # work on flat 1-d arrays, in place: 0-d NumPy arithmetic would warn on the intended wrap-around
    ks = [np.broadcast_to(k, shape).ravel() for k in (k1, k2)]
    ks.append(ks[0] ^ ks[1] ^ _PARITY)
    a = np.add(np.broadcast_to(x1, shape).ravel(), ks[0])
    b = np.add(np.broadcast_to(x2, shape).ravel(), ks[1])
    tmp = np.empty_like(a)
    for i in range(5):
        for r in _ROTATIONS[i % 2]:
            a += b
            # b = rotl(b, r) ^ a
            np.left_shift(b, r, out=tmp)
            b >>= (32 - r)
            b |= tmp
            b ^= a
        a += ks[(i + 1) % 3]
        b += ks[(i + 2) % 3]
        b += np.uint32(i + 1)
    return a.reshape(shape), b.reshape(shape)


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


def erf_inv_f32(x: np.ndarray) -> np.ndarray:
    """Inverse error function of a float32 array, by XLA's float32 algorithm (erf_inv(+-1) = +-inf)."""
    x = np.asarray(x, np.float32)
    with np.errstate(all="ignore"):
        w = -np.log1p(-x * x)
        small = w < np.float32(5)
        w = np.where(small, w - np.float32(2.5), np.sqrt(w) - np.float32(3))
        p = np.where(small, _GILES_W_LT_5[0], _GILES_W_GE_5[0])
        for i in range(1, len(_GILES_W_LT_5)):
            p = np.where(small, _GILES_W_LT_5[i], _GILES_W_GE_5[i]) + p * w
        out = np.where(np.abs(x) == np.float32(1), x * np.float32(np.inf), p * x)
    return np.asarray(out, np.float32)
