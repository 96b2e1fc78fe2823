"""The 24/7 carbon-free-energy premium curve of a bundled instance, against annual matching.

Usage::

    python examples/cfe_premium.py                                   # ercot_campus, 80/90/95/100 %
    python examples/cfe_premium.py --targets 0.9 --typical-days 1    # one target, one day
    python examples/cfe_premium.py --quick                           # the same at a 1 % gap

The default curve takes 13 solves (several minutes on 2 cores); a bar (or, when the output is not a
terminal, a line per solve on stderr) shows the solves done, the time taken and an estimate of the
time left. ``--quick`` (90 % only, one representative day, 1 % MIP gap: four solves, about a
minute) is for trying the script; arguments given with it take precedence.

For each target share the instance is solved three times, with the target applied in the
last planning year only:

- annual matching, volumetric (``[policy] clean_share`` with ``clean_share_basis =
  "generation"``: clean MWh generated, surplus included, against the facility energy),
- annual matching, consumption (``clean_share``: the fossil MWh used is capped),
- 24/7 CFE (``cfe_share``: matched slice by slice, site by site).

The grid counts clean at ERCOT's 2022 carbon-free generation shares (nuclear 9.5 %, wind
24.9 %, solar 5.6 %; IEEFA from ERCOT full-year 2022 data), so zones.csv
``grid_clean_share`` = 0.40 and the hourly profile ``grid_clean_share`` of each zone is
(0.095 + 0.249 w(t) / mean(w) + 0.056 s(t) / mean(s)) / 0.40, a multiplier of the zone's
0.40, with w and s the zone's own wind and solar profiles (a modelled estimate).

The cost reported is the last year's power cost (components power_capex, power_fom,
power_vom, fuel, grid_energy and, with flexible load, lost_compute) per MWh of that year's
facility energy, in USD/MWh: chips, buildings and sites are the same in every run.
"""

from __future__ import annotations

import argparse
import copy
import sys

import pandas as pd
from _progress import Progress

import siting
from siting.model.extract import cfe_table

POWER = ("power_capex", "power_fom", "power_vom", "fuel", "grid_energy", "lost_compute")
#: ERCOT 2022 carbon-free shares of generation: nuclear, wind, solar (IEEFA, ERCOT 2022 data)
NUCLEAR, WIND, SOLAR = 0.095, 0.249, 0.056


def hourly_grid(inst: siting.Instance) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(zones, profiles) with grid_clean_share = 0.40 and an hourly grid_clean_share multiplier per zone."""
    mean = NUCLEAR + WIND + SOLAR
    zones = inst.zones.copy()
    zones["grid_clean_share"] = mean
    p = inst.profiles
    rows = []
    for z in zones.zone:
        w = p[(p.zone == z) & (p.profile == "wind")].sort_values("hour")
        s = p[(p.zone == z) & (p.profile == "solar")].sort_values("hour")
        kappa = NUCLEAR + WIND * w.value.to_numpy() / w.value.mean() + SOLAR * s.value.to_numpy() / s.value.mean()
        rows.append(pd.DataFrame({"zone": z, "profile": "grid_clean_share", "hour": w.hour.to_numpy(),
                                  "value": kappa / mean}))
    return zones, pd.concat([p[p.profile != "grid_clean_share"], *rows], ignore_index=True)


def variant(inst: siting.Instance, zones, profiles, typical_days: int | None, **policy) -> siting.Instance:
    scenario = copy.deepcopy(inst.scenario)
    scenario.setdefault("policy", {}).update(policy)
    if typical_days is not None:
        scenario["time"] = {**scenario.get("time", {}), "mode": "typical_days", "typical_days": typical_days}
    return inst.replace(scenario, zones=zones, profiles=profiles)


def run(inst: siting.Instance, year: int, mip_gap: float | None) -> tuple[str, float, float]:
    """Solve; return (status, power cost in USD per MWh of facility energy, CFE score) of ``year``."""
    m = siting.build_model(inst)
    res = siting.solve(m, mip_gap=mip_gap)
    cfe = cfe_table(m)  # computed from the solved model whether or not a CFE target is set
    cfe = cfe[cfe.year == year]
    c = res.costs
    cost = c[(c.year == year) & c.component.isin(POWER)].cost_usd.sum()
    return res.status, cost / cfe.facility_mwh.sum(), cfe.cfe_matched_mwh.sum() / cfe.facility_mwh.sum()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instance", nargs="?", default="ercot_campus", help="bundled name or folder")
    ap.add_argument("--targets", nargs="+", type=float, default=None,
                    help="shares, 0..1 (default 0.8 0.9 0.95 1; --quick: 0.9)")
    ap.add_argument("--typical-days", type=int, default=None,
                    help="override the number of representative days (--quick: 1)")
    ap.add_argument("--mip-gap", type=float, default=None,
                    help="relative MIP gap (default: the scenario's; --quick: 0.01)")
    ap.add_argument("--quick", action="store_true", help="a small setting: 90 %% only, one day, 1 %% gap")
    args = ap.parse_args(argv)
    if args.targets is None:
        args.targets = [0.9] if args.quick else [0.8, 0.9, 0.95, 1.0]
    if args.quick:
        args.typical_days = 1 if args.typical_days is None else args.typical_days
        args.mip_gap = 0.01 if args.mip_gap is None else args.mip_gap
    base = siting.load_instance(args.instance)
    zones, profiles = hourly_grid(base)
    year = base.years[-1]
    ways = {"annual, volumetric": lambda v: {"clean_share": {str(year): v}, "clean_share_basis": "generation"},
            "annual, consumption": lambda v: {"clean_share": {str(year): v}},
            "24/7 CFE": lambda v: {"cfe_share": {str(year): v}}}
    with Progress(1 + len(ways) * len(args.targets), "cfe_premium") as progress:
        status, none, score = run(variant(base, zones, profiles, args.typical_days), year, args.mip_gap)
        progress.step(f"no target: {status}, {none:.2f} USD/MWh, CFE score {score:.2f}")
        rows = [{"target": "none", **dict.fromkeys(ways, none), "24/7 premium over volumetric": float("nan"),
                 "CFE score, volumetric plan": score}]
        for v in args.targets:
            row = {"target": f"{100 * v:g} %"}
            for label, pol in ways.items():
                status, row[label], score = run(variant(base, zones, profiles, args.typical_days, **pol(v)), year,
                                                args.mip_gap)
                if label == "annual, volumetric":
                    row["CFE score, volumetric plan"] = score
                progress.step(f"{row['target']} {label}: {status}, {row[label]:.2f} USD/MWh, CFE score {score:.2f}")
            row["24/7 premium over volumetric"] = row["24/7 CFE"] - row["annual, volumetric"]
            rows.append(row)
    table = pd.DataFrame(rows).set_index("target")
    dollars = base.scenario.get("dollar_year", 2025)
    print(f"\n{args.instance}: {year} power cost per MWh of facility energy (USD/MWh, {dollars} $)")
    print(table.round(2).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
