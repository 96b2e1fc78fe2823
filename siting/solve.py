"""Hand the model to HiGHS and read the solution back: the only module that touches the solver.

The path is Pyomo's linear standard-form compiler (sparse matrix in mixed form) passed
to highspy as arrays: no files, and no per-constraint Python calls into the solver.
"""

from __future__ import annotations

import logging
import time

import numpy as np

from .checks import reachability
from .errors import InfeasibleError, SolveError
from .instance import Instance
from .results import Results

__all__ = ["solve", "solve_model"]

log = logging.getLogger("siting")


def _settings(inst: Instance, **given) -> dict:
    s = dict(inst.scenario.get("solver", {}))
    for k, v in given.items():
        if v is not None:
            s[k] = v
    return s


def solve(inst_or_model, time_limit: float | None = None, mip_gap: float | None = None,
          threads: int | None = None, log_solver: bool | None = None, presolve: bool | None = None) -> Results:
    """Solve an instance (built here) or a model from :func:`siting.build_model`.

    Parameters
    ----------
    inst_or_model : :class:`~siting.Instance` or a Pyomo model from :func:`build_model`.
    time_limit : seconds; the incumbent is returned with status ``"time_limit"`` and its gap.
    mip_gap : relative MIP gap (default 1e-4, or scenario.toml [solver] mip_gap).
    threads : solver threads.
    log_solver : print HiGHS's log.
    presolve : turn HiGHS presolve on or off (default: on).

    Raises
    ------
    InfeasibleError : a target is out of reach (checked before solving) or HiGHS proves infeasibility.
    SolveError : HiGHS stopped with an error, or at the time limit with no feasible plan.
    """
    from .model import build_model

    if isinstance(inst_or_model, Instance):
        inst = inst_or_model
        msgs = reachability(inst)
        if msgs:
            raise InfeasibleError(msgs)
        t0 = time.perf_counter()
        log.info("building the model")
        m = build_model(inst)
        log.info("built the model in %.1f s", time.perf_counter() - t0)
    else:
        m = inst_or_model
        inst = m.inst
        msgs = reachability(inst)
        if msgs:
            raise InfeasibleError(msgs)
    st = _settings(inst, time_limit=time_limit, mip_gap=mip_gap, threads=threads, log=log_solver,
                   presolve=presolve)
    return solve_model(m, st)


def _compile(m):
    from pyomo.common.errors import InfeasibleConstraintException
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    try:
        return LinearStandardFormCompiler().write(m, mixed_form=True)
    except InfeasibleConstraintException as e:
        raise InfeasibleError(f"a constraint can never hold whatever the plan: {e}") from None


def solve_model(m, settings: dict) -> Results:
    """Compile ``m``, solve it with HiGHS under ``settings`` and return the results."""
    import highspy

    t0 = time.perf_counter()
    sf = _compile(m)
    cols = sf.columns
    n, nrow = len(cols), len(sf.rows)
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = nrow
    c = sf.c.toarray()[0] if sf.c.shape[0] else np.zeros(n)
    lp.col_cost_ = c
    lp.offset_ = float(sf.c_offset[0]) if len(sf.c_offset) else 0.0
    lp.col_lower_ = np.array([-inf if v.lb is None else v.lb for v in cols], dtype=float)
    lp.col_upper_ = np.array([inf if v.ub is None else v.ub for v in cols], dtype=float)
    sense = np.array([r[1] for r in sf.rows], dtype=int)
    rhs = np.asarray(sf.rhs, dtype=float)
    lp.row_lower_ = np.where(sense == 1, -inf, rhs)
    lp.row_upper_ = np.where(sense == -1, inf, rhs)
    A = sf.A.tocsc()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data
    is_int = np.array([v.is_integer() or v.is_binary() for v in cols], dtype=bool)
    if is_int.any():
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                           for i in is_int]
    info = {"rows": nrow, "columns": n, "nonzeros": int(A.nnz), "integers": int(is_int.sum())}
    del A, sf
    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(settings.get("log", False)))
    if settings.get("time_limit") is not None:
        h.setOptionValue("time_limit", float(settings["time_limit"]))
    h.setOptionValue("mip_rel_gap", float(settings.get("mip_gap", 1e-4)))
    if settings.get("threads") is not None:
        h.setOptionValue("threads", int(settings["threads"]))
    if settings.get("presolve") is not None:
        h.setOptionValue("presolve", "on" if settings["presolve"] else "off")
    h.setOptionValue("random_seed", 0)
    h.passModel(lp)
    del lp
    handoff = time.perf_counter() - t0
    log.info("handed %d rows x %d columns (%d nonzeros, %d integers) to HiGHS in %.1f s", nrow, n,
             info["nonzeros"], info["integers"], handoff)
    t1 = time.perf_counter()
    h.run()
    solve_s = time.perf_counter() - t1
    ms = h.getModelStatus()
    hinfo = h.getInfo()
    MS = highspy.HighsModelStatus
    has_sol = hinfo.primal_solution_status == 2 or ms == MS.kOptimal
    gap = float(hinfo.mip_gap) if is_int.any() else 0.0
    if ms == MS.kOptimal or (n == 0 and ms == MS.kModelEmpty):
        status = "optimal"
    elif ms in (MS.kInfeasible, MS.kUnboundedOrInfeasible):
        from .checks import reachability as _r

        hints = _r(m.inst)
        raise InfeasibleError(hints or [
            "no plan meets every target and limit, although no single year's target exceeds what its sites, "
            "chips or power options allow on their own; the limits bind together (for example grid dates, "
            "headroom, CO2 caps or clean-energy shares with the targets)"])
    elif ms in (MS.kTimeLimit, MS.kIterationLimit, MS.kSolutionLimit, MS.kInterrupt, MS.kObjectiveBound,
                MS.kObjectiveTarget):
        if ms == MS.kInterrupt:
            raise KeyboardInterrupt
        if not has_sol:
            raise SolveError(f"the solver stopped ({h.modelStatusToString(ms)}) after {solve_s:.1f} s with no "
                             "feasible plan found; raise the time limit")
        status = "time_limit" if ms == MS.kTimeLimit else "stopped"
    else:
        raise SolveError(f"the solver ended with status error: {h.modelStatusToString(ms)}")
    x = np.asarray(h.getSolution().col_value, dtype=float) if n else np.zeros(0)
    x = np.where(is_int, np.round(x), x)
    for v, val in zip(cols, x):
        v.set_value(float(val), skip_validation=True)
    del h
    from .model.extract import extract_tables
    import pyomo.environ as pyo

    t2 = time.perf_counter()
    tables = extract_tables(m)
    from .model.objective import OBJECTIVE_SCALE

    objective = float(pyo.value(m.Total_Cost)) / OBJECTIVE_SCALE
    timings = {"handoff_s": handoff, "solve_s": solve_s, "extract_s": time.perf_counter() - t2}
    return Results(tables=tables, status=status, objective=objective, mip_gap=gap, solve_seconds=solve_s,
                   model_size=info, timings=timings, scenario=dict(m.inst.scenario), instance_name=m.inst.name)
