"""``jit_p``: the call primitive that ``jax.jit`` binds inside other traces (JAX prints it as ``jit``).

Its params hold the traced ClosedJaxpr; every rule works by transforming that inner jaxpr, so
``grad(jit(f))``, ``vmap(jit(f))`` and ``make_jaxpr(jit(f))`` go through the same machinery.
"""
from __future__ import annotations

import weakref

from jaxlite._src import core
from jaxlite._src.backend import numpy_backend
from jaxlite._src.core import ClosedJaxpr, Primitive

jit_p = Primitive("jit")
jit_p.multiple_results = True
jit_p.call_primitive = True
pjit_p = jit_p  # JAX's older name


def _jit_impl(*args, jaxpr: ClosedJaxpr, **_):
    return numpy_backend.compile_closed(jaxpr)(*args)


def _jit_abstract_eval(*avals, jaxpr: ClosedJaxpr, **_):
    return jaxpr.out_avals


def _jit_lowering(*, jaxpr: ClosedJaxpr, **_):
    return numpy_backend.compile_closed(jaxpr)


def _jit_pp_params(params):
    return {"name": params["name"], "jaxpr": params["jaxpr"]}


jit_p.def_impl(_jit_impl)
jit_p.def_abstract_eval(_jit_abstract_eval)
jit_p.pp_params = _jit_pp_params
jit_p.pp_params_first = ("name",)
jit_p.pp_alias_jaxpr = "jaxpr"
numpy_backend.lowerings[jit_p] = _jit_lowering


def jit_params(closed: ClosedJaxpr, name: str, donated=None, inline=False):
    n = len(closed.jaxpr.invars)
    return dict(jaxpr=closed, name=name, donated_invars=tuple(donated or (False,) * n),
                inline=bool(inline), keep_unused=False)


# ``jit(..., inline=True)`` as in JAX: its equations go straight into a jaxpr being traced, while eagerly --
# also under vmap, jvp and linearize -- it runs as one compiled program (which the backend compiles as XLA
# would, see backend/xla_rewrites.py). The transformation rules keep the flag on the jits they bind.
def _jit_staging(trace, *args, jaxpr: ClosedJaxpr, **params):
    if params.get("inline"):
        with core.set_current_trace(trace):
            return core.eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, *args)
    atoms = [trace.to_atom(a) for a in args]
    return trace.emit(jit_p, atoms, jaxpr.out_avals, dict(params, jaxpr=jaxpr))


# ---------------------------------------------------------------------------------------------------
# Transformation rules: each transforms the inner jaxpr and binds jit_p again
# ---------------------------------------------------------------------------------------------------

# Jaxprs derived from a jit's jaxpr (its jvp, known/unknown split, transpose), kept while that jaxpr
# lives: as JAX's caches do, equal calls get the very same derived jaxpr, which the printer then shows
# once (``let _flip1 = ...``), and tracing is not repeated.
_derived: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _memo(closed: ClosedJaxpr, key, make):
    from jaxlite._src import xla_math
    from jaxlite._src.config import config
    table = _derived.get(closed)
    if table is None:
        table = _derived[closed] = {}
    key = (key, config._trace_state, xla_math.enabled())
    hit = table.get(key)
    if hit is None:
        hit = make()
        if hit is not None:
            table[key] = hit
    return hit


def _jit_jvp(primals, tangents, *, jaxpr: ClosedJaxpr, name, **params):
    from jaxlite._src.interpreters import ad
    nonzeros = [type(t) not in (ad.Zero, ad.SymbolicZero) for t in tangents]
    jvp_closed, out_nz = _memo(jaxpr, ("jvp", tuple(nonzeros)),
                               lambda: ad.jvp_jaxpr(jaxpr, nonzeros, instantiate=False))
    nz_tangents = [t for t, nz in zip(tangents, nonzeros) if nz]
    outs = jit_p.bind(*primals, *nz_tangents, **jit_params(jvp_closed, name, inline=params.get("inline")))
    n = len(jaxpr.out_avals)
    p_out, it = outs[:n], iter(outs[n:])
    t_out = [next(it) if nz else ad.Zero(a.to_tangent_aval()) for a, nz in zip(jaxpr.out_avals, out_nz)]
    return p_out, t_out


def _jit_partial_eval(trace, *args, jaxpr: ClosedJaxpr, name, **params):
    """Known inputs run now as one jit; unknown ones are staged as another jit fed by residuals."""
    inline = params.get("inline")
    unknowns = [trace.is_unknown(a) for a in args]
    last = trace.residuals_last  # (control flow bodies: JAX's older partial evaluation, see ad)
    known_jaxpr, unknown_jaxpr, out_unknowns, num_res, fwd, dup, keep = _memo(
        jaxpr, ("pe", tuple(unknowns), last), lambda: _split_known(jaxpr, unknowns, last))
    known_args = [a for a, u in zip(args, unknowns) if not u]
    sources = [*known_args, *known_jaxpr.consts]
    with core.set_current_trace(trace.parent_trace):
        kept_outs = iter(jit_p.bind(*known_args, **jit_params(known_jaxpr, name, inline=inline)))
    known_outs = [next(kept_outs) if k else None for k in keep]
    known_outs = [sources[f] if f is not None else o for o, f in zip(known_outs, fwd)]
    known_outs = [known_outs[d] if d is not None else o for o, d in zip(known_outs, dup)]
    n_known_out = len(known_outs) - num_res
    known_vals, residuals = known_outs[:n_known_out], known_outs[n_known_out:]
    res_atoms = [trace.to_atom(r) for r in residuals]
    in_atoms = [trace.to_atom(a) for a, u in zip(args, unknowns) if u]
    atoms = in_atoms + res_atoms if last else res_atoms + in_atoms
    if unknown_jaxpr.jaxpr.outvars or unknown_jaxpr.jaxpr.eqns:
        unknown_outs = trace.emit(jit_p, atoms, unknown_jaxpr.out_avals,
                                  jit_params(unknown_jaxpr, name, inline=inline))
    else:
        unknown_outs = []  # nothing left to compute later (as JAX, no empty jit is staged)
    k_it, u_it = iter(known_vals), iter(unknown_outs)
    return [next(u_it) if u else next(k_it) for u in out_unknowns]


def _split_known(jaxpr: ClosedJaxpr, unknowns, residuals_last=False):
    """The known and unknown jaxprs of a jit under partial evaluation, and which outputs of the known
    one are forwarded inputs (``fwd``) or repeated primal outputs (``dup``) rather than kept."""
    from jaxlite._src.interpreters import ad
    known_jaxpr, unknown_jaxpr, out_unknowns, num_res = ad.partial_eval_jaxpr_nounits(
        jaxpr, unknowns, instantiate=False, residuals_last=False)
    n_known_args = sum(not u for u in unknowns)
    # As JAX's linearization of a jit: the unknown jaxpr keeps only the equations and residuals its
    # outputs need, and the known jaxpr only what its outputs (primal outputs, the residuals still
    # used) need
    unknown_jaxpr, used_res = _dce_unknown(unknown_jaxpr, num_res)
    if not all(used_res):
        k = known_jaxpr.jaxpr
        n_out = len(k.outvars) - num_res
        outvars = k.outvars[:n_out] + [v for v, u in zip(k.outvars[n_out:], used_res) if u]
        known_jaxpr = ClosedJaxpr(core.Jaxpr(k.constvars, k.invars, outvars, k.eqns, k.effects,
                                             k.debug_info), known_jaxpr.consts)
        num_res = sum(used_res)
    if residuals_last:
        u = unknown_jaxpr.jaxpr
        unknown_jaxpr = ClosedJaxpr(u.replace(invars=u.invars[num_res:] + u.invars[:num_res]),
                                    unknown_jaxpr.consts)
    known_jaxpr = _dce_closed(known_jaxpr)
    # As JAX: outputs of the known jit that are just its inputs (or, for residuals, its constants) are
    # not returned (the caller's values are used), nor are residuals that repeat a primal output.
    inner = known_jaxpr.jaxpr
    in_idx = {v: i for i, v in enumerate(inner.invars)}
    res_idx = {**{v: n_known_args + i for i, v in enumerate(inner.constvars)}, **in_idx}
    n_primal = len(inner.outvars) - num_res
    fwd = [(in_idx if i < n_primal else res_idx).get(v) if type(v) is core.Var else None
           for i, v in enumerate(inner.outvars)]
    out_idx = {}
    for i, v in enumerate(inner.outvars[:n_primal]):
        if fwd[i] is None and type(v) is core.Var:
            out_idx.setdefault(v, i)
    dup = [None] * n_primal + [out_idx.get(v) if f is None else None
                               for v, f in zip(inner.outvars[n_primal:], fwd[n_primal:])]
    keep = [f is None and d is None for f, d in zip(fwd, dup)]
    if not all(keep):
        pruned = core.Jaxpr(inner.constvars, inner.invars, [v for v, k in zip(inner.outvars, keep) if k],
                            inner.eqns, inner.effects, inner.debug_info)
        known_jaxpr = ClosedJaxpr(pruned, known_jaxpr.consts)
    return known_jaxpr, unknown_jaxpr, out_unknowns, num_res, fwd, dup, keep


def _dce_unknown(closed: ClosedJaxpr, num_res):
    """``closed`` (residuals, then unknown inputs, to unknown outputs) without unneeded equations and
    residual inputs; also which residuals are still used."""
    from jaxlite._src.interpreters import partial_eval as pe
    inner, used_in = pe.dce_jaxpr(closed.jaxpr, [True] * len(closed.jaxpr.outvars))
    used_res = used_in[:num_res]
    if all(used_res) and len(inner.eqns) == len(closed.jaxpr.eqns):
        return closed, used_res
    invars = [v for v, u in zip(inner.invars[:num_res], used_res) if u] + list(inner.invars[num_res:])
    inner = core.Jaxpr(inner.constvars, invars, inner.outvars, inner.eqns, inner.effects, inner.debug_info)
    return ClosedJaxpr(inner, closed.consts), used_res


def _dce_closed(closed: ClosedJaxpr) -> ClosedJaxpr:
    """``closed`` without the equations (and constants) that none of its outputs needs."""
    from jaxlite._src.interpreters import partial_eval as pe
    inner, _ = pe.dce_jaxpr(closed.jaxpr, [True] * len(closed.jaxpr.outvars))
    used = {v for e in inner.eqns for v in e.invars if type(v) is core.Var}
    used.update(v for v in inner.outvars if type(v) is core.Var)
    keep = [v in used for v in inner.constvars]
    if all(keep) and len(inner.eqns) == len(closed.jaxpr.eqns):
        return closed
    inner = core.Jaxpr([v for v, k in zip(inner.constvars, keep) if k], inner.invars, inner.outvars,
                       inner.eqns, inner.effects, inner.debug_info)
    return ClosedJaxpr(inner, [c for c, k in zip(closed.consts, keep) if k])


def _jit_transpose(cts, *args, jaxpr: ClosedJaxpr, name, **params):
    from jaxlite._src.interpreters import ad
    linear = [ad.is_undefined_primal(a) for a in args]
    residuals = [a for a, lin in zip(args, linear) if not lin]
    # as JAX's: symbolically zero cotangents are not passed in (they stay zeros inside)
    nonzero = [type(c) not in (ad.Zero, ad.SymbolicZero) for c in cts]
    cts = [c for c, nz in zip(cts, nonzero) if nz]
    in_avals = [core.get_aval(r) for r in residuals] + [core.get_aval(c) for c in cts]
    key = ("transpose", tuple(linear), tuple(nonzero), tuple(in_avals))
    made = _memo(jaxpr, key, lambda: _transpose_jaxpr(jaxpr, linear, nonzero, in_avals))
    if made is None:  # closes over tracers: traced afresh each time
        made = _transpose_jaxpr(jaxpr, linear, nonzero, in_avals, keep_hoisted=True)
    closed, hoisted = made
    cts_in = jit_p.bind(*hoisted, *residuals, *cts, **jit_params(closed, name, inline=params.get("inline")))
    it = iter(cts_in)
    return [next(it) if lin else None for lin in linear]


def _transpose_jaxpr(jaxpr: ClosedJaxpr, linear, nonzero, in_avals, keep_hoisted=False):
    """The jaxpr mapping (residuals, nonzero cotangents) to the cotangents of the linear inputs; None
    when it closes over tracers (unless ``keep_hoisted``: then those come back as leading inputs)."""
    from jaxlite._src.interpreters import ad
    from jaxlite._src.interpreters import partial_eval as pe
    inner = jaxpr.jaxpr
    res_vars = [v for v, lin in zip(inner.invars, linear) if not lin]
    lin_vars = [v for v, lin in zip(inner.invars, linear) if lin]
    lin_avals = [v.aval for v in lin_vars]
    moved = core.Jaxpr(list(inner.constvars) + res_vars, lin_vars, inner.outvars, inner.eqns,
                       inner.effects, inner.debug_info)
    zeros = [None if nz else ad.Zero(v.aval.to_tangent_aval()) for v, nz in zip(inner.outvars, nonzero)]
    n_res = len(res_vars)

    def transposed(*res_and_cts):
        res, ct = res_and_cts[:n_res], iter(res_and_cts[n_res:])
        ct = [next(ct) if z is None else z for z in zeros]
        outs = ad.backward_pass(moved, list(jaxpr.consts) + list(res), lin_avals, ct)
        return [ad.instantiate_zeros(o) for o in outs]

    t_jaxpr, _, t_consts = pe.trace_to_jaxpr_dynamic(transposed, list(in_avals))
    closed, hoisted = _close_hoisting(t_jaxpr, t_consts)
    if hoisted and not keep_hoisted:
        return None
    return closed, hoisted


def _close_hoisting(jaxpr, consts):
    """ClosedJaxpr of ``jaxpr`` whose tracer-valued consts become leading inputs (returned)."""
    tracer_idx = [i for i, c in enumerate(consts) if isinstance(c, core.Tracer)]
    if not tracer_idx:
        return ClosedJaxpr(jaxpr, list(consts)), []
    keep = [i for i in range(len(consts)) if i not in set(tracer_idx)]
    new = core.Jaxpr([jaxpr.constvars[i] for i in keep],
                     [jaxpr.constvars[i] for i in tracer_idx] + list(jaxpr.invars),
                     jaxpr.outvars, jaxpr.eqns, jaxpr.effects, jaxpr.debug_info)
    return ClosedJaxpr(new, [consts[i] for i in keep]), [consts[i] for i in tracer_idx]


def _jit_batch(axis_data, vals, dims, *, jaxpr: ClosedJaxpr, name, **params):
    from jaxlite._src.interpreters import batching
    from jaxlite._src.interpreters import partial_eval as pe
    size = axis_data.size
    in_avals = []
    for v, d in zip(vals, dims):
        a = core.get_aval(v)
        if d is not None:
            shape = list(a.shape)
            shape.pop(d)
            a = core.ShapedArray(tuple(shape), a.dtype, a.weak_type)
        in_avals.append(a)
    fun = core.jaxpr_as_fun(jaxpr)
    out_dims = []

    def batched(*args):
        # outputs that do not depend on the batched inputs stay unbatched (as in JAX)
        return batching.vmap_flat(fun, args, dims, batching.keep_unbatched(out_dims), size,
                                  axis_data.name, axis_data.spmd_name)

    batched_avals = [core.get_aval(v) for v in vals]
    b_jaxpr, _, b_consts = pe.trace_to_jaxpr_dynamic(batched, batched_avals)
    closed, hoisted = _close_hoisting(b_jaxpr, b_consts)
    outs = jit_p.bind(*hoisted, *vals, **jit_params(closed, name, inline=params.get("inline")))
    return outs, out_dims


def _jit_dce(used_outputs, eqn):
    """As JAX's: a jit keeps only its used outputs, and the inputs those need."""
    from jaxlite._src.interpreters import partial_eval as pe
    closed = eqn.params["jaxpr"]
    inner, used_in = pe.dce_jaxpr(closed.jaxpr, used_outputs)
    if all(used_outputs) and all(used_in) and len(inner.eqns) == len(closed.jaxpr.eqns):
        return used_in, eqn
    inner = inner.replace(invars=[v for v, u in zip(inner.invars, used_in) if u])
    if not inner.outvars and not inner.eqns:
        return used_in, None
    new_closed = _memo(closed, ("dce", tuple(used_outputs)), lambda: ClosedJaxpr(inner, closed.consts))
    params = dict(eqn.params, jaxpr=new_closed,
                  donated_invars=tuple(d for d, u in zip(eqn.params["donated_invars"], used_in) if u))
    return used_in, eqn.replace(invars=[v for v, u in zip(eqn.invars, used_in) if u],
                                outvars=[v for v, u in zip(eqn.outvars, used_outputs) if u], params=params)


def _register_rules():
    from jaxlite._src.interpreters import ad, batching
    from jaxlite._src.interpreters import partial_eval as pe
    pe.dce_rules[jit_p] = _jit_dce
    ad.primitive_jvps[jit_p] = _jit_jvp
    ad.partial_eval_rules[jit_p] = _jit_partial_eval
    ad.primitive_transposes[jit_p] = _jit_transpose
    batching.axis_primitive_batchers[jit_p] = _jit_batch
    from jaxlite._src.interpreters import partial_eval as pe
    pe.custom_staging_rules[jit_p] = _jit_staging


_register_rules()
