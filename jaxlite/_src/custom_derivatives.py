"""``jax.custom_jvp`` and ``jax.custom_vjp``.

A custom-derivative function is bound as a call primitive (``custom_jvp_call`` / ``custom_vjp_call``)
carrying a ``CustomJVPInfo``/``CustomVJPInfo``: the flat function and its flat rules. Each trace decides
what to do with it (``Trace.process_custom_jvp_call``): evaluation runs the function, the JVP trace
runs the rule, the batch trace batches function and rules, the jaxpr trace stages one equation.

Reverse mode through ``custom_vjp``: the JVP trace runs ``fwd`` on the primals and emits a
``custom_lin`` equation on the tangents; it is linear, and its transpose calls ``bwd``.
"""
from __future__ import annotations

import dataclasses
import functools
import inspect
from typing import Any, Callable, Sequence

import numpy as np

from jaxlite._src import core, dtypes, tree_util
from jaxlite._src.core import ClosedJaxpr, Primitive, ShapedArray, Tracer, get_aval, trace_ctx
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.interpreters.ad import SymbolicZero, Zero
from jaxlite._src.tree_util import tree_flatten, tree_unflatten

__all__ = ["custom_jvp", "custom_vjp", "custom_gradient", "SymbolicZero", "CustomVJPPrimal", "custom_jvp_call_p",
           "custom_vjp_call_p", "custom_lin_p", "zero_from_primal"]


def _name(f):
    return getattr(f, "__name__", None) or type(f).__name__


def _resolve_kwargs(fun, args, kwargs):
    if not kwargs:
        return tuple(args)
    try:
        ba = inspect.signature(fun).bind(*args, **kwargs)
    except TypeError as e:
        raise TypeError(f"The function {_name(fun)} was called with arguments that do not match its "
                        f"signature: {e}") from None
    ba.apply_defaults()
    if ba.kwargs:
        raise TypeError("keyword arguments could not be resolved to positions: custom_jvp/custom_vjp "
                        "functions take their differentiable arguments positionally")
    return ba.args


def _split_nondiff(kind, name, nondiff_argnums, args):
    """``(nondiff values, differentiable args, rebuild)``; ``rebuild(dyn)`` gives all the args again."""
    for i in nondiff_argnums:
        if i >= len(args):
            raise TypeError(f"{kind} function {name} has nondiff_argnums {tuple(nondiff_argnums)} but "
                            f"was called with {len(args)} arguments")
    nd = [args[i] for i in nondiff_argnums]
    dyn_idx = [i for i in range(len(args)) if i not in nondiff_argnums]

    def rebuild(dyn_vals, _all=tuple(args)):
        full = list(_all)
        for i, v in zip(dyn_idx, dyn_vals):
            full[i] = v
        return full

    return nd, tuple(args[i] for i in dyn_idx), rebuild


def _to_value(x):
    if isinstance(x, (Tracer, core.Array)):
        return x
    from jaxlite._src.numpy.util import _to_array
    return _to_array(x)


def _stage_fun(trace, fun, args):
    """Trace ``fun`` on the avals of ``args``; returns (closed jaxpr, hoisted tracer consts)."""
    from jaxlite._src.interpreters import partial_eval as pe
    from jaxlite._src.pjit import _close_hoisting
    in_avals = [get_aval(a) for a in args]
    jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(fun, in_avals)
    return _close_hoisting(jaxpr, consts)


# ---------------------------------------------------------------------------------------------------
# custom_jvp
# ---------------------------------------------------------------------------------------------------

class _Info:
    def replace(self, **kw):
        return dataclasses.replace(self, **kw)


class CustomCallPrimitive(Primitive):
    """``custom_jvp_call`` / ``custom_vjp_call``: bound with an info object (the flat function and its
    rules) that the current trace interprets in its ``process_custom_{jvp,vjp}_call``. A staged equation
    holds ``call_jaxpr`` and the rules as params; ``bind(**params)`` (eval_jaxpr of a jaxpr holding one)
    rebuilds the info from them."""
    multiple_results = True
    call_primitive = True

    def __init__(self, name: str, process: str, info_from_params: Callable, shown_params: tuple):
        super().__init__(name)
        self._process = process
        self._info_from_params = info_from_params
        self.def_abstract_eval(lambda *avals, call_jaxpr, **_: call_jaxpr.out_avals)
        self.def_impl(lambda *args, call_jaxpr, **_: core.jaxpr_as_fun(call_jaxpr)(*args))
        self.pp_params = lambda p: {k: p[k] for k in shown_params}
        self.pp_params_first = ("name",)
        from jaxlite._src.backend import numpy_backend
        numpy_backend.lowerings[self] = _custom_call_lowering

    def bind_info(self, info, args):
        return getattr(trace_ctx.trace, self._process)(self, info, list(args))

    def bind(self, *args, **params):
        return self.bind_info(self._info_from_params(**params), args)


def _custom_call_lowering(*, call_jaxpr, **_):
    from jaxlite._src.backend import numpy_backend
    return numpy_backend.compile_closed(call_jaxpr)


@dataclasses.dataclass(frozen=True, eq=False)
class CustomJVPInfo(_Info):
    """``fun(*xs) -> outs``; ``jvp(primals, tangents) -> (primal_outs, tangent_outs)``, all flat."""
    fun: Callable
    jvp: Callable
    symbolic_zeros: bool
    name: str
    jvp_name: str


def _jvp_info_from_params(call_jaxpr, jvp_jaxpr_fun, num_consts, symbolic_zeros, name="", jvp=""):
    return CustomJVPInfo(core.jaxpr_as_fun(call_jaxpr), jvp_jaxpr_fun, symbolic_zeros, name, jvp)


custom_jvp_call_p = CustomCallPrimitive("custom_jvp_call", "process_custom_jvp_call", _jvp_info_from_params,
                                        ("name", "call_jaxpr", "jvp", "symbolic_zeros"))


class _CustomFunction:
    """What custom_jvp and custom_vjp functions share: the wrapped function, its nondiff_argnums, and
    use as a method."""

    def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = ()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.symbolic_zeros = False

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return functools.partial(self, instance)


def zero_from_primal(x, symbolic_zeros=False):
    """The symbolic zero tangent for primal ``x``."""
    return SymbolicZero(get_aval(x).to_tangent_aval())


class custom_jvp(_CustomFunction):
    """A function with a custom Jacobian-vector product rule.

    >>> @jax.custom_jvp
    ... def f(x):
    ...     return jnp.sin(x)
    >>> @f.defjvp
    ... def f_jvp(primals, tangents):
    ...     (x,), (t,) = primals, tangents
    ...     return f(x), jnp.cos(x) * t
    """

    def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = ()):
        super().__init__(fun, nondiff_argnums)
        self.jvp = None

    def defjvp(self, jvp: Callable, symbolic_zeros: bool = False) -> Callable:
        """Set the rule ``jvp(primals, tangents) -> (primal_out, tangent_out)``."""
        self.jvp = jvp
        self.symbolic_zeros = symbolic_zeros
        return jvp

    def defjvps(self, *jvps):
        """One rule per argument, ``rule(g, ans, *primals) -> tangent contribution`` (None: zero)."""
        if self.nondiff_argnums:
            raise TypeError("Can't use ``defjvps`` with ``nondiff_argnums``.")

        def jvp(primals, tangents):  # (named as in JAX's printed jaxprs: ``jvp=jvp``)
            primal_out = self(*primals)
            out = None
            for rule, t in zip(jvps, tangents):
                if rule is None:
                    continue
                c = rule(t, primal_out, *primals)
                out = c if out is None else tree_util.tree_map(lambda a, b: a + b, out, c)
            if out is None:
                out = tree_util.tree_map(lambda x: ad.zeros_like_aval(get_aval(x)), primal_out)
            return primal_out, out

        self.defjvp(jvp)

    def __call__(self, *args, **kwargs):
        name = _name(self.fun)
        if self.jvp is None:
            raise AttributeError(f"No JVP defined for custom_jvp function {name} using defjvp.")
        args = _resolve_kwargs(self.fun, args, kwargs)
        fun, jvp = self.fun, self.jvp
        if self.nondiff_argnums:
            nd, args, rebuild = _split_nondiff("custom_jvp", name, self.nondiff_argnums, args)
            fun = lambda *d, _f=self.fun: _f(*rebuild(d))  # noqa: E731
            jvp = lambda p, t, _j=self.jvp: _j(*nd, tuple(p), tuple(t))  # noqa: E731
        leaves, in_tree = tree_flatten(args)
        leaves = [_to_value(x) for x in leaves]
        store = {}

        def flat_fun(*xs):
            out = fun(*tree_unflatten(in_tree, xs))
            out_leaves, out_tree = tree_flatten(out)
            store["out_tree"] = out_tree
            return [_to_value(o) for o in out_leaves]

        jvp_name = _name(self.jvp)

        def flat_jvp(primals, tangents):
            py_p = tree_unflatten(in_tree, primals)
            py_t = tree_unflatten(in_tree, tangents)
            pair = jvp(py_p, py_t)
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise TypeError(f"Custom JVP rule {jvp_name} for function {name} must produce a pair "
                                "(list or tuple of length two) representing primal and tangent "
                                f"outputs, but got {pair}.")
            p_out, t_out = pair
            p_leaves, p_tree = tree_flatten(p_out)
            t_leaves, t_tree = tree_flatten(t_out, is_leaf=lambda x: isinstance(x, Zero) or x is None)
            if p_tree != t_tree and not (len(p_leaves) == len(t_leaves)):
                raise TypeError(f"Custom JVP rule {jvp_name} for function {name} must produce primal "
                                "and tangent outputs with equal container (pytree) structures, but got "
                                f"{p_tree} and {t_tree} respectively.")
            if "out_tree" in store and store["out_tree"] != p_tree:
                raise TypeError(f"Custom JVP rule {jvp_name} for function {name} must produce a pair "
                                "(list or tuple of length two) where the first element represents the "
                                "primal output (equal in value to the output of the custom_jvp-decorated "
                                f"function {name}, and in particular of the same container/pytree "
                                f"structure), but instead the JVP rule output's first element had "
                                f"container/pytree structure:\n    {p_tree}\nwhile the custom_jvp-"
                                f"decorated function {name} had output container/pytree structure:\n"
                                f"    {store['out_tree']}.")
            store["out_tree"] = p_tree
            p_leaves = [_to_value(p) for p in p_leaves]
            outs_t = []
            for p, t in zip(p_leaves, t_leaves):
                pa = get_aval(p)
                want = pa.to_tangent_aval()
                if t is None or isinstance(t, Zero):
                    outs_t.append(Zero(want))
                    continue
                t = _to_value(t) if not dtypes.is_float0(getattr(t, "dtype", None)) else t
                ta = get_aval(t) if not dtypes.is_float0(getattr(t, "dtype", None)) else \
                    ShapedArray(np.shape(t), dtypes.float0)
                if ta.shape != want.shape or (ta.dtype != want.dtype and not dtypes.is_float0(want.dtype)):
                    raise TypeError("Custom JVP rule must produce primal and tangent outputs with "
                                    f"corresponding shapes and dtypes. Expected {want.str_short()} "
                                    f"(tangent type of {pa.str_short()}) but got {ta.str_short()}.")
                outs_t.append(Zero(want) if dtypes.is_float0(want.dtype) else t)
            return p_leaves, outs_t

        info = CustomJVPInfo(flat_fun, flat_jvp, self.symbolic_zeros, name, jvp_name)
        outs = custom_jvp_call_p.bind_info(info, leaves)
        return tree_unflatten(store["out_tree"], outs)


# ---------------------------------------------------------------------------------------------------
# custom_vjp
# ---------------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True, eq=False)
class CustomVJPInfo(_Info):
    """``fun(*xs) -> outs``; ``fwd(*xs) -> (outs, residuals)``; ``bwd(res, cts) -> in_cts`` (flat)."""
    fun: Callable
    fwd: Callable
    bwd: Callable
    out_avals: Callable  # () -> avals of the outputs (known once fun or fwd ran)
    symbolic_zeros: bool
    name: str
    fwd_name: str
    bwd_name: str


def _vjp_info_from_params(call_jaxpr, info, symbolic_zeros, name="", fwd="", bwd=""):
    return info.replace(fun=core.jaxpr_as_fun(call_jaxpr))


custom_vjp_call_p = CustomCallPrimitive("custom_vjp_call", "process_custom_vjp_call", _vjp_info_from_params,
                                        ("name", "bwd", "call_jaxpr", "fwd", "symbolic_zeros"))


# custom_lin: the tangent part of a custom_vjp function under the JVP trace. Linear in its tangent
# inputs; its transpose runs the user's bwd rule on the residuals.
custom_lin_p = Primitive("custom_lin")
custom_lin_p.multiple_results = True


def _custom_lin_abstract(*avals, num_res, bwd, out_avals, symbolic_zeros):
    return [a.to_tangent_aval() for a in out_avals]


def _custom_lin_impl(*args, **params):
    raise TypeError("can't apply forward-mode autodiff (jvp) to a custom_vjp function.")


def _custom_lin_transpose(cts, *args, num_res, bwd, out_avals, symbolic_zeros):
    res = list(args[:num_res])
    if not symbolic_zeros:
        cts = [ad.instantiate_zeros(c) for c in cts]
    else:
        cts = [SymbolicZero(c.aval) if type(c) is Zero else c for c in cts]
    in_cts = bwd(res, cts)
    return [None] * num_res + list(in_cts)


custom_lin_p.def_abstract_eval(_custom_lin_abstract)
custom_lin_p.def_impl(_custom_lin_impl)
ad.primitive_transposes[custom_lin_p] = _custom_lin_transpose


@dataclasses.dataclass
class CustomVJPPrimal:
    """What ``fwd`` sees for each argument when ``symbolic_zeros=True``: value and whether it is
    differentiated (``perturbed``)."""
    value: Any
    perturbed: bool


class custom_vjp(_CustomFunction):
    """A function with a custom vector-Jacobian product (reverse-mode) rule.

    >>> @jax.custom_vjp
    ... def f(x):
    ...     return jnp.sin(x)
    >>> f.defvjp(lambda x: (f(x), jnp.cos(x)), lambda cos_x, g: (cos_x * g,))
    """

    def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = ()):
        super().__init__(fun, nondiff_argnums)
        self.fwd = self.bwd = None
        self.optimize_remat = False

    def defvjp(self, fwd: Callable, bwd: Callable, symbolic_zeros: bool = False,
               optimize_remat: bool = False):
        """Set ``fwd(*args) -> (out, residuals)`` and ``bwd(residuals, ct_out) -> tuple of ct_args``."""
        self.fwd, self.bwd = fwd, bwd
        self.symbolic_zeros = symbolic_zeros
        self.optimize_remat = optimize_remat
        return fwd, bwd

    def __call__(self, *args, **kwargs):
        name = _name(self.fun)
        if self.fwd is None or self.bwd is None:
            raise AttributeError(f"No VJP defined for custom_vjp function {name} using defvjp.")
        args = _resolve_kwargs(self.fun, args, kwargs)
        fun, fwd, bwd = self.fun, self.fwd, self.bwd
        if self.nondiff_argnums:
            nd, args, rebuild = _split_nondiff("custom_vjp", name, self.nondiff_argnums, args)
            fun = lambda *d, _f=self.fun: _f(*rebuild(d))  # noqa: E731
            fwd = lambda *d, _f=self.fwd: _f(*rebuild(d))  # noqa: E731
            bwd = lambda res, g, _b=self.bwd: _b(*nd, res, g)  # noqa: E731
        leaves, in_tree = tree_flatten(args)
        leaves = [_to_value(x) for x in leaves]
        in_avals = [get_aval(x) for x in leaves]
        store = {}
        fwd_name, bwd_name = _name(self.fwd), _name(self.bwd)
        symbolic_zeros = self.symbolic_zeros

        def flat_fun(*xs):
            out = fun(*tree_unflatten(in_tree, xs))
            out_leaves, out_tree = tree_flatten(out)
            store["out_tree"] = out_tree
            outs = [_to_value(o) for o in out_leaves]
            store["out_avals"] = [get_aval(o) for o in outs]
            return outs

        def flat_fwd(*xs, perturbed=None):
            if symbolic_zeros:
                pert = perturbed or [True] * len(xs)
                xs = [CustomVJPPrimal(x, p) for x, p in zip(xs, pert)]
            pair = fwd(*tree_unflatten(in_tree, xs))
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise TypeError(f"Custom VJP fwd rule {fwd_name} for function {name} must produce a "
                                "pair (list or tuple of length two) where the first element represents "
                                f"the primal output (equal to those of the custom_vjp-decorated function "
                                f"{name}) and the second element represents residuals (i.e. values "
                                "stored from the forward pass for use on the backward pass), but instead "
                                f"of a pair the fwd rule {fwd_name} produced {pair}.")
            out, res = pair
            out_leaves, out_tree = tree_flatten(out)
            if "out_tree" in store and store["out_tree"] != out_tree:
                raise TypeError(f"Custom VJP fwd rule {fwd_name} for function {name} must produce a "
                                "pair (list or tuple of length two) where the first element represents "
                                "the primal output (equal to the output of the custom_vjp-decorated "
                                f"function {name}) and the second element represents residuals, but "
                                "instead the fwd rule output's first element had container/pytree "
                                f"structure:\n    {out_tree}\nwhile the custom_vjp-decorated function "
                                f"{name} had output container/pytree structure:\n    {store['out_tree']}.")
            store["out_tree"] = out_tree
            outs = [_to_value(o) for o in out_leaves]
            store["out_avals"] = [get_aval(o) for o in outs]
            res_leaves, store["res_tree"] = tree_flatten(res)
            return outs, [_to_value(r) if core.valid_jaxtype(r) or isinstance(r, Tracer) else r
                          for r in res_leaves]

        def flat_bwd(res, cts):
            py_res = tree_unflatten(store["res_tree"], res)
            py_cts = tree_unflatten(store["out_tree"], cts)
            got = bwd(py_res, py_cts)
            n_args = len(in_tree.children())
            if isinstance(got, list) and len(got) == n_args:
                got = tuple(got)
            dummy = tree_unflatten(in_tree, [_Sentinel()] * in_tree.num_leaves)
            flat = []
            try:
                if not isinstance(got, tuple):
                    raise ValueError
                parts = tree_util.broadcast_prefix(got, dummy, is_leaf=lambda x: x is None)
            except ValueError:
                _, got_tree = tree_flatten(got)
                raise TypeError("Custom VJP bwd rule must produce an output with the same container "
                                "(pytree) structure as the args tuple of the primal function, and in "
                                "particular must produce a tuple of length equal to the number of "
                                "arguments to the primal function, but got bwd output structure "
                                f"{got_tree} for primal input structure {in_tree}.") from None
            paths = [p for p, _ in tree_util.tree_flatten_with_path(dummy)[0]]
            for path, a, ct in zip(paths, in_avals, parts):
                want = a.to_tangent_aval()
                if ct is None or isinstance(ct, Zero) or dtypes.is_float0(want.dtype):
                    flat.append(Zero(want))
                    continue
                ct = _to_value(ct)
                ca = get_aval(ct)
                if ca.shape != want.shape or ca.dtype != want.dtype:
                    raise ValueError("Custom VJP bwd rule must produce an output with the same type as "
                                     "the args tuple of the primal function, but at output"
                                     f"{tree_util.keystr(path)} the bwd rule produced an output of type "
                                     f"{ca.str_short()} corresponding to an input of type "
                                     f"{a.str_short()}")
                flat.append(ct)
            return flat

        info = CustomVJPInfo(flat_fun, flat_fwd, flat_bwd, lambda: store["out_avals"], symbolic_zeros,
                             name, fwd_name, bwd_name)
        outs = custom_vjp_call_p.bind_info(info, leaves)
        return tree_unflatten(store["out_tree"], outs)


class _Sentinel:
    pass


# ---------------------------------------------------------------------------------------------------
# per-trace behaviour (installed on the trace classes; each is the custom-call counterpart of a
# trace's process_primitive)
# ---------------------------------------------------------------------------------------------------

def _jvp_process(rule):
    """A JVP trace's ``process_custom_*_call``: with only zero tangents, the call on the primals one
    level up; otherwise ``rule(trace, info, primals, tangents)``."""
    def process(self, prim, info, args):
        primals, tangents = zip(*(self.to_primal_tangent(a) for a in args)) if args else ((), ())
        if all(type(t) in (Zero, SymbolicZero) for t in tangents):
            with core.set_current_trace(self.parent_trace):
                return prim.bind_info(info, primals)
        return rule(self, info, primals, tangents)
    return process


@_jvp_process
def _jvp_process_custom_jvp_call(self, info, primals, tangents):
    if info.symbolic_zeros:
        tangents = [SymbolicZero(t.aval) if type(t) is Zero else t for t in tangents]
    else:
        tangents = [ad.instantiate_zeros(t) for t in tangents]
    with core.set_current_trace(self.parent_trace):
        p_out, t_out = info.jvp(list(primals), list(tangents))
    return [self.make(p, Zero(t.aval) if type(t) is SymbolicZero else t) for p, t in zip(p_out, t_out)]


@_jvp_process
def _jvp_process_custom_vjp_call(self, info, primals, tangents):
    with core.set_current_trace(self.parent_trace):
        perturbed = [type(t) not in (Zero, SymbolicZero) for t in tangents]
        outs, res = info.fwd(*primals, perturbed=perturbed)
        tangents = [ad.instantiate_zeros(t) for t in tangents]
        out_avals = [get_aval(o) for o in outs]
        # residuals that are not arrays (e.g. custom_gradient's vjp closure) stay out of the equation
        res = list(res)
        is_arr = [isinstance(r, Tracer) or core.valid_jaxtype(r) for r in res]
        arr_res = [r for r, a in zip(res, is_arr) if a]
        bwd = info.bwd
        if not all(is_arr):
            def bwd(arrs, cts, _b=info.bwd, _res=res, _is_arr=is_arr):
                it = iter(arrs)
                return _b([next(it) if a else r for r, a in zip(_res, _is_arr)], cts)
        t_out = custom_lin_p.bind(*arr_res, *tangents, num_res=len(arr_res), bwd=bwd,
                                  out_avals=tuple(out_avals), symbolic_zeros=info.symbolic_zeros)
    return [self.make(p, t) for p, t in zip(outs, t_out)]


def _batch_process(rule):
    """A batch trace's ``process_custom_*_call``: with no batched argument, the call one level up;
    otherwise ``rule(trace, info, dims0, new_fun)`` gives the info of the batched call, whose arguments
    carry their batch axis at 0 (``dims0``: 0 or None each) and whose outputs are all batched at 0;
    ``new_fun`` is ``info.fun`` batched that way."""
    def process(self, prim, info, args):
        vals, dims = zip(*(self.to_batch_info(a) for a in args)) if args else ((), ())
        if all(d is None for d in dims):
            with core.set_current_trace(self.parent_trace):
                return prim.bind_info(info, vals)
        size = self.axis_data.size
        vals = [batching.bdim_at_front(v, d, size) if d is not None else v for v, d in zip(vals, dims)]
        dims0 = [0 if d is not None else None for d in dims]
        new_info = rule(self, info, dims0, _vmapped(self, info.fun, dims0))
        with core.set_current_trace(self.parent_trace):
            outs = prim.bind_info(new_info, vals)
        return [batching.BatchTracer(self, o, 0) for o in outs]
    return process


def _vmapped(trace, f, in_dims, n_out_hint=None):
    """``f`` (flat in, flat out) vmapped with the given in_dims; every output batched at 0."""
    ad_ = trace.axis_data

    def g(*xs):
        store = {}

        def inner(*ys):
            outs = f(*ys)
            store["n"] = len(outs)
            return outs

        return batching.vmap_flat(inner, xs, in_dims, lambda _: [0] * store["n"], ad_.size, ad_.name,
                                  ad_.spmd_name)
    return g


@_batch_process
def _batch_process_custom_jvp_call(self, info, dims0, new_fun):
    n = len(dims0)

    def jvp_flat(*pt):
        p_out, t_out = info.jvp(list(pt[:n]), list(pt[n:]))
        return list(p_out) + [ad.instantiate_zeros(t) for t in t_out]

    def new_jvp(primals, tangents):
        tangents = [ad.instantiate_zeros(t) for t in tangents]
        outs = _vmapped(self, jvp_flat, dims0 + dims0)(*primals, *tangents)
        k = len(outs) // 2
        return outs[:k], outs[k:]

    return info.replace(fun=new_fun, jvp=new_jvp)


@_batch_process
def _batch_process_custom_vjp_call(self, info, dims0, new_fun):
    size = self.axis_data.size
    store = {}

    def fwd_flat(*xs):
        outs, res = info.fwd(*xs)
        store["n_out"] = len(outs)
        return list(outs) + list(res)

    def new_fwd(*xs, perturbed=None):
        both = _vmapped(self, fwd_flat, dims0)(*xs)
        return both[:store["n_out"]], both[store["n_out"]:]

    def new_bwd(res, cts):
        cts = [ad.instantiate_zeros(c) for c in cts]
        n_res = len(res)

        def bwd_flat(*rc):
            return [ad.instantiate_zeros(c) for c in info.bwd(list(rc[:n_res]), list(rc[n_res:]))]

        return _vmapped(self, bwd_flat, [0] * (n_res + len(cts)))(*res, *cts)

    def out_avals():
        return [core.ShapedArray((size,) + a.shape, a.dtype, a.weak_type) for a in info.out_avals()]

    return info.replace(fun=new_fun, fwd=new_fwd, bwd=new_bwd, out_avals=out_avals)


def _staging_process_custom_jvp_call(self, prim, info, args):
    closed, hoisted = _stage_fun(self, info.fun, args)
    nc = len(hoisted)
    jvp = info.jvp if not nc else (lambda p, t, _j=info.jvp: _j(p[nc:], t[nc:]))
    atoms = [self.to_atom(a) for a in list(hoisted) + list(args)]
    params = dict(call_jaxpr=closed, jvp_jaxpr_fun=jvp, num_consts=nc,
                  symbolic_zeros=info.symbolic_zeros, name=info.name, jvp=info.jvp_name)
    return self.emit(prim, atoms, closed.out_avals, params)


def _staging_process_custom_vjp_call(self, prim, info, args):
    closed, hoisted = _stage_fun(self, info.fun, args)
    nc = len(hoisted)
    if nc:
        fwd0, bwd0 = info.fwd, info.bwd

        def fwd(*xs, perturbed=None):
            return fwd0(*xs[nc:], perturbed=None if perturbed is None else perturbed[nc:])

        def bwd(res, cts):
            return [Zero(get_aval(h).to_tangent_aval()) for h in hoisted] + list(bwd0(res, cts))

        info = info.replace(fwd=fwd, bwd=bwd)
    atoms = [self.to_atom(a) for a in list(hoisted) + list(args)]
    params = dict(call_jaxpr=closed, info=info, symbolic_zeros=info.symbolic_zeros, name=info.name,
                  fwd=info.fwd_name, bwd=info.bwd_name)
    return self.emit(prim, atoms, closed.out_avals, params)


def _pe_process_custom_call(self, prim, info, args):
    # partial evaluation: a call with unknown inputs is inlined (its derivative was taken already)
    if any(self.is_unknown(a) for a in args):
        with core.set_current_trace(self):
            return info.fun(*args)
    with core.set_current_trace(self.parent_trace):
        return prim.bind_info(info, args)


def _install():
    from jaxlite._src.interpreters import partial_eval as pe
    ad.JVPTrace.process_custom_jvp_call = _jvp_process_custom_jvp_call
    ad.JVPTrace.process_custom_vjp_call = _jvp_process_custom_vjp_call
    batching.BatchTrace.process_custom_jvp_call = _batch_process_custom_jvp_call
    batching.BatchTrace.process_custom_vjp_call = _batch_process_custom_vjp_call
    pe.DynamicJaxprTrace.process_custom_jvp_call = _staging_process_custom_jvp_call
    pe.DynamicJaxprTrace.process_custom_vjp_call = _staging_process_custom_vjp_call
    ad.JaxprTrace.process_custom_jvp_call = _pe_process_custom_call
    ad.JaxprTrace.process_custom_vjp_call = _pe_process_custom_call


_install()


def custom_gradient(fun: Callable) -> Callable:
    """``fun`` returns ``(value, vjp_fn)``; differentiate it with that ``vjp_fn``.

    >>> @jax.custom_gradient
    ... def f(x):
    ...     return x ** 2, lambda g: (g * x,)
    """
    @custom_vjp
    def wrapped(*args):
        ans, _ = fun(*args)
        return ans

    def fwd(*args):
        ans, rule = fun(*args)
        return ans, Partial_(rule)

    def bwd(res, cts):
        cts_in = res.fn(cts)
        return tuple(cts_in) if isinstance(cts_in, (tuple, list)) else (cts_in,)

    wrapped.defvjp(fwd, bwd)
    functools.update_wrapper(wrapped, fun)
    return wrapped


class Partial_:
    """Holds a vjp closure as a single (non-array) residual leaf."""
    __slots__ = ("fn",)

    def __init__(self, fn):
        self.fn = fn
