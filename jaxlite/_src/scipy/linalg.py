"""jax.scipy.linalg: SciPy's linear-algebra API on the ``lax.linalg`` primitives.

As in JAX, ``overwrite_*`` and ``check_finite`` arguments are accepted and ignored (arrays are
immutable and values are not checked at run time).
"""
from __future__ import annotations

import functools
import warnings

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.lax import decompositions as lax_linalg
from jaxlite._src.lax import elementwise as ew
from jaxlite._src.lax import shapes as sh
from jaxlite._src.numpy import lax_numpy as jnp
from jaxlite._src.numpy import linalg as jnp_linalg
from jaxlite._src.numpy import reductions, ufuncs
from jaxlite._src.numpy.util import promote_dtypes, promote_dtypes_inexact, staged_jit

__all__ = ["block_diag", "cho_factor", "cho_solve", "cholesky", "det", "eigh", "expm", "expm_frechet", "inv",
           "lu", "lu_factor", "lu_solve", "qr", "schur", "solve", "solve_triangular", "svd", "sqrtm"]


def _inexact(*args):
    return promote_dtypes_inexact(*[jnp.asarray(a) for a in args])


def _H(x):
    return ufuncs.conjugate(jnp.matrix_transpose(x))


def _check_square(name, a):
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"jax.scipy.linalg.{name}: expected a (batched) square matrix, got shape {a.shape}.")


# ---------------------------------------------------------------------------------------------------
# Cholesky
# ---------------------------------------------------------------------------------------------------

def cholesky(a, lower: bool = False, overwrite_a: bool = False, check_finite: bool = True):
    """Cholesky factor of ``a``: upper ``U`` with ``a = U^H U`` (default) or lower ``L`` with
    ``a = L L^H``. Only the named triangle of ``a`` is read."""
    a, = _inexact(a)
    _check_square("cholesky", a)
    l = lax_linalg.cholesky(a if lower else ufuncs.conjugate(jnp.matrix_transpose(a)), symmetrize_input=False)
    return l if lower else _H(l)


def cho_factor(a, lower: bool = False, overwrite_a: bool = False, check_finite: bool = True):
    """``(c, lower)`` for :func:`cho_solve`."""
    return cholesky(a, lower=lower), lower


def _vector_or_matrix_rhs(name, a, b):
    """Whether ``b`` is a (batch of) vector(s): the rule SciPy/JAX use, with JAX's deprecation."""
    if b.ndim == 1:
        return True
    if a.ndim == b.ndim + 1 and a.shape[-1] == b.shape[-1]:
        warnings.warn(f"jax.scipy.linalg.{name}: batched 1D solves with b.ndim > 1 are deprecated, and in the "
                      f"future will be treated as a batched 2D solve. Use {name}(..., b[..., None]).squeeze(-1) "
                      f"to avoid this warning.", category=FutureWarning, stacklevel=3)
        return True
    return False


def _tri_solve_batched(a, b, vector, **kw):
    """triangular_solve with NumPy-style broadcasting of the batch dims of ``a`` and ``b``."""
    if vector:
        b = b[..., None]
    n = a.shape[-1]
    if b.shape[-2] != n:
        raise ValueError(f"Incompatible shapes for triangular solve: a has shape {a.shape}, b has shape "
                         f"{b.shape[:-1] if vector else b.shape}.")
    batch = tuple(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]))
    a = jnp.broadcast_to(a, batch + a.shape[-2:]) if a.shape[:-2] != batch else a
    b = jnp.broadcast_to(b, batch + b.shape[-2:]) if b.shape[:-2] != batch else b
    out = lax_linalg.triangular_solve(a, b, left_side=True, **kw)
    return out[..., 0] if vector else out


def cho_solve(c_and_lower, b, overwrite_b: bool = False, check_finite: bool = True):
    """Solve ``a x = b`` given ``cho_factor(a)``."""
    c, lower = c_and_lower
    c, b = _inexact(c, b)
    vector = _vector_or_matrix_rhs("cho_solve", c, b)
    b = _tri_solve_batched(c, b, vector, lower=lower, transpose_a=not lower, conjugate_a=not lower)
    return _tri_solve_batched(c, b, vector, lower=lower, transpose_a=lower, conjugate_a=lower)


def solve_triangular(a, b, trans=0, lower: bool = False, unit_diagonal: bool = False,
                     overwrite_b: bool = False, debug=None, check_finite: bool = True):
    """Solve ``op(a) x = b`` for triangular ``a``; ``trans`` is 0/'N', 1/'T' or 2/'C'."""
    if trans == 0 or trans == "N":
        transpose_a, conjugate_a = False, False
    elif trans == 1 or trans == "T":
        transpose_a, conjugate_a = True, False
    elif trans == 2 or trans == "C":
        transpose_a, conjugate_a = True, True
    else:
        raise ValueError(f"Invalid 'trans' value {trans}")
    a, b = _inexact(a, b)
    _check_square("solve_triangular", a)
    vector = _vector_or_matrix_rhs("solve_triangular", a, b)
    return _tri_solve_batched(a, b, vector, lower=lower, transpose_a=transpose_a, conjugate_a=conjugate_a,
                              unit_diagonal=unit_diagonal)


# ---------------------------------------------------------------------------------------------------
# LU
# ---------------------------------------------------------------------------------------------------

@staged_jit(static_argnames=("overwrite_a", "check_finite"))
def lu_factor(a, overwrite_a: bool = False, check_finite: bool = True):
    """``(lu, piv)``: the packed LU factors and LAPACK's (0-based) pivot indices."""
    a, = _inexact(a)
    lu_, pivots, _ = lax_linalg.lu(a)
    return lu_, pivots


@staged_jit(static_argnames=("trans", "overwrite_b", "check_finite"))
def lu_solve(lu_and_piv, b, trans: int = 0, overwrite_b: bool = False, check_finite: bool = True):
    """Solve ``a x = b`` (trans 0), ``a^T x = b`` (1) or ``a^H x = b`` (2) from :func:`lu_factor`."""
    lu_, pivots = lu_and_piv
    lu_, b = _inexact(lu_, b)
    perm = lax_linalg.lu_pivots_to_permutation(jnp.asarray(pivots), lu_.shape[-2])
    # one matrix per call of lax's lu_solve; batch dimensions are mapped by vectorize (as JAX)
    vector = _vector_or_matrix_rhs("lu_solve", lu_, b)
    signature = "(n,n),(n),(n)->(n)" if vector else "(n,n),(n),(n,k)->(n,k)"
    return jnp.vectorize(functools.partial(lax_linalg.lu_solve, trans=trans), signature=signature)(lu_, perm, b)


def lu(a, permute_l: bool = False, overwrite_a: bool = False, check_finite: bool = True):
    """``(p, l, u)`` with ``a = p @ l @ u`` (or ``(p @ l, u)`` if ``permute_l``)."""
    a, = _inexact(a)
    if a.ndim < 2:
        raise ValueError(f"jax.scipy.linalg.lu: expected a (batched) matrix, got shape {a.shape}.")
    lu_, _, permutation = lax_linalg.lu(a)
    dtype = a.dtype
    m, n = a.shape[-2:]
    # p[i, j] = (permutation[j] == i), so that a = p @ l @ u
    p = jnp.matrix_transpose(lax_linalg._permutation_matrix(permutation, dtype))
    k = min(m, n)
    l = ufuncs.add(jnp.tril(lu_, -1)[..., :, :k], jnp.eye(m, k, dtype=dtype))
    u = jnp.triu(lu_)[..., :k, :]
    if permute_l:
        return jnp.matmul(p, l, precision="HIGHEST"), u
    return p, l, u


# ---------------------------------------------------------------------------------------------------
# other decompositions
# ---------------------------------------------------------------------------------------------------

def qr(a, overwrite_a: bool = False, lwork=None, mode: str = "full", pivoting: bool = False,
       check_finite: bool = True):
    """QR decomposition; ``mode`` is ``'full'``, ``'economic'`` or ``'r'`` (returns ``(r,)``)."""
    if mode in ("full", "r"):
        full_matrices = True
    elif mode == "economic":
        full_matrices = False
    elif mode == "raw":
        raise NotImplementedError("jax.scipy.linalg.qr(mode='raw') is not implemented in jaxlite.")
    else:
        raise ValueError(f"Unsupported QR decomposition mode '{mode}'")
    a, = _inexact(a)
    q, r, *p = lax_linalg.qr(a, pivoting=pivoting, full_matrices=full_matrices)
    if mode == "r":
        return (r, p[0]) if pivoting else (r,)
    return (q, r, p[0]) if pivoting else (q, r)


def svd(a, full_matrices: bool = True, compute_uv: bool = True, overwrite_a: bool = False,
        check_finite: bool = True, lapack_driver: str = "gesdd"):
    """Singular value decomposition ``(u, s, vh)`` (or ``s``)."""
    a, = _inexact(a)
    return lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv)


def eigh(a, b=None, lower: bool = True, eigvals_only: bool = False, overwrite_a: bool = False,
         overwrite_b: bool = False, turbo: bool = True, eigvals=None, type: int = 1, check_finite: bool = True):
    """Eigendecomposition ``(w, v)`` of a Hermitian matrix (only the ``lower``/upper triangle is read)."""
    if b is not None:
        raise NotImplementedError("Only the b=None case of eigh is implemented")
    if type != 1:
        raise NotImplementedError("Only the type=1 case of eigh is implemented.")
    if eigvals is not None:
        raise NotImplementedError("Only the eigvals=None case of eigh is implemented.")
    a, = _inexact(a)
    _check_square("eigh", a)
    v, w = lax_linalg.eigh(a, lower=lower)
    return w if eigvals_only else (w, v)


def schur(a, output: str = "real"):
    """Schur decomposition ``(t, z)`` with ``a = z @ t @ z^H``."""
    if output not in ("real", "complex"):
        raise ValueError(f"Expected 'output' to be either 'real' or 'complex', got output={output!r}.")
    a, = _inexact(a)
    if output == "complex":
        a = a.astype(dtypes.to_complex_dtype(a.dtype))
    return lax_linalg.schur(a)


def inv(a, overwrite_a: bool = False, check_finite: bool = True):
    """Matrix inverse."""
    return jnp_linalg.inv(a)


def det(a, overwrite_a: bool = False, check_finite: bool = True):
    """Determinant."""
    return jnp_linalg.det(a)


def solve(a, b, lower: bool = False, overwrite_a: bool = False, overwrite_b: bool = False, debug: bool = False,
          check_finite: bool = True, assume_a: str = "gen"):
    """Solve ``a x = b``. ``assume_a='pos'`` uses a Cholesky factorisation (reading the ``lower``
    triangle); other values use LU."""
    valid = ["gen", "sym", "her", "pos"]
    if assume_a not in valid:
        raise ValueError(f"Expected assume_a to be one of {valid}; got {assume_a!r}")
    if assume_a != "pos":
        return jnp_linalg.solve(a, b)
    a, b = _inexact(a, b)
    _check_square("solve", a)
    if not (b.ndim in (a.ndim, a.ndim - 1) and a.shape[-1] == b.shape[a.ndim - 2]):
        raise ValueError(f"The arguments to solve must have shapes a=[..., m, m] and b=[..., m, k] or "
                         f"b=[..., m]; got a={a.shape} and b={b.shape}")
    # differentiable in a as well: cholesky's jvp covers the factorisation
    c = cholesky(a, lower=lower)
    vector = b.ndim == a.ndim - 1
    bb = b[..., None] if vector else b
    x = _tri_solve_batched(c, bb, False, lower=lower, transpose_a=not lower, conjugate_a=not lower)
    x = _tri_solve_batched(c, x, False, lower=lower, transpose_a=lower, conjugate_a=lower)
    return x[..., 0] if vector else x


# ---------------------------------------------------------------------------------------------------
# expm (scaling and squaring with Pade approximants, as JAX / Higham 2005)
# ---------------------------------------------------------------------------------------------------

_PADE_COEFFS = {
    3: (120., 60., 12., 1.),
    5: (30240., 15120., 3360., 420., 30., 1.),
    7: (17297280., 8648640., 1995840., 277200., 25200., 1512., 56., 1.),
    9: (17643225600., 8821612800., 2075673600., 302702400., 30270240., 2162160., 110880., 3960., 90., 1.),
    13: (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800., 129060195264000.,
         10559470521600., 670442572800., 33522128640., 1323241920., 40840800., 960960., 16380., 182., 1.),
}


def _dot(a, b):
    return jnp.matmul(a, b, precision="HIGHEST")


def _pade(A, order):
    b = _PADE_COEFFS[order]
    n = A.shape[-1]
    ident = jnp.eye(n, dtype=A.dtype)
    A2 = _dot(A, A)
    if order == 13:
        A4 = _dot(A2, A2)
        A6 = _dot(A4, A2)
        U = _dot(A, _dot(A6, b[13] * A6 + b[11] * A4 + b[9] * A2) + b[7] * A6 + b[5] * A4 + b[3] * A2
                 + b[1] * ident)
        V = _dot(A6, b[12] * A6 + b[10] * A4 + b[8] * A2) + b[6] * A6 + b[4] * A4 + b[2] * A2 + b[0] * ident
        return U, V
    powers = [ident, A2]
    while len(powers) < (order + 1) // 2:
        powers.append(_dot(powers[-1], A2))
    u_inner = sum(b[2 * i + 1] * p for i, p in enumerate(powers))
    V = sum(b[2 * i] * p for i, p in enumerate(powers))
    return _dot(A, u_inner), V


def _expm_2d(A, upper_triangular, max_squarings):
    if A.dtype in (np.float64, np.complex128):
        maxnorm = 5.371920351148152
        conds = (0.01495585217958292, 0.253939833006323, 0.9504178996162932, 2.097847961257068)
        orders = (3, 5, 7, 9, 13)
    elif A.dtype in (np.float32, np.complex64):
        maxnorm = 3.92572478313866
        conds = (0.4258730016922831, 1.880152677804762)
        orders = (3, 5, 7)
    else:
        raise TypeError(f"A.dtype={A.dtype} is not supported.")
    A_L1 = jnp_linalg.norm(A, 1)
    n_squarings = ufuncs.maximum(0, ufuncs.floor(ufuncs.log2(ufuncs.divide(A_L1, maxnorm))))
    A = ufuncs.divide(A, ufuncs.power(2, n_squarings.astype(A.dtype)))
    idx = reductions.sum(ufuncs.greater_equal(A_L1, jnp.asarray(conds, dtype=A_L1.dtype)))
    concrete_idx = _concrete(idx)
    if concrete_idx is not None:
        U, V = _pade(A, orders[int(concrete_idx)])
    else:
        # traced norm: evaluate every candidate and select (same values as JAX's lax.switch)
        U = V = None
        for i, order in enumerate(orders):
            Ui, Vi = _pade(A, order)
            if U is None:
                U, V = Ui, Vi
            else:
                take = ufuncs.greater_equal(idx, i)
                U, V = jnp.where(take, Ui, U), jnp.where(take, Vi, V)
    P = ufuncs.add(U, V)
    Q = ufuncs.add(ufuncs.negative(U), V)
    R = solve_triangular(Q, P) if upper_triangular else jnp_linalg.solve(Q, P)
    concrete_n = _concrete(n_squarings)
    if concrete_n is not None:
        if concrete_n > max_squarings:
            return jnp.full_like(R, np.nan)
        for _ in range(int(concrete_n)):
            R = _dot(R, R)
        return R
    for i in range(max_squarings):
        R = jnp.where(ufuncs.less(i, n_squarings), _dot(R, R), R)
    return jnp.where(ufuncs.greater(n_squarings, max_squarings), np.nan, R)


def _concrete(x):
    """The value of ``x`` if it is known now (not a value traced by jit/vmap), else None."""
    if isinstance(x, core.Tracer):
        v = x.to_concrete_value()
        if v is None:
            return None
        # a JVP tracer over a batch/jit tracer reports None above; a concrete primal is a numpy value
        return np.asarray(v).item() if np.ndim(v) == 0 else None
    return np.asarray(x).item()


def expm(A, *, upper_triangular: bool = False, max_squarings: int = 16):
    """Matrix exponential by scaling and squaring with Pade approximants (Higham 2005), like JAX.

    >>> jax.scipy.linalg.expm(jnp.zeros((2, 2)))   # identity
    """
    A, = _inexact(A)
    _check_square("expm", A)
    if A.ndim > 2:
        batch = A.shape[:-2]
        flat = jnp.reshape(A, (-1,) + A.shape[-2:])
        outs = [_expm_2d(flat[i], upper_triangular, max_squarings) for i in range(flat.shape[0])]
        if not outs:
            return A
        return jnp.reshape(jnp.stack(outs), batch + A.shape[-2:])
    return _expm_2d(A, upper_triangular, max_squarings)


def expm_frechet(A, E, *, method=None, compute_expm: bool = True):
    """Frechet derivative of :func:`expm` at ``A`` in direction ``E`` (by forward-mode autodiff)."""
    from jaxlite._src.interpreters import ad
    A, E = jnp.asarray(A), jnp.asarray(E)
    if A.ndim < 2 or A.shape[-2] != A.shape[-1]:
        raise ValueError(f"expected A to be a (batched) square matrix, got A.shape={A.shape}")
    if E.ndim < 2 or E.shape[-2] != E.shape[-1]:
        raise ValueError(f"expected E to be a (batched) square matrix, got E.shape={E.shape}")
    if A.shape != E.shape:
        raise ValueError(f"expected A and E to be the same shape, got A.shape={A.shape} E.shape={E.shape}")
    A, E = _inexact(A, E)
    (expm_A,), (frechet,) = ad.jvp_flat(lambda a: [expm(a)], [A], [E])
    return (expm_A, frechet) if compute_expm else frechet


def sqrtm(A, blocksize: int = 1):
    """Principal matrix square root, from the complex Schur form (the result is complex, as in JAX)."""
    if blocksize > 1:
        raise NotImplementedError("Blocked version is not implemented yet.")
    A, = _inexact(A)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"jax.scipy.linalg.sqrtm: expected a square matrix, got shape {A.shape}.")
    T, Z = schur(A, output="complex")
    n = T.shape[0]
    # upper-triangular square root of T, one column at a time (Bjorck & Hammarling)
    diag = ufuncs.sqrt(jnp.diagonal(T))
    cols = []
    for j in range(n):
        col = [None] * n
        col[j] = diag[j]
        for i in range(j - 1, -1, -1):
            s = sum((cols[k][i] * col[k] for k in range(i + 1, j)), jnp.zeros((), T.dtype))
            tij = T[i, j]
            col[i] = jnp.where(ufuncs.equal(tij, s), jnp.zeros((), T.dtype),
                               ufuncs.divide(ufuncs.subtract(tij, s), ufuncs.add(diag[i], diag[j])))
        for i in range(j + 1, n):
            col[i] = jnp.zeros((), T.dtype)
        cols.append(col)
    U = jnp.stack([jnp.stack(c) for c in cols], axis=1) if n else T
    return _dot(_dot(Z, U), _H(Z))


# ---------------------------------------------------------------------------------------------------
# block_diag
# ---------------------------------------------------------------------------------------------------

def block_diag(*arrs):
    """Block-diagonal matrix from the given (at most 2-D) blocks."""
    if len(arrs) == 0:
        arrs = (jnp.zeros((1, 0)),)
    arrs = tuple(promote_dtypes(*[jnp.asarray(a) for a in arrs]))
    bad = [i for i, a in enumerate(arrs) if a.ndim > 2]
    if bad:
        raise ValueError(f"Arguments to jax.scipy.linalg.block_diag must have at most 2 dimensions, got "
                         f"{arrs[bad[0]]} at argument {bad[0]}.")
    blocks = [jnp.atleast_2d(a) for a in arrs]
    dtype = blocks[0].dtype
    total_cols = sum(a.shape[1] for a in blocks)
    zero = ew.full((), 0, dtype)
    padded, col = [], 0
    for blk in blocks:
        c = blk.shape[1]
        padded.append(sh.pad(blk, zero, ((0, 0, 0), (col, total_cols - c - col, 0))))
        col += c
    return jnp.concatenate(padded, axis=0)
