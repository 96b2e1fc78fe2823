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

from ._extras import require_format
from .errors import SitingError

__all__ = ["Results", "read_results", "TABLE_NAMES", "FORMATS", "OutputFolderError", "check_out_folder",
           "clean_values", "clean_table", "plan_per_gw", "split_penalty"]


class OutputFolderError(SitingError, FileExistsError):
    """The output folder cannot be written: it holds earlier results (and overwrite is off), or it is not ours."""


def check_out_folder(path: str | Path, overwrite: bool = True, *, force: bool = False,
                     flags: tuple[str, str] = ("overwrite=True", "force=True")) -> None:
    """Raise :class:`OutputFolderError` unless :meth:`Results.to_folder` may write ``path``.

    It may when ``path`` does not exist or is an empty folder; with ``overwrite`` (the default),
    when it is a results folder written before (it holds ``results.json``); with ``force``, when
    it is any other folder (its files are replaced). A file or a symbolic link is never replaced,
    nor, even with ``force``, the root folder, the home folder, or the working folder and those
    above it. ``flags`` names the switches in the messages: ``("--force", "--force")`` on the
    command line.
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
        if force and not _precious(path):
            return
        hint = (f"replace it with {flags[1]}" if not _precious(path)
                else "it is the root, home or working folder (or holds it), which is never replaced")
        raise OutputFolderError(f"{path}: is not empty and not a results folder (no results.json); give a new "
                                f"or empty folder, or {hint}")
    if not overwrite:
        raise OutputFolderError(f"{path}: exists and holds earlier results; replace them with {flags[0]} "
                                "or give another folder")


def _precious(path: Path) -> bool:
    """The root folder, the home folder, or the working folder or one above it: never replaced."""
    p = path.resolve()
    try:
        cwd = Path.cwd().resolve()
    except OSError:  # the working folder is gone
        cwd = Path(p.anchor)
    return p == Path(p.anchor) or p == Path.home().resolve() or p == cwd or p in cwd.parents


def _umask() -> int:
    """The process's umask (read without changing it where Linux shows it)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old


#: values closer to zero than this are written as 0 (solver and summation noise)
ZERO_TOL = 1e-9
#: significant digits kept in float values: a relative precision of 1e-9, well within the solver's tolerances
SIG_DIGITS = 10


def clean_values(x) -> np.ndarray:
    """Floats without solver and summation noise: |x| < 1e-9 is 0, others keep 10 significant digits
    (``1999.9999999999986`` -> ``2000.0``, ``2.2e-16`` -> ``0.0``), ``-0.0`` is 0; NaN and infinities stay."""
    x = np.array(x, dtype=float)
    fin = np.isfinite(x)
    small = fin & (np.abs(x) < ZERO_TOL)
    x[small] = 0.0
    big = fin & ~small
    if big.any():
        v = x[big]
        dec = SIG_DIGITS - 1 - np.floor(np.log10(np.abs(v))).astype(int)
        out = np.empty_like(v)
        for d in np.unique(dec).tolist():
            m = dec == d
            q = 10.0 ** abs(d)  # exact for |d| <= 22
            with np.errstate(over="ignore"):
                out[m] = np.rint(v[m] * q) / q if d >= 0 else np.rint(v[m] / q) * q
        x[big] = np.where(np.isfinite(out), out, v)  # rounding the largest floats up leaves them as they are
    return x + 0.0


def clean_table(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its float64 columns passed through :func:`clean_values` (a new frame when any changes)."""
    if not isinstance(df, pd.DataFrame):
        return df
    cols = [c for c in df.columns if isinstance(df[c].dtype, np.dtype) and df[c].dtype == np.float64]
    changed = {}
    for c in cols:
        v = df[c].to_numpy()
        w = clean_values(v)
        if not np.array_equal(v, w, equal_nan=True) or np.signbit(v[v == 0]).any():
            changed[c] = w
    if not changed:
        return df
    out = df.copy()
    for c, w in changed.items():
        out[c] = w
    return out


def plan_per_gw(summary: pd.DataFrame) -> dict[str, float]:
    """The plan's two "cost per GW" figures from its summary table, the names used everywhere.

    ``capex_usd_per_gw_it``: overnight capex per GW of IT commissioned, sum of ``capex_usd`` over
    the sum of ``it_gw_installed``. ``cost_usd_per_gw_it_yr``: annual undiscounted cost (the
    soft-target penalty left out) per GW of IT in service, over the calendar years the plan
    covers: sum of n_y x cost_y over the sum of n_y x ``it_gw``, cost_y = the summary's
    ``cost_usd_per_gw_it_yr`` x ``it_gw`` (``cost_usd`` for a summary without it), n_y the
    calendar years planning year y stands for (the gap to the next one, 1 for the last). NaN
    when there is nothing to divide by. The summary holds both per year.
    """
    s = summary.sort_values("year")
    ys = s["year"].to_numpy(dtype=int)
    n = np.r_[np.diff(ys), 1].astype(float) if len(ys) else np.zeros(0)
    it = s["it_gw"].to_numpy(dtype=float)
    gw_yr = float((n * it).sum())
    if "cost_usd_per_gw_it_yr" in s.columns:
        spent = np.nan_to_num(s["cost_usd_per_gw_it_yr"].to_numpy(dtype=float) * it)
    else:
        spent = s["cost_usd"].to_numpy(dtype=float)
    cost = float((n * spent).sum())
    out = {"capex_usd_per_gw_it": float("nan"),
           "cost_usd_per_gw_it_yr": cost / gw_yr if gw_yr > 1e-9 else float("nan")}
    if "capex_usd" in s.columns and "it_gw_installed" in s.columns:
        gw = float(s["it_gw_installed"].sum())
        out["capex_usd_per_gw_it"] = float(s["capex_usd"].sum()) / gw if gw > 1e-9 else float("nan")
    return {k: float(clean_values([v])[0]) for k, v in out.items()}


def plan_cost(summary: pd.DataFrame) -> pd.Series:
    """The year's undiscounted cost of the plan itself, USD: ``plan_cost_usd`` with soft targets (the
    cost without the shortfall penalty, :func:`split_penalty`), else ``cost_usd``."""
    return summary["plan_cost_usd" if "plan_cost_usd" in summary.columns else "cost_usd"]


def split_penalty(summary: pd.DataFrame, costs: pd.DataFrame | None) -> pd.DataFrame:
    """Soft targets: ``summary`` with two more columns, ``plan_cost_usd`` (the year's undiscounted cost
    without the penalty) and ``shortfall_penalty_usd`` (the penalty, costs component ``shortfall``);
    ``cost_usd`` is their sum. Left as it is with hard targets (no ``shortfall_it_mw`` column), without a
    costs table, or when the columns are there already."""
    if (costs is None or "shortfall_it_mw" not in summary.columns or "plan_cost_usd" in summary.columns
            or "cost_usd" not in summary.columns or not {"year", "component", "cost_usd"} <= set(costs.columns)):
        return summary
    penalty = costs.loc[costs["component"] == "shortfall"].groupby("year")["cost_usd"].sum()
    pen = summary["year"].map(penalty).fillna(0.0).to_numpy(dtype=float)
    s = summary.assign(plan_cost_usd=summary["cost_usd"].to_numpy(dtype=float) - pen, shortfall_penalty_usd=pen)
    return clean_table(s)


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
               "slices", "decisions")

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
    column order and dtypes) are equal. Float columns are cleaned of solver and summation noise
    when Results are made (:func:`clean_table`: |x| < 1e-9 is 0, other values keep 10
    significant digits); a table put into ``tables`` afterwards is written as it is.
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
    #: "monolithic" or "benders"; Benders iterations and its lower bound (USD), NaN for a monolithic solve
    method: str = "monolithic"
    iterations: int = 0
    lower_bound: float = float("nan")
    #: the part of ``objective`` every plan pays (the discounted soft-target penalty beyond the reachability
    #: bounds, USD; 0 with hard targets): ``mip_gap`` is relative to ``objective - objective_floor_usd``
    objective_floor_usd: float = 0.0

    def __post_init__(self):
        self.tables = {k: clean_table(v) for k, v in self.tables.items()}
        if "summary" in self.tables:
            self.tables["summary"] = split_penalty(self.tables["summary"], self.tables.get("costs"))

    @property
    def shortfall_penalty_usd(self) -> float:
        """The discounted soft-target penalty inside :attr:`objective` (costs component ``shortfall``), USD;
        0 with hard targets."""
        c = self.tables.get("costs")
        if c is None or not len(c) or "component" not in c.columns:
            return 0.0
        return float(c.loc[c["component"] == "shortfall", "cost_usd_discounted"].sum())

    @property
    def plan_cost_usd(self) -> float:
        """The discounted cost of the plan itself: :attr:`objective` less :attr:`shortfall_penalty_usd`, USD.
        The MIP gap is relative to the objective net of :attr:`objective_floor_usd`, so it bounds this
        figure within ``mip_gap x (objective - objective_floor_usd)`` (docs/results.md, "Soft targets")."""
        return float(self.objective) - self.shortfall_penalty_usd

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
                "mip_gap": self.mip_gap, "objective_floor_usd": self.objective_floor_usd,
                "solve_seconds": self.solve_seconds, "model_size": self.model_size, "timings": self.timings}

    def to_folder(self, path: str | Path, format: str = "csv", *, overwrite: bool = True, force: bool = False,
                  flags: tuple[str, str] = ("overwrite=True", "force=True")) -> Path:
        """Write every table, plus ``results.json`` (status, objective, gap, sizes, scenario, dtypes).

        Parameters
        ----------
        path : the folder to write. An earlier results folder there (one holding
            ``results.json``) or an empty folder is replaced as a whole; any other folder only
            with ``force``; a file or a symbolic link never (:class:`OutputFolderError`, a
            FileExistsError; see :func:`check_out_folder`).
        format : ``"csv"`` (``<name>.csv`` per table), ``"parquet"`` (``<name>.parquet`` per
            table) or ``"xlsx"`` (one workbook ``results.xlsx`` with one sheet per table).
        overwrite : replace earlier results at ``path`` (default); otherwise raise
            :class:`OutputFolderError` when ``path`` holds any.
        force : also replace a non-empty folder that holds no results (its files are lost).
        flags : how the messages name ``overwrite`` and ``force`` (the command line passes
            ``("--force", "--force")``).

        The folder gets the permissions the user's umask gives a new folder (as ``mkdir``).

        The files are written to a temporary folder beside ``path`` and moved into place (Ctrl-C
        is held back during the swap), so an interrupted write leaves no half-written folder and
        the earlier results stay whole until the new ones replace them. ``results.json`` records each table's
        column dtypes, so :func:`read_results` gives back equal tables (CSV floats are written
        in their shortest exact form and read back with round-trip precision).
        """
        if format not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
        require_format(format)
        path = Path(path)
        check_out_folder(path, overwrite=overwrite, force=force, flags=flags)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
        try:
            os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it 0o700; a results folder is a normal folder
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
            check_out_folder(path, overwrite=overwrite, force=force, flags=flags)  # again: it may have changed
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
    require_format(fmt)
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
    res = Results(tables={}, status=meta["status"], objective=meta["objective_usd"], mip_gap=meta["mip_gap"],
                  solve_seconds=meta["solve_seconds"], model_size=meta.get("model_size", {}),
                  timings=meta.get("timings", {}), scenario=meta.get("scenario", {}),
                  instance_name=meta.get("instance", ""), objective_floor_usd=meta.get("objective_floor_usd", 0.0))
    res.tables = tables  # exactly as written: not cleaned again
    return res
