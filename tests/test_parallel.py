"""Collectives over named axes under vmap (the machinery pmap and shard_map reuse), checked against real
JAX's vmap (which needs no devices), NumPy, and finite differences."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import jaxlite as jl
import jaxlite.numpy as jlnp
from jaxlite import lax as jllax

from conftest import assert_same

rng = np.random.default_rng(0)


def _x(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


# (name, function taking (lax module, x), input shape, in_axes)
CASES = [
    ("psum", lambda lax, x: lax.psum(x, "i"), (4, 3), 0),
    ("psum_in_axes1", lambda lax, x: lax.psum(x, "i"), (3, 4), 1),
    ("pmean", lambda lax, x: lax.pmean(x, "i"), (4, 3), 0),
    ("pmax", lambda lax, x: lax.pmax(x, "i"), (4, 3), 0),
    ("pmin", lambda lax, x: lax.pmin(x, "i"), (4, 2, 3), 0),
    ("psum_tuple_pos", lambda lax, x: lax.psum(x * 2.0, ("i",)), (5,), 0),
    ("all_gather", lambda lax, x: lax.all_gather(x, "i"), (4, 3), 0),
    ("all_gather_axis1", lambda lax, x: lax.all_gather(x, "i", axis=1), (4, 3, 2), 0),
    ("all_gather_tiled", lambda lax, x: lax.all_gather(x, "i", tiled=True), (4, 3, 2), 0),
    ("all_gather_tiled1", lambda lax, x: lax.all_gather(x, "i", axis=1, tiled=True), (4, 3, 2), 0),
    ("all_gather_bdim1", lambda lax, x: lax.all_gather(x, "i", axis=1), (3, 4, 2), 1),
    ("axis_index", lambda lax, x: x * lax.axis_index("i"), (4, 3), 0),
    ("ppermute_cycle", lambda lax, x: lax.ppermute(x, "i", [(0, 1), (1, 2), (2, 3), (3, 0)]), (4, 3), 0),
    ("psum_scatter", lambda lax, x: lax.psum_scatter(x, "i"), (4, 4, 3), 0),
    ("psum_scatter_dim1", lambda lax, x: lax.psum_scatter(x, "i", scatter_dimension=1), (4, 3, 4), 0),
    ("psum_scatter_tiled", lambda lax, x: lax.psum_scatter(x, "i", tiled=True), (4, 8, 3), 0),
    ("psum_scatter_tiled1", lambda lax, x: lax.psum_scatter(x, "i", scatter_dimension=1, tiled=True),
     (4, 3, 8), 0),
    ("all_to_all_00", lambda lax, x: lax.all_to_all(x, "i", 0, 0), (4, 4, 3), 0),
    ("all_to_all_01", lambda lax, x: lax.all_to_all(x, "i", 0, 1), (4, 4, 3), 0),
    ("all_to_all_10", lambda lax, x: lax.all_to_all(x, "i", 1, 0), (4, 3, 4), 0),
    ("all_to_all_tiled", lambda lax, x: lax.all_to_all(x, "i", 0, 1, tiled=True), (4, 8, 3), 0),
    ("all_to_all_tiled_same", lambda lax, x: lax.all_to_all(x, "i", 1, 1, tiled=True), (4, 3, 8), 0),
    ("pbroadcast", lambda lax, x: lax.pbroadcast(x, "i", 2), (4, 3), 0),
    ("psum_int", lambda lax, x: lax.psum((x > 0).astype("int32"), "i"), (4, 3), 0),
    ("psum_bool", lambda lax, x: lax.psum(x > 0, "i"), (4, 3), 0),
    ("psum_pytree", lambda lax, x: lax.psum({"a": x, "b": (x * 2,)}, "i"), (4, 3), 0),
]


@pytest.mark.parametrize("name,f,shape,in_axes", CASES, ids=[c[0] for c in CASES])
def test_collective_under_vmap_matches_jax(jax, name, f, shape, in_axes):
    x = _x(*shape)
    got = jl.vmap(lambda v: f(jllax, v), in_axes=in_axes, axis_name="i")(x)
    want = jax.vmap(lambda v: f(jax.lax, v), in_axes=in_axes, axis_name="i")(x)
    assert_same(got, want)


def test_partial_ppermute_gives_zeros_to_non_receivers():
    # (JAX's vmap rule requires a full permutation; pmap/shard_map semantics give zeros)
    x = _x(4, 3)
    got = np.asarray(jl.vmap(lambda v: jllax.ppermute(v, "i", [(0, 1), (2, 3)]), axis_name="i")(x))
    want = np.stack([np.zeros(3), x[0], np.zeros(3), x[2]])
    np.testing.assert_array_equal(got, want.astype(np.float32))


def test_constant_psum_is_axis_size(jax):
    # psum of a value that does not vary along the axis: a multiplication by the size (weakly typed)
    f = lambda lax: (lambda v: v + lax.psum(1, "i") + lax.psum(jlnp.float32(2.0) if lax is jllax else
                                                             jax.numpy.float32(2.0), "i"))
    x = _x(5)
    assert_same(jl.vmap(f(jllax), axis_name="i")(x), jax.vmap(f(jax.lax), axis_name="i")(x))
    assert jl.vmap(lambda v: jllax.psum(1, "i"), axis_name="i", out_axes=None)(x) == 5


def test_unbatched_operands(jax):
    c = _x(3)
    for fname in ["psum", "pmax", "all_gather", "ppermute", "psum_scatter"]:
        def f(lax, v, fname=fname):
            cc = c if lax is jllax else jax.numpy.asarray(c)
            if fname == "ppermute":
                return v + lax.ppermute(cc, "i", [(0, 1), (1, 0)])
            if fname == "psum_scatter":
                return lax.psum_scatter(jax.numpy.ones((2, 3)) if lax is jax.lax else jlnp.ones((2, 3)),
                                        "i") + v
            return getattr(lax, fname)(cc, "i").sum() + v
        x = _x(2, 3)
        assert_same(jl.vmap(lambda v: f(jllax, v), axis_name="i")(x),
                    jax.vmap(lambda v: f(jax.lax, v), axis_name="i")(x), check_weak_type=False)


def test_nested_vmap_multiple_axes(jax):
    x = _x(2, 3, 4)
    for f in [lambda lax, v: lax.psum(v, ("i", "j")),
              lambda lax, v: lax.psum(v, "i") * lax.pmax(v, "j"),
              lambda lax, v: v * lax.axis_index(("i", "j")),
              lambda lax, v: lax.pmean(v, ("j", "i")),
              lambda lax, v: lax.all_gather(v, "i"),
              lambda lax, v: lax.all_gather(v, "j", tiled=True)]:
        got = jl.vmap(jl.vmap(lambda v: f(jllax, v), axis_name="j"), axis_name="i")(x)
        want = jax.vmap(jax.vmap(lambda v: f(jax.lax, v), axis_name="j"), axis_name="i")(x)
        assert_same(got, want)


def test_multi_axis_all_gather_and_scatter_match_numpy():
    # JAX's vmap has no rule for these; check against the definition (first name major)
    x = _x(2, 3, 4)
    g = jl.vmap(jl.vmap(lambda v: jllax.all_gather(v, ("i", "j")), axis_name="j"), axis_name="i")(x)
    want = np.broadcast_to(x.reshape(6, 4), (2, 3, 6, 4))
    np.testing.assert_allclose(np.asarray(g), want, rtol=1e-6)
    gt = jl.vmap(jl.vmap(lambda v: jllax.all_gather(v, ("i", "j"), tiled=True), axis_name="j"),
                 axis_name="i")(x)
    np.testing.assert_allclose(np.asarray(gt), np.broadcast_to(x.reshape(24), (2, 3, 24)), rtol=1e-6)
    y = _x(2, 3, 12)
    s = jl.vmap(jl.vmap(lambda v: jllax.psum_scatter(v, ("i", "j"), tiled=True), axis_name="j"),
                axis_name="i")(y)
    total = y.sum((0, 1)).reshape(6, 2)
    np.testing.assert_allclose(np.asarray(s), total.reshape(2, 3, 2), rtol=1e-5)


def test_unbound_axis_name_raises_name_error():
    with pytest.raises(NameError, match="unbound axis name: j"):
        jl.vmap(lambda v: jllax.psum(v, "j"), axis_name="i")(jlnp.ones(3))
    with pytest.raises(NameError, match="unbound axis name: j"):
        jllax.psum(1.0, "j")
    with pytest.raises(NameError, match="unbound axis name"):
        jllax.axis_index("k")
    with pytest.raises(NameError, match="unbound axis name"):
        jl.jit(lambda v: jllax.all_gather(v, "q"))(jlnp.ones(3))
    with pytest.raises(NameError, match="unbound axis name"):
        jl.make_jaxpr(lambda v: jllax.pmax(v, "q"))(jlnp.ones(3))


def test_grad_through_collectives(jax):
    x = _x(4, 3)
    for f in [lambda lax, v: (lax.psum(v, "i") ** 2).sum(),
              lambda lax, v: (lax.all_gather(v, "i") * 1.5).sum() + (v ** 2).sum(),
              lambda lax, v: (lax.ppermute(v, "i", [(0, 1), (1, 2), (2, 3), (3, 0)]) * v).sum(),
              lambda lax, v: (lax.psum_scatter(v.reshape(4, 3 // 3 * 3)[:, :3], "i") ** 2).sum()
              if False else (lax.pmean(v, "i") * v).sum()]:
        got = jl.vmap(jl.grad(lambda v: f(jllax, v)), axis_name="i")(x)
        want = jax.vmap(jax.grad(lambda v: f(jax.lax, v)), axis_name="i")(x)
        assert_same(got, want, rtol=1e-5, atol=1e-5)


def test_transpose_rules(jax):
    # vjp of collectives inside vmap: psum_scatter <-> all_gather, all_to_all, ppermute inverse
    x = _x(4, 8, 2)
    ct = _x(4, 2, 2)
    for f in [lambda lax, v: lax.psum_scatter(v, "i", tiled=True),
              lambda lax, v: lax.all_to_all(v, "i", 0, 0, tiled=True)[:2]]:
        def vjp(mod, lax):
            def one(v, c):
                out, pull = mod.vjp(lambda u: f(lax, u), v)
                return pull(c)[0]
            return mod.vmap(one, axis_name="i")
        assert_same(vjp(jl, jllax)(x, ct), vjp(jax, jax.lax)(x, ct), rtol=1e-5, atol=1e-5)


def test_jit_inside_vmap_and_vmap_inside_jit(jax):
    x = _x(4, 3)
    f = lambda lax: (lambda v: lax.psum(v, "i") - lax.all_gather(v, "i").mean(0))
    got = jl.vmap(jl.jit(f(jllax)), axis_name="i")(x)
    want = jax.vmap(jax.jit(f(jax.lax)), axis_name="i")(x)
    assert_same(got, want, rtol=1e-5)
    got2 = jl.jit(jl.vmap(f(jllax), axis_name="i"))(x)
    assert_same(got2, want, rtol=1e-5)


def test_jaxpr_names_and_params():
    jaxpr = jl.make_jaxpr(lambda x: jl.vmap(lambda v: (jllax.psum(v, "i"), jllax.all_gather(v, "i")),
                                            axis_name="i")(x))(jlnp.ones((2, 3)))
    text = str(jaxpr)
    assert "psum[axes=(0,) axis_index_groups=None]" in text
    # a jaxpr traced under the vmap records the named collectives with JAX's params
    store = []

    def body(v):
        store.append(jl.make_jaxpr(lambda u: (jllax.psum(u, "i"), jllax.all_gather(u, "i"),
                                              jllax.axis_index("i"),
                                              jllax.psum_scatter(u, "i", tiled=True)))(v))
        return v
    jl.vmap(body, axis_name="i")(jlnp.ones((3, 3)))
    inner = store[0]
    t = str(inner)
    assert "psum[axes=('i',) axis_index_groups=None]" in t
    flat = " ".join(t.split())
    assert ("all_gather[ all_gather_dimension=0 axis_index_groups=None axis_name=('i',) axis_size=3 "
            "tiled=False ]") in flat
    assert "axis_index[axis_name=i]" in t
    assert "reduce_scatter[" in t and "scatter_dimension=0" in t


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 4), m=st.integers(1, 3), k=st.integers(1, 3),
       which=st.sampled_from(["psum", "pmax", "all_gather", "all_gather_tiled", "psum_scatter",
                              "all_to_all", "ppermute", "axis_index"]),
       bdim=st.integers(0, 1))
def test_hypothesis_collectives_vs_loop(n, m, k, which, bdim):
    """vmap of a collective equals the definition written as a loop over the members."""
    x = rng.standard_normal((n, n * m, k)).astype(np.float32)
    xin = np.moveaxis(x, 0, bdim)
    perm = [(i, (i + 1) % n) for i in range(n)]
    fns = {
        "psum": (lambda v: jllax.psum(v, "i"), lambda xs, i: xs.sum(0)),
        "pmax": (lambda v: jllax.pmax(v, "i"), lambda xs, i: xs.max(0)),
        "all_gather": (lambda v: jllax.all_gather(v, "i"), lambda xs, i: xs),
        "all_gather_tiled": (lambda v: jllax.all_gather(v, "i", tiled=True),
                             lambda xs, i: xs.reshape((-1,) + xs.shape[2:])),
        "psum_scatter": (lambda v: jllax.psum_scatter(v, "i", tiled=True),
                         lambda xs, i: xs.sum(0)[i * m:(i + 1) * m]),
        "all_to_all": (lambda v: jllax.all_to_all(v, "i", 0, 1, tiled=True),
                       lambda xs, i: np.concatenate([xs[j][i * m:(i + 1) * m] for j in range(n)], 1)),
        "ppermute": (lambda v: jllax.ppermute(v, "i", perm), lambda xs, i: xs[(i - 1) % n]),
        "axis_index": (lambda v: v * jllax.axis_index("i"), lambda xs, i: xs[i] * i),
    }
    f, ref = fns[which]
    got = np.asarray(jl.vmap(f, in_axes=bdim, axis_name="i")(xin))
    want = np.stack([ref(x, i) for i in range(n)])
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
