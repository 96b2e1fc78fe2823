"""Sweep the toy over carbon prices on a local Dask cluster and see how the plan shifts.

Usage: python examples/sweep_carbon_price.py [OUT_DIR] [--workers N] [--scheduler ADDRESS]

Five carbon prices (0 to 200 USD/t) are solved in parallel. The script prints the cost, the
cost per GW, the emissions and clean share in the last year, and the sites each price
chooses. It writes the sweep to OUT_DIR (default: a new temporary folder). Run it again on
the same folder and it reads the finished scenarios back instead of solving them.
The same script runs on a Dask cluster you already have: pass --scheduler tcp://HOST:8786.
"""

import argparse
import tempfile
from pathlib import Path

import siting
from siting.sweep import sweep

SCENARIOS = {
    "grid": {
        "carbon": {
            "description": "carbon price sweep",
            "policy.carbon_price_usd_per_t": [0, 25, 50, 100, 200],
        }
    }
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default=None)
    ap.add_argument("--workers", type=int, default=None, help="local workers (default: one per CPU)")
    ap.add_argument("--scheduler", default=None, help="address of a running Dask scheduler")
    args = ap.parse_args()
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="siting-sweep-"))

    inst = siting.load_instance("toy")
    sr = sweep(inst, SCENARIOS, client=args.scheduler, workers=args.workers, out=out, progress=True)

    last = max(inst.years)
    ss = sr.scenario_summary.set_index("scenario")
    year = sr.summary[sr.summary["year"] == last].set_index("scenario")
    cols = ["policy.carbon_price_usd_per_t", "status", "objective_usd", "capex_usd_per_gw_it", "sites_chosen"]
    table = ss[cols].join(year[["tco2", "clean_share"]])
    table["objective_usd"] /= 1e9
    table["capex_usd_per_gw_it"] /= 1e9
    table["tco2"] /= 1e3
    table = table.rename(columns={"policy.carbon_price_usd_per_t": "USD/tCO2", "objective_usd": "cost $B",
                                  "capex_usd_per_gw_it": "capex $B per GW IT", "tco2": f"ktCO2 {last}",
                                  "clean_share": f"clean {last}"})
    print(table.round(3).to_string())
    print(f"\nsites chosen across prices: {sr.site_frequency[['site', 'share']].to_dict('records')}")
    if not sr.failed.empty:
        print(f"\nfailed:\n{sr.failed.to_string(index=False)}")
    print(f"\n{len(sr.info['solved'])} solved, {len(sr.info['reused'])} read back; tables and "
          f"cost_distribution.png in {out}/")


if __name__ == "__main__":  # Dask starts worker processes that import this file: keep the work under the guard
    main()
