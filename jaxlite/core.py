"""jax.core: jaxpr types and evaluation (re-exported from jaxlite._src.core)."""
from jaxlite._src.core import (AbstractToken, ClosedJaxpr, DropVar, Jaxpr, JaxprEqn, Literal,  # noqa: F401
                               Primitive, ShapedArray, Trace, Tracer, Var, concrete_or_error,
                               eval_jaxpr, get_aval, jaxpr_as_fun, valid_jaxtype)
