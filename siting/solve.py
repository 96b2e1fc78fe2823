"""Hand the model to HiGHS and read the solution back: the only module that touches the solver.

The path is Pyomo's linear standard-form compiler (sparse matrix in mixed form) passed
to highspy as arrays: no files, and no per-constraint Python calls into the solver.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import numpy as np

from .checks import findings
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
    InfeasibleError : a target is out of reach (checked before solving, in words: year, limiting
        resource, numbers), or HiGHS proves infeasibility (then one paragraph names the constraint
        families that bind together, found by relaxing them with penalised slacks).
    SolveError : HiGHS stopped with an error, or at the time limit with no feasible plan.
    KeyboardInterrupt : Ctrl-C stopped the solver (it is stopped cleanly; nothing is written).

    With scenario.toml ``[targets] mode = "soft"`` an out-of-reach target is logged as a warning
    instead, and the plan reports the shortfall (summary ``shortfall_it_mw``, ``shortfall_pflops``).
    """
    from .timeseries import make_slices

    if isinstance(inst_or_model, Instance):
        inst = inst_or_model
        st = _settings(inst, time_limit=time_limit, mip_gap=mip_gap, threads=threads, log=log_solver,
                       presolve=presolve)
        slices = make_slices(inst)
        check_targets(inst, slices)
        return solve_released(inst, slices, st)
    m = inst_or_model
    inst = m.inst
    check_targets(inst, getattr(m, "slices", None))
    st = _settings(inst, time_limit=time_limit, mip_gap=mip_gap, threads=threads, log=log_solver,
                   presolve=presolve)
    return solve_model(m, st)


def column_layout(m, cols) -> dict[str, np.ndarray]:
    """Per Var component of ``m`` (by name): the column of each of its variables, in the
    component's own order (-1 for a variable that is not a column)."""
    import pyomo.environ as pyo

    pos = {id(v): j for j, v in enumerate(cols)}
    return {c.name: np.fromiter((pos.get(id(v), -1) for v in c.values()), dtype=np.int64)
            for c in m.component_objects(pyo.Var, descend_into=True)}


def columns_from_layout(m, layout: dict[str, np.ndarray], n: int) -> list:
    """The variables of a rebuilt ``m`` in the column order recorded by :func:`column_layout`."""
    import pyomo.environ as pyo

    cols: list = [None] * n
    for c in m.component_objects(pyo.Var, descend_into=True):
        at = layout.get(c.name)
        data = list(c.values())
        if at is None or len(at) != len(data):
            raise SolveError(f"the rebuilt model differs from the one solved (variable {c.name}); "
                             "solve a model from siting.build_model instead")
        for v, j in zip(data, at.tolist()):
            if j >= 0:
                cols[j] = v
    if any(v is None for v in cols):
        raise SolveError("the rebuilt model differs from the one solved (a column has no variable)")
    return cols


def release_memory() -> None:
    """Collect Python's garbage and give the freed heap pages back to the system (glibc's
    ``malloc_trim``; elsewhere only the collection), so that HiGHS's allocations, which go to
    fresh pages, do not add to memory that Python no longer uses."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def solve_released(inst: Instance, slices, settings: dict) -> Results:
    """Build, hand to HiGHS, free the Pyomo model during the solve, rebuild it and load the solution.

    The Pyomo model of a large instance takes about as much memory as HiGHS's own copy; it is
    not needed while HiGHS works, so only the column layout (one integer per variable) is kept,
    and the model is built again (deterministically, from the same instance and slices) to
    receive the solution. This costs one more build (a few percent of the solve on large
    models) and keeps the peak memory of the run near HiGHS's own (docs/performance.md).
    """
    from .model import build_model

    t0 = time.perf_counter()
    log.info("building the model")
    m = build_model(inst, slices=slices)
    log.info("built the model in %.1f s", time.perf_counter() - t0)
    h, cols, info = to_highs(m, settings)
    layout = column_layout(m, cols)
    del m, cols
    release_memory()
    solve_s = run_highs(h, info, settings)
    out = outcome(h, info["columns"])
    del h  # HiGHS's model and working memory go before the model is rebuilt
    release_memory()
    t2 = time.perf_counter()
    m = build_model(inst, slices=slices)
    cols = columns_from_layout(m, layout, info["columns"])
    info["rebuild_s"] = time.perf_counter() - t2
    return load_solution(m, out, cols, settings, info, solve_s)


def check_targets(inst: Instance, slices=None) -> list[str]:
    """Run the reachability checks; raise InfeasibleError (hard targets) or log warnings (soft targets).

    Returns the findings' sentences (empty when every target is within reach).
    """
    from .model.targets import target_mode

    msgs = [f.text for f in findings(inst, slices)]
    if not msgs:
        return msgs
    if target_mode(inst) == "soft":
        for line in msgs:
            log.warning("%s (soft targets: the plan will report the shortfall)", line)
        return msgs
    raise InfeasibleError(msgs + ['set [targets] mode = "soft" in scenario.toml for the cheapest plan with the '
                                  "shortfall reported"])


def _compile(m):
    from pyomo.common.errors import InfeasibleConstraintException
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    try:
        return LinearStandardFormCompiler().write(m, mixed_form=True)
    except InfeasibleConstraintException as e:
        msgs = [f.text for f in findings(m.inst, getattr(m, "slices", None))] if hasattr(m, "inst") else []
        raise InfeasibleError(msgs or [f"a constraint can never hold whatever the plan: {' '.join(str(e).split())}"]) \
            from None


def to_highs(m, settings: dict):
    """Compile ``m`` to arrays and pass them to a new ``highspy.Highs`` with ``settings`` applied.

    Returns ``(h, columns, info)``: the solver, the Pyomo variables in column order, and the
    model size (rows, columns, nonzeros, integers) with the hand-off time. The compiled
    matrix is freed before returning, so only HiGHS holds a copy during the solve.
    """
    import highspy

    t0 = time.perf_counter()
    sf = _compile(m)
    cols = sf.columns
    n, nrow = len(cols), len(sf.rows)
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = nrow
    lp.col_cost_ = sf.c.toarray()[0] if sf.c.shape[0] else np.zeros(n)
    lp.offset_ = float(sf.c_offset[0]) if len(sf.c_offset) else 0.0
    lp.col_lower_ = np.array([-inf if v.lb is None else v.lb for v in cols], dtype=float)
    lp.col_upper_ = np.array([inf if v.ub is None else v.ub for v in cols], dtype=float)
    sense = np.fromiter((r[1] for r in sf.rows), dtype=np.int8, count=nrow)
    rhs = np.asarray(sf.rhs, dtype=float)
    lp.row_lower_ = np.where(sense == 1, -inf, rhs)
    lp.row_upper_ = np.where(sense == -1, inf, rhs)
    del sense, rhs
    A = sf.A if sf.A.format == "csc" else sf.A.tocsc()
    nnz = int(A.nnz)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data
    del A, sf
    is_int = np.fromiter((v.is_integer() for v in cols), dtype=bool, count=n)
    if is_int.any() and not settings.get("relax"):
        lp.integrality_ = np.where(is_int, highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous)
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
    info = {"rows": nrow, "columns": n, "nonzeros": nnz,
            "integers": int(is_int.sum()) if not settings.get("relax") else 0,
            "handoff_s": time.perf_counter() - t0, "is_int": is_int}
    log.info("handed %d rows x %d columns (%d nonzeros, %d integers) to HiGHS in %.1f s", nrow, n, nnz,
             info["integers"], info["handoff_s"])
    return h, cols, info


def rounded_lp_start(h, info: dict) -> bool:
    """Give HiGHS a first plan: solve the LP relaxation, round every integer up, re-solve the LP.

    Rounding up keeps the plan feasible for the monotone site, module and unit constraints of
    this model (more modules and units only loosen IT and power limits); if the fixed LP is
    still infeasible no start is given. Returns whether a start was set. HiGHS's clock runs on
    from these LP solves into the MIP, so a time limit bounds the start and the MIP together.
    """
    import highspy

    is_int = info["is_int"]
    idx = np.flatnonzero(is_int)
    if not len(idx):
        return False
    t0 = time.perf_counter()
    lp = h.getLp()
    lower = np.asarray(lp.col_lower_)[idx].copy()
    upper = np.asarray(lp.col_upper_)[idx].copy()
    cont = highspy.HighsVarType.kContinuous
    h.changeColsIntegrality(len(idx), idx, np.full(len(idx), cont))
    _run(h)
    ok = False
    if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        x = np.asarray(h.getSolution().col_value)[idx]
        fixed = np.minimum(np.ceil(x - 1e-6), upper)
        h.changeColsBounds(len(idx), idx, fixed, fixed)
        _run(h)
        if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            start = np.asarray(h.getSolution().col_value).copy()
            ok = True
        h.changeColsBounds(len(idx), idx, lower, upper)
    h.changeColsIntegrality(len(idx), idx, np.full(len(idx), highspy.HighsVarType.kInteger))
    if ok:
        h.setSolution(_solution(start))
    log.info("MIP start from the rounded LP relaxation: %s (%.1f s)", "set" if ok else "none found",
             time.perf_counter() - t0)
    return ok


def _solution(x):
    import highspy

    sol = highspy.HighsSolution()
    sol.col_value = x
    sol.value_valid = True
    return sol


@dataclass
class Outcome:
    """What a finished HiGHS run returned, kept so that the solver can be freed before the
    results are read: model status (and its text), whether a feasible solution exists, the MIP
    gap and the column values."""

    status: object
    status_text: str
    has_solution: bool
    mip_gap: float
    x: np.ndarray


def outcome(h, n: int) -> Outcome:
    """The :class:`Outcome` of the last ``run()`` of ``h`` (a model of ``n`` columns)."""
    import highspy

    ms = h.getModelStatus()
    hinfo = h.getInfo()
    has_sol = hinfo.primal_solution_status == 2 or ms == highspy.HighsModelStatus.kOptimal
    x = np.array(h.getSolution().col_value, dtype=float) if n and has_sol else np.zeros(n)
    return Outcome(ms, h.modelStatusToString(ms), bool(has_sol), float(hinfo.mip_gap), x)


def load_solution(m, out, cols, settings: dict, info: dict, solve_s: float = 0.0) -> Results:
    """Map HiGHS's status (an :class:`Outcome`), load its solution into the Pyomo variables and
    extract the result tables."""
    import highspy
    import pyomo.environ as pyo

    from .model.extract import extract_tables
    from .model.objective import OBJECTIVE_SCALE

    n = info["columns"]
    is_int = info["is_int"] if info["integers"] else np.zeros(n, dtype=bool)
    ms = out.status
    MS = highspy.HighsModelStatus
    has_sol = out.has_solution
    gap = out.mip_gap if is_int.any() else 0.0
    if ms == MS.kOptimal or (n == 0 and ms == MS.kModelEmpty):
        status = "optimal"
        if not is_int.any():
            gap = 0.0
    elif ms in (MS.kInfeasible, MS.kUnboundedOrInfeasible):
        infeasible(m, settings)
    elif ms in (MS.kTimeLimit, MS.kIterationLimit, MS.kSolutionLimit, MS.kInterrupt, MS.kObjectiveBound,
                MS.kObjectiveTarget):
        if ms == MS.kInterrupt:
            raise KeyboardInterrupt
        if not has_sol:
            if ms == MS.kTimeLimit:
                limit = settings.get("time_limit")
                raise SolveError(f"no plan found in {float(limit):g} s: the solver reached its time limit before "
                                 "finding any feasible plan; raise the time limit (--time-limit, or scenario.toml "
                                 "[solver] time_limit)")
            raise SolveError(f"no plan found: the solver stopped ({out.status_text}) after {solve_s:.1f} s "
                             "before finding any feasible plan")
        status = "time_limit" if ms == MS.kTimeLimit else "stopped"
    else:
        raise SolveError(f"the solver ended with status error: {out.status_text}")
    x = np.where(is_int, np.round(out.x), out.x)
    for v, val in zip(cols, x.tolist()):
        v.set_value(val, skip_validation=True)
    t2 = time.perf_counter()
    tables = extract_tables(m)
    _add_shortfall(m, tables)
    objective = float(pyo.value(m.Total_Cost)) / OBJECTIVE_SCALE
    timings = {"handoff_s": info["handoff_s"], "solve_s": solve_s, "extract_s": time.perf_counter() - t2}
    if "rebuild_s" in info:
        timings["rebuild_s"] = info["rebuild_s"]
    size = {k: info[k] for k in ("rows", "columns", "nonzeros", "integers")}
    return Results(tables=tables, status=status, objective=objective, mip_gap=gap, solve_seconds=solve_s,
                   model_size=size, timings=timings, scenario=dict(m.inst.scenario), instance_name=m.inst.name)


def infeasible(m, settings: dict | None = None):
    """Raise InfeasibleError for a model HiGHS proved infeasible, with the reason in words.

    The reachability findings when there are any (a model built and solved directly skips the
    checks before solving); else one paragraph from :func:`siting.diagnose.explain_infeasible`.
    """
    from .diagnose import explain_infeasible

    msgs = [f.text for f in findings(m.inst, getattr(m, "slices", None))]
    if msgs:
        raise InfeasibleError(msgs)
    log.info("the model is infeasible; relaxing its limits to find the ones that bind together")
    raise InfeasibleError(explain_infeasible(m, settings))


def _add_shortfall(m, tables: dict) -> None:
    """Soft targets: add summary columns shortfall_it_mw (and shortfall_pflops with compute targets)."""
    if not getattr(m, "soft_targets", False):
        return
    s = tables["summary"]
    years = s["year"].tolist()
    it = {y: max(0.0, float(m.ITShortfall[y].value or 0.0)) for y in m.IT_TARGET_YEARS}
    s["shortfall_it_mw"] = [it.get(y, np.nan) for y in years]
    if len(m.COMPUTE_TARGET_YEARS):
        pf = {y: max(0.0, float(m.ComputeShortfall[y].value or 0.0)) for y in m.COMPUTE_TARGET_YEARS}
        s["shortfall_pflops"] = [pf.get(y, np.nan) for y in years]


def _run(h) -> None:
    """``h.run()`` that Ctrl-C stops cleanly.

    In the main thread HiGHS runs in a worker thread while this one waits; Ctrl-C sets a flag
    that HiGHS's interrupt callbacks (simplex, IPM, MIP) read, HiGHS stops at its next check,
    and KeyboardInterrupt is raised once it has. Further Ctrl-C while it stops are absorbed.
    Outside the main thread (no Ctrl-C arrives there) ``h.run()`` is called directly.
    """
    import highspy

    if threading.current_thread() is not threading.main_thread():
        h.run()
        return
    stop = threading.Event()

    def interrupt(e):
        if stop.is_set():
            e.interrupt()

    hooks = (h.cbSimplexInterrupt, h.cbIpmInterrupt, h.cbMipInterrupt)
    for cb in hooks:
        cb += interrupt
    box: dict = {}

    def work():
        try:
            box["status"] = h.run()
        except BaseException as e:  # noqa: BLE001 - handed to the waiting thread
            box["error"] = e
        finally:
            try:
                highspy.Highs.resetGlobalScheduler(False)
            except Exception:  # noqa: BLE001 - as highspy's own threaded solve
                pass

    worker = threading.Thread(target=work, name="siting-highs", daemon=True)
    try:
        worker.start()
        while worker.is_alive():
            try:
                worker.join(0.05)
            except KeyboardInterrupt:
                if not stop.is_set():
                    log.warning("interrupted: stopping the solver")
                stop.set()
    finally:
        for cb in hooks:
            cb -= interrupt
    if "error" in box:
        raise box["error"]
    if stop.is_set():
        raise KeyboardInterrupt


def solve_model(m, settings: dict) -> Results:
    """Compile ``m``, solve it with HiGHS under ``settings`` and return the results.

    ``settings``: time_limit, mip_gap, threads, log, presolve, and mip_start (default False:
    when True, a rounded LP relaxation is given to HiGHS as a first plan; it costs two extra LP
    solves, which measured slower than HiGHS's own heuristics on the benchmark models, see
    docs/performance.md, but can help where HiGHS finds no first plan in time).
    """
    h, cols, info = to_highs(m, settings)
    solve_s = run_highs(h, info, settings)
    out = outcome(h, info["columns"])
    del h  # free HiGHS before the tables are built
    return load_solution(m, out, cols, settings, info, solve_s)


def run_highs(h, info: dict, settings: dict) -> float:
    """Run HiGHS on the handed-off model (after the rounded-LP start when ``mip_start``); seconds taken."""
    t1 = time.perf_counter()
    if info["integers"] and settings.get("mip_start", False):
        rounded_lp_start(h, info)
    log.info("solving with HiGHS")
    _run(h)
    return time.perf_counter() - t1
