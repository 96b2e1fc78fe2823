"""How much do representative days change the answer? Objective and capacity against the full year.

Solves one instance with k typical days (tsam) for each k given and with the full 8760-hour
year, and prints the objective, the model size, the time and, per technology, the total
capacity built in the last year, each as a difference from the full year.

    python benchmarks/periods.py ercot_campus --days 4 8 16
    python benchmarks/periods.py toy --days 4 8 16 --relax     # LP relaxations, full year included

A setting that finds no plan within ``--time-limit`` is reported on stderr and left out; the
last row printed is the reference.
"""

from __future__ import annotations

import argparse
import sys
import time

import siting
from siting.solving import solve_model
from siting.timeseries import make_slices


def run(name: str, days: list[int], mip_gap: float, time_limit: float | None, full_year: bool = True,
        relax: bool = False) -> list[dict]:
    inst = siting.load_instance(name)
    settings = [("typical_days", k) for k in days] + ([("full_year", None)] if full_year else [])
    rows = []
    for mode, k in settings:
        t0 = time.perf_counter()
        label = f"{k} days" if k else "full year"
        m = siting.build_model(inst, slices=make_slices(inst, mode=mode, typical_days=k))
        try:
            res = solve_model(m, {"mip_gap": mip_gap, "time_limit": time_limit, "relax": relax})
        except siting.SolveError as e:
            print(f"{label}: {e}", file=sys.stderr)
            continue
        last = res.capacity[res.capacity.year == res.capacity.year.max()].groupby("tech").capacity_mw.sum()
        rows.append({"slices": label, "objective_usd": res.objective,
                     "status": res.status, "gap": res.mip_gap, "seconds": time.perf_counter() - t0,
                     "columns": res.model_size["columns"], "capacity_mw": last.to_dict()})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("instance", nargs="?", default="toy")
    ap.add_argument("--days", nargs="+", type=int, default=[4, 8, 16])
    ap.add_argument("--mip-gap", type=float, default=1e-3)
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--no-full-year", action="store_true", help="skip the 8760-hour reference")
    ap.add_argument("--relax", action="store_true",
                    help="solve the LP relaxations (integers relaxed), for years too large to solve as a MIP")
    a = ap.parse_args()
    rows = run(a.instance, a.days, a.mip_gap, a.time_limit, not a.no_full_year, a.relax)
    if not rows:
        sys.exit(1)
    ref = rows[-1]
    techs = sorted({t for r in rows for t in r["capacity_mw"]})
    print(f"{a.instance}: objective and last-year capacity against the {ref['slices']}")
    head = f"{'slices':<11} {'objective $B':>13} {'diff':>8} {'columns':>9} {'seconds':>8} {'status':<10}"
    print(head + "".join(f" {t[:12]:>12}" for t in techs))
    for r in rows:
        diff = (r["objective_usd"] - ref["objective_usd"]) / ref["objective_usd"]
        line = (f"{r['slices']:<11} {r['objective_usd'] / 1e9:>13.4f} {diff:>+8.2%} {r['columns']:>9,} "
                f"{r['seconds']:>8.1f} {r['status']:<10}")
        for t in techs:
            v, v0 = r["capacity_mw"].get(t, 0.0), ref["capacity_mw"].get(t, 0.0)
            line += f" {v - v0:>+12.1f}" if r is not ref else f" {v:>12.1f}"
        print(line)
    print("(capacity columns: MW in the last year for the reference row, difference in MW for the others)")


if __name__ == "__main__":
    main()
