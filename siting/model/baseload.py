"""Load-following baseload (a nuclear SMR, geothermal): a generator that must keep running.

techs.csv rows of kind ``baseload`` dispatch like generators (availability profile, VOM, fuel,
CO2, clean flag) and in every slice produce at least ``min_output_share`` of their available
capacity: a reactor follows load between its minimum stable output and full power, it does
not cycle off. Output above the site's load is spilled, as for every source.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from .ledger import OPERATIONS, place_words
from .power import add_dispatchable


def add_baseload(m, inst, opts) -> None:
    """BaseGen[k,s,y,t] <= profile x Cap (Baseload_Availability); BaseGen >= min_output_share_k x profile x Cap
    (Baseload_Min_Output). Costs ``power_vom`` and ``fuel`` as generators; flow ``baseload`` (supply)."""
    index = add_dispatchable(m, "baseload", "BaseGen", "Baseload_Availability", "baseload")
    if not index:
        return
    ix = m.ix
    share = inst.techs.set_index("tech")["min_output_share"].fillna(0.0).astype(float).to_dict()
    cf = {key: np.asarray(v, dtype=float).tolist() for key, v in ix.cf.items()}
    ones = [1.0] * ix.n

    def rule(m, k, s, y, t):
        if not share[k]:
            return pyo.Constraint.Skip
        return (None, share[k] * cf.get((k, s), ones)[t] * m.Cap[k, s, y] - m.BaseGen[k, s, y, t], 0.0)

    m.ledger.add(m, "Baseload_Min_Output", pyo.Constraint(m.BASELOAD_SITE_YEARS, m.SLICES, rule=rule), OPERATIONS,
                 unit="MW", what="the minimum output of baseload (techs.csv min_output_share)", per_slice=True,
                 place=place_words("of {0} at {1} in {2}"), way="less")
