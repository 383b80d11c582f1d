"""Structured control flow, from the seed tutorial's "Python if/for/while inside jit" section.

    python examples/control_flow.py

Python ``if``/``for``/``while`` run while tracing; on traced values use JAX's structured primitives:

    if/else       -> jax.lax.cond       (branch on a traced boolean)
    for (fixed)   -> jax.lax.fori_loop  (fixed iteration count)
    while         -> jax.lax.while_loop (dynamic termination condition)
    for (carry)   -> jax.lax.scan       (sequential scan with state)

It runs unchanged on real JAX: replace ``jaxlite`` by ``jax`` in the imports below.
"""
from __future__ import annotations

import numpy as np

import jaxlite as jax
import jaxlite.numpy as jnp
from jaxlite import lax


def main(quiet: bool = False):
    say = (lambda *a: None) if quiet else print
    results = {}

    # Python `if` on a traced value fails inside jit ...
    @jax.jit
    def bad_abs(x):
        if x > 0:
            return x
        return -x
    try:
        bad_abs(1.0)
    except jax.errors.ConcretizationTypeError as e:
        say("bad_abs:", type(e).__name__, "-", str(e).splitlines()[0])
        results["bad_abs_error"] = type(e).__name__

    # ... lax.cond traces both branches and picks one at run time
    @jax.jit
    def good_abs(x):
        return lax.cond(x > 0, lambda x: x, lambda x: -x, x)
    results["good_abs"] = (float(good_abs(-3.0)), float(good_abs(2.0)))
    say("good_abs(-3.0), good_abs(2.0) =", results["good_abs"])
    say(jax.make_jaxpr(good_abs)(1.0))

    # fori_loop: a fixed number of iterations (static bounds -> scan, so it is differentiable)
    def power(x, n=5):
        return lax.fori_loop(0, n, lambda i, acc: acc * x, 1.0)
    results["power"] = float(power(2.0))
    results["dpower"] = float(jax.grad(power)(2.0))  # 5 * 2**4
    say("fori_loop: 2**5 =", results["power"], " d/dx x**5 at 2 =", results["dpower"])

    # while_loop: a dynamic termination condition (Newton's method for sqrt)
    def newton_sqrt(a):
        def cond(state):
            x, it = state
            return (jnp.abs(x * x - a) > 1e-6 * a) & (it < 50)

        def body(state):
            x, it = state
            return 0.5 * (x + a / x), it + 1
        return lax.while_loop(cond, body, (a, 0))
    root, iters = jax.jit(newton_sqrt)(2.0)
    results["sqrt2"] = float(root)
    say(f"while_loop: sqrt(2) = {float(root):.6f} after {int(iters)} iterations")
    # vmap of a while_loop with a batched predicate runs until every element is done
    roots, iters = jax.vmap(newton_sqrt)(jnp.array([2.0, 9.0, 1e4]))
    say("vmap(while_loop):", np.asarray(roots), np.asarray(iters))

    # scan: a loop with a carried state and stacked per-step outputs (a cumulative sum, an RNN)
    def cumsum(xs):
        return lax.scan(lambda c, x: (c + x, c + x), 0.0, xs)
    total, partial = cumsum(jnp.arange(1.0, 6.0))
    results["cumsum"] = np.asarray(partial).tolist()
    say("scan: cumulative sum", results["cumsum"], "total", float(total))

    key = jax.random.PRNGKey(0)
    wx, wh = jax.random.normal(key, (2, 4, 4)) * 0.5
    xs = jnp.linspace(-1.0, 1.0, 24).reshape(6, 4)

    def rnn_loss(wh):
        def step(h, x):
            h = jnp.tanh(x @ wx + h @ wh)
            return h, h
        h, hs = lax.scan(step, jnp.zeros(4), xs)
        return jnp.sum(hs ** 2)
    loss, g = jax.value_and_grad(rnn_loss)(wh)
    results["rnn_loss"] = float(loss)
    say(f"scan RNN: loss {float(loss):.4f}, |grad| {float(jnp.linalg.norm(g)):.4f}")

    # switch: one of several branches by index (clamped into range)
    fs = [jnp.sin, jnp.cos, lambda x: -x]
    results["switch"] = [float(lax.switch(i, fs, 0.0)) for i in range(4)]
    say("switch:", results["switch"])

    # jax.debug.print runs on every call, also inside jit and loops (print() runs only while tracing)
    @jax.jit
    def my_fn(x):
        if not quiet:
            print("Traced!", x)               # once, at trace time: x is a tracer
            jax.debug.print("Value: {}", x)   # every call: x is the real value
        return x * 2
    my_fn(1.0)
    my_fn(2.0)
    return results


if __name__ == "__main__":
    main()
