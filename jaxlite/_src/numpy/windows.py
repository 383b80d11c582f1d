"""Window functions of jax.numpy: bartlett, blackman, hamming, hanning, kaiser.

As in JAX, every window is computed in the default float dtype (float32, or float64 under x64) from an
``iota`` of sample positions, and windows of length <= 1 are all ones.
"""
from __future__ import annotations

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.lax import lax

__all__ = ["bartlett", "blackman", "hamming", "hanning", "kaiser"]


def _positions(M, name):
    """(M, n) with ``n = iota(M)`` in the default float dtype, or (M, None) for M <= 1."""
    M = core.concrete_or_error(int, M, f"M argument of jnp.{name}")
    if M <= 1:
        return M, None
    return M, lax.iota(dtypes.default_float_dtype(), M)


def _ones(M):
    return lax.full((max(M, 0),), 1, dtypes.default_float_dtype())


def _u():
    from jaxlite._src.numpy import ufuncs
    return ufuncs


def bartlett(M: int):
    """The Bartlett (triangular) window of ``M`` points.

    >>> jnp.bartlett(4)
    Array([0.        , 0.6666666 , 0.6666666 , 0.        ], dtype=float32)
    """
    M, n = _positions(M, "bartlett")
    if n is None:
        return _ones(M)
    u = _u()
    return 1 - u.abs(2 * n + 1 - M) / (M - 1)


def blackman(M: int):
    """The Blackman window of ``M`` points (three cosine terms)."""
    M, n = _positions(M, "blackman")
    if n is None:
        return _ones(M)
    u = _u()
    return 0.42 - 0.5 * u.cos(2 * np.pi * n / (M - 1)) + 0.08 * u.cos(4 * np.pi * n / (M - 1))


def hamming(M: int):
    """The Hamming window of ``M`` points: ``0.54 - 0.46 cos(2 pi n / (M - 1))``."""
    M, n = _positions(M, "hamming")
    if n is None:
        return _ones(M)
    return 0.54 - 0.46 * _u().cos(2 * np.pi * n / (M - 1))


def hanning(M: int):
    """The Hann window of ``M`` points: ``0.5 (1 - cos(2 pi n / (M - 1)))``."""
    M, n = _positions(M, "hanning")
    if n is None:
        return _ones(M)
    return 0.5 * (1 - _u().cos(2 * np.pi * n / (M - 1)))


def kaiser(M: int, beta):
    """The Kaiser window of ``M`` points with shape parameter ``beta`` (``i0`` of a half ellipse)."""
    M, n = _positions(M, "kaiser")
    if n is None:
        return _ones(M)
    from jaxlite._src.numpy.lax_numpy import i0
    u = _u()
    half = 0.5 * (M - 1)
    return i0(beta * u.sqrt(1 - ((n - half) / half) ** 2)) / i0(beta)
