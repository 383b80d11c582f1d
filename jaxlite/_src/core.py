"""The core: abstract values, primitives, traces and tracers, jaxprs.

Everything a user calls ends in ``primitive.bind(*args, **params)``. ``bind`` hands the work to the
*current trace*: the eval trace runs the primitive's ``impl``; the JVP trace runs its jvp rule; the batch
trace its batch rule; the jaxpr trace records an equation. A transform's trace remembers its parent
trace and binds the primitives its rules produce under that parent, so transforms compose by nesting
(the "stackless" design of current JAX, and of autodidax2).
"""
from __future__ import annotations

import itertools
import contextlib
import threading
from contextlib import contextmanager
from typing import Any, Callable, Sequence

import numpy as np

from jaxlite._src import dtypes
from jaxlite._src.config import config as _config
from jaxlite._src.config import x64_enabled
from jaxlite._src.errors import (ConcretizationTypeError, TracerArrayConversionError,
                                 TracerBoolConversionError, TracerIntegerConversionError,
                                 UnexpectedTracerError)

# ---------------------------------------------------------------------------------------------------
# Abstract values
# ---------------------------------------------------------------------------------------------------

_SHORT = {
    "float16": "f16", "float32": "f32", "float64": "f64", "bfloat16": "bf16",
    "int8": "i8", "int16": "i16", "int32": "i32", "int64": "i64",
    "uint8": "u8", "uint16": "u16", "uint32": "u32", "uint64": "u64",
    "complex64": "c64", "complex128": "c128", "bool": "bool",
    "int4": "i4", "uint4": "u4", "float8_e4m3fn": "f8_e4m3fn", "float8_e5m2": "f8_e5m2",
}


def short_dtype_name(dtype) -> str:
    if isinstance(dtype, dtypes.ExtendedDType):  # e.g. key<fry> (typed PRNG keys, _src/prng.py)
        return dtype.name
    if dtypes.is_float0(dtype):
        return "float0"
    name = np.dtype(dtype).name
    return _SHORT.get(name, name)


class ShapedArray:
    """The abstract value of an array: shape, dtype and whether its dtype is weak (from a Python scalar)."""

    __slots__ = ("shape", "dtype", "weak_type", "_hash")
    array_abstraction_level = 1

    def __init__(self, shape, dtype, weak_type: bool = False):
        self.shape = tuple(shape)
        # extended dtypes (key<fry>) are not NumPy dtypes; their rules live with them (_src/prng.py)
        self.dtype = dtype if isinstance(dtype, dtypes.ExtendedDType) else np.dtype(dtype)
        self.weak_type = bool(weak_type)
        self._hash = None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def update(self, shape=None, dtype=None, weak_type=None) -> "ShapedArray":
        return ShapedArray(self.shape if shape is None else shape,
                           self.dtype if dtype is None else dtype,
                           self.weak_type if weak_type is None else weak_type)

    def strip_weak_type(self) -> "ShapedArray":
        return self if not self.weak_type else ShapedArray(self.shape, self.dtype, False)

    def str_short(self, short_dtypes: bool = True) -> str:
        name = short_dtype_name(self.dtype) if short_dtypes else self.dtype.name
        return f"{name}[{','.join(str(d) for d in self.shape)}]"

    def __eq__(self, other):
        return (type(other) is ShapedArray and self.shape == other.shape and self.dtype == other.dtype
                and self.weak_type == other.weak_type)

    def __hash__(self):
        if self._hash is None:
            self._hash = hash((self.shape, self.dtype, self.weak_type))
        return self._hash

    def __repr__(self):
        weak = ", weak_type=True" if self.weak_type else ""
        return f"ShapedArray({self.str_short(short_dtypes=False)}{weak})"

    def __str__(self):
        return ("~" if self.weak_type else "") + self.str_short(short_dtypes=False)

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def at_least_vspace(self) -> "ShapedArray":
        """The aval of this value's tangents/cotangents (float0 for integer and boolean values)."""
        if dtypes.issubdtype(self.dtype, np.inexact):
            return ShapedArray(self.shape, self.dtype, self.weak_type)
        return ShapedArray(self.shape, dtypes.float0, False)

    to_tangent_aval = at_least_vspace


class AbstractToken:
    shape = ()
    dtype = np.dtype(bool)
    weak_type = False

    def str_short(self, short_dtypes=True):
        return "Tok"


abstract_token = AbstractToken()

# ---------------------------------------------------------------------------------------------------
# Primitives
# ---------------------------------------------------------------------------------------------------


class Primitive:
    """One operation. Its rules (impl, abstract eval here; jvp, transpose, batch in the interpreters'
    tables) are registered next to its definition in ``_src/lax/<family>.py``."""

    multiple_results = False
    call_primitive = False

    def __init__(self, name: str):
        self.name = name
        self.impl: Callable | None = None
        self.abstract_eval: Callable | None = None
        # optional custom printing of params in jaxprs: f(params) -> dict of shown params
        self.pp_params: Callable | None = None
        # params printed before the (otherwise sorted) rest, e.g. jit's ``name``
        self.pp_params_first: tuple = ()
        # name of a param holding a sub-jaxpr whose binders print with the names of the eqn's atoms
        self.pp_alias_jaxpr: str | None = None

    def __repr__(self):
        return self.name

    def def_impl(self, impl):
        self.impl = impl
        return impl

    def def_abstract_eval(self, rule):
        self.abstract_eval = rule
        return rule

    def bind(self, *args, **params):
        return trace_ctx.trace.process_primitive(self, args, params)

    # convenience used by eager evaluation and the compilers
    def abstract_eval_avals(self, avals, params):
        if self.abstract_eval is None:
            raise NotImplementedError(f"abstract evaluation rule for primitive '{self.name}'")
        return self.abstract_eval(*avals, **params)


# ---------------------------------------------------------------------------------------------------
# Traces and tracers
# ---------------------------------------------------------------------------------------------------


class Trace:
    """Interprets primitives. Subclasses: EvalTrace, DynamicJaxprTrace, JVPTrace, BatchTrace, ..."""

    parent_trace: "Trace | None" = None
    is_valid = True

    def process_primitive(self, primitive, args, params):
        raise NotImplementedError

    # Custom-derivative calls. By default a trace just runs the function itself; the JVP trace uses the
    # custom rule, the batch trace batches function and rules, the jaxpr trace stages a call equation.
    def process_custom_jvp_call(self, prim, info, args):
        with set_current_trace(self):
            return info.fun(*args)

    def process_custom_vjp_call(self, prim, info, args):
        with set_current_trace(self):
            return info.fun(*args)

    def invalidate(self):
        self.is_valid = False

    def ancestors(self):
        t = self
        while t is not None:
            yield t
            t = t.parent_trace

    def check_tracer(self, tracer):
        """Raise UnexpectedTracerError for a tracer whose trace has ended or is unrelated to this one."""
        t = tracer._trace
        if not t.is_valid:
            raise UnexpectedTracerError(_leak_message(tracer))
        for anc in self.ancestors():
            if anc is t:
                return
        raise UnexpectedTracerError(_leak_message(tracer))


def _leak_message(tracer):
    return (
        f"Encountered an unexpected tracer: {tracer!r}.\n"
        f"A value traced inside a transformed function ({tracer._trace.describe()}) escaped it, for example "
        "by being stored in a global, a closure or an object attribute, and was used after that "
        "transformation had finished. Return the value from the transformed function instead of storing "
        "it, or pass it in as an argument." + (f"\n{tracer._origin_msg()}" if tracer._origin_msg() else ""))


class TraceCtx(threading.local):
    def __init__(self):
        self.trace: Trace = eval_trace


class EvalTrace(Trace):
    """Runs primitives on concrete values (the default, outermost trace)."""

    parent_trace = None

    def describe(self):
        return "eager evaluation"

    def process_primitive(self, primitive, args, params):
        vals = []
        avals = []
        for a in args:
            if type(a) is Array:
                vals.append(a._value)
                avals.append(a.aval)
                continue
            if isinstance(a, Tracer):
                self.check_tracer(a)  # always raises: no tracer belongs to the eval trace
            v, aval = to_value_and_aval(a)
            vals.append(v)
            avals.append(aval)
        out_avals = _eager_abstract_eval(primitive, avals, params)
        if primitive.impl is None:
            raise NotImplementedError(f"eager implementation of primitive '{primitive.name}'")
        raw = getattr(primitive.impl, "__wrapped__", None)
        if type(raw) is np.ufunc and not params:
            # an elementwise ufunc (lax/elementwise.py ``_errstate``): switch NumPy's warnings off
            # through its context variable, much cheaper than entering ``np.errstate``
            err_set, err_reset, ignore = _errstate_hooks()
            tok = err_set(ignore)
            try:
                out = raw(*vals)
            finally:
                err_reset(tok)
        else:
            out = primitive.impl(*vals, **params)
        if primitive.multiple_results:
            outs = [_wrap(o, av) for o, av in zip(out, out_avals)]
            if _debug_checks_enabled():
                _check_nans(primitive, outs)
            if _eager_sharding_hook is not None:  # set by _src/sharding.py once shardings are in use
                return _eager_sharding_hook(primitive, args, params, outs)
            return outs
        res = _wrap(out, out_avals)
        if _debug_checks_enabled():
            _check_nans(primitive, [res])
        if _eager_sharding_hook is not None:
            return _eager_sharding_hook(primitive, args, params, res)
        return res


# Eager abstract evaluation is memoised on (primitive, input avals, params, tracing config): in eager
# code (e.g. ``grad`` without ``jit``) the same small set of signatures recurs on every call.
_eager_aval_cache: dict = {}


def _eager_abstract_eval(primitive, avals, params):
    try:
        key = (primitive, _config._trace_state, *avals, *params.items())
        hit = _eager_aval_cache.get(key)
    except TypeError:  # an unhashable param
        return primitive.abstract_eval_avals(avals, params)
    if hit is None:
        hit = primitive.abstract_eval_avals(avals, params)
        if len(_eager_aval_cache) > 8192:
            _eager_aval_cache.clear()
        _eager_aval_cache[key] = hit
    return hit


_ERRSTATE = None


def _errstate_hooks():
    global _ERRSTATE
    if _ERRSTATE is None:
        from jaxlite._src.backend.numpy_backend import _ERRSTATE as hooks
        _ERRSTATE = hooks
    return _ERRSTATE


def _wrap(v, aval):
    if isinstance(aval, AbstractToken):
        return v
    if isinstance(aval.dtype, dtypes.ExtendedDType):  # physical value -> e.g. a PRNGKeyArray
        return aval.dtype._rules.make_array(v, aval)
    if type(v) is not np.ndarray:
        v = np.asarray(v)
    if v.dtype != aval.dtype:
        v = v.astype(aval.dtype)
    return Array._from_np(v, aval.weak_type)


def _debug_checks_enabled():
    values = _config._values
    return values["jax_debug_nans"] or values["jax_debug_infs"]


def _check_nans(primitive, outs):
    from jaxlite._src.config import config
    for o in outs:
        v = getattr(o, "_value", None)
        if v is None or not dtypes.issubdtype(v.dtype, np.inexact):
            continue
        if config._values["jax_debug_nans"] and np.isnan(v).any():
            raise FloatingPointError(f"invalid value (nan) encountered in {primitive.name}")
        if config._values["jax_debug_infs"] and np.isinf(v).any():
            raise FloatingPointError(f"invalid value (inf) encountered in {primitive.name}")


eval_trace = EvalTrace()
trace_ctx = TraceCtx()
_eager_sharding_hook = None


@contextmanager
def set_current_trace(trace: Trace):
    prev = trace_ctx.trace
    trace_ctx.trace = trace
    try:
        yield trace
    finally:
        trace_ctx.trace = prev


def current_trace() -> Trace:
    return trace_ctx.trace


class Tracer:
    """A value inside a transformation. Its methods and operators are those of Array (installed by
    ``_src/array.py``); what it does when a primitive sees it is decided by its trace."""

    __slots__ = ("_trace", "__weakref__")
    __array_priority__ = 1000
    aval: ShapedArray

    def to_concrete_value(self):
        """The concrete value behind this tracer if there is one (e.g. the primal of a JVP), else None."""
        return None

    def _origin_msg(self) -> str:
        return ""

    # shape/dtype come from the aval
    @property
    def shape(self):
        return self.aval.shape

    @property
    def dtype(self):
        return self.aval.dtype

    @property
    def ndim(self):
        return len(self.aval.shape)

    @property
    def size(self):
        return self.aval.size

    @property
    def weak_type(self):
        return self.aval.weak_type

    def __len__(self):
        if not self.aval.shape:
            raise TypeError("len() of unsized object")
        return self.aval.shape[0]

    def __bool__(self):
        v = self.to_concrete_value()
        if v is None:
            raise TracerBoolConversionError(self)
        return bool(v)

    def __index__(self):
        v = self.to_concrete_value()
        if v is None or not dtypes.issubdtype(self.aval.dtype, np.integer):
            raise TracerIntegerConversionError(self)
        return int(v)

    def __int__(self):
        v = self.to_concrete_value()
        if v is None:
            raise ConcretizationTypeError(self, "The problem arose with the `int` function.")
        return int(v)

    def __float__(self):
        v = self.to_concrete_value()
        if v is None:
            raise ConcretizationTypeError(self, "The problem arose with the `float` function.")
        return float(v)

    def __complex__(self):
        v = self.to_concrete_value()
        if v is None:
            raise ConcretizationTypeError(self, "The problem arose with the `complex` function.")
        return complex(v)

    def __array__(self, dtype=None, copy=None):
        v = self.to_concrete_value()
        if v is None:
            raise TracerArrayConversionError(self)
        return np.asarray(v, dtype=dtype)

    def item(self, *args):
        v = self.to_concrete_value()
        if v is None:
            raise ConcretizationTypeError(self, "The problem arose with the `item` method.")
        return np.asarray(v).item(*args)

    def tolist(self):
        v = self.to_concrete_value()
        if v is None:
            raise ConcretizationTypeError(self, "The problem arose with the `tolist` method.")
        return np.asarray(v).tolist()

    def __iter__(self):
        if not self.aval.shape:
            raise TypeError("iteration over a 0-d array")
        from jaxlite._src.numpy import lax_numpy
        return iter(lax_numpy._unstack(self))

    def __hash__(self):
        raise TypeError(f"unhashable type: {type(self).__name__} (a traced array)")

    def __setitem__(self, idx, value):
        raise TypeError(
            "JAX arrays are immutable and do not support in-place item assignment. Instead of "
            "x[idx] = y, use x = x.at[idx].set(y) or another .at[] method: "
            "https://docs.jax.dev/en/latest/_autosummary/jax.numpy.ndarray.at.html")

    def __repr__(self):
        return f"{type(self).__name__}<{self.aval.str_short(short_dtypes=False)}>"

    def __str__(self):
        return self.__repr__()

    def __reduce__(self):
        raise TypeError("traced arrays cannot be pickled")


def is_concrete(x) -> bool:
    if isinstance(x, Tracer):
        return x.to_concrete_value() is not None
    return True


def concrete_or_error(force, val, context=""):
    """Return ``force(concrete value of val)``; raise ConcretizationTypeError if ``val`` is abstract."""
    if isinstance(val, Tracer):
        v = val.to_concrete_value()
        if v is None:
            raise ConcretizationTypeError(val, context)
        val = v
    elif isinstance(val, Array):
        val = val._value
    return val if force is None else force(val)


# ---------------------------------------------------------------------------------------------------
# Values <-> abstract values
# ---------------------------------------------------------------------------------------------------

_PY_SCALARS = (bool, int, float, complex)


def to_value_and_aval(x):
    """Concrete NumPy value and aval of an eager value (Array, NumPy array/scalar, Python scalar)."""
    t = type(x)
    if t is Array:
        return x._value, x.aval
    if isinstance(x, np.ndarray) and hasattr(x, "aval"):  # a typed literal value (TypedNdArray)
        return np.asarray(x), x.aval
    if t is np.ndarray or isinstance(x, np.generic):
        dt = dtypes.canonicalize_dtype(x.dtype)
        v = np.asarray(x)
        if v.dtype != dt:
            v = v.astype(dt)
        return v, ShapedArray(v.shape, dt, False)
    if t in _PY_SCALARS:
        v = coerce_python_scalar(x)
        return v, ShapedArray((), v.dtype, t is not bool)
    if isinstance(x, Array):
        return x._value, x.aval
    if isinstance(x, _PY_SCALARS):  # subclasses, e.g. IntEnum
        return to_value_and_aval(t.__mro__[[c in _PY_SCALARS for c in t.__mro__].index(True)](x))
    if hasattr(x, "__jax_array__"):
        return to_value_and_aval(x.__jax_array__())
    raise TypeError(f"Value {x!r} with type {t} is not a valid JAX type")


def coerce_python_scalar(x, dtype=None):
    """A Python scalar as a 0-d NumPy array of its (canonical, weak) JAX dtype."""
    t = type(x)
    if dtype is None:
        dtype = _scalar_dtype_cache.get((t, x64_enabled()))
        if dtype is None:
            dtype = dtypes.canonicalize_dtype(dtypes.python_scalar_dtypes[t])
            _scalar_dtype_cache[(t, x64_enabled())] = dtype
    if t is int and dtype.kind in "iu":
        info = np.iinfo(dtype)
        if not info.min <= x <= info.max:
            raise OverflowError(f"Python int {x} too large to convert to {dtype.name}")
    return np.asarray(x, dtype)


_scalar_dtype_cache: dict = {}


def get_aval(x):
    if isinstance(x, Tracer):
        return x.aval
    if type(x) is Array:
        return x.aval
    return to_value_and_aval(x)[1]


def valid_jaxtype(x) -> bool:
    try:
        get_aval(x)
    except TypeError:
        return False
    return True


def raise_as_much_as_possible(x):  # compatibility shim used by a few libraries
    return x


# ---------------------------------------------------------------------------------------------------
# Jaxprs
# ---------------------------------------------------------------------------------------------------

_var_counter = itertools.count()


class Var:
    """A variable in a jaxpr. Names (a, b, ...) are given when the jaxpr is printed."""

    __slots__ = ("aval", "count")

    def __init__(self, aval):
        self.aval = aval
        self.count = next(_var_counter)

    def __repr__(self):
        return f"Var(id={self.count}):{self.aval.str_short()}"


class DropVar(Var):
    """An output nobody reads; prints as ``_``."""

    __slots__ = ()

    def __repr__(self):
        return "_"


class Literal:
    """A scalar constant inlined into an equation; prints as ``2.0:f32[]``."""

    __slots__ = ("val", "aval")

    def __init__(self, val, aval):
        if getattr(aval, "weak_type", False) and isinstance(val, (np.ndarray, np.generic)):
            # a weakly typed literal evaluates to a Python scalar, so that binding it stays weak
            val = val.item()
        self.val = val
        self.aval = aval

    def __repr__(self):
        return f"Literal({self.val})"


Atom = "Var | Literal"


class JaxprEqn:
    __slots__ = ("invars", "outvars", "primitive", "params", "effects", "source_info")

    def __init__(self, invars, outvars, primitive, params, effects=frozenset(), source_info=None):
        self.invars = list(invars)
        self.outvars = list(outvars)
        self.primitive = primitive
        self.params = params
        self.effects = effects
        self.source_info = source_info

    def replace(self, **kw):
        new = JaxprEqn(self.invars, self.outvars, self.primitive, self.params, self.effects,
                       self.source_info)
        for k, v in kw.items():
            setattr(new, k, v)
        return new

    def __repr__(self):
        return pp_eqn(self, _Names()).strip()


class Jaxpr:
    """A program: constvars and invars in, a list of equations, outvars out (JAX's field names)."""

    __slots__ = ("constvars", "invars", "outvars", "eqns", "effects", "debug_info")

    def __init__(self, constvars, invars, outvars, eqns, effects=frozenset(), debug_info=None):
        self.constvars = list(constvars)
        self.invars = list(invars)
        self.outvars = list(outvars)
        self.eqns = list(eqns)
        self.effects = effects
        self.debug_info = debug_info

    @property
    def in_avals(self):
        return [v.aval for v in self.invars]

    @property
    def out_avals(self):
        return [v.aval for v in self.outvars]

    def replace(self, **kw):
        new = Jaxpr(self.constvars, self.invars, self.outvars, self.eqns, self.effects, self.debug_info)
        for k, v in kw.items():
            setattr(new, k, v)
        return new

    def pretty_print(self, **kw):
        return pp_toplevel(self)

    def __str__(self):
        return self.pretty_print()

    __repr__ = __str__


class ClosedJaxpr:
    """A jaxpr together with the values of its constvars."""

    __slots__ = ("jaxpr", "consts", "_compiled", "__weakref__")

    def __init__(self, jaxpr: Jaxpr, consts: Sequence):
        self.jaxpr = jaxpr
        self.consts = list(consts)
        self._compiled = None

    @property
    def in_avals(self):
        return [v.aval for v in self.jaxpr.invars]

    @property
    def out_avals(self):
        return [v.aval for v in self.jaxpr.outvars]

    @property
    def literals(self):
        return self.consts

    @property
    def eqns(self):
        return self.jaxpr.eqns

    @property
    def effects(self):
        return self.jaxpr.effects

    def replace(self, **kw):
        return ClosedJaxpr(kw.get("jaxpr", self.jaxpr), kw.get("consts", self.consts))

    def pretty_print(self, **kw):
        return pp_toplevel(self.jaxpr)

    def __str__(self):
        return self.pretty_print()

    __repr__ = __str__

    # hashable by identity so that it can sit in params used as cache keys
    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other


def closed_call_jaxpr(jaxpr: Jaxpr) -> ClosedJaxpr:
    return ClosedJaxpr(jaxpr, [])


# ----- printing -------------------------------------------------------------------------------------

def _var_name(n: int) -> str:
    # a..z, ba..bz, ca.. (JAX's scheme: base-26 with 'a' as the zero digit after the first place)
    s = ""
    while True:
        s = chr(ord("a") + n % 26) + s
        n //= 26
        if n == 0:
            break
    return s


class _Names:
    """Variable names of a printed jaxpr; shared by nested jaxprs so that every name is unique."""

    def __init__(self, preset=None):
        self.names = dict(preset or {})
        self.count = 0
        self.shared: dict = {}     # sub-jaxprs printed once at the top: Jaxpr -> name
        self.skip: set = set()     # names taken by shared jaxprs

    def __call__(self, v):
        if isinstance(v, Literal):
            return pp_literal(v)
        if isinstance(v, DropVar):
            return "_"
        n = self.names.get(v)
        if n is None:
            n = _var_name(self.count)
            self.count += 1
            while n in self.skip:
                n = _var_name(self.count)
                self.count += 1
            self.names[v] = n
        return n

    def suggest_same(self, for_vars, like_vars):
        """Name each of ``for_vars`` (binders of a sub-jaxpr) like the atom it is bound to."""
        if len(for_vars) != len(like_vars):
            return
        used = set()
        for f, l in zip(for_vars, like_vars):
            if (isinstance(l, Var) and not isinstance(l, Literal) and l not in used
                    and isinstance(f, Var) and f not in self.names):
                used.add(l)
                self.names[f] = self(l)

    def state(self):
        return dict(self.names), self.count

    def restore(self, state):
        self.names, self.count = dict(state[0]), state[1]


def _dropvars(jaxpr) -> dict:
    """Outputs of equations that nothing reads print as ``_``."""
    names = {}
    used = {v for v in jaxpr.outvars if isinstance(v, Var)}
    for eqn in reversed(jaxpr.eqns):
        for v in eqn.outvars:
            if v not in used:
                names[v] = "_"
        used.update(v for v in eqn.invars if isinstance(v, Var))
    return names


def pp_literal(lit: Literal) -> str:
    val = lit.val
    if isinstance(val, Array):
        val = val._value
    v = np.asarray(val)
    if v.dtype == np.bool_:
        s = str(bool(v))
    elif v.dtype == dtypes.float0:  # the text of its empty NumPy record, as JAX prints it
        s = str(v[()])
    elif np.issubdtype(v.dtype, np.integer):
        s = str(int(v))
    elif np.issubdtype(v.dtype, np.complexfloating):
        s = str(complex(v))
    else:
        # JAX prints a weak literal as the Python scalar the user wrote (0.3), and a typed one as the
        # double value of its float (1.0000000200408773e+20); our weak literals were rounded to their
        # dtype, whose shortest repr gives back what was written
        if lit.aval.weak_type:
            s = str(np.asarray(v, lit.aval.dtype)[()])
        else:
            f = float(v)
            s = repr(f) if np.isfinite(f) else str(f)
    return f"{s}:{lit.aval.str_short()}"


def _jaxprs_in_params(params):
    for val in params.values():
        for v in (val if isinstance(val, tuple) else (val,)):
            if isinstance(v, Jaxpr):
                yield v
            elif isinstance(v, ClosedJaxpr):
                yield v.jaxpr


def pp_toplevel(jaxpr: Jaxpr) -> str:
    """Print ``jaxpr``; sub-jaxprs used more than once (or with more than 10 equations) are printed
    first, as ``let name = { ... } in``, and referred to by name, as JAX does."""
    names = _Names(_dropvars(jaxpr))
    counts: dict = {}
    labels: dict = {}
    queue = [jaxpr]
    while queue:
        j = queue.pop(0)
        counts[j] = counts.get(j, 0) + 1
        if j is not jaxpr and len(j.eqns) > 10:
            counts[j] += 1
        for eqn in j.eqns:
            label = eqn.params.get("name")
            subs = list(_jaxprs_in_params(eqn.params))
            queue.extend(subs)
            if isinstance(label, str):
                for sub in subs:
                    labels.setdefault(sub, label.strip("<>"))
    used: dict = {}
    shared = []
    for j, c in counts.items():
        if c == 1:
            continue
        label = labels.get(j, "jaxpr")
        n = used.get(label, 0)
        if n > 0:
            used[label] = n + 1
            label += str(n)
            used[label] = used.get(label, 0) + 1
        else:
            used[label] = 1
        names.skip.add(label)
        names.shared[j] = label
        shared.append((label, j))
    out = []
    for label, j in shared:
        del names.shared[j]  # print its body this once
        body = pp_jaxpr(j, names, indent=0, col=len(label) + 7)
        names.shared[j] = label
        out.append(f"let {label} = {body} in\n")
    out.append(pp_jaxpr(jaxpr, names, indent=0))
    return "".join(out)


def _pp_param_value(v, names, indent, col=None):
    if isinstance(v, ClosedJaxpr):
        return pp_jaxpr(v.jaxpr, names, indent + 2, consts=v.consts, col=col)
    if isinstance(v, Jaxpr):
        return pp_jaxpr(v, names, indent + 2, col=col)
    if isinstance(v, (tuple, list)) and v and all(isinstance(e, (ClosedJaxpr, Jaxpr)) for e in v):
        inner = [_pp_param_value(e, names, indent + 2) for e in v]
        pad = " " * (indent + 4)
        return "(\n" + "".join(f"{pad}{s}\n" for s in inner) + " " * (indent + 2) + ")"
    if isinstance(v, np.dtype):
        return v.name
    if isinstance(v, type) and issubclass(v, np.generic):
        return np.dtype(v).name
    if callable(v) and hasattr(v, "__name__") and not isinstance(v, (tuple, list)):
        return v.__name__
    return str(v)


WIDTH = 80


def _sub_jaxpr(eqn, prim):
    sub = eqn.params[prim.pp_alias_jaxpr]
    return sub.jaxpr if isinstance(sub, ClosedJaxpr) else sub


def pp_eqn(eqn: JaxprEqn, names: _Names, indent: int = 4, flat: bool = False) -> str:
    """One equation. ``flat``: params on one line (used when the whole jaxpr fits on a line)."""
    prim = eqn.primitive
    params = eqn.params if prim.pp_params is None else prim.pp_params(eqn.params)
    if prim.pp_alias_jaxpr is not None and _sub_jaxpr(eqn, prim) not in names.shared:
        # a call primitive's sub-jaxpr binders take the names of the atoms bound to them (as JAX)
        sub = _sub_jaxpr(eqn, prim)
        names.suggest_same(sub.invars, eqn.invars)
        names.suggest_same(sub.outvars, eqn.outvars)
    outs = [f"{names(v)}:{v.aval.str_short()}" if not isinstance(v, DropVar) else f"_:{v.aval.str_short()}"
            for v in eqn.outvars]
    pad = " " * indent
    wrap = not flat  # (in a one-line jaxpr nothing wraps)
    lhs = pad + (_fill(outs, "", indent, indent + 2, wrap) + " = " if outs else "")  # no outputs: no "="
    ins = [names(v) for v in eqn.invars]

    def operands(line):  # the operands after the text ``line`` (and a space, even with none, as JAX)
        return line + " " + _fill(ins, "", _col(line) + 1, indent + 2, wrap)
    if not params:
        return operands(lhs + prim.name) if ins else lhs + prim.name
    # the params are printed (and sub-jaxprs named) before the operands, as JAX does
    first = [k for k in prim.pp_params_first if k in params]
    order = first + sorted(k for k in params if k not in first)
    # a sub-jaxpr starts after ``k=`` on its own line when the params break over lines
    items = [(k, _pp_param_value(params[k], names, indent, col=indent + 3 + len(k))) for k in order]
    one_line = f"{lhs}{prim.name}[{' '.join(f'{k}={s}' for k, s in items)}]"
    multi = any("\n" in s for _, s in items)
    # like JAX's printer, only the params group must fit: the operands after it may overflow
    if flat or (not multi and _col(one_line) <= WIDTH):
        return operands(one_line)
    inner_pad = " " * (indent + 2)
    body = "".join(f"{inner_pad}{k}={s}\n" for k, s in items)
    return operands(f"{lhs}{prim.name}[\n{body}{pad}]")


def _col(text: str) -> int:
    """The column after ``text`` (the length of its last line)."""
    return len(text) - text.rfind("\n") - 1


def _fill(items, sep: str, col: int, indent: int, wrap: bool = True) -> str:
    """``items`` joined by ``sep`` and a space, starting at column ``col``; as JAX's printer (each space is
    its own group), a space becomes a new line at ``indent`` where the line already reaches WIDTH."""
    out, at = [], col
    for i, item in enumerate(items):
        if i:
            out.append(sep)
            at += len(sep)
            if wrap and at + 1 > WIDTH:
                out.append("\n" + " " * indent)
                at = indent
            else:
                out.append(" ")
                at += 1
        out.append(item)
        at += len(item)
    return "".join(out)


def pp_jaxpr(jaxpr: Jaxpr, names: _Names, indent: int = 0, consts=None, col=None) -> str:
    """``indent``: the nesting of the jaxpr's lines; ``col``: the column where it starts (for the
    does-it-fit-on-one-line test; defaults to ``indent``)."""
    if jaxpr in names.shared:
        return names.shared[jaxpr]
    cvars = " ".join(f"{names(v)}:{v.aval.str_short()}" for v in jaxpr.constvars)
    ivars = " ".join(f"{names(v)}:{v.aval.str_short()}" for v in jaxpr.invars)
    head = f"{{ lambda {cvars}; {ivars}. let" if cvars else f"{{ lambda ; {ivars}. let"
    saved = names.state()
    eqn_lines = [pp_eqn(e, names, 0, flat=True) for e in jaxpr.eqns]
    outs = " ".join(names(v) for v in jaxpr.outvars)
    outs_c = ", ".join(names(v) for v in jaxpr.outvars)
    out_tuple = f"({outs_c},)" if len(jaxpr.outvars) == 1 else f"({outs_c})"
    flat = f"{head} {'; '.join(eqn_lines)} in {out_tuple} }}"
    if "\n" not in flat and len(flat) + (indent if col is None else col) <= WIDTH:
        return flat
    names.restore(saved)  # name again in the same order for the multi-line form
    start = indent if col is None else col
    head = "{ lambda " + _fill([f"{names(v)}:{v.aval.str_short()}" for v in jaxpr.constvars], "",
                               start + 9, indent + 4)
    head += "; " + _fill([f"{names(v)}:{v.aval.str_short()}" for v in jaxpr.invars], "",
                         _col(head) + 2 + (start if "\n" not in head else 0), indent + 4) + ". let"
    eqn_lines = [pp_eqn(e, names, indent + 4) for e in jaxpr.eqns]
    body = "\n".join(eqn_lines) or " " * (indent + 4)  # JAX keeps the indent of the empty body
    outs = _fill([names(v) for v in jaxpr.outvars], ",", indent + 6, indent + 4)
    out_tuple = f"({outs},)" if len(jaxpr.outvars) == 1 else f"({outs})"
    return f"{head}\n{body}\n{' ' * (indent + 2)}in {out_tuple} }}"


# ----- interpreting -----------------------------------------------------------------------------------

def eval_jaxpr(jaxpr: Jaxpr, consts, *args, propagate_source_info=True):
    """Evaluate ``jaxpr`` by binding each equation's primitive under the current trace."""
    env = {}

    def read(v):
        return v.val if type(v) is Literal else env[v]

    for v, x in zip(jaxpr.constvars, consts):
        env[v] = x
    if len(args) != len(jaxpr.invars):
        raise TypeError(f"eval_jaxpr: jaxpr takes {len(jaxpr.invars)} arguments, got {len(args)}")
    for v, x in zip(jaxpr.invars, args):
        env[v] = x
    for eqn in jaxpr.eqns:
        ins = [read(v) for v in eqn.invars]
        out = eqn.primitive.bind(*ins, **eqn.params)
        if eqn.primitive.multiple_results:
            for v, o in zip(eqn.outvars, out):
                env[v] = o
        else:
            env[eqn.outvars[0]] = out
    if any(type(v) is Literal for v in jaxpr.outvars):
        from jaxlite._src.literals import literal_value  # as JAX: typed values for literal outputs
        return [literal_value(v.val, v.aval) if type(v) is Literal else env[v] for v in jaxpr.outvars]
    return [read(v) for v in jaxpr.outvars]


def jaxpr_as_fun(closed: ClosedJaxpr):
    def fun(*args):
        return eval_jaxpr(closed.jaxpr, closed.consts, *args)
    return fun


def check_jaxpr(jaxpr: Jaxpr):
    """Check that every variable is defined before use and that avals agree with abstract eval."""
    defined = set(jaxpr.constvars) | set(jaxpr.invars)
    for eqn in jaxpr.eqns:
        for v in eqn.invars:
            if isinstance(v, Var) and v not in defined:
                raise TypeError(f"jaxpr uses undefined variable in {eqn.primitive.name}")
        defined.update(eqn.outvars)
    for v in jaxpr.outvars:
        if isinstance(v, Var) and v not in defined:
            raise TypeError("jaxpr output is an undefined variable")


def typeof(x):
    """The abstract value (``ShapedArray``) of ``x``."""
    return get_aval(x)


class _CompileTimeEvalTrace(EvalTrace):
    """Evaluates operations on concrete values at once, even inside jit; operations that involve a
    tracer are handed to the trace that was current when the block was entered."""

    def __init__(self, outer):
        self.outer = outer

    def process_primitive(self, primitive, args, params):
        if any(isinstance(a, Tracer) for a in args):
            with set_current_trace(self.outer):
                return primitive.bind(*args, **params)
        return EvalTrace.process_primitive(self, primitive, args, params)


@contextlib.contextmanager
def ensure_compile_time_eval():
    """Inside this block, operations on concrete values run eagerly even under ``jit``.

    >>> @jax.jit
    ... def f(x):
    ...     with jax.ensure_compile_time_eval():
    ...         y = jnp.sin(3.0)       # a concrete Array, not a tracer
    ...     return x + y
    """
    with set_current_trace(_CompileTimeEvalTrace(trace_ctx.trace)):
        yield


# late import: Array wraps NumPy values and needs ShapedArray
from jaxlite._src.array import ArrayImpl as Array  # noqa: E402
