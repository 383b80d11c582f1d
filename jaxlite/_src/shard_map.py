"""``jax.shard_map``: run a function on each device's block of its arguments, with collectives over the
mesh axis names.

As with ``pmap``, devices are logical, so ``shard_map`` runs on the batching machinery: each argument is
reshaped so that every mesh axis it is split over becomes a leading dimension (mesh order), and the body
runs under one batch trace per manual mesh axis (named after it), so the body sees blocks of the local
shape and ``psum(x, 'x')``/``all_gather``/``ppermute``/... are computed by the collectives' batch rules.
Outputs are reassembled according to ``out_specs``; an output whose spec leaves out a mesh axis must not
vary along it (checked when ``check_vma``/``check_rep`` is on, as JAX does).
"""
from __future__ import annotations

import functools
import math
from typing import Any, Callable

import numpy as np

from jaxlite._src import core, tree_util
from jaxlite._src.core import Tracer, set_current_trace
from jaxlite._src.interpreters import batching
from jaxlite._src.tree_util import tree_flatten, tree_unflatten


class _InferType:
    def __repr__(self):
        return "jax.sharding.Infer"


Infer = _InferType()


def _is_spec_leaf(x):
    from jaxlite._src.sharding import PartitionSpec
    return x is None or isinstance(x, PartitionSpec)


def _spec_names(spec):
    from jaxlite._src.sharding import _entry_names
    return [_entry_names(e) for e in spec]


def shard_map(f: Callable | None = None, /, *args, out_specs=None, in_specs=Infer, mesh=None,
              axis_names=frozenset(), check_vma: bool = True, check_rep: bool | None = None,
              auto=None):
    """Map ``f`` over the blocks of its arguments on ``mesh``.

    ``in_specs``/``out_specs`` are PartitionSpecs (pytree prefixes of the arguments/results) saying how
    each array is split over the mesh axes; inside ``f`` the arrays have their per-device block shape and
    collectives such as ``jax.lax.psum(x, 'x')`` act over mesh axes.

    Example:
        >>> mesh = jax.make_mesh((4,), ('x',))
        >>> f = jax.shard_map(lambda b: jax.lax.psum(b.sum(), 'x'), mesh=mesh, in_specs=P('x'),
        ...                   out_specs=P())
        >>> f(jnp.arange(8.))
        Array(28., dtype=float32)
    """
    if args:  # the older experimental signature: shard_map(f, mesh, in_specs, out_specs, ...)
        names = ("mesh", "in_specs", "out_specs", "check_rep", "auto")
        given = dict(zip(names, args))
        mesh = given.get("mesh", mesh)
        in_specs = given.get("in_specs", in_specs)
        out_specs = given.get("out_specs", out_specs)
        if "check_rep" in given:
            check_rep = given["check_rep"]
    if check_rep is not None:
        check_vma = bool(check_rep)
    if f is None:
        return lambda g: shard_map(g, out_specs=out_specs, in_specs=in_specs, mesh=mesh,
                                   axis_names=axis_names, check_vma=check_vma)
    if not callable(f):
        raise TypeError(f"shard_map requires a callable for its first argument, got {f!r}")
    if out_specs is None and not args:
        raise TypeError("shard_map() missing required keyword argument: 'out_specs'")
    return _ShardMapped(f, mesh, in_specs, out_specs, frozenset(axis_names), check_vma)


class _ShardMapped:
    def __init__(self, f, mesh, in_specs, out_specs, axis_names, check_vma):
        self.f = f
        self.mesh = mesh
        self.in_specs = in_specs
        self.out_specs = out_specs
        self.axis_names = axis_names
        self.check_vma = check_vma
        self._jit_cache: dict = {}
        functools.update_wrapper(self, f, updated=())

    def _get_mesh(self):
        from jaxlite._src import sharding as shd
        mesh = self.mesh
        if mesh is None:
            mesh = shd._context_mesh()
            if mesh is None:
                raise ValueError("The context mesh cannot be empty. Use `jax.set_mesh(mesh)` to enter "
                                 "into a mesh context, or pass mesh= to shard_map")
        if isinstance(mesh, shd.AbstractMesh):
            raise NotImplementedError("shard_map with an AbstractMesh is not implemented in jaxlite; "
                                      "pass a concrete jax.sharding.Mesh")
        if not isinstance(mesh, shd.Mesh):
            raise TypeError(f"shard_map requires a jax.sharding.Mesh, got {type(mesh).__name__}")
        return mesh

    def __call__(self, *args, **kwargs):
        from jaxlite._src import sharding as shd
        if kwargs:
            raise TypeError("shard_map'd functions take positional arguments only (got keyword "
                            f"arguments {sorted(kwargs)})")
        mesh = self._get_mesh()
        manual = tuple(n for n in mesh.axis_names if not self.axis_names or n in self.axis_names)
        leaves, in_tree = tree_flatten(args)
        fname = getattr(self.f, "__name__", "f")
        # --- in_specs, one per leaf ---
        if self.in_specs is Infer:
            specs = [x.sharding.spec if isinstance(getattr(x, "_sharding", None), shd.NamedSharding)
                     else shd.P() for x in leaves]
        else:
            in_specs = self.in_specs
            if isinstance(in_specs, list):
                in_specs = tuple(in_specs)
            if _is_spec_leaf(in_specs) and not isinstance(in_specs, tuple):
                specs = [in_specs] * len(leaves)
            else:
                try:
                    specs = shd._broadcast_prefix(in_specs, args, "shard_map in_specs")
                except ValueError as e:
                    raise ValueError(f"shard_map in_specs must be a pytree prefix of the arguments of "
                                     f"{fname}: {e}") from None
            specs = [shd.P() if s is None else s for s in specs]
        for s in specs:
            if not isinstance(s, shd.PartitionSpec):
                raise TypeError(f"shard_map in_specs leaves must be PartitionSpecs, got {s!r}")
            shd._check_spec_in_mesh(s, mesh)
        avals = [core.get_aval(x) for x in leaves]
        self._check_divisible(fname, mesh, leaves, avals, specs, args)
        key = (in_tree, tuple(specs), tuple(avals), mesh, manual)
        run = functools.partial(self._run, mesh, manual, in_tree, specs)
        if core.trace_ctx.trace is core.eval_trace:
            from jaxlite._src.api import jit
            jitted = self._jit_cache.get(key[:2] + key[3:])
            if jitted is None:
                jitted = self._jit_cache[key[:2] + key[3:]] = jit(run)
            out = jitted(*leaves)
            return self._shard_outputs(mesh, out)
        return run(*leaves)

    # -- errors --
    def _check_divisible(self, fname, mesh, leaves, avals, specs, args):
        problems = []
        for i, (a, s) in enumerate(zip(avals, specs)):
            if len(s) > len(a.shape):
                raise ValueError(f"shard_map applied to the function '{fname}' was given an argument of "
                                 f"shape {a.str_short()} whose in_specs {s!r} has more entries than "
                                 f"the argument has dimensions")
            for dim, names in enumerate(_spec_names(s)):
                size = math.prod(mesh.shape[n] for n in names)
                if names and a.shape[dim] % size:
                    ax = (f"mesh axis '{names[0]}'" if len(names) == 1 else
                          f"mesh axes {names}")
                    problems.append(
                        f"* the passed args[{i}] of shape {a.str_short(short_dtypes=False)}, corresponds to "
                        f"in_specs of value {s!r}, which maps array axis {dim} (of size {a.shape[dim]}) "
                        f"to {ax} (of size {size}), but {size} does not evenly divide {a.shape[dim]}")
        if problems:
            shape = tuple(mesh.axis_sizes)
            raise ValueError(
                f"shard_map applied to the function '{fname}' was given argument arrays with axis sizes "
                f"that are not evenly divisible by the corresponding mesh axis sizes:\n\nThe mesh given "
                f"has shape {shape} with corresponding axis names {tuple(mesh.axis_names)}.\n\n"
                + "\n\n".join(problems) +
                "\n\nArray arguments' axis sizes must be evenly divisible by the mesh axis or axes "
                "indicated by the corresponding elements of the argument's in_specs entry. Consider "
                "checking that in_specs are correct, and if so consider changing the mesh axis sizes or "
                "else padding the input and adapting 'f' appropriately.")

    # -- the computation --
    def _run(self, mesh, manual, in_tree, specs, *leaves):
        lax = _lax()
        # split each argument into blocks: one leading dimension per manual mesh axis it is split over
        vals, has_dim = [], []
        for x, s in zip(leaves, specs):
            x, dims_for = _to_blocks(x, _spec_names(s), mesh, manual)
            vals.append(x)
            has_dim.append(dims_for)
        store = {}
        fname = getattr(self.f, "__name__", "f")

        def body(*blocks):
            out = self.f(*tree_unflatten(in_tree, blocks))
            out_leaves, store["tree"] = tree_flatten(out)
            return out_leaves

        outs = _nested(body, vals, has_dim, manual, mesh, self, store, fname)
        out_tree = store["tree"]
        out_specs = self._out_specs_flat(out_tree)
        results = []
        for (o, present), s in zip(outs, out_specs):
            results.append(_from_blocks(o, present, _spec_names(s), mesh, manual))
        return tree_unflatten(out_tree, results)

    def _out_specs_flat(self, out_tree):
        from jaxlite._src import sharding as shd
        dummy = tree_unflatten(out_tree, [0] * out_tree.num_leaves)
        out_specs = self.out_specs
        if isinstance(out_specs, list):
            out_specs = tuple(out_specs)
        if _is_spec_leaf(out_specs) and not isinstance(out_specs, tuple):
            specs = [out_specs] * out_tree.num_leaves
        else:
            try:
                specs = shd._broadcast_prefix(out_specs, dummy, "shard_map out_specs")
            except ValueError as e:
                raise ValueError(f"shard_map out_specs must be a pytree prefix of the outputs: {e}") from None
        return [shd.P() if s is None else s for s in specs]

    def _shard_outputs(self, mesh, out):
        from jaxlite._src import sharding as shd
        from jaxlite._src.array import ArrayImpl
        leaves, tree = tree_flatten(out)
        specs = self._out_specs_flat(tree)
        res = []
        for leaf, s in zip(leaves, specs):
            if isinstance(leaf, ArrayImpl):
                leaf = shd._with_sharding(leaf._value, leaf.weak_type, shd.NamedSharding(mesh, s))
            res.append(leaf)
        return tree_unflatten(tree, res)


def _lax():
    from jaxlite._src.lax import lax as lax_mod
    return lax_mod


def _to_blocks(x, spec_names, mesh, manual):
    """Reshape/transpose ``x`` so that each manual mesh axis it is split over is a leading dimension
    (mesh order), the rest being the per-device block. Returns (value, [bool per manual axis])."""
    lax = _lax()
    shape = list(core.get_aval(x).shape)
    # split dimension d over names (n1, n2, ...) into (|n1|, |n2|, ..., block)
    new_shape = []
    axis_pos = {}   # mesh axis name -> position in new_shape
    block_pos = []
    for d, size in enumerate(shape):
        names = [n for n in (spec_names[d] if d < len(spec_names) else ()) if n in manual]
        for n in names:
            axis_pos[n] = len(new_shape)
            new_shape.append(mesh.shape[n])
        k = math.prod(mesh.shape[n] for n in names)
        block_pos.append(len(new_shape))
        new_shape.append(size // k)
    if not axis_pos:
        return x, [False] * len(manual)
    x = lax.reshape(x, tuple(new_shape))
    lead = [axis_pos[n] for n in manual if n in axis_pos]
    perm = lead + block_pos
    x = lax.transpose(x, tuple(perm))
    return x, [n in axis_pos for n in manual]


def _nested(body, vals, has_dim, manual, mesh, sm, store, fname):
    """Run ``body`` under one batch trace per manual mesh axis. Returns, per output, the value and which
    manual axes it still has a leading dimension for (mesh order)."""
    def level(i, vals, has_dim):
        if i == len(manual):
            outs = body(*vals)
            return [(o, []) for o in outs]
        name = manual[i]
        size = mesh.shape[name]
        parent = core.trace_ctx.trace
        trace = batching.BatchTrace(parent, batching.AxisData(name, size, None))
        ins = [batching.BatchTracer(trace, v, 0) if h[0] else v for v, h in zip(vals, has_dim)]
        rest = [h[1:] for h in has_dim]
        try:
            with set_current_trace(trace):
                inner = level(i + 1, ins, rest)
            out_specs = sm._out_specs_flat(store["tree"])
            res = []
            for (o, present), s in zip(inner, out_specs):
                v, d = trace.to_batch_info(o)
                mentioned = any(name in names for names in _spec_names(s))
                with set_current_trace(parent):
                    if mentioned:
                        v = batching.matchaxis(d, 0, size, v)
                        res.append((v, [True] + present))
                        continue
                    if d is not None:
                        if sm.check_vma:
                            raise ValueError(
                                f"shard_map applied to the function '{fname}' was given out_specs which "
                                f"require replication which can't be statically inferred given the "
                                f"mesh:\n\nThe mesh given has shape {tuple(mesh.axis_sizes)} with "
                                f"corresponding axis names {tuple(mesh.axis_names)}.\n\nout_specs is "
                                f"{s!r} which implies that the corresponding output value is replicated "
                                f"across mesh axis '{name}', but could not infer replication over that "
                                f"axis\n\nCheck if these output values are meant to be replicated over "
                                f"those mesh axes. If not, consider revising the corresponding out_specs "
                                f"entries. If so, consider disabling the check by passing the "
                                f"check_vma=False argument to `jax.shard_map`.")
                        # take device 0's value along this axis, as JAX does without the check
                        v = _lax().squeeze(_index0(v, d), (d,))
                    res.append((v, [False] + present))
            return res
        finally:
            trace.invalidate()

    return level(0, vals, has_dim)


def _index0(v, d):
    shape = core.get_aval(v).shape
    start = [0] * len(shape)
    limit = list(shape)
    limit[d] = 1
    return _lax().slice(v, tuple(start), tuple(limit))


def _from_blocks(o, present, spec_names, mesh, manual):
    """Inverse of ``_to_blocks`` for an output with leading dims for the ``present`` manual axes."""
    lax = _lax()
    lead = [n for n, p in zip(manual, present) if p]
    if not lead:
        return o
    shape = core.get_aval(o).shape
    nlead = len(lead)
    block = shape[nlead:]
    # for each block dim, the leading dims (by spec order) folded into it
    perm = []
    new_shape = []
    for d, size in enumerate(block):
        names = [n for n in (spec_names[d] if d < len(spec_names) else ()) if n in lead]
        for n in names:
            perm.append(lead.index(n))
        perm.append(nlead + d)
        new_shape.append(size * math.prod(mesh.shape[n] for n in names))
    if sorted(perm) != list(range(len(shape))):
        raise ValueError(f"shard_map out_specs {spec_names} refer to more dimensions than the output of "
                         f"rank {len(block)} has")
    o = lax.transpose(o, tuple(perm))
    return lax.reshape(o, tuple(new_shape))
