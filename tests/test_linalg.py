"""jax.lax.linalg primitives, jax.numpy.linalg and jax.scipy.linalg: values and dtypes against NumPy/SciPy
and real JAX, derivatives against finite differences and JAX, batching against loops."""
from __future__ import annotations

import numpy as np
import pytest

import jaxlite as jl
import jaxlite.numpy as jnp
from jaxlite import lax
from jaxlite._src.scipy import linalg as jsl
from conftest import assert_same

rng = np.random.RandomState(0)


def _rand(*shape, dtype=np.float32):
    x = rng.randn(*shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.randn(*shape)
    return x.astype(dtype)


def _spd(*shape, dtype=np.float32):
    a = _rand(*shape, dtype=dtype)
    n = shape[-1]
    return (a @ np.conj(np.swapaxes(a, -1, -2)) + n * np.eye(n)).astype(dtype)


def _fd_grad(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = eps
        g[idx] = (float(f(x + e)) - float(f(x - e))) / (2 * eps)
    return g


# ---------------------------------------------------------------------------------------------------
# primitives: values, dtypes, shapes
# ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
def test_cholesky_primitive(dtype):
    a = _spd(2, 4, 4, dtype=dtype)
    L = lax.linalg.cholesky(a)
    assert L.dtype == dtype and L.shape == a.shape
    np.testing.assert_allclose(np.asarray(L), np.linalg.cholesky(a), rtol=1e-4, atol=1e-4)


def test_cholesky_not_pd_gives_nan():
    a = np.array([[[1., 2.], [2., 1.]], [[2., 0.], [0., 2.]]], np.float32)
    L = np.asarray(lax.linalg.cholesky(a))
    assert np.isnan(L[0][np.tril_indices(2)]).all() and np.allclose(L[1], np.sqrt(2) * np.eye(2))


@pytest.mark.parametrize("left_side,lower,transpose_a,conjugate_a,unit_diagonal",
                         [(True, True, False, False, False), (True, False, True, False, True),
                          (False, True, True, True, False), (False, False, False, True, True)])
def test_triangular_solve(left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    a = _rand(3, 4, 4, dtype=np.complex64) + 4 * np.eye(4, dtype=np.complex64)
    b = _rand(3, 4, 2, dtype=np.complex64) if left_side else _rand(3, 2, 4, dtype=np.complex64)
    x = np.asarray(lax.linalg.triangular_solve(a, b, left_side=left_side, lower=lower, transpose_a=transpose_a,
                                               conjugate_a=conjugate_a, unit_diagonal=unit_diagonal))
    t = np.tril(a) if lower else np.triu(a)
    if unit_diagonal:
        t = t - np.einsum("...ii->...i", t)[..., None] * np.eye(4) + np.eye(4)
    if transpose_a:
        t = np.swapaxes(t, -1, -2)
    if conjugate_a:
        t = np.conj(t)
    res = t @ x if left_side else x @ t
    np.testing.assert_allclose(res, b, atol=1e-4)
    assert x.dtype == np.complex64


def test_triangular_solve_vector_rhs():
    a = np.triu(_rand(4, 4)) + 4 * np.eye(4, dtype=np.float32)
    b = _rand(4)
    x = lax.linalg.triangular_solve(a, b, left_side=True)
    assert x.shape == (4,)
    np.testing.assert_allclose(a @ np.asarray(x), b, atol=1e-5)


@pytest.mark.parametrize("shape", [(4, 4), (2, 5, 3), (3, 2)])
def test_lu(shape):
    a = _rand(*shape)
    lu_, piv, perm = lax.linalg.lu(a)
    m, n = shape[-2:]
    k = min(m, n)
    assert lu_.dtype == np.float32 and piv.dtype == np.int32 and perm.dtype == np.int32
    assert piv.shape == shape[:-2] + (k,) and perm.shape == shape[:-2] + (m,)
    lu_ = np.asarray(lu_)
    l = np.tril(lu_, -1)[..., :, :k] + np.eye(m, k)
    u = np.triu(lu_)[..., :k, :]
    pa = np.take_along_axis(a, np.asarray(perm)[..., None], axis=-2)
    np.testing.assert_allclose(l @ u, pa, atol=1e-5)
    np.testing.assert_array_equal(np.asarray(lax.linalg.lu_pivots_to_permutation(piv, m)), np.asarray(perm))


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5), (2, 4, 3)])
@pytest.mark.parametrize("full_matrices", [True, False])
def test_qr(shape, full_matrices):
    a = _rand(*shape)
    q, r = lax.linalg.qr(a, full_matrices=full_matrices)
    m, n = shape[-2:]
    k = m if full_matrices else min(m, n)
    assert q.shape == shape[:-2] + (m, k) and r.shape == shape[:-2] + (k, n) and q.dtype == np.float32
    np.testing.assert_allclose(np.asarray(q) @ np.asarray(r), a, atol=1e-5)
    np.testing.assert_allclose(np.asarray(r), np.triu(np.asarray(r)), atol=0)


def test_qr_pivoting():
    a = _rand(5, 4)
    q, r, p = lax.linalg.qr(a, pivoting=True)
    assert p.dtype == np.int32 and p.shape == (4,)
    np.testing.assert_allclose(np.asarray(q) @ np.asarray(r), a[:, np.asarray(p)], atol=1e-5)
    d = np.abs(np.diag(np.asarray(r)))
    assert np.all(d[:-1] >= d[1:] - 1e-6)


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (2, 3, 5)])
def test_svd(shape):
    a = _rand(*shape)
    u, s, vh = lax.linalg.svd(a, full_matrices=False)
    assert s.dtype == np.float32 and u.dtype == np.float32
    np.testing.assert_allclose(np.asarray(s), np.linalg.svd(a, compute_uv=False), rtol=1e-5)
    np.testing.assert_allclose((np.asarray(u) * np.asarray(s)[..., None, :]) @ np.asarray(vh), a, atol=1e-5)
    s2 = lax.linalg.svd(a, compute_uv=False)
    np.testing.assert_allclose(np.asarray(s2), np.asarray(s), rtol=1e-6)
    sub = lax.linalg.svd(a, full_matrices=False, compute_uv=False, subset_by_index=(0, 2))
    np.testing.assert_allclose(np.asarray(sub), np.asarray(s)[..., :2], rtol=1e-6)


def test_svd_complex_dtype():
    a = _rand(3, 3, dtype=np.complex64)
    u, s, vh = lax.linalg.svd(a)
    assert s.dtype == np.float32 and u.dtype == np.complex64


@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
def test_eigh(dtype):
    a = _spd(2, 4, 4, dtype=dtype)
    v, w = lax.linalg.eigh(a)
    assert w.dtype == np.float32 and v.dtype == dtype
    np.testing.assert_allclose(np.asarray(w), np.linalg.eigvalsh(a), rtol=1e-5)
    np.testing.assert_allclose(a @ np.asarray(v), np.asarray(v) * np.asarray(w)[..., None, :], atol=1e-4)
    v2, w2 = lax.linalg.eigh(a, subset_by_index=(1, 3))
    assert v2.shape == (2, 4, 2) and w2.shape == (2, 2)
    np.testing.assert_allclose(np.asarray(w2), np.asarray(w)[..., 1:3], rtol=1e-6)


def test_eigh_reads_one_triangle():
    a = _spd(4, 4)
    junk = a + np.triu(_rand(4, 4), 1)
    v, w = lax.linalg.eigh(junk, lower=True, symmetrize_input=False)
    np.testing.assert_allclose(np.asarray(w), np.linalg.eigvalsh(a), rtol=1e-5)


def test_eig():
    a = _rand(3, 4, 4)
    w, vl, vr = lax.linalg.eig(a)
    assert w.dtype == vl.dtype == vr.dtype == np.complex64
    A = a.astype(np.complex128)
    np.testing.assert_allclose(A @ np.asarray(vr), np.asarray(vr) * np.asarray(w)[..., None, :], atol=1e-4)
    vlh = np.conj(np.swapaxes(np.asarray(vl), -1, -2))
    np.testing.assert_allclose(vlh @ A, np.asarray(w)[..., :, None] * vlh, atol=1e-4)
    (w_only,) = lax.linalg.eig(a, compute_left_eigenvectors=False, compute_right_eigenvectors=False)
    np.testing.assert_allclose(np.sort_complex(np.asarray(w_only)), np.sort_complex(np.asarray(w)), atol=1e-5)


def test_schur():
    a = _rand(4, 4)
    t, q = lax.linalg.schur(a)
    np.testing.assert_allclose(np.asarray(q) @ np.asarray(t) @ np.asarray(q).T, a, atol=1e-4)


def test_tridiagonal_solve():
    m = 6
    d = rng.randn(2, m).astype(np.float32) + 4
    dl = rng.randn(2, m).astype(np.float32)
    du = rng.randn(2, m).astype(np.float32)
    dl[:, 0] = 0
    du[:, -1] = 0
    b = _rand(2, m, 3)
    x = np.asarray(lax.linalg.tridiagonal_solve(dl, d, du, b))
    A = np.stack([np.diag(d[i]) + np.diag(dl[i, 1:], -1) + np.diag(du[i, :-1], 1) for i in range(2)])
    np.testing.assert_allclose(A @ x, b, atol=1e-5)


def test_primitive_errors():
    with pytest.raises(ValueError, match="square"):
        lax.linalg.cholesky(np.ones((2, 3), np.float32))
    with pytest.raises(TypeError, match="dtype"):
        lax.linalg.qr(np.ones((2, 3), np.int32))
    with pytest.raises(ValueError, match="Incompatible shapes"):
        lax.linalg.triangular_solve(np.eye(3, dtype=np.float32), np.ones((2, 2), np.float32), left_side=True)


def test_jaxprs_match_jax(jax):
    x = np.ones((3, 3), np.float32)
    for fl, fj in [(lambda x: lax.linalg.lu(x), lambda x: jax.lax.linalg.lu(x)),
                   (lambda x: lax.linalg.qr(x), lambda x: jax.lax.linalg.qr(x)),
                   (lambda x: lax.linalg.svd(x), lambda x: jax.lax.linalg.svd(x)),
                   (lambda x: lax.linalg.triangular_solve(x, x), lambda x: jax.lax.linalg.triangular_solve(x, x)),
                   (lambda x: lax.linalg.eig(x), lambda x: jax.lax.linalg.eig(x))]:
        jl_eqns = jl.make_jaxpr(fl)(x).jaxpr.eqns
        jx_eqns = jax.make_jaxpr(fj)(x).jaxpr.eqns
        assert [e.primitive.name for e in jl_eqns] == [e.primitive.name for e in jx_eqns]
        assert sorted(jl_eqns[-1].params) == sorted(jx_eqns[-1].params)
        assert [str(v.aval) for v in jl_eqns[-1].outvars] == [str(v.aval) for v in jx_eqns[-1].outvars]


def _bits(x):
    x = np.asarray(x)
    return x.dtype, x.shape, x.view(f"u{x.itemsize // 2}" if x.dtype.kind == "c" else f"u{x.itemsize}").tobytes()


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
def test_decompositions_bits_match_jax(jax, dtype):
    """With SciPy, cholesky/qr/svd/eigh call the LAPACK routines jaxlib calls (SciPy's build, same job letters
    and workspaces): JAX's bits, also for NaN results of failed factorisations."""
    pytest.importorskip("scipy")
    jjnp, jlax = jax.numpy, jax.lax
    with jax.enable_x64(dtype in ("float64", "complex128")), jl.enable_x64(dtype in ("float64", "complex128")):
        for shape in [(1, 1), (3, 3), (2, 4, 4), (6, 4), (4, 6), (2, 3, 5, 2), (40, 40), (150, 150)]:
            a = _rand(*shape, dtype=dtype)
            pairs = [(lambda m, x: m.linalg.svd(x, compute_uv=False), "svdvals")]
            for full in (True, False):
                pairs += [(lambda m, x, f=full: m.linalg.qr(x, mode="complete" if f else "reduced"), "qr"),
                          (lambda m, x, f=full: m.linalg.svd(x, full_matrices=f), "svd")]
            if shape[-1] == shape[-2]:
                spd = _spd(*shape, dtype=dtype)
                pairs += [(lambda m, x: m.linalg.cholesky(x @ np.conj(np.swapaxes(x, -1, -2))
                                                          + np.float32(shape[-1]) * np.eye(shape[-1], dtype=dtype)),
                           "cholesky"),
                          (lambda m, x: m.linalg.eigh(x), "eigh"), (lambda m, x: m.linalg.eigh(x, UPLO="U"), "eighU"),
                          (lambda m, x: m.linalg.eigvalsh(x), "eigvalsh")]
                lax_pairs = [(lambda l, x: l.linalg.cholesky(x), "lax cholesky (NaN: not positive definite)"),
                             (lambda l, x: l.linalg.cholesky(spd), "lax cholesky"),
                             (lambda l, x: l.linalg.eigh(x, symmetrize_input=False, lower=False), "lax eigh")]
                for f, what in lax_pairs:
                    for w, g in zip(jax.tree_util.tree_leaves(f(jlax, a)), jl.tree_util.tree_leaves(f(lax, a))):
                        assert _bits(w) == _bits(g), (what, shape)
            for f, what in pairs:
                for w, g in zip(jax.tree_util.tree_leaves(f(jjnp, a)), jl.tree_util.tree_leaves(f(jnp, a))):
                    assert _bits(w) == _bits(g), (what, shape)
        # inside jit and vmap too (the same impls run)
        a = _rand(3, 4, 4, dtype=dtype)
        for w, g in zip(jax.jit(jax.vmap(jjnp.linalg.qr))(a), jl.jit(jl.vmap(jnp.linalg.qr))(a)):
            assert _bits(w) == _bits(g)


# ---------------------------------------------------------------------------------------------------
# derivatives of the primitives (finite differences in float64)
# ---------------------------------------------------------------------------------------------------

def _jvp_fd_check(f, x, t, tol=1e-6):
    po, to = jl.jvp(f, (x,), (t,))
    eps = 1e-6
    fp, fm = f(x + eps * t), f(x - eps * t)
    for p, m_, tt in zip(jl.tree_util.tree_leaves(fp), jl.tree_util.tree_leaves(fm), jl.tree_util.tree_leaves(to)):
        num = (np.asarray(p) - np.asarray(m_)) / (2 * eps)
        np.testing.assert_allclose(np.asarray(tt), num, atol=tol * max(1, np.abs(num).max()), rtol=1e-4)


@pytest.mark.parametrize("name", ["cholesky", "tri_a", "tri_b", "lu", "qr", "qr_wide", "qr_tall_full",
                                  "qr_tall_reduced", "qr_pivot", "svd", "svd_wide", "svd_tall", "svd_s",
                                  "eigh", "eig_w", "eig_v", "tridiagonal"])
def test_primitive_jvps(name, x64):
    r = np.random.RandomState(1)
    a = r.randn(4, 4)
    spd = a @ a.T + 4 * np.eye(4)
    t = r.randn(4, 4)
    w, tw = r.randn(3, 5), r.randn(3, 5)
    L = lax.linalg
    cases = {
        "cholesky": (lambda x: L.cholesky(x), spd, t + t.T),
        "tri_a": (lambda x: L.triangular_solve(x, a, left_side=True, lower=True), spd, t),
        "tri_b": (lambda x: L.triangular_solve(spd, x, left_side=False, transpose_a=True), a, t),
        "lu": (lambda x: L.lu(x)[0], a, t),
        "qr": (lambda x: L.qr(x), a, t),
        "qr_wide": (lambda x: L.qr(x), w, tw),
        "qr_tall_full": (lambda x: L.qr(x), w.T, tw.T),
        "qr_tall_reduced": (lambda x: L.qr(x, full_matrices=False), w.T, tw.T),
        "qr_pivot": (lambda x: L.qr(x, pivoting=True)[:2], a, t),
        "svd": (lambda x: L.svd(x), a, t),
        "svd_wide": (lambda x: L.svd(x, full_matrices=False), w, tw),
        "svd_tall": (lambda x: L.svd(x, full_matrices=False), w.T, tw.T),
        "svd_s": (lambda x: L.svd(x, compute_uv=False), w, tw),
        "eigh": (lambda x: L.eigh(x), spd, t + t.T),
        "eig_w": (lambda x: L.eig(x, compute_left_eigenvectors=False, compute_right_eigenvectors=False), a, t),
        "eig_v": (lambda x: L.eig(x, enable_eigvec_derivs=True), a, t),
        "tridiagonal": (lambda x: L.tridiagonal_solve(np.r_[0., a[0, 1:]], x, np.r_[a[1, :-1], 0.], a[:, :2]),
                        spd[0] + 6, t[0]),
    }
    f, x, tt = cases[name]
    _jvp_fd_check(f, x, tt)


def test_eig_vector_jvp_needs_opt_in():
    with pytest.raises(NotImplementedError, match="enable_eigvec_derivs"):
        jl.jvp(lambda x: lax.linalg.eig(x)[1], (_rand(3, 3),), (_rand(3, 3),))


def test_triangular_solve_transpose(x64):
    a = np.triu(rng.randn(4, 4)) + 4 * np.eye(4)
    b = rng.randn(4, 3)
    for left, tr in [(True, False), (False, True)]:
        bb = b if left else b.T
        f = lambda y: lax.linalg.triangular_solve(a, y, left_side=left, transpose_a=tr)  # noqa: E731
        y, vjp = jl.vjp(f, bb)
        ct = rng.randn(*np.shape(y))
        (g,) = vjp(ct)
        jac = jl.jacfwd(f)(bb).reshape(ct.size, bb.size)
        np.testing.assert_allclose(np.asarray(g).ravel(), ct.ravel() @ np.asarray(jac), atol=1e-10)


# ---------------------------------------------------------------------------------------------------
# batching
# ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["cholesky", "lu", "qr", "svd", "eigh", "eig", "tri_both", "tri_b_only",
                                  "tri_b_right"])
def test_vmap_matches_loop(name):
    a = _rand(3, 4, 4)
    spd = _spd(3, 4, 4)
    b = _rand(3, 4, 2)
    L = lax.linalg
    cases = {
        "cholesky": (L.cholesky, (spd,), (0,)),
        "lu": (L.lu, (np.moveaxis(a, 0, 2),), (2,)),
        "qr": (L.qr, (a,), (0,)),
        "svd": (L.svd, (a,), (0,)),
        "eigh": (L.eigh, (spd,), (0,)),
        "eig": (L.eig, (a,), (0,)),
        "tri_both": (lambda x, y: L.triangular_solve(x, y, left_side=True, lower=True), (spd, b), (0, 0)),
        "tri_b_only": (lambda x, y: L.triangular_solve(x, y, left_side=True), (spd[0], np.moveaxis(b, 0, 2)),
                       (None, 2)),
        "tri_b_right": (lambda x, y: L.triangular_solve(x, y), (spd[0], np.swapaxes(b, 1, 2)), (None, 0)),
    }
    f, args, dims = cases[name]
    out = jl.vmap(f, in_axes=dims)(*args)
    for i in range(3):
        ref = f(*[np.moveaxis(x, d, 0)[i] if d is not None else x for x, d in zip(args, dims)])
        for o, r in zip(jl.tree_util.tree_leaves(out), jl.tree_util.tree_leaves(ref)):
            np.testing.assert_allclose(np.asarray(o)[i], np.asarray(r), rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------------------------------------------
# jax.numpy.linalg against real JAX
# ---------------------------------------------------------------------------------------------------

def _pair(jax, name):
    return getattr(jnp.linalg, name), getattr(jax.numpy.linalg, name)


_A = _rand(4, 4)
_B = _rand(2, 3, 3)
_SPD = _spd(2, 3, 3)
_W = _rand(3, 5)
_V = _rand(4)


@pytest.mark.parametrize("name,args,kwargs", [
    ("inv", (_A,), {}), ("inv", (_B,), {}),
    ("solve", (_A, _V), {}), ("solve", (_B, _rand(2, 3, 2)), {}), ("solve", (_B, _rand(3, 1)), {}),
    ("det", (_A,), {}), ("det", (_B,), {}), ("det", (_rand(2, 2),), {}), ("det", (_rand(5, 5),), {}),
    ("slogdet", (_A,), {}), ("slogdet", (_B,), {}), ("slogdet", (_rand(2, 2),), {}),
    ("slogdet", (_A,), {"method": "qr"}),
    ("cholesky", (_SPD,), {}), ("cholesky", (_SPD,), {"upper": True}),
    ("qr", (_W,), {}), ("qr", (_W.T,), {"mode": "complete"}), ("qr", (_W.T,), {"mode": "r"}),
    ("svd", (_A,), {"compute_uv": False}), ("svdvals", (_W,), {}),
    ("eigvalsh", (_SPD,), {}), ("eigvalsh", (_SPD,), {"UPLO": "U"}),
    ("pinv", (_W,), {}), ("pinv", (_B,), {}),
    ("matrix_power", (_A, 0), {}), ("matrix_power", (_A, 3), {}), ("matrix_power", (_A, 5), {}),
    ("matrix_power", (_A, -2), {}),
    ("matrix_rank", (_A,), {}), ("matrix_rank", (np.outer(_V, _V),), {}), ("matrix_rank", (_V,), {}),
    ("tensorinv", (_rand(4, 6, 8, 3),), {}),
    ("tensorsolve", (_rand(6, 2, 3), _rand(6)), {}),
    ("cross", (_rand(2, 3), _rand(2, 3)), {}), ("outer", (_V, _V), {}),
    ("matmul", (_B, _B), {}), ("vecdot", (_rand(2, 4), _V), {}),
    ("trace", (_B,), {}), ("diagonal", (_B,), {"offset": 1}), ("matrix_transpose", (_B,), {}),
    ("cond", (_A,), {}), ("cond", (_A,), {"p": 1}), ("cond", (_A,), {"p": "fro"}),
    ("matrix_norm", (_B,), {}), ("matrix_norm", (_B,), {"ord": "nuc"}),
    ("vector_norm", (_B,), {}), ("vector_norm", (_B,), {"ord": 1, "axis": 1}),
    ("vector_norm", (_B,), {"ord": np.inf, "axis": (0, 2), "keepdims": True}),
    ("vector_norm", (_V,), {"ord": 0}), ("vector_norm", (_V,), {"ord": 3}),
])
def test_jnp_linalg_matches_jax(jax, name, args, kwargs):
    fl, fj = _pair(jax, name)
    assert_same(fl(*args, **kwargs), fj(*args, **kwargs), rtol=2e-4, atol=2e-5)


@pytest.mark.parametrize("ord", [None, 1, -1, 2, -2, np.inf, -np.inf, "fro", "nuc", 0, 3, 0.5])
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 1), (1, 0), (0, 2), (2, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_norm_all_combinations(jax, ord, axis, keepdims):
    x = _B
    vector = axis is None and x.ndim == 1 or isinstance(axis, int)
    matrix = isinstance(axis, tuple) and len(axis) == 2
    try:
        expect = jax.numpy.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)
    except (ValueError, TypeError) as e:
        with pytest.raises(type(e)):
            jnp.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)
        return
    del vector, matrix
    assert_same(jnp.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims), expect, rtol=2e-5, atol=1e-5)


def test_norm_integer_and_complex(jax):
    for x in [np.arange(6).reshape(2, 3), _rand(2, 3, dtype=np.complex64)]:
        for ord in [None, 1, 2, np.inf]:
            assert_same(jnp.linalg.norm(x, ord=ord, axis=1), jax.numpy.linalg.norm(x, ord=ord, axis=1),
                        rtol=1e-5)


def test_eigh_eig_svd_qr_results(jax):
    w, v = jnp.linalg.eigh(_SPD)
    assert isinstance(jnp.linalg.eigh(_SPD), jnp.linalg.EighResult)
    np.testing.assert_allclose(np.asarray(w), np.asarray(jax.numpy.linalg.eigh(_SPD)[0]), rtol=1e-5)
    assert w.dtype == np.float32 and v.dtype == np.float32
    ew, ev = jnp.linalg.eig(_A)
    assert ew.dtype == ev.dtype == np.complex64
    assert jnp.linalg.eigvals(_A).dtype == np.complex64
    u, s, vh = jnp.linalg.svd(_W)
    assert (u.shape, s.shape, vh.shape) == ((3, 3), (3,), (5, 5))
    np.testing.assert_allclose((np.asarray(u) * np.asarray(s)) @ np.asarray(vh)[:3], _W, atol=1e-5)
    q, r = jnp.linalg.qr(_W.T)
    assert (q.shape, r.shape) == ((5, 3), (3, 3)) and isinstance(jnp.linalg.qr(_W.T), jnp.linalg.QRResult)
    us, ss, vhs = jnp.linalg.svd(_SPD, hermitian=True)
    np.testing.assert_allclose(np.asarray(ss), np.linalg.svd(_SPD, compute_uv=False), rtol=1e-5)
    np.testing.assert_allclose((np.asarray(us) * np.asarray(ss)[..., None, :]) @ np.asarray(vhs), _SPD, atol=1e-4)


def test_lstsq(jax):
    a, b = _rand(6, 3), _rand(6, 2)
    for bb in (b, b[:, 0]):
        x, res, rank, s = jnp.linalg.lstsq(a, bb)
        xj, resj, rankj, sj = jax.numpy.linalg.lstsq(a, bb)
        assert_same(x, xj, rtol=1e-4, atol=1e-5)
        assert_same(res, resj, rtol=1e-3, atol=1e-4)
        assert int(rank) == int(rankj) and rank.dtype == rankj.dtype
        assert_same(s, sj, rtol=1e-5)


def test_multi_dot(jax):
    arrs = [_rand(3), _rand(3, 5), _rand(5, 2), _rand(2, 4), _rand(4)]
    assert_same(jnp.linalg.multi_dot(arrs), jax.numpy.linalg.multi_dot(arrs), rtol=1e-4)
    arrs = [_rand(3, 5), _rand(5, 2), _rand(2, 4)]
    assert_same(jnp.linalg.multi_dot(arrs), jax.numpy.linalg.multi_dot(arrs), rtol=1e-4)


def test_int_inputs_promote(jax):
    a = np.array([[2, 1], [1, 3]])
    for name in ["inv", "det", "cholesky", "eigvalsh", "pinv"]:
        fl, fj = _pair(jax, name)
        assert_same(fl(a), fj(a), rtol=1e-5)


def test_jnp_linalg_errors():
    with pytest.raises(ValueError, match=r"\[\.\.\., n, n\]"):
        jnp.linalg.inv(np.ones((2, 3)))
    with pytest.raises(ValueError, match="Invalid order"):
        jnp.linalg.norm(np.ones((2, 3)), ord="bad")
    with pytest.raises(ValueError, match="Improper number of axes"):
        jnp.linalg.norm(np.ones((2, 3, 4)), axis=(0, 1, 2))
    with pytest.raises(ValueError, match="UPLO"):
        jnp.linalg.eigh(np.eye(2), UPLO="X")
    with pytest.raises(ValueError, match="Unsupported QR"):
        jnp.linalg.qr(np.eye(2), mode="bogus")
    with pytest.raises(TypeError, match="exponent must be an integer"):
        jnp.linalg.matrix_power(np.eye(2), 1.5)
    with pytest.raises(ValueError, match="3-dimensional vectors"):
        jnp.linalg.cross(np.ones(2), np.ones(2))


def test_jnp_linalg_under_jit_and_vmap():
    f = jl.jit(lambda a, b: jnp.linalg.solve(a, b) + jnp.linalg.det(a)[..., None, None])
    a, b = _B, _rand(2, 3, 1)
    out = f(a, b)
    ref = np.linalg.solve(a, b) + np.linalg.det(a)[..., None, None]
    np.testing.assert_allclose(np.asarray(out), ref, rtol=1e-4)
    out_v = jl.vmap(lambda a: jnp.linalg.inv(a) @ a)(_B)
    np.testing.assert_allclose(np.asarray(out_v), np.broadcast_to(np.eye(3), (2, 3, 3)), atol=1e-5)
    sgn, logdet = jl.jit(jnp.linalg.slogdet)(_rand(5, 5))
    assert sgn.dtype == logdet.dtype == np.float32


# ---------------------------------------------------------------------------------------------------
# gradients of jnp.linalg against finite differences and real JAX
# ---------------------------------------------------------------------------------------------------

_GRAD_FUNS = {
    "cholesky": lambda m, x: m.linalg.cholesky(x @ x.T + 4 * m.eye(4)).sum(),
    "solve": lambda m, x: (m.linalg.solve(x, m.arange(4.0)) ** 2).sum(),
    "solve_mat": lambda m, x: m.linalg.solve(x, x.T @ x).sum(),
    "inv": lambda m, x: (m.linalg.inv(x) ** 2).sum(),
    "det": lambda m, x: m.linalg.det(x),
    "det3": lambda m, x: m.linalg.det(x[:3, :3]),
    "slogdet": lambda m, x: m.linalg.slogdet(x)[1],
    "slogdet_qr": lambda m, x: m.linalg.slogdet(x, method="qr")[1],
    "eigh": lambda m, x: (m.linalg.eigh(x + x.T)[0] * m.arange(4.0)).sum() + m.linalg.eigh(x + x.T)[1][0, 0] ** 2,
    "svd": lambda m, x: (m.linalg.svd(x, compute_uv=False) * m.arange(1.0, 5.0)).sum(),
    "svd_uv": lambda m, x: (m.linalg.svd(x, full_matrices=False)[0][:, 0] ** 2 * m.arange(4.0)).sum(),
    "qr": lambda m, x: (m.linalg.qr(x)[0] * m.arange(16.0).reshape(4, 4)).sum() + m.linalg.qr(x)[1].sum(),
    "pinv": lambda m, x: (m.linalg.pinv(x[:, :3]) ** 2).sum(),
    "norm2": lambda m, x: m.linalg.norm(x, 2),
    "nuc": lambda m, x: m.linalg.norm(x, "nuc"),
    "lstsq": lambda m, x: m.linalg.lstsq(x, m.arange(4.0))[0].sum(),
    "eigvals": lambda m, x: m.linalg.eigvals(x).real.sum(),
}


@pytest.mark.parametrize("name", sorted(_GRAD_FUNS))
def test_grads_fd_and_jax(name, x64, jax):
    f = _GRAD_FUNS[name]
    x = np.random.RandomState(3).randn(4, 4) + 2 * np.eye(4)
    g = np.asarray(jl.grad(lambda y: f(jnp, y))(x))
    np.testing.assert_allclose(g, _fd_grad(lambda y: f(jnp, y), x), rtol=1e-5, atol=1e-6)
    gj = np.asarray(jax.grad(lambda y: f(jax.numpy, y))(x))
    np.testing.assert_allclose(g, gj, rtol=1e-6, atol=1e-8)


def test_det_grad_singular(x64):
    x = np.random.RandomState(4).randn(4, 4)
    x[3] = x[0] + x[1]  # rank 3: the gradient (the adjugate) is finite and nonzero
    g = np.asarray(jl.grad(jnp.linalg.det)(x))
    assert np.isfinite(g).all()
    np.testing.assert_allclose(g, _fd_grad(jnp.linalg.det, x), atol=1e-6)
    x[2] = x[0] - x[1]  # rank 2: the gradient is zero
    np.testing.assert_allclose(np.asarray(jl.grad(jnp.linalg.det)(x)), 0, atol=1e-12)


def test_float32_grads_stay_float32():
    x = _A + 3 * np.eye(4, dtype=np.float32)
    for name in ["inv", "det", "slogdet", "cholesky", "qr", "svd", "eigh", "solve"]:
        g = jl.grad(lambda y: _GRAD_FUNS[name](jnp, y))(x)
        assert g.dtype == np.float32, name


# ---------------------------------------------------------------------------------------------------
# jax.scipy.linalg
# ---------------------------------------------------------------------------------------------------

def test_scipy_linalg_against_scipy(jax):
    sl = pytest.importorskip("scipy.linalg")
    a, spd, b = _A + 4 * np.eye(4, dtype=np.float32), _spd(4, 4), _rand(4, 2)
    np.testing.assert_allclose(np.asarray(jsl.cholesky(spd)), sl.cholesky(spd), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np.asarray(jsl.cholesky(spd, lower=True)), sl.cholesky(spd, lower=True),
                               rtol=1e-4, atol=1e-5)
    c = jsl.cho_factor(spd)
    np.testing.assert_allclose(np.asarray(jsl.cho_solve(c, b)), np.linalg.solve(spd, b), rtol=1e-4)
    c = jsl.cho_factor(spd, lower=True)
    np.testing.assert_allclose(np.asarray(jsl.cho_solve(c, b[:, 0])), np.linalg.solve(spd, b[:, 0]), rtol=1e-4)
    for trans in (0, 1, "C"):
        for lower in (True, False):
            np.testing.assert_allclose(np.asarray(jsl.solve_triangular(a, b, trans=trans, lower=lower)),
                                       sl.solve_triangular(a, b, trans=trans, lower=lower), rtol=1e-4, atol=1e-5)
    lu_, piv = jsl.lu_factor(a)
    lu_s, piv_s = sl.lu_factor(a)
    np.testing.assert_allclose(np.asarray(lu_), lu_s, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(np.asarray(piv), piv_s)
    for trans in (0, 1, 2):
        np.testing.assert_allclose(np.asarray(jsl.lu_solve((lu_, piv), b, trans=trans)),
                                   sl.lu_solve((lu_s, piv_s), b, trans=trans), rtol=1e-4, atol=1e-5)
    for shape in [(4, 4), (5, 3), (3, 5)]:
        m = _rand(*shape)
        for got, want in zip(jsl.lu(m), sl.lu(m)):
            np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-5)
        pl, u = jsl.lu(m, permute_l=True)
        np.testing.assert_allclose(np.asarray(pl) @ np.asarray(u), m, atol=1e-5)
    q, r = jsl.qr(_W.T)
    assert q.shape == (5, 5) and r.shape == (5, 3)
    assert jsl.qr(_W.T, mode="economic")[0].shape == (5, 3)
    assert len(jsl.qr(_W.T, mode="r")) == 1
    np.testing.assert_allclose(np.asarray(jsl.svd(_W, compute_uv=False)), sl.svd(_W, compute_uv=False), rtol=1e-5)
    w, v = jsl.eigh(spd)
    np.testing.assert_allclose(np.asarray(w), sl.eigh(spd, eigvals_only=True), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(jsl.inv(a)), sl.inv(a), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np.asarray(jsl.det(a)), sl.det(a), rtol=1e-4)
    for assume_a in ("gen", "pos"):
        m = spd if assume_a == "pos" else a
        np.testing.assert_allclose(np.asarray(jsl.solve(m, b, assume_a=assume_a)), np.linalg.solve(m, b),
                                   rtol=1e-4)
    assert_same(jsl.block_diag(np.ones((2, 2)), 3.0, np.arange(3)),
                jax.scipy.linalg.block_diag(np.ones((2, 2)), 3.0, np.arange(3)))
    t, z = jsl.schur(a)
    np.testing.assert_allclose(np.asarray(z) @ np.asarray(t) @ np.asarray(z).T, a, atol=1e-4)


@pytest.mark.parametrize("scale", [0.01, 0.3, 1.0, 2.5, 10.0, 60.0])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_expm(scale, dtype, x64):
    sl = pytest.importorskip("scipy.linalg")
    a = (np.random.RandomState(5).randn(4, 4) * scale / 4).astype(dtype)
    got = jsl.expm(a)
    want = sl.expm(a.astype(np.float64))
    assert got.dtype == dtype
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(np.asarray(got), want, rtol=tol, atol=tol * np.abs(want).max())
    # traced path (values unknown at trace time) agrees with the eager path
    np.testing.assert_allclose(np.asarray(jl.jit(jsl.expm)(a)), np.asarray(got), rtol=tol,
                               atol=tol * np.abs(want).max())


def test_expm_batched_grad_frechet(x64, jax):
    a = np.random.RandomState(6).randn(2, 3, 3) * 0.5
    got = jsl.expm(a)
    np.testing.assert_allclose(np.asarray(got[1]), np.asarray(jsl.expm(a[1])), rtol=1e-12)
    assert_same(jsl.expm(a[0].astype(np.float32)), jax.scipy.linalg.expm(a[0].astype(np.float32)), rtol=1e-5)
    e = np.random.RandomState(7).randn(3, 3)
    _, fr = jsl.expm_frechet(a[0], e)
    _, frj = jax.scipy.linalg.expm_frechet(a[0], e)
    np.testing.assert_allclose(np.asarray(fr), np.asarray(frj), rtol=1e-8)
    g = jl.grad(lambda x: jsl.expm(x).sum())(a[0])
    np.testing.assert_allclose(np.asarray(g), _fd_grad(lambda x: jsl.expm(x).sum(), a[0]), rtol=1e-6)


def test_sqrtm():
    sl = pytest.importorskip("scipy.linalg")
    a = _spd(4, 4).astype(np.float64)
    r = np.asarray(jsl.sqrtm(a))
    np.testing.assert_allclose(r @ r, a, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(r, sl.sqrtm(a), rtol=1e-4, atol=1e-4)


def test_public_modules():
    import jaxlite.scipy
    import jaxlite.scipy.linalg as psl
    assert jaxlite.scipy.linalg is psl and psl.expm is jsl.expm
    assert jl.lax.linalg.qr is lax.linalg.qr
    with pytest.raises(AttributeError):
        jaxlite.scipy.not_a_module
