"""Power balance and objective: both sum what the blocks registered."""

from __future__ import annotations

import pyomo.environ as pyo

#: the objective is in million USD: costs of order 1-1e3 keep HiGHS well scaled
OBJECTIVE_SCALE = 1e-6


def add_balance(m, inst, opts) -> None:
    """Power_Balance[s,y,t]: sum of injections >= pue_s(t) x ITLoad[s,y] (surplus is spilled)."""
    inj = m.power_injections
    pue = {s: [float(v) for v in m.pue_t[s]] for s in m.SITES}
    m.Power_Balance = pyo.Constraint(m.SITE_YEARS, m.SLICES, rule=lambda m, s, y, t: (
        0.0, sum(f(s, y, t) for f in inj) - pue[s][t] * m.ITLoad[s, y], None))


def add_objective(m, inst, opts) -> None:
    """AnnualCost[c,s,y] (USD/yr) per cost component; Total_Cost in million USD.

    Total_Cost = OBJECTIVE_SCALE x sum_y discount_factor_y x sum_{c,s} AnnualCost[c,s,y], with
    OBJECTIVE_SCALE = 1e-6 so that the solver sees costs of order 1-1e3 (results report USD).
    """
    comps = list(m.cost_components)
    m.COST_COMPONENTS = pyo.Set(initialize=comps, ordered=True)
    m.AnnualCost = pyo.Expression(m.COST_COMPONENTS, m.SITE_YEARS,
                                  rule=lambda m, c, s, y: m.cost_components[c](s, y))
    m.Total_Cost = pyo.Objective(expr=OBJECTIVE_SCALE * sum(m.discount_factor[y] * m.AnnualCost[c, s, y]
                                          for c in comps for s, y in m.SITE_YEARS), sense=pyo.minimize)
