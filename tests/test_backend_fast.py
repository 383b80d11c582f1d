"""The NumPy backend's fast paths (compiled programs) agree with the primitives' eager impls, and the
jit cache-hit fast path keeps jit's semantics (cache keys, weak types, disable_jit, errors)."""
from __future__ import annotations

import itertools
import threading
import warnings

import numpy as np
import pytest

import jaxlite as jax
import jaxlite.numpy as jnp
from jaxlite import lax
from jaxlite._src.backend import numpy_backend


def _source(jitted, *args):
    jitted(*args)
    entry = next(iter(jitted._cache.values()))
    return entry.compiled.__jaxlite_source__


def _n_ops(src):
    """Number of operations (assignments to v<N>) in a compiled program's source."""
    return sum(1 for line in src.splitlines() if line.strip().startswith("v"))


def _eager(fn, *args):
    """``fn`` evaluated op by op (no compiled program)."""
    with jax.disable_jit():
        return fn(*args)


def _check(fn, *args, rtol=1e-6):
    got = jax.jit(fn)(*args)
    want = _eager(fn, *args)
    for g, w in zip(jax.tree.leaves(got), jax.tree.leaves(want)):
        assert g.shape == w.shape and g.dtype == w.dtype and g.weak_type == w.weak_type
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=rtol, atol=1e-6)


DOT_CASES = [
    # (lhs shape, rhs shape, ((lc, rc), (lb, rb)))
    ((3, 4), (4, 5), (((1,), (0,)), ((), ()))),
    ((4, 3), (4, 5), (((0,), (0,)), ((), ()))),
    ((3, 4), (5, 4), (((1,), (1,)), ((), ()))),
    ((4, 3), (5, 4), (((0,), (1,)), ((), ()))),
    ((4,), (4,), (((0,), (0,)), ((), ()))),
    ((2, 3, 4), (4, 5), (((2,), (0,)), ((), ()))),
    ((4,), (4, 5), (((0,), (0,)), ((), ()))),
    ((3, 4), (4,), (((1,), (0,)), ((), ()))),
    ((6, 3), (6, 5), (((), ()), ((0,), (0,)))),          # per-example outer products
    ((6, 3, 4), (6, 4, 5), (((2,), (1,)), ((0,), (0,)))),  # batched matmul
    ((3, 6, 4), (4, 5, 6), (((2,), (0,)), ((1,), (2,)))),  # batch dims not leading
    ((3, 4), (5, 6), (((), ()), ((), ()))),               # outer product, no batch
    ((2, 3, 4), (3, 4, 5), (((1, 2), (0, 1)), ((), ()))),  # two contracting dims
    ((6, 1, 3), (6, 1, 5), (((1,), (1,)), ((0,), (0,)))),  # contracting dim of size 1
    ((0, 3), (3, 4), (((1,), (0,)), ((), ()))),           # empty
]


@pytest.mark.parametrize("xs,ys,dn", DOT_CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
def test_dot_general_matches_impl(xs, ys, dn, dtype):
    rng = np.random.default_rng(0)
    x = jnp.asarray((rng.standard_normal(xs) * 3).astype(dtype))
    y = jnp.asarray((rng.standard_normal(ys) * 3).astype(dtype))
    _check(lambda a, b: lax.dot_general(a, b, dn), x, y, rtol=1e-5)


def test_dot_general_preferred_type_falls_back():
    x = jnp.ones((2, 3), jnp.float16)
    y = jnp.ones((3, 4), jnp.float16)
    _check(lambda a, b: lax.dot_general(a, b, (((1,), (0,)), ((), ())),
                                        preferred_element_type=jnp.float32), x, y)


@pytest.mark.parametrize("shape,dims,out", [
    ((), (), (3, 4)), ((4,), (1,), (1, 4)), ((4,), (1,), (3, 4)), ((3,), (0,), (3, 4)),
    ((3, 1), (0, 1), (3, 5)), ((2, 3), (0, 1), (2, 3)), ((2, 3), (0, 2), (2, 4, 3)),
])
def test_broadcast_in_dim_matches_impl(shape, dims, out):
    x = jnp.asarray(np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape))
    _check(lambda a: lax.broadcast_in_dim(a, out, dims), x)


def test_broadcast_of_literal_is_folded():
    f = jax.jit(lambda x: x + lax.broadcast_in_dim(1.0, (3,), ()))
    src = _source(f, jnp.ones(3))
    assert "broadcast" not in src and _n_ops(src) == 1
    np.testing.assert_array_equal(f(jnp.ones(3)), [2.0, 2.0, 2.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.int8, np.uint8, np.int32, np.bool_])
@pytest.mark.parametrize("axes", [(0,), (1,), (0, 1), ()])
def test_reduce_sum_matches_impl(dtype, axes):
    rng = np.random.default_rng(1)
    x = jnp.asarray((rng.standard_normal((5, 7)) * 60).astype(dtype))
    _check(lambda a: lax.reduce_sum(a, axes) if dtype != np.bool_ else lax.reduce_or(a, axes), x,
           rtol=1e-3)


def test_shape_ops_and_aliases():
    x = jnp.asarray(np.arange(24.0, dtype=np.float32).reshape(2, 3, 4))
    _check(lambda a: lax.reshape(a, (6, 4)), x)
    _check(lambda a: lax.reshape(a, (2, 3, 4)), x)
    _check(lambda a: lax.transpose(a, (2, 0, 1)), x)
    _check(lambda a: lax.transpose(a, (0, 1, 2)), x)
    _check(lambda a: lax.integer_pow(a, 1) + lax.integer_pow(a, 2) + lax.integer_pow(a, 3), x)
    _check(lambda a: lax.convert_element_type(a, jnp.float32) * 2, x)
    _check(lambda a: lax.convert_element_type(a, jnp.int32), x)
    # a weak-typed input converted to strong: same values, strong result
    out = jax.jit(lambda a: lax.convert_element_type(a, jnp.float32))(2.0)
    assert out.dtype == jnp.float32 and not out.weak_type


def test_integer_division_and_pow_keep_impl_semantics():
    a = jnp.array([7, -7, 3, 0], jnp.int32)
    b = jnp.array([2, 2, 0, 0], jnp.int32)
    _check(lambda x, y: lax.div(x, y), a, b)
    _check(lambda x: lax.integer_pow(x, 2), a)
    _check(lambda x, y: x / y, jnp.array([1.0, -1.0, 0.0]), jnp.array([0.0, 0.0, 0.0]))


def test_no_numpy_warnings_under_jit():
    f = jax.jit(lambda x: (jnp.log(x), 1.0 / x, jnp.exp(x * 1000.0), x / x, jnp.sqrt(x - 1)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        outs = f(jnp.array([0.0, 1.0]))
    assert np.isneginf(np.asarray(outs[0])[0]) and np.isinf(np.asarray(outs[1])[0])
    # the program leaves NumPy's own error state as it was
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeWarning):
            np.log(np.zeros(1))


def test_errstate_restored_after_an_exception():
    before = np.geterr()

    def cb(x):
        raise ValueError("boom")
    f = jax.jit(lambda x: jax.pure_callback(cb, jax.ShapeDtypeStruct((2,), jnp.float32), jnp.sin(x)))
    with pytest.raises(Exception):
        f(jnp.ones(2))
    assert np.geterr() == before


def test_dead_code_is_not_run_but_effects_are(capsys):
    def f(x):
        _ = jnp.sin(x) * 3.0  # dead
        jax.debug.print("x = {}", x)
        return x + 1
    jf = jax.jit(f)
    src = _source(jf, jnp.float32(2.0))
    assert _n_ops(src) == 1  # only the add produces a value; the print has no outputs
    capsys.readouterr()
    jf(jnp.float32(2.0))
    assert "x = 2" in capsys.readouterr().out


def test_vmapped_per_example_grads_are_batched():
    """vmap(grad) of a linear model: no loop over examples -- the program is the same length for
    every batch size, and the per-example gradients are one broadcast product."""
    def loss(p, x, y):
        return jnp.mean((jnp.dot(p, x) - y) ** 2)
    g = jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))
    rng = np.random.default_rng(0)
    p = jnp.asarray(rng.standard_normal((3, 5)).astype(np.float32))
    lengths = []
    for b in (2, 17):
        x = jnp.asarray(rng.standard_normal((b, 5)).astype(np.float32))
        y = jnp.asarray(rng.standard_normal((b, 3)).astype(np.float32))
        jaxpr = jax.make_jaxpr(g)(p, x, y)
        names = [e.primitive.name for e in jaxpr.eqns]
        assert not {"scan", "while", "pjit"} & set(names)
        lengths.append(len(names))
        src = _source(jax.jit(g), p, x, y)
        assert "for " not in src
        got = np.asarray(jax.jit(g)(p, x, y))
        want = np.stack([np.asarray(jax.grad(loss)(p, x[i], y[i])) for i in range(b)])
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert lengths[0] == lengths[1]


@pytest.mark.parametrize("nthreads", [2, 3])
def test_big_batched_outer_product_split_over_threads(monkeypatch, nthreads):
    """A batched outer product with a big output is written by several threads, block by block: the
    values are exactly those of one einsum, for every layout of the operands."""
    from jaxlite._src.backend import threads
    monkeypatch.setattr(threads, "NUM_THREADS", nthreads)
    monkeypatch.setattr(threads, "MIN_BYTES", 1)
    rng = np.random.default_rng(1)
    a = rng.standard_normal((7, 3)).astype(np.float32)
    b = rng.standard_normal((5, 7)).astype(np.float32)
    dn = (((), ()), ((0,), (1,)))
    f = jax.jit(lambda a, b: lax.dot_general(a, b, dn))
    got = np.asarray(f(a, b))
    np.testing.assert_array_equal(got, np.einsum("bm,nb->bmn", a, b))
    # a second thread calling compiled programs at the same time gets its own right answer
    import threading
    results = {}

    def call(i):
        results[i] = np.asarray(f(a * i, b))
    ts = [threading.Thread(target=call, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for i in range(4):
        np.testing.assert_array_equal(results[i], np.einsum("bm,nb->bmn", a * np.float32(i), b))


def test_thread_blocks_raise_errors_of_any_block(monkeypatch):
    from jaxlite._src.backend import threads

    def fn(x, out):
        if x[0] > 0:
            raise ValueError("block failed")
        out[...] = x
    out = np.empty(4)
    with pytest.raises(ValueError, match="block failed"):
        threads.run_rows(fn, out, (np.array([0.0, 0.0, 1.0, 1.0]),), 2)
    np.testing.assert_array_equal(threads.run_rows(fn, out, (np.array([0.0, -1.0, -2.0, -3.0]),), 2),
                                  [0.0, -1.0, -2.0, -3.0])
    assert not threads.nested()
    monkeypatch.setattr(threads, "NUM_THREADS", 1)
    assert threads.blocks(100, 1 << 30) == 1


def test_thread_block_waits_for_its_own_job():
    """A block whose caller stopped waiting (e.g. interrupted by Ctrl-C) must not answer for the next
    call's block on the same worker: that call would read rows not yet written."""
    from jaxlite._src.backend import threads
    worker = threads._Worker()
    gate = threading.Event()
    worker.submit(gate.wait, ())  # the abandoned block: nobody waits for it
    ran = []
    wait = worker.submit(ran.append, (1,))
    gate.set()
    wait()
    assert ran == [1]


# ----- the jit cache-hit fast path -------------------------------------------------------------

def test_fast_path_cache_keys():
    traces = []

    @jax.jit
    def f(x, y):
        traces.append(1)
        return x * 2 + y

    a32 = jnp.ones(3)
    f(a32, a32)
    f(a32, a32)
    assert len(traces) == 1
    f(jnp.ones(4), jnp.ones(4))          # new shape
    f(jnp.ones(3, jnp.int32), a32)       # new dtype
    assert len(traces) == 3
    w = f(a32, jnp.asarray(np.float32(2.0)))  # strong scalar
    s = f(a32, 2.0)                      # weak Python scalar: slow path, its own key
    assert len(traces) == 5 and w.dtype == s.dtype == jnp.float32
    f(a32, jnp.asarray(2.0))             # a weak 0-d Array has the Python scalar's key
    assert len(traces) == 5
    f(a32, y=a32)                        # keyword arguments: their own key
    assert len(traces) == 6
    for _ in range(3):
        f(a32, a32), f(a32, 2.0), f(a32, y=a32)
    assert len(traces) == 6


def test_fast_path_weak_types_and_trees():
    f = jax.jit(lambda x: {"a": x * 2, "b": (x, x.sum())})
    x = jnp.asarray(np.float32(3.0))  # strong
    for _ in range(2):
        out = f(x)
        assert set(out) == {"a", "b"} and not out["a"].weak_type
    g = jax.jit(lambda x: x + 1)
    weak = jax.jit(lambda: 1.0)()
    assert weak.weak_type
    for _ in range(2):
        r = g(weak)
        assert r.weak_type and r.dtype == jnp.float32


def test_fast_path_respects_disable_jit_and_x64():
    calls = []

    @jax.jit
    def f(x):
        calls.append(type(x).__name__)
        return x + 1

    x = jnp.ones(2)
    f(x), f(x)
    with jax.disable_jit():
        f(x)
    assert len(calls) == 2 and calls[-1] == "ArrayImpl"
    try:
        jax.config.update("jax_enable_x64", True)
        f(x)
        assert len(calls) == 3  # tracing config is part of the key
    finally:
        jax.config.update("jax_enable_x64", False)
    f(x)
    assert len(calls) == 3


def test_fast_path_leaked_tracer_raises():
    leaked = []
    f = jax.jit(lambda x: x * 2)

    @jax.jit
    def g(x):
        leaked.append(x)
        return x
    f(jnp.ones(2))
    g(jnp.ones(2))
    with pytest.raises(jax.errors.UnexpectedTracerError):
        f(leaked[0])


def test_clear_cache_clears_fast_path():
    traces = []

    @jax.jit
    def f(x):
        traces.append(1)
        return x
    f(jnp.ones(2))
    f.clear_cache()
    f(jnp.ones(2))
    assert len(traces) == 2


# ----- eager dispatch ---------------------------------------------------------------------------

def test_eager_abstract_eval_cache_follows_x64():
    x = np.ones(3)  # float64 NumPy input: float32 unless x64 is on
    assert (jnp.sin(x)).dtype == jnp.float32
    try:
        jax.config.update("jax_enable_x64", True)
        assert (jnp.sin(x)).dtype == jnp.float64
    finally:
        jax.config.update("jax_enable_x64", False)
    assert (jnp.sin(x)).dtype == jnp.float32


def test_eager_errors_are_raised_every_time():
    for _ in range(2):
        with pytest.raises(TypeError):
            lax.add(jnp.ones(3), jnp.ones(4))
        with pytest.raises(TypeError):
            lax.add(jnp.ones(3, jnp.int32), jnp.ones(3))


def test_eager_ufuncs_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isneginf(np.asarray(jnp.log(jnp.zeros(2)))).all()
        assert np.isnan(np.asarray(lax.sqrt(jnp.array(-1.0))))


def test_eager_grad_matches_jit_grad():
    def f(x):
        return jnp.sum(jnp.tanh(x) ** 2 * x)
    x = jnp.linspace(-1, 1, 5)
    np.testing.assert_allclose(jax.grad(f)(x), jax.jit(jax.grad(f))(x), rtol=1e-6)


def test_fast_lowering_rules_registered():
    numpy_backend._install_fast_lowerings()
    from jaxlite._src.lax import linalg, reductions, shapes
    for p in (linalg.dot_general_p, shapes.broadcast_in_dim_p, reductions.reduce_sum_p):
        assert p in numpy_backend.fast_lowerings


def test_all_combinations_of_2d_dot_transposes():
    rng = np.random.default_rng(3)
    for xc, yc in itertools.product((0, 1), (0, 1)):
        xs = (4, 3) if xc == 0 else (3, 4)
        ys = (4, 5) if yc == 0 else (5, 4)
        x = jnp.asarray(rng.standard_normal(xs).astype(np.float32))
        y = jnp.asarray(rng.standard_normal(ys).astype(np.float32))
        got = jax.jit(lambda a, b: lax.dot_general(a, b, (((xc,), (yc,)), ((), ()))))(x, y)
        want = np.tensordot(np.asarray(x), np.asarray(y), axes=([xc], [yc]))
        np.testing.assert_allclose(got, want, rtol=1e-5)


@pytest.mark.parametrize("m,n", [(3, 40), (40, 3)])
@pytest.mark.parametrize("xc,yc", [(1, 1), (0, 1)])
def test_2d_dot_with_transposed_right_operand_any_orientation(m, n, xc, yc):
    """Products computed in the transposed orientation (fewer rows than columns) give the product's
    values; the (possibly non-C-ordered) result behaves as any array downstream."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((m, 16) if xc == 1 else (16, m)).astype(np.float32)
    y = rng.standard_normal((n, 16)).astype(np.float32)
    dn = (((xc,), (yc,)), ((), ()))
    f = jax.jit(lambda a, b: lax.dot_general(a, b, dn))
    want = np.tensordot(x, y, axes=([xc], [yc]))
    got = f(x, y)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.asarray(got.reshape(-1)), want.reshape(-1), rtol=1e-5, atol=1e-5)
    g = jax.jit(lambda a, b: (lax.dot_general(a, b, dn).reshape(-1) * 2, lax.dot_general(a, b, dn).T))
    r, t = g(x, y)
    np.testing.assert_allclose(np.asarray(r), 2 * want.reshape(-1), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.asarray(t), want.T, rtol=1e-5, atol=1e-5)


def test_scalar_operators_wrap_and_do_not_warn():
    """Arithmetic is emitted as Python operators (NumPy scalar math on 0-d values): same dtypes,
    wrapping integer overflow and no warnings, as the ufuncs."""
    cases = [
        (lambda x: x + 1, jnp.int32(2 ** 31 - 1), -2 ** 31, jnp.int32),
        (lambda x: x * x, jnp.int8(100), 16, jnp.int8),
        (lambda x: -x, jnp.uint8(3), 253, jnp.uint8),
        (lambda x: x / 0.0, jnp.float32(1), np.inf, jnp.float32),
        (lambda x: x - x * 2, jnp.float16(3), -3.0, jnp.float16),
        (lambda x: x * 2, jnp.bfloat16(3), 6.0, jnp.bfloat16),
        (lambda x: lax.fori_loop(0, 10, lambda i, c: c * 2, x), jnp.int8(3), 0, jnp.int8),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fn, x, want, dtype in cases:
            got = jax.jit(fn)(x)
            assert got.dtype == dtype
            assert float(got) == float(want)


def test_fori_loop_scalar_body_matches_python():
    f = jax.jit(lambda x: lax.fori_loop(0, 1000, lambda i, x: x * 0.999 + 1.0, x))
    x = np.float32(0.0)
    for _ in range(1000):
        x = x * np.float32(0.999) + np.float32(1.0)
    assert np.asarray(f(jnp.float32(0.0))) == x


def test_select_max_min_compare_add_any_match_impl():
    rng = np.random.default_rng(5)
    x = jnp.asarray(rng.standard_normal((4, 3)).astype(np.float32))
    y = jnp.asarray(np.where(rng.random((4, 3)) < 0.3, np.asarray(x), rng.standard_normal((4, 3)))
                    .astype(np.float32))
    nan = jnp.asarray(np.array([np.nan, 1.0, -np.inf], np.float32))
    _check(lambda a, b: lax.select(a > b, a, b), x, y)
    _check(lambda a, b: (lax.max(a, b), lax.min(a, b)), x, y)
    _check(lambda a: (lax.max(a, a[::-1]), lax.min(a, 0.0 * a), a == a, a != a, a < 1.0, a >= a), nan)
    _check(lambda a, b: (a == b, a != b, a < b, a <= b, a > b, a >= b), x, y)
    i = jnp.arange(6, dtype=jnp.int32)
    _check(lambda a: (lax.max(a, 3), lax.select(a % 2 == 0, a, -a), lax.select_n(a > 2, a, a * 2)), i)
    # add_any appears in gradients where a value is used twice
    _check(jax.grad(lambda a: jnp.sum(a * a + jnp.sin(a) * a)), x)


def test_dead_values_are_freed_and_aliases_survive():
    def f(x):
        y = x * 2.0
        z = lax.convert_element_type(y, jnp.float32)  # an alias of y (same dtype)
        w = jnp.sin(y) + 1.0                            # y's last direct use
        return z * w, lax.reshape(y, (y.shape[0] // 128, 128)), w  # z (= y) used after it
    x = jnp.asarray(np.arange(32768, dtype=np.float32) / 1000)  # big enough to be freed early
    src = _source(jax.jit(f), x)
    assert "del " in src
    _check(f, x)
    small = _source(jax.jit(f), x[:8192])  # 32 KiB values
    assert "del " not in small  # small values are kept (loop bodies stay straight-line code)


def test_no_page_faults_from_dead_intermediates():
    """Intermediates are freed after their last use, so a program's big temporaries reuse memory."""
    resource = pytest.importorskip("resource")

    def f(x):
        for _ in range(8):
            x = jnp.tanh(x * 1.5 + 0.5)
        return jnp.sum(x)
    jf = jax.jit(f)
    x = jnp.ones((512, 512))  # 1 MiB per temporary
    for _ in range(3):
        jf(x)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(5):
        jf(x)
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 5
    assert faults < 256 * 8  # far fewer than one fresh MiB (256 pages) per temporary


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.int8, np.uint32, np.bool_])
def test_literals_keep_dtypes(dtype):
    x = jnp.asarray(np.arange(4).astype(dtype))
    if dtype == np.bool_:
        _check(lambda a: (a & True, a | False, a == True), x)  # noqa: E712
    else:
        _check(lambda a: (a * 2, a + 1, a - 1, a > 1, jnp.maximum(a, 2)), x)
        _check(lambda a: (a[0] * 2, a[1] + a[2]), x)  # scalar equations get NumPy scalars


def test_single_and_multi_argument_fast_paths_fall_back_for_non_arrays():
    f = jax.jit(lambda x: x + 1)
    g = jax.jit(lambda x, y: x * y)
    a = jnp.ones(3)
    for _ in range(2):
        assert f(a).dtype == jnp.float32
        assert f(np.ones(3)).dtype == jnp.float32          # a NumPy array (float64 -> float32)
        assert f(2).dtype == jnp.int32 and f(2).weak_type   # a Python scalar
        h = jax.jit(lambda xs: xs[0] + xs[1])
        assert h([1.0, a]).dtype == jnp.float32               # a pytree argument
        assert g(a, a).dtype == jnp.float32
        assert g(a, 2.0).dtype == jnp.float32
        np.testing.assert_array_equal(g(a, np.full(3, 3.0, np.float32)), [3.0, 3.0, 3.0])


def _einsum_spec(xshape, yshape, dn):
    (xc, yc), (xb, yb) = dn
    letters = iter("abcdefghijklmnopqrstuvwxyz")
    xl = [None] * len(xshape)
    yl = [None] * len(yshape)
    for i, j in zip(xb, yb):
        xl[i] = yl[j] = next(letters)
    for i, j in zip(xc, yc):
        xl[i] = yl[j] = next(letters)
    xl = [c or next(letters) for c in xl]
    yl = [c or next(letters) for c in yl]
    out = [xl[i] for i in xb] + [c for i, c in enumerate(xl) if i not in xb and i not in xc]
    out += [c for i, c in enumerate(yl) if i not in yb and i not in yc]
    return f"{''.join(xl)},{''.join(yl)}->{''.join(out)}"


@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
def test_dot_general_random_layouts_match_einsum(dtype):
    """Every layout (transposed operands, batch dims anywhere, k == 1) against NumPy's einsum."""
    rng = np.random.default_rng(7)
    for _ in range(60):
        nb, nc = rng.integers(0, 2), rng.integers(1, 3)
        nfx, nfy = rng.integers(0, 3 - nc + 1), rng.integers(0, 2)
        sizes = [int(s) for s in rng.choice([1, 2, 3, 5], size=nb + nc + nfx + nfy)]
        bs, cs = sizes[:nb], sizes[nb:nb + nc]
        fx, fy = sizes[nb + nc:nb + nc + nfx], sizes[nb + nc + nfx:]
        px = rng.permutation(nb + nc + nfx)
        py = rng.permutation(nb + nc + nfy)
        xs_in = bs + cs + fx          # logical order: batch, contracting, free
        ys_in = bs + cs + fy
        xshape = tuple(xs_in[i] for i in px)
        yshape = tuple(ys_in[i] for i in py)
        pos_x = {int(p): i for i, p in enumerate(px)}
        pos_y = {int(p): i for i, p in enumerate(py)}
        dn = ((tuple(pos_x[nb + i] for i in range(nc)), tuple(pos_y[nb + i] for i in range(nc))),
              (tuple(pos_x[i] for i in range(nb)), tuple(pos_y[i] for i in range(nb))))
        x = rng.standard_normal(xshape).astype(dtype)
        y = rng.standard_normal(yshape).astype(dtype)
        got = jax.jit(lambda a, b: lax.dot_general(a, b, dn))(x, y)
        want = np.einsum(_einsum_spec(xshape, yshape, dn), x, y)
        assert got.dtype == want.dtype and got.shape == want.shape, (xshape, yshape, dn)
        np.testing.assert_allclose(np.asarray(got), want, rtol=2e-5, atol=1e-5)


jaxlite_jit = jax.jit


def test_2d_dot_with_unit_contraction_keeps_zero_signs(jax):
    """k == 1 is an outer product: -0.0 * 3 is -0.0 in JAX (NumPy's matmul sums from +0)."""
    rng = np.random.default_rng(0)
    for xc, yc in itertools.product((0, 1), (0, 1)):
        x = rng.standard_normal((70, 1) if xc == 1 else (1, 70)).astype(np.float32)
        y = rng.standard_normal((1, 60) if yc == 0 else (60, 1)).astype(np.float32)
        x.flat[::3] = -0.0
        dn = (((xc,), (yc,)), ((), ()))
        got = np.asarray(_jaxlite_dot(x, y, dn))
        want = np.asarray(jax.jit(lambda a, b: jax.lax.dot_general(a, b, dn))(x, y))
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


def _jaxlite_dot(x, y, dn):
    return jaxlite_jit(lambda a, b: lax.dot_general(a, b, dn))(x, y)
