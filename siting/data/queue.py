"""LBNL "Queued Up" interconnection-queue workbook: a region's typical wait, for grid_year defaults.

The workbook (e.g. ``LBNL_Ix_Queue_Data_File_thru2024_v2.xlsx``) has a sheet
``03. Complete Queue Data`` with a title row above the header: ``q_id, q_status, q_date,
on_date, wd_date, ia_date, region, state, mw1 ... type_clean, q_year`` (one row per
request). Editions differ [third-party reports]: the 2024 edition stores dates as Excel
serial numbers, the 2025 edition as real dates and renames ``mw1`` to ``mw_1`` and
``IA_status_clean`` to ``IA_phase_clean``; editions before 2022 split active, withdrawn and
completed projects over several sheets (all sheets with a ``q_id`` header are then
stacked). Reading ``.xlsx`` needs **openpyxl** (``pip install "siting[data]"``).

The wait of a request is ``on_date - q_date`` (queue entry to commercial operation) in
years of 365.25 days, over requests that reached operation. It is measured on
*generation* requests; a large load's own wait may differ, so treat it as a default to
override with what the utility tells you.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._extras import require
from ._common import DataFormatError, source_name

__all__ = ["read_queued_up", "queue_wait_years"]

SHEET = "03. Complete Queue Data"
DATES = ("q_date", "prop_date", "on_date", "wd_date", "ia_date")
RENAMES = {"mw_1": "mw1", "mw_2": "mw2", "mw_3": "mw3", "IA_phase_clean": "IA_status_clean"}


def _dates(s: pd.Series) -> pd.Series:
    """Excel serial numbers (2024 edition), datetimes (2025) or date strings -> datetime64."""
    num = pd.to_numeric(s, errors="coerce")
    serial = num.notna() & (num > 1000) & (num < 100000)
    out = pd.to_datetime(s.where(~serial).astype("string"), errors="coerce", format="mixed")
    out = out.astype("datetime64[ns]")
    if serial.any():
        out[serial] = pd.Timestamp("1899-12-30") + pd.to_timedelta(num[serial].astype(float), unit="D")
    return out


def read_queued_up(src, *, sheet: str | None = None) -> pd.DataFrame:
    """The queue table of a Queued Up workbook (or a DataFrame of it), tidied.

    Returns one row per request with the source columns (``mw_1`` renamed ``mw1`` and so
    on, as in the 2024 edition), dates as datetimes, and ``mw`` = ``mw1`` as a number.
    """
    if isinstance(src, pd.DataFrame):
        df, name = src.copy(), "<DataFrame>"
    else:
        name = source_name(src)
        p = Path(src)
        if not p.is_file():
            raise DataFormatError(f"{p}: no such file")
        require("openpyxl", "data", "reading the Queued Up .xlsx")
        try:
            book = pd.ExcelFile(p, engine="openpyxl")
        except Exception as e:
            raise DataFormatError(f"{name}: not an Excel workbook (.xlsx): {' '.join(str(e).split())[:160]}") from None
        with book:
            names = book.sheet_names
            sheets = [sheet] if sheet is not None else ([SHEET] if SHEET in names else names)
            if sheet is not None and sheet not in names:
                raise DataFormatError(f"{name}: no sheet '{sheet}' (sheets: {', '.join(names)})")
            raws = [book.parse(sh, header=None, dtype=object) for sh in sheets]
        frames = []
        for raw in raws:
            for i in range(min(10, len(raw))):
                cells = [str(c).strip() for c in raw.iloc[i]]
                if "q_id" in cells and "q_status" in cells:
                    d = raw.iloc[i + 1:].reset_index(drop=True)
                    d.columns = [c if c not in ("nan", "None") else f"_{k}" for k, c in enumerate(cells)]
                    frames.append(d.dropna(how="all"))
                    break
        if not frames:
            raise DataFormatError(f"{name}: not an LBNL Queued Up workbook: no sheet with a 'q_id' and 'q_status' "
                                  f"header in its first 10 rows (sheets: {', '.join(names)})")
        df = pd.concat(frames, ignore_index=True)
    df.columns = [str(c).strip() for c in df.columns]
    df = df.rename(columns={k: v for k, v in RENAMES.items() if k in df.columns and v not in df.columns})
    missing = [c for c in ("q_id", "q_status", "q_date", "on_date", "region") if c not in df.columns]
    if missing:
        raise DataFormatError(f"{name}: not an LBNL Queued Up table: missing column(s) "
                              + ", ".join(f"'{c}'" for c in missing))
    for c in DATES:
        if c in df.columns:
            df[c] = _dates(df[c])
    df["q_status"] = df["q_status"].astype(str).str.strip().str.lower()
    df["mw"] = pd.to_numeric(df["mw1"], errors="coerce") if "mw1" in df.columns else np.nan
    df.attrs["source"] = name
    return df


def queue_wait_years(src, *, region: str | None = None, state: str | None = None,
                     statuses: tuple[str, ...] = ("operational",), min_mw: float | None = None,
                     since_year: int | None = None, statistic: str = "median") -> float:
    """Typical wait from queue entry (``q_date``) to operation (``on_date``), in years.

    Parameters
    ----------
    src : workbook path, or the output of :func:`read_queued_up`.
    region, state : keep requests of this ``region`` (e.g. ``"ERCOT"``, ``"PJM"``,
        ``"Southeast"``; case-insensitive) and/or ``state`` (two-letter code).
    statuses : ``q_status`` values counted (requests that reached operation by default).
    min_mw : keep requests of at least this many MW (``mw1``).
    since_year : keep requests that reached operation in this year or later.
    statistic : ``"median"`` or ``"mean"``.
    """
    df = src if isinstance(src, pd.DataFrame) and "mw" in src.columns else read_queued_up(src)
    name = df.attrs.get("source", "<DataFrame>")
    d = df[df["q_status"].isin([s.lower() for s in statuses])]
    if region is not None:
        regs = sorted(set(df["region"].dropna().astype(str)))
        d = d[d["region"].astype(str).str.lower() == region.lower()]
        if d.empty:
            raise DataFormatError(f"{name}: no {'/'.join(statuses)} requests in region '{region}' (regions: "
                                  f"{', '.join(regs)})")
    if state is not None:
        if "state" not in d.columns:
            raise DataFormatError(f"{name}: no 'state' column")
        d = d[d["state"].astype(str).str.upper() == state.upper()]
    if min_mw is not None:
        d = d[d["mw"] >= min_mw]
    if since_year is not None:
        d = d[d["on_date"].dt.year >= since_year]
    wait = ((d["on_date"] - d["q_date"]).dt.days / 365.25).dropna()
    wait = wait[wait >= 0]
    if wait.empty:
        raise DataFormatError(f"{name}: no request with both q_date and on_date matches the filters")
    if statistic == "median":
        return float(wait.median())
    if statistic == "mean":
        return float(wait.mean())
    raise ValueError(f"statistic must be 'median' or 'mean', got {statistic!r}")
