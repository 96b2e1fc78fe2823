"""Accelerators: installs, the fleet in service, and the IT load they draw."""

from __future__ import annotations

import pyomo.environ as pyo

from ..index import group
from .ledger import INVESTMENT, Flow, place_words


def add_chips(m, inst, opts) -> None:
    """Install[g,s,y] >= 0 (units, continuous) in the generation's window; InService by life_years.

    ITLoad[s,y] MW (a variable) = sum_g mw_per_unit_g x InService[g,s,y] (IT_Load_Accounting,
    mw_per_unit = watts / 1e6); ITLoad[s,y] <= module_mw_s x Modules[s,y] (IT_Module_Limit);
    sum_s Install[g,s,y] <= sum over the calendar years y stands for that lie in [first_year_g,
    last_year_g] of chip_supply.csv max_units (else max_units_per_year_g) (Chip_Supply_Limit).
    Cost ``chips`` = crf_chip x price_usd x InService, in every year in service; overnight capex
    ``chips`` = price_usd x Install in the year installed.
    """
    L, ix = m.ledger, m.ix
    L.add(m, "Install", pyo.Var(m.CHIP_INSTALL, domain=pyo.NonNegativeReals), INVESTMENT)
    src = ix.chip_service
    m.InService = pyo.Expression(m.CHIP_SERVICE,
                                 rule=lambda m, g, s, y: sum(m.Install[g, s, yi] for yi in src[g, s, y]))
    chips_at = ix.chips_at
    mw = ix.chip_mw_per_unit
    at = place_words("at {0} in {1}")
    L.add(m, "ITLoad", pyo.Var(m.SITE_YEARS, domain=pyo.NonNegativeReals), INVESTMENT)
    L.add(m, "IT_Load_Accounting", pyo.Constraint(m.SITE_YEARS, rule=lambda m, s, y: m.ITLoad[s, y] == sum(
        mw[g] * m.InService[g, s, y] for g in chips_at.get((s, y), ()))), INVESTMENT, unit="MW", place=at,
        what="the IT load of the accelerators in service")
    L.add(m, "IT_Module_Limit", pyo.Constraint(
        m.SITE_YEARS, rule=lambda m, s, y: m.ITLoad[s, y] <= m.module_mw[s] * m.Modules[s, y]),
        INVESTMENT, unit="MW", what="the site IT capacity (sites.csv max_it_mw)", place=at, tier=1.0, limit=True)
    installs_gy = group(ix.chip_install, lambda i: (i[0], i[2]), lambda i: i[1])
    cap = ix.chip_cap
    m.CHIP_SUPPLY_YEARS = pyo.Set(initialize=list(cap), dimen=2, ordered=True)
    L.add(m, "Chip_Supply_Limit", pyo.Constraint(m.CHIP_SUPPLY_YEARS, rule=lambda m, g, y: sum(
        m.Install[g, s, y] for s in installs_gy[g, y]) <= cap[g, y]),
        INVESTMENT, unit="units", what="the accelerator supply (chips.csv max_units_per_year, chip_supply.csv)",
        place=place_words("of {0} in {1}"), tier=1.0, limit=True, weight=lambda idx: mw[idx[0]])
    # the facility load pue_s(t) x ITLoad[s, y], withdrawn from the site's power balance
    L.add_flow(Flow("facility_load", "ITLoad", [("facility_load", s, y, (s, y)) for s, y in ix.site_years],
                    sign=-1.0, role="load", per_slice=False, scale=lambda s: ix.pue_t[s]))
    L.add_cost("chips", lambda s, y: sum(m.crf_chip[g] * m.price_usd[g] * m.InService[g, s, y]
                                         for g in chips_at.get((s, y), ())))
    installs_at = group(ix.chip_install, lambda i: (i[1], i[2]), lambda i: i[0])
    L.add_capex("chips", lambda s, y: sum(m.price_usd[g] * m.Install[g, s, y] for g in installs_at.get((s, y), ())))
