"""What do water limits and a latency budget change in the us_250gw plan?

Usage::

    python examples/us_250gw_site_attributes.py                 # the README setting (see below)
    python examples/us_250gw_site_attributes.py --quick         # 2026 and 2030 only, 5 % gap, 60 s per solve

Four solves of us_250gw (soft targets, as bundled):

- **base**: the instance as bundled (no cooling choice: every site at its PUE, no water modelled);
- **cooling**: every site chooses evaporative, hybrid or dry cooling (cooling.csv below) and pays
  2 USD/m3 of water;
- **water limits**: cooling, and no water for new campuses in the ERCOT and SOUTHWEST zones
  (zones.csv ``water_limit_m3_per_yr`` = 0, a what-if): their sites must cool dry;
- **latency**: cooling, and 30 % of each year's IT load is inference for five metros (6 % each:
  New York, Los Angeles, Chicago, Dallas, Washington) within a 10 ms round trip from 2030 on
  (metros.csv ``it_share``, ``[latency] budget_ms`` = 10: 486 km of great-circle distance at route
  factor 2.1).

Cooling options (cooling.csv, per kWh of IT energy):

- evaporative: 1.98 L/kWh: 3,600 kJ / 2,430.5 kJ/kg (latent heat at 30 C, IAPWS) = 1.48 L evaporated,
  x 4/3 for blowdown at 4 cycles of concentration (judgement); no PUE adder; no extra capital;
- hybrid: 0.49 L/kWh (evaporation on a quarter of the heat, judgement), PUE adder 0.02 x the region's
  measured ``pue`` profile (1 in every hour where the region has none), 50 USD/kW of IT;
- dry: no water, PUE adder 0.06 x the same shape (more in hot hours), 100 USD/kW.

The adders, the hybrid share, the capital and the water price are judgement (what-if values, not
measured); instances/us_250gw/README.md states them with the figures. The study prints per scenario
the discounted cost (without the shortfall penalty), GW in service in the last year, the water used
in the last year, the GW in ERCOT and SOUTHWEST and the GW at sites that serve the metros.
"""

from __future__ import annotations

import argparse
import copy
import sys

import pandas as pd
from _progress import Progress

import siting

COOLING = [
    {"option": "evaporative", "water_l_per_kwh": 1.98, "pue_adder": 0.0, "capex_usd_per_kw": 0.0},
    {"option": "hybrid", "water_l_per_kwh": 0.49, "pue_adder": 0.02, "pue_profile": "cooling_shape",
     "capex_usd_per_kw": 50.0},
    {"option": "dry", "water_l_per_kwh": 0.0, "pue_adder": 0.06, "pue_profile": "cooling_shape",
     "capex_usd_per_kw": 100.0},
]
WATER_USD_PER_M3 = 2.0
DRY_ZONES = ("ERCOT", "SOUTHWEST")
METROS = [  # city-centre coordinates, rounded
    ("new_york", 40.71, -74.01), ("los_angeles", 34.05, -118.24), ("chicago", 41.88, -87.63),
    ("dallas", 32.78, -96.80), ("washington", 38.91, -77.04),
]
METRO_SHARE, BUDGET_MS = 0.06, 10.0
#: the metros' inference demand starts in 2030: before it, most regions' grid connections are not in service and
#: a share of the whole IT load that a metro cannot get near it would shrink the whole plan (soft targets)
LATENCY_FROM = 2030
SCENARIOS = ("base", "cooling", "water limits", "latency")


def restrict(inst: siting.Instance, years: list[int] | None) -> siting.Instance:
    """``inst`` on a subset of its planning years (targets and supply rows of the other years dropped)."""
    if not years:
        return inst
    sc = copy.deepcopy(inst.scenario)
    sc["years"] = list(years)
    targets = inst.targets[inst.targets.year.isin(years)]
    supply = inst.supply[inst.supply.year.isin(years)] if len(inst.supply) else inst.supply
    return inst.replace(sc, targets=targets, supply=supply)


def variant(base: siting.Instance, name: str) -> siting.Instance:
    if name == "base":
        return base
    sc = copy.deepcopy(base.scenario)
    zones = base.zones.assign(water_price_usd_per_m3=WATER_USD_PER_M3)
    metros = None
    if name == "water limits":
        zones["water_limit_m3_per_yr"] = [0.0 if z in DRY_ZONES else None for z in zones.zone]
    if name == "latency":
        sc["latency"] = {"budget_ms": BUDGET_MS}
        metros = pd.DataFrame([{"metro": m, "lat": la, "lon": lo, "year": y, "it_share": METRO_SHARE}
                               for m, la, lo in METROS for y in base.years if y >= LATENCY_FROM])
    return base.replace(sc, zones=zones, cooling=pd.DataFrame(COOLING), metros=metros, profiles=with_shape(base))


def with_shape(inst: siting.Instance) -> pd.DataFrame:
    """profiles.csv plus ``cooling_shape`` per zone: the zone's measured ``pue`` profile (temperature-driven,
    mean about 1), or 1 in every hour for a zone without one."""
    p = inst.profiles
    rows = []
    for z in inst.zones.zone:
        own = p[(p.zone == z) & (p.profile == "pue")]
        if len(own):
            rows.append(own.assign(profile="cooling_shape"))
        else:
            rows.append(pd.DataFrame({"zone": z, "site": None, "profile": "cooling_shape", "hour": range(8760),
                                      "value": 1.0}))
    return pd.concat([p, *rows], ignore_index=True)


def study(inst: siting.Instance, name: str, args) -> tuple[dict, siting.Results]:
    res = siting.solve(siting.build_model(inst), mip_gap=args.mip_gap, time_limit=args.time_limit)
    last = inst.years[-1]
    c = res.costs[res.costs.component != "shortfall"]
    s = res.sites[res.sites.year == last]
    zone_gw = s[s.zone.isin(DRY_ZONES)].it_mw.sum() / 1000.0
    water = res.tables.get("water")
    water_mm3 = float(water[water.year == last].water_m3.sum()) / 1e6 if water is not None else 0.0
    metro_gw = float("nan")
    if "latency" in res.tables:
        lat = res.latency[res.latency.year == last]
        metro_gw = s[s.site.isin(set(lat.site))].it_mw.sum() / 1000.0
    row = {"scenario": name, "status": res.status, "gap %": 100 * (res.mip_gap or 0.0),
           "discounted $B": c.cost_usd_discounted.sum() / 1e9, f"GW {last}": s.it_mw.sum() / 1000.0,
           f"water Mm3 {last}": water_mm3, f"GW ERCOT+SW {last}": zone_gw, f"GW at metro sites {last}": metro_gw}
    return row, res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", type=int, nargs="*", default=None, help="planning years to keep (default all)")
    ap.add_argument("--mip-gap", type=float, default=0.01, help="relative MIP gap (default 0.01)")
    ap.add_argument("--time-limit", type=float, default=600.0, help="seconds per solve (default 600)")
    ap.add_argument("--scenarios", nargs="*", default=list(SCENARIOS), help="subset of: " + ", ".join(SCENARIOS))
    ap.add_argument("--quick", action="store_true", help="a small setting: years 2026 2030, 5 %% gap, 60 s")
    args = ap.parse_args(argv)
    if args.quick:
        args.years = args.years or [2026, 2030]
        args.mip_gap, args.time_limit = max(args.mip_gap, 0.05), min(args.time_limit, 60.0)
    base = restrict(siting.load_instance("us_250gw"), args.years)
    rows = []
    with Progress(len(args.scenarios), "site_attributes") as progress:
        for name in args.scenarios:
            row, res = study(variant(base, name), name, args)
            rows.append(row)
            progress.step(f"{name}: {row['status']}, {row['discounted $B']:.1f} $B")
            if name == "latency" and "metros" in res.tables:
                m = res.metros[res.metros.year == base.years[-1]]
                print(m[["metro", "inference_it_mw", "served_it_mw", "max_latency_ms"]].round(2).to_string(index=False))
    table = pd.DataFrame(rows).set_index("scenario")
    print(f"\nus_250gw, years {base.years[0]}-{base.years[-1]} ({len(base.years)} planning years): water limits and a "
          f"latency budget")
    print(table.round(2).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
