"""Tests for jaxlite._src.dtypes: canonicalization, promotion lattice, weak types.

The hand-written tables run everywhere; the exhaustive comparisons use real JAX
as an oracle and are skipped when it is not installed.
"""
import contextlib
import types
import warnings

import ml_dtypes
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from conftest import assert_same
from jaxlite._src import dtypes
from jaxlite._src.config import config
import jaxlite.dtypes as public_dtypes

STRONG = [np.dtype(n) for n in (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
)] + [np.dtype(ml_dtypes.bfloat16)] + [np.dtype(n) for n in (
    "float16", "float32", "float64", "complex64", "complex128")]
EXOTIC = [np.dtype(ml_dtypes.float8_e4m3fn), np.dtype(ml_dtypes.float8_e5m2),
          np.dtype(ml_dtypes.int4), np.dtype(ml_dtypes.uint4)]
WEAK_TYPES = [int, float, complex]
WEAK_VALUES = [3, 2.5, 1j, True]


@contextlib.contextmanager
def x64_mode(enabled, jax=None):
    """Set the x64 flag in jaxlite (and in real jax when given), restoring both."""
    old_jax = None
    if jax is not None:
        old_jax = jax.config.jax_enable_x64
        jax.config.update("jax_enable_x64", enabled)
    try:
        with config.override("jax_enable_x64", enabled):
            yield
    finally:
        if jax is not None:
            jax.config.update("jax_enable_x64", old_jax)


@pytest.fixture(autouse=True)
def _x64_off_by_default():
    """Tests assume the default x64=False regardless of JAX_ENABLE_X64 in the env."""
    with config.override("jax_enable_x64", False):
        yield


def outcome(fn, *args, **kwargs):
    """Call fn; return its result, or the marker 'error' for promotion failures."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(*args, **kwargs)
        except (ValueError, TypeError):
            return "error"


# ---------------------------------------------------------------------------
# Hand-written tables (no jax needed).

# (a, b, x64) -> (dtype, weak_type). Python scalar *values* are weak.
KEY_CASES = [
    (np.int8, 1, False, "int8", False),
    (np.float16, 2.0, False, "float16", False),
    (np.int32, 1.0, False, "float32", True),
    (np.int32, 1.0, True, "float64", True),
    (np.uint64, np.int64, True, "float64", True),
    (np.uint64, np.int64, False, "int32", False),
    (ml_dtypes.bfloat16, np.float16, False, "float32", False),
    (np.bool_, np.bool_, False, "bool", False),
    (1, 1.0, False, "float32", True),
    (1, 1.0, True, "float64", True),
    (True, 1, False, "int32", True),
    (True, True, False, "bool", False),
    (np.uint8, np.int8, False, "int16", False),
    (np.uint32, np.int32, False, "int32", False),
    (np.uint32, np.int32, True, "int64", False),
    (np.float16, np.int64, True, "float16", False),
    (np.float32, 1j, False, "complex64", False),
    (np.complex64, 1.0, True, "complex64", False),
    (ml_dtypes.bfloat16, 1, False, "bfloat16", False),
    (np.int64, np.int64, False, "int32", False),
    (np.float64, 1, True, "float64", False),
    (ml_dtypes.int4, 1, False, "int4", False),
    (ml_dtypes.float8_e4m3fn, 1.0, False, "float8_e4m3fn", False),
]


@pytest.mark.parametrize("a,b,x64,expected,weak", KEY_CASES)
def test_key_promotions(a, b, x64, expected, weak):
    with x64_mode(x64):
        got = dtypes.result_type(a, b, return_weak_type_flag=True)
        assert got == (np.dtype(expected), weak)
        assert dtypes.result_type(b, a, return_weak_type_flag=True) == got
        assert dtypes.result_type(a, b) == np.dtype(expected)


def test_weak_python_types_and_single_args():
    assert dtypes.result_type(int, return_weak_type_flag=True) == (np.dtype("int32"), True)
    assert dtypes.result_type(np.int8, int, return_weak_type_flag=True) == (np.dtype("int8"), False)
    assert dtypes.result_type(None, return_weak_type_flag=True) == (np.dtype("float32"), False)
    assert dtypes.result_type(np.zeros(2), return_weak_type_flag=True) == (np.dtype("float32"), False)
    assert dtypes.result_type("float16", 1.0, 1) == np.dtype("float16")
    with x64_mode(True):
        assert dtypes.result_type(np.zeros(2)) == np.dtype("float64")
        assert dtypes.result_type(2.0, return_weak_type_flag=True) == (np.dtype("float64"), True)
    with pytest.raises(ValueError):
        dtypes.result_type()


def test_array_like_objects():
    """Objects carrying an aval, or dtype + weak_type attributes (e.g. tracers)."""
    aval = types.SimpleNamespace(dtype=np.dtype("float16"), weak_type=True)
    traced = types.SimpleNamespace(aval=aval)
    arr = types.SimpleNamespace(dtype=np.dtype("int8"), weak_type=False)
    weak_arr = types.SimpleNamespace(dtype=np.dtype("int16"), weak_type=True)
    assert dtypes.is_weakly_typed(traced) and not dtypes.is_weakly_typed(arr)
    assert dtypes.is_weakly_typed(weak_arr)
    # A weak float16 meets a strong int8: the weak side becomes the `float` node.
    assert dtypes.result_type(traced, arr, return_weak_type_flag=True) == (np.dtype("float32"), True)
    assert dtypes.result_type(weak_arr, arr, return_weak_type_flag=True) == (np.dtype("int8"), False)
    assert dtypes.result_type(weak_arr, return_weak_type_flag=True) == (np.dtype("int32"), True)
    assert dtypes.dtype(traced) == np.dtype("float16")
    assert dtypes.dtype(arr) == np.dtype("int8")


def test_invalid_promotions():
    with pytest.raises(dtypes.TypePromotionError):
        dtypes.promote_types(ml_dtypes.float8_e4m3fn, np.float16)
    with pytest.raises(dtypes.TypePromotionError):
        dtypes.result_type(ml_dtypes.int4, np.int8)
    assert issubclass(dtypes.TypePromotionError, ValueError)
    with pytest.raises(ValueError):
        dtypes.result_type(dtypes.float0, np.float32)
    assert dtypes.result_type(dtypes.float0, dtypes.float0) == dtypes.float0


def test_promote_types_table():
    pt = dtypes.promote_types
    assert pt("int32", "float32") == np.dtype("float32")
    assert pt("uint8", int) == np.dtype("uint8")
    assert pt("float16", float) == np.dtype("float16")
    assert pt(int, int) == np.dtype("int64")  # not canonicalized
    assert pt(float, "int8") == np.dtype("float64")
    assert pt("int64", "uint64") == np.dtype("float64")
    assert pt(ml_dtypes.bfloat16, "float16") == np.dtype("float32")
    assert pt(bool, bool) == np.dtype(bool)
    assert pt("uint32", "int32") == np.dtype("int32")
    with x64_mode(True):
        assert pt("uint32", "int32") == np.dtype("int64")


def test_lattice_is_acyclic_and_symmetric():
    for key, ub in dtypes._lattices.items():
        for node, bounds in ub.items():
            for other in bounds:
                if other is not node:  # a strictly higher node must not reach back down
                    assert node not in ub[other], (key, node, other)
    for a in STRONG + WEAK_TYPES:
        for b in STRONG + WEAK_TYPES:
            assert dtypes.promote_types(a, b) == dtypes.promote_types(b, a)


# ---------------------------------------------------------------------------
# Canonicalization, defaults, dtype(), weak types.

@pytest.mark.parametrize("x64", [False, True])
def test_canonicalize_dtype(x64):
    with x64_mode(x64):
        for name, narrow in [("float64", "float32"), ("int64", "int32"),
                             ("uint64", "uint32"), ("complex128", "complex64")]:
            expected = np.dtype(name) if x64 else np.dtype(narrow)
            assert dtypes.canonicalize_dtype(name) == expected
            assert dtypes.canonicalize_dtype(np.dtype(name)) == expected
            assert dtypes.canonicalize_dtype(getattr(np, name)) == expected
        for name in ["bool", "int8", "uint16", "float16", "float32", "complex64"]:
            assert dtypes.canonicalize_dtype(name) == np.dtype(name)
        assert dtypes.canonicalize_dtype(ml_dtypes.bfloat16) == np.dtype(ml_dtypes.bfloat16)
        assert dtypes.canonicalize_dtype(float) == (np.dtype("float64") if x64 else np.dtype("float32"))
        assert dtypes.default_float_dtype() == np.dtype("float64" if x64 else "float32")
        assert dtypes.default_int_dtype() == np.dtype("int64" if x64 else "int32")
        assert dtypes.default_uint_dtype() == np.dtype("uint64" if x64 else "uint32")
        assert dtypes.default_complex_dtype() == np.dtype("complex128" if x64 else "complex64")
        assert isinstance(dtypes.canonicalize_dtype("float32"), np.dtype)
    with pytest.raises(TypeError):
        dtypes.canonicalize_dtype("not-a-dtype")
    with pytest.raises(ValueError):
        dtypes.canonicalize_dtype(dtypes.prng_key)
    assert dtypes.canonicalize_dtype(dtypes.prng_key, allow_extended_dtype=True) is dtypes.prng_key


def test_float0():
    assert dtypes.float0 == np.dtype([("float0", np.void, 0)])
    assert dtypes.float0.itemsize == 0
    assert dtypes.is_float0(dtypes.float0)
    assert dtypes.is_float0(np.zeros(3, dtypes.float0))
    assert not dtypes.is_float0(np.dtype("float32")) and not dtypes.is_float0(np.float32)
    assert dtypes.dtype(np.zeros((), dtypes.float0)) == dtypes.float0


def test_dtype_of_values():
    d = dtypes.dtype
    assert d(1) == np.dtype("int64") and d(1, canonicalize=True) == np.dtype("int32")
    assert d(1.0) == np.dtype("float64") and d(True) == np.dtype(bool)
    assert d(float, canonicalize=True) == np.dtype("float32")
    assert d(np.float32) == np.dtype("float32") and d("float16") == np.dtype("float16")
    assert d(np.zeros(3)) == np.dtype("float64")
    assert d(np.zeros(3), canonicalize=True) == np.dtype("float32")
    assert d(np.int8(3)) == np.dtype("int8")
    assert d(ml_dtypes.bfloat16) == np.dtype(ml_dtypes.bfloat16)
    with x64_mode(True):
        assert d(1.0, canonicalize=True) == np.dtype("float64")
    with pytest.raises(ValueError):
        d(None)
    with pytest.raises(TypeError):
        d("hello")
    with pytest.raises(TypeError, match="not a valid JAX array type"):
        d(np.array(["a"]))
    with pytest.raises(TypeError, match="Cannot determine dtype"):
        d(object())


def test_weak_type_predicates():
    assert dtypes.is_weakly_typed(1) and dtypes.is_weakly_typed(1.0) and dtypes.is_weakly_typed(1j)
    assert not dtypes.is_weakly_typed(True)
    assert not dtypes.is_weakly_typed(np.float32(1)) and not dtypes.is_weakly_typed(np.zeros(2))
    assert not dtypes.is_weakly_typed(int)
    assert dtypes.is_python_scalar(True) and dtypes.is_python_scalar(2.0)
    assert not dtypes.is_python_scalar(np.float64(2.0))
    assert dtypes.python_scalar_dtypes == {bool: np.dtype(bool), int: np.dtype("int64"),
                                           float: np.dtype("float64"), complex: np.dtype("complex128")}


def test_finfo_iinfo():
    bf = dtypes.finfo(dtypes.bfloat16)
    assert bf.bits == 16 and float(bf.eps) == 2.0 ** -7 and float(bf.max) == pytest.approx(3.38953e38, rel=1e-5)
    f8 = dtypes.finfo(dtypes.float8_e4m3fn)
    assert f8.bits == 8 and float(f8.max) == 448.0
    assert float(dtypes.finfo(dtypes.float8_e5m2).max) == 57344.0
    assert dtypes.finfo(np.float32).eps == np.finfo(np.float32).eps
    assert dtypes.finfo(np.float16).max == np.finfo(np.float16).max
    assert dtypes.iinfo(np.int8).min == -128 and dtypes.iinfo(np.uint16).max == 65535
    assert (dtypes.iinfo(dtypes.int4).min, dtypes.iinfo(dtypes.int4).max) == (-8, 7)
    assert dtypes.iinfo(dtypes.uint4).max == 15
    assert dtypes.itemsize_bits(dtypes.int4) == 4 and dtypes.itemsize_bits(np.complex64) == 64
    assert dtypes.itemsize_bits(bool) == 8
    assert dtypes.supports_inf(np.float32) and not dtypes.supports_inf(dtypes.float8_e4m3fn)
    assert not dtypes.supports_inf(np.int32)


def test_issubdtype_and_isdtype():
    isd = dtypes.issubdtype
    assert isd(dtypes.bfloat16, np.floating) and isd("bfloat16", np.inexact)
    assert not isd(dtypes.bfloat16, np.integer) and isd(dtypes.bfloat16, dtypes.bfloat16)
    assert isd(dtypes.float8_e4m3fn, np.floating)
    assert isd(dtypes.int4, np.signedinteger) and isd(dtypes.uint4, np.unsignedinteger)
    assert not isd(dtypes.int4, np.unsignedinteger)
    assert isd(np.int32, np.integer) and isd("uint8", np.unsignedinteger)
    assert isd(np.dtype("complex64"), np.complexfloating) and not isd("complex64", np.floating)
    assert isd(np.float32, np.float32) and not isd(np.float32, np.float64)
    assert not isd(np.float32, dtypes.extended) and isd(dtypes.prng_key, dtypes.extended)
    assert dtypes.isdtype("int8", "signed integer") and dtypes.isdtype(dtypes.bfloat16, "real floating")
    assert dtypes.isdtype("uint4", ("bool", "unsigned integer"))
    assert not dtypes.isdtype("complex64", "real floating")
    assert dtypes.isdtype("float32", np.float32) and not dtypes.isdtype("float32", "integral")
    with pytest.raises(ValueError):
        dtypes.isdtype("float32", "not a kind")


def test_dtype_conversions():
    f32, f64 = np.dtype("float32"), np.dtype("float64")
    assert dtypes.to_inexact_dtype("int32") == f32 and dtypes.to_inexact_dtype(bool) == f32
    assert dtypes.to_inexact_dtype("int64") == f64 and dtypes.to_inexact_dtype("uint64") == f64
    assert dtypes.to_inexact_dtype("float16") == np.dtype("float16")
    assert dtypes.to_inexact_dtype("complex64") == np.dtype("complex64")
    with x64_mode(True):  # JAX does not consult x64 here
        assert dtypes.to_inexact_dtype("int32") == f32
    assert dtypes.to_complex_dtype("float16") == np.dtype("complex64")
    assert dtypes.to_complex_dtype("int64") == np.dtype("complex128")
    assert dtypes.to_complex_dtype("float64") == np.dtype("complex128")
    assert dtypes.to_numeric_dtype(bool) == np.dtype("int32")
    assert dtypes.to_floating_dtype("complex128") == f64
    assert dtypes.scalar_type_of(np.zeros(2, "int8")) is int
    assert dtypes.scalar_type_of(dtypes.bfloat16) is float and dtypes.scalar_type_of(True) is bool
    assert dtypes.scalar_type_of(np.complex64) is complex
    assert dtypes.coerce_to_array(1).dtype == np.dtype("int32")
    with pytest.raises(OverflowError):
        dtypes.coerce_to_array(2 ** 40)


def test_check_user_dtype():
    assert dtypes.check_and_canonicalize_user_dtype(float) == np.dtype("float32")
    assert dtypes.check_and_canonicalize_user_dtype("int16") == np.dtype("int16")
    with pytest.warns(UserWarning, match="truncated"):
        assert dtypes.check_and_canonicalize_user_dtype("float64", "zeros") == np.dtype("float32")
    with x64_mode(True):
        assert dtypes.check_and_canonicalize_user_dtype(np.float64) == np.dtype("float64")
        assert dtypes.check_and_canonicalize_user_dtype(int) == np.dtype("int64")
    with pytest.raises(TypeError):
        dtypes.check_and_canonicalize_user_dtype(object)


def test_public_module():
    for name in ["bfloat16", "float0", "canonicalize_dtype", "result_type", "promote_types",
                 "issubdtype", "isdtype", "finfo", "iinfo", "is_weakly_typed", "dtype",
                 "float8_e4m3fn", "float8_e5m2", "extended", "prng_key", "TypePromotionError",
                 "scalar_type_of", "int4", "uint4"]:
        assert getattr(public_dtypes, name) is getattr(dtypes, name)
    assert public_dtypes.bfloat16 is ml_dtypes.bfloat16


def test_caches_respect_x64():
    assert dtypes.result_type(np.float64, 1) == np.dtype("float32")
    with x64_mode(True):
        assert dtypes.result_type(np.float64, 1) == np.dtype("float64")
        assert dtypes.canonicalize_dtype("int64") == np.dtype("int64")
    assert dtypes.result_type(np.float64, 1) == np.dtype("float32")
    assert dtypes.canonicalize_dtype("int64") == np.dtype("int32")


# ---------------------------------------------------------------------------
# Exhaustive comparison against real JAX.

@pytest.fixture(scope="module")
def jax_oracle():
    jax = pytest.importorskip("jax")
    import jax.numpy as jnp
    from jax._src import dtypes as jax_dtypes
    return jax, jnp, jax_dtypes


@pytest.mark.parametrize("x64", [False, True])
def test_promote_types_matches_jax(jax_oracle, x64):
    jax, jnp, _ = jax_oracle
    specs = STRONG + EXOTIC + WEAK_TYPES
    bad = []
    with x64_mode(x64, jax):
        for a in specs:
            for b in specs:
                want = outcome(jnp.promote_types, a, b)
                got = outcome(dtypes.promote_types, a, b)
                if not (isinstance(want, str) and isinstance(got, str)) and want != got:
                    bad.append((a, b, want, got))
    assert not bad, bad


@pytest.mark.parametrize("x64", [False, True])
def test_result_type_matches_jax(jax_oracle, x64):
    jax, jnp, jax_dtypes = jax_oracle
    specs = STRONG + EXOTIC + WEAK_TYPES + WEAK_VALUES
    bad = []
    with x64_mode(x64, jax):
        for a in specs:
            for b in specs:
                want = outcome(jax_dtypes.result_type, a, b, return_weak_type_flag=True)
                got = outcome(dtypes.result_type, a, b, return_weak_type_flag=True)
                if want != got:
                    bad.append((a, b, want, got))
            want = outcome(jax_dtypes.result_type, a, return_weak_type_flag=True)
            got = outcome(dtypes.result_type, a, return_weak_type_flag=True)
            if want != got:
                bad.append((a, want, got))
        # Three-way promotions and jnp.result_type.
        for a in STRONG:
            for b, c in [(1, 2.0), (np.int8, 1j), (np.uint8, 1), (True, np.float16)]:
                want = outcome(jnp.result_type, a, b, c)
                got = outcome(dtypes.result_type, a, b, c)
                if want != got:
                    bad.append((a, b, c, want, got))
    assert not bad, bad


@pytest.mark.parametrize("x64", [False, True])
def test_array_arithmetic_weak_types_match_jax(jax_oracle, x64):
    """(jnp array of dtype a) op (python scalar) and op (jnp array of dtype b)."""
    jax, jnp, _ = jax_oracle
    bad = []

    class Fake:  # stands in for a jaxlite array: dtype + weak_type attributes
        def __init__(self, dt, weak):
            self.dtype, self.weak_type = dt, weak

    with x64_mode(x64, jax):
        arrays = {}
        for a in STRONG:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                arrays[a] = jnp.zeros((), a)
        weak_arrays = [jnp.asarray(v) for v in (1, 1.0, 1j)]
        left = list(arrays.values()) + weak_arrays
        for x in left:
            fx = Fake(x.dtype, x.weak_type)
            for y in list(arrays.values()) + weak_arrays + WEAK_VALUES:
                try:
                    r = x + y if x.dtype != bool or getattr(y, "dtype", None) != bool else x | y
                except TypeError:
                    continue
                want = (r.dtype, r.weak_type)
                fy = Fake(y.dtype, y.weak_type) if hasattr(y, "weak_type") else y
                got = dtypes.result_type(fx, fy, return_weak_type_flag=True)
                if want != got:
                    bad.append((x.dtype, x.weak_type, y, want, got))
    assert not bad, bad


def test_numpy_inputs_match_jax(jax_oracle):
    jax, jnp, jax_dtypes = jax_oracle
    bad = []
    for x64 in (False, True):
        with x64_mode(x64, jax):
            for a in STRONG:
                for b in STRONG + WEAK_VALUES:
                    xa = np.zeros((), a)
                    xb = np.zeros((), b) if isinstance(b, np.dtype) else b
                    want = outcome(jax_dtypes.result_type, xa, xb, return_weak_type_flag=True)
                    got = outcome(dtypes.result_type, xa, xb, return_weak_type_flag=True)
                    if want != got:
                        bad.append((x64, a, b, want, got))
    assert not bad, bad


def test_issubdtype_isdtype_match_jax(jax_oracle):
    _, jnp, jax_dtypes = jax_oracle
    abstract = [np.generic, np.number, np.integer, np.signedinteger, np.unsignedinteger,
                np.inexact, np.floating, np.complexfloating, np.bool_, jax_dtypes.extended]
    kinds = ["bool", "signed integer", "unsigned integer", "integral", "real floating",
             "complex floating", "numeric", ("bool", "integral")]
    bad = []
    for a in STRONG + EXOTIC:
        for b in abstract + STRONG + EXOTIC:
            ours_b = dtypes.extended if b is jax_dtypes.extended else b
            if jnp.issubdtype(a, b) != dtypes.issubdtype(a, ours_b):
                bad.append(("issubdtype", a, b))
        for k in kinds:
            if jnp.isdtype(a, k) != dtypes.isdtype(a, k):
                bad.append(("isdtype", a, k))
    assert not bad, bad


def test_conversions_match_jax(jax_oracle):
    _, _, jax_dtypes = jax_oracle
    for a in STRONG + EXOTIC:
        for name in ["to_inexact_dtype", "to_complex_dtype", "to_numeric_dtype"]:
            assert outcome(getattr(jax_dtypes, name), a) == outcome(getattr(dtypes, name), a), (name, a)
        assert jax_dtypes.scalar_type_of(a) is dtypes.scalar_type_of(a)
    assert jax_dtypes.float0 == dtypes.float0


_SCALAR_CTOR_CASES = [
    ("uint32", 2 ** 31), ("uint32", 2 ** 32), ("uint32", -1), ("int8", 300), ("int8", -129), ("int8", 127),
    ("int8", np.int32(300)), ("uint8", np.array([300, -1])), ("float32", 1e40), ("float16", 1e5),
    ("bfloat16", 3.3), ("int32", 2 ** 31), ("int32", 3.7), ("uint32", -1.5), ("float32", [1, 2]),
    ("bool_", 2), ("int64", 2 ** 40), ("uint64", 2 ** 63), ("complex64", 1 + 2j), ("float32", "1.5"),
    ("int32", True), ("uint16", 2 ** 16), ("int16", np.float32(1e10)), ("int32", 1e20),
    ("uint32", np.uint64(2 ** 40)), ("int32", float("nan")), ("uint8", 1000.0), ("int8", np.array(-129)),
    ("uint32", np.array(2 ** 31)), ("float32", np.array([2 ** 31], np.uint32)), ("bool_", np.array([0, 2])),
    ("uint32", [-1, 2 ** 32]), ("int8", [1, 300]), ("float8_e4m3fn", 2.5),
]


@pytest.mark.parametrize("name, x", _SCALAR_CTOR_CASES,
                         ids=[f"{n}({x!r})" for n, x in _SCALAR_CTOR_CASES])
def test_scalar_type_constructors_match_jax(jnp_oracle, name, x):
    """``jnp.uint32(x)`` etc. are ``asarray(x, dtype)``: NumPy's conversion rules (out-of-range Python
    ints raise OverflowError, arrays wrap), a strongly typed result."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            want = getattr(jnp_oracle, name)(x)
        except Exception as e:  # the same error type and message
            with pytest.raises(type(e)) as info:
                getattr(jnp, name)(x)
            assert str(info.value) == str(e)
            return
        got = getattr(jnp, name)(x)
    assert_same(got, want)


def test_scalar_type_constructors_under_jit(jax):
    import jax.numpy as real
    for name, x in [("int8", 300), ("uint32", -1), ("float16", 1e5)]:
        f = lambda n: (lambda v: getattr(n, name)(v))  # noqa: E731
        assert_same(jaxlite.jit(f(jnp))(x), jax.jit(f(real))(x))
    assert_same(jaxlite.jit(lambda: jnp.uint32(2 ** 31))(), jax.jit(lambda: real.uint32(2 ** 31))())
