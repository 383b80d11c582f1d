"""``jnp.select`` and ``jnp.piecewise``: NumPy's value-dependent choice functions on lax control flow."""
from __future__ import annotations

from typing import Callable, Sequence

__all__ = ["select", "piecewise"]


def select(condlist: Sequence, choicelist: Sequence, default=0):
    """Elementwise ``choicelist[k]`` for the first ``k`` with ``condlist[k]`` true, else ``default``.

    Example:
        >>> jnp.select([x < 0, x > 0], [-x, x], 0)
    """
    from jaxlite._src.lax import lax as lax_mod
    from jaxlite._src.numpy import lax_numpy as jnp
    from jaxlite._src.numpy import reductions, util
    if len(condlist) != len(choicelist):
        raise ValueError(f"condlist must have length equal to choicelist ({len(condlist)} vs "
                         f"{len(choicelist)})")
    if len(condlist) == 0:
        raise ValueError("condlist must be non-empty")
    condlist = [jnp.asarray(c) for c in condlist]
    choicelist = [jnp.asarray(c) for c in choicelist]
    default = jnp.asarray(default)
    # the default goes first with condition False: argmax of all-False picks index 0
    choicelist = util.promote_dtypes(default, *choicelist)
    conditions = jnp.stack(jnp.broadcast_arrays(False, *condlist))
    idx = reductions.argmax(conditions.astype(bool), axis=0)
    return lax_mod.select_n(*jnp.broadcast_arrays(idx, *choicelist))


def piecewise(x, condlist, funclist: Sequence, *args, **kw):
    """``funclist[k](x)`` where ``condlist[k]`` holds (later conditions win); an extra last function
    (or constant) is the default. Each function runs once via ``lax.switch`` under ``vmap``.

    Example:
        >>> jnp.piecewise(x, [x < 0, x >= 0], [lambda x: -x, lambda x: x])
    """
    from jaxlite._src.numpy import lax_numpy as jnp
    x = jnp.asarray(x)
    nc, nf = len(condlist), len(funclist)
    if nf == nc + 1:
        funclist = list(funclist[-1:]) + list(funclist[:-1])
    elif nf == nc:
        funclist = [0] + list(funclist)
    else:
        raise ValueError(f"with {nc} condition(s), either {nc} or {nc + 1} functions are expected; "
                         f"got {nf}")
    consts = {i: c for i, c in enumerate(funclist) if not callable(c)}
    funcs = {i: f for i, f in enumerate(funclist) if callable(f)}
    return _piecewise_jit()(x, jnp.asarray(condlist, dtype=bool), consts, frozenset(funcs.items()),
                            *args, **kw)


_piecewise_jitted = None


def _piecewise_jit():
    global _piecewise_jitted
    if _piecewise_jitted is None:
        from jaxlite._src.api import jit
        _piecewise_jitted = jit(_piecewise, static_argnames=["funcs"])
    return _piecewise_jitted


def _piecewise(x, condlist, consts, funcs, *args, **kw):
    from jaxlite._src.interpreters import batching
    from jaxlite._src.lax.control_flow import switch
    from jaxlite._src.numpy import lax_numpy as jnp
    from jaxlite._src.numpy import reductions
    funcdict = dict(funcs)
    funclist = [consts.get(i, funcdict.get(i)) for i in range(len(condlist) + 1)]
    indices = reductions.argmax(reductions.cumsum(
        jnp.concatenate([jnp.zeros_like(condlist[:1]), condlist], 0), 0), 0)
    dtype = x.dtype

    def call(f: Callable):
        return lambda v: jnp.asarray(f(v, *args, **kw)).astype(dtype)

    def const(c):
        return lambda v: jnp.array(c, dtype=dtype)
    branches = [call(f) if callable(f) else const(f) for f in funclist]
    shape = x.shape
    flat_x = jnp.reshape(x, (-1,))
    flat_i = jnp.reshape(indices, (-1,))
    if flat_x.shape[0] == 0:
        return x
    (out,) = batching.vmap_flat(lambda i, v: [switch(i, branches, v)], [flat_i, flat_x], [0, 0], [0],
                                flat_x.shape[0])
    return jnp.reshape(out, shape)
