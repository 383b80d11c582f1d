"""jax.nn: activations, softmax family, one_hot, attention and initializers (re-exported from _src)."""
from jaxlite._src.nn.functions import (  # noqa: F401
    celu, dot_product_attention, elu, gelu, glu, hard_sigmoid, hard_silu, hard_swish, hard_tanh, identity,
    leaky_relu, log1mexp, log_sigmoid, log_softmax, logmeanexp, logsumexp, mish, one_hot, relu, relu6,
    selu, sigmoid, silu, soft_sign, softmax, softplus, sparse_plus, sparse_sigmoid, squareplus,
    standardize, swish, tanh,
)
from jaxlite.nn import initializers  # noqa: F401
