"""jax.nn: activation functions, softmax family, one_hot, standardize, dot_product_attention.

As in JAX, most functions are ``jit``-wrapped (so they appear as ``jit[name=...]`` in jaxprs) and
``relu``/``relu6`` have custom JVPs that give a zero derivative at their kinks.
"""
from __future__ import annotations

import operator
from typing import Any, Literal, Sequence

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.api import jit
from jaxlite._src.custom_derivatives import custom_jvp
from jaxlite._src.lax import lax
from jaxlite._src.numpy.util import check_arraylike, ensure_arraylike, promote_args_inexact
from jaxlite._src.scipy.special import logsumexp as _logsumexp
import jaxlite.numpy as jnp

__all__ = [
    "identity", "relu", "relu6", "squareplus", "softplus", "sparse_plus", "soft_sign", "sigmoid",
    "sparse_sigmoid", "silu", "swish", "mish", "log_sigmoid", "elu", "leaky_relu", "hard_tanh", "celu",
    "selu", "gelu", "glu", "logsumexp", "logmeanexp", "log_softmax", "softmax", "standardize",
    "one_hot", "hard_sigmoid", "hard_silu", "hard_swish", "dot_product_attention", "log1mexp", "tanh",
]

tanh = jnp.tanh


@jit
def identity(x):
    """The identity activation: returns ``x`` unchanged."""
    return ensure_arraylike("identity", x)


@custom_jvp
@jit
def relu(x):
    """Rectified linear unit ``max(x, 0)``; its derivative at 0 is taken to be 0.

    >>> relu(jnp.array([-2., 0., 3.]))
    Array([0., 0., 3.], dtype=float32)
    """
    return jnp.maximum(x, 0)


relu.defjvps(lambda g, ans, x: lax.select(x > 0, g, lax.full_like(g, 0)))


@jit
def squareplus(x, b=4):
    """``(x + sqrt(x**2 + b)) / 2``, a smooth ReLU."""
    x, b = ensure_arraylike("squareplus", x, b)
    y = x + jnp.sqrt(jnp.square(x) + b)
    return y / 2


@jit
def softplus(x):
    """``log(1 + exp(x))``, computed stably."""
    return jnp.logaddexp(x, 0)


@jit
def sparse_plus(x):
    """0 for ``x <= -1``, ``(x + 1)**2 / 4`` on (-1, 1), ``x`` for ``x >= 1``."""
    x = ensure_arraylike("sparse_plus", x)
    return jnp.where(x <= -1.0, 0.0, jnp.where(x >= 1.0, x, (x + 1.0) ** 2 / 4))


@jit
def soft_sign(x):
    """``x / (|x| + 1)``."""
    x = ensure_arraylike("soft_sign", x)
    return x / (jnp.abs(x) + 1)


@jit(inline=True)
def sigmoid(x):
    """The logistic sigmoid ``1 / (1 + exp(-x))``."""
    return lax.logistic(x)


@jit
def sparse_sigmoid(x):
    """0 for ``x <= -1``, ``(x + 1) / 2`` on (-1, 1), 1 for ``x >= 1`` (derivative of sparse_plus)."""
    return 0.5 * jnp.clip(x + 1.0, 0.0, 2.0)


@jit
def silu(x):
    """SiLU / swish: ``x * sigmoid(x)``."""
    x = ensure_arraylike("silu", x)
    return x * sigmoid(x)


swish = silu


@jit
def mish(x):
    """``x * tanh(softplus(x))``."""
    x = ensure_arraylike("mish", x)
    return x * jnp.tanh(softplus(x))


@jit
def log_sigmoid(x):
    """``log(sigmoid(x)) = -softplus(-x)``."""
    x = ensure_arraylike("log_sigmoid", x)
    return -softplus(-x)


@jit
def elu(x, alpha=1.0):
    """``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise."""
    x = ensure_arraylike("elu", x)
    return jnp.where(x > 0, x, alpha * jnp.expm1(jnp.where(x > 0, 0., x)))


@jit
def leaky_relu(x, negative_slope=1e-2):
    """``x`` for ``x >= 0``, ``negative_slope * x`` otherwise."""
    x = ensure_arraylike("leaky_relu", x)
    return jnp.where(x >= 0, x, negative_slope * x)


@jit
def hard_tanh(x):
    """``x`` clipped to [-1, 1]."""
    x = ensure_arraylike("hard_tanh", x)
    return jnp.where(x > 1, 1, jnp.where(x < -1, -1, x))


@jit
def celu(x, alpha=1.0):
    """``max(x, 0) + alpha * expm1(min(x, 0) / alpha)``."""
    return jnp.maximum(x, 0.0) + alpha * jnp.expm1(jnp.minimum(x, 0.0) / alpha)


@jit
def selu(x):
    """Scaled ELU with the self-normalising constants of Klambauer et al."""
    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946
    return scale * elu(x, alpha)


def gelu(x, approximate: bool = True):
    """Gaussian error linear unit: ``x * Phi(x)`` (``approximate=False``) or its tanh approximation.

    >>> gelu(jnp.array([0., 1.]), approximate=False)
    Array([0.       , 0.8413447], dtype=float32)
    """
    [x_arr] = promote_args_inexact("gelu", x)
    if approximate:
        sqrt_2_over_pi = np.sqrt(2 / np.pi).astype(x_arr.dtype)
        cdf = 0.5 * (1.0 + jnp.tanh(sqrt_2_over_pi * (x_arr + 0.044715 * (x_arr ** 3))))
        return x_arr * cdf
    sqrt_half = np.sqrt(0.5).astype(x_arr.dtype)
    return jnp.array(0.5 * x_arr * (lax.erfc(-x_arr * sqrt_half)), dtype=x_arr.dtype)


@jit(static_argnames=("axis",))
def glu(x, axis: int = -1):
    """Gated linear unit: split ``x`` in two along ``axis`` and return ``a * sigmoid(b)``."""
    x = ensure_arraylike("glu", x)
    size = x.shape[axis]
    if size % 2:
        raise ValueError(f"glu: the size of axis {axis} must be divisible by 2, got {size}.")
    x1, x2 = jnp.split(x, 2, axis)
    return x1 * sigmoid(x2)


logsumexp = _logsumexp


def _count(x, axis, where, keepdims, dtype):
    if where is None:
        shape = np.shape(x)
        axes = range(len(shape)) if axis is None else ((axis,) if isinstance(axis, int) else axis)
        n = int(np.prod([shape[a] for a in axes], dtype=np.int64))
        out = jnp.asarray(n, dtype)
        if keepdims:
            kept = [1 if (i in axes or i - len(shape) in axes) else d for i, d in enumerate(shape)]
            out = jnp.broadcast_to(out, kept)
        else:
            kept = [d for i, d in enumerate(shape) if not (i in axes or i - len(shape) in axes)]
            out = jnp.broadcast_to(out, kept)
        return out
    return jnp.sum(jnp.broadcast_to(where, np.shape(x)), axis=axis, keepdims=keepdims, dtype=dtype)


@jit(static_argnames=("axis", "keepdims"))
def logmeanexp(x, axis=None, where=None, keepdims: bool = False):
    """``logsumexp(x) - log(n)``: the log of the mean of ``exp(x)``."""
    lse = _logsumexp(x, axis=axis, where=where, keepdims=keepdims)
    count = _count(x, axis, where, keepdims, lse.dtype)
    return lse - jnp.log(count)


@jit(static_argnames=("axis",))
def log_softmax(x, axis=-1, where=None):
    """``x - logsumexp(x, axis)``, computed stably; masked-out entries (``where``) are -inf."""
    x_arr = ensure_arraylike("log_softmax", x)
    x_max = jnp.max(x_arr, axis, where=where, initial=-np.inf, keepdims=True)
    x_safe = x_arr if where is None else jnp.where(where, x_arr, -np.inf)
    shifted = x_safe - lax.stop_gradient(x_max)
    shifted_lse = jnp.log(jnp.sum(jnp.exp(shifted), axis, where=where, keepdims=True))
    result = shifted - shifted_lse
    if where is not None:
        return jnp.where(where, result, -np.inf)
    return result


def softmax(x, axis=-1, where=None, initial: Any = -np.inf):
    """``exp(x) / sum(exp(x))`` along ``axis``; masked-out entries (``where``) are 0.

    >>> softmax(jnp.array([0., 0.]))
    Array([0.5, 0.5], dtype=float32)
    """
    x_max = jnp.max(x, axis, where=where, initial=initial, keepdims=True)
    x_safe = x if where is None else jnp.where(where, x, initial)
    unnormalized = jnp.exp(x_safe - lax.stop_gradient(x_max))
    result = unnormalized / jnp.sum(unnormalized, axis, where=where, keepdims=True)
    if where is not None:
        result = jnp.where(where, result, 0)
    return result


@jit(static_argnames=("axis", "algorithm"))
def standardize(x, axis=-1, mean=None, variance=None, epsilon=1e-5, where=None, *,
                algorithm: str = "fast"):
    """``(x - mean) / sqrt(variance + epsilon)`` along ``axis`` (mean/variance computed if None).

    ``algorithm='fast'`` uses ``E[x^2] - E[x]^2`` (clipped at 0) as JAX does; ``'stable'`` the
    two-pass formula.
    """
    check_arraylike("standardize", x)
    if mean is None:
        mean = jnp.mean(x, axis, keepdims=True, where=where)
    if variance is None:
        if algorithm == "stable":
            variance = jnp.mean(jnp.square(jnp.subtract(x, mean)), axis, keepdims=True, where=where)
        elif algorithm == "fast":
            variance = jnp.mean(jnp.square(x), axis, keepdims=True, where=where) - jnp.square(mean)
            variance = jnp.clip(variance, 0)
        else:
            raise ValueError(f"Unknown algorithm '{algorithm}'. Expected 'fast' or 'stable'.")
    return jnp.subtract(x, mean) * lax.rsqrt(variance + epsilon)


def _canonicalize_axis(axis, ndim):
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim


@jit(static_argnames=("num_classes", "dtype", "axis"))
def _one_hot(x, num_classes: int, *, dtype, axis):
    pos = _canonicalize_axis(axis, x.ndim + 1)
    lhs = lax.expand_dims(x, (pos,))
    rhs_shape = [1] * x.ndim
    rhs_shape.insert(pos, num_classes)
    rhs = lax.broadcasted_iota(x.dtype, rhs_shape, pos)
    return (lhs == rhs).astype(dtype)


def one_hot(x, num_classes: int, *, dtype=None, axis=-1):
    """One-hot encode integer ``x`` with ``num_classes`` classes along ``axis`` (out-of-range indices
    give all zeros).

    >>> one_hot(jnp.array([0, 2]), 3)
    Array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    num_classes = core.concrete_or_error(
        operator.index, num_classes, "The error arose in jax.nn.one_hot argument `num_classes`.")
    x_arr = jnp.asarray(x)
    if not isinstance(axis, (int, np.integer)):
        raise NotImplementedError("jax.nn.one_hot with a named axis (axis_name)")
    if dtype is None:
        dtype = dtypes.canonicalize_dtype(np.float64)
    dtype = dtypes.canonicalize_dtype(np.dtype(dtype))
    return _one_hot(x_arr, num_classes, dtype=dtype, axis=int(axis))


@custom_jvp
@jit
def relu6(x):
    """``min(max(x, 0), 6)``; its derivative at 0 and at 6 is taken to be 0."""
    return jnp.minimum(jnp.maximum(x, 0), 6.)


relu6.defjvps(lambda g, ans, x: lax.select((x > 0) & (x < 6), g, lax.full_like(g, 0)))


@jit
def hard_sigmoid(x):
    """``relu6(x + 3) / 6``."""
    return relu6(x + 3.) / 6.


@jit
def hard_silu(x):
    """``x * hard_sigmoid(x)`` (hard swish)."""
    x = ensure_arraylike("hard_silu", x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


@custom_jvp
@jit
def log1mexp(x):
    """``log(1 - exp(-x))`` for ``x > 0``, accurate near 0 and for large ``x``."""
    x = ensure_arraylike("log1mexp", x)
    c = jnp.log(2.0)
    return jnp.where(x < c, jnp.log(-jnp.expm1(-x)), jnp.log1p(-jnp.exp(-x)))


log1mexp.defjvps(lambda g, ans, x: g / jnp.expm1(x))


# ---------------------------------------------------------------------------------------------------
# dot_product_attention
# ---------------------------------------------------------------------------------------------------

def _large_negative(dtype):
    dmax = min(float(dtypes.finfo(dtype).max), float(np.finfo(np.float32).max))
    return jnp.asarray(-0.7 * dmax, dtype=dtype)


def _attention_logits_mask(logits, mask, is_causal, q_seqlen, kv_seqlen, local_window_size):
    if (mask is None and not is_causal and q_seqlen is None and kv_seqlen is None
            and local_window_size is None):
        return logits
    combined = jnp.ones_like(logits, dtype=bool)
    if mask is not None:
        combined = jnp.logical_and(combined, mask)
    T, S = logits.shape[2], logits.shape[3]
    if is_causal:
        combined = jnp.logical_and(combined, jnp.tril(jnp.ones((T, S), dtype=bool))[None, None])
    if local_window_size is not None:
        left, right = local_window_size
        qp = jnp.arange(T)[:, None]
        kp = jnp.arange(S)[None, :]
        win = jnp.logical_and(qp >= kp - right, qp <= kp + left)
        combined = jnp.logical_and(combined, win[None, None])
    if q_seqlen is not None or kv_seqlen is not None:
        pad = jnp.ones((1, T, S), dtype=bool)
        if q_seqlen is not None:
            pad = jnp.logical_and(pad, jnp.arange(T)[None, :, None] < q_seqlen[:, None, None])
        if kv_seqlen is not None:
            pad = jnp.logical_and(pad, jnp.arange(S)[None, None, :] < kv_seqlen[:, None, None])
        combined = jnp.logical_and(combined, pad[:, None])
    return jnp.where(combined, logits, _large_negative(logits.dtype))


def _attention_xla(query, key, value, bias, mask, is_causal, scale, q_seqlen, kv_seqlen,
                   local_window_size, return_residual):
    B, T, N, H = query.shape
    _, S, K, _ = key.shape
    G = N // K
    logits_dtype = jnp.promote_types(query.dtype, np.float32)
    q = jnp.reshape(query, (B, T, K, G, H))
    # logits[b, k, t, g, s] = sum_h q[b, t, k, g, h] * key[b, s, k, h]
    logits = lax.dot_general(q, key, (((4,), (3,)), ((0, 2), (0, 2))),
                             preferred_element_type=logits_dtype)
    logits = jnp.transpose(logits, (0, 1, 3, 2, 4)).reshape(B, N, T, S)
    logits = logits * jnp.array(scale, dtype=logits.dtype)
    if bias is not None:
        logits = (logits + bias).astype(logits.dtype)
    padded = _attention_logits_mask(logits, mask, is_causal, q_seqlen, kv_seqlen, local_window_size)
    padded = padded.astype(np.float32)
    probs = softmax(padded, axis=-1).astype(key.dtype)
    # encoded[b, k, g, t, h] = sum_s probs[b, k, g, t, s] * value[b, s, k, h]
    p = jnp.reshape(probs, (B, K, G, T, S))
    enc = lax.dot_general(p, value, (((4,), (1,)), ((0, 1), (0, 2))))
    enc = jnp.transpose(enc, (0, 3, 1, 2, 4)).reshape(B, T, N, H)
    if q_seqlen is not None:
        qmask = jnp.arange(T)[None, :] < q_seqlen[:, None]
        enc = enc * qmask[:, :, None, None].astype(enc.dtype)
    if return_residual:
        lse = _logsumexp(padded, axis=-1).astype(key.dtype)          # B N T
        return enc, lax.stop_gradient(jnp.transpose(lse, (0, 2, 1)))  # B T N
    return enc


def dot_product_attention(query, key, value, bias=None, mask=None, *, scale: float | None = None,
                          is_causal: bool = False, query_seq_lengths=None, key_value_seq_lengths=None,
                          local_window_size: int | tuple[int, int] | None = None,
                          implementation: Literal["xla", "cudnn"] | None = None,
                          return_residual: bool = False):
    """Scaled dot-product attention ``softmax(Q K^T * scale + bias) V`` per head.

    Shapes are ``(B, T, N, H)`` for the query and ``(B, S, K, H)`` for key and value (``N`` a multiple
    of ``K``: grouped-query attention), or the same without the batch dim. ``mask`` is boolean
    (True = attend); ``is_causal`` adds a lower-triangular mask. Softmax runs in float32.
    """
    output_shape = jnp.asarray(query).shape

    def ensure_4d(t):
        t = jnp.asarray(t)
        dims_to_add = 4 - t.ndim
        if dims_to_add > 0:
            return jnp.expand_dims(t, axis=tuple(range(dims_to_add)))
        return t

    query_arr, key_arr, value_arr = ensure_4d(query), ensure_4d(key), ensure_4d(value)
    bias = ensure_4d(bias) if bias is not None else None
    mask = ensure_4d(mask) if mask is not None else None
    if query_seq_lengths is not None:
        query_seq_lengths = jnp.asarray(query_seq_lengths)
    if key_value_seq_lengths is not None:
        key_value_seq_lengths = jnp.asarray(key_value_seq_lengths)
    if isinstance(local_window_size, int):
        local_window_size = (local_window_size, local_window_size)

    def check(t, shape, dtype, name):
        if t is None:
            return
        if t.ndim != len(shape):
            raise ValueError(f"{name} ndim should be {len(shape)}, but got {t.ndim}")
        if dtype is not None and t.dtype != dtype:
            raise ValueError(f"{name} dtype should be {dtype}, but got {t.dtype}")
        for i in range(t.ndim):
            if shape[i] != -1 and t.shape[i] != shape[i]:
                raise ValueError(f"{name} shape should be {shape}: but got {t.shape}")

    B, S, K, H = key_arr.shape
    check(value_arr, [B, S, K, H], key_arr.dtype, "value")
    check(query_arr, [B, -1, -1, H], key_arr.dtype, "query")
    check(mask, [-1] * 4, np.dtype(bool), "mask")
    check(bias, [-1] * 4, None, "bias")
    check(query_seq_lengths, [B], np.dtype("int32"), "query_seq_lengths")
    check(key_value_seq_lengths, [B], np.dtype("int32"), "key_value_seq_lengths")
    if query_arr.shape[-2] % K != 0:
        raise ValueError(f"The number of query heads must be a multiple of key/value heads, but got "
                         f"{query_arr.shape[-2]} vs {K}")
    scale_val = (1.0 / np.sqrt(H)) if scale is None else scale
    if implementation == "cudnn":
        raise NotImplementedError("dot_product_attention(implementation='cudnn'): jaxlite runs on the "
                                  "CPU only; use implementation=None or 'xla'.")
    if implementation not in (None, "xla"):
        raise ValueError(f"Unsupported implementation option: {implementation}")
    out = _attention_xla(query_arr, key_arr, value_arr, bias, mask, is_causal, scale_val,
                         query_seq_lengths, key_value_seq_lengths, local_window_size, return_residual)
    if return_residual:
        out, residual = out
        return jnp.reshape(out, output_shape), jnp.reshape(residual, output_shape[:-1])
    return jnp.reshape(out, output_shape)
