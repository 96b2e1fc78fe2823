"""The tables of the HTML report: summary by year, chosen sites, power capacity by site, binding limits,
capex, the hourly check. Each builder returns a DataFrame with readable column names (units in
brackets) or None when the results hold nothing for it; :func:`table_html` writes one as HTML."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from ..results import plan_cost, plan_per_gw


def fmt(v, digits: int = 3) -> str:
    """A number as a person writes it: thousands separators, a few significant digits, "–" for missing."""
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return "–"
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, int | np.integer):
        return f"{int(v):,}" if abs(int(v)) >= 10000 else str(int(v))
    if isinstance(v, float | np.floating):
        v = float(v)
        if v == 0:
            return "0"
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        text = f"{v:,.{digits}g}" if abs(v) < 1 else f"{v:,.{max(digits - 1, 1)}f}".rstrip("0").rstrip(".")
        return "0" if float(text.replace(",", "")) == 0 else text
    return str(v)


def decimals(values) -> int | None:
    """Decimals for a column of floats, from its largest magnitude: 0 from 100, 1 from 10, 2 from 1, else 3
    (None: not a float column)."""
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    v = np.abs(v[np.isfinite(v)])
    if not len(v) or np.all(v == np.round(v)):
        return None
    top = float(v.max())
    return 0 if top >= 100 else 1 if top >= 10 else 2 if top >= 1 else 3


def _cell(v, d: int | None) -> str:
    if d is None or not isinstance(v, float | np.floating) or v != v:
        return fmt(v)
    text = f"{float(v):,.{d}f}"
    return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text


def table_html(df: pd.DataFrame, cls: str = "", num_cols=None, bars: str | None = None) -> str:
    """``df`` as an HTML table; numbers right-aligned, each float column with the same decimals throughout.
    ``bars``: a numeric column drawn also as a small bar."""
    num_cols = set(df.columns if num_cols is None else num_cols)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    top = float(df[bars].max()) if bars is not None and len(df) else 0.0
    dec = {c: decimals(df[c]) if c in num_cols and df[c].dtype.kind == "f" else None for c in df.columns}
    rows = []
    for r in df.itertuples(index=False):
        cells = []
        for c, v in zip(df.columns, r, strict=True):
            num = c in num_cols and isinstance(v, str | int | float | np.integer | np.floating) \
                and not isinstance(v, bool)
            text = html.escape(v if isinstance(v, str) else _cell(v, dec[c]))
            if c == bars and num and top > 0 and v == v:
                width = max(0.0, 100.0 * float(v) / top)
                text = (f'<span class="bar"><span style="width:{width:.1f}%"></span></span>{text}')
            cells.append(f'<td class="num">{text}</td>' if num else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def summary_table(res) -> pd.DataFrame:
    """Per year: IT and compute against the targets, cost ($B, undiscounted and discounted), the two cost per
    GW figures, emissions, clean share, shortfalls (soft targets). With soft targets the costs are the plan's
    own (``plan_cost_usd``; the discounted cost without the ``shortfall`` component) and the penalty has a
    column of its own."""
    s = res.tables["summary"]
    c = res.tables["costs"]
    # the soft-target penalty is no spending: the cost columns are the plan's, the penalty a column of its own
    if len(c):
        c = c[c["component"] != "shortfall"]
    disc = c.groupby("year")["cost_usd_discounted"].sum() if len(c) else pd.Series(dtype=float)
    per_yr = (s["cost_usd_per_gw_it_yr"] if "cost_usd_per_gw_it_yr" in s.columns
              else s["cost_usd"] / s["it_gw"].where(s["it_gw"] > 1e-9))
    out = {"year": s["year"].astype(int), "IT (GW)": s["it_gw"], "IT target (GW)": s["target_it_gw"],
           "compute (EFLOPS)": s["eflops"]}
    if s["target_eflops"].notna().any():
        out["compute target (EFLOPS)"] = s["target_eflops"]
    out |= {"cost ($B/yr, undiscounted)": plan_cost(s) / 1e9,
            "cost per GW of IT ($B/GW-yr)": per_yr / 1e9}
    if "capex_usd" in s.columns:
        out |= {"overnight capex ($B)": s["capex_usd"] / 1e9, "IT commissioned (GW)": s["it_gw_installed"],
                "capex per GW of IT ($B/GW)": s["capex_usd_per_gw_it"] / 1e9}
    out |= {"cost, discounted ($B)": s["year"].map(disc).fillna(0.0).to_numpy() / 1e9,
            "emissions (kt CO2)": s["tco2"] / 1e3,
            "clean share (%)": (s["clean_share"].clip(lower=0.0) * 100.0).round(1)}
    if "shortfall_it_mw" in s.columns:
        out["IT short of target (MW)"] = s["shortfall_it_mw"]
    if "shortfall_penalty_usd" in s.columns:
        out["shortfall penalty ($B/yr, undiscounted)"] = s["shortfall_penalty_usd"] / 1e9
    if "shortfall_pflops" in s.columns:
        out["compute short of target (PFLOPS)"] = s["shortfall_pflops"]
    return pd.DataFrame(out)


def plan_line(res) -> str:
    """The plan's two cost-per-GW figures in words."""
    s = res.tables["summary"]
    per = plan_per_gw(s)
    ys = s["year"]
    parts = [f"${per['cost_usd_per_gw_it_yr'] / 1e9:,.2f} B per GW-year of IT in service (annual cost, "
             "undiscounted; <code>cost_usd_per_gw_it_yr</code>)"]
    if per["capex_usd_per_gw_it"] == per["capex_usd_per_gw_it"]:
        parts.insert(0, f"overnight capex ${per['capex_usd_per_gw_it'] / 1e9:,.2f} B per GW of IT commissioned "
                        "(<code>capex_usd_per_gw_it</code>)")
    return f"Over {ys.min()}–{ys.max()}: " + "; ".join(parts) + "."


def sites_table(res) -> pd.DataFrame:
    """The chosen sites: zone, first year, IT by year, facility peak, total power capacity of the last year."""
    g = res.sites_geo()
    ch = g[g["chosen"]]
    years = [c for c in g.columns if c.startswith("it_mw_")]
    cap = res.tables["capacity"]
    last = cap["year"].max() if len(cap) else None
    total = cap[cap["year"] == last].groupby("site")["capacity_mw"].sum() if last is not None else pd.Series()
    out = pd.DataFrame({"site": ch["site"], "zone": ch["zone"], "first year": ch["first_year"].astype(object)})
    for c in years:
        out[f"IT {c.removeprefix('it_mw_')} (MW)"] = ch[c]
    out["facility peak (MW)"] = ch["facility_peak_mw"]
    out[f"power capacity {last if last is not None else ''} (MW)"] = ch["site"].map(total).fillna(0.0).to_numpy()
    out["_it"] = ch["it_mw"].to_numpy()  # largest over the years: the largest sites first
    return out.sort_values("_it", ascending=False, kind="stable").drop(columns="_it").reset_index(drop=True)


def capacity_table(res) -> pd.DataFrame | None:
    """Power capacity by chosen site (rows) and technology (columns) in the last year, MW, with the total."""
    cap = res.tables["capacity"]
    if not len(cap):
        return None
    last = cap["year"].max()
    t = cap[cap["year"] == last].pivot_table(index="site", columns="tech", values="capacity_mw", aggfunc="sum")
    t = t.fillna(0.0)
    t = t[t.sum().sort_values(ascending=False, kind="stable").index]
    t.insert(0, "total", t.sum(axis=1))
    t = t.sort_values("total", ascending=False, kind="stable")
    t.columns = [f"{c} (MW)" for c in t.columns]
    return t.rename_axis(f"site ({int(last)})").reset_index()


def binding_table(res, top: int = 5) -> pd.DataFrame | None:
    """Per year, the ``top`` limits with the largest marginal value (the ``binding`` table, hubs left closed
    left out: :func:`siting.model.binding.at_open_hubs`)."""
    from ..model.binding import at_open_hubs

    b = at_open_hubs(res.tables.get("binding"), res.tables.get("sites"))
    if b is None or not len(b):
        return None
    b = b.sort_values(["year", "marginal_usd"], ascending=[True, False], kind="stable").groupby("year").head(top)
    from ..model.binding import _money, _one

    return pd.DataFrame({"year": b["year"].astype("Int64").astype(object), "limit": b["what"], "where": b["where"],
                         "value of one more (discounted)": [f"{_money(v)} per {_one(u)}" for v, u in
                                                            zip(b["marginal_usd"], b["per"], strict=True)],
                         "slack": b["slack"]}).reset_index(drop=True)


def capex_table(res) -> pd.DataFrame | None:
    """Overnight capex by year and component ($B), its total, IT commissioned and capex per GW of IT."""
    c = res.tables.get("capex")
    if c is None or not len(c):
        return None
    t = c.pivot_table(index="year", columns="component", values="overnight_usd", aggfunc="sum").fillna(0.0) / 1e9
    t.columns = [f"{k} ($B)" for k in t.columns]
    t["total ($B)"] = t.sum(axis=1)
    s = res.tables["summary"].set_index("year")
    if "it_gw_installed" in s.columns:
        t["IT commissioned (GW)"] = s["it_gw_installed"].reindex(t.index).to_numpy()
        t["capex per GW of IT ($B/GW)"] = (s["capex_usd_per_gw_it"].reindex(t.index) / 1e9).to_numpy()
    return t.rename_axis("year").reset_index()


#: hourly_check columns and how the report names them
HOURLY = {"site": "site", "year": "year", "unserved_mwh": "unserved (MWh)", "unserved_hours": "hours with unserved",
          "operating_cost_usd": "operating cost, 8760 h ($M)", "plan_operating_cost_usd": "operating cost, plan ($M)"}


def hourly_table(res) -> pd.DataFrame | None:
    """The ``hourly_check`` table (the plan run on every hour of its years), with readable names."""
    h = res.tables.get("hourly_check")
    if h is None or not len(h):
        return None
    out = h.copy()
    for c in ("operating_cost_usd", "plan_operating_cost_usd"):
        if c in out.columns:
            out[c] = out[c] / 1e6
    return out.rename(columns=HOURLY)
