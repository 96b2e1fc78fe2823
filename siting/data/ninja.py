"""renewables.ninja point CSVs (PV and wind): hourly capacity-factor profiles.

Layout (renewables.ninja documentation): three ``#`` comment lines (dataset, lat/lon,
version, licence URL; ``# Units: time in UTC, local_time in <tz>, electricity in kW``; a
JSON string with ``units`` and ``params`` such as ``capacity``), then a header row
``time[,local_time],electricity[,...]``. ``time`` is UTC at the **start** of the hour;
``electricity`` is the mean kW over the hour, so dividing by ``capacity`` (kW) gives the
capacity factor. The older layout (one metadata line, a row of names, a row of units)
is read too: the header row is found by its content, and a units row under it is skipped.

**Licence: CC BY-NC 4.0, non-commercial.** Every call warns with
:class:`NonCommercialLicenceWarning`; an instance built from these files inherits the
restriction.
"""

from __future__ import annotations

import json
import re
from io import StringIO

import numpy as np
import pandas as pd

from ._common import (
    DataFormatError,
    NonCommercialLicenceWarning,
    align_hourly,
    find_header_line,
    profile_rows,
    read_text_lines,
    resolve_utc_offset,
    source_name,
    split_csv_line,
    standard_offset_of_tz,
    warn,
)

__all__ = ["read_ninja"]

LICENCE_URL = "https://creativecommons.org/licenses/by-nc/4.0/"


def _meta(lines: list[str]) -> dict:
    """Dataset kind, local time zone, units and params from the comment lines."""
    meta: dict = {"kind": None, "tz": None, "units": {}, "params": {}}
    for line in lines:
        text = line.lstrip("#").strip()
        low = text.lower()
        if "renewables.ninja" in low:
            meta["kind"] = "solar" if ("pv" in low or "solar" in low) else "wind" if "wind" in low else None
        m = re.search(r"local_time in ([A-Za-z_+\-/0-9]+)", text)
        if m:
            meta["tz"] = m.group(1)
        m = re.search(r"electricity in (\w+)", text)
        if m:
            meta["units"].setdefault("electricity", m.group(1))
        if text.startswith("{"):
            try:
                js = json.loads(text)
            except json.JSONDecodeError:
                continue
            meta["units"].update(js.get("units", {}) or {})
            meta["params"].update(js.get("params", {}) or {})
            if js.get("units", {}).get("local_time"):
                meta["tz"] = js["units"]["local_time"]
    return meta


_UNIT_TO_KW = {"w": 1e-3, "kw": 1.0, "mw": 1e3, "gw": 1e6}


def read_ninja(src, *, year: int | None = None, profile: str | None = None, zone: str | None = None,
               site: str | None = None, utc_offset=None, column: str = "electricity",
               capacity_kw: float | None = None, fill: str = "error", max_gap_hours: int = 3) -> pd.DataFrame:
    """Capacity-factor profile (0..1, 8760 hours) from a renewables.ninja PV or wind CSV.

    Parameters
    ----------
    src : path of the CSV (``.csv`` or ``.csv.gz``).
    year : calendar year of the hour index (default: the year most rows fall in).
    profile : profile name (default ``"solar"`` or ``"wind"`` from the first comment line).
    zone, site : owner of the rows (one of them, or neither: the builder then gives the
        profile to every zone).
    utc_offset : hours east of UTC of the clock, or a time-zone name (its standard
        offset). Default: the standard offset of the ``local_time`` zone the file names;
        a file without one needs ``utc_offset``.
    column : the power column (``electricity``; country files name columns otherwise).
    capacity_kw : capacity the power is divided by; default ``params.capacity`` from the
        JSON line (kW), or 1 when the file gives none and every value is <= 1.
    fill, max_gap_hours : how missing hours are filled (see :func:`siting.data.fill_gaps`).

    Returns
    -------
    DataFrame ``zone`` (or ``site``), ``profile``, ``hour``, ``value``. Values are clipped
    to 0..1 (a :class:`DataWarning` says how many were above 1).

    Warns
    -----
    NonCommercialLicenceWarning : always: renewables.ninja data are CC BY-NC 4.0.
    """
    name = source_name(src)
    lines = read_text_lines(src)
    hdr = find_header_line(lines, {"time", column}, max_lines=30)
    if hdr is None:
        raise DataFormatError(f"{name}: not a renewables.ninja point CSV: no header row with 'time' and "
                              f"'{column}' in the first 30 lines")
    meta = _meta(lines[:hdr])
    warn(f"{name}: renewables.ninja data are licensed CC BY-NC 4.0 ({LICENCE_URL}): non-commercial use only, "
         "with attribution; an instance built from them inherits the restriction", NonCommercialLicenceWarning)
    names = split_csv_line(lines[hdr])
    body_start = hdr + 1
    if body_start < len(lines):
        first = split_csv_line(lines[body_start])
        if len(first) == len(names):
            cell = first[names.index(column)]
            try:
                float(cell)
            except ValueError:
                if cell:  # a units row under the names (old layout)
                    meta["units"].setdefault(column, cell)
                    meta["units"].setdefault("electricity", cell)
                    body_start += 1
    body = "\n".join([lines[hdr]] + [ln for ln in lines[body_start:] if ln and not ln.startswith("#")])
    df = pd.read_csv(StringIO(body), dtype=str, keep_default_na=False)
    df.columns = [c.strip() for c in df.columns]
    if df.empty:
        raise DataFormatError(f"{name}: has a header but no data rows")

    t = pd.to_datetime(df["time"].str.strip(), format="mixed", errors="coerce", utc=True)
    if t.isna().any():
        i = int(np.flatnonzero(t.isna().to_numpy())[0])
        raise DataFormatError(f"{name}: column 'time', row {i + 1}: '{df['time'].iloc[i]}' is not a date and time")
    power = pd.to_numeric(df[column].str.strip(), errors="coerce").to_numpy(dtype=float)

    unit = str(meta["units"].get(column, meta["units"].get("electricity", "kW"))).strip().lower()
    if unit not in _UNIT_TO_KW:
        raise DataFormatError(f"{name}: unknown power unit '{unit}' for column '{column}' (expected kW, MW or W)")
    if capacity_kw is None:
        cap = meta["params"].get("capacity")
        if cap not in (None, ""):
            try:
                capacity_kw = float(cap)
            except (TypeError, ValueError):
                raise DataFormatError(f"{name}: params.capacity '{cap}' is not a number") from None
        elif np.nanmax(power) * _UNIT_TO_KW[unit] <= 1.0 + 1e-9:
            capacity_kw = 1.0
        else:
            raise DataFormatError(f"{name}: no capacity in the header and values above 1; pass capacity_kw")
    if capacity_kw <= 0:
        raise DataFormatError(f"{name}: capacity {capacity_kw} kW must be > 0")
    cf = power * _UNIT_TO_KW[unit] / capacity_kw
    above = np.nansum(cf > 1.0 + 1e-6)
    if above:
        warn(f"{name}: {int(above)} hours have a capacity factor above 1 (largest {np.nanmax(cf):.3f}); clipped to 1")
    cf = np.clip(cf, 0.0, 1.0)

    ref_year = year or int(t.dt.year.mode().iloc[0])
    if utc_offset is None:
        if not meta["tz"]:
            raise DataFormatError(f"{name}: the file names no local time zone (no local_time column was "
                                  "requested); pass utc_offset (e.g. -6 or 'America/Chicago')")
        offset = standard_offset_of_tz(meta["tz"], ref_year)
    else:
        offset = resolve_utc_offset(utc_offset, ref_year)
    if year is None:
        year = int((t + pd.Timedelta(hours=offset)).dt.year.mode().iloc[0])
    profile = profile or meta["kind"]
    if profile is None:
        raise DataFormatError(f"{name}: cannot tell PV from wind from the header; pass profile=")
    values = align_hourly(pd.DatetimeIndex(t), cf, year=year, utc_offset=offset, fill=fill,
                          max_gap_hours=max_gap_hours, source=name, what=f"{profile} capacity factor")
    out = profile_rows(values, profile, zone=zone, site=site)
    out.attrs["notes"] = [f"renewables.ninja {name} -> profile {profile}: {column} / {capacity_kw:g} kW "
                          f"({unit}); UTC hour-start stamps, clock UTC{offset:+d}, year {year}, 29 Feb dropped. "
                          f"Licence CC BY-NC 4.0 ({LICENCE_URL}): non-commercial use only."]
    return out
