"""The self-contained HTML report: run facts, tables by year and site, the figures as base64 PNG."""

from __future__ import annotations

import base64
import html
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ._common import log
from .figures import _png_bytes, make_figures, save_figures


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
