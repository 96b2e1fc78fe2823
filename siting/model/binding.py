"""The ``binding`` table: which limits bind at the plan, and what one more unit of each is worth."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..results import clean_table
from .objective import OBJECTIVE_SCALE

#: a limit binds when its marginal value exceeds this (USD per unit)
MIN_USD = 1e-3

COLUMNS = ["constraint", "year", "where", "slack", "marginal_usd", "per", "what"]


def _year_where(idx: tuple) -> tuple[int | None, str]:
    """The planning year (the one integer of an index: site, zone, tech and chip ids are text) and the rest."""
    years = [v for v in idx if isinstance(v, (int, np.integer)) and not isinstance(v, bool)]
    rest = [str(v) for v in idx if not (isinstance(v, (int, np.integer)) and not isinstance(v, bool)) and v != ""]
    return (int(years[0]) if years else None), (" / ".join(rest) if rest else "all")


def binding_table(m, mv: dict) -> pd.DataFrame:
    """One row per binding limit (family, year, place) with its slack and marginal value.

    ``mv`` from :func:`siting.solver.marginal_values`: the duals d of the limit rows (objective in
    million USD per unit of the row). ``marginal_usd`` = |d| x 1e6: for a cap (<=) the fall of the
    discounted objective per unit the cap is raised; for a requirement (>=: a target, a clean or
    firm share) its rise per unit the requirement is raised. Per-slice families (grid limits,
    headroom) sum their slices' values (one more MW in every slice) and report the smallest slack.
    ``per`` is the family's unit; ``slack`` how far the row is from its bound at the plan (0 for
    a binding row).
    """
    fams = m.ledger.families
    agg: dict = {}
    for name, idx, sense, rhs, dual, val in zip(mv["family"], mv["index"], mv["sense"].tolist(),
                                                mv["rhs"].tolist(), mv["dual"].tolist(), mv["value"].tolist()):
        fam = fams[name]
        place = idx[:-1] if fam.per_slice else idx
        slack = (rhs - val) if sense == 1 else (val - rhs) if sense == -1 else 0.0
        key = (name, place)
        usd = abs(dual) / OBJECTIVE_SCALE
        if key in agg:
            agg[key][0] += usd
            agg[key][1] = min(agg[key][1], slack)
        else:
            agg[key] = [usd, slack]
    rows = []
    for (name, place), (usd, slack) in agg.items():
        if usd <= MIN_USD:
            continue
        year, where = _year_where(place)
        fam = fams[name]
        rows.append((name, year, where, max(0.0, slack), usd, fam.unit, fam.what))
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["year"] = df["year"].astype("Int64")
    return clean_table(df.sort_values(["year", "marginal_usd"], ascending=[True, False], ignore_index=True))


def _money(v: float) -> str:
    for div, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            return f"${v / div:,.3g} {unit}"
    return f"${v:,.3g}"


def _one(unit: str) -> str:
    """The unit of one more of it: "units" -> "unit"."""
    return {"units": "unit"}.get(unit, unit)


def limits_in_words(binding: pd.DataFrame, top: int = 3) -> list[str]:
    """Per year, the ``top`` limits with the largest marginal value, one line each:
    ``"2030: the IT target (targets.csv it_gw), all: $2.7 M per extra MW"`` (discounted objective)."""
    if binding is None or not len(binding):
        return []
    out = []
    for year, g in binding.groupby("year", sort=True):
        parts = [f"{r.what}{'' if r.where == 'all' else ', ' + r.where}: {_money(r.marginal_usd)} per extra "
                 f"{_one(r.per)}"
                 for r in g.nlargest(top, "marginal_usd").itertuples(index=False)]
        out.append(f"{year}: " + "; ".join(parts))
    return out


def at_open_hubs(binding: pd.DataFrame, sites: pd.DataFrame | None) -> pd.DataFrame:
    """``binding`` less the rows at hubs with no IT load that year (``sites``: the ``sites`` result table).

    With the plan's integers fixed, a hub left closed has its IT, grid and on-site limits at 0, and
    their duals price the decision not to open it (with soft targets, up to the shortfall penalty per
    MW), not a limit of the plan. Rows that name no site (targets, supply caps) are kept."""
    if binding is None or not len(binding) or sites is None or not len(sites):
        return binding
    it = {(str(s), int(y)): float(v) for s, y, v in zip(sites["site"], sites["year"], sites["it_mw"], strict=True)}
    names = {s for s, _ in it}

    def closed(where, year) -> bool:
        if year is None or year != year:  # a row of no year: kept
            return False
        for part in str(where).split(" / "):
            if part in names:
                return it.get((part, int(year)), 0.0) <= 1e-6
        return False

    keep = [not closed(w, y) for w, y in zip(binding["where"], binding["year"], strict=True)]
    return binding[np.array(keep, dtype=bool)].reset_index(drop=True)
