"""jax.numpy.fft: NumPy's FFT API on the ``fft`` primitive.

Results follow JAX's dtypes: float32/complex64 inputs give complex64 (float32 for the real-output
transforms); integer inputs are promoted to the default float type first.
"""
from __future__ import annotations

import math
import operator
from typing import Sequence

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.lax import elementwise as ew
from jaxlite._src.lax import shapes as sh
from jaxlite._src.lax.fft import FftType, fft as lax_fft
from jaxlite._src.numpy import lax_numpy as jnp
from jaxlite._src.numpy.util import ensure_arraylike, promote_dtypes_inexact

__all__ = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn",
           "ifftn", "rfftn", "irfftn", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]

_NORMS = ("backward", "ortho", "forward")


def _norm_factor(s, func_name, norm):
    """The scale applied after the unnormalised (forward) / 1/N-normalised (inverse) transform."""
    if norm is None or norm == "backward":
        return None
    if norm not in _NORMS:
        raise ValueError(f'Invalid norm value {norm}; should be "backward","ortho" or "forward".')
    n = float(math.prod(s))
    inverse = func_name.startswith("i")
    if norm == "ortho":
        return math.sqrt(n) if inverse else 1 / math.sqrt(n)
    return n if inverse else 1 / n


def _resize(arr, in_s):
    """Crop or zero-pad ``arr`` to shape ``in_s`` (at the end of each dimension)."""
    shape = arr.shape
    if any(s < d for s, d in zip(in_s, shape)):
        arr = sh.slice(arr, (0,) * arr.ndim, tuple(min(s, d) for s, d in zip(in_s, shape)))
    if any(s > d for s, d in zip(in_s, arr.shape)):
        zero = ew.full((), 0, arr.dtype)
        arr = sh.pad(arr, zero, [(0, s - d, 0) for s, d in zip(in_s, arr.shape)])
    return arr


def _fft_core(func_name, fft_type, a, s, axes, norm):
    full_name = f"jax.numpy.fft.{func_name}"
    arr = ensure_arraylike(full_name, a)
    if s is not None:
        s = tuple(operator.index(n) for n in s)
        if any(n <= 0 for n in s):
            raise ValueError("Shape should be positive.")
    if s is not None and axes is not None and len(s) != len(axes):
        raise ValueError("Shape and axes have different lengths.")
    orig_axes = axes
    if axes is None:
        axes = tuple(range(arr.ndim)) if s is None else tuple(range(arr.ndim - len(s), arr.ndim))
    else:
        axes = tuple(operator.index(ax) for ax in axes)
    if len(axes) != len(set(axes)):
        raise ValueError(f"{full_name} does not support repeated axes. Got axes {axes}.")
    for ax in axes:
        if not -arr.ndim <= ax < arr.ndim:
            raise ValueError(f"{full_name}: axis {ax} is out of bounds for array of dimension {arr.ndim}")
    if orig_axes is not None:
        new_axes = tuple(range(arr.ndim - len(axes), arr.ndim))
        arr = jnp.moveaxis(arr, axes, new_axes)
        axes = new_axes
    if s is not None:
        in_s = list(arr.shape)
        for ax, n in zip(axes, s):
            in_s[ax] = n
        if fft_type == FftType.IRFFT:
            in_s[-1] = in_s[-1] // 2 + 1
        arr = _resize(arr, in_s)
    elif fft_type == FftType.IRFFT:
        s = [arr.shape[ax] for ax in axes[:-1]]
        if axes:
            s += [max(0, 2 * (arr.shape[axes[-1]] - 1))]
    else:
        s = [arr.shape[ax] for ax in axes]
    if fft_type == FftType.IRFFT and axes and s[-1] <= 0:
        raise ValueError(f"{full_name}: the output length along the last axis must be positive; got "
                         f"{s[-1]} (pass n=/s= explicitly).")
    if not dtypes.issubdtype(arr.dtype, np.inexact):
        arr, = promote_dtypes_inexact(arr)
    out = lax_fft(arr, fft_type, tuple(s))
    scale = _norm_factor(s, func_name, norm)
    if scale is not None:
        out = ew.mul(out, ew.full((), scale, out.dtype))
    if orig_axes is not None:
        out = jnp.moveaxis(out, axes, orig_axes)
    return out


def fftn(a, s: Sequence[int] | None = None, axes: Sequence[int] | None = None, norm: str | None = None):
    """N-dimensional discrete Fourier transform (``numpy.fft.fftn``).

    >>> jnp.fft.fftn(jnp.ones((2, 2)))   # [[4, 0], [0, 0]] (complex64)
    """
    return _fft_core("fftn", FftType.FFT, a, s, axes, norm)


def ifftn(a, s: Sequence[int] | None = None, axes: Sequence[int] | None = None, norm: str | None = None):
    """N-dimensional inverse discrete Fourier transform (``numpy.fft.ifftn``)."""
    return _fft_core("ifftn", FftType.IFFT, a, s, axes, norm)


def rfftn(a, s: Sequence[int] | None = None, axes: Sequence[int] | None = None, norm: str | None = None):
    """N-dimensional transform of real input; the last axis keeps ``n // 2 + 1`` terms."""
    return _fft_core("rfftn", FftType.RFFT, a, s, axes, norm)


def irfftn(a, s: Sequence[int] | None = None, axes: Sequence[int] | None = None, norm: str | None = None):
    """Inverse of :func:`rfftn` (real output)."""
    return _fft_core("irfftn", FftType.IRFFT, a, s, axes, norm)


def _axis_check_1d(func_name, axis):
    if isinstance(axis, (list, tuple)):
        full = f"jax.numpy.fft.{func_name}"
        raise ValueError(f"{full} does not support multiple axes. Please use {full}n. Got axis = {axis!r}.")


def _fft_core_1d(func_name, fft_type, a, n, axis, norm):
    _axis_check_1d(func_name, axis)
    axes = None if axis is None else [axis]
    s = None if n is None else [n]
    return _fft_core(func_name, fft_type, a, s, axes, norm)


def fft(a, n: int | None = None, axis: int = -1, norm: str | None = None):
    """One-dimensional discrete Fourier transform (``numpy.fft.fft``).

    >>> jnp.fft.fft(jnp.array([1., 0., 0., 0.]))   # [1, 1, 1, 1] (complex64)
    """
    return _fft_core_1d("fft", FftType.FFT, a, n, axis, norm)


def ifft(a, n: int | None = None, axis: int = -1, norm: str | None = None):
    """One-dimensional inverse discrete Fourier transform."""
    return _fft_core_1d("ifft", FftType.IFFT, a, n, axis, norm)


def rfft(a, n: int | None = None, axis: int = -1, norm: str | None = None):
    """One-dimensional transform of real input (``n // 2 + 1`` terms)."""
    return _fft_core_1d("rfft", FftType.RFFT, a, n, axis, norm)


def irfft(a, n: int | None = None, axis: int = -1, norm: str | None = None):
    """Inverse of :func:`rfft`; ``n`` defaults to ``2 * (m - 1)``."""
    return _fft_core_1d("irfft", FftType.IRFFT, a, n, axis, norm)


def hfft(a, n: int | None = None, axis: int = -1, norm: str | None = None):
    """Transform of a Hermitian-symmetric signal given by its first half (real output)."""
    _axis_check_1d("hfft", axis)
    arr = ensure_arraylike("jax.numpy.fft.hfft", a)
    conj_a = ew.conj(arr) if dtypes.issubdtype(arr.dtype, np.complexfloating) else arr
    nn = (arr.shape[axis] - 1) * 2 if n is None else n
    out = _fft_core_1d("hfft", FftType.IRFFT, conj_a, n, axis, norm)
    return ew.mul(out, ew.full((), nn, out.dtype))


def ihfft(a, n: int | None = None, axis: int = -1, norm: str | None = None):
    """Inverse of :func:`hfft`."""
    _axis_check_1d("ihfft", axis)
    arr = ensure_arraylike("jax.numpy.fft.ihfft", a)
    nn = arr.shape[axis] if n is None else n
    out = _fft_core_1d("ihfft", FftType.RFFT, arr, n, axis, norm)
    return ew.mul(ew.conj(out), ew.full((), 1 / nn, out.dtype))


def _fft_core_2d(func_name, fft_type, a, s, axes, norm):
    if len(axes) != 2:
        raise ValueError(f"jax.numpy.fft.{func_name} only supports 2 axes. Got axes = {axes!r}.")
    return _fft_core(func_name, fft_type, a, s, axes, norm)


def fft2(a, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1), norm: str | None = None):
    """Two-dimensional discrete Fourier transform over ``axes``."""
    return _fft_core_2d("fft2", FftType.FFT, a, s, axes, norm)


def ifft2(a, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1), norm: str | None = None):
    """Two-dimensional inverse discrete Fourier transform."""
    return _fft_core_2d("ifft2", FftType.IFFT, a, s, axes, norm)


def rfft2(a, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1), norm: str | None = None):
    """Two-dimensional transform of real input."""
    return _fft_core_2d("rfft2", FftType.RFFT, a, s, axes, norm)


def irfft2(a, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1), norm: str | None = None):
    """Inverse of :func:`rfft2`."""
    return _fft_core_2d("irfft2", FftType.IRFFT, a, s, axes, norm)


def _freq_dtype(dtype):
    dt = dtypes.default_float_dtype() if dtype is None else dtypes.canonicalize_dtype(np.dtype(dtype))
    return dt


def fftfreq(n: int, d=1.0, *, dtype=None, device=None):
    """Sample frequencies ``[0, 1, ..., n/2-1, -n/2, ..., -1] / (d * n)`` of an ``n``-point FFT."""
    if isinstance(n, (list, tuple)):
        raise ValueError(f"The n argument of jax.numpy.fft.fftfreq only takes an int. Got n = {list(n)}.")
    if isinstance(d, (list, tuple)):
        raise ValueError(f"The d argument of jax.numpy.fft.fftfreq only takes a single value. Got d = "
                         f"{list(d)}.")
    n = core.concrete_or_error(operator.index, n, "The n argument of jax.numpy.fft.fftfreq")
    out_dtype = _freq_dtype(dtype)
    work = np.finfo(dtypes.to_inexact_dtype(out_dtype)).dtype
    k = ((np.arange(n) + n // 2) % n - n // 2).astype(work) if n else np.zeros(0, work)
    i = jnp.asarray(k)
    denom = ew.mul(jnp.asarray(d, dtype=work), ew.full((), n, work))
    res = ew.div(i, sh.broadcast_in_dim(denom, (n,), ()))
    return ew.convert_element_type(res, out_dtype)


def rfftfreq(n: int, d=1.0, *, dtype=None, device=None):
    """Sample frequencies ``[0, 1, ..., n//2] / (d * n)`` of an ``n``-point real FFT."""
    if isinstance(n, (list, tuple)):
        raise ValueError(f"The n argument of jax.numpy.fft.rfftfreq only takes an int. Got n = {list(n)}.")
    if isinstance(d, (list, tuple)):
        raise ValueError(f"The d argument of jax.numpy.fft.rfftfreq only takes a single value. Got d = "
                         f"{list(d)}.")
    n = core.concrete_or_error(operator.index, n, "The n argument of jax.numpy.fft.rfftfreq")
    out_dtype = _freq_dtype(dtype)
    m = n // 2 + 1
    k = jnp.asarray(np.arange(m).astype(out_dtype))
    denom = ew.mul(jnp.asarray(d, dtype=out_dtype), ew.full((), n, out_dtype))
    return ew.div(k, sh.broadcast_in_dim(denom, (m,), ()))


def _roll_axis(x, shift, axis):
    n = x.shape[axis]
    if n == 0:
        return x
    shift %= n
    if shift == 0:
        return x
    start = [0] * x.ndim
    limit = list(x.shape)
    limit[axis] = n - shift
    head = sh.slice(x, start, limit)
    start[axis] = n - shift
    limit[axis] = n
    tail = sh.slice(x, start, limit)
    return sh.concatenate([tail, head], axis)


def _shift(name, x, axes, sign):
    x = ensure_arraylike(name, x)
    if axes is None:
        axes = tuple(range(x.ndim))
    elif isinstance(axes, (int, np.integer)):
        axes = (int(axes),)
    for ax in axes:
        ax = int(ax) % x.ndim if x.ndim else 0
        x = _roll_axis(x, sign * (x.shape[ax] // 2), ax)
    return x


def fftshift(x, axes=None):
    """Move the zero-frequency term to the centre (``numpy.fft.fftshift``)."""
    return _shift("fftshift", x, axes, 1)


def ifftshift(x, axes=None):
    """Inverse of :func:`fftshift`."""
    return _shift("ifftshift", x, axes, -1)
