"""``jit_p``: the call primitive that ``jax.jit`` binds inside other traces (JAX prints it as ``jit``).

Its params hold the traced ClosedJaxpr; every rule works by transforming that inner jaxpr, so
``grad(jit(f))``, ``vmap(jit(f))`` and ``make_jaxpr(jit(f))`` go through the same machinery.
"""
from __future__ import annotations

from jaxlite._src import core
from jaxlite._src.backend import numpy_backend
from jaxlite._src.core import ClosedJaxpr, Primitive

jit_p = Primitive("jit")
jit_p.multiple_results = True
jit_p.call_primitive = True
pjit_p = jit_p  # JAX's older name


def _jit_impl(*args, jaxpr: ClosedJaxpr, **_):
    return numpy_backend.compile_closed(jaxpr)(*args)


def _jit_abstract_eval(*avals, jaxpr: ClosedJaxpr, **_):
    return jaxpr.out_avals


def _jit_lowering(*, jaxpr: ClosedJaxpr, **_):
    return numpy_backend.compile_closed(jaxpr)


def _jit_pp_params(params):
    return {"name": params["name"], "jaxpr": params["jaxpr"]}


jit_p.def_impl(_jit_impl)
jit_p.def_abstract_eval(_jit_abstract_eval)
jit_p.pp_params = _jit_pp_params
numpy_backend.lowerings[jit_p] = _jit_lowering


def jit_params(closed: ClosedJaxpr, name: str, donated=None):
    n = len(closed.jaxpr.invars)
    return dict(jaxpr=closed, name=name, donated_invars=tuple(donated or (False,) * n),
                inline=False, keep_unused=False)
