"""Firm capacity: derated capacity must cover peak facility load times (1 + reserve margin).

Built only when a tech has a firm_credit or scenario.toml [policy] reserve_margin is set. See
docs/formulation.md section 13.4 and docs/features.md.
"""

from __future__ import annotations

import pyomo.environ as pyo

from .ledger import INVESTMENT, place_words


def firm_on(inst) -> bool:
    """True when techs.csv gives a firm_credit or [policy] reserve_margin is set."""
    rm = (inst.scenario.get("policy") or {}).get("reserve_margin")
    return bool(inst.techs["firm_credit"].notna().any()) or rm is not None


def add_firm(m, inst, opts) -> None:
    """Firm_Capacity[s,y]: sum_k firm_credit_k x Cap[k,s,y] + grid_mw_s [y >= grid_year_s]
    >= (1 + reserve_margin_y) x peak PUE_s x ITLoad[s,y].

    A blank firm_credit counts 0. The grid counts at grid_mw from grid_year (a flexible, earlier
    connection is not firm). Every tech kind counts through its Cap. The peak PUE is the year's
    highest hour (``ix.pue_peak``: the full-year profile, which the representative days may miss).
    """
    if not firm_on(inst):
        return
    ix = m.ix
    credit = inst.techs.set_index("tech")["firm_credit"].fillna(0.0).to_dict()
    sites = inst.sites.set_index("site")
    rm = {y: float(inst.policy("reserve_margin", y) or 0.0) for y in ix.years}
    peak = ix.pue_peak
    techs_at = ix.techs_at

    def firm_grid(s, y):
        g = float(sites.at[s, "grid_mw"])
        return g if g > 0 and y >= int(sites.at[s, "grid_year"]) else 0.0

    def rule(m, s, y):
        body = sum(float(credit[k]) * m.Cap[k, s, y] for k in techs_at.get((s, y), ()) if credit[k] > 0)
        body = body - (1.0 + rm[y]) * peak[s] * m.ITLoad[s, y]
        return (-firm_grid(s, y), body, None)

    m.ledger.add(m, "Firm_Capacity", pyo.Constraint(m.SITE_YEARS, rule=rule), INVESTMENT, unit="MW",
                 what="the firm-capacity requirement ([policy] reserve_margin, techs.csv firm_credit)", tier=1.0,
                 limit=True, way="less", place=place_words("at {0} in {1}"))
