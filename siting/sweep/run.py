"""Running a sweep: on a Dask cluster (embedded LocalCluster, a scheduler address, or a given client),
with each solved scenario written to the output folder as it finishes, and read back on a rerun
when its inputs and solver options are unchanged (fingerprints).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import uuid
from pathlib import Path

import pandas as pd

from .._dask import connect as _connect
from .._dask import hold_ctrl_c as _hold_ctrl_c
from .._extras import progress_bar
from .._io import cell_text
from ..errors import SitingError
from ..instance import Instance, load_instance
from ..results import Results, read_results
from ..schema import TABLES
from .apply import apply_scenario
from .results import RECORD_TABLE, SweepResults
from .spec import Scenario, load_scenarios

log = logging.getLogger("siting")


def _run_scenario(inst: Instance, scenario: Scenario, opts: dict) -> dict:
    """Worker task: apply, validate, build, solve. Errors of the data or the solve come back as text."""
    from ..solving import solve

    t0 = time.perf_counter()
    try:
        res = solve(apply_scenario(inst, scenario), **opts)
    except SitingError as e:
        return {"error": f"{type(e).__name__}: " + " | ".join(e.problems), "seconds": time.perf_counter() - t0}
    return {"results": res, "seconds": time.perf_counter() - t0, "pid": os.getpid()}


def _same(x):
    """Worker task: its argument. The instance reaches the workers as the result of this task, not by
    ``scatter``, so a worker lost with the only copy costs a recomputation, not the sweep."""
    return x


def _frame_digest(df: pd.DataFrame) -> str:
    df = pd.DataFrame(df).drop(columns="geometry", errors="ignore")
    h = hashlib.sha256(json.dumps([[str(c), str(t)] for c, t in df.dtypes.items()]).encode())
    h.update(pd.util.hash_pandas_object(df.astype(object).map(cell_text), index=False).to_numpy().tobytes())
    return h.hexdigest()


def instance_fingerprint(inst: Instance) -> str:
    """A digest of every table and setting of ``inst`` (the same data gives the same digest)."""
    h = hashlib.sha256(json.dumps(inst.scenario, sort_keys=True, default=str).encode())
    for t in TABLES:
        h.update(_frame_digest(getattr(inst, t)).encode())
    return h.hexdigest()


def _fingerprint(inst_fp: str, s: Scenario, opts: dict) -> str:
    payload = {"instance": inst_fp, "overrides": [o.as_dict() for o in s.overrides],
               "time_limit": opts.get("time_limit"), "mip_gap": opts.get("mip_gap")}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _record(s: Scenario, fp: str) -> pd.DataFrame:
    return pd.DataFrame({"scenario": [s.name], "kind": [s.kind], "group": [s.group], "description": [s.description],
                         "fingerprint": [fp],
                         "overrides": [json.dumps([o.as_dict() for o in s.overrides], default=str)]})


def _reuse(folder: Path, fp: str) -> Results | None:
    """The results stored in ``folder`` if they were solved from the same inputs and options."""
    if not (folder / "results.json").is_file():
        return None
    try:
        res = read_results(folder)
        rec = res.tables.get(RECORD_TABLE)
        if rec is not None and len(rec) == 1 and rec["fingerprint"].iloc[0] == fp:
            return res
    except (OSError, ValueError, KeyError) as e:
        log.warning("%s: cannot be read back (%s); solving again", folder, e)
        return None
    log.info("%s: inputs or solver options changed since it was solved; solving again", folder.name)
    return None


def sweep(inst, scenarios=None, client=None, *, out=None, workers: int | None = None,
          time_limit: float | None = None, mip_gap: float | None = None, threads: int | None = 1,
          progress: bool = False, resume: bool = True) -> SweepResults:
    """Solve every scenario of ``scenarios`` on a Dask cluster and stack the results.

    Parameters
    ----------
    inst : an :class:`~siting.Instance`, or an instance folder / bundled name.
    scenarios : a scenarios.toml path, a dict in its layout, a list of :class:`Scenario`, or
        None for the scenarios.toml of the instance folder.
    client : None (an embedded ``LocalCluster`` with ``workers`` processes of one thread,
        default one per CPU), a ``dask.distributed.Client``, a scheduler address such as
        ``"tcp://10.0.0.5:8786"``, the path of a scheduler file (``dask scheduler
        --scheduler-file``), or a cluster object (``SLURMCluster``, ``KubeCluster`` ...). A
        Client or cluster given is left open.
    out : a folder. Each solved scenario is written to ``out/scenarios/<name>/`` as soon as it
        finishes (atomically, :meth:`Results.to_folder`), and the stacked tables, summary,
        ``failed.csv`` and ``cost_distribution.png`` to ``out`` at the end. With ``resume``, a
        scenario whose folder holds results from the same instance, overrides, ``time_limit``
        and ``mip_gap`` is read back instead of solved again.
    time_limit, mip_gap, threads : passed to :func:`siting.solve` for each scenario (threads
        defaults to 1: one solver thread per Dask worker).
    progress : show a progress bar (tqdm).

    Returns
    -------
    SweepResults
        A failed scenario (InstanceError, InfeasibleError, SolveError, or a worker that died)
        is recorded in ``failed`` with its error text; the others are solved regardless.
        ``info`` lists the scenarios ``solved`` in this call, ``reused`` from ``out`` and ``failed``.
    """
    t0 = time.perf_counter()
    if not isinstance(inst, Instance):
        inst = load_instance(inst)
    scs = load_scenarios(scenarios, inst)
    opts = {"time_limit": time_limit, "mip_gap": mip_gap, "threads": threads}
    inst_fp = instance_fingerprint(inst)
    fps = {s.name: _fingerprint(inst_fp, s, opts) for s in scs}
    out = Path(out) if out is not None else None
    if out is not None and out.exists() and not out.is_dir():
        raise SitingError(f"{out}: exists and is not a folder")
    done: dict[str, Results] = {}
    reused: list[str] = []
    if out is not None and resume:
        for s in scs:
            res = _reuse(out / "scenarios" / s.name, fps[s.name])
            if res is not None:
                done[s.name] = res
                reused.append(s.name)
        if reused:
            log.info("%d of %d scenarios already solved in %s; solving the other %d", len(reused), len(scs), out,
                     len(scs) - len(reused))
    todo = [s for s in scs if s.name not in done]
    errors: dict[str, str] = {}
    solved: list[str] = []
    seconds: dict[str, float] = {}
    n_workers = 0
    if todo:
        with _connect(client, workers, len(todo)) as c, _progress(progress, len(scs), len(done)) as bar:
            import dask
            from distributed import as_completed

            n_workers = len(c.nthreads())
            token = uuid.uuid4().hex[:8]
            # the instance as a task's result (recomputed if the worker holding it is lost), sent once
            with dask.config.set({"distributed.admin.large-graph-warning-threshold": "10GB"}):
                data = c.submit(_same, inst, key=f"siting-instance-{token}", pure=False)
            futures = {c.submit(_run_scenario, data, s, opts, key=f"siting-sweep-{token}-{s.name}", pure=False): s
                       for s in todo}
            try:
                for fut in as_completed(futures):
                    s = futures[fut]
                    try:
                        r = fut.result()
                    except Exception as e:  # noqa: BLE001 - a worker died or the code failed: record, go on
                        r = {"error": f"{type(e).__name__}: {' '.join(str(e).split())}"}
                    fut.release()
                    seconds[s.name] = r.get("seconds", float("nan"))
                    if "error" in r:
                        errors[s.name] = r["error"]
                        log.warning("scenario %s failed: %s", s.name, r["error"])
                    else:
                        res = r["results"]
                        res.tables[RECORD_TABLE] = _record(s, fps[s.name])
                        try:
                            if out is not None:
                                res.to_folder(out / "scenarios" / s.name, overwrite=True)
                        except (SitingError, OSError) as e:
                            errors[s.name] = f"solved, but the results could not be written: {e}"
                            log.warning("scenario %s: %s", s.name, errors[s.name])
                        else:
                            done[s.name] = res
                            solved.append(s.name)
                    if bar is not None:
                        bar.update(1)
                        bar.set_postfix(failed=len(errors), refresh=False)
            finally:
                for fut in [*futures, data]:
                    if not fut.done():
                        fut.cancel()
                data.release()
    info = {"scenarios": [s.name for s in scs], "solved": solved, "reused": reused,
            "failed": [s.name for s in scs if s.name in errors], "workers": n_workers,
            "seconds": time.perf_counter() - t0, "scenario_seconds": seconds}
    sr = SweepResults.combine(scs, done, errors, info)
    if out is not None:
        with _hold_ctrl_c():  # the stacked tables, summary and figure are written whole, or Ctrl-C came before
            sr.to_folder(out)
    return sr


def _progress(show: bool, total: int, initial: int):
    return progress_bar(show, total=total, initial=initial, unit="scenario", desc="sweep")

