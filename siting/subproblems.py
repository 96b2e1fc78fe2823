"""The operations subproblems of the Benders decomposition (:mod:`siting.benders`) and where they run.

A year's operations LP travels as plain arrays (:func:`sub_data`), is built once into a HiGHS model
(:class:`Sub`) and re-solved warm with new investment values. :class:`LocalPool` runs them in this
process on threads; :class:`DaskPool` on a Dask cluster's workers, each keeping the subproblems it
built (``_WORKER_SUBS``) and re-solving them when later iterations come back to it.
"""

from __future__ import annotations

import contextlib
import logging

import numpy as np

__all__ = ["sub_data", "Sub", "LocalPool", "DaskPool"]

log = logging.getLogger("siting")


def sub_data(A, rhs, sense, cost, lower, upper, rows, ops_cols, link_cols) -> dict:
    """One year's operations LP as plain arrays (picklable: it travels to a Dask worker once)."""
    cols = np.r_[ops_cols, link_cols]
    return {"A": A[rows][:, cols].tocsc(), "sense": sense[rows], "rhs": rhs[rows],
            "cost": np.r_[cost[ops_cols], np.zeros(len(link_cols))], "lower": lower[cols], "upper": upper[cols],
            "n_ops": len(ops_cols)}


class Sub:
    """One year's operations LP, built once and re-solved with new investment values (warm-started
    from its previous basis: presolve is off so the basis carries over). One HiGHS thread: the pools
    run several subproblems at once."""

    def __init__(self, data: dict):
        from .solver import new_highs, new_lp

        lp = new_lp(data["A"], data["sense"], data["rhs"], data["cost"], data["lower"], data["upper"], None)
        self.h = new_highs({"threads": 1}, lp)
        self.h.setOptionValue("presolve", "off")
        self.n_ops = data["n_ops"]
        self.link_idx = np.arange(self.n_ops, len(data["cost"]), dtype=np.int32)

    def solve(self, x_link: np.ndarray, duals: bool = False) -> tuple:
        """(Q, reduced costs of the linked columns, operations values, row duals or None) at the investments
        ``x_link`` (the row duals with ``duals``)."""
        import highspy

        from .solver import run

        if len(self.link_idx):
            self.h.changeColsBounds(len(self.link_idx), self.link_idx, x_link, x_link)
        run(self.h)
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:  # a warm start gone wrong: once cold
            self.h.clearSolver()
            run(self.h)
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"an operations subproblem ended {self.h.modelStatusToString(self.h.getModelStatus())}")
        sol = self.h.getSolution()
        q = float(self.h.getInfo().objective_function_value)
        rc = np.asarray(sol.col_dual, dtype=float)[self.n_ops:]
        rd = np.asarray(sol.row_dual, dtype=float) if duals else None
        return q, rc, np.asarray(sol.col_value, dtype=float)[:self.n_ops], rd


class LocalPool:
    """The subproblems in this process, ``threads`` at a time (HiGHS leaves Python's lock while it
    solves, so the threads run in parallel; each subproblem's HiGHS uses one thread)."""

    def __init__(self, data: dict, threads: int = 1):
        from concurrent.futures import ThreadPoolExecutor

        self.subs = {y: Sub(d) for y, d in data.items()}
        self.threads = max(1, min(int(threads), len(data)))
        self.ex = ThreadPoolExecutor(self.threads, thread_name_prefix="siting-benders") if self.threads > 1 else None
        self.where = "in process" + (f" on {self.threads} threads" if self.ex else "")

    def solve(self, xs: dict, duals: bool = False) -> dict:
        if self.ex is None:
            return {y: self.subs[y].solve(x, duals) for y, x in xs.items()}
        import concurrent.futures as cf

        from .solver import interruptible, sigint_stops

        # Ctrl-C stops every running subproblem, then raises KeyboardInterrupt here
        with sigint_stops([self.subs[y].h for y in xs]) if interruptible() else contextlib.nullcontext():
            futures = {y: self.ex.submit(self.subs[y].solve, x, duals) for y, x in xs.items()}
            while cf.wait(futures.values(), timeout=0.1).not_done:
                pass
        return {y: f.result() for y, f in futures.items()}

    def close(self) -> None:
        if self.ex is not None:
            self.ex.shutdown(wait=True)
        self.subs.clear()


#: on a Dask worker: the subproblems it has built, by (solve token, year)
_WORKER_SUBS: dict = {}


def _remote_solve(token: str, year: int, data, x_link, duals: bool = False):
    """Dask task: solve ``year``'s subproblem at ``x_link`` on this worker, building it the first time
    (later calls re-solve the same HiGHS model from its last basis). Returns (Q, rc, ops values, row duals
    or None, worker)."""
    from distributed import get_worker

    sub = _WORKER_SUBS.get((token, year))
    if sub is None:
        sub = _WORKER_SUBS[(token, year)] = Sub(data)
    return (*sub.solve(x_link, duals), get_worker().address)


def _drop(token: str) -> int:
    """Dask worker: forget the subproblems of a finished solve."""
    keys = [k for k in _WORKER_SUBS if k[0] == token]
    for k in keys:
        del _WORKER_SUBS[k]
    return len(keys)


class DaskPool:
    """The subproblems on a Dask cluster's workers: each year's LP travels once (scattered) and is
    built once on the worker that first solves it; later iterations go back to that worker (its
    HiGHS model is warm). A year whose worker is lost is scattered again and solved elsewhere."""

    RETRIES = 3

    def __init__(self, client, data: dict):
        import uuid

        self.c, self.data = client, data
        self.token = uuid.uuid4().hex
        self.home: dict = {}
        self.futures = {y: self._scatter(y) for y in data}
        self.where = f"on {len(client.nthreads())} Dask worker(s)"

    def _scatter(self, y):
        return self.c.scatter([self.data[y]], hash=False)[0]  # in a list: a dict's keys would become Dask keys

    def _submit(self, y, x, duals=False):
        kw = {"workers": [self.home[y]], "allow_other_workers": True} if y in self.home else {}
        return self.c.submit(_remote_solve, self.token, y, self.futures[y], x, duals, pure=False, **kw)

    def solve(self, xs: dict, duals: bool = False) -> dict:
        from .errors import SolveError

        pending = {y: self._submit(y, x, duals) for y, x in xs.items()}
        out = {}
        for y, f in pending.items():
            for attempt in range(self.RETRIES + 1):
                try:
                    *res, addr = f.result()
                    break
                except RuntimeError:
                    raise
                except Exception as e:  # noqa: BLE001 - a lost worker shows as several kinds of error
                    if attempt == self.RETRIES:
                        raise SolveError(f"the operations subproblem of {y} failed {self.RETRIES + 1} times on the "
                                         f"Dask cluster: {type(e).__name__}: {e}") from None
                    log.warning("benders: the subproblem of %s was lost with its worker (%s); solving it again",
                                y, type(e).__name__)
                    self.home.pop(y, None)
                    self.futures[y] = self._scatter(y)
                    f = self._submit(y, xs[y], duals)
            self.home[y] = addr
            out[y] = tuple(res)
        return out

    def close(self) -> None:
        try:
            self.c.run(_drop, self.token)
        except Exception:  # noqa: BLE001 - the cluster may be going down; its workers forget anyway
            pass
