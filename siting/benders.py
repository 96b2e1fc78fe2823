"""Benders decomposition of the compiled model: an investment master and one operations LP per year.

The split comes from the ledger's stage tags, applied to the standard form of the model (:mod:`siting.compile`):

- columns of investment-stage variables (sites, modules, builds, units, capacity, chip installs,
  IT load, flexibility choices, shortfalls) go to the **master**, with one cost estimate
  ``theta_y >= 0`` per planning year (multi-cut);
- every other column is an operations column of one planning year (the year in its index); a row
  with an operations column belongs to that year's **subproblem**, every other row to the master.
  Annual rows over the slices of a year (CO2 cap, clean share, 24/7 CFE, curtailment budget) are
  operations rows of their year, so they are handled exactly inside the subproblem.

A subproblem fixes the investment columns it touches at the master's values (their bounds) and
solves an LP, warm-started from its previous basis: its value Q_y and the reduced costs d of the
fixed columns give the optimality cut ``theta_y >= Q_y + d (x - x_hat)``. Unserved energy at
``unserved_usd_per_mwh`` (the :mod:`siting.model.unserved` block) keeps every subproblem feasible,
so no feasibility cut is needed; energy still unserved at the end is reported (the monolithic
model is then infeasible, or the price is below the cost of serving it).

Start and stabilisation: a plan of the same instance at one typical day (solved in one piece, see
:func:`siting.solving.coarse_start`) is evaluated first, as the first incumbent and stability centre.
The first phase solves the master as an LP and separates cuts at the level-set projection of the
best point so far (the point nearest to it, in a weighted 1-norm, whose cut-model cost is at most
halfway between the lower and the upper bound), which keeps the iterates near good plans instead of
the bang-bang jumps of plain Kelley cutting planes; the second phase solves the master as a MIP with
every cut kept. The lower bound is the master's (dual) bound, the upper bound the cost of the best
plan evaluated; the loop stops at ``mip_gap`` or ``time_limit`` with the best plan.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field

import numpy as np

from .solver import Deadline
from .subproblems import DaskPool, LocalPool, sub_data

__all__ = ["BendersInfo", "solve_benders"]

log = logging.getLogger("siting")

#: price of unserved energy inside the decomposition, USD/MWh
UNSERVED_USD_PER_MWH = 50_000.0
#: most iterations of the LP phase before the master turns integer, and in all
LP_ITERATIONS = 60
MAX_ITERATIONS = 1000
#: the most of the time limit one master MIP may take
MASTER_SHARE = 0.05
#: level of the level-set projection, between the lower (0) and the upper bound (1)
LEVEL = 0.5


@dataclass
class BendersInfo:
    iterations: int = 0
    lower_bound: float = 0.0          # objective units (million USD)
    upper_bound: float = np.inf
    history: list = field(default_factory=list)   # (iteration, seconds, lower, upper, gap, phase), net of floor
    floor: float = 0.0                # the objective's constant part every plan pays (objective units)
    master_seconds: float = 0.0       # wall time in master solves
    sub_seconds: float = 0.0          # wall time in subproblem solves (all years, wherever they run)
    row_duals: np.ndarray | None = None  # every row's dual at the best plan (:func:`_row_duals`)
    marginals: dict | None = None     # duals and activities of the limit rows at the best plan (the binding table)


def _year_of(idx) -> int | None:
    idx = idx if isinstance(idx, tuple) else (idx,)
    ys = [v for v in idx if isinstance(v, int | np.integer) and not isinstance(v, bool)]
    return int(ys[0]) if ys else None


def _split(m, sf):
    """Column and row partition: investment columns, operations columns by year, rows by year (None: master)."""
    from .model.ledger import INVESTMENT

    stages = m.ledger.stages
    cols = sf.columns
    n = len(cols)
    inv = np.zeros(n, dtype=bool)
    col_year = np.full(n, -1, dtype=np.int64)
    for j, v in enumerate(cols):
        comp = v.parent_component().local_name
        if stages.get(comp, INVESTMENT) == INVESTMENT:
            inv[j] = True
        else:
            y = _year_of(v.index())
            if y is None:
                raise ValueError(f"operations variable {v.name} has no year in its index")
            col_year[j] = y
    A = sf.A.tocsr()
    row_year = np.full(A.shape[0], -1, dtype=np.int64)
    for i in range(A.shape[0]):
        ys = col_year[A.indices[A.indptr[i]:A.indptr[i + 1]]]
        ys = ys[ys >= 0]
        if len(ys):
            if (ys != ys[0]).any():
                raise ValueError(f"row {sf.rows[i][0].name} mixes the operations of several years")
            row_year[i] = ys[0]
    return inv, col_year, row_year, A


class _Projection:
    """The level-set projection of the LP phase: min sum_j w_j |x_j - c_j| over the master's rows and cuts with
    the master's objective at most a level (w_j = 1 / scale_j: a change relative to the column's size)."""

    def __init__(self, Am, sense, rhs, mc, lo, hi, offset, n_inv, threads):
        import highspy
        import scipy.sparse as sp

        from .solver import new_highs, new_lp

        nm, nx = Am.shape
        eye = sp.identity(n_inv, format="csc")
        A = sp.vstack([sp.hstack([Am, sp.csc_matrix((nm, 2 * n_inv))]),
                       sp.hstack([eye, sp.csc_matrix((n_inv, nx - n_inv)), -eye, eye]),
                       sp.hstack([sp.csc_matrix(mc[None, :]), sp.csc_matrix((1, 2 * n_inv))])], format="csc")
        lp = new_lp(A, np.r_[sense, np.zeros(n_inv), [1]], np.r_[rhs, np.zeros(n_inv), [highspy.kHighsInf]],
                    np.r_[np.zeros(nx), np.ones(2 * n_inv)], np.r_[lo, np.zeros(2 * n_inv)],
                    np.r_[hi, np.full(2 * n_inv, np.inf)], None, 0.0)
        self.h = new_highs({"threads": threads, "log": False}, lp)
        self.offset, self.n_inv, self.nx = offset, n_inv, nx
        self.dist_rows = np.arange(nm, nm + n_inv, dtype=np.int32)
        self.level_row = nm + n_inv
        self.pq = np.arange(nx, nx + 2 * n_inv, dtype=np.int32)

    def project(self, centre, level, scale):
        """The point nearest ``centre`` with the master's objective at most ``level``; None if the LP fails."""
        import highspy

        from .solver import run

        w = 1.0 / scale
        self.h.changeColsCost(len(self.pq), self.pq, np.r_[w, w])
        self.h.changeRowsBounds(self.n_inv, self.dist_rows, centre, centre)
        self.h.changeRowBounds(self.level_row, -highspy.kHighsInf, level - self.offset)
        run(self.h)
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return np.asarray(self.h.getSolution().col_value, dtype=float)[:self.n_inv]


def solve_benders(m, settings: dict, progress=None, client=None, start: dict | None = None,
                  t0: float | None = None, free: bool = False):
    """Solve model ``m`` (built with ``unserved_usd_per_mwh``) by Benders.

    Returns ``(skeleton, x, objective, info, size, status)``: what the result tables need of ``m``
    (a :class:`siting.solution.Skeleton`: they are read from ``x`` with ``skeleton.solved(x)``), the
    value of each compiled column (the best plan), its objective in objective units,
    :class:`BendersInfo`, the model size and ``"optimal"`` (gap within ``mip_gap``) or
    ``"time_limit"``. ``free``: take ``m`` apart (:func:`siting.solution.free_model`) once it is
    compiled, so that the iterations run without the Pyomo model in memory. ``settings``: mip_gap (default
    1e-4), time_limit, threads, log. ``progress``: called with the :class:`BendersInfo` after every
    iteration. ``client``: None (subproblems in this process) or a ``dask.distributed.Client``
    (subproblems on its workers). ``start``: investment values by variable name (a plan from a
    coarser model, :func:`siting.solving.coarse_start`), evaluated first: the first plan and the
    first stability centre when it satisfies the master's rows, else the centre only. ``t0``: the
    ``time.perf_counter()`` the time limit and the iteration times count from (default: now).
    """
    from .solution import expressions_of, free_model, record, release_memory
    from .solver import _limit_rows, column_data, compile_model, objective_floor, row_senses

    t_compile = time.perf_counter()
    t0 = t_compile if t0 is None else t0
    sf = compile_model(m, expressions_of(m))
    skeleton = record(m, sf)
    cost, offset = sf.objective()
    # bounds and gaps net of the shortfall penalty no plan avoids (added back to the bounds reported)
    floor = objective_floor(m)
    offset -= floor
    lower, upper, is_int = column_data(sf.columns)
    sense = row_senses(sf)
    rhs = np.asarray(sf.rhs, dtype=float)
    inv, col_year, row_year, A = _split(m, sf)
    years = sorted({int(y) for y in row_year if y >= 0})
    inv_cols = np.flatnonzero(inv)
    lim = _limit_rows(m, sf)
    names = [sf.columns[j].name for j in inv_cols] if start else None
    size = {"rows": len(sf.rows), "columns": len(sf.columns), "nonzeros": int(sf.A.nnz),
            "integers": int(is_int.sum()), "is_int": is_int, "lower": lower, "upper": upper}
    del sf  # its rows and columns are the model's constraints and variables
    if free:
        free_model(m)
        release_memory(collect=False)
    # subproblems
    links, ops_of, data = {}, {}, {}
    for y in years:
        rows = np.flatnonzero(row_year == y)
        ops_of[y] = np.flatnonzero(col_year == y)
        touched = np.unique(A[rows].indices)
        links[y] = touched[inv[touched]]
        data[y] = sub_data(A, rhs, sense, cost, lower, upper, rows, ops_of[y], links[y])
    pool = LocalPool(data, settings.get("threads") or os.cpu_count() or 1) if client is None \
        else DaskPool(client, data)
    del data
    log.info("benders: %d investment columns in the master, %d yearly operations subproblems %s",
             len(inv_cols), len(years), pool.where)
    x_start = None
    if start:
        x_start = np.array([start.get(name, np.nan) for name in names])
        missing = np.isnan(x_start)
        x_start[missing] = lower[inv_cols][missing]
        log.info("benders: a starting plan for %d of %d investment columns", int((~missing).sum()), len(inv_cols))
    size["handoff_s"] = time.perf_counter() - t_compile  # the compile, the split and the subproblems' data
    try:
        x, best, info, status = _loop(pool, years, links, ops_of, cost, offset, lower, upper, is_int, sense, rhs, A,
                                      inv, row_year, settings, progress, t0, x_start)
    finally:
        pool.close()
    info.lower_bound += floor
    info.upper_bound += floor
    info.floor = floor
    if info.row_duals is not None and lim and len(lim["row"]):
        info.marginals = {**lim, "dual": info.row_duals[lim["row"]], "value": (A @ x)[lim["row"]]}
    return skeleton, x, best + floor, info, size, status


def _row_duals(pool, master, x_best, years, links, pos, row_year, mrows, int_idx, set_integrality, run_master):
    """Row duals at the best plan, for the binding table: each operations row's from its year's subproblem solved
    at the plan (exact: the duals of the full LP with the investments fixed), each master row's from the master
    LP with the plan's integers fixed and every cut kept (the cuts stand in for the operations: exact where
    they are tight). None when the master LP does not solve."""
    import highspy

    t = time.perf_counter()
    duals = np.zeros(len(row_year))
    solved = pool.solve({y: x_best[pos[links[y]]] for y in years}, duals=True)
    for y in years:
        duals[row_year == y] = solved[y][3]
    set_integrality(False)
    if len(int_idx):
        v = np.round(x_best[int_idx])
        master.changeColsBounds(len(int_idx), int_idx, v, v)
    master.setOptionValue("time_limit", highspy.kHighsInf)
    run_master()
    if master.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        log.warning("marginal values: the master LP with the plan's integers fixed ended %s; no binding table",
                    master.modelStatusToString(master.getModelStatus()))
        return None
    duals[mrows] = np.asarray(master.getSolution().row_dual, dtype=float)[:len(mrows)]
    log.info("benders: marginal values at the best plan in %.1f s", time.perf_counter() - t)
    return duals


def _loop(pool, years, links, ops_of, cost, offset, lower, upper, is_int, sense, rhs, A, inv, row_year,
          settings, progress, t0, x_start=None):
    import highspy
    import scipy.sparse as sp

    from .errors import SolveError
    from .solver import new_highs, new_lp, run

    gap_goal = float(settings.get("mip_gap") or 1e-4)
    limit = float(settings.get("time_limit") or np.inf)
    n = len(cost)
    inv_cols = np.flatnonzero(inv)
    n_inv = len(inv_cols)
    pos = np.full(n, -1, dtype=np.int64)
    pos[inv_cols] = np.arange(n_inv)
    # master: investment columns, theta per year, investment rows; cuts added as rows
    mrows = np.flatnonzero(row_year < 0)
    k = len(years)
    Am = A[mrows][:, inv_cols].tocsc()
    Am = sp.hstack([Am, sp.csc_matrix((len(mrows), k))], format="csc")
    mc = np.r_[cost[inv_cols], np.ones(k)]
    lp = new_lp(Am, sense[mrows], rhs[mrows], mc, np.r_[lower[inv_cols], np.zeros(k)],
                np.r_[upper[inv_cols], np.full(k, np.inf)], np.r_[is_int[inv_cols], np.zeros(k, dtype=bool)], offset)
    master = new_highs({"threads": settings.get("threads"), "mip_gap": gap_goal / 4, "log": False}, lp)
    theta = np.arange(n_inv, n_inv + k, dtype=np.int32)
    deadline = Deadline(master)
    info = BendersInfo()
    projections: list = []  # the level-set projection LP while phase 1 runs (it receives the cuts too)
    best = {"ub": np.inf, "x": None, "ops": None, "q": None}
    int_idx = np.flatnonzero(is_int[inv_cols]).astype(np.int32)
    int_lo, int_hi = lower[inv_cols][int_idx], upper[inv_cols][int_idx]
    inv_lo, inv_hi = lower[inv_cols], upper[inv_cols]

    def set_integrality(on: bool):
        if len(int_idx):
            kind = highspy.HighsVarType.kInteger if on else highspy.HighsVarType.kContinuous
            master.changeColsIntegrality(len(int_idx), int_idx, np.full(len(int_idx), kind))

    def evaluate(x_plan, is_plan: bool) -> float:
        """Solve the subproblems at ``x_plan``, add their cuts to the master; its cost (investments + operations).
        A plan (integer) better than the best so far becomes the best."""
        x_plan = np.clip(x_plan, inv_lo, inv_hi)  # the master's tolerances leave values such as -8.6e-7 (a bound 0)
        xs = {y: x_plan[pos[links[y]]] for y in years}
        ts = time.perf_counter()
        solved = pool.solve(xs)
        info.sub_seconds += time.perf_counter() - ts
        for i, y in enumerate(years):
            q, rc = solved[y][:2]
            # theta_y - rc . x >= q - rc . x_hat
            idx = np.r_[pos[links[y]], theta[i]].astype(np.int32)
            val = np.r_[-rc, 1.0]
            keep = np.abs(val) > 1e-12
            for h in (master, *(p.h for p in projections)):
                h.addRow(q - float(rc @ xs[y]), highspy.kHighsInf, int(keep.sum()), idx[keep], val[keep])
        ub = offset + float(cost[inv_cols] @ x_plan) + sum(v[0] for v in solved.values())
        if is_plan and ub < best["ub"]:
            best.update(ub=ub, x=x_plan.copy(), ops={y: v[2] for y, v in solved.items()},
                        q=np.array([solved[y][0] for y in years]))
        return ub

    def record(lb: float, phase: str, frac: float | None = None) -> float:
        info.lower_bound = lb
        info.upper_bound = best["ub"]
        ub = best["ub"]
        gap = (ub - lb) / max(abs(ub), 1e-9) if np.isfinite(ub) else np.inf
        elapsed = time.perf_counter() - t0
        info.history.append((info.iterations, elapsed, lb, ub, gap, phase))
        log.info("benders %3d (%s): lower %.6g, upper %.6g, gap %s%s, %.1f s (master %.1f s, subproblems %.1f s)",
                 info.iterations, phase, lb, ub, f"{gap:.3%}" if np.isfinite(gap) else "-",
                 "" if frac is None else f" (LP relaxation within {(frac - lb) / max(abs(frac), 1e-9):.3%})", elapsed,
                 info.master_seconds, info.sub_seconds)
        if progress is not None:
            progress(info)
        return gap

    cont_idx = np.setdiff1d(np.arange(n_inv), int_idx).astype(np.int32)
    cont_lo, cont_hi = lower[inv_cols][cont_idx], upper[inv_cols][cont_idx]

    def run_master(cap: float | None = None) -> None:
        """Run the master, at most ``cap`` seconds when given (HiGHS's time limit, on its clock that runs on
        across the runs of one Highs object, backed 5 s later by the deadline)."""
        if cap is not None:
            master.setOptionValue("time_limit", master.getRunTime() + cap)
            deadline.set(cap + 5.0)
        ts = time.perf_counter()
        try:
            run(master)
        finally:
            deadline.clear()
            info.master_seconds += time.perf_counter() - ts

    def round_plan(x_frac, keep_continuous: bool) -> np.ndarray | None:
        """A plan near a fractional master solution (RENS, Berthold 2014): the master as a MIP with each integer
        column between the floor and the ceiling of its fractional value and, with ``keep_continuous``, the
        continuous investments at least their fractional values (where the cuts are exact, so the plan serves
        what the fractional point served). None when the master has no such plan."""
        lo = np.clip(np.floor(x_frac[int_idx] + 1e-6), int_lo, int_hi)
        hi = np.clip(np.ceil(x_frac[int_idx] - 1e-6), lo, int_hi)
        master.changeColsBounds(len(int_idx), int_idx, lo, hi)
        if keep_continuous and len(cont_idx):
            master.changeColsBounds(len(cont_idx), cont_idx, np.clip(x_frac[cont_idx], cont_lo, cont_hi), cont_hi)
        set_integrality(True)
        master.setOptionValue("mip_rel_gap", gap_goal / 4)
        try:
            run_master(max(1.0, 0.1 * limit) if limit < np.inf else None)
            ok = master.getInfo().primal_solution_status == 2
            x = np.asarray(master.getSolution().col_value, dtype=float)[:n_inv] if ok else None
        finally:
            set_integrality(False)
            master.changeColsBounds(len(int_idx), int_idx, int_lo, int_hi)
            if len(cont_idx):
                master.changeColsBounds(len(cont_idx), cont_idx, cont_lo, cont_hi)
        if x is not None:
            x[int_idx] = np.round(x[int_idx])
        return x

    def mip_start() -> None:
        """Hand the best plan to the master MIP as its starting solution (theta at the plan's operating costs)."""
        if best["x"] is None:
            return
        sol = highspy.HighsSolution()
        sol.col_value = np.r_[best["x"], best["q"]]
        sol.value_valid = True
        master.setSolution(sol)

    # phase 1: the master as an LP; cuts separated at the level-set projection of the best point so far
    # (Lemarechal, Nemirovskii and Nesterov 1995; Pecci and Jenkins 2025): the point nearest to it, in a weighted
    # 1-norm, whose cut-model cost is at most lower + LEVEL x (upper - lower). The bound is the LP relaxation's.
    set_integrality(False)
    proj = _Projection(Am, sense[mrows], rhs[mrows], mc, np.r_[inv_lo, np.zeros(k)],
                       np.r_[inv_hi, np.full(k, np.inf)], offset, n_inv, settings.get("threads"))
    projections.append(proj)
    scale = np.ones(n_inv)
    centre = None
    lp_best = (np.inf, None)
    lb = -np.inf
    if x_start is not None:  # a plan from a coarser model: the first centre, and the first plan if it is one here
        x0 = np.clip(x_start, inv_lo, inv_hi)
        x0[int_idx] = np.round(x0[int_idx])
        act = Am[:, :n_inv] @ x0
        tol = 1e-6 * np.maximum(1.0, np.abs(rhs[mrows]))
        sm, rm = sense[mrows], rhs[mrows]  # sense 1: <=, -1: >=, 0: =
        ok = not (((sm <= 0) & (act < rm - tol)) | ((sm >= 0) & (act > rm + tol))).any()
        info.iterations += 1
        ub0 = evaluate(x0, ok)
        np.maximum(scale, np.abs(x0), out=scale)
        lp_best, centre = (ub0, x0.copy()), x0.copy()
        log.info("benders: the starting plan costs %.6g%s", ub0,
                 "" if ok else " (it breaks a master row: a centre only)")
    while len(int_idx):
        info.iterations += 1
        run_master()
        if master.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"the Benders master ended {master.modelStatusToString(master.getModelStatus())}")
        x_inv = np.asarray(master.getSolution().col_value, dtype=float)[:n_inv]
        lb = max(lb, float(master.getInfo().objective_function_value))
        np.maximum(scale, np.abs(x_inv), out=scale)
        sep = x_inv
        if centre is not None:
            ts = time.perf_counter()
            sep = proj.project(centre, lb + LEVEL * (lp_best[0] - lb), scale)
            info.master_seconds += time.perf_counter() - ts
            if sep is None:  # the projection failed (numerics): the master's own point (a Kelley cut)
                sep = x_inv
        ub = evaluate(sep, False)
        if ub < lp_best[0]:
            lp_best = (ub, sep.copy())
            centre = lp_best[1]
        record(lb, "lp", lp_best[0])
        lp_gap = (lp_best[0] - lb) / max(abs(lp_best[0]), 1e-9)
        elapsed = time.perf_counter() - t0
        flat = len(info.history) > 10 and lb - info.history[-6][2] <= 0.01 * gap_goal * abs(lb) \
            and lp_gap <= 2 * gap_goal
        if lp_gap <= gap_goal / 2 or flat or elapsed > 0.3 * limit or info.iterations >= LP_ITERATIONS:
            break
    projections.clear()
    # a first plan near the best fractional point (its integers rounded either way, its continuous investments
    # kept at least, so its operations serve the load; else with the continuous investments left to the master)
    if len(int_idx) and lp_best[1] is not None:
        for keep in (True, False):
            x = round_plan(lp_best[1], keep)
            if x is not None:
                evaluate(x, True)
                if np.isfinite(best["ub"]):
                    break
        log.info("benders: the rounded LP plan costs %.6g (%s above the LP bound)", best["ub"],
                 f"{(best['ub'] - lb) / max(abs(best['ub']), 1e-9):.3%}" if np.isfinite(best["ub"]) else "-")
    # phase 2: the master as a MIP with every cut kept (a model without integers stays an LP)
    set_integrality(True)
    last_mip = None
    master_gap = max(gap_goal / 4, min(0.01, (best["ub"] - lb) / max(abs(best["ub"]), 1e-9))) \
        if np.isfinite(best["ub"]) else gap_goal / 4
    master.setOptionValue("mip_rel_gap", master_gap)
    phase = "mip" if len(int_idx) else "lp"
    while True:
        elapsed = time.perf_counter() - t0
        if np.isfinite(best["ub"]) and len(int_idx) and (
                (best["ub"] - lb) / max(abs(best["ub"]), 1e-9) <= gap_goal or elapsed >= limit):
            break  # the rounded plan is already within the gap of the LP bound
        mip_start()
        info.iterations += 1
        # one master MIP takes at most MASTER_SHARE of the limit (its bound and plan still count)
        run_master(max(1.0, min(limit - elapsed, MASTER_SHARE * limit)) if limit < np.inf else None)
        ms = master.getModelStatus()
        if ms != highspy.HighsModelStatus.kOptimal and not master.getInfo().primal_solution_status == 2:
            if ms in (highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kInterrupt):
                if best["x"] is not None:
                    log.info("benders: the master found no plan within its time; the best plan stands")
                    break
                if time.perf_counter() - t0 >= limit:
                    raise SolveError(f"no plan found in {limit:g} s: the decomposition reached its time limit "
                                     "before finding any feasible plan; raise the time limit (--time-limit, or "
                                     "scenario.toml [solver] time_limit)")
                continue  # a master stopped early with time left: again
            raise RuntimeError(f"the Benders master ended {master.modelStatusToString(ms)}")
        xm = np.asarray(master.getSolution().col_value, dtype=float)
        mi = master.getInfo()
        lb_now = float(mi.mip_dual_bound) if len(int_idx) else float(mi.objective_function_value)
        lb = max(lb, lb_now) if len(int_idx) else lb_now
        xm[int_idx] = np.round(xm[int_idx])
        x_inv = xm[:n_inv]
        evaluate(x_inv, True)
        gap = record(lb, phase)
        repeat = last_mip is not None and np.allclose(x_inv, last_mip, rtol=1e-9, atol=1e-7)
        last_mip = x_inv.copy()
        if gap <= gap_goal or time.perf_counter() - t0 >= limit or info.iterations >= MAX_ITERATIONS:
            break
        if repeat and master_gap <= gap_goal / 4:  # the same plan again from a tight master: its cuts are tight
            log.info("benders: the master repeats its plan; the gap left (%.3g) is the master's own", gap)
            break
        # the master need not be closed tighter than a tenth of the gap still open (tight when it repeats)
        master_gap = gap_goal / 4 if repeat else max(gap_goal / 4, min(0.01, gap / 5))
        master.setOptionValue("mip_rel_gap", master_gap)
    info.lower_bound, info.upper_bound = lb, best["ub"]
    # the full column vector of the best plan
    x = np.zeros(n)
    x[inv_cols] = best["x"]
    for y in years:
        if best["ops"].get(y) is not None:
            x[ops_of[y]] = best["ops"][y]
    if settings.get("marginal_values", True):
        info.row_duals = _row_duals(pool, master, best["x"], years, links, pos, row_year, mrows, int_idx,
                                    set_integrality, run_master)
    status = "optimal" if info.upper_bound - info.lower_bound <= gap_goal * abs(info.upper_bound) + 1e-9 \
        else "time_limit"
    return x, best["ub"], info, status
