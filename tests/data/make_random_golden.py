"""Record jax.random outputs with real JAX into tests/data/random_golden.npz (run: python this_file).

Each case is ``name -> sampler expression``, evaluated with ``jr`` bound to ``jax.random``, ``jnp`` to
``jax.numpy``, ``jax`` and ``lax``; tests/test_random.py evaluates the same expressions with jaxlite. The
JAX version used is stored under ``__jax_version__``.
"""
import os

import numpy as np

CASES = {
    # keys and key derivation
    "prngkey_0": "jr.PRNGKey(0)",
    "prngkey_42": "jr.PRNGKey(42)",
    "prngkey_neg": "jr.PRNGKey(-7)",
    "prngkey_big": "jr.PRNGKey(2**40 + 3)",
    "key_data_0": "jr.key_data(jr.key(0))",
    "split_2": "jr.key_data(jr.split(jr.key(0)))",
    "split_shape": "jr.key_data(jr.split(jr.key(7), (2, 3)))",
    "split_raw": "jr.split(jr.PRNGKey(3), 5)",
    "fold_in": "jr.key_data(jr.fold_in(jr.key(1), 123456))",
    "fold_in_raw": "jr.fold_in(jr.PRNGKey(1), 2**31 + 5)",
    # bits and integer samplers
    "bits_u32": "jr.bits(jr.key(1), (7, 3))",
    "bits_u8": "jr.bits(jr.key(1), (9,), 'uint8')",
    "bits_u16": "jr.bits(jr.key(2), (5,), 'uint16')",
    "randint": "jr.randint(jr.key(1), (50,), -5, 17)",
    "randint_u8": "jr.randint(jr.key(3), (40,), 0, 256, 'uint8')",
    "randint_arr": "jr.randint(jr.key(4), (2, 3), jnp.array([0, 10, 20]), 30)",
    "bernoulli": "jr.bernoulli(jr.key(1), 0.3, (64,))",
    "bernoulli_high": "jr.bernoulli(jr.key(1), 0.3, (16,), mode='high')",
    "rademacher": "jr.rademacher(jr.key(5), (16,))",
    "poisson_small": "jr.poisson(jr.key(1), 3.0, (40,))",
    "poisson_mixed": "jr.poisson(jr.key(2), jnp.array([0.0, 2.0, 15.0, 300.0] * 5))",
    # floats from bits (exact)
    "uniform_f32": "jr.uniform(jr.key(1), (100,))",
    "uniform_range": "jr.uniform(jr.key(1), (3, 4), minval=-2.0, maxval=5.0)",
    "uniform_f16": "jr.uniform(jr.key(1), (32,), 'float16')",
    "uniform_bf16": "jr.uniform(jr.key(1), (32,), 'bfloat16')",
    "uniform_raw": "jr.uniform(jr.PRNGKey(0), (8,))",
    "normal_f32": "jr.normal(jr.key(1), (200,))",
    "normal_f16": "jr.normal(jr.key(1), (32,), 'float16')",
    "normal_bf16": "jr.normal(jr.key(1), (32,), 'bfloat16')",
    # discrete results of float computations
    "categorical": "jr.categorical(jr.key(1), jnp.log(jnp.array([0.1, 0.2, 0.3, 0.4])), shape=(100,))",
    "categorical_axis0": "jr.categorical(jr.key(1), jnp.arange(12.0).reshape(3, 4) / 5, axis=0)",
    "permutation_int": "jr.permutation(jr.key(1), 20)",
    "permutation_arr": "jr.permutation(jr.key(2), jnp.arange(12).reshape(4, 3))",
    "permutation_indep": "jr.permutation(jr.key(3), jnp.arange(12).reshape(3, 4), axis=1, independent=True)",
    "choice": "jr.choice(jr.key(1), 10, (5,))",
    "choice_norep": "jr.choice(jr.key(1), 10, (5,), replace=False)",
    "choice_p": "jr.choice(jr.key(1), 4, (20,), p=jnp.array([0.1, 0.2, 0.3, 0.4]))",
    # transcendental samplers (compared to a few ulp)
    "exponential": "jr.exponential(jr.key(1), (100,))",
    "laplace": "jr.laplace(jr.key(1), (100,))",
    "logistic": "jr.logistic(jr.key(1), (100,))",
    "gumbel": "jr.gumbel(jr.key(1), (100,))",
    "cauchy": "jr.cauchy(jr.key(1), (100,))",
    "truncated_normal": "jr.truncated_normal(jr.key(1), -1.5, 2.0, (100,))",
    "gamma": "jr.gamma(jr.key(1), jnp.array([0.3, 1.0, 2.5, 7.0] * 10))",
    "loggamma": "jr.loggamma(jr.key(1), jnp.array([0.3, 1.0, 2.5, 7.0] * 10))",
    "beta": "jr.beta(jr.key(1), 2.0, 3.0, (40,))",
    "dirichlet": "jr.dirichlet(jr.key(1), jnp.array([1.0, 2.0, 3.0]), (10,))",
    "t": "jr.t(jr.key(1), 5.0, (40,))",
    "ball": "jr.ball(jr.key(1), 3, shape=(10,))",
    # gamma family over all paths: shape < 1 (pow boost), = 1, > 1, huge, tiny
    "gamma_small": "jr.gamma(jr.key(2), jnp.array([1e-3, 0.01, 0.1, 0.5, 0.99, 1e-30] * 20))",
    "gamma_large": "jr.gamma(jr.key(3), jnp.array([1.0, 1.5, 3.0, 10.0, 1e3, 1e6] * 20))",
    "gamma_shape": "jr.gamma(jr.key(4), 0.7, (5, 7))",
    "loggamma_small": "jr.loggamma(jr.key(2), jnp.array([1e-3, 0.01, 0.1, 0.5, 0.99, 1e-30] * 20))",
    "loggamma_large": "jr.loggamma(jr.key(3), jnp.array([1.0, 1.5, 3.0, 10.0, 1e3, 1e6] * 20))",
    "beta_arr": "jr.beta(jr.key(2), jnp.array([0.1, 0.5, 2.0, 30.0]), jnp.array([[0.2], [5.0]]))",
    "beta_small": "jr.beta(jr.key(3), 0.05, 0.3, (60,))",
    "t_arr": "jr.t(jr.key(2), jnp.array([0.5, 1.0, 3.0, 100.0] * 10))",
    "chisquare": "jr.chisquare(jr.key(1), 3.0, (60,))",
    "generalized_normal": "jr.generalized_normal(jr.key(1), 1.5, (60,))",
    "generalized_normal_3": "jr.generalized_normal(jr.key(2), 3.0, (6, 7))",
    # XLA's tan (glibc tanf), erf, reciprocal multiply and fused multiply-add, reproduced bit for bit
    "cauchy_2d": "jr.cauchy(jr.key(2), (7, 9))",
    "cauchy_seeds": "jnp.stack([jr.cauchy(jr.key(s), (64,)) for s in (3, 4, 5, 123456)])",
    "cauchy_f16": "jr.cauchy(jr.key(1), (64,), 'float16')",
    "cauchy_bf16": "jr.cauchy(jr.key(1), (64,), 'bfloat16')",
    "truncated_normal_seeds": "jnp.stack([jr.truncated_normal(jr.key(s), lo, hi, (64,)) for s, lo, hi in"
                              " ((2, -0.3, 1.7), (3, 0.5, 0.6), (4, -4.0, 4.0), (5, 2.5, 6.0), (6, -jnp.inf, 0.2))])",
    "truncated_normal_arr": "jr.truncated_normal(jr.key(2), jnp.array([-1.0, 0.0, 0.5]), jnp.array([1.0, 3.0, 0.7]),"
                            " (4, 3))",
    "truncated_normal_f16": "jr.truncated_normal(jr.key(1), -1.2, 0.4, (64,), 'float16')",
    "truncated_normal_bf16": "jr.truncated_normal(jr.key(1), -1.2, 0.4, (64,), 'bfloat16')",
    "uniform_range_arr": "jr.uniform(jr.key(5), (4, 3), minval=jnp.array([-1.0, 0.0, 3.0]),"
                         " maxval=jnp.array([2.0, 0.5, 10.0]))",
    "uniform_range_seeds": "jnp.stack([jr.uniform(jr.key(s), (64,), minval=lo, maxval=hi) for s, lo, hi in"
                           " ((6, -1e3, 1e-3), (7, 0.1, 0.2), (8, -7.5, -2.25), (9, 3.0, 1e6))])",
    "uniform_range_f16": "jr.uniform(jr.key(1), (32,), 'float16', -3.0, 5.5)",
    "normal_f16_more": "jr.normal(jr.key(3), (256,), 'float16')",
    # samplers added later
    "wald": "jr.wald(jr.key(1), 1.5, (50,))",
    "wald_arr": "jr.wald(jr.key(2), jnp.array([0.5, 1.0, 3.0]))",
    "geometric": "jr.geometric(jr.key(1), 0.3, (50,))",
    "geometric_arr": "jr.geometric(jr.key(3), jnp.array([0.05, 0.5, 0.9]), (4, 3))",
    "triangular": "jr.triangular(jr.key(1), -1.0, 0.5, 2.0, (50,))",
    "gumbel_high": "jr.gumbel(jr.key(1), (50,), mode='high')",
    "gumbel_highest": "jr.gumbel(jr.key(1), (200,), mode='highest')",
    "gumbel_highest_f16": "jr.gumbel(jr.key(1), (20,), 'float16', mode='highest')",
    "binomial": "jr.binomial(jr.key(1), 10.0, 0.3, (40,))",
    "binomial_mixed": "jr.binomial(jr.key(2), jnp.array([5.0, 20.0, 100.0, 1000.0, -1.0, jnp.inf, 7.0, 50.0]),"
                      " jnp.array([0.2, 0.7, 0.5, 0.01, 0.5, 0.5, jnp.nan, 0.9]))",
    "multinomial": "jr.multinomial(jr.key(1), 20.0, jnp.array([0.2, 0.3, 0.5]))",
    "multinomial_shape": "jr.multinomial(jr.key(2), jnp.array([10.0, 100.0]), jnp.array([0.1, 0.6, 0.3]),"
                         " shape=(2, 3))",
    # shuffling and choosing from arrays (gather along any axis)
    "permutation_axis1": "jr.permutation(jr.key(4), jnp.arange(24).reshape(2, 3, 4), axis=1)",
    "permutation_axis_neg": "jr.permutation(jr.key(5), jnp.arange(12.0).reshape(3, 4), axis=-1)",
    "choice_arr": "jr.choice(jr.key(1), jnp.arange(10.0) * 2, (3, 2))",
    "choice_arr_axis1": "jr.choice(jr.key(2), jnp.arange(12).reshape(3, 4), (5,), axis=1)",
    "choice_arr_norep": "jr.choice(jr.key(3), jnp.arange(12).reshape(4, 3), (2,), replace=False)",
    "choice_arr_p": "jr.choice(jr.key(4), jnp.arange(8).reshape(4, 2), (3,), p=jnp.array([0.1, 0.2, 0.3, 0.4]))",
    "choice_arr_p_norep": "jr.choice(jr.key(5), jnp.arange(15).reshape(3, 5), (2,), replace=False,"
                          " p=jnp.array([0.1, 0.2, 0.3, 0.2, 0.2]), axis=1)",
    # linear algebra
    "mvn": "jr.multivariate_normal(jr.key(1), jnp.array([1.0, -1.0]), jnp.array([[2.0, 0.5], [0.5, 1.0]]),"
           " (5,))",
    "mvn_svd": "jr.multivariate_normal(jr.key(2), jnp.zeros(3), jnp.array([[2.0, 0.5, 0.1], [0.5, 1.0, 0.2],"
               " [0.1, 0.2, 1.5]]), (4,), method='svd')",
    "mvn_eigh": "jr.multivariate_normal(jr.key(3), jnp.zeros(3), jnp.array([[2.0, 0.5, 0.1], [0.5, 1.0, 0.2],"
                " [0.1, 0.2, 1.5]]), method='eigh')",
    # exact: the factor through jaxlib's LAPACK routines, the product in XLA CPU's summation order
    "mvn_5": "jr.multivariate_normal(jr.key(4), jnp.arange(5.0), jnp.eye(5) * 2 + 0.3, (40,))",
    "mvn_one": "jr.multivariate_normal(jr.key(5), jnp.arange(6.0), jnp.eye(6) + 0.5, method='svd')",
    "x64_mvn": "jr.multivariate_normal(jr.key(6), jnp.arange(9.0), jnp.eye(9) * 3 + 0.2, (3, 4), method='eigh')",
    "x64_mvn_one": "jr.multivariate_normal(jr.key(7), jnp.zeros(12), jnp.eye(12) + 0.1)",
    "orthogonal": "jr.orthogonal(jr.key(1), 4)",
    "orthogonal_batch": "jr.orthogonal(jr.key(2), 3, (2,))",
    "orthogonal_rect": "jr.orthogonal(jr.key(3), 3, m=5)",
    # exact: QR through the LAPACK routines jaxlib calls (SciPy's geqrf and orgqr)
    "orthogonal_tall": "jr.orthogonal(jr.key(4), 5, (2,), m=3)",
    "orthogonal_40": "jr.orthogonal(jr.key(5), 40)",
    "x64_orthogonal": "jr.orthogonal(jr.key(6), 6, (3,))",
    # gradients of gamma-based samplers (implicit reparameterization, lax.random_gamma_grad)
    "grad_gamma": "jax.grad(lambda a: jr.gamma(jr.key(1), a).sum())(jnp.array([0.3, 1.0, 2.5, 7.0] * 3))",
    "grad_loggamma": "jax.grad(lambda a: jr.loggamma(jr.key(1), a).sum())(jnp.array([0.3, 1.0, 2.5, 7.0] * 3))",
    "grad_beta": "jax.grad(lambda a: jr.beta(jr.key(1), a, 2.0).sum())(jnp.array([0.3, 1.0, 2.5, 7.0]))",
    "grad_dirichlet": "jax.grad(lambda a: (jr.dirichlet(jr.key(1), a, (5,)) ** 2).sum())"
                      "(jnp.array([0.5, 1.0, 2.5, 7.0]))",
    "random_gamma_grad": "lax.random_gamma_grad(jnp.array([0.1, 0.5, 1.0, 2.5, 2.5, 7.0, 30.0, 0.01, 3.0]),"
                         " jnp.array([0.05, 2.0, 0.5, 1.0, 6.0, 12.0, 28.0, 1e-30, 0.0]))",
    # dirichlet below YNNPACK's 4096 elements: XLA's summation order, x / broadcast(s) as x * (1 / s)
    "dirichlet_50": "jr.dirichlet(jr.key(2), jnp.arange(1.0, 51.0) * 0.14, (30,))",
    "dirichlet_long": "jr.dirichlet(jr.key(3), jnp.arange(1.0, 1501.0) * 0.002, (2,))",
    "dirichlet_small_alpha": "jr.dirichlet(jr.key(4), jnp.array([0.01, 0.1, 0.5, 1.0]), (8, 5))",
    "pareto": "jr.pareto(jr.key(1), 3.0, (100,))",
    "pareto_arr": "jr.pareto(jr.key(2), jnp.array([0.2, 1.0, 2.5, 10.0]), (25, 4))",
    # f: XLA computes (a / b) / (c / d) as (a * d) / (b * c)
    "f": "jr.f(jr.key(1), 3.0, 5.0, (60,))",
    "f_arr": "jr.f(jr.key(2), jnp.array([0.5, 3.0, 10.0, 2.0] * 10), jnp.array([1.0, 5.0, 0.3, 20.0] * 10))",
    "x64_f": "jr.f(jr.key(3), 0.7, 41.0, (60,))",
    # the gamma family in half precision
    "gamma_f16": "jr.gamma(jr.key(1), jnp.array([0.01, 0.3, 0.99, 1.0, 2.5, 7.0, 1e3] * 6, 'float16'))",
    "loggamma_f16": "jr.loggamma(jr.key(2), jnp.array([0.01, 0.3, 0.99, 1.0, 2.5, 7.0, 1e3] * 6, 'float16'))",
    "gamma_bf16": "jr.gamma(jr.key(3), jnp.array([0.01, 0.3, 0.99, 1.0, 2.5, 7.0, 1e3] * 6, 'bfloat16'))",
    "beta_bf16": "jr.beta(jr.key(4), 0.5, 2.0, (40,), 'bfloat16')",
    "t_bf16": "jr.t(jr.key(5), 3.0, (40,), 'bfloat16')",
    "gamma_f16_scalar": "jr.gamma(jr.key(6), 1.25, (60,), 'float16')",
    "chisquare_f16": "jr.chisquare(jr.key(7), 0.5, (60,), 'float16')",
    "f_f16": "jr.f(jr.key(8), 3.0, 5.0, (60,), 'float16')",
    "f_bf16": "jr.f(jr.key(9), 3.0, 5.0, (60,), 'bfloat16')",
    # maxwell: the squares fused into the norm's short sum (below YNNPACK's 4096 elements)
    "maxwell": "jr.maxwell(jr.key(1), (50,))",
    "maxwell_bf16": "jr.maxwell(jr.key(2), (50,), 'bfloat16')",
    "double_sided_maxwell": "jr.double_sided_maxwell(jr.key(3), 0.5, 2.0, (50,))",
    "x64_maxwell": "jr.maxwell(jr.key(4), (50,))",
    "x64_wald": "jr.wald(jr.key(5), 0.7, (50,))",
    # ball: x / pow(s, 1/p) is XLA's x * pow(s, -1/p)
    "ball_p": "jr.ball(jr.key(2), 2, 1.5, (30,))",
    "ball_bf16": "jr.ball(jr.key(3), 3, 2.0, (30,), 'bfloat16')",
    "x64_ball": "jr.ball(jr.key(4), 4, 3.0, (30,))",
    "dirichlet_bf16": "jr.dirichlet(jr.key(5), jnp.array([0.01, 0.1, 0.5, 1.0, 2.0, 7.0]), (20,), 'bfloat16')",
    # XLA's simplifier across the samplers' nested jits: lognormal's (sqrt(2) * erf_inv(u)) * sigma as
    # erf_inv(u) * (sigma * sqrt(2)), float16 uniform's constant bounds folded (gumbel, logistic); and
    # double_sided_maxwell's multiply-add fused
    "lognormal_sigma": "jr.lognormal(jr.key(2), 0.3, (100,))",
    "lognormal_arr": "jr.lognormal(jr.key(3), jnp.array([0.3, 1.7, 0.5]), (20, 3))",
    "lognormal_f16": "jr.lognormal(jr.key(4), 0.3, (64,), 'float16')",
    "lognormal_vmap": "jax.vmap(lambda k: jr.lognormal(k, 0.3, (10,)))(jr.split(jr.key(6), 4))",
    "x64_lognormal_sigma": "jr.lognormal(jr.key(5), 0.3, (100,))",
    "gumbel_f16": "jr.gumbel(jr.key(1), (64,), 'float16')",
    "logistic_f16": "jr.logistic(jr.key(1), (64,), 'float16')",
    "double_sided_maxwell_scale": "jr.double_sided_maxwell(jr.key(4), 0.3, 1.7, (50,))",
    "x64_double_sided_maxwell": "jr.double_sided_maxwell(jr.key(5), 0.3, 1.7, (50,))",
    # float64 under x64 (names starting with x64_ are recorded and replayed with jax_enable_x64 on)
    "x64_exponential": "jr.exponential(jr.key(1), (100,))",
    "x64_laplace": "jr.laplace(jr.key(2), (100,))",
    "x64_logistic": "jr.logistic(jr.key(3), (100,))",
    "x64_gumbel": "jr.gumbel(jr.key(4), (100,))",
    "x64_pareto": "jr.pareto(jr.key(5), jnp.array([0.2, 1.0, 2.5, 10.0]), (25, 4))",
    "x64_lognormal": "jr.lognormal(jr.key(6), 0.5, (100,))",
    "x64_weibull_min": "jr.weibull_min(jr.key(7), 1.5, 2.0, (100,))",
    "x64_gamma": "jr.gamma(jr.key(1), jnp.array([1e-3, 0.3, 0.99, 1.0, 2.5, 7.0, 1e3, 1e-30] * 10))",
    "x64_loggamma": "jr.loggamma(jr.key(2), jnp.array([1e-3, 0.3, 0.99, 1.0, 2.5, 7.0, 1e3, 1e-30] * 10))",
    "x64_beta": "jr.beta(jr.key(3), jnp.array([0.1, 0.5, 2.0, 30.0]), jnp.array([[0.2], [5.0]]))",
    "x64_t": "jr.t(jr.key(4), jnp.array([0.5, 1.0, 3.0, 100.0] * 10))",
    "x64_chisquare": "jr.chisquare(jr.key(5), 3.0, (60,))",
    "x64_dirichlet": "jr.dirichlet(jr.key(6), jnp.array([0.1, 1.0, 2.0, 3.0]), (10,))",
    "x64_generalized_normal": "jr.generalized_normal(jr.key(7), 1.5, (60,))",
    # from 4096 elements on XLA hands the reductions (and the ops around them) to YNNPACK: its log, exp and
    # summation order
    "dirichlet_ynn": "jr.dirichlet(jr.key(7), jnp.array([0.05, 0.3, 1.0, 2.5]), (1100,))",
    # float16 gamma loop: normals from XLA's float32 erf_inv rounded once (an acceptance flips otherwise)
    "gamma_f16_erfinv_tie": "jr.gamma(jr.key(1023), jnp.linspace(0.05, 3, 4, dtype='float16'), (1023, 4), 'float16')",
    "loggamma_f16_erfinv_tie": "jr.loggamma(jr.PRNGKey(1023), jnp.linspace(0.05, 3, 4, dtype='float16'), (1023, 4),"
                               " 'float16')",
    "dirichlet_f16_erfinv_tie": "jr.dirichlet(jr.key(1023), jnp.linspace(0.05, 3, 4, dtype='float16'), (1023,),"
                                " 'float16')",
    # generalized_normal: XLA folds the gamma loop's 1 / (1 / p) into p
    "generalized_normal_fold": "jr.generalized_normal(jr.key(3), 1.4906015, (300,))",
    "generalized_normal_fold_f16": "jr.generalized_normal(jr.key(1023), jnp.float16(1000.0), (2000,), 'float16')",
    "x64_generalized_normal_fold": "jr.generalized_normal(jr.key(3), 1.46, (300,), 'float64')",
    "dirichlet_ynn_wide": "jr.dirichlet(jr.key(8), jnp.arange(1.0, 81.0) * 0.05, (60,))",
    "dirichlet_ynn_bf16": "jr.dirichlet(jr.key(9), jnp.array([0.1, 1.0, 2.0, 7.0]), (1030,), 'bfloat16')",
    "x64_dirichlet_ynn": "jr.dirichlet(jr.key(10), jnp.array([0.1, 1.0, 2.0, 3.0]), (1030,))",
    "maxwell_ynn": "jr.maxwell(jr.key(6), (1400,))",
    "double_sided_maxwell_ynn": "jr.double_sided_maxwell(jr.key(7), 0.5, 2.0, (1400,))",
    "x64_maxwell_ynn": "jr.maxwell(jr.key(8), (1400,))",
    "ball_ynn": "jr.ball(jr.key(5), 4, 2.0, (1100,))",
}

# these compare bit for bit; the others to a few ulp (XLA's log/exp/tan differ from NumPy's last bit)
EXACT = {name for name in CASES if not name.startswith((
    "grad_", "random_gamma_grad"))}


def main():
    import jax
    import jax.numpy as jnp
    import jax.random as jr
    from jax import lax
    out = {"__jax_version__": np.array(jax.__version__)}
    for name, expr in CASES.items():
        with jax.enable_x64(name.startswith("x64_")):
            val = np.asarray(eval(expr, {"jr": jr, "jnp": jnp, "jax": jax, "lax": lax}))
        out[name] = val.astype(np.float32) if val.dtype.name == "bfloat16" else val
        out[name + "__dtype"] = np.array(val.dtype.name)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "random_golden.npz")
    np.savez_compressed(path, **out)
    print(f"wrote {len(CASES)} cases to {path}")


if __name__ == "__main__":
    main()
