"""Read a solved model back into the tidy result tables of DESIGN.md section 5."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

TOL = 1e-9


def _vals(component) -> dict:
    return {k: (v if v is not None else 0.0) for k, v in component.extract_values().items()}


def _expr_vals(expr) -> dict:
    return {k: pyo.value(e, exception=False) or 0.0 for k, e in expr.items()}


def extract_tables(m) -> dict[str, pd.DataFrame]:
    """Tables sites, capacity, dispatch, chips, costs, emissions, summary and slices of a solved model."""
    inst = m.inst
    sl = m.slices
    sites_df = inst.sites.set_index("site")
    years = list(m.YEARS)
    open_ = _vals(m.Open)
    modules = _vals(m.Modules)
    it = _vals(m.ITLoad)
    rows = []
    for s in m.SITES:
        peak_mult = float(np.max(m.pue_t[s]))
        for y in years:
            itv = it.get((s, y), 0.0)
            rows.append((s, y, sites_df.at[s, "zone"], float(sites_df.at[s, "lat"]), float(sites_df.at[s, "lon"]),
                         int(round(open_.get((s, y), 0.0))), int(round(modules.get((s, y), 0.0))), itv,
                         itv * peak_mult))
    sites = pd.DataFrame(rows, columns=["site", "year", "zone", "lat", "lon", "open", "modules", "it_mw",
                                        "facility_peak_mw"])

    cap = _vals(m.Cap)
    capacity = pd.DataFrame([(s, k, y, v) for (k, s, y), v in cap.items() if abs(v) > TOL],
                            columns=["site", "tech", "year", "capacity_mw"])
    capacity = capacity.sort_values(["site", "tech", "year"], ignore_index=True)

    # dispatch: injections positive, withdrawals (storage charge, facility load) negative
    T = sl.n
    parts = []
    open_sy = [(s, y) for s, y in m.SITE_YEARS if open_.get((s, y), 0.0) > 0.5]

    def block(keys, tech, values):
        if not keys:
            return
        n = len(keys)
        parts.append(pd.DataFrame({
            "site": np.repeat([k[0] for k in keys], T), "tech": np.repeat(tech if isinstance(tech, list) else
                                                                           [tech] * n, T),
            "year": np.repeat([k[1] for k in keys], T), "slice": np.tile(np.arange(T), n),
            "power_mw": np.concatenate(values)}))

    osy = set(open_sy)
    if hasattr(m, "Gen"):
        g = _vals(m.Gen)
        keys = [(s, y, k) for k, s, y in m.GEN_SITE_YEARS if (s, y) in osy]
        block([(s, y) for s, y, _ in keys], [k for _, _, k in keys],
              [np.array([g[k, s, y, t] for t in range(T)]) for s, y, k in keys])
    if hasattr(m, "Charge"):
        ch, dis = _vals(m.Charge), _vals(m.Discharge)
        keys = [(s, y, k) for k, s, y in m.STORAGE_SITE_YEARS if (s, y) in osy]
        block([(s, y) for s, y, _ in keys], [k for _, _, k in keys],
              [np.array([dis[k, s, y, t] - ch[k, s, y, t] for t in range(T)]) for s, y, k in keys])
    if hasattr(m, "Import"):
        imp = _vals(m.Import)
        keys = [(s, y) for s, y in m.GRID_SITE_YEARS if (s, y) in osy]
        block(keys, "grid_import", [np.array([imp[s, y, t] for t in range(T)]) for s, y in keys])
    block(open_sy, "facility_load", [-m.pue_t[s] * it.get((s, y), 0.0) for s, y in open_sy])
    dispatch = (pd.concat(parts, ignore_index=True) if parts else
                pd.DataFrame(columns=["site", "tech", "year", "slice", "power_mw"]))
    dispatch = dispatch.sort_values(["site", "year", "tech", "slice"], ignore_index=True)

    inst_v = _vals(m.Install)
    serv = _expr_vals(m.InService)
    keys = sorted(set(inst_v) | set(serv), key=lambda k: (k[1], k[0], k[2]))
    chips = pd.DataFrame([(s, g, y, inst_v.get((g, s, y), 0.0), serv.get((g, s, y), 0.0)) for g, s, y in keys],
                         columns=["site", "generation", "year", "units_installed", "units_in_service"])
    chips = chips[(chips.units_installed.abs() > TOL) | (chips.units_in_service.abs() > TOL)]
    watts = inst.chips.set_index("generation")["watts"]
    pfl = inst.chips.set_index("generation")["pflops"]
    chips = chips.assign(it_mw=chips.units_in_service * chips.generation.map(watts) / 1e6,
                         pflops=chips.units_in_service * chips.generation.map(pfl))
    chips = chips.sort_values(["site", "generation", "year"], ignore_index=True)

    ann = _expr_vals(m.AnnualCost)
    df = inst.discount_factors()
    costs = pd.DataFrame([(y, s, c, v, v * df[y]) for (c, s, y), v in ann.items() if abs(v) > 0],
                         columns=["year", "site", "component", "cost_usd", "cost_usd_discounted"])
    costs = costs.sort_values(["year", "site", "component"], ignore_index=True)

    em = _expr_vals(m.Emissions)
    emissions = pd.DataFrame([(s, y, em.get((s, y), 0.0)) for s in m.SITES for y in years],
                             columns=["site", "year", "tco2"])

    summary = _summary(m, sites, chips, costs, emissions)
    return {"sites": sites, "capacity": capacity, "dispatch": dispatch, "chips": chips, "costs": costs,
            "emissions": emissions, "summary": summary, "slices": sl.table()}


def _summary(m, sites, chips, costs, emissions) -> pd.DataFrame:
    inst = m.inst
    years = list(m.YEARS)
    techs = inst.techs.set_index("tech")
    zones = inst.zones.set_index("zone")
    w = np.asarray(m.slices.weight_h)
    gen = _vals(m.Gen) if hasattr(m, "Gen") else {}
    imp = _vals(m.Import) if hasattr(m, "Import") else {}
    T = m.slices.n
    it = sites.set_index(["site", "year"])["it_mw"]
    dirty = dict.fromkeys(years, 0.0)
    load = dict.fromkeys(years, 0.0)
    if hasattr(m, "Gen"):
        for k, s, y in m.GEN_SITE_YEARS:
            if not techs.at[k, "clean"]:
                dirty[y] += float(w @ np.array([gen[k, s, y, t] for t in range(T)]))
    if hasattr(m, "Import"):
        for s, y in m.GRID_SITE_YEARS:
            share = zones.at[m.zone_of[s], "grid_clean_share"]
            dirty[y] += (1.0 - (0.0 if pd.isna(share) else share)) * float(
                w @ np.array([imp[s, y, t] for t in range(T)]))
    for s, y in m.SITE_YEARS:
        load[y] += float(w @ m.pue_t[s]) * it[s, y]
    rows = []
    for y in years:
        it_gw = sites.loc[sites.year == y, "it_mw"].sum() / 1000.0
        eflops = chips.loc[chips.year == y, "pflops"].sum() / 1000.0
        rows.append((y, it_gw, m.target_it_mw.get(y, np.nan) / 1000.0, eflops,
                     m.target_pflops.get(y, np.nan) / 1000.0, costs.loc[costs.year == y, "cost_usd"].sum(),
                     emissions.loc[emissions.year == y, "tco2"].sum(),
                     float(np.clip(1.0 - dirty[y] / load[y], 0.0, 1.0)) if load[y] > 0 else np.nan))
    return pd.DataFrame(rows, columns=["year", "it_gw", "target_it_gw", "eflops", "target_eflops", "cost_usd",
                                       "tco2", "clean_share"])
