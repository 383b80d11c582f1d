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
from jaxlite import numpy, lax, tree, tree_util, dtypes, errors, core  # noqa: F401

__version__ = "0.1.0"
