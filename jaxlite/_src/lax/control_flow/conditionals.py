"""``cond_p``: run one of several jaxprs (``branches``) chosen by an int32 index.

``lax.cond`` converts its boolean predicate to the index (branch 0 is the false branch), and
``lax.switch`` clamps its index into range; both trace every branch to a jaxpr taking the same operands.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from jaxlite._src import core, dtypes, tree_util
from jaxlite._src.backend import numpy_backend
from jaxlite._src.config import config
from jaxlite._src.core import ClosedJaxpr, Primitive, Tracer, set_current_trace
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.lax.control_flow import common
from jaxlite._src.lax.control_flow.common import is_zero

_no_operand = object()


# ---------------------------------------------------------------------------------------------------
# User API
# ---------------------------------------------------------------------------------------------------

def cond(pred, true_fun: Callable, false_fun: Callable, *operands, operand=_no_operand):
    """``true_fun(*operands)`` if ``pred`` else ``false_fun(*operands)``, as one primitive.

    Both branches are traced; only the chosen one runs. Under ``vmap`` with a batched ``pred`` both
    run and the results are selected elementwise.

    Example:
        >>> lax.cond(x > 0, jnp.sin, jnp.cos, x)
    """
    if not (callable(true_fun) and callable(false_fun)):
        raise TypeError("lax.cond: true_fun and false_fun arguments should be callable.")
    if operand is not _no_operand:
        if operands:
            raise TypeError("if 'operand' keyword is passed then no positional operands can be "
                            f"passed, got operand={operand} and positional operands {operands}")
        operands = (operand,)
    if pred is None:
        raise TypeError("cond predicate is None")
    if isinstance(pred, (list, tuple)) or np.ndim(pred) != 0:
        raise TypeError(f"Pred must be a scalar, got {pred} of " +
                        (f"type {type(pred)}" if isinstance(pred, (list, tuple))
                         else f"shape {np.shape(pred)}."))
    try:
        pred_dtype = dtypes.result_type(pred)
    except TypeError as err:
        raise TypeError(f"Pred type must be either boolean or number, got {pred}.") from err
    if pred_dtype.kind != "b":
        if pred_dtype.kind in "iuf":
            pred = pred != 0
        else:
            raise TypeError(f"Pred type must be either boolean or number, got {pred_dtype}.")

    if config._values["jax_disable_jit"] and core.is_concrete(pred):
        return true_fun(*operands) if bool(pred) else false_fun(*operands)

    flat, in_tree = tree_util.tree_flatten((operands, {}))
    avals = [common.leaf_aval(x, "lax.cond") for x in flat]
    jt, consts_t, tree_t = common.trace_to_jaxpr(_call_with(true_fun), in_tree, avals, "cond true_fun",
                                                 true_fun)
    jf, consts_f, tree_f = common.trace_to_jaxpr(_call_with(false_fun), in_tree, avals,
                                                 "cond false_fun", false_fun)
    common.check_branch_outputs("cond", "true_fun", "false_fun", true_fun, false_fun,
                                tree_t, jt.out_avals, tree_f, jf.out_avals)
    (jf, jt), consts = common.merge_common_consts([jf, jt], [consts_f, consts_t])
    from jaxlite._src.lax.elementwise import _convert_element_type
    index = _convert_element_type(pred, np.int32)
    outs = _bind_cond(index, [jf, jt], consts, flat)
    return tree_util.tree_unflatten(tree_t, outs)


def _call_with(f):
    # trace_to_jaxpr calls its function with the unflattened ``(operands, {})``
    return lambda operands, kwargs: f(*operands, **kwargs)


def _bind_cond(index, branches: Sequence[ClosedJaxpr], consts, args):
    """Bind cond_p, dropping outputs that every branch forwards unchanged from the same input."""
    all_in = list(consts) + list(args)
    fwds = [common.forwarded_inputs(b) for b in branches]
    in_fwd = [f[0] if len(set(f)) == 1 and f[0] is not None else None for f in zip(*fwds)]
    keep = [i for i, f in enumerate(in_fwd) if f is None]
    if len(keep) != len(in_fwd):
        branches = [common.select_outvars(b, keep) for b in branches]
    outs = cond_p.bind(index, *all_in, branches=tuple(branches))
    it = iter(outs)
    return [next(it) if f is None else _as_array(all_in[f]) for f in in_fwd]


def _as_array(x):
    if isinstance(x, (core.Array, Tracer)):
        return x
    val, aval = core.to_value_and_aval(x)
    return core.Array._from_np(np.asarray(val), aval.weak_type)


def switch(index, branches: Sequence[Callable], *operands, operand=_no_operand):
    """``branches[clamp(0, index, len(branches) - 1)](*operands)``.

    Example:
        >>> lax.switch(i, [jnp.sin, jnp.cos, jnp.tan], x)
    """
    if not all(callable(b) for b in branches):
        raise TypeError("lax.switch: branches argument should be a sequence of callables.")
    if operand is not _no_operand:
        if operands:
            raise TypeError("if 'operand' keyword is passed then no positional operands can be "
                            f"passed, got operand={operand} and positional operands {operands}")
        operands = (operand,)
    if len(np.shape(index)) != 0:
        raise TypeError(f"Branch index must be scalar, got {index} of shape {np.shape(index)}.")
    try:
        index_dtype = dtypes.result_type(index)
    except TypeError as err:
        raise TypeError(f"Index type must be an integer, got {index}.") from err
    if index_dtype.kind not in "iu":
        raise TypeError(f"Index type must be an integer, got {index} as {index_dtype}")
    branches = tuple(branches)
    if len(branches) == 0:
        raise ValueError("Empty branch sequence")
    if len(branches) == 1:
        return branches[0](*operands)
    from jaxlite._src.lax.elementwise import _convert_element_type, clamp_p
    index = _convert_element_type(index, np.int32)
    index = clamp_p.bind(np.array(0, np.int32), index, np.array(len(branches) - 1, np.int32))

    if config._values["jax_disable_jit"] and core.is_concrete(index):
        return branches[int(index)](*operands)

    flat, in_tree = tree_util.tree_flatten((operands, {}))
    avals = [common.leaf_aval(x, "lax.switch") for x in flat]
    traced = [common.trace_to_jaxpr(_call_with(b), in_tree, avals, f"switch branch {i}", b)
              for i, b in enumerate(branches)]
    for i in range(1, len(traced)):
        common.check_branch_outputs("switch", "branch 0", f"branch{i}", branches[0], branches[i],
                                    traced[0][2], traced[0][0].out_avals, traced[i][2],
                                    traced[i][0].out_avals)
    jaxprs, consts = common.merge_common_consts([t[0] for t in traced], [t[1] for t in traced])
    outs = _bind_cond(index, jaxprs, consts, flat)
    return tree_util.tree_unflatten(traced[0][2], outs)


# ---------------------------------------------------------------------------------------------------
# cond_p
# ---------------------------------------------------------------------------------------------------

cond_p = Primitive("cond")
cond_p.multiple_results = True


def _cond_abstract_eval(index, *avals, branches):
    if index.shape != () or index.dtype != np.int32:
        raise TypeError(f"cond: the branch index must be an int32 scalar, got {index.str_short()}")
    for b in branches:
        if len(b.in_avals) != len(avals) or not all(common.typematch(x, y)
                                                    for x, y in zip(b.in_avals, avals)):
            raise TypeError("cond: branch input types "
                            f"{[a.str_short() for a in b.in_avals]} do not match the operands "
                            f"{[a.str_short() for a in avals]}")
    return list(branches[0].out_avals)


def _cond_lowering(*, branches):
    fns = [numpy_backend.compile_closed(b) for b in branches]
    last = len(fns) - 1

    def run(index, *args):
        i = int(index)
        return fns[0 if i < 0 else last if i > last else i](*args)
    return run


def _cond_impl(index, *args, branches):
    i = min(max(int(index), 0), len(branches) - 1)
    return common.runner(branches[i])(*args)


cond_p.def_impl(_cond_impl)
cond_p.def_abstract_eval(_cond_abstract_eval)
numpy_backend.lowerings[cond_p] = _cond_lowering


# ----- forward mode ---------------------------------------------------------------------------------

def _cond_jvp(primals, tangents, *, branches):
    index, *args = primals
    nonzeros = [not is_zero(t) for t in tangents[1:]]
    out_nz = [False] * len(branches[0].out_avals)
    for b in branches:
        _, nz = common.jvp_jaxpr(b, nonzeros, instantiate=False)
        out_nz = [a or c for a, c in zip(out_nz, nz)]
    jvps = [common.jvp_jaxpr(b, nonzeros, instantiate=out_nz)[0] for b in branches]
    n_out = len(out_nz)
    nz_tangents = [t for t, nz in zip(tangents[1:], nonzeros) if nz]
    outs = cond_p.bind(index, *args, *nz_tangents, branches=tuple(jvps))
    primal_out, tangent_nz = outs[:n_out], outs[n_out:]
    it = iter(tangent_nz)
    tangent_out = [next(it) if nz else ad.Zero(a.to_tangent_aval())
                   for nz, a in zip(out_nz, branches[0].out_avals)]
    return primal_out, tangent_out


ad.primitive_jvps[cond_p] = _cond_jvp


# ----- partial evaluation (linearize / grad) --------------------------------------------------------

def _cond_partial_eval(trace, index, *args, branches):
    if trace.is_unknown(index):
        return _emit_all_unknown(trace, cond_p, (index, *args), dict(branches=branches))
    unknowns = [trace.is_unknown(a) for a in args]
    out_uk = [False] * len(branches[0].out_avals)
    for b in branches:
        _, _, uk, _ = ad.partial_eval_jaxpr_nounits(b, unknowns, False)
        out_uk = [x or y for x, y in zip(out_uk, uk)]
    splits = [ad.partial_eval_jaxpr_nounits(b, unknowns, out_uk) for b in branches]
    n_known_out = out_uk.count(False)
    res_avals = [s[0].out_avals[n_known_out:] for s in splits]
    all_res_avals, slots = _merge_branch_residuals(res_avals)

    # known branches: every branch outputs all residual slots (zeros in the slots of other branches)
    known_branches = []
    for i, (jk, _, _, _) in enumerate(splits):
        def fn(*xs, jk=jk, i=i):
            outs = core.eval_jaxpr(jk.jaxpr, jk.consts, *xs)
            known, res = outs[:n_known_out], outs[n_known_out:]
            full = [None] * len(all_res_avals)
            for slot, r in zip(slots[i], res):
                full[slot] = r
            full = [common.zeros_like(a) if r is None else r for r, a in zip(full, all_res_avals)]
            return list(known) + full
        known_branches.append(common.trace_closed(fn, jk.in_avals))
    known_args = [a for a, u in zip(args, unknowns) if not u]
    with set_current_trace(trace.parent_trace):
        outs = cond_p.bind(index, *known_args, branches=tuple(known_branches))
    known_outs, residuals = outs[:n_known_out], outs[n_known_out:]

    # unknown branches take (*all residual slots, *unknown args)
    unknown_branches = []
    for i, (_, ju, _, _) in enumerate(splits):
        n_res = len(slots[i])
        invars = [core.Var(a) for a in all_res_avals]
        for slot, v in zip(slots[i], ju.jaxpr.invars[:n_res]):
            invars[slot] = v
        unknown_branches.append(ClosedJaxpr(ju.jaxpr.replace(invars=invars + ju.jaxpr.invars[n_res:]),
                                            ju.consts))
    uk_args = [a for a, u in zip(args, unknowns) if u]
    atoms = [trace.to_atom(index)] + [trace.to_atom(r) for r in residuals] + \
            [trace.to_atom(a) for a in uk_args]
    uk_avals = [a for a, u in zip(branches[0].out_avals, out_uk) if u]
    uk_outs = trace.emit(cond_p, atoms, uk_avals, dict(branches=tuple(unknown_branches)))
    k_it, u_it = iter(known_outs), iter(uk_outs)
    return [next(u_it) if u else next(k_it) for u in out_uk]


def _merge_branch_residuals(branch_res_avals):
    """Share residual slots between branches: the k-th residual of a given type in any branch uses
    the same slot. Returns ``(slot avals, per-branch slot indices)``."""
    slot_of, all_avals, slots = {}, [], []
    for avals in branch_res_avals:
        seen: dict = {}
        mine = []
        for a in avals:
            key = (a, seen.get(a, 0))
            seen[a] = key[1] + 1
            if key not in slot_of:
                slot_of[key] = len(all_avals)
                all_avals.append(a)
            mine.append(slot_of[key])
        slots.append(mine)
    return all_avals, slots


def _emit_all_unknown(trace, prim, args, params):
    atoms = [trace.to_atom(a) for a in args]
    out_avals = prim.abstract_eval_avals([a.aval for a in atoms], params)
    return trace.emit(prim, atoms, out_avals, params)


ad.partial_eval_rules[cond_p] = _cond_partial_eval


# ----- transposition --------------------------------------------------------------------------------

def _cond_transpose(cts, index, *args, branches):
    assert not ad.is_undefined_primal(index)
    linear = [ad.is_undefined_primal(a) for a in args]
    res = [a for a, l in zip(args, linear) if not l]
    ct_vals = [common.instantiate_ct(ct, a) for ct, a in zip(cts, branches[0].out_avals)]
    transposed = [common.transpose_jaxpr(b, linear) for b in branches]
    cts_lin = cond_p.bind(index, *res, *ct_vals, branches=tuple(transposed))
    it = iter(cts_lin)
    return [None] + [next(it) if l else None for l in linear]


ad.primitive_transposes[cond_p] = _cond_transpose


# ----- batching ---------------------------------------------------------------------------------------

def _cond_batch(axis_data, vals, dims, *, branches):
    index, *args = vals
    index_dim, *arg_dims = dims
    if all(d is None for d in dims):
        return cond_p.bind(*vals, branches=branches), [None] * len(branches[0].out_avals)
    size = axis_data.size
    from jaxlite._src.lax import lax as lax_mod
    if index_dim is not None:
        # a batched predicate: run every branch on every element and select, as JAX does
        args = [batching.bdim_at_front(a, d, size) for a, d in zip(args, arg_dims)]
        batched = [common.batch_jaxpr(b, axis_data, [True] * len(args), True)[0] for b in branches]
        idx = batching.moveaxis(index, index_dim, 0)

        def bcast(pred, like):
            shape = core.get_aval(like).shape
            return pred if len(shape) == 1 else lax_mod.broadcast_in_dim(pred, shape, (0,))
        branch_outs = []
        for i, b in enumerate(batched):
            # as JAX: where branch i is not taken its operands are stop_gradient'ed, so that reverse
            # mode through the untaken branch (e.g. a NaN/inf there) gives zero, not NaN, cotangents
            taken = lax_mod.eq(idx, lax_mod._convert_element_type(i, idx.dtype, weak_type=False))
            ops = [lax_mod.select(bcast(taken, x), x, lax_mod.stop_gradient(x)) for x in args]
            branch_outs.append(core.eval_jaxpr(b.jaxpr, b.consts, *ops))
        outs = [lax_mod.select_n(bcast(idx, cases[0]), *cases) for cases in zip(*branch_outs)]
        return outs, [0] * len(outs)
    in_batched = [d is not None for d in arg_dims]
    args = [batching.moveaxis(a, d, 0) if d is not None else a for a, d in zip(args, arg_dims)]
    out_b = [False] * len(branches[0].out_avals)
    for b in branches:
        _, ob = common.batch_jaxpr(b, axis_data, in_batched, False)
        out_b = [x or y for x, y in zip(out_b, ob)]
    batched = [common.batch_jaxpr(b, axis_data, in_batched, out_b)[0] for b in branches]
    outs = cond_p.bind(index, *args, branches=tuple(batched))
    return outs, [0 if b else None for b in out_b]


batching.axis_primitive_batchers[cond_p] = _cond_batch


def _cond_pp_params(params):
    return {"branches": params["branches"]}


cond_p.pp_params = _cond_pp_params
