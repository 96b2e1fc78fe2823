"""Power capacity, generators and grid import."""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import MonomialTermExpression

from ..index import group
from .ledger import INVESTMENT, OPERATIONS, DirectConstraint, DirectVar, Flow, linear_sum, lookup, place_words

AT = place_words("at {0} in {1}")


def add_capacity(m, inst, opts) -> None:
    """Build[k,s,y] MW (unit_mw x integer Units where unit_mw is set); Cap[k,s,y] MW in service.

    Cap_Accounting: Cap[k,s,y] = sum of Build[k,s,y'] over build years y' <= y with y - y' < life_years
    (Cap is a variable with its own defining row, so that a build appears in one row, not in every
    slice's availability row).

    Cap_Site_Limit: Cap[k,s,y] <= max_mw_per_site x Open[s,y] where max_mw_per_site is set.
    Supply_Limit (only with a supply.csv): sum over the sites of the region of Build[k,s,y] <=
    years_represented_y x max_new_mw.
    Costs ``power_capex`` = crf_tech x capex_usd_per_kw x 1000 x Cap and ``power_fom`` =
    fom_usd_per_kw_yr x 1000 x Cap, in every year the capacity is in service; overnight capex
    ``power`` = capex_usd_per_kw x 1000 x Build in the year built. Every tech kind gets Build and
    Cap here; the kind's own block adds its operation.
    """
    L, ix = m.ledger, m.ix
    techs = inst.techs.set_index("tech")
    unit = techs["unit_mw"]
    L.add(m, "Build", pyo.Var(m.TECH_SITE_YEARS, domain=pyo.NonNegativeReals), INVESTMENT)
    unit_idx = [i for i in m.TECH_SITE_YEARS if not math.isnan(unit[i[0]])]
    if unit_idx:
        m.UNIT_TECH_SITE_YEARS = pyo.Set(initialize=unit_idx, dimen=3, ordered=True)
        L.add(m, "Units", pyo.Var(m.UNIT_TECH_SITE_YEARS, domain=pyo.NonNegativeIntegers), INVESTMENT)
        L.add(m, "Build_Units", pyo.Constraint(m.UNIT_TECH_SITE_YEARS, rule=lambda m, k, s, y: m.Build[k, s, y]
                                               == float(unit[k]) * m.Units[k, s, y]),
              INVESTMENT, unit="MW", what="builds in whole units (techs.csv unit_mw)",
              place=place_words("of {0} at {1} in {2}"))
    src = ix.tech_build_years
    L.add(m, "Cap", pyo.Var(m.TECH_SITE_YEARS, domain=pyo.NonNegativeReals), INVESTMENT)
    L.add(m, "Cap_Accounting", pyo.Constraint(m.TECH_SITE_YEARS, rule=lambda m, k, s, y: m.Cap[k, s, y] == sum(
        m.Build[k, s, yi] for yi in src[k, s, y])), INVESTMENT, unit="MW", what="capacity in service",
        place=place_words("of {0} at {1} in {2}"))
    mx = techs["max_mw_per_site"]
    limited = [i for i in m.TECH_SITE_YEARS if not math.isnan(mx[i[0]])]
    m.CAP_LIMITED = pyo.Set(initialize=limited, dimen=3, ordered=True)
    L.add(m, "Cap_Site_Limit", pyo.Constraint(m.CAP_LIMITED, rule=lambda m, k, s, y: m.Cap[k, s, y]
                                              <= float(mx[k]) * m.Open[s, y]),
          INVESTMENT, unit="MW", what="the on-site capacity limit (techs.csv max_mw_per_site)",
          place=place_words("for {0} at {1} in {2}"), tier=1.0, limit=True)
    techs_at = ix.techs_at
    _add_supply_caps(m, inst)
    L.add_cost("power_capex", lambda s, y: sum(
        m.crf_tech[k] * m.capex_usd_per_kw[k] * 1000.0 * m.Cap[k, s, y] for k in techs_at.get((s, y), ())))
    L.add_cost("power_fom", lambda s, y: sum(
        m.fom_usd_per_kw_yr[k] * 1000.0 * m.Cap[k, s, y] for k in techs_at.get((s, y), ())))
    L.add_capex("power", lambda s, y: sum(
        m.capex_usd_per_kw[k] * 1000.0 * m.Build[k, s, y] for k in techs_at.get((s, y), ())))


def _add_supply_caps(m, inst) -> None:
    """Supply_Limit[k,y,region]: new capacity of tech k (or of the techs of supply_group k) delivered in a
    planning year, over the region's sites."""
    sup = inst.supply
    if sup is None or len(sup) == 0:
        return
    ix = m.ix
    builds = group(ix.tech_site_years, lambda i: (i[0], i[2]), lambda i: i[1])
    rows, limit, members = [], {}, {}
    group_of = inst.techs.set_index("tech")["supply_group"].to_dict()
    for r in sup.itertuples(index=False):
        region = r.region if isinstance(r.region, str) else ""
        key = (r.tech, int(r.year), region)
        # a supply.csv tech names one tech, or a supply_group shared by several
        techs = [r.tech] if r.tech in group_of else [k for k, g in group_of.items() if g == r.tech]
        pairs = [(k, s) for k in techs for s in builds.get((k, int(r.year)), ())
                 if not region or ix.zone_of[s] == region]
        if pairs:  # no site can build the tech that year: nothing to cap
            rows.append(key)
            limit[key] = float(r.max_new_mw) * ix.n_y[int(r.year)]
            members[key] = pairs
    m.SUPPLY_CAPS = pyo.Set(initialize=rows, dimen=3, ordered=True)
    m.ledger.add(m, "Supply_Limit", pyo.Constraint(m.SUPPLY_CAPS, rule=lambda m, k, y, r: (
        None, sum(m.Build[kk, s, y] for kk, s in members[k, y, r]), limit[k, y, r])),
        INVESTMENT, unit="MW", what="the equipment supply cap (supply.csv max_new_mw)", tier=1.0, limit=True,
        place=lambda p: f"of {p[0]} in {p[1]}" + (f" in region {p[2]}" if len(p) > 2 and p[2] else ""))


def add_generators(m, inst, opts) -> None:
    """Gen[k,s,y,t] <= profile_k,s(t) x Cap[k,s,y] (Gen_Availability; <= Cap without a profile).

    Costs ``power_vom`` = sum_t w_t vom x Gen and ``fuel`` = sum_t w_t fuel price x heat_rate x Gen,
    the fuel price from fuels.csv for the site's zone and the year where the tech names a fuel with
    rows there, else techs.csv fuel_usd_per_mmbtu. Flow ``generation`` (supply): Gen into the site's
    power balance, clean as techs.csv ``clean`` says, at co2_t_per_mwh.
    """
    add_dispatchable(m, "generator", "Gen", "Gen_Availability", "generation")


def add_dispatchable(m, kind: str, var: str, avail: str, flow: str) -> list:
    """Output ``var[k,s,y,t]`` of the techs of ``kind``, within their availability (constraint ``avail``),
    with their VOM and fuel costs and a supply flow named ``flow``. Returns the (k, s, y) index
    (empty: nothing is built). Any kind of supply that runs within its available capacity uses this."""
    L, ix = m.ledger, m.ix
    index = ix.of_kind(kind)
    if not index:
        return index
    iset = m.GEN_SITE_YEARS if kind == "generator" else pyo.Set(initialize=index, dimen=3, ordered=True)
    if kind != "generator":
        setattr(m, f"{kind.upper()}_SITE_YEARS", iset)
    L.add(m, var, DirectVar(iset, m.SLICES, domain=pyo.NonNegativeReals), OPERATIONS)
    out = getattr(m, var)
    cf_lists = {key: np.asarray(v, dtype=float).tolist() for key, v in ix.cf.items()}

    x, cap = lookup(out), lookup(m.Cap)

    def rule(m, k, s, y, t):  # x - cf x Cap <= 0, made in one step (the model's most numerous row)
        cf = cf_lists.get((k, s))
        c = -1.0 if cf is None else -cf[t]
        return linear_sum([x[k, s, y, t], MonomialTermExpression((c, cap[k, s, y]))]) <= 0.0

    L.add(m, avail, DirectConstraint(iset, m.SLICES, rule=rule), OPERATIONS, unit="MW",
          what=f"{kind} availability (techs.csv profile)", per_slice=True, place=place_words("of {0} at {1} in {2}"))
    add_supply_flow(m, flow, var, index)
    at = ix.at(kind)
    w = m.weight_h
    L.add_cost("power_vom", lambda s, y: sum(
        m.vom_usd_per_mwh[k] * sum(w[t] * out[k, s, y, t] for t in m.SLICES) for k in at.get((s, y), ())
        if m.vom_usd_per_mwh[k]))
    fuel = ix.fuel_cost
    L.add_cost("fuel", lambda s, y: sum(
        fuel(k, s, y) * sum(w[t] * out[k, s, y, t] for t in m.SLICES) for k in at.get((s, y), ())
        if fuel(k, s, y)))
    return index


def add_supply_flow(m, name: str, var: str, index) -> None:
    """Register ``var[k, s, y, t]`` over ``index`` (k, s, y) as on-site supply of tech k: clean per techs.csv
    ``clean``, at its co2_t_per_mwh, labelled by the tech in the dispatch table."""
    ix = m.ix
    co2 = {k: float(m.co2_t_per_mwh[k]) for k in m.TECHS}
    m.ledger.add_flow(Flow(name, var, [(k, s, y, (k, s, y)) for k, s, y in index], role="supply",
                           clean_annual=lambda k, s: 1.0 if ix.clean[k] else 0.0, co2=lambda k, s: co2[k]))


def add_grid(m, inst, opts) -> None:
    """Import[s,y,t] <= grid_mw_s x Open[s,y] from grid_year (Grid_Import_Limit); zonal headroom.

    Zonal_Headroom: sum over the zone's sites of Import[s,y,t] <= headroom_mw_z where given (zones
    where a site may choose a flexibility level get Flex_Zonal_Headroom from add_flexibility instead).
    Cost ``grid_energy`` = sum_t w_t grid_price_z x grid_price profile(t) x Import. Flow
    ``grid_import`` (supply): clean at the zone's grid_clean_share (per slice with a
    grid_clean_share profile, for 24/7 CFE), at grid_co2_t_per_mwh.
    """
    if len(m.GRID_SITE_YEARS) == 0:
        return
    L, ix = m.ledger, m.ix
    L.add(m, "Import", DirectVar(m.GRID_SITE_YEARS, m.SLICES, domain=pyo.NonNegativeReals), OPERATIONS)
    imp, opn = lookup(m.Import), lookup(m.Open)
    grid_mw = {s: float(m.grid_mw[s]) for s in m.SITES}
    L.add(m, "Grid_Import_Limit", DirectConstraint(m.GRID_SITE_YEARS, m.SLICES, rule=lambda m, s, y, t: (
        linear_sum([imp[s, y, t], MonomialTermExpression((-grid_mw[s], opn[s, y]))]) <= 0.0)), OPERATIONS, unit="MW",
        what="the grid connection (sites.csv grid_mw)", place=AT, per_slice=True, tier=1.0, limit=True)
    zones = inst.zones.set_index("zone")
    head = zones["headroom_mw"]
    by_zy = group(ix.grid_site_years, lambda i: (ix.zone_of[i[0]], i[1]), lambda i: i[0])
    flex_zones = {ix.zone_of[s] for s in ix.flex_levels}
    zy = [(z, y) for (z, y) in by_zy if not math.isnan(head[z]) and z not in flex_zones]
    m.HEADROOM_ZONE_YEARS = pyo.Set(initialize=zy, dimen=2, ordered=True)
    head_mw = {z: float(head[z]) for z, _ in zy}
    L.add(m, "Zonal_Headroom", DirectConstraint(m.HEADROOM_ZONE_YEARS, m.SLICES, rule=lambda m, z, y, t: linear_sum(
        [imp[s, y, t] for s in by_zy[z, y]]) <= head_mw[z]), OPERATIONS, unit="MW",
        what="the zonal grid headroom (zones.csv headroom_mw)", place=place_words("in zone {0} in {1}"),
        per_slice=True, tier=1.0, limit=True)
    grid = set(m.GRID_SITE_YEARS)
    price = ix.grid_price_t
    L.add_cost("grid_energy", lambda s, y: sum(
        m.weight_h[t] * float(price[s][t]) * m.Import[s, y, t] for t in m.SLICES) if (s, y) in grid else 0)
    L.add_flow(Flow("grid_import", "Import", [("grid_import", s, y, (s, y)) for s, y in ix.grid_site_years],
                    role="supply", clean_annual=lambda _label, s: ix.grid_clean_share[ix.zone_of[s]],
                    clean_hourly=lambda _label, s: ix.grid_clean_share_t(s),
                    co2=lambda _label, s: float(m.grid_co2_t_per_mwh[ix.zone_of[s]])))
