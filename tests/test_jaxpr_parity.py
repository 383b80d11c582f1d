"""Jaxprs of transformed programs JAX builds in its own way (the jvp of sort, batched dynamic slices, ...):
the printed text equals real JAX's, and the values too."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from conftest import assert_same

_X4 = np.array([3., 1., 2., 5.], np.float32)
_M23 = np.array([[3., 1., 2.], [0., 5., -1.]], np.float32)
_I2 = np.array([0, 1], np.int32)
_X3 = np.array([1., -2., 0.5], np.float32)
_A33 = np.array([[3., 1., 0.5], [1., 4., 0.], [0., 2., 5.]], np.float32)

# (name, make(j, n) -> function, args)
PROGRAMS = [
    # the jvp of sort sorts an iota alongside and gathers the tangents (transpose: a scatter-add)
    ("jvp sort", lambda j, n: lambda x, t: j.jvp(n.sort, (x,), (t,)), (_X4, _X4)),
    ("jvp sort 2d axis 0", lambda j, n: lambda x, t: j.jvp(lambda x: n.sort(x, axis=0), (x,), (t,)), (_M23, _M23)),
    ("grad sort", lambda j, n: j.grad(lambda x: (n.sort(x) * np.arange(4.)).sum()), (_X4,)),
    ("grad sort 2d", lambda j, n: j.grad(lambda x: (n.sort(x, axis=0) ** 2 * _M23).sum()), (_M23,)),
    ("vmap jvp sort", lambda j, n: j.vmap(lambda x, t: j.jvp(n.sort, (x,), (t,))), (_M23, _M23)),
    ("vmap grad sort", lambda j, n: j.vmap(j.grad(lambda x: (n.sort(x) * np.arange(3.)).sum())), (_M23,)),
    ("jacrev sort", lambda j, n: j.jacrev(n.sort), (_X4,)),
    ("hessian sort", lambda j, n: j.hessian(lambda x: (n.sort(x) ** 3).sum()), (_X4,)),
    ("linearize sort", lambda j, n: lambda x: j.linearize(n.sort, x)[1](x), (_X4,)),
    ("jvp sort_key_val", lambda j, n: lambda k, v: j.jvp(j.lax.sort_key_val, (k, v), (v, k)), (_X4, _X4 * 2)),
    ("grad sort num_keys 2", lambda j, n: j.grad(lambda a, b: sum(
        o.sum() * i for i, o in enumerate(j.lax.sort((a, b, a * b), num_keys=2)))), (_X4, _X4[::-1].copy())),
    ("grad sort descending", lambda j, n: j.grad(lambda x: (n.sort(x, descending=True) * np.arange(4.)).sum()),
     (_X4,)),
    # batched dynamic_slice / dynamic_update_slice are a gather / scatter (also with unbatched starts)
    ("vmap dynamic_slice", lambda j, n: j.vmap(lambda x, i: j.lax.dynamic_slice(x, (i,), (2,))), (_M23, _I2)),
    ("vmap dynamic_slice unbatched start", lambda j, n: j.vmap(lambda x: j.lax.dynamic_slice(x, (1,), (2,))),
     (_M23,)),
    ("vmap dynamic_slice unbatched operand",
     lambda j, n: j.vmap(lambda i: j.lax.dynamic_slice(_M23, (i, 0), (1, 2))), (_I2,)),
    ("vmap dynamic_slice no starts", lambda j, n: j.vmap(lambda x: j.lax.dynamic_slice(x, (), ())), (_X4,)),
    ("vmap dynamic_update_slice",
     lambda j, n: j.vmap(lambda x, u, i: j.lax.dynamic_update_slice(x, u, (i,))), (_M23, _M23[:, :2], _I2)),
    ("vmap dynamic_update_slice unbatched start",
     lambda j, n: j.vmap(lambda x, u: j.lax.dynamic_update_slice(x, u, (1,))), (_M23, _M23[:, :2])),
    ("vmap dynamic_update_slice unbatched update",
     lambda j, n: j.vmap(lambda u, i: j.lax.dynamic_update_slice(_M23, u, (i, 0)), in_axes=(None, 0)),
     (_M23[:1, :2], _I2)),
    ("vmap dynamic_update_slice axis 1",
     lambda j, n: j.vmap(lambda x, u, i: j.lax.dynamic_update_slice(x, u, (i,)), in_axes=(1, 1, 0)),
     (_M23.T.copy(), _M23[:, :2].T.copy(), _I2)),
    ("vmap index", lambda j, n: j.vmap(lambda x, i: x[i]), (_M23, _I2)),
    # dynamic_index_in_dim / dynamic_update_index_in_dim are jits in JAX
    ("dynamic_index_in_dim", lambda j, n: lambda x, i: j.lax.dynamic_index_in_dim(x, i, 1), (_M23, 1)),
    ("vmap dynamic_index_in_dim",
     lambda j, n: j.vmap(lambda x, i: j.lax.dynamic_index_in_dim(x, i, keepdims=False)), (_M23, _I2)),
    ("vmap dynamic_update_index_in_dim",
     lambda j, n: j.vmap(lambda x, u, i: j.lax.dynamic_update_index_in_dim(x, u, i, 0)), (_M23, _M23, _I2)),
    # concatenate transposes to one split; a slice to a pad with NumPy-int high/interior widths
    ("grad concatenate", lambda j, n: j.grad(lambda x: (n.concatenate([x, x * 2]) ** 2).sum()), (_X4,)),
    ("grad concatenate const", lambda j, n: j.grad(
        lambda x: (n.concatenate([x, np.ones(2, np.float32), x[:1]]) ** 2).sum()), (_X4,)),
    ("grad concatenate axis 1", lambda j, n: j.grad(lambda x: (n.concatenate([x, x * 2, _M23], axis=1) ** 2).sum()),
     (_M23,)),
    ("linear_transpose concatenate",
     lambda j, n: lambda x: j.linear_transpose(lambda a: n.concatenate([a, a]), x)(n.ones(8, np.float32)), (_X4,)),
    ("grad strided slice", lambda j, n: j.grad(lambda x: (x[::2, ::2] ** 2).sum()), (_M23,)),
    ("grad empty strided slice", lambda j, n: j.grad(lambda x: (x[1:1:2] ** 2).sum()), (_X4,)),
    # a jit under linearize: its known half keeps only what its outputs need; its transpose takes no
    # zero cotangents
    ("grad linspace", lambda j, n: j.grad(lambda a: n.linspace(a, 2 * a, 5).sum()), (1.0,)),
    ("grad jit unused output", lambda j, n: j.grad(lambda a: j.jit(lambda x: (x * 2, n.sin(x) * x))(a)[1]), (1.0,)),
    ("vjp jit zero cotangent", lambda j, n: lambda x: j.vjp(j.jit(lambda y: (y * 3, n.cos(y))), x)[1](
        (n.zeros_like(x), x)), (_X4,)),
    # broadcast_to is one broadcast_in_dim (size-1 dimensions stretch); its transpose sums and expands
    ("broadcast_to stretch", lambda j, n: lambda c: n.broadcast_to(c, (2, 3)), (np.ones((1, 3), np.float32),)),
    ("where size-1 condition", lambda j, n: lambda c, x: n.where(c, x, np.nan), (np.array([True]), _X4)),
    ("grad broadcast_to", lambda j, n: j.grad(lambda x: (n.broadcast_to(x, (2, 3, 4)) ** 2).sum()),
     (np.ones((3, 1), np.float32),)),
    ("grad broadcast_to unit", lambda j, n: j.grad(lambda x: (n.broadcast_to(x, (2, 1, 1)) ** 2).sum()),
     (np.ones((1,), np.float32),)),
    ("vmap grad broadcast_to", lambda j, n: j.vmap(j.grad(lambda c: (n.broadcast_to(c, (2, 3)) ** 2).sum())),
     (np.ones((5, 1, 3), np.float32),)),
    ("grad quantile", lambda j, n: j.grad(lambda x: n.quantile(x, 0.3)), (_X4,)),
    ("grad median", lambda j, n: j.grad(n.median), (_X4,)),
    # tril_indices/triu_indices: nonzero of a triangular mask of ones, with its static count
    *[(f"{fn}{args}", (lambda fn, args: lambda j, n: lambda: getattr(n, fn)(*args))(fn, args), ())
      for fn in ("tril_indices", "triu_indices")
      for args in [(3,), (3, 1), (3, -1, 4), (4, 0, 2), (1,), (0,), (3, 5), (3, -5), (2, 0, 0)]],
    ("tril_indices_from", lambda j, n: lambda x: n.tril_indices_from(x, 1), (np.ones((3, 4)),)),
    ("triu_indices_from", lambda j, n: lambda x: n.triu_indices_from(x), (np.ones((3, 4)),)),
    ("nonzero size", lambda j, n: lambda x: n.nonzero(x, size=4), (_M23,)),
    ("nonzero fill_value", lambda j, n: lambda x: n.nonzero(x, size=5, fill_value=-1), (_M23 - 1,)),
    ("nonzero fill_value tuple", lambda j, n: lambda x: n.nonzero(x, size=2, fill_value=(7, 8)), (_M23,)),
    ("nonzero bool", lambda j, n: lambda x: n.nonzero(x > 2, size=3), (_X4,)),
    ("flatnonzero", lambda j, n: lambda x: n.flatnonzero(x, size=3), (_M23,)),
    ("nonzero size 0", lambda j, n: lambda x: n.nonzero(x, size=0), (_M23,)),
]

# jnp.pad's modes stage JAX's equations (slices, _flip jits, concatenates, linspaces, statistics)
_MI23 = np.arange(6, dtype=np.int32).reshape(2, 3)
_PAD_CASES = [(mode, {}, pw, a) for mode in ("reflect", "symmetric", "edge", "wrap", "linear_ramp", "maximum",
                                             "mean", "minimum", "median", "empty", "constant")
              for pw, a in ((((1, 2), (2, 1)), _M23), (4, _M23), (((0, 0), (0, 3)), _MI23))] + [
    ("reflect", {"reflect_type": "odd"}, ((1, 5), (2, 1)), _M23), ("symmetric", {"reflect_type": "odd"}, 3, _M23),
    ("linear_ramp", {"end_values": (1.5, -2)}, 2, _M23), ("linear_ramp", {"end_values": ((1, 2), (3, 4))}, 2, _MI23),
    ("mean", {"stat_length": 2}, 2, _M23), ("maximum", {"stat_length": ((1, 2), (3, 1))}, 2, _MI23),
    ("median", {"stat_length": 1}, 1, _MI23), ("constant", {"constant_values": (1, 2)}, 1, _M23),
    ("constant", {"constant_values": ((1, 2), (3, 4))}, ((1, 0), (0, 2)), _M23),
    ("constant", {"constant_values": (5,)}, 1, _M23), ("edge", {}, 2, np.float32(3)), ("wrap", {}, 7, _M23[0]),
    ("reflect", {}, 7, _M23[0]), ("symmetric", {}, 7, _M23[:1, :1])]
PROGRAMS += [(f"pad {mode} {kw} {pw} {np.asarray(a).dtype}",
              (lambda mode, kw, pw: lambda j, n: lambda x: n.pad(x, pw, mode=mode, **kw))(mode, kw, pw), (a,))
             for mode, kw, pw, a in _PAD_CASES]
PROGRAMS += [
    ("grad pad reflect", lambda j, n: j.grad(lambda x: (n.pad(x, 2, mode="reflect") ** 2).sum()), (_M23,)),
    ("vmap pad linear_ramp", lambda j, n: j.vmap(lambda x: n.pad(x, (1, 2), mode="linear_ramp")), (_M23,)),
    # pieces jnp.pad is made of, which JAX stages as jits or builds its own way
    ("flip", lambda j, n: lambda x: (n.flip(x), n.flip(x, 1), n.fliplr(x), n.flip(x, (0, 1))), (_M23,)),
    ("round", lambda j, n: lambda x, i: (n.round(x), n.round(x, 1), n.round(i), n.around(x.astype(n.float16), 2)),
     (_M23, _MI23)),
    ("round complex", lambda j, n: lambda x: n.round(x, 1), (np.array([1.25 + 2.35j], np.complex64),)),
    ("array of scalars", lambda j, n: lambda a, b: (n.array([a, b]), n.asarray((a, 2.0)), n.array([[a], [b]])),
     (1.0, np.float32(2))),
    ("array of many", lambda j, n: lambda a: n.array([a] * 40, dtype=np.int32), (np.float32(2),)),
    ("array of arrays", lambda j, n: lambda a: n.array([a, a > 0]), (_X4,)),
    ("linspace num 1", lambda j, n: lambda a, b: n.linspace(a, b, 1, endpoint=False, retstep=True),
     (1, np.arange(3.0, dtype=np.float32))),
    # max/min share ties as JAX's _balanced_eq; reductions' chosen locations compare with a reshape;
    # reduce_sum transposes with NumPy-int broadcast dimensions
    ("jvp maximum", lambda j, n: lambda x, y: j.jvp(n.maximum, (x, y), (x, y)), (_X4, _X4[::-1].copy())),
    ("grad maximum both", lambda j, n: lambda x, y: j.grad(lambda x, y: n.maximum(x, y).sum(), (0, 1))(x, y),
     (_X4, np.array([3., 0., 5., 5.], np.float32))),
    ("grad maximum scalar", lambda j, n: j.grad(lambda x: n.maximum(x, 0.0).sum()), (_X4 - 2,)),
    ("grad minimum int scalar", lambda j, n: j.grad(lambda x: n.minimum(x, 2).sum()), (_X4,)),
    ("grad maximum float16", lambda j, n: j.grad(lambda x: n.maximum(x, np.float16(2)).astype(np.float32).sum()),
     (_X4.astype(np.float16),)),
    ("linearize clip", lambda j, n: lambda x: j.linearize(lambda y: n.clip(y, 0, 1), x)[1](x), (_X4 - 2,)),
    ("grad max axis", lambda j, n: j.grad(lambda x: n.max(x, axis=1).sum()), (np.array([[3., 1., 3.], [0., 5., -1.]],
                                                                                      np.float32),)),
    ("grad min axis 0", lambda j, n: j.grad(lambda x: n.min(x, axis=0).sum()), (_M23,)),
    ("jvp max keepdims", lambda j, n: lambda x: j.jvp(lambda x: n.max(x, axis=0, keepdims=True), (x,), (x,)),
     (_M23,)),
    ("grad sum axis", lambda j, n: j.grad(lambda x: (n.sum(x, axis=1) ** 2).sum()), (_M23,)),
    ("grad mean axis 0", lambda j, n: j.grad(lambda x: (n.mean(x, axis=0) ** 2).sum()), (_M23,)),
    # a jit whose tangents are all zero stages nothing for later; unused residuals are not computed
    ("linearize jit sign", lambda j, n: lambda x: j.linearize(j.jit(n.sign), x)[1](x), (_X4,)),
    ("linearize jit int output", lambda j, n: lambda x: j.linearize(
        j.jit(lambda y: (y * 2, n.round(y).astype(int))), x)[1](x)[0], (1.0,)),
    ("linearize jit stop_gradient", lambda j, n: lambda x: j.linearize(
        j.jit(lambda y: j.lax.stop_gradient(y) * 2), x)[1](x), (1.0,)),
    # dot_general keeps JAX's params: precision as a pair of lax.Precision, no preferred type unless given
    ("dot_general precision", lambda j, n: lambda a, b: (
        j.lax.dot_general(a, b, (([1], [0]), ([], [])), precision=j.lax.Precision.HIGHEST),
        j.lax.dot_general(a, b, (([1], [0]), ([], []))),
        j.lax.dot_general(a, b, (([1], [0]), ([], [])), precision=("high", "float32"))), (_A33, _X3)),
    ("grad dot_general", lambda j, n: j.grad(lambda a, b: j.lax.dot_general(
        a, b, (([1], [0]), ([], [])), precision="highest").sum(), (0, 1)), (_A33, _X3)),
    ("grad dot_general float16 to float32", lambda j, n: j.grad(lambda a, b: j.lax.dot_general(
        a, b, (([1], [0]), ([], [])), preferred_element_type=np.float32).sum(), (0, 1)),
     (_A33.astype(np.float16), _X3.astype(np.float16))),
    ("matmul precision", lambda j, n: lambda a, b: (n.matmul(a, b, precision=j.lax.Precision.HIGHEST),
                                                    n.einsum("ij,jk->ik", a, b, precision="highest")),
     (_A33, _A33.T.copy())),
    ("conv precision", lambda j, n: lambda x, k: j.lax.conv(x, k, (1, 1), "SAME", precision="highest"),
     (np.ones((1, 1, 4, 4), np.float32), np.ones((1, 1, 2, 2), np.float32))),
    # jnp.linalg.solve is JAX's jit: lu of stop_gradient(a), then a custom_linear_solve whose solves are
    # _lu_solve jits (rows gathered by the permutation; its inverse from a sort)
    ("solve", lambda j, n: n.linalg.solve, (_A33, _X3)),
    ("solve matrix", lambda j, n: n.linalg.solve, (_A33, np.stack([_X3, _X3 + 1], 1))),
    ("solve batched", lambda j, n: n.linalg.solve, (np.stack([_A33, _A33.T]), np.stack([_X3, _X3 + 1])[..., None])),
    ("grad solve", lambda j, n: j.grad(lambda a, b: n.linalg.solve(a, b).sum(), (0, 1)), (_A33, _X3)),
    ("jvp solve", lambda j, n: lambda a, b: j.jvp(n.linalg.solve, (a, b), (a, b)), (_A33, _X3)),
    ("vmap solve", lambda j, n: j.vmap(n.linalg.solve), (np.stack([_A33, _A33.T]), np.stack([_X3, _X3 + 1]))),
    ("inv", lambda j, n: n.linalg.inv, (_A33,)),
    ("scipy lu_solve", lambda j, n: lambda a, b: (j.scipy.linalg.lu_solve(j.scipy.linalg.lu_factor(a), b),
                                                   j.scipy.linalg.lu_solve(j.scipy.linalg.lu_factor(a), b, trans=1)),
     (_A33, _X3)),
    ("scipy lu_solve batched", lambda j, n: lambda a, b: j.scipy.linalg.lu_solve(j.scipy.linalg.lu_factor(a), b),
     (np.stack([_A33, _A33.T]), np.stack([_X3, _X3 + 1])[..., None])),
    # under grad, what a scan body computes from its consts alone runs once before the loop, and
    # residuals so computed (literals too) are consts of the staged scan, not stacked per iteration
    ("grad scan literal residual", lambda j, n: j.grad(lambda x: j.lax.scan(
        lambda c, y: (1.0, c * y), x, n.arange(1.0, 4.0))[1].sum()), (1.0,)),
    ("grad scan const sin", lambda j, n: j.grad(lambda w: j.lax.scan(
        lambda c, y: (c * n.sin(w) + y, c), 0.0, _X3)[0]), (2.0,)),
    ("grad scan known const sin", lambda j, n: j.grad(lambda c0: j.lax.scan(
        lambda c, y: (c * n.sin(2.0) + y, c), c0, _X3)[0]), (2.0,)),
    ("grad scan closure consts", lambda j, n: j.grad(lambda c0: j.lax.scan(
        lambda c, y: (c * n.sin(_X3[0]) + y * _X3[1], c), c0, _X3)[0]), (2.0,)),
    ("grad fori_loop", lambda j, n: j.grad(lambda w: j.lax.fori_loop(0, 3, lambda i, c: c * w + 1.0, 1.0)), (2.0,)),
    ("grad scan unchanged carry", lambda j, n: j.grad(lambda w: j.lax.scan(
        lambda c, y: ((c[0] * c[1] + y, c[1]), c[0]), (0.0, w), _X3)[0][0]), (2.0,)),
    # the hoisting is JAX's partial evaluation of the known body (a jit in it splits, residuals last)
    ("grad scan jit body", lambda j, n: j.grad(lambda w: j.lax.scan(
        j.jit(lambda c, y: (c * n.cos(w) + y, c)), 0.0, _X3)[0]), (2.0,)),
    # linear jaxprs are trimmed as JAX's tangent trace is: a scan's unused ys, a jit's unused outputs
    ("linearize scan", lambda j, n: lambda w: j.linearize(lambda w: j.lax.scan(
        lambda c, y: (c * w + y, c), 0.0, _X3)[0], w)[1](w), (2.0,)),
    ("linearize scan two ys", lambda j, n: lambda w: j.linearize(lambda w: j.lax.scan(
        lambda c, y: (c + y * w, (c * w, y * w)), 0.0, _X3)[1][0], w)[1](w), (2.0,)),
    ("grad jit one of two outputs", lambda j, n: j.grad(lambda w: j.jit(lambda w: (n.sin(w), n.cos(w) * w))(w)[1]),
     (2.0,)),
    ("grad norm", lambda j, n: j.grad(lambda v: n.linalg.norm(v)), (_X3,)),
]

# elementwise jvps stage JAX's equations (tan's 1 + ans**2, asin's rsqrt(1 - x**2), ...)
_UNARY_GRADS = ["tan", "arcsin", "arccos", "arctan", "arcsinh", "arctanh", "exp2", "expm1", "log1p", "cbrt",
                "sqrt", "sin", "cos", "tanh", "exp", "log", "square", "reciprocal"]
PROGRAMS += [(f"grad {nm}", (lambda nm: lambda j, n: j.grad(lambda v: getattr(n, nm)(v).sum()))(nm),
              (np.array([0.3, 0.1, 0.7], np.float32),)) for nm in _UNARY_GRADS]
PROGRAMS += [(f"grad scipy.special.{nm}", (lambda nm: lambda j, n: j.grad(
    lambda v: getattr(j.scipy.special, nm)(v).sum()))(nm), (np.array([0.3, 0.1, 0.7], np.float32),))
    for nm in ["erf", "erfc", "erfinv", "expit"]]
PROGRAMS += [("grad power", lambda j, n: j.grad(lambda v, w: n.power(v, w).sum(), (0, 1)),
              (np.array([0.3, 0., 0.7], np.float32), np.array([0.8, 0.5, 1.2], np.float32))),
             ("grad nn.sigmoid and silu", lambda j, n: j.grad(lambda v: (j.nn.sigmoid(v) + j.nn.silu(v)).sum()),
              (_X3,))]


@pytest.mark.parametrize("mode, kwargs, pad_width, a", _PAD_CASES)
def test_pad_values_match_jax(jnp_oracle, mode, kwargs, pad_width, a):
    assert_same(jnp.pad(a, pad_width, mode=mode, **kwargs), jnp_oracle.pad(a, pad_width, mode=mode, **kwargs))


@pytest.mark.parametrize("a", [_M23 - 1, _X4 > 2, np.zeros((2, 2)), np.arange(5), np.ones((0, 3))])
@pytest.mark.parametrize("kwargs", [{}, {"size": 3}, {"size": 7, "fill_value": 9}])
def test_nonzero_values_match_jax(jnp_oracle, a, kwargs):
    assert_same(jnp.nonzero(a, **kwargs), jnp_oracle.nonzero(a, **kwargs))


@pytest.mark.parametrize("name, make, args", PROGRAMS, ids=[p[0] for p in PROGRAMS])
def test_jaxpr_and_values_match_jax(jax, name, make, args):
    import jax.numpy as real
    assert str(jaxlite.make_jaxpr(make(jaxlite, jnp))(*args)) == str(jax.make_jaxpr(make(jax, real))(*args))
    assert_same(make(jaxlite, jnp)(*args), make(jax, real)(*args))
