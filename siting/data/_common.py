"""Shared machinery of the readers: errors, warnings, the hour index of a year, header finding,
and what the builder adds around them (inputs named in messages, sources of another year).

Time convention (every hourly reader)
-------------------------------------
A profile row ``hour = h`` stands for the hour that *begins* ``h`` hours after
00:00 on 1 January of the chosen ``year``, on a clock at a **fixed offset from UTC**
(``utc_offset`` hours; US Central Standard Time is -6). The clock never moves for
daylight saving: sources stamped in local time with DST are first converted to UTC,
then shifted by the fixed offset, so a spring-forward day still has 24 hours and a
fall-back day does not have 25. In a leap year **29 February is dropped** (its 24
hours in the chosen clock); 31 December is kept, so every year has 8760 hours.
Hour-ending sources (EIA-930) are moved back one hour to hour-beginning.

Aligning another year (InstanceBuilder ``align_year=True``)
-----------------------------------------------------------
Inside :func:`year_alignment` (which :class:`~siting.data.InstanceBuilder` opens around a
reader when asked to), :func:`align_hourly` places a source whose values fall mostly in
another year than the one asked for on the hours of *its own* year, and hands them over
as the hours of the year asked for: hour ``h`` of 2019 becomes hour ``h`` of 2021. As
every year has 29 February dropped, hour ``h`` is the same calendar day and clock hour in
both years (day of year counted on a 365-day calendar: 1 March is day 60 in any year), so
a leap-year source loses its 29 February and a leap target year needs none. Weekdays are
not matched. Without the option, the builder refuses such a source, naming the option.
"""

from __future__ import annotations

import calendar
import csv
import gzip
import io
import re
import shutil
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InstanceError
from ..schema import TABLES

__all__ = ["DataFormatError", "DataWarning", "NonCommercialLicenceWarning", "GridProfiles", "HOURS",
           "resolve_utc_offset", "standard_offset_of_tz", "hour_of_year", "align_hourly", "fill_gaps",
           "profile_rows", "read_text_lines", "find_header_line", "source_name", "parse_number",
           "YearAlignment", "year_alignment", "frame_label", "naming", "reading", "checked_sites",
           "check_site_points", "clear_instance_folder"]

HOURS = 8760
FILL_MODES = ("error", "hour_of_day")


class DataFormatError(InstanceError):
    """A file is not the source or edition a reader expects.

    The message names the file and what was missing or unexpected, one line per
    problem (``problems``), like every :class:`siting.InstanceError`.
    """


class DataWarning(UserWarning):
    """A reader met something it handled (clipped, dropped, assumed) that you should know about."""


class NonCommercialLicenceWarning(DataWarning):
    """The data's licence forbids commercial use (renewables.ninja: CC BY-NC 4.0)."""


def _format_data_warning(default):
    """``warnings.formatwarning`` printing a :class:`DataWarning` as its message alone, not with the source
    line inside siting that raised it (``builder.py:225 rows = read_ninja(...)``); others as before."""
    def formatwarning(message, category, filename, lineno, line=None):
        if isinstance(category, type) and issubclass(category, DataWarning):
            return f"{category.__name__}: {message}\n"
        return default(message, category, filename, lineno, line)

    formatwarning.siting = True
    return formatwarning


if not getattr(warnings.formatwarning, "siting", False):
    warnings.formatwarning = _format_data_warning(warnings.formatwarning)


@dataclass
class GridProfiles:
    """What a grid reader returns: hourly profiles and the zone values they imply.

    Attributes
    ----------
    profiles : long table ``zone, profile, hour, value``. ``grid_price`` is a multiplier
        with mean 1 (a reserved profile name of profiles.csv); ``grid_co2`` (tCO2/MWh)
        and ``grid_clean_share`` (0..1) are hourly values that profiles.csv does not
        accept yet: the builder folds them into zones.csv as their means.
    zones : one row per zone with the zones.csv columns the source gives
        (``grid_price_usd_per_mwh``, ``grid_co2_t_per_mwh``, ``grid_clean_share``): the plain
        means of the hourly series, i.e. what a flat load drawing the same power every
        hour pays or emits.
    notes : provenance lines (source, columns, conventions) for the instance README.
    """

    profiles: pd.DataFrame
    zones: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def source_name(src) -> str:
    """A short name of a path or an in-memory frame, for messages (``<DataFrame>``: the builder
    replaces it by what the frame is and where it was passed)."""
    if isinstance(src, (str, Path)):
        return Path(src).name
    return "<DataFrame>"


@dataclass
class YearAlignment:
    """What :func:`year_alignment` asks of :func:`align_hourly`, and what it did.

    ``enabled``: place a source from another year on the year asked for, by day of year;
    otherwise refuse it with a message naming ``option`` (how to ask for the alignment).
    ``aligned``: one ``(source, source_year, year)`` per aligned series.
    """

    enabled: bool
    option: str = "align_year=True"
    aligned: list[tuple[str, int, int]] = field(default_factory=list)


_ALIGNMENT: ContextVar[YearAlignment | None] = ContextVar("siting_year_alignment", default=None)


@contextmanager
def year_alignment(enabled: bool, option: str = "align_year=True") -> Iterator[YearAlignment]:
    """Within the block, :func:`align_hourly` checks the year of each source (see module doc)."""
    state = YearAlignment(bool(enabled), option)
    token = _ALIGNMENT.set(state)
    try:
        yield state
    finally:
        _ALIGNMENT.reset(token)


#: how the readers name a frame passed in memory; the builder replaces it by what the frame is
_PLACEHOLDER = re.compile(r"<(?:Geo)?DataFrame>")


def frame_label(src, what: str, where: str) -> str | None:
    """``"<what> (GeoDataFrame passed to <where>)"`` for a frame passed in memory; None for a path (the readers
    name files themselves)."""
    if isinstance(src, pd.DataFrame):
        return f"{what} ({type(src).__name__} passed to {where})"
    return None


@contextmanager
def naming(label: str | None, hints: tuple[tuple[str, str], ...] = ()) -> Iterator:
    """Errors and warnings raised inside name an in-memory input by ``label`` (not ``<DataFrame>``) and the
    builder's arguments (``hints``: regular expression -> replacement). Yields the text fixer."""

    def fix(text: str) -> str:
        if label:
            text = _PLACEHOLDER.sub(lambda _m: label, text)
        for pat, new in hints:
            text = re.sub(pat, new, text)
        return text

    caught: list = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield fix
    except InstanceError as e:
        lines = [fix(p) for p in e.problems]
        if lines == e.problems:
            raise
        raise type(e)(lines) from None
    finally:
        for w in caught:
            warnings.warn_explicit(fix(str(w.message)), w.category, w.filename, w.lineno)


class Read:
    """What :func:`reading` learnt around one reader call: ``fix`` (the text fixer of :func:`naming`)
    and ``aligned`` (one line per source aligned to the year)."""

    def __init__(self):
        self.fix = lambda text: text
        self.aligned: list[str] = []

    def notes(self, notes: list[str]) -> list[str]:
        """The reader's notes, a frame passed in memory named, then one line per aligned source."""
        return [self.fix(n) for n in notes] + self.aligned


@contextmanager
def reading(label: str | None, hints: tuple[tuple[str, str], ...], align: bool, option: str) -> Iterator[Read]:
    """:func:`naming` and :func:`year_alignment` around a reader call of the builder; then one
    :class:`DataWarning` per source aligned by day of year (``X: 2019 data aligned to 2021 by day of year``)."""
    read = Read()
    with naming(label, hints) as fix, year_alignment(align, option) as state:
        read.fix = fix
        yield read
    for source, own, year in dict.fromkeys(state.aligned):
        how = ["same calendar day and clock hour"] + ([f"29 February {own} dropped"] if calendar.isleap(own) else [])
        msg = fix(f"{source}: {own} data aligned to {year} by day of year ({'; '.join(how)}; weekdays not matched)")
        warnings.warn(msg, DataWarning, stacklevel=4)
        read.aligned.append(msg + ".")


def checked_sites(src, label: str, site_column: str):
    """``src`` (a sites file or frame) as read, after :func:`check_site_points`; a file that cannot be read
    as a table is returned as it is, for :func:`siting.data.read_sites` to report."""
    import geopandas as gpd

    if isinstance(src, (str, Path)) and Path(src).is_file():
        try:
            src = (pd.read_csv(src, encoding="utf-8-sig") if Path(src).suffix.lower() == ".csv"
                   else gpd.read_file(src))
        except Exception:  # pandas and GDAL fail in many ways; read_sites names the file and the failure
            return src
    check_site_points(src, label, site_column)
    return src


#: instance files that InstanceBuilder.write(overwrite=True) deletes: the builder writes their alternative
#: (sites.csv) or does not build them, and load_instance would read them with the files written
STALE_INSTANCE_FILES = ("sites.geojson", "sites.gpkg") + tuple(t.file for t in TABLES.values() if t.optional)


def clear_instance_folder(out: Path, overwrite: bool) -> Path:
    """Make ``out`` ready for InstanceBuilder.write: a non-empty folder is refused unless ``overwrite``, which
    deletes its ``reports/`` and :data:`STALE_INSTANCE_FILES` (the other files are written over or kept)."""
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out}: is a file, not a folder; give write() the path of a folder")
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise FileExistsError(f"{out}: the folder exists and is not empty; pass overwrite=True to write() to "
                                  "replace the instance in it")
        if (out / "reports").is_dir():
            shutil.rmtree(out / "reports")
        for name in STALE_INSTANCE_FILES:
            (out / name).unlink(missing_ok=True)
    return out


def check_site_points(g, label: str, site_column: str) -> None:
    """Raise :class:`DataFormatError` naming, by column and row, every site whose position cannot be read:
    missing or non-point geometry of a GeoDataFrame; blank, non-numeric or out-of-range ``lat`` / ``lon``
    of a plain table (anything else: nothing to check)."""
    import geopandas as gpd

    if not isinstance(g, pd.DataFrame):
        return
    problems: list[str] = []
    cols = [str(c).strip() for c in g.columns]
    ids = g.iloc[:, cols.index(site_column)] if site_column in cols else None

    def where(col: str, i: int) -> str:
        site = f" (site {str(ids.iloc[i]).strip()})" if ids is not None and pd.notna(ids.iloc[i]) else ""
        return f"{label}: column '{col}', row {i + 1}{site}"

    if isinstance(g, gpd.GeoDataFrame):
        for i, x in enumerate(g.geometry):
            if x is None or x.is_empty:
                problems.append(f"{where('geometry', i)}: missing geometry; sites must be points")
            elif x.geom_type != "Point":
                problems.append(f"{where('geometry', i)}: a {x.geom_type} geometry; sites must be points")
    for col, lim in (("lat", 90.0), ("lon", 180.0)):
        if col not in cols or isinstance(g, gpd.GeoDataFrame):
            continue  # read_sites names the missing column; a GeoDataFrame's position is its geometry
        raw = g.iloc[:, cols.index(col)]
        for i, v in enumerate(pd.to_numeric(raw, errors="coerce")):
            cell = raw.iloc[i]
            if pd.isna(v):
                blank = pd.isna(cell) or not str(cell).strip()
                problems.append(f"{where(col, i)}: " + ("blank" if blank else f"'{cell}' is not a number"))
            elif not -lim <= float(v) <= lim:
                problems.append(f"{where(col, i)}: {v:g} is outside -{lim:g}..{lim:g} degrees")
    if problems:
        raise DataFormatError(problems)


def resolve_utc_offset(utc_offset, year: int) -> int:
    """Whole hours east of UTC from a number or an IANA time-zone name (its *standard* offset).

    ``"America/Chicago"`` gives -6 whatever the season: daylight saving is never applied.
    """
    if isinstance(utc_offset, str):
        h = standard_offset_of_tz(utc_offset, year)
    else:
        try:
            h = float(utc_offset)
        except (TypeError, ValueError):
            raise ValueError(f"utc_offset must be hours (e.g. -6) or a time-zone name, got {utc_offset!r}") from None
    if h != int(h) or not -14 <= h <= 14:
        raise ValueError(f"utc_offset must be a whole number of hours between -14 and 14, got {utc_offset!r}")
    return int(h)


def standard_offset_of_tz(tz, year: int) -> int:
    """Standard-time offset (hours) of a time zone: the smaller of its January and July offsets."""
    try:
        offs = [pd.Timestamp(f"{year}-{m:02d}-15 12:00", tz=tz).utcoffset() for m in (1, 7)]
    except Exception as e:  # unknown zone names raise several kinds of error
        raise ValueError(f"unknown time zone {tz!r}: {e}") from None
    h = min(offs) / pd.Timedelta(hours=1)
    if h != int(h):
        raise ValueError(f"time zone {tz!r} has a standard offset of {h} h, not a whole number of hours")
    return int(h)


def hour_of_year(local: pd.DatetimeIndex, year: int) -> np.ndarray:
    """Hour index 0..8759 of naive clock times in ``year``; -1 outside the year and on 29 February."""
    local = pd.DatetimeIndex(local).floor("h")
    start = pd.Timestamp(year=year, month=1, day=1)
    h = np.asarray((local - start) / pd.Timedelta(hours=1), dtype=float)
    leap = pd.Timestamp(year=year, month=12, day=31).dayofyear == 366
    out = np.full(len(local), -1, dtype=np.int64)
    inyear = np.asarray(local.year == year)
    if leap:
        feb29 = np.asarray((local.month == 2) & (local.day == 29))
        after = np.asarray(local >= pd.Timestamp(year=year, month=3, day=1))
        h = h - 24 * after
        inyear &= ~feb29
    out[inyear] = h[inyear].astype(np.int64)
    return out


def align_hourly(ts_utc, values, *, year: int, utc_offset: int, fill: str = "error", max_gap_hours: int = 3,
                 source: str = "", what: str = "values") -> np.ndarray:
    """Place values stamped at UTC interval starts on the 8760 hours of ``year`` (see module doc).

    Several values falling in one hour (sub-hourly data) are averaged; NaN values count
    as missing. Gaps are then filled by :func:`fill_gaps`. Inside :func:`year_alignment`,
    a source from another year is refused or aligned by day of year (see module doc).
    """
    if fill not in FILL_MODES:
        raise ValueError(f"fill must be one of {FILL_MODES}, got {fill!r}")
    ts = pd.DatetimeIndex(ts_utc)
    if ts.tz is None:
        raise ValueError("align_hourly needs tz-aware UTC timestamps")
    local = ts.tz_convert("UTC").tz_localize(None) + pd.Timedelta(hours=utc_offset)
    vals = np.asarray(values, dtype=float)
    span = f"{local.min()} to {local.max()}" if len(local) else "no rows"
    state = _ALIGNMENT.get()
    if state is not None and np.isfinite(vals).any():
        own = int(pd.Series(np.asarray(local.year)[np.isfinite(vals)]).mode().iloc[0])
        if own != year:
            if not state.enabled:
                raise DataFormatError(f"{source}: {what}: the data are from {own} (they span {span} on a "
                                      f"UTC{utc_offset:+d} clock) but the profile year is {year}; pass "
                                      f"{state.option} to map them onto {year} by day of year, or give data "
                                      f"of {year}")
            state.aligned.append((source, own, year))
            year = own  # placed on the hours of their own year, which are the same hours of the year asked for
    h = hour_of_year(local, year)
    ok = (h >= 0) & np.isfinite(vals)
    if not ok.any():
        raise DataFormatError(f"{source}: {what}: no value falls in {year} on a UTC{utc_offset:+d} clock "
                              f"(the data span {span}); choose the year the file covers (year=), or build "
                              "with InstanceBuilder(..., align_year=True), which maps another year's data "
                              "onto its profile_year by day of year")
    sums = np.bincount(h[ok], weights=vals[ok], minlength=HOURS)
    counts = np.bincount(h[ok], minlength=HOURS)
    arr = np.full(HOURS, np.nan)
    has = counts > 0
    arr[has] = sums[has] / counts[has]
    return fill_gaps(arr, year=year, fill=fill, max_gap_hours=max_gap_hours, source=source, what=what)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of the runs of True in a boolean array."""
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=False))


def fill_gaps(arr: np.ndarray, *, year: int, fill: str = "error", max_gap_hours: int = 3, source: str = "",
              what: str = "values") -> np.ndarray:
    """Fill the missing hours of an 8760-hour array, in three documented steps.

    1. Interior gaps of at most ``max_gap_hours`` hours: linear interpolation.
    2. A gap of at most 24 hours at the very start (end) of the year, which a source
       covering a UTC calendar year leaves on any other clock: copied from the same
       clock hours of the next (previous) day.
    3. Anything still missing: ``fill="error"`` raises :class:`DataFormatError` naming
       the file and the first missing hours; ``fill="hour_of_day"`` takes the mean of
       the given hours with the same hour of day (for short samples this tiles the mean
       day over the year).
    """
    a = np.array(arr, dtype=float)
    miss = np.isnan(a)
    if not miss.any():
        return a
    if (~miss).sum() == 0:
        raise DataFormatError(f"{source}: {what}: no hour of {year} has a value")
    for s, e in _runs(miss):
        if s > 0 and e < HOURS and e - s <= max_gap_hours:
            x0, x1 = a[s - 1], a[e]
            a[s:e] = x0 + (x1 - x0) * (np.arange(s, e) - (s - 1)) / (e - (s - 1))
    miss = np.isnan(a)
    for s, e in _runs(miss):
        if s == 0 and e <= 24 and e + 24 <= HOURS and not np.isnan(a[24:24 + e]).any():
            a[0:e] = a[24:24 + e]
        elif e == HOURS and e - s <= 24 and not np.isnan(a[s - 24:e - 24]).any():
            a[s:e] = a[s - 24:e - 24]
    miss = np.isnan(a)
    if not miss.any():
        return a
    if fill == "error":
        idx = np.flatnonzero(miss)
        first = ", ".join(str(i) for i in idx[:5])
        raise DataFormatError(f"{source}: {what}: covers {HOURS - len(idx)} of the {HOURS} hours of {year} "
                              f"({len(idx)} missing; first missing hours: {first}). Give a full year, or pass "
                              "fill='hour_of_day' to fill them from the mean of the same hour of day")
    hod = np.arange(HOURS) % 24
    means = np.array([np.nanmean(a[hod == k]) if (~np.isnan(a[hod == k])).any() else np.nan for k in range(24)])
    if np.isnan(means).any():
        raise DataFormatError(f"{source}: {what}: hours of day {list(np.flatnonzero(np.isnan(means)))} have no "
                              "value at all; cannot fill by hour of day")
    a[miss] = means[hod[miss]]
    return a


def profile_rows(values: np.ndarray, profile: str, *, zone: str | None = None, site: str | None = None,
                 ) -> pd.DataFrame:
    """Long profile rows (``zone`` or ``site``, ``profile``, ``hour``, ``value``) for 8760 values."""
    if zone is not None and site is not None:
        raise ValueError("give a zone or a site, not both")
    values = np.asarray(values, dtype=float)
    if len(values) != HOURS:
        raise ValueError(f"a profile needs {HOURS} values, got {len(values)}")
    owner = "site" if site is not None else "zone"
    return pd.DataFrame({owner: [site if site is not None else zone] * HOURS, "profile": profile,
                         "hour": np.arange(HOURS, dtype=np.int64), "value": values})


def read_text_lines(path, n: int | None = None) -> list[str]:
    """The first ``n`` lines of a text file (all when ``n`` is None); ``.gz`` is read transparently.

    A UTF-8 byte-order mark is dropped.
    """
    p = Path(path)
    if not p.is_file():
        raise DataFormatError(f"{p}: no such file")
    opener = gzip.open if p.suffix == ".gz" else open
    out = []
    try:
        with opener(p, "rt", encoding="utf-8-sig", newline="") as f:
            for i, line in enumerate(f):
                if n is not None and i >= n:
                    break
                out.append(line.rstrip("\r\n"))
    except UnicodeDecodeError as e:
        raise DataFormatError(f"{p.name}: not UTF-8 text (byte {e.start}); is it a spreadsheet or a zip?") from None
    except (OSError, EOFError) as e:
        raise DataFormatError(f"{p.name}: cannot be read: {e}") from None
    return out


def split_csv_line(line: str) -> list[str]:
    """Cells of one CSV line, stripped of blanks."""
    row = next(csv.reader(io.StringIO(line)), [])
    return [c.strip() for c in row]


def find_header_line(lines: Iterable[str], required: Iterable[str], *, max_lines: int = 50) -> int | None:
    """Index of the first line (within ``max_lines``) whose cells include every ``required`` name."""
    req = set(required)
    for i, line in enumerate(lines):
        if i >= max_lines:
            break
        if req <= set(split_csv_line(line)):
            return i
    return None


def parse_number(series: pd.Series) -> pd.Series:
    """Numbers written with thousands separators (``"1,000"``), blanks or stray spaces -> float (NaN if blank)."""
    s = series.astype("string").str.replace(",", "", regex=False).str.strip()
    s = s.where(s != "", None)
    return pd.to_numeric(s, errors="coerce").astype(float)


def warn(msg: str, category=DataWarning) -> None:
    warnings.warn(msg, category, stacklevel=3)
