"""Yearly targets on IT load and compute in service."""

from __future__ import annotations

import pyomo.environ as pyo


def add_targets(m, inst, opts) -> None:
    """IT_Target[y]: sum_s ITLoad >= 1000 x it_gw_y; Compute_Target[y]: sum pflops x InService >= 1000 x eflops_y."""
    t = inst.targets.set_index("year")
    it = {int(y): float(v) for y, v in t["it_gw"].items() if v == v and v is not None}
    ef = {int(y): float(v) for y, v in t["compute_eflops"].items() if v == v and v is not None}
    m.target_it_mw = {y: 1000.0 * v for y, v in it.items()}
    m.target_pflops = {y: 1000.0 * v for y, v in ef.items()}
    m.IT_TARGET_YEARS = pyo.Set(initialize=sorted(it), ordered=True)
    m.COMPUTE_TARGET_YEARS = pyo.Set(initialize=sorted(ef), ordered=True)
    sites_in = {y: [s for s, yy in m.SITE_YEARS if yy == y] for y in m.YEARS}
    m.IT_Target = pyo.Constraint(m.IT_TARGET_YEARS, rule=lambda m, y: sum(
        m.ITLoad[s, y] for s in sites_in[y]) >= m.target_it_mw[y])
    service_in = {y: [(g, s) for g, s, yy in m.CHIP_SERVICE if yy == y] for y in m.YEARS}
    m.Compute_Target = pyo.Constraint(m.COMPUTE_TARGET_YEARS, rule=lambda m, y: sum(
        m.pflops[g] * m.InService[g, s, y] for g, s in service_in[y]) >= m.target_pflops[y])
