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
import threading

import numpy as np

__all__ = ["fma", "log", "log1p", "exp", "erf_inv", "exact", "enabled"]

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
    """Flush subnormals to zero of the same sign: XLA's CPU runtime runs with FTZ and DAZ set."""
    return np.where(np.abs(x) < _MIN_NORMAL, np.copysign(_f32(0), x), x).astype(_f32, copy=False)


def fma(a, b, c):
    """``a * b + c`` with a single rounding to float32 (the x86 ``vfmadd`` / AArch64 ``fmla`` result)."""
    p = np.multiply(a, b, dtype=_f64)  # exact: 24 + 24 significand bits fit in 53
    s = p + c
    # s is the sum rounded to nearest double. Rounding it again to float32 can only go wrong when s sits
    # exactly half-way between two float32 values and the rounding of the sum was inexact: then step s
    # one double ulp toward the exact sum (round to odd), which breaks the tie the right way.
    tie = (np.asarray(s).view(np.int64) & 0x1FFFFFFF) == 0x10000000
    if tie.any():
        shape = np.shape(s)
        s = np.array(s, _f64).reshape(-1)
        tie = tie.reshape(-1)
        pi = np.broadcast_to(p, shape).reshape(-1)[tie]
        ci = np.broadcast_to(np.asarray(c, _f64), shape).reshape(-1)[tie]
        si = s[tie]
        bp = si - pi
        err = (pi - (si - bp)) + (ci - bp)
        nudge = np.isfinite(err) & (err != 0)
        si[nudge] = np.nextafter(si[nudge], np.where(err[nudge] > 0, np.inf, -np.inf))
        s[tie] = si
        s = s.reshape(shape)
    return np.asarray(s).astype(_f32)


# --- log: Eigen's plog_float (Cephes logf), as XLA's CPU backend emits it for kLog ------------------
_LOG_P = [_c(0x3D9021BB), _c(0xBDEBD1B8), _c(0x3DEF251A),   # 7.0376836292e-2, -1.1514610310e-1, ...
          _c(0xBDFE5D4F), _c(0x3E11E9BF), _c(0xBE2AAE50),
          _c(0x3E4CCEAC), _c(0xBE7FFFFC), _c(0x3EAAAAAA)]
_LOG_Q1 = _c(0xB95E8083)   # -2.12194440e-4
_LOG_Q2 = _c(0x3F318000)   # 0.693359375
_SQRTHF = _c(0x3F3504F3)
_MIN_NORMAL = _c(0x00800000)


def _log_core(x):
    """The polynomial part of XLA's float32 log for x > 0 finite (inputs below the smallest normal are
    treated as the smallest normal, as XLA does)."""
    x = np.maximum(x, _MIN_NORMAL)
    bits = x.view(np.uint32)
    m = ((bits & np.uint32(0x807FFFFF)) | np.uint32(0x3F000000)).view(_f32)   # mantissa in [0.5, 1)
    e = ((bits >> np.uint32(23)).astype(np.int32) - 127).astype(_f32) + _f32(1)
    small = m < _SQRTHF
    e = e - np.where(small, _f32(1), _f32(0))
    x = (m - _f32(1)) + np.where(small, m, _f32(0))
    x2 = x * x
    x3 = x2 * x
    y = fma(fma(_LOG_P[0], x, _LOG_P[1]), x, _LOG_P[2])
    y1 = fma(fma(_LOG_P[3], x, _LOG_P[4]), x, _LOG_P[5])
    y2 = fma(fma(_LOG_P[6], x, _LOG_P[7]), x, _LOG_P[8])
    y = fma(y, x3, y1)
    y = fma(y, x3, y2)
    y = fma(y, x3, e * _LOG_Q1)
    r = fma(x2, _f32(-0.5), x) + y
    return fma(e, _LOG_Q2, r)


def _log_specials(x, r):
    """XLA's log edge cases: log(0) = -inf, log(inf) = inf, log(x < 0) = log(nan) = nan."""
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


def log1p(x):
    """log(1 + x) of a float32 array, bit-exact with XLA CPU's ``log-plus-one``.

    For |x| < 0.41421357: x - x²/2 + x³·P(x)/Q(x) (Cephes, Horner with FMAs); elsewhere XLA's log(1 + x)."""
    x = _ftz(np.asarray(x, _f32))
    with np.errstate(all="ignore"):
        xp1 = x + _f32(1)
        large = _log_specials(xp1, _log_core(xp1))
        x2 = x * x
        num = np.full(x.shape, _LOG1P_P[0], _f32)
        den = np.full(x.shape, _LOG1P_Q[0], _f32)
        for c in _LOG1P_P[1:]:
            num = fma(num, x, c)
        for c in _LOG1P_Q[1:]:
            den = fma(den, x, c)
        small = x + fma(x2, _f32(-0.5), (x * x2) * (num / den))
        return _ftz(np.where(np.abs(x) < _LOG1P_SMALL, small, large))


# --- exp: Eigen's pexp_float (Cephes expf) as XLA's CPU backend emits it for kExp ---------------------
_EXP_P = [_c(0x39506967), _c(0x3AB743CE), _c(0x3C088908), _c(0x3D2AA9C1), _c(0x3E2AAAAA), _f32(0.5)]
_LOG2E = _c(0x3FB8AA3B)


def exp(x):
    """e**x of a float32 array, bit-exact with XLA CPU's ``exponential``.

    x is clamped to [-87.8, 88.8]; n = floor(x·log2(e) + 1/2) clamped to [-127, 127]; r = x - n·ln2 in
    two FMA steps; exp(r) = 1 + (r + r²·P(r)); the result is that times 2**n built from bits (so an n of
    -127 gives exactly 0)."""
    x = _ftz(np.asarray(x, _f32))
    with np.errstate(all="ignore"):
        x = np.where(x < _f32(-87.8), _f32(-87.8), np.where(x > _f32(88.8), _f32(88.8), x))
        n = np.floor(fma(x, _LOG2E, _f32(0.5)))
        n = np.clip(n, _f32(-127), _f32(127))
        r = fma(-n, _LOG_Q2, x)
        r = fma(-n, _LOG_Q1, r)
        p = np.full(x.shape, _EXP_P[0], _f32)
        for c in _EXP_P[1:]:
            p = fma(p, r, c)
        y = fma(p, r * r, r) + _f32(1)
        scale = ((np.nan_to_num(n).astype(np.int32) + 127) << 23).view(_f32)
        return _ftz(y * scale)


# --- erf_inv: XLA's ErfInv32 (Giles' single-precision approximation) --------------------------------
_ERFINV_SMALL = [_f32(c) for c in (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                                    0.00021858087, -0.00125372503, -0.00417768164, 0.246640727,
                                    1.50140941)]
_ERFINV_LARGE = [_f32(c) for c in (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
                                    0.00573950773, -0.0076224613, 0.00943887047, 1.00167406,
                                    2.83297682)]


def erf_inv(x):
    """Inverse error function of a float32 array, bit-exact with XLA's float32 ``erf_inv`` on CPU.

    w = -log1p(-x²) (XLA's log1p above); p = Horner-with-FMA polynomial in w - 2.5 (w < 5) or
    sqrt(w) - 3; result p·x, and ±inf at x = ±1."""
    x = _ftz(np.asarray(x, _f32))
    with np.errstate(all="ignore"):
        w = -log1p(x * -x)
        lt5 = w < _f32(5)
        z = np.where(lt5, w - _f32(2.5), np.sqrt(w) - _f32(3))
        p = np.where(lt5, _ERFINV_SMALL[0], _ERFINV_LARGE[0])
        for cs, cl in zip(_ERFINV_SMALL[1:], _ERFINV_LARGE[1:]):
            p = fma(p, z, np.where(lt5, cs, cl))
        return _ftz(np.where(np.abs(x) == _f32(1), x * _f32(np.inf), p * x))


# --- large arrays run in cache-sized slices -----------------------------------------------------------
# Each function above makes a dozen or more float64/float32 temporaries; on a big array every one is a
# fresh allocation (page faults) streamed through memory. Elementwise as they are, they give the same
# bits slice by slice, and slices of this many elements keep the temporaries in cache.
_SLICE = 1 << 14


def _sliced(fn):
    def apply(x):
        x = np.asarray(x, _f32)
        if x.size <= _SLICE:
            return fn(x)
        flat = x.reshape(-1)
        out = np.empty(flat.shape, _f32)
        for start in range(0, flat.size, _SLICE):
            out[start:start + _SLICE] = fn(flat[start:start + _SLICE])
        return out.reshape(x.shape)
    apply.__name__, apply.__qualname__, apply.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
    return apply


log, log1p, exp = _sliced(log), _sliced(log1p), _sliced(exp)
erf_inv = _sliced(erf_inv)  # (calls the sliced log1p on each slice: a no-op wrapper there)
