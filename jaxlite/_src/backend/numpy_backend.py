"""The default backend: compile a jaxpr once into a flat Python function over NumPy.

Each equation becomes one line of generated Python source calling the primitive's implementation with
its params pre-bound; literals become NumPy scalars bound as globals. So running a compiled jaxpr does
no jaxpr interpretation at all: it is one Python function call doing NumPy calls.

A primitive may register a *lowering* in ``lowerings``: ``rule(params) -> callable(*numpy_args)``.
Call and control-flow primitives use this to compile their inner jaxprs once (``compile_jaxpr``).
Without a rule, the primitive's ``impl`` is used with its params bound.
"""
from __future__ import annotations

import functools
from typing import Callable

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.core import ClosedJaxpr, DropVar, Jaxpr, Literal, Var

lowerings: dict = {}


def lower_eqn(prim, params) -> Callable:
    rule = lowerings.get(prim)
    if rule is not None:
        return rule(**params)
    if prim.impl is None:
        raise NotImplementedError(f"NumPy backend: no implementation for primitive '{prim.name}'")
    return functools.partial(prim.impl, **params) if params else prim.impl


def _np_const(val, aval):
    if isinstance(val, core.Array):
        val = val._value
    v = np.asarray(val)
    if v.dtype != aval.dtype and not isinstance(aval.dtype, dtypes.ExtendedDType):
        v = v.astype(aval.dtype)
    return v


def compile_jaxpr(jaxpr: Jaxpr, consts=()) -> Callable:
    """Compile ``jaxpr`` (with ``consts`` for its constvars) to ``f(*args) -> list of NumPy arrays``."""
    names: dict = {}
    glob: dict = {}
    lines = []

    def name_of(v):
        if type(v) is Literal:
            key = f"_l{len(glob)}"
            glob[key] = _np_const(v.val, v.aval)[()] if v.aval.shape == () else _np_const(v.val, v.aval)
            return key
        return names[v]

    for i, (v, c) in enumerate(zip(jaxpr.constvars, consts)):
        key = f"_c{i}"
        glob[key] = _np_const(c, v.aval)
        names[v] = key
    args = []
    for i, v in enumerate(jaxpr.invars):
        names[v] = f"a{i}"
        args.append(f"a{i}")
    counter = 0
    for j, eqn in enumerate(jaxpr.eqns):
        fn_name = f"_f{j}"
        glob[fn_name] = lower_eqn(eqn.primitive, eqn.params)
        ins = ", ".join(name_of(v) for v in eqn.invars)
        outs = []
        for v in eqn.outvars:
            if isinstance(v, DropVar):
                outs.append("_")
            else:
                names[v] = f"v{counter}"
                counter += 1
                outs.append(names[v])
        if eqn.primitive.multiple_results:
            lhs = ", ".join(outs) + ("," if len(outs) == 1 else "")
            if not outs:
                lines.append(f"    {fn_name}({ins})")
                continue
        else:
            lhs = outs[0]
        lines.append(f"    {lhs} = {fn_name}({ins})")
    ret = ", ".join(name_of(v) for v in jaxpr.outvars)
    lines.append(f"    return [{ret}]")
    src = f"def _compiled({', '.join(args)}):\n" + "\n".join(lines) + "\n"
    glob["np"] = np
    code = compile(src, f"<jaxlite compiled jaxpr {id(jaxpr):x}>", "exec")
    exec(code, glob)
    fn = glob["_compiled"]
    fn.__jaxlite_source__ = src
    return fn


def compile_closed(closed: ClosedJaxpr) -> Callable:
    fn = closed._compiled
    if fn is None:
        fn = closed._compiled = compile_jaxpr(closed.jaxpr, closed.consts)
    return fn
