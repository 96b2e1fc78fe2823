"""Candidate sites, zones, substations and lines: spatial joins, distances and interconnection cost.

Distances
---------
Every distance is **geodesic on the WGS84 ellipsoid** (pyproj ``Geod``, Karney's
algorithm), in km. Point-to-point (site to substation, site to plant) uses it directly.
Point-to-line and point-to-polygon distances are measured in an azimuthal equidistant
projection centred on the site, which keeps every distance *from the centre* true, so
the nearest point found there is the geodesically nearest one.

Interconnection cost rule
-------------------------
``interconnect_usd = usd_per_mw_km x route_factor x distance_km x grid_mw``: a new line
from the site to the nearest substation at or above ``min_kv``, paid per MW of the
site's grid connection and per km of route. The route is the straight (geodesic) line
times ``route_factor`` = 1.3 (MISO's planning-level estimates start from "straight line
plus 30 %"; RTO Insider on MISO's transmission cost estimation guide). The default
``usd_per_mw_km`` = 695.8 $/MW-km is a new 345 kV single-circuit line: 1,343,800 $/mile
(Black & Veatch for WECC, 2014, Table 2-1, 2014 dollars, lines over 10 miles) / 1.609344
km/mile / 1,200 MW (3 x its 400 MW surge impedance loading, the short-line end of the
St. Clair curve); docs/sources.md. The builder adds the cost to ``site_capex_usd``.
For a cost by voltage class (the cheapest 230 / 345 / 500 kV line for the site's import,
with short-line multipliers, restated to the instance's dollar year, and a lead time
growing with the distance), pass the distance to the model instead:
``InstanceBuilder.add_substations(..., spur_line=True)`` writes sites.csv
``substation_km`` and ``substation_kv`` (:func:`siting.attributes.spur_line`,
docs/formulation.md section 15.2).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..attributes import SPUR_ROUTE_FACTOR
from ._common import DataFormatError, source_name

__all__ = ["read_sites", "read_vector", "assign_zones", "nearest_substations", "nearest_lines",
           "geodesic_km", "interconnection_cost_usd", "USD_PER_MW_KM", "ROUTE_FACTOR"]

#: default interconnection cost per MW of connection per km of route: a new 345 kV single circuit, 2014 dollars
#: (Black & Veatch 2014 Table 2-1: 1,343,800 $/mile over a 1,200 MW rating; see the module doc)
USD_PER_MW_KM = round(1_343_800.0 / 1.609344 / 1_200.0, 1)
#: route length / straight-line length (MISO planning estimates: straight line + 30 %)
ROUTE_FACTOR = SPUR_ROUTE_FACTOR
UNKNOWN_KV = -999999


def _geod():
    from pyproj import Geod

    return Geod(ellps="WGS84")


def geodesic_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Geodesic distance on the WGS84 ellipsoid in km (arrays broadcast)."""
    a, b, c, d = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (lon1, lat1, lon2, lat2)))
    _, _, m = _geod().inv(a.ravel(), b.ravel(), c.ravel(), d.ravel())
    return np.asarray(m).reshape(a.shape) / 1000.0


def interconnection_cost_usd(distance_km, grid_mw, usd_per_mw_km: float = USD_PER_MW_KM,
                             route_factor: float = ROUTE_FACTOR):
    """``usd_per_mw_km x route_factor x distance_km x grid_mw`` (see module doc)."""
    return usd_per_mw_km * route_factor * np.asarray(distance_km, dtype=float) * np.asarray(grid_mw, dtype=float)


def read_vector(src, what: str = "vector file"):
    """A GeoDataFrame in WGS84 from a path (GeoJSON, Shapefile, GeoPackage, ...) or a GeoDataFrame."""
    import geopandas as gpd

    if isinstance(src, gpd.GeoDataFrame):
        g = src.copy()
        name = "<GeoDataFrame>"
    else:
        p = Path(src)
        name = p.name
        if not p.exists():
            raise DataFormatError(f"{p}: no such file")
        try:
            g = gpd.read_file(p)
        except Exception as e:  # GDAL reports many kinds of failure; name the file and stop
            raise DataFormatError(f"{name}: cannot be read as a {what}: {' '.join(str(e).split())[:200]}") from None
    if not isinstance(g, gpd.GeoDataFrame) or "geometry" not in g.columns:
        raise DataFormatError(f"{name}: cannot be read as a {what}: it has no geometry")
    if g.crs is None:
        g = g.set_crs("EPSG:4326")
    elif not g.crs.equals("EPSG:4326"):
        g = g.to_crs("EPSG:4326")
    g.attrs["source"] = name
    return g


def read_sites(src, *, site_column: str = "site"):
    """Candidate sites as a GeoDataFrame of points in WGS84 with ``site``, ``lat`` and ``lon`` columns.

    ``src`` is a vector file, a GeoDataFrame, a CSV path or a DataFrame with ``lat``/``lon``.
    """
    import geopandas as gpd

    if isinstance(src, pd.DataFrame) and not isinstance(src, gpd.GeoDataFrame):
        df = src.copy()
        name = "<DataFrame>"
        g = None
    elif isinstance(src, (str, Path)) and Path(src).suffix.lower() == ".csv":
        name = Path(src).name
        if not Path(src).is_file():
            raise DataFormatError(f"{src}: no such file")
        df = pd.read_csv(src, encoding="utf-8-sig")
        g = None
    else:
        g = read_vector(src, "sites vector file")
        name = g.attrs.get("source", "<GeoDataFrame>")
    if g is None:
        df.columns = [str(c).strip() for c in df.columns]
        miss = [c for c in ("lat", "lon") if c not in df.columns]
        if miss:
            raise DataFormatError(f"{name}: sites need columns 'lat' and 'lon' (missing {', '.join(miss)})")
        g = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"].astype(float), df["lat"].astype(float)),
                             crs="EPSG:4326")
    types = set(g.geometry.geom_type.dropna())
    if types - {"Point"}:
        raise DataFormatError(f"{name}: sites must be points (found {', '.join(sorted(types))})")
    if site_column not in g.columns:
        raise DataFormatError(f"{name}: no site id column '{site_column}' (columns: "
                              f"{', '.join(c for c in g.columns if c != 'geometry')}); pass site_column=")
    g = g.rename(columns={site_column: "site"}) if site_column != "site" else g
    g["site"] = g["site"].astype(str).str.strip()
    dup = g["site"][g["site"].duplicated()]
    if len(dup):
        raise DataFormatError(f"{name}: duplicate site id(s) {', '.join(sorted(set(dup)))}")
    g["lon"] = g.geometry.x
    g["lat"] = g.geometry.y
    g.attrs["source"] = name
    return g.reset_index(drop=True)


def _aeqd(lon: float, lat: float):
    from pyproj import CRS

    return CRS.from_dict({"proj": "aeqd", "lat_0": float(lat), "lon_0": float(lon), "datum": "WGS84",
                          "units": "m"})


def _nearest_geometry_km(site_lon: float, site_lat: float, geoms) -> np.ndarray:
    """Distance (km) from a site to each geometry, measured in a site-centred equidistant projection."""
    from shapely.geometry import Point

    proj = geoms.to_crs(_aeqd(site_lon, site_lat))
    return proj.distance(Point(0.0, 0.0)).to_numpy() / 1000.0


def assign_zones(sites, zones, *, zone_column: str = "zone", nearest: bool = False) -> pd.DataFrame:
    """Zone of each site: the polygon containing it, or the nearest zone point.

    Parameters
    ----------
    sites : output of :func:`read_sites`.
    zones : vector file or GeoDataFrame of zone polygons (or points) with ``zone_column``.
    nearest : for polygons, give a site outside every polygon the nearest one instead of
        raising. Zone *points* always use the nearest point.

    Returns
    -------
    DataFrame ``site, zone, zone_distance_km`` (0 inside a polygon).
    """
    z = read_vector(zones, "zones vector file")
    name = z.attrs.get("source", "<GeoDataFrame>")
    if zone_column not in z.columns:
        raise DataFormatError(f"{name}: no zone id column '{zone_column}' (columns: "
                              f"{', '.join(c for c in z.columns if c != 'geometry')}); pass zone_column=")
    z = z[[zone_column, "geometry"]].rename(columns={zone_column: "zone"}).reset_index(drop=True)
    z["zone"] = z["zone"].astype(str).str.strip()
    types = set(z.geometry.geom_type.dropna())
    out = []
    if types <= {"Point"}:
        for s in sites.itertuples():
            d = geodesic_km(s.lon, s.lat, z.geometry.x.to_numpy(), z.geometry.y.to_numpy())
            i = int(np.argmin(d))
            out.append((s.site, z["zone"].iloc[i], float(d[i])))
        return pd.DataFrame(out, columns=["site", "zone", "zone_distance_km"])
    if not types <= {"Polygon", "MultiPolygon"}:
        raise DataFormatError(f"{name}: zones must be all polygons or all points (found {', '.join(sorted(types))})")
    problems = []
    for s in sites.itertuples():
        inside = z[z.geometry.covers(s.geometry)]
        if len(inside) > 1:
            problems.append(f"{name}: site {s.site} ({s.lat:.4f}, {s.lon:.4f}) lies in several zones: "
                            + ", ".join(inside["zone"]))
        elif len(inside) == 1:
            out.append((s.site, inside["zone"].iloc[0], 0.0))
        elif nearest:
            d = _nearest_geometry_km(s.lon, s.lat, z.geometry)
            i = int(np.argmin(d))
            out.append((s.site, z["zone"].iloc[i], float(d[i])))
        else:
            problems.append(f"{name}: site {s.site} ({s.lat:.4f}, {s.lon:.4f}) lies in no zone polygon; fix the "
                            "polygons or pass nearest=True")
    if problems:
        raise DataFormatError(problems)
    return pd.DataFrame(out, columns=["site", "zone", "zone_distance_km"])


def _voltage(g, col: str, name: str) -> np.ndarray:
    if col not in g.columns:
        volt = [c for c in g.columns if "VOLT" in str(c).upper()]
        raise DataFormatError(f"{name}: no voltage column '{col}' (voltage-like columns: {', '.join(volt) or 'none'}); "
                              "pass voltage_column=")
    v = np.array(pd.to_numeric(g[col], errors="coerce"), dtype=float)
    v[v <= UNKNOWN_KV + 1] = np.nan  # HIFLD writes -999999 for unknown
    v[v < 0] = np.nan
    return v


def nearest_substations(sites, substations, *, min_kv: float = 0.0, voltage_column: str = "MAX_VOLT",
                        statuses: tuple[str, ...] | None = ("IN SERVICE",), grid_mw=None,
                        usd_per_mw_km: float = USD_PER_MW_KM, route_factor: float = ROUTE_FACTOR) -> pd.DataFrame:
    """Nearest substation at or above ``min_kv`` for each site, and the interconnection cost from it.

    Parameters
    ----------
    sites : output of :func:`read_sites` (or anything it reads).
    substations : HIFLD-style point file or GeoDataFrame (``MAX_VOLT`` in kV, -999999 =
        unknown; unknown voltages count only when ``min_kv`` is 0). Points may also come as
        ``LATITUDE``/``LONGITUDE`` attributes when the geometry is empty.
    statuses : keep only these ``STATUS`` values when the column exists (None: keep all).
    grid_mw : MW of grid connection per site (a number, a mapping site -> MW, or a column
        of ``sites``); default ``sites['grid_mw']`` if present, else the cost is per MW.

    Returns
    -------
    DataFrame ``site, substation_id, substation_name, max_kv, distance_km, route_km,
    interconnect_usd_per_mw, grid_mw, interconnect_usd`` (see the module doc for the rule).
    """
    s = sites if hasattr(sites, "geometry") and "site" in getattr(sites, "columns", []) else read_sites(sites)
    sub = read_vector(substations, "substations vector file")
    name = sub.attrs.get("source", "<GeoDataFrame>")
    kv = _voltage(sub, voltage_column, name)
    keep = np.ones(len(sub), dtype=bool)
    if statuses is not None and "STATUS" in sub.columns:
        keep &= sub["STATUS"].astype(str).str.upper().isin([x.upper() for x in statuses]).to_numpy()
    if min_kv > 0:
        keep &= np.nan_to_num(kv, nan=-1.0) >= min_kv
    geom = sub.geometry
    is_pt = ((geom.geom_type == "Point") & ~geom.isna() & ~geom.is_empty).to_numpy()
    lon = np.full(len(sub), np.nan)
    lat = np.full(len(sub), np.nan)
    lon[is_pt] = geom[is_pt].x.to_numpy()
    lat[is_pt] = geom[is_pt].y.to_numpy()
    if np.isnan(lon).any() and {"LATITUDE", "LONGITUDE"} <= set(sub.columns):
        lon = np.where(np.isnan(lon), pd.to_numeric(sub["LONGITUDE"], errors="coerce"), lon)
        lat = np.where(np.isnan(lat), pd.to_numeric(sub["LATITUDE"], errors="coerce"), lat)
    keep &= np.isfinite(lon) & np.isfinite(lat)
    if not keep.any():
        raise DataFormatError(f"{name}: no substation at or above {min_kv:g} kV"
                              + (f" with STATUS in {list(statuses)}" if statuses and "STATUS" in sub.columns else ""))
    ids = sub["ID"].astype(str).to_numpy() if "ID" in sub.columns else np.arange(len(sub)).astype(str)
    names = sub["NAME"].astype(str).to_numpy() if "NAME" in sub.columns else np.array([""] * len(sub))
    idx = np.flatnonzero(keep)
    mw = _grid_mw(s, grid_mw)
    rows = []
    for i, site in enumerate(s.itertuples()):
        d = geodesic_km(site.lon, site.lat, lon[idx], lat[idx])
        j = idx[int(np.argmin(d))]
        dist = float(d.min())
        per_mw = float(interconnection_cost_usd(dist, 1.0, usd_per_mw_km, route_factor))
        rows.append({"site": site.site, "substation_id": ids[j], "substation_name": names[j],
                     "max_kv": kv[j], "distance_km": dist, "route_km": dist * route_factor,
                     "interconnect_usd_per_mw": per_mw, "grid_mw": mw[i],
                     "interconnect_usd": per_mw * mw[i] if np.isfinite(mw[i]) else np.nan})
    out = pd.DataFrame(rows)
    out.attrs["notes"] = [f"Substations {name}: nearest at >= {min_kv:g} kV ({voltage_column}), geodesic WGS84 "
                          f"distance; interconnect_usd = {usd_per_mw_km:g} $/MW-km x route factor {route_factor:g} "
                          "x km x grid_mw."]
    return out


def _grid_mw(sites, grid_mw) -> np.ndarray:
    n = len(sites)
    if grid_mw is None:
        if "grid_mw" in sites.columns:
            return pd.to_numeric(sites["grid_mw"], errors="coerce").to_numpy(float)
        return np.full(n, np.nan)
    if isinstance(grid_mw, str):
        return pd.to_numeric(sites[grid_mw], errors="coerce").to_numpy(float)
    if isinstance(grid_mw, dict):
        return np.array([float(grid_mw.get(s, np.nan)) for s in sites["site"]])
    return np.full(n, float(grid_mw))


def nearest_lines(sites, lines, *, min_kv: float = 0.0, voltage_column: str = "VOLTAGE",
                  statuses: tuple[str, ...] | None = ("IN SERVICE",)) -> pd.DataFrame:
    """Nearest transmission line at or above ``min_kv`` for each site (HIFLD-style lines, ``VOLTAGE`` in kV).

    Returns
    -------
    DataFrame ``site, line_id, voltage_kv, distance_km`` (geodesic, see the module doc).
    """
    s = sites if hasattr(sites, "geometry") and "site" in getattr(sites, "columns", []) else read_sites(sites)
    ln = read_vector(lines, "transmission-lines vector file")
    name = ln.attrs.get("source", "<GeoDataFrame>")
    kv = _voltage(ln, voltage_column, name)
    keep = ~(ln.geometry.isna() | ln.geometry.is_empty).to_numpy()
    if statuses is not None and "STATUS" in ln.columns:
        keep &= ln["STATUS"].astype(str).str.upper().isin([x.upper() for x in statuses]).to_numpy()
    if min_kv > 0:
        keep &= np.nan_to_num(kv, nan=-1.0) >= min_kv
    if not keep.any():
        raise DataFormatError(f"{name}: no line at or above {min_kv:g} kV")
    cand = ln[keep]
    kvk = kv[keep]
    ids = cand["ID"].astype(str).to_numpy() if "ID" in cand.columns else np.arange(len(cand)).astype(str)
    rows = []
    for site in s.itertuples():
        d = _nearest_geometry_km(site.lon, site.lat, cand.geometry)
        j = int(np.argmin(d))
        rows.append({"site": site.site, "line_id": ids[j], "voltage_kv": kvk[j], "distance_km": float(d[j])})
    out = pd.DataFrame(rows)
    out.attrs["notes"] = [f"Lines {source_name(lines)}: nearest at >= {min_kv:g} kV ({voltage_column}), geodesic."]
    return out
