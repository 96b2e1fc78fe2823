"""Figures, a map and a self-contained HTML report of a solved plan.

Every ``plot_*`` function takes a :class:`~siting.Results` and returns a
:class:`matplotlib.figure.Figure` built without pyplot (no global state, no display
needed). :func:`save_figures` writes them as PNG and SVG; :func:`write_report` writes the
figures and one HTML page that embeds them (base64 PNG) and an interactive map (inline SVG and
script), and needs no network to open.

Figures (names used for files and in the report): ``capacity``, ``fleet``, ``costs``,
``dispatch``, ``map``.

Modules: :mod:`.figures` (the figures over the years, drawing and saving them all),
:mod:`.dispatch` (hour by hour at the largest sites), :mod:`.map` (the site map over the US states
shipped in ``siting/geodata``), :mod:`.interactive` (the report's pan-and-zoom map: inline SVG and
script), :mod:`.tables` (the report's tables), :mod:`.html` (the report page), ``_labels`` (label
placement), ``_common`` (what the figures share).
"""

from __future__ import annotations

from .figures import (
    FIGURES,
    make_figures,
    plot_capacity,
    plot_costs,
    plot_dispatch,
    plot_fleet,
    save_figures,
)
from .html import report_html, write_report
from .map import plot_map

__all__ = ["FIGURES", "plot_capacity", "plot_fleet", "plot_costs", "plot_dispatch", "plot_map", "make_figures",
           "save_figures", "report_html", "write_report"]
