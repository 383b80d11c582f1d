"""Public ``jax.ad_checkpoint``."""
from jaxlite._src.ad_checkpoint import checkpoint, remat, checkpoint_name, checkpoint_policies  # noqa: F401
