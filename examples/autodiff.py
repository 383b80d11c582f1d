"""Automatic differentiation: the seed tutorial's gradient examples, runnable.

    python examples/autodiff.py

- ``jax.grad`` of ``sin(x)**2 + 1`` (the derivative is ``sin(2x)``), and higher-order derivatives by
  nesting ``grad``;
- a linear model's loss differentiated with respect to the parameters *and* the input with
  ``argnums=(0, 1)``;
- ``jax.value_and_grad`` (the loss and its gradient from one forward and one backward pass);
- a Jacobian (``jacfwd`` and ``jacrev`` agree) and a Hessian.

Every number is printed next to its closed form. It runs unchanged on real JAX: replace ``jaxlite`` by
``jax`` in the two imports below.
"""
from __future__ import annotations

import numpy as np

import jaxlite as jax
import jaxlite.numpy as jnp


def f(x):
    return jnp.sin(x) ** 2 + 1.0


def loss(params, x, y):
    """The seed's linear model: prediction ``params @ x``, mean squared error against ``y``."""
    pred = params @ x
    return jnp.mean((pred - y) ** 2)


def vector_fn(v):
    """R^3 -> R^2, for the Jacobian."""
    return jnp.stack([v[0] * v[1], jnp.sin(v[2]) + v[0] ** 2])


def scalar_fn(v):
    """R^3 -> R, for the Hessian: sum(v**3) + v0*v1."""
    return jnp.sum(v ** 3) + v[0] * v[1]


def main(quiet: bool = False) -> dict:
    """Run every example; print them unless ``quiet``; return the results (used by the tests)."""
    out = {}
    say = (lambda *a: None) if quiet else print

    # -- grad returns a function; nest it for higher derivatives --
    x = 0.5
    df = jax.grad(f)
    d2f = jax.grad(jax.grad(f))
    d3f = jax.grad(jax.grad(jax.grad(f)))
    out["df"], out["d2f"], out["d3f"] = float(df(x)), float(d2f(x)), float(d3f(x))
    say("f(x) = sin(x)**2 + 1 at x = 0.5")
    say(f"  grad        {out['df']:.6f}   (sin(2x)     = {np.sin(2 * x):.6f})")
    say(f"  grad(grad)  {out['d2f']:.6f}   (2 cos(2x)   = {2 * np.cos(2 * x):.6f})")
    say(f"  3rd order   {out['d3f']:.6f}  (-4 sin(2x)  = {-4 * np.sin(2 * x):.6f})")

    # -- a linear model's loss: gradient with respect to params and x --
    params = jnp.array([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]])
    xv = jnp.array([1.0, 0.5, -1.0])
    y = jnp.array([0.5, 1.0])
    g_params, g_x = jax.grad(loss, argnums=(0, 1))(params, xv, y)
    out["grad_params"], out["grad_x"] = np.asarray(g_params), np.asarray(g_x)
    say("\nloss(params, x, y) = mean((params @ x - y)**2), grad with argnums=(0, 1)")
    say("  d loss / d params =")
    say(np.array2string(out["grad_params"], precision=4))
    say(f"  d loss / d x      = {np.array2string(out['grad_x'], precision=4)}")

    # -- value_and_grad: the loss and its gradient together --
    value, grad = jax.value_and_grad(loss)(params, xv, y)
    out["value"], out["value_grad"] = float(value), np.asarray(grad)
    say(f"\nvalue_and_grad: loss = {out['value']:.6f}, "
        f"gradient equals grad's: {bool(np.allclose(out['value_grad'], out['grad_params']))}")

    # -- Jacobian (forward and reverse mode) and Hessian --
    v = jnp.array([1.0, 2.0, 0.5])
    out["jacfwd"] = np.asarray(jax.jacfwd(vector_fn)(v))
    out["jacrev"] = np.asarray(jax.jacrev(vector_fn)(v))
    out["hessian"] = np.asarray(jax.hessian(scalar_fn)(v))
    say("\njacfwd(vector_fn)(v) at v = [1, 2, 0.5]  (rows: v0*v1, sin(v2) + v0**2)")
    say(np.array2string(out["jacfwd"], precision=4))
    say(f"jacrev agrees: {bool(np.allclose(out['jacfwd'], out['jacrev']))}")
    say("hessian(sum(v**3) + v0*v1)(v)  (= diag(6 v) + 1 at (0, 1) and (1, 0))")
    say(np.array2string(out["hessian"], precision=4))
    return out


if __name__ == "__main__":
    main()
