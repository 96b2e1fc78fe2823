"""Dask clusters for sweeps, Benders subproblems and the hourly check: an embedded LocalCluster, a
scheduler address or file, or a given client; started and closed whole under Ctrl-C."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from pathlib import Path

from ._extras import require
from .errors import SitingError

__all__ = ["connect", "hold_ctrl_c", "close_held"]

log = logging.getLogger("siting")


@contextlib.contextmanager
def hold_ctrl_c():
    """Ctrl-C (SIGINT) held back for the block, then raised as KeyboardInterrupt; for starting and closing an
    embedded cluster, which an exception in the middle leaves half-made (and its worker processes with it).

    SIGINT is also blocked in this thread for the block, so the threads started inside it (Dask's event
    loop and the ones that spawn the worker processes) and the worker processes started from them
    inherit a blocked SIGINT: a Ctrl-C at the terminal, sent to the whole process group, reaches this
    process only, which then stops the cluster, instead of killing the workers half-way with tracebacks.
    Outside the main thread nothing is held.
    """
    if threading.current_thread() is not threading.main_thread() \
            or signal.getsignal(signal.SIGINT) in (signal.SIG_IGN, signal.SIG_DFL, None):
        yield
        return
    from multiprocessing import resource_tracker

    # started now if not yet: starting it later would unblock SIGINT in the thread that spawns a worker
    resource_tracker.ensure_running()
    caught: list = []
    previous = signal.signal(signal.SIGINT, lambda *a: caught.append(a))
    try:
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a Ctrl-C held by the system arrives here
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        if callable(previous) and previous is not signal.default_int_handler:
            previous(*caught[0])
        else:
            raise KeyboardInterrupt


@contextlib.contextmanager
def connect(client, workers: int | None, n_tasks: int):
    """A dask.distributed Client: the one given, one to the address given, or an embedded LocalCluster."""
    distributed = require("distributed", "sweep", "a sweep")
    Client, LocalCluster = distributed.Client, distributed.LocalCluster
    if client is None:
        n = workers or os.cpu_count() or 1
        n = max(1, min(n, n_tasks))
        with contextlib.ExitStack() as stack:
            with hold_ctrl_c():  # a cluster is started whole, or not at all
                # the workers' logs as quiet as this process's "distributed" logger (the CLI: errors only)
                quiet = max(logging.WARNING, logging.getLogger("distributed").getEffectiveLevel())
                cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                                       silence_logs=quiet)
                stack.callback(close_held, cluster)
                c = Client(cluster)
                stack.callback(close_held, c)
            import importlib.util

            board = f" (dashboard {c.dashboard_link})" if importlib.util.find_spec("bokeh") else ""
            log.info("%d task(s) on a local Dask cluster of %d worker(s)%s", n_tasks, n, board)
            yield c
    elif isinstance(client, str | os.PathLike):
        is_file = not str(client).startswith(("tcp://", "tls://", "ucx://", "ws://", "wss://", "inproc://")) \
            and Path(client).is_file()
        try:
            c = Client(scheduler_file=str(client)) if is_file else Client(str(client))
        except (OSError, TimeoutError, ValueError) as e:
            raise SitingError(f"cannot reach the Dask scheduler at {client}: {' '.join(str(e).split())}") from None
        with c:
            log.info("%d task(s) on the Dask cluster at %s (%d worker(s))", n_tasks, client,
                     len(c.nthreads()))
            yield c
    elif not isinstance(client, Client) and hasattr(client, "scheduler_address"):  # a cluster object
        with Client(client) as c:
            yield c
    else:
        yield client


def close_held(x) -> None:
    with hold_ctrl_c():
        x.close()
