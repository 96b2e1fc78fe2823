"""Power balance and objective: both sum what the blocks registered."""

from __future__ import annotations

import pyomo.environ as pyo


def add_balance(m, inst, opts) -> None:
    """Power_Balance[s,y,t]: sum of injections >= pue_s(t) x ITLoad[s,y] (surplus is spilled)."""
    inj = m.power_injections
    m.Power_Balance = pyo.Constraint(m.SITE_YEARS, m.SLICES, rule=lambda m, s, y, t: sum(
        f(s, y, t) for f in inj) >= float(m.pue_t[s][t]) * m.ITLoad[s, y])


def add_objective(m, inst, opts) -> None:
    """AnnualCost[c,s,y] per cost component; Total_Cost = sum_y discount_factor_y x sum_{c,s} AnnualCost."""
    comps = list(m.cost_components)
    m.COST_COMPONENTS = pyo.Set(initialize=comps, ordered=True)
    m.AnnualCost = pyo.Expression(m.COST_COMPONENTS, m.SITE_YEARS,
                                  rule=lambda m, c, s, y: m.cost_components[c](s, y))
    m.Total_Cost = pyo.Objective(expr=sum(m.discount_factor[y] * m.AnnualCost[c, s, y]
                                          for c in comps for s, y in m.SITE_YEARS), sense=pyo.minimize)
