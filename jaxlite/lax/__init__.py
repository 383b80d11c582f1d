"""jax.lax: the primitive operations (re-exported from jaxlite._src.lax)."""
from jaxlite._src.lax.lax import *  # noqa: F401,F403
from jaxlite._src.interpreters.ad import add_any_p as add_jaxvals_p  # noqa: F401
from jaxlite._src.lax.fft import fft, fft_p, FftType  # noqa: F401,E402
from jaxlite.lax import linalg  # noqa: F401,E402  (the jax.lax.linalg submodule)
from jaxlite._src.lax.parallel import *  # noqa: F401,F403,E402  (collectives)
from jaxlite._src.sharding import with_sharding_constraint, sharding_constraint_p  # noqa: F401,E402
from jaxlite._src.lax.misc import *  # noqa: F401,F403,E402  (mulhi, split, tile, rng_bit_generator, ...)
from jaxlite._src.lax.solves import custom_linear_solve, custom_root, linear_solve_p  # noqa: F401,E402
