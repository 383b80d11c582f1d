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

    def __call__(self, x=0):
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
    elif isinstance(object, (list, tuple)) and _leaves_have_tracers(object):
        elems = [array(o) for o in object]
        if not elems:
            out = asarray(np.array([], dtype=dt or np.float32))
        else:
            elems = promote_dtypes(*elems)
            out = stack(elems) if len(elems) else elems
            if dt is not None:
                out = lax._convert_element_type(out, dt, False)
    elif isinstance(object, (list, tuple)) and builtins.any(isinstance(o, core.Array) for o in _flat(object)):
        elems = [array(o) for o in object]
        elems = promote_dtypes(*elems) if len(elems) > 1 else elems
        out = stack(elems)
        if dt is not None:
            out = lax._convert_element_type(out, dt, False)
    elif type(object) in (builtins.bool, int, float, builtins.complex):
        if dt is None:
            v, aval = core.to_value_and_aval(object)
            out = core.Array._from_np(v, aval.weak_type)
        else:
            out = lax._convert_element_type(object, dt, False)
    else:
        if object is None:
            raise TypeError("None is not a valid value for jnp.array")
        if isinstance(object, (list, tuple)) and _has_python_scalars_only(object):
            # Python lists of scalars: dtype from JAX's promotion of the elements (not weak)
            flat = _flat(object)
            inferred = dtypes.result_type(*flat) if flat else dtypes.default_float_dtype()
            npv = np.array(object, dtype=dt or inferred)
        else:
            try:
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


def zeros(shape, dtype=None, *, device=None, out_sharding=None):
    """An array of zeros (float32 by default)."""
    shape = _shape_arg(shape, "zeros")
    if builtins.any(d < 0 for d in shape):
        raise ValueError(f"negative dimensions are not allowed: {shape}")
    return lax.full(shape, 0, _dtype_arg(dtype, "zeros") or dtypes.default_float_dtype())


def ones(shape, dtype=None, *, device=None, out_sharding=None):
    """An array of ones (float32 by default)."""
    shape = _shape_arg(shape, "ones")
    if builtins.any(d < 0 for d in shape):
        raise ValueError(f"negative dimensions are not allowed: {shape}")
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
    """Evenly spaced values in ``[start, stop)``; the bounds must be concrete."""
    dt = _dtype_arg(dtype, "arange")
    msg = "It arose in the jnp.arange argument '{}'. Pass concrete (Python or NumPy) values for it."
    start = core.concrete_or_error(None, start, msg.format("start" if stop is not None else "stop"))
    stop = None if stop is None else core.concrete_or_error(None, stop, msg.format("stop"))
    step = None if step is None else core.concrete_or_error(None, step, msg.format("step"))
    if stop is None and step is None:
        if dt is None:
            dt = dtypes.result_type(start) if not isinstance(start, float) else dtypes.default_float_dtype()
            dt = dtypes.canonicalize_dtype(dt)
        start_v = np.asarray(start)
        if dtypes.issubdtype(dt, np.integer) and start_v.dtype.kind in "iub":
            return lax.iota(dt, int(np.ceil(start_v)))
        return asarray(np.arange(start_v, dtype=dt))
    args = [a for a in (start, stop, step) if a is not None]
    if dt is None:
        dt = dtypes.canonicalize_dtype(dtypes.result_type(*[np.asarray(a).dtype if not isinstance(a, (int, float))
                                                              else a for a in args]))
    return asarray(np.arange(start, stop, step if step is not None else 1, dtype=dt))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *, device=None):
    """``num`` evenly spaced samples over ``[start, stop]`` (computed with lax, so start/stop may be traced)."""
    num = core.concrete_or_error(operator.index, num, "'num' argument of jnp.linspace")
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    dt = _dtype_arg(dtype, "linspace")
    start, stop = asarray(start), asarray(stop)
    computation_dtype = dtypes.to_inexact_dtype(dtypes.result_type(start, stop))
    dt = dt or computation_dtype
    start = lax.convert_element_type(start, computation_dtype)
    stop = lax.convert_element_type(stop, computation_dtype)
    bounds_shape = lax.broadcast_shapes(start.shape, stop.shape)
    broadcast_start = broadcast_to(start, bounds_shape)
    broadcast_stop = broadcast_to(stop, bounds_shape)
    axis = len(bounds_shape) + axis + 1 if axis < 0 else axis
    bounds_shape = list(bounds_shape)
    bounds_shape.insert(axis, 1)
    div = (num - 1) if endpoint else num
    if num > 1:
        delta = lax.div(lax.sub(stop, start), lax._convert_element_type(div, computation_dtype))
        iota_shape = [1] * len(bounds_shape)
        iota_shape[axis] = num
        step = reshape(lax.iota(computation_dtype, num), iota_shape)
        delta_r = reshape(delta, bounds_shape)
        out = lax.add(reshape(broadcast_start, bounds_shape), lax.mul(step, delta_r))
        if endpoint:
            idx = [builtins.slice(None)] * len(bounds_shape)
            out = concatenate([lax.slice_in_dim(out, 0, num - 1, axis=axis) if hasattr(lax, "slice_in_dim")
                               else _slice_axis(out, 0, num - 1, axis),
                               reshape(broadcast_stop, bounds_shape)], axis)
    elif num == 1:
        delta = asarray(np.nan if endpoint else stop - start, dtype=computation_dtype)
        out = reshape(broadcast_start, bounds_shape)
    else:
        empty_shape = list(lax.broadcast_shapes(start.shape, stop.shape))
        empty_shape.insert(axis, 0)
        delta = asarray(np.nan, dtype=computation_dtype)
        out = reshape(array([], dtype=dt), empty_shape)
    if dtypes.issubdtype(dt, np.integer) and not dtypes.issubdtype(out.dtype, np.integer):
        out = lax.floor(out)
    out = lax.convert_element_type(out, dt)
    return (out, delta) if retstep else out


def _slice_axis(x, start, stop, axis):
    starts = [0] * x.ndim
    limits = list(x.shape)
    starts[axis] = start
    limits[axis] = stop
    return lax.slice(x, starts, limits)


def eye(N, M=None, k=0, dtype=None, *, device=None):
    """2-D array with ones on the ``k``-th diagonal."""
    dt = _dtype_arg(dtype, "eye") or dtypes.default_float_dtype()
    N = core.concrete_or_error(operator.index, N, "'N' argument of jnp.eye()")
    M = N if M is None else core.concrete_or_error(operator.index, M, "'M' argument of jnp.eye()")
    if N < 0 or M < 0:
        raise ValueError(f"negative dimensions are not allowed, got {N} and {M}")
    k = operator.index(k)
    bool_eye = lax.eq(lax.add(lax.broadcasted_iota(np.int32, (N, M), 0), lax._convert_element_type(k, np.int32)),
                      lax.broadcasted_iota(np.int32, (N, M), 1))
    return lax.convert_element_type(bool_eye, dt)


def identity(n, dtype=None):
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    dt = _dtype_arg(dtype, "tri") or dtypes.default_float_dtype()
    M = N if M is None else M
    return lax.convert_element_type(
        lax.ge(lax.add(lax.broadcasted_iota(np.int32, (N, M), 0), lax._convert_element_type(k, np.int32)),
               lax.broadcasted_iota(np.int32, (N, M), 1)), dt)


def tril(m, k=0):
    m = ensure_arraylike("tril", m)
    if m.ndim < 2:
        raise ValueError("Argument to jax.numpy.tril must be at least 2D")
    N, M = m.shape[-2:]
    mask = tri(N, M, k=k, dtype=np.bool_)
    return lax.select(lax.broadcast(mask, m.shape[:-2]), m, lax._zeros(m))


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
        raise ValueError("can only specify one unknown dimension")
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
    try:
        new = _compute_newshape(a.size, shape)
    except TypeError as err:
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
        raise ValueError(f"axes {axes} don't match array of dimension {a.ndim}")
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


def squeeze(a, axis=None):
    a = ensure_arraylike("squeeze", a)
    if axis is None:
        axes = tuple(i for i, d in enumerate(a.shape) if d == 1)
    else:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        axes = tuple(canonicalize_axis(i, a.ndim) for i in axes)
        for i in axes:
            if a.shape[i] != 1:
                raise ValueError(f"cannot select an axis to squeeze out which has size not equal to one, "
                                 f"got shape={a.shape} and dimensions={axes}")
    return lax.squeeze(a, axes)


def expand_dims(a, axis):
    a = ensure_arraylike("expand_dims", a)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
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
    squeeze_axes = tuple(i for i, (d, s) in enumerate(zip(arr.shape, shape[nlead:])) if d == 1 and s != 1)
    if squeeze_axes:
        arr = lax.reshape(arr, tuple(d for i, d in enumerate(arr.shape) if i not in squeeze_axes))
    kept = tuple(nlead + i for i in range(len(shape) - nlead) if i not in squeeze_axes)
    return lax.broadcast_in_dim(arr, shape, kept)


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
    if axis is None:
        axes = tuple(range(m.ndim))
    else:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
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
    out = []
    for a, b in zip(split_indices[:-1], split_indices[1:]):
        a = builtins.min(builtins.max(int(a) if a >= 0 else size + int(a), 0), size)
        b = builtins.min(builtins.max(int(b) if b >= 0 else size + int(b), a), size)
        out.append(_slice_axis(ary, a, b, axis))
    return out


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
    """The rows of ``x`` (used by iteration over traced arrays)."""
    return [lax.squeeze(_slice_axis(x, i, i + 1, 0), (0,)) for i in range(x.shape[0])]


# ---------------------------------------------------------------------------------------------------
# where / clip
# ---------------------------------------------------------------------------------------------------

def where(condition, x=None, y=None, /, *, size=None, fill_value=None):
    """``x`` where ``condition`` else ``y`` (elementwise, broadcast); one-argument form is ``nonzero``."""
    if x is None and y is None:
        from jaxlite._src.numpy import setops
        return setops.nonzero(condition, size=size, fill_value=fill_value)
    if x is None or y is None:
        raise ValueError("Either both or neither of the x and y arguments should be provided to "
                         "jax.numpy.where, got {} and {}.".format(x, y))
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
def clip(arr=None, /, min=None, max=None, *, a=None, a_min=None, a_max=None):
    """Clip values into ``[min, max]`` (either bound may be None; where min > max, max wins)."""
    if arr is None:
        arr = a
    if min is None:
        min = a_min
    if max is None:
        max = a_max
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
    if a_is_vec and b_is_vec:
        if a.shape[0] != b.shape[0]:
            raise ValueError(f"matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
                             f"signature (n?,k),(k,m?)->(n?,m?) (size {b.shape[0]} is different from "
                             f"{a.shape[0]})")
        return lax.dot_general(a, b, (((0,), (0,)), ((), ())), precision, pet)
    if a.shape[-1] != b.shape[0 if b_is_vec else -2]:
        raise ValueError(f"matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
                         f"signature (n?,k),(k,m?)->(n?,m?) (size {b.shape[0 if b_is_vec else -2]} is "
                         f"different from {a.shape[-1]})")
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
    args = [ensure_arraylike("meshgrid", x) for x in xi]
    if indexing not in ("xy", "ij"):
        raise ValueError(f"Valid values for indexing are 'xy' and 'ij', got {indexing}")
    if builtins.any(a.ndim != 1 for a in args):
        raise ValueError(f"Arguments to jax.numpy.meshgrid must be 1D, got shapes {[a.shape for a in args]}")
    if indexing == "xy" and len(args) >= 2:
        args[0], args[1] = args[1], args[0]
    shape = tuple(a.shape[0] for a in args)
    if sparse:
        out = [lax.broadcast_in_dim(a, tuple(s if j == i else 1 for j, s in enumerate(shape)), (i,))
               for i, a in enumerate(args)]
    else:
        out = [lax.broadcast_in_dim(a, shape, (i,)) for i, a in enumerate(args)]
    if indexing == "xy" and len(args) >= 2:
        out[0], out[1] = out[1], out[0]
        out = [swapaxes(o, 0, 1) for o in out]
    return out


def indices(dimensions, dtype=None, sparse=False):
    dt = _dtype_arg(dtype) or dtypes.default_int_dtype()
    dimensions = tuple(dimensions)
    out = []
    for i, d in enumerate(dimensions):
        shape = tuple(d if j == i else 1 for j in range(len(dimensions))) if sparse else dimensions
        out.append(lax.broadcasted_iota(dt, shape, i))
    return tuple(out) if sparse else stack(out) if out else zeros((0,), dt)


def save(file, arr, allow_pickle=True):
    np.save(file, np.asarray(arr), allow_pickle=allow_pickle)


def load(file, *args, **kwargs):
    out = np.load(file, *args, **kwargs)
    return asarray(out) if isinstance(out, np.ndarray) else out
