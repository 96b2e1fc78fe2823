"""Write instances/toy/profiles.csv: seeded hourly solar and grid-price profiles.

Run from anywhere::

    python scripts/make_toy_profiles.py            # writes instances/toy/profiles.csv
    python scripts/make_toy_profiles.py --out X.csv

The output is synthetic but shaped by physics and documented assumptions. It is fully
reproducible: every random draw comes from ``numpy.random.default_rng(SEED)``.

Time convention: hour 0 is 00:00-01:00 local *standard* time (no daylight saving) on
1 January of a non-leap reference year (2025); solar geometry is evaluated at the middle
of each hour. Both profiles of a zone use the same clock.

Profiles written (long format ``zone,profile,hour,value``, hours 0..8759 once each):

``solar``
    AC capacity factor (0..1) of a single-axis tracking PV plant (north-south axis,
    backtracking, ground coverage ratio 0.35, DC/AC ratio 1.3, inverter clipping at
    1.0), at the zone's representative point (mean of the zone's sites in sites.csv).
    Clear-sky irradiance: pvlib Ineichen model with pvlib's Linke turbidity climatology.
    Clouds: a daily clearness factor drawn from a seeded beta distribution whose mean
    follows the season, with a little hourly noise; cloudy-sky GHI is split into beam and
    diffuse with the Erbs model and transposed onto the tracker (Hay-Davies). Finally a
    single DC gain (losses, temperature, soiling lumped together) is found by bisection so
    that the annual capacity factor equals the zone target (EIA and S&P Global capacity factors, docs/sources.md#eia-cf)
    ("suggested regional defaults": ERCOT 24-27 %, PJM 20-23 %; we use 0.25 and 0.21).

``grid_price``
    Multiplier (mean exactly 1 before rounding) of the zone's average grid price: a
    24-hour shape (cheap nights, a midday solar dip, an evening peak 17-21 h), a seasonal
    uplift (summer in both zones, also winter in PJM), a weekend discount and seeded
    day-to-day and hour-to-hour noise, normalised to mean 1.

If pvlib is not installed, a plain numpy clear-sky model (Spencer declination, Haurwitz
GHI) is used instead; the result is similar but not byte-identical to the bundled file,
which was made with pvlib (``pip install pvlib``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20260101
YEAR = 2025  # non-leap reference year: 8760 hours
HOURS = 8760

# Zone settings. lat/lon: mean of the zone's sites in instances/toy/sites.csv.
# tz: fixed-offset local standard time (pvlib/pytz "Etc/GMT+6" means UTC-6).
ZONES = {
    "ERCOT": {
        "lat": 32.22, "lon": -100.905, "utc_offset": -6, "tz": "Etc/GMT+6",
        "solar_cf": 0.25,
        # daily clearness: mean = m0 + amp * cos(2 pi (doy - 196) / 365), beta concentration k
        "clear_m0": 0.78, "clear_amp": 0.06, "clear_k": 6.0,
        # hourly price shape (hour 0..23, relative), summer (Jun-Sep) and winter (Dec-Feb) uplift
        "price_shape": [0.80, 0.78, 0.77, 0.77, 0.79, 0.85, 0.95, 1.00, 0.95, 0.85, 0.75, 0.70,
                        0.68, 0.68, 0.70, 0.78, 0.95, 1.35, 1.70, 1.80, 1.60, 1.30, 1.05, 0.90],
        "summer_uplift": 1.30, "winter_uplift": 1.05,
        "day_sigma": 0.15, "hour_sigma": 0.05,
    },
    "PJM": {
        "lat": 40.08, "lon": -82.81, "utc_offset": -5, "tz": "Etc/GMT+5",
        "solar_cf": 0.21,
        "clear_m0": 0.66, "clear_amp": 0.10, "clear_k": 4.0,
        "price_shape": [0.82, 0.79, 0.78, 0.78, 0.80, 0.88, 1.00, 1.12, 1.12, 1.05, 0.98, 0.94,
                        0.92, 0.92, 0.94, 1.00, 1.10, 1.30, 1.42, 1.40, 1.28, 1.12, 0.98, 0.88],
        "summer_uplift": 1.20, "winter_uplift": 1.12,
        "day_sigma": 0.10, "hour_sigma": 0.04,
    },
}

DC_AC_RATIO = 1.3
GCR = 0.35
MAX_ANGLE = 60.0
WEEKEND_FACTOR = 0.92


def _local_index(z: dict) -> pd.DatetimeIndex:
    """Hour midpoints of the reference year, local standard time."""
    return pd.date_range(f"{YEAR}-01-01 00:30", periods=HOURS, freq="h", tz=z["tz"])


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
    loc = pvlib.location.Location(z["lat"], z["lon"], tz=z["tz"])
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
    cosz = np.sin(lat) * np.sin(decl) + np.cos(lat) * np.cos(decl) * np.cos(ha)
    cosz = np.clip(cosz, 0, None)
    ghi_cs = np.where(cosz > 0, 1098 * cosz * np.exp(-0.057 / np.maximum(cosz, 1e-3)), 0.0)
    ghi = ghi_cs * kt
    beam_share = np.clip(1.2 * kt - 0.2, 0, 1)
    # an ideal tracker sees the beam near-normally; cap the gain at low sun
    gain = np.where(cosz > 0.05, np.minimum(1 / np.maximum(cosz, 1e-3), 3.0), 0.0)
    return ghi * (beam_share * gain * 0.92 + (1 - beam_share))


def solar_profile(rng: np.random.Generator, z: dict) -> tuple[np.ndarray, str]:
    """Hourly AC capacity factor scaled to the zone's annual target."""
    kt = _cloudiness(rng, z)
    try:
        poa, how = _poa_pvlib(z, kt), "pvlib"
    except ImportError:
        poa, how = _poa_numpy(z, kt), "numpy fallback"
    dc = DC_AC_RATIO * poa / 1000.0  # DC output per unit of AC capacity, before lumped losses
    lo, hi = 0.0, 5.0
    for _ in range(100):  # bisection on the lumped DC gain: CF is monotone in it
        mid = (lo + hi) / 2
        if np.minimum(mid * dc, 1.0).mean() < z["solar_cf"]:
            lo = mid
        else:
            hi = mid
    cf = np.minimum((lo + hi) / 2 * dc, 1.0)
    return np.round(cf, 4), how


def grid_price_profile(rng: np.random.Generator, z: dict) -> np.ndarray:
    """Hourly grid-price multiplier with mean 1."""
    times = _local_index(z)
    shape = np.asarray(z["price_shape"])[times.hour.to_numpy()]
    month = times.month.to_numpy()
    season = np.where(np.isin(month, [6, 7, 8, 9]), z["summer_uplift"],
                      np.where(np.isin(month, [12, 1, 2]), z["winter_uplift"], 1.0))
    weekend = np.where(times.dayofweek.to_numpy() >= 5, WEEKEND_FACTOR, 1.0)
    day_noise = np.repeat(rng.lognormal(0.0, z["day_sigma"], 365), 24)
    hour_noise = rng.lognormal(0.0, z["hour_sigma"], HOURS)
    m = shape * season * weekend * day_noise * hour_noise
    m = m / m.mean()
    out = np.round(m, 4)
    # rounding moves the mean by < 5e-5; put the residual on the largest value to restore 1.0
    out[np.argmax(out)] = np.round(out[np.argmax(out)] + (HOURS - out.sum()), 4)
    return out


def make_profiles() -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    frames = []
    for zone, z in ZONES.items():
        cf, how = solar_profile(rng, z)
        price = grid_price_profile(rng, z)
        print(f"{zone}: solar CF {cf.mean():.4f} (target {z['solar_cf']}, {how}); "
              f"grid_price mean {price.mean():.5f}, min {price.min():.3f}, max {price.max():.3f}")
        hours = np.arange(HOURS)
        frames.append(pd.DataFrame({"zone": zone, "profile": "solar", "hour": hours, "value": cf}))
        frames.append(pd.DataFrame({"zone": zone, "profile": "grid_price", "hour": hours, "value": price}))
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    default = Path(__file__).resolve().parent.parent / "instances" / "toy" / "profiles.csv"
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=default, help=f"output CSV (default {default})")
    args = ap.parse_args()
    df = make_profiles()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(args.out, index=False)
    print(f"wrote {len(df)} rows to {args.out}")


if __name__ == "__main__":
    main()
