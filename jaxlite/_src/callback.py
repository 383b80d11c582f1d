"""``jax.pure_callback`` and ``jax.experimental.io_callback``: call Python from a traced program.

The callback receives jaxlite Arrays and must return NumPy-convertible values of the declared
shapes/dtypes. ``pure_callback`` may be dropped when unused and batched per ``vmap_method``;
``io_callback`` carries an effect, so it always runs (in program order when ``ordered=True``).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from jaxlite._src import core, dtypes, tree_util
from jaxlite._src.core import JaxprEqn, Primitive, ShapedArray, Var
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.interpreters import partial_eval as pe

__all__ = ["pure_callback", "io_callback", "pure_callback_p", "io_callback_p"]


class _FlatCallback:
    """The user's callback on flat leaves; prints as the user's function."""

    def __init__(self, fn, in_tree):
        self.fn, self.in_tree = fn, in_tree
        self.__name__ = getattr(fn, "__name__", repr(fn))

    def __call__(self, *flat):
        args, kwargs = tree_util.tree_unflatten(self.in_tree, flat)
        return self.fn(*args, **kwargs)

    def __repr__(self):
        return f"<function {self.__name__}>"


def _result_avals(result_shape_dtypes):
    def to_aval(x):
        if not hasattr(x, "shape") or not hasattr(x, "dtype"):
            raise ValueError("pure_callback: result_shape_dtypes must be a pytree of objects with "
                             f".shape and .dtype (e.g. jax.ShapeDtypeStruct), got {x!r}")
        return ShapedArray(tuple(x.shape), dtypes.canonicalize_dtype(np.dtype(x.dtype)))
    return tree_util.tree_flatten(tree_util.tree_map(to_aval, result_shape_dtypes))


def _call(callback, args, result_avals, what):
    ins = [a if isinstance(a, core.Array) else core.Array._from_np(np.asarray(a)) for a in args]
    out = callback(*ins)
    leaves = tree_util.tree_leaves(out)
    if len(leaves) != len(result_avals):
        raise ValueError(f"{what}: the callback returned {len(leaves)} values, but "
                         f"result_shape_dtypes declares {len(result_avals)}")
    res = []
    for v, a in zip(leaves, result_avals):
        v = np.asarray(v)
        if v.shape != a.shape:
            raise ValueError(f"{what}: callback returned an array of shape {v.shape}, expected {a.shape} "
                             "from result_shape_dtypes")
        if v.dtype != a.dtype:
            raise ValueError(f"{what}: callback returned an array of dtype {v.dtype}, expected "
                             f"{a.dtype} from result_shape_dtypes")
        res.append(v)
    return res


# ---------------------------------------------------------------------------------------------------
# pure_callback
# ---------------------------------------------------------------------------------------------------

pure_callback_p = Primitive("pure_callback")
pure_callback_p.multiple_results = True


def _pure_impl(*args, callback, result_avals, sharding, vmap_method):
    return _call(callback, args, result_avals, "pure_callback")


pure_callback_p.def_impl(_pure_impl)
pure_callback_p.def_abstract_eval(lambda *avals, result_avals, **_: list(result_avals))


def _no_jvp(*args, **kwargs):
    raise ValueError("Pure callbacks do not support JVP. Please use `jax.custom_jvp` to use callbacks "
                     "while taking gradients.")


def _no_transpose(*args, **kwargs):
    raise ValueError("Pure callbacks do not support transpose. Please use `jax.custom_vjp` to use "
                     "callbacks while taking gradients.")


ad.primitive_jvps[pure_callback_p] = _no_jvp
ad.primitive_transposes[pure_callback_p] = _no_transpose


def _pure_batch(vals, dims, *, callback, result_avals, sharding, vmap_method):
    size = batching.axis_size_of(vals, dims)
    if vmap_method is None:
        raise NotImplementedError(
            "vmap is only supported for pure_callback when the vmap_method argument is set "
            "('sequential', 'sequential_unrolled', 'expand_dims', 'broadcast_all' or "
            "'legacy_vectorized'); pass jax.pure_callback(..., vmap_method=...).")
    batched_avals = tuple(ShapedArray((size,) + a.shape, a.dtype) for a in result_avals)
    if vmap_method in ("sequential", "sequential_unrolled"):
        moved = [batching.moveaxis(v, d, 0) if d is not None else v for v, d in zip(vals, dims)]
        is_b = [d is not None for d in dims]

        def looped(*xs):
            outs = []
            for i in range(size):
                ex = [x[i] if b else x for x, b in zip(xs, is_b)]
                outs.append(_call(callback, ex, result_avals, "pure_callback"))
            return [np.stack([o[k] for o in outs]) for k in range(len(result_avals))]

        looped.__name__ = callback.__name__
        out = pure_callback_p.bind(*moved, callback=looped, result_avals=batched_avals,
                                   sharding=sharding, vmap_method=vmap_method)
        return out, [0] * len(out)
    new = []
    for v, d in zip(vals, dims):
        if d is not None:
            new.append(batching.moveaxis(v, d, 0))
        elif vmap_method == "broadcast_all":
            new.append(batching.bdim_at_front(v, None, size))
        elif vmap_method == "expand_dims":
            from jaxlite._src.lax import lax as lax_mod
            new.append(lax_mod.expand_dims(v, (0,)))
        else:  # legacy_vectorized: unbatched arguments are passed as they are
            new.append(v)
    out = pure_callback_p.bind(*new, callback=callback, result_avals=batched_avals, sharding=sharding,
                               vmap_method=vmap_method)
    return out, [0] * len(out)


batching.primitive_batchers[pure_callback_p] = _pure_batch


def pure_callback(callback: Callable, result_shape_dtypes: Any, *args, sharding=None,
                  vmap_method: str | None = None, **kwargs):
    """Call the Python function ``callback`` (pure: no side effects) from a traced program.

    >>> jax.jit(lambda x: jax.pure_callback(np.sin, jax.ShapeDtypeStruct(x.shape, x.dtype), x))(1.0)
    """
    allowed = ["sequential", "sequential_unrolled", "expand_dims", "broadcast_all", "legacy_vectorized",
               None]
    if vmap_method not in allowed:
        raise ValueError(f"vmap_method must be on of the allowed methods {allowed}, but got: "
                         f"{vmap_method}")
    flat, in_tree = tree_util.tree_flatten((args, kwargs))
    avals, out_tree = _result_avals(result_shape_dtypes)
    out = pure_callback_p.bind(*flat, callback=_FlatCallback(callback, in_tree),
                               result_avals=tuple(avals), sharding=sharding, vmap_method=vmap_method)
    return tree_util.tree_unflatten(out_tree, out)


# ---------------------------------------------------------------------------------------------------
# io_callback
# ---------------------------------------------------------------------------------------------------

class IOEffect:
    def __repr__(self):
        return "IO"


class OrderedIOEffect:
    def __repr__(self):
        return "OrderedIO"


io_effect, ordered_io_effect = IOEffect(), OrderedIOEffect()

io_callback_p = Primitive("io_callback")
io_callback_p.multiple_results = True


def _io_impl(*args, callback, result_avals, sharding, ordered):
    return _call(callback, args, result_avals, "io_callback")


io_callback_p.def_impl(_io_impl)
io_callback_p.def_abstract_eval(lambda *avals, result_avals, **_: list(result_avals))


def _io_no_jvp(*args, **kwargs):
    raise ValueError("IO callbacks do not support JVP.")


ad.primitive_jvps[io_callback_p] = _io_no_jvp


def _io_batch(vals, dims, *, callback, result_avals, sharding, ordered):
    if ordered:
        raise ValueError("Cannot `vmap` ordered IO callback.")
    return _pure_batch(vals, dims, callback=callback, result_avals=result_avals, sharding=sharding,
                       vmap_method="sequential")


def _io_batch_wrapper(vals, dims, **params):
    out, out_dims = _io_batch(vals, dims, **params)
    return out, out_dims


batching.primitive_batchers[io_callback_p] = _io_batch_wrapper


def _stage_io(trace, *args, callback, result_avals, sharding, ordered):
    atoms = [trace.to_atom(a) for a in args]
    outvars = [Var(a) for a in result_avals]
    params = dict(callback=callback, result_avals=result_avals, sharding=sharding, ordered=ordered)
    trace.builder.eqns.append(JaxprEqn(atoms, outvars, io_callback_p, params,
                                       effects=frozenset({ordered_io_effect if ordered else io_effect})))
    return [pe.DynamicJaxprTracer(trace, v.aval, v) for v in outvars]


pe.custom_staging_rules[io_callback_p] = _stage_io


def io_callback(callback: Callable, result_shape_dtypes: Any, *args, sharding=None, ordered: bool = False,
                **kwargs):
    """Call ``callback`` (which may have side effects) from a traced program; it always runs."""
    flat, in_tree = tree_util.tree_flatten((args, kwargs))
    avals, out_tree = _result_avals(result_shape_dtypes)
    out = io_callback_p.bind(*flat, callback=_FlatCallback(callback, in_tree), result_avals=tuple(avals),
                             sharding=sharding, ordered=ordered)
    return tree_util.tree_unflatten(out_tree, out)
