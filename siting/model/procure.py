"""Procurement as it is priced and limited: the grid tariff's demand charge, zone permits for on-site
fossil capacity, and the capital budget (with the overnight capex it counts).

Fuel prices per zone and year (fuels.csv) are read by the generator blocks through
``m.ix.fuel_cost``; group supply caps (techs.csv supply_group) by power._add_supply_caps; chip
supply per calendar year (chip_supply.csv) by chips.add_chips. See docs/formulation.md
section 13.6 and docs/features.md.
"""

from __future__ import annotations

import pyomo.environ as pyo

from ..index import group
from .ledger import INVESTMENT, OPERATIONS, DirectConstraint, place_words


def add_tariff(m, inst, opts) -> None:
    """PeakImport[s,y] MW >= Import[s,y,t] for every slice t that sets the demand charge (Peak_Import):
    all slices (zones.csv demand_charge_basis "peak") or those where the zone's coincident_peak profile
    is > 0 ("coincident"). Cost ``grid_demand`` = demand_charge_usd_per_kw_yr x 1000 x PeakImport.

    Built only for grid-connected sites with a demand charge (sites.csv, else zones.csv). The
    energy part of the tariff (level x grid_price profile + grid_adder_usd_per_mwh) is the
    ``grid_energy`` cost of add_grid.
    """
    ix = m.ix
    charge = ix.demand_charge
    if not charge or len(m.GRID_SITE_YEARS) == 0:
        return
    L = m.ledger
    psy = [(s, y) for s, y in ix.grid_site_years if s in charge]
    m.PEAK_SITE_YEARS = pyo.Set(initialize=psy, dimen=2, ordered=True)
    rows = [(s, y, t) for s, y in psy for t in ix.peak_slices[s]]
    m.PEAK_SLICES = pyo.Set(initialize=rows, dimen=3, ordered=True)
    L.add(m, "PeakImport", pyo.Var(m.PEAK_SITE_YEARS, domain=pyo.NonNegativeReals), OPERATIONS)
    L.add(m, "Peak_Import", DirectConstraint(m.PEAK_SLICES, rule=lambda m, s, y, t: (
        None, m.Import[s, y, t] - m.PeakImport[s, y], 0.0)), OPERATIONS, unit="MW",
        what="the peak import that sets the demand charge", place=place_words("at {0} in {1}"), per_slice=True)
    peak = set(psy)
    L.add_cost("grid_demand", lambda s, y: charge[s] * 1000.0 * m.PeakImport[s, y] if (s, y) in peak else 0)


def add_permits(m, inst, opts) -> None:
    """Fossil_Permit[z,y]: sum over the zone's sites and the non-clean techs (techs.csv clean = false) of
    Cap[k,s,y] <= max_new_fossil_mw_z, where zones.csv sets it."""
    ix = m.ix
    if not ix.fossil_permit:
        return
    members = group([(k, s, y) for k, s, y in ix.tech_site_years
                     if not ix.clean[k] and ix.zone_of[s] in ix.fossil_permit],
                    lambda i: (ix.zone_of[i[1]], i[2]), lambda i: (i[0], i[1]))
    lim = ix.fossil_permit
    m.PERMIT_ZONE_YEARS = pyo.Set(initialize=list(members), dimen=2, ordered=True)
    m.ledger.add(m, "Fossil_Permit", pyo.Constraint(m.PERMIT_ZONE_YEARS, rule=lambda m, z, y: (
        None, sum(m.Cap[k, s, y] for k, s in members[z, y]), lim[z])), INVESTMENT, unit="MW of fossil capacity",
        what="the zone's permit limit on on-site fossil capacity (zones.csv max_new_fossil_mw)", tier=1.0, limit=True,
        place=place_words("in zone {0} in {1}"))


def add_budget(m, inst, opts) -> None:
    """Capex[c,s,y]: overnight capex of component c commissioned at s in planning year y (USD), the sum of
    the terms the blocks registered (ledger capex). Capital_Budget[y]: sum_{c,s} Capex[c,s,y] <=
    capex_usd_per_year_y x years_represented_y, where scenario.toml [budget] sets it."""
    L, ix = m.ledger, m.ix
    comps = list(L.capex)
    m.CAPEX_COMPONENTS = pyo.Set(initialize=comps, ordered=True)
    m.Capex = pyo.Expression(m.CAPEX_COMPONENTS, m.SITE_YEARS, rule=lambda m, c, s, y: sum(
        f(s, y) for f in L.capex[c]))
    budget = ix.capex_budget
    years = [y for y in ix.years if y in budget and ix.sites_in[y]]
    if not years:
        return
    m.BUDGET_YEARS = pyo.Set(initialize=years, ordered=True)
    L.add(m, "Capital_Budget", pyo.Constraint(m.BUDGET_YEARS, rule=lambda m, y: (
        None, sum(m.Capex[c, s, y] for c in comps for s in ix.sites_in[y]), budget[y] * ix.n_y[y])), INVESTMENT,
        unit="USD of overnight capex", what="the capital budget (scenario.toml [budget] capex_usd_per_year)",
        tier=1.0, limit=True, weight=1e-6)
