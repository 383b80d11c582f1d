"""The concrete array: an immutable wrapper of a NumPy array, with JAX's dtype and weak type.

Operators and methods (``x + y``, ``x.sum()``, ``x.at[...]``, ``x[...]``) are installed by
``_src/numpy/array_methods.py`` on this class and on ``core.Tracer`` alike, so a function behaves the
same whether it sees concrete arrays or tracers.
"""
from __future__ import annotations

import numpy as np

from jaxlite._src import dtypes


class _ArrayMeta(type):
    def __instancecheck__(cls, obj):
        from jaxlite._src.core import Tracer
        return isinstance(obj, (ArrayImpl, Tracer))

    def __subclasscheck__(cls, sub):
        from jaxlite._src.core import Tracer
        return issubclass(sub, (ArrayImpl, Tracer))


class Array(metaclass=_ArrayMeta):
    """``jax.Array``: the type of arrays and of traced values, for ``isinstance`` checks and annotations."""


class ArrayImpl:
    __slots__ = ("_value", "weak_type", "_aval", "_sharding", "__weakref__")
    __array_priority__ = 100

    def __init__(self, value, weak_type: bool = False):
        v = np.asarray(value)
        dt = dtypes.canonicalize_dtype(v.dtype)
        if v.dtype != dt:
            v = v.astype(dt)
        self._value = v
        self.weak_type = weak_type
        self._aval = None
        self._sharding = None

    @classmethod
    def _from_np(cls, v: np.ndarray, weak_type: bool = False, sharding=None) -> "ArrayImpl":
        # fast constructor: ``v`` is already an ndarray of a canonical dtype
        self = object.__new__(cls)
        self._value = v
        self.weak_type = weak_type
        self._aval = None
        self._sharding = sharding
        return self

    @property
    def aval(self):
        a = self._aval
        if a is None:
            from jaxlite._src.core import ShapedArray
            a = self._aval = ShapedArray(self._value.shape, self._value.dtype, self.weak_type)
        return a

    # --- shape and dtype ---
    @property
    def shape(self):
        return self._value.shape

    @property
    def dtype(self):
        return self._value.dtype

    @property
    def ndim(self):
        return self._value.ndim

    @property
    def size(self):
        return self._value.size

    @property
    def nbytes(self):
        return self._value.nbytes

    @property
    def itemsize(self):
        return self._value.itemsize

    # --- conversion to Python / NumPy ---
    def __array__(self, dtype=None, copy=None):
        v = self._value
        if dtype is not None and v.dtype != dtype:
            return v.astype(dtype)
        if copy:
            return v.copy()
        # hand out a read-only view so that NumPy code cannot mutate a JAX array in place
        view = v.view()
        view.flags.writeable = False
        return view

    def __len__(self):
        if self._value.ndim == 0:
            raise TypeError("len() of unsized object")
        return self._value.shape[0]

    def __bool__(self):
        return bool(self._value)

    def _check_scalar(self):
        if self._value.ndim != 0:
            raise TypeError(f"Only scalar arrays can be converted to Python scalars; got "
                            f"arr.ndim={self._value.ndim}")

    def __int__(self):
        self._check_scalar()
        return int(self._value)

    def __float__(self):
        self._check_scalar()
        return float(self._value)

    def __complex__(self):
        self._check_scalar()
        return complex(self._value)

    def __index__(self):
        if self._value.dtype.kind not in "iub" or self._value.ndim != 0:
            raise TypeError("Only integer scalar arrays can be converted to a scalar index.")
        return int(self._value)

    def item(self, *args):
        return self._value.item(*args)

    def tolist(self):
        return self._value.tolist()

    def __iter__(self):
        if self._value.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        weak = self.weak_type
        return (ArrayImpl._from_np(np.asarray(row), weak) for row in self._value)

    def __reversed__(self):
        return iter(list(self)[::-1])

    def __format__(self, spec):
        if self._value.ndim == 0:
            return format(self._value[()], spec)  # a NumPy scalar: float32 formats as float32
        return format(str(self), spec)

    def __repr__(self):
        v = self._value
        dt = v.dtype.name
        if v.size == 0 or v.ndim == 0:
            body = np.array2string(v, separator=", ")
            prefix = "Array("
        else:
            prefix = "Array("
            body = np.array2string(v, separator=", ", prefix=prefix)
        extra = ", weak_type=True" if self.weak_type else ""
        if v.size == 0 and v.ndim:
            return f"{prefix}{body}, shape={v.shape}, dtype={dt}{extra})"
        return f"{prefix}{body}, dtype={dt}{extra})"

    def __str__(self):
        return str(self._value)

    def __hash__(self):
        raise TypeError("unhashable type: 'jaxlite.Array' (arrays are mutable-looking values; use "
                        "a tuple, or `x.item()` for a scalar, as a dict key or static argument)")

    def __setitem__(self, idx, value):
        raise TypeError(
            "JAX arrays are immutable and do not support in-place item assignment. Instead of "
            "x[idx] = y, use x = x.at[idx].set(y) or another .at[] method: "
            "https://docs.jax.dev/en/latest/_autosummary/jax.numpy.ndarray.at.html")

    def __delitem__(self, idx):
        raise TypeError("JAX arrays are immutable: items cannot be deleted")

    # --- devices and sharding (see _src/sharding.py; the default is device 0, resolved lazily) ---
    @property
    def sharding(self):
        from jaxlite._src.sharding import array_sharding
        return array_sharding(self)

    def devices(self):
        return self.sharding.device_set

    @property
    def device(self):
        s = self.sharding
        return next(iter(s.device_set)) if len(s.device_set) == 1 else s

    @property
    def addressable_shards(self):
        from jaxlite._src.sharding import addressable_shards
        return addressable_shards(self)

    global_shards = addressable_shards

    def addressable_data(self, index):
        return self.addressable_shards[index].data

    @property
    def is_fully_replicated(self):
        return self.sharding.is_fully_replicated

    @property
    def is_fully_addressable(self):
        return True

    @property
    def committed(self):
        return self._sharding is not None

    # --- runtime / device ---
    def block_until_ready(self):
        return self

    def copy_to_host_async(self):
        pass

    def is_deleted(self):
        return False

    def delete(self):
        pass

    def __copy__(self):
        return ArrayImpl._from_np(self._value.copy(), self.weak_type, self._sharding)

    def __deepcopy__(self, memo):
        return self.__copy__()

    def __reduce__(self):
        return (_reconstruct, (self._value, self.weak_type))

    def __dlpack__(self, *args, **kw):
        return self._value.__dlpack__(*args, **kw)

    def __dlpack_device__(self):
        return self._value.__dlpack_device__()

    def __jax_array__(self):
        return self


def _reconstruct(value, weak_type):
    return ArrayImpl._from_np(np.asarray(value), weak_type)


