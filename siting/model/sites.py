"""Sites and buildings: Open (binary) and Modules (integer IT blocks)."""

from __future__ import annotations

import pyomo.environ as pyo

from .ledger import INVESTMENT, place_words


def add_sites(m, inst, opts) -> None:
    """Open[s,y] binary, non-decreasing; Modules[s,y] integer, non-decreasing, <= max modules x Open.

    Costs: ``site`` = crf_site x site_capex_usd x Open; ``building`` = crf_building x
    building_capex_usd_per_kw x 1000 x module_mw x Modules, in every year. Overnight capex in the
    year commissioned: ``site`` = site_capex_usd x (Open - Open of the previous year), ``building`` =
    building_capex_usd_per_kw x 1000 x module_mw x (Modules - Modules of the previous year).
    """
    L, ix = m.ledger, m.ix
    n_max = {s: round(m.max_it_mw[s] / m.module_mw[s]) for s in m.SITES}
    L.add(m, "Open", pyo.Var(m.SITE_YEARS, domain=pyo.Binary), INVESTMENT)
    L.add(m, "Modules", pyo.Var(m.SITE_YEARS, domain=pyo.NonNegativeIntegers, bounds=lambda m, s, y: (0, n_max[s])),
          INVESTMENT)
    prev = ix.site_prev
    m.SITE_YEARS_AFTER_FIRST = pyo.Set(initialize=list(prev), dimen=2, ordered=True)
    at = place_words("at {0} in {1}")
    L.add(m, "Open_Nondecreasing", pyo.Constraint(m.SITE_YEARS_AFTER_FIRST,
                                                  rule=lambda m, s, y: m.Open[s, y] >= m.Open[prev[s, y]]),
          INVESTMENT, unit="site", what="a site stays open once opened", place=at)
    L.add(m, "Modules_Nondecreasing", pyo.Constraint(m.SITE_YEARS_AFTER_FIRST,
                                                     rule=lambda m, s, y: m.Modules[s, y] >= m.Modules[prev[s, y]]),
          INVESTMENT, unit="module", what="modules stay built", place=at)
    L.add(m, "Modules_Open_Limit", pyo.Constraint(m.SITE_YEARS,
                                                  rule=lambda m, s, y: m.Modules[s, y] <= n_max[s] * m.Open[s, y]),
          INVESTMENT, unit="module", what="modules only at an open site (sites.csv max_it_mw / module_mw)", place=at)
    L.add_cost("site", lambda s, y: m.crf_site[s] * m.site_capex_usd[s] * m.Open[s, y])
    L.add_cost("building", lambda s, y: (m.crf_building[s] * m.building_capex_usd_per_kw[s] * 1000.0
                                         * m.module_mw[s] * m.Modules[s, y]))

    def new(var, s, y):
        return var[s, y] - var[prev[s, y]] if (s, y) in prev else var[s, y]

    L.add_capex("site", lambda s, y: m.site_capex_usd[s] * new(m.Open, s, y))
    L.add_capex("building", lambda s, y: (m.building_capex_usd_per_kw[s] * 1000.0 * m.module_mw[s]
                                          * new(m.Modules, s, y)))
