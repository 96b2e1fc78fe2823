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
    """Tables sites, capacity, dispatch, chips, costs, emissions, summary and slices of a solved model.

    With the optional features on, also ``flexibility`` (flexible load) and ``cfe`` (24/7 CFE).
    """
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
    if hasattr(m, "Curtail"):
        cu = _vals(m.Curtail)
        keys = [(s, y) for s, y in m.FLEX_SITE_YEARS if (s, y) in osy]
        block(keys, "curtailment", [m.pue_t[s] * np.array([cu[s, y, t] for t in range(T)]) for s, y in keys])
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
    emb = _expr_vals(m.EmbodiedEmissions) if hasattr(m, "EmbodiedEmissions") else {}
    emissions = pd.DataFrame([(s, y, em.get((s, y), 0.0) - emb.get((s, y), 0.0), emb.get((s, y), 0.0),
                               em.get((s, y), 0.0)) for s in m.SITES for y in years],
                             columns=["site", "year", "tco2_operational", "tco2_embodied", "tco2"])

    summary = _summary(m, sites, chips, costs, emissions)
    tables = {"sites": sites, "capacity": capacity, "dispatch": dispatch, "chips": chips, "costs": costs,
              "emissions": emissions, "summary": summary, "slices": sl.table()}
    if hasattr(m, "Flex"):
        tables["flexibility"] = flexibility_table(m)
    if hasattr(m, "CFE_Share_Site") or hasattr(m, "CFE_Share_Portfolio"):
        tables["cfe"] = cfe_table(m)
    return tables


def flexibility_table(m) -> pd.DataFrame:
    """Per flexible site and year: the chosen level, its headroom share, curtailment and compute lost."""
    from ..schema import FLEX_LEVELS

    flex = _vals(m.Flex)
    fmw = _vals(m.FlexMW)
    cu = _vals(m.Curtail)
    it = _vals(m.ITLoad)
    serv = _expr_vals(m.InService)
    cbc = _vals(m.CurtailByChip) if hasattr(m, "CurtailByChip") else None
    ann = _expr_vals(m.AnnualCost)
    chips = m.inst.chips.set_index("generation")
    w = np.asarray(m.slices.weight_h, dtype=float)
    T = m.slices.n
    fsy = set(m.FLEX_SITE_YEARS)
    rows = []
    for s in m.FLEX_SITES:
        chosen = [lv for lv in m.flex_levels[s] if flex.get((s, lv), 0.0) > 0.5]
        lv = chosen[0] if chosen else None
        for y in m.YEARS:
            if (s, y) in fsy:
                c = np.array([cu[s, y, t] for t in range(T)])
                it_mwh = float(w @ c)
                fac_mwh = float(w @ (m.pue_t[s] * c))
                mw = sum(fmw.get((s, lv2, y), 0.0) for lv2 in m.flex_levels[s])
            else:
                it_mwh = fac_mwh = mw = 0.0
            gens = [g for g in m.chips_at.get((s, y), ())]
            if cbc is not None:
                eflops_h = sum(cbc.get((g, s, y), 0.0) / (chips.at[g, "watts"] / 1e6) * chips.at[g, "pflops"]
                               for g in gens if chips.at[g, "watts"] > 0) / 1000.0
            else:
                itv = it.get((s, y), 0.0)
                pf = sum(chips.at[g, "pflops"] * serv.get((g, s, y), 0.0) for g in gens)
                eflops_h = it_mwh * pf / itv / 1000.0 if itv > 1e-12 else 0.0
            rows.append((s, y, 100.0 * FLEX_LEVELS[lv] if lv else 0.0, mw, it_mwh, fac_mwh, eflops_h,
                         ann.get(("lost_compute", s, y), 0.0)))
    return pd.DataFrame(rows, columns=["site", "year", "flex_level_pct", "flex_headroom_mw", "curtailed_it_mwh",
                                       "curtailed_facility_mwh", "lost_eflops_h", "lost_compute_usd"])


def cfe_table(m) -> pd.DataFrame:
    """Per site and year: facility energy served, the energy matched hour by hour by clean supply, the score.

    matched = sum_t w_t (load_t - non-clean supply_t), with load = pue_t x (IT load - curtailment)
    and non-clean supply = non-clean generation + (1 - grid_clean_share(t)) x import: the load of
    each slice less what fossil sources supplied in that slice (docs/formulation.md 13.3). It can
    be computed on any solved model (the CFE policy need not be on).
    """
    from .cfe import grid_clean_share_t

    techs = m.inst.techs.set_index("tech")
    w = np.asarray(m.slices.weight_h, dtype=float)
    T = m.slices.n
    gen = _vals(m.Gen) if hasattr(m, "Gen") else {}
    imp = _vals(m.Import) if hasattr(m, "Import") else {}
    cu = _vals(m.Curtail) if hasattr(m, "Curtail") else {}
    it = _vals(m.ITLoad)
    grid = set(getattr(m, "has_grid", set()))
    gens_at = getattr(m, "gens_at", {})
    inst = m.inst
    rows = []
    for s in m.SITES:
        kappa = np.asarray(grid_clean_share_t(m, s))
        for y in m.YEARS:
            target = inst.policy("cfe_share", y)
            target = float(target) if target is not None else np.nan
            if (s, y) not in m.SITE_YEARS:
                rows.append((s, y, 0.0, 0.0, np.nan, target))
                continue
            dirty = np.zeros(T)
            for k in gens_at.get((s, y), ()):
                if not techs.at[k, "clean"]:
                    dirty += np.array([gen[k, s, y, t] for t in range(T)])
            if (s, y) in grid:
                dirty += (1.0 - kappa) * np.array([imp[s, y, t] for t in range(T)])
            load = m.pue_t[s] * it.get((s, y), 0.0)
            if cu and (s, y) in m.FLEX_SITE_YEARS:
                load = load - m.pue_t[s] * np.array([cu[s, y, t] for t in range(T)])
            fac = float(w @ load)
            matched = float(w @ (load - dirty))
            rows.append((s, y, fac, matched, matched / fac if fac > 1e-9 else np.nan, target))
    return pd.DataFrame(rows, columns=["site", "year", "facility_mwh", "cfe_matched_mwh", "cfe_score",
                                       "cfe_target"])


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
    if hasattr(m, "Curtail"):
        cu = _vals(m.Curtail)
        for s, y in m.FLEX_SITE_YEARS:
            load[y] -= float((w * m.pue_t[s]) @ np.array([cu[s, y, t] for t in range(T)]))
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
