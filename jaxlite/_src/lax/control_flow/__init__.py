"""Structured control flow: cond/switch (conditionals.py), while/fori_loop/scan/map (loops.py)."""
from jaxlite._src.lax.control_flow.conditionals import cond, switch, cond_p  # noqa: F401
from jaxlite._src.lax.control_flow.loops import (while_loop, fori_loop, scan, map,  # noqa: F401
                                                 associative_scan, while_p, scan_p)
