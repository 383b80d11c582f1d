"""XLA's constant reassociations, applied to the programs of the random samplers before they are compiled.

XLA compiles a jitted function after inlining every nested ``jit`` in it, and its algebraic simplifier then
rewrites multiplications and additions by constants across the old call boundaries: ``lognormal``'s
``(sqrt(2) * erf_inv(u)) * sigma`` (the product is made inside ``normal``'s jit) becomes
``erf_inv(u) * (sigma * sqrt(2))``, and ``uniform``'s ``(bits - 1) * (maxval - minval) + minval`` with
constant bounds becomes ``bits + (minval - 1)`` when ``maxval - minval`` rounds to one. Each rewrite rounds
differently from the op-by-op program, so JAX's bits depend on them.

``rewrite(jaxpr, consts)`` returns an equivalent program for the backend to compile: nested ``jit``
equations inlined, and these rules of XLA's simplifier (xla/hlo/transforms/simplifiers/
algebraic_simplifier.cc) applied where XLA applies them:

- ``x * 1 -> x``, ``x + 0 -> x``, ``x - 0 -> x`` (when ``x`` already has the result's shape);
- ``(a * c1) * c2 -> a * (c1 * c2)`` for constants ``c1``, ``c2`` (scalars, or splats in arrays);
- ``(a * c) * broadcast(b) -> a * broadcast(b * c)`` for a scalar constant ``c`` and a broadcast value ``b``
  (an array result: a scalar product is not a broadcast and is left alone);
- ``(a + c1) + c2 -> a + (c1 + c2)`` and ``(c1 - a) + c2 -> (c1 + c2) - a``, with ``x - c`` read as
  ``x + (-c)`` as XLA canonicalises it;
- operations whose operands are all constants are folded (add, sub, mul, neg, max, min, conversions,
  broadcasts and reshapes: exact in either place).

The operand order does not matter (XLA matches these in either order). Only float16, float32 and
float64 results are rewritten: bfloat16 operations reach XLA's simplifier as float32 ones between
conversions, where these patterns do not match. Jaxprs (what ``make_jaxpr`` prints) are not changed.

The backend applies this to a program when it contains one of the samplers' XLA-exact primitives (the
twins bound under ``xla_math.exact()``), so it covers the samplers, also under ``jit``/``vmap``/``grad`` and
inside a user's ``jit`` (where the user's own multiplications and additions by constants around a
sampler are reassociated as XLA would too). Other programs are compiled as they are.
"""
from __future__ import annotations

import numpy as np

from jaxlite._src import core
from jaxlite._src.core import ClosedJaxpr, DropVar, Jaxpr, JaxprEqn, Literal, ShapedArray, Var

_REWRITTEN = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))
_prims = None


def _p():
    """The primitives the rules name (imported on first use: the lax modules import the backend)."""
    global _prims
    if _prims is None:
        from jaxlite._src import pjit
        from jaxlite._src.interpreters import ad
        from jaxlite._src.lax import elementwise as e, reductions as r, shapes as s
        adds = (e.add_p, e.add_fma_p, ad.add_any_p)
        _prims = dict(
            jit=pjit.jit_p, mul=e.mul_p, sub=e.sub_p, add=e.add_p, adds=adds, neg=e.neg_p,
            broadcast=s.broadcast_in_dim_p,
            fold={e.add_p: np.add, e.add_fma_p: np.add, ad.add_any_p: np.add, e.sub_p: np.subtract,
                  e.mul_p: np.multiply, e.neg_p: np.negative, e.max_p: np.maximum, e.min_p: np.minimum},
            shape_ops=(s.broadcast_in_dim_p, s.reshape_p, e.convert_element_type_p),
            twins=frozenset([e.add_fma_p, e.sub_fma_p, e.div_xla_p, e.exp_xla_p, e.log_xla_p, e.log1p_xla_p,
                             e.tan_xla_p, e.erf_xla_p, e.erf_inv_xla_p, e.pow_xla_p, r.reduce_sum_xla_p]))
    return _prims


def wanted(jaxpr: Jaxpr) -> bool:
    """Whether ``jaxpr`` (or a jit nested in it) was traced from a sampler: it binds an XLA-exact twin."""
    p = _p()
    for eqn in jaxpr.eqns:
        if eqn.primitive in p["twins"]:
            return True
        if eqn.primitive is p["jit"] and wanted(eqn.params["jaxpr"].jaxpr):
            return True
    return False


# ---------------------------------------------------------------------------------------------------
# Inlining nested jits (as XLA's call inliner does)
# ---------------------------------------------------------------------------------------------------

def inline_jits(jaxpr: Jaxpr, consts):
    """``(jaxpr, consts)`` with every nested ``jit`` equation replaced by its equations (fresh variables for
    each inlined copy; the inner constants become constvars)."""
    jit_p = _p()["jit"]
    constvars, consts = list(jaxpr.constvars), list(consts)
    eqns = []

    def atom(env, v):
        return v if type(v) is Literal else env.get(v, v)

    def walk(jx, env, fresh):
        keep = _fused_calls(jx)
        for eqn in jx.eqns:
            ins = [atom(env, v) for v in eqn.invars]
            if eqn.primitive is jit_p and id(eqn) not in keep:
                inner: ClosedJaxpr = eqn.params["jaxpr"]
                ienv = dict(zip(inner.jaxpr.invars, ins))
                for cv, c in zip(inner.jaxpr.constvars, inner.consts):
                    ienv[cv] = nv = Var(cv.aval)
                    constvars.append(nv)
                    consts.append(c)
                walk(inner.jaxpr, ienv, True)
                for ov, io in zip(eqn.outvars, inner.jaxpr.outvars):
                    if not isinstance(ov, DropVar):
                        env[ov] = atom(ienv, io)
                continue
            outs = eqn.outvars
            if fresh:
                outs = [v if isinstance(v, DropVar) else Var(v.aval) for v in outs]
                env.update(zip(eqn.outvars, outs))
            eqns.append(eqn if not fresh and ins == eqn.invars else eqn.replace(invars=ins, outvars=outs))

    env: dict = {}
    walk(jaxpr, env, False)
    outvars = [atom(env, v) for v in jaxpr.outvars]
    return jaxpr.replace(constvars=constvars, outvars=outvars, eqns=eqns), consts


def _fused_calls(jaxpr: Jaxpr) -> set:
    """The ids of the jit equations a backend fusion rule on ``jit`` computes from (and their operands' jit
    producers, e.g. maxwell's bfloat16 ``norm`` of ``normal``'s output): those stay calls."""
    from jaxlite._src.backend import numpy_backend
    rule = numpy_backend.fusions.get(_p()["jit"])
    keep: set = set()
    if rule is None:
        return keep
    producers: dict = {}
    for eqn in jaxpr.eqns:
        if eqn.primitive is _p()["jit"] and rule(eqn, producers) is not None:
            keep.add(id(eqn))
            keep.update(id(producers[v]) for v in eqn.invars if type(v) is Var and v in producers)
        if len(eqn.outvars) == 1:
            producers[eqn.outvars[0]] = eqn
    return keep


# ---------------------------------------------------------------------------------------------------
# The simplifier's rules
# ---------------------------------------------------------------------------------------------------

def _lit(value, dtype):
    return Literal(np.asarray(value, dtype)[()], ShapedArray((), dtype))


class _Simplifier:
    def __init__(self):
        self.p = _p()
        self.env: dict = {}     # var -> the atom that replaces it (an alias)
        self.cval: dict = {}    # var -> its value, for splat constants
        self.prod: dict = {}    # var -> the (rewritten) equation that computes it
        self.eqns: list = []

    def atom(self, v):
        return v if type(v) is Literal else self.env.get(v, v)

    def const(self, v):
        """The scalar value of a constant operand (a literal or a folded splat), else None."""
        if type(v) is Literal:
            if isinstance(v.aval.dtype, np.dtype) and v.aval.dtype.kind in "biuf":
                return np.asarray(v.val, v.aval.dtype)[()]
            return None
        return self.cval.get(v)

    def producer(self, v, out):
        """The equation computing ``v`` when ``v`` is a full-shaped operand of an op with result ``out``."""
        if type(v) is Literal or v.aval.shape != out.shape:
            return None
        return self.prod.get(v)

    def emit(self, prim, invars, outvar, params=None):
        eqn = JaxprEqn(invars, [outvar], prim, params or {})
        self.eqns.append(eqn)
        self.prod[outvar] = eqn
        return eqn

    def new_var(self, shape, dtype):
        return Var(ShapedArray(shape, dtype))

    def is_broadcast(self, v, out):
        """Whether the operand ``v`` reaches XLA as a broadcast of a non-constant value."""
        if type(v) is Literal or v in self.cval:
            return False
        if v.aval.shape != out.shape:  # broadcast implicitly by the operation (a scalar, size-1 dims)
            return True
        src = self.prod.get(v)
        return (src is not None and src.primitive is self.p["broadcast"] and type(src.invars[0]) is Var
                and src.invars[0] not in self.cval
                and int(np.prod(src.invars[0].aval.shape)) < int(np.prod(out.shape)))  # (else a reshape)

    # -- multiply ------------------------------------------------------------------------------------
    def mul(self, eqn, out):
        x, y = eqn.invars
        ov = eqn.outvars[0]
        for a, b in ((x, y), (y, x)):  # x * 1 -> x
            c = self.const(b)
            if c is not None and c == 1 and self.const(a) is None and type(a) is Var and a.aval.shape == out.shape:
                self.env[ov] = a
                return True
        for p, q in ((x, y), (y, x)):
            inner = self.producer(p, out)
            if inner is None or inner.primitive is not self.p["mul"]:
                continue
            for a, c in (inner.invars, inner.invars[::-1]):
                c1 = self.const(c)
                if c1 is None or self.const(a) is not None or a.aval.shape != out.shape:
                    continue
                c2 = self.const(q)
                if c2 is not None:  # (a * c1) * c2 -> a * (c1 * c2)
                    self.emit(self.p["mul"], [a, _lit(np.multiply(c1, c2, dtype=out.dtype), out.dtype)], ov)
                    return True
                if out.shape and self.is_broadcast(q, out):  # (a * c) * broadcast(b) -> a * broadcast(b * c)
                    src = self.prod.get(q) if q.aval.shape == out.shape else None
                    b = src.invars[0] if src is not None else q
                    t = self.new_var(b.aval.shape, out.dtype)
                    self.emit(self.p["mul"], [b, _lit(c1, out.dtype)], t)
                    if src is not None:
                        t2 = self.new_var(out.shape, out.dtype)
                        self.emit(src.primitive, [t], t2, src.params)
                        t = t2
                    self.emit(self.p["mul"], [a, t], ov)
                    return True
        return False

    # -- add / subtract ------------------------------------------------------------------------------
    def _as_sum(self, eqn):
        """``eqn`` read as ``x + c`` with a constant ``c`` (``x - c`` as ``x + (-c)``): ``(x, c)`` or None."""
        p = self.p
        if eqn.primitive is not p["sub"] and eqn.primitive not in p["adds"]:
            return None
        x, y = eqn.invars
        if eqn.primitive is p["sub"]:
            c = self.const(y)
            return (x, np.negative(c)) if c is not None and self.const(x) is None else None
        if eqn.primitive in p["adds"]:
            for a, b in ((x, y), (y, x)):
                c = self.const(b)
                if c is not None and self.const(a) is None:
                    return a, c
        return None

    def add(self, eqn, out):
        ov = eqn.outvars[0]
        s = self._as_sum(eqn)
        if s is None:
            return False
        x, c2 = s
        if c2 == 0 and type(x) is Var and x.aval.shape == out.shape:  # x + 0 -> x
            self.env[ov] = x
            return True
        inner = self.producer(x, out)
        if inner is None:
            return False
        t = self._as_sum(inner)
        if t is not None and t[0].aval.shape == out.shape:  # (a + c1) + c2 -> a + (c1 + c2)
            a, c1 = t
            prim = inner.primitive if inner.primitive in self.p["adds"] else self.p["add"]
            self.emit(prim, [a, _lit(np.add(c1, c2, dtype=out.dtype), out.dtype)], ov)
            return True
        if inner.primitive is self.p["sub"]:  # (c1 - a) + c2 -> (c1 + c2) - a
            c, a = inner.invars
            c1 = self.const(c)
            if c1 is not None and self.const(a) is None and a.aval.shape == out.shape:
                self.emit(self.p["sub"], [_lit(np.add(c1, c2, dtype=out.dtype), out.dtype), a], ov)
                return True
        return False

    # -- the pass ------------------------------------------------------------------------------------
    def fold(self, eqn):
        """Record the value of an equation whose operands are all splat constants."""
        p = self.p
        if len(eqn.outvars) != 1 or not eqn.invars:
            return False
        out = eqn.outvars[0].aval
        if not isinstance(out.dtype, np.dtype) or out.dtype.kind not in "biuf":
            return False
        vals = [self.const(v) for v in eqn.invars]
        if any(v is None for v in vals):
            return False
        fn = p["fold"].get(eqn.primitive)
        if fn is not None:
            value = fn(*[np.asarray(v, out.dtype) for v in vals])
        elif eqn.primitive in p["shape_ops"] and len(vals) == 1:
            value = np.asarray(vals[0]).astype(out.dtype)
        else:
            return False
        ov = eqn.outvars[0]
        self.cval[ov] = np.asarray(value, out.dtype)[()]
        if out.shape == ():
            self.env[ov] = _lit(self.cval[ov], out.dtype)
        else:  # a splat: one broadcast of the value (the backend makes it a constant)
            self.emit(p["broadcast"], [_lit(self.cval[ov], out.dtype)], ov,
                      dict(shape=out.shape, broadcast_dimensions=(), sharding=None))
        return True

    def run(self, jaxpr: Jaxpr) -> Jaxpr:
        p = self.p
        for eqn in jaxpr.eqns:
            ins = [self.atom(v) for v in eqn.invars]
            if ins != eqn.invars:
                eqn = eqn.replace(invars=ins)
            if self.fold(eqn):
                continue
            out = eqn.outvars[0].aval if len(eqn.outvars) == 1 else None
            if out is not None and getattr(out, "dtype", None) in _REWRITTEN and not eqn.effects:
                prim = eqn.primitive
                if prim is p["mul"] and self.mul(eqn, out):
                    continue
                if (prim in p["adds"] or prim is p["sub"]) and self.add(eqn, out):
                    continue
            self.eqns.append(eqn)
            if len(eqn.outvars) == 1:
                self.prod[eqn.outvars[0]] = eqn
        return jaxpr.replace(eqns=self.eqns, outvars=[self.atom(v) for v in jaxpr.outvars])


def rewrite(jaxpr: Jaxpr, consts):
    """``(jaxpr, consts)`` as XLA's simplifier leaves it: nested jits inlined, the rules above applied."""
    jaxpr, consts = inline_jits(jaxpr, consts)
    return _Simplifier().run(jaxpr), consts
