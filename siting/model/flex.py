"""Flexible load: a site buys a share of its zone's flexible grid headroom, and an earlier
connection, by accepting curtailment of up to a share of its annual facility energy.

Built only when a zone offers a flexibility level (zones.csv ``headroom_mw_flex_*``) and one of
its sites has a grid connection; otherwise no component exists. See docs/formulation.md
section 13.1 and docs/features.md.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from ..index import group
from ..instance import crf
from ..schema import FLEX_LEVELS
from ..units import HOURS, mw_per_unit
from .ledger import INVESTMENT, OPERATIONS, DirectConstraint, DirectVar, Flow, place_words


def lost_compute_usd_per_mwh(inst) -> dict[str, float]:
    """Annualised cost of each chip generation per MWh of IT energy it draws running flat.

    v_g = crf(r, life_g) x price_g / (8760 h x watts_g / 1e6): what one calendar year of an
    installed unit costs, spread over the IT energy it uses in that year. Idling a unit for
    one MWh of its IT energy loses that much of its yearly cost.
    """
    r = inst.discount_rate
    out = {}
    for row in inst.chips.itertuples(index=False):
        mw = mw_per_unit(row.watts)
        out[row.generation] = (float(crf(float(r), float(row.life_years))) * float(row.price_usd) / (HOURS * mw)
                               if mw > 0 else 0.0)
    return out


def add_flexibility(m, inst, opts) -> None:
    """Flex[s,l] binary, at most one level per site; FlexMW[s,l,y] the site's share of the zone's
    flexible headroom; Curtail[s,y,t] IT MW idled, at most the level's share of facility energy.

    Flex_Headroom: sum over the zone's sites and levels of FlexMW / headroom_mw_flex_l <= 1.
    Flex_Import_Limit: before grid_year (from flex_grid_year) Import <= sum_l FlexMW.
    Where the zone has headroom_mw: Grid_Firm_Part GridFirm >= Import - sum_l FlexMW, and
    Flex_Zonal_Headroom: sum of Import (sites without a level to choose) + GridFirm <= headroom_mw.
    Curtail_Energy_Limit: sum_t w_t pue_t Curtail <= (or = with [flexibility] curtailment =
    "exact") sum_l share_l x FlexEnergy[s,l,y], FlexEnergy = Flex x facility energy (linearised).
    Cost ``lost_compute``: [flexibility] lost_compute_usd_per_mwh x curtailed IT MWh, else the
    annualised cost per MWh of the generations idled (CurtailByChip). Injection: pue_t x Curtail.
    """
    L, ix = m.ledger, m.ix
    levels = ix.flex_levels
    if not levels:
        return
    zones = inst.zones.set_index("zone")
    sites = inst.sites.set_index("site")
    settings = inst.scenario.get("flexibility") or {}
    exact = settings.get("curtailment", "at_most") == "exact"
    value = settings.get("lost_compute_usd_per_mwh")
    head = {(z, lv): float(zones.at[z, f"headroom_mw_flex_{lv}"]) for z in zones.index for lv in FLEX_LEVELS}
    zone_of = ix.zone_of
    grid_year = sites["grid_year"].to_dict()
    pue = {s: [float(v) for v in ix.pue_t[s]] for s in levels}
    w = m.weight_h
    w_list = [float(w[t]) for t in m.SLICES]
    load_w = {s: sum(wt * p for wt, p in zip(w_list, pue[s])) for s in levels}  # facility MWh per IT MW

    fsy = [(s, y) for s, y in m.GRID_SITE_YEARS if s in levels]
    fsy_set = set(fsy)
    m.FLEX_SITES = pyo.Set(initialize=list(levels), ordered=True)
    m.FLEX_SITE_LEVELS = pyo.Set(initialize=[(s, lv) for s in levels for lv in levels[s]], dimen=2, ordered=True)
    m.FLEX_SITE_YEARS = pyo.Set(initialize=fsy, dimen=2, ordered=True)
    sly = [(s, lv, y) for s, y in fsy for lv in levels[s]]
    m.FLEX_SITE_LEVEL_YEARS = pyo.Set(initialize=sly, dimen=3, ordered=True)

    at = place_words("at {0} in {1}")
    L.add(m, "Flex", pyo.Var(m.FLEX_SITE_LEVELS, domain=pyo.Binary), INVESTMENT)
    L.add(m, "Flex_One_Level", pyo.Constraint(m.FLEX_SITES, rule=lambda m, s: (
        None, sum(m.Flex[s, lv] for lv in levels[s]), 1.0)), INVESTMENT, unit="level",
        what="one flexibility level per site", place=place_words("at {0}"))

    # the site's share of the zone's flexible headroom, in MW of grid draw
    L.add(m, "FlexMW", pyo.Var(m.FLEX_SITE_LEVEL_YEARS, domain=pyo.NonNegativeReals), INVESTMENT)
    L.add(m, "Flex_Allowance_Limit", pyo.Constraint(m.FLEX_SITE_LEVEL_YEARS, rule=lambda m, s, lv, y: (
        None, m.FlexMW[s, lv, y] - min(float(m.grid_mw[s]), head[zone_of[s], lv]) * m.Flex[s, lv], 0.0)),
        INVESTMENT, unit="MW", what="the flexible allowance of the chosen level",
        place=place_words("at {0} ({1}) in {2}"))
    pool = group(sly, lambda i: (zone_of[i[0]], i[2]), lambda i: (i[0], i[1]))
    m.FLEX_ZONE_YEARS = pyo.Set(initialize=list(pool), dimen=2, ordered=True)
    L.add(m, "Flex_Headroom", pyo.Constraint(m.FLEX_ZONE_YEARS, rule=lambda m, z, y: (
        None, sum(m.FlexMW[s, lv, y] / head[z, lv] for s, lv in pool[z, y]), 1.0)), INVESTMENT,
        unit="share of the zone's flexible headroom",
        what="the zone's flexible headroom (zones.csv headroom_mw_flex_*)",
        place=place_words("in zone {0} in {1}"))

    def allowance(s, y):
        return sum(m.FlexMW[s, lv, y] for lv in levels[s])

    # before grid_year a site draws from the grid only through its flexible allowance
    early = [(s, y) for s, y in fsy if y < grid_year[s]]
    m.FLEX_EARLY_YEARS = pyo.Set(initialize=early, dimen=2, ordered=True)
    L.add(m, "Flex_Import_Limit", DirectConstraint(m.FLEX_EARLY_YEARS, m.SLICES, rule=lambda m, s, y, t: (
        None, m.Import[s, y, t] - allowance(s, y), 0.0)), OPERATIONS, unit="MW",
        what="grid import before grid_year within the flexible allowance", place=at, per_slice=True)

    # zones with a firm headroom_mw: the import above a site's flexible allowance is firm
    firm_head = zones["headroom_mw"]
    flex_zones = {zone_of[s] for s in levels}
    by_zy: dict = {}
    for s, y in ix.grid_site_years:
        z = zone_of[s]
        if z in flex_zones and not math.isnan(firm_head[z]):
            by_zy.setdefault((z, y), []).append(s)
    firm = [(s, y) for (z, y), ss in by_zy.items() for s in ss if s in levels and y >= grid_year[s]]
    m.FLEX_FIRM_SITE_YEARS = pyo.Set(initialize=firm, dimen=2, ordered=True)
    L.add(m, "GridFirm", DirectVar(m.FLEX_FIRM_SITE_YEARS, m.SLICES, domain=pyo.NonNegativeReals), OPERATIONS)
    L.add(m, "Grid_Firm_Part", DirectConstraint(m.FLEX_FIRM_SITE_YEARS, m.SLICES, rule=lambda m, s, y, t: (
        None, m.Import[s, y, t] - allowance(s, y) - m.GridFirm[s, y, t], 0.0)), OPERATIONS, unit="MW",
        what="the firm part of the grid import", place=at, per_slice=True)
    firm_set = set(firm)
    m.FLEX_HEADROOM_ZONE_YEARS = pyo.Set(initialize=list(by_zy), dimen=2, ordered=True)

    def zonal(m, z, y, t):
        body = sum(m.GridFirm[s, y, t] if (s, y) in firm_set else m.Import[s, y, t]
                   for s in by_zy[z, y] if s not in levels or (s, y) in firm_set)
        if isinstance(body, (int, float)):
            return pyo.Constraint.Skip
        return (None, body, float(firm_head[z]))

    L.add(m, "Flex_Zonal_Headroom", DirectConstraint(m.FLEX_HEADROOM_ZONE_YEARS, m.SLICES, rule=zonal), OPERATIONS,
          unit="MW", what="the zonal headroom for firm load (zones.csv headroom_mw)", per_slice=True, tier=1.0,
          limit=True,
          place=place_words("in zone {0} in {1}"))

    # curtailment: IT MW idled per slice, within the chosen level's share of facility energy
    L.add(m, "Curtail", DirectVar(m.FLEX_SITE_YEARS, m.SLICES, domain=pyo.NonNegativeReals), OPERATIONS)
    L.add(m, "Curtail_Limit", DirectConstraint(m.FLEX_SITE_YEARS, m.SLICES, rule=lambda m, s, y, t: (
        None, m.Curtail[s, y, t] - m.ITLoad[s, y], 0.0)), OPERATIONS, unit="MW",
        what="curtailment up to the IT load", place=at, per_slice=True)
    e_max = {s: load_w[s] * float(m.max_it_mw[s]) for s in levels}
    lv_at = place_words("at {0} ({1}) in {2}")
    L.add(m, "FlexEnergy", pyo.Var(m.FLEX_SITE_LEVEL_YEARS, domain=pyo.NonNegativeReals), INVESTMENT)
    L.add(m, "Flex_Energy_Level", pyo.Constraint(m.FLEX_SITE_LEVEL_YEARS, rule=lambda m, s, lv, y: (
        None, m.FlexEnergy[s, lv, y] - e_max[s] * m.Flex[s, lv], 0.0)), INVESTMENT, unit="MWh",
        what="facility energy under the chosen level", place=lv_at)
    L.add(m, "Flex_Energy_Load", pyo.Constraint(m.FLEX_SITE_YEARS, rule=lambda m, s, y: (
        None, sum(m.FlexEnergy[s, lv, y] for lv in levels[s]) - load_w[s] * m.ITLoad[s, y], 0.0)), INVESTMENT,
        unit="MWh", what="facility energy under the chosen level", place=at)
    if exact:
        L.add(m, "Flex_Energy_Floor", pyo.Constraint(m.FLEX_SITE_LEVEL_YEARS, rule=lambda m, s, lv, y: (
            None, load_w[s] * m.ITLoad[s, y] - e_max[s] * (1.0 - m.Flex[s, lv]) - m.FlexEnergy[s, lv, y], 0.0)),
            INVESTMENT, unit="MWh", what="facility energy under the chosen level (exact curtailment)", place=lv_at)

    def curtail_energy(m, s, y):
        body = (sum(w_list[t] * pue[s][t] * m.Curtail[s, y, t] for t in m.SLICES)
                - sum(FLEX_LEVELS[lv] * m.FlexEnergy[s, lv, y] for lv in levels[s]))
        return (0.0 if exact else None, body, 0.0)

    L.add(m, "Curtail_Energy_Limit", pyo.Constraint(m.FLEX_SITE_YEARS, rule=curtail_energy), OPERATIONS,
          unit="MWh", what="the curtailment budget of the chosen level", place=at)

    def curtailed_it_mwh(s, y):
        return sum(w_list[t] * m.Curtail[s, y, t] for t in m.SLICES)

    if value is not None:
        v = float(value)
        L.add_cost("lost_compute", lambda s, y: v * curtailed_it_mwh(s, y) if (s, y) in fsy_set and v else 0)
    else:
        vg = lost_compute_usd_per_mwh(inst)
        chips_at = ix.chips_at
        mw = ix.chip_mw_per_unit
        cbc = [(g, s, y) for s, y in fsy for g in chips_at.get((s, y), ())]
        m.FLEX_CHIP_SERVICE = pyo.Set(initialize=cbc, dimen=3, ordered=True)
        L.add(m, "CurtailByChip", pyo.Var(m.FLEX_CHIP_SERVICE, domain=pyo.NonNegativeReals), OPERATIONS)
        L.add(m, "Curtail_Chip_Accounting", pyo.Constraint(m.FLEX_SITE_YEARS, rule=lambda m, s, y: (
            0.0, sum(m.CurtailByChip[g, s, y] for g in chips_at.get((s, y), ())) - curtailed_it_mwh(s, y), 0.0)),
            OPERATIONS, unit="MWh", what="curtailed IT energy by generation", place=at)
        L.add(m, "Curtail_Chip_Limit", pyo.Constraint(m.FLEX_CHIP_SERVICE, rule=lambda m, g, s, y: (
            None, m.CurtailByChip[g, s, y] - HOURS * mw[g] * m.InService[g, s, y], 0.0)), OPERATIONS,
            unit="MWh", what="curtailed IT energy of a generation", place=place_words("of {0} at {1} in {2}"))
        L.add_cost("lost_compute", lambda s, y: sum(
            vg[g] * m.CurtailByChip[g, s, y] for g in chips_at.get((s, y), ()) if vg[g]) if (s, y) in fsy_set else 0)
    L.add_flow(Flow("curtailment", "Curtail", [("curtailment", s, y, (s, y)) for s, y in fsy],
                    role="load_reduction", scale=lambda s: ix.pue_t[s]))
