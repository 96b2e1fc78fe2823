"""Override paths of a sweep scenario: which table column or scenario.toml setting a path names,
and the checks of a path and of a row selector."""

from __future__ import annotations

import math
import re

from ..schema import SCENARIO_KEYS, TABLES

_TABLE_PATH = re.compile(r"^(?P<table>[A-Za-z_]\w*)(?:\[(?P<sel>[^\]]*)\])?\.(?P<col>[A-Za-z_]\w*)$")
_FILTER = re.compile(r"^\s*(?P<col>[A-Za-z_]\w*)\s*(?P<op>!=|>=|<=|=|>|<)\s*(?P<val>.*?)\s*$")
_SETTING_TABLES = {t for t, _ in SCENARIO_KEYS if t}
_FIXED_SETTINGS = {("", "name"), ("", "description")}
_SINGLE_KEY = {name: t.key[0] for name, t in TABLES.items() if len(t.key) == 1}


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
