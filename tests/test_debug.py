"""jax.debug.print / jax.debug.callback: run on every execution (eager, jit, vmap, grad, loops)."""
from __future__ import annotations

import numpy as np
import pytest

import jaxlite as jax
import jaxlite.numpy as jnp
from jaxlite import lax


def _lines(capsys):
    return capsys.readouterr().out.splitlines()


def test_print_eager_and_every_jit_call(capsys):
    jax.debug.print("eager {} {y}", 1.5, y=jnp.arange(3.0))
    assert _lines(capsys) == ["eager 1.5 [0. 1. 2.]"]
    traced = []

    @jax.jit
    def f(x):
        traced.append(1)
        jax.debug.print("x = {x}", x=x)
        return x * 2
    f(1.0)
    f(2.0)
    assert _lines(capsys) == ["x = 1.0", "x = 2.0"]
    assert len(traced) == 1


def test_print_without_placeholders_and_format_checks(capsys):
    jax.debug.print("values:", jnp.int32(3), skip_format_check=True)
    assert _lines(capsys) == ["values: 3"]
    with pytest.raises(ValueError, match="Unused positional arguments"):
        jax.debug.print("values:", jnp.int32(3))
    with pytest.raises(ValueError, match="Unused keyword arguments"):
        jax.debug.print("no placeholder", x=1.0)
    with pytest.raises(ValueError, match="Unused positional arguments"):
        jax.debug.print("{}", 1.0, 2.0)
    jax.debug.print(ordered=True)("two-call {}", 7)
    assert _lines(capsys) == ["two-call 7"]


def test_print_under_vmap_per_element(capsys):
    jax.vmap(lambda x: jax.debug.print("v {}", x))(jnp.arange(3.0))
    assert _lines(capsys) == ["v 0.0", "v 1.0", "v 2.0"]
    jax.jit(jax.vmap(lambda x, y: jax.debug.print("{} {}", x, y), in_axes=(0, None)))(
        jnp.arange(2), 5.0)
    assert _lines(capsys) == ["0 5.0", "1 5.0"]


def test_print_under_grad_sees_primals(capsys):
    g = jax.grad(lambda x: (jax.debug.print("g {}", x), x * x)[1])(3.0)
    assert float(g) == 6.0
    assert _lines(capsys) == ["g 3.0"]


def test_print_inside_loops(capsys):
    lax.fori_loop(0, 3, lambda i, c: (jax.debug.print("i={} c={}", i, c), c + 1.0)[1], 0.0)
    assert _lines(capsys) == ["i=0 c=0.0", "i=1 c=1.0", "i=2 c=2.0"]
    f = jax.jit(lambda xs: lax.scan(lambda c, x: (jax.debug.print("s {} {}", c, x, ordered=True),
                                                  (c + x, None))[1], 0.0, xs))
    f(jnp.arange(3.0))
    f(jnp.arange(3.0))
    assert _lines(capsys) == ["s 0.0 0.0", "s 0.0 1.0", "s 1.0 2.0"] * 2
    jax.jit(lambda x: lax.while_loop(lambda c: c < 2, lambda c: (jax.debug.print("w {}", c),
                                                                 c + 1)[1], x))(0)
    assert _lines(capsys) == ["w 0", "w 1"]
    jax.jit(lambda p: lax.cond(p, lambda: jax.debug.print("yes"), lambda: jax.debug.print("no")))(
        False)
    assert _lines(capsys) == ["no"]
    # reverse mode through scan: printed once per step of the forward pass
    g = jax.grad(lambda x: lax.scan(lambda c, _: (jax.debug.print("gs {}", c) or c * x, None), 1.0,
                                    None, length=2)[0])(3.0)
    assert float(g) == 6.0
    assert _lines(capsys) == ["gs 1.0", "gs 3.0"]


def test_callback(capsys):
    seen = []
    jax.debug.callback(lambda a, b=None: seen.append((np.asarray(a).tolist(), b)), jnp.ones(2), b="s")
    assert seen == [([1.0, 1.0], "s")]
    seen.clear()

    @jax.jit
    def f(x):
        jax.debug.callback(lambda v: seen.append(float(v)), x)
        return x + 1
    f(1.0)
    f(5.0)
    assert seen == [1.0, 5.0]
    seen.clear()
    jax.vmap(lambda x: jax.debug.callback(lambda v: seen.append(float(v)), x))(jnp.arange(3.0))
    assert seen == [0.0, 1.0, 2.0]
    with pytest.raises(TypeError, match="must be callable"):
        jax.debug.callback(3, 1.0)


def test_debug_print_jaxpr_matches_jax(jax):
    import jaxlite
    ours = str(jaxlite.make_jaxpr(lambda x: (jaxlite.debug.print("{}", x), x)[1])(np.float32(1.0)))
    theirs = str(jax.make_jaxpr(lambda x: (jax.debug.print("{}", x), x)[1])(np.float32(1.0)))
    assert ours == theirs


def test_debug_print_staged_with_effect():
    j = jax.make_jaxpr(lambda x: jax.debug.print("{}", x))(1.0)
    (eqn,) = j.eqns
    assert eqn.primitive.name == "debug_print" and eqn.effects
