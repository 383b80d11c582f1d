"""The README's main job: examples/train_mlp.py trains (loss falls, accuracy far above chance)."""
from __future__ import annotations

import importlib.util
import os

import numpy as np

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


def _load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, f"{name}.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_train_mlp_short_run():
    train_mlp = _load("train_mlp")
    result = train_mlp.main(steps=300, quiet=True)
    losses = np.asarray(result["losses"])
    assert np.isfinite(losses).all()
    assert losses[-20:].mean() < 0.5 * losses[:5].mean()
    assert result["test_accuracy"] > 0.6  # chance is 0.1
