"""Read a solved model back into the tidy result tables (docs/data-format.md, result tables)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from ..results import clean_table
from .ledger import emission_terms, energy_mwh, served_mwh

TOL = 1e-9


def _vals(component) -> dict:
    return {k: (v if v is not None else 0.0) for k, v in component.extract_values().items()}


def _expr_vals(expr) -> dict:
    return {k: pyo.value(e, exception=False) or 0.0 for k, e in expr.items()}


def extract_tables(m) -> dict[str, pd.DataFrame]:
    """Tables sites, capacity, dispatch, chips, costs, emissions, summary and slices of a solved model.

    Also ``capex`` (overnight capex by year, component and site); with the optional features on,
    ``flexibility`` (flexible load) and ``cfe`` (24/7 CFE). Float values are cleaned of solver and
    summation noise (:func:`siting.results.clean_table`: |x| < 1e-9 is 0, others keep 10 significant
    digits), so ``1999.9999999999986`` MW is written as 2000 and a clean share of 2.2e-16 as 0.
    """
    inst = m.inst
    ix = m.ix
    sl = m.slices
    sites_df = inst.sites.set_index("site")
    years = list(m.YEARS)
    open_ = _vals(m.Open)
    modules = _vals(m.Modules)
    it = _vals(m.ITLoad)
    rows = []
    for s in m.SITES:
        peak_mult = float(ix.pue_peak[s])
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
    dispatch = dispatch_table(m, [(s, y) for s, y in ix.site_years if open_.get((s, y), 0.0) > 0.5])

    inst_v = _vals(m.Install)
    serv = _expr_vals(m.InService)
    keys = sorted(set(inst_v) | set(serv), key=lambda k: (k[1], k[0], k[2]))
    chips = pd.DataFrame([(s, g, y, inst_v.get((g, s, y), 0.0), serv.get((g, s, y), 0.0)) for g, s, y in keys],
                         columns=["site", "generation", "year", "units_installed", "units_in_service"])
    chips = chips[(chips.units_installed.abs() > TOL) | (chips.units_in_service.abs() > TOL)]
    pfl = inst.chips.set_index("generation")["pflops"]
    chips = chips.assign(it_mw=chips.units_in_service * chips.generation.map(ix.chip_mw_per_unit),
                         pflops=chips.units_in_service * chips.generation.map(pfl))
    chips = chips.sort_values(["site", "generation", "year"], ignore_index=True)

    ann = _expr_vals(m.AnnualCost)
    df = inst.discount_factors()
    costs = pd.DataFrame([(y, s, c, v, v * df[y]) for (c, s, y), v in ann.items() if abs(v) > 0],
                         columns=["year", "site", "component", "cost_usd", "cost_usd_discounted"])
    costs = costs.sort_values(["year", "site", "component"], ignore_index=True)

    em = _expr_vals(m.Emissions)
    emb = {(s, y): pyo.value(emission_terms(m, ix, s, y, "embodied"), exception=False) or 0.0
           for s, y in ix.site_years} if any(k == "embodied" for k, _ in m.ledger.emissions.values()) else {}
    emissions = pd.DataFrame([(s, y, em.get((s, y), 0.0) - emb.get((s, y), 0.0), emb.get((s, y), 0.0),
                               em.get((s, y), 0.0)) for s in m.SITES for y in years],
                             columns=["site", "year", "tco2_operational", "tco2_embodied", "tco2"])

    capex = capex_table(m)
    summary = _summary(m, sites, chips, costs, emissions)
    summary = _with_capex(summary, capex, chips, ix, costs)
    tables = {"sites": sites, "capacity": capacity, "dispatch": dispatch, "chips": chips, "costs": costs,
              "emissions": emissions, "summary": summary, "slices": sl.table(), "capex": capex}
    if ix.flex_levels:
        tables["flexibility"] = flexibility_table(m)
    if "CFE_Share_Site" in m.ledger.families or "CFE_Share_Portfolio" in m.ledger.families:
        tables["cfe"] = cfe_table(m)
    from .site_tables import site_attribute_tables

    tables.update(site_attribute_tables(m))  # water, connection, latency, metros (with their inputs)
    return {k: clean_table(v) for k, v in tables.items()}


def capex_table(m) -> pd.DataFrame:
    """Overnight capex commissioned per planning year, component and site (USD, non-zero rows): the
    ledger's capex terms (site, building, power, chips) at the solution. A planning year standing for
    n calendar years commissions what those n years do."""
    vals = _expr_vals(m.Capex)
    rows = [(y, c, s, v) for (c, s, y), v in vals.items() if abs(v) > TOL]
    df = pd.DataFrame(rows, columns=["year", "component", "site", "overnight_usd"])
    return df.sort_values(["year", "site", "component"], ignore_index=True)


def _with_capex(summary: pd.DataFrame, capex: pd.DataFrame, chips: pd.DataFrame, ix,
                costs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Summary columns capex_usd (overnight capex commissioned in the planning year), it_gw_installed (IT of
    the accelerators installed that year, GW), capex_usd_per_gw_it (their ratio: overnight capex per GW of
    IT commissioned, the figure published cost-per-GW comparisons use; NaN when nothing is installed) and
    cost_usd_per_gw_it_yr (the year's undiscounted cost, less the soft-target penalty ``shortfall``, which is
    no spending, per GW of IT in service; NaN without IT). These two are the only "cost per GW" of siting
    (docs/data-format.md, summary.csv)."""
    by_year = capex.groupby("year")["overnight_usd"].sum()
    inst_gw = (chips.units_installed * chips.generation.map(ix.chip_mw_per_unit)).groupby(chips.year).sum() / 1000.0
    s = summary.copy()
    s["capex_usd"] = s.year.map(by_year).fillna(0.0).to_numpy()
    s["it_gw_installed"] = s.year.map(inst_gw).fillna(0.0).to_numpy()
    gw = s["it_gw_installed"].to_numpy()
    s["capex_usd_per_gw_it"] = np.where(gw > 1e-9, s["capex_usd"].to_numpy() / np.where(gw > 1e-9, gw, 1.0), np.nan)
    it = s["it_gw"].to_numpy()
    spent = s["cost_usd"].to_numpy()
    if costs is not None and len(costs):
        penalty = costs.loc[costs["component"] == "shortfall"].groupby("year")["cost_usd"].sum()
        spent = spent - s.year.map(penalty).fillna(0.0).to_numpy()
    s["cost_usd_per_gw_it_yr"] = np.where(it > 1e-9, spent / np.where(it > 1e-9, it, 1.0), np.nan)
    return s


def _flow_values(m) -> dict:
    """Solved values of every flow's component: name -> {index: value} (a
    :class:`siting.solution.ValueTable` as it is)."""
    out = {}
    for f in m.ledger.flows:
        if f.var not in out:
            comp = getattr(m, f.var)
            out[f.var] = comp if hasattr(comp, "row") else _vals(comp)  # a ValueTable is read as it is
    return out


def dispatch_table(m, site_years) -> pd.DataFrame:
    """Power per site, series, year and slice (MW) from the ledger's flows at ``site_years``:
    injections positive, withdrawals (storage charge, facility load) negative; flows with the
    same label (a storage tech's discharge and charge) are netted."""
    ix = m.ix
    T = ix.n
    vals = _flow_values(m)
    keep = set(site_years)
    sites, techs, years, arrays = [], [], [], []
    for f in m.ledger.flows:
        v = vals[f.var]
        for label, s, y, idx in f.keys:
            if (s, y) not in keep:
                continue
            x = np.asarray(f.series(v, idx, T), dtype=float)
            if f.scale is not None:
                x = x * np.asarray(f.scale(s), dtype=float)
            sites.append(s)
            techs.append(label)
            years.append(y)
            arrays.append(f.sign * x)
    if not arrays:
        return pd.DataFrame(columns=["site", "tech", "year", "slice", "power_mw"])
    n = len(arrays)
    df = pd.DataFrame({"site": np.repeat(sites, T), "tech": np.repeat(techs, T), "year": np.repeat(years, T),
                       "slice": np.tile(np.arange(T), n), "power_mw": np.concatenate(arrays)})
    if df.duplicated(["site", "tech", "year", "slice"]).any():
        df = df.groupby(["site", "tech", "year", "slice"], as_index=False, sort=False)["power_mw"].sum()
    return df.sort_values(["site", "year", "tech", "slice"], ignore_index=True)


def flexibility_table(m) -> pd.DataFrame:
    """Per flexible site and year: the chosen level, its headroom share, curtailment and compute lost."""
    from ..schema import FLEX_LEVELS

    ix = m.ix
    flex = _vals(m.Flex)
    fmw = _vals(m.FlexMW)
    cu = _vals(m.Curtail)
    it = _vals(m.ITLoad)
    serv = _expr_vals(m.InService)
    cbc = _vals(m.CurtailByChip) if hasattr(m, "CurtailByChip") else None
    ann = _expr_vals(m.AnnualCost)
    pflops = m.inst.chips.set_index("generation")["pflops"]
    mw = ix.chip_mw_per_unit
    w = np.asarray(ix.weight_h, dtype=float)
    T = ix.n
    fsy = set(m.FLEX_SITE_YEARS)
    rows = []
    for s in m.FLEX_SITES:
        chosen = [lv for lv in ix.flex_levels[s] if flex.get((s, lv), 0.0) > 0.5]
        lv = chosen[0] if chosen else None
        for y in m.YEARS:
            if (s, y) in fsy:
                c = np.array([cu[s, y, t] for t in range(T)])
                it_mwh = float(w @ c)
                fac_mwh = float(w @ (ix.pue_t[s] * c))
                head_mw = sum(fmw.get((s, lv2, y), 0.0) for lv2 in ix.flex_levels[s])
            else:
                it_mwh = fac_mwh = head_mw = 0.0
            gens = list(ix.chips_at.get((s, y), ()))
            if cbc is not None:
                eflops_h = sum(cbc.get((g, s, y), 0.0) / mw[g] * pflops[g] for g in gens if mw[g] > 0) / 1000.0
            else:
                itv = it.get((s, y), 0.0)
                pf = sum(pflops[g] * serv.get((g, s, y), 0.0) for g in gens)
                eflops_h = it_mwh * pf / itv / 1000.0 if itv > 1e-12 else 0.0
            rows.append((s, y, 100.0 * FLEX_LEVELS[lv] if lv else 0.0, head_mw, it_mwh, fac_mwh, eflops_h,
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
    ix = m.ix
    vals = _flow_values(m)
    inst = m.inst
    sy = set(ix.site_years)
    rows = []
    for s in ix.sites:
        for y in ix.years:
            target = inst.policy("cfe_share", y)
            target = float(target) if target is not None else np.nan
            if (s, y) not in sy:
                rows.append((s, y, 0.0, 0.0, np.nan, target))
                continue
            fac = float(served_mwh(m, ix, s, y, vals))
            matched = fac - float(energy_mwh(m, ix, s, y, "dirty", "hourly", vals))
            rows.append((s, y, fac, matched, matched / fac if fac > 1e-9 else np.nan, target))
    return pd.DataFrame(rows, columns=["site", "year", "facility_mwh", "cfe_matched_mwh", "cfe_score",
                                       "cfe_target"])


def _summary(m, sites, chips, costs, emissions) -> pd.DataFrame:
    """Per year: IT GW and EFLOPS against the targets, cost, tCO2 and the clean share on the basis the
    clean-share policy uses (consumption: 1 - non-clean supply / facility energy served; generation:
    clean supply, surplus included, / facility energy served)."""
    from .policy import clean_share_basis

    ix = m.ix
    vals = _flow_values(m)
    generation = clean_share_basis(m.inst) == "generation"
    years = ix.years
    energy = dict.fromkeys(years, 0.0)
    load = dict.fromkeys(years, 0.0)
    for s, y in ix.site_years:
        energy[y] += float(energy_mwh(m, ix, s, y, "clean" if generation else "dirty", "annual", vals))
        load[y] += float(served_mwh(m, ix, s, y, vals))
    rows = []
    for y in years:
        it_gw = sites.loc[sites.year == y, "it_mw"].sum() / 1000.0
        eflops = chips.loc[chips.year == y, "pflops"].sum() / 1000.0
        share = (energy[y] / load[y] if generation else 1.0 - energy[y] / load[y]) if load[y] > 0 else np.nan
        rows.append((y, it_gw, ix.target_it_mw.get(y, np.nan) / 1000.0, eflops,
                     ix.target_pflops.get(y, np.nan) / 1000.0, costs.loc[costs.year == y, "cost_usd"].sum(),
                     emissions.loc[emissions.year == y, "tco2"].sum(),
                     float(np.clip(share, 0.0, 1.0)) if load[y] > 0 else share))
    return pd.DataFrame(rows, columns=["year", "it_gw", "target_it_gw", "eflops", "target_eflops", "cost_usd",
                                       "tco2", "clean_share"])
