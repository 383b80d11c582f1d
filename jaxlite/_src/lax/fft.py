"""fft: the discrete Fourier transform primitive (``jax.lax.fft``), on NumPy's pocketfft.

``fft_p`` transforms the trailing ``len(fft_lengths)`` dimensions. Like XLA's FFT, the inverse
transforms (IFFT, IRFFT) include the ``1/N`` factor. It is linear, so reverse mode only needs its
transpose rule.
"""
from __future__ import annotations

import enum
import math

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.core import Primitive, ShapedArray
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.lax import elementwise as ew
from jaxlite._src.lax import shapes as sh

__all__ = ["fft", "fft_p", "FftType"]


class FftType(enum.IntEnum):
    """Which transform ``fft_p`` computes."""
    FFT = 0     # complex -> complex, forward
    IFFT = 1    # complex -> complex, inverse (scaled by 1/N)
    RFFT = 2    # real -> complex (half spectrum on the last axis)
    IRFFT = 3   # half spectrum -> real (scaled by 1/N)


def _str_to_fft_type(s: str) -> FftType:
    table = {"fft": FftType.FFT, "ifft": FftType.IFFT, "rfft": FftType.RFFT, "irfft": FftType.IRFFT}
    try:
        return table[s.lower()]
    except KeyError:
        raise ValueError(f"Unknown FFT type '{s}'") from None


def _complex_dtype(dt):
    return dtypes.to_complex_dtype(np.dtype(dt))


def _real_dtype(dt):
    return np.finfo(np.dtype(dt)).dtype


def _fft_impl(x, *, fft_type, fft_lengths):
    x = np.asarray(x)
    axes = tuple(range(x.ndim - len(fft_lengths), x.ndim))
    if fft_type == FftType.FFT:
        out, dt = np.fft.fftn(x, axes=axes), x.dtype
    elif fft_type == FftType.IFFT:
        out, dt = np.fft.ifftn(x, axes=axes), x.dtype
    elif fft_type == FftType.RFFT:
        out, dt = np.fft.rfftn(x, axes=axes), _complex_dtype(x.dtype)
    else:
        out, dt = np.fft.irfftn(x, s=fft_lengths, axes=axes), _real_dtype(x.dtype)
    return out.astype(dt, copy=False)


def _fft_abstract(x, *, fft_type, fft_lengths):
    k = len(fft_lengths)
    if k > x.ndim:
        raise ValueError(f"FFT input shape {x.shape} must have at least as many input dimensions as "
                         f"fft_lengths {fft_lengths}.")
    minor = x.shape[x.ndim - k:]
    if fft_type == FftType.RFFT:
        if x.dtype not in (np.float32, np.float64):
            raise ValueError(f"RFFT input must be float32 or float64, got {x.dtype}")
        if minor != fft_lengths:
            raise ValueError(f"RFFT input shape {x.shape} minor dimensions must be equal to fft_lengths "
                             f"{fft_lengths}")
        shape = x.shape[:x.ndim - k] + fft_lengths[:-1] + (fft_lengths[-1] // 2 + 1,)
        dtype = _complex_dtype(x.dtype)
    elif fft_type == FftType.IRFFT:
        if not dtypes.issubdtype(x.dtype, np.complexfloating):
            raise ValueError(f"IRFFT input must be complex64 or complex128, got {x.dtype}")
        if minor[:-1] != fft_lengths[:-1]:
            raise ValueError(f"IRFFT input shape {x.shape} minor dimensions must be equal to all except the "
                             f"last fft_length, got fft_lengths={fft_lengths}")
        shape = x.shape[:x.ndim - k] + fft_lengths
        dtype = _real_dtype(x.dtype)
    else:
        if not dtypes.issubdtype(x.dtype, np.complexfloating):
            raise ValueError(f"FFT input must be complex64 or complex128, got {x.dtype}")
        if minor != fft_lengths:
            raise ValueError(f"FFT input shape {x.shape} minor dimensions must be equal to fft_lengths "
                             f"{fft_lengths}")
        shape, dtype = x.shape, x.dtype
    return ShapedArray(shape, dtype)


fft_p = Primitive("fft")
fft_p.def_impl(_fft_impl)
fft_p.def_abstract_eval(_fft_abstract)


def _hermitian_mask(n_out, fft_last, dtype):
    """Weights of the stored half spectrum: 1 for the DC term (and Nyquist when the length is even),
    2 for the terms that stand for a conjugate pair."""
    mask = np.full((n_out,), 2.0)
    mask[0] = 1.0
    if fft_last % 2 == 0:
        mask[-1] = 1.0
    return mask.astype(dtype)


def _mul_last_axis(x, vec):
    a = core.get_aval(x)
    v = sh.broadcast_in_dim(core.Array._from_np(np.asarray(vec, a.dtype), False), a.shape, (a.ndim - 1,))
    return ew.mul(x, v)


def _rfft_transpose(t, fft_lengths):
    ta = core.get_aval(t)
    mask = _hermitian_mask(ta.shape[-1], fft_lengths[-1], _real_dtype(ta.dtype))
    n = math.prod(fft_lengths)
    scaled = _mul_last_axis(ew.conj(t), (n / mask).astype(ta.dtype))
    return fft_p.bind(scaled, fft_type=FftType.IRFFT, fft_lengths=fft_lengths)


def _irfft_transpose(t, fft_lengths):
    x = fft_p.bind(t, fft_type=FftType.RFFT, fft_lengths=fft_lengths)
    xa = core.get_aval(x)
    mask = _hermitian_mask(xa.shape[-1], fft_lengths[-1], xa.dtype)
    out = _mul_last_axis(x, mask / math.prod(fft_lengths))
    # JAX's convention for cotangents of complex values (jax-ml/jax#6223)
    return ew.conj(out)


def _fft_transpose(t, operand, *, fft_type, fft_lengths):
    if type(t) is ad.Zero:
        return [None]
    if fft_type == FftType.RFFT:
        return [_rfft_transpose(t, fft_lengths)]
    if fft_type == FftType.IRFFT:
        return [_irfft_transpose(t, fft_lengths)]
    # the DFT matrix is symmetric, so FFT and IFFT are their own transposes
    return [fft_p.bind(t, fft_type=fft_type, fft_lengths=fft_lengths)]


ad.deflinear(fft_p, _fft_transpose)


def _fft_batch(vals, dims, *, fft_type, fft_lengths):
    (x,), (d,) = vals, dims
    return fft_p.bind(batching.moveaxis(x, d, 0), fft_type=fft_type, fft_lengths=fft_lengths), 0


batching.primitive_batchers[fft_p] = _fft_batch


def fft(x, fft_type, fft_lengths):
    """Fourier transform of the trailing ``len(fft_lengths)`` dimensions of ``x``.

    ``fft_type`` is a :class:`FftType` or one of ``"fft"``, ``"ifft"``, ``"rfft"``, ``"irfft"``.
    Inputs are converted to the complex (or, for RFFT, inexact) dtype the transform needs.
    """
    if isinstance(fft_type, str):
        typ = _str_to_fft_type(fft_type)
    elif isinstance(fft_type, FftType):
        typ = fft_type
    elif isinstance(fft_type, int) and not isinstance(fft_type, bool) and 0 <= fft_type <= 3:
        typ = FftType(fft_type)
    else:
        raise TypeError(f"Unknown FFT type value '{fft_type}'")
    dt = core.get_aval(x).dtype
    if typ == FftType.RFFT:
        if dtypes.issubdtype(dt, np.complexfloating):
            raise ValueError("only real valued inputs supported for rfft")
        x = ew.convert_element_type(x, dtypes.to_inexact_dtype(dt))
    else:
        x = ew.convert_element_type(x, dtypes.to_complex_dtype(dt))
    fft_lengths = tuple(int(n) for n in fft_lengths)
    if not fft_lengths:
        return x
    return fft_p.bind(x, fft_type=typ, fft_lengths=fft_lengths)
