"""Collective primitives over named axes: psum, pmax, pmin, all_gather, ppermute, all_to_all,
psum_scatter (``reduce_scatter``), pbroadcast and axis_index.

A named axis is bound by ``vmap(axis_name=...)``, ``pmap`` or ``shard_map`` (the latter two run on the
batching machinery too). Each collective's *axis-aware* batch rule (``batching.axis_primitive_batchers``)
receives the ``AxisData`` of the batch trace it meets: if that trace binds one of the collective's axis
names, the rule computes the collective along the batch dimension with ordinary array primitives and
re-binds the collective for any remaining names under the parent trace; otherwise it treats the batch
dimension like any other positional dimension. A collective whose names reach no binding trace raises
``NameError`` (abstract evaluation checks that every name is bound).

Params and printed names follow JAX: ``psum[axes=('i',) axis_index_groups=None]``,
``all_gather[all_gather_dimension=0 axis_index_groups=None axis_name=('i',) axis_size=4 tiled=False]``,
``reduce_scatter[...]`` for ``psum_scatter``, ``axis_index[axis_name=i]``.
"""
from __future__ import annotations

import math

import numpy as np

from jaxlite._src import core, tree_util
from jaxlite._src.core import Primitive, ShapedArray, Tracer
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.interpreters.ad import Zero

__all__ = [
    "psum", "pmean", "pmax", "pmin", "all_gather", "axis_index", "axis_size", "ppermute", "pshuffle",
    "pswapaxes", "all_to_all", "psum_scatter", "pbroadcast", "pargmax", "pargmin",
    "psum_p", "pmax_p", "pmin_p", "all_gather_p", "axis_index_p", "ppermute_p", "all_to_all_p",
    "reduce_scatter_p", "pbroadcast_p",
]


def _lax():
    from jaxlite._src.lax import lax as lax_mod
    return lax_mod


# ---------------------------------------------------------------------------------------------------
# axis names
# ---------------------------------------------------------------------------------------------------

def _as_names(axis_name) -> tuple:
    return tuple(axis_name) if isinstance(axis_name, (tuple, list)) else (axis_name,)


def _is_pos(axis) -> bool:
    return isinstance(axis, (int, np.integer)) and not isinstance(axis, bool)


def _named(axes) -> tuple:
    return tuple(a for a in axes if not _is_pos(a))


def _check_axis_names(axes, api_name):
    for name in _named(axes):
        if batching.find_axis(name) is None:
            raise NameError(f"Found an unbound axis name: {name}. To fix this, please call {api_name} "
                            f"under `jax.vmap(..., axis_name=...)`, `jax.pmap` or `jax.shard_map` that "
                            f"binds the axis name {name!r}.")


def _bound_size(name) -> int:
    ad_ = batching.find_axis(name)
    if ad_ is None:
        raise NameError(f"unbound axis name: {name}. Collectives and axis_size/axis_index only work "
                        f"inside a transformation that binds the name (vmap(..., axis_name={name!r}), "
                        f"pmap or shard_map).")
    return ad_.size


def _names_size(names, axis_index_groups=None) -> int:
    if axis_index_groups is not None:
        return len(axis_index_groups[0])
    return math.prod(_bound_size(n) for n in names)


def _canonicalize_groups(groups):
    if groups is None:
        return None
    groups = tuple(tuple(int(i) for i in g) for g in groups)
    flat = [i for g in groups for i in g]
    if sorted(flat) != list(range(len(flat))):
        raise ValueError("axis_index_groups must cover all indices exactly once")
    return groups


def _no_groups(groups, what):
    if groups is not None:
        raise NotImplementedError(f"axis_index_groups is not supported for {what} under vmap/pmap/"
                                  f"shard_map in jaxlite")


def _moveaxis(x, src, dst):
    return batching.moveaxis(x, src, dst)


def _shape(x):
    return core.get_aval(x).shape


def _split_dim(x, dim, factor):
    """Reshape dimension ``dim`` of size ``n*m`` into ``(factor, m)`` (major part first)."""
    s = list(_shape(x))
    s[dim:dim + 1] = [factor, s[dim] // factor]
    return _lax().reshape(x, tuple(s))


def _fold_dim(x, dim):
    """Merge dimensions ``dim`` and ``dim+1`` (``dim`` major)."""
    s = list(_shape(x))
    s[dim:dim + 2] = [s[dim] * s[dim + 1]]
    return _lax().reshape(x, tuple(s))


def _take_slices(x, dim, indices):
    """Concatenate the size-1 slices ``x[..., i, ...]`` (``i`` in ``indices``; ``None`` = zeros) along
    ``dim``. Used for permutations along a batch dimension, whose size is a device count."""
    lax = _lax()
    shape = _shape(x)
    parts = []
    for i in indices:
        if i is None:
            zshape = shape[:dim] + (1,) + shape[dim + 1:]
            parts.append(lax.full(zshape, 0, core.get_aval(x).dtype))
        else:
            start = [0] * len(shape)
            limit = list(shape)
            start[dim], limit[dim] = i, i + 1
            parts.append(lax.slice(x, tuple(start), tuple(limit)))
    return parts[0] if len(parts) == 1 else lax.concatenate(parts, dim)


# ---------------------------------------------------------------------------------------------------
# psum / pmax / pmin: all-reductions. ``axes`` mixes names and positional (int) axes; the batch rule
# turns a name into the position of its batch dimension.
# ---------------------------------------------------------------------------------------------------

def _allreduce_impl(np_reducer, name):
    def impl(x, *, axes, axis_index_groups):
        named = _named(axes)
        if named:  # abstract eval has already rejected this; be explicit anyway
            raise NameError(f"Found an unbound axis name: {named[0]}. To fix this, please call {name} "
                            f"under `jax.shard_map`.")
        x = np.asarray(x)
        if not axes:
            return x
        return np.asarray(np_reducer(x, axis=tuple(int(a) for a in axes)), x.dtype)
    return impl


def _allreduce_abstract(name):
    def abstract(x, *, axes, axis_index_groups):
        _check_axis_names(axes, name)
        pos = [int(a) for a in axes if _is_pos(a)]
        if axis_index_groups is not None and pos:
            raise ValueError(f"axis_index_groups can only be used with reductions over named axes, "
                             f"but got: {axes}")
        for a in pos:
            if not 0 <= a < len(x.shape):
                raise ValueError(f"{name}: positional axis {a} out of range for shape {x.shape}")
        shape = tuple(d for i, d in enumerate(x.shape) if i not in pos)
        return ShapedArray(shape, x.dtype, x.weak_type)
    return abstract


def _reduction_batcher(prim, if_unmapped):
    def rule(axis_data, vals, dims, *, axes, axis_index_groups):
        (v,), (d,) = vals, dims
        if axis_data.name not in axes:
            if d is None:
                return prim.bind(v, axes=axes, axis_index_groups=axis_index_groups), None
            if not any(_is_pos(a) for a in axes):
                return prim.bind(v, axes=axes, axis_index_groups=axis_index_groups), d
            v = _moveaxis(v, d, 0)
            new_axes = tuple(a + 1 if _is_pos(a) else a for a in axes)
            return prim.bind(v, axes=new_axes, axis_index_groups=axis_index_groups), 0
        _no_groups(axis_index_groups, prim.name)
        rest = tuple(a for a in axes if a != axis_data.name)
        if d is None:
            out = prim.bind(v, axes=rest, axis_index_groups=None) if rest else v
            return if_unmapped(out, axis_data.size), None
        v = _moveaxis(v, d, 0)
        new_axes = tuple(0 if a == axis_data.name else (a + 1 if _is_pos(a) else a) for a in axes)
        return prim.bind(v, axes=new_axes, axis_index_groups=None), None
    return rule


def _make_allreduce(name, np_reducer, if_unmapped):
    prim = Primitive(name)
    prim.def_impl(_allreduce_impl(np_reducer, name))
    prim.def_abstract_eval(_allreduce_abstract(name))
    batching.axis_primitive_batchers[prim] = _reduction_batcher(prim, if_unmapped)
    return prim


psum_p = _make_allreduce("psum", np.sum, lambda v, n: _lax().mul(v, _lax().full_like(v, n)))
pmax_p = _make_allreduce("pmax", np.max, lambda v, n: v)
pmin_p = _make_allreduce("pmin", np.min, lambda v, n: v)


def _psum_transpose(ct, x, *, axes, axis_index_groups):
    if type(ct) is Zero:
        return [None]
    pos = tuple(int(a) for a in axes if _is_pos(a))
    named = _named(axes)
    if pos:
        shape = x.aval.shape
        kept = tuple(i for i in range(len(shape)) if i not in pos)
        ct = _lax().broadcast_in_dim(ct, shape, kept)
    # psum is treated as psum followed by a broadcast to every member, so its transpose sums again
    if named:
        ct = psum_p.bind(ct, axes=named, axis_index_groups=axis_index_groups)
    return [ct]


ad.deflinear(psum_p, _psum_transpose)


def _tree_collective(x, bind):
    return tree_util.tree_map(bind, x)


def psum(x, axis_name, *, axis_index_groups=None):
    """All-reduce sum of ``x`` (a pytree) over the named axis (or tuple of axes) ``axis_name``.

    Example:
        >>> jax.vmap(lambda v: jax.lax.psum(v, 'i'), axis_name='i')(jnp.arange(4.))
        Array([6., 6., 6., 6.], dtype=float32)
    """
    axes = _as_names(axis_name)
    if not axes:
        return x
    if any(_is_pos(a) for a in axes) and axis_index_groups is not None:
        raise ValueError("axis_index_groups only supported for sums over just named axes")
    groups = _canonicalize_groups(axis_index_groups)
    leaves, treedef = tree_util.tree_flatten(x)
    lax = _lax()
    leaves = [lax.convert_element_type(l, np.int32) if core.get_aval(l).dtype == np.bool_ else l
              for l in leaves]
    if all(not isinstance(l, Tracer) for l in leaves):
        # a value that does not vary along the axes: the sum is a multiplication by the axis size
        named = _named(axes)
        pos = [a for a in axes if _is_pos(a)]
        size = len(groups[0]) if groups is not None else math.prod(_bound_size(n) for n in named)

        def const_sum(l):
            if pos:
                l = lax.reduce_sum(l, [int(a) % max(np.ndim(l), 1) for a in pos])
            return size * l
        return tree_util.tree_unflatten(treedef, [const_sum(l) for l in leaves])
    outs = [psum_p.bind(l, axes=axes, axis_index_groups=groups) for l in leaves]
    return tree_util.tree_unflatten(treedef, outs)


def pmean(x, axis_name, *, axis_index_groups=None):
    """All-reduce mean of ``x`` over ``axis_name`` (``psum`` divided by the axis size)."""
    x = psum(x, axis_name, axis_index_groups=axis_index_groups)
    n = axis_size(axis_name) if axis_index_groups is None else len(axis_index_groups[0])
    return tree_util.tree_map(lambda v: v / n, x)


def _pminmax(prim, x, axis_name, axis_index_groups):
    axes = _as_names(axis_name)
    if not axes:
        return x
    if any(_is_pos(a) for a in axes) and axis_index_groups is not None:
        raise ValueError(f"axis_index_groups only supported for {prim.name} over just named axes")
    groups = _canonicalize_groups(axis_index_groups)
    return _tree_collective(x, lambda l: prim.bind(l, axes=axes, axis_index_groups=groups))


def pmax(x, axis_name, *, axis_index_groups=None):
    """All-reduce maximum of ``x`` over ``axis_name``."""
    return _pminmax(pmax_p, x, axis_name, axis_index_groups)


def pmin(x, axis_name, *, axis_index_groups=None):
    """All-reduce minimum of ``x`` over ``axis_name``."""
    return _pminmax(pmin_p, x, axis_name, axis_index_groups)


def _axis_index_of_val(x, val, axis_name):
    lax = _lax()
    idx = axis_index(axis_name)
    mask = lax.eq(val, x)
    big = lax.full(core.get_aval(mask).shape, np.iinfo(np.int32).max, np.int32)
    validx = lax.select(mask, lax.full(core.get_aval(mask).shape, 0, np.int32) + idx, big)
    return pmin(validx, axis_name)


def pargmax(x, axis_name):
    """Index along ``axis_name`` of the member holding the maximum of ``x`` (elementwise)."""
    if isinstance(axis_name, (tuple, list)):
        raise TypeError(f"pargmax only accepts a single axis, got {axis_name}")
    return _axis_index_of_val(x, pmax(x, axis_name), axis_name)


def pargmin(x, axis_name):
    """Index along ``axis_name`` of the member holding the minimum of ``x`` (elementwise)."""
    if isinstance(axis_name, (tuple, list)):
        raise TypeError(f"pargmin only accepts a single axis, got {axis_name}")
    return _axis_index_of_val(x, pmin(x, axis_name), axis_name)


# ---------------------------------------------------------------------------------------------------
# axis_index / axis_size
# ---------------------------------------------------------------------------------------------------

axis_index_p = Primitive("axis_index")


def _axis_index_impl(*, axis_name):
    raise NameError(f"unbound axis name: {axis_name}")


def _axis_index_abstract(*, axis_name):
    _check_axis_names(_as_names(axis_name), "axis_index")
    return ShapedArray((), np.int32, False)


def _axis_index_batcher(axis_data, vals, dims, *, axis_name):
    if axis_data.name not in _as_names(axis_name):
        return axis_index_p.bind(axis_name=axis_name), None
    return _lax().iota(np.int32, axis_data.size), 0


axis_index_p.def_impl(_axis_index_impl)
axis_index_p.def_abstract_eval(_axis_index_abstract)
ad.defjvp_zero(axis_index_p)
batching.axis_primitive_batchers[axis_index_p] = _axis_index_batcher


def axis_index(axis_name):
    """The index of the current member along the named axis (for a tuple of names: the index in the
    flattened product axis, the first name major).

    Example:
        >>> jax.vmap(lambda _: jax.lax.axis_index('i'), axis_name='i')(jnp.zeros(3))
        Array([0, 1, 2], dtype=int32)
    """
    if not isinstance(axis_name, (tuple, list)):
        return axis_index_p.bind(axis_name=axis_name)
    index = None
    inner = 1
    for name in reversed(tuple(axis_name)):
        term = axis_index(name) * inner if inner != 1 else axis_index(name)
        index = term if index is None else index + term
        inner *= axis_size(name)
    return index if index is not None else _lax().full((), 0, np.int32)


def axis_size(axis_name) -> int:
    """The size of a named axis (the product of sizes for a tuple of names), as a Python int."""
    return math.prod(_bound_size(n) for n in _as_names(axis_name))


# ---------------------------------------------------------------------------------------------------
# ppermute / pshuffle / pbroadcast
# ---------------------------------------------------------------------------------------------------

ppermute_p = Primitive("ppermute")


def _collective_abstract(api):
    def abstract(x, *, axis_name, **params):
        _check_axis_names(_as_names(axis_name), api)
        return ShapedArray(x.shape, x.dtype, x.weak_type)
    return abstract


def _unbound_impl(api):
    def impl(x, *, axis_name, **params):
        raise NameError(f"Found an unbound axis name: {_as_names(axis_name)[0]}. To fix this, please "
                        f"call {api} under `jax.shard_map`.")
    return impl


def _ppermute_transpose(ct, x, *, axis_name, perm):
    if type(ct) is Zero:
        return [None]
    inverse = tuple((dst, src) for src, dst in perm)
    return [ppermute_p.bind(ct, axis_name=axis_name, perm=inverse)]


def _ppermute_batcher(axis_data, vals, dims, *, axis_name, perm):
    (v,), (d,) = vals, dims
    names = _as_names(axis_name)
    if axis_data.name not in names:
        return ppermute_p.bind(v, axis_name=axis_name, perm=perm), d
    if len(names) > 1:
        raise NotImplementedError("ppermute over several axis names at once under vmap/pmap/shard_map "
                                  "is not implemented in jaxlite; permute over one axis at a time")
    n = axis_data.size
    if d is None:
        v = _lax().broadcast(v, (n,))
        d = 0
    src_of = [None] * n
    for src, dst in perm:
        src_of[dst] = src
    if src_of == list(range(n)):
        return v, d
    return _take_slices(v, d, src_of), d


ppermute_p.def_impl(_unbound_impl("ppermute"))
ppermute_p.def_abstract_eval(_collective_abstract("ppermute"))
ad.deflinear(ppermute_p, _ppermute_transpose)
batching.axis_primitive_batchers[ppermute_p] = _ppermute_batcher


def ppermute(x, axis_name, perm):
    """Send each member's ``x`` to another along ``axis_name``: ``perm`` is a list of ``(src, dst)``
    pairs; a member that receives nothing gets zeros.

    Example:
        >>> jax.vmap(lambda v: jax.lax.ppermute(v, 'i', [(0, 1), (1, 2), (2, 0)]),
        ...          axis_name='i')(jnp.arange(3.))
        Array([2., 0., 1.], dtype=float32)
    """
    names = _as_names(axis_name)
    perm = tuple((int(s), int(d)) for s, d in perm)
    srcs, dsts = [p[0] for p in perm], [p[1] for p in perm]
    if len(set(srcs)) != len(srcs):
        raise ValueError(f"ppermute sources must be unique, got {perm}")
    if len(set(dsts)) != len(dsts):
        raise ValueError(f"ppermute destinations must be unique, got {perm}")
    n = axis_size(names) if all(batching.find_axis(nm) is not None for nm in names) else None
    if n is not None:
        for s, d in perm:
            if not (0 <= s < n and 0 <= d < n):
                raise ValueError(f"ppermute permutation {perm} refers to an index outside the axis "
                                 f"{axis_name} of size {n}")
    return _tree_collective(x, lambda l: ppermute_p.bind(l, axis_name=names, perm=perm))


def pshuffle(x, axis_name, perm):
    """``ppermute`` with ``perm[i]`` the source of member ``i`` (a full permutation)."""
    if set(perm) != set(range(len(perm))):
        raise ValueError(f"`perm` does not represent a permutation: {perm}")
    return ppermute(x, axis_name, list(zip(perm, range(len(perm)))))


pbroadcast_p = Primitive("pbroadcast")


def _pbroadcast_transpose(ct, x, *, axis_name, source):
    if type(ct) is Zero:
        return [None]
    lax = _lax()
    is_source = lax.eq(axis_index(axis_name), lax.full((), source, np.int32))
    total = psum(ct, axis_name)
    zeros = lax.full_like(total, 0)
    return [lax.select(lax.broadcast_in_dim(is_source, _shape(total), ()), total, zeros)]


def _pbroadcast_batcher(axis_data, vals, dims, *, axis_name, source):
    (v,), (d,) = vals, dims
    names = _as_names(axis_name)
    if axis_data.name not in names:
        return pbroadcast_p.bind(v, axis_name=axis_name, source=source), d
    if len(names) > 1:
        raise NotImplementedError("pbroadcast batcher only supports a single axis")
    if not 0 <= source < axis_data.size:
        raise ValueError(f"pbroadcast source {source} is outside the axis of size {axis_data.size}")
    if d is None:
        return v, None
    return _take_slices(v, d, [source] * axis_data.size), d


pbroadcast_p.def_impl(_unbound_impl("pbroadcast"))
pbroadcast_p.def_abstract_eval(_collective_abstract("pbroadcast"))
ad.deflinear(pbroadcast_p, _pbroadcast_transpose)
batching.axis_primitive_batchers[pbroadcast_p] = _pbroadcast_batcher


def pbroadcast(x, axis_name, source):
    """Every member along ``axis_name`` gets the value of member ``source``."""
    return _tree_collective(x, lambda l: pbroadcast_p.bind(l, axis_name=axis_name, source=int(source)))


# ---------------------------------------------------------------------------------------------------
# all_gather
# ---------------------------------------------------------------------------------------------------

all_gather_p = Primitive("all_gather")


def _all_gather_abstract(x, *, all_gather_dimension, axis_name, axis_index_groups, axis_size, tiled):
    _check_axis_names(_as_names(axis_name), "all_gather")
    shape = list(x.shape)
    if tiled:
        shape[all_gather_dimension] *= axis_size
    else:
        shape.insert(all_gather_dimension, axis_size)
    return ShapedArray(tuple(shape), x.dtype, x.weak_type)


def _all_gather_transpose(ct, x, *, all_gather_dimension, axis_name, axis_index_groups, axis_size,
                          tiled):
    if type(ct) is Zero:
        return [None]
    return [reduce_scatter_p.bind(ct, axis_name=axis_name, scatter_dimension=all_gather_dimension,
                                  axis_index_groups=axis_index_groups, axis_size=axis_size,
                                  tiled=tiled)]


def _all_gather_batcher(axis_data, vals, dims, *, all_gather_dimension, axis_name, axis_index_groups,
                        axis_size, tiled):
    (x,), (d,) = vals, dims
    names = _as_names(axis_name)
    params = dict(axis_name=axis_name, axis_index_groups=axis_index_groups, axis_size=axis_size,
                  tiled=tiled)
    g = all_gather_dimension
    if axis_data.name not in names:
        if d is None:
            return all_gather_p.bind(x, all_gather_dimension=g, **params), None
        x = _moveaxis(x, d, 0)
        return all_gather_p.bind(x, all_gather_dimension=g + 1, **params), 0
    _no_groups(axis_index_groups, "all_gather")
    lax = _lax()
    n = axis_data.size
    pos = names.index(axis_data.name)
    major, minor = names[:pos], names[pos + 1:]
    x = lax.broadcast(x, (n,)) if d is None else _moveaxis(x, d, 0)
    if not tiled:  # a stacking gather is a tiled gather along a new dimension of size 1
        x = lax.expand_dims(x, (g + 1,))
    # x: (n, *member_shape) with the gather dimension at g + 1
    if minor:
        msize = _names_size(minor)
        x = all_gather_p.bind(x, all_gather_dimension=g + 1, axis_name=minor, axis_index_groups=None,
                              axis_size=msize, tiled=True)
    y = _fold_dim(_moveaxis(x, 0, g), g)  # member index major within dimension g: no longer batched
    if major:
        msize = _names_size(major)
        y = all_gather_p.bind(y, all_gather_dimension=g, axis_name=major, axis_index_groups=None,
                              axis_size=msize, tiled=True)
    return y, None


all_gather_p.def_impl(lambda x, *, axis_name, **_: _unbound_impl("all_gather")(x, axis_name=axis_name))
all_gather_p.def_abstract_eval(_all_gather_abstract)
ad.deflinear(all_gather_p, _all_gather_transpose)
batching.axis_primitive_batchers[all_gather_p] = _all_gather_batcher


def all_gather(x, axis_name, *, axis_index_groups=None, axis=0, tiled=False, to="varying"):
    """Gather ``x`` from every member of ``axis_name``: stacked along a new dimension ``axis``, or
    concatenated along ``axis`` when ``tiled=True``.

    Example:
        >>> jax.vmap(lambda v: jax.lax.all_gather(v, 'i'), axis_name='i')(jnp.arange(2.))
        Array([[0., 1.],
               [0., 1.]], dtype=float32)
    """
    if to not in ("varying", "reduced", "invarying"):
        raise ValueError("Got unexpected `to` value for `jax.lax.all_gather`. Allowed `to` values are: "
                         "{'varying', 'reduced', 'invarying'}")
    names = _as_names(axis_name)
    if not names:
        return x
    groups = _canonicalize_groups(axis_index_groups)
    size = _names_size(names, groups)

    def bind(leaf):
        nd = len(core.get_aval(leaf).shape)
        rank = nd if tiled else nd + 1
        if not -rank <= axis < rank:
            raise ValueError(f"axis {axis} is out of bounds for array of dimension {rank}")
        return all_gather_p.bind(leaf, all_gather_dimension=int(axis) % rank, axis_name=names,
                                 axis_index_groups=groups, axis_size=size, tiled=bool(tiled))
    return _tree_collective(x, bind)


# ---------------------------------------------------------------------------------------------------
# psum_scatter (the primitive is reduce_scatter)
# ---------------------------------------------------------------------------------------------------

reduce_scatter_p = Primitive("reduce_scatter")


def _reduce_scatter_abstract(x, *, axis_name, scatter_dimension, axis_index_groups, axis_size, tiled):
    _check_axis_names(_as_names(axis_name), "reduce_scatter")
    shape = list(x.shape)
    size = shape[scatter_dimension]
    if tiled:
        if size % axis_size:
            raise ValueError(f"tiled reduce_scatter operand scatter dimension size {size} must be "
                             f"divisible by shard_count {axis_size}")
        shape[scatter_dimension] = size // axis_size
    else:
        if size != axis_size:
            raise ValueError(f"reduce_scatter operand scatter dimension size {size} must match shard "
                             f"count {axis_size}")
        del shape[scatter_dimension]
    return ShapedArray(tuple(shape), x.dtype, x.weak_type)


def _reduce_scatter_transpose(ct, x, *, axis_name, scatter_dimension, axis_index_groups, axis_size,
                              tiled):
    if type(ct) is Zero:
        return [None]
    return [all_gather_p.bind(ct, all_gather_dimension=scatter_dimension, axis_name=axis_name,
                              axis_index_groups=axis_index_groups, axis_size=axis_size, tiled=tiled)]


def _reduce_scatter_batcher(axis_data, vals, dims, *, axis_name, scatter_dimension, axis_index_groups,
                            axis_size, tiled):
    (x,), (d,) = vals, dims
    names = _as_names(axis_name)
    params = dict(axis_name=axis_name, axis_index_groups=axis_index_groups, axis_size=axis_size,
                  tiled=tiled)
    s = scatter_dimension
    if axis_data.name not in names:
        if d is None:
            return reduce_scatter_p.bind(x, scatter_dimension=s, **params), None
        x = _moveaxis(x, d, 0)
        return reduce_scatter_p.bind(x, scatter_dimension=s + 1, **params), 0
    _no_groups(axis_index_groups, "psum_scatter")
    lax = _lax()
    n = axis_data.size
    pos = names.index(axis_data.name)
    major, minor = names[:pos], names[pos + 1:]
    # Work as a tiled scatter along dimension s (a non-tiled one is a tiled one followed by a squeeze).
    if d is None:
        x = lax.broadcast(x, (n,))
    else:
        x = _moveaxis(x, d, 0)
    if major:  # keep this member's chunk of the major axes first (their index is the major part)
        x = reduce_scatter_p.bind(x, scatter_dimension=s + 1, axis_name=major, axis_index_groups=None,
                                  axis_size=_names_size(major), tiled=True)
    y = lax.reduce_sum(x, (0,))  # the sum over this axis; unbatched
    y = _split_dim(y, s, n)      # chunk k goes to member k: batched at s
    if minor:
        y = reduce_scatter_p.bind(y, scatter_dimension=s + 1, axis_name=minor, axis_index_groups=None,
                                  axis_size=_names_size(minor), tiled=True)
    if not tiled:
        y = lax.squeeze(y, (s + 1,))
    return y, s


reduce_scatter_p.def_impl(lambda x, *, axis_name, **_: _unbound_impl("psum_scatter")(x, axis_name=axis_name))
reduce_scatter_p.def_abstract_eval(_reduce_scatter_abstract)
ad.deflinear(reduce_scatter_p, _reduce_scatter_transpose)
batching.axis_primitive_batchers[reduce_scatter_p] = _reduce_scatter_batcher


def psum_scatter(x, axis_name, *, scatter_dimension=0, axis_index_groups=None, tiled=False):
    """Like ``psum`` but each member keeps only its chunk of the sum along ``scatter_dimension``.

    Example:
        >>> jax.vmap(lambda v: jax.lax.psum_scatter(v, 'i'), axis_name='i')(jnp.ones((2, 2)))
        Array([2., 2.], dtype=float32)
    """
    names = _as_names(axis_name)
    if not names:
        return x
    groups = _canonicalize_groups(axis_index_groups)
    size = _names_size(names, groups)

    def bind(leaf):
        nd = len(core.get_aval(leaf).shape)
        return reduce_scatter_p.bind(leaf, axis_name=names, scatter_dimension=int(scatter_dimension) % max(nd, 1),
                                     axis_index_groups=groups, axis_size=size, tiled=bool(tiled))
    return _tree_collective(x, bind)


# ---------------------------------------------------------------------------------------------------
# all_to_all
# ---------------------------------------------------------------------------------------------------

all_to_all_p = Primitive("all_to_all")


def _all_to_all_abstract(x, *, axis_name, split_axis, concat_axis, axis_index_groups, tiled):
    names = _as_names(axis_name)
    _check_axis_names(names, "all_to_all")
    n = _names_size(names, axis_index_groups)
    shape = list(x.shape)
    if shape[split_axis] % n:
        raise ValueError(f"The size of all_to_all split_axis ({shape[split_axis]}) has to be divisible "
                         f"by the size of the named axis {axis_name} ({n})")
    shape[split_axis] //= n
    shape[concat_axis] *= n
    return ShapedArray(tuple(shape), x.dtype, False)


def _all_to_all_transpose(ct, x, *, axis_name, split_axis, concat_axis, axis_index_groups, tiled):
    if type(ct) is Zero:
        return [None]
    return [all_to_all_p.bind(ct, axis_name=axis_name, split_axis=concat_axis, concat_axis=split_axis,
                              axis_index_groups=axis_index_groups, tiled=tiled)]


def _all_to_all_batcher(axis_data, vals, dims, *, axis_name, split_axis, concat_axis,
                        axis_index_groups, tiled):
    (x,), (d,) = vals, dims
    names = _as_names(axis_name)
    params = dict(axis_name=axis_name, axis_index_groups=axis_index_groups, tiled=tiled)
    if axis_data.name not in names:
        if d is None:
            return all_to_all_p.bind(x, split_axis=split_axis, concat_axis=concat_axis, **params), None
        x = _moveaxis(x, d, 0)
        return all_to_all_p.bind(x, split_axis=split_axis + 1, concat_axis=concat_axis + 1, **params), 0
    _no_groups(axis_index_groups, "all_to_all")
    if len(names) > 1:
        raise NotImplementedError("all_to_all over several axis names at once under vmap/pmap/"
                                  "shard_map is not implemented in jaxlite")
    lax = _lax()
    n = axis_data.size
    x = lax.broadcast(x, (n,)) if d is None else _moveaxis(x, d, 0)
    # x: (src, *member_shape). Split the split axis into (dst, chunk); the result for member dst
    # concatenates the chunks of every src along the concat axis (src major).
    sa, ca = split_axis + 1, concat_axis + 1
    x = _split_dim(x, sa, n)                      # (src, ..., dst, chunk, ...)
    ca_after = ca + (1 if ca > sa else 0)         # concat axis position after the split
    if ca == sa:
        ca_after = sa + 1                         # chunks of size L/n concatenated in place
    # move src next to (just before) the concat axis, dst to the front
    nd = len(_shape(x))
    order = [i for i in range(nd) if i not in (0, sa)]
    pos = order.index(ca_after)
    order = [sa] + order[:pos] + [0] + order[pos:]
    x = lax.transpose(x, tuple(order))            # (dst, ..., src, concat, ...)
    y = _fold_dim(x, pos + 1)
    return y, 0


all_to_all_p.def_impl(lambda x, *, axis_name, **_: _unbound_impl("all_to_all")(x, axis_name=axis_name))
all_to_all_p.def_abstract_eval(_all_to_all_abstract)
ad.deflinear(all_to_all_p, _all_to_all_transpose)
batching.axis_primitive_batchers[all_to_all_p] = _all_to_all_batcher


def all_to_all(x, axis_name, split_axis, concat_axis, *, axis_index_groups=None, tiled=False):
    """Split ``x`` along ``split_axis`` into one chunk per member of ``axis_name``, send chunk ``k`` to
    member ``k``, and concatenate what arrives along ``concat_axis`` (stack, if ``tiled=False``)."""
    groups = _canonicalize_groups(axis_index_groups)
    lax = _lax()

    def bind(leaf, split_axis=split_axis, concat_axis=concat_axis):
        n = _names_size(_as_names(axis_name), groups)
        shape = core.get_aval(leaf).shape
        if tiled:
            if shape[split_axis] % n != 0:
                raise ValueError(f"The size of all_to_all split_axis ({shape[split_axis]}) has to be "
                                 f"divisible by the size of the named axis {axis_name} ({n})")
        else:
            if n != shape[split_axis]:
                raise ValueError("all_to_all requires the size of the mapped axis axis_name to equal "
                                 f"x.shape[split_axis], but they are {n} and {shape[split_axis]} "
                                 "respectively.")
            if split_axis < concat_axis:
                concat_axis += 1
                leaf = lax.expand_dims(leaf, (concat_axis,))
            elif split_axis > concat_axis:
                leaf = lax.expand_dims(leaf, (concat_axis,))
                split_axis += 1
        out = all_to_all_p.bind(leaf, axis_name=axis_name, split_axis=split_axis,
                                concat_axis=concat_axis, axis_index_groups=groups, tiled=bool(tiled))
        if not tiled and split_axis != concat_axis:
            out = lax.squeeze(out, (split_axis,))
        return out
    return _tree_collective(x, bind)


def pswapaxes(x, axis_name, axis, *, axis_index_groups=None):
    """Swap the mapped axis ``axis_name`` with the positional ``axis`` (an ``all_to_all``)."""
    return all_to_all(x, axis_name, axis, axis, axis_index_groups=axis_index_groups)
