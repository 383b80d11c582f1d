"""The remaining jax.lax operations, each primitive with its rules side by side:

``mulhi``, ``split``, ``tile``, ``empty``, ``optimization_barrier``, ``rng_bit_generator``, ``rng_uniform``,
tokens (``create_token``, ``after_all``), ``composite``, ``approx_max_k``/``approx_min_k``,
``dce_sink``, the dimension-comparison primitives ``eq_to``/``le_to``/``lt_to``; and the plain functions
``platform_dependent``, ``broadcast_like``, ``ragged_dot``/``ragged_dot_general``, ``shape_as_value`` plus
the types ``DotDimensionNumbers``, ``RaggedDotDimensionNumbers``, ``RandomAlgorithm``, ``Tolerance``, ...
"""
from __future__ import annotations

import dataclasses
import enum
from typing import Any, Callable, Sequence, Union

import numpy as np

from jaxlite._src import core, dtypes, tree_util
from jaxlite._src.core import ClosedJaxpr, Primitive, ShapedArray, abstract_token
from jaxlite._src.interpreters import ad, batching
from jaxlite._src.interpreters.ad import SymbolicZero, Zero, instantiate_zeros
from jaxlite._src.lax import elementwise as ew
from jaxlite._src.lax import shapes
from jaxlite._src.lax.utils import _int, canonicalize_shape

__all__ = [
    "mulhi", "mulhi_p", "split", "split_p", "tile", "tile_p", "empty", "empty_p", "optimization_barrier",
    "optimization_barrier_p", "rng_bit_generator", "rng_bit_generator_p", "RandomAlgorithm", "rng_uniform",
    "rng_uniform_p", "create_token", "create_token_p", "after_all", "after_all_p", "composite", "composite_p",
    "approx_max_k", "approx_min_k", "approx_top_k_p", "random_gamma_grad",
    "dce_sink", "dce_sink_p", "eq_to_p", "le_to_p", "lt_to_p", "platform_dependent", "broadcast_like",
    "ragged_dot", "ragged_dot_general", "RaggedDotDimensionNumbers", "DotDimensionNumbers", "PrecisionLike",
    "Tolerance", "AccuracyMode", "DotAlgorithm", "shape_as_value", "dtype", "stop_gradient_p",
    "conv_general_dilated_local",
]


def _aval(x):
    return core.get_aval(x)


def _is_zero(t):
    return type(t) in (Zero, SymbolicZero)


# ---------------------------------------------------------------------------------------------------
# mulhi: the high half of the double-width integer product
# ---------------------------------------------------------------------------------------------------

def _mulhi_impl(x, y):
    x, y = np.asarray(x), np.asarray(y)
    dt = x.dtype
    bits = 8 * dt.itemsize
    if bits <= 32:
        wide = np.int64 if dt.kind == "i" else np.uint64
        prod = x.astype(wide) * y.astype(wide)
        return (prod >> wide(bits)).astype(dt)
    # 64-bit operands: the 128-bit product in Python integers (exact; arithmetic shift floors)
    prod = x.astype(object) * y.astype(object)
    return np.asarray(prod >> bits).astype(dt)


mulhi_p = ew.naryop("mulhi", _mulhi_impl, _int, "integer")
ad.defjvp_zero(mulhi_p)
mulhi = ew._binary(mulhi_p)
mulhi.__doc__ = """The high half of the product of two integers of the same dtype: ``(x * y) >> bits``
computed in double width (``lax.mulhi(jnp.int32(2**30), jnp.int32(8)) == 2``)."""


# ---------------------------------------------------------------------------------------------------
# split: cut an array into pieces of the given sizes along an axis
# ---------------------------------------------------------------------------------------------------

def _split_impl(x, *, sizes, axis):
    x = np.asarray(x)
    return [p for p in np.split(x, np.cumsum(sizes)[:-1], axis=axis)]


def _split_abstract(x, *, sizes, axis):
    if any(s < 0 for s in sizes):
        raise ValueError(f"Sizes passed to split must be nonnegative, got {list(sizes)}")
    if x.shape[axis] != sum(sizes):
        raise ValueError(f"Sum of sizes {sum(sizes)} must be equal to dimension {axis} of the operand shape "
                         f"{list(x.shape)}")
    out = []
    for s in sizes:
        shape = list(x.shape)
        shape[axis] = s
        out.append(ShapedArray(tuple(shape), x.dtype, x.weak_type))
    return out


split_p = Primitive("split")
split_p.multiple_results = True
split_p.def_impl(_split_impl)
split_p.def_abstract_eval(_split_abstract)


def _split_jvp(primals, tangents, *, sizes, axis):
    (x,), (t,) = primals, tangents
    outs = split_p.bind(x, sizes=sizes, axis=axis)
    if _is_zero(t):
        return outs, [Zero.from_primal_value(o) for o in outs]
    return outs, split_p.bind(t, sizes=sizes, axis=axis)


def _split_transpose(cts, x, *, sizes, axis):
    aval = x.aval
    if all(_is_zero(c) for c in cts):
        return [Zero(aval.to_tangent_aval())]
    pieces = []
    for c, s in zip(cts, sizes):
        if _is_zero(c):
            shape = list(aval.shape)
            shape[axis] = s
            c = ew.full(tuple(shape), 0, aval.dtype)
        pieces.append(c)
    return [shapes.concatenate(pieces, axis)]


def _split_batch(vals, dims, *, sizes, axis):
    (x,), (d,) = vals, dims
    new_axis = axis + 1 if axis >= d else axis
    outs = split_p.bind(x, sizes=sizes, axis=new_axis)
    return outs, [d] * len(outs)


ad.primitive_jvps[split_p] = _split_jvp
ad.primitive_transposes[split_p] = _split_transpose
batching.primitive_batchers[split_p] = _split_batch


def split(operand, sizes: Sequence[int], axis: int = 0):
    """Split ``operand`` along ``axis`` into pieces of the given ``sizes`` (which must add up to the axis
    length).

    >>> lax.split(jnp.arange(5), (2, 3))
    [Array([0, 1], dtype=int32), Array([2, 3, 4], dtype=int32)]
    """
    from jaxlite._src.numpy.util import _to_array
    operand = _to_array(operand)
    nd = _aval(operand).ndim
    if not -nd <= axis < nd:
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {nd}")
    # (NumPy ints are kept as given: JAX's jnp.split passes np.int64 sizes, and its jaxprs print them)
    sizes = tuple(s if isinstance(s, np.integer) else core.concrete_or_error(int, s, "The sizes argument of lax.split")
                  for s in sizes)
    return split_p.bind(operand, sizes=sizes, axis=axis % nd)


# ---------------------------------------------------------------------------------------------------
# tile: repeat the whole array along each axis
# ---------------------------------------------------------------------------------------------------

def _tile_abstract(x, *, reps):
    if x.ndim != len(reps):
        raise TypeError(f"reps length must be equal to the ndim of x, got len(reps)={len(reps)} and "
                        f"x.ndim={x.ndim}.")
    return ShapedArray(tuple(d * r for d, r in zip(x.shape, reps)), x.dtype, x.weak_type)


tile_p = Primitive("tile")
tile_p.def_impl(lambda x, *, reps: np.tile(np.asarray(x), reps))
tile_p.def_abstract_eval(_tile_abstract)


def _tile_transpose(ct, x, *, reps):
    if _is_zero(ct):
        return [None]
    from jaxlite._src.lax.reductions import reduce_sum
    in_shape = x.aval.shape
    # out dim i is (reps[i], shape[i]) in row-major order: sum over the reps halves
    pairs = tuple(n for r, s in zip(reps, in_shape) for n in (r, s))
    return [reduce_sum(shapes.reshape(ct, pairs), tuple(2 * i for i in range(len(in_shape))))]


def _tile_batch(vals, dims, *, reps):
    (x,), (d,) = vals, dims
    new_reps = list(reps)
    new_reps.insert(d, 1)
    return tile_p.bind(x, reps=tuple(new_reps)), d


ad.deflinear(tile_p, _tile_transpose)
batching.primitive_batchers[tile_p] = _tile_batch


def tile(operand, reps: Sequence[int]):
    """Tile ``operand`` ``reps[i]`` times along dimension ``i`` (``len(reps) == operand.ndim``)."""
    reps = tuple(core.concrete_or_error(int, r, "The reps argument of lax.tile") for r in reps)
    return tile_p.bind(operand, reps=reps)


# ---------------------------------------------------------------------------------------------------
# empty: an array whose contents are unspecified (zeros here)
# ---------------------------------------------------------------------------------------------------

empty_p = Primitive("empty")
# the ``dtype`` param is kept as the user gave it (JAX prints it that way); the aval's is canonical
empty_p.def_impl(lambda *, shape, dtype, out_sharding: np.zeros(shape, dtypes.canonicalize_dtype(dtype)))
empty_p.def_abstract_eval(lambda *, shape, dtype, out_sharding:
                          ShapedArray(shape, dtypes.canonicalize_dtype(dtype), False))


def empty(shape, dtype, *, out_sharding=None):
    """An array of ``shape``/``dtype`` with unspecified contents (jaxlite fills it with zeros)."""
    shape = canonicalize_shape(shape)
    dtypes.check_and_canonicalize_user_dtype(dtype, "lax.empty")
    return empty_p.bind(shape=shape, dtype=dtype, out_sharding=out_sharding)


# ---------------------------------------------------------------------------------------------------
# optimization_barrier: the identity, which a compiler may not move computations across
# ---------------------------------------------------------------------------------------------------

optimization_barrier_p = Primitive("optimization_barrier")
optimization_barrier_p.multiple_results = True
optimization_barrier_p.def_impl(lambda *args: list(args))
optimization_barrier_p.def_abstract_eval(lambda *avals: list(avals))


def _opt_barrier_jvp(primals, tangents):
    outs = optimization_barrier_p.bind(*primals)
    nz = [i for i, t in enumerate(tangents) if not _is_zero(t)]
    t_out = [Zero.from_primal_value(o) for o in outs]
    for i, t in zip(nz, optimization_barrier_p.bind(*[tangents[i] for i in nz])):
        t_out[i] = t
    return outs, t_out


def _opt_barrier_transpose(cts, *args):
    nz = [i for i, c in enumerate(cts) if not _is_zero(c)]
    out = [None] * len(cts)
    if nz:
        for i, c in zip(nz, optimization_barrier_p.bind(*[cts[i] for i in nz])):
            out[i] = c
    return [c if ad.is_undefined_primal(a) else None for c, a in zip(out, args)]


ad.primitive_jvps[optimization_barrier_p] = _opt_barrier_jvp
ad.primitive_transposes[optimization_barrier_p] = _opt_barrier_transpose
batching.primitive_batchers[optimization_barrier_p] = \
    lambda vals, dims: (optimization_barrier_p.bind(*vals), list(dims))


def optimization_barrier(operand, /):
    """The identity on a pytree of arrays; in JAX it stops XLA from moving computation across it (e.g.
    to keep rematerialised values from being CSE'd). jaxlite's backends never reorder, so it only
    appears in jaxprs."""
    leaves, tree = tree_util.tree_flatten(operand)
    from jaxlite._src.numpy.util import _to_array
    outs = optimization_barrier_p.bind(*[_to_array(x) for x in leaves])
    return tree_util.tree_unflatten(tree, outs)


# ---------------------------------------------------------------------------------------------------
# rng_bit_generator / rng_uniform: XLA's stateless and stateful random bit sources
# ---------------------------------------------------------------------------------------------------

class RandomAlgorithm(enum.IntEnum):
    """The algorithm behind ``lax.rng_bit_generator``."""
    RNG_DEFAULT = 0
    RNG_THREE_FRY = 1
    RNG_PHILOX = 2

    def __str__(self):
        return self.name


_RBG_DTYPES = {np.dtype(t) for t in (np.uint8, np.uint16, np.uint32, np.uint64)}


def _rbg_impl(key, *, shape, dtype, algorithm, out_sharding):
    key = np.asarray(key)
    # deterministic in (key, algorithm); a NumPy Philox stream, not XLA's bit stream
    seed = [int(v) for v in key.astype(np.uint64).ravel()] + [int(algorithm)]
    gen = np.random.Generator(np.random.Philox(np.random.SeedSequence(seed)))
    n = int(np.prod(shape, dtype=np.int64))
    bits = gen.integers(0, np.iinfo(dtype).max, size=n, dtype=dtype, endpoint=True).reshape(shape)
    new_key = gen.integers(0, np.iinfo(key.dtype).max, size=key.shape, dtype=key.dtype, endpoint=True)
    return [new_key, bits]


def _rbg_abstract(key, *, shape, dtype, algorithm, out_sharding):
    return [ShapedArray(key.shape, key.dtype, key.weak_type), ShapedArray(shape, np.dtype(dtype), False)]


rng_bit_generator_p = Primitive("rng_bit_generator")
rng_bit_generator_p.multiple_results = True
rng_bit_generator_p.def_impl(_rbg_impl)
rng_bit_generator_p.def_abstract_eval(_rbg_abstract)
ad.defjvp_zero(rng_bit_generator_p)


def _rbg_batch(vals, dims, *, shape, dtype, algorithm, out_sharding):
    (key,), (d,) = vals, dims
    key = batching.moveaxis(key, d, 0)
    n = _aval(key).shape[0]
    keys, bits = [], []
    for i in range(n):
        from jaxlite._src.lax.indexing import index_in_dim
        k, b = rng_bit_generator_p.bind(index_in_dim(key, i, 0, keepdims=False), shape=shape, dtype=dtype,
                                        algorithm=algorithm, out_sharding=out_sharding)
        keys.append(k)
        bits.append(b)
    return [shapes.stack(keys, 0), shapes.stack(bits, 0)], [0, 0]


batching.primitive_batchers[rng_bit_generator_p] = _rbg_batch


def rng_bit_generator(key, shape, dtype=np.uint32, algorithm=RandomAlgorithm.RNG_DEFAULT, *, out_sharding=None):
    """Random bits of ``shape``/``dtype`` from ``key`` (a uint32 array such as ``uint32[4]``); returns
    ``(new_key, bits)``.

    Shapes and dtypes match JAX's, and the result is a deterministic function of ``key`` and
    ``algorithm``, but the bits are NOT XLA's: jaxlite draws them from a NumPy Philox stream seeded by
    the key. (``jax.random`` functions are bit-exact with JAX; this low-level primitive is not.)
    """
    shape = canonicalize_shape(shape)
    dtype = dtypes.check_and_canonicalize_user_dtype(dtype, "rng_bit_generator")
    if np.dtype(dtype) not in _RBG_DTYPES:
        raise TypeError(f"rng_bit_generator: unsupported dtype {dtype}")
    kav = _aval(key)
    if not dtypes.issubdtype(kav.dtype, np.unsignedinteger):
        raise TypeError(f"rng_bit_generator: key must be an array of unsigned integers, got {kav.dtype}")
    return tuple(rng_bit_generator_p.bind(key, shape=shape, dtype=np.dtype(dtype),
                                          algorithm=RandomAlgorithm(algorithm), out_sharding=out_sharding))


_stateful_rng = np.random.default_rng()


def _rng_uniform_impl(a, b, *, shape):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind in "iu":
        return _stateful_rng.integers(a, b, size=shape, dtype=a.dtype)
    return _stateful_rng.uniform(a, b, size=shape).astype(a.dtype)


def _rng_uniform_abstract(a, b, *, shape):
    if a.dtype != b.dtype:
        raise TypeError(f"rng_uniform: a and b must have the same dtype, got {a.dtype} and {b.dtype}")
    if a.shape != () or b.shape != ():
        raise TypeError(f"rng_uniform: a and b must be scalars, got shapes {a.shape} and {b.shape}")
    return ShapedArray(shape, a.dtype, False)


rng_uniform_p = Primitive("rng_uniform")
rng_uniform_p.def_impl(_rng_uniform_impl)
rng_uniform_p.def_abstract_eval(_rng_uniform_abstract)


def rng_uniform(a, b, shape):
    """Stateful uniform random values in ``[a, b)`` of ``shape`` (XLA's RngUniform). Not reproducible —
    like JAX's, whose values depend on the backend; use ``jax.random`` for reproducible numbers."""
    return rng_uniform_p.bind(a, b, shape=canonicalize_shape(shape))


# ---------------------------------------------------------------------------------------------------
# tokens: ordering values for side effects
# ---------------------------------------------------------------------------------------------------

class Token:
    """A value with no data that orders side effects (``lax.create_token``/``lax.after_all``)."""

    def __repr__(self):
        return "Token"

    @property
    def aval(self):
        return abstract_token


_token = Token()

create_token_p = Primitive("create_token")
create_token_p.def_impl(lambda: _token)
create_token_p.def_abstract_eval(lambda: abstract_token)

after_all_p = Primitive("after_all")
after_all_p.def_impl(lambda *tokens: _token)
after_all_p.def_abstract_eval(lambda *avals: abstract_token)


def create_token(_=None):
    """A fresh token (the argument is ignored, as in JAX)."""
    return create_token_p.bind()


def after_all(*operands):
    """A token that is ready once all ``operands`` (tokens) are."""
    for i, o in enumerate(operands):
        a = o.aval if isinstance(o, (Token, core.Tracer)) else None
        if a is not abstract_token:
            raise TypeError(f"after_all: operand {i} is not a token: {o!r}")
    tracers = [o for o in operands if isinstance(o, core.Tracer)]
    if not tracers:
        return _token   # eager tokens carry no data (and are not array values the eval trace takes)
    return after_all_p.bind(*tracers)


# ---------------------------------------------------------------------------------------------------
# composite: a named function whose decomposition is kept as a jaxpr
# ---------------------------------------------------------------------------------------------------

def _composite_impl(*args, name, attributes, version, jaxpr):
    from jaxlite._src.lax.control_flow.common import runner
    vals = [a._value if isinstance(a, core.Array) else a for a in args]
    return runner(jaxpr)(*vals)


composite_p = Primitive("composite")
composite_p.multiple_results = True
composite_p.def_impl(_composite_impl)
composite_p.def_abstract_eval(lambda *avals, jaxpr, **_: list(jaxpr.out_avals))
composite_p.pp_params = lambda p: {"name": p["name"], "attributes": p["attributes"], "version": p["version"],
                                   "jaxpr": p["jaxpr"]}


def _composite_jvp(*args, **_):
    raise ValueError("JVP rule for composite not implemented. You can use `jax.custom_jvp` to add support. "
                     "See https://docs.jax.dev/en/latest/_autosummary/jax.custom_jvp.html")


def _composite_transpose(*args, **_):
    raise ValueError("Transpose rule for composite not implemented. You can use `jax.custom_jvp` or "
                     "`jax.custom_vjp` to add support. See "
                     "https://docs.jax.dev/en/latest/_autosummary/jax.custom_jvp.html")


def _composite_batch(axis_data, vals, dims, *, name, attributes, version, jaxpr):
    from jaxlite._src.lax.control_flow.common import batch_jaxpr
    size = axis_data.size
    vals = [batching.moveaxis(v, d, 0) if d is not None else v for v, d in zip(vals, dims)]
    batched, out_b = batch_jaxpr(jaxpr, axis_data, [d is not None for d in dims], False)
    outs = composite_p.bind(*vals, name=name, attributes=attributes, version=version, jaxpr=batched)
    del size
    return outs, [0 if b else None for b in out_b]


ad.primitive_jvps[composite_p] = _composite_jvp
ad.primitive_transposes[composite_p] = _composite_transpose
batching.axis_primitive_batchers[composite_p] = _composite_batch


class _HashableArray:
    """A NumPy attribute of a composite, hashable by value (attributes are params)."""

    def __init__(self, val):
        self.val = np.asarray(val)

    def __hash__(self):
        return hash((self.val.shape, self.val.dtype, self.val.tobytes()))

    def __eq__(self, other):
        return isinstance(other, _HashableArray) and np.array_equal(self.val, other.val)

    def __repr__(self):
        return repr(self.val)


def composite(decomposition: Callable, name: str, version: int = 0):
    """Mark ``decomposition`` as one named operation (a ``composite`` equation holding its jaxpr).

    Keyword arguments of the decorated function are static attributes (NumPy arrays, not traced
    values). Composites cannot be differentiated unless wrapped in ``custom_jvp``/``custom_vjp``.

    >>> @partial(lax.composite, name="my.tangent")
    ... def tangent(x):
    ...     return jnp.sin(x) / jnp.cos(x)
    """
    import functools

    from jaxlite._src.lax.control_flow.common import leaf_aval, trace_to_jaxpr

    @functools.wraps(decomposition)
    def wrapper(*args, **kwargs):
        if any(isinstance(v, core.Tracer) for v in tree_util.tree_leaves(kwargs)):
            from jaxlite._src.errors import UnexpectedTracerError
            raise UnexpectedTracerError(
                f"Found a JAX Tracer as an attribute in the decomposition for the composite op '{name}'. "
                "This means that the decomposition function closes over a value that is involved in a JAX "
                "transformation. Any values that aren't explicitly known at compile time must be explicitly "
                "passed as arguments to the composite.\n\nNote: If you are passing jax arrays as attributes, "
                "use numpy arrays instead.")
        flat, in_tree = tree_util.tree_flatten(args)
        avals = [leaf_aval(x, f"composite {name}") for x in flat]
        closed, consts, out_tree = trace_to_jaxpr(functools.partial(decomposition, **kwargs), in_tree, avals,
                                                  f"composite {name}")
        attrs = []
        for k, v in kwargs.items():
            leaves, tdef = tree_util.tree_flatten(v)
            attrs.append((k, tuple(_HashableArray(x) if isinstance(x, np.ndarray) else x for x in leaves), tdef))
        outs = composite_p.bind(*consts, *flat, name=name, attributes=tuple(attrs), version=version,
                                jaxpr=closed)
        return tree_util.tree_unflatten(out_tree, outs)
    return wrapper


# ---------------------------------------------------------------------------------------------------
# approx_max_k / approx_min_k (exact here: JAX allows exact results, and its CPU fallback is exact)
# ---------------------------------------------------------------------------------------------------

def _approx_top_k_impl(x, *, k, reduction_dimension, recall_target, is_max_k, reduction_input_size_override,
                       aggregate_to_topk):
    from jaxlite._src.lax.sorting import _top_k_impl, _total_order_key
    if is_max_k:
        return _top_k_impl(x, k=k, axis=reduction_dimension)
    xm = np.moveaxis(np.asarray(x), reduction_dimension, -1)
    idx = np.argsort(_total_order_key(xm), axis=-1, kind="stable")[..., :k]
    vals = np.take_along_axis(xm, idx, axis=-1)
    return [np.moveaxis(vals, -1, reduction_dimension),
            np.moveaxis(idx.astype(np.int32), -1, reduction_dimension)]


def _approx_top_k_abstract(x, *, k, reduction_dimension, recall_target, is_max_k,
                           reduction_input_size_override, aggregate_to_topk):
    if k <= 0:
        raise ValueError(f"k must be positive, got {k}")
    if x.ndim == 0:
        raise TypeError("approx_top_k operand must have >= 1 dimension, got ()")
    n = x.shape[reduction_dimension]
    if k > n:
        raise ValueError(f"k must be smaller than the size of reduction_dim {n}, got {k}")
    shape = list(x.shape)
    shape[reduction_dimension] = k
    return [ShapedArray(tuple(shape), x.dtype, x.weak_type), ShapedArray(tuple(shape), np.dtype(np.int32))]


approx_top_k_p = Primitive("approx_top_k")
approx_top_k_p.multiple_results = True
approx_top_k_p.def_impl(_approx_top_k_impl)
approx_top_k_p.def_abstract_eval(_approx_top_k_abstract)


def _approx_top_k_jvp(primals, tangents, **params):
    from jaxlite._src.lax.sorting import _take_along_axis
    (x,), (t,) = primals, tangents
    vals, idx = approx_top_k_p.bind(x, **params)
    t_out = Zero.from_primal_value(vals) if _is_zero(t) else \
        _take_along_axis(t, idx, params["reduction_dimension"])
    return [vals, idx], [t_out, Zero.from_primal_value(idx)]


def _approx_top_k_batch(vals, dims, *, reduction_dimension, **params):
    (x,), (d,) = vals, dims
    rd = reduction_dimension + 1 if d <= reduction_dimension else reduction_dimension
    return approx_top_k_p.bind(x, reduction_dimension=rd, **params), [d, d]


ad.primitive_jvps[approx_top_k_p] = _approx_top_k_jvp
batching.primitive_batchers[approx_top_k_p] = _approx_top_k_batch


def _approx_k(name, is_max_k, operand, k, reduction_dimension, recall_target, reduction_input_size_override,
              aggregate_to_topk):
    if not aggregate_to_topk:
        raise NotImplementedError(f"lax.{name} with aggregate_to_topk=False (the un-aggregated partial "
                                  f"result of the TPU algorithm) is not implemented in jaxlite")
    k = core.concrete_or_error(int, k, f"The k argument of lax.{name} must be a concrete int.")
    nd = _aval(operand).ndim
    if not -nd <= reduction_dimension < nd:
        raise ValueError(f"reduction_dimension {reduction_dimension} is out of bounds for operand of rank {nd}")
    return tuple(approx_top_k_p.bind(operand, k=k, reduction_dimension=reduction_dimension % nd,
                                     recall_target=float(recall_target), is_max_k=is_max_k,
                                     reduction_input_size_override=int(reduction_input_size_override),
                                     aggregate_to_topk=bool(aggregate_to_topk)))


def approx_max_k(operand, k: int, reduction_dimension: int = -1, recall_target: float = 0.95,
                 reduction_input_size_override: int = -1, aggregate_to_topk: bool = True):
    """The ``k`` largest values along ``reduction_dimension`` and their indices. jaxlite returns the exact
    top k (recall 1), which JAX's contract allows and its CPU implementation also does."""
    return _approx_k("approx_max_k", True, operand, k, reduction_dimension, recall_target,
                     reduction_input_size_override, aggregate_to_topk)


def approx_min_k(operand, k: int, reduction_dimension: int = -1, recall_target: float = 0.95,
                 reduction_input_size_override: int = -1, aggregate_to_topk: bool = True):
    """The ``k`` smallest values along ``reduction_dimension`` and their indices (exact, see
    ``approx_max_k``)."""
    return _approx_k("approx_min_k", False, operand, k, reduction_dimension, recall_target,
                     reduction_input_size_override, aggregate_to_topk)


# random_gamma_grad lives with the random-bit helpers (jaxlite/_src/lax/random_bits.py); re-exported here
from jaxlite._src.lax.random_bits import random_gamma_grad  # noqa: E402


# ---------------------------------------------------------------------------------------------------
# dce_sink and the dimension-comparison primitives
# ---------------------------------------------------------------------------------------------------

dce_sink_p = Primitive("dce_sink")
dce_sink_p.multiple_results = True
dce_sink_p.def_impl(lambda *args, **params: [])
dce_sink_p.def_abstract_eval(lambda *avals, **params: [])
ad.primitive_jvps[dce_sink_p] = lambda primals, tangents, **p: ([], [])
batching.primitive_batchers[dce_sink_p] = lambda vals, dims, **p: ([], [])


def dce_sink(val, *, prevent_mlir_dce: bool = False):
    """Keep ``val`` alive in the jaxpr (a sink equation with no outputs); returns None."""
    leaves = tree_util.tree_leaves(val)
    dce_sink_p.bind(*leaves, prevent_mlir_dce=prevent_mlir_dce)


def _dim_cmp(name, fn):
    p = ew.naryop(name, fn, (np.integer,), "integer", out_dtype=np.bool_)
    ad.defjvp_zero(p)
    return p


eq_to_p = _dim_cmp("eq_to", np.equal)
le_to_p = _dim_cmp("le_to", np.less_equal)
lt_to_p = _dim_cmp("lt_to", np.less)


# ---------------------------------------------------------------------------------------------------
# platform_dependent, broadcast_like, shape_as_value, dtype
# ---------------------------------------------------------------------------------------------------

_PLATFORMS = ("cpu", "cuda", "rocm", "tpu")


def platform_dependent(*args: Any, default: Callable | None = None, **per_platform: Callable):
    """Call the branch for the platform the computation runs on: jaxlite runs on CPU, so
    ``per_platform['cpu'](*args)`` if given, else ``default(*args)``.

    >>> lax.platform_dependent(x, cpu=jnp.sin, tpu=jnp.cos)   # jnp.sin(x) on jaxlite
    """
    for pname, branch in per_platform.items():
        if not callable(branch):
            raise TypeError(f"lax.platform_dependent: the '{pname}' branch must be a callable.")
        if pname == "gpu":
            raise ValueError("Use 'cuda' or 'rocm' for lax.platform_dependent.")
    if default is not None and not callable(default):
        raise TypeError("lax.platform_dependent: the 'default' branch must be a callable.")
    branch = per_platform.get("cpu", default)
    if branch is None:
        raise NotImplementedError(f"lax.platform_dependent has no branch for platform 'cpu' (jaxlite's only "
                                  f"platform) and no default; got branches for {sorted(per_platform)}")
    return branch(*args)


def broadcast_like(arr, like_arr):
    """Broadcast ``arr`` (NumPy-style, trailing dimensions aligned) to the shape of ``like_arr``."""
    shape = _aval(like_arr).shape
    a = _aval(arr)
    if a.ndim > len(shape):
        raise ValueError(f"broadcast_like: cannot broadcast shape {a.shape} to {shape}")
    lead = len(shape) - a.ndim
    for i, d in enumerate(a.shape):
        if d != 1 and d != shape[lead + i]:
            raise ValueError(f"Incompatible shapes for broadcasting: {a.shape} and requested shape {shape}")
    keep = tuple(i for i, d in enumerate(a.shape) if d == shape[lead + i])
    x = arr
    if len(keep) != a.ndim:
        x = shapes.reshape(arr, tuple(a.shape[i] for i in keep))
    return shapes.broadcast_in_dim(x, shape, tuple(lead + i for i in keep))


def shape_as_value(shape):
    """A shape as an int32 (int64 under x64) array value."""
    from jaxlite._src.numpy.lax_numpy import asarray
    return asarray(np.array([int(d) for d in shape], dtypes.default_int_dtype()))


def dtype(x):
    """The (canonical) dtype of ``x``: an array, NumPy value, Python scalar or dtype-like."""
    return dtypes.dtype(x, canonicalize=True)


# ---------------------------------------------------------------------------------------------------
# dot-related types and ragged_dot
# ---------------------------------------------------------------------------------------------------

DotDimensionNumbers = tuple[tuple[Sequence[int], Sequence[int]], tuple[Sequence[int], Sequence[int]]]
PrecisionLike = Union[None, str, Any, tuple]


@dataclasses.dataclass(frozen=True)
class Tolerance:
    """Accuracy tolerance of a transcendental function (for ``accuracy=`` arguments)."""
    atol: float = 0.0
    rtol: float = 0.0
    ulps: int = 0


class AccuracyMode(enum.Enum):
    HIGHEST = 1
    DEFAULT = 2


@dataclasses.dataclass(frozen=True)
class DotAlgorithm:
    """An explicit dot algorithm (precision types of the operands and the accumulator). jaxlite computes
    dots with NumPy in the operand (or preferred) dtype and accepts this only as a description."""
    lhs_precision_type: Any
    rhs_precision_type: Any
    accumulation_type: Any
    lhs_component_count: int = 1
    rhs_component_count: int = 1
    num_primitive_operations: int = 1
    allow_imprecise_accumulation: bool = False


@dataclasses.dataclass(frozen=True)
class RaggedDotDimensionNumbers:
    """Dimension numbers of ``ragged_dot_general``: the dot's ``dot_dimension_numbers``, the ragged
    dimensions of ``lhs`` and the group dimension(s) of ``rhs``."""
    dot_dimension_numbers: Any
    lhs_ragged_dimensions: Sequence[int]
    rhs_group_dimensions: Sequence[int]


def _ragged_dot(lhs, rhs, group_sizes, precision, preferred_element_type, group_offset):
    from jaxlite._src.lax import linalg, reductions
    if group_offset is not None:
        raise NotImplementedError("ragged_dot with group_offset is not implemented in jaxlite")
    la, ra, ga = _aval(lhs), _aval(rhs), _aval(group_sizes)
    if la.ndim != 2 or ra.ndim != 3 or ga.ndim != 1:
        raise TypeError(f"ragged_dot expects lhs [m, k], rhs [g, k, n] and group_sizes [g]; got shapes "
                        f"{la.shape}, {ra.shape} and {ga.shape}")
    m, k = la.shape
    g, k2, n = ra.shape
    if k != k2 or ga.shape[0] != g:
        raise TypeError(f"ragged_dot shape mismatch: lhs {la.shape}, rhs {ra.shape}, group_sizes {ga.shape}")
    # per-group products [g, m, n], then keep for row i only the group it falls in
    prods = linalg.dot_general(rhs, lhs, (((1,), (1,)), ((), ())), precision=precision,
                               preferred_element_type=preferred_element_type)   # [g, n, m]
    prods = shapes.transpose(prods, (0, 2, 1))
    from jaxlite._src.lax.cumulative import cumsum
    ends = cumsum(ew.convert_element_type(group_sizes, np.int32), 0)
    starts = ew.sub(ends, ew.convert_element_type(group_sizes, np.int32))
    rows = shapes.broadcasted_iota(np.int32, (g, m), 1)
    mask = ew.bitwise_and(ew.ge(rows, shapes.broadcast_in_dim(starts, (g, m), (0,))),
                          ew.lt(rows, shapes.broadcast_in_dim(ends, (g, m), (0,))))
    mask = shapes.broadcast_in_dim(mask, (g, m, n), (0, 1))
    picked = ew.select(mask, prods, ew.full_like(prods, 0))
    return reductions.reduce_sum(picked, (0,))


def ragged_dot(lhs, rhs, group_sizes, precision=None, preferred_element_type=None, group_offset=None,
               out_sharding=None):
    """Grouped matmul: rows ``[start_j, start_j + group_sizes[j])`` of ``lhs [m, k]`` are multiplied by
    ``rhs[j]`` (``rhs [g, k, n]``); rows past the last group give zeros. Result ``[m, n]``."""
    return _ragged_dot(lhs, rhs, group_sizes, precision, preferred_element_type, group_offset)


def ragged_dot_general(lhs, rhs, group_sizes, ragged_dot_dimension_numbers, precision=None,
                       preferred_element_type=None, group_offset=None, out_sharding=None):
    """``ragged_dot`` with explicit dimension numbers; jaxlite supports the ``ragged_dot`` layout
    (``lhs [m, k]``, ``rhs [g, k, n]``, ragged dimension 0 of lhs, group dimension 0 of rhs)."""
    dn = ragged_dot_dimension_numbers
    if (tuple(map(tuple, dn.dot_dimension_numbers[0])) != ((1,), (1,))
            or tuple(map(tuple, dn.dot_dimension_numbers[1])) != ((), ())
            or tuple(dn.lhs_ragged_dimensions) != (0,) or tuple(dn.rhs_group_dimensions) != (0,)):
        raise NotImplementedError(f"ragged_dot_general with dimension numbers {dn}: jaxlite implements only "
                                  f"the ragged_dot layout (((1,), (1,)), ((), ())), lhs_ragged_dimensions=[0], "
                                  f"rhs_group_dimensions=[0]")
    return _ragged_dot(lhs, rhs, group_sizes, precision, preferred_element_type, group_offset)


# ---------------------------------------------------------------------------------------------------
# conv_general_dilated_local: a convolution with a different filter at every output position
# ---------------------------------------------------------------------------------------------------

def conv_general_dilated_local(lhs, rhs, window_strides: Sequence[int], padding, filter_shape: Sequence[int],
                               lhs_dilation=None, rhs_dilation=None, dimension_numbers=None, precision=None):
    """Locally connected ("unshared") convolution: extract the input patches (``conv_general_dilated_patches``)
    and contract each with its own filter. ``rhs`` has the layout of ``dimension_numbers``' kernel spec with
    input features ``C * prod(filter_shape)`` and one spatial dimension per output spatial position."""
    from jaxlite._src.lax import convolution, linalg
    lhs_aval = _aval(lhs)
    patches = convolution.conv_general_dilated_patches(
        lhs, filter_shape=filter_shape, window_strides=window_strides, padding=padding, lhs_dilation=lhs_dilation,
        rhs_dilation=rhs_dilation, dimension_numbers=dimension_numbers)
    lhs_spec, rhs_spec, out_spec = convolution.conv_dimension_numbers(
        lhs_aval.shape, (1, 1) + tuple(filter_shape), dimension_numbers)
    # contract patch features with the kernel's input features; every output spatial position of the
    # patches is a batch dimension paired with the matching spatial dimension of the kernel
    out_spatial = list(out_spec[2:])
    kernel_spatial = list(rhs_spec[2:])
    order = sorted(range(len(out_spatial)), key=lambda k: out_spatial[k])
    dn = (([out_spec[1]], [rhs_spec[1]]), ([out_spatial[k] for k in order], [kernel_spatial[k] for k in order]))
    out = linalg.dot_general(patches, rhs, dimension_numbers=dn, precision=precision)
    # result: (spatial..., batch, out features) -> the output layout
    from jaxlite._src.lax.shapes import transpose
    nd = len(out_spec)
    src_of = {}
    for i, k in enumerate(order):
        src_of[out_spatial[k]] = i
    src_of[out_spec[0]] = nd - 2
    src_of[out_spec[1]] = nd - 1
    return transpose(out, tuple(src_of[d] for d in range(nd)))


# ---------------------------------------------------------------------------------------------------
# primitives JAX exports under these names
# ---------------------------------------------------------------------------------------------------

stop_gradient_p = ew._stop_gradient_p


def _register_lowerings():
    from jaxlite._src.backend import numpy_backend
    numpy_backend.lowerings[composite_p] = lambda *, jaxpr, **_: numpy_backend.compile_closed(jaxpr)


_register_lowerings()
