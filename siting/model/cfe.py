"""24/7 carbon-free energy: a share of facility energy matched hour by hour by clean supply.

Built only when scenario.toml [policy] cfe_share is set (and non-zero in some year). See
docs/formulation.md section 13.3 and docs/features.md.
"""

from __future__ import annotations

import pyomo.environ as pyo


def cfe_scope(inst) -> str:
    """``"site"`` (default) or ``"portfolio"``: scenario.toml [policy] cfe_scope."""
    return str((inst.scenario.get("policy") or {}).get("cfe_scope") or "site")


def grid_clean_share_t(m, s) -> list[float]:
    """The clean share of grid energy at site ``s`` per slice: the grid_clean_share profile x the
    zone's grid_clean_share capped at 1, or the zone's flat grid_clean_share."""
    k_t = m.grid_clean_t.get(s)
    if k_t is not None:
        return [float(v) for v in k_t]
    z = m.zone_of[s]
    share = m.inst.zones.set_index("zone")["grid_clean_share"].fillna(0.0)[z]
    return [float(share)] * len(m.SLICES)


def add_cfe(m, inst, opts) -> None:
    """CFE_Share_Site[s,y] (cfe_scope "site") or CFE_Share_Portfolio[y] ("portfolio"):

    sum_t w_t (load_t - non-clean supply_t) >= cfe_share_y x sum_t w_t load_t, with load_t =
    pue_t x (ITLoad - Curtail) and non-clean supply_t = non-clean Gen + (1 - grid_clean_share(t))
    x Import: each slice's load is matched by what is not fossil in that same slice (storage at
    its net flow); clean surplus in one slice adds nothing to another.
    """
    share = {y: inst.policy("cfe_share", y) for y in m.YEARS}
    years = [y for y in m.YEARS if share[y]]
    if not years:
        return
    from .policy import served_mwh

    clean = inst.techs.set_index("tech")["clean"].to_dict()
    ys = set(years)
    csy = [(s, y) for s, y in m.SITE_YEARS if y in ys]
    gens_at = getattr(m, "gens_at", {})
    grid = getattr(m, "has_grid", set())
    kappa = {s: grid_clean_share_t(m, s) for s in m.SITES}
    load_weight = {s: float(sum(m.weight_h[t] * m.pue_t[s][t] for t in m.SLICES)) for s in m.SITES}
    w = [float(m.weight_h[t]) for t in m.SLICES]

    def non_clean_mwh(s, y):
        e = sum(w[t] * m.Gen[k, s, y, t] for k in gens_at.get((s, y), ()) if not clean[k] for t in m.SLICES)
        if (s, y) in grid:
            e = e + sum(w[t] * (1.0 - kappa[s][t]) * m.Import[s, y, t] for t in m.SLICES if kappa[s][t] < 1.0)
        return e

    def matched(s, y):
        return (1.0 - float(share[y])) * served_mwh(m, s, y, load_weight[s]) - non_clean_mwh(s, y)

    if cfe_scope(inst) == "portfolio":
        sites_in = {y: [s for s, yy in csy if yy == y] for y in years}
        m.CFE_YEARS = pyo.Set(initialize=[y for y in years if sites_in[y]], ordered=True)
        m.CFE_Share_Portfolio = pyo.Constraint(m.CFE_YEARS, rule=lambda m, y: (
            0.0, sum(matched(s, y) for s in sites_in[y]), None))
    else:
        m.CFE_SITE_YEARS = pyo.Set(initialize=csy, dimen=2, ordered=True)
        m.CFE_Share_Site = pyo.Constraint(m.CFE_SITE_YEARS, rule=lambda m, s, y: (0.0, matched(s, y), None))
