"""jax.random speed against real JAX, in the same run (not a test): python benchmarks/bench_random.py

Prints the median time of each case in jaxlite and in JAX (when installed) and their ratio.
"""
from __future__ import annotations

import statistics
import time


def _time(fn, repeat=5):
    fn()  # warm up (tracing, compilation)
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def cases(jax):
    import numpy as np
    jr = jax.random
    key = jr.key(0)
    block = lambda x: jax.block_until_ready(x)  # noqa: E731
    normal_jit = jax.jit(lambda k: jr.normal(k, (1000,)))
    return {
        "normal(key, (10_000_000,))": lambda: block(jr.normal(key, (10_000_000,))),
        "split(key, 10_000)": lambda: block(jr.split(key, 10_000)),
        "uniform(key, (1000,))": lambda: block(jr.uniform(key, (1000,))),
        "jit normal (1000,)": lambda: block(normal_jit(key)),
        "split(key) x100": lambda: [block(jr.split(key)) for _ in range(100)],
        "gamma(key, 2.0, (100_000,))": lambda: block(jr.gamma(key, 2.0, (100_000,))),
        "permutation(key, 100_000)": lambda: block(jr.permutation(key, 100_000)),
        "_": lambda: np.zeros(1),
    }


def main():
    import jaxlite
    results = {name: _time(fn) for name, fn in cases(jaxlite).items() if name != "_"}
    try:
        import jax
        ref = {name: _time(fn) for name, fn in cases(jax).items() if name != "_"}
    except ImportError:
        ref = {}
    print(f"{'case':32s} {'jaxlite':>10s} {'jax':>10s} {'jaxlite/jax':>12s}")
    for name, t in results.items():
        r = ref.get(name)
        ratio = f"{t / r:12.2f}" if r else f"{'-':>12s}"
        print(f"{name:32s} {t * 1e3:9.2f}ms {r * 1e3 if r else float('nan'):9.2f}ms {ratio}")


if __name__ == "__main__":
    main()
