"""The self-contained HTML report: run facts, tables by year and site, what limits the plan, capex, the
hourly check, an interactive map (inline SVG and script) and the figures as base64 PNG."""

from __future__ import annotations

import base64
import html
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from ._common import _years, log
from .figures import _png_bytes, make_figures, save_figures
from .interactive import interactive_map
from .map import _year_colours
from .tables import (
    binding_table,
    capacity_table,
    capex_table,
    hourly_table,
    plan_line,
    sites_table,
    summary_table,
    table_html,
)


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
    "capacity": "Power capacity by technology and year (GW), stacked: all sites and the sites with the most "
                "capacity in total; each bar is topped with its total.",
    "fleet": "Accelerators in service by generation: units, IT load (GW) and compute (EFLOPS) against targets.",
    "costs": "Cost by component and year ($B), undiscounted and discounted, and the annual cost per GW of IT in "
             "service ($B per GW-year, undiscounted).",
    "dispatch": "Hourly dispatch at the largest sites, every representative day (its title: the days of the year "
                "it stands for) on the clock: generation, storage, grid import and facility load.",
    "map": "Candidate and chosen sites over the US states, zones shaded: marker area by IT MW, colour by first "
           "year in service.",
}

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;color:#222;
background:#fafafa}
main{max-width:1180px;margin:0 auto;padding:24px 32px 48px;background:#fff}
h1{font-size:1.6em;margin:0.2em 0}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd;
padding-bottom:4px}
p.lead{color:#444;max-width:60em}p.note{color:#555;font-size:0.9em;max-width:70em}
.wide{overflow-x:auto}
table{border-collapse:collapse;font-size:0.88em;margin:0.6em 0}
th,td{padding:4px 10px;border-bottom:1px solid #e6e6e6;text-align:left;vertical-align:top;white-space:nowrap}
th{background:#f2f2f2;font-weight:600;white-space:normal;max-width:11em}
td.num{text-align:right;font-variant-numeric:tabular-nums}
span.bar{display:inline-block;width:60px;height:9px;background:#eef1f5;margin-right:6px;vertical-align:middle}
span.bar span{display:block;height:100%;background:#4e79a7}
dl.run{display:grid;grid-template-columns:max-content auto;gap:2px 16px;font-size:0.92em}
dl.run dt{color:#666}dl.run dd{margin:0}
figure{margin:1.2em 0 2em}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#555;font-size:0.9em;margin-top:4px}
nav a{margin-right:14px;color:#2a5d9f;text-decoration:none}
.key span.dot{display:inline-block;width:10px;height:10px;border-radius:50%;border:1px solid #111;
margin:0 4px 0 10px;vertical-align:middle}
footer{color:#888;font-size:0.8em;margin-top:3em}
"""


def _section(anchor: str, title: str, body: str) -> str:
    return f'<h2 id="{anchor}">{html.escape(title)}</h2>\n{body}\n'


def _wide(table: str) -> str:
    return f'<div class="wide">{table}</div>'


def _map_key(res) -> str:
    cols = _year_colours(_years(res))
    g = res.tables["sites"]
    first = sorted(int(y) for y in g.loc[g["open"] > 0].groupby("site")["year"].min().unique())
    dots = "".join(f'<span class="dot" style="background:{cols[y]}"></span>{y}' for y in first if y in cols)
    return (f'<p class="note key">Circle area: IT MW (largest over the years); colour: first year in service'
            f'{":" if dots else ""}{dots}; hollow: a candidate not chosen. Hover over (or tab to) a site for its '
            "plan; drag to pan; wheel, double click or the buttons to zoom.</p>")


def report_html(res, figures: dict[str, Figure] | None = None, zones=None, title: str | None = None,
                images: dict[str, bytes] | None = None) -> str:
    """One self-contained HTML page: run facts, per-year summary, chosen sites, power capacity by site, what
    limits the plan (``binding``), capex, the hourly check (``hourly_check``, when present), an interactive
    map, the figures, the scenario.

    Figures are embedded as base64 PNG and the map as inline SVG with a short inline script; the
    page refers to nothing outside itself.

    Parameters
    ----------
    figures : figures by name (default: :func:`make_figures`).
    zones : zone polygons for the maps.
    title : page title (default "siting report: <instance>").
    images : PNG bytes by figure name, embedded as they are (saves rendering ``figures`` again).
    """
    from .. import __version__

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
    run = [("status", res.status), ("total discounted cost", f"${res.objective / 1e9:,.3f} B"),
           ("MIP gap", f"{res.mip_gap:.2%}"), ("solve time", f"{res.solve_seconds:.1f} s"), ("model size", size),
           ("dollar year", str(res.scenario.get("dollar_year", "–"))),
           ("report written", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
           ("siting version", __version__)]
    sections = [("summary", "Summary")]
    parts = []
    parts.append(_section("run", "Run", '<dl class="run">' +
                          "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in run) + "</dl>"))
    parts.append(_section("summary", "Summary by year", _wide(table_html(summary_table(res), "summary")) +
                          f'<p class="note">{plan_line(res)} Costs are undiscounted unless said; $B is billions of '
                          f'{e(str(res.scenario.get("dollar_year", "")))} US dollars.</p>'))
    sections.append(("map", "Map"))
    parts.append(_section("map", "Map", interactive_map(res, zones=zones) + _map_key(res)))
    st = sites_table(res)
    n_all = res.tables["sites"]["site"].nunique()
    sections.append(("sites", "Sites"))
    parts.append(_section("sites", f"Chosen sites ({len(st)} of {n_all} candidates)",
                          _wide(table_html(st, "sites", num_cols=[c for c in st.columns if c not in ("site", "zone")]))
                          if len(st) else "<p>No site is opened in this plan.</p>"))
    ct = capacity_table(res)
    if ct is not None:
        sections.append(("capacity", "Power capacity"))
        parts.append(_section("capacity", "Power capacity by site and technology",
                              _wide(table_html(ct, "capacity", num_cols=list(ct.columns[1:]),
                                               bars=ct.columns[1]))))
    bt = binding_table(res)
    if bt is not None:
        sections.append(("binding", "Limits"))
        parts.append(_section("binding", "What limits the plan",
                              '<p class="note">The limits that bind, largest marginal value first (five a year; '
                              "all in binding.csv): what one more unit of each would save (a cap) or cost (a "
                              "requirement), in discounted US dollars.</p>" +
                              _wide(table_html(bt, "binding", num_cols=[bt.columns[3], "slack"]))))
    xt = capex_table(res)
    if xt is not None:
        sections.append(("capex", "Capex"))
        parts.append(_section("capex", "Overnight capex by year and component",
                              '<p class="note">Overnight capital commissioned in each planning year, not '
                              "annualised, not discounted (capex.csv).</p>" +
                              _wide(table_html(xt, "capex", num_cols=list(xt.columns)))))
    ht = hourly_table(res)
    if ht is not None:
        sections.append(("hourly", "Hourly check"))
        parts.append(_section("hourly", "Hourly check: the plan on every hour of its years",
                              '<p class="note">The investments fixed, each year run hour by hour '
                              "(hourly_check.csv): load not served and the operating cost against the "
                              "plan's.</p>" +
                              _wide(table_html(ht, "hourly", num_cols=[c for c in ht.columns if c != "site"]))))
    sections.append(("figures", "Figures"))
    figs = []
    for fname, png in images.items():
        cap = _CAPTIONS.get(fname, fname)
        b64 = base64.b64encode(png).decode("ascii")
        figs.append(f"<figure id=\"fig-{e(fname)}\" data-figure=\"{e(fname)}\"><img alt=\"{e(cap)}\" "
                    f"src=\"data:image/png;base64,{b64}\"><figcaption>{e(cap)}</figcaption></figure>\n")
    parts.append(_section("figures", "Figures", "".join(figs)))
    sc = pd.DataFrame(_flatten({k: v for k, v in res.scenario.items() if k != "description"}),
                      columns=["setting", "value"])
    sections.append(("scenario", "Scenario"))
    parts.append(_section("scenario", "Scenario settings",
                          table_html(sc, "scenario", num_cols=[]) if len(sc) else "<p>No scenario settings "
                                                                                  "recorded.</p>"))
    head = (f"<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n<h1>{e(title)}</h1>\n")
    if desc:
        head += f"<p class=\"lead\">{e(' '.join(str(desc).split()))}</p>\n"
    head += "<nav>" + "".join(f'<a href="#{a}">{e(t)}</a>' for a, t in sections) + "</nav>\n"
    return (head + "".join(parts) + "<footer>Written by siting; this page is self-contained and needs no "
            "network.</footer>\n</main>\n</body>\n</html>\n")


def write_report(res, folder: str | Path, zones=None, formats=("png", "svg"), name: str = "report.html") -> Path:
    """Write ``folder/figures/<figure>.<format>`` and ``folder/report.html``; returns the HTML's path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    formats = tuple(formats) if "png" in formats else ("png", *formats)
    paths = save_figures(res, folder / "figures", formats=formats, zones=zones)
    log.info("writing the report")
    t0 = time.perf_counter()
    page = report_html(res, zones=zones, images={n: p["png"].read_bytes() for n, p in paths.items()})
    out = folder / name
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    log.info("wrote %s (%.1f MB) in %.1f s", out, len(page.encode()) / 1e6, time.perf_counter() - t0)
    return out
