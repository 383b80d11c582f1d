"""Errors: JAX's exception types (and the key words of their messages) for common mistakes."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import errors


def test_error_classes_exist_and_subclass_like_jax():
    assert issubclass(errors.ConcretizationTypeError, TypeError)
    assert issubclass(errors.TracerBoolConversionError, errors.ConcretizationTypeError)
    assert issubclass(errors.TracerIntegerConversionError, TypeError)
    assert issubclass(errors.TracerArrayConversionError, TypeError)
    assert issubclass(errors.NonConcreteBooleanIndexError, IndexError)
    assert errors.UnexpectedTracerError


def test_if_on_tracer():
    @jaxlite.jit
    def f(x):
        if x > 0:
            return x
        return -x
    with pytest.raises(errors.TracerBoolConversionError) as e:
        f(1.0)
    msg = str(e.value)
    assert "bool" in msg and "lax.cond" in msg


@pytest.mark.parametrize("fn, exc", [
    (lambda x: int(x), errors.ConcretizationTypeError),
    (lambda x: float(x), errors.ConcretizationTypeError),
    (lambda x: x.item(), errors.ConcretizationTypeError),
    (lambda x: [1, 2][x.astype(int)], errors.TracerIntegerConversionError),
    (lambda x: range(x.astype(int)), errors.TracerIntegerConversionError),
    (lambda x: np.asarray(x), errors.TracerArrayConversionError),
    (lambda x: jnp.arange(x), errors.ConcretizationTypeError),
    (lambda x: jnp.zeros(x.astype(int)), TypeError),
    (lambda x: x.__setitem__(0, 1), TypeError),
    (lambda x: hash(x), TypeError),
    (lambda x: bool(x) or x, errors.TracerBoolConversionError),
    (lambda x: x if not x else x, errors.TracerBoolConversionError),
])
def test_tracer_conversion_errors(fn, exc):
    with pytest.raises(exc):
        jaxlite.jit(fn)(jnp.float32(1.0))


@pytest.mark.parametrize("make", [
    lambda n: (lambda x: int(x)), lambda n: (lambda x: [1, 2][x.astype(int)]), lambda n: (lambda x: np.asarray(x)),
    lambda n: (lambda x: (x > 0) and x), lambda n: (lambda x: n.arange(x)), lambda n: (lambda x: n.ones(x)),
    lambda n: (lambda x: x.__setitem__(0, 1)), lambda n: (lambda x: n.ones(3) + n.ones(4)),
])
def test_error_types_match_jax(jax, make):
    import jax.numpy as real
    with pytest.raises(Exception) as ref:
        jax.jit(make(real))(real.ones((), "int32"))
    with pytest.raises(Exception) as ours:
        jaxlite.jit(make(jnp))(jnp.ones((), "int32"))
    # compare by name: JAX's classes live in jax.errors, ours in jaxlite.errors
    assert type(ours.value).__name__ == type(ref.value).__name__
    assert isinstance(ours.value, tuple(c for c in (TypeError, ValueError, IndexError)
                                        if isinstance(ref.value, c)))


def test_message_names_argument_and_fix():
    def f(x, y):
        if y > 0:
            return x
        return x
    with pytest.raises(errors.TracerBoolConversionError) as e:
        jaxlite.jit(f)(1.0, 2.0)
    assert "argument y" in str(e.value)
    with pytest.raises(errors.ConcretizationTypeError) as e:
        jaxlite.jit(lambda n: jnp.ones(3) * int(n))(3)
    assert "static_argnums" in str(e.value) or "static" in str(e.value)


def test_shape_mismatch_type_error_text():
    with pytest.raises(TypeError, match=r"add got incompatible shapes for broadcasting: \(3,\), \(4,\)"):
        jnp.ones(3) + jnp.ones(4)
    with pytest.raises(TypeError, match=r"incompatible shapes for broadcasting"):
        jaxlite.jit(lambda x, y: x * y)(jnp.ones(3), jnp.ones(4))
    with pytest.raises(ValueError, match=r"Incompatible shapes for broadcasting"):
        jnp.ones(3) + jnp.ones((2, 4))
    with pytest.raises(TypeError, match=r"dot_general requires contracting dimensions to have the same shape"):
        jaxlite.lax.dot_general(jnp.ones((2, 3)), jnp.ones((4, 2)), (((1,), (0,)), ((), ())))


def test_lax_dtype_errors():
    with pytest.raises(TypeError, match="lax.add requires arguments to have the same dtypes"):
        jaxlite.lax.add(jnp.ones(2, jnp.int32), jnp.ones(2, jnp.float32))
    with pytest.raises(TypeError, match="sin does not accept dtype int32"):
        jaxlite.lax.sin(jnp.ones(2, jnp.int32))


def test_leaked_tracer():
    saved = []

    @jaxlite.jit
    def f(x):
        saved.append(x)
        return x
    f(1.0)
    with pytest.raises(errors.UnexpectedTracerError):
        saved[0] + 1


def test_setitem_eager():
    x = jnp.arange(3)
    with pytest.raises(TypeError, match="immutable"):
        x[0] = 1


def test_bad_input_types():
    with pytest.raises(TypeError):
        jnp.sin([1.0, 2.0])  # lists are not implicitly converted, as in JAX
    with pytest.raises(TypeError):
        jaxlite.jit(lambda x: x)("a string")
    with pytest.raises(TypeError):
        jnp.array(["a"])
