"""Unserved energy: a facility load the supply cannot meet, at a price (value of lost load).

Built only when ``build_model(..., unserved_usd_per_mwh=V)`` asks for it: the hourly check
(:mod:`siting.hourly`) fixes a plan's investments and runs its operations over every hour, and
a shortfall of supply there is reported as energy unserved rather than as an infeasible model.
"""

from __future__ import annotations

import pyomo.environ as pyo

from .ledger import OPERATIONS, DirectConstraint, DirectVar, Flow


def add_unserved(m, inst, opts) -> None:
    """Unserved[s,y,t] MW >= 0, at most the facility load pue_s(t) x ITLoad[s,y] (Unserved_Limit); a
    load reduction in the power balance (flow ``unserved``) and in the energy served; cost
    ``unserved`` = V x sum_t w_t Unserved."""
    v = opts.get("unserved_usd_per_mwh")
    if v is None:
        return
    L, ix = m.ledger, m.ix
    v = float(v)
    sy = ix.op_site_years
    m.UNSERVED_SITE_YEARS = pyo.Set(initialize=sy, dimen=2, ordered=True)
    L.add(m, "Unserved", DirectVar(m.UNSERVED_SITE_YEARS, m.SLICES, domain=pyo.NonNegativeReals), OPERATIONS)
    pue = {s: [float(x) for x in ix.pue_t[s]] for s in ix.sites}
    L.add(m, "Unserved_Limit", DirectConstraint(m.UNSERVED_SITE_YEARS, m.SLICES, rule=lambda m, s, y, t: (
        None, m.Unserved[s, y, t] - pue[s][t] * m.ITLoad[s, y], 0.0)), OPERATIONS, unit="MW",
        what="unserved energy up to the facility load", per_slice=True)
    L.add_flow(Flow("unserved", "Unserved", [("unserved", s, y, (s, y)) for s, y in sy], role="load_reduction"))
    keys = set(sy)
    w = ix.weight_h
    L.add_cost("unserved", lambda s, y: v * sum(w[t] * m.Unserved[s, y, t] for t in range(ix.n))
               if (s, y) in keys else 0)
