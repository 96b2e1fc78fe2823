"""NREL Cambium hourly CSVs: grid price and CO2-rate profiles, re-aligned to the calendar.

Cambium's own conventions (Cambium 2024 documentation): ``timestamp`` is Eastern
**Standard** Time and ``timestamp_local`` local standard time, both hour-beginning and
without daylight saving; every year has 8760 hours (leap days dropped); and every series
**starts on a Sunday**, whatever weekday 1 January really is. A few metadata lines
(their number varies by release) sit above the header row, which is found by its
``timestamp`` cell.

This reader re-aligns in two circular shifts of the year (Cambium years are typical
years, so what leaves one end re-enters at the other):

1. **Clock**: hours move from EST (UTC-5) to the chosen ``utc_offset``
   (``utc_offset - (-5)`` hours).
2. **Weekdays** (``align_weekdays=True``): the series is rotated by ``k`` = 0..6 days
   so that day 0 of ``year`` takes the first Cambium day with the same weekday
   (Cambium day 0 is a Sunday). The ``k`` days moved to the end of the year then fall
   one weekday off, as any 365-day rotation must.

Costs are $/MWh in real dollars of the year before the release (Cambium docs [C]; the
release year is not in the file, so pass ``source_dollar_year`` to convert). Emission
rates are kg/MWh for CO2 and CO2e and are returned in t/MWh.
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd

from ._common import (
    HOURS,
    DataFormatError,
    GridProfiles,
    fill_gaps,
    find_header_line,
    hour_of_year,
    profile_rows,
    read_text_lines,
    resolve_utc_offset,
    source_name,
    warn,
)
from .money import deflator

__all__ = ["read_cambium"]

CAMBIUM_UTC_OFFSET = -5  # EST
_NAME = re.compile(r"^(?P<project>.+?)_(?P<scenario>.+)_hourly_(?P<region>.+)_(?P<year>\d{4})$")


def read_cambium(src, *, year: int | None = None, zone: str | None = None, utc_offset=None,
                 price_column: str = "total_cost_enduse", co2_column: str | None = None,
                 align_weekdays: bool = True, dollar_year: int | None = None,
                 source_dollar_year: int | None = None, deflator_index: dict | None = None,
                 fill: str = "error", max_gap_hours: int = 3) -> GridProfiles:
    """Grid price (mean-1 multiplier plus the mean price) and CO2-rate profiles from a Cambium hourly CSV.

    Parameters
    ----------
    src : path of the CSV (``{Project}_{Scenario}_hourly_{region}_{year}.csv``) or a
        DataFrame with the same columns (no metadata lines).
    year : calendar year of the hour index (default: the file's year).
    zone : zone id of the rows (default: the region in the file name).
    utc_offset : hours east of UTC of the clock, or a time-zone name (its standard
        offset). Default: the file's local standard time (``timestamp_local`` minus
        ``timestamp``, plus EST's -5).
    price_column : a ``{energy|capacity|portfolio|total}_cost_{busbar|enduse}`` column ($/MWh).
    co2_column : an emission-rate column in kg/MWh (default ``aer_load_co2e``, else
        ``aer_load_co2``): the average emission rate of load.
    align_weekdays : rotate the series so weekdays match ``year`` (see module doc).
    dollar_year, source_dollar_year, deflator_index : restate prices from
        ``source_dollar_year`` dollars (the year before the Cambium release) in
        ``dollar_year`` dollars with :func:`siting.data.money.deflator`.
    fill, max_gap_hours : how missing hours are filled (a full Cambium year has none).

    Returns
    -------
    GridProfiles
        profiles ``grid_price`` (multiplier, mean 1) and ``grid_co2`` (tCO2/MWh); a zones row
        with ``grid_price_usd_per_mwh`` and ``grid_co2_t_per_mwh`` (their means).
    """
    name = source_name(src)
    if isinstance(src, pd.DataFrame):
        df = src.astype(str).copy()
        stem = ""
    else:
        lines = read_text_lines(src)
        hdr = find_header_line(lines, {"timestamp"}, max_lines=20)
        if hdr is None:
            raise DataFormatError(f"{name}: not a Cambium hourly CSV: no header row with a 'timestamp' column in "
                                  "the first 20 lines")
        df = pd.read_csv(StringIO("\n".join(lines[hdr:])), dtype=str, keep_default_na=False)
        stem = Path(src).name.split(".")[0]
    df.columns = [str(c).strip() for c in df.columns]
    if "timestamp" not in df.columns:
        raise DataFormatError(f"{name}: not a Cambium hourly table: no 'timestamp' column")
    if price_column not in df.columns:
        costs = [c for c in df.columns if "_cost_" in c]
        raise DataFormatError(f"{name}: no price column '{price_column}' (cost columns here: "
                              f"{', '.join(costs) or 'none'})")
    if co2_column is None:
        co2_column = next((c for c in ("aer_load_co2e", "aer_load_co2") if c in df.columns), None)
        if co2_column is None:
            rates = [c for c in df.columns if re.match(r"(aer|srmer|lrmer)_", c)]
            raise DataFormatError(f"{name}: no 'aer_load_co2e' or 'aer_load_co2' column (emission columns here: "
                                  f"{', '.join(rates) or 'none'}); pass co2_column=")
    elif co2_column not in df.columns:
        raise DataFormatError(f"{name}: no emission column '{co2_column}'")
    if zone is None:
        m = _NAME.match(stem)
        if not m:
            raise DataFormatError(f"{name}: cannot read the region from the file name; pass zone=")
        zone = m.group("region")

    ts = pd.to_datetime(df["timestamp"].str.strip(), format="mixed", errors="coerce")
    if ts.isna().any():
        i = int(np.flatnonzero(ts.isna().to_numpy())[0])
        raise DataFormatError(f"{name}: column 'timestamp', row {i + 1}: '{df['timestamp'].iloc[i]}' is not a "
                              "date and time")
    cyear = int(ts.dt.year.mode().iloc[0])
    year = cyear if year is None else int(year)
    if utc_offset is None:
        if "timestamp_local" not in df.columns:
            raise DataFormatError(f"{name}: no 'timestamp_local' column to tell local standard time; pass utc_offset")
        tl = pd.to_datetime(df["timestamp_local"].str.strip(), format="mixed", errors="coerce")
        d = np.unique(np.round(((tl - ts) / pd.Timedelta(hours=1)).dropna().to_numpy()))
        if len(d) != 1:
            raise DataFormatError(f"{name}: 'timestamp_local' is not a fixed shift of 'timestamp' (found {d[:5]} h); "
                                  "pass utc_offset")
        offset = CAMBIUM_UTC_OFFSET + int(d[0])
    else:
        offset = resolve_utc_offset(utc_offset, year)

    # position in Cambium's own (EST, no-leap) calendar, then the two circular shifts
    p = hour_of_year(pd.DatetimeIndex(ts), cyear)
    if (p < 0).any():
        i = int(np.flatnonzero(p < 0)[0])
        raise DataFormatError(f"{name}: row {i + 1}: timestamp {ts.iloc[i]} is outside {cyear} or on 29 February; "
                              "a Cambium file holds one 8760-hour year")
    k = (pd.Timestamp(year=year, month=1, day=1).dayofweek + 1) % 7 if align_weekdays else 0
    q = (p + (offset - CAMBIUM_UTC_OFFSET) - 24 * k) % HOURS

    def place(col: str, scale: float, what: str) -> np.ndarray:
        v = pd.to_numeric(df[col].str.replace(",", "", regex=False).str.strip(), errors="coerce").to_numpy(float)
        arr = np.full(HOURS, np.nan)
        ok = np.isfinite(v)
        arr[q[ok]] = v[ok] * scale
        return fill_gaps(arr, year=year, fill=fill, max_gap_hours=max_gap_hours, source=name, what=what)

    money = 1.0
    if dollar_year is not None:
        if source_dollar_year is None:
            raise ValueError("Cambium costs are in dollars of the year before the release, which the file does not "
                             "name: pass source_dollar_year together with dollar_year")
        money = deflator(source_dollar_year, dollar_year, deflator_index)
    price = place(price_column, money, f"price '{price_column}'")
    neg = int((price < 0).sum())
    if neg:
        warn(f"{name}: {neg} hours of '{price_column}' are negative; clipped to 0 (grid import cannot earn money "
             "in the model)")
        price = np.clip(price, 0.0, None)
    mean = float(price.mean())
    if mean <= 0:
        raise DataFormatError(f"{name}: '{price_column}' averages {mean}; a grid price must be positive")
    co2 = place(co2_column, 1e-3, f"emission rate '{co2_column}'")
    if (co2 < 0).any():
        co2 = np.clip(co2, 0.0, None)
    profiles = pd.concat([profile_rows(price / mean, "grid_price", zone=zone),
                          profile_rows(co2, "grid_co2", zone=zone)], ignore_index=True)
    zones = pd.DataFrame([{"zone": zone, "grid_price_usd_per_mwh": mean, "grid_co2_t_per_mwh": float(co2.mean())}])
    money_note = (f"restated from {source_dollar_year}$ to {dollar_year}$ (CPI-U)" if dollar_year is not None
                  else "in the file's dollars (the year before its release)")
    notes = [f"Cambium {name} -> zone {zone}: grid_price = {price_column} / its mean ({mean:.2f} $/MWh, "
             f"{money_note}); grid_co2 = {co2_column} (kg/MWh -> t/MWh). Clock moved from EST to UTC{offset:+d}"
             + (f", weekdays rotated by {k} days to match {year}" if align_weekdays else "") + "."]
    return GridProfiles(profiles=profiles, zones=zones, notes=notes)
