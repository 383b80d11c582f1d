"""numba kernels for xla_math's float32 log, log1p, exp and erf_inv: the same bits, one loop per array.

Optional (the ``[fast]`` extra): xla_math uses these when numba can be imported, and its NumPy code
otherwise. Each function below is the element-by-element form of the NumPy version in xla_math.py, step
for step: the same float32 operations in the same order, and every fused multiply-add evaluated the
same way, in float64 with the double-rounding tie corrected (see ``_fma``). numba does not contract
``a * b + c`` into an FMA without ``fastmath``, so each float32 operation rounds on its own, as in
NumPy. tests/test_random_exact.py compares these kernels with the NumPy code and with JAX.
"""
import math

import numpy as np
from numba import njit, types
from numba.extending import intrinsic

from jaxlite._src import xla_math as xm

_f32 = np.float32
_f64 = np.float64


def _bitcast(name, src, dst, doc):
    """A numba intrinsic ``name`` that reinterprets the bits of a ``src`` value as a ``dst`` value."""
    def reinterpret(typingctx, x):
        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], context.get_value_type(dst))
        return dst(src), codegen
    reinterpret.__name__ = reinterpret.__qualname__ = name
    reinterpret.__doc__ = doc
    return intrinsic(reinterpret)


_bits64 = _bitcast("_bits64", types.float64, types.int64, "The bits of a float64 as an int64.")
_from_bits64 = _bitcast("_from_bits64", types.int64, types.float64, "The float64 with these bits.")
_bits32 = _bitcast("_bits32", types.float32, types.int32, "The bits of a float32 as an int32.")
_from_bits32 = _bitcast("_from_bits32", types.int32, types.float32, "The float32 with these bits.")


_INT64_MIN = np.int64(np.iinfo(np.int64).min)
_MIN_NORMAL = xm._MIN_NORMAL
_SQRTHF = _f64(xm._SQRTHF)
_INF32 = _f32(np.inf)
_NAN32 = _f32(np.nan)


@njit(inline="always")
def _fma(a, b, c):
    """fma(a, b, c) rounded to float32, as a float64; a, b, c float64 holding float32 values. As
    xla_math._fma_chain: a*b + c in double (the product exact), a float32 tie of an inexact sum moved one
    double ulp toward the exact sum (Knuth's TwoSum gives the error), then the rounding to float32.
    Written without branches, so that the loops vectorize."""
    p = a * b
    s = p + c
    bp = s - p
    err = (p - (s - bp)) + (c - bp)
    bits = _bits64(s)
    fix = ((bits << 35) == _INT64_MIN) & (err != 0.0) & (err - err == 0.0)
    step = np.int64(2 * ((err > 0.0) == (s > 0.0)) - 1)
    return _f64(_f32(_from_bits64(bits + fix * step)))


@njit(inline="always")
def _ftz(x):
    return _f32(math.copysign(0.0, x)) if abs(x) < _MIN_NORMAL else x


# coefficients as float64 tuples (float32 values)
_LOG_P = tuple(float(c) for c in xm._LOG_P)
_LOG1P_P = tuple(float(c) for c in xm._LOG1P_P)
_LOG1P_Q = tuple(float(c) for c in xm._LOG1P_Q)
_EXP_P = tuple(float(c) for c in xm._EXP_P)
_ERFINV_SMALL = tuple(float(c) for c in xm._ERFINV_SMALL)
_ERFINV_LARGE = tuple(float(c) for c in xm._ERFINV_LARGE)
_LOG_Q1, _LOG_Q2 = xm._LOG_Q1, xm._LOG_Q2
_LOG1P_SMALL = xm._LOG1P_SMALL
_LOG2E = float(xm._LOG2E)
_ONE, _HALF, _MHALF = _f32(1), _f32(0.5), _f32(-0.5)


@njit(inline="always")
def _log_core(x):
    bits = _bits32(x if (x != x or x > _MIN_NORMAL) else _MIN_NORMAL)  # np.maximum (NaN propagates)
    mant = bits & 0x007FFFFF
    big = (mant + (0x00800000 - 0x003504F3)) >> 23
    x = _from_bits32(np.int32((mant | 0x3F800000) - (big << 23))) - _ONE
    e = _f32(np.int32(((bits >> 23) & 0x1FF) + big)) - _f32(127)
    x2 = x * x
    x3 = x2 * x
    xd, x3d = _f64(x), _f64(x3)
    P = _LOG_P
    y = _fma(_fma(P[0], xd, P[1]), xd, P[2])
    y1 = _fma(_fma(P[3], xd, P[4]), xd, P[5])
    y2 = _fma(_fma(P[6], xd, P[7]), xd, P[8])
    y = _fma(y, x3d, y1)
    y = _fma(y, x3d, y2)
    y = _fma(y, x3d, _f64(e * _LOG_Q1))
    r = (x + x2 * _MHALF) + _f32(y)
    return r + e * _LOG_Q2


@njit(inline="always")
def _log_specials(x, r):
    return -_INF32 if x == 0 else (_INF32 if x == _INF32 else (r if x > 0 else _NAN32))


@njit(inline="always")
def _log1(x):
    x = _ftz(x)
    return _log_specials(x, _log_core(x))


# log1p and erf_inv run in blocks of a few loops each: LLVM does not vectorize a loop that has both
# these fma chains and the division, so the division gets a loop of its own.
_BLOCK = 512


@njit(inline="always")
def _log1p_rational(x):
    """For a flushed x: the numerator and denominator of log1p's rational function (float64 holding
    float32 values), the branch for |x| < 0.41421357."""
    xd = _f64(x)
    P, Q = _LOG1P_P, _LOG1P_Q
    num = _fma(_fma(_fma(_fma(_fma(_fma(P[0], xd, P[1]), xd, P[2]), xd, P[3]), xd, P[4]), xd, P[5]), xd, P[6])
    den = _f64(x + _f32(Q[1]))
    den = _fma(_fma(_fma(_fma(_fma(den, xd, Q[2]), xd, Q[3]), xd, Q[4]), xd, Q[5]), xd, Q[6])
    return num, den


@njit(inline="always")
def _log1p_large(x):
    xp1 = x + _ONE
    return _log_specials(xp1, _log_core(xp1))


@njit(inline="always")
def _log1p_finish(x, num, den, large):
    # num / den in double rounded to float32 is the float32 quotient (53 >= 2 * 24 + 2: the double
    # rounding is innocuous), and the division is then the only float32-typed one of the block
    x2 = x * x
    small = x + (x2 * _MHALF + (x * x2) * _f32(num / den))
    return _ftz(small if abs(x) < _LOG1P_SMALL else large)


@njit(inline="always")
def _log1p_block(x, out, num, den, large):
    """log1p of the block ``x`` into ``out`` (x already flushed); the rest are scratch."""
    # (both branches for every element, a select at the end: one loop for each part, or LLVM does not
    # vectorize them)
    for j in range(x.size):
        num[j], den[j] = _log1p_rational(x[j])
    for j in range(x.size):
        large[j] = _log1p_large(x[j])
    for j in range(x.size):
        out[j] = _log1p_finish(x[j], num[j], den[j], large[j])


@njit(inline="always")
def _exp1(x):
    x = _ftz(x)
    if x < _f32(-87.8):
        x = _f32(-87.8)
    elif x > _f32(88.8):
        x = _f32(88.8)
    n = np.floor(_fma(_LOG2E, _f64(x), 0.5))
    if n < -127.0:
        n = -127.0
    elif n > 127.0:
        n = 127.0
    rd = _f64(x - _f32(n) * _LOG_Q2)
    rd = _fma(-n, _f64(_LOG_Q1), rd)
    E = _EXP_P
    p = _fma(_fma(_fma(_fma(_fma(E[0], rd, E[1]), rd, E[2]), rd, E[3]), rd, E[4]), rd, E[5])
    r32 = _f32(rd)
    y = _f32(_fma(p, _f64(r32 * r32), rd)) + _ONE
    ni = np.int32(0.0 if n != n else n)  # np.nan_to_num
    scale = _from_bits32((ni + np.int32(127)) << np.int32(23))
    return _ftz(y * scale)


@njit(inline="always")
def _erf_inv_finish(x, w):
    lt5 = w < _f32(5)
    z = _f64(w - _f32(2.5) if lt5 else np.sqrt(w) - _f32(3))
    S, L = _ERFINV_SMALL, _ERFINV_LARGE
    p = _fma(S[0] if lt5 else L[0], z, S[1] if lt5 else L[1])
    p = _fma(p, z, S[2] if lt5 else L[2])
    p = _fma(p, z, S[3] if lt5 else L[3])
    p = _fma(p, z, S[4] if lt5 else L[4])
    p = _fma(p, z, S[5] if lt5 else L[5])
    p = _fma(p, z, S[6] if lt5 else L[6])
    p = _fma(p, z, S[7] if lt5 else L[7])
    p = _fma(p, z, S[8] if lt5 else L[8])
    out = x * _INF32 if abs(x) == _ONE else _f32(p) * x
    return _ftz(out)


@njit(cache=True)
def _log_loop(x, out):
    for i in range(x.size):
        out[i] = _log1(x[i])


@njit(cache=True)
def _log1p_loop(x, out):
    num, den, large = np.empty(_BLOCK), np.empty(_BLOCK), np.empty(_BLOCK, _f32)
    t = np.empty(_BLOCK, _f32)
    for start in range(0, x.size, _BLOCK):
        stop = min(x.size, start + _BLOCK)
        m = stop - start
        for j in range(m):
            t[j] = _ftz(x[start + j])
        _log1p_block(t[:m], out[start:stop], num, den, large)


@njit(cache=True)
def _exp_loop(x, out):
    for i in range(x.size):
        out[i] = _exp1(x[i])


@njit(cache=True)
def _erf_inv_loop(x, out):
    num, den, large = np.empty(_BLOCK), np.empty(_BLOCK), np.empty(_BLOCK, _f32)
    xs, t, w = np.empty(_BLOCK, _f32), np.empty(_BLOCK, _f32), np.empty(_BLOCK, _f32)
    for start in range(0, x.size, _BLOCK):
        stop = min(x.size, start + _BLOCK)
        m = stop - start
        for j in range(m):
            xj = _ftz(x[start + j])
            xs[j] = xj
            t[j] = _ftz(xj * -xj)
        _log1p_block(t[:m], w, num, den, large)  # w = log1p(-x²)
        for j in range(m):
            out[start + j] = _erf_inv_finish(xs[j], -w[j])


def _vectorize(loop):
    def apply(x):
        """``x``: a contiguous float32 vector; a new float32 vector."""
        out = np.empty(x.size, _f32)
        loop(x, out)
        return out
    return apply


log, log1p, exp, erf_inv = (_vectorize(f) for f in (_log_loop, _log1p_loop, _exp_loop, _erf_inv_loop))
