"""EIA-930 BALANCE CSVs: hourly clean share and CO2 intensity of a balancing authority's generation.

Files ``EIA930_BALANCE_{YYYY}_{Jan_Jun|Jul_Dec}.csv`` (from EIA's bulk download) hold one
row per balancing authority and hour with ``Net Generation (MW) from <fuel>`` columns
(from 2018 H2 on), in MW averaged over the hour (= MWh in the hour), stamped at the
**end** of the hour in local time and in UTC. This reader keys rows on the UTC column,
moves each stamp back one hour to the hour's start, and places it on the 8760-hour
clock of :mod:`siting.data._common` (fixed UTC offset, 29 February dropped).

CO2 factors (tCO2 per MWh generated, direct combustion) are fuel carbon coefficients
times average operating heat rates, both from EIA:

=========  ======================  =========================  =========
fuel       kg CO2/MMBtu            heat rate 2022, MMBtu/MWh   tCO2/MWh
=========  ======================  =========================  =========
coal       95.35 (all types)       10.689                     1.019
gas        53.07                   7.740                      0.411
oil        73.16 (distillate)      11.166                     0.817
=========  ======================  =========================  =========

Sources: EIA, *Carbon Dioxide Emissions Coefficients* (eia.gov/environment/emissions/
co2_vol_mass.cfm; the natural-gas value is the one in docs/sources.md#eia-co2);
EIA, *Electric Power Annual*, Table 8.1 *Average Operating Heat Rate for Selected Energy
Sources* (2022 column). Petroleum uses the distillate coefficient (residual oil and
petroleum coke run higher). Assumptions, not sourced: "Other Fuel Sources" (mostly
biomass, waste, other gases) count 0 and "Unknown Fuel Sources" count as gas. Storage
columns (pumped storage, batteries) are left out of both the generation total and the
emissions, since they only move energy made by the other fuels; the pre-2024 column
"Hydropower and Pumped Storage" cannot be split and counts as hydro. Pass
``co2_t_per_mwh={...}`` to change any factor, ``clean=[...]`` to change what is clean.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ._common import (
    HOURS,
    DataFormatError,
    GridProfiles,
    align_hourly,
    parse_number,
    profile_rows,
    resolve_utc_offset,
    warn,
)

__all__ = ["read_eia930_balance", "EIA930_CO2_T_PER_MWH", "EIA930_CLEAN_FUELS"]

#: tCO2/MWh by fuel class (see module doc for the derivation and sources)
EIA930_CO2_T_PER_MWH: dict[str, float] = {
    "coal": round(95.35 * 10.689 / 1000, 4),
    "gas": round(53.07 * 7.740 / 1000, 4),
    "oil": round(73.16 * 11.166 / 1000, 4),
    "other": 0.0,
    "unknown": round(53.07 * 7.740 / 1000, 4),
    "nuclear": 0.0, "hydro": 0.0, "solar": 0.0, "wind": 0.0, "geothermal": 0.0,
}
#: fuel classes counted as clean energy
EIA930_CLEAN_FUELS: tuple[str, ...] = ("nuclear", "hydro", "solar", "wind", "geothermal")

PREFIX = "Net Generation (MW) from "
UTC_COL = "UTC Time at End of Hour"
LOCAL_COL = "Local Time at End of Hour"
BA_COL = "Balancing Authority"
TIME_FORMAT = "%m/%d/%Y %I:%M:%S %p"


def _fuel_key(name: str) -> tuple[str, str]:
    """(canonical fuel name, variant) of a 'Net Generation (MW) from ...' column; fixes known header typos."""
    rest = " ".join(name[len(PREFIX):].split())
    variant = "reported"
    for suffix, v in (("(Adjusted)", "adjusted"), ("(Imputed)", "imputed")):
        if rest.endswith(suffix):
            rest, variant = rest[: -len(suffix)].strip(), v
    rest = re.sub(r"\bwitho\b", "without", rest, flags=re.IGNORECASE)
    return rest.lower(), variant


def _fuel_class(fuel: str) -> str | None:
    """Fuel class of a canonical EIA-930 fuel name; None for storage; '?' when unknown."""
    f = fuel.lower()
    table = {"coal": "coal", "natural gas": "gas", "nuclear": "nuclear", "all petroleum products": "oil",
             "petroleum": "oil", "hydropower and pumped storage": "hydro",
             "hydropower excluding pumped storage": "hydro", "hydro": "hydro", "geothermal": "geothermal",
             "other fuel sources": "other", "other": "other", "unknown fuel sources": "unknown", "unknown": "unknown"}
    if f in table:
        return table[f]
    if f.startswith("solar"):
        return "solar"
    if f.startswith("wind"):
        return "wind"
    if "storage" in f:
        return None
    return "?"


def _read(src, ba: str | None) -> list[tuple[pd.DataFrame, str]]:
    """The BALANCE rows (all BAs, or only ``ba``) of each file, as text; only the columns this reader uses."""
    if isinstance(src, pd.DataFrame):
        df = src.astype(str).copy()
        df.columns = [str(c).strip() for c in df.columns]
        _check_columns(df, "<DataFrame>")
        return [(df, "<DataFrame>")]
    srcs = [src] if isinstance(src, (str, Path)) else list(src)
    frames = []
    for s in srcs:
        p = Path(s)
        if not p.is_file():
            raise DataFormatError(f"{p}: no such file")
        kw = dict(dtype=str, keep_default_na=False, encoding="utf-8-sig")
        try:
            raw_cols = list(pd.read_csv(p, nrows=0, **kw).columns)
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
            raise DataFormatError(f"{p.name}: not an EIA-930 BALANCE CSV: {' '.join(str(e).split())[:160]}") from None
        _check_columns(pd.DataFrame(columns=[str(c).strip() for c in raw_cols]), p.name)
        try:
            keep = [c for c in raw_cols if str(c).strip() in (BA_COL, UTC_COL, LOCAL_COL)
                    or str(c).strip().startswith(PREFIX)]
            parts = []
            for ch in pd.read_csv(p, usecols=keep, chunksize=100_000, **kw):
                ch.columns = [str(c).strip() for c in ch.columns]
                parts.append(ch if ba is None else ch[ch[BA_COL].str.strip() == ba])
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as e:
            raise DataFormatError(f"{p.name}: not an EIA-930 BALANCE CSV: {' '.join(str(e).split())[:160]}") from None
        frames.append((pd.concat(parts, ignore_index=True), p.name))
    return frames


def _check_columns(df: pd.DataFrame, name: str) -> None:
    cols = set(df.columns)
    if "Directly Interconnected Balancing Authority" in cols:
        raise DataFormatError(f"{name}: this is an EIA-930 INTERCHANGE file (it has 'Directly Interconnected "
                              "Balancing Authority'); give the BALANCE file")
    missing = [c for c in (BA_COL, UTC_COL) if c not in cols]
    if missing:
        raise DataFormatError(f"{name}: not an EIA-930 BALANCE CSV: missing column(s) "
                              + ", ".join(f"'{c}'" for c in missing))
    if not any(c.startswith(PREFIX) for c in cols):
        raise DataFormatError(f"{name}: this looks like an EIA-930 file from before 2018 H2: no fuel columns "
                              f"('{PREFIX}<fuel>'); hourly generation by fuel starts in July 2018")


def _parse_times(s: pd.Series, name: str, col: str) -> pd.DatetimeIndex:
    s = s.astype(str).str.strip()
    try:
        t = pd.to_datetime(s, format=TIME_FORMAT)
    except ValueError:
        t = pd.to_datetime(s, format="mixed", errors="coerce")
        bad = t.isna() & (s != "")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataFormatError(f"{name}: column '{col}', row {i + 1}: '{s.iloc[i]}' is not a date and time "
                                  "(expected e.g. 07/01/2024 1:00:00 AM)") from None
    return pd.DatetimeIndex(t)


def _infer_offset(local: pd.DatetimeIndex, utc: pd.DatetimeIndex, name: str) -> int:
    diff = np.round(np.asarray((local - utc) / pd.Timedelta(hours=1), dtype=float))
    winter = np.asarray(local.month.isin([12, 1, 2]))
    if winter.any():
        return int(diff[winter].min())
    if len(np.unique(diff)) > 1:
        return int(diff.min())
    raise DataFormatError(f"{name}: cannot tell the standard UTC offset from '{LOCAL_COL}' (the rows may all be "
                          "in daylight-saving time); pass utc_offset (e.g. -6 or 'America/Chicago')")


def _mix(df: pd.DataFrame, name: str, ba: str, version: str, factors: dict, clean_set: set):
    """Hour starts (naive UTC), clean share and CO2 rate of one file's rows of one BA."""
    by_fuel: dict[str, dict[str, str]] = {}
    for c in df.columns:
        if c.startswith(PREFIX):
            fuel, variant = _fuel_key(c)
            by_fuel.setdefault(fuel, {})[variant] = c
    chosen: dict[str, tuple[str, str]] = {}
    for fuel, variants in sorted(by_fuel.items()):
        col = variants.get("adjusted") if version == "adjusted" else None
        col = col or variants.get("reported") or variants.get("adjusted") or variants.get("imputed")
        cls = _fuel_class(fuel)
        if cls == "?":
            warn(f"{name}: fuel column '{col}' is not one this reader knows; counted as 'other' "
                 f"({factors['other']} tCO2/MWh, not clean)")
            cls = "other"
        if cls is not None:
            chosen[fuel] = (col, cls)
    # A fuel the BA never reports (all blank) is left out; a blank cell of a fuel it does report
    # makes the whole hour missing (filled later by interpolation or by hour of day).
    total = np.zeros(len(df))
    clean_mw = np.zeros(len(df))
    co2 = np.zeros(len(df))
    seen = np.ones(len(df), dtype=bool)
    used = 0
    for _fuel, (col, cls) in chosen.items():
        mw = parse_number(df[col]).to_numpy()
        if not np.isfinite(mw).any():
            continue
        used += 1
        seen &= np.isfinite(mw)
        mw = np.clip(np.nan_to_num(mw, nan=0.0), 0.0, None)  # night-time solar can be slightly negative
        total += mw
        co2 += mw * factors.get(cls, 0.0)
        if cls in clean_set:
            clean_mw += mw
    if not used:
        raise DataFormatError(f"{name}: every fuel column is blank for {ba}; no generation mix to read")
    valid = seen & (total > 0)
    share = np.where(valid, clean_mw / np.where(total > 0, total, 1.0), np.nan)
    rate = np.where(valid, co2 / np.where(total > 0, total, 1.0), np.nan)
    utc_end = _parse_times(df[UTC_COL], name, UTC_COL)
    return utc_end - pd.Timedelta(hours=1), share, rate, chosen


def read_eia930_balance(src, *, year: int, ba: str | None = None, zone: str | None = None, utc_offset=None,
                        version: str = "adjusted", co2_t_per_mwh: Mapping[str, float] | None = None,
                        clean: Sequence[str] | None = None, fill: str = "error", max_gap_hours: int = 3,
                        ) -> GridProfiles:
    """Hourly clean share and CO2 intensity of one balancing authority's generation.

    Parameters
    ----------
    src : path of an EIA-930 BALANCE CSV, a list of them (e.g. the Jan_Jun and Jul_Dec
        halves of a year), or a DataFrame of the same columns.
    year : calendar year of the hour index.
    ba : balancing-authority code (``Balancing Authority`` column, e.g. ``"ERCO"``); may be
        left out when the file holds one BA.
    zone : zone id of the rows returned (default: ``ba``).
    utc_offset : hours east of UTC of the clock (or a time-zone name, whose standard
        offset is used). Default: the BA's local standard time, read from the difference
        between ``Local Time at End of Hour`` and the UTC column in winter rows.
    version : ``"adjusted"`` (EIA's cleaned ``(Adjusted)`` columns where present, else the
        reported ones) or ``"reported"``.
    co2_t_per_mwh, clean : override :data:`EIA930_CO2_T_PER_MWH` entries and the clean fuel
        classes (:data:`EIA930_CLEAN_FUELS`).
    fill, max_gap_hours : how missing hours are filled (see :func:`siting.data.fill_gaps`).

    Returns
    -------
    GridProfiles
        profiles ``grid_clean_share`` (0..1) and ``grid_co2`` (tCO2/MWh), and a zones row
        with their means as ``grid_clean_share`` and ``grid_co2_t_per_mwh``.

    Raises
    ------
    DataFormatError : not a BALANCE file (INTERCHANGE, other source), an edition without
        fuel columns (before 2018 H2), an unknown BA, or hours missing with ``fill="error"``.
    """
    if version not in ("adjusted", "reported"):
        raise ValueError(f"version must be 'adjusted' or 'reported', got {version!r}")
    frames = _read(src, ba)
    names = ", ".join(n for _, n in frames)
    bas = sorted(set().union(*(set(df[BA_COL].str.strip()) for df, _ in frames)))
    if ba is not None and ba not in bas:  # only the rows of ba were kept: list what the files hold
        frames = _read(src, None)
        bas = sorted(set().union(*(set(df[BA_COL].str.strip()) for df, _ in frames)))
    if ba is None:
        if len(bas) != 1:
            raise DataFormatError(f"{names}: holds {len(bas)} balancing authorities ({', '.join(bas[:20])}); "
                                  "pass ba=")
        ba = bas[0]
    if ba not in bas:
        raise DataFormatError(f"{names}: no rows for balancing authority '{ba}' (found: {', '.join(bas[:30])})")
    zone = zone or ba
    factors = dict(EIA930_CO2_T_PER_MWH)
    factors.update(co2_t_per_mwh or {})
    clean_set = set(EIA930_CLEAN_FUELS if clean is None else clean)

    starts, shares, rates, ends, locals_ = [], [], [], [], []
    chosen_all: dict[str, str] = {}
    for df, name in frames:
        df = df[df[BA_COL].str.strip() == ba].reset_index(drop=True)
        if df.empty:
            continue
        t_start, share, rate, chosen = _mix(df, name, ba, version, factors, clean_set)
        chosen_all.update({f: cls for f, (_c, cls) in chosen.items()})
        starts.append(t_start)
        shares.append(share)
        rates.append(rate)
        ends.append(t_start + pd.Timedelta(hours=1))
        if LOCAL_COL in df.columns:
            locals_.append((_parse_times(df[LOCAL_COL], name, LOCAL_COL), t_start.tz_localize(None)
                            + pd.Timedelta(hours=1)))
    utc_start = pd.DatetimeIndex(np.concatenate([t.to_numpy() for t in starts])).tz_localize("UTC")
    share, rate = np.concatenate(shares), np.concatenate(rates)
    if utc_offset is None:
        if not locals_:
            raise DataFormatError(f"{names}: no '{LOCAL_COL}' column to tell local standard time; pass utc_offset")
        loc = pd.DatetimeIndex(np.concatenate([a.to_numpy() for a, _ in locals_]))
        utc = pd.DatetimeIndex(np.concatenate([b.to_numpy() for _, b in locals_]))
        offset = _infer_offset(loc, utc, names)
    else:
        offset = resolve_utc_offset(utc_offset, year)
    name = names

    kw = dict(year=year, utc_offset=offset, fill=fill, max_gap_hours=max_gap_hours, source=name)
    share_h = align_hourly(utc_start, share, what=f"clean share of {ba}", **kw)
    rate_h = align_hourly(utc_start, rate, what=f"CO2 intensity of {ba}", **kw)
    profiles = pd.concat([profile_rows(share_h, "grid_clean_share", zone=zone),
                          profile_rows(rate_h, "grid_co2", zone=zone)], ignore_index=True)
    zones = pd.DataFrame([{"zone": zone, "grid_co2_t_per_mwh": float(rate_h.mean()),
                           "grid_clean_share": float(share_h.mean())}])
    cols = ", ".join(f"{fuel} ({cls})" for fuel, cls in sorted(chosen_all.items()))
    notes = [f"EIA-930 BALANCE {name}, BA {ba} -> zone {zone}: hourly clean share and CO2 intensity of "
             f"generation ({version} columns of {cols}); hour-ending UTC stamps moved to hour start, clock "
             f"UTC{offset:+d}, year {year}, 29 Feb dropped; {HOURS} hours. Licence: US government work (credit EIA)."]
    return GridProfiles(profiles=profiles, zones=zones, notes=notes)
