"""Emissions (operational and embodied) and the scenario.toml [policy]: carbon price, CO2 cap,
clean-energy share. Everything here is summed from the ledger's flows and emission terms."""

from __future__ import annotations

import pyomo.environ as pyo

from ..units import HOURS
from .ledger import OPERATIONS, emission_terms, energy_mwh, served_mwh


def add_policy(m, inst, opts) -> None:
    """Emissions[s,y] = the CO2 of the supply flows, sum_t w_t co2 x flow (tCO2/yr; on-site generators
    at techs.csv co2_t_per_mwh, the grid at zones.csv grid_co2_t_per_mwh), + EmbodiedEmissions.

    EmbodiedEmissions[s,y] (only when an embodied-carbon value is non-zero) = (sum_g
    embodied_kgco2e_per_unit_g / 1000 x Install[g,s,y] + building_embodied_tco2e_per_mw_s x
    module_mw_s x (Modules[s,y] - Modules[s,y-])) / years_represented_y: the installs of a planning
    year spread over the calendar years it stands for.
    Cost ``carbon`` = carbon_price_usd_per_t x Emissions. CO2_Cap[y]: sum_s Emissions <= co2_cap_t.
    Clean_Share[y]: sum_{s,t} w_t (1 - clean share) x supply flow <= (1 - clean_share_y) x served
    facility energy (pue x ITLoad less curtailment): annual matching, the grid at its annual
    clean share (the grid_clean_share profile is for the hourly CFE match only). With [policy]
    clean_share_basis = "generation" instead (volumetric, REC-style matching): sum_{s,t} w_t
    clean share x supply flow (surplus included) >= clean_share_y x the same facility energy.
    """
    L, ix = m.ledger, m.ix
    if _add_embodied(m, inst):
        L.add_emission("embodied", lambda s, y: m.EmbodiedEmissions[s, y], kind="embodied")
    m.Emissions = pyo.Expression(m.SITE_YEARS, rule=lambda m, s, y: emission_terms(m, ix, s, y, "operational")
                                 + emission_terms(m, ix, s, y, "embodied"))
    price = float(inst.scenario.get("policy", {}).get("carbon_price_usd_per_t", 0.0) or 0.0)
    if price:
        L.add_cost("carbon", lambda s, y: price * m.Emissions[s, y])
    sites_in = ix.sites_in
    cap = {y: inst.policy("co2_cap_t", y) for y in ix.years}
    m.CO2_CAP_YEARS = pyo.Set(initialize=[y for y in ix.op_years if cap[y] is not None and sites_in[y]], ordered=True)
    co2 = [float(v) for v in inst.techs["co2_t_per_mwh"]] + [float(v) for v in inst.zones["grid_co2_t_per_mwh"]]
    co2_max = max([v for v in co2 if v > 0], default=1.0)
    L.add(m, "CO2_Cap", pyo.Constraint(m.CO2_CAP_YEARS, rule=lambda m, y: sum(
        m.Emissions[s, y] for s in sites_in[y]) <= float(cap[y])), OPERATIONS, unit="tCO2",
        what="the CO2 cap (scenario.toml [policy] co2_cap_t)", tier=1.0, limit=True, weight=1.0 / (HOURS * co2_max))
    share = {y: inst.policy("clean_share", y) for y in ix.years}
    m.CLEAN_SHARE_YEARS = pyo.Set(initialize=[y for y in ix.op_years if share[y] and sites_in[y]], ordered=True)
    fam = dict(what="the clean-energy share (scenario.toml [policy] clean_share)", tier=1.0, limit=True,
               weight=1.0 / HOURS)
    if clean_share_basis(inst) == "generation":
        # volumetric (REC-style) annual matching: clean MWh generated, surplus included, >= the share
        L.add(m, "Clean_Share", pyo.Constraint(m.CLEAN_SHARE_YEARS, rule=lambda m, y: sum(
            energy_mwh(m, ix, s, y, "clean", "annual") for s in sites_in[y]) >= float(share[y]) * sum(
            served_mwh(m, ix, s, y) for s in sites_in[y])), OPERATIONS, unit="MWh of clean energy", way="less required",
            **fam)
        return
    L.add(m, "Clean_Share", pyo.Constraint(m.CLEAN_SHARE_YEARS, rule=lambda m, y: sum(
        energy_mwh(m, ix, s, y, "dirty", "annual") for s in sites_in[y]) <= (1.0 - float(share[y])) * sum(
        served_mwh(m, ix, s, y) for s in sites_in[y])), OPERATIONS, unit="MWh of non-clean energy",
        way="more allowed", **fam)


def clean_share_basis(inst) -> str:
    """``"consumption"`` (default) or ``"generation"``: scenario.toml [policy] clean_share_basis."""
    return "generation" if (inst.scenario.get("policy") or {}).get("clean_share_basis") == "generation" \
        else "consumption"


def _add_embodied(m, inst) -> bool:
    """EmbodiedEmissions[s,y] (tCO2e/yr) when any embodied-carbon value is non-zero; False otherwise."""
    chips = inst.chips.set_index("generation")["embodied_kgco2e_per_unit"].fillna(0.0)
    bld = inst.sites.set_index("site")["building_embodied_tco2e_per_mw"].fillna(0.0)
    if not (chips > 0).any() and not (bld > 0).any():
        return False
    ix = m.ix
    installs: dict = {}
    for g, s, y in ix.chip_install:
        if chips[g] > 0:
            installs.setdefault((s, y), []).append(g)
    prev = ix.site_prev

    def embodied(m, s, y):
        e = sum(float(chips[g]) / 1000.0 * m.Install[g, s, y] for g in installs.get((s, y), ()))
        if bld[s] > 0:
            per_module = float(bld[s]) * float(m.module_mw[s])
            new = m.Modules[s, y] - m.Modules[prev[s, y]] if (s, y) in prev else m.Modules[s, y]
            e = e + per_module * new
        return e / ix.n_y[y]

    m.EmbodiedEmissions = pyo.Expression(m.SITE_YEARS, rule=embodied)
    return True
