"""Operators and methods shared by concrete Arrays and Tracers (installed on both classes)."""
from __future__ import annotations

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.array import ArrayImpl
from jaxlite._src.core import Tracer
from jaxlite._src.numpy import lax_numpy, reductions, ufuncs


def _defer_to_unrecognized(fn):
    """Binary operators return NotImplemented for operand types JAX does not understand."""
    def op(self, other):
        if not _accepted(other):
            return NotImplemented
        return fn(self, other)
    op.__name__ = fn.__name__
    return op


_ACCEPTED = (int, float, complex, bool, np.ndarray, np.generic, ArrayImpl, Tracer)


def _accepted(x):
    return isinstance(x, _ACCEPTED) or hasattr(x, "__jax_array__")


def _swap(fn):
    return lambda self, other: fn(other, self)


def _matmul(a, b):
    return lax_numpy.matmul(a, b)


_binary_ops = {
    "__add__": ufuncs._add, "__radd__": _swap(ufuncs._add),
    "__sub__": ufuncs._subtract, "__rsub__": _swap(ufuncs._subtract),
    "__mul__": ufuncs._multiply, "__rmul__": _swap(ufuncs._multiply),
    "__truediv__": ufuncs.true_divide, "__rtruediv__": _swap(ufuncs.true_divide),
    "__floordiv__": ufuncs.floor_divide, "__rfloordiv__": _swap(ufuncs.floor_divide),
    "__mod__": ufuncs.remainder, "__rmod__": _swap(ufuncs.remainder),
    "__divmod__": ufuncs.divmod, "__rdivmod__": _swap(ufuncs.divmod),
    "__pow__": ufuncs.power, "__rpow__": _swap(ufuncs.power),
    "__matmul__": _matmul, "__rmatmul__": _swap(_matmul),
    "__and__": ufuncs._bitwise_and, "__rand__": _swap(ufuncs._bitwise_and),
    "__or__": ufuncs._bitwise_or, "__ror__": _swap(ufuncs._bitwise_or),
    "__xor__": ufuncs._bitwise_xor, "__rxor__": _swap(ufuncs._bitwise_xor),
    "__lshift__": ufuncs.left_shift, "__rlshift__": _swap(ufuncs.left_shift),
    "__rshift__": ufuncs.right_shift, "__rrshift__": _swap(ufuncs.right_shift),
    "__lt__": ufuncs.less, "__le__": ufuncs.less_equal, "__gt__": ufuncs.greater,
    "__ge__": ufuncs.greater_equal, "__eq__": ufuncs.equal, "__ne__": ufuncs.not_equal,
}

_unary_ops = {
    "__neg__": ufuncs._negative, "__pos__": ufuncs.positive, "__abs__": ufuncs.abs,
    "__invert__": ufuncs.bitwise_not,
}


def _round(self, ndigits=None):
    # Python's round(x): JAX rounds half to even and, without ndigits, returns an int array
    out = ufuncs.round(self, ndigits or 0)
    return lax_numpy.astype(out, int) if ndigits is None else out


def _astype(self, dtype, copy=False, device=None):
    return lax_numpy.astype(self, dtype)


def _reshape(self, *args, order="C", **kw):
    if len(args) == 1 and not isinstance(args[0], (int, np.integer)) and args[0] is not None:
        shape = args[0]
    elif "shape" in kw:
        shape = kw.pop("shape")
    else:
        shape = args
    return lax_numpy.reshape(self, shape, order=order)


def _transpose(self, *args):
    if not args:
        axes = None
    elif len(args) == 1 and (args[0] is None or isinstance(args[0], (tuple, list))):
        axes = args[0]
    else:
        axes = args
    return lax_numpy.transpose(self, axes)


def _getitem(self, idx):
    from jaxlite._src.numpy import indexing
    return indexing.rewriting_take(self, idx)


def _at(self):
    from jaxlite._src.numpy import indexing
    return indexing._IndexUpdateHelper(self)


def _T(self):
    return lax_numpy.transpose(self)


def _mT(self):
    return lax_numpy.matrix_transpose(self)


def _real_prop(self):
    return ufuncs.real(self)


def _imag_prop(self):
    return ufuncs.imag(self)


def _flat(self):
    raise NotImplementedError("JAX Arrays do not implement the arr.flat property: consider arr.flatten() "
                              "instead.")


def _lazy(modname, fname):
    def f(self, *args, **kwargs):
        import importlib
        mod = importlib.import_module(modname)
        return getattr(mod, fname)(self, *args, **kwargs)
    f.__name__ = fname
    return f


_methods = {
    "astype": _astype, "reshape": _reshape, "transpose": _transpose, "__getitem__": _getitem,
    "__round__": _round, "round": lambda self, decimals=0, out=None: ufuncs.round(self, decimals),
    "sum": reductions.sum, "prod": reductions.prod, "max": reductions.max, "min": reductions.min,
    "mean": reductions.mean, "var": reductions.var, "std": reductions.std, "all": reductions.all,
    "any": reductions.any, "argmax": reductions.argmax, "argmin": reductions.argmin,
    "ptp": reductions.ptp, "clip": lambda self, min=None, max=None, **kw: lax_numpy.clip(self, min, max, **kw),
    "conj": ufuncs.conjugate, "conjugate": ufuncs.conjugate, "flatten": lambda self, order="C": lax_numpy.ravel(self, order),
    "ravel": lambda self, order="C": lax_numpy.ravel(self, order),
    "squeeze": lax_numpy.squeeze, "swapaxes": lax_numpy.swapaxes, "dot": lax_numpy.dot,
    "diagonal": lax_numpy.diagonal, "trace": lax_numpy.trace,
    "cumsum": _lazy("jaxlite._src.numpy.reductions", "cumsum"),
    "cumprod": _lazy("jaxlite._src.numpy.reductions", "cumprod"),
    "sort": _lazy("jaxlite._src.numpy.sorting", "sort"),
    "argsort": _lazy("jaxlite._src.numpy.sorting", "argsort"),
    "nonzero": _lazy("jaxlite._src.numpy.setops", "nonzero"),
    "searchsorted": _lazy("jaxlite._src.numpy.sorting", "searchsorted"),
    "take": _lazy("jaxlite._src.numpy.indexing", "take"),
    "repeat": _lazy("jaxlite._src.numpy.lax_numpy", "repeat"),
    "choose": _lazy("jaxlite._src.numpy.indexing", "choose"),
    "view": lambda self, dtype=None, type=None: self if dtype is None else
    __import__("jaxlite._src.lax.lax", fromlist=["x"]).bitcast_convert_type(self, dtype),
    "copy": lambda self, order=None: lax_numpy.copy(self),
    "item": None,  # already defined on both classes
}

_properties = {"T": _T, "mT": _mT, "real": _real_prop, "imag": _imag_prop, "at": _at,
               "flat": _flat}


def _install(cls):
    for name, fn in _binary_ops.items():
        setattr(cls, name, _defer_to_unrecognized(fn))
    for name, fn in _unary_ops.items():
        setattr(cls, name, fn)
    for name, fn in _methods.items():
        if fn is not None:
            setattr(cls, name, fn)
    for name, fn in _properties.items():
        setattr(cls, name, property(fn))
    # arrays define __eq__, so Python would otherwise drop __hash__; keep the classes' own rule
    cls.__hash__ = cls.__dict__.get("_hash_rule", cls.__hash__) if False else _unhashable(cls)


def _unhashable(cls):
    def h(self):
        raise TypeError(f"unhashable type: '{'ArrayImpl' if cls is ArrayImpl else cls.__name__}' (JAX arrays "
                        f"cannot be dict keys or static arguments; use a tuple, or `x.item()` for a scalar)")
    return h


_install(ArrayImpl)
_install(Tracer)
