"""Train a small MLP on handwritten digits: the seed tutorial's "Putting it together" training loop.

    pip install -e '.[examples]' && python examples/train_mlp.py

The model, loss and update are the tutorial's: parameters in a dict initialised with split PRNG keys,
a tanh hidden layer, mean squared error against one-hot targets, and a ``jax.jit``-ed ``train_step``
that uses ``jax.value_and_grad`` and ``jax.tree.map`` for SGD. The data is scikit-learn's 8x8 digits
(1,797 images, shipped with the package); without scikit-learn a synthetic 10-class problem is used.

It runs unchanged on real JAX: replace ``jaxlite`` by ``jax`` in the two imports below.
"""
from __future__ import annotations

import argparse
import os
import time

# Small matrices: one BLAS thread is fastest, and avoids OpenBLAS thread contention on busy machines.
# (Set before NumPy is imported; an explicit setting in the environment wins.)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import jaxlite as jax  # noqa: E402
import jaxlite.numpy as jnp  # noqa: E402
import jaxlite.random as jr  # noqa: E402

try:  # a progress bar if tqdm is installed
    from tqdm import tqdm
except ImportError:  # pragma: no cover - exercised only without the [examples] extra
    tqdm = None


def load_data(key):
    """(x_train, y_train, x_test, y_test, source): features scaled to [0, 1], one-hot targets."""
    try:
        from sklearn.datasets import load_digits
        digits = load_digits()
        x = digits.data.astype(np.float32) / 16.0
        labels = digits.target
        source = "scikit-learn digits (8x8 images)"
    except ImportError:
        # synthetic stand-in: 10 Gaussian clusters in 64 dimensions
        k_centers, k_labels, k_noise = jr.split(key, 3)
        centers = np.asarray(jr.uniform(k_centers, (10, 64)))
        labels = np.asarray(jr.randint(k_labels, (1800,), 0, 10))
        x = centers[labels] + 0.35 * np.asarray(jr.normal(k_noise, (1800, 64)))
        x = x.astype(np.float32)
        source = "synthetic clusters (scikit-learn not installed)"
    y = np.eye(10, dtype=np.float32)[labels]
    order = np.asarray(jr.permutation(jr.fold_in(key, 1), len(x)))
    n_test = len(x) // 5
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test], source


def init_params(key, n_in=64, n_hidden=128, n_out=10):
    k1, k2 = jr.split(key)
    return {
        'w1': jr.normal(k1, (n_in, n_hidden)) * (1.0 / np.sqrt(n_in)),
        'b1': jnp.zeros(n_hidden),
        'w2': jr.normal(k2, (n_hidden, n_out)) * (1.0 / np.sqrt(n_hidden)),
        'b2': jnp.zeros(n_out),
    }


def predict(params, x):
    h = jnp.tanh(x @ params['w1'] + params['b1'])
    return h @ params['w2'] + params['b2']


def loss_fn(params, x, y):
    logits = predict(params, x)
    return jnp.mean((logits - y) ** 2)


@jax.jit
def train_step(params, x, y, lr):
    loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
    params = jax.tree.map(lambda p, g: p - lr * g, params, grads)
    return params, loss


@jax.jit
def accuracy(params, x, y):
    return jnp.mean(jnp.argmax(predict(params, x), axis=-1) == jnp.argmax(y, axis=-1))


def main(steps=1000, lr=0.5, batch_size=128, seed=42, quiet=False):
    key = jr.key(seed)
    key, data_key, init_key = jr.split(key, 3)
    x_train, y_train, x_test, y_test, source = load_data(data_key)
    say = print if not quiet else (lambda *a, **k: None)
    say(f"data: {source}; {len(x_train)} train / {len(x_test)} test examples")
    params = init_params(init_key, n_in=x_train.shape[1])
    bar = tqdm(range(steps), desc="training", disable=quiet) if tqdm is not None else range(steps)
    log = bar.write if tqdm is not None and not quiet else say
    losses = []
    start = time.perf_counter()
    n_batches = len(x_train) // batch_size
    for step in bar:
        if step % n_batches == 0:  # a fresh shuffle of the training set each epoch
            key, perm_key = jr.split(key)
            order = np.asarray(jr.permutation(perm_key, len(x_train)))
        idx = order[(step % n_batches) * batch_size:(step % n_batches + 1) * batch_size]
        params, loss = train_step(params, x_train[idx], y_train[idx], lr)
        losses.append(float(loss))
        if step % 100 == 0:
            log(f"Step {step}, Loss: {loss:.4f}")
    elapsed = time.perf_counter() - start
    test_acc = float(accuracy(params, x_test, y_test))
    train_acc = float(accuracy(params, x_train, y_train))
    say(f"trained {steps} steps in {elapsed:.1f}s; final loss {losses[-1]:.4f}")
    say(f"train accuracy {train_acc:.3f}, test accuracy {test_acc:.3f} (chance: 0.100)")
    return {"losses": losses, "test_accuracy": test_acc, "train_accuracy": train_acc,
            "seconds": elapsed}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    main(args.steps, args.lr, args.batch_size, args.seed)
