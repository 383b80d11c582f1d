"""Factories that make a typical primitive a few lines: shape/dtype rules and standard impls."""
from __future__ import annotations

from typing import Callable, Sequence

import operator

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.core import Primitive, ShapedArray


def standard_primitive(name: str, shape_rule: Callable, dtype_rule: Callable, impl: Callable | None = None,
                       weak_type_rule: Callable | None = None, multiple_results=False) -> Primitive:
    """A primitive whose abstract eval is ``ShapedArray(shape_rule(...), dtype_rule(...), weak)``."""
    prim = Primitive(name)
    prim.multiple_results = multiple_results
    weak_rule = weak_type_rule or _standard_weak_type_rule

    def abstract_eval(*avals, **params):
        shape = shape_rule(*avals, **params)
        dt = dtype_rule(*avals, **params)
        weak = weak_rule(*avals, **params)
        if multiple_results:
            return [ShapedArray(s, d, w) for s, d, w in zip(shape, dt, weak)]
        return ShapedArray(shape, dt, weak)

    prim.def_abstract_eval(abstract_eval)
    if impl is not None:
        prim.def_impl(impl)
    return prim


def _standard_weak_type_rule(*avals, **params):
    return all(a.weak_type for a in avals) if avals else False


def _dtype_names(avals):
    return ", ".join(a.dtype.name for a in avals)


def check_same_dtypes(name: str, avals: Sequence[ShapedArray]):
    if len(avals) < 2:
        return
    d0 = avals[0].dtype
    for a in avals[1:]:
        if a.dtype != d0:
            raise TypeError(f"lax.{name} requires arguments to have the same dtypes, got "
                            f"{_dtype_names(avals)}. (Tip: jnp.{name} is a similar function that does "
                            f"automatic type promotion on inputs).")


def check_accepted_dtypes(name: str, avals, accepted: Sequence[type], typename: str):
    for i, a in enumerate(avals):
        if not any(dtypes.issubdtype(a.dtype, t) for t in accepted):
            if len(avals) == 1:
                raise TypeError(f"{name} does not accept dtype {a.dtype.name}. "
                                f"Accepted dtypes are subtypes of {typename}.")
            raise TypeError(f"{name} does not accept dtype {a.dtype.name} at position {i}. "
                            f"Accepted dtypes at position {i} are subtypes of {typename}.")


def broadcasting_shape_rule(name: str, *avals, **params):
    """lax's n-ary shape rule: scalars mix with anything; other operands need the same rank, and each
    dimension must agree or be 1 (degenerate broadcasting)."""
    shapes = [a.shape for a in avals if a.shape]
    if not shapes:
        return ()
    ranks = {len(s) for s in shapes}
    if len(ranks) != 1:
        raise TypeError(f"{name}: arrays must have the same number of dimensions, got {ranks}")
    out = []
    for dims in zip(*shapes):
        non1 = {d for d in dims if d != 1}
        if len(non1) > 1:
            raise TypeError(f"{name} got incompatible shapes for broadcasting: "
                            f"{', '.join(str(tuple(s)) for s in shapes)}.")
        out.append(non1.pop() if non1 else 1)
    return tuple(out)


# dtype classes
_num = (np.integer, np.floating, np.complexfloating)
_float = (np.floating,)
_complex = (np.complexfloating,)
_inexact = (np.floating, np.complexfloating)
_int = (np.integer,)
_bool = (np.bool_,)
_bool_or_int = (np.bool_, np.integer)
_any = (np.generic,)
_ordered = (np.bool_, np.integer, np.floating)
_signedint = (np.signedinteger,)


def naryop_dtype_rule(name, accepted, typename):
    def rule(*avals, **params):
        check_accepted_dtypes(name, avals, accepted, typename)
        check_same_dtypes(name, avals)
        return avals[0].dtype
    return rule


def as_np(x):
    """A NumPy value for a lax-level argument (used by impls that must accept scalars)."""
    if isinstance(x, core.Array):
        return x._value
    return np.asarray(x)


def canonicalize_shape(shape, context="") -> tuple[int, ...]:
    """Shapes are tuples of concrete ints: a traced, float or string size is a TypeError (as in JAX)."""
    if isinstance(shape, (int, np.integer)) or (isinstance(shape, (core.Array, core.Tracer)) and shape.ndim == 0):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        dims = None
    if dims is not None and any(isinstance(d, core.Tracer) and not core.is_concrete(d) for d in dims):
        raise TypeError(f"Shapes must be 1D sequences of concrete values of integer type, got {dims}. "
                        f"A size in the shape{' ' + context if context else ''} is a traced value; shapes are "
                        f"fixed when tracing, so pass it as a Python int (with jit, mark the argument static "
                        f"with `static_argnums`/`static_argnames`).")
    try:
        return tuple(operator.index(core.concrete_or_error(None, d) if isinstance(d, core.Tracer) else d)
                     for d in dims)
    except TypeError:
        raise TypeError(f"Shapes must be 1D sequences of concrete values of integer type, got {shape}.") from None
