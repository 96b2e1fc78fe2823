"""Cooling and water: each site chooses one cooling option (cooling.csv); the option sets its water use,
its extra facility power (a PUE adder, hour by hour through a profile) and its capital.

Built only with a cooling.csv; otherwise no component exists. Every variable is of the investment
stage (the choice, the capacity and the IT load per option, a year in every index but the choice's).
See docs/formulation.md section 15.1 and docs/features.md.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..attributes import cooling_options, water_limits, water_prices
from ..units import HOURS
from .ledger import INVESTMENT, Flow, place_words

AT = place_words("at {0} in {1}")


def option_table(inst) -> dict:
    """option -> (water m3/MWh of IT, pue_adder, pue_profile or None, capex USD/kW)."""
    out = {}
    for r in inst.cooling.itertuples(index=False):
        prof = r.pue_profile if isinstance(r.pue_profile, str) and r.pue_profile else None
        out[r.option] = (float(r.water_l_per_kwh), float(r.pue_adder or 0.0), prof, float(r.capex_usd_per_kw or 0.0))
    return out


def pue_adders(m, inst) -> dict:
    """(site, option) -> the option's extra PUE per slice (pue_adder x its profile, or flat), for adders > 0."""
    ix = m.ix
    table = option_table(inst)
    out = {}
    for s, opts in cooling_options(inst).items():
        for o in opts:
            _w, add, prof, _c = table[o]
            if add <= 0:
                continue
            shape = ix.slices.profile(s, ix.zone_of[s], prof) if prof else None
            out[s, o] = add * (np.ones(ix.n) if shape is None else np.asarray(shape, dtype=float))
    return out


def add_water(m, inst, opts) -> None:
    """Cool[s,o] binary, one per site (Cooling_Choice); CoolCap[s,o,y] MW of IT capacity built with option o:
    sum_o CoolCap = module_mw x Modules (Cooling_Capacity), CoolCap <= max_it_mw x Cool (Cooling_Option_Limit);
    CoolIT[s,o,y] MW of IT load cooled by o: sum_o CoolIT = ITLoad (Cooling_Load), CoolIT <= CoolCap
    (Cooling_IT_Limit). Water[s,y] = sum_o water_l_per_kwh_o x 8760 x CoolIT, m3/yr; Water_Limit_Site,
    Water_Limit_Zone. Costs ``water`` = price_s x Water and ``cooling`` = crf_building x capex x 1000 x
    CoolCap; overnight capex ``cooling``. Flow ``cooling_<o>`` (load): pue_adder_o(t) x CoolIT."""
    at = cooling_options(inst)
    if not at:
        return
    L, ix = m.ledger, m.ix
    table = option_table(inst)
    pairs = [(s, o) for s in ix.sites for o in at[s]]
    m.COOL_OPTIONS = pyo.Set(initialize=pairs, dimen=2, ordered=True)
    m.COOL_SITE_YEARS = pyo.Set(initialize=[(s, o, y) for s, y in ix.site_years for o in at[s]], dimen=3,
                                ordered=True)
    L.add(m, "Cool", pyo.Var(m.COOL_OPTIONS, domain=pyo.Binary), INVESTMENT)
    L.add(m, "CoolCap", pyo.Var(m.COOL_SITE_YEARS, domain=pyo.NonNegativeReals), INVESTMENT)
    L.add(m, "CoolIT", pyo.Var(m.COOL_SITE_YEARS, domain=pyo.NonNegativeReals), INVESTMENT)
    L.add(m, "Cooling_Choice", pyo.Constraint(m.SITES, rule=lambda m, s: sum(
        m.Cool[s, o] for o in at[s]) == 1), INVESTMENT, unit="option", what="one cooling option per site (cooling.csv)",
        place=place_words("at {0}"))
    L.add(m, "Cooling_Capacity", pyo.Constraint(m.SITE_YEARS, rule=lambda m, s, y: sum(
        m.CoolCap[s, o, y] for o in at[s]) == m.module_mw[s] * m.Modules[s, y]), INVESTMENT, unit="MW",
        what="the IT capacity built, by cooling option", place=AT)
    L.add(m, "Cooling_Option_Limit", pyo.Constraint(m.COOL_SITE_YEARS, rule=lambda m, s, o, y: (
        m.CoolCap[s, o, y] <= m.max_it_mw[s] * m.Cool[s, o])), INVESTMENT, unit="MW",
        what="capacity only with the chosen cooling option", place=place_words("with {1} at {0} in {2}"))
    L.add(m, "Cooling_Load", pyo.Constraint(m.SITE_YEARS, rule=lambda m, s, y: sum(
        m.CoolIT[s, o, y] for o in at[s]) == m.ITLoad[s, y]), INVESTMENT, unit="MW",
        what="the IT load, by cooling option", place=AT)
    L.add(m, "Cooling_IT_Limit", pyo.Constraint(m.COOL_SITE_YEARS, rule=lambda m, s, o, y: (
        m.CoolIT[s, o, y] <= m.CoolCap[s, o, y])), INVESTMENT, unit="MW",
        what="IT load within the capacity cooled by the option", place=place_words("with {1} at {0} in {2}"))
    # water: 1 L/kWh = 1 m3/MWh; IT energy = 8760 h x IT load
    m.Water = pyo.Expression(m.SITE_YEARS, rule=lambda m, s, y: sum(
        table[o][0] * HOURS * m.CoolIT[s, o, y] for o in at[s] if table[o][0]))
    price = water_prices(inst)
    if any(price.values()):
        L.add_cost("water", lambda s, y: price[s] * m.Water[s, y] if price.get(s) else 0)
    site_lim, zone_lim = water_limits(inst)
    if site_lim:
        rows = [(s, y) for s, y in ix.site_years if s in site_lim]
        m.WATER_LIMIT_SITE_YEARS = pyo.Set(initialize=rows, dimen=2, ordered=True)
        L.add(m, "Water_Limit_Site", pyo.Constraint(m.WATER_LIMIT_SITE_YEARS, rule=lambda m, s, y: (
            None, m.Water[s, y], site_lim[s])), INVESTMENT, unit="m3/yr", place=AT, tier=1.0, limit=True,
            weight=lambda idx: 1.0 / HOURS, what="the site's water limit (sites.csv water_limit_m3_per_yr, "
            "[water] max_stress)")
    members = {}
    for s, y in ix.site_years:
        if ix.zone_of[s] in zone_lim:
            members.setdefault((ix.zone_of[s], y), []).append(s)
    if members:
        m.WATER_LIMIT_ZONE_YEARS = pyo.Set(initialize=list(members), dimen=2, ordered=True)
        L.add(m, "Water_Limit_Zone", pyo.Constraint(m.WATER_LIMIT_ZONE_YEARS, rule=lambda m, z, y: (
            None, sum(m.Water[s, y] for s in members[z, y]), zone_lim[z])), INVESTMENT, unit="m3/yr",
            place=place_words("in zone {0} in {1}"), tier=1.0, limit=True, weight=1.0 / HOURS,
            what="the zone's water limit (zones.csv water_limit_m3_per_yr)")
    # capital: per kW of IT capacity built with the option, annualised like the buildings
    if any(table[o][3] for o in table):
        prev = ix.site_prev
        L.add_cost("cooling", lambda s, y: sum(m.crf_building[s] * table[o][3] * 1000.0 * m.CoolCap[s, o, y]
                                               for o in at[s] if table[o][3]))

        def new(s, o, y):
            return m.CoolCap[s, o, y] - (m.CoolCap[(s, o, prev[s, y][1])] if (s, y) in prev else 0)

        L.add_capex("cooling", lambda s, y: sum(table[o][3] * 1000.0 * new(s, o, y) for o in at[s] if table[o][3]))
    # extra facility power of the options with a PUE adder, withdrawn from the site's power balance
    adders = pue_adders(m, inst)
    for o in table:
        keys = [(f"cooling_{o}", s, y, (s, o, y)) for s, y in ix.site_years if (s, o) in adders]
        if keys:
            L.add_flow(Flow(f"cooling_{o}", "CoolIT", keys, sign=-1.0, role="load", per_slice=False,
                            scale=lambda s, o=o: adders[s, o]))
