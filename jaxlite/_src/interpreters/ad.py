"""Automatic differentiation: the JVP trace, linearize (JVP + partial evaluation) and transposition.

Forward mode runs a ``JVPTrace``: each primitive's jvp rule maps (primals, tangents) to (primal out,
tangent out). Reverse mode is ``linearize`` followed by ``backward_pass``: the JVP runs under a
``JaxprTrace`` (partial evaluator) where primals are known (computed at once under the parent trace)
and tangents unknown (recorded into a linear jaxpr whose constants are the residuals); transposing
that jaxpr equation by equation, with each linear primitive's transpose rule, gives the VJP.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.core import (ClosedJaxpr, Jaxpr, Literal, Primitive, ShapedArray, Trace, Tracer, Var,
                               get_aval, set_current_trace)
from jaxlite._src.interpreters import partial_eval as pe

primitive_jvps: dict = {}
primitive_transposes: dict = {}


# ---------------------------------------------------------------------------------------------------
# Symbolic zeros and tangent arithmetic
# ---------------------------------------------------------------------------------------------------

class Zero:
    """A symbolic zero tangent/cotangent of abstract value ``aval`` (never materialised unless needed)."""

    __slots__ = ("aval",)

    def __init__(self, aval):
        self.aval = aval

    @staticmethod
    def from_primal_value(x):
        return Zero(get_aval(x).to_tangent_aval())

    def __repr__(self):
        return f"Zero({self.aval.str_short()})"


class SymbolicZero(Zero):
    """What a custom_jvp rule sees for an input whose tangent is zero when symbolic_zeros=True."""


def zeros_like_aval(aval):
    from jaxlite._src.lax import lax as lax_mod
    if dtypes.is_float0(aval.dtype):
        return np.zeros(aval.shape, dtypes.float0)
    return lax_mod.full(aval.shape, 0, aval.dtype, weak_type=aval.weak_type)


def instantiate_zeros(t):
    return zeros_like_aval(t.aval) if type(t) in (Zero, SymbolicZero) else t


def is_float0_value(x):
    return dtypes.is_float0(getattr(x, "dtype", None))


add_any_p = Primitive("add_any")
add_jaxvals_p = add_any_p


def _add_any_impl(x, y):
    return np.add(x, y)


add_any_p.def_impl(_add_any_impl)
add_any_p.def_abstract_eval(lambda x, y: ShapedArray(x.shape, x.dtype, x.weak_type and y.weak_type))


def add_tangents(x, y):
    if type(x) in (Zero, SymbolicZero):
        return y
    if type(y) in (Zero, SymbolicZero):
        return x
    if is_float0_value(x):
        return x
    return add_any_p.bind(x, y)


def _add_any_jvp(primals, tangents):
    x, y = primals
    tx, ty = tangents
    return add_any_p.bind(x, y), add_tangents(tx, ty)


def _add_any_transpose(ct, x, y):
    return [ct, ct]


def _add_any_batch(vals, dims):
    from jaxlite._src.interpreters import batching
    size = batching.axis_size_of(vals, dims)
    x, y = (batching.bdim_at_front(v, d, size) for v, d in zip(vals, dims))
    return add_any_p.bind(x, y), 0


primitive_jvps[add_any_p] = _add_any_jvp
primitive_transposes[add_any_p] = _add_any_transpose


# ---------------------------------------------------------------------------------------------------
# Rule-definition helpers (used next to each primitive's definition)
# ---------------------------------------------------------------------------------------------------

def defjvp(prim, *jvprules):
    """One rule per argument, ``rule(g, *primals, **params) -> tangent contribution`` (None: zero)."""
    def jvp(primals, tangents, **params):
        ans = prim.bind(*primals, **params)
        out = Zero.from_primal_value(ans)
        for rule, t in zip(jvprules, tangents):
            if rule is not None and type(t) not in (Zero, SymbolicZero):
                out = add_tangents(out, rule(t, *primals, **params))
        return ans, out
    primitive_jvps[prim] = jvp


def defjvp2(prim, *jvprules):
    """Like defjvp, but each rule also gets the primal output: ``rule(g, ans, *primals, **params)``."""
    def jvp(primals, tangents, **params):
        ans = prim.bind(*primals, **params)
        out = Zero.from_primal_value(ans)
        for rule, t in zip(jvprules, tangents):
            if rule is not None and type(t) not in (Zero, SymbolicZero):
                out = add_tangents(out, rule(t, ans, *primals, **params))
        return ans, out
    primitive_jvps[prim] = jvp


def defjvp_zero(prim):
    """Non-differentiable primitive: its output tangent is always zero (float0 for ints/bools)."""
    def jvp(primals, tangents, **params):
        ans = prim.bind(*primals, **params)
        if prim.multiple_results:
            return ans, [Zero.from_primal_value(a) for a in ans]
        return ans, Zero.from_primal_value(ans)
    primitive_jvps[prim] = jvp


def deflinear(prim, transpose_rule):
    """A primitive linear in all its (array) arguments: its jvp applies it to the tangents."""
    def jvp(primals, tangents, **params):
        ans = prim.bind(*primals, **params)
        if all(type(t) in (Zero, SymbolicZero) for t in tangents):
            return ans, Zero.from_primal_value(ans)
        ts = [instantiate_zeros(t) for t in tangents]
        return ans, prim.bind(*ts, **params)
    primitive_jvps[prim] = jvp
    primitive_transposes[prim] = transpose_rule


def deflinear2(prim, transpose_rule):
    deflinear(prim, transpose_rule)


def defbilinear(prim, lhs_rule, rhs_rule):
    """A primitive linear in each argument separately (mul, dot_general)."""
    defjvp(prim, lambda g, x, y, **p: prim.bind(g, y, **p), lambda g, x, y, **p: prim.bind(x, g, **p))

    def transpose(ct, x, y, **params):
        if is_undefined_primal(x) and is_undefined_primal(y):
            raise ValueError(f"transpose of {prim.name}: both arguments are linear")
        if is_undefined_primal(x):
            return [lhs_rule(ct, x, y, **params), None]
        return [None, rhs_rule(ct, x, y, **params)]
    primitive_transposes[prim] = transpose


# ---------------------------------------------------------------------------------------------------
# Forward mode
# ---------------------------------------------------------------------------------------------------

class JVPTracer(Tracer):
    __slots__ = ("primal", "tangent")

    def __init__(self, trace, primal, tangent):
        self._trace = trace
        self.primal = primal
        self.tangent = tangent

    @property
    def aval(self):
        return get_aval(self.primal)

    def to_concrete_value(self):
        p = self.primal
        if isinstance(p, Tracer):
            return p.to_concrete_value()
        return p._value if isinstance(p, core.Array) else np.asarray(p)

    def _origin_msg(self):
        p = self.primal
        return p._origin_msg() if isinstance(p, Tracer) else ""


class JVPTrace(Trace):
    def __init__(self, parent_trace, tag=None):
        self.parent_trace = parent_trace
        self.tag = tag
        self.is_valid = True

    def describe(self):
        return "jvp/grad"

    def to_primal_tangent(self, x):
        if isinstance(x, JVPTracer) and x._trace is self:
            return x.primal, x.tangent
        if isinstance(x, Tracer):
            self.check_tracer(x)
        return x, Zero.from_primal_value(x)

    def process_primitive(self, prim, args, params):
        primals, tangents = [], []
        for a in args:
            p, t = self.to_primal_tangent(a)
            primals.append(p)
            tangents.append(t)
        if all(type(t) in (Zero, SymbolicZero) for t in tangents):
            with set_current_trace(self.parent_trace):
                return prim.bind(*primals, **params)
        rule = primitive_jvps.get(prim)
        if rule is None:
            raise NotImplementedError(f"Differentiation rule for '{prim.name}' not implemented")
        with set_current_trace(self.parent_trace):
            primal_out, tangent_out = rule(primals, tangents, **params)
        if prim.multiple_results:
            return [self.make(p, t) for p, t in zip(primal_out, tangent_out)]
        return self.make(primal_out, tangent_out)

    def make(self, p, t):
        return JVPTracer(self, p, t)


def jvp_flat(fun: Callable, primals: Sequence, tangents: Sequence, instantiate=True):
    """Run ``fun`` (flat lists in and out) forward-mode. Returns (primal_outs, tangent_outs)."""
    parent = core.trace_ctx.trace
    trace = JVPTrace(parent)
    ins = [JVPTracer(trace, p, t) if type(t) not in (Zero, SymbolicZero) or True else p
           for p, t in zip(primals, tangents)]
    try:
        with set_current_trace(trace):
            outs = fun(*ins)
        p_out, t_out = [], []
        for o in outs:
            p, t = trace.to_primal_tangent(o)
            p_out.append(p)
            t_out.append(t)
    finally:
        trace.invalidate()
    if instantiate is True:
        t_out = [instantiate_zeros(t) for t in t_out]
    elif instantiate:
        t_out = [instantiate_zeros(t) if inst else t for t, inst in zip(t_out, instantiate)]
    return p_out, t_out


# ---------------------------------------------------------------------------------------------------
# Partial evaluation (the "known/unknown" split used by linearize)
# ---------------------------------------------------------------------------------------------------

class JaxprTrace(pe.DynamicJaxprTrace):
    """Computes known values at once under its parent trace; records equations on unknown ones.

    Its tracers are always unknown; a known value is simply a value of the parent trace. Known values
    used by recorded equations become constants (residuals) of the recorded jaxpr.
    """

    residuals_last = False  # see partial_eval_jaxpr_nounits

    def describe(self):
        return "linearize/vjp"

    def is_unknown(self, x):
        return isinstance(x, pe.DynamicJaxprTracer) and x._trace is self

    def process_primitive(self, primitive, args, params):
        if not any(self.is_unknown(a) for a in args):
            with set_current_trace(self.parent_trace):
                return primitive.bind(*args, **params)
        rule = partial_eval_rules.get(primitive)
        if rule is not None:
            return rule(self, *args, **params)
        atoms = [self.to_atom(a) for a in args]
        avals = [a.aval for a in atoms]
        out_avals = primitive.abstract_eval_avals(avals, params)
        fwd = self.forwarded(primitive, args, avals, params)
        if fwd is not None:
            return fwd
        return self.emit(primitive, atoms, out_avals, params)

    def to_atom(self, x):
        if self.is_unknown(x):
            return x.var
        # a known value (parent-trace value): a residual
        if isinstance(x, Tracer):
            return self.builder.add_const(x, x.aval)
        val, aval = core.to_value_and_aval(x)
        if aval.shape == ():
            return Literal(val, aval)
        # an Array residual stays that object, so that a trace staging the linear jaxpr sees the same
        # constant as the user's (one constvar, as in JAX)
        return self.builder.add_const(x if isinstance(x, core.Array) else val, aval, key_obj=x)

    def instantiate(self, x):
        """Make a known value an unknown one (a residual passed through)."""
        if self.is_unknown(x):
            return x
        v = self.to_atom(x)
        if isinstance(v, Literal):
            v = self.builder.add_const(v.val, v.aval)
        return pe.DynamicJaxprTracer(self, v.aval, v)


partial_eval_rules: dict = {}


def partial_eval_jaxpr_nounits(closed: ClosedJaxpr, unknowns: Sequence[bool], instantiate,
                               residuals_last=True):
    """Split ``closed`` into a known part and an unknown part.

    Returns ``(jaxpr_known, jaxpr_unknown, out_unknowns, num_res)`` where
    ``jaxpr_known(*known_ins) -> [*known_outs, *residuals]`` and
    ``jaxpr_unknown(*residuals, *unknown_ins) -> unknown_outs``.

    As JAX's function of this name (used for control flow bodies), jits met inside take their
    residuals last; ``residuals_last=False`` is the form JAX's linearization of a jit has (residuals
    first).
    """
    if isinstance(instantiate, bool):
        instantiate = [instantiate] * len(closed.jaxpr.outvars)
    in_avals = closed.in_avals
    known_avals = [a for a, u in zip(in_avals, unknowns) if not u]
    store = {}

    def fun_known(*known_args):
        parent = core.trace_ctx.trace
        trace = JaxprTrace(parent)
        trace.residuals_last = residuals_last
        it = iter(known_args)
        args = [trace.new_arg(a) if u else next(it) for a, u in zip(in_avals, unknowns)]
        with set_current_trace(trace):
            outs = core.eval_jaxpr(closed.jaxpr, closed.consts, *args)
        out_unknowns = [trace.is_unknown(o) or bool(inst) for o, inst in zip(outs, instantiate)]
        unknown_outs = [trace.instantiate(o) for o, u in zip(outs, out_unknowns) if u]
        jaxpr_u, residuals = trace.finalize(unknown_outs)
        trace.invalidate()
        store["jaxpr_u"] = pe.convert_constvars_jaxpr(jaxpr_u)
        store["num_res"] = len(residuals)
        store["out_unknowns"] = out_unknowns
        known_outs = [o for o, u in zip(outs, out_unknowns) if not u]
        return known_outs + list(residuals)

    jaxpr_k, _, consts_k = pe.trace_to_jaxpr_dynamic(fun_known, known_avals)
    return (ClosedJaxpr(jaxpr_k, consts_k), ClosedJaxpr(store["jaxpr_u"], []), store["out_unknowns"],
            store["num_res"])


def linearize_flat(fun: Callable, primals: Sequence):
    """JVP ``fun`` at ``primals`` with unknown tangents.

    Returns ``(primal_outs, linear_jaxpr, residuals, out_zero)``: ``linear_jaxpr`` has constvars for the
    residuals and one invar per primal; ``out_zero[i]`` marks tangent outputs that are symbolically zero
    (they are not outputs of the jaxpr).
    """
    parent = core.trace_ctx.trace
    pe_trace = JaxprTrace(parent)
    jvp_trace = JVPTrace(pe_trace)
    tangent_in = [pe_trace.new_arg(get_aval(p).to_tangent_aval()) for p in primals]
    ins = [JVPTracer(jvp_trace, p, t) for p, t in zip(primals, tangent_in)]
    try:
        with set_current_trace(jvp_trace):
            outs = fun(*ins)
        p_out, t_out = [], []
        for o in outs:
            p, t = jvp_trace.to_primal_tangent(o)
            p_out.append(p)
            t_out.append(t)
        out_zero = [type(t) in (Zero, SymbolicZero) for t in t_out]
        lin_outs = [pe_trace.instantiate(t) for t, z in zip(t_out, out_zero) if not z]
        jaxpr, residuals = pe_trace.finalize(lin_outs)
        jaxpr, residuals = _dce_linear(jaxpr, residuals)
    finally:
        jvp_trace.invalidate()
        pe_trace.invalidate()
    for p in p_out:
        if pe_trace.is_unknown(p):
            raise RuntimeError("internal error: a primal output depends on a tangent")
    return p_out, jaxpr, residuals, out_zero


def _dce_linear(jaxpr, residuals):
    """As JAX's tangent trace: the linear jaxpr without what its outputs do not need (dce rules trim
    multi-output equations), nor the residuals nothing uses."""
    jaxpr, _ = pe.dce_jaxpr(jaxpr, [True] * len(jaxpr.outvars))
    used = {v for e in jaxpr.eqns for v in e.invars if type(v) is Var} | set(jaxpr.outvars)
    keep = [v in used for v in jaxpr.constvars]
    if all(keep):
        return jaxpr, residuals
    return (jaxpr.replace(constvars=[v for v, k in zip(jaxpr.constvars, keep) if k]),
            [r for r, k in zip(residuals, keep) if k])


# ---------------------------------------------------------------------------------------------------
# Transposition
# ---------------------------------------------------------------------------------------------------

class UndefinedPrimal:
    """Marks a linear input of an equation being transposed (its value is what we solve for)."""

    __slots__ = ("aval",)

    def __init__(self, aval):
        self.aval = aval

    def __repr__(self):
        return f"UndefinedPrimal({self.aval.str_short()})"


def is_undefined_primal(x) -> bool:
    return type(x) is UndefinedPrimal


def backward_pass(jaxpr: Jaxpr, consts: Sequence, linear_in_avals, cts_out: Sequence, ct_init=None,
                  accum_avals=None) -> list:
    """Transpose ``jaxpr`` (linear in its invars; constvars are residual values).

    ``cts_out`` may contain ``Zero``. Returns one cotangent (or Zero) per invar. As JAX's accumulators
    (e.g. a transposed scan body's), an invar may start from ``ct_init[i]`` (cotangents are added to it
    as they arise) and present the aval ``accum_avals[i]`` to the rules that transpose its uses.
    """
    linear = set(jaxpr.invars)
    undefined = {v: UndefinedPrimal(a) for v, a in zip(jaxpr.invars, accum_avals or ()) if a is not None}
    env = {}
    for v, c in zip(jaxpr.constvars, consts):
        env[v] = c
    # every eqn has a linear input (knowns were computed already); mark their outputs linear
    for eqn in jaxpr.eqns:
        if any(type(v) is Var and v in linear for v in eqn.invars):
            linear.update(eqn.outvars)
        else:
            # non-linear equation (only residuals): evaluate forward
            ins = [v.val if type(v) is Literal else env[v] for v in eqn.invars]
            out = eqn.primitive.bind(*ins, **eqn.params)
            outs = out if eqn.primitive.multiple_results else [out]
            for v, o in zip(eqn.outvars, outs):
                env[v] = o
    ct_env: dict = {}

    def write_ct(v, ct):
        if type(v) is not Var or type(ct) in (Zero, SymbolicZero) or ct is None:
            return
        if v in ct_env:
            ct_env[v] = add_tangents(ct_env[v], ct)
        else:
            ct_env[v] = ct

    for v, ct in zip(jaxpr.invars, ct_init or ()):
        write_ct(v, ct)
    for v, ct in zip(jaxpr.outvars, cts_out):
        write_ct(v, ct)

    for eqn in reversed(jaxpr.eqns):
        if not any(o in linear for o in eqn.outvars):
            continue
        cts = [ct_env.pop(o, None) for o in eqn.outvars]
        if all(c is None for c in cts):
            continue
        invals = []
        for v in eqn.invars:
            if type(v) is Literal:
                invals.append(v.val)
            elif v in linear:
                invals.append(undefined.get(v) or UndefinedPrimal(v.aval))
            else:
                invals.append(env[v])
        rule = primitive_transposes.get(eqn.primitive)
        if rule is None:
            raise NotImplementedError(f"Transpose rule (for reverse-mode differentiation) for "
                                      f"'{eqn.primitive.name}' not implemented")
        if eqn.primitive.multiple_results:
            cts = [Zero(o.aval.to_tangent_aval()) if c is None else c for c, o in zip(cts, eqn.outvars)]
            cts_in = rule(cts, *invals, **eqn.params)
        else:
            cts_in = rule(cts[0], *invals, **eqn.params)
        for v, ct in zip(eqn.invars, cts_in):
            if type(v) is Var and v in linear:
                write_ct(v, ct)
    return [ct_env.get(v, Zero(v.aval)) for v in jaxpr.invars]


# ---------------------------------------------------------------------------------------------------
# jit_p's rules (the call primitive is differentiated by transforming its jaxpr)
# ---------------------------------------------------------------------------------------------------

def jvp_jaxpr(closed: ClosedJaxpr, nonzeros: Sequence[bool], instantiate):
    """A jaxpr computing ``(primal outs, nonzero tangent outs)`` from ``(primals, nonzero tangents)``."""
    in_avals = closed.in_avals
    n = len(in_avals)
    store = {}
    if isinstance(instantiate, bool):
        instantiate = [instantiate] * len(closed.jaxpr.outvars)

    def fun(*args):
        primals = args[:n]
        it = iter(args[n:])
        tangents = [next(it) if nz else Zero(a.to_tangent_aval()) for a, nz in zip(in_avals, nonzeros)]
        p_out, t_out = jvp_flat(core.jaxpr_as_fun(closed), primals, tangents, instantiate=instantiate)
        out_nz = [type(t) not in (Zero, SymbolicZero) for t in t_out]
        store["out_nonzeros"] = out_nz
        return list(p_out) + [t for t, nz in zip(t_out, out_nz) if nz]

    t_avals = [a.to_tangent_aval() for a, nz in zip(in_avals, nonzeros) if nz]
    jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(fun, list(in_avals) + t_avals)
    return ClosedJaxpr(jaxpr, consts), store["out_nonzeros"]


def _register_batchers():
    from jaxlite._src.interpreters import batching
    batching.primitive_batchers[add_any_p] = _add_any_batch


_register_batchers()
