"""Storage: charge, discharge and state of charge, cyclic within each representative period."""

from __future__ import annotations

import math

import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import MonomialTermExpression as Mono

from .ledger import OPERATIONS, DirectConstraint, DirectVar, Flow, linear_sum, lookup, place_words


def add_storage(m, inst, opts) -> None:
    """Charge, Discharge <= Cap; SoC <= storage_hours x Cap; cyclic SoC dynamics per period.

    Storage_Energy_Balance: SoC[t] = SoC[prev(t)] + sqrt(rte) x Charge[t] - Discharge[t] / sqrt(rte),
    with prev(t) the slice before t in its period (the last slice for the first: cyclic).
    Cost ``power_vom`` = sum_t w_t vom x Discharge. Flows ``storage_discharge`` (+) and
    ``storage_charge`` (-), role storage (they shift energy, and count neither as clean nor as fossil).
    """
    if len(m.STORAGE_SITE_YEARS) == 0:
        return
    L, ix = m.ledger, m.ix
    techs = inst.techs.set_index("tech")
    eff = {k: math.sqrt(float(techs.at[k, "roundtrip_efficiency"])) for k in m.STORAGE}
    hours = {k: float(techs.at[k, "storage_hours"]) for k in m.STORAGE}
    idx = (m.STORAGE_SITE_YEARS, m.SLICES)
    for name in ("Charge", "Discharge", "SoC"):
        L.add(m, name, DirectVar(*idx, domain=pyo.NonNegativeReals), OPERATIONS)
    prev = ix.slices.prev().tolist()
    where = dict(per_slice=True, place=place_words("of {0} at {1} in {2}"))
    # each row's expression made in one step (LinearExpression of the terms): these are numerous rows
    ch, dis, soc, cap = lookup(m.Charge), lookup(m.Discharge), lookup(m.SoC), lookup(m.Cap)
    L.add(m, "Charge_Limit", DirectConstraint(*idx, rule=lambda m, k, s, y, t: (
        linear_sum([ch[k, s, y, t], Mono((-1.0, cap[k, s, y]))]) <= 0.0)), OPERATIONS, unit="MW",
        what="storage charge power", **where)
    L.add(m, "Discharge_Limit", DirectConstraint(*idx, rule=lambda m, k, s, y, t: (
        linear_sum([dis[k, s, y, t], Mono((-1.0, cap[k, s, y]))]) <= 0.0)), OPERATIONS, unit="MW",
        what="storage discharge power", **where)
    L.add(m, "SoC_Limit", DirectConstraint(*idx, rule=lambda m, k, s, y, t: (
        linear_sum([soc[k, s, y, t], Mono((-hours[k], cap[k, s, y]))]) <= 0.0)), OPERATIONS, unit="MWh",
        what="storage energy (techs.csv storage_hours)", **where)
    inv = {k: 1.0 / e for k, e in eff.items()}
    L.add(m, "Storage_Energy_Balance", DirectConstraint(*idx, rule=lambda m, k, s, y, t: (
        linear_sum([soc[k, s, y, t], Mono((-1.0, soc[k, s, y, prev[t]])), Mono((-eff[k], ch[k, s, y, t])),
                    Mono((inv[k], dis[k, s, y, t]))]) == 0.0)),
        OPERATIONS, unit="MWh", what="storage state of charge", **where)
    stor_at = ix.at("storage")
    L.add_cost("power_vom", lambda s, y: sum(
        m.vom_usd_per_mwh[k] * sum(m.weight_h[t] * m.Discharge[k, s, y, t] for t in m.SLICES)
        for k in stor_at.get((s, y), ()) if m.vom_usd_per_mwh[k]))
    keys = [(k, s, y, (k, s, y)) for k, s, y in m.STORAGE_SITE_YEARS]
    L.add_flow(Flow("storage_discharge", "Discharge", keys, sign=1.0, role="storage"))
    L.add_flow(Flow("storage_charge", "Charge", keys, sign=-1.0, role="storage"))
