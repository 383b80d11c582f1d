"""Argument handling shared by jax.numpy functions: checks, dtype promotion, rank promotion."""
from __future__ import annotations

import operator

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.config import config
from jaxlite._src.core import Tracer
from jaxlite._src.lax import lax

_arraylike_types = (np.ndarray, np.generic, bool, int, float, complex)


def is_arraylike(x) -> bool:
    return (isinstance(x, _arraylike_types) or isinstance(x, (core.Array, Tracer))
            or hasattr(x, "__jax_array__"))


def check_arraylike(fun_name: str, *args, emit_warning=False):
    for pos, arg in enumerate(args):
        if not is_arraylike(arg):
            msg = (f"{fun_name} requires ndarray or scalar arguments, got {type(arg)} at position {pos}.")
            if isinstance(arg, (list, tuple)):
                msg += " Convert the sequence to an array first with jnp.asarray (JAX does not do this "
                msg += "implicitly, to avoid silently slow traced code)."
            raise TypeError(msg)


def _to_array(x):
    """Array-like to Array/Tracer without changing its dtype class (Python scalars stay weak)."""
    if isinstance(x, (core.Array, Tracer)):
        return x
    if hasattr(x, "__jax_array__"):
        return x.__jax_array__()
    v, aval = core.to_value_and_aval(x)
    return core.Array._from_np(v, aval.weak_type)


def check_for_prngkeys(fun_name: str, *args):
    """Keys are not numbers: operands that mix a key array with anything else are rejected (as JAX);
    key arrays of one dtype pass on to the lax primitive, whose dtype check names the operation."""
    arg_dtypes = [dtypes.dtype(a, canonicalize=True) for a in args]
    if len(set(arg_dtypes)) < 2:
        return
    if any(isinstance(dt, dtypes.ExtendedDType) and dtypes.issubdtype(dt, dtypes.prng_key)
           for dt in arg_dtypes):
        raise TypeError(f"{fun_name} does not accept dtypes {', '.join(map(str, arg_dtypes))}. Keys "
                        "are not numbers: derive new keys with jax.random.split or jax.random.fold_in, "
                        "and read their bits with jax.random.key_data.")


def _same_extended_dtype(args) -> bool:
    dts = {getattr(a, "dtype", None) for a in args}
    return len(dts) == 1 and isinstance(next(iter(dts)), dtypes.ExtendedDType)


def promote_dtypes(*args):
    """Convert all arguments to their common JAX result type (weak if every input was weak)."""
    if len(args) < 2 or _same_extended_dtype(args):
        return [_to_array(a) for a in args]
    to_dtype, weak = dtypes.result_type(*args, return_weak_type_flag=True)
    return [lax._convert_element_type(a, to_dtype, weak) for a in args]


def promote_dtypes_inexact(*args):
    if _same_extended_dtype(args):
        return [_to_array(a) for a in args]
    to_dtype, weak = dtypes.result_type(*args, return_weak_type_flag=True)
    to_dtype = dtypes.to_inexact_dtype(to_dtype)
    return [lax._convert_element_type(a, to_dtype, weak) for a in args]


def promote_dtypes_numeric(*args):
    if _same_extended_dtype(args):
        return [_to_array(a) for a in args]
    to_dtype, weak = dtypes.result_type(*args, return_weak_type_flag=True)
    to_dtype = dtypes.to_numeric_dtype(to_dtype)
    return [lax._convert_element_type(a, to_dtype, weak) for a in args]


def promote_dtypes_complex(*args):
    to_dtype, weak = dtypes.result_type(*args, return_weak_type_flag=True)
    to_dtype = dtypes.to_complex_dtype(to_dtype)
    return [lax._convert_element_type(a, to_dtype, weak) for a in args]


def promote_shapes(fun_name: str, *args):
    """Rank promotion: give every non-scalar operand the same rank by adding leading size-1 dims."""
    if len(args) < 2:
        return list(args)
    shapes = [np.shape(a) if not isinstance(a, (core.Array, Tracer)) else a.shape for a in args]
    nonscalar = [s for s in shapes if s]
    if not nonscalar:
        return list(args)
    rank = max(len(s) for s in nonscalar)
    # operands of different ranks are checked here (ValueError naming all shapes, as JAX does);
    # same-rank mismatches are left to the lax primitive, whose TypeError names it
    if len({len(s) for s in shapes}) > 1:
        lax.broadcast_shapes(*shapes)
    mode = config._values["jax_numpy_rank_promotion"]
    if mode != "allow" and len({len(s) for s in nonscalar}) > 1:
        msg = (f"Operands could not be broadcast together with shapes {' '.join(str(s) for s in shapes)} "
               f"and with the config option jax_numpy_rank_promotion='{mode}'.")
        if mode == "raise":
            raise ValueError(msg)
        import warnings
        warnings.warn(msg)
    out = []
    for a, s in zip(args, shapes):
        if s and len(s) < rank:
            a = lax.broadcast_to_rank(a, rank)
        out.append(a)
    return out


def promote_args(fun_name: str, *args):
    check_arraylike(fun_name, *args)
    check_for_prngkeys(fun_name, *args)
    return promote_shapes(fun_name, *promote_dtypes(*args))


def promote_args_inexact(fun_name: str, *args):
    check_arraylike(fun_name, *args)
    check_for_prngkeys(fun_name, *args)
    return promote_shapes(fun_name, *promote_dtypes_inexact(*args))


def promote_args_numeric(fun_name: str, *args):
    check_arraylike(fun_name, *args)
    check_for_prngkeys(fun_name, *args)
    return promote_shapes(fun_name, *promote_dtypes_numeric(*args))


def canonicalize_axis(axis, ndim: int) -> int:
    axis = operator.index(axis)  # an integer: a float, string or traced value is a TypeError, as in JAX
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim if ndim else 0


def ensure_arraylike(fun_name, *args):
    check_arraylike(fun_name, *args)
    out = [_to_array(a) for a in args]
    return out[0] if len(out) == 1 else out


def _staging() -> bool:
    """Whether the current trace stages to a jaxpr: it, or a trace it runs under (vmap, jvp inside
    make_jaxpr or jit), is a jaxpr trace."""
    from jaxlite._src.interpreters.partial_eval import DynamicJaxprTrace
    t = core.trace_ctx.trace
    while t is not None:
        if isinstance(t, DynamicJaxprTrace):
            return True
        t = getattr(t, "parent_trace", None)
    return False


def staged_jit(fun=None, *, static_argnames=(), static_argnums=()):
    """Mark a jax.numpy function that JAX wraps in ``jit``: while staging (``jit``/``make_jaxpr``, also
    under vmap/grad inside them) it is bound as a nested ``jit[name=...]`` call, so jaxprs read like
    JAX's; eagerly (also under an eager vmap/grad) it simply runs."""
    import functools

    def deco(f):
        jitted = []

        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            if not _staging() or config._values["jax_disable_jit"]:
                return f(*args, **kwargs)
            if not jitted:
                from jaxlite._src import api
                jitted.append(api.jit(f, static_argnames=static_argnames, static_argnums=static_argnums))
            return jitted[0](*args, **kwargs)
        wrapper._fun = f
        return wrapper
    return deco if fun is None else deco(fun)
