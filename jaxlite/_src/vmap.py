"""``jax.vmap``: in_axes/out_axes pytree handling around ``batching.vmap_flat``."""
from __future__ import annotations

import collections
import functools
import inspect
from typing import Any, Callable

import numpy as np

from jaxlite._src import core, tree_util
from jaxlite._src.core import Tracer, get_aval
from jaxlite._src.interpreters import batching
from jaxlite._src.tree_util import tree_flatten, tree_unflatten


def _none_is_leaf(x):
    return x is None


def flatten_axes(name: str, treedef, axis_tree, *, kws=False):
    """The axis spec for each leaf of ``treedef``, given a prefix tree of ints and Nones."""
    full = tree_unflatten(treedef, [_Leaf()] * treedef.num_leaves)
    try:
        return tree_util.broadcast_prefix(axis_tree, full, is_leaf=_none_is_leaf)
    except ValueError:
        prefix, target = axis_tree, full
        if kws:  # report the mismatch in terms of the positional arguments only
            prefix, target = axis_tree[0], full[0]
        errors = tree_util.prefix_errors(prefix, target, is_leaf=_none_is_leaf)
        details = "\n  ".join(str(e(name).args[0]) for e in errors)
        raise ValueError(f"{name} specification must be a tree prefix of the corresponding value, got "
                         f"specification {prefix} for value tree {tree_util.tree_structure(target)}."
                         + (f"\n  Mismatch details ({len(errors)} found):\n  {details}" if errors
                            else "")) from None


class _Leaf:
    def __repr__(self):
        return "pytree leaf"


def _mapped_axis_size(fn, tree, vals, dims, name, axis_size=None):
    if not vals:
        if axis_size is not None:
            return axis_size
        args, kwargs = tree_unflatten(tree, vals)
        raise ValueError(f"{name} wrapped function must be passed at least one argument containing an "
                         f"array or axis_size must be specified, got empty *args={args} and "
                         f"**kwargs={kwargs}")

    def size_of(x, axis):
        shape = np.shape(x) if not isinstance(x, Tracer) else x.shape
        try:
            return shape[axis]
        except IndexError:
            min_rank = axis + 1 if axis >= 0 else -axis
            raise ValueError(f"{name} was requested to map its argument along axis {axis}, which "
                             f"implies that its rank should be at least {min_rank}, but is only "
                             f"{len(shape)} (its shape is {tuple(shape)})") from None

    mapped = [None if d is None else size_of(x, d) for x, d in zip(vals, dims)]
    sizes = [s for s in mapped if s is not None]
    if axis_size is not None:
        sizes.append(axis_size)
    if len(set(sizes)) == 1:
        return sizes[0]
    if not sizes:
        raise ValueError(f"{name} must have at least one non-None value in in_axes or axis_size "
                         "must be specified")
    # inconsistent sizes: name each argument, as JAX does
    args, kwargs = tree_unflatten(tree, vals)
    try:
        params = list(inspect.signature(fn).bind(*args, **kwargs).signature.parameters)
    except (TypeError, ValueError):
        params = None

    def arg_name(path):
        i = path[0].idx
        if params is None or i >= len(params):
            return f"args{tree_util.keystr(path)}"
        return f"argument {params[i]}" + (tree_util.keystr(path[1:]) if len(path) > 1 else "")

    def typ(x):
        try:
            return get_aval(x).str_short()
        except TypeError:
            return "unknown"

    paths = [f"{arg_name(p)} of type {typ(x)}" for p, x in tree_util.tree_flatten_with_path(args)[0]]
    paths += [f"kwargs{tree_util.keystr(p)} of type {typ(x)}"
              for p, x in tree_util.tree_flatten_with_path(kwargs)[0]]
    counts = collections.Counter(s for s in mapped if s is not None).most_common()
    msg = [f"{name} got inconsistent sizes for array axes to be mapped:\n"]
    if axis_size is not None:
        msg.append(f"  * the `axis_size` argument was {axis_size};\n")
    for k, (sz, ct) in enumerate(counts):
        i = mapped.index(sz)
        ex, ax = paths[i], dims[i]
        if ct == 1:
            msg.append(f"  * one axis had size {sz}: axis {ax} of {ex};\n")
        elif k == 0:
            msg.append(f"  * most axes ({ct} of them) had size {sz}, e.g. axis {ax} of {ex};\n")
        else:
            msg.append(f"  * some axes ({ct} of them) had size {sz}, e.g. axis {ax} of {ex};\n")
    raise ValueError("".join(msg)[:-2])


# ---- what vmap and pmap share: axis specs, the mapped size, the flat function ----

def check_axes_spec(name: str, tree, what: str):
    """``in_axes``/``out_axes`` of vmap or pmap (``name``) are ints and Nones in containers."""
    for l in tree_util.tree_leaves(tree, is_leaf=_none_is_leaf):
        if l is not None and type(l) is not int and not isinstance(l, np.integer):
            raise TypeError(f"{name} {what} must be an int, None, or (nested) container with those types "
                            f"as leaves, but got {tree}.")


def check_in_axes_len(name: str, in_axes, nargs: int):
    """A tuple ``in_axes`` has one entry per positional argument."""
    if isinstance(in_axes, tuple) and len(in_axes) != nargs:
        raise ValueError(f"{name} in_axes must be an int, None, or a tuple of entries corresponding "
                         "to the positional arguments passed to the function, but got "
                         f"len(in_axes)={len(in_axes)}, len(args)={nargs}")


def mapped_args(leaves, in_dims):
    """``(vals, dims)``: every mapped leaf made an array, and its axis non-negative."""
    vals, dims = [], []
    for x, d in zip(leaves, in_dims):
        if d is not None:
            if not isinstance(x, (Tracer, core.Array)):
                from jaxlite._src.numpy.util import _to_array
                x = _to_array(x)
            d = int(d) % len(x.shape)
        vals.append(x)
        dims.append(d)
    return vals, dims


def flat_fun_and_out_dims(name: str, fun, in_tree, out_axes):
    """``fun`` taking and returning flat leaves, for ``batching.vmap_flat``; plus ``out_dims`` (the
    out_axes spec per output leaf) and ``out_tree()``, both known once it has run."""
    store = {}

    def flat_fun(*flat_args):
        a, kw = tree_unflatten(in_tree, flat_args)
        out_leaves, store["tree"] = tree_flatten(fun(*a, **kw))
        return out_leaves

    def out_dims(_):
        return flatten_axes(f"{name} out_axes", store["tree"], out_axes)

    return flat_fun, out_dims, lambda: store["tree"]


def vmap(fun: Callable, in_axes: Any = 0, out_axes: Any = 0, axis_name=None, axis_size=None,
         spmd_axis_name=None) -> Callable:
    """Vectorise ``fun`` over an axis of its arguments.

    >>> batch_predict = jax.vmap(predict, in_axes=(None, 0))   # params shared, batch mapped
    """
    if not callable(fun):
        raise TypeError(f"vmap requires a callable argument, got {fun!r}")
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)
    # at the top level, one entry per positional argument (a dict is a per-argument spec, inside the tuple)
    if not (in_axes is None or type(in_axes) in (int, tuple) or isinstance(in_axes, np.integer)):
        raise TypeError("vmap in_axes must be an int, None, or a tuple of entries corresponding to the "
                        f"positional arguments passed to the function, but got {in_axes}.")
    check_axes_spec("vmap", in_axes, "in_axes")
    check_axes_spec("vmap", out_axes, "out_axes")
    if spmd_axis_name is not None and not isinstance(spmd_axis_name, tuple):
        spmd_axis_name = (spmd_axis_name,)

    @functools.wraps(fun)
    def vmap_f(*args, **kwargs):
        check_in_axes_len("vmap", in_axes, len(args))
        leaves, in_tree = tree_flatten((args, kwargs))
        for x in leaves:
            if not (isinstance(x, Tracer) or core.valid_jaxtype(x)):
                raise TypeError(f"Argument '{x}' of type {type(x)} is not a valid JAX type: vmap maps over "
                                f"arrays, scalars and pytrees of them. Close over other values instead "
                                f"(functools.partial or a lambda).")
        in_dims = flatten_axes("vmap in_axes", in_tree, (in_axes, 0), kws=True)
        size = _mapped_axis_size(fun, in_tree, leaves, in_dims, "vmap", axis_size)
        vals, dims = mapped_args(leaves, in_dims)
        flat_fun, out_dims, out_tree = flat_fun_and_out_dims("vmap", fun, in_tree, out_axes)
        outs = batching.vmap_flat(flat_fun, vals, dims, out_dims, size, axis_name, spmd_axis_name)
        return tree_unflatten(out_tree(), outs)

    return vmap_f
