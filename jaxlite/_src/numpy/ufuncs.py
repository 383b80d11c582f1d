"""Elementwise jax.numpy functions, written on lax with JAX's promotion rules."""
from __future__ import annotations

import operator

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.lax import lax
from jaxlite._src.numpy.util import (check_arraylike, ensure_arraylike, promote_args,
                                     promote_args_inexact, promote_args_numeric, promote_dtypes_inexact,
                                     staged_jit, _to_array)

__all__ = [
    "add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "power", "pow", "negative",
    "positive", "exp", "exp2", "log", "log2", "log10", "expm1", "log1p", "sin", "cos", "tan", "arcsin",
    "arccos", "arctan", "arctan2", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "sqrt",
    "rsqrt", "cbrt", "square", "abs", "absolute", "fabs", "sign", "floor", "ceil", "trunc", "rint",
    "round", "around", "maximum", "minimum", "fmax", "fmin", "equal", "not_equal", "less", "less_equal",
    "greater", "greater_equal", "logical_and", "logical_or", "logical_xor", "logical_not",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "invert", "left_shift", "right_shift",
    "isfinite", "isinf", "isnan", "isposinf", "isneginf", "signbit", "reciprocal", "remainder", "mod",
    "fmod", "divmod", "conjugate", "conj", "real", "imag", "angle", "deg2rad", "rad2deg", "degrees",
    "radians", "hypot", "logaddexp", "logaddexp2", "sinc", "copysign", "heaviside", "nextafter",
    "float_power", "fix", "bitwise_left_shift", "bitwise_right_shift", "acos", "asin", "atan", "atan2",
    "acosh", "asinh", "atanh", "bitwise_invert", "bitwise_count", "frexp", "ldexp", "modf", "gcd", "lcm",
    "spacing", "cumulative_sum",
]


def _unary_inexact(lax_fn, name):
    def fn(x, /):
        (x,) = promote_args_inexact(name, x)
        return lax_fn(x)
    fn.__name__ = name
    fn.__doc__ = f"Elementwise ``{name}`` (integer inputs are promoted to the default float)."
    return fn


def _binary(lax_fn, name, promote=promote_args):
    def fn(x1, x2, /):
        x1, x2 = promote(name, x1, x2)
        return lax_fn(x1, x2)
    fn.__name__ = name
    fn.__doc__ = f"Elementwise ``{name}`` with JAX type promotion and NumPy broadcasting."
    return fn


def add(x1, x2, /):
    x1, x2 = promote_args("add", x1, x2)
    return lax.add(x1, x2) if x1.dtype != np.bool_ else lax.bitwise_or(x1, x2)


subtract = _binary(lax.sub, "subtract")
maximum = _binary(lax.max, "maximum")
minimum = _binary(lax.min, "minimum")
equal = _binary(lax.eq, "equal")
not_equal = _binary(lax.ne, "not_equal")
less = _binary(lax.lt, "less")
less_equal = _binary(lax.le, "less_equal")
greater = _binary(lax.gt, "greater")
greater_equal = _binary(lax.ge, "greater_equal")


def multiply(x1, x2, /):
    x1, x2 = promote_args("multiply", x1, x2)
    if x1.dtype == np.bool_:
        return lax.bitwise_and(x1, x2)
    return lax.mul(x1, x2)


def _logical(lax_fn, name):
    def fn(x1, x2, /):
        x1, x2 = promote_args(name, x1, x2)
        if x1.dtype != np.bool_:
            x1 = lax.ne(x1, lax._zeros(x1))
            x2 = lax.ne(x2, lax._zeros(x2))
        return lax_fn(x1, x2)
    fn.__name__ = name
    return fn


logical_and = _logical(lax.bitwise_and, "logical_and")
logical_or = _logical(lax.bitwise_or, "logical_or")
logical_xor = _logical(lax.bitwise_xor, "logical_xor")


def logical_not(x, /):
    x = ensure_arraylike("logical_not", x)
    if x.dtype != np.bool_:
        x = lax.eq(x, lax._zeros(x))
        return x
    return lax.bitwise_not(x)


def _bitwise(lax_fn, name):
    def fn(x1, x2, /):
        x1, x2 = promote_args(name, x1, x2)
        if not (x1.dtype == np.bool_ or dtypes.issubdtype(x1.dtype, np.integer)):
            raise TypeError(f"{name} requires integer or boolean arguments, got {x1.dtype.name}")
        return lax_fn(x1, x2)
    fn.__name__ = name
    return fn


bitwise_and = _bitwise(lax.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(lax.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(lax.bitwise_xor, "bitwise_xor")


def bitwise_not(x, /):
    x = ensure_arraylike("bitwise_not", x)
    return lax.bitwise_not(x)


invert = bitwise_invert = bitwise_not


def left_shift(x1, x2, /):
    x1, x2 = promote_args("left_shift", x1, x2)
    return lax.shift_left(x1, x2)


def right_shift(x1, x2, /):
    x1, x2 = promote_args("right_shift", x1, x2)
    if dtypes.issubdtype(x1.dtype, np.unsignedinteger):
        return lax.shift_right_logical(x1, x2)
    return lax.shift_right_arithmetic(x1, x2)


bitwise_left_shift = left_shift
bitwise_right_shift = right_shift


def bitwise_count(x, /):
    x = ensure_arraylike("bitwise_count", x)
    return lax.convert_element_type(lax.population_count(lax.abs(x) if dtypes.issubdtype(x.dtype, np.signedinteger) else x), np.uint8)


def negative(x, /):
    x = ensure_arraylike("negative", x)
    return lax.neg(x)


def positive(x, /):
    return ensure_arraylike("positive", x)


def true_divide(x1, x2, /):
    x1, x2 = promote_args_inexact("true_divide", x1, x2)
    return lax.div(x1, x2)


divide = true_divide


@staged_jit
def floor_divide(x1, x2, /):
    """``x1 // x2`` rounding toward -inf (integer division by zero gives -1 for positive x1, as XLA)."""
    x1, x2 = promote_args_numeric("floor_divide", x1, x2)
    dt = x1.dtype
    if dtypes.issubdtype(dt, np.unsignedinteger):
        return lax.div(x1, x2)
    if dtypes.issubdtype(dt, np.integer):
        quotient = lax.div(x1, x2)
        select = logical_and(lax.ne(lax.sign(x1), lax.sign(x2)), lax.ne(lax.rem(x1, x2), _zero(x1)))
        return _where(select, lax.sub(quotient, _one(quotient)), quotient)
    if dtypes.issubdtype(dt, np.complexfloating):
        raise TypeError("floor_divide does not support complex-valued inputs")
    return _float_divmod(x1, x2)[0]


def _zero(x):
    return lax._convert_element_type(0, x.dtype, x.weak_type)


def _one(x):
    return lax._convert_element_type(1, x.dtype, x.weak_type)


def _where(c, x, y):
    from jaxlite._src.numpy.lax_numpy import _where as w
    return w(c, x, y)


def _float_divmod(x1, x2):
    # CPython's float_divmod (floatobject.c)
    mod = lax.rem(x1, x2)
    x1_corrected = _where(lax.eq(x2, _zero(x2)), x1, lax.sub(x1, mod))
    div = lax.div(x1_corrected, x2)
    ind = lax.bitwise_and(lax.ne(mod, _zero(mod)), lax.ne(lax.sign(x2), lax.sign(mod)))
    mod = lax.select(ind, lax.add(mod, x2), mod)
    div = lax.select(ind, lax.sub(div, _one(div)), div)
    return lax.round(div), mod


@staged_jit
def remainder(x1, x2, /):
    """Remainder with the sign of ``x2`` (Python's ``%``); integer ``x % 0`` is 0, as in JAX."""
    x1, x2 = promote_args_numeric("remainder", x1, x2)
    zero = _zero(x1)
    if dtypes.issubdtype(x2.dtype, np.integer):
        x2 = _where(lax.eq(x2, _zero(x2)), lax._ones(x2), x2)
    trunc_mod = lax.rem(x1, x2)
    trunc_mod_not_zero = lax.ne(trunc_mod, zero)
    do_plus = lax.bitwise_and(lax.ne(lax.lt(trunc_mod, zero), lax.lt(x2, _zero(x2))), trunc_mod_not_zero)
    return lax.select(do_plus, lax.add(trunc_mod, x2), trunc_mod)


mod = remainder


@staged_jit
def fmod(x1, x2, /):
    """C-style remainder with the sign of ``x1``."""
    x1, x2 = ensure_arraylike("fmod", x1, x2)
    if dtypes.issubdtype(dtypes.result_type(x1, x2), np.integer):
        x2 = _where(lax.eq(x2, _zero(x2)), lax._ones(x2), x2)
    return lax.rem(*promote_args_numeric("fmod", x1, x2))


@staged_jit
def divmod(x1, x2, /):
    """``(x1 // x2, x1 % x2)``."""
    x1, x2 = promote_args_numeric("divmod", x1, x2)
    if dtypes.issubdtype(x1.dtype, np.integer):
        return floor_divide(x1, x2), remainder(x1, x2)
    return _float_divmod(x1, x2)


def power(x1, x2, /):
    """``x1 ** x2`` elementwise, following JAX's special cases (concrete integer exponents use
    ``integer_pow``; integer bases use binary exponentiation)."""
    check_arraylike("power", x1, x2)
    # concrete integer scalar exponent: repeated multiplication (integer_pow)
    if core.is_concrete(x2) and not isinstance(x2, (bool, np.bool_)):
        try:
            e = operator.index(x2 if not isinstance(x2, core.Tracer) else x2.to_concrete_value())
        except TypeError:
            pass
        else:
            (x1,) = promote_args_numeric("power", x1)
            return lax.integer_pow(x1, e)
    from jaxlite._src.numpy.util import promote_shapes
    x1, x2 = promote_shapes("power", _to_array(x1), _to_array(x2))
    x1_, x2_ = promote_args_numeric("power", x1, x2)
    if dtypes.issubdtype(x1_.dtype, np.integer) or x1_.dtype == np.bool_:
        return _pow_int_int(x1_, x2_)
    if dtypes.issubdtype(x1.dtype, np.inexact) and dtypes.issubdtype(x2.dtype, np.integer):
        # float base, integer exponent: no promotion (keeps the derivative at x1 == 0 finite)
        return lax.pow(x1, x2)
    return lax.pow(x1_, x2_)


def _pow_int_int(x1, x2):
    # binary exponentiation over 6 bits (larger exponents overflow any base > 1), as JAX does
    zero = lax._convert_element_type(np.zeros((), x2.dtype), x2.dtype, False)
    one = lax._convert_element_type(np.ones((), x2.dtype), x2.dtype, False)
    from jaxlite._src.numpy.lax_numpy import _where
    acc = _where(lax.bitwise_and(lax.eq(x1, zero), lax.ne(x2, zero)), zero, one)
    for _ in range(6):
        acc = _where(lax.bitwise_and(x2, one), lax.mul(acc, x1), acc)
        x1 = lax.mul(x1, x1)
        x2 = lax.shift_right_logical(x2, one)
    return acc


pow = power


def float_power(x1, x2, /):
    x1, x2 = promote_args_inexact("float_power", x1, x2)
    return lax.pow(x1, x2)


exp = _unary_inexact(lax.exp, "exp")
exp2 = _unary_inexact(lax.exp2, "exp2")
log = _unary_inexact(lax.log, "log")
expm1 = _unary_inexact(lax.expm1, "expm1")
log1p = _unary_inexact(lax.log1p, "log1p")
sin = _unary_inexact(lax.sin, "sin")
cos = _unary_inexact(lax.cos, "cos")
tan = _unary_inexact(lax.tan, "tan")
arcsin = asin = _unary_inexact(lax.asin, "arcsin")
arccos = acos = _unary_inexact(lax.acos, "arccos")
arctan = atan = _unary_inexact(lax.atan, "arctan")
sinh = _unary_inexact(lax.sinh, "sinh")
cosh = _unary_inexact(lax.cosh, "cosh")
tanh = _unary_inexact(lax.tanh, "tanh")
arcsinh = asinh = _unary_inexact(lax.asinh, "arcsinh")
arccosh = acosh = _unary_inexact(lax.acosh, "arccosh")
arctanh = atanh = _unary_inexact(lax.atanh, "arctanh")
sqrt = _unary_inexact(lax.sqrt, "sqrt")
rsqrt = _unary_inexact(lax.rsqrt, "rsqrt")
cbrt = _unary_inexact(lax.cbrt, "cbrt")
arctan2 = atan2 = _binary(lax.atan2, "arctan2", promote_args_inexact)


def log2(x, /):
    (x,) = promote_args_inexact("log2", x)
    return lax.div(lax.log(x), lax.log(lax._convert_element_type(2, x.dtype, x.weak_type)))


def log10(x, /):
    (x,) = promote_args_inexact("log10", x)
    # log(x) times 1/log(10) rounded to x's (real) dtype, as JAX computes it
    one_over_log10 = np.array(0.4342944819032518, dtype=dtypes.finfo(x.dtype).dtype)
    if dtypes.issubdtype(x.dtype, np.complexfloating):
        r = lax.log(x)
        re, im = lax.real(r), lax.imag(r)
        return lax.complex(lax.mul(re, one_over_log10), lax.mul(im, one_over_log10))
    return lax.mul(lax.log(x), one_over_log10)


def square(x, /):
    x = ensure_arraylike("square", x)
    (x,) = promote_args_numeric("square", x)
    return lax.square(x)


def abs(x, /):
    x = ensure_arraylike("absolute", x)
    if dtypes.issubdtype(x.dtype, np.unsignedinteger) or x.dtype == np.bool_:
        return x
    return lax.abs(x)


absolute = abs


def fabs(x, /):
    (x,) = promote_args_inexact("fabs", x)
    return lax.abs(x)


def sign(x, /):
    x = ensure_arraylike("sign", x)
    return lax.sign(x)


def _round_like(lax_fn, name):
    def fn(x, /):
        x = ensure_arraylike(name, x)
        if dtypes.issubdtype(x.dtype, np.integer) or x.dtype == np.bool_:
            return x
        return lax_fn(x)
    fn.__name__ = name
    return fn


floor = _round_like(lax.floor, "floor")
ceil = _round_like(lax.ceil, "ceil")


def trunc(x, /):
    x = ensure_arraylike("trunc", x)
    if dtypes.issubdtype(x.dtype, np.integer) or x.dtype == np.bool_:
        return x
    return lax.select(lax.lt(x, lax._zeros(x)), lax.ceil(x), lax.floor(x))


fix = trunc


def rint(x, /):
    x = ensure_arraylike("rint", x)
    if dtypes.issubdtype(x.dtype, np.integer) or x.dtype == np.bool_:
        return lax.convert_element_type(x, dtypes.to_inexact_dtype(x.dtype))
    return lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN)


@staged_jit(static_argnames=("decimals",))
def round(a, decimals=0, out=None):
    decimals = core.concrete_or_error(operator.index, decimals, "'decimals' argument of jnp.round")
    a = ensure_arraylike("round", a)
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.round is not supported.")
    dtype = a.dtype
    if dtypes.issubdtype(dtype, np.integer):
        if decimals < 0:
            raise NotImplementedError("integer np.round not implemented for decimals < 0")
        return a
    if decimals > np.log10(dtypes.finfo(dtype).max):
        return a  # finer than the type resolves: nothing to round

    def nearest(x):
        if decimals == 0:
            return lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN)
        # scale, round, unscale (float16 does it in float32, as JAX)
        x = lax.convert_element_type(x, np.float32) if dtype == np.float16 else x
        scale = np.array(10 ** decimals, dtypes.dtype(x))
        y = lax.div(lax.round(lax.mul(x, scale), lax.RoundingMethod.TO_NEAREST_EVEN), scale)
        return lax.convert_element_type(y, dtype) if dtype == np.float16 else y

    if dtypes.issubdtype(dtype, np.complexfloating):
        return lax.complex(nearest(lax.real(a)), nearest(lax.imag(a)))
    return nearest(a)


@staged_jit(static_argnames=("decimals",))
def around(a, decimals=0, out=None):
    """Alias of :func:`round` (a jit of its own in JAX, calling round's)."""
    return round(a, decimals, out)


def fmax(x1, x2):
    x1, x2 = promote_args("fmax", x1, x2)
    return where_(lax.bitwise_or(lax.gt(x1, x2), isnan(x2)), x1, x2)


def fmin(x1, x2):
    x1, x2 = promote_args("fmin", x1, x2)
    return where_(lax.bitwise_or(lax.lt(x1, x2), isnan(x2)), x1, x2)


def where_(c, x, y):
    return lax.select(c, x, y)


def isfinite(x, /):
    x = ensure_arraylike("isfinite", x)
    if dtypes.issubdtype(x.dtype, np.floating):
        return lax.is_finite(x)
    if dtypes.issubdtype(x.dtype, np.complexfloating):
        return lax.bitwise_and(lax.is_finite(lax.real(x)), lax.is_finite(lax.imag(x)))
    return lax.full(x.shape, True, np.bool_)


def isinf(x, /):
    x = ensure_arraylike("isinf", x)
    if dtypes.issubdtype(x.dtype, np.floating):
        return lax.eq(lax.abs(x), lax._convert_element_type(np.inf, x.dtype))
    if dtypes.issubdtype(x.dtype, np.complexfloating):
        return lax.bitwise_or(isinf(lax.real(x)), isinf(lax.imag(x)))
    return lax.full(x.shape, False, np.bool_)


def isposinf(x, /):
    x = ensure_arraylike("isposinf", x)
    return lax.eq(x, lax._convert_element_type(np.inf, x.dtype)) if dtypes.issubdtype(x.dtype, np.floating) \
        else lax.full(x.shape, False, np.bool_)


def isneginf(x, /):
    x = ensure_arraylike("isneginf", x)
    return lax.eq(x, lax._convert_element_type(-np.inf, x.dtype)) if dtypes.issubdtype(x.dtype, np.floating) \
        else lax.full(x.shape, False, np.bool_)


def isnan(x, /):
    x = ensure_arraylike("isnan", x)
    if dtypes.issubdtype(x.dtype, np.inexact):
        return lax.ne(x, x)
    return lax.full(x.shape, False, np.bool_)


def signbit(x, /):
    x = ensure_arraylike("signbit", x)
    if dtypes.issubdtype(x.dtype, np.integer):
        return lax.lt(x, lax._zeros(x))
    if x.dtype == np.bool_:
        return lax.full(x.shape, False, np.bool_)
    bits = np.dtype(x.dtype).itemsize * 8
    int_t = np.dtype(f"int{bits}")
    return lax.lt(lax.bitcast_convert_type(x, int_t), lax._convert_element_type(0, int_t))


def reciprocal(x, /):
    (x,) = promote_args_inexact("reciprocal", x)
    return lax.integer_pow(x, -1)


def conjugate(x, /):
    x = ensure_arraylike("conjugate", x)
    return lax.conj(x) if dtypes.issubdtype(x.dtype, np.complexfloating) else x


conj = conjugate


def real(val, /):
    val = ensure_arraylike("real", val)
    return lax.real(val) if dtypes.issubdtype(val.dtype, np.complexfloating) else val


def imag(val, /):
    val = ensure_arraylike("imag", val)
    return lax.imag(val) if dtypes.issubdtype(val.dtype, np.complexfloating) else lax.full_like(val, 0)


def angle(z, deg=False):
    z = ensure_arraylike("angle", z)
    re, im = real(z), imag(z)
    (re, im) = promote_args_inexact("angle", re, im)
    out = lax.atan2(im, re)
    return rad2deg(out) if deg else out


def deg2rad(x, /):
    (x,) = promote_args_inexact("deg2rad", x)
    return lax.mul(x, lax._convert_element_type(np.pi / 180, x.dtype, x.weak_type))


def rad2deg(x, /):
    (x,) = promote_args_inexact("rad2deg", x)
    return lax.mul(x, lax._convert_element_type(180 / np.pi, x.dtype, x.weak_type))


radians = deg2rad
degrees = rad2deg


def hypot(x1, x2, /):
    x1, x2 = promote_args_inexact("hypot", x1, x2)
    x1, x2 = lax.abs(x1), lax.abs(x2)
    idx_inf = lax.bitwise_or(isinf(x1), isinf(x2))
    x1, x2 = maximum(x1, x2), minimum(x1, x2)
    safe = lax.select(lax.eq(x1, lax._zeros(x1)), lax._ones(x1), x1)
    r = lax.div(x2, safe)
    out = lax.select(lax.eq(x1, lax._zeros(x1)), x1, lax.mul(x1, lax.sqrt(lax.add(lax._ones(r), lax.mul(r, r)))))
    return lax.select(idx_inf, lax.full_like(out, np.inf), out)


def logaddexp(x1, x2, /):
    x1, x2 = promote_args_inexact("logaddexp", x1, x2)
    return _logaddexp_custom(x1, x2)


def _logaddexp_impl(x1, x2):
    amax = lax.max(x1, x2)
    delta = lax.sub(x1, x2)
    out = lax.add(amax, lax.log1p(lax.exp(lax.neg(lax.abs(delta)))))
    return lax.select(isnan(delta), lax.add(x1, x2), out)


def _logaddexp_jvp(primals, tangents):
    # JAX's rule: d out = t1 exp(x1 - out) + t2 exp(x2 - out) (ties get 1/2 each; +inf made finite)
    x1, x2 = primals
    t1, t2 = tangents
    out = _logaddexp_custom(x1, x2)

    def finite(v):
        return lax.select(isposinf(v), lax._zeros(v), v)
    w1 = lax.exp(lax.sub(finite(x1), finite(out)))
    w2 = lax.exp(lax.sub(finite(x2), finite(out)))
    return out, add(multiply(t1, w1), multiply(t2, w2))


def _make_logaddexp():
    from jaxlite._src.custom_derivatives import custom_jvp
    f = custom_jvp(_logaddexp_impl)
    f.defjvp(_logaddexp_jvp)
    return f


_logaddexp_custom = _make_logaddexp()


def logaddexp2(x1, x2, /):
    x1, x2 = promote_args_inexact("logaddexp2", x1, x2)
    ln2 = lax._convert_element_type(np.log(2), x1.dtype)
    return lax.div(logaddexp(lax.mul(x1, ln2), lax.mul(x2, ln2)), ln2)


def sinc(x, /):
    (x,) = promote_args_inexact("sinc", x)
    eq_zero = lax.eq(x, lax._zeros(x))
    pi_x = lax.mul(lax._convert_element_type(np.pi, x.dtype), x)
    safe = lax.select(eq_zero, lax._ones(x), pi_x)
    return lax.select(eq_zero, lax._ones(x), lax.div(lax.sin(safe), safe))


def copysign(x1, x2, /):
    x1, x2 = promote_args_inexact("copysign", x1, x2)
    return lax.select(signbit(x2), lax.neg(lax.abs(x1)), lax.abs(x1))


def heaviside(x1, x2, /):
    x1, x2 = promote_args_inexact("heaviside", x1, x2)
    from jaxlite._src.numpy.lax_numpy import broadcast_arrays
    x1, x2 = broadcast_arrays(x1, x2)
    zero = lax._zeros(x1)
    return lax.select(lax.lt(x1, zero), zero, lax.select(lax.gt(x1, zero), lax._ones(x1), x2))


def nextafter(x1, x2, /):
    x1, x2 = promote_args_inexact("nextafter", x1, x2)
    return lax.nextafter(x1, x2)


def spacing(x, /):
    (x,) = promote_args_inexact("spacing", x)
    return lax.sub(lax.nextafter(x, lax.full_like(x, np.inf)), x)


def frexp(x, /):
    (x,) = promote_args_inexact("frexp", x)
    v = np.asarray(core.concrete_or_error(None, x, "frexp needs concrete values in jaxlite"))
    m, e = np.frexp(v)
    return (core.Array._from_np(np.asarray(m, x.dtype)),
            core.Array._from_np(np.asarray(e, dtypes.canonicalize_dtype(np.int32))))


def ldexp(x1, x2, /):
    (x1,) = promote_args_inexact("ldexp", x1)
    x2 = ensure_arraylike("ldexp", x2)
    if not (dtypes.issubdtype(x2.dtype, np.integer) or x2.dtype == np.bool_):
        raise ValueError(f"jnp.ldexp: the exponent x2 must be an integer array, got dtype {x2.dtype}; "
                         f"round it first (e.g. x2.astype(int)) or use x1 * 2.0 ** x2.")
    return lax.mul(x1, lax.exp2(lax.convert_element_type(x2, x1.dtype)))


def modf(x, /, out=None):
    (x,) = promote_args_inexact("modf", x)
    whole = trunc(x)
    return lax.sub(x, whole), whole


def gcd(x1, x2):
    x1, x2 = promote_args("gcd", x1, x2)
    if not dtypes.issubdtype(x1.dtype, np.integer):
        raise ValueError("Arguments to jax.numpy.gcd must be integers.")
    from jaxlite._src.numpy.lax_numpy import broadcast_arrays
    x1, x2 = broadcast_arrays(x1, x2)
    a, b = lax.abs(x1), lax.abs(x2)
    bits = np.dtype(a.dtype).itemsize * 8 * 2
    for _ in range(bits):
        nz = lax.ne(b, lax._zeros(b))
        safe_b = lax.select(nz, b, lax._ones(b))
        a, b = lax.select(nz, b, a), lax.select(nz, lax.rem(a, safe_b), b)
    return a


def lcm(x1, x2):
    x1, x2 = promote_args("lcm", x1, x2)
    from jaxlite._src.numpy.lax_numpy import broadcast_arrays
    x1, x2 = broadcast_arrays(x1, x2)
    d = gcd(x1, x2)
    safe = lax.select(lax.eq(d, lax._zeros(d)), lax._ones(d), d)
    return lax.select(lax.eq(d, lax._zeros(d)), lax._zeros(d), lax.abs(lax.mul(lax.div(x1, safe), x2)))


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False):
    from jaxlite._src.numpy import reductions
    return reductions.cumulative_sum(x, axis=axis, dtype=dtype, include_initial=include_initial)


# ----- the functions JAX makes ``jnp.ufunc`` instances ---------------------------------------------
# Their ``reduce``/``accumulate``/``at`` use the matching reduction, cumulative and scatter primitives;
# the other methods are built from the function (ufunc_api.py). The plain functions stay available
# under a leading underscore (the Array operators use them directly).

def _scatter_at(method):
    """``ufunc.at`` as the ``.at[indices].<method>(b)`` update; on bools in int32, then back to bool."""
    def at(a, indices, b):
        if a.dtype == np.bool_:
            a = a.astype(np.int32)
            b = lax._convert_element_type(lax._convert_element_type(b, np.bool_, False), np.int32, False)
            return getattr(a.at[indices], method)(b).astype(np.bool_)
        return getattr(a.at[indices], method)(b)
    return at


_add_at, _multiply_at = _scatter_at("add"), _scatter_at("mul")


def _subtract_at(a, indices, b):
    return a.at[indices].subtract(b)


def _lazy(module, name):
    def fn(*args, **kwargs):
        import importlib
        return getattr(importlib.import_module(f"jaxlite._src.numpy.{module}"), name)(*args, **kwargs)
    fn.__name__ = name
    return fn


def _make_ufuncs():
    from jaxlite._src.numpy.ufunc_api import ufunc
    red = lambda name: _lazy("reductions", name)  # noqa: E731
    specs = {  # name: (nin, identity, reduce, accumulate, at)
        "add": (2, 0, red("sum"), red("cumsum"), _add_at),
        "multiply": (2, 1, red("prod"), red("cumprod"), _multiply_at),
        "subtract": (2, None, None, None, _subtract_at),
        "negative": (1, None, None, None, None),
        "maximum": (2, None, red("_reduce_max"), None, None),
        "minimum": (2, None, red("_reduce_min"), None, None),
        "bitwise_and": (2, -1, red("_reduce_bitwise_and"), None, None),
        "bitwise_or": (2, 0, red("_reduce_bitwise_or"), None, None),
        "bitwise_xor": (2, 0, red("_reduce_bitwise_xor"), None, None),
        "logical_and": (2, True, red("_reduce_logical_and"), None, None),
        "logical_or": (2, False, red("_reduce_logical_or"), None, None),
        "logical_xor": (2, False, red("_reduce_logical_xor"), None, None),
        "logaddexp": (2, -np.inf, red("_logsumexp"), None, None),
        "logaddexp2": (2, -np.inf, red("_logsumexp2"), None, None),
    }
    g = globals()
    for name, (nin, identity, reduce, accumulate, at) in specs.items():
        fn = g[name]
        g["_" + name] = fn
        g[name] = ufunc(fn, nin, 1, name=name, identity=identity, call=fn, reduce=reduce,
                        accumulate=accumulate, at=at)


_make_ufuncs()
