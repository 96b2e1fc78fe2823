"""Override paths and applying a scenario's overrides to an instance.

A path names table cells (``table.column``, ``table[id,...].column``,
``table[column=value,...].column``) or a scenario.toml setting (``policy.carbon_price_usd_per_t``,
``policy.co2_cap_t.2030``). :func:`_check_path` checks one against the schema (no data needed);
:func:`apply_scenario` resolves each override of a scenario against an instance's tables and
settings and re-validates the result.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._io import cell_text
from ..errors import InstanceError
from ..instance import Instance
from ..schema import TABLES
from .paths import _SINGLE_KEY, _number, _parse_selector, _resolve

if TYPE_CHECKING:
    from .spec import Scenario

def _select(df: pd.DataFrame, table: str, sel: str | None, fname: str) -> np.ndarray:
    if sel is None:
        return np.ones(len(df), dtype=bool)
    kind, items = _parse_selector(sel, table)
    if kind == "ids":
        key = _SINGLE_KEY[table]
        text = df[key].map(cell_text)
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
                eq = (cells.map(cell_text) == val).to_numpy()
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

