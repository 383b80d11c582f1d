"""``jax.experimental.mesh_utils``: arrange devices into a mesh-shaped array."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from jaxlite._src.devices import devices as _all_devices


def create_device_mesh(mesh_shape: Sequence[int], devices=None, *, contiguous_submeshes: bool = False,
                       allow_split_physical_axes: bool = False) -> np.ndarray:
    """An ndarray of devices of shape ``mesh_shape`` (virtual CPU devices have no physical topology, so
    they are laid out in id order).

    Example:
        >>> mesh_utils.create_device_mesh((2, 4)).shape
        (2, 4)
    """
    devs = list(_all_devices() if devices is None else devices)
    shape = tuple(int(s) for s in mesh_shape)
    if math.prod(shape) != len(devs):
        raise ValueError(f"Number of devices {len(devs)} must equal the product of mesh_shape {shape}")
    out = np.empty(len(devs), dtype=object)
    for i, d in enumerate(devs):
        out[i] = d
    return out.reshape(shape)


def create_hybrid_device_mesh(mesh_shape, dcn_mesh_shape, devices=None, *, process_is_granule=False,
                              should_sort_granules_by_key=True, allow_split_physical_axes=False):
    """A mesh over several slices/processes: with one process, the per-axis product of both shapes."""
    shape = tuple(a * b for a, b in zip(mesh_shape, dcn_mesh_shape))
    return create_device_mesh(shape, devices)
