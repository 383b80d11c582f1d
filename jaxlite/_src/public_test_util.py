"""``jax.test_util.check_grads``: automatic derivatives against central finite differences.

Each check uses one random direction, so the cost does not grow with the input size. Forward mode
compares ``jvp`` with ``(f(x + eps v) - f(x - eps v)) / 2 eps``; reverse mode checks that
``<vjp(u), v> == <u, jvp(v)>`` with the numerical jvp. Higher orders recurse on jvp/vjp themselves.
"""
from __future__ import annotations

import functools

import numpy as np

from jaxlite._src import dtypes
from jaxlite._src.tree_util import tree_leaves, tree_map, tree_reduce

__all__ = ["check_grads", "check_jvp", "check_vjp"]

EPS = 1e-4

# default tolerances for comparing derivatives, by dtype
_grad_tol = {
    np.dtype(dtypes.bfloat16): 1e-1, np.dtype(np.float16): 1e-2, np.dtype(np.float32): 2e-3,
    np.dtype(np.float64): 1e-5, np.dtype(np.complex64): 1e-3, np.dtype(np.complex128): 1e-5,
}


def _dtype(x):
    if hasattr(x, "dtype"):
        return np.dtype(x.dtype)
    return np.dtype(dtypes.python_scalar_dtypes[type(x)]) if type(x) in dtypes.python_scalar_dtypes \
        else np.asarray(x).dtype


def _is_py_scalar(x):
    return type(x) in (bool, int, float, complex)


def _tol(dtype, tol):
    if tol is None:
        return _grad_tol.get(np.dtype(dtype), 0)
    if isinstance(tol, dict):
        return {np.dtype(k): v for k, v in tol.items()}.get(np.dtype(dtype), _grad_tol.get(np.dtype(dtype), 0))
    return tol


def check_close(xs, ys, atol=None, rtol=None, err_msg=""):
    def close(x, y):
        x64, y64 = np.asarray(x), np.asarray(y)
        a = max(_tol(_dtype(x), atol), _tol(_dtype(y), atol))
        r = max(_tol(_dtype(x), rtol), _tol(_dtype(y), rtol))
        up = lambda v: v.astype(np.complex128 if np.iscomplexobj(v) else np.float64) \
            if v.dtype.kind in "fcV" or v.dtype == dtypes.bfloat16 else v  # noqa: E731
        np.testing.assert_allclose(up(x64), up(y64), atol=a * max(x64.size, 1), rtol=r * max(y64.size, 1),
                                   err_msg=err_msg)
    tree_map(close, xs, ys)


def _mul(xs, a):
    def m(x):
        dt = _dtype(x)
        r = np.multiply(np.asarray(x), np.array(a, dtype=dt), dtype=dt)
        return r.item() if _is_py_scalar(x) else r
    return tree_map(m, xs)


def _binop(op, xs, ys):
    def f(x, y):
        dt = _dtype(x)
        r = np.array(op(np.asarray(x), np.asarray(y)), dtype=dt)
        return r.item() if _is_py_scalar(x) and _is_py_scalar(y) else r
    return tree_map(f, xs, ys)


def _safe_sub(xs, ys):
    def f(x, y):
        x, y = np.asarray(x), np.asarray(y)
        with np.errstate(invalid="ignore"):
            return np.where(np.equal(x, y), np.array(0, x.dtype), np.subtract(x, y, dtype=x.dtype))
    return tree_map(f, xs, ys)


def _rand_like(rng, x):
    shape, dt = np.shape(x), _dtype(x)
    r = np.asarray(rng.randn(*shape), dtype=dt)
    if np.issubdtype(dt, np.complexfloating):
        r = r + dt.type(1j) * np.asarray(rng.randn(*shape), dtype=dt)
    return r.item() if _is_py_scalar(x) else r


def _inner(xs, ys):
    def c(x, y):
        return np.real(np.dot(np.conj(np.asarray(x)).reshape(-1), np.asarray(y).reshape(-1)))
    return tree_reduce(np.add, tree_map(c, xs, ys))


def numerical_jvp(f, primals, tangents, eps=EPS):
    delta = _mul(tangents, eps)
    f_pos = f(*_binop(np.add, primals, delta))
    f_neg = f(*_binop(np.subtract, primals, delta))
    return _mul(_safe_sub(f_pos, f_neg), 0.5 / eps)


def check_jvp(f, f_jvp, args, atol=None, rtol=None, eps=EPS, err_msg=""):
    """Compare ``f_jvp(args, tangents)`` with a numerical JVP along a random direction."""
    rng = np.random.RandomState(0)
    tangent = tree_map(functools.partial(_rand_like, rng), args)
    v_out, t_out = f_jvp(args, tangent)
    v_expected = f(*args)
    t_expected = numerical_jvp(f, args, tangent, eps=eps)
    check_close(v_out, v_expected, atol=atol, rtol=rtol, err_msg=f"{err_msg} primal" if err_msg else "primal")
    check_close(t_out, t_expected, atol=atol, rtol=rtol,
                err_msg=f"{err_msg} tangent" if err_msg else "tangent")


def check_vjp(f, f_vjp, args, atol=None, rtol=None, eps=EPS, err_msg=""):
    """Check ``<f_vjp(u), v> == <u, numerical_jvp(v)>`` for random ``u`` and ``v``."""
    rng = np.random.RandomState(0)
    v_out, vjpfun = f_vjp(*args)
    check_close(v_out, f(*args), atol=atol, rtol=rtol, err_msg=f"{err_msg} primal" if err_msg else "primal")
    tangent = tree_map(functools.partial(_rand_like, rng), args)
    tangent_out = numerical_jvp(f, args, tangent, eps=eps)
    cotangent = tree_map(functools.partial(_rand_like, rng), v_out)
    cotangent_out = tree_map(lambda x: x, vjpfun(cotangent))
    ip = _inner(tangent, cotangent_out)
    ip_expected = _inner(tangent_out, cotangent)
    check_close(ip, ip_expected, atol=atol, rtol=rtol,
                err_msg=f"{err_msg} cotangent projection" if err_msg else "cotangent projection")


def check_grads(f, args, order, modes=("fwd", "rev"), atol=None, rtol=None, eps=None):
    """Check derivatives of ``f`` at ``args`` up to ``order`` against finite differences.

    >>> check_grads(jnp.sin, (0.5,), order=2)
    """
    from jaxlite._src.ad_api import jvp, linearize, vjp
    args = tuple(args)
    eps = eps or EPS
    cj = functools.partial(check_jvp, atol=atol, rtol=rtol, eps=eps)
    cv = functools.partial(check_vjp, atol=atol, rtol=rtol, eps=eps)

    def go(f, args, order, msg=""):
        if "fwd" in modes:
            m = f"JVP of {msg}" if msg else "JVP"
            cj(f, functools.partial(jvp, f), args, err_msg=m)
            if order > 1:
                go(functools.partial(jvp, f), (args, args), order - 1, m)
        if "rev" in modes:
            m = f"VJP of {msg}" if msg else "VJP"
            cv(f, functools.partial(vjp, f), args, err_msg=m)
            if order > 1:
                def f_vjp(*a):
                    out, pullback = vjp(f, *a)
                    return pullback(out)
                go(f_vjp, args, order - 1, m)
        if "lin" in modes:
            m = f"LIN of {msg}" if msg else "LIN"

            def jvp_from_lin(primals, tangents):
                out, f_lin = linearize(f, *primals)
                return out, f_lin(*tangents)
            cj(f, jvp_from_lin, args, err_msg=m)

    go(f, args, order)
