"""The figures of a plan over the years (capacity, fleet, costs, dispatch), drawing and saving them all.

Every ``plot_*`` function takes a :class:`~siting.Results` and returns a
:class:`matplotlib.figure.Figure` built without pyplot.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ._common import DPI, _grid, _legend, _palette, _stacked_bars, _style, _tech_colours, _year_axis, _years, log
from .map import plot_map

#: the figures of a report, by name, in the order they appear
FIGURES = ("capacity", "fleet", "costs", "dispatch", "map")


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
    """Cost by component and year, undiscounted and discounted, and cost per GW of IT in service.

    The third panel shows, per planning year, its annual cost (USD/yr, as in ``costs.cost_usd``) over
    its GW of IT in service, and the plan average: the planning years' annual costs summed over
    their GW of IT summed (each planning year weighs once, whatever the gap to the next).
    """
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
    # costs.cost_usd is already the cost of one calendar year (USD/yr) of its planning year: divide by the
    # IT in service that year, never again by the calendar years the planning year stands for
    ax = axes[2]
    cost = c.groupby("year")["cost_usd"].sum().reindex(years).fillna(0.0) if len(c) else pd.Series(0.0, years)
    it_gw = summ["it_gw"].reindex(years).fillna(0.0)
    per_gw = cost / it_gw.where(it_gw > 1e-9) * 1e-6
    ax.bar(years, per_gw.fillna(0.0).to_numpy(), 0.7, color="#4e79a7", label="annual cost per GW of IT")
    if it_gw.sum() > 1e-9:  # every planning year counts once: its annual cost over its GW of IT
        avg = cost.sum() / it_gw.sum() * 1e-6
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


# -- drawing and saving them all -----------------------------------------------------------------

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
