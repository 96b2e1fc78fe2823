"""Write synthetic hourly profiles for the zones of a bundled instance: seeded solar, wind, grid-price and PUE.

The bundled instances ercot_campus, us_250gw and us_regions_small no longer use these profiles:
their profiles.csv are measured (2021 EIA-930 generation, hub prices and temperature), written by
``scripts/measured_profiles.py``. This generator stays for comparison (its daily wind variability,
a CV of 0.77-0.96 with 21-27 % of near-calm days, is far above measured fleets' 0.40-0.67 and
0.3-6 %; issue 16) and for zones without data; it writes only where ``--out`` says.

Usage (from anywhere)::

    python scripts/make_profiles.py us_250gw --out X.csv  # the synthetic profiles of us_250gw's zones
    python scripts/make_profiles.py --check us_250gw      # print annual CFs against profile_targets.csv

This generalises ``scripts/make_toy_profiles.py`` (which still writes the toy's file). The
profiles are synthetic but shaped by physics and documented assumptions, and fully
reproducible: each (zone, profile) pair draws from its own ``numpy.random.default_rng``
seeded with ``SEED`` and a CRC-32 of the zone and profile names, so a zone's profiles do not
depend on which instance asks for them (us_250gw and us_regions_small get byte-identical
files, which git stores once).

Time convention: hour 0 is 00:00-01:00 local *standard* time (no daylight saving) of the
zone, on 1 January of a non-leap reference year (2025); solar geometry is evaluated at the
middle of each hour.

Profiles (long format ``zone,profile,hour,value``, hours 0..8759 once each, 4 decimals,
trailing zeros dropped):

``solar`` - AC capacity factor (0..1) of a single-axis tracking PV plant (north-south axis,
    backtracking, ground coverage ratio 0.35, DC/AC ratio 1.3, inverter clipping at 1.0) at
    the zone's representative point. Clear sky: pvlib's Ineichen model with its Linke
    turbidity climatology. **Cloudiness model**: a daily clearness factor drawn from a beta
    distribution whose mean follows the season, ``m0 + amp * cos(2 pi (doy - 196) / 365)``,
    with concentration ``k`` (higher = less day-to-day spread), plus hourly noise of standard
    deviation ``0.5 * kt * (1 - kt)``; cloudy-sky GHI = clear-sky GHI x clearness, split into
    beam and diffuse by the Erbs model and transposed onto the tracker (Hay-Davies, albedo
    0.2). A single DC gain (losses, temperature, soiling lumped) is then found by bisection
    so that the annual CF equals the zone's target.

``wind`` - AC capacity factor of a generic land-based wind plant. **Wind model**: hub-height
    speed v = Weibull(shape 2.0, scale c_t) through a Gaussian copula: a standard-normal
    AR(1) series with hourly persistence 0.97 (synoptic weather lasting days) is mapped to
    the Weibull quantiles; the scale c_t carries a seasonal factor ``1 + s_amp cos(2 pi
    (doy - s_peak) / 365)`` (spring peak, summer low) and a diurnal factor ``1 + d_amp
    cos(2 pi (hour - d_peak) / 24)`` (night-time low-level jet on the plains). Power curve:
    cut-in 3 m/s, cubic to rated at 11 m/s, flat to cut-out at 25 m/s; times 0.88 for wake,
    availability and electrical losses. The mean scale c is found by bisection so that the
    annual CF equals the zone's target.

``grid_price`` - multiplier (mean exactly 1) of the zone's average grid price: a 24-hour
    shape by market type ("duck": cheap solar middays and an evening ramp, ERCOT, CAISO,
    Southwest; "double": morning and evening peaks, the eastern and north-western markets;
    "wind": cheap windy nights, SPP), a summer and a winter uplift, a weekend discount and
    seeded day-to-day and hour-to-hour log-normal noise.

``pue`` - multiplier (mean exactly 1) of the site PUE following outdoor temperature (only
    where a zone asks for it): temperature = annual mean + seasonal cosine (peak mid-July) +
    diurnal cosine (peak 15:00) + an AR(1) daily anomaly (sd 3 K); the cooling overhead
    (PUE - 1) rises by 3 % per kelvin above the annual mean (floored at 30 % of its mean),
    and the multiplier (1 + overhead_t) / (1 + overhead) is normalised to mean 1. The
    climate numbers are rounded normals (judgement), used only to shape this profile.

Calibration targets (annual solar and wind CFs) are written per instance in
``instances/<name>/profile_targets.csv`` (zone, profile, target_cf, source) and explained
in the instance README; the test suite checks every profiles.csv against them within one
percentage point. If pvlib is missing (``pip install pvlib``, the ``profiles`` extra), a
numpy clear-sky model is used instead: similar, but not byte-identical to the bundled files.
"""

from __future__ import annotations

import argparse
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20260101
YEAR = 2025  # non-leap reference year: 8760 hours
HOURS = 8760
ROOT = Path(__file__).resolve().parent.parent

DC_AC_RATIO = 1.3
GCR = 0.35
MAX_ANGLE = 60.0
WEEKEND_FACTOR = 0.92
WIND_SHAPE_K = 2.0
WIND_AR = 0.97
WIND_LOSSES = 0.88
CUT_IN, RATED, CUT_OUT = 3.0, 11.0, 25.0

# 24-hour relative price shapes by market type (hour 0..23, local standard time)
PRICE_SHAPES = {
    "duck": [0.80, 0.78, 0.77, 0.77, 0.79, 0.85, 0.95, 1.00, 0.95, 0.85, 0.75, 0.70,
             0.68, 0.68, 0.70, 0.78, 0.95, 1.35, 1.70, 1.80, 1.60, 1.30, 1.05, 0.90],
    "double": [0.82, 0.79, 0.78, 0.78, 0.80, 0.88, 1.00, 1.12, 1.12, 1.05, 0.98, 0.94,
               0.92, 0.92, 0.94, 1.00, 1.10, 1.30, 1.42, 1.40, 1.28, 1.12, 0.98, 0.88],
    "wind": [0.72, 0.68, 0.66, 0.66, 0.70, 0.80, 0.95, 1.05, 1.05, 1.00, 0.98, 0.98,
             1.00, 1.02, 1.06, 1.12, 1.22, 1.38, 1.48, 1.42, 1.25, 1.05, 0.90, 0.80],
}

# Zone catalogue. lat/lon: representative point of the zone (see each instance README).
# tz: fixed-offset local standard time ("Etc/GMT+6" means UTC-6). solar_cf / wind_cf: the
# calibration targets (also in the instances' profile_targets.csv). clear_*: cloudiness model.
# wind_*: seasonal/diurnal modulation of the Weibull scale. price: shape type and uplifts.
# temp_*: annual mean, seasonal and diurnal amplitude (deg C) for the pue profile.
_PLAINS = dict(wind_s_amp=0.10, wind_s_peak=100, wind_d_amp=0.10, wind_d_peak=2)
_COAST = dict(wind_s_amp=0.12, wind_s_peak=40, wind_d_amp=0.04, wind_d_peak=15)
ZONES = {
    # ERCOT, split in two load-zone groups for the campus instance
    "ERCOT_WEST": dict(lat=32.22, lon=-100.90, utc_offset=-6, solar_cf=0.26, wind_cf=0.39,
                       clear_m0=0.80, clear_amp=0.05, clear_k=6.0, **_PLAINS,
                       price="duck", summer_uplift=1.30, winter_uplift=1.05, day_sigma=0.15, hour_sigma=0.05,
                       temp_mean=18.0, temp_season=10.0, temp_diurnal=7.0, pue_overhead=0.15),
    "ERCOT_NORTH": dict(lat=31.00, lon=-97.00, utc_offset=-6, solar_cf=0.24, wind_cf=0.35,
                        clear_m0=0.74, clear_amp=0.07, clear_k=5.0, **_PLAINS,
                        price="duck", summer_uplift=1.30, winter_uplift=1.05, day_sigma=0.15, hour_sigma=0.05,
                        temp_mean=20.0, temp_season=9.5, temp_diurnal=6.0, pue_overhead=0.15),
    # the ten regions of the US instances
    "ERCOT": dict(lat=31.80, lon=-99.50, utc_offset=-6, solar_cf=0.25, wind_cf=0.37,
                  clear_m0=0.77, clear_amp=0.06, clear_k=6.0, **_PLAINS,
                  price="duck", summer_uplift=1.30, winter_uplift=1.05, day_sigma=0.15, hour_sigma=0.05),
    "PJM": dict(lat=40.40, lon=-80.00, utc_offset=-5, solar_cf=0.21, wind_cf=0.30,
                clear_m0=0.64, clear_amp=0.10, clear_k=4.0, **_COAST,
                price="double", summer_uplift=1.20, winter_uplift=1.12, day_sigma=0.10, hour_sigma=0.04),
    "MISO": dict(lat=39.00, lon=-90.50, utc_offset=-6, solar_cf=0.21, wind_cf=0.36,
                 clear_m0=0.66, clear_amp=0.10, clear_k=4.0, **_PLAINS,
                 price="double", summer_uplift=1.20, winter_uplift=1.10, day_sigma=0.12, hour_sigma=0.04),
    "SPP": dict(lat=36.50, lon=-98.50, utc_offset=-6, solar_cf=0.25, wind_cf=0.42,
                clear_m0=0.74, clear_amp=0.07, clear_k=5.0, **_PLAINS,
                price="wind", summer_uplift=1.20, winter_uplift=1.05, day_sigma=0.15, hour_sigma=0.05),
    "CAISO": dict(lat=36.50, lon=-119.50, utc_offset=-8, solar_cf=0.27, wind_cf=0.30,
                  clear_m0=0.84, clear_amp=0.08, clear_k=7.0, **_COAST,
                  price="duck", summer_uplift=1.15, winter_uplift=1.05, day_sigma=0.10, hour_sigma=0.05),
    "NYISO": dict(lat=42.90, lon=-76.00, utc_offset=-5, solar_cf=0.17, wind_cf=0.28,
                  clear_m0=0.58, clear_amp=0.12, clear_k=3.5, **_COAST,
                  price="double", summer_uplift=1.15, winter_uplift=1.20, day_sigma=0.12, hour_sigma=0.04),
    "ISONE": dict(lat=42.40, lon=-71.80, utc_offset=-5, solar_cf=0.17, wind_cf=0.28,
                  clear_m0=0.60, clear_amp=0.10, clear_k=3.5, **_COAST,
                  price="double", summer_uplift=1.10, winter_uplift=1.30, day_sigma=0.15, hour_sigma=0.04),
    "SOUTHEAST": dict(lat=34.00, lon=-85.00, utc_offset=-5, solar_cf=0.23, wind_cf=0.30,
                      clear_m0=0.68, clear_amp=0.05, clear_k=4.5, **_COAST,
                      price="double", summer_uplift=1.25, winter_uplift=1.08, day_sigma=0.10, hour_sigma=0.04),
    "NORTHWEST": dict(lat=46.00, lon=-120.00, utc_offset=-8, solar_cf=0.22, wind_cf=0.30,
                      clear_m0=0.70, clear_amp=0.18, clear_k=4.0, **_COAST,
                      price="double", summer_uplift=1.10, winter_uplift=1.15, day_sigma=0.12, hour_sigma=0.04),
    "SOUTHWEST": dict(lat=34.00, lon=-110.00, utc_offset=-7, solar_cf=0.29, wind_cf=0.33,
                      clear_m0=0.85, clear_amp=0.05, clear_k=7.0, **_PLAINS,
                      price="duck", summer_uplift=1.25, winter_uplift=1.05, day_sigma=0.12, hour_sigma=0.05),
}

US_REGIONS = ["ERCOT", "PJM", "MISO", "SPP", "CAISO", "NYISO", "ISONE", "SOUTHEAST", "NORTHWEST", "SOUTHWEST"]

# instance -> (zones, profiles); pue only where the instance models it
INSTANCES = {
    "ercot_campus": (["ERCOT_WEST", "ERCOT_NORTH"], ["solar", "wind", "grid_price", "pue"]),
    "us_250gw": (US_REGIONS, ["solar", "wind", "grid_price"]),
    "us_regions_small": (US_REGIONS, ["solar", "wind", "grid_price"]),
}


def _rng(zone: str, profile: str) -> np.random.Generator:
    """Generator of one (zone, profile) pair: independent of the instance and of the other pairs."""
    return np.random.default_rng([SEED, zlib.crc32(zone.encode()), zlib.crc32(profile.encode())])


def _tz(z: dict) -> str:
    off = -int(z["utc_offset"])
    return f"Etc/GMT{'+' if off >= 0 else '-'}{abs(off)}"


def _local_index(z: dict) -> pd.DatetimeIndex:
    """Hour midpoints of the reference year, local standard time."""
    return pd.date_range(f"{YEAR}-01-01 00:30", periods=HOURS, freq="h", tz=_tz(z))


def _bisect(f, lo: float, hi: float, target: float, n: int = 100) -> float:
    """x in [lo, hi] with f(x) = target for an increasing f."""
    for _ in range(n):
        mid = (lo + hi) / 2
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


# --- solar -------------------------------------------------------------------------------------------------------
def _cloudiness(rng: np.random.Generator, z: dict) -> np.ndarray:
    """Hourly clearness multiplier (0..1): seasonal beta draw per day plus hourly noise."""
    doy = np.arange(1, 366)
    mean = np.clip(z["clear_m0"] + z["clear_amp"] * np.cos(2 * np.pi * (doy - 196) / 365), 0.05, 0.95)
    k = z["clear_k"]
    daily = rng.beta(mean * k, (1 - mean) * k)
    hourly = np.repeat(daily, 24)
    noise = rng.normal(0.0, 1.0, HOURS) * 0.5 * hourly * (1 - hourly)
    return np.clip(hourly + noise, 0.02, 1.0)


def _poa_pvlib(z: dict, kt: np.ndarray) -> np.ndarray:
    """Plane-of-array irradiance (W/m2) on a single-axis tracker under clouds, with pvlib."""
    import pvlib

    times = _local_index(z)
    loc = pvlib.location.Location(z["lat"], z["lon"], tz=_tz(z))
    sp = loc.get_solarposition(times)
    cs = loc.get_clearsky(times, model="ineichen", solar_position=sp)
    ghi = cs["ghi"].to_numpy() * kt
    dni_extra = pvlib.irradiance.get_extra_radiation(times).to_numpy()
    erbs = pvlib.irradiance.erbs(ghi, sp["zenith"].to_numpy(), times)
    trk = pvlib.tracking.singleaxis(sp["apparent_zenith"], sp["azimuth"], axis_tilt=0, axis_azimuth=180,
                                    max_angle=MAX_ANGLE, backtrack=True, gcr=GCR)
    tilt = trk["surface_tilt"].fillna(0).to_numpy()
    azim = trk["surface_azimuth"].fillna(180).to_numpy()
    poa = pvlib.irradiance.get_total_irradiance(
        tilt, azim, sp["apparent_zenith"].to_numpy(), sp["azimuth"].to_numpy(),
        np.asarray(erbs["dni"]), ghi, np.asarray(erbs["dhi"]), dni_extra=dni_extra, model="haydavies",
        albedo=0.2)["poa_global"]
    return np.nan_to_num(np.asarray(poa, dtype=float), nan=0.0).clip(min=0)


def _poa_numpy(z: dict, kt: np.ndarray) -> np.ndarray:
    """Fallback without pvlib: Haurwitz clear-sky GHI, ideal tracker gain on the beam share."""
    times = _local_index(z)
    doy = times.dayofyear.to_numpy()
    hour = times.hour.to_numpy() + times.minute.to_numpy() / 60
    g = 2 * np.pi / 365 * (doy - 1 + (hour - 12) / 24)
    decl = (0.006918 - 0.399912 * np.cos(g) + 0.070257 * np.sin(g) - 0.006758 * np.cos(2 * g)
            + 0.000907 * np.sin(2 * g) - 0.002697 * np.cos(3 * g) + 0.00148 * np.sin(3 * g))
    eot = 229.18 * (0.000075 + 0.001868 * np.cos(g) - 0.032077 * np.sin(g) - 0.014615 * np.cos(2 * g)
                    - 0.040849 * np.sin(2 * g))
    solar_time = hour + (eot + 4 * z["lon"] - 60 * z["utc_offset"]) / 60
    ha = np.radians(15 * (solar_time - 12))
    lat = np.radians(z["lat"])
    cosz = np.clip(np.sin(lat) * np.sin(decl) + np.cos(lat) * np.cos(decl) * np.cos(ha), 0, None)
    ghi = np.where(cosz > 0, 1098 * cosz * np.exp(-0.057 / np.maximum(cosz, 1e-3)), 0.0) * kt
    beam_share = np.clip(1.2 * kt - 0.2, 0, 1)
    gain = np.where(cosz > 0.05, np.minimum(1 / np.maximum(cosz, 1e-3), 3.0), 0.0)
    return ghi * (beam_share * gain * 0.92 + (1 - beam_share))


def solar_profile(zone: str, z: dict) -> np.ndarray:
    """Hourly AC capacity factor scaled to the zone's annual target."""
    kt = _cloudiness(_rng(zone, "solar"), z)
    try:
        poa = _poa_pvlib(z, kt)
    except ImportError:
        poa = _poa_numpy(z, kt)
    dc = DC_AC_RATIO * poa / 1000.0  # DC output per unit of AC capacity, before lumped losses
    gain = _bisect(lambda x: np.minimum(x * dc, 1.0).mean(), 0.0, 5.0, z["solar_cf"])
    return np.minimum(gain * dc, 1.0)


# --- wind --------------------------------------------------------------------------------------------------------
def _power_curve(v: np.ndarray) -> np.ndarray:
    p = np.clip((v ** 3 - CUT_IN ** 3) / (RATED ** 3 - CUT_IN ** 3), 0.0, 1.0)
    return np.where(v >= CUT_OUT, 0.0, p) * WIND_LOSSES


def wind_profile(zone: str, z: dict) -> np.ndarray:
    """Hourly AC capacity factor of a land-based wind plant, calibrated to the zone's annual target."""
    from scipy.special import ndtr

    rng = _rng(zone, "wind")
    eps = rng.normal(0.0, 1.0, HOURS)
    x = np.empty(HOURS)
    x[0] = eps[0]
    s = np.sqrt(1 - WIND_AR ** 2)
    for t in range(1, HOURS):
        x[t] = WIND_AR * x[t - 1] + s * eps[t]
    u = np.clip(ndtr(x), 1e-9, 1 - 1e-9)
    quant = (-np.log1p(-u)) ** (1 / WIND_SHAPE_K)  # Weibull quantile for scale 1
    times = _local_index(z)
    doy = times.dayofyear.to_numpy()
    hour = times.hour.to_numpy()
    mod = ((1 + z["wind_s_amp"] * np.cos(2 * np.pi * (doy - z["wind_s_peak"]) / 365))
           * (1 + z["wind_d_amp"] * np.cos(2 * np.pi * (hour - z["wind_d_peak"]) / 24)))
    c = _bisect(lambda c: _power_curve(c * mod * quant).mean(), 2.0, 12.0, z["wind_cf"])
    return _power_curve(c * mod * quant)


# --- grid price --------------------------------------------------------------------------------------------------
def grid_price_profile(zone: str, z: dict) -> np.ndarray:
    """Hourly grid-price multiplier with mean 1."""
    rng = _rng(zone, "grid_price")
    times = _local_index(z)
    shape = np.asarray(PRICE_SHAPES[z["price"]])[times.hour.to_numpy()]
    month = times.month.to_numpy()
    season = np.where(np.isin(month, [6, 7, 8, 9]), z["summer_uplift"],
                      np.where(np.isin(month, [12, 1, 2]), z["winter_uplift"], 1.0))
    weekend = np.where(times.dayofweek.to_numpy() >= 5, WEEKEND_FACTOR, 1.0)
    day_noise = np.repeat(rng.lognormal(0.0, z["day_sigma"], 365), 24)
    hour_noise = rng.lognormal(0.0, z["hour_sigma"], HOURS)
    m = shape * season * weekend * day_noise * hour_noise
    return m / m.mean()


# --- PUE ---------------------------------------------------------------------------------------------------------
def temperature(zone: str, z: dict) -> np.ndarray:
    """Hourly outdoor temperature (deg C): seasonal and diurnal cosines plus an AR(1) daily anomaly."""
    rng = _rng(zone, "temperature")
    times = _local_index(z)
    doy = times.dayofyear.to_numpy()
    hour = times.hour.to_numpy() + 0.5
    anom = np.empty(365)
    e = rng.normal(0.0, 3.0 * np.sqrt(1 - 0.7 ** 2), 365)
    anom[0] = rng.normal(0.0, 3.0)
    for d in range(1, 365):
        anom[d] = 0.7 * anom[d - 1] + e[d]
    return (z["temp_mean"] + z["temp_season"] * np.cos(2 * np.pi * (doy - 196) / 365)
            + z["temp_diurnal"] * np.cos(2 * np.pi * (hour - 15) / 24) + np.repeat(anom, 24))


def pue_profile(zone: str, z: dict) -> np.ndarray:
    """Hourly PUE multiplier with mean 1, rising with outdoor temperature."""
    t = temperature(zone, z)
    o = z["pue_overhead"]
    overhead = np.maximum(o * (1 + 0.03 * (t - t.mean())), 0.3 * o)
    m = (1 + overhead) / (1 + o)
    return m / m.mean()


GENERATORS = {"solar": solar_profile, "wind": wind_profile, "grid_price": grid_price_profile, "pue": pue_profile}


def _round_mean_one(v: np.ndarray) -> np.ndarray:
    """Round to 4 decimals keeping the mean at 1 (the residual goes on the largest value)."""
    out = np.round(v, 4)
    i = int(np.argmax(out))
    out[i] = np.round(out[i] + (HOURS - out.sum()), 4)
    return out


def zone_profiles(zone: str, profiles: list[str]) -> dict[str, np.ndarray]:
    z = ZONES[zone]
    out = {}
    for p in profiles:
        v = GENERATORS[p](zone, z)
        out[p] = _round_mean_one(v) if p in ("grid_price", "pue") else np.round(v, 4)
    return out


def make_profiles(instance: str) -> pd.DataFrame:
    """The long profiles table of a bundled instance."""
    zones, profiles = INSTANCES[instance]
    frames = []
    hours = np.arange(HOURS)
    for zone in zones:
        for p, v in zone_profiles(zone, profiles).items():
            frames.append(pd.DataFrame({"zone": zone, "profile": p, "hour": hours, "value": v}))
    return pd.concat(frames, ignore_index=True)


def _fmt(v: float) -> str:
    s = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("", "-0") else s


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """Compact CSV: values with at most 4 decimals and no trailing zeros."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["zone,profile,hour,value"]
    lines += [f"{z},{p},{h},{_fmt(v)}" for z, p, h, v in zip(df["zone"], df["profile"], df["hour"], df["value"])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def annual_cf(profiles: pd.DataFrame) -> pd.DataFrame:
    """Annual mean of every (zone, profile) of a profiles table."""
    return profiles.groupby(["zone", "profile"], as_index=False)["value"].mean().rename(columns={"value": "cf"})


def check(instance: str, path: Path | None = None) -> bool:
    """Print each zone's annual solar/wind CF against the instance's profile_targets.csv."""
    folder = ROOT / "instances" / instance
    prof = pd.read_csv(path or folder / "profiles.csv")
    tgt = pd.read_csv(folder / "profile_targets.csv")
    cf = annual_cf(prof).merge(tgt, on=["zone", "profile"])
    ok = True
    for r in cf.itertuples(index=False):
        good = abs(r.cf - r.target_cf) <= 0.01
        ok &= good
        print(f"{instance:<18} {r.zone:<12} {r.profile:<6} CF {r.cf:.4f}  target {r.target_cf:.3f}  "
              f"{'ok' if good else 'OFF BY MORE THAN 1 PP'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instances", nargs="*", help=f"bundled instance(s): {', '.join(INSTANCES)}")
    ap.add_argument("--all", action="store_true", help="every instance this script knows")
    ap.add_argument("--out", type=Path, help="output CSV (one instance only; required to write: the bundled "
                                             "instances' profiles.csv are measured, see scripts/measured_profiles.py)")
    ap.add_argument("--check", action="store_true", help="only compare the existing files with their targets")
    args = ap.parse_args(argv)
    names = list(INSTANCES) if args.all else args.instances
    if not names:
        ap.error("name an instance or give --all")
    unknown = [n for n in names if n not in INSTANCES]
    if unknown:
        ap.error(f"unknown instance(s) {unknown}; known: {list(INSTANCES)}")
    if args.out and len(names) != 1:
        ap.error("--out takes exactly one instance")
    if not args.check and not args.out:
        ap.error("the bundled instances' profiles.csv are measured (scripts/measured_profiles.py); "
                 "give --out to write the synthetic profiles elsewhere, or --check")
    ok = True
    for name in names:
        if not args.check:
            out = args.out
            df = make_profiles(name)
            write_csv(df, out)
            print(f"wrote {len(df)} rows to {out} ({out.stat().st_size / 1e6:.1f} MB)")
        if (ROOT / "instances" / name / "profile_targets.csv").is_file():
            ok &= check(name, args.out)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
