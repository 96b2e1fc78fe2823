"""Sites and buildings: Open (binary) and Modules (integer IT blocks)."""

from __future__ import annotations

import pyomo.environ as pyo


def _previous(index):
    """(item, previous item of the same site) for consecutive entries of an ordered (s, y) set."""
    prev = {}
    last = {}
    for s, y in index:
        if s in last:
            prev[(s, y)] = (s, last[s])
        last[s] = y
    return prev


def add_sites(m, inst, opts) -> None:
    """Open[s,y] binary, non-decreasing; Modules[s,y] integer, non-decreasing, <= max modules x Open.

    Costs: ``site`` = crf_site x site_capex_usd x Open; ``building`` = crf_building x
    building_capex_usd_per_kw x 1000 x module_mw x Modules, in every year.
    """
    n_max = {s: round(m.max_it_mw[s] / m.module_mw[s]) for s in m.SITES}
    m.Open = pyo.Var(m.SITE_YEARS, domain=pyo.Binary)
    m.Modules = pyo.Var(m.SITE_YEARS, domain=pyo.NonNegativeIntegers, bounds=lambda m, s, y: (0, n_max[s]))
    prev = _previous(m.SITE_YEARS)
    m.site_prev = prev
    m.SITE_YEARS_AFTER_FIRST = pyo.Set(initialize=list(prev), dimen=2, ordered=True)
    m.Open_Nondecreasing = pyo.Constraint(m.SITE_YEARS_AFTER_FIRST,
                                          rule=lambda m, s, y: m.Open[s, y] >= m.Open[prev[s, y]])
    m.Modules_Nondecreasing = pyo.Constraint(m.SITE_YEARS_AFTER_FIRST,
                                             rule=lambda m, s, y: m.Modules[s, y] >= m.Modules[prev[s, y]])
    m.Modules_Open_Limit = pyo.Constraint(m.SITE_YEARS,
                                          rule=lambda m, s, y: m.Modules[s, y] <= n_max[s] * m.Open[s, y])
    m.cost_components["site"] = lambda s, y: m.crf_site[s] * m.site_capex_usd[s] * m.Open[s, y]
    m.cost_components["building"] = lambda s, y: (m.crf_building[s] * m.building_capex_usd_per_kw[s] * 1000.0
                                                  * m.module_mw[s] * m.Modules[s, y])
