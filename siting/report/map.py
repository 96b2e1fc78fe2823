"""The map of candidate and chosen sites over US state boundaries (a layer shipped with the package:
it draws offline), zones shaded, names placed clear of each other."""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from ._common import _TAB, _years
from ._labels import place_labels

#: the US states layer (siting/geodata/README.md: Census cartographic boundaries, public domain)
STATES_FILE = Path(__file__).resolve().parent.parent / "geodata" / "us_states.geojson"
STATE_FACE, STATE_EDGE = "#f4f3ef", "#b5b5b5"
#: the smallest view, degrees of longitude and latitude
MIN_SPAN = (10.0, 6.0)
#: state codes are written on maps narrower than this (degrees of longitude)
STATE_CODES_BELOW = 25.0


@functools.lru_cache(maxsize=1)
def _states_cached():
    import geopandas as gpd

    return gpd.read_file(STATES_FILE)


def us_states():
    """The US states layer (GeoDataFrame, EPSG:4326; columns ``state``, ``name``), or None when absent."""
    if not STATES_FILE.is_file():
        return None
    return _states_cached().copy()


def zone_colours(zones) -> dict:
    """A colour per zone, in the order given (the same on the static and the interactive map)."""
    return {z: _TAB[(i + 3) % len(_TAB)] for i, z in enumerate(dict.fromkeys(zones))}


def tint(colour: str, share: float = 0.3) -> str:
    """``colour`` mixed with the plain state face: ``share`` of it (a light, opaque shade)."""
    from matplotlib.colors import to_hex, to_rgb

    a, b = np.array(to_rgb(colour)), np.array(to_rgb(STATE_FACE))
    return to_hex(share * a + (1.0 - share) * b)


def zone_states(g, states) -> pd.Series:
    """The zone shading each state: the zone of most candidate sites in it (ties: the first in site order)."""
    import geopandas as gpd

    if states is None or not len(g):
        return pd.Series(dtype=object)
    j = gpd.sjoin(g[["site", "zone", "geometry"]], states[["state", "geometry"]], how="inner", predicate="within")
    if not len(j):
        return pd.Series(dtype=object)
    order = {z: i for i, z in enumerate(dict.fromkeys(g["zone"]))}
    n = j.groupby(["state", "zone"]).size().rename("n").reset_index()
    n["order"] = n["zone"].map(order)
    n = n.sort_values(["state", "n", "order"], ascending=[True, False, True])
    return n.drop_duplicates("state").set_index("state")["zone"]


def view_bounds(g, zones=None) -> tuple[float, float, float, float] | None:
    """(lon0, lat0, lon1, lat1) the map shows: the sites (and zones) with a margin of 12 % (at least 1.5° across
    and 2° up and down), at least 10° wide and 6° high, so a region keeps its neighbours around it."""
    b = [np.asarray(g.total_bounds)] if len(g) else []
    if zones is not None and len(zones):
        b.append(np.asarray(zones.total_bounds))
    if not b:
        return None
    b = np.array(b)
    x0, y0, x1, y1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
    px, py = max(1.5, 0.12 * (x1 - x0)), max(2.0, 0.12 * (y1 - y0))
    px += max(0.0, (MIN_SPAN[0] - (x1 - x0 + 2 * px)) / 2)
    py += max(0.0, (MIN_SPAN[1] - (y1 - y0 + 2 * py)) / 2)
    return x0 - px, y0 - py, x1 + px, y1 + py


def _nice(v: float) -> float:
    if v <= 0:
        return 0.0
    e = 10 ** math.floor(math.log10(v))
    return max(m * e for m in (1, 2, 2.5, 5, 10) if m * e <= v)


def plot_map(res, zones=None, label_sites: int = 30) -> Figure:
    """Candidate and chosen sites over the US states, zones shaded, every name readable.

    Chosen sites are filled markers, their area by IT MW (largest over the years) and their
    colour by the first year in service; sites not chosen are hollow grey circles. States are
    shaded by the zone of the sites in them; zone polygons, when given, are shaded instead.
    Names are placed clear of each other and of the markers, with a leader line when moved out.

    Parameters
    ----------
    zones : optional GeoDataFrame of zone polygons (any CRS; a ``zone`` column names them).
    label_sites : name every site when there are at most this many, else only chosen sites.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    g = res.sites_geo()
    years = _years(res)
    fig = Figure(figsize=(9.5, 6.0), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    handles = []
    z = None
    if zones is not None and len(zones):
        z = zones if zones.crs is None or zones.crs.equals("EPSG:4326") else zones.to_crs("EPSG:4326")
    bounds = view_bounds(g, z)
    states = us_states()
    zcol = zone_colours(list(g["zone"]) + (list(z["zone"]) if z is not None and "zone" in z else []))
    zone_names: dict = {}
    if states is not None:
        shade = zone_states(g, states) if z is None else pd.Series(dtype=object)
        face = [tint(zcol[shade[s]]) if s in shade.index else STATE_FACE for s in states["state"]]
        states.plot(ax=ax, facecolor=face, edgecolor=STATE_EDGE, linewidth=0.6, zorder=0)
        if len(shade):
            handles.append(Patch(facecolor=tint(_TAB[3]), edgecolor=STATE_EDGE, label="zone (states with its sites)"))
            zone_names = _zone_anchors(states, shade)
    if z is not None:
        colours = [tint(zcol.get(n, "#cccccc")) for n in z["zone"]] if "zone" in z else "#e0ddd0"
        z.plot(ax=ax, facecolor=colours, edgecolor="#6f6f6f", linewidth=0.9, alpha=0.6, zorder=1)
        if "zone" in z.columns:
            zone_names = {str(n): (pt.x, pt.y) for n, pt in zip(z["zone"], z.geometry.representative_point(),
                                                                  strict=True)}
        handles.append(Patch(facecolor="#e0ddd0", edgecolor="#6f6f6f", label="zone"))
    chosen = g[g["chosen"]]
    other = g[~g["chosen"]]
    if len(other):
        other.plot(ax=ax, marker="o", markersize=40, facecolor="none", edgecolor="#7f7f7f", linewidth=1.2, zorder=3)
        handles.append(Line2D([], [], marker="o", linestyle="none", markersize=7, markerfacecolor="none",
                              markeredgecolor="#7f7f7f", label="candidate, not chosen"))
    it_max = float(chosen["it_mw"].max()) if len(chosen) else 0.0
    size = (lambda mw: 30.0 + 600.0 * mw / it_max) if it_max > 0 else (lambda mw: 30.0 + 0.0 * mw)
    first_years = sorted(int(y) for y in chosen["first_year"].dropna().unique())
    ycol = _year_colours(years)
    if len(chosen):
        chosen = chosen.sort_values("it_mw", ascending=False)
        cols = [ycol.get(int(y), "#4e79a7") if pd.notna(y) else "#4e79a7" for y in chosen["first_year"]]
        chosen.plot(ax=ax, marker="o", markersize=size(chosen["it_mw"].to_numpy(dtype=float)), color=cols,
                    edgecolor="black", linewidth=0.7, alpha=0.9, zorder=4)
        for y in first_years:
            handles.append(Line2D([], [], marker="o", linestyle="none", markersize=8, markerfacecolor=ycol[y],
                                  markeredgecolor="black", label=f"in service from {y}"))
        for r in sorted({_nice(it_max), _nice(it_max / 4)} - {0.0}, reverse=True):
            handles.append(Line2D([], [], marker="o", linestyle="none", markersize=math.sqrt(size(r)),
                                  markerfacecolor="#d9d9d9", markeredgecolor="black", label=f"{r:,.0f} MW IT"))
    if bounds is not None:
        x0, y0, x1, y1 = bounds
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        aspect = 1.0 / math.cos(math.radians(min(80.0, abs((y0 + y1) / 2))))
        ax.set_aspect(aspect)
        ratio = (y1 - y0) * aspect / (x1 - x0)
        fig.set_size_inches(11.0, min(10.0, max(4.0, 8.0 * ratio + 1.2)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _deg(v, "E", "W")))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _deg(v, "N", "S")))
    ax.set_xlabel("longitude (degrees, WGS84)")
    ax.set_ylabel("latitude (degrees, WGS84)")
    n_ch = int(g["chosen"].sum())
    ax.set_title(f"Sites: {n_ch} of {len(g)} candidates chosen (marker area: IT MW; colour: first year)")
    ax.grid(color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    if not handles:
        handles = [Patch(facecolor="none", edgecolor="none", label="(no sites)")]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False,
              labelspacing=1.3, borderpad=0.8, handletextpad=1.2)
    codes = (state_codes(states, bounds) if states is not None and bounds is not None
             and bounds[2] - bounds[0] < STATE_CODES_BELOW else {})
    labelled = g if len(g) <= label_sites else g[g["chosen"]]
    _label_sites(fig, ax, g, labelled, size, zone_names, codes)
    return fig


def state_codes(states, bounds) -> dict:
    """USPS code -> a point inside the part of the state in view (states showing at least 2 % of the view)."""
    from shapely.geometry import box

    view = box(*bounds)
    out = {}
    for code, geom in zip(states["state"], states.geometry, strict=True):
        part = geom.intersection(view)
        if part.is_empty or part.area < 0.02 * view.area:
            continue
        pt = part.representative_point()
        out[str(code)] = (pt.x, pt.y)
    return out


def _zone_anchors(states, shade: pd.Series) -> dict:
    """Where each shaded zone's name goes: a point inside the largest of its states."""
    out = {}
    st = states.set_index("state")
    for zone, ss in shade.groupby(shade).groups.items():
        geoms = st.loc[list(ss), "geometry"]
        big = geoms.iloc[int(np.argmax([geom.area for geom in geoms]))]
        pt = big.representative_point()
        out[str(zone)] = (pt.x, pt.y)
    return out


def _label_sites(fig, ax, g, labelled, size, zone_names: dict | None = None, codes: dict | None = None) -> None:
    """Name each labelled site beside its marker, clear of the other names and markers (leader lines when
    moved out), after the zone names (at or near their anchors, clear of the markers). The layout is fixed
    first, so that the names are placed where the figure will draw them."""
    zone_names, codes = zone_names or {}, codes or {}
    if not len(labelled) and not zone_names and not codes:
        return
    fig.canvas.draw()  # constrained layout: the axes' final place
    fig.set_layout_engine("none")
    renderer = fig.canvas.get_renderer()
    pt = fig.dpi / 72.0  # pixels per point
    xs, ys = g.geometry.x.to_numpy(), g.geometry.y.to_numpy()
    xy = ax.transData.transform(np.column_stack([xs, ys]))
    radius = np.array([math.sqrt(size(float(mw)) if ch else 40.0) / 2.0 * pt
                       for mw, ch in zip(g["it_mw"], g["chosen"], strict=True)])
    pos = {s: i for i, s in enumerate(g["site"])}
    # priority: chosen sites by IT load, then the others in site order
    lab = labelled.assign(_k=labelled["chosen"].astype(int) * labelled["it_mw"].fillna(0.0))
    lab = lab.sort_values(["chosen", "_k"], ascending=[False, False], kind="stable")
    sizes = {}
    for site in lab["site"]:
        t = ax.text(0, 0, str(site), fontsize=8)
        bb = t.get_window_extent(renderer)
        t.remove()
        sizes[pos[site]] = (bb.width + 2 * pt, bb.height + pt)
    frame = ax.get_window_extent(renderer)
    frame = (frame.x0, frame.y0, frame.x1, frame.y1)
    fixed = [tuple(t.get_window_extent(renderer).extents) for t in ax.texts]
    fixed += _area_labels(ax, renderer, codes, {"fontsize": 8, "color": "#9a9a9a", "zorder": 1}, xy, radius, frame,
                          pt, fixed)
    fixed += _area_labels(ax, renderer, zone_names, {"fontsize": 9, "color": "#555555", "fontstyle": "italic",
                                                     "zorder": 2}, xy, radius, frame, pt, fixed)
    chosen = dict(zip(g["site"], g["chosen"], strict=True))
    for p in place_labels(xy, radius, sizes, frame, gap=2 * pt, fixed=fixed):
        i = p.index
        site = g["site"].iloc[i]
        arrow = ({"arrowstyle": "-", "color": "#6a6a6a", "linewidth": 0.6, "shrinkA": 0,
                  "shrinkB": radius[i] / pt} if p.leader else None)
        ax.annotate(str(site), (xs[i], ys[i]), xytext=((p.cx - xy[i][0]) / pt, (p.cy - xy[i][1]) / pt),
                    textcoords="offset points", ha="center", va="center", fontsize=8,
                    color="black" if chosen[site] else "#5a5a5a", zorder=6, arrowprops=arrow)


def _area_labels(ax, renderer, anchors: dict, style: dict, xy, radius, frame, pt, fixed=()) -> list:
    """Write names of areas (zones, states) at or near their anchors (lon, lat), clear of the site markers and
    of the boxes ``fixed``; returns their boxes (pixels)."""
    if not anchors:
        return []
    names = list(anchors)
    anchors = ax.transData.transform(np.array([anchors[n] for n in names], dtype=float))
    allxy = np.vstack([anchors, xy]) if len(xy) else anchors
    allr = np.r_[np.zeros(len(names)), radius]
    sizes = {}
    for i, n in enumerate(names):
        t = ax.text(0, 0, n, **style)
        bb = t.get_window_extent(renderer)
        t.remove()
        sizes[i] = (bb.width + 2 * pt, bb.height + pt)
    boxes = []
    for p in place_labels(allxy, allr, sizes, frame, gap=0.0, rings=(0.0, 0.5, 1.5), centred=True, fixed=fixed):
        x, y = ax.transData.inverted().transform((p.cx, p.cy))
        ax.text(x, y, names[p.index], ha="center", va="center", **style)
        boxes.append(p.box)
    return boxes


def _deg(v: float, pos: str, neg: str) -> str:
    v = round(float(v), 6)
    return f"{abs(v):g}°{pos if v > 0 else neg if v < 0 else ''}"


def _year_colours(years) -> dict:
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps["viridis"]
    n = max(len(years) - 1, 1)
    return {int(y): to_hex(cmap(0.05 + 0.85 * i / n)) for i, y in enumerate(years)}
