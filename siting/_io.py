"""Small helpers shared across the package: atomic file writes and the text form of a table cell."""

from __future__ import annotations

import math
import os
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["atomic_write", "cell_text"]


def atomic_write(path, write) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then move it onto ``path`` (``os.replace``).

    A reader never sees a half-written ``path``; the temporary file is removed if ``write`` fails.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def cell_text(v) -> str:
    """The text of a table cell as it would stand in a CSV file.

    Missing (None, NaN, ``pd.NA``) is ``""``, booleans are ``true``/``false``, whole floats
    lose their ``.0`` (``2028.0`` -> ``2028``); anything else is ``str(v)``.
    """
    if isinstance(v, str):
        return v
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return ""
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    return str(v)
