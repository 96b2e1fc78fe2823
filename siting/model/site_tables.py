"""Result tables of the site attributes: ``water`` (per site and year), ``connection`` (per site), ``latency``
(the assignment of each metro's inference to sites) and ``metros`` (the latency each metro sees).

Each table exists only when its input is given (cooling.csv; substation_km or fiber_km; metros.csv).
Units are in the column names (docs/data-format.md, result tables).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from ..attributes import cooling_options, fiber_costs, latency, metro_demand, spur_lines, water_limits, water_prices
from ..units import HOURS


def _vals(component) -> dict:
    return {k: (v if v is not None else 0.0) for k, v in component.extract_values().items()}


def site_attribute_tables(m) -> dict[str, pd.DataFrame]:
    """The tables of the site attributes present on the solved model ``m`` (none without their inputs)."""
    out = {}
    if m.component("Cool") is not None:
        out["water"] = water_table(m)
    spur, fiber = spur_lines(m.inst), fiber_costs(m.inst)
    if spur or fiber:
        out["connection"] = connection_table(m, spur, fiber)
    if m.component("Serve") is not None:
        out["latency"], out["metros"] = latency_tables(m)
    return out


def water_table(m) -> pd.DataFrame:
    """site, year, cooling (the option chosen), it_mwh, water_m3, water_limit_m3 (NaN: none),
    water_price_usd_per_m3 (stress cost included) and water_usd."""
    inst, ix = m.inst, m.ix
    cool = _vals(m.Cool)
    it = _vals(m.ITLoad)
    water = {k: pyo.value(e, exception=False) or 0.0 for k, e in m.Water.items()}
    price = water_prices(inst)
    site_lim, _zone = water_limits(inst)
    rows = []
    for s, opts in cooling_options(inst).items():
        chosen = next((o for o in opts if cool.get((s, o), 0.0) > 0.5), None)
        for y in ix.years:
            w = water.get((s, y), 0.0)
            rows.append((s, y, chosen, HOURS * it.get((s, y), 0.0), w, site_lim.get(s, np.nan), price[s],
                         price[s] * w))
    return pd.DataFrame(rows, columns=["site", "year", "cooling", "it_mwh", "water_m3", "water_limit_m3",
                                       "water_price_usd_per_m3", "water_usd"])


def connection_table(m, spur: dict, fiber: dict) -> pd.DataFrame:
    """Per site with a spur line or a fiber route: substation_km, spur_route_km, spur_kv, spur_lines (parallel
    lines of spur_circuits circuits), spur_usd, spur_lead_years, first_grid_year, fiber_km, fiber_usd and
    opened (the site opens in some year: the costs are paid)."""
    inst, ix = m.inst, m.ix
    sites = inst.sites.set_index("site")
    open_ = _vals(m.Open)
    rows = []
    for s in ix.sites:
        if s not in spur and s not in fiber:
            continue
        sp = spur.get(s)
        fk = sites.at[s, "fiber_km"] if "fiber_km" in sites.columns else np.nan
        rows.append((s, float(sites.at[s, "substation_km"]) if sp else np.nan, sp.route_km if sp else np.nan,
                     sp.kv if sp else 0, sp.circuits if sp else 0, sp.lines if sp else 0, sp.usd if sp else 0.0,
                     sp.lead_years if sp else 0, ix.grid_first_year[s], float(fk) if s in fiber else np.nan,
                     fiber.get(s, 0.0), any(open_.get((s, y), 0.0) > 0.5 for y in ix.years)))
    return pd.DataFrame(rows, columns=["site", "substation_km", "spur_route_km", "spur_kv", "spur_circuits",
                                       "spur_lines", "spur_usd", "spur_lead_years", "first_grid_year", "fiber_km",
                                       "fiber_usd", "opened"])


def latency_tables(m) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``latency``: metro, site, year, served_it_mw, latency_ms (round trip) of every non-zero assignment;
    ``metros``: metro, year, inference_it_mw (what the metro needs), served_it_mw, budget_ms, max_latency_ms
    and mean_latency_ms (weighted by the MW served; NaN when nothing is served)."""
    inst, ix = m.inst, m.ix
    lat = latency(inst)
    demand = metro_demand(inst)
    serve = _vals(m.Serve)
    it = _vals(m.ITLoad)
    rows = [(k, s, y, v, lat.rtt[k, s]) for (k, s, y), v in serve.items() if v > 1e-9]
    assign = pd.DataFrame(rows, columns=["metro", "site", "year", "served_it_mw", "latency_ms"])
    out = []
    for k, y in sorted(demand, key=lambda i: (lat.metros.index(i[0]), i[1])):
        kind, v = demand[k, y]
        need = v if kind == "mw" else v * sum(it.get((s, y), 0.0) for s in ix.sites_in[y])
        g = assign[(assign.metro == k) & (assign.year == y)]
        mw = float(g.served_it_mw.sum())
        out.append((k, y, need, mw, lat.budget[k], float(g.latency_ms.max()) if mw > 0 else np.nan,
                    float((g.served_it_mw * g.latency_ms).sum() / mw) if mw > 0 else np.nan))
    metros = pd.DataFrame(out, columns=["metro", "year", "inference_it_mw", "served_it_mw", "budget_ms",
                                        "max_latency_ms", "mean_latency_ms"])
    return assign.sort_values(["metro", "year", "site"], ignore_index=True), metros
