"""Known answers: tiny instances built in code whose optimum is derived by hand.

Every test states its optimum in the docstring (reasoning and numbers) and asserts the
objective within 1e-6 relative, the key decisions, and the invariant that the cost table
adds up to the objective.

Shared numbers (defaults of tests/builders.py, discount rate r = 5 %):

- crf(5 %, 30) = 0.0650514351, crf(5 %, 14) = 0.1010239695, crf(5 %, 5) = 0.2309747981,
  crf(5 %, 15) = 0.0963422876, crf(5 %, 2) = 0.5378048780, crf(5 %, 1) = 1.05;
- site:      crf30 x 1e6 USD                      = 65 051.44 USD/yr;
- building:  crf14 x 1000 USD/kW x 1000 x 50 MW    = 5 051 198.47 USD/yr per 50 MW module;
- gas fixed: crf30 x 1e6 USD/MW + 10 000 USD/MW-yr = 75 051.44 USD/MW-yr;
- gas energy: 2 (VOM) + 3 x 9 (fuel) = 29 USD/MWh, i.e. 254 040 USD/MW-yr run flat (8760 h);
- chips (g1): crf5 x 10 000 USD = 2 309.75 USD/unit-yr, i.e. 230 974 798.13 USD/yr for the
  100 000 units (100 MW) that meet the default target of 0.1 GW;
- base (site + 2 modules + those chips) = 241 142 246.51 USD/yr;
- facility load of the default site: PUE 1.2 x 100 MW = 120 MW; gas for it run flat:
  120 x 329 091.44 = 39 490 972.21 USD/yr.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
import subprocess
import sys

import pytest
from builders import (
    HOURS,
    chip,
    crf,
    daily_profile,
    discount_factors,
    gas,
    generator,
    make_instance,
    site,
    solve_exact,
    storage,
    zone,
)

import siting

R = 0.05
REL = 1e-6
SITE_ANN = crf(R, 30) * 1e6  # USD/yr for an open default site
MODULE_ANN = crf(R, 14) * 1000.0 * 1000.0 * 50.0  # USD/yr per 50 MW module
GAS_FIXED = crf(R, 30) * 1000.0 * 1000.0 + 10.0 * 1000.0  # USD/MW-yr
GAS_MWH = 2.0 + 3.0 * 9.0  # USD/MWh
CHIP_ANN = crf(R, 5) * 10_000.0  # USD/unit-yr for g1
GEO_FIXED = crf(R, 30) * 5000.0 * 1000.0 + 50.0 * 1000.0  # USD/MW-yr of the clean firm option used below
UNITS_100MW = 100_000.0  # 1000 W chips for 100 MW of IT


def geo(**kw) -> dict:
    """A clean, firm, fuel-free generator (geothermal-like): 5000 USD/kW, 50 USD/kW-yr, 30 years."""
    return generator("geo", 5000.0, 50.0, **kw)


# -- reading the results ---------------------------------------------------------------------

def check(res, expected: float) -> None:
    """Optimal; objective equals ``expected``; the cost table adds up to the objective."""
    assert res.status == "optimal"
    assert res.objective == pytest.approx(expected, rel=REL)
    assert res.costs.cost_usd_discounted.sum() == pytest.approx(res.objective, rel=REL)


def cap(res, tech: str, year: int, site: str = "a") -> float:
    c = res.capacity
    return float(c.loc[(c.site == site) & (c.tech == tech) & (c.year == year), "capacity_mw"].sum())


def site_row(res, year: int, site: str = "a"):
    s = res.sites
    return s.loc[(s.site == site) & (s.year == year)].iloc[0]


def installed(res, gen: str, year: int, site: str | None = None) -> float:
    c = res.chips
    sel = (c.generation == gen) & (c.year == year)
    if site is not None:
        sel &= c.site == site
    return float(c.loc[sel, "units_installed"].sum())


def in_service(res, gen: str, year: int) -> float:
    c = res.chips
    return float(c.loc[(c.generation == gen) & (c.year == year), "units_in_service"].sum())


def energy_mwh(res, tech: str, year: int, site: str | None = None) -> float:
    """Weighted energy of a dispatch row (MWh/yr): sum over slices of weight_h x power_mw."""
    d = res.dispatch.merge(res.slices[["slice", "weight_h"]], on="slice")
    sel = (d.tech == tech) & (d.year == year)
    if site is not None:
        sel &= d.site == site
    d = d.loc[sel]
    return float((d.power_mw * d.weight_h).sum())


def component(res, name: str, year: int) -> float:
    c = res.costs
    return float(c.loc[(c.component == name) & (c.year == year), "cost_usd"].sum())


def base_annual(modules: int = 2, units: float = UNITS_100MW, chip_ann: float = CHIP_ANN, sites: int = 1) -> float:
    """Site + buildings + chips per year (USD/yr) for the default site(s)."""
    return sites * SITE_ANN + modules * MODULE_ANN + units * chip_ann


# -- the asked-for cases --------------------------------------------------------------------------

def test_one_site_one_gas_flat_load_closed_form():
    """One site, gas only, flat load of 0.1 GW in 2026 and 2027: cost in closed form.

    Open = 1; Modules = 100 / 50 = 2; chips 100 000 units installed in 2026 (life 5: in service
    in both years, nothing installed in 2027); gas 1.2 x 100 = 120 MW built in 2026, run flat.

    Annual cost = site 65 051.44 + buildings 2 x 5 051 198.47 + gas 120 x (75 051.44 + 254 040)
    + chips 230 974 798.13 = 280 633 218.72 USD/yr.
    Discount factors 1 and 1/1.05: objective = 280 633 218.72 x 1.952381 = 547 902 950.83 USD.
    Fuel component alone: 120 MW x 8760 h x 27 USD/MWh = 28 382 400 USD/yr.
    """
    inst = make_instance(years=[2026, 2027])
    res = solve_exact(inst)
    annual = base_annual() + 120.0 * (GAS_FIXED + HOURS * GAS_MWH)
    check(res, annual * (1.0 + 1.0 / 1.05))
    assert annual == pytest.approx(280_633_218.72, abs=0.01)
    assert res.objective == pytest.approx(547_902_950.83, rel=REL)
    for y in (2026, 2027):
        row = site_row(res, y)
        assert row.open == 1 and row.modules == 2
        assert row.it_mw == pytest.approx(100.0)
        assert cap(res, "gas", y) == pytest.approx(120.0)
        assert in_service(res, "g1", y) == pytest.approx(UNITS_100MW)
        assert component(res, "fuel", y) == pytest.approx(120.0 * HOURS * 27.0, rel=REL)
    assert installed(res, "g1", 2026) == pytest.approx(UNITS_100MW)
    assert installed(res, "g1", 2027) == pytest.approx(0.0, abs=1e-4)
    assert res.emissions.tco2.sum() == pytest.approx(2 * 0.5 * 120.0 * HOURS, rel=REL)


def test_choice_between_two_sites():
    """Two candidate sites, 0.1 GW needed, each can host it all: the cheaper one opens.

    Site a: cheap land (site capital 1 M USD) but PUE 1.5 -> 150 MW of gas.
    Site b: dear land (50 M USD) but PUE 1.1 -> 110 MW of gas.
    Per year, b - a = crf30 x 49e6 - 40 MW x (75 051.44 + 254 040)
                    = 3 187 520.32 - 13 163 657.40 < 0: b opens, a stays closed (splitting
    the load only adds a second site's capital: the cost per MW is linear and lower at b).

    Objective (one year, discount factor 1) = crf30 x 5e7 + 2 x 5 051 198.47
      + 110 x 329 091.44 + 230 974 798.13 = 280 529 824.69 USD (site a instead: 290 505 961.77).
    """
    inst = make_instance(sites=[site(site="a", pue=1.5), site(site="b", pue=1.1, site_capex_usd=5e7)])
    res = solve_exact(inst)
    expected = crf(R, 30) * 5e7 + 2 * MODULE_ANN + 110.0 * (GAS_FIXED + HOURS * GAS_MWH) + UNITS_100MW * CHIP_ANN
    check(res, expected)
    assert expected == pytest.approx(280_529_824.69, abs=0.01)
    assert site_row(res, 2026, "a").open == 0
    assert site_row(res, 2026, "b").open == 1
    assert site_row(res, 2026, "b").modules == 2
    assert cap(res, "gas", 2026, "b") == pytest.approx(110.0)
    assert cap(res, "gas", 2026, "a") == pytest.approx(0.0, abs=1e-4)
    assert installed(res, "g1", 2026, "b") == pytest.approx(UNITS_100MW)


def test_bridge_power_before_grid_year():
    """Gas bridges 2026-2027; the grid (20 USD/MWh, 200 MW) arrives in 2028 and takes over.

    Years 2026, 2027, 2028 (factors 1, 1/1.05, 1/1.05^2); 0.1 GW every year; grid_year 2028.
    2026-2027: only gas can serve the 120 MW: 120 MW built in 2026, run flat.
    2028: the gas (life 30) is still in service and its capital and FOM are still paid;
    its running cost 29 USD/MWh exceeds the grid's 20, so all 120 MW are imported and the gas
    idles (no second build: the 120 MW already there covers any need).

    Annual: fixed F = base 241 142 246.51 + 120 x 75 051.44 = 250 148 418.72 USD/yr;
    energy 2026-2027: 120 x 8760 x 29 = 30 484 800; 2028: 120 x 8760 x 20 = 21 024 000.
    Objective = F x (1 + 1/1.05 + 1/1.05^2) + 30 484 800 x (1 + 1/1.05) + 21 024 000 / 1.05^2
              = 793 864 328.35 USD.
    """
    years = [2026, 2027, 2028]
    inst = make_instance(sites=[site(grid_mw=200.0, grid_year=2028)],
                         zones=[zone(grid_price_usd_per_mwh=20.0)], years=years)
    res = solve_exact(inst)
    df = discount_factors(R, years)
    fixed = base_annual() + 120.0 * GAS_FIXED
    expected = (fixed * sum(df.values()) + 120.0 * HOURS * GAS_MWH * (df[2026] + df[2027])
                + 120.0 * HOURS * 20.0 * df[2028])
    check(res, expected)
    assert expected == pytest.approx(793_864_328.35, abs=0.01)
    for y in years:
        assert cap(res, "gas", y) == pytest.approx(120.0)
        assert component(res, "power_capex", y) == pytest.approx(120.0 * crf(R, 30) * 1e6, rel=REL)
    for y in (2026, 2027):
        assert energy_mwh(res, "gas", y) == pytest.approx(120.0 * HOURS, rel=REL)
        assert energy_mwh(res, "grid_import", y) == pytest.approx(0.0, abs=1e-3)
    assert energy_mwh(res, "gas", 2028) == pytest.approx(0.0, abs=1e-3)
    assert energy_mwh(res, "grid_import", 2028) == pytest.approx(120.0 * HOURS, rel=REL)
    em = res.emissions.set_index("year").tco2
    assert em[2026] == pytest.approx(0.5 * 120.0 * HOURS, rel=REL)
    assert em[2028] == pytest.approx(0.4 * 120.0 * HOURS, rel=REL)


def test_bridge_until_a_cheaper_technology_arrives():
    """Gas bridges until a cheaper firm clean tech (earliest_year 2028) is available; both stay paid.

    'smr': 2000 USD/kW, no FOM, no fuel, life 30: crf30 x 2e6 = 130 102.87 USD/MW-yr, less than the
    254 040 USD/MW-yr gas spends on fuel and VOM alone, so in 2028 building 120 MW of smr beats
    running the (sunk, still paid) gas. Years 2026, 2028 (factors 1 + 1/1.05, and 1/1.05^2).
    2026: gas 120 MW. 2028: gas 120 MW in service (paid, idle) + smr 120 MW running.

    Objective = (base + 120 x 75 051.44) x (1 + 1/1.05 + 1/1.05^2) + 120 x 254 040 x (1 + 1/1.05)
              + 120 x 130 102.87 / 1.05^2 = 788 955 797.22 USD.
    """
    years = [2026, 2028]
    inst = make_instance(techs=[gas(), generator("smr", 2000.0, earliest_year=2028)], years=years)
    res = solve_exact(inst)
    df = discount_factors(R, years)
    smr_fixed = crf(R, 30) * 2e6
    expected = ((base_annual() + 120.0 * GAS_FIXED) * sum(df.values()) + 120.0 * HOURS * GAS_MWH * df[2026]
                + 120.0 * smr_fixed * df[2028])
    check(res, expected)
    assert expected == pytest.approx(788_955_797.22, abs=0.01)
    assert cap(res, "gas", 2026) == pytest.approx(120.0)
    assert cap(res, "gas", 2028) == pytest.approx(120.0)
    assert cap(res, "smr", 2028) == pytest.approx(120.0)
    assert energy_mwh(res, "gas", 2028) == pytest.approx(0.0, abs=1e-3)


def test_newer_chip_generation_once_available():
    """Compute targets 100, 100, 300 EFLOPS (2026-2028); g2 (2 PFLOPS, 1000 W, 15 000 USD) from 2028.

    g1: 1 PFLOPS, 1000 W, 10 000 USD (10 000 USD and 1000 W per PFLOPS); g2: 7 500 USD and 500 W per
    PFLOPS: better on both counts, but only from 2028. Both live 5 years (in service to the end).
    (1 EFLOPS = 1000 PFLOPS.) 2026: 100 000 g1 (100 EFLOPS, 100 MW); 2027: nothing new;
    2028: +200 EFLOPS = 100 000 g2 (100 MW more; 200 000 g1 would add 200 MW and 2e9 USD of chips).
    Site max 200 MW: modules 2, 2, 4; gas 120 MW built in 2026, +120 MW in 2028.

    Annual 2026 = 2027 = base 241 142 246.51 + 120 x 329 091.44 = 280 633 218.72 USD/yr;
    2028 = site 65 051.44 + 4 modules 20 204 793.89 + chips 100 000 x (2 309.75 + crf5 x 15 000)
         = 577 436 995.32 + gas 240 x 329 091.44 = 78 981 944.42: 676 688 785.07 USD/yr.
    Objective = 280 633 218.72 x (1 + 1/1.05) + 676 688 785.07 / 1.05^2 = 1 161 679 626.63 USD.
    """
    years = [2026, 2027, 2028]
    targets = [{"year": 2026, "compute_eflops": 100.0}, {"year": 2027, "compute_eflops": 100.0},
               {"year": 2028, "compute_eflops": 300.0}]
    inst = make_instance(sites=[site(max_it_mw=200.0)], years=years, targets=targets,
                         chips=[chip(), chip(generation="g2", first_year=2028, pflops=2.0, price_usd=15_000.0)])
    res = solve_exact(inst)
    df = discount_factors(R, years)
    gas_mw = GAS_FIXED + HOURS * GAS_MWH
    early = base_annual() + 120.0 * gas_mw
    late = SITE_ANN + 4 * MODULE_ANN + UNITS_100MW * (CHIP_ANN + crf(R, 5) * 15_000.0) + 240.0 * gas_mw
    expected = early * (df[2026] + df[2027]) + late * df[2028]
    check(res, expected)
    assert expected == pytest.approx(1_161_679_626.63, abs=0.01)
    assert installed(res, "g1", 2026) == pytest.approx(UNITS_100MW)
    assert installed(res, "g1", 2027) == pytest.approx(0.0, abs=1e-4)
    assert installed(res, "g1", 2028) == pytest.approx(0.0, abs=1e-4)
    assert installed(res, "g2", 2028) == pytest.approx(UNITS_100MW)
    assert [site_row(res, y).modules for y in years] == [2, 2, 4]
    assert [cap(res, "gas", y) for y in years] == pytest.approx([120.0, 120.0, 240.0])
    assert res.summary.set_index("year").eflops.to_list() == pytest.approx([100.0, 100.0, 300.0])


NIGHT_DAY = [0.0] * 6 + [1.0] * 12 + [0.0] * 6  # solar 1 from 06:00 to 17:59, 0 at night (12 h)
SHORT_NIGHT = [0.0] * 3 + [1.0] * 18 + [0.0] * 3  # solar 1 from 03:00 to 20:59 (6 h of night)


@pytest.mark.parametrize(("shape", "hours", "solar_mw", "battery_mw", "binding"), [
    (NIGHT_DAY, 12.0, 120.0 * (1.0 + 1.0 / 0.81), 120.0 / 0.81, "Charge_Limit"),
    (NIGHT_DAY, 8.0, 120.0 * (1.0 + 1.0 / 0.81), 12.0 * 120.0 / (0.9 * 8.0), "SoC_Limit"),
    (SHORT_NIGHT, 12.0, 120.0 + 6.0 * 120.0 / (0.81 * 18.0), 120.0, "Discharge_Limit"),
], ids=["charge-power-binds", "energy-binds", "discharge-power-binds"])
def test_battery_carries_the_night_on_solar(shape, hours, solar_mw, battery_mw, binding):
    """Solar (1000 USD/kW, 10 USD/kW-yr) + battery (300 USD/kW, 5 USD/kW-yr, rte 0.81), no grid, no gas.

    Load L = 120 MW flat. Solar is 1 for n_on hours and 0 for n_off = 24 - n_on hours each day;
    sqrt(rte) = 0.9 on charge and on discharge. A night needs n_off x L discharged, i.e.
    n_off x L / 0.9 drawn from the state of charge, i.e. n_off x L / 0.81 charged in the sunny
    hours (spread evenly, the least peak): L x n_off / (0.81 n_on) MW on top of the load.
    Solar = L + n_off x L / (0.81 n_on). Battery power = the largest of: discharge L, charge
    n_off x L / (0.81 n_on), and the night's energy n_off x L / 0.9 over storage_hours.
      - 12 h night, 12 h storage: max(120, 148.15, 133.33) = 148.15 MW, charge binds;
        solar 268.15 MW; objective 266 289 770.03 USD;
      - 12 h night, 8 h storage: max(120, 148.15, 1600/8 = 200) = 200 MW, stored energy binds;
        solar 268.15 MW; objective 268 047 687.10 USD;
      - 6 h night, 12 h storage: max(120, 49.38, 66.67) = 120 MW, discharge binds;
        solar 120 + 49.38 = 169.38 MW; objective 257 922 984.78 USD.
    Per MW-yr: solar 75 051.44, battery crf15 x 3e5 + 5000 = 33 902.69.
    Objective = base 241 142 246.51 + solar x 75 051.44 + battery x 33 902.69.
    """
    inst = make_instance(techs=[generator("solar", 1000.0, 10.0, profile="solar"),
                                storage(capex_usd_per_kw=300.0, fom_usd_per_kw_yr=5.0, storage_hours=hours)],
                         profiles=daily_profile(shape, "solar"))
    res = solve_exact(inst)
    batt_fixed = crf(R, 15) * 300.0 * 1000.0 + 5.0 * 1000.0
    expected = base_annual() + solar_mw * GAS_FIXED + battery_mw * batt_fixed
    check(res, expected)
    assert cap(res, "solar", 2026) == pytest.approx(solar_mw, rel=REL)
    assert cap(res, "battery", 2026) == pytest.approx(battery_mw, rel=REL), binding
    n_off = 24 - int(sum(shape))
    # net battery output per day: n_off x L discharged less n_off x L / 0.81 charged
    assert energy_mwh(res, "battery", 2026) == pytest.approx(365.0 * n_off * 120.0 * (1.0 - 1.0 / 0.81), rel=1e-5)
    d = res.dispatch.merge(res.slices[["slice", "hour"]], on="slice")
    night = d[(d.tech == "battery") & d.hour.map(lambda h: shape[h] == 0.0)]
    assert night.power_mw.to_numpy() == pytest.approx([120.0] * n_off, rel=1e-6)


def test_co2_cap_forces_a_clean_mix():
    """Gas vs a clean firm 'geo' (5000 USD/kW, 50 USD/kW-yr); load 120 MW flat; CO2 cap 262 800 t.

    Without a cap: gas costs 75 051.44 + 254 040 = 329 091.44 per MW-yr, geo 375 257.18: all gas.
    The cap allows 262 800 / 0.5 = 525 600 MWh of gas = 60 MW run flat; geo covers the other 60 MW
    in every slice (running gas unevenly would need more geo in the slices where it runs less).
    Objective = base + 60 x 329 091.44 + 60 x 375 257.18 = 283 403 163.14 USD
    (uncapped: base + 120 x 329 091.44 = 280 633 218.72 USD).
    """
    free = solve_exact(make_instance(techs=[gas(), geo()]))
    check(free, base_annual() + 120.0 * (GAS_FIXED + HOURS * GAS_MWH))
    assert cap(free, "gas", 2026) == pytest.approx(120.0)
    assert cap(free, "geo", 2026) == pytest.approx(0.0, abs=1e-4)

    res = solve_exact(make_instance(techs=[gas(), geo()], policy={"co2_cap_t": 262_800.0}))
    expected = base_annual() + 60.0 * (GAS_FIXED + HOURS * GAS_MWH) + 60.0 * GEO_FIXED
    check(res, expected)
    assert expected == pytest.approx(283_403_163.14, abs=0.01)
    assert cap(res, "gas", 2026) == pytest.approx(60.0)
    assert cap(res, "geo", 2026) == pytest.approx(60.0)
    assert res.emissions.tco2.sum() == pytest.approx(262_800.0, rel=REL)


def test_co2_cap_in_a_later_year_changes_the_first_build():
    """A CO2 cap of 262 800 t in 2027 only (per-year table): perfect foresight builds the mix in 2026.

    Gas built in 2026 stays in service (life 30) and paid in 2027, when the cap lets only 60 MW
    of it run. Compare building 60 + x MW of gas in 2026 (x >= 0, geo 60 - x in 2026, 60 in 2027):
    each MW of x saves 375 257.18 - 329 091.44 = 46 165.74 USD in 2026, and costs 75 051.44 / 1.05
    = 71 477.56 USD in 2027 (idle, still paid): x = 0. Less than 60 MW of gas in 2026 only buys dearer
    geo. So gas 60 MW and geo 60 MW from 2026, the capped plan of the previous test in both years:
    objective = 283 403 163.14 x (1 + 1/1.05) = 553 310 937.56 USD
    (the myopic plan, all gas in 2026 then 60 MW of geo in 2027, would cost 554 829 646.57 USD).
    """
    inst = make_instance(techs=[gas(), geo()], years=[2026, 2027], policy={"co2_cap_t": {"2027": 262_800.0}})
    res = solve_exact(inst)
    annual = base_annual() + 60.0 * (GAS_FIXED + HOURS * GAS_MWH) + 60.0 * GEO_FIXED
    check(res, annual * (1.0 + 1.0 / 1.05))
    assert res.objective == pytest.approx(553_310_937.56, rel=REL)
    for y in (2026, 2027):
        assert cap(res, "gas", y) == pytest.approx(60.0)
        assert cap(res, "geo", y) == pytest.approx(60.0)
    assert res.emissions.set_index("year").tco2[2027] == pytest.approx(262_800.0, rel=REL)


# -- further families ------------------------------------------------------------------------

def test_integer_units_round_up():
    """Gas in units of 50 MW: 120 MW of load needs 3 units = 150 MW (capital and FOM on 150, fuel on 120).

    Objective = base + 150 x 75 051.44 + 120 x 254 040 = 282 884 761.77 USD.
    """
    res = solve_exact(make_instance(techs=[gas(unit_mw=50.0)]))
    expected = base_annual() + 150.0 * GAS_FIXED + 120.0 * HOURS * GAS_MWH
    check(res, expected)
    assert cap(res, "gas", 2026) == pytest.approx(150.0)
    assert energy_mwh(res, "gas", 2026) == pytest.approx(120.0 * HOURS, rel=REL)


def test_max_mw_per_site_binds():
    """Gas limited to 100 MW per site: the other 20 MW come from the dearer geo.

    Objective = base + 100 x 329 091.44 + 20 x 375 257.18 = 281 556 533.53 USD.
    """
    res = solve_exact(make_instance(techs=[gas(max_mw_per_site=100.0), geo()]))
    expected = base_annual() + 100.0 * (GAS_FIXED + HOURS * GAS_MWH) + 20.0 * GEO_FIXED
    check(res, expected)
    assert cap(res, "gas", 2026) == pytest.approx(100.0)
    assert cap(res, "geo", 2026) == pytest.approx(20.0)


def test_grid_mw_binds():
    """Grid at 20 USD/MWh (175 200 USD/MW-yr flat) beats gas (329 091.44), but only 80 MW: gas 40 MW.

    Objective = base + 80 x 8760 x 20 + 40 x 329 091.44 = 268 321 903.91 USD.
    """
    inst = make_instance(sites=[site(grid_mw=80.0)], zones=[zone(grid_price_usd_per_mwh=20.0)])
    res = solve_exact(inst)
    expected = base_annual() + 80.0 * HOURS * 20.0 + 40.0 * (GAS_FIXED + HOURS * GAS_MWH)
    check(res, expected)
    assert cap(res, "gas", 2026) == pytest.approx(40.0)
    assert energy_mwh(res, "grid_import", 2026) == pytest.approx(80.0 * HOURS, rel=REL)


def test_zonal_headroom_binds():
    """Two sites in one zone, 100 MW each (PUE 1.0), each with a 100 MW grid line; zone headroom 150 MW.

    0.2 GW needs both sites open and full. Grid (20 USD/MWh) is cheaper than gas, so the zone
    imports its 150 MW headroom in every slice and gas covers the other 50 MW (split between the
    sites in any way: only the totals are unique).
    Objective = 2 x site + 4 x module + 200 000 chips + 150 x 8760 x 20 + 50 x 329 091.44
              = 525 019 064.77 USD.
    """
    sites = [site(site=s, pue=1.0, grid_mw=100.0) for s in ("a", "b")]
    inst = make_instance(sites=sites, zones=[zone(grid_price_usd_per_mwh=20.0, headroom_mw=150.0)], targets=0.2)
    res = solve_exact(inst)
    expected = (base_annual(modules=4, units=2 * UNITS_100MW, sites=2) + 150.0 * HOURS * 20.0
                + 50.0 * (GAS_FIXED + HOURS * GAS_MWH))
    check(res, expected)
    assert (res.sites.open == 1).all()
    assert energy_mwh(res, "grid_import", 2026) == pytest.approx(150.0 * HOURS, rel=REL)
    assert cap(res, "gas", 2026, "a") + cap(res, "gas", 2026, "b") == pytest.approx(50.0)


def test_clean_share_binds():
    """clean_share 0.25 with gas and geo: non-clean energy <= 0.75 x 120 x 8760, so gas 90 MW, geo 30 MW.

    Objective = base + 90 x 329 091.44 + 30 x 375 257.18 = 282 018 190.93 USD.
    """
    res = solve_exact(make_instance(techs=[gas(), geo()], policy={"clean_share": 0.25}))
    expected = base_annual() + 90.0 * (GAS_FIXED + HOURS * GAS_MWH) + 30.0 * GEO_FIXED
    check(res, expected)
    assert cap(res, "gas", 2026) == pytest.approx(90.0)
    assert cap(res, "geo", 2026) == pytest.approx(30.0)
    assert res.summary.clean_share.iloc[0] == pytest.approx(0.25, rel=REL)


def test_clean_share_counts_grid_clean_share():
    """Grid (20 USD/MWh, grid_clean_share 0.5) vs geo; clean_share 0.75; no gas.

    Non-clean energy = 0.5 x import <= 0.25 x 120 x 8760, so import <= 60 MW flat; geo 60 MW.
    Objective = base + 60 x 8760 x 20 + 60 x 375 257.18 = 274 169 677.03 USD.
    """
    inst = make_instance(sites=[site(grid_mw=200.0)], techs=[geo()],
                         zones=[zone(grid_price_usd_per_mwh=20.0, grid_clean_share=0.5)],
                         policy={"clean_share": 0.75})
    res = solve_exact(inst)
    expected = base_annual() + 60.0 * HOURS * 20.0 + 60.0 * GEO_FIXED
    check(res, expected)
    assert cap(res, "geo", 2026) == pytest.approx(60.0)
    assert energy_mwh(res, "grid_import", 2026) == pytest.approx(60.0 * HOURS, rel=REL)


def test_compute_target_binds_over_it_target():
    """it_gw 0.05 and compute_eflops 100 with 1-PFLOPS chips: 100 000 PFLOPS = 100 000 units = 100 MW.

    The IT target (50 MW) is slack; the plan is the closed-form one-year plan of the first test:
    objective = 280 633 218.72 USD.
    """
    inst = make_instance(targets=[{"year": 2026, "it_gw": 0.05, "compute_eflops": 100.0}])
    res = solve_exact(inst)
    check(res, base_annual() + 120.0 * (GAS_FIXED + HOURS * GAS_MWH))
    assert installed(res, "g1", 2026) == pytest.approx(UNITS_100MW)
    assert site_row(res, 2026).it_mw == pytest.approx(100.0)


def test_chip_supply_cap_forces_a_second_generation():
    """g1 (10 000 USD) capped at 60 000 units a year; g2 is the same chip at 20 000 USD, uncapped.

    100 MW = 100 000 units: 60 000 g1 + 40 000 g2. Power, site and buildings as in the first test.
    Objective = site + 2 modules + 120 x 329 091.44 + crf5 x (60 000 x 10 000 + 40 000 x 20 000)
              = 373 023 137.97 USD.
    """
    chips = [chip(max_units_per_year=60_000.0), chip(generation="g2", price_usd=20_000.0)]
    res = solve_exact(make_instance(chips=chips))
    expected = (SITE_ANN + 2 * MODULE_ANN + 120.0 * (GAS_FIXED + HOURS * GAS_MWH)
                + crf(R, 5) * (60_000.0 * 10_000.0 + 40_000.0 * 20_000.0))
    check(res, expected)
    assert installed(res, "g1", 2026) == pytest.approx(60_000.0)
    assert installed(res, "g2", 2026) == pytest.approx(40_000.0)


def test_retirement_after_life_years():
    """Gas and chips with a 2-year life in a 3-year horizon: both retire and are rebuilt in 2028.

    Built in 2026, in service in 2026 and 2027 (2027 - 2026 < 2), retired in 2028 (2 is not < 2),
    so 120 MW of gas and 100 000 chips are built again in 2028. Capital annualised with
    crf(5 %, 2) = 0.537805: gas 537 804.88 + 10 000 FOM + 254 040 energy = 801 844.88 USD/MW-yr;
    chips 5 378.05 USD/unit-yr.
    Annual = 65 051.44 + 10 102 396.95 + 120 x 801 844.88 + 537 804 878.05 = 644 193 711.80 USD/yr,
    the same every year. Objective = annual x (1 + 1/1.05 + 1/1.05^2) = 1 842 014 218.99 USD.
    """
    years = [2026, 2027, 2028]
    inst = make_instance(techs=[gas(life_years=2.0)], chips=[chip(life_years=2.0)], years=years)
    m = siting.build_model(inst)
    res = solve_exact(m)
    annual = (SITE_ANN + 2 * MODULE_ANN + 120.0 * (crf(R, 2) * 1e6 + 1e4 + HOURS * GAS_MWH)
              + UNITS_100MW * crf(R, 2) * 10_000.0)
    check(res, annual * sum(discount_factors(R, years).values()))
    builds = {y: m.Build["gas", "a", y].value for y in years}
    assert [builds[y] for y in years] == pytest.approx([120.0, 0.0, 120.0], abs=1e-4)
    assert [installed(res, "g1", y) for y in years] == pytest.approx([UNITS_100MW, 0.0, UNITS_100MW], abs=1e-4)
    assert [cap(res, "gas", y) for y in years] == pytest.approx([120.0] * 3)


def test_years_with_gaps():
    """Years 2026 and 2028: 2026 stands for 2026-2027 (factor 1 + 1/1.05), 2028 for one year (1/1.05^2).

    The plan is the closed-form one of the first test (nothing changes between years: chips of
    2026 live 5 years), annual 280 633 218.72 USD/yr, so
    objective = 280 633 218.72 x (1 + 1/1.05 + 1/1.05^2) = 280 633 218.72 x 2.859410 = 802 445 552.84 USD.
    cost_usd of 2026 (undiscounted, two calendar years) is twice the annual cost.
    """
    years = [2026, 2028]
    inst = make_instance(years=years)
    assert inst.years_represented() == {2026: 2, 2028: 1}
    df = discount_factors(R, years)
    assert df[2026] == pytest.approx(1.0 + 1.0 / 1.05, rel=1e-12)
    assert inst.discount_factors() == pytest.approx(df, rel=1e-12)
    res = solve_exact(inst)
    annual = base_annual() + 120.0 * (GAS_FIXED + HOURS * GAS_MWH)
    check(res, annual * (1.0 + 1.0 / 1.05 + 1.0 / 1.05 ** 2))
    per_year = res.costs.groupby("year").cost_usd.sum()
    assert per_year[2026] == pytest.approx(annual, rel=REL)
    disc = res.costs.groupby("year").cost_usd_discounted.sum()
    assert disc[2026] == pytest.approx(annual * (1.0 + 1.0 / 1.05), rel=REL)
    assert per_year[2028] == pytest.approx(annual, rel=REL)
    assert installed(res, "g1", 2028) == pytest.approx(0.0, abs=1e-4)


@pytest.mark.parametrize(("price", "gas_mw"), [(5.0, 120.0), (50.0, 0.0)], ids=["gas-stays", "geo-wins"])
def test_carbon_price(price, gas_mw):
    """Carbon price P on gas (0.5 t/MWh) vs the clean geo: gas per MW-yr = 329 091.44 + 4380 P.

    Break-even with geo (375 257.18): P = 46 165.74 / 4380 = 10.54 USD/t.
      - P = 5: all gas; carbon 5 x 0.5 x 120 x 8760 = 2 628 000 USD; objective = base
        + 120 x 350 991.44 = 283 261 218.72 USD;
      - P = 50: all geo, no carbon cost; objective = base + 120 x 375 257.18 = 286 173 107.56 USD.
    """
    res = solve_exact(make_instance(techs=[gas(), geo()], policy={"carbon_price_usd_per_t": price}))
    gas_per_mw = GAS_FIXED + HOURS * (GAS_MWH + 0.5 * price)
    expected = base_annual() + gas_mw * gas_per_mw + (120.0 - gas_mw) * GEO_FIXED
    check(res, expected)
    assert cap(res, "gas", 2026) == pytest.approx(gas_mw, abs=1e-4)
    assert cap(res, "geo", 2026) == pytest.approx(120.0 - gas_mw, abs=1e-4)
    assert component(res, "carbon", 2026) == pytest.approx(price * 0.5 * gas_mw * HOURS, abs=1e-3)


def test_site_stays_open_after_the_fleet_retires():
    """Open and Modules never decrease: chips with a 1-year life, a target in 2026 only, years 2026-2027.

    2026: the closed-form plan with chips at crf(5 %, 1) = 1.05: 100 000 x 10 500 = 1.05e9 USD.
    2027: no target, so no chips and no load; yet the site stays open with its 2 modules and
    the gas (life 30) stays in service: site + buildings + 120 x 75 051.44 = 19 173 620.59 USD/yr.
    Objective = (65 051.44 + 10 102 396.95 + 120 x 329 091.44 + 1.05e9)
              + 19 173 620.59 / 1.05 = 1 099 658 420.59 + 18 260 591.04 = 1 117 919 011.63 USD.
    """
    years = [2026, 2027]
    inst = make_instance(chips=[chip(life_years=1.0)], years=years, targets={2026: 0.1})
    res = solve_exact(inst)
    first = SITE_ANN + 2 * MODULE_ANN + 120.0 * (GAS_FIXED + HOURS * GAS_MWH) + UNITS_100MW * 1.05 * 10_000.0
    second = SITE_ANN + 2 * MODULE_ANN + 120.0 * GAS_FIXED
    check(res, first + second / 1.05)
    row = site_row(res, 2027)
    assert row.open == 1 and row.modules == 2
    assert row.it_mw == pytest.approx(0.0, abs=1e-9)
    assert in_service(res, "g1", 2027) == pytest.approx(0.0, abs=1e-9)


def test_pue_and_grid_price_profiles():
    """Hourly PUE and grid price multipliers, grid only (gas at 29 USD/MWh never pays its fixed cost).

    Night (00-11): PUE 1.2 x 1.0, price 10 x 0.5 = 5 USD/MWh; day (12-23): PUE 1.2 x 1.25 = 1.5,
    price 10 x 1.5 = 15 USD/MWh. Facility 120 MW at night, 150 MW by day (peak 150).
    Grid energy = 365 x (12 x 120 x 5 + 12 x 150 x 15) = 365 x 34 200 = 12 483 000 USD/yr.
    The dearest grid hour (15 USD/MWh) is below gas's running cost alone (29 USD/MWh): no gas built.
    Objective = base 241 142 246.51 + 12 483 000 = 253 625 246.51 USD.
    """
    pue = [1.0] * 12 + [1.25] * 12
    price = [0.5] * 12 + [1.5] * 12
    inst = make_instance(sites=[site(grid_mw=200.0)], zones=[zone(grid_price_usd_per_mwh=10.0)],
                         profiles=[daily_profile(pue, "pue"), daily_profile(price, "grid_price")])
    res = solve_exact(inst)
    check(res, base_annual() + 365.0 * (12 * 120.0 * 5.0 + 12 * 150.0 * 15.0))
    assert cap(res, "gas", 2026) == pytest.approx(0.0, abs=1e-4)
    assert site_row(res, 2026).facility_peak_mw == pytest.approx(150.0)
    assert energy_mwh(res, "grid_import", 2026) == pytest.approx(365.0 * 12 * (120.0 + 150.0), rel=REL)


def test_modules_round_up():
    """0.06 GW on 50 MW modules: 2 modules (100 MW of buildings paid), 60 000 chips, 72 MW of gas.

    Objective = site 65 051.44 + 2 x 5 051 198.47 + 60 000 x 2 309.75 + 72 x 329 091.44
              = 172 446 910.58 USD.
    """
    res = solve_exact(make_instance(targets=0.06))
    expected = base_annual(units=60_000.0) + 72.0 * (GAS_FIXED + HOURS * GAS_MWH)
    check(res, expected)
    assert expected == pytest.approx(172_446_910.58, abs=0.01)
    row = site_row(res, 2026)
    assert row.modules == 2 and row.it_mw == pytest.approx(60.0)
    assert cap(res, "gas", 2026) == pytest.approx(72.0)


def test_site_earliest_year():
    """Site a (PUE 1.1) opens only from 2027; 0.1 GW is needed from 2026, so b (PUE 1.5) opens.

    Chips installed at b in 2026 stay in service there in 2027 (life 5) and stay paid; moving the
    load to a in 2027 would buy the chips, buildings and site again. a never opens.
    Objective = (65 051.44 + 2 x 5 051 198.47 + 150 x 329 091.44 + 230 974 798.13) x (1 + 1/1.05)
              = 567 178 306.32 USD.
    """
    sites = [site(site="a", pue=1.1, earliest_year=2027), site(site="b", pue=1.5)]
    res = solve_exact(make_instance(sites=sites, years=[2026, 2027]))
    expected = (base_annual() + 150.0 * (GAS_FIXED + HOURS * GAS_MWH)) * (1.0 + 1.0 / 1.05)
    check(res, expected)
    assert expected == pytest.approx(567_178_306.32, abs=0.01)
    s = res.sites.set_index(["site", "year"]).open
    assert s[("a", 2026)] == 0 and s[("a", 2027)] == 0
    assert s[("b", 2026)] == 1 and s[("b", 2027)] == 1
    assert cap(res, "gas", 2027, "b") == pytest.approx(150.0)


def test_chip_last_year():
    """g1 (10 000 USD) can be installed only up to 2026; g2 (same chip, 20 000 USD) from 2026 on.

    Targets 0.1 GW in 2026 and 0.2 GW in 2027; the site hosts 200 MW. 2026: 100 000 g1.
    2027: 100 000 more units. Buying them as g1 in 2026 costs, per year, 2026: chips 230 974 798.13
    + 2 modules 10 102 396.95 + 120 MW gas 39 490 972.21 and 2027: 230 974 798.13 / 1.05, i.e.
    500 546 511.22 USD; as g2 in 2027: 100 000 x crf5 x 20 000 / 1.05 = 439 952 091.67 USD: g2.
    2026 annual = 280 633 218.72; 2027 annual = site + 4 modules + 100 000 g1 + 100 000 g2
    + 240 x 329 091.44 = 792 176 184.13. Objective = 280 633 218.72 + 792 176 184.13 / 1.05
    = 1 035 086 727.41 USD.
    """
    chips = [chip(last_year=2026), chip(generation="g2", price_usd=20_000.0)]
    inst = make_instance(sites=[site(max_it_mw=200.0)], chips=chips, years=[2026, 2027], targets={2026: 0.1, 2027: 0.2})
    res = solve_exact(inst)
    gas_mw = GAS_FIXED + HOURS * GAS_MWH
    first = base_annual() + 120.0 * gas_mw
    second = SITE_ANN + 4 * MODULE_ANN + UNITS_100MW * (CHIP_ANN + crf(R, 5) * 20_000.0) + 240.0 * gas_mw
    check(res, first + second / 1.05)
    assert first + second / 1.05 == pytest.approx(1_035_086_727.41, abs=0.01)
    assert installed(res, "g1", 2026) == pytest.approx(UNITS_100MW)
    assert installed(res, "g2", 2026) == pytest.approx(0.0, abs=1e-4)
    assert installed(res, "g2", 2027) == pytest.approx(UNITS_100MW)


def test_site_profile_overrides_zone_profile():
    """A site-level profile replaces the zone's: solar is 0 in the zone but 1 all day at site a.

    Solar: 500 USD/kW, no FOM, no fuel: crf30 x 5e5 = 32 525.72 USD/MW-yr, far below gas.
    With the site's profile (1 all day) all 120 MW are solar; with the zone's (0) it would be gas.
    Objective = base 241 142 246.51 + 120 x 32 525.72 = 245 045 332.61 USD.
    """
    profiles = [daily_profile([0.0] * 24, "solar"), daily_profile([1.0] * 24, "solar", site="a")]
    inst = make_instance(techs=[gas(), generator("solar", 500.0, profile="solar")], profiles=profiles)
    res = solve_exact(inst)
    check(res, base_annual() + 120.0 * crf(R, 30) * 5e5)
    assert cap(res, "solar", 2026) == pytest.approx(120.0)
    assert cap(res, "gas", 2026) == pytest.approx(0.0, abs=1e-4)


def test_public_solve_stays_callable():
    """``siting.solve`` stays the function whatever submodules are imported.

    Importing a submodule binds it as an attribute of its package, so a submodule called ``solve``
    would replace the function ``siting.solve``, and ``siting.solve(inst)`` would raise
    ``TypeError: 'module' object is not callable``. Every submodule of siting (but ``__main__``) is
    imported, first in a fresh interpreter (where none is loaded yet), then here.
    """
    walk = ("import importlib, pkgutil, siting\n"
            "names = [m.name for m in pkgutil.walk_packages(siting.__path__, 'siting.')\n"
            "         if not m.name.endswith('.__main__')]\n"
            "for name in names:\n"
            "    importlib.import_module(name)\n"
            "print(len(names), sorted(n for n in siting.__all__ if not callable(getattr(siting, n))))\n")
    p = subprocess.run([sys.executable, "-c", walk], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    count, not_callable = p.stdout.split(maxsplit=1)
    assert int(count) > 10 and not_callable.strip() == "[]", p.stdout
    names = [mod.name for mod in pkgutil.walk_packages(siting.__path__, "siting.")
             if not mod.name.endswith(".__main__")]
    assert "siting.solver" in names and "siting.solving" in names and "siting.model.objective" in names
    for name in names:
        importlib.import_module(name)
    assert callable(siting.solve)
    inst = make_instance()
    first = siting.solve(inst)
    second = siting.solve(inst)
    assert first.objective == pytest.approx(second.objective, rel=REL)
    assert math.isfinite(first.objective)
