"""jaxlite: the JAX programming model in pure Python on NumPy.

    import jaxlite as jax
    import jaxlite.numpy as jnp
"""
from jaxlite._src.config import config, enable_x64, debug_nans, debug_infs  # noqa: F401
from jaxlite._src.array import Array  # noqa: F401
from jaxlite._src.api import (jit, make_jaxpr, eval_shape, disable_jit, ShapeDtypeStruct,  # noqa: F401
                              block_until_ready, device_get)
from jaxlite._src.ad_api import (grad, value_and_grad, jvp, vjp, linearize, jacfwd, jacrev,  # noqa: F401
                                 jacobian, hessian, closure_convert)
from jaxlite._src.vmap import vmap  # noqa: F401
from jaxlite._src.custom_derivatives import custom_jvp, custom_vjp  # noqa: F401
from jaxlite._src.ad_checkpoint import checkpoint, remat, checkpoint_policies  # noqa: F401
from jaxlite._src.ad_api import fwd_and_bwd, linear_transpose  # noqa: F401
from jaxlite._src.custom_derivatives import custom_gradient  # noqa: F401
from jaxlite._src.callback import pure_callback  # noqa: F401
from jaxlite._src.core import typeof, ensure_compile_time_eval  # noqa: F401
from jaxlite._src.dtypes import float0  # noqa: F401
from jaxlite._src.api import clear_caches, named_call, named_scope, print_environment_info  # noqa: F401
from jaxlite._src.config import (default_matmul_precision, log_compiles, explain_cache_misses,  # noqa: F401
                                 numpy_rank_promotion, numpy_dtype_promotion, threefry_partitionable,
                                 default_prng_impl, enable_checks, check_tracer_leaks, checking_leaks,
                                 debug_key_reuse, enable_custom_prng, legacy_prng_key, default_device,
                                 transfer_guard, transfer_guard_host_to_device,
                                 transfer_guard_device_to_host, transfer_guard_device_to_device)
from jaxlite._src.devices import (devices, local_devices, device_count, local_device_count,  # noqa: F401
                                  process_index, process_count, default_backend, host_id, host_count,
                                  process_indices, host_ids)
from jaxlite._src.sharding import (device_put, device_put_replicated, device_put_sharded,  # noqa: F401
                                   make_array_from_callback, make_array_from_single_device_arrays,
                                   make_mesh, set_mesh, reshard, NamedSharding, P)
from jaxlite._src.pmap import pmap  # noqa: F401
from jaxlite._src.shard_map import shard_map  # noqa: F401
from jaxlite import numpy, lax, tree, tree_util, dtypes, errors, core  # noqa: F401
from jaxlite import ad_checkpoint, custom_derivatives  # noqa: F401
from jaxlite import sharding, experimental, debug  # noqa: F401
from jaxlite import random, nn, scipy  # noqa: F401

__version__ = "0.1.0"
