"""The sharding API: Mesh, PartitionSpec, NamedSharding, SingleDeviceSharding, device_put, and the
propagation of shardings through jitted and eager computations.

Devices are logical (``_src/devices.py``): an array's data is one NumPy buffer in host memory and its
``sharding`` says which slice of it each device holds; ``addressable_shards`` hands out those slices as
views. So sharding never changes a value, only the metadata JAX users read and print (``x.sharding``,
shard shapes, device assignment), which follows JAX for the common cases:

- elementwise operations keep their input's sharding; reductions drop the reduced dimensions;
  transposes permute the spec; ``dot_general`` keeps the batch and free dimensions' specs (so a
  batch-sharded matmul with replicated weights stays batch-sharded);
- ``jit(..., out_shardings=...)`` and ``with_sharding_constraint`` win over propagation;
- on an ``Auto`` mesh trailing ``None``s are dropped from result specs, as XLA reports them; on an
  ``Explicit`` mesh (``jax.make_mesh``'s default) result specs have one entry per dimension.
"""
from __future__ import annotations

import collections
import enum
import math
import threading
from typing import Any, Sequence

import numpy as np

from jaxlite._src import core, dtypes, tree_util
from jaxlite._src.array import ArrayImpl
from jaxlite._src.core import Primitive, ShapedArray, Tracer
from jaxlite._src.devices import CpuDevice, devices as _all_devices

# Set once any non-default sharding exists; until then jit and eager ops skip sharding work entirely.
SHARDING_USED = False


def _mark_used():
    global SHARDING_USED
    if not SHARDING_USED:
        SHARDING_USED = True
        core._eager_sharding_hook = _eager_propagate


# ---------------------------------------------------------------------------------------------------
# Mesh
# ---------------------------------------------------------------------------------------------------

class AxisType(enum.Enum):
    Auto = enum.auto()
    Explicit = enum.auto()
    Manual = enum.auto()

    def __repr__(self):
        return self.name


def _normalize_axis_types(names, axis_types, where):
    if axis_types is None:
        return (AxisType.Auto,) * len(names)
    if not isinstance(axis_types, tuple):
        axis_types = (axis_types,)
    if not all(isinstance(a, AxisType) for a in axis_types):
        raise TypeError(f"axis_types passed to {where} must be of type `jax.sharding.AxisType`. Got "
                        f"{axis_types} of type {tuple(type(a) for a in axis_types)}")
    if len(axis_types) != len(names):
        raise ValueError(f"Number of axis names should match the number of axis_types. Got "
                         f"axis_names={names} and axis_types={axis_types}")
    return axis_types


class _MeshContext(threading.local):
    def __init__(self):
        self.stack: list = []       # meshes entered with ``with mesh:``
        self.mesh = None            # the mesh set by jax.set_mesh


_mesh_ctx = _MeshContext()


class Mesh:
    """A named grid of devices: ``Mesh(np.array(jax.devices()).reshape(2, 4), ('x', 'y'))``.

    Use it as a context manager so that bare ``PartitionSpec``s refer to it.
    """

    def __init__(self, devices, axis_names, axis_types=None):
        devs = np.asarray(devices, dtype=object) if not isinstance(devices, np.ndarray) else devices
        if isinstance(axis_names, str):
            axis_names = (axis_names,)
        axis_names = tuple(axis_names)
        if not axis_names and devs.size <= 1 and (devs.size == 0 or devs.flat[0] is None):
            devs = np.empty((0,), dtype=object)   # the empty mesh
        elif devs.ndim != len(axis_names):
            raise ValueError(f"Mesh requires the ndim of its first argument (`devices`) to equal the "
                             f"length of its second argument (`axis_names`), but got devices.ndim == "
                             f"{devs.ndim} and len(axis_names) == {len(axis_names)}.")
        if len(set(axis_names)) != len(axis_names):
            raise ValueError(f"Mesh axis names must be unique, got {axis_names}")
        ids = [d.id for d in devs.flat]
        if len(set(ids)) != len(ids):
            raise ValueError(f"Mesh devices must be unique, got device ids {ids}")
        self.devices = devs
        self.axis_names = axis_names
        self.axis_types = _normalize_axis_types(axis_names, axis_types, "Mesh")
        self._hash = hash((tuple(ids), devs.shape, axis_names, self.axis_types))


    # --- shape ---
    @property
    def shape(self):
        return collections.OrderedDict(zip(self.axis_names, self.devices.shape))

    @property
    def shape_tuple(self):
        return tuple(zip(self.axis_names, self.devices.shape))

    @property
    def axis_sizes(self):
        return self.devices.shape

    @property
    def size(self):
        return int(np.prod(self.devices.shape, dtype=np.int64))

    @property
    def empty(self):
        return self.devices.size == 0

    @property
    def device_ids(self):
        return np.vectorize(lambda d: d.id, otypes=[int])(self.devices)

    @property
    def devices_flat(self):
        return list(self.devices.flat)

    @property
    def local_devices(self):
        return list(self.devices.flat)

    @property
    def local_mesh(self):
        return self

    @property
    def is_multi_process(self):
        return False

    @property
    def abstract_mesh(self):
        return AbstractMesh(self.axis_sizes, self.axis_names, axis_types=self.axis_types)

    @property
    def _any_axis_manual(self):
        return any(t == AxisType.Manual for t in self.axis_types)

    @property
    def _are_all_axes_explicit(self):
        return all(t == AxisType.Explicit for t in self.axis_types)

    def update(self, devices=None, axis_names=None, axis_types=None):
        return Mesh(self.devices if devices is None else devices,
                    self.axis_names if axis_names is None else axis_names,
                    self.axis_types if axis_types is None else axis_types)

    # --- context manager ---
    def __enter__(self):
        _mesh_ctx.stack.append(self)
        return self

    def __exit__(self, *exc):
        _mesh_ctx.stack.pop()
        return False

    # --- identity ---
    def __eq__(self, other):
        if self is other:
            return True
        return (isinstance(other, Mesh) and self.axis_names == other.axis_names
                and self.axis_types == other.axis_types and self.devices.shape == other.devices.shape
                and all(a.id == b.id for a, b in zip(self.devices.flat, other.devices.flat)))

    def __hash__(self):
        return self._hash

    def __repr__(self):
        if self.empty:
            return "Mesh()"
        return (f"Mesh(axis_sizes={tuple(self.axis_sizes)}, axis_names={tuple(self.axis_names)}, "
                f"axis_types={_types_repr(self.axis_types)})")

    def __str__(self):
        if self.empty:
            return "Mesh()"
        shape = ", ".join(f"{n!r}: {s}" for n, s in self.shape_tuple)
        return f"Mesh({shape}, axis_types={_types_repr(self.axis_types)})"


class AbstractMesh:
    """A mesh's axis names, sizes and types without devices (what tracing sees)."""

    def __init__(self, axis_sizes, axis_names, axis_types=None):
        self.axis_sizes = tuple(axis_sizes)
        self.axis_names = tuple(axis_names)
        self.axis_types = _normalize_axis_types(self.axis_names, axis_types, "AbstractMesh")

    @property
    def shape(self):
        return collections.OrderedDict(zip(self.axis_names, self.axis_sizes))

    @property
    def shape_tuple(self):
        return tuple(zip(self.axis_names, self.axis_sizes))

    @property
    def size(self):
        return math.prod(self.axis_sizes)

    @property
    def empty(self):
        return not self.axis_names

    def __eq__(self, other):
        return (isinstance(other, AbstractMesh) and self.axis_sizes == other.axis_sizes
                and self.axis_names == other.axis_names and self.axis_types == other.axis_types)

    def __hash__(self):
        return hash((self.axis_sizes, self.axis_names, self.axis_types))

    def __repr__(self):
        if self.empty:
            return "AbstractMesh((), axis_types=())"
        shape = ", ".join(f"'{n}': {s}" for n, s in self.shape_tuple)
        return (f"AbstractMesh({shape}, axis_types={_types_repr(self.axis_types)}, device_kind=cpu, "
                f"num_cores=None, platform=cpu)")


def _types_repr(types):
    inner = ", ".join(repr(t) for t in types)
    return f"({inner},)" if len(types) == 1 else f"({inner})"


_empty_mesh = Mesh(np.empty((), dtype=object), ())


def get_mesh():
    """The concrete mesh set by ``jax.set_mesh`` (or entered with ``with mesh:``), else an empty one."""
    if _mesh_ctx.mesh is not None:
        return _mesh_ctx.mesh
    if _mesh_ctx.stack:
        return _mesh_ctx.stack[-1]
    return _empty_mesh


def get_abstract_mesh():
    m = _mesh_ctx.mesh
    if m is None:
        return AbstractMesh((), ())
    return m.abstract_mesh


def _context_mesh():
    m = get_mesh()
    return None if m.empty else m


class set_mesh:
    """Set the current mesh: ``jax.set_mesh(mesh)`` (globally) or ``with jax.set_mesh(mesh): ...``."""

    __slots__ = ("prev",)

    def __init__(self, mesh):
        if mesh is not None and not isinstance(mesh, Mesh):
            raise ValueError(f"Expected mesh of type `jax.sharding.Mesh`. Got {type(mesh)}")
        if core.trace_ctx.trace is not core.eval_trace:
            raise ValueError("`set_mesh` can only be used outside of `jax.jit`.")
        self.prev = _mesh_ctx.mesh
        _mesh_ctx.mesh = mesh

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        _mesh_ctx.mesh = self.prev
        return False


def make_mesh(axis_shapes: Sequence[int], axis_names: Sequence[str], axis_types=None, *,
              devices=None) -> Mesh:
    """A mesh of the first ``prod(axis_shapes)`` devices (axis types default to ``Explicit``, as JAX).

    Example:
        >>> mesh = jax.make_mesh((2, 4), ('x', 'y'))
    """
    devs = list(_all_devices() if devices is None else devices)
    try:
        shape = tuple(int(s) for s in axis_shapes)
    except TypeError:
        raise ValueError(f"`axis_shapes` passed to `make_mesh` should be a sequence of ints. Got "
                         f"{axis_shapes}") from None
    n = math.prod(shape)
    if n > len(devs):
        raise ValueError(f"Number of devices {len(devs)} must be >= the product of mesh_shape {shape}")
    devs = devs[:n]
    from jaxlite._src import mesh_utils
    mesh_devices = mesh_utils.create_device_mesh(shape, devs)
    if axis_types is None:
        axis_types = (AxisType.Explicit,) * len(shape)
    return Mesh(mesh_devices, axis_names, axis_types=axis_types)


# ---------------------------------------------------------------------------------------------------
# PartitionSpec
# ---------------------------------------------------------------------------------------------------

class _Unconstrained:
    def __repr__(self):
        return "UNCONSTRAINED"


class PartitionSpec:
    """How each array dimension is split over mesh axes: ``P('x', None, ('y', 'z'))``.

    Entry ``i`` is ``None`` (dimension ``i`` not split), a mesh axis name, or a tuple of names (split over
    their product, first name major). Missing trailing entries mean ``None``.
    """

    __slots__ = ("_partitions", "unreduced", "reduced")
    UNCONSTRAINED = _Unconstrained()

    def __init__(self, *partitions, unreduced=frozenset(), reduced=frozenset()):
        parts = []
        for p in partitions:
            if isinstance(p, list):
                p = tuple(p)
            if isinstance(p, tuple) and len(p) == 0:
                p = None
            parts.append(p)
        self._partitions = tuple(parts)
        self.unreduced = frozenset(unreduced)
        self.reduced = frozenset(reduced)

    def __iter__(self):
        return iter(self._partitions)

    def __len__(self):
        return len(self._partitions)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return PartitionSpec(*self._partitions[i])
        return self._partitions[i]

    def index(self, v):
        return self._partitions.index(v)

    def count(self, v):
        return self._partitions.count(v)

    def __eq__(self, other):
        if isinstance(other, PartitionSpec):
            return (self._partitions == other._partitions and self.unreduced == other.unreduced
                    and self.reduced == other.reduced)
        return False

    def __hash__(self):
        return hash((self._partitions, self.unreduced, self.reduced))

    def __repr__(self):
        def one(p):
            if p is None:
                return "None"
            if isinstance(p, tuple):
                inner = ", ".join(repr(x) for x in p)
                return f"({inner},)" if len(p) == 1 else f"({inner})"
            return repr(p)
        body = ", ".join(one(p) for p in self._partitions)
        if len(self._partitions) == 1:
            body += ","
        extra = ""
        if self.unreduced:
            extra += f", unreduced={set(self.unreduced)!r}"
        if self.reduced:
            extra += f", reduced={set(self.reduced)!r}"
        return f"P({body}{extra})"

    __str__ = __repr__

    def __add__(self, other):
        if isinstance(other, PartitionSpec):
            return PartitionSpec(*self._partitions, *other._partitions)
        if isinstance(other, tuple):
            return PartitionSpec(*self._partitions, *other)
        return NotImplemented

    def __radd__(self, other):
        if isinstance(other, tuple):
            return PartitionSpec(*other, *self._partitions)
        return NotImplemented

    def _normalized_spec_for_aval(self, ndim):
        parts = list(self._partitions) + [None] * (ndim - len(self._partitions))
        return PartitionSpec(*parts)


P = PartitionSpec


def _entry_names(entry) -> tuple:
    if entry is None or entry is PartitionSpec.UNCONSTRAINED:
        return ()
    if isinstance(entry, tuple):
        return entry
    return (entry,)


# ---------------------------------------------------------------------------------------------------
# Shardings
# ---------------------------------------------------------------------------------------------------

class IndivisibleError(ValueError):
    """A dimension's size is not a multiple of the number of pieces its sharding splits it into."""


class Sharding:
    """Base class: where each slice of an array lives."""

    memory_kind = "device"

    @property
    def device_set(self) -> set:
        raise NotImplementedError

    @property
    def addressable_devices(self) -> set:
        return set(self.device_set)

    @property
    def num_devices(self) -> int:
        return len(self.device_set)

    @property
    def is_fully_addressable(self) -> bool:
        return True

    @property
    def is_fully_replicated(self) -> bool:
        raise NotImplementedError

    def devices_indices_map(self, global_shape) -> dict:
        raise NotImplementedError

    def addressable_devices_indices_map(self, global_shape) -> dict:
        return self.devices_indices_map(global_shape)

    def shard_shape(self, global_shape) -> tuple:
        raise NotImplementedError

    def is_equivalent_to(self, other, ndim) -> bool:
        if not isinstance(other, Sharding):
            return False
        return (self._device_assignment == other._device_assignment and
                _normalized_indices(self, ndim) == _normalized_indices(other, ndim))

    def with_memory_kind(self, kind):
        return self

    # (device, index, replica id) for each device, in device-assignment order
    def _shard_layout(self, shape):
        raise NotImplementedError


def _normalized_indices(s, ndim):
    shape = (64,) * ndim
    return {d.id: tuple((sl.start or 0, sl.stop if sl.stop is not None else 64) for sl in idx)
            for d, idx in s.devices_indices_map(shape).items()}


class SingleDeviceSharding(Sharding):
    """The whole array on one device (the default: device 0)."""

    __slots__ = ("_device", "memory_kind")

    def __init__(self, device, *, memory_kind=None):
        if not isinstance(device, CpuDevice):
            raise TypeError(f"SingleDeviceSharding expects a device, got {device!r}")
        self._device = device
        self.memory_kind = "device" if memory_kind is None else memory_kind

    @property
    def device_set(self):
        return {self._device}

    @property
    def _device_assignment(self):
        return (self._device,)

    @property
    def is_fully_replicated(self):
        return True

    def devices_indices_map(self, global_shape):
        return {self._device: tuple(slice(None) for _ in global_shape)}

    def shard_shape(self, global_shape):
        return tuple(global_shape)

    def _shard_layout(self, shape):
        return [(self._device, tuple(slice(None) for _ in shape), 0)]

    def __eq__(self, other):
        return isinstance(other, SingleDeviceSharding) and other._device == self._device

    def __hash__(self):
        return hash(("SingleDeviceSharding", self._device.id))

    def __repr__(self):
        return f"SingleDeviceSharding(device={self._device!r}, memory_kind={self.memory_kind})"


class NamedSharding(Sharding):
    """Split an array over a mesh according to a PartitionSpec: ``NamedSharding(mesh, P('x', None))``."""

    __slots__ = ("mesh", "spec", "memory_kind", "_hash")

    def __init__(self, mesh, spec=PartitionSpec(), *, memory_kind=None):
        if not isinstance(mesh, Mesh):
            raise TypeError(f"NamedSharding expects a jax.sharding.Mesh, got {type(mesh).__name__}")
        if spec is None:
            spec = PartitionSpec()
        if isinstance(spec, tuple):
            spec = PartitionSpec(*spec)
        if not isinstance(spec, PartitionSpec):
            raise TypeError(f"NamedSharding expects a PartitionSpec, got {spec!r}")
        self.mesh = mesh
        self.spec = spec
        self.memory_kind = "device" if memory_kind is None else memory_kind
        _check_spec_in_mesh(spec, mesh)
        self._hash = None

    @property
    def device_set(self):
        return set(self.mesh.devices.flat)

    @property
    def _device_assignment(self):
        return tuple(self.mesh.devices.flat)

    @property
    def is_fully_replicated(self):
        return all(self.mesh.shape[n] == 1 for e in self.spec for n in _entry_names(e))

    def _num_shards(self, entry):
        return math.prod(self.mesh.shape[n] for n in _entry_names(entry))

    def check_compatible_aval(self, shape):
        if len(self.spec) > len(shape):
            raise ValueError(f"One of device_put args was given the sharding of {self!r}, which implies "
                             f"that it has a rank of at least {len(self.spec)}, but it has rank "
                             f"{len(shape)} (shape {tuple(shape)}).")

    def _check_divisible(self, shape):
        self.check_compatible_aval(shape)
        for dim, entry in enumerate(self.spec):
            k = self._num_shards(entry)
            if k > 1 and shape[dim] % k:
                factors = [self._num_shards(self.spec[i]) if i < len(self.spec) else 1
                           for i in range(len(shape))]
                raise IndivisibleError(
                    f"Sharding {self!r} implies that array axis {dim} is partitioned {k} times, but the "
                    f"dimension size is {shape[dim]} (full shape: {tuple(shape)}, per-dimension tiling "
                    f"factors: {factors} should evenly divide the shape)")

    def shard_shape(self, global_shape):
        self._check_divisible(global_shape)
        out = list(global_shape)
        for dim, entry in enumerate(self.spec):
            out[dim] //= self._num_shards(entry)
        return tuple(out)

    def _shard_layout(self, shape):
        self._check_divisible(shape)
        mesh = self.mesh
        sizes = mesh.shape
        names = mesh.axis_names
        used = {n for e in self.spec for n in _entry_names(e)}
        unused = [n for n in names if n not in used]
        out = []
        for coords in np.ndindex(*mesh.devices.shape):
            pos = dict(zip(names, coords))
            idx = []
            for dim in range(len(shape)):
                entry = self.spec[dim] if dim < len(self.spec) else None
                ns = _entry_names(entry)
                if not ns or self._num_shards(entry) == 1:
                    idx.append(slice(None))
                    continue
                k = 0
                for n in ns:
                    k = k * sizes[n] + pos[n]
                size = shape[dim] // self._num_shards(entry)
                idx.append(slice(k * size, (k + 1) * size))
            rep = 0
            for n in unused:
                rep = rep * sizes[n] + pos[n]
            out.append((mesh.devices[coords], tuple(idx), rep))
        return out

    def devices_indices_map(self, global_shape):
        return {d: idx for d, idx, _ in self._shard_layout(global_shape)}

    def with_spec(self, spec):
        return NamedSharding(self.mesh, spec, memory_kind=self.memory_kind)

    def update(self, **kw):
        return NamedSharding(kw.get("mesh", self.mesh), kw.get("spec", self.spec),
                             memory_kind=kw.get("memory_kind", self.memory_kind))

    def __eq__(self, other):
        return (isinstance(other, NamedSharding) and self.mesh == other.mesh and self.spec == other.spec
                and self.memory_kind == other.memory_kind)

    def __hash__(self):
        if self._hash is None:
            self._hash = hash((self.mesh, self.spec, self.memory_kind))
        return self._hash

    def __repr__(self):
        return f"NamedSharding(mesh={self.mesh}, spec={self.spec!r}, memory_kind={self.memory_kind})"


def _entry_repr(entry):
    return repr(tuple(_entry_names(entry))) if isinstance(entry, tuple) else f"({entry!r},)"


def _check_spec_in_mesh(spec, mesh):
    seen = set()
    for entry in spec:
        for n in _entry_names(entry):
            if n not in mesh.shape:
                raise ValueError(f"Resource axis: {n} of {spec!r} is not found in mesh: "
                                 f"{tuple(mesh.axis_names)}.")
            if n in seen:
                raise ValueError(f"A single NamedSharding spec specification can map every mesh axis to "
                                 f"at most one positional dimension, but {spec!r} has duplicate entries "
                                 f"for `{n}`")
            seen.add(n)


_default_sharding_cache: dict = {}


def default_sharding() -> SingleDeviceSharding:
    s = _default_sharding_cache.get(0)
    if s is None:
        s = _default_sharding_cache[0] = SingleDeviceSharding(_all_devices()[0])
    return s


# ---------------------------------------------------------------------------------------------------
# Array side: shards
# ---------------------------------------------------------------------------------------------------

class Shard:
    """One device's piece of an array: ``device``, ``index`` (slices into the global array), ``replica_id``
    and ``data`` (an Array on that device)."""

    __slots__ = ("device", "index", "replica_id", "_array")

    def __init__(self, device, index, replica_id, array):
        self.device = device
        self.index = index
        self.replica_id = replica_id
        self._array = array

    @property
    def data(self):
        v = self._array._value[self.index]
        return ArrayImpl._from_np(np.asarray(v), self._array.weak_type, SingleDeviceSharding(self.device))

    def __repr__(self):
        return (f"Shard(device={self.device!r}, index={self.index}, replica_id={self.replica_id}, "
                f"data={self.data})")


def array_sharding(arr) -> Sharding:
    s = arr._sharding
    return default_sharding() if s is None else s


def addressable_shards(arr) -> list:
    s = array_sharding(arr)
    return [Shard(d, idx, rep, arr) for d, idx, rep in s._shard_layout(arr.shape)]


def _with_sharding(value: np.ndarray, weak_type: bool, sharding) -> ArrayImpl:
    if sharding is not None and not (isinstance(sharding, SingleDeviceSharding) and sharding._device.id == 0):
        _mark_used()
    else:
        sharding = None
    return ArrayImpl._from_np(value, weak_type, sharding)


# ---------------------------------------------------------------------------------------------------
# device_put and friends
# ---------------------------------------------------------------------------------------------------

def _resolve_sharding(s, where="device_put"):
    """A device, Sharding or bare PartitionSpec (needs a mesh in context) -> Sharding or None."""
    if s is None:
        return None
    if isinstance(s, CpuDevice):
        return SingleDeviceSharding(s)
    if isinstance(s, Sharding):
        return s
    if isinstance(s, PartitionSpec):
        mesh = _context_mesh()
        if mesh is None:
            raise ValueError(f"{where}: a bare PartitionSpec {s!r} needs a mesh in context; use "
                             f"`with jax.set_mesh(mesh):` or pass NamedSharding(mesh, spec)")
        return NamedSharding(mesh, s)
    if hasattr(s, "sharding") and isinstance(getattr(s, "sharding"), Sharding):  # a Format
        return s.sharding
    raise TypeError(f"{where}: expected a device, a Sharding or a PartitionSpec, got {s!r} of type "
                    f"{type(s).__name__}")


def _is_sharding_leaf(x):
    return x is None or isinstance(x, (CpuDevice, Sharding, PartitionSpec))


def _put_leaf(x, sharding):
    if isinstance(x, Tracer):
        if sharding is None:
            return x
        return sharding_constraint_p.bind(x, sharding=sharding, layout=None,
                                          context_mesh=get_abstract_mesh(), unconstrained_dims=frozenset())
    if isinstance(x, ArrayImpl):
        v, weak = x._value, x.weak_type
        if sharding is None:
            return x
    else:
        v, aval = core.to_value_and_aval(x)
        weak = aval.weak_type
    if isinstance(sharding, NamedSharding):
        sharding._check_divisible(np.shape(v))
    return _with_sharding(v, weak, sharding)


def device_put(x, device=None, *, src=None, donate=False, may_alias=None):
    """Place the arrays of pytree ``x`` on a device or according to a sharding (pytree prefix allowed).

    Example:
        >>> mesh = jax.make_mesh((2,), ('x',))
        >>> y = jax.device_put(jnp.arange(4.), NamedSharding(mesh, P('x')))
        >>> y.sharding.spec
        P('x',)
    """
    if _is_sharding_leaf(device):
        s = _resolve_sharding(device)
        return tree_util.tree_map(lambda leaf: _put_leaf(leaf, s), x)
    shardings = tree_util.tree_map(_resolve_sharding, device, is_leaf=_is_sharding_leaf)
    leaves, treedef = tree_util.tree_flatten(x)
    s_leaves = _broadcast_prefix(shardings, x, "device_put")
    return tree_util.tree_unflatten(treedef, [_put_leaf(l, s) for l, s in zip(leaves, s_leaves)])


def _broadcast_prefix(prefix, full, what):
    """The leaves of the pytree prefix ``prefix``, one per leaf of ``full``."""
    out = []
    try:
        tree_util.tree_map(lambda p, sub: out.extend([p] * len(tree_util.tree_leaves(sub))),
                           prefix, full, is_leaf=_is_sharding_leaf)
    except ValueError as e:
        raise ValueError(f"{what}: the shardings must be a pytree prefix of the values: {e}") from None
    return out


def device_put_replicated(x, devices):
    """Stack ``len(devices)`` copies of ``x`` along a new leading axis, one per device."""
    if not devices:
        raise ValueError("`devices` argument to `device_put_replicated must be a non-empty sequence.")
    mesh = Mesh(np.array(devices, dtype=object), ("_device_put_replicated",))
    s = NamedSharding(mesh, P("_device_put_replicated"))

    def put(leaf):
        v, aval = core.to_value_and_aval(leaf)
        return _with_sharding(np.broadcast_to(v, (len(devices),) + v.shape).copy(), False, s)
    return tree_util.tree_map(put, x)


def device_put_sharded(shards: Sequence, devices):
    """Stack the per-device values ``shards`` along a new leading axis, one per device."""
    if len(shards) != len(devices):
        raise ValueError(f"len(shards) = {len(shards)} must equal len(devices) = {len(devices)}.")
    mesh = Mesh(np.array(devices, dtype=object), ("_device_put_sharded",))
    s = NamedSharding(mesh, P("_device_put_sharded"))

    def put(*xs):
        vs = [core.to_value_and_aval(v)[0] for v in xs]
        return _with_sharding(np.stack(vs), False, s)
    return tree_util.tree_map(put, *shards)


def make_array_from_callback(shape, sharding, data_callback, dtype=None):
    """Build a sharded array by asking ``data_callback(index)`` for each device's slice.

    Example:
        >>> data = np.arange(16.).reshape(4, 4)
        >>> jax.make_array_from_callback((4, 4), sharding, lambda idx: data[idx])
    """
    sharding = _resolve_sharding(sharding, "make_array_from_callback")
    shape = tuple(int(s) for s in shape)
    out = None
    done = {}
    for d, idx, rep in sharding._shard_layout(shape):
        key = tuple((s.start, s.stop) for s in idx)
        if key in done:
            continue
        piece = data_callback(idx)
        if isinstance(piece, ArrayImpl):
            piece = piece._value
        piece = np.asarray(piece)
        if out is None:
            dt = dtypes.canonicalize_dtype(dtype if dtype is not None else piece.dtype)
            out = np.empty(shape, dt)
        expected = out[idx].shape
        if piece.shape != expected:
            raise ValueError(f"make_array_from_callback: the callback returned an array of shape "
                             f"{piece.shape} for index {idx}, but the shard shape is {expected}")
        out[idx] = piece
        done[key] = True
    if out is None:
        out = np.empty(shape, dtypes.canonicalize_dtype(dtype or np.float32))
    return _with_sharding(out, False, sharding)


def make_array_from_single_device_arrays(shape, sharding, arrays, *, dtype=None):
    """Assemble a global array from per-device arrays given in the sharding's device order."""
    shape = tuple(int(s) for s in shape)
    layout = sharding._shard_layout(shape)
    arrays = list(arrays)
    if len(arrays) != len(layout):
        raise ValueError(f"make_array_from_single_device_arrays: expected {len(layout)} arrays (one per "
                         f"addressable device of {sharding!r}), got {len(arrays)}")
    out = None
    for (d, idx, rep), a in zip(layout, arrays):
        v = a._value if isinstance(a, ArrayImpl) else np.asarray(a)
        if out is None:
            out = np.empty(shape, dtypes.canonicalize_dtype(dtype if dtype is not None else v.dtype))
        if out[idx].shape != v.shape:
            raise ValueError(f"make_array_from_single_device_arrays: array for device {d} has shape "
                             f"{v.shape}, but the sharding's shard shape is {out[idx].shape}")
        out[idx] = v
    return _with_sharding(out, False, sharding)


# ---------------------------------------------------------------------------------------------------
# with_sharding_constraint: the sharding_constraint primitive
# ---------------------------------------------------------------------------------------------------

sharding_constraint_p = Primitive("sharding_constraint")
sharding_constraint_p.def_impl(lambda x, **_: x)
sharding_constraint_p.def_abstract_eval(lambda x, **_: ShapedArray(x.shape, x.dtype, x.weak_type))


def _sc_transpose(ct, x, **params):
    from jaxlite._src.interpreters.ad import Zero
    if type(ct) is Zero:
        return [None]
    return [sharding_constraint_p.bind(ct, **params)]


def _sc_batch(vals, dims, *, sharding, **params):
    (x,), (d,) = vals, dims
    if isinstance(sharding, NamedSharding):
        parts = list(sharding.spec) + [None] * (max(0, d - len(sharding.spec)))
        parts.insert(d, None)
        sharding = sharding.with_spec(P(*parts))
    return sharding_constraint_p.bind(x, sharding=sharding, **params), d


def _register_sc_rules():
    from jaxlite._src.interpreters import ad, batching
    ad.deflinear(sharding_constraint_p, _sc_transpose)
    batching.primitive_batchers[sharding_constraint_p] = _sc_batch


_register_sc_rules()


def with_sharding_constraint(x, shardings):
    """Ask for the values of pytree ``x`` to have ``shardings`` (inside jit: a constraint that the result
    shardings follow; outside: like ``device_put``)."""
    _mark_used()
    leaves, treedef = tree_util.tree_flatten(x)
    s_leaves = [_resolve_sharding(s, "with_sharding_constraint")
                for s in _broadcast_prefix(shardings, x, "with_sharding_constraint")]
    outs = []
    for leaf, s in zip(leaves, s_leaves):
        if s is None:
            outs.append(leaf)
            continue
        if isinstance(s, NamedSharding):
            s._check_divisible(core.get_aval(leaf).shape)
        if isinstance(leaf, Tracer):
            outs.append(sharding_constraint_p.bind(leaf, sharding=s, layout=None,
                                                   context_mesh=get_mesh(),
                                                   unconstrained_dims=frozenset()))
        else:
            outs.append(_put_leaf(leaf, s))
    return tree_util.tree_unflatten(treedef, outs)


def reshard(xs, out_shardings):
    """Change the sharding of ``xs`` (here: the same as ``device_put``/``with_sharding_constraint``)."""
    return with_sharding_constraint(xs, out_shardings)


# ---------------------------------------------------------------------------------------------------
# Propagation: which sharding does a result get?
# A "spec" here is (mesh, tuple with one entry per dimension: a tuple of mesh axis names).
# ---------------------------------------------------------------------------------------------------

def _spec_of(sharding, ndim):
    if isinstance(sharding, NamedSharding):
        parts = [_entry_names(e) for e in sharding.spec][:ndim]
        parts += [()] * (ndim - len(parts))
        return (sharding.mesh, tuple(parts))
    return None


def _dedupe(parts):
    seen = set()
    out = []
    for p in parts:
        if any(n in seen for n in p):
            out.append(())
        else:
            out.append(p)
            seen.update(p)
    return tuple(out)


def _rule_same_shape(eqn_avals, in_specs, out_avals, params):
    outs = []
    for oa in out_avals:
        hit = None
        for a, s in zip(eqn_avals, in_specs):
            if s is not None and tuple(a.shape) == tuple(oa.shape):
                hit = s
                break
        outs.append(hit)
    return outs


def _prop_dot_general(avals, specs, out_avals, params):
    (lc, rc), (lb, rb) = params["dimension_numbers"]
    la, ra = avals
    ls, rs = specs
    mesh = (ls or rs)[0]
    lp = ls[1] if ls is not None else ((),) * len(la.shape)
    rp = rs[1] if rs is not None else ((),) * len(ra.shape)
    if ls is not None and rs is not None and ls[0] != rs[0]:
        return [None]
    lfree = [i for i in range(len(la.shape)) if i not in lc and i not in lb]
    rfree = [i for i in range(len(ra.shape)) if i not in rc and i not in rb]
    parts = [lp[i] or rp[j] for i, j in zip(lb, rb)] + [lp[i] for i in lfree] + [rp[i] for i in rfree]
    return [(mesh, _dedupe(parts))]


def _prop_reduce(avals, specs, out_avals, params):
    (s,) = specs
    axes = params.get("axes", ())
    return [(s[0], tuple(p for i, p in enumerate(s[1]) if i not in axes))]


def _prop_transpose(avals, specs, out_avals, params):
    (s,) = specs
    return [(s[0], tuple(s[1][i] for i in params["permutation"]))]


def _prop_bid(avals, specs, out_avals, params):
    s = specs[0]
    if s is None:
        return [None]
    out = [()] * len(out_avals[0].shape)
    in_shape = avals[0].shape
    for i, d in enumerate(params["broadcast_dimensions"]):
        if in_shape[i] == out_avals[0].shape[d]:
            out[d] = s[1][i]
    return [(s[0], tuple(out))]


def _prop_reshape(avals, specs, out_avals, params):
    (s,) = specs
    ins, outs = avals[0].shape, out_avals[0].shape
    parts = []
    k = 0
    while k < min(len(ins), len(outs)) and ins[k] == outs[k]:
        parts.append(s[1][k])
        k += 1
    # a sharded dimension split into (major, minor) keeps its sharding on the major part
    if k < len(ins) and k < len(outs) and s[1][k] and outs[k] and ins[k] % outs[k] == 0:
        n = math.prod(s[0].shape[a] for a in s[1][k])
        if outs[k] % n == 0:
            parts.append(s[1][k])
            k += 1
    parts += [()] * (len(outs) - len(parts))
    return [(s[0], tuple(parts))]


def _prop_squeeze(avals, specs, out_avals, params):
    (s,) = specs
    dims = params["dimensions"]
    return [(s[0], tuple(p for i, p in enumerate(s[1]) if i not in dims))]


def _prop_sharding_constraint(avals, specs, out_avals, params):
    sh = params["sharding"]
    return [_spec_of(sh, len(avals[0].shape)) if isinstance(sh, NamedSharding) else ("single", sh)]


_prop_rules: dict = {}


def _register_prop_rules():
    from jaxlite._src.lax import lax as L
    _prop_rules[L.dot_general_p] = _prop_dot_general
    for p in (L.reduce_sum_p, L.reduce_max_p, L.reduce_min_p, L.reduce_prod_p, L.reduce_and_p,
              L.reduce_or_p, L.argmax_p, L.argmin_p):
        _prop_rules[p] = _prop_reduce
    from jaxlite._src.lax.reductions import reduce_sum_xla_p
    _prop_rules[reduce_sum_xla_p] = _prop_reduce
    _prop_rules[L.transpose_p] = _prop_transpose
    _prop_rules[L.broadcast_in_dim_p] = _prop_bid
    _prop_rules[L.reshape_p] = _prop_reshape
    _prop_rules[L.squeeze_p] = _prop_squeeze
    _prop_rules[sharding_constraint_p] = _prop_sharding_constraint
    from jaxlite._src.lax import parallel
    for p in (parallel.psum_p,):
        _prop_rules[p] = _prop_reduce


def _sub_jaxpr(params):
    for k in ("jaxpr", "call_jaxpr", "fun_jaxpr"):
        j = params.get(k)
        if isinstance(j, core.ClosedJaxpr):
            return j
    return None


def _propagate_eqn(eqn_prim, params, in_avals, in_specs, out_avals):
    if not _prop_rules:
        _register_prop_rules()
    if all(s is None for s in in_specs) and eqn_prim is not sharding_constraint_p:
        return [None] * len(out_avals)
    if any(s is not None and s[0] == "single" for s in in_specs):
        return [None] * len(out_avals)
    rule = _prop_rules.get(eqn_prim)
    if rule is not None:
        needs_first = rule in (_prop_reduce, _prop_transpose, _prop_reshape, _prop_squeeze)
        if needs_first and in_specs[0] is None:
            return [None] * len(out_avals)
        try:
            return rule(in_avals, in_specs, out_avals, params)
        except Exception:  # a failed propagation must never break a computation: fall back to none
            return [None] * len(out_avals)
    sub = _sub_jaxpr(params)
    if sub is not None and len(sub.jaxpr.invars) == len(in_specs):
        return _propagate_jaxpr(sub.jaxpr, in_specs)
    return _rule_same_shape(in_avals, in_specs, out_avals, params)


def _propagate_jaxpr(jaxpr, in_specs):
    env = {}
    for v, s in zip(jaxpr.invars, in_specs):
        env[v] = s
    for eqn in jaxpr.eqns:
        specs = [env.get(v) if isinstance(v, core.Var) else None for v in eqn.invars]
        outs = _propagate_eqn(eqn.primitive, eqn.params, [v.aval for v in eqn.invars], specs,
                              [v.aval for v in eqn.outvars])
        for v, s in zip(eqn.outvars, outs):
            env[v] = s
    return [env.get(v) if isinstance(v, core.Var) else None for v in jaxpr.outvars]


def _spec_to_sharding(spec, ndim, fallback_mesh=None):
    if spec is None:
        if fallback_mesh is not None:
            return NamedSharding(fallback_mesh, P())
        return None
    if spec[0] == "single":
        return spec[1]
    mesh, parts = spec
    entries = [None if not p else (p[0] if len(p) == 1 else tuple(p)) for p in parts]
    if not mesh._are_all_axes_explicit:
        while entries and entries[-1] is None:
            entries.pop()
    return NamedSharding(mesh, P(*entries))


def _input_spec(x):
    if isinstance(x, ArrayImpl):
        s = x._sharding
        if s is None:
            return None
        if isinstance(s, NamedSharding):
            return _spec_of(s, x.ndim)
        return ("single", s)
    return None


def _single_device_of(specs):
    devs = {s[1]._device for s in specs if s is not None and s[0] == "single"
            and isinstance(s[1], SingleDeviceSharding)}
    return next(iter(devs)) if len(devs) == 1 else None


def _eager_propagate(primitive, args, params, result):
    """Give the result of an eagerly run primitive the sharding its inputs imply."""
    specs = [_input_spec(a) for a in args]
    if all(s is None for s in specs):
        return result
    outs = result if primitive.multiple_results else [result]
    single = _single_device_of(specs)
    if single is not None and all(s is None or s[0] == "single" for s in specs):
        new = [ArrayImpl._from_np(o._value, o.weak_type, SingleDeviceSharding(single))
               if isinstance(o, ArrayImpl) else o for o in outs]
    else:
        avals = [core.get_aval(a) for a in args]
        specs = [None if (s is not None and s[0] == "single") else s for s in specs]
        out_specs = _propagate_eqn(primitive, params, avals, specs, [o.aval for o in outs])
        mesh = next((s[0] for s in specs if s is not None), None)
        new = []
        for o, s in zip(outs, out_specs):
            if not isinstance(o, ArrayImpl):
                new.append(o)
                continue
            sh = _spec_to_sharding(s, o.ndim, mesh)
            new.append(ArrayImpl._from_np(o._value, o.weak_type, sh))
    return new if primitive.multiple_results else new[0]


def _flat_out_shardings(out_shardings, out_tree, n):
    if out_shardings is None:
        return [None] * n
    if _is_sharding_leaf(out_shardings):
        return [_resolve_sharding(out_shardings, "jit out_shardings")] * n
    dummy = tree_util.tree_unflatten(out_tree, [0] * n)
    return [_resolve_sharding(s, "jit out_shardings")
            for s in _broadcast_prefix(out_shardings, dummy, "jit out_shardings")]


def jit_result_shardings(wrapped, entry, leaves, res):
    """Called by ``jit`` on its flat results once shardings are in use: returns the results carrying the
    shardings JAX would give them (``out_shardings`` first, else propagated from the inputs)."""
    in_sh = wrapped._in_shardings
    if in_sh is not None:
        dummy_in = leaves
        if _is_sharding_leaf(in_sh):
            in_list = [_resolve_sharding(in_sh, "jit in_shardings")] * len(leaves)
        else:
            # in_shardings is a prefix of the positional arguments
            try:
                in_list = [_resolve_sharding(s, "jit in_shardings")
                           for s in _broadcast_prefix(tuple(in_sh) if isinstance(in_sh, list) else in_sh,
                                                      _args_of(wrapped, leaves, entry), "jit in_shardings")]
            except Exception:
                in_list = [None] * len(leaves)
        if len(in_list) != len(dummy_in):
            in_list = [None] * len(leaves)
        specs = [(_spec_of(s, np.ndim(x)) if isinstance(s, NamedSharding) else
                  (("single", s) if s is not None else _input_spec(x)))
                 for x, s in zip(leaves, in_list)]
    else:
        specs = [_input_spec(x) for x in leaves]
    outs_sh = _flat_out_shardings(wrapped._out_shardings, entry.out_tree, len(res))
    cache = entry.shardings
    if cache is None:
        cache = entry.shardings = {}
    key = tuple(specs)
    out_specs = cache.get(key)
    if out_specs is None and all(s is None for s in specs) and not _has_constraint(entry.closed.jaxpr):
        out_specs = cache[key] = [None] * len(res)
    if out_specs is None:
        single = _single_device_of(specs)
        if single is not None and all(s is None or s[0] == "single" for s in specs):
            out_specs = [("single", SingleDeviceSharding(single))] * len(res)
        else:
            clean = [None if (s is not None and s[0] == "single") else s for s in specs]
            closed = entry.closed
            n_hoisted = len(closed.jaxpr.invars) - len(clean)
            out_specs = _propagate_jaxpr(closed.jaxpr, [None] * n_hoisted + clean)
            mesh = next((s[0] for s in clean if s is not None), None)
            out_specs = [s if s is not None else (("mesh", mesh) if mesh is not None else None)
                         for s in out_specs]
        cache[key] = out_specs
    new = []
    for r, s, forced in zip(res, out_specs, outs_sh):
        if not isinstance(r, ArrayImpl):
            new.append(r)
            continue
        if forced is not None:
            sh = forced
        elif s is None:
            sh = None
        elif s[0] == "mesh":
            sh = NamedSharding(s[1], P())
        else:
            sh = _spec_to_sharding(s, r.ndim)
        if sh is not None:
            if isinstance(sh, NamedSharding):
                sh._check_divisible(r.shape)
            r = _with_sharding(r._value, r.weak_type, sh)
        new.append(r)
    return new


def _has_constraint(jaxpr):
    for eqn in jaxpr.eqns:
        if eqn.primitive is sharding_constraint_p:
            return True
        sub = _sub_jaxpr(eqn.params)
        if sub is not None and _has_constraint(sub.jaxpr):
            return True
    return False


def _args_of(wrapped, leaves, entry):
    # the positional-argument structure of the call is not kept; use the flat leaves as a tuple
    return tuple(leaves)


def note_jit_shardings(in_shardings, out_shardings):
    """jit calls this when given in/out shardings, so that results carry them."""
    if in_shardings is not None or out_shardings is not None:
        _mark_used()


# ---------------------------------------------------------------------------------------------------
# jax.debug.visualize_array_sharding: the device layout as a text grid
# ---------------------------------------------------------------------------------------------------

def _device_label(devs):
    ids = sorted(d.id for d in devs)
    if len(ids) == 1:
        return f"CPU {ids[0]}"
    # consecutive runs print as a range, as JAX does
    if ids == list(range(ids[0], ids[-1] + 1)):
        return f"CPU {ids[0]}-{ids[-1]}" if len(ids) > 2 else f"CPU {ids[0]},{ids[1]}"
    return "CPU " + ",".join(str(i) for i in ids)


def visualize_sharding(shape, sharding, *, use_color=False, scale=1.0, min_width=9, max_width=80,
                       color_map=None):
    """Print a text grid of which devices hold which block of a 1-D or 2-D array."""
    shape = tuple(shape)
    if len(shape) > 2:
        raise ValueError(f"visualize_sharding only works for shapes with 1 or 2 dimensions, got {shape}")
    if len(shape) == 0:
        shape2 = (1, 1)
    elif len(shape) == 1:
        shape2 = (1, shape[0])
    else:
        shape2 = shape
    blocks: dict = {}
    for d, idx, rep in sharding._shard_layout(shape):
        if len(shape) == 0:
            idx2 = (slice(0, 1), slice(0, 1))
        elif len(shape) == 1:
            idx2 = (slice(0, 1), idx[0])
        else:
            idx2 = idx
        key = tuple((s.start or 0, s.stop if s.stop is not None else n) for s, n in zip(idx2, shape2))
        blocks.setdefault(key, []).append(d)
    rows = sorted({k[0] for k in blocks})
    cols = sorted({k[1] for k in blocks})
    labels = {k: _device_label(v) for k, v in blocks.items()}
    width = max(min_width, max(len(l) for l in labels.values()) + 4)
    total_w = min(max_width, width * len(cols))
    cell_w = max(total_w // len(cols), max(len(l) for l in labels.values()) + 2)
    cell_h = 3 if len(rows) > 1 or len(shape) == 2 else 1
    lines = []
    top = "┌" + "┬".join("─" * cell_w for _ in cols) + "┐"
    mid = "├" + "┼".join("─" * cell_w for _ in cols) + "┤"
    bot = "└" + "┴".join("─" * cell_w for _ in cols) + "┘"
    lines.append(top)
    for ri, r in enumerate(rows):
        for h in range(cell_h):
            cells = []
            for c in cols:
                text = labels.get((r, c), "") if h == cell_h // 2 else ""
                cells.append(text.center(cell_w))
            lines.append("│" + "│".join(cells) + "│")
        lines.append(mid if ri < len(rows) - 1 else bot)
    print("\n".join(lines))


def visualize_array_sharding(arr, **kwargs):
    """Print how ``arr`` (a 1-D or 2-D Array) is laid out over devices.

    Example:
        >>> jax.debug.visualize_array_sharding(jax.device_put(jnp.ones(8), NamedSharding(mesh, P('x'))))
        ┌───────┬───────┐
        │ CPU 0 │ CPU 1 │
        └───────┴───────┘
    """
    if isinstance(arr, Tracer):
        raise NotImplementedError("jax.debug.visualize_array_sharding on a traced value (inside jit) is "
                                  "not implemented in jaxlite; call it on the jitted function's result")
    if not isinstance(arr, ArrayImpl):
        arr = device_put(arr)
    return visualize_sharding(arr.shape, array_sharding(arr), **kwargs)


def inspect_array_sharding(value, *, callback):
    """Call ``callback(sharding)`` for each array leaf of ``value``."""
    for leaf in tree_util.tree_leaves(value):
        if isinstance(leaf, ArrayImpl):
            callback(array_sharding(leaf))
        else:
            raise NotImplementedError("inspect_array_sharding on traced values is not implemented in "
                                      "jaxlite")
