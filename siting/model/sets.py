"""Sets and parameters: sparse index sets (from the Pyomo-free :class:`~siting.index.Index`) so
that model size follows the data."""

from __future__ import annotations

import pyomo.environ as pyo


def add_sets(m, inst, opts) -> None:
    """SITES, ZONES, TECHS, GENERATORS, STORAGE, CHIPS, YEARS, SLICES and the sparse products.

    Sparse sets: SITE_YEARS from a site's earliest_year; TECH_SITE_YEARS from the later of
    the tech's and the site's earliest_year, and not before first year + lead_time_years;
    CHIP_INSTALL from a generation's first_year to last_year; CHIP_SERVICE while an install is
    within life_years; GRID_SITE_YEARS from grid_year for sites with grid_mw > 0 (from
    flex_grid_year for sites that may choose a flexibility level). All come from ``m.ix``
    (:func:`siting.index.build_index`); the Params below are the same numbers for users who add
    their own constraints.
    """
    ix = m.ix
    sites = inst.sites.set_index("site")
    techs = inst.techs.set_index("tech")
    chips = inst.chips.set_index("generation")
    zones = inst.zones.set_index("zone")

    m.YEARS = pyo.Set(initialize=ix.years, ordered=True)
    m.SLICES = pyo.Set(initialize=range(ix.n), ordered=True)
    m.SITES = pyo.Set(initialize=ix.sites, ordered=True)
    m.ZONES = pyo.Set(initialize=ix.zones, ordered=True)
    m.TECHS = pyo.Set(initialize=ix.techs, ordered=True)
    m.GENERATORS = pyo.Set(initialize=[k for k in ix.techs if ix.kind[k] == "generator"], ordered=True)
    m.STORAGE = pyo.Set(initialize=[k for k in ix.techs if ix.kind[k] == "storage"], ordered=True)
    m.CHIPS = pyo.Set(initialize=ix.chips, ordered=True)
    m.SITE_YEARS = pyo.Set(initialize=ix.site_years, dimen=2, ordered=True)
    m.TECH_SITE_YEARS = pyo.Set(initialize=ix.tech_site_years, dimen=3, ordered=True)
    m.GEN_SITE_YEARS = pyo.Set(initialize=ix.of_kind("generator"), dimen=3, ordered=True)
    m.STORAGE_SITE_YEARS = pyo.Set(initialize=ix.of_kind("storage"), dimen=3, ordered=True)
    m.CHIP_INSTALL = pyo.Set(initialize=ix.chip_install, dimen=3, ordered=True)
    m.CHIP_SERVICE = pyo.Set(initialize=list(ix.chip_service), dimen=3, ordered=True)
    m.GRID_SITE_YEARS = pyo.Set(initialize=ix.grid_site_years, dimen=2, ordered=True)

    # parameters (units in the names)
    m.weight_h = pyo.Param(m.SLICES, initialize=dict(enumerate(ix.weight_h)))
    m.years_represented = pyo.Param(m.YEARS, initialize=ix.n_y)
    m.discount_factor = pyo.Param(m.YEARS, initialize=ix.discount_factor)
    for col in ("max_it_mw", "module_mw", "site_capex_usd", "building_capex_usd_per_kw", "pue", "grid_mw"):
        setattr(m, col, pyo.Param(m.SITES, initialize=sites[col].astype(float).to_dict()))
    m.crf_site = pyo.Param(m.SITES, initialize=ix.crf_site)
    m.crf_building = pyo.Param(m.SITES, initialize=ix.crf_building)
    for col in ("capex_usd_per_kw", "fom_usd_per_kw_yr", "vom_usd_per_mwh", "co2_t_per_mwh"):
        setattr(m, col, pyo.Param(m.TECHS, initialize=techs[col].astype(float).to_dict()))
    m.fuel_usd_per_mwh = pyo.Param(m.TECHS, initialize=ix.fuel_usd_per_mwh)
    m.crf_tech = pyo.Param(m.TECHS, initialize=ix.crf_tech)
    for col in ("watts", "pflops", "price_usd"):
        setattr(m, col, pyo.Param(m.CHIPS, initialize=chips[col].astype(float).to_dict()))
    m.crf_chip = pyo.Param(m.CHIPS, initialize=ix.crf_chip)
    m.grid_co2_t_per_mwh = pyo.Param(m.ZONES, initialize=zones["grid_co2_t_per_mwh"].astype(float).to_dict())
