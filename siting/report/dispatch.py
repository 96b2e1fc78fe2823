"""The dispatch figure: hour by hour at the largest sites, every representative day with its weight."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ._common import _legend, _plain, _style, _tech_colours

#: at most this many representative periods side by side in a row (more wrap onto further rows)
MAX_COLS = 4


def dispatch_sites(res, max_sites: int = 3) -> tuple[list[str], int | None]:
    """The ``max_sites`` sites with the most IT load in the last year any site is open, and that year."""
    sites = res.tables["sites"]
    opened = sites[sites["open"] > 0]
    if not len(opened):
        return [], None
    year = int(opened["year"].max())
    last = opened[opened["year"] == year].sort_values("it_mw", ascending=False, kind="stable")
    return list(last["site"].iloc[:max_sites]), year


def _window(t: pd.DataFrame, load: pd.Series, hours: np.ndarray, max_hours: int):
    """A period longer than ``max_hours`` (``full_year``) cut to that many hours around its peak load."""
    if len(t) <= max_hours:
        return t, load, hours
    peak = int(np.argmax(load.to_numpy()))
    start = min(max(0, peak - max_hours // 2), len(t) - max_hours)
    sl = slice(start, start + max_hours)
    return t.iloc[sl], load.iloc[sl], hours[sl]


def _panel(ax, d: pd.DataFrame, sp: pd.DataFrame, colours: dict, scale: float, max_hours: int) -> dict:
    """Stacked bars of one site, year and period; returns the series drawn (label -> handle)."""
    t = (d.pivot_table(index="slice", columns="tech", values="power_mw", aggfunc="sum")
         .reindex(sp["slice"]).fillna(0.0)) if len(d) else pd.DataFrame(index=sp["slice"])
    load = -t.pop("facility_load") if "facility_load" in t else pd.Series(0.0, index=t.index)
    hours = sp.set_index("slice")["hour"].reindex(t.index).to_numpy()
    t, load, hours = _window(t, load, hours, max_hours)
    t.index = hours
    cols = [k for k in t.columns if k != "grid_import"] + (["grid_import"] if "grid_import" in t else [])
    drawn = {}
    up, down = np.zeros(len(t)), np.zeros(len(t))
    # a series appears when it reaches a thousandth of the panel's load (less would be a hairline)
    tiny = max(1e-9, 1e-3 * float(load.abs().max() if len(load) else 0.0)) * scale
    for k in cols:
        v = t[k].to_numpy(dtype=float) * scale
        v = np.where(np.abs(v) >= tiny, v, 0.0)
        pos, neg = np.clip(v, 0, None), np.clip(v, None, 0)
        name = k.replace("_", " ")
        if np.any(pos > 0):
            label = name + (" (discharge)" if np.any(neg < 0) else "")
            drawn[label] = ax.bar(hours, pos, 1.0, bottom=up, align="edge", color=colours[k], linewidth=0,
                                  label=label)
            up += pos
        if np.any(neg < 0):
            label = name + " (charge)"
            drawn[label] = ax.bar(hours, neg, 1.0, bottom=down, align="edge", color=colours[k], alpha=0.55,
                                  hatch="//", linewidth=0, label=label)
            down += neg
    if len(t):
        xs = np.r_[hours, hours[-1] + 1]
        y = load.to_numpy() * scale
        (drawn["facility load"],) = ax.step(xs, np.r_[y, y[-1]], where="post", color="black", linewidth=1.6,
                                            label="facility load")
        ax.set_xlim(xs[0], xs[-1])
        if len(t) <= 24:
            ticks = [h for h in range(int(xs[0]), int(xs[-1]) + 1) if h % 6 == 0]
            ax.set_xticks(ticks)
            ax.set_xticklabels([f"{h % 24:02d}:00" for h in ticks])
    if np.any(down < 0):
        ax.axhline(0, color="black", linewidth=0.6)
    return drawn


def plot_dispatch(res, site: str | list[str] | None = None, year: int | None = None, period: int | None = None,
                  max_hours: int = 168, max_sites: int = 3) -> Figure:
    """Hourly power at the largest sites: one row of panels per site, one panel per representative day.

    Generation by technology, storage discharge (up) and charge (down) and grid import are
    stacked bars; the facility load is the black line they meet. Each panel's title gives the
    days of the year its representative day stands for; the x axis is the clock hour. The legend
    (one, for the whole figure) lists only the series drawn in some panel.

    Parameters
    ----------
    site : a site or a list of sites; default the ``max_sites`` sites with the most IT load in the
        last year a site is open.
    year : default that last year (for a site given, the last year it is open).
    period : one representative period only; default every one.
    max_hours : a longer period (``full_year`` mode) is cut to this many hours around its peak load.
    """
    sites_t = res.tables["sites"]
    if site is None:
        sites, last = dispatch_sites(res, max_sites)
        year = last if year is None else int(year)
    else:
        sites = [site] if isinstance(site, str) else list(site)
        if year is None:
            ys = sites_t.loc[sites_t["site"].isin(sites) & (sites_t["open"] > 0), "year"]
            year = int(ys.max()) if len(ys) else int(sites_t["year"].max())
    sl = res.tables["slices"]
    periods = sorted(int(p) for p in sl["period"].unique()) if period is None else [int(period)]
    d = res.tables["dispatch"]
    d = d[(d["year"] == year) & d["site"].isin(sites)] if sites else d.iloc[:0]
    peak = float(-d.loc[d["tech"] == "facility_load", "power_mw"].min()) if len(d) else 0.0
    unit, scale = ("GW", 1e-3) if peak >= 1000.0 else ("MW", 1.0)
    if len(periods) == 1:  # one panel per site, side by side
        ncols, rows_per_site = min(MAX_COLS, max(len(sites), 1)), 1
        nrows = -(-max(len(sites), 1) // ncols)
    else:  # a row of days per site
        ncols = min(MAX_COLS, len(periods))
        rows_per_site = -(-len(periods) // ncols)
        nrows = max(len(sites), 1) * rows_per_site
    fig = Figure(figsize=(max(8.0, 3.9 * ncols), 3.0 * nrows + 1.3), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    colours = _tech_colours(res)
    drawn: dict = {}
    if not sites:
        ax = axes[0][0]
        ax.set_title("Dispatch: no site is open in this plan")
        ax.set_xlabel("clock hour (h)")
        ax.set_ylabel(f"power ({unit})")
    used = {(0, 0)} if not sites else set()
    for i, s in enumerate(sites):
        ds = d[d["site"] == s]
        first = None
        for j, p in enumerate(periods):
            k = i if len(periods) == 1 else i * rows_per_site * ncols + j
            r, c = k // ncols, k % ncols
            ax = axes[r][c]
            used.add((r, c))
            if first is None:
                first = ax
            else:
                ax.sharey(first)  # one scale per site
            sp = sl[sl["period"] == p].sort_values("slice")
            drawn |= _panel(ax, ds[ds["slice"].isin(sp["slice"])], sp, colours, scale, max_hours)
            w = float(sp["weight_h"].iloc[0]) if len(sp) else float("nan")
            hourly = len(sp) <= 24
            ax.set_title(f"{s}, day {p} ({w:,.0f} days)" if hourly else f"{s}, period {p} ({len(sp):,} h)",
                         fontsize="medium")
            ax.set_xlabel("clock hour (h)" if hourly else "hour of the year (h)")
            ax.set_ylabel(f"power ({unit})")
            _plain(ax)
            _style(ax)
    for r in range(nrows):
        for c in range(ncols):
            if (r, c) not in used:
                fig.delaxes(axes[r][c])
    handles = list(drawn.values())
    labels = list(drawn)
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(6, len(handles)), fontsize="small",
                   frameon=False)
    else:
        _legend(axes[0][0])
    n = len(periods)
    days = "the representative day" if n == 1 else f"{'both' if n == 2 else f'all {n}'} representative days"
    fig.suptitle(f"Dispatch in {year}: the {len(sites)} largest site{'s' if len(sites) > 1 else ''}, {days}"
                 if sites else "Dispatch", fontweight="bold")
    return fig
