"""Why is a model infeasible? Relax its limits with penalised slacks and report the ones used.

:func:`explain_infeasible` is called by :mod:`siting.solve` when HiGHS proves a model
infeasible although every year passes the reachability checks of :mod:`siting.checks`. It
compiles the model again, adds a slack column to every row of the constraint families in
:data:`FAMILIES` (both sides of an equality, the loosening side of an inequality), drops the
cost, and minimises the weighted slack: first on the LP relaxation, then, if the relaxation
needs no slack (the integrality of sites, modules and units is what fails), on the MIP within a
time limit. The families whose slacks are used are the limits that bind together; the
paragraph names them with their years, sites or zones and amounts.

Slacks are weighted in MW-year equivalents (a MW short in every slice of a year weighs 1), times
a tier: the limits a planner may negotiate (headroom, grid connection, on-site limits, site
capacity, chip supply, CO2 cap, clean share) weigh 1, the power balance 10 and the targets 100,
so that the targets are relaxed only when no limit can absorb the gap.
"""

from __future__ import annotations

import logging
import time

import numpy as np

__all__ = ["explain_infeasible", "relax", "FAMILIES"]

log = logging.getLogger("siting")

#: family -> (tier weight, per slice?, the limit in words, unit, which way it would have to move)
FAMILIES: dict[str, tuple[float, bool, str, str, str]] = {
    "Zonal_Headroom": (1.0, True, "the zonal grid headroom (zones.csv headroom_mw)", "MW", "more"),
    "Grid_Import_Limit": (1.0, True, "the grid connection (sites.csv grid_mw)", "MW", "more"),
    "Cap_Site_Limit": (1.0, False, "the on-site capacity limit (techs.csv max_mw_per_site)", "MW", "more"),
    "IT_Module_Limit": (1.0, False, "the site IT capacity (sites.csv max_it_mw)", "MW", "more"),
    "Chip_Supply_Limit": (1.0, False, "the accelerator supply (chips.csv max_units_per_year)", "units", "more"),
    "CO2_Cap": (1.0, False, "the CO2 cap (scenario.toml [policy] co2_cap_t)", "tCO2", "more"),
    "Clean_Share": (1.0, False, "the clean-energy share (scenario.toml [policy] clean_share)",
                    "MWh of non-clean energy", "more allowed"),
    "Supply_Limit": (1.0, False, "the equipment supply cap (supply.csv max_new_mw)", "MW", "more"),
    "Firm_Capacity": (1.0, False, "the firm-capacity requirement ([policy] reserve_margin, techs.csv firm_credit)",
                      "MW", "less"),
    "CFE_Share_Site": (1.0, False, "the 24/7 carbon-free share ([policy] cfe_share)",
                       "MWh of hourly-matched clean energy", "less required"),
    "CFE_Share_Portfolio": (1.0, False, "the 24/7 carbon-free share ([policy] cfe_share, portfolio)",
                            "MWh of hourly-matched clean energy", "less required"),
    "Flex_Zonal_Headroom": (1.0, True, "the zonal headroom for firm load (zones.csv headroom_mw)", "MW", "more"),
    "Power_Balance": (10.0, True, "the power supply of a site (its generators, storage and grid import)", "MW",
                      "more"),
    "IT_Target": (100.0, False, "the IT target (targets.csv it_gw)", "MW", "less"),
    "Compute_Target": (100.0, False, "the compute target (targets.csv compute_eflops)", "EFLOPS", "less"),
}

#: at most this many places are named per family
MAX_PLACES = 3


def _unit_weights(m) -> dict[str, float]:
    """Per family, the MW-year equivalent of one unit of slack (before the per-slice factor)."""
    inst = m.inst
    chips = inst.chips
    ratio = (chips["watts"] / chips["pflops"]).where(chips["pflops"] > 0)
    wpf = float(ratio.min()) if ratio.notna().any() else 1.0
    co2 = [float(v) for v in inst.techs["co2_t_per_mwh"]] + [float(v) for v in inst.zones["grid_co2_t_per_mwh"]]
    co2_max = max([v for v in co2 if v > 0], default=1.0)
    return {"Compute_Target": wpf / 1e3, "CO2_Cap": 1.0 / (8760.0 * co2_max), "Clean_Share": 1.0 / 8760.0,
            "CFE_Share_Site": 1.0 / 8760.0, "CFE_Share_Portfolio": 1.0 / 8760.0}


def relax(m, settings: dict | None = None, integer: bool = False) -> tuple[dict, str]:
    """Minimise the weighted slack needed to make ``m`` feasible.

    Returns ``(used, status)``: ``used`` maps family -> {place: amount} (places are the
    constraint's index without the slice; amounts in the family's unit, the largest over
    slices for per-slice families), ``status`` is ``"optimal"``, ``"time_limit"`` (the best
    found) or ``"failed"``.
    """
    import highspy

    from .solve import _compile, _run

    settings = settings or {}
    sf = _compile(m)
    cols = sf.columns
    n, nrow = len(cols), len(sf.rows)
    inf = highspy.kHighsInf
    A = sf.A if sf.A.format == "csc" else sf.A.tocsc()
    rhs = np.asarray(sf.rhs, dtype=float)
    sense = np.fromiter((r[1] for r in sf.rows), dtype=np.int8, count=nrow)
    weights = _unit_weights(m)
    w_h = {t: float(m.weight_h[t]) for t in m.SLICES}
    # slack columns: (row, sign, cost, family, place)
    s_row, s_sign, s_cost, s_fam, s_place = [], [], [], [], []
    for i, (con, sen) in enumerate(sf.rows):
        fam = con.parent_component().local_name
        spec = FAMILIES.get(fam)
        if spec is None:
            continue
        tier, per_slice = spec[0], spec[1]
        idx = con.index()
        idx = idx if isinstance(idx, tuple) else (idx,)
        unit = weights.get(fam, 1.0)
        if fam == "Chip_Supply_Limit":
            unit = float(m.watts[idx[0]]) / 1e6
        if per_slice:
            unit *= w_h[idx[-1]] / 8760.0
            place = idx[:-1]
        else:
            place = idx
        cost = tier * max(unit, 1e-12)
        for sign in ((1.0, -1.0) if sen == 0 else (-1.0,) if sen == 1 else (1.0,)):
            s_row.append(i)
            s_sign.append(sign)
            s_cost.append(cost)
            s_fam.append(fam)
            s_place.append(place)
    k = len(s_row)
    lp = highspy.HighsLp()
    lp.num_col_ = n + k
    lp.num_row_ = nrow
    lp.col_cost_ = np.r_[np.zeros(n), np.asarray(s_cost, dtype=float)]
    lp.col_lower_ = np.r_[np.array([-inf if v.lb is None else v.lb for v in cols], dtype=float), np.zeros(k)]
    lp.col_upper_ = np.r_[np.array([inf if v.ub is None else v.ub for v in cols], dtype=float), np.full(k, inf)]
    lp.row_lower_ = np.where(sense == 1, -inf, rhs)
    lp.row_upper_ = np.where(sense == -1, inf, rhs)
    import scipy.sparse as sp

    S = sp.csc_matrix((np.asarray(s_sign, dtype=float), (np.asarray(s_row, dtype=np.int64), np.arange(k))),
                      shape=(nrow, k))
    B = sp.hstack([A, S], format="csc")
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = B.indptr
    lp.a_matrix_.index_ = B.indices
    lp.a_matrix_.value_ = B.data
    if integer:
        is_int = np.fromiter((v.is_integer() for v in cols), dtype=bool, count=n)
        lp.integrality_ = np.r_[np.where(is_int, highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous),
                                np.full(k, highspy.HighsVarType.kContinuous)]
    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(settings.get("log", False)))
    h.setOptionValue("random_seed", 0)
    if settings.get("threads") is not None:
        h.setOptionValue("threads", int(settings["threads"]))
    limit = settings.get("time_limit")
    if limit is not None:
        h.setOptionValue("time_limit", float(limit))
    h.passModel(lp)
    del lp, B, S, A
    _run(h)
    MS = highspy.HighsModelStatus
    ms = h.getModelStatus()
    has_sol = ms == MS.kOptimal or h.getInfo().primal_solution_status == 2
    if not has_sol:
        return {}, "failed"
    x = np.asarray(h.getSolution().col_value, dtype=float)[n:]
    used: dict = {}
    for j in np.flatnonzero(x > 1e-7 * np.maximum(1.0, np.abs(rhs[np.asarray(s_row, dtype=np.int64)]))):
        fam, place = s_fam[j], s_place[j]
        per_slice = FAMILIES[fam][1]
        d = used.setdefault(fam, {})
        d[place] = max(d.get(place, 0.0), x[j]) if per_slice else d.get(place, 0.0) + x[j]
    return used, "optimal" if ms == MS.kOptimal else "time_limit"


def _place(fam: str, place: tuple) -> str:
    p = [str(v) for v in place]
    if fam in ("Zonal_Headroom", "Flex_Zonal_Headroom"):
        return f"in zone {p[0]} in {p[1]}"
    if fam in ("Grid_Import_Limit", "Power_Balance", "IT_Module_Limit", "Firm_Capacity", "CFE_Share_Site"):
        return f"at {p[0]} in {p[1]}"
    if fam == "Supply_Limit":
        return f"of {p[0]} in {p[1]}" + (f" in region {p[2]}" if len(p) > 2 and p[2] else "")
    if fam == "Cap_Site_Limit":
        return f"for {p[0]} at {p[1]} in {p[2]}"
    if fam == "Chip_Supply_Limit":
        return f"of {p[0]} in {p[1]}"
    return "in " + " ".join(p)


def _amount(v: float, unit: str) -> str:
    if unit == "units":
        return f"{v:,.0f} units"
    if abs(v) >= 100:
        return f"{v:,.0f} {unit}"
    return f"{v:,.3g} {unit}"


def describe(used: dict) -> str:
    """The families used, in the order of :data:`FAMILIES`, with up to MAX_PLACES places each."""
    parts = []
    for fam, (_tier, per_slice, desc, unit, way) in FAMILIES.items():
        places = used.get(fam)
        if not places:
            continue
        items = sorted(places.items(), key=lambda kv: (-kv[1], str(kv[0])))
        word = "up to " if per_slice else ""
        named = [f"{word}{_amount(v, unit)} {way} {_place(fam, p)}" for p, v in items[:MAX_PLACES]]
        more = f" and {len(items) - MAX_PLACES} more" if len(items) > MAX_PLACES else ""
        parts.append(f"{desc[:-1]}, {fam}) would need {', '.join(named)}{more}")
    return "; ".join(parts)


def explain_infeasible(m, settings: dict | None = None) -> str:
    """One paragraph on why ``m`` has no feasible plan, naming the constraint families that bind together."""
    settings = dict(settings or {})
    head = ("No plan meets every target and limit, although no year's target exceeds on its own what its sites, "
            "accelerators or power allow.")
    tail = ("Raise these limits or lower the targets of those years, or set [targets] mode = \"soft\" in "
            "scenario.toml for the cheapest plan with the shortfall reported.")
    t0 = time.perf_counter()
    lp_settings = {k: settings.get(k) for k in ("log", "threads", "time_limit")}
    used, status = relax(m, lp_settings, integer=False)
    log.info("relaxed the LP with penalised slacks in %.1f s", time.perf_counter() - t0)
    if used:
        return (f"{head} Relaxing the limits of the LP relaxation with penalised slacks shows the ones that bind "
                f"together: {describe(used)}. {tail}")
    mip_settings = dict(lp_settings)
    mip_settings["time_limit"] = float(settings.get("time_limit") or 60.0)
    used, status = relax(m, mip_settings, integer=True)
    log.info("relaxed the MIP with penalised slacks in %.1f s (%s)", time.perf_counter() - t0, status)
    if used:
        note = "" if status == "optimal" else f" (the best relaxation found in {mip_settings['time_limit']:g} s)"
        return (f"{head} The LP relaxation is feasible, so whole sites, modules or power units are what fail; "
                f"relaxing the limits with penalised slacks{note} shows the ones that bind together: "
                f"{describe(used)}. {tail}")
    return (f"{head} Relaxing the targets, power balance, grid, headroom, on-site, site, chip-supply and policy "
            "limits with penalised slacks did not locate the cause"
            + ("" if status == "optimal" else f" within {mip_settings['time_limit']:g} s")
            + "; check the integer unit sizes (techs.csv unit_mw) against max_mw_per_site, and the years of "
            "earliest_year, grid_year and the chip windows. " + tail)
