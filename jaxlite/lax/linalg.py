"""jax.lax.linalg: matrix decomposition primitives (re-exported from jaxlite._src.lax.decompositions)."""
from jaxlite._src.lax.decompositions import (  # noqa: F401
    EigImplementation, EighImplementation, SvdAlgorithm,
    cholesky, cholesky_p, eig, eig_p, eigh, eigh_p, lu, lu_p, lu_pivots_to_permutation,
    lu_pivots_to_permutation_p, qr, qr_p, schur, schur_p, svd, svd_p, triangular_solve, triangular_solve_p,
    tridiagonal_solve, tridiagonal_solve_p,
)
