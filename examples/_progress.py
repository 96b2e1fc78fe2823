"""Progress of the long examples: how many solves are done, how long they took, how long is left.

A tqdm bar on stderr when tqdm is installed and stderr is a terminal; otherwise (tqdm missing, or the
output goes to a file or a pipe) one plain line per step on stderr. The examples' own results go to
stdout either way.
"""

from __future__ import annotations

import sys
import time


def _clock(s: float) -> str:
    s = int(round(s))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class Progress:
    """``total`` steps; :meth:`step` after each, with the line to print on stdout. ``bar``: None (a tqdm
    bar when tqdm is installed and stderr is a terminal), True (tqdm if installed) or False (plain lines)."""

    def __init__(self, total: int, desc: str, bar: bool | None = None):
        self.total, self.desc, self.done = total, desc, 0
        self.t0 = time.perf_counter()
        self.bar = None
        if bar is None:
            bar = sys.stderr.isatty()
        if bar:
            try:
                from tqdm import tqdm
            except ImportError:
                pass
            else:
                self.bar = tqdm(total=total, desc=desc, unit="solve", file=sys.stderr, dynamic_ncols=True)
        if self.bar is None:
            print(f"{desc}: {total} solve(s)", file=sys.stderr, flush=True)

    def step(self, line: str | None = None) -> None:
        """One step done; ``line`` (a result) goes to stdout."""
        self.done += 1
        if self.bar is not None:
            if line:
                self.bar.write(line, file=sys.stdout)
            self.bar.update(1)
            return
        if line:
            print(line, flush=True)
        took = time.perf_counter() - self.t0
        left = took / self.done * (self.total - self.done)
        print(f"{self.desc}: [{self.done}/{self.total}] {_clock(took)} elapsed, about {_clock(left)} left",
              file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        took = time.perf_counter() - self.t0
        print(f"{self.desc}: {self.done} solve(s) in {_clock(took)}", file=sys.stderr, flush=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
