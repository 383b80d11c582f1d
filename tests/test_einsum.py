"""jnp.einsum / einsum_path against real JAX: values, dtypes, paths, jaxprs, gradients and vmap."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from conftest import assert_same

RNG = np.random.default_rng(3)
A = RNG.normal(size=(2, 3)).astype(np.float32)
B = RNG.normal(size=(3, 4)).astype(np.float32)
C = RNG.normal(size=(4, 5)).astype(np.float32)
S = RNG.normal(size=(3, 3)).astype(np.float32)
T = RNG.normal(size=(2, 3, 3)).astype(np.float32)
CASES = [("ij,jk->ik", A, B), ("ij,jk,kl->il", A, B, C), ("ii->i", S), ("ii", S), ("ij->", A), ("ij", A),
         ("ji", A), ("bij,bjk->bik", T, T), ("...ij,...jk", T, T), ("i,i", A[0], A[0]),
         ("ij,ij->ij", A, A), ("iij->ij", np.ones((3, 3, 2), np.float32)), ("ij,kl->ijkl", A, A),
         ("bii->b", T), ("ijk,jil->kl", T.transpose(1, 0, 2), T), ("ij,j", np.arange(6).reshape(2, 3),
                                                                   np.arange(3))]


@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("optimize", ["auto", False, True, "greedy"])
def test_einsum_against_jax(jax, case, optimize):
    args = CASES[case]
    assert_same(jnp.einsum(*args, optimize=optimize), jax.numpy.einsum(*args, optimize=optimize),
                rtol=1e-5, atol=1e-5)


def test_interleaved_and_dtypes(jax):
    assert_same(jnp.einsum(A, [0, 1], B, [1, 2], [0, 2]), jax.numpy.einsum(A, [0, 1], B, [1, 2], [0, 2]),
                rtol=1e-5)
    x, y = np.arange(3), np.ones(3, np.float32)
    assert_same(jnp.einsum("i,i", x, y), jax.numpy.einsum("i,i", x, y))
    assert_same(jnp.einsum("i,i", x, x, preferred_element_type=np.float32),
                jax.numpy.einsum("i,i", x, x, preferred_element_type=np.float32))


def test_einsum_path(jax):
    assert jnp.einsum_path("ij,jk,kl->il", A, B, C)[0] == jax.numpy.einsum_path("ij,jk,kl->il", A, B, C)[0]


def test_jaxpr_is_one_dot_general():
    text = str(jaxlite.make_jaxpr(lambda a, b: jnp.einsum("ij,jk->ik", a, b))(A, B))
    assert text.count("dot_general") == 1 and "transpose" not in text


def test_grad(jax):
    f = lambda m, a: m.einsum("ij,jk,kl->", a, B, C)  # noqa: E731
    assert_same(jaxlite.grad(lambda a: f(jnp, a))(A), jax.grad(lambda a: f(jax.numpy, a))(A), rtol=1e-5)
    g = lambda m, s: m.einsum("ii->", s * s)  # noqa: E731
    assert_same(jaxlite.grad(lambda s: g(jnp, s))(S), jax.grad(lambda s: g(jax.numpy, s))(S), rtol=1e-5)


def test_vmap_matches_loop():
    out = jaxlite.vmap(lambda t: jnp.einsum("ij,jk->ik", t, S))(T)
    ref = np.stack([np.asarray(jnp.einsum("ij,jk->ik", t, S)) for t in T])
    np.testing.assert_allclose(np.asarray(out), ref, rtol=1e-6)


def test_errors():
    with pytest.raises(ValueError):
        jnp.einsum("ij,jk->ik", A, A)
    with pytest.raises(NotImplementedError):
        jnp.einsum("ij", A, out=A)
