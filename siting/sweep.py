"""Scenario sweeps: many variants of one instance, solved in parallel on Dask.

A scenario is a name and a list of overrides of input values: a column of a table for
some rows (``techs[gas_ct].fuel_usd_per_mmbtu``), or a scenario.toml setting
(``policy.carbon_price_usd_per_t``), each set, scaled or shifted. Scenarios come from a
``scenarios.toml`` file (named scenarios, grids and seeded random samples; the format is
in docs/sweeps.md) or from code (:class:`Scenario`).

:func:`sweep` solves every scenario on a ``dask.distributed`` cluster (an embedded
LocalCluster by default) and returns :class:`SweepResults`: the result tables of every
scenario stacked with a ``scenario`` key column, a per-scenario summary and the frequency
with which each site is chosen. Each worker applies the overrides to the instance it was
sent, re-validates it and builds and solves its own model; only instance data, overrides
and result tables travel.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import itertools
import json
import logging
import math
import os
import re
import time
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InstanceError, SitingError
from .instance import Instance, load_instance
from .results import TABLE_NAMES, Results, read_results
from .schema import SCENARIO_KEYS, TABLES

__all__ = ["Override", "Scenario", "SweepResults", "load_scenarios", "parse_scenarios", "apply_scenario",
           "sweep", "DISTRIBUTIONS"]

log = logging.getLogger("siting")

#: operations an override can apply to a value
OPS = ("set", "scale", "add")

#: random distributions of [sample.*] blocks and their parameters (required, optional)
DISTRIBUTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "uniform": (("low", "high"), ()),
    "normal": (("mean", "sd"), ()),
    "triangular": (("low", "mode", "high"), ()),
    "lognormal": (("median", "sigma"), ()),
    "choice": (("values",), ("weights",)),
}

#: table of a scenario's own record, stored in its results folder (fingerprint for resuming)
RECORD_TABLE = "sweep_scenario"

#: names of the tables a sweep adds to the stacked result tables
SUMMARY_TABLES = ("scenario_summary", "site_frequency")

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_TABLE_PATH = re.compile(r"^(?P<table>[A-Za-z_]\w*)(?:\[(?P<sel>[^\]]*)\])?\.(?P<col>[A-Za-z_]\w*)$")
_FILTER = re.compile(r"^\s*(?P<col>[A-Za-z_]\w*)\s*(?P<op>!=|>=|<=|=|>|<)\s*(?P<val>.*?)\s*$")
_SETTING_TABLES = {t for t, _ in SCENARIO_KEYS if t}
_FIXED_SETTINGS = {("", "name"), ("", "description")}
_SINGLE_KEY = {name: t.key[0] for name, t in TABLES.items() if len(t.key) == 1}


# ------------------------------------------------------------------------------------------
# overrides and scenarios
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Override:
    """One change of input values.

    Parameters
    ----------
    path : what to change. ``table.column`` (every row), ``table[id1,id2].column`` (rows by
        id: site, zone, tech, generation or year), ``table[col=value,...].column`` (rows by
        filter; operators ``= != < <= > >=``, conditions joined by commas all hold), or a
        scenario.toml setting: ``discount_rate``, ``policy.carbon_price_usd_per_t``,
        ``policy.co2_cap_t.2030`` (one year of a per-year setting), ``time.typical_days`` ...
    op : ``"set"`` (the value replaces it; ``""`` blanks a cell), ``"scale"`` (multiplied by
        the value) or ``"add"`` (the value is added). Blank cells stay blank under scale and add.
    value : the value.
    """

    path: str
    op: str
    value: object

    def __post_init__(self):
        problems = _check_path(self.path)
        if self.op not in OPS:
            problems.append(f"operation must be one of {', '.join(OPS)}, not {self.op!r}")
        elif self.op != "set" and (isinstance(self.value, bool) or not isinstance(self.value, int | float)):
            problems.append(f"{self.op} needs a number, got {self.value!r}")
        if problems:
            raise InstanceError([f"{self.path}: {p}" for p in problems])

    @property
    def column(self) -> str:
        """Column name of this override in the sweep tables: the path, with the operation unless "set"."""
        return self.path if self.op == "set" else f"{self.path} ({self.op})"

    def as_dict(self) -> dict:
        return {"path": self.path, "op": self.op, "value": self.value}


@dataclass(frozen=True)
class Scenario:
    """A named variant of an instance.

    ``overrides`` is a sequence of :class:`Override`, or a mapping in the form of a
    scenarios.toml table: ``{"policy.carbon_price_usd_per_t": 100, "chips.price_usd": {"scale": 1.2}}``.
    ``kind`` is "scenario", "grid" or "sample", and ``group`` the name of the grid or sample
    it came from.
    """

    name: str
    overrides: tuple = ()
    description: str = ""
    kind: str = "scenario"
    group: str = ""

    def __post_init__(self):
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise InstanceError(f"scenario name {self.name!r}: use letters, digits, '_', '-' and '.', starting "
                                "with a letter or digit (it names a folder)")
        ovs = self.overrides
        if isinstance(ovs, dict):
            problems: list[str] = []
            ovs = [o for k, v in ovs.items() if (o := _parse_override(k, v, problems, f"scenario {self.name}"))]
            if problems:
                raise InstanceError(problems)
        ovs = tuple(ovs)
        if not all(isinstance(o, Override) for o in ovs):
            raise TypeError("Scenario.overrides: give Override objects or a mapping of path -> value")
        object.__setattr__(self, "overrides", ovs)

    def values(self) -> dict:
        """The overrides as ``{column name: value}`` (the columns a sweep adds)."""
        return {o.column: o.value for o in self.overrides}


def _resolve(path: str):
    """``("table", name, selector, column)`` for a table path, else ``("setting", [parts])``.

    ``targets`` names both a table (targets.csv) and a scenario.toml section ([targets]): a
    path into it is a table path unless its column is a [targets] setting and not a column.
    """
    m = _TABLE_PATH.match(path)
    first = path.split(".", 1)[0].split("[", 1)[0]
    if first in TABLES:
        names = {c.name for c in TABLES[first].columns}
        is_setting = (m is not None and m["sel"] is None and m["col"] not in names
                      and (first, m["col"]) in SCENARIO_KEYS)
        if not is_setting:
            return ("table", first, m["sel"] if m else None, m["col"] if m else None)
    return ("setting", path.split("."))


def _check_path(path: str) -> list[str]:
    """Problems with an override path that can be found without data."""
    if not isinstance(path, str) or not path:
        return ["an override path must be a non-empty string"]
    first = path.split(".", 1)[0].split("[", 1)[0]
    target = _resolve(path)
    if target[0] == "table":
        _, name, sel, col = target
        if col is None:
            return [f"not a table path: write {first}.COLUMN, {first}[ID,...].COLUMN or {first}[COLUMN=VALUE].COLUMN"]
        table = TABLES[name]
        names = [c.name for c in table.columns]
        problems = []
        if col not in names:
            problems.append(f"{table.file} has no column '{col}' (columns: {', '.join(names)})")
        elif col in table.key:
            problems.append(f"'{col}' is the id column of {name}; ids cannot be overridden")
        if sel is not None:
            try:
                _parse_selector(sel, name)
            except ValueError as e:
                problems.append(str(e))
        return problems
    parts = target[1]
    if "[" in path:
        return [f"unknown table '{first}' (tables: {', '.join(TABLES)})"]
    if parts[0] in _SETTING_TABLES:
        if len(parts) < 2 or (parts[0], parts[1]) not in SCENARIO_KEYS:
            keys = ", ".join(f"{t}.{k}" for t, k in SCENARIO_KEYS if t == parts[0])
            return [f"unknown setting (settings of [{parts[0]}]: {keys})"]
        typ = SCENARIO_KEYS[(parts[0], parts[1])][0]
        if len(parts) > 3:
            return ["too many parts"]
        if len(parts) == 3 and not (typ.startswith("float |") and parts[2].isdigit()):
            return [f"only per-year settings take a year: {parts[0]}.{parts[1]}.YEAR"]
        return []
    if len(parts) == 1 and ("", parts[0]) in SCENARIO_KEYS:
        if ("", parts[0]) in _FIXED_SETTINGS:
            return [f"'{parts[0]}' cannot be overridden"]
        return []
    settings = ", ".join(k for t, k in SCENARIO_KEYS if not t and ("", k) not in _FIXED_SETTINGS)
    return [f"unknown table or setting '{first}' (tables: {', '.join(TABLES)}; top-level settings: {settings}; "
            f"setting tables: {', '.join(sorted(_SETTING_TABLES))})"]


def _parse_selector(sel: str, table: str) -> tuple[str, list]:
    """``("ids", [id, ...])`` or ``("filter", [(column, operator, value), ...])``; ValueError if malformed."""
    parts = [p.strip() for p in sel.split(",")]
    if not sel.strip() or any(not p for p in parts):
        raise ValueError(f"empty row selector in '{table}[{sel}]'")
    if any(_FILTER.match(p) for p in parts):
        out = []
        names = [c.name for c in TABLES[table].columns]
        for p in parts:
            m = _FILTER.match(p)
            if not m:
                raise ValueError(f"'{p}' in '{table}[{sel}]': mix of ids and filters; write COLUMN=VALUE for each")
            if m["col"] not in names:
                raise ValueError(f"filter '{p}': {TABLES[table].file} has no column '{m['col']}'")
            if m["op"] in ("<", "<=", ">", ">=") and _number(m["val"]) is None:
                raise ValueError(f"filter '{p}': {m['op']} needs a number")
            out.append((m["col"], m["op"], m["val"]))
        return "filter", out
    if table not in _SINGLE_KEY:
        raise ValueError(f"{table} rows have no single id; select them with filters, e.g. {table}[zone=Z,profile=P]")
    return "ids", parts


def _number(text) -> float | None:
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _parse_override(path, spec, problems: list[str], where: str, *, in_sample: bool = False) -> Override | None:
    """An Override from a TOML key and value (``v``, ``{set = v}``, ``{scale = f}`` or ``{add = d}``)."""
    if isinstance(spec, dict):
        if len(spec) != 1 or next(iter(spec)) not in OPS:
            problems.append(f"{where}: '{path}': give a value, or one of {{set = V}}, {{scale = F}}, {{add = D}}"
                            + (", or a distribution {dist = ...}" if in_sample else ""))
            return None
        op, value = next(iter(spec.items()))
    else:
        op, value = "set", spec
    if isinstance(value, list) and path != "years":
        problems.append(f"{where}: '{path}': a list is not a value here; vary a value over several scenarios "
                        "with a [grid.NAME] block")
        return None
    try:
        return Override(path, op, value)
    except InstanceError as e:
        problems.extend(f"{where}: {p}" for p in e.problems)
        return None


# ------------------------------------------------------------------------------------------
# scenarios.toml
# ------------------------------------------------------------------------------------------
def load_scenarios(source=None, inst: Instance | None = None) -> list[Scenario]:
    """The scenarios of ``source``: a scenarios.toml path, a dict in its layout, or Scenarios.

    With ``source=None`` the file ``scenarios.toml`` of the instance's folder is read.
    Raises InstanceError (one line per problem) for a malformed definition.
    """
    if source is None:
        folder = getattr(inst, "path", None)
        if folder is None or not (Path(folder) / "scenarios.toml").is_file():
            raise InstanceError("no scenarios given and no scenarios.toml in the instance folder")
        source = Path(folder) / "scenarios.toml"
    if isinstance(source, Scenario):
        source = [source]
    if isinstance(source, str | os.PathLike):
        p = Path(source)
        if p.is_dir():
            p = p / "scenarios.toml"
        if not p.is_file():
            raise InstanceError(f"{p}: no such scenarios file")
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise InstanceError(f"{p.name}: not UTF-8 text; save the file as UTF-8") from None
        except tomllib.TOMLDecodeError as e:
            raise InstanceError(f"{p.name}: not valid TOML: {e}") from None
        return parse_scenarios(data, fname=p.name)
    if isinstance(source, dict):
        return parse_scenarios(source)
    scs = list(source)
    if not all(isinstance(s, Scenario) for s in scs):
        raise TypeError("scenarios: give a scenarios.toml path, a dict in its layout, or a list of Scenario")
    _check_unique(scs, "scenarios")
    return scs


def _check_unique(scs: list[Scenario], fname: str) -> None:
    seen: dict[str, int] = {}
    for s in scs:
        seen[s.name] = seen.get(s.name, 0) + 1
    dups = [n for n, k in seen.items() if k > 1]
    if dups:
        raise InstanceError([f"{fname}: scenario name '{n}' is used more than once" for n in dups])
    if not scs:
        raise InstanceError(f"{fname}: no scenarios defined")


def parse_scenarios(data: dict, fname: str = "scenarios.toml") -> list[Scenario]:
    """Expand a parsed scenarios.toml (named scenarios, grids, samples) into Scenarios, in file order."""
    problems: list[str] = []
    out: list[Scenario] = []
    for top, blocks in data.items():
        if top == "description" and isinstance(blocks, str):
            continue
        if top not in ("scenario", "grid", "sample") or not isinstance(blocks, dict):
            problems.append(f"{fname}: unknown entry '{top}' (use [scenario.NAME], [grid.NAME] or [sample.NAME])")
            continue
        for name, block in blocks.items():
            where = f"{fname}: [{top}.{name}]"
            if not isinstance(block, dict):
                problems.append(f"{where}: must be a table")
                continue
            if not _NAME.match(name):
                problems.append(f"{where}: name must use letters, digits, '_', '-' and '.' (it names a folder)")
                continue
            n0 = len(problems)
            desc = block.get("description", "")
            if not isinstance(desc, str):
                problems.append(f"{where}: 'description' must be a string")
                desc = ""
            body = {k: v for k, v in block.items() if k != "description"}
            if top == "scenario":
                ovs = [o for k, v in body.items() if (o := _parse_override(k, v, problems, where))]
                if len(problems) == n0:
                    out.append(Scenario(name, tuple(ovs), desc, "scenario", ""))
            elif top == "grid":
                out.extend(_expand_grid(name, body, desc, where, problems))
            else:
                out.extend(_expand_sample(name, body, desc, where, problems))
    if problems:
        raise InstanceError(problems)
    _check_unique(out, fname)
    return out


def _numbered(group: str, n: int) -> list[str]:
    width = max(3, len(str(n - 1)))
    return [f"{group}_{i:0{width}d}" for i in range(n)]


def _expand_grid(name, body, desc, where, problems) -> list[Scenario]:
    axes: list[list[Override]] = []
    fixed: list[Override] = []
    n0 = len(problems)
    for path, spec in body.items():
        if isinstance(spec, list) and path != "years":
            if not spec:
                problems.append(f"{where}: '{path}': empty list of values")
                continue
            axis = [o for v in spec if (o := _parse_override(path, v, problems, where))]
            axes.append(axis)
        elif isinstance(spec, dict) and "values" in spec and len(spec) == 1 and isinstance(spec["values"], list):
            axes.append([o for v in spec["values"] if (o := _parse_override(path, v, problems, where))])
        elif (o := _parse_override(path, spec, problems, where)) is not None:
            fixed.append(o)
    if len(problems) > n0:
        return []
    if not axes:
        problems.append(f"{where}: a grid needs at least one list of values")
        return []
    combos = list(itertools.product(*axes))
    return [Scenario(nm, tuple(fixed) + tuple(c), desc, "grid", name) for nm, c in zip(_numbered(name, len(combos)),
                                                                                       combos, strict=True)]


def _expand_sample(name, body, desc, where, problems) -> list[Scenario]:
    n, seed = body.pop("n", None), body.pop("seed", None)
    n0 = len(problems)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        problems.append(f"{where}: 'n' (number of samples) must be a whole number >= 1, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        problems.append(f"{where}: 'seed' must be a whole number >= 0 (samples must be reproducible), got {seed!r}")
    draws: list[tuple[str, str, dict]] = []
    fixed: list[Override] = []
    for path, spec in body.items():
        if isinstance(spec, dict) and "dist" in spec:
            d = _check_dist(path, spec, where, problems)
            if d is not None:
                draws.append(d)
        elif (o := _parse_override(path, spec, problems, where, in_sample=True)) is not None:
            fixed.append(o)
    if len(problems) > n0:
        return []
    if not draws:
        problems.append(f"{where}: a sample needs at least one value with a distribution, e.g. "
                        "{dist = \"uniform\", low = 1, high = 2}")
        return []
    rng = np.random.default_rng(seed)
    columns = []
    for path, op, d in draws:
        vals = _draw(rng, d, n)
        if op == "set" and _is_integer_target(path):
            vals = [v if isinstance(v, str) else int(round(v)) for v in vals]
        columns.append([Override(path, op, v) for v in vals])
    names = _numbered(name, n)
    return [Scenario(names[i], tuple(fixed) + tuple(col[i] for col in columns), desc, "sample", name)
            for i in range(n)]


def _check_dist(path, spec, where, problems) -> tuple[str, str, dict] | None:
    spec = dict(spec)
    dist = spec.pop("dist")
    op = spec.pop("op", "set")
    lo, hi = spec.pop("min", None), spec.pop("max", None)
    w = f"{where}: '{path}'"
    if dist not in DISTRIBUTIONS:
        problems.append(f"{w}: unknown dist {dist!r} (one of {', '.join(DISTRIBUTIONS)})")
        return None
    if op not in OPS:
        problems.append(f"{w}: op must be one of {', '.join(OPS)}, not {op!r}")
        return None
    req, opt = DISTRIBUTIONS[dist]
    missing = [k for k in req if k not in spec]
    extra = [k for k in spec if k not in req + opt]
    if missing or extra:
        problems.append(f"{w}: {dist} takes {', '.join(req + opt)} (and optional op, min, max)"
                        + (f"; missing {', '.join(missing)}" if missing else "")
                        + (f"; unknown {', '.join(extra)}" if extra else ""))
        return None

    def num(v):
        return isinstance(v, int | float) and not isinstance(v, bool)

    if dist == "choice":
        vals = spec["values"]
        if not isinstance(vals, list) or not vals:
            problems.append(f"{w}: 'values' must be a non-empty list")
            return None
        if op != "set" and not all(num(v) for v in vals):
            problems.append(f"{w}: {op} needs numbers in 'values'")
            return None
        wts = spec.get("weights")
        if wts is not None and (not isinstance(wts, list) or len(wts) != len(vals) or not all(num(x) and x >= 0
                                                                                              for x in wts)
                                or sum(wts) <= 0):
            problems.append(f"{w}: 'weights' must be as many non-negative numbers as 'values', not all zero")
            return None
    else:
        bad = [k for k in req if not num(spec[k])]
        if bad:
            problems.append(f"{w}: {', '.join(bad)} must be numbers")
            return None
        if dist in ("uniform", "triangular") and not spec["low"] <= spec.get("mode", spec["low"]) <= spec["high"]:
            problems.append(f"{w}: need low <= {'mode <= ' if dist == 'triangular' else ''}high")
            return None
        if dist == "triangular" and spec["low"] == spec["high"]:
            problems.append(f"{w}: need low < high")
            return None
        if dist == "normal" and spec["sd"] < 0 or dist == "lognormal" and (spec["sigma"] < 0 or spec["median"] <= 0):
            problems.append(f"{w}: need sd >= 0 (normal), or median > 0 and sigma >= 0 (lognormal)")
            return None
    for k, v in (("min", lo), ("max", hi)):
        if v is not None and not num(v):
            problems.append(f"{w}: '{k}' must be a number")
            return None
    try:
        Override(path, op, 1.0)
    except InstanceError as e:
        problems.extend(f"{where}: {p}" for p in e.problems)
        return None
    spec.update(dist=dist, min=lo, max=hi)
    return path, op, spec


def _draw(rng: np.random.Generator, d: dict, n: int) -> list:
    dist = d["dist"]
    if dist == "choice":
        p = None
        if d.get("weights") is not None:
            p = np.asarray(d["weights"], dtype=float)
            p = p / p.sum()
        return [d["values"][i] for i in rng.choice(len(d["values"]), size=n, p=p)]
    if dist == "uniform":
        x = rng.uniform(d["low"], d["high"], size=n)
    elif dist == "normal":
        x = rng.normal(d["mean"], d["sd"], size=n)
    elif dist == "triangular":
        x = rng.triangular(d["low"], d["mode"], d["high"], size=n)
    else:
        x = rng.lognormal(math.log(d["median"]), d["sigma"], size=n)
    if d.get("min") is not None or d.get("max") is not None:
        x = np.clip(x, d.get("min"), d.get("max"))
    return [float(v) for v in x]


def _is_integer_target(path: str) -> bool:
    target = _resolve(path)
    if target[0] == "table":
        return TABLES[target[1]].column(target[3]).dtype == "int"
    parts = target[1]
    key = ("", parts[0]) if len(parts) == 1 else (parts[0], parts[1])
    return SCENARIO_KEYS.get(key, ("",))[0] == "int"


# ------------------------------------------------------------------------------------------
# applying a scenario
# ------------------------------------------------------------------------------------------
def _cell_text(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return ""
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _select(df: pd.DataFrame, table: str, sel: str | None, fname: str) -> np.ndarray:
    if sel is None:
        return np.ones(len(df), dtype=bool)
    kind, items = _parse_selector(sel, table)
    if kind == "ids":
        key = _SINGLE_KEY[table]
        text = df[key].map(_cell_text)
        missing = [i for i in items if not (text == i).any()]
        if missing:
            raise ValueError(f"no {key} {', '.join(repr(i) for i in missing)} in {fname}")
        return text.isin(items).to_numpy()
    mask = np.ones(len(df), dtype=bool)
    for col, op, val in items:
        cells = df[col]
        want = _number(val)
        nums = pd.to_numeric(cells, errors="coerce") if want is not None and cells.dtype != bool else None
        if op in ("=", "!="):
            if nums is not None and nums.notna().any():
                eq = (nums == want).to_numpy()
            else:
                eq = (cells.map(_cell_text) == val).to_numpy()
            mask &= eq if op == "=" else ~eq
        else:
            x = nums.to_numpy(dtype=float) if nums is not None else np.full(len(df), np.nan)
            with np.errstate(invalid="ignore"):
                mask &= {"<": x < want, "<=": x <= want, ">": x > want, ">=": x >= want}[op]
    if not mask.any():
        raise ValueError(f"no row of {fname} matches [{sel}]")
    return mask


def _apply_table(df: pd.DataFrame, table: str, sel, col: str, op: str, value, fname: str) -> pd.DataFrame:
    mask = _select(df, table, sel, fname)
    dtype = TABLES[table].column(col).dtype
    if op == "set":
        new = df[col].astype(object)
        v = np.nan if value == "" else value
        new[mask] = [v] * int(mask.sum())
    else:
        if dtype not in ("int", "float"):
            raise ValueError(f"cannot {op} the {dtype} column '{col}'")
        new = pd.to_numeric(df[col], errors="coerce").astype(float)
        new[mask] = new[mask] * value if op == "scale" else new[mask] + value
        new = new.astype(object)
    df[col] = new
    return df


def _apply_setting(sc: dict, parts: list[str], op: str, value) -> None:
    holder = sc
    for p in parts[:-2] if len(parts) == 3 else parts[:-1]:
        holder = holder.setdefault(p, {})
    if len(parts) == 3:  # one year of a per-year setting
        cur = holder.get(parts[1])
        if not isinstance(cur, dict):
            cur = {} if cur is None else {str(y): cur for y in sc.get("years", [])}
            holder[parts[1]] = cur
        holder, key = cur, parts[2]
        if key not in holder and int(key) in holder:
            key = int(key)
    else:
        key = parts[-1]
    if op == "set":
        if value == "":
            holder.pop(key, None)
        else:
            holder[key] = value
        return
    cur = holder.get(key)
    f = (lambda x: x * value) if op == "scale" else (lambda x: x + value)

    def number(x):
        return isinstance(x, int | float) and not isinstance(x, bool)

    if number(cur):
        holder[key] = f(cur)
    elif isinstance(cur, dict) and all(number(x) for x in cur.values()):
        holder[key] = {y: f(x) for y, x in cur.items()}
    else:
        raise ValueError(f"cannot {op} {'an unset setting' if cur is None else repr(cur)}")


def apply_scenario(inst: Instance, scenario: Scenario) -> Instance:
    """A new, re-validated Instance: a copy of ``inst``'s tables and settings with the overrides applied.

    Raises InstanceError whose lines start with ``scenario NAME:`` when an override selects no
    row, or when the changed instance breaks its contract.
    """
    frames = {t: pd.DataFrame(getattr(inst, t)).drop(columns="geometry", errors="ignore").copy() for t in TABLES}
    sc = copy.deepcopy(inst.scenario)
    problems = []
    for o in scenario.overrides:
        try:
            target = _resolve(o.path)
            if target[0] == "table":
                _, name, sel, col = target
                fname = (inst.files or {}).get(name) or TABLES[name].file.split(" ")[0]
                frames[name] = _apply_table(frames[name], name, sel, col, o.op, o.value, fname)
            else:
                _apply_setting(sc, target[1], o.op, o.value)
        except ValueError as e:
            problems.append(f"scenario {scenario.name}: {o.path}: {e}")
    if problems:
        raise InstanceError(problems)
    try:
        return Instance.from_frames(sc, name=inst.name, **frames)
    except InstanceError as e:
        raise InstanceError([f"scenario {scenario.name}: {p}" for p in e.problems]) from None


# ------------------------------------------------------------------------------------------
# running
# ------------------------------------------------------------------------------------------
def _run_scenario(inst: Instance, scenario: Scenario, opts: dict) -> dict:
    """Worker task: apply, validate, build, solve. Errors of the data or the solve come back as text."""
    from .solve import solve

    t0 = time.perf_counter()
    try:
        res = solve(apply_scenario(inst, scenario), **opts)
    except SitingError as e:
        return {"error": f"{type(e).__name__}: " + " | ".join(e.problems), "seconds": time.perf_counter() - t0}
    return {"results": res, "seconds": time.perf_counter() - t0, "pid": os.getpid()}


def _frame_digest(df: pd.DataFrame) -> str:
    df = pd.DataFrame(df).drop(columns="geometry", errors="ignore")
    h = hashlib.sha256(json.dumps([[str(c), str(t)] for c, t in df.dtypes.items()]).encode())
    h.update(pd.util.hash_pandas_object(df.astype(object).map(_cell_text), index=False).to_numpy().tobytes())
    return h.hexdigest()


def instance_fingerprint(inst: Instance) -> str:
    """A digest of every table and setting of ``inst`` (the same data gives the same digest)."""
    h = hashlib.sha256(json.dumps(inst.scenario, sort_keys=True, default=str).encode())
    for t in TABLES:
        h.update(_frame_digest(getattr(inst, t)).encode())
    return h.hexdigest()


def _fingerprint(inst_fp: str, s: Scenario, opts: dict) -> str:
    payload = {"instance": inst_fp, "overrides": [o.as_dict() for o in s.overrides],
               "time_limit": opts.get("time_limit"), "mip_gap": opts.get("mip_gap")}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _record(s: Scenario, fp: str) -> pd.DataFrame:
    return pd.DataFrame({"scenario": [s.name], "kind": [s.kind], "group": [s.group], "description": [s.description],
                         "fingerprint": [fp],
                         "overrides": [json.dumps([o.as_dict() for o in s.overrides], default=str)]})


def _reuse(folder: Path, fp: str) -> Results | None:
    """The results stored in ``folder`` if they were solved from the same inputs and options."""
    if not (folder / "results.json").is_file():
        return None
    try:
        res = read_results(folder)
        rec = res.tables.get(RECORD_TABLE)
        if rec is not None and len(rec) == 1 and rec["fingerprint"].iloc[0] == fp:
            return res
    except (OSError, ValueError, KeyError) as e:
        log.warning("%s: cannot be read back (%s); solving again", folder, e)
        return None
    log.info("%s: inputs or solver options changed since it was solved; solving again", folder.name)
    return None


@contextlib.contextmanager
def _connect(client, workers: int | None, n_tasks: int):
    """A dask.distributed Client: the one given, one to the address given, or an embedded LocalCluster."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise SitingError("sweeps run on dask.distributed, which is not installed: "
                          "pip install 'dask[distributed]' tqdm") from None
    if client is None:
        n = workers or os.cpu_count() or 1
        n = max(1, min(n, n_tasks))
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
                Client(cluster) as c:
            import importlib.util

            board = f" (dashboard {c.dashboard_link})" if importlib.util.find_spec("bokeh") else ""
            log.info("solving %d scenario(s) on a local Dask cluster of %d worker(s)%s", n_tasks, n, board)
            yield c
    elif isinstance(client, str | os.PathLike):
        is_file = not str(client).startswith(("tcp://", "tls://", "ucx://", "ws://", "wss://", "inproc://")) \
            and Path(client).is_file()
        try:
            c = Client(scheduler_file=str(client)) if is_file else Client(str(client))
        except (OSError, TimeoutError, ValueError) as e:
            raise SitingError(f"cannot reach the Dask scheduler at {client}: {' '.join(str(e).split())}") from None
        with c:
            log.info("solving %d scenario(s) on the Dask cluster at %s (%d worker(s))", n_tasks, client,
                     len(c.nthreads()))
            yield c
    elif not isinstance(client, Client) and hasattr(client, "scheduler_address"):  # a cluster object
        with Client(client) as c:
            yield c
    else:
        yield client


def sweep(inst, scenarios=None, client=None, *, out=None, workers: int | None = None,
          time_limit: float | None = None, mip_gap: float | None = None, threads: int | None = 1,
          progress: bool = False, resume: bool = True) -> SweepResults:
    """Solve every scenario of ``scenarios`` on a Dask cluster and stack the results.

    Parameters
    ----------
    inst : an :class:`~siting.Instance`, or an instance folder / bundled name.
    scenarios : a scenarios.toml path, a dict in its layout, a list of :class:`Scenario`, or
        None for the scenarios.toml of the instance folder.
    client : None (an embedded ``LocalCluster`` with ``workers`` processes of one thread,
        default one per CPU), a ``dask.distributed.Client``, a scheduler address such as
        ``"tcp://10.0.0.5:8786"``, the path of a scheduler file (``dask scheduler
        --scheduler-file``), or a cluster object (``SLURMCluster``, ``KubeCluster`` ...). A
        Client or cluster given is left open.
    out : a folder. Each solved scenario is written to ``out/scenarios/<name>/`` as soon as it
        finishes (atomically, :meth:`Results.to_folder`), and the stacked tables, summary,
        ``failed.csv`` and ``cost_distribution.png`` to ``out`` at the end. With ``resume``, a
        scenario whose folder holds results from the same instance, overrides, ``time_limit``
        and ``mip_gap`` is read back instead of solved again.
    time_limit, mip_gap, threads : passed to :func:`siting.solve` for each scenario (threads
        defaults to 1: one solver thread per Dask worker).
    progress : show a progress bar (tqdm).

    Returns
    -------
    SweepResults
        A failed scenario (InstanceError, InfeasibleError, SolveError, or a worker that died)
        is recorded in ``failed`` with its error text; the others are solved regardless.
        ``info`` lists the scenarios ``solved`` in this call, ``reused`` from ``out`` and ``failed``.
    """
    t0 = time.perf_counter()
    if not isinstance(inst, Instance):
        inst = load_instance(inst)
    scs = load_scenarios(scenarios, inst)
    opts = {"time_limit": time_limit, "mip_gap": mip_gap, "threads": threads}
    inst_fp = instance_fingerprint(inst)
    fps = {s.name: _fingerprint(inst_fp, s, opts) for s in scs}
    out = Path(out) if out is not None else None
    if out is not None and out.exists() and not out.is_dir():
        raise SitingError(f"{out}: exists and is not a folder")
    done: dict[str, Results] = {}
    reused: list[str] = []
    if out is not None and resume:
        for s in scs:
            res = _reuse(out / "scenarios" / s.name, fps[s.name])
            if res is not None:
                done[s.name] = res
                reused.append(s.name)
        if reused:
            log.info("%d of %d scenarios already solved in %s; solving the other %d", len(reused), len(scs), out,
                     len(scs) - len(reused))
    todo = [s for s in scs if s.name not in done]
    errors: dict[str, str] = {}
    solved: list[str] = []
    seconds: dict[str, float] = {}
    n_workers = 0
    if todo:
        with _connect(client, workers, len(todo)) as c, _progress(progress, len(scs), len(done)) as bar:
            from distributed import as_completed

            n_workers = len(c.nthreads())
            data = c.scatter(inst, hash=False)
            token = uuid.uuid4().hex[:8]
            futures = {c.submit(_run_scenario, data, s, opts, key=f"siting-sweep-{token}-{s.name}", pure=False): s
                       for s in todo}
            try:
                for fut in as_completed(futures):
                    s = futures[fut]
                    try:
                        r = fut.result()
                    except Exception as e:  # noqa: BLE001 - a worker died or the code failed: record, go on
                        r = {"error": f"{type(e).__name__}: {' '.join(str(e).split())}"}
                    fut.release()
                    seconds[s.name] = r.get("seconds", float("nan"))
                    if "error" in r:
                        errors[s.name] = r["error"]
                        log.warning("scenario %s failed: %s", s.name, r["error"])
                    else:
                        res = r["results"]
                        res.tables[RECORD_TABLE] = _record(s, fps[s.name])
                        try:
                            if out is not None:
                                res.to_folder(out / "scenarios" / s.name, overwrite=True)
                        except (SitingError, OSError) as e:
                            errors[s.name] = f"solved, but the results could not be written: {e}"
                            log.warning("scenario %s: %s", s.name, errors[s.name])
                        else:
                            done[s.name] = res
                            solved.append(s.name)
                    if bar is not None:
                        bar.update(1)
                        bar.set_postfix(failed=len(errors), refresh=False)
            finally:
                for fut in futures:
                    if not fut.done():
                        fut.cancel()
                del data
    info = {"scenarios": [s.name for s in scs], "solved": solved, "reused": reused,
            "failed": [s.name for s in scs if s.name in errors], "workers": n_workers,
            "seconds": time.perf_counter() - t0, "scenario_seconds": seconds}
    sr = SweepResults.combine(scs, done, errors, info)
    if out is not None:
        sr.to_folder(out)
    return sr


@contextlib.contextmanager
def _progress(show: bool, total: int, initial: int):
    if not show:
        yield None
        return
    try:
        from tqdm import tqdm
        from tqdm.contrib.logging import logging_redirect_tqdm
    except ImportError:
        yield None
        return
    with tqdm(total=total, initial=initial, unit="scenario", desc="sweep", dynamic_ncols=True) as bar, \
            logging_redirect_tqdm():
        yield bar


# ------------------------------------------------------------------------------------------
# results of a sweep
# ------------------------------------------------------------------------------------------
@dataclass(eq=False)
class SweepResults:
    """The results of a sweep.

    Attributes
    ----------
    tables : the result tables of every solved scenario stacked, each with a ``scenario``
        key column first (``summary`` also carries the override columns), plus
        ``scenario_summary`` (one row per scenario, failed ones included, with the override
        columns) and ``site_frequency`` (one row per site). Also reachable as attributes.
    failed : one row per failed scenario: scenario, error.
    results : the :class:`Results` of each solved scenario, by name.
    scenarios : the scenarios, in definition order.
    info : scenarios ``solved`` in this call, ``reused`` from the output folder, ``failed``,
        number of ``workers``, wall-clock ``seconds``.
    """

    tables: dict
    failed: pd.DataFrame
    results: dict = field(default_factory=dict, repr=False)
    scenarios: list = field(default_factory=list, repr=False)
    info: dict = field(default_factory=dict)

    def __getattr__(self, name):
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    @classmethod
    def combine(cls, scenarios: list[Scenario], done: dict[str, Results], errors: dict[str, str],
                info: dict | None = None) -> SweepResults:
        """Stack per-scenario results (in scenario order) and summarise them."""
        order = [s for s in scenarios if s.name in done]
        ov_cols = list(dict.fromkeys(c for s in scenarios for c in s.values()))
        tables: dict[str, pd.DataFrame] = {}
        names = list(TABLE_NAMES) + sorted({n for r in done.values() for n in r.tables} - set(TABLE_NAMES)
                                           - {RECORD_TABLE})
        for name in names:
            parts = []
            for s in order:
                df = done[s.name].tables.get(name)
                if df is None:
                    continue
                df = df.copy()
                df.insert(0, "scenario", s.name)
                if name == "summary":
                    vals = s.values()
                    for i, c in enumerate(ov_cols):
                        df.insert(1 + i, c, _column_value(vals.get(c), len(df)))
                parts.append(df)
            if parts:
                nonempty = [p for p in parts if len(p)]
                tables[name] = (pd.concat(nonempty, ignore_index=True) if nonempty
                                else parts[0].iloc[0:0].reset_index(drop=True))
        tables["scenario_summary"] = _scenario_summary(scenarios, done, errors, ov_cols)
        tables["site_frequency"] = _site_frequency(order, done)
        failed = pd.DataFrame({"scenario": [s.name for s in scenarios if s.name in errors],
                               "error": [errors[s.name] for s in scenarios if s.name in errors]},
                              columns=["scenario", "error"])
        return cls(tables=tables, failed=failed, results=dict(done), scenarios=list(scenarios),
                   info=dict(info or {}))

    def with_overrides(self, table: str) -> pd.DataFrame:
        """A stacked table with the override columns of each scenario joined on ``scenario``."""
        ss = self.tables["scenario_summary"]
        cols = ["scenario"] + [c for s in self.scenarios for c in s.values()]
        cols = list(dict.fromkeys(cols))
        df = self.tables[table]
        keep = [c for c in cols if c not in df.columns or c == "scenario"]
        return df.merge(ss[keep], on="scenario", how="left")

    def to_folder(self, path) -> Path:
        """Write the stacked tables (``<table>.csv``), ``failed.csv`` and ``cost_distribution.png`` to ``path``.

        Each file is written beside its final name and moved into place. The per-scenario
        folders ``path/scenarios/<name>/`` are written by :func:`sweep` itself (``out=``).
        """
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for name, df in list(self.tables.items()) + [("failed", self.failed)]:
            _atomic(path / f"{name}.csv", lambda p, df=df: df.to_csv(p, index=False))
        text = json.dumps(self.info, indent=2, default=str) + "\n"
        _atomic(path / "sweep.json", lambda p: p.write_text(text, encoding="utf-8"))
        _atomic(path / "cost_distribution.png", lambda p: self.plot_costs().savefig(p, dpi=120, format="png"))
        return path

    def plot_costs(self):
        """A matplotlib Figure: distribution of total discounted cost and of cost per GW over the scenarios."""
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator

        ss = self.tables["scenario_summary"]
        ok = ss[ss["status"] != "failed"]
        fig = Figure(figsize=(10, 4), layout="constrained")
        ax1, ax2 = fig.subplots(1, 2)
        for ax, col, scale, label in ((ax1, "objective_usd", 1e9, "total discounted cost, billion USD"),
                                      (ax2, "cost_usd_per_gw", 1e9, "discounted cost per GW of peak IT load, "
                                                                    "billion USD/GW")):
            x = ok[col].dropna().to_numpy(dtype=float) / scale
            if len(x) == 0:
                ax.text(0.5, 0.5, "no solved scenario", ha="center", va="center", transform=ax.transAxes)
            else:
                bins = min(30, max(5, int(np.sqrt(len(x))) * 2))
                ax.hist(x, bins=bins, color="#4C72B0", alpha=0.8, edgecolor="white")
                if len(x) >= 2:
                    for q, ls in ((10, ":"), (50, "-"), (90, ":")):
                        v = np.percentile(x, q)
                        ax.axvline(v, color="#C44E52", ls=ls, lw=1.2, label=f"P{q} {v:,.3g}")
                    ax.legend(fontsize=8, frameon=False)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel(label)
            ax.set_ylabel("scenarios")
        n_failed = int((ss["status"] == "failed").sum())
        fig.suptitle(f"Cost over {len(ok)} solved scenarios" + (f" ({n_failed} failed)" if n_failed else ""))
        return fig


def _column_value(v, n: int):
    if v is None:
        v = np.nan
    elif isinstance(v, list | dict):
        v = json.dumps(v)
    return [v] * n


def _scenario_summary(scenarios, done, errors, ov_cols) -> pd.DataFrame:
    rows = []
    for s in scenarios:
        r = done.get(s.name)
        row = {"scenario": s.name, "kind": s.kind, "group": s.group, "description": s.description}
        if r is None:
            row |= {"status": "failed", "objective_usd": np.nan, "mip_gap": np.nan, "peak_it_gw": np.nan,
                    "cost_usd_per_gw": np.nan, "n_sites_chosen": pd.NA, "sites_chosen": "",
                    "solve_seconds": np.nan, "error": errors.get(s.name, "not solved")}
        else:
            peak = float(r.tables["summary"]["it_gw"].max()) if len(r.tables.get("summary", ())) else np.nan
            chosen = _chosen_sites(r)
            row |= {"status": r.status, "objective_usd": r.objective, "mip_gap": r.mip_gap, "peak_it_gw": peak,
                    "cost_usd_per_gw": r.objective / peak if peak and peak > 0 else np.nan,
                    "n_sites_chosen": len(chosen), "sites_chosen": ";".join(chosen),
                    "solve_seconds": r.solve_seconds, "error": ""}
        vals = s.values()
        for c in ov_cols:
            v = vals.get(c, np.nan)
            row[c] = json.dumps(v) if isinstance(v, list | dict) else v
        rows.append(row)
    df = pd.DataFrame(rows)
    df["n_sites_chosen"] = df["n_sites_chosen"].astype("Int64")
    return df


def _chosen_sites(r: Results) -> list[str]:
    s = r.tables["sites"]
    opened = s.loc[s["open"] > 0, "site"]
    return [x for x in dict.fromkeys(s["site"]) if x in set(opened)]


def _site_frequency(order, done) -> pd.DataFrame:
    cols = ["site", "zone", "scenarios_chosen", "scenarios_solved", "share", "mean_peak_it_mw"]
    if not order:
        return pd.DataFrame(columns=cols)
    frames = []
    for s in order:
        st = done[s.name].tables["sites"]
        g = st.groupby("site", sort=False).agg(zone=("zone", "first"), opened=("open", "max"), peak=("it_mw", "max"))
        frames.append(g)
    allf = pd.concat(frames)
    n = len(order)
    agg = allf.groupby(level=0, sort=False).agg(zone=("zone", "first"), scenarios_chosen=("opened", lambda x: int(
        (x > 0).sum())), mean_peak_it_mw=("peak", "sum"))
    agg["mean_peak_it_mw"] = agg["mean_peak_it_mw"] / n
    agg["scenarios_solved"] = n
    agg["share"] = agg["scenarios_chosen"] / n
    agg = agg.rename_axis("site").reset_index()
    agg["scenarios_chosen"] = agg["scenarios_chosen"].astype("int64")
    return agg[cols]


def _atomic(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
