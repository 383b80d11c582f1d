"""All lax functions in one namespace (used internally by rules and by jax.numpy)."""
from jaxlite._src.lax.elementwise import *  # noqa: F401,F403
from jaxlite._src.lax.shapes import *  # noqa: F401,F403
from jaxlite._src.lax.reductions import *  # noqa: F401,F403
from jaxlite._src.lax.linalg import *  # noqa: F401,F403
from jaxlite._src.lax.elementwise import _convert_element_type, _zeros, _ones  # noqa: F401
from jaxlite._src.lax.windowed import *  # noqa: F401,F403
from jaxlite._src.lax.convolution import *  # noqa: F401,F403
from jaxlite._src.lax.special import *  # noqa: F401,F403
from jaxlite._src.lax.cumulative import *  # noqa: F401,F403
from jaxlite._src.lax.sorting import *  # noqa: F401,F403
from jaxlite._src.lax.indexing import *  # noqa: F401,F403
from jaxlite._src.lax.control_flow import (cond, switch, while_loop, fori_loop, scan, map,  # noqa: F401,E402
                                         associative_scan, cond_p, while_p, scan_p)
