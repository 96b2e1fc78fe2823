"""Power balance and objective: both sum what the blocks registered on the ledger."""

from __future__ import annotations

import pyomo.environ as pyo

from .ledger import OPERATIONS, DirectConstraint, balance_rule, place_words

#: the objective is in million USD: costs of order 1-1e3 keep HiGHS well scaled
OBJECTIVE_SCALE = 1e-6


def add_balance(m, inst, opts) -> None:
    """Power_Balance[s,y,t]: sum of the flows (injections - withdrawals, the facility load
    pue_s(t) x ITLoad[s,y] among them) >= 0 (surplus is spilled), over OP_SITE_YEARS (the site-years
    whose operations are modelled: all of SITE_YEARS unless build_model was given op_years)."""
    ix = m.ix
    m.OP_SITE_YEARS = pyo.Set(initialize=ix.op_site_years, dimen=2, ordered=True)
    m.ledger.add(m, "Power_Balance", DirectConstraint(m.OP_SITE_YEARS, m.SLICES, rule=balance_rule(m)), OPERATIONS,
                 unit="MW", what="the power supply of a site (its generators, storage and grid import)",
                 per_slice=True, tier=10.0, place=place_words("at {0} in {1}"))


def add_objective(m, inst, opts) -> None:
    """AnnualCost[c,s,y] (USD/yr) per cost component; Total_Cost in million USD.

    AnnualCost[c,s,y] = the sum of the terms registered for component c. Total_Cost =
    OBJECTIVE_SCALE x sum_y discount_factor_y x sum_{c,s} AnnualCost[c,s,y], with
    OBJECTIVE_SCALE = 1e-6 so that the solver sees costs of order 1-1e3 (results report USD).
    """
    L = m.ledger
    comps = list(L.costs)
    m.COST_COMPONENTS = pyo.Set(initialize=comps, ordered=True)
    m.AnnualCost = pyo.Expression(m.COST_COMPONENTS, m.SITE_YEARS, rule=lambda m, c, s, y: L.cost(c, s, y))
    m.Total_Cost = pyo.Objective(expr=OBJECTIVE_SCALE * sum(m.discount_factor[y] * m.AnnualCost[c, s, y]
                                          for c in comps for s, y in m.SITE_YEARS), sense=pyo.minimize)
