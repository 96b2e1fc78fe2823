"""Benchmark the whole path, stage by stage, against HiGHS alone on the same model.

For each size (sites x years x typical days) the script writes a synthetic instance folder
(benchmarks/synthetic.py), then times through the public API: load, build, hand-off to
HiGHS (siting's standard-form compiler, arrays into highspy), HiGHS solve and results
extraction, with the peak resident memory of each stage. It then writes the same model as
MPS and solves it with highspy alone in a fresh process (the floor), and prints the ratio
of the whole run to that floor.

    python benchmarks/run.py --sizes 10x4x4 40x8x8 --mode lp
    python benchmarks/run.py --sizes 20x6x8 --mode mip --mip-gap 0.01 --time-limit 600

``--mode lp`` drops integrality in both runs (a stable measure of overhead); ``mip``
solves the model as built. With ``--time-limit`` both runs stop at the same limit, so the
ratio measures the overhead around the solver on models too large to solve to the end on
this machine (a run stopped before any plan still reads the tables, from the solver's last
iterate, so that the read-back costs what it would for a plan). The whole run's peak memory
leaves out the benchmark's own MPS write; HiGHS alone's is its process's peak, reading the MPS
file included.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic import write_instance  # noqa: E402


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def _hwm_mb() -> float:
    """Peak resident set size of this process (VmHWM: unlike ru_maxrss, not inherited across exec)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


class PeakMemory:
    """Samples the resident set size every few milliseconds; ``peak`` is the max since ``reset``."""

    def __init__(self, interval: float = 0.01):
        self.interval = interval
        self.peak = 0.0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss_mb())
            time.sleep(self.interval)

    def reset(self) -> None:
        self.peak = _rss_mb()

    def stop(self) -> None:
        self._stop.set()
        self._t.join()


FLOOR = r"""
import highspy, json, sys, time
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
path, opts = sys.argv[1], json.loads(sys.argv[2])
h = highspy.Highs()
h.setOptionValue("output_flag", False)
t0 = time.perf_counter()
h.readModel(path)
read_s = time.perf_counter() - t0
if opts.pop("relax", False):
    n = h.getNumCol()
    h.changeColsIntegrality(n, list(range(n)), [highspy.HighsVarType.kContinuous] * n)
for k, v in opts.items():
    h.setOptionValue(k, v)
t1 = time.perf_counter()
h.run()
solve_s = time.perf_counter() - t1
info = h.getInfo()
print(json.dumps({"read_s": read_s, "solve_s": solve_s, "status": h.modelStatusToString(h.getModelStatus()),
                  "objective": info.objective_function_value,
                  "peak_mb": hwm()}))
"""


def rounded_lp_start(h, info: dict) -> bool:
    """Give HiGHS a first plan: solve the LP relaxation, round every integer up, re-solve the LP.

    Rounding up keeps the plan feasible for the monotone site, module and unit constraints of
    this model (more modules and units only loosen IT and power limits); if the fixed LP is
    still infeasible no start is given. Returns whether a start was set. HiGHS's clock runs on
    from these LP solves into the MIP, so a time limit bounds the start and the MIP together.
    ``h`` and ``info`` as returned by :func:`siting.solver.to_highs` (``--mip-start``; measured
    slower than HiGHS's own heuristics, see docs/performance.md, so siting itself does not use it).
    """
    import highspy
    import numpy as np

    from siting.solver import run

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
    run(h)
    ok = False
    if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        x = np.asarray(h.getSolution().col_value)[idx]
        fixed = np.minimum(np.ceil(x - 1e-6), upper)
        h.changeColsBounds(len(idx), idx, fixed, fixed)
        run(h)
        if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            start = np.asarray(h.getSolution().col_value).copy()
            ok = True
        h.changeColsBounds(len(idx), idx, lower, upper)
    h.changeColsIntegrality(len(idx), idx, np.full(len(idx), highspy.HighsVarType.kInteger))
    if ok:
        sol = highspy.HighsSolution()
        sol.col_value = start
        sol.value_valid = True
        h.setSolution(sol)
    print(f"MIP start from the rounded LP relaxation: {'set' if ok else 'none found'} "
          f"({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    return ok


def run_size(sites: int, years: int, days: int, mode: str, mip_gap: float, time_limit: float | None,
             threads: int | None, keep: Path | None, mip_start: bool = False) -> dict:
    import numpy as np

    import siting
    from siting.model.objective import OBJECTIVE_SCALE
    from siting.solution import release_memory
    from siting.solver import outcome
    from siting.solving import hand_off, read_back
    from siting.timeseries import make_slices

    work = Path(tempfile.mkdtemp(prefix="siting-bench-")) if keep is None else keep
    folder = write_instance(work / f"syn_{sites}x{years}x{days}", sites, years, days, seed=0)
    mem = PeakMemory()
    out: dict = {"size": f"{sites}x{years}x{days}", "mode": mode}

    def stage(name, fn):
        mem.reset()
        t0 = time.perf_counter()
        val = fn()
        out[f"{name}_s"] = time.perf_counter() - t0
        out[f"{name}_peak_mb"] = mem.peak
        return val

    def load():  # the instance and its operating slices (typical days), as siting.solve makes them
        inst = siting.load_instance(folder)
        return inst, make_slices(inst)

    inst, slices = stage("load", load)
    settings = {"mip_gap": mip_gap, "time_limit": time_limit, "threads": threads, "relax": mode == "lp",
                "marginal_values": False}
    # siting.solve's path (solve_released): build, hand off, keep the column layout, free the model
    h, layout, info = stage("handoff", lambda: hand_off(inst, slices, settings))
    out["build_s"] = info["build_s"]
    out["handoff_s"] -= info["build_s"]
    out["build_peak_mb"] = out["handoff_peak_mb"]
    out.update({k: info[k] for k in ("rows", "columns", "nonzeros", "integers")})

    def run(h):
        if info["integers"] and mip_start:
            rounded_lp_start(h, info)
        h.run()

    stage("solve", lambda: run(h))
    out["status"] = h.modelStatusToString(h.getModelStatus())
    out["objective_musd"] = h.getInfo().objective_function_value
    hwm_solve = _hwm_mb()  # the run's peak so far; writing the MPS file below is the benchmark's, not siting's
    mps = work / "model.mps"
    h.writeModel(str(mps))  # after the solve: writing names the rows and columns inside HiGHS
    result = outcome(h, info["columns"])
    h = None  # free HiGHS before the tables, as solve_released does
    release_memory()

    read = result
    if not result.has_solution:  # stopped by --time-limit before any plan: the tables are read all the same,
        # from the solver's last iterate (zeros when it has none), so that the stage costs what it would for a plan
        x = result.x if len(result.x) == info["columns"] else np.zeros(info["columns"])
        read = dataclasses.replace(result, has_solution=True, x=x)
    # the read-back of solve_released: the tables from the column values and the model's skeleton
    res = stage("extract", lambda: read_back(inst, slices, read, layout, settings, info))
    out["objective_check"] = float("nan") if read is not result else abs(
        res.objective * OBJECTIVE_SCALE - out["objective_musd"]) / max(
        1.0, abs(out["objective_musd"]))
    mem.stop()
    out["whole_peak_mb"] = max(hwm_solve, out["extract_peak_mb"])
    out["whole_s"] = sum(out[f"{k}_s"] for k in ("load", "build", "handoff", "solve", "extract"))
    out["overhead_s"] = out["whole_s"] - out["solve_s"]
    opts = {"mip_rel_gap": mip_gap, "random_seed": 0, "relax": mode == "lp"}
    if time_limit:
        opts["time_limit"] = float(time_limit)
    if threads:
        opts["threads"] = int(threads)
    r = subprocess.run([sys.executable, "-c", FLOOR, str(mps), json.dumps(opts)], capture_output=True, text=True,
                       check=True)
    floor = json.loads(r.stdout.strip().splitlines()[-1])
    out["floor_read_s"] = floor["read_s"]
    out["floor_solve_s"] = floor["solve_s"]
    out["floor_peak_mb"] = floor["peak_mb"]
    out["floor_status"] = floor["status"]
    out["ratio_whole_to_floor"] = out["whole_s"] / floor["solve_s"]
    out["ratio_whole_to_floor_with_read"] = out["whole_s"] / (floor["solve_s"] + floor["read_s"])
    out["memory_ratio"] = out["whole_peak_mb"] / floor["peak_mb"]
    if keep is None:
        for p in sorted(work.rglob("*"), reverse=True):
            p.unlink() if p.is_file() else p.rmdir()
        work.rmdir()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", nargs="+", default=["5x3x2", "10x4x4", "20x6x8"],
                    help="sites x years x typical days, e.g. 40x8x8")
    ap.add_argument("--mode", choices=["lp", "mip"], default="lp")
    ap.add_argument("--mip-gap", type=float, default=1e-2)
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--mip-start", action="store_true", help="give HiGHS the rounded LP relaxation as a start")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    ap.add_argument("--keep", type=Path, default=None, help="keep the instance folders and MPS files here")
    a = ap.parse_args()
    rows = []
    for size in a.sizes:
        s, y, d = (int(v) for v in size.lower().split("x"))
        keep = None
        if a.keep:
            keep = a.keep
            keep.mkdir(parents=True, exist_ok=True)
        # each size in a fresh process so that peak memory is its own
        r = subprocess.run([sys.executable, __file__, "--one", json.dumps([s, y, d, a.mode, a.mip_gap, a.time_limit,
                                                                           a.threads, str(keep) if keep else None,
                                                                           a.mip_start])],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print(f"{size}: failed\n{r.stderr[-2000:]}", file=sys.stderr)
            continue
        row = json.loads(r.stdout.strip().splitlines()[-1])
        rows.append(row)
        _print_row(row)
    if len(rows) >= 2:
        import numpy as np

        nnz = np.log([r["nonzeros"] for r in rows])
        build = np.log([max(r["build_s"] + r["handoff_s"], 1e-3) for r in rows])
        slope = float(np.polyfit(nnz, build, 1)[0])
        print(f"build + hand-off time grows as nonzeros^{slope:.2f} over these sizes")
    if a.json:
        a.json.write_text(json.dumps(rows, indent=2))


def _print_row(r: dict) -> None:
    print(f"\n== {r['size']} ({r['mode']}): {r['rows']:,} rows x {r['columns']:,} columns, {r['nonzeros']:,} nonzeros, "
          f"{r['integers']:,} integers; status {r['status']}")
    print(f"{'stage':<10} {'seconds':>9} {'peak MB':>9}")
    for k in ("load", "build", "handoff", "solve", "extract"):
        print(f"{k:<10} {r[k + '_s']:>9.2f} {r[k + '_peak_mb']:>9.0f}")
    print(f"{'whole':<10} {r['whole_s']:>9.2f} {r['whole_peak_mb']:>9.0f}   (build and hand-off: one peak)")
    print(f"{'HiGHS':<10} {r['floor_solve_s']:>9.2f} {r['floor_peak_mb']:>9.0f}   "
          f"(+ {r['floor_read_s']:.2f} s MPS read; {r['floor_status']})")
    print(f"time around the solver: {r['overhead_s']:.2f} s; whole / HiGHS alone: {r['ratio_whole_to_floor']:.3f} "
          "(with its read: "
          f"{r['ratio_whole_to_floor_with_read']:.3f}); peak memory ratio {r['memory_ratio']:.2f}; "
          f"objective agreement {r['objective_check']:.1e}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        s, y, d, mode, gap, tl, th, keep, start = json.loads(sys.argv[2])
        os.environ.setdefault("PYTHONHASHSEED", "0")
        print(json.dumps(run_size(s, y, d, mode, gap, tl, th, Path(keep) if keep else None, start)))
    else:
        main()
