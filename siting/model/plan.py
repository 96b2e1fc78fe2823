"""A plan's investment decisions as a table, and fixing them on another model.

The ``decisions`` result table holds the value of every investment-stage variable (the ledger's
stage tags: sites, modules, builds, units, capacity, chip installs, IT load, flexibility
choices, shortfalls). :func:`fix_decisions` fixes them on a model of the same instance, at any
time resolution, so that only the operations remain to be solved: the hourly check does so.
"""

from __future__ import annotations

import pandas as pd

from .ledger import INVESTMENT

COLUMNS = ["variable", "key", "value"]
SEP = "|"


def _key(idx) -> str:
    idx = idx if isinstance(idx, tuple) else (idx,)
    return SEP.join(str(v) for v in idx)


def _parse(key: str) -> tuple:
    out = []
    for part in str(key).split(SEP):
        try:
            out.append(int(part))
        except ValueError:
            out.append(part)
    return tuple(out)


def decisions_table(m) -> pd.DataFrame:
    """variable, key (the index joined by "|"), value of every investment-stage variable of a solved model."""
    rows = []
    for name, stage in m.ledger.stages.items():
        comp = getattr(m, name, None)  # a Pyomo Var, or a siting.solution.ValueTable
        if stage != INVESTMENT or comp is None or comp.ctype.__name__ != "Var":
            continue
        rows.extend((name, _key(idx), float(v)) for idx, v in comp.extract_values().items() if v is not None)
    return pd.DataFrame(rows, columns=COLUMNS)


def fix_decisions(m, decisions: pd.DataFrame) -> int:
    """Fix ``m``'s investment variables at the values in ``decisions`` (integers rounded); returns how many.

    Variables of ``m`` that the table lacks keep their bounds (0 when the plan had no such
    variable is not assumed); keys of the table that ``m`` lacks are ignored.
    """
    n = 0
    for name, g in decisions.groupby("variable", sort=False):
        comp = getattr(m, name, None)
        if comp is None:
            continue
        for key, val in zip(g["key"], g["value"]):
            idx = _parse(key)
            idx = idx[0] if len(idx) == 1 else idx
            if idx in comp:
                v = comp[idx]
                v.fix(round(val) if v.is_integer() else val)
                n += 1
    return n
