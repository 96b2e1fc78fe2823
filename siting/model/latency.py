"""Latency coverage: the inference load of each metro (metros.csv) must sit at sites within its round-trip
latency budget, through assignment variables; the rest of the IT load (training) may sit anywhere.

Built only with a metros.csv; otherwise no component exists. Every variable is of the investment stage
(the assignment of a year's IT load, with the year in its index). See docs/formulation.md section 15.3
and docs/features.md.
"""

from __future__ import annotations

import pyomo.environ as pyo

from ..attributes import latency, metro_demand
from .ledger import INVESTMENT, place_words


def add_latency(m, inst, opts) -> None:
    """Serve[k,s,y] MW of IT at site s serving metro k's inference, for s within k's budget (rtt <= budget).

    Metro_Demand[k,y]: sum_s Serve[k,s,y] = inference_mw_k,y, or = it_share_k,y x sum_s ITLoad[s,y] over
    every site of the year. Site_Serve_Limit[s,y]: sum_k Serve[k,s,y] <= ITLoad[s,y].
    """
    lat = latency(inst)
    demand = metro_demand(inst)
    if lat is None or not demand:
        return
    L, ix = m.ledger, m.ix
    exists = set(ix.site_years)
    rows = sorted(demand, key=lambda k: (lat.metros.index(k[0]), k[1]))
    serve = [(k, s, y) for k, y in rows for s in lat.reach[k] if (s, y) in exists]
    m.METRO_YEARS = pyo.Set(initialize=rows, dimen=2, ordered=True)
    m.SERVE = pyo.Set(initialize=serve, dimen=3, ordered=True)
    L.add(m, "Serve", pyo.Var(m.SERVE, domain=pyo.NonNegativeReals), INVESTMENT)
    by_metro, by_site = {}, {}
    for k, s, y in serve:
        by_metro.setdefault((k, y), []).append(s)
        by_site.setdefault((s, y), []).append(k)

    def need(m, k, y):
        kind, v = demand[k, y]
        lhs = sum(m.Serve[k, s, y] for s in by_metro.get((k, y), ()))
        rhs = v if kind == "mw" else v * sum(m.ITLoad[s, y] for s in ix.sites_in[y])
        if not by_metro.get((k, y)) and kind == "mw":  # no site within the budget exists in year y
            return pyo.Constraint.Skip if v <= 0 else pyo.Constraint.Infeasible
        if not by_metro.get((k, y)) and not ix.sites_in[y]:
            return pyo.Constraint.Skip
        return lhs - rhs == 0  # exactly the demand is assigned (any surplus IT is training)

    L.add(m, "Metro_Demand", pyo.Constraint(m.METRO_YEARS, rule=need), INVESTMENT, unit="MW of IT",
          what="the metro's inference load within its latency budget (metros.csv, [latency] budget_ms)",
          place=place_words("for {0} in {1}"), tier=1.0, limit=True, way="less")
    m.SERVE_SITE_YEARS = pyo.Set(initialize=list(by_site), dimen=2, ordered=True)
    L.add(m, "Site_Serve_Limit", pyo.Constraint(m.SERVE_SITE_YEARS, rule=lambda m, s, y: sum(
        m.Serve[k, s, y] for k in by_site[s, y]) <= m.ITLoad[s, y]), INVESTMENT, unit="MW",
        what="inference served within the site's IT load", place=place_words("at {0} in {1}"))
