"""Compare two scenarios of one instance: without and with a carbon price.

Usage::

    python examples/compare_scenarios.py                          # us_regions_small, 0 vs 100 USD/t
    python examples/compare_scenarios.py ercot_campus --carbon-price 150 --mip-gap 0.01

The second scenario is the same instance with ``scenario["policy"]["carbon_price_usd_per_t"]``
set, built in memory with :meth:`siting.Instance.from_frames` (every check of a folder runs
again). The script prints, side by side, the cost, emissions and clean share of each year, and
the power capacity by technology in the last year.
"""

from __future__ import annotations

import argparse
import copy
import sys

import pandas as pd

import siting


def with_policy(inst: siting.Instance, typical_days: int | None = None, **policy) -> siting.Instance:
    """A copy of ``inst`` with [policy] keys set (and optionally fewer representative days)."""
    scenario = copy.deepcopy(inst.scenario)
    scenario.setdefault("policy", {}).update(policy)
    if typical_days is not None:
        scenario["time"] = {**scenario.get("time", {}), "mode": "typical_days", "typical_days": typical_days}
    return inst.replace(scenario)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instance", nargs="?", default="us_regions_small", help="bundled name or folder")
    ap.add_argument("--carbon-price", type=float, default=100.0, help="USD per tCO2 of the second scenario")
    ap.add_argument("--typical-days", type=int, default=None, help="override the number of representative days")
    ap.add_argument("--mip-gap", type=float, default=None, help="relative MIP gap (default: the scenario's)")
    args = ap.parse_args(argv)
    base = siting.load_instance(args.instance)
    runs = {}
    for label, price in (("no carbon price", 0.0), (f"{args.carbon_price:g} USD/t", args.carbon_price)):
        inst = with_policy(base, args.typical_days, carbon_price_usd_per_t=price)
        res = siting.solve(inst, mip_gap=args.mip_gap)
        runs[label] = res
        print(f"{label}: {res.status}, total discounted cost ${res.objective / 1e9:,.2f} B")
    (a, ra), (b, rb) = runs.items()
    s = ra.summary.set_index("year")[["cost_usd", "tco2", "clean_share"]].join(
        rb.summary.set_index("year")[["cost_usd", "tco2", "clean_share"]], lsuffix=" A", rsuffix=" B")
    s[["cost_usd A", "cost_usd B"]] /= 1e9
    s[["tco2 A", "tco2 B"]] /= 1e6
    s = s.rename(columns={"cost_usd A": "cost $B A", "cost_usd B": "cost $B B", "tco2 A": "MtCO2 A",
                          "tco2 B": "MtCO2 B"})
    print(f"\nA = {a}, B = {b} (costs include the carbon charge in B)")
    print(s.round(3).to_string())
    last = ra.summary.year.max()
    cap = pd.DataFrame({lbl: r.capacity[r.capacity.year == last].groupby("tech").capacity_mw.sum()
                        for lbl, r in runs.items()}).fillna(0.0)
    print(f"\npower capacity in {last}, MW:")
    print(cap.round(0).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
