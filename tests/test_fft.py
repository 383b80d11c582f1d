"""jax.numpy.fft and lax.fft: values against NumPy, dtypes and gradients against real JAX, batching."""
from __future__ import annotations

import numpy as np
import pytest

import jaxlite as jl
import jaxlite.numpy as jnp
from jaxlite import lax
from conftest import assert_same

rng = np.random.RandomState(0)
X = rng.randn(4, 6).astype(np.float32)
C = (rng.randn(4, 6) + 1j * rng.randn(4, 6)).astype(np.complex64)

_CASES = [
    ("fft", C, {}), ("fft", X, {"n": 8, "axis": 0}), ("fft", X, {"n": 3}), ("ifft", C, {"axis": 0}),
    ("rfft", X, {}), ("rfft", X, {"n": 9}), ("irfft", C, {}), ("irfft", C, {"n": 7, "axis": 0}),
    ("hfft", C, {}), ("ihfft", X, {}), ("fft2", C, {}), ("ifft2", C, {"s": (3, 8)}), ("rfft2", X, {}),
    ("irfft2", C, {}), ("fftn", X, {}), ("fftn", X, {"s": (5,), "axes": (0,)}), ("ifftn", C, {}),
    ("rfftn", X, {"axes": (0,)}), ("irfftn", C, {"s": (4, 9)}),
]


@pytest.mark.parametrize("name,x,kw", _CASES)
@pytest.mark.parametrize("norm", [None, "backward", "ortho", "forward"])
def test_against_numpy(name, x, kw, norm):
    got = getattr(jnp.fft, name)(x, norm=norm, **kw)
    want = getattr(np.fft, name)(x, norm=norm, **kw)
    assert got.shape == want.shape
    assert got.dtype == (np.complex64 if np.iscomplexobj(want) else np.float32)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-4, atol=1e-4 * max(1, np.abs(want).max()))


@pytest.mark.parametrize("name,x,kw", _CASES[:8])
def test_dtypes_match_jax(jax, name, x, kw):
    assert_same(getattr(jnp.fft, name)(x, **kw), getattr(jax.numpy.fft, name)(x, **kw), rtol=1e-4, atol=1e-4)


def test_int_and_float64_inputs(jax, x64):
    ints = np.arange(8)
    assert_same(jnp.fft.fft(ints), jax.numpy.fft.fft(ints))
    assert_same(jnp.fft.rfft(X.astype(np.float64)), jax.numpy.fft.rfft(X.astype(np.float64)))
    assert jnp.fft.irfft(C.astype(np.complex128)).dtype == np.float64


def test_freqs_and_shifts(jax):
    for n, d in [(10, 0.1), (7, 1.0), (1, 2.0)]:
        assert_same(jnp.fft.fftfreq(n, d), jax.numpy.fft.fftfreq(n, d))
        assert_same(jnp.fft.rfftfreq(n, d), jax.numpy.fft.rfftfreq(n, d))
    assert jnp.fft.fftfreq(4, dtype=np.float16).dtype == np.float16
    x = np.arange(30).reshape(5, 6)
    for axes in [None, 0, (1,), (0, 1)]:
        assert_same(jnp.fft.fftshift(x, axes), jax.numpy.fft.fftshift(x, axes))
        assert_same(jnp.fft.ifftshift(x, axes), jax.numpy.fft.ifftshift(x, axes))


def test_errors():
    with pytest.raises(ValueError, match="norm"):
        jnp.fft.fft(X, norm="bogus")
    with pytest.raises(ValueError, match="multiple axes"):
        jnp.fft.fft(X, axis=(0, 1))
    with pytest.raises(ValueError, match="only supports 2 axes"):
        jnp.fft.fft2(X, axes=(0,))
    with pytest.raises(ValueError, match="repeated axes"):
        jnp.fft.fftn(X, axes=(0, 0))
    with pytest.raises(ValueError, match="only real valued"):
        lax.fft(C, "rfft", (6,))
    with pytest.raises(ValueError, match="Shape should be positive"):
        jnp.fft.fft(X, n=0)


def test_lax_fft_and_jaxpr(jax):
    out = lax.fft(C, lax.FftType.FFT, (4, 6))
    np.testing.assert_allclose(np.asarray(out), np.fft.fft2(C), rtol=1e-4, atol=1e-4)
    out = lax.fft(X, "rfft", (6,))
    assert out.dtype == np.complex64 and out.shape == (4, 4)
    text = str(jl.make_jaxpr(lambda x: lax.fft(x, lax.FftType.RFFT, (4, 6)))(X))
    text_jax = str(jax.make_jaxpr(lambda x: jax.lax.fft(x, jax.lax.FftType.RFFT, (4, 6)))(X))
    assert "fft[fft_lengths=(4, 6) fft_type=2]" in text.replace("\n", " ").replace("  ", " ")
    assert "fft_lengths=(4, 6) fft_type=2" in text_jax


_GRAD_FUNS = {
    "fft": lambda m, x: (m.abs(m.fft.fft(x)) ** 2 * m.arange(6.0)).sum(),
    "ifft": lambda m, x: m.fft.ifft(x * 1j + x[::-1]).imag.sum() + (m.fft.ifft(x).real ** 2).sum(),
    "rfft": lambda m, x: (m.fft.rfft(x).real * m.arange(4.0)).sum() + (m.fft.rfft(x).imag ** 2).sum(),
    "irfft": lambda m, x: (m.fft.irfft(m.fft.rfft(x) * (1 + 2j)) * m.arange(6.0)).sum(),
    "irfft_odd": lambda m, x: (m.fft.irfft(x[:4] + 1j * x[2:], n=7) ** 2).sum(),
    "fft2": lambda m, x: (m.abs(m.fft.fft2(x.reshape(2, 3))) ** 2).sum(),
    "rfftn": lambda m, x: (m.abs(m.fft.rfftn(x.reshape(2, 3), norm="ortho")) ** 3).sum(),
    "hfft": lambda m, x: (m.fft.hfft(x[:4] + 1j * x[2:]) * m.arange(6.0)).sum(),
}


@pytest.mark.parametrize("name", sorted(_GRAD_FUNS))
def test_grads_match_jax(jax, name, x64):
    f = _GRAD_FUNS[name]
    x = np.random.RandomState(1).randn(6)
    g = jl.grad(lambda y: f(jnp, y))(x)
    gj = jax.grad(lambda y: f(jax.numpy, y))(x)
    np.testing.assert_allclose(np.asarray(g), np.asarray(gj), rtol=1e-8, atol=1e-10)


def test_vjp_matches_jax_all_types(jax, x64):
    r = np.random.RandomState(2)
    for typ, x, lengths in [("fft", C.astype(np.complex128), (6,)), ("ifft", C.astype(np.complex128), (4, 6)),
                            ("rfft", X.astype(np.float64), (6,)), ("irfft", C[:, :4].astype(np.complex128), (6,)),
                            ("irfft", C[:, :4].astype(np.complex128), (7,))]:
        y, vjp = jl.vjp(lambda v: lax.fft(v, typ, lengths), x)
        yj, vjpj = jax.vjp(lambda v: jax.lax.fft(v, typ, lengths), x)
        assert_same(y, yj, rtol=1e-10, atol=1e-10)
        ct = r.randn(*np.shape(yj)).astype(np.asarray(yj).dtype)
        if np.iscomplexobj(ct):
            ct = ct + 1j * r.randn(*ct.shape)
        assert_same(vjp(ct)[0], vjpj(ct)[0], rtol=1e-10, atol=1e-10)


def test_vmap_and_jit():
    xs = rng.randn(3, 4, 6).astype(np.float32)
    for fn in [jnp.fft.rfft2, jnp.fft.fft, lambda v: jnp.fft.irfft(v, n=10, axis=0)]:
        out = jl.vmap(fn, in_axes=2)(xs)
        ref = np.stack([np.asarray(fn(xs[:, :, i])) for i in range(6)])
        np.testing.assert_allclose(np.asarray(out), ref, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(np.asarray(jl.jit(fn)(xs)), np.asarray(fn(xs)), rtol=1e-6, atol=1e-6)
