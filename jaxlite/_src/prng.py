"""Typed PRNG keys: the ``key<fry>`` extended dtype, key arrays, and the key primitives.

A key array of shape ``S`` has the abstract value ``ShapedArray(S, key<fry>)``. Its *physical* value is a
NumPy array of shape ``S`` whose elements are 8-byte records holding the two uint32 words of a Threefry
key. Because the physical shape equals the logical shape, generic shape primitives (reshape, slice,
broadcast, concatenate, transpose, select, gather, ...) work on key arrays with their ordinary NumPy
implementations; only the key primitives below look inside a record, through ``to_words``/``from_words``.

Key primitives (names and params as in JAX's jaxprs): ``random_seed[impl]``, ``random_split[shape]``,
``random_fold_in``, ``random_bits[bit_width shape]``, ``random_wrap[impl]``, ``random_unwrap``. Their
implementations call the PRNG implementation's NumPy functions, vectorised over leading key dimensions.
"""
from __future__ import annotations

import math

import numpy as np

from jaxlite._src import config as config_mod, dtypes
from jaxlite._src.array import ArrayImpl
from jaxlite._src.core import Primitive, ShapedArray
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.lax.random_bits import threefry_2x32_iota_np, threefry_2x32_np, threefry2x32_p
from jaxlite._src.lax.utils import broadcasting_shape_rule

_U32 = np.dtype(np.uint32)
UINT_DTYPES = {8: np.dtype(np.uint8), 16: np.dtype(np.uint16), 32: _U32, 64: np.dtype(np.uint64)}

# one record per key: the two uint32 words
_RECORD = np.dtype([("k0", _U32), ("k1", _U32)])


def to_words(keys: np.ndarray) -> np.ndarray:
    """Physical key records of shape S -> uint32 words of shape S + (2,)."""
    keys = np.asarray(keys)
    # (np.ascontiguousarray would turn a 0-d array into a 1-d one)
    return np.ascontiguousarray(keys.reshape(-1)).view(_U32).reshape(keys.shape + (2,))


def from_words(words: np.ndarray) -> np.ndarray:
    """uint32 words of shape S + (2,) -> physical key records of shape S."""
    words = np.asarray(words, dtype=_U32)
    return np.ascontiguousarray(words.reshape(-1, 2)).view(_RECORD).reshape(words.shape[:-1])


# ---------------------------------------------------------------------------------------------------
# The Threefry implementation of the PRNG interface, on NumPy uint32 words (vectorised over keys)
# ---------------------------------------------------------------------------------------------------

def iota_2x32_shape(shape):
    """The flat (row-major) index of each position of ``shape`` as (high, low) uint32 words."""
    n = math.prod(shape)
    idx = np.arange(n, dtype=np.uint64).reshape(shape)
    return (idx >> np.uint64(32)).astype(_U32), idx.astype(_U32)


def threefry_seed(seeds: np.ndarray) -> np.ndarray:
    """Integer seeds -> key words: the high and low 32 bits of the seed (high word 0 for <=32-bit)."""
    seeds = np.asarray(seeds)
    if seeds.dtype.itemsize > 4:
        bits = seeds.astype(np.uint64) if seeds.dtype.kind == "u" else seeds.view(np.uint64)
        hi = (bits >> np.uint64(32)).astype(_U32)
        lo = (bits & np.uint64(0xFFFFFFFF)).astype(_U32)
    else:
        lo = seeds.astype(np.int64).astype(_U32) if seeds.dtype.kind == "i" else seeds.astype(_U32)
        hi = np.zeros(seeds.shape, _U32)
    return np.stack([hi, lo], axis=-1)


def _threefry_2x32_counts(k1, k2, counts: np.ndarray) -> np.ndarray:
    """JAX's original (non-partitionable) use of the cipher on a 1-d count array: the first and second
    halves of the (zero-padded) counts form the two cipher inputs; outputs are concatenated."""
    n = counts.shape[-1]
    if n % 2:
        counts = np.concatenate([counts, np.zeros(counts.shape[:-1] + (1,), _U32)], axis=-1)
    half = counts.shape[-1] // 2
    y1, y2 = threefry_2x32_np(k1, k2, counts[..., :half], counts[..., half:])
    return np.concatenate([y1, y2], axis=-1)[..., :n]


def _partitionable() -> bool:
    return config_mod.config._values["jax_threefry_partitionable"]


def _split_words(keys: np.ndarray, extra_ndim: int):
    """The two words of each key, with ``extra_ndim`` trailing singleton dims for broadcasting."""
    pad = (1,) * extra_ndim
    return (keys[..., 0].reshape(keys.shape[:-1] + pad), keys[..., 1].reshape(keys.shape[:-1] + pad))


def threefry_split(keys: np.ndarray, shape) -> np.ndarray:
    """Words of keys (S + (2,)) -> words of new keys (S + shape + (2,))."""
    shape = tuple(shape)
    if _partitionable():
        if keys.shape == (2,) and math.prod(shape) <= 2**32:
            y1, y2 = threefry_2x32_iota_np(keys[0], keys[1], math.prod(shape))
            out = np.empty(shape + (2,), _U32)
            out[..., 0] = y1.reshape(shape)
            out[..., 1] = y2.reshape(shape)
            return out
        k1, k2 = _split_words(keys, len(shape))
        hi, lo = iota_2x32_shape(shape)
        y1, y2 = threefry_2x32_np(k1, k2, hi, lo)
        return np.stack([y1, y2], axis=-1)
    num = math.prod(shape)
    k1, k2 = _split_words(keys, 1)
    bits = _threefry_2x32_counts(k1, k2, np.arange(num * 2, dtype=_U32))
    return bits.reshape(keys.shape[:-1] + shape + (2,))


def threefry_fold_in(keys: np.ndarray, data: np.ndarray) -> np.ndarray:
    """Words of keys (S + (2,)) and uint32 data broadcastable with S -> words of new keys."""
    data = np.asarray(data, _U32)
    y1, y2 = threefry_2x32_np(keys[..., 0], keys[..., 1], np.zeros((), _U32), data)
    return np.stack([y1, y2], axis=-1)


def threefry_random_bits(keys: np.ndarray, bit_width: int, shape) -> np.ndarray:
    """Words of keys (S + (2,)) -> uniform unsigned integers of ``bit_width`` bits, shape S + shape."""
    shape = tuple(shape)
    dtype = UINT_DTYPES[bit_width]
    batch = keys.shape[:-1]
    if _partitionable():
        if not batch and math.prod(shape) <= 2**32:  # one key: counters made chunk by chunk
            if bit_width == 64:
                y1, y2 = threefry_2x32_iota_np(keys[0], keys[1], math.prod(shape))
                out = y1.astype(np.uint64)
                out <<= np.uint64(32)
                out |= y2
                return out.reshape(shape)
            out = threefry_2x32_iota_np(keys[0], keys[1], math.prod(shape), xor=True)
            out = out if bit_width == 32 else out.astype(dtype)
            return out.reshape(shape)
        k1, k2 = _split_words(keys, len(shape))
        hi, lo = iota_2x32_shape(shape)
        b1, b2 = threefry_2x32_np(k1, k2, hi, lo)
        if bit_width == 64:
            return (b1.astype(np.uint64) << np.uint64(32)) | b2.astype(np.uint64)
        out = b1 ^ b2
        return out if bit_width == 32 else out.astype(dtype)
    size = math.prod(shape)
    max_count = -(-bit_width * size // 32)
    if max_count >= np.iinfo(np.uint32).max:
        raise NotImplementedError("random bits arrays of more than 2**32 words without "
                                  "jax_threefry_partitionable")
    k1, k2 = _split_words(keys, 1)
    bits = _threefry_2x32_counts(k1, k2, np.arange(max_count, dtype=_U32))
    bits = np.broadcast_to(bits, batch + (max_count,))
    if bit_width == 64:
        half = max_count // 2
        out = (bits[..., :half].astype(np.uint64) << np.uint64(32)) | bits[..., half:].astype(np.uint64)
    elif bit_width == 32:
        out = bits
    else:
        # the little-endian view of the words as 8- or 16-bit pieces
        pieces = 32 // bit_width
        shifts = (np.arange(pieces, dtype=_U32) * np.uint32(bit_width))
        out = ((bits[..., :, None] >> shifts) & np.uint32(np.iinfo(dtype).max)).astype(dtype)
        out = out.reshape(batch + (max_count * pieces,))[..., :size]
    return np.ascontiguousarray(out).reshape(batch + shape)


class PRNGImpl:
    """A PRNG implementation: key shape and NumPy functions on key words (vectorised over keys)."""

    __slots__ = ("key_shape", "seed", "split", "random_bits", "fold_in", "name", "tag")

    def __init__(self, key_shape, seed, split, random_bits, fold_in, name, tag):
        self.key_shape = tuple(key_shape)
        self.seed, self.split, self.random_bits, self.fold_in = seed, split, random_bits, fold_in
        self.name, self.tag = name, tag

    def __hash__(self):
        return hash(self.tag)

    def __eq__(self, other):
        return isinstance(other, PRNGImpl) and self.tag == other.tag

    def __str__(self):
        return self.tag

    def __repr__(self):
        return f"PRNGImpl({self.name!r})"


threefry_prng_impl = PRNGImpl((2,), threefry_seed, threefry_split, threefry_random_bits,
                              threefry_fold_in, "threefry2x32", "fry")
prngs = {"threefry2x32": threefry_prng_impl}


# ---------------------------------------------------------------------------------------------------
# The key dtype and key arrays
# ---------------------------------------------------------------------------------------------------

class KeyTyRules:
    """What the core needs to know about key arrays: how to wrap a physical value as an Array."""

    @staticmethod
    def physical_np_dtype(dtype):
        return _RECORD

    @staticmethod
    def make_array(value: np.ndarray, aval) -> "PRNGKeyArray":
        return PRNGKeyArray._make(aval.dtype._impl, value)

    @staticmethod
    def tangent_dtype(_):
        return dtypes.float0


class KeyTy(dtypes.ExtendedDType):
    """The dtype of typed PRNG keys, ``key<fry>`` for Threefry."""

    type = dtypes.prng_key
    _rules = KeyTyRules

    def __init__(self, impl: PRNGImpl):
        self._impl = impl

    @property
    def name(self) -> str:
        return f"key<{self._impl.tag}>"

    @property
    def itemsize(self) -> int:
        return math.prod(self._impl.key_shape) * 4

    @property
    def kind(self) -> str:
        return "V"

    def __repr__(self):
        return self.name

    __str__ = __repr__

    def __eq__(self, other):
        return type(other) is KeyTy and self._impl == other._impl

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((KeyTy, self._impl))


def is_key_dtype(dt) -> bool:
    return isinstance(dt, KeyTy)


class PRNGKeyArray(ArrayImpl):
    """A concrete array of typed PRNG keys. Arithmetic is not defined on keys; use the functions of
    ``jax.random`` (split, fold_in, key_data, ...)."""

    __slots__ = ("_impl",)

    @classmethod
    def _make(cls, impl: PRNGImpl, records: np.ndarray) -> "PRNGKeyArray":
        self = cls._from_np(np.asarray(records), False)
        self._impl = impl
        return self

    @property
    def dtype(self):
        return KeyTy(self._impl)

    @property
    def aval(self):
        a = self._aval
        if a is None:
            a = self._aval = ShapedArray(self._value.shape, KeyTy(self._impl), False)
        return a

    @property
    def itemsize(self):
        return self.dtype.itemsize

    @property
    def nbytes(self):
        return self.itemsize * self.size

    def _words(self) -> np.ndarray:
        return to_words(self._value)

    def __repr__(self):
        return f"Array({self.shape}, dtype={self.dtype.name}) overlaying:\n{self._words()}"

    def __str__(self):
        return self.__repr__()

    def __format__(self, spec):
        return format(str(self), spec)

    def __array__(self, dtype=None, copy=None):
        raise TypeError("JAX array with PRNGKey dtype cannot be converted to a NumPy array. Use "
                        "jax.random.key_data(arr) if you wish to extract the underlying integer array.")

    def __bool__(self):
        raise TypeError("key array cannot be converted to boolean.")

    def __int__(self):
        raise TypeError("key array cannot be converted to an integer; use jax.random.key_data.")

    __float__ = __complex__ = __index__ = __int__

    def item(self, *args):
        raise TypeError("key array has no scalar value; use jax.random.key_data.")

    def tolist(self):
        raise TypeError("key array cannot be converted to a list; use jax.random.key_data.")

    def __iter__(self):
        if self._value.ndim == 0:
            raise TypeError("iteration over a 0-d key array")
        return (PRNGKeyArray._make(self._impl, np.asarray(r)) for r in self._value)

    def __len__(self):
        if self._value.ndim == 0:
            raise TypeError("len() of unsized object")
        return self._value.shape[0]

    def __copy__(self):
        return PRNGKeyArray._make(self._impl, self._value.copy())

    def __deepcopy__(self, memo):
        return self.__copy__()

    def __reduce__(self):
        return (_rebuild_key_array, (self._impl.name, self._words()))

    def __dlpack__(self, *args, **kw):
        raise TypeError("key arrays cannot be exported with DLPack; use jax.random.key_data")

    def copy(self):
        return self.__copy__()


def _no_arithmetic(op_name, dunder):
    def method(self, *args, **kwargs):
        # trace the operation abstractly, as jit would: it raises the same TypeError as under jit
        from jaxlite._src.api import eval_shape
        out = eval_shape(lambda k: getattr(k, dunder)(*args), self)
        if out is NotImplemented:
            return NotImplemented
        others = ", ".join(str(getattr(a, "dtype", type(a).__name__)) for a in args)
        raise TypeError(f"{op_name} does not accept dtypes {self.dtype}{', ' + others if others else ''}."
                        " Keys are not numbers: derive new keys with jax.random.split or "
                        "jax.random.fold_in, and read their bits with jax.random.key_data.")
    method.__name__ = dunder
    return method


for _op in ("add", "radd", "sub", "rsub", "mul", "rmul", "truediv", "rtruediv", "floordiv",
            "rfloordiv", "mod", "rmod", "pow", "rpow", "matmul", "rmatmul", "and", "rand", "or", "ror",
            "xor", "rxor", "lshift", "rshift", "neg", "pos", "abs", "invert", "lt", "le", "gt", "ge"):
    setattr(PRNGKeyArray, f"__{_op}__", _no_arithmetic(_op.lstrip("r") if _op.startswith("r") and
                                                        _op not in ("rshift",) else _op, f"__{_op}__"))


def _rebuild_key_array(impl_name, words):
    return PRNGKeyArray._make(prngs[impl_name], from_words(words))


def keys_shaped_array(impl: PRNGImpl, shape) -> ShapedArray:
    return ShapedArray(shape, KeyTy(impl))


def _check_key_aval(name, aval):
    if not is_key_dtype(aval.dtype):
        raise TypeError(f"{name} takes a key array operand, got dtype {aval.dtype}")


# ---------------------------------------------------------------------------------------------------
# Key primitives
# ---------------------------------------------------------------------------------------------------

# ----- random_seed: integer seeds -> keys ------------------------------------------------------------
random_seed_p = Primitive("random_seed")


@random_seed_p.def_abstract_eval
def _random_seed_abstract_eval(seeds, *, impl):
    if not dtypes.issubdtype(seeds.dtype, np.integer):
        raise TypeError(f"PRNG key seed must be an integer; got a {seeds.str_short()} value.")
    return keys_shaped_array(impl, seeds.shape)


@random_seed_p.def_impl
def _random_seed_impl(seeds, *, impl):
    return from_words(impl.seed(np.asarray(seeds)))


ad.defjvp_zero(random_seed_p)
batching.defvectorized(random_seed_p)


def random_seed(seeds, impl: PRNGImpl):
    return random_seed_p.bind(seeds, impl=impl)


# ----- random_split: keys S -> keys S + shape -------------------------------------------------------
random_split_p = Primitive("random_split")


@random_split_p.def_abstract_eval
def _random_split_abstract_eval(keys, *, shape):
    _check_key_aval("random_split", keys)
    return keys_shaped_array(keys.dtype._impl, (*keys.shape, *shape))


def _random_split_impl(keys, *, shape):
    # the impl gets physical records; the dtype tells us nothing more, so the impl is Threefry's unless
    # other implementations are registered (then the records would carry it)
    return from_words(threefry_prng_impl.split(to_words(keys), shape))


random_split_p.def_impl(_random_split_impl)
ad.defjvp_zero(random_split_p)
batching.defvectorized(random_split_p)  # key dims lead the output: the batch dim stays in place


def random_split(keys, shape):
    return random_split_p.bind(keys, shape=tuple(shape))


# ----- random_fold_in: keys, uint32 data (broadcasting) -> keys ------------------------------------
random_fold_in_p = Primitive("random_fold_in")


@random_fold_in_p.def_abstract_eval
def _random_fold_in_abstract_eval(keys, msgs):
    _check_key_aval("random_fold_in", keys)
    shape = broadcasting_shape_rule("random_fold_in", keys, msgs)
    return ShapedArray(shape, keys.dtype)


def _random_fold_in_impl(keys, msgs):
    words = to_words(keys)
    msgs = np.asarray(msgs, _U32)
    shape = np.broadcast_shapes(words.shape[:-1], msgs.shape)
    words = np.broadcast_to(words, shape + (2,))
    return from_words(threefry_prng_impl.fold_in(words, np.broadcast_to(msgs, shape)))


random_fold_in_p.def_impl(_random_fold_in_impl)
ad.defjvp_zero(random_fold_in_p)
batching.defbroadcasting(random_fold_in_p)


def random_fold_in(keys, msgs):
    return random_fold_in_p.bind(keys, msgs)


# ----- random_bits: keys S -> uint<bit_width>[S + shape] -------------------------------------------
random_bits_p = Primitive("random_bits")


@random_bits_p.def_abstract_eval
def _random_bits_abstract_eval(keys, *, bit_width, shape):
    _check_key_aval("random_bits", keys)
    if bit_width not in UINT_DTYPES:
        raise TypeError("requires 8-, 16-, 32- or 64-bit field width.")
    return ShapedArray((*keys.shape, *shape), UINT_DTYPES[bit_width])


def _random_bits_impl(keys, *, bit_width, shape):
    return threefry_prng_impl.random_bits(to_words(keys), bit_width, shape)


random_bits_p.def_impl(_random_bits_impl)
ad.defjvp_zero(random_bits_p)
batching.defvectorized(random_bits_p)


def random_bits(keys, bit_width, shape):
    return random_bits_p.bind(keys, bit_width=bit_width, shape=tuple(shape))


# ----- random_wrap: uint32[S + (2,)] -> keys S ------------------------------------------------------
random_wrap_p = Primitive("random_wrap")


def check_key_data(impl: PRNGImpl, aval):
    nd = len(impl.key_shape)
    if aval.ndim < 1:
        raise TypeError("JAX encountered invalid PRNG key data: expected key_data.ndim >= 1; got "
                        f"ndim={aval.ndim}. A raw key is a uint32 array whose trailing dimension is "
                        f"{impl.key_shape[-1]}, as made by jax.random.PRNGKey(seed).")
    if tuple(aval.shape[-nd:]) != impl.key_shape:
        raise TypeError("JAX encountered invalid PRNG key data: expected key_data.shape to end with "
                        f"{impl.key_shape}; got shape={tuple(aval.shape)} for impl={impl.name}. A raw "
                        "key is a uint32 array of shape (..., 2), as made by jax.random.PRNGKey(seed).")
    if aval.dtype != _U32 and not dtypes.is_float0(aval.dtype):
        raise TypeError("JAX encountered invalid PRNG key data: expected key_data.dtype = uint32; got "
                        f"dtype={aval.dtype}. Make keys with jax.random.key(seed) or "
                        "jax.random.PRNGKey(seed).")


@random_wrap_p.def_abstract_eval
def _random_wrap_abstract_eval(base, *, impl):
    check_key_data(impl, base)
    return keys_shaped_array(impl, base.shape[:-len(impl.key_shape)])


random_wrap_p.def_impl(lambda base, *, impl: from_words(base))
ad.defjvp_zero(random_wrap_p)


def _random_wrap_batch_rule(vals, dims, *, impl):
    (x,), (d,) = vals, dims
    x = batching.moveaxis(x, d, 0)
    return random_wrap(x, impl=impl), 0


batching.primitive_batchers[random_wrap_p] = _random_wrap_batch_rule


def random_wrap(base, *, impl: PRNGImpl):
    return random_wrap_p.bind(base, impl=impl)


# ----- random_unwrap: keys S -> uint32[S + (2,)] ----------------------------------------------------
random_unwrap_p = Primitive("random_unwrap")


@random_unwrap_p.def_abstract_eval
def _random_unwrap_abstract_eval(keys):
    _check_key_aval("random_unwrap", keys)
    return ShapedArray((*keys.shape, *keys.dtype._impl.key_shape), _U32)


random_unwrap_p.def_impl(to_words)
ad.defjvp_zero(random_unwrap_p)
batching.defvectorized(random_unwrap_p)


def random_unwrap(keys):
    return random_unwrap_p.bind(keys)


__all__ = ["PRNGImpl", "KeyTy", "PRNGKeyArray", "threefry_prng_impl", "prngs", "random_seed",
           "random_split", "random_fold_in", "random_bits", "random_wrap", "random_unwrap",
           "threefry2x32_p", "iota_2x32_shape", "UINT_DTYPES", "to_words", "from_words"]
