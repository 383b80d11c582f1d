"""jax.scipy.signal and jax.scipy.optimize against real JAX (values, dtypes, weak types, gradients) and
SciPy."""
from __future__ import annotations

import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
import jaxlite.scipy.optimize as lopt
import jaxlite.scipy.signal as lsig
from conftest import assert_same

scipy_signal = pytest.importorskip("scipy.signal")


@pytest.fixture(scope="module")
def jsig(jax):
    import jax.scipy.signal as m
    return m


@pytest.fixture(scope="module")
def jopt(jax):
    import jax.scipy.optimize as m
    return m


def _rng(seed=0):
    return np.random.default_rng(seed)


# ---------------------------------------------------------------------------------------------------
# convolutions
# ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("shapes", [((7,), (3,)), ((3,), (7,)), ((5,), (5,)), ((6, 5), (3, 2)), ((2, 3), (4, 5)),
                                    ((4, 3, 5), (2, 2, 3))])
@pytest.mark.parametrize("name", ["convolve", "correlate"])
def test_convolve_correlate(jsig, name, mode, shapes):
    r = _rng(1)
    a = r.normal(size=shapes[0]).astype(np.float32)
    b = r.normal(size=shapes[1]).astype(np.float32)
    ours = getattr(lsig, name)(a, b, mode=mode)
    assert_same(ours, getattr(jsig, name)(a, b, mode=mode), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours, getattr(scipy_signal, name)(a, b, mode=mode), rtol=1e-4, atol=1e-5)
    if name == "convolve":
        assert_same(lsig.convolve(a, b, mode=mode, method="fft"), jsig.convolve(a, b, mode=mode, method="fft"),
                    rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("shapes", [((6, 5), (3, 2)), ((2, 3), (4, 5)), ((4, 4), (4, 4))])
@pytest.mark.parametrize("name", ["convolve2d", "correlate2d"])
def test_2d(jsig, name, mode, shapes):
    r = _rng(2)
    a = r.normal(size=shapes[0]).astype(np.float32)
    b = r.normal(size=shapes[1]).astype(np.float32)
    ours = getattr(lsig, name)(a, b, mode=mode)
    assert_same(ours, getattr(jsig, name)(a, b, mode=mode), rtol=1e-5, atol=1e-5)
    if name == "convolve2d" or mode != "valid" or all(x >= y for x, y in zip(*shapes)):
        np.testing.assert_allclose(ours, getattr(scipy_signal, name)(a, b, mode=mode), rtol=1e-4, atol=1e-5)


def test_convolution_dtypes_complex_and_errors(jsig):
    a = np.arange(5)
    b = np.array([1, 2])
    assert_same(lsig.convolve(a, b), jsig.convolve(a, b))
    c = (np.arange(4) + 1j * np.arange(4)[::-1]).astype(np.complex64)
    assert_same(lsig.correlate(c, c[:2]), jsig.correlate(c, c[:2]), rtol=1e-5, atol=1e-5)
    assert_same(lsig.correlate2d(c.reshape(2, 2), c[:2].reshape(1, 2)),
                jsig.correlate2d(c.reshape(2, 2), c[:2].reshape(1, 2)), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="mode"):
        lsig.convolve(a, b, mode="bad")
    with pytest.raises(ValueError, match="method"):
        lsig.convolve(a, b, method="bad")
    with pytest.raises(NotImplementedError, match="boundary"):
        lsig.convolve2d(np.ones((2, 2)), np.ones((2, 2)), boundary="wrap")
    with pytest.raises(ValueError, match="2-dimensional"):
        lsig.convolve2d(np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="smaller than the other"):
        lsig.convolve(np.ones((2, 5)), np.ones((3, 1)))


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_fftconvolve(jsig, mode):
    r = _rng(3)
    a = r.normal(size=(6, 8)).astype(np.float32)
    b = r.normal(size=(3, 4)).astype(np.float32)
    ours = lsig.fftconvolve(a, b, mode=mode)
    assert_same(ours, jsig.fftconvolve(a, b, mode=mode), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ours, scipy_signal.fftconvolve(a, b, mode=mode), rtol=1e-4, atol=1e-4)
    a2 = r.normal(size=(3, 10)).astype(np.float32)
    b2 = r.normal(size=(3, 4)).astype(np.float32)
    assert_same(lsig.fftconvolve(a2, b2, mode=mode, axes=1), jsig.fftconvolve(a2, b2, mode=mode, axes=1),
                rtol=1e-4, atol=1e-4)


def test_convolve_grads_and_jit(jax, jsig):
    a = _rng(4).normal(size=8).astype(np.float32)
    b = _rng(5).normal(size=3).astype(np.float32)
    for name in ["convolve", "correlate"]:
        f = lambda m: (lambda a, b: (getattr(m, name)(a, b, mode="same") ** 2).sum())  # noqa: E731
        assert_same(jaxlite.grad(f(lsig), (0, 1))(a, b), jax.grad(f(jsig), (0, 1))(a, b), rtol=1e-4, atol=1e-5)
    assert_same(jaxlite.jit(lsig.convolve2d)(a.reshape(2, 4), b[:2].reshape(1, 2)),
                jsig.convolve2d(a.reshape(2, 4), b[:2].reshape(1, 2)), rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------------------------------------------
# detrend and spectral functions
# ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [{}, {"type": "constant"}, {"bp": [10, 25], "axis": 0}, {"axis": 0}])
def test_detrend(jsig, kwargs):
    x = (_rng(6).normal(size=(40, 3)) + np.arange(40)[:, None] * 0.5).astype(np.float32)
    ours = lsig.detrend(x, **kwargs)
    assert_same(ours, jsig.detrend(x, **kwargs), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ours, scipy_signal.detrend(x, **kwargs), rtol=1e-3, atol=1e-4)
    with pytest.raises(ValueError, match="Trend type"):
        lsig.detrend(x, type="quadratic")


@pytest.mark.parametrize("name,args,kwargs", [
    ("stft", (0,), {"nperseg": 64}),
    ("stft", (0,), {"nperseg": 32, "noverlap": 8, "nfft": 40, "window": "hamming"}),
    ("stft", (0,), {"nperseg": 16, "boundary": None, "padded": False, "detrend": "constant"}),
    ("welch", (0,), {"nperseg": 64}),
    ("welch", (0,), {"nperseg": 50, "scaling": "spectrum", "fs": 10.0}),
    ("welch", (0,), {"nperseg": 32, "window": np.hanning(32), "detrend": "linear"}),
    ("csd", (0, 1), {"nperseg": 50, "noverlap": 10}),
    ("csd", (0, 1), {"nperseg": 40, "return_onesided": False}),
])
def test_spectral_vs_jax_and_scipy(jsig, name, args, kwargs):
    r = _rng(7)
    data = [r.normal(size=300).astype(np.float32), r.normal(size=300).astype(np.float32)]
    inputs = [data[i] for i in args]
    ours = getattr(lsig, name)(*inputs, **kwargs)
    ref = getattr(jsig, name)(*inputs, **kwargs)
    sp = getattr(scipy_signal, name)(*inputs, **kwargs)
    for o, j, s in zip(ours, ref, sp):
        assert_same(o, j, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(o, s, rtol=1e-3, atol=1e-5)


def test_spectral_axes_and_istft(jsig):
    x = _rng(8).normal(size=(4, 90)).astype(np.float32)
    for axis in [-1, 1]:
        assert_same(lsig.stft(x, nperseg=16, axis=axis), jsig.stft(x, nperseg=16, axis=axis), rtol=1e-4, atol=1e-5)
    assert_same(lsig.stft(x.T, nperseg=16, axis=0), jsig.stft(x.T, nperseg=16, axis=0), rtol=1e-4, atol=1e-5)
    assert_same(lsig.welch(x, nperseg=32), jsig.welch(x, nperseg=32), rtol=1e-4, atol=1e-5)
    _, _, Z = lsig.stft(x, nperseg=32)
    t, xr = lsig.istft(Z, nperseg=32)
    tj, xj = jsig.istft(jsig.stft(x, nperseg=32)[2], nperseg=32)
    assert_same(t, tj, rtol=1e-5)
    assert_same(xr, xj, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np.asarray(xr)[..., :90], x, rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------------------------------------------
# optimize
# ---------------------------------------------------------------------------------------------------

def _quartic(n):
    return lambda x: n.sum((x - n.arange(4.0)) ** 2 * n.arange(1.0, 5.0)) + 0.01 * n.sum(x ** 4)


def _rosen(n):
    return lambda x: n.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


@pytest.mark.parametrize("fun,x0", [(_quartic, np.zeros(4, np.float32)),
                                    (_rosen, np.array([-1.2, 1.0, 0.5], np.float32)),
                                    (_rosen, np.array([0.5, 0.5], np.float32))])
def test_minimize_bfgs_vs_jax(jax, jopt, fun, x0):
    ours = lopt.minimize(fun(jnp), x0, method="BFGS")
    ref = jopt.minimize(fun(jax.numpy), x0, method="BFGS")
    assert type(ours).__name__ == "OptimizeResults"
    assert ours._fields == ref._fields
    for field in ref._fields:
        o, r = getattr(ours, field), getattr(ref, field)
        if field in ("x", "fun", "jac", "hess_inv"):
            assert_same(o, r, rtol=2e-3, atol=2e-4)
        else:
            assert_same(o, r)


def test_minimize_options_args_jit_vmap(jax, jopt):
    f = lambda x, a: jnp.sum((x - a) ** 2) + jnp.sum(x ** 4) * 0.1  # noqa: E731
    fj = lambda x, a: jax.numpy.sum((x - a) ** 2) + jax.numpy.sum(x ** 4) * 0.1  # noqa: E731
    a = np.array([1.0, -2.0], np.float32)
    ours = lopt.minimize(f, np.zeros(2, np.float32), (a,), method="bfgs", options={"maxiter": 3, "gtol": 1e-8})
    ref = jopt.minimize(fj, np.zeros(2, np.float32), (a,), method="bfgs", options={"maxiter": 3, "gtol": 1e-8})
    assert_same(ours.x, ref.x, rtol=1e-4, atol=1e-5)
    assert_same(ours.status, ref.status)
    assert_same(ours.nit, ref.nit)
    jitted = jaxlite.jit(lambda x0: lopt.minimize(f, x0, (a,), method="BFGS").x)
    assert_same(jitted(np.zeros(2, np.float32)), jopt.minimize(fj, np.zeros(2, np.float32), (a,), method="BFGS").x,
                rtol=1e-4, atol=1e-5)
    starts = np.array([[0.0, 0.0], [1.0, 1.0]], np.float32)
    v = jaxlite.vmap(lambda x0: lopt.minimize(f, x0, (a,), method="BFGS").x)(starts)
    vj = jax.vmap(lambda x0: jopt.minimize(fj, x0, (a,), method="BFGS").x)(starts)
    assert_same(v, vj, rtol=1e-3, atol=1e-4)
    with pytest.raises(ValueError, match="not recognized"):
        lopt.minimize(f, np.zeros(2), (a,), method="nelder-mead")
    with pytest.raises(TypeError, match="must be a tuple"):
        lopt.minimize(f, np.zeros(2), a, method="BFGS")


def test_line_search_vs_jax(jax, jopt):
    from jax._src.scipy.optimize.line_search import line_search as jls
    f = _quartic(jnp)
    fj = _quartic(jax.numpy)
    xk = np.array([0.5, 0.5, 0.5, 0.5], np.float32)
    pk = -np.asarray(jaxlite.grad(f)(xk))
    ours = lopt.line_search(f, xk, pk)
    ref = jls(fj, xk, pk)
    assert ours._fields == ref._fields
    for field in ref._fields:
        assert_same(getattr(ours, field), getattr(ref, field), rtol=1e-4, atol=1e-5)
    ours = lopt.line_search(f, xk, pk, old_fval=f(xk), old_old_fval=f(xk) + 1.0, gfk=-pk)
    ref = jls(fj, xk, pk, old_fval=fj(xk), old_old_fval=fj(xk) + 1.0, gfk=-pk)
    for field in ref._fields:
        assert_same(getattr(ours, field), getattr(ref, field), rtol=1e-4, atol=1e-5)
