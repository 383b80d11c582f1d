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
from jaxlite._src.config import config
from jaxlite._src.backend import threads, xla_rewrites
from jaxlite._src.core import ClosedJaxpr, DropVar, Jaxpr, Literal, Var

lowerings: dict = {}


def lower_eqn(prim, params) -> Callable:
    rule = lowerings.get(prim)
    if rule is not None:
        return rule(**params)
    if prim.impl is None:
        raise NotImplementedError(f"NumPy backend: no implementation for primitive '{prim.name}'")
    return functools.partial(prim.impl, **params) if params else prim.impl


# ---------------------------------------------------------------------------------------------------
# Fast lowerings: rules that see the whole equation (input avals as well as params), so they can pick
# a cheaper NumPy call than the primitive's generic impl -- a raw ufunc, one ``np.matmul``, a view --
# or return ``_ALIAS`` (the output is the input unchanged) or ``_Const(value)`` (folded at compile
# time). ``None`` means: use the default lowering. Each must compute exactly what the impl computes.
# ---------------------------------------------------------------------------------------------------

fast_lowerings: dict = {}
_ALIAS = object()


class _Const:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _errstate_hooks():
    """(set, reset, ignore) to switch NumPy's floating-point warnings off for a whole program.

    NumPy keeps its error state in a context variable; setting it directly costs ~0.1 us where
    ``np.errstate`` costs a few microseconds. Falls back to ``np.errstate`` if NumPy's internals move."""
    try:
        from numpy._core import _ufunc_config
        from numpy._core._multiarray_umath import _make_extobj
        var = _ufunc_config._extobj_contextvar
        ignore = _make_extobj(all="ignore")
        return var.set, var.reset, ignore
    except (ImportError, AttributeError, TypeError):
        def set_(_):
            e = np.errstate(all="ignore")
            e.__enter__()
            return e
        return set_, lambda e: e.__exit__(None, None, None), None


_ERRSTATE = _errstate_hooks()
_FLOATS = frozenset(np.dtype(t) for t in (np.float16, np.float32, np.float64, np.complex64,
                                          np.complex128))
_INTS = frozenset(np.dtype(t) for t in (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
                                        np.uint32, np.uint64))


def _fast_lowering(eqn):
    prim = eqn.primitive
    rule = fast_lowerings.get(prim)
    if rule is not None:
        return rule(eqn)
    if eqn.params or prim in lowerings:
        return None
    # elementwise primitives whose impl is a ufunc, bare or under np.errstate (lax/elementwise.py)
    impl = prim.impl
    raw = impl if type(impl) is np.ufunc else getattr(impl, "__wrapped__", None)
    if type(raw) is np.ufunc:
        return raw
    return None


def _avals_in(eqn):
    return [v.aval for v in eqn.invars]


def _prod(xs):
    n = 1
    for x in xs:
        n *= int(x)
    return n


def _dot_general_fast(eqn):
    if len(eqn.invars) != 2:
        return None
    x, y = _avals_in(eqn)
    (xc, yc), (xb, yb) = eqn.params["dimension_numbers"]
    pet = eqn.params["preferred_element_type"]
    dt = x.dtype
    if dt not in _FLOATS or y.dtype != dt or (pet is not None and np.dtype(pet) != dt):
        return None
    xc, yc, xb, yb = tuple(xc), tuple(yc), tuple(xb), tuple(yb)
    matmul = np.matmul
    if not xb and x.ndim == 2 and y.ndim == 2 and len(xc) == 1:
        if x.shape[xc[0]] == 1 and dt.kind == "f":
            # nothing to sum: an outer product. A broadcast multiply is exact, keeps the sign of zero
            # products as XLA does (a BLAS sum starting from +0 loses it) and is ~4x faster than
            # np.matmul, which skips BLAS for k == 1
            multiply = np.multiply
            if xc == (1,):
                return multiply if yc == (0,) else lambda a, b: multiply(a, b.T)
            return (lambda a, b: multiply(a.T, b)) if yc == (0,) else lambda a, b: multiply(a.T, b.T)
        # plain 2-D products: BLAS takes transposed operands without copying them. With a transposed
        # right operand, OpenBLAS is up to ~1.7x slower when the result has fewer rows than columns
        # (e.g. (10,784)x(784,256): 140 us against 86 us for the transposed product, 1 thread); there
        # the transposed product (b @ a.T).T is computed instead, and a.T @ b.T always runs as (b @ a).T
        # (both operands untransposed). Either is a correctly computed product; the summation order,
        # and so the last bit, may differ from the other orientation, as XLA's own kernels do.
        if xc == (1,) and yc == (0,):
            return matmul
        if xc == (0,) and yc == (0,):
            return lambda a, b: matmul(a.T, b)
        if xc == (1,) and yc == (1,):
            if x.shape[0] < y.shape[0]:
                return lambda a, b: matmul(b, a.T).T
            return lambda a, b: matmul(a, b.T)
        return lambda a, b: matmul(b, a).T
    if not xb and y.ndim == 2 and xc == (x.ndim - 1,) and yc == (0,) and x.ndim >= 1:
        return matmul if x.ndim >= 2 else np.dot
    # general case: batch dims first, then free dims, then contracting dims (permutations and sizes
    # computed once here), one batched matmul -- or a broadcast multiply when nothing is contracted
    px, py, out_shape, (b, m, k, n), tx, ty = _dot_layout(x, y, xc, yc, xb, yb)
    if k == 1:
        # (batched) outer products, e.g. per-example gradients; einsum's loop beats a broadcast multiply
        einsum = np.einsum
        nblocks = threads.blocks(b, b * m * n * dt.itemsize)

        def outer(a, c):
            a = a.transpose(px) if tx else a
            c = c.transpose(py) if ty else c
            a, c = a.reshape(b, m), c.reshape(b, n)
            if nblocks > 1 and not threads.nested():  # a big output: its rows written by all cores
                out = threads.run_rows(_outer_into, np.empty((b, m, n), dt), (a, c), nblocks)
            else:
                out = einsum("bm,bn->bmn", a, c)
            return out.reshape(out_shape)
        return outer
    xs, ys = ((m, k), (k, n)) if not xb else ((b, m, k), (b, k, n))

    def general(a, c):
        a = a.transpose(px) if tx else a
        c = c.transpose(py) if ty else c
        return matmul(a.reshape(xs), c.reshape(ys)).reshape(out_shape)
    return general


def _dot_layout(x, y, xc, yc, xb, yb):
    """``dot_general`` of avals ``x``, ``y`` (dimension numbers as tuples) as a batched matmul
    ``(b, m, k) @ (b, k, n)``: the permutations ``px``, ``py`` that put x's dims in (batch, free,
    contracting) order and y's in (batch, contracting, free) order, the result's shape, the sizes
    ``(b, m, k, n)`` and whether each operand needs its permutation."""
    xf = [i for i in range(x.ndim) if i not in xc and i not in xb]
    yf = [i for i in range(y.ndim) if i not in yc and i not in yb]
    px = xb + tuple(xf) + xc
    py = yb + yc + tuple(yf)
    bshape = tuple(x.shape[i] for i in xb)
    out_shape = bshape + tuple(x.shape[i] for i in xf) + tuple(y.shape[i] for i in yf)
    sizes = (_prod(bshape), _prod(x.shape[i] for i in xf), _prod(x.shape[i] for i in xc),
             _prod(y.shape[i] for i in yf))
    return px, py, out_shape, sizes, px != tuple(range(x.ndim)), py != tuple(range(y.ndim))


def _outer_into(a, c, out):
    np.einsum("bm,bn->bmn", a, c, out=out)


def _broadcast_in_dim_fast(eqn):
    if len(eqn.invars) != 1:
        return None
    (x,) = _avals_in(eqn)
    if isinstance(x.dtype, dtypes.ExtendedDType):
        return None
    shape = tuple(eqn.params["shape"])
    dims = tuple(eqn.params["broadcast_dimensions"])
    if x.shape == shape:
        return _ALIAS
    v = eqn.invars[0]
    if type(v) is Literal:  # e.g. ``broadcast_in_dim 1.0``: a read-only view of one scalar
        return _Const(np.broadcast_to(_np_const(v.val, v.aval), shape))
    new_shape = [1] * len(shape)
    for i, d in enumerate(dims):
        new_shape[d] = x.shape[i]
    new_shape = tuple(new_shape)
    broadcast_to = np.broadcast_to
    if not x.shape:
        if _prod(shape) == 1:  # e.g. a scalar index made a 1-vector: a reshape is ~10x cheaper
            return lambda a: a.reshape(shape)
        return lambda a: broadcast_to(a, shape)
    if new_shape == shape:
        return lambda a: a.reshape(shape)
    return lambda a: broadcast_to(a.reshape(new_shape), shape)


def _reduce_sum_fast(eqn):
    (x,) = _avals_in(eqn)
    axes = tuple(eqn.params["axes"])
    if not axes:
        return _ALIAS
    reduce = np.add.reduce
    if x.dtype in _FLOATS:
        return lambda a: reduce(a, axis=axes)
    if x.dtype in _INTS:  # accumulate in the operand's dtype (wraps like XLA's reduction)
        dt = x.dtype
        return lambda a: reduce(a, axis=axes, dtype=dt)
    return None


def _reshape_fast(eqn):
    if len(eqn.invars) != 1 or eqn.params.get("dimensions") is not None:
        return None
    (x,) = _avals_in(eqn)
    if isinstance(x.dtype, dtypes.ExtendedDType):
        return None
    new_sizes = tuple(eqn.params["new_sizes"])
    if x.shape == new_sizes:
        return _ALIAS
    return lambda a: a.reshape(new_sizes)


def _squeeze_fast(eqn):
    (x,) = _avals_in(eqn)
    if isinstance(x.dtype, dtypes.ExtendedDType):
        return None
    dims = tuple(eqn.params["dimensions"])
    if not dims:
        return _ALIAS
    if len(dims) == x.ndim:  # down to a scalar: index the one element (scalar math follows)
        first = (0,) * x.ndim
        return lambda a: a[first]
    shape = tuple(n for i, n in enumerate(x.shape) if i not in dims)
    return lambda a: a.reshape(shape)


def _transpose_fast(eqn):
    (x,) = _avals_in(eqn)
    if isinstance(x.dtype, dtypes.ExtendedDType):
        return None
    perm = tuple(eqn.params["permutation"])
    if perm == tuple(range(len(perm))):
        return _ALIAS
    return lambda a: a.transpose(perm)


def _convert_element_type_fast(eqn):
    (x,) = _avals_in(eqn)
    new = eqn.params["new_dtype"]
    if isinstance(x.dtype, dtypes.ExtendedDType) or isinstance(new, dtypes.ExtendedDType):
        return None
    if np.dtype(new) == x.dtype:  # only the weak type changes: same values
        return _ALIAS
    return None


def _integer_pow_fast(eqn):
    (x,) = _avals_in(eqn)
    if x.dtype not in _FLOATS and x.dtype not in _INTS:
        return None
    y = eqn.params["y"]
    if y == 1:
        return _ALIAS
    if y == 2:
        mul = np.multiply
        return lambda a: mul(a, a)
    return None


def _same_numeric(eqn, ufunc):
    """``ufunc`` itself when all operands share one plain numeric dtype (then it is what the impl does)."""
    avals = _avals_in(eqn)
    dt = avals[0].dtype
    if (dt in _FLOATS or dt in _INTS) and all(a.dtype == dt for a in avals):
        return ufunc
    return None


def _select_n_fast(eqn):
    avals = _avals_in(eqn)
    if len(avals) == 3 and avals[0].dtype == np.bool_ and not isinstance(avals[1].dtype,
                                                                          dtypes.ExtendedDType):
        where = np.where
        return lambda which, a, b: where(which, b, a)
    return None


def _div_fast(eqn):
    x, y = _avals_in(eqn)
    if x.dtype in _FLOATS and y.dtype == x.dtype:
        return np.true_divide
    return None


def _select_n_scalar_fast(eqn):
    avals = _avals_in(eqn)
    if len(avals) == 3 and all(a.shape == () for a in avals) and avals[0].dtype == np.bool_:
        # scalars: a Python conditional (select_n's operands share one dtype) instead of np.where
        return lambda which, a, b: b if which else a
    return _select_n_fast(eqn)


def _dynamic_slice_fast(eqn):
    """A slice of static size at scalar starts, each clamped into bounds (as XLA clamps): one NumPy
    basic-indexing view, as the impl returns."""
    x = eqn.invars[0].aval
    if isinstance(x.dtype, dtypes.ExtendedDType):
        return None
    sizes = tuple(int(k) for k in eqn.params["slice_sizes"])
    his = tuple(int(n) - k for n, k in zip(x.shape, sizes))
    if len(sizes) == 1:
        (k,), (hi,) = sizes, his

        def dynamic_slice_1d(a, s):
            s = int(s)
            if s < 0:
                s = 0
            elif s > hi:
                s = hi
            return a[s:s + k]
        return dynamic_slice_1d
    bounds = tuple(zip(sizes, his))

    def dynamic_slice(a, *starts):
        key = []
        for s, (k, hi) in zip(starts, bounds):
            s = int(s)
            s = 0 if s < 0 else (hi if s > hi else s)
            key.append(slice(s, s + k))
        return a[tuple(key)]
    return dynamic_slice


def _scatter_fast(eqn, in_place=False):
    """``x.at[i].set(u)`` / ``.add`` / ``.mul`` / ``.min`` / ``.max`` with one scalar index into one
    axis ``d`` and the update covering every other axis: one NumPy basic-indexing write. The window
    is dropped when ``i`` is out of bounds (modes FILL_OR_DROP and PROMISE_IN_BOUNDS, as the impl
    and XLA's CPU scatter do) or ``i`` clamped into bounds (CLIP). ``in_place``: write into the
    operand's buffer (the caller owns it and nothing else reads it), else into a copy."""
    from jaxlite._src.lax import indexing
    if len(eqn.invars) != 3:
        return None
    x, idx, upd = _avals_in(eqn)
    p = eqn.params
    name = eqn.primitive.name
    if name == "scatter":
        if p["update_jaxpr"] is not None:
            return None
        ufunc = None
    else:
        ufunc = indexing._SCATTER_UFUNCS.get(name)
        if ufunc is None:
            return None
    dn, mode = p["dimension_numbers"], p["mode"]
    if (isinstance(x.dtype, dtypes.ExtendedDType) or upd.dtype != x.dtype or idx.shape != (1,)
            or dn.operand_batching_dims or len(dn.scatter_dims_to_operand_dims) != 1
            or mode not in (indexing.GatherScatterMode.FILL_OR_DROP, indexing.GatherScatterMode.CLIP,
                            indexing.GatherScatterMode.PROMISE_IN_BOUNDS)
            or any(int(n) == 0 for n in x.shape)):
        return None
    d = int(dn.scatter_dims_to_operand_dims[0])
    if (tuple(dn.inserted_window_dims) != (d,) or tuple(dn.update_window_dims) != tuple(range(x.ndim - 1))
            or tuple(upd.shape) != tuple(x.shape[:d]) + tuple(x.shape[d + 1:])):
        return None
    n = int(x.shape[d])
    clip = mode is indexing.GatherScatterMode.CLIP
    pre = (slice(None),) * d

    def scatter_one(a, i, u):
        i = int(i[0])
        if clip:
            i = 0 if i < 0 else (n - 1 if i >= n else i)
        out = a if in_place else a.copy()
        if 0 <= i < n:
            key = pre + (i,) if pre else i
            out[key] = u if ufunc is None else ufunc(out[key], u)
        return out
    if not in_place:
        scatter_one.in_place_twin = lambda: _scatter_fast(eqn, in_place=True)
    return scatter_one


_OPERATORS = {np.add: "{} + {}", np.subtract: "{} - {}", np.multiply: "{} * {}",
              np.true_divide: "{} / {}", np.negative: "-{}", np.equal: "{} == {}",
              np.not_equal: "{} != {}", np.less: "{} < {}", np.less_equal: "{} <= {}",
              np.greater: "{} > {}", np.greater_equal: "{} >= {}"}
_fast_installed = False


def _install_fast_lowerings():
    global _fast_installed
    if _fast_installed:
        return
    _fast_installed = True
    # the lax modules import this one, so their primitives are looked up on first compilation
    from jaxlite._src.interpreters import ad
    from jaxlite._src.lax import elementwise, indexing, linalg, reductions, shapes
    fast_lowerings.setdefault(ad.add_any_p, lambda eqn: _same_numeric(eqn, np.add))
    fast_lowerings.setdefault(elementwise.max_p, lambda eqn: _same_numeric(eqn, np.maximum))
    fast_lowerings.setdefault(elementwise.min_p, lambda eqn: _same_numeric(eqn, np.minimum))
    fast_lowerings.setdefault(elementwise.select_n_p, _select_n_scalar_fast)
    fast_lowerings.setdefault(indexing.dynamic_slice_p, _dynamic_slice_fast)
    for prim in (indexing.scatter_p, indexing.scatter_add_p, indexing.scatter_sub_p,
                 indexing.scatter_mul_p, indexing.scatter_min_p, indexing.scatter_max_p):
        fast_lowerings.setdefault(prim, _scatter_fast)
    fast_lowerings.setdefault(linalg.dot_general_p, _dot_general_fast)
    fast_lowerings.setdefault(shapes.broadcast_in_dim_p, _broadcast_in_dim_fast)
    fast_lowerings.setdefault(shapes.reshape_p, _reshape_fast)
    fast_lowerings.setdefault(shapes.transpose_p, _transpose_fast)
    fast_lowerings.setdefault(shapes.squeeze_p, _squeeze_fast)
    fast_lowerings.setdefault(reductions.reduce_sum_p, _reduce_sum_fast)
    fast_lowerings.setdefault(elementwise.convert_element_type_p, _convert_element_type_fast)
    fast_lowerings.setdefault(elementwise.integer_pow_p, _integer_pow_fast)
    fast_lowerings.setdefault(elementwise.div_p, _div_fast)


# ---------------------------------------------------------------------------------------------------
# Fusions: ``rule(eqn, producers) -> (fn, operands) | None`` computes an equation from the operands of
# the equations that produced its inputs (``producers``: outvar -> equation, earlier in this jaxpr), e.g.
# a multiply-add in one rounding as XLA's LLVM contraction does. The producing equations still run.
# ---------------------------------------------------------------------------------------------------

fusions: dict = {}


def _np_const(val, aval):
    if isinstance(val, core.Array):
        val = val._value
    v = np.asarray(val)
    if v.dtype != aval.dtype and not isinstance(aval.dtype, dtypes.ExtendedDType):
        v = v.astype(aval.dtype)
    return v


def _has_subjaxpr(params) -> bool:
    for v in params.values():
        if isinstance(v, (Jaxpr, ClosedJaxpr)):
            return True
        if isinstance(v, (tuple, list)) and any(isinstance(e, (Jaxpr, ClosedJaxpr)) for e in v):
            return True
    return False


def _live_eqns(jaxpr: Jaxpr) -> list:
    """The equations that contribute to the outputs (dead-code elimination). Kept regardless: effectful
    equations, equations without outputs and equations holding sub-jaxprs (their effects are not
    always recorded on the equation)."""
    live = {v for v in jaxpr.outvars if type(v) is not Literal}
    keep = []
    for eqn in reversed(jaxpr.eqns):
        if (eqn.effects or not eqn.outvars or any(v in live for v in eqn.outvars)
                or _has_subjaxpr(eqn.params)):
            keep.append(eqn)
            live.update(v for v in eqn.invars if type(v) is not Literal)
    keep.reverse()
    return keep


# Intermediates at least this big are freed after their last use (small ones cost nothing to keep,
# and loop bodies without ``del`` stay plain straight-line code, which control_flow/loops.py inlines).
_FREE_MIN_BYTES = 1 << 16


def _nbytes(aval) -> int:
    n = getattr(getattr(aval, "dtype", None), "itemsize", 8)
    for d in getattr(aval, "shape", ()):
        n *= int(d)
    return n


def _free_dead_values(lines, line_names, keep):
    """``del`` each big intermediate after its last use, so that NumPy's large buffers go back to the
    allocator at once and are reused by the next ones (instead of new pages faulted in on every call)."""
    last = {}
    for i, used in enumerate(line_names):
        for n in used:
            last[n] = i
    dead_after = {}
    for n, i in last.items():
        if n not in keep:
            dead_after.setdefault(i, []).append(n)
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        if i in dead_after:
            out.append(f"    del {', '.join(sorted(dead_after[i]))}")
    return out


def _aliases(records, start: set, skip=None, after=-1) -> set:
    """Names that may share memory with a name in ``start``: the outputs of every line (after line
    ``after``, other than line ``skip``) reading one of them, unless the line is a ufunc call (whose
    results are new arrays or scalars). Views, aliases and calls of sub-programs all may share."""
    names = set(start)
    for j, (_, fn, ins, outs, _e) in enumerate(records):
        if j > after and j != skip and type(fn) is not np.ufunc and names.intersection(ins):
            names.update(outs)
    return names


def _may_keep(eqn) -> bool:
    """Whether an equation might hand its operands' buffers to user code that keeps them (callbacks,
    effects, sub-programs that may hold either)."""
    return bool(eqn.effects) or "callback" in eqn.primitive.name or _has_subjaxpr(eqn.params)


def _write_in_place(records, rets, donate, glob) -> set:
    """Let one-index scatters write into donated argument buffers (``donate``: argument index ->
    output index). Argument ``k`` is written in place by the scatter at line ``L`` when: no line after
    ``L`` reads the argument or anything that may share its memory, the scatter reads it only as its
    operand, the scatter's result is returned at output ``donate[k]`` and no other output may share
    memory with the argument or that result. Returns the argument indices written in place."""
    written = set()
    for k, out_k in donate.items():
        arg = f"a{k}"
        line = next((j for j, (_, fn, ins, _o, _e) in enumerate(records)
                     if ins and ins[0] == arg and hasattr(fn, "in_place_twin")), None)
        if line is None:
            continue
        fn_name, fn, ins, outs, _ = records[line]
        old = _aliases(records, {arg}, skip=line)
        if old.intersection(ins[1:]) or any(old.intersection(r[2]) for r in records[line + 1:]):
            continue
        if any(old.intersection(r[2]) and _may_keep(r[4]) for r in records[:line]):
            continue
        new = _aliases(records, {outs[0]}, after=line)
        if rets[out_k] != outs[0] or any(r in old or r in new
                                         for i, r in enumerate(rets) if i != out_k):
            continue
        glob[fn_name] = fn.in_place_twin()
        written.add(k)
    return written


def compile_jaxpr(jaxpr: Jaxpr, consts=(), backend=None, donate=None) -> Callable:
    """Compile ``jaxpr`` (with ``consts`` for its constvars) to ``f(*args) -> list of NumPy arrays``.

    ``donate`` (argument index -> output index) lets the program overwrite those arguments' buffers
    when its result for that argument is a one-index scatter into it and nothing else still reads it
    (for loops, which own their carries' buffers). ``f.__jaxlite_in_place__``: the arguments it writes.

    Under ``jaxlite_backend='numba'`` (or ``backend='numba'``) runs of elementwise equations are fused
    into numba kernels and each other equation first gets the numba tier's lowering, if it has one."""
    _install_fast_lowerings()
    backend = backend or config.jaxlite_backend
    numba_lower = None
    eqns = _live_eqns(jaxpr)
    if backend == "numba":
        from jaxlite._src.backend import numba_backend
        numba_backend.install()
        numba_lower = numba_backend.lower
        eqns = numba_backend.fuse(eqns, jaxpr.outvars, fusions)
    names: dict = {}
    glob: dict = {}
    lines = []
    line_names = []  # per line: the big local values (v<N>) it reads or defines, to free them early
    big = set()
    errstate = False  # whether raw ufuncs are called: then the program runs with NumPy warnings off

    def name_of(v, array=False):
        if type(v) is Literal:
            key = f"_l{len(glob)}"
            c = _np_const(v.val, v.aval)
            # next to arrays a 0-d array operand is cheaper for a ufunc than a NumPy scalar; among
            # scalars (e.g. a scalar loop body), NumPy scalars get NumPy's fast scalar math
            glob[key] = c if array or c.shape != () else c[()]
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
    producers: dict = {}
    records = []  # per generated line: (function's global name, function, input names, output names,
    # equation)
    for j, eqn in enumerate(eqns):
        invars = eqn.invars
        fusion = fusions.get(eqn.primitive)
        fused = fusion(eqn, producers) if fusion is not None else None
        if len(eqn.outvars) == 1:
            producers[eqn.outvars[0]] = eqn
        if fused is not None:
            fn, invars = fused
            errstate = True
        else:
            fn = numba_lower(eqn) if numba_lower is not None else None
            if fn is None:
                fn = _fast_lowering(eqn)
        if fn is _ALIAS:  # the output is the (only) input, e.g. a convert to the same dtype
            names[eqn.outvars[0]] = name_of(eqn.invars[0])
            continue
        if type(fn) is _Const:
            names[eqn.outvars[0]] = key = f"_k{j}"
            glob[key] = fn.value
            continue
        if fn is None:
            fn = lower_eqn(eqn.primitive, eqn.params)
        else:
            errstate = True
        fn_name = f"_f{j}"
        glob[fn_name] = fn
        array = any(v.aval.shape != () for v in invars)
        in_names = [name_of(v, array) for v in invars]
        ins = ", ".join(in_names)
        op = _OPERATORS.get(fn) if type(fn) is np.ufunc and fn.nin == len(invars) else None
        if op is not None:
            # Python's operator calls the same ufunc on arrays, and NumPy's much faster scalar math on
            # the 0-d values of scalar loops (same results: both compute in the operands' dtype)
            ins = op.format(*in_names)
        outs = []
        for v in eqn.outvars:
            if isinstance(v, DropVar):
                outs.append("_")
            else:
                names[v] = f"v{counter}"
                counter += 1
                outs.append(names[v])
                if _nbytes(v.aval) >= _FREE_MIN_BYTES:
                    big.add(names[v])
        line_names.append([n for n in in_names + outs if n in big])
        records.append((fn_name, fn, in_names, outs, eqn))
        if eqn.primitive.multiple_results:
            lhs = ", ".join(outs) + ("," if len(outs) == 1 else "")
            if not outs:
                lines.append(f"    {fn_name}({ins})")
                continue
        else:
            lhs = outs[0]
        lines.append(f"    {lhs} = {ins}" if op is not None else f"    {lhs} = {fn_name}({ins})")
    ret_names = [name_of(v) for v in jaxpr.outvars]
    ret = ", ".join(ret_names)
    in_place = set()
    if donate and numba_lower is None:
        in_place = _write_in_place(records, ret_names, donate, glob)
    lines = _free_dead_values(lines, line_names, set(ret.split(", ")))
    lines.append(f"    return [{ret}]")
    if errstate:
        # one errstate for the whole program instead of one per operation (JAX never warns)
        glob["_err_set"], glob["_err_reset"], glob["_err_ignore"] = _ERRSTATE
        lines = (["    _tok = _err_set(_err_ignore)", "    try:"] + ["    " + l for l in lines]
                 + ["    finally:", "        _err_reset(_tok)"])
    src = f"def _compiled({', '.join(args)}):\n" + "\n".join(lines) + "\n"
    glob["np"] = np
    code = compile(src, f"<jaxlite compiled jaxpr {id(jaxpr):x}>", "exec")
    exec(code, glob)
    fn = glob["_compiled"]
    fn.__jaxlite_source__ = src
    fn.__jaxlite_backend__ = backend
    fn.__jaxlite_in_place__ = frozenset(in_place)
    return fn


def compile_closed(closed: ClosedJaxpr) -> Callable:
    fn = closed._compiled
    if fn is None or fn.__jaxlite_backend__ != config.jaxlite_backend:
        jaxpr, consts = closed.jaxpr, closed.consts
        if xla_rewrites.wanted(jaxpr):  # a random sampler's program: as XLA's simplifier leaves it
            jaxpr, consts = xla_rewrites.rewrite(jaxpr, consts)
        fn = closed._compiled = compile_jaxpr(jaxpr, consts)
    return fn
