"""Synthetic instances of any size for the benchmarks, written as ordinary instance folders.

Sizes grow with sites x years x slices. Costs and profiles are plausible (seeded), not
real data: the bundled instances carry the cited figures.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

ZONES = ["ERCOT", "PJM", "MISO", "SPP", "CAISO", "NYISO", "ISONE", "SOUTHEAST", "NORTHWEST", "SOUTHWEST"]


def write_instance(folder: str | Path, sites: int, years: int, typical_days: int, seed: int = 0,
                   zones: int = 8) -> Path:
    """Write a synthetic instance with ``sites`` sites, ``years`` years and ``typical_days`` days."""
    rng = np.random.default_rng(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    zs = ZONES[:zones]
    y0 = 2026
    ys = list(range(y0, y0 + years))
    (folder / "scenario.toml").write_text(
        f'name = "synthetic_{sites}x{years}x{typical_days}"\n'
        f'description = "Synthetic benchmark: {sites} sites, {years} years, {typical_days} typical days."\n'
        f"years = {ys}\ndiscount_rate = 0.07\ndollar_year = 2025\n\n"
        f'[time]\nmode = "typical_days"\ntypical_days = {typical_days}\n')
    module = 50.0
    max_it = module * rng.integers(4, 21, size=sites)
    lat = rng.uniform(28, 47, size=sites)
    lon = rng.uniform(-120, -75, size=sites)
    site_df = pd.DataFrame({
        "site": [f"s{i:04d}" for i in range(sites)], "zone": [zs[i % len(zs)] for i in range(sites)],
        "lat": lat.round(4), "lon": lon.round(4), "max_it_mw": max_it, "module_mw": module,
        "site_capex_usd": rng.uniform(2e7, 8e7, size=sites).round(-3),
        "building_capex_usd_per_kw": rng.uniform(9300, 15000, size=sites).round(0),
        "pue": rng.uniform(1.1, 1.25, size=sites).round(3),
        "earliest_year": rng.choice(ys[: max(1, years // 2)], size=sites),
        "grid_mw": (max_it * rng.uniform(0.3, 1.2, size=sites)).round(0),
        "grid_year": rng.choice(ys, size=sites) + rng.integers(0, 3, size=sites)})
    site_df.to_csv(folder / "sites.csv", index=False)
    pd.DataFrame({"zone": zs, "grid_price_usd_per_mwh": rng.uniform(55, 120, size=len(zs)).round(2),
                  "grid_co2_t_per_mwh": rng.uniform(0.2, 0.5, size=len(zs)).round(3),
                  "headroom_mw": (site_df.groupby("zone")["max_it_mw"].sum().reindex(zs).fillna(0) * 0.6).round(0)
                  }).to_csv(folder / "zones.csv", index=False)
    pd.DataFrame([
        dict(tech="gas_ct", kind="generator", capex_usd_per_kw=1500, fom_usd_per_kw_yr=7.18, vom_usd_per_mwh=4.17,
             fuel_usd_per_mmbtu=3.52, heat_rate_mmbtu_per_mwh=9.142, co2_t_per_mwh=0.485, life_years=30,
             earliest_year=y0, max_mw_per_site=400, unit_mw=50, profile="", clean=False,
             storage_hours="", roundtrip_efficiency=""),
        dict(tech="solar", kind="generator", capex_usd_per_kw=1484, fom_usd_per_kw_yr=23.6, vom_usd_per_mwh=0,
             fuel_usd_per_mmbtu=0, heat_rate_mmbtu_per_mwh=0, co2_t_per_mwh=0, life_years=30, earliest_year=y0,
             max_mw_per_site=1500, unit_mw="", profile="solar", clean=True, storage_hours="",
             roundtrip_efficiency=""),
        dict(tech="wind", kind="generator", capex_usd_per_kw=1712, fom_usd_per_kw_yr=34.57, vom_usd_per_mwh=0,
             fuel_usd_per_mmbtu=0, heat_rate_mmbtu_per_mwh=0, co2_t_per_mwh=0, life_years=30, earliest_year=y0,
             max_mw_per_site=1500, unit_mw="", profile="wind", clean=True, storage_hours="",
             roundtrip_efficiency=""),
        dict(tech="battery", kind="storage", capex_usd_per_kw=1521, fom_usd_per_kw_yr=41.84, vom_usd_per_mwh=0,
             fuel_usd_per_mmbtu=0, heat_rate_mmbtu_per_mwh=0, co2_t_per_mwh=0, life_years=15, earliest_year=y0,
             max_mw_per_site=1000, unit_mw="", profile="", clean=False, storage_hours=4,
             roundtrip_efficiency=0.85),
    ]).to_csv(folder / "techs.csv", index=False)
    pd.DataFrame([
        dict(generation="H100", first_year=2023, last_year=2026, watts=1500, pflops=1.979, price_usd=45000,
             life_years=5, max_units_per_year=""),
        dict(generation="GB200", first_year=2025, last_year=2028, watts=1900, pflops=5.0, price_usd=47000,
             life_years=5, max_units_per_year=""),
        dict(generation="Rubin", first_year=2027, last_year=2031, watts=3150, pflops=16.7, price_usd=60000,
             life_years=5, max_units_per_year=""),
        dict(generation="Feynman", first_year=2029, last_year=2040, watts=4000, pflops=40, price_usd=90000,
             life_years=5, max_units_per_year=""),
    ]).to_csv(folder / "chips.csv", index=False)
    total = site_df["max_it_mw"].sum()
    pd.DataFrame({"year": ys, "it_gw": np.round(np.linspace(0.15, 0.6, years) * total / 1000, 3)}).to_csv(
        folder / "targets.csv", index=False)
    hours = np.arange(8760)
    hod, doy = hours % 24, hours // 24
    frames = []
    for z in zs:
        daylight = np.clip(np.sin((hod - 6) / 12 * np.pi), 0, None)
        season = 1 + 0.25 * np.sin((doy - 80) / 365 * 2 * np.pi)
        cloud = np.repeat(rng.beta(4, 1.6, size=365), 24)
        solar = daylight * season * cloud
        solar *= 0.24 / solar.mean()
        wind = np.clip(np.repeat(rng.gamma(2.0, 0.2, size=365), 24) * (1 + 0.3 * rng.standard_normal(8760)), 0, None)
        wind = np.clip(wind * 0.35 / wind.mean(), 0, 1)
        price = 1 + 0.3 * np.sin((hod - 12) / 24 * 2 * np.pi) + 0.1 * rng.standard_normal(8760)
        price = np.clip(price, 0.2, None)
        price /= price.mean()
        for name, v in (("solar", np.clip(solar, 0, 1)), ("wind", wind), ("grid_price", price)):
            frames.append(pd.DataFrame({"zone": z, "profile": name, "hour": hours, "value": v.round(4)}))
    pd.concat(frames).to_csv(folder / "profiles.csv", index=False)
    return folder


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("folder")
    ap.add_argument("--sites", type=int, default=10)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--days", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    print(write_instance(a.folder, a.sites, a.years, a.days, a.seed))
