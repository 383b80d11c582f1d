"""jax.errors: JAX's exception types (re-exported from jaxlite._src.errors)."""
from jaxlite._src.errors import (ConcretizationTypeError, JAXIndexError, JAXTypeError,  # noqa: F401
                                 KeyReuseError, NonConcreteBooleanIndexError, JaxRuntimeError,
                                 TracerArrayConversionError, TracerBoolConversionError,
                                 TracerIntegerConversionError, UnexpectedTracerError)
