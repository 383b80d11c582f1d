"""Matrix decompositions (``jax.lax.linalg``): cholesky, triangular_solve, lu, qr, svd, eigh, eig, schur,
tridiagonal_solve.

Each primitive works on a batch of matrices whose batch dimensions lead (``[..., m, n]``), as in JAX.
Impls call LAPACK through NumPy (and SciPy, imported lazily, where NumPy has no routine); a
factorisation that fails (a matrix that is not positive definite, an eigensolver that does not
converge) gives NaNs for that batch element instead of raising, as JAX does. The jvp rules are
written on lax operations, so they trace, batch and transpose like everything else.
"""
from __future__ import annotations

import enum
import warnings

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.core import Primitive, ShapedArray
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.interpreters.ad import Zero, is_undefined_primal
from jaxlite._src.lax import elementwise as ew
from jaxlite._src.lax import reductions as red
from jaxlite._src.lax import shapes as sh
from jaxlite._src.lax.linalg import dot_general
from jaxlite._src.numpy.util import staged_jit

__all__ = [
    "EigImplementation", "EighImplementation", "SvdAlgorithm",
    "cholesky", "cholesky_p", "eig", "eig_p", "eigh", "eigh_p", "lu", "lu_p", "lu_pivots_to_permutation",
    "lu_pivots_to_permutation_p", "qr", "qr_p", "schur", "schur_p", "svd", "svd_p", "triangular_solve",
    "triangular_solve_p", "tridiagonal_solve", "tridiagonal_solve_p", "lu_solve", "symmetrize",
]


class EigImplementation(enum.Enum):
    CUSOLVER = "cusolver"
    MAGMA = "magma"
    LAPACK = "lapack"


class EighImplementation(enum.Enum):
    QR = "qr"
    JACOBI = "jacobi"
    QDWH = "qdwh"


class SvdAlgorithm(enum.Enum):
    DEFAULT = "default"
    QR = "QR"
    JACOBI = "Jacobi"
    POLAR = "polar"
    DIVIDE_AND_CONQUER = "divide_and_conquer"


def _scipy_linalg():
    try:
        import scipy.linalg
    except ImportError:  # pragma: no cover - scipy is an optional dependency
        raise NotImplementedError("this linear-algebra routine needs SciPy (LAPACK bindings NumPy lacks); "
                                  "install it with `pip install scipy`.") from None
    return scipy.linalg


# ---------------------------------------------------------------------------------------------------
# LAPACK as jaxlib's CPU kernels call it
# ---------------------------------------------------------------------------------------------------
# jaxlib takes its LAPACK function pointers from scipy.linalg.cython_lapack, i.e. the LAPACK build that
# scipy.linalg.lapack wraps (NumPy's linalg links another one). Calling the same driver routine with the
# same arguments (job letters, triangle, workspace sizes: a blocked routine's path can depend on them)
# gives JAX's factorisations bit for bit. Without SciPy the impls fall back to NumPy's LAPACK.

_LAPACK_PREFIX = {np.dtype(np.float32): "s", np.dtype(np.float64): "d",
                  np.dtype(np.complex64): "c", np.dtype(np.complex128): "z"}


def _lapack(dtype, *names):
    """SciPy's wrappers of the LAPACK routines ``names`` (without the type letter) for ``dtype``, or None
    when SciPy is missing or ``dtype`` is not a LAPACK type."""
    prefix = _LAPACK_PREFIX.get(np.dtype(dtype))
    if prefix is None:
        return None
    try:
        from scipy.linalg import lapack
    except ImportError:  # pragma: no cover - scipy is an optional dependency
        return None
    return [getattr(lapack, prefix + name) for name in names]


def _per_matrix(fn, x, *out_templates):
    """``fn`` (one matrix -> (info, outputs)) over the matrices of ``x``, stacked; where LAPACK reports a
    failure (info != 0) that batch element's outputs are NaN, as in JAX's lowering."""
    batch = x.shape[:-2]
    flat = x.reshape((-1,) + x.shape[-2:])
    outs = [np.empty((flat.shape[0],) + s, d) for s, d in out_templates]
    with np.errstate(all="ignore"):
        for i in range(flat.shape[0]):
            info, res = fn(flat[i])
            for o, r in zip(outs, res):
                o[i] = r if info == 0 else complex(np.nan, np.nan) if o.dtype.kind == "c" else np.nan
    return [o.reshape(batch + o.shape[1:]) for o in outs]


def _potrf(x, lower=True):
    """potrf on each matrix: the factor in the ``lower`` triangle, the other triangle left as it was."""
    fns = _lapack(x.dtype, "potrf")
    if fns is None:
        return None
    n = x.shape[-1]

    def one(a):
        c, info = fns[0](a, lower=int(lower), clean=0)
        return info, (c,)
    return _per_matrix(one, x, ((n, n), x.dtype))[0]


def _syevd(x, lower):
    """syevd/heevd (jobz 'V') on each matrix with jaxlib's workspace sizes: (v, w), w ascending."""
    cplx = np.issubdtype(x.dtype, np.complexfloating)
    fns = _lapack(x.dtype, "heevd" if cplx else "syevd")
    if fns is None:
        return None
    n = x.shape[-1]
    if cplx:
        sizes = dict(lwork=max(2 * n + n * n, 1), lrwork=1 + 5 * n + 2 * n * n, liwork=3 + 5 * n)
    else:
        sizes = dict(lwork=1 + 6 * n + 2 * n * n, liwork=3 + 5 * n)

    def one(a):
        w, v, info = fns[0](a, compute_v=1, lower=int(lower), **sizes)
        return info, (v, w)
    return _per_matrix(one, x, ((n, n), x.dtype), ((n,), _real_dtype(x.dtype)))


def _gesdd(x, full_matrices, compute_uv, algorithm):
    """gesdd (gesvd for algorithm QR) on each matrix, workspace from LAPACK's query as in jaxlib:
    (s, u, vt) or (s,)."""
    name = "gesvd" if algorithm is not None and getattr(algorithm, "value", None) == "QR" else "gesdd"
    fns = _lapack(x.dtype, name, name + "_lwork")
    if fns is None:
        return None
    fn, query = fns
    m, n = x.shape[-2:]
    k = min(m, n)
    flags = dict(compute_uv=int(compute_uv), full_matrices=int(full_matrices))
    work, info = query(m, n, **flags)
    lwork = max(int(np.real(work)), 1)
    tmpl = [((k,), _real_dtype(x.dtype))]
    if compute_uv:
        ku, kv = (m, n) if full_matrices else (k, k)
        tmpl += [((m, ku), x.dtype), ((kv, n), x.dtype)]

    def one(a):
        u, s, vt, info = fn(a, lwork=lwork, **flags)
        return info, ((s, u, vt) if compute_uv else (s,))
    return _per_matrix(one, x, *tmpl)


def _geqrf_orgqr(x, full_matrices):
    """(q, r) of each matrix as jaxlib computes them: geqrf, then orgqr/ungqr (householder_product) on
    the reflectors (padded with zero columns to m for full q of a tall matrix); r upper triangular."""
    cplx = np.issubdtype(x.dtype, np.complexfloating)
    fns = _lapack(x.dtype, "geqrf", "ungqr" if cplx else "orgqr")
    if fns is None:
        return None
    geqrf, orgqr = fns
    m, n = x.shape[-2:]
    k = min(m, n)
    kq = m if full_matrices else k
    lwork = max(int(np.real(geqrf(np.zeros((m, n), x.dtype), lwork=-1)[2][0])), 1)
    qcols = m if m < n or full_matrices else n
    q_lwork = max(int(np.real(orgqr(np.zeros((m, qcols), x.dtype), np.zeros(k, x.dtype), lwork=-1)[1][0])), 1)

    def one(a):
        r, tau, _, _ = geqrf(a, lwork=lwork)
        if m < n:
            reflectors = r[:, :m]
        elif full_matrices:
            reflectors = np.zeros((m, m), x.dtype)
            reflectors[:, :n] = r
        else:
            reflectors = r
        q, _, _ = orgqr(reflectors, tau, lwork=q_lwork)
        return 0, (q, np.triu(r[:kq]))
    return _per_matrix(one, x, ((m, kq), x.dtype), ((kq, n), x.dtype))


# ---------------------------------------------------------------------------------------------------
# small helpers on lax values (used by the jvp rules and the wrappers)
# ---------------------------------------------------------------------------------------------------

def _aval(x):
    return core.get_aval(x)


def _is_complex(x):
    return dtypes.issubdtype(_aval(x).dtype, np.complexfloating)


def _T(x):
    nd = _aval(x).ndim
    return sh.transpose(x, tuple(range(nd - 2)) + (nd - 1, nd - 2))


def _H(x):
    x = _T(x)
    return ew.conj(x) if _is_complex(x) else x


def symmetrize(x):
    """``(x + x^H) / 2``."""
    return ew.div(ew.add(x, _H(x)), 2.0)


def _matmul(a, b):
    """Batched ``a @ b`` for operands with equal leading batch dims."""
    nd = _aval(a).ndim
    batch = tuple(range(nd - 2))
    return dot_general(a, b, (((nd - 1,), (nd - 2,)), (batch, batch)), precision="HIGHEST")


def _tri_mask(shape, k, lower):
    """Boolean ``(n, m)`` mask of the lower (``j <= i + k``) or upper (``j >= i + k``) triangle."""
    n, m = shape
    rows = sh.broadcasted_iota(np.int32, (n, m), 0)
    cols = sh.broadcasted_iota(np.int32, (n, m), 1)
    if lower:
        return ew.ge(ew.add(rows, np.int32(k)), cols)
    return ew.le(ew.add(rows, np.int32(k)), cols)


def _keep(x, mask):
    a = _aval(x)
    mask = sh.broadcast_in_dim(mask, a.shape, (a.ndim - 2, a.ndim - 1))
    return ew.select(mask, x, ew.full(a.shape, 0, a.dtype))


def _tril(x, k=0):
    return _keep(x, _tri_mask(_aval(x).shape[-2:], k, True))


def _triu(x, k=0):
    return _keep(x, _tri_mask(_aval(x).shape[-2:], k, False))


def _eye(dtype, n, m=None, batch=()):
    m = n if m is None else m
    e = ew.convert_element_type(ew.eq(sh.broadcasted_iota(np.int32, (n, m), 0),
                                      sh.broadcasted_iota(np.int32, (n, m), 1)), dtype)
    if batch:
        e = sh.broadcast_in_dim(e, tuple(batch) + (n, m), (len(batch), len(batch) + 1))
    return e


def _extract_diagonal(x):
    """``x[..., i, i]`` for ``i < min(n, m)``: a strided slice of the flattened matrices."""
    a = _aval(x)
    n, m = a.shape[-2:]
    k = min(n, m)
    flat = sh.reshape(x, a.shape[:-2] + (n * m,))
    nb = a.ndim - 2
    if k == 0:
        return sh.slice(flat, (0,) * (nb + 1), a.shape[:-2] + (0,))
    return sh.slice(flat, (0,) * (nb + 1), a.shape[:-2] + ((k - 1) * (m + 1) + 1,), (1,) * nb + (m + 1,))


def _construct_diagonal(s):
    a = _aval(s)
    n = a.shape[-1]
    full = sh.broadcast_in_dim(s, a.shape + (n,), tuple(range(a.ndim - 1)) + (a.ndim,))
    return ew.mul(full, _eye(a.dtype, n, batch=a.shape[:-1]))


def _bcast_last(x, shape, axis):
    """Broadcast ``x`` (shape ``shape`` minus dim ``axis``) up to ``shape``."""
    nd = len(shape)
    axis %= nd
    return sh.broadcast_in_dim(x, shape, tuple(i for i in range(nd) if i != axis))


def _real_dtype(dt):
    return np.finfo(np.dtype(dt)).dtype if dtypes.issubdtype(dt, np.complexfloating) else np.dtype(dt)


def _complex_dtype(dt):
    return dtypes.to_complex_dtype(np.dtype(dt))


def _check_matrix(name, x, square=False, accept=(np.floating, np.complexfloating)):
    if x.ndim < 2:
        raise ValueError(f"{name}: the input must have shape [..., m, n] (at least 2 dimensions); got "
                         f"shape {x.shape}.")
    if square and x.shape[-1] != x.shape[-2]:
        raise ValueError(f"The input to {name} must be a square matrix (or batch of square matrices); "
                         f"got shape {x.shape}.")
    if not any(dtypes.issubdtype(x.dtype, t) for t in accept):
        raise TypeError(f"{name} does not accept dtype {x.dtype.name}; it needs a floating or complex "
                        f"dtype (cast the input with .astype(jnp.float32) first).")


def _batch_front_rule(prim):
    """Batch rule for a primitive on one matrix operand: the batch dim moves to the front and becomes
    one more leading batch dimension of every output."""
    def rule(vals, dims, **params):
        (x,), (d,) = vals, dims
        x = batching.moveaxis(x, d, 0)
        out = prim.bind(x, **params)
        return (out, [0] * len(out)) if prim.multiple_results else (out, 0)
    batching.primitive_batchers[prim] = rule


def _batched(fn, x, *out_templates):
    """Apply ``fn`` (one matrix -> tuple of arrays) to each matrix of ``x``; stack the results.
    If ``fn`` raises a LinAlgError/ValueError for a matrix, that element's outputs are NaN."""
    batch = x.shape[:-2]
    flat = x.reshape((-1,) + x.shape[-2:])
    outs = [np.empty((flat.shape[0],) + s, d) for s, d in out_templates]
    for i in range(flat.shape[0]):
        try:
            res = fn(flat[i])
        except (np.linalg.LinAlgError, ValueError):
            res = [np.full(s, np.nan, d) if np.issubdtype(d, np.inexact) else np.zeros(s, d)
                   for s, d in out_templates]
        for o, r in zip(outs, res):
            o[i] = r
    return [o.reshape(batch + o.shape[1:]) for o in outs]


# ---------------------------------------------------------------------------------------------------
# cholesky
# ---------------------------------------------------------------------------------------------------

def _cholesky_impl(x):
    x = np.asarray(x)
    factor = _potrf(x) if x.size else None
    if factor is not None:
        return factor
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return np.linalg.cholesky(x).astype(x.dtype, copy=False)
        except np.linalg.LinAlgError:
            n = x.shape[-1]
            return _batched(lambda a: (np.linalg.cholesky(a),), x, ((n, n), x.dtype))[0]


def _cholesky_abstract(x):
    _check_matrix("cholesky", x, square=True)
    return ShapedArray(x.shape, x.dtype)


cholesky_p = Primitive("cholesky")
cholesky_p.def_impl(_cholesky_impl)
cholesky_p.def_abstract_eval(_cholesky_abstract)


def _cholesky_jvp(primals, tangents):
    (x,), (sigma_dot,) = primals, tangents
    L = _tril(cholesky_p.bind(x))
    sigma_dot = ad.instantiate_zeros(sigma_dot)
    # Murray, "Differentiation of the Cholesky decomposition" (arXiv:1602.07527):
    # L_dot = L phi(L^-1 sigma_dot L^-H), phi = lower triangle with the diagonal halved.
    tmp = triangular_solve(L, sigma_dot, left_side=False, transpose_a=True, conjugate_a=True, lower=True)
    inner = triangular_solve(L, tmp, left_side=True, transpose_a=False, lower=True)
    n = _aval(x).shape[-1]
    a = _aval(inner)
    halve = ew.add(ew.full((n, n), 1, a.dtype), _eye(a.dtype, n))
    phi = ew.div(_tril(inner), sh.broadcast_in_dim(halve, a.shape, (a.ndim - 2, a.ndim - 1)))
    return L, _matmul(L, phi)


ad.primitive_jvps[cholesky_p] = _cholesky_jvp
_batch_front_rule(cholesky_p)


def cholesky(x, *, symmetrize_input: bool = True):
    """Cholesky factor ``L`` (lower triangular) of Hermitian positive-definite ``x = L L^H``.

    Failure (a matrix that is not positive definite) gives NaNs, as in JAX.

    >>> cholesky(jnp.array([[4., 2.], [2., 2.]]))   # [[2, 0], [1, 1]]
    """
    _check_matrix("cholesky", _aval(x), square=True)
    if symmetrize_input:
        x = symmetrize(x)
    return _tril(cholesky_p.bind(x))


# ---------------------------------------------------------------------------------------------------
# triangular_solve
# ---------------------------------------------------------------------------------------------------

def _solve_tri_left(a, b, lower, trans, unit_diagonal):
    """Solve ``op(a) x = b`` for one matrix; trans 0: a, 1: a^T, 2: a^H."""
    try:
        sl = _scipy_linalg()
    except NotImplementedError:
        sl = None
    if sl is not None:
        return sl.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal,
                                   check_finite=False)
    n = a.shape[-1]
    t = np.tril(a) if lower else np.triu(a)
    if unit_diagonal:
        t = t.copy()
        t[np.arange(n), np.arange(n)] = 1
    if trans == 1:
        t = t.T
    elif trans == 2:
        t = t.conj().T
    return np.linalg.solve(t, b)


def _triangular_solve_impl(a, b, *, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    a, b = np.asarray(a), np.asarray(b)
    out_dtype = b.dtype
    if not left_side:
        # x op(a) = b  <=>  op(a)^T x^T = b^T
        b = np.swapaxes(b, -1, -2)
        transpose_a = not transpose_a
    if conjugate_a and not transpose_a:
        a = np.conj(a)
        conjugate_a = False
    trans = (2 if conjugate_a else 1) if transpose_a else 0
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    af = np.broadcast_to(a, batch + a.shape[-2:]).reshape((-1,) + a.shape[-2:])
    bf = np.broadcast_to(b, batch + b.shape[-2:]).reshape((-1,) + b.shape[-2:])
    out = np.empty(bf.shape, out_dtype)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(af.shape[0]):
            out[i] = _solve_tri_left(af[i], bf[i], lower, trans, unit_diagonal)
    out = out.reshape(batch + b.shape[-2:])
    if not left_side:
        out = np.swapaxes(out, -1, -2)
    return out


def _triangular_solve_abstract(a, b, *, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    _check_matrix("triangular_solve", a, square=True)
    if b.ndim < 2:
        raise ValueError(f"triangular_solve: b must have shape [..., m, n]; got shape {b.shape}.")
    if a.dtype != b.dtype:
        raise TypeError(f"triangular_solve requires a and b to have the same dtype, got {a.dtype.name} "
                        f"and {b.dtype.name}.")
    if a.shape[:-2] != b.shape[:-2]:
        raise ValueError(f"triangular_solve: a and b must have equal batch dimensions, got shapes "
                         f"{a.shape} and {b.shape}.")
    common = -2 if left_side else -1
    if a.shape[-1] != b.shape[common]:
        raise ValueError(f"Incompatible shapes for arguments to triangular_solve: {a.shape} and {b.shape}"
                         f" (left_side={left_side}).")
    return ShapedArray(b.shape, b.dtype)


triangular_solve_p = Primitive("triangular_solve")
triangular_solve_p.def_impl(_triangular_solve_impl)
triangular_solve_p.def_abstract_eval(_triangular_solve_abstract)


def _triangular_solve_jvp_a(g_a, ans, a, b, *, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    m, n = _aval(b).shape[-2:]
    g_a = _tril(g_a, -1 if unit_diagonal else 0) if lower else _triu(g_a, 1 if unit_diagonal else 0)
    g_a = ew.neg(g_a)
    g_a = _T(g_a) if transpose_a else g_a
    g_a = ew.conj(g_a) if conjugate_a else g_a

    def a_inverse(rhs):
        return triangular_solve_p.bind(a, rhs, left_side=left_side, lower=lower, transpose_a=transpose_a,
                                       conjugate_a=conjugate_a, unit_diagonal=unit_diagonal)

    # order the products so that the cheaper one comes first
    if left_side:
        return a_inverse(_matmul(g_a, ans)) if m > n else _matmul(a_inverse(g_a), ans)
    return a_inverse(_matmul(ans, g_a)) if m < n else _matmul(ans, a_inverse(g_a))


def _triangular_solve_jvp(primals, tangents, **params):
    a, b = primals
    ta, tb = tangents
    ans = triangular_solve_p.bind(a, b, **params)
    out = Zero.from_primal_value(ans)
    if type(ta) is not Zero:
        out = ad.add_tangents(out, _triangular_solve_jvp_a(ta, ans, a, b, **params))
    if type(tb) is not Zero:
        out = ad.add_tangents(out, triangular_solve_p.bind(a, tb, **params))
    return ans, out


def _triangular_solve_transpose(ct, a, b, *, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    if is_undefined_primal(a):
        raise NotImplementedError("transpose of triangular_solve with respect to the (nonlinear) matrix "
                                  "operand a")
    if type(ct) is Zero:
        return [None, None]
    return [None, triangular_solve_p.bind(a, ct, left_side=left_side, lower=lower,
                                          transpose_a=not transpose_a, conjugate_a=conjugate_a,
                                          unit_diagonal=unit_diagonal)]


ad.primitive_jvps[triangular_solve_p] = _triangular_solve_jvp
ad.primitive_transposes[triangular_solve_p] = _triangular_solve_transpose


def _triangular_solve_batch(vals, dims, **params):
    (a, b), (da, db) = vals, dims
    if da is None:
        # fold the batch dim of b into its free dimension: one solve for the whole batch
        if params["left_side"]:
            b = batching.moveaxis(b, db, -1)
            s = _aval(b).shape
            out = triangular_solve_p.bind(a, sh.reshape(b, s[:-2] + (s[-2] * s[-1],)), **params)
            return sh.reshape(out, s), len(s) - 1
        b = batching.moveaxis(b, db, -3)
        s = _aval(b).shape
        out = triangular_solve_p.bind(a, sh.reshape(b, s[:-3] + (s[-3] * s[-2], s[-1])), **params)
        return sh.reshape(out, s), len(s) - 3
    size = batching.axis_size_of(vals, dims)
    a = batching.bdim_at_front(a, da, size)
    b = batching.bdim_at_front(b, db, size)
    return triangular_solve_p.bind(a, b, **params), 0


batching.primitive_batchers[triangular_solve_p] = _triangular_solve_batch


def triangular_solve(a, b, *, left_side: bool = False, lower: bool = False, transpose_a: bool = False,
                     conjugate_a: bool = False, unit_diagonal: bool = False):
    """Solve ``op(a) @ x = b`` (``left_side=True``) or ``x @ op(a) = b`` for triangular ``a``.

    ``op`` transposes ``a`` if ``transpose_a`` and conjugates it if ``conjugate_a``; only the triangle
    named by ``lower`` is read, and with ``unit_diagonal`` its diagonal is taken to be ones. ``b`` may
    have one dimension fewer than ``a`` (a vector right-hand side).
    """
    conjugate_a = bool(conjugate_a) and _is_complex(a)
    a_nd, b_nd = _aval(a).ndim, _aval(b).ndim
    singleton = b_nd == a_nd - 1
    if singleton:
        b = sh.expand_dims(b, (b_nd if left_side else b_nd - 1,))
    out = triangular_solve_p.bind(a, b, left_side=bool(left_side), lower=bool(lower),
                                  transpose_a=bool(transpose_a), conjugate_a=conjugate_a,
                                  unit_diagonal=bool(unit_diagonal))
    if singleton:
        out = sh.squeeze(out, (b_nd if left_side else b_nd - 1,))
    return out


# ---------------------------------------------------------------------------------------------------
# lu
# ---------------------------------------------------------------------------------------------------

def _pivots_to_permutation_np(piv, m):
    perm = np.arange(m, dtype=np.int32)
    for i, p in enumerate(piv):
        perm[i], perm[p] = perm[p], perm[i]
    return perm


def _lu_one_numpy(a):
    """Partial-pivoting LU (getrf) in NumPy, used when SciPy is missing."""
    a = np.array(a, copy=True)
    m, n = a.shape
    k = min(m, n)
    piv = np.zeros(k, np.int32)
    for j in range(k):
        p = j + int(np.argmax(np.abs(a[j:, j])))
        piv[j] = p
        if p != j:
            a[[j, p]] = a[[p, j]]
        if a[j, j] != 0:
            a[j + 1:, j] /= a[j, j]
        a[j + 1:, j + 1:] -= np.outer(a[j + 1:, j], a[j, j + 1:])
    return a, piv


def _lu_impl(x):
    x = np.asarray(x)
    m, n = x.shape[-2:]
    k = min(m, n)
    try:
        sl = _scipy_linalg()
    except NotImplementedError:
        sl = None

    def one(a):
        if sl is not None and m > 0 and n > 0:
            lu_, piv = sl.lu_factor(a, check_finite=False)
        else:
            lu_, piv = _lu_one_numpy(a)
        piv = np.asarray(piv, np.int32)[:k]
        return lu_, piv, _pivots_to_permutation_np(piv, m)

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tuple(_batched(one, x, ((m, n), x.dtype), ((k,), np.int32), ((m,), np.int32)))


def _lu_abstract(x):
    _check_matrix("lu", x)
    m, n = x.shape[-2:]
    b = x.shape[:-2]
    return [ShapedArray(x.shape, x.dtype), ShapedArray(b + (min(m, n),), np.int32),
            ShapedArray(b + (m,), np.int32)]


lu_p = Primitive("lu")
lu_p.multiple_results = True
lu_p.def_impl(_lu_impl)
lu_p.def_abstract_eval(_lu_abstract)


def _permutation_matrix(perm, dtype):
    """``P`` with ``P[..., i, j] = (perm[..., i] == j)``, so ``P @ x == x[..., perm, :]``."""
    a = _aval(perm)
    m = a.shape[-1]
    shape = a.shape + (m,)
    p = sh.broadcast_in_dim(perm, shape, tuple(range(a.ndim)))
    j = sh.broadcasted_iota(np.int32, shape, a.ndim)
    return ew.convert_element_type(ew.eq(p, j), dtype)


def _lu_jvp(primals, tangents):
    (a,), (a_dot,) = primals, tangents
    lu_, pivots, permutation = lu_p.bind(a)
    a_dot = ad.instantiate_zeros(a_dot)
    # De Hoog, Anderssen & Lukas: with A = P^T L U,
    #   L' = L tril(L^-1 P A' U^-1, -1),  U' = triu(L^-1 P A' U^-1) U.
    av = _aval(a)
    batch = av.shape[:-2]
    m, n = av.shape[-2:]
    k = min(m, n)
    dt = av.dtype
    nb = len(batch)
    zero = ew.full((), 0, dt)
    lower_part = _tril(sh.slice(lu_, (0,) * av.ndim, batch + (m, k)), -1)
    l = sh.pad(lower_part, zero, [(0, 0, 0)] * nb + [(0, 0, 0), (0, m - k, 0)])
    l = ew.add(l, _eye(dt, m, batch=batch))
    upper_part = _triu(sh.slice(lu_, (0,) * av.ndim, batch + (k, n)))
    u = sh.pad(upper_part, zero, [(0, 0, 0)] * nb + [(0, n - k, 0), (0, 0, 0)])
    u_eye = sh.pad(_eye(dt, n - k, batch=batch), zero, [(0, 0, 0)] * nb + [(k, 0, 0), (k, 0, 0)])
    u = ew.add(u, u_eye)
    pa_dot = _matmul(_permutation_matrix(permutation, dt), a_dot)
    la = triangular_solve(l, pa_dot, left_side=True, transpose_a=False, lower=True, unit_diagonal=True)
    lau = triangular_solve(u, la, left_side=False, transpose_a=False, lower=False)
    l_dot = _matmul(l, _tril(lau, -1))
    u_dot = _matmul(_triu(lau), u)
    lu_dot = ew.add(l_dot, u_dot)
    return [lu_, pivots, permutation], [lu_dot, Zero.from_primal_value(pivots),
                                        Zero.from_primal_value(permutation)]


ad.primitive_jvps[lu_p] = _lu_jvp
_batch_front_rule(lu_p)


def lu(x):
    """LU decomposition with partial pivoting: returns ``(lu, pivots, permutation)`` with
    ``x[..., permutation, :] == L @ U`` (``L`` unit lower triangular, stored below the diagonal of
    ``lu``; ``U`` on and above it). ``pivots`` are LAPACK's row swaps (0-based, int32)."""
    return tuple(lu_p.bind(x))


def _lu_pivots_to_permutation_impl(pivots, *, permutation_size):
    pivots = np.asarray(pivots)
    flat = pivots.reshape((-1, pivots.shape[-1]))
    out = np.stack([_pivots_to_permutation_np(p, permutation_size) for p in flat]) if flat.shape[0] else \
        np.zeros((0, permutation_size), np.int32)
    return out.reshape(pivots.shape[:-1] + (permutation_size,))


def _lu_pivots_to_permutation_abstract(pivots, *, permutation_size):
    if pivots.ndim < 1 or pivots.dtype != np.int32:
        raise ValueError(f"lu_pivots_to_permutation: pivots must be an int32 array of shape [..., k]; got "
                         f"{pivots.str_short()}.")
    if permutation_size < pivots.shape[-1]:
        raise ValueError(f"Output permutation size {permutation_size} has to exceed the trailing dimension "
                         f"of the pivots {pivots.shape[-1]}.")
    return ShapedArray(pivots.shape[:-1] + (permutation_size,), np.int32)


lu_pivots_to_permutation_p = Primitive("lu_pivots_to_permutation")
lu_pivots_to_permutation_p.def_impl(_lu_pivots_to_permutation_impl)
lu_pivots_to_permutation_p.def_abstract_eval(_lu_pivots_to_permutation_abstract)
ad.defjvp_zero(lu_pivots_to_permutation_p)
_batch_front_rule(lu_pivots_to_permutation_p)


def lu_pivots_to_permutation(pivots, permutation_size: int):
    """The permutation (int32, ``[..., permutation_size]``) made by LU's sequence of row swaps."""
    return lu_pivots_to_permutation_p.bind(pivots, permutation_size=int(permutation_size))


def lu_solve(lu_, permutation, b, trans: int = 0):
    """Solve ``a x = b`` (trans 0), ``a^T x = b`` (1) or ``a^H x = b`` (2) from ``lu(a)``.

    ``b`` is ``[..., m]`` (a vector per matrix) when it has one dimension fewer than ``lu``, else
    ``[..., m, k]``; batch dimensions broadcast."""
    return _lu_solve(lu_, permutation, b, trans)


def _lu_solve_one(lu_, permutation, b, trans):
    """One (m, m) factorisation, ``b`` of shape (m, ...): permute rows and solve the two triangles."""
    from jaxlite._src.numpy.lax_numpy import reshape
    m = _aval(lu_).shape[0]
    x = reshape(b, (m, int(np.prod(_aval(b).shape[1:], dtype=np.int64))))
    if trans == 0:
        x = x[permutation, :]
        x = triangular_solve(lu_, x, left_side=True, lower=True, unit_diagonal=True)
        x = triangular_solve(lu_, x, left_side=True, lower=False)
    elif trans in (1, 2):
        conj = trans == 2
        x = triangular_solve(lu_, x, left_side=True, lower=False, transpose_a=True, conjugate_a=conj)
        x = triangular_solve(lu_, x, left_side=True, lower=True, unit_diagonal=True, transpose_a=True,
                             conjugate_a=conj)
        # undo the row permutation: its inverse is the argsort of the permutation
        from jaxlite._src.lax.sorting import sort_key_val
        _, inverse = sort_key_val(permutation, sh.iota(np.int32, _aval(permutation).shape[0]))
        x = x[inverse, :]
    else:
        raise ValueError(f"'trans' value must be 0, 1, or 2, got {trans}")
    return reshape(x, _aval(b).shape)


@staged_jit(static_argnums=(3,))
def _lu_solve(lu_, permutation, b, trans):
    la, ba = _aval(lu_), _aval(b)
    if la.ndim < 2 or la.shape[-1] != la.shape[-2]:
        raise ValueError(f"last two dimensions of LU decomposition must be equal, got shape {la.shape}")
    if ba.ndim < 1:
        raise ValueError(f"b matrix must have rank >= 1, got shape {ba.shape}")
    m = la.shape[-1]
    rhs_vector = la.ndim == ba.ndim + 1
    if rhs_vector:
        if ba.shape[-1] != m:
            raise ValueError(f"When LU decomposition matrix and b have the same number of dimensions, last "
                             f"axis of LU decomposition matrix (shape {la.shape}) and b array (shape "
                             f"{ba.shape}) must match")
        b = b[..., None]
    elif ba.shape[-2] != m:
        raise ValueError(f"When LU decomposition matrix and b different numbers of dimensions, last axis of "
                         f"LU decomposition matrix (shape {la.shape}) and second to last axis of b array "
                         f"(shape {ba.shape}) must match")
    ba, pa = _aval(b), _aval(permutation)
    batch = tuple(np.broadcast_shapes(la.shape[:-2], pa.shape[:-1], ba.shape[:-2]))

    def widen(x, tail):  # leading batch dimensions broadcast, as JAX's _broadcast_to
        shape = batch + _aval(x).shape[-tail:]
        return sh.broadcast_in_dim(x, shape, tuple(range(len(shape) - _aval(x).ndim, len(shape))))

    lu_, permutation, b = widen(lu_, 2), widen(permutation, 1), widen(b, 2)
    from jaxlite._src.vmap import vmap
    fn = _lu_solve_one
    for _ in batch:
        fn = vmap(fn, in_axes=(0, 0, 0, None))
    x = fn(lu_, permutation, b, trans)
    return x[..., 0] if rhs_vector else x


# ---------------------------------------------------------------------------------------------------
# qr
# ---------------------------------------------------------------------------------------------------

def _qr_impl(x, *, pivoting, full_matrices, use_magma=None):
    x = np.asarray(x)
    m, n = x.shape[-2:]
    kq = m if full_matrices else min(m, n)
    if not pivoting:
        if m == 0 or n == 0:
            q = np.broadcast_to(np.eye(m, kq, dtype=x.dtype), x.shape[:-2] + (m, kq)).copy()
            return q, np.zeros(x.shape[:-2] + (kq, n), x.dtype)
        qr = _geqrf_orgqr(x, full_matrices)
        if qr is not None:
            return tuple(qr)
        q, r = np.linalg.qr(x, mode="complete" if full_matrices else "reduced")
        return q.astype(x.dtype, copy=False), r.astype(x.dtype, copy=False)
    sl = _scipy_linalg()

    def one(a):
        q, r, p = sl.qr(a, pivoting=True, mode="full" if full_matrices else "economic", check_finite=False)
        return q, r, p.astype(np.int32)

    return tuple(_batched(one, x, ((m, kq), x.dtype), ((kq, n), x.dtype), ((n,), np.int32)))


def _qr_abstract(x, *, pivoting, full_matrices, use_magma=None):
    _check_matrix("qr", x)
    m, n = x.shape[-2:]
    b = x.shape[:-2]
    k = m if full_matrices else min(m, n)
    outs = [ShapedArray(b + (m, k), x.dtype), ShapedArray(b + (k, n), x.dtype)]
    if pivoting:
        outs.append(ShapedArray(b + (n,), np.int32))
    return outs


qr_p = Primitive("qr")
qr_p.multiple_results = True
qr_p.def_impl(_qr_impl)
qr_p.def_abstract_eval(_qr_abstract)


def _thin_qr_jvp(q, r, dx):
    """JVP of ``x = q r`` for ``[..., m, n]`` with ``m >= n`` (thin factors)."""
    dx_rinv = triangular_solve(r, dx)  # dx r^-1 (right-side solve)
    qt_dx_rinv = _matmul(_H(q), dx_rinv)
    lower = _tril(qt_dx_rinv, -1)
    do = ew.sub(lower, _H(lower))  # skew-Hermitian
    if _is_complex(qt_dx_rinv):
        a = _aval(qt_dx_rinv)
        n = _aval(r).shape[-1]
        imag_part = ew.sub(qt_dx_rinv, ew.convert_element_type(ew.real(qt_dx_rinv), a.dtype))
        do = ew.add(do, ew.mul(_eye(a.dtype, n, batch=a.shape[:-2]), imag_part))
    dq = ew.add(_matmul(q, ew.sub(do, qt_dx_rinv)), dx_rinv)
    dr = _matmul(ew.sub(qt_dx_rinv, do), r)
    return dq, dr


def _gather_columns(x, p):
    """``x[..., :, p]`` for an int permutation ``p`` of shape [..., n] (via a permutation matrix)."""
    P = _permutation_matrix(p, _aval(x).dtype)  # P[i, j] = p[i] == j
    return _matmul(x, _T(P))


def _qr_jvp(primals, tangents, *, pivoting, full_matrices, use_magma=None):
    (x,), (dx,) = primals, tangents
    dx = ad.instantiate_zeros(dx)
    outs = qr_p.bind(x, pivoting=pivoting, full_matrices=full_matrices, use_magma=use_magma)
    q, r = outs[0], outs[1]
    xa = _aval(x)
    nd = xa.ndim
    m, n = xa.shape[-2:]
    batch = xa.shape[:-2]
    if pivoting:
        dx = _gather_columns(dx, outs[2])
        x = _gather_columns(x, outs[2])
    tail = [Zero.from_primal_value(outs[2])] if pivoting else []
    if m < n:
        # wide: x = [x1 x2] = q [r1 r2]; (q, r1) is the QR of the square x1 and r2 = q^H x2
        x2 = sh.slice(x, (0,) * (nd - 1) + (m,), xa.shape)
        dx1 = sh.slice(dx, (0,) * nd, batch + (m, m))
        dx2 = sh.slice(dx, (0,) * (nd - 1) + (m,), xa.shape)
        r1 = sh.slice(r, (0,) * nd, batch + (m, m))
        dq, dr1 = _thin_qr_jvp(q, r1, dx1)
        dr2 = ew.add(_matmul(_H(dq), x2), _matmul(_H(q), dx2))
        dr = sh.concatenate([dr1, dr2], nd - 1)
        return outs, [dq, dr] + tail
    q_mn = sh.slice(q, (0,) * nd, batch + (m, n)) if full_matrices else q
    r_nn = sh.slice(r, (0,) * nd, batch + (n, n)) if full_matrices else r
    dq_mn, dr_nn = _thin_qr_jvp(q_mn, r_nn, dx)
    if not full_matrices or m == n:
        return outs, [dq_mn, dr_nn] + tail
    # full_matrices with m > n (Roberts & Roberts, arXiv:2409.13374, eqs. 32-33)
    q_nn = sh.slice(q_mn, (0,) * nd, batch + (n, n))
    q_pn = sh.slice(q_mn, (0,) * (nd - 2) + (n, 0), batch + (m, n))
    q_mp = sh.slice(q, (0,) * (nd - 1) + (n,), batch + (m, m))
    dq_nn = sh.slice(dq_mn, (0,) * nd, batch + (n, n))
    dq_pn = sh.slice(dq_mn, (0,) * (nd - 2) + (n, 0), batch + (m, n))
    eye_n = _eye(xa.dtype, n, batch=batch)
    lu_f, _, perm = lu(ew.sub(q_nn, eye_n))
    z_pn_H = lu_solve(lu_f, perm, _H(q_pn), trans=2)
    z_pn = _H(z_pn_H)
    dq_mp = ew.sub(_matmul(dq_mn, z_pn_H),
                   _matmul(ew.add(q_mn, _matmul(q_mp, z_pn)), _H(ew.sub(dq_pn, _matmul(z_pn, dq_nn)))))
    dq = sh.concatenate([dq_mn, dq_mp], nd - 1)
    dr = sh.concatenate([dr_nn, ew.full(batch + (m - n, n), 0, xa.dtype)], nd - 2)
    return outs, [dq, dr] + tail


ad.primitive_jvps[qr_p] = _qr_jvp
_batch_front_rule(qr_p)


def qr(x, *, pivoting: bool = False, full_matrices: bool = True, use_magma=None):
    """QR decomposition ``x = q @ r``: ``(q, r)``, or ``(q, r, p)`` with ``x[..., :, p] = q @ r`` when
    ``pivoting``. ``q`` is ``[..., m, m]`` (``[..., m, min(m, n)]`` if not ``full_matrices``)."""
    outs = qr_p.bind(x, pivoting=bool(pivoting), full_matrices=bool(full_matrices), use_magma=use_magma)
    return tuple(outs)


# ---------------------------------------------------------------------------------------------------
# svd
# ---------------------------------------------------------------------------------------------------

def _svd_impl(x, *, full_matrices, compute_uv, subset_by_index, algorithm=None):
    x = np.asarray(x)
    m, n = x.shape[-2:]
    batch = x.shape[:-2]
    rdt = _real_dtype(x.dtype)
    k = min(m, n)
    if k == 0:
        s = np.zeros(batch + (0,), rdt)
        if not compute_uv:
            return (s,)
        um = m if full_matrices else 0
        vn = n if full_matrices else 0
        u = np.broadcast_to(np.eye(m, um, dtype=x.dtype), batch + (m, um)).copy()
        vt = np.broadcast_to(np.eye(vn, n, dtype=x.dtype), batch + (vn, n)).copy()
        return s, u, vt

    outs = _gesdd(x, full_matrices, compute_uv, algorithm)
    if outs is not None:
        return _svd_subset(outs, subset_by_index, compute_uv, k)

    def run(a):
        if compute_uv:
            u, s, vt = np.linalg.svd(a, full_matrices=full_matrices, compute_uv=True)
            return s, u, vt
        return (np.linalg.svd(a, compute_uv=False),)

    with np.errstate(all="ignore"):
        try:
            outs = run(x)
        except np.linalg.LinAlgError:
            ku = m if full_matrices else k
            kv = n if full_matrices else k
            tmpl = [((k,), rdt)] + ([((m, ku), x.dtype), ((kv, n), x.dtype)] if compute_uv else [])
            outs = _batched(run, x, *tmpl)
    outs = [np.asarray(o).astype(d, copy=False) for o, d in zip(outs, (rdt, x.dtype, x.dtype))]
    return _svd_subset(outs, subset_by_index, compute_uv, k)


def _svd_subset(outs, subset_by_index, compute_uv, k):
    outs = list(outs)
    if subset_by_index is not None and tuple(subset_by_index) != (0, k):
        lo, hi = subset_by_index
        hi = min(hi, k)
        outs[0] = outs[0][..., lo:hi]
        if compute_uv:
            outs[1] = outs[1][..., :, lo:hi]
            outs[2] = outs[2][..., lo:hi, :]
    return tuple(outs)


def _svd_abstract(x, *, full_matrices, compute_uv, subset_by_index, algorithm=None):
    _check_matrix("svd", x)
    m, n = x.shape[-2:]
    b = x.shape[:-2]
    rank = min(m, n)
    if subset_by_index is not None:
        if full_matrices and tuple(subset_by_index) != (0, rank):
            raise ValueError("full_matrices and subset_by_index cannot both be set")
        rank = min(rank, subset_by_index[1] - subset_by_index[0])
    outs = [ShapedArray(b + (rank,), _real_dtype(x.dtype))]
    if compute_uv:
        outs.append(ShapedArray(b + (m, m if full_matrices else rank), x.dtype))
        outs.append(ShapedArray(b + (n if full_matrices else rank, n), x.dtype))
    return outs


svd_p = Primitive("svd")
svd_p.multiple_results = True
svd_p.def_impl(_svd_impl)
svd_p.def_abstract_eval(_svd_abstract)


def _svd_jvp(primals, tangents, *, full_matrices, compute_uv, subset_by_index, algorithm=None):
    (A,), (dA,) = primals, tangents
    dA = ad.instantiate_zeros(dA)
    s, U, Vt = svd_p.bind(A, full_matrices=False, compute_uv=True, subset_by_index=subset_by_index,
                          algorithm=algorithm)
    Aa = _aval(A)
    m, n = Aa.shape[-2:]
    if compute_uv and full_matrices and m != n:
        raise NotImplementedError("Singular value decomposition JVP not implemented for full matrices")
    dt = Aa.dtype
    Ut, V = _H(U), _H(Vt)
    sa = _aval(s)
    k = sa.shape[-1]
    batch = sa.shape[:-1]
    dS = _matmul(_matmul(Ut, dA), V)
    ds = _extract_diagonal(ew.real(dS) if _is_complex(dS) else dS)
    if not compute_uv:
        return [s], [ds]
    kk = batch + (k, k)
    s_row = sh.broadcast_in_dim(s, kk, tuple(range(len(batch))) + (len(batch) + 1,))  # s[j] at (i, j)
    s_col = _T(s_row)                                                                 # s[i] at (i, j)
    s_diffs = ew.mul(ew.add(s_row, s_col), ew.sub(s_row, s_col))
    eye_k = _eye(sa.dtype, k, batch=batch)
    F = ew.sub(ew.div(ew.full(kk, 1, sa.dtype), ew.add(s_diffs, eye_k)), eye_k)
    c = lambda v: ew.convert_element_type(v, dt)  # noqa: E731
    dSS = ew.mul(c(s_row), dS)
    SdS = ew.mul(c(s_col), dS)
    s_zeros = ew.convert_element_type(ew.eq(s, ew.full_like(s, 0)), sa.dtype)
    s_inv = ew.sub(ew.div(ew.full_like(s, 1), ew.add(s, s_zeros)), s_zeros)
    s_inv_mat = _construct_diagonal(s_inv)
    dUdV_diag = ew.mul(ew.mul(ew.sub(dS, _H(dS)), 0.5), c(s_inv_mat))
    dU = _matmul(U, ew.add(ew.mul(c(F), ew.add(dSS, _H(dSS))), dUdV_diag))
    dV = _matmul(V, ew.mul(c(F), ew.add(SdS, _H(SdS))))
    if m > n:
        dAV = _matmul(dA, V)
        corr = ew.sub(dAV, _matmul(U, _matmul(Ut, dAV)))
        dU = ew.add(dU, ew.div(corr, c(sh.broadcast_in_dim(s, batch + (m, k), tuple(range(len(batch)))
                                                            + (len(batch) + 1,)))))
    if n > m:
        dAHU = _matmul(_H(dA), U)
        corr = ew.sub(dAHU, _matmul(V, _matmul(Vt, dAHU)))
        dV = ew.add(dV, ew.div(corr, c(sh.broadcast_in_dim(s, batch + (n, k), tuple(range(len(batch)))
                                                            + (len(batch) + 1,)))))
    return [s, U, Vt], [ds, dU, _H(dV)]


ad.primitive_jvps[svd_p] = _svd_jvp
_batch_front_rule(svd_p)


def svd(x, *, full_matrices: bool = True, compute_uv: bool = True, subset_by_index=None, algorithm=None):
    """Singular value decomposition: ``(u, s, vh)`` with ``x = u @ diag(s) @ vh``, or just ``s`` if not
    ``compute_uv``. ``s`` is real and in descending order."""
    if subset_by_index is not None:
        subset_by_index = tuple(int(i) for i in subset_by_index)
    out = svd_p.bind(x, full_matrices=bool(full_matrices), compute_uv=bool(compute_uv),
                     subset_by_index=subset_by_index, algorithm=algorithm)
    if compute_uv:
        s, u, vt = out
        return u, s, vt
    return out[0]


# ---------------------------------------------------------------------------------------------------
# eigh
# ---------------------------------------------------------------------------------------------------

def _eigh_impl(x, *, lower, sort_eigenvalues, subset_by_index, algorithm=None):
    x = np.asarray(x)
    n = x.shape[-1]
    rdt = _real_dtype(x.dtype)
    uplo = "L" if lower else "U"
    vw = _syevd(x, lower) if x.size else None
    if vw is not None:
        v, w = vw
        if subset_by_index is not None and tuple(subset_by_index) != (0, n):
            lo, hi = subset_by_index
            w, v = w[..., lo:hi], v[..., :, lo:hi]
        return v, w
    with np.errstate(all="ignore"):
        try:
            w, v = np.linalg.eigh(x, UPLO=uplo)
        except np.linalg.LinAlgError:
            w, v = _batched(lambda a: np.linalg.eigh(a, UPLO=uplo), x, ((n,), rdt), ((n, n), x.dtype))
    w = np.asarray(w).astype(rdt, copy=False)
    v = np.asarray(v).astype(x.dtype, copy=False)
    if subset_by_index is not None and tuple(subset_by_index) != (0, n):
        lo, hi = subset_by_index
        w = w[..., lo:hi]
        v = v[..., :, lo:hi]
    return v, w


def _eigh_abstract(x, *, lower, sort_eigenvalues, subset_by_index, algorithm=None):
    _check_matrix("eigh", x, square=True)
    n = x.shape[-1]
    d = n if subset_by_index is None else subset_by_index[1] - subset_by_index[0]
    b = x.shape[:-2]
    return [ShapedArray(b + (n, d), x.dtype), ShapedArray(b + (d,), _real_dtype(x.dtype))]


eigh_p = Primitive("eigh")
eigh_p.multiple_results = True
eigh_p.def_impl(_eigh_impl)
eigh_p.def_abstract_eval(_eigh_abstract)


def _eigh_jvp(primals, tangents, *, lower, sort_eigenvalues, subset_by_index, algorithm=None):
    (a,), (a_dot,) = primals, tangents
    aa = _aval(a)
    n = aa.shape[-1]
    if not (subset_by_index is None or tuple(subset_by_index) == (0, n)):
        raise NotImplementedError("Derivatives not defined for partial eigen decomposition.")
    a_dot = ad.instantiate_zeros(a_dot)
    # nondegenerate perturbation theory (distinct eigenvalues)
    v, w_real = eigh_p.bind(symmetrize(a), lower=lower, sort_eigenvalues=sort_eigenvalues,
                            subset_by_index=subset_by_index, algorithm=algorithm)
    dt = aa.dtype
    batch = aa.shape[:-2]
    w = ew.convert_element_type(w_real, dt)
    nn = batch + (n, n)
    w_row = sh.broadcast_in_dim(w, nn, tuple(range(len(batch))) + (len(batch) + 1,))
    eye_n = _eye(dt, n, batch=batch)
    Fmat = ew.sub(ew.integer_pow(ew.sub(ew.add(eye_n, w_row), _T(w_row)), -1), eye_n)
    vdag_adot_v = _matmul(_matmul(_H(v), a_dot), v)
    dv = _matmul(v, ew.mul(Fmat, vdag_adot_v))
    dw = _extract_diagonal(ew.real(vdag_adot_v) if _is_complex(vdag_adot_v) else vdag_adot_v)
    return [v, w_real], [dv, dw]


ad.primitive_jvps[eigh_p] = _eigh_jvp
_batch_front_rule(eigh_p)


def eigh(x, *, lower: bool = True, symmetrize_input: bool = True, sort_eigenvalues: bool = True,
         subset_by_index=None, implementation=None):
    """Eigendecomposition of Hermitian ``x``: ``(v, w)`` with ``x @ v == v * w``, ``w`` ascending."""
    _check_matrix("eigh", _aval(x), square=True)
    if symmetrize_input:
        x = symmetrize(x)
    if subset_by_index is not None:
        subset_by_index = tuple(int(i) for i in subset_by_index)
    v, w = eigh_p.bind(x, lower=bool(lower), sort_eigenvalues=bool(sort_eigenvalues),
                       subset_by_index=subset_by_index, algorithm=implementation)
    return v, w


# ---------------------------------------------------------------------------------------------------
# eig (general matrices)
# ---------------------------------------------------------------------------------------------------

def _eig_impl(x, *, compute_left_eigenvectors, compute_right_eigenvectors, enable_eigvec_derivs=False,
              implementation=None):
    x = np.asarray(x)
    n = x.shape[-1]
    cdt = _complex_dtype(x.dtype)
    tmpl = [((n,), cdt)]
    if compute_left_eigenvectors:
        tmpl.append(((n, n), cdt))
    if compute_right_eigenvectors:
        tmpl.append(((n, n), cdt))

    def one(a):
        if not np.all(np.isfinite(a)):
            raise np.linalg.LinAlgError("non-finite input")
        if compute_left_eigenvectors:
            sl = _scipy_linalg()
            w, vl, vr = sl.eig(a, left=True, right=True, check_finite=False)
            outs = [w, vl]
            if compute_right_eigenvectors:
                outs.append(vr)
            return outs
        if compute_right_eigenvectors:
            w, vr = np.linalg.eig(a)
            return [w, vr]
        return [np.linalg.eigvals(a)]

    with np.errstate(all="ignore"):
        return tuple(_batched(one, x, *tmpl))


def _eig_abstract(x, *, compute_left_eigenvectors, compute_right_eigenvectors, enable_eigvec_derivs=False,
                  implementation=None):
    _check_matrix("eig", x, square=True)
    n = x.shape[-1]
    b = x.shape[:-2]
    cdt = _complex_dtype(x.dtype)
    outs = [ShapedArray(b + (n,), cdt)]
    if compute_left_eigenvectors:
        outs.append(ShapedArray(b + (n, n), cdt))
    if compute_right_eigenvectors:
        outs.append(ShapedArray(b + (n, n), cdt))
    return outs


eig_p = Primitive("eig")
eig_p.multiple_results = True
eig_p.def_impl(_eig_impl)
eig_p.def_abstract_eval(_eig_abstract)


def _broadcasted_matvec(a, b):
    """``(..., n, m) @ (..., m) -> (..., n)`` as one batched dot_general at the highest precision."""
    batch = tuple(np.broadcast_shapes(_aval(a).shape[:-2], _aval(b).shape[:-1]))
    nb = len(batch)
    a = sh.broadcast_in_dim(a, batch + _aval(a).shape[-2:], tuple(range(nb + 2 - _aval(a).ndim, nb + 2)))
    b = sh.broadcast_in_dim(b, batch + _aval(b).shape[-1:], tuple(range(nb + 1 - _aval(b).ndim, nb + 1)))
    dims = (([_aval(a).ndim - 1], [_aval(b).ndim - 1]), (list(range(nb)), list(range(nb))))
    from jaxlite._src.lax.linalg import Precision
    return dot_general(a, b, dims, precision=Precision.HIGHEST)


def _solve(a, b):
    """``a^-1 b`` for square ``a``, ``b`` of shape ``[..., m]`` or ``[..., m, k]``: as JAX, a
    ``custom_linear_solve`` with LU solves, so that derivatives reuse the factorisation."""
    from jaxlite._src.lax.solves import custom_linear_solve
    from jaxlite._src.vmap import vmap
    la, ba = _aval(a), _aval(b)
    if not (la.ndim >= 2 and ba.ndim in (la.ndim, la.ndim - 1)
            and la.shape[-1] == la.shape[-2] == ba.shape[la.ndim - 2]):
        raise ValueError(f"The arguments to solve must have shapes a=[..., m, m] and b=[..., m, k] or "
                         f"b=[..., m]; got a={la.shape} and b={ba.shape}")
    # b's leading dimensions broadcast to a's (custom_linear_solve needs b's full shape)
    out_shape = tuple(d_a if d_b == 1 else d_b for d_a, d_b in zip(la.shape[:-1] + (1,), ba.shape))
    b = sh.broadcast_in_dim(b, out_shape, tuple(range(ba.ndim)))
    lu_, _, permutation = lu(ew.stop_gradient(a))

    def solve_with(x):
        return custom_linear_solve(lambda v: _broadcasted_matvec(a, v), x,
                                   solve=lambda _, v: lu_solve(lu_, permutation, v, trans=0),
                                   transpose_solve=lambda _, v: lu_solve(lu_, permutation, v, trans=1))
    if la.ndim == ba.ndim + 1:
        return solve_with(b)
    return vmap(solve_with, ba.ndim - 1, max(la.ndim, ba.ndim) - 1)(b)


def _solve_square(a, b):
    """``a^-1 b`` for batched square ``a`` (via lu)."""
    lu_, _, perm = lu(a)
    return lu_solve(lu_, perm, b, 0)


def _eig_vec_jvp(w, v, da):
    """Nondegenerate perturbation theory under LAPACK's normalisation (unit 2-norm, largest component
    real): returns ``(dw, dv)``."""
    va = _aval(v)
    n = va.shape[-1]
    batch = va.shape[:-2]
    nb = len(batch)
    nn = batch + (n, n)
    eye_n = _eye(va.dtype, n, batch=batch)
    w_row = sh.broadcast_in_dim(w, nn, tuple(range(nb)) + (nb + 1,))
    Fmat = ew.sub(ew.div(ew.full(nn, 1, va.dtype), ew.sub(ew.add(eye_n, w_row), _T(w_row))), eye_n)
    P = _matmul(_solve_square(v, da), v)
    dw = _extract_diagonal(P)
    U = _matmul(v, ew.mul(Fmat, P))
    # dv_j = u_j + c_j v_j; LAPACK's two real constraints fix c_j
    absv = ew.abs(v)
    k = red.argmax(absv, nb, np.int32)
    mask = ew.convert_element_type(
        ew.eq(sh.broadcasted_iota(np.int32, nn, nb), sh.broadcast_in_dim(k, nn, tuple(range(nb)) + (nb + 1,))),
        va.dtype)
    re_part = ew.neg(ew.real(red.reduce_sum(ew.mul(ew.conj(v), U), (nb,))))
    im_part = ew.div(ew.neg(ew.imag(red.reduce_sum(ew.mul(mask, U), (nb,)))),
                     ew.real(red.reduce_sum(ew.mul(mask, v), (nb,))))
    c = ew.complex(re_part, im_part)
    return dw, ew.add(U, ew.mul(v, sh.broadcast_in_dim(c, nn, tuple(range(nb)) + (nb + 1,))))


def _eig_jvp(primals, tangents, *, compute_left_eigenvectors, compute_right_eigenvectors,
             enable_eigvec_derivs=False, implementation=None):
    (a,), (da,) = primals, tangents
    if (compute_left_eigenvectors or compute_right_eigenvectors) and not enable_eigvec_derivs:
        raise NotImplementedError(
            "Derivatives of non-symmetric eigenvectors are only valid under assumptions on the input that "
            "JAX cannot check (see the enable_eigvec_derivs argument to jax.lax.linalg.eig). Pass "
            "enable_eigvec_derivs=True to jax.lax.linalg.eig to opt in. See "
            "https://github.com/jax-ml/jax/issues/2748 for discussion.")
    da = ad.instantiate_zeros(da)
    outs = eig_p.bind(a, compute_left_eigenvectors=compute_left_eigenvectors,
                      compute_right_eigenvectors=True, enable_eigvec_derivs=enable_eigvec_derivs,
                      implementation=implementation)
    w, vr = outs[0], outs[-1]
    da = ew.convert_element_type(da, _aval(vr).dtype)
    if not (compute_left_eigenvectors or compute_right_eigenvectors):
        nb = _aval(a).ndim - 2
        dw = red.reduce_sum(ew.mul(_solve_square(vr, da), _T(vr)), (nb + 1,))
        return [w], [dw]
    dw, dvr = _eig_vec_jvp(w, vr, da)
    primal_out, tangent_out = [w], [dw]
    if compute_left_eigenvectors:
        vl = outs[1]
        _, dvl = _eig_vec_jvp(ew.conj(w), vl, _H(da))
        primal_out.append(vl)
        tangent_out.append(dvl)
    if compute_right_eigenvectors:
        primal_out.append(vr)
        tangent_out.append(dvr)
    return primal_out, tangent_out


ad.primitive_jvps[eig_p] = _eig_jvp
_batch_front_rule(eig_p)


def eig(x, *, compute_left_eigenvectors: bool = True, compute_right_eigenvectors: bool = True,
        enable_eigvec_derivs: bool = False, implementation=None, use_magma=None):
    """Eigendecomposition of a general square matrix: ``[w, vl, vr]`` (complex), ``vl``/``vr`` only if
    requested. ``vr[..., :, j]`` is the right eigenvector of ``w[..., j]``; each has unit norm."""
    return list(eig_p.bind(x, compute_left_eigenvectors=bool(compute_left_eigenvectors),
                           compute_right_eigenvectors=bool(compute_right_eigenvectors),
                           enable_eigvec_derivs=bool(enable_eigvec_derivs), implementation=implementation))


# ---------------------------------------------------------------------------------------------------
# schur
# ---------------------------------------------------------------------------------------------------

def _schur_impl(x, *, compute_schur_vectors, sort_eig_vals, select_callable):
    if sort_eig_vals:
        raise NotImplementedError("The sort feature of LAPACK's gees routine is not implemented.")
    x = np.asarray(x)
    sl = _scipy_linalg()
    n = x.shape[-1]
    output = "complex" if dtypes.issubdtype(x.dtype, np.complexfloating) else "real"

    def one(a):
        t, z = sl.schur(a, output=output, check_finite=False)
        return (t, z) if compute_schur_vectors else (t,)

    tmpl = [((n, n), x.dtype)] * (2 if compute_schur_vectors else 1)
    return tuple(_batched(one, x, *tmpl))


def _schur_abstract(x, *, compute_schur_vectors, sort_eig_vals, select_callable):
    _check_matrix("schur", x, square=True)
    return [ShapedArray(x.shape, x.dtype)] * (2 if compute_schur_vectors else 1)


schur_p = Primitive("schur")
schur_p.multiple_results = True
schur_p.def_impl(_schur_impl)
schur_p.def_abstract_eval(_schur_abstract)
_batch_front_rule(schur_p)


def schur(x, *, compute_schur_vectors: bool = True, sort_eig_vals: bool = False, select_callable=None):
    """Schur decomposition ``x = q @ t @ q^H``: returns ``(t, q)`` (just ``t`` without vectors). Not
    differentiable, as in JAX."""
    out = schur_p.bind(x, compute_schur_vectors=bool(compute_schur_vectors),
                       sort_eig_vals=bool(sort_eig_vals), select_callable=select_callable)
    return tuple(out) if compute_schur_vectors else out[0]


# ---------------------------------------------------------------------------------------------------
# tridiagonal_solve
# ---------------------------------------------------------------------------------------------------

def _tridiagonal_solve_impl(dl, d, du, b, *, perturb_singular=False):
    if perturb_singular:
        raise NotImplementedError("tridiagonal_solve: perturb_singular=True is not implemented in jaxlite.")
    dl, d, du, b = (np.asarray(v) for v in (dl, d, du, b))
    m = d.shape[-1]
    out_dtype = b.dtype
    if m == 0:
        return np.array(b, copy=True)
    # Thomas algorithm, vectorised over batch and right-hand sides (no pivoting, as JAX's own impl)
    with np.errstate(all="ignore"):
        cp = np.empty(d.shape, np.result_type(d.dtype, b.dtype))
        dp = np.empty(b.shape, cp.dtype)
        cp[..., 0] = du[..., 0] / d[..., 0]
        dp[..., 0, :] = b[..., 0, :] / d[..., 0, None]
        for i in range(1, m):
            denom = d[..., i] - dl[..., i] * cp[..., i - 1]
            cp[..., i] = du[..., i] / denom
            dp[..., i, :] = (b[..., i, :] - dl[..., i, None] * dp[..., i - 1, :]) / denom[..., None]
        x = np.empty_like(dp)
        x[..., m - 1, :] = dp[..., m - 1, :]
        for i in range(m - 2, -1, -1):
            x[..., i, :] = dp[..., i, :] - cp[..., i, None] * x[..., i + 1, :]
    return x.astype(out_dtype, copy=False)


def _tridiagonal_solve_abstract(dl, d, du, b, *, perturb_singular=False):
    if not (dl.shape == d.shape == du.shape) or b.ndim != d.ndim + 1 or b.shape[:-1] != d.shape:
        raise ValueError(f"tridiagonal_solve requires dl, d and du to have the same shape [..., m] and b "
                         f"the shape [..., m, n]; got dl={dl.shape}, d={d.shape}, du={du.shape}, "
                         f"b={b.shape}.")
    if not (dl.dtype == d.dtype == du.dtype == b.dtype):
        raise TypeError(f"tridiagonal_solve requires all operands to have the same dtype, got "
                        f"{dl.dtype.name}, {d.dtype.name}, {du.dtype.name}, {b.dtype.name}.")
    _check_matrix("tridiagonal_solve", b)
    return ShapedArray(b.shape, b.dtype)


tridiagonal_solve_p = Primitive("tridiagonal_solve")
tridiagonal_solve_p.def_impl(_tridiagonal_solve_impl)
tridiagonal_solve_p.def_abstract_eval(_tridiagonal_solve_abstract)


def _tridiagonal_product(dl, d, du, b):
    """``A @ b`` for the tridiagonal ``A`` given by its three diagonals."""
    ba = _aval(b)
    nd = ba.ndim
    m = ba.shape[-2]
    full = lambda v: sh.broadcast_in_dim(v, ba.shape, tuple(range(nd - 1)))  # noqa: E731
    y = ew.mul(full(d), b)
    if m > 1:
        zero = ew.full((), 0, ba.dtype)
        lo = ew.mul(sh.slice(full(dl), (0,) * (nd - 2) + (1, 0), ba.shape),
                    sh.slice(b, (0,) * nd, ba.shape[:-2] + (m - 1, ba.shape[-1])))
        up = ew.mul(sh.slice(full(du), (0,) * nd, ba.shape[:-2] + (m - 1, ba.shape[-1])),
                    sh.slice(b, (0,) * (nd - 2) + (1, 0), ba.shape))
        y = ew.add(y, sh.pad(lo, zero, [(0, 0, 0)] * (nd - 2) + [(1, 0, 0), (0, 0, 0)]))
        y = ew.add(y, sh.pad(up, zero, [(0, 0, 0)] * (nd - 2) + [(0, 1, 0), (0, 0, 0)]))
    return y


def _tridiagonal_solve_jvp(primals, tangents, *, perturb_singular=False):
    *diags, b = primals
    *diags_dot, b_dot = tangents
    ans = tridiagonal_solve_p.bind(*primals, perturb_singular=perturb_singular)
    if all(type(t) is Zero for t in diags_dot):
        rhs = b_dot
    else:
        matvec_dot = _tridiagonal_product(*[ad.instantiate_zeros(t) for t in diags_dot], ans)
        rhs = ad.add_tangents(b_dot, ew.neg(matvec_dot))
    return ans, tridiagonal_solve_p.bind(*diags, ad.instantiate_zeros(rhs), perturb_singular=perturb_singular)


def _tridiagonal_solve_transpose(ct, dl, d, du, b, *, perturb_singular=False):
    if any(is_undefined_primal(v) for v in (dl, d, du)):
        raise NotImplementedError("transpose of tridiagonal_solve with respect to the diagonals")
    if type(ct) is Zero:
        return [None, None, None, None]
    da = _aval(d)
    nd = da.ndim
    m = da.shape[-1]
    zero1 = ew.full(da.shape[:-1] + (1,), 0, da.dtype)
    # the transposed matrix has du shifted down as its lower diagonal and dl shifted up as its upper one
    dl_t = sh.concatenate([zero1, sh.slice(du, (0,) * nd, da.shape[:-1] + (m - 1,))], nd - 1)
    du_t = sh.concatenate([sh.slice(dl, (0,) * (nd - 1) + (1,), da.shape), zero1], nd - 1)
    return [None, None, None, tridiagonal_solve_p.bind(dl_t, d, du_t, ct, perturb_singular=perturb_singular)]


ad.primitive_jvps[tridiagonal_solve_p] = _tridiagonal_solve_jvp
ad.primitive_transposes[tridiagonal_solve_p] = _tridiagonal_solve_transpose


def _tridiagonal_solve_batch(vals, dims, **params):
    size = batching.axis_size_of(vals, dims)
    vals = [batching.bdim_at_front(v, d, size) for v, d in zip(vals, dims)]
    return tridiagonal_solve_p.bind(*vals, **params), 0


batching.primitive_batchers[tridiagonal_solve_p] = _tridiagonal_solve_batch


def tridiagonal_solve(dl, d, du, b, *, perturb_singular: bool = False):
    """Solve the tridiagonal system ``A x = b``; ``dl[i] = A[i, i-1]`` (``dl[0] = 0``), ``d[i] = A[i, i]``,
    ``du[i] = A[i, i+1]`` (``du[m-1] = 0``); ``b`` is ``[..., m, n]``."""
    return tridiagonal_solve_p.bind(dl, d, du, b, perturb_singular=bool(perturb_singular))
