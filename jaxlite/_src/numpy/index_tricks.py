"""Index-expression helpers of jax.numpy: ``mgrid``, ``ogrid``, ``r_``, ``c_``, ``s_``, ``index_exp``.

They are objects indexed with slices: ``jnp.mgrid[0:3, 0:2]``, ``jnp.r_[1:4, 0, jnp.ones(2)]``. A slice
``start:stop:step`` becomes ``arange(start, stop, step)``; an imaginary step ``Nj`` instead asks for
``linspace(start, stop, N)`` (endpoint included), as in NumPy. Slice bounds must be concrete.
"""
from __future__ import annotations

import numpy as np

from jaxlite._src import core

__all__ = ["mgrid", "ogrid", "r_", "c_", "s_", "index_exp"]


def _jnp():
    from jaxlite._src.numpy import lax_numpy
    return lax_numpy


def _grid_1d(s: slice, op_name: str):
    """The 1-D array a slice stands for in ``op_name[...]``: ``arange(start or 0, stop, step or 1)``, or
    ``linspace(start or 0, stop, N)`` for an imaginary step ``Nj``."""
    what = f"slice {{}} of jnp.{op_name}"
    start = core.concrete_or_error(None, s.start, what.format("start")) or 0
    stop = core.concrete_or_error(None, s.stop, what.format("stop"))
    step = core.concrete_or_error(None, s.step, what.format("step")) or 1
    jnp = _jnp()
    if np.iscomplex(step):
        return jnp.linspace(start, stop, int(abs(step)))
    return jnp.arange(start, stop, step)


def _promoted_grids(key, op_name):
    from jaxlite._src.numpy.util import promote_dtypes
    return promote_dtypes(*(_grid_1d(k, op_name) for k in key))


class _Mgrid:
    """Dense multi-dimensional "meshgrid" from slices (``jnp.meshgrid(..., indexing='ij')`` stacked).

    >>> jnp.mgrid[0:2, 0:3].shape
    (2, 2, 3)
    """

    def __getitem__(self, key):
        if isinstance(key, slice):
            return _grid_1d(key, "mgrid")
        jnp = _jnp()
        grids = _promoted_grids(key, "mgrid")
        if not grids:
            return jnp.arange(0)
        return jnp.stack(jnp.meshgrid(*grids, indexing="ij", sparse=False), 0)

    def __repr__(self):
        return "jnp.mgrid"


class _Ogrid:
    """Open (sparse) multi-dimensional "meshgrid": a list of broadcastable arrays, one per slice.

    >>> [g.shape for g in jnp.ogrid[0:2, 0:3]]
    [(2, 1), (1, 3)]
    """

    def __getitem__(self, key):
        if isinstance(key, slice):
            return _grid_1d(key, "ogrid")
        grids = _promoted_grids(key, "ogrid")
        return _jnp().meshgrid(*grids, indexing="ij", sparse=True)

    def __repr__(self):
        return "jnp.ogrid"


def _parse_directive(directive: str, defaults):
    """``'r'``/``'c'`` or ``'axis[,ndmin[,trans1d]]'`` -> [axis, ndmin, trans1d, matrix]."""
    params = list(defaults)
    if directive == "r":
        params[3] = 0
        return params
    if directive == "c":
        params[3] = 1
        return params
    parts = directive.split(",")[:3]
    try:
        ints = [int(p) for p in parts]
    except ValueError:
        raise ValueError(f"could not understand directive {directive!r}") from None
    params[:len(ints)] = ints
    return params


class _AxisConcat:
    axis: int
    ndmin: int
    trans1d: int
    op_name: str

    def __getitem__(self, key):
        items = key if isinstance(key, tuple) else (key,)
        params = [self.axis, self.ndmin, self.trans1d, -1]
        if items and isinstance(items[0], str):
            params = _parse_directive(items[0], params)
            items = items[1:]
        axis, ndmin, trans1d, matrix = params
        jnp = _jnp()
        pieces = []
        for item in items:
            if isinstance(item, str):
                raise ValueError("string directive must be placed at the beginning")
            if isinstance(item, slice):
                obj, item_ndim = _grid_1d(item, self.op_name), 0
            else:
                obj = jnp.array(item, copy=False)
                item_ndim = obj.ndim
            obj = jnp.array(obj, copy=False, ndmin=ndmin)
            if trans1d != -1 and ndmin > item_ndim:
                # rotate the axes left so that the item's own axes start at position trans1d
                shift = ndmin - abs(ndmin + trans1d + 1) % ndmin
                order = tuple(range(ndmin))
                obj = jnp.transpose(obj, order[shift:] + order[:shift])
            pieces.append(obj)
        out = jnp.concatenate(tuple(pieces), axis=axis)
        if matrix != -1 and out.ndim == 1:
            out = jnp.expand_dims(out, matrix)
        return out

    def __len__(self):
        return 0


class RClass(_AxisConcat):
    """Concatenate slices, scalars and arrays along the first axis (``numpy.r_``).

    >>> jnp.r_[0:3, 5, jnp.array([7, 8])]
    Array([0, 1, 2, 5, 7, 8], dtype=int32)
    """
    axis, ndmin, trans1d, op_name = 0, 1, -1, "r_"


class CClass(_AxisConcat):
    """Concatenate slices, scalars and arrays along the last axis, as columns (``numpy.c_``).

    >>> jnp.c_[jnp.array([1, 2]), jnp.array([3, 4])]
    Array([[1, 3],
           [2, 4]], dtype=int32)
    """
    axis, ndmin, trans1d, op_name = -1, 2, 0, "c_"


mgrid = _Mgrid()
ogrid = _Ogrid()
r_ = RClass()
c_ = CClass()
s_ = np.s_
index_exp = np.index_exp
