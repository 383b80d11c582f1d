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
           "erf_inv_f32", "random_gamma_grad"]

_U32 = np.dtype(np.uint32)
# rotation distances of the even and odd groups of four rounds
_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = np.uint32(0x1BD11BDA)


# The cipher runs on chunks of this many elements, so that its two words and a temporary (3 x 256 KiB)
# stay in the CPU's L2 cache through the 20 rounds (each round is several NumPy passes over them).
_CHUNK = 1 << 16


def _as_operand(x, shape):
    """A uint32 cipher operand: a NumPy scalar when it is the same everywhere, else a flat array."""
    if x.size == 1:
        return _U32.type(x.reshape(()))
    return np.broadcast_to(x, shape).reshape(-1)


def _chunk(x, start, stop):
    return x if x.ndim == 0 else x[start:stop]


# rotation distances r and 32 - r as 0-d uint32 arrays: NumPy applies those faster than Python ints
_ROTATION_PAIRS = tuple(tuple((np.array(r, _U32), np.array(32 - r, _U32)) for r in group)
                        for group in _ROTATIONS)


def _u32_0d(x):
    return np.array(int(x) & 0xFFFFFFFF, _U32)


def _rounds(a, b, ks, tmp):
    """The 20 rounds of Threefry-2x32 on the chunks ``a``, ``b`` (already offset by the first key
    injection), in place; ``ks`` are the three key-schedule words (scalars or chunks)."""
    add, shl, shr, bor, bxor = np.add, np.left_shift, np.right_shift, np.bitwise_or, np.bitwise_xor
    scalar_keys = all(k.ndim == 0 for k in ks)
    if scalar_keys:  # one pass per injection: key word and round number folded into one constant
        inject_a = [_u32_0d(ks[(i + 1) % 3]) for i in range(5)]
        inject_b = [_u32_0d(int(ks[(i + 2) % 3]) + i + 1) for i in range(5)]
    for i in range(5):
        for r, r_comp in _ROTATION_PAIRS[i % 2]:
            add(a, b, out=a)
            # b = rotl(b, r) ^ a
            shl(b, r, out=tmp)
            shr(b, r_comp, out=b)
            bor(b, tmp, out=b)
            bxor(b, a, out=b)
        if scalar_keys:
            add(a, inject_a[i], out=a)
            add(b, inject_b[i], out=b)
        else:
            add(a, ks[(i + 1) % 3], out=a)
            add(b, ks[(i + 2) % 3], out=b)
            add(b, _u32_0d(i + 1), out=b)


# Up to this many elements, the cipher runs on Python ints: ~100 NumPy calls cost more than that
_PY_MAX = 4


def _threefry_py(k1: int, k2: int, x1: int, x2: int):
    """Threefry-2x32 of one counter pair on Python ints (the same rounds as ``_rounds``)."""
    m = 0xFFFFFFFF
    ks = (k1, k2, k1 ^ k2 ^ 0x1BD11BDA)
    a, b = (x1 + k1) & m, (x2 + k2) & m
    for i in range(5):
        for r in _ROTATIONS[i % 2]:
            a = (a + b) & m
            b = (((b << r) & m) | (b >> (32 - r))) ^ a
        a = (a + ks[(i + 1) % 3]) & m
        b = (b + ks[(i + 2) % 3] + i + 1) & m
    return a, b


def _threefry_small(k1, k2, x1, x2, shape):
    """Threefry-2x32 on at most ``_PY_MAX`` elements (operands broadcast to ``shape``)."""
    cols = [np.broadcast_to(v, shape).ravel().tolist() for v in (k1, k2, x1, x2)]
    pairs = [_threefry_py(*args) for args in zip(*cols)]
    out = np.array(pairs, _U32).reshape(len(pairs), 2)
    return out[:, 0].reshape(shape), out[:, 1].reshape(shape)


def threefry_2x32_np(k1, k2, x1, x2):
    """Threefry-2x32 on NumPy uint32 arrays (broadcast together); returns two new arrays."""
    k1, k2, x1, x2 = (np.asarray(a, _U32) for a in (k1, k2, x1, x2))
    shape = np.broadcast_shapes(k1.shape, k2.shape, x1.shape, x2.shape)
    n = math.prod(shape)
    if n <= _PY_MAX:
        return _threefry_small(k1, k2, x1, x2, shape)
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
    if n <= _PY_MAX:
        pairs = [_threefry_py(int(k1), int(k2), 0, i) for i in range(n)]
        out = np.array(pairs, _U32).reshape(n, 2)
        return out[:, 0] ^ out[:, 1] if xor else (out[:, 0].copy(), out[:, 1].copy())
    k1, k2 = _U32.type(k1), _U32.type(k2)
    ks = (k1, k2, k1 ^ k2 ^ _PARITY)
    out1 = np.empty(n, _U32)
    size = min(n, _CHUNK)
    out2 = np.empty(n, _U32) if not xor else None
    b_buf = np.empty(size, _U32) if xor else None  # the second word is only a scratch chunk then
    base = np.arange(size, dtype=_U32)
    tmp = np.empty(size, _U32)
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


_ERF_CHUNK = 1 << 14


def erf_inv_f32(x: np.ndarray) -> np.ndarray:
    """Inverse error function of a float32 array, by XLA's float32 algorithm (erf_inv(+-1) = +-inf)."""
    x = np.asarray(x, np.float32)
    flat = x.reshape(-1)
    n = flat.size
    out = np.empty(n, np.float32)
    w_buf = np.empty(min(n, _ERF_CHUNK), np.float32)
    f32 = np.float32
    with np.errstate(all="ignore"):
        for start in range(0, n, _ERF_CHUNK):
            stop = min(n, start + _ERF_CHUNK)
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


# ---------------------------------------------------------------------------------------------------
# random_gamma_grad: the implicit reparameterization derivative of Gamma(a, 1) samples
# ---------------------------------------------------------------------------------------------------
# A sample x = F^-1(u; a) of Gamma(a, 1) (F the regularized lower incomplete gamma P(a, .)) moves with
# a, at fixed u, by dx/da = -(dF/da) / (dF/dx). As in JAX (lax.special), both derivatives come from
# the same series / continued fraction that evaluate P(a, x): the power series where x <= 1 or x <= a,
# the continued fraction of Q = 1 - P elsewhere, each carrying d/da of its partial sums along and
# stopping when that derivative has converged to float precision. The loops are lax.while_loops over
# whole arrays; finished elements are frozen with selects, so every element gets its own answer.

def _gamma_grad_series(lx, x, a, enabled, eps):
    """dx/da where the power series of P(a, x) is used."""
    from jaxlite._src.lax import lax

    def cond(carry):
        return lax.reduce_or(carry[0], tuple(range(carry[0].ndim)))

    def body(carry):
        enabled, r, c, ans, x, dc_da, dans_da = carry
        r1 = r + lax.full_like(r, 1)
        dc_da1 = dc_da * (x / r1) - (c * x) / (r1 * r1)
        dans_da1 = dans_da + dc_da1
        c1 = c * (x / r1)
        ans1 = ans + c1
        going = lax.bitwise_and(enabled, lax.abs(dc_da1 / dans_da1) > lax.full_like(dc_da1, eps))
        new = (r1, c1, ans1, x, dc_da1, dans_da1)
        return (going,) + tuple(lax.select(enabled, n, o) for n, o in zip(new, carry[1:]))

    zeros, ones = lax.full_like(a, 0), lax.full_like(a, 1)
    out = lax.while_loop(cond, body, (enabled, a, ones, ones, x, zeros, zeros))
    ans, dans_da = out[3], out[6]
    dlogax_da = lx - lax.digamma(a + lax.full_like(a, 1))
    return -(dans_da + ans * dlogax_da) * x / a


def _gamma_grad_continued_fraction(lx, x, a, enabled, eps):
    """dx/da where the continued fraction of Q(a, x) is used."""
    from jaxlite._src.lax import lax
    one = lambda v: lax.full_like(v, 1)  # noqa: E731

    def cond(carry):
        enabled, c = carry[0], carry[5]
        return lax.bitwise_and(c < lax.full_like(c, 2000),
                               lax.reduce_or(enabled, tuple(range(enabled.ndim))))

    def body(carry):
        (enabled, ans, t, y, z, c, pkm1, qkm1, pkm2, qkm2,
         dpkm2_da, dqkm2_da, dpkm1_da, dqkm1_da, dans_da) = carry
        c = c + one(c)
        y = y + one(y)
        z = z + lax.full_like(z, 2)
        yc = y * c
        pk = pkm1 * z - pkm2 * yc
        qk = qkm1 * z - qkm2 * yc
        qk_nonzero = lax.ne(qk, lax.full_like(qk, 0))
        r = pk / qk
        t = lax.select(qk_nonzero, lax.abs((ans - r) / r), one(r))
        ans = lax.select(qk_nonzero, r, ans)
        dpk_da = dpkm1_da * z - pkm1 - dpkm2_da * yc + pkm2 * c
        dqk_da = dqkm1_da * z - qkm1 - dqkm2_da * yc + qkm2 * c
        dans_da_new = lax.select(qk_nonzero, (dpk_da - ans * dqk_da) / qk, dans_da)
        grad_change = lax.select(qk_nonzero, lax.abs(dans_da_new - dans_da), one(dans_da))
        pkm2, pkm1, qkm2, qkm1 = pkm1, pk, qkm1, qk
        dpkm2_da, dqkm2_da, dpkm1_da, dqkm1_da = dpkm1_da, dqkm1_da, dpk_da, dqk_da
        # keep the convergents in range: rescale all of them by eps when pk grows past 1/eps
        rescale = lax.gt(lax.abs(pk), lax.reciprocal(lax.full_like(pk, eps)))
        scaled = [lax.select(rescale, v * lax.full_like(v, eps), v)
                  for v in (pkm2, pkm1, qkm2, qkm1, dpkm2_da, dqkm2_da, dpkm1_da, dqkm1_da)]
        pkm2, pkm1, qkm2, qkm1, dpkm2_da, dqkm2_da, dpkm1_da, dqkm1_da = scaled
        going = lax.bitwise_and(enabled, grad_change > lax.full_like(grad_change, eps))
        new = (ans, t, y, z)
        rest = (pkm1, qkm1, pkm2, qkm2, dpkm2_da, dqkm2_da, dpkm1_da, dqkm1_da, dans_da_new)
        return ((going,) + tuple(lax.select(enabled, n, o) for n, o in zip(new, carry[1:5])) + (c,)
                + tuple(lax.select(enabled, n, o) for n, o in zip(rest, carry[6:])))

    y = one(a) - a
    z = x + y + one(x)
    c = lax.full_like(x, 0, shape=())  # the iteration count, a scalar
    pkm2, qkm2 = one(x), x
    pkm1 = x + one(x)
    qkm1 = z * x
    ans = pkm1 / qkm1
    zeros = lax.full_like(x, 0)
    dqkm1_da = -x
    dans_da = (zeros - ans * dqkm1_da) / qkm1
    init = (enabled, ans, one(x), y, z, c, pkm1, qkm1, pkm2, qkm2, zeros, zeros, zeros, dqkm1_da, dans_da)
    out = lax.while_loop(cond, body, init)
    ans, dans_da = out[1], out[14]
    dlogax_da = lx - lax.digamma(a)
    return -(dans_da + ans * dlogax_da) * x


def _random_gamma_grad(a, x, *, dtype):
    from jaxlite._src import dtypes
    from jaxlite._src.lax import lax
    eps = float(dtypes.finfo(dtype).eps)
    is_nan = lax.bitwise_or(lax.ne(a, a), lax.ne(x, x))
    x_is_zero = lax.eq(x, lax.full_like(x, 0))
    domain_error = lax.bitwise_or(lax.lt(x, lax.full_like(x, 0)), lax.le(a, lax.full_like(a, 0)))
    use_cf = lax.bitwise_and(lax.gt(x, lax.full_like(x, 1)), lax.gt(x, a))
    lx = lax.log(x)
    log_ax = a * lx - x - lax.lgamma(a)
    underflow = lax.lt(log_ax, lax.full_like(log_ax, -np.log(float(dtypes.finfo(dtype).max))))
    enabled = lax.bitwise_not(lax.bitwise_or(lax.bitwise_or(lax.bitwise_or(x_is_zero, domain_error),
                                                            underflow), is_nan))
    out = lax.select(
        use_cf,
        -_gamma_grad_continued_fraction(lx, x, a, lax.bitwise_and(enabled, use_cf), eps),
        _gamma_grad_series(lx, x, a, lax.bitwise_and(enabled, lax.bitwise_not(use_cf)), eps))
    out = lax.select(x_is_zero, lax.full_like(out, 0), out)
    return lax.select(lax.bitwise_or(domain_error, is_nan), lax.full_like(a, float("nan")), out)


def random_gamma_grad(a, x):
    """The derivative of a Gamma(``a``, 1) sample ``x`` with respect to ``a`` (implicit
    reparameterization, Figurnov et al. 2018), elementwise; float16/bfloat16 work in float32.

    Example:
        >>> lax.random_gamma_grad(2.0, 1.5)   # doctest: +SKIP
    """
    from jaxlite._src import core, dtypes
    from jaxlite._src.lax import lax
    a_aval, x_aval = core.get_aval(a), core.get_aval(x)
    shape = lax.broadcast_shapes(a_aval.shape, x_aval.shape)
    a = lax.broadcast_in_dim(a, shape, tuple(range(len(shape) - a_aval.ndim, len(shape))))
    x = lax.broadcast_in_dim(x, shape, tuple(range(len(shape) - x_aval.ndim, len(shape))))
    dtype = a_aval.dtype
    upcast = dtype in (np.dtype(np.float16), dtypes.bfloat16)
    if upcast:
        a, x = lax.convert_element_type(a, np.float32), lax.convert_element_type(x, np.float32)
    out = _random_gamma_grad(a, x, dtype=np.dtype(np.float32) if upcast else dtype)
    return lax.convert_element_type(out, dtype) if upcast else out
