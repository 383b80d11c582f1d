"""float32 transcendental functions computed the way XLA's CPU backend computes them.

XLA on CPU does not call a correctly rounded libm for ``log``, ``log1p``, ``exp`` or ``erf_inv`` in
float32: it emits its own polynomial approximations as LLVM IR (Cephes-derived constants, via Eigen's
packet math and XLA's elemental IR emitter), and LLVM then contracts multiply-adds into FMA instructions
on hosts that have them (every x86-64 CPU since Haswell, and AArch64). The results differ from NumPy's in
the last bit or two for a few percent of inputs, which is enough to make ``jax.random.normal`` & co. differ
from JAX's bits. The functions here repeat those computations step by step in NumPy, float32 in and out,
so that jaxlite's samplers reproduce JAX (jaxlib 0.10.2, CPU, FMA host) bit for bit.

How the sequences were established: from the optimised LLVM IR and the machine code that XLA dumps
(``XLA_FLAGS=--xla_dump_to=DIR``) for ``jit(jnp.log)`` etc., then checked bit for bit against
``jax.jit(f)`` on millions of random and edge-case inputs (see tests/test_random_exact.py).

A fused multiply-add ``fma(a, b, c)`` (one rounding) is evaluated as ``a*b + c`` in float64 (the product of
two float32 values is exact there) with the sum rounded to odd before the final rounding to float32, which
makes the result the correctly rounded one (no double-rounding error).
"""
import contextlib
import os
import threading

import numpy as np

from jaxlite._src.config import config as _config

__all__ = ["fma", "fma64", "fma_ftz", "log", "log1p", "exp", "erf_inv", "erf", "erf_alone", "tan", "rsqrt", "pow",
           "tan64", "erf64", "erf_inv64", "exact", "enabled"]

_state = threading.local()


def enabled() -> bool:
    """Whether float32 ``log``/``log1p``/``exp`` primitives run XLA's algorithms (see :func:`exact`)."""
    return getattr(_state, "depth", 0) > 0


@contextlib.contextmanager
def exact():
    """Within this block (this thread), the float32 impls of ``log``, ``log1p`` and ``exp`` use the
    XLA-exact versions here instead of NumPy's. jaxlite's random samplers run under it, so their values
    match JAX's bits; elsewhere NumPy's (faster, correctly rounded) versions are kept."""
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        yield
    finally:
        _state.depth -= 1


def _when_exact(numpy_fn, exact_fn):
    """An impl: ``exact_fn`` for float32 inputs inside :func:`exact`, else ``numpy_fn``."""
    def impl(x, **params):
        if getattr(_state, "depth", 0) > 0 and getattr(x, "dtype", None) == np.float32:
            return exact_fn(x)
        return numpy_fn(x, **params)
    impl.__name__ = getattr(numpy_fn, "__name__", "impl")
    return impl

_f32 = np.float32
_f64 = np.float64


def _c(bits):
    """A float32 constant from its bit pattern."""
    return np.array(bits, np.uint32).view(np.float32)[()]


def _ftz(x):
    """Flush subnormals to zero of the same sign: XLA's CPU runtime runs with FTZ and DAZ set.

    Returns ``x`` itself (as float32) when it has nothing to flush, so never write into the result."""
    x = np.asarray(x, _f32)
    tiny = np.abs(x) < _MIN_NORMAL  # (zeros too: flushing them changes nothing)
    if tiny.any():
        x = x.copy()
        x[tiny] = np.copysign(_f32(0), x[tiny])
    return x


# --- fused multiply-add -------------------------------------------------------------------------------
# fma(a, b, c) for float32 a, b, c is evaluated in float64: the product a*b is exact there (24 + 24
# significand bits fit in 53), so s = a*b + c has one rounding, to double. Rounding s again to float32
# gives the correctly rounded fma unless s sits exactly half-way between two float32 values (its low 29
# bits are 1 followed by 28 zeros) while the double sum was inexact: then the second rounding breaks a
# tie that the exact sum does not have. Such ties are rare (about 2**-29 of inexact sums), so they are
# found with one cheap test per step and only those elements are corrected: s moves one double ulp
# toward the exact sum (round to odd), which makes the float32 rounding right.
_INT64_MIN = np.iinfo(np.int64).min
_TIE_SHIFT = np.int64(35)  # shifts the low 29 bits to the top: a tie becomes exactly INT64_MIN


def _fix_ties(s, a, b, c, shifted=None):
    """``s`` (a contiguous float64 array, written in place) is ``a*b + c`` rounded to double, the
    product exact. Where ``s`` is a float32 tie and the sum was inexact, step it one double ulp toward
    the exact sum, so that rounding ``s`` to float32 next gives the single-rounding result.
    (``shifted``: ``s``'s bits shifted left by 35, if the caller has them.)"""
    shape = s.shape if s.ndim else (1,)
    if shifted is None:
        shifted = np.left_shift(s.view(np.int64), _TIE_SHIFT)
    idx = np.flatnonzero(shifted == _INT64_MIN)
    where = np.unravel_index(idx, shape)

    def at(v):  # the operand's values at the ties, as float64 (operands broadcast to s's shape)
        v = np.asarray(v)
        w = where[len(shape) - v.ndim:]
        return v[tuple(i if n > 1 else 0 for i, n in zip(w, v.shape))].astype(_f64)

    flat = s.reshape(-1)
    p, ci, si = at(a) * at(b), at(c), flat[idx]
    bp = si - p
    err = (p - (si - bp)) + (ci - bp)  # the rounding error of si = p + ci (Knuth's TwoSum)
    nudge = np.isfinite(err) & (err != 0)
    if nudge.any():
        flat[idx[nudge]] = np.nextafter(si[nudge], np.where(err[nudge] > 0, np.inf, -np.inf))


def fma(a, b, c):
    """``a * b + c`` with a single rounding to float32 (the x86 ``vfmadd`` / AArch64 ``fmla`` result)."""
    s = np.asarray(np.multiply(a, b, dtype=_f64) + np.asarray(c, _f64))
    if s.size and np.minimum.reduce(np.left_shift(s.view(np.int64), _TIE_SHIFT), axis=None) == _INT64_MIN:
        _fix_ties(s, a, b, c)
    return s.astype(_f32)


# The functions below keep their working values in float64 arrays holding float32 values, and chain
# fma steps in place on them: per step a multiply, an add, the tie test (a shift and a min) and the
# rounding to float32 and back, with no new arrays.

def _fma_chain(p, x, cs):
    """``p = fma(p, x, c)`` for each ``c`` of ``cs`` in turn, in place on the float64 array ``p``
    (float32 values; ``x`` and the ``c`` float64 arrays of float32 values or Python floats that
    broadcast to ``p``). Returns ``p``."""
    r = p.astype(_f32)  # the last rounded p: the fma's first operand if a tie needs fixing
    ties = np.empty(p.shape, np.int64)
    for c in cs:
        np.multiply(p, x, out=p)
        np.add(p, c, out=p)
        if p.size:
            np.left_shift(p.view(np.int64), _TIE_SHIFT, out=ties)
            if np.minimum.reduce(ties, axis=None) == _INT64_MIN:
                _fix_ties(p, r, x, c, ties)
        np.copyto(r, p, casting="same_kind")
        np.copyto(p, r)
    return p


def _horner(x, coeffs):
    """``p = coeffs[0]``, then ``p = fma(p, x, c)`` for each further ``c``, on float64 ``x`` (float32
    values); returns float64. Coefficients that are ``(k, 1)`` columns evaluate k polynomials at once
    (shape ``(k, n)``)."""
    p = np.empty(np.broadcast_shapes(np.shape(x), np.shape(coeffs[0])))
    p[...] = coeffs[0]
    return _fma_chain(p, x, coeffs[1:])


def _branches(mask, x, f_true, f_false):
    """``where(mask, f_true(x), f_false(x))`` for a float32 vector ``x``, each function applied only to
    the elements it is needed for (they are elementwise)."""
    if mask.all():
        return f_true(x)
    if not mask.any():
        return f_false(x)
    # (integer indices: NumPy's boolean-mask gathers and scatters are several times slower)
    out = np.empty_like(x)
    for sel, f in ((np.flatnonzero(mask), f_true), (np.flatnonzero(~mask), f_false)):
        out[sel] = f(x.take(sel))
    return out


def _all_in(x, lo, hi):
    """Whether every element of ``x`` satisfies ``lo < x < hi`` (False when one is NaN)."""
    return x.size == 0 or (x.min() > lo and x.max() < hi)


# --- log: Eigen's plog_float (Cephes logf), as XLA's CPU backend emits it for kLog ------------------
_LOG_P = [_c(0x3D9021BB), _c(0xBDEBD1B8), _c(0x3DEF251A),   # 7.0376836292e-2, -1.1514610310e-1, ...
          _c(0xBDFE5D4F), _c(0x3E11E9BF), _c(0xBE2AAE50),
          _c(0x3E4CCEAC), _c(0xBE7FFFFC), _c(0x3EAAAAAA)]
_LOG_Q1 = _c(0xB95E8083)   # -2.12194440e-4
_LOG_Q2 = _c(0x3F318000)   # 0.693359375 = 355/512
_SQRTHF = _c(0x3F3504F3)
_MIN_NORMAL = _c(0x00800000)
_LOG_P_COLS = [np.array([[_LOG_P[i]], [_LOG_P[i + 3]], [_LOG_P[i + 6]]], _f64) for i in range(3)]


def _log_core(x):
    """The polynomial part of XLA's float32 log for x > 0 finite (inputs below the smallest normal are
    treated as the smallest normal, as XLA does)."""
    shape = np.shape(x)
    bits = np.maximum(np.reshape(x, -1), _MIN_NORMAL).view(np.uint32)
    mant = bits & np.uint32(0x007FFFFF)
    # m = mantissa in [0.5, 1) with e = exponent + 1; where m < sqrt(1/2), use 2m and e - 1 instead
    # (XLA computes x = (m - 1) + m there: exactly 2m - 1). On the bits: big = 1 iff m >= sqrt(1/2).
    big = (mant + np.uint32(0x00800000 - 0x003504F3)) >> np.uint32(23)
    m_bits = mant | np.uint32(0x3F800000)
    m_bits -= big << np.uint32(23)
    x = m_bits.view(_f32) - _f32(1)
    e = ((bits >> np.uint32(23)) + big).view(np.int32).astype(_f32) - _f32(127)
    x2 = x * x
    x3 = x2 * x
    xd, x3d = x.astype(_f64), x3.astype(_f64)
    # three quadratics at once (rows y, y1, y2), then y = fma(y, x3, y1); fma(y, x3, y2); fma(y, x3, e·q1)
    y = _horner(xd, _LOG_P_COLS)
    y = _fma_chain(y[0], x3d, (y[1], y[2], (e * _LOG_Q1).astype(_f64)))
    # fma(x2, -1/2, x) and fma(e, ln2_hi, r): both products are exact in float32 (x2 is 0 or above
    # 2**-48; e has 8 significant bits, ln2_hi 9), so a float32 add is the same single rounding
    r = (x + x2 * _f32(-0.5)) + y.astype(_f32)
    return (r + e * _LOG_Q2).reshape(shape)


def _log_specials(x, r):
    """XLA's log edge cases: log(0) = -inf, log(inf) = inf, log(x < 0) = log(nan) = nan."""
    if _all_in(x, 0, np.inf):
        return r
    return np.where(x == 0, _f32(-np.inf), np.where(x == np.inf, _f32(np.inf),
                                                     np.where(x > 0, r, _f32(np.nan))))


def log(x):
    """Natural log of a float32 array, bit-exact with XLA CPU's ``log`` (Eigen ``plog_float`` with FMAs).

    Subnormal inputs count as zero (the CPU runs with denormals-are-zero), so log(1e-40) = -inf."""
    x = _ftz(np.asarray(x, _f32))
    with np.errstate(all="ignore"):
        return _log_specials(x, _log_core(x)).astype(_f32, copy=False)


# --- log1p: XLA's ElementalIrEmitter::EmitLog1p (Cephes rational approximation near 0) ----------------
_LOG1P_Q = [_f32(1), _c(0x417101AD), _c(0x42A6185B), _c(0x435DC32D), _c(0x439A8CA3), _c(0x43586D8A),
            _c(0x42707982)]
_LOG1P_P = [_f32(4.527e-05), _c(0x3EFF40C5), _c(0x40D284FA), _c(0x41EF4B9C), _c(0x4273CC76),
            _c(0x426473AD), _c(0x41A05101)]
_LOG1P_SMALL = _c(0x3ED413CD)  # |x| below this (sqrt(2) - 1 rounded) uses the rational function
_LOG1P_P64 = [float(c) for c in _LOG1P_P]
_LOG1P_PQ_COLS = [np.array([[p], [q]], _f64) for p, q in zip(_LOG1P_P, _LOG1P_Q)]  # both at once


def _log1p_small(x):
    """x - x²/2 + x³·P(x)/Q(x) for |x| < 0.41421357 (a vector)."""
    xd = x.astype(_f64)
    # P and Q by Horner at once (rows). Q's first step fma(1, x, q1) is a float32 add: no tie test.
    pq = np.empty((2, x.size))
    pq[0] = _horner(xd, _LOG1P_P64[:2])
    pq[1] = x + _LOG1P_Q[1]
    num, den = _fma_chain(pq, xd, _LOG1P_PQ_COLS[2:]).astype(_f32)
    x2 = x * x
    # fma(x2, -1/2, t): x2 * -1/2 is exact in float32 unless x2 < 2**-125, and then the sum is far
    # below half an ulp of the x it is added to: a float32 add gives the same final value
    return x + (x2 * _f32(-0.5) + (x * x2) * (num / den))


def _log1p_large(x):
    xp1 = x + _f32(1)
    return _log_specials(xp1, _log_core(xp1))


def log1p(x):
    """log(1 + x) of a float32 array, bit-exact with XLA CPU's ``log-plus-one``.

    For |x| < 0.41421357: x - x²/2 + x³·P(x)/Q(x) (Cephes, Horner with FMAs); elsewhere XLA's log(1 + x)."""
    x = _ftz(np.asarray(x, _f32))
    with np.errstate(all="ignore"):
        flat = x.reshape(-1)
        out = _branches(np.abs(flat) < _LOG1P_SMALL, flat, _log1p_small, _log1p_large)
        return _ftz(out.reshape(x.shape))


# --- exp: Eigen's pexp_float (Cephes expf) as XLA's CPU backend emits it for kExp ---------------------
_EXP_P = [_c(0x39506967), _c(0x3AB743CE), _c(0x3C088908), _c(0x3D2AA9C1), _c(0x3E2AAAAA), _f32(0.5)]
_LOG2E = _c(0x3FB8AA3B)
_EXP_P64 = [float(c) for c in _EXP_P]


def exp(x):
    """e**x of a float32 array, bit-exact with XLA CPU's ``exponential``.

    x is clamped to [-87.8, 88.8]; n = floor(x·log2(e) + 1/2) clamped to [-127, 127]; r = x - n·ln2 in
    two FMA steps; exp(r) = 1 + (r + r²·P(r)); the result is that times 2**n built from bits (so an n of
    -127 gives exactly 0)."""
    x = _ftz(np.asarray(x, _f32))
    shape = x.shape
    with np.errstate(all="ignore"):
        x = np.clip(x.reshape(-1), _f32(-87.8), _f32(88.8))  # (NaN stays NaN)
        n = np.clip(np.floor(_horner(x.astype(_f64), [float(_LOG2E), 0.5])), -127., 127.)
        # fma(-n, ln2_hi, x): n·ln2_hi is exact in float32 (7 and 9 significant bits)
        r = (x - n.astype(_f32) * _LOG_Q2).astype(_f64)
        r = _fma_chain(-n, float(_LOG_Q1), [r])
        p = _horner(r, _EXP_P64)
        r32 = r.astype(_f32)
        y = _fma_chain(p, (r32 * r32).astype(_f64), [r]).astype(_f32) + _f32(1)
        scale = ((np.nan_to_num(n).astype(np.int32) + 127) << 23).view(_f32)
        return _ftz((y * scale).reshape(shape))


# --- erf_inv: XLA's ErfInv32 (Giles' single-precision approximation) --------------------------------
_ERFINV_SMALL = [_f32(c) for c in (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                                    0.00021858087, -0.00125372503, -0.00417768164, 0.246640727,
                                    1.50140941)]
_ERFINV_LARGE = [_f32(c) for c in (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
                                    0.00573950773, -0.0076224613, 0.00943887047, 1.00167406,
                                    2.83297682)]
_ERFINV_SMALL64, _ERFINV_LARGE64 = [float(c) for c in _ERFINV_SMALL], [float(c) for c in _ERFINV_LARGE]


def erf_inv(x):
    """Inverse error function of a float32 array, bit-exact with XLA's float32 ``erf_inv`` on CPU.

    w = -log1p(-x²) (XLA's log1p above); p = Horner-with-FMA polynomial in w - 2.5 (w < 5) or
    sqrt(w) - 3; result p·x, and ±inf at x = ±1."""
    x = _ftz(np.asarray(x, _f32))
    with np.errstate(all="ignore"):
        flat = x.reshape(-1)
        w = -log1p(flat * -flat)
        p = _branches(w < _f32(5), w,
                      lambda w: _horner((w - _f32(2.5)).astype(_f64), _ERFINV_SMALL64),
                      lambda w: _horner((np.sqrt(w) - _f32(3)).astype(_f64), _ERFINV_LARGE64))
        out = p.astype(_f32) * flat
        if not _all_in(w, -np.inf, np.inf):  # w = inf exactly where |x| = 1
            edge = np.abs(flat) == _f32(1)
            out[edge] = flat[edge] * _f32(np.inf)
        return _ftz(out.reshape(x.shape))


# --- large arrays run in cache-sized slices -----------------------------------------------------------
# Each function above makes a dozen or more float64/float32 temporaries; on a big array every one is a
# fresh allocation (page faults) streamed through memory. Elementwise as they are, they give the same
# bits slice by slice, and slices of this many elements keep the temporaries in cache.
_SLICE = 1 << 14


def _sliced(fn):
    def apply(x):
        x = np.asarray(x, _f32)
        kernel = _numba_kernels().get(fn.__name__)
        if kernel is not None:
            return kernel(np.ascontiguousarray(x.reshape(-1))).reshape(x.shape)
        if x.size <= _SLICE:
            return fn(x)
        flat = x.reshape(-1)
        out = np.empty(flat.shape, _f32)
        for start in range(0, flat.size, _SLICE):
            out[start:start + _SLICE] = fn(flat[start:start + _SLICE])
        return out.reshape(x.shape)
    apply.__name__, apply.__qualname__, apply.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
    return apply


# Optional compiled loops (the ``[fast]`` extra): under the numba tier (``jaxlite_backend='numba'``) or with
# JAXLITE_XLA_MATH_NUMBA=1 in the environment, log, log1p, exp and erf_inv run as numba loops
# (jaxlite/_src/xla_math_numba.py) with the same bits, 1.5x (erf_inv) to 3x (log, exp) faster than the NumPy
# code. numba compiles them once (seconds; then cached on disk) on a background thread, as the tier's other
# kernels: the NumPy code serves until they are ready.
def _build_numba_loops(numba):
    from jaxlite._src import xla_math_numba as m
    probe = np.linspace(0.125, 0.875, 8, dtype=_f32)
    loops = {name: getattr(m, name) for name in ("log", "log1p", "exp", "erf_inv")}
    for fn in loops.values():
        fn(probe)  # compile now, on this (background) thread
    return loops


_numba_loops = None


def _numba_kernels():
    global _numba_loops
    if _config.jaxlite_backend != "numba" and os.environ.get("JAXLITE_XLA_MATH_NUMBA") != "1":
        return {}
    if _numba_loops is None:
        from jaxlite._src.backend import numba_backend
        if not numba_backend.available():
            return {}
        _numba_loops = numba_backend.kernel("xla_math")(_build_numba_loops)
    return _numba_loops.get() or {}


log, log1p, exp = _sliced(log), _sliced(log1p), _sliced(exp)
erf_inv = _sliced(erf_inv)  # (calls the sliced log1p on each slice: a no-op wrapper there)


# --- tan: glibc's tanf (XLA CPU emits a call to the C library's tanf for float32 kTan) --------------
_TAN_T = [_c(b) for b in (0x3EAAAAAB, 0x3E088889, 0x3D5D0DD1, 0x3CB327A4, 0x3C11371F, 0x3B6B6916,
                          0x3ABEDE48, 0x3A1A26C8, 0x398137B9, 0x38A3F445, 0x3895C07A, 0xB79BAE5F,
                          0x37D95384)]
_PIO4, _PIO4LO = _c(0x3F490FDA), _c(0x33222168)
_HPI_INV = float.fromhex("0x1.45f306dc9c883p+23")  # 2/pi * 2**24
_HPI = float.fromhex("0x1.921fb54442d18p+0")      # pi/2
_PI63 = float.fromhex("0x1.921fb54442d18p-62")    # pi/2 * 2**-62 (scale of the large reduction)
# 2/pi in 32-bit windows sliding by one byte (the table of glibc's large-argument reduction)
_TWO_OVER_PI = bytes.fromhex("000000a2f9836e4e441529fc2757d1f534ddc0db6295993c439041")
_INV_PIO4 = np.array([int.from_bytes(_TWO_OVER_PI[i:i + 4], "big") for i in range(24)], np.uint64)


def _tan_reduce_large(bits):
    """(r, n) with r ≈ |x| - n·pi/2 in double for |x| ≥ 120 (Payne-Hanek with 96 bits of 2/pi)."""
    u64 = np.uint64
    idx = ((bits >> np.uint32(26)) & np.uint32(15)).astype(np.intp)
    shift = ((bits >> np.uint32(23)) & np.uint32(7)).astype(np.uint64)
    xi = (((bits & np.uint32(0xFFFFFF)) | np.uint32(0x800000)).astype(np.uint64) << shift)
    res0 = (xi * _INV_PIO4[idx]) & u64(0xFFFFFFFF)
    res1 = xi * _INV_PIO4[idx + 4]
    res2 = xi * _INV_PIO4[idx + 8]
    res0 = ((res2 >> u64(32)) | (res0 << u64(32))) + res1
    n = (res0 + u64(1 << 61)) >> u64(62)
    res0 = res0 - (n << u64(62))
    return res0.view(np.int64).astype(_f64) * _PI63, n.astype(np.int64)


def _tan_kernel(x, y, iy):
    """glibc's __kernel_tanf: tan(x + y) for |x + y| ≲ pi/4 (iy = 1), or -1/tan(x + y) (iy = -1)."""
    T = _TAN_T
    hx = x.view(np.int32)
    ix = hx & np.int32(0x7FFFFFFF)
    big = ix >= 0x3F2CA140
    sx = np.where(big & (hx < 0), _f32(-1), _f32(1))
    xa, ya = x * sx, y * sx
    xr = (_PIO4 - xa) + (_PIO4LO - ya)
    x = np.where(big, xr, x)
    y = np.where(big, _f32(0), y)
    sign = (1 - ((hx >> 30) & 2)).astype(_f32)
    # after the pi/4 reflection, a tiny argument has its own formula
    near = big & (np.abs(x) < _c(0x39000000))
    near_val = (sign * iy) * (_f32(1) - (_f32(2) * iy) * x)
    z = x * x
    w = z * z
    r = T[11] * w + T[9]
    v = T[12] * w + T[10]
    for k in (7, 5, 3, 1):
        r = r * w + T[k]
        v = v * w + T[k + 1]
    s = z * x
    r = y + z * (s * (z * v + r) + y)
    r = r + T[0] * s
    w = x + r
    # |x| >= 0.6744: tan(pi/4 - x) from tan(x)
    big_val = sign * (iy - _f32(2) * (x - ((w * w) / (w + iy) - r)))
    # iy = -1: -1/(x + r) with a correction term
    zh = (w.view(np.uint32) & np.uint32(0xFFFFF000)).view(_f32)
    vv = r - (zh - x)
    a = _f32(-1) / w
    t = (a.view(np.uint32) & np.uint32(0xFFFFF000)).view(_f32)
    ss = _f32(1) + t * zh
    inv_val = t + a * (ss + t * vv)
    out = np.where(big, big_val, np.where(iy == 1, w, inv_val))
    out = np.where(near, near_val, out)
    # |x| < 2**-13: x itself, or -1/x
    tiny = ix < 0x39000000
    tiny_val = np.where(iy == 1, x, np.where(ix == 0, _f32(1) / np.abs(x), _f32(-1) / x))
    return np.where(tiny, tiny_val, out)


def tan(x):
    """tan of a float32 array, bit-exact with XLA CPU's ``tan``.

    XLA's CPU backend lowers float32 ``tan`` to a call of the C library's ``tanf``, so JAX's bits depend on
    the host's libm. This is glibc's as in 2.36 (x86-64 build, no FMA; glibc 2.41 replaced it with a
    correctly rounded one): |x| <= pi/4 goes straight to the kernel; below 120 the argument is
    reduced in double with n = round(x·2/pi); above, by a 96-bit Payne-Hanek reduction; the reduced value
    is split into float hi + lo for the fdlibm kernel (odd polynomial in x², reflection about pi/4 above
    0.6744, -1/tan for odd n). Subnormal inputs come back unchanged (no flush: libm returns x itself)."""
    x = np.asarray(x, _f32)
    shape = x.shape
    x = x.reshape(-1)
    with np.errstate(all="ignore"):
        bits = x.view(np.uint32)
        ix = bits & np.uint32(0x7FFFFFFF)
        xd = x.astype(_f64)
        n = ((np.trunc(xd * _HPI_INV).astype(np.int32) + np.int32(0x800000)) >> 24)
        rd = xd - n.astype(_f64) * _HPI
        large = ((bits >> np.uint32(20)) & np.uint32(0x7FF)) > 0x42E
        if large.any():
            rl, nl = _tan_reduce_large(bits[large])
            rd[large] = np.where(x[large] < 0, -rl, rl)
            n[large] = nl.astype(np.int32)
        small = ix <= 0x3F490FDA
        y0 = np.where(small, x, rd.astype(_f32))
        y1 = np.where(small, _f32(0), _ftz((rd - y0.astype(_f64)).astype(_f32)))
        iy = np.where(small, _f32(1), (1 - ((n & 1) << 1)).astype(_f32))
        out = _tan_kernel(y0, y1, iy)
        return np.where(ix >= 0x7F800000, x - x, out).reshape(shape)


# --- erf: XLA's float32 rational approximation (ElementalIrEmitter::EmitErf / EmitErfF32) ----------
_ERF_P = [_c(b) for b in (0x39702D51, 0x3B5F5DA2, 0x3D50B6EB, 0x3E3DA740, 0x3F906EBA)]
_ERF_Q = [_c(b) for b in (0xB3FD3906, 0x37C588DF, 0x3A856D28, 0x3C6687D4, 0x3DE34C21, 0x3EFEB44A)]
# XLA has two emitters for it: inside a fusion (erf of a computed value, as in the samplers) the argument
# is clamped to ±3.7439 and the result is ±1 from there on; a lone ``erf`` of an input array runs a
# precompiled kernel without the clamp that switches to ±1 only from 3.8325 on.
_ERF_ONE_FUSED = _c(0x406F9C68)   # 3.7439...
_ERF_ONE_ALONE = _c(0x407547CB)   # 3.8325...


def _erf(x, one_from, clamp):
    x = _ftz(np.asarray(x, _f32))
    with np.errstate(all="ignore"):
        xc = np.clip(x, -one_from, one_from) if clamp else x   # (np.clip keeps nans, like llvm.maximum)
        x2 = _ftz(xc * xc)
        p = fma(x2, _ERF_P[0], _ERF_P[1])
        for c in _ERF_P[2:]:
            p = fma(x2, p, c)
        q = fma(x2, _ERF_Q[0], _ERF_Q[1])
        for c in _ERF_Q[2:] + [_f32(1)]:
            q = fma(x2, q, c)
        return _ftz(np.where(np.abs(x) >= one_from, np.copysign(_f32(1), x), (xc * p) / q))


def erf(x):
    """Error function of a float32 array, bit-exact with XLA CPU's ``erf`` inside a fused computation
    (e.g. ``jit(lambda x: lax.erf(x / 2))``, and jax.random.truncated_normal).

    XLA emits its own rational approximation: x·P(x²)/Q(x²) (degree 4 over degree 6 in x², Horner with
    FMAs, one division) on x clamped to ±3.7439, and ±1 from |x| ≥ 3.7439 on."""
    return _erf(x, _ERF_ONE_FUSED, True)


def erf_alone(x):
    """Like :func:`erf`, as XLA CPU computes a lone ``jit(lax.erf)`` of an input: no clamp, and ±1 only
    from |x| ≥ 3.8325 on (the two agree below 3.7439)."""
    return _erf(x, _ERF_ONE_ALONE, False)


tan, erf, erf_alone = _sliced(tan), _sliced(erf), _sliced(erf_alone)


# --- float64 fused multiply-add (XLA contracts float64 ``a * b + c`` into FMA as well) --------------------
_TWO_P27 = 134217729.0  # 2**27 + 1: Veltkamp's splitting constant for doubles


def _split(a):
    t = _TWO_P27 * a
    hi = t - (t - a)
    return hi, a - hi


def _in_range(x, limit):
    """Whether every element of x is finite with |x| < limit (nan fails the comparisons)."""
    return x.size == 0 or bool(x.min() > -limit) and bool(x.max() < limit)


def _fma64_fast(a, b, c):
    """fma64 when no element can overflow or underflow in the error-free transformations, else None."""
    if not (_in_range(a, 2.0 ** 995) and _in_range(b, 2.0 ** 995) and _in_range(c, 2.0 ** 1000)):
        return None
    with np.errstate(all="ignore"):
        p = a * b
        ap = np.abs(p)
        if ap.size and not (ap.min() > 2.0 ** -900 and ap.max() < 2.0 ** 1000):
            return None  # (tiny or zero products: the general path sorts them out)
        del ap
        ah, al = _split(a)
        bh, bl = _split(b)
        ep = ah * bh - p
        ep += ah * bl
        ep += al * bh
        ep += al * bl                                        # p + ep = a*b exactly
        del ah, al, bh, bl
        s = p + c
        bp = s - p
        es = (p - (s - bp)) + (c - bp)                       # s + es = p + c exactly
        del p, bp
        v = ep + es
        bv = v - ep
        ev = (ep - (v - bv)) + (es - bv)                     # v + ev = ep + es exactly
        del ep, es, bv
        # round v to odd: an inexact v with an even last bit moves one ulp toward the exact sum
        vi = v.view(np.int64)
        step = (ev != 0) & ((vi & 1) == 0)
        step = step.astype(np.int64) * np.where((ev > 0) == (v > 0), 1, -1)
        v = (vi + step).view(_f64)
        return np.asarray(s + v)


def fma64(a, b, c):
    """``a * b + c`` of float64 arrays with a single rounding.

    Error-free transformations (Dekker's product, Knuth's two-sum) give a·b + c = hi + (lo1 + lo2) exactly;
    ``hi + round_to_odd(lo1 + lo2)`` is then the correctly rounded result (Boldo & Melquiond). Elements
    where the splits could overflow or lose bits to underflow are computed with exact rationals."""
    a, b, c = np.asarray(a, _f64), np.asarray(b, _f64), np.asarray(c, _f64)
    fast = _fma64_fast(a, b, c)
    if fast is not None:
        return fast
    a, b, c = np.broadcast_arrays(a, b, c)
    with np.errstate(all="ignore"):
        p = a * b
        ah, al = _split(a)
        bh, bl = _split(b)
        ep = ((ah * bh - p) + ah * bl + al * bh) + al * bl   # p + ep = a*b
        s = p + c
        bp = s - p
        es = (p - (s - bp)) + (c - bp)                       # s + es = p + c
        v = ep + es
        bv = v - ep
        ev = (ep - (v - bv)) + (es - bv)                     # error of v
        odd = (v.view(np.int64) & 1) == 1
        nudge = (ev != 0) & ~odd & np.isfinite(v)
        v = np.where(nudge, np.nextafter(v, np.where(ev > 0, np.inf, -np.inf)), v)
        out = np.asarray(s + v)
        aa, ab, ac = np.abs(a), np.abs(b), np.abs(c)
        safe = ((aa < 2.0 ** 995) & (ab < 2.0 ** 995) & (ac < 2.0 ** 1000) & (np.abs(p) < 2.0 ** 1000)
                & ((np.abs(p) > 2.0 ** -900) | (p == 0) & ((aa == 0) | (ab == 0))))
        out = np.where(safe, out, p + c)
    finite = np.isfinite(a) & np.isfinite(b) & np.isfinite(c)
    hard = np.flatnonzero(~safe & finite)
    if hard.size:
        from fractions import Fraction
        out = np.array(out, _f64)
        flat = out.reshape(-1)
        for i, x, y, z in zip(hard, a.reshape(-1)[hard], b.reshape(-1)[hard], c.reshape(-1)[hard]):
            exact = Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z))
            try:
                r = float(exact)
            except OverflowError:
                r = np.inf if exact > 0 else -np.inf
            if r == 0:  # keep IEEE's sign of an exact zero sum
                r = float(x) * float(y) + float(z) if exact == 0 else (0.0 if exact > 0 else -0.0)
            flat[i] = r
    # a, b finite and c infinite: c (a*b + c in double could have made a nan from an overflowed product)
    out = np.where(np.isfinite(a) & np.isfinite(b) & ~np.isfinite(c), c, out)
    return out


def _flush(x, tiny):
    """Subnormals of a float array to zero of the same sign (only copies when there are any)."""
    x = np.asarray(x)
    if x.size and (np.abs(x) < tiny).any():
        x = np.where(np.abs(x) < tiny, np.copysign(x.dtype.type(0), x), x)
    return x


def fma_ftz(a, b, c):
    """``a * b + c`` in one rounding, float32 or float64 (the dtype of ``a``), as XLA's CPU code computes
    it: subnormal operands count as zero and a subnormal result is flushed to zero (DAZ/FTZ)."""
    dtype = np.result_type(a, b, c)
    a, b, c = (np.asarray(v, dtype) for v in (a, b, c))
    shape = np.broadcast_shapes(a.shape, b.shape, c.shape)
    size = int(np.prod(shape))
    if size <= _SLICE:
        return _fma_ftz(a, b, c)
    # large (jax.random.uniform's scaling of millions of values): slice by slice, as _sliced does
    ops = [v.reshape(()) if v.size == 1 else np.broadcast_to(v, shape).reshape(-1) for v in (a, b, c)]
    out = np.empty(size, dtype)
    for start in range(0, size, _SLICE):
        out[start:start + _SLICE] = _fma_ftz(*(v if v.ndim == 0 else v[start:start + _SLICE] for v in ops))
    return out.reshape(shape)


def _fma_ftz(a, b, c):
    tiny = np.finfo(a.dtype).tiny
    a, b, c = (_flush(v, tiny) for v in (a, b, c))
    return _flush(fma(a, b, c) if a.dtype == _f32 else fma64(a, b, c), tiny)


# --- rsqrt: the CPU's reciprocal square root estimate refined by one Newton step ------------------------
# XLA CPU emits float32 ``rsqrt`` (also what its simplifier makes of ``a / sqrt(b)``) as the x86
# ``rsqrtps`` estimate y0 (about 12 correct bits) followed by one Newton–Raphson step with FMAs:
# y = y0 + (-y0/2)·(y0·(x·y0) - 1). For x = 0, ±inf, a negative or a subnormal x it returns y0 itself.
# The estimate is a lookup table in silicon that differs between CPU vendors, so it cannot be written
# down once: the estimate is taken from the CPU this runs on, by executing the instruction itself from
# a few bytes of machine code (x86-64 only). Elsewhere, 1/sqrt rounded to nearest serves as the
# estimate, which is close but not XLA's bits.
_RSQRTPS_CODE = bytes([
    0x0F, 0x10, 0x07,          # movups xmm0, [rdi]
    0x0F, 0x52, 0xC0,          # rsqrtps xmm0, xmm0
    0x0F, 0x11, 0x06,          # movups [rsi], xmm0
    0x48, 0x83, 0xC7, 0x10,    # add rdi, 16
    0x48, 0x83, 0xC6, 0x10,    # add rsi, 16
    0x48, 0x83, 0xEA, 0x04,    # sub rdx, 4
    0x75, 0xE9,                # jnz (back to the first movups)
    0xC3])                     # ret
_rsqrtps_fn = None


def _rsqrt_code_fn(code, dtype):
    """``code`` (x86-64 machine code, System V arguments: src, dst, n) as a callable ``f(src_ptr, dst_ptr,
    n)``, checked on a probe of four values; or False when the host cannot run it."""
    try:
        import ctypes
        import mmap
        buf = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        buf.write(code)
        addr = ctypes.addressof(ctypes.c_char.from_buffer(buf))
        fn = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t)(addr)
        fn._buf = buf  # keep the mapping alive with the function
        probe = np.array([1.0, 4.0, 0.25, 2.0], dtype)
        out = np.empty(4, dtype)
        fn(probe.ctypes.data, out.ctypes.data, 4)
        return fn if np.allclose(out, 1 / np.sqrt(probe), rtol=1e-3) else False
    except (OSError, ValueError, AttributeError, TypeError):  # pragma: no cover
        return False


def _load_rsqrtps():
    """A callable ``f(src_ptr, dst_ptr, n)`` running ``rsqrtps`` over n (a multiple of 4) float32s, or
    False when the host cannot run it (not x86-64, or executable memory refused)."""
    global _rsqrtps_fn
    if _rsqrtps_fn is None:
        _rsqrtps_fn = False
        import platform
        import sys
        # the machine code takes its arguments in rdi, rsi, rdx: the System V calling convention
        # (Linux, macOS, BSD), not Windows'
        if platform.machine().lower() in ("x86_64", "amd64") and sys.platform != "win32":
            _rsqrtps_fn = _rsqrt_code_fn(_RSQRTPS_CODE, _f32)
    return _rsqrtps_fn


def rsqrt_estimate(x):
    """The CPU's ``rsqrtps`` estimate of 1/sqrt(x) for a float32 array (see above)."""
    x = np.asarray(x, _f32)
    fn = _load_rsqrtps()
    if not fn:
        with np.errstate(all="ignore"):
            return (1 / np.sqrt(x.astype(_f64))).astype(_f32)
    flat = x.reshape(-1)
    n = (flat.size + 3) // 4 * 4
    src = np.zeros(max(n, 4), _f32)
    src[:flat.size] = flat
    dst = np.empty_like(src)
    fn(src.ctypes.data, dst.ctypes.data, src.size)
    return dst[:flat.size].reshape(x.shape)


def rsqrt(x):
    """1/sqrt(x) of a float32 array, bit-exact with XLA CPU's float32 ``rsqrt`` on x86-64 (whose
    estimate instruction this runs; see above)."""
    x = _ftz(np.asarray(x, _f32))
    with np.errstate(all="ignore"):
        y0 = rsqrt_estimate(x)
        y = fma(_f32(-0.5) * y0, fma(y0, x * y0, _f32(-1)), y0)
        bits = x.view(np.uint32)
        special = (x == 0) | (bits & np.uint32(0x7FFFFFFF) == np.uint32(0x7F800000)) | (x < 0)
        return np.where(special, y0, y).astype(_f32, copy=False)


# --- pow: XLA CPU calls the C library's powf -----------------------------------------------------------
# For float32 ``pow`` XLA emits a call to ``powf`` of the process's C library (glibc's on Linux), run with
# flush-to-zero set, so subnormal results become zero. That function is called here too, element by element
# through ctypes (about half a microsecond per element); NumPy's own float32 power differs from it in
# the last bit for several percent of inputs.
_powf_fn = None


def _load_powf():
    global _powf_fn
    if _powf_fn is None:
        _powf_fn = False
        try:
            import ctypes
            import ctypes.util
            name = ctypes.util.find_library("m") or ctypes.util.find_library("c")
            lib = ctypes.CDLL(name)
            fn = lib.powf
            fn.restype, fn.argtypes = ctypes.c_float, [ctypes.c_float, ctypes.c_float]
            _powf_fn = np.frompyfunc(fn, 2, 1)
        except (OSError, AttributeError, TypeError):  # pragma: no cover
            _powf_fn = False
    return _powf_fn


def pow(x, y):  # noqa: A001 (XLA's name)
    """x**y of float32 arrays as XLA CPU computes it: the C library's ``powf``, subnormal results
    flushed to zero (its inputs are taken as they are: powf reads them as bits)."""
    x, y = np.broadcast_arrays(np.asarray(x, _f32), np.asarray(y, _f32))
    fn = _load_powf()
    with np.errstate(all="ignore"):
        if not fn or x.size == 0:
            return _ftz(np.power(x, y))
        return _ftz(np.asarray(fn(x, y), _f32).reshape(x.shape))


# --- float64: XLA CPU calls the C library's tan, erf and log; erf_inv is its own polynomial -------------
# (its optimised IR has separate multiplies and adds, but LLVM's code generator still fuses each add with
# the single-use product feeding it, so the Horner steps are FMAs). The C functions are called through ctypes, element by element
# (about half a microsecond each); without a loadable C math library, NumPy's/SciPy's versions are used.
_libm64 = {}


def _libm(name):
    """The C library's double ``name(double)`` as a NumPy ufunc over objects, or None."""
    if name not in _libm64:
        _libm64[name] = None
        try:
            import ctypes
            import ctypes.util
            lib = ctypes.CDLL(ctypes.util.find_library("m") or ctypes.util.find_library("c"))
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = ctypes.c_double, [ctypes.c_double]
            _libm64[name] = np.frompyfunc(fn, 1, 1)
        except (OSError, AttributeError, TypeError):  # pragma: no cover
            pass
    return _libm64[name]


def _call64(name, x, fallback):
    x = np.asarray(x, _f64)
    fn = _libm(name)
    with np.errstate(all="ignore"):
        if fn is None or x.size == 0:
            return np.asarray(fallback(x), _f64)
        return np.asarray(fn(x), _f64).reshape(x.shape)


def _ftz64(x):
    return _flush(np.asarray(x, _f64), np.finfo(_f64).tiny)


def tan64(x):
    """tan of a float64 array as XLA CPU computes it: the C library's ``tan`` (subnormals pass through)."""
    return _call64("tan", x, np.tan)


def erf64(x):
    """erf of a float64 array as XLA CPU computes it: the C library's ``erf`` with DAZ/FTZ."""
    def fallback(v):
        import scipy.special
        return scipy.special.erf(v)
    return _ftz64(_call64("erf", _ftz64(x), fallback))


def _h(s):
    return float.fromhex(s)


# log1p near 0: y - y²/2 + y³·P(y)/Q(y) (the same Cephes form as XLA's float32 log1p, double constants)
_LOG1P64_P = [_h(s) for s in ("0x1.7bc0962b395cap-15", "0x1.fe818a0fe1a83p-2", "0x1.a509f46f4fa53p+2",
                              "0x1.de9738b8cb9c9p+4", "0x1.e798eb86c3351p+5", "0x1.c8e7597479a10p+5",
                              "0x1.40a202d99830ap+4")]
_LOG1P64_Q = [1.0] + [_h(s) for s in ("0x1.e20359e903e37p+3", "0x1.4c30b52213498p+6", "0x1.bb86590fcfb56p+7",
                                      "0x1.351945dc908a5p+8", "0x1.b0db13e48e066p+7", "0x1.e0f304466448ep+5")]
_LOG1P64_SMALL = _h("0x1.a827999fcef32p-2")  # sqrt(2) - 1

# erf_inv: Giles' double-precision polynomials in w - 3.125 (w < 6.25), sqrt(w) - 3.25 (w < 16),
# sqrt(w) - 5 (else), w = -log1p(-x²)
_ERFINV64 = [[_h(s) for s in cs] for cs in (
    ("-0x1.135d2e746e627p-68", "-0x1.8ddf93324d327p-63", "0x1.7b83eef0b7c9fp-60", "0x1.9ba72cd589b91p-57",
     "-0x1.33689090a6b96p-53", "0x1.82e11898132e0p-56", "0x1.de4acfd9e26bap-48", "-0x1.6d33eed66c487p-45",
     "-0x1.6f2167040d8e2p-44", "0x1.72a22c2d77e20p-39", "-0x1.c8859c4e5c0afp-37", "-0x1.dc583d118a561p-35",
     "0x1.20f47ccf46b3cp-30", "-0x1.1a9e38dc84d60p-28", "-0x1.f36cd6d3d46a9p-26", "0x1.c6b4f5d03b787p-22",
     "-0x1.6e8a5434ae8a2p-20", "-0x1.d1d1f7b8736f6p-17", "0x1.879c2a212f024p-13", "-0x1.845769484fca8p-11",
     "-0x1.8b6c33114f909p-8", "0x1.ebd80d9b13e28p-3", "0x1.a755e7c99ae86p+0"),
    ("0x1.3040f87dbd932p-29", "0x1.85cbe52878635p-24", "-0x1.2777453dd3955p-22", "0x1.395abcd554c6cp-26",
     "0x1.936388a3790adp-20", "-0x1.0d5db812b5083p-18", "0x1.8860cd5d652f6p-19", "0x1.a29a0cacdfb23p-17",
     "-0x1.8cef1f80281f2p-15", "0x1.1e684d0b9188ap-14", "0x1.932cd54c8a222p-16", "-0x1.7448a89ef8aa3p-12",
     "0x1.f3cc55ad40c25p-11", "-0x1.ba924132f38b1p-10", "0x1.468eeca533cf8p-9", "-0x1.ebadabb891bbdp-9",
     "0x1.5ffcfe5b76afcp-8", "0x1.0158a6d641d39p+0", "0x1.8abcc380d5a48p+1"),
    ("-0x1.dcec3a7785389p-36", "-0x1.18feec0e38727p-32", "0x1.9e6bf2dda45e3p-30", "-0x1.0468fb24e2f5fp-28",
     "0x1.05ac6a8fba182p-27", "-0x1.0102e495fb9c0p-26", "0x1.f4c20e1334af8p-26", "-0x1.22d220fdf9c3ep-24",
     "0x1.ebc8bb824cb54p-23", "-0x1.0a8d40ea372ccp-20", "0x1.2fbd29d093d2bp-18", "-0x1.4a3497e1e0facp-16",
     "0x1.3ebf4eb00938fp-14", "-0x1.c2f36a8fc5d53p-13", "-0x1.22ea5df04047cp-13", "0x1.02a30d1fba0dcp+0",
     "0x1.3664ddd1ad7fbp+2"))]


def _log1p64(y):
    """XLA CPU's float64 log1p: the rational form for |y| < sqrt(2) - 1, else the C library's log(1 + y)."""
    with np.errstate(all="ignore"):
        small = np.abs(y) < _LOG1P64_SMALL
        out = np.empty_like(y)
        big = ~small
        if big.any():
            out[big] = _log64(y[big] + 1.0)
        ys = y[small]
        zero = ys * 0.0  # (XLA's Horner starts from 0·y + c: a nan or inf y stays nan; exact, no fma needed)
        p = zero + _LOG1P64_P[0]
        for c in _LOG1P64_P[1:]:
            p = fma64(p, ys, c)
        q = zero + _LOG1P64_Q[0]
        for c in _LOG1P64_Q[1:]:
            q = fma64(q, ys, c)
        y2 = ys * ys
        out[small] = ys + fma64(y2, -0.5, (ys * y2) * (p / q))
        return out


def erf_inv64(x):
    """Inverse error function of a float64 array, bit-exact with XLA CPU's float64 ``erf_inv``."""
    x = _ftz64(x)
    shape = x.shape
    x = x.reshape(-1)
    with np.errstate(all="ignore"):
        lw = _log1p64(-x * x)        # = -w
        lt625, lt16 = lw > -6.25, lw > -16.0
        z = np.where(lt625, -3.125 - lw, np.sqrt(-lw) - np.where(lt16, 3.25, 5.0))
        c625, c16, cbig = _ERFINV64
        n_terms = np.where(lt625, len(c625), np.where(lt16, len(c16), len(cbig)))
        p = np.where(lt625, c625[0], np.where(lt16, c16[0], cbig[0]))
        for i in range(1, 23):   # the three polynomials share one Horner loop, shorter ones end early
            ci = np.where(lt625, c625[i], np.where(lt16, c16[i] if i < 19 else np.nan,
                                                   cbig[i] if i < 17 else np.nan))
            p = np.where(i < n_terms, fma64(p, z, ci), p)
        out = np.where(np.abs(x) == 1.0, x * np.inf, x * p)
    return _ftz64(out).reshape(shape)


def _sliced64(fn):
    """``fn`` over a float64 array in cache-sized slices (elementwise, so the same values)."""
    def apply(x):
        x = np.asarray(x, _f64)
        if x.size <= _SLICE:
            return fn(x)
        flat = x.reshape(-1)
        out = np.empty(flat.shape, _f64)
        for start in range(0, flat.size, _SLICE):
            out[start:start + _SLICE] = fn(flat[start:start + _SLICE])
        return out.reshape(x.shape)
    apply.__name__, apply.__qualname__, apply.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
    return apply


erf_inv64 = _sliced64(erf_inv64)


# --- reductions and divisions as XLA CPU rewrites them -------------------------------------------------
# XLA's TreeReductionRewriter turns a reduction over a dimension longer than 32 into a reduce-window of
# 32-element windows (stride 32, the dimension padded "same": half the padding in front, the rest behind),
# followed by the reduction of the window results, again rewritten while it is longer than 32. Each window
# and each short reduction is then summed one element after the other from the initial value. float16 and
# bfloat16 sums run in float32 (XLA CPU has no half-precision adders) and are rounded once at the end.
# Bigger reductions (4096 elements or more) are handed to YNNPACK, whose order is another (ynn_reduce_sum).
_TREE_WINDOW = 32


def _sequential_sum(x):
    """Sum over the last axis, one element after the other, starting from 0."""
    acc = np.zeros(x.shape[:-1], x.dtype)
    for i in range(x.shape[-1]):
        acc += x[..., i]
    return acc


def _tree_sum_last(x):
    n = x.shape[-1]
    if n <= _TREE_WINDOW:
        return _sequential_sum(x)
    k = -(-n // _TREE_WINDOW)
    front = (k * _TREE_WINDOW - n) // 2
    padded = np.zeros(x.shape[:-1] + (k * _TREE_WINDOW,), x.dtype)
    padded[..., front:front + n] = x
    return _tree_sum_last(_sequential_sum(padded.reshape(x.shape[:-1] + (k, _TREE_WINDOW))))


def reduce_sum(x, axes):
    """Sum of a float array over ``axes`` in XLA CPU's order (see above; one axis: exact; several axes:
    NumPy's sum), with subnormal float32/float64 inputs and results flushed to zero. From 4096 elements
    on, YNNPACK's order (:func:`ynn_reduce_sum`)."""
    x = np.asarray(x)
    axes = tuple(axes)
    if not axes:
        return x
    if len(axes) == 1 and x.size >= YNN_MIN_ELEMENTS and x.dtype.kind == "f" and x.shape[axes[0]] > 1:
        return ynn_reduce_sum(x, axes[0])
    if len(axes) > 1 or x.dtype.kind == "c":
        with np.errstate(all="ignore"):
            return np.asarray(np.sum(x, axis=axes), x.dtype)
    dtype = x.dtype
    work = dtype if dtype in (_f32, _f64) else np.dtype(_f32)
    xs = np.moveaxis(x, axes[0], -1).astype(work, copy=False)
    if work == dtype:
        xs = _flush(xs, np.finfo(work).tiny)
    with np.errstate(all="ignore"):
        out = _tree_sum_last(xs)
        if work == dtype:
            return _flush(out, np.finfo(work).tiny)
        return out.astype(dtype)


def mul_reciprocal(x, y):
    """``x / y`` as XLA CPU computes a division by a broadcast or a constant: ``x * (1 / y)``, two
    roundings (float32/float64: subnormal operands and results flushed to zero; float16: each step in
    float32, rounded back; bfloat16: both steps in float32, one rounding at the end)."""
    x, y = np.asarray(x), np.asarray(y)
    dtype = np.result_type(x, y)
    with np.errstate(all="ignore"):
        if dtype in (_f32, _f64):
            tiny = np.finfo(dtype).tiny
            r = _flush(dtype.type(1) / _flush(y.astype(dtype, copy=False), tiny), tiny)
            return _flush(_flush(x.astype(dtype, copy=False), tiny) * r, tiny)
        r = _f32(1) / y.astype(_f32)
        if dtype == np.float16:
            r = r.astype(dtype).astype(_f32)
        return _ftz(x.astype(_f32) * r).astype(dtype)  # (bfloat16: float32 subnormals flushed first)


__all__ += ["reduce_sum", "mul_reciprocal"]


# --- float64 (x64): log, log1p, exp, pow and rsqrt as XLA CPU computes them ------------------------------
# XLA CPU emits float64 ``log`` and ``pow`` as calls of the C library's ``log`` and ``pow`` (one element at a
# time); ``log1p`` is the rational form near 0 (above) and ``log(1 + y)`` elsewhere; ``exp`` is XLA's own
# rational approximation (below); ``rsqrt`` is the AVX-512 ``vrsqrt14pd`` estimate refined by two Newton steps.
# NumPy's float64 ``np.log`` is its own SIMD code on AVX-512 hosts and differs from the C library's in the last
# bit for about 0.5% of inputs, so the C function is called: through Python's ``math.log`` (which calls the C
# library's ``log`` for finite positive arguments), about 0.15 us an element.
import math as _math  # noqa: E402


def _log64(x):
    x = _ftz64(x)   # (DAZ: a subnormal argument counts as zero)
    shape = x.shape
    flat = x.reshape(-1)
    with np.errstate(all="ignore"):
        regular = (flat > 0) & (flat < np.inf)
        if regular.all():
            return np.array(list(map(_math.log, flat.tolist())), _f64).reshape(shape)
        out = np.log(flat)  # 0 -> -inf, inf -> inf, negative or nan -> nan
        idx = np.flatnonzero(regular)
        out[idx] = list(map(_math.log, flat[idx].tolist()))
        return out.reshape(shape)


def log64(x):
    """Natural log of a float64 array as XLA CPU computes it: the C library's ``log`` (subnormal inputs
    count as zero)."""
    return _sliced64(_log64)(x)


def log1p64(x):
    """log(1 + x) of a float64 array as XLA CPU computes it: for |x| < sqrt(2) - 1 a rational
    approximation, y - y²/2 + y³·P(y)/Q(y) with FMA Horner steps; elsewhere the C library's log(1 + x)."""
    x = _ftz64(np.asarray(x, _f64))
    shape = x.shape
    out = _ftz64(_sliced64(_log1p64)(x.reshape(-1))).reshape(shape)
    return np.where(x == 0, x, out)   # (log1p(-0) = -0)


# exp: range reduction n = floor(x·log2(e) + 1/2), g = x - n·ln2 (ln2 in two parts), then the Padé form
# e**g = 1 + 2·g·P(g²) / (Q(g²) - g·P(g²)), scaled by 2**n in four multiplications by powers of two (so that
# results near the under- and overflow thresholds come out right); below -708.39 it is 0, above 709.78 inf.
_EXP64_HI = _h("0x1.62e42fefa39efp+9")        # 709.78...
_EXP64_LO = -_h("0x1.6232bdd7abcd2p+9")       # -708.39...
_EXP64_LOG2E = _h("0x1.71547652b82fep+0")
_EXP64_C1 = _h("0x1.62e4p-1")                 # ln2, high part (exact products with n)
_EXP64_C2 = _h("0x1.7f7d1cf79abcap-20")       # ln2 - C1
_EXP64_P = [_h("0x1.089cdd5e44be8p-13"), _h("0x1.f06d10cca2c7ep-6"), 1.0]
_EXP64_Q = [_h("0x1.92eb6bc365fa0p-19"), _h("0x1.4ae39b508b6c0p-9"), _h("0x1.d17099887e074p-3"), 2.0]


def _exp64(x):
    with np.errstate(all="ignore"):
        xc = np.clip(x, _EXP64_LO, _EXP64_HI)   # (nan stays nan)
        n = np.floor(fma64(xc, _EXP64_LOG2E, 0.5))
        g = fma64(-n, _EXP64_C2, xc - n * _EXP64_C1)   # (n·C1 is exact: a plain subtraction)
        g2 = g * g
        p = fma64(fma64(g2, _EXP64_P[0], _EXP64_P[1]), g2, _EXP64_P[2]) * g
        q = fma64(fma64(fma64(g2, _EXP64_Q[0], _EXP64_Q[1]), g2, _EXP64_Q[2]), g2, _EXP64_Q[3])
        y = (p / (q - p)) * 2.0 + 1.0     # (fma(r, 2, 1): r·2 is exact)
        ni = np.clip(np.nan_to_num(n, nan=-2099.0), -2099, 2099).astype(np.int64)
        b = ni >> 2
        s1 = ((b + 1023) << 52).view(_f64)
        s2 = ((ni - 3 * b + 1023) << 52).view(_f64)
        y = ((y * s1) * s1) * s1 * s2
        y = np.where(x < _EXP64_LO, 0.0, np.where(x > _EXP64_HI, np.inf, y))
        return _ftz64(y)


def exp64(x):
    """e**x of a float64 array, bit-exact with XLA CPU's float64 ``exponential`` (see above)."""
    x = _ftz64(np.asarray(x, _f64))
    return _sliced64(_exp64)(x)


_pow64_fn = None


def _load_pow64():
    global _pow64_fn
    if _pow64_fn is None:
        _pow64_fn = False
        try:
            import ctypes
            import ctypes.util
            lib = ctypes.CDLL(ctypes.util.find_library("m") or ctypes.util.find_library("c"))
            fn = lib.pow
            fn.restype, fn.argtypes = ctypes.c_double, [ctypes.c_double, ctypes.c_double]
            _pow64_fn = np.frompyfunc(fn, 2, 1)
        except (OSError, AttributeError, TypeError):  # pragma: no cover
            _pow64_fn = False
    return _pow64_fn


def pow64(x, y):
    """x**y of float64 arrays as XLA CPU computes it: the C library's ``pow``, subnormal results flushed
    to zero."""
    x, y = np.broadcast_arrays(np.asarray(x, _f64), np.asarray(y, _f64))
    fn = _load_pow64()
    with np.errstate(all="ignore"):
        if not fn or x.size == 0:
            return _ftz64(np.power(x, y))
        return _ftz64(np.asarray(fn(x, y), _f64).reshape(x.shape))


# rsqrt: y0 = vrsqrt14pd(x) (AVX-512: relative error below 2**-14, the same table on every AVX-512 CPU),
# then twice y = fma(-y0/2, fma(x·y0, y0, -1), y0); for x = ±0, ±inf, negative or subnormal x it is y0 itself.
# As for float32, the estimate is taken from the instruction, run from a few bytes of machine code; hosts
# without AVX-512 (where XLA emits other code, not reproduced here) get 1/sqrt(x).
_VRSQRT14PD_CODE = bytes([
    0xC5, 0xFD, 0x10, 0x07,                # vmovupd ymm0, [rdi]
    0x62, 0xF2, 0xFD, 0x28, 0x4E, 0xC0,    # vrsqrt14pd ymm0, ymm0
    0xC5, 0xFD, 0x11, 0x06,                # vmovupd [rsi], ymm0
    0x48, 0x83, 0xC7, 0x20,                # add rdi, 32
    0x48, 0x83, 0xC6, 0x20,                # add rsi, 32
    0x48, 0x83, 0xEA, 0x04,                # sub rdx, 4
    0x75, 0xE4,                            # jnz (back to the load)
    0xC5, 0xF8, 0x77,                      # vzeroupper
    0xC3])                                 # ret
_vrsqrt14pd_fn = None


def _has_avx512vl():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = line.split()
                    return "avx512f" in flags and "avx512vl" in flags
    except OSError:
        pass
    return False


def _load_vrsqrt14pd():
    global _vrsqrt14pd_fn
    if _vrsqrt14pd_fn is None:
        _vrsqrt14pd_fn = False
        import platform
        import sys
        if (platform.machine().lower() in ("x86_64", "amd64") and sys.platform.startswith("linux")
                and _has_avx512vl()):
            _vrsqrt14pd_fn = _rsqrt_code_fn(_VRSQRT14PD_CODE, _f64)
    return _vrsqrt14pd_fn


def rsqrt_estimate64(x):
    """The CPU's ``vrsqrt14pd`` estimate of 1/sqrt(x) for a float64 array (1/sqrt(x) without AVX-512)."""
    x = np.asarray(x, _f64)
    fn = _load_vrsqrt14pd()
    if not fn:
        with np.errstate(all="ignore"):
            return 1 / np.sqrt(x)
    flat = x.reshape(-1)
    n = max((flat.size + 3) // 4 * 4, 4)
    src = np.zeros(n, _f64)
    src[:flat.size] = flat
    dst = np.empty_like(src)
    fn(src.ctypes.data, dst.ctypes.data, n)
    return dst[:flat.size].reshape(x.shape)


def rsqrt64(x):
    """1/sqrt(x) of a float64 array, bit-exact with XLA CPU's float64 ``rsqrt`` on AVX-512 hosts."""
    x = _ftz64(np.asarray(x, _f64))   # (DAZ: the estimate of a subnormal is that of a zero, ±inf)
    with np.errstate(all="ignore"):
        y0 = rsqrt_estimate64(x)
        y = y0
        for _ in range(2):
            y = fma64(y * -0.5, fma64(x * y, y, -1.0), y)
        normal = (x >= np.finfo(_f64).tiny) & (x < np.inf)
        return np.where(normal | np.isnan(x), y, y0)


__all__ += ["log64", "log1p64", "exp64", "pow64", "rsqrt64"]


def div_of_quotients(a, b, c, d):
    """``(a / b) / (c / d)`` as XLA CPU computes it after its simplifier's rewrite: ``(a * d) / (b * c)``
    (float32/float64: subnormal operands and results flushed to zero; float16: each step in float32,
    rounded back)."""
    a, b, c, d = (np.asarray(v) for v in (a, b, c, d))
    dtype = np.result_type(a, b, c, d)
    with np.errstate(all="ignore"):
        if dtype in (_f32, _f64):
            tiny = np.finfo(dtype).tiny
            a, b, c, d = (_flush(v.astype(dtype, copy=False), tiny) for v in (a, b, c, d))
            return _flush(_flush(a * d, tiny) / _flush(b * c, tiny), tiny)
        a, b, c, d = (v.astype(_f32) for v in (a, b, c, d))
        return ((a * d).astype(dtype).astype(_f32) / (b * c).astype(dtype).astype(_f32)).astype(dtype)


__all__ += ["div_of_quotients"]


def sum_of_squares(x, axis):
    """``sum(x * x)`` over a short ``axis`` (1 to 4 long) as XLA CPU computes it when the squares are fused
    into the reduction loop (jnp.linalg.norm in jax.random.maxwell). LLVM unrolls the loop and contracts each
    ``acc + x[i]·x[i]`` into a fused multiply-add; in float32, allowed to reassociate, it starts from the
    second square: ``acc = x[1]·x[1]``, ``fma(x[0], x[0], acc)``, then ``fma(x[i], x[i], acc)`` for i ≥ 2; in
    float64 (as in maxwell's kernel) from the first, in order. Subnormals are flushed. (Longer axes vectorize
    differently: not reproduced.)"""
    x = np.moveaxis(np.asarray(x), axis, -1)
    n = x.shape[-1]
    if not 1 <= n <= 4:
        raise NotImplementedError(f"xla_math.sum_of_squares over an axis of length {n} (1 to 4 only)")
    tiny = np.finfo(x.dtype).tiny
    x = _flush(x, tiny)
    order = ([1, 0] if x.dtype == _f32 and n > 1 else [0, 1][:n]) + list(range(2, n))
    with np.errstate(all="ignore"):
        acc = _flush(x[..., order[0]] * x[..., order[0]], tiny)
        for i in order[1:]:
            acc = fma_ftz(x[..., i], x[..., i], acc)
    return np.asarray(acc, x.dtype)


__all__ += ["sum_of_squares"]


def mul_pow_neg(x, b, c, shape=None):
    """``x / pow(b, c)`` as XLA CPU computes it after its simplifier's rewrite: ``x * pow(b, -c)`` (the C
    library's pow; ``shape``: the power's value reshaped to broadcast against ``x``, as broadcast_in_dim
    would). float16: pow in float32, each step rounded."""
    x, b, c = np.asarray(x), np.asarray(b), np.asarray(c)
    dtype = x.dtype
    with np.errstate(all="ignore"):
        if dtype == _f64:
            r = pow64(b, -c)
        else:
            r = pow(b.astype(_f32), -c.astype(_f32)).astype(dtype)
        if shape is not None:
            r = r.reshape(shape)
        if dtype in (_f32, _f64):
            tiny = np.finfo(dtype).tiny
            return _flush(_flush(x, tiny) * r, tiny).astype(dtype, copy=False)
        return (x.astype(_f32) * r.astype(_f32)).astype(dtype)


__all__ += ["mul_pow_neg"]


# --- YNNPACK: the library XLA CPU hands big reductions to ----------------------------------------------
# From 4096 elements on, XLA CPU (jaxlib 0.10.2) turns a reduce (sum, max, min) into a "__ynn_fusion"
# custom fusion run by YNNPACK (XNNPACK's successor): an instruction joins such a fusion when it or one of
# its operands has at least 4096 elements, and the elementwise ops around the reduction that YNNPACK
# supports (float32/float64/bfloat16 add, multiply, exp, log, ...) are pulled in with it. YNNPACK has its
# own exp and log (polynomials on [-ln2/2, ln2/2] and on [sqrt(2)/2, sqrt(2)], with FMAs) and adds in its
# own order. The functions below repeat them, established from YNNPACK's sources and checked bit for bit
# against jitted JAX functions whose HLO shows the fusion (tests/test_random_exact.py). The CPU runs with
# subnormals flushed (FTZ/DAZ), as in the rest of XLA's code.
_YNN_EXP_P = [-4.9866619520e-05, 2.2773783712e-04, 1.4132461511e-03, 8.3242934197e-03, 4.1665628552e-02,
              1.6666725278e-01, 4.9999994040e-01]
_YNN_EXP_P64 = [2.119890244143296032e-09, 2.521079371356939368e-08, 2.755585399809175769e-07,
                2.755675838881680360e-06, 2.480158976814372031e-05, 1.984127071808468106e-04,
                1.388888888680978647e-03, 8.333333332743943569e-03, 4.166666666668113195e-02,
                1.666666666666796748e-01, 4.999999999999995559e-01]
_YNN_LOG_P = [-5.2293352783e-03, -3.3127889037e-01, -4.9999964237e-01]
_YNN_LOG_Q = [3.9658042789e-01, 1.3292170763e+00, 1.0]
_YNN_LOG_P64 = [-2.956046447212538203e-03, -6.691314126082094360e-02, -4.289980732181625789e-01,
                -1.110965361416291097e+00, -1.242991301338429500e+00, -4.999999999999990008e-01]
_YNN_LOG_Q64 = [3.009181610003072455e-03, 7.942469932969810353e-02, 6.369060590899747742e-01,
                2.230802780023532605e+00, 3.823696902394678077e+00, 3.152649269343555716e+00, 1.0]


def _ynn_poly(p, x, x2, fma_):
    """YNNPACK's polynomial evaluation (coefficients highest degree first) in two interleaved Horner
    chains on x²: even-indexed and odd-indexed coefficients, joined by one last multiply-add."""
    t = x.dtype.type
    y0 = np.full(x.shape, t(p[0]))
    y1 = np.full(x.shape, t(p[1]))
    for i in range(2, len(p), 2):
        y0 = fma_(x2, y0, t(p[i]))
        if i + 1 < len(p):
            y1 = fma_(x2, y1, t(p[i + 1]))
    return fma_(x, y1, y0) if len(p) % 2 else fma_(x, y0, y1)


def _ynn_flush(x):
    return _flush(np.asarray(x), np.finfo(np.asarray(x).dtype).tiny)


def ynn_exp(x):
    """e**x of a float32 or float64 array as YNNPACK computes it: b = round(x·log2(e)) (x clamped to the
    finite range), r = x - b·ln2 in two FMA steps, exp(r) - 1 = r + r²·P(r), and the result
    2**b + 2**b·(exp(r) - 1) in one FMA, 2**b built from bits (so b = -127 gives exactly 0)."""
    x = _ynn_flush(np.asarray(x))
    if x.dtype == _f64:
        t, p, fma_, ln2_hi, ln2_lo = _f64, _YNN_EXP_P64, fma64, 6.93147180369123816490e-01, 1.90821492927058770002e-10
        lo, hi, bias, mant, itype = -709.0895657128241, 709.782712893384, 1023, 52, np.uint64
    elif x.dtype == _f32:
        t, p, fma_, ln2_hi, ln2_lo = _f32, _YNN_EXP_P, fma, 6.9314575195e-01, 1.4286067653e-06
        lo, hi, bias, mant, itype = -88.02969360351562, 88.72283935546875, 127, 23, np.uint32
    else:
        raise NotImplementedError(f"xla_math.ynn_exp for {x.dtype} (float32 and float64 only)")
    with np.errstate(all="ignore"):
        xc = np.minimum(np.maximum(x, t(lo)), t(hi))  # (NaN stays NaN)
        magic = t(1.5 * 2.0 ** mant)
        b = (magic + xc * t(1.4426950408889634)) - magic
        r = fma_(b, t(-ln2_hi), xc)
        r = fma_(b, t(-ln2_lo), r)
        e2 = ((b + t(bias + 2.0 ** mant)).view(itype) << itype(mant)).view(t)
        e2 = np.where(np.isnan(x), x, e2)
        r2 = r * r
        expm1_r = fma_(r2, _ynn_poly(p, r, r2, fma_), r)
        y = fma_(e2, expm1_r, e2)
        return _ynn_flush(np.where(np.isinf(e2), e2, y).astype(t, copy=False))


def ynn_log(x):
    """Natural log of a float32 or float64 array as YNNPACK computes it: x = 2**e·m with m in
    [sqrt(2)/2, sqrt(2)] (e from the exponent bits, as the CPU's getexp), r = m - 1,
    log(m) = r + r²·P(r)/Q(r), the result e·ln2 + log(m) in one FMA. Subnormal inputs count as zero."""
    x = _ynn_flush(np.asarray(x))
    if x.dtype == _f64:
        t, p, q, fma_, itype, mant, bias = _f64, _YNN_LOG_P64, _YNN_LOG_Q64, fma64, np.uint64, 52, 1023
    elif x.dtype == _f32:
        t, p, q, fma_, itype, mant, bias = _f32, _YNN_LOG_P, _YNN_LOG_Q, fma, np.uint32, 23, 127
    else:
        raise NotImplementedError(f"xla_math.ynn_log for {x.dtype} (float32 and float64 only)")
    with np.errstate(all="ignore"):
        bits = x.view(itype)
        one = np.array(1, t).view(itype)
        e = ((bits >> itype(mant)) & itype(2 * bias + 1)).astype(np.int64) - bias  # (x > 0 normal here)
        e = np.where(x == 0, -np.inf, np.where(np.isinf(x), np.inf, e)).astype(t)
        e = np.where((x < 0) | np.isnan(x), t(np.nan), e)
        m = ((bits & itype((1 << mant) - 1)) | one).view(t)
        large = m > t(1.41421356237309504880)
        e = np.where(large, e + t(1), e)
        m = np.where(large, m * t(0.5), m)
        r = m - t(1)
        r2 = r * r
        log_m = fma_(r2, _ynn_poly(p, r, r2, fma_) / _ynn_poly(q, r, r2, fma_), r)
        return _ynn_flush(fma_(e, t(6.93147180559945309e-01), log_m).astype(t, copy=False))


def _ynn_kahan(a, acc, err):
    y = a - err
    s = acc + y
    err = (s - acc) - y
    return s, np.where(np.isfinite(err), err, 0).astype(s.dtype, copy=False)


def _ynn_sum_k1(x, pairs=False, square=False):
    """Sums over the last (contiguous) axis of a 2-D float32/float64 array as YNNPACK's ``sum_float_k1``
    kernel for AVX-512 adds: each row in 64-byte vectors (16 float32 or 8 float64 lanes); blocks of four
    vectors are summed lane by lane and added to a first accumulator, which joins a second one every 16
    (and at the end), which joins a third with Kahan summation every 256 vectors (and at the end); the
    lanes of the third are added as a tree (halves, then quarters, ...).

    ``pairs``: bfloat16 values (given as float32), which the kernel reads 32 at a time, each float32 lane
    adding a pair, the odd element first (``vdpbf16ps``); ``square``: their squares (exact in float32)."""
    rows, k = x.shape
    lanes = 64 // x.dtype.itemsize
    width = 2 * lanes if pairs else lanes  # the elements one vector of lanes takes in
    block = 4 * width
    pad = -k % block
    if pad:
        x = np.concatenate([x, np.zeros((rows, pad), x.dtype)], axis=1)
    acc0, acc1, acc2, err = (np.zeros((rows, lanes), x.dtype) for _ in range(4))

    def accumulate(clock, acc0, acc1, acc2, err):
        if clock % 16 == 0:
            acc1, acc0 = acc1 + acc0, np.zeros_like(acc0)
            if clock % 256 == 0:
                (acc2, err), acc1 = _ynn_kahan(acc1, acc2, err), np.zeros_like(acc1)
        return acc0, acc1, acc2, err

    def add_block(pos, acc0):
        if pairs:
            local = np.zeros((rows, lanes), x.dtype)
            for j in range(4):
                v = x[:, pos + j * width:pos + (j + 1) * width].reshape(rows, lanes, 2)
                odd, even = (v[..., 1], v[..., 0]) if not square else (v[..., 1] ** 2, v[..., 0] ** 2)
                local = _ynn_flush(_ynn_flush(local + _ynn_flush(odd)) + _ynn_flush(even))
            return acc0 + local
        local = x[:, pos:pos + lanes] + x[:, pos + lanes:pos + 2 * lanes]  # (0 + v0 + v1: the same)
        local = local + x[:, pos + 2 * lanes:pos + 3 * lanes]
        return acc0 + (local + x[:, pos + 3 * lanes:pos + 4 * lanes])

    pos, clock, left = 0, 0, k
    while left >= 4 * block:  # unrolled by four, one clock step of 4 * lanes
        for _ in range(4):
            acc0 = add_block(pos, acc0)
            pos += block
        left -= 4 * block
        clock += 4 * lanes
        acc0, acc1, acc2, err = accumulate(clock, acc0, acc1, acc2, err)
    while left >= block:
        acc0 = add_block(pos, acc0)
        pos += block
        left -= block
        clock += lanes
        acc0, acc1, acc2, err = accumulate(clock, acc0, acc1, acc2, err)
    if left > 0:
        acc0 = add_block(pos, acc0)
    acc0, acc1, acc2, err = accumulate(0, acc0, acc1, acc2, err)
    while acc2.shape[1] > 1:
        h = acc2.shape[1] // 2
        acc2 = acc2[:, :h] + acc2[:, h:]
    return x.dtype.type(0) + acc2[:, 0]


def _ynn_sum_kn(x):
    """Sums over the first axis of a 2-D array (k, n) whose other axis is contiguous, as YNNPACK's
    ``sum_float_kn`` kernel adds: up to four rows at a time summed in order; with more than four rows
    each group of four joins a first accumulator, which joins a second one every 16 rows, which joins a
    third with Kahan summation every 256 (and both at the end)."""
    k, n = x.shape
    t = x.dtype.type

    def four(rows):
        acc = t(0) + rows[0]
        for row in rows[1:]:
            acc = acc + row
        return acc

    if k <= 4:
        return t(0) + four(x)
    acc0, acc1, acc2, err = (np.zeros(n, x.dtype) for _ in range(4))
    clock, pos = 0, 0
    while k - pos >= 4:
        acc0 = acc0 + four(x[pos:pos + 4])
        pos += 4
        clock += 4
        if clock % 16 == 0:
            acc1, acc0 = acc1 + acc0, np.zeros_like(acc0)
            if clock % 256 == 0:
                (acc2, err), acc1 = _ynn_kahan(acc1, acc2, err), np.zeros_like(acc1)
    if pos < k:
        acc0 = acc0 + four(x[pos:])
    acc1 = acc1 + acc0
    acc2, err = _ynn_kahan(acc1, acc2, err)
    return t(0) + acc2


YNN_MIN_ELEMENTS = 4096
_YNN_BLOCK = 32768


def ynn_reduce_sum(x, axis, bf16_squares=False):
    """Sum of a float array over one ``axis`` in YNNPACK's order (float32/float64; float16 summed in
    float32 and rounded once), subnormal inputs and results flushed to zero. A bfloat16 ``x`` is summed
    as YNNPACK sums a float32 conversion of bfloat16 values (the bfloat16 kernel, which adds pairs), in
    float32, or, with ``bf16_squares``, their float32 squares (``sum(square(float32(x)))``): float32
    results."""
    x = np.asarray(x)
    dtype = x.dtype
    pairs = dtype == dtypes_bfloat16()
    if bf16_squares and not pairs:
        raise ValueError("xla_math.ynn_reduce_sum: bf16_squares needs a bfloat16 array")
    work = dtype if dtype in (_f32, _f64) else np.dtype(_f32)
    x = _ynn_flush(x.astype(work, copy=False))
    shape = x.shape
    outer, k, inner = _math.prod(shape[:axis]), shape[axis], _math.prod(shape[axis + 1:])
    x = x.reshape(outer, k, inner)
    with np.errstate(all="ignore"):
        if inner == 1:
            # XLA's runtime splits a longer row into blocks of 32768 and adds the blocks' sums to the
            # result. With more than two blocks its worker threads take blocks as they come free and each
            # adds up its own first (on two threads, when they alternate: even blocks + odd blocks), an
            # order that depends on the thread count and timing: not reproduced (blocks in order here).
            out = _ynn_sum_k1(x[:, :_YNN_BLOCK, 0], pairs, bf16_squares)
            for start in range(_YNN_BLOCK, k, _YNN_BLOCK):
                out = out + _ynn_sum_k1(x[:, start:start + _YNN_BLOCK, 0], pairs, bf16_squares)
        elif pairs:
            raise NotImplementedError("xla_math.ynn_reduce_sum of bfloat16 values over an axis other than the last")
        else:
            out = np.stack([_ynn_sum_kn(x[i]) for i in range(outer)])
        out = _ynn_flush(out).reshape(shape[:axis] + shape[axis + 1:])
    return out if pairs else out.astype(dtype, copy=False)


def dtypes_bfloat16():
    import ml_dtypes
    return np.dtype(ml_dtypes.bfloat16)


__all__ += ["ynn_exp", "ynn_log", "ynn_reduce_sum", "YNN_MIN_ELEMENTS"]


# --- matrix products: the summation orders of XLA CPU's dot strategies ---------------------------------
# XLA CPU picks an implementation for each dot by its shape: YNNPACK when a dimension reaches 8 (and the
# product is not a matrix-vector one), a tiled LLVM matrix-vector kernel when one side is a vector, and a
# plain loop nest (which LLVM then vectorizes) for small products. Each adds the k products in its own
# order, with or without fused multiply-adds; ``dot_nt`` reproduces the orders measured on jaxlib 0.10.2's
# x86-64 CPU code (256-bit vectors) for ``x @ y.T`` with a square ``y`` (jax.random.multivariate_normal's
# ``factor @ normals``). Subnormals are flushed (DAZ/FTZ), as in XLA's runtime.

def _dot_chain(x, y, ks, acc=None):
    """acc[i, j] = fma(x[i, k], y[j, k], acc[i, j]) for k in ``ks`` in turn, from +0."""
    if acc is None:
        acc = np.zeros((x.shape[0], y.shape[0]), x.dtype)
    for k in ks:
        acc = fma_ftz(x[:, None, k], y[None, :, k], acc)
    return acc


def _products(x, y):
    """The rounded products p[i, j, k] = x[i, k] * y[j, k] (the vector multiplies of XLA's kernels)."""
    tiny = np.finfo(x.dtype).tiny
    return _flush(_flush(x, tiny)[:, None, :] * _flush(y, tiny)[None, :, :], tiny)


def _sum_left(p, acc=None):
    """Products added one after the other (each sum rounded), over the last axis."""
    tiny = np.finfo(p.dtype).tiny
    for k in range(p.shape[-1]):
        acc = p[..., k] if acc is None else _flush(acc + p[..., k], tiny)
    return acc


def _sum_split_tree(p):
    """Pairwise sums over the last axis, split at the largest power of two below the length."""
    n = p.shape[-1]
    if n == 1:
        return p[..., 0]
    h = 1 << (n - 1).bit_length() - 1
    return _flush(_sum_split_tree(p[..., :h]) + _sum_split_tree(p[..., h:]), np.finfo(p.dtype).tiny)


def _hsum(lanes, adjacent):
    """A vector register's lanes summed: neighbours first (``adjacent``: (l0+l1)+(l2+l3)...) or halves
    first (l0+l4, l1+l5, ... then again)."""
    tiny = np.finfo(lanes[0].dtype).tiny
    while len(lanes) > 1:
        h = len(lanes) // 2
        pairs = [(2 * i, 2 * i + 1) for i in range(h)] if adjacent else [(i, i + h) for i in range(h)]
        lanes = [_flush(lanes[a] + lanes[b], tiny) for a, b in pairs]
    return lanes[0]


def _gemv(x, y):
    """XLA's tiled row-major matrix-vector kernel: ``y @ x[0]``, rows in tiles of 8. Each vector lane
    accumulates every W-th product with FMAs (W = 8 float32 / 4 float64 lanes); the lanes are summed
    (full tiles: neighbours first in float32, halves first in float64; the last, partial tile halves
    first, but neighbours first for a 4-row float64 tile); the k % W trailing products make their own FMA
    chain, added last."""
    n, k = y.shape
    w = 8 if x.dtype == _f32 else 4
    main = k - k % w
    out = np.zeros((1, n), x.dtype)
    tiny = np.finfo(x.dtype).tiny
    tail = _dot_chain(x, y, range(main, k))
    if not main:
        return tail
    lanes = [_dot_chain(x, y, range(i, main, w)) for i in range(w)]
    full = n - n % 8
    rows = [(slice(0, full), x.dtype == _f32), (slice(full, n), x.dtype == _f64 and n - full == 4)]
    for sl, adjacent in rows:
        out[:, sl] = _flush(_hsum([l[:, sl] for l in lanes], adjacent) + tail[:, sl], tiny)
    return out


# Row counts for which YNNPACK's float64 kernel choice for k <= 4 rounds each product and adds them in
# order (measured for m up to 129 and a few larger ones on a 2-core x86-64 host; its tiling, and so this
# list, may depend on the machine)
_YNN_F64_ROUNDED_ROWS = frozenset({11, 12, 17, 18, 41, 42})


def dot_nt(x, y):
    """``x @ y.T`` (x: (m, k), y: (k, k), float32 or float64) with XLA CPU's summation order, or None where
    it is not reproduced (float32 products with k >= 8 and m >= 2, handed to YNNPACK)."""
    m, k = x.shape
    if y.shape != (k, k) or m == 0 or k == 0 or x.dtype not in (_f32, _f64) or y.dtype != x.dtype:
        return None
    with np.errstate(all="ignore"):
        if m == 1:
            return _gemv(x, y)
        if max(m, k) >= 8:  # YNNPACK
            if x.dtype == _f64:
                if k <= 4 and m in _YNN_F64_ROUNDED_ROWS:
                    return _sum_left(_products(x, y))
                return _dot_chain(x, y, range(k))
            return _sum_split_tree(_products(x, y)) if k < 8 else None
        # the loop nest: float32 (and float64 below 4) contracts into FMAs; float64 from 4 on, LLVM
        # vectorizes over the output columns (4 then 2 at a time, products rounded, added in order); in a
        # last lone column (k odd), rows taken 4 at a time sum their first four products pairwise
        if x.dtype == _f32 or k < 4:
            return _dot_chain(x, y, range(k))
        p = _products(x, y)
        out = _sum_left(p)
        r = m - m % 4
        if k % 2 and r:
            tiny = np.finfo(x.dtype).tiny
            q = p[:r, -1, :]
            first = _flush(_flush(q[:, 0] + q[:, 1], tiny) + _flush(q[:, 2] + q[:, 3], tiny), tiny)
            out[:r, -1] = _sum_left(q[:, 4:], first)
        return out


__all__ += ["dot_nt"]
