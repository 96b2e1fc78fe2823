"""Results: the tidy tables of a solved plan, writing them out and reading them back."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import SitingError

__all__ = ["Results", "read_results", "TABLE_NAMES", "FORMATS", "OutputFolderError", "check_out_folder"]


class OutputFolderError(SitingError, FileExistsError):
    """The output folder cannot be written: it holds earlier results (and overwrite is off), or it is not ours."""


def check_out_folder(path: str | Path, overwrite: bool = True) -> None:
    """Raise :class:`OutputFolderError` unless :meth:`Results.to_folder` may write ``path``.

    It may when ``path`` does not exist or is an empty folder, or, with ``overwrite``, when it
    is a results folder written before (it holds ``results.json``). Any other folder, a file or
    a symbolic link is never replaced.
    """
    path = Path(path)
    if path.is_symlink():
        raise OutputFolderError(f"{path}: is a symbolic link; give a real folder for the results")
    if not path.exists():
        return
    if not path.is_dir():
        raise OutputFolderError(f"{path}: exists and is not a folder")
    if not any(path.iterdir()):
        return
    if not (path / "results.json").is_file():
        raise OutputFolderError(f"{path}: exists and is not a results folder (no results.json); results never "
                                "replace another folder: give a new or empty folder")
    if not overwrite:
        raise OutputFolderError(f"{path}: exists and holds earlier results; replace them with --force "
                                "(overwrite=True) or give another folder")


@contextlib.contextmanager
def _no_interrupt():
    """Hold back Ctrl-C (SIGINT) until the block is done, then raise it: for the two renames of a swap."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    try:
        previous = signal.signal(signal.SIGINT, lambda *a: caught.append(a))
    except ValueError:  # not possible here (e.g. an embedded interpreter): go on without
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught and callable(previous):
            previous(*caught[0])
        elif caught and previous != signal.SIG_IGN:
            raise KeyboardInterrupt

#: result tables in the order they are written
TABLE_NAMES = ("sites", "capacity", "dispatch", "chips", "costs", "capex", "emissions", "summary", "binding",
               "slices")

#: formats that :meth:`Results.to_folder` writes
FORMATS = ("csv", "parquet", "xlsx")

#: version of the results.json layout (2: adds "format", "scenario" and "schema")
RESULTS_JSON_VERSION = 2


@dataclass(eq=False)
class Results:
    """A solved plan.

    Attributes
    ----------
    tables : the tidy tables by name (also reachable as attributes: ``res.summary``).
    status : "optimal" or "time_limit".
    objective : total discounted cost, USD (equal to the sum of costs.cost_usd_discounted).
    mip_gap : relative gap between the plan and the best bound (0 for an optimal LP).
    solve_seconds : HiGHS's solve time.
    model_size : rows, columns, nonzeros and integers handed to HiGHS.
    timings : seconds spent per stage.
    scenario : the instance's scenario settings (scenario.toml with defaults filled in).
    instance_name : the instance's name.

    Two Results are equal (``==``) when their metadata, scenario and every table (values,
    column order and dtypes) are equal.
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

    def __eq__(self, other) -> bool:
        if not isinstance(other, Results):
            return NotImplemented
        if _jsonable(self.meta()) != _jsonable(other.meta()):
            return False
        if _jsonable(self.scenario) != _jsonable(other.scenario):
            return False
        if set(self.tables) != set(other.tables):
            return False
        for name, df in self.tables.items():
            o = other.tables[name]
            if list(df.columns) != list(o.columns) or list(df.dtypes) != list(o.dtypes) or not df.equals(o):
                return False
        return True

    __hash__ = None  # mutable, compared by value

    def meta(self) -> dict:
        return {"instance": self.instance_name, "status": self.status, "objective_usd": self.objective,
                "mip_gap": self.mip_gap, "solve_seconds": self.solve_seconds, "model_size": self.model_size,
                "timings": self.timings}

    def to_folder(self, path: str | Path, format: str = "csv", *, overwrite: bool = True) -> Path:
        """Write every table, plus ``results.json`` (status, objective, gap, sizes, scenario, dtypes).

        Parameters
        ----------
        path : the folder to write. An earlier results folder there (one holding
            ``results.json``) or an empty folder is replaced as a whole; any other folder or file
            is never touched (:class:`OutputFolderError`, a FileExistsError).
        format : ``"csv"`` (``<name>.csv`` per table), ``"parquet"`` (``<name>.parquet`` per
            table) or ``"xlsx"`` (one workbook ``results.xlsx`` with one sheet per table).
        overwrite : replace earlier results at ``path`` (default); otherwise raise
            :class:`OutputFolderError` when ``path`` holds any.

        The files are written to a temporary folder beside ``path`` and moved into place (Ctrl-C
        is held back during the swap), so an interrupted write leaves no half-written folder and
        the earlier results stay whole until the new ones replace them. ``results.json`` records each table's
        column dtypes, so :func:`read_results` gives back equal tables (CSV floats are written
        in their shortest exact form and read back with round-trip precision).
        """
        if format not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
        path = Path(path)
        check_out_folder(path, overwrite=overwrite)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
        try:
            names = [n for n in TABLE_NAMES if n in self.tables] + sorted(set(self.tables) - set(TABLE_NAMES))
            if format == "csv":
                for name in names:
                    self.tables[name].to_csv(tmp / f"{name}.csv", index=False)
            elif format == "parquet":
                for name in names:
                    self.tables[name].to_parquet(tmp / f"{name}.parquet", index=False)
            else:
                with pd.ExcelWriter(tmp / "results.xlsx", engine="openpyxl") as xw:
                    for name in names:
                        self.tables[name].to_excel(xw, sheet_name=name[:31], index=False)
            meta = self.meta() | {"version": RESULTS_JSON_VERSION, "format": format, "tables": names,
                                  "scenario": self.scenario,
                                  "schema": {n: _schema(self.tables[n]) for n in names}}
            (tmp / "results.json").write_text(json.dumps(meta, indent=2, default=str) + "\n")
            check_out_folder(path, overwrite=overwrite)  # again: it may have changed while writing
            if path.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
                old.rmdir()  # a free name beside path (renaming onto a folder is not portable)
                with _no_interrupt():
                    os.replace(path, old)
                    os.replace(tmp, path)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, path)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return path

    def sites_geo(self):
        """Every candidate site as a point (EPSG:4326) with what the plan does there.

        One row per site, in the order of the sites table, with columns ``site``, ``zone``,
        ``chosen`` (open in some year), ``first_year`` (first year open, missing if never),
        ``it_mw`` and ``facility_peak_mw`` (largest over the years), ``modules`` (final
        year), ``it_mw_<year>`` per planning year, and ``geometry``. Write it with
        ``gdf.to_file("sites.geojson")`` or ``gdf.to_file("sites.gpkg", layer="sites")``.
        """
        import geopandas as gpd

        s = self.tables["sites"]
        order = list(dict.fromkeys(s["site"]))
        g = s.groupby("site", sort=False)
        first = s.loc[s["open"] > 0].groupby("site", sort=False)["year"].min()
        last_year = s["year"].max()
        base = g.agg(zone=("zone", "first"), lat=("lat", "first"), lon=("lon", "first"),
                     it_mw=("it_mw", "max"), facility_peak_mw=("facility_peak_mw", "max")).reindex(order)
        base.insert(1, "chosen", g["open"].max().reindex(order).gt(0).to_numpy())
        base.insert(2, "first_year", first.reindex(order).astype("Int64").array)
        base["modules"] = (s.loc[s["year"] == last_year].set_index("site")["modules"].reindex(order)
                           .fillna(0).astype("int64").to_numpy())
        wide = s.pivot(index="site", columns="year", values="it_mw").reindex(order)
        for y in wide.columns:
            base[f"it_mw_{y}"] = wide[y].to_numpy()
        base = base.rename_axis("site").reset_index()
        geom = gpd.points_from_xy(base["lon"], base["lat"], crs="EPSG:4326")
        return gpd.GeoDataFrame(base, geometry=geom, crs="EPSG:4326")


def _jsonable(d):
    return json.loads(json.dumps(d, default=str))


def _dtype_spec(dtype):
    """A JSON description of a column dtype that :func:`_spec_dtype` turns back into it."""
    if isinstance(dtype, pd.StringDtype):
        return {"string": dtype.storage, "na_value": "NA" if dtype.na_value is pd.NA else "nan"}
    if isinstance(dtype, pd.CategoricalDtype):
        return {"category": [v.item() if hasattr(v, "item") else v for v in dtype.categories],
                "ordered": bool(dtype.ordered)}
    return str(dtype)


def _spec_dtype(spec):
    if isinstance(spec, dict) and "string" in spec:
        na = pd.NA if spec.get("na_value") == "NA" else np.nan
        try:
            return pd.StringDtype(storage=spec["string"], na_value=na)
        except ImportError:  # written where pyarrow was installed, read where it is not
            return pd.StringDtype(na_value=na)
    if isinstance(spec, dict) and "category" in spec:
        return pd.CategoricalDtype(spec["category"], ordered=spec.get("ordered", False))
    return pd.api.types.pandas_dtype(spec)


def _schema(df: pd.DataFrame) -> list:
    return [[str(c), _dtype_spec(t)] for c, t in df.dtypes.items()]


def _conform(df: pd.DataFrame, schema: list | None) -> pd.DataFrame:
    """Give ``df`` the columns and dtypes that ``schema`` records."""
    if not schema:
        return df
    cols = [c for c, _ in schema]
    if list(df.columns) != cols and set(df.columns) == set(cols):
        df = df[cols]
    out = {}
    for c, spec in schema:
        col = df[c]
        want = _spec_dtype(spec)
        if col.dtype != want or type(col.dtype) is not type(want):
            if want.kind == "M" and col.dtype.kind != "M":
                col = pd.to_datetime(col, format="ISO8601")
            col = col.astype(want)
        out[c] = col
    return pd.DataFrame(out, index=pd.RangeIndex(len(df)))


def _read_csv(file: Path, schema: list | None) -> pd.DataFrame:
    """Read a CSV that ``to_csv`` wrote, with exact floats and the recorded dtypes."""
    if not schema:
        return pd.read_csv(file, float_precision="round_trip")
    read_as = {}
    for c, spec in schema:
        want = _spec_dtype(spec)
        is_object = isinstance(want, np.dtype) and want.kind == "O"
        if isinstance(want, pd.StringDtype | pd.CategoricalDtype) or is_object:
            read_as[c] = object if is_object else "str"
        elif want.kind in "iufb" or isinstance(want, pd.api.extensions.ExtensionDtype):
            read_as[c] = want
    df = pd.read_csv(file, dtype=read_as, float_precision="round_trip")
    return _conform(df, schema)


def read_results(path: str | Path) -> Results:
    """Read a folder written by :meth:`Results.to_folder` (csv, parquet or xlsx) back into Results.

    Tables come back equal to those written, dtypes included (``read_results(p) == res``).
    """
    path = Path(path)
    meta = json.loads((path / "results.json").read_text())
    fmt = meta.get("format", "csv")
    schema = meta.get("schema", {})
    names = meta.get("tables", list(TABLE_NAMES))
    tables = {}
    if fmt == "csv":
        for n in names:
            if (path / f"{n}.csv").is_file():
                tables[n] = _read_csv(path / f"{n}.csv", schema.get(n))
    elif fmt == "parquet":
        for n in names:
            if (path / f"{n}.parquet").is_file():
                tables[n] = _conform(pd.read_parquet(path / f"{n}.parquet"), schema.get(n))
    elif fmt == "xlsx":
        sheets = pd.read_excel(path / "results.xlsx", sheet_name=None, engine="openpyxl")
        for n in names:
            if n[:31] in sheets:
                tables[n] = _conform(sheets[n[:31]], schema.get(n))
    else:
        raise ValueError(f"{path / 'results.json'}: unknown format {fmt!r}")
    return Results(tables=tables, status=meta["status"], objective=meta["objective_usd"], mip_gap=meta["mip_gap"],
                   solve_seconds=meta["solve_seconds"], model_size=meta.get("model_size", {}),
                   timings=meta.get("timings", {}), scenario=meta.get("scenario", {}),
                   instance_name=meta.get("instance", ""))
