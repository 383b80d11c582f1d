"""jax.numpy: the NumPy API on jaxlite arrays (re-exported from jaxlite._src.numpy)."""
from jaxlite._src.numpy.lax_numpy import *  # noqa: F401,F403
from jaxlite._src.numpy.ufuncs import *  # noqa: F401,F403
from jaxlite._src.numpy.reductions import *  # noqa: F401,F403
from jaxlite._src.numpy.indexing import (  # noqa: F401
    take, take_along_axis, put_along_axis, put, place, choose, compress, extract, ravel_multi_index,
    unravel_index, diag_indices, diag_indices_from, tril_indices, triu_indices, tril_indices_from,
    triu_indices_from, ix_)
from jaxlite._src.numpy.control_flow import select, piecewise  # noqa: F401
from jaxlite._src.numpy import array_methods as _array_methods  # noqa: F401  (installs operators)
from jaxlite.numpy import linalg, fft  # noqa: F401,E402  (submodules jnp.linalg, jnp.fft)
from jaxlite._src.numpy.sorting import *  # noqa: F401,F403
from jaxlite._src.numpy.setops import *  # noqa: F401,F403
from jaxlite._src.numpy.einsum import *  # noqa: F401,F403
from jaxlite._src.numpy.statistics import *  # noqa: F401,F403
