"""How does the answer move with the time resolution? One instance at several numbers of typical days.

    python benchmarks/resolution.py us_250gw --days 1 8 --time-limit 1200 --mip-gap 0.01 --out res_study

For each number of days it solves the instance (``--method``, default auto: Benders above the
size where the monolithic MIP stalls), writes the result tables to OUT/<k>d/, and prints side by
side: status, gap, seconds, the plan's cost net of the soft-target penalty, IT GW in the last year,
GW by zone in the last year, the energy share of each supply in the last year, energy left
unserved, and overnight capex per GW of IT (summary ``capex_usd_per_gw_it``).
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import pandas as pd

import siting
from siting.benders import UNSERVED_USD_PER_MWH


def _at(inst, days: int):
    sc = {**inst.scenario, "time": {**inst.scenario.get("time", {}), "mode": "typical_days", "typical_days": days}}
    return inst.replace(sc)


def column(res, inst) -> pd.Series:
    s = res.summary.set_index("year")
    last = int(s.index.max())
    c = res.costs
    out = {"status": res.status, "method": res.method, "gap": f"{res.mip_gap:.2%}",
           "seconds": round(res.solve_seconds, 1),
           "plan cost, B USD (discounted, penalty left out)": round(
               c.loc[c.component != "shortfall", "cost_usd_discounted"].sum() / 1e9, 1),
           f"IT GW {last}": round(float(s.at[last, "it_gw"]), 2),
           "unserved GWh, all years": round(c.loc[c.component == "unserved", "cost_usd"].sum()
                                            / UNSERVED_USD_PER_MWH / 1e3, 2)}
    cap = res.capacity
    it = res.tables["sites"]
    z = it[it.year == last]
    for zone, mw in z.groupby("zone").it_mw.sum().items():
        if mw > 1e-6:
            out[f"IT GW {last} in {zone}"] = round(mw / 1e3, 2)
    w = res.tables["slices"].set_index("slice").weight_h
    d = res.dispatch
    d = d[(d.year == last) & (d.power_mw > 0)]
    e = (d.power_mw * d.slice.map(w)).groupby(d.tech).sum()
    for tech, share in (e / e.sum()).sort_values(ascending=False).items():
        if share >= 0.001:
            out[f"energy share {last}: {tech}"] = f"{share:.1%}"
    out[f"capacity GW {last}: total"] = round(cap[cap.year == last].capacity_mw.sum() / 1e3, 1)
    if "capex_usd_per_gw_it" in s.columns:
        v = s["capex_usd_per_gw_it"].dropna()
        if len(v):
            out["capex per GW IT, B USD (mean over years)"] = round(float(v.mean()) / 1e9, 1)
    return pd.Series(out)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("instance")
    p.add_argument("--days", type=int, nargs="+", default=[1, 8])
    p.add_argument("--method", default="auto", choices=["auto", "monolithic", "benders"])
    p.add_argument("--time-limit", type=float, default=1200.0)
    p.add_argument("--mip-gap", type=float, default=0.01)
    p.add_argument("--out", default=None, help="folder for the result tables of each setting")
    a = p.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    logging.getLogger("siting").setLevel(logging.INFO)  # the Benders iterations
    inst = siting.load_instance(a.instance)
    cols = {}
    for k in a.days:
        t0 = time.perf_counter()
        try:
            res = siting.solve(_at(inst, k), method=a.method, time_limit=a.time_limit, mip_gap=a.mip_gap)
        except siting.SitingError as e:
            print(f"{k} days: no plan ({e.problems[0][:100]}) after {time.perf_counter() - t0:.0f} s", flush=True)
            continue
        if a.out:
            res.to_folder(Path(a.out) / f"{k}d", overwrite=True)
        cols[f"{k} day(s)"] = column(res, inst)
        print(f"{k} days: {res.status} ({res.method}) in {time.perf_counter() - t0:.0f} s", flush=True)
    table = pd.DataFrame(cols).fillna("-")
    print("| | " + " | ".join(table.columns) + " |")
    print("|---|" + "---|" * len(table.columns))
    for name, row in table.iterrows():
        print(f"| {name} | " + " | ".join(str(v) for v in row) + " |")


if __name__ == "__main__":
    main()
