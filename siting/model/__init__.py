"""Build the Pyomo model: :func:`build_model` calls the ``add_*`` blocks in a fixed order.

Every block has the signature ``add_x(m, inst, opts) -> None``. Blocks read the Pyomo-free
index ``m.ix`` (:mod:`siting.index`) and register on the ledger ``m.ledger``
(:mod:`siting.model.ledger`): their Vars and constraint families with a stage, their power
flows, cost terms and emission terms. Policy, CFE, the power balance, the objective, the
result tables and the diagnosis read the ledger, so a new kind of technology is a new block
(and its place in :data:`BLOCKS`) plus its columns in :mod:`siting.schema`.
"""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from ..index import build_index
from ..instance import Instance
from ..timeseries import Slices, make_slices
from .baseload import add_baseload
from .cfe import add_cfe
from .chips import add_chips
from .connection import add_connection
from .firm import add_firm
from .flex import add_flexibility
from .latency import add_latency
from .ledger import Ledger
from .objective import add_balance, add_objective
from .policy import add_policy
from .power import add_capacity, add_generators, add_grid
from .procure import add_budget, add_permits, add_tariff
from .sets import add_sets
from .sites import add_sites
from .storage import add_storage
from .targets import add_targets
from .unserved import add_unserved
from .water import add_water

__all__ = ["build_model", "BLOCKS"]

#: the blocks in the order build_model calls them. Where order matters: sets first; sites before
#: chips (IT_Module_Limit reads Modules); capacity before every tech kind's block (they read Cap);
#: grid before flexibility and the tariff (they read Import); chips before flexibility
#: (CurtailByChip reads InService); the budget after every block that registers capex; every
#: flow-registering block before policy, CFE and the balance, which sum the flows; the objective
#: last (it sums every registered cost). Water, connection and latency (site attributes) read
#: Open, Modules and ITLoad and register capex, so they sit after chips and before the budget.
BLOCKS = (add_sets, add_sites, add_chips, add_capacity, add_generators, add_baseload, add_storage, add_grid,
          add_flexibility, add_unserved, add_tariff, add_permits, add_water, add_connection, add_latency,
          add_budget,
          add_targets, add_policy, add_cfe, add_firm, add_balance, add_objective)


def build_model(inst: Instance, slices: Slices | None = None, op_years=None, **opts) -> pyo.ConcreteModel:
    """Build the siting, power and chip model of ``inst``.

    Parameters
    ----------
    inst : a validated :class:`~siting.Instance`.
    slices : operating slices; by default :func:`~siting.timeseries.make_slices` following
        scenario.toml [time].
    op_years : the planning years whose operations are modelled (default all): the hourly check
        builds one year at a time at full resolution, with the investments fixed.
    opts : passed to every block: ``unserved_usd_per_mwh`` adds unserved energy at that price
        (:func:`siting.model.unserved.add_unserved`; the hourly check uses it).

    Returns
    -------
    pyomo.environ.ConcreteModel with the instance, slices, index and ledger attached as
    ``m.inst``, ``m.slices``, ``m.ix`` and ``m.ledger``. Constraints may be added before calling
    :func:`siting.solve`.
    """
    if slices is None:
        slices = make_slices(inst)
    m = pyo.ConcreteModel(name=inst.name)
    m.inst = inst
    m.slices = slices
    m.ix = build_index(inst, slices, op_years)
    m.ledger = Ledger()
    # the build makes millions of objects and frees almost none: Python's cyclic garbage collector,
    # run every few hundred allocations, would walk them again and again (a third of the build at 1.2M nonzeros)
    with PauseGC():
        for block in BLOCKS:
            block(m, inst, opts)
    return m
