"""Write the instance folder an :class:`~siting.data.InstanceBuilder` assembled.

CSV files follow their contract in :mod:`siting.schema` (booleans as ``true``/``false``,
whole numbers without a decimal point, profile values to 6 significant digits);
scenario.toml is written by a small TOML writer for the value types scenario.toml uses;
README.md records the sources, the clock and the defaults filled.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..schema import TABLES

__all__ = ["write_csv", "toml_text", "readme_text", "fmt_offset"]


def fmt_offset(o) -> str:
    """``+5`` for a whole-hour offset, `` (America/Chicago standard time)`` for a time-zone name."""
    return f"{o:+d}" if isinstance(o, (int, np.integer)) else f" ({o} standard time)"


def write_csv(df: pd.DataFrame, path: Path, table: str) -> None:
    """Write one instance table as its CSV file, cells formatted as its contract reads them."""
    t = TABLES[table]
    df = df.copy()
    for c in t.columns:
        if c.name in df.columns and c.dtype == "bool":
            df[c.name] = df[c.name].map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v))
                                        else ("true" if bool(v) else "false"))
        if c.name in df.columns and c.dtype == "int":
            df[c.name] = df[c.name].map(lambda v: "" if pd.isna(v) else str(int(v)))
    if table == "profiles":
        df["value"] = df["value"].map(lambda v: f"{v:.6g}")
    elif table == "sites" and "site_capex_usd" in df.columns:
        df["site_capex_usd"] = df["site_capex_usd"].round(0)
    elif table in ("techs", "zones"):
        num = [c.name for c in t.columns if c.dtype == "float" and c.name in df.columns]
        df[num] = df[num].apply(lambda s: pd.to_numeric(s, errors="coerce").round(6))
    df.to_csv(path, index=False)


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {v!r} to TOML")


def toml_text(sc: dict) -> str:
    """scenario.toml text: top-level keys, then one [table] per dict (per-year values as inline tables)."""
    lines = []
    tables = {k: v for k, v in sc.items() if isinstance(v, dict)}
    for k, v in sc.items():
        if not isinstance(v, dict):
            lines.append(f"{k} = {_toml_value(v)}")
    for k, v in tables.items():
        lines.append("")
        lines.append(f"[{k}]")
        for kk, vv in v.items():
            if isinstance(vv, dict):  # per-year values, e.g. clean_share = {2030 = 0.5}
                inner = ", ".join(f'"{y}" = {_toml_value(x)}' for y, x in vv.items())
                lines.append(f"{kk} = {{{inner}}}")
            else:
                lines.append(f"{kk} = {_toml_value(vv)}")
    return "\n".join(lines) + "\n"


def readme_text(*, name: str, dollar_year: int, profile_year: int, utc_offset, notes: list[str],
                substations: dict | None, site_defaults: dict, defaults_dollar_year: int,
                queue_wait: float | None, chips_default: bool, discount_rate, reports: list[str]) -> str:
    """README.md of a built instance: money and clock, every source note, the defaults filled, the reports."""
    lines = [f"# {name}", "", "Built with `siting.data.InstanceBuilder`.", "",
             f"Money in {dollar_year} US dollars. Profiles: hour 0 = 00:00-01:00 on 1 January "
             f"{profile_year}, clock " + (f"UTC{fmt_offset(utc_offset)}" if utc_offset is not None
                                          else "of each source's local standard time")
             + ", no daylight saving, 29 February dropped.", "", "## Sources", ""]
    lines += [f"- {n}" for n in notes]
    if substations is not None:
        o = substations
        lines.append(f"- Substations {getattr(o['src'], 'name', o['src'])}: nearest at >= {o['min_kv']:g} kV "
                     f"({o['voltage_column']}), geodesic WGS84 distance; interconnect_usd = "
                     f"{o['usd_per_mw_km']:g} $/MW-km x route factor {o['route_factor']:g} x km x grid_mw"
                     + (", added to site_capex_usd" if o["add"] else " (reports only)") + ".")
    lines += ["", "## Defaults filled", "",
              f"- sites: {site_defaults} ({defaults_dollar_year}$ restated to {dollar_year}$ with CPI-U); "
              "site_capex_usd = acres_per_mw x land_usd_per_acre x max_it_mw"
              + (" + interconnection cost" if substations else "") + "; grid_mw = ceil(max_it_mw x pue)"
              + (f"; grid_year = request year + {round(queue_wait)}" if queue_wait is not None
                 else "; grid_year = first planning year"),
              f"- chips: {'siting.data.DEFAULT_CHIPS (the toy instance)' if chips_default else 'given'}",
              f"- discount_rate: {discount_rate}"]
    if any("CC BY-NC" in n for n in notes):
        lines += ["", "**Licence: part of this instance comes from renewables.ninja (CC BY-NC 4.0): "
                      "non-commercial use only.**"]
    if reports:
        lines += ["", "## reports/", ""] + [f"- {k}.csv" for k in reports]
    return "\n".join(lines) + "\n"
