"""Accelerators: installs, the fleet in service, and the IT load they draw."""

from __future__ import annotations

import pyomo.environ as pyo


def add_chips(m, inst, opts) -> None:
    """Install[g,s,y] >= 0 (units, continuous) in the generation's window; InService by life_years.

    ITLoad[s,y] MW (a variable) = sum_g watts_g x InService[g,s,y] / 1e6 (IT_Load_Accounting);
    ITLoad[s,y] <= module_mw_s x Modules[s,y] (IT_Module_Limit);
    sum_s Install[g,s,y] <= max_units_per_year_g x n_gy (Chip_Supply_Limit), with n_gy the
    calendar years y stands for that lie in [first_year_g, last_year_g].
    Cost ``chips`` = crf_chip x price_usd x InService, in every year in service.
    """
    chips = inst.chips.set_index("generation")
    m.Install = pyo.Var(m.CHIP_INSTALL, domain=pyo.NonNegativeReals)
    src = m.chip_install_years
    m.InService = pyo.Expression(m.CHIP_SERVICE,
                                 rule=lambda m, g, s, y: sum(m.Install[g, s, yi] for yi in src[g, s, y]))
    chips_at: dict = {}
    for g, s, y in m.CHIP_SERVICE:
        chips_at.setdefault((s, y), []).append(g)
    m.chips_at = chips_at
    m.ITLoad = pyo.Var(m.SITE_YEARS, domain=pyo.NonNegativeReals)
    m.IT_Load_Accounting = pyo.Constraint(m.SITE_YEARS, rule=lambda m, s, y: m.ITLoad[s, y] == sum(
        m.watts[g] * m.InService[g, s, y] for g in chips_at.get((s, y), ())) / 1e6)
    m.IT_Module_Limit = pyo.Constraint(m.SITE_YEARS,
                                       rule=lambda m, s, y: m.ITLoad[s, y] <= m.module_mw[s] * m.Modules[s, y])
    cap = chips["max_units_per_year"]
    capped = [(g, y) for g in m.CHIPS for y in m.YEARS if cap.notna()[g]
              and chips.at[g, "first_year"] <= y <= chips.at[g, "last_year"]]
    installs_gy: dict = {}
    for g, s, y in m.CHIP_INSTALL:
        installs_gy.setdefault((g, y), []).append(s)
    m.CHIP_SUPPLY_YEARS = pyo.Set(initialize=[i for i in capped if i in installs_gy], dimen=2, ordered=True)
    n_y = inst.years_represented()
    m.supply_years = {(g, y): sum(1 for c in range(y, y + n_y[y])
                                  if chips.at[g, "first_year"] <= c <= chips.at[g, "last_year"])
                      for g, y in m.CHIP_SUPPLY_YEARS}
    m.Chip_Supply_Limit = pyo.Constraint(m.CHIP_SUPPLY_YEARS, rule=lambda m, g, y: sum(
        m.Install[g, s, y] for s in installs_gy[g, y]) <= float(cap[g]) * m.supply_years[g, y])
    m.cost_components["chips"] = lambda s, y: sum(m.crf_chip[g] * m.price_usd[g] * m.InService[g, s, y]
                                                  for g in chips_at.get((s, y), ()))
