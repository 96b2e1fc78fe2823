"""The figures of a plan over the years (capacity, fleet, costs, dispatch), drawing and saving them all.

Every ``plot_*`` function takes a :class:`~siting.Results` and returns a
:class:`matplotlib.figure.Figure` built without pyplot.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from ._common import (
    DPI,
    _grid,
    _legend,
    _palette,
    _plain,
    _stacked_bars,
    _style,
    _tech_colours,
    _year_axis,
    _years,
    log,
)
from .dispatch import plot_dispatch
from .map import plot_map

#: the figures of a report, by name, in the order they appear
FIGURES = ("capacity", "fleet", "costs", "dispatch", "map")


def site_capacity_totals(res) -> pd.Series:
    """Each site's power capacity summed over its technologies, largest over the years (MW), largest first
    (ties in site order)."""
    cap = res.tables["capacity"]
    if not len(cap):
        return pd.Series(dtype=float)
    order = {s: i for i, s in enumerate(dict.fromkeys(res.tables["sites"]["site"]))}
    tot = cap.groupby(["site", "year"])["capacity_mw"].sum().groupby(level="site").max()
    df = pd.DataFrame({"mw": tot, "order": [order.get(s, len(order)) for s in tot.index]})
    return df.sort_values(["mw", "order"], ascending=[False, True], kind="stable")["mw"]


def plot_capacity(res, max_sites: int = 5) -> Figure:
    """Power capacity by technology and year, stacked (GW): in total and at the sites with the most.

    Parameters
    ----------
    res : Results.
    max_sites : at most this many site panels: the sites with the most capacity in total (all
        technologies summed, largest over the years). Each panel's title gives that total, and each
        bar is topped with its year's total.
    """
    cap = res.tables["capacity"]
    years = _years(res)
    colours = _tech_colours(res)
    totals = site_capacity_totals(res)
    sites = list(totals.index[:max_sites])
    fig, axes = _grid(1 + len(sites))

    def draw(ax, df, title):
        t = (df.pivot_table(index="year", columns="tech", values="capacity_mw", aggfunc="sum")
             .reindex(years).fillna(0.0)) if len(df) else pd.DataFrame(index=years)
        _stacked_bars(ax, t, colours, scale=1e-3)
        tot = t.clip(lower=0).sum(axis=1) * 1e-3 if len(t.columns) else pd.Series(0.0, index=years)
        if len(years) <= 10:
            for y, v in tot.items():
                if v > 0:
                    ax.annotate(f"{v:,.{_digits(tot.max())}f}", (y, v), xytext=(0, 2), textcoords="offset points",
                                ha="center", va="bottom", fontsize=7, color="#333333")
        ax.margins(y=0.12)
        _year_axis(ax, years)
        ax.set_ylabel("capacity (GW)")
        ax.set_title(title)
        _plain(ax)
        _style(ax)
        _legend(ax, below=True)

    total = cap.groupby("year")["capacity_mw"].sum().max() * 1e-3 if len(cap) else 0.0
    draw(axes[0], cap, f"All sites (peak {total:,.{_digits(total)}f} GW)")
    for ax, s in zip(axes[1:], sites, strict=True):
        gw = totals[s] * 1e-3
        draw(ax, cap[cap["site"] == s], f"{s} (peak {gw:,.{_digits(gw)}f} GW)")
    more = len(totals) - len(sites)
    fig.suptitle("Power capacity by technology and year; sites ranked by total capacity"
                 + (f" ({more} more sites not shown)" if more > 0 else ""), fontweight="bold")
    return fig


def _digits(v: float) -> int:
    """Decimals for a GW figure: 0 from 100 GW, 1 from 10, 2 from 1, else 3."""
    v = abs(float(v))
    return 0 if v >= 100 else 1 if v >= 10 else 2 if v >= 1 else 3


def plot_fleet(res) -> Figure:
    """Accelerators in service by generation and year: units, IT GW, and compute (EFLOPS) against the target."""
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
    _stacked_bars(ax, table("it_mw"), colours, scale=1e-3)
    tgt = summ["target_it_gw"].reindex(years)
    if tgt.notna().any():
        ax.plot(years, tgt.to_numpy(), "k--", marker="o", markersize=4, label="IT target")
    ax.set_ylabel("IT load (GW)")
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
        _plain(ax)
        _style(ax)
        _legend(ax, below=True)
    fig.suptitle("Accelerator fleet by generation and year", fontweight="bold")
    return fig


def plot_costs(res) -> Figure:
    """Cost by component and year ($B), undiscounted and discounted, and the annual cost per GW of IT.
    The soft-target shortfall penalty is no spending: it is left out of the bars and its total is given
    in the panels' titles.

    The third panel shows ``summary.cost_usd_per_gw_it_yr`` ($B per GW-year: the year's undiscounted
    cost over its GW of IT in service) and the plan's figure of the same name
    (:func:`siting.results.plan_per_gw`: over the calendar years the plan covers).
    """
    from ..results import plan_per_gw

    c = res.tables["costs"]
    summ = res.tables["summary"].set_index("year")
    years = _years(res)
    # the soft-target penalty (component "shortfall") is no spending: left out of the bars, its total said in the
    # title (on us_250gw it is 99.6 % of the objective and would leave the plan's costs invisible)
    penalty = c[c["component"] == "shortfall"] if len(c) else c
    c = c[c["component"] != "shortfall"] if len(c) else c
    comps = sorted(c["component"].unique()) if len(c) else []
    colours = _palette(comps)
    fig, axes = _grid(3)
    for ax, col, what in ((axes[0], "cost_usd", "undiscounted"), (axes[1], "cost_usd_discounted", "discounted")):
        t = (c.pivot_table(index="year", columns="component", values=col, aggfunc="sum")
             .reindex(index=years, columns=comps).fillna(0.0)) if len(c) else pd.DataFrame(index=years)
        _stacked_bars(ax, t, colours, scale=1e-9)
        ax.set_ylabel(f"cost, {what} ($B)")
        title = f"Cost by component, {what}"
        if len(penalty) and penalty[col].sum() > 0:
            title += f"\n(shortfall penalty left out: ${penalty[col].sum() / 1e9:,.0f} B)"
        ax.set_title(title)
    # costs.cost_usd is already the cost of one calendar year (USD/yr) of its planning year: divide by the
    # IT in service that year, never again by the calendar years the planning year stands for; the soft-target
    # penalty is no spending and stays out (summary.cost_usd_per_gw_it_yr)
    ax = axes[2]
    cost = c.groupby("year")["cost_usd"].sum().reindex(years).fillna(0.0) if len(c) else pd.Series(0.0, years)
    it_gw = summ["it_gw"].reindex(years).fillna(0.0)
    per_gw = cost / it_gw.where(it_gw > 1e-9) * 1e-9
    ax.bar(years, per_gw.fillna(0.0).to_numpy(), 0.7, color="#4e79a7", label="annual cost per GW of IT")
    plan = plan_per_gw(pd.DataFrame({"year": years, "it_gw": it_gw.to_numpy(), "cost_usd": cost.to_numpy()}))
    avg = plan["cost_usd_per_gw_it_yr"] * 1e-9 if it_gw.sum() > 1e-9 else 0.0
    ax.axhline(avg, color="black", linestyle="--", linewidth=1, label=f"plan ({avg:,.2f})")
    ax.set_ylabel("cost per GW of IT ($B per GW-year)")
    ax.set_title("Annual cost per GW of IT in service")
    for ax in axes:
        _year_axis(ax, years)
        _plain(ax)
        _style(ax)
        _legend(ax, below=True)
    fig.suptitle("Cost by component and year (undiscounted unless said)", fontweight="bold")
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
