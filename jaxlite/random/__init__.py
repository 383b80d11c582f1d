"""jax.random: PRNG keys and samplers (re-exported from jaxlite._src.random)."""
from jaxlite._src.random import (  # noqa: F401
    PRNGKey, PRNGKeyArray, ball, bernoulli, beta, binomial, bits, categorical, cauchy, chisquare, choice, clone,
    default_prng_impl, dirichlet, double_sided_maxwell, exponential, f, fold_in, gamma,
    generalized_normal, geometric, gumbel, key, key_data, key_dtype, key_impl, laplace, logistic,
    loggamma, lognormal, maxwell, multinomial, multivariate_normal, normal, orthogonal, pareto, permutation,
    poisson, rademacher, randint, random_gamma_p, rayleigh, shuffle, split, t, triangular, truncated_normal, uniform,
    wald, weibull_min, wrap_key_data,
)
