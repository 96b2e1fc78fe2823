"""HiGHS: the only module that touches the solver (highspy).

A Pyomo model is compiled to its linear standard form (sparse matrix in mixed form,
:mod:`siting.compile`, entry for entry Pyomo's own compiler) and passed to highspy as arrays:
no files, and no per-constraint Python calls into the solver. :func:`to_highs` does the whole
hand-off; :func:`siting.diagnose.relax` builds its own matrix (the model's, with slack columns)
from the same pieces (:func:`compile_model`, :func:`new_lp`, :func:`new_highs`). :func:`run`
runs HiGHS so that Ctrl-C stops it cleanly and :func:`outcome` keeps what a run returned, its
status mapped to siting's words.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from dataclasses import dataclass

import numpy as np

from .errors import InfeasibleError

__all__ = ["compile_model", "row_senses", "column_data", "LpArrays", "new_lp", "new_highs", "to_highs", "run",
           "run_highs", "Outcome", "outcome", "marginal_values", "Deadline"]

log = logging.getLogger("siting")


def compile_model(m, expressions: dict | None = None):
    """The standard form of ``m`` in mixed form (``c``, ``c_offset``, ``A``, ``rhs``, ``rows``, ``columns``):
    :func:`siting.compile.compile_linear`, entry for entry Pyomo's ``LinearStandardFormCompiler`` in
    less than half its time. ``expressions`` as :func:`~siting.compile.compile_linear`.

    A constant constraint that can never hold raises InfeasibleError, with the reachability
    findings of ``m``'s instance when there are any.
    """
    from pyomo.common.errors import InfeasibleConstraintException

    from .compile import compile_linear

    try:
        return compile_linear(m, expressions)
    except InfeasibleConstraintException as e:
        msgs = []
        if hasattr(m, "inst"):
            from .checks import findings

            msgs = [f.text for f in findings(m.inst, getattr(m, "slices", None))]
        raise InfeasibleError(msgs or [f"a constraint can never hold whatever the plan: {' '.join(str(e).split())}"]) \
            from None


def row_senses(sf) -> np.ndarray:
    """The sense of each compiled row: 0 for =, 1 for <=, -1 for >=."""
    return np.fromiter((r[1] for r in sf.rows), dtype=np.int8, count=len(sf.rows))


def column_data(cols) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lower and upper bounds (``None`` as -inf / +inf) and integrality of the Pyomo variables ``cols``.

    Pyomo computes a variable's bounds from its domain and its own bounds on each call (about
    0.6 us, and 0.3 more for ``is_integer``); variables that share their domain and bound objects
    share the answer, so it is asked once per distinct (domain, lower, upper) and looked up for the
    others (a million columns: 1.2 s -> 0.3 s). Variables without those attributes are asked one by one.
    """
    cache: dict = {}
    get = cache.get
    out = []
    try:
        for v in cols:
            k = (id(v._domain), id(v._lb), id(v._ub))  # alive throughout (the variables hold them)
            b = get(k)
            if b is None:
                lo, hi = v.bounds
                b = cache[k] = (-np.inf if lo is None else lo, np.inf if hi is None else hi, v.is_integer())
            out.append(b)
    except AttributeError:
        out = [(-np.inf if b[0] is None else b[0], np.inf if b[1] is None else b[1], v.is_integer())
               for v in cols for b in (v.bounds,)]
    n = len(out)
    lower = np.fromiter((b[0] for b in out), dtype=float, count=n)
    upper = np.fromiter((b[1] for b in out), dtype=float, count=n)
    is_int = np.fromiter((b[2] for b in out), dtype=bool, count=n)
    return lower, upper, is_int


@dataclass
class LpArrays:
    """A linear program as the arrays highspy reads in one call (:func:`new_highs`): columns' cost,
    bounds and integrality (None: none), rows' bounds, and the matrix column-wise (CSC)."""

    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    integrality: np.ndarray | None = None
    offset: float = 0.0

    @property
    def num_col(self) -> int:
        return len(self.cost)

    @property
    def num_row(self) -> int:
        return len(self.row_lower)


def new_lp(A, sense: np.ndarray, rhs, cost: np.ndarray, lower: np.ndarray, upper: np.ndarray,
           is_int: np.ndarray | None = None, offset: float = 0.0) -> LpArrays:
    """min ``cost`` x + ``offset`` s.t. row i of ``A`` x <=, >= or = ``rhs[i]`` (``sense`` 1, -1, 0),
    ``lower`` <= x <= ``upper``, x integer where ``is_int`` (none when None), as :class:`LpArrays`."""
    inf = np.inf
    rhs = np.asarray(rhs, dtype=float)
    A = A if A.format == "csc" else A.tocsc()
    f64 = np.float64
    integrality = None
    if is_int is not None and is_int.any():
        integrality = np.asarray(is_int, dtype=np.int32)  # HiGHS's kContinuous 0, kInteger 1
    return LpArrays(cost=np.ascontiguousarray(cost, dtype=f64), lower=np.ascontiguousarray(lower, dtype=f64),
                    upper=np.ascontiguousarray(upper, dtype=f64), row_lower=np.where(sense == 1, -inf, rhs),
                    row_upper=np.where(sense == -1, inf, rhs), start=np.ascontiguousarray(A.indptr, dtype=np.int32),
                    index=np.ascontiguousarray(A.indices, dtype=np.int32),
                    value=np.ascontiguousarray(A.data, dtype=f64), integrality=integrality, offset=float(offset))


def new_highs(settings: dict, lp=None):
    """A ``highspy.Highs`` with ``settings`` applied (and ``lp`` passed to it when given).

    ``settings``: log (HiGHS's output, default off), time_limit (s), mip_gap (relative, default
    1e-4), threads, presolve (True/False; HiGHS's default when absent) and random_seed (default 0).
    Absent or None keys keep the defaults.
    """
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(settings.get("log") or False))
    if settings.get("time_limit") is not None:
        h.setOptionValue("time_limit", float(settings["time_limit"]))
    gap = settings.get("mip_gap")
    h.setOptionValue("mip_rel_gap", float(1e-4 if gap is None else gap))
    if settings.get("threads") is not None:
        h.setOptionValue("threads", int(settings["threads"]))
    if settings.get("presolve") is not None:
        h.setOptionValue("presolve", "on" if settings["presolve"] else "off")
    seed = settings.get("random_seed")
    h.setOptionValue("random_seed", int(0 if seed is None else seed))
    if lp is not None:
        # the arrays overload: highspy reads the numpy buffers (the HighsLp setters copy element by element)
        integrality = lp.integrality if lp.integrality is not None else np.zeros(lp.num_col, dtype=np.int32)
        status = h.passModel(lp.num_col, lp.num_row, len(lp.value), int(highspy.MatrixFormat.kColwise),
                             int(highspy.ObjSense.kMinimize), lp.offset, lp.cost, lp.lower, lp.upper,
                             lp.row_lower, lp.row_upper, lp.start, lp.index, lp.value, integrality)
        if status == highspy.HighsStatus.kError:
            raise ValueError("HiGHS refused the model (passModel returned an error)")
    return h


def objective_floor(m) -> float:
    """The constant part of ``m``'s objective that every plan pays (objective units): the discounted
    shortfall penalty beyond the reachability bounds (``m.unavoidable_shortfall_usd``, soft targets
    only; 0 otherwise). Gaps are measured on the objective minus this floor."""
    from .model.objective import OBJECTIVE_SCALE

    return OBJECTIVE_SCALE * float(getattr(m, "unavoidable_shortfall_usd", 0.0) or 0.0)


def to_highs(m, settings: dict, skeleton: bool = False):
    """Compile ``m`` to arrays and pass them to a new ``highspy.Highs`` with ``settings`` applied.

    ``settings`` as :func:`new_highs`, and ``relax`` (integers relaxed). Returns ``(h, columns,
    info)``: the solver, the Pyomo variables in column order, and the model size (rows, columns,
    nonzeros, integers) with the hand-off time. The compiled matrix is freed before returning,
    so only HiGHS holds a copy during the solve. With ``skeleton``, ``info["skeleton"]`` is what the
    result tables need of ``m`` once it is freed (:func:`siting.solution.record`).
    """
    from pyomo.common.gc_manager import PauseGC

    with PauseGC():  # the bounds and the limit rows make a million small objects (see siting.solving.hand_off)
        return _to_highs(m, settings, skeleton)


def _to_highs(m, settings: dict, skeleton: bool = False):
    t0 = time.perf_counter()
    if skeleton:
        from .solution import expressions_of, record

        sf = compile_model(m, expressions_of(m))
        sk = record(m, sf)
    else:
        sf = compile_model(m)
    cols = sf.columns
    n, nrow = len(cols), len(sf.rows)
    cost, offset = sf.objective()
    lower, upper, is_int = column_data(cols)
    relax = bool(settings.get("relax"))
    nnz = int(sf.A.nnz)
    limit_rows = _limit_rows(m, sf)
    # the gap is measured net of the shortfall penalty no plan avoids (siting.model.targets): HiGHS's objective
    # leaves it out, the objective reported (Pyomo's, after the solve) keeps it
    lp = new_lp(sf.A, row_senses(sf), sf.rhs, cost, lower, upper, None if relax else is_int,
                offset - objective_floor(m))
    del sf, cost
    h = new_highs(settings, lp)
    del lp
    info = {"rows": nrow, "columns": n, "nonzeros": nnz, "integers": 0 if relax else int(is_int.sum()),
            "handoff_s": time.perf_counter() - t0, "is_int": is_int, "lower": lower, "upper": upper,
            "limit_rows": limit_rows}
    if skeleton:
        info["skeleton"] = sk
    log.info("handed %d rows x %d columns (%d nonzeros, %d integers) to HiGHS in %.1f s", nrow, n, nnz,
             info["integers"], info["handoff_s"])
    return h, cols, info


def _limit_rows(m, sf) -> dict | None:
    """The compiled rows of the ledger's limit families (``Family.limit``): row numbers, family names,
    indices and senses, kept (a few numbers per row) so that marginal values can be reported after the
    Pyomo model is freed. None for a model without a ledger."""
    ledger = getattr(m, "ledger", None)
    if ledger is None:
        return None
    limits = {name for name, f in ledger.families.items() if f.limit}
    rows, names, idx, sense = [], [], [], []
    spans = getattr(sf, "spans", None)  # the rows of each constraint component (siting.compile)
    if spans is None:
        spans = [(con.parent_component(), i, i + 1) for i, (con, _) in enumerate(sf.rows)]
    for comp, start, stop in spans:
        name = comp.local_name
        if name not in limits:
            continue
        for i in range(start, stop):
            con, sen = sf.rows[i]
            k = con.index()
            rows.append(i)
            names.append(name)
            idx.append(k if isinstance(k, tuple) else (k,))
            sense.append(sen)
    return {"row": np.asarray(rows, dtype=np.int64), "family": names, "index": idx,
            "sense": np.asarray(sense, dtype=np.int8), "rhs": np.asarray(sf.rhs, dtype=float)[rows]}


def marginal_values(h, out: Outcome, info: dict) -> dict | None:
    """Row duals and activities of the limit rows at the plan HiGHS found.

    An LP's duals are read directly. After a MIP, the integer columns are fixed at their
    (rounded) values, integrality is dropped and the LP is solved again: its duals are the
    marginal values of the limits for that plan's sites, modules and units. Returns None when
    there is nothing to report or the fixed LP does not solve to optimality (logged).
    """
    import highspy

    lim = info.get("limit_rows")
    if not lim or not len(lim["row"]) or not out.has_solution:
        return None
    is_int = info["is_int"] if info["integers"] else np.zeros(info["columns"], dtype=bool)
    t0 = time.perf_counter()
    if is_int.any():
        j = np.flatnonzero(is_int).astype(np.int32)
        v = np.round(out.x[j])
        h.changeColsBounds(len(j), j, v, v)
        h.changeColsIntegrality(len(j), j, np.full(len(j), highspy.HighsVarType.kContinuous))
        h.setOptionValue("time_limit", highspy.kHighsInf)
        run(h)
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            log.warning("marginal values: the LP with the plan's integers fixed ended %s; no binding table",
                        h.modelStatusToString(h.getModelStatus()))
            return None
    sol = h.getSolution()
    rows = lim["row"]
    duals = np.asarray(sol.row_dual, dtype=float)[rows]
    values = np.asarray(sol.row_value, dtype=float)[rows]
    log.info("marginal values of %d limit rows in %.1f s", len(rows), time.perf_counter() - t0)
    return {**lim, "dual": duals, "value": values}


def run(h) -> None:
    """``h.run()`` that Ctrl-C stops cleanly.

    In the main thread HiGHS runs in a worker thread while this one waits. For the length of the
    run, SIGINT gets a handler that only sets a flag; HiGHS's interrupt callbacks (simplex, IPM,
    MIP) read it, HiGHS stops at its next check, and once the worker thread has ended the
    previous handler is restored and KeyboardInterrupt is raised (or the previous handler, if it
    was not Python's default, is called). Further Ctrl-C while HiGHS stops are absorbed. Outside
    the main thread (no Ctrl-C arrives there), or when SIGINT is ignored or left to the system
    (``SIG_IGN``, ``SIG_DFL``), ``h.run()`` is called directly.

    The wait is never broken by an exception, so the solver thread always ends before this
    returns. (Waiting in ``Thread.join`` and catching KeyboardInterrupt was not enough: on
    Python < 3.13 a KeyboardInterrupt raised inside ``join`` marks a thread that is still
    running as stopped, so the process could exit with HiGHS still running and abort with
    "terminate called without an active exception".)
    """
    import highspy

    if not interruptible():
        h.run()
        return
    box: dict = {}
    done = threading.Event()

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
            done.set()

    worker = threading.Thread(target=work, name="siting-highs", daemon=True)
    with sigint_stops([h]) as stopped:
        worker.start()
        warned = False
        while not done.wait(0.1):
            if stopped() and not warned:
                log.warning("interrupted: stopping the solver")
                warned = True
        worker.join()  # done is set: the thread is returning
    if "error" in box:
        raise box["error"]


@contextlib.contextmanager
def sigint_stops(hs):
    """For the length of the block, Ctrl-C (SIGINT) only sets a flag that the interrupt callbacks
    (simplex, IPM, MIP) of the ``highspy.Highs`` objects ``hs`` read, so that HiGHS stops at its
    next check wherever it runs (this thread or others). Yields a function that says whether
    Ctrl-C came. On leaving, the callbacks and the previous handler are restored and, if Ctrl-C
    came, KeyboardInterrupt is raised (or the previous handler, if it was not Python's default,
    is called). Called in the main thread only (signal handlers are set there)."""
    stop = threading.Event()
    caught: list = []

    def interrupt(e):
        if stop.is_set():
            e.interrupt()

    def on_sigint(signum, frame):  # runs in the main thread, between two bytecodes: only a flag
        caught.append((signum, frame))
        stop.set()

    hooks = [cb for h in hs for cb in (h.cbSimplexInterrupt, h.cbIpmInterrupt, h.cbMipInterrupt)]
    previous = signal.signal(signal.SIGINT, on_sigint)  # a Ctrl-C before this line: nothing started yet
    failed = False
    try:
        for cb in hooks:
            cb += interrupt
        try:
            yield stop.is_set
        except BaseException:
            failed = True
            raise
        finally:
            for cb in hooks:
                cb -= interrupt
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught and not failed:
        if callable(previous) and previous is not signal.default_int_handler:
            previous(*caught[0])  # the caller's own handler, now that HiGHS has stopped
        else:
            raise KeyboardInterrupt


def interruptible() -> bool:
    """Whether :func:`sigint_stops` can be used here: the main thread, with a Python SIGINT handler."""
    return threading.current_thread() is threading.main_thread() \
        and signal.getsignal(signal.SIGINT) not in (signal.SIG_IGN, signal.SIG_DFL, None)


def run_highs(h) -> float:
    """Run HiGHS on the handed-off model (:func:`run`); the seconds taken."""
    t1 = time.perf_counter()
    log.info("solving with HiGHS")
    run(h)
    return time.perf_counter() - t1


@dataclass
class Outcome:
    """What a finished HiGHS run returned, kept so that the solver can be freed before the
    results are read: model status (and its text), whether a feasible solution exists, the MIP
    gap, the column values, and ``kind``, the status in siting's words: ``"optimal"``,
    ``"infeasible"``, ``"time_limit"``, ``"stopped"`` (another limit), ``"interrupted"`` (Ctrl-C)
    or ``"error"``."""

    status: object
    status_text: str
    has_solution: bool
    mip_gap: float
    x: np.ndarray
    kind: str
    #: marginal values of the limit rows (:func:`marginal_values`), when computed
    marginals: dict | None = None


def _kind(ms, n: int) -> str:
    import highspy

    MS = highspy.HighsModelStatus
    if ms == MS.kOptimal or (n == 0 and ms == MS.kModelEmpty):
        return "optimal"
    if ms in (MS.kInfeasible, MS.kUnboundedOrInfeasible):
        return "infeasible"
    if ms == MS.kInterrupt:
        return "interrupted"
    if ms == MS.kTimeLimit:
        return "time_limit"
    if ms in (MS.kIterationLimit, MS.kSolutionLimit, MS.kObjectiveBound, MS.kObjectiveTarget):
        return "stopped"
    return "error"


def outcome(h, n: int) -> Outcome:
    """The :class:`Outcome` of the last ``run()`` of ``h`` (a model of ``n`` columns)."""
    import highspy

    ms = h.getModelStatus()
    hinfo = h.getInfo()
    has_sol = hinfo.primal_solution_status == 2 or ms == highspy.HighsModelStatus.kOptimal
    x = np.array(h.getSolution().col_value, dtype=float) if n and has_sol else np.zeros(n)
    return Outcome(ms, h.modelStatusToString(ms), bool(has_sol), float(hinfo.mip_gap), x, _kind(ms, n))


class Deadline:
    """A wall-clock deadline for runs of one ``highspy.Highs``, read by its interrupt callbacks (HiGHS's own
    time limit is not always heeded by a MIP: one master ran 8 minutes past it). The interrupt flag is set
    both ways at every call: once set, HiGHS keeps it, and every later run would stop at once. Attach it
    before any other interrupt callback (it runs first; the Ctrl-C one of :func:`run` may
    still set the flag after it)."""

    def __init__(self, h):
        self.at = np.inf
        for cb in (h.cbSimplexInterrupt, h.cbIpmInterrupt, h.cbMipInterrupt):
            cb += self._check

    def _check(self, e) -> None:
        e.interrupt(time.perf_counter() > self.at)

    def set(self, seconds: float) -> None:
        """Stop runs from ``seconds`` after now."""
        self.at = time.perf_counter() + seconds

    def clear(self) -> None:
        self.at = np.inf
