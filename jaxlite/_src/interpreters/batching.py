"""vmap: the batch trace. A BatchTracer is a value with one extra (batch) dimension at ``batch_dim``.

Each primitive's batch rule ``rule(args, dims, **params) -> (out, out_dim)`` turns the primitive on
batched values into primitives on whole arrays (never a Python loop over examples). Collectives over a
named vmap axis use ``axis_primitive_batchers``, whose rules also get the axis' ``AxisData``.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from jaxlite._src import core
from jaxlite._src.core import Trace, Tracer, get_aval, set_current_trace, ShapedArray

not_mapped = None
primitive_batchers: dict = {}
axis_primitive_batchers: dict = {}


class AxisData:
    __slots__ = ("name", "size", "spmd_name")

    def __init__(self, name, size, spmd_name=None):
        self.name, self.size, self.spmd_name = name, size, spmd_name


class BatchTracer(Tracer):
    __slots__ = ("val", "batch_dim")

    def __init__(self, trace, val, batch_dim):
        self._trace = trace
        self.val = val
        self.batch_dim = batch_dim

    @property
    def aval(self):
        a = get_aval(self.val)
        if self.batch_dim is None:
            return a
        shape = a.shape[:self.batch_dim] + a.shape[self.batch_dim + 1:]
        return ShapedArray(shape, a.dtype, a.weak_type)

    def _origin_msg(self):
        return ("This value is batched by jax.vmap: its value differs across the batch, so Python "
                "control flow cannot depend on it; use jnp.where or lax.cond.")


class BatchTrace(Trace):
    def __init__(self, parent_trace, axis_data: AxisData):
        self.parent_trace = parent_trace
        self.axis_data = axis_data
        self.is_valid = True

    def describe(self):
        return "vmap"

    def to_batch_info(self, x):
        if isinstance(x, BatchTracer) and x._trace is self:
            return x.val, x.batch_dim
        if isinstance(x, Tracer):
            self.check_tracer(x)
        return x, None

    def process_primitive(self, prim, args, params):
        vals, dims = [], []
        for a in args:
            v, d = self.to_batch_info(a)
            vals.append(v)
            dims.append(d)
        axis_rule = axis_primitive_batchers.get(prim)
        if axis_rule is not None:
            with set_current_trace(self.parent_trace):
                out, out_dim = axis_rule(self.axis_data, vals, dims, **params)
        else:
            if all(d is None for d in dims):
                with set_current_trace(self.parent_trace):
                    return prim.bind(*vals, **params)
            rule = primitive_batchers.get(prim)
            if rule is None:
                raise NotImplementedError(f"Batching rule for '{prim.name}' not implemented")
            with set_current_trace(self.parent_trace):
                out, out_dim = rule(vals, dims, **params)
        if prim.multiple_results:
            return [BatchTracer(self, o, d) if d is not None else o for o, d in zip(out, out_dim)]
        return BatchTracer(self, out, out_dim) if out_dim is not None else out


def find_axis(name):
    """The AxisData of the innermost vmap (or pmap/shard_map) binding axis ``name``."""
    t = core.trace_ctx.trace
    for anc in t.ancestors():
        ad = getattr(anc, "axis_data", None)
        if ad is not None and ad.name == name:
            return ad
    return None


# ---------------------------------------------------------------------------------------------------
# helpers for rules
# ---------------------------------------------------------------------------------------------------

def moveaxis(x, src: int, dst: int):
    from jaxlite._src.lax import lax as lax_mod
    if src == dst:
        return x
    nd = np.ndim(x) if not hasattr(x, "aval") else len(get_aval(x).shape)
    src %= nd
    dst %= nd
    perm = [i for i in range(nd) if i != src]
    perm.insert(dst, src)
    return lax_mod.transpose(x, tuple(perm))


def bdim_at_front(x, bdim, size):
    """Move the batch dim to the front, broadcasting an unbatched value to the batch size."""
    if bdim is None:
        return matchaxis(None, 0, size, x)
    return moveaxis(x, bdim, 0)


def matchaxis(src, dst, size, x):
    from jaxlite._src.lax import lax as lax_mod
    if src == dst:
        return x
    if src is None:  # one broadcast_in_dim with the new dim at dst (its dims NumPy ints), as JAX
        shape = list(get_aval(x).shape)
        dst = dst % (len(shape) + 1) if dst is not None else dst
        if dst is None:
            raise ValueError("vmap: cannot unbatch a batched value (out_axes=None for a batched output)")
        shape.insert(dst, size)
        return lax_mod.broadcast_in_dim(x, tuple(shape), tuple(np.delete(np.arange(len(shape)), dst)))
    if dst is None:
        raise ValueError("vmap: cannot unbatch a batched value (out_axes=None for a batched output)")
    return moveaxis(x, src, dst)


def axis_size_of(vals, dims):
    for v, d in zip(vals, dims):
        if d is not None:
            return get_aval(v).shape[d]
    raise ValueError("no batched argument")


def defvectorized(prim):
    """Unary elementwise primitive: apply to the batched value as is."""
    def rule(vals, dims, **params):
        (x,), (d,) = vals, dims
        return prim.bind(x, **params), d
    primitive_batchers[prim] = rule


def broadcast_batcher(prim, vals, dims, **params):
    """N-ary elementwise primitive. lax's elementwise ops broadcast scalars and size-1 dims, so batched
    operands get their batch dim at the front and unbatched ones a leading 1 (no data is copied)."""
    from jaxlite._src.lax import lax as lax_mod
    avals = [get_aval(v) for v in vals]
    if all(d is not None for d in dims) and len({(a.shape, d) for a, d in zip(avals, dims)}) == 1:
        out = prim.bind(*vals, **params)
        return (out, [dims[0]] * len(out)) if prim.multiple_results else (out, dims[0])
    # rank of the unbatched (per-example) operands
    rank = max(a.ndim - (d is not None) for a, d in zip(avals, dims))
    new = []
    for v, a, d in zip(vals, avals, dims):
        if d is None:
            if a.ndim == 0:
                new.append(v)
                continue
            # (dims as NumPy ints: JAX computes them with np.arange, and prints them so)
            new.append(lax_mod.broadcast_in_dim(v, (1,) * (rank + 1 - a.ndim) + a.shape,
                                                tuple(np.arange(rank + 1 - a.ndim, rank + 1))))
        else:
            v = moveaxis(v, d, 0)
            shape = get_aval(v).shape
            if len(shape) != rank + 1:
                v = lax_mod.broadcast_in_dim(v, shape[:1] + (1,) * (rank + 1 - len(shape)) + shape[1:],
                                             (0,) + tuple(range(rank + 2 - len(shape), rank + 1)))
            new.append(v)
    out = prim.bind(*new, **params)
    return (out, [0] * len(out)) if prim.multiple_results else (out, 0)


def defbroadcasting(prim):
    primitive_batchers[prim] = lambda vals, dims, **params: broadcast_batcher(prim, vals, dims, **params)


# ---------------------------------------------------------------------------------------------------
# the transformation on flat lists
# ---------------------------------------------------------------------------------------------------

def keep_unbatched(record: list) -> Callable:
    """``out_dims`` for ``vmap_flat`` that leaves unbatched outputs unbatched (batched ones at axis 0)
    and records the choice in ``record``: for rules that batch a sub-jaxpr by tracing it."""
    def choose(dims):
        record[:] = [None if d is None else 0 for d in dims]
        return record
    return choose


def vmap_flat(fun: Callable, vals: Sequence, in_dims: Sequence, out_dims: Sequence | Callable,
              axis_size: int, axis_name=None, spmd_axis_name=None):
    parent = core.trace_ctx.trace
    trace = BatchTrace(parent, AxisData(axis_name, axis_size, spmd_axis_name))
    ins = [BatchTracer(trace, v, d) if d is not None else v for v, d in zip(vals, in_dims)]
    try:
        with set_current_trace(trace):
            outs = fun(*ins)
        infos = [trace.to_batch_info(o) for o in outs]
        if callable(out_dims):  # chosen from the outputs' batch dims (None: not batched)
            out_dims = out_dims([d for _, d in infos])
        res = []
        for (v, d), od in zip(infos, out_dims):
            with set_current_trace(parent):
                if od is None and d is not None:
                    raise ValueError(
                        "vmap has mapped output but out_axes is None: an output that depends on the "
                        "batched inputs cannot be returned unbatched. Use out_axes=0 for it.")
                if od is not None:
                    rank = len(get_aval(v).shape) + (1 if d is None else 0)  # with the mapped axis
                    if not -rank <= od < rank:
                        raise ValueError(f"vmap out_axes {od} is out of bounds for an output of rank {rank} "
                                         f"(the mapped axis included); use an axis in [{-rank}, {rank}).")
                    if od < 0:
                        od += rank
                    v = matchaxis(d, od, axis_size, v)
            res.append(v)
    finally:
        trace.invalidate()
    return res
