"""The values of literals as ``eval_jaxpr`` returns them for a jaxpr's literal outputs, like JAX's.

A weakly typed Python scalar literal comes back as a Python scalar subclass that remembers its dtype
(``TypedFloat(1.0, dtype=float32)``), a typed scalar literal as a NumPy array subclass with its aval
(``TypedNdArray(3., dtype=float32)``); a boolean literal is a plain ``bool``.
"""
from __future__ import annotations

import numpy as np

from jaxlite._src.core import ShapedArray

__all__ = ["TypedInt", "TypedFloat", "TypedComplex", "TypedNdArray", "literal_value"]


class _TypedScalar:
    """Mixin: a Python scalar with a JAX dtype (weakly typed)."""
    __slots__ = ()
    _base: type

    def __new__(cls, value, dtype):
        v = cls._base.__new__(cls, value)
        v.dtype = np.dtype(dtype)
        v.aval = ShapedArray((), v.dtype, True)
        return v

    def __repr__(self):
        return f"{type(self).__name__}({self._base(self)!r}, dtype={self.dtype.name})"

    def __str__(self):
        return str(self._base(self))

    def __getnewargs__(self):
        return (self._base(self), self.dtype)


class TypedInt(_TypedScalar, int):
    _base = int


class TypedFloat(_TypedScalar, float):
    _base = float


class TypedComplex(_TypedScalar, complex):
    _base = complex


class TypedNdArray(np.ndarray):
    """A host NumPy array that keeps the JAX aval it had in the jaxpr (also a weak type)."""

    def __new__(cls, value, aval: ShapedArray | None = None):
        out = np.asarray(value).view(cls)
        out._aval = aval
        return out

    def __array_finalize__(self, obj):
        self._aval = None

    @property
    def aval(self) -> ShapedArray:
        if self._aval is None:
            self._aval = ShapedArray(self.shape, self.dtype, False)
        return self._aval

    @property
    def weak_type(self) -> bool:
        return self.aval.weak_type

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # arithmetic on it gives plain NumPy results
        plain = tuple(np.asarray(x) if isinstance(x, TypedNdArray) else x for x in inputs)
        return getattr(ufunc, method)(*plain, **kwargs)

    def __repr__(self):
        weak = ", weak_type=True" if self.aval.weak_type else ""
        body = np.array2string(np.asarray(self), prefix="TypedNdArray(", separator=", ")
        return f"TypedNdArray({body}, dtype={self.dtype.name}{weak})"


def literal_value(val, aval):
    """What ``eval_jaxpr`` returns for a literal output with value ``val`` and type ``aval``."""
    if type(val) is bool:
        return val
    if aval.weak_type and type(val) in (int, float, complex):
        return {int: TypedInt, float: TypedFloat, complex: TypedComplex}[type(val)](val, aval.dtype)
    return TypedNdArray(np.asarray(val, aval.dtype), aval)
