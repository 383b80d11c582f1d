"""jax.random: bit-exactness with JAX (golden data recorded by tests/data/make_random_golden.py and,
when JAX is installed, live), keys, transformations, errors, and distribution statistics."""
from __future__ import annotations

import importlib.util
import os
import sys

import numpy as np
import pytest

import jaxlite as jax
import jaxlite.numpy as jnp
import jaxlite.random as jr
from jaxlite._src.lax.random_bits import random_gamma_grad, threefry_2x32_np

DATA = os.path.join(os.path.dirname(__file__), "data")
sys.path.insert(0, DATA)
from make_random_golden import CASES, EXACT  # noqa: E402

GOLDEN = np.load(os.path.join(DATA, "random_golden.npz"))


def _eval(expr):
    return eval(expr, {"jr": jr, "jnp": jnp, "jax": jax, "lax": jax.lax})


# ---------------------------------------------------------------------------------------------------
# golden values from JAX
# ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name):
    with jax.enable_x64(name.startswith("x64_")):
        out = _eval(CASES[name])
    assert out.dtype.name == str(GOLDEN[name + "__dtype"]), (out.dtype, GOLDEN[name + "__dtype"])
    got = np.asarray(out).astype(np.float32) if out.dtype.name == "bfloat16" else np.asarray(out)
    want = GOLDEN[name]
    assert got.shape == want.shape
    if name in EXACT:
        np.testing.assert_array_equal(got, want)
    else:
        # XLA's log/exp/tan/erf_inv approximations round differently from NumPy's in the last bit
        np.testing.assert_allclose(got, want, rtol=5e-4, atol=1e-6)
        # most values still agree to the bit (long computations such as gradients and matrix
        # factorizations excepted)
        if not name.startswith(("grad_", "random_gamma_grad")):
            assert np.mean(got == want) > 0.1


def test_threefry_known_answer():
    # Salmon et al.'s Random123 known-answer test for Threefry-2x32 with 20 rounds
    y1, y2 = threefry_2x32_np(np.uint32(0x13198a2e), np.uint32(0x03707344),
                              np.uint32(0x243f6a88), np.uint32(0x85a308d3))
    assert (int(y1), int(y2)) == (0xc4923a9c, 0x483df7a0)
    y1, y2 = threefry_2x32_np(np.uint32(0), np.uint32(0), np.uint32(0), np.uint32(0))
    assert (int(y1), int(y2)) == (0x6b200159, 0x99ba4efe)
    # the vectorised path (used above a few elements) gives the same answers
    y1, y2 = threefry_2x32_np(np.uint32(0x13198a2e), np.uint32(0x03707344),
                              np.full(70_000, 0x243f6a88, np.uint32), np.uint32(0x85a308d3))
    assert (y1 == 0xc4923a9c).all() and (y2 == 0x483df7a0).all()


@pytest.mark.parametrize("seed,expected", [
    (0, [0, 0]), (42, [0, 42]), (-1, [0, 4294967295]), (2**31, [0, 2147483648]),
    (2**32 + 5, [0, 5]), (2**63 - 1, [0, 4294967295]), (np.uint32(2**32 - 1), [0, 4294967295]),
    (np.int16(-2), [0, 4294967294]), (True, [0, 1])])
def test_seeds_x32(seed, expected):
    k = jr.PRNGKey(seed)
    assert k.dtype == np.uint32 and k.shape == (2,)
    assert np.asarray(k).tolist() == expected


@pytest.mark.parametrize("seed,expected", [
    (-1, [4294967295, 4294967295]), (2**32 + 5, [1, 5]), (-2**63, [2147483648, 0]),
    (np.int32(-3), [0, 4294967293])])
def test_seeds_x64(seed, expected):
    with jax.enable_x64():
        assert np.asarray(jr.PRNGKey(seed)).tolist() == expected


def test_seed_errors():
    with pytest.raises(OverflowError):
        jr.PRNGKey(2**64)
    with pytest.raises(TypeError, match="integer"):
        jr.key(1.0)
    with pytest.raises(TypeError, match="scalar seed"):
        jr.key(jnp.arange(2))


# ---------------------------------------------------------------------------------------------------
# keys
# ---------------------------------------------------------------------------------------------------

def test_key_repr_and_dtype():
    k = jr.key(0)
    assert repr(k) == "Array((), dtype=key<fry>) overlaying:\n[0 0]"
    assert k.shape == () and k.dtype.name == "key<fry>" and str(k.dtype) == "key<fry>"
    assert jnp.issubdtype(k.dtype, jax.dtypes.prng_key)
    ks = jr.split(k, 3)
    assert ks.shape == (3,) and repr(ks).startswith("Array((3,), dtype=key<fry>) overlaying:\n[[")
    assert isinstance(k, jax.Array)
    assert jr.key_impl(k) == "threefry2x32" and jr.key_impl(jr.PRNGKey(0)) == "threefry2x32"
    assert jr.key_dtype() == k.dtype


def test_key_data_roundtrip():
    k = jr.key(7)
    data = jr.key_data(k)
    assert data.dtype == np.uint32 and data.shape == (2,)
    k2 = jr.wrap_key_data(data)
    np.testing.assert_array_equal(jr.key_data(k2), data)
    np.testing.assert_array_equal(jr.key_data(jr.wrap_key_data(jr.key_data(jr.split(k, (2, 3))))),
                                  jr.key_data(jr.split(k, (2, 3))))


def test_typed_and_raw_keys_agree():
    for fn in (lambda k: jr.normal(k, (4,)), lambda k: jr.randint(k, (4,), 0, 9),
               lambda k: jr.uniform(k, (2, 2))):
        np.testing.assert_array_equal(fn(jr.key(3)), fn(jr.PRNGKey(3)))
    raw = jr.split(jr.PRNGKey(3))
    assert raw.dtype == np.uint32 and raw.shape == (2, 2)
    np.testing.assert_array_equal(raw, jr.key_data(jr.split(jr.key(3))))


def test_key_iteration_and_indexing():
    keys = jr.split(jr.key(0), 3)
    a, b, c = keys
    assert a.dtype.name == "key<fry>" and a.shape == ()
    np.testing.assert_array_equal(jr.key_data(b), jr.key_data(keys)[1])
    np.testing.assert_array_equal(jr.key_data(keys[2]), jr.key_data(c))


def test_key_errors():
    with pytest.raises(TypeError, match="uint32"):
        jr.normal(jnp.array([1.0, 2.0]), (2,))
    with pytest.raises(TypeError, match="shape"):
        jr.normal(jnp.zeros(3, np.uint32), (2,))
    with pytest.raises(ValueError, match="single key"):
        jr.normal(jr.split(jr.key(0)), (2,))
    with pytest.raises(TypeError):
        jr.key(0) + 1
    with pytest.raises(TypeError):
        np.asarray(jr.key(0))
    with pytest.raises(ValueError, match="broadcast-compatible"):
        jr.gamma(jr.key(0), jnp.ones(3), shape=(2,))
    with pytest.raises(ValueError, match="broadcast-compatible"):
        jr.randint(jr.key(0), (2,), jnp.zeros(3, int), 5)
    with pytest.raises(ValueError, match="float dtype"):
        jr.uniform(jr.key(0), (2,), dtype=np.int32)
    with pytest.raises(TypeError, match="unexpected PRNG key type"):
        jr.normal(object())


# ---------------------------------------------------------------------------------------------------
# transformations
# ---------------------------------------------------------------------------------------------------

def test_jit_matches_eager():
    key = jr.key(11)

    @jax.jit
    def f(key):
        k1, k2 = jr.split(key)
        return jr.normal(k1, (3,)), jr.uniform(k2, (2,)), jr.split(k2, 2)

    a, b, ks = f(key)
    k1, k2 = jr.split(key)
    np.testing.assert_array_equal(a, jr.normal(k1, (3,)))
    np.testing.assert_array_equal(b, jr.uniform(k2, (2,)))
    assert ks.dtype.name == "key<fry>"
    np.testing.assert_array_equal(jr.key_data(ks), jr.key_data(jr.split(k2, 2)))
    # a key closed over by a jitted function is a constant of its jaxpr
    np.testing.assert_array_equal(jax.jit(lambda x: x + jr.normal(key, (2,)))(1.0),
                                  1.0 + jr.normal(key, (2,)))


def test_jaxpr_text():
    text = str(jax.make_jaxpr(lambda k: jr.split(k))(jr.key(0)))
    assert "a:key<fry>[]" in text and "random_split[shape=(2,)]" in text
    text = str(jax.make_jaxpr(lambda k: jr.bits(k, (3,)))(jr.PRNGKey(0)))
    assert "random_wrap[impl=fry]" in text and "random_bits[bit_width=32 shape=(3,)]" in text


def test_vmap_over_keys():
    keys = jr.split(jr.key(5), 4)
    out = jax.vmap(lambda k: jr.normal(k, (3,)))(keys)
    assert out.shape == (4, 3)
    for i, k in enumerate(keys):
        np.testing.assert_array_equal(out[i], jr.normal(k, (3,)))
    raw = jr.split(jr.PRNGKey(5), 4)
    out_raw = jax.vmap(lambda k: jr.uniform(k, (2,)))(raw)
    for i in range(4):
        np.testing.assert_array_equal(out_raw[i], jr.uniform(raw[i], (2,)))
    folded = jax.vmap(lambda i: jr.key_data(jr.fold_in(jr.key(1), i)))(jnp.arange(3))
    for i in range(3):
        np.testing.assert_array_equal(folded[i], jr.key_data(jr.fold_in(jr.key(1), i)))
    g = jax.vmap(lambda k: jr.gamma(k, 2.0, (3,)))(keys)
    for i, k in enumerate(keys):
        np.testing.assert_array_equal(g[i], jr.gamma(k, 2.0, (3,)))


def test_key_arithmetic_errors_eager_and_jit():
    key = jr.key(0)
    for fn, match in [(lambda k: k + 1, r"add does not accept dtypes key<fry>, int32\."),
                      (lambda k: 1 + k, r"add does not accept dtypes int32, key<fry>\."),
                      (lambda k: jnp.add(k, jnp.uint32(1)), r"add does not accept dtypes key<fry>, uint32"),
                      (lambda k: k * k, r"mul does not accept dtype key<fry> at position 0"),
                      (lambda k: -k, r"neg does not accept dtype key<fry>\."),
                      (lambda k: jnp.sin(k), r"sin does not accept dtype key<fry>")]:
        with pytest.raises(TypeError, match=match):
            fn(key)
        with pytest.raises(TypeError, match=match):
            jax.jit(fn)(key)


def test_grad_gamma_family_transforms():
    key = jr.key(3)
    a = jnp.array([0.4, 1.0, 3.0, 9.0])
    g = jax.grad(lambda a: jr.gamma(key, a).sum())(a)
    # forward mode, jit and vmap agree with the eager gradient
    _, t = jax.jvp(lambda a: jr.gamma(key, a), (a,), (jnp.ones_like(a),))
    np.testing.assert_allclose(t, g, rtol=1e-6)
    np.testing.assert_allclose(jax.jit(jax.grad(lambda a: jr.gamma(key, a).sum()))(a), g, rtol=1e-6)
    gv = jax.vmap(jax.grad(lambda a: jr.gamma(key, a)))(a)
    assert gv.shape == (4,) and np.isfinite(np.asarray(gv)).all()
    # d log(x) / da = (dx / da) / x
    x = jr.gamma(key, a)
    gl = jax.grad(lambda a: jr.loggamma(key, a).sum())(a)
    np.testing.assert_allclose(gl, g / x, rtol=2e-3)


def test_random_gamma_grad_against_cdf():
    special = pytest.importorskip("scipy.special")
    a = np.array([0.05, 0.3, 1.0, 2.5, 2.5, 7.0, 30.0, 150.0], np.float32)
    x = np.array([0.01, 0.2, 0.7, 1.0, 6.0, 5.0, 33.0, 140.0], np.float32)
    got = np.asarray(random_gamma_grad(jnp.asarray(a), jnp.asarray(x)))
    # implicit reparameterization: dx/da = -(dP(a, x)/da) / (dP(a, x)/dx), in float64
    a64, x64 = a.astype(np.float64), x.astype(np.float64)
    h = 1e-6 * a64
    dpda = (special.gammainc(a64 + h, x64) - special.gammainc(a64 - h, x64)) / (2 * h)
    pdf = np.exp((a64 - 1) * np.log(x64) - x64 - special.gammaln(a64))
    np.testing.assert_allclose(got, -dpda / pdf, rtol=2e-4)
    assert got.dtype == np.float32
    for dt in ("float16", "bfloat16"):
        assert random_gamma_grad(jnp.asarray(a, dt), jnp.asarray(x, dt)).dtype.name == dt
    nan_cases = np.asarray(random_gamma_grad(jnp.array([0.0, -1.0, 2.0]), jnp.array([1.0, 1.0, -1.0])))
    assert np.isnan(nan_cases).all()
    assert float(random_gamma_grad(jnp.array(2.0), jnp.array(0.0))) == 0.0


def test_grad_through_uniform_bounds():
    key = jr.key(0)
    g = jax.grad(lambda hi: jnp.sum(jr.uniform(key, (5,), minval=0.0, maxval=hi)))(2.0)
    np.testing.assert_allclose(g, np.sum(np.asarray(jr.uniform(key, (5,)))), rtol=1e-6)


def test_x64_dtypes():
    with jax.enable_x64():
        k = jr.key(0)
        assert jr.uniform(k, (3,)).dtype == np.float64
        assert jr.bits(k, (3,)).dtype == np.uint64
        assert jr.randint(k, (3,), 0, 5).dtype == np.int64
        b = np.asarray(jr.bits(k, (4,), np.uint64))
        u = np.asarray(jr.uniform(k, (4,), np.float64))
        expect = ((b >> np.uint64(12)) | np.float64(1).view(np.uint64)).view(np.float64) - 1
        np.testing.assert_array_equal(u, expect)


# ---------------------------------------------------------------------------------------------------
# live comparisons with JAX (skipped without it)
# ---------------------------------------------------------------------------------------------------

def test_live_against_jax(jax):
    import jax.random as jjr
    for seed in (0, 3, 12345):
        for shape in ((), (5,), (3, 4)):
            np.testing.assert_array_equal(jr.bits(jr.key(seed), shape), jjr.bits(jjr.key(seed), shape))
            np.testing.assert_array_equal(jr.uniform(jr.key(seed), shape),
                                          jjr.uniform(jjr.key(seed), shape))
            np.testing.assert_array_equal(jr.key_data(jr.split(jr.key(seed), shape or 2)),
                                          jjr.key_data(jjr.split(jjr.key(seed), shape or 2)))


def test_live_not_partitionable(jax):
    import jax.random as jjr
    jax.config.update("jax_threefry_partitionable", False)
    try:
        with jaxlite_config("jax_threefry_partitionable", False):
            for shape in ((5,), (2, 3)):
                np.testing.assert_array_equal(jr.bits(jr.key(3), shape), jjr.bits(jjr.key(3), shape))
                np.testing.assert_array_equal(jr.bits(jr.key(3), shape, np.uint8),
                                              jjr.bits(jjr.key(3), shape, np.uint8))
                np.testing.assert_array_equal(jr.key_data(jr.split(jr.key(3), shape)),
                                              jjr.key_data(jjr.split(jjr.key(3), shape)))
    finally:
        jax.config.update("jax_threefry_partitionable", True)


X64_CASES = [
    "jr.normal(jr.key(1), (20,))", "jr.gamma(jr.key(1), jnp.array([0.3, 1.0, 2.5, 7.0]))",
    "jr.binomial(jr.key(2), jnp.array([5.0, 20.0, 100.0, 1000.0]), jnp.array([0.2, 0.7, 0.5, 0.01]))",
    "jr.geometric(jr.key(1), 0.3, (10,))", "jr.gumbel(jr.key(1), (10,), mode='highest')",
    "jax.grad(lambda a: jr.gamma(jr.key(1), a).sum())(jnp.array([0.3, 1.0, 2.5, 7.0]))",
]


def test_live_x64(jax):
    import jax.numpy as jjnp
    import jax.random as jjr
    jax.config.update("jax_enable_x64", True)
    try:
        with jaxlite_config("jax_enable_x64", True):
            for expr in X64_CASES:
                got = np.asarray(eval(expr, {"jr": jr, "jnp": jnp, "jax": jaxlite_module}))
                want = np.asarray(eval(expr, {"jr": jjr, "jnp": jjnp, "jax": jax}))
                assert got.dtype == want.dtype and got.shape == want.shape, expr
                np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, err_msg=expr)
    finally:
        jax.config.update("jax_enable_x64", False)


jaxlite_module = jax


def jaxlite_config(name, value):
    return jax.config.override(name, value)


# ---------------------------------------------------------------------------------------------------
# statistics
# ---------------------------------------------------------------------------------------------------

stats = pytest.importorskip("scipy.stats") if importlib.util.find_spec("scipy") else None
N = 20_000


@pytest.mark.skipif(stats is None, reason="scipy not installed")
@pytest.mark.parametrize("name,sample,cdf", [
    ("uniform", lambda k: jr.uniform(k, (N,)), lambda: stats.uniform().cdf),
    ("normal", lambda k: jr.normal(k, (N,)), lambda: stats.norm().cdf),
    ("exponential", lambda k: jr.exponential(k, (N,)), lambda: stats.expon().cdf),
    ("laplace", lambda k: jr.laplace(k, (N,)), lambda: stats.laplace().cdf),
    ("logistic", lambda k: jr.logistic(k, (N,)), lambda: stats.logistic().cdf),
    ("gumbel", lambda k: jr.gumbel(k, (N,)), lambda: stats.gumbel_r().cdf),
    ("cauchy", lambda k: jr.cauchy(k, (N,)), lambda: stats.cauchy().cdf),
    ("gamma0.5", lambda k: jr.gamma(k, 0.5, (N,)), lambda: stats.gamma(0.5).cdf),
    ("gamma3", lambda k: jr.gamma(k, 3.0, (N,)), lambda: stats.gamma(3.0).cdf),
    ("beta", lambda k: jr.beta(k, 2.0, 5.0, (N,)), lambda: stats.beta(2.0, 5.0).cdf),
    ("t", lambda k: jr.t(k, 4.0, (N,)), lambda: stats.t(4.0).cdf),
    ("truncnorm", lambda k: jr.truncated_normal(k, -1.0, 2.0, (N,)),
     lambda: stats.truncnorm(-1.0, 2.0).cdf),
])
def test_ks(name, sample, cdf):
    x = np.asarray(sample(jr.key(2024)), np.float64)
    assert stats.kstest(x, cdf()).pvalue > 1e-4


@pytest.mark.skipif(stats is None, reason="scipy not installed")
@pytest.mark.parametrize("name,sample,cdf", [
    ("wald", lambda k: jr.wald(k, 1.5, (N,)), lambda: stats.invgauss(1.5).cdf),
    ("triangular", lambda k: jr.triangular(k, -1.0, 0.5, 2.0, (N,)),
     lambda: stats.triang(0.5, loc=-1.0, scale=3.0).cdf),
    ("gumbel_highest", lambda k: jr.gumbel(k, (N,), mode="highest"), lambda: stats.gumbel_r().cdf),
    ("gumbel_high", lambda k: jr.gumbel(k, (N,), mode="high"), lambda: stats.gumbel_r().cdf),
])
def test_ks_more(name, sample, cdf):
    x = np.asarray(sample(jr.key(7)), np.float64)
    assert stats.kstest(x, cdf()).pvalue > 1e-4


def test_discrete_moments_more():
    k = jr.key(5)
    for n, p in ((8.0, 0.3), (200.0, 0.6)):  # the inversion and the BTRS branches
        b = np.asarray(jr.binomial(k, n, p, (N // 4,)))
        assert b.dtype == np.float32 and b.min() >= 0 and b.max() <= n and (b == np.floor(b)).all()
        assert abs(b.mean() - n * p) < 0.05 * n * p and abs(b.var() / (n * p * (1 - p)) - 1) < 0.1
    g = np.asarray(jr.geometric(k, 0.25, (N,)))
    assert g.dtype == np.int32 and g.min() >= 1 and abs(g.mean() - 4.0) < 0.1
    m = np.asarray(jr.multinomial(k, 30.0, jnp.array([0.2, 0.3, 0.5]), shape=(2000, 3)))
    assert m.shape == (2000, 3) and (m.sum(-1) == 30).all()
    np.testing.assert_allclose(m.mean(0), [6.0, 9.0, 15.0], rtol=0.03)


def test_discrete_moments():
    k = jr.key(99)
    p = np.asarray(jr.poisson(k, 4.0, (N,)))
    assert abs(p.mean() - 4.0) < 0.1 and abs(p.var() - 4.0) < 0.3
    p = np.asarray(jr.poisson(k, 50.0, (N,)))
    assert abs(p.mean() - 50.0) < 0.4 and abs(p.var() - 50.0) < 3
    b = np.asarray(jr.bernoulli(k, 0.3, (N,)))
    assert b.dtype == np.bool_ and abs(b.mean() - 0.3) < 0.015
    r = np.asarray(jr.randint(k, (N,), 3, 9))
    assert r.min() == 3 and r.max() == 8 and abs(r.mean() - 5.5) < 0.05
    c = np.asarray(jr.categorical(k, jnp.log(jnp.array([0.2, 0.3, 0.5])), shape=(N,)))
    np.testing.assert_allclose(np.bincount(c, minlength=3) / N, [0.2, 0.3, 0.5], atol=0.015)
    d = np.asarray(jr.dirichlet(k, jnp.array([1.0, 2.0, 3.0]), (N,)))
    np.testing.assert_allclose(d.sum(-1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(d.mean(0), [1 / 6, 2 / 6, 3 / 6], atol=0.01)
    perm = np.asarray(jr.permutation(k, 50))
    assert sorted(perm.tolist()) == list(range(50))
    rad = np.asarray(jr.rademacher(k, (1000,)))
    assert set(rad.tolist()) == {-1, 1}
    pts = np.asarray(jr.ball(k, 3, shape=(1000,)))
    assert (np.linalg.norm(pts, axis=-1) <= 1).all()


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_float_dtypes(dtype):
    for fn in (jr.uniform, jr.normal, jr.exponential, jr.gumbel, jr.laplace):
        x = fn(jr.key(0), (100,), dtype)
        assert x.dtype.name == dtype
        assert np.isfinite(np.asarray(x, np.float32)).all()
