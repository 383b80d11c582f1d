"""Record jax.random outputs with real JAX into tests/data/random_golden.npz (run: python this_file).

Each case is ``name -> (sampler expression, dtype)`` evaluated with ``jr`` bound to ``jax.random`` and
``jnp`` to ``jax.numpy``; tests/test_random.py evaluates the same expressions with jaxlite. The JAX
version used is stored under ``__jax_version__``.
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
}

# these compare bit for bit; the others to a few ulp (XLA's log/exp/tan differ from NumPy's last bit)
EXACT = {name for name in CASES if not name.startswith((
    "exponential", "laplace", "logistic", "gumbel", "cauchy", "truncated_normal", "gamma", "loggamma",
    "beta", "dirichlet", "t", "ball", "normal_f32",
    "uniform_range"))}  # XLA fuses floats * (maxval - minval) + minval into one FMA


def main():
    import jax
    import jax.numpy as jnp
    import jax.random as jr
    out = {"__jax_version__": np.array(jax.__version__)}
    for name, expr in CASES.items():
        val = np.asarray(eval(expr, {"jr": jr, "jnp": jnp}))
        out[name] = val.astype(np.float32) if val.dtype.name == "bfloat16" else val
        out[name + "__dtype"] = np.array(val.dtype.name)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "random_golden.npz")
    np.savez_compressed(path, **out)
    print(f"wrote {len(CASES)} cases to {path}")


if __name__ == "__main__":
    main()
