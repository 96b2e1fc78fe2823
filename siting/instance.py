"""The instance: validated input tables, and :func:`load_instance` that reads a folder."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._io import cell_text
from .errors import InstanceError
from .schema import SCENARIO_KEYS, TABLES
from .validate import check_instance, coerce_table

__all__ = ["Instance", "load_instance", "bundled_instances", "instance_path", "crf"]

SITE_VECTOR_SUFFIXES = (".geojson", ".gpkg")

#: the first bytes a sites vector file must start with (GDAL picks its driver by content, not by name)
_VECTOR_MAGIC = {".gpkg": b"SQLite format 3\x00"}


def _contract_file(folder: Path, name: str, problems: list[str]) -> Path | None:
    """``folder / name`` if it is a regular file inside ``folder``; None if missing or refused.

    The loader reads only the files of the contract, and only inside the instance folder: a
    file that is (or goes through) a link to somewhere outside the folder is refused, and so is
    anything that is not a regular file (a folder, a pipe, a device). Missing files return None
    without a problem (the caller knows whether the file is required).
    """
    p = folder / name
    if not (p.exists() or p.is_symlink()):
        return None
    try:
        real = p.resolve(strict=True)
        inside = real.is_relative_to(folder.resolve(strict=True))
    except (OSError, RuntimeError):  # a dangling or looping link
        problems.append(f"{name}: is a broken link; put the file itself in the instance folder")
        return None
    if not inside:
        problems.append(f"{name}: is a link to {real}, outside the instance folder; the loader reads only files "
                        "inside the folder: copy the file into it")
        return None
    if not real.is_file():
        problems.append(f"{name}: is not a regular file")
        return None
    return p


def _vector_ok(p: Path, problems: list[str]) -> bool:
    """A GeoJSON file must be JSON text and a GeoPackage an SQLite file (nothing GDAL would open otherwise)."""
    try:
        with open(p, "rb") as fh:
            head = fh.read(64)
    except OSError as e:
        problems.append(f"{p.name}: cannot be read: {e.strerror}")
        return False
    if p.suffix == ".geojson":
        ok = head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")
        what = "GeoJSON text (a JSON object)"
    else:
        ok = head.startswith(_VECTOR_MAGIC[p.suffix])
        what = "a GeoPackage (SQLite) file"
    if not ok:
        problems.append(f"{p.name}: cannot be read as a vector file: it is not {what}")
    return ok


def crf(rate: float, life: float) -> float:
    """Capital recovery factor r(1+r)^n / ((1+r)^n - 1); 1/n when r = 0."""
    if rate == 0:
        return 1.0 / life
    g = (1.0 + rate) ** life
    return rate * g / (g - 1.0)


@dataclass(frozen=True)
class Instance:
    """A validated instance: the scenario settings and one typed DataFrame per input table.

    Build one with :func:`load_instance` (from a folder) or directly from DataFrames
    followed by :meth:`validated` (from code: tests and sweeps do so).
    """

    name: str
    scenario: dict
    targets: pd.DataFrame
    sites: pd.DataFrame
    zones: pd.DataFrame
    techs: pd.DataFrame
    chips: pd.DataFrame
    profiles: pd.DataFrame
    path: Path | None = None
    files: dict = field(default_factory=dict, repr=False)
    #: optional supply.csv (equipment supply caps); empty when the file is absent
    supply: pd.DataFrame = field(default_factory=lambda: _empty("supply"), repr=False)
    #: optional fuels.csv (fuel prices per zone and year); empty when the file is absent
    fuels: pd.DataFrame = field(default_factory=lambda: _empty("fuels"), repr=False)
    #: optional chip_supply.csv (accelerator supply per generation and calendar year)
    chip_supply: pd.DataFrame = field(default_factory=lambda: _empty("chip_supply"), repr=False)
    #: optional cooling.csv and metros.csv (siting.attributes); empty when the file is absent
    cooling: pd.DataFrame = field(default_factory=lambda: _empty("cooling"), repr=False)
    metros: pd.DataFrame = field(default_factory=lambda: _empty("metros"), repr=False)

    # -- derived quantities used by the model and the results -------------------------------
    @property
    def years(self) -> list[int]:
        return list(self.scenario["years"])

    @property
    def discount_rate(self) -> float:
        return float(self.scenario["discount_rate"])

    def years_represented(self) -> dict[int, int]:
        """Calendar years each planning year stands for: the gap to the next one, 1 for the last."""
        ys = self.years
        return {y: (ys[i + 1] - y if i + 1 < len(ys) else 1) for i, y in enumerate(ys)}

    def discount_factors(self) -> dict[int, float]:
        """Sum over the calendar years a planning year stands for of (1+r)^-(year - first year)."""
        r, y0 = self.discount_rate, self.years[0]
        return {y: sum((1.0 + r) ** -(y + j - y0) for j in range(n)) for y, n in self.years_represented().items()}

    def policy(self, key: str, year: int):
        """A [policy] value for a year (a scalar applies to every year); None when not set."""
        v = self.scenario.get("policy", {}).get(key)
        if isinstance(v, dict):
            return v.get(str(year), v.get(year))
        return v

    @classmethod
    def from_frames(cls, scenario: dict, targets, sites, zones, techs, chips, profiles=None,
                    name: str | None = None, supply=None, fuels=None, chip_supply=None, cooling=None,
                    metros=None) -> Instance:
        """Build and validate an instance from DataFrames (or lists of dicts) held in memory.

        The tables go through exactly the checks of :func:`load_instance`; optional columns
        may be left out and take their defaults. ``profiles`` may be omitted when no tech
        has a profile.
        """
        frames = {"targets": targets, "sites": sites, "zones": zones, "techs": techs, "chips": chips,
                  "profiles": profiles if profiles is not None else pd.DataFrame(
                      columns=["zone", "profile", "hour", "value"])}
        raws = {}
        for k, df in frames.items():
            df = pd.DataFrame(df)
            df = df.drop(columns="geometry", errors="ignore")
            raws[k] = df.astype(object).where(df.notna(), "").map(cell_text)
        files = {n: (t.file.split(" ")[0]) for n, t in TABLES.items()}
        for k, df in (("supply", supply), ("fuels", fuels), ("chip_supply", chip_supply), ("cooling", cooling),
                      ("metros", metros)):
            if df is not None and len(df):  # optional table: absent when None or empty
                df = pd.DataFrame(df)
                raws[k] = df.astype(object).where(df.notna(), "").map(cell_text)
        return _from_raw(name or str(scenario.get("name", "instance")), scenario, raws, files, None)

    def replace(self, scenario: dict | None = None, **tables) -> Instance:
        """A re-validated copy with ``scenario`` and any tables (targets, sites, zones, techs, chips,
        profiles, supply, fuels, chip_supply) replaced; every other table is kept as it is."""
        frames = {t: getattr(self, t) for t in ("targets", "sites", "zones", "techs", "chips", "profiles", "supply",
                                               "fuels", "chip_supply", "cooling", "metros")}
        unknown = set(tables) - set(frames)
        if unknown:
            raise TypeError(f"unknown table(s) {sorted(unknown)}")
        frames.update(tables)
        return Instance.from_frames(self.scenario if scenario is None else scenario, name=self.name, **frames)

    def validated(self) -> Instance:
        """Re-run every check on the tables as they are now (after edits in code); returns a new Instance."""
        return Instance.from_frames(self.scenario, self.targets, self.sites, self.zones, self.techs, self.chips,
                                    self.profiles, name=self.name, supply=self.supply, fuels=self.fuels,
                                    chip_supply=self.chip_supply, cooling=self.cooling, metros=self.metros)


def bundled_root() -> Path:
    """Folder of the bundled instances: the source tree's instances/, or the copy inside the wheel."""
    here = Path(__file__).resolve().parent
    source_tree = here.parent / "instances"
    if source_tree.is_dir() and (here.parent / "pyproject.toml").is_file():
        return source_tree
    if (here / "_instances").is_dir():
        return here / "_instances"
    return here / "_instances"


def bundled_instances() -> dict[str, str]:
    """Bundled instance names with the first line of their scenario description."""
    out = {}
    root = bundled_root()
    if not root.is_dir():
        return out
    for p in sorted(root.iterdir()):
        f = p / "scenario.toml"
        if f.is_file():
            try:
                desc = tomllib.loads(f.read_text(encoding="utf-8")).get("description", "")
            except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                desc = "(scenario.toml does not parse)"
            out[p.name] = " ".join(str(desc).split())
    return out


def instance_path(path: str | Path) -> Path:
    """A folder path, or the folder of a bundled instance called ``path``."""
    p = Path(path)
    if p.is_dir():
        return p
    cand = bundled_root() / str(path)
    if not p.exists() and cand.is_dir() and "/" not in str(path) and "\\" not in str(path):
        return cand
    if p.exists():
        raise InstanceError(f"{p}: not a folder (an instance is a folder of input files)")
    names = ", ".join(bundled_instances()) or "none"
    raise InstanceError(f"{path}: no such folder, and no bundled instance of that name (bundled: {names})")


def _check_scenario(sc: dict, fname: str, problems: list[str]) -> None:
    bad_tables: set[str] = set()
    years_ok = isinstance(sc.get("years"), list)
    for (tab, key), (typ, _unit, req, _default, _m) in SCENARIO_KEYS.items():
        holder = sc if tab == "" else sc.get(tab, {})
        if not isinstance(holder, dict):
            if tab not in bad_tables:
                problems.append(f"{fname}: [{tab}] must be a table")
                bad_tables.add(tab)
            continue
        where = f"'{key}'" if tab == "" else f"[{tab}] '{key}'"
        if key not in holder:
            if req:
                problems.append(f"{fname}: required key {where} is missing")
            continue
        v = holder[key]
        if typ == "str" and not isinstance(v, str):
            problems.append(f"{fname}: key {where} must be a string")
        elif typ == "int" and (isinstance(v, bool) or not isinstance(v, int)):
            problems.append(f"{fname}: key {where} must be a whole number, got {v!r}")
        elif typ == "float" and (isinstance(v, bool) or not isinstance(v, (int, float))):
            problems.append(f"{fname}: key {where} must be a number, got {v!r}")
        elif typ == "float" and not math.isfinite(v):
            problems.append(f"{fname}: key {where} must be a finite number, got {v!r}")
        elif typ == "bool" and not isinstance(v, bool):
            problems.append(f"{fname}: key {where} must be true or false, got {v!r}")
        elif typ.startswith("float |"):
            vals = v.values() if isinstance(v, dict) else [v]
            if not all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in vals):
                problems.append(f"{fname}: key {where} must be a number or a table of year = number")
            elif any(x < 0 for x in vals):
                problems.append(f"{fname}: key {where} must be >= 0")
            elif key == "clean_share" and any(x > 1 for x in vals):
                problems.append(f"{fname}: key {where} must be between 0 and 1")
            if isinstance(v, dict) and years_ok:
                ys = sc.get("years") or []
                for y in v:
                    if not str(y).isdigit() or int(y) not in set(ys):
                        problems.append(f"{fname}: key {where}: '{y}' is not one of the years {ys}")
        elif typ == "list[int]":
            if (not isinstance(v, list) or not v
                    or not all(isinstance(x, int) and not isinstance(x, bool) for x in v)):
                problems.append(f"{fname}: key {where} must be a non-empty list of whole years")
            elif any(b <= a for a, b in zip(v, v[1:])):
                problems.append(f"{fname}: key {where}: years must be strictly increasing, got {v}")
    for (tab, key), lo, strict in ((("policy", "carbon_price_usd_per_t"), 0, False), (("solver", "mip_gap"), 0, False),
                                   (("targets", "penalty_usd_per_mw"), 0, False),
                                   (("targets", "penalty_usd_per_pflops"), 0, False),
                                   (("solver", "time_limit"), 0, True), (("solver", "threads"), 1, False)):
        holder = sc.get(tab, {})
        v = holder.get(key) if isinstance(holder, dict) else None
        if isinstance(v, (int, float)) and not isinstance(v, bool) and (v <= lo if strict else v < lo):
            problems.append(f"{fname}: key [{tab}] '{key}' must be {'>' if strict else '>='} {lo}, got {v}")
    dr = sc.get("discount_rate")
    if isinstance(dr, (int, float)) and not isinstance(dr, bool) and not 0 <= dr < 1:
        problems.append(f"{fname}: key 'discount_rate' must be in [0, 1), got {dr}")
    time = sc.get("time", {})
    if isinstance(time, dict) and isinstance(time.get("mode", "typical_days"), str):
        mode = time.get("mode", "typical_days")
        if mode not in ("typical_days", "full_year"):
            problems.append(f"{fname}: [time] 'mode' must be \"typical_days\" or \"full_year\", got {mode!r}")
        k = time.get("typical_days", 4)
        if isinstance(k, int) and not 1 <= k <= 365:
            problems.append(f"{fname}: [time] 'typical_days' must be between 1 and 365, got {k}")
    targets = sc.get("targets", {})
    if isinstance(targets, dict) and isinstance(targets.get("mode", "hard"), str):
        mode = targets.get("mode", "hard")
        if mode not in ("hard", "soft"):
            problems.append(f"{fname}: [targets] 'mode' must be \"hard\" or \"soft\", got {mode!r}")
    known_tables = {t for t, _ in SCENARIO_KEYS if t}
    for key, v in sc.items():
        if isinstance(v, dict) and key in known_tables:
            for sub in v:
                if (key, sub) not in SCENARIO_KEYS:
                    problems.append(f"{fname}: unknown key [{key}] '{sub}'")
        elif ("", key) not in SCENARIO_KEYS and key not in known_tables:
            problems.append(f"{fname}: unknown key '{key}'")


def _with_defaults(sc: dict) -> dict:
    sc = {k: (dict(v) if isinstance(v, dict) else v) for k, v in sc.items()}
    for (tab, key), (_t, _u, _r, default, _m) in SCENARIO_KEYS.items():
        if tab and default is not None:
            sc.setdefault(tab, {}).setdefault(key, default)
    for tab in ("time", "policy", "solver", "targets"):
        sc.setdefault(tab, {})
    return sc


def _read_csv(path: Path, problems: list[str]) -> pd.DataFrame | None:
    import csv

    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), [])
    except UnicodeDecodeError as e:
        problems.append(f"{path.name}: not UTF-8 text (byte {e.start}); save the file as UTF-8")
        return None
    except csv.Error:
        header = []
    names = [h.strip() for h in header]
    dups = sorted({h for h in names if h and names.count(h) > 1})
    if dups:
        problems.append(f"{path.name}: column '{dups[0]}' appears more than once in the header")
        return None
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skipinitialspace=True)
    except UnicodeDecodeError as e:
        problems.append(f"{path.name}: not UTF-8 text (byte {e.start}); save the file as UTF-8")
        return None
    except pd.errors.EmptyDataError:
        problems.append(f"{path.name}: the file is empty (it needs a header row)")
        return None
    except pd.errors.ParserError as e:
        problems.append(f"{path.name}: cannot be read as CSV: {' '.join(str(e).split())}")
        return None
    df.columns = [str(c).strip() for c in df.columns]
    dup = [c for c in df.columns if list(df.columns).count(c) > 1]
    if dup:
        problems.append(f"{path.name}: column '{dup[0]}' appears more than once in the header")
        return None
    return df


def _read_sites(folder: Path, problems: list[str]) -> tuple[pd.DataFrame | None, str]:
    names = ["sites.csv"] + [f"sites{s}" for s in SITE_VECTOR_SUFFIXES]
    present = [n for n in names if (folder / n).exists() or (folder / n).is_symlink()]
    if not present:
        problems.append(f"{folder / 'sites.csv'}: missing file (give sites.csv, or sites.geojson / sites.gpkg)")
        return None, "sites.csv"
    if len(present) > 1:
        problems.append(f"{present[0]}: more than one sites file ({', '.join(present)}); keep one")
        return None, present[0]
    p = _contract_file(folder, present[0], problems)
    if p is None:
        return None, present[0]
    if p.suffix == ".csv":
        return _read_csv(p, problems), p.name
    if not _vector_ok(p, problems):
        return None, p.name
    import geopandas as gpd

    try:
        g = gpd.read_file(p)
    except Exception as e:  # GDAL reports many kinds of failure; name the file and stop
        problems.append(f"{p.name}: cannot be read as a vector file: {' '.join(str(e).split())[:200]}")
        return None, p.name
    if g.crs is not None and not g.crs.equals("EPSG:4326"):
        g = g.to_crs("EPSG:4326")
    geom_types = g.geometry.geom_type
    missing = (g.geometry.isna() | g.geometry.is_empty).to_numpy()
    bad = np.flatnonzero((geom_types != "Point").to_numpy() & ~missing)
    for i in np.flatnonzero(missing)[:10]:
        problems.append(f"{p.name}: column 'geometry', row {i + 1}: missing geometry; sites must be points")
    for i in bad[:10]:
        problems.append(f"{p.name}: column 'geometry', row {i + 1}: a {geom_types.iloc[i]} geometry; "
                        "sites must be points")
    raw = pd.DataFrame(g.drop(columns="geometry")).astype(object)
    raw = raw.where(raw.notna(), "").map(lambda v: v if isinstance(v, str) else repr(v) if isinstance(v, float)
                                         and not float(v).is_integer() else str(v))
    pts = g.geometry.where(geom_types == "Point")
    raw["lon"] = [f"{pt.x!r}" if pt is not None and not pt.is_empty else "" for pt in pts]
    raw["lat"] = [f"{pt.y!r}" if pt is not None and not pt.is_empty else "" for pt in pts]
    return raw, p.name


def load_instance(path: str | Path) -> Instance:
    """Read and validate an instance folder (or a bundled instance by name).

    Raises
    ------
    InstanceError
        With one line per problem (file, column, row) when the folder breaks its
        contract; every problem found is reported, not only the first.
    """
    folder = instance_path(path)
    problems: list[str] = []
    n_before = len(problems)
    sc_file = _contract_file(folder, "scenario.toml", problems)
    scenario: dict = {}
    if sc_file is None:
        if len(problems) == n_before:
            problems.append(f"{folder / 'scenario.toml'}: missing file")
    else:
        try:
            scenario = tomllib.loads(sc_file.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            problems.append("scenario.toml: not UTF-8 text; save the file as UTF-8")
            scenario = None
        except tomllib.TOMLDecodeError as e:
            problems.append(f"scenario.toml: not valid TOML: {e}")
        else:
            _check_scenario(scenario, "scenario.toml", problems)

    raws: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    for name, table in TABLES.items():
        if name == "sites":
            raw, fname = _read_sites(folder, problems)
        else:
            fname = table.file
            n_before = len(problems)
            p = _contract_file(folder, fname, problems)
            if p is None:
                if len(problems) == n_before and not table.optional:
                    problems.append(f"{folder / fname}: missing file")
                raw = None
            else:
                raw = _read_csv(p, problems)
        files[name] = fname
        if raw is not None:
            raws[name] = raw
    return _from_raw(folder.name, scenario or {}, raws, files, folder, problems)


def _from_raw(name: str, scenario: dict, raws: dict, files: dict, folder, problems: list[str] | None = None,
              ) -> Instance:
    """Type, check and assemble raw text tables; raises InstanceError listing every problem."""
    problems = [] if problems is None else problems
    if folder is None:
        _check_scenario(scenario, "scenario.toml", problems)
    tables: dict[str, pd.DataFrame] = {}
    for tname, raw in raws.items():
        tables[tname] = coerce_table(raw, TABLES[tname], files[tname], problems)
        tables[tname].attrs["present"] = tuple(raw.columns)
    if all(n in tables for n, t in TABLES.items() if not t.optional):
        # also when a file has problems of its own: check_instance skips only the checks that read a
        # broken cell (or an invalid scenario.toml years), so every other cross-table problem is reported
        check_instance(scenario, tables, files, problems)
    if problems:
        raise InstanceError(problems)
    return _assemble(name, _with_defaults(scenario), tables, files, folder)


def _assemble(name, scenario, tables, files, folder) -> Instance:
    import geopandas as gpd

    t = {k: v.copy() for k, v in tables.items()}
    for k, df in t.items():
        table = TABLES[k]
        for c in table.columns:
            if c.dtype == "int":
                df[c.name] = df[c.name].astype("Int64") if df[c.name].isna().any() else df[c.name].astype("int64")
            elif c.dtype == "bool":
                df[c.name] = df[c.name].astype(bool)
            elif c.dtype == "float":
                df[c.name] = df[c.name].astype(float)
        df.attrs.clear()
    sites = gpd.GeoDataFrame(t["sites"], geometry=gpd.points_from_xy(t["sites"]["lon"], t["sites"]["lat"]),
                             crs="EPSG:4326")
    prof = t["profiles"]
    prof["hour"] = prof["hour"].astype("int64")
    return Instance(name=name, scenario=scenario, targets=t["targets"], sites=sites, zones=t["zones"],
                    techs=t["techs"], chips=t["chips"], profiles=prof, path=folder, files=files,
                    supply=t.get("supply", _empty("supply")), fuels=t.get("fuels", _empty("fuels")),
                    chip_supply=t.get("chip_supply", _empty("chip_supply")),
                    cooling=t.get("cooling", _empty("cooling")), metros=t.get("metros", _empty("metros")))


def _empty(table: str) -> pd.DataFrame:
    """An empty frame with the columns of an (optional) table."""
    return pd.DataFrame({c.name: pd.Series(dtype=object if c.dtype == "str" else "float64" if c.dtype == "float"
                                           else "int64") for c in TABLES[table].columns})
