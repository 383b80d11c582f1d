"""Jaxpr text of small programs, compared as strings with real JAX's ``str(jax.make_jaxpr(f)(...))``."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp

x3 = np.arange(3.0, dtype=np.float32)
m23 = np.ones((2, 3), np.float32)
CONST = np.arange(3.0, dtype=np.float32)

# (name, make(j, n) -> function, args)
PROGRAMS = [
    ("sin2+cos2", lambda j, n: lambda x: n.sin(x) ** 2 + n.cos(x) ** 2, (np.float32(1.0),)),
    ("add scalar", lambda j, n: lambda x: x + 1, (x3,)),
    ("mul add", lambda j, n: lambda x: x * 2.0 + 1, (x3,)),
    ("broadcast", lambda j, n: lambda x, y: x + y, (x3, m23)),
    ("sum", lambda j, n: lambda x: n.sum(x), (m23,)),
    ("sum axis", lambda j, n: lambda x: n.sum(x, axis=0), (m23,)),
    ("sum keepdims", lambda j, n: lambda x: x.sum(keepdims=True), (m23,)),
    ("mean", lambda j, n: lambda x: n.mean(x), (m23,)),
    ("mean keepdims", lambda j, n: lambda x: n.mean(x, axis=1, keepdims=True), (m23,)),
    ("mean int", lambda j, n: lambda x: n.mean(x), (np.ones(3, np.int32),)),
    ("sum int8", lambda j, n: lambda x: n.sum(x), (np.ones(3, np.int8),)),
    ("sum weak", lambda j, n: lambda x: n.sum(x), (2.0,)),
    # float16/bfloat16 sums and products compute in float32; jnp.linalg.norm is a jit
    ("sum f16", lambda j, n: lambda x: n.sum(x, axis=0), (m23.astype(np.float16),)),
    ("prod f16 keepdims", lambda j, n: lambda x: n.prod(x, axis=1, keepdims=True), (m23.astype(np.float16),)),
    ("sum f16 initial where", lambda j, n: lambda x: n.sum(x, initial=2.0, where=x > 0), (m23.astype(np.float16),)),
    ("sum f16 dtype", lambda j, n: lambda x: n.sum(x, dtype=np.float16), (m23.astype(np.float16),)),
    ("norm", lambda j, n: lambda x: n.linalg.norm(x, axis=-1), (m23,)),
    ("max", lambda j, n: lambda x: n.max(x), (m23,)),
    ("prod", lambda j, n: lambda x: n.prod(x), (x3,)),
    ("any", lambda j, n: lambda x: n.any(x), (x3,)),
    ("argmax", lambda j, n: lambda x: n.argmax(x), (x3,)),
    ("astype", lambda j, n: lambda x: x.astype(n.int32), (x3,)),
    ("astype weak", lambda j, n: lambda x: x.astype(float), (2,)),
    ("astype f16", lambda j, n: lambda x: x.astype(n.float16) * 2, (x3,)),
    ("square", lambda j, n: lambda x: x ** 2, (x3,)),
    ("jnp.square", lambda j, n: lambda x: n.square(x), (x3,)),
    ("sqrt pow", lambda j, n: lambda x: x ** 0.5, (x3,)),
    ("pow float", lambda j, n: lambda x: x ** 3.0, (x3,)),
    ("reciprocal", lambda j, n: lambda x: n.reciprocal(x), (x3,)),
    ("log2", lambda j, n: lambda x: n.log2(x), (x3,)),
    ("where", lambda j, n: lambda x: n.where(x > 1, x, 0.0), (x3,)),
    ("clip", lambda j, n: lambda x: n.clip(x, 0, 1), (x3,)),
    ("maximum", lambda j, n: lambda x: n.maximum(x, 0), (x3,)),
    ("dot", lambda j, n: lambda x, y: n.dot(x, y), (m23, m23.T.copy())),
    ("matmul", lambda j, n: lambda x, y: x @ y, (m23, m23.T.copy())),
    ("reshape T", lambda j, n: lambda x: x.reshape(3, 2).T, (m23,)),
    ("transpose", lambda j, n: lambda x: n.transpose(x), (m23,)),
    ("broadcast_to", lambda j, n: lambda x: n.broadcast_to(x, (2, 3)), (x3,)),
    ("nested jit", lambda j, n: lambda x: j.jit(lambda y: y * 2)(x) + 1, (x3,)),
    ("const captured", lambda j, n: lambda x: x + n.asarray(CONST), (x3,)),
    ("np const captured", lambda j, n: lambda x: x + CONST, (x3,)),
    ("exp softmax", lambda j, n: lambda x: n.exp(x) / n.sum(n.exp(x)), (x3,)),
    ("index", lambda j, n: lambda x: x[0], (x3,)),
    ("slice", lambda j, n: lambda x: x[1:], (x3,)),
    ("reverse", lambda j, n: lambda x: x[::-1], (x3,)),
    ("arange", lambda j, n: lambda i: n.arange(3) + i, (1,)),
    ("zeros", lambda j, n: lambda x: n.zeros(3) + x, (1.0,)),
    ("ones_like", lambda j, n: lambda x: n.ones_like(x), (x3,)),
    ("zeros_like", lambda j, n: lambda x: n.zeros_like(x), (m23,)),
    ("concatenate", lambda j, n: lambda x: n.concatenate([x, x]), (x3,)),
    ("stack", lambda j, n: lambda x: n.stack([x, x]), (x3,)),
    ("stack axis", lambda j, n: lambda x: n.stack([x, x], axis=1), (m23,)),
    ("neg abs", lambda j, n: lambda x: n.abs(-x), (x3,)),
    ("tanh log", lambda j, n: lambda x: n.log(n.tanh(x) + 1), (x3,)),
    ("int8 weak add", lambda j, n: lambda x: n.int8(3) + 1, (1,)),
    ("sqrt int", lambda j, n: lambda x: n.sqrt(x), (2,)),
    ("expand_dims", lambda j, n: lambda x: n.expand_dims(x, 0), (x3,)),
    ("squeeze", lambda j, n: lambda x: n.squeeze(x[None]), (x3,)),
    ("eq", lambda j, n: lambda x: x == 1, (x3,)),
    ("div", lambda j, n: lambda x: x / 2, (x3,)),
    ("int div", lambda j, n: lambda x: x / 2, (np.arange(3, dtype=np.int32),)),
    ("bool add", lambda j, n: lambda x: n.add(x, x), (True,)),
    ("select scalar", lambda j, n: lambda c, x: n.where(c, x, -x), (True, x3)),
    ("mlp", lambda j, n: lambda w, b, x: n.tanh(x @ w + b), (np.ones((3, 4), np.float32),
                                                              np.ones(4, np.float32), m23)),
    ("mse", lambda j, n: lambda p, y: n.mean((p - y) ** 2), (x3, x3)),
]

# Scalar constants returned by a traced function stay literal outvars (`in (a, 1.0:f32[])`), also
# inside sub-jaxprs and after transformations; non-scalar constants stay constvars.
PROGRAMS += [
    ("literal out float", lambda j, n: lambda x: (x, 1.0), (1.0,)),
    ("literal out int bool", lambda j, n: lambda x: (x, 1, True), (1.0,)),
    ("literal out complex", lambda j, n: lambda x: (x, 1 + 2j), (1.0,)),
    ("literal out only", lambda j, n: lambda x: 3.0, (1.0,)),
    ("literal out typed", lambda j, n: lambda x: (np.float32(2), np.int8(3), np.uint32(3), np.float16(2.5),
                                                  n.bfloat16(2)), (1.0,)),
    ("literal out 0-d arrays", lambda j, n: lambda x: (np.array(2.0), n.array(3.0), n.int32(4)), (1.0,)),
    ("literal out x64 scalar", lambda j, n: lambda x: (np.float64(2.5), np.int64(7)), (1.0,)),
    ("array const out", lambda j, n: lambda x: (x, np.array([2.0, 3.0])), (1.0,)),
    ("literal out jit", lambda j, n: lambda x: j.jit(lambda y: (y, 1.0))(x), (1.0,)),
    ("literal out cond", lambda j, n: lambda x: j.lax.cond(x > 0, lambda y: 1.0, lambda y: y, x),
     (1.0,)),
    ("literal out switch", lambda j, n: lambda x: j.lax.switch(0, [lambda y: 1.0, lambda y: y], x),
     (1.0,)),
    ("literal out while", lambda j, n: lambda x: j.lax.while_loop(lambda c: c < 3, lambda c: 5.0, x),
     (1.0,)),
    ("literal out fori", lambda j, n: lambda x: j.lax.fori_loop(0, 3, lambda i, c: 2.0, x), (1.0,)),
    ("literal out scan", lambda j, n: lambda x, xs: j.lax.scan(lambda c, y: (1.0, c), 0.0, xs),
     (1.0, x3)),
    ("literal out scan ys", lambda j, n: lambda x, xs: j.lax.scan(lambda c, y: (c * y, 2.0), x, xs),
     (1.0, x3)),
    ("literal out vmap jit", lambda j, n: lambda x: j.vmap(j.jit(lambda y: (y, 1.0, n.sin(2.0))))(x),
     (x3,)),
    ("literal out vmap remat", lambda j, n: lambda x: j.vmap(j.checkpoint(lambda y: (y, 1.0)))(x),
     (x3,)),
    ("literal out grad jit", lambda j, n: lambda x: j.grad(
        lambda x: sum(j.jit(lambda y: (y * 3.0, 1.0))(x)))(x), (1.0,)),
    ("literal out jvp", lambda j, n: lambda x: j.jvp(j.jit(lambda y: (y * 3.0, 1.0)), (x,), (x,)),
     (1.0,)),
]

# Array constructors inside a traced function: built from iota (arange, eye, indices, meshgrid, mgrid),
# or nested jits as JAX's (_linspace, _logspace, _geomspace, tril, triu), never baked-in constants.
PROGRAMS += [
    ("arange float", lambda j, n: lambda x: x + n.arange(3.0), (x3,)),
    ("arange start stop", lambda j, n: lambda x: x + n.arange(1, 4), (x3,)),
    ("arange start stop float", lambda j, n: lambda x: x + n.arange(1.0, 4), (x3,)),
    ("arange step", lambda j, n: lambda x: x + n.arange(3, 0, -1), (x3,)),
    ("arange float step", lambda j, n: lambda x: n.arange(0, 2, 0.5), (x3,)),
    ("arange dtype f16", lambda j, n: lambda x: x + n.arange(3, dtype=n.float16), (x3,)),
    ("arange step f16", lambda j, n: lambda x: x + n.arange(0, 3, 1, dtype=n.float16), (x3,)),
    ("arange np scalar", lambda j, n: lambda x: n.arange(np.float32(2.5)), (x3,)),
    ("linspace", lambda j, n: lambda x: x + n.linspace(0, 1, 3), (x3,)),
    ("linspace no endpoint int", lambda j, n: lambda x: n.linspace(0, 10, 3, endpoint=False, dtype=int),
     (x3,)),
    ("linspace traced axis", lambda j, n: lambda x: n.linspace(x, 2 * x, 4, axis=1), (x3,)),
    ("linspace retstep", lambda j, n: lambda x: n.linspace(x[0], 1, 4, retstep=True), (x3,)),
    ("linspace one", lambda j, n: lambda x: n.linspace(0, 1, 1), (x3,)),
    ("linspace complex", lambda j, n: lambda x: n.linspace(0, 1 + 1j, 3), (x3,)),
    ("logspace", lambda j, n: lambda x: n.logspace(0, x, 3, base=2), (x3,)),
    ("geomspace", lambda j, n: lambda x: n.geomspace(x, 10 * x, 4, axis=1), (x3,)),
    ("log10", lambda j, n: lambda x: (n.log10(x), n.log10(2.0), n.log10(x.astype(n.complex64))), (x3,)),
    ("eye", lambda j, n: lambda x: x + n.eye(3), (x3,)),
    ("eye k", lambda j, n: lambda x: n.eye(3, 4, k=1, dtype=int), (x3,)),
    ("eye traced k", lambda j, n: lambda k: n.eye(3, k=k), (1,)),
    ("identity", lambda j, n: lambda x: n.identity(2), (x3,)),
    ("tri", lambda j, n: lambda x: n.tri(3, 4, k=-1, dtype=int), (x3,)),
    ("tril triu", lambda j, n: lambda x: (n.tril(x * n.ones((2, 3, 3))), n.triu(x * n.ones((3, 3)), 1)), (x3,)),
    ("indices", lambda j, n: lambda x: (n.indices((2, 3)), n.indices((2, 3), sparse=True)), (x3,)),
    ("meshgrid", lambda j, n: lambda x: n.meshgrid(n.arange(2), x, n.arange(4)), (x3,)),
    ("meshgrid sparse ij", lambda j, n: lambda x: n.meshgrid(x, n.arange(4), indexing="ij", sparse=True),
     (x3,)),
    ("mgrid", lambda j, n: lambda x: n.mgrid[0:3, 0:1:0.5], (x3,)),
    ("mgrid complex step", lambda j, n: lambda x: n.mgrid[0:1:3j], (x3,)),
    ("ogrid", lambda j, n: lambda x: n.ogrid[0:3, 1:4], (x3,)),
]


def _linearized(j, f):
    def g(x):
        y, f_jvp = j.linearize(f, x)
        return y, f_jvp(x)
    return g


# Partial evaluation of a jit (linearize, grad): inputs, constants and primal outputs that a residual
# merely repeats are forwarded to the staged jit instead of being returned by the known one, as JAX does.
PROGRAMS += [
    ("linearize jit", lambda j, n: _linearized(j, j.jit(lambda x: n.sin(x) * x)), (np.float32(2),)),
    ("linearize jit mul", lambda j, n: _linearized(j, j.jit(lambda x: x * x)), (np.float32(2),)),
    ("linearize jit exp", lambda j, n: _linearized(j, j.jit(n.exp)), (np.float32(2),)),
    ("linearize jit input out", lambda j, n: _linearized(j, j.jit(lambda x: (x, n.sin(x), 1.0))),
     (np.float32(2),)),
    ("linearize jit dup out", lambda j, n: _linearized(j, j.jit(lambda x: (n.exp(x), n.exp(x) * x))),
     (np.float32(2),)),
    ("linearize nested jit", lambda j, n: _linearized(j, j.jit(lambda x: j.jit(lambda y: n.sin(y) * y)(x) * x)),
     (np.float32(2),)),
    ("grad jit", lambda j, n: j.grad(j.jit(lambda x: n.sin(x) * x)), (np.float32(2),)),
    ("grad jit known arg", lambda j, n: j.grad(lambda x: j.jit(lambda a, b: n.sin(a) * b)(x, 3.0)),
     (np.float32(2),)),
    ("grad jit const residual", lambda j, n: j.grad(lambda x: j.jit(lambda a: n.sum(n.sin(a * CONST)))(x)),
     (np.float32(2),)),
    ("vmap grad jit", lambda j, n: j.vmap(j.grad(j.jit(lambda x: n.sin(x) * x))), (x3,)),
]


_MASK = np.array([[True, False, True], [True, True, False]])

# Masked means count the mask as JAX does (bool -> int32 -> float, one constant for the mask);
# jnp.vectorize maps each broadcast dimension with vmap instead of broadcasting its inputs first.
PROGRAMS += [
    ("mean where", lambda j, n: lambda x: n.mean(x, where=_MASK), (m23,)),
    ("mean where axis int", lambda j, n: lambda x: n.mean(x.astype(n.int32), axis=1, where=_MASK), (m23,)),
    ("mean where traced", lambda j, n: lambda x: n.mean(x, where=x > 0.5), (m23,)),
    ("var where", lambda j, n: lambda x: n.var(x, where=_MASK), (m23,)),
    ("sum bool dtype", lambda j, n: lambda x: n.sum(x > 0, dtype=n.float32), (m23,)),
    ("vectorize", lambda j, n: lambda x, y: n.vectorize(lambda a, b: a * b + 1)(x, y), (m23, m23[:1])),
    ("vectorize promote", lambda j, n: lambda x, y: n.vectorize(lambda a, b: a + b)(x.astype(n.int32), y),
     (m23, m23)),
    ("vectorize signature", lambda j, n: lambda x, y: n.vectorize(n.dot, signature="(n),(n)->()")(x, y),
     (m23, x3)),
    ("vectorize excluded", lambda j, n: lambda x: n.vectorize(lambda a, p: a ** p, excluded={1})(x, 2), (x3,)),
]


_CONSTS12 = [np.full((2, 3), i, np.float32) for i in range(12)]

# Long lists of binders, operands and outputs wrap as JAX's printer wraps them (a space becomes a new
# line where the line already reaches 80 columns), at the nesting of the list
PROGRAMS += [
    ("wrap literal outs", lambda j, n: lambda x: tuple(float(i) for i in range(30)), (1.0,)),
    ("wrap mixed outs", lambda j, n: lambda x: (x,) + tuple(float(i) for i in range(12)) + (x * 2,), (1.0,)),
    ("wrap var outs", lambda j, n: lambda x: tuple(x * i for i in range(1, 30)), (1.0,)),
    ("wrap invars", lambda j, n: lambda *xs: sum(xs), (1.0,) * 30),
    ("wrap constvars", lambda j, n: lambda x: sum(x * c for c in _CONSTS12), (m23,)),
    ("wrap operands", lambda j, n: lambda *xs: n.stack(xs), (x3,) * 40),
    ("wrap eqn outs in jit", lambda j, n: lambda x: j.jit(lambda y: tuple(float(i) for i in range(15)))(x),
     (1.0,)),
    ("wrap sub-jaxpr invars", lambda j, n: lambda *xs: j.jit(lambda *y: y[0])(*xs), (m23,) * 20),
]


# jnp.pad is a nested jit ``_pad`` as JAX's (constant mode: one pad with np.int64 widths)
PROGRAMS += [
    ("pad", lambda j, n: lambda x: n.pad(x, 1), (m23,)),
    ("pad widths constant", lambda j, n: lambda x: n.pad(x, ((1, 2), (0, 1)), constant_values=3.0), (m23,)),
    ("vmap pad", lambda j, n: j.vmap(lambda x: n.pad(x, 2)), (m23,)),
]


# Programs whose JAX text uses the shared-jaxpr printing form (`let _var = {...} in`), which the
# core printer does not produce yet; the structure is otherwise the same.
SHARED_JAXPR_FORM = {"var", "std", "floor_divide", "linspace", "remainder"}
PROGRAMS += [
    ("var", lambda j, n: lambda x: n.var(x), (m23,)),
    ("std", lambda j, n: lambda x: n.std(x, axis=0), (m23,)),
    ("floor_divide", lambda j, n: lambda x: x // 2, (x3,)),
    ("remainder", lambda j, n: lambda x, y: x % y, (np.arange(3, dtype=np.int32),) * 2),
]


@pytest.mark.parametrize("name, make, args", PROGRAMS, ids=[p[0] for p in PROGRAMS])
def test_jaxpr_text_matches_jax(jax, name, make, args):
    import jax.numpy as real
    expected = str(jax.make_jaxpr(make(jax, real))(*args))
    assert str(jaxlite.make_jaxpr(make(jaxlite, jnp))(*args)) == expected


def test_primitive_names_and_params(jax):
    import jax.numpy as real
    c = jaxlite.make_jaxpr(lambda x, y: (x ** 2, x @ y, x.astype(jnp.int32), jnp.sum(x, 0)))(m23, m23.T.copy())
    r = jax.make_jaxpr(lambda x, y: (x ** 2, x @ y, x.astype(real.int32), real.sum(x, 0)))(m23, m23.T.copy())
    assert [e.primitive.name for e in c.eqns] == [e.primitive.name for e in r.eqns]
    for e, f in zip(c.eqns, r.eqns):
        common = set(e.params) & set(f.params)
        for k in common:
            if k in ("sharding", "out_sharding", "precision", "out_shardings", "accuracy"):
                continue
            assert str(e.params[k]) == str(f.params[k]), (e.primitive.name, k)
    assert c.eqns[0].params["y"] == 2


@pytest.mark.parametrize("name, make, args", [p for p in PROGRAMS if p[0] in SHARED_JAXPR_FORM],
                         ids=[p[0] for p in PROGRAMS if p[0] in SHARED_JAXPR_FORM])
def test_shared_jaxpr_programs_same_equations(jax, name, make, args):
    """Where only the printing form differs, the equations (flattened through jit) must agree."""
    import jax.numpy as real

    def flat_names(closed):
        out = []
        for e in closed.jaxpr.eqns:
            out.append(e.primitive.name)
            if "jaxpr" in e.params:
                out.extend(flat_names(e.params["jaxpr"]))
        return out
    ours = jaxlite.make_jaxpr(make(jaxlite, jnp))(*args)
    theirs = jax.make_jaxpr(make(jax, real))(*args)
    assert flat_names(ours) == flat_names(theirs)


CONSTRUCTOR_CALLS = [
    ("arange", (5,), {}), ("arange", (0, 1, 0.1), {}), ("arange", (2.5,), {}), ("arange", (10, 0, -3), {}),
    ("arange", (0.0, 1.0, 0.3), {"dtype": np.float16}), ("arange", (3, 1), {}), ("arange", (1, 7, 2), {"dtype": float}),
    ("linspace", (0, 1, 5), {}), ("linspace", (0, 10, 4), {"dtype": int}), ("linspace", (0, 1, 1), {}),
    ("linspace", (0, 1, 0), {}), ("linspace", (np.array([0.0, 1.0]), np.array([3.0, -2.0]), 5), {"axis": 1}),
    ("linspace", (0.0, 2.0, 4), {"endpoint": False, "retstep": True}), ("logspace", (0, 2, 3), {}),
    ("logspace", (0, 3, 4), {"base": 2, "dtype": int}), ("geomspace", (1, 1000, 4), {}),
    ("geomspace", (-1.0, -100.0, 3), {"endpoint": False}), ("eye", (3, 4), {"k": -1}), ("eye", (2,), {"dtype": int}),
    ("indices", ((2, 3),), {}), ("tri", (3,), {"k": 1}), ("log10", (np.array([0.01, 2.0, 1000.0], np.float32),), {}),
]


@pytest.mark.parametrize("fn, args, kwargs", CONSTRUCTOR_CALLS,
                         ids=[f"{c[0]}{c[1]}{c[2]}" for c in CONSTRUCTOR_CALLS])
def test_constructor_values_match_jax(jnp_oracle, fn, args, kwargs):
    from conftest import assert_same
    assert_same(getattr(jnp, fn)(*args, **kwargs), getattr(jnp_oracle, fn)(*args, **kwargs))


def test_iota_rejects_bool(jax):
    with pytest.raises(TypeError, match="iota does not accept dtype bool"):
        jnp.arange(True)
    with pytest.raises(TypeError, match="iota does not accept dtype bool"):
        jax.numpy.arange(True)


VECTORIZE_CALLS = [
    (lambda n: n.vectorize(lambda a, b: (a + b, a * b)), (np.ones((2, 1, 3)), np.arange(4.0)[:, None])),
    (lambda n: n.vectorize(lambda a, b: a @ b, signature="(m,n),(n,p)->(m,p)"), (np.ones((5, 2, 3)), np.ones((3, 4)))),
    (lambda n: n.vectorize(lambda a: (a.sum(), a.max()), signature="(n)->(),()"), (np.arange(6.0).reshape(2, 3),)),
    (lambda n: n.vectorize(lambda a, b: a if b is None else a + b), (np.ones(3), None)),
    (lambda n: n.vectorize(lambda a: a * 2), (3.0,)),
]


@pytest.mark.parametrize("i", range(len(VECTORIZE_CALLS)))
def test_vectorize_values_match_jax(jnp_oracle, i):
    from conftest import assert_same
    make, args = VECTORIZE_CALLS[i]
    assert_same(make(jnp)(*args), make(jnp_oracle)(*args))


@pytest.mark.parametrize("signature, args, match", [
    ("(n)->(k)", (np.ones((2, 3)),), "does not match core dimensions"),
    ("(n),(n)->()", (np.ones((2, 3)), np.ones((2, 4))), "inconsistent size for core dimension 'n'"),
    ("bad", (np.ones(3),), "not a valid gufunc signature"),
])
def test_vectorize_signature_errors(jnp_oracle, signature, args, match):
    for n in (jnp, jnp_oracle):
        with pytest.raises(ValueError, match=match):
            n.vectorize(lambda *a: a[0].sum(), signature=signature)(*args)


def test_mean_where_must_be_boolean(jnp_oracle):
    for n in (jnp, jnp_oracle):
        with pytest.raises(ValueError, match="where must be None or a boolean array"):
            n.mean(np.ones(3), where=np.ones(3))


def test_eval_jaxpr_literal_outputs_as_jax(jax):
    """Literal outputs evaluate to JAX's typed values: TypedFloat/TypedInt/TypedComplex for weak Python
    scalars, TypedNdArray for typed scalars, a plain bool for a Python bool."""
    def make(n):
        return lambda x: (x, 1.0, 2, 1 + 2j, True, np.float32(3), np.int8(2), n.bfloat16(2), np.bool_(True))

    def describe(outs):
        return [(type(o).__name__, repr(o), str(getattr(o, "aval", None))) for o in outs]
    ours = jaxlite.make_jaxpr(make(jnp))(1.0)
    theirs = jax.make_jaxpr(make(jax.numpy))(1.0)
    got = jaxlite.core.eval_jaxpr(ours.jaxpr, ours.consts, 5.0)
    want = jax.core.eval_jaxpr(theirs.jaxpr, theirs.consts, 5.0)
    assert describe(got) == describe(want)
    assert got[1] == 1.0 and got[5] == 3.0 and got[5].dtype == np.float32
    # they stay usable as values: in arithmetic and as inputs to transformations
    assert float(got[1] * 2) == 2.0 and jaxlite.jit(lambda a, b: a + b)(got[1], got[5]).dtype == np.float32


PAD_CALLS = [((2,), {}), ((((1, 2), (0, 3)),), {"constant_values": 7}), ((1,), {"constant_values": ((1, 2), (3, 4))}),
             ((2,), {"mode": "edge"}), ((3,), {"mode": "reflect"}), ((3,), {"mode": "symmetric", "reflect_type": "odd"}),
             ((2,), {"mode": "wrap"}), ((2,), {"mode": "linear_ramp", "end_values": (1, 5)}),
             ((2,), {"mode": "maximum", "stat_length": 2}), ((1,), {"mode": "median"})]


@pytest.mark.parametrize("args, kwargs", PAD_CALLS, ids=[str(k) or "constant" for _, k in PAD_CALLS])
def test_pad_values_match_jax_eager_and_jitted(jnp_oracle, args, kwargs):
    from conftest import assert_same
    x = np.arange(1, 13, dtype=np.float32).reshape(3, 4)
    want = jnp_oracle.pad(x, *args, **kwargs)
    assert_same(jnp.pad(x, *args, **kwargs), want)
    assert_same(jaxlite.jit(lambda v: jnp.pad(v, *args, **kwargs))(x), want)
