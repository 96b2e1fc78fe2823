"""Storage: charge, discharge and state of charge, cyclic within each representative period."""

from __future__ import annotations

import math

import pyomo.environ as pyo


def add_storage(m, inst, opts) -> None:
    """Charge, Discharge <= Cap; SoC <= storage_hours x Cap; cyclic SoC dynamics per period.

    Storage_Energy_Balance: SoC[t] = SoC[prev(t)] + sqrt(rte) x Charge[t] - Discharge[t] / sqrt(rte),
    with prev(t) the slice before t in its period (the last slice for the first: cyclic).
    Cost ``power_vom`` = sum_t w_t vom x Discharge. Injection: Discharge - Charge.
    """
    if len(m.STORAGE_SITE_YEARS) == 0:
        return
    techs = inst.techs.set_index("tech")
    eff = {k: math.sqrt(float(techs.at[k, "roundtrip_efficiency"])) for k in m.STORAGE}
    hours = {k: float(techs.at[k, "storage_hours"]) for k in m.STORAGE}
    prev = m.slices.prev()
    idx = (m.STORAGE_SITE_YEARS, m.SLICES)
    m.Charge = pyo.Var(*idx, domain=pyo.NonNegativeReals)
    m.Discharge = pyo.Var(*idx, domain=pyo.NonNegativeReals)
    m.SoC = pyo.Var(*idx, domain=pyo.NonNegativeReals)
    prev = prev.tolist()
    # rules return (lower, body, upper) tuples: cheaper to build than relational expressions
    m.Charge_Limit = pyo.Constraint(*idx, rule=lambda m, k, s, y, t: (
        None, m.Charge[k, s, y, t] - m.Cap[k, s, y], 0.0))
    m.Discharge_Limit = pyo.Constraint(*idx, rule=lambda m, k, s, y, t: (
        None, m.Discharge[k, s, y, t] - m.Cap[k, s, y], 0.0))
    m.SoC_Limit = pyo.Constraint(*idx, rule=lambda m, k, s, y, t: (
        None, m.SoC[k, s, y, t] - hours[k] * m.Cap[k, s, y], 0.0))
    m.Storage_Energy_Balance = pyo.Constraint(*idx, rule=lambda m, k, s, y, t: (
        0.0, m.SoC[k, s, y, t] - m.SoC[k, s, y, prev[t]] - eff[k] * m.Charge[k, s, y, t]
        + m.Discharge[k, s, y, t] / eff[k], 0.0))
    stor_at: dict = {}
    for k, s, y in m.STORAGE_SITE_YEARS:
        stor_at.setdefault((s, y), []).append(k)
    m.storage_at = stor_at
    prior = m.cost_components.get("power_vom")

    def vom(s, y):
        own = sum(m.vom_usd_per_mwh[k] * sum(m.weight_h[t] * m.Discharge[k, s, y, t] for t in m.SLICES)
                  for k in stor_at.get((s, y), ()) if m.vom_usd_per_mwh[k])
        return own + (prior(s, y) if prior is not None else 0)

    m.cost_components["power_vom"] = vom
    m.power_injections.append(lambda s, y, t: sum(m.Discharge[k, s, y, t] - m.Charge[k, s, y, t]
                                                  for k in stor_at.get((s, y), ())))
