"""Loops: ``while_p`` and ``scan_p`` (primitives holding jaxprs), and ``while_loop``, ``fori_loop``,
``scan``, ``map`` and ``associative_scan`` built on them.

On the NumPy backend a loop compiles its body jaxpr once (``numpy_backend.compile_jaxpr``, with its
carries donated so that ``x.at[i].set(...)`` writes the loop's own copy in place) and calls it from a
Python loop; ``scan`` writes its per-step outputs into preallocated stacked arrays. The body runner is a
plain ``f(*numpy arrays) -> list`` so that a compiled tier can replace it.
"""
from __future__ import annotations

import functools
import re
import weakref
from typing import Callable

import numpy as np

from jaxlite._src import core, dtypes, tree_util
from jaxlite._src.backend import numpy_backend
from jaxlite._src.config import config
from jaxlite._src.core import Primitive, ShapedArray, Tracer, set_current_trace
from jaxlite._src.errors import ConcretizationTypeError
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.lax.control_flow import common
from jaxlite._src.lax.control_flow.common import is_zero, split


def _lax():
    from jaxlite._src.lax import lax as lax_mod
    return lax_mod


# ===================================================================================================
# Loop programs: the body's straight-line code inlined into one generated Python loop
# ===================================================================================================
# ``numpy_backend.compile_closed`` turns a jaxpr into a generated function (its source is kept in
# ``__jaxlite_source__``). Calling it once per step costs a call, an argument tuple, a result list and
# a NumPy error-state switch. For loops we splice its statements into the loop instead: carries stay
# local variables, the error state is switched once per loop. If the source is not of the expected
# straight-line form, the loop calls the compiled body instead (same results either way).

_IDENT = re.compile(r"(?<![\w.])[A-Za-z_]\w*")
_KEYWORDS = frozenset({"return"})


class _Program:
    """A compiled program taken apart: ``args`` (names), ``stmts``, ``rets`` (expressions of the
    returned values), ``glob`` (its globals) and whether it switches NumPy warnings off."""
    __slots__ = ("args", "stmts", "rets", "glob", "errstate")


def _take_apart(fn):
    src = getattr(fn, "__jaxlite_source__", None)
    if src is None:
        return None
    lines = [l for l in src.split("\n") if l.strip()]
    m = re.fullmatch(r"def _compiled\(([\w, ]*)\):", lines[0])
    if m is None:
        return None
    args = [a.strip() for a in m.group(1).split(",") if a.strip()]
    body = lines[1:]
    errstate = False
    if (body[:2] == ["    _tok = _err_set(_err_ignore)", "    try:"]
            and body[-2:] == ["    finally:", "        _err_reset(_tok)"]):
        errstate = True
        body = [l[4:] for l in body[2:-2]]
    if not body or any(not l.startswith("    ") or l.startswith("     ") for l in body):
        return None
    body = [l.strip() for l in body]
    ret = re.fullmatch(r"return \[(.*)\]", body[-1])
    if ret is None:
        return None
    rets = [r.strip() for r in ret.group(1).split(",") if r.strip()]
    stmts = body[:-1]
    glob = fn.__globals__
    names = set(args)
    for st in stmts:
        if re.search(r"[A-Za-z_]\w*\s*\.\s*[A-Za-z_]", st) or "'" in st or '"' in st:
            return None  # attribute access or strings: not the plain form we can rename safely
        lhs, eq, _ = st.partition(" = ")
        if eq:
            names.update(n.strip() for n in lhs.split(",") if n.strip())
        if re.match(r"(if|for|while|try|with|def|return|del|global)\b", st):
            return None
    for st in stmts + rets:
        for tok in _IDENT.findall(st):
            if tok != "_" and tok not in names and tok not in glob:
                return None
    p = _Program()
    p.args, p.stmts, p.rets, p.glob, p.errstate = args, stmts, rets, glob, errstate
    return p


def _renamer(prefix: str, fixed: dict):
    def sub(m):
        tok = m.group(0)
        if tok == "_" or tok in _KEYWORDS:
            return tok
        return fixed.get(tok) or prefix + tok
    return lambda text: _IDENT.sub(sub, text)


def _splice(prog: _Program, prefix: str, fixed: dict, glob: dict, indent: str):
    """``prog``'s statements (renamed, indented) and its return expressions; its globals go into
    ``glob`` under their new names."""
    rename = _renamer(prefix, fixed)
    for k, v in prog.glob.items():
        if k != "__builtins__":
            glob[prefix + k] = v
    return [indent + rename(st) for st in prog.stmts], [rename(r) for r in prog.rets]


def _finish(name: str, params, lines, glob, errstate: bool):
    if errstate:
        glob["_err_set"], glob["_err_reset"], glob["_err_ignore"] = numpy_backend._ERRSTATE
        lines = (["    _tok = _err_set(_err_ignore)", "    try:"] + ["    " + l for l in lines] +
                 ["    finally:", "        _err_reset(_tok)"])
    src = f"def {name}({', '.join(params)}):\n" + "\n".join(lines) + "\n"
    exec(compile(src, f"<jaxlite {name}>", "exec"), glob)
    fn = glob[name]
    fn.__jaxlite_source__ = src
    return fn


def _body_program(closed, num_consts, num_carry):
    """A loop body's compiled program, allowed to write its carries in place (one-index scatters,
    ``x.at[i].set(...)``: a step then costs no copy of the carried array). The loop owns those
    buffers: it copies each such carry once on entry, so neither the caller's arrays nor the results
    it handed out earlier are written. On the numba tier the body is compiled as usual."""
    if config.jaxlite_backend == "numba":
        return numpy_backend.compile_closed(closed)
    donate = {num_consts + k: k for k in range(num_carry)}
    return numpy_backend.compile_jaxpr(closed.jaxpr, closed.consts, donate=donate)


def _owned_carries(body_fn, num_consts):
    """Positions of the carries the body writes in place (the loop copies them on entry)."""
    return sorted(k - num_consts for k in getattr(body_fn, "__jaxlite_in_place__", ()))


def _copy_owned(body_fn, num_consts, carry_names, glob):
    glob["_copy"] = np.array
    return [f"    {carry_names[k]} = _copy({carry_names[k]})" for k in _owned_carries(body_fn, num_consts)]


def _inline_scan(body_fn, length, reverse, num_consts, num_carry, y_avals):
    prog = _take_apart(body_fn)
    if prog is None or len(prog.rets) != num_carry + len(y_avals):
        return None
    n_xs = len(prog.args) - num_consts - num_carry
    consts = [f"_k{i}" for i in range(num_consts)]
    carry = [f"_x{i}" for i in range(num_carry)]
    xs = [f"_xs{i}" for i in range(n_xs)]
    fixed = dict(zip(prog.args, consts + carry + [f"_s{i}" for i in range(n_xs)]))
    glob = {"_empty": np.empty}
    stmts, rets = _splice(prog, "b_", fixed, glob, "        ")
    lines = _copy_owned(body_fn, num_consts, carry, glob)
    for k, a in enumerate(y_avals):
        glob[f"_yshape{k}"], glob[f"_ydtype{k}"] = (length,) + tuple(a.shape), a.dtype
        lines.append(f"    _ys{k} = _empty(_yshape{k}, _ydtype{k})")
    steps = f"range({length - 1}, -1, -1)" if reverse else f"range({length})"
    lines.append(f"    for _i in {steps}:")
    lines += [f"        _s{i} = _xs{i}[_i]" for i in range(n_xs)]
    lines += stmts
    # the ys first: one may be an incoming carry, which the carry update below rebinds
    lines += [f"        _ys{k}[_i] = {r}" for k, r in enumerate(rets[num_carry:])]
    if num_carry:
        lines.append(f"        {', '.join(carry)}, = {', '.join(rets[:num_carry])},")
    if not stmts and not num_carry and not y_avals and not n_xs:
        lines.append("        pass")
    lines.append(f"    return [{', '.join(carry + [f'_ys{k}' for k in range(len(y_avals))])}]")
    return _finish("_scan_loop", consts + carry + xs, lines, glob, prog.errstate)


def _inline_while(cond_fn, body_fn, cond_nconsts, body_nconsts):
    cprog, bprog = _take_apart(cond_fn), _take_apart(body_fn)
    if cprog is None or bprog is None or len(cprog.rets) != 1:
        return None
    n_carry = len(bprog.args) - body_nconsts
    if len(cprog.args) - cond_nconsts != n_carry or len(bprog.rets) != n_carry:
        return None
    cconsts = [f"_ck{i}" for i in range(cond_nconsts)]
    bconsts = [f"_bk{i}" for i in range(body_nconsts)]
    carry = [f"_x{i}" for i in range(n_carry)]
    glob = {}
    cstmts, (pred,) = _splice(cprog, "c_", dict(zip(cprog.args, cconsts + carry)), glob, "        ")
    bstmts, rets = _splice(bprog, "b_", dict(zip(bprog.args, bconsts + carry)), glob, "        ")
    lines = _copy_owned(body_fn, body_nconsts, carry, glob) + ["    while True:"] + cstmts + [f"        if not {pred}:", "            break"] + bstmts
    if n_carry:
        lines.append(f"        {', '.join(carry)}, = {', '.join(rets)},")
    lines.append(f"    return [{', '.join(carry)}]")
    return _finish("_while_loop", cconsts + bconsts + carry, lines, glob,
                   cprog.errstate or bprog.errstate)


# ===================================================================================================
# while_loop
# ===================================================================================================

def while_loop(cond_fun: Callable, body_fun: Callable, init_val):
    """``while cond_fun(val): val = body_fun(val)`` as one primitive; returns the final ``val``.

    ``body_fun`` must return a value of the same structure, shapes and dtypes as ``init_val``. Not
    reverse-differentiable (use ``scan`` or ``fori_loop`` with static bounds for that).

    Example:
        >>> lax.while_loop(lambda x: x < 10, lambda x: x * 2, 1)
        Array(16, dtype=int32, weak_type=True)
    """
    if not (callable(body_fun) and callable(cond_fun)):
        raise TypeError("lax.while_loop: body_fun and cond_fun arguments should be callable.")
    if config._values["jax_disable_jit"]:
        try:
            val = tree_util.tree_map(_lax_asarray, init_val)
            while cond_fun(val):
                val = tree_util.tree_map(_lax_asarray, body_fun(val))
            return val
        except ConcretizationTypeError:
            pass  # e.g. under vmap: fall back to the primitive

    init_flat, in_tree = tree_util.tree_flatten(init_val)
    init_avals = [common.leaf_aval(x, "lax.while_loop") for x in init_flat]
    arg_tree = tree_util.tree_structure((init_val,))

    def create(avals):
        cj, cconsts, ctree = common.trace_to_jaxpr(cond_fun, arg_tree, avals, "while_loop cond_fun")
        if not tree_util.treedef_is_leaf(ctree) or len(cj.out_avals) != 1:
            raise TypeError(f"cond_fun must return a boolean scalar, but got pytree {ctree}.")
        pa = cj.out_avals[0]
        if pa.shape != () or pa.dtype != np.bool_:
            raise TypeError("cond_fun must return a boolean scalar, but got output type(s) "
                            f"[{_aval_repr(pa)}].")
        bj, bconsts, btree = common.trace_to_jaxpr(body_fun, arg_tree, avals, "while_loop body_fun")
        return cj, cconsts, bj, bconsts, btree

    cj, cconsts, bj, bconsts, btree = create(init_avals)
    body_out = bj.out_avals
    if btree == in_tree:
        init_flat, changed = common.promote_weak_typed_inputs(init_flat, init_avals, body_out)
        if changed:
            init_avals = [core.get_aval(x) for x in init_flat]
            cj, cconsts, bj, bconsts, btree = create(init_avals)
    common.check_carry_type("while_loop body", body_fun, in_tree, init_avals, btree, bj.out_avals)
    # as JAX: a carry the body passes through unchanged and the cond does not read becomes a body const
    nb, n = len(bconsts), len(init_flat)
    fwd = common.forwarded_inputs(bj)
    move = [fwd[j] == nb + j and not common.uses_invar(cj.jaxpr, cj.jaxpr.invars[len(cconsts) + j])
            for j in range(n)]
    moved = [a for a, m in zip(init_flat, move) if m]
    if any(move):
        cj = core.ClosedJaxpr(cj.jaxpr.replace(invars=cj.jaxpr.invars[:len(cconsts)] + [
            v for v, m in zip(cj.jaxpr.invars[len(cconsts):], move) if not m]), cj.consts)
        bj = common.select_outvars(bj, [j for j in range(n) if not move[j]])
        bj = common.move_invars_to_front(bj, [False] * nb + move)
        bconsts = moved + list(bconsts)
        init_flat = [a for a, m in zip(init_flat, move) if not m]
    outs = while_p.bind(*cconsts, *bconsts, *init_flat, cond_jaxpr=cj, body_jaxpr=bj,
                        cond_nconsts=len(cconsts), body_nconsts=len(bconsts))
    o_it, m_it = iter(outs), iter(moved)
    outs = [_forwarded_out(next(m_it)) if m else next(o_it) for m in move]
    return tree_util.tree_unflatten(in_tree, outs)


def _aval_repr(a):
    w = ", weak_type=True" if a.weak_type else ""
    return f"ShapedArray({a.str_short(short_dtypes=False)}{w})"


def _forwarded_out(x):
    """An input returned as an output: an Array when running eagerly; under a trace, the value itself
    (so a Python scalar shows up as a literal, as in JAX's jaxprs)."""
    if core.trace_ctx.trace is core.eval_trace or not isinstance(x, (int, float, complex, bool,
                                                                      np.generic)):
        return _lax_asarray(x)
    return x


def _lax_asarray(x):
    if isinstance(x, (core.Array, Tracer)):
        return x
    val, aval = core.to_value_and_aval(x)
    return core.Array._from_np(np.asarray(val), aval.weak_type)


while_p = Primitive("while")
while_p.multiple_results = True


def _while_abstract_eval(*avals, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    carry = avals[cond_nconsts + body_nconsts:]
    if len(body_jaxpr.out_avals) != len(carry):
        raise TypeError("while: the body must return one value per carry")
    return list(body_jaxpr.out_avals)


def _make_while_runner(cond_fn, body_fn, cond_nconsts, body_nconsts, batched_pred=False):
    owned = _owned_carries(body_fn, body_nconsts)

    def run(*args):
        cconsts = args[:cond_nconsts]
        bconsts = args[cond_nconsts:cond_nconsts + body_nconsts]
        carry = list(args[cond_nconsts + body_nconsts:])
        for k in owned:
            carry[k] = np.array(carry[k])
        while cond_fn(*cconsts, *carry)[0]:
            carry = body_fn(*bconsts, *carry)
        return carry

    def run_batched(*args):
        # a predicate with a shape (from vmap) leads every carry's shape: the loop runs while any element
        # is true, and a step only changes the elements whose predicate is true
        cconsts = args[:cond_nconsts]
        bconsts = args[cond_nconsts:cond_nconsts + body_nconsts]
        carry = [np.asarray(c) for c in args[cond_nconsts + body_nconsts:]]
        while True:
            pred = np.asarray(cond_fn(*cconsts, *carry)[0])
            if not pred.any():
                return carry
            new = body_fn(*bconsts, *carry)
            carry = [np.where(pred.reshape(pred.shape + (1,) * (np.ndim(c) - pred.ndim)), n, c)
                     for c, n in zip(carry, new)]
    return run_batched if batched_pred else run


_INLINE = True  # tests switch this off to check the inlined loops against the plain runners

# loop programs, cached on their body jaxpr so that they live as long as it does (as its compiled
# program does): body ClosedJaxpr -> {(the other params): (cond jaxpr or None, program)}
_programs: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _while_program(cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    """The loop as one NumPy function (cached on the body jaxpr)."""
    per_body = _programs.setdefault(body_jaxpr, {})
    key = ("while", id(cond_jaxpr), cond_nconsts, body_nconsts, _INLINE, config.jaxlite_backend)
    hit = per_body.get(key)
    if hit is not None:
        return hit[1]
    cond_fn = numpy_backend.compile_closed(cond_jaxpr)
    batched_pred = cond_jaxpr.out_avals[0].shape != ()
    # a batched predicate selects between old and new carries: the old ones must survive the step
    body_fn = (numpy_backend.compile_closed(body_jaxpr) if batched_pred
               else _body_program(body_jaxpr, body_nconsts, len(body_jaxpr.out_avals)))
    run = _inline_while(cond_fn, body_fn, cond_nconsts, body_nconsts) if _INLINE and not batched_pred else None
    if run is None:
        run = _make_while_runner(cond_fn, body_fn, cond_nconsts, body_nconsts, batched_pred)
    if config.jaxlite_backend == "numba" and not batched_pred:
        from jaxlite._src.backend import numba_backend  # a native loop when the body allows one
        run = numba_backend.native_loop("while", cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts,
                                        run) or run
    per_body[key] = (cond_jaxpr, run)  # (holding cond_jaxpr keeps its id from being reused)
    return run


def _while_lowering(*, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    return _while_program(cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts)


def _while_impl(*args, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    if core._debug_checks_enabled():
        run = _make_while_runner(common.runner(cond_jaxpr), common.runner(body_jaxpr), cond_nconsts,
                                 body_nconsts, cond_jaxpr.out_avals[0].shape != ())
    else:
        run = _while_program(cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts)
    return run(*args)


while_p.def_impl(_while_impl)
while_p.def_abstract_eval(_while_abstract_eval)
numpy_backend.lowerings[while_p] = _while_lowering


def _while_pp_params(params):
    return {k: params[k] for k in ("body_jaxpr", "body_nconsts", "cond_jaxpr", "cond_nconsts")}


while_p.pp_params = _while_pp_params


# ----- forward mode ---------------------------------------------------------------------------------

def _while_jvp(primals, tangents, *, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    nz = [not is_zero(t) for t in tangents]
    cconst_nz, bconst_nz, carry_nz = split(nz, [cond_nconsts, body_nconsts])
    carry_avals = body_jaxpr.out_avals
    carry_nz = [n and _is_float(a) for n, a in zip(carry_nz, carry_avals)]
    while True:
        _, out_nz = common.jvp_jaxpr(body_jaxpr, bconst_nz + carry_nz, instantiate=carry_nz)
        new = [a or b for a, b in zip(carry_nz, out_nz)]
        if new == carry_nz:
            break
        carry_nz = new
    body_jvp, _ = common.jvp_jaxpr(body_jaxpr, bconst_nz + carry_nz, instantiate=carry_nz)
    nb, nc = body_nconsts, len(carry_avals)
    nbt, nct = sum(bconst_nz), sum(carry_nz)
    # jvp invars: (bconsts, carry, bconst tangents, carry tangents) -> (bconsts, bconst_t, carry, carry_t)
    order = (list(range(nb)) + list(range(nb + nc, nb + nc + nbt)) + list(range(nb, nb + nc)) +
             list(range(nb + nc + nbt, nb + nc + nbt + nct)))
    body_jvp = common.permute_invars(body_jvp, order)
    t_avals = [a.to_tangent_aval() for a, n in zip(carry_avals, carry_nz) if n]
    cond_aug = common.add_unused_invars(cond_jaxpr, t_avals, len(cond_jaxpr.in_avals))
    cconsts, bconsts, carry = split(primals, [cond_nconsts, body_nconsts])
    _, bconst_t, carry_t = split(tangents, [cond_nconsts, body_nconsts])
    bconst_t = [t for t, n in zip(bconst_t, bconst_nz) if n]
    carry_t = [_instantiate(t, a) for t, a, n in zip(carry_t, carry_avals, carry_nz) if n]
    outs = while_p.bind(*cconsts, *bconsts, *bconst_t, *carry, *carry_t, cond_jaxpr=cond_aug,
                        body_jaxpr=body_jvp, cond_nconsts=cond_nconsts, body_nconsts=nb + nbt)
    p_out, t_nz = outs[:nc], outs[nc:]
    it = iter(t_nz)
    return p_out, [next(it) if n else ad.Zero(a.to_tangent_aval()) for n, a in zip(carry_nz, carry_avals)]


def _is_float(aval):
    return dtypes.issubdtype(aval.dtype, np.inexact)


def _instantiate(t, aval):
    if is_zero(t):
        return ad.zeros_like_aval(aval.to_tangent_aval())
    return t


ad.primitive_jvps[while_p] = _while_jvp


# ----- partial evaluation: known carries run now; the unknown part re-runs the whole loop --------------

def _while_partial_eval(trace, *args, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    params = dict(cond_jaxpr=cond_jaxpr, body_jaxpr=body_jaxpr, cond_nconsts=cond_nconsts,
                  body_nconsts=body_nconsts)
    uk = [trace.is_unknown(a) for a in args]
    cconst_uk, bconst_uk, carry_uk = split(uk, [cond_nconsts, body_nconsts])
    while True:
        _, _, out_uk, _ = ad.partial_eval_jaxpr_nounits(body_jaxpr, bconst_uk + carry_uk, carry_uk)
        new = [a or b for a, b in zip(carry_uk, out_uk)]
        if new == carry_uk:
            break
        carry_uk = new
    _, _, pred_uk, _ = ad.partial_eval_jaxpr_nounits(cond_jaxpr, cconst_uk + carry_uk, False)
    from jaxlite._src.lax.control_flow.conditionals import _emit_all_unknown
    if pred_uk[0] or all(carry_uk):
        return _emit_all_unknown(trace, while_p, args, params)
    cond_k, _, _, n_res_c = ad.partial_eval_jaxpr_nounits(cond_jaxpr, cconst_uk + carry_uk, False)
    body_k, _, _, n_res_b = ad.partial_eval_jaxpr_nounits(body_jaxpr, bconst_uk + carry_uk, carry_uk)
    n_known = carry_uk.count(False)
    cond_k = common.select_outvars(cond_k, [0])
    body_k = common.select_outvars(body_k, list(range(n_known)))
    cconsts, bconsts, carry = split(args, [cond_nconsts, body_nconsts])
    kc = [a for a, u in zip(cconsts, cconst_uk) if not u]
    kb = [a for a, u in zip(bconsts, bconst_uk) if not u]
    kcarry = [a for a, u in zip(carry, carry_uk) if not u]
    with set_current_trace(trace.parent_trace):
        known_outs = while_p.bind(*kc, *kb, *kcarry, cond_jaxpr=cond_k, body_jaxpr=body_k,
                                  cond_nconsts=len(kc), body_nconsts=len(kb))
    if not any(carry_uk):
        return known_outs
    # the unknown outputs: the whole loop again, staged (so transposing it raises the while error)
    all_outs = _emit_all_unknown(trace, while_p, args, params)
    k_it = iter(known_outs)
    return [o if u else next(k_it) for o, u in zip(all_outs, carry_uk)]


ad.partial_eval_rules[while_p] = _while_partial_eval


def _while_transpose_error(*_, **__):
    raise ValueError("Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop "
                     "with dynamic start/stop values. Try using lax.scan, or using fori_loop with "
                     "static start/stop.")


ad.primitive_transposes[while_p] = _while_transpose_error


# ----- batching -------------------------------------------------------------------------------------

def _while_batch(axis_data, vals, dims, *, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    params = dict(cond_jaxpr=cond_jaxpr, body_jaxpr=body_jaxpr, cond_nconsts=cond_nconsts,
                  body_nconsts=body_nconsts)
    if all(d is None for d in dims):
        return while_p.bind(*vals, **params), [None] * len(body_jaxpr.out_avals)
    size = axis_data.size
    b = [d is not None for d in dims]
    cconst_b, bconst_b, carry_b = split(b, [cond_nconsts, body_nconsts])
    while True:
        _, out_b = common.batch_jaxpr(body_jaxpr, axis_data, bconst_b + carry_b, carry_b)
        new = [x or y for x, y in zip(carry_b, out_b)]
        if new == carry_b:
            break
        carry_b = new
    _, (pred_b,) = common.batch_jaxpr(cond_jaxpr, axis_data, cconst_b + carry_b, False)
    if pred_b:
        carry_b = [True] * len(carry_b)
    # As JAX: a batched predicate batches every carry at dim 0 and stays batched (the loop runs while
    # any element is true; see the runner); otherwise the new batch dim of the carries goes after the
    # predicate's own dims (rank > 0 under an inner vmap), which must lead every carry.
    axis = 0 if pred_b else len(cond_jaxpr.out_avals[0].shape)
    cconsts, bconsts, carry = split(vals, [cond_nconsts, body_nconsts])
    cconst_dims, bconst_dims, init_dims = split(list(dims), [cond_nconsts, body_nconsts])
    carry = [batching.matchaxis(d, axis, size, c) if cb else c for c, cb, d in zip(carry, carry_b, init_dims)]
    carry_dims = [axis if cb else None for cb in carry_b]
    body_bat, _ = common.batch_jaxpr_axes(body_jaxpr, axis_data, bconst_dims + carry_dims, axis, carry_b)
    cond_bat, _ = common.batch_jaxpr_axes(cond_jaxpr, axis_data, cconst_dims + carry_dims, 0, pred_b)
    outs = while_p.bind(*cconsts, *bconsts, *carry, cond_jaxpr=cond_bat, body_jaxpr=body_bat,
                        cond_nconsts=cond_nconsts, body_nconsts=body_nconsts)
    return outs, carry_dims


batching.axis_primitive_batchers[while_p] = _while_batch


# ===================================================================================================
# fori_loop
# ===================================================================================================

def fori_loop(lower, upper, body_fun: Callable, init_val, *, unroll=None):
    """``for i in range(lower, upper): val = body_fun(i, val)``; returns the final ``val``.

    With concrete bounds this is a ``scan`` (so reverse-mode differentiable); with traced bounds a
    ``while_loop``.

    Example:
        >>> lax.fori_loop(0, 5, lambda i, x: x + i, 0.)
        Array(10., dtype=float32, weak_type=True)
    """
    if not callable(body_fun):
        raise TypeError("lax.fori_loop: body_fun argument should be callable.")
    lower_dtype = dtypes.result_type(lower)
    upper_dtype = dtypes.result_type(upper)
    if lower_dtype == upper_dtype:
        dtype = lower_dtype
    else:
        dtype = None
        if (dtypes.issubdtype(lower_dtype, np.signedinteger) and
                dtypes.issubdtype(upper_dtype, np.signedinteger)):
            lw, uw = dtypes.is_weakly_typed(lower), dtypes.is_weakly_typed(upper)
            if lw and not uw:
                dtype = upper_dtype
            elif uw and not lw:
                dtype = lower_dtype
        if dtype is None:
            raise TypeError("lower and upper arguments to fori_loop must have equal types, got "
                            f"{lower_dtype.name} and {upper_dtype.name}")
    use_scan = False
    if core.is_concrete(lower) and core.is_concrete(upper):
        try:
            lower_, upper_ = int(lower), int(upper)
            use_scan = True
        except TypeError:
            pass
    if use_scan:
        if unroll is None:
            unroll = False
        length = max(upper_ - lower_, 0)
        if config._values["jax_disable_jit"] and length == 0:
            return init_val

        (_, result), _ = scan(functools.partial(_fori_scan_body, body_fun), (lower_, init_val), None,
                              length=length, unroll=unroll)
        return result
    if unroll is not None and unroll is not False and unroll != 1:
        raise ValueError("Can only use `unroll` in `fori_loop` if the loop bounds are statically "
                         "known.")
    from jaxlite._src.lax.elementwise import _convert_element_type
    if lower_dtype != dtype:
        lower = _convert_element_type(lower, dtype)
    if upper_dtype != dtype:
        upper = _convert_element_type(upper, dtype)

    _, _, result = while_loop(_fori_while_cond, functools.partial(_fori_while_body, body_fun),
                              (lower, upper, init_val))
    return result


# fori_loop's loop bodies are module-level functions applied with functools.partial, so that the
# traced-jaxpr cache (common.trace_to_jaxpr) recognises the same body_fun from call to call

def _fori_scan_body(body_fun, carry, _):
    i, x = carry
    return (i + 1, body_fun(i, x)), None


def _fori_while_cond(carry):
    from jaxlite._src.lax.elementwise import lt
    return lt(carry[0], carry[1])


def _fori_while_body(body_fun, carry):
    i, up, x = carry
    return i + 1, up, body_fun(i, x)


def _map_body(f, _, x):
    return (), f(x)


# ===================================================================================================
# scan
# ===================================================================================================

def scan(f: Callable, init, xs=None, length=None, reverse: bool = False, unroll=1,
         _split_transpose: bool = False):
    """Loop ``f(carry, x) -> (carry, y)`` over the leading axis of ``xs``, stacking the ``y``s.

    Semantics (pytrees allowed for carry, xs and ys)::

        def scan(f, init, xs, length=None):
            carry, ys = init, []
            for x in xs:            # or range(length) when xs is None
                carry, y = f(carry, x)
                ys.append(y)
            return carry, np.stack(ys)

    Example:
        >>> lax.scan(lambda c, x: (c + x, c), 0., jnp.arange(3.))
        (Array(3., dtype=float32), Array([0., 0., 1.], dtype=float32))
    """
    if not callable(f):
        raise TypeError("lax.scan: f argument should be a callable.")
    init_flat, init_tree = tree_util.tree_flatten(init)
    xs_flat, xs_tree = tree_util.tree_flatten(xs)
    length = _infer_scan_length(xs_flat, length)

    if config._values["jax_disable_jit"]:
        if length == 0:
            raise ValueError("zero-length scan is not supported in disable_jit() mode because the "
                             "output type is unknown.")
        carry = init
        ys = []
        order = range(length - 1, -1, -1) if reverse else range(length)
        for i in order:
            x = tree_util.tree_unflatten(xs_tree, [_index(v, i) for v in xs_flat])
            carry, y = f(carry, x)
            ys.append(y)
        if reverse:
            ys.reverse()
        from jaxlite._src.numpy import lax_numpy as jnp
        stacked = tree_util.tree_map(lambda *ys: jnp.stack(ys), *ys)
        return carry, stacked

    init_avals = [common.leaf_aval(x, "lax.scan") for x in init_flat]
    x_avals = []
    for x in xs_flat:
        a = common.leaf_aval(x, "lax.scan")
        x_avals.append(ShapedArray(a.shape[1:], a.dtype, a.weak_type))

    def create(carry_avals):
        arg_tree = tree_util.tree_structure((tree_util.tree_unflatten(init_tree, [0] * len(init_flat)),
                                             tree_util.tree_unflatten(xs_tree, [0] * len(xs_flat))))
        closed, consts, out_tree = common.trace_to_jaxpr(f, arg_tree, list(carry_avals) + x_avals,
                                                         "scan body")
        children = tree_util.treedef_children(out_tree) if not tree_util.treedef_is_leaf(out_tree) \
            else []
        if len(children) != 2:
            shown = tree_util.tree_unflatten(out_tree, [_ShowAval(a) for a in closed.out_avals])
            raise TypeError(f"scan body output must be a pair, got {shown}.")
        return closed, consts, children[0], children[1]

    closed, consts, carry_tree, y_tree = create(init_avals)
    n_carry = len(init_flat)
    carry_out = closed.out_avals[:carry_tree.num_leaves]
    if carry_tree == init_tree:
        init_flat, changed = common.promote_weak_typed_inputs(init_flat, init_avals, carry_out)
        if changed:
            init_avals = [core.get_aval(x) for x in init_flat]
            closed, consts, carry_tree, y_tree = create(init_avals)
            carry_out = closed.out_avals[:carry_tree.num_leaves]
    common.check_carry_type("scan body", f, init_tree, init_avals, carry_tree, carry_out)

    unroll = core.concrete_or_error(None, unroll,
                                    "The `unroll` argument to `scan` expects a concrete `int` or "
                                    "`bool` value.")
    if isinstance(unroll, (bool, np.bool_)):
        unroll = max(length, 1) if unroll else 1
    unroll = int(unroll)
    if unroll < 0:
        raise ValueError("`unroll` must be a `bool` or a non-negative `int`.")
    # as JAX: a carry the body passes through unchanged is read-only, so it becomes a (leading) const;
    # a y that is an x slice unchanged is not computed by the loop: it is that xs itself
    nc = len(consts)
    n_ys = len(closed.out_avals) - n_carry
    fwd = common.forwarded_inputs(closed)
    move = [fwd[j] == nc + j for j in range(n_carry)]
    args = list(init_flat) + list(xs_flat)
    moved = [a for a, m in zip(init_flat, move) if m]
    if any(move):
        closed = common.select_outvars(closed, [j for j in range(n_carry) if not move[j]] +
                                       list(range(n_carry, n_carry + n_ys)))
        closed = common.move_invars_to_front(closed, [False] * nc + move + [False] * len(xs_flat))
        args = [a for a, m in zip(init_flat, move) if not m] + list(xs_flat)
        consts = moved + list(consts)
    nc, ncar = len(consts), n_carry - len(moved)
    y_fwd = [f - nc - ncar if f is not None and f >= nc + ncar else None for f in fwd[n_carry:]]
    if any(f is not None for f in y_fwd):
        closed = common.select_outvars(closed, list(range(ncar)) +
                                       [ncar + k for k, f in enumerate(y_fwd) if f is None])
    n_in = nc + len(args)
    outs = scan_p.bind(*consts, *args, reverse=bool(reverse), length=length,
                       jaxpr=closed, num_consts=nc, num_carry=ncar,
                       linear=(False,) * n_in, unroll=unroll, _split_transpose=bool(_split_transpose))
    c_it, y_it = iter(outs[:ncar]), iter(outs[ncar:])
    m_it = iter(moved)
    carry = [_forwarded_out(next(m_it)) if m else next(c_it) for m in move]
    ys = [next(y_it) if f is None else _forwarded_out(args[ncar + f]) for f in y_fwd]
    return tree_util.tree_unflatten(init_tree, carry), tree_util.tree_unflatten(y_tree, ys)


class _ShowAval:
    def __init__(self, aval):
        self.aval = aval

    def __repr__(self):
        return ("~" if self.aval.weak_type else "") + self.aval.str_short(short_dtypes=False)


def _index(x, i):
    from jaxlite._src.numpy import lax_numpy as jnp
    return jnp.asarray(x)[i]


def _infer_scan_length(xs_flat, length):
    try:
        lengths = [x.shape[0] for x in xs_flat]
    except (AttributeError, IndexError):
        bad = [x for x in xs_flat if not getattr(x, "shape", ())]
        raise ValueError("scan got value with no leading axis to scan over: "
                         f"{', '.join(str(x) for x in bad)}.") from None
    if length is not None:
        try:
            length = int(length)
        except ConcretizationTypeError:
            raise ConcretizationTypeError(
                length, "The `length` argument to `scan` expects a concrete `int` value. For "
                "scan-like iteration with a dynamic length, use `while_loop` or `fori_loop`.") from None
        if not all(length == n for n in lengths):
            raise ValueError(f"scan got `length` argument of {length} which disagrees with leading "
                             f"axis sizes {lengths}.")
        return length
    unique = set(lengths)
    if len(unique) > 1:
        raise ValueError("scan got values with different leading axis sizes: "
                         f"{', '.join(str(n) for n in lengths)}.")
    if not unique:
        raise ValueError("scan got no values to scan over and `length` not provided.")
    return unique.pop()


scan_p = Primitive("scan")
scan_p.multiple_results = True


def _scan_abstract_eval(*avals, reverse, length, jaxpr, num_consts, num_carry, linear, unroll,
                        _split_transpose):
    carry = jaxpr.out_avals[:num_carry]
    ys = [ShapedArray((length,) + a.shape, a.dtype, a.weak_type) for a in jaxpr.out_avals[num_carry:]]
    return list(carry) + ys


def _make_scan_runner(body, length, reverse, num_consts, num_carry, y_avals):
    """The loop: ``body`` (a NumPy function of (consts, carry, x slices)) once per step."""
    y_shapes = [((length,) + a.shape, a.dtype) for a in y_avals]
    n_ys = len(y_shapes)

    owned = _owned_carries(body, num_consts)

    def run(*args):
        consts = list(args[:num_consts])
        carry = list(args[num_consts:num_consts + num_carry])
        for k in owned:
            carry[k] = np.array(carry[k])
        xs = args[num_consts + num_carry:]
        ys = [np.empty(s, d) for s, d in y_shapes]
        steps = range(length - 1, -1, -1) if reverse else range(length)
        if not xs and not ys:
            for _ in steps:
                carry = body(*consts, *carry)
            return list(carry)
        for i in steps:
            out = body(*consts, *carry, *[x[i] for x in xs])
            carry = out[:num_carry]
            for k in range(n_ys):
                ys[k][i] = out[num_carry + k]
        return list(carry) + ys
    return run


def _scan_program(jaxpr, length, reverse, num_consts, num_carry):
    """The loop as one NumPy function (cached on the body jaxpr)."""
    per_body = _programs.setdefault(jaxpr, {})
    key = ("scan", length, reverse, num_consts, num_carry, _INLINE, config.jaxlite_backend)
    hit = per_body.get(key)
    if hit is not None:
        return hit[1]
    body = _body_program(jaxpr, num_consts, num_carry)
    y_avals = jaxpr.out_avals[num_carry:]
    run = _inline_scan(body, length, reverse, num_consts, num_carry, y_avals) if _INLINE else None
    if run is None:
        run = _make_scan_runner(body, length, reverse, num_consts, num_carry, y_avals)
    if config.jaxlite_backend == "numba":
        from jaxlite._src.backend import numba_backend  # a native loop when the body allows one
        run = numba_backend.native_loop("scan", jaxpr, length, reverse, num_consts, num_carry,
                                        run) or run
    per_body[key] = (None, run)
    return run


def _scan_lowering(*, reverse, length, jaxpr, num_consts, num_carry, linear, unroll, _split_transpose):
    return _scan_program(jaxpr, length, reverse, num_consts, num_carry)


def _scan_impl(*args, reverse, length, jaxpr, num_consts, num_carry, linear, unroll, _split_transpose):
    if core._debug_checks_enabled():
        run = _make_scan_runner(common.runner(jaxpr), length, reverse, num_consts, num_carry,
                                jaxpr.out_avals[num_carry:])
    else:
        run = _scan_program(jaxpr, length, reverse, num_consts, num_carry)
    return run(*args)


scan_p.def_impl(_scan_impl)
scan_p.def_abstract_eval(_scan_abstract_eval)
numpy_backend.lowerings[scan_p] = _scan_lowering


def _scan_pp_params(params):
    return {k: params[k] for k in ("jaxpr", "length", "num_carry", "num_consts", "reverse", "unroll")}


scan_p.pp_params = _scan_pp_params


def _scan_params(params, **updates):
    p = dict(params)
    p.update(updates)
    n_in = len(p["jaxpr"].in_avals)
    if len(p["linear"]) != n_in:
        p["linear"] = (False,) * n_in
    return p


# ----- forward mode ---------------------------------------------------------------------------------

def _scan_jvp(primals, tangents, **params):
    jaxpr, nc, ncar = params["jaxpr"], params["num_consts"], params["num_carry"]
    nz = [not is_zero(t) for t in tangents]
    const_nz, carry_nz, xs_nz = split(nz, [nc, ncar])
    carry_avals = jaxpr.out_avals[:ncar]
    carry_nz = [n and _is_float(a) for n, a in zip(carry_nz, carry_avals)]
    n_ys = len(jaxpr.out_avals) - ncar
    while True:
        _, out_nz = common.jvp_jaxpr(jaxpr, const_nz + carry_nz + xs_nz,
                                     instantiate=carry_nz + [False] * n_ys)
        new = [a or b for a, b in zip(carry_nz, out_nz[:ncar])]
        if new == carry_nz:
            break
        carry_nz = new
    jvp, out_nz = common.jvp_jaxpr(jaxpr, const_nz + carry_nz + xs_nz,
                                   instantiate=carry_nz + [False] * n_ys)
    ys_nz = out_nz[ncar:]
    nx = len(xs_nz)
    nct, ncart, nxt = sum(const_nz), sum(carry_nz), sum(xs_nz)
    n = nc + ncar + nx
    # jvp invars: (consts, carry, xs, consts_t, carry_t, xs_t) -> (consts, consts_t, carry, carry_t, xs, xs_t)
    order = (list(range(nc)) + list(range(n, n + nct)) + list(range(nc, nc + ncar)) +
             list(range(n + nct, n + nct + ncart)) + list(range(nc + ncar, n)) +
             list(range(n + nct + ncart, n + nct + ncart + nxt)))
    jvp = common.permute_invars(jvp, order)
    # jvp outvars: (carry, ys, carry_t, ys_t) -> (carry, carry_t, ys, ys_t)
    nyt = sum(ys_nz)
    out_order = (list(range(ncar)) + list(range(ncar + n_ys, ncar + n_ys + ncart)) +
                 list(range(ncar, ncar + n_ys)) + list(range(ncar + n_ys + ncart,
                                                             ncar + n_ys + ncart + nyt)))
    jvp = common.select_outvars(jvp, out_order)
    consts, carry, xs = split(primals, [nc, ncar])
    consts_t, carry_t, xs_t = split(tangents, [nc, ncar])
    consts_t = [t for t, m in zip(consts_t, const_nz) if m]
    carry_t = [_instantiate(t, a) for t, a, m in zip(carry_t, carry_avals, carry_nz) if m]
    xs_t = [t for t, m in zip(xs_t, xs_nz) if m]
    new_params = _scan_params(params, jaxpr=jvp, num_consts=nc + nct, num_carry=ncar + ncart)
    new_params["linear"] = tuple([False] * nc + [True] * nct + [False] * ncar + [True] * ncart +
                                 [False] * nx + [True] * nxt)
    outs = scan_p.bind(*consts, *consts_t, *carry, *carry_t, *xs, *xs_t, **new_params)
    c_out, ct_out, y_out, yt_out = split(outs, [ncar, ncart, n_ys])
    ct_it, yt_it = iter(ct_out), iter(yt_out)
    y_avals = [ShapedArray((params["length"],) + a.shape, a.dtype, a.weak_type) for a in jaxpr.out_avals[ncar:]]
    tangents_out = ([next(ct_it) if m else ad.Zero(a.to_tangent_aval()) for m, a in
                     zip(carry_nz, carry_avals)] +
                    [next(yt_it) if m else ad.Zero(a.to_tangent_aval()) for m, a in zip(ys_nz, y_avals)])
    return list(c_out) + list(y_out), tangents_out


ad.primitive_jvps[scan_p] = _scan_jvp


# ----- partial evaluation -----------------------------------------------------------------------------

def _scan_partial_eval(trace, *args, **params):
    jaxpr, nc, ncar = params["jaxpr"], params["num_consts"], params["num_carry"]
    length = params["length"]
    uk = [trace.is_unknown(a) for a in args]
    const_uk, carry_uk, xs_uk = split(uk, [nc, ncar])
    n_ys = len(jaxpr.out_avals) - ncar
    while True:
        _, _, out_uk, _ = ad.partial_eval_jaxpr_nounits(jaxpr, const_uk + carry_uk + xs_uk,
                                                        carry_uk + [False] * n_ys)
        new = [a or b for a, b in zip(carry_uk, out_uk[:ncar])]
        if new == carry_uk:
            break
        carry_uk = new
    jk, ju, out_uk, n_res = ad.partial_eval_jaxpr_nounits(jaxpr, const_uk + carry_uk + xs_uk,
                                                          carry_uk + [False] * n_ys)
    if not any(out_uk) and n_res == 0:
        with set_current_trace(trace.parent_trace):
            return scan_p.bind(*args, **params)
    consts, carry, xs = split(args, [nc, ncar])
    k_consts = [a for a, u in zip(consts, const_uk) if not u]
    k_carry = [a for a, u in zip(carry, carry_uk) if not u]
    k_xs = [a for a, u in zip(xs, xs_uk) if not u]
    nkc, nkcar = len(k_consts), len(k_carry)
    n_known_out = out_uk.count(False)
    # residuals that are known consts forwarded unchanged are loop-invariant: pass them as consts;
    # residuals that are known x slices forwarded unchanged are the xs themselves: not re-stacked
    fwd = common.forwarded_inputs(jk)[n_known_out:]
    invariant = [f is not None and f < nkc for f in fwd]
    inv_vals = {i: k_consts[f] for i, (f, inv) in enumerate(zip(fwd, invariant)) if inv}
    # as JAX: what the known body computes from its consts alone is computed once, before the loop;
    # residuals so computed are loop-invariant too
    with set_current_trace(trace.parent_trace):
        jk, k_consts, hoisted = _hoist_invariant(jk, k_consts, n_known_out, invariant)
    nkc = len(k_consts)
    fwd = common.forwarded_inputs(jk)[n_known_out:]
    inv_vals.update(hoisted)
    invariant = [i in inv_vals for i in range(len(fwd))]
    # (JAX does not forward a NumPy array: such an x is stacked again by the known scan)
    from_xs = [f is not None and f >= nkc + nkcar and not isinstance(k_xs[f - nkc - nkcar], np.ndarray)
               for f in fwd]
    stacked_idx = [i for i, inv in enumerate(invariant) if not inv]
    computed_idx = [i for i in stacked_idx if not from_xs[i]]
    jk2 = common.select_outvars(jk, list(range(n_known_out)) + [n_known_out + i for i in computed_idx])
    kparams = _scan_params(params, jaxpr=jk2, num_consts=nkc, num_carry=nkcar)
    with set_current_trace(trace.parent_trace):
        kouts = scan_p.bind(*k_consts, *k_carry, *k_xs, **kparams)
    known_outs = kouts[:n_known_out]
    computed = dict(zip(computed_idx, kouts[n_known_out:]))
    stacked_res = [computed[i] if i in computed else k_xs[fwd[i] - nkc - nkcar] for i in stacked_idx]
    inv_res = [inv_vals[i] for i, inv in enumerate(invariant) if inv]
    # unknown scan: invars of ju are (residuals, uk consts, uk carry, uk xs) ->
    #               (invariant residuals, uk consts, uk carry, stacked residuals, uk xs)
    inv_idx = [i for i, inv in enumerate(invariant) if inv]
    nuc, nucar, nux = const_uk.count(True), carry_uk.count(True), xs_uk.count(True)
    order = (inv_idx + list(range(n_res, n_res + nuc + nucar)) + stacked_idx +
             list(range(n_res + nuc + nucar, n_res + nuc + nucar + nux)))
    ju2 = common.permute_invars(ju, order)
    uk_consts = [a for a, u in zip(consts, const_uk) if u]
    uk_carry = [a for a, u in zip(carry, carry_uk) if u]
    uk_xs = [a for a, u in zip(xs, xs_uk) if u]
    uparams = _scan_params(params, jaxpr=ju2, num_consts=len(inv_idx) + nuc, num_carry=nucar)
    uparams["linear"] = tuple([False] * len(inv_idx) + [True] * nuc + [True] * nucar +
                              [False] * len(stacked_idx) + [True] * nux)
    u_in = inv_res + uk_consts + uk_carry + list(stacked_res) + uk_xs
    atoms = [trace.to_atom(a) for a in u_in]
    u_avals = scan_p.abstract_eval_avals([a.aval for a in atoms], uparams)
    uk_outs = trace.emit(scan_p, atoms, u_avals, uparams)
    k_it, u_it = iter(known_outs), iter(uk_outs)
    return [next(u_it) if u else next(k_it) for u in out_uk]


ad.partial_eval_rules[scan_p] = _scan_partial_eval


def _hoist_invariant(jk: core.ClosedJaxpr, k_consts, n_out, forwarded):
    """As JAX: partially evaluate the known scan body ``jk`` with only its consts known, running the
    known part now (once, before the loop). Returns the new body (taking the values it needs from that
    part as its consts), those values, and the values of the residual outputs (after the ``n_out``
    known ones) so computed, by residual index; the new body keeps a placeholder output for each of
    those (not to be used). Residuals already ``forwarded`` are counted among the computed ones."""
    nkc = len(k_consts)
    n_in = len(jk.jaxpr.invars)
    n_res = len(jk.jaxpr.outvars) - n_out
    # (known outputs that are literals stay literal outputs of the body)
    lit_out = [type(v) is core.Literal for v in jk.jaxpr.outvars[:n_out]]
    known, body, out_uk, n_new = ad.partial_eval_jaxpr_nounits(
        jk, [False] * nkc + [True] * (n_in - nkc), [not lit for lit in lit_out] + [False] * n_res)
    if not n_new and all(out_uk[n_out:]) and len(body.jaxpr.eqns) == len(jk.jaxpr.eqns):
        return jk, k_consts, {}
    vals = core.jaxpr_as_fun(known)(*k_consts)
    n_hoisted = len(vals) - n_new
    hoisted_vals, new_consts = vals[sum(lit_out):n_hoisted], vals[n_hoisted:]
    res_uk = out_uk[n_out:]
    it = iter(hoisted_vals)
    hoisted = {i: next(it) for i, uk in enumerate(res_uk) if not uk}
    # the new body's outputs, with placeholders where residuals were hoisted
    outs = iter(body.jaxpr.outvars)
    outvars = [v if lit else next(outs) for v, lit in zip(jk.jaxpr.outvars[:n_out], lit_out)]
    for i, uk in enumerate(res_uk):
        outvars.append(next(outs) if uk else core.Literal(0, jk.jaxpr.outvars[n_out + i].aval))
    new = body.jaxpr.replace(outvars=outvars)
    return core.ClosedJaxpr(new, body.consts), list(new_consts), hoisted


# ----- dead code elimination ------------------------------------------------------------------------

def _scan_dce(used_outputs, eqn):
    """Keep the carries the used outputs need (a fixpoint: a carry needed in feeds the same carry out)
    and only the used ys, as JAX's scan dce rule."""
    from jaxlite._src.interpreters import partial_eval as pe
    params = eqn.params
    jaxpr, nc, ncar = params["jaxpr"], params["num_consts"], params["num_carry"]
    used_carry, used_ys = list(used_outputs[:ncar]), list(used_outputs[ncar:])
    while True:
        body, used_in = pe.dce_jaxpr(jaxpr.jaxpr, used_carry + used_ys)
        used_carry_in = [a or b for a, b in zip(used_in[nc:nc + ncar], used_carry)]
        if used_carry_in == used_carry:
            break
        used_carry = used_carry_in
    used_in = list(used_in[:nc]) + used_carry + list(used_in[nc + ncar:])
    if not any(used_carry) and not any(used_ys) and not jaxpr.jaxpr.effects:
        return [False] * len(used_in), None
    body = body.replace(invars=[v for v, u in zip(body.invars, used_in) if u])
    new_params = dict(params, jaxpr=core.ClosedJaxpr(body, jaxpr.consts), num_consts=sum(used_in[:nc]),
                      num_carry=sum(used_carry),
                      linear=tuple(lin for lin, u in zip(params["linear"], used_in) if u))
    new = eqn.replace(invars=[v for v, u in zip(eqn.invars, used_in) if u],
                      outvars=[v for v, u in zip(eqn.outvars, used_carry + used_ys) if u], params=new_params)
    return used_in, new


def _register_scan_dce():
    from jaxlite._src.interpreters import partial_eval as pe
    pe.dce_rules[scan_p] = _scan_dce


_register_scan_dce()


# ----- transposition ------------------------------------------------------------------------------------

def _scan_transpose(cts, *args, **params):
    jaxpr, nc, ncar = params["jaxpr"], params["num_consts"], params["num_carry"]
    length, reverse = params["length"], params["reverse"]
    consts, carry, xs = split(args, [nc, ncar])
    # consts and xs: residuals (known values) or linear; every carry is linear (a known carry here can
    # only be a tangent that is known to be zero)
    c_lin = [ad.is_undefined_primal(a) for a in consts]
    x_lin = [ad.is_undefined_primal(a) for a in xs]
    ct_carry, ct_ys = cts[:ncar], cts[ncar:]
    carry_avals = jaxpr.out_avals[:ncar]
    ct_carry = [common.instantiate_ct(c, a) for c, a in zip(ct_carry, carry_avals)]
    # zero cotangents of ys are not scanned over (as JAX): the body's transpose gets a symbolic zero
    ys_zero = [c is None or type(c) in (ad.Zero, ad.SymbolicZero) for c in ct_ys]
    ct_ys = [c for c, z in zip(ct_ys, ys_zero) if not z]
    # the body's transpose: (res consts, res xs, ct carry out, ct ys) -> (ct lin consts, ct carry, ct lin xs)
    linear = c_lin + [True] * ncar + x_lin
    # as JAX: the linear consts' cotangents are added to their running sums as they arise, and the
    # carries' accumulators have the type of the carry cotangents (the carry out's)
    n_lc_ = sum(c_lin)
    body_t = common.transpose_jaxpr(
        jaxpr, linear, [False] * ncar + ys_zero, accum=[True] * n_lc_ + [False] * (ncar + sum(x_lin)),
        accum_avals=[None] * n_lc_ + [a.to_tangent_aval() for a in carry_avals] + [None] * sum(x_lin))
    res_c = [a for a, l in zip(consts, c_lin) if not l]
    res_x = [a for a, l in zip(xs, x_lin) if not l]
    lin_c_avals = [a.aval for a, l in zip(consts, c_lin) if l]
    n_rc, n_rx, n_lc = len(res_c), len(res_x), len(lin_c_avals)
    ct_carry_avals = [a.to_tangent_aval() for a in carry_avals]
    y_slice_avals = [a.to_tangent_aval() for a, z in zip(jaxpr.out_avals[ncar:], ys_zero) if not z]
    n_ys = len(y_slice_avals)
    res_x_avals = [ShapedArray(core.get_aval(a).shape[1:], core.get_aval(a).dtype,
                               core.get_aval(a).weak_type) for a in res_x]

    def body(*vals):  # scanned over (ct ys, res xs), as JAX orders them
        rc, acc, ctc, cty, rx = split(vals, [n_rc, n_lc, ncar, n_ys])
        return core.eval_jaxpr(body_t.jaxpr, body_t.consts, *rc, *rx, *acc, *ctc, *cty)

    lin_c_tan = [a.to_tangent_aval() for a in lin_c_avals]
    body_closed = common.trace_closed(
        body, [core.get_aval(a) for a in res_c] + lin_c_tan + ct_carry_avals + y_slice_avals + res_x_avals)
    acc0 = [common.zeros_like(a) for a in lin_c_tan]
    tparams = _scan_params(params, jaxpr=body_closed, num_consts=n_rc, num_carry=n_lc + ncar,
                           reverse=not reverse)
    outs = scan_p.bind(*res_c, *acc0, *ct_carry, *ct_ys, *res_x, **tparams)
    ct_lc, ct_init, ct_lx = split(outs, [n_lc, ncar])
    lc_it, lx_it = iter(ct_lc), iter(ct_lx)
    return ([next(lc_it) if l else None for l in c_lin] + list(ct_init) +
            [next(lx_it) if l else None for l in x_lin])


ad.primitive_transposes[scan_p] = _scan_transpose


# ----- batching -------------------------------------------------------------------------------------

def _scan_batch(axis_data, vals, dims, **params):
    jaxpr, nc, ncar = params["jaxpr"], params["num_consts"], params["num_carry"]
    if all(d is None for d in dims):
        return scan_p.bind(*vals, **params), [None] * len(jaxpr.out_avals)
    size = axis_data.size
    b = [d is not None for d in dims]
    const_b, carry_b, xs_b = split(b, [nc, ncar])
    n_ys = len(jaxpr.out_avals) - ncar
    while True:
        _, out_b = common.batch_jaxpr(jaxpr, axis_data, const_b + carry_b + xs_b,
                                      carry_b + [False] * n_ys)
        new = [x or y for x, y in zip(carry_b, out_b[:ncar])]
        if new == carry_b:
            break
        carry_b = new
    batched, out_b = common.batch_jaxpr(jaxpr, axis_data, const_b + carry_b + xs_b,
                                        carry_b + [False] * n_ys)
    consts, carry, xs = split(vals, [nc, ncar])
    cd, card, xd = split(dims, [nc, ncar])
    consts = [batching.moveaxis(v, d, 0) if d is not None else v for v, d in zip(consts, cd)]
    carry = [batching.moveaxis(v, d, 0) if d is not None else
             (batching.matchaxis(None, 0, size, v) if cb else v) for v, d, cb in zip(carry, card, carry_b)]
    # the scanned axis stays in front; a batched x has its batch dim right after it
    xs = [batching.moveaxis(v, d, 1) if d is not None else v for v, d in zip(xs, xd)]
    outs = scan_p.bind(*consts, *carry, *xs, **_scan_params(params, jaxpr=batched))
    out_dims = [0 if x else None for x in carry_b] + [1 if x else None for x in out_b[ncar:]]
    return outs, out_dims


batching.axis_primitive_batchers[scan_p] = _scan_batch


# ===================================================================================================
# map, associative_scan
# ===================================================================================================

def _vmap(f):
    """vmap over axis 0 of every leaf of the single argument (internal; avoids importing api)."""
    def g(x):
        leaves, tree = tree_util.tree_flatten(x)
        size = leaves[0].shape[0]
        store = []

        def flat(*ls):
            out = f(tree_util.tree_unflatten(tree, ls))
            out_leaves, out_tree = tree_util.tree_flatten(out)
            store.append(out_tree)
            return out_leaves
        outs = batching.vmap_flat(flat, leaves, [0] * len(leaves),
                                  lambda _: [0] * store[0].num_leaves, size)
        return tree_util.tree_unflatten(store[0], outs)
    return g


def map(f: Callable, xs, *, batch_size: int | None = None):
    """``jnp.stack([f(x) for x in xs])`` as a ``scan`` (pytrees allowed). With ``batch_size``, runs
    ``vmap(f)`` over chunks of that size (the remainder in one more vmap).

    Example:
        >>> lax.map(lambda x: x ** 2, jnp.arange(4.))
        Array([0., 1., 4., 9.], dtype=float32)
    """
    if batch_size is not None:
        leaves, tree = tree_util.tree_flatten(xs)
        n = leaves[0].shape[0]
        if batch_size == 0:
            num_batches, rem = 0, n
        else:
            num_batches, rem = divmod(n, batch_size)
        n_main = num_batches * batch_size
        lax_mod = _lax()
        vf = _vmap(f)
        scan_ys = None
        if num_batches:
            main = [lax_mod.reshape(l[:n_main], (num_batches, batch_size) + tuple(l.shape[1:]))
                    for l in leaves]
            _, scan_ys = scan(lambda _, x: ((), vf(x)), (), tree_util.tree_unflatten(tree, main))
        if rem:
            rem_ys = vf(tree_util.tree_unflatten(tree, [l[n_main:] for l in leaves]))
        flatten = lambda y: lax_mod.reshape(y, (y.shape[0] * y.shape[1],) + tuple(y.shape[2:]))  # noqa
        if scan_ys is None:
            return rem_ys
        if rem:
            return tree_util.tree_map(lambda a, b: lax_mod.concatenate([flatten(a), b], 0),
                                      scan_ys, rem_ys)
        return tree_util.tree_map(flatten, scan_ys)
    _, ys = scan(functools.partial(_map_body, f), (), xs)
    return ys


def associative_scan(fn: Callable, elems, reverse: bool = False, axis: int = 0):
    """All prefix combinations ``[e0, fn(e0, e1), fn(fn(e0, e1), e2), ...]`` along ``axis`` computed in
    O(log n) parallel steps; ``fn`` must be associative and work elementwise over ``axis``.

    Example:
        >>> lax.associative_scan(jnp.add, jnp.arange(0, 4))
        Array([0, 1, 3, 6], dtype=int32)
    """
    if not callable(fn):
        raise TypeError("lax.associative_scan: fn argument should be callable.")
    lax_mod = _lax()
    elems_flat, tree = tree_util.tree_flatten(elems)
    elems_flat = [_lax_asarray(e) for e in elems_flat]
    if reverse:
        elems_flat = [lax_mod.rev(e, [axis]) for e in elems_flat]

    def combine(a_flat, b_flat):
        c = fn(tree_util.tree_unflatten(tree, a_flat), tree_util.tree_unflatten(tree, b_flat))
        return tree_util.tree_leaves(c)

    ndim = elems_flat[0].ndim
    if not -ndim <= axis < ndim:  # (with reverse=True, rev has rejected the axis already, as in JAX)
        raise ValueError(f"lax.associative_scan: axis {axis} is out of bounds for inputs of rank {ndim}")
    axis = axis + ndim if axis < 0 else axis
    num_elems = int(elems_flat[0].shape[axis])
    if not all(int(e.shape[axis]) == num_elems for e in elems_flat[1:]):
        raise ValueError("Array inputs to associative_scan must have the same first dimension. "
                         f"(saw: {[e.shape for e in elems_flat]})")

    def slice_in_dim(x, start, stop, stride=1):
        n = x.shape[axis]
        start, stop, _ = slice(start, stop).indices(n)
        lo = [0] * x.ndim
        hi = list(x.shape)
        st = [1] * x.ndim
        lo[axis], hi[axis], st[axis] = start, max(stop, start), stride
        return lax_mod.slice(x, lo, hi, st)

    def interleave(a, b):
        a_pad = [(0, 0, 0)] * a.ndim
        b_pad = [(0, 0, 0)] * b.ndim
        same = a.shape[axis] == b.shape[axis]
        a_pad[axis] = (0, 1 if same else 0, 1)
        b_pad[axis] = (1, 0 if same else 1, 1)
        op = lax_mod.bitwise_or if a.dtype == np.bool_ else lax_mod.add
        zero_a = lax_mod._convert_element_type(0, a.dtype, weak_type=False)
        zero_b = lax_mod._convert_element_type(0, b.dtype, weak_type=False)
        return op(lax_mod.pad(a, zero_a, a_pad), lax_mod.pad(b, zero_b, b_pad))

    def _scan(elems):
        n = elems[0].shape[axis]
        if n < 2:
            return elems
        reduced = combine([slice_in_dim(e, 0, -1, 2) for e in elems],
                          [slice_in_dim(e, 1, None, 2) for e in elems])
        odd = _scan(reduced)
        if n % 2 == 0:
            even = combine([slice_in_dim(e, 0, -1) for e in odd],
                           [slice_in_dim(e, 2, None, 2) for e in elems])
        else:
            even = combine(odd, [slice_in_dim(e, 2, None, 2) for e in elems])
        even = [lax_mod.concatenate([slice_in_dim(e, 0, 1), r], axis) for e, r in zip(elems, even)]
        return [interleave(e, o) for e, o in zip(even, odd)]

    scans = _scan(elems_flat)
    if reverse:
        scans = [lax_mod.rev(s, [axis]) for s in scans]
    return tree_util.tree_unflatten(tree, scans)

