"""Optional packages, installed by the extras of ``pip install "siting[...]"``.

``pip install siting`` installs what solving and reporting need. The rest comes with an extra:

=========== ========================================= ==========================================
extra       packages                                  for
=========== ========================================= ==========================================
``sweep``   dask[distributed], tqdm                   :func:`siting.sweep`, ``siting sweep``
``data``    openpyxl                                  the EIA-860 and LBNL queue ``.xlsx`` readers
``export``  pyarrow, openpyxl                         ``Results.to_folder(format="parquet"/"xlsx")``
``profiles`` pvlib                                    ``scripts/make_profiles.py`` (clear-sky model)
``dev``     all of the above, pytest, pytest-xdist,   the tests and ``ruff check``
            hypothesis, ruff
=========== ========================================= ==========================================

:func:`require` imports an optional package, or raises :class:`MissingExtra` whose message is one
line ending with the command that installs it.
"""

from __future__ import annotations

import contextlib
import importlib
from types import ModuleType

from .errors import SitingError

__all__ = ["EXTRAS", "MissingExtra", "require", "require_format", "progress_bar"]

#: the extra that installs each optional package (top-level import name -> extra)
EXTRAS = {"dask": "sweep", "distributed": "sweep", "tqdm": "sweep", "openpyxl": "data", "pyarrow": "export",
          "pvlib": "profiles"}


class MissingExtra(SitingError, ImportError):
    """An optional package is not installed; the message names the extra that installs it."""


def require(module: str, extra: str | None = None, purpose: str | None = None) -> ModuleType:
    """Import and return ``module``; if it is not installed, raise :class:`MissingExtra`.

    ``extra`` defaults to the one :data:`EXTRAS` gives for the top-level package; ``purpose`` says
    what needs it (default: siting). A package that is installed but fails to import for another
    reason raises its own error.
    """
    top = module.split(".")[0]
    try:
        return importlib.import_module(module)
    except ImportError as e:
        missing = e.name or ""
        if missing and missing.split(".")[0] != top:  # installed, but something it needs is broken
            raise
        extra = extra or EXTRAS.get(top, "dev")
        raise MissingExtra(f"{purpose or 'this'} needs {top}, which is not installed: "
                           f'pip install "siting[{extra}]"') from None


def require_format(fmt: str) -> None:
    """The package a results file format needs (parquet: pyarrow, xlsx: openpyxl; csv: none), from ``export``."""
    package = {"parquet": "pyarrow", "xlsx": "openpyxl"}.get(fmt)
    if package:
        require(package, "export", f"the {fmt} format")


@contextlib.contextmanager
def progress_bar(show: bool, **tqdm_options):
    """A ``tqdm`` bar (``tqdm_options`` passed on) with log lines printed above it; None when not shown or when
    tqdm is not installed (a progress bar is never worth an error)."""
    if not show:
        yield None
        return
    try:
        from tqdm import tqdm
        from tqdm.contrib.logging import logging_redirect_tqdm
    except ImportError:
        yield None
        return
    with tqdm(dynamic_ncols=True, **tqdm_options) as bar, logging_redirect_tqdm():
        yield bar
