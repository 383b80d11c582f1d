"""The user-facing transformations: jit, make_jaxpr, eval_shape (grad and vmap live in ad_api/batching)."""
from __future__ import annotations

import contextlib
import functools
import inspect
import logging
import weakref
from typing import Any, Callable, Sequence

import numpy as np

from jaxlite._src import core, dtypes, tree_util
from jaxlite._src import sharding as _sharding
from jaxlite._src.array import ArrayImpl
from jaxlite._src.backend import numpy_backend
from jaxlite._src.config import config
from jaxlite._src.core import ShapedArray, Tracer, eval_trace, trace_ctx
from jaxlite._src.interpreters import partial_eval as pe
from jaxlite._src.pjit import jit_p, jit_params

logger = logging.getLogger("jaxlite")


# ---------------------------------------------------------------------------------------------------
# Argument handling shared by the transformations
# ---------------------------------------------------------------------------------------------------

def _ensure_index_tuple(x) -> tuple[int, ...]:
    if x is None:
        return ()
    if isinstance(x, int):
        return (x,)
    return tuple(int(i) for i in x)


def _ensure_str_tuple(x) -> tuple[str, ...]:
    if x is None:
        return ()
    if isinstance(x, str):
        return (x,)
    return tuple(x)


def _infer_argnums_and_argnames(fun, argnums, argnames):
    """Complete static_argnums from static_argnames and vice versa, as JAX does, using the signature."""
    try:
        sig = inspect.signature(fun)
    except (ValueError, TypeError):
        return argnums, argnames
    params = list(sig.parameters.values())
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    nums = set(argnums)
    names = set(argnames)
    for i in argnums:
        if 0 <= i < len(positional) and positional[i].kind == positional[i].POSITIONAL_OR_KEYWORD:
            names.add(positional[i].name)
    for n in argnames:
        for i, p in enumerate(positional):
            if p.name == n:
                nums.add(i)
    return tuple(sorted(nums)), tuple(sorted(names))


def _check_argnums_and_argnames(fun, static_argnames, donate_argnums, donate_argnames):
    """JAX's checks of jit's argument lists against ``fun``'s signature: a donated position must exist,
    and a static or donated name must be a parameter that can be passed by keyword."""
    try:
        sig = inspect.signature(fun)
    except (ValueError, TypeError):
        return
    params = list(sig.parameters.values())
    n_pos = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)
    if donate_argnums and not any(p.kind is p.VAR_POSITIONAL for p in params):
        if -min(donate_argnums) > n_pos or max(donate_argnums) >= n_pos:
            raise ValueError(f"jit: donate_argnums={donate_argnums} names a position that {_fun_name(fun)} does "
                             f"not have: it takes {n_pos} positional arguments.")
    keyword = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    positional_only = {p.name for p in params if p.kind is p.POSITIONAL_ONLY}
    for what, names in (("static_argnames", static_argnames), ("donate_argnames", donate_argnames)):
        if bad := set(names) & positional_only:
            raise ValueError(f"jit: {what} {sorted(bad)} of {_fun_name(fun)} are positional-only parameters; "
                             f"name them by position instead ({what[:-5]}nums).")
        if any(p.kind is p.VAR_KEYWORD for p in params):
            continue
        if bad := set(names) - keyword:
            raise ValueError(f"jit: {what} {sorted(bad)} are not parameters of {_fun_name(fun)} (its "
                             f"parameters: {', '.join(p.name for p in params) or 'none'}).")


def _fun_name(fun):
    return getattr(fun, "__name__", type(fun).__name__)


def _hashable_static(x, where):
    try:
        hash(x)
    except TypeError as e:
        raise ValueError(
            f"Non-hashable static arguments are not supported. An error occurred while trying to hash an "
            f"object of type {type(x)}, {x}. The error was:\nTypeError: {e}\n"
            f"(static argument {where}: static arguments are part of the jit cache key, so they must be "
            "hashable; pass arrays as ordinary (traced) arguments, or convert lists to tuples)") from None
    return x


def _leaf_aval(x, what="argument"):
    t = type(x)
    if t is ArrayImpl:
        return x.aval
    if isinstance(x, Tracer):
        return x.aval
    try:
        return core.get_aval(x)
    except TypeError:
        raise TypeError(f"Argument '{x}' of type {t} is not a valid JAX type. Only arrays, NumPy arrays, "
                        f"Python scalars and pytrees of them can be passed to transformed functions; "
                        f"mark this {what} static (static_argnums/static_argnames) if it is a "
                        f"configuration value.") from None


# ---------------------------------------------------------------------------------------------------
# jit
# ---------------------------------------------------------------------------------------------------

_JIT_NO_DEFAULT = object()


class _CacheEntry:
    __slots__ = ("compiled", "out_tree", "out_avals", "closed", "n_out", "_single", "_state", "shardings")

    def __init__(self, compiled, out_tree, out_avals, closed):
        self.compiled = compiled
        self.out_tree = out_tree
        self.out_avals = out_avals
        self.closed = closed
        self.n_out = len(out_avals)
        self._single = tree_util.treedef_is_leaf(out_tree) and self.n_out == 1
        self._state = None  # the tracing config it is valid for, when in JitWrapped._fast_cache
        self.shardings = None  # input specs -> output specs, when shardings are in use (sharding.py)

    def wrap_single(self, outs):
        """The one output of a function that returns a single array."""
        o = outs[0]
        a = self.out_avals[0]
        if type(o) is np.ndarray and o.dtype == a.dtype:
            r = ArrayImpl._from_np(o, a.weak_type)
            r._aval = a
            return r
        return self.wrap(outs)[0]

    def wrap(self, outs):
        """The compiled program's NumPy outputs as Arrays (a list, in output-leaf order)."""
        wrap = ArrayImpl._from_np
        res = []
        for o, a in zip(outs, self.out_avals):
            if type(o) is not np.ndarray or o.dtype != a.dtype:
                if isinstance(a.dtype, dtypes.ExtendedDType):  # e.g. PRNG keys (_src/prng.py)
                    res.append(a.dtype._rules.make_array(o, a))
                    continue
                o = np.asarray(o, a.dtype)
            r = wrap(o, a.weak_type)
            r._aval = a
            res.append(r)
        return res


_all_jitted: "weakref.WeakSet[JitWrapped]" = weakref.WeakSet()

# Entries per jitted function and cache (JAX's jit caches are LRU-bounded too): a cached entry holds
# its jaxpr's constants, so a long-lived function called on ever new shapes must not keep them all.
_JIT_CACHE_SIZE = 1024


def _bounded_put(cache: dict, key, value):
    """Insert into a dict used as an LRU cache (least recently used first), dropping the first entry
    when full. (A hit on the fast path of ``JitWrapped.__call__`` does not reorder, to stay a single
    lookup; the full-key lookup that follows a fast-path miss does.)"""
    cache[key] = value
    if len(cache) > _JIT_CACHE_SIZE:
        del cache[next(iter(cache))]


def clear_caches():
    """Drop every cache of traced jaxprs and compiled programs: those of all jitted functions, of
    control flow (cond/while/scan bodies) and of the primitives that trace helper functions."""
    for f in list(_all_jitted):
        f.clear_cache()
    from jaxlite._src import pjit
    from jaxlite._src.lax import indexing
    from jaxlite._src.lax.control_flow import common, loops
    pjit._derived.clear()
    common.clear_trace_cache()
    loops._programs.clear()
    indexing._combiner_cache.clear()
    indexing._apply_cache.clear()
    core._eager_aval_cache.clear()


class JitWrapped:
    """What ``jax.jit(f)`` returns: call it, or ``.lower(*args)`` / ``.trace(*args)`` / ``.eval_shape``."""

    def __init__(self, fun, static_argnums=(), static_argnames=(), donate_argnums=(),
                 donate_argnames=(), inline=False, keep_unused=False, in_shardings=None,
                 out_shardings=None):
        if not callable(fun):
            raise TypeError(f"Expected a callable value, got {fun}")
        self._fun = fun
        _check_argnums_and_argnames(fun, _ensure_str_tuple(static_argnames), _ensure_index_tuple(donate_argnums),
                                    _ensure_str_tuple(donate_argnames))
        nums, names = _infer_argnums_and_argnames(fun, _ensure_index_tuple(static_argnums),
                                                  _ensure_str_tuple(static_argnames))
        self._static_argnums = nums
        self._static_argnames = names
        self._donate_argnums = _ensure_index_tuple(donate_argnums)
        self._inline = inline
        self._keep_unused = keep_unused
        self._in_shardings = in_shardings
        self._out_shardings = out_shardings
        _sharding.note_jit_shardings(in_shardings, out_shardings)
        self._cache: dict = {}        # full key -> _CacheEntry (eager calls)
        self._trace_cache: dict = {}  # key -> (closed_jaxpr, hoisted, out_tree) for use under traces
        # calls whose arguments are all positional Arrays: (avals, trace state) -> _CacheEntry
        self._fast_cache: dict = {}
        self._name = getattr(fun, "__name__", type(fun).__name__)
        functools.update_wrapper(self, fun, updated=())
        self._fast = not nums and not names
        _all_jitted.add(self)

    # -- splitting static and dynamic arguments --
    def _split(self, args, kwargs):
        if self._fast:
            return args, kwargs, ()
        nums = self._static_argnums
        n = len(args)
        for i in nums:
            if i >= n and not self._static_argnames:
                raise ValueError(
                    f"jitted function has static_argnums={nums}, but only accepts {n} positional "
                    f"arguments. Pass static arguments positionally, or use static_argnames.")
        dyn_args = tuple(a for i, a in enumerate(args) if i not in nums)
        static = tuple((i, _hashable_static(args[i], f"at position {i}")) for i in nums if i < n)
        dyn_kwargs = {k: v for k, v in kwargs.items() if k not in self._static_argnames}
        static += tuple((k, _hashable_static(kwargs[k], f"'{k}'"))
                        for k in sorted(kwargs) if k in self._static_argnames)
        return dyn_args, dyn_kwargs, static

    def _rebuild(self, dyn_args, dyn_kwargs, static):
        args = list(dyn_args)
        kwargs = dict(dyn_kwargs)
        for key, val in static:
            if isinstance(key, int):
                args.insert(key, val)
            else:
                kwargs[key] = val
        return args, kwargs

    def _flat_fun(self, in_tree, static, out_store):
        def flat(*leaves):
            dyn_args, dyn_kwargs = tree_util.tree_unflatten(in_tree, leaves)
            args, kwargs = self._rebuild(dyn_args, dyn_kwargs, static)
            out = self._fun(*args, **kwargs)
            out_leaves, out_tree = tree_util.tree_flatten(out)
            for o in out_leaves:
                if not core.valid_jaxtype(o) and not isinstance(o, Tracer):
                    raise TypeError(f"jitted function {self._name} returned a value of type {type(o)}, "
                                    f"which is not a valid JAX type")
            out_store.append(out_tree)
            return out_leaves
        return flat

    def _trace(self, dyn_args, dyn_kwargs, static, leaves, in_tree, avals):
        if config._values["jax_log_compiles"]:
            logger.warning("Compiling %s with avals %s", self._name, avals)
        out_store = []
        debug = pe.debug_info("jit", self._fun, *self._rebuild(dyn_args, dyn_kwargs, static),
                              static_argnums=self._static_argnums)
        flat = self._flat_fun(in_tree, static, out_store)
        closed, hoisted = pe.trace_to_closed_jaxpr_hoisted(flat, avals, debug)
        return closed, hoisted, out_store[0]

    def __call__(self, *args, **kwargs):
        trace = trace_ctx.trace
        # ---- the hot path (a cache hit, all arguments positional Arrays): a dictionary lookup and a call
        if (not kwargs and self._fast and trace is eval_trace and not _sharding.SHARDING_USED
                and not config._values["jax_disable_jit"]):
            if len(args) == 1:  # (the commonest case, spelled out: it saves two list comprehensions)
                a = args[0]
                entry = self._fast_cache.get((a.aval,)) if type(a) is ArrayImpl else None
                if entry is not None and entry._state == config._trace_state:
                    outs = entry.compiled(a._value)
                    if entry._single:
                        return entry.wrap_single(outs)
                    return tree_util.tree_unflatten(entry.out_tree, entry.wrap(outs))
            # (a non-Array argument puts None in the key, which is never stored)
            entry = self._fast_cache.get(tuple([a.aval if type(a) is ArrayImpl else None for a in args]))
            if entry is not None and entry._state == config._trace_state:
                outs = entry.compiled(*[a._value for a in args])
                if entry._single:
                    return entry.wrap_single(outs)
                return tree_util.tree_unflatten(entry.out_tree, entry.wrap(outs))
        if config._values["jax_disable_jit"]:
            return self._fun(*args, **kwargs)
        if kwargs or not self._fast:
            dyn_args, dyn_kwargs, static = self._split(args, kwargs)
        else:
            dyn_args, dyn_kwargs, static = args, kwargs, ()
        leaves, in_tree = tree_util.tree_flatten((dyn_args, dyn_kwargs))
        if trace is not eval_trace:
            return self._call_traced(trace, dyn_args, dyn_kwargs, static, leaves, in_tree)
        avals = []
        vals = []
        for x in leaves:
            if type(x) is ArrayImpl:
                avals.append(x.aval)  # (a 0-d ShapedArray is not truthy)
                vals.append(x._value)
            else:
                if isinstance(x, Tracer):
                    trace.check_tracer(x)
                v, a = core.to_value_and_aval(x) if core.valid_jaxtype(x) else (None, _leaf_aval(x))
                avals.append(a)
                vals.append(v)
        key = (in_tree, tuple(avals), static, config._trace_state)
        entry = self._cache.pop(key, None)  # (re-inserted below: most recently used last)
        if entry is None:
            entry = self._compile(dyn_args, dyn_kwargs, static, leaves, in_tree, avals)
        _bounded_put(self._cache, key, entry)
        if not kwargs and self._fast and all(type(a) is ArrayImpl for a in args):
            entry._state = key[3]
            _bounded_put(self._fast_cache, tuple(avals), entry)
        res = entry.wrap(entry.compiled(*vals))
        if _sharding.SHARDING_USED:  # results carry the shardings JAX would give them
            res = _sharding.jit_result_shardings(self, entry, leaves, res)
        return tree_util.tree_unflatten(entry.out_tree, res)

    def _compile(self, dyn_args, dyn_kwargs, static, leaves, in_tree, avals):
        closed, hoisted, out_tree = self._trace(dyn_args, dyn_kwargs, static, leaves, in_tree, avals)
        assert not hoisted
        if config._values["jax_debug_nans"] or config._values["jax_debug_infs"]:
            compiled = _op_by_op_checked(closed)
        else:
            compiled = numpy_backend.compile_closed(closed)
        return _CacheEntry(compiled, out_tree, closed.out_avals, closed)

    def _call_traced(self, trace, dyn_args, dyn_kwargs, static, leaves, in_tree):
        avals = tuple(_leaf_aval(x) for x in leaves)
        # named axes of enclosing vmap/pmap traces change what collectives trace to
        axes = tuple((ad_.name, ad_.size) for t in trace.ancestors()
                     if (ad_ := getattr(t, "axis_data", None)) is not None)
        key = (in_tree, avals, static, config._trace_state, axes)
        hit = self._trace_cache.pop(key, None)
        if hit is None:
            closed, hoisted, out_tree = self._trace(dyn_args, dyn_kwargs, static, leaves, in_tree, avals)
            if not hoisted:  # only cache jaxprs that do not close over tracers of enclosing traces
                _bounded_put(self._trace_cache, key, (closed, out_tree))
        else:
            closed, out_tree = hit
            hoisted = []
            _bounded_put(self._trace_cache, key, hit)
        if self._inline and type(trace) is pe.DynamicJaxprTrace:  # (other traces: see pjit._jit_staging)
            outs = core.eval_jaxpr(closed.jaxpr, closed.consts, *hoisted, *leaves)
        else:
            outs = jit_p.bind(*hoisted, *leaves, **jit_params(closed, self._name, inline=self._inline))
        return tree_util.tree_unflatten(out_tree, outs)

    # -- AOT-style API --
    def trace(self, *args, **kwargs) -> "Traced":
        dyn_args, dyn_kwargs, static = self._split(args, kwargs)
        leaves, in_tree = tree_util.tree_flatten((dyn_args, dyn_kwargs))
        avals = [_leaf_aval(x) for x in leaves]
        closed, hoisted, out_tree = self._trace(dyn_args, dyn_kwargs, static, leaves, in_tree, avals)
        return Traced(self, closed, out_tree, in_tree, static)

    def lower(self, *args, **kwargs) -> "Lowered":
        return self.trace(*args, **kwargs).lower()

    def eval_shape(self, *args, **kwargs):
        t = self.trace(*args, **kwargs)
        return tree_util.tree_unflatten(t.out_tree, [ShapeDtypeStruct(a.shape, a.dtype, weak_type=a.weak_type)
                                                     for a in t.jaxpr.out_avals])

    def _cache_size(self):
        return len(self._cache)

    def clear_cache(self):
        self._cache.clear()
        self._fast_cache.clear()
        self._trace_cache.clear()

    def __get__(self, obj, objtype=None):
        # support use as a method decorator
        if obj is None:
            return self
        return functools.partial(self, obj)

    def __repr__(self):
        return f"<jitted function {self._name}>"


def _op_by_op_checked(closed):
    """Under jax_debug_nans/infs: run each primitive eagerly so that the first NaN names its primitive."""
    def run(*args):
        outs = core.eval_jaxpr(closed.jaxpr, closed.consts, *[ArrayImpl._from_np(np.asarray(a)) for a in args])
        return [o._value if isinstance(o, ArrayImpl) else np.asarray(o) for o in outs]
    return run


class Traced:
    def __init__(self, wrapped, closed, out_tree, in_tree, static):
        self._wrapped = wrapped
        self.jaxpr = closed
        self.out_tree = out_tree
        self.in_tree = in_tree
        self._static = static

    @property
    def out_info(self):
        return tree_util.tree_unflatten(self.out_tree, [ShapeDtypeStruct(a.shape, a.dtype)
                                                        for a in self.jaxpr.out_avals])

    def lower(self, **_):
        return Lowered(self)


class Lowered:
    def __init__(self, traced: Traced):
        self._traced = traced

    def as_text(self, dialect=None, **_):
        return str(self._traced.jaxpr)

    def compiler_ir(self, dialect=None):
        return self._traced.jaxpr

    @property
    def out_info(self):
        return self._traced.out_info

    def compile(self, **_):
        return Compiled(self._traced)

    def cost_analysis(self):
        return {}


class Compiled:
    def __init__(self, traced: Traced):
        self._traced = traced
        self._fn = numpy_backend.compile_closed(traced.jaxpr)

    def as_text(self):
        return self._fn.__jaxlite_source__

    def cost_analysis(self):
        return {}

    def memory_analysis(self):
        return None

    def __call__(self, *args, **kwargs):
        w = self._traced._wrapped
        dyn_args, dyn_kwargs, static = w._split(args, kwargs)
        leaves, in_tree = tree_util.tree_flatten((dyn_args, dyn_kwargs))
        if in_tree != self._traced.in_tree:
            raise TypeError(f"Compiled function called with input structure {in_tree}, but it was "
                            f"compiled for {self._traced.in_tree}")
        avals = [_leaf_aval(x) for x in leaves]
        expected = self._traced.jaxpr.in_avals
        for i, (a, e) in enumerate(zip(avals, expected)):
            if a.shape != e.shape or a.dtype != e.dtype:
                raise TypeError(f"Argument types differ from the types for which this computation was "
                                f"compiled: argument {i} is {a.str_short()} but was compiled for "
                                f"{e.str_short()}. Call the jitted function itself to recompile.")
        vals = [core.to_value_and_aval(x)[0] for x in leaves]
        outs = self._fn(*vals)
        res = [a.dtype._rules.make_array(o, a) if isinstance(a.dtype, dtypes.ExtendedDType) else
               ArrayImpl._from_np(np.asarray(o, a.dtype), a.weak_type)
               for o, a in zip(outs, self._traced.jaxpr.out_avals)]
        return tree_util.tree_unflatten(self._traced.out_tree, res)


def jit(fun: Callable = _JIT_NO_DEFAULT, *, in_shardings=None, out_shardings=None,
        static_argnums=None, static_argnames=None, donate_argnums=None, donate_argnames=None,
        keep_unused=False, device=None, backend=None, inline=False, abstracted_axes=None,
        compiler_options=None):
    """Compile ``fun`` once per input signature (tree structure, shapes, dtypes, static values).

    Example:
        >>> f = jax.jit(lambda x: x * 2 + 1)
        >>> f(jnp.arange(3.0))
        Array([1., 3., 5.], dtype=float32)
    """
    if fun is _JIT_NO_DEFAULT:
        return lambda f: jit(f, in_shardings=in_shardings, out_shardings=out_shardings,
                             static_argnums=static_argnums, static_argnames=static_argnames,
                             donate_argnums=donate_argnums, donate_argnames=donate_argnames,
                             keep_unused=keep_unused, device=device, backend=backend, inline=inline)
    return JitWrapped(fun, static_argnums, static_argnames, donate_argnums, donate_argnames, inline,
                      keep_unused, in_shardings, out_shardings)


@contextlib.contextmanager
def disable_jit(disable: bool = True):
    """Context manager under which jitted functions run eagerly, op by op (handy for debugging)."""
    with config.override("jax_disable_jit", disable):
        yield


# ---------------------------------------------------------------------------------------------------
# make_jaxpr, eval_shape
# ---------------------------------------------------------------------------------------------------

class ShapeDtypeStruct:
    """A shape and dtype standing in for an array (``jax.ShapeDtypeStruct``)."""

    __slots__ = ("shape", "dtype", "sharding", "weak_type")

    def __init__(self, shape, dtype, *, sharding=None, weak_type=False):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.sharding = sharding
        self.weak_type = weak_type

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return int(np.prod(self.shape))

    @property
    def aval(self):
        return ShapedArray(self.shape, dtypes.canonicalize_dtype(self.dtype), self.weak_type)

    def __repr__(self):
        w = ", weak_type=True" if self.weak_type else ""
        return f"ShapeDtypeStruct(shape={self.shape}, dtype={self.dtype.name}{w})"

    def __eq__(self, other):
        return (isinstance(other, ShapeDtypeStruct) and self.shape == other.shape
                and self.dtype == other.dtype and self.weak_type == other.weak_type)

    def __hash__(self):
        return hash((self.shape, self.dtype, self.weak_type))


def _abstractify(x):
    if isinstance(x, ShapeDtypeStruct):
        return x.aval
    if hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, (np.ndarray, np.generic,
                                                                          ArrayImpl, Tracer)):
        return ShapedArray(x.shape, dtypes.canonicalize_dtype(x.dtype), getattr(x, "weak_type", False))
    return _leaf_aval(x)


def make_jaxpr(fun: Callable, static_argnums=(), axis_env=None, return_shape=False,
               abstracted_axes=None):
    """Return a function that gives the jaxpr of ``fun`` for example arguments.

    Example:
        >>> jax.make_jaxpr(lambda x: jnp.sin(x) * 2)(1.0)
        { lambda ; a:f32[]. let b:f32[] = sin a; c:f32[] = mul b 2.0:f32[] in (c,) }
    """
    static_argnums = _ensure_index_tuple(static_argnums)

    @functools.wraps(fun)
    def make_jaxpr_f(*args, **kwargs):
        static = {i: args[i] for i in static_argnums}
        dyn_args = [a for i, a in enumerate(args) if i not in static]
        leaves, in_tree = tree_util.tree_flatten((dyn_args, kwargs))
        avals = [_abstractify(x) for x in leaves]
        out_store = []

        def flat(*flat_args):
            d_args, d_kwargs = tree_util.tree_unflatten(in_tree, flat_args)
            full = list(d_args)
            for i in sorted(static):
                full.insert(i, static[i])
            out = fun(*full, **d_kwargs)
            out_leaves, out_tree = tree_util.tree_flatten(out)
            out_store.append(out_tree)
            return out_leaves

        debug = pe.debug_info("make_jaxpr", fun, args, kwargs, static_argnums)
        jaxpr, out_avals, consts = pe.trace_to_jaxpr_dynamic(flat, avals, debug)
        closed = core.ClosedJaxpr(jaxpr, consts)
        if return_shape:
            shapes = tree_util.tree_unflatten(out_store[0], [ShapeDtypeStruct(a.shape, a.dtype,
                                                                              weak_type=a.weak_type)
                                                             for a in out_avals])
            return closed, shapes
        return closed

    return make_jaxpr_f


def eval_shape(fun: Callable, *args, **kwargs):
    """Shapes and dtypes of ``fun``'s outputs, as ShapeDtypeStructs, without computing anything."""
    leaves, in_tree = tree_util.tree_flatten((args, kwargs))
    avals = [_abstractify(x) for x in leaves]
    out_store = []

    def flat(*flat_args):
        a, k = tree_util.tree_unflatten(in_tree, flat_args)
        out_leaves, out_tree = tree_util.tree_flatten(fun(*a, **k))
        out_store.append(out_tree)
        return out_leaves

    _, out_avals, _ = pe.trace_to_jaxpr_dynamic(flat, avals)
    return tree_util.tree_unflatten(out_store[0], [ShapeDtypeStruct(a.shape, a.dtype, weak_type=a.weak_type)
                                                   for a in out_avals])


# ---------------------------------------------------------------------------------------------------
# small runtime helpers
# ---------------------------------------------------------------------------------------------------

def block_until_ready(x):
    """Wait for every array in the pytree ``x`` (computation is synchronous here) and return it."""
    for leaf in tree_util.tree_leaves(x):
        if hasattr(leaf, "block_until_ready"):
            leaf.block_until_ready()
    return x


def device_get(x):
    """Fetch the arrays of a pytree to the host as NumPy arrays."""
    def get(leaf):
        if isinstance(leaf, ArrayImpl):
            return np.asarray(leaf)
        return leaf
    return tree_util.tree_map(get, x)


def named_call(fun: Callable, *, name: str | None = None) -> Callable:
    """``fun`` under a name for profiles; jaxlite has no profiler scopes, so this returns ``fun``."""
    return fun


@contextlib.contextmanager
def named_scope(name: str):
    """Accepted for compatibility: names appear in profiles in JAX; jaxlite has none."""
    if not isinstance(name, str):
        raise TypeError("named_scope name argument must be a string.")
    yield


def print_environment_info(return_string: bool = False):
    """Print versions of jaxlite, NumPy and Python, and the device count."""
    import platform
    import sys
    from jaxlite import __version__
    from jaxlite._src.config import config as _config
    text = (f"jaxlite:    {__version__}\nnumpy:      {np.__version__}\npython:     {sys.version}\n"
            f"device info: cpu-{_config.jax_num_cpu_devices}\nprocess_count: 1\n"
            f"platform: {platform.uname()}\n")
    if return_string:
        return text
    print(text)
