"""Elementwise primitives: arithmetic, exp/log, trig, comparisons, logic, select, conversion.

Each block defines a primitive and then its rules: impl (NumPy), abstract eval (via the factories),
jvp (ad), transpose (ad, only for linear primitives) and batching.
"""
from __future__ import annotations

import functools
import math
import operator

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.core import Primitive, ShapedArray, Tracer
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.interpreters import partial_eval as _pe
from jaxlite._src.interpreters.ad import Zero, is_undefined_primal
from jaxlite._src.lax.utils import (_any, _bool, _bool_or_int, _complex, _float, _inexact, _int, _num,
                                    _ordered, _signedint, broadcasting_shape_rule, check_accepted_dtypes,
                                    naryop_dtype_rule, standard_primitive)

__all__ = [
    "neg", "sign", "floor", "ceil", "round", "is_finite", "exp", "exp2", "log", "expm1", "log1p",
    "tanh", "logistic", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh",
    "atanh", "sqrt", "rsqrt", "cbrt", "abs", "square", "reciprocal", "integer_pow", "pow", "add", "sub",
    "mul", "div", "rem", "max", "min", "atan2", "nextafter", "bitwise_not", "bitwise_and",
    "bitwise_or", "bitwise_xor", "shift_left", "shift_right_logical", "shift_right_arithmetic",
    "population_count", "clz", "eq", "ne", "lt", "le", "gt", "ge", "select_n", "select", "clamp",
    "convert_element_type", "bitcast_convert_type", "real", "imag", "conj", "complex", "erf", "erfc",
    "erf_inv", "lgamma", "digamma", "stop_gradient", "RoundingMethod", "copy_p", "add_p", "sub_p",
    "mul_p", "div_p", "neg_p", "exp_p", "log_p", "sin_p", "cos_p", "tanh_p", "integer_pow_p",
    "convert_element_type_p", "select_n_p", "eq_p", "ne_p", "lt_p", "le_p", "gt_p", "ge_p", "max_p",
    "min_p", "pow_p", "sqrt_p", "logistic_p", "abs_p", "sign_p", "not_p", "and_p", "or_p", "xor_p",
    "is_finite_p", "exp2_p", "expm1_p", "log1p_p", "tan_p", "rem_p", "atan2_p", "rsqrt_p", "cbrt_p",
    "erf_p", "erfc_p", "erf_inv_p", "lgamma_p", "digamma_p", "floor_p", "ceil_p", "round_p",
    "nextafter_p", "clamp_p", "real_p", "imag_p", "conj_p", "complex_p", "square_p",
    "bitcast_convert_type_p", "asin_p", "acos_p", "atan_p", "sinh_p", "cosh_p", "asinh_p",
    "acosh_p", "atanh_p", "population_count_p", "clz_p", "shift_left_p", "shift_right_logical_p",
    "shift_right_arithmetic_p", "copy", "reduce_precision", "reduce_precision_p", "full", "full_like",
    "zeros_like_array", "_convert_element_type",
]


# ---------------------------------------------------------------------------------------------------
# argument handling for the lax-level wrappers
# ---------------------------------------------------------------------------------------------------

def _is_py_scalar(x):
    return type(x) in (int, float, complex, bool)


def _lax_args(*args):
    """Python scalars take the dtype of the array arguments (weakly), as lax allows."""
    if not any(_is_py_scalar(a) for a in args):
        return args
    ref = next((a for a in args if not _is_py_scalar(a)), None)
    if ref is None:
        return args
    dt = getattr(ref, "dtype", None) or np.asarray(ref).dtype
    out = []
    for a in args:
        if _is_py_scalar(a):
            a = _convert_element_type(a, dt, weak_type=True)
        out.append(a)
    return out


def _broadcast_scalar(x, shape):
    from jaxlite._src.lax.shapes import broadcast_in_dim
    return broadcast_in_dim(x, shape, ())


_NUM_NAMES = "integer, floating, complexfloating"


def unop(name, impl, accepted=_num, typename=_NUM_NAMES, weak_rule=None):
    def dtype_rule(x, **params):
        check_accepted_dtypes(name, [x], accepted, typename)
        return x.dtype
    prim = standard_primitive(name, lambda x, **p: x.shape, dtype_rule, impl, weak_rule)
    batching.defvectorized(prim)
    return prim


def naryop(name, impl, accepted=_num, typename=_NUM_NAMES, out_dtype=None):
    dtype_rule = naryop_dtype_rule(name, accepted, typename)
    if out_dtype is not None:
        base = dtype_rule

        def dtype_rule(*avals, **params):
            base(*avals, **params)
            return np.dtype(out_dtype)
    # the result is weak when every operand is (also for comparisons: weak 2. > 1 is a weak bool)
    prim = standard_primitive(name, lambda *avals, **p: broadcasting_shape_rule(name, *avals), dtype_rule,
                              impl)
    batching.defbroadcasting(prim)
    return prim


def _unary(prim):
    def f(x):
        return prim.bind(x)
    f.__name__ = prim.name
    return f


def _binary(prim):
    def f(x, y):
        x, y = _lax_args(x, y)
        return prim.bind(x, y)
    f.__name__ = prim.name
    return f


def _errstate(fn):
    def impl(*args, **params):
        with np.errstate(all="ignore"):
            return fn(*args, **params)
    impl.__wrapped__ = fn  # the NumPy backend calls a raw ufunc directly (one errstate per program)
    return impl


# ---------------------------------------------------------------------------------------------------
# arithmetic
# ---------------------------------------------------------------------------------------------------

neg_p = unop("neg", _errstate(np.negative))
ad.deflinear(neg_p, lambda ct, x: [neg(ct)])
neg = _unary(neg_p)

add_p = naryop("add", _errstate(np.add))


def _add_jvp(primals, tangents, prim=add_p):
    x, y = primals
    tx, ty = tangents
    ans = prim.bind(x, y)
    if type(tx) is Zero:
        return ans, _maybe_broadcast(ans, ty)
    if type(ty) is Zero:
        return ans, _maybe_broadcast(ans, tx)
    return ans, add_p.bind(tx, ty)


# lax's binary ops broadcast rank-0 operands and size-1 dimensions (as JAX's do), so a tangent may
# need broadcasting to the output's shape and a cotangent summing back to the operand's shape.

def _maybe_broadcast(ans, t):
    shape = core.get_aval(ans).shape
    ts = core.get_aval(t).shape
    if ts == shape:
        return t
    from jaxlite._src.lax.shapes import broadcast_in_dim
    if ts == ():
        return broadcast_in_dim(t, shape, ())
    from jaxlite._src.lax.shapes import reshape
    keep = [i for i, (a, b) in enumerate(zip(ts, shape)) if a == b]
    return broadcast_in_dim(reshape(t, tuple(ts[i] for i in keep)), shape, tuple(keep))


def _unbroadcast(x, ct):
    """Sum the cotangent ``ct`` over the dimensions along which operand ``x`` was broadcast."""
    if type(ct) is Zero or ct is None:
        return ct
    shape = x.aval.shape if is_undefined_primal(x) else core.get_aval(x).shape
    cs = core.get_aval(ct).shape
    if cs == shape:
        return ct
    from jaxlite._src.lax.reductions import reduce_sum
    from jaxlite._src.lax.shapes import reshape
    if shape == ():
        return reduce_sum(ct, tuple(range(len(cs))))
    dims = tuple(i for i, (a, b) in enumerate(zip(shape, cs)) if a != b)
    return reshape(reduce_sum(ct, dims), shape)


def _add_transpose(ct, x, y):
    if type(ct) is Zero:
        return [None, None]
    return [_unbroadcast(x, ct) if is_undefined_primal(x) else None,
            _unbroadcast(y, ct) if is_undefined_primal(y) else None]


ad.primitive_jvps[add_p] = _add_jvp
ad.primitive_transposes[add_p] = _add_transpose
add = _binary(add_p)

sub_p = naryop("sub", _errstate(np.subtract))


def _sub_jvp(primals, tangents, prim=sub_p):
    x, y = primals
    tx, ty = tangents
    ans = prim.bind(x, y)
    if type(tx) is Zero:
        return ans, _maybe_broadcast(ans, neg(ty))
    if type(ty) is Zero:
        return ans, _maybe_broadcast(ans, tx)
    return ans, sub_p.bind(tx, ty)


def _sub_transpose(ct, x, y):
    if type(ct) is Zero:
        return [None, None]
    return [_unbroadcast(x, ct) if is_undefined_primal(x) else None,
            _unbroadcast(y, neg(ct)) if is_undefined_primal(y) else None]


ad.primitive_jvps[sub_p] = _sub_jvp
ad.primitive_transposes[sub_p] = _sub_transpose
sub = _binary(sub_p)

mul_p = naryop("mul", _errstate(np.multiply))
ad.defbilinear(mul_p, lambda ct, x, y: _unbroadcast(x, mul(ct, y)),
               lambda ct, x, y: _unbroadcast(y, mul(x, ct)))
mul = _binary(mul_p)


def _div_impl(x, y):
    if x.dtype.kind in "iu":
        # C-style truncating integer division (XLA semantics); division by zero gives garbage, not an error
        with np.errstate(all="ignore"):
            q = np.trunc(np.true_divide(x, np.where(y == 0, 1, y))).astype(x.dtype) if x.dtype.kind == "i" \
                else np.floor_divide(x, np.where(y == 0, 1, y))
            return np.where(y == 0, np.array(-1 if x.dtype.kind == "i" else np.iinfo(x.dtype).max,
                                             x.dtype), q).astype(x.dtype)
    with np.errstate(all="ignore"):
        return np.true_divide(x, y)


div_p = naryop("div", _div_impl)
ad.defjvp(div_p, lambda g, x, y: div(g, y), lambda g, x, y: mul(mul(neg(g), x), integer_pow(y, -2)))


def _div_transpose(ct, x, y):
    assert is_undefined_primal(x) and not is_undefined_primal(y)
    if type(ct) is Zero:
        return [None, None]
    return [_unbroadcast(x, div(ct, y)), None]


ad.primitive_transposes[div_p] = _div_transpose


def div(x, y):
    x, y = _lax_args(x, y)
    if _xla_math.enabled() and dtypes.issubdtype(core.get_aval(x).dtype, np.floating):
        return div_xla_p.bind(x, y)  # (below: a division XLA may rewrite into a multiplication)
    return div_p.bind(x, y)


def _div_const_impl(x, y):
    if not dtypes.issubdtype(x.dtype, np.floating):
        return _div_impl(x, y)
    with np.errstate(all="ignore"):
        return np.multiply(x, np.divide(np.ones((), y.dtype), y).astype(y.dtype)).astype(x.dtype)


# ``div`` by a constant as jitted XLA computes it: its algebraic simplifier rewrites x / c as x * (1 / c),
# 1 / c rounded to the dtype. A twin (same name and rules) for samplers that divide by a literal
# (jax.random.truncated_normal's lower / sqrt(2)).
div_const_p = naryop("div", _div_const_impl)
div_const_p.pp_params = div_p.pp_params
ad.primitive_jvps[div_const_p] = ad.primitive_jvps[div_p]
ad.primitive_transposes[div_const_p] = _div_transpose
div_const = _binary(div_const_p)


def _rem_impl(x, y):
    with np.errstate(all="ignore"):
        if x.dtype.kind in "iu":
            safe = np.where(y == 0, 1, y)
            return np.where(y == 0, x, np.fmod(x, safe)).astype(x.dtype)
        return np.fmod(x, y)


rem_p = naryop("rem", _rem_impl)
ad.defjvp(rem_p, lambda g, x, y: g, lambda g, x, y: mul(neg(g), mul(sign(div(x, y)), floor(abs(div(x, y))))))
rem = _binary(rem_p)


def _balanced_eq(x, z, y):
    """Where ``x`` attains the result ``z`` of max/min: 1, halved where ``y`` attains it too (ties split
    the tangent evenly), else 0 (JAX's formula, op for op)."""
    hit = _eq_meet(x, z)
    one, zero = _ones(z), _zeros(z)   # (staged in JAX's order: select's true case first)
    num = select_n(hit, zero, one)
    both = _eq_meet(y, z)
    two, one = full_like(z, 2), _ones(z)
    return div(num, select_n(both, one, two))


def _eq_meet(a, b):
    # compared in the narrower of the two dtypes, as JAX
    da, db = core.get_aval(a).dtype, core.get_aval(b).dtype
    if da != db:
        if dtypes.promote_types(da, db) == da:
            a = convert_element_type(a, db)
        else:
            b = convert_element_type(b, da)
    return eq(a, b)


def _np_max(x, y):
    return np.maximum(x, y)


def _np_min(x, y):
    return np.minimum(x, y)


max_p = naryop("max", _np_max, _any, "any")
ad.defjvp2(max_p, lambda g, ans, x, y: mul(g, _balanced_eq(x, ans, y)),
           lambda g, ans, x, y: mul(g, _balanced_eq(y, ans, x)))
max = _binary(max_p)
min_p = naryop("min", _np_min, _any, "any")
ad.defjvp2(min_p, lambda g, ans, x, y: mul(g, _balanced_eq(x, ans, y)),
           lambda g, ans, x, y: mul(g, _balanced_eq(y, ans, x)))
min = _binary(min_p)


def _pow_impl(x, y):
    with np.errstate(all="ignore"):
        return np.power(x, y)


pow_p = standard_primitive(
    "pow", lambda x, y: broadcasting_shape_rule("pow", x, y),
    lambda x, y: (check_accepted_dtypes("pow", [x], _inexact, "floating, complexfloating"), x.dtype)[1],
    _pow_impl)
batching.defbroadcasting(pow_p)


def _pow_jvp_lhs(g, ans, x, y):
    y_ = convert_element_type(y, x.dtype) if y.dtype != x.dtype else y
    return mul(g, mul(y_, pow(x, sub(y_, _ones(y_)))))


def _pow_jvp_rhs(g, ans, x, y):
    # g * (log(x) * ans), with log(x) taken as 0 where x == 0 (x replaced by 1 there), as JAX's
    x_or_one = select_n(eq(x, _full_like_val(x, 0)), x, _ones(x))
    out = mul(g, mul(log(x_or_one), ans))
    return convert_element_type(out, y.dtype) if out.dtype != y.dtype else out


ad.defjvp2(pow_p, _pow_jvp_lhs, _pow_jvp_rhs)


# ``pow`` as XLA CPU computes it (the C library's powf/pow, xla_math.pow/pow64; float16/bfloat16 through
# float32; an integer exponent converted): a twin with the same name that the random samplers bind while
# ``xla_math.exact()`` is on (chosen at trace time, as for exp/log).
def _pow_xla_impl(x, y):
    if x.dtype in (np.float16, dtypes.bfloat16):  # powf on float32 values, rounded back
        return _xla_math.pow(x.astype(np.float32), y.astype(np.float32)).astype(x.dtype)
    if y.dtype.kind in "iu" and x.dtype in (np.float32, np.float64):  # (an integer exponent: converted)
        y = y.astype(x.dtype)
    if x.dtype == np.float32 and y.dtype == np.float32:
        return _xla_math.pow(x, y)
    if x.dtype == np.float64 and y.dtype == np.float64:
        return _xla_math.pow64(x, y)
    return _pow_impl(x, y)


pow_xla_p = standard_primitive(
    "pow", lambda x, y: broadcasting_shape_rule("pow", x, y),
    lambda x, y: (check_accepted_dtypes("pow", [x], _inexact, "floating, complexfloating"), x.dtype)[1],
    _pow_xla_impl)
pow_xla_p.pp_params = getattr(pow_p, "pp_params", None)
batching.defbroadcasting(pow_xla_p)
ad.defjvp2(pow_xla_p, _pow_jvp_lhs, _pow_jvp_rhs)


def pow(x, y):
    x, y = _lax_args(x, y)
    if (_xla_math.enabled() and core.get_aval(x).dtype in _REAL_FLOATS
            and core.get_aval(y).dtype in (core.get_aval(x).dtype, np.int32, np.int64)):
        return pow_xla_p.bind(x, y)
    return pow_p.bind(x, y)


def _integer_pow_impl(x, *, y):
    with np.errstate(all="ignore"):
        if y == 0:
            return np.ones_like(x)
        if y == 2:
            return np.multiply(x, x)
        if y < 0 and x.dtype.kind in "iu":
            return np.power(x.astype(np.float64), y).astype(x.dtype)
        return np.power(x, np.asarray(y, x.dtype) if y > 0 else y).astype(x.dtype)


def _integer_pow_dtype(x, *, y):
    check_accepted_dtypes("integer_pow", [x], _num, "number")
    if y < 0 and dtypes.issubdtype(x.dtype, np.integer):
        raise TypeError(f"Integers cannot be raised to negative powers, got "
                        f"integer_pow({x.str_short(short_dtypes=False)}, {y})")
    return x.dtype


integer_pow_p = standard_primitive("integer_pow", lambda x, **p: x.shape, _integer_pow_dtype,
                                   _integer_pow_impl)
batching.defvectorized(integer_pow_p)


def _integer_pow_jvp(g, x, *, y):
    if y == 0:
        return _zeros(g)
    if y == 1:
        return g
    if y == 2:
        return mul(g, mul(_full_like_val(x, y), x))
    return mul(g, mul(_full_like_val(x, y), integer_pow(x, y - 1)))


ad.defjvp(integer_pow_p, _integer_pow_jvp)


def integer_pow(x, y: int):
    return integer_pow_p.bind(x, y=operator.index(y))


def _square_impl(x):
    with np.errstate(all="ignore"):
        return np.multiply(x, x)


square_p = unop("square", _square_impl)
ad.defjvp(square_p, lambda g, x: mul(g, mul(_full_like_val(x, 2), x)))
square = _unary(square_p)


def reciprocal(x):
    return integer_pow(x, -1)


def _sign_impl(x):
    if x.dtype.kind == "c":
        with np.errstate(all="ignore"):
            a = np.abs(x)
            return np.where(a == 0, 0, x / np.where(a == 0, 1, a)).astype(x.dtype)
    return np.sign(x)


sign_p = unop("sign", _sign_impl, _num)
ad.defjvp_zero(sign_p)
sign = _unary(sign_p)

floor_p = unop("floor", np.floor, _float, "floating")
ad.defjvp_zero(floor_p)
floor = _unary(floor_p)
ceil_p = unop("ceil", np.ceil, _float, "floating")
ad.defjvp_zero(ceil_p)
ceil = _unary(ceil_p)


class RoundingMethod:
    AWAY_FROM_ZERO = 0
    TO_NEAREST_EVEN = 1


def _round_impl(x, *, rounding_method):
    if int(rounding_method) == 1:
        return np.round(x)
    return (np.sign(x) * np.floor(np.abs(x) + 0.5)).astype(x.dtype)


round_p = unop("round", _round_impl, _float, "floating")
ad.defjvp_zero(round_p)


def round(x, rounding_method=RoundingMethod.AWAY_FROM_ZERO):
    return round_p.bind(x, rounding_method=int(rounding_method))


is_finite_p = standard_primitive(
    "is_finite", lambda x: x.shape,
    lambda x: (check_accepted_dtypes("is_finite", [x], _float, "floating"), np.dtype(bool))[1],
    np.isfinite, lambda x: False)
batching.defvectorized(is_finite_p)
ad.defjvp_zero(is_finite_p)
is_finite = _unary(is_finite_p)


def _abs_dtype(x):
    check_accepted_dtypes("abs", [x], _num, "number")
    if dtypes.issubdtype(x.dtype, np.complexfloating):
        return np.dtype(np.float32) if x.dtype == np.complex64 else np.dtype(np.float64)
    return x.dtype


abs_p = standard_primitive("abs", lambda x: x.shape, _abs_dtype, np.abs)
batching.defvectorized(abs_p)


def _abs_jvp(g, ans, x):
    if dtypes.issubdtype(x.dtype, np.complexfloating):
        return real(mul(conj(div(x, convert_element_type(ans, x.dtype))), g))
    return select_n(ge(x, _full_like_val(x, 0)), neg(g), g)


ad.defjvp2(abs_p, _abs_jvp)
abs = _unary(abs_p)

# ---------------------------------------------------------------------------------------------------
# exp / log / trig / special
# ---------------------------------------------------------------------------------------------------
# float32 exp/log/log1p switch to XLA's own algorithms inside ``xla_math.exact()`` (the random samplers)
from jaxlite._src import xla_math as _xla_math  # noqa: E402

def _xla_twin(prim, exact_impl):
    """A twin of ``prim`` (same name, so jaxprs print the same) whose float32 impl is XLA's algorithm.
    Functions below bind the twin while ``xla_math.exact()`` is on, i.e. when the random samplers are
    traced: the choice is made at trace time, so eager and jitted samplers give the same bits."""
    twin = unop(prim.name, _errstate(exact_impl), _inexact, "floating, complexfloating")
    twin.pp_params = prim.pp_params
    return twin


def _exact_bind(prim, twin, dtypes_=(np.float32,)):
    def f(x):
        if _xla_math.enabled() and core.get_aval(x).dtype in dtypes_:
            return twin.bind(x)
        return prim.bind(x)
    f.__name__ = prim.name
    return f


_LOW_FLOATS = (np.dtype(np.float32), np.dtype(np.float16), np.dtype(dtypes.bfloat16))
_F32_F64 = (np.dtype(np.float32), np.dtype(np.float64))  # float64: XLA's exp, the C library's log (x64)
_REAL_FLOATS = _LOW_FLOATS + (np.dtype(np.float64),)


def _or_f64(exact64, other):
    """An impl: ``exact64`` for float64, ``other`` for the rest."""
    return lambda x: exact64(x) if x.dtype == np.float64 else other(x)


def _via_f32(exact_fn, other):
    """An impl: ``exact_fn`` (float32 in and out) for float32, and for float16/bfloat16 upcast to float32
    and rounded back, as XLA's CPU backend computes those; ``other`` for the rest."""
    def impl(x):
        if x.dtype == np.float32:
            return exact_fn(x)
        if x.dtype in _LOW_FLOATS:
            return exact_fn(x.astype(np.float32)).astype(x.dtype)
        return other(x)
    return impl


exp_p = unop("exp", _errstate(np.exp), _inexact, "floating, complexfloating")
exp_xla_p = _xla_twin(exp_p, _via_f32(_xla_math.exp, _or_f64(_xla_math.exp64, _errstate(np.exp))))
for _p in (exp_p, exp_xla_p):
    ad.defjvp2(_p, lambda g, ans, x: mul(g, ans))
exp = _exact_bind(exp_p, exp_xla_p, _REAL_FLOATS)

exp2_p = unop("exp2", _errstate(np.exp2), _inexact, "floating, complexfloating")
ad.defjvp2(exp2_p, lambda g, ans, x: mul(log(_full_like_val(x, 2)), mul(g, ans)))
exp2 = _unary(exp2_p)

log_p = unop("log", _errstate(np.log), _inexact, "floating, complexfloating")
log_xla_p = _xla_twin(log_p, _or_f64(_xla_math.log64, _xla_math.log))
for _p in (log_p, log_xla_p):
    ad.defjvp(_p, lambda g, x: div(g, x))
log = _exact_bind(log_p, log_xla_p, _F32_F64)

expm1_p = unop("expm1", _errstate(np.expm1), _inexact, "floating, complexfloating")
ad.defjvp2(expm1_p, lambda g, ans, x: mul(g, add(ans, _full_like_val(ans, 1))))
expm1 = _unary(expm1_p)

log1p_p = unop("log1p", _errstate(np.log1p), _inexact, "floating, complexfloating")
log1p_xla_p = _xla_twin(log1p_p, _or_f64(_xla_math.log1p64, _xla_math.log1p))
for _p in (log1p_p, log1p_xla_p):
    ad.defjvp(_p, lambda g, x: div(g, add(x, _full_like_val(x, 1))))
log1p = _exact_bind(log1p_p, log1p_xla_p, _F32_F64)

# ``add`` of a product as XLA computes it: LLVM contracts a float32/float64 ``mul`` feeding an ``add`` into
# one fused multiply-add (one rounding). jax.random.uniform's ``floats * (maxval - minval) + minval``
# binds this twin (same name, so jaxprs print the same); run alone (eagerly, one primitive at a time, as
# JAX's unfused op-by-op dispatch does) it is a plain add, and a compiled jaxpr fuses it with its ``mul``.
add_fma_p = naryop("add", _errstate(np.add))
add_fma_p.pp_params = add_p.pp_params
ad.primitive_jvps[add_fma_p] = lambda primals, tangents: _add_jvp(primals, tangents, add_fma_p)
ad.primitive_transposes[add_fma_p] = _add_transpose
add_fma = _binary(add_fma_p)


def _fma_fusion(eqn, producers):
    dtype = eqn.outvars[0].aval.dtype
    if dtype not in (np.float32, np.float64):  # float16/bfloat16: XLA rounds product and sum separately
        return None
    from jaxlite._src.lax.linalg import dot_general_xla_p
    for i, v in enumerate(eqn.invars):
        src = producers.get(v) if type(v) is core.Var else None
        if src is not None and src.primitive is mul_p and all(u.aval.dtype == dtype for u in src.invars):
            return _xla_math.fma_ftz, [*src.invars, eqn.invars[1 - i]]
        if src is not None and src.primitive is dot_general_xla_p and _is_outer_product(src, dtype):
            # a dot that contracts one element is a multiply to XLA's simplifier, which LLVM then contracts
            # with the add (jax.random.multivariate_normal of one dimension: mean + factor * normal)
            return (lambda x, y, c: _xla_math.fma_ftz(x, y[:, 0], c)), [*src.invars, eqn.invars[1 - i]]
    return None


def _is_outer_product(eqn, dtype):
    """Whether a dot_general computes ``x[..., 0] * y[:, 0]`` (x: (..., 1), y: (n, 1), no batch dims)."""
    (xc, yc), (xb, yb) = eqn.params["dimension_numbers"]
    x, y = (v.aval for v in eqn.invars)
    return (not xb and x.ndim >= 1 and y.ndim == 2 and xc == (x.ndim - 1,) and yc == (1,) and y.shape[1] == 1
            and x.dtype == y.dtype == dtype)


from jaxlite._src.backend import numpy_backend as _numpy_backend  # noqa: E402

_numpy_backend.fusions[add_fma_p] = _fma_fusion


# ``x - a * b`` likewise: LLVM contracts it into a negated fused multiply-add, fma(-a, b, x) (wald).
sub_fma_p = naryop("sub", _errstate(np.subtract))
sub_fma_p.pp_params = sub_p.pp_params
ad.primitive_jvps[sub_fma_p] = lambda primals, tangents: _sub_jvp(primals, tangents, sub_fma_p)
ad.primitive_transposes[sub_fma_p] = _sub_transpose
sub_fma = _binary(sub_fma_p)


def _fms_fusion(eqn, producers):
    dtype = eqn.outvars[0].aval.dtype
    x, y = eqn.invars
    src = producers.get(y) if type(y) is core.Var else None
    if (dtype not in (np.float32, np.float64) or x.aval.dtype != dtype or src is None
            or src.primitive is not mul_p or any(u.aval.dtype != dtype for u in src.invars)):
        return None
    return (lambda a, b, c: _xla_math.fma_ftz(np.negative(a), b, c)), [*src.invars, x]


_numpy_backend.fusions[sub_fma_p] = _fms_fusion

# ``div`` as XLA computes it inside a compiled program: its algebraic simplifier turns a division by a
# broadcast value (``x / y`` with y of lower rank or size-1 dims, or broadcast by broadcast_in_dim) or by a
# constant into ``x * (1 / y)``, which rounds twice. The random samplers bind this twin while
# ``xla_math.exact()`` is on; run alone (eagerly) it divides, and a compiled jaxpr applies the rewrite.
div_xla_p = naryop("div", _div_impl)
div_xla_p.pp_params = getattr(div_p, "pp_params", None)
ad.defjvp(div_xla_p, lambda g, x, y: div(g, y), lambda g, x, y: mul(mul(neg(g), x), integer_pow(y, -2)))
ad.primitive_transposes[div_xla_p] = _div_transpose


def _is_broadcast(v, out_aval, producers):
    if type(v) is core.Literal:
        return True
    if v.aval.shape != out_aval.shape:
        return True
    from jaxlite._src.lax.shapes import broadcast_in_dim_p
    src = producers.get(v)
    if src is not None and src.primitive is broadcast_in_dim_p:
        return math.prod(src.invars[0].aval.shape) < math.prod(out_aval.shape)
    return False


def _div_reciprocal_fusion(eqn, producers):
    x, y = eqn.invars
    out = eqn.outvars[0].aval
    if not dtypes.issubdtype(out.dtype, np.floating) or x.aval.dtype != out.dtype or y.aval.dtype != out.dtype:
        return None
    # (a / b) / (c / d): XLA's simplifier rewrites it into (a * d) / (b * c) (jax.random.f's ratio); not in
    # bfloat16, whose operations reach the simplifier as float32 ones between conversions
    num, den = (producers.get(v) if type(v) is core.Var else None for v in (x, y))
    if (out.dtype != dtypes.bfloat16 and num is not None and den is not None and num.primitive is div_xla_p and den.primitive is div_xla_p
            and all(v.aval.dtype == out.dtype for v in (*num.invars, *den.invars))):
        return _xla_math.div_of_quotients, [*num.invars, *den.invars]
    # x / pow(b, c), the power possibly broadcast: XLA's simplifier makes it x * pow(b, -c) (jax.random.ball)
    src = producers.get(y) if type(y) is core.Var else None
    dims = None
    if src is not None and src.primitive.name == "broadcast_in_dim" and type(src.invars[0]) is core.Var:
        # (a broadcast that only adds size-1 dims is a reshape to XLA, which this rewrite does not see through)
        dims = src.params["broadcast_dimensions"]
        src = producers.get(src.invars[0]) if math.prod(src.invars[0].aval.shape) < math.prod(out.shape) else None
    if (src is not None and src.primitive in (pow_p, pow_xla_p) and out.dtype != dtypes.bfloat16
            and all(v.aval.dtype == out.dtype for v in src.invars)):  # (bfloat16: see (a / b) / (c / d))
        shape = tuple(out.shape[i] if i in dims else 1 for i in range(len(out.shape))) if dims is not None else None
        return functools.partial(_xla_math.mul_pow_neg, shape=shape), [x, *src.invars]
    if not _is_broadcast(y, out, producers):
        return None
    return _xla_math.mul_reciprocal, [x, y]


_numpy_backend.fusions[div_xla_p] = _div_reciprocal_fusion


def _from_reduce_max(v, producers):
    """Whether ``v`` is a ``reduce_max`` over an axis longer than one, possibly clamped from below by a
    constant, broadcast, reshaped or behind stop_gradient (``jnp.max(x, axis, keepdims=True)``)."""
    while type(v) is core.Var:
        src = producers.get(v)
        if src is None:
            return False
        name = src.primitive.name
        if name == "reduce_max":
            x = src.invars[0]
            return any(x.aval.shape[a] > 1 for a in src.params["axes"])
        if name in ("stop_gradient", "broadcast_in_dim", "reshape"):
            v = src.invars[0]
        elif name == "max" and sum(type(u) is core.Literal for u in src.invars) == 1:
            v = next(u for u in src.invars if type(u) is core.Var)
        else:
            return False
    return False


def _ynn_exp_fusion(eqn, producers):
    """``exp(x - max(x))`` with 4096 elements or more (jax.random.dirichlet's softmax): XLA CPU pulls the
    subtraction and the exp into the YNNPACK fusion of the reduce_max, where YNNPACK's own exp runs."""
    out = eqn.outvars[0].aval
    (x,) = eqn.invars
    if out.dtype not in _F32_F64 or math.prod(out.shape) < _xla_math.YNN_MIN_ELEMENTS or type(x) is not core.Var:
        return None
    src = producers.get(x)
    if src is None or src.primitive not in (sub_p, sub_fma_p) or not _from_reduce_max(src.invars[1], producers):
        return None
    return (lambda a, b: _xla_math.ynn_exp(np.subtract(a, b, dtype=out.dtype))), list(src.invars)


_numpy_backend.fusions[exp_xla_p] = _ynn_exp_fusion

tanh_p = unop("tanh", _errstate(np.tanh), _inexact, "floating, complexfloating")
ad.defjvp2(tanh_p, lambda g, ans, x: mul(add(g, mul(g, ans)), sub(_full_like_val(x, 1), ans)))  # g(1+y)(1-y)
tanh = _unary(tanh_p)


def _logistic_impl(x):
    with np.errstate(all="ignore"):
        if x.dtype.kind == "c":
            return 1 / (1 + np.exp(-x))
        # numerically stable in both tails
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)


logistic_p = unop("logistic", _logistic_impl, _inexact, "floating, complexfloating")
ad.defjvp2(logistic_p, lambda g, ans, x: mul(g, mul(ans, sub(_full_like_val(ans, 1), ans))))
logistic = _unary(logistic_p)

sin_p = unop("sin", _errstate(np.sin), _inexact, "floating, complexfloating")
ad.defjvp(sin_p, lambda g, x: mul(g, cos(x)))
sin = _unary(sin_p)

cos_p = unop("cos", _errstate(np.cos), _inexact, "floating, complexfloating")
ad.defjvp(cos_p, lambda g, x: neg(mul(g, sin(x))))
cos = _unary(cos_p)

tan_p = unop("tan", _errstate(np.tan), _inexact, "floating, complexfloating")
tan_xla_p = _xla_twin(tan_p, _via_f32(_xla_math.tan, _or_f64(_xla_math.tan64, _errstate(np.tan))))
for _p in (tan_p, tan_xla_p):
    ad.defjvp2(_p, lambda g, ans, x: mul(g, add(_full_like_val(x, 1), square(ans))))
tan = _exact_bind(tan_p, tan_xla_p, _REAL_FLOATS)

asin_p = unop("asin", _errstate(np.arcsin), _inexact, "floating, complexfloating")
ad.defjvp(asin_p, lambda g, x: mul(g, rsqrt(sub(_full_like_val(x, 1), square(x)))))
asin = _unary(asin_p)

acos_p = unop("acos", _errstate(np.arccos), _inexact, "floating, complexfloating")
ad.defjvp(acos_p, lambda g, x: mul(g, neg(rsqrt(sub(_full_like_val(x, 1), square(x))))))
acos = _unary(acos_p)

atan_p = unop("atan", _errstate(np.arctan), _inexact, "floating, complexfloating")
ad.defjvp(atan_p, lambda g, x: div(g, add(_full_like_val(x, 1), square(x))))
atan = _unary(atan_p)

sinh_p = unop("sinh", _errstate(np.sinh), _inexact, "floating, complexfloating")
ad.defjvp(sinh_p, lambda g, x: mul(g, cosh(x)))
sinh = _unary(sinh_p)

cosh_p = unop("cosh", _errstate(np.cosh), _inexact, "floating, complexfloating")
ad.defjvp(cosh_p, lambda g, x: mul(g, sinh(x)))
cosh = _unary(cosh_p)

asinh_p = unop("asinh", _errstate(np.arcsinh), _inexact, "floating, complexfloating")
ad.defjvp(asinh_p, lambda g, x: mul(g, rsqrt(add(square(x), _full_like_val(x, 1)))))
asinh = _unary(asinh_p)

acosh_p = unop("acosh", _errstate(np.arccosh), _inexact, "floating, complexfloating")
ad.defjvp(acosh_p, lambda g, x: mul(g, rsqrt(sub(square(x), _full_like_val(x, 1)))))
acosh = _unary(acosh_p)

atanh_p = unop("atanh", _errstate(np.arctanh), _inexact, "floating, complexfloating")
ad.defjvp(atanh_p, lambda g, x: mul(reciprocal(add(_full_like_val(x, 1), x)), div(g, sub(_full_like_val(x, 1), x))))
atanh = _unary(atanh_p)

atan2_p = naryop("atan2", _errstate(np.arctan2), _float, "floating")
ad.defjvp(atan2_p,
          lambda g, x, y: mul(g, div(y, add(mul(x, x), mul(y, y)))),
          lambda g, x, y: mul(g, div(neg(x), add(mul(x, x), mul(y, y)))))
atan2 = _binary(atan2_p)

sqrt_p = unop("sqrt", _errstate(np.sqrt), _inexact, "floating, complexfloating")
ad.defjvp2(sqrt_p, lambda g, ans, x: mul(g, div(_full_like_val(x, 0.5), ans)))
sqrt = _unary(sqrt_p)


def _rsqrt_impl(x):
    with np.errstate(all="ignore"):
        return (1 / np.sqrt(x)).astype(x.dtype)


rsqrt_p = unop("rsqrt", _rsqrt_impl, _inexact, "floating, complexfloating")
ad.defjvp2(rsqrt_p, lambda g, ans, x: mul(g, mul(_full_like_val(x, -0.5), div(ans, x))))
rsqrt = _unary(rsqrt_p)

cbrt_p = unop("cbrt", _errstate(np.cbrt), _float, "floating")
ad.defjvp2(cbrt_p, lambda g, ans, x: mul(g, mul(_full_like_val(x, 1 / 3), integer_pow(ans, -2))))
cbrt = _unary(cbrt_p)


def _special(name):
    def impl(x):
        import scipy.special as sc  # imported lazily: keeps `import jaxlite` light
        with np.errstate(all="ignore"):
            out = getattr(sc, name)(x.astype(np.float64) if x.dtype.itemsize < 4 or x.dtype == dtypes.bfloat16
                                    else x)
        return np.asarray(out).astype(x.dtype)
    return impl


erf_p = unop("erf", _special("erf"), _float, "floating")
erf_xla_p = unop("erf", _via_f32(_xla_math.erf, _or_f64(_xla_math.erf64, _special("erf"))), _float,
                 "floating")
for _p in (erf_p, erf_xla_p):
    ad.defjvp(_p, lambda g, x: mul(_full_like_val(x, 2 / np.sqrt(np.pi)), mul(g, exp(neg(square(x))))))
erf = _exact_bind(erf_p, erf_xla_p, _REAL_FLOATS)

erfc_p = unop("erfc", _special("erfc"), _float, "floating")
ad.defjvp(erfc_p, lambda g, x: mul(_full_like_val(x, -2 / np.sqrt(np.pi)), mul(g, exp(neg(square(x))))))
erfc = _unary(erfc_p)

def _erf_inv_impl(x):
    # float32: XLA's own polynomial (in lax/random_bits.py), so jax.random.normal matches JAX's bits
    if x.dtype == np.float32:
        from jaxlite._src.lax.random_bits import erf_inv_f32
        return erf_inv_f32(x)
    return _special("erfinv")(x)


erf_inv_p = unop("erf_inv", _erf_inv_impl, _float, "floating")
erf_inv_xla_p = unop("erf_inv", _via_f32(_xla_math.erf_inv, _or_f64(_xla_math.erf_inv64, _erf_inv_impl)),
                     _float, "floating")
for _p in (erf_inv_p, erf_inv_xla_p):
    ad.defjvp2(_p, lambda g, ans, x: mul(_full_like_val(x, np.sqrt(np.pi) / 2), mul(g, exp(square(ans)))))
erf_inv = _exact_bind(erf_inv_p, erf_inv_xla_p, _REAL_FLOATS)

lgamma_p = unop("lgamma", _special("gammaln"), _float, "floating")
digamma_p = unop("digamma", _special("digamma"), _float, "floating")
ad.defjvp(lgamma_p, lambda g, x: mul(g, digamma(x)))
lgamma = _unary(lgamma_p)
digamma = _unary(digamma_p)


def _polygamma1(x):
    def impl(v):
        import scipy.special as sc
        return np.asarray(sc.polygamma(1, v)).astype(v.dtype)
    return impl


polygamma1_p = unop("polygamma1", lambda x: _polygamma1(x)(x), _float, "floating")
def _digamma_jvp(g, x):
    from jaxlite._src.lax.special import polygamma
    return mul(g, polygamma(_full_like_val(x, 1), x))


ad.defjvp(digamma_p, _digamma_jvp)

# ---------------------------------------------------------------------------------------------------
# complex numbers
# ---------------------------------------------------------------------------------------------------


def _real_dtype(x):
    check_accepted_dtypes("real", [x], _complex, "complex")
    return np.dtype(np.float32) if x.dtype == np.complex64 else np.dtype(np.float64)


real_p = standard_primitive("real", lambda x: x.shape, _real_dtype, np.real)
batching.defvectorized(real_p)
ad.deflinear(real_p, lambda ct, x: [complex(ct, _zeros(ct))])
real = _unary(real_p)

imag_p = standard_primitive("imag", lambda x: x.shape, _real_dtype, np.imag)
batching.defvectorized(imag_p)
ad.deflinear(imag_p, lambda ct, x: [complex(_zeros(ct), neg(ct))])
imag = _unary(imag_p)


def _complex_dtype(x, y):
    check_accepted_dtypes("complex", [x, y], (np.float32, np.float64), "float32 or float64")
    return np.dtype(np.complex64) if x.dtype == np.float32 else np.dtype(np.complex128)


complex_p = standard_primitive("complex", lambda x, y: broadcasting_shape_rule("complex", x, y),
                               _complex_dtype, lambda x, y: x + 1j * y)
batching.defbroadcasting(complex_p)
ad.deflinear(complex_p, lambda ct, x, y: [real(ct), neg(imag(ct))])
complex = _binary(complex_p)

conj_p = standard_primitive("conj", lambda x, **p: x.shape,
                            lambda x, **p: x.dtype if x.dtype.kind == "c" else
                            np.dtype(np.complex64 if x.dtype != np.float64 else np.complex128),
                            lambda x, **p: np.conj(x))
batching.defvectorized(conj_p)
ad.deflinear(conj_p, lambda ct, x, **p: [conj(ct)])


def conj(x):
    return conj_p.bind(x, input_dtype=np.dtype(getattr(x, "dtype", np.asarray(x).dtype)))


# ---------------------------------------------------------------------------------------------------
# comparisons, logic, bits
# ---------------------------------------------------------------------------------------------------

def _cmp(name, fn):
    prim = naryop(name, fn, _any, "any", out_dtype=np.bool_)
    ad.defjvp_zero(prim)
    return prim


eq_p = _cmp("eq", np.equal)
ne_p = _cmp("ne", np.not_equal)
lt_p = _cmp("lt", np.less)
le_p = _cmp("le", np.less_equal)
gt_p = _cmp("gt", np.greater)
ge_p = _cmp("ge", np.greater_equal)
eq, ne, lt, le, gt, ge = (_binary(p) for p in (eq_p, ne_p, lt_p, le_p, gt_p, ge_p))

not_p = unop("not", lambda x: np.logical_not(x) if x.dtype == np.bool_ else np.invert(x), _bool_or_int,
             "bool, integer")
ad.defjvp_zero(not_p)
bitwise_not = _unary(not_p)


def _logic(name, boolfn, intfn):
    prim = naryop(name, lambda x, y: boolfn(x, y) if x.dtype == np.bool_ else intfn(x, y), _bool_or_int,
                  "bool, integer")
    ad.defjvp_zero(prim)
    return prim


and_p = _logic("and", np.logical_and, np.bitwise_and)
or_p = _logic("or", np.logical_or, np.bitwise_or)
xor_p = _logic("xor", np.logical_xor, np.bitwise_xor)
bitwise_and, bitwise_or, bitwise_xor = _binary(and_p), _binary(or_p), _binary(xor_p)


def _const_shift(x, y):
    """A scalar shift amount inside ``[0, bits)`` for an array ``x`` as a 0-d array of x's unsigned
    dtype, else None: then a shift is one NumPy call (no clipping or out-of-range select)."""
    if np.ndim(y) or not np.ndim(x):
        return None
    bits = x.dtype.itemsize * 8
    k = int(y)
    return np.array(k, f"uint{bits}") if 0 <= k < bits else None


def _shift_left(x, y):
    k = _const_shift(x, y)
    if k is not None:
        return np.left_shift(x.view(k.dtype), k).view(x.dtype)
    bits = x.dtype.itemsize * 8
    yy = y.astype(np.uint64) if y.dtype.kind == "u" else y.astype(np.int64)
    out = np.left_shift(x, np.clip(yy, 0, bits - 1).astype(x.dtype))
    return np.where((yy < 0) | (yy >= bits), np.zeros_like(x), out).astype(x.dtype)


def _shift_right_logical(x, y):
    k = _const_shift(x, y)
    if k is not None:
        return np.right_shift(x.view(k.dtype), k).view(x.dtype)
    bits = x.dtype.itemsize * 8
    udt = np.dtype(f"uint{bits}")
    yy = y.astype(np.int64)
    ux = x.view(udt) if isinstance(x, np.ndarray) else np.asarray(x).view(udt)
    out = np.right_shift(ux, np.clip(yy, 0, bits - 1).astype(udt)).view(x.dtype)
    return np.where((yy < 0) | (yy >= bits), np.zeros_like(x), out).astype(x.dtype)


def _shift_right_arithmetic(x, y):
    k = _const_shift(x, y)
    if k is not None:
        return np.right_shift(x.view(k.dtype.str.replace("u", "i")), k.astype(k.dtype.str.replace("u", "i")))\
            .view(x.dtype)
    bits = x.dtype.itemsize * 8
    sdt = np.dtype(f"int{bits}")
    yy = y.astype(np.int64)
    sx = np.asarray(x).view(sdt)
    out = np.right_shift(sx, np.clip(yy, 0, bits - 1).astype(sdt)).view(x.dtype)
    fill = np.right_shift(sx, np.asarray(bits - 1, sdt)).view(x.dtype)
    return np.where((yy < 0) | (yy >= bits), fill, out).astype(x.dtype)


shift_left_p = naryop("shift_left", _shift_left, _int, "integer")
shift_right_logical_p = naryop("shift_right_logical", _shift_right_logical, _int, "integer")
shift_right_arithmetic_p = naryop("shift_right_arithmetic", _shift_right_arithmetic, _int, "integer")
for _p in (shift_left_p, shift_right_logical_p, shift_right_arithmetic_p):
    ad.defjvp_zero(_p)
shift_left = _binary(shift_left_p)
shift_right_logical = _binary(shift_right_logical_p)
shift_right_arithmetic = _binary(shift_right_arithmetic_p)


def _popcount(x):
    bits = x.dtype.itemsize * 8
    u = np.asarray(x).view(np.dtype(f"uint{bits}")).astype(np.uint64)
    count = np.zeros(u.shape, np.uint64)
    for i in range(bits):
        count += (u >> np.uint64(i)) & np.uint64(1)
    return count.astype(x.dtype)


def _clz(x):
    bits = x.dtype.itemsize * 8
    u = np.asarray(x).view(np.dtype(f"uint{bits}")).astype(np.uint64)
    out = np.full(u.shape, bits, np.int64)
    for i in range(bits):
        set_ = ((u >> np.uint64(i)) & np.uint64(1)).astype(bool)
        out = np.where(set_, bits - 1 - i, out)
    return out.astype(x.dtype)


population_count_p = unop("population_count", _popcount, _int, "integer")
clz_p = unop("clz", _clz, _int, "integer")
ad.defjvp_zero(population_count_p)
ad.defjvp_zero(clz_p)
population_count = _unary(population_count_p)
clz = _unary(clz_p)


def _nextafter_impl(x, y):
    return np.nextafter(x, y)


nextafter_p = naryop("nextafter", _nextafter_impl, _float, "floating")
ad.defjvp_zero(nextafter_p)
nextafter = _binary(nextafter_p)

# ---------------------------------------------------------------------------------------------------
# select_n, clamp
# ---------------------------------------------------------------------------------------------------


def _select_n_impl(which, *cases):
    if len(cases) == 1:
        return cases[0]
    if which.dtype == np.bool_:
        return np.where(which, cases[1], cases[0])
    return np.choose(which.astype(np.intp), cases, mode="clip") if which.ndim else cases[int(which)]


def _select_n_abstract(which, *cases):
    if not cases:
        raise TypeError("select_n must have at least one case")
    for c in cases[1:]:
        if c.shape != cases[0].shape:
            raise TypeError(f"select_n cases must have the same shapes, got "
                            f"{[c.shape for c in cases]}.")
        if c.dtype != cases[0].dtype:
            raise TypeError(f"select_n cases must have the same dtypes, got "
                            f"{[c.dtype.name for c in cases]}.")
    if which.shape and which.shape != cases[0].shape:
        raise TypeError(f"select_n `which` must be scalar or have the same shape as cases, got `which` "
                        f"shape {which.shape} but case shape {cases[0].shape}.")
    if which.dtype != np.bool_ and not dtypes.issubdtype(which.dtype, np.integer):
        raise TypeError(f"select_n `which` must be boolean or integer type, got {which.dtype.name}.")
    if which.dtype == np.bool_ and len(cases) > 2:
        raise TypeError("select_n with boolean `which` cannot have more than 2 cases")
    return ShapedArray(cases[0].shape, cases[0].dtype, all(c.weak_type for c in cases))


select_n_p = Primitive("select_n")
select_n_p.def_impl(_select_n_impl)
select_n_p.def_abstract_eval(_select_n_abstract)


def _select_n_jvp(primals, tangents):
    which, *cases = primals
    _, *case_ts = tangents
    ans = select_n_p.bind(which, *cases)
    if all(type(t) is Zero for t in case_ts):
        return ans, Zero.from_primal_value(ans)
    ts = [ad.instantiate_zeros(t) for t in case_ts]
    return ans, select_n_p.bind(which, *ts)


def _select_n_transpose(ct, which, *cases):
    assert not is_undefined_primal(which)
    if type(ct) is Zero:
        return [None] + [None] * len(cases)
    zeros = _zeros(ct)
    return [None] + [select_n(which, *[ct if j == i else zeros for j in range(len(cases))])
                     if is_undefined_primal(c) else None for i, c in enumerate(cases)]


ad.primitive_jvps[select_n_p] = _select_n_jvp
ad.primitive_transposes[select_n_p] = _select_n_transpose


def _select_n_batch(vals, dims):
    # JAX's cases, in its order: same batch dim everywhere -> select in place; an unbatched scalar
    # predicate with batched cases -> the cases meet at the first one's batch dim; otherwise the batch
    # goes to the front (the predicate first, then the non-scalar cases)
    from jaxlite._src.lax.shapes import broadcast_in_dim
    which, *cases = vals
    wd, *cds = dims
    size = batching.axis_size_of(vals, dims)
    shape_of = lambda x: core.get_aval(x).shape  # noqa: E731
    if all(d == wd for d in cds):
        if shape_of(which) != shape_of(cases[0]):  # a scalar predicate per example
            which = broadcast_in_dim(which, shape_of(cases[0]), (wd,))
        return select_n_p.bind(which, *cases), wd
    if not shape_of(which) and all(d is not None for d in cds):
        if all(d == cds[0] for d in cds):
            return select_n_p.bind(which, *cases), cds[0]
        if all(shape_of(c) == shape_of(cases[0]) for c in cases):
            moved = [batching.moveaxis(c, d, cds[0]) for c, d in zip(cases[1:], cds[1:])]
            return select_n_p.bind(which, cases[0], *moved), cds[0]
    if shape_of(which):
        which = batching.bdim_at_front(which, wd, size)
    if any(shape_of(c) for c in cases):
        cases = [batching.bdim_at_front(c, d, size) for c, d in zip(cases, cds)]
    if 0 < len(shape_of(which)) < len(shape_of(cases[0])):
        which = broadcast_in_dim(which, shape_of(cases[0]), (0,))
    if len(shape_of(which)) > len(shape_of(cases[0])):  # scalar cases under a batched predicate
        cases = [broadcast_in_dim(c, shape_of(which), ()) for c in cases]
    return select_n_p.bind(which, *cases), 0


batching.primitive_batchers[select_n_p] = _select_n_batch


def select_n(which, *cases):
    """``cases[which]`` elementwise: ``which`` is a bool (2 cases) or int array, or a scalar."""
    return select_n_p.bind(which, *cases)


def select(pred, on_true, on_false):
    """``on_true`` where ``pred`` else ``on_false`` (``select_n(pred, on_false, on_true)``)."""
    return select_n_p.bind(pred, on_false, on_true)


def _clamp_impl(lo, x, hi):
    return np.clip(x, lo, hi).astype(x.dtype)


def _clamp_abstract(lo, x, hi):
    for name, b in (("min", lo), ("max", hi)):
        if b.shape and b.shape != x.shape:
            raise TypeError(f"clamp requires {name}.shape == operand.shape or {name}.shape == (), got "
                            f"{b.shape}.")
        if b.dtype != x.dtype:
            raise TypeError(f"clamp requires {name}.dtype == operand.dtype, got {b.dtype.name} and "
                            f"{x.dtype.name}.")
    return ShapedArray(x.shape, x.dtype, x.weak_type)


clamp_p = Primitive("clamp")
clamp_p.def_impl(_clamp_impl)
clamp_p.def_abstract_eval(_clamp_abstract)
ad.defjvp(clamp_p,
          lambda g, lo, x, hi: select(lt(lo, x), _zeros(g), g) if False else
          mul(g, convert_element_type(gt(lo, x), g.dtype)),
          lambda g, lo, x, hi: mul(g, convert_element_type(bitwise_and(ge(x, lo), le(x, hi)), g.dtype)),
          lambda g, lo, x, hi: mul(g, convert_element_type(lt(hi, x), g.dtype)))


def _clamp_batch(vals, dims):
    size = batching.axis_size_of(vals, dims)
    lo, x, hi = vals
    ld, xd, hd = dims
    x = batching.bdim_at_front(x, xd, size)
    shape = core.get_aval(x).shape
    from jaxlite._src.lax.shapes import broadcast_in_dim

    def fix(b, d):
        a = core.get_aval(b)
        if d is None and a.ndim == 0:
            return b
        b = batching.bdim_at_front(b, d, size)
        if core.get_aval(b).shape != shape:
            b = broadcast_in_dim(b, shape, (0,))
        return b
    return clamp_p.bind(fix(lo, ld), x, fix(hi, hd)), 0


batching.primitive_batchers[clamp_p] = _clamp_batch


def clamp(min, x, max):
    """Clip ``x`` into ``[min, max]``; the bounds are scalars or of ``x``'s shape."""
    min, x, max = _lax_args(min, x, max)
    return clamp_p.bind(min, x, max)


# ---------------------------------------------------------------------------------------------------
# dtype conversion
# ---------------------------------------------------------------------------------------------------

def _convert_impl(x, *, new_dtype, weak_type, sharding):
    if x.dtype.kind == "c" and new_dtype.kind != "c":
        x = np.real(x)
    if x.dtype.kind == "f" and new_dtype.kind in "iu":
        # float -> int: truncate, NaN -> 0, saturate at the integer range (XLA semantics)
        info = np.iinfo(new_dtype)
        with np.errstate(all="ignore"):
            t = np.trunc(x.astype(np.float64))
            t = np.where(np.isnan(t), 0, t)
            t = np.clip(t, float(info.min), float(info.max))
            return t.astype(new_dtype)
    if new_dtype == np.bool_:
        return x != 0
    with np.errstate(all="ignore"):
        return x.astype(new_dtype)


def _convert_abstract(x, *, new_dtype, weak_type, sharding):
    return ShapedArray(x.shape, new_dtype, weak_type)


convert_element_type_p = Primitive("convert_element_type")
convert_element_type_p.def_impl(_convert_impl)
convert_element_type_p.def_abstract_eval(_convert_abstract)
convert_element_type_p.pp_params = lambda p: {"new_dtype": p["new_dtype"], "weak_type": p["weak_type"]}
batching.defvectorized(convert_element_type_p)


def _convert_jvp(primals, tangents, *, new_dtype, weak_type, sharding):
    (x,), (t,) = primals, tangents
    ans = convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=weak_type, sharding=sharding)
    if type(t) is Zero or not dtypes.issubdtype(new_dtype, np.inexact) or dtypes.is_float0(t.dtype):
        return ans, Zero.from_primal_value(ans)
    return ans, convert_element_type_p.bind(t, new_dtype=new_dtype, weak_type=weak_type, sharding=sharding)


def _convert_transpose(ct, x, *, new_dtype, weak_type, sharding):
    old = x.aval
    if type(ct) is Zero:
        return [None]
    if not dtypes.issubdtype(old.dtype, np.inexact):
        return [None]
    return [convert_element_type_p.bind(ct, new_dtype=old.dtype, weak_type=old.weak_type, sharding=None)]


ad.primitive_jvps[convert_element_type_p] = _convert_jvp
ad.primitive_transposes[convert_element_type_p] = _convert_transpose


def _convert_staging(trace, x, *, new_dtype, weak_type, sharding):
    # as JAX's forwarding rule: a staged conversion that changes nothing is no equation
    if (isinstance(x, _pe.DynamicJaxprTracer) and x._trace is trace and sharding is None
            and x.aval.dtype == new_dtype and x.aval.weak_type == weak_type):
        return x
    atom = trace.to_atom(x)
    params = dict(new_dtype=new_dtype, weak_type=weak_type, sharding=sharding)
    return trace.emit(convert_element_type_p, [atom],
                      convert_element_type_p.abstract_eval_avals([atom.aval], params), params)


_pe.custom_staging_rules[convert_element_type_p] = _convert_staging


def _convert_element_type(operand, new_dtype=None, weak_type=False, sharding=None):
    if new_dtype is None:
        new_dtype = core.get_aval(operand).dtype
    new_dtype = dtypes.canonicalize_dtype(np.dtype(new_dtype) if not isinstance(new_dtype, np.dtype)
                                          else new_dtype)
    if not isinstance(operand, Tracer):
        # constants are converted at once (scalars also while tracing: they appear as literals); as in
        # JAX, converting a non-scalar constant is staged when tracing to a jaxpr
        val, aval = core.to_value_and_aval(operand)
        if aval.dtype == new_dtype and aval.weak_type == weak_type and isinstance(operand, core.Array):
            return operand
        if aval.shape != () and type(core.trace_ctx.trace) is _pe.DynamicJaxprTrace:
            if aval.dtype == new_dtype and aval.weak_type == weak_type:
                return operand  # nothing to convert: the constant itself
            return convert_element_type_p.bind(operand, new_dtype=new_dtype, weak_type=bool(weak_type),
                                               sharding=sharding)
        out = _convert_impl(np.asarray(val), new_dtype=new_dtype, weak_type=weak_type, sharding=None)
        return core.Array._from_np(np.asarray(out), weak_type)
    aval = operand.aval
    if aval.dtype == new_dtype and aval.weak_type == weak_type:
        return operand
    return convert_element_type_p.bind(operand, new_dtype=new_dtype, weak_type=bool(weak_type),
                                       sharding=sharding)


def convert_element_type(operand, new_dtype):
    """Cast ``operand`` to ``new_dtype`` (float->int truncates toward zero; complex->real takes the real
    part)."""
    return _convert_element_type(operand, new_dtype, weak_type=False)


def _bitcast_impl(x, *, new_dtype):
    old = x.dtype
    if old.itemsize == new_dtype.itemsize:
        return np.asarray(x).view(new_dtype)
    if old.itemsize > new_dtype.itemsize:
        r = old.itemsize // new_dtype.itemsize
        return np.ascontiguousarray(x).view(new_dtype).reshape(x.shape + (r,))
    r = new_dtype.itemsize // old.itemsize
    return np.ascontiguousarray(x).view(new_dtype).reshape(x.shape[:-1])


def _bitcast_abstract(x, *, new_dtype):
    old = x.dtype
    if old.itemsize == new_dtype.itemsize:
        shape = x.shape
    elif old.itemsize > new_dtype.itemsize:
        shape = x.shape + (old.itemsize // new_dtype.itemsize,)
    else:
        r = new_dtype.itemsize // old.itemsize
        if not x.shape or x.shape[-1] != r:
            raise TypeError(f"bitcast_convert_type from {old.name} to {new_dtype.name}: the last "
                            f"dimension of the operand must be {r}, got shape {x.shape}")
        shape = x.shape[:-1]
    return ShapedArray(shape, new_dtype, False)


bitcast_convert_type_p = Primitive("bitcast_convert_type")
bitcast_convert_type_p.def_impl(_bitcast_impl)
bitcast_convert_type_p.def_abstract_eval(_bitcast_abstract)
ad.defjvp_zero(bitcast_convert_type_p)
batching.defvectorized(bitcast_convert_type_p)


def bitcast_convert_type(operand, new_dtype):
    return bitcast_convert_type_p.bind(operand, new_dtype=dtypes.canonicalize_dtype(np.dtype(new_dtype)))


def _reduce_precision_impl(x, *, exponent_bits, mantissa_bits):
    return x


reduce_precision_p = unop("reduce_precision", _reduce_precision_impl, _float, "floating")
ad.deflinear(reduce_precision_p, lambda ct, x, **p: [reduce_precision_p.bind(ct, **p)])


def reduce_precision(operand, exponent_bits, mantissa_bits):
    return reduce_precision_p.bind(operand, exponent_bits=exponent_bits, mantissa_bits=mantissa_bits)


copy_p = unop("copy_p", lambda x: np.array(x, copy=True), _any, "any")
ad.deflinear(copy_p, lambda ct, x: [copy_p.bind(ct)])


def copy(x):
    return copy_p.bind(x)


# ---------------------------------------------------------------------------------------------------
# stop_gradient: an identity the JVP trace treats as constant
# ---------------------------------------------------------------------------------------------------

def stop_gradient(x):
    """The identity, but with zero derivative: ``grad(lambda x: stop_gradient(x) * x)(3.) == 3.``."""
    from jaxlite._src import tree_util

    def stop(v):
        if isinstance(v, Tracer) and dtypes.issubdtype(v.aval.dtype, np.inexact):
            return _stop_gradient_p.bind(v)
        if not (isinstance(v, Tracer) or core.valid_jaxtype(v)):
            raise TypeError(f"stop_gradient takes arrays, scalars and pytrees of them; got {v!r} of type "
                            f"{type(v).__name__}, which is not a valid JAX type.")
        return v
    return tree_util.tree_map(stop, x)


_stop_gradient_p = Primitive("stop_gradient")
_stop_gradient_p.def_impl(lambda x: x)
_stop_gradient_p.def_abstract_eval(lambda x: x)
batching.defvectorized(_stop_gradient_p)
ad.defjvp_zero(_stop_gradient_p)


# ---------------------------------------------------------------------------------------------------
# small constant helpers (used by rules above and by jnp)
# ---------------------------------------------------------------------------------------------------

def full(shape, fill_value, dtype=None, *, weak_type=False, sharding=None):
    """An array of ``shape`` filled with ``fill_value`` (``broadcast_in_dim`` of a scalar)."""
    from jaxlite._src.lax.shapes import broadcast_in_dim
    from jaxlite._src.lax.utils import canonicalize_shape
    shape = canonicalize_shape(shape)
    if dtype is None:
        weak_type = weak_type or dtypes.is_weakly_typed(fill_value)
        dtype = dtypes.result_type(fill_value)
    fill = _convert_element_type(fill_value, dtype, weak_type)
    if not shape:
        return fill
    return broadcast_in_dim(fill, shape, ())


def full_like(x, fill_value, dtype=None, shape=None):
    aval = core.get_aval(x)
    return full(aval.shape if shape is None else shape, fill_value, dtype or aval.dtype,
                weak_type=(dtype is None and aval.weak_type))


def zeros_like_array(x):
    return full_like(x, 0)


def _zeros(x):
    aval = core.get_aval(x)
    return full(aval.shape, 0, aval.dtype, weak_type=aval.weak_type)


def _ones(x):
    aval = core.get_aval(x)
    return full(aval.shape, 1, aval.dtype, weak_type=aval.weak_type)


def _full_like_val(x, val):
    """A rank-0 constant of ``x``'s dtype, for jvp rules (lax ops broadcast rank-0 operands).
    A weakly typed scalar ``x`` gets a Python scalar, so that results stay weak (as JAX's ``_const``)."""
    aval = core.get_aval(x)
    if aval.weak_type and aval.shape == ():
        kind = aval.dtype.kind
        import builtins  # (``complex`` is lax.complex in this module)
        return (builtins.bool if kind == "b" else builtins.int if kind in "iu" else
                builtins.complex if kind == "c" else builtins.float)(val)
    return np.array(val, aval.dtype)
