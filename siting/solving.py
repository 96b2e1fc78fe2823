"""Solve an instance or a model: the reachability checks, the hand-off to HiGHS
(:mod:`siting.solver`), freeing the Pyomo model during the solve, and reading the solution back.
"""

from __future__ import annotations

import contextlib
import logging
import time

import numpy as np

from .checks import findings
from .errors import InfeasibleError, SolveError
from .instance import Instance
from .results import Results
from .solution import free_model, release_memory
from .solver import Outcome, marginal_values, outcome, run_highs, to_highs

__all__ = ["solve", "solve_model", "solve_released", "hand_off", "read_back", "load_solution", "check_targets",
           "infeasible", "free_model", "release_memory"]

log = logging.getLogger("siting")


def _settings(inst: Instance, **given) -> dict:
    s = dict(inst.scenario.get("solver", {}))
    for k, v in given.items():
        if v is not None:
            s[k] = v
    return s


def solve(inst_or_model, time_limit: float | None = None, mip_gap: float | None = None,
          threads: int | None = None, log_solver: bool | None = None, presolve: bool | None = None,
          method: str = "auto", client=None, workers: int | None = None, progress: bool = False) -> Results:
    """Solve an instance (built here) or a model from :func:`siting.build_model`.

    Parameters
    ----------
    inst_or_model : :class:`~siting.Instance` or a Pyomo model from :func:`build_model`.
    time_limit : seconds; the incumbent is returned with status ``"time_limit"`` and its gap.
    mip_gap : relative MIP gap (default 1e-4, or scenario.toml [solver] mip_gap).
    threads : solver threads.
    log_solver : print HiGHS's log.
    presolve : turn HiGHS presolve on or off (default: on).
    method : ``"monolithic"`` (one MIP), ``"benders"`` (:mod:`siting.benders`: an investment master
        and one operations LP per year), or ``"auto"`` (default: Benders above
        :data:`AUTO_BENDERS_NONZEROS` estimated nonzeros, else monolithic; the choice is logged).
        A model passed in is always solved monolithically.
    client : Benders only: where the yearly subproblems run. None (default: in this process, or on
        a local Dask cluster of ``workers`` processes when ``workers`` is given), a
        ``dask.distributed.Client``, a scheduler address (``"tcp://host:8786"``) or a scheduler
        file: the conventions of :func:`siting.sweep`. Each worker builds a subproblem once and
        re-solves it warm; a lost worker's subproblems are solved again elsewhere.
    workers : Benders only: processes of the local Dask cluster started when ``client`` is None.
    progress : Benders only: a progress bar (iterations, bounds, gap) on stderr.

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
        chosen = _pick_method(inst, slices, method)
        if chosen == "benders":
            return solve_decomposed(inst, slices, st, client=client, workers=workers, progress=progress)
        if client is not None or workers:
            log.info("the monolithic solve runs in this process; client and workers serve method=\"benders\"")
        return solve_released(inst, slices, st)
    m = inst_or_model
    inst = m.inst
    check_targets(inst, getattr(m, "slices", None))
    st = _settings(inst, time_limit=time_limit, mip_gap=mip_gap, threads=threads, log=log_solver,
                   presolve=presolve)
    return solve_model(m, st)


#: method="auto" decomposes above this many estimated nonzeros (monolithic HiGHS stalls beyond, docs/performance.md)
AUTO_BENDERS_NONZEROS = 1_000_000


def _pick_method(inst: Instance, slices, method: str) -> str:
    """The method to use: ``method`` itself, or for ``"auto"`` by an estimate of the model's nonzeros."""
    if method not in ("auto", "monolithic", "benders"):
        raise SolveError(f"method must be \"auto\", \"monolithic\" or \"benders\", not {method!r}")
    if method != "auto":
        return method
    est = 4 * slices.n * len(inst.sites) * len(inst.years) * (len(inst.techs) + 2)
    chosen = "benders" if est > AUTO_BENDERS_NONZEROS else "monolithic"
    log.info("method auto: %s (about %.2g nonzeros; Benders from %.0e)", chosen, est, AUTO_BENDERS_NONZEROS)
    return chosen


def solve_decomposed(inst: Instance, slices, settings: dict, client=None, workers: int | None = None,
                     progress: bool = False) -> Results:
    """Solve by Benders decomposition (:func:`siting.benders.solve_benders`) and read the plan back.

    ``client`` / ``workers``: where the subproblems run (:func:`solve`); ``progress``: a progress bar."""
    import contextlib

    from .benders import UNSERVED_USD_PER_MWH, solve_benders
    from .model import build_model
    from .model.objective import OBJECTIVE_SCALE

    t0 = time.perf_counter()
    start, start_s = None, 0.0
    if settings.get("warm_start", True) and slices.n > 24:
        start = coarse_start(inst, settings)
        start_s = time.perf_counter() - t0
    m = build_model(inst, slices=slices, unserved_usd_per_mwh=UNSERVED_USD_PER_MWH)
    with contextlib.ExitStack() as stack:
        c = None
        if client is not None or workers:
            from ._dask import connect as _connect

            c = stack.enter_context(_connect(client, workers, len(inst.years)))
        bar = stack.enter_context(_benders_bar(progress, settings.get("mip_gap") or 1e-4))
        # free: the model is taken apart once compiled, so the iterations run without it
        skeleton, x, ub, info, size, status = solve_benders(m, settings, progress=bar, client=c, start=start, t0=t0,
                                                            free=True)
    solve_s = time.perf_counter() - t0
    gap = (info.upper_bound - info.lower_bound) / max(abs(info.upper_bound - info.floor), 1e-12)
    out = Outcome(status=None, status_text=status, has_solution=True, mip_gap=max(0.0, gap), x=x, kind=status,
                  marginals=info.marginals)
    res = load_solution(None, out, None, settings, size, solve_s, skeleton=skeleton)
    res.method, res.iterations = "benders", info.iterations
    res.lower_bound = info.lower_bound / OBJECTIVE_SCALE
    res.timings["benders_history"] = [list(h) for h in info.history]
    res.timings.update(benders_start_s=start_s, benders_master_s=info.master_seconds,
                       benders_subproblems_s=info.sub_seconds)
    unserved = res.costs.loc[res.costs.component == "unserved", "cost_usd"].sum() if len(res.costs) else 0.0
    if unserved > 1e-7 * abs(res.objective):  # more than the solver's tolerances leave
        log.warning("the decomposed plan leaves energy unserved (%.3g USD a year at %.0f USD/MWh): the model has "
                    "no plan that serves every hour, or serving it costs more than that price", unserved,
                    UNSERVED_USD_PER_MWH)
    return res


#: the coarse solve of :func:`coarse_start` takes at most this share of the time limit
COARSE_SHARE = 0.2


def coarse_start(inst: Instance, settings: dict) -> dict | None:
    """A starting plan for the decomposition: the instance at one typical day, solved in one piece
    (gap ``max(mip_gap, 1 %)``, at most :data:`COARSE_SHARE` of the time limit). Returns its
    investment values by variable name (the investment variables are the same at every time
    resolution), or None when it finds no plan."""
    from .model import build_model
    from .model.ledger import INVESTMENT
    from .timeseries import make_slices

    t = time.perf_counter()
    limit = settings.get("time_limit")
    st = {**settings, "mip_gap": max(float(settings.get("mip_gap") or 1e-4), 0.01), "marginal_values": False,
          "time_limit": None if limit is None else COARSE_SHARE * float(limit)}
    m = build_model(inst, slices=make_slices(inst, typical_days=1))
    h, cols, info = to_highs(m, st)
    run_highs(h)
    out = outcome(h, info["columns"])
    del h
    if not out.has_solution:
        log.info("benders: one typical day gave no starting plan (%s)", out.status_text)
        return None
    stages = m.ledger.stages
    start = {v.name: float(x) for v, x in zip(cols, out.x.tolist())
             if stages.get(v.parent_component().local_name, INVESTMENT) == INVESTMENT}
    log.info("benders: a starting plan from one typical day in %.1f s (%s)", time.perf_counter() - t, out.status_text)
    return start


@contextlib.contextmanager
def _benders_bar(show: bool, goal: float):
    """A tqdm bar over the Benders iterations with the bounds and the gap (None when not shown or without tqdm)."""
    from ._extras import progress_bar

    with progress_bar(show, unit="it", desc="benders", leave=False) as bar:
        if bar is None:
            yield None
            return

        def update(info):
            h = info.history[-1] if info.history else None
            bar.update(1)
            if h is not None:
                gap = f"{h[4]:.3%}" if np.isfinite(h[4]) else "-"
                bar.set_postfix_str(f"{h[5]} phase, gap {gap} (goal {goal:.2%})", refresh=False)
        yield update


def hand_off(inst: Instance, slices, settings: dict):
    """Build the model of ``inst``, hand it to HiGHS and free it: returns ``(h, skeleton, info)``.

    Only what the result tables read is kept of the Pyomo model (a :class:`siting.solution.Skeleton`:
    the column of each variable, the indices, the named expressions compiled over the columns); the
    model is dropped and the freed heap pages are returned to the system before HiGHS runs
    (:func:`release_memory`), so the solve has the memory to itself.
    """
    from pyomo.common.gc_manager import PauseGC

    from .model import build_model

    t0 = time.perf_counter()
    log.info("building the model")
    # Python's cyclic collector paused throughout: the compile and the layout make a million small objects,
    # and each full collection would walk the model's tens of millions (5 of them, 9.5 s, at 3M nonzeros)
    with PauseGC():
        m = build_model(inst, slices=slices)
        build_s = time.perf_counter() - t0
        log.info("built the model in %.1f s", build_s)
        h, cols, info = to_highs(m, settings, skeleton=True)
        info["build_s"] = build_s
        skeleton = info.pop("skeleton")
        del cols
        free_model(m)
        del m
    release_memory(collect=False)
    return h, skeleton, info


def read_back(inst: Instance, slices, out: Outcome, skeleton, settings: dict, info: dict,
              solve_s: float = 0.0) -> Results:
    """The result tables of a solve handed off by :func:`hand_off`, read from HiGHS's column values
    and the model's :class:`~siting.solution.Skeleton` (no model is built again). A model proved
    infeasible is built in full to explain why."""
    from .model import build_model

    if out.kind == "infeasible":
        infeasible(build_model(inst, slices=slices), settings)
    return load_solution(None, out, None, settings, info, solve_s, skeleton=skeleton)


def solve_released(inst: Instance, slices, settings: dict) -> Results:
    """Build, hand to HiGHS, free the Pyomo model during the solve and read the solution back
    (:func:`hand_off`, then :func:`read_back`): the Pyomo model and HiGHS are never in memory
    together after the hand-off (docs/performance.md)."""
    h, layout, info = hand_off(inst, slices, settings)
    solve_s = run_highs(h)
    out = _with_marginals(h, outcome(h, info["columns"]), info, settings)
    del h  # HiGHS's model and working memory go before the tables are built
    release_memory()
    return read_back(inst, slices, out, layout, settings, info, solve_s)


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


def load_solution(m, out: Outcome, cols, settings: dict, info: dict, solve_s: float = 0.0,
                  skeleton=None) -> Results:
    """Map HiGHS's status (an :class:`~siting.solver.Outcome`), load its solution into the Pyomo
    variables ``cols`` of ``m`` (when given) and extract the result tables: from the solution array
    with a ``skeleton`` (:class:`siting.solution.SolvedModel`, as :func:`solve_model` and
    :func:`read_back` do), else from the Pyomo model."""
    import pyomo.environ as pyo

    from .model.extract import extract_tables
    from .model.objective import OBJECTIVE_SCALE
    from .model.plan import decisions_table

    n = info["columns"]
    is_int = info["is_int"] if info["integers"] else np.zeros(n, dtype=bool)
    kind = out.kind
    has_sol = out.has_solution
    gap = out.mip_gap if is_int.any() else 0.0
    if kind == "optimal":
        status = "optimal"
        if not is_int.any():
            gap = 0.0
    elif kind == "infeasible":
        infeasible(m, settings)
    elif kind in ("time_limit", "stopped", "interrupted"):
        if kind == "interrupted":
            raise KeyboardInterrupt
        if not has_sol:
            if kind == "time_limit":
                limit = settings.get("time_limit")
                raise SolveError(f"no plan found in {float(limit):g} s: the solver reached its time limit before "
                                 "finding any feasible plan; raise the time limit (--time-limit, or scenario.toml "
                                 "[solver] time_limit)")
            raise SolveError(f"no plan found: the solver stopped ({out.status_text}) after {solve_s:.1f} s "
                             "before finding any feasible plan")
        status = kind
    else:
        raise SolveError(f"the solver ended with status error: {out.status_text}")
    # integers rounded; continuous values within 1e-9 of zero (solver noise, e.g. a shortfall of 2e-15 MW) are zero,
    # and values within the solver's tolerance (1e-6) outside a bound are put on it (an install of -1.4e-9 units)
    lo, hi = info["lower"], info["upper"]  # the column bounds handed to the solver
    x = np.where(is_int, np.round(out.x), np.where(np.abs(out.x) < 1e-9, 0.0, out.x))
    x = np.where((x < lo) & (x >= lo - 1e-6), lo, np.where((x > hi) & (x <= hi + 1e-6), hi, x))
    if cols is not None:
        for v, val in zip(cols, x.tolist()):
            v.set_value(val, skip_validation=True)
    t2 = time.perf_counter()
    if skeleton is not None:  # the tables are read from the solution array, not from the Pyomo model
        m = skeleton.solved(x)
    tables = extract_tables(m)
    _add_shortfall(m, tables)
    tables["decisions"] = decisions_table(m)
    if out.marginals is not None:
        from .model.binding import binding_table

        tables["binding"] = binding_table(m, out.marginals)
    objective = (m.objective if skeleton is not None else float(pyo.value(m.Total_Cost))) / OBJECTIVE_SCALE
    timings = {"handoff_s": info["handoff_s"], "solve_s": solve_s, "extract_s": time.perf_counter() - t2}
    if "marginals_s" in info:
        timings["marginals_s"] = info["marginals_s"]
    size = {k: info[k] for k in ("rows", "columns", "nonzeros", "integers")}
    return Results(tables=tables, status=status, objective=objective, mip_gap=gap, solve_seconds=solve_s,
                   model_size=size, timings=timings, scenario=dict(m.inst.scenario), instance_name=m.inst.name,
                   objective_floor_usd=float(getattr(m, "unavoidable_shortfall_usd", 0.0) or 0.0))


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
    if not m.ix.soft_targets:
        return
    s = tables["summary"]
    years = s["year"].tolist()
    it = {y: max(0.0, float(v or 0.0)) for y, v in m.ITShortfall.extract_values().items()}
    s["shortfall_it_mw"] = [it.get(y, np.nan) for y in years]
    if len(m.COMPUTE_TARGET_YEARS):
        pf = {y: max(0.0, float(v or 0.0)) for y, v in m.ComputeShortfall.extract_values().items()}
        s["shortfall_pflops"] = [pf.get(y, np.nan) for y in years]


def _with_marginals(h, out: Outcome, info: dict, settings: dict) -> Outcome:
    """``out`` with the marginal values of the limits (settings ``marginal_values``, default on) for a plan
    that was found (optimal, or stopped with a plan)."""
    if not settings.get("marginal_values", True) or out.kind not in ("optimal", "time_limit", "stopped"):
        return out
    t = time.perf_counter()
    out.marginals = marginal_values(h, out, info)
    info["marginals_s"] = time.perf_counter() - t
    return out


def solve_model(m, settings: dict) -> Results:
    """Compile ``m``, solve it with HiGHS under ``settings`` and return the results.

    ``settings``: time_limit, mip_gap, threads, log, presolve, random_seed (see
    :func:`siting.solver.new_highs`), relax (solve the LP relaxation) and marginal_values (default
    True: the ``binding`` table, from the LP with the plan's integers fixed).
    """
    h, cols, info = to_highs(m, settings, skeleton=True)
    solve_s = run_highs(h)
    out = _with_marginals(h, outcome(h, info["columns"]), info, settings)
    del h  # free HiGHS before the tables are built
    return load_solution(m, out, cols, settings, info, solve_s, skeleton=info.pop("skeleton"))


