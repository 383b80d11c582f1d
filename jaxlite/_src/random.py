"""jax.random: keys, key derivation and samplers, bit for bit the same streams as JAX.

The bit-level parts (key derivation from seeds, ``split``, ``fold_in``, ``bits``, the bits-to-float
conversion of ``uniform``, integer samplers, shuffling) follow JAX's algorithms exactly, so they give
JAX's numbers. Samplers that apply transcendental functions (``normal`` uses ``erf_inv``, ``exponential``
uses ``log1p``, ...) compute them with NumPy, whose last-bit rounding can differ from XLA's approximations
of those functions; such values agree with JAX to a few ulp (see tests/test_random.py).

The gamma sampler is JAX's ``random_gamma`` primitive; its NumPy implementation runs JAX's per-element
rejection loop vectorised over elements, and its jvp is the implicit reparameterization gradient
(``lax.random_gamma_grad``), so gamma, loggamma, beta, dirichlet, t, ... are differentiable in their
shape parameters as in JAX. Poisson is a primitive here too (``random_poisson``, a NumPy loop), while
binomial and multinomial use ``lax.while_loop``/``lax.scan`` exactly as JAX writes them.
"""
from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from functools import partial

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.api import jit
from jaxlite._src.array import ArrayImpl
from jaxlite._src.config import config
from jaxlite._src.core import Primitive, ShapedArray, Tracer
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.lax.random_bits import erf_inv_f32, random_gamma_grad
from jaxlite._src.lax import lax
from jaxlite._src.lax.elementwise import add_fma as _add_fma, div_const as _div_const, sub_fma as _sub_fma
from jaxlite._src import prng
from jaxlite._src.prng import (KeyTy, PRNGImpl, UINT_DTYPES, from_words, to_words,
                               threefry_prng_impl)

__all__ = [
    "PRNGKey", "key", "key_data", "wrap_key_data", "key_impl", "key_dtype", "split", "fold_in", "bits",
    "clone", "uniform", "normal", "randint", "bernoulli", "categorical", "choice", "permutation",
    "truncated_normal", "exponential", "laplace", "logistic", "gumbel", "cauchy", "gamma", "loggamma",
    "beta", "dirichlet", "poisson", "t", "multivariate_normal", "orthogonal", "rademacher", "ball",
    "pareto", "chisquare", "f", "maxwell", "double_sided_maxwell", "weibull_min", "generalized_normal",
    "rayleigh", "wald", "geometric", "triangular", "lognormal", "shuffle", "default_prng_impl",
    "binomial", "multinomial",
    "PRNGKeyArray",
]

PRNGKeyArray = prng.PRNGKeyArray


def _jnp():
    import jaxlite.numpy as jnp
    return jnp


# ---------------------------------------------------------------------------------------------------
# Checking keys
# ---------------------------------------------------------------------------------------------------

def default_prng_impl() -> PRNGImpl:
    name = config._values["jax_default_prng_impl"]
    if name not in prng.prngs:
        raise NotImplementedError(f"PRNG implementation {name!r}: only 'threefry2x32' is available")
    return prng.prngs[name]


def _is_array(x) -> bool:
    return isinstance(x, (ArrayImpl, Tracer, np.ndarray))


def _arraylike(x) -> bool:
    return _is_array(x) or hasattr(x, "__jax_array__") or np.isscalar(x)


def _is_typed_key(x) -> bool:
    return isinstance(x, (ArrayImpl, Tracer)) and isinstance(getattr(x, "dtype", None), KeyTy)


def _check_prng_key(name: str, key, *, allow_batched: bool = False):
    """Return ``(typed_key, was_raw)``; raw uint32 keys are wrapped (and checked)."""
    if _is_typed_key(key):
        typed, wrapped = key, False
    elif _arraylike(key):
        typed, wrapped = _wrap_checked(key, default_prng_impl()), True
    else:
        raise TypeError(f"unexpected PRNG key type {type(key)}. A key is made by jax.random.key(seed) "
                        "(a typed key) or jax.random.PRNGKey(seed) (a uint32 array of shape (2,)).")
    if not allow_batched and typed.ndim:
        raise ValueError(f"{name} accepts a single key, but was given a key array of shape "
                         f"{tuple(np.shape(key))} != (). Use jax.vmap for batching.")
    return typed, wrapped


def _wrap_checked(key_data, impl):
    if not all(hasattr(key_data, a) for a in ("ndim", "shape", "dtype")):
        raise TypeError("JAX encountered invalid PRNG key data: expected key_data to have ndim, shape, "
                        f"and dtype attributes. Got {key_data!r}. Make keys with jax.random.key(seed) "
                        "or jax.random.PRNGKey(seed).")
    prng.check_key_data(impl, core.get_aval(key_data) if not isinstance(key_data, np.ndarray)
                        else ShapedArray(key_data.shape, key_data.dtype))
    return prng.random_wrap(key_data, impl=impl)


def _return_prng_keys(was_wrapped: bool, key):
    return prng.random_unwrap(key) if was_wrapped else key


def _random_bits(key, bit_width: int, shape):
    return prng.random_bits(key, bit_width, shape)


# ---------------------------------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------------------------------

class PRNGSpec:
    """Names a PRNG implementation (what ``key_impl`` returns for unregistered ones)."""

    __slots__ = ("_impl",)

    def __init__(self, impl):
        self._impl = impl

    def __repr__(self):
        return f"PRNGSpec({self._impl.name!r})"

    def __str__(self):
        return str(self._impl)

    def __hash__(self):
        return hash(self._impl)

    def __eq__(self, other):
        return isinstance(other, PRNGSpec) and self._impl == other._impl


def resolve_prng_impl(impl_spec) -> PRNGImpl:
    if impl_spec is None:
        return default_prng_impl()
    if isinstance(impl_spec, PRNGImpl):
        return impl_spec
    if isinstance(impl_spec, PRNGSpec):
        return impl_spec._impl
    if isinstance(impl_spec, KeyTy):
        return impl_spec._impl
    if isinstance(impl_spec, str):
        if impl_spec in prng.prngs:
            return prng.prngs[impl_spec]
        if impl_spec in ("rbg", "unsafe_rbg", "threefry4x32", "philox2x32", "philox4x32"):
            raise NotImplementedError(f"PRNG implementation {impl_spec!r}: only 'threefry2x32' is "
                                      "implemented in jaxlite")
        keys_fmt = ", ".join(f'"{s}"' for s in prng.prngs)
        raise ValueError(f'unrecognized PRNG implementation "{impl_spec}". Did you mean one of: '
                         f"{keys_fmt}?")
    raise TypeError(f"unrecognized type {type(impl_spec)} for specifying PRNG implementation.")


def key_dtype(impl_spec=None) -> KeyTy:
    """The dtype of keys of a PRNG implementation (``key<fry>`` for the default Threefry)."""
    return KeyTy(resolve_prng_impl(impl_spec))


def _random_seed(seed, impl):
    jnp = _jnp()
    if isinstance(seed, int) and not isinstance(seed, Tracer):
        # a Python int may be up to 64 bits: convert through int64 (then canonicalized), as JAX does
        seed_arr = jnp.asarray(np.int64(seed))
    else:
        seed_arr = jnp.asarray(seed)
    return prng.random_seed(seed_arr, impl)


def _key(ctor_name: str, seed, impl_spec):
    impl = resolve_prng_impl(impl_spec)
    if hasattr(seed, "dtype") and isinstance(seed.dtype, KeyTy):
        raise TypeError(f"{ctor_name} accepts a scalar seed, but was given a PRNG key.")
    if np.ndim(seed):
        raise TypeError(f"{ctor_name} accepts a scalar seed, but was given an array of shape "
                        f"{tuple(np.shape(seed))} != (). Use jax.vmap for batching")
    return _random_seed(seed, impl)


def key(seed, *, impl=None, dtype=None):
    """A typed PRNG key (dtype ``key<fry>``, shape ``()``) from an integer seed of up to 64 bits.

    Example:
        >>> k = jax.random.key(0)
        >>> k
        Array((), dtype=key<fry>) overlaying:
        [0 0]
    """
    if dtype is not None:
        if impl is not None:
            raise ValueError("Cannot specify both `impl` and `dtype` arguments to jax.random.key")
        impl = dtype
    return _key("key", seed, impl)


def PRNGKey(seed, *, impl=None):
    """A legacy raw PRNG key: a ``uint32[2]`` array holding the key's data.

    Example:
        >>> jax.random.PRNGKey(42)
        Array([ 0, 42], dtype=uint32)
    """
    return prng.random_unwrap(_key("PRNGKey", seed, impl))


def fold_in(key, data):
    """A new key deterministically derived from ``key`` and the 32-bit integer ``data``."""
    key, wrapped = _check_prng_key("fold_in", key)
    if np.ndim(data):
        raise TypeError("fold_in accepts a scalar, but was given an array of"
                        f"shape {tuple(np.shape(data))} != (). Use jax.vmap for batching.")
    jnp = _jnp()
    if isinstance(data, int) and not isinstance(data, bool):
        msgs = jnp.asarray(np.uint32(data & 0xFFFFFFFF)) if -2**63 <= data < 2**64 else None
        if msgs is None:
            raise OverflowError(f"Python int {data} too large to fold into a key (at most 64 bits)")
    else:
        msgs = lax.convert_element_type(jnp.asarray(data), np.uint32)
    return _return_prng_keys(wrapped, prng.random_fold_in(key, msgs))


def _split(key, num=2):
    if key.ndim:
        raise TypeError("split accepts a single key, but was given a key array of shape "
                        f"{key.shape} != (). Use jax.vmap for batching.")
    from jaxlite._src.lax.utils import canonicalize_shape
    shape = canonicalize_shape(tuple(num) if isinstance(num, Sequence) else (num,), "of jax.random.split's num")
    return prng.random_split(key, shape)


def split(key, num=2):
    """Split a key into ``num`` new keys (an int, or a tuple for a shape of keys).

    Example:
        >>> key, subkey = jax.random.split(jax.random.key(0))
    """
    typed_key, wrapped = _check_prng_key("split", key)
    return _return_prng_keys(wrapped, _split(typed_key, num))


def key_impl(keys):
    """The name of the PRNG implementation of ``keys`` (``'threefry2x32'``)."""
    typed, _ = _check_prng_key("key_impl", keys, allow_batched=True)
    impl = typed.dtype._impl
    return impl.name if impl.name in prng.prngs else PRNGSpec(impl)


def key_data(keys):
    """The uint32 data underlying a key array: shape ``keys.shape + (2,)``."""
    typed, _ = _check_prng_key("key_data", keys, allow_batched=True)
    return prng.random_unwrap(typed)


def wrap_key_data(key_bits_array, *, impl=None, dtype=None):
    """A typed key array from uint32 key data of shape ``(..., 2)`` (the inverse of ``key_data``)."""
    if dtype is not None:
        if impl is not None:
            raise ValueError("Cannot specify both `impl` and `dtype` arguments to "
                             "jax.random.wrap_key_data")
        impl = dtype
    return _wrap_checked(key_bits_array, resolve_prng_impl(impl))


def clone(key):
    """Return ``key`` (key-reuse checking is not implemented, so cloning is the identity)."""
    return key


# ---------------------------------------------------------------------------------------------------
# Shared helpers of the samplers
# ---------------------------------------------------------------------------------------------------

def _canonicalize_shape(shape, name):
    if shape is None:
        return None
    from jaxlite._src.lax.utils import canonicalize_shape
    shape = canonicalize_shape(shape, f"of jax.random.{name}")
    if any(d < 0 for d in shape):
        raise TypeError(f"jax.random.{name}: the shape {shape} has a negative size; sizes must be >= 0.")
    return shape


def _sampler_args(name, key, dtype, shape, *params):
    """A parametrized float sampler's checked arguments: the key, the float dtype, and the sample shape
    (``shape``, or the parameters' broadcast shape), the parameters being safe to cast to the dtype."""
    key, _ = _check_prng_key(name, key)
    dtype = _float_dtype(dtype, name)
    shape = _check_broadcast_shapes(name, shape, *params)
    _check_all_safe_to_cast(name, dtype, *params)
    return key, dtype, shape


def _check_shape(name: str, shape, *param_shapes):
    if param_shapes:
        try:
            shape_ = lax.broadcast_shapes(tuple(shape), *map(tuple, param_shapes))
        except (ValueError, TypeError):
            shape_ = None
        if tuple(shape) != shape_:
            raise ValueError(f"{name} parameter shapes must be broadcast-compatible with shape argument, "
                             "and the result of broadcasting the shapes must equal the shape argument, "
                             f"but got result {shape_} for shape argument {tuple(shape)}.")


def _check_broadcast_shapes(name, shape, *args):
    arg_shapes = [np.shape(a) for a in args]
    if shape is None:
        return lax.broadcast_shapes(*arg_shapes) if arg_shapes else ()
    shape = _canonicalize_shape(shape, name)
    _check_shape(name, shape, *arg_shapes)
    return shape


def _float_dtype(dtype, name, kind=np.floating, what="a float"):
    dtype = dtypes.check_and_canonicalize_user_dtype(float if dtype is None else dtype, name)
    if not dtypes.issubdtype(dtype, kind):
        raise ValueError(f"dtype argument to `{name}` must be {what} dtype, got {dtype}")
    return np.dtype(dtype)


def _const(x, value):
    return np.array(value, dtype=core.get_aval(x).dtype)


def _check_all_safe_to_cast(name, dtype, *args):
    for arg in args:
        adt = dtypes.dtype(arg) if not isinstance(arg, (int, float)) else None
        if adt is None:
            continue
        if not dtypes.issubdtype(adt, np.floating) and not dtypes.issubdtype(adt, np.integer) \
                and not dtypes.issubdtype(adt, np.bool_):
            raise dtypes.TypePromotionError(f"In arguments to {name}, cannot safely cast argument of "
                                            f"type {adt} to {dtype}")
        if dtypes.issubdtype(adt, np.complexfloating):
            raise dtypes.TypePromotionError(f"In arguments to {name}, cannot safely cast argument of "
                                            f"type {adt} to {dtype}")


# ---------------------------------------------------------------------------------------------------
# bits and uniform
# ---------------------------------------------------------------------------------------------------

def bits(key, shape=(), dtype=None, *, out_sharding=None):
    """Uniform random bits as unsigned integers (default ``uint32``, ``uint64`` under x64)."""
    key, _ = _check_prng_key("bits", key)
    if dtype is None:
        dtype = dtypes.default_uint_dtype()
    else:
        dtype = dtypes.check_and_canonicalize_user_dtype(dtype, "bits")
    if not dtypes.issubdtype(dtype, np.unsignedinteger):
        raise ValueError(f"dtype argument to `bits` must be an unsigned int dtype, got {dtype}")
    shape = _canonicalize_shape(shape, "bits")
    return _random_bits(key, np.dtype(dtype).itemsize * 8, shape)


def uniform(key, shape=(), dtype=None, minval=0., maxval=1., *, out_sharding=None):
    """Uniform floats in ``[minval, maxval)``.

    Example:
        >>> jax.random.uniform(jax.random.key(0), (2,))   # doctest: +SKIP
    """
    key, _ = _check_prng_key("uniform", key)
    dtype = dtypes.check_and_canonicalize_user_dtype(float if dtype is None else dtype, "uniform")
    shape = _canonicalize_shape(shape, "uniform")
    if not dtypes.issubdtype(dtype, np.floating):
        raise ValueError(f"dtype argument to `uniform` must be a float dtype, got {dtype}")
    return _uniform(key, minval, maxval, shape, np.dtype(dtype))


@partial(jit, static_argnums=(3, 4))
def _uniform(key, minval, maxval, shape, dtype):
    _check_shape("uniform", shape)
    minval = lax.convert_element_type(minval, dtype)
    maxval = lax.convert_element_type(maxval, dtype)
    minval = lax.broadcast_to_rank(minval, len(shape))
    maxval = lax.broadcast_to_rank(maxval, len(shape))
    finfo = dtypes.finfo(dtype)
    nbits, nmant = finfo.bits, finfo.nmant
    if nbits not in (8, 16, 32, 64):
        raise TypeError(f"uniform only accepts 8-, 16-, 32-, or 64-bit dtypes, got {dtype}.")
    rng_bits = 8 if nmant < 8 else nbits
    rbits = _random_bits(key, rng_bits, shape)
    uint_dtype = UINT_DTYPES[nbits]
    if rng_bits != nbits:
        rbits = lax.convert_element_type(rbits, uint_dtype)
    # fill the mantissa with random bits under the exponent of 1.0: a float uniform in [1, 2)
    float_bits = lax.shift_right_logical(rbits, np.array(rng_bits - nmant, uint_dtype))
    float_bits = lax.bitwise_or(float_bits, np.array(1.0, dtype).view(uint_dtype))
    floats = lax.sub(lax.bitcast_convert_type(float_bits, dtype), np.array(1.0, dtype))
    # XLA computes floats * (maxval - minval) + minval with one fused multiply-add (float32, float64)
    return lax.max(minval, lax.reshape(_add_fma(lax.mul(floats, lax.sub(maxval, minval)), minval), shape))


# ---------------------------------------------------------------------------------------------------
# Integer samplers
# ---------------------------------------------------------------------------------------------------

def _convert_and_clip_integer(val, dtype):
    """Convert an integer array to ``dtype``, clipping to its range instead of wrapping."""
    jnp = _jnp()
    vdt = core.get_aval(val).dtype
    lo = max(int(np.iinfo(dtype).min), int(np.iinfo(vdt).min))
    hi = min(int(np.iinfo(dtype).max), int(np.iinfo(vdt).max))
    return lax.convert_element_type(jnp.clip(val, np.array(lo, vdt), np.array(hi, vdt)), dtype)


def randint(key, shape, minval, maxval, dtype=None, *, out_sharding=None):
    """Uniform integers in ``[minval, maxval)`` (default int32, int64 under x64)."""
    jnp = _jnp()
    key, _ = _check_prng_key("randint", key)
    dtype = dtypes.check_and_canonicalize_user_dtype(int if dtype is None else dtype, "randint")
    shape = _canonicalize_shape(shape, "randint")
    if not dtypes.issubdtype(dtype, np.integer):
        raise TypeError(f"randint only accepts integer dtypes, got {dtype}")
    dtype = np.dtype(dtype)
    info = np.iinfo(dtype)
    sample_dtype = dtype
    if info.bits < 32:  # sample in 32 bits, as JAX does, to reduce the modulo bias
        sample_dtype = np.dtype("int32")
        minval = jnp.clip(jnp.asarray(minval).astype("int32"), int(info.min), int(info.max))
        maxval = jnp.clip(jnp.asarray(maxval).astype("int32"), int(info.min), int(info.max) + 1)
    return _randint(key, minval, maxval, shape, sample_dtype).astype(dtype)


@partial(jit, static_argnums=(3, 4))
def _randint(key, minval, maxval, shape, dtype):
    jnp = _jnp()
    _check_shape("randint", shape, np.shape(minval), np.shape(maxval))
    minval = jnp.asarray(minval)
    maxval = jnp.asarray(maxval)
    if not dtypes.issubdtype(minval.dtype, np.integer):
        minval = minval.astype(int)
    if not dtypes.issubdtype(maxval.dtype, np.integer):
        maxval = maxval.astype(int)
    # maxval above the dtype's range (e.g. randint(key, shape, 0, 256, 'uint8')) widens the span by one
    maxval_out_of_range = lax.gt(
        maxval, _convert_and_clip_integer(jnp.array(np.iinfo(dtype).max, dtype), maxval.dtype))
    minval = _convert_and_clip_integer(minval, dtype)
    maxval = _convert_and_clip_integer(maxval, dtype)
    minval = lax.broadcast_to_rank(minval, len(shape))
    maxval = lax.broadcast_to_rank(maxval, len(shape))
    nbits = np.iinfo(dtype).bits
    if nbits not in (8, 16, 32, 64):
        raise TypeError(f"randint only accepts 8-, 16-, 32-, or 64-bit dtypes, got {dtype}")
    # twice the bits of the dtype reduce the bias of the modulus below
    k1, k2 = _split(key)
    higher_bits = _random_bits(k1, nbits, shape)
    lower_bits = _random_bits(k2, nbits, shape)
    unsigned_dtype = UINT_DTYPES[nbits]
    span = lax.convert_element_type(lax.sub(maxval, minval), unsigned_dtype)
    span = lax.select(lax.le(maxval, minval), lax.full_like(span, 1), span)
    span = lax.select(lax.bitwise_and(maxval_out_of_range, lax.gt(maxval, minval)),
                      lax.add(span, _const(span, 1)), span)
    # (hi * 2**nbits + lo) % span, without overflow: 2**nbits % span computed as a square
    multiplier = lax.rem(_const(span, 2 ** (nbits // 2)), span)
    multiplier = lax.rem(lax.mul(multiplier, multiplier), span)
    random_offset = lax.add(lax.mul(lax.rem(higher_bits, span), multiplier), lax.rem(lower_bits, span))
    random_offset = lax.rem(random_offset, span)
    return lax.add(minval, lax.convert_element_type(random_offset, dtype))


def bernoulli(key, p=0.5, shape=None, mode="low", *, out_sharding=None):
    """Booleans that are True with probability ``p``."""
    if shape is not None:
        shape = _canonicalize_shape(shape, "bernoulli")
    if mode not in ("high", "low"):
        raise ValueError(f"got mode={mode!r}, expected 'high' or 'low'")
    key, _ = _check_prng_key("bernoulli", key)
    dtype = dtypes.dtype(p, canonicalize=True)
    if not dtypes.issubdtype(dtype, np.floating):
        raise TypeError(f"bernoulli probability `p` must have a floating dtype, got {dtype}.")
    p = lax.convert_element_type(p, dtype)
    return _bernoulli(key, p, shape, mode)


@partial(jit, static_argnums=(2, 3))
def _bernoulli(key, p, shape, mode):
    if shape is None:
        shape = np.shape(p)
    else:
        _check_shape("bernoulli", shape, np.shape(p))
    dtype = core.get_aval(p).dtype
    if mode == "high":
        u = uniform(key, (2, *shape), dtype)
        u1, u2 = u[0], u[1]
        u2 = u2 * np.array(2 ** (-dtypes.finfo(dtype).nmant), dtype)
        return lax.lt(u2, lax.sub(p, u1))
    return lax.lt(uniform(key, shape, dtype), p)


def rademacher(key, shape=(), dtype=None, *, out_sharding=None):
    """Random signs, -1 or +1 with equal probability (default dtype int32)."""
    key, _ = _check_prng_key("rademacher", key)
    dtype = np.dtype(dtypes.check_and_canonicalize_user_dtype(int if dtype is None else dtype,
                                                              "rademacher"))
    shape = _canonicalize_shape(shape, "rademacher")
    return _rademacher(key, shape, dtype)


@partial(jit, static_argnums=(1, 2))
def _rademacher(key, shape, dtype):
    b = bernoulli(key, 0.5, shape).astype(dtype)
    return (2 * b - 1).astype(dtype)


# ---------------------------------------------------------------------------------------------------
# Continuous samplers built on uniform
# ---------------------------------------------------------------------------------------------------

def normal(key, shape=(), dtype=None, *, out_sharding=None):
    """Standard normal values (``sqrt(2) * erf_inv(u)`` for ``u`` uniform in (-1, 1)).

    Example:
        >>> x = jax.random.normal(jax.random.key(0), (3, 3))
    """
    key, _ = _check_prng_key("normal", key)
    shape = _canonicalize_shape(shape, "normal")
    dtype = _float_dtype(dtype, "normal", np.inexact, "a float or complex")
    return _normal(key, shape, dtype)


@partial(jit, static_argnums=(1, 2))
def _normal(key, shape, dtype):
    if dtypes.issubdtype(dtype, np.complexfloating):
        sqrt2 = np.array(np.sqrt(2), dtype)
        key_re, key_im = _split(key)
        real_dtype = np.array(0, dtype).real.dtype
        re = _normal_real(key_re, shape, real_dtype).astype(dtype)
        im = _normal_real(key_im, shape, real_dtype).astype(dtype)
        return (re + 1j * im) / sqrt2
    return _normal_real(key, shape, dtype)


@partial(jit, static_argnums=(1, 2))
def _normal_real(key, shape, dtype):
    _check_shape("normal", shape)
    lo = np.nextafter(np.array(-1., dtype), np.array(0., dtype), dtype=dtype)
    hi = np.array(1., dtype)
    u = uniform(key, shape, dtype, lo, hi)
    return lax.mul(np.array(np.sqrt(2), dtype), lax.erf_inv(u))


def truncated_normal(key, lower, upper, shape=None, dtype=None, *, out_sharding=None):
    """Normal values truncated to the open interval ``(lower, upper)``."""
    if shape is not None:
        shape = _canonicalize_shape(shape, "truncated_normal")
    key, _ = _check_prng_key("truncated_normal", key)
    dtype = _float_dtype(dtype, "truncated_normal")
    return _truncated_normal(key, lower, upper, shape, dtype)


@partial(jit, static_argnums=(3, 4))
def _truncated_normal(key, lower, upper, shape, dtype):
    jnp = _jnp()
    if shape is None:
        shape = lax.broadcast_shapes(np.shape(lower), np.shape(upper))
    else:
        _check_shape("truncated_normal", shape, np.shape(lower), np.shape(upper))
    sqrt2 = np.array(np.sqrt(2), dtype)
    lower = lax.convert_element_type(lower, dtype)
    upper = lax.convert_element_type(upper, dtype)
    a = lax.erf(_div_const(lower, sqrt2))  # (XLA multiplies by 1/sqrt2 instead)
    b = lax.erf(_div_const(upper, sqrt2))
    u = uniform(key, shape, dtype, minval=a, maxval=b)
    out = lax.mul(sqrt2, lax.erf_inv(u))
    # keep results inside the open interval despite rounding
    return jnp.clip(out, lax.nextafter(lax.stop_gradient(lower), np.array(np.inf, dtype)),
                    lax.nextafter(lax.stop_gradient(upper), np.array(-np.inf, dtype)))


def _simple_sampler(name, body):
    """A sampler ``name(key, shape=(), dtype=None)`` whose values are ``body(key, shape, dtype)``."""
    jitted = jit(body, static_argnums=(1, 2))

    def sampler(key, shape=(), dtype=None, *, out_sharding=None):
        key, _ = _check_prng_key(name, key)
        dtype = _float_dtype(dtype, name)
        shape = _canonicalize_shape(shape, name)
        return jitted(key, shape, dtype)
    sampler.__name__ = sampler.__qualname__ = name
    return sampler


def _exponential(key, shape, dtype):
    u = uniform(key, shape, dtype)
    return lax.neg(lax.log1p(lax.neg(u)))


def _laplace(key, shape, dtype):
    u = uniform(key, shape, dtype, minval=-1.0 + dtypes.finfo(dtype).epsneg, maxval=1.0)
    return lax.mul(lax.sign(u), lax.log1p(lax.neg(lax.abs(u))))


def _logistic(key, shape, dtype):
    x = uniform(key, shape, dtype, minval=dtypes.finfo(dtype).tiny, maxval=1.0)
    return lax.sub(lax.log(x), lax.log1p(lax.neg(x)))


def _cauchy(key, shape, dtype):
    u = uniform(key, shape, dtype, minval=dtypes.finfo(dtype).eps, maxval=1.0)
    pi = _const(u, np.pi)
    return lax.tan(lax.mul(pi, lax.sub(u, _const(u, 0.5))))


exponential = _simple_sampler("exponential", _exponential)
exponential.__doc__ = "Exponential values with rate 1 (``-log1p(-u)``)."
laplace = _simple_sampler("laplace", _laplace)
laplace.__doc__ = "Laplace values with location 0 and scale 1."
logistic = _simple_sampler("logistic", _logistic)
logistic.__doc__ = "Logistic values with location 0 and scale 1."
cauchy = _simple_sampler("cauchy", _cauchy)
cauchy.__doc__ = "Standard Cauchy values."


def gumbel(key, shape=(), dtype=None, mode=None, *, out_sharding=None):
    """Standard Gumbel values (``-log(-log(u))``); ``mode='high'`` uses twice the bits."""
    key, _ = _check_prng_key("gumbel", key)
    dtype = _float_dtype(dtype, "gumbel")
    shape = _canonicalize_shape(shape, "gumbel")
    if mode is None:
        mode = "high" if config._values.get("jax_high_dynamic_range_gumbel") else "low"
    if mode not in ("highest", "high", "low"):
        raise ValueError("Must provide valid mode for gumbel got: %s" % mode)
    return _gumbel(key, shape, dtype, mode)


def _bits_to_unit_float32(hi, lo):
    """Two uint32 words, read as the 64-bit fixed-point fraction ``0.hi lo``, -> the float32 in (0, 1)
    nearest below it: the leading one found with ``clz`` becomes the exponent and the next 23 bits the
    mantissa, so small values keep full precision (unlike ``uniform``'s fixed 2**-23 spacing)."""
    jnp = _jnp()
    finfo = dtypes.finfo(np.float32)
    u32 = lambda v: np.array(v, np.uint32)  # noqa: E731
    hi_clz, lo_clz = lax.clz(hi), lax.clz(lo)
    hi_zero = hi_clz == u32(32)
    mantissa = lax.bitwise_or(
        lax.shift_left(hi, hi_clz),
        jnp.where(hi_zero, lax.shift_left(lo, lo_clz), lax.shift_right_logical(lo, u32(32) - hi_clz)))
    mantissa = lax.shift_right_logical(mantissa, u32(32 - finfo.nmant - 1))
    mantissa = lax.bitwise_and(mantissa, u32((1 << finfo.nmant) - 1))
    leading_zeros = jnp.where(hi_zero, u32(32) + lo_clz, hi_clz)
    exponent = lax.shift_left(u32(-finfo.minexp) - leading_zeros, u32(finfo.nmant))
    exponent = lax.bitwise_and(exponent, u32((1 << 30) - (1 << (finfo.nmant - 1))))
    return lax.bitcast_convert_type(lax.bitwise_or(exponent, mantissa), np.float32)


@partial(jit, static_argnums=(1, 2, 3))
def _gumbel(key, shape, dtype, mode):
    jnp = _jnp()
    _check_shape("gumbel", shape)
    info = dtypes.finfo(dtype)
    if mode == "highest" and dtype == np.float32:
        # 64 random bits per value: u in (0, 1/2) from the bits, u in [1/2, 1) from 1 - bits
        bits = _random_bits(key, 32, (2,) + shape)
        neg = lax.bitwise_not(bits)
        lo_neg = neg[1]
        carry = (lo_neg == np.array(0xFFFFFFFF, np.uint32)).astype(np.uint32)
        neg = neg + jnp.stack([carry, jnp.ones_like(lo_neg)])
        flip = bits[0] < np.array(1 << 31, np.uint32)
        words = jnp.where(flip, bits, neg)
        x = _bits_to_unit_float32(words[0], words[1])
        return jnp.where(flip, -jnp.log(-jnp.log1p(-x)), -jnp.log(-jnp.log(x)))
    if mode in ("high", "highest"):
        u = _uniform(key, minval=0.0, maxval=1.0, shape=(2,) + shape, dtype=dtype)
        high, low = u
        x = jnp.where(high >= 0.5, high, high + 2 ** (-info.nmant) * low + info.tiny)
        return -jnp.log(-jnp.log1p(-x))
    return -jnp.log(-jnp.log(_uniform(key, minval=info.tiny, maxval=1.0, shape=shape, dtype=dtype)))


def categorical(key, logits, axis=-1, shape=None, replace=True, mode=None, *, out_sharding=None):
    """Indices sampled with probabilities ``softmax(logits)`` along ``axis`` (the Gumbel-max trick)."""
    jnp = _jnp()
    key, _ = _check_prng_key("categorical", key)
    logits_arr = jnp.asarray(logits)
    if axis >= 0:
        axis -= logits_arr.ndim
    batch_shape = tuple(np.delete(np.array(logits_arr.shape, dtype=np.int64), axis).tolist())
    if shape is None:
        shape = batch_shape
    else:
        shape = _canonicalize_shape(shape, "categorical")
        _check_shape("categorical", shape, batch_shape)
    shape_prefix = shape[:len(shape) - len(batch_shape)]
    if replace:
        logits_shape = list(shape[len(shape) - len(batch_shape):])
        logits_shape.insert(axis % logits_arr.ndim, logits_arr.shape[axis])
        g = gumbel(key, (*shape_prefix, *logits_shape), logits_arr.dtype, mode=mode)
        return jnp.argmax(g + lax.expand_dims(logits_arr, tuple(range(len(shape_prefix)))), axis=axis)
    from jaxlite._src.lax.sorting import top_k
    logits_arr = logits_arr + gumbel(key, logits_arr.shape, logits_arr.dtype, mode=mode)
    k = math.prod(shape_prefix)
    if k > logits_arr.shape[axis]:
        raise ValueError(f"Number of samples without replacement ({k}) cannot exceed number of "
                         f"categories ({logits_arr.shape[axis]}).")
    _, indices = top_k(jnp.moveaxis(logits_arr, axis, -1), k)
    dimensions = (indices.ndim - 1, *range(indices.ndim - 1))
    return lax.reshape(indices, shape, dimensions)


# ---------------------------------------------------------------------------------------------------
# Shuffling and choice
# ---------------------------------------------------------------------------------------------------

def _canonicalize_axis(axis, ndim):
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim


def permutation(key, x, axis=0, independent=False, *, out_sharding=None):
    """A random permutation of ``x`` along ``axis`` (or of ``arange(x)`` for an integer ``x``)."""
    jnp = _jnp()
    key, _ = _check_prng_key("permutation", key)
    axis = _canonicalize_axis(axis, np.ndim(x) or 1)
    if not np.ndim(x):
        if not dtypes.issubdtype(dtypes.dtype(x), np.integer):
            raise TypeError("x must be an integer or at least 1-dimensional")
        r = core.concrete_or_error(int, x, "argument x of jax.random.permutation()")
        return _shuffle(key, jnp.arange(r), axis)
    x = jnp.asarray(x)
    if independent or x.ndim == 1:
        return _shuffle(key, x, axis)
    ind = _shuffle(key, jnp.arange(x.shape[axis]), 0)
    return _take(x, ind, axis, unique_indices=True)


def shuffle(key, x, axis=0):
    """Deprecated in JAX: use ``permutation(key, x, axis, independent=True)``."""
    key, _ = _check_prng_key("shuffle", key)
    return _shuffle(key, _jnp().asarray(x), _canonicalize_axis(axis, np.ndim(x)))


@partial(jit, static_argnums=(2,))
def _shuffle(key, x, axis):
    # Several rounds of sorting by fresh random 32-bit keys: enough rounds that ties between sort
    # keys (which a stable sort resolves by position) are unlikely (JAX's tjablin@ heuristic).
    from jaxlite._src.lax.sorting import sort_key_val
    exponent = 3
    uint32max = np.iinfo(np.uint32).max
    num_rounds = int(np.ceil(exponent * np.log(max(1, x.size)) / np.log(uint32max)))
    for _ in range(num_rounds):
        key, subkey = _split(key)
        sort_keys = _random_bits(subkey, 32, x.shape)
        _, x = sort_key_val(sort_keys, x, axis)
    return x


def _take(arr, ind, axis, **kwargs):
    return _jnp().take(arr, ind, axis, **kwargs)


def choice(key, a, shape=(), replace=True, p=None, axis=0, mode=None):
    """Random samples from the entries of ``a`` (or of ``arange(a)``), optionally weighted by ``p``."""
    jnp = _jnp()
    key, _ = _check_prng_key("choice", key)
    if not isinstance(shape, Sequence):
        raise TypeError(f"shape argument of jax.random.choice must be a sequence, got {shape}")
    arr = jnp.asarray(a)
    if arr.ndim == 0:
        n_inputs = core.concrete_or_error(int, a, "The error occurred in jax.random.choice()")
    else:
        axis = _canonicalize_axis(axis, arr.ndim)
        n_inputs = arr.shape[axis]
    n_draws = math.prod(shape)
    if n_draws == 0:
        return jnp.zeros(shape, dtype=arr.dtype)
    if n_inputs <= 0:
        raise ValueError("a must be greater than 0 unless no samples are taken")
    if not replace and n_draws > n_inputs:
        raise ValueError(f"Cannot take a larger sample (size {n_draws}) than population (size "
                         f"{n_inputs}) when 'replace=False'")
    if p is None:
        if replace:
            ind = randint(key, shape, 0, n_inputs)
            result = ind if arr.ndim == 0 else _take(arr, ind, axis)
        else:
            slices = (slice(None),) * axis + (slice(n_draws),)
            result = permutation(key, n_inputs if arr.ndim == 0 else arr, axis)[slices]
    else:
        p_arr = jnp.asarray(p)
        if not dtypes.issubdtype(p_arr.dtype, np.inexact):
            p_arr = p_arr.astype(dtypes.default_float_dtype())
        if p_arr.shape != (n_inputs,):
            raise ValueError("p must be None or a 1D vector with the same size as a.shape[axis]. "
                             f"p has shape {p_arr.shape} and a.shape[axis] is {n_inputs}.")
        if replace:
            p_cuml = jnp.cumsum(p_arr)
            r = p_cuml[-1] * (1 - uniform(key, shape, dtype=p_cuml.dtype))
            # searchsorted(p_cuml, r, side='left'): the number of cumulative weights below r
            ind = jnp.sum(lax.lt(lax.expand_dims(p_cuml, tuple(range(len(shape)))),
                                 lax.expand_dims(r, (len(shape),))), axis=-1).astype(int)
        else:
            from jaxlite._src.lax.sorting import top_k
            g = gumbel(key, (n_inputs,), dtype=p_arr.dtype, mode=mode) + jnp.log(p_arr)
            ind = top_k(g, n_draws)[1].astype(int)
        result = ind if arr.ndim == 0 else _take(arr, ind, axis)
    return result.reshape(tuple(shape) if arr.ndim == 0 else
                          arr.shape[0:axis] + tuple(shape) + arr.shape[axis + 1:])


# ---------------------------------------------------------------------------------------------------
# NumPy reference samplers used by the loop-based primitives (gamma, poisson)
# ---------------------------------------------------------------------------------------------------
# These work on key words (uint32 arrays of shape (..., 2)) and apply JAX's formulas elementwise in the
# sample dtype, so that each element follows exactly the path of JAX's rejection loops.

def _np_erf_inv(x: np.ndarray) -> np.ndarray:
    if x.dtype == np.float32:
        return _xla_math.erf_inv(x)
    if x.dtype == np.float64:
        return _xla_math.erf_inv64(x)
    if x.dtype in (np.float16, dtypes.bfloat16):  # XLA upcasts: its float32 erf_inv, rounded once
        return _xla_math.erf_inv(x.astype(np.float32)).astype(x.dtype)
    from scipy import special
    return special.erfinv(x).astype(x.dtype)


def _np_uniform(words, shape, dtype, minval=0.0, maxval=1.0):
    """``uniform`` for each key of ``words`` (shape K + (2,)) -> shape K + shape, in NumPy."""
    dtype = np.dtype(dtype)
    finfo = dtypes.finfo(dtype)
    nbits, nmant = finfo.bits, finfo.nmant
    rng_bits = 8 if nmant < 8 else nbits
    uint = UINT_DTYPES[nbits]
    b = threefry_prng_impl.random_bits(words, rng_bits, shape).astype(uint)
    fb = (b >> uint.type(rng_bits - nmant)) | np.array(1.0, dtype).view(uint)
    floats = fb.view(dtype) - np.array(1.0, dtype)
    lo, hi = np.asarray(minval, dtype), np.asarray(maxval, dtype)
    with np.errstate(all="ignore"):
        return np.maximum(lo, floats * (hi - lo) + lo).astype(dtype)


def _np_normal(words, shape, dtype):
    lo = np.nextafter(np.array(-1., dtype), np.array(0., dtype), dtype=dtype)
    u = _np_uniform(words, shape, dtype, lo, 1.0)
    return (np.array(np.sqrt(2), dtype) * _np_erf_inv(u)).astype(dtype)


def _np_split(words, num):
    s = threefry_prng_impl.split(words, (num,))
    return [s[..., i, :] for i in range(num)]


class _GammaMath:
    """The arithmetic of JAX's gamma loop in one dtype, as NumPy calls. For float32 and float64 these
    follow XLA CPU's code bit for bit (xla_math): its log/log1p, ``(1/3) / sqrt(d)`` rewritten to
    ``(1/3) * rsqrt(d)`` (the CPU's estimate plus Newton steps), ``pow`` from the C library, and
    the multiply-adds that LLVM contracts into FMAs inside the loop's fused kernels."""

    def __init__(self, dtype):
        self.dt = dtype.type
        self.f32 = dtype == np.float32
        self.f64 = dtype == np.float64
        self.exact = self.f32 or self.f64
        self.f16 = dtype == np.float16
        self.bf16 = dtype == dtypes.bfloat16
        self.fma = _xla_math.fma if self.f32 else _xla_math.fma64

    def log(self, x):
        return _xla_math.log(x) if self.f32 else _xla_math.log64(x) if self.f64 else np.log(x)

    def log1p(self, x):
        return _xla_math.log1p(x) if self.f32 else _xla_math.log1p64(x) if self.f64 else np.log1p(x)

    def c(self, d):
        if self.exact:
            return self.dt(1.0 / 3.0) * (_xla_math.rsqrt(d) if self.f32 else _xla_math.rsqrt64(d))
        third = np.float32(self.dt(1.0 / 3.0))
        if self.f16:    # XLA: float32 rsqrt (estimate + Newton step), rounded; the product rounded
            r = _xla_math.rsqrt(d.astype(np.float32)).astype(np.float16)
            return (third * r.astype(np.float32)).astype(np.float16)
        if self.bf16:   # XLA: sqrt rounded to bfloat16, then 1/3 * (1 / s) in float32, rounded once
            s = np.sqrt(d.astype(np.float32)).astype(self.dt).astype(np.float32)
            return (third * (np.float32(1) / s)).astype(self.dt)
        return self.dt(1.0 / 3.0) / np.sqrt(d)

    def one_plus_x_c(self, x, c):                 # v = 1 + x * c, one FMA in XLA's fused loop
        return self.fma(x, c, self.dt(1)) if self.exact else self.dt(1) + x * c

    def squeeze_bound(self, X):                   # 1 - 0.0331 * (X * X), one FMA (negated product)
        XX = X * X
        if self.exact:
            return self.fma(-XX, self.dt(0.0331), self.dt(1))
        return self.dt(1) - self.dt(0.0331) * XX

    def log_bound(self, X, V, d):                 # X / 2 + d * ((1 - V) + log V), X * 0.5 fused
        s = (self.dt(1) - V) + self.log(V)
        if self.exact:
            return self.fma(X, self.dt(0.5), d * s)
        return X * self.dt(0.5) + d * s

    def pow(self, x, y):
        if self.bf16:   # powf in float32 (subnormal results flushed), rounded to bfloat16
            return _xla_math.pow(x.astype(np.float32), y.astype(np.float32)).astype(self.dt)
        return _xla_math.pow(x, y) if self.f32 else _xla_math.pow64(x, y) if self.f64 else np.power(x, y)

    def finish(self, x):
        if self.bf16:   # (bfloat16 products are float32 ones rounded: subnormals flushed to zero)
            return _xla_math._ftz(x.astype(np.float32)).astype(self.dt)
        return _xla_math._ftz(x) if self.f32 else _xla_math._ftz64(x) if self.f64 else x


def _gamma_one_np(words, alpha, log_space, ynn_logs=False, inv_alpha=None):
    """JAX's Marsaglia–Tsang ``_gamma_one``, vectorised over keys ``words`` (N, 2) and ``alpha`` (N,).

    JAX batches the loop with vmap: every element runs the same scalar algorithm, finished ones are
    held by selects. Here the still-active elements are gathered and advanced instead (same values).
    ``ynn_logs``: the final ``log(d) + log(V)`` of log-space samples with YNNPACK's log (see
    random_gamma_softmax_p). ``inv_alpha``: the boost's exponent ``1 / alpha`` when XLA has it
    otherwise (see _gamma_of_reciprocal_fusion)."""
    m = _GammaMath(alpha.dtype)
    dt = m.dt
    one, zero = dt(1), dt(0)
    boost_mask = alpha >= one
    alpha_orig = alpha
    if inv_alpha is None:
        with np.errstate(all="ignore"):
            inv_alpha = one / alpha_orig
    alpha = np.where(boost_mask, alpha, alpha + one)
    d = alpha - dt(1.0 / 3.0)
    with np.errstate(all="ignore"):
        c = m.c(d)
    key, subkey = _np_split(words, 2)
    n = alpha.shape[0]
    X = np.zeros(n, alpha.dtype)
    V = np.ones(n, alpha.dtype)
    U = np.full(n, dt(2), alpha.dtype)
    key = key.copy()

    def keep_going(X, V, U, d):
        with np.errstate(all="ignore"):
            return (U >= m.squeeze_bound(X)) & (m.log(U) >= m.log_bound(X, V, d))

    active = keep_going(X, V, U, d)
    while active.any():
        idx = np.nonzero(active)[0]
        new_key, x_key, u_key = _np_split(key[idx], 3)
        cc = c[idx]
        # inner loop: normal draws until v = 1 + x*c > 0
        x = np.zeros(idx.size, alpha.dtype)
        v = np.full(idx.size, dt(-1), alpha.dtype)
        xk = x_key.copy()
        inner = v <= zero
        while inner.any():
            j = np.nonzero(inner)[0]
            nk, sk = _np_split(xk[j], 2)
            xk[j] = nk
            x[j] = _np_normal(sk, (), alpha.dtype)
            v[j] = m.one_plus_x_c(x[j], cc[j])
            inner = v <= zero
        key[idx] = new_key
        X[idx] = x * x
        V[idx] = (v * v) * v
        U[idx] = _np_uniform(u_key, (), alpha.dtype)
        active[idx] = keep_going(X[idx], V[idx], U[idx], d[idx])
    with np.errstate(all="ignore"):
        if log_space:
            u = _np_uniform(subkey, (), alpha.dtype)
            log_samples = -(-m.log1p(-u))
            log_boost = np.where(boost_mask | (log_samples == zero), zero,
                                 log_samples * inv_alpha)
            log = _xla_math.ynn_log if ynn_logs else m.log
            return m.finish(((log(d) + log(V)) + log_boost).astype(alpha.dtype))
        samples = one - _np_uniform(subkey, (), alpha.dtype)
        boost = np.ones_like(samples)
        small = ~boost_mask
        if small.any():  # (XLA computes pow everywhere and selects; only these are needed)
            boost[small] = m.pow(samples[small], inv_alpha[small])
        return m.finish(((d * V) * boost).astype(alpha.dtype))


def _gamma_impl(keys, a, *, log_space, softmax=False, inv_alpha=None):
    words = to_words(keys)
    a = np.asarray(a)
    key_ndim = words.ndim - 1
    split_count = math.prod(a.shape[key_ndim:])
    per_key = threefry_prng_impl.split(words.reshape(-1, 2), (split_count,))
    alphas = a.reshape(-1)
    if alphas.size == 0:
        return np.zeros(a.shape, a.dtype)
    ynn_logs = (softmax and log_space and alphas.size >= _xla_math.YNN_MIN_ELEMENTS
                and a.dtype in (np.float32, np.float64))
    if inv_alpha is not None:
        inv_alpha = np.broadcast_to(inv_alpha, a.shape).reshape(-1)
    samples = _gamma_one_np(per_key.reshape(-1, 2), alphas, log_space, ynn_logs, inv_alpha)
    return samples.reshape(a.shape)


random_gamma_p = Primitive("random_gamma")
random_gamma_p.def_impl(_gamma_impl)

# The log-gamma draws of jax.random.dirichlet, which feed a max over the last axis: from 4096 elements on,
# XLA CPU pulls their last step, log(d) + log(V) + boost, into YNNPACK's fusion of that reduction, where
# YNNPACK's own log runs. A twin (same name and params, so jaxprs print the same) that dirichlet binds.
random_gamma_softmax_p = Primitive("random_gamma")
random_gamma_softmax_p.def_impl(partial(_gamma_impl, softmax=True))


@random_gamma_p.def_abstract_eval
def _random_gamma_abstract_eval(keys, a, *, log_space):
    return ShapedArray(a.shape, a.dtype)


random_gamma_softmax_p.def_abstract_eval(_random_gamma_abstract_eval)


def _gamma_batching_rule(prim, vals, dims, *, log_space):
    k, a = vals
    bk, ba = dims
    size = batching.axis_size_of(vals, dims)
    k = batching.bdim_at_front(k, bk, size)
    a = batching.bdim_at_front(a, ba, size)
    return prim.bind(k, a, log_space=log_space), 0


for _p in (random_gamma_p, random_gamma_softmax_p):
    batching.primitive_batchers[_p] = partial(_gamma_batching_rule, _p)


def _gamma_grad(sample, a, *, log_space):
    """d sample / d a by implicit reparameterization (``lax.random_gamma_grad``); for log-space
    samples, d log(x) / d a = (dx / da) / x, with x = exp(sample) kept above zero."""
    if not log_space:
        return random_gamma_grad(a, sample)
    x = lax.exp(sample)
    x = lax.select(lax.eq(x, lax.full_like(x, 0)), lax.full_like(x, dtypes.finfo(x.dtype).tiny), x)
    return lax.div(random_gamma_grad(a, x), x)


for _p in (random_gamma_p, random_gamma_softmax_p):
    ad.defjvp2(_p, None, lambda g, ans, key, a, *, log_space: lax.mul(g, _gamma_grad(ans, a, log_space=log_space)))


def gamma(key, a, shape=None, dtype=None, *, out_sharding=None):
    """Standard gamma values with shape parameter ``a`` (Marsaglia–Tsang, as in JAX)."""
    key, _ = _check_prng_key("gamma", key)
    dtype = _float_dtype(dtype, "gamma")
    if shape is not None:
        shape = _canonicalize_shape(shape, "gamma")
    return _gamma(key, a, shape, dtype, False)


def loggamma(key, a, shape=None, dtype=None, *, out_sharding=None):
    """The log of standard gamma values, sampled in log space (accurate for small ``a``)."""
    key, _ = _check_prng_key("loggamma", key)
    dtype = _float_dtype(dtype, "gamma")
    if shape is not None:
        shape = _canonicalize_shape(shape, "loggamma")
    return _gamma(key, a, shape, dtype, True)


def _gamma_jit(prim):
    @partial(jit, static_argnums=(2, 3, 4))
    def _gamma(key, a, shape, dtype, log_space):
        jnp = _jnp()
        if shape is None:
            shape = np.shape(a)
        else:
            _check_shape("gamma", shape, np.shape(a))
        a = lax.convert_element_type(a, dtype)
        if np.shape(a) != shape:
            a = jnp.broadcast_to(a, shape)
        return prim.bind(key, a, log_space=log_space)
    return _gamma


_gamma = _gamma_jit(random_gamma_p)
_gamma_softmax = _gamma_jit(random_gamma_softmax_p)  # (dirichlet's; the same jaxpr)


def beta(key, a, b, shape=None, dtype=None, *, out_sharding=None):
    """Beta(a, b) values, from two log-space gamma samples."""
    key, _ = _check_prng_key("beta", key)
    dtype = _float_dtype(dtype, "beta")
    _check_all_safe_to_cast("beta", dtype, a, b)
    shape = _check_broadcast_shapes("beta", shape, a, b)
    return _beta(key, a, b, shape, dtype)


@partial(jit, static_argnums=(3, 4))
def _beta(key, a, b, shape, dtype):
    jnp = _jnp()
    a = lax.convert_element_type(a, dtype)
    b = lax.convert_element_type(b, dtype)
    key_a, key_b = _split(key)
    a = jnp.broadcast_to(a, shape)
    b = jnp.broadcast_to(b, shape)
    log_gamma_a = loggamma(key_a, a, shape, dtype)
    log_gamma_b = loggamma(key_b, b, shape, dtype)
    log_max = lax.max(log_gamma_a, log_gamma_b)
    gamma_a_scaled = jnp.exp(log_gamma_a - log_max)
    gamma_b_scaled = jnp.exp(log_gamma_b - log_max)
    return gamma_a_scaled / (gamma_a_scaled + gamma_b_scaled)


def dirichlet(key, alpha, shape=None, dtype=None, *, out_sharding=None):
    """Dirichlet(alpha) values over the last axis (softmax of log-gamma samples)."""
    key, _ = _check_prng_key("dirichlet", key)
    dtype = _float_dtype(dtype, "dirichlet")
    if shape is not None:
        shape = _canonicalize_shape(shape, "dirichlet")
    return _dirichlet(key, alpha, shape, dtype)


@partial(jit, static_argnums=(2, 3))
def _dirichlet(key, alpha, shape, dtype):
    jnp = _jnp()
    if not np.ndim(alpha) >= 1:
        raise ValueError(f"dirichlet requires alpha.ndim >= 1, got alpha.ndim == {np.ndim(alpha)}")
    if shape is None:
        shape = np.shape(alpha)[:-1]
    else:
        _check_shape("dirichlet", shape, np.shape(alpha)[:-1])
    alpha = lax.convert_element_type(alpha, dtype)
    log_gamma_samples = _gamma_softmax(key, alpha, shape + np.shape(alpha)[-1:], dtype, True)
    x_max = jnp.max(log_gamma_samples, -1, initial=-np.inf, keepdims=True)
    unnormalized = jnp.exp(log_gamma_samples - lax.stop_gradient(x_max))
    return unnormalized / jnp.sum(unnormalized, -1, keepdims=True)


def t(key, df, shape=None, dtype=None, *, out_sharding=None):
    """Student's t values with ``df`` degrees of freedom."""
    key, dtype, shape = _sampler_args("t", key, dtype, shape, df)
    return _t(key, df, shape, dtype)


@partial(jit, static_argnums=(2, 3))
def _t(key, df, shape, dtype):
    jnp = _jnp()
    df = lax.convert_element_type(df, dtype)
    key_n, key_g = _split(key)
    n = normal(key_n, shape, dtype)
    half_df = lax.div(df, _const(n, 2))
    g = gamma(key_g, half_df, shape, dtype)
    return n * jnp.sqrt(half_df / g)


def chisquare(key, df, shape=None, dtype=None, *, out_sharding=None):
    """Chi-square values with ``df`` degrees of freedom."""
    key, dtype, shape = _sampler_args("chisquare", key, dtype, shape, df)
    return _chisquare(key, df, shape, dtype)


@partial(jit, static_argnums=(2, 3))
def _chisquare(key, df, shape, dtype):
    jnp = _jnp()
    df = lax.convert_element_type(df, dtype)
    half_df = lax.div(df, _const(df, 2))
    log_g = loggamma(key, half_df, shape, dtype)
    return lax.mul(jnp.exp(log_g), _const(df, 2))


def f(key, dfnum, dfden, shape=None, dtype=None, *, out_sharding=None):
    """F-distribution values."""
    key, dtype, shape = _sampler_args("f", key, dtype, shape, dfnum, dfden)
    return _f(key, dfnum, dfden, shape, dtype)


@partial(jit, static_argnums=(3, 4))
def _f(key, dfnum, dfden, shape, dtype):
    dfden = lax.convert_element_type(dfden, dtype)
    dfnum = lax.convert_element_type(dfnum, dtype)
    key_dfd, key_dfn = _split(key)
    chi2_dfn = chisquare(key_dfn, dfnum, shape, dtype)
    chi2_dfd = chisquare(key_dfd, dfden, shape, dtype)
    return lax.div(lax.div(chi2_dfn, dfnum), lax.div(chi2_dfd, dfden))


def pareto(key, b, shape=None, dtype=None, *, out_sharding=None):
    """Pareto values with shape ``b``."""
    key, dtype, shape = _sampler_args("pareto", key, dtype, shape, b)
    return _pareto(key, b, shape, dtype)


@partial(jit, static_argnums=(2, 3))
def _pareto(key, b, shape, dtype):
    b = lax.convert_element_type(b, dtype)
    e = exponential(key, shape, dtype)
    return lax.exp(e / b)


def weibull_min(key, scale, concentration, shape=(), dtype=None):
    """Weibull values."""
    key, _ = _check_prng_key("weibull_min", key)
    dtype = _float_dtype(dtype, "weibull_min")
    shape = _canonicalize_shape(shape, "weibull_min")
    return _weibull_min(key, scale, concentration, shape, dtype)


@partial(jit, static_argnums=(3, 4))
def _weibull_min(key, scale, concentration, shape, dtype):
    jnp = _jnp()
    u = uniform(key, shape, dtype, 0, 1)
    return jnp.power(-jnp.log1p(-u), 1.0 / concentration) * scale


def maxwell(key, shape=(), dtype=None, *, out_sharding=None):
    """Maxwell values (the norm of a 3-d standard normal)."""
    key, _ = _check_prng_key("maxwell", key)
    dtype = _float_dtype(dtype, "maxwell")
    shape = _canonicalize_shape(shape, "maxwell")
    return _maxwell(key, shape, dtype)


@partial(jit, static_argnums=(1, 2))
def _maxwell(key, shape, dtype):
    jnp = _jnp()
    return jnp.linalg.norm(normal(key, shape + (3,), dtype), axis=-1)


def _bf16_norm_of_normals_fusion(eqn, producers):
    """maxwell in bfloat16 from 4096 normals: XLA inlines the ``normal`` and ``norm`` jits and hands the
    normals' last multiply, their squares and the sum to one YNNPACK fusion, which (excess precision)
    drops the bfloat16 roundings between float32 operations: it sums the float32 squares of
    ``erf_inv(u) * 1.4140625`` (erf_inv in float32 of the bfloat16 uniform ``u``), in YNNPACK's order;
    the sum is then rounded to bfloat16 and its square root taken in float32. A fusion rule on the
    ``norm`` call whose operand comes from the ``_normal`` call (so the key is at hand)."""
    from jaxlite._src.pjit import jit_p
    (q,) = eqn.invars if len(eqn.invars) == 1 else (None,)
    if (eqn.params.get("name") != "norm" or type(q) is not core.Var or q.aval.dtype != dtypes.bfloat16
            or math.prod(q.aval.shape) < _xla_math.YNN_MIN_ELEMENTS or len(q.aval.shape) < 1):
        return None
    src = producers.get(q)
    if (src is None or src.primitive is not jit_p or src.params.get("name") != "_normal" or len(src.invars) != 1
            or src.invars[0].aval.shape != ()):  # (one key: not under vmap)
        return None
    inner = [e.primitive.name for e in eqn.params["jaxpr"].jaxpr.eqns]
    if inner != ["mul", "convert_element_type", "reduce_sum", "convert_element_type", "sqrt"] or \
            eqn.params["jaxpr"].jaxpr.eqns[2].params["axes"] != (len(q.aval.shape) - 1,):
        return None
    shape, bf16 = q.aval.shape, np.dtype(dtypes.bfloat16)

    def fn(key):
        lo = np.nextafter(np.array(-1., bf16), np.array(0., bf16), dtype=bf16)
        u = _np_uniform(to_words(key), shape, bf16, lo, 1.0)
        v = _xla_math.erf_inv(u.astype(np.float32)) * np.float32(np.array(np.sqrt(2), bf16))
        s = _xla_math.ynn_reduce_sum(v * v, len(shape) - 1)
        return [np.sqrt(s.astype(bf16).astype(np.float32)).astype(bf16)]
    return fn, list(src.invars)


def _gamma_of_reciprocal_fusion(eqn, producers):
    """generalized_normal draws ``gamma(key, 1 / p)``: XLA inlines the ``_gamma`` jit and its simplifier
    turns the loop's boost exponent ``1 / alpha = 1 / (1 / p)`` into ``p`` itself (``A / (B / C)`` is
    ``(A * C) / B``), which differs from the rounded round trip for many ``p`` (float32 1.4906015,
    float16 1000). Only for a scalar ``p`` whose quotient has the sampler's dtype: a ``convert`` in
    between stops the rewrite, bfloat16 reaches the simplifier as float32 operations between converts,
    and with a vector ``p`` XLA keeps the round trip. Not under ``vmap``. A fusion rule on the
    ``_gamma`` call whose shape parameter comes from ``div(1, p)``."""
    if eqn.params.get("name") != "_gamma" or len(eqn.invars) != 2:
        return None
    key, f = eqn.invars
    if (type(f) is not core.Var or key.aval.shape != () or f.aval.shape != ()  # (a vector p: no rewrite)
            or eqn.outvars[0].aval.dtype != f.aval.dtype
            or f.aval.dtype == dtypes.bfloat16):
        return None
    src = producers.get(f)
    if (src is None or src.primitive.name != "div" or type(src.invars[0]) is not core.Literal
            or src.invars[0].val != 1):
        return None
    inner = eqn.params["jaxpr"].jaxpr.eqns
    if not inner or inner[-1].primitive is not random_gamma_p or \
            any(e.primitive.name not in ("convert_element_type", "broadcast_in_dim") for e in inner[:-1]):
        return None
    out = eqn.outvars[0].aval
    log_space = inner[-1].params["log_space"]

    def fn(key, f, p):
        a = np.broadcast_to(np.asarray(f, out.dtype), out.shape)
        return [_gamma_impl(key, a, log_space=log_space, inv_alpha=np.asarray(p, out.dtype))]
    return fn, [key, f, src.invars[1]]


def _jit_call_fusion(eqn, producers):
    return _bf16_norm_of_normals_fusion(eqn, producers) or _gamma_of_reciprocal_fusion(eqn, producers)


def double_sided_maxwell(key, loc, scale, shape=(), dtype=None):
    """Double-sided Maxwell values."""
    key, _ = _check_prng_key("double_sided_maxwell", key)
    dtype = _float_dtype(dtype, "double_sided_maxwell")
    shape = _canonicalize_shape(shape, "double_sided_maxwell")
    return _double_sided_maxwell(key, loc, scale, shape, dtype)


@partial(jit, static_argnums=(3, 4))
def _double_sided_maxwell(key, loc, scale, shape, dtype):
    params_shapes = lax.broadcast_shapes(np.shape(loc), np.shape(scale))
    if not shape:
        shape = params_shapes
    shape = shape + params_shapes
    maxwell_key, rademacher_key = _split(key)
    maxwell_rvs = maxwell(maxwell_key, shape, dtype)
    random_sign = rademacher(rademacher_key, shape, dtype)
    # (+ as jnp promotes it; XLA contracts the product and the sum into one fused multiply-add)
    from jaxlite._src.numpy.util import promote_args
    return _add_fma(*promote_args("add", random_sign * maxwell_rvs * scale, loc))


def generalized_normal(key, p, shape=(), dtype=None, *, out_sharding=None):
    """Generalized normal values with exponent ``p``."""
    shape = _canonicalize_shape(shape, "generalized_normal")
    key, _ = _check_prng_key("generalized_normal", key)
    dtype = _float_dtype(dtype, "generalized_normal")
    _check_shape("generalized_normal", shape)
    return _generalized_normal(key, p, shape, dtype)


@partial(jit, static_argnums=(2, 3))
def _generalized_normal(key, p, shape, dtype):
    keys = _split(key)
    g = gamma(keys[0], 1 / p, shape, dtype)
    r = rademacher(keys[1], shape, dtype)
    return r * g ** (1 / p)


def ball(key, d, p=2, shape=(), dtype=None, *, out_sharding=None):
    """Points uniformly distributed in the unit ``p``-norm ball of dimension ``d``."""
    shape = _canonicalize_shape(shape, "ball")
    key, _ = _check_prng_key("ball", key)
    dtype = _float_dtype(dtype, "ball")
    _check_shape("ball", shape)
    d = core.concrete_or_error(operator.index, d, "The error occurred in jax.random.ball()")
    return _ball(key, p, d, shape, dtype)


@partial(jit, static_argnums=(2, 3, 4))
def _ball(key, p, d, shape, dtype):
    jnp = _jnp()
    k1, k2 = _split(key)
    g = generalized_normal(k1, p, (*shape, d), dtype)
    e = exponential(k2, shape, dtype)
    return g / (((jnp.abs(g) ** p).sum(-1) + e) ** (1 / p))[..., None]


def rayleigh(key, scale, shape=None, dtype=None, *, out_sharding=None):
    """Rayleigh values."""
    key, dtype, shape = _sampler_args("rayleigh", key, dtype, shape, scale)
    return _rayleigh(key, scale, shape, dtype)


@partial(jit, static_argnums=(2, 3))
def _rayleigh(key, scale, shape, dtype):
    jnp = _jnp()
    scale = jnp.broadcast_to(lax.convert_element_type(scale, dtype), shape)
    u = uniform(key, shape, dtype)
    log_u = lax.log(u)
    sqrt_u = lax.sqrt(lax.mul(log_u, _const(log_u, -2)))
    return lax.mul(scale, sqrt_u)


def lognormal(key, sigma=np.float32(1.0), shape=None, dtype=None, *, out_sharding=None):
    """Log-normal values: ``exp(sigma * normal)``."""
    key, _ = _check_prng_key("lognormal", key)
    dtype = _float_dtype(dtype, "lognormal")
    if shape is not None:
        shape = _canonicalize_shape(shape, "lognormal")
    if not isinstance(sigma, Tracer) and np.ndim(sigma) == 0:
        # a constant scalar is converted at once (JAX folds the conversion when it inlines _lognormal)
        sigma = lax.convert_element_type(sigma, dtype)
    return _lognormal(key, sigma, shape, dtype)


@partial(jit, static_argnums=(2, 3), inline=True)
def _lognormal(key, sigma, shape, dtype):
    if shape is None:
        shape = np.shape(sigma)
    else:
        _check_shape("lognormal", shape, np.shape(sigma))
    sigma = lax.convert_element_type(sigma, dtype)
    scaled_norm = normal(key, shape, dtype) * sigma
    return lax.exp(scaled_norm)


def wald(key, mean, shape=None, dtype=None, *, out_sharding=None):
    """Wald (inverse Gaussian) values with the given ``mean`` (Michael, Schucany & Haas's method)."""
    key, dtype, shape = _sampler_args("wald", key, dtype, shape, mean)
    return _wald(key, mean, shape, dtype)


@partial(jit, static_argnums=(2, 3))
def _wald(key, mean, shape, dtype):
    jnp = _jnp()
    k1, k2 = _split(key, 2)
    mean = jnp.broadcast_to(jnp.asarray(mean).astype(dtype), shape)
    v = normal(k1, shape, dtype)
    z = uniform(k2, shape, dtype)
    # the smaller root x of the quadratic for chi-square(1) y = v**2, taken with probability
    # mean / (mean + x), else the larger root mean**2 / x
    y = lax.integer_pow(v, 2)
    y_sq = lax.integer_pow(y, 2)
    mean_sq = lax.integer_pow(mean, 2)
    # (XLA contracts the first product of the sum and the subtracted product into fused multiply-adds)
    sqrt_term = lax.sqrt(_add_fma(4 * mean * y, mean_sq * y_sq))
    x = _sub_fma(mean + mean_sq * y / 2, mean / 2 * sqrt_term)
    return lax.select(lax.le(z, mean / (mean + x)), x, mean_sq / x)


def geometric(key, p, shape=None, dtype=None, *, out_sharding=None):
    """Geometric values: the number of Bernoulli(``p``) trials up to the first success (>= 1)."""
    key, _ = _check_prng_key("geometric", key)
    dtype = dtypes.check_and_canonicalize_user_dtype(int if dtype is None else dtype, "geometric")
    if not dtypes.issubdtype(dtype, np.integer):
        raise ValueError(f"dtype argument to `geometric` must be an int dtype, got {dtype}")
    shape = _check_broadcast_shapes("geometric", shape, p)
    return _geometric(key, p, shape, np.dtype(dtype))


@partial(jit, static_argnums=(2, 3))
def _geometric(key, p, shape, dtype):
    jnp = _jnp()
    from jaxlite._src.numpy import util as np_util
    np_util.check_arraylike("geometric", p)
    p, = np_util.promote_dtypes_inexact(p)
    u = uniform(key, shape, p.dtype)
    u = jnp.where(u == 0, 1, u)  # (as JAX: u = 0 would give log(0))
    log_one_minus_p = jnp.broadcast_to(lax.log1p(-p), shape)
    g = lax.floor(lax.div(lax.log(u), log_one_minus_p)) + 1
    return g.astype(dtype)


def triangular(key, left, mode, right, shape=None, dtype=None, *, out_sharding=None):
    """Triangular values on ``[left, right]`` peaking at ``mode`` (by inverting the CDF)."""
    key, dtype, shape = _sampler_args("triangular", key, dtype, shape, left, mode, right)
    return _triangular(key, left, mode, right, shape, dtype)


@partial(jit, static_argnums=(4, 5))
def _triangular(key, left, mode, right, shape, dtype):
    jnp = _jnp()
    left = jnp.broadcast_to(lax.convert_element_type(left, dtype), shape)
    right = jnp.broadcast_to(lax.convert_element_type(right, dtype), shape)
    mode = jnp.broadcast_to(lax.convert_element_type(mode, dtype), shape)
    fc = (mode - left) / (right - left)  # the CDF at the mode
    u = uniform(key, shape, dtype)
    below = left + lax.sqrt(u * (right - left) * (mode - left))
    above = right - lax.sqrt((1 - u) * (right - left) * (right - mode))
    return lax.select(u < fc, below, above)


# ----- binomial and multinomial -----------------------------------------------------------------------

_STIRLING_TAIL = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
                  0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
                  0.00925546218271273, 0.00833056343336287)


def _stirling_approx_tail(k):
    """log(k!) minus its Stirling approximation: tabulated for k <= 9, else its asymptotic series."""
    jnp = _jnp()
    table = jnp.array(_STIRLING_TAIL, dtype=k.dtype)
    small = k <= 9
    k = lax.clamp(_const(k, 0.0), k, _const(k, 9.0))
    kp1sq = (k + 1) * (k + 1)
    approx = (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)
    k = jnp.floor(k)
    return lax.select(small, table[jnp.asarray(k, dtype="int32")], approx)


@partial(jit, static_argnums=(3, 4, 5))
def _binomial_inversion(key, count, prob, shape, dtype, max_iters):
    """Count geometric waiting times until they pass ``count`` (for small count * prob)."""
    jnp = _jnp()
    from jaxlite._src.lax.control_flow import while_loop
    log1minusprob = jnp.log1p(-prob)

    def body(carry):
        i, num_geom, geom_sum, key = carry
        subkey, key = _split(key)
        num_geom = lax.select(geom_sum <= count, num_geom + 1, num_geom)
        u = uniform(subkey, shape, prob.dtype)
        geom_sum = geom_sum + jnp.ceil(jnp.log(u) / log1minusprob)
        return i + 1, num_geom, geom_sum, key

    def cond(carry):
        i, geom_sum = carry[0], carry[2]
        return (geom_sum <= count).any() & (i < max_iters)

    zeros = lax.full_like(prob, 0, prob.dtype, shape)
    k = while_loop(cond, body, (0, zeros, zeros, key))[1]
    return (k - 1).astype(dtype)


@partial(jit, static_argnums=(3, 4, 5))
def _btrs(key, count, prob, shape, dtype, max_iters):
    """Hormann's transformed rejection with squeeze (BTRS), for large count * prob."""
    jnp = _jnp()
    from jaxlite._src.lax.control_flow import while_loop
    stddev = jnp.sqrt(count * prob * (1 - prob))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * prob
    c = count * prob + 0.5
    v_r = 0.92 - 4.2 / b
    r = prob / (1 - prob)
    alpha = (2.83 + 5.1 / b) * stddev
    m = jnp.floor((count + 1) * prob)

    def body(carry):
        i, k_out, accepted, key = carry
        key, subkey_0, subkey_1 = _split(key, 3)
        u = uniform(subkey_0, shape, prob.dtype)
        v = uniform(subkey_1, shape, prob.dtype)
        u = u - 0.5
        us = 0.5 - jnp.abs(u)
        accept1 = (us >= 0.07) & (v <= v_r)
        k = jnp.floor((2 * a / us + b) * u + c)
        reject = (k < 0) | (k > count)
        v = jnp.log(v * alpha / (a / (us * us) + b))
        upper = ((m + 0.5) * jnp.log((m + 1) / (r * (count - m + 1)))
                 + (count + 1) * jnp.log((count - m + 1) / (count - k + 1))
                 + (k + 0.5) * jnp.log(r * (count - k + 1) / (k + 1))
                 + _stirling_approx_tail(m) + _stirling_approx_tail(count - m)
                 - _stirling_approx_tail(k) - _stirling_approx_tail(count - k))
        accept = accept1 | (~reject & (v <= upper))
        k_out = lax.select(accept, k, k_out)
        return i + 1, k_out, accepted | accept, key

    def cond(carry):
        i, accepted = carry[0], carry[2]
        return (~accepted).any() & (i < max_iters)

    k_init = lax.full_like(prob, -1, prob.dtype, shape)
    carry = (0, k_init, jnp.full(shape, False, bool), key)
    return while_loop(cond, body, carry)[1].astype(dtype)


def binomial(key, n, p, shape=None, dtype=None):
    """Binomial(``n``, ``p``) counts as floats: inversion where n * min(p, 1 - p) <= 10, else BTRS
    (as TensorFlow and JAX). NaN for invalid ``n`` or ``p``, inf for infinite ``n``."""
    key, _ = _check_prng_key("binomial", key)
    from jaxlite._src.numpy import util as np_util
    np_util.check_arraylike("binomial", n, p)
    dtype = _float_dtype(dtype, "binomial")
    if shape is not None:
        shape = _canonicalize_shape(shape, "binomial")
    return _binomial(key, n, p, shape, dtype)


@partial(jit, static_argnums=(3, 4))
def _binomial(key, count, prob, shape, dtype):
    jnp = _jnp()
    from jaxlite._src.numpy import util as np_util
    if shape is None:
        shape = lax.broadcast_shapes(np.shape(count), np.shape(prob))
    else:
        _check_shape("binomial", shape, np.shape(count), np.shape(prob))
    prob, = np_util.promote_dtypes_inexact(prob)
    count = lax.convert_element_type(count, prob.dtype)
    count = jnp.broadcast_to(count, shape)
    prob = jnp.broadcast_to(prob, shape)
    p_lt_half = prob < 0.5
    q = lax.select(p_lt_half, prob, 1.0 - prob)  # sample the rarer outcome
    count_nan_or_neg = lax.ne(count, count) | (count < 0.0)
    count_inf = jnp.isinf(count)
    q_is_nan = lax.ne(q, q)
    q_l_0 = q < 0.0
    q = lax.select(q_is_nan | q_l_0, lax.full_like(q, 0.01), q)
    use_inversion = count_nan_or_neg | (count * q <= 10.0)
    count = jnp.floor(count)
    count_inv = lax.select(use_inversion, count, lax.full_like(count, 0.0))
    count_btrs = lax.select(use_inversion, lax.full_like(count, 1e4), count)
    q_btrs = lax.select(use_inversion, lax.full_like(q, 0.5), q)
    max_iters = dtype.type(dtypes.finfo(dtype).max)
    samples = lax.select(use_inversion,
                         _binomial_inversion(key, count_inv, q, shape, dtype, max_iters),
                         _btrs(key, count_btrs, q_btrs, shape, dtype, max_iters))
    invalid = q_l_0 | q_is_nan | count_nan_or_neg
    samples = lax.select(invalid, jnp.full_like(samples, np.nan, dtype), samples)
    samples = lax.select(count_inf & (~invalid), jnp.full_like(samples, np.inf, dtype), samples)
    return lax.select(p_lt_half | count_nan_or_neg | q_is_nan | count_inf, samples,
                      count.astype(dtype) - samples)


def multinomial(key, n, p, *, shape=None, dtype=None, unroll=1):
    """Multinomial counts of ``n`` trials over the outcomes on the last axis of ``p``: a chain of
    binomials, each over what the previous outcomes left (``lax.scan``)."""
    jnp = _jnp()
    from jaxlite._src.lax.control_flow import scan
    from jaxlite._src.numpy import util as np_util
    key, _ = _check_prng_key("multinomial", key)
    np_util.check_arraylike("multinomial", n, p)
    n, p = np_util.promote_dtypes_inexact(n, p)
    if shape is None:
        shape = p.shape
    else:
        shape = _canonicalize_shape(shape, "multinomial")
    n = jnp.broadcast_to(n, shape[:-1])
    p = jnp.broadcast_to(p, shape)

    def step(remainder, ratio_key):
        ratio, k = ratio_key
        count = binomial(k, remainder, ratio.clip(0, 1), dtype=remainder.dtype)
        return remainder - count, count

    p = jnp.moveaxis(p, -1, 0)
    remaining = lax.cumsum(p, 0, reverse=True)
    ratios = p / jnp.where(remaining == 0, 1, remaining)
    keys = split(key, ratios.shape[0])
    _, counts = scan(step, n, (ratios, keys), unroll=unroll)
    return jnp.moveaxis(counts, 0, -1).astype(dtype)


# ----- poisson ----------------------------------------------------------------------------------------

def _np_lgamma(x):
    try:
        from scipy import special
        return special.gammaln(x).astype(x.dtype)
    except ImportError:  # pragma: no cover
        return np.vectorize(math.lgamma, otypes=[x.dtype])(x)


def _poisson_one_key(words, lam, dtype):
    """JAX's poisson for one key: Knuth's method where lam < 10, else transformed rejection (PTRS);
    both run on the same key over the whole array, exactly as JAX's while loops do."""
    shape = lam.shape
    f32 = np.float32
    lam0 = lam
    use_knuth = np.isnan(lam) | (lam < f32(10))
    lam_knuth = np.where(use_knuth, lam, f32(0))
    lam_rej = np.where(use_knuth, f32(100000.0), lam)
    max_iters = int(np.iinfo(dtype).max)
    with np.errstate(all="ignore"):
        # Knuth
        i, k, rng, log_prod = 0, np.zeros(shape, dtype), words, np.zeros(shape, f32)
        while (log_prod > -lam_knuth).any() and i < max_iters:
            rng, sub = _np_split(rng, 2)
            k = np.where(log_prod > -lam_knuth, k + dtype.type(1), k)
            u = _np_uniform(sub, shape, f32)
            log_prod = (log_prod + np.log(u)).astype(f32)
            i += 1
        knuth = (k - dtype.type(1)).astype(dtype)
        # rejection
        lam = lam_rej
        log_lam = np.log(lam)
        b = f32(0.931) + f32(2.53) * np.sqrt(lam)
        a = f32(-0.059) + f32(0.02483) * b
        inv_alpha = f32(1.1239) + f32(1.1328) / (b - f32(3.4))
        v_r = f32(0.9277) - f32(3.6224) / (b - f32(2))
        i, k_out, accepted, key = 0, np.full(shape, f32(-1)), np.zeros(shape, bool), words
        while (~accepted).any() and i < max_iters:
            key, s0, s1 = _np_split(key, 3)
            u = _np_uniform(s0, shape, f32) - f32(0.5)
            v = _np_uniform(s1, shape, f32)
            u_shifted = f32(0.5) - np.abs(u)
            kk = np.floor((f32(2) * a / u_shifted + b) * u + lam + f32(0.43))
            s = np.log(v * inv_alpha / (a / (u_shifted * u_shifted) + b))
            tt = -lam + kk * log_lam - _np_lgamma(kk + f32(1))
            accept1 = (u_shifted >= f32(0.07)) & (v <= v_r)
            reject = (kk < 0) | ((u_shifted < f32(0.013)) & (v > u_shifted))
            accept2 = s <= tt
            accept = accept1 | (~reject & accept2)
            k_out = np.where(accept, kk, k_out)
            accepted |= accept
            i += 1
        rej = k_out.astype(dtype)
    result = np.where(use_knuth, knuth, rej)
    return np.where(lam0 == 0, dtype.type(0), result).astype(dtype)


def _poisson_impl(keys, lam, *, dtype):
    words = to_words(keys)
    lam = np.asarray(lam, np.float32)
    batch = words.shape[:-1]
    if not batch:
        return _poisson_one_key(words, lam, dtype)
    flat_words = words.reshape(-1, 2)
    lam_b = np.broadcast_to(lam, batch + lam.shape[len(batch):]).reshape((-1,) + lam.shape[len(batch):])
    outs = [_poisson_one_key(w, l, dtype) for w, l in zip(flat_words, lam_b)]
    return np.stack(outs).reshape(lam.shape)


random_poisson_p = Primitive("random_poisson")
random_poisson_p.def_impl(_poisson_impl)


@random_poisson_p.def_abstract_eval
def _random_poisson_abstract_eval(keys, lam, *, dtype):
    return ShapedArray(lam.shape, dtype)


def _poisson_batching_rule(vals, dims, *, dtype):
    k, lam = vals
    bk, bl = dims
    size = batching.axis_size_of(vals, dims)
    k = batching.bdim_at_front(k, bk, size)
    lam = batching.bdim_at_front(lam, bl, size)
    return random_poisson_p.bind(k, lam, dtype=dtype), 0


batching.primitive_batchers[random_poisson_p] = _poisson_batching_rule


def poisson(key, lam, shape=None, dtype=None, *, out_sharding=None):
    """Poisson counts with rate ``lam`` (Knuth's method below 10, transformed rejection above)."""
    jnp = _jnp()
    key, _ = _check_prng_key("poisson", key)
    dtype = np.dtype(dtypes.check_and_canonicalize_user_dtype(int if dtype is None else dtype,
                                                              "poisson"))
    if shape is not None:
        shape = _canonicalize_shape(shape, "poisson")
    else:
        shape = np.shape(lam)
    lam = jnp.broadcast_to(lam, shape)
    lam = lax.convert_element_type(lam, np.float32)
    return _poisson(key, lam, dtype)


@partial(jit, static_argnums=(2,))
def _poisson(key, lam, dtype):
    return random_poisson_p.bind(key, lam, dtype=dtype)


# ---------------------------------------------------------------------------------------------------
# Samplers that need linear algebra
# ---------------------------------------------------------------------------------------------------

def multivariate_normal(key, mean, cov, shape=None, dtype=None, method="cholesky", *,
                        out_sharding=None):
    """Multivariate normal values with the given mean and covariance."""
    jnp = _jnp()
    key, _ = _check_prng_key("multivariate_normal", key)
    mean, cov = jnp.asarray(mean), jnp.asarray(cov)
    if not dtypes.issubdtype(mean.dtype, np.inexact) or not dtypes.issubdtype(cov.dtype, np.inexact) \
            or mean.dtype != cov.dtype:
        rt = dtypes.result_type(mean, cov)
        rt = rt if dtypes.issubdtype(rt, np.inexact) else dtypes.default_float_dtype()
        mean, cov = mean.astype(rt), cov.astype(rt)
    if method not in {"svd", "eigh", "cholesky"}:
        raise ValueError("method must be one of {'svd', 'eigh', 'cholesky'}")
    dtype = mean.dtype if dtype is None else _float_dtype(dtype, "multivariate_normal")
    if shape is not None:
        shape = _canonicalize_shape(shape, "multivariate_normal")
    return _multivariate_normal(key, mean, cov, shape, np.dtype(dtype), method)


@partial(jit, static_argnums=(3, 4, 5))
def _multivariate_normal(key, mean, cov, shape, dtype, method):
    jnp = _jnp()
    if not np.ndim(mean) >= 1:
        raise ValueError(f"multivariate_normal requires mean.ndim >= 1, got mean.ndim == {np.ndim(mean)}")
    if not np.ndim(cov) >= 2:
        raise ValueError(f"multivariate_normal requires cov.ndim >= 2, got cov.ndim == {np.ndim(cov)}")
    n = mean.shape[-1]
    if np.shape(cov)[-2:] != (n, n):
        raise ValueError(f"multivariate_normal requires cov.shape == (..., n, n) for n={n}, but got "
                         f"cov.shape == {np.shape(cov)}.")
    if shape is None:
        shape = lax.broadcast_shapes(mean.shape[:-1], cov.shape[:-2])
    else:
        _check_shape("normal", shape, mean.shape[:-1], cov.shape[:-2])
    la = jnp.linalg
    if method == "svd":
        u, s, _ = la.svd(cov)
        factor = u * jnp.sqrt(s[..., None, :])
    elif method == "eigh":
        w, v = la.eigh(cov)
        factor = v * jnp.sqrt(w[..., None, :])
    else:
        factor = la.cholesky(cov)
    z = normal(key, shape + mean.shape[-1:], dtype)
    from jaxlite._src import config as config_mod
    from jaxlite._src.numpy.einsum import einsum
    from jaxlite._src.numpy.util import promote_shapes
    with config_mod.numpy_rank_promotion("allow"):
        prod = einsum("...ij,...j->...i", factor, z)
        if mean.dtype != prod.dtype:
            return mean + prod
        # (an add XLA may fuse with the product: see lax.add_fma)
        return _add_fma(*promote_shapes("add", mean, prod))


def orthogonal(key, n, shape=(), dtype=None, m=None, *, out_sharding=None):
    """Random orthogonal (n, m) matrices (Haar-distributed for square ones), via QR of normals."""
    jnp = _jnp()
    _m = n if m is None else m
    shape = _canonicalize_shape(shape, "orthogonal")
    key, _ = _check_prng_key("orthogonal", key)
    dtype = _float_dtype(dtype, "orthogonal", np.inexact, "a float or complex")
    n = core.concrete_or_error(operator.index, n, "The error occurred in jax.random.orthogonal()")
    _m = core.concrete_or_error(operator.index, _m, "The error occurred in jax.random.orthogonal()")
    z = normal(key, (*shape, max(n, _m), min(n, _m)), dtype)
    q, r = jnp.linalg.qr(z)
    d = jnp.diagonal(r, axis1=-2, axis2=-1)
    x = q * jnp.expand_dims(jnp.sign(d), -2)
    return jnp.swapaxes(x, -1, -2) if n < _m else x


# ---------------------------------------------------------------------------------------------------
# XLA-exact float32 transcendentals for the samplers
# ---------------------------------------------------------------------------------------------------
# XLA's CPU backend computes float32 log/log1p/exp/erf_inv with its own polynomials (and FMAs), so
# NumPy's results differ from JAX's in the last bits for a few percent of values. The samplers run with
# ``xla_math.exact()`` on, which makes those primitives' float32 impls reproduce XLA bit for bit (when
# called eagerly; inside a user's jit the primitives run with NumPy's versions).
import functools as _functools  # noqa: E402

from jaxlite._src import xla_math as _xla_math  # noqa: E402


def _np_log(x):
    return _xla_math.log(x) if x.dtype == np.float32 else np.log(x)


def _np_log1p(x):
    return _xla_math.log1p(x) if x.dtype == np.float32 else np.log1p(x)


def _with_xla_math(fn):
    @_functools.wraps(fn)
    def sampler(*args, **kwargs):
        with _xla_math.exact():
            return fn(*args, **kwargs)
    return sampler


for _name in ("normal", "truncated_normal", "gumbel", "categorical", "choice", "gamma", "loggamma", "beta",
              "dirichlet", "t", "chisquare", "f", "pareto", "weibull_min", "maxwell", "double_sided_maxwell",
              "generalized_normal", "ball", "rayleigh", "lognormal", "wald", "geometric", "binomial",
              "multinomial", "poisson", "multivariate_normal", "orthogonal", "exponential", "laplace",
              "logistic", "cauchy"):
    if _name in globals():
        globals()[_name] = _with_xla_math(globals()[_name])
del _name


def _install_fusions():
    from jaxlite._src.backend import numpy_backend
    from jaxlite._src.pjit import jit_p
    numpy_backend.fusions[jit_p] = _jit_call_fusion


_install_fusions()
