"""Benders decomposition of the compiled model: an investment master and one operations LP per year.

The split comes from the ledger's stage tags, applied to Pyomo's standard form of the model:

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

Stabilisation: the first phase solves the master as an LP and separates cuts at an in-out point
(Ben-Ameur and Neto 2007: halfway between the master's solution and a stability centre that
moves towards it), which damps the bang-bang investment jumps of plain Kelley cutting planes;
the second phase solves the master as a MIP with every cut kept. The lower bound is the master's
(dual) bound, the upper bound the cost of the best plan evaluated; the loop stops at ``mip_gap``
or ``time_limit`` with the best plan.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np

__all__ = ["BendersInfo", "solve_benders"]

log = logging.getLogger("siting")

#: price of unserved energy inside the decomposition, USD/MWh
UNSERVED_USD_PER_MWH = 50_000.0
#: most iterations of the LP phase before the master turns integer, and in all
LP_ITERATIONS = 60
MAX_ITERATIONS = 1000


@dataclass
class BendersInfo:
    iterations: int = 0
    lower_bound: float = 0.0          # objective units (million USD)
    upper_bound: float = np.inf
    history: list = field(default_factory=list)   # (iteration, seconds, lower, upper, gap, phase)


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


class _Sub:
    """One year's operations LP, built once and re-solved with new investment values."""

    def __init__(self, A, rhs, sense, cost, lower, upper, rows, ops_cols, link_cols, settings):
        from .solver import new_highs, new_lp

        self.ops_cols, self.link_cols = ops_cols, link_cols
        cols = np.r_[ops_cols, link_cols]
        sub = A[rows][:, cols].tocsc()
        c = np.r_[cost[ops_cols], np.zeros(len(link_cols))]
        lp = new_lp(sub, sense[rows], rhs[rows], c, lower[cols], upper[cols], None)
        self.h = new_highs({k: settings[k] for k in ("threads",) if settings.get(k) is not None}, lp)
        self.h.setOptionValue("presolve", "off")  # keep the basis between solves: warm starts
        self.n_ops = len(ops_cols)
        self.link_idx = np.arange(self.n_ops, self.n_ops + len(link_cols), dtype=np.int32)

    def solve(self, x_link: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """(Q, reduced costs of the linked columns, operations values) at the investments ``x_link``."""
        import highspy

        from .solver import run

        if len(self.link_idx):
            self.h.changeColsBounds(len(self.link_idx), self.link_idx, x_link, x_link)
        run(self.h)
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"an operations subproblem ended {self.h.modelStatusToString(self.h.getModelStatus())}")
        sol = self.h.getSolution()
        q = float(self.h.getInfo().objective_function_value)
        rc = np.asarray(sol.col_dual, dtype=float)[self.n_ops:]
        return q, rc, np.asarray(sol.col_value, dtype=float)[:self.n_ops]


def solve_benders(m, settings: dict, progress=None):
    """Solve model ``m`` (built with ``unserved_usd_per_mwh``) by Benders; returns (x, objective, info, size).

    ``x``: the value of every compiled column (in ``sf.columns`` order, returned as ``cols``),
    ``objective`` in objective units. ``settings``: mip_gap (default 1e-4), time_limit, threads, log.
    """
    import highspy

    from .solver import column_bounds, compile_model, integer_columns, new_highs, new_lp, row_senses, run

    t0 = time.perf_counter()
    gap_goal = float(settings.get("mip_gap") or 1e-4)
    limit = float(settings.get("time_limit") or np.inf)
    sf = compile_model(m)
    cols = sf.columns
    n = len(cols)
    cost = sf.c.toarray()[0] if sf.c.shape[0] else np.zeros(n)
    offset = float(sf.c_offset[0]) if len(sf.c_offset) else 0.0
    lower, upper = column_bounds(cols)
    is_int = integer_columns(cols)
    sense = row_senses(sf)
    rhs = np.asarray(sf.rhs, dtype=float)
    inv, col_year, row_year, A = _split(m, sf)
    years = sorted({int(y) for y in row_year if y >= 0})
    inv_cols = np.flatnonzero(inv)
    pos = np.full(n, -1, dtype=np.int64)
    pos[inv_cols] = np.arange(len(inv_cols))
    # subproblems
    subs = {}
    for y in years:
        rows = np.flatnonzero(row_year == y)
        ops = np.flatnonzero(col_year == y)
        touched = np.unique(A[rows].indices)
        link = touched[inv[touched]]
        subs[y] = _Sub(A, rhs, sense, cost, lower, upper, rows, ops, link, settings)
    # master: investment columns, theta per year, investment rows; cuts added as rows
    mrows = np.flatnonzero(row_year < 0)
    k = len(years)
    Am = A[mrows][:, inv_cols].tocsc()
    import scipy.sparse as sp

    Am = sp.hstack([Am, sp.csc_matrix((len(mrows), k))], format="csc")
    mc = np.r_[cost[inv_cols], np.ones(k)]
    lp = new_lp(Am, sense[mrows], rhs[mrows], mc, np.r_[lower[inv_cols], np.zeros(k)],
                np.r_[upper[inv_cols], np.full(k, np.inf)], np.r_[is_int[inv_cols], np.zeros(k, dtype=bool)], offset)
    master = new_highs({"threads": settings.get("threads"), "mip_gap": gap_goal / 4, "log": False}, lp)
    theta = np.arange(len(inv_cols), len(inv_cols) + k, dtype=np.int32)
    info = BendersInfo()
    best_x, best_ops, best_ub = None, None, np.inf
    core = None
    phase = "lp"
    int_idx = np.flatnonzero(is_int[inv_cols]).astype(np.int32)

    def set_integrality(on: bool):
        if len(int_idx):
            kind = highspy.HighsVarType.kInteger if on else highspy.HighsVarType.kContinuous
            master.changeColsIntegrality(len(int_idx), int_idx, np.full(len(int_idx), kind))

    set_integrality(False)
    last_mip = None
    master_gap = gap_goal / 4
    while True:
        info.iterations += 1
        run(master)
        ms = master.getModelStatus()
        if ms != highspy.HighsModelStatus.kOptimal and not (
                phase == "mip" and master.getInfo().primal_solution_status == 2):
            raise RuntimeError(f"the Benders master ended {master.modelStatusToString(ms)}")
        xm = np.asarray(master.getSolution().col_value, dtype=float)
        mi = master.getInfo()
        lb = float(mi.mip_dual_bound) if phase == "mip" else float(mi.objective_function_value)
        if phase == "mip":
            xm[int_idx] = np.round(xm[int_idx])
        x_inv = xm[:len(inv_cols)]
        # in-out separation point in the LP phase
        if phase == "lp":
            core = x_inv if core is None else 0.5 * (core + x_inv)
            sep = 0.5 * (x_inv + core)
        else:
            sep = x_inv
        qs, ops_vals = {}, {}
        new_rows = []
        for i, y in enumerate(years):
            s = subs[y]
            xl = sep[pos[s.link_cols]]
            q, rc, ov = s.solve(xl)
            qs[y], ops_vals[y] = q, ov
            # theta_y - rc . x >= q - rc . x_hat
            idx = np.r_[pos[s.link_cols], theta[i]].astype(np.int32)
            val = np.r_[-rc, 1.0]
            keep = np.abs(val) > 1e-12
            new_rows.append((q - float(rc @ xl), idx[keep], val[keep]))
        for lo, idx, val in new_rows:
            master.addRow(lo, highspy.kHighsInf, len(idx), idx, val)
        ub = offset + float(cost[inv_cols] @ sep) + sum(qs.values())
        if phase == "mip" or not len(int_idx):  # a plan (integer, or the model has no integers)
            if ub < best_ub:
                best_ub, best_x, best_ops = ub, sep.copy(), dict(ops_vals)
        info.lower_bound = max(info.lower_bound, lb) if phase == "mip" else lb
        info.upper_bound = best_ub
        gap = (best_ub - info.lower_bound) / max(abs(best_ub), 1e-9) if np.isfinite(best_ub) else np.inf
        lp_gap = (ub - lb) / max(abs(ub), 1e-9)
        elapsed = time.perf_counter() - t0
        info.history.append((info.iterations, elapsed, info.lower_bound, best_ub, gap, phase))
        log.info("benders %3d (%s): lower %.6g, upper %.6g, gap %s, %.1f s", info.iterations, phase, lb,
                 best_ub, f"{gap:.3%}" if np.isfinite(gap) else "-", elapsed)
        if progress is not None:
            progress(info)
        if phase == "lp":
            if not len(int_idx):
                if gap <= gap_goal or elapsed >= limit:
                    break
                continue
            flat = len(info.history) > 5 and lb - info.history[-6][2] <= 0.1 * gap_goal * abs(lb)
            if lp_gap <= gap_goal or flat or elapsed > 0.3 * limit or info.iterations >= LP_ITERATIONS:
                phase = "mip"
                set_integrality(True)
                master_gap = max(gap_goal / 4, min(0.01, lp_gap))
                master.setOptionValue("mip_rel_gap", master_gap)
                if limit < np.inf:
                    master.setOptionValue("time_limit", max(1.0, limit - elapsed))
            continue
        repeat = last_mip is not None and np.allclose(x_inv, last_mip, rtol=1e-9, atol=1e-7)
        last_mip = x_inv.copy()
        if gap <= gap_goal or elapsed >= limit or info.iterations >= MAX_ITERATIONS:
            break
        if repeat and master_gap <= gap_goal / 4:  # the same plan again from a tight master: its cuts are tight
            log.info("benders: the master repeats its plan; the gap left (%.3g) is the master's own", gap)
            break
        if limit < np.inf:
            master.setOptionValue("time_limit", max(1.0, limit - elapsed))
        # the master need not be closed tighter than a tenth of the gap still open (tight when it repeats)
        master_gap = gap_goal / 4 if repeat else max(gap_goal / 4, min(0.01, gap / 10))
        master.setOptionValue("mip_rel_gap", master_gap)
    # the full column vector of the best plan
    x = np.zeros(n)
    x[inv_cols] = best_x
    for y in years:
        s = subs[y]
        if best_ops.get(y) is not None:
            x[s.ops_cols] = best_ops[y]
    status = "optimal" if info.upper_bound - info.lower_bound <= gap_goal * abs(info.upper_bound) + 1e-9 \
        else "time_limit"
    size = {"rows": len(sf.rows), "columns": n, "nonzeros": int(sf.A.nnz), "integers": int(is_int.sum()),
            "handoff_s": 0.0, "is_int": is_int}
    return cols, x, best_ub, info, size, status
