"""The numba tier's generated kernels: elementwise code, native loops and fused elementwise chains.

Every equation the tier can compile element by element has an *element rule* here (``_RULES``, keyed by
the primitive object): it writes the Python expression numba compiles for one element, given the
expressions of the operands. From those rules come two kinds of kernel, each generated as Python source
and compiled by numba on a background thread (``numba_backend.TieredKernel``; the NumPy code serves calls
until the kernel is ready):

- **native loops** (``native_scan``, ``native_while``): a ``scan``/``fori_loop``/``while_loop`` runs as
  one compiled loop, no Python per step, when its body (and predicate) is elementwise code on scalars or
  on arrays of one shape (then each element's steps run in turn, the loop over the elements outermost),
  or scalar code that reads and writes single elements of whole arrays ("indexed" loops: ``x[i]``,
  ``x.at[i].set(v)``; carried arrays copied once and written in place when nothing else needs the old
  value). ``cond``/``switch``, nested jits and nested loops in the body become branches and inner loops;
- **fused chains** (``fuse``): a run of elementwise equations on arrays of one shape becomes one loop over
  the elements, one pass over memory with no temporary arrays; broadcast operands are read in place.
  Transcendental functions are left to NumPy's SIMD routines between fused kernels.

Values: every operation is computed in its jaxpr dtype (float32 stays float32: each result is converted
to the equation's dtype, typed constants, no fast-math), integer arithmetic wraps, float division by zero
gives IEEE infinities/NaN (numba's NumPy error model), min/max propagate NaN and pick the second operand
on ties as NumPy's ``maximum``/``minimum`` do. Where the NumPy backend computes an exactly rounded result
(add, sub, mul, div, sqrt, comparisons, select, casts, min/max, ...) the kernels give the same bits. The
transcendental functions (exp, log, tanh, sin, pow, ...) in native loops call the C library's
float32/float64 routines, while NumPy may use its own SIMD versions: those can differ in the last bit
(see the README); fused chains leave them to NumPy.

Anything a rule does not cover (other primitives, float16/bfloat16/complex, slices of several elements or
reductions in loop bodies, a batched loop predicate, ...) is left to the NumPy backend, so the tier never
changes what is computed.
"""
from __future__ import annotations

import threading

import numpy as np

from jaxlite._src import core
from jaxlite._src.core import ClosedJaxpr, DropVar, Jaxpr, JaxprEqn, Literal, Primitive

_SUPPORTED = frozenset(np.dtype(t) for t in (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8,
                                             np.uint16, np.uint32, np.uint64, np.float32, np.float64))


def _dtype_ok(aval) -> bool:
    dt = getattr(aval, "dtype", None)
    return isinstance(dt, np.dtype) and dt in _SUPPORTED


def _tname(dt) -> str:
    dt = np.dtype(dt)
    return "np.bool_" if dt == np.bool_ else f"np.{dt.name}"


class _Emitter:
    """Collects the lines of a generated function and its globals (typed constants, ``np``)."""

    def __init__(self):
        self.glob = {"np": np}
        self._consts = {}
        self._n = 0
        self.owned = set()  # arrays copied in the step (indexed loops): free to carry and write

    def fresh(self) -> str:
        self._n += 1
        return f"t{self._n}"

    def const(self, value, dtype) -> str:
        dt = np.dtype(dtype)
        v = dt.type(value)
        key = (dt.str, v.tobytes())
        name = self._consts.get(key)
        if name is None:
            name = self._consts[key] = f"_k{len(self._consts)}"
            self.glob[name] = v
        return name

    def emit(self, jaxpr: Jaxpr, consts, ins, lines, indent, shapes=((),), arrays=None):
        """Lines computing ``jaxpr`` (its invars bound to the expressions ``ins``, its constvars to
        ``consts``); returns the expressions of its outputs, or None if an equation has no rule or a
        value's shape is not in ``shapes`` (arrays of one shape: the lines compute one element).

        ``arrays`` (indexed loops): ``{invar: writable}`` for the invars that are whole arrays. Those are
        only read by ``dynamic_slice`` of one element and written in place, one element, by ``scatter``/
        ``scatter-add``/``dynamic_update_slice`` when writable and not used afterwards; values of one
        element (shape (1,), ...) count as scalars."""
        env = {}
        for v, c in zip(jaxpr.constvars, consts):
            c = np.asarray(c._value if isinstance(c, core.Array) else c)
            if c.shape != () or not _dtype_ok(v.aval):
                return None
            env[v] = self.const(c[()], v.aval.dtype)
        env.update(zip(jaxpr.invars, ins))
        whole = dict(arrays or {})  # array vars -> writable
        last_use = {}
        for k, eqn in enumerate(jaxpr.eqns):
            for v in eqn.invars:
                if type(v) is not Literal:
                    last_use[v] = k
        returned = {v for v in jaxpr.outvars if type(v) is not Literal}

        def read(v):
            if type(v) is Literal:
                val = v.val._value if isinstance(v.val, core.Array) else v.val
                return self.const(np.asarray(val)[()], v.aval.dtype)
            return env[v]

        def shape_ok(a):
            return a.shape in shapes or (arrays is not None and _size(a.shape) == 1)
        for k, eqn in enumerate(jaxpr.eqns):
            if eqn.effects:
                return None
            args = [read(v) for v in eqn.invars]
            held = [i for i, v in enumerate(eqn.invars) if type(v) is not Literal and v in whole]
            if held:
                out = _indexed_eqn(self, eqn, args, held, whole, k, last_use, returned, lines, indent)
                if out is None:
                    return None
                env[eqn.outvars[0]] = out
                continue
            avals = [v.aval for v in eqn.invars] + [v.aval for v in eqn.outvars]
            if not all(_dtype_ok(a) and shape_ok(a) for a in avals):
                return None
            inner = _inner_jaxpr(eqn)
            nested = None if inner is not None else _NESTED.get(eqn.primitive)
            if inner is not None or nested is not None:
                if inner is not None:  # a nested jit or custom derivative: its equations inline
                    outs = self.emit(inner.jaxpr, inner.consts, args, lines, indent, shapes)
                else:  # cond / a loop inside the loop body: control flow in the kernel
                    outs = nested(self, eqn, args, lines, indent, shapes)
                if outs is None:
                    return None
                for v, o in zip(eqn.outvars, outs):
                    if not isinstance(v, DropVar):
                        env[v] = o
                continue
            rule = _RULES.get(eqn.primitive)
            if rule is None or len(eqn.outvars) != 1:
                return None
            expr = rule(self, eqn, args, lines, indent)
            if expr is None:
                return None
            name = self.fresh()
            lines.append(f"{indent}{name} = {expr}")
            env[eqn.outvars[0]] = name
        return [read(v) for v in jaxpr.outvars]


def _indexed_eqn(em, eqn, args, held, whole, k, last_use, returned, lines, indent):
    """One equation reading or writing a whole array of an indexed loop (see ``_Emitter.emit``):
    the expression of its result (an element, or the array written in place), or None."""
    name = eqn.primitive.name
    operand = eqn.invars[0]
    if held != [0] or len(eqn.outvars) != 1 or not _dtype_ok(operand.aval):
        return None
    shape = operand.aval.shape
    arr = args[0]

    def clamped(idx, dim, size=1):
        return f"min(max({idx}, 0), {dim - size})"
    if name == "dynamic_slice":
        if any(int(s) != 1 for s in eqn.params["slice_sizes"]):
            return None
        idx = ", ".join(clamped(i, d) for i, d in zip(args[1:], shape))
        t = em.fresh()
        lines.append(f"{indent}{t} = {arr}[{idx}]")
        return t
    if name == "slice":  # a static index
        start, limit = eqn.params["start_indices"], eqn.params["limit_indices"]
        if any(int(b) - int(a) != 1 for a, b in zip(start, limit)):
            return None
        t = em.fresh()
        lines.append(f"{indent}{t} = {arr}[{', '.join(str(int(a)) for a in start)}]")
        return t
    # the writes: in place when the array is writable and not used afterwards, else into a copy
    # (which is what the NumPy backend's scatter does every time)
    out = eqn.outvars[0]
    if not whole[operand] or last_use.get(operand) != k or operand in returned:
        t = em.fresh()
        lines.append(f"{indent}{t} = {arr}.copy()")
        em.owned.add(t)
        arr = t
    if name == "dynamic_update_slice":
        update = eqn.invars[1].aval
        if _size(update.shape) != 1:
            return None
        idx = ", ".join(clamped(i, d) for i, d in zip(args[2:], shape))
        lines.append(f"{indent}{arr}[{idx}] = {args[1]}")
    elif name in ("scatter", "scatter-add"):
        p = eqn.params
        dn = p["dimension_numbers"]
        if (len(shape) != 1 or (name == "scatter" and p.get("update_jaxpr") is not None)
                or tuple(dn.update_window_dims)
                or tuple(dn.inserted_window_dims) != (0,)
                or tuple(dn.scatter_dims_to_operand_dims) != (0,) or tuple(dn.operand_batching_dims)
                or _size(eqn.invars[1].aval.shape) != 1 or _size(eqn.invars[2].aval.shape) != 1):
            return None
        idx, upd = args[1], args[2]
        dt = np.dtype(operand.aval.dtype)
        if name == "scatter-add":
            if dt == np.bool_:
                return None
            upd = f"({arr}[{idx}] + {upd})" if dt.kind == "f" else f"{_tname(dt)}({arr}[{idx}] + {upd})"
        if getattr(p["mode"], "name", "") == "CLIP":
            lines.append(f"{indent}{arr}[{clamped(idx, shape[0])}] = {upd}")
        else:  # FILL_OR_DROP / PROMISE_IN_BOUNDS: an update out of bounds is dropped
            lines.append(f"{indent}if 0 <= {idx} < {shape[0]}:")
            lines.append(f"{indent}    {arr}[{idx}] = {upd}")
    else:
        return None
    whole[out] = True
    return arr


def _assign(names, exprs, lines, indent):
    if names:
        lines.append(f"{indent}{', '.join(names)}, = {', '.join(exprs)},")


def _nested_cond(em, eqn, args, lines, indent, shapes):
    """``cond`` as if/elif/else (the index clamped into range, as the NumPy backend does)."""
    branches = eqn.params["branches"]
    if eqn.invars[0].aval.shape != ():
        return None
    idx, ops = args[0], args[1:]
    outs = [em.fresh() for _ in eqn.outvars]
    last = len(branches) - 1
    for b, branch in enumerate(branches):
        head = ("if" if b == 0 else "elif") + (f" {idx} <= 0:" if b == 0 else f" {idx} == {b}:")
        if b == last:
            head = "else:" if b else "if True:"
        lines.append(indent + head)
        res = em.emit(branch.jaxpr, branch.consts, ops, lines, indent + "    ", shapes)
        if res is None:
            return None
        _assign(outs, res, lines, indent + "    ")
        if not outs:
            lines.append(indent + "    pass")
    return outs


def _nested_scan(em, eqn, args, lines, indent, shapes):
    """A ``scan`` without per-step slices or outputs (e.g. a nested ``fori_loop``) as a for loop."""
    p = eqn.params
    nc, ncar, length = p["num_consts"], p["num_carry"], p["length"]
    if len(args) != nc + ncar or len(eqn.outvars) != ncar:
        return None
    carry = [em.fresh() for _ in range(ncar)]
    _assign(carry, args[nc:], lines, indent)
    i = em.fresh()
    steps = f"range({length - 1}, -1, -1)" if p["reverse"] else f"range({length})"
    lines.append(f"{indent}for {i} in {steps}:")
    res = em.emit(p["jaxpr"].jaxpr, p["jaxpr"].consts, args[:nc] + carry, lines, indent + "    ",
                  shapes)
    if res is None:
        return None
    _assign(carry, res, lines, indent + "    ")
    if not carry or length == 0:
        lines.append(indent + "    pass")
    return carry


def _nested_while(em, eqn, args, lines, indent, shapes):
    p = eqn.params
    cn, bn = p["cond_nconsts"], p["body_nconsts"]
    cj, bj = p["cond_jaxpr"], p["body_jaxpr"]
    if cj.jaxpr.outvars[0].aval.shape != ():
        return None
    carry = [em.fresh() for _ in args[cn + bn:]]
    _assign(carry, args[cn + bn:], lines, indent)
    lines.append(f"{indent}while True:")
    pred = em.emit(cj.jaxpr, cj.consts, args[:cn] + carry, lines, indent + "    ", shapes)
    if pred is None:
        return None
    lines += [f"{indent}    if not {pred[0]}:", f"{indent}        break"]
    res = em.emit(bj.jaxpr, bj.consts, args[cn:cn + bn] + carry, lines, indent + "    ", shapes)
    if res is None:
        return None
    _assign(carry, res, lines, indent + "    ")
    return carry


_NESTED = {}  # primitive -> rule emitting control flow inside a kernel; filled by _install_rules
_CALLS = {}  # call-like primitive -> "jit" / "custom": its inner jaxpr inlines; filled by _install_rules


def _inner_jaxpr(eqn):
    """The jaxpr of a call-like equation whose value is its inner jaxpr's (jit, custom_jvp/vjp)."""
    if not _installed:
        _install_rules()
    kind = _CALLS.get(eqn.primitive)
    if kind is None:
        return None
    if kind == "jit":
        j = eqn.params.get("jaxpr")
    else:
        j = eqn.params.get("call_jaxpr") or eqn.params.get("fun_jaxpr")
    if isinstance(j, Jaxpr):
        j = ClosedJaxpr(j, ())
    return j if isinstance(j, ClosedJaxpr) else None


# ---------------------------------------------------------------------------------------------------
# Element rules: rule(emitter, eqn, operand expressions, lines, indent) -> expression | None
# ---------------------------------------------------------------------------------------------------

_RULES: dict = {}


def _out(eqn):
    return np.dtype(eqn.outvars[0].aval.dtype)


def _arith(op):
    def rule(em, eqn, a, lines, indent):
        dt = _out(eqn)
        if dt == np.bool_:
            return None
        expr = f"({a[0]} {op} {a[1]})"
        # numba computes small integers in 64 bits: the conversion wraps them as the dtype does
        return expr if dt.kind == "f" else f"{_tname(dt)}{expr}"
    return rule


def _float_only(fmt):
    def rule(em, eqn, a, lines, indent):
        if _out(eqn).kind != "f":
            return None
        return fmt.format(*a)
    return rule


def _neg(em, eqn, a, lines, indent):
    dt = _out(eqn)
    if dt == np.bool_:
        return None
    return f"(-{a[0]})" if dt.kind == "f" else f"{_tname(dt)}(-{a[0]})"


def _minmax(cmp):
    def rule(em, eqn, a, lines, indent):
        x, y = a
        # NumPy's maximum/minimum: NaN from either side, the second operand on ties (so max(0., -0.)
        # is -0., as the NumPy backend gives)
        if _out(eqn).kind == "f":
            return f"({x} if ({x} {cmp} {y} or {x} != {x}) else {y})"
        return f"({x} if {x} {cmp} {y} else {y})"
    return rule


def _compare(op):
    def rule(em, eqn, a, lines, indent):
        return f"({a[0]} {op} {a[1]})"
    return rule


def _select_n(em, eqn, a, lines, indent):
    which = eqn.invars[0].aval
    if len(a) == 2:
        return a[1]
    if len(a) != 3 or np.dtype(which.dtype) != np.bool_:
        return None
    return f"({a[2]} if {a[0]} else {a[1]})"


def _convert(em, eqn, a, lines, indent):
    src = np.dtype(eqn.invars[0].aval.dtype)
    dst = np.dtype(eqn.params["new_dtype"])
    (x,) = a
    if dst == src:
        return x
    if dst == np.bool_:
        return f"({x} != 0)"
    if src.kind == "f" and dst.kind in "iu":
        if dst.itemsize > 4:
            return None  # the NumPy backend's saturation at 2**63 is the hardware's: not reproduced
        info = np.iinfo(dst)
        lo, hi = em.const(info.min, np.float64), em.const(info.max, np.float64)
        ilo, ihi, zero = em.const(info.min, dst), em.const(info.max, dst), em.const(0, dst)
        # truncate toward zero, NaN -> 0, saturate at the integer range (the NumPy backend's XLA rule)
        return (f"({zero} if {x} != {x} else ({ilo} if {x} <= {lo} else ({ihi} if {x} >= {hi} "
                f"else {_tname(dst)}({x}))))")
    if src == np.bool_:
        return f"({em.const(1, dst)} if {x} else {em.const(0, dst)})"
    return f"{_tname(dst)}({x})"


def _integer_pow(em, eqn, a, lines, indent):
    dt = _out(eqn)
    y = int(eqn.params["y"])
    (x,) = a
    if dt == np.bool_:
        return None
    if y == 0:
        return em.const(1, dt)
    if y == 1:
        return x
    if dt.kind == "f":
        if y == 2:
            return f"({x} * {x})"
        return f"({x} ** {em.const(y, dt)})"  # the C library's pow, as NumPy's power calls it
    if y < 0:
        return None
    # integer powers wrap: repeated multiplication gives the same bits as NumPy's squaring
    acc = x
    for _ in range(y - 1):
        t = em.fresh()
        lines.append(f"{indent}{t} = {_tname(dt)}({acc} * {x})")
        acc = t
    return acc


def _square(em, eqn, a, lines, indent):
    dt = _out(eqn)
    if dt == np.bool_:
        return None
    x = a[0]
    return f"({x} * {x})" if dt.kind == "f" else f"{_tname(dt)}({x} * {x})"


def _sign(em, eqn, a, lines, indent):
    dt = _out(eqn)
    x = a[0]
    if dt == np.bool_:
        return None
    one, zero = em.const(1, dt), em.const(0, dt)
    if dt.kind == "u":
        return f"({one} if {x} > {zero} else {zero})"
    m1 = em.const(-1, dt)
    nan = f"{x} if {x} != {x} else " if dt.kind == "f" else ""
    return f"({nan}({one} if {x} > {zero} else ({m1} if {x} < {zero} else {zero})))"


def _abs(em, eqn, a, lines, indent):
    dt = np.dtype(eqn.invars[0].aval.dtype)
    if dt == np.bool_ or dt.kind == "u":
        return None if dt == np.bool_ else a[0]
    return f"np.abs({a[0]})" if dt.kind == "f" else f"{_tname(dt)}(abs({a[0]}))"


def _round(em, eqn, a, lines, indent):
    dt = _out(eqn)
    if dt.kind != "f":
        return None
    x = a[0]
    if int(eqn.params["rounding_method"]) == 1:
        return f"np.rint({x})"  # half to even, as np.round
    # away from zero: sign(x) * floor(|x| + 0.5), as the NumPy backend computes it
    sign = _sign(em, eqn, a, lines, indent)
    return f"({sign} * np.floor(np.abs({x}) + {em.const(0.5, dt)}))"


def _rsqrt(em, eqn, a, lines, indent):
    dt = _out(eqn)
    if dt.kind != "f":
        return None
    return f"({em.const(1, dt)} / np.sqrt({a[0]}))"


def _logistic(em, eqn, a, lines, indent):
    dt = _out(eqn)
    if dt.kind != "f":
        return None
    x, one = a[0], em.const(1, dt)
    e = em.fresh()
    lines.append(f"{indent}{e} = np.exp(-np.abs({x}))")
    # as the NumPy backend: 1/(1+e) for x >= 0, e/(1+e) below (stable in both tails)
    return f"(({one} / ({one} + {e})) if {x} >= {em.const(0, dt)} else ({e} / ({one} + {e})))"


def _logic(op, bool_op=None):
    def rule(em, eqn, a, lines, indent):
        dt = _out(eqn)
        if dt == np.bool_:
            return f"({a[0]} {bool_op or op} {a[1]})"
        return f"{_tname(dt)}({a[0]} {op} {a[1]})"
    return rule


def _not(em, eqn, a, lines, indent):
    dt = _out(eqn)
    return f"(not {a[0]})" if dt == np.bool_ else f"{_tname(dt)}(~{a[0]})"


def _div(em, eqn, a, lines, indent):
    dt = _out(eqn)
    x, y = a
    if dt.kind == "f":
        return f"({x} / {y})"
    if dt.itemsize > 4 or dt == np.bool_:
        return None  # (the NumPy backend divides 64-bit integers through float64: not reproduced)
    if dt.kind == "u":
        return f"({em.const(np.iinfo(dt).max, dt)} if {y} == 0 else {_tname(dt)}({x} // {y}))"
    # truncating division (exact through float64 for 32-bit operands), -1 for a zero divisor, and
    # MIN // -1 wrapping to MIN: the NumPy backend's XLA semantics
    return (f"({em.const(-1, dt)} if {y} == 0 else "
            f"{_tname(dt)}(np.int64(np.trunc(np.float64({x}) / np.float64({y})))))")


def _rem(em, eqn, a, lines, indent):
    dt = _out(eqn)
    x, y = a
    if dt.kind == "f":
        return f"np.fmod({x}, {y})"
    q = _div(em, eqn, a, lines, indent)
    if q is None:
        return None
    t = em.fresh()
    lines.append(f"{indent}{t} = {q}")
    # the remainder takes the dividend's sign; a zero divisor leaves the dividend
    return f"({x} if {y} == 0 else {_tname(dt)}({x} - {_tname(dt)}({t} * {y})))"


def _shift(kind):
    def rule(em, eqn, a, lines, indent):
        dt = _out(eqn)
        x, y = a
        bits = dt.itemsize * 8
        out_of_range = f"({y} < 0 or {y} >= {bits})"
        u, i = f"np.uint{bits}", f"np.int{bits}"
        if kind == "left":
            return f"({em.const(0, dt)} if {out_of_range} else {_tname(dt)}({x} << {u}({y})))"
        if kind == "logical":
            return f"({em.const(0, dt)} if {out_of_range} else {_tname(dt)}({u}({x}) >> {u}({y})))"
        return (f"({_tname(dt)}({i}({x}) >> {i}({bits - 1})) if {out_of_range} else "
                f"{_tname(dt)}({i}({x}) >> {i}({y})))")
    return rule


def _clamp(em, eqn, a, lines, indent):
    if _out(eqn).kind not in "iu":
        return None  # (np.clip's choice between equal zeros of both signs is not reproduced)
    lo, x, hi = a
    t = em.fresh()
    lines.append(f"{indent}{t} = ({x} if {x} > {lo} else {lo})")
    return f"({t} if {t} < {hi} else {hi})"


def _broadcast_scalar(em, eqn, a, lines, indent):
    # broadcast_in_dim of a scalar (or of one element) is that value for every element; to its own
    # shape it is the value itself
    x, out = eqn.invars[0].aval, eqn.outvars[0].aval
    return a[0] if _size(x.shape) == 1 or x.shape == out.shape else None


def _one_element(em, eqn, a, lines, indent):
    # squeeze/reshape of a value of one element (the indexed loops' slices): the same value
    if _size(eqn.invars[0].aval.shape) != 1 or _size(eqn.outvars[0].aval.shape) != 1:
        return None
    if eqn.primitive.name == "reshape" and (eqn.params.get("dimensions") is not None
                                            or len(eqn.invars) != 1):
        return None
    return a[0]


_TRANSCENDENTAL = {"exp": "np.exp", "log": "np.log", "log1p": "np.log1p", "expm1": "np.expm1",
                   "tanh": "np.tanh", "sin": "np.sin", "cos": "np.cos", "tan": "np.tan",
                   "asin": "np.arcsin", "acos": "np.arccos", "atan": "np.arctan", "sinh": "np.sinh",
                   "cosh": "np.cosh", "asinh": "np.arcsinh", "acosh": "np.arccosh",
                   "atanh": "np.arctanh", "exp2": "np.exp2", "cbrt": "np.cbrt"}

# Rules that call the C library's transcendental functions (integer_pow: for float powers beyond 2)
_LIBM: set = set()
_LIBM_POW: set = set()

_installed = False
_install_lock = threading.Lock()


def _install_rules():
    global _installed
    with _install_lock:
        if _installed:
            return
        from jaxlite._src.interpreters import ad
        from jaxlite._src.lax import elementwise as ew
        from jaxlite._src.lax import shapes
        from jaxlite._src.lax.control_flow import conditionals, loops
        from jaxlite._src import custom_derivatives as cd
        from jaxlite._src import pjit
        _NESTED.update({conditionals.cond_p: _nested_cond, loops.scan_p: _nested_scan,
                        loops.while_p: _nested_while})
        _CALLS.update({pjit.jit_p: "jit", cd.custom_jvp_call_p: "custom", cd.custom_vjp_call_p: "custom"})
        rules = {
            ew.add_p: _arith("+"), ad.add_any_p: _arith("+"), ew.sub_p: _arith("-"),
            ew.mul_p: _arith("*"), ew.div_p: _div, ew.rem_p: _rem, ew.neg_p: _neg,
            ew.shift_left_p: _shift("left"), ew.shift_right_logical_p: _shift("logical"),
            ew.shift_right_arithmetic_p: _shift("arithmetic"), ew.clamp_p: _clamp,
            ew.max_p: _minmax(">"), ew.min_p: _minmax("<"),
            ew.eq_p: _compare("=="), ew.ne_p: _compare("!="), ew.lt_p: _compare("<"),
            ew.le_p: _compare("<="), ew.gt_p: _compare(">"), ew.ge_p: _compare(">="),
            ew.select_n_p: _select_n, ew.convert_element_type_p: _convert,
            ew.integer_pow_p: _integer_pow, ew.square_p: _square, ew.sign_p: _sign,
            ew.floor_p: _float_only("np.floor({})"), ew.ceil_p: _float_only("np.ceil({})"),
            ew.round_p: _round,
            ew.abs_p: _abs, ew.sqrt_p: _float_only("np.sqrt({})"), ew.rsqrt_p: _rsqrt,
            ew.logistic_p: _logistic, ew.is_finite_p: lambda em, eqn, a, l, i: f"np.isfinite({a[0]})",
            ew.not_p: _not, ew.and_p: _logic("&"), ew.or_p: _logic("|"), ew.xor_p: _logic("^"),
            ew.pow_p: _float_only("({} ** {})"), ew.atan2_p: _float_only("np.arctan2({}, {})"),
            shapes.broadcast_in_dim_p: _broadcast_scalar, shapes.squeeze_p: _one_element,
            shapes.reshape_p: _one_element,
        }
        for name, fn in _TRANSCENDENTAL.items():
            rules[getattr(ew, f"{name}_p")] = _float_only(fn + "({})")
            _LIBM.add(getattr(ew, f"{name}_p"))
        _LIBM.update((ew.logistic_p, ew.pow_p, ew.atan2_p))
        _LIBM_POW.add(ew.integer_pow_p)
        _RULES.update(rules)
        _installed = True


def _nb_scalar(numba, dt):
    return numba.from_dtype(np.dtype(dt))


def _nb_vector(numba, dt):
    return numba.types.Array(numba.from_dtype(np.dtype(dt)), 1, "C")


# ---------------------------------------------------------------------------------------------------
# Kernels: generated source -> TieredKernel (compiled on a background thread), shared by source text
# ---------------------------------------------------------------------------------------------------

_by_source: dict = {}
_by_source_lock = threading.Lock()


def _tiered(name, src, glob, arg_types, signature):
    """A TieredKernel compiling ``src`` (defining ``name``) for ``arg_types(numba)``, started now.
    Kernels are shared between programs with the same source, constants and ``signature`` (a hashable
    description of the argument types: the same source can be compiled for other dtypes)."""
    from jaxlite._src.backend import numba_backend
    key = (src, signature, tuple(sorted((k, repr(v), type(v).__name__) for k, v in glob.items()
                                       if k != "np")))
    with _by_source_lock:
        k = _by_source.get(key)
        if k is not None:
            return k

        def build(numba):
            g = dict(glob)
            exec(compile(src, f"<jaxlite numba {name}>", "exec"), g)
            disp = numba.njit([tuple(arg_types(numba))], nogil=True, error_model="numpy")(g[name])
            # the compiled function's own wrapper: it skips the dispatcher's type resolution (~2 us
            # a call; the callers pass exactly the signature's types: C-contiguous arrays of the
            # dtype, scalars of the dtype)
            return disp.overloads[disp.signatures[0]].entry_point
        k = numba_backend.TieredKernel(name, build)
        k.source = src
        numba_backend._kernels.append(k)
        _by_source[key] = k
    k.start()
    return k


# ---------------------------------------------------------------------------------------------------
# Native loops
# ---------------------------------------------------------------------------------------------------

def _loop_shape(avals):
    """The one array shape among ``avals`` (() if all are scalars), or None if there are several or a
    dtype the kernels do not have."""
    shapes = {a.shape for a in avals} - {()}
    if len(shapes) > 1 or not all(_dtype_ok(a) for a in avals):
        return None
    return shapes.pop() if shapes else ()


def _eqn_avals(jaxpr):
    out = []
    for eqn in jaxpr.eqns:
        out += [v.aval for v in eqn.invars] + [v.aval for v in eqn.outvars]
    return out


class _LoopArgs:
    """The arguments of a native loop kernel: scalars as they are, arrays of the loop's element shape
    flattened (``[j]`` is element j), per-step arrays as (steps, elements) (``[i, j]``)."""

    def __init__(self):
        self.names, self.kinds, self.dtypes = [], [], []

    def add(self, name, kind, dtype):
        self.names.append(name)
        self.kinds.append(kind)  # "scalar", "elems" (n,), "steps" (length,), "steps_elems" (length, n)
        self.dtypes.append(np.dtype(dtype))
        return name

    def signature(self):
        return tuple(zip(self.kinds, (d.str for d in self.dtypes)))

    def numba_types(self, numba):
        types = []
        for kind, dt in zip(self.kinds, self.dtypes):
            if kind == "scalar":
                types.append(_nb_scalar(numba, dt))
            elif isinstance(kind, tuple):  # ("whole", ndim): an array as it is
                types.append(numba.types.Array(numba.from_dtype(dt), kind[1], "C"))
            else:
                types.append(numba.types.Array(numba.from_dtype(dt), 2 if kind == "steps_elems" else 1,
                                               "C"))
        return types

    def converters(self, n):
        ascontiguous = np.ascontiguousarray
        out = []
        for kind, dt in zip(self.kinds, self.dtypes):
            if kind == "scalar":
                out.append(dt.type)
            elif isinstance(kind, tuple):
                out.append(lambda a, dt=dt: ascontiguous(a, dt))
            elif kind == "steps_elems":
                out.append(lambda a, dt=dt: ascontiguous(a, dt).reshape(a.shape[0], n))
            else:
                out.append(lambda a, dt=dt: ascontiguous(a, dt).reshape(-1))
        return out


def _element_loop(lines_in, shape):
    """The time loop ``lines_in`` inside a loop over the elements when the loop has arrays."""
    if shape == ():
        return lines_in
    return ["    for j in range(n):"] + ["    " + l for l in lines_in]


def native_scan(closed: ClosedJaxpr, length, reverse, num_consts, num_carry, fallback):
    """The scan as one compiled loop when its body is elementwise code with element rules, on scalars
    and arrays of one shape (then the loop over the elements is outermost: each element's steps run in
    turn, the same operations in the same order); else None. ``fallback`` (the NumPy loop) serves
    calls until the kernel is compiled."""
    _install_rules()
    jaxpr = closed.jaxpr
    in_avals = [v.aval for v in jaxpr.invars]
    out_avals = [v.aval for v in jaxpr.outvars]
    if length < 1 or not out_avals:
        return None
    run = _elementwise_scan(closed, length, reverse, num_consts, num_carry, fallback)
    if run is None:
        run = _indexed_scan(closed, length, reverse, num_consts, num_carry, fallback)
    return run


def _elementwise_scan(closed, length, reverse, num_consts, num_carry, fallback):
    jaxpr = closed.jaxpr
    in_avals = [v.aval for v in jaxpr.invars]
    out_avals = [v.aval for v in jaxpr.outvars]
    shape = _loop_shape(in_avals + out_avals + _eqn_avals(jaxpr))
    if shape is None:
        return None
    n = _size(shape)
    if n < 1:
        return None
    n_xs = len(in_avals) - num_consts - num_carry
    y_avals = out_avals[num_carry:]
    ar = lambda a: a.shape != ()  # noqa: E731 -- an array value: one element per j
    args = _LoopArgs()
    ins = []
    for i, a in enumerate(in_avals[:num_consts]):
        name = args.add(f"k{i}", "elems" if ar(a) else "scalar", a.dtype)
        ins.append(f"{name}[j]" if ar(a) else name)
    carry_in = [args.add(f"c{i}", "elems" if ar(a) else "scalar", a.dtype)
                for i, a in enumerate(in_avals[num_consts:num_consts + num_carry])]
    carry = [f"x{i}" for i in range(num_carry)]
    ins += carry
    for i, a in enumerate(in_avals[num_consts + num_carry:]):
        args.add(f"xs{i}", "steps_elems" if ar(a) else "steps", a.dtype)
        ins.append(f"xs{i}[i, j]" if ar(a) else f"xs{i}[i]")
    em = _Emitter()
    body = []
    outs = em.emit(jaxpr, closed.consts, ins, body, " " * 8, shapes=((), shape))
    if outs is None:
        return None
    pre = [f"    n = {n}"] if shape else []
    pre += [f"    ys{k} = np.empty({f'({length}, n)' if ar(a) else length}, {_tname(a.dtype)})"
            for k, a in enumerate(y_avals)]
    pre += [f"    co{i} = np.empty(n, {_tname(a.dtype)})" for i, a in enumerate(out_avals[:num_carry])
            if ar(a)]
    loop = [f"    {x} = {c}[j]" if ar(a) else f"    {x} = {c}"
            for x, c, a in zip(carry, carry_in, in_avals[num_consts:])]
    steps = f"range({length - 1}, -1, -1)" if reverse else f"range({length})"
    loop.append(f"    for i in {steps}:")
    loop += body
    loop += [f"        ys{k}[i, j] = {r}" if ar(a) else f"        ys{k}[i] = {r}"
             for k, (r, a) in enumerate(zip(outs[num_carry:], y_avals))]
    if num_carry:
        loop.append(f"        {', '.join(carry)}, = {', '.join(outs[:num_carry])},")
    loop += [f"    co{i}[j] = {x}" for i, (x, a) in enumerate(zip(carry, out_avals)) if ar(a)]
    lines = pre + _element_loop(loop, shape)
    rets = [f"co{i}" if ar(a) else x for i, (x, a) in enumerate(zip(carry, out_avals))]
    rets += [f"ys{k}" for k in range(len(y_avals))]
    lines.append(f"    return ({', '.join(rets)},)")
    src = f"def _scan_loop({', '.join(args.names)}):\n" + "\n".join(lines) + "\n"
    tiered = _tiered("_scan_loop", src, em.glob, args.numba_types, args.signature())
    convert_in = args.converters(n)
    out_shapes = [(a.shape, np.dtype(a.dtype)) for a in out_avals]
    carry_scalar = [np.dtype(a.dtype).type if not ar(a) else None for a in out_avals[:num_carry]]

    def run(*a):
        kernel = tiered.get()
        if kernel is None:
            return fallback(*a)
        res = kernel(*[c(x) for c, x in zip(convert_in, a)])
        outs = [c(r) if c is not None else r.reshape(s) for c, r, (s, _) in
                zip(carry_scalar, res, out_shapes)]
        return outs + [r.reshape((length,) + s) for r, (s, _) in zip(res[num_carry:],
                                                                       out_shapes[num_carry:])]
    run.__jaxlite_native__ = tiered
    run.__jaxlite_source__ = src
    return run


def native_while(cond: ClosedJaxpr, body: ClosedJaxpr, cond_nconsts, body_nconsts, fallback):
    """The while loop as one compiled loop when cond and body are elementwise code with element rules
    on scalars and arrays of one shape (the predicate, a scalar, can only depend on scalars then, so
    each element's loop runs the same steps), else None. ``fallback`` serves calls until the kernel
    is compiled."""
    _install_rules()
    if cond.jaxpr.outvars[0].aval.shape != ():
        return None
    run = _elementwise_while(cond, body, cond_nconsts, body_nconsts, fallback)
    if run is None:
        run = _indexed_while(cond, body, cond_nconsts, body_nconsts, fallback)
    return run


def _elementwise_while(cond, body, cond_nconsts, body_nconsts, fallback):
    cj, bj = cond.jaxpr, body.jaxpr
    avals = ([v.aval for v in cj.invars] + [v.aval for v in cj.outvars] + [v.aval for v in bj.invars]
             + [v.aval for v in bj.outvars] + _eqn_avals(cj) + _eqn_avals(bj))
    shape = _loop_shape(avals)
    if shape is None or cj.outvars[0].aval.shape != () or np.dtype(cj.outvars[0].aval.dtype) != np.bool_:
        return None
    n = _size(shape)
    n_carry = len(bj.invars) - body_nconsts
    if n_carry == 0 or n < 1:
        return None
    ar = lambda a: a.shape != ()  # noqa: E731
    args = _LoopArgs()

    def consts(invars, prefix):
        out = []
        for i, v in enumerate(invars):
            name = args.add(f"{prefix}{i}", "elems" if ar(v.aval) else "scalar", v.aval.dtype)
            out.append(f"{name}[j]" if ar(v.aval) else name)
        return out
    ck = consts(cj.invars[:cond_nconsts], "ck")
    bk = consts(bj.invars[:body_nconsts], "bk")
    carry_avals = [v.aval for v in bj.invars[body_nconsts:]]
    carry_in = [args.add(f"c{i}", "elems" if ar(a) else "scalar", a.dtype)
                for i, a in enumerate(carry_avals)]
    carry = [f"x{i}" for i in range(n_carry)]
    em = _Emitter()
    clines, blines = [], []
    pred = em.emit(cj, cond.consts, ck + carry, clines, " " * 8, shapes=((), shape))
    outs = em.emit(bj, body.consts, bk + carry, blines, " " * 8, shapes=((), shape))
    if pred is None or outs is None:
        return None
    pre = [f"    co{i} = np.empty(n, {_tname(a.dtype)})" for i, a in enumerate(carry_avals) if ar(a)]
    loop = [f"    {x} = {c}[j]" if ar(a) else f"    {x} = {c}"
            for x, c, a in zip(carry, carry_in, carry_avals)]
    loop += ["    while True:"] + clines + [f"        if not {pred[0]}:", "            break"] + blines
    loop.append(f"        {', '.join(carry)}, = {', '.join(outs)},")
    loop += [f"    co{i}[j] = {x}" for i, (x, a) in enumerate(zip(carry, carry_avals)) if ar(a)]
    lines = pre + _element_loop(loop, shape)
    rets = [f"co{i}" if ar(a) else x for i, (x, a) in enumerate(zip(carry, carry_avals))]
    lines.append(f"    return ({', '.join(rets)},)")
    if shape:
        lines.insert(0, f"    n = {n}")
    src = f"def _while_loop({', '.join(args.names)}):\n" + "\n".join(lines) + "\n"
    tiered = _tiered("_while_loop", src, em.glob, args.numba_types, args.signature())
    convert_in = args.converters(n)
    convert_out = [None if ar(a) else np.dtype(a.dtype).type for a in carry_avals]
    shapes_out = [a.shape for a in carry_avals]

    def run(*a):
        kernel = tiered.get()
        if kernel is None:
            return fallback(*a)
        res = kernel(*[c(x) for c, x in zip(convert_in, a)])
        return [c(r) if c is not None else r.reshape(s) for c, r, s in zip(convert_out, res, shapes_out)]
    run.__jaxlite_native__ = tiered
    run.__jaxlite_source__ = src
    return run


# Indexed loops: scalar code reading and writing single elements of whole arrays (``x[i]``,
# ``x.at[i].set(v)``, ``.add``): the arrays are the kernel's arguments, carried arrays copied once and
# written in place (see _Emitter.emit); per-step slices and outputs are scalars.

def _whole_arg(args, name, aval, writable_copy, lines):
    args.add(name, ("whole", len(aval.shape)), aval.dtype)
    if writable_copy:
        lines.append(f"    {writable_copy} = {name}.copy()")


def _indexed_ok(avals_scalar):
    return all(a.shape == () and _dtype_ok(a) for a in avals_scalar)


def _indexed_scan(closed, length, reverse, num_consts, num_carry, fallback):
    jaxpr = closed.jaxpr
    in_avals = [v.aval for v in jaxpr.invars]
    out_avals = [v.aval for v in jaxpr.outvars]
    xs_avals, y_avals = in_avals[num_consts + num_carry:], out_avals[num_carry:]
    if not _indexed_ok(xs_avals + y_avals) or not all(_dtype_ok(a) for a in in_avals + out_avals):
        return None
    if not any(a.shape != () for a in in_avals):
        return None
    args, pre = _LoopArgs(), []
    ins, arrays = [], {}
    for i, v in enumerate(jaxpr.invars[:num_consts]):
        if v.aval.shape != ():
            _whole_arg(args, f"k{i}", v.aval, None, pre)
            arrays[v] = False
        else:
            args.add(f"k{i}", "scalar", v.aval.dtype)
        ins.append(f"k{i}")
    carry = [f"x{i}" for i in range(num_carry)]
    for i, v in enumerate(jaxpr.invars[num_consts:num_consts + num_carry]):
        if v.aval.shape != ():
            _whole_arg(args, f"c{i}", v.aval, carry[i], pre)
            arrays[v] = True
        else:
            args.add(f"c{i}", "scalar", v.aval.dtype)
            pre.append(f"    {carry[i]} = c{i}")
    ins += carry
    for i, a in enumerate(xs_avals):
        args.add(f"xs{i}", "steps", a.dtype)
        ins.append(f"xs{i}[i]")
    em, body = _Emitter(), []
    outs = em.emit(jaxpr, closed.consts, ins, body, " " * 8, arrays=arrays)
    if outs is None or not _carries_distinct(em, outs[:num_carry], out_avals, carry):
        return None
    lines = pre + [f"    ys{k} = np.empty({length}, {_tname(a.dtype)})" for k, a in enumerate(y_avals)]
    steps = f"range({length - 1}, -1, -1)" if reverse else f"range({length})"
    lines += [f"    for i in {steps}:"] + body
    lines += [f"        ys{k}[i] = {r}" for k, r in enumerate(outs[num_carry:])]
    if num_carry:
        lines.append(f"        {', '.join(carry)}, = {', '.join(outs[:num_carry])},")
    lines.append(f"    return ({', '.join(carry + [f'ys{k}' for k in range(len(y_avals))])},)")
    src = f"def _scan_loop({', '.join(args.names)}):\n" + "\n".join(lines) + "\n"
    tiered = _tiered("_scan_loop", src, em.glob, args.numba_types, args.signature())
    convert_in = args.converters(1)
    convert_out = [np.dtype(a.dtype).type if a.shape == () else None for a in out_avals[:num_carry]]

    def run(*a):
        kernel = tiered.get()
        if kernel is None:
            return fallback(*a)
        res = kernel(*[c(x) for c, x in zip(convert_in, a)])
        return [c(r) if c is not None else r for c, r in zip(convert_out, res)] + list(res[num_carry:])
    run.__jaxlite_native__ = tiered
    run.__jaxlite_source__ = src
    return run


def _carries_distinct(em, outs, out_avals, carry):
    """Each array carry leaves the step as a carried array or a copy made in the step, no two the same
    (they are written in place next step)."""
    arrays = [o for o, a in zip(outs, out_avals) if a.shape != ()]
    return all(o in carry or o in em.owned for o in arrays) and len(set(arrays)) == len(arrays)


def _indexed_while(cond, body, cond_nconsts, body_nconsts, fallback):
    cj, bj = cond.jaxpr, body.jaxpr
    carry_vars = bj.invars[body_nconsts:]
    avals = [v.aval for v in cj.invars + bj.invars + bj.outvars]
    if not all(_dtype_ok(a) for a in avals) or not any(a.shape != () for a in avals):
        return None
    args, pre = _LoopArgs(), []
    carry = [f"x{i}" for i in range(len(carry_vars))]

    def consts(invars, prefix):
        names, arrays = [], {}
        for i, v in enumerate(invars):
            if v.aval.shape != ():
                _whole_arg(args, f"{prefix}{i}", v.aval, None, pre)
                arrays[v] = False
            else:
                args.add(f"{prefix}{i}", "scalar", v.aval.dtype)
            names.append(f"{prefix}{i}")
        return names, arrays
    ck, c_arrays = consts(cj.invars[:cond_nconsts], "ck")
    bk, b_arrays = consts(bj.invars[:body_nconsts], "bk")
    for i, v in enumerate(carry_vars):
        if v.aval.shape != ():
            _whole_arg(args, f"c{i}", v.aval, carry[i], pre)
        else:
            args.add(f"c{i}", "scalar", v.aval.dtype)
            pre.append(f"    {carry[i]} = c{i}")
    c_arrays.update({v: False for v in cj.invars[cond_nconsts:] if v.aval.shape != ()})
    b_arrays.update({v: True for v in carry_vars if v.aval.shape != ()})
    em, clines, blines = _Emitter(), [], []
    pred = em.emit(cj, cond.consts, ck + carry, clines, " " * 8, arrays=c_arrays)
    outs = em.emit(bj, body.consts, bk + carry, blines, " " * 8, arrays=b_arrays)
    if pred is None or outs is None or not _carries_distinct(em, outs, [v.aval for v in bj.outvars], carry):
        return None
    lines = pre + ["    while True:"] + clines + [f"        if not {pred[0]}:", "            break"]
    lines += blines + [f"        {', '.join(carry)}, = {', '.join(outs)},"]
    lines.append(f"    return ({', '.join(carry)},)")
    src = f"def _while_loop({', '.join(args.names)}):\n" + "\n".join(lines) + "\n"
    tiered = _tiered("_while_loop", src, em.glob, args.numba_types, args.signature())
    convert_in = args.converters(1)
    convert_out = [np.dtype(v.aval.dtype).type if v.aval.shape == () else None for v in bj.outvars]

    def run(*a):
        kernel = tiered.get()
        if kernel is None:
            return fallback(*a)
        res = kernel(*[c(x) for c, x in zip(convert_in, a)])
        return [c(r) if c is not None else r for c, r in zip(convert_out, res)]
    run.__jaxlite_native__ = tiered
    run.__jaxlite_source__ = src
    return run


# ---------------------------------------------------------------------------------------------------
# Fused elementwise chains
# ---------------------------------------------------------------------------------------------------

# A chain is fused when its arrays have at least this many elements (below, NumPy's few ufunc calls
# cost less than entering a compiled kernel) and it has at least two equations.
FUSE_MIN_SIZE = 4096
# (One thread: a chain is memory-bound, and numba's parallel loops stall on a loaded machine -- 1M
# floats took 11-14 ms in parallel against 0.1-0.3 ms on one thread with other jobs running.)

fused_p = Primitive("numba_fused")
fused_p.multiple_results = True


def _fusible(eqn, shape, inner=False) -> bool:
    """Whether ``eqn`` can join a fused chain over arrays of ``shape`` (``inner``: an equation inside a
    nested jit or custom_jvp/vjp call of the chain, which may also compute scalars)."""
    call = _inner_jaxpr(eqn)
    if call is not None:  # a nested jit (jnp.where, ...) or custom_jvp (jax.nn.relu, ...): inlined
        avals = [v.aval for v in eqn.invars] + [v.aval for v in eqn.outvars]
        if eqn.effects or not all(_dtype_ok(a) and a.shape in ((), shape) for a in avals):
            return False
        if not inner and any(v.aval.shape != shape for v in eqn.outvars):
            return False
        return all(_fusible(e, shape, inner=True) for e in call.jaxpr.eqns)
    if eqn.primitive.name == "broadcast_in_dim" and len(eqn.invars) == 1 and not inner:
        # a broadcast array operand (a bias vector, ...): read in place by the kernel (fused_kernel)
        a, out = eqn.invars[0].aval, eqn.outvars[0].aval
        return (out.shape == shape and _dtype_ok(a) and a.dtype == out.dtype
                and type(eqn.invars[0]) is not Literal)
    rule = _RULES.get(eqn.primitive)
    if rule is None or len(eqn.outvars) != 1 or eqn.effects:
        return False
    # Transcendental functions stay NumPy's: its SIMD routines are many times faster than the C
    # library's scalar ones numba would call (tanh: ~1.5 ns against ~28 ns an element), and they give
    # the NumPy backend's bits. A chain fuses the arithmetic on either side of them.
    if eqn.primitive in _LIBM:
        return False
    if (eqn.primitive in _LIBM_POW and eqn.outvars[0].aval.dtype.kind == "f"
            and eqn.params["y"] not in (0, 1, 2)):
        return False
    out = eqn.outvars[0].aval
    if not (out.shape == shape or (inner and out.shape == ())) or not _dtype_ok(out):
        return False
    return all(_dtype_ok(v.aval) and (v.aval.shape in ((), shape) or _degenerate(v.aval.shape, shape))
               for v in eqn.invars)


def _degenerate(op_shape, shape) -> bool:
    """Whether an operand of ``op_shape`` broadcasts to ``shape`` through dimensions of size 1 (as
    ``x - b[None, :]``: lax's elementwise operations take such operands)."""
    return (len(op_shape) == len(shape) and op_shape != shape
            and all(int(a) in (1, int(b)) for a, b in zip(op_shape, shape)))


def fuse(eqns, outvars, fusion_rules):
    """``eqns`` with each run of fusible elementwise equations replaced by one ``numba_fused`` equation
    (its ``kernel`` param is the runner), for ``numpy_backend.compile_jaxpr``. ``fusion_rules``: the
    NumPy backend's fusions (``rule(eqn, producers) -> (fn, operands) | None``)."""
    _install_rules()
    # An equation whose fusion rule applies (with its operands' producers at hand, or without them:
    # a rule may also decide from a producer's absence) stays out of chains, and so do its operands'
    # producers: the rule must see them as the NumPy backend does.
    fed_to_fusion, no_chain = set(), set()
    producers = {}
    for eqn in eqns:
        rule = fusion_rules.get(eqn.primitive)
        if rule is not None and (rule(eqn, producers) is not None or rule(eqn, {}) is not None):
            no_chain.add(id(eqn))
            fed_to_fusion.update(v for v in eqn.invars if type(v) is not Literal)
        if len(eqn.outvars) == 1:
            producers[eqn.outvars[0]] = eqn
    uses_after = {}
    for i, eqn in enumerate(eqns):
        for v in eqn.invars:
            if type(v) is not Literal:
                uses_after[v] = i
    final = {v for v in outvars if type(v) is not Literal}
    out, run, shape = [], [], None
    hoisted = []  # equations met inside a run that do not read it: they run before the fused kernel
    run_vars = set()

    def flush(end):
        nonlocal run, hoisted
        fused = _fused_eqn(run, uses_after, final, end) if len(run) >= 2 else None
        out.extend(hoisted)
        if fused is not None:
            out.append(fused)
        else:
            out.extend(run)
        run, hoisted = [], []
        run_vars.clear()

    for idx, eqn in enumerate(eqns):
        ok = (eqn.outvars and eqn.outvars[0] not in fed_to_fusion and id(eqn) not in no_chain and
              eqn.outvars[0].aval.shape != () and _size(eqn.outvars[0].aval.shape) >= FUSE_MIN_SIZE)
        if ok:
            s = eqn.outvars[0].aval.shape
            ok = _fusible(eqn, s)
            if ok and run and s != shape:
                flush(idx)
            if ok:
                shape = s
                run.append(eqn)
                run_vars.update(eqn.outvars)
                continue
        if run and not eqn.effects and not any(v in run_vars for v in eqn.invars
                                               if type(v) is not Literal):
            hoisted.append(eqn)
            continue
        flush(idx)
        out.append(eqn)
    flush(len(eqns))
    return out


def _broadcast_index(op_shape, dims):
    """The flat index into a C-contiguous operand of ``op_shape`` that ``broadcast_in_dim`` (operand
    axis k -> output axis ``dims[k]``) reads at the output position (i0, i1, ...)."""
    terms, stride = [], 1
    for k in range(len(op_shape) - 1, -1, -1):
        if int(op_shape[k]) != 1:
            terms.append(f"i{dims[k]}" if stride == 1 else f"i{dims[k]} * {stride}")
        stride *= int(op_shape[k])
    return " + ".join(reversed(terms)) or "0"


def _size(shape):
    n = 1
    for d in shape:
        n *= int(d)
    return n


def _fused_eqn(run, uses_after, final, end):
    defined = {v for e in run for v in e.outvars}
    ins, seen = [], set()
    for e in run:
        for v in e.invars:
            if type(v) is not Literal and v not in defined and v not in seen:
                seen.add(v)
                ins.append(v)
    outs = [v for e in run for v in e.outvars
            if not isinstance(v, DropVar) and (v in final or uses_after.get(v, -1) >= end)]
    sub = Jaxpr([], ins, outs, run)
    try:
        kernel = fused_kernel(sub)
    except Exception:  # noqa: BLE001 -- a chain the generator does not handle: NumPy runs it
        kernel = None
    if kernel is None:
        return None
    return JaxprEqn(ins, outs, fused_p, {"kernel": kernel})


def fused_kernel(jaxpr: Jaxpr):
    """A runner ``f(*arrays) -> list`` computing the elementwise ``jaxpr`` in one compiled pass.

    Inputs of the output shape are read at the flat index ``i``, scalars as they are; an input that a
    ``broadcast_in_dim`` of the chain broadcasts (a bias vector, a column, ...) is read where the
    broadcast puts it: then the kernel loops over the output's dimensions (the last one innermost)."""
    from jaxlite._src.backend import numpy_backend
    shape = jaxpr.outvars[0].aval.shape
    n = _size(shape)
    nd = len(shape)
    em = _Emitter()
    bcast = {}  # broadcast operand var -> [(outvar, index expression)]
    eqns = []
    for e in jaxpr.eqns:
        if e.primitive.name == "broadcast_in_dim" and e.invars[0].aval.shape not in ((), shape):
            bcast.setdefault(e.invars[0], []).append((e.outvars[0], _broadcast_index(
                e.invars[0].aval.shape, tuple(e.params["broadcast_dimensions"]))))
        else:
            eqns.append(e)
    for v in jaxpr.invars:  # operands broadcast through size-1 dimensions
        if _degenerate(v.aval.shape, shape):
            bcast.setdefault(v, []).append((v, _broadcast_index(v.aval.shape, tuple(range(nd)))))
    kinds = ["b" if v in bcast else ("a" if v.aval.shape != () else "s") for v in jaxpr.invars]
    if any(k == "a" and v.aval.shape != shape for k, v in zip(kinds, jaxpr.invars)):
        return None
    names = [f"a{i}" for i in range(len(kinds))]
    ins, sub_invars = [], []
    for v, nm, kind in zip(jaxpr.invars, names, kinds):
        if kind == "b":
            for outvar, idx in bcast[v]:
                sub_invars.append(outvar)
                ins.append(f"{nm}[{idx}]")
        else:
            sub_invars.append(v)
            ins.append(f"{nm}[i]" if kind == "a" else nm)
    loops = nd if bcast else 1
    body = []
    shapes = ((), shape) + tuple({v.aval.shape for v in jaxpr.invars if _degenerate(v.aval.shape, shape)})
    outs = em.emit(Jaxpr([], sub_invars, jaxpr.outvars, eqns), (), ins, body,
                   " " * (4 * loops + 4), shapes=shapes)
    if outs is None:
        return None
    outn = [f"o{k}" for k in range(len(outs))]
    if bcast:  # nested loops over the output's dimensions; i is the flat index
        lines = []
        for d in range(nd):
            pad = " " * (4 * d + 4)
            lines.append(f"{pad}for i{d} in range({int(shape[d])}):")
        flat = "i0"
        for d in range(1, nd):
            flat = f"({flat}) * {int(shape[d])} + i{d}"
        lines.append(" " * (4 * nd + 4) + f"i = {flat}")
        lines += body
        lines += [" " * (4 * nd + 4) + f"{o}[i] = {r}" for o, r in zip(outn, outs)]
    else:
        lines = ["    for i in range(n):"] + body
        lines += [f"        {o}[i] = {r}" for o, r in zip(outn, outs)]
    src = f"def _fused(n, {', '.join(names + outn)}):\n" + "\n".join(lines) + "\n"
    glob = dict(em.glob)
    in_dtypes = [np.dtype(v.aval.dtype) for v in jaxpr.invars]
    out_dtypes = [np.dtype(v.aval.dtype) for v in jaxpr.outvars]

    def arg_types(numba):
        return ([numba.intp] + [(_nb_scalar if k == "s" else _nb_vector)(numba, d)
                                for k, d in zip(kinds, in_dtypes)]
                + [_nb_vector(numba, d) for d in out_dtypes])
    signature = (tuple(kinds), tuple(d.str for d in in_dtypes), tuple(d.str for d in out_dtypes))
    tiered = _tiered("_fused", src, glob, arg_types, signature)
    fallback = numpy_backend.compile_jaxpr(jaxpr, (), backend="numpy")
    ascontiguous, empty = np.ascontiguousarray, np.empty
    convs = [(lambda a, d=d: ascontiguous(a, d).reshape(-1)) if k != "s" else d.type
             for k, d in zip(kinds, in_dtypes)]

    def run(*args):
        kernel = tiered.get()
        if kernel is None:
            return fallback(*args)
        ins = [c(a) for c, a in zip(convs, args)]
        res = [empty(shape, d) for d in out_dtypes]
        flat = [r.reshape(-1) for r in res]
        kernel(n, *ins, *flat)
        return res
    run.__jaxlite_native__ = tiered
    return run
