"""24/7 carbon-free energy: a share of facility energy matched hour by hour by clean supply.

Built only when scenario.toml [policy] cfe_share is set (and non-zero in some year). See
docs/formulation.md section 13.3 and docs/features.md.
"""

from __future__ import annotations

import pyomo.environ as pyo

from ..units import HOURS
from .ledger import OPERATIONS, energy_mwh, place_words, served_mwh


def cfe_scope(inst) -> str:
    """``"site"`` (default) or ``"portfolio"``: scenario.toml [policy] cfe_scope."""
    return str((inst.scenario.get("policy") or {}).get("cfe_scope") or "site")


def add_cfe(m, inst, opts) -> None:
    """CFE_Share_Site[s,y] (cfe_scope "site") or CFE_Share_Portfolio[y] ("portfolio"):

    sum_t w_t (load_t - non-clean supply_t) >= cfe_share_y x sum_t w_t load_t, with load_t =
    pue_t x (ITLoad - Curtail) and non-clean supply_t = sum over the supply flows of (1 - their
    clean share in slice t) x flow_t (non-clean Gen, and (1 - grid_clean_share(t)) x Import): each
    slice's load is matched by what is not fossil in that same slice (storage at its net flow);
    clean surplus in one slice adds nothing to another.
    """
    share = {y: inst.policy("cfe_share", y) for y in m.YEARS}
    years = [y for y in m.ix.op_years if share[y]]
    if not years:
        return
    L, ix = m.ledger, m.ix
    ys = set(years)
    csy = [(s, y) for s, y in ix.site_years if y in ys]

    def matched(s, y):
        return (1.0 - float(share[y])) * served_mwh(m, ix, s, y) - energy_mwh(m, ix, s, y, "dirty", "hourly")

    fam = dict(unit="MWh of hourly-matched clean energy", tier=1.0, limit=True, weight=1.0 / HOURS, way="less required")
    if cfe_scope(inst) == "portfolio":
        sites_in = {y: [s for s, yy in csy if yy == y] for y in years}
        m.CFE_YEARS = pyo.Set(initialize=[y for y in years if sites_in[y]], ordered=True)
        L.add(m, "CFE_Share_Portfolio", pyo.Constraint(m.CFE_YEARS, rule=lambda m, y: (
            0.0, sum(matched(s, y) for s in sites_in[y]), None)), OPERATIONS,
            what="the 24/7 carbon-free share ([policy] cfe_share, portfolio)", **fam)
    else:
        m.CFE_SITE_YEARS = pyo.Set(initialize=csy, dimen=2, ordered=True)
        L.add(m, "CFE_Share_Site", pyo.Constraint(m.CFE_SITE_YEARS, rule=lambda m, s, y: (0.0, matched(s, y), None)),
              OPERATIONS, what="the 24/7 carbon-free share ([policy] cfe_share)", place=place_words("at {0} in {1}"),
              **fam)
