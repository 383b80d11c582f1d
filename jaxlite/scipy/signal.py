"""jax.scipy.signal (re-exported from jaxlite._src.scipy.signal)."""
from jaxlite._src.scipy.signal import (convolve, correlate, convolve2d, correlate2d, fftconvolve,  # noqa: F401
                                       detrend, stft, istft, csd, welch)
