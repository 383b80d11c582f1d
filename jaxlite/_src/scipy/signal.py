"""jax.scipy.signal: convolutions (direct via ``lax.conv_general_dilated``, or by FFT), ``detrend`` and the
spectral functions ``stft``/``istft``/``csd``/``welch``, written on jax.numpy and lax.

As in JAX, ``convolve(..., method='auto')`` means the direct method, the 2-D functions support only
``boundary='fill', fillvalue=0``, and inputs are promoted to an inexact dtype.
"""
from __future__ import annotations

import operator
from typing import Sequence

import numpy as np

from jaxlite._src.numpy.util import canonicalize_axis, check_arraylike, promote_dtypes_inexact

__all__ = ["convolve", "correlate", "convolve2d", "correlate2d", "fftconvolve", "detrend", "stft", "istft",
           "csd", "welch"]

_MODES = ("full", "same", "valid")


def _jnp():
    import jaxlite.numpy as jnp
    return jnp


def _lax():
    from jaxlite._src.lax import lax
    return lax


# ---------------------------------------------------------------------------------------------------
# convolutions
# ---------------------------------------------------------------------------------------------------

def _conv_direct(in1, in2, mode, precision):
    """N-d convolution of equal-rank arrays as one ``conv_general_dilated`` (batch and feature dims of 1)."""
    lax, jnp = _lax(), _jnp()
    if mode not in _MODES:
        raise ValueError("mode must be one of ['full', 'same', 'valid']")
    if in1.ndim != in2.ndim:
        raise ValueError("in1 and in2 must have the same number of dimensions")
    if in1.size == 0 or in2.size == 0:
        raise ValueError(f"zero-size arrays not supported in convolutions, got shapes {in1.shape} and "
                         f"{in2.shape}.")
    in1, in2 = promote_dtypes_inexact(in1, in2)
    in1_bigger = all(a >= b for a, b in zip(in1.shape, in2.shape))
    in2_bigger = all(a <= b for a, b in zip(in1.shape, in2.shape))
    if not (in1_bigger or in2_bigger):
        raise ValueError("One input must be smaller than the other in every dimension.")
    second_shape = in2.shape          # 'same' output is centred relative to the original second input
    if in2_bigger:
        in1, in2 = in2, in1
    kshape = in2.shape
    kernel = jnp.flip(in2)            # conv_general_dilated correlates; flipping makes it a convolution
    if mode == "valid":
        padding = [(0, 0)] * len(kshape)
    elif mode == "full":
        padding = [(k - 1, k - 1) for k in kshape]
    else:
        padding = [(k - 1 - (s - 1) // 2, k - s + (s - 1) // 2) for k, s in zip(kshape, second_shape)]
    out = lax.conv_general_dilated(in1[None, None], kernel[None, None], (1,) * len(kshape), padding,
                                   precision=precision)
    return out[0, 0]


def convolve(in1, in2, mode="full", method="auto", precision=None):
    """N-d convolution of ``in1`` and ``in2`` (``scipy.signal.convolve``); ``method`` is ``'direct'``
    (also for ``'auto'``) or ``'fft'``."""
    check_arraylike("convolve", in1, in2)
    if method == "fft":
        return fftconvolve(in1, in2, mode=mode)
    if method in ("direct", "auto"):
        jnp = _jnp()
        return _conv_direct(jnp.asarray(in1), jnp.asarray(in2), mode, precision)
    raise ValueError(f"Got method={method!r}; expected 'auto', 'fft', or 'direct'.")


def correlate(in1, in2, mode="full", method="auto", precision=None):
    """N-d cross-correlation: ``convolve(in1, flip(conj(in2)))``."""
    check_arraylike("correlate", in1, in2)
    jnp = _jnp()
    return convolve(in1, jnp.flip(jnp.conj(jnp.asarray(in2))), mode, precision=precision, method=method)


def _check_2d(name, in1, in2, boundary, fillvalue):
    if boundary != "fill" or fillvalue != 0:
        raise NotImplementedError(f"{name}() only supports boundary='fill', fillvalue=0")
    if np.ndim(in1) != 2 or np.ndim(in2) != 2:
        raise ValueError(f"{name}() only supports 2-dimensional inputs.")


def convolve2d(in1, in2, mode="full", boundary="fill", fillvalue=0, precision=None):
    """2-D convolution (``scipy.signal.convolve2d``; zero fill at the boundary only)."""
    check_arraylike("convolve2d", in1, in2)
    _check_2d("convolve2d", in1, in2, boundary, fillvalue)
    jnp = _jnp()
    return _conv_direct(jnp.asarray(in1), jnp.asarray(in2), mode, precision)


def correlate2d(in1, in2, mode="full", boundary="fill", fillvalue=0, precision=None):
    """2-D cross-correlation (``scipy.signal.correlate2d``; zero fill at the boundary only)."""
    check_arraylike("correlate2d", in1, in2)
    _check_2d("correlate2d", in1, in2, boundary, fillvalue)
    jnp = _jnp()
    in1, in2 = jnp.asarray(in1), jnp.asarray(in2)
    in2_bigger = all(a <= b for a, b in zip(in1.shape, in2.shape))
    same_shape = in1.shape == in2.shape
    # SciPy's correlate2d keeps in1 as the reference array; when in2 is the larger one the result is
    # the reversed correlation, which these cases reproduce
    if mode == "same":
        return jnp.flip(_conv_direct(jnp.flip(in1), jnp.conj(in2), mode, precision))
    if mode == "valid":
        if in2_bigger and not same_shape:
            return _conv_direct(jnp.flip(in2), jnp.conj(in1), mode, precision)
        return jnp.flip(_conv_direct(jnp.flip(in1), jnp.conj(in2), mode, precision))
    if in2_bigger:
        return jnp.conj(_conv_direct(jnp.flip(in2), jnp.conj(in1), mode, precision))
    return jnp.flip(_conv_direct(jnp.flip(in1), jnp.conj(in2), mode, precision))


def _fftconvolve_nd(in1, in2, mode):
    lax, jnp = _lax(), _jnp()
    full = tuple(a + b - 1 for a, b in zip(in1.shape, in2.shape))
    if mode == "valid":
        in1_bigger = all(a >= b for a, b in zip(in1.shape, in2.shape))
        in2_bigger = all(a <= b for a, b in zip(in1.shape, in2.shape))
        if not (in1_bigger or in2_bigger):
            raise ValueError("For 'valid' mode, One input must be at least as large as the other in every "
                             "dimension.")
        if in2_bigger:
            in1, in2 = in2, in1
    if all(a == 1 or b == 1 for a, b in zip(in1.shape, in2.shape)):
        prod = in1 * in2          # an outer product: no transform needed
    elif jnp.iscomplexobj(in1):
        prod = jnp.fft.ifftn(jnp.fft.fftn(in1, full) * jnp.fft.fftn(in2, full), full)
    else:
        prod = jnp.fft.irfftn(jnp.fft.rfftn(in1, full) * jnp.fft.rfftn(in2, full), full)
    if mode == "full":
        out = full
    elif mode == "same":
        out = in1.shape
    else:
        out = tuple(a - b + 1 for a, b in zip(in1.shape, in2.shape))
    start = tuple((f - o) // 2 for f, o in zip(full, out))
    return lax.dynamic_slice(prod, start, out)


def fftconvolve(in1, in2, mode="full", axes=None):
    """Convolution by FFT (``scipy.signal.fftconvolve``); with ``axes``, the other axes are batch axes
    (they must have equal sizes)."""
    check_arraylike("fftconvolve", in1, in2)
    jnp = _jnp()
    in1, in2 = promote_dtypes_inexact(jnp.asarray(in1), jnp.asarray(in2))
    if in1.ndim != in2.ndim:
        raise ValueError("in1 and in2 should have the same dimensionality")
    if mode not in _MODES:
        raise ValueError("mode must be one of ['same', 'full', 'valid']")
    fn = lambda a, b: _fftconvolve_nd(a, b, mode)  # noqa: E731
    if axes is None:
        return fn(in1, in2)
    from jaxlite._src.vmap import vmap
    axes = (axes,) if isinstance(axes, int) else tuple(axes)
    axes = tuple(canonicalize_axis(a, in1.ndim) for a in axes)
    batch = sorted(set(range(in1.ndim)) - set(axes))
    if any(in1.shape[i] != in2.shape[i] for i in batch):
        raise ValueError(f"mapped axes must have same shape; got in1.shape={in1.shape} in2.shape={in2.shape} "
                         f"axes={axes}")
    for ax in batch:
        fn = vmap(fn, in_axes=ax, out_axes=ax)
    return fn(in1, in2)


# ---------------------------------------------------------------------------------------------------
# detrend
# ---------------------------------------------------------------------------------------------------

def detrend(data, axis=-1, type="linear", bp=0, overwrite_data=None):
    """Remove the mean (``type='constant'``) or a least-squares line per segment between breakpoints
    ``bp`` (``type='linear'``) along ``axis``."""
    if overwrite_data is not None:
        raise NotImplementedError("overwrite_data argument not implemented.")
    if type not in ("constant", "linear"):
        raise ValueError("Trend type must be 'linear' or 'constant'.")
    jnp = _jnp()
    (x,) = promote_dtypes_inexact(jnp.asarray(data))
    if type == "constant":
        return x - x.mean(axis, keepdims=True)
    n = x.shape[axis]
    bps = np.sort(np.unique(np.concatenate([[0], np.atleast_1d(np.asarray(bp)), [n]])))
    if bps[0] < 0 or bps[-1] > n:
        raise ValueError("Breakpoints must be non-negative and less than length of data along given axis.")
    x = jnp.moveaxis(x, axis, 0)
    shape = x.shape
    x = x.reshape(n, -1)
    for lo, hi in zip(bps[:-1], bps[1:]):
        m = int(hi - lo)
        design = jnp.stack([jnp.ones(m, dtype=x.dtype), jnp.arange(1, m + 1, dtype=x.dtype) / np.asarray(m, x.dtype)],
                           axis=1)
        seg = slice(int(lo), int(hi))
        coef = jnp.linalg.lstsq(design, x[seg])[0]
        x = x.at[seg].add(-jnp.matmul(design, coef, precision="highest"))
    return jnp.moveaxis(x.reshape(shape), 0, axis)


# ---------------------------------------------------------------------------------------------------
# spectral analysis: stft, csd, welch, istft
# ---------------------------------------------------------------------------------------------------

def _window(window, nperseg, dtype):
    """A periodic ("fftbins") window of ``nperseg`` points from a name or an array."""
    jnp = _jnp()
    if isinstance(window, (str, tuple)):
        name = window[0] if isinstance(window, tuple) else window
        n = np.arange(nperseg)
        # periodic versions (denominator nperseg), as scipy.signal.get_window(..., fftbins=True)
        if name in ("hann", "hanning"):
            w = 0.5 - 0.5 * np.cos(2 * np.pi * n / nperseg)
        elif name == "hamming":
            w = 0.54 - 0.46 * np.cos(2 * np.pi * n / nperseg)
        elif name == "blackman":
            w = 0.42 - 0.5 * np.cos(2 * np.pi * n / nperseg) + 0.08 * np.cos(4 * np.pi * n / nperseg)
        elif name in ("boxcar", "rect", "rectangular", "ones"):
            w = np.ones(nperseg)
        elif name == "bartlett":
            w = 1 - np.abs(2 * n - nperseg) / nperseg
        else:
            raise NotImplementedError(f"window {window!r}: jaxlite supports 'hann', 'hamming', 'blackman', "
                                      f"'bartlett', 'boxcar' or an explicit array window")
        return jnp.asarray(w.astype(np.dtype(dtype)))
    w = jnp.asarray(window)
    if w.ndim != 1:
        raise ValueError("window must be 1-D")
    if w.shape[0] != nperseg:
        raise ValueError(f"value specified for nperseg is different from length of window: {w.shape[0]} "
                         f"vs {nperseg}")
    return w.astype(dtype)


def _detrend_fn(detrend_type, axis=-1):
    if not detrend_type:
        return lambda d: d
    if callable(detrend_type):
        return detrend_type
    return lambda d: detrend(d, type=detrend_type, axis=axis)


def _spectral(x, y, fs, window, nperseg, noverlap, nfft, detrend_type, return_onesided, scaling, axis,
              mode, boundary, padded, name):
    """Segment, window and FFT ``x`` (and ``y``); the shared core of stft/csd/welch (as SciPy's
    ``_spectral_helper``). Returns (freqs, times, result) with the segments on the last axis."""
    jnp = _jnp()
    if mode not in ("psd", "stft"):
        raise ValueError(f"Unknown value for mode {mode}, must be one of: ('psd', 'stft')")
    same = y is None
    if same and mode != "stft":
        y = x
    x = jnp.asarray(x)
    if same:
        (x,) = promote_dtypes_inexact(x)
        dtype = x.dtype
    else:
        x, y = promote_dtypes_inexact(x, jnp.asarray(y))
        dtype = x.dtype
    real_dtype = jnp.finfo(dtype).dtype
    axis = canonicalize_axis(axis, x.ndim)
    if not same:
        if y.ndim != x.ndim:
            raise ValueError("x and y must have the same number of dimensions")
        # broadcast all but the transform axis
        xs = list(x.shape)
        ys = list(y.shape)
        xs.pop(axis)
        ys.pop(axis)
        bshape = np.broadcast_shapes(tuple(xs), tuple(ys))
        x = jnp.broadcast_to(jnp.moveaxis(x, axis, -1), bshape + (x.shape[axis],))
        y = jnp.broadcast_to(jnp.moveaxis(y, axis, -1), bshape + (y.shape[axis],))
        if x.shape[-1] != y.shape[-1]:
            n = max(x.shape[-1], y.shape[-1])
            x = jnp.pad(x, [(0, 0)] * (x.ndim - 1) + [(0, n - x.shape[-1])])
            y = jnp.pad(y, [(0, 0)] * (y.ndim - 1) + [(0, n - y.shape[-1])])
    else:
        x = jnp.moveaxis(x, axis, -1)
    nperseg = operator.index(nperseg) if nperseg is not None else None
    if nperseg is not None and nperseg < 1:
        raise ValueError("nperseg must be a positive integer")
    n_in = x.shape[-1]
    if nperseg is None:
        nperseg = 256 if isinstance(window, (str, tuple)) else np.shape(window)[0]
    if isinstance(window, (str, tuple)) and nperseg > n_in:
        nperseg = n_in
    win = _window(window, nperseg, real_dtype)
    if nfft is None:
        nfft = nperseg
    elif nfft < nperseg:
        raise ValueError("nfft must be greater than or equal to nperseg.")
    nfft = operator.index(nfft)
    noverlap = nperseg // 2 if noverlap is None else operator.index(noverlap)
    if noverlap >= nperseg:
        raise ValueError("noverlap must be less than nperseg.")
    step = nperseg - noverlap

    def extend(a):
        if boundary is None:
            return a
        if boundary != "zeros":
            raise NotImplementedError(f"boundary={boundary!r}: jaxlite supports 'zeros' or None")
        half = nperseg // 2
        return jnp.pad(a, [(0, 0)] * (a.ndim - 1) + [(half, half)])

    def pad_tail(a):
        if not padded:
            return a
        n = a.shape[-1]
        extra = (-(n - nperseg) % step) % nperseg
        return jnp.pad(a, [(0, 0)] * (a.ndim - 1) + [(0, extra)])

    x = pad_tail(extend(x))
    if not same:
        y = pad_tail(extend(y))

    if scaling == "density":
        scale = 1.0 / (fs * (win * win).sum())
    elif scaling == "spectrum":
        scale = 1.0 / win.sum() ** 2
    else:
        raise ValueError(f"Unknown scaling: {scaling!r}")
    if mode == "stft":
        scale = jnp.sqrt(scale)

    complex_input = jnp.iscomplexobj(x) or (not same and jnp.iscomplexobj(y))
    onesided = bool(return_onesided) and not complex_input

    dfn = _detrend_fn(detrend_type)

    def segments_fft(a):
        n = a.shape[-1]
        nseg = (n - nperseg) // step + 1
        idx = np.arange(nseg)[:, None] * step + np.arange(nperseg)[None, :]
        segs = a[..., idx]                       # [..., nseg, nperseg]
        segs = dfn(segs)
        segs = segs * win
        if onesided:
            return jnp.fft.rfft(segs, n=nfft, axis=-1)
        return jnp.fft.fft(segs, n=nfft, axis=-1)

    if x.shape[-1] < nperseg:
        raise ValueError(f"{name}: input is shorter than nperseg={nperseg}")
    res = segments_fft(x)
    if not same:
        res = jnp.conj(res) * segments_fft(y)
    elif mode == "psd":
        res = jnp.conj(res) * res
    res = res * scale
    if onesided and mode == "psd":
        if nfft % 2:
            res = res.at[..., 1:].multiply(2)
        else:
            res = res.at[..., 1:-1].multiply(2)
    freqs = (np.fft.rfftfreq(nfft, 1 / fs) if onesided else np.fft.fftfreq(nfft, 1 / fs))
    nseg = res.shape[-2]
    times = np.arange(nperseg / 2, x.shape[-1] - nperseg / 2 + 1, step)[:nseg] / fs
    if boundary is not None:
        times = times - (nperseg / 2) / fs
    # [..., segments, freqs] -> frequencies where the data axis was, segments last (as SciPy)
    res = jnp.moveaxis(res, -1, axis)
    if same and mode == "psd":
        res = res.real
    return (jnp.asarray(freqs.astype(real_dtype)), jnp.asarray(times.astype(real_dtype)), res)


def stft(x, fs=1.0, window="hann", nperseg=256, noverlap=None, nfft=None, detrend=False,
         return_onesided=True, boundary="zeros", padded=True, axis=-1):
    """Short-time Fourier transform (``scipy.signal.stft``): ``(f, t, Zxx)`` with ``Zxx[..., f, t]``."""
    freqs, times, z = _spectral(x, None, fs, window, nperseg, noverlap, nfft, detrend, return_onesided,
                                "spectrum", axis, "stft", boundary, padded, "stft")
    return freqs, times, z


def csd(x, y, fs=1.0, window="hann", nperseg=None, noverlap=None, nfft=None, detrend="constant",
        return_onesided=True, scaling="density", axis=-1, average="mean"):
    """Cross power spectral density by Welch's method (``scipy.signal.csd``): ``(f, Pxy)``."""
    freqs, _, pxy = _spectral(x, y, fs, window, nperseg, noverlap, nfft, detrend, return_onesided, scaling,
                              axis, "psd", None, False, "csd")
    jnp = _jnp()
    if pxy.ndim >= 2 and pxy.size > 0:
        if pxy.shape[-1] > 1:
            if average == "median":
                raise NotImplementedError("csd/welch with average='median' is not implemented in jaxlite")
            if average != "mean":
                raise ValueError(f'average must be "median" or "mean", got {average}')
            pxy = pxy.mean(axis=-1)
        else:
            pxy = jnp.reshape(pxy, pxy.shape[:-1])
    return freqs, pxy


def welch(x, fs=1.0, window="hann", nperseg=None, noverlap=None, nfft=None, detrend="constant",
          return_onesided=True, scaling="density", axis=-1, average="mean"):
    """Power spectral density by Welch's method (``scipy.signal.welch``): ``(f, Pxx)``."""
    freqs, pxx = csd(x, None, fs=fs, window=window, nperseg=nperseg, noverlap=noverlap, nfft=nfft,
                     detrend=detrend, return_onesided=return_onesided, scaling=scaling, axis=axis,
                     average=average)
    return freqs, pxx.real


def istft(Zxx, fs=1.0, window="hann", nperseg=None, noverlap=None, nfft=None, input_onesided=True,
          boundary=True, time_axis=-1, freq_axis=-2):
    """Inverse short-time Fourier transform by weighted overlap-add (``scipy.signal.istft``):
    ``(t, x)``."""
    jnp = _jnp()
    Z = jnp.asarray(Zxx)
    Zxx_ndim = Z.ndim
    if Z.ndim < 2:
        raise ValueError("Input stft must be at least 2d!")
    time_axis = canonicalize_axis(time_axis, Z.ndim)
    freq_axis = canonicalize_axis(freq_axis, Z.ndim)
    if time_axis == freq_axis:
        raise ValueError("Must specify differing time and frequency axes!")
    Z = jnp.moveaxis(Z, (freq_axis, time_axis), (-2, -1))
    n_default = 2 * (Z.shape[-2] - 1) if input_onesided else Z.shape[-2]
    if nperseg is None:
        nperseg = n_default
    nperseg = operator.index(nperseg)
    if nperseg < 1:
        raise ValueError("nperseg must be a positive integer")
    if nfft is None:
        if input_onesided and nperseg == n_default + 1:
            nfft = nperseg
        else:
            nfft = n_default
    elif nfft < nperseg:
        raise ValueError("nfft must be greater than or equal to nperseg.")
    nfft = operator.index(nfft)
    noverlap = nperseg // 2 if noverlap is None else operator.index(noverlap)
    if noverlap >= nperseg:
        raise ValueError("noverlap must be less than nperseg.")
    step = nperseg - noverlap
    real_dtype = jnp.finfo(Z.dtype).dtype if jnp.iscomplexobj(Z) else Z.dtype
    win = _window(window, nperseg, real_dtype)
    if input_onesided:
        segs = jnp.fft.irfft(Z, n=nfft, axis=-2)
    else:
        segs = jnp.fft.ifft(Z, n=nfft, axis=-2)
    segs = segs[..., :nperseg, :] * win.sum()          # undo the 'spectrum' stft scaling
    segs = segs * win[:, None]
    nseg = segs.shape[-1]
    out_len = nperseg + (nseg - 1) * step
    # overlap-add of the windowed segments and of the squared window (for normalisation)
    idx = (np.arange(nseg)[:, None] * step + np.arange(nperseg)[None, :]).ravel()
    seg_flat = jnp.moveaxis(segs, -1, -2).reshape(segs.shape[:-2] + (nseg * nperseg,))
    x = jnp.zeros(segs.shape[:-2] + (out_len,), segs.dtype).at[..., idx].add(seg_flat)
    norm = jnp.zeros((out_len,), real_dtype).at[idx].add(jnp.tile(win * win, nseg))
    if boundary:
        x = x[..., nperseg // 2: out_len - nperseg // 2]
        norm = norm[nperseg // 2: out_len - nperseg // 2]
    x = x / jnp.where(norm > 1e-10, norm, 1.0)
    if input_onesided:
        x = x.real
    if x.ndim > 1 and time_axis != Zxx_ndim - 1:
        # the time axis goes back where the segments were (one axis fewer than Zxx)
        x = jnp.moveaxis(x, -1, time_axis - 1 if freq_axis < time_axis else time_axis)
    # SciPy (and JAX) count the times along the first axis of the result, also for batched input
    times = np.arange(x.shape[0]) / fs
    return jnp.asarray(times.astype(real_dtype)), x
