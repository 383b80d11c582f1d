"""examples/autodiff.py runs and prints the right numbers (closed forms)."""
from __future__ import annotations

import importlib.util
import os

import numpy as np

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


def _load(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", os.path.join(EXAMPLES, f"{name}.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_autodiff_example(capsys):
    out = _load("autodiff").main()
    printed = capsys.readouterr().out
    x = 0.5
    np.testing.assert_allclose(out["df"], np.sin(2 * x), rtol=1e-5)
    np.testing.assert_allclose(out["d2f"], 2 * np.cos(2 * x), rtol=1e-5)
    np.testing.assert_allclose(out["d3f"], -4 * np.sin(2 * x), rtol=1e-4)
    assert f"{np.sin(2 * x):.6f}" in printed  # 0.841471 (the seed's "≈ 0.8415")

    params = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]])
    xv = np.array([1.0, 0.5, -1.0])
    y = np.array([0.5, 1.0])
    r = params @ xv - y
    np.testing.assert_allclose(out["grad_params"], np.outer(r, xv), rtol=1e-5)  # 2/n * r x^T, n = 2
    np.testing.assert_allclose(out["grad_x"], params.T @ r, rtol=1e-5)
    np.testing.assert_allclose(out["value"], np.mean(r ** 2), rtol=1e-5)
    np.testing.assert_allclose(out["value_grad"], out["grad_params"], rtol=1e-6)
    assert out["grad_params"].dtype == np.float32

    v = np.array([1.0, 2.0, 0.5])
    jac = np.array([[v[1], v[0], 0.0], [2 * v[0], 0.0, np.cos(v[2])]])
    np.testing.assert_allclose(out["jacfwd"], jac, rtol=1e-5)
    np.testing.assert_allclose(out["jacrev"], jac, rtol=1e-5)
    hess = np.diag(6 * v)
    hess[0, 1] = hess[1, 0] = 1.0
    np.testing.assert_allclose(out["hessian"], hess, rtol=1e-5)
    assert "jacrev agrees: True" in printed
    assert "gradient equals grad's: True" in printed


def test_autodiff_example_matches_jax():
    """The same script on real JAX gives the same numbers (skipped without JAX)."""
    import pytest
    jax = pytest.importorskip("jax")
    mod = _load("autodiff")
    ours = mod.main(quiet=True)
    mod.jax, mod.jnp = jax, jax.numpy
    theirs = mod.main(quiet=True)
    for k in ours:
        np.testing.assert_allclose(ours[k], theirs[k], rtol=1e-5, atol=1e-6, err_msg=k)
