"""Public ``jax.custom_derivatives``."""
from jaxlite._src.custom_derivatives import (custom_jvp, custom_vjp, SymbolicZero,  # noqa: F401
                                            CustomVJPPrimal, zero_from_primal)
