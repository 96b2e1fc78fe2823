"""Results: the tidy tables of a solved plan, and writing them out."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["Results", "read_results", "TABLE_NAMES"]

#: result tables in the order they are written
TABLE_NAMES = ("sites", "capacity", "dispatch", "chips", "costs", "emissions", "summary", "slices")


@dataclass
class Results:
    """A solved plan.

    Attributes
    ----------
    tables : the tidy tables by name (also reachable as attributes: ``res.summary``).
    status : "optimal" or "time_limit".
    objective : total discounted cost, USD (equal to the sum of costs.cost_usd_discounted).
    mip_gap : relative gap between the plan and the best bound (0 for an optimal LP).
    solve_seconds : HiGHS's solve time.
    """

    tables: dict
    status: str
    objective: float
    mip_gap: float
    solve_seconds: float
    model_size: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    scenario: dict = field(default_factory=dict)
    instance_name: str = ""

    def __getattr__(self, name):
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def meta(self) -> dict:
        return {"instance": self.instance_name, "status": self.status, "objective_usd": self.objective,
                "mip_gap": self.mip_gap, "solve_seconds": self.solve_seconds, "model_size": self.model_size,
                "timings": self.timings}

    def to_folder(self, path: str | Path, overwrite: bool = True) -> Path:
        """Write every table as ``<name>.csv`` plus ``results.json`` (status, objective, gap, sizes).

        The files are written to a temporary folder beside ``path`` and moved into place, so an
        interrupted write leaves no half-written folder.
        """
        path = Path(path)
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path} exists")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
        try:
            for name in TABLE_NAMES:
                if name in self.tables:
                    self.tables[name].to_csv(tmp / f"{name}.csv", index=False)
            (tmp / "results.json").write_text(json.dumps(self.meta(), indent=2, default=str) + "\n")
            if path.exists():
                old = path.with_name(f".{path.name}.old")
                os.replace(path, old) if not old.exists() else (shutil.rmtree(old), os.replace(path, old))
                os.replace(tmp, path)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, path)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return path


def read_results(path: str | Path) -> Results:
    """Read a folder written by :meth:`Results.to_folder`."""
    path = Path(path)
    meta = json.loads((path / "results.json").read_text())
    tables = {n: pd.read_csv(path / f"{n}.csv") for n in TABLE_NAMES if (path / f"{n}.csv").is_file()}
    return Results(tables=tables, status=meta["status"], objective=meta["objective_usd"], mip_gap=meta["mip_gap"],
                   solve_seconds=meta["solve_seconds"], model_size=meta.get("model_size", {}),
                   timings=meta.get("timings", {}), instance_name=meta.get("instance", ""))
