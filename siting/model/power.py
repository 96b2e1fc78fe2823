"""Power capacity, generators and grid import."""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo


def add_capacity(m, inst, opts) -> None:
    """Build[k,s,y] MW (unit_mw x integer Units where unit_mw is set); Cap[k,s,y] MW in service.

    Cap_Accounting: Cap[k,s,y] = sum of Build[k,s,y'] over build years y' <= y with y - y' < life_years
    (Cap is a variable with its own defining row, so that a build appears in one row, not in every
    slice's availability row).

    Cap_Site_Limit: Cap[k,s,y] <= max_mw_per_site x Open[s,y] where max_mw_per_site is set.
    Supply_Limit (only with a supply.csv): sum over the sites of the region of Build[k,s,y] <=
    years_represented_y x max_new_mw.
    Costs ``power_capex`` = crf_tech x capex_usd_per_kw x 1000 x Cap and ``power_fom`` =
    fom_usd_per_kw_yr x 1000 x Cap, in every year the capacity is in service.
    """
    techs = inst.techs.set_index("tech")
    unit = techs["unit_mw"]
    m.Build = pyo.Var(m.TECH_SITE_YEARS, domain=pyo.NonNegativeReals)
    unit_idx = [i for i in m.TECH_SITE_YEARS if not math.isnan(unit[i[0]])]
    if unit_idx:
        m.UNIT_TECH_SITE_YEARS = pyo.Set(initialize=unit_idx, dimen=3, ordered=True)
        m.Units = pyo.Var(m.UNIT_TECH_SITE_YEARS, domain=pyo.NonNegativeIntegers)
        m.Build_Units = pyo.Constraint(m.UNIT_TECH_SITE_YEARS, rule=lambda m, k, s, y: m.Build[k, s, y]
                                       == float(unit[k]) * m.Units[k, s, y])
    src = m.tech_build_years
    m.Cap = pyo.Var(m.TECH_SITE_YEARS, domain=pyo.NonNegativeReals)
    m.Cap_Accounting = pyo.Constraint(m.TECH_SITE_YEARS, rule=lambda m, k, s, y: m.Cap[k, s, y] == sum(
        m.Build[k, s, yi] for yi in src[k, s, y]))
    mx = techs["max_mw_per_site"]
    limited = [i for i in m.TECH_SITE_YEARS if not math.isnan(mx[i[0]])]
    m.CAP_LIMITED = pyo.Set(initialize=limited, dimen=3, ordered=True)
    m.Cap_Site_Limit = pyo.Constraint(m.CAP_LIMITED, rule=lambda m, k, s, y: m.Cap[k, s, y]
                                      <= float(mx[k]) * m.Open[s, y])
    techs_at: dict = {}
    for k, s, y in m.TECH_SITE_YEARS:
        techs_at.setdefault((s, y), []).append(k)
    m.techs_at = techs_at
    _add_supply_caps(m, inst)
    m.cost_components["power_capex"] = lambda s, y: sum(
        m.crf_tech[k] * m.capex_usd_per_kw[k] * 1000.0 * m.Cap[k, s, y] for k in techs_at.get((s, y), ()))
    m.cost_components["power_fom"] = lambda s, y: sum(
        m.fom_usd_per_kw_yr[k] * 1000.0 * m.Cap[k, s, y] for k in techs_at.get((s, y), ()))


def _add_supply_caps(m, inst) -> None:
    """Supply_Limit[k,y,region]: new capacity delivered in a planning year, over the region's sites."""
    sup = inst.supply
    if sup is None or len(sup) == 0:
        return
    n_y = inst.years_represented()
    builds: dict = {}
    for k, s, y in m.TECH_SITE_YEARS:
        builds.setdefault((k, y), []).append(s)
    rows, limit, members = [], {}, {}
    for r in sup.itertuples(index=False):
        region = r.region if isinstance(r.region, str) else ""
        key = (r.tech, int(r.year), region)
        sites = [s for s in builds.get((r.tech, int(r.year)), ()) if not region or m.zone_of[s] == region]
        if sites:  # no site can build the tech that year: nothing to cap
            rows.append(key)
            limit[key] = float(r.max_new_mw) * n_y[int(r.year)]
            members[key] = sites
    m.SUPPLY_CAPS = pyo.Set(initialize=rows, dimen=3, ordered=True)
    m.Supply_Limit = pyo.Constraint(m.SUPPLY_CAPS, rule=lambda m, k, y, r: (
        None, sum(m.Build[k, s, y] for s in members[k, y, r]), limit[k, y, r]))


def add_generators(m, inst, opts) -> None:
    """Gen[k,s,y,t] <= profile_k,s(t) x Cap[k,s,y] (Gen_Availability; <= Cap without a profile).

    Costs ``power_vom`` = sum_t w_t vom x Gen and ``fuel`` = sum_t w_t fuel_usd_per_mmbtu x
    heat_rate x Gen. Injection: Gen into the site's power balance.
    """
    if len(m.GEN_SITE_YEARS) == 0:
        return
    m.Gen = pyo.Var(m.GEN_SITE_YEARS, m.SLICES, domain=pyo.NonNegativeReals)

    cf_lists = {key: np.asarray(v, dtype=float).tolist() for key, v in m.cf.items()}

    # rules return (lower, body, upper) tuples: cheaper to build than relational expressions
    def avail(m, k, s, y, t):
        cf = cf_lists.get((k, s))
        if cf is None:
            return (None, m.Gen[k, s, y, t] - m.Cap[k, s, y], 0.0)
        return (None, m.Gen[k, s, y, t] - cf[t] * m.Cap[k, s, y], 0.0)

    m.Gen_Availability = pyo.Constraint(m.GEN_SITE_YEARS, m.SLICES, rule=avail)
    gens_at: dict = {}
    for k, s, y in m.GEN_SITE_YEARS:
        gens_at.setdefault((s, y), []).append(k)
    m.gens_at = gens_at
    w = m.weight_h
    m.cost_components["power_vom"] = lambda s, y: sum(
        m.vom_usd_per_mwh[k] * sum(w[t] * m.Gen[k, s, y, t] for t in m.SLICES) for k in gens_at.get((s, y), ())
        if m.vom_usd_per_mwh[k])
    m.cost_components["fuel"] = lambda s, y: sum(
        m.fuel_usd_per_mwh[k] * sum(w[t] * m.Gen[k, s, y, t] for t in m.SLICES) for k in gens_at.get((s, y), ())
        if m.fuel_usd_per_mwh[k])
    m.power_injections.append(lambda s, y, t: sum(m.Gen[k, s, y, t] for k in gens_at.get((s, y), ())))


def add_grid(m, inst, opts) -> None:
    """Import[s,y,t] <= grid_mw_s x Open[s,y] from grid_year (Grid_Import_Limit); zonal headroom.

    Zonal_Headroom: sum over the zone's sites of Import[s,y,t] <= headroom_mw_z where given (zones
    where a site may choose a flexibility level get Flex_Zonal_Headroom from add_flexibility instead).
    Cost ``grid_energy`` = sum_t w_t grid_price_z x grid_price profile(t) x Import.
    """
    if len(m.GRID_SITE_YEARS) == 0:
        return
    m.Import = pyo.Var(m.GRID_SITE_YEARS, m.SLICES, domain=pyo.NonNegativeReals)
    m.Grid_Import_Limit = pyo.Constraint(m.GRID_SITE_YEARS, m.SLICES, rule=lambda m, s, y, t: (
        None, m.Import[s, y, t] - m.grid_mw[s] * m.Open[s, y], 0.0))
    zones = inst.zones.set_index("zone")
    head = zones["headroom_mw"]
    by_zy: dict = {}
    for s, y in m.GRID_SITE_YEARS:
        by_zy.setdefault((m.zone_of[s], y), []).append(s)
    flex_zones = {m.zone_of[s] for s in getattr(m, "flex_levels", {})}
    zy = [(z, y) for (z, y) in by_zy if not math.isnan(head[z]) and z not in flex_zones]
    m.HEADROOM_ZONE_YEARS = pyo.Set(initialize=zy, dimen=2, ordered=True)
    m.Zonal_Headroom = pyo.Constraint(m.HEADROOM_ZONE_YEARS, m.SLICES, rule=lambda m, z, y, t: sum(
        m.Import[s, y, t] for s in by_zy[z, y]) <= float(head[z]))
    grid = set(m.GRID_SITE_YEARS)
    m.has_grid = grid
    m.cost_components["grid_energy"] = lambda s, y: sum(
        m.weight_h[t] * float(m.grid_price_t[s][t]) * m.Import[s, y, t] for t in m.SLICES) if (s, y) in grid else 0
    m.power_injections.append(lambda s, y, t: m.Import[s, y, t] if (s, y) in grid else 0)
