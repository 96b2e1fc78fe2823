"""Sets and parameters: sparse index sets so that model size follows the data."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..instance import crf as _crf
from ..schema import FLEX_LEVELS


def crf(rate: float, life: float) -> float:
    """The capital recovery factor as a Python float (numpy scalars slow Pyomo expressions down)."""
    return float(_crf(float(rate), float(life)))


def add_sets(m, inst, opts) -> None:
    """SITES, ZONES, TECHS, GENERATORS, STORAGE, CHIPS, YEARS, SLICES and the sparse products.

    Sparse sets: SITE_YEARS from a site's earliest_year; TECH_SITE_YEARS from the later of
    the tech's and the site's earliest_year, and not before first year + lead_time_years;
    CHIP_INSTALL from a generation's first_year to last_year; CHIP_SERVICE while an install is
    within life_years; GRID_SITE_YEARS from grid_year for sites with grid_mw > 0 (from
    flex_grid_year for sites that may choose a flexibility level).
    """
    r = inst.discount_rate
    years = inst.years
    sites = inst.sites.set_index("site")
    techs = inst.techs.set_index("tech")
    chips = inst.chips.set_index("generation")
    zones = inst.zones.set_index("zone")
    sl = m.slices

    m.YEARS = pyo.Set(initialize=years, ordered=True)
    m.SLICES = pyo.Set(initialize=range(sl.n), ordered=True)
    m.SITES = pyo.Set(initialize=list(sites.index), ordered=True)
    m.ZONES = pyo.Set(initialize=list(zones.index), ordered=True)
    m.TECHS = pyo.Set(initialize=list(techs.index), ordered=True)
    m.GENERATORS = pyo.Set(initialize=[k for k in techs.index if techs.at[k, "kind"] == "generator"], ordered=True)
    m.STORAGE = pyo.Set(initialize=[k for k in techs.index if techs.at[k, "kind"] == "storage"], ordered=True)
    m.CHIPS = pyo.Set(initialize=list(chips.index), ordered=True)

    earliest = sites["earliest_year"].to_dict()
    site_years = [(s, y) for s in sites.index for y in years if y >= earliest[s]]
    m.SITE_YEARS = pyo.Set(initialize=site_years, dimen=2, ordered=True)
    # a commitment is made from the first planning year on and serves lead_time_years later
    lead = techs["lead_time_years"].fillna(0).to_dict()
    tsy = [(k, s, y) for k in techs.index for s, y in site_years
           if y >= techs.at[k, "earliest_year"] and y >= years[0] + lead[k]]
    m.TECH_SITE_YEARS = pyo.Set(initialize=tsy, dimen=3, ordered=True)
    m.GEN_SITE_YEARS = pyo.Set(initialize=[i for i in tsy if techs.at[i[0], "kind"] == "generator"], dimen=3,
                               ordered=True)
    m.STORAGE_SITE_YEARS = pyo.Set(initialize=[i for i in tsy if techs.at[i[0], "kind"] == "storage"], dimen=3,
                                   ordered=True)
    install = [(g, s, y) for g in chips.index for s, y in site_years
               if chips.at[g, "first_year"] <= y <= chips.at[g, "last_year"]]
    m.CHIP_INSTALL = pyo.Set(initialize=install, dimen=3, ordered=True)
    # installs of (g, s) in year y' serve year y when y' <= y and y - y' < life_years
    life_g = chips["life_years"].to_dict()
    by_gs: dict = {}
    for g, s, y in install:
        by_gs.setdefault((g, s), []).append(y)
    service = {}
    for (g, s), ys in by_gs.items():
        for y in years:
            src = [yi for yi in ys if yi <= y and y - yi < life_g[g]]
            if src:
                service[(g, s, y)] = src
    m.CHIP_SERVICE = pyo.Set(initialize=list(service), dimen=3, ordered=True)
    m.chip_install_years = service
    # power capacity built in y' is in service in y when y' <= y and y - y' < life_years
    life_k = techs["life_years"].to_dict()
    by_ks: dict = {}
    for k, s, y in tsy:
        by_ks.setdefault((k, s), []).append(y)
    m.tech_build_years = {(k, s, y): [yi for yi in by_ks[(k, s)] if yi <= y and y - yi < life_k[k]]
                          for k, s, y in tsy}
    # flexible load: the levels each site may choose (those its zone offers, if it has a grid connection)
    m.flex_levels = {}
    for s in sites.index:
        z = sites.at[s, "zone"]
        lv = [lv for lv in FLEX_LEVELS if zones.at[z, f"headroom_mw_flex_{lv}"] > 0]  # NaN > 0 is False
        if lv and sites.at[s, "grid_mw"] > 0:
            m.flex_levels[s] = lv
    fy = sites["flex_grid_year"]
    first_grid = {s: (int(fy[s]) if s in m.flex_levels and not _isna(fy[s]) else int(sites.at[s, "grid_year"]))
                  for s in sites.index}
    grid = [(s, y) for s, y in site_years if sites.at[s, "grid_mw"] > 0 and y >= first_grid[s]]
    m.GRID_SITE_YEARS = pyo.Set(initialize=grid, dimen=2, ordered=True)
    m.zone_of = sites["zone"].to_dict()

    # parameters (units in the names)
    m.weight_h = pyo.Param(m.SLICES, initialize=dict(enumerate(np.asarray(sl.weight_h, dtype=float).tolist())))
    m.years_represented = pyo.Param(m.YEARS, initialize=inst.years_represented())
    m.discount_factor = pyo.Param(m.YEARS, initialize=inst.discount_factors())
    for col in ("max_it_mw", "module_mw", "site_capex_usd", "building_capex_usd_per_kw", "pue", "grid_mw"):
        setattr(m, col, pyo.Param(m.SITES, initialize=sites[col].astype(float).to_dict()))
    m.crf_site = pyo.Param(m.SITES, initialize={s: crf(r, sites.at[s, "site_life_years"]) for s in sites.index})
    m.crf_building = pyo.Param(m.SITES, initialize={s: crf(r, sites.at[s, "building_life_years"])
                                                    for s in sites.index})
    for col in ("capex_usd_per_kw", "fom_usd_per_kw_yr", "vom_usd_per_mwh", "co2_t_per_mwh"):
        setattr(m, col, pyo.Param(m.TECHS, initialize=techs[col].astype(float).to_dict()))
    m.fuel_usd_per_mwh = pyo.Param(m.TECHS, initialize=(techs["fuel_usd_per_mmbtu"]
                                                        * techs["heat_rate_mmbtu_per_mwh"]).astype(float).to_dict())
    m.crf_tech = pyo.Param(m.TECHS, initialize={k: crf(r, techs.at[k, "life_years"]) for k in techs.index})
    for col in ("watts", "pflops", "price_usd"):
        setattr(m, col, pyo.Param(m.CHIPS, initialize=chips[col].astype(float).to_dict()))
    m.crf_chip = pyo.Param(m.CHIPS, initialize={g: crf(r, chips.at[g, "life_years"]) for g in chips.index})
    m.grid_co2_t_per_mwh = pyo.Param(m.ZONES, initialize=zones["grid_co2_t_per_mwh"].astype(float).to_dict())

    # hourly data as numpy arrays, one per site (profiles already resolved site -> zone)
    ones = np.ones(sl.n)
    m.cf = {}
    for k in techs.index:
        prof = techs.at[k, "profile"]
        if isinstance(prof, str) and prof:
            for s in sites.index:
                m.cf[k, s] = sl.profile(s, sites.at[s, "zone"], prof)
    m.pue_t = {s: sites.at[s, "pue"] * _or(sl.profile(s, sites.at[s, "zone"], "pue"), ones) for s in sites.index}
    m.grid_price_t = {s: zones.at[sites.at[s, "zone"], "grid_price_usd_per_mwh"]
                      * _or(sl.profile(s, sites.at[s, "zone"], "grid_price"), ones) for s in sites.index}
    # hourly clean share of grid energy, only where a grid_clean_share profile is given (None: the flat share)
    gcs = zones["grid_clean_share"].fillna(0.0)
    m.grid_clean_t = {}
    for s in sites.index:
        prof = sl.profile(s, sites.at[s, "zone"], "grid_clean_share")
        m.grid_clean_t[s] = None if prof is None else np.minimum(1.0, gcs[sites.at[s, "zone"]] * prof)


def _or(a, b):
    return b if a is None else a


def _isna(v) -> bool:
    try:
        return bool(np.isnan(float(v)))
    except (TypeError, ValueError):
        return True
