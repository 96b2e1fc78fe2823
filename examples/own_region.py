"""Bring your own data: build an instance for your own region from public-data files, then solve it.

    python examples/own_region.py OUT_FOLDER

Inputs (small sample files in tests/data/samples/, each in the shape of the public source;
the values are invented, see tests/data/samples/make_samples.py):

- sites_sample.geojson          5 candidate campuses (points; some with max_it_mw, pue, grid_year)
- zones_sample.geojson          2 zone polygons with grid_price_usd_per_mwh and grid_co2_t_per_mwh
- ninja_pv_2019_full_year.csv   a renewables.ninja-style hourly PV file for 2019 (CC BY-NC in real life)
- ATBe_2024_sample.csv          an NREL ATB-style flat file (ATBe) with solar, battery and gas CT costs
- substations_sample.geojson    HIFLD-style substations (MAX_VOLT in kV)

The instance folder is written to OUT_FOLDER, loaded back with siting.load_instance and
solved with siting.solve; ``siting solve OUT_FOLDER`` solves it again from the shell.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import siting
from siting.data import InstanceBuilder, NonCommercialLicenceWarning

SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "data" / "samples"


def build(out: Path):
    b = InstanceBuilder(
        SAMPLES / "sites_sample.geojson",        # candidate sites: points with a 'site' id
        SAMPLES / "zones_sample.geojson",        # zone polygons with a 'zone' id (and zone values)
        name="own_region",
        profile_year=2019,                       # hour 0 = 1 Jan 2019 00:00 ...
        utc_offset=-6,                           # ... US Central Standard Time, all year (no DST)
        dollar_year=2025,
    )
    # hourly PV capacity factors for every zone; renewables.ninja is CC BY-NC: the builder warns
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonCommercialLicenceWarning)
        b.add_ninja(SAMPLES / "ninja_pv_2019_full_year.csv", profile="solar")
    # techs: ATB Moderate / Market costs of 2026, restated from 2022$ to 2025$ (CPI-U)
    b.add_atb(SAMPLES / "ATBe_2024_sample.csv", year=2026, scenario="Moderate", case="Market",
              techs={"solar": {}, "battery": {}, "gas_ct": {"unit_mw": 50}})
    # nearest substation at >= 230 kV: its line cost is added to each site's site_capex_usd
    b.add_substations(SAMPLES / "substations_sample.geojson", min_kv=230)
    b.set_targets({2026: 0.1, 2027: 0.2, 2028: 0.3})           # IT GW in service by year
    b.set_scenario(time={"mode": "typical_days", "typical_days": 2}, solver={"mip_gap": 0.005})
    return b.write(out, overwrite=True)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip())
        return 2
    out = Path(argv[0])
    inst = build(out)
    print(f"wrote {out}/: {len(inst.sites)} sites in zones {sorted(set(inst.sites['zone']))}, "
          f"techs {list(inst.techs['tech'])}")
    res = siting.solve(inst)
    if res.status != "optimal":
        print(f"not solved to optimality: {res.status}")
        return 1
    print(f"optimal: total discounted cost ${res.objective / 1e9:.3f} B")
    print(res.summary.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
