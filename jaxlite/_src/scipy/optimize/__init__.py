"""jax.scipy.optimize internals: BFGS, the strong-Wolfe line search and ``minimize``."""
