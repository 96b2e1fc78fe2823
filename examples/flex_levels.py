"""How many GW can be reached by the last year, and at what cost per GW, with no flexible load and
at each Duke curtailment level (0.25 / 0.5 / 1 % of annual energy)?

Usage::

    python examples/flex_levels.py                      # us_250gw, mip gap 1 %, gas supply capped
    python examples/flex_levels.py --no-gas-cap         # gas as bundled (uncapped)
    python examples/flex_levels.py --quick              # us_regions_small, none and 0.5 % only

The default study solves us_250gw four times and takes long (about half an hour on 2 cores); a bar
(or, when the output is not a terminal, a line per solve on stderr) shows the solves done, the time
taken and an estimate of the time left. ``--quick`` is a small setting (us_regions_small, no
flexibility and the 0.5 % level: two solves, about a minute) to try the script or check it runs;
arguments given with it take precedence.

Each run uses soft targets (``[targets] mode = "soft"``, 1e9 USD per MW short per year), so a
target out of reach gives the cheapest plan and the shortfall instead of no plan; "GW
reached" is the IT load in service in the last year.

- **no flexibility**: zones.csv ``headroom_mw`` = 0. The Duke *Rethinking Load Growth*
  headroom (Norris et al., 2025; docs/sources.md#duke-2025) is all curtailment-enabled: a new
  constant load that accepts no curtailment gets no headroom (judgement).
- **each level**: ``headroom_mw`` = 0 and ``headroom_mw_flex_<level>`` = the Duke figure of that
  level for the zone (that level only), ``[flexibility] curtailment = "exact"`` (a flexible
  campus is curtailed exactly its level's share of its annual energy), the compute lost at
  the annualised cost of the accelerators idled.

The Duke figures per zone are the balancing-authority values of reference 3.6 (Southeast,
Northwest and Southwest are the sums of their balancing areas).

Gas supply. As bundled, gas generation is cheaper than every region's grid price, so the grid
is barely used and flexibility changes nothing. The default run therefore caps the gas
equipment delivered to this buyer each year (supply.csv rows for every year, judgement): 15 GW
of combined cycles, 5 GW of frame turbines and 2 GW each of aeroderivatives, engines and fuel
cells, about a fifth of the world's ~131 GW a year of gas-fired awards (reference 2.4) for one
buyer. ``--no-gas-cap`` leaves gas uncapped.
"""

from __future__ import annotations

import argparse
import copy
import sys

import pandas as pd
from _progress import Progress

import siting

#: Duke curtailment-enabled headroom, MW (reference 3.6), per us_250gw zone: 0.25 / 0.5 / 1 %
DUKE_MW = {
    "ERCOT": (6500, 10000, 14700), "PJM": (13300, 17800, 23600), "MISO": (11600, 14800, 18500),
    "SPP": (7700, 9700, 12000), "CAISO": (4200, 5000, 5900), "NYISO": (3200, 4000, 4800),
    "ISONE": (2800, 3500, 4300),
    # SOCO + TVA + FPL + DEC + DEF + DEP + SCP + DESC
    "SOUTHEAST": (19000, 23900, 30200),
    # BPA + PACW + PGE
    "NORTHWEST": (3200, 3800, 4600),
    # AZPS + SRP + PSCO + PACE
    "SOUTHWEST": (4400, 5800, 7200),
}
LEVELS = ("0p25pct", "0p5pct", "1pct")
#: gas equipment delivered per year to this buyer, MW (judgement, see the module docstring)
GAS_CAP_MW = {"gas_cc": 15000, "frame_ct": 5000, "aero_ct": 2000, "recip": 2000, "fuel_cell": 2000}


def variant(inst: siting.Instance, level: str | None, gas_cap: bool) -> siting.Instance:
    scenario = copy.deepcopy(inst.scenario)
    scenario["targets"] = {**scenario.get("targets", {}), "mode": "soft"}
    zones = inst.zones.copy()
    zones["headroom_mw"] = 0.0
    if level is not None:
        i = LEVELS.index(level)
        zones[f"headroom_mw_flex_{level}"] = zones.zone.map(lambda z: float(DUKE_MW[z][i]))
        scenario["flexibility"] = {"curtailment": "exact"}
    supply = inst.supply
    if gas_cap:
        techs = set(inst.techs.tech)
        supply = pd.DataFrame([{"tech": k, "year": y, "max_new_mw": v, "region": ""}
                               for k, v in GAS_CAP_MW.items() if k in techs for y in inst.years])
    return inst.replace(scenario, zones=zones, supply=supply)


def study(base: siting.Instance, level: str, args, last: int) -> dict:
    """Solve the variant of ``level`` and return its row of the table."""
    inst = variant(base, None if level == "none" else level, not args.no_gas_cap)
    res = siting.solve(siting.build_model(inst), mip_gap=args.mip_gap, time_limit=args.time_limit)
    s = res.summary.set_index("year")
    c = res.costs[res.costs.component != "shortfall"]
    gw = float(s.at[last, "it_gw"])
    annual = c[c.year == last].cost_usd.sum()
    total = c.cost_usd_discounted.sum()
    lost = c[c.component == "lost_compute"].cost_usd.sum()
    d = res.dispatch
    g = d[(d.tech == "grid_import") & (d.year == last)]
    grid_twh = float((g.power_mw * g.slice.map(res.slices.set_index("slice").weight_h)).sum()) / 1e6
    return {"flexibility": level, "status": res.status, "gap %": 100 * (res.mip_gap or 0.0),
            f"GW reached {last}": gw, f"short GW {last}": float(s.at[last, "shortfall_it_mw"]) / 1000.0,
            f"annual $B per GW {last}": annual / 1e9 / gw if gw > 0 else float("nan"),
            "discounted $B (no penalty)": total / 1e9, "lost compute $B": lost / 1e9 + 0.0,
            f"grid TWh {last}": grid_twh + 0.0}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instance", nargs="?", default=None,
                    help="bundled name or folder (zones as us_250gw); default us_250gw (--quick: us_regions_small)")
    ap.add_argument("--mip-gap", type=float, default=0.01, help="relative MIP gap (default 0.01)")
    ap.add_argument("--time-limit", type=float, default=None, help="seconds per solve")
    ap.add_argument("--no-gas-cap", action="store_true", help="leave gas equipment uncapped")
    ap.add_argument("--levels", nargs="*", default=None,
                    help="subset of: none " + " ".join(LEVELS) + " (default all; --quick: none 0p5pct)")
    ap.add_argument("--quick", action="store_true", help="a small setting: us_regions_small, none and 0p5pct")
    args = ap.parse_args(argv)
    if args.instance is None:
        args.instance = "us_regions_small" if args.quick else "us_250gw"
    if args.levels is None:
        args.levels = ["none", "0p5pct"] if args.quick else ["none", *LEVELS]
    base = siting.load_instance(args.instance)
    last = base.years[-1]
    rows = []
    with Progress(len(args.levels), "flex_levels") as progress:
        for level in args.levels:
            rows.append(study(base, level, args, last))
            r = rows[-1]
            progress.step(f"{level}: {r['status']}, {r[f'GW reached {last}']:.1f} GW in {last}")
    table = pd.DataFrame(rows).set_index("flexibility")
    print(f"\n{args.instance}: IT GW reached in {last} and cost per GW by flexibility level "
          f"({'gas supply capped' if not args.no_gas_cap else 'gas uncapped'})")
    print(table.round(2).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
