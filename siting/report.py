"""Figures, a map and a self-contained HTML report of a solved plan.

Every ``plot_*`` function takes a :class:`~siting.Results` and returns a
:class:`matplotlib.figure.Figure` built without pyplot (no global state, no display
needed). :func:`save_figures` writes them as PNG and SVG; :func:`write_report` writes the
figures and one HTML page that embeds them (base64 PNG) and needs no network to open.

Figures (names used for files and in the report): ``capacity``, ``fleet``, ``costs``,
``dispatch``, ``map``.
"""

from __future__ import annotations

import base64
import html
import io
import logging
import math
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

__all__ = ["FIGURES", "plot_capacity", "plot_fleet", "plot_costs", "plot_dispatch", "plot_map", "make_figures",
           "save_figures", "report_html", "write_report"]

log = logging.getLogger("siting")

#: the figures of a report, by name, in the order they appear
FIGURES = ("capacity", "fleet", "costs", "dispatch", "map")

DPI = 120
_TAB = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
        "#bab0ac", "#1f77b4", "#8c564b", "#17becf", "#bcbd22"]
# colours by a word in the technology's name (first match wins), so a tech keeps its colour across figures
_TECH_WORDS = [("grid", "#555555"), ("solar", "#f2c12e"), ("pv", "#f2c12e"), ("wind", "#6baed6"),
               ("batt", "#8e63b5"), ("stor", "#8e63b5"), ("nuclear", "#d6604d"), ("smr", "#d6604d"),
               ("geo", "#8c564b"), ("hydro", "#2166ac"), ("gas_cc", "#b8860b"), ("ccgt", "#b8860b"),
               ("gas", "#c7a36b"), ("diesel", "#3d3d3d"), ("oil", "#3d3d3d"), ("coal", "#252525"),
               ("fuel_cell", "#1b9e77"), ("hydrogen", "#1b9e77")]


# -- helpers -----------------------------------------------------------------------------------

def _tech_colours(res) -> dict:
    """A colour per technology of the plan (capacity and dispatch alike), the same in every figure."""
    techs = set(res.tables["capacity"]["tech"]) | set(res.tables["dispatch"]["tech"])
    out, spare = {}, iter(_TAB * 4)
    for k in sorted(techs):
        low = k.lower()
        out[k] = next((c for w, c in _TECH_WORDS if w in low), None) or next(spare)
    return out


def _palette(keys) -> dict:
    return {k: _TAB[i % len(_TAB)] for i, k in enumerate(keys)}


def _years(res) -> list[int]:
    ys = res.scenario.get("years") if res.scenario else None
    if ys:
        return [int(y) for y in ys]
    return sorted(int(y) for y in res.tables["summary"]["year"])


def _years_represented(years: list[int]) -> dict[int, int]:
    return {y: (years[i + 1] - y if i + 1 < len(years) else 1) for i, y in enumerate(years)}


def _legend(ax, below: bool = False, **kw) -> None:
    """A legend that is there even when nothing was drawn (then it says so).

    ``below``: under the axes in up to three columns, clear of the bars.
    """
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        handles, labels = [Patch(facecolor="none", edgecolor="none")], ["(nothing to show)"]
    kw.setdefault("fontsize", "small")
    kw.setdefault("frameon", False)
    if below:
        kw.update(loc="upper center", bbox_to_anchor=(0.5, -0.17), ncols=min(3, len(handles)))
    ax.legend(handles, labels, **kw)


def _stacked_bars(ax, table: pd.DataFrame, colours: dict, scale: float = 1.0, width: float = 0.7) -> None:
    """Bars of ``table`` (index: x positions, columns: series): positives stacked up, negatives down."""
    x = np.asarray(table.index, dtype=float)
    up, down = np.zeros(len(x)), np.zeros(len(x))
    for col in table.columns:
        v = table[col].to_numpy(dtype=float) * scale
        if not np.any(np.abs(v) > 1e-12):
            continue
        pos, neg = np.clip(v, 0, None), np.clip(v, None, 0)
        ax.bar(x, pos, width, bottom=up, color=colours[col], label=str(col), edgecolor="white", linewidth=0.5)
        if np.any(neg < 0):
            ax.bar(x, neg, width, bottom=down, color=colours[col], edgecolor="white", linewidth=0.5)
        up, down = up + pos, down + neg
    if np.any(down < 0):
        ax.axhline(0, color="black", linewidth=0.6)


def _year_axis(ax, years) -> None:
    ax.set_xticks(years)
    ax.set_xticklabels([str(y) for y in years], rotation=0 if len(years) <= 8 else 45)
    ax.set_xlabel("year (planning year)")
    if years:
        ax.set_xlim(min(years) - 0.6, max(years) + 0.6)


def _style(ax) -> None:
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _grid(n: int, ncols_max: int = 3, w: float = 4.6, h: float = 3.6) -> tuple[Figure, list]:
    ncols = min(ncols_max, max(n, 1))
    nrows = math.ceil(max(n, 1) / ncols)
    fig = Figure(figsize=(w * ncols, h * nrows + 0.4), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel().tolist()
    for ax in axes[n:]:
        fig.delaxes(ax)
    return fig, axes[:n]


# -- figures -----------------------------------------------------------------------------------

def plot_capacity(res, max_sites: int = 5) -> Figure:
    """Power capacity by technology and year, stacked: in total and at each site that has any.

    Parameters
    ----------
    res : Results.
    max_sites : at most this many site panels (the sites with the most capacity).
    """
    cap = res.tables["capacity"]
    years = _years(res)
    colours = _tech_colours(res)
    by_site = cap.groupby("site")["capacity_mw"].max().sort_values(ascending=False, kind="stable")
    sites = list(by_site.index[:max_sites])
    fig, axes = _grid(1 + len(sites))

    def draw(ax, df, title):
        t = (df.pivot_table(index="year", columns="tech", values="capacity_mw", aggfunc="sum")
             .reindex(years).fillna(0.0)) if len(df) else pd.DataFrame(index=years)
        _stacked_bars(ax, t, colours)
        _year_axis(ax, years)
        ax.set_ylabel("capacity (MW)")
        ax.set_title(title)
        _style(ax)
        _legend(ax, below=True)

    draw(axes[0], cap, "Power capacity, all sites")
    for ax, s in zip(axes[1:], sites, strict=True):
        draw(ax, cap[cap["site"] == s], f"Power capacity at {s}")
    more = len(by_site) - len(sites)
    fig.suptitle("Power capacity by technology and year" + (f" (and {more} more sites)" if more > 0 else ""),
                 fontweight="bold")
    return fig


def plot_fleet(res) -> Figure:
    """Accelerators in service by generation and year: units, IT MW, and compute against the target."""
    ch = res.tables["chips"]
    summ = res.tables["summary"].set_index("year")
    years = _years(res)
    gens = list(ch.sort_values(["year", "generation"], kind="stable")["generation"].drop_duplicates())
    colours = _palette(gens)
    t = ch.groupby(["year", "generation"])[["units_in_service", "it_mw", "pflops"]].sum()
    fig, axes = _grid(3)

    def table(col):
        if not len(t):
            return pd.DataFrame(index=years)
        return t[col].unstack("generation").reindex(index=years, columns=gens).fillna(0.0)

    ax = axes[0]
    _stacked_bars(ax, table("units_in_service"), colours, scale=1e-3)
    ax.set_ylabel("accelerators in service (thousand units)")
    ax.set_title("Fleet in service")

    ax = axes[1]
    _stacked_bars(ax, table("it_mw"), colours)
    tgt = summ["target_it_gw"].reindex(years) * 1000.0
    if tgt.notna().any():
        ax.plot(years, tgt.to_numpy(), "k--", marker="o", markersize=4, label="IT target")
    ax.set_ylabel("IT load (MW)")
    ax.set_title("IT load of the fleet")

    ax = axes[2]
    _stacked_bars(ax, table("pflops"), colours, scale=1e-3)
    tgt = summ["target_eflops"].reindex(years)
    if tgt.notna().any():
        ax.plot(years, tgt.to_numpy(), "k--", marker="o", markersize=4, label="compute target")
        ax.set_title("Compute against the target")
    else:
        ax.set_title("Compute (no compute target set)")
    ax.set_ylabel("compute (EFLOPS)")
    for ax in axes:
        _year_axis(ax, years)
        _style(ax)
        _legend(ax, below=True)
    fig.suptitle("Accelerator fleet by generation and year", fontweight="bold")
    return fig


def plot_costs(res) -> Figure:
    """Cost by component and year, undiscounted and discounted, and cost per GW of IT in service."""
    c = res.tables["costs"]
    summ = res.tables["summary"].set_index("year")
    years = _years(res)
    comps = sorted(c["component"].unique()) if len(c) else []
    colours = _palette(comps)
    fig, axes = _grid(3)
    for ax, col, what in ((axes[0], "cost_usd", "undiscounted"), (axes[1], "cost_usd_discounted", "discounted")):
        t = (c.pivot_table(index="year", columns="component", values=col, aggfunc="sum")
             .reindex(index=years, columns=comps).fillna(0.0)) if len(c) else pd.DataFrame(index=years)
        _stacked_bars(ax, t, colours, scale=1e-6)
        ax.set_ylabel(f"cost, {what} (USD million)")
        ax.set_title(f"Cost by component, {what}")
    ax = axes[2]
    n_y = _years_represented(years)
    cost = c.groupby("year")["cost_usd"].sum().reindex(years).fillna(0.0) if len(c) else pd.Series(0.0, years)
    it_gw = summ["it_gw"].reindex(years)
    annual = cost / pd.Series(n_y)
    per_gw = (annual / it_gw.where(it_gw > 1e-9)) * 1e-6
    ax.bar(years, per_gw.fillna(0.0).to_numpy(), 0.7, color="#4e79a7", label="annual cost per GW of IT")
    gw_years = (it_gw.fillna(0.0) * pd.Series(n_y)).sum()
    if gw_years > 1e-9:
        avg = cost.sum() / gw_years * 1e-6
        ax.axhline(avg, color="black", linestyle="--", linewidth=1, label=f"plan average ({avg:,.0f})")
    ax.set_ylabel("cost per GW of IT (USD million per GW-year)")
    ax.set_title("Cost per GW of IT in service")
    for ax in axes:
        _year_axis(ax, years)
        _style(ax)
        _legend(ax, below=True)
    fig.suptitle("Cost by component and year", fontweight="bold")
    return fig


def _dispatch_choice(res, site, year, period):
    sites = res.tables["sites"]
    sl = res.tables["slices"]
    opened = sites[sites["open"] > 0]
    if site is None:
        if not len(opened):
            return None, None, None
        last = opened[opened["year"] == opened["year"].max()]
        site = last.sort_values("it_mw", ascending=False, kind="stable")["site"].iloc[0]
    if year is None:
        ys = opened.loc[opened["site"] == site, "year"]
        year = int(ys.max()) if len(ys) else int(sites["year"].max())
    if period is None:
        w = sl.groupby("period")["weight_h"].mean()
        period = int(w.idxmax()) if len(w) else 0
    return site, int(year), int(period)


def plot_dispatch(res, site: str | None = None, year: int | None = None, period: int | None = None,
                  max_hours: int = 168) -> Figure:
    """Hourly power at one site over one representative period.

    Generation by technology, storage discharge (up) and charge (down) and grid import are
    stacked bars; the facility load is the black line they meet.

    Parameters
    ----------
    site : default the site with the most IT load in the last year.
    year : default the last year ``site`` is open.
    period : representative period (typical day); default the one that stands for the most hours.
    max_hours : a longer period (``full_year`` mode) is cut to this many hours around its peak load.
    """
    site, year, period = _dispatch_choice(res, site, year, period)
    d = res.tables["dispatch"]
    sl = res.tables["slices"]
    fig, axes = _grid(1, w=9.0, h=4.4)
    ax = axes[0]
    if site is not None:
        d = d[(d["site"] == site) & (d["year"] == year)]
    else:
        d = d.iloc[:0]
    sp = sl[sl["period"] == period].sort_values("slice")
    d = d[d["slice"].isin(sp["slice"])]
    t = (d.pivot_table(index="slice", columns="tech", values="power_mw", aggfunc="sum")
         .reindex(sp["slice"]).fillna(0.0)) if len(d) else pd.DataFrame(index=sp["slice"])
    load = -t.pop("facility_load") if "facility_load" in t else pd.Series(0.0, index=t.index)
    hours = sp.set_index("slice")["hour"].reindex(t.index).to_numpy()
    if len(t) > max_hours:
        peak = int(np.argmax(load.to_numpy()))
        start = min(max(0, peak - max_hours // 2), len(t) - max_hours)
        t, load, hours = t.iloc[start:start + max_hours], load.iloc[start:start + max_hours], \
            hours[start:start + max_hours]
    t.index = hours
    cols = [k for k in t.columns if k != "grid_import"] + (["grid_import"] if "grid_import" in t else [])
    colours = _tech_colours(res)
    up, down = np.zeros(len(t)), np.zeros(len(t))
    for k in cols:
        v = t[k].to_numpy(dtype=float)
        pos, neg = np.clip(v, 0, None), np.clip(v, None, 0)
        label = k.replace("_", " ")
        if np.any(pos > 1e-9):
            ax.bar(hours, pos, 1.0, bottom=up, align="edge", color=colours[k], linewidth=0,
                   label=label + (" (discharge)" if np.any(neg < -1e-9) else ""))
            up += pos
        if np.any(neg < -1e-9):
            ax.bar(hours, neg, 1.0, bottom=down, align="edge", color=colours[k], alpha=0.55, hatch="//",
                   linewidth=0, label=label + " (charge)")
            down += neg
    if len(t):
        xs = np.r_[hours, hours[-1] + 1]
        ax.step(xs, np.r_[load.to_numpy(), load.to_numpy()[-1]], where="post", color="black", linewidth=1.6,
                label="facility load")
        ax.set_xlim(xs[0], xs[-1])
    if np.any(down < 0):
        ax.axhline(0, color="black", linewidth=0.6)
    w = float(sp["weight_h"].iloc[0]) if len(sp) else float("nan")
    span = "day" if len(sp) == 24 else "period"
    ax.set_xlabel(f"hour of the representative {span} (h)")
    ax.set_ylabel("power (MW)")
    if site is None:
        ax.set_title("Dispatch: no site is open in this plan")
    else:
        stands = f"; stands for {w:,.0f} {'days' if span == 'day' else 'times'} of the year" if w == w else ""
        ax.set_title(f"Dispatch at {site} in {year}, representative {span} {period}{stands}")
    _style(ax)
    _legend(ax, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


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


# -- saving and the report ---------------------------------------------------------------------

_PLOTS = {"capacity": plot_capacity, "fleet": plot_fleet, "costs": plot_costs, "dispatch": plot_dispatch,
          "map": plot_map}


def _draw(name: str, res, zones=None) -> Figure:
    return plot_map(res, zones=zones) if name == "map" else _PLOTS[name](res)


def make_figures(res, zones=None) -> dict[str, Figure]:
    """Every figure of the report, by name (see :data:`FIGURES`), logging each stage."""
    figs = {}
    t0 = time.perf_counter()
    for i, name in enumerate(FIGURES, 1):
        log.info("drawing figure %d/%d: %s", i, len(FIGURES), name)
        figs[name] = _draw(name, res, zones)
    log.info("drew %d figures in %.1f s", len(figs), time.perf_counter() - t0)
    return figs


def save_figures(res, folder: str | Path, formats=("png", "svg"), zones=None, figures=None,
                 dpi: int = DPI) -> dict[str, dict[str, Path]]:
    """Draw (unless ``figures`` are given) and write every figure to ``folder/<name>.<format>``.

    Returns the paths by figure name and format. Logs one line per figure on the 'siting' logger.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = list(figures) if figures is not None else list(FIGURES)
    out: dict[str, dict[str, Path]] = {}
    t_all = time.perf_counter()
    for i, name in enumerate(names, 1):
        t0 = time.perf_counter()
        fig = figures[name] if figures is not None else _draw(name, res, zones)
        out[name] = {}
        for fmt in formats:
            p = folder / f"{name}.{fmt}"
            fig.savefig(p, format=fmt, dpi=dpi, metadata=_metadata(fmt), bbox_inches="tight", pad_inches=0.12)
            out[name][fmt] = p
        log.info("figure %d/%d: %s (%s) in %.1f s", i, len(names), name, ", ".join(formats),
                 time.perf_counter() - t0)
    log.info("wrote %d figures to %s in %.1f s", len(names), folder, time.perf_counter() - t_all)
    return out


def _metadata(fmt: str) -> dict:
    # keep the files free of links and dates (matplotlib adds its web address and a timestamp)
    if fmt == "svg":
        return {"Creator": "siting", "Date": None}
    if fmt == "png":
        return {"Software": "siting"}
    if fmt == "pdf":
        return {"Creator": "siting", "CreationDate": None}
    return {}


def _png_bytes(fig: Figure, dpi: int = DPI) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata=_metadata("png"), bbox_inches="tight", pad_inches=0.12)
    return buf.getvalue()


def _fmt(v, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return "–"
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, int | np.integer):
        return str(int(v))
    if isinstance(v, float | np.floating):
        v = float(v)
        if v == 0:
            return "0"
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:,.{digits}g}" if abs(v) < 1 else f"{v:,.{max(digits - 1, 1)}f}".rstrip("0").rstrip(".")
    return str(v)


def _table(df: pd.DataFrame, cls: str = "", num_cols=None) -> str:
    num_cols = set(df.columns if num_cols is None else num_cols)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = []
    for r in df.itertuples(index=False):
        cells = []
        for c, v in zip(df.columns, r, strict=True):
            num = c in num_cols and isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)
            text = html.escape(v if isinstance(v, str) else _fmt(v))
            cells.append(f'<td class="num">{text}</td>' if num else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _summary_table(res) -> pd.DataFrame:
    s = res.tables["summary"].copy()
    c = res.tables["costs"]
    disc = c.groupby("year")["cost_usd_discounted"].sum() if len(c) else pd.Series(dtype=float)
    return pd.DataFrame({
        "year": s["year"].astype(int),
        "IT (GW)": s["it_gw"], "IT target (GW)": s["target_it_gw"],
        "compute (EFLOPS)": s["eflops"], "compute target (EFLOPS)": s["target_eflops"],
        "cost (USD M)": s["cost_usd"] / 1e6,
        "cost, discounted (USD M)": s["year"].map(disc).fillna(0.0).to_numpy() / 1e6,
        "emissions (kt CO2)": s["tco2"] / 1e3,
        "clean share (%)": (s["clean_share"].clip(lower=0.0) * 100.0).round(1),
    })


def _sites_table(res) -> pd.DataFrame:
    g = res.sites_geo()
    ch = g[g["chosen"]]
    years = [c for c in g.columns if c.startswith("it_mw_")]
    cap = res.tables["capacity"]
    last = cap["year"].max() if len(cap) else None
    mix = {}
    for s in ch["site"]:
        c = cap[(cap["site"] == s) & (cap["year"] == last)].sort_values("capacity_mw", ascending=False)
        mix[s] = ", ".join(f"{k} {v:,.0f}" for k, v in zip(c["tech"], c["capacity_mw"], strict=True)) or "–"
    out = pd.DataFrame({"site": ch["site"], "zone": ch["zone"], "lat": ch["lat"], "lon": ch["lon"],
                        "first year": ch["first_year"].astype(object)})
    for c in years:
        out[f"IT {c.removeprefix('it_mw_')} (MW)"] = ch[c]
    out["facility peak (MW)"] = ch["facility_peak_mw"]
    out[f"power capacity {last if last is not None else ''} (MW)"] = [mix[s] for s in ch["site"]]
    return out.reset_index(drop=True)


def _flatten(d, prefix: str = "") -> list[tuple[str, str]]:
    rows = []
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            rows += _flatten(v, key + ".") if v else [(key, "{}")]
        elif isinstance(v, list | tuple):
            rows.append((key, ", ".join(str(x) for x in v)))
        else:
            rows.append((key, str(v)))
    return rows


_CAPTIONS = {
    "capacity": "Power capacity by technology and year (MW), stacked: all sites and per site.",
    "fleet": "Accelerators in service by generation: units, IT load (MW) and compute (EFLOPS) against targets.",
    "costs": "Cost by component and year (USD million), undiscounted and discounted, and cost per GW of IT.",
    "dispatch": "Hourly dispatch of a representative period at one site: generation, storage, grid import and "
                "facility load (MW).",
    "map": "Candidate and chosen sites: marker area by IT MW, colour by first year in service.",
}

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;color:#222;
background:#fafafa}
main{max-width:1180px;margin:0 auto;padding:24px 32px 48px;background:#fff}
h1{font-size:1.6em;margin:0.2em 0}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd;
padding-bottom:4px}
p.lead{color:#444;max-width:60em}
table{border-collapse:collapse;font-size:0.88em;margin:0.6em 0}
th,td{padding:4px 10px;border-bottom:1px solid #e6e6e6;text-align:left;vertical-align:top}
th{background:#f2f2f2;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
dl.run{display:grid;grid-template-columns:max-content auto;gap:2px 16px;font-size:0.92em}
dl.run dt{color:#666}dl.run dd{margin:0}
figure{margin:1.2em 0 2em}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#555;font-size:0.9em;margin-top:4px}
nav a{margin-right:14px;color:#2a5d9f;text-decoration:none}
footer{color:#888;font-size:0.8em;margin-top:3em}
"""


def report_html(res, figures: dict[str, Figure] | None = None, zones=None, title: str | None = None,
                images: dict[str, bytes] | None = None) -> str:
    """One self-contained HTML page: run facts, per-year summary, chosen sites, figures, scenario.

    Figures are embedded as base64 PNG; the page refers to nothing outside itself.

    Parameters
    ----------
    figures : figures by name (default: :func:`make_figures`).
    zones : zone polygons for the map (only when ``figures`` and ``images`` are not given).
    title : page title (default "siting report: <instance>").
    images : PNG bytes by figure name, embedded as they are (saves rendering ``figures`` again).
    """
    from . import __version__

    if images is None:
        figures = figures if figures is not None else make_figures(res, zones=zones)
        images = {n: _png_bytes(f) for n, f in figures.items()}
    name = res.instance_name or res.scenario.get("name", "") or "plan"
    title = title or f"siting report: {name}"
    desc = res.scenario.get("description", "")
    e = html.escape
    ms = res.model_size or {}
    size = (f"{ms.get('rows', 0):,} rows × {ms.get('columns', 0):,} columns, {ms.get('integers', 0):,} integer"
            if ms else "–")
    run = [("status", res.status), ("total discounted cost", f"USD {res.objective / 1e9:,.3f} billion"),
           ("MIP gap", f"{res.mip_gap:.2%}"), ("solve time", f"{res.solve_seconds:.1f} s"), ("model size", size),
           ("dollar year", str(res.scenario.get("dollar_year", "–"))),
           ("report written", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
           ("siting version", __version__)]
    parts = [f"<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
             f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
             f"<title>{e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
             f"<h1>{e(title)}</h1>\n"]
    if desc:
        parts.append(f"<p class=\"lead\">{e(' '.join(str(desc).split()))}</p>\n")
    parts.append("<nav><a href=\"#summary\">Summary</a><a href=\"#sites\">Chosen sites</a>"
                 "<a href=\"#figures\">Figures</a><a href=\"#scenario\">Scenario</a></nav>\n")
    parts.append("<h2 id=\"run\">Run</h2>\n<dl class=\"run\">" +
                 "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in run) + "</dl>\n")
    parts.append("<h2 id=\"summary\">Summary by year</h2>\n" + _table(_summary_table(res), "summary") + "\n")
    st = _sites_table(res)
    n_all = res.tables["sites"]["site"].nunique()
    parts.append(f"<h2 id=\"sites\">Chosen sites ({len(st)} of {n_all} candidates)</h2>\n" +
                 (_table(st, "sites", num_cols=[c for c in st.columns if c not in ("site", "zone")])
                  if len(st) else "<p>No site is opened in this plan.</p>") + "\n")
    parts.append("<h2 id=\"figures\">Figures</h2>\n")
    for fname, png in images.items():
        cap = _CAPTIONS.get(fname, fname)
        b64 = base64.b64encode(png).decode("ascii")
        parts.append(f"<figure id=\"fig-{e(fname)}\" data-figure=\"{e(fname)}\"><img alt=\"{e(cap)}\" "
                     f"src=\"data:image/png;base64,{b64}\"><figcaption>{e(cap)}</figcaption></figure>\n")
    sc = pd.DataFrame(_flatten({k: v for k, v in res.scenario.items() if k != "description"}),
                      columns=["setting", "value"])
    parts.append("<h2 id=\"scenario\">Scenario settings</h2>\n" +
                 (_table(sc, "scenario", num_cols=[]) if len(sc) else "<p>No scenario settings recorded.</p>")
                 + "\n")
    parts.append("<footer>Written by siting; this page is self-contained and needs no network.</footer>\n"
                 "</main>\n</body>\n</html>\n")
    return "".join(parts)


def write_report(res, folder: str | Path, zones=None, formats=("png", "svg"), name: str = "report.html") -> Path:
    """Write ``folder/figures/<figure>.<format>`` and ``folder/report.html``; returns the HTML's path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    formats = tuple(formats) if "png" in formats else ("png", *formats)
    paths = save_figures(res, folder / "figures", formats=formats, zones=zones)
    log.info("writing the report")
    t0 = time.perf_counter()
    page = report_html(res, images={n: p["png"].read_bytes() for n, p in paths.items()})
    out = folder / name
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    log.info("wrote %s (%.1f MB) in %.1f s", out, len(page.encode()) / 1e6, time.perf_counter() - t0)
    return out
