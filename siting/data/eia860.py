"""EIA-860 (annual) and EIA-860M (monthly) generator workbooks: existing plants near candidate sites.

EIA-860 ships ``2___Plant_Y{YYYY}.xlsx`` (sheet ``Plant``: ``Plant Code``, ``Plant Name``,
``State``, ``Latitude``, ``Longitude``, ``Balancing Authority Code`` ...) and
``3_1_Generator_Y{YYYY}.xlsx`` (sheets ``Operable``, ``Proposed``, ``Retired and
Canceled``: ``Plant Code``, ``Generator ID``, ``Technology``, ``Nameplate Capacity (MW)``,
``Summer Capacity (MW)``, ``Status``, ``Energy Source 1`` ...), each with a title row above
the header; latitude and longitude are only in the plant file (joined on ``Plant Code``).
EIA-860M has them in one sheet (``Plant ID``, ``Latitude``, ``Longitude``, ``Nameplate
Capacity (MW)``, ``Net Summer Capacity (MW)``, ``Energy Source Code`` ...) under one or
two title rows. Header rows are found by their content. Reading ``.xlsx`` needs
**openpyxl** (``pip install "siting[data]"``).

The result is for reporting (what already runs near each site), not a model input.
Distances are geodesic on WGS84 (see :mod:`siting.data.geo`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .._extras import require
from ._common import DataFormatError, source_name
from .geo import geodesic_km, read_sites

__all__ = ["read_eia860", "plants_near", "capacity_near"]

# tidy name -> accepted headers (EIA-860 first, then EIA-860M)
COLUMNS = {
    "plant_code": ("Plant Code", "Plant ID"),
    "plant_name": ("Plant Name",),
    "state": ("State", "Plant State"),
    "balancing_authority": ("Balancing Authority Code",),
    "generator_id": ("Generator ID",),
    "technology": ("Technology",),
    "energy_source": ("Energy Source 1", "Energy Source Code"),
    "nameplate_mw": ("Nameplate Capacity (MW)",),
    "summer_mw": ("Summer Capacity (MW)", "Net Summer Capacity (MW)"),
    "status": ("Status",),
    "operating_year": ("Operating Year",),
    "lat": ("Latitude",),
    "lon": ("Longitude",),
}


def _open_sheet(path, sheet: str | None, header_has: tuple[str, ...], prefer: tuple[str, ...],
                ) -> tuple[pd.DataFrame, str]:
    name = source_name(path)
    p = Path(path)
    if not p.is_file():
        raise DataFormatError(f"{p}: no such file")
    require("openpyxl", "data", "reading EIA-860 .xlsx workbooks")
    try:
        book = pd.ExcelFile(p, engine="openpyxl")
    except Exception as e:  # zip/xml errors of many kinds
        raise DataFormatError(f"{name}: not an Excel workbook (.xlsx): {' '.join(str(e).split())[:160]}") from None
    with book:
        sheets = book.sheet_names
        if sheet is None:
            sheet = next((s for s in prefer if s in sheets), sheets[0])
        elif sheet not in sheets:
            raise DataFormatError(f"{name}: no sheet '{sheet}' (sheets: {', '.join(sheets)})")
        raw = book.parse(sheet, header=None, dtype=object)
    for i in range(min(10, len(raw))):
        cells = {str(c).strip() for c in raw.iloc[i] if pd.notna(c)}
        if any(h in cells for h in header_has):
            df = raw.iloc[i + 1:].reset_index(drop=True)
            df.columns = [str(c).strip() if pd.notna(c) else f"_{k}" for k, c in enumerate(raw.iloc[i])]
            return df.dropna(how="all"), f"{name}[{sheet}]"
    raise DataFormatError(f"{name}[{sheet}]: not an EIA-860 sheet: no header row with "
                          f"{' or '.join(repr(h) for h in header_has)} in the first 10 rows")


def _tidy(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    for k, alts in COLUMNS.items():
        col = next((a for a in alts if a in df.columns), None)
        if col is not None:
            out[k] = df[col]
    return out


def read_eia860(generators, plants=None, *, sheet: str | None = None, statuses: tuple[str, ...] | None = None,
                ) -> pd.DataFrame:
    """Generators with their plant's location, from EIA-860 (generator + plant workbooks) or EIA-860M.

    Parameters
    ----------
    generators : ``3_1_Generator_Y{YYYY}.xlsx`` (EIA-860) or an EIA-860M workbook.
    plants : ``2___Plant_Y{YYYY}.xlsx``; needed when the generator sheet has no latitude.
    sheet : generator sheet (default ``Operable`` for EIA-860, ``Operating`` for EIA-860M).
    statuses : keep only these ``Status`` codes (e.g. ``("OP", "SB")``); None keeps all.

    Returns
    -------
    DataFrame ``plant_code, plant_name, state, balancing_authority, generator_id,
    technology, energy_source, nameplate_mw, summer_mw, status, operating_year, lat, lon``
    (columns the edition lacks are absent).
    """
    g, gname = _open_sheet(generators, sheet, ("Generator ID",), ("Operable", "Operating"))
    gen = _tidy(g)
    if "plant_code" not in gen.columns:
        raise DataFormatError(f"{gname}: no 'Plant Code' (or 'Plant ID') column")
    if "nameplate_mw" not in gen.columns:
        raise DataFormatError(f"{gname}: not a generator sheet: no 'Nameplate Capacity (MW)' column "
                              "(is this the plant file?)")
    gen["plant_code"] = pd.to_numeric(gen["plant_code"], errors="coerce")
    gen = gen[gen["plant_code"].notna()]
    if "lat" not in gen.columns or "lon" not in gen.columns:
        if plants is None:
            raise DataFormatError(f"{gname}: has no Latitude/Longitude; pass the plant workbook "
                                  "(2___Plant_Y{YYYY}.xlsx) as plants=")
        pl, pname = _open_sheet(plants, None, ("Plant Code",), ("Plant",))
        pt = _tidy(pl)
        miss = [c for c in ("plant_code", "lat", "lon") if c not in pt.columns]
        if miss:
            raise DataFormatError(f"{pname}: not an EIA-860 plant sheet: missing "
                                  + ", ".join({"plant_code": "'Plant Code'", "lat": "'Latitude'",
                                               "lon": "'Longitude'"}[m] for m in miss))
        pt["plant_code"] = pd.to_numeric(pt["plant_code"], errors="coerce")
        keep = [c for c in ("plant_code", "plant_name", "state", "balancing_authority", "lat", "lon")
                if c in pt.columns]
        gen = gen.drop(columns=[c for c in keep if c != "plant_code" and c in gen.columns])
        gen = gen.merge(pt[keep].drop_duplicates("plant_code"), on="plant_code", how="left")
    for c in ("nameplate_mw", "summer_mw", "lat", "lon", "operating_year"):
        if c in gen.columns:
            gen[c] = pd.to_numeric(gen[c].astype(str).str.replace(",", "", regex=False).str.strip(),
                                   errors="coerce")
    gen["plant_code"] = gen["plant_code"].astype("int64")
    if "status" in gen.columns:  # EIA-860M writes "(OP) Operating": keep the code
        st = gen["status"].astype(str).str.strip()
        gen["status"] = st.str.extract(r"^\((\w+)\)", expand=False).fillna(st)
        if statuses is not None:
            gen = gen[gen["status"].isin(statuses)]
    return gen.reset_index(drop=True)


def plants_near(sites, generators: pd.DataFrame, *, radius_km: float = 50.0) -> pd.DataFrame:
    """Existing plants within ``radius_km`` of each site, one row per site, plant and energy source.

    ``generators`` is the output of :func:`read_eia860`. Returns ``site, plant_code,
    plant_name, state, balancing_authority, energy_source, technology, generators,
    nameplate_mw, summer_mw, distance_km``, nearest first within each site.
    """
    s = sites if hasattr(sites, "geometry") and "site" in getattr(sites, "columns", []) else read_sites(sites)
    gen = generators[generators["lat"].notna() & generators["lon"].notna()]
    plants = gen.drop_duplicates("plant_code")[["plant_code", "lat", "lon"]]
    rows = []
    for site in s.itertuples():
        d = geodesic_km(site.lon, site.lat, plants["lon"].to_numpy(), plants["lat"].to_numpy())
        near = plants.assign(distance_km=d)[d <= radius_km]
        if near.empty:
            continue
        g = gen.merge(near[["plant_code", "distance_km"]], on="plant_code")
        keys = [c for c in ("plant_code", "plant_name", "state", "balancing_authority", "energy_source")
                if c in g.columns]
        agg = {"nameplate_mw": "sum", "distance_km": "first"}
        if "summer_mw" in g.columns:
            agg["summer_mw"] = "sum"
        if "technology" in g.columns:
            agg["technology"] = lambda x: "; ".join(sorted(set(map(str, x))))
        gen_col = "generator_id" if "generator_id" in g.columns else "plant_code"
        agg[gen_col] = "count"
        a = g.groupby(keys, dropna=False).agg(agg).reset_index().rename(columns={gen_col: "generators"})
        a.insert(0, "site", site.site)
        rows.append(a)
    cols = ["site", "plant_code", "plant_name", "state", "balancing_authority", "energy_source", "technology",
            "generators", "nameplate_mw", "summer_mw", "distance_km"]
    if not rows:
        return pd.DataFrame(columns=cols)
    out = pd.concat(rows, ignore_index=True)
    out = out[[c for c in cols if c in out.columns]]
    return out.sort_values(["site", "distance_km", "plant_code"]).reset_index(drop=True)


def capacity_near(sites, generators: pd.DataFrame, *, radius_km: float = 50.0) -> pd.DataFrame:
    """Nameplate capacity by energy source within ``radius_km`` of each site: ``site, energy_source,
    plants, nameplate_mw, nearest_km``."""
    near = plants_near(sites, generators, radius_km=radius_km)
    if near.empty:
        return pd.DataFrame(columns=["site", "energy_source", "plants", "nameplate_mw", "nearest_km"])
    key = "energy_source" if "energy_source" in near.columns else "technology"
    out = (near.groupby(["site", key], dropna=False)
           .agg(plants=("plant_code", "nunique"), nameplate_mw=("nameplate_mw", "sum"),
                nearest_km=("distance_km", "min"))
           .reset_index())
    return out.sort_values(["site", "nameplate_mw"], ascending=[True, False]).reset_index(drop=True)
