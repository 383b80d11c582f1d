"""``lax.custom_linear_solve`` and ``lax.custom_root``: solvers differentiated implicitly.

Both trace the user's functions to jaxprs once and differentiate the *equation being solved* instead
of the solver's iterations (which may be a ``while_loop``, not differentiable in reverse mode):

- ``custom_linear_solve(matvec, b, solve, transpose_solve)`` is the primitive ``custom_linear_solve``.
  For ``A x = b``: ``dx = A^{-1} (db - dA x)`` (forward mode re-uses ``solve``); the solution is linear in
  ``b`` and its transpose solves with ``A^T`` (``transpose_solve`` applied to ``vecmat``, the transpose of
  ``matvec`` computed by autodiff).
- ``custom_root(f, x0, solve, tangent_solve)`` is a ``custom_jvp`` function: by the implicit function
  theorem, at a root ``x*`` of ``f(theta, x)``, ``dx* = -(d_x f)^{-1} (d_theta f)[dtheta]``, with the
  inverse applied by ``tangent_solve`` on ``f`` linearised at ``x*``.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, NamedTuple

import numpy as np

from jaxlite._src import core, tree_util
from jaxlite._src.core import Primitive, ShapedArray
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.interpreters.ad import SymbolicZero, Zero
from jaxlite._src.lax.control_flow import common

__all__ = ["custom_linear_solve", "custom_root", "linear_solve_p"]


def _is_zero(t):
    return type(t) in (Zero, SymbolicZero)


def _split_list(xs, sizes):
    out, i = [], 0
    for n in sizes:
        out.append(list(xs[i:i + n]))
        i += n
    return out, list(xs[i:])


def _shape_check(fun, name, b_leaves, has_aux):
    """Wrap ``fun`` so that its (non-aux) output leaves must have the shapes of ``b``."""
    want = [np.shape(x) if not isinstance(x, core.Tracer) else x.aval.shape for x in b_leaves]

    def checked(x):
        out = fun(x)
        ys = out[0] if has_aux else out
        got = [tuple(core.get_aval(y).shape) for y in tree_util.tree_leaves(ys)]
        if got != [tuple(w) for w in want]:
            raise ValueError(f"{name}() output shapes must match b, got {got} and {[tuple(w) for w in want]}")
        return out
    return checked


def _check_tree(func_name, expected_name, actual_tree, expected_tree, has_aux=False):
    if has_aux:
        children = tree_util.treedef_children(actual_tree) if hasattr(tree_util, "treedef_children") \
            else actual_tree.children()
        if len(children) != 2:
            raise TypeError(f"{func_name}() with has_aux=True must return a pair (solution, aux)")
        actual_tree = children[0]
    if actual_tree != expected_tree:
        raise TypeError(f"{func_name}() output pytree structure must match {expected_name}, got "
                        f"{actual_tree} and {expected_tree}.")


# ---------------------------------------------------------------------------------------------------
# custom_linear_solve
# ---------------------------------------------------------------------------------------------------

class _LinearSolveTuple(NamedTuple):
    matvec: Any
    vecmat: Any
    solve: Any
    transpose_solve: Any

    def transpose(self):
        """The same four things for the transposed system ``A^T y = c``."""
        return type(self)(self.vecmat, self.matvec, self.transpose_solve, self.solve)


def _split_solve_args(args, const_lengths):
    groups, rest = _split_list(args, list(const_lengths))
    return _LinearSolveTuple(*groups), rest


def _flat(groups):
    return [x for g in groups for x in g]


def _run(closed, *args):
    return core.jaxpr_as_fun(closed)(*args)


def _linear_solve_impl(*args, const_lengths, jaxprs):
    params, b = _split_solve_args(args, const_lengths)
    vals = [a._value if isinstance(a, core.Array) else a for a in params.solve + b]
    return common.runner(jaxprs.solve)(*vals)


def _linear_solve_abstract(*avals, const_lengths, jaxprs):
    b_avals = list(avals[sum(const_lengths):])
    n_aux = len(jaxprs.solve.out_avals) - len(jaxprs.matvec.out_avals)
    aux = list(jaxprs.solve.out_avals[len(jaxprs.solve.out_avals) - n_aux:]) if n_aux else []
    return b_avals + aux


linear_solve_p = Primitive("custom_linear_solve")
linear_solve_p.multiple_results = True


class _Verbatim(str):
    """A param printed as this text (not as nested jaxprs)."""


def _linear_solve_pp(params):
    # JAX prints the four jaxprs as the namedtuple's own text: each jaxpr on its own (names from
    # ``a``, its shared sub-jaxprs in front of it); the enclosing jaxpr still lists their large
    # sub-jaxprs in front of itself
    return {**params, "jaxprs": _Verbatim(repr(params["jaxprs"]))}


linear_solve_p.pp_params = _linear_solve_pp
linear_solve_p.def_impl(_linear_solve_impl)
linear_solve_p.def_abstract_eval(_linear_solve_abstract)


def _linear_solve_jvp(primals, tangents, *, const_lengths, jaxprs):
    # A x = b  =>  dA x + A dx = db  =>  dx = A^{-1} (db - dA x)
    kw = dict(const_lengths=const_lengths, jaxprs=jaxprs)
    outs = linear_solve_p.bind(*primals, **kw)
    params, b = _split_solve_args(primals, const_lengths)
    params_dot, b_dot = _split_solve_args(tangents, const_lengths)
    n_x = len(b)
    x = outs[:n_x]
    rhs = list(b_dot)
    if not all(_is_zero(t) for t in params_dot.matvec):
        # dA x: the JVP of matvec in its constants only, at x
        p_tan = list(params_dot.matvec) + [Zero.from_primal_value(v) for v in x]
        _, dAx = ad.jvp_flat(functools.partial(_run, jaxprs.matvec), list(params.matvec) + list(x), p_tan,
                             instantiate=False)
        from jaxlite._src.lax import elementwise as ew
        # db + (-dA x), as JAX adds them
        rhs = [ad.add_tangents(r, d if _is_zero(d) else ew.neg(d)) for r, d in zip(rhs, dAx)]
    aux_zero = [Zero.from_primal_value(o) for o in outs[n_x:]]
    if all(_is_zero(r) for r in rhs):
        return outs, [Zero.from_primal_value(v) for v in x] + aux_zero
    rhs = [ad.instantiate_zeros(r) for r in rhs]
    dx = linear_solve_p.bind(*_flat(params), *rhs, **kw)
    return outs, list(dx[:n_x]) + aux_zero


def _linear_solve_transpose(cts, *args, const_lengths, jaxprs):
    if jaxprs.transpose_solve is None:
        raise TypeError("transpose_solve required for backwards mode automatic differentiation of "
                        "custom_linear_solve")
    params, b = _split_solve_args(args, const_lengths)
    if any(ad.is_undefined_primal(p) for p in _flat(params)):
        raise NotImplementedError("custom_linear_solve: transposing with respect to the constants of "
                                  "matvec/solve (the linear map itself) is not supported; only b is linear")
    x_cts = [common.instantiate_ct(c, a.aval if ad.is_undefined_primal(a) else core.get_aval(a))
             for c, a in zip(cts[:len(b)], b)]
    if all(_is_zero(c) for c in cts[:len(b)]):
        return [None] * len(args)
    b_cts = linear_solve_p.bind(*_flat(params.transpose()), *x_cts,
                                const_lengths=const_lengths.transpose(), jaxprs=jaxprs.transpose())
    return [None] * sum(const_lengths) + [c if ad.is_undefined_primal(a) else None
                                          for c, a in zip(b_cts[:len(b)], b)]


def _linear_solve_batch(axis_data, vals, dims, *, const_lengths, jaxprs):
    # batch everything along a leading axis: constants that are batched and the whole of b (so x, and
    # every vector any of the four maps sees, carries the batch dimension)
    size = axis_data.size
    params_v, b_v = _split_solve_args(vals, const_lengths)
    params_d, b_d = _split_solve_args(dims, const_lengths)
    new_params = [[batching.moveaxis(v, d, 0) if d is not None else v for v, d in zip(vs, ds)]
                  for vs, ds in zip(params_v, params_d)]
    new_b = [batching.bdim_at_front(v, d, size) for v, d in zip(b_v, b_d)]
    new_jaxprs = []
    for j, ds in zip(jaxprs, params_d):
        if j is None:
            new_jaxprs.append(None)
            continue
        nb = len(j.in_avals) - len(ds)
        bj, _ = common.batch_jaxpr(j, axis_data, [d is not None for d in ds] + [True] * nb, True)
        new_jaxprs.append(bj)
    outs = linear_solve_p.bind(*_flat(new_params), *new_b, const_lengths=const_lengths,
                               jaxprs=_LinearSolveTuple(*new_jaxprs))
    return outs, [0] * len(outs)


ad.primitive_jvps[linear_solve_p] = _linear_solve_jvp
ad.primitive_transposes[linear_solve_p] = _linear_solve_transpose
batching.axis_primitive_batchers[linear_solve_p] = _linear_solve_batch


def _trace(fun, example, what):
    """Trace ``fun(example)``: (closed jaxpr taking (*consts, *leaves), consts, out tree)."""
    leaves, tree = tree_util.tree_flatten((example,))
    avals = [common.leaf_aval(x, what) for x in leaves]
    return common.trace_to_jaxpr(fun, tree, avals, what)


def custom_linear_solve(matvec: Callable, b: Any, solve: Callable[[Callable, Any], Any],
                        transpose_solve: Callable[[Callable, Any], Any] | None = None, symmetric=False,
                        has_aux=False):
    """Solve ``matvec(x) == b`` with ``solve(matvec, b)``, differentiating by implicit differentiation.

    Gradients never go through ``solve``'s iterations: forward mode solves again for the tangent
    (``A dx = db - dA x``) and reverse mode solves the transposed system with
    ``transpose_solve(vecmat, ct)`` (``vecmat`` is ``matvec``'s transpose, found by autodiff; with
    ``symmetric=True``, ``solve`` and ``matvec`` are reused). ``b`` may be a pytree of arrays.

    >>> A = jnp.array([[2., 1.], [1., 3.]])
    >>> x = lax.custom_linear_solve(lambda v: A @ v, jnp.ones(2),
    ...                             solve=lambda mv, b: jnp.linalg.solve(A, b), symmetric=True)
    """
    if transpose_solve is None and symmetric:
        transpose_solve = solve
    b_leaves, b_tree = tree_util.tree_flatten(b)

    mv_jaxpr, mv_consts, out_tree = _trace(_shape_check(matvec, "matvec", b_leaves, False), b,
                                           "custom_linear_solve matvec")
    _check_tree("matvec", "b", out_tree, b_tree)
    s_jaxpr, s_consts, s_tree = _trace(_shape_check(functools.partial(solve, matvec), "solve", b_leaves,
                                                    has_aux), b, "custom_linear_solve solve")
    _check_tree("solve", "b", s_tree, b_tree, has_aux)

    if transpose_solve is None:
        vm_jaxpr = ts_jaxpr = None
        vm_consts, ts_consts = [], []
    else:
        if symmetric:
            vecmat, vm_jaxpr, vm_consts = matvec, mv_jaxpr, mv_consts
        else:
            from jaxlite._src.ad_api import linear_transpose

            def vecmat(x):
                (y,) = linear_transpose(matvec, b)(x)
                return y
            vm_jaxpr, vm_consts, vm_tree = _trace(vecmat, b, "custom_linear_solve transpose_solve")
            _check_tree("vecmat", "b", vm_tree, b_tree)
        ts_jaxpr, ts_consts, ts_tree = _trace(
            _shape_check(functools.partial(transpose_solve, vecmat), "transpose_solve", b_leaves, has_aux), b,
            "custom_linear_solve transpose_solve")
        _check_tree("transpose_solve", "b", ts_tree, b_tree, has_aux)

    groups = [mv_consts, vm_consts, s_consts, ts_consts]
    const_lengths = _LinearSolveTuple(*[len(g) for g in groups])
    jaxprs = _LinearSolveTuple(mv_jaxpr, vm_jaxpr, s_jaxpr, ts_jaxpr)
    from jaxlite._src.numpy.util import _to_array
    outs = linear_solve_p.bind(*_flat(groups), *[_to_array(x) for x in b_leaves], const_lengths=const_lengths,
                               jaxprs=jaxprs)
    return tree_util.tree_unflatten(s_tree, outs)


# ---------------------------------------------------------------------------------------------------
# custom_root
# ---------------------------------------------------------------------------------------------------

class _RootTuple(NamedTuple):
    f: Any
    solve: Any
    l_and_s: Any


def _split_root_args(args, const_lengths):
    groups, rest = _split_list(args, list(const_lengths))
    return _RootTuple(*groups), rest


def _custom_root_impl(const_lengths, jaxprs, *args):
    params, guess = _split_root_args(args, const_lengths)
    return _run(jaxprs.solve, *params.solve, *guess)


def _custom_root_jvp(const_lengths, jaxprs, primals, tangents):
    from jaxlite._src.lax import elementwise as ew
    params, _ = _split_root_args(primals, const_lengths)
    params_dot, _ = _split_root_args(tangents, const_lengths)
    outs = _custom_root(const_lengths, jaxprs, *primals)
    n = len(jaxprs.f.out_avals)
    sol, aux = list(outs[:n]), list(outs[n:])
    # implicit function theorem: d_x f . dx = -(d_theta f . dtheta)
    f_at_sol = lambda *theta: _run(jaxprs.f, *theta, *sol)  # noqa: E731
    _, rhs = ad.jvp_flat(f_at_sol, list(params.f), list(params_dot.f))
    dx = _run(jaxprs.l_and_s, *params.l_and_s, *sol, *rhs)
    from jaxlite._src.interpreters.ad import zeros_like_aval
    return outs, [ew.neg(t) for t in dx] + [zeros_like_aval(core.get_aval(a).to_tangent_aval()) for a in aux]


def _make_custom_root():
    from jaxlite._src.custom_derivatives import custom_jvp
    fn = custom_jvp(_custom_root_impl, nondiff_argnums=(0, 1))
    fn.defjvp(_custom_root_jvp)
    return fn


_custom_root = _make_custom_root()


def custom_root(f: Callable, initial_guess: Any, solve: Callable[[Callable, Any], Any],
                tangent_solve: Callable[[Callable, Any], Any], has_aux=False):
    """Find a root of ``f`` with ``solve(f, initial_guess)``, differentiable through the implicit
    function theorem with respect to the values ``f`` closes over.

    ``tangent_solve(g, y)`` must solve the linear system ``g(x) = y`` for ``x``, where ``g`` is ``f``
    linearised at the root; for a scalar root ``lambda g, y: y / g(1.0)`` works. With ``has_aux``,
    ``solve`` returns ``(solution, aux)`` and ``aux`` gets zero derivatives.

    >>> def sqrt_newton(a):
    ...     f = lambda x: x ** 2 - a
    ...     newton = lambda f, x0: lax.fori_loop(0, 20, lambda i, x: x - f(x) / (2 * x), x0)
    ...     return lax.custom_root(f, 1.0, newton, lambda g, y: y / g(1.0))
    >>> jax.grad(sqrt_newton)(4.0)   # 1 / (2 sqrt(4)) = 0.25
    """
    guess_leaves, guess_tree = tree_util.tree_flatten(initial_guess)
    f_jaxpr, f_consts, f_tree = _trace(f, initial_guess, "custom_root f")
    _check_tree("f", "initial_guess", f_tree, guess_tree)
    s_jaxpr, s_consts, s_tree = _trace(functools.partial(solve, f), initial_guess, "custom_root solve")
    _check_tree("solve", "initial_guess", s_tree, guess_tree, has_aux)

    def linearize_and_solve(x, b):
        from jaxlite._src.ad_api import linearize
        _, f_lin = linearize(f, x)
        return tangent_solve(f_lin, b)

    leaves, pair_tree = tree_util.tree_flatten((initial_guess, initial_guess))
    avals = [common.leaf_aval(x, "custom_root") for x in leaves]
    ls_jaxpr, ls_consts, ls_tree = common.trace_to_jaxpr(linearize_and_solve, pair_tree, avals,
                                                         "custom_root tangent_solve")
    _check_tree("tangent_solve", "x", ls_tree, guess_tree)

    groups = [f_consts, s_consts, ls_consts]
    const_lengths = _RootTuple(*[len(g) for g in groups])
    jaxprs = _RootTuple(f_jaxpr, s_jaxpr, ls_jaxpr)
    outs = _custom_root(const_lengths, jaxprs, *_flat(groups), *guess_leaves)
    return tree_util.tree_unflatten(s_tree, outs)
