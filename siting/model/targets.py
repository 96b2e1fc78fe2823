"""Yearly targets on IT load and compute in service, hard or soft (scenario.toml [targets] mode)."""

from __future__ import annotations

import pyomo.environ as pyo

#: default penalty of a soft IT target, USD per MW short per calendar year (scenario.toml [targets])
DEFAULT_PENALTY_USD_PER_MW = 1e9


def target_mode(inst) -> str:
    """``"hard"`` (default) or ``"soft"``: scenario.toml [targets] mode."""
    return str((inst.scenario.get("targets") or {}).get("mode", "hard"))


def penalties(inst) -> tuple[float, float]:
    """(USD per MW of IT short, USD per PFLOPS of compute short), each per calendar year.

    The compute penalty defaults to the IT penalty times the largest watts per PFLOPS of
    chips.csv / 1e6: a PFLOPS short costs at least what the MW it would draw on the least
    efficient generation costs.
    """
    tab = inst.scenario.get("targets") or {}
    per_mw = tab.get("penalty_usd_per_mw")
    per_mw = DEFAULT_PENALTY_USD_PER_MW if per_mw is None else float(per_mw)
    per_pf = tab.get("penalty_usd_per_pflops")
    if per_pf is None:
        c = inst.chips
        ratio = (c["watts"] / c["pflops"]).where(c["pflops"] > 0) if len(c) else None
        worst = float(ratio.max()) if ratio is not None and ratio.notna().any() else 0.0
        per_pf = per_mw * worst / 1e6
    return per_mw, float(per_pf)


def add_targets(m, inst, opts) -> None:
    """IT_Target[y]: sum_s ITLoad >= 1000 x it_gw_y; Compute_Target[y]: sum pflops / 1000 x InService >= eflops_y.

    The compute row is written in EFLOPS (a target of 1e4 EFLOPS is 1e7 PFLOPS; right sides of
    that size slow HiGHS's branch and bound several-fold on ercot_campus).

    Soft mode ([targets] mode = "soft"): ITShortfall[y] (MW) and ComputeShortfall[y] (PFLOPS),
    each between 0 and the target, are added to the left sides, and the cost component
    ``shortfall`` = penalty_usd_per_mw x ITShortfall + penalty_usd_per_pflops x ComputeShortfall
    is charged to the year's first site (in sites.csv order) that exists in that year. A year
    without any site (or without any generation in service) has its whole target short: the
    shortfall is fixed to the target; with no site at all its penalty, a constant, has no site
    to be charged to and is left out of the objective and the costs table.
    """
    t = inst.targets.set_index("year")
    it = {int(y): float(v) for y, v in t["it_gw"].items() if v == v and v is not None}
    ef = {int(y): float(v) for y, v in t["compute_eflops"].items() if v == v and v is not None}
    m.target_it_mw = {y: 1000.0 * v for y, v in it.items()}
    m.target_pflops = {y: 1000.0 * v for y, v in ef.items()}
    m.IT_TARGET_YEARS = pyo.Set(initialize=sorted(it), ordered=True)
    m.COMPUTE_TARGET_YEARS = pyo.Set(initialize=sorted(ef), ordered=True)
    sites_in = {y: [s for s, yy in m.SITE_YEARS if yy == y] for y in m.YEARS}
    service_in = {y: [(g, s) for g, s, yy in m.CHIP_SERVICE if yy == y] for y in m.YEARS}
    soft = target_mode(inst) == "soft"
    m.soft_targets = soft
    if soft:
        per_mw, per_pf = penalties(inst)

        def bounds_it(m, y):
            v = m.target_it_mw[y]
            return (v, v) if not sites_in[y] else (0.0, v)

        def bounds_pf(m, y):
            v = m.target_pflops[y]
            return (v, v) if not service_in[y] else (0.0, v)

        m.ITShortfall = pyo.Var(m.IT_TARGET_YEARS, domain=pyo.NonNegativeReals, bounds=bounds_it)
        m.ComputeShortfall = pyo.Var(m.COMPUTE_TARGET_YEARS, domain=pyo.NonNegativeReals, bounds=bounds_pf)
        m.IT_Target = pyo.Constraint(m.IT_TARGET_YEARS, rule=lambda m, y: sum(
            m.ITLoad[s, y] for s in sites_in[y]) + m.ITShortfall[y] >= m.target_it_mw[y])
        m.Compute_Target = pyo.Constraint(m.COMPUTE_TARGET_YEARS, rule=lambda m, y: sum(
            m.pflops[g] / 1000.0 * m.InService[g, s, y] for g, s in service_in[y])
            + m.ComputeShortfall[y] / 1000.0 >= m.target_pflops[y] / 1000.0)
        payer = {y: sites_in[y][0] for y in m.YEARS if sites_in[y]}
        it_years, pf_years = set(m.IT_TARGET_YEARS), set(m.COMPUTE_TARGET_YEARS)

        def shortfall_cost(s, y):
            if payer.get(y) != s:
                return 0
            cost = 0
            if y in it_years and per_mw:
                cost = cost + per_mw * m.ITShortfall[y]
            if y in pf_years and per_pf:
                cost = cost + per_pf * m.ComputeShortfall[y]
            return cost

        m.shortfall_payer = payer
        m.cost_components["shortfall"] = shortfall_cost
        return
    m.IT_Target = pyo.Constraint(m.IT_TARGET_YEARS, rule=lambda m, y: _at_least(
        sum(m.ITLoad[s, y] for s in sites_in[y]), m.target_it_mw[y], bool(sites_in[y])))
    m.Compute_Target = pyo.Constraint(m.COMPUTE_TARGET_YEARS, rule=lambda m, y: _at_least(
        sum(m.pflops[g] / 1000.0 * m.InService[g, s, y] for g, s in service_in[y]), m.target_pflops[y] / 1000.0,
        bool(service_in[y])))


def _at_least(lhs, target: float, has_terms: bool):
    """``lhs >= target``; with no terms (no site, or nothing in service, that year) the row is a constant:
    skipped when it holds, ``Constraint.Infeasible`` when it cannot (the solver hand-off then says so)."""
    if has_terms:
        return lhs >= target
    return pyo.Constraint.Skip if target <= 0 else pyo.Constraint.Infeasible
