"""``jax.pmap``: map a function over the leading axis of its arguments, one slice per device.

Devices here are logical and share host memory, so ``pmap`` runs on the batching machinery: the body
runs once as a batch trace whose axis carries ``axis_name`` (so ``psum``/``pmean``/``all_gather``/...
are computed by the collectives' batch rules along the device axis, as whole-array NumPy operations —
results never depend on scheduling), and the whole thing is compiled with ``jit``. The result is an
Array sharded over the devices along its mapped axis, as JAX's is.
"""
from __future__ import annotations

import functools
import threading
from typing import Callable, Sequence

import numpy as np

from jaxlite._src import core
from jaxlite._src.devices import devices as _all_devices
from jaxlite._src.interpreters import batching
from jaxlite._src.tree_util import tree_flatten, tree_unflatten
from jaxlite._src.vmap import (_mapped_axis_size, check_axes_spec, check_in_axes_len, flat_fun_and_out_dims,
                               flatten_axes, mapped_args)

_INTERNAL_AXIS = "_internal_pmap_axis_name"


class _PmapState(threading.local):
    def __init__(self):
        self.sizes: list = []   # sizes of the enclosing pmaps being traced (nested pmap uses n*m devices)


_state = _PmapState()


def pmap(fun: Callable, axis_name=None, *, in_axes=0, out_axes=0, static_broadcasted_argnums=(),
         devices: Sequence | None = None, backend: str | None = None, axis_size: int | None = None,
         donate_argnums=(), global_arg_shapes=None) -> Callable:
    """Parallel map over devices: ``fun`` runs on each slice of the mapped axis, and collectives
    (``lax.psum(x, axis_name)``, ...) communicate between the slices.

    Example:
        >>> f = jax.pmap(lambda x: x / jax.lax.psum(x, 'i'), axis_name='i')
        >>> f(jnp.arange(1., 3.))
        Array([0.33333334, 0.6666667 ], dtype=float32)
    """
    if not callable(fun):
        raise TypeError(f"pmap requires a callable argument, got {fun!r}")
    if isinstance(static_broadcasted_argnums, int):
        static_broadcasted_argnums = (static_broadcasted_argnums,)
    static_nums = tuple(int(i) for i in static_broadcasted_argnums)
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)
    check_axes_spec("pmap", in_axes, "in_axes")
    check_axes_spec("pmap", out_axes, "out_axes")
    if backend not in (None, "cpu"):
        raise ValueError(f"pmap: unknown backend {backend!r}; jaxlite has only 'cpu' devices")
    name = _INTERNAL_AXIS if axis_name is None else axis_name
    jit_cache: dict = {}

    @functools.wraps(fun)
    def pmap_f(*args, **kwargs):
        nargs = len(args)
        static_nums_n = tuple(i % nargs if nargs else i for i in static_nums)
        for i in static_nums_n:
            if i >= nargs:
                raise ValueError(f"pmapped function has static_broadcasted_argnums={static_nums} but was "
                                 f"called with only {nargs} positional argument(s)")
        static = tuple((i, args[i]) for i in sorted(set(static_nums_n)))
        for i, v in static:
            try:
                hash(v)
            except TypeError:
                raise ValueError(f"Non-hashable static arguments are not supported. An error occurred "
                                 f"while trying to hash an object of type {type(v)}, {v}. (static "
                                 f"argument {i} of the pmapped function)") from None
        dyn_args = tuple(a for i, a in enumerate(args) if i not in dict(static))
        check_in_axes_len("pmap", in_axes, nargs)
        dyn_in_axes = in_axes
        if isinstance(in_axes, tuple):
            dyn_in_axes = tuple(a for i, a in enumerate(in_axes) if i not in dict(static))
        leaves, in_tree = tree_flatten((dyn_args, kwargs))
        in_dims = flatten_axes("pmap in_axes", in_tree, (dyn_in_axes, 0), kws=True)
        n = _mapped_axis_size(fun, in_tree, leaves, in_dims, "pmap", axis_size)
        devs = list(devices) if devices is not None else _all_devices()
        outer = int(np.prod(_state.sizes)) if _state.sizes else 1
        if n * outer > len(devs):
            raise ValueError(
                f"pmap: the mapped axis has size {n}" + (f" (inside pmaps of total size {outer})"
                                                         if outer > 1 else "") +
                f", which needs {n * outer} devices, but only {len(devs)} are available. Use "
                f"jax.config.update('jax_num_cpu_devices', N) (or XLA_FLAGS="
                f"--xla_force_host_platform_device_count=N) before the first JAX operation, or "
                f"reshape the input so that its leading axis fits the devices.")
        vals, dims = mapped_args(leaves, in_dims)

        def with_static(*a, **kw):
            full = list(a)
            for i, v in static:
                full.insert(i, v)
            return fun(*full, **kw)

        def run(*flat_vals):
            flat_fun, out_dims, out_tree = flat_fun_and_out_dims("pmap", with_static, in_tree, out_axes)
            _state.sizes.append(n)
            try:
                outs = batching.vmap_flat(flat_fun, list(flat_vals), dims, out_dims, n, name)
            finally:
                _state.sizes.pop()
            return tree_unflatten(out_tree(), outs)

        if core.trace_ctx.trace is not core.eval_trace:
            # inside another transformation (grad, vmap, an enclosing pmap, jit): run the batch trace
            # inline so that the enclosing trace sees ordinary primitives
            return run(*vals)
        key = (in_tree, static, tuple(dims), n)
        jitted = jit_cache.get(key)
        if jitted is None:
            from jaxlite._src.api import jit
            jitted = jit_cache[key] = jit(run)
        out = jitted(*vals)
        return _shard_outputs(out, out_axes, name, devs[:n])

    pmap_f.__wrapped__ = fun
    return pmap_f


def _shard_outputs(out, out_axes, name, devs):
    from jaxlite._src import sharding as shd
    from jaxlite._src.array import ArrayImpl
    leaves, tree = tree_flatten(out)
    axes = flatten_axes("pmap out_axes", tree, out_axes)
    mesh = shd.Mesh(np.array(devs, dtype=object).reshape(len(devs)), (name,))
    res = []
    for leaf, ax in zip(leaves, axes):
        if isinstance(leaf, ArrayImpl):
            if ax is None:
                spec = shd.P()
            else:
                ax = int(ax) % leaf.ndim
                spec = shd.P(*([None] * ax + [name]))
            leaf = shd._with_sharding(leaf._value, leaf.weak_type, shd.NamedSharding(mesh, spec))
        res.append(leaf)
    return tree_unflatten(tree, res)
