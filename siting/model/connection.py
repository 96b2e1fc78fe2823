"""The grid spur line and the fiber route of a site, priced by distance when the site opens.

Built only for sites with a sites.csv ``substation_km`` (and a grid connection) or a ``fiber_km``; it
adds no variable or constraint, only cost and capex terms on ``Open`` (and, through the index, the
spur line's lead time delays the site's first year of grid import). See docs/formulation.md
section 15.2 and docs/features.md.
"""

from __future__ import annotations

from ..attributes import fiber_costs, spur_lines


def add_connection(m, inst, opts) -> None:
    """Costs ``spur_line`` = crf_site x spur_usd_s x Open[s,y] and ``fiber`` = crf_site x fiber_usd_s x Open[s,y]
    (annualised over site_life_years like site_capex_usd); overnight capex of the same names when the site opens.
    spur_usd and the line's voltage class come from :func:`siting.attributes.spur_line`."""
    spur = {s: sp.usd for s, sp in spur_lines(inst).items() if sp.usd > 0}
    fiber = {s: v for s, v in fiber_costs(inst).items() if v > 0}
    if not spur and not fiber:
        return
    L, prev = m.ledger, m.ix.site_prev

    def new_open(s, y):
        return m.Open[s, y] - m.Open[prev[s, y]] if (s, y) in prev else m.Open[s, y]

    for name, usd in (("spur_line", spur), ("fiber", fiber)):
        if usd:
            L.add_cost(name, lambda s, y, usd=usd: m.crf_site[s] * usd[s] * m.Open[s, y] if s in usd else 0)
            L.add_capex(name, lambda s, y, usd=usd: usd[s] * new_open(s, y) if s in usd else 0)
