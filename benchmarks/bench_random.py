"""jax.random benchmarks: python benchmarks/bench_random.py [--quick] [--no-jax] [-k normal]

jaxlite's samplers give JAX's bits, so their float32 transcendentals (erf_inv for normal, log/log1p/exp
for exponential & co.) run XLA's own algorithms step by step in NumPy (jaxlite/_src/xla_math.py), each
fused multiply-add emulated in float64. The large cases measure that path and the Threefry bits under
it; the small ones measure dispatch. Timing as in common.py: jaxlite and JAX interleaved, best of
``--repeat`` samples.
"""
from __future__ import annotations

try:
    from common import Case, block, main
except ImportError:  # imported as benchmarks.bench_random
    from benchmarks.common import Case, block, main


def _case(name, make):
    """A case whose work is ``make(jax, key)()`` (built once per implementation)."""
    def build(jax):
        return make(jax, jax.random.key(0))
    return Case(name, build)


def cases():
    def jit_normal(jax, key):
        f = jax.jit(lambda k: jax.random.normal(k, (1000,)))
        return lambda: block(jax, f(key))

    return [
        _case("normal(key, (10_000_000,)) float32",
              lambda jax, key: lambda: block(jax, jax.random.normal(key, (10_000_000,)))),
        _case("uniform(key, (10_000_000,))",
              lambda jax, key: lambda: block(jax, jax.random.uniform(key, (10_000_000,)))),
        _case("exponential(key, (1_000_000,))",
              lambda jax, key: lambda: block(jax, jax.random.exponential(key, (1_000_000,)))),
        _case("split(key, 10_000)", lambda jax, key: lambda: block(jax, jax.random.split(key, 10_000))),
        _case("split(key) x100",
              lambda jax, key: lambda: [block(jax, jax.random.split(key)) for _ in range(100)]),
        _case("uniform(key, (1000,))", lambda jax, key: lambda: block(jax, jax.random.uniform(key, (1000,)))),
        _case("normal(key, (1000,))", lambda jax, key: lambda: block(jax, jax.random.normal(key, (1000,)))),
        _case("jit normal (1000,)", jit_normal),
        _case("gamma(key, 2.0, (100_000,))",
              lambda jax, key: lambda: block(jax, jax.random.gamma(key, 2.0, (100_000,)))),
        _case("permutation(key, 100_000)",
              lambda jax, key: lambda: block(jax, jax.random.permutation(key, 100_000))),
    ]


if __name__ == "__main__":
    main(cases, __doc__)
