"""Helpers shared by the distributions of jax.scipy.stats."""
from __future__ import annotations

import numpy as np

from jaxlite._src import core
from jaxlite._src.lax import lax
from jaxlite._src.numpy.util import promote_args_inexact  # noqa: F401  (re-used by the modules)


def c(x, v):
    """Scalar constant ``v`` with ``x``'s dtype and weak type."""
    aval = core.get_aval(x)
    return lax._convert_element_type(v, aval.dtype, aval.weak_type)


def jnp():
    import jaxlite.numpy as m
    return m


NEG_INF = -np.inf
