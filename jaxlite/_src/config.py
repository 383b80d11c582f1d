"""Configuration flags: ``jax.config.update(name, value)``, attribute reads, env-var overrides.

A flag's default may be overridden by an environment variable of the same name in upper case
(``JAX_ENABLE_X64=1``), as in JAX. Flags that change what tracing produces (x64, ...) are part of
the jit cache key: see ``Config.trace_state``.
"""
from __future__ import annotations

import contextlib
import os
import threading

_TRUE = ("1", "true", "yes", "on", "t", "y")


def _parse(kind, text):
    if kind is bool:
        return text.strip().lower() in _TRUE
    if kind is int:
        return int(text)
    return text


class _Flag:
    __slots__ = ("name", "default", "kind", "help", "affects_tracing", "on_update")

    def __init__(self, name, default, kind, help, affects_tracing, on_update):
        self.name, self.default, self.kind, self.help = name, default, kind, help
        self.affects_tracing, self.on_update = affects_tracing, on_update


class Config:
    """The global flag store behind ``jax.config``."""

    def __init__(self):
        object.__setattr__(self, "_flags", {})
        object.__setattr__(self, "_values", {})
        object.__setattr__(self, "_local", threading.local())
        object.__setattr__(self, "_trace_state", ())

    def define(self, name, default, kind=None, help="", affects_tracing=False, on_update=None):
        kind = kind or type(default)
        self._flags[name] = _Flag(name, default, kind, help, affects_tracing, on_update)
        env = os.environ.get(name.upper())
        value = default if env is None else _parse(kind, env)
        if env is not None and on_update is not None:
            on_update(value)  # a value from the environment is checked as one from update()
        self._values[name] = value
        self._refresh()

    def update(self, name, value):
        """Set flag ``name`` to ``value``, e.g. ``jax.config.update("jax_enable_x64", True)``."""
        if name not in self._flags:
            raise AttributeError(f"Unrecognized config option: {name}")
        flag = self._flags[name]
        if flag.on_update is not None:
            flag.on_update(value)
        self._values[name] = value
        self._refresh()

    def read(self, name):
        return getattr(self, name)

    def _refresh(self):
        state = tuple(self._values[n] for n, f in self._flags.items() if f.affects_tracing)
        object.__setattr__(self, "_trace_state", state)

    @property
    def trace_state(self):
        """A hashable tuple of the flags that change tracing results; part of every jit cache key."""
        return self._trace_state

    @contextlib.contextmanager
    def override(self, name, value):
        old = self._values[name]
        self.update(name, value)
        try:
            yield
        finally:
            self.update(name, old)

    def __getattr__(self, name):
        values = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        raise AttributeError(f"Unrecognized config option: {name}")

    def __setattr__(self, name, value):
        raise AttributeError("use jax.config.update(name, value) to change a flag")

    @property
    def values(self):
        return dict(self._values)


config = Config()

config.define("jax_enable_x64", False, bool, "Enable 64-bit types (float64, int64, complex128).",
              affects_tracing=True)
config.define("jax_disable_jit", False, bool, "Run jitted functions eagerly, op by op.")
config.define("jax_debug_nans", False, bool, "Raise FloatingPointError when a primitive produces NaN.",
              affects_tracing=True)
config.define("jax_debug_infs", False, bool, "Raise FloatingPointError when a primitive produces inf.",
              affects_tracing=True)
config.define("jax_numpy_rank_promotion", "allow", str, "allow, warn or raise on implicit rank promotion.",
              affects_tracing=True)
config.define("jax_default_matmul_precision", "default", str, "Default precision for matmuls.")
config.define("jax_threefry_partitionable", True, bool, "Use the partitionable threefry bit generator.",
              affects_tracing=True)
config.define("jax_default_prng_impl", "threefry2x32", str, "Default PRNG implementation.")
config.define("jax_high_dynamic_range_gumbel", False, bool,
              "jax.random.gumbel draws two uniforms per value (mode='high') unless a mode is given.")
config.define("jax_log_compiles", False, bool, "Log each jit trace/compile.")
config.define("jax_explain_cache_misses", False, bool, "Explain why a jit call missed the cache.")
config.define("jax_platforms", "", str, "Accepted for compatibility; only 'cpu' exists.")
config.define("jax_platform_name", "", str, "Accepted for compatibility; only 'cpu' exists.")
def _check_backend(value):
    if value == "numba":
        from jaxlite._src.backend import numba_backend
        numba_backend.numba_module()  # ImportError naming the [fast] extra when numba is missing
    elif value != "numpy":
        raise ValueError(f"jaxlite_backend must be 'numpy' or 'numba', got {value!r}")


config.define("jaxlite_backend", "numpy", str,
              "Backend tier: 'numpy' (default), or 'numba' (needs numba, the [fast] extra): native kernels "
              "for some equations, compiled in the background; the rest stays on NumPy.",
              affects_tracing=True, on_update=_check_backend)
config.define("jax_dynamic_shapes", False, bool, "Not supported; accepted for compatibility.")
config.define("jax_traceback_filtering", "auto", str, "Accepted for compatibility.")
config.define("jax_compilation_cache_dir", "", str, "Accepted for compatibility.")


def _num_devices_default():
    flags = os.environ.get("XLA_FLAGS", "")
    for part in flags.split():
        if part.startswith("--xla_force_host_platform_device_count="):
            return int(part.split("=", 1)[1])
    return 1


config.define("jax_num_cpu_devices", _num_devices_default(), int, "Number of virtual CPU devices.")


def x64_enabled() -> bool:
    return config._values["jax_enable_x64"]


@contextlib.contextmanager
def enable_x64(new_val: bool = True):
    """Context manager that turns 64-bit types on (or off) inside its block."""
    with config.override("jax_enable_x64", new_val):
        yield


@contextlib.contextmanager
def debug_nans(new_val: bool = True):
    with config.override("jax_debug_nans", new_val):
        yield


@contextlib.contextmanager
def debug_infs(new_val: bool = True):
    with config.override("jax_debug_infs", new_val):
        yield


config.define("jax_numpy_dtype_promotion", "standard", str, "'standard' or 'strict' dtype promotion.",
              affects_tracing=True)
config.define("jax_enable_checks", False, bool, "Extra internal checks (accepted for compatibility).")
config.define("jax_check_tracer_leaks", False, bool, "Accepted for compatibility.")
config.define("jax_debug_key_reuse", False, bool, "Accepted for compatibility.")
config.define("jax_enable_custom_prng", False, bool, "Accepted for compatibility.")
config.define("jax_legacy_prng_key", "allow", str, "Accepted for compatibility.")
config.define("jax_default_device", "", str, "Accepted for compatibility.")
config.define("jax_transfer_guard", "allow", str, "Accepted for compatibility (all memory is host).")


def _flag_context(flag):
    @contextlib.contextmanager
    def ctx(new_val=True):
        with config.override(flag, new_val):
            yield
    ctx.__name__ = flag[4:]
    ctx.__doc__ = f"Context manager setting ``{flag}`` inside its block."
    return ctx


default_matmul_precision = _flag_context("jax_default_matmul_precision")
log_compiles = _flag_context("jax_log_compiles")
explain_cache_misses = _flag_context("jax_explain_cache_misses")
numpy_rank_promotion = _flag_context("jax_numpy_rank_promotion")
numpy_dtype_promotion = _flag_context("jax_numpy_dtype_promotion")
threefry_partitionable = _flag_context("jax_threefry_partitionable")
default_prng_impl = _flag_context("jax_default_prng_impl")
enable_checks = _flag_context("jax_enable_checks")
check_tracer_leaks = _flag_context("jax_check_tracer_leaks")
checking_leaks = _flag_context("jax_check_tracer_leaks")
debug_key_reuse = _flag_context("jax_debug_key_reuse")
enable_custom_prng = _flag_context("jax_enable_custom_prng")
legacy_prng_key = _flag_context("jax_legacy_prng_key")
default_device = _flag_context("jax_default_device")
transfer_guard = _flag_context("jax_transfer_guard")
transfer_guard_host_to_device = _flag_context("jax_transfer_guard")
transfer_guard_device_to_host = _flag_context("jax_transfer_guard")
transfer_guard_device_to_device = _flag_context("jax_transfer_guard")
