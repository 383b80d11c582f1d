"""jax.numpy core: array creation, conversion, shape manipulation, where, products."""
from __future__ import annotations

import builtins
import operator
from typing import Sequence

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.config import config
from jaxlite._src.core import Tracer
from jaxlite._src.lax import lax
from jaxlite._src.numpy.util import (canonicalize_axis, check_arraylike, ensure_arraylike, promote_args,
                                     promote_dtypes, promote_shapes, staged_jit, _to_array)

__all__ = [
    "asarray", "array", "zeros", "ones", "full", "empty", "zeros_like", "ones_like", "full_like",
    "empty_like", "arange", "linspace", "eye", "identity", "reshape", "ravel", "transpose",
    "permute_dims", "matrix_transpose", "squeeze", "expand_dims", "concatenate", "concat", "stack",
    "hstack", "vstack", "unstack", "dstack", "column_stack", "split", "array_split", "hsplit", "vsplit", "where",
    "matmul", "dot", "vdot", "inner", "outer", "tensordot", "shape", "ndim", "size", "result_type",
    "promote_types", "can_cast", "iscomplexobj", "isrealobj", "isscalar", "clip", "astype", "copy",
    "broadcast_to", "atleast_1d", "atleast_2d", "atleast_3d", "flip", "fliplr", "flipud", "swapaxes",
    "moveaxis", "ndarray", "dtype", "finfo", "iinfo", "issubdtype", "isdtype", "bool_", "int8",
    "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "bfloat16", "float32",
    "float64", "complex64", "complex128", "float_", "int_", "uint", "complex_", "inexact", "floating",
    "integer", "signedinteger", "unsignedinteger", "number", "complexfloating", "generic", "character",
    "object_", "pi", "e", "inf", "nan", "euler_gamma", "newaxis", "float0", "broadcast_shapes",
    "broadcast_arrays", "asarray_chkfinite", "from_dlpack", "frombuffer", "fromiter", "isclose",
    "allclose", "array_equal", "array_equiv", "tri", "tril", "triu", "diag", "diagonal", "trace",
    "meshgrid", "indices", "squeeze", "issubsctype", "printoptions", "set_printoptions",
    "get_printoptions", "save", "load", "bool",
]

newaxis = None
pi = np.pi
e = np.e
inf = np.inf
nan = np.nan
euler_gamma = np.euler_gamma
ndarray = core.Array  # isinstance(x, jnp.ndarray) works like isinstance(x, jax.Array)

from jaxlite._src.array import Array as _ArrayABC  # noqa: E402

ndarray = _ArrayABC
dtype = np.dtype
finfo = dtypes.finfo
iinfo = dtypes.iinfo
issubdtype = dtypes.issubdtype
isdtype = dtypes.isdtype
float0 = dtypes.float0
generic = np.generic
number = np.number
inexact = np.inexact
floating = np.floating
complexfloating = np.complexfloating
integer = np.integer
signedinteger = np.signedinteger
unsignedinteger = np.unsignedinteger
character = np.character
object_ = np.object_
printoptions = np.printoptions
set_printoptions = np.set_printoptions
get_printoptions = np.get_printoptions


class _ScalarType:
    """``jnp.float32`` etc.: a dtype that is also callable to make a (strongly typed) array."""

    def __init__(self, np_type):
        self.dtype = np.dtype(np_type)
        self.type = np_type
        self.__name__ = self.dtype.name if np_type is not np.bool_ else "bool"

    def __call__(self, x):
        return asarray(x, dtype=self.dtype)

    def __repr__(self):
        return f"<class 'jax.numpy.{self.__name__}'>"

    def __eq__(self, other):
        if isinstance(other, _ScalarType):
            return self.dtype == other.dtype
        try:
            return self.dtype == np.dtype(other)
        except TypeError:
            return False

    def __hash__(self):
        return hash(self.dtype)

    # numpy's dtype machinery looks for this to convert us with np.dtype(jnp.float32)
    @property
    def __numpy_dtype__(self):
        return self.dtype

    def __instancecheck__(self, obj):
        return isinstance(obj, self.type)


bool_ = _ScalarType(np.bool_)
bool = bool_
int8, int16, int32, int64 = (_ScalarType(t) for t in (np.int8, np.int16, np.int32, np.int64))
uint8, uint16, uint32, uint64 = (_ScalarType(t) for t in (np.uint8, np.uint16, np.uint32, np.uint64))
float16, float32, float64 = (_ScalarType(t) for t in (np.float16, np.float32, np.float64))
bfloat16 = _ScalarType(dtypes.bfloat16)
complex64, complex128 = _ScalarType(np.complex64), _ScalarType(np.complex128)
float_, int_, uint, complex_ = float64, int64, uint64, complex128


def _dtype_arg(dt, fun_name=None):
    """Canonical np.dtype for a user's ``dtype=`` argument (jnp scalar types, strings, Python types)."""
    if dt is None:
        return None
    if isinstance(dt, _ScalarType):
        dt = dt.dtype
    if isinstance(dt, (core.Array, Tracer)):
        raise ValueError(f"dtype={dt!r} is an array; pass a dtype (dtype=arr.dtype) instead.")
    return dtypes.check_and_canonicalize_user_dtype(dt, fun_name)


def shape(a):
    return np.shape(a) if not isinstance(a, (core.Array, Tracer)) else a.shape


def ndim(a):
    return len(shape(a))


def size(a, axis=None):
    s = shape(a)
    return int(np.prod(s, dtype=np.int64)) if axis is None else s[axis]


def result_type(*args):
    args = [a.dtype if isinstance(a, _ScalarType) else a for a in args]
    return dtypes.result_type(*args)


def promote_types(a, b):
    a = a.dtype if isinstance(a, _ScalarType) else a
    b = b.dtype if isinstance(b, _ScalarType) else b
    return dtypes.promote_types(a, b)


def can_cast(from_, to, casting="safe"):
    return np.can_cast(from_.dtype if hasattr(from_, "dtype") else from_,
                       to.dtype if isinstance(to, _ScalarType) else to, casting)


def iscomplexobj(x):
    if x is None:
        return False
    try:
        return dtypes.issubdtype(dtypes.dtype(x), np.complexfloating)
    except TypeError:
        return False


def isrealobj(x):
    return not iscomplexobj(x)


def isscalar(element):
    if hasattr(element, "__jax_array__"):
        element = element.__jax_array__()
    return dtypes.is_python_scalar(element) or np.isscalar(element) or (
        isinstance(element, (core.Array, Tracer)) and element.ndim == 0)


def issubsctype(arg1, arg2):
    return dtypes.issubdtype(dtypes.dtype(arg1), arg2)


# ---------------------------------------------------------------------------------------------------
# conversion
# ---------------------------------------------------------------------------------------------------

def _leaves_have_tracers(obj):
    if isinstance(obj, Tracer):
        return True
    if isinstance(obj, (list, tuple)):
        return builtins.any(_leaves_have_tracers(o) for o in obj)
    return False


def array(object, dtype=None, copy=True, order="K", ndmin=0, *, device=None):
    """Create an array (float64 data becomes float32 unless x64 is on; Python scalars stay weak)."""
    if order is not None and order not in ("K", "C", "A"):
        raise NotImplementedError("Only implemented for order='K' (and 'C')")
    dt = _dtype_arg(dtype, "array")
    if isinstance(object, (core.Array, Tracer)):
        out = object if dt is None else lax._convert_element_type(object, dt, False)
    elif hasattr(object, "__jax_array__"):
        return array(object.__jax_array__(), dtype, copy, order, ndmin)
    elif isinstance(object, (list, tuple)) and (_leaves_have_tracers(object) or builtins.any(
            isinstance(o, core.Array) for o in _flat(object))):
        # as JAX: every element converted to the common dtype, given a leading unit axis, and all
        # concatenated (in groups of 16 first when there are more)
        leaves = _flat(object)
        if builtins.any(o is None for o in leaves):
            raise ValueError("None is not a valid value for jnp.array")
        target = dt or dtypes.result_type(*leaves)
        pieces = [lax.expand_dims(array(o, dtype=target, copy=False), (0,)) for o in object]
        shapes = {p.shape[1:] for p in pieces}
        if len(shapes) > 1:
            raise TypeError(f"jnp.array: the list's elements have different shapes {sorted(shapes)}, so they do "
                            f"not form a rectangular array; pad or slice them to one shape first.")
        while len(pieces) > 16:
            pieces = [lax.concatenate(pieces[i:i + 16], 0) for i in range(0, len(pieces), 16)]
        out = lax.concatenate(pieces, 0)
    elif type(object) in (builtins.bool, int, float, builtins.complex):
        if dt is None:
            v, aval = core.to_value_and_aval(object)
            out = core.Array._from_np(v, aval.weak_type)
        else:
            # NumPy's conversion, as JAX: an out-of-range Python int raises OverflowError, a float
            # converts to an int dtype by truncation (and raises if that is out of range)
            out = core.Array._from_np(np.array(object, dtype=dt), False)
    else:
        if object is None:
            raise ValueError("None is not a valid value for jnp.array")
        if isinstance(object, (list, tuple)) and _has_python_scalars_only(object):
            # Python lists of scalars: dtype from JAX's promotion of the elements (not weak)
            flat = _flat(object)
            inferred = dtypes.result_type(*flat) if flat else dtypes.default_float_dtype()
            npv = np.array(object, dtype=dt or inferred)
        else:
            try:
                if dt is not None and isinstance(object, str):
                    npv = np.asarray(object, dtype=dt)  # jnp.float32("1.5"), as NumPy and JAX
                else:
                    npv = np.asarray(object)
            except Exception as err:
                raise TypeError(f"Cannot convert {type(object)} to a JAX array: {err}") from None
            if npv.dtype == object_ or npv.dtype.kind in "USV" and not dtypes.is_float0(npv.dtype):
                raise TypeError(f"JAX only supports number and bool dtypes, got dtype {npv.dtype} in array")
        target = dt or dtypes.canonicalize_dtype(npv.dtype)
        if npv.dtype != target:
            with np.errstate(all="ignore"):
                npv = npv.astype(target)
        elif copy:
            npv = npv.copy()
        out = core.Array._from_np(np.asarray(npv))
    if ndmin > ndim(out):
        out = lax.broadcast_to_rank(out, ndmin)
    return out


def _flat(obj):
    if isinstance(obj, (list, tuple)):
        out = []
        for o in obj:
            out.extend(_flat(o))
        return out
    return [obj]


def _has_python_scalars_only(obj):
    return builtins.all(type(o) in (builtins.bool, int, float, builtins.complex) for o in _flat(obj))


def asarray(a, dtype=None, order=None, *, copy=None, device=None):
    """Convert ``a`` to an array without copying when it already is one."""
    if type(a) is core.Array and dtype is None:
        return a
    return array(a, dtype=dtype, copy=builtins.bool(copy), order=order or "K")


def asarray_chkfinite(a, dtype=None, order=None):
    a = asarray(a, dtype=dtype, order=order)
    if not np.isfinite(np.asarray(a)).all():
        raise ValueError("array must not contain infs or NaNs")
    return a


def from_dlpack(x, *, device=None, copy=None):
    return asarray(np.from_dlpack(x))


def frombuffer(buffer, dtype=float, count=-1, offset=0):
    return asarray(np.frombuffer(buffer, dtype=dtype, count=count, offset=offset))


def fromiter(iterable, dtype, count=-1):
    return asarray(np.fromiter(iterable, dtype=dtype, count=count))


def astype(x, dtype, /, *, copy=False, device=None):
    x = ensure_arraylike("astype", x)
    return lax._convert_element_type(x, _dtype_arg(dtype, "astype"), False)


def copy(a, order=None):
    return array(a, copy=True)


# ---------------------------------------------------------------------------------------------------
# creation
# ---------------------------------------------------------------------------------------------------

def _shape_arg(shape, name):
    if isinstance(shape, (int, np.integer)) or (isinstance(shape, (core.Array, Tracer)) and ndim(shape) == 0):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(f"Shapes must be 1D sequences of concrete values of integer type, got {shape}.") \
            from None
    if builtins.any(isinstance(d, Tracer) and not core.is_concrete(d) for d in dims):
        raise TypeError(f"Shapes must be 1D sequences of concrete values of integer type, got {dims}.\n"
                        f"The shape argument of jnp.{name} was a traced value. If using `jit`, try using "
                        f"`static_argnums` or applying `jit` to smaller subfunctions.")
    try:
        return tuple(operator.index(core.concrete_or_error(None, d)) for d in dims)
    except TypeError:
        raise TypeError(f"Shapes must be 1D sequences of concrete values of integer type, got {dims}.") \
            from None


def _dim_arg(d, what):
    """One concrete dimension (``what`` names the argument, e.g. "argument 'N' of jnp.eye()"); a traced or
    non-integer value is a TypeError, as JAX's ``core.canonicalize_dim``."""
    if isinstance(d, Tracer) and not core.is_concrete(d):
        raise TypeError(f"Shapes must be 1D sequences of concrete values of integer type, got ({d},). The "
                        f"{what} was a traced value: it sets a shape, so it must be a Python int. If using "
                        f"`jit`, mark it static with `static_argnums`/`static_argnames`.")
    try:
        return operator.index(core.concrete_or_error(None, d))
    except TypeError:
        raise TypeError(f"Shapes must be 1D sequences of concrete values of integer type, got ({d!r},). The "
                        f"{what} must be an integer.") from None


def zeros(shape, dtype=None, *, device=None, out_sharding=None):
    """An array of zeros (float32 by default)."""
    shape = _shape_arg(shape, "zeros")
    if builtins.any(d < 0 for d in shape):
        raise TypeError(f"negative dimensions are not allowed: {shape}")
    return lax.full(shape, 0, _dtype_arg(dtype, "zeros") or dtypes.default_float_dtype())


def ones(shape, dtype=None, *, device=None, out_sharding=None):
    """An array of ones (float32 by default)."""
    shape = _shape_arg(shape, "ones")
    if builtins.any(d < 0 for d in shape):
        raise TypeError(f"negative dimensions are not allowed: {shape}")
    return lax.full(shape, 1, _dtype_arg(dtype, "ones") or dtypes.default_float_dtype())


def empty(shape, dtype=None, *, device=None, out_sharding=None):
    return zeros(shape, dtype)


def full(shape, fill_value, dtype=None, *, device=None):
    shape = _shape_arg(shape, "full")
    dt = _dtype_arg(dtype, "full")
    if ndim(fill_value) == 0:
        return lax.full(shape, fill_value, dt)
    fill = asarray(fill_value, dtype=dt)
    return broadcast_to(fill, shape)


def _full_like(name, a, fill_value, dtype, shape):
    check_arraylike(name, a)
    s = _shape_arg(shape, name) if shape is not None else (
        a.shape if isinstance(a, (core.Array, Tracer)) else np.shape(a))
    dt = _dtype_arg(dtype, name) or dtypes.dtype(a, canonicalize=True)
    # like lax.full_like: a weakly typed prototype gives a weakly typed result unless dtype is given
    weak = dtype is None and dtypes.is_weakly_typed(a)
    if ndim(fill_value) == 0:
        return lax.full(s, fill_value, dt, weak_type=weak)
    return broadcast_to(asarray(fill_value, dtype=dt), s)


def zeros_like(a, dtype=None, shape=None, *, device=None):
    """An array of zeros with the shape and dtype of ``a``."""
    return _full_like("zeros_like", a, 0, dtype, shape)


def ones_like(a, dtype=None, shape=None, *, device=None):
    """An array of ones with the shape and dtype of ``a``."""
    return _full_like("ones_like", a, 1, dtype, shape)


def empty_like(prototype, dtype=None, shape=None, *, device=None):
    """Like ``zeros_like`` (JAX arrays are never uninitialised)."""
    return _full_like("empty_like", prototype, 0, dtype, shape)


def full_like(a, fill_value, dtype=None, shape=None, *, device=None):
    """An array filled with ``fill_value`` with the shape and dtype of ``a``."""
    return _full_like("full_like", a, fill_value, dtype, shape)


def arange(start, stop=None, step=None, dtype=None, *, device=None):
    """Evenly spaced values in ``[start, stop)``; the bounds must be concrete.

    As in JAX the values are computed with ``lax.iota`` (``start + step * iota`` in the result dtype,
    float32 for narrower floats), so inside a traced function they show as an ``iota`` equation.

    >>> jnp.arange(0, 2, 0.5)
    Array([0. , 0.5, 1. , 1.5], dtype=float32)
    """
    dt = _dtype_arg(dtype, "arange")
    if start is None:
        raise TypeError("jnp.arange needs a stop value (or start and stop); got None for the first argument. "
                        "Call jnp.arange(stop) or jnp.arange(start, stop[, step]) with numbers.")
    for a in (start, stop, step):
        if a is not None:
            check_arraylike("arange", a)
    msg = "It arose in the jnp.arange argument '{}'. Pass concrete (Python or NumPy) values for it."
    start_name = "stop" if stop is None and step is None else "start"
    start = core.concrete_or_error(None, start, msg.format(start_name))
    stop = None if stop is None else core.concrete_or_error(None, stop, msg.format("stop"))
    step = None if step is None else core.concrete_or_error(None, step, msg.format("step"))
    for name, val in ((start_name, start), ("stop", stop), ("step", step)):
        if val is not None and np.ndim(val) != 0:
            raise ValueError(f"jax.numpy.arange: arguments must be scalars; got {name}={val}")
    if dt is None:
        dt = dtypes.canonicalize_dtype(dtypes.result_type(*(a for a in (start, stop, step) if a is not None)))
    if builtins.any(np.iscomplexobj(a) for a in (start, stop, step) if a is not None):
        raise ValueError("Passing complex start/stop/step to jnp.arange is no longer supported starting in "
                         "JAX v0.10.0.")
    if stop is None:
        start, stop = 0, start
    if step is not None:
        # float16/bfloat16 values are computed in float32 and rounded once at the end, as JAX does
        narrow = dtypes.issubdtype(dt, np.floating) and dtypes.finfo(dt).bits < 32
        work = np.dtype(np.float32) if narrow else dt
        size = builtins.max(0, int(np.ceil((stop - start) / step)))
        ramp = lax.mul(lax.convert_element_type(step, work), lax.broadcasted_iota(work, (size,), 0))
        return lax.convert_element_type(lax.add(lax.convert_element_type(start, work), ramp), dt)
    if start == 0:
        return lax.broadcasted_iota(dt, (builtins.max(0, int(np.ceil(stop))),), 0)
    size = builtins.max(0, int(np.ceil(stop - start)))
    return lax.add(lax.convert_element_type(start, dt), lax.broadcasted_iota(dt, (size,), 0))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *, device=None):
    """``num`` evenly spaced samples over ``[start, stop]`` (start/stop may be traced).

    As in JAX, sample ``i`` is ``start * (1 - i/d) + stop * (i/d)`` with ``d = num - 1`` (``num``
    without the endpoint), so both ends are exact; the work is a nested ``jit`` named ``_linspace``.

    >>> jnp.linspace(0, 1, 5)
    Array([0.  , 0.25, 0.5 , 0.75, 1.  ], dtype=float32)
    """
    num = core.concrete_or_error(operator.index, num, "'num' argument of jnp.linspace")
    axis = core.concrete_or_error(operator.index, axis, "'axis' argument of jnp.linspace")
    return _linspace(start, stop, num=num, endpoint=endpoint, retstep=retstep,
                     dtype=_dtype_arg(dtype, "linspace"), axis=axis)


@staged_jit(static_argnames=("num", "endpoint", "retstep", "dtype", "axis"))
def _linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    # The samples are staged in the order JAX's jaxpr has them: ends converted and broadcast to a common
    # shape, the spacing (retstep), then the fractions t = iota / intervals and start*(1-t) + stop*t,
    # with the exact stop appended when it is an endpoint.
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    lo, hi = ensure_arraylike("linspace", start, stop)
    out_dt = dtypes.to_inexact_dtype(dtypes.result_type(lo, hi)) if dtype is None else dtype
    work = dtypes.to_inexact_dtype(out_dt)
    lo, hi = lax.convert_element_type(lo, work), lax.convert_element_type(hi, work)
    ends_shape = tuple(lax.broadcast_shapes(lo.shape, hi.shape))
    lo_full, hi_full = broadcast_to(lo, ends_shape), broadcast_to(hi, ends_shape)
    if axis < 0:
        axis += len(ends_shape) + 1
    with_axis = ends_shape[:axis] + (1,) + ends_shape[axis:]  # the ends with a unit sample axis
    intervals = num - 1 if endpoint else num
    if num == 0:  # NumPy's empty result, with a nan spacing
        spacing = full((), np.nan, work)
        samples = empty(with_axis[:axis] + (0,) + with_axis[axis + 1:], out_dt)
    elif num == 1:
        spacing = asarray(np.nan if endpoint else _ufuncs().subtract(hi, lo), dtype=work)
        samples = reshape(lo_full, with_axis)
    else:
        spacing = lax.div(lax.convert_element_type(lax.sub(hi, lo), work), asarray(intervals, dtype=work))
        frac_dt = dtypes.finfo(work).dtype  # the real type of a complex work type
        frac_shape = [1] * len(with_axis)
        frac_shape[axis] = intervals
        t = lax.div(reshape(lax.iota(frac_dt, intervals), frac_shape), asarray(intervals, dtype=frac_dt))
        t = lax.convert_element_type(t, work)
        samples = lax.add(lax.mul(reshape(lo_full, with_axis), _ufuncs().subtract(1, t)),
                          lax.mul(reshape(hi_full, with_axis), t))
        if endpoint:
            samples = lax.concatenate([samples, lax.expand_dims(hi_full, (axis,))], axis)
    if dtypes.issubdtype(out_dt, np.integer) and not dtypes.issubdtype(samples.dtype, np.integer):
        samples = lax.floor(samples)
    samples = lax.convert_element_type(samples, out_dt)
    return (samples, spacing) if retstep else samples


def _slice_axis(x, start, stop, axis):
    starts = [0] * x.ndim
    limits = list(x.shape)
    starts[axis] = start
    limits[axis] = stop
    return lax.slice(x, starts, limits)


def eye(N, M=None, k=0, dtype=None, *, device=None):
    """2-D array with ones on the ``k``-th diagonal (``k`` may be traced)."""
    dt = _dtype_arg(float if dtype is None else dtype, "eye")
    if isinstance(k, int):  # (a Python bool too, as in JAX)
        k = int(np.clip(k, np.iinfo(np.int32).min, np.iinfo(np.int32).max))
    offset = ensure_arraylike("eye", k)
    if not (offset.shape == () and dtypes.issubdtype(offset.dtype, np.integer)):
        raise ValueError(f"k must be a scalar integer; got {k}")
    N = _dim_arg(N, "argument 'N' of jnp.eye()")
    M = N if M is None else _dim_arg(M, "argument 'M' of jnp.eye()")
    if N < 0 or M < 0:
        raise ValueError(f"negative dimensions are not allowed, got {N} and {M}")
    i = lax.broadcasted_iota(offset.dtype, (N, M), 0)
    j = lax.broadcasted_iota(offset.dtype, (N, M), 1)
    return lax.convert_element_type(lax.eq(_ufuncs().add(i, offset), j), dt)


def identity(n, dtype=None):
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    dt = _dtype_arg(dtype, "tri") or dtypes.default_float_dtype()
    N = _dim_arg(N, "argument 'N' of jnp.tri()")
    M = N if M is None else _dim_arg(M, "argument 'M' of jnp.tri()")
    return lax.convert_element_type(
        lax.ge(lax.add(lax.broadcasted_iota(np.int32, (N, M), 0), lax._convert_element_type(k, np.int32)),
               lax.broadcasted_iota(np.int32, (N, M), 1)), dt)


@staged_jit(static_argnames=("k",))
def tril(m, k=0):
    m = ensure_arraylike("tril", m)
    if m.ndim < 2:
        raise ValueError("Argument to jax.numpy.tril must be at least 2D")
    N, M = m.shape[-2:]
    mask = tri(N, M, k=k, dtype=np.bool_)
    return lax.select(lax.broadcast(mask, m.shape[:-2]), m, lax._zeros(m))


@staged_jit(static_argnames=("k",))
def triu(m, k=0):
    m = ensure_arraylike("triu", m)
    if m.ndim < 2:
        raise ValueError("Argument to jax.numpy.triu must be at least 2D")
    N, M = m.shape[-2:]
    mask = tri(N, M, k=k - 1, dtype=np.bool_)
    return lax.select(lax.broadcast(mask, m.shape[:-2]), lax._zeros(m), m)


# ---------------------------------------------------------------------------------------------------
# shape manipulation
# ---------------------------------------------------------------------------------------------------

def _compute_newshape(size, newshape):
    newshape = [operator.index(core.concrete_or_error(None, d, "reshape sizes must be concrete"))
                for d in newshape]
    if builtins.sum(1 for d in newshape if d == -1) > 1:
        raise TypeError(f"only one axis size may be -1 (the one inferred from the others), got {tuple(newshape)}")
    if -1 in newshape:
        known = int(np.prod([d for d in newshape if d != -1], dtype=np.int64))
        if known == 0 or size % known:
            raise TypeError(f"because the product of specified axis sizes ({known}) does not evenly "
                            f"divide {size}")
        newshape = [size // known if d == -1 else d for d in newshape]
    if int(np.prod(newshape, dtype=np.int64)) != size:
        raise TypeError(f"cannot reshape array of shape {None} (size {size}) into shape {tuple(newshape)} "
                        f"(size {int(np.prod(newshape))})")
    return tuple(newshape)


def reshape(a, shape=None, order="C", *, newshape=None, copy=None, out_sharding=None):
    """Reshape ``a``; one dimension may be -1."""
    a = ensure_arraylike("reshape", a)
    if shape is None:
        shape = newshape
    if isinstance(shape, (int, np.integer)) or (isinstance(shape, (core.Array, Tracer)) and ndim(shape) == 0):
        shape = (shape,)
    if builtins.any(isinstance(d, Tracer) and not core.is_concrete(d) for d in shape):
        raise TypeError(f"cannot reshape array of shape {a.shape} into shape {tuple(shape)}: a size in the new "
                        f"shape is a traced value, but shapes are fixed when tracing. Pass Python ints (with "
                        f"jit, mark the argument static with `static_argnums`/`static_argnames`).")
    try:
        new = _compute_newshape(a.size, shape)
    except TypeError as err:
        if str(err).startswith("only one axis"):
            raise
        why = f" {err}" if str(err).startswith("because") else ""
        raise TypeError(f"cannot reshape array of shape {a.shape} (size {a.size}) into shape "
                        f"{tuple(shape)}{why}") from None
    if order == "F":
        return lax.transpose(lax.reshape(lax.transpose(a, tuple(range(a.ndim - 1, -1, -1))), new[::-1]),
                             tuple(range(len(new) - 1, -1, -1)))
    if order not in ("C", "A"):
        raise NotImplementedError(f"reshape order={order}")
    return lax.reshape(a, new)


def ravel(a, order="C"):
    a = ensure_arraylike("ravel", a)
    return reshape(a, (a.size,), order)


def transpose(a, axes=None):
    a = ensure_arraylike("transpose", a)
    axes = tuple(range(a.ndim - 1, -1, -1)) if axes is None else tuple(canonicalize_axis(i, a.ndim) for i in axes)
    if sorted(axes) != list(range(a.ndim)):
        raise TypeError(f"jnp.transpose: axes {axes} are not a permutation of the {a.ndim} axes of an array of "
                        f"shape {a.shape}; name each axis exactly once")
    return lax.transpose(a, axes)


def permute_dims(a, /, axes):
    return transpose(a, axes)


def matrix_transpose(x, /):
    x = ensure_arraylike("matrix_transpose", x)
    if x.ndim < 2:
        raise ValueError(f"x must be at least two-dimensional for matrix_transpose; got ndim={x.ndim}")
    perm = tuple(range(x.ndim - 2)) + (x.ndim - 1, x.ndim - 2)
    return lax.transpose(x, perm)


def swapaxes(a, axis1, axis2):
    a = ensure_arraylike("swapaxes", a)
    perm = list(range(a.ndim))
    i, j = canonicalize_axis(axis1, a.ndim), canonicalize_axis(axis2, a.ndim)
    perm[i], perm[j] = perm[j], perm[i]
    return lax.transpose(a, tuple(perm))


def moveaxis(a, source, destination):
    a = ensure_arraylike("moveaxis", a)
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    src = [canonicalize_axis(s, a.ndim) for s in src]
    dst = [canonicalize_axis(d, a.ndim) for d in dst]
    if len(src) != len(dst):
        raise ValueError("Inconsistent number of elements: {} vs {}".format(len(src), len(dst)))
    perm = [i for i in range(a.ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        perm.insert(d, s)
    return lax.transpose(a, tuple(perm))


def _static_axes(axis, fun_name):
    """``axis`` (an int or a sequence of them) as a tuple; a traced axis is a ConcretizationTypeError."""
    axis = core.concrete_or_error(None, axis, f"The axis argument of jnp.{fun_name} must be a static index or "
                                               f"sequence of indices.")
    return (axis,) if isinstance(axis, (int, np.integer)) or ndim(axis) == 0 else tuple(axis)


def squeeze(a, axis=None):
    a = ensure_arraylike("squeeze", a)
    if axis is None:
        axes = tuple(i for i, d in enumerate(a.shape) if d == 1)
    else:
        axes = _static_axes(axis, "squeeze")
        axes = tuple(canonicalize_axis(i, a.ndim) for i in axes)
        for i in axes:
            if a.shape[i] != 1:
                raise ValueError(f"cannot select an axis to squeeze out which has size not equal to one, "
                                 f"got shape={a.shape} and dimensions={axes}")
    return lax.squeeze(a, axes)


def expand_dims(a, axis):
    a = ensure_arraylike("expand_dims", a)
    axes = _static_axes(axis, "expand_dims")
    out_ndim = a.ndim + len(axes)
    axes = tuple(canonicalize_axis(i, out_ndim) for i in axes)
    if len(set(axes)) != len(axes):
        raise ValueError(f"repeated axis in expand_dims: {axis}")
    return lax.expand_dims(a, axes)


def broadcast_to(array, shape, *, out_sharding=None):
    """Broadcast ``array`` to ``shape`` (NumPy rules); ValueError naming both shapes if impossible."""
    arr = ensure_arraylike("broadcast_to", array)
    shape = _shape_arg(shape, "broadcast_to")
    if arr.shape == shape:
        return arr
    nlead = len(shape) - arr.ndim
    if nlead < 0 or builtins.any(d not in (1, s) for d, s in zip(arr.shape, shape[nlead:])):
        raise ValueError(f"Incompatible shapes for broadcasting: {arr.shape} and requested shape {shape}")
    # one broadcast_in_dim (size-1 dimensions stretch), as JAX's lax.broadcast_to
    return lax.broadcast_in_dim(arr, shape, tuple(range(nlead, len(shape))))


def broadcast_shapes(*shapes):
    return lax.broadcast_shapes(*[(s,) if isinstance(s, int) else tuple(s) for s in shapes])


def broadcast_arrays(*args):
    args = [ensure_arraylike("broadcast_arrays", a) for a in args]
    shape = lax.broadcast_shapes(*[a.shape for a in args])
    return [broadcast_to(a, shape) for a in args]


def atleast_1d(*arys):
    out = [ensure_arraylike("atleast_1d", a) for a in arys]
    out = [reshape(a, (1,)) if a.ndim == 0 else a for a in out]
    return out[0] if len(out) == 1 else out


def atleast_2d(*arys):
    out = []
    for a in arys:
        a = ensure_arraylike("atleast_2d", a)
        out.append(lax.broadcast_to_rank(a, 2) if a.ndim < 2 else a)
    return out[0] if len(out) == 1 else out


def atleast_3d(*arys):
    out = []
    for a in arys:
        a = ensure_arraylike("atleast_3d", a)
        if a.ndim == 0:
            a = reshape(a, (1, 1, 1))
        elif a.ndim == 1:
            a = reshape(a, (1, a.shape[0], 1))
        elif a.ndim == 2:
            a = expand_dims(a, 2)
        out.append(a)
    return out[0] if len(out) == 1 else out


def flip(m, axis=None):
    m = ensure_arraylike("flip", m)
    if axis is not None and not isinstance(axis, int):
        axis = tuple(axis)
    return _flip(m, axis)


@staged_jit(static_argnames=("axis",))
def _flip(m, axis=None):
    if axis is None:
        axes = tuple(range(m.ndim))
    else:
        axes = (axis,) if isinstance(axis, int) else axis
        axes = tuple(canonicalize_axis(a, m.ndim) for a in axes)
    return lax.rev(m, axes)


def fliplr(m):
    return flip(m, 1)


def flipud(m):
    return flip(m, 0)


def concatenate(arrays, axis=0, dtype=None):
    """Join arrays along ``axis`` (``axis=None`` flattens first)."""
    if isinstance(arrays, (core.Array, Tracer)):
        arrays = list(arrays)
    arrays = list(arrays)
    if not arrays:
        raise ValueError("Need at least one array to concatenate.")
    check_arraylike("concatenate", *arrays)
    if axis is None:
        return concatenate([ravel(a) for a in arrays], 0, dtype)
    arrays = [_to_array(a) for a in arrays]
    if builtins.any(a.ndim == 0 for a in arrays):
        raise ValueError("Zero-dimensional arrays cannot be concatenated.")
    ax = canonicalize_axis(axis, arrays[0].ndim)
    arrays = promote_dtypes(*arrays)
    if dtype is not None:
        arrays = [lax.convert_element_type(a, _dtype_arg(dtype)) for a in arrays]
    return lax.concatenate(arrays, ax)


concat = concatenate


def stack(arrays, axis=0, out=None, dtype=None):
    """Join arrays along a new axis."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.stack is not supported.")
    if isinstance(arrays, (core.Array, Tracer, np.ndarray)):
        arrays = _to_array(arrays) if not isinstance(arrays, np.ndarray) else asarray(arrays)
        ax = canonicalize_axis(axis, arrays.ndim)
        return concatenate(expand_dims(arrays, ax + 1), axis=ax, dtype=dtype)
    arrays = list(arrays)
    if not arrays:
        raise ValueError("Need at least one array to stack.")
    check_arraylike("stack", *arrays)
    if dtype is not None:
        arrays = [asarray(a, dtype=dtype) for a in arrays]
    else:
        arrays = promote_dtypes(*arrays)
    shape0 = arrays[0].shape
    for a in arrays[1:]:
        if a.shape != shape0:
            raise ValueError("All input arrays must have the same shape.")
    return lax.stack(arrays, axis=axis)


def unstack(x, /, *, axis=0):
    """Split ``x`` into the tuple of its slices along ``axis``."""
    x = ensure_arraylike("unstack", x)
    if x.ndim == 0:
        raise ValueError("Unstack requires arrays with rank > 0, however a scalar array was passed.")
    return lax.unstack(x, canonicalize_axis(axis, x.ndim))


def hstack(tup, dtype=None):
    arrs = atleast_1d(*tup)
    arrs = [arrs] if not isinstance(arrs, list) else arrs
    return concatenate(arrs, 0 if arrs[0].ndim == 1 else 1, dtype)


def vstack(tup, dtype=None):
    arrs = atleast_2d(*tup)
    arrs = [arrs] if not isinstance(arrs, list) else arrs
    return concatenate(arrs, 0, dtype)


def dstack(tup, dtype=None):
    arrs = atleast_3d(*tup)
    arrs = [arrs] if not isinstance(arrs, list) else arrs
    return concatenate(arrs, 2, dtype)


def column_stack(tup):
    arrs = [ensure_arraylike("column_stack", a) for a in tup]
    arrs = [a.reshape(-1, 1) if a.ndim < 2 else a for a in arrs]
    return concatenate(arrs, 1)


def _split(name, ary, indices_or_sections, axis, strict):
    ary = ensure_arraylike(name, ary)
    axis = canonicalize_axis(axis, ary.ndim)
    size = ary.shape[axis]
    if isinstance(indices_or_sections, (tuple, list)) or (
            isinstance(indices_or_sections, (np.ndarray, core.Array)) and np.ndim(indices_or_sections) > 0):
        split_indices = [0] + [int(i) for i in np.asarray(indices_or_sections)] + [size]
    else:
        n = core.concrete_or_error(int, indices_or_sections, f"in jnp.{name} the number of sections")
        if n <= 0:
            raise ValueError("number sections must be larger than 0.")
        if strict and size % n:
            raise ValueError("array split does not result in an equal division")
        part, r = builtins.divmod(size, n)
        sizes = [part + 1] * r + [part] * (n - r)
        split_indices = list(np.cumsum([0] + sizes))
    # one split primitive with np.int64 sizes, as JAX (indices out of order or range are an error there)
    from jaxlite._src.lax.misc import split as _lax_split
    return list(_lax_split(ary, [np.int64(p) for p in np.diff(np.asarray(split_indices, np.int64))], axis=axis))


def split(ary, indices_or_sections, axis=0):
    return _split("split", ary, indices_or_sections, axis, True)


def array_split(ary, indices_or_sections, axis=0):
    return _split("array_split", ary, indices_or_sections, axis, False)


def hsplit(ary, indices_or_sections):
    a = ensure_arraylike("hsplit", ary)
    return split(a, indices_or_sections, axis=1 if a.ndim > 1 else 0)


def vsplit(ary, indices_or_sections):
    return split(ary, indices_or_sections, axis=0)


def _unstack(x):
    """The rows of ``x`` (used by iteration over traced arrays). JAX slices each row with explicit unit
    strides, which its jaxprs show (``strides=(1,)``), unlike indexing (``strides=None``)."""
    from jaxlite._src.lax.shapes import slice_p
    shape = tuple(x.shape)
    rest = (0,) * (len(shape) - 1)
    return [lax.squeeze(slice_p.bind(x, start_indices=(i, *rest), limit_indices=(i + 1, *shape[1:]),
                                     strides=(1,) * len(shape)), (0,)) for i in range(shape[0])]


# ---------------------------------------------------------------------------------------------------
# where / clip
# ---------------------------------------------------------------------------------------------------

def where(condition, x=None, y=None, /, *, size=None, fill_value=None):
    """``x`` where ``condition`` else ``y`` (elementwise, broadcast); one-argument form is ``nonzero``."""
    if x is None and y is None:
        from jaxlite._src.numpy import setops
        return setops.nonzero(condition, size=size, fill_value=fill_value)
    if x is None or y is None:
        raise TypeError("jnp.where takes either one argument (the nonzero indices of the condition) or three "
                        f"(condition, x, y); got x={x!r} and y={y!r}.")
    return _where(condition, x, y)


@staged_jit
def _where(condition, x, y):
    condition, x, y = ensure_arraylike("where", condition, x, y)
    if condition.dtype != np.bool_:
        condition = lax.ne(condition, lax._zeros(condition))
    x, y = promote_dtypes(x, y)
    if condition.ndim == 0:
        # lax.select takes a scalar predicate without broadcasting it
        x, y = broadcast_arrays(x, y)
    else:
        condition, x, y = broadcast_arrays(condition, x, y)
    return lax.select(condition, x, y)


@staged_jit
def clip(arr=None, /, min=None, max=None):
    """Clip values into ``[min, max]`` (either bound may be None; where min > max, max wins). NumPy's
    old ``a``/``a_min``/``a_max`` keywords are gone, as in JAX 0.10."""
    if arr is None:
        raise ValueError("No input was provided to the clip function.")
    check_arraylike("clip", arr)
    if builtins.any(iscomplexobj(t) for t in (arr, min, max) if t is not None):
        raise ValueError("Clip received a complex value either through the input or the min/max keywords. "
                         "Complex values have no ordering and cannot be clipped. Please convert to a real "
                         "value or array by taking the real or imaginary components via "
                         "jax.numpy.real/imag respectively.")
    from jaxlite._src.numpy import ufuncs
    if min is not None:
        arr = ufuncs.maximum(min, arr)
    if max is not None:
        arr = ufuncs.minimum(max, arr)
    return asarray(arr)


# ---------------------------------------------------------------------------------------------------
# products
# ---------------------------------------------------------------------------------------------------

def _pet(a, b):
    return dtypes.result_type(a, b)


def matmul(a, b, *, precision=None, preferred_element_type=None, out_sharding=None):
    """Matrix product with NumPy's broadcasting of batch dimensions."""
    check_arraylike("matmul", a, b)
    a, b = _to_array(a), _to_array(b)
    for i, x in enumerate((a, b)):
        if x.ndim < 1:
            raise ValueError(f"matmul input operand {i} must have ndim at least 1, but it has ndim 0")
    pet = _dtype_arg(preferred_element_type) or dtypes.result_type(a, b)
    weak = dtypes.is_weakly_typed(a) and dtypes.is_weakly_typed(b) and preferred_element_type is None
    a = lax._convert_element_type(a, pet, weak) if a.dtype != pet else a
    b = lax._convert_element_type(b, pet, weak) if b.dtype != pet else b
    a_is_vec, b_is_vec = a.ndim == 1, b.ndim == 1
    k_a, k_b = a.shape[-1], b.shape[0 if b_is_vec else -2]
    if k_a != k_b:
        raise TypeError(f"jnp.matmul: the contracted dimensions differ: the last axis of a {a.shape} has size "
                        f"{k_a}, the {'only' if b_is_vec else 'second-to-last'} axis of b {b.shape} has size "
                        f"{k_b}. Transpose or reshape one operand so that they match.")
    if a_is_vec and b_is_vec:
        return lax.dot_general(a, b, (((0,), (0,)), ((), ())), precision, pet)
    if b_is_vec:
        return lax.dot_general(a, b, (((a.ndim - 1,), (0,)), ((), ())), precision, pet)
    if a_is_vec:
        out = lax.dot_general(a, b, (((0,), (b.ndim - 2,)), ((), ())), precision, pet)
        return out
    if b.ndim == 2:
        return lax.dot_general(a, b, (((a.ndim - 1,), (0,)), ((), ())), precision, pet)
    if a.ndim == 2 and b.ndim > 2:
        # contract, then move a's row dim next to the end
        out = lax.dot_general(a, b, (((1,), (b.ndim - 2,)), ((), ())), precision, pet)
        perm = tuple(range(1, b.ndim - 1)) + (0, b.ndim - 1)
        return lax.transpose(out, perm)
    # batched: broadcast batch dims
    batch = lax.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = broadcast_to(a, batch + a.shape[-2:])
    b = broadcast_to(b, batch + b.shape[-2:])
    nb = len(batch)
    return lax.dot_general(a, b, (((nb + 1,), (nb,)), (tuple(range(nb)), tuple(range(nb)))), precision, pet)


def dot(a, b, *, precision=None, preferred_element_type=None, out_sharding=None):
    """NumPy's dot: scalars multiply; otherwise contract a's last dim with b's second-to-last."""
    check_arraylike("dot", a, b)
    a, b = _to_array(a), _to_array(b)
    pet = _dtype_arg(preferred_element_type) or dtypes.result_type(a, b)
    if a.ndim == 0 or b.ndim == 0:
        from jaxlite._src.numpy.ufuncs import multiply
        return multiply(a, b)
    a = lax._convert_element_type(a, pet, False) if a.dtype != pet else a
    b = lax._convert_element_type(b, pet, False) if b.dtype != pet else b
    contract_b = 0 if b.ndim == 1 else b.ndim - 2
    if a.shape[-1] != b.shape[contract_b]:
        raise TypeError(f"Incompatible shapes for dot: got {a.shape} and {b.shape}.")
    return lax.dot_general(a, b, (((a.ndim - 1,), (contract_b,)), ((), ())), precision, pet)


def vdot(a, b, *, precision=None, preferred_element_type=None):
    a, b = ensure_arraylike("vdot", a, b)
    if dtypes.issubdtype(a.dtype, np.complexfloating):
        a = lax.conj(a)
    return dot(ravel(a), ravel(b), precision=precision, preferred_element_type=preferred_element_type)


def inner(a, b, *, precision=None, preferred_element_type=None):
    a, b = ensure_arraylike("inner", a, b)
    if a.ndim == 0 or b.ndim == 0:
        from jaxlite._src.numpy.ufuncs import multiply
        return multiply(a, b)
    return tensordot(a, b, (-1, -1), precision=precision, preferred_element_type=preferred_element_type)


def outer(a, b, out=None):
    a, b = ensure_arraylike("outer", a, b)
    from jaxlite._src.numpy.ufuncs import multiply
    return multiply(reshape(ravel(a), (-1, 1)), ravel(b))


def tensordot(a, b, axes=2, *, precision=None, preferred_element_type=None):
    a, b = ensure_arraylike("tensordot", a, b)
    pet = _dtype_arg(preferred_element_type) or dtypes.result_type(a, b)
    a = lax._convert_element_type(a, pet, False) if a.dtype != pet else a
    b = lax._convert_element_type(b, pet, False) if b.dtype != pet else b
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if n > builtins.min(a.ndim, b.ndim):
            raise TypeError(f"Number of tensordot axes (axes {n}) exceeds input ranks ({a.shape} and {b.shape})")
        ca = tuple(range(a.ndim - n, a.ndim))
        cb = tuple(range(n))
    else:
        ax_a, ax_b = axes
        ax_a = (ax_a,) if isinstance(ax_a, (int, np.integer)) else tuple(ax_a)
        ax_b = (ax_b,) if isinstance(ax_b, (int, np.integer)) else tuple(ax_b)
        if len(ax_a) != len(ax_b):
            raise TypeError(f"tensordot requires axes lists to have equal length, got {ax_a} and {ax_b}.")
        ca = tuple(canonicalize_axis(i, a.ndim) for i in ax_a)
        cb = tuple(canonicalize_axis(i, b.ndim) for i in ax_b)
    return lax.dot_general(a, b, ((ca, cb), ((), ())), precision, pet)


# ---------------------------------------------------------------------------------------------------
# comparisons of whole arrays
# ---------------------------------------------------------------------------------------------------

def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    from jaxlite._src.numpy import ufuncs
    a, b = promote_args("isclose", a, b)
    dt = a.dtype
    if dtypes.issubdtype(dt, np.inexact):
        rtol_ = lax._convert_element_type(rtol, dtypes.to_inexact_dtype(dt) if not
                                          dtypes.issubdtype(dt, np.complexfloating) else
                                          np.dtype(np.float32 if dt == np.complex64 else np.float64))
        atol_ = lax._convert_element_type(atol, rtol_.dtype)
        diff = ufuncs.abs(ufuncs.subtract(a, b))
        out = lax.le(diff, ufuncs.add(atol_, ufuncs.multiply(rtol_, ufuncs.abs(b))))
        both_inf = ufuncs.logical_and(ufuncs.isinf(a), ufuncs.isinf(b))
        out = lax.select(both_inf if out.shape == both_inf.shape else broadcast_to(both_inf, out.shape),
                         broadcast_to(ufuncs.equal(a, b), out.shape), out)
        if equal_nan:
            out = ufuncs.logical_or(out, ufuncs.logical_and(ufuncs.isnan(a), ufuncs.isnan(b)))
        return out
    return ufuncs.equal(a, b)


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    from jaxlite._src.numpy import reductions
    return reductions.all(isclose(a, b, rtol, atol, equal_nan))


def array_equal(a1, a2, equal_nan=False):
    from jaxlite._src.numpy import reductions, ufuncs
    try:
        a1, a2 = asarray(a1), asarray(a2)
    except Exception:
        return False
    if a1.shape != a2.shape:
        return asarray(False)
    eq = ufuncs.equal(a1, a2)
    if equal_nan:
        eq = ufuncs.logical_or(eq, ufuncs.logical_and(ufuncs.isnan(a1), ufuncs.isnan(a2)))
    return reductions.all(eq)


def array_equiv(a1, a2):
    from jaxlite._src.numpy import reductions, ufuncs
    a1, a2 = asarray(a1), asarray(a2)
    try:
        eq = ufuncs.equal(a1, a2)
    except ValueError:
        return asarray(False)
    return reductions.all(eq)


# ---------------------------------------------------------------------------------------------------
# diagonals and grids
# ---------------------------------------------------------------------------------------------------

def diagonal(a, offset=0, axis1=0, axis2=1):
    """The ``offset`` diagonal of ``a`` over ``axis1``/``axis2``, as the last axis."""
    a = ensure_arraylike("diagonal", a)
    a = moveaxis(a, (axis1, axis2), (-2, -1))
    n, m = a.shape[-2:]
    if offset >= 0:
        k = builtins.max(0, builtins.min(n, m - offset))
        rows = np.arange(k)
        cols = rows + offset
    else:
        k = builtins.max(0, builtins.min(n + offset, m))
        cols = np.arange(k)
        rows = cols - offset
    flat = reshape(a, a.shape[:-2] + (n * m,))
    if k == 0:
        return lax.slice(flat, (0,) * flat.ndim, flat.shape[:-1] + (0,))
    # the diagonal of an (n, m) matrix is a strided slice of its flattening
    start = int(rows[0] * m + cols[0])
    stop = int(rows[-1] * m + cols[-1]) + 1
    return lax.slice(flat, (0,) * (flat.ndim - 1) + (start,), flat.shape[:-1] + (stop,),
                     (1,) * (flat.ndim - 1) + (m + 1,))


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    from jaxlite._src.numpy import reductions
    return reductions.sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


def diag(v, k=0):
    """1-D ``v``: a matrix with ``v`` on diagonal ``k``; 2-D ``v``: its ``k``-th diagonal."""
    v = ensure_arraylike("diag", v)
    k = operator.index(k)
    if v.ndim == 1:
        n = v.shape[0] + builtins.abs(k)
        zero = lax._convert_element_type(0, v.dtype)
        padded = lax.pad(v, zero, [(builtins.abs(k), 0, 0)])
        full_v = lax.broadcast_in_dim(padded, (n, n), (1,) if k >= 0 else (0,))
        return lax.select(eye(n, k=k, dtype=np.bool_), full_v, lax.full((n, n), 0, v.dtype))
    if v.ndim == 2:
        return diagonal(v, k)
    raise ValueError("diag input must be 1d or 2d")


def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """Coordinate grids from 1-D arrays (each input broadcast along its own axis)."""
    args = [ensure_arraylike("meshgrid", x) for x in xi]
    if not copy:
        raise ValueError("jax.numpy.meshgrid only supports copy=True")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"Valid values for indexing are 'xy' and 'ij', got {indexing}")
    if builtins.any(a.ndim != 1 for a in args):
        raise ValueError(f"Arguments to jax.numpy.meshgrid must be 1D, got shapes {[a.shape for a in args]}")
    # 'xy' indexing is 'ij' with the first two inputs (and outputs) swapped
    if indexing == "xy" and len(args) >= 2:
        args[0], args[1] = args[1], args[0]
    shape = [1 if sparse else a.shape[0] for a in args]
    out = [lax.broadcast_in_dim(a, (*shape[:i], a.shape[0], *shape[i + 1:]) if sparse else tuple(shape), (i,))
           for i, a in enumerate(args)]
    if indexing == "xy" and len(args) >= 2:
        out[0], out[1] = out[1], out[0]
    return out


def indices(dimensions, dtype=None, sparse=False):
    """Index grids of shape ``dimensions`` (stacked, or a tuple of broadcastable arrays if ``sparse``)."""
    dt = _dtype_arg(int if dtype is None else dtype, "indices")
    dimensions = tuple(core.concrete_or_error(operator.index, d, "dimensions argument of jnp.indices")
                       for d in dimensions)
    n = len(dimensions)
    out = []
    for i, d in enumerate(dimensions):
        shape = (1,) * i + (d,) + (1,) * (n - i - 1) if sparse else dimensions
        out.append(lax.broadcast_in_dim(lax.iota(dt, d), shape, (i,)))
    if sparse:
        return tuple(out)
    return stack(out, 0) if out else array([], dtype=dt)


def save(file, arr, allow_pickle=True):
    np.save(file, np.asarray(arr), allow_pickle=allow_pickle)


def load(file, *args, **kwargs):
    out = np.load(file, *args, **kwargs)
    return asarray(out) if isinstance(out, np.ndarray) else out


# ---------------------------------------------------------------------------------------------------
# breadth: creation
# ---------------------------------------------------------------------------------------------------

def _ufuncs():
    from jaxlite._src.numpy import ufuncs
    return ufuncs


def _reductions():
    from jaxlite._src.numpy import reductions
    return reductions


def _statistics():
    from jaxlite._src.numpy import statistics
    return statistics


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """``base ** linspace(start, stop, num)`` (a nested ``jit`` named ``_logspace``, as in JAX).

    >>> jnp.logspace(0, 2, 3)
    Array([  1.,  10., 100.], dtype=float32)
    """
    num = core.concrete_or_error(operator.index, num, "'num' argument of jnp.logspace")
    axis = core.concrete_or_error(operator.index, axis, "'axis' argument of jnp.logspace")
    return _logspace(start, stop, num=num, endpoint=endpoint, base=base,
                     dtype=_dtype_arg(dtype, "logspace"), axis=axis)


@staged_jit(static_argnames=("num", "endpoint", "dtype", "axis"))
def _logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    if dtype is None:
        dtype = dtypes.to_inexact_dtype(dtypes.result_type(start, stop))
    computation_dtype = dtypes.to_inexact_dtype(dtype)
    start, stop = ensure_arraylike("logspace", start, stop)
    start = lax.convert_element_type(start, computation_dtype)
    stop = lax.convert_element_type(stop, computation_dtype)
    lin = linspace(start, stop, num, endpoint=endpoint, retstep=False, dtype=None, axis=axis)
    return lax.convert_element_type(_ufuncs().power(base, lin), dtype)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """Numbers spaced evenly on a log scale from ``start`` to ``stop`` (``sign * 10 ** linspace`` of
    the log10 bounds; a nested ``jit`` named ``_geomspace``, as in JAX).

    >>> jnp.geomspace(1, 100, 3)
    Array([  1.,  10., 100.], dtype=float32)
    """
    num = core.concrete_or_error(operator.index, num, "'num' argument of jnp.geomspace")
    axis = core.concrete_or_error(operator.index, axis, "'axis' argument of jnp.geomspace")
    return _geomspace(start, stop, num=num, endpoint=endpoint, dtype=_dtype_arg(dtype, "geomspace"),
                      axis=axis)


@staged_jit(static_argnames=("num", "endpoint", "dtype", "axis"))
def _geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    if dtype is None:
        dtype = dtypes.to_inexact_dtype(dtypes.result_type(start, stop))
    computation_dtype = dtypes.to_inexact_dtype(dtype)
    start, stop = ensure_arraylike("geomspace", start, stop)
    start = lax.convert_element_type(start, computation_dtype)
    stop = lax.convert_element_type(stop, computation_dtype)
    u = _ufuncs()
    sign = u.sign(start)
    res = u.multiply(sign, logspace(u.log10(lax.div(start, sign)), u.log10(lax.div(stop, sign)), num,
                                    endpoint=endpoint, base=10.0, dtype=computation_dtype, axis=0))
    axis = canonicalize_axis(axis, res.ndim)
    if axis != 0:
        res = lax.transpose(res, (*range(1, axis + 1), 0, *range(axis + 1, res.ndim)))
    return lax.convert_element_type(res, dtype)


def fromfunction(function, shape, *, dtype=float, **kwargs):
    """``function(*indices)`` where the index arrays have ``shape`` (evaluated once, vectorised)."""
    shape = _shape_arg(shape, "fromfunction")
    return function(*indices(shape, dtype=dtype), **kwargs)


def diagflat(v, k=0):
    """A 2-D array with the flattened ``v`` on diagonal ``k``."""
    v = ensure_arraylike("diagflat", v)
    return diag(ravel(v), k)


# ---------------------------------------------------------------------------------------------------
# breadth: shape manipulation
# ---------------------------------------------------------------------------------------------------

def rollaxis(a, axis, start=0):
    """Move ``axis`` so that it lies before position ``start`` (prefer ``moveaxis``)."""
    a = ensure_arraylike("rollaxis", a)
    n = a.ndim
    axis = canonicalize_axis(axis, n)
    if not -n <= start <= n:
        raise ValueError(f"start={start} must satisfy {-n}<=start<={n}")
    if start < 0:
        start += n
    if start > axis:
        start -= 1
    return moveaxis(a, axis, start)


def roll(a, shift, axis=None):
    """Roll elements along ``axis`` (the flattened array when None); ``shift`` may be traced."""
    a = ensure_arraylike("roll", a)
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), a.shape)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    axes = tuple(canonicalize_axis(ax, a.ndim) for ax in axes)
    if core.is_concrete(shift) and not isinstance(shift, Tracer):
        shifts = np.broadcast_to(np.asarray(shift), (len(axes),)) if np.ndim(shift) else [shift] * len(axes)
        if np.ndim(shift) and len(np.atleast_1d(shift)) != len(axes):
            shifts = np.broadcast_arrays(np.asarray(shift), np.asarray(axes))[0]
        for sh, ax in zip(shifts, axes):
            n = a.shape[ax]
            if n == 0:
                continue
            sh = int(sh) % n
            if sh:
                a = lax.concatenate([_slice_axis(a, n - sh, n, ax), _slice_axis(a, 0, n - sh, ax)], ax)
        return a
    from jaxlite._src.numpy.indexing import take
    shift = ensure_arraylike("roll", shift)
    shifts = broadcast_to(shift, (len(axes),)) if shift.ndim else [shift] * len(axes)
    for i, ax in enumerate(axes):
        n = a.shape[ax]
        sh = shifts[i]
        idx = _ufuncs().remainder(lax.sub(lax.iota(sh.dtype, n), sh), n)
        a = take(a, idx, axis=ax)
    return a


def rot90(m, k=1, axes=(0, 1)):
    """Rotate ``m`` by 90 degrees ``k`` times in the plane of ``axes``."""
    m = ensure_arraylike("rot90", m)
    ax1, ax2 = (canonicalize_axis(ax, m.ndim) for ax in axes)
    if ax1 == ax2:
        raise ValueError("Axes must be different")
    k = operator.index(k) % 4
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, ax1), ax2)
    perm = list(range(m.ndim))
    perm[ax1], perm[ax2] = perm[ax2], perm[ax1]
    if k == 1:
        return transpose(flip(m, ax2), perm)
    return flip(transpose(m, perm), ax2)


def tile(A, reps):
    """Repeat ``A`` ``reps`` times along each axis."""
    A = ensure_arraylike("tile", A)
    try:
        reps = (operator.index(reps),) if isinstance(reps, (int, np.integer)) else tuple(
            operator.index(core.concrete_or_error(None, r, "the reps argument of jnp.tile")) for r in reps)
    except TypeError as e:
        if isinstance(e, core.ConcretizationTypeError):
            raise
        raise TypeError(f"jnp.tile: reps must be an int or a sequence of ints, got {reps!r}") from None
    nd = builtins.max(len(reps), A.ndim)
    reps = (1,) * (nd - len(reps)) + reps
    A = reshape(A, (1,) * (nd - A.ndim) + A.shape)
    # broadcast each axis against a new leading repeat axis, then merge them
    shape_b = []
    bdims = []
    for i, (r, d) in enumerate(zip(reps, A.shape)):
        shape_b += [r, d]
        bdims.append(2 * i + 1)
    out = lax.broadcast_in_dim(A, tuple(shape_b), tuple(bdims))
    return reshape(out, tuple(r * d for r, d in zip(reps, A.shape)))


def repeat(a, repeats, axis=None, *, total_repeat_length=None, out_sharding=None):
    """Repeat elements of ``a``; with traced ``repeats`` pass ``total_repeat_length``."""
    a = ensure_arraylike("repeat", a)
    if axis is None:
        a = ravel(a)
        axis = 0
    axis = canonicalize_axis(axis, a.ndim)
    n = a.shape[axis]
    if core.is_concrete(repeats) and not isinstance(repeats, Tracer):
        r = np.asarray(core.concrete_or_error(None, repeats))
        if r.ndim == 0:
            r_int = int(r)
            if total_repeat_length is not None and total_repeat_length != n * r_int:
                r = np.full(n, r_int)
            else:
                shape = list(a.shape)
                shape.insert(axis + 1, r_int)
                bdims = tuple(i if i <= axis else i + 1 for i in range(a.ndim))
                out = lax.broadcast_in_dim(a, tuple(shape), bdims)
                shape[axis] *= r_int
                del shape[axis + 1]
                return reshape(out, tuple(shape))
        if r.shape != (n,):
            raise ValueError(f"repeats shape {r.shape} does not match the size {n} of axis {axis}")
        idx = np.repeat(np.arange(n), r)
        if total_repeat_length is not None:
            idx = np.concatenate([idx, np.full(builtins.max(total_repeat_length - len(idx), 0),
                                               idx[-1] if len(idx) else 0)])[:total_repeat_length]
        from jaxlite._src.numpy.indexing import take
        return take(a, asarray(idx.astype(np.int32)), axis=axis)
    if total_repeat_length is None:
        raise core.ConcretizationTypeError(repeats, "jnp.repeat with traced repeats needs the static "
                                           "total_repeat_length argument (the output size).")
    repeats = broadcast_to(ensure_arraylike("repeat", repeats), (n,))
    from jaxlite._src.numpy.sorting import searchsorted
    from jaxlite._src.numpy.indexing import take
    ends = _reductions().cumsum(repeats) if hasattr(_reductions(), "cumsum") else \
        __import__("jaxlite.numpy", fromlist=["cumsum"]).cumsum(repeats)
    pos = lax.iota(ends.dtype, total_repeat_length)
    idx = searchsorted(ends, pos, side="right")
    idx = lax.min(idx, lax._convert_element_type(n - 1, idx.dtype))
    return take(a, idx, axis=axis)


def resize(a, new_shape):
    """A new array of ``new_shape`` filled by repeating ``a`` (C order)."""
    a = ensure_arraylike("resize", a)
    new_shape = _shape_arg(new_shape, "resize")
    size = int(np.prod(new_shape, dtype=np.int64))
    flat = ravel(a)
    if a.size == 0 or size == 0:
        return zeros(new_shape, a.dtype)
    reps = -(-size // a.size)
    flat = _slice_axis(tile(flat, reps) if reps > 1 else flat, 0, size, 0)
    return reshape(flat, new_shape)


def append(arr, values, axis=None):
    """Append ``values`` to the end of ``arr`` (both flattened when ``axis`` is None)."""
    arr, values = ensure_arraylike("append", arr, values)
    if axis is None:
        return concatenate([ravel(arr), ravel(values)], 0)
    return concatenate([arr, values], axis)


def delete(arr, obj, axis=None, *, assume_unique_indices=False):
    """``arr`` without the entries ``obj`` (static index, slice or index array) along ``axis``."""
    arr = ensure_arraylike("delete", arr)
    if axis is None:
        arr = ravel(arr)
        axis = 0
    axis = canonicalize_axis(axis, arr.ndim)
    n = arr.shape[axis]
    if isinstance(obj, builtins.slice):
        drop = np.arange(n)[obj]
    else:
        obj = core.concrete_or_error(None, obj, "jnp.delete needs a concrete `obj` (index or indices)")
        drop = np.asarray(obj)
        if drop.dtype == np.bool_:
            if drop.shape != (n,):
                raise ValueError(f"boolean array argument obj to delete must be one dimensional and match "
                                 f"the axis length of {n}")
            drop = np.nonzero(drop)[0]
        drop = drop.astype(np.int64)
        if np.any((drop < -n) | (drop >= n)):
            raise IndexError(f"index out of bounds for axis {axis} with size {n}")
        drop = drop % n if n else drop
    keep = np.setdiff1d(np.arange(n), drop)
    from jaxlite._src.numpy.indexing import take
    return take(arr, asarray(keep.astype(np.int32)), axis=axis)


def insert(arr, obj, values, axis=None):
    """``arr`` with ``values`` inserted before the static index/indices ``obj`` along ``axis``."""
    arr = ensure_arraylike("insert", arr)
    values = asarray(values)
    if axis is None:
        arr = ravel(arr)
        axis = 0
    axis = canonicalize_axis(axis, arr.ndim)
    n = arr.shape[axis]
    if isinstance(obj, builtins.slice):
        idx = np.arange(n + 1)[obj]
        scalar = False
    else:
        obj = np.asarray(core.concrete_or_error(None, obj, "jnp.insert needs a concrete `obj`"))
        if obj.dtype.kind not in "iu":
            raise IndexError("index array argument obj to insert must be one dimensional or scalar")
        scalar = obj.ndim == 0
        idx = np.atleast_1d(obj).astype(np.int64)
        idx = np.where(idx < 0, idx + n, idx)
        if np.any((idx < 0) | (idx > n)):
            raise IndexError(f"index out of bounds for axis {axis} with size {n}")
    values = lax._convert_element_type(values, arr.dtype, False)
    vshape = list(arr.shape)
    if scalar:
        # a scalar index inserts values as a whole slab
        vals = values if values.ndim == arr.ndim else moveaxis(expand_dims(values, 0), 0, axis) \
            if values.ndim < arr.ndim else values
        if vals.ndim < arr.ndim:
            vals = reshape(vals, (1,) * (arr.ndim - vals.ndim) + vals.shape)
        k = vals.shape[axis] if vals.ndim == arr.ndim else 1
        vshape[axis] = k
        vals = broadcast_to(vals, tuple(vshape))
        idx = np.full(k, idx[0])
    else:
        vshape[axis] = len(idx)
        vals = values
        if vals.ndim == 1 and arr.ndim > 1 and vals.shape[0] == len(idx):
            vals = moveaxis(reshape(vals, (len(idx),) + (1,) * (arr.ndim - 1)), 0, axis)
        vals = broadcast_to(vals, tuple(vshape))
    order = np.argsort(np.concatenate([np.arange(n), idx - 0.5]), kind="stable")
    from jaxlite._src.numpy.indexing import take
    both = concatenate([arr, vals], axis)
    return take(both, asarray(order.astype(np.int32)), axis=axis)


def trim_zeros(filt, trim="fb"):
    """Trim leading ('f') and/or trailing ('b') zeros of a 1-D array (needs concrete values)."""
    filt = ensure_arraylike("trim_zeros", filt)
    v = np.asarray(core.concrete_or_error(None, filt, "Error arose in the `filt` argument of trim_zeros()"))
    if v.ndim != 1:
        raise TypeError("trim_zeros requires a 1-D array")
    nz = np.nonzero(v)[0]
    if nz.size == 0:
        return _slice_axis(filt, 0, 0, 0)
    start = int(nz[0]) if "f" in trim.lower() else 0
    stop = int(nz[-1]) + 1 if "b" in trim.lower() else v.size
    return _slice_axis(filt, start, stop, 0)


def block(arrays):
    """Assemble an array from nested lists of blocks."""
    def depth(x):
        return 1 + depth(x[0]) if isinstance(x, list) and x else (1 if isinstance(x, list) else 0)

    def rec(x, d, max_depth):
        if isinstance(x, list):
            if not x:
                raise ValueError("Lists cannot be empty")
            parts = [rec(e, d + 1, max_depth) for e in x]
            nd = builtins.max(builtins.max(p.ndim for p in parts), max_depth)
            parts = [reshape(p, (1,) * (nd - p.ndim) + p.shape) for p in parts]
            return concatenate(parts, axis=-(max_depth - d))
        if isinstance(x, tuple):
            raise TypeError("jnp.block does not allow tuples")
        return asarray(x)
    if not isinstance(arrays, list):
        return asarray(arrays)
    max_depth = depth(arrays)
    return rec(arrays, 0, max_depth)


__all__ += ["logspace", "geomspace", "fromfunction", "diagflat", "rollaxis", "roll", "rot90", "tile", "repeat",
            "resize", "append", "delete", "insert", "trim_zeros", "block"]


# ---------------------------------------------------------------------------------------------------
# breadth: math
# ---------------------------------------------------------------------------------------------------

def diff(a, n=1, axis=-1, prepend=None, append=None):
    """``n``-th discrete difference along ``axis`` (optionally after prepending/appending values)."""
    a = ensure_arraylike("diff", a)
    n = operator.index(n)
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n}")
    if n == 0:
        return a
    if a.ndim == 0:
        raise ValueError(f"diff requires input that is at least one dimensional; got {a}")
    axis = canonicalize_axis(axis, a.ndim)
    if prepend is not None or append is not None:
        seq = ([asarray(prepend)] if prepend is not None else []) + [a] + (
            [asarray(append)] if append is not None else [])
        seq = [broadcast_to(v, a.shape[:axis] + (1,) + a.shape[axis + 1:]) if v.ndim == 0 else v for v in seq]
        a = concatenate(seq, axis)
    for _ in range(n):
        m = a.shape[axis]
        hi, lo = _slice_axis(a, 1, m, axis), _slice_axis(a, 0, builtins.max(m - 1, 0), axis)
        a = lax.bitwise_xor(hi, lo) if a.dtype == np.bool_ else _ufuncs().subtract(hi, lo)
    return a


def ediff1d(ary, to_end=None, to_begin=None):
    """Differences of the flattened array, with optional values before/after."""
    ary = ravel(ensure_arraylike("ediff1d", ary))
    out = _ufuncs().subtract(_slice_axis(ary, 1, ary.shape[0], 0), _slice_axis(ary, 0, builtins.max(
        ary.shape[0] - 1, 0), 0))
    parts = []
    if to_begin is not None:
        parts.append(ravel(asarray(to_begin, dtype=out.dtype)))
    parts.append(out)
    if to_end is not None:
        parts.append(ravel(asarray(to_end, dtype=out.dtype)))
    return concatenate(parts) if len(parts) > 1 else out


def gradient(f, *varargs, axis=None, edge_order=None):
    """Central-difference gradient (one-sided at the edges), as NumPy with ``edge_order=1``."""
    if edge_order is not None and edge_order != 1:
        raise NotImplementedError("The 'edge_order' argument to jnp.gradient is not supported.")
    f = ensure_arraylike("gradient", f)
    (f,) = promote_dtypes_inexact_(f)
    axes = tuple(range(f.ndim)) if axis is None else (
        (canonicalize_axis(axis, f.ndim),) if isinstance(axis, (int, np.integer)) else
        tuple(canonicalize_axis(a, f.ndim) for a in axis))
    if not varargs:
        spacings = [1.0] * len(axes)
    elif len(varargs) == 1 and len(axes) > 1 and np.ndim(varargs[0]) == 0:
        spacings = [varargs[0]] * len(axes)
    elif len(varargs) == len(axes):
        spacings = list(varargs)
    else:
        raise TypeError("Invalid number of spacing arguments")
    u = _ufuncs()
    outs = []
    for ax, h in zip(axes, spacings):
        n = f.shape[ax]
        if n < 2:
            raise ValueError("Shape of array too small to calculate a numerical gradient, at least "
                             "(edge_order + 1) elements are required.")
        if np.ndim(h) == 0:
            interior = u.divide(u.subtract(_slice_axis(f, 2, n, ax), _slice_axis(f, 0, n - 2, ax)),
                                u.multiply(2, h))
            first = u.divide(u.subtract(_slice_axis(f, 1, 2, ax), _slice_axis(f, 0, 1, ax)), h)
            last = u.divide(u.subtract(_slice_axis(f, n - 1, n, ax), _slice_axis(f, n - 2, n - 1, ax)), h)
        else:
            x = asarray(h)
            if x.ndim != 1 or x.shape[0] != n:
                raise ValueError("when 1d, distances must match the length of the corresponding dimension")
            dx = diff(x)
            shape = [1] * f.ndim
            shape[ax] = n - 2
            dx1 = reshape(_slice_axis(dx, 0, n - 2, 0), shape)
            dx2 = reshape(_slice_axis(dx, 1, n - 1, 0), shape)
            a_ = u.divide(u.negative(dx2), u.multiply(dx1, u.add(dx1, dx2)))
            b_ = u.divide(u.subtract(dx2, dx1), u.multiply(dx1, dx2))
            c_ = u.divide(dx1, u.multiply(dx2, u.add(dx1, dx2)))
            interior = u.add(u.add(u.multiply(a_, _slice_axis(f, 0, n - 2, ax)),
                                   u.multiply(b_, _slice_axis(f, 1, n - 1, ax))),
                             u.multiply(c_, _slice_axis(f, 2, n, ax)))
            first = u.divide(u.subtract(_slice_axis(f, 1, 2, ax), _slice_axis(f, 0, 1, ax)), dx[0])
            last = u.divide(u.subtract(_slice_axis(f, n - 1, n, ax), _slice_axis(f, n - 2, n - 1, ax)), dx[-1])
        pieces = [first, interior, last] if n > 2 else [first, last]
        pieces = promote_dtypes(*pieces)
        outs.append(concatenate(pieces, ax))
    return outs[0] if len(outs) == 1 else outs


def promote_dtypes_inexact_(*args):
    from jaxlite._src.numpy.util import promote_dtypes_inexact
    return promote_dtypes_inexact(*args)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integrate ``y`` along ``axis`` with the trapezoid rule."""
    y = ensure_arraylike("trapezoid", y)
    u = _ufuncs()
    if x is None:
        (y,) = promote_dtypes_inexact_(y)
        dx_ = dx
    else:
        y, x = promote_dtypes_inexact_(y, x)
        if x.ndim == 1:
            dx_ = diff(x)
        else:
            dx_ = moveaxis(diff(x, axis=axis), axis, -1)
    y = moveaxis(y, axis, -1)
    n = y.shape[-1]
    s = u.add(_slice_axis(y, 1, n, y.ndim - 1), _slice_axis(y, 0, builtins.max(n - 1, 0), y.ndim - 1))
    return _reductions().sum(u.multiply(u.multiply(0.5, dx_), s), axis=-1)


def _conv1d(name, x, y, mode, precision, preferred_element_type):
    x, y = ensure_arraylike(name, x, y)
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError(f"{name}() only support 1-dimensional inputs.")
    if preferred_element_type is None:
        x, y = promote_dtypes_inexact_(x, y)  # NumPy's convolutions compute in floating point
    else:
        x, y = promote_dtypes(x, y)
    if x.shape[0] == 0 or y.shape[0] == 0:
        raise ValueError(f"{name}: inputs cannot be empty, got shapes {x.shape} and {y.shape}.")
    reverse_out = False
    if name == "correlate":
        y = _ufuncs().conjugate(y)
        if x.shape[0] < y.shape[0]:
            x, y = y, x
            reverse_out = True
    else:
        if x.shape[0] < y.shape[0]:
            x, y = y, x
        y = flip(y)
    m = y.shape[0]
    if mode == "valid":
        lo, hi = 0, 0
    elif mode == "same":
        lo, hi = m // 2, m - m // 2 - 1
    elif mode == "full":
        lo, hi = m - 1, m - 1
    else:
        raise ValueError("mode must be one of ['full', 'same', 'valid']")
    xp = lax.pad(x, lax._convert_element_type(0, x.dtype, False), [(lo, hi, 0)])
    out_len = xp.shape[0] - m + 1
    # a correlation is a matrix-vector product of the (out_len, m) sliding windows with y
    idx = (np.arange(out_len)[:, None] + np.arange(m)[None, :]).astype(np.int32)
    from jaxlite._src.numpy.indexing import take
    out = matmul(take(xp, asarray(idx), axis=0), y, precision=precision,
                 preferred_element_type=preferred_element_type)
    return flip(out) if reverse_out else out


def convolve(a, v, mode="full", *, precision=None, preferred_element_type=None):
    """Discrete linear convolution of two 1-D arrays."""
    return _conv1d("convolve", a, v, mode, precision, preferred_element_type)


def correlate(a, v, mode="valid", *, precision=None, preferred_element_type=None):
    """Cross-correlation of two 1-D arrays."""
    return _conv1d("correlate", a, v, mode, precision, preferred_element_type)


def interp(x, xp, fp, left=None, right=None, period=None):
    """Piecewise-linear interpolation of ``(xp, fp)`` at ``x`` (``xp`` increasing)."""
    x, xp, fp = ensure_arraylike("interp", x, xp, fp)
    if xp.ndim != 1 or fp.ndim != 1 or xp.shape != fp.shape:
        raise ValueError("xp and fp must be one-dimensional arrays of equal size")
    u = _ufuncs()
    x, xp = promote_dtypes_inexact_(x, xp)
    (fp,) = promote_dtypes_inexact_(fp)
    if period is not None:
        if np.ndim(period) != 0:
            raise ValueError(f"period must be a scalar; got {period}")
        period = u.abs(period)
        x = u.remainder(x, period)
        xp = u.remainder(xp, period)
        from jaxlite._src.numpy.sorting import argsort
        from jaxlite._src.numpy.indexing import take
        order = argsort(xp)
        xp, fp = take(xp, order), take(fp, order)
        xp = concatenate([u.subtract(xp[-1:], period), xp, u.add(xp[:1], period)])
        fp = concatenate([fp[-1:], fp, fp[:1]])
    from jaxlite._src.numpy.sorting import searchsorted
    from jaxlite._src.numpy.indexing import take
    n = xp.shape[0]
    i = clip(searchsorted(xp, x, side="right"), 1, n - 1)
    xi0, xi1 = take(xp, u.subtract(i, 1)), take(xp, i)
    fi0, fi1 = take(fp, u.subtract(i, 1)), take(fp, i)
    df = u.subtract(fi1, fi0)
    dx = u.subtract(xi1, xi0)
    delta = u.subtract(x, xi0)
    epsilon = np.spacing(np.finfo(xp.dtype).eps)
    dx0 = lax.le(u.abs(dx), lax._convert_element_type(epsilon, dx.dtype))
    f = where(dx0, fi0, u.add(fi0, u.divide(u.multiply(df, delta), where(dx0, 1, dx))))
    if period is None:
        f = where(lax.lt(x, xp[0]), fp[0] if left is None else left, f)
        f = where(lax.gt(x, xp[-1]), fp[-1] if right is None else right, f)
    return f


# ----- polynomials -----

def polyval(p, x, *, unroll=16):
    """Evaluate the polynomial with coefficients ``p`` (highest power first) at ``x`` (Horner)."""
    p, x = ensure_arraylike("polyval", p, x)
    p, x = promote_dtypes(p, x)
    u = _ufuncs()
    y = lax.full_like(x, 0, shape=lax.broadcast_shapes(x.shape, p.shape[1:]))
    for i in range(p.shape[0]):
        y = u.add(u.multiply(y, x), p[i])
    return y


def polyadd(a1, a2):
    """Sum of two polynomials."""
    a1, a2 = ensure_arraylike("polyadd", a1, a2)
    a1, a2 = promote_dtypes(a1, a2)
    d = a1.shape[0] - a2.shape[0]
    zero = lax._convert_element_type(0, a1.dtype, False)
    if d > 0:
        a2 = lax.pad(a2, zero, [(d, 0, 0)])
    elif d < 0:
        a1 = lax.pad(a1, zero, [(-d, 0, 0)])
    return _ufuncs().add(a1, a2)


def polysub(a1, a2):
    """Difference of two polynomials."""
    a1, a2 = ensure_arraylike("polysub", a1, a2)
    return polyadd(a1, _ufuncs().negative(a2))


def polymul(a1, a2, *, trim_leading_zeros=False):
    """Product of two polynomials."""
    a1, a2 = ensure_arraylike("polymul", a1, a2)
    a1, a2 = promote_dtypes_inexact_(a1, a2)
    if trim_leading_zeros and (a1.shape[0] > 1 or a2.shape[0] > 1):
        a1, a2 = trim_zeros(a1, trim="f"), trim_zeros(a2, trim="f")
    if a1.shape[0] == 0:
        a1 = asarray([0], dtype=a2.dtype)
    if a2.shape[0] == 0:
        a2 = asarray([0], dtype=a1.dtype)
    return convolve(a1, a2, mode="full")


def polyder(p, m=1):
    """The ``m``-th derivative of a polynomial."""
    p = ensure_arraylike("polyder", p)
    m = operator.index(m)
    if m < 0:
        raise ValueError("Order of derivative must be positive")
    if m == 0:
        return p
    (p,) = promote_dtypes_inexact_(p)
    n = p.shape[0]
    # the coefficient of x**j (j = n-1-i) gains the falling factorial j * (j-1) * ... * (j-m+1)
    coeff = np.array([np.prod(np.arange(n - 1 - i - m + 1, n - i)) for i in range(builtins.max(n - m, 0))])
    return _ufuncs().multiply(_slice_axis(p, 0, builtins.max(n - m, 0), 0), asarray(coeff, dtype=p.dtype))


def polyint(p, m=1, k=None):
    """The ``m``-th antiderivative of a polynomial (integration constants ``k``, default 0)."""
    p = ensure_arraylike("polyint", p)
    m = operator.index(m)
    if m < 0:
        raise ValueError(f"Order of integral must be positive (see polyder) got m={m}")
    if m == 0:
        return p
    k = np.zeros(m) if k is None else k
    k = atleast_1d(asarray(k))
    if k.shape[0] == 1:
        k = broadcast_to(k, (m,))
    if k.shape != (m,):
        raise ValueError("k must be a scalar or a rank-1 array of length 1 or m.")
    (p,) = promote_dtypes_inexact_(p)
    u = _ufuncs()
    for i in range(m):
        n = p.shape[0]
        p = concatenate([u.divide(p, asarray(np.arange(n, 0, -1), dtype=p.dtype)),
                         reshape(lax.convert_element_type(k[i], p.dtype), (1,))])
    return p


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of ``x``: columns are powers of ``x``."""
    x = ensure_arraylike("vander", x)
    if x.ndim != 1:
        raise ValueError("x must be a one-dimensional array")
    N = x.shape[0] if N is None else operator.index(N)
    if N < 0:
        raise ValueError("N must be nonnegative")
    powers = np.arange(N) if increasing else np.arange(N - 1, -1, -1)
    return _ufuncs().power(expand_dims(x, 1), asarray(powers.astype(np.int32)))


def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """Least-squares polynomial fit (coefficients highest power first)."""
    x, y = ensure_arraylike("polyfit", x, y)
    if full or cov:
        raise NotImplementedError("jnp.polyfit with full=True or cov=True")
    deg = operator.index(deg)
    (x, y) = promote_dtypes_inexact_(x, y)
    lhs = vander(x, deg + 1)
    rhs = y
    u = _ufuncs()
    if w is not None:
        w = asarray(w, dtype=lhs.dtype)
        lhs = u.multiply(lhs, expand_dims(w, 1))
        rhs = u.multiply(rhs, w if rhs.ndim == 1 else expand_dims(w, 1))
    scale = u.sqrt(_reductions().sum(u.multiply(lhs, lhs), axis=0))
    lhs = u.divide(lhs, scale)
    from jaxlite._src.numpy import linalg
    c = linalg.lstsq(lhs, rhs, rcond)[0]
    return u.divide(c, scale if c.ndim == 1 else expand_dims(scale, 1))


def roots(p, *, strip_zeros=True):
    """Roots of a polynomial (eigenvalues of its companion matrix; needs concrete leading zeros)."""
    p = ensure_arraylike("roots", p)
    if p.ndim != 1:
        raise ValueError("Input must be a rank-1 array.")
    if strip_zeros:
        p = trim_zeros(p, "f")
    n = p.shape[0]
    if n < 2:
        return zeros(0, dtype=dtypes.to_complex_dtype(p.dtype))
    (p,) = promote_dtypes_inexact_(p)
    u = _ufuncs()
    companion = concatenate([reshape(u.negative(u.divide(p[1:], p[0])), (1, n - 1)),
                             eye(n - 2, n - 1, dtype=p.dtype)], 0)
    from jaxlite._src.numpy import linalg
    return linalg.eigvals(companion)


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of (arrays of) 2- or 3-vectors."""
    a, b = ensure_arraylike("cross", a, b)
    if axis is not None:
        axisa = axisb = axisc = axis
    a = moveaxis(a, axisa, -1)
    b = moveaxis(b, axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError("Dimension must be either 2 or 3 for cross product")
    u = _ufuncs()
    a, b = promote_dtypes(a, b)
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return u.subtract(u.multiply(a[..., 0], b[..., 1]), u.multiply(a[..., 1], b[..., 0]))
    a0, a1 = a[..., 0], a[..., 1]
    a2 = a[..., 2] if a.shape[-1] == 3 else lax._zeros(a0)
    b0, b1 = b[..., 0], b[..., 1]
    b2 = b[..., 2] if b.shape[-1] == 3 else lax._zeros(b0)
    c = stack(broadcast_arrays(u.subtract(u.multiply(a1, b2), u.multiply(a2, b1)),
                               u.subtract(u.multiply(a2, b0), u.multiply(a0, b2)),
                               u.subtract(u.multiply(a0, b1), u.multiply(a1, b0))), axis=-1)
    return moveaxis(c, -1, axisc)


def kron(a, b):
    """Kronecker product."""
    a, b = ensure_arraylike("kron", a, b)
    a, b = promote_dtypes(a, b)
    nd = builtins.max(a.ndim, b.ndim)
    a = reshape(a, (1,) * (nd - a.ndim) + a.shape)
    b = reshape(b, (1,) * (nd - b.ndim) + b.shape)
    a_e = reshape(a, tuple(d for s in a.shape for d in (s, 1)))
    b_e = reshape(b, tuple(d for s in b.shape for d in (1, s)))
    out = _ufuncs().multiply(a_e, b_e)
    return reshape(out, tuple(x * y for x, y in zip(a.shape, b.shape)))


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """Replace NaN with ``nan`` and infinities with ``posinf``/``neginf`` (default: dtype's extremes)."""
    x = ensure_arraylike("nan_to_num", x)
    dt = x.dtype
    u = _ufuncs()
    if not dtypes.issubdtype(dt, np.inexact):
        return x
    if dtypes.issubdtype(dt, np.complexfloating):
        return lax.complex(nan_to_num(lax.real(x), nan=nan, posinf=posinf, neginf=neginf),
                           nan_to_num(lax.imag(x), nan=nan, posinf=posinf, neginf=neginf))
    info = dtypes.finfo(dt)
    posinf = info.max if posinf is None else posinf
    neginf = info.min if neginf is None else neginf
    out = where(u.isnan(x), lax._convert_element_type(nan, dt, False), x)
    out = where(u.isposinf(out), lax._convert_element_type(posinf, dt, False), out)
    out = where(u.isneginf(out), lax._convert_element_type(neginf, dt, False), out)
    return out


def i0(x):
    """Modified Bessel function of the first kind, order 0."""
    x = ensure_arraylike("i0", x)
    (x,) = promote_dtypes_inexact_(x)
    if dtypes.issubdtype(x.dtype, np.complexfloating):
        raise ValueError("i0 does not support complex arguments")
    u = _ufuncs()
    ax = u.abs(x)
    # power series sum_k ((x/2)^2k / (k!)^2) for |x| <= 15, asymptotic expansion above
    t = u.square(u.divide(ax, 2))
    term = lax._ones(ax)
    small = lax._ones(ax)
    for k in range(1, 60):
        term = u.divide(u.multiply(term, t), float(k * k))
        small = u.add(small, term)
    safe = where(ax > 15, ax, 15.0)
    inv = u.reciprocal(u.multiply(8.0, safe))
    series = 1.0 + inv * (1.0 + inv * (9.0 / 2 + inv * (225.0 / 6 + inv * (11025.0 / 24))))
    large = u.multiply(u.divide(u.exp(safe), u.sqrt(u.multiply(2 * np.pi, safe))), series)
    return where(ax > 15, large, small)


def unwrap(p, discont=None, axis=-1, period=2 * np.pi):
    """Unwrap a phase signal by changing jumps larger than ``discont`` to their ``period`` complement."""
    p = ensure_arraylike("unwrap", p)
    if dtypes.issubdtype(p.dtype, np.complexfloating):
        raise ValueError("jnp.unwrap does not support complex inputs.")
    if p.shape[axis] == 0:
        return p
    (p,) = promote_dtypes_inexact_(p)
    u = _ufuncs()
    if discont is None:
        discont = period / 2
    interval = period / 2
    dd = diff(p, axis=axis)
    ddmod = u.subtract(u.remainder(u.add(dd, interval), period), interval)
    ddmod = where(lax.bitwise_and(lax.eq(ddmod, lax._convert_element_type(-interval, ddmod.dtype)),
                                  lax.gt(dd, lax._convert_element_type(0, dd.dtype))), interval, ddmod)
    ph_correct = where(lax.lt(u.abs(dd), lax._convert_element_type(discont, dd.dtype)), 0, u.subtract(ddmod, dd))
    axis = canonicalize_axis(axis, p.ndim)
    up = concatenate([_slice_axis(p, 0, 1, axis),
                      u.add(_slice_axis(p, 1, p.shape[axis], axis), _cumsum(ph_correct, axis))], axis)
    return up


def _cumsum(x, axis):
    import jaxlite.numpy as _jnp
    return _jnp.cumsum(x, axis=axis)


def iscomplex(x):
    """Elementwise: is the imaginary part nonzero."""
    x = ensure_arraylike("iscomplex", x)
    from jaxlite._src.numpy.ufuncs import imag
    i = imag(x)
    return lax.ne(i, lax._zeros(i))


def isreal(x):
    """Elementwise: is the imaginary part zero."""
    x = ensure_arraylike("isreal", x)
    from jaxlite._src.numpy.ufuncs import imag
    i = imag(x)
    return lax.eq(i, lax._zeros(i))


def packbits(a, axis=None, bitorder="big"):
    """Pack the elements of a boolean/integer array into bits of a uint8 array."""
    a = ensure_arraylike("packbits", a)
    if not (dtypes.issubdtype(a.dtype, np.integer) or a.dtype == np.bool_):
        raise TypeError("Expected an input array of integer or boolean data type")
    if bitorder not in ("little", "big"):
        raise ValueError("'order' must be either 'little' or 'big'")
    a = lax.convert_element_type(lax.ne(a, lax._zeros(a)), np.uint8)
    if axis is None:
        a = ravel(a)
        axis = 0
    a = moveaxis(a, axis, -1)
    n = a.shape[-1]
    pad_n = (-n) % 8
    a = lax.pad(a, lax._convert_element_type(0, np.uint8), [(0, 0, 0)] * (a.ndim - 1) + [(0, pad_n, 0)])
    a = reshape(a, a.shape[:-1] + ((n + pad_n) // 8, 8))
    shifts = np.arange(8, dtype=np.uint8) if bitorder == "little" else np.arange(7, -1, -1, dtype=np.uint8)
    packed = _reductions().sum(_ufuncs().left_shift(a, asarray(shifts)), axis=-1, dtype=np.uint8)
    return moveaxis(packed, -1, axis)


def unpackbits(a, axis=None, count=None, bitorder="big"):
    """Unpack the bits of a uint8 array."""
    a = ensure_arraylike("unpackbits", a)
    if a.dtype != np.uint8:
        raise TypeError("Expected an input array of unsigned byte data type")
    if bitorder not in ("little", "big"):
        raise ValueError("'order' must be either 'little' or 'big'")
    shifts = np.arange(8, dtype=np.uint8) if bitorder == "little" else np.arange(7, -1, -1, dtype=np.uint8)
    bits = _ufuncs().bitwise_and(_ufuncs().right_shift(expand_dims(a, -1), asarray(shifts)),
                                 np.uint8(1))
    if axis is None:
        bits = ravel(bits)
        axis = 0
    else:
        axis = canonicalize_axis(axis, a.ndim)
        bits = moveaxis(bits, -1, axis + 1)
        bits = reshape(bits, bits.shape[:axis] + (bits.shape[axis] * 8,) + bits.shape[axis + 2:])
    if count is not None:
        n = bits.shape[axis]
        if count <= n:
            bits = _slice_axis(bits, 0, count, axis)
        else:
            cfg = [(0, 0, 0)] * bits.ndim
            cfg[axis] = (0, count - n, 0)
            bits = lax.pad(bits, lax._convert_element_type(0, np.uint8), cfg)
    return bits


__all__ += ["diff", "ediff1d", "gradient", "trapezoid", "convolve", "correlate", "interp", "polyval", "polyadd",
            "polysub", "polymul", "polyder", "polyint", "vander", "polyfit", "roots", "cross", "kron",
            "nan_to_num", "i0", "unwrap", "iscomplex", "isreal", "packbits", "unpackbits"]


# ---------------------------------------------------------------------------------------------------
# breadth: pad, vectorize, apply_along_axis
# ---------------------------------------------------------------------------------------------------

def _pad_widths(pad_width, nd, name="pad_width"):
    pw = np.asarray(core.concrete_or_error(None, pad_width, f"jnp.pad: {name} must be concrete"))
    if pw.dtype.kind not in "iub" and name == "pad_width":
        raise TypeError("`pad_width` must be of integral type.")
    pw = np.broadcast_to(pw, (nd, 2))
    return [(int(l), int(h)) for l, h in pw]


def pad(array, pad_width, mode="constant", **kwargs):
    """Pad an array (modes: constant, edge, reflect, symmetric, wrap, linear_ramp, maximum, minimum,
    mean, median, empty; or a callable as in NumPy)."""
    array = ensure_arraylike("pad", array)
    nd = array.ndim
    widths = _pad_widths(pad_width, nd)
    if builtins.any(l < 0 or h < 0 for l, h in widths):
        raise ValueError("index can't contain negative values")
    if callable(mode):
        raise NotImplementedError("jnp.pad with a callable mode")
    allowed = {"constant": {"constant_values"}, "edge": set(), "wrap": set(), "empty": set(),
               "reflect": {"reflect_type"}, "symmetric": {"reflect_type"},
               "linear_ramp": {"end_values"}, "maximum": {"stat_length"}, "minimum": {"stat_length"},
               "mean": {"stat_length"}, "median": {"stat_length"}}
    if mode not in allowed:
        raise NotImplementedError(f"jnp.pad has no padding mode {mode!r}; the modes are {', '.join(allowed)}.")
    bad = set(kwargs) - allowed[mode]
    if bad:
        raise ValueError(f"unsupported keyword arguments for mode '{mode}': {bad}")
    # as JAX: the work is a nested jit ``_pad``; the widths (np.int64 pairs), mode and the other options
    # are static, the constant values an argument
    options = tuple(sorted((k, _frozen(v)) for k, v in kwargs.items() if k != "constant_values"))
    return _pad(array, tuple((np.int64(l), np.int64(h)) for l, h in widths), mode,
                kwargs.get("constant_values", 0), options)


def _frozen(v):
    """A hashable form of a static ``jnp.pad`` option (nested tuples for array-likes)."""
    if isinstance(v, str) or v is None:
        return v
    v = np.asarray(core.concrete_or_error(None, v, "jnp.pad options must be concrete")).tolist()
    return tuple(map(_frozen, v)) if isinstance(v, list) else v


@staged_jit(static_argnums=(1, 2, 4))
def _pad(array, pad_width, mode, constant_values, options):
    # The staged program is JAX's: each mode pads one axis after the other, gluing the new pieces on
    # with a concatenate (constant mode: lax.pad); a 0-d array is returned as it is.
    if array.ndim == 0:
        return array
    opts = dict(options)
    if mode == "constant":
        return _pad_constant(array, pad_width, asarray(constant_values))
    if mode == "empty":
        return _pad_empty(array, pad_width)
    if mode == "linear_ramp":
        ends = np.broadcast_to(np.asarray(opts.get("end_values", 0)), (array.ndim, 2))
        return _pad_linear_ramp(array, pad_width, ends)
    for ax, (before, after) in enumerate(pad_width):
        if array.shape[ax] == 0:
            if before > 0 or after > 0:
                raise ValueError(f"Cannot apply '{mode}' padding to empty axis")
            continue
        if mode == "wrap":
            array = _pad_wrap_axis(array, ax, before, after)
        elif mode in ("reflect", "symmetric"):
            kind = opts.get("reflect_type", "even")
            if kind not in ("even", "odd"):
                raise ValueError(f"reflect_type must be 'even' or 'odd', got {kind}")
            if before or after:
                n = array.shape[ax]
                array = _pad_mirror_side(array, ax, n, before, mode, kind, leading=True)
                array = _pad_mirror_side(array, ax, n, after, mode, kind, leading=False)
        elif mode == "edge":
            n = array.shape[ax]
            array = concatenate([repeat(lax.slice_in_dim(array, 0, 1, axis=ax), before, axis=ax), array,
                                 repeat(lax.slice_in_dim(array, n - 1, n, axis=ax), after, axis=ax)], ax)
        else:
            array = _pad_stat_axis(array, ax, before, after, mode, opts.get("stat_length"))
    return array


def _pad_constant(array, pad_width, values):
    values = lax._convert_element_type(values, array.dtype, array.weak_type)
    if values.ndim == 0 or values.shape == (1,):
        fill = values if values.ndim == 0 else squeeze(values)
        return lax.pad(array, fill, [(lo, hi, 0) for lo, hi in pad_width])
    if values.ndim == 1 and values.shape[0] != 2:
        raise ValueError(f"jnp.pad: constant_values has unsupported shape {values.shape}. If the shape is "
                         f"1D or 2D, the last dimension must be of size 1 or 2.")
    # one value per axis and side: a lax.pad per side that is padded at all
    values = broadcast_to(values, (array.ndim, 2))
    for ax, (lo, hi) in enumerate(pad_width):
        for side, width in ((0, lo), (1, hi)):
            if width != 0:
                config = [(0, 0, 0)] * array.ndim
                config[ax] = (width, 0, 0) if side == 0 else (0, width, 0)
                array = lax.pad(array, values[ax, side], config)
    return array


def _pad_empty(array, pad_width):
    # JAX's empty is zeros: zero blocks (even of width 0) on both sides of each axis
    for ax, (lo, hi) in enumerate(pad_width):
        block = lambda w: empty_like(array, shape=array.shape[:ax] + (w,) + array.shape[ax + 1:])
        array = concatenate([block(lo), array, block(hi)], ax)
    return array


def _pad_wrap_axis(array, ax, before, after):
    n = array.shape[ax]
    whole_before, part_before = divmod(before, n)
    whole_after, part_after = divmod(after, n)
    pieces = [lax.slice_in_dim(array, n - part_before, n, axis=ax)] if part_before > 0 else []
    pieces += [array] * (whole_before + whole_after + 1)
    if part_after > 0:
        pieces.append(lax.slice_in_dim(array, 0, part_after, axis=ax))
    return lax.concatenate(pieces, ax)


def _pad_mirror_side(array, ax, n, width, mode, kind, leading):
    """Pad one side of axis ``ax`` (of original size ``n``) by mirroring, in chunks of at most ``n``
    (reflect: ``n - 1``) elements, each mirroring what the array has grown to (as NumPy)."""
    skip = 1 if mode == "reflect" and n > 1 else 0   # reflect leaves the edge element out
    edge = lax.slice_in_dim(array, 0, 1, axis=ax) if leading else lax.slice_in_dim(array, -1, None, axis=ax)
    while width > 0:
        chunk = builtins.min(width, n - skip)
        width -= chunk
        if leading:
            piece = lax.slice_in_dim(array, skip, skip + chunk, axis=ax)
        else:
            piece = lax.slice_in_dim(array, -(chunk + skip), None if mode == "symmetric" or n == 1 else -1,
                                     axis=ax)
        piece = flip(piece, axis=ax)
        if kind == "odd":
            piece = 2 * edge - piece
            if n > 1:
                edge = (lax.slice_in_dim(piece, 0, 1, axis=ax) if leading
                        else lax.slice_in_dim(piece, -1, None, axis=ax))
        array = lax.concatenate([piece, array] if leading else [array, piece], ax)
    return array


def _pad_linear_ramp(array, pad_width, ends):
    for ax, (lo, hi) in enumerate(pad_width):
        first = lax.slice_in_dim(array, 0, 1, axis=ax)
        last = lax.slice_in_dim(array, -1, None, axis=ax)
        # ramps from the end value toward the edge (the edge itself excluded); the one after is reversed
        ramp_lo = linspace(ends[ax][0], first.squeeze(ax), lo, endpoint=False, dtype=array.dtype, axis=ax)
        ramp_hi = linspace(ends[ax][1], last.squeeze(ax), hi, endpoint=False, dtype=array.dtype, axis=ax)
        ramp_lo = lax._convert_element_type(ramp_lo, weak_type=array.weak_type)
        ramp_hi = flip(lax._convert_element_type(ramp_hi, weak_type=array.weak_type), ax)
        array = lax.concatenate([ramp_lo, array, ramp_hi], ax)
    return array


def _pad_stat_axis(array, ax, before, after, mode, stat_length):
    red = _reductions()
    stat = {"maximum": red.amax, "minimum": red.amin, "mean": red.mean, "median": _statistics().median}[mode]
    if stat_length is None:
        stat_lo = stat_hi = stat(array, axis=ax, keepdims=True)
    else:
        len_lo, len_hi = _pad_widths(stat_length, array.ndim, "stat_length")[ax]
        if len_lo == 0 or len_hi == 0:
            raise ValueError("stat_length of 0 yields no value for padding")
        n = array.shape[ax]
        len_lo, len_hi = builtins.min(len_lo, n), builtins.min(len_hi, n)
        part_lo = lax.slice_in_dim(array, 0, len_lo, axis=ax)
        part_hi = lax.slice_in_dim(array, -len_hi, None, axis=ax)
        stat_lo = stat(part_lo, axis=ax, keepdims=True)
        stat_hi = stat(part_hi, axis=ax, keepdims=True)
    if dtypes.issubdtype(array.dtype, np.integer):
        stat_lo, stat_hi = _ufuncs().round(stat_lo), _ufuncs().round(stat_hi)
    stat_lo = lax._convert_element_type(stat_lo, array.dtype, array.weak_type)
    stat_hi = lax._convert_element_type(stat_hi, array.dtype, array.weak_type)
    return lax.concatenate([repeat(stat_lo, before, axis=ax), array, repeat(stat_hi, after, axis=ax)], ax)


_GUFUNC_DIM = r"\w+"
_GUFUNC_ARG = rf"\((?:{_GUFUNC_DIM}(?:,{_GUFUNC_DIM})*)?\)"
_GUFUNC_SIG = rf"^{_GUFUNC_ARG}(?:,{_GUFUNC_ARG})*->{_GUFUNC_ARG}(?:,{_GUFUNC_ARG})*$"


def _parse_gufunc_signature(signature):
    """``"(m,n),(n)->(m)"`` -> ([("m", "n"), ("n",)], [("m",)])."""
    import re
    if not re.match(_GUFUNC_SIG, signature.replace(" ", "")):
        raise ValueError(f"not a valid gufunc signature: {signature}")
    ins, outs = signature.replace(" ", "").split("->")
    parse = lambda s: [tuple(re.findall(_GUFUNC_DIM, a)) for a in re.findall(_GUFUNC_ARG, s)]  # noqa: E731
    return parse(ins), parse(outs)


def _core_dim_sizes(sizes, shape, core_dims, context, is_input):
    if is_input and len(shape) < len(core_dims):
        raise ValueError(f"input with shape {shape!r} does not have enough dimensions for all core "
                         f"dimensions {core_dims!r} {context}")
    if not is_input and len(shape) != len(core_dims):
        raise ValueError(f"output shape {shape!r} does not match core dimensions {core_dims!r} {context}")
    for name, n in zip(core_dims, shape[len(shape) - len(core_dims):]):
        if sizes.setdefault(name, n) != n:
            raise ValueError(f"inconsistent size for core dimension {name!r}: {n!r} vs {sizes[name]!r} "
                             f"{context}")


def vectorize(pyfunc, *, excluded=frozenset(), signature=None):
    """Vectorise ``pyfunc`` over the broadcast leading (non-core) dimensions with ``vmap``.

    Inputs are not broadcast against each other first: every loop dimension becomes one ``vmap`` (the
    innermost for the last dimension) that maps just the inputs which vary along it; a loop dimension
    along which no input varies is added to the result at the end. As in JAX, only the excluded keyword
    arguments are passed on to ``pyfunc``.

    >>> jnp.vectorize(jnp.dot, signature="(n),(n)->()")(jnp.ones((2, 3)), jnp.ones(3))
    Array([3., 3.], dtype=float32)
    """
    import functools

    @functools.wraps(pyfunc)
    def wrapped(*args, **kwargs):
        vmap = getattr(__import__("jaxlite"), "vmap")
        context = f"on vectorized function with excluded={excluded!r} and signature={signature!r}"
        # positions held fixed: the excluded ones, then None arguments (nothing to map over)
        fixed = {i: a for i, a in enumerate(args) if i in excluded}
        fixed_kwargs = {k: v for k, v in kwargs.items() if k in excluded}
        free = [i for i in range(len(args)) if i not in fixed]
        if signature is None:
            in_core, out_core = [()] * len(free), None
        else:
            in_core, out_core = _parse_gufunc_signature(signature)
        if len(in_core) != len(free):
            raise TypeError(f"wrong number of positional arguments: expected {len(in_core)}, got "
                            f"{len(free)} {context}")
        nones = [i for i in free if args[i] is None]
        if builtins.any(in_core[free.index(i)] for i in nones):
            raise ValueError(f"Cannot pass None at locations {set(free.index(i) for i in nones)} with "
                             f"signature={signature!r}")
        in_core = [c for i, c in zip(free, in_core) if args[i] is not None]
        fixed.update((i, None) for i in nones)
        arrays = [asarray(a) for i, a in enumerate(args) if i not in fixed]
        core_sizes: dict = {}
        for a, dims in zip(arrays, in_core):
            _core_dim_sizes(core_sizes, a.shape, dims, context, True)

        def call(*mapped):
            it = iter(mapped)
            out = pyfunc(*(fixed[i] if i in fixed else next(it) for i in range(len(args))), **fixed_kwargs)
            if out_core is not None:
                results = out if isinstance(out, tuple) else (out,)
                if len(out_core) > 1 and not isinstance(out, tuple):
                    raise TypeError(f"output must be a tuple when multiple outputs are expected, got: "
                                    f"{out!r}\n{context}")
                if len(results) != len(out_core):
                    raise TypeError(f"wrong number of output arguments: expected {len(out_core)!r}, got "
                                    f"{len(results)!r} {context}")
                sizes = dict(core_sizes)
                for r, dims in zip(results, out_core):
                    _core_dim_sizes(sizes, np.shape(r), dims, context, False)
            return out

        loop = [a.shape[:a.ndim - len(dims)] for a, dims in zip(arrays, in_core)]
        loop_ndim = len(lax.broadcast_shapes(*loop)) if loop else 0
        padded = [(1,) * (loop_ndim - len(s)) + tuple(s) for s in loop]  # loop dims, right-aligned
        fn, unit_dims = call, []
        for k in reversed(range(loop_ndim)):
            in_axes = tuple(None if p[k] == 1 else 0 for p in padded)
            if builtins.any(ax is not None for ax in in_axes):
                fn = vmap(fn, in_axes)
            else:
                unit_dims.append(k)
        out = fn(*(squeeze(a, axis=tuple(i for i, n in enumerate(s) if n == 1)) for a, s in zip(arrays, loop)))
        if not unit_dims:
            return out
        return tuple(expand_dims(o, unit_dims) for o in out) if isinstance(out, tuple) else expand_dims(out, unit_dims)
    return wrapped


def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    """Apply ``func1d`` to 1-D slices of ``arr`` along ``axis`` (with ``vmap``)."""
    vmap = getattr(__import__("jaxlite"), "vmap")
    arr = ensure_arraylike("apply_along_axis", arr)
    nd = arr.ndim
    axis = canonicalize_axis(axis, nd)

    def func(a):
        return func1d(a, *args, **kwargs)
    for i in range(1, nd - axis):
        func = vmap(func, in_axes=i, out_axes=-1)
    for _ in range(axis):
        func = vmap(func, in_axes=0, out_axes=0)
    return func(arr)


def apply_over_axes(func, a, axes):
    """Apply ``func(a, axis)`` repeatedly over ``axes``, keeping dimensions."""
    a = ensure_arraylike("apply_over_axes", a)
    for axis in axes:
        b = func(a, axis=axis)
        a = b if b.ndim == a.ndim else expand_dims(b, axis)
    return a


__all__ += ["pad", "vectorize", "apply_along_axis", "apply_over_axes"]


# ---------------------------------------------------------------------------------------------------
# Remaining NumPy names: dtype aliases, small array utilities, NumPy helpers JAX re-exports
# ---------------------------------------------------------------------------------------------------

double, single, cdouble, csingle = float64, float32, complex128, complex64
flexible = np.flexible
ComplexWarning = np.exceptions.ComplexWarning
array_repr = np.array_repr
array_str = np.array_str
iterable = np.iterable
savez = np.savez

# narrow float and integer types, wherever the installed ml_dtypes provides them
_NARROW_TYPE_NAMES = ("float8_e3m4", "float8_e4m3", "float8_e4m3b11fnuz", "float8_e4m3fn", "float8_e4m3fnuz",
                      "float8_e5m2", "float8_e5m2fnuz", "float8_e8m0fnu", "float4_e2m1fn", "float6_e2m3fn",
                      "float6_e3m2fn", "int1", "int2", "int4", "uint1", "uint2", "uint4")
for _n in _NARROW_TYPE_NAMES:
    _t = getattr(dtypes, _n, None)
    if _t is not None:
        globals()[_n] = _ScalarType(_t)
        __all__.append(_n)
del _n, _t


def fromfile(*args, **kwargs):
    """Not available in JAX (reading a file is a side effect): use ``jnp.asarray(np.fromfile(...))``."""
    raise NotImplementedError(
        "jnp.fromfile() is not implemented because it may be non-pure and thus unsafe for use with JIT and "
        "other JAX transformations. Consider using jnp.asarray(np.fromfile(...)) instead, although care "
        "should be taken if np.fromfile is used within a jax transformations because of its potential "
        "side-effect of consuming the file object; for more information see "
        "https://docs.jax.dev/en/latest/notebooks/Common_Gotchas_in_JAX.html#pure-functions")


def fromstring(string, dtype=float, count=-1, *, sep):
    """A 1-D array parsed from the text ``string`` whose items are separated by ``sep``.

    >>> jnp.fromstring("1 2 3", dtype=int, sep=" ")
    Array([1, 2, 3], dtype=int32)
    """
    return asarray(np.fromstring(string, dtype=np.dtype(_dtype_arg(dtype) if dtype is not None else float),
                                 count=count, sep=sep))


def dsplit(ary, indices_or_sections):
    """Split ``ary`` (at least 3-D) along its third axis."""
    ary = ensure_arraylike("dsplit", ary)
    if ary.ndim < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return _split("dsplit", ary, indices_or_sections, 2, False)


def mask_indices(n, mask_func, k=0, *, size=None):
    """Indices ``(i, j)`` where ``mask_func(ones((n, n)), k)`` is non-zero (e.g. ``jnp.triu``)."""
    from jaxlite._src.numpy.setops import nonzero
    i, j = nonzero(mask_func(ones((n, n)), k), size=size)
    return i, j


def fill_diagonal(a, val, wrap=False, *, inplace=True):
    """A copy of ``a`` with its main diagonal set to ``val`` (cycled if it has several values).

    JAX arrays are immutable, so ``inplace=False`` is required.

    >>> jnp.fill_diagonal(jnp.zeros((2, 3)), 5., inplace=False)
    Array([[5., 0., 0.],
           [0., 5., 0.]], dtype=float32)
    """
    if inplace:
        raise NotImplementedError("JAX arrays are immutable, must use inplace=False")
    if wrap:
        raise NotImplementedError("wrap=True is not implemented, must use wrap=False")
    a, val = ensure_arraylike("fill_diagonal", a, val)
    if a.ndim < 2:
        raise ValueError("array must be at least 2-d")
    if a.ndim > 2 and not builtins.all(d == a.shape[0] for d in a.shape[1:]):
        raise ValueError("All dimensions of input must be of equal length")
    from jaxlite._src.numpy.indexing import diag_indices
    n = builtins.min(a.shape)
    idx = diag_indices(n, a.ndim)
    if val.ndim:
        flat = ravel(val)
        reps = -(-n // flat.shape[0]) if flat.shape[0] else 0
        val = tile(flat, reps)[:n]
    return a.at[idx].set(val)


@staged_jit
def poly(seq_of_zeros):
    """Coefficients (highest power first) of the monic polynomial with the given roots; for a square
    matrix, of its characteristic polynomial."""
    seq_of_zeros = ensure_arraylike("poly", seq_of_zeros)
    (z,) = promote_dtypes_inexact_(seq_of_zeros)
    z = atleast_1d(z)
    if z.ndim == 2 and z.shape[0] == z.shape[1] and z.shape[0] != 0:
        from jaxlite._src.numpy.linalg import eigvals
        z = eigvals(z)
    if z.ndim != 1:
        raise ValueError("input must be 1d or non-empty square 2d array.")
    dt = z.dtype
    if z.shape[0] == 0:
        return ones((), dtype=dt)
    coeffs = ones((1,), dtype=dt)
    for k in range(z.shape[0]):
        coeffs = convolve(coeffs, stack([lax._convert_element_type(1, dt, False), -z[k]]), mode="full")
    return coeffs


def polydiv(u, v, *, trim_leading_zeros=False):
    """Quotient and remainder of polynomial division ``u / v`` (coefficients highest power first)."""
    u, v = ensure_arraylike("polydiv", u, v)
    num, den = promote_dtypes_inexact_(u, v)
    m, n = num.shape[0] - 1, den.shape[0] - 1
    scale = 1.0 / den[0]
    q = zeros(builtins.max(m - n + 1, 1), dtype=num.dtype)
    for k in range(m - n + 1):
        d = scale * num[k]
        q = q.at[k].set(d)
        num = num.at[k:k + n + 1].add(-d * den)
    if trim_leading_zeros:
        # drop leading coefficients that are zero up to rounding, as JAX does (needs concrete values)
        tol = float(np.sqrt(finfo(num.dtype).eps))
        vals = np.asarray(core.concrete_or_error(None, num, "polydiv with trim_leading_zeros=True"))
        nz = np.nonzero(np.abs(vals) > tol)[0]
        num = num[int(nz[0]) if nz.size else vals.shape[0]:]
    return q, num


@staged_jit
def matvec(x1, x2, /):
    """Batched matrix-vector product ``x1[..., n, m] @ x2[..., m] -> [..., n]`` (broadcasting batches)."""
    x1, x2 = ensure_arraylike("matvec", x1, x2)
    if x1.ndim < 2 or x2.ndim < 1:
        raise ValueError(f"matvec: expected x1 of rank >= 2 and x2 of rank >= 1, got shapes {x1.shape} "
                         f"and {x2.shape}")
    if x1.shape[-1] != x2.shape[-1]:
        raise ValueError(f"matvec: core dimension mismatch: x1 has shape {x1.shape}, x2 has shape {x2.shape}")
    return matmul(x1, expand_dims(x2, -1))[..., 0]


@staged_jit
def vecmat(x1, x2, /):
    """Batched vector-matrix product ``conj(x1[..., n]) @ x2[..., n, m] -> [..., m]``."""
    x1, x2 = ensure_arraylike("vecmat", x1, x2)
    if x1.ndim < 1 or x2.ndim < 2:
        raise ValueError(f"vecmat: expected x1 of rank >= 1 and x2 of rank >= 2, got shapes {x1.shape} "
                         f"and {x2.shape}")
    if x1.shape[-1] != x2.shape[-2]:
        raise ValueError(f"vecmat: core dimension mismatch: x1 has shape {x1.shape}, x2 has shape {x2.shape}")
    return matmul(expand_dims(_ufuncs().conj(x1), -2), x2)[..., 0, :]


def vecdot(x1, x2, /, *, axis=-1, precision=None, preferred_element_type=None):
    """Vector dot product ``sum(conj(x1) * x2)`` along ``axis``, broadcasting the other dimensions."""
    x1, x2 = ensure_arraylike("jnp.vecdot", x1, x2)
    if x1.shape[axis] != x2.shape[axis]:
        raise ValueError(f"axes must match; got shapes {x1.shape} and {x2.shape} with axis={axis}")
    a = expand_dims(_ufuncs().conj(moveaxis(x1, axis, -1)), -2)
    b = expand_dims(moveaxis(x2, axis, -1), -1)
    return matmul(a, b, precision=precision, preferred_element_type=preferred_element_type)[..., 0, 0]


def histogramdd(sample, bins=10, range=None, weights=None, density=None):
    """Multi-dimensional histogram of ``sample`` (shape ``(N, D)``): ``(hist, [edges per dimension])``.

    Values on the last edge of a dimension count in its last bin; values outside the range are dropped.
    """
    import math
    import jaxlite.numpy as jnp
    if weights is None:
        sample = ensure_arraylike("histogramdd", sample)
        (sample,) = promote_dtypes_inexact_(sample)
    else:
        sample, weights = ensure_arraylike("histogramdd", sample, weights)
        if np.shape(weights) != np.shape(sample)[:1]:
            raise ValueError("should have one weight for each sample.")
        sample, weights = promote_dtypes_inexact_(sample, weights)
    n, d = np.shape(sample)
    if range is not None and (len(range) != d or builtins.any(r is not None and np.shape(r)[0] != 2
                                                                for r in range)):
        raise ValueError(f"For sample.shape={(n, d)}, range must be a sequence of {d} pairs or Nones; "
                         f"got range={range!r}")
    try:
        per_dim = list(bins)
    except TypeError:
        per_dim = [bins] * d
    else:
        if len(per_dim) != d:
            raise ValueError("should be a bin for each dimension.")
    idx, edges = [], []
    for i in builtins.range(d):
        col = sample[:, i]
        e = jnp.histogram_bin_edges(col, per_dim[i], None if range is None else range[i], weights)
        # bin k+1 holds [e[k], e[k+1]); 0 and len(e) are the out-of-range bins, dropped below
        k = jnp.searchsorted(e, col, side="right")
        idx.append(where(col == e[-1], k - 1, k))
        edges.append(e)
    nbins = tuple(e.shape[0] + 1 for e in edges)
    flat = jnp.ravel_multi_index(tuple(idx), nbins, mode="clip")
    hist = jnp.bincount(flat, weights, length=math.prod(nbins)).reshape(nbins)
    hist = hist[(slice(1, -1),) * d]
    if density:
        hist = hist.astype(sample.dtype)
        hist = hist / hist.sum()
        for width in jnp.ix_(*[jnp.diff(e) for e in edges]):
            hist = hist / width
    return hist, edges


def histogram2d(x, y, bins=10, range=None, weights=None, density=None):
    """2-D histogram of the points ``(x[i], y[i])``: ``(hist, x_edges, y_edges)``."""
    x, y = ensure_arraylike("histogram2d", x, y)
    try:
        nb = len(bins)
    except TypeError:
        nb = 1
    if nb != 1 and nb != 2:
        edges = asarray(bins)
        bins = [edges, edges]
    hist, edges = histogramdd(transpose(asarray([x, y])), bins, range, weights, density)
    return hist, edges[0], edges[1]


__all__ += ["double", "single", "cdouble", "csingle", "histogramdd", "histogram2d", "flexible", "ComplexWarning", "array_repr", "array_str",
            "iterable", "savez", "fromfile", "fromstring", "dsplit", "mask_indices", "fill_diagonal", "poly",
            "polydiv", "matvec", "vecmat", "vecdot"]

from jaxlite._src.numpy.windows import *  # noqa: E402,F401,F403
from jaxlite._src.numpy.index_tricks import *  # noqa: E402,F401,F403
from jaxlite._src.numpy.ufunc_api import *  # noqa: E402,F401,F403
from jaxlite._src.numpy import windows as _windows, index_tricks as _index_tricks, ufunc_api as _ufunc_api  # noqa
__all__ += _windows.__all__ + _index_tricks.__all__ + _ufunc_api.__all__
