"""jax.sharding: meshes, partition specs and shardings (re-exported from jaxlite._src.sharding)."""
from jaxlite._src.sharding import (Mesh, AbstractMesh, AxisType, PartitionSpec, NamedSharding,  # noqa: F401
                                   SingleDeviceSharding, Sharding, set_mesh, get_mesh,
                                   get_abstract_mesh, reshard)
from jaxlite._src.shard_map import Infer  # noqa: F401
from jaxlite._src.devices import CpuDevice as Device  # noqa: F401
