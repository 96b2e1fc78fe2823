"""The map of candidate and chosen sites (plain longitude/latitude, no basemap: draws offline)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from ._common import _years


def _nice(v: float) -> float:
    if v <= 0:
        return 0.0
    e = 10 ** math.floor(math.log10(v))
    return max(m * e for m in (1, 2, 2.5, 5, 10) if m * e <= v)


def plot_map(res, zones=None, label_sites: int = 30) -> Figure:
    """Candidate and chosen sites on a plain longitude/latitude frame (no basemap, draws offline).

    Chosen sites are filled markers, their area by IT MW (largest over the years) and their
    colour by the first year in service; sites not chosen are hollow grey circles.

    Parameters
    ----------
    zones : optional GeoDataFrame of zone polygons (any CRS; a ``zone`` column names them),
        drawn as outlines under the sites.
    label_sites : name every site when there are at most this many, else only chosen sites.
    """
    g = res.sites_geo()
    years = _years(res)
    fig = Figure(figsize=(9.0, 6.0), layout="constrained")
    ax = fig.subplots()
    handles = []
    bounds = [g.total_bounds] if len(g) else []
    if zones is not None and len(zones):
        z = zones if zones.crs is None or zones.crs.equals("EPSG:4326") else zones.to_crs("EPSG:4326")
        z.plot(ax=ax, facecolor="#f3f1ea", edgecolor="#8a8a8a", linewidth=0.9)
        if "zone" in z.columns:
            for name, pt in zip(z["zone"], z.geometry.representative_point(), strict=True):
                ax.annotate(str(name), (pt.x, pt.y), ha="center", va="center", fontsize=9, color="#6a6a6a",
                            fontstyle="italic")
        bounds.append(z.total_bounds)
        handles.append(Patch(facecolor="#f3f1ea", edgecolor="#8a8a8a", label="zone"))
    chosen = g[g["chosen"]]
    other = g[~g["chosen"]]
    if len(other):
        other.plot(ax=ax, marker="o", markersize=40, facecolor="none", edgecolor="#7f7f7f", linewidth=1.2)
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
                    edgecolor="black", linewidth=0.7, alpha=0.9, zorder=3)
        for y in first_years:
            handles.append(Line2D([], [], marker="o", linestyle="none", markersize=8, markerfacecolor=ycol[y],
                                  markeredgecolor="black", label=f"in service from {y}"))
        refs = sorted({_nice(it_max), _nice(it_max / 4)} - {0.0}, reverse=True)
        for r in refs:
            handles.append(Line2D([], [], marker="o", linestyle="none", markersize=math.sqrt(size(r)),
                                  markerfacecolor="#d9d9d9", markeredgecolor="black", label=f"{r:,.0f} MW IT"))
    labelled = g if len(g) <= label_sites else g[g["chosen"]]
    _label_sites(ax, labelled, size, bounds)
    if bounds:
        b = np.array(bounds)
        x0, y0, x1, y1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
        px, py = max(0.5, 0.1 * (x1 - x0)), max(0.5, 0.1 * (y1 - y0))
        ax.set_xlim(x0 - px, x1 + px)
        ax.set_ylim(y0 - py, y1 + py)
        aspect = 1.0 / math.cos(math.radians(min(80.0, abs((y0 + y1) / 2))))
        ax.set_aspect(aspect)
        # size the figure to the map's shape: 7 inches of map across, legend on the right
        ratio = (y1 - y0 + 2 * py) * aspect / (x1 - x0 + 2 * px)
        fig.set_size_inches(9.5, min(9.0, max(3.5, 7.0 * ratio + 1.2)))
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
              labelspacing=1.5, borderpad=0.8, handletextpad=1.2)
    return fig


def _label_sites(ax, g, size, bounds) -> None:
    """Name each site beside its marker, on the side away from its nearest neighbour when that is close."""
    if not len(g) or not bounds:
        return
    b = np.array(bounds)
    # a label is about a sixth of the map wide and a twentieth high: neighbours within that box crowd it
    wx = 0.16 * max(b[:, 2].max() - b[:, 0].min(), 1.0)
    wy = 0.06 * max(b[:, 3].max() - b[:, 1].min(), 1.0)
    xs, ys = g.geometry.x.to_numpy(), g.geometry.y.to_numpy()
    for i in range(len(g)):
        row = g.iloc[i]
        x, y, ch = xs[i], ys[i], bool(row["chosen"])
        r = math.sqrt(size(float(row["it_mw"])) if ch else 40.0) / 2.0  # marker radius, points
        dist = np.hypot((xs - x) / wx, (ys - y) / wy)
        dist[i] = np.inf
        sx, sy = 1.0, 1.0
        if len(g) > 1 and dist.min() < 1.0:
            j = int(np.argmin(dist))
            sx = -1.0 if xs[j] > x else 1.0
            sy = -1.0 if ys[j] > y else 1.0
        off = r * 0.75 + 3
        ax.annotate(str(row["site"]), (x, y), xytext=(sx * off, sy * off + (0 if sy > 0 else -4)),
                    textcoords="offset points", ha="left" if sx > 0 else "right", fontsize=8,
                    color="black" if ch else "#6a6a6a")


def _deg(v: float, pos: str, neg: str) -> str:
    v = round(float(v), 6)
    return f"{abs(v):g}°{pos if v > 0 else neg if v < 0 else ''}"


def _year_colours(years) -> dict:
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps["viridis"]
    n = max(len(years) - 1, 1)
    return {int(y): to_hex(cmap(0.05 + 0.85 * i / n)) for i, y in enumerate(years)}
