"""Monolithic against Benders, side by side, and the hourly check's time per year.

    python benchmarks/decomposition.py                                  # toy and us_regions_small
    python benchmarks/decomposition.py us_250gw:1 us_250gw:8 ercot_campus:8 --time-limit 1200
    python benchmarks/decomposition.py us_250gw:8 --methods benders --workers 0 2   # in process, 2 Dask workers

Each argument is INSTANCE[:TYPICAL_DAYS]. For each it prints, per method: wall time, status, gap
reached and objective; for Benders the iterations, the time the first plan appeared and the gap
over time (from res.timings["benders_history"]) and the energy left unserved; ``--workers`` runs
Benders once per value (0: subproblems in process; N: a local Dask cluster of N processes); then the
hourly check's seconds per year of the first plan (the last ``--hourly`` years, default the last).
"""

from __future__ import annotations

import argparse
import logging
import time

import siting
from siting.benders import UNSERVED_USD_PER_MWH
from siting.hourly import check_hourly


def _instance(spec: str):
    name, _, days = spec.partition(":")
    inst = siting.load_instance(name)
    if days:
        sc = {**inst.scenario, "time": {**inst.scenario.get("time", {}), "mode": "typical_days",
                                        "typical_days": int(days)}}
        inst = inst.replace(sc)
    return inst


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("specs", nargs="*", default=["toy", "us_regions_small"])
    p.add_argument("--time-limit", type=float, default=600.0)
    p.add_argument("--mip-gap", type=float, default=1e-3)
    p.add_argument("--hourly", type=int, default=1, help="last years of the hourly check to time (0: none)")
    p.add_argument("--methods", nargs="+", default=["monolithic", "benders"], choices=["monolithic", "benders"])
    p.add_argument("--workers", type=int, nargs="+", default=[0],
                   help="Benders: 0 for the subproblems in process, N for a local Dask cluster of N processes")
    a = p.parse_args()
    logging.basicConfig(level=logging.WARNING)
    for spec in a.specs:
        inst = _instance(spec)
        mono = None
        runs = [(m, w) for m in a.methods for w in (a.workers if m == "benders" else [0])]
        for method, workers in runs:
            t0 = time.perf_counter()
            label = method if not workers else f"{method}/{workers}w"
            try:
                res = siting.solve(inst, method=method, time_limit=a.time_limit, mip_gap=a.mip_gap,
                                   workers=workers or None)
            except siting.SitingError as e:
                print(f"{spec:<20} {label:<12} {time.perf_counter() - t0:8.1f} s  no plan: {e.problems[0][:80]}")
                continue
            wall = time.perf_counter() - t0
            line = (f"{spec:<20} {label:<12} {wall:8.1f} s  {res.status:<10} gap {res.mip_gap:8.3%}  "
                    f"objective {res.objective / 1e9:,.4f} B USD")
            if method == "benders":
                h = res.timings.get("benders_history", [])
                first = next((r[1] for r in h if r[3] != float("inf")), float("nan"))
                tm = res.timings
                line += (f"  {res.iterations} iterations, first plan at {first:.1f} s (one-day start "
                         f"{tm.get('benders_start_s', 0.0):.0f} s, masters {tm.get('benders_master_s', 0.0):.0f} s, "
                         f"subproblems {tm.get('benders_subproblems_s', 0.0):.0f} s)")
                marks = [r for r in h if r[3] != float("inf")][:: max(1, len(h) // 6)]
                line += "  gap over time: " + ", ".join(f"{r[1]:.0f}s {r[4]:.2%}" for r in marks)
                c = res.costs
                lost = c.loc[c.component == "unserved", "cost_usd"].sum() / UNSERVED_USD_PER_MWH
                line += f"  unserved {lost:,.0f} MWh"
            if mono is None:
                mono = res
            print(line, flush=True)
        if mono is not None and a.hourly:
            for y in inst.years[-a.hourly:]:  # the last years: the largest plans
                t0 = time.perf_counter()
                chk = check_hourly(inst, mono, years=[y])
                print(f"{spec:<20} hourly check {y}: {time.perf_counter() - t0:.1f} s, "
                      f"{chk.table.unserved_mwh.sum():,.0f} MWh unserved", flush=True)


if __name__ == "__main__":
    main()
