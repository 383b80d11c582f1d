"""``jax.checkpoint`` / ``jax.remat``: recompute instead of storing residuals for reverse mode.

``remat_p`` (printed ``remat2``, as in JAX) holds the traced function as a jaxpr. Its partial-eval rule
decides, equation by equation, which values the backward pass may keep (the ``policy``) and which it
must recompute; the recomputation lives inside a ``remat2[differentiated=True]`` equation of the
backward program.
"""
from __future__ import annotations

import functools
import types
from typing import Callable, Sequence

from jaxlite._src import core, tree_util
from jaxlite._src.core import ClosedJaxpr, Jaxpr, Literal, Primitive, Tracer, Var, get_aval
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.interpreters import partial_eval as pe
from jaxlite._src.interpreters.ad import Zero

__all__ = ["checkpoint", "remat", "checkpoint_name", "checkpoint_policies", "remat_p", "name_p"]


# ---------------------------------------------------------------------------------------------------
# the primitive
# ---------------------------------------------------------------------------------------------------

remat_p = Primitive("remat2")
remat_p.multiple_results = True
remat_p.call_primitive = True


def _remat_impl(*args, jaxpr: Jaxpr, **_):
    return core.eval_jaxpr(jaxpr, [], *args)


def _remat_abstract_eval(*avals, jaxpr: Jaxpr, **_):
    return [v.aval for v in jaxpr.outvars]


def _remat_lowering(*, jaxpr: Jaxpr, **_):
    from jaxlite._src.backend import numpy_backend
    return numpy_backend.compile_jaxpr(jaxpr, [])


remat_p.def_impl(_remat_impl)
remat_p.def_abstract_eval(_remat_abstract_eval)


def _bind_closed(closed: ClosedJaxpr, args, **params):
    """Bind remat_p on a closed jaxpr: its consts become leading inputs (remat's jaxpr is open)."""
    jaxpr = closed.jaxpr
    consts = list(closed.consts)
    if consts:
        jaxpr = pe.convert_constvars_jaxpr(jaxpr)
    return remat_p.bind(*consts, *args, jaxpr=jaxpr, **params)


def _remat_jvp(primals, tangents, *, jaxpr, prevent_cse, differentiated, policy):
    nonzeros = [type(t) not in (Zero, ad.SymbolicZero) for t in tangents]
    jvp_closed, out_nz = ad.jvp_jaxpr(ClosedJaxpr(jaxpr, []), nonzeros, instantiate=False)
    nz_t = [t for t, nz in zip(tangents, nonzeros) if nz]
    outs = _bind_closed(jvp_closed, list(primals) + nz_t, prevent_cse=prevent_cse,
                        differentiated=True, policy=policy)
    n = len(jaxpr.outvars)
    p_out, it = outs[:n], iter(outs[n:])
    t_out = [next(it) if nz else Zero(v.aval.to_tangent_aval()) for v, nz in zip(jaxpr.outvars, out_nz)]
    return p_out, t_out


def _saveable(policy, eqn) -> bool:
    if policy is None:
        return False
    return bool(policy(eqn.primitive, *[v.aval for v in eqn.invars], **eqn.params))


def _remat_partial_eval(trace, *args, jaxpr: Jaxpr, prevent_cse, differentiated, policy):
    """Known equations run now; the unknown ones are staged in a new remat equation that recomputes
    every known value the policy does not allow to be saved."""
    unknowns = [trace.is_unknown(a) for a in args]
    known = {v for v, u in zip(jaxpr.invars, unknowns) if not u}
    eqn_known = []
    for eqn in jaxpr.eqns:
        k = all(type(v) is Literal or v in known for v in eqn.invars)
        eqn_known.append(k)
        if k:
            known.update(eqn.outvars)
    out_unknown = [type(v) is not Literal and v not in known for v in jaxpr.outvars]
    # the unknown side: walk back from the unknown outputs; stop at saveable known values
    needed = {v for v, u in zip(jaxpr.outvars, out_unknown) if u}
    u_eqns, defined_u = [], set()
    for eqn, k in zip(reversed(jaxpr.eqns), reversed(eqn_known)):
        if not any(o in needed for o in eqn.outvars):
            continue
        if k and _saveable(policy, eqn):
            continue
        u_eqns.append(eqn)
        defined_u.update(eqn.outvars)
        needed.update(v for v in eqn.invars if type(v) is Var)
    u_eqns.reverse()
    residual_vars = [v for v in _ordered_vars(jaxpr) if v in needed and v in known and v not in defined_u]
    # the known side, evaluated now (inline, under the parent trace)
    env = {v: a for v, a, u in zip(jaxpr.invars, args, unknowns) if not u}
    want = set(residual_vars) | {v for v, u in zip(jaxpr.outvars, out_unknown)
                                 if not u and type(v) is not Literal}
    k_eqns = []
    for eqn, k in zip(reversed(jaxpr.eqns), reversed(eqn_known)):
        if k and any(o in want for o in eqn.outvars):
            k_eqns.append(eqn)
            want.update(v for v in eqn.invars if type(v) is Var)
    k_eqns.reverse()
    with core.set_current_trace(trace.parent_trace):
        for eqn in k_eqns:
            ins = [v.val if type(v) is Literal else env[v] for v in eqn.invars]
            out = eqn.primitive.bind(*ins, **eqn.params)
            for v, o in zip(eqn.outvars, out if eqn.primitive.multiple_results else [out]):
                env[v] = o
    u_invars = [v for v, u in zip(jaxpr.invars, unknowns) if u]
    u_outvars = [v for v, u in zip(jaxpr.outvars, out_unknown) if u]
    u_jaxpr = Jaxpr([], residual_vars + u_invars, u_outvars, u_eqns)
    atoms = [trace.to_atom(env[v]) for v in residual_vars] + \
            [trace.to_atom(a) for a, u in zip(args, unknowns) if u]
    u_outs = trace.emit(remat_p, atoms, [v.aval for v in u_outvars],
                        dict(jaxpr=u_jaxpr, prevent_cse=prevent_cse, differentiated=True, policy=policy))
    it = iter(u_outs)
    return [next(it) if u else (v.val if type(v) is Literal else env[v])
            for v, u in zip(jaxpr.outvars, out_unknown)]


def _ordered_vars(jaxpr):
    out = list(jaxpr.invars)
    for eqn in jaxpr.eqns:
        out.extend(eqn.outvars)
    return out


def _remat_transpose(cts, *args, jaxpr: Jaxpr, prevent_cse, differentiated, policy):
    linear = [ad.is_undefined_primal(a) for a in args]
    res_vars = [v for v, lin in zip(jaxpr.invars, linear) if not lin]
    lin_vars = [v for v, lin in zip(jaxpr.invars, linear) if lin]
    moved = Jaxpr(res_vars, lin_vars, jaxpr.outvars, jaxpr.eqns)
    residuals = [a for a, lin in zip(args, linear) if not lin]
    lin_avals = [v.aval for v in lin_vars]
    cts = [ad.instantiate_zeros(c) for c in cts]
    n_res = len(residuals)

    def transposed(*rc):
        outs = ad.backward_pass(moved, list(rc[:n_res]), lin_avals, list(rc[n_res:]))
        return [ad.instantiate_zeros(o) for o in outs]

    in_avals = [get_aval(r) for r in residuals] + [get_aval(c) for c in cts]
    t_jaxpr, _, t_consts = pe.trace_to_jaxpr_dynamic(transposed, in_avals)
    outs = _bind_closed(ClosedJaxpr(t_jaxpr, t_consts), residuals + cts, prevent_cse=prevent_cse,
                        differentiated=True, policy=policy)
    it = iter(outs)
    return [next(it) if lin else None for lin in linear]


def _remat_batch(axis_data, vals, dims, *, jaxpr: Jaxpr, **params):
    fun = functools.partial(core.eval_jaxpr, jaxpr, [])
    out_dims = []

    def batched(*xs):
        return batching.vmap_flat(fun, xs, dims, batching.keep_unbatched(out_dims), axis_data.size,
                                  axis_data.name, axis_data.spmd_name)

    b_jaxpr, _, b_consts = pe.trace_to_jaxpr_dynamic(batched, [get_aval(v) for v in vals])
    return _bind_closed(ClosedJaxpr(b_jaxpr, b_consts), vals, **params), out_dims


ad.primitive_jvps[remat_p] = _remat_jvp
ad.partial_eval_rules[remat_p] = _remat_partial_eval
ad.primitive_transposes[remat_p] = _remat_transpose
batching.axis_primitive_batchers[remat_p] = _remat_batch


def _register_lowering():
    from jaxlite._src.backend import numpy_backend
    numpy_backend.lowerings[remat_p] = _remat_lowering


_register_lowering()


# ---------------------------------------------------------------------------------------------------
# checkpoint_name and the policies
# ---------------------------------------------------------------------------------------------------

name_p = Primitive("name")
name_p.def_impl(lambda x, *, name: x)
name_p.def_abstract_eval(lambda x, *, name: x)
ad.primitive_jvps[name_p] = lambda primals, tangents, *, name: (name_p.bind(primals[0], name=name),
                                                                 tangents[0])
batching.defvectorized(name_p)


def checkpoint_name(x, name):
    """Tag ``x`` (a pytree) with ``name``, for ``save_only_these_names``-style policies."""
    return tree_util.tree_map(lambda v: name_p.bind(v, name=name), x)


def _everything_saveable(*_, **__):
    return True


def _nothing_saveable(*_, **__):
    return False


def _dots_saveable(prim, *_, **__):
    return prim.name == "dot_general"


def _dots_with_no_batch_dims_saveable(prim, *_, **params):
    if prim.name != "dot_general":
        return False
    (_, _), (lb, rb) = params["dimension_numbers"]
    return not lb and not rb


def _save_only_these_names(*names):
    names = set(names)

    def policy(prim, *_, **params):
        return prim is name_p and params["name"] in names
    return policy


def _save_any_names_but_these(*names):
    names = set(names)

    def policy(prim, *_, **params):
        return prim is name_p and params["name"] not in names
    return policy


def _save_from_both_policies(p1, p2):
    def policy(prim, *avals, **params):
        return p1(prim, *avals, **params) or p2(prim, *avals, **params)
    return policy


def _offload_unsupported(*_, **__):
    raise NotImplementedError("host offloading checkpoint policies are not supported by jaxlite "
                              "(there is no separate device memory to offload from)")


_everything_saveable.__name__ = "everything_saveable"
_nothing_saveable.__name__ = "nothing_saveable"
_dots_saveable.__name__ = "dots_saveable"
_dots_with_no_batch_dims_saveable.__name__ = "dots_with_no_batch_dims_saveable"

checkpoint_policies = types.SimpleNamespace(
    everything_saveable=_everything_saveable,
    nothing_saveable=_nothing_saveable,
    dots_saveable=_dots_saveable,
    checkpoint_dots=_dots_saveable,
    dots_with_no_batch_dims_saveable=_dots_with_no_batch_dims_saveable,
    checkpoint_dots_with_no_batch_dims=_dots_with_no_batch_dims_saveable,
    save_only_these_names=_save_only_these_names,
    save_any_names_but_these=_save_any_names_but_these,
    save_from_both_policies=_save_from_both_policies,
    save_and_offload_only_these_names=_offload_unsupported,
    offload_dot_with_no_batch_dims=_offload_unsupported,
)


# ---------------------------------------------------------------------------------------------------
# the user API
# ---------------------------------------------------------------------------------------------------

def checkpoint(fun: Callable | None = None, *, prevent_cse: bool = True, policy: Callable | None = None,
               static_argnums: int | Sequence[int] = ()) -> Callable:
    """Make ``fun`` recompute its intermediates during the backward pass instead of storing them.

    >>> f = jax.checkpoint(lambda x: jnp.sin(jnp.sin(x)))
    >>> g = jax.checkpoint(layer, policy=jax.checkpoint_policies.dots_saveable)
    """
    if fun is None:
        return functools.partial(checkpoint, prevent_cse=prevent_cse, policy=policy,
                                 static_argnums=static_argnums)
    static = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)

    @functools.wraps(fun)
    def fun_remat(*args, **kwargs):
        n = len(args)
        st = {i % n for i in static} if n else set()
        dyn_idx = [i for i in range(n) if i not in st]
        leaves, in_tree = tree_util.tree_flatten(([args[i] for i in dyn_idx], kwargs))
        from jaxlite._src.ad_api import _check_arg
        for x in leaves:
            _check_arg(x)
        if type(core.trace_ctx.trace) is core.EvalTrace and not any(isinstance(x, Tracer) for x in leaves):
            return fun(*args, **kwargs)  # nothing to differentiate: just run it
        from jaxlite._src.ad_api import _canonical
        leaves = [_canonical(x) for x in leaves]
        store = {}

        def flat(*xs):
            dyn, kw = tree_util.tree_unflatten(in_tree, xs)
            full = list(args)
            for i, v in zip(dyn_idx, dyn):
                full[i] = v
            out = fun(*full, **kw)
            out_leaves, store["tree"] = tree_util.tree_flatten(out)
            return [_canonical(o) for o in out_leaves]

        jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(flat, [get_aval(x) for x in leaves])
        outs = _bind_closed(ClosedJaxpr(jaxpr, consts), leaves, prevent_cse=prevent_cse,
                            differentiated=False, policy=policy)
        return tree_util.tree_unflatten(store["tree"], outs)

    return fun_remat


remat = checkpoint
