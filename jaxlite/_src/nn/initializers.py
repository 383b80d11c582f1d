"""jax.nn.initializers: functions ``init(key, shape, dtype=None) -> Array`` for neural-net parameters.

Each builder returns an initializer; with the same key they draw the same numbers as JAX's (they use
``jax.random`` the same way).
"""
from __future__ import annotations

import math
from typing import Any, Literal, Protocol, Sequence

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.lax.utils import canonicalize_shape
import jaxlite.numpy as jnp

__all__ = [
    "Initializer", "zeros", "ones", "constant", "uniform", "normal", "truncated_normal",
    "variance_scaling", "glorot_uniform", "glorot_normal", "xavier_uniform", "xavier_normal",
    "lecun_uniform", "lecun_normal", "he_uniform", "he_normal", "kaiming_uniform", "kaiming_normal",
    "orthogonal", "delta_orthogonal",
]


class Initializer(Protocol):
    def __call__(self, key, shape, dtype=None, out_sharding=None) -> Any:
        ...


def _random():
    from jaxlite._src import random
    return random


def _default_float():
    return dtypes.canonicalize_dtype(np.float64)


def zeros(key, shape, dtype=None, out_sharding=None):
    """An array of zeros (the key is ignored).

    >>> zeros(jax.random.key(0), (2, 3))
    Array([[0., 0., 0.],
           [0., 0., 0.]], dtype=float32)
    """
    return jnp.zeros(shape, _default_float() if dtype is None else dtype)


def ones(key, shape, dtype=None, out_sharding=None):
    """An array of ones (the key is ignored)."""
    return jnp.ones(shape, _default_float() if dtype is None else dtype)


def constant(value, dtype=None) -> Initializer:
    """An initializer returning arrays filled with ``value``."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        return jnp.full(shape, value, dtype=_default_float() if dtype is None else dtype)
    return init


def uniform(scale=1e-2, dtype=None) -> Initializer:
    """Uniform values in ``[0, scale)``."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        dtype = _default_float() if dtype is None else dtype
        return _random().uniform(key, shape, dtype) * jnp.array(scale, dtype)
    return init


def normal(stddev=1e-2, dtype=None) -> Initializer:
    """Normal values with mean 0 and standard deviation ``stddev``."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        dtype = _default_float() if dtype is None else dtype
        return _random().normal(key, shape, dtype) * jnp.array(stddev, dtype)
    return init


def truncated_normal(stddev=1e-2, dtype=None, lower=-2.0, upper=2.0) -> Initializer:
    """Standard normal values truncated to ``(lower, upper)``, then scaled by ``stddev`` (no variance
    correction for the truncation, as in JAX)."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        dtype = _default_float() if dtype is None else dtype
        return _random().truncated_normal(key, lower, upper, shape, dtype) * jnp.array(stddev, dtype)
    return init


def _compute_fans(shape, in_axis=-2, out_axis=-1, batch_axis=()):
    """(fan_in, fan_out): input/output sizes times the receptive field (the remaining axes)."""
    if isinstance(in_axis, int) and in_axis == -2 and len(shape) <= 1:
        raise ValueError(f"Can't compute input and output sizes of a {len(shape)}-dimensional weights "
                         f"tensor with default in_axis. Must be at least 2D or specify in_axis explicitly.")

    def size(axes):
        return shape[axes] if isinstance(axes, int) else math.prod([shape[i] for i in axes])
    in_size, out_size, batch_size = size(in_axis), size(out_axis), size(batch_axis)
    receptive = math.prod(shape) / in_size / out_size / batch_size
    return in_size * receptive, out_size * receptive


def _complex_uniform(key, shape, dtype):
    rnd = _random()
    key_r, key_theta = rnd.split(key)
    real_dtype = np.array(0, dtype).real.dtype
    dtype = dtypes.to_complex_dtype(real_dtype)
    r = jnp.sqrt(2 * rnd.uniform(key_r, shape, real_dtype)).astype(dtype)
    theta = 2 * np.pi * rnd.uniform(key_theta, shape, real_dtype).astype(dtype)
    return r * jnp.exp(1j * theta)


def _complex_truncated_normal(key, upper, shape, dtype):
    rnd = _random()
    key_r, key_theta = rnd.split(key)
    real_dtype = np.array(0, dtype).real.dtype
    dtype = dtypes.to_complex_dtype(real_dtype)
    t = (1 - jnp.exp(jnp.array(-(upper ** 2), dtype))) * rnd.uniform(key_r, shape, real_dtype).astype(dtype)
    r = jnp.sqrt(-jnp.log(1 - t))
    theta = 2 * np.pi * rnd.uniform(key_theta, shape, real_dtype).astype(dtype)
    return r * jnp.exp(1j * theta)


def variance_scaling(scale, mode: Literal["fan_in", "fan_out", "fan_avg", "fan_geo_avg"],
                     distribution: Literal["truncated_normal", "normal", "uniform"],
                     in_axis: int | Sequence[int] = -2, out_axis: int | Sequence[int] = -1,
                     batch_axis: int | Sequence[int] = (), dtype=None) -> Initializer:
    """Values with variance ``scale / n``, ``n`` the fan given by ``mode``; ``distribution`` is a
    normal truncated at 2 standard deviations (rescaled to keep the variance), a normal, or a uniform
    (a uniform disk for complex dtypes)."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        rnd = _random()
        shape = canonicalize_shape(shape)
        dtype = _default_float() if dtype is None else dtype
        fan_in, fan_out = _compute_fans(shape, in_axis, out_axis, batch_axis)
        if mode == "fan_in":
            denominator = fan_in
        elif mode == "fan_out":
            denominator = fan_out
        elif mode == "fan_avg":
            denominator = (fan_in + fan_out) / 2
        elif mode == "fan_geo_avg":
            denominator = (fan_in * fan_out) ** 0.5
        else:
            raise ValueError(f"invalid mode for variance scaling initializer: {mode}")
        variance = jnp.array(scale / denominator, dtype=dtype)
        is_complex = dtypes.issubdtype(dtype, np.complexfloating)
        if distribution == "truncated_normal":
            if not is_complex:
                # .8796... is the standard deviation of a standard normal truncated to (-2, 2)
                stddev = jnp.sqrt(variance) / jnp.array(.87962566103423978, dtype)
                return rnd.truncated_normal(key, -2, 2, shape, dtype) * stddev
            stddev = jnp.sqrt(variance) / jnp.array(.95311164380491208, dtype)
            return _complex_truncated_normal(key, 2, shape, dtype) * stddev
        if distribution == "normal":
            return rnd.normal(key, shape, dtype) * jnp.sqrt(variance)
        if distribution == "uniform":
            if not is_complex:
                return rnd.uniform(key, shape, dtype, -1) * jnp.sqrt(3 * variance)
            return _complex_uniform(key, shape, dtype) * jnp.sqrt(variance)
        raise ValueError(f"invalid distribution for variance scaling initializer: {distribution}")
    return init


def glorot_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None) -> Initializer:
    """``variance_scaling(1.0, 'fan_avg', 'uniform')`` (Xavier uniform)."""
    return variance_scaling(1.0, "fan_avg", "uniform", in_axis, out_axis, batch_axis, dtype)


def glorot_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None) -> Initializer:
    """``variance_scaling(1.0, 'fan_avg', 'truncated_normal')`` (Xavier normal)."""
    return variance_scaling(1.0, "fan_avg", "truncated_normal", in_axis, out_axis, batch_axis, dtype)


xavier_uniform = glorot_uniform
xavier_normal = glorot_normal


def lecun_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None) -> Initializer:
    """``variance_scaling(1.0, 'fan_in', 'uniform')``."""
    return variance_scaling(1.0, "fan_in", "uniform", in_axis, out_axis, batch_axis, dtype)


def lecun_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None) -> Initializer:
    """``variance_scaling(1.0, 'fan_in', 'truncated_normal')``."""
    return variance_scaling(1.0, "fan_in", "truncated_normal", in_axis, out_axis, batch_axis, dtype)


def he_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None) -> Initializer:
    """``variance_scaling(2.0, 'fan_in', 'uniform')`` (Kaiming uniform)."""
    return variance_scaling(2.0, "fan_in", "uniform", in_axis, out_axis, batch_axis, dtype)


def he_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None) -> Initializer:
    """``variance_scaling(2.0, 'fan_in', 'truncated_normal')`` (Kaiming normal)."""
    return variance_scaling(2.0, "fan_in", "truncated_normal", in_axis, out_axis, batch_axis, dtype)


kaiming_uniform = he_uniform
kaiming_normal = he_normal


def orthogonal(scale=1.0, column_axis: int = -1, dtype=None) -> Initializer:
    """Uniformly distributed orthogonal matrices (orthonormal rows or columns for non-square shapes);
    the shape's other axes are flattened into the rows."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        if out_sharding is not None:
            raise NotImplementedError("orthogonal initializer with out_sharding")
        dtype = _default_float() if dtype is None else dtype
        shape = canonicalize_shape(shape)
        if len(shape) < 2:
            raise ValueError("orthogonal initializer requires at least a 2D shape")
        if any(d == 0 for d in shape):
            return jnp.zeros(shape, dtype=dtype)
        n_rows, n_cols = math.prod(shape) // shape[column_axis], shape[column_axis]
        Q = _random().orthogonal(key, n_rows, (), dtype, n_cols)
        Q = jnp.reshape(Q, tuple(np.delete(shape, column_axis)) + (shape[column_axis],))
        Q = jnp.moveaxis(Q, -1, column_axis)
        return jnp.array(scale, dtype) * Q
    return init


def delta_orthogonal(scale=1.0, column_axis: int = -1, dtype=None) -> Initializer:
    """Delta-orthogonal convolution kernels: zero except an orthogonal matrix at the spatial centre
    (shape ``(*spatial, in, out)`` with 1-3 spatial dims and ``in <= out``)."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        if out_sharding is not None:
            raise NotImplementedError("delta_orthogonal initializer with out_sharding")
        dtype = _default_float() if dtype is None else dtype
        shape = canonicalize_shape(shape)
        if len(shape) not in (3, 4, 5):
            raise ValueError("Delta orthogonal initializer requires a 3D, 4D or 5D shape.")
        if shape[-1] < shape[-2]:
            raise ValueError("`fan_in` must be less or equal than `fan_out`. ")
        ortho = orthogonal(scale=scale, column_axis=column_axis, dtype=dtype)(key, shape[-2:])
        W = jnp.zeros(shape, dtype=dtype)
        centre = tuple((k - 1) // 2 for k in shape[:-2])
        return W.at[centre].set(ortho)
    return init
