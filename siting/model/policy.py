"""Emissions and the scenario.toml [policy]: carbon price, CO2 cap, clean-energy share."""

from __future__ import annotations

import pyomo.environ as pyo


def add_policy(m, inst, opts) -> None:
    """Emissions[s,y] = sum_t w_t (co2_k x Gen + grid_co2_z x Import) in tCO2/yr.

    Cost ``carbon`` = carbon_price_usd_per_t x Emissions. CO2_Cap[y]: sum_s Emissions <= co2_cap_t.
    Clean_Share[y]: sum_{s,t} w_t (non-clean Gen + (1 - grid_clean_share_z) x Import)
    <= (1 - clean_share_y) x sum_{s,t} w_t x pue_s(t) x ITLoad[s,y].
    """
    techs = inst.techs.set_index("tech")
    zones = inst.zones.set_index("zone")
    w = m.weight_h
    gens_at = getattr(m, "gens_at", {})
    grid = getattr(m, "has_grid", set())

    def emissions(m, s, y):
        e = sum(m.co2_t_per_mwh[k] * sum(w[t] * m.Gen[k, s, y, t] for t in m.SLICES)
                for k in gens_at.get((s, y), ()) if m.co2_t_per_mwh[k])
        if (s, y) in grid:
            e += m.grid_co2_t_per_mwh[m.zone_of[s]] * sum(w[t] * m.Import[s, y, t] for t in m.SLICES)
        return e

    m.Emissions = pyo.Expression(m.SITE_YEARS, rule=emissions)
    price = float(inst.scenario.get("policy", {}).get("carbon_price_usd_per_t", 0.0) or 0.0)
    if price:
        m.cost_components["carbon"] = lambda s, y: price * m.Emissions[s, y]
    sites_in = {y: [s for s, yy in m.SITE_YEARS if yy == y] for y in m.YEARS}
    cap = {y: inst.policy("co2_cap_t", y) for y in m.YEARS}
    m.CO2_CAP_YEARS = pyo.Set(initialize=[y for y in m.YEARS if cap[y] is not None], ordered=True)
    m.CO2_Cap = pyo.Constraint(m.CO2_CAP_YEARS, rule=lambda m, y: sum(
        m.Emissions[s, y] for s in sites_in[y]) <= float(cap[y]))
    share = {y: inst.policy("clean_share", y) for y in m.YEARS}
    m.CLEAN_SHARE_YEARS = pyo.Set(initialize=[y for y in m.YEARS if share[y]], ordered=True)
    clean = techs["clean"].to_dict()
    gcs = zones["grid_clean_share"].fillna(0.0).to_dict()

    def dirty(s, y):
        e = sum(sum(w[t] * m.Gen[k, s, y, t] for t in m.SLICES) for k in gens_at.get((s, y), ()) if not clean[k])
        if (s, y) in grid and gcs[m.zone_of[s]] < 1:
            e += (1.0 - gcs[m.zone_of[s]]) * sum(w[t] * m.Import[s, y, t] for t in m.SLICES)
        return e

    load_weight = {s: float(sum(m.weight_h[t] * m.pue_t[s][t] for t in m.SLICES)) for s in m.SITES}
    m.Clean_Share = pyo.Constraint(m.CLEAN_SHARE_YEARS, rule=lambda m, y: sum(dirty(s, y) for s in sites_in[y])
                                   <= (1.0 - float(share[y])) * sum(load_weight[s] * m.ITLoad[s, y]
                                                                     for s in sites_in[y]))
