"""jax.numpy.linalg: NumPy's linear-algebra API on the decomposition primitives of ``lax.linalg``.

Every function works on stacks of matrices (leading batch dimensions) and keeps JAX's dtypes: integer
inputs are promoted to the default float type; float32 stays float32.
"""
from __future__ import annotations

import math
import operator
from typing import NamedTuple, Sequence

import numpy as np

from jaxlite._src import dtypes
from jaxlite._src.custom_derivatives import custom_jvp
from jaxlite._src.lax import decompositions as lax_linalg
from jaxlite._src.lax import elementwise as ew
from jaxlite._src.lax import shapes as sh
from jaxlite._src.numpy import lax_numpy as jnp
from jaxlite._src.numpy import reductions, ufuncs
from jaxlite._src.numpy.util import (canonicalize_axis, ensure_arraylike, promote_dtypes, promote_dtypes_inexact,
                                     staged_jit)

__all__ = [
    "EighResult", "EigResult", "QRResult", "SlogdetResult", "SVDResult",
    "cholesky", "cond", "cross", "det", "diagonal", "eig", "eigh", "eigvals", "eigvalsh", "inv", "lstsq", "matmul",
    "matrix_norm", "matrix_power", "matrix_rank", "matrix_transpose", "multi_dot", "norm", "outer", "pinv",
    "qr", "slogdet", "solve", "svd", "svdvals", "tensordot", "tensorinv", "tensorsolve", "trace", "vecdot",
    "vector_norm",
]


class EighResult(NamedTuple):
    eigenvalues: object
    eigenvectors: object


class EigResult(NamedTuple):
    eigenvalues: object
    eigenvectors: object


class QRResult(NamedTuple):
    Q: object
    R: object


class SlogdetResult(NamedTuple):
    sign: object
    logabsdet: object


class SVDResult(NamedTuple):
    U: object
    S: object
    Vh: object


def _H(x):
    return ufuncs.conjugate(jnp.matrix_transpose(x))


def _inexact(name, a):
    a = ensure_arraylike(name, a)
    a, = promote_dtypes_inexact(a)
    return a


def _check_square(name, a):
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"Argument to {name} must have shape [..., n, n], got {a.shape}.")


def _finfo_eps(dt):
    return float(np.finfo(np.dtype(dt)).eps)


def _scalar(v, dt):
    return jnp.asarray(v, dtype=dt)


# ---------------------------------------------------------------------------------------------------
# decompositions
# ---------------------------------------------------------------------------------------------------

def cholesky(a, *, upper: bool = False, symmetrize_input: bool = True):
    """Cholesky factor of Hermitian positive-definite ``a``: lower ``L`` with ``a = L @ L^H`` (or upper
    ``U = L^H`` if ``upper``). Not positive definite gives NaNs, as in JAX.

    >>> jnp.linalg.cholesky(jnp.array([[4., 2.], [2., 2.]]))   # [[2., 0.], [1., 1.]]
    """
    a = _inexact("jnp.linalg.cholesky", a)
    _check_square("cholesky", a)
    L = lax_linalg.cholesky(a, symmetrize_input=symmetrize_input)
    return _H(L) if upper else L


def svd(a, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False,
        subset_by_index=None):
    """Singular value decomposition ``a = U @ diag(S) @ Vh``; returns ``SVDResult(U, S, Vh)`` or just
    ``S`` (descending) if not ``compute_uv``."""
    a = _inexact("jnp.linalg.svd", a)
    if a.ndim < 2:
        raise TypeError(f"jnp.linalg.svd: input must be at least 2-dimensional, got shape {a.shape}")
    if hermitian:
        return _svd_hermitian(a, compute_uv, subset_by_index)
    if compute_uv:
        u, s, vh = lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=True,
                                  subset_by_index=subset_by_index)
        return SVDResult(u, s, vh)
    return lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=False, subset_by_index=subset_by_index)


def _svd_hermitian(a, compute_uv, subset_by_index):
    from jaxlite._src.lax import sorting
    v, w = lax_linalg.eigh(a, subset_by_index=subset_by_index)
    s = ew.abs(w)
    last = s.ndim - 1
    if not compute_uv:
        return sh.rev(sorting.sort(s, dimension=last), (last,))
    sign = ew.sign(w)
    idxs = sh.broadcasted_iota(np.int32, s.shape, last)
    s, idxs, sign = sorting.sort((s, idxs, sign), dimension=last, num_keys=1)
    s, idxs, sign = (sh.rev(t, (last,)) for t in (s, idxs, sign))
    u = lax_linalg._gather_columns(v, idxs)
    vh = _H(ufuncs.multiply(u, jnp.expand_dims(sign, -2).astype(u.dtype)))
    return SVDResult(u, s, vh)


def svdvals(x, /):
    """Singular values of ``x`` (descending)."""
    x = ensure_arraylike("jnp.linalg.svdvals", x)
    return svd(x, compute_uv=False, hermitian=False)


def eig(a):
    """Eigenvalues and right eigenvectors of a general square matrix (always complex, as in JAX).
    Eigenvector derivatives are not defined (JAX raises too)."""
    a = _inexact("jnp.linalg.eig", a)
    _check_square("eig", a)
    w, v = lax_linalg.eig(a, compute_left_eigenvectors=False)
    return EigResult(w, v)


def eigvals(a):
    """Eigenvalues of a general square matrix (complex)."""
    a = _inexact("jnp.linalg.eigvals", a)
    _check_square("eigvals", a)
    return lax_linalg.eig(a, compute_left_eigenvectors=False, compute_right_eigenvectors=False)[0]


def _uplo_lower(UPLO):
    if UPLO is None or UPLO == "L":
        return True
    if UPLO == "U":
        return False
    raise ValueError(f"UPLO must be one of None, 'L', or 'U', got {UPLO}")


def eigh(a, UPLO: str | None = None, symmetrize_input: bool = True):
    """Eigendecomposition of a Hermitian matrix: ``EighResult(eigenvalues, eigenvectors)``, eigenvalues
    ascending and real."""
    a = ensure_arraylike("jnp.linalg.eigh", a)
    lower = _uplo_lower(UPLO)
    a, = promote_dtypes_inexact(a)
    _check_square("eigh", a)
    v, w = lax_linalg.eigh(a, lower=lower, symmetrize_input=symmetrize_input)
    return EighResult(w, v)


def eigvalsh(a, UPLO: str | None = "L", *, symmetrize_input: bool = True):
    """Eigenvalues (ascending) of a Hermitian matrix."""
    a = _inexact("jnp.linalg.eigvalsh", a)
    return eigh(a, UPLO, symmetrize_input=symmetrize_input)[0]


def qr(a, mode: str = "reduced"):
    """QR decomposition. ``mode``: ``'reduced'`` (default), ``'complete'`` or ``'r'`` (only ``R``)."""
    a = _inexact("jnp.linalg.qr", a)
    if a.ndim < 2:
        raise TypeError(f"jnp.linalg.qr: input must be at least 2-dimensional, got shape {a.shape}")
    if mode == "raw":
        raise NotImplementedError("jnp.linalg.qr(mode='raw') needs the geqrf primitive, which jaxlite does "
                                  "not implement yet; use mode='reduced' or 'complete'.")
    if mode in ("reduced", "r", "full"):
        full_matrices = False
    elif mode == "complete":
        full_matrices = True
    else:
        raise ValueError(f"Unsupported QR decomposition mode '{mode}'")
    q, r = lax_linalg.qr(a, pivoting=False, full_matrices=full_matrices)
    if mode == "r":
        return r
    return QRResult(q, r)


# ---------------------------------------------------------------------------------------------------
# determinants
# ---------------------------------------------------------------------------------------------------

def _entry(a, i, j):
    return a[..., i, j]


def _det_2x2(a):
    return _entry(a, 0, 0) * _entry(a, 1, 1) - _entry(a, 0, 1) * _entry(a, 1, 0)


def _det_3x3(a):
    e = lambda i, j: _entry(a, i, j)  # noqa: E731
    return (e(0, 0) * e(1, 1) * e(2, 2) + e(0, 1) * e(1, 2) * e(2, 0) + e(0, 2) * e(1, 0) * e(2, 1)
            - e(0, 2) * e(1, 1) * e(2, 0) - e(0, 0) * e(1, 2) * e(2, 1) - e(0, 1) * e(1, 0) * e(2, 2))


def _slogdet_small(a):
    det_ = _entry(a, 0, 0) if a.shape[-1] == 1 else _det_2x2(a)
    return ufuncs.sign(det_), ufuncs.real(ufuncs.log(ufuncs.abs(det_)))


def _slogdet_lu(a):
    dtype = a.dtype
    lu_, pivot, _ = lax_linalg.lu(a)
    diag = jnp.diagonal(lu_, axis1=-2, axis2=-1)
    is_zero = reductions.any(ufuncs.equal(diag, _scalar(0, dtype)), axis=-1)
    iota = jnp.arange(a.shape[-1], dtype=pivot.dtype)
    parity = reductions.count_nonzero(ufuncs.not_equal(pivot, iota), axis=-1)
    if dtypes.issubdtype(dtype, np.complexfloating):
        sign = reductions.prod(ufuncs.divide(diag, ufuncs.abs(diag).astype(dtype)), axis=-1)
    else:
        sign = _scalar(1, dtype)
        parity = parity + reductions.count_nonzero(ufuncs.less(diag, _scalar(0, dtype)), axis=-1)
    flip = jnp.asarray(-2 * (parity % 2) + 1, dtype=dtype)
    sign = jnp.where(is_zero, _scalar(0, dtype), ufuncs.multiply(sign, flip))
    logdet = jnp.where(is_zero, _scalar(-np.inf, dtype),
                       reductions.sum(ufuncs.log(ufuncs.abs(diag)).astype(dtype), axis=-1))
    return sign, ufuncs.real(logdet)


def _slogdet_qr(a):
    if dtypes.issubdtype(a.dtype, np.complexfloating):
        raise NotImplementedError("slogdet method='qr' not implemented for complex inputs")
    q, r = lax_linalg.qr(a, full_matrices=True)
    r_diag = jnp.diagonal(r, axis1=-2, axis2=-1)
    log_abs_det = reductions.sum(ufuncs.log(ufuncs.abs(r_diag)), axis=-1)
    # det(q) is +-1: its sign comes from an LU of q (q is well conditioned)
    q_sign, _ = _slogdet_lu(q)
    return ufuncs.multiply(reductions.prod(ufuncs.sign(r_diag), axis=-1), q_sign), log_abs_det


def _slogdet_jvp(primals, tangents):
    """d log|det x| = trace(x^-1 dx); the sign is piecewise constant (for complex: the phase moves)."""
    (x,), (g,) = primals, tangents
    sign, ans = slogdet(x)
    ans_dot = jnp.trace(solve(x, g), axis1=-1, axis2=-2)
    if dtypes.issubdtype(x.dtype, np.complexfloating):
        sign_dot = ufuncs.multiply(ufuncs.subtract(ans_dot, ufuncs.real(ans_dot).astype(ans_dot.dtype)), sign)
        ans_dot = ufuncs.real(ans_dot)
    else:
        sign_dot = jnp.zeros_like(sign)
    return (sign, ans), (sign_dot, ans_dot)


def _slogdet_small_jvp(primals, tangents):
    (x,), (g,) = primals, tangents
    sign, ans = _slogdet_small_cj(x)
    if x.shape[-1] == 1:
        ans_dot = ufuncs.divide(g[..., 0, 0], x[..., 0, 0])
    else:
        x00, x01, x10, x11 = x[..., 0, 0], x[..., 0, 1], x[..., 1, 0], x[..., 1, 1]
        det_ = x00 * x11 - x01 * x10
        ans_dot = ufuncs.divide(g[..., 0, 0] * x11 - g[..., 0, 1] * x10 - g[..., 1, 0] * x01
                                + g[..., 1, 1] * x00, det_)
    if dtypes.issubdtype(x.dtype, np.complexfloating):
        sign_dot = ufuncs.multiply(ufuncs.subtract(ans_dot, ufuncs.real(ans_dot).astype(ans_dot.dtype)), sign)
        ans_dot = ufuncs.real(ans_dot)
    else:
        sign_dot = jnp.zeros_like(sign)
    return (sign, ans), (sign_dot, ans_dot)


_slogdet_small_cj = custom_jvp(_slogdet_small)
_slogdet_small_cj.defjvp(_slogdet_small_jvp)
_slogdet_lu_cj = custom_jvp(_slogdet_lu)
_slogdet_lu_cj.defjvp(_slogdet_jvp)
_slogdet_qr_cj = custom_jvp(_slogdet_qr)
_slogdet_qr_cj.defjvp(_slogdet_jvp)


def slogdet(a, *, method: str | None = None):
    """Sign and natural log of the absolute value of the determinant: ``SlogdetResult(sign,
    logabsdet)``. ``method`` is ``'lu'`` (default) or ``'qr'``."""
    a = _inexact("jnp.linalg.slogdet", a)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"Argument to slogdet() must have shape [..., n, n], got {a.shape}")
    if method is None or method == "lu":
        if a.shape[-1] in (1, 2):
            return SlogdetResult(*_slogdet_small_cj(a))
        return SlogdetResult(*_slogdet_lu_cj(a))
    if method == "qr":
        return SlogdetResult(*_slogdet_qr_cj(a))
    raise ValueError(f"Unknown slogdet method '{method}'. Supported methods are 'lu' (`None`), and 'qr'.")


def _cofactor_solve(a, b):
    """``(det(a), adjugate(a) @ b)``, well defined also for singular ``a`` (JAX's construction):
    with ``a = P^T L U``, ``det(a) a^-1 b = prod(diag U) U^-1 L^-1 P b``; replacing the last pivot
    ``U[n-1, n-1]`` by ``1 / prod(diag U)[:-1]`` keeps that finite when ``rank(a) = n - 1``, and when
    the rank is lower the adjugate is zero."""
    n = a.shape[-1]
    if n == 1:
        return a[..., 0, 0], b
    lu_, pivots, permutation = lax_linalg.lu(a)
    dtype = a.dtype
    batch = tuple(np.broadcast_shapes(lu_.shape[:-2], b.shape[:-2]))
    x = _broadcast_leading(b, batch, 2)
    lu_ = _broadcast_leading(lu_, batch, 2)
    diag = jnp.diagonal(lu_, axis1=-2, axis2=-1)
    parity = reductions.count_nonzero(ufuncs.not_equal(pivots, jnp.arange(n, dtype=pivots.dtype)), axis=-1)
    sign = jnp.asarray(-2 * (parity % 2) + 1, dtype=dtype)
    partial_det = ufuncs.multiply(reductions.cumprod(diag, axis=-1), sign[..., None])
    corner = jnp.broadcast_to(ufuncs.logical_and(ufuncs.equal(jnp.arange(n)[:, None], n - 1),
                                                 ufuncs.equal(jnp.arange(n)[None, :], n - 1)), lu_.shape)
    lu_ = jnp.where(corner, ufuncs.divide(1.0, partial_det[..., -2])[..., None, None], lu_)
    permutation = _broadcast_leading(permutation, batch, 1)
    d = jnp.ones(x.shape[:-1], x.dtype)
    d = lax_linalg.triangular_solve(lu_, d, left_side=True, lower=False)
    d = reductions.any(ufuncs.logical_or(ufuncs.isnan(d), ufuncs.isinf(d)), axis=-1)
    d = jnp.broadcast_to(d[..., None, None], x.shape)
    x = jnp.where(d, jnp.zeros_like(x), x)
    x = jnp.matmul(lax_linalg._permutation_matrix(permutation, dtype), x, precision="HIGHEST")
    x = lax_linalg.triangular_solve(lu_, x, left_side=True, lower=True, unit_diagonal=True)
    x = jnp.concatenate((ufuncs.multiply(x[..., :-1, :], partial_det[..., -1, None, None]), x[..., -1:, :]),
                        axis=-2)
    x = lax_linalg.triangular_solve(lu_, x, left_side=True, lower=False)
    x = jnp.where(d, jnp.zeros_like(x), x)
    return partial_det[..., -1], x


def _det_lu(a):
    sign, logdet = slogdet(a)
    return ufuncs.multiply(sign, ufuncs.exp(logdet).astype(sign.dtype))


def _det_jvp(primals, tangents):
    (x,), (g,) = primals, tangents
    y, z = _cofactor_solve(x, g)
    return y, jnp.trace(z, axis1=-1, axis2=-2)


_det_cj = custom_jvp(_det_lu)
_det_cj.defjvp(_det_jvp)


def det(a):
    """Determinant of a (stack of) square matrices. 2x2 and 3x3 use the closed forms (as JAX does);
    larger matrices use an LU decomposition.

    >>> jnp.linalg.det(jnp.array([[1., 2.], [3., 4.]]))   # -2.
    """
    a = _inexact("jnp.linalg.det", a)
    if a.ndim >= 2 and a.shape[-1] == a.shape[-2] == 2:
        return _det_2x2(a)
    if a.ndim >= 2 and a.shape[-1] == a.shape[-2] == 3:
        return _det_3x3(a)
    if a.ndim >= 2 and a.shape[-1] == a.shape[-2]:
        if a.shape[-1] == 0:
            return jnp.ones(a.shape[:-2], a.dtype)
        return _det_cj(a)
    raise ValueError(f"Argument to _det() must have shape [..., n, n], got {a.shape}")


# ---------------------------------------------------------------------------------------------------
# solving
# ---------------------------------------------------------------------------------------------------

def _broadcast_leading(x, batch, tail):
    shape = tuple(batch) + tuple(x.shape[x.ndim - tail:])
    return x if x.shape == shape else jnp.broadcast_to(x, shape)


@staged_jit
def solve(a, b):
    """Solve ``a @ x = b``. ``b`` is a vector ``[m]`` or a stack of matrices ``[..., m, k]`` (batch dims
    broadcast); uses an LU decomposition inside ``lax.custom_linear_solve`` (so derivatives reuse it)."""
    a, b = ensure_arraylike("jnp.linalg.solve", a, b)
    a, b = promote_dtypes_inexact(a, b)
    if a.ndim < 2:
        raise ValueError(f"left hand array must be at least two dimensional; got a.shape={a.shape!r}")
    if b.ndim > 1 and a.ndim == b.ndim + 1 and a.shape[-1] == b.shape[-1] and a.shape[-1] != b.shape[-2]:
        raise ValueError(f"Invalid shapes for solve: {a.shape}, {b.shape}. Prior to JAX v0.5.0, this would "
                         f"have been treated as a batched 1-dimensional solve. To recover this behavior, "
                         f"use solve(a, b[..., None]).squeeze(-1).")
    signature = "(m,m),(m)->(m)" if b.ndim == 1 else "(m,m),(m,n)->(m,n)"
    return jnp.vectorize(lax_linalg._solve, signature=signature)(a, b)


@staged_jit
def inv(a):
    """Inverse of a (stack of) square matrices (``solve(a, I)``)."""
    arr = ensure_arraylike("jnp.linalg.inv", a)
    if arr.ndim < 2 or arr.shape[-1] != arr.shape[-2]:
        raise ValueError(f"Argument to inv must have shape [..., n, n], got {arr.shape}.")
    return solve(arr, sh.broadcast(jnp.eye(arr.shape[-1], dtype=arr.dtype), arr.shape[:-2]))


def pinv(a, rtol=None, hermitian: bool = False, *, rcond=None):
    """Moore-Penrose pseudo-inverse via the SVD; singular values below ``rtol * s_max`` are dropped.
    Its derivative is the closed form of Golub & Pereyra (as in JAX), not the SVD's."""
    if rcond is not None:
        if rtol is not None:
            raise ValueError("pinv: only one of rtol and rcond may be specified.")
        rtol = rcond
    return _pinv_cj(a, rtol, hermitian)


def _pinv(a, rtol=None, hermitian=False):
    a = ensure_arraylike("jnp.linalg.pinv", a)
    arr, = promote_dtypes_inexact(a)
    if arr.ndim < 2:
        raise ValueError(f"jnp.linalg.pinv: input must be at least 2-dimensional, got shape {arr.shape}")
    m, n = arr.shape[-2:]
    if m == 0 or n == 0:
        return jnp.zeros(arr.shape[:-2] + (n, m), arr.dtype)
    arr = ufuncs.conjugate(arr)
    real_dt = np.finfo(arr.dtype).dtype
    if rtol is None:
        rtol = 10.0 * max(m, n) * jnp.asarray(_finfo_eps(arr.dtype), dtype=real_dt)
    rtol = jnp.asarray(rtol)
    u, s, vh = svd(arr, full_matrices=False, hermitian=hermitian)
    rtol = jnp.expand_dims(rtol, tuple(range(rtol.ndim, s.ndim)))
    cutoff = ufuncs.multiply(rtol, s[..., 0:1])
    s = jnp.where(ufuncs.greater(s, cutoff), s, np.inf).astype(u.dtype)
    res = jnp.matmul(jnp.matrix_transpose(vh), ufuncs.divide(jnp.matrix_transpose(u), s[..., None]),
                     precision="HIGHEST")
    return res.astype(arr.dtype)


def _pinv_jvp(rtol, hermitian, primals, tangents):
    (a,), (a_dot,) = primals, tangents
    p = pinv(a, rtol=rtol, hermitian=hermitian)
    a, a_dot = promote_dtypes_inexact(a, a_dot)
    if hermitian:
        a = ufuncs.divide(ufuncs.add(a, _H(a)), 2)
        a_dot = ufuncs.divide(ufuncs.add(a_dot, _H(a_dot)), 2)
    mm = lambda x, y: jnp.matmul(x, y, precision="HIGHEST")  # noqa: E731
    m, n = a.shape[-2:]
    if m >= n:
        s = mm(mm(p, _H(p)), _H(a_dot))
        t = mm(mm(_H(a_dot), _H(p)), p)
        p_dot = (-mm(mm(p, a_dot), p) + s - mm(mm(s, a), p) + t - mm(mm(p, a), t))
    else:
        s = mm(p, mm(_H(p), _H(a_dot)))
        t = mm(_H(a_dot), mm(_H(p), p))
        p_dot = (-mm(p, mm(a_dot, p)) + s - mm(s, mm(a, p)) + t - mm(p, mm(a, t)))
    return p, p_dot


_pinv_cj = custom_jvp(_pinv, nondiff_argnums=(1, 2))
_pinv_cj.defjvp(_pinv_jvp)


def lstsq(a, b, rcond=None, *, numpy_resid: bool = False):
    """Least-squares solution of ``a @ x = b`` via the SVD: ``(x, residuals, rank, s)``."""
    a, b = ensure_arraylike("jnp.linalg.lstsq", a, b)
    a, b = promote_dtypes_inexact(a, b)
    if a.shape[0] != b.shape[0]:
        raise ValueError("Leading dimensions of input arrays must match")
    b_orig_ndim = b.ndim
    if b_orig_ndim == 1:
        b = b[:, None]
    if a.ndim != 2:
        raise TypeError(f"{a.ndim}-dimensional array given. Array must be two-dimensional")
    if b.ndim != 2:
        raise TypeError(f"{b.ndim}-dimensional array given. Array must be one or two-dimensional")
    m, n = a.shape
    dtype = a.dtype
    if a.size == 0:
        s = jnp.zeros(0, dtype=a.dtype)
        rank = jnp.asarray(0, dtype=dtypes.default_int_dtype())
        x = jnp.zeros((n,) + b.shape[1:], dtype=a.dtype)
    else:
        if rcond is None:
            rcond = _finfo_eps(dtype) * max(n, m)
        else:
            rcond = jnp.where(ufuncs.less(rcond, 0), _finfo_eps(dtype), rcond)
        u, s, vt = svd(a, full_matrices=False)
        mask = ufuncs.logical_and(ufuncs.greater(s, 0), ufuncs.greater_equal(
            s, ufuncs.multiply(jnp.asarray(rcond, dtype=s.dtype), s[0])))
        rank = reductions.sum(mask)
        safe_s = jnp.where(mask, s, 1).astype(a.dtype)
        s_inv = jnp.where(mask, ufuncs.divide(1, safe_s), 0)[:, None]
        uTb = jnp.matmul(_H(u), b, precision="HIGHEST")
        x = jnp.matmul(_H(vt), ufuncs.multiply(s_inv, uTb), precision="HIGHEST")
    if numpy_resid and (rank < n or m <= n):
        resid = jnp.asarray([], dtype=np.finfo(a.dtype).dtype)
    else:
        b_estimate = jnp.matmul(a, x, precision="HIGHEST")
        resid = ufuncs.square(norm(ufuncs.subtract(b, b_estimate), axis=0))
    if b_orig_ndim == 1:
        x = jnp.ravel(x)
    return x, resid, rank, s


def tensorinv(a, ind: int = 2):
    """Inverse of a tensor with respect to ``tensordot(.., ind)``."""
    arr = ensure_arraylike("tensorinv", a)
    ind = operator.index(ind)
    if ind <= 0:
        raise ValueError(f"ind must be a positive integer; got ind={ind!r}")
    contracting_shape, batch_shape = arr.shape[:ind], arr.shape[ind:]
    flatshape = (math.prod(contracting_shape), math.prod(batch_shape))
    if flatshape[0] != flatshape[1]:
        raise ValueError(f"tensorinv is only possible when the product of the first `ind` dimensions equals "
                         f"that of the remaining dimensions. got arr.shape={arr.shape!r} with ind={ind!r}.")
    return jnp.reshape(inv(jnp.reshape(arr, flatshape)), batch_shape + contracting_shape)


def tensorsolve(a, b, axes=None):
    """Solve ``tensordot(a, x, x.ndim) = b`` for ``x``."""
    a_arr, b_arr = ensure_arraylike("tensorsolve", a, b)
    if axes is not None:
        axes = tuple(axes)
        a_arr = jnp.moveaxis(a_arr, axes, len(axes) * (a_arr.ndim - 1,))
    out_shape = a_arr.shape[b_arr.ndim:]
    if a_arr.shape[:b_arr.ndim] != b_arr.shape:
        raise ValueError(f"After moving axes to end, leading shape of a must match shape of b. got "
                         f"a.shape={a_arr.shape}, b.shape={b_arr.shape}")
    if b_arr.size != math.prod(out_shape):
        raise ValueError(f"Input arrays must have prod(a.shape[:b.ndim]) == prod(a.shape[b.ndim:]); got "
                         f"a.shape={a_arr.shape}, b.ndim={b_arr.ndim}.")
    a_arr = jnp.reshape(a_arr, (b_arr.size, math.prod(out_shape)))
    return jnp.reshape(solve(a_arr, jnp.ravel(b_arr)), out_shape)


def matrix_power(a, n: int):
    """``a`` raised to the integer power ``n`` by repeated squaring (``n < 0`` inverts first)."""
    arr = ensure_arraylike("jnp.linalg.matrix_power", a)
    if arr.ndim < 2:
        raise TypeError(f"{arr.ndim}-dimensional array given. Array must be at least two-dimensional")
    if arr.shape[-2] != arr.shape[-1]:
        raise TypeError("Last 2 dimensions of the array must be square")
    try:
        n = operator.index(n)
    except TypeError as err:
        raise TypeError(f"exponent must be an integer, got {n}") from err
    if n == 0:
        return jnp.broadcast_to(jnp.eye(arr.shape[-2], dtype=arr.dtype), arr.shape)
    if n < 0:
        arr = inv(arr)
        n = -n
    if n == 1:
        return arr
    if n == 2:
        return jnp.matmul(arr, arr)
    if n == 3:
        return jnp.matmul(jnp.matmul(arr, arr), arr)
    z = result = None
    while n > 0:
        z = arr if z is None else jnp.matmul(z, z)
        n, bit = divmod(n, 2)
        if bit:
            result = z if result is None else jnp.matmul(result, z)
    return result


def matrix_rank(M, rtol=None, *, hermitian: bool = False, tol=None):
    """Number of singular values above ``rtol * s_max`` (default ``max(m, n) * eps``)."""
    M = ensure_arraylike("jnp.linalg.matrix_rank", M)
    if tol is not None:
        if rtol is not None:
            raise ValueError("matrix_rank: only one of tol or rtol may be specified.")
        rtol = tol
    M, = promote_dtypes_inexact(M)
    if M.ndim < 2:
        return reductions.any(ufuncs.not_equal(M, 0)).astype(np.int32)
    S = svd(M, full_matrices=False, compute_uv=False, hermitian=hermitian)
    if rtol is None:
        rtol = ufuncs.multiply(reductions.max(S, axis=-1),
                               jnp.asarray(max(M.shape[-2:]) * _finfo_eps(S.dtype), dtype=S.dtype))
    rtol = jnp.asarray(rtol)
    rtol = jnp.expand_dims(rtol, rtol.ndim)
    return reductions.sum(ufuncs.greater(S, rtol), axis=-1)


def cond(x, p=None):
    """Condition number of ``x`` in the ``p`` norm (default: 2-norm, from the singular values)."""
    arr = ensure_arraylike("cond", x)
    if arr.ndim < 2:
        raise ValueError(f"jnp.linalg.cond: input array must be at least 2D; got arr.shape={arr.shape!r}")
    if arr.shape[-1] == 0 or arr.shape[-2] == 0:
        raise ValueError(f"jnp.linalg.cond: input array must not be empty; got arr.shape={arr.shape!r}")
    if p is None or p == 2:
        s = svdvals(arr)
        return ufuncs.divide(s[..., 0], s[..., -1])
    if p == -2:
        s = svdvals(arr)
        r = ufuncs.divide(s[..., -1], s[..., 0])
    else:
        if arr.shape[-2] != arr.shape[-1]:
            raise ValueError(f"jnp.linalg.cond: for p={p!r}, array must be square; got arr.shape={arr.shape!r}")
        r = ufuncs.multiply(norm(arr, ord=p, axis=(-2, -1)), norm(inv(arr), ord=p, axis=(-2, -1)))
    x_nan = reductions.any(ufuncs.isnan(arr), axis=(-2, -1))
    return jnp.where(ufuncs.logical_and(ufuncs.isnan(r), ufuncs.logical_not(x_nan)), np.inf, r)


# ---------------------------------------------------------------------------------------------------
# norms
# ---------------------------------------------------------------------------------------------------

def _abs2_sum(x, axis, keepdims):
    return reductions.sum(ufuncs.real(ufuncs.multiply(x, ufuncs.conjugate(x))), axis=axis, keepdims=keepdims)


def _amax0(x, axis, keepdims):
    """max with initial=0 (so empty reductions give 0)."""
    return reductions.max(x, axis=axis, keepdims=keepdims, initial=0)


@staged_jit(static_argnames=("ord", "axis", "keepdims"))
def norm(x, ord=None, axis=None, keepdims: bool = False):
    """Vector or matrix norm (``numpy.linalg.norm``), for every ``ord``/``axis`` combination NumPy
    accepts."""
    x = _inexact("jnp.linalg.norm", x)
    ndim = x.ndim
    if axis is None:
        if ord is None:
            return ufuncs.sqrt(_abs2_sum(x, None, keepdims))
        axis = tuple(range(ndim))
    elif isinstance(axis, tuple):
        axis = tuple(canonicalize_axis(ax, ndim) for ax in axis)
    else:
        axis = (canonicalize_axis(operator.index(axis), ndim),)
    if len(axis) == 1:
        return vector_norm(x, ord=2 if ord is None else ord, axis=axis, keepdims=keepdims)
    if len(axis) == 2:
        row_axis, col_axis = axis
        if row_axis == col_axis:
            raise ValueError("Duplicate axes given.")
        if ord is None or ord in ("f", "fro"):
            return ufuncs.sqrt(_abs2_sum(x, axis, keepdims))
        if isinstance(ord, str) and ord != "nuc":
            raise ValueError(f"Invalid order '{ord}' for matrix norm.")
        if ord in (1, -1):
            if not keepdims and col_axis > row_axis:
                col_axis -= 1
            colsums = reductions.sum(ufuncs.abs(x), axis=row_axis, keepdims=keepdims)
            if ord == 1:
                return _amax0(colsums, col_axis, keepdims)
            return reductions.min(colsums, axis=col_axis, keepdims=keepdims)
        if ord in (np.inf, -np.inf):
            if not keepdims and row_axis > col_axis:
                row_axis -= 1
            rowsums = reductions.sum(ufuncs.abs(x), axis=col_axis, keepdims=keepdims)
            if ord == np.inf:
                return _amax0(rowsums, row_axis, keepdims)
            return reductions.min(rowsums, axis=row_axis, keepdims=keepdims)
        if ord in ("nuc", 2, -2):
            y = jnp.moveaxis(x, axis, (-2, -1))
            s = svd(y, compute_uv=False)
            if ord == 2:
                out = _amax0(s, -1, False)
            elif ord == -2:
                out = reductions.min(s, axis=-1)
            else:
                out = reductions.sum(s, axis=-1)
            if keepdims:
                out = jnp.expand_dims(out, axis)
            return out
        raise ValueError(f"Invalid order '{ord}' for matrix norm.")
    raise ValueError(f"Improper number of axes for norm: axis={axis!r}. Pass one axis to compute a "
                     f"vector-norm, or two axes to compute a matrix-norm.")


def vector_norm(x, /, *, axis=None, keepdims: bool = False, ord=2):
    """Vector norm over ``axis`` (all axes by default, treating ``x`` as one vector)."""
    x = ensure_arraylike("jnp.linalg.vector_norm", x)
    x, = promote_dtypes_inexact(x)
    if isinstance(axis, list):
        axis = tuple(axis)
    if ord is None or (not isinstance(ord, str) and ord == 2):
        return ufuncs.sqrt(_abs2_sum(x, axis, keepdims))
    if isinstance(ord, str):
        msg = f"Invalid order '{ord}' for vector norm."
        if ord == "inf":
            msg += "Use 'jax.numpy.inf' instead."
        if ord == "-inf":
            msg += "Use '-jax.numpy.inf' instead."
        raise ValueError(msg)
    if ord == np.inf:
        return _amax0(ufuncs.abs(x), axis, keepdims)
    if ord == -np.inf:
        return reductions.min(ufuncs.abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:
        return reductions.sum(ufuncs.not_equal(x, 0), dtype=np.finfo(x.dtype).dtype, axis=axis,
                              keepdims=keepdims)
    if ord == 1:
        return reductions.sum(ufuncs.abs(x), axis=axis, keepdims=keepdims)
    abs_x = ufuncs.abs(x)
    ord_arr = jnp.asarray(ord, dtype=abs_x.dtype)
    ord_inv = jnp.asarray(1.0 / ord_arr, dtype=abs_x.dtype)
    out = reductions.sum(ufuncs.power(abs_x, ord_arr), axis=axis, keepdims=keepdims)
    return ufuncs.power(out, ord_inv)


def matrix_norm(x, /, *, keepdims: bool = False, ord="fro"):
    """Norm of the matrices in the last two axes of ``x``."""
    x = ensure_arraylike("jnp.linalg.matrix_norm", x)
    return norm(x, ord=ord, keepdims=keepdims, axis=(-2, -1))


# ---------------------------------------------------------------------------------------------------
# products and array-API helpers
# ---------------------------------------------------------------------------------------------------

def matrix_transpose(x, /):
    """Swap the last two axes."""
    x = ensure_arraylike("jnp.linalg.matrix_transpose", x)
    if x.ndim < 2:
        raise ValueError(f"matrix_transpose requires at least 2 dimensions; got ndim={x.ndim!r}")
    return jnp.matrix_transpose(x)


def matmul(x1, x2, /, *, precision=None, preferred_element_type=None):
    """Matrix product (array-API ``linalg.matmul``)."""
    x1, x2 = ensure_arraylike("jnp.linalg.matmul", x1, x2)
    return jnp.matmul(x1, x2, precision=precision, preferred_element_type=preferred_element_type)


def tensordot(x1, x2, /, *, axes=2, precision=None, preferred_element_type=None, out_sharding=None):
    """Tensor contraction (array-API ``linalg.tensordot``)."""
    x1, x2 = ensure_arraylike("jnp.linalg.tensordot", x1, x2)
    return jnp.tensordot(x1, x2, axes=axes, precision=precision, preferred_element_type=preferred_element_type)


def vecdot(x1, x2, /, *, axis: int = -1, precision=None, preferred_element_type=None):
    """``sum(conj(x1) * x2, axis)`` with broadcasting of the other axes."""
    x1, x2 = ensure_arraylike("jnp.linalg.vecdot", x1, x2)
    if x1.shape[axis] != x2.shape[axis]:
        raise ValueError(f"axes must match; got shapes {x1.shape} and {x2.shape} with axis={axis}")
    x1, x2 = promote_dtypes(x1, x2)
    if dtypes.issubdtype(x1.dtype, np.complexfloating):
        x1 = ufuncs.conjugate(x1)
    x1 = jnp.moveaxis(x1, axis, -1)
    x2 = jnp.moveaxis(x2, axis, -1)
    out = jnp.matmul(x1[..., None, :], x2[..., :, None], precision=precision,
                     preferred_element_type=preferred_element_type)
    return out[..., 0, 0]


def outer(x1, x2, /):
    """Outer product of two vectors."""
    x1, x2 = ensure_arraylike("jnp.linalg.outer", x1, x2)
    if x1.ndim != 1 or x2.ndim != 1:
        raise ValueError(f"Input arrays must be one-dimensional, but they are x1.ndim={x1.ndim!r} "
                         f"x2.ndim={x2.ndim!r}")
    return ufuncs.multiply(x1[:, None], x2[None, :])


def cross(x1, x2, /, *, axis=-1):
    """Cross product of (stacks of) 3-vectors along ``axis``."""
    x1, x2 = ensure_arraylike("jnp.linalg.cross", x1, x2)
    if x1.shape[axis] != 3 or x2.shape[axis] != 3:
        raise ValueError(f"Both input arrays must be (arrays of) 3-dimensional vectors, but they have "
                         f"x1.shape[axis]={x1.shape[axis]!r} and x2.shape[axis]={x2.shape[axis]!r}")
    x1, x2 = promote_dtypes(x1, x2)
    a = jnp.moveaxis(x1, axis, -1)
    b = jnp.moveaxis(x2, axis, -1)
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    c = jnp.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)
    return jnp.moveaxis(c, -1, axis)


def _multi_dot_order(dims):
    """Optimal parenthesisation of a matrix chain (NumPy's dynamic programme)."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j] = c
                    split[i][j] = k
    return split


def multi_dot(arrays: Sequence, *, precision=None):
    """Product of a chain of matrices in the cheapest order; the first and last may be vectors."""
    arrs = list(ensure_arraylike("jnp.linalg.multi_dot", *arrays)) if len(arrays) > 1 else \
        [ensure_arraylike("jnp.linalg.multi_dot", *arrays)] if arrays else []
    if len(arrs) < 2:
        raise ValueError(f"multi_dot requires at least two arrays; got len(arrays)={len(arrs)}")
    if not (arrs[0].ndim in (1, 2) and arrs[-1].ndim in (1, 2) and all(a.ndim == 2 for a in arrs[1:-1])):
        raise ValueError(f"multi_dot: input arrays must all be two-dimensional, except for the first and last "
                         f"array which may be 1 or 2 dimensional. Got array shapes {[a.shape for a in arrs]}")
    if any(a.shape[-1] != b.shape[0] for a, b in zip(arrs[:-1], arrs[1:])):
        raise ValueError(f"multi_dot: last dimension of each array must match first dimension of following "
                         f"array. Got array shapes {[a.shape for a in arrs]}")
    first_vec, last_vec = arrs[0].ndim == 1, arrs[-1].ndim == 1
    if first_vec:
        arrs[0] = arrs[0][None, :]
    if last_vec:
        arrs[-1] = arrs[-1][:, None]
    dims = [arrs[0].shape[0]] + [a.shape[1] for a in arrs]
    split = _multi_dot_order(dims)

    def prod(i, j):
        if i == j:
            return arrs[i]
        k = split[i][j]
        return jnp.matmul(prod(i, k), prod(k + 1, j), precision=precision)

    out = prod(0, len(arrs) - 1)
    if first_vec:
        out = out[0]
    if last_vec:
        out = out[..., 0]
    return out


def diagonal(x, /, *, offset: int = 0):
    """Diagonals of the matrices in the last two axes."""
    x = ensure_arraylike("jnp.linalg.diagonal", x)
    return jnp.diagonal(x, offset=offset, axis1=-2, axis2=-1)


def trace(x, /, *, offset: int = 0, dtype=None):
    """Traces of the matrices in the last two axes."""
    x = ensure_arraylike("jnp.linalg.trace", x)
    return jnp.trace(x, offset=offset, axis1=-2, axis2=-1, dtype=dtype)

