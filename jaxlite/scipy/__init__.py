"""jax.scipy: SciPy-compatible functions (each submodule re-exports from jaxlite._src.scipy).

Submodules are imported lazily on first attribute access (``jax.scipy.linalg``), so ``import jaxlite``
stays light and a submodule that is not there yet simply raises AttributeError.
"""
import importlib as _importlib

_SUBMODULES = ("linalg", "special", "stats", "signal", "optimize", "fft", "integrate", "interpolate",
               "ndimage", "sparse", "cluster")


def __getattr__(name):
    if name in _SUBMODULES:
        try:
            return _importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"{__name__}.{name}":
                raise AttributeError(f"module 'jaxlite.scipy' has no attribute '{name}' (jax.scipy.{name} is "
                                     f"not implemented in jaxlite yet)") from None
            raise
    raise AttributeError(f"module 'jaxlite.scipy' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES))
