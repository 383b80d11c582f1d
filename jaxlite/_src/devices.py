"""Virtual CPU devices: ``jax.devices()``, ``device_count()``, ... and the ``CpuDevice`` objects.

All devices live in this process and share host memory; an array placed on several of them keeps one
NumPy buffer and hands out per-device views (see ``_src/sharding.py``). Their number comes from the flag
``jax_num_cpu_devices`` (default: ``XLA_FLAGS=--xla_force_host_platform_device_count=N``, else 1) and is
fixed the first time devices are asked for, as JAX fixes it when its backend starts. A later process
boundary (MPI) would give each process its own ``process_index`` and its slice of the global devices.
"""
from __future__ import annotations

import threading

from jaxlite._src.config import config


class CpuDevice:
    """One (virtual) CPU device. Compare and hash by id; prints like JAX's ``CpuDevice(id=0)``."""

    __slots__ = ("id", "process_index", "_hash")
    platform = "cpu"
    device_kind = "cpu"
    client = None

    def __init__(self, id: int, process_index: int = 0):
        self.id = id
        self.process_index = process_index
        self._hash = id  # so that sets of devices iterate in id order, as JAX prints them

    @property
    def host_id(self):
        return self.process_index

    @property
    def task_id(self):
        return self.process_index

    @property
    def local_hardware_id(self):
        return self.id

    @property
    def coords(self):
        return (self.id,)

    def memory(self, kind=None):
        return None

    def addressable_memories(self):
        return []

    def __repr__(self):
        return f"CpuDevice(id={self.id})"

    def __str__(self):
        return f"cpu:{self.id}"

    def __eq__(self, other):
        return type(other) is CpuDevice and other.id == self.id

    def __hash__(self):
        return self._hash

    def __reduce__(self):
        return (_device_by_id, (self.id,))


def _device_by_id(i):
    return devices()[i]


_lock = threading.Lock()
_devices: list | None = None


def _init():
    global _devices
    with _lock:
        if _devices is None:
            n = int(config._values["jax_num_cpu_devices"])
            if n < 1:
                raise ValueError(f"jax_num_cpu_devices must be a positive number of devices, got {n}")
            _devices = [CpuDevice(i) for i in range(n)]
    return _devices


def backends_are_initialized() -> bool:
    return _devices is not None


def _check_num_devices_update(value):
    # JAX fixes the device count when the backend starts; so do we.
    if _devices is not None and int(value) != len(_devices):
        raise RuntimeError(
            "jax_num_cpu_devices config should be updated before backends are initialized i.e. before any "
            "JAX operation is executed. You should initialize this config immediately after `import jax`.")


config._flags["jax_num_cpu_devices"].on_update = _check_num_devices_update


def _check_backend(backend):
    if backend not in (None, "cpu"):
        raise RuntimeError(f"Unknown backend {backend}. Available backends are ['cpu'] (jaxlite runs on "
                           "virtual CPU devices only).")


def devices(backend=None) -> list:
    """All devices, e.g. ``[CpuDevice(id=0), CpuDevice(id=1)]``.

    Example:
        >>> jax.config.update("jax_num_cpu_devices", 2)  # before anything else runs
        >>> jax.devices()
        [CpuDevice(id=0), CpuDevice(id=1)]
    """
    _check_backend(backend)
    return list(_devices if _devices is not None else _init())


def local_devices(process_index: int | None = None, backend=None, host_id=None) -> list:
    """The devices of this process (all of them: there is one process)."""
    _check_backend(backend)
    idx = process_index if process_index is not None else (host_id if host_id is not None else 0)
    return [d for d in devices() if d.process_index == idx]


def device_count(backend=None) -> int:
    return len(devices(backend))


def local_device_count(backend=None) -> int:
    return len(local_devices(backend=backend))


def process_index(backend=None) -> int:
    _check_backend(backend)
    return 0


host_id = process_index


def process_count(backend=None) -> int:
    _check_backend(backend)
    return 1


host_count = process_count


def process_indices(backend=None) -> list:
    return [0]


def host_ids(backend=None) -> list:
    return [0]


def default_backend() -> str:
    return "cpu"


def default_device() -> CpuDevice:
    return devices()[0]
