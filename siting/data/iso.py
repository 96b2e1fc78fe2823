"""ISO price frames shaped like gridstatus output: hourly grid-price profiles.

gridstatus (BSD-3-Clause) returns LMP frames with ``Time, Interval Start, Interval End,
Market, Location, Location Type, LMP, Energy, Congestion, Loss`` ($/MWh; PJM names the
location ``Location Name``), stamped tz-aware in the ISO's own zone (US/Pacific,
US/Central, US/Eastern, or fixed EST for MISO). This reader takes such a DataFrame, or
a CSV written from one (timestamps with their UTC offsets, e.g.
``2024-07-01 00:00:00-04:00``), converts ``Interval Start`` (else ``Time``) to UTC and
places it on the fixed-offset clock of :mod:`siting.data._common`, so daylight-saving
days need no special care. Sub-hourly markets (5- or 15-minute) are averaged per hour.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ._common import (
    DataFormatError,
    GridProfiles,
    align_hourly,
    profile_rows,
    resolve_utc_offset,
    standard_offset_of_tz,
    warn,
)

__all__ = ["read_iso_prices"]

LOCATION_COLUMNS = ("Location", "Location Name", "Location Short Name", "Location Id")
_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})$")


def _read(src) -> tuple[pd.DataFrame, str]:
    if isinstance(src, pd.DataFrame):
        return src.copy(), "<DataFrame>"
    p = Path(src)
    if not p.is_file():
        raise DataFormatError(f"{p}: no such file")
    try:
        df = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise DataFormatError(f"{p.name}: cannot be read as CSV: {' '.join(str(e).split())[:160]}") from None
    return df, p.name


def _times(col: pd.Series, name: str, cname: str, utc_offset, year_hint: int | None):
    """UTC timestamps and the standard offset the data's own zone implies (None when unknown)."""
    if isinstance(col.dtype, pd.DatetimeTZDtype):
        tz = col.dt.tz
        utc = pd.DatetimeIndex(col).tz_convert("UTC")
        std = None
        if utc_offset is None:
            y = year_hint or int(utc.year[len(utc) // 2])
            std = standard_offset_of_tz(tz, y)
        return utc, std
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        raise DataFormatError(f"{name}: column '{cname}' has no time zone; gridstatus frames are tz-aware "
                              "(localize it first, e.g. df[col].dt.tz_localize('US/Eastern'))")
    s = col.astype(str).str.strip()
    offs = s.str.extract(_OFFSET)
    if offs.isna().any(axis=None) and not s.str.endswith("Z").all():
        i = int(np.flatnonzero(offs.isna().any(axis=1).to_numpy())[0])
        raise DataFormatError(f"{name}: column '{cname}', row {i + 1}: '{s.iloc[i]}' carries no UTC offset; "
                              "write the frame with its tz-aware timestamps (e.g. 2024-07-01 00:00:00-04:00)")
    utc = pd.DatetimeIndex(pd.to_datetime(s, utc=True, format="mixed"))
    std = None
    if utc_offset is None and not s.str.endswith("Z").all():
        hours = (offs[0].map({"+": 1, "-": -1}) * (offs[1].astype(int) + offs[2].astype(int) / 60)).to_numpy()
        local_month = (utc + pd.to_timedelta(hours, unit="h")).month
        winter = np.asarray(local_month.isin([12, 1, 2]))
        if winter.any():
            std = int(hours[winter].min())
        elif len(np.unique(hours)) > 1:
            std = int(hours.min())
    return utc, std


def read_iso_prices(src, *, year: int | None = None, zone: str | None = None, location: str | None = None,
                    market: str | None = None, price_column: str = "LMP", utc_offset=None, fill: str = "error",
                    max_gap_hours: int = 3) -> GridProfiles:
    """Hourly grid-price profile (mean-1 multiplier plus the mean price) from a gridstatus-shaped LMP frame.

    Parameters
    ----------
    src : DataFrame from gridstatus (``get_lmp_day_ahead_hourly`` and the like), or a CSV
        written from one.
    year : calendar year of the hour index (default: the year most rows fall in).
    zone : zone id of the rows (default: the location name).
    location, market : pick one ``Location`` (or ``Location Name``) and one ``Market``
        when the frame holds several.
    price_column : ``LMP`` (default) or ``Energy`` etc., in $/MWh.
    utc_offset : hours east of UTC of the clock, or a time-zone name (its standard
        offset). Default: the standard offset of the frame's own time zone.
    fill, max_gap_hours : how missing hours are filled (see :func:`siting.data.fill_gaps`).

    Returns
    -------
    GridProfiles
        profile ``grid_price`` (multiplier, mean 1) and a zones row with
        ``grid_price_usd_per_mwh``. Negative prices are clipped to 0 first (with a
        :class:`DataWarning`): the model's grid import cannot be paid to consume.
    """
    df, name = _read(src)
    df.columns = [str(c).strip() for c in df.columns]
    tcol = "Interval Start" if "Interval Start" in df.columns else "Time" if "Time" in df.columns else None
    if tcol is None:
        raise DataFormatError(f"{name}: not a gridstatus-shaped frame: no 'Interval Start' or 'Time' column")
    if price_column not in df.columns:
        if "Load" in df.columns:
            raise DataFormatError(f"{name}: this is a load frame (column 'Load'), not prices: no '{price_column}' "
                                  "column")
        raise DataFormatError(f"{name}: no price column '{price_column}' (columns: {', '.join(df.columns[:15])})")
    loc_col = next((c for c in LOCATION_COLUMNS if c in df.columns), None)
    if loc_col is not None:
        locs = sorted(set(df[loc_col].astype(str)))
        if location is None:
            if len(locs) > 1:
                raise DataFormatError(f"{name}: holds {len(locs)} locations ({', '.join(locs[:20])}); pass location=")
            location = locs[0]
        elif location not in locs:
            raise DataFormatError(f"{name}: no location '{location}' in column '{loc_col}' (found: "
                                  f"{', '.join(locs[:20])})")
        df = df[df[loc_col].astype(str) == location]
    elif location is not None:
        raise DataFormatError(f"{name}: no location column ({', '.join(LOCATION_COLUMNS)}) to pick '{location}' from")
    if "Market" in df.columns:
        markets = sorted(set(df["Market"].astype(str)))
        if market is None and len(markets) > 1:
            raise DataFormatError(f"{name}: holds {len(markets)} markets ({', '.join(markets)}); pass market=")
        if market is not None:
            if market not in markets:
                raise DataFormatError(f"{name}: no market '{market}' (found: {', '.join(markets)})")
            df = df[df["Market"].astype(str) == market]
    df = df.reset_index(drop=True)
    zone = zone or location
    if zone is None:
        raise ValueError(f"{name}: the frame names no location; pass zone=")

    utc, std = _times(df[tcol], name, tcol, utc_offset, year)
    if utc_offset is None:
        if std is None:
            raise DataFormatError(f"{name}: cannot tell the frame's standard UTC offset; pass utc_offset "
                                  "(e.g. -5 or 'US/Eastern')")
        offset = std
    else:
        offset = resolve_utc_offset(utc_offset, year or int(utc.year[len(utc) // 2]))
    if year is None:
        year = int((utc.tz_localize(None) + pd.Timedelta(hours=offset)).year.to_series().mode().iloc[0])
    price = pd.to_numeric(df[price_column].astype(str).str.replace(",", "", regex=False).str.strip(),
                          errors="coerce").to_numpy(float)
    hourly = align_hourly(utc, price, year=year, utc_offset=offset, fill=fill, max_gap_hours=max_gap_hours,
                          source=name, what=f"{price_column} at {location or zone}")
    neg = int((hourly < 0).sum())
    if neg:
        warn(f"{name}: {neg} hours of {price_column} at {location or zone} are negative; clipped to 0 (grid import "
             "cannot be paid to consume in the model)")
        hourly = np.clip(hourly, 0.0, None)
    mean = float(hourly.mean())
    if mean <= 0:
        raise DataFormatError(f"{name}: {price_column} averages {mean:.2f} $/MWh; a grid price must be positive")
    profiles = profile_rows(hourly / mean, "grid_price", zone=zone)
    zones = pd.DataFrame([{"zone": zone, "grid_price_usd_per_mwh": mean}])
    notes = [f"ISO prices {name}, {location or ''} {market or ''} -> zone {zone}: grid_price = {price_column} / "
             f"its mean ({mean:.2f} $/MWh); '{tcol}' converted to UTC, clock UTC{offset:+d}, year {year}, "
             "29 Feb dropped."]
    return GridProfiles(profiles=profiles, zones=zones, notes=notes)
