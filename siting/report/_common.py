"""What the figures share: colours, the year axis, stacked bars, legends, the panel grid."""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import Formatter

log = logging.getLogger("siting")

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


class PlainFormatter(Formatter):
    """Tick labels as people write numbers: thousands separators, as few decimals as the ticks need,
    never an offset ("1e6") or a power of ten."""

    ticks: tuple = ()

    def set_locs(self, locs) -> None:
        self.ticks = tuple(float(v) for v in locs)

    def __call__(self, x, pos=None) -> str:
        locs = list(self.ticks) or [float(x)]
        d = 0
        while d < 6 and any(abs(round(v, d) - v) > 1e-9 * max(1.0, abs(v)) for v in locs):
            d += 1
        text = f"{x:,.{d}f}"
        return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text

    def get_offset(self) -> str:
        return ""


def _plain(ax, axes: str = "y") -> None:
    """Plain tick labels (:class:`PlainFormatter`) on the y (and/or x) axis."""
    for a in axes:
        getattr(ax, f"{a}axis").set_major_formatter(PlainFormatter())
