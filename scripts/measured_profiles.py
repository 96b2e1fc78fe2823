"""Write the measured hourly profiles (and zone price levels) of the bundled instances from raw public files.

Usage (from anywhere)::

    python scripts/measured_profiles.py RAW                     # the three instances below
    python scripts/measured_profiles.py RAW us_250gw             # one instance
    python scripts/measured_profiles.py RAW --manifest           # name, source, licence, SHA-256 of each raw file
    python scripts/measured_profiles.py RAW --stats              # daily-mean CV and low-day share, raw and bundled

``RAW`` is a folder holding the raw files of ``RAW_FILES`` under the names given there (each is one
file of a public GitHub repository at a fixed commit, e.g. ``git --git-dir=<clone>/.git show
<commit>:<path> > RAW/<name>``, or the raw.githubusercontent.com URL of the commit and path; the
instance READMEs list them with their source and SHA-256). The script checks every hash before it
reads anything. It writes, for ercot_campus, us_250gw and us_regions_small (the last two share their
zones and get byte-identical files):

- ``profiles.csv``: per zone, 8760 hours of weather year **2021** (hour 0 = 00:00-01:00 local
  standard time, 1 January 2021; the local hours of 31 December past the end of the UTC data take
  the values 24 hours earlier):

  ``solar``, ``wind``
      Capacity factor of the measured fleet: EIA-930 hourly net generation of the balancing
      authority (hour-beginning UTC) divided by a capacity that grows linearly over 2021 from the
      fleet's end-2020 to its end-2021 capacity (EIA-860 generators by operating year, as packaged
      in PowerGenome-data with the ReEDS region hierarchy), then scaled by one factor ``k`` so that
      the annual mean of ``min(k x shape, 1)`` equals the zone's cited annual CF in
      ``profile_targets.csv``. The shape of each hour, day and season is measured; only the level is
      set by the target. A zone without a measured fleet of its own takes a named neighbour's shape
      on its own local clock (``PROXY``); NYISO and the Northwest take the sum of their own small fleet
      and a neighbouring measured fleet (a portfolio a GW buyer could contract, ``ZONES``).
  ``grid_price``
      Multiplier (mean 1) of the zone's wholesale price level: the hub's 2021 real-time LMP (EIA
      wholesale-market files; 5- and 15-minute intervals averaged to hours by interval start),
      clipped to [0, ``PRICE_CAP``] $/MWh, over its annual mean. zones.csv
      ``grid_price_usd_per_mwh`` is that clipped mean, rounded to 0.1 $/MWh.
  ``grid_clean_share``
      Multiplier (mean 1) of the hourly clean share of the balancing authority's own net
      generation (nuclear + hydro + wind + solar over all fuels reported; EIA-930, 2021);
      zones.csv ``grid_clean_share`` is its annual mean (time-weighted), rounded to 0.001. Only
      for zones with a measured fuel mix; imports are not counted.
  ``pue``
      Multiplier (mean 1) of the site PUE from the balancing authority's hourly 2-m temperature
      (GFS day-ahead forecast averaged over the area, as carried in DACF / CarbonCast): the cooling
      overhead ``PUE - 1`` rises by 3 % per kelvin above the annual mean temperature, floored at
      30 % of its mean (the rule of scripts/make_profiles.py). Only where a temperature series exists.
  ``coincident_peak``
      1 in the hours of the zone's coincident peaks, else 0, for zones whose demand charge is
      billed on them (zones.csv ``demand_charge_basis = coincident``): ERCOT 4CP (the hour of the
      highest ERCOT demand in each of June-September 2021), PJM 5CP (the highest hour of each of
      the five days with the highest daily peak in June-September 2021), from the cleaned EIA-930
      demand of Ruggles et al.

- ``zones.csv``: rewrites only the columns ``grid_price_usd_per_mwh`` and ``grid_clean_share``.
- ``fuels.csv``: the natural-gas price of each zone and year (``gas_prices``).

Values have at most 4 decimals. Profiles stay within 0..1 for capacity factors and >= 0 for the
multipliers. ``--stats`` prints, for every wind and solar series, the coefficient of variation of the
daily means relative to the annual mean and the share of days whose mean is below 0.2 x the annual
mean, for the raw measured fleets (2020 and 2021) and for the bundled profiles.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2021
HOURS = 8760
PRICE_CAP = 300.0  # $/MWh: scarcity hours above it are clipped (Winter Storm Uri, Feb-2021, sat at $9,000)
COOLING_SLOPE = 0.03  # share of the cooling overhead added per kelvin above the annual mean (make_profiles.py)

_DACF = ("carbonfirst/DACF", "bde62273135703c731090552436a36b464aa97ef", "Apache-2.0")
_CC = ("aamyli/CarbonCast (fork of carbonfirst/CarbonCast)", "fb8fe4f046a042a8c48e1ba9973930609b4d47ed", "Apache-2.0")
_EIA = ("Lauvera132/hydrogen_renewable_electrolysis_simulation", "d3353c10b17ffdc74c08c4ecb5ec097ac351ce2a",
        "EIA data, US public domain (repository: no licence)")
_PG = ("gschivley/PowerGenome-data", "f42841fdf1e36ac68585785921aaacf4de800eb4", "MIT")
_TR = ("truggles/EIA_Cleaned_Hourly_Electricity_Demand_Data", "b80145df5f92aba56c52ed45281831b93543fb3b", "CC BY 4.0")

#: raw file name -> (repository, commit, licence, path in the repository)
RAW_FILES: dict[str, tuple[str, str, str, str]] = {}


def _raw(name: str, src: tuple[str, str, str], path: str) -> None:
    RAW_FILES[name] = (*src, path)


for _ba in ("ERCO", "CISO", "PJM", "ISNE"):
    _raw(f"DACF_{_ba}.csv", _DACF, f"data/{_ba}/{_ba}.csv")
for _ba in ("NYISO", "BPAT", "FPL"):
    _raw(f"CarbonCast_{_ba}_direct_emissions.csv", _CC, f"data/{_ba}/{_ba}_direct_emissions.csv")
    _raw(f"CarbonCast_{_ba}_AVG_TEMP.csv", _CC, f"data/{_ba}/weather_data/{_ba}_AVG_TEMP.csv")
for _q in (1, 2, 3, 4):
    _raw(f"ercot_lmp_rt_15min_hubs_2021Q{_q}.csv", _EIA,
         f"ercot_realtime_locational_marginal_prices/ercot_lmp_rt_15min_hubs_2021Q{_q}.csv")
    _raw(f"caiso_lmp_rt_15min_zones_2021Q{_q}.csv", _EIA,
         f"caiso_realtime_locational_marginal_prices/caiso_lmp_rt_15min_zones_2021Q{_q}.csv")
    _raw(f"spp_lmp_rt_5min_hubs_2021Q{_q}.csv", _EIA,
         f"spp_realtime_locational_marginal_prices/spp_lmp_rt_5min_hubs_2021Q{_q}.csv")
_raw("isone_lmp_rt_hr_hubs_2021.csv", _EIA, "iso_ne_realtime_locational_marginal_prices/isone_lmp_rt_hr_hubs_2021.csv")
_raw("miso_lmp_rt_hr_hubs_2021.csv", _EIA, "miso_realtime_locational_marginal_prices/miso_lmp_rt_hr_hubs_2021.csv")
_raw("nyiso_lmp_rt_hr_zones_2021.csv", _EIA, "nyiso_realtime_locational_marginal_prices/nyiso_lmp_rt_hr_zones_2021.csv")
_raw("reeds_generators_transformed.csv", _PG, "data/reeds_generators_transformed.csv")
_raw("plant_region_map.csv", _PG, "data/plant_region_map.csv")
_raw("hierarchy.csv", _PG, "cache_data/hierarchy.csv")
_raw("fuel_prices.csv", _PG, "data/fuel_prices.csv")
_raw("truggles_TEXAS_IC.csv", _TR, "data/release_2025_Jan_include_subregions/interconnects/TEXAS_IC.csv")
_raw("truggles_MIDA.csv", _TR, "data/release_2025_Jan_include_subregions/regions/MIDA.csv")

#: SHA-256 of each raw file as read for the bundled profiles (checked before reading)
SHA256 = {
    "DACF_ERCO.csv": "eb1a519ee06c58d35fcbfecd5e3b56a11ec0fb142e192a64b7d5f9b1c8d0889d",
    "DACF_CISO.csv": "311ce2149d6250342a05df700b23f2d37f791c91a34c2ded1aa9dc8dd659fdef",
    "DACF_PJM.csv": "045292292855ee254f5cf05fa4b26b0afc6383d1c97b7abb6335d1029cf9994b",
    "DACF_ISNE.csv": "8c3aeba1037264b96728aa001a08c3eb82a51e6f965099b1cc2d6f753fcd2a85",
    "CarbonCast_NYISO_direct_emissions.csv": "98bb749b833e05a0c888f36bf8d509834a5273562d979d74321333d35aaf2a42",
    "CarbonCast_NYISO_AVG_TEMP.csv": "35db415a5773f13666645c4229b15c52c0afc3c4b52580f7594bbb71c10e5411",
    "CarbonCast_BPAT_direct_emissions.csv": "539263f72d05089367995f466b64f740ce07bb89479c73d708ca1f0995fe1b3f",
    "CarbonCast_BPAT_AVG_TEMP.csv": "70b186ca9ba195463ade1293ba0a163537f7ccca9383425365158620c07c82dc",
    "CarbonCast_FPL_direct_emissions.csv": "25896c70ae465a704d2385eb07ef99b02574486cadd5a863e072f01ed631fd21",
    "CarbonCast_FPL_AVG_TEMP.csv": "cbbc751e02beac637c8952955fe1157acf1d47703b6af49d6799b23a2c2c4e0c",
    "ercot_lmp_rt_15min_hubs_2021Q1.csv": "0da85d8973b8dbb220f1b3b1e4b7b8af9029df3a7e3e9fc94c403dac8545903f",
    "caiso_lmp_rt_15min_zones_2021Q1.csv": "fe2e241b8a84f4edb7b818fab6cc4b75b38ac280deec543bfd8f1f579efcf46e",
    "spp_lmp_rt_5min_hubs_2021Q1.csv": "b11e71d94dc96b23579810e390c0516056d80b481f172878c27feb3fad58791f",
    "ercot_lmp_rt_15min_hubs_2021Q2.csv": "ea7e8e773ce4b863ff00b0c91386eec56b26b26e1d95302055c5c3fbc83d40a8",
    "caiso_lmp_rt_15min_zones_2021Q2.csv": "01edce283523ac7cd0ca399785971db51ae82e4bee5a561cf380196dc45a085b",
    "spp_lmp_rt_5min_hubs_2021Q2.csv": "d69e82869c5477dead6cb275671e512544ea2e275e4606b3734c4f4234fc601d",
    "ercot_lmp_rt_15min_hubs_2021Q3.csv": "454cdc83fdf677de1a6910a4d5b1f86374bf7791798d4f8ec6e06a1d8160b225",
    "caiso_lmp_rt_15min_zones_2021Q3.csv": "50455fa4376972f71ae1ec370e37d26685fd28781ff76c44d21da0ab7a28d914",
    "spp_lmp_rt_5min_hubs_2021Q3.csv": "7683803b011e292bd918d230f2e5a3a4db17f56bb9febba4fa1d8d1b044db32c",
    "ercot_lmp_rt_15min_hubs_2021Q4.csv": "b26cead1409b81046fba954e1178b4d36fbd4cff81475abaf95673b0c7839594",
    "caiso_lmp_rt_15min_zones_2021Q4.csv": "4dfd5c8ecf25fa1d013f759bddb9ff9748f108b7c2643c9ee8797236470cb8b9",
    "spp_lmp_rt_5min_hubs_2021Q4.csv": "9b8b09e133d61141d9d6916bdd6d7d440aab7c4f6e5a3f2d1ae2577b873e07e6",
    "isone_lmp_rt_hr_hubs_2021.csv": "0728c26fd6a3dcc11f3e15455dfe53f8a830c402a0b083d4e2cd28783e8a2375",
    "miso_lmp_rt_hr_hubs_2021.csv": "6e46f4293c5e9abec49807c31f2ea772ea69e6b42b9c6eb7d2d19bebba93540b",
    "nyiso_lmp_rt_hr_zones_2021.csv": "11306a686aec991e854210e7340fad62c5014f1752406bc14b40e5ca3103bf5d",
    "reeds_generators_transformed.csv": "8c8952ed477ae5ea5a634ad51d8a033c9a8f9e5c6130e33c9d9d8c331a245dbe",
    "plant_region_map.csv": "9450acfa4c1b1585104d896a5a5dd3198a4ab87f6c74b1ca7b8e791ffbdeee6b",
    "hierarchy.csv": "86c5a14f10ef58728b2269af0d38eb7193829d1765c60a13e38422cbdb89102d",
    "fuel_prices.csv": "d8e9350fbbb0131bcada620aae386b45e00ea50e4c4a5e83e2b5525eb6b53bc6",
    "truggles_TEXAS_IC.csv": "473c5d0c6c90404b2e29a550911843dfa10603f379df2afdd0ae9b226a1250c2",
    "truggles_MIDA.csv": "5700a9cdeccf0da5eded6d7ce575999647966b61f67b9cc32b56651d78b7e304",
}

#: measured balancing authority -> (raw file, fuel-mix format, ReEDS group of its fleet for the capacity trend)
BAS = {
    "ERCO": ("DACF_ERCO.csv", ("transreg", "ERCOT")),
    "CISO": ("DACF_CISO.csv", ("transreg", "CAISO")),
    "PJM": ("DACF_PJM.csv", ("transreg", "PJM")),
    "ISNE": ("DACF_ISNE.csv", ("transreg", "ISONE")),
    "NYISO": ("CarbonCast_NYISO_direct_emissions.csv", ("transreg", "NYISO")),
    "BPAT": ("CarbonCast_BPAT_direct_emissions.csv", ("hurdlereg", "Bonneville_Power_Administration")),
    "FPL": ("CarbonCast_FPL_direct_emissions.csv", ("hurdlereg", "Florida_Power_and_Light")),
}
BA_UTC_OFFSET = {"ERCO": -6, "CISO": -8, "PJM": -5, "ISNE": -5, "NYISO": -5, "BPAT": -8, "FPL": -5}
TEMPERATURE = {"ERCO": "DACF_ERCO.csv", "CISO": "DACF_CISO.csv", "PJM": "DACF_PJM.csv", "ISNE": "DACF_ISNE.csv",
               "NYISO": "CarbonCast_NYISO_AVG_TEMP.csv", "BPAT": "CarbonCast_BPAT_AVG_TEMP.csv",
               "FPL": "CarbonCast_FPL_AVG_TEMP.csv"}
CLEAN_FUELS = ("nuclear", "hydro", "wind", "solar")
GEN_FUELS = ("coal", "nat_gas", "nuclear", "oil", "hydro", "solar", "wind", "other")

#: hub price series: market -> (raw files, column prefix is the hub)
MARKETS = {
    "ercot": [f"ercot_lmp_rt_15min_hubs_2021Q{q}.csv" for q in (1, 2, 3, 4)],
    "caiso": [f"caiso_lmp_rt_15min_zones_2021Q{q}.csv" for q in (1, 2, 3, 4)],
    "spp": [f"spp_lmp_rt_5min_hubs_2021Q{q}.csv" for q in (1, 2, 3, 4)],
    "isone": ["isone_lmp_rt_hr_hubs_2021.csv"],
    "miso": ["miso_lmp_rt_hr_hubs_2021.csv"],
    "nyiso": ["nyiso_lmp_rt_hr_zones_2021.csv"],
}

#: zone -> sources. utc_offset: local standard time of the zone. solar/wind/clean/temp: a measured BA
#: (None: no profile); a tuple of BAs for wind is a portfolio (the sum of the fleets' output): NYISO's and
#: BPA's own wind fleets (0.5 and 0.9 GW on average in 2021) are far smaller than the GW a hub would
#: contract, so their zones add the neighbouring measured fleet of the same year and clock. price: (market,
#: hub column). peak: coincident-peak rule or None. pue_overhead: the zones' site PUE - 1. A source named
#: in PROXY is a neighbour's, not the zone's own.
ZONES = {
    "ERCOT_WEST": dict(utc_offset=-6, solar="ERCO", wind="ERCO", clean="ERCO", temp="ERCO",
                       price=("ercot", "West LMP"), peak="4CP", pue_overhead=0.15),
    "ERCOT_NORTH": dict(utc_offset=-6, solar="ERCO", wind="ERCO", clean="ERCO", temp="ERCO",
                        price=("ercot", "North LMP"), peak="4CP", pue_overhead=0.15),
    "ERCOT": dict(utc_offset=-6, solar="ERCO", wind="ERCO", clean="ERCO", temp="ERCO",
                  price=("ercot", "Hub average LMP"), peak="4CP", pue_overhead=0.15),
    "PJM": dict(utc_offset=-5, solar="PJM", wind="PJM", clean="PJM", temp="PJM",
                price=("miso", "Indiana Hub LMP"), peak="5CP", pue_overhead=0.10),
    "MISO": dict(utc_offset=-6, solar="PJM", wind="PJM", clean=None, temp=None,
                 price=("miso", "Illinois Hub LMP"), peak=None, pue_overhead=0.10),
    "SPP": dict(utc_offset=-6, solar="ERCO", wind="ERCO", clean=None, temp=None,
                price=("spp", "South Hub LMP"), peak=None, pue_overhead=0.15),
    "CAISO": dict(utc_offset=-8, solar="CISO", wind="CISO", clean="CISO", temp="CISO",
                  price=("caiso", "NP-15 LMP"), peak=None, pue_overhead=0.10),
    "NYISO": dict(utc_offset=-5, solar="ISNE", wind=("NYISO", "ISNE"), clean="NYISO", temp="NYISO",
                  price=("nyiso", "C - Central LMP"), peak=None, pue_overhead=0.08),
    "ISONE": dict(utc_offset=-5, solar="ISNE", wind="ISNE", clean="ISNE", temp="ISNE",
                  price=("isone", "Internal Hub LMP"), peak=None, pue_overhead=0.08),
    "SOUTHEAST": dict(utc_offset=-5, solar="FPL", wind="PJM", clean="FPL", temp="FPL",
                      price=("miso", "Mississippi Hub LMP"), peak=None, pue_overhead=0.15),
    "NORTHWEST": dict(utc_offset=-8, solar="BPAT", wind=("BPAT", "CISO"), clean="BPAT", temp="BPAT",
                      price=("caiso", "NP-15 LMP"), peak=None, pue_overhead=0.08),
    "SOUTHWEST": dict(utc_offset=-7, solar="CISO", wind="CISO", clean=None, temp=None,
                      price=("caiso", "SP-15 LMP"), peak=None, pue_overhead=0.15),
}
#: (zone, profile) whose source is a neighbouring region's (the README states each limit)
PROXY = {("PJM", "grid_price"), ("MISO", "solar"), ("MISO", "wind"), ("SPP", "solar"), ("SPP", "wind"),
         ("NYISO", "solar"), ("NYISO", "wind"), ("NORTHWEST", "wind"), ("SOUTHEAST", "wind"),
         ("SOUTHEAST", "grid_price"), ("NORTHWEST", "grid_price"), ("SOUTHWEST", "solar"), ("SOUTHWEST", "wind"),
         ("SOUTHWEST", "grid_price")}

US_REGIONS = ["ERCOT", "PJM", "MISO", "SPP", "CAISO", "NYISO", "ISONE", "SOUTHEAST", "NORTHWEST", "SOUTHWEST"]
INSTANCES = {"ercot_campus": ["ERCOT_WEST", "ERCOT_NORTH"], "us_250gw": US_REGIONS, "us_regions_small": US_REGIONS}
#: calendar years of fuels.csv per instance
FUEL_YEARS = {"ercot_campus": range(2025, 2031), "us_250gw": range(2025, 2034), "us_regions_small": range(2025, 2034)}

#: zone -> ReEDS transmission region (hierarchy.csv transreg) whose natural-gas price projection it takes
GAS_REGION = {"ERCOT_WEST": "ERCOT", "ERCOT_NORTH": "ERCOT", "ERCOT": "ERCOT", "PJM": "PJM", "MISO": "MISO",
              "SPP": "SPP", "CAISO": "CAISO", "NYISO": "NYISO", "ISONE": "ISONE", "SOUTHEAST": "SERTP",
              "NORTHWEST": "NorthernGrid", "SOUTHWEST": "WestConnect"}
#: CPI-U annual averages (BLS, as in siting.data.money.CPI_U): 2024 -> 2025 dollars for fuel_prices.csv (2024$)
CPI_2024, CPI_2025 = 313.689, 321.943


# --- reading ------------------------------------------------------------------------------------------------------
def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_raw(raw: Path, names: list[str] | None = None) -> None:
    """Every raw file exists and has the recorded SHA-256 (when one is recorded)."""
    bad = []
    for name in names or RAW_FILES:
        p = raw / name
        if not p.is_file():
            bad.append(f"{name}: missing")
        elif SHA256.get(name) and sha256(p) != SHA256[name]:
            bad.append(f"{name}: SHA-256 differs from the recorded one")
    if bad:
        raise SystemExit("raw files:\n  " + "\n  ".join(bad))


def read_fuel_mix(raw: Path, ba: str) -> pd.DataFrame:
    """Hourly net generation by fuel (MW) of a balancing authority, indexed by UTC hour start."""
    d = pd.read_csv(raw / BAS[ba][0])
    d.index = pd.DatetimeIndex(pd.to_datetime(d["UTC time"]), name="utc")
    cols = [c for c in GEN_FUELS if c in d.columns]
    return d[cols].astype(float).clip(lower=0)


def read_temperature(raw: Path, ba: str) -> pd.Series:
    """Hourly 2-m temperature (deg C) of a balancing authority's area, indexed by UTC hour start."""
    name = TEMPERATURE[ba]
    if name.startswith("DACF"):
        d = pd.read_csv(raw / name)
        t = pd.Series(d["forecast_avg_temperature_wMean"].to_numpy(float),
                      index=pd.DatetimeIndex(pd.to_datetime(d["UTC time"])))
        t[t <= 0] = np.nan  # the files hold 0 where no forecast was stored (the last day of 2021)
    else:
        # one row per day: the analysis (00 UTC) and the 3-hourly forecasts of that day's 00 UTC run
        d = pd.read_csv(raw / name)
        d = d[d["param"] == "TMP"]
        steps = ["Analysis"] + [f"{h} hr fcst" for h in range(3, 24, 3)]
        day = pd.to_datetime(d["datetime"]).to_numpy()
        vals = d[steps].to_numpy(float)
        idx = (day[:, None] + np.arange(0, 24, 3)[None, :].astype("timedelta64[h]")).ravel()
        t = pd.Series(vals.ravel(), index=pd.DatetimeIndex(idx)).sort_index()
        t = t[~t.index.duplicated()].resample("h").interpolate("time")
    return (t - 273.15).interpolate(limit_direction="both")


def read_prices(raw: Path, market: str, hub: str) -> pd.Series:
    """Hourly real-time LMP ($/MWh) of a hub, indexed by UTC hour start (sub-hourly intervals averaged)."""
    frames = []
    for name in MARKETS[market]:
        d = pd.read_csv(raw / name, skiprows=3)
        end = pd.to_datetime(d["UTC Timestamp (Interval Ending)"])
        frames.append(pd.Series(pd.to_numeric(d[hub], errors="coerce").to_numpy(), index=pd.DatetimeIndex(end)))
    s = pd.concat(frames).sort_index()
    s = s[~s.index.duplicated()]
    step = s.index.to_series().diff().dropna().mode().iloc[0]
    s.index = s.index - step  # interval start
    return s.resample("h").mean()


def local_year(s: pd.Series, utc_offset: int) -> np.ndarray:
    """The 8760 values of YEAR in local standard time (UTC + offset).

    Gaps of up to 3 hours are interpolated; a longer gap, or hours past the end of the data, take the value
    24 hours earlier, and hours before the start of the data the value 24 hours later."""
    local = s.copy()
    local.index = local.index + pd.Timedelta(hours=utc_offset)
    hours = pd.date_range(f"{YEAR}-01-01", periods=HOURS, freq="h")
    v = local.reindex(hours).interpolate(limit=3, limit_area="inside").to_numpy(float, copy=True)
    for i in np.flatnonzero(np.isnan(v)):
        if i >= 24:
            v[i] = v[i - 24]
    for i in np.flatnonzero(np.isnan(v))[::-1]:  # first hours before the data start: 24 h later
        v[i] = v[i + 24]
    if np.isnan(v).any():
        raise ValueError("series has gaps of more than a day")
    return v


# --- capacity trend and scaling -------------------------------------------------------------------------------------
def fleet_capacity(raw: Path) -> pd.DataFrame:
    """Wind and solar capacity (MW) in service at the end of each year, by ReEDS transreg and hurdlereg."""
    g = pd.read_csv(raw / "reeds_generators_transformed.csv")
    m = pd.read_csv(raw / "plant_region_map.csv")
    h = pd.read_csv(raw / "hierarchy.csv")
    g = g.merge(m, on="plant_id").merge(h[["ba", "transreg", "hurdlereg"]], left_on="region", right_on="ba")
    g["tech"] = g["technology"].map({"Onshore Wind Turbine": "wind", "Solar Photovoltaic": "solar"})
    return g[g["tech"].notna()]


def growth(cap: pd.DataFrame, ba: str, tech: str) -> float:
    """Relative capacity growth of a fleet over YEAR: end-YEAR / end-(YEAR-1) - 1."""
    col, key = BAS[ba][1]
    f = cap[(cap[col] == key) & (cap["tech"] == tech)]
    start = f.loc[f["operating_year"] <= YEAR - 1, "capacity_mw"].sum()
    end = f.loc[f["operating_year"] <= YEAR, "capacity_mw"].sum()
    return end / start - 1 if start > 0 else 0.0


def shape_utc(mix: pd.DataFrame, tech: str, g: float) -> pd.Series:
    """Generation over a capacity rising linearly through YEAR by the share g (arbitrary scale)."""
    s = mix[tech]
    t = (s.index - pd.Timestamp(f"{YEAR}-01-01")) / pd.Timedelta(hours=1)
    trend = 1 + g * np.clip((t + 0.5) / HOURS, 0, 1)
    return s / trend


def scale_to_cf(shape: np.ndarray, target: float) -> np.ndarray:
    """min(k x shape, 1) with mean target, rounded to 4 decimals (mean kept within 5e-5)."""
    shape = shape / shape.max()
    lo, hi = 0.0, 1.0 / max(target, 1e-6) * 10
    for _ in range(200):
        mid = (lo + hi) / 2
        if np.minimum(mid * shape, 1).mean() < target:
            lo = mid
        else:
            hi = mid
    v = np.round(np.minimum(hi * shape, 1.0), 4)
    return v


def round_mean_one(v: np.ndarray) -> np.ndarray:
    """v / mean, rounded to 4 decimals, the rounding residual put on the largest value."""
    out = np.round(v / v.mean(), 4)
    i = int(np.argmax(out))
    out[i] = np.round(out[i] + (HOURS - out.sum()), 4)
    return out


def pue_multiplier(temp_c: np.ndarray, overhead: float) -> np.ndarray:
    o = np.maximum(overhead * (1 + COOLING_SLOPE * (temp_c - temp_c.mean())), 0.3 * overhead)
    return (1 + o) / (1 + overhead)


def coincident_peaks(raw: Path, rule: str, utc_offset: int) -> np.ndarray:
    """0/1 flags of the local hours of YEAR that set the zone's coincident peaks (4CP or 5CP)."""
    name = {"4CP": "truggles_TEXAS_IC.csv", "5CP": "truggles_MIDA.csv"}[rule]
    d = pd.read_csv(raw / name)
    s = pd.Series(d["cleaned demand (MW)"].to_numpy(float), index=pd.DatetimeIndex(pd.to_datetime(d["date_time"])))
    load = pd.Series(local_year(s, utc_offset), index=pd.date_range(f"{YEAR}-01-01", periods=HOURS, freq="h"))
    summer = load[load.index.month.isin([6, 7, 8, 9])]
    if rule == "4CP":
        peaks = summer.groupby(summer.index.month).idxmax().to_list()
    else:
        daily = summer.groupby(summer.index.date)
        top = daily.max().nlargest(5).index
        peaks = [daily.get_group(day).idxmax() for day in top]
    flags = np.zeros(HOURS)
    flags[[load.index.get_loc(p) for p in peaks]] = 1
    return flags


# --- building ------------------------------------------------------------------------------------------------------
def zone_profiles(raw: Path, zone: str, targets: dict[tuple[str, str], float], cache: dict) -> dict[str, np.ndarray]:
    z = ZONES[zone]
    if "cap" not in cache:
        cache["cap"] = fleet_capacity(raw)
    out: dict[str, np.ndarray] = {}
    for tech in ("solar", "wind"):
        if (zone, tech) not in targets:
            continue
        bas = z[tech] if isinstance(z[tech], tuple) else (z[tech],)
        mw = np.zeros(HOURS)
        for ba in bas:  # a portfolio sums the fleets' MW, each over its own capacity trend
            mix = cache.setdefault(("mix", ba), read_fuel_mix(raw, ba))
            s = shape_utc(mix, tech, growth(cache["cap"], ba, tech))
            # a neighbour's fleet keeps its own local clock: its local hour h becomes the zone's hour h
            mw += local_year(s, BA_UTC_OFFSET[ba])
        out[tech] = scale_to_cf(mw, targets[(zone, tech)])
    market, hub = z["price"]
    lmp = local_year(read_prices(raw, market, hub), z["utc_offset"])
    clipped = np.clip(lmp, 0, PRICE_CAP)
    out["grid_price"] = round_mean_one(clipped)
    cache[("level", zone)] = round(float(clipped.mean()), 1)
    if z["clean"]:
        mix = cache.setdefault(("mix", z["clean"]), read_fuel_mix(raw, z["clean"]))
        share = mix[[c for c in CLEAN_FUELS if c in mix]].sum(axis=1) / mix.sum(axis=1)
        v = local_year(share, z["utc_offset"])
        out["grid_clean_share"] = round_mean_one(v)
        cache[("clean", zone)] = round(float(v.mean()), 3)
    if z["temp"]:
        t = local_year(read_temperature(raw, z["temp"]), z["utc_offset"])
        out["pue"] = round_mean_one(pue_multiplier(t, z["pue_overhead"]))
    if z["peak"]:
        out["coincident_peak"] = coincident_peaks(raw, z["peak"], z["utc_offset"])
    return out


def make_profiles(raw: Path, instance: str, cache: dict | None = None) -> tuple[pd.DataFrame, dict]:
    """The long profiles table of an instance and its zone levels {zone: (price, clean share or None)}."""
    cache = {} if cache is None else cache
    folder = ROOT / "instances" / instance
    tg = pd.read_csv(folder / "profile_targets.csv")
    targets = {(r.zone, r.profile): float(r.target_cf) for r in tg.itertuples(index=False)}
    frames, levels = [], {}
    hours = np.arange(HOURS)
    for zone in INSTANCES[instance]:
        for p, v in zone_profiles(raw, zone, targets, cache).items():
            frames.append(pd.DataFrame({"zone": zone, "profile": p, "hour": hours, "value": v}))
        levels[zone] = (cache[("level", zone)], cache.get(("clean", zone)))
    return pd.concat(frames, ignore_index=True), levels


def _fmt(v: float) -> str:
    s = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("", "-0") else s


def write_profiles(df: pd.DataFrame, path: Path) -> None:
    lines = ["zone,profile,hour,value"]
    lines += [f"{z},{p},{h},{_fmt(v)}" for z, p, h, v in zip(df["zone"], df["profile"], df["hour"], df["value"])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_zone_levels(path: Path, levels: dict) -> None:
    """Rewrite grid_price_usd_per_mwh and grid_clean_share of zones.csv, keeping the other columns as they are."""
    z = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "grid_clean_share" not in z.columns:
        z.insert(list(z.columns).index("grid_co2_t_per_mwh") + 1, "grid_clean_share")
    for i, zone in enumerate(z["zone"]):
        price, clean = levels[zone]
        z.loc[i, "grid_price_usd_per_mwh"] = f"{price:.1f}"
        z.loc[i, "grid_clean_share"] = "" if clean is None else f"{clean:.3f}"
    z.to_csv(path, index=False, lineterminator="\n")


def gas_prices(raw: Path, instance: str) -> pd.DataFrame:
    """fuels.csv rows: the zone's natural-gas price per year, 2025 $/MMBtu.

    PowerGenome-data fuel_prices.csv, scenario ``reference``, fuel ``naturalgas`` (2024 $/MMBtu by ReEDS
    region p1..p134): the unweighted mean over the regions of the zone's transmission region, x CPI-U
    2025/2024."""
    f = pd.read_csv(raw / "fuel_prices.csv")
    h = pd.read_csv(raw / "hierarchy.csv")
    f = f[(f["fuel"] == "naturalgas") & (f["scenario"] == "reference")].merge(
        h[["ba", "transreg"]], left_on="region", right_on="ba")
    mean = f.groupby(["transreg", "year"])["price"].mean()
    rows = [("gas", zone, y, round(float(mean.loc[(GAS_REGION[zone], y)]) * CPI_2025 / CPI_2024, 2))
            for zone in INSTANCES[instance] for y in FUEL_YEARS[instance]]
    return pd.DataFrame(rows, columns=["fuel", "zone", "year", "usd_per_mmbtu"])


def raw_files_for(instance: str) -> list[str]:
    """The raw files an instance's outputs are made from."""
    used = {"reeds_generators_transformed.csv", "plant_region_map.csv", "hierarchy.csv", "fuel_prices.csv"}
    for zone in INSTANCES[instance]:
        z = ZONES[zone]
        for key in ("solar", "wind", "clean"):
            for ba in (z[key] if isinstance(z[key], tuple) else (z[key],)):
                if ba:
                    used.add(BAS[ba][0])
        if z["temp"]:
            used.add(TEMPERATURE[z["temp"]])
        used.update(MARKETS[z["price"][0]])
        if z["peak"]:
            used.add({"4CP": "truggles_TEXAS_IC.csv", "5CP": "truggles_MIDA.csv"}[z["peak"]])
    return [n for n in RAW_FILES if n in used]


# --- statistics ----------------------------------------------------------------------------------------------------
def daily_stats(v: np.ndarray) -> tuple[float, float]:
    """(CV of the daily means relative to the annual mean, share of days with mean < 0.2 x annual mean)."""
    days = np.asarray(v, float)[: len(v) // 24 * 24].reshape(-1, 24).mean(axis=1)
    m = days.mean()
    return float(days.std() / m), float((days < 0.2 * m).mean())


def raw_stats(raw: Path) -> pd.DataFrame:
    """Daily statistics of every measured wind and solar fleet, 2020 and 2021 (local standard time days)."""
    rows = []
    for ba in BAS:
        if not (raw / BAS[ba][0]).is_file():
            continue
        mix = read_fuel_mix(raw, ba)
        for tech in ("wind", "solar"):
            if tech not in mix:
                continue
            for y in (2020, 2021):
                loc = mix[tech].copy()
                loc.index = loc.index + pd.Timedelta(hours=BA_UTC_OFFSET[ba])
                loc = loc[loc.index.year == y]
                cv, low = daily_stats(loc.to_numpy())
                rows.append(dict(source=f"EIA-930 {ba}", year=y, profile=tech, mean_mw=round(loc.mean()),
                                 cv=round(cv, 3), low_day_share=round(low, 3)))
    return pd.DataFrame(rows)


def bundled_stats(instances: list[str]) -> pd.DataFrame:
    rows = []
    for name in instances:
        p = pd.read_csv(ROOT / "instances" / name / "profiles.csv")
        for (zone, prof), g in p[p["profile"].isin(["wind", "solar"])].groupby(["zone", "profile"]):
            cv, low = daily_stats(g.sort_values("hour")["value"].to_numpy())
            rows.append(dict(instance=name, zone=zone, profile=prof, cf=round(g["value"].mean(), 4),
                             cv=round(cv, 3), low_day_share=round(low, 3)))
    return pd.DataFrame(rows)


def manifest(names: list[str] | None = None) -> str:
    """Markdown table of raw files: name, source URL, licence and SHA-256."""
    lines = ["| file | source (repository @ commit: path) | licence | SHA-256 |", "|---|---|---|---|"]
    for name in names or RAW_FILES:
        repo, commit, lic, path = RAW_FILES[name]
        url = f"https://github.com/{repo.split()[0]}/blob/{commit}/{path}"
        lines.append(f"| {name} | [{repo.split()[0]}@{commit[:7]}: {path}]({url}) | {lic} | {SHA256.get(name, '')} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("raw", type=Path, help="folder with the raw files (see RAW_FILES)")
    ap.add_argument("instances", nargs="*", help=f"instance(s), default all of {list(INSTANCES)}")
    ap.add_argument("--manifest", action="store_true", help="print the raw-file table (Markdown) with SHA-256")
    ap.add_argument("--stats", action="store_true", help="print daily statistics of the raw and bundled series")
    args = ap.parse_intermixed_args(argv)
    names = args.instances or list(INSTANCES)
    unknown = [n for n in names if n not in INSTANCES]
    if unknown:
        ap.error(f"unknown instance(s) {unknown}; known: {list(INSTANCES)}")
    if args.manifest:
        for name in names:
            print(f"{name}:\n\n{manifest(raw_files_for(name))}\n")
        return 0
    check_raw(args.raw, sorted({f for n in names for f in raw_files_for(n)}))
    if args.stats:
        with pd.option_context("display.width", 200, "display.max_rows", 200):
            print(raw_stats(args.raw).to_string(index=False))
            print(bundled_stats(names).to_string(index=False))
        return 0
    cache: dict = {}
    for name in names:
        df, levels = make_profiles(args.raw, name, cache)
        folder = ROOT / "instances" / name
        write_profiles(df, folder / "profiles.csv")
        write_zone_levels(folder / "zones.csv", levels)
        gas_prices(args.raw, name).to_csv(folder / "fuels.csv", index=False, lineterminator="\n")
        cf = df[df["profile"].isin(["solar", "wind"])].groupby(["zone", "profile"])["value"].mean()
        print(f"{name}: wrote {len(df)} rows; annual CFs {cf.round(4).to_dict()}")
        print(f"  zone levels (price $/MWh, clean share): {levels}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
