"""Build the Pyomo model: :func:`build_model` calls the ``add_*`` blocks in a fixed order.

Every block has the signature ``add_x(m, inst, opts) -> None``. Blocks register their
power injections on ``m.power_injections`` (callables of (s, y, t)) and their annual
costs on ``m.cost_components`` (component name -> callable of (s, y)), so the power
balance and the objective, built last, never change when a block is added.
"""

from __future__ import annotations

import pyomo.environ as pyo

from ..instance import Instance
from ..timeseries import Slices, make_slices
from .cfe import add_cfe
from .chips import add_chips
from .firm import add_firm
from .flex import add_flexibility
from .objective import add_balance, add_objective
from .policy import add_policy
from .power import add_capacity, add_generators, add_grid
from .sets import add_sets
from .sites import add_sites
from .storage import add_storage
from .targets import add_targets

__all__ = ["build_model", "BLOCKS"]

#: the blocks in the order build_model calls them
BLOCKS = (add_sets, add_sites, add_chips, add_capacity, add_generators, add_storage, add_grid, add_flexibility,
          add_targets, add_policy, add_cfe, add_firm, add_balance, add_objective)


def build_model(inst: Instance, slices: Slices | None = None, **opts) -> pyo.ConcreteModel:
    """Build the siting, power and chip model of ``inst``.

    Parameters
    ----------
    inst : a validated :class:`~siting.Instance`.
    slices : operating slices; by default :func:`~siting.timeseries.make_slices` following
        scenario.toml [time].
    opts : reserved for block options (none in v1).

    Returns
    -------
    pyomo.environ.ConcreteModel with the instance and slices attached as ``m.inst`` and
    ``m.slices``. Constraints may be added before calling :func:`siting.solve`.
    """
    if slices is None:
        slices = make_slices(inst)
    m = pyo.ConcreteModel(name=inst.name)
    m.inst = inst
    m.slices = slices
    m.power_injections = []
    m.cost_components = {}
    for block in BLOCKS:
        block(m, inst, opts)
    return m
