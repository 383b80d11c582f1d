"""What cond, while and scan share: tracing user functions to jaxprs, small jaxpr surgery, running an
inner jaxpr on the NumPy backend, and transforming an inner jaxpr (JVP, batching, transposition).

Conventions (JAX's): a control-flow primitive holds ``ClosedJaxpr``s in its params; the values a user
function closes over are hoisted out of the traced jaxpr and passed as leading operands ("consts").
"""
from __future__ import annotations

import collections
from typing import Callable, Sequence

import numpy as np

from jaxlite._src import core, dtypes, tree_util
from jaxlite._src.backend import numpy_backend
from jaxlite._src.core import ClosedJaxpr, Jaxpr, ShapedArray, Tracer, Var, set_current_trace
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.interpreters import partial_eval as pe


# ---------------------------------------------------------------------------------------------------
# Tracing user functions
# ---------------------------------------------------------------------------------------------------

def fun_sourceinfo(fun) -> str:
    """``name at file:line`` for error messages, as JAX prints it."""
    import functools
    import inspect
    while isinstance(fun, functools.partial):
        fun = fun.func
    try:
        fun = inspect.unwrap(fun)
        code = fun.__code__
        return f"{fun.__name__} at {code.co_filename}:{code.co_firstlineno}"
    except (AttributeError, ValueError):
        return "<unknown>"


def leaf_aval(x, what: str):
    try:
        return core.get_aval(x)
    except TypeError:
        raise TypeError(f"Value {x!r} of type {type(x)} passed to {what} is not a valid JAX type: "
                        "only arrays, NumPy arrays, Python scalars and pytrees of them can be used as "
                        "loop carries and operands.") from None


# Traced jaxprs of user functions, so that eager loops/conds called again with the same function and
# argument types (a Python training loop calling ``lax.scan`` each step) do not re-trace, and reuse the
# compiled body program. Keyed on the function's code object, (in_tree, avals, what, config trace
# state) and the identities of the function's environment: an entry is only reused while the closure
# cells, defaults and the globals its code names directly hold the identical objects (JAX keys on the
# function object alone). Nothing is cached when a closed-over value is a tracer or a (mutable) NumPy
# array. Code objects live as long as their module, and an entry holds the arrays its function closes
# over, so the cache is LRU-bounded in entries (as JAX's caches are) and emptied by ``clear_caches``.
_trace_cache: "collections.OrderedDict" = collections.OrderedDict()
_TRACE_CACHE_SIZE = 256
trace_count = 0  # number of actual traces of user functions (tests count re-traces with it)


def _fun_environment(fun, depth=0):
    """A tuple of the objects ``fun``'s result can depend on besides its arguments (compared by
    identity), or None if it must not be cached: a bound method or other callable object, or an
    environment holding tracers or mutable objects whose contents could change unseen (NumPy arrays,
    arbitrary class instances)."""
    import functools
    import types
    if depth > 4:
        return None
    if isinstance(fun, functools.partial):
        inner = _fun_environment(fun.func, depth + 1)
        if inner is None:
            return None
        out = list(inner)
        for a in tuple(fun.args) + tuple(fun.keywords.values()):
            if not _add_env_obj(out, a, depth):
                return None
        out.extend(fun.keywords)
        return tuple(out)
    if not isinstance(fun, types.FunctionType):
        return None
    code = fun.__code__
    out = [code, fun.__defaults__, fun.__kwdefaults__]
    for d in (fun.__defaults__ or ()):
        if not _add_env_obj(out, d, depth):
            return None
    for d in (fun.__kwdefaults__ or {}).values():
        if not _add_env_obj(out, d, depth):
            return None
    for c in fun.__closure__ or ():
        try:
            obj = c.cell_contents
        except ValueError:  # an empty cell (a name assigned later)
            return None
        if not _add_env_obj(out, obj, depth):
            return None
    g = fun.__globals__
    for name in _code_names(code):
        if not _add_env_obj(out, g.get(name, _MISSING), depth):
            return None
    return tuple(out)


_MISSING = object()


def _add_env_obj(out: list, obj, depth, nested=False) -> bool:
    """Append ``obj`` (and what it holds) to the environment ``out``; False: not cacheable."""
    import types
    if isinstance(obj, Tracer):
        return False
    if isinstance(obj, (types.FunctionType, functools_partial())):
        # a function counts by its code and environment, not its identity (inline lambdas)
        env = _fun_environment(obj, depth + 1)
        if env is None:
            return False
        out.extend(env)
        return True
    out.append(obj)
    if isinstance(obj, _ENV_ATOMS) or obj is _MISSING or obj is None:
        return True
    if nested:
        return False
    if isinstance(obj, (tuple, list, frozenset)) and len(obj) <= 64:
        return all(_add_env_obj(out, o, depth, True) for o in obj)
    if isinstance(obj, dict) and len(obj) <= 64:
        return all(_add_env_obj(out, k, depth, True) and _add_env_obj(out, v, depth, True)
                   for k, v in obj.items())
    return False


def functools_partial():
    import functools
    return functools.partial


def _env_atoms():
    import types
    from jaxlite._src.array import Array
    return (Array, int, float, complex, bool, str, bytes, np.generic, np.dtype, type, types.ModuleType,
            types.BuiltinFunctionType, np.ufunc, core.Primitive, ShapedArray, types.CodeType,
            tree_util.PyTreeDef)


_ENV_ATOMS = None


_code_names_memo: dict = {}  # code object -> the global names it (and code nested in it) reads


def _code_names(code):
    _memo = _code_names_memo
    names = _memo.get(code)
    if names is None:
        import types
        out = list(code.co_names)
        for c in code.co_consts:
            if isinstance(c, types.CodeType):
                out.extend(_code_names(c))
        names = _memo[code] = tuple(dict.fromkeys(out))
    return names


def _same(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


def trace_to_jaxpr(fun: Callable, in_tree, in_avals: Sequence, what: str, cache_key=None):
    """Trace ``fun(*args)`` (args given by ``in_tree`` and the flat ``in_avals``).

    Returns ``(closed_jaxpr, consts, out_tree)``: the jaxpr takes ``(*consts, *flat_args)`` and has no
    constants of its own; ``consts`` are the closed-over values (tracers of enclosing transformations
    or concrete arrays) to pass as leading operands.

    ``cache_key`` is the user's function when ``fun`` is a fresh wrapper of it (default: ``fun``);
    results are cached on it (see ``_trace_cache``).
    """
    import functools
    from jaxlite._src.config import config
    global _ENV_ATOMS
    if _ENV_ATOMS is None:
        _ENV_ATOMS = _env_atoms()
    user_fun = fun if cache_key is None else cache_key
    env = _fun_environment(user_fun)
    key = None
    if env is not None:
        target = user_fun
        while isinstance(target, functools.partial):  # the long-lived function under partials
            target = target.func
        # a function is its code plus what it sees (env): key on the code, so that a lambda written
        # inline in a Python loop (a new function object each time) is found again. The ids are those
        # of objects the entry holds (env), so they cannot be reused while it is cached.
        key = (target.__code__, in_tree, tuple(in_avals), what, config._trace_state, tuple(map(id, env)))
        hit = _trace_cache.get(key)
        if hit is not None and _same(hit[0], env):
            _trace_cache.move_to_end(key)
            return hit[1], list(hit[2]), hit[3]
    out = _trace_to_jaxpr(fun, in_tree, in_avals, what)
    if key is not None and not any(isinstance(c, Tracer) for c in out[1]):
        _trace_cache[key] = (env, out[0], tuple(out[1]), out[2])
        if len(_trace_cache) > _TRACE_CACHE_SIZE:
            _trace_cache.popitem(last=False)
    return out


def clear_trace_cache():
    _trace_cache.clear()
    _code_names_memo.clear()


def _trace_to_jaxpr(fun: Callable, in_tree, in_avals: Sequence, what: str):
    global trace_count
    trace_count += 1
    store = []

    def flat_fun(*leaves):
        args = tree_util.tree_unflatten(in_tree, leaves)
        out = fun(*args)
        out_leaves, out_tree = tree_util.tree_flatten(out)
        for o in out_leaves:
            if not isinstance(o, Tracer) and not core.valid_jaxtype(o):
                raise TypeError(f"{what} returned a value of type {type(o)}, which is not a valid JAX "
                                "type; return arrays, scalars or pytrees of them.")
        store.append(out_tree)
        return out_leaves

    jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(flat_fun, list(in_avals))
    jaxpr = pe.convert_constvars_jaxpr(jaxpr)
    return ClosedJaxpr(jaxpr, []), list(consts), store[0]


def trace_closed(fn: Callable, in_avals: Sequence) -> ClosedJaxpr:
    """Trace a rule-internal function (flat lists in and out) to a ClosedJaxpr.

    ``fn`` may only use its arguments and concrete values, so the constants are concrete."""
    jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(fn, list(in_avals))
    if any(isinstance(c, Tracer) for c in consts):
        raise RuntimeError("internal error: a control-flow rule closed over a traced value")
    return ClosedJaxpr(jaxpr, consts)


def merge_common_consts(closeds: Sequence[ClosedJaxpr], constss: Sequence[list]):
    """Give every branch the same leading const operands (the union, without duplicates)."""
    all_consts, index = [], {}
    for consts in constss:
        for c in consts:
            if id(c) not in index:
                index[id(c)] = len(all_consts)
                all_consts.append(c)
    out = []
    for closed, consts in zip(closeds, constss):
        jaxpr = closed.jaxpr
        n = len(consts)
        own = jaxpr.invars[:n]
        new_consts = [Var(core.get_aval(c)) for c in all_consts]
        for v, c in zip(own, consts):
            new_consts[index[id(c)]] = v
        out.append(ClosedJaxpr(jaxpr.replace(invars=new_consts + jaxpr.invars[n:]), closed.consts))
    return out, all_consts


# ---------------------------------------------------------------------------------------------------
# Jaxpr surgery
# ---------------------------------------------------------------------------------------------------

def permute_invars(closed: ClosedJaxpr, order: Sequence[int]) -> ClosedJaxpr:
    """New invars ``[invars[i] for i in order]`` (same equations)."""
    invars = closed.jaxpr.invars
    assert sorted(order) == list(range(len(invars)))
    return ClosedJaxpr(closed.jaxpr.replace(invars=[invars[i] for i in order]), closed.consts)


def select_outvars(closed: ClosedJaxpr, idxs: Sequence[int]) -> ClosedJaxpr:
    outvars = closed.jaxpr.outvars
    return ClosedJaxpr(closed.jaxpr.replace(outvars=[outvars[i] for i in idxs]), closed.consts)


def add_unused_invars(closed: ClosedJaxpr, avals: Sequence, at: int) -> ClosedJaxpr:
    """Insert unused inputs of the given avals at position ``at``."""
    invars = list(closed.jaxpr.invars)
    new = [Var(a) for a in avals]
    return ClosedJaxpr(closed.jaxpr.replace(invars=invars[:at] + new + invars[at:]), closed.consts)


def forwarded_inputs(closed: ClosedJaxpr) -> list:
    """For each output, the index of the input it is (unchanged), else None."""
    pos = {v: i for i, v in enumerate(closed.jaxpr.invars)}
    return [pos.get(v) if isinstance(v, Var) else None for v in closed.jaxpr.outvars]


def move_invars_to_front(closed: ClosedJaxpr, to_front: Sequence[bool]) -> ClosedJaxpr:
    """The invars marked in ``to_front`` first (in order), then the others."""
    n = len(to_front)
    return permute_invars(closed, [i for i in range(n) if to_front[i]] +
                          [i for i in range(n) if not to_front[i]])


def uses_invar(jaxpr: Jaxpr, v) -> bool:
    if any(o is v for o in jaxpr.outvars):
        return True
    return any(i is v for e in jaxpr.eqns for i in e.invars)


def typematch(a, b) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype


def is_zero(t) -> bool:
    return type(t) in (ad.Zero, ad.SymbolicZero) or ad.is_float0_value(t)


def split(xs, sizes):
    xs = list(xs)
    out, i = [], 0
    for n in sizes:
        out.append(xs[i:i + n])
        i += n
    out.append(xs[i:])
    return out


# ---------------------------------------------------------------------------------------------------
# Running inner jaxprs
# ---------------------------------------------------------------------------------------------------

def _op_by_op(closed: ClosedJaxpr) -> Callable:
    """Evaluate equation by equation under the eval trace, so that jax_debug_nans/infs names the
    primitive inside the loop body that produced the NaN (as JAX does when it re-runs op by op)."""
    def run(*args):
        ins = [a if isinstance(a, core.Array) else core.Array._from_np(np.asarray(a)) for a in args]
        with set_current_trace(core.eval_trace):
            outs = core.eval_jaxpr(closed.jaxpr, closed.consts, *ins)
        return [o._value if isinstance(o, core.Array) else np.asarray(o) for o in outs]
    return run


def runner(closed: ClosedJaxpr) -> Callable:
    """A NumPy function for ``closed``: the compiled program (cached on the jaxpr), or an op-by-op
    evaluator while jax_debug_nans/jax_debug_infs is on."""
    if core._debug_checks_enabled():
        return _op_by_op(closed)
    return numpy_backend.compile_closed(closed)


# ---------------------------------------------------------------------------------------------------
# Transforming inner jaxprs
# ---------------------------------------------------------------------------------------------------

def jvp_jaxpr(closed: ClosedJaxpr, nonzeros: Sequence[bool], instantiate):
    """``(primals, nonzero tangents) -> (primal outs, nonzero tangent outs)``; see ad.jvp_jaxpr."""
    return ad.jvp_jaxpr(closed, list(nonzeros), instantiate)


def batch_jaxpr(closed: ClosedJaxpr, axis_data, in_batched: Sequence[bool], instantiate):
    """Batch ``closed`` over a leading axis. Batched inputs and outputs carry the batch at dim 0.

    Returns ``(batched_closed, out_batched)``; ``instantiate[i]`` forces output i to be batched.
    """
    return batch_jaxpr_axes(closed, axis_data, [0 if b else None for b in in_batched], 0, instantiate)


def batch_jaxpr_axes(closed: ClosedJaxpr, axis_data, in_dims: Sequence, out_dim: int, instantiate):
    """``batch_jaxpr`` with the batch of input i at dim ``in_dims[i]`` (None: unbatched) and of every
    batched output at dim ``out_dim``."""
    size = axis_data.size
    n_out = len(closed.jaxpr.outvars)
    if isinstance(instantiate, bool):
        instantiate = [instantiate] * n_out
    in_avals = [a if d is None else ShapedArray(a.shape[:d] + (size,) + a.shape[d:], a.dtype, a.weak_type)
                for a, d in zip(closed.in_avals, in_dims)]
    store = {}

    def fn(*args):
        parent = core.trace_ctx.trace
        trace = batching.BatchTrace(parent, axis_data)
        ins = [x if d is None else batching.BatchTracer(trace, x, d) for x, d in zip(args, in_dims)]
        try:
            with set_current_trace(trace):
                outs = core.eval_jaxpr(closed.jaxpr, closed.consts, *ins)
            res, out_b = [], []
            for o, inst in zip(outs, instantiate):
                v, d = trace.to_batch_info(o)
                if d is not None:
                    v = batching.moveaxis(v, d, out_dim)
                elif inst:
                    v = batching.matchaxis(None, out_dim, size, v)
                res.append(v)
                out_b.append(d is not None or bool(inst))
        finally:
            trace.invalidate()
        store["out_batched"] = out_b
        return res

    return trace_closed(fn, in_avals), store["out_batched"]


def transpose_jaxpr(closed: ClosedJaxpr, linear: Sequence[bool], zero_cts=None, accum=None,
                    accum_avals=None) -> ClosedJaxpr:
    """The transpose of ``closed`` w.r.t. its ``linear`` inputs.

    The result takes ``(*non-linear inputs, *cotangents of the outputs)`` and returns one cotangent
    (zeros instantiated) per linear input. Outputs marked in ``zero_cts`` have a symbolic zero
    cotangent, which is not an input. As JAX's scan transpose, linear inputs marked in ``accum`` are
    accumulators: the result takes their initial values after the non-linear inputs and adds their
    cotangents to them as they arise; ``accum_avals`` (one per linear input, None to keep its own) is
    the aval the transpose rules of a linear input's uses see.
    """
    jaxpr = closed.jaxpr
    res_vars = [v for v, l in zip(jaxpr.invars, linear) if not l]
    lin_vars = [v for v, l in zip(jaxpr.invars, linear) if l]
    inner = Jaxpr(list(jaxpr.constvars) + res_vars, lin_vars, jaxpr.outvars, jaxpr.eqns, jaxpr.effects)
    res_avals = [v.aval for v in res_vars]
    zero_cts = zero_cts or [False] * len(closed.out_avals)
    ct_avals = [a.to_tangent_aval() for a, z in zip(closed.out_avals, zero_cts) if not z]
    accum = accum or [False] * len(lin_vars)
    init_avals = [v.aval.to_tangent_aval() for v, a in zip(lin_vars, accum) if a]
    n_res, n_init = len(res_avals), len(init_avals)

    def fn(*args):
        res, init, cts = args[:n_res], iter(args[n_res:n_res + n_init]), iter(args[n_res + n_init:])
        cts = [ad.Zero(a.to_tangent_aval()) if z else next(cts) for a, z in zip(closed.out_avals, zero_cts)]
        ct_init = [next(init) if a else None for a in accum]
        cts_in = ad.backward_pass(inner, list(closed.consts) + list(res), None, cts, ct_init, accum_avals)
        return [instantiate_ct(ct, v.aval) for ct, v in zip(cts_in, lin_vars)]

    return trace_closed(fn, res_avals + init_avals + ct_avals)


def instantiate_ct(ct, aval):
    if ct is None or type(ct) in (ad.Zero, ad.SymbolicZero):
        return ad.zeros_like_aval(aval.to_tangent_aval())
    return ct


def zeros_like(aval):
    return ad.zeros_like_aval(aval)


class _LeafMarker:
    def __repr__(self):
        return "pytree leaf"


_LEAF = _LeafMarker()


def structure_diffs(tree1, tree2):
    """``(path, thing1, thing2, explanation)`` for each place where two treedefs differ."""
    a = tree_util.tree_unflatten(tree1, [_LEAF] * tree1.num_leaves)
    b = tree_util.tree_unflatten(tree2, [_LEAF] * tree2.num_leaves)
    out = []
    _diffs((), a, b, out)
    return out


def _diffs(path, a, b, out):
    def thing(x):
        return "pytree leaf" if x is _LEAF else str(type(x))
    if a is _LEAF and b is _LEAF:
        return
    if a is _LEAF or b is _LEAF or type(a) is not type(b):
        out.append((path, thing(a), thing(b), "their Python types differ"))
    elif isinstance(a, dict):
        if sorted(a, key=repr) != sorted(b, key=repr):
            out.append((path, f"dict with keys {sorted(a, key=repr)}", f"dict with keys "
                        f"{sorted(b, key=repr)}", "the sets of keys do not match"))
        else:
            for k in a:
                _diffs(path + (tree_util.DictKey(k),), a[k], b[k], out)
    elif isinstance(a, (list, tuple)):
        if len(a) != len(b):
            out.append((path, f"{type(a).__name__} of length {len(a)}",
                        f"{type(b).__name__} of length {len(b)}", "the lengths do not match"))
        else:
            for i, (x, y) in enumerate(zip(a, b)):
                _diffs(path + (tree_util.SequenceKey(i),), x, y, out)
    else:
        ta, tb = tree_util.tree_structure(a), tree_util.tree_structure(b)
        if ta != tb:
            out.append((path, f"{type(a)} node {ta}", f"{type(b)} node {tb}",
                        "their structures differ"))


# ---------------------------------------------------------------------------------------------------
# Type checks with JAX's messages
# ---------------------------------------------------------------------------------------------------

def _capitalize(s: str) -> str:
    return s[:1].upper() + s[1:]


def _mismatch_extra(a1, a2) -> str:
    m = []
    if a1.dtype != a2.dtype:
        m.append("the dtypes do not match")
    if a1.shape != a2.shape:
        m.append("the shapes do not match")
    if not m:
        return ""
    if len(m) == 1:
        return ", so " + m[0]
    return ", so " + ", ".join(m[:-1]) + ", and " + m[-1]


def _paths(tree, n):
    dummy = tree_util.tree_unflatten(tree, list(range(n)))
    return [p for p, _ in tree_util.tree_flatten_with_path(dummy)[0]]


def _join_diffs(diffs, sep=";\n"):
    if len(diffs) == 1:
        return f"{_capitalize(diffs[0])}.\n"
    return "\n".join(f"  * {d};\n" for d in diffs[:-1]) + f"  * {diffs[-1]}.\n"


def check_branch_outputs(api_name, name1, name2, f1, f2, tree1, avals1, tree2, avals2):
    info1, info2 = fun_sourceinfo(f1), fun_sourceinfo(f2)
    if tree1 != tree2:
        comp = lambda p: f" at path {tree_util.keystr(p)}" if p else ""  # noqa: E731
        diffs = [f"{name1} output{comp(p)} is a {t1} but {name2} output{comp(p)} is a {t2}, so {why}"
                 for p, t1, t2, why in structure_diffs(tree1, tree2)] or \
                [f"{name1} output has pytree structure {tree1} but {name2} output has pytree "
                 f"structure {tree2}"]
        if len(diffs) == 1:
            differences = f"{diffs[0]}.\n"
        else:
            differences = "\n".join(f"  * {d};\n" for d in diffs[:-1]) + f"  * {diffs[-1]}.\n"
        raise TypeError(
            f"{api_name} branch outputs must have the same pytree structure, but they differ:\n\n"
            f"{name1} is {info1}\n{name2} is {info2}\n\n{differences}\n"
            f"Revise {name1} and/or {name2} so that they have the same pytree structure.")
    if all(typematch(a, b) for a, b in zip(avals1, avals2)):
        return
    paths = _paths(tree1, len(avals1))
    comp = lambda p: f" at path {tree_util.keystr(p)}" if p else ""  # noqa: E731
    diffs = [f"the output of {name1}{comp(p)} has type {a1.str_short(short_dtypes=False)} but the "
             f"corresponding output of {name2} has type {a2.str_short(short_dtypes=False)}"
             f"{_mismatch_extra(a1, a2)}"
             for p, a1, a2 in zip(paths, avals1, avals2) if not typematch(a1, a2)]
    if len(diffs) == 1:
        differences = f"{_capitalize(diffs[0])}.\n"
    else:
        differences = "\n".join(f"  * {d};" for d in diffs[:-1]) + f"\n  * {diffs[-1]}.\n"
    raise TypeError(
        f"{api_name} branches must have equal output types but they differ.\n\n"
        f"{name1} is {info1}\n{name2} is {info2}\n\n{differences}\n"
        f"Revise {name1} and/or {name2} so that all output types match.")


def check_carry_type(name, body_fun, in_tree, in_avals, out_tree, out_avals):
    """The loop body must return a carry of the same structure, shapes and dtypes as it received."""
    import inspect
    try:
        sig = inspect.signature(body_fun)
        carry_name = list(sig.parameters)[0] if sig.parameters else None
    except (ValueError, TypeError):
        carry_name = None
    if carry_name:
        component = lambda p: (f"the input carry component {carry_name}{tree_util.keystr(p)}"  # noqa
                               if p else f"the input carry {carry_name}")
    else:
        component = lambda p: (f"the input carry at path {tree_util.keystr(p)}"  # noqa
                               if p else "the input carry")
    if in_tree != out_tree:
        diffs = [f"{component(p)} is a {t1} but the corresponding component of the carry output is a "
                 f"{t2}, so {why}" for p, t1, t2, why in structure_diffs(in_tree, out_tree)]
        differences = _join_diffs(diffs) if diffs else \
            (f"the input tree structure is:\n{in_tree}\nthe output tree structure is:\n{out_tree}\n")
        raise TypeError(
            f"{name} function carry input and carry output must have the same pytree structure, but "
            f"they differ:\n\n{differences}\n"
            "Revise the function so that the carry output has the same pytree structure as the carry "
            "input.")
    if all(typematch(a, b) for a, b in zip(in_avals, out_avals)):
        return
    paths = _paths(in_tree, len(in_avals))
    diffs = [f"{component(p)} has type {a.str_short(short_dtypes=False)} but the corresponding output "
             f"carry component has type {b.str_short(short_dtypes=False)}{_mismatch_extra(a, b)}"
             for p, a, b in zip(paths, in_avals, out_avals) if not typematch(a, b)]
    raise TypeError(
        f"{name} function carry input and carry output must have equal types, but they differ:\n\n"
        f"{_join_diffs(diffs)}\n"
        "Revise the function so that all output types match the corresponding input types.")


def promote_weak_typed_inputs(vals, in_avals, out_avals):
    """A weakly typed initial carry (e.g. a Python scalar) takes the dtype the body gives it, as in
    JAX. Returns ``(new_vals, changed)``."""
    from jaxlite._src.lax.elementwise import _convert_element_type
    new, changed = [], False
    for v, a, b in zip(vals, in_avals, out_avals):
        if a.weak_type and not typematch(a, b):
            v = _convert_element_type(v, dtypes.result_type(v, b.dtype), weak_type=False)
            changed = True
        new.append(v)
    return new, changed
