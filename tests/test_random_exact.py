"""Bit-exactness of float32 transcendental samplers and of jaxlite._src.xla_math against real JAX (CPU)."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as lnp
from jaxlite._src import xla_math

jax = pytest.importorskip("jax")
jnp = jax.numpy


def _same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    eq = (a.view(f"u{a.itemsize}") == b.view(f"u{b.itemsize}")) | (np.isnan(a) & np.isnan(b))
    assert eq.all(), f"{(~eq).sum()} of {eq.size} differ, first at {np.flatnonzero(~eq)[:5]}"


def _inputs():
    rng = np.random.default_rng(0)
    n = 200_000
    edge = np.array([0, -0., 1, -1, np.inf, -np.inf, np.nan, 1e-45, -1e-40, 1.1754944e-38, 3.4e38, 0.5, 2,
                     88.7, 88.8, -87.8, -87.5, -103, 100, -100, 0.41421354, -0.41421357], np.float32)
    near1 = np.float32(1) + np.arange(-300, 300, dtype=np.float32) * np.float32(2 ** -23)
    return np.concatenate([rng.random(n, dtype=np.float32), rng.random(n // 2, dtype=np.float32) * 2 - 1,
                           rng.integers(0, 2 ** 32, n, dtype=np.uint64).astype(np.uint32).view(np.float32),
                           (rng.standard_normal(n // 2) * 30).astype(np.float32), edge, near1])


@pytest.mark.parametrize("name", ["log", "log1p", "exp", "erf_inv", "erf_alone", "tan"])
def test_xla_math_matches_xla(name):
    x = _inputs()
    if name == "tan":  # also arguments next to multiples of pi/2 (hardest for the reduction) and huge ones
        k = np.arange(-3000, 3000) * (np.pi / 2)
        x = np.concatenate([x, k.astype(np.float32), np.nextafter(k.astype(np.float32), np.float32(np.inf)),
                            np.nextafter(k.astype(np.float32), np.float32(-np.inf)),
                            np.float32([119.99, 120, 121, 2 ** -13, 0.6744, 3e38, -1.7e38, 1e-40])])
    jf = {"erf_inv": jax.lax.erf_inv, "erf_alone": jax.lax.erf}.get(name) or getattr(jnp, name)
    _same_bits(jax.jit(jf)(x), getattr(xla_math, name)(x))


def test_xla_math_erf_fused_matches_xla():
    """erf of a computed value (XLA fuses the two; then it clamps the argument and saturates earlier)."""
    x = np.concatenate([_inputs(), np.float32([3.7, 3.7439, 3.75, 3.8, 3.84, -3.76]) * 2])
    s2 = np.float32(np.sqrt(2))  # XLA turns the division by a constant into a product with its reciprocal
    with np.errstate(invalid="ignore"):
        _same_bits(jax.jit(lambda v: jax.lax.erf(v * np.float32(0.5)))(x), xla_math.erf(x * np.float32(0.5)))
        _same_bits(jax.jit(lambda v: jax.lax.erf(v / s2))(x), xla_math.erf(x * (np.float32(1) / s2)))


def test_xla_math_scalars_and_empty():
    for name in ("log", "exp", "erf", "tan"):
        f = getattr(xla_math, name)
        assert f(np.float32(0.5)).shape == () and f(np.zeros((0, 3), np.float32)).shape == (0, 3)
        assert f(np.float32(0.5)) == f(np.float32([0.5]))[0]


def _large_inputs(seed, n=1_000_000):
    """Several million float32 inputs of different kinds: every function's branches, ties and edges."""
    rng = np.random.default_rng(seed)
    f32 = np.float32
    u32 = rng.integers(0, 2 ** 32, n, dtype=np.uint64).astype(np.uint32)
    return {
        "uniform01": rng.random(n, dtype=f32),
        "uniform-11": rng.random(n, dtype=f32) * 2 - 1,
        "all_bits": u32.view(f32),
        "normal_x30": (rng.standard_normal(n) * 30).astype(f32),
        "tiny_and_subnormal": (rng.standard_normal(n) * 2.0 ** rng.integers(-150, 0, n)).astype(f32),
        "near_one": f32(1) + rng.integers(-2 ** 20, 2 ** 20, n).astype(f32) * f32(2 ** -23),
        "eighths": rng.integers(-800, 800, n).astype(f32) / f32(8),
        # what normal() feeds erf_inv: 23 random mantissa bits mapped onto (-1, 1)
        "sampler_uniform": ((u32 >> 9 | 0x3F800000).view(f32) - f32(1)) * f32(2) + f32(-1 + 2 ** -24),
    }


@pytest.mark.parametrize("name", ["log", "log1p", "exp", "erf_inv", "erf_alone", "tan"])
def test_xla_math_matches_xla_large(name):
    """Millions of random inputs of several kinds, against JAX's jitted op: catches any changed bit."""
    # (a lone jit(lax.erf) runs XLA's unfused erf kernel: xla_math.erf_alone; the fused one is tested below)
    jf = jax.jit({"erf_inv": jax.lax.erf_inv, "erf_alone": jax.lax.erf}.get(name) or getattr(jnp, name))
    f = getattr(xla_math, name)
    for kind, x in _large_inputs(sum(map(ord, name))).items():
        try:
            _same_bits(jf(x), f(x))
        except AssertionError as e:
            raise AssertionError(f"{name} on {kind} inputs: {e}") from None
    # several dimensions and a size that is not a multiple of the slice size
    x = _large_inputs(7, 3 * 5 * 7 * 1009)["uniform-11"].reshape(3, 5, 7, 1009)
    _same_bits(jf(x), f(x))


def test_numba_kernels_same_bits():
    """The optional numba loops (JAXLITE_XLA_MATH_NUMBA=1) give the NumPy code's bits, hence JAX's."""
    pytest.importorskip("numba")
    from jaxlite._src import xla_math_numba
    for name in ("log", "log1p", "exp", "erf_inv"):
        for kind, x in _large_inputs(sum(map(ord, name)) + 1, 300_000).items():
            try:
                _same_bits(getattr(xla_math, name)(x), getattr(xla_math_numba, name)(x))
            except AssertionError as e:
                raise AssertionError(f"{name} on {kind} inputs: {e}") from None


def test_fma_single_rounding():
    rng = np.random.default_rng(1)
    a, b, c = (rng.standard_normal(10_000).astype(np.float32) for _ in range(3))
    got = xla_math.fma(a, b, c)
    # against exact rational arithmetic on a sample (ties to even)
    from fractions import Fraction
    for x, y, z, g in list(zip(a, b, c, got))[:300]:
        r = Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z))
        lo = np.float32(float(r))
        cands = [np.nextafter(lo, np.float32(-np.inf)), lo, np.nextafter(lo, np.float32(np.inf))]
        best = min(cands, key=lambda v: (abs(Fraction(float(v)) - r), int(np.float32(v).view(np.uint32)) & 1))
        assert g == best


def test_fma64_single_rounding():
    from fractions import Fraction
    rng = np.random.default_rng(2)
    n = 3000
    a = rng.standard_normal(n) * np.exp2(rng.integers(-60, 60, n))
    b = rng.standard_normal(n) * np.exp2(rng.integers(-60, 60, n))
    c = rng.standard_normal(n) * np.exp2(rng.integers(-120, 120, n))
    c[:1000] = -(a[:1000] * b[:1000]) * (1 + rng.standard_normal(1000) * 1e-15)  # near cancellation
    a[-100:] *= 1e290  # exact-rational fallback: products near overflow, tiny products
    a[-200:-100] *= 1e-200
    b[-200:-100] *= 1e-100
    got = xla_math.fma64(a, b, c)
    for x, y, z, g in zip(a, b, c, got):
        exact = Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z))
        try:
            want = float(exact)
        except OverflowError:
            want = np.inf if exact > 0 else -np.inf
        assert g == want, (x, y, z)
    # a double-rounding trap: the exact value is just below a half-way point
    assert xla_math.fma64(1 + 2 ** -26, 1 + 2 ** -27, -2 ** -80) == 1 + 2 ** -26 + 2 ** -27
    assert np.isnan(xla_math.fma64(np.inf, 0.0, 1.0)) and xla_math.fma64(1e300, 1e300, -np.inf) == -np.inf


def test_fma_double_rounding_ties():
    """Products that make the double sum land exactly half-way between two float32 values while the
    exact sum is not: rounding the double again would break the tie the wrong way."""
    # 1632737 * 2693665 = 2**42 + 1, so a*b = 2**-24 + 2**-66 and a*b + 1 sits just above 1 + 2**-24
    a, b = np.float32(1632737 * 2.0 ** -33), np.float32(2693665 * 2.0 ** -33)
    scales = np.float32([1, 2 ** -10, 2 ** 20, 3, 5 * 2 ** -7])
    sa = np.concatenate([a * scales, -a * scales])
    sb = np.concatenate([np.full(5, b), np.full(5, b)])
    sc = np.concatenate([scales, -scales])
    want = sc + np.copysign(np.spacing(np.abs(sc)), sc)  # the next float32 away from zero
    np.testing.assert_array_equal(xla_math.fma(sa, sb, sc), want)
    # the in-place chains of the polynomial code take the same correction
    got = xla_math._fma_chain(sa.astype(np.float64), sb.astype(np.float64), [sc.astype(np.float64)])
    np.testing.assert_array_equal(got.astype(np.float32), want)
    row = np.stack([sa, sa]).astype(np.float64)  # and on stacked rows
    got = xla_math._fma_chain(row, sb.astype(np.float64), [sc.astype(np.float64)])
    np.testing.assert_array_equal(got.astype(np.float32), np.stack([want, want]))


SAMPLERS = {
    "normal": lambda jr, m, k: jr.normal(k, (3000,)),
    "normal_2d": lambda jr, m, k: jr.normal(k, (17, 33)),
    "exponential": lambda jr, m, k: jr.exponential(k, (3000,)),
    "gumbel": lambda jr, m, k: jr.gumbel(k, (3000,)),
    "laplace": lambda jr, m, k: jr.laplace(k, (3000,)),
    "logistic": lambda jr, m, k: jr.logistic(k, (3000,)),
    "cauchy": lambda jr, m, k: jr.cauchy(k, (3000,)),
    "cauchy_2d": lambda jr, m, k: jr.cauchy(k, (31, 17)),
    "cauchy_f16": lambda jr, m, k: jr.cauchy(k, (3000,), "float16").astype("float32"),
    "cauchy_bf16": lambda jr, m, k: jr.cauchy(k, (3000,), "bfloat16").astype("float32"),
    "truncated_normal": lambda jr, m, k: jr.truncated_normal(k, -1.5, 2.0, (3000,)),
    "truncated_normal_narrow": lambda jr, m, k: jr.truncated_normal(k, 0.3, 0.31, (3000,)),
    "truncated_normal_tail": lambda jr, m, k: jr.truncated_normal(k, 2.5, 8.0, (3000,)),
    "truncated_normal_arr": lambda jr, m, k: jr.truncated_normal(k, m.array([-3.0, 0.0, -0.2]),
                                                                 m.array([-1.0, m.inf, 0.9]), (500, 3)),
    "truncated_normal_f16": lambda jr, m, k: jr.truncated_normal(k, -0.7, 1.9, (3000,), "float16")
    .astype("float32"),
    "truncated_normal_bf16": lambda jr, m, k: jr.truncated_normal(k, -0.7, 1.9, (3000,), "bfloat16")
    .astype("float32"),
    "normal_f16": lambda jr, m, k: jr.normal(k, (3000,), "float16").astype("float32"),
    "normal_bf16": lambda jr, m, k: jr.normal(k, (3000,), "bfloat16").astype("float32"),
}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_sampler_bits_match_jax(name, seed):
    f = SAMPLERS[name]
    _same_bits(f(jax.random, jnp, jax.random.key(seed)), f(jaxlite.random, lnp, jaxlite.random.key(seed)))


def test_golden_exact():
    import os
    data = np.load(os.path.join(os.path.dirname(__file__), "data", "random_golden.npz"))
    jr = jaxlite.random
    cases = {"normal_f32": lambda: jr.normal(jr.key(1), (200,)),
             "exponential": lambda: jr.exponential(jr.key(1), (100,)),
             "laplace": lambda: jr.laplace(jr.key(1), (100,)),
             "logistic": lambda: jr.logistic(jr.key(1), (100,)),
             "gumbel": lambda: jr.gumbel(jr.key(1), (100,))}
    for name, f in cases.items():
        _same_bits(data[name], f())


def test_plain_jnp_log_keeps_numpy():
    x = np.float32([0.3, 2.0])
    np.testing.assert_array_equal(np.asarray(lnp.log(x)), np.log(x))
    assert not xla_math.enabled()


def test_jit_and_eager_samplers_agree():
    """The XLA-exact path is chosen when the sampler is traced, so jit gives the same bits as eager."""
    import jaxlite as jl
    k = jl.random.key(7)
    for name in ("normal", "exponential", "gumbel", "laplace", "logistic", "cauchy"):
        f = getattr(jl.random, name)
        a = np.asarray(f(k, (2000,)))
        b = np.asarray(jl.jit(lambda k: f(k, (2000,)))(k))
        np.testing.assert_array_equal(a, b, err_msg=name)


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_uniform_range_bits_match_jax(dtype):
    """floats * (maxval - minval) + minval: one fused multiply-add in XLA for float32 (and float64)."""
    rng = np.random.default_rng(3)
    for i in range(12):
        lo = np.float32(rng.standard_normal() * 10.0 ** rng.integers(-3, 4))
        hi = lo + np.float32(abs(rng.standard_normal()) * 10.0 ** rng.integers(-3, 4))
        shape = tuple(int(d) for d in rng.integers(1, 40, rng.integers(1, 3)))
        _same_bits(np.asarray(jax.random.uniform(jax.random.key(i), shape, dtype, lo, hi)).astype(np.float32),
                   np.asarray(jaxlite.random.uniform(jaxlite.random.key(i), shape, dtype, lo, hi)).astype(np.float32))
    lo, hi = np.float32([-1, 0, 3]), np.float32([2, 0.5, 10])
    _same_bits(jax.random.uniform(jax.random.key(9), (40, 3), dtype, lo, hi).astype(np.float32),
               np.asarray(jaxlite.random.uniform(jaxlite.random.key(9), (40, 3), dtype, lo, hi)).astype(np.float32))


def test_uniform_range_transformed():
    """The fused multiply-add survives jit, vmap and jvp; without jit each op rounds by itself, as in JAX."""
    import jaxlite as jl
    f = lambda r: (lambda k, lo: r.uniform(k, (300,), minval=lo, maxval=7.0))
    _same_bits(jax.jit(f(jax.random))(jax.random.key(2), -3.3), jl.jit(f(jl.random))(jl.random.key(2), -3.3))
    ks, ksl = jax.random.split(jax.random.key(5), 4), jl.random.split(jl.random.key(5), 4)
    _same_bits(jax.vmap(f(jax.random), (0, None))(ks, -3.3), jl.vmap(f(jl.random), (0, None))(ksl, -3.3))
    pj = jax.jvp(lambda lo: f(jax.random)(jax.random.key(2), lo), (np.float32(-3.3),), (np.float32(1),))
    pl = jl.jvp(lambda lo: f(jl.random)(jl.random.key(2), lo), (np.float32(-3.3),), (np.float32(1),))
    _same_bits(pj[0], pl[0])
    _same_bits(pj[1], pl[1])
    with jax.disable_jit():
        a = f(jax.random)(jax.random.key(2), np.float32(-3.3))
    with jl.disable_jit():
        b = f(jl.random)(jl.random.key(2), np.float32(-3.3))
    _same_bits(a, b)
    assert str(jax.make_jaxpr(f(jax.random))(jax.random.key(0), 1.0)) == \
        str(jl.make_jaxpr(f(jl.random))(jl.random.key(0), 1.0))


def test_uniform_range_float64_bits_match_jax():
    import jaxlite as jl
    with jax.enable_x64(), jl.enable_x64():
        for i, (lo, hi) in enumerate([(-2.5, 7.1), (1e-3, 1e-2), (-1e5, 3.3), (0.1, 0.3)]):
            _same_bits(jax.random.uniform(jax.random.key(i), (500,), "float64", lo, hi),
                       jl.random.uniform(jl.random.key(i), (500,), "float64", lo, hi))


# --- gamma family: rsqrt estimate + Newton step, libm powf, loop FMAs --------------------------------

def test_xla_rsqrt_matches_xla():
    x = np.abs(_inputs())
    x = np.concatenate([x, np.float32(1) + np.arange(0, 2 ** 23, 97, dtype=np.float32) * np.float32(2 ** -23),
                        np.float32(2) + np.arange(0, 2 ** 23, 89, dtype=np.float32) * np.float32(2 ** -22),
                        np.float32([-1, -0.5, 1e-42])])
    _same_bits(jax.jit(jax.lax.rsqrt)(x), xla_math.rsqrt(x))


def test_xla_pow_matches_xla():
    rng = np.random.default_rng(3)
    n = 20_000
    x = np.concatenate([rng.random(n, dtype=np.float32), (rng.random(n) * 100).astype(np.float32),
                        np.float32([0, 1, 2, np.inf, 0.5, 1e-38, 3e38]), np.float32([-2, -0.5, np.nan, 0])])
    y = np.concatenate([(1 / rng.random(n, dtype=np.float32)).astype(np.float32),
                        rng.standard_normal(n).astype(np.float32) * 5,
                        np.float32([0.5, 0, -1, 2, np.inf, 200, 1e-30]), np.float32([3, 0.5, 1, -np.inf])])
    _same_bits(jax.jit(jnp.power)(x, y), xla_math.pow(x, y))


ALPHAS = [1e-30, 1e-3, 0.01, 0.1, 0.3, 0.5, 0.99, 1.0, 1.01, 1.5, 2.5, 3.0, 7.3, 10.0, 1e3, 1e6, 3e30]

GAMMA_SAMPLERS = {
    "gamma": lambda jr, m, k: jr.gamma(k, m.array(ALPHAS * 150)),
    "gamma_2d": lambda jr, m, k: jr.gamma(k, 0.4, (37, 29)),
    "loggamma": lambda jr, m, k: jr.loggamma(k, m.array(ALPHAS * 150)),
    "beta": lambda jr, m, k: jr.beta(k, m.array([0.05, 0.5, 1.0, 4.0]), m.array([[0.3], [2.0], [50.0]]),
                                     (400, 3, 4)),
    "t": lambda jr, m, k: jr.t(k, m.array([0.3, 1.0, 2.0, 5.0, 1e4] * 300)),
    "chisquare": lambda jr, m, k: jr.chisquare(k, m.array([0.5, 1.0, 3.0, 40.0] * 300)),
    "generalized_normal": lambda jr, m, k: jr.generalized_normal(k, 1.5, (3000,)),
    "generalized_normal_p": lambda jr, m, k: jr.generalized_normal(k, 0.4, (50, 20)),
}


@pytest.mark.parametrize("name", sorted(GAMMA_SAMPLERS))
@pytest.mark.parametrize("seed", [0, 3, 99])
def test_gamma_family_bits_match_jax(name, seed):
    f = GAMMA_SAMPLERS[name]
    _same_bits(f(jax.random, jnp, jax.random.key(seed)), f(jaxlite.random, lnp, jaxlite.random.key(seed)))


def test_gamma_vmap_and_jit_match_jax():
    a = np.float32([0.2, 1.0, 4.0])
    want = jax.vmap(lambda k: jax.random.gamma(k, a))(jax.random.split(jax.random.key(5), 50))
    got = jaxlite.vmap(lambda k: jaxlite.random.gamma(k, a))(jaxlite.random.split(jaxlite.random.key(5), 50))
    _same_bits(want, got)
    got_jit = jaxlite.jit(lambda k: jaxlite.random.loggamma(k, lnp.array(a)))(jaxlite.random.key(6))
    _same_bits(jax.random.loggamma(jax.random.key(6), a), got_jit)


def test_truncated_normal_cauchy_jit_vmap_and_jaxpr():
    import jaxlite as jl
    k = jl.random.key(7)
    f = lambda r: (lambda k, lo: r.truncated_normal(k, lo, 1.7, (2000,)))
    np.testing.assert_array_equal(f(jl.random)(k, -0.3), jl.jit(f(jl.random))(k, -0.3))
    # with the bounds traced (not constants XLA could fold), jitted JAX gives the same bits too
    _same_bits(jax.jit(f(jax.random))(jax.random.key(7), -0.3), jl.jit(f(jl.random))(k, -0.3))
    ks, ksl = jax.random.split(jax.random.key(5), 3), jl.random.split(jl.random.key(5), 3)
    _same_bits(jax.vmap(f(jax.random), (0, None))(ks, -0.3), jl.vmap(f(jl.random), (0, None))(ksl, -0.3))
    g = lambda r: (lambda k: r.cauchy(k, (40,)))
    _same_bits(jax.vmap(g(jax.random))(ks), jl.vmap(g(jl.random))(ksl))
    for dtype in ("float32", "float16"):
        for h in (lambda r: (lambda k: r.truncated_normal(k, -1.5, 2.0, (3,), dtype)),
                  lambda r: (lambda k: r.cauchy(k, (3,), dtype))):
            want = str(jax.make_jaxpr(h(jax.random))(jax.random.key(0)))
            got = str(jl.make_jaxpr(h(jl.random))(jl.random.key(0)))
            assert want.split() == got.split()  # (JAX wraps long lines differently)


def test_plain_tan_erf_keep_numpy():
    x = np.float32([0.3, 2.0, 1e4])
    np.testing.assert_array_equal(np.asarray(lnp.tan(x)), np.tan(x))
    import scipy.special
    np.testing.assert_array_equal(np.asarray(jaxlite.lax.erf(x)), scipy.special.erf(x))
    assert not xla_math.enabled()


# --- float64 (x64): XLA calls the C library's tan/erf/log and runs its own erf_inv polynomial with FMAs ---

def test_xla_math_float64_matches_xla():
    rng = np.random.default_rng(11)
    x = np.concatenate([rng.standard_normal(20_000) * 3, rng.random(20_000) * 2 - 1,
                        rng.integers(0, 2 ** 64, 5_000, dtype=np.uint64).view(np.float64),
                        1 - rng.random(2_000) * 1e-9, -1 + rng.random(2_000) * 1e-15,
                        [0, -0.0, 1, -1, np.inf, -np.inf, np.nan, 1e-310, 5e-324, 1e300, 2.0]])
    with jax.enable_x64():
        with np.errstate(invalid="ignore"):
            _same_bits(jax.jit(jnp.tan)(x), xla_math.tan64(x))
            _same_bits(jax.jit(jax.lax.erf)(x), xla_math.erf64(x))
            _same_bits(jax.jit(jax.lax.erf_inv)(x), xla_math.erf_inv64(x))
            # inside a fusion too (the erf_inv polynomial is inlined there)
            _same_bits(jax.jit(lambda v: jax.lax.erf_inv(v * 0.5))(x), xla_math.erf_inv64(x * 0.5))


@pytest.mark.parametrize("name", ["normal", "cauchy", "truncated_normal", "truncated_normal_arr"])
def test_float64_samplers_match_jax(name):
    import jaxlite as jl
    f = {"normal": lambda r, m, k: r.normal(k, (2000,), "float64"),
         "cauchy": lambda r, m, k: r.cauchy(k, (2000,), "float64"),
         "truncated_normal": lambda r, m, k: r.truncated_normal(k, -0.3, 1.2, (2000,), "float64"),
         "truncated_normal_arr": lambda r, m, k: r.truncated_normal(
             k, m.array([-3.0, 0.0, -0.2]), m.array([-1.0, m.inf, 0.9]), (300, 3), "float64")}[name]
    with jax.enable_x64(), jl.enable_x64():
        for seed in (0, 1):
            _same_bits(f(jax.random, jnp, jax.random.key(seed)), f(jl.random, lnp, jl.random.key(seed)))


# --- XLA's rewrites: tree-ordered sums, division by a broadcast as a multiplication by its reciprocal ------

@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_xla_reduce_sum_order_matches_xla(dtype):
    """Below YNNPACK's 4096 elements XLA sums 32-element windows one element after the other."""
    rng = np.random.default_rng(4)
    with jax.enable_x64(dtype == "float64"):
        for shape in [(5, 3), (4, 32), (4, 33), (3, 50), (7, 100), (1, 1025), (2, 1500), (1, 4000), (60, 7)]:
            x = (rng.random(shape) * 2.0 ** rng.integers(-12, 12, shape)).astype(dtype)
            _same_bits(jax.jit(lambda x: jnp.sum(x, -1))(x), xla_math.reduce_sum(x, (1,)))
            _same_bits(jax.jit(lambda x: jnp.sum(x, 0))(x.T.copy()), xla_math.reduce_sum(x.T.copy(), (0,)))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_xla_division_by_broadcast_matches_xla(dtype):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((300, 7)).astype(dtype)
    y = (rng.random(300) + 0.3).astype(dtype)
    with jax.enable_x64(dtype == "float64"):
        want = jax.jit(lambda x, y: x / y[:, None])(x, y)
        want_scalar = jax.jit(lambda x, y: x / y)(x, y[3])
    _same_bits(np.asarray(want).view(np.uint16 if x.itemsize == 2 else x.dtype),
               np.asarray(xla_math.mul_reciprocal(x, y[:, None])).view(np.uint16 if x.itemsize == 2 else x.dtype))
    _same_bits(np.asarray(want_scalar).view(np.uint16 if x.itemsize == 2 else x.dtype),
               np.asarray(xla_math.mul_reciprocal(x, y[3])).view(np.uint16 if x.itemsize == 2 else x.dtype))


DIRICHLET_ALPHAS = {
    "3": np.float32([1.0, 2.0, 3.0]),
    "small": np.float32([0.01, 0.1, 0.5, 1.0, 2.0, 7.0, 0.3]),
    "50": (np.arange(1, 51) * 0.14).astype(np.float32),
    "1500": (np.arange(1, 1501) * 0.002).astype(np.float32),
}


@pytest.mark.parametrize("alpha,shape", [("3", (500,)), ("small", (40, 3)), ("50", (81,)), ("1500", (2,))])
@pytest.mark.parametrize("seed", [0, 7])
def test_dirichlet_bits_match_jax(alpha, shape, seed):
    """Exact while the sample has fewer than 4096 elements (above, XLA hands the softmax to YNNPACK)."""
    a = DIRICHLET_ALPHAS[alpha]
    _same_bits(jax.random.dirichlet(jax.random.key(seed), a, shape),
               jaxlite.random.dirichlet(jaxlite.random.key(seed), a, shape))


def test_dirichlet_transforms_match_jax():
    import jaxlite as jl
    a = DIRICHLET_ALPHAS["small"]
    ks, ksl = jax.random.split(jax.random.key(5), 6), jl.random.split(jl.random.key(5), 6)
    _same_bits(jax.vmap(lambda k: jax.random.dirichlet(k, a, (4,)))(ks),
               jl.vmap(lambda k: jl.random.dirichlet(k, a, (4,)))(ksl))
    _same_bits(jax.jit(lambda k: jax.random.dirichlet(k, a, (9,)))(jax.random.key(2)),
               jl.jit(lambda k: jl.random.dirichlet(k, a, (9,)))(jl.random.key(2)))
    f = lambda r: (lambda k: r.dirichlet(k, a, (10,)))
    assert str(jax.make_jaxpr(f(jax.random))(jax.random.key(0))) == \
        str(jl.make_jaxpr(f(jl.random))(jl.random.key(0)))


@pytest.mark.parametrize("seed", [0, 3])
def test_pareto_bits_match_jax(seed):
    import jaxlite as jl
    b = np.float32([0.05, 0.5, 1.0, 3.0, 20.0])
    _same_bits(jax.random.pareto(jax.random.key(seed), 2.7, (3000,)),
               jl.random.pareto(jl.random.key(seed), 2.7, (3000,)))
    _same_bits(jax.random.pareto(jax.random.key(seed), b, (200, 5)),
               jl.random.pareto(jl.random.key(seed), b, (200, 5)))
    f = lambda r: (lambda k: r.pareto(k, 2.0, (10,)))
    assert str(jax.make_jaxpr(f(jax.random))(jax.random.key(0))) == \
        str(jl.make_jaxpr(f(jl.random))(jl.random.key(0)))


# --- float64 (x64): XLA's exp, the C library's log/pow, log1p's rational form, vrsqrt14pd + Newton ---------

def _inputs64(seed, n=200_000):
    rng = np.random.default_rng(seed)
    return {"uniform01": rng.random(n), "uniform-11": rng.random(n) * 2 - 1,
            "all_bits": rng.integers(0, 2 ** 64, n, dtype=np.uint64).view(np.float64),
            "normal_x30": rng.standard_normal(n) * 30,
            "wide": rng.standard_normal(n) * np.exp2(rng.integers(-1074, 1000, n)),
            "near_one": 1 + rng.integers(-2 ** 24, 2 ** 24, n) * 2.0 ** -52,
            "edge": np.array([0, -0.0, 1, -1, np.inf, -np.inf, np.nan, 5e-324, -1e-310, 2.2250738585072014e-308,
                              709.78, 709.79, -708.39, -708.4, -745, -745.2, -1000, 1000, 0.5, 2.0, 1e300])}


@pytest.mark.parametrize("name", ["exp64", "log64", "log1p64", "rsqrt64"])
def test_xla_math_float64_unary_matches_xla(name):
    jf = {"exp64": jnp.exp, "log64": jnp.log, "log1p64": jnp.log1p, "rsqrt64": jax.lax.rsqrt}[name]
    f = getattr(xla_math, name)
    with jax.enable_x64():
        for kind, x in _inputs64(sum(map(ord, name))).items():
            with np.errstate(invalid="ignore"):
                try:  # the lone op and the op inside a fusion
                    _same_bits(jax.jit(jf)(x), f(x))
                    _same_bits(jax.jit(lambda v: jf(v * 0.5))(x), f(x * 0.5))
                except AssertionError as e:
                    raise AssertionError(f"{name} on {kind} inputs: {e}") from None


def test_xla_math_pow64_matches_xla():
    rng = np.random.default_rng(8)
    n = 20_000
    x = np.concatenate([rng.random(n), rng.random(n) * 100, [0, 1, 2, np.inf, 0.5, 1e-300, 1e300, -2, -0.5, np.nan]])
    y = np.concatenate([1 / rng.random(n), rng.standard_normal(n) * 5, [0.5, 0, -1, 2, np.inf, 2, 3, 3, 0.5, 1]])
    with jax.enable_x64():
        _same_bits(jax.jit(jnp.power)(x, y), xla_math.pow64(x, y))


X64_SAMPLERS = {
    "exponential": lambda r, m, k: r.exponential(k, (2000,), "float64"),
    "laplace": lambda r, m, k: r.laplace(k, (2000,), "float64"),
    "logistic": lambda r, m, k: r.logistic(k, (2000,), "float64"),
    "gumbel": lambda r, m, k: r.gumbel(k, (2000,), "float64"),
    "gumbel_high": lambda r, m, k: r.gumbel(k, (2000,), "float64", mode="high"),
    "pareto": lambda r, m, k: r.pareto(k, m.array([0.05, 0.5, 1.0, 3.0, 20.0]), (400, 5), "float64"),
    # (other sigmas: test_lognormal_bits_match_jax)
    "lognormal": lambda r, m, k: r.lognormal(k, 0.5, (2000,), "float64"),
    "weibull_min": lambda r, m, k: r.weibull_min(k, 1.5, 0.7, (2000,), "float64"),
    "rayleigh": lambda r, m, k: r.rayleigh(k, 1.5, (2000,), "float64"),
    "gamma": lambda r, m, k: r.gamma(k, m.array(ALPHAS * 40, "float64")),
    "loggamma": lambda r, m, k: r.loggamma(k, m.array(ALPHAS * 40, "float64")),
    "beta": lambda r, m, k: r.beta(k, m.array([0.05, 0.5, 1.0, 4.0]), m.array([[0.3], [2.0], [50.0]]),
                                   (100, 3, 4), "float64"),
    "t": lambda r, m, k: r.t(k, m.array([0.3, 1.0, 2.0, 5.0, 1e4] * 100), dtype="float64"),
    "chisquare": lambda r, m, k: r.chisquare(k, m.array([0.5, 1.0, 3.0, 40.0] * 100), dtype="float64"),
    "dirichlet": lambda r, m, k: r.dirichlet(k, m.array([0.01, 0.1, 0.5, 1.0, 2.0, 7.0]), (50,), "float64"),
    "generalized_normal": lambda r, m, k: r.generalized_normal(k, 1.5, (1000,), "float64"),
}


@pytest.mark.parametrize("name", sorted(X64_SAMPLERS))
def test_float64_more_samplers_match_jax(name):
    import jaxlite as jl
    f = X64_SAMPLERS[name]
    with jax.enable_x64(), jl.enable_x64():
        for seed in (0, 5):
            _same_bits(f(jax.random, jnp, jax.random.key(seed)), f(jl.random, lnp, jl.random.key(seed)))


def test_float64_samplers_transformed_match_jax():
    import jaxlite as jl
    a = np.array([0.2, 1.0, 4.0])
    with jax.enable_x64(), jl.enable_x64():
        ks, ksl = jax.random.split(jax.random.key(5), 20), jl.random.split(jl.random.key(5), 20)
        _same_bits(jax.vmap(lambda k: jax.random.gamma(k, a))(ks), jl.vmap(lambda k: jl.random.gamma(k, a))(ksl))
        for name, kw in [("exponential", {}), ("gumbel", {}), ("gumbel", {"mode": "high"}), ("logistic", {})]:
            g = lambda r: (lambda k: getattr(r, name)(k, (500,), "float64", **kw))
            _same_bits(jax.jit(g(jax.random))(jax.random.key(3)), jl.jit(g(jl.random))(jl.random.key(3)))
            want = str(jax.make_jaxpr(g(jax.random))(jax.random.key(0)))
            assert want.split() == str(jl.make_jaxpr(g(jl.random))(jl.random.key(0))).split()  # (line wraps)


# --- gamma family in float16/bfloat16 (XLA keeps the loop in half precision, erf_inv in float32) -------------

HALF_ALPHAS = [1e-30, 1e-3, 0.01, 0.1, 0.25, 0.3, 0.5, 0.75, 0.99, 1.0, 1.01, 1.25, 1.5, 2.5, 3.0, 7.3, 20.0, 1e3]

HALF_GAMMA_SAMPLERS = {
    "gamma": lambda r, m, k, dt: r.gamma(k, m.array(HALF_ALPHAS * 40, dt)),
    "loggamma": lambda r, m, k, dt: r.loggamma(k, m.array(HALF_ALPHAS * 40, dt)),
    # a scalar shape parameter: XLA computes (1/3)·rsqrt(d) and the rest of the setup once, on the scalar
    "gamma_scalar": lambda r, m, k, dt: m.stack([r.gamma(k, a, (40,), dt) for a in HALF_ALPHAS[1:]]),
    "loggamma_scalar": lambda r, m, k, dt: m.stack([r.loggamma(k, a, (40,), dt) for a in HALF_ALPHAS[1:]]),
    "beta": lambda r, m, k, dt: r.beta(k, m.array([0.05, 0.5, 1.0, 4.0], dt), m.array([[0.3], [2.0], [50.0]], dt),
                                       (50, 3, 4), dt),
    "t": lambda r, m, k, dt: r.t(k, m.array([0.3, 1.0, 2.0, 5.0, 1e4] * 100, dt), dtype=dt),
    "chisquare": lambda r, m, k, dt: r.chisquare(k, m.array([0.5, 1.0, 3.0, 40.0] * 100, dt), dtype=dt),
    "generalized_normal": lambda r, m, k, dt: r.generalized_normal(k, 1.5, (600,), dt),
    "f": lambda r, m, k, dt: r.f(k, 3.0, 5.0, (600,), dt),
    "f_arr": lambda r, m, k, dt: r.f(k, m.array([0.5, 3.0, 10.0, 2.0] * 100, dt),
                                     m.array([1.0, 5.0, 0.3, 20.0] * 100, dt), None, dt),
}


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("name", sorted(HALF_GAMMA_SAMPLERS))
def test_half_gamma_family_bits_match_jax(name, dtype):
    f = HALF_GAMMA_SAMPLERS[name]
    with np.errstate(over="ignore"):
        for seed in (0, 3):
            _same_bits(np.asarray(f(jax.random, jnp, jax.random.key(seed), dtype)).astype(np.float32),
                       np.asarray(f(jaxlite.random, lnp, jaxlite.random.key(seed), dtype)).astype(np.float32))


@pytest.mark.parametrize("make_key", ["key", "PRNGKey"])
def test_half_gamma_loop_normals_round_xla_erf_inv(make_key):
    """The loop's normals in float16 are XLA's float32 erf_inv rounded once to float16: rounding an exact
    erfinv instead differs next to ties and flips an acceptance (key 1023, alpha ~2.017, element (610, 2))."""
    a16 = np.linspace(0.05, 3, 4, dtype=np.float16)
    cases = {"gamma": lambda r, m, k: r.gamma(k, m.asarray(a16), (1023, 4), "float16"),
             "loggamma": lambda r, m, k: r.loggamma(k, m.asarray(a16), (1023, 4), "float16"),
             "dirichlet": lambda r, m, k: r.dirichlet(k, m.asarray(a16), (1023,), "float16")}
    for name, f in cases.items():
        _same_bits(f(jax.random, jnp, getattr(jax.random, make_key)(1023)),
                   f(jaxlite.random, lnp, getattr(jaxlite.random, make_key)(1023)))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_gamma_loop_normals_match_jax_normal(dtype):
    """The gamma loop's normal draws (random._np_normal) are jax.random.normal's bits in half precision."""
    from jaxlite._src import random as jr_src
    for seed in (0, 1023):
        want = np.asarray(jax.random.normal(jax.random.PRNGKey(seed), (5000,), dtype)).astype(np.float32)
        words = np.asarray(jaxlite.random.PRNGKey(seed))
        _same_bits(want, jr_src._np_normal(words, (5000,), np.dtype(getattr(lnp, dtype))).astype(np.float32))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_generalized_normal_boost_exponent_folded(dtype):
    """XLA rewrites the gamma loop's ``1 / (1 / p)`` to ``p`` across the nested jit (scalar ``p`` in the
    sampler's dtype); these ``p`` do not survive the rounded round trip."""
    import jaxlite as jl
    ps = {"float32": [1.4906015, 1.630777, 3.0], "float64": [1.46, 1.51], "float16": [1000.0, 1.51, 1.63],
          "bfloat16": [1.546875, 1.6796875]}[dtype]
    with jax.enable_x64(dtype == "float64"), jl.enable_x64(dtype == "float64"):
        for p in ps:
            for seed in (1023, 5):
                want = jax.random.generalized_normal(jax.random.key(seed), p, (2000,), dtype)
                got = jl.random.generalized_normal(jl.random.key(seed), p, (2000,), dtype)
                _same_bits(np.asarray(want).astype(np.float64), np.asarray(got).astype(np.float64))
                want = jax.random.generalized_normal(jax.random.key(seed), jnp.asarray(p, dtype), (2000,), dtype)
                got = jl.random.generalized_normal(jl.random.key(seed), lnp.asarray(p, dtype), (2000,), dtype)
                _same_bits(np.asarray(want).astype(np.float64), np.asarray(got).astype(np.float64))
        pv = [ps[0], 3.0, 0.7]  # a vector p: no rewrite
        want = jax.random.generalized_normal(jax.random.key(2), jnp.asarray(pv, dtype), (500, 3), dtype)
        got = jl.random.generalized_normal(jl.random.key(2), lnp.asarray(pv, dtype), (500, 3), dtype)
        _same_bits(np.asarray(want).astype(np.float64), np.asarray(got).astype(np.float64))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_f_bits_match_jax(dtype):
    """(a / b) / (c / d) as XLA's (a * d) / (b * c); chisquare's * 2 folded into the scalar factors changes
    no value (a power of two), so the rule needs only the two quotients."""
    import jaxlite as jl
    cases = {"scalar": lambda r, m, k: r.f(k, 3.0, 5.0, (2000,), dtype),
             "scalar2": lambda r, m, k: r.f(k, 0.7, 41.0, (2000,), dtype),
             "arrays": lambda r, m, k: r.f(k, m.array([0.5, 3.0, 10.0, 2.0] * 100, dtype),
                                           m.array([1.0, 5.0, 0.3, 20.0] * 100, dtype), None, dtype),
             "mixed": lambda r, m, k: r.f(k, m.array([0.5, 3.0, 10.0, 2.0] * 100, dtype), 4.0, (400,), dtype)}
    with jax.enable_x64(dtype == "float64"), jl.enable_x64(dtype == "float64"):
        for name, f in cases.items():
            for seed in (0, 1):
                _same_bits(f(jax.random, jnp, jax.random.key(seed)), f(jl.random, lnp, jl.random.key(seed)))
        # (traced degrees of freedom: with constants, XLA folds the gamma loop's setup at compile time and
        # JAX's jitted bits differ from its eager ones)
        h = lambda r: (lambda k, x, y: r.f(k, x, y, (300,), dtype))
        _same_bits(jax.jit(h(jax.random))(jax.random.key(4), 3.0, 5.0), jl.jit(h(jl.random))(jl.random.key(4), 3.0, 5.0))
        g = lambda r: (lambda k: r.f(k, 3.0, 5.0, (10,), dtype))
        assert str(jax.make_jaxpr(g(jax.random))(jax.random.key(0))).split() == \
            str(jl.make_jaxpr(g(jl.random))(jl.random.key(0))).split()
    # the rewrite on its own
    rng = np.random.default_rng(6)
    a, b, c, d = ((rng.random(5000) * 10.0 ** rng.integers(-6, 6, 5000)).astype(np.float32) for _ in range(4))
    want = jax.jit(lambda a, b, c, d: (a / b) / (c / d))(a, b, c, d)
    _same_bits(want, xla_math.div_of_quotients(a, b, c, d))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_maxwell_bits_match_jax(dtype):
    """The norm of three normals: XLA fuses the squares into the 3-element sum (fused multiply-adds, LLVM's
    order); exact while the normals number fewer than 4096 (from there YNNPACK sums them)."""
    import jaxlite as jl
    with jax.enable_x64(dtype == "float64"), jl.enable_x64(dtype == "float64"):
        for seed, n in [(0, 1365), (1, 300), (2, 7)]:
            for name, args in [("maxwell", ()), ("double_sided_maxwell", (0.5, 2.0))]:
                want = getattr(jax.random, name)(jax.random.key(seed), *args, (n,), dtype)
                got = getattr(jl.random, name)(jl.random.key(seed), *args, (n,), dtype)
                _same_bits(np.asarray(want).astype(np.float64), np.asarray(got).astype(np.float64))
        f = lambda r: (lambda k: r.maxwell(k, (5,), dtype))
        assert str(jax.make_jaxpr(f(jax.random))(jax.random.key(0))).split() == \
            str(jl.make_jaxpr(f(jl.random))(jl.random.key(0))).split()


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_wald_bits_match_jax(dtype):
    """XLA contracts 4·mean·y + mean²·y² and x - (mean/2)·sqrt(...) into fused multiply-adds."""
    import jaxlite as jl
    with jax.enable_x64(dtype == "float64"), jl.enable_x64(dtype == "float64"):
        for seed, mean, shape in [(0, 1.5, (2000,)), (1, 0.3, (500,)), (2, 7.0, (500,)),
                                  (3, np.array([0.5, 1.0, 3.0, 20.0], dtype), (250, 4))]:
            want = jax.random.wald(jax.random.key(seed), mean, shape, dtype)
            got = jl.random.wald(jl.random.key(seed), mean, shape, dtype)
            _same_bits(np.asarray(want).astype(np.float64), np.asarray(got).astype(np.float64))
        h = lambda r: (lambda k, m: r.wald(k, m, (300,), dtype))
        _same_bits(np.asarray(jax.jit(h(jax.random))(jax.random.key(4), 2.5)).astype(np.float64),
                   np.asarray(jl.jit(h(jl.random))(jl.random.key(4), 2.5)).astype(np.float64))
        f = lambda r: (lambda k: r.wald(k, 1.5, (5,), dtype))
        assert str(jax.make_jaxpr(f(jax.random))(jax.random.key(0))).split() == \
            str(jl.make_jaxpr(f(jl.random))(jl.random.key(0))).split()


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_ball_bits_match_jax(dtype):
    """x / pow(s, 1/p) as XLA's x * pow(s, -1/p) (a plain division where the broadcast is a reshape, and in
    bfloat16 the reciprocal product); bfloat16 powers summed unrounded."""
    import jaxlite as jl
    with jax.enable_x64(dtype == "float64"), jl.enable_x64(dtype == "float64"):
        for seed, (d, p, n) in enumerate([(3, 2.0, 100), (2, 1.5, 100), (5, 3.0, 50), (3, 2.0, 1000), (1, 0.7, 100),
                                          (3, 2, 100)]):  # (an integer p: pow with an integer exponent)
            want = jax.random.ball(jax.random.key(seed), d, p, (n,), dtype)
            got = jl.random.ball(jl.random.key(seed), d, p, (n,), dtype)
            _same_bits(np.asarray(want).astype(np.float64), np.asarray(got).astype(np.float64))
        f = lambda r: (lambda k: r.ball(k, 3, 2.0, (5,), dtype))
        assert str(jax.make_jaxpr(f(jax.random))(jax.random.key(0))).split() == \
            str(jl.make_jaxpr(f(jl.random))(jl.random.key(0))).split()


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_dirichlet_bits_match_jax(dtype):
    """bfloat16: XLA sums the exponentials unrounded (excess precision), flushes float32 subnormals."""
    for seed, (alpha, shape) in enumerate([("3", (500,)), ("small", (40, 3)), ("50", (30,))]):
        a = DIRICHLET_ALPHAS[alpha].astype(dtype)
        _same_bits(np.asarray(jax.random.dirichlet(jax.random.key(seed), a, shape, dtype)).astype(np.float32),
                   np.asarray(jaxlite.random.dirichlet(jaxlite.random.key(seed), a, shape, dtype)).astype(np.float32))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_orthogonal_bits_match_jax(dtype):
    """QR of normals as jaxlib computes it (SciPy's LAPACK: geqrf, then orgqr), q times the signs of r's
    diagonal: JAX's bits, square, tall (n > m), wide (n < m) and batched."""
    pytest.importorskip("scipy")
    import jaxlite as jl
    with jax.enable_x64(dtype == "float64"), jl.enable_x64(dtype == "float64"):
        for seed, kw in enumerate([dict(n=4), dict(n=3, shape=(2,)), dict(n=3, m=5), dict(n=5, m=3), dict(n=1),
                                   dict(n=10, shape=(3, 2)), dict(n=64), dict(n=3, m=6, shape=(2,)), dict(n=150)]):
            _same_bits(jax.random.orthogonal(jax.random.key(seed), dtype=dtype, **kw),
                       jl.random.orthogonal(jl.random.key(seed), dtype=dtype, **kw))
        f = lambda r: (lambda k: r.orthogonal(k, 3, (2,), dtype, 4))
        _same_bits(jax.jit(f(jax.random))(jax.random.key(9)), jl.jit(f(jl.random))(jl.random.key(9)))


# --- from 4096 elements on: YNNPACK -------------------------------------------------------------------
def _ynn_jit(f, *args):
    """``jax.jit(f)`` after checking that XLA hands it to YNNPACK (a ``__ynn_fusion`` in its HLO)."""
    jf = jax.jit(f)
    assert "__ynn_fusion" in jf.lower(*args).compile().as_text()
    return jf


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_ynn_math_matches_jax(dtype):
    """xla_math.ynn_exp/ynn_log/ynn_reduce_sum against XLA's YNNPACK fusions: exp(x - max(x)) and
    max(log(x)) over rows of two (the max leaves the exp or log of the first column), sums over every axis
    of several shapes (short and long rows, the tree of accumulators, blocks of 32768)."""
    rng = np.random.default_rng(3)
    with jax.enable_x64(dtype == "float64"):
        x = np.concatenate([-(rng.random(20000) * 10.0 ** rng.integers(-8, 3, 20000)),
                            [-0.0, -1e-40, -87.3, -87.5, -88.0, -100, -700, -708.5, -745, -np.inf, -1e-310]])
        x = x.astype(dtype)
        X = np.stack([x, np.zeros_like(x)], -1)
        got = _ynn_jit(lambda X: jnp.exp(X - jnp.max(X, -1, keepdims=True)), X)(X)
        _same_bits(np.asarray(got)[:, 0], xla_math.ynn_exp(x))
        x = np.concatenate([rng.random(20000) * 10.0 ** rng.integers(-30, 30, 20000),
                            rng.random(2000) * 2 ** -20 + 1, [0, 1e-40, 1e-310, np.inf, 1, 2, 0.5, 3e38]])
        x = x.astype(dtype)
        X = np.stack([x, np.full_like(x, -np.inf)], -1)
        _same_bits(_ynn_jit(lambda X: jnp.max(jnp.log(X), -1), X)(X), xla_math.ynn_log(x))
        for shape, axis in [((1366, 3), 1), ((2049, 2), 1), ((300, 17), 1), ((64, 65), 1), ((17, 257), 1),
                            ((2, 5000), 1), ((8192,), 0), ((1, 40000), 1), ((3, 2000), 0), ((5, 1000), 0),
                            ((20, 300), 0), ((300, 17), 0), ((2, 300, 7), 1)]:
            v = (rng.standard_normal(shape) * np.exp(rng.standard_normal(shape) * 3)).astype(dtype)
            _same_bits(_ynn_jit(lambda v: jnp.sum(v, axis), v)(v), xla_math.ynn_reduce_sum(v, axis))


def test_ynn_bf16_sum_of_squares_matches_jax():
    """bfloat16 values' squares summed in float32: YNNPACK's bfloat16 kernel adds them in pairs."""
    import ml_dtypes
    rng = np.random.default_rng(4)
    for k in [3, 40, 200]:
        q = rng.standard_normal((max(1366, 4100 // k + 1), k)).astype(ml_dtypes.bfloat16)
        f = _ynn_jit(lambda q: jnp.sum(q.astype(jnp.float32) * q.astype(jnp.float32), axis=-1), q)
        _same_bits(f(q), xla_math.ynn_reduce_sum(q, 1, bf16_squares=True))


@pytest.mark.parametrize("dtype", ["float32", "float64", "bfloat16"])
def test_dirichlet_ynn_bits_match_jax(dtype):
    """From 4096 elements XLA runs the log-gamma draws' last logs, the max, the subtraction and the exp in
    one YNNPACK fusion (YNNPACK's log and exp), and the sum in another (bfloat16: XLA's exp, YNNPACK's
    sum); both sides of the threshold."""
    import jaxlite as jl
    with jax.enable_x64(dtype == "float64"), jl.enable_x64(dtype == "float64"):
        for seed, (alpha, shape) in enumerate([(np.linspace(0.05, 3, 4), (1023,)), (np.linspace(0.05, 3, 4), (1024,)),
                                               (np.linspace(0.3, 5, 5), (1000,)), (np.float32([0.5, 2.0]), (2048,)),
                                               (np.arange(1, 81) * 0.05, (60,)), (np.float32([1.0, 3.0, 9.0]), (2, 700))]):
            a = alpha.astype(dtype)
            want = jax.random.dirichlet(jax.random.key(seed), a, shape, dtype)
            got = jl.random.dirichlet(jl.random.key(seed), a, shape, dtype)
            _same_bits(np.asarray(want).astype(np.float64), np.asarray(got).astype(np.float64))
        a = np.float32([0.5, 2.0, 4.0]).astype(dtype)
        f = lambda r: (lambda k: r.dirichlet(k, a, (1500,), dtype))
        assert str(jax.make_jaxpr(f(jax.random))(jax.random.key(0))) == str(jl.make_jaxpr(f(jl.random))(jl.random.key(0)))


def test_dirichlet_ynn_transforms_match_jax():
    import jaxlite as jl
    a = np.float32([0.5, 2.0, 4.0])
    ks, ksl = jax.random.split(jax.random.key(5), 3), jl.random.split(jl.random.key(5), 3)
    _same_bits(jax.vmap(lambda k: jax.random.dirichlet(k, a, (700,)))(ks),
               jl.vmap(lambda k: jl.random.dirichlet(k, a, (700,)))(ksl))
    _same_bits(jax.jit(lambda k: jax.random.dirichlet(k, a, (1400,)))(jax.random.key(2)),
               jl.jit(lambda k: jl.random.dirichlet(k, a, (1400,)))(jl.random.key(2)))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_maxwell_ynn_bits_match_jax(dtype):
    """From 4096 normals the norm's sum runs in YNNPACK (rounded squares, YNNPACK's order; bfloat16: the
    float32 squares of the normals before their rounding); ball's too."""
    import jaxlite as jl
    with jax.enable_x64(dtype == "float64"), jl.enable_x64(dtype == "float64"):
        for seed, n in [(0, 1365), (1, 1366), (2, 3000)]:
            for name, args in [("maxwell", ()), ("double_sided_maxwell", (0.5, 2.0)), ("ball", (4, 1.5))]:
                shape = (n * 3 // 4,) if name == "ball" else (n,)
                want = getattr(jax.random, name)(jax.random.key(seed), *args, shape, dtype)
                got = getattr(jl.random, name)(jl.random.key(seed), *args, shape, dtype)
                _same_bits(np.asarray(want).astype(np.float64), np.asarray(got).astype(np.float64))


# --- XLA's simplifier across the samplers' nested jits (backend/xla_rewrites.py) ---------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_lognormal_bits_match_jax(dtype):
    """(sqrt(2) * erf_inv(u)) * sigma is XLA's erf_inv(u) * (sigma * sqrt(2)) (a rule that sees through
    normal's jit), for any sigma; not in bfloat16 (float32 operations between conversions there)."""
    import jaxlite as jl
    with jax.enable_x64(dtype == "float64"), jl.enable_x64(dtype == "float64"):
        for seed, sigma, shape in [(0, 0.3, (2000,)), (1, 1.7, (500,)), (2, 0.5, (500,)), (3, 0.3, ()),
                                   (4, np.array([0.3, 1.7, 0.5], dtype), (300, 3)), (5, 0.1, (7, 9))]:
            want = jax.random.lognormal(jax.random.key(seed), sigma, shape, dtype)
            got = jl.random.lognormal(jl.random.key(seed), sigma, shape, dtype)
            _same_bits(np.asarray(want).astype(np.float64), np.asarray(got).astype(np.float64))
        # traced sigma under jit, batched keys and sigmas under vmap
        h = lambda r: (lambda k, s: r.lognormal(k, s, (300,), dtype))
        _same_bits(np.asarray(jax.jit(h(jax.random))(jax.random.key(6), 0.3)).astype(np.float64),
                   np.asarray(jl.jit(h(jl.random))(jl.random.key(6), 0.3)).astype(np.float64))
        ks, ksl = jax.random.split(jax.random.key(7), 5), jl.random.split(jl.random.key(7), 5)
        _same_bits(np.asarray(jax.vmap(lambda k: jax.random.lognormal(k, 0.3, (40,), dtype))(ks)).astype(np.float64),
                   np.asarray(jl.vmap(lambda k: jl.random.lognormal(k, 0.3, (40,), dtype))(ksl)).astype(np.float64))
        s = np.array([0.3, 0.7, 1.3], dtype)
        _same_bits(np.asarray(jax.vmap(lambda s: jax.random.lognormal(ks[0], s, (40,), dtype))(s)).astype(np.float64),
                   np.asarray(jl.vmap(lambda s: jl.random.lognormal(ksl[0], s, (40,), dtype))(s)).astype(np.float64))
        for f in (lambda r: (lambda k: r.lognormal(k, 0.3, (5,), dtype)),
                  lambda r: (lambda k: r.lognormal(k, np.array([0.3, 2.0], dtype), (4, 2), dtype)),
                  lambda r: (lambda k, s: r.lognormal(k, s, (3,), dtype))):
            args = (0.3,) if f(jax.random).__code__.co_argcount == 2 else ()
            assert str(jax.make_jaxpr(f(jax.random))(jax.random.key(0), *args)).split() == \
                str(jl.make_jaxpr(f(jl.random))(jl.random.key(0), *args)).split()


@pytest.mark.parametrize("name", ["gumbel", "logistic"])
def test_half_gumbel_logistic_bits_match_jax(name):
    """float16: with constant bounds XLA folds uniform's (bits - 1) * (1 - tiny) + tiny into bits + (-1 + tiny),
    which is bits - 1 in float16 (eager, under jit and under vmap)."""
    import jaxlite as jl
    for seed, shape in [(0, (3000,)), (1, (31, 17)), (2, ())]:
        _same_bits(np.asarray(getattr(jax.random, name)(jax.random.key(seed), shape, "float16")).astype(np.float32),
                   np.asarray(getattr(jl.random, name)(jl.random.key(seed), shape, "float16")).astype(np.float32))
    f = lambda r: (lambda k: getattr(r, name)(k, (500,), "float16"))
    _same_bits(np.asarray(jax.jit(f(jax.random))(jax.random.key(3))).astype(np.float32),
               np.asarray(jl.jit(f(jl.random))(jl.random.key(3))).astype(np.float32))
    ks, ksl = jax.random.split(jax.random.key(4), 6), jl.random.split(jl.random.key(4), 6)
    _same_bits(np.asarray(jax.vmap(f(jax.random))(ks)).astype(np.float32),
               np.asarray(jl.vmap(f(jl.random))(ksl)).astype(np.float32))
    # the same folding of uniform's constant bounds inside a user's jit; eagerly they are arguments
    tiny = float(np.finfo(np.float16).tiny)
    g = lambda r: (lambda k: r.uniform(k, (500,), "float16", tiny, 1.0))
    _same_bits(np.asarray(jax.jit(g(jax.random))(jax.random.key(5))).astype(np.float32),
               np.asarray(jl.jit(g(jl.random))(jl.random.key(5))).astype(np.float32))
    _same_bits(np.asarray(g(jax.random)(jax.random.key(5))).astype(np.float32),
               np.asarray(g(jl.random)(jl.random.key(5))).astype(np.float32))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_double_sided_maxwell_any_scale_bits_match_jax(dtype):
    """sign * maxwell * scale + loc: XLA contracts the last product and sum into a fused multiply-add
    (fewer than 1365 values: from 4096 normals on, YNNPACK sums the norms)."""
    import jaxlite as jl
    with jax.enable_x64(dtype == "float64"), jl.enable_x64(dtype == "float64"):
        for seed, loc, scale in [(0, 0.3, 1.7), (1, -2.1, 0.37), (2, np.array([0.1, 5.0], dtype), 3.3)]:
            shape = (300, 2) if np.ndim(loc) else (800,)
            want = jax.random.double_sided_maxwell(jax.random.key(seed), loc, scale, shape, dtype)
            got = jl.random.double_sided_maxwell(jl.random.key(seed), loc, scale, shape, dtype)
            _same_bits(np.asarray(want).astype(np.float64), np.asarray(got).astype(np.float64))
        h = lambda r: (lambda k, l, s: r.double_sided_maxwell(k, l, s, (300,), dtype))
        _same_bits(np.asarray(jax.jit(h(jax.random))(jax.random.key(3), 0.3, 1.7)).astype(np.float64),
                   np.asarray(jl.jit(h(jl.random))(jl.random.key(3), 0.3, 1.7)).astype(np.float64))
        f = lambda r: (lambda k: r.double_sided_maxwell(k, 0.3, 1.7, (4,), dtype))
        assert str(jax.make_jaxpr(f(jax.random))(jax.random.key(0))).split() == \
            str(jl.make_jaxpr(f(jl.random))(jl.random.key(0))).split()


def test_sampler_with_user_constants_in_jit_matches_jax():
    """Inside a user's jit that calls a sampler, XLA also reassociates the user's products by constants with
    the sampler's (normal * 0.3 is erf_inv(u) * (sqrt(2) * 0.3)); so does jaxlite's backend there."""
    import jaxlite as jl
    f = lambda r: r.jit(lambda k: r.random.normal(k, (2000,)) * 0.3)
    _same_bits(f(jax)(jax.random.key(1)), f(jl)(jl.random.key(1)))
    g = lambda r: r.jit(lambda k: 0.25 * (r.random.normal(k, (300,), "float16") * 3.0))
    _same_bits(np.asarray(g(jax)(jax.random.key(2))).astype(np.float32),
               np.asarray(g(jl)(jl.random.key(2))).astype(np.float32))


def test_xla_rewrites_leave_other_programs_alone():
    """Programs without a sampler in them compile as they are: x * 2.5 * 0.3 rounds twice (JAX's jit
    would fold the constants; eager JAX and NumPy round twice)."""
    import jaxlite as jl
    from jaxlite._src.backend import xla_rewrites
    x = np.linspace(-3, 3, 2001, dtype=np.float32)
    np.testing.assert_array_equal(np.asarray(jl.jit(lambda x: x * 2.5 * 0.3)(x)), x * np.float32(2.5) * np.float32(0.3))
    assert not xla_rewrites.wanted(jl.make_jaxpr(lambda x: x * 2.5 * 0.3)(x).jaxpr)
    assert xla_rewrites.wanted(jl.make_jaxpr(lambda k: jl.random.normal(k, (3,)))(jl.random.key(0)).jaxpr)


def test_xla_rewrites_rules():
    """The rules on small programs, against the values XLA's rewritten forms give."""
    import jaxlite as jl
    from jaxlite._src.backend import xla_rewrites
    from jaxlite._src.backend.numpy_backend import compile_jaxpr
    x = np.linspace(-3, 3, 1001, dtype=np.float32)
    y = np.float32(0.7)
    c1, c2, d1, d2 = np.float32(1.4142135), np.float32(0.3), np.float32(0.1), np.float32(0.37)
    cases = [(lambda x, y: (c1 * x) * c2, x * (c1 * c2)),
             (lambda x, y: c2 * (x * c1), x * (c1 * c2)),
             (lambda x, y: (c1 * x) * y, x * (y * c1)),
             (lambda x, y: y * (x * c1), x * (y * c1)),
             (lambda x, y: (x - d1) + d2, x + (d2 - d1)),
             (lambda x, y: d2 + (x + d1), x + (d1 + d2)),
             (lambda x, y: (x + d1) - d2, x + (d1 - d2)),
             (lambda x, y: (d1 - x) + d2, (d1 + d2) - x),
             (lambda x, y: (x * np.float32(1.0)) + np.float32(0.0), x)]
    for f, want in cases:
        closed = jl.make_jaxpr(f)(x, y)
        jaxpr, consts = xla_rewrites.rewrite(closed.jaxpr, closed.consts)
        got = compile_jaxpr(jaxpr, consts)(x, y)[0]
        np.testing.assert_array_equal(got, want)
        # and XLA agrees
        np.testing.assert_array_equal(jax.jit(f)(x, y), want)
    # a scalar product is not a broadcast: (c * x) * y stays as written for scalars
    closed = jl.make_jaxpr(lambda x, y: (c1 * x) * y)(x[7], y)
    jaxpr, consts = xla_rewrites.rewrite(closed.jaxpr, closed.consts)
    assert compile_jaxpr(jaxpr, consts)(x[7], y)[0] == (c1 * x[7]) * y


def test_inline_jit_samplers_under_transforms():
    """lognormal is jit(inline=True) as in JAX: inlined into traced jaxprs (also under grad and vmap), one
    compiled program eagerly under vmap/jvp/grad (so XLA's rewrite applies there too)."""
    import jaxlite as jl
    g = lambda r: (lambda s: r.lognormal(r.key(0), s, (3,)).sum())
    for t in ("grad", "vmap"):
        arg = 0.3 if t == "grad" else np.float32([0.3, 0.7])
        want = str(jax.make_jaxpr(getattr(jax, t)(g(jax.random)))(arg))
        assert want.split() == str(jl.make_jaxpr(getattr(jl, t)(g(jl.random)))(arg)).split()
    h = lambda r: (lambda s: r.random.lognormal(r.random.key(3), s, (50,))[7])
    _same_bits(jax.grad(h(jax))(np.float32(0.3)), jl.grad(h(jl))(np.float32(0.3)))
    _same_bits(jax.jvp(h(jax), (np.float32(0.3),), (np.float32(1.0),))[1],
               jl.jvp(h(jl), (np.float32(0.3),), (np.float32(1.0),))[1])


def _spd(rng, n, dtype):
    a = rng.standard_normal((n, n))
    return (a @ a.T + n * np.eye(n)).astype(dtype), rng.standard_normal(n).astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("method", ["cholesky", "eigh", "svd"])
def test_multivariate_normal_bits_match_jax(dtype, method):
    """The factor through jaxlib's LAPACK routines, ``factor @ normals`` in the order XLA CPU's dot kernels
    add (xla_math.dot_nt: loop nest, matrix-vector kernel or YNNPACK by shape): JAX's bits. Not
    reproduced: float32 with n >= 8 and two or more samples (YNNPACK's float32 kernels), n == 1 with two
    or more samples (XLA folds normal's sqrt(2) into the factor across the nested jit)."""
    pytest.importorskip("scipy")
    import jaxlite as jl
    rng = np.random.default_rng(0)
    ns = (2, 3, 4, 5, 6, 7) if dtype == "float32" else (2, 3, 4, 5, 7, 8, 12)
    with jax.enable_x64(dtype == "float64"), jl.enable_x64(dtype == "float64"):
        for n in ns:
            cov, mean = _spd(rng, n, dtype)
            for seed, shape in enumerate([None, (), (1,), (2,), (5,), (3, 4), (11,), (100,)]):
                _same_bits(jax.random.multivariate_normal(jax.random.key(seed), mean, cov, shape, method=method),
                           jl.random.multivariate_normal(jl.random.key(seed), mean, cov, shape, method=method))
        for n in (1, 8, 9, 16):  # one sample: XLA's matrix-vector kernel (n = 1: one fused multiply-add)
            cov, mean = _spd(rng, n, dtype)
            _same_bits(jax.random.multivariate_normal(jax.random.key(n), mean, cov, method=method),
                       jl.random.multivariate_normal(jl.random.key(n), mean, cov, method=method))
        cov, mean = _spd(rng, 3, dtype)
        f = lambda r: (lambda k, m, c: r.multivariate_normal(k, m, c, (7,), method=method))
        _same_bits(jax.jit(f(jax.random))(jax.random.key(9), mean, cov), jl.jit(f(jl.random))(jl.random.key(9), mean, cov))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_xla_dot_order_matches_xla(dtype):
    """xla_math.dot_nt against jitted dot_generals of every strategy XLA CPU picks for ``x @ y.T``."""
    import jaxlite as jl
    from jaxlite._src.lax.linalg import dot_general_p, dot_general_xla_p
    rng = np.random.default_rng(1)
    f = jax.jit(lambda x, y: jax.lax.dot_general(x, y, (([1], [1]), ([], []))))
    with jax.enable_x64(dtype == "float64"):
        for m in (1, 2, 3, 4, 5, 7, 8, 11, 12, 17, 42, 100):
            for k in (1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16, 17, 31, 40):
                x, y = rng.standard_normal((m, k)).astype(dtype), rng.standard_normal((k, k)).astype(dtype)
                got = xla_math.dot_nt(x, y)
                if got is None:
                    assert dtype == "float32" and m > 1 and k >= 8
                    continue
                _same_bits(f(x, y), got)
    # the samplers bind the twin (same jaxpr); elsewhere dot_general stays NumPy's
    x = np.ones((2, 3), dtype)
    g = lambda a: jl.lax.dot_general(a, a, (([1], [1]), ([], [])))
    assert jl.make_jaxpr(g)(x).eqns[0].primitive is dot_general_p
    with xla_math.exact():
        assert jl.make_jaxpr(g)(x).eqns[0].primitive is dot_general_xla_p
