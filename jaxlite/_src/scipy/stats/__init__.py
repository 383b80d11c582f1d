"""jax.scipy.stats distributions (one module each)."""
