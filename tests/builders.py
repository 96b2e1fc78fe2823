"""Build small instances in code for tests.

Every table row comes from a default that a test overrides keyword by keyword, so a
test states only what matters to it::

    from builders import chip, gas, make_instance, site, solve_exact

    inst = make_instance(sites=[site(pue=1.1)], techs=[gas()], chips=[chip()], targets=0.1)
    res = solve_exact(inst)

Defaults (chosen so that hand derivations stay short):

- one zone ``z`` (grid 50 USD/MWh, 0.4 tCO2/MWh, no headroom limit);
- one site ``a`` in ``z``: 100 MW of IT in 2 modules of 50 MW, site capital 1 M USD,
  buildings 1000 USD/kW, PUE 1.2, open from 2026, no grid connection;
- a gas generator: 1000 USD/kW, 10 USD/kW/yr, 2 USD/MWh VOM, 3 USD/MMBtu x 9 MMBtu/MWh
  (27 USD/MWh fuel), 0.5 tCO2/MWh, 30-year life, continuous, unlimited, always available;
- one chip generation ``g1``: 1000 W, 1 PFLOPS, 10 000 USD, 5-year life, no supply cap;
- planning years ``[2026]``, discount rate 5 %, one representative day (``typical_days = 1``:
  with profiles that repeat every day the representative day is that day, 365 h per slice).

:func:`crf` and :func:`discount_factors` are written here independently of the library,
so that the tests check its conventions rather than reuse them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

import siting

__all__ = ["SITE", "ZONE", "GAS", "CHIP", "site", "zone", "gas", "generator", "storage", "chip",
           "make_instance", "daily_profile", "crf", "discount_factors", "solve_exact", "HOURS"]

HOURS = 8760

SITE = dict(site="a", zone="z", lat=30.0, lon=-100.0, max_it_mw=100.0, module_mw=50.0, site_capex_usd=1e6,
            building_capex_usd_per_kw=1000.0, pue=1.2, earliest_year=2026, grid_mw=0.0, grid_year=2026)
ZONE = dict(zone="z", grid_price_usd_per_mwh=50.0, grid_co2_t_per_mwh=0.4, headroom_mw=None)
GAS = dict(tech="gas", kind="generator", capex_usd_per_kw=1000.0, fom_usd_per_kw_yr=10.0, vom_usd_per_mwh=2.0,
           fuel_usd_per_mmbtu=3.0, heat_rate_mmbtu_per_mwh=9.0, co2_t_per_mwh=0.5, life_years=30.0,
           earliest_year=2026, max_mw_per_site=None, unit_mw=None, profile=None, clean=False)
CHIP = dict(generation="g1", first_year=2026, last_year=2040, watts=1000.0, pflops=1.0, price_usd=10_000.0,
            life_years=5.0, max_units_per_year=None)


def _row(default: Mapping, kw: Mapping) -> dict:
    unknown = set(kw) - set(default) - {"site_life_years", "building_life_years", "grid_clean_share",
                                        "storage_hours", "roundtrip_efficiency"}
    if unknown:
        raise TypeError(f"unknown column(s) {sorted(unknown)}")
    return {**default, **kw}


def site(**kw) -> dict:
    """A sites.csv row: :data:`SITE` with ``kw`` overriding."""
    return _row(SITE, kw)


def zone(**kw) -> dict:
    """A zones.csv row: :data:`ZONE` with ``kw`` overriding."""
    return _row(ZONE, kw)


def gas(**kw) -> dict:
    """A techs.csv generator row: :data:`GAS` with ``kw`` overriding."""
    return _row(GAS, kw)


def generator(tech: str, capex_usd_per_kw: float, fom_usd_per_kw_yr: float = 0.0, *, clean: bool = True,
              **kw) -> dict:
    """A fuel-free, emission-free generator (solar, wind, geothermal, SMR ...): no VOM, no fuel, no CO2."""
    base = dict(GAS, tech=tech, capex_usd_per_kw=capex_usd_per_kw, fom_usd_per_kw_yr=fom_usd_per_kw_yr,
                vom_usd_per_mwh=0.0, fuel_usd_per_mmbtu=0.0, heat_rate_mmbtu_per_mwh=0.0, co2_t_per_mwh=0.0,
                clean=clean)
    return _row(base, kw)


def storage(tech: str = "battery", capex_usd_per_kw: float = 300.0, fom_usd_per_kw_yr: float = 0.0, *,
            storage_hours: float = 4.0, roundtrip_efficiency: float = 0.81, **kw) -> dict:
    """A storage row (no VOM, no fuel, no CO2, 15-year life unless overridden)."""
    base = dict(GAS, tech=tech, kind="storage", capex_usd_per_kw=capex_usd_per_kw,
                fom_usd_per_kw_yr=fom_usd_per_kw_yr, vom_usd_per_mwh=0.0, fuel_usd_per_mmbtu=0.0,
                heat_rate_mmbtu_per_mwh=0.0, co2_t_per_mwh=0.0, life_years=15.0, clean=True,
                storage_hours=storage_hours, roundtrip_efficiency=roundtrip_efficiency)
    return _row(base, kw)


def chip(**kw) -> dict:
    """A chips.csv row: :data:`CHIP` with ``kw`` overriding."""
    return _row(CHIP, kw)


def daily_profile(shape: Sequence[float], profile: str, zone: str | None = "z", site: str | None = None,
                  ) -> pd.DataFrame:
    """A profiles.csv block: a 24-value day ``shape`` tiled over the 8760 hours of the year.

    Give ``zone`` (default) or ``site`` (then ``zone`` is left blank). Concatenate blocks
    with ``pd.concat`` for several profiles.
    """
    shape = np.asarray(shape, dtype=float)
    if shape.shape != (24,):
        raise ValueError("a daily shape has 24 values")
    df = pd.DataFrame({"hour": np.arange(HOURS), "value": np.tile(shape, HOURS // 24), "profile": profile})
    if site is not None:
        df.insert(0, "site", site)
        df.insert(0, "zone", None)
    else:
        df.insert(0, "zone", zone)
    return df


def _targets(targets, years: Sequence[int]) -> list[dict]:
    if isinstance(targets, (int, float)):
        return [{"year": y, "it_gw": float(targets)} for y in years]
    if isinstance(targets, Mapping):
        return [{"year": int(y), "it_gw": float(v)} for y, v in targets.items()]
    return list(targets)


def make_instance(sites: Iterable[dict] | None = None, techs: Iterable[dict] | None = None,
                  chips: Iterable[dict] | None = None, targets=0.1, zones: Iterable[dict] | None = None,
                  profiles: pd.DataFrame | Sequence[pd.DataFrame] | None = None,
                  years: Sequence[int] = (2026,), discount_rate: float = 0.05, policy: dict | None = None,
                  time: dict | None = None, name: str = "known") -> siting.Instance:
    """A validated :class:`siting.Instance` built from rows (defaults above for anything not given).

    Parameters
    ----------
    sites, techs, chips, zones : rows (dicts, e.g. from :func:`site`, :func:`gas`, :func:`chip`,
        :func:`zone`); default one row of each default (``techs``: gas only).
    targets : it_gw for every year (a number), ``{year: it_gw}``, or targets.csv rows as dicts
        (to give ``compute_eflops``).
    profiles : a profiles.csv DataFrame, or a list of them (concatenated); default none.
    years, discount_rate : scenario.toml keys.
    policy : scenario.toml [policy] table (carbon_price_usd_per_t, co2_cap_t, clean_share).
    time : scenario.toml [time] table; default one representative day.
    """
    years = [int(y) for y in years]
    scenario = {"name": name, "description": "built in code by tests/builders.py", "years": years,
                "discount_rate": discount_rate, "dollar_year": 2025,
                "time": dict(time) if time is not None else {"mode": "typical_days", "typical_days": 1}}
    if policy:
        scenario["policy"] = dict(policy)
    if profiles is not None and not isinstance(profiles, pd.DataFrame):
        profiles = pd.concat(list(profiles), ignore_index=True)
    return siting.Instance.from_frames(
        scenario,
        targets=_targets(targets, years),
        sites=list(sites) if sites is not None else [site()],
        zones=list(zones) if zones is not None else [zone()],
        techs=list(techs) if techs is not None else [gas()],
        chips=list(chips) if chips is not None else [chip()],
        profiles=profiles,
    )


def crf(rate: float, life: float) -> float:
    """Capital recovery factor r(1+r)^n / ((1+r)^n - 1) (1/n at r = 0): written here, not imported."""
    if rate == 0:
        return 1.0 / life
    return rate / (1.0 - (1.0 + rate) ** -life)


def discount_factors(rate: float, years: Sequence[int]) -> dict[int, float]:
    """Per planning year, the sum of (1+r)^-(calendar year - first year) over the calendar years it
    stands for (up to the next planning year; the last stands for one)."""
    years = list(years)
    out = {}
    for i, y in enumerate(years):
        end = years[i + 1] if i + 1 < len(years) else y + 1
        out[y] = sum((1.0 + rate) ** -(c - years[0]) for c in range(y, end))
    return out


def solve_exact(inst_or_model) -> siting.Results:
    """Solve to (near) proven optimality, so that objectives compare at 1e-6 relative.

    An instance is solved with the method named by the environment variable SITING_TEST_METHOD
    (default "monolithic"): tests/test_benders.py runs the known-answer tests again under "benders".
    """
    import os

    if isinstance(inst_or_model, siting.Instance):
        return siting.solve(inst_or_model, mip_gap=1e-9, method=os.environ.get("SITING_TEST_METHOD", "monolithic"))
    return siting.solve(inst_or_model, mip_gap=1e-9)
