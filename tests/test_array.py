"""jaxlite.Array against real JAX: immutability, repr, operators and promotion, conversions, methods."""
import operator

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import jaxlite
import jaxlite.numpy as jnp
from conftest import assert_same

DTYPES = ["bool", "int8", "int16", "int32", "uint8", "uint16", "uint32", "float16", "bfloat16", "float32",
          "complex64"]
SCALARS = [True, 2, -3, 2.5, 1.5j]


def _make(mod, dtype, shape=(3,)):
    vals = np.array([1, 2, 3], dtype=np.float32).reshape(shape) if shape else np.float32(2)
    return mod.numpy.asarray(vals).astype(dtype)


def test_immutable_setitem():
    x = jnp.array([1, 2, 3])
    with pytest.raises(TypeError, match=r"immutable.*x\.at\[idx\]\.set\(y\)"):
        x[0] = 1
    with pytest.raises(TypeError, match="immutable"):
        jaxlite.jit(lambda x: x.__setitem__(0, 1))(x)


@pytest.mark.parametrize("make", [
    lambda n: n.array([1., 2.]), lambda n: n.array([1, 2]), lambda n: n.array(1.0) * 2,
    lambda n: n.asarray(2.0), lambda n: n.ones((2, 3)), lambda n: n.arange(20.).reshape(4, 5),
    lambda n: n.zeros((0, 3)), lambda n: n.zeros((0,)), lambda n: n.array([True, False]),
    lambda n: n.array([1, 2], n.bfloat16), lambda n: n.array([1 + 2j]), lambda n: n.int8(3) + 1,
    lambda n: n.asarray(2) > 1,
])
def test_repr_matches_jax(jax, make):
    import jax.numpy as real
    assert repr(make(jnp)) == repr(make(real))
    assert str(make(jnp)) == str(make(real))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(DTYPES), st.sampled_from(DTYPES + SCALARS),
       st.sampled_from([operator.add, operator.mul, operator.sub, operator.truediv, operator.lt,
                        operator.eq, operator.pow]), st.booleans())
def test_binary_promotion_matches_jax(a_dt, b, op, swap):
    real = pytest.importorskip("jax")
    x, rx = _make(jaxlite, a_dt), _make(real, a_dt)
    if isinstance(b, str):
        y, ry = _make(jaxlite, b), _make(real, b)
    else:
        y = ry = b
    args, rargs = ((y, x), (ry, rx)) if swap else ((x, y), (rx, ry))
    try:
        expected = op(*rargs)
    except Exception as e:  # noqa: BLE001
        with pytest.raises(type(e)):
            op(*args)
        return
    assert_same(op(*args), expected, rtol=2e-2, atol=1e-2)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(DTYPES), st.sampled_from(SCALARS))
def test_weak_scalar_does_not_upcast(dt, s):
    real = pytest.importorskip("jax")
    out = jaxlite.jit(lambda x, s: x * s)(_make(jaxlite, dt), s) if dt != "bool" else None
    if out is not None:
        try:
            ref = real.jit(lambda x, s: x * s)(_make(real, dt), s)
        except Exception:  # noqa: BLE001
            return
        assert_same(out, ref, rtol=2e-2, atol=1e-2)


def test_weak_types_examples():
    assert (jnp.ones(3, jnp.int8) + 1).dtype == np.int8
    assert (jnp.ones(3, jnp.float16) * 2.0).dtype == np.float16
    assert (jnp.ones(3, jnp.int32) + 1.0).dtype == np.float32
    w = jnp.asarray(2.0)
    assert w.weak_type and (w * 2).weak_type and not w.sum().weak_type


def test_array_conversions(jax):
    import jax.numpy as real
    for f in [lambda n: np.asarray(n.arange(3.)), lambda n: len(n.ones((3, 2))), lambda n: list(n.arange(3)),
              lambda n: n.array(3.5).item(), lambda n: n.arange(4).reshape(2, 2).tolist(),
              lambda n: int(n.array(3.7)), lambda n: float(n.array(2.5)), lambda n: [0, 1, 2][n.array(1)],
              lambda n: bool(n.array(1)), lambda n: f"{n.array(2.5):.2f}", lambda n: 2 in n.arange(3),
              lambda n: list(reversed(n.arange(3))), lambda n: round(n.array(2.5)),
              lambda n: n.ones(3).nbytes, lambda n: n.ones((2, 3, 4)).mT.shape]:
        a, b = f(jnp), f(real)
        if isinstance(b, (np.ndarray, real.ndarray)):
            assert_same(a, b)
        elif isinstance(b, list) and b and hasattr(b[0], "dtype"):
            assert_same(a, b)
        else:
            assert a == b and type(a) is type(b)
    assert isinstance(np.asarray(jnp.arange(3)), np.ndarray)
    # NumPy cannot write through the array it was handed
    with pytest.raises(ValueError):
        np.asarray(jnp.arange(3))[0] = 5


@pytest.mark.parametrize("bad", [
    lambda n: len(n.ones(())), lambda n: float(n.ones(2)), lambda n: [0, 1][n.array(1.0)],
    lambda n: hash(n.ones(2)), lambda n: bool(n.ones(2)), lambda n: n.ones(2).flat,
    lambda n: n.arange(3) ** -1, lambda n: -n.array([True]), lambda n: n.ones(3) + n.ones(4),
    lambda n: n.ones(3) + n.ones((2, 4)), lambda n: n.arange(6).reshape(4, -1),
    lambda n: iter(n.ones(())),
])
def test_array_errors_match_jax(jax, bad):
    import jax.numpy as real
    with pytest.raises(Exception) as ref:
        bad(real)
    with pytest.raises(type(ref.value)):
        bad(jnp)


@pytest.mark.parametrize("method", [
    lambda x: x.sum(0), lambda x: x.sum(keepdims=True), lambda x: x.mean(), lambda x: x.mean(axis=1),
    lambda x: x.var(), lambda x: x.std(axis=0), lambda x: x.max(), lambda x: x.min(axis=1),
    lambda x: x.prod(), lambda x: x.argmax(), lambda x: x.argmin(axis=1), lambda x: x.clip(1, 3),
    lambda x: x.round(), lambda x: x.reshape(3, 2), lambda x: x.reshape((6,)), lambda x: x.T,
    lambda x: x.transpose(1, 0), lambda x: x.ravel(), lambda x: x.flatten(), lambda x: x.astype("int8"),
    lambda x: x.any(), lambda x: x.all(axis=0), lambda x: x.ptp(), lambda x: x.squeeze(),
    lambda x: x[None].squeeze(0), lambda x: x.swapaxes(0, 1), lambda x: x.dot(x.T), lambda x: x.conj(),
    lambda x: x.real, lambda x: x.imag, lambda x: x.diagonal(), lambda x: x.trace(), lambda x: x.copy(),
    lambda x: x.view("int32"), lambda x: abs(-x), lambda x: ~(x > 2), lambda x: x @ x.T,
    lambda x: 2 ** x, lambda x: x ** 2, lambda x: x ** 0.5, lambda x: 7 % (x + 1), lambda x: x // 2,
    lambda x: divmod(x, 2.0), lambda x: x.astype(int) // -2, lambda x: x.astype(int) % -4,
])
@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_methods_match_jax(jax, method, dtype):
    import jax.numpy as real
    a = np.arange(6, dtype=np.float32).reshape(2, 3) - 1.5
    if dtype == "int32":
        a = np.arange(6).reshape(2, 3) - 2
    try:
        expected = method(real.asarray(a, dtype))
    except Exception as e:  # noqa: BLE001
        with pytest.raises(type(e)):
            method(jnp.asarray(a, dtype))
        return
    assert_same(method(jnp.asarray(a, dtype)), expected)


@pytest.mark.parametrize("make", [
    lambda n: n.asarray(np.ones(2)), lambda n: n.array([1, 2.5]), lambda n: n.array([True, 2]),
    lambda n: n.array([n.arange(2), n.arange(2.)]), lambda n: n.asarray([1, 2]), lambda n: n.array(3, n.int16),
    lambda n: n.array(3), lambda n: n.array(3.0), lambda n: n.asarray(np.float64(3)), lambda n: n.float32(3),
    lambda n: n.zeros(3, int), lambda n: n.full((2,), 3), lambda n: n.full((2,), 3.0),
    lambda n: n.full((2,), 3, n.float16), lambda n: n.arange(0, 1, 0.25), lambda n: n.arange(5),
    lambda n: n.arange(5, dtype=float), lambda n: n.linspace(0, 1, 5), lambda n: n.linspace(0, 10, 5, dtype=int),
    lambda n: n.eye(2, 3, 1), lambda n: n.ones_like(2.0), lambda n: n.zeros_like(n.arange(3)),
    lambda n: n.full_like(n.arange(3), 2.5), lambda n: n.full_like(2.0, 3), lambda n: n.empty((2,), int),
    lambda n: n.identity(2), lambda n: n.ones((2, 2), bool), lambda n: n.asarray(np.arange(3, dtype=np.uint64)),
])
def test_creation_matches_jax(jax, make):
    import jax.numpy as real
    assert_same(make(jnp), make(real))


def test_x64_on_and_off(jax, x64):
    import jax.numpy as real
    for make in [lambda n: n.asarray(np.ones(2)), lambda n: n.array(1.0), lambda n: n.arange(3),
                 lambda n: n.ones(2) + 1, lambda n: n.asarray(np.int64(3)), lambda n: n.zeros(2, int)]:
        assert_same(make(jnp), make(real))
    assert jnp.asarray(np.ones(2)).dtype == np.float64


def test_x64_off_by_default():
    assert not jaxlite.config.jax_enable_x64
    assert jnp.asarray(np.ones(2)).dtype == np.float32
    assert jnp.asarray(np.arange(2)).dtype == np.int32


def test_block_until_ready_and_isinstance():
    x = jnp.arange(3)
    assert x.block_until_ready() is x
    assert isinstance(x, jaxlite.Array) and isinstance(x, jnp.ndarray)
    assert not isinstance(np.arange(3), jaxlite.Array)
