"""``jnp.ufunc`` and ``jnp.frompyfunc``: NumPy-style universal functions built from a scalar function.

A ufunc wraps ``func`` (taking ``nin`` scalars, returning ``nout`` scalars) and offers NumPy's methods.
Unless specialised implementations are passed to the constructor, they are built from ``func`` with
JAX transformations and control flow, as JAX does:

- ``__call__``: ``jnp.vectorize(func)`` (broadcasting, one ``vmap`` per dimension);
- ``reduce``: a ``fori_loop`` folding ``func`` along the axis;
- ``accumulate``: a ``scan`` keeping the running result;
- ``at``: a ``scan`` applying ``func`` at each index in turn (so repeated indices accumulate);
- ``reduceat``: a ``fori_loop`` over the axis, folding into the segment each position belongs to;
- ``outer``: two nested ``vmap``s.

JAX arrays are immutable, so ``at`` requires ``inplace=False`` and returns the updated array.
"""
from __future__ import annotations

import math
import operator
from typing import Any, Callable

import numpy as np

from jaxlite._src.numpy.util import canonicalize_axis, check_arraylike

__all__ = ["ufunc", "frompyfunc"]

_AT_INPLACE_MSG = ("jnp.ufunc.at() cannot update its argument in place like np.ufunc.at(): JAX arrays are "
                   "immutable. Pass inplace=False and use the result, e.g. "
                   "arr = jnp.add.at(arr, ind, val, inplace=False).")


def _jnp():
    import jaxlite.numpy as jnp  # the whole public namespace (take, append, ...), imported lazily
    return jnp


def _lax():
    from jaxlite._src.lax import lax
    return lax


def _result_dtype(func, *args):
    """The dtype ``func`` returns on scalars of the dtypes of ``args`` (traced abstractly)."""
    from jaxlite._src.api import eval_shape
    jnp = _jnp()
    ones = [jnp.ones((), jnp.asarray(a).dtype) for a in args]
    return eval_shape(func, *ones).dtype


class ufunc:
    """A universal function: elementwise ``func`` with ``reduce``/``accumulate``/``at``/``reduceat``/``outer``.

    >>> add = jnp.frompyfunc(lambda x, y: x + y, nin=2, nout=1, identity=0)
    >>> add.reduce(jnp.arange(5))
    Array(10, dtype=int32)
    """

    def __init__(self, func: Callable[..., Any], /, nin: int, nout: int, *, name: str | None = None,
                 nargs: int | None = None, identity: Any = None, call: Callable | None = None,
                 reduce: Callable | None = None, accumulate: Callable | None = None,
                 at: Callable | None = None, reduceat: Callable | None = None):
        self.__doc__ = func.__doc__
        self.__name__ = name or getattr(func, "__name__", type(func).__name__)
        self._props = {"func": func, "nin": operator.index(nin), "nout": operator.index(nout),
                       "nargs": operator.index(nargs or nin), "identity": identity, "call": call,
                       "reduce": reduce, "accumulate": accumulate, "at": at, "reduceat": reduceat}

    _func = property(lambda self: self._props["func"])
    nin = property(lambda self: self._props["nin"])
    nout = property(lambda self: self._props["nout"])
    nargs = property(lambda self: self._props["nargs"])
    identity = property(lambda self: self._props["identity"])

    def _key(self):
        return (self._func, self.__name__, self.identity, self.nin, self.nout, self.nargs)

    def __hash__(self):
        return hash(self._key())

    def __eq__(self, other):
        return isinstance(other, ufunc) and self._key() == other._key()

    def __repr__(self):
        return f"<jnp.ufunc '{self.__name__}'>"

    def _require_binary(self, method):
        if self.nin != 2:
            raise ValueError(f"{method} only supported for binary ufuncs")
        if self.nout != 1:
            raise ValueError(f"{method} only supported for functions returning a single value")

    # -- call ------------------------------------------------------------------------------------
    def __call__(self, *args, out=None, where=None):
        check_arraylike(self.__name__, *args)
        if out is not None:
            raise NotImplementedError(f"out argument of {self}")
        if where is not None:
            raise NotImplementedError(f"where argument of {self}")
        call = self._props["call"] or self._call_vectorized
        return call(*args)

    def _call_vectorized(self, *args):
        return _jnp().vectorize(self._func)(*args)

    # -- reduce ----------------------------------------------------------------------------------
    def reduce(self, a, axis: int | None = 0, dtype=None, out=None, keepdims: bool = False, initial=None,
               where=None):
        """Fold the ufunc over ``axis`` (``None``: over all elements), like ``np.ufunc.reduce``."""
        name = f"{self.__name__}.reduce"
        check_arraylike(name, a)
        self._require_binary("reduce")
        if out is not None:
            raise NotImplementedError(f"out argument of {self.__name__}.reduce()")
        if initial is not None:
            check_arraylike(name, initial)
        if where is not None:
            check_arraylike(name, where)
            if self.identity is None and initial is None:
                raise ValueError(f"reduction operation {self.__name__!r} does not have an identity, so to use "
                                 f"a where mask one has to specify 'initial'.")
            wdt = _jnp().asarray(where).dtype
            if wdt != np.bool_:
                raise ValueError(f"where argument must have dtype=bool; got dtype={wdt}")
        fn = self._props["reduce"] or self._reduce_by_loop
        return fn(a, axis=axis, dtype=dtype, keepdims=keepdims, initial=initial, where=where)

    def _reduce_by_loop(self, a, axis=0, dtype=None, keepdims=False, initial=None, where=None):
        jnp, lax = _jnp(), _lax()
        from jaxlite._src.lax.control_flow import fori_loop
        arr = jnp.asarray(a)
        if initial is None:
            initial = self.identity
        if dtype is None:
            dtype = _result_dtype(self._func, arr, arr)
        if where is not None:
            where = jnp.broadcast_to(where, arr.shape)
        if isinstance(axis, tuple):
            raise NotImplementedError(f"{self.__name__}.reduce with a tuple of axes")
        if axis is None:
            out_shape = (1,) * arr.ndim if keepdims else ()
            arr = arr.ravel()
            where = None if where is None else where.ravel()
            axis = 0
        else:
            axis = canonicalize_axis(axis, arr.ndim)
            out_shape = arr.shape[:axis] + ((1,) if keepdims else ()) + arr.shape[axis + 1:]
            arr = jnp.moveaxis(arr, axis, 0)
            where = None if where is None else jnp.moveaxis(where, axis, 0)
        if arr.shape[0] == 0:
            if initial is None:
                raise ValueError(f"zero-size array to reduction operation {self.__name__} which has no "
                                 f"identity")
            return lax.full(out_shape, initial, dtype)

        def step(i, acc):
            new = self(acc, arr[i].astype(dtype))
            return new if where is None else jnp.where(where[i], new, acc)

        if initial is None:
            start, acc0 = 1, arr[0]
        else:
            start, acc0 = 0, initial
        acc0 = jnp.broadcast_to(jnp.asarray(acc0).astype(dtype), arr.shape[1:])
        res = fori_loop(start, arr.shape[0], step, acc0)
        return res.reshape(out_shape) if keepdims else res

    # -- accumulate ------------------------------------------------------------------------------
    def accumulate(self, a, axis: int = 0, dtype=None, out=None):
        """Running fold along ``axis`` (``np.add.accumulate`` is ``cumsum``)."""
        self._require_binary("accumulate")
        if out is not None:
            raise NotImplementedError(f"out argument of {self.__name__}.accumulate()")
        fn = self._props["accumulate"] or self._accumulate_by_scan
        return fn(a, axis=axis, dtype=dtype)

    def _accumulate_by_scan(self, a, axis=0, dtype=None):
        jnp, lax = _jnp(), _lax()
        from jaxlite._src.lax.control_flow import scan
        check_arraylike(f"{self.__name__}.accumulate", a)
        arr = jnp.asarray(a)
        if dtype is None:
            dtype = _result_dtype(self._func, arr, arr)
        if axis is None or isinstance(axis, tuple):
            raise ValueError("accumulate does not allow multiple axes")
        axis = canonicalize_axis(axis, arr.ndim)
        if arr.size == 0:
            return lax.full(arr.shape, 0, dtype)
        arr = jnp.moveaxis(arr, axis, 0)

        def step(carry, _):
            # the index rides in the carry; step 0 emits the first element itself
            i, acc = carry
            new = jnp.where(i == 0, arr[0].astype(dtype), self(acc.astype(dtype), arr[i].astype(dtype)))
            return (i + 1, new), new

        _, res = scan(step, (0, arr[0].astype(dtype)), None, length=arr.shape[0])
        return jnp.moveaxis(res, 0, axis)

    # -- at ----------------------------------------------------------------------------------------
    def at(self, a, indices, b=None, /, *, inplace: bool = True):
        """Apply the ufunc at ``indices`` of ``a`` (with operand ``b`` for binary ufuncs); repeated
        indices are applied repeatedly. Requires ``inplace=False``; returns the new array.

        Jitted as JAX's: ``indices`` are arrays (or tuples of them), not slices or ``...``."""
        if inplace:
            raise NotImplementedError(_AT_INPLACE_MSG)
        return self._at(a, indices, b)

    def _at(self, a, indices, b):
        fn = self._props["at"] or self._at_by_scan
        return fn(a, indices) if b is None else fn(a, indices, b)

    def _at_by_scan(self, a, indices, *args):
        jnp = _jnp()
        from jaxlite._src.lax.control_flow import scan
        check_arraylike(f"{self.__name__}.at", a, *args)
        dtype = _result_dtype(self._func, a, *args)
        a = jnp.asarray(a).astype(dtype)
        args = tuple(jnp.asarray(x).astype(dtype) for x in args)
        if not isinstance(indices, tuple):
            indices = (indices,)
        indices = tuple(i if isinstance(i, slice) or i is None or i is Ellipsis else jnp.asarray(i)
                        for i in indices)
        if not indices:
            return a
        arr_shapes = [np.shape(i) for i in indices if not isinstance(i, slice) and i is not None
                      and i is not Ellipsis]
        shape = _lax().broadcast_shapes(*arr_shapes) if arr_shapes else ()
        if not shape:
            return a.at[indices].set(self(a.at[indices].get(), *args))
        n = math.prod(shape)
        if args:
            extra = args[0].shape[len(shape):]
            args = (jnp.broadcast_to(args[0], shape + extra).reshape((n,) + extra),)
        flat = [i if isinstance(i, slice) or i is None or i is Ellipsis else jnp.broadcast_to(i, shape).ravel()
                for i in indices]

        def step(carry, _):
            k, arr = carry
            idx = tuple(i if isinstance(i, slice) or i is None or i is Ellipsis else i[k] for i in flat)
            arr = arr.at[idx].set(self(arr.at[idx].get(), *(x[k] for x in args)))
            return (k + 1, arr), None

        (_, out), _ = scan(step, (0, a), None, n)
        return out

    # -- reduceat ----------------------------------------------------------------------------------
    def reduceat(self, a, indices, axis: int = 0, dtype=None, out=None):
        """Fold over the segments ``a[indices[i]:indices[i+1]]`` along ``axis`` (``np.ufunc.reduceat``)."""
        self._require_binary("reduceat")
        if out is not None:
            raise NotImplementedError(f"out argument of {self.__name__}.reduceat()")
        fn = self._props["reduceat"] or self._reduceat_by_loop
        return fn(a, indices, axis=axis, dtype=dtype)

    def _reduceat_by_loop(self, a, indices, axis=0, dtype=None):
        jnp, lax = _jnp(), _lax()
        from jaxlite._src.lax.control_flow import fori_loop
        check_arraylike(f"{self.__name__}.reduceat", a, indices)
        a = jnp.asarray(a)
        indices = jnp.asarray(indices)
        if a.ndim == 0:
            raise ValueError(f"reduceat: a must have 1 or more dimension, got a.shape={a.shape!r}")
        if indices.ndim != 1:
            raise ValueError(f"reduceat: indices must be one-dimensional, got indices.shape={indices.shape!r}")
        if dtype is None:
            dtype = a.dtype
        if axis is None or isinstance(axis, (tuple, list)):
            raise ValueError("reduceat requires a single integer axis.")
        axis = canonicalize_axis(axis, a.ndim)
        out = jnp.take(a, indices, axis=axis)
        # segment k covers positions start[k] < i < end[k] (its first element is already in ``out``)
        bounds = jnp.append(indices, a.shape[axis])
        other = [d for d in range(out.ndim) if d != axis]
        bounds = lax.expand_dims(bounds, other)
        starts = lax.slice_in_dim(bounds, 0, bounds.shape[axis] - 1, axis=axis)
        ends = lax.slice_in_dim(bounds, 1, bounds.shape[axis], axis=axis)

        def step(i, acc):
            xi = jnp.take(a, lax.expand_dims(i, (0,)), axis=axis)
            return jnp.where((i > starts) & (i < ends), self(acc, xi), acc)

        return fori_loop(0, a.shape[axis], step, out)

    # -- outer -------------------------------------------------------------------------------------
    def outer(self, A, B, /):
        """``result[i..., j...] = ufunc(A[i...], B[j...])``."""
        from jaxlite._src.vmap import vmap
        self._require_binary("outer")
        check_arraylike(f"{self.__name__}.outer", A, B)
        jnp = _jnp()
        A, B = jnp.asarray(A), jnp.asarray(B)
        res = vmap(vmap(self, (None, 0)), (0, None))(A.ravel(), B.ravel())
        return res.reshape(A.shape + B.shape)


def _jit_methods():
    from jaxlite._src.api import jit
    ufunc._call_vectorized = jit(ufunc._call_vectorized, static_argnames=["self"])
    ufunc.reduce = jit(ufunc.reduce, static_argnames=["self", "axis", "dtype", "out", "keepdims"])
    ufunc.accumulate = jit(ufunc.accumulate, static_argnames=["self", "axis", "dtype"])
    ufunc.at = jit(ufunc.at, static_argnums=[0], static_argnames=["inplace"])
    ufunc.reduceat = jit(ufunc.reduceat, static_argnames=["self", "axis", "dtype"])
    ufunc.outer = jit(ufunc.outer, static_argnums=[0])


_jit_methods()


def frompyfunc(func: Callable[..., Any], /, nin: int, nout: int, *, identity: Any = None) -> ufunc:
    """Make a ``jnp.ufunc`` from a function of ``nin`` scalars returning ``nout`` values.

    >>> mul = jnp.frompyfunc(jnp.multiply, nin=2, nout=1, identity=1)
    >>> mul.accumulate(jnp.arange(1, 5))
    Array([ 1,  2,  6, 24], dtype=int32)
    """
    return ufunc(func, nin, nout, identity=identity)
