"""Tracing Python functions to jaxprs, and splitting jaxprs into known and unknown parts.

``DynamicJaxprTrace`` records every primitive it sees as an equation (this is how ``jit`` and
``make_jaxpr`` see a function). ``JaxprTrace`` is the partial evaluator used by ``linearize``: values it
knows are computed right away under its parent trace; equations touching unknown values are recorded.
``partial_eval_jaxpr`` does the same split on an existing jaxpr (for call and control-flow primitives).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.core import (ClosedJaxpr, DropVar, Jaxpr, JaxprEqn, Literal, ShapedArray, Trace,
                               Tracer, Var, get_aval, set_current_trace)
from jaxlite._src.errors import UnexpectedTracerError

# ---------------------------------------------------------------------------------------------------
# Building jaxprs
# ---------------------------------------------------------------------------------------------------


class DebugInfo:
    """Where a jaxpr came from: the traced function's name and its flattened argument names."""

    __slots__ = ("traced_for", "func_name", "arg_names", "func_src")

    def __init__(self, traced_for, func_name, arg_names=None, func_src=None):
        self.traced_for = traced_for
        self.func_name = func_name
        self.arg_names = arg_names
        self.func_src = func_src


def debug_info(traced_for: str, fun: Callable, args=(), kwargs=None, static_argnums=()):
    import inspect
    name = getattr(fun, "__name__", None) or type(fun).__name__
    src = None
    try:
        code = fun.__code__
        src = f"{code.co_filename}:{code.co_firstlineno}"
    except AttributeError:
        pass
    arg_names = None
    try:
        sig = inspect.signature(fun)
        bound = sig.bind(*args, **(kwargs or {}))
        arg_names = []
        from jaxlite._src import tree_util
        for i, (pname, val) in enumerate(bound.arguments.items()):
            if i in static_argnums:
                continue
            for path, _ in tree_util.tree_flatten_with_path(val)[0]:
                arg_names.append(pname + tree_util.keystr(path))
    except Exception:
        arg_names = None
    return DebugInfo(traced_for, name, arg_names, src)


class JaxprBuilder:
    """The equations, inputs and constants of a jaxpr under construction."""

    def __init__(self, debug=None):
        self.invars: list[Var] = []
        self.eqns: list[JaxprEqn] = []
        self.constvars: dict[int, Var] = {}       # id(value) -> constvar
        self.constvals: dict[int, Any] = {}       # id(value) -> value (kept alive)
        self.debug = debug
        self._keepalive = []

    def new_var(self, aval) -> Var:
        return Var(aval)

    def add_const(self, val, aval, key_obj=None) -> Var:
        # keyed by the identity of the user's object, which is kept alive with the converted value
        key = id(val if key_obj is None else key_obj)
        v = self.constvars.get(key)
        if v is None:
            v = self.constvars[key] = Var(aval)
            self.constvals[key] = val
            self._keepalive.append(key_obj)
        return v

    def to_jaxpr(self, outvars) -> tuple[Jaxpr, list]:
        keys = list(self.constvars)
        constvars = [self.constvars[k] for k in keys]
        consts = [self.constvals[k] for k in keys]
        jaxpr = Jaxpr(constvars, self.invars, outvars, self.eqns, debug_info=self.debug)
        jaxpr = _dce_unused_constvars(jaxpr, consts)
        return jaxpr


def _dce_unused_constvars(jaxpr, consts):
    return jaxpr, consts


def _is_literalable(val, aval) -> bool:
    return (isinstance(aval, ShapedArray) and aval.shape == () and
            (type(val) in (bool, int, float, complex) or isinstance(val, (np.ndarray, np.generic, core.Array))))


class DynamicJaxprTracer(Tracer):
    __slots__ = ("aval", "var")

    def __init__(self, trace, aval, var):
        self._trace = trace
        self.aval = aval
        self.var = var

    def _origin_msg(self):
        return self._trace.origin_message(self)


class DynamicJaxprTrace(Trace):
    """Records every primitive applied to its tracers as an equation of a new jaxpr."""

    def __init__(self, parent_trace, debug=None):
        self.parent_trace = parent_trace
        self.builder = JaxprBuilder(debug)
        self.is_valid = True

    def describe(self):
        d = self.builder.debug
        if d is None:
            return "a traced function"
        return f"{d.traced_for} of {d.func_name}"

    def new_arg(self, aval) -> DynamicJaxprTracer:
        v = Var(aval)
        self.builder.invars.append(v)
        return DynamicJaxprTracer(self, aval, v)

    def to_atom(self, x):
        """The jaxpr atom (Var or Literal) for a value seen by this trace."""
        if isinstance(x, DynamicJaxprTracer) and x._trace is self:
            return x.var
        if isinstance(x, Tracer):
            # a tracer of an enclosing transformation (closed over): a constant of this jaxpr
            self.check_tracer(x)
            return self.builder.add_const(x, x.aval)
        val, aval = core.to_value_and_aval(x)
        if isinstance(aval.dtype, dtypes.ExtendedDType):  # e.g. a PRNG key array: keep the Array
            return self.builder.add_const(x, aval, key_obj=x)
        if aval.shape == ():
            return Literal(x if type(x) is bool else val, aval)  # (a Python bool stays one, as in JAX)
        return self.builder.add_const(val, aval, key_obj=x)

    forwarding = True  # see forwarding_rules

    def process_primitive(self, primitive, args, params):
        if primitive in custom_staging_rules:
            return custom_staging_rules[primitive](self, *args, **params)
        atoms = [self.to_atom(a) for a in args]
        avals = [a.aval for a in atoms]
        out_avals = primitive.abstract_eval_avals(avals, params)
        fwd = self.forwarded(primitive, args, avals, params)
        if fwd is not None:
            return fwd
        return self.emit(primitive, atoms, out_avals, params)

    def forwarded(self, primitive, args, avals, params):
        """The inputs an equation would merely pass on (it is then not staged), or None."""
        rule = forwarding_rules.get(primitive) if self.forwarding else None
        idx = rule(avals, **params) if rule is not None else None
        if idx is None:
            return None
        return [args[i] for i in idx] if primitive.multiple_results else args[idx[0]]

    def emit(self, primitive, atoms, out_avals, params):
        if primitive.multiple_results:
            outvars = [Var(a) for a in out_avals]
            self.builder.eqns.append(JaxprEqn(atoms, outvars, primitive, params))
            return [DynamicJaxprTracer(self, v.aval, v) for v in outvars]
        outvar = Var(out_avals)
        self.builder.eqns.append(JaxprEqn(atoms, [outvar], primitive, params))
        return DynamicJaxprTracer(self, out_avals, outvar)

    def origin_message(self, tracer) -> str:
        d = self.builder.debug
        if d is None:
            return ""
        msg = f"The error occurred while tracing the function {d.func_name}"
        if d.func_src:
            msg += f" at {d.func_src}"
        msg += f" for {d.traced_for}."
        names = self._progenitor_names(tracer)
        if names:
            which = ", ".join(names)
            noun = "argument" if len(names) == 1 else "arguments"
            msg += (f" This concrete value was not available in Python because it depends on the value of "
                    f"the {noun} {which}.")
        return msg

    def _progenitor_names(self, tracer):
        d = self.builder.debug
        if d is None or not d.arg_names:
            return []
        # walk equations backwards from the tracer's variable to the inputs it depends on
        needed = {tracer.var}
        for eqn in reversed(self.builder.eqns):
            if any(o in needed for o in eqn.outvars):
                needed.update(v for v in eqn.invars if isinstance(v, Var))
        return [d.arg_names[i] for i, v in enumerate(self.builder.invars)
                if v in needed and i < len(d.arg_names)]

    def finalize(self, outs) -> tuple[Jaxpr, list]:
        # scalar constants stay literal outvars, as in JAX: ``{ lambda ; a:f32[]. let  in (a, 1.0:f32[]) }``
        return self.builder.to_jaxpr([self.to_atom(o) for o in outs])


custom_staging_rules: dict = {}

# As JAX's: primitive -> rule(in_avals, **params) giving, per output, the input it merely repeats
# (or None for a real equation). Staging skips such equations and passes the input on (e.g. a
# broadcast_in_dim to the operand's own shape); the trace linear_transpose records keeps them.
forwarding_rules: dict = {}


def trace_to_jaxpr_dynamic(fun: Callable, in_avals: Sequence, debug=None,
                           instantiate=True, forwarding=True) -> tuple[Jaxpr, list[ShapedArray], list]:
    """Trace ``fun`` (taking and returning flat lists of arrays) to a jaxpr with constvars.

    Returns ``(jaxpr, out_avals, consts)``. Constants may be tracers of enclosing traces.
    """
    parent = core.trace_ctx.trace
    trace = DynamicJaxprTrace(parent, debug)
    trace.forwarding = forwarding
    args = [trace.new_arg(a) for a in in_avals]
    try:
        with set_current_trace(trace):
            outs = fun(*args)
        jaxpr, consts = trace.finalize(outs)
    finally:
        trace.invalidate()
    return jaxpr, [v.aval for v in jaxpr.outvars], consts


def convert_constvars_jaxpr(jaxpr: Jaxpr) -> Jaxpr:
    """Turn constvars into leading invars."""
    return Jaxpr([], list(jaxpr.constvars) + list(jaxpr.invars), jaxpr.outvars, jaxpr.eqns,
                 jaxpr.effects, jaxpr.debug_info)


def close_jaxpr(jaxpr: Jaxpr, consts=()) -> ClosedJaxpr:
    return ClosedJaxpr(jaxpr, list(consts))


def trace_to_closed_jaxpr_hoisted(fun, in_avals, debug=None):
    """Trace to a ClosedJaxpr whose tracer-valued constants are hoisted out as extra leading inputs.

    Returns ``(closed_jaxpr, hoisted_values)``: call the jaxpr with ``(*hoisted_values, *args)``.
    Concrete array constants stay as consts of the ClosedJaxpr.
    """
    jaxpr, out_avals, consts = trace_to_jaxpr_dynamic(fun, in_avals, debug)
    tracer_idx = [i for i, c in enumerate(consts) if isinstance(c, Tracer)]
    if not tracer_idx:
        return ClosedJaxpr(jaxpr, consts), []
    keep = [i for i in range(len(consts)) if i not in set(tracer_idx)]
    new = Jaxpr([jaxpr.constvars[i] for i in keep],
                [jaxpr.constvars[i] for i in tracer_idx] + list(jaxpr.invars),
                jaxpr.outvars, jaxpr.eqns, jaxpr.effects, jaxpr.debug_info)
    return ClosedJaxpr(new, [consts[i] for i in keep]), [consts[i] for i in tracer_idx]


# primitive -> rule(used_outputs, eqn) -> (used_inputs, new eqn or None): how dce_jaxpr trims an
# equation of which only some outputs are used (e.g. a scan's unused ys), as JAX's dce rules
dce_rules: dict = {}


def dce_jaxpr(jaxpr: Jaxpr, used_outputs: Sequence[bool], instantiate=False) -> tuple[Jaxpr, list[bool]]:
    """Drop equations whose outputs are not needed. Returns the new jaxpr and which inputs are used."""
    outvars = [v for v, u in zip(jaxpr.outvars, used_outputs) if u]
    live = {v for v in outvars if isinstance(v, Var)}
    new_eqns = []
    for eqn in reversed(jaxpr.eqns):
        used = [o in live for o in eqn.outvars]
        rule = dce_rules.get(eqn.primitive)
        if rule is not None and any(used):
            used_in, eqn = rule(used, eqn)
            if eqn is not None:
                new_eqns.append(eqn)
                live.update(v for v in eqn.invars if isinstance(v, Var))
            continue
        if any(used) or eqn.effects:
            new_eqns.append(eqn)
            live.update(v for v in eqn.invars if isinstance(v, Var))
    new_eqns.reverse()
    used_inputs = [v in live for v in jaxpr.invars]
    return (Jaxpr(jaxpr.constvars, jaxpr.invars, outvars, new_eqns, jaxpr.effects, jaxpr.debug_info),
            used_inputs)
