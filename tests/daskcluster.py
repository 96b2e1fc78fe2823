"""A separate Dask scheduler and workers for the tests (each a process in its own session), stopped whole."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _stop(p: subprocess.Popen) -> None:
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    with_group = p.poll() is None
    try:  # the worker's nanny started a process of its own: take the whole session down
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if with_group:
        p.wait(timeout=10)


@contextlib.contextmanager
def dask_cluster(folder: Path, workers: int):
    """``dask scheduler`` on a free port of 127.0.0.1 and ``workers`` x ``dask worker --nworkers 1 --nthreads
    1``, each in its own session; yields the path of the scheduler file and stops them all at the end."""
    Client = pytest.importorskip("distributed").Client
    folder.mkdir(parents=True, exist_ok=True)
    sched = folder / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    procs: list[subprocess.Popen] = []
    logs = [folder / "scheduler.log"] + [folder / f"worker{i}.log" for i in range(workers)]
    files = [open(f, "wb") for f in logs]
    try:
        procs.append(subprocess.Popen(
            dask + ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file",
                    str(sched)], stdout=subprocess.DEVNULL, stderr=files[0], start_new_session=True))
        for i in range(workers):
            procs.append(subprocess.Popen(
                dask + ["worker", "--scheduler-file", str(sched), "--nworkers", "1", "--nthreads", "1",
                        "--host", "127.0.0.1", "--no-dashboard", "--local-directory", str(folder / f"w{i}")],
                stdout=subprocess.DEVNULL, stderr=files[1 + i], start_new_session=True))
        deadline = time.monotonic() + 120
        while True:
            try:
                if sched.is_file():
                    with Client(scheduler_file=str(sched), timeout=5) as c:
                        c.wait_for_workers(workers, timeout=max(1, deadline - time.monotonic()))
                    break
            except (OSError, TimeoutError, ValueError):
                pass
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                pytest.fail("the dask scheduler and workers did not start:\n"
                            + "\n".join(f.read_text()[-2000:] for f in logs))
            time.sleep(0.5)
        yield sched
    finally:
        for p in reversed(procs):
            _stop(p)
        for f in files:
            f.close()
