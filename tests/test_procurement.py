"""Procurement as it is priced and limited: known answers derived by hand.

Common ground (tests/builders.py defaults): one site ``a`` in zone ``z``, 100 MW of IT at PUE
1.2, so 120 MW of facility load in every hour of 2026; discount rate 5 %, one planning year
(discount factor 1). Gas: crf(5 %, 30) x 1,000,000 + 10,000 = 75,051.44 USD per MW-yr fixed,
2 + 27 = 29 USD/MWh variable: 329,091.44 USD per MW-yr run flat (8,760 h).
"""

from __future__ import annotations

import pandas as pd
import pytest
from builders import HOURS, crf, daily_profile, gas, generator, make_instance, site, solve_exact, storage, zone

import siting

REL = 1e-6
GAS_FIXED = crf(0.05, 30.0) * 1e6 + 10_000.0          # USD per MW-yr
GAS_FLAT = GAS_FIXED + 29.0 * HOURS                     # 329,091.44
LOAD_MW = 120.0


def with_(inst, scenario: dict | None = None, **tables) -> siting.Instance:
    """``inst`` with scenario.toml keys and tables replaced (rows as dicts or DataFrames), validated."""
    sc = {**inst.scenario, **(scenario or {})}
    frames = {t: getattr(inst, t) for t in ("targets", "sites", "zones", "techs", "chips", "profiles")}
    frames["sites"] = pd.DataFrame(frames["sites"]).drop(columns="geometry")
    opt = {t: getattr(inst, t) for t in ("supply", "fuels", "chip_supply")}
    for k, v in tables.items():
        (frames if k in frames else opt)[k] = pd.DataFrame(v)
    return siting.Instance.from_frames(sc, name=inst.name, **frames, **opt)


def cap(res, tech, site_=None) -> float:
    c = res.capacity
    c = c[c.tech == tech] if site_ is None else c[(c.tech == tech) & (c.site == site_)]
    return float(c.capacity_mw.sum())


def check_costs(res):
    assert res.costs.cost_usd_discounted.sum() == pytest.approx(res.objective, rel=1e-9)


# -- 1. grid tariff: demand charge ---------------------------------------------------------------------
def _grid_or_gas(charge: float | None):
    z = zone(grid_price_usd_per_mwh=30.0)
    if charge is not None:
        z.update(demand_charge_usd_per_kw_yr=charge)
    return make_instance(sites=[site(grid_mw=200.0)], zones=[z], techs=[gas()])


@pytest.mark.parametrize("charge, winner", [(60.0, "grid"), (70.0, "gas")])
def test_demand_charge_flips_grid_to_gas_at_the_hand_computed_price(charge, winner):
    """Grid energy at 30 USD/MWh costs 262,800 USD per MW-yr of flat load; gas 329,091.44. A demand
    charge of d USD/kW-yr on the peak import adds 1,000 d per MW: the grid stays cheaper while
    262,800 + 1,000 d < 329,091.44, that is d < 66.29 USD/kW-yr. At 60 the grid carries the load
    (cost + 120 MW x 60,000 = 7.2 M USD, component grid_demand); at 70 gas does."""
    base = solve_exact(_grid_or_gas(None))
    res = solve_exact(_grid_or_gas(charge))
    check_costs(res)
    if winner == "grid":
        assert cap(res, "gas") == pytest.approx(0.0, abs=1e-6)
        dem = res.costs.loc[res.costs.component == "grid_demand", "cost_usd"].sum()
        assert dem == pytest.approx(LOAD_MW * charge * 1000.0, rel=REL)
        assert res.objective - base.objective == pytest.approx(LOAD_MW * charge * 1000.0, rel=REL)
    else:
        assert cap(res, "gas") == pytest.approx(LOAD_MW, rel=REL)
        assert res.objective - base.objective == pytest.approx(LOAD_MW * (GAS_FLAT - 30.0 * HOURS), rel=REL)


PEAK_HOUR = [0.0] * 17 + [1.0] + [0.0] * 6


def _coincident(charge: float, battery: bool):
    z = zone(grid_price_usd_per_mwh=30.0)
    z.update(demand_charge_usd_per_kw_yr=charge, demand_charge_basis="coincident")
    techs = [storage()] if battery else [gas(max_mw_per_site=0.0)]
    return make_instance(sites=[site(grid_mw=400.0)], zones=[z], techs=techs,
                         profiles=[daily_profile(PEAK_HOUR, "coincident_peak")])


@pytest.mark.parametrize("charge", [25.0, 40.0])
def test_coincident_peak_shaved_by_a_battery_pays_as_derived(charge):
    """Coincident peak: the charge applies to the import in hour 17 of each day only.

    A 4-hour battery (300 USD/kW, 15 years, round trip 0.81 split as 0.9 x 0.9) can shave it: to
    deliver 1 MWh at hour 17 it discharges 1/0.9 MWh of stored energy, charged with 1/0.81 =
    1.2346 MWh from the grid at other hours. Per MW shaved and year: crf(5 %, 15) x 300,000 =
    28,903.27 USD of capital + 0.2346 MWh x 365 days x 30 USD/MWh = 2,568.52 USD of losses =
    31,471.79 USD, against the charge of 1,000 d. At d = 40 the battery shaves all 120 MW (no
    coincident import, cost 120 x 31,471.79 above the energy-only plan); at d = 25 it does not
    pay (cost 120 x 25,000)."""
    no_batt = solve_exact(_coincident(charge, battery=False))
    res = solve_exact(_coincident(charge, battery=True))
    check_costs(res)
    energy_only = no_batt.objective - LOAD_MW * charge * 1000.0
    per_mw = crf(0.05, 15.0) * 300_000.0 + (1.0 / 0.81 - 1.0) * 365.0 * 30.0
    if 1000.0 * charge > per_mw:
        assert cap(res, "battery") == pytest.approx(LOAD_MW, rel=REL)
        assert res.objective - energy_only == pytest.approx(LOAD_MW * per_mw, rel=REL)
        d = res.dispatch
        imp = d[(d.tech == "grid_import") & (d.slice == 17)].power_mw.sum()
        assert imp == pytest.approx(0.0, abs=1e-6)
    else:
        assert cap(res, "battery") == pytest.approx(0.0, abs=1e-6)
        assert res.objective == pytest.approx(no_batt.objective, rel=REL)


# -- 2. fuel prices per zone and year -------------------------------------------------------------------
def _two_zones(fuels):
    g = gas(fuel_usd_per_mmbtu=4.0)
    g["fuel"] = "gas"
    inst = make_instance(sites=[site(site="a", zone="z1"), site(site="b", zone="z2")],
                         zones=[zone(zone="z1"), zone(zone="z2")], techs=[g])
    return with_(inst, fuels=fuels) if fuels else inst


def test_zone_fuel_price_moves_gas_from_one_zone_to_another():
    """fuels.csv gives z1 3.0 USD/MMBtu in 2025 and 8.0 in 2030: 2026 interpolates to 4.0, the techs.csv
    price; z2 pays 5.0 (a blank-zone row, for every zone without its own). The plan builds at a in z1,
    at the cost of the plan without fuels.csv. With z2 at 3.5 (its own row) the plan moves to b and
    saves 120 MW x 8,760 h x 9 MMBtu/MWh x 0.5 USD/MMBtu = 4,730,400 USD."""
    rows = [{"fuel": "gas", "zone": "z1", "year": 2025, "usd_per_mmbtu": 3.0},
            {"fuel": "gas", "zone": "z1", "year": 2030, "usd_per_mmbtu": 8.0},
            {"fuel": "gas", "zone": None, "year": 2026, "usd_per_mmbtu": 5.0}]
    plain = solve_exact(_two_zones(None))
    res = solve_exact(_two_zones(rows))
    assert cap(res, "gas", "a") == pytest.approx(LOAD_MW, rel=REL) and cap(res, "gas", "b") == 0.0
    assert res.objective == pytest.approx(plain.objective, rel=1e-9)
    moved = solve_exact(_two_zones(rows + [{"fuel": "gas", "zone": "z2", "year": 2026, "usd_per_mmbtu": 3.5}]))
    check_costs(moved)
    assert cap(moved, "gas", "b") == pytest.approx(LOAD_MW, rel=REL) and cap(moved, "gas", "a") == 0.0
    assert plain.objective - moved.objective == pytest.approx(LOAD_MW * HOURS * 9.0 * 0.5, rel=REL)


# -- 3. supply caps shared by a group -------------------------------------------------------------------
def test_group_cap_binds_across_two_turbine_techs():
    """Two heavy-duty turbines share the group ``hd_turbine`` (supply.csv: 100 MW in 2026); an engine is
    dearer (capex 1,500 USD/kW). Each turbine alone is under the cap, but together they may deliver only
    100 MW: the plan builds 100 MW of the cheaper turbine (cc, 900 USD/kW) and 20 MW of engines.
    The objective exceeds the uncapped plan (120 MW of cc) by 20 MW x crf(5 %, 30) x 600,000 USD/MW."""
    cc = gas(tech="cc", capex_usd_per_kw=900.0)
    ct = gas(tech="ct", capex_usd_per_kw=950.0)
    eng = gas(tech="engine", capex_usd_per_kw=1500.0)
    for t in (cc, ct):
        t["supply_group"] = "hd_turbine"
    inst = make_instance(techs=[cc, ct, eng])
    free = solve_exact(inst)
    assert cap(free, "cc") == pytest.approx(LOAD_MW, rel=REL)
    capped = solve_exact(with_(inst, supply=[{"tech": "hd_turbine", "year": 2026, "max_new_mw": 100.0,
                                              "region": None}]))
    check_costs(capped)
    assert cap(capped, "cc") + cap(capped, "ct") == pytest.approx(100.0, rel=REL)
    assert cap(capped, "cc") == pytest.approx(100.0, rel=REL)
    assert cap(capped, "engine") == pytest.approx(20.0, rel=REL)
    assert capped.objective - free.objective == pytest.approx(20.0 * crf(0.05, 30.0) * 600_000.0, rel=REL)


def test_chip_supply_per_calendar_year_replaces_the_yearly_figure():
    """chips.csv allows 1e6 units a year; chip_supply.csv caps 2026 at 60,000 units (60 MW at 1,000 W).
    The 100 MW target of 2026 then needs a second generation g2 (uncapped, dearer): 40,000 units of it."""
    from builders import chip

    inst = make_instance(chips=[chip(max_units_per_year=1e6), chip(generation="g2", price_usd=20_000.0)])
    res = solve_exact(with_(inst, chip_supply=[{"generation": "g1", "year": 2026, "max_units": 60_000.0}]))
    c = res.chips
    assert c.loc[c.generation == "g1", "units_installed"].sum() == pytest.approx(60_000.0, rel=REL)
    assert c.loc[c.generation == "g2", "units_installed"].sum() == pytest.approx(40_000.0, rel=REL)


# -- 4. capital budget and capex ----------------------------------------------------------------------
def test_capex_table_and_summary_follow_the_hand_count():
    """Overnight capex of 2026 (one site, 100 MW): site 1 M + buildings 1,000 USD/kW x 100 MW = 100 M +
    gas 1,000 USD/kW x 120 MW = 120 M + 100,000 chips x 10,000 USD = 1,000 M: 1,221 M USD, and 12.21 B
    USD per GW of IT commissioned."""
    res = solve_exact(make_instance())
    cx = res.capex.groupby("component").overnight_usd.sum()
    assert cx.to_dict() == pytest.approx({"site": 1e6, "building": 1e8, "power": 1.2e8, "chips": 1e9}, rel=REL)
    s = res.summary.iloc[0]
    assert s.capex_usd == pytest.approx(1.221e9, rel=REL)
    assert s.it_gw_installed == pytest.approx(0.1, rel=REL)
    assert s.capex_usd_per_gw_it == pytest.approx(12.21e9, rel=REL)


def test_capital_budget_delays_a_site_by_one_year():
    """Soft targets of 100 MW in 2026 and 2027 (penalty 1e9 USD per MW short and year). Opening the site
    alone costs 1 M USD of overnight capex; a 2026 budget of 0.5 M allows none of it, so the site opens
    in 2027, a year late, and 2026 is 100 MW short.

    Without the budget the plan costs C in 2026 and the same C in 2027 (annualised costs of the same
    fleet): C x (1 + 1/1.05). Delayed, 2027 costs the same C (a fleet installed in 2027 is annualised
    alike) and 2026 costs the penalty 100 x 1e9: the objective rises by 1e11 - C."""
    inst = make_instance(targets={2026: 0.1, 2027: 0.1}, years=(2026, 2027))
    soft = {"targets": {"mode": "soft"}}
    free = solve_exact(with_(inst, scenario=soft))
    c = free.summary.set_index("year").cost_usd
    assert c[2026] == pytest.approx(c[2027], rel=1e-9)
    res = solve_exact(with_(inst, scenario={**soft, "budget": {"capex_usd_per_year": {"2026": 5e5}}}))
    check_costs(res)
    assert res.capex.loc[res.capex.year == 2026, "overnight_usd"].sum() == pytest.approx(0.0, abs=1e-3)
    s = res.sites.set_index("year")
    assert s.at[2026, "open"] == 0 and s.at[2027, "open"] == 1
    summ = res.summary.set_index("year")
    assert summ.at[2026, "shortfall_it_mw"] == pytest.approx(100.0, rel=REL)
    assert summ.at[2027, "it_gw"] == pytest.approx(0.1, rel=REL)
    assert res.objective - free.objective == pytest.approx(1e11 - c[2026], rel=REL)


# -- 5. zone permits ------------------------------------------------------------------------------------
@pytest.mark.parametrize("permit, gas_mw", [(0.0, 0.0), (60.0, 60.0)])
def test_permit_limit_forces_the_grid(permit, gas_mw):
    """Gas (329,091 USD per MW-yr) is cheaper than grid energy at 50 USD/MWh (438,000). A zone permit of
    ``permit`` MW of fossil capacity caps gas; the grid carries the rest of the 120 MW. The objective
    rises by (120 - permit) x (438,000 - 329,091.44) USD over the unlimited plan."""
    z = zone()
    inst = make_instance(sites=[site(grid_mw=200.0)], zones=[z])
    free = solve_exact(inst)
    assert cap(free, "gas") == pytest.approx(LOAD_MW, rel=REL)
    z2 = dict(z, max_new_fossil_mw=permit)
    res = solve_exact(with_(inst, zones=[z2]))
    check_costs(res)
    assert cap(res, "gas") == pytest.approx(gas_mw, abs=1e-6)
    assert res.objective - free.objective == pytest.approx((LOAD_MW - gas_mw) * (50.0 * HOURS - GAS_FLAT),
                                                           rel=REL)


# -- 6. marginal values against finite differences -------------------------------------------------------
INTEGER_VARS = ("Open", "Modules", "Units", "Flex")


def _fixed_lp_objective(inst, plan_model) -> float:
    """Objective of ``inst``'s LP with every integer variable fixed at its value in ``plan_model``."""
    from siting.model import build_model
    from siting.solving import solve_model

    m = build_model(inst)
    for name in INTEGER_VARS:
        if hasattr(m, name):
            src = getattr(plan_model, name)
            for k, v in getattr(m, name).items():
                v.fix(round(src[k].value))
    return solve_model(m, {"marginal_values": False}).objective


def _check_marginal(inst, moved, constraint: str, delta: float, year: int = 2026):
    """``marginal_usd`` of the binding row equals the objective change per unit of ``delta`` within 2 %."""
    from siting.model import build_model
    from siting.solving import solve_model

    m = build_model(inst)
    res = solve_model(m, {"mip_gap": 1e-9})
    b = res.binding
    row = b[(b.constraint == constraint) & (b.year == year)]
    assert len(row) == 1, b
    mv = float(row.marginal_usd.iloc[0])
    assert row.slack.iloc[0] == pytest.approx(0.0, abs=1e-6)
    base = _fixed_lp_objective(inst, m)
    assert base == pytest.approx(res.objective, rel=1e-9)
    fd = abs(_fixed_lp_objective(moved, m) - base) / delta
    assert mv == pytest.approx(fd, rel=0.02)
    return mv


def test_marginal_value_of_the_it_target():
    """One more MW of IT target costs, for the plan's site and modules, one more MW of chips, gas and fuel:
    chips crf(5 %, 5) x 10,000 USD x 1,000 units/MW = 2,309,748 USD, and 1.2 MW of gas at 329,091 =
    394,910: 2,704,658 USD (the module has room: 100 MW of modules, target moved to 99 and 99.5 MW)."""
    inst = make_instance(targets=0.099)
    mv = _check_marginal(inst, make_instance(targets=0.0995), "IT_Target", 0.5)
    assert mv == pytest.approx(crf(0.05, 5.0) * 1e7 + 1.2 * GAS_FLAT, rel=1e-6)


def test_marginal_value_of_a_headroom():
    """Zonal headroom 50 MW binds: grid at 30 USD/MWh (262,800 per MW-yr) beats gas (329,091), so each more
    MW of headroom saves 329,091.44 - 262,800 = 66,291.44 USD (per slice summed over the day)."""
    z = zone(grid_price_usd_per_mwh=30.0, headroom_mw=50.0)
    inst = make_instance(sites=[site(grid_mw=200.0)], zones=[z])
    moved = make_instance(sites=[site(grid_mw=200.0)], zones=[dict(z, headroom_mw=51.0)])
    mv = _check_marginal(inst, moved, "Zonal_Headroom", 1.0)
    assert mv == pytest.approx(GAS_FLAT - 30.0 * HOURS, rel=1e-6)


def test_marginal_value_of_a_supply_cap():
    """The gas supply cap of 100 MW binds (engines fill the other 20 MW at 1,500 USD/kW): one more MW of gas
    saves crf(5 %, 30) x 500,000 USD."""
    eng = gas(tech="engine", capex_usd_per_kw=1500.0)
    inst = make_instance(techs=[gas(), eng])
    cap_ = [{"tech": "gas", "year": 2026, "max_new_mw": 100.0, "region": None}]
    a = with_(inst, supply=cap_)
    b = with_(inst, supply=[dict(cap_[0], max_new_mw=101.0)])
    mv = _check_marginal(a, b, "Supply_Limit", 1.0)
    assert mv == pytest.approx(crf(0.05, 30.0) * 5e5, rel=1e-6)


def test_marginal_value_of_a_co2_cap():
    """Gas emits 0.5 t/MWh; a clean generator costs 400,000 USD per MW-yr (45.66 USD/MWh run flat) against
    gas's 329,091 (37.57 USD/MWh). A CO2 cap at half the gas-only emissions (262,800 t) binds: capacity
    is continuous, so one more tonne lets 2 MWh of gas, with its capacity, replace 2 MWh of clean output,
    saving 2 x (45.66 - 37.57) = 16.18 USD per tonne."""
    geo = generator("geo", 400_000.0 / (crf(0.05, 30.0) * 1000.0))
    inst = make_instance(techs=[gas(), geo], policy={"co2_cap_t": 262_800.0})
    moved = make_instance(techs=[gas(), geo], policy={"co2_cap_t": 263_800.0})
    mv = _check_marginal(inst, moved, "CO2_Cap", 1000.0)
    assert mv == pytest.approx(2.0 * (400_000.0 / HOURS - GAS_FLAT / HOURS), rel=1e-6)
