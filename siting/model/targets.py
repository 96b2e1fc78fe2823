"""Yearly targets on IT load and compute in service, hard or soft (scenario.toml [targets] mode)."""

from __future__ import annotations

import pyomo.environ as pyo

from ..index import target_mode  # noqa: F401  (re-exported: the CLI and solve read it here)
from .ledger import INVESTMENT, place_words

#: default penalty of a soft IT target, USD per MW short per calendar year (scenario.toml [targets])
DEFAULT_PENALTY_USD_PER_MW = 1e9


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
    L, ix = m.ledger, m.ix
    it_mw, pf = ix.target_it_mw, ix.target_pflops
    m.IT_TARGET_YEARS = pyo.Set(initialize=sorted(it_mw), ordered=True)
    m.COMPUTE_TARGET_YEARS = pyo.Set(initialize=sorted(pf), ordered=True)
    sites_in = ix.sites_in
    service_in = {y: [(g, s) for g, s, yy in ix.chip_service if yy == y] for y in ix.years}
    wpf = _best_mw_per_eflops(inst)
    it_fam = dict(unit="MW", what="the IT target (targets.csv it_gw)", place=place_words("in {0}"),
                  tier=100.0, limit=True, way="less")
    pf_fam = dict(unit="EFLOPS", what="the compute target (targets.csv compute_eflops)", place=place_words("in {0}"),
                  tier=100.0, limit=True, way="less", weight=wpf)
    if ix.soft_targets:
        per_mw, per_pf = penalties(inst)

        def bounds_it(m, y):
            v = it_mw[y]
            return (v, v) if not sites_in[y] else (0.0, v)

        def bounds_pf(m, y):
            v = pf[y]
            return (v, v) if not service_in[y] else (0.0, v)

        L.add(m, "ITShortfall", pyo.Var(m.IT_TARGET_YEARS, domain=pyo.NonNegativeReals, bounds=bounds_it),
              INVESTMENT)
        L.add(m, "ComputeShortfall", pyo.Var(m.COMPUTE_TARGET_YEARS, domain=pyo.NonNegativeReals, bounds=bounds_pf),
              INVESTMENT)
        L.add(m, "IT_Target", pyo.Constraint(m.IT_TARGET_YEARS, rule=lambda m, y: sum(
            m.ITLoad[s, y] for s in sites_in[y]) + m.ITShortfall[y] >= it_mw[y]), INVESTMENT, **it_fam)
        L.add(m, "Compute_Target", pyo.Constraint(m.COMPUTE_TARGET_YEARS, rule=lambda m, y: sum(
            m.pflops[g] / 1000.0 * m.InService[g, s, y] for g, s in service_in[y])
            + m.ComputeShortfall[y] / 1000.0 >= pf[y] / 1000.0), INVESTMENT, **pf_fam)
        payer = {y: sites_in[y][0] for y in ix.years if sites_in[y]}
        it_years, pf_years = set(it_mw), set(pf)

        def shortfall_cost(s, y):
            if payer.get(y) != s:
                return 0
            cost = 0
            if y in it_years and per_mw:
                cost = cost + per_mw * m.ITShortfall[y]
            if y in pf_years and per_pf:
                cost = cost + per_pf * m.ComputeShortfall[y]
            return cost

        L.add_cost("shortfall", shortfall_cost)
        m.unavoidable_shortfall_usd = unavoidable_shortfall_usd(inst, m.slices, ix, per_mw, per_pf, payer)
        return
    L.add(m, "IT_Target", pyo.Constraint(m.IT_TARGET_YEARS, rule=lambda m, y: _at_least(
        sum(m.ITLoad[s, y] for s in sites_in[y]), it_mw[y], bool(sites_in[y]))), INVESTMENT, **it_fam)
    L.add(m, "Compute_Target", pyo.Constraint(m.COMPUTE_TARGET_YEARS, rule=lambda m, y: _at_least(
        sum(m.pflops[g] / 1000.0 * m.InService[g, s, y] for g, s in service_in[y]), pf[y] / 1000.0,
        bool(service_in[y]))), INVESTMENT, **pf_fam)


def unavoidable_shortfall_usd(inst, slices, ix, per_mw: float, per_pf: float, payer: dict) -> float:
    """The discounted shortfall penalty that every plan pays (USD): per year with a site to charge it to,
    the penalty on the part of the target beyond the reachability bounds of :func:`siting.checks.year_bounds`
    (the most IT the sites, the accelerators and the power allow; the most PFLOPS the accelerators allow).

    It is a constant of the objective. The solvers measure their gap on the objective net of it
    (:func:`siting.solver.to_highs`, :mod:`siting.benders`): a soft target far out of reach makes this
    constant most of the objective, and a gap relative to the whole would then leave the plan's own
    cost loose by more than the plan costs. Shaved by one part in 1e9 so that rounding never makes the
    net objective negative.
    """
    from ..checks import year_bounds

    bounds = year_bounds(inst, slices)
    total = 0.0
    for y in payer:
        b = bounds.get(y)
        if b is None:
            continue
        floor = 0.0
        reach = min(b["sites_it_mw"], b["chips_it_mw"], b["power_it_mw"])
        if y in ix.target_it_mw and per_mw:
            floor += per_mw * max(0.0, ix.target_it_mw[y] - reach)
        if y in ix.target_pflops and per_pf:
            floor += per_pf * max(0.0, ix.target_pflops[y] - b["chips_pflops"])
        total += ix.discount_factor[y] * floor
    return total * (1.0 - 1e-9)


def _best_mw_per_eflops(inst) -> float:
    """MW of IT per EFLOPS on the most efficient generation (1.0 without compute figures): the MW-year
    equivalent of one EFLOPS of slack when diagnosing infeasibility."""
    c = inst.chips
    ratio = (c["watts"] / c["pflops"]).where(c["pflops"] > 0)
    return float(ratio.min()) / 1e3 if ratio.notna().any() else 1.0


def _at_least(lhs, target: float, has_terms: bool):
    """``lhs >= target``; with no terms (no site, or nothing in service, that year) the row is a constant:
    skipped when it holds, ``Constraint.Infeasible`` when it cannot (the solver hand-off then says so)."""
    if has_terms:
        return lhs >= target
    return pyo.Constraint.Skip if target <= 0 else pyo.Constraint.Infeasible
