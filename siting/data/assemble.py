"""Assemble instance tables from what an :class:`~siting.data.InstanceBuilder` collected.

The builder gathers sites, zone values, profile rows and techs from the readers; the
functions here turn them into the tables of an instance: the documented defaults
(:data:`SITE_DEFAULTS`, :data:`DEFAULT_CHIPS`, :data:`SCENARIO_DEFAULTS`), the site table
with the site-capital rule and the grid defaults, the zone table, the profile table, and
the hourly grid profiles of the grid readers (price and clean-share shapes for
profiles.csv, hourly CO2 for the report).

Sources of the default figures: docs/own-data.md section 9 and docs/sources.md.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import InstanceError
from ..schema import RESERVED_PROFILES, TABLES
from ._common import DataWarning
from .geo import nearest_substations
from .money import deflator

__all__ = ["SITE_DEFAULTS", "DEFAULT_CHIPS", "SCENARIO_DEFAULTS", "DEFAULTS_DOLLAR_YEAR", "ZONE_VALUE_COLUMNS",
           "REPORT_PROFILES", "grid_profiles", "clean_share_shape", "site_table", "zone_table", "profile_table",
           "scenario_dict"]

#: dollar year of the money defaults below (as in the bundled toy instance)
DEFAULTS_DOLLAR_YEAR = 2025

#: site defaults (sources in docs/own-data.md section 9 and docs/sources.md; as instances/toy/README.md)
SITE_DEFAULTS: dict[str, float] = {
    "max_it_mw": 200.0,                   # illustrative: Stargate Abilene's first phase was 200+ MW (Stargate reports)
    "module_mw": 50.0,                    # illustrative building block (toy)
    "building_capex_usd_per_kw": 11_700.0,  # Cushman & Wakefield 2025: US average $11.7 M per MW of critical load
    "pue": 1.15,                          # SemiAnalysis value for liquid-cooled AI campuses (PUE review 2026)
    "land_usd_per_acre": 244_000.0,       # Cushman & Wakefield 2025: data-centre land, weighted average 2024
    "acres_per_mw": 0.8,                  # ~800 acres per GW (Abilene: 750-920 acres per GW)
}

#: accelerator generations used when none are given (the toy instance's, sources in its README)
DEFAULT_CHIPS = pd.DataFrame([
    dict(generation="GB200", first_year=2025, last_year=2027, watts=1900.0, pflops=5.0, price_usd=47_000.0,
         life_years=5.0, max_units_per_year=None),
    dict(generation="Rubin", first_year=2027, last_year=2030, watts=3150.0, pflops=16.7, price_usd=60_000.0,
         life_years=5.0, max_units_per_year=None),
])

#: scenario.toml values used when not given
SCENARIO_DEFAULTS = {"discount_rate": 0.07}  # EIA AEO2026 Electricity Market Module: WACC 7.1 %, rounded (toy)

#: zones.csv values a zones file, set_zone or a grid reader may give
ZONE_VALUE_COLUMNS = ("grid_price_usd_per_mwh", "grid_co2_t_per_mwh", "headroom_mw", "grid_clean_share")
#: hourly grid series that profiles.csv does not take: written to reports/grid_hourly.csv
REPORT_PROFILES = ("grid_co2",)


def clean_share_shape(rows: pd.DataFrame) -> pd.DataFrame:
    """``grid_clean_share`` rows of a grid reader (the hourly clean share, 0..1) as a profiles.csv shape.

    profiles.csv's ``grid_clean_share`` multiplies the zone's ``grid_clean_share`` hour by
    hour; the readers set the zone value to the mean of the hourly share, so the shape is
    the hourly share divided by its mean (mean 1), one owner at a time. A share that is 0
    in every hour gives a shape of 1 (the zone value, 0, is then what counts).
    """
    out = []
    owner = "site" if "site" in rows.columns and rows["site"].notna().any() else "zone"
    for _, g in rows.groupby(owner, sort=False):
        mean = float(g["value"].mean())
        out.append(g.assign(value=g["value"] / mean if mean > 0 else 1.0))
    return pd.concat(out, ignore_index=True) if out else rows.copy()


def grid_profiles(rows: pd.DataFrame, *, price: bool = True, clean_share: bool = True, co2: bool = True,
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a grid reader's hourly rows into (profiles.csv rows, report rows).

    profiles.csv takes the ``grid_price`` multiplier as it is and the ``grid_clean_share``
    shape (:func:`clean_share_shape`); the report takes the hourly ``grid_co2`` and the
    hourly clean share as read. ``price``, ``clean_share`` and ``co2`` choose what is taken.
    """
    prof = []
    if price:
        prof.append(rows[rows["profile"] == "grid_price"])
    if clean_share:
        share = rows[rows["profile"] == "grid_clean_share"]
        if len(share):
            prof.append(clean_share_shape(share))
    keep = [n for n, ok in (("grid_co2", co2), ("grid_clean_share", clean_share)) if ok]
    cols = list(rows.columns)
    profiles = pd.concat(prof, ignore_index=True) if prof else pd.DataFrame(columns=cols)
    return profiles, rows[rows["profile"].isin(keep)]


def site_table(sites: pd.DataFrame, years: list[int], *, site_defaults: dict, dollar_year: int,
               queue_wait: float | None = None, request_year: int | None = None, substations: dict | None = None,
               ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """sites.csv rows with every blank filled by a default, and the substation table (or None).

    ``sites`` is the builder's GeoDataFrame; ``site_defaults`` the user's overrides of
    :data:`SITE_DEFAULTS` (given in ``dollar_year`` dollars; the built-in money defaults are
    restated from :data:`DEFAULTS_DOLLAR_YEAR`). ``queue_wait`` (years) sets the default
    ``grid_year`` = ``request_year`` (default: the first year) + round(``queue_wait``).
    ``substations`` holds the arguments of :func:`siting.data.nearest_substations` and
    ``add`` (add the interconnection cost to ``site_capex_usd``).
    """
    d = {**SITE_DEFAULTS, **site_defaults}
    money = deflator(DEFAULTS_DOLLAR_YEAR, dollar_year) if dollar_year != DEFAULTS_DOLLAR_YEAR else 1.0
    s = pd.DataFrame(sites.drop(columns="geometry")).copy()

    def col(name, default):
        if name not in s.columns:
            s[name] = np.nan
        s[name] = pd.to_numeric(s[name], errors="coerce")
        s[name] = s[name].fillna(default) if not callable(default) else s[name].where(s[name].notna(), default(s))

    col("max_it_mw", d["max_it_mw"])
    col("module_mw", d["module_mw"])
    col("pue", d["pue"])
    col("building_capex_usd_per_kw", d["building_capex_usd_per_kw"] * (money if "building_capex_usd_per_kw"
                                                                        not in site_defaults else 1.0))
    land = d["land_usd_per_acre"] * (money if "land_usd_per_acre" not in site_defaults else 1.0)
    col("site_capex_usd", lambda t: d["acres_per_mw"] * land * t["max_it_mw"])
    col("earliest_year", d.get("earliest_year", years[0]))
    col("grid_mw", lambda t: np.ceil(t["max_it_mw"] * t["pue"]))
    if queue_wait is not None:
        gy = (request_year or years[0]) + int(round(queue_wait))
    else:
        gy = d.get("grid_year", years[0])
    col("grid_year", gy)
    for k in ("site_life_years", "building_life_years"):
        if k in d:
            col(k, d[k])
    sub = None
    if substations is not None:
        o = substations
        sub = nearest_substations(sites.assign(grid_mw=s["grid_mw"].to_numpy()), o["src"],
                                  min_kv=o["min_kv"], voltage_column=o["voltage_column"],
                                  statuses=o["statuses"], usd_per_mw_km=o["usd_per_mw_km"],
                                  route_factor=o["route_factor"])
        if o["add"]:
            s["site_capex_usd"] = s["site_capex_usd"] + sub["interconnect_usd"].fillna(0).to_numpy()
    keep = [c.name for c in TABLES["sites"].columns if c.name in s.columns]
    return s[keep], sub


def zone_table(zones: pd.DataFrame) -> pd.DataFrame:
    """zones.csv rows from the builder's zone values (indexed by zone); raises if a price or CO2 is missing."""
    zones = zones.reset_index()
    problems = []
    for c in ("grid_price_usd_per_mwh", "grid_co2_t_per_mwh"):
        if c not in zones.columns:
            zones[c] = np.nan
        for z in zones.loc[zones[c].isna(), "zone"]:
            problems.append(f"zones: zone '{z}' has no {c}; give it in the zones file, with set_zone('{z}', "
                            f"{c}=...), or from add_cambium / add_eia930 / add_iso_prices")
    if problems:
        raise InstanceError(problems)
    return zones


def profile_table(parts: list[pd.DataFrame], tech_profiles: set[str]) -> pd.DataFrame:
    """profiles.csv rows from the collected parts: later rows win; profiles no tech uses and that are
    not reserved are dropped with a :class:`DataWarning`."""
    prof = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["zone", "profile", "hour",
                                                                                  "value"])
    for c in ("zone", "site"):
        if c not in prof.columns:
            prof[c] = None
    unused = sorted(set(prof["profile"]) - tech_profiles - set(RESERVED_PROFILES))
    if unused:
        warnings.warn(f"profiles {unused} are used by no tech; left out of profiles.csv", DataWarning,
                      stacklevel=3)
        prof = prof[~prof["profile"].isin(unused)]
    prof = prof.drop_duplicates(["zone", "site", "profile", "hour"], keep="last")
    cols = ["zone", "profile", "hour", "value"] if prof["site"].isna().all() else [
        "zone", "site", "profile", "hour", "value"]
    prof = prof[cols].sort_values([c for c in ("zone", "site", "profile", "hour") if c in cols],
                                  na_position="first").reset_index(drop=True)
    prof["hour"] = prof["hour"].astype("int64")
    return prof


def scenario_dict(name: str, given: dict, years: list[int], *, dollar_year: int, n_sites: int, n_zones: int,
                  ) -> dict:
    """scenario.toml content: name, description, years, discount rate and dollar year, then the keys given."""
    sc = {"name": name,
          "description": given.get("description", f"{name}: built with siting.data.InstanceBuilder from "
                                                  f"{n_sites} candidate sites in {n_zones} zones."),
          "years": years,
          "discount_rate": given.get("discount_rate", SCENARIO_DEFAULTS["discount_rate"]),
          "dollar_year": dollar_year}
    for k, v in given.items():
        if k not in sc:
            sc[k] = v
    return sc
