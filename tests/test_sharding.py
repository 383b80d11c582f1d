"""Devices, the sharding API and shard_map on virtual CPU devices, against real JAX (in a subprocess with
8 devices), NumPy and single-device runs."""
from __future__ import annotations

import numpy as np
import pytest

import jaxlite as jl
import jaxlite.numpy as jlnp
from jaxlite import lax as jllax
from jaxlite.sharding import Mesh, NamedSharding, PartitionSpec as P, SingleDeviceSharding, AxisType

from parallel_oracle import run_jax, set_devices


@pytest.fixture(autouse=True)
def eight_devices():
    set_devices(8)
    yield


A = np.arange(8 * 6, dtype=np.float32).reshape(8, 6)
W = np.ones((6, 4), np.float32)

ORACLE_CODE = """
A = np.arange(8 * 6, dtype=np.float32).reshape(8, 6)
W = np.ones((6, 4), np.float32)
d = jax.devices()[3]
out['device'] = (repr(d), str(d), d.id, d.platform, d.device_kind, d.process_index)
out['counts'] = (jax.device_count(), jax.local_device_count(), jax.process_index(), jax.process_count(),
                 jax.default_backend())
x = jnp.arange(6.)
out['default'] = (repr(x.sharding), x.is_fully_replicated, x.is_fully_addressable,
                  [(s.device.id, s.index, s.replica_id) for s in x.addressable_shards])
for kind in ['auto', 'explicit']:
    if kind == 'auto':
        mesh = Mesh(np.array(jax.devices()).reshape(4, 2), ('data', 'model'))
    else:
        mesh = jax.make_mesh((4, 2), ('data', 'model'))
    out[kind, 'mesh'] = (repr(mesh), tuple(mesh.shape.items()), mesh.size)
    for spec in [P('data'), P(None, 'model'), P('data', 'model'), P(('data', 'model')), P(), P('model', None)]:
        y = jax.device_put(A, NamedSharding(mesh, spec))
        out[kind, 'put', repr(spec)] = (repr(y.sharding), y.is_fully_replicated,
                                        [(s.device.id, s.index, s.replica_id, s.data.shape)
                                         for s in y.addressable_shards],
                                        y.sharding.shard_shape(A.shape))
    xs = jax.device_put(A, NamedSharding(mesh, P('data')))
    w = jax.device_put(W, NamedSharding(mesh, P()))
    out[kind, 'eager_sin'] = repr(jnp.sin(xs).sharding.spec)
    out[kind, 'eager_add'] = repr((xs + 1).sharding.spec)
    out[kind, 'eager_mm'] = repr((xs @ w).sharding.spec)
    out[kind, 'jit_mm'] = repr(jax.jit(lambda a, b: jnp.tanh(a @ b))(xs, w).sharding.spec)
    out[kind, 'jit_sum0'] = repr(jax.jit(lambda a: a.sum(0))(xs).sharding.spec)
    out[kind, 'jit_sum1'] = repr(jax.jit(lambda a: a.sum(1))(xs).sharding.spec)
    out[kind, 'jit_T'] = repr(jax.jit(lambda a: a.T)(xs).sharding.spec)
    out[kind, 'jit_out'] = repr(jax.jit(lambda a: a * 2, out_shardings=NamedSharding(mesh, P(None, 'model')))(xs).sharding)
    out[kind, 'jit_in'] = repr(jax.jit(lambda a: a * 2, in_shardings=NamedSharding(mesh, P('data')))(A).sharding)
mesh = Mesh(np.array(jax.devices()).reshape(4, 2), ('data', 'model'))
out['wsc'] = repr(jax.jit(lambda a: lax.with_sharding_constraint(a * 2, NamedSharding(mesh, P('model'))))(A).sharding)
out['plain_jit'] = repr(jax.jit(lambda a: a * 2)(A).sharding)
y = jax.device_put(A, jax.devices()[2])
out['put_dev'] = (repr(y.sharding), repr(jax.jit(lambda a: a + 1)(y).sharding), repr((y * 2).sharding))
y = jax.make_array_from_callback(A.shape, NamedSharding(mesh, P('data', 'model')), lambda idx: A[idx])
out['callback'] = (np.asarray(y), repr(y.sharding))
try:
    jax.device_put(np.ones((6, 5)), NamedSharding(mesh, P('data')))
except ValueError as e:
    out['indivisible'] = str(e)
try:
    NamedSharding(mesh, P('zz'))
except ValueError as e:
    out['unknown_axis'] = str(e)
m2 = Mesh(np.array(jax.devices()).reshape(4, 2), ('x', 'y'))
def run_sm(f, in_specs, out_specs, *args, **kw):
    return np.asarray(jax.shard_map(f, mesh=m2, in_specs=in_specs, out_specs=out_specs, **kw)(*args))
out['sm_psum'] = run_sm(lambda a: lax.psum(a, 'x'), P('x', 'y'), P(None, 'y'), A)
out['sm_psum_all'] = run_sm(lambda a: lax.psum(a.sum(), ('x', 'y')), P('x', 'y'), P(), A)
out['sm_ident'] = run_sm(lambda a: a * 2, P('x', 'y'), P('x', 'y'), A)
out['sm_swap'] = run_sm(lambda a: a * 2, P('x', 'y'), P('y', 'x'), A)
out['sm_joint'] = run_sm(lambda a: a + 1, P(('x', 'y')), P(('x', 'y')), A)
out['sm_gather'] = run_sm(lambda a: lax.all_gather(a, 'x', tiled=True), P('x'), P(None), A, check_vma=False)
out['sm_index'] = run_sm(lambda a: a + lax.axis_index('x') * 100 + lax.axis_index('y'), P('x', 'y'), P('x', 'y'), A)
out['sm_perm'] = run_sm(lambda a: lax.ppermute(a, 'x', [(i, (i + 1) % 4) for i in range(4)]), P('x'), P('x'), A)
out['sm_two'] = run_sm(lambda a, b: a @ b, (P('x', None), P()), P('x', None), A, W)
out['sm_mm_model'] = run_sm(lambda a, b: lax.psum(a @ b, 'y'), (P(None, 'y'), P('y', None)), P(), A, W)
out['sm_scatter'] = run_sm(lambda a: lax.psum_scatter(a, 'x', tiled=True), P(None, 'y'), P('x', 'y'), A)
out['sm_novma'] = run_sm(lambda a: a, P('x', 'y'), P(None, 'y'), A, check_vma=False)
y = jax.shard_map(lambda a: a * 2, mesh=m2, in_specs=P('x', 'y'), out_specs=P('x', 'y'))(A)
out['sm_sharding'] = repr(y.sharding)
"""


@pytest.fixture(scope="module")
def oracle():
    return run_jax(ORACLE_CODE)


def _mesh(kind):
    if kind == "auto":
        return Mesh(np.array(jl.devices()).reshape(4, 2), ("data", "model"))
    return jl.make_mesh((4, 2), ("data", "model"))


def test_devices(oracle):
    d = jl.devices()[3]
    assert (repr(d), str(d), d.id, d.platform, d.device_kind, d.process_index) == oracle["device"]
    assert (jl.device_count(), jl.local_device_count(), jl.process_index(), jl.process_count(),
            jl.default_backend()) == oracle["counts"]
    assert jl.local_devices() == jl.devices()


def test_device_count_fixed_after_first_use():
    with pytest.raises(RuntimeError, match="before backends are initialized"):
        jl.config.update("jax_num_cpu_devices", 4)
    jl.config.update("jax_num_cpu_devices", 8)  # unchanged value is fine


@pytest.mark.parametrize("n", [1, 2, 4, 8])
def test_device_counts(n):
    set_devices(n)
    assert jl.device_count() == n
    assert [d.id for d in jl.devices()] == list(range(n))


def test_default_sharding(oracle):
    x = jlnp.arange(6.0)
    r, rep, addr, shards = oracle["default"]
    assert repr(x.sharding) == r
    assert x.is_fully_replicated == rep and x.is_fully_addressable == addr
    assert [(s.device.id, s.index, s.replica_id) for s in x.addressable_shards] == shards
    assert x.devices() == {jl.devices()[0]}


@pytest.mark.parametrize("kind", ["auto", "explicit"])
def test_device_put_named(oracle, kind):
    mesh = _mesh(kind)
    assert (repr(mesh), tuple(mesh.shape.items()), mesh.size) == oracle[kind, "mesh"]
    for spec in [P("data"), P(None, "model"), P("data", "model"), P(("data", "model")), P(),
                 P("model", None)]:
        y = jl.device_put(A, NamedSharding(mesh, spec))
        r, rep, shards, shard_shape = oracle[kind, "put", repr(spec)]
        assert repr(y.sharding) == r
        assert y.is_fully_replicated == rep
        got = [(s.device.id, s.index, s.replica_id, s.data.shape) for s in y.addressable_shards]
        assert got == shards
        assert y.sharding.shard_shape(A.shape) == shard_shape
        for s in y.addressable_shards:
            np.testing.assert_array_equal(np.asarray(s.data), A[s.index])
        np.testing.assert_array_equal(np.asarray(y), A)


@pytest.mark.parametrize("kind", ["auto", "explicit"])
def test_propagation(oracle, kind):
    mesh = _mesh(kind)
    xs = jl.device_put(A, NamedSharding(mesh, P("data")))
    w = jl.device_put(W, NamedSharding(mesh, P()))
    assert repr(jlnp.sin(xs).sharding.spec) == oracle[kind, "eager_sin"]
    assert repr((xs + 1).sharding.spec) == oracle[kind, "eager_add"]
    assert repr((xs @ w).sharding.spec) == oracle[kind, "eager_mm"]
    assert repr(jl.jit(lambda a, b: jlnp.tanh(a @ b))(xs, w).sharding.spec) == oracle[kind, "jit_mm"]
    assert repr(jl.jit(lambda a: a.sum(0))(xs).sharding.spec) == oracle[kind, "jit_sum0"]
    assert repr(jl.jit(lambda a: a.sum(1))(xs).sharding.spec) == oracle[kind, "jit_sum1"]
    assert repr(jl.jit(lambda a: a.T)(xs).sharding.spec) == oracle[kind, "jit_T"]
    g = jl.jit(lambda a: a * 2, out_shardings=NamedSharding(mesh, P(None, "model")))
    assert repr(g(xs).sharding) == oracle[kind, "jit_out"]
    h = jl.jit(lambda a: a * 2, in_shardings=NamedSharding(mesh, P("data")))
    if kind == "auto":  # (on an Explicit mesh JAX keeps the unnormalized P('data',) here)
        assert repr(h(A).sharding) == oracle[kind, "jit_in"]
    np.testing.assert_allclose(np.asarray(jl.jit(lambda a, b: a @ b)(xs, w)), A @ W)


def test_constraints_and_single_device(oracle):
    mesh = _mesh("auto")
    f = jl.jit(lambda a: jllax.with_sharding_constraint(a * 2, NamedSharding(mesh, P("model"))))
    assert repr(f(A).sharding) == oracle["wsc"]
    assert repr(jl.jit(lambda a: a * 2)(A).sharding) == oracle["plain_jit"]
    y = jl.device_put(A, jl.devices()[2])
    assert (repr(y.sharding), repr(jl.jit(lambda a: a + 1)(y).sharding),
            repr((y * 2).sharding)) == oracle["put_dev"]
    with mesh:
        r = jl.jit(lambda a: jllax.with_sharding_constraint(a, P("data")))(A)
        assert r.sharding == NamedSharding(mesh, P("data"))
    with jl.set_mesh(mesh):
        assert jl.sharding.get_mesh() == mesh
        r = jl.device_put(A, P("data", "model"))
        assert r.sharding.spec == P("data", "model")
    assert jl.sharding.get_mesh().empty
    txt = str(jl.make_jaxpr(lambda a: jllax.with_sharding_constraint(a, NamedSharding(mesh, P("data"))))(A))
    assert "sharding_constraint[" in txt and "spec=P('data',)" in txt
    # grad and vmap go through the constraint
    g = jl.grad(lambda a: jllax.with_sharding_constraint(a * a, NamedSharding(mesh, P("data"))).sum())(A)
    np.testing.assert_allclose(np.asarray(g), 2 * A)
    v = jl.vmap(lambda a: jllax.with_sharding_constraint(a, NamedSharding(mesh, P())) + 1)(A)
    np.testing.assert_allclose(np.asarray(v), A + 1)


def test_make_array_helpers(oracle):
    mesh = _mesh("auto")
    s = NamedSharding(mesh, P("data", "model"))
    y = jl.make_array_from_callback(A.shape, s, lambda idx: A[idx])
    val, r = oracle["callback"]
    np.testing.assert_array_equal(np.asarray(y), val)
    assert repr(y.sharding) == r
    parts = [A[idx] for idx in s.devices_indices_map(A.shape).values()]
    z = jl.make_array_from_single_device_arrays(A.shape, s, parts)
    np.testing.assert_array_equal(np.asarray(z), A)
    assert z.sharding == s
    tree = jl.device_put({"a": A, "b": (1.0, np.int32(3))}, NamedSharding(mesh, P()))
    assert tree["a"].sharding.spec == P() and tree["b"][0].weak_type


def test_errors(oracle):
    mesh = _mesh("auto")
    with pytest.raises(ValueError) as e:
        jl.device_put(np.ones((6, 5)), NamedSharding(mesh, P("data")))
    assert str(e.value) == oracle["indivisible"]
    with pytest.raises(ValueError) as e:
        NamedSharding(mesh, P("zz"))
    assert str(e.value) == oracle["unknown_axis"]
    with pytest.raises(ValueError, match="duplicate"):
        NamedSharding(mesh, P("data", "data"))
    with pytest.raises(ValueError, match="rank"):
        jl.device_put(np.ones(4), NamedSharding(mesh, P(None, "data")))


def test_mesh_utils_and_visualize(capsys):
    from jaxlite.experimental import mesh_utils
    devs = mesh_utils.create_device_mesh((2, 4))
    assert devs.shape == (2, 4) and [d.id for d in devs.flat] == list(range(8))
    with pytest.raises(ValueError):
        mesh_utils.create_device_mesh((3, 4))
    mesh = Mesh(devs, ("x", "y"))
    jl.debug.visualize_array_sharding(jl.device_put(jlnp.ones((8, 8)), NamedSharding(mesh, P("x", "y"))))
    out = capsys.readouterr().out
    assert all(f"CPU {i}" in out for i in range(8)) and out.count("\n") > 4
    jl.debug.visualize_array_sharding(jl.device_put(jlnp.ones(8), NamedSharding(mesh, P("y"))))
    out = capsys.readouterr().out
    assert "CPU 0,4" in out and "CPU 3,7" in out


SM_CASES = {
    "sm_psum": (lambda a: jllax.psum(a, "x"), P("x", "y"), P(None, "y"), (A,), {}),
    "sm_psum_all": (lambda a: jllax.psum(a.sum(), ("x", "y")), P("x", "y"), P(), (A,), {}),
    "sm_ident": (lambda a: a * 2, P("x", "y"), P("x", "y"), (A,), {}),
    "sm_swap": (lambda a: a * 2, P("x", "y"), P("y", "x"), (A,), {}),
    "sm_joint": (lambda a: a + 1, P(("x", "y")), P(("x", "y")), (A,), {}),
    "sm_gather": (lambda a: jllax.all_gather(a, "x", tiled=True), P("x"), P(None), (A,),
                  {"check_vma": False}),
    "sm_index": (lambda a: a + jllax.axis_index("x") * 100 + jllax.axis_index("y"), P("x", "y"),
                 P("x", "y"), (A,), {}),
    "sm_perm": (lambda a: jllax.ppermute(a, "x", [(i, (i + 1) % 4) for i in range(4)]), P("x"), P("x"),
                (A,), {}),
    "sm_two": (lambda a, b: a @ b, (P("x", None), P()), P("x", None), (A, W), {}),
    "sm_mm_model": (lambda a, b: jllax.psum(a @ b, "y"), (P(None, "y"), P("y", None)), P(), (A, W), {}),
    "sm_scatter": (lambda a: jllax.psum_scatter(a, "x", tiled=True), P(None, "y"), P("x", "y"), (A,), {}),
    "sm_novma": (lambda a: a, P("x", "y"), P(None, "y"), (A,), {"check_vma": False}),
}


@pytest.mark.parametrize("name", list(SM_CASES))
def test_shard_map_matches_jax(oracle, name):
    mesh = Mesh(np.array(jl.devices()).reshape(4, 2), ("x", "y"))
    f, ins, outs, args, kw = SM_CASES[name]
    got = jl.shard_map(f, mesh=mesh, in_specs=ins, out_specs=outs, **kw)(*args)
    np.testing.assert_allclose(np.asarray(got), oracle[name], rtol=1e-5)
    # under jit too
    got2 = jl.jit(jl.shard_map(f, mesh=mesh, in_specs=ins, out_specs=outs, **kw))(*args)
    np.testing.assert_allclose(np.asarray(got2), oracle[name], rtol=1e-5)


def test_shard_map_details(oracle):
    mesh = Mesh(np.array(jl.devices()).reshape(4, 2), ("x", "y"))
    shapes = []

    def f(a):
        shapes.append(a.shape)
        return a * 2
    y = jl.shard_map(f, mesh=mesh, in_specs=P("x", "y"), out_specs=P("x", "y"))(A)
    assert shapes[0] == (2, 3)
    assert repr(y.sharding) == oracle["sm_sharding"]
    from jaxlite.experimental.shard_map import shard_map as old_shard_map
    z = old_shard_map(f, mesh, P("x", "y"), P("x", "y"))(A)
    np.testing.assert_allclose(np.asarray(z), 2 * A)
    with pytest.raises(ValueError, match="evenly divisible"):
        jl.shard_map(f, mesh=mesh, in_specs=P("x", "y"), out_specs=P("x", "y"))(np.ones((6, 5)))
    with pytest.raises(ValueError, match="replicated across mesh axis 'x'"):
        jl.shard_map(lambda a: a, mesh=mesh, in_specs=P("x", "y"), out_specs=P(None, "y"))(A)
    with pytest.raises(NameError, match="unbound axis name"):
        jl.shard_map(lambda a: jllax.psum(a, "z"), mesh=mesh, in_specs=P("x"), out_specs=P("x"))(A)
    # grad through shard_map equals the single-device gradient
    sm = jl.shard_map(lambda a, b: jllax.psum(jlnp.sum(jlnp.tanh(a @ b)), "x"), mesh=mesh,
                      in_specs=(P("x"), P()), out_specs=P())
    g = jl.grad(lambda w: sm(A / 50, w))(W)
    g1 = jl.grad(lambda w: jlnp.sum(jlnp.tanh((A / 50) @ w)))(W)
    np.testing.assert_allclose(np.asarray(g), np.asarray(g1), rtol=1e-5)
    with jl.set_mesh(mesh):  # mesh from context
        y = jl.shard_map(lambda a: a + 1, in_specs=P("x"), out_specs=P("x"))(A)
    np.testing.assert_allclose(np.asarray(y), A + 1)
