"""``jax.debug.print`` and ``jax.debug.callback``: Python callbacks that stay in staged programs.

Each is a primitive with no outputs and a debug *effect* (so that staged equations are never dropped):
``debug_print`` (params as in JAX 0.10: ``fmt``, ``in_tree``, ``static_args``, ...) and
``debug_callback`` (``callback``, ``effect``, ``partitioned``). They run every time the program runs:
eagerly, on every call of a jitted function, once per iteration inside loops, and once per batch element
under ``vmap`` (the batch rule unrolls over the batch, as JAX's does). Under ``grad`` they see primals.
"""
from __future__ import annotations

import string
import sys
from functools import partial
from typing import Any, Callable

import numpy as np

from jaxlite._src import core, tree_util
from jaxlite._src.core import JaxprEqn, Primitive
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.interpreters import partial_eval as pe


class DebugEffect:
    def __repr__(self):
        return "Debug"

    __str__ = __repr__


class OrderedDebugEffect:
    def __repr__(self):
        return "OrderedDebug"

    __str__ = __repr__


debug_effect = DebugEffect()
ordered_debug_effect = OrderedDebugEffect()


def _split_callback_args(args, kwargs):
    """Flatten ``(args, kwargs)``; leaves that are not arrays (strings, None, ...) stay static."""
    flat, in_tree = tree_util.tree_flatten((args, kwargs))
    static, dyn = {}, []
    for i, a in enumerate(flat):
        if isinstance(a, core.Tracer) or core.valid_jaxtype(a):
            dyn.append(a)
        else:
            static[i] = a
    return in_tree, dyn, static


def _merge_callback_args(in_tree, dyn_args, static_args):
    static = dict(static_args)
    it = iter(dyn_args)
    leaves = [static[i] if i in static else next(it) for i in range(len(static) + len(dyn_args))]
    return tree_util.tree_unflatten(in_tree, leaves)


def _as_user_array(v):
    if isinstance(v, core.Array):
        return v
    v = np.asarray(v)
    return core.Array._from_np(v)


def _stage_effectful(prim, effect_of):
    """Staging rule: record the equation with its effect (so dead-code elimination keeps it)."""
    def rule(trace, *args, **params):
        atoms = [trace.to_atom(a) for a in args]
        trace.builder.eqns.append(JaxprEqn(atoms, [], prim, params,
                                           effects=frozenset({effect_of(params)})))
        return []
    pe.custom_staging_rules[prim] = rule


def _unrolled_batch_rule(prim, vals, dims, **params):
    """Run the callback once per batch element (as JAX does), in order."""
    from jaxlite._src.lax import lax as lax_mod
    size = batching.axis_size_of(vals, dims)
    for i in range(size):
        args = []
        for v, d in zip(vals, dims):
            if d is None:
                args.append(v)
                continue
            shape = core.get_aval(v).shape
            lo = [0] * len(shape)
            hi = list(shape)
            lo[d], hi[d] = i, i + 1
            args.append(lax_mod.squeeze(lax_mod.slice(v, lo, hi), (d,)))
        prim.bind(*args, **params)
    return [], []


# ---------------------------------------------------------------------------------------------------
# debug_callback
# ---------------------------------------------------------------------------------------------------

debug_callback_p = Primitive("debug_callback")
debug_callback_p.multiple_results = True


def _debug_callback_impl(*args, callback, effect, partitioned):
    callback(*[_as_user_array(a) for a in args])
    return []


debug_callback_p.def_impl(_debug_callback_impl)
debug_callback_p.def_abstract_eval(lambda *avals, **params: [])
_stage_effectful(debug_callback_p, lambda params: params["effect"])
ad.primitive_jvps[debug_callback_p] = lambda primals, tangents, **params: (
    debug_callback_p.bind(*primals, **params), [])
ad.primitive_transposes[debug_callback_p] = lambda cts, *args, **params: [None] * len(args)
batching.primitive_batchers[debug_callback_p] = partial(_unrolled_batch_rule, debug_callback_p)


def debug_callback(callback: Callable[..., None] | None = None, *args: Any, ordered: bool = False,
                   partitioned: bool = False, **kwargs: Any):
    """Call ``callback(*args, **kwargs)`` with concrete values whenever the program runs — also inside
    ``jit``, ``vmap`` (once per element), ``grad`` and loops.

    Two forms, as in JAX: ``jax.debug.callback(f, x)`` or ``jax.debug.callback(ordered=True)(f, x)``.

    Example:
        >>> jax.jit(lambda x: jax.debug.callback(print, x) or x)(1.)
    """
    def _debug_callback(callback, *c_args, **c_kwargs):
        if not callable(callback):
            raise TypeError("first argument to jax.debug.callback must be callable, but got an "
                            f"object of type {type(callback)}")
        in_tree, dyn, static = _split_callback_args(c_args, c_kwargs)

        def _flat_callback(*dyn_flat):
            a, k = _merge_callback_args(in_tree, dyn_flat, static)
            callback(*a, **k)
            return ()
        effect = ordered_debug_effect if ordered else debug_effect
        debug_callback_p.bind(*dyn, callback=_flat_callback, effect=effect, partitioned=partitioned)

    if callback is not None:
        _debug_callback(callback, *args, **kwargs)
        return None
    if args or kwargs:
        raise TypeError("debug_callback received unexpected arguments in the two-call form: "
                        f"args={args} kwargs={kwargs}")
    return _debug_callback


# ---------------------------------------------------------------------------------------------------
# debug_print
# ---------------------------------------------------------------------------------------------------

class _FormatChecker(string.Formatter):
    """Checks that every argument is used by the format string (formats nothing)."""

    def format_field(self, value, format_spec):
        return ""

    def check_unused_args(self, used_args, args, kwargs):
        unused_args = [a for i, a in enumerate(args) if i not in used_args]
        unused_kwargs = [k for k in kwargs if k not in used_args]
        if unused_args:
            raise ValueError(f"Unused positional arguments to `jax.debug.print`: {unused_args}")
        if unused_kwargs:
            raise ValueError(
                f"Unused keyword arguments to `jax.debug.print`: {unused_kwargs}. You may be passing "
                "an f-string (i.e, `f\"{x}\"`) into `jax.debug.print` and instead should pass in a "
                "regular string.")


_formatter = _FormatChecker()


def _printable(v):
    # format like a JAX array: a 0-d array formats as its NumPy scalar, others as the NumPy array
    if isinstance(v, core.Array):
        v = v._value
    if isinstance(v, np.ndarray):
        return v[()] if v.ndim == 0 else v
    return v


def _format_and_print(fmt, np_printoptions, has_placeholders, *args, **kwargs):
    args = [_printable(a) for a in args]
    kwargs = {k: _printable(v) for k, v in kwargs.items()}
    if has_placeholders:
        with np.printoptions(**np_printoptions):
            msg = fmt.format(*args, **kwargs)
    else:
        msg = " ".join((fmt, *(str(a) for a in args)))
    sys.stdout.write(msg + "\n")


debug_print_p = Primitive("debug_print")
debug_print_p.multiple_results = True


def _debug_print_impl(*args, fmt, ordered, partitioned, in_tree, static_args, np_printoptions,
                      has_placeholders, logging_record):
    a, k = _merge_callback_args(in_tree, list(args), static_args)
    _format_and_print(fmt, dict(np_printoptions), has_placeholders, *a, **k)
    return []


debug_print_p.def_impl(_debug_print_impl)
debug_print_p.def_abstract_eval(lambda *avals, **params: [])
_stage_effectful(debug_print_p,
                 lambda params: ordered_debug_effect if params["ordered"] else debug_effect)
ad.primitive_jvps[debug_print_p] = lambda primals, tangents, **params: (
    debug_print_p.bind(*primals, **params), [])
ad.primitive_transposes[debug_print_p] = lambda cts, *args, **params: [None] * len(args)
batching.primitive_batchers[debug_print_p] = partial(_unrolled_batch_rule, debug_print_p)


def debug_print(fmt: str | None = None, *args, ordered: bool = False, partitioned: bool = False,
                skip_format_check: bool = False, **kwargs):
    """Print ``fmt.format(*args, **kwargs)`` with the runtime values, also inside transformations.

    Not an f-string: write ``jax.debug.print("x = {x}", x=x)``. Two forms, as in JAX:
    ``jax.debug.print(fmt, ...)`` or ``jax.debug.print(ordered=True)(fmt, ...)``.

    Example:
        >>> jax.jit(lambda x: jax.debug.print("x = {}", x))(2.)
        x = 2.0
    """
    def _debug_print(fmt: str, *c_args, **c_kwargs):
        if not skip_format_check:
            _formatter.format(fmt, *c_args, **c_kwargs)
        has_placeholders = False
        if fmt:
            _, field_name, *_ = next(iter(string.Formatter().parse(fmt)))
            has_placeholders = field_name is not None
        in_tree, dyn, static = _split_callback_args(c_args, c_kwargs)
        debug_print_p.bind(*dyn, fmt=fmt, ordered=ordered, partitioned=partitioned, in_tree=in_tree,
                           static_args=tuple(static.items()),
                           np_printoptions=tuple(np.get_printoptions().items()),
                           has_placeholders=has_placeholders, logging_record=None)

    if fmt is not None:
        _debug_print(fmt, *args, **kwargs)
        return None
    if args or kwargs:
        raise TypeError("debug_print received unexpected arguments in the two-call form: "
                        f"args={args} kwargs={kwargs}")
    return _debug_print
