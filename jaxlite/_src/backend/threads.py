"""Row-parallel execution of big, memory-bound NumPy operations (the CPU backend's intra-op parallelism).

XLA's CPU backend splits a large fused loop over a thread pool. NumPy releases the GIL inside its ufunc and
``einsum`` loops, so a compiled program can do the same for the few operations whose cost is writing a
large output (a batched outer product writing per-example gradients, say): the output is allocated once
and its leading axis is cut into one block per core; extra cores run their block on a persistent worker
thread while the calling thread runs the first block. Every element is computed by the same NumPy call on
the same inputs, so the values are identical to the single-threaded result.

The number of threads is the number of cores this process may run on, or ``JAXLITE_NUM_THREADS`` from the
environment (``1`` turns the splitting off). Outputs smaller than ``MIN_BYTES`` are never split: there the
hand-off costs more than it saves.
"""
from __future__ import annotations

import os
import queue
import threading

MIN_BYTES = 4 << 20


def _default_threads() -> int:
    env = os.environ.get("JAXLITE_NUM_THREADS")
    if env:
        return max(1, int(env))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


NUM_THREADS = _default_threads()


class _Worker:
    """One daemon thread running ``fn(*args)`` jobs in turn."""

    def __init__(self):
        self._jobs = queue.SimpleQueue()
        threading.Thread(target=self._run, name="jaxlite-worker", daemon=True).start()

    def _run(self):
        while True:
            fn, args, done = self._jobs.get()
            try:
                fn(*args)
                done.put(None)
            except BaseException as e:  # handed to the caller
                done.put(e)

    def submit(self, fn, args):
        """Queue ``fn(*args)``; returns ``wait()``, which returns (or raises) the outcome of this job.
        (Each job reports on its own queue: a job whose caller stopped waiting for it, interrupted,
        cannot answer for a later one.)"""
        done = queue.SimpleQueue()
        self._jobs.put((fn, args, done))

        def wait():
            err = done.get()
            if err is not None:
                raise err
        return wait


_workers: list = []
_lock = threading.Lock()
_busy = threading.local()


def _get_workers(n):
    with _lock:
        while len(_workers) < n:
            _workers.append(_Worker())
        return _workers[:n]


def blocks(rows: int, out_bytes: int) -> int:
    """How many row blocks an operation with ``rows`` leading rows and an output of ``out_bytes`` gets
    (decided when a program is compiled; 1 means: do not split)."""
    if NUM_THREADS < 2 or out_bytes < MIN_BYTES:
        return 1
    return min(NUM_THREADS, rows)


def nested() -> bool:
    """Whether this thread is already running a block (then an operation inside it is not split again)."""
    return getattr(_busy, "on", False)


def run_rows(fn, out, ins, nblocks):
    """Run ``fn(*ins_block, out=out_block)`` for ``nblocks`` blocks of the leading axis of ``out`` and of
    every array in ``ins`` (all share that leading axis), in parallel; returns ``out``."""
    rows = out.shape[0]
    bounds = [rows * i // nblocks for i in range(nblocks + 1)]
    workers = _get_workers(nblocks - 1)
    # several user threads may run compiled programs at once: they take turns with the workers
    with _dispatch_lock:
        waits = [w.submit(_call, (fn, [a[lo:hi] for a in ins], out[lo:hi]))
                 for w, (lo, hi) in zip(workers, zip(bounds[1:], bounds[2:]))]
        err = None
        try:
            _call(fn, [a[:bounds[1]] for a in ins], out[:bounds[1]])
        except BaseException as e:
            err = e
        for wait in waits:
            try:
                wait()
            except BaseException as e:
                err = err or e
    if err is not None:
        raise err
    return out


_dispatch_lock = threading.Lock()


def _call(fn, ins, out):
    _busy.on = True
    try:
        fn(*ins, out=out)
    finally:
        _busy.on = False
