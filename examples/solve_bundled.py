"""Solve a bundled instance (or any instance folder) and print the plan year by year.

Usage::

    python examples/solve_bundled.py                      # us_regions_small
    python examples/solve_bundled.py ercot_campus --mip-gap 0.01
    python examples/solve_bundled.py us_250gw --mip-gap 0.01 --time-limit 600 --out out/us_250gw
    python examples/solve_bundled.py PATH/TO/FOLDER --typical-days 1

For each year it prints the IT load against the target, the sites in use, the power capacity
by technology, the accelerators installed by generation, and the annual cost per GW of IT.
A target that the data cannot reach is reported (with the year, the limiting resource and
the numbers) instead of a plan; the script then exits with code 2.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

import siting


def load(name: str, typical_days: int | None) -> siting.Instance:
    """Load an instance, optionally with fewer representative days (for a quick look)."""
    inst = siting.load_instance(name)
    if typical_days is None:
        return inst
    scenario = dict(inst.scenario)
    scenario["time"] = {**scenario.get("time", {}), "mode": "typical_days", "typical_days": typical_days}
    return inst.replace(scenario)


def print_plan(res: siting.Results) -> None:
    """One block per year: IT vs target, sites, power capacity by tech, chips installed, cost per GW."""
    summary = res.summary.set_index("year")
    sites = res.sites[res.sites.it_mw > 1e-6]
    cap = res.capacity.groupby(["year", "tech"]).capacity_mw.sum()
    inst_chips = res.chips[res.chips.units_installed > 0.5].groupby(["year", "generation"]).units_installed.sum()
    for y, row in summary.iterrows():
        tgt = "" if pd.isna(row.target_it_gw) else f" (target {row.target_it_gw:,.2f})"
        per_gw = row.cost_usd / row.it_gw / 1e9 if row.it_gw > 0 else float("nan")
        print(f"\n{y}: IT {row.it_gw:,.2f} GW{tgt}, {row.eflops:,.0f} EFLOPS, annual cost ${row.cost_usd / 1e9:,.2f} B "
              f"(${per_gw:,.2f} B per GW-year), {row.tco2 / 1e6:,.2f} MtCO2, clean {row.clean_share:.0%}")
        in_use = sites[sites.year == y].sort_values("it_mw", ascending=False)
        print("  sites:  " + ", ".join(f"{r.site} {r.it_mw:,.0f} MW" for r in in_use.itertuples()))
        if y in cap.index.get_level_values(0):
            c = cap.loc[y]
            print("  power:  " + ", ".join(f"{k} {v:,.0f} MW" for k, v in c[c > 0.5].items()))
        if y in inst_chips.index.get_level_values(0):
            print("  chips installed: " + ", ".join(f"{g} {n / 1e3:,.0f}k" for g, n in inst_chips.loc[y].items()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instance", nargs="?", default="us_regions_small", help="bundled name or folder")
    ap.add_argument("--mip-gap", type=float, default=None, help="relative MIP gap (default: the scenario's)")
    ap.add_argument("--time-limit", type=float, default=None, help="solver time limit, seconds")
    ap.add_argument("--typical-days", type=int, default=None, help="override the number of representative days")
    ap.add_argument("--out", default=None, help="also write the result tables to this folder")
    args = ap.parse_args(argv)
    try:
        inst = load(args.instance, args.typical_days)
        res = siting.solve(inst, mip_gap=args.mip_gap, time_limit=args.time_limit)
    except siting.InfeasibleError as e:
        print(f"{args.instance}: the targets cannot be met:", file=sys.stderr)
        for line in e.problems:
            print(f"  {line}", file=sys.stderr)
        return 2
    size = res.model_size
    print(f"{inst.name}: {res.status}, gap {res.mip_gap:.2%}, total discounted cost ${res.objective / 1e9:,.2f} B; "
          f"solved in {res.solve_seconds:.1f} s ({size.get('rows', 0):,} rows, {size.get('columns', 0):,} columns, "
          f"{size.get('integers', 0):,} integers)")
    print_plan(res)
    if args.out:
        print(f"\ntables written to {res.to_folder(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
