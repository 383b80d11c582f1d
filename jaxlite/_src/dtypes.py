"""Dtypes, canonicalization and JAX's type-promotion lattice.

JAX promotes types differently from NumPy. Promotion is defined by a small
directed graph (the *lattice*) whose nodes are the concrete dtypes plus three
"weak" nodes standing for Python scalars: ``int``, ``float`` and ``complex``.
An edge ``a -> b`` means ``a`` may be safely widened to ``b``. The result of
promoting a set of types is their *least upper bound*: the unique smallest node
reachable from all of them.

The standard lattice (x64 mode) is::

    bool -> int* -> {uint8, int8}
    uint8 -> uint16 -> uint32 -> uint64 -> float*
    uint8 -> int16, uint16 -> int32, uint32 -> int64
    int8 -> int16 -> int32 -> int64 -> float*
    float* -> {bfloat16, float16, small floats} ; float* -> complex*
    bfloat16 -> float32, float16 -> float32 -> float64 -> complex128
    float32 -> complex64 -> complex128 ; complex* -> complex64

``*`` marks the weak Python-scalar nodes. Sub-byte integers and 8/6/4-bit
floats sit just above the weak nodes with nothing above them, so they only mix
with weak scalars (anything else raises :class:`TypePromotionError`).
Consequences: ``int8 + 1 -> int8``, ``float16 * 2.0 -> float16``,
``int32 + 1.0 -> float32``, ``uint64 + int64 -> float`` (weak),
``bfloat16 + float16 -> float32``.

With x64 disabled, ``uint32`` sits below ``int32`` (instead of reaching
``int64``) so no 64-bit type appears from 32-bit inputs, and every result is
canonicalized: 64-bit types map to their 32-bit counterparts.

A weakly typed result (only weak inputs, or a weak node won) is reported with
the default dtype of its kind and ``weak_type=True``.
"""
from __future__ import annotations

import functools
import warnings
from typing import Any, Union

import ml_dtypes
import numpy as np

from jaxlite._src.config import config

__all__ = [
    "bfloat16", "float0", "int4", "uint4", "extended", "prng_key", "ExtendedDType",
    "TypePromotionError", "canonicalize_dtype", "dtype", "result_type",
    "promote_types", "issubdtype", "isdtype", "finfo", "iinfo", "is_weakly_typed",
    "is_python_scalar", "python_scalar_dtypes", "default_float_dtype",
    "default_int_dtype", "default_uint_dtype", "default_complex_dtype",
    "to_inexact_dtype", "to_complex_dtype", "to_numeric_dtype", "to_floating_dtype",
    "scalar_type_of", "is_float0", "coerce_to_array",
]

DType = np.dtype
JAXType = Union[type, np.dtype]  # a lattice node: a dtype, or int/float/complex when weak


# ---------------------------------------------------------------------------
# Extended dtypes (e.g. typed PRNG keys) live outside NumPy's dtype system.

class extended(np.generic):
    """Abstract scalar type for extended dtypes; used with ``issubdtype``."""


class prng_key(extended):
    """Abstract scalar type for PRNG key dtypes; used with ``issubdtype``."""


class ExtendedDType:
    """Base class for non-NumPy dtypes. Subclasses set ``type`` (a subclass of
    :class:`extended`) and must be hashable."""
    type: type = extended
    _rules: Any = None


class TypePromotionError(ValueError):
    """Raised when inputs have no implicit promotion path."""


# ---------------------------------------------------------------------------
# Extra scalar types provided by ml_dtypes.

bfloat16: type[np.generic] = ml_dtypes.bfloat16
float8_e4m3b11fnuz: type[np.generic] = ml_dtypes.float8_e4m3b11fnuz
float8_e4m3fn: type[np.generic] = ml_dtypes.float8_e4m3fn
float8_e4m3fnuz: type[np.generic] = ml_dtypes.float8_e4m3fnuz
float8_e5m2: type[np.generic] = ml_dtypes.float8_e5m2
float8_e5m2fnuz: type[np.generic] = ml_dtypes.float8_e5m2fnuz
int4: type[np.generic] = ml_dtypes.int4
uint4: type[np.generic] = ml_dtypes.uint4
# Newer ml_dtypes releases (>= 0.5) add these; None when unavailable.
float8_e3m4: type[np.generic] | None = getattr(ml_dtypes, "float8_e3m4", None)
float8_e4m3: type[np.generic] | None = getattr(ml_dtypes, "float8_e4m3", None)
float8_e8m0fnu: type[np.generic] | None = getattr(ml_dtypes, "float8_e8m0fnu", None)
float6_e2m3fn: type[np.generic] | None = getattr(ml_dtypes, "float6_e2m3fn", None)
float6_e3m2fn: type[np.generic] | None = getattr(ml_dtypes, "float6_e3m2fn", None)
float4_e2m1fn: type[np.generic] | None = getattr(ml_dtypes, "float4_e2m1fn", None)
int1: type[np.generic] | None = getattr(ml_dtypes, "int1", None)
uint1: type[np.generic] | None = getattr(ml_dtypes, "uint1", None)
int2: type[np.generic] | None = getattr(ml_dtypes, "int2", None)
uint2: type[np.generic] | None = getattr(ml_dtypes, "uint2", None)


def _present(*types: Any) -> list:
    return [t for t in types if t is not None]


_float8_types = _present(float8_e3m4, float8_e4m3, float8_e8m0fnu, float8_e4m3b11fnuz,
                         float8_e4m3fn, float8_e4m3fnuz, float8_e5m2, float8_e5m2fnuz)
_float6_types = _present(float6_e2m3fn, float6_e3m2fn)
_float4_types = _present(float4_e2m1fn)
_small_float_types = _float4_types + _float6_types + _float8_types
_custom_float_scalar_types = _small_float_types + [bfloat16]
_signed_intn_types = _present(int1, int2, int4)
_unsigned_intn_types = _present(uint1, uint2, uint4)

_float8_dtypes = {np.dtype(t) for t in _float8_types}
_float6_dtypes = {np.dtype(t) for t in _float6_types}
_float4_dtypes = {np.dtype(t) for t in _float4_types}
_small_float_dtypes = [np.dtype(t) for t in _small_float_types]
_custom_float_dtypes = {np.dtype(t) for t in _custom_float_scalar_types}
_intn_dtypes = {np.dtype(t) for t in _signed_intn_types + _unsigned_intn_types}

#: Tangent dtype of integer/bool primals: a zero-size structured dtype.
float0: np.dtype = np.dtype([("float0", np.void, 0)])

bool_ = np.bool_
int_ = np.int64
uint = np.uint64
float_ = np.float64
complex_ = np.complex128

_BOOL = np.dtype(bool)
_I32, _I64 = np.dtype("int32"), np.dtype("int64")
_U32, _U64 = np.dtype("uint32"), np.dtype("uint64")
_F32, _F64 = np.dtype("float32"), np.dtype("float64")
_C64, _C128 = np.dtype("complex64"), np.dtype("complex128")

#: Default (uncanonicalized) dtypes of Python scalars.
python_scalar_dtypes: dict[type, np.dtype] = {bool: _BOOL, int: _I64, float: _F64, complex: _C128}
python_scalar_types_to_dtypes = python_scalar_dtypes
python_scalar_types: set[type] = {bool, int, float, complex}
_weak_scalar_types = (int, float, complex)

_signed_dtypes = [np.dtype(t) for t in _signed_intn_types] + [
    np.dtype(n) for n in ("int8", "int16", "int32", "int64")]
_unsigned_dtypes = [np.dtype(t) for t in _unsigned_intn_types] + [
    np.dtype(n) for n in ("uint8", "uint16", "uint32", "uint64")]
_float_dtypes = [*_small_float_dtypes, np.dtype(bfloat16),
                 np.dtype("float16"), _F32, _F64]
_complex_dtypes = [_C64, _C128]
_numeric_dtypes = [*_signed_dtypes, *_unsigned_dtypes, *_float_dtypes, *_complex_dtypes]

_jax_dtype_set: set[np.dtype] = {float0, _BOOL, *_numeric_dtypes}
if hasattr(np, "dtypes") and hasattr(np.dtypes, "StringDType"):
    string_dtype = np.dtypes.StringDType()
    _jax_dtype_set.add(string_dtype)

_dtype_kinds: dict[str, set[np.dtype]] = {
    "bool": {_BOOL},
    "signed integer": set(_signed_dtypes),
    "unsigned integer": set(_unsigned_dtypes),
    "integral": {*_signed_dtypes, *_unsigned_dtypes},
    "real floating": set(_float_dtypes),
    "complex floating": set(_complex_dtypes),
    "numeric": set(_numeric_dtypes),
}


# ---------------------------------------------------------------------------
# Defaults and canonicalization.

def _x64() -> bool:
    return config._values["jax_enable_x64"]


def _promotion_mode() -> str:
    mode = config._values.get("jax_numpy_dtype_promotion", "standard")
    return mode if type(mode) is str else str(getattr(mode, "value", mode))


def default_int_dtype() -> np.dtype:
    """int64 with x64 enabled, else int32."""
    return _I64 if _x64() else _I32


def default_uint_dtype() -> np.dtype:
    """uint64 with x64 enabled, else uint32."""
    return _U64 if _x64() else _U32


def default_float_dtype() -> np.dtype:
    """float64 with x64 enabled, else float32."""
    return _F64 if _x64() else _F32


def default_complex_dtype() -> np.dtype:
    """complex128 with x64 enabled, else complex64."""
    return _C128 if _x64() else _C64


_default_by_kind = {
    "b": lambda: _BOOL, "i": default_int_dtype, "u": default_uint_dtype,
    "f": default_float_dtype, "c": default_complex_dtype,
}

_to_32bit = {_I64: _I32, _U64: _U32, _F64: _F32, _C128: _C64}

_canonical_cache: dict[Any, Any] = {}


def _is_extended(d: Any) -> bool:
    return isinstance(d, ExtendedDType) or (isinstance(d, type) and issubclass(d, extended))


def canonicalize_dtype(dtype: Any, allow_extended_dtype: bool = False) -> np.dtype:
    """Return ``np.dtype(dtype)``, mapped to 32 bits when x64 is disabled."""
    x64 = config._values["jax_enable_x64"]
    key = (dtype, x64, allow_extended_dtype)
    try:
        return _canonical_cache[key]
    except KeyError:
        pass
    except TypeError:  # unhashable dtype spec
        return _canonicalize_uncached(dtype, x64, allow_extended_dtype)
    out = _canonicalize_uncached(dtype, x64, allow_extended_dtype)
    _canonical_cache[key] = out
    return out


def _canonicalize_uncached(dtype: Any, x64: bool, allow_extended_dtype: bool) -> Any:
    if _is_extended(dtype):
        if not allow_extended_dtype:
            raise ValueError(f"Internal: canonicalize_dtype called on extended dtype {dtype} "
                             "with allow_extended_dtype=False")
        return dtype
    try:
        dt = np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"dtype {dtype!r} not understood") from e
    return dt if x64 else _to_32bit.get(dt, dt)


def _explicit_x64_mode() -> str:
    mode = config._values.get("jax_explicit_x64_dtypes", "warn")
    return str(getattr(mode, "name", mode)).lower()


def canonicalize_explicit_dtype(dtype: np.dtype, fun_name: str = "") -> np.dtype:
    """Canonicalize a dtype the user asked for by name, warning (as JAX does) when a
    64-bit request is truncated because x64 is disabled."""
    if _x64():
        return dtype
    canonical = canonicalize_dtype(dtype)
    if canonical == dtype:
        return dtype
    mode = _explicit_x64_mode()
    if mode == "allow":
        return dtype
    where = f" requested in {fun_name}" if fun_name else ""
    if mode == "error":
        raise ValueError(f"Explicitly requested dtype {dtype}{where} is not available. Enable "
                         "64-bit types with jax_enable_x64.")
    warnings.warn(f"Explicitly requested dtype {dtype}{where} is not available, and will be "
                  f"truncated to dtype {canonical}. To enable more dtypes, set the "
                  "jax_enable_x64 configuration option or the JAX_ENABLE_X64 shell "
                  "environment variable.", stacklevel=3)
    return canonical


_default_typemap = {bool: lambda: _BOOL, int: default_int_dtype,
                    float: default_float_dtype, complex: default_complex_dtype}


def check_and_canonicalize_user_dtype(dtype: Any, fun_name: str | None = None) -> Any:
    """Validate a ``dtype=`` argument and return its canonical form. Python scalar
    types map to the default dtypes; 64-bit requests are truncated (with a warning)
    when x64 is off."""
    if dtype is None:
        raise ValueError("dtype must be specified.")
    if _is_extended(dtype):
        return dtype
    if isinstance(dtype, type) and dtype in _default_typemap:
        return _default_typemap[dtype]()
    dt = np.dtype(dtype)
    if dt not in _jax_dtype_set:
        where = f" in {fun_name}" if fun_name else ""
        raise TypeError(f"JAX only supports number, bool, and string dtypes, got dtype {dtype}{where}")
    return canonicalize_explicit_dtype(dt, fun_name or "")


def check_valid_dtype(dtype: np.dtype) -> None:
    """Raise TypeError unless ``dtype`` can be the dtype of a JAX array."""
    if dtype not in _jax_dtype_set:
        raise TypeError(f"Dtype {dtype} is not a valid JAX array type. "
                        "Only arrays of numeric types are supported by JAX.")


# ---------------------------------------------------------------------------
# dtype() of values, weak types.

def is_python_scalar(x: Any) -> bool:
    """True for instances of bool, int, float and complex (not subclasses)."""
    return type(x) in python_scalar_types


def is_weakly_typed(x: Any) -> bool:
    """True for Python int/float/complex values (not bool) and weakly typed arrays."""
    t = type(x)
    if t is int or t is float or t is complex:
        return True
    aval = getattr(x, "aval", None)
    if aval is not None:
        return bool(getattr(aval, "weak_type", False))
    return bool(getattr(x, "weak_type", False))


def is_weakly_typed_scalar(x: Any) -> bool:
    """True for Python scalars (incl. bool) and weakly typed 0-d arrays."""
    aval = getattr(x, "aval", None)
    if aval is None:
        return type(x) in python_scalar_types
    return bool(getattr(aval, "weak_type", False)) and np.ndim(x) == 0


def _invalid_dtype_error(x: Any, dt: Any) -> TypeError:
    return TypeError(f"Value '{x}' with dtype {dt} is not a valid JAX array type. "
                     "Only arrays of numeric types are supported by JAX.")


def dtype(x: Any, canonicalize: bool = False) -> Any:
    """The dtype of a value or dtype-like (Python scalars and their types, NumPy
    dtypes, scalar types and names, arrays, objects with ``.dtype`` or
    ``.aval.dtype``). Canonicalized for x64 only if ``canonicalize``."""
    if x is None:
        raise ValueError(f"Invalid argument to dtype: {x}.")
    t = type(x)
    dt: Any
    if t in python_scalar_dtypes:
        dt = python_scalar_dtypes[t]
    elif isinstance(x, np.dtype):
        dt = x
    elif isinstance(x, type):
        if x in python_scalar_dtypes:
            dt = python_scalar_dtypes[x]
        elif issubclass(x, np.generic):
            dt = x if issubclass(x, extended) else np.dtype(x)
        else:
            try:
                dt = np.dtype(x)
            except TypeError as e:
                raise TypeError(f"Cannot determine dtype of {x}") from e
    elif isinstance(x, str):
        dt = np.dtype(x)
    elif isinstance(x, ExtendedDType):
        dt = x
    else:
        dt = getattr(x, "dtype", None)
        if not isinstance(dt, (np.dtype, ExtendedDType)):
            aval_dt = getattr(getattr(x, "aval", None), "dtype", None)
            if isinstance(aval_dt, (np.dtype, ExtendedDType)):
                dt = aval_dt
            else:
                try:
                    dt = np.result_type(x)
                except (TypeError, ValueError) as err:
                    raise TypeError(f"Cannot determine dtype of {x}") from err
    if isinstance(dt, np.dtype):
        if dt not in _jax_dtype_set:
            raise _invalid_dtype_error(x, dt)
    elif not _is_extended(dt):
        raise _invalid_dtype_error(x, dt)
    return canonicalize_dtype(dt, allow_extended_dtype=True) if canonicalize else dt


# ---------------------------------------------------------------------------
# issubdtype / isdtype / finfo / iinfo.

_custom_float_parents = (np.floating, np.inexact, np.number, np.generic)
_signed_intn_parents = (np.signedinteger, np.integer, np.number, np.generic)
_unsigned_intn_parents = (np.unsignedinteger, np.integer, np.number, np.generic)


def issubdtype(a: Any, b: Any) -> bool:
    """Like ``np.issubdtype``, but places bfloat16/float8 under ``np.floating``,
    int4 & co. under ``np.signedinteger``/``np.unsignedinteger``, and handles
    extended dtypes."""
    if not isinstance(a, (type, np.dtype, ExtendedDType)):
        a = np.dtype(a)
    if not isinstance(b, (type, np.dtype, ExtendedDType)):
        b = np.dtype(b)
    return _issubdtype_cached(a, b)


def _as_scalar_type(x: Any) -> type:
    if isinstance(x, type) and issubclass(x, np.generic):
        return x
    return np.dtype(x).type


@functools.lru_cache(maxsize=1024)
def _issubdtype_cached(a: Any, b: Any) -> bool:
    if isinstance(b, type) and issubclass(b, extended):
        if isinstance(a, ExtendedDType):
            return issubclass(a.type, b)
        return issubclass(_as_scalar_type(a), b)
    if isinstance(b, ExtendedDType):
        return isinstance(a, ExtendedDType) and a == b
    if isinstance(a, ExtendedDType):
        a = a.type
    a_t, b_t = _as_scalar_type(a), _as_scalar_type(b)
    if a_t in _custom_float_scalar_types:
        return b_t is a_t or b_t in _custom_float_parents
    if a_t in _signed_intn_types:
        return b_t is a_t or b_t in _signed_intn_parents
    if a_t in _unsigned_intn_types:
        return b_t is a_t or b_t in _unsigned_intn_parents
    return bool(np.issubdtype(a_t, b_t))


def isdtype(dtype: Any, kind: Any) -> bool:
    """Array-API ``isdtype``: ``kind`` is a dtype, a kind name ('bool', 'signed integer',
    'unsigned integer', 'integral', 'real floating', 'complex floating', 'numeric'),
    or a tuple of those."""
    the_dtype = np.dtype(dtype)
    kinds = kind if isinstance(kind, tuple) else (kind,)
    options: set[np.dtype] = set()
    for k in kinds:
        if isinstance(k, str) and k in _dtype_kinds:
            options |= _dtype_kinds[k]
            continue
        try:
            options.add(np.dtype(k))
        except TypeError as e:
            if isinstance(k, str):
                raise ValueError(f"Unrecognized kind={k!r}; expected one of "
                                 f"{list(_dtype_kinds)} or a dtype") from None
            raise TypeError(f"Expected kind to be a dtype, string, or tuple; got kind={k!r}") from e
    return the_dtype in options


finfo = ml_dtypes.finfo
iinfo = ml_dtypes.iinfo
can_cast = np.can_cast


def itemsize_bits(dtype: Any) -> int:
    """Bits per element (sub-byte types report their logical width; bool is 8)."""
    if dtype is None:
        raise ValueError("dtype cannot be None.")
    if np.dtype(dtype) == _BOOL:
        return 8
    if issubdtype(dtype, np.integer):
        return iinfo(dtype).bits
    if issubdtype(dtype, np.floating):
        return finfo(dtype).bits
    if issubdtype(dtype, np.complexfloating):
        return 2 * finfo(dtype).bits
    raise ValueError(f"unexpected input: dtype={dtype!r}")


_no_inf_types = {float8_e4m3b11fnuz, float8_e4m3fn, float8_e4m3fnuz, float8_e5m2fnuz}


def supports_inf(dtype: Any) -> bool:
    """Whether ``dtype`` can represent infinity."""
    if np.dtype(dtype).type in _no_inf_types:
        return False
    return issubdtype(dtype, np.inexact)


def is_float0(d: Any) -> bool:
    """True if ``d`` (a dtype, or a value with ``.dtype``) is float0."""
    if not isinstance(d, np.dtype):
        d = getattr(d, "dtype", None)
    return isinstance(d, np.dtype) and d == float0


# ---------------------------------------------------------------------------
# Dtype conversions used by jnp functions.

# Integers and bool go to float32 except the 64-bit ones (JAX does not consult the
# x64 flag here: int32 -> float32 even in x64 mode). Not canonicalized.
_dtype_to_inexact: dict[np.dtype, np.dtype] = {
    np.dtype(k): np.dtype(v) for k, v in [
        ("bool", "float32"), (uint4, "float32"), (int4, "float32"),
        ("uint8", "float32"), ("int8", "float32"), ("uint16", "float32"),
        ("int16", "float32"), ("uint32", "float32"), ("int32", "float32"),
        ("uint64", "float64"), ("int64", "float64")]
}


def to_numeric_dtype(dtype: Any) -> np.dtype:
    """bool -> int32; everything else unchanged."""
    dt = np.dtype(dtype)
    return _I32 if dt == _BOOL else dt


def to_inexact_dtype(dtype: Any) -> np.dtype:
    """Integer/bool dtypes -> float32 (64-bit ones -> float64); inexact unchanged."""
    dt = np.dtype(dtype)
    return _dtype_to_inexact.get(dt, dt)


def to_floating_dtype(dtype: Any) -> np.dtype:
    """Like ``to_inexact_dtype`` but complex maps to its real component type."""
    dt = np.dtype(dtype)
    return finfo(_dtype_to_inexact.get(dt, dt)).dtype


def to_complex_dtype(dtype: Any) -> np.dtype:
    """complex128 for float64/complex128/int64/uint64, otherwise complex64."""
    ft = to_inexact_dtype(dtype)
    return _C128 if ft == _F64 or ft == _C128 else _C64


def scalar_type_of(x: Any) -> type:
    """The Python scalar type (bool, int, float or complex) matching ``x``'s dtype."""
    dt = dtype(x)
    if dt in _custom_float_dtypes:
        return float
    if dt in _intn_dtypes:
        return int
    if np.issubdtype(dt, np.bool_):
        return bool
    if np.issubdtype(dt, np.integer):
        return int
    if np.issubdtype(dt, np.floating):
        return float
    if np.issubdtype(dt, np.complexfloating):
        return complex
    raise TypeError(f"Invalid scalar value {x}")


def scalar_type_to_dtype(typ: type, value: Any = None) -> np.dtype:
    """Canonical dtype of a Python scalar type; OverflowError if an int ``value``
    does not fit."""
    dt = canonicalize_dtype(python_scalar_dtypes[typ])
    if typ is int and value is not None:
        info = np.iinfo(dt)
        if value < info.min or value > info.max:
            raise OverflowError(f"Python int {value} too large to convert to {dt}")
    return dt


def coerce_to_array(x: Any, dtype: Any = None) -> np.ndarray:
    """``np.asarray`` with JAX's (canonical) dtypes for Python scalars."""
    if dtype is None and type(x) in python_scalar_types:
        dtype = scalar_type_to_dtype(type(x), x)
    return np.asarray(x, dtype)


# ---------------------------------------------------------------------------
# The promotion lattice.

def _lattice_edges(strict: bool, x64: bool) -> dict[JAXType, list[JAXType]]:
    """Immediate successors of every node of the promotion lattice."""
    i_, f_, c_ = int, float, complex
    b1 = _BOOL
    u8, u16, u32, u64 = (np.dtype(n) for n in ("uint8", "uint16", "uint32", "uint64"))
    i8, i16, i32, i64 = (np.dtype(n) for n in ("int8", "int16", "int32", "int64"))
    bf16, f16, f32, f64 = np.dtype(bfloat16), np.dtype("float16"), _F32, _F64
    c64, c128 = _C64, _C128
    intn = [np.dtype(t) for t in _signed_intn_types + _unsigned_intn_types]
    all_dtypes = [b1, *_signed_dtypes, *_unsigned_dtypes, *_float_dtypes, *_complex_dtypes]
    if strict:
        # Only weak scalars promote; every concrete dtype stands alone.
        edges: dict[JAXType, list[JAXType]] = {d: [] for d in all_dtypes}
        edges[i_] = [f_, *_unsigned_dtypes, *_signed_dtypes]
        edges[f_] = [c_, *_float_dtypes]
        edges[c_] = list(_complex_dtypes)
        return edges
    edges = {
        b1: [i_],
        i_: [u8, i8, *intn],
        u8: [i16, u16], u16: [i32, u32], u32: [i64, u64], u64: [f_],
        i8: [i16], i16: [i32], i32: [i64], i64: [f_],
        f_: [*_small_float_dtypes, bf16, f16, c_],
        bf16: [f32], f16: [f32], f32: [f64, c64], f64: [c128],
        c_: [c64], c64: [c128], c128: [],
    }
    for d in intn + _small_float_dtypes:
        edges[d] = []
    if not x64:
        # uint32 x int32 must not produce int64 when 64-bit types are off.
        edges[u32] = [i32, u64]
    return edges


def _upper_bounds(edges: dict[JAXType, list[JAXType]]) -> dict[JAXType, frozenset]:
    """Map each node to the set of nodes reachable from it (itself included)."""
    out: dict[JAXType, frozenset] = {}
    for start in edges:
        seen = {start}
        stack = [start]
        while stack:
            for nxt in edges[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        out[start] = frozenset(seen)
    return out


_lattices = {
    ("standard", True): _upper_bounds(_lattice_edges(False, True)),
    ("standard", False): _upper_bounds(_lattice_edges(False, False)),
    ("strict", True): _upper_bounds(_lattice_edges(True, True)),
    ("strict", False): _upper_bounds(_lattice_edges(True, True)),
}


def _node_name(n: JAXType) -> str:
    return n.__name__ if isinstance(n, type) else str(n)


def _least_upper_bound(mode: str, x64: bool, nodes: tuple) -> JAXType:
    """Least upper bound of lattice nodes (dtypes or the weak types int/float/complex)."""
    try:
        ub = _lattices[(mode, x64)]
    except KeyError:
        raise ValueError(f"Unexpected value of jax_numpy_dtype_promotion={mode!r}") from None
    uniq = set(nodes)
    bounds = []
    for n in uniq:
        if n not in ub:
            raise ValueError(f"dtype={n!r} is not a valid dtype for JAX type promotion.")
        bounds.append(ub[n])
    common = frozenset.intersection(*bounds)
    # If an input is itself a common upper bound it is the least one; otherwise
    # the least bound is the common bound below all the other common bounds.
    least = (common & uniq) or {c for c in common if common <= ub[c]}
    if len(least) == 1:
        return next(iter(least))
    names = tuple(_node_name(n) for n in nodes)
    if least:
        raise TypePromotionError(f"Internal type promotion error: {names} have no unique "
                                 f"least upper bound; candidates {least}.")
    if mode == "strict":
        hint = ("when jax_numpy_dtype_promotion=strict. Try explicitly casting inputs to "
                "the desired output type, or set jax_numpy_dtype_promotion=standard.")
    elif any(n in _float8_dtypes for n in nodes):
        hint = ("To avoid unintended promotion, 8-bit floats do not support implicit "
                "promotion. Cast explicitly, e.g. x.astype('float32').")
    elif any(n in _float6_dtypes for n in nodes):
        hint = ("To avoid unintended promotion, 6-bit floats do not support implicit "
                "promotion. Cast explicitly, e.g. x.astype('float32').")
    elif any(n in _float4_dtypes for n in nodes):
        hint = ("To avoid unintended promotion, 4-bit floats do not support implicit "
                "promotion. Cast explicitly, e.g. x.astype('float32').")
    elif any(n in _intn_dtypes for n in nodes):
        hint = ("To avoid unintended promotion, 1-bit, 2-bit and 4-bit integers do not "
                "support implicit promotion. Cast explicitly, e.g. x.astype('int32').")
    else:
        hint = "Try explicitly casting inputs to the desired output type."
    raise TypePromotionError(f"Input dtypes {names} have no available implicit dtype "
                             f"promotion path. {hint}")


def _node_to_dtype(n: JAXType) -> np.dtype:
    return python_scalar_dtypes[n] if isinstance(n, type) else n


_promote_cache: dict[Any, np.dtype] = {}


def promote_types(a: Any, b: Any) -> np.dtype:
    """Promote two dtype specifiers on the lattice. The Python types int, float and
    complex act as weak types. The result is NOT canonicalized (e.g. int64 + uint64
    gives float64 even with x64 off), but the x64 flag selects the lattice variant."""
    x64 = config._values["jax_enable_x64"]
    mode = _promotion_mode()
    key = (type(a), a, type(b), b, x64, mode)  # types keep `int` apart from int64
    try:
        return _promote_cache[key]
    except KeyError:
        pass
    except TypeError:
        key = None
    a_node = a if any(a is t for t in _weak_scalar_types) else np.dtype(a)
    b_node = b if any(b is t for t in _weak_scalar_types) else np.dtype(b)
    out = _node_to_dtype(_least_upper_bound(mode, x64, (a_node, b_node)))
    if key is not None:
        _promote_cache[key] = out
    return out


def _weak_node(dt: np.dtype) -> JAXType:
    """The lattice node of a weakly typed value of dtype ``dt``."""
    if dt == _BOOL:
        return dt
    if dt in _custom_float_dtypes:
        return float
    if dt in _intn_dtypes:
        return int
    return type(dt.type(0).item())


def _default_for(dt: np.dtype) -> np.dtype:
    """The default dtype of ``dt``'s kind (used for weakly typed results)."""
    if dt in _custom_float_dtypes:
        return default_float_dtype()
    if dt in _intn_dtypes:
        return default_int_dtype() if issubdtype(dt, np.signedinteger) else default_uint_dtype()
    return _default_by_kind[dt.kind]()


_spec_cache: dict[Any, tuple[Any, bool]] = {}


def _arg_dtype_and_weak(x: Any) -> tuple[Any, bool]:
    """(dtype, weak_type) of one ``result_type`` argument, before canonicalization."""
    t = type(x)
    if t is int or t is float or t is complex:
        return python_scalar_dtypes[t], True
    if t is bool:
        return _BOOL, False
    if t is np.ndarray or isinstance(x, (np.dtype, np.generic)):
        return (x if isinstance(x, np.dtype) else x.dtype), False
    if x is None:
        return default_float_dtype(), False
    if t is type or t is str:  # dtype specifiers such as np.float32, int, 'int8'
        try:
            return _spec_cache[x]
        except KeyError:
            pass
        res = (dtype(x), x is int or x is float or x is complex)
        _spec_cache[x] = res
        return res
    if not isinstance(x, type):
        aval = getattr(x, "aval", None)
        if aval is not None:
            adt = getattr(aval, "dtype", None)
            if isinstance(adt, (np.dtype, ExtendedDType)):
                return adt, bool(getattr(aval, "weak_type", False))
        xdt = getattr(x, "dtype", None)
        if isinstance(xdt, (np.dtype, ExtendedDType)):
            return xdt, bool(getattr(x, "weak_type", False))
    return dtype(x), is_weakly_typed(x)


_result_cache: dict[Any, tuple[Any, bool]] = {}
_RESULT_CACHE_LIMIT = 8192


def _result_type_uncached(pairs: tuple, x64: bool, mode: str) -> tuple[Any, bool]:
    dts = []
    for d, _ in pairs:
        if isinstance(d, np.dtype) and d not in _jax_dtype_set:
            raise TypeError(f"Dtype {d} is not a valid JAX array type. "
                            "Only arrays of numeric types are supported by JAX.")
        dts.append(canonicalize_dtype(d, allow_extended_dtype=True))
    weaks = [w for _, w in pairs]
    if len(dts) == 1:
        out, weak = dts[0], weaks[0]
    elif all(d == dts[0] for d in dts[1:]) and not all(weaks):
        out, weak = dts[0], False
    elif all(weaks) and mode != "strict":
        # Promote the strong counterparts, then mark the result weak.
        out = _node_to_dtype(_least_upper_bound(mode, x64, tuple(dts)))
        weak = True
    else:
        nodes = tuple(_weak_node(d) if w else d for d, w in zip(dts, weaks))
        lub = _least_upper_bound(mode, x64, nodes)
        out = _node_to_dtype(lub)
        weak = isinstance(lub, type)
    if isinstance(out, np.dtype):
        out = _to_32bit.get(out, out) if not x64 else out
        weak = weak and out != _BOOL
        if weak:
            out = _default_for(out)
    return out, weak


def result_type(*args: Any, return_weak_type_flag: bool = False) -> Any:
    """JAX's dtype promotion of ``args`` (values, dtypes or Python scalar types;
    Python scalars and int/float/complex are weak). The result is canonicalized.
    With ``return_weak_type_flag`` return ``(dtype, weak_type)``."""
    if not args:
        raise ValueError("at least one array or dtype is required")
    x64 = config._values["jax_enable_x64"]
    mode = _promotion_mode()
    pairs = tuple(map(_arg_dtype_and_weak, args))
    key = (pairs, x64, mode)
    try:
        res = _result_cache[key]
    except KeyError:
        res = _result_type_uncached(pairs, x64, mode)
        if len(_result_cache) >= _RESULT_CACHE_LIMIT:
            _result_cache.clear()
        _result_cache[key] = res
    except TypeError:  # unhashable extended dtype
        res = _result_type_uncached(pairs, x64, mode)
    return res if return_weak_type_flag else res[0]


def safe_to_cast(input_dtype_or_value: Any, output_dtype_or_value: Any) -> bool:
    """Whether promoting the input with the (strong) output dtype yields the output dtype."""
    in_dt = dtype(input_dtype_or_value, canonicalize=True)
    out_dt = dtype(output_dtype_or_value, canonicalize=True)
    if in_dt == out_dt:
        return True
    return result_type(input_dtype_or_value, out_dt) == out_dt
