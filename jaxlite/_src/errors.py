"""JAX's exception types, with messages that say what was abstract and how to fix it."""
from __future__ import annotations


class JAXTypeError(TypeError):
    pass


class JAXIndexError(IndexError):
    pass


class _TracerErrorMixin:
    @staticmethod
    def _describe(tracer, context=""):
        aval = getattr(tracer, "aval", None)
        where = tracer._origin_msg() if hasattr(tracer, "_origin_msg") else ""
        head = f"Abstract tracer value encountered where concrete value is expected: {tracer}"
        if aval is not None:
            head = f"Abstract tracer value encountered where concrete value is expected: traced array with shape {aval.str_short()}"
        return head + (f"\n{context}" if context else "") + (f"\n{where}" if where else "")


class ConcretizationTypeError(_TracerErrorMixin, JAXTypeError):
    """A traced (abstract) value was used where Python needs a concrete one."""

    def __init__(self, tracer, context: str = ""):
        self.tracer = tracer
        msg = self._describe(tracer, context)
        msg += ("\nIf this value should be a compile-time constant, mark the argument static with "
                "`static_argnums`/`static_argnames` in `jax.jit`; for value-dependent control flow use "
                "`jax.lax.cond`, `jax.lax.while_loop` or `jnp.where`.")
        super().__init__(msg)


class NonConcreteBooleanIndexError(JAXIndexError):
    """Boolean mask indexing with a traced mask (the result shape would depend on values)."""

    def __init__(self, tracer):
        self.tracer = tracer
        super().__init__(
            f"Array boolean indices must be concrete; got {tracer}.\n"
            "The size of the result would depend on the values of the mask, which are not known while "
            "tracing. Use `jnp.where(mask, x, fill)` to keep the shape, or pass `size=` to "
            "`jnp.nonzero`/`jnp.where` to get a fixed number of indices.")


class TracerArrayConversionError(JAXTypeError):
    """A traced value was converted to a NumPy array (``np.asarray(tracer)``)."""

    def __init__(self, tracer):
        self.tracer = tracer
        where = tracer._origin_msg() if hasattr(tracer, "_origin_msg") else ""
        super().__init__(
            f"The numpy.ndarray conversion method __array__() was called on traced array with shape "
            f"{tracer.aval.str_short()}.\n"
            "NumPy functions need concrete values; inside jit/grad/vmap use `jax.numpy` functions "
            "instead of `numpy` ones, or move the NumPy call outside the transformed function."
            + (f"\n{where}" if where else ""))


class TracerIntegerConversionError(JAXTypeError):
    """A traced value was used as a Python int (``range(x)``, ``lst[x]``)."""

    def __init__(self, tracer):
        self.tracer = tracer
        where = tracer._origin_msg() if hasattr(tracer, "_origin_msg") else ""
        super().__init__(
            f"The __index__() method was called on traced array with shape {tracer.aval.str_short()}.\n"
            "A Python integer was needed (for a range, a list index or a shape), but the value is only "
            "known when the compiled function runs. Mark the argument static with `static_argnums`, "
            "or use `jax.lax.fori_loop` / `jax.lax.dynamic_slice` for value-dependent loops and indices."
            + (f"\n{where}" if where else ""))


class TracerBoolConversionError(ConcretizationTypeError):
    """A traced value was used in a Python ``if``/``while``/``and``/``or``."""

    def __init__(self, tracer):
        self.tracer = tracer
        where = tracer._origin_msg() if hasattr(tracer, "_origin_msg") else ""
        JAXTypeError.__init__(
            self,
            f"Attempted boolean conversion of traced array with shape {tracer.aval.str_short()}.\n"
            "Python `if`, `while`, `and`, `or` and `not` need a concrete True/False, but this value is only "
            "known when the compiled function runs. Use `jax.lax.cond` (or `jax.lax.switch`) to branch, "
            "`jax.lax.while_loop` to loop, or `jnp.where` to select elementwise; or mark the argument "
            "static with `static_argnums` if it is a compile-time constant."
            + (f"\n{where}" if where else ""))


class UnexpectedTracerError(JAXTypeError):
    """A tracer escaped the transformation that created it and was used afterwards."""

    def __init__(self, msg: str):
        super().__init__(msg)


class KeyReuseError(RuntimeError):
    pass


class JaxRuntimeError(RuntimeError):
    pass
