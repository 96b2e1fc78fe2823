"""Compare the ways of handing a Pyomo model to HiGHS on the same synthetic model.

Each interface runs in a fresh process (so that peak memory is its own) on the LP
relaxation of one synthetic instance (integrality relaxed, so every path solves the same
LP and times compare):

- ``arrays``: siting's path: its own compiler (siting.compile), arrays into highspy;
- ``pyomo_arrays``: the same with Pyomo's LinearStandardFormCompiler in place of siting's;
- ``appsi``: pyomo.contrib.appsi.solvers.Highs;
- ``contrib``: the pyomo.contrib.solver HiGHS interface (SolverFactory('highs'));
- ``lp_file`` / ``mps_file``: Pyomo writes the file, highspy reads and solves it.

    python benchmarks/interfaces.py --size 20x6x8
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[3])
from run import _hwm_mb
import pyomo.environ as pyo
import siting
how, folder = sys.argv[1], sys.argv[2]
inst = siting.load_instance(folder)
m = siting.build_model(inst)
pyo.TransformationFactory("core.relax_integer_vars").apply_to(m)
base = _hwm_mb()
t0 = time.perf_counter()
out = {"how": how}
if how in ("arrays", "pyomo_arrays"):
    from siting.solver import to_highs
    if how == "pyomo_arrays":
        import siting.compile
        from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler
        siting.compile.compile_linear = lambda m, expressions=None: LinearStandardFormCompiler().write(
            m, mixed_form=True)
    h, cols, info = to_highs(m, {"relax": True})
    t1 = time.perf_counter()
    h.run()
    t2 = time.perf_counter()
    x = h.getSolution().col_value
    for v, val in zip(cols, x):
        v.set_value(val, skip_validation=True)
    out.update(handoff_s=t1 - t0, highs_s=t2 - t1, objective=h.getInfo().objective_function_value)
elif how == "appsi":
    from pyomo.contrib.appsi.solvers import Highs
    opt = Highs()
    r = opt.solve(m)
    out.update(objective=pyo.value(m.Total_Cost))
elif how == "contrib":
    from pyomo.contrib.solver.common.factory import SolverFactory
    opt = SolverFactory("highs")
    r = opt.solve(m)
    out.update(objective=pyo.value(m.Total_Cost))
elif how in ("lp_file", "mps_file"):
    import highspy, os, tempfile
    d = tempfile.mkdtemp()
    path = os.path.join(d, "model." + ("lp" if how == "lp_file" else "mps"))
    m.write(path, io_options={"symbolic_solver_labels": False})
    t1 = time.perf_counter()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(path)
    t2 = time.perf_counter()
    h.run()
    t3 = time.perf_counter()
    out.update(write_s=t1 - t0, read_s=t2 - t1, highs_s=t3 - t2, objective=h.getInfo().objective_function_value)
    os.remove(path)
out["total_s"] = time.perf_counter() - t0
out["peak_mb"] = _hwm_mb()
out["model_mb"] = base
print(json.dumps(out))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="10x4x4", help="sites x years x typical days")
    ap.add_argument("--interfaces", nargs="+",
                    default=["arrays", "pyomo_arrays", "appsi", "contrib", "lp_file", "mps_file"])
    a = ap.parse_args()
    from synthetic import write_instance

    s, y, d = (int(v) for v in a.size.lower().split("x"))
    folder = write_instance(Path(tempfile.mkdtemp(prefix="siting-if-")) / "inst", s, y, d, seed=0)
    print(f"size {a.size}: LP relaxation, each interface in its own process")
    print(f"{'interface':<12} {'total s':>9} {'hand-off s':>11} {'HiGHS s':>9} {'peak MB':>9} {'objective':>14}")
    for how in a.interfaces:
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-c", CHILD, how, str(folder), str(HERE)], capture_output=True,
                           text=True)
        if r.returncode != 0:
            print(f"{how:<12} failed: {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else r.returncode}")
            continue
        o = json.loads(r.stdout.strip().splitlines()[-1])
        hand = o.get("handoff_s", o.get("write_s", 0) + o.get("read_s", 0)) if "highs_s" in o else float("nan")
        highs = o.get("highs_s", float("nan"))
        print(f"{how:<12} {o['total_s']:>9.2f} {hand:>11.2f} {highs:>9.2f} {o['peak_mb']:>9.0f} "
              f"{o['objective']:>14.6f}   ({time.perf_counter() - t0:.0f} s with load and build)")


if __name__ == "__main__":
    main()
