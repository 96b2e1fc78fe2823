"""siting: where to build AI compute, how to power it and which chips go in when, at least cost."""

from .errors import InfeasibleError, InstanceError, SitingError, SolveError
from .instance import Instance, bundled_instances, load_instance
from .results import Results, read_results
from .timeseries import Slices, make_slices


def build_model(inst, slices=None, **opts):
    """Build the Pyomo model of ``inst`` (see :func:`siting.model.build_model`)."""
    from .model import build_model as _build

    return _build(inst, slices=slices, **opts)


# no submodule is called "solve" (the solver is siting.solver, the orchestration siting.solving), so
# importing any submodule never replaces the function siting.solve
from .solving import solve  # noqa: E402
from .sweep import sweep  # noqa: E402

__all__ = ["load_instance", "build_model", "solve", "Instance", "Results", "read_results", "Slices",
           "make_slices", "bundled_instances", "sweep", "SitingError", "InstanceError", "InfeasibleError", "SolveError"]
__version__ = "0.1.0"
