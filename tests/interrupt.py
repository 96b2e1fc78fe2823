"""Ctrl-C a command-line run at a given moment (shared by the Ctrl-C tests)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path


def interrupt_cli(args: list[str], cwd: Path, marker: str, delay: float = 0.0) -> tuple[int, str, str, float]:
    """Run ``python -m siting ARGS`` in ``cwd``, send SIGINT ``delay`` seconds after a stderr line holds
    ``marker``; return (exit code, everything printed, stderr after the signal, seconds it took to stop)."""
    proc = subprocess.Popen([sys.executable, "-m", "siting", *map(str, args)], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    seen = []
    try:
        for line in proc.stderr:
            seen.append(line)
            if marker in line:
                break
        time.sleep(delay)
        t0 = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
        waited = time.perf_counter() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, "".join(seen) + stderr + stdout, stderr, waited
