"""Scenario sweeps: many variants of one instance, solved in parallel on Dask.

A scenario is a name and a list of overrides of input values: a column of a table for
some rows (``techs[gas_ct].fuel_usd_per_mmbtu``), or a scenario.toml setting
(``policy.carbon_price_usd_per_t``), each set, scaled or shifted. Scenarios come from a
``scenarios.toml`` file (named scenarios, grids and seeded random samples; the format is
in docs/sweeps.md) or from code (:class:`Scenario`).

:func:`sweep` solves every scenario on a ``dask.distributed`` cluster (an embedded
LocalCluster by default) and returns :class:`SweepResults`: the result tables of every
scenario stacked with a ``scenario`` key column, a per-scenario summary and the frequency
with which each site is chosen. Each worker applies the overrides to the instance it was
sent, re-validates it and builds and solves its own model; only instance data, overrides
and result tables travel.

The package, by concern:

- :mod:`siting.sweep.spec`: the scenario language (:class:`Override`, :class:`Scenario`,
  scenarios.toml parsing, grids, seeded Monte Carlo samples);
- :mod:`siting.sweep.apply`: override paths, and applying a scenario to an instance;
- :mod:`siting.sweep.run`: :func:`sweep` on Dask or locally, with resumable output;
- :mod:`siting.sweep.results`: :class:`SweepResults` (stacked tables, summaries, the cost figure).
"""

from .apply import apply_scenario
from .results import RECORD_TABLE as RECORD_TABLE
from .results import SUMMARY_TABLES as SUMMARY_TABLES
from .results import SweepResults
from .run import instance_fingerprint as instance_fingerprint
from .run import sweep
from .spec import DISTRIBUTIONS, Override, Scenario, load_scenarios, parse_scenarios
from .spec import OPS as OPS

# RECORD_TABLE, SUMMARY_TABLES, instance_fingerprint and OPS: public names outside __all__, as before
__all__ = ["Override", "Scenario", "SweepResults", "load_scenarios", "parse_scenarios", "apply_scenario",
           "sweep", "DISTRIBUTIONS"]
