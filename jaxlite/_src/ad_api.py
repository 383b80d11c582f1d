"""The differentiation API: jvp, linearize, vjp, grad, value_and_grad, jacfwd, jacrev, hessian.

Everything here is pytree plumbing and argument checking around three flat operations of
``interpreters/ad.py``: ``jvp_flat`` (forward mode), ``linearize_flat`` (JVP + partial evaluation) and
``backward_pass`` (transposition of the linear jaxpr).
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Sequence

import numpy as np

from jaxlite._src import core, dtypes, tree_util
from jaxlite._src.core import Tracer, get_aval
from jaxlite._src.interpreters import ad
from jaxlite._src.interpreters.ad import Zero
from jaxlite._src.tree_util import (Partial, tree_flatten, tree_map, tree_structure, tree_transpose,
                                    tree_unflatten)


# ---------------------------------------------------------------------------------------------------
# argument helpers
# ---------------------------------------------------------------------------------------------------

def _check_callable(fun):
    if not callable(fun):
        raise TypeError(f"Expected a callable value, got {fun}")
    if inspect.isgeneratorfunction(fun):
        raise TypeError(f"Expected a function, got a generator function: {fun}")


def _ensure_index(x) -> int | tuple[int, ...]:
    if isinstance(x, (int, np.integer)):
        return int(x)
    try:
        return tuple(int(i) for i in x)
    except TypeError:
        raise TypeError(f"argnums must be an int or a sequence of ints, got {x!r}") from None


def _ensure_inbounds(num_args: int, argnums: Sequence[int]) -> tuple[int, ...]:
    out = []
    for i in argnums:
        if not -num_args <= i < num_args:
            raise ValueError(
                "Positional argument indices, e.g. for `argnums`, must have value greater than or "
                f"equal to -len(args) and less than len(args), but got value {i} for "
                f"len(args) == {num_args}.")
        out.append(i % num_args)
    return tuple(out)


def argnums_partial(fun: Callable, argnums, args: Sequence, kwargs: dict):
    """``fun`` as a function of the ``argnums`` positional arguments only; the rest are fixed."""
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    nums = _ensure_inbounds(len(args), nums)
    fixed = list(args)
    dyn = tuple(args[i] for i in nums)

    def f_partial(*dyn_args):
        full = list(fixed)
        for i, x in zip(nums, dyn_args):
            full[i] = x
        return fun(*full, **kwargs)

    return f_partial, dyn


def _check_arg(x):
    if not (isinstance(x, Tracer) or core.valid_jaxtype(x)):
        raise TypeError(f"Argument '{x}' of type {type(x)} is not a valid JAX type.")


def _canonical(x):
    """A leaf as a jaxlite value (Python scalars and NumPy arrays become Arrays)."""
    if isinstance(x, (Tracer, core.Array)):
        return x
    _check_arg(x)
    from jaxlite._src.numpy.util import _to_array
    return _to_array(x)


class _FlatFun:
    """``fun`` on flat leaves: ``(*leaves) -> [*out_leaves, *aux_leaves]``; records the output trees."""

    def __init__(self, fun, in_tree, has_aux=False, what="function"):
        self.fun, self.in_tree, self.has_aux, self.what = fun, in_tree, has_aux, what
        self.out_tree = self.aux_tree = None
        self.n_out = 0

    def __call__(self, *leaves):
        args = tree_unflatten(self.in_tree, leaves)
        ans = self.fun(*args)
        if self.has_aux:
            if not (isinstance(ans, (tuple, list)) and len(ans) == 2):
                raise TypeError(
                    f"{self.what} with has_aux=True must return a pair (output, auxiliary_data) "
                    f"(a tuple of length 2), but got {type(ans).__name__}"
                    + (f" of length {len(ans)}" if isinstance(ans, (tuple, list)) else "") + ".")
            ans, aux = ans
            aux_leaves, self.aux_tree = tree_flatten(aux)
        else:
            aux_leaves = []
        out_leaves, self.out_tree = tree_flatten(ans)
        self.n_out = len(out_leaves)
        for o in out_leaves:
            if not (isinstance(o, Tracer) or core.valid_jaxtype(o)):
                raise TypeError(f"{self.what} output must be arrays or scalars (pytrees of them), "
                                f"got a leaf of type {type(o).__name__}: {o!r}")
        return [_canonical(o) for o in out_leaves] + [_canonical(a) if core.valid_jaxtype(a) or
                                                      isinstance(a, Tracer) else a for a in aux_leaves]

    def split(self, outs):
        outs = list(outs)
        out = tree_unflatten(self.out_tree, outs[:self.n_out])
        if not self.has_aux:
            return out, None
        return out, tree_unflatten(self.aux_tree, outs[self.n_out:])


def _dtype(x):
    return get_aval(x).dtype


# ---------------------------------------------------------------------------------------------------
# forward mode
# ---------------------------------------------------------------------------------------------------

def jvp(fun: Callable, primals, tangents, has_aux: bool = False):
    """Forward-mode Jacobian-vector product of ``fun`` at ``primals`` along ``tangents``.

    >>> y, dy = jax.jvp(jnp.sin, (0.1,), (0.2,))
    """
    _check_callable(fun)
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("primal and tangent arguments to jax.jvp must be tuples or lists; found "
                        f"{type(primals).__name__} and {type(tangents).__name__}.")
    return _jvp(fun, tuple(primals), tuple(tangents), has_aux)


def _jvp(fun, primals, tangents, has_aux=False):
    p_leaves, p_tree = tree_flatten(primals)
    t_leaves, t_tree = tree_flatten(tangents)
    if p_tree != t_tree:
        raise TypeError("primal and tangent arguments to jax.jvp must have the same tree structure; "
                        f"primals have tree structure {p_tree} whereas tangents have tree structure "
                        f"{t_tree}.")
    p_leaves = [_canonical(p) for p in p_leaves]
    ts = []
    for p, t in zip(p_leaves, t_leaves):
        pa = get_aval(p)
        want = pa.to_tangent_aval().dtype
        t = _canonical(t) if not dtypes.is_float0(getattr(t, "dtype", None)) else t
        tdt = np.asarray(t).dtype if dtypes.is_float0(getattr(t, "dtype", None)) else _dtype(t)
        if tdt != want:
            raise TypeError("primal and tangent arguments to jax.jvp do not match; dtypes must be "
                            "equal, or in case of int/bool primal dtype the tangent dtype must be "
                            f"float0. Got primal dtype {pa.dtype} and so expected tangent dtype "
                            f"{want}, but got tangent dtype {tdt} instead.")
        if np.shape(t) != pa.shape:
            raise ValueError("jvp called with different primal and tangent shapes; Got primal shape "
                             f"{pa.shape} and tangent shape as {np.shape(t)}")
        ts.append(Zero(pa.to_tangent_aval()) if dtypes.is_float0(tdt) else t)
    flat = _FlatFun(lambda *a: fun(*a), p_tree, has_aux, "jvp function")
    p_out, t_out = ad.jvp_flat(flat, p_leaves, ts, instantiate=True)
    n = flat.n_out
    out_p, aux = flat.split(p_out)
    out_t = tree_unflatten(flat.out_tree, t_out[:n])
    return (out_p, out_t, aux) if has_aux else (out_p, out_t)


def _linearize_tree(fun, primals, has_aux, what):
    """Linearize ``fun`` at the pytree ``primals`` (see ``ad.linearize_flat``)."""
    _check_callable(fun)
    p_leaves, p_tree = tree_flatten(primals)
    p_leaves = [_canonical(p) for p in p_leaves]
    flat = _FlatFun(fun, p_tree, has_aux, what)
    p_out, lin_jaxpr, residuals, out_zero = ad.linearize_flat(flat, p_leaves)
    return flat, p_leaves, p_tree, p_out, lin_jaxpr, residuals, out_zero


def linearize(fun: Callable, *primals, has_aux: bool = False):
    """``(fun(*primals), f_jvp)`` where ``f_jvp`` evaluates the JVP without re-linearizing."""
    flat, p_leaves, p_tree, p_out, lin_jaxpr, residuals, out_zero = _linearize_tree(
        fun, primals, has_aux, "linearize function")
    out, aux = flat.split(p_out)
    in_avals = [get_aval(p).to_tangent_aval() for p in p_leaves]
    out_avals = [get_aval(o).to_tangent_aval() for o in p_out[:flat.n_out]]
    n_out = flat.n_out
    closed = core.ClosedJaxpr(lin_jaxpr, list(residuals))

    def f_jvp(*tangents):
        t_leaves, t_tree = tree_flatten(tangents)
        if t_tree != p_tree:
            raise ValueError(f"linearized function called on tangent values inconsistent with the "
                             f"original primal values: expected tree structure {p_tree}, got {t_tree}")
        for t, a in zip(t_leaves, in_avals):
            if np.shape(t) != a.shape:
                raise ValueError(f"linearized function called on tangent values inconsistent with the "
                                 f"original primal values: got tangent of shape {np.shape(t)} for a "
                                 f"primal of shape {a.shape}")
        outs = core.eval_jaxpr(closed.jaxpr, closed.consts, *t_leaves)
        it = iter(outs)
        full = [ad.zeros_like_aval(a) if z else next(it) for a, z in zip(out_avals, out_zero[:n_out])]
        return tree_unflatten(flat.out_tree, full)

    return (out, f_jvp, aux) if has_aux else (out, f_jvp)


# ---------------------------------------------------------------------------------------------------
# reverse mode
# ---------------------------------------------------------------------------------------------------

def _vjp_bwd(info, residuals, ct):
    lin_jaxpr, in_tree, out_tree, out_avals, out_zero, in_avals, n_out, fun_name = info
    ct_leaves, ct_tree = tree_flatten(ct, is_leaf=lambda x: isinstance(x, Zero))
    if ct_tree != out_tree:
        raise ValueError(
            f"unexpected tree structure of argument to vjp function: got {ct_tree}, but expected to "
            f"match {out_tree}. The argument to a VJP function returned by `jax.vjp` must match the "
            f"pytree structure of the output of the differentiated function {fun_name}.")
    cts = []
    for c, a in zip(ct_leaves, out_avals):
        if isinstance(c, Zero):
            cts.append(c)
            continue
        c = _canonical(c) if not dtypes.is_float0(getattr(c, "dtype", None)) else c
        ca = get_aval(c) if not dtypes.is_float0(getattr(c, "dtype", None)) else \
            core.ShapedArray(np.shape(c), dtypes.float0)
        want = a.to_tangent_aval()
        if ca.shape != want.shape or (ca.dtype != want.dtype and not
                                      (dtypes.is_float0(want.dtype) or dtypes.is_float0(ca.dtype))):
            raise ValueError(
                "unexpected JAX type (e.g. shape/dtype) for argument to vjp function: got "
                f"{ca.str_short()}, but expected {want.str_short()} because the corresponding output "
                f"of the function {fun_name} had JAX type {a.str_short()}")
        cts.append(Zero(want) if dtypes.is_float0(ca.dtype) else c)
    # auxiliary outputs (has_aux) come after the main ones and get zero cotangents
    cts += [Zero(a) for a in lin_jaxpr_aux_avals(out_zero, n_out, lin_jaxpr)]
    nz_cts = [c for c, z in zip(cts, out_zero) if not z]
    in_cts = ad.backward_pass(lin_jaxpr, residuals, in_avals, nz_cts)
    in_cts = [ad.instantiate_zeros(c) if type(c) in (Zero, ad.SymbolicZero)
              else _match_tangent(c, a) for c, a in zip(in_cts, in_avals)]
    return tree_unflatten(in_tree, in_cts)


def lin_jaxpr_aux_avals(out_zero, n_out, lin_jaxpr):
    # the avals of auxiliary outputs are irrelevant (their cotangents are symbolic zeros)
    return [None] * (len(out_zero) - n_out)


def _match_tangent(c, aval):
    """A cotangent with exactly the tangent aval's dtype (weak-type aside)."""
    if dtypes.is_float0(aval.dtype):
        return np.zeros(aval.shape, dtypes.float0)
    ca = get_aval(c)
    if ca.dtype != aval.dtype:
        from jaxlite._src.lax.elementwise import convert_element_type
        c = convert_element_type(c, aval.dtype)
    return c


def vjp(fun: Callable, *primals, has_aux: bool = False):
    """``(fun(*primals), f_vjp)``: ``f_vjp(ct)`` pulls a cotangent of the output back to the inputs.

    >>> y, f_vjp = jax.vjp(jnp.sin, 0.5)
    >>> (x_bar,) = f_vjp(1.0)
    """
    flat, p_leaves, p_tree, p_out, lin_jaxpr, residuals, out_zero = _linearize_tree(
        fun, primals, has_aux, "vjp function")
    out, aux = flat.split(p_out)
    in_avals = [get_aval(p).to_tangent_aval() for p in p_leaves]
    out_avals = [get_aval(o) for o in p_out[:flat.n_out]]
    name = getattr(fun, "__name__", repr(fun))
    info = _VjpInfo((lin_jaxpr, p_tree, flat.out_tree, out_avals, out_zero, in_avals, flat.n_out, name))
    f_vjp = Partial(functools.partial(_vjp_bwd, info), list(residuals))
    return (out, f_vjp, aux) if has_aux else (out, f_vjp)


class _VjpInfo(tuple):
    """Static data of a vjp function; compared by identity so Partial's treedef stays cheap."""
    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other


def _check_scalar(x):
    msg = "Gradient only defined for scalar-output functions. Output {}.".format
    try:
        aval = get_aval(x)
    except TypeError:
        raise TypeError(msg(f"was {x}")) from None
    if aval.shape != ():
        raise TypeError(msg(f"had shape: {aval.shape}"))


def _check_input_dtype_revderiv(name, holomorphic, allow_int, x):
    _check_arg(x)
    dt = get_aval(x).dtype
    if holomorphic and not dtypes.issubdtype(dt, np.complexfloating):
        raise TypeError(f"{name} with holomorphic=True requires inputs with complex dtype, "
                        f"but got {dt.name}.")
    if dtypes.issubdtype(dt, np.integer) or dtypes.issubdtype(dt, np.bool_) or dtypes.is_float0(dt):
        if not allow_int:
            raise TypeError(f"{name} requires real- or complex-valued inputs (input dtype that is a "
                            f"sub-dtype of np.inexact), but got {dt.name}. If you want to use "
                            "Boolean- or integer-valued inputs, use vjp or set allow_int to True.")
    elif not dtypes.issubdtype(dt, np.inexact):
        raise TypeError(f"{name} requires numerical-valued inputs (input dtype that is a sub-dtype "
                        f"of np.bool_ or np.number), but got {dt.name}.")


def _check_output_dtype_revderiv(name, holomorphic, x):
    dt = get_aval(x).dtype
    if holomorphic:
        if not dtypes.issubdtype(dt, np.complexfloating):
            raise TypeError(f"{name} with holomorphic=True requires outputs with complex dtype, "
                            f"but got {dt.name}.")
    elif dtypes.issubdtype(dt, np.complexfloating):
        raise TypeError(f"{name} requires real-valued outputs (output dtype that is a sub-dtype of "
                        f"np.floating), but got {dt.name}. For holomorphic differentiation, pass "
                        "holomorphic=True. For differentiation of non-holomorphic functions "
                        "involving complex outputs, use jax.vjp directly.")
    elif not dtypes.issubdtype(dt, np.floating):
        raise TypeError(f"{name} requires real-valued outputs (output dtype that is a sub-dtype of "
                        f"np.floating), but got {dt.name}. For differentiation of functions with "
                        "integer outputs, use jax.vjp directly.")


def _one_like(x):
    a = get_aval(x)
    from jaxlite._src.lax.elementwise import full
    return full((), 1, a.dtype, weak_type=a.weak_type)


def value_and_grad(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
                   holomorphic: bool = False, allow_int: bool = False, reduce_axes=()):
    """A function computing both ``fun``'s value and its gradient in one forward and backward pass.

    >>> loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
    """
    if reduce_axes:
        raise NotImplementedError("reduce_axes argument to grad is deprecated")
    _check_callable(fun)
    argnums = _ensure_index(argnums)

    @functools.wraps(fun)
    def value_and_grad_f(*args, **kwargs):
        max_argnum = argnums if isinstance(argnums, int) else max(argnums)
        if max_argnum >= len(args):
            raise TypeError(f"differentiating with respect to argnums={argnums} requires at least "
                            f"{max_argnum + 1} positional arguments to be passed by the caller, but "
                            f"got only {len(args)} positional arguments.")
        f_partial, dyn_args = argnums_partial(fun, argnums, args, kwargs)
        for leaf in tree_util.tree_leaves(dyn_args):
            _check_input_dtype_revderiv("grad", holomorphic, allow_int, leaf)
        if has_aux:
            ans, f_vjp, aux = vjp(f_partial, *dyn_args, has_aux=True)
        else:
            ans, f_vjp = vjp(f_partial, *dyn_args)
        _check_scalar(ans)
        _check_output_dtype_revderiv("grad", holomorphic, ans)
        g = f_vjp(_one_like(ans))
        g = g[0] if isinstance(argnums, int) else g
        return ((ans, aux) if has_aux else ans), g

    return value_and_grad_f


def grad(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
         holomorphic: bool = False, allow_int: bool = False, reduce_axes=()):
    """The gradient of a scalar-output ``fun`` with respect to the ``argnums`` arguments.

    >>> jax.grad(lambda x: jnp.sin(x) ** 2 + 1.0)(0.5)   # sin(1.0)
    """
    vg = value_and_grad(fun, argnums, has_aux=has_aux, holomorphic=holomorphic,
                        allow_int=allow_int, reduce_axes=reduce_axes)

    @functools.wraps(fun)
    def grad_f(*args, **kwargs):
        if has_aux:
            (_, aux), g = vg(*args, **kwargs)
            return g, aux
        _, g = vg(*args, **kwargs)
        return g

    return grad_f


# ---------------------------------------------------------------------------------------------------
# Jacobians and Hessians: vmap of jvp / vjp over a standard basis
# ---------------------------------------------------------------------------------------------------

def _std_basis(pytree):
    from jaxlite._src.numpy import lax_numpy as jnp_
    leaves, _ = tree_flatten(pytree)
    ndim = sum(int(np.size(l)) if not hasattr(l, "aval") else int(np.prod(get_aval(l).shape))
               for l in leaves)
    dtype = dtypes.result_type(*leaves)
    flat_basis = jnp_.eye(ndim, dtype=dtype)
    return _unravel_array_into_pytree(pytree, 1, None, flat_basis, always_convert=True)


# JAX gives the basis pieces a sharding that differs from theirs (so its jaxprs show a conversion even
# where the dtype is unchanged); this marker plays that part: a staged conversion that carries it is
# kept (values are unaffected)
_BASIS_SHARDING = "jacobian basis"


def _unravel_array_into_pytree(pytree, axis, example, arr, always_convert=False):
    from jaxlite._src.lax import shapes
    from jaxlite._src.numpy import lax_numpy as jnp_
    leaves, treedef = tree_flatten(pytree)
    arr_shape = get_aval(arr).shape
    axis = axis % len(arr_shape)
    shapes_ = [get_aval(l).shape for l in leaves]
    # one split along ``axis`` (np.int64 sizes, as JAX's jnp.split gives), each piece reshaped to its leaf
    pieces = jnp_.split(arr, list(np.cumsum([int(np.prod(s)) for s in shapes_[:-1]])), axis)
    parts = [_possible_downcast(shapes.reshape(p, arr_shape[:axis] + shp + arr_shape[axis + 1:]),
                                l if example is None else example, always_convert)
             for p, shp, l in zip(pieces, shapes_, leaves)]
    return tree_unflatten(treedef, parts)


def _possible_downcast(x, example, always_convert=False):
    from jaxlite._src.lax.elementwise import _convert_element_type, convert_element_type_p, real
    xdt, edt = get_aval(x).dtype, get_aval(example).dtype
    if dtypes.issubdtype(xdt, np.complexfloating) and not dtypes.issubdtype(edt, np.complexfloating):
        x = real(x)
    weak = get_aval(example).weak_type
    if always_convert and isinstance(x, core.Tracer):
        return convert_element_type_p.bind(x, new_dtype=np.dtype(edt), weak_type=bool(weak),
                                           sharding=_BASIS_SHARDING)
    return _convert_element_type(x, edt, weak_type=weak)


def _check_input_dtype_jacfwd(holomorphic, x):
    _check_arg(x)
    dt = get_aval(x).dtype
    if holomorphic:
        if not dtypes.issubdtype(dt, np.complexfloating):
            raise TypeError("jacfwd with holomorphic=True requires inputs with complex dtype, "
                            f"but got {dt.name}.")
    elif not dtypes.issubdtype(dt, np.floating):
        raise TypeError("jacfwd requires real-valued inputs (input dtype that is a sub-dtype of "
                        f"np.floating), but got {dt.name}. For holomorphic differentiation, pass "
                        "holomorphic=True. For differentiation of non-holomorphic functions "
                        "involving complex inputs or integer inputs, use jax.jvp directly.")


def jacfwd(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
           holomorphic: bool = False):
    """The Jacobian of ``fun``, column by column with forward mode (vmap of jvp)."""
    from jaxlite._src.vmap import vmap
    _check_callable(fun)
    argnums = _ensure_index(argnums)

    @functools.wraps(fun)
    def jacfun(*args, **kwargs):
        f_partial, dyn_args = argnums_partial(fun, argnums, args, kwargs)
        dyn_args = tree_map(_canonical, dyn_args)
        tree_map(functools.partial(_check_input_dtype_jacfwd, holomorphic), dyn_args)
        pushfwd = functools.partial(_jvp, f_partial, dyn_args, has_aux=has_aux)
        if has_aux:
            y, jac, aux = vmap(pushfwd, out_axes=(None, -1, None))(_std_basis(dyn_args))
        else:
            y, jac = vmap(pushfwd, out_axes=(None, -1))(_std_basis(dyn_args))
            aux = None
        if holomorphic:
            for leaf in tree_util.tree_leaves(y):
                if not dtypes.issubdtype(get_aval(leaf).dtype, np.complexfloating):
                    raise TypeError("jacfwd with holomorphic=True requires outputs with complex "
                                    f"dtype, but got {get_aval(leaf).dtype.name}.")
        example = dyn_args[0] if isinstance(argnums, int) else dyn_args
        jac_tree = tree_map(lambda yl, j: _unravel_array_into_pytree(example, -1, yl, j), y, jac)
        return (jac_tree, aux) if has_aux else jac_tree

    return jacfun


def jacrev(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
           holomorphic: bool = False, allow_int: bool = False):
    """The Jacobian of ``fun``, row by row with reverse mode (vmap of vjp)."""
    from jaxlite._src.vmap import vmap
    _check_callable(fun)
    argnums = _ensure_index(argnums)

    @functools.wraps(fun)
    def jacfun(*args, **kwargs):
        f_partial, dyn_args = argnums_partial(fun, argnums, args, kwargs)
        dyn_args = tree_map(_canonical, dyn_args)
        tree_map(functools.partial(_check_input_dtype_revderiv, "jacrev", holomorphic, allow_int),
                 dyn_args)
        if has_aux:
            y, pullback, aux = vjp(f_partial, *dyn_args, has_aux=True)
        else:
            y, pullback = vjp(f_partial, *dyn_args)
        tree_map(functools.partial(_check_output_dtype_revderiv, "jacrev", holomorphic), y)
        jac = vmap(pullback)(_std_basis(y))
        jac = jac[0] if isinstance(argnums, int) else jac
        example = dyn_args[0] if isinstance(argnums, int) else dyn_args
        jac_tree = tree_map(lambda xl, j: _unravel_array_into_pytree(y, 0, xl, j), example, jac)
        jac_tree = tree_transpose(tree_structure(example), tree_structure(y), jac_tree)
        return (jac_tree, aux) if has_aux else jac_tree

    return jacfun


jacobian = jacrev


def hessian(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
            holomorphic: bool = False):
    """The Hessian of ``fun`` as a dense array: ``jacfwd(jacrev(fun))``."""
    return jacfwd(jacrev(fun, argnums, has_aux=has_aux, holomorphic=holomorphic), argnums,
                  has_aux=has_aux, holomorphic=holomorphic)


def closure_convert(fun, *example_args):
    raise NotImplementedError("jax.closure_convert is not implemented in jaxlite yet")


def fwd_and_bwd(fun: Callable, argnums: int | Sequence[int], has_aux: bool = False, jitted: bool = True):
    """``(fwd, bwd)``: ``fwd(*args) -> (out, f_vjp[, aux])`` and ``bwd(f_vjp, ct) -> cotangents``."""
    _check_callable(fun)
    argnums = _ensure_index(argnums)

    def fwd(*args, **kwargs):
        f_partial, dyn = argnums_partial(fun, argnums, args, {})
        return vjp(f_partial, *dyn, has_aux=has_aux)

    def bwd(f_vjp, outgrad):
        g = f_vjp(outgrad)
        return g[0] if isinstance(argnums, int) else g

    if jitted:
        from jaxlite._src.api import jit
        fwd, bwd = jit(fwd), jit(bwd)
    return fwd, bwd


def linear_transpose(fun: Callable, *primals, reduce_axes=()):
    """The transpose of the linear function ``fun`` at example inputs ``primals`` (only their
    shapes/dtypes matter).

    >>> f_t = jax.linear_transpose(lambda x: 2.0 * x, 1.0)
    >>> f_t(1.0)   # (2.0,)
    """
    from jaxlite._src.interpreters import partial_eval as pe
    p_leaves, in_tree = tree_flatten(primals)
    in_avals = [get_aval(_canonical(p)) for p in p_leaves]
    for a in in_avals:
        if not dtypes.issubdtype(a.dtype, np.inexact):
            raise TypeError("linear_transpose only supports [float or complex] -> [float or complex], "
                            f"and integer -> integer functions, but got {a.dtype}.")
    flat = _FlatFun(fun, in_tree, False, "linear_transpose function")
    # (recorded as JAX's linear_transpose records it: equations that only forward an input stay)
    jaxpr, out_avals, consts = pe.trace_to_jaxpr_dynamic(flat, in_avals, forwarding=False)
    out_tree = flat.out_tree

    def transposed(*out_cts):
        ct_leaves, ct_tree = tree_flatten(out_cts[0] if len(out_cts) == 1 else out_cts)
        if ct_tree != out_tree:
            raise TypeError("cotangent tree does not match function output, expected "
                            f"{out_tree} but got {ct_tree}")
        for c, a in zip(ct_leaves, out_avals):
            if np.shape(c) != a.shape:
                raise TypeError(f"cotangent type does not match function output, expected "
                                f"{a.str_short()} but got shape {np.shape(c)}")
        in_cts = ad.backward_pass(jaxpr, consts, in_avals, [_canonical(c) for c in ct_leaves])
        in_cts = [ad.instantiate_zeros(c) if type(c) in (Zero, ad.SymbolicZero) else c for c in in_cts]
        return tree_unflatten(in_tree, in_cts)

    return transposed
