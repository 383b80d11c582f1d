"""Run real JAX on N virtual CPU devices in a subprocess (its device count is fixed at its first use, so
it cannot share a process with other tests) and bring back a dict of results."""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap

import pytest

_PRELUDE = """
import pickle, sys
import numpy as np
import jax
jax.config.update('jax_num_cpu_devices', {n})
import jax.numpy as jnp
from jax import lax
from jax.sharding import Mesh, PartitionSpec as P, NamedSharding, AxisType
out = {{}}
"""

_EPILOGUE = """
sys.stdout.buffer.write(b'@@ORACLE@@' + pickle.dumps(out))
"""


def run_jax(code: str, n: int = 8) -> dict:
    pytest.importorskip("jax")
    src = _PRELUDE.format(n=n) + textwrap.dedent(code) + _EPILOGUE
    env = dict(os.environ)
    env.pop("XLA_FLAGS", None)
    env["JAX_PLATFORMS"] = "cpu"
    res = subprocess.run([sys.executable, "-c", src], capture_output=True, env=env, timeout=120,
                         cwd="/")
    if res.returncode != 0:
        raise RuntimeError("JAX oracle failed:\n" + res.stderr.decode()[-3000:])
    data = res.stdout.split(b"@@ORACLE@@", 1)[1]
    return pickle.loads(data)


def set_devices(n: int):
    """Give jaxlite ``n`` virtual devices for this test (tests only: resets the fixed device list)."""
    import jaxlite
    from jaxlite._src import devices as _dev
    _dev._devices = None
    jaxlite.config.update("jax_num_cpu_devices", n)
    _dev.devices()
