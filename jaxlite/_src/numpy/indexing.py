"""NumPy-style indexing (``x[idx]``) and functional updates (``x.at[idx].set(v)``).

Static basic indices (ints, slices, None, Ellipsis) become ``slice``/``squeeze``/``rev``/
``broadcast_in_dim``; this is what JAX emits for them. Everything else goes through gather/scatter.
"""
from __future__ import annotations

import operator

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.core import Tracer
from jaxlite._src.lax import lax

__all__ = ["rewriting_take", "_IndexUpdateHelper"]


def _is_static_basic(idx):
    for i in idx:
        if i is None or i is Ellipsis:
            continue
        if isinstance(i, slice):
            if any(isinstance(s, (Tracer, core.Array)) and not isinstance(s, core.Array) for s in
                   (i.start, i.stop, i.step)):
                return False
            continue
        if isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)):
            continue
        return False
    return True


def _normalize_index_tuple(arr, idx):
    if not isinstance(idx, tuple):
        idx = (idx,)
    n_ellipsis = sum(1 for i in idx if i is Ellipsis)
    if n_ellipsis > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    n_real = sum(1 for i in idx if i is not None and i is not Ellipsis)
    if n_real > arr.ndim:
        raise IndexError(f"Too many indices: {arr.ndim}-dimensional array indexed with {n_real} regular "
                         f"indices.")
    if n_ellipsis:
        k = idx.index(Ellipsis)
        idx = idx[:k] + (slice(None),) * (arr.ndim - n_real) + idx[k + 1:]
    else:
        idx = idx + (slice(None),) * (arr.ndim - n_real)
    return idx


def rewriting_take(arr, idx):
    idx = _normalize_index_tuple(arr, idx)
    if _is_static_basic(idx):
        return _static_basic_take(arr, idx)
    raise NotImplementedError("advanced (array, boolean or traced) indexing: needs the gather primitive")


def _static_basic_take(arr, idx):
    starts, limits, strides, squeeze_dims, rev_dims, new_shape_dims = [], [], [], [], [], []
    out_dim = 0
    src_dim = 0
    newaxis_pos = []
    for i in idx:
        if i is None:
            newaxis_pos.append(out_dim)
            out_dim += 1
            continue
        size = arr.shape[src_dim]
        if isinstance(i, slice):
            start, stop, step = i.indices(size)
            if step > 0:
                n = max(0, (stop - start + step - 1) // step)
                starts.append(start)
                limits.append(start + (n - 1) * step + 1 if n else start)
                strides.append(step)
            else:
                n = max(0, (start - stop - step - 1) // (-step))
                # reverse the dim after slicing the equivalent increasing range
                lo = start + (n - 1) * step if n else 0
                starts.append(lo if n else 0)
                limits.append(start + 1 if n else 0)
                strides.append(-step)
                rev_dims.append(src_dim)
            out_dim += 1
        else:
            k = operator.index(i)
            if k < 0:
                k += size
            k = min(max(k, 0), size - 1)  # out-of-bounds ints clamp, like JAX's gather
            if size == 0:
                raise IndexError(f"index {i} is out of bounds for axis {src_dim} with size 0")
            starts.append(k)
            limits.append(k + 1)
            strides.append(1)
            squeeze_dims.append(src_dim)
        src_dim += 1
    out = arr
    if any(s != 0 for s in starts) or any(l != d for l, d in zip(limits, arr.shape)) or any(s != 1 for s in strides):
        out = lax.slice(out, starts, limits, strides if any(s != 1 for s in strides) else None)
    if rev_dims:
        out = lax.rev(out, tuple(rev_dims))
    if squeeze_dims:
        out = lax.squeeze(out, tuple(squeeze_dims))
    if newaxis_pos:
        out = lax.expand_dims(out, tuple(newaxis_pos))
    return out


class _IndexUpdateHelper:
    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array

    def __getitem__(self, index):
        return _IndexUpdateRef(self.array, index)

    def __repr__(self):
        return f"_IndexUpdateHelper({self.array!r})"


class _IndexUpdateRef:
    __slots__ = ("array", "index")

    def __init__(self, array, index):
        self.array = array
        self.index = index

    def get(self, **kw):
        return rewriting_take(self.array, self.index)

    def _scatter(self, *a, **kw):
        raise NotImplementedError(".at[] updates: needs the scatter primitive")

    set = add = subtract = multiply = mul = divide = power = min = max = apply = _scatter
