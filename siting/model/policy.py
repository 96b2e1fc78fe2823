"""Emissions (operational and embodied) and the scenario.toml [policy]: carbon price, CO2 cap,
clean-energy share."""

from __future__ import annotations

import pyomo.environ as pyo


def add_policy(m, inst, opts) -> None:
    """Emissions[s,y] = sum_t w_t (co2_k x Gen + grid_co2_z x Import) in tCO2/yr (+ EmbodiedEmissions).

    EmbodiedEmissions[s,y] (only when an embodied-carbon value is non-zero) = (sum_g
    embodied_kgco2e_per_unit_g / 1000 x Install[g,s,y] + building_embodied_tco2e_per_mw_s x
    module_mw_s x (Modules[s,y] - Modules[s,y-])) / years_represented_y: the installs of a planning
    year spread over the calendar years it stands for.
    Cost ``carbon`` = carbon_price_usd_per_t x Emissions. CO2_Cap[y]: sum_s Emissions <= co2_cap_t.
    Clean_Share[y]: sum_{s,t} w_t (non-clean Gen + (1 - grid_clean_share_z) x Import)
    <= (1 - clean_share_y) x sum_{s,t} w_t x pue_s(t) x (ITLoad[s,y] - Curtail[s,y,t]): annual
    matching, with the grid at its annual average clean share (the grid_clean_share profile is
    for the hourly CFE match only); the Curtail term exists only for flexible sites.
    With [policy] clean_share_basis = "generation" instead (volumetric, REC-style matching):
    sum_{s,t} w_t (clean Gen, surplus included, + grid_clean_share_z x Import) >= clean_share_y x
    the same facility energy.
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

    if _add_embodied(m, inst):
        operational = emissions
        emb = m.EmbodiedEmissions

        def emissions(m, s, y):
            return operational(m, s, y) + emb[s, y]

    m.Emissions = pyo.Expression(m.SITE_YEARS, rule=emissions)
    price = float(inst.scenario.get("policy", {}).get("carbon_price_usd_per_t", 0.0) or 0.0)
    if price:
        m.cost_components["carbon"] = lambda s, y: price * m.Emissions[s, y]
    sites_in = {y: [s for s, yy in m.SITE_YEARS if yy == y] for y in m.YEARS}
    cap = {y: inst.policy("co2_cap_t", y) for y in m.YEARS}
    m.CO2_CAP_YEARS = pyo.Set(initialize=[y for y in m.YEARS if cap[y] is not None and sites_in[y]], ordered=True)
    m.CO2_Cap = pyo.Constraint(m.CO2_CAP_YEARS, rule=lambda m, y: sum(
        m.Emissions[s, y] for s in sites_in[y]) <= float(cap[y]))
    share = {y: inst.policy("clean_share", y) for y in m.YEARS}
    m.CLEAN_SHARE_YEARS = pyo.Set(initialize=[y for y in m.YEARS if share[y] and sites_in[y]], ordered=True)
    clean = techs["clean"].to_dict()
    gcs = zones["grid_clean_share"].fillna(0.0).to_dict()

    def dirty(s, y):
        e = sum(sum(w[t] * m.Gen[k, s, y, t] for t in m.SLICES) for k in gens_at.get((s, y), ()) if not clean[k])
        if (s, y) in grid and gcs[m.zone_of[s]] < 1:
            e += (1.0 - gcs[m.zone_of[s]]) * sum(w[t] * m.Import[s, y, t] for t in m.SLICES)
        return e

    load_weight = {s: float(sum(m.weight_h[t] * m.pue_t[s][t] for t in m.SLICES)) for s in m.SITES}
    if (inst.scenario.get("policy") or {}).get("clean_share_basis") == "generation":
        # volumetric (REC-style) annual matching: clean MWh generated, surplus included, >= the share
        def clean_mwh(s, y):
            e = sum(sum(w[t] * m.Gen[k, s, y, t] for t in m.SLICES) for k in gens_at.get((s, y), ()) if clean[k])
            if (s, y) in grid and gcs[m.zone_of[s]] > 0:
                e += gcs[m.zone_of[s]] * sum(w[t] * m.Import[s, y, t] for t in m.SLICES)
            return e

        m.Clean_Share = pyo.Constraint(m.CLEAN_SHARE_YEARS, rule=lambda m, y: sum(
            clean_mwh(s, y) for s in sites_in[y]) >= float(share[y]) * sum(
            served_mwh(m, s, y, load_weight[s]) for s in sites_in[y]))
        return
    m.Clean_Share = pyo.Constraint(m.CLEAN_SHARE_YEARS, rule=lambda m, y: sum(dirty(s, y) for s in sites_in[y])
                                   <= (1.0 - float(share[y])) * sum(served_mwh(m, s, y, load_weight[s])
                                                                     for s in sites_in[y]))


def served_mwh(m, s, y, load_weight: float):
    """Facility energy served at (s, y), MWh/yr: load_weight x ITLoad, less curtailed energy where it exists."""
    e = load_weight * m.ITLoad[s, y]
    if hasattr(m, "Curtail") and (s, y) in m.FLEX_SITE_YEARS:
        p = m.pue_t[s]
        e = e - sum(m.weight_h[t] * float(p[t]) * m.Curtail[s, y, t] for t in m.SLICES)
    return e


def _add_embodied(m, inst) -> bool:
    """EmbodiedEmissions[s,y] (tCO2e/yr) when any embodied-carbon value is non-zero; False otherwise."""
    chips = inst.chips.set_index("generation")["embodied_kgco2e_per_unit"].fillna(0.0)
    bld = inst.sites.set_index("site")["building_embodied_tco2e_per_mw"].fillna(0.0)
    if not (chips > 0).any() and not (bld > 0).any():
        return False
    n_y = inst.years_represented()
    installs: dict = {}
    for g, s, y in m.CHIP_INSTALL:
        if chips[g] > 0:
            installs.setdefault((s, y), []).append(g)
    prev = m.site_prev

    def embodied(m, s, y):
        e = sum(float(chips[g]) / 1000.0 * m.Install[g, s, y] for g in installs.get((s, y), ()))
        if bld[s] > 0:
            per_module = float(bld[s]) * float(m.module_mw[s])
            new = m.Modules[s, y] - m.Modules[prev[s, y]] if (s, y) in prev else m.Modules[s, y]
            e = e + per_module * new
        return e / n_y[y]

    m.EmbodiedEmissions = pyo.Expression(m.SITE_YEARS, rule=embodied)
    return True
