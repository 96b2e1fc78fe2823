"""Water, spur lines, fiber and latency: known answers derived by hand, validation, and the model unchanged
without the new inputs.

The instances are the toy-sized ones of tests/builders.py: one zone ``z``, sites of 100 MW of IT (two
50 MW modules) at PUE 1.2, a gas generator (1000 USD/kW, 10 USD/kW-yr, 2 + 27 = 29 USD/MWh), one chip
generation, a 0.1 GW target in 2026, a 5 % discount rate and one representative day. One planning year
stands for one calendar year, so the objective is one year of cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import pytest
from builders import crf, make_instance, site, solve_exact, zone

import siting
from siting.attributes import FIBER_KM_PER_MS, great_circle_km, rtt_ms, spur_line
from siting.model import build_model

REL = 1e-6
IT_MWH = 100.0 * 8760.0                                  # IT energy of a full 100 MW site, MWh/yr
GAS_MW_YR = crf(0.05, 30.0) * 1e6 + 10_000.0             # gas capacity, USD per MW-yr
GAS_MWH = 2.0 + 27.0                                     # gas VOM + fuel, USD/MWh
EVAPORATIVE = {"option": "evaporative", "water_l_per_kwh": 1.8, "pue_adder": 0.0, "capex_usd_per_kw": 0.0}
DRY = {"option": "dry", "water_l_per_kwh": 0.0, "pue_adder": 0.1, "capex_usd_per_kw": 0.0}


def _with(inst, **tables):
    return inst.replace(**tables)


# -- water ---------------------------------------------------------------------------------------------------

def _cooling_case(price: float):
    base = make_instance()
    inst = _with(base, zones=[{**zone(), "water_price_usd_per_m3": price}], cooling=[EVAPORATIVE, DRY])
    return base, inst


def test_cooling_choice_flips_with_the_water_price():
    """Known answer. Evaporative cooling uses 1.8 L/kWh of IT energy: 1.8 m3/MWh x 876,000 MWh = 1,576,800 m3 a
    year, and no extra power. Dry cooling uses no water but adds 0.1 to the PUE in every hour: 10 MW more
    facility load, carried by gas at crf(5 %, 30) x 1e6 + 10,000 = 75,051.44 USD per MW-yr plus 29 USD/MWh x
    87,600 MWh: 750,514.43 + 2,540,400 = 3,290,914.43 USD a year. The choice flips at 3,290,914.43 / 1,576,800
    = 2.087 USD/m3: at 1.5 USD/m3 the site cools by evaporation and pays 2,365,200 USD of water; at 3 USD/m3 it
    cools dry and pays 3,290,914.43 USD of gas."""
    dry_usd = 10.0 * GAS_MW_YR + 10.0 * 8760.0 * GAS_MWH
    water_m3 = 1.8 * IT_MWH
    assert dry_usd / water_m3 == pytest.approx(2.087, abs=1e-3)
    base, cheap = _cooling_case(1.5)
    ref = solve_exact(base).objective
    res = solve_exact(cheap)
    w = res.water.set_index("site")
    assert w.loc["a", "cooling"] == "evaporative"
    assert w.loc["a", "water_m3"] == pytest.approx(water_m3, rel=REL)
    assert res.objective - ref == pytest.approx(1.5 * water_m3, rel=REL)
    _, dear = _cooling_case(3.0)
    res = solve_exact(dear)
    w = res.water.set_index("site")
    assert w.loc["a", "cooling"] == "dry" and w.loc["a", "water_m3"] == pytest.approx(0.0, abs=1e-6)
    assert res.objective - ref == pytest.approx(dry_usd, rel=REL)
    cap = res.capacity
    assert cap.loc[cap.tech == "gas", "capacity_mw"].sum() == pytest.approx(130.0, rel=REL)
    assert res.costs.cost_usd_discounted.sum() == pytest.approx(res.objective, rel=1e-9)


def test_water_limit_and_stress_force_dry_cooling():
    """A site water limit below 1,576,800 m3 (or water_stress above [water] max_stress, limit 0) rules out
    evaporative cooling even when water is free: the site cools dry and pays the 3,290,914.43 USD of gas."""
    base = make_instance()
    ref = solve_exact(base).objective
    dry_usd = 10.0 * GAS_MW_YR + 10.0 * 8760.0 * GAS_MWH
    for sites, scenario in (([{**site(), "water_limit_m3_per_yr": 1e6}], None),
                            ([{**site(), "water_stress": 4.2}], {**base.scenario, "water": {"max_stress": 4.0}})):
        inst = base.replace(scenario=scenario, sites=sites, cooling=[EVAPORATIVE, DRY])
        res = solve_exact(inst)
        assert res.water.cooling.iloc[0] == "dry"
        assert res.objective - ref == pytest.approx(dry_usd, rel=REL)
    # the stress as a cost: 0.5 USD/m3 per point x 4.2 = 2.1 USD/m3 > 2.087: dry again
    inst = base.replace(scenario={**base.scenario, "water": {"stress_usd_per_m3": 0.5}},
                        sites=[{**site(), "water_stress": 4.2}], cooling=[EVAPORATIVE, DRY])
    res = solve_exact(inst)
    assert res.water.cooling.iloc[0] == "dry"
    assert res.water.water_price_usd_per_m3.iloc[0] == pytest.approx(2.1)


def test_cooling_capex_and_hot_hour_profile():
    """Dry cooling with a PUE adder of 0.4 in 6 hot hours of the day only (profile 1 there, 0 elsewhere) and
    evaporative cooling that costs 100 USD/kW more: 0.4 x 100 MW = 40 MW more load in 6 h of each day, so
    40 MW more gas (3,002,057.7 USD/yr) and 40 x 2,190 h x 29 = 2,540,400 USD of fuel: 5,542,457.7 USD a
    year; evaporative pays crf(5 %, 14) x 100,000 USD/MW x 100 MW = 1,010,239.9 USD a year plus 1,576,800 m3
    of water at 1 USD/m3. Evaporative is cheaper (2,587,039.9 USD); the capex table holds 10 M USD of cooling."""
    from builders import daily_profile

    base = make_instance()
    ref = solve_exact(base).objective
    hot = [0.0] * 12 + [1.0] * 6 + [0.0] * 6
    dry = {**DRY, "pue_adder": 0.4, "pue_profile": "hot"}
    evap = {**EVAPORATIVE, "capex_usd_per_kw": 100.0}
    inst = base.replace(zones=[{**zone(), "water_price_usd_per_m3": 1.0}], cooling=[evap, dry],
                        profiles=daily_profile(hot, "hot"))
    res = solve_exact(inst)
    evap_usd = crf(0.05, 14.0) * 100.0 * 1000.0 * 100.0 + 1.8 * IT_MWH
    dry_usd = 40.0 * GAS_MW_YR + 40.0 * 2190.0 * GAS_MWH
    assert evap_usd < dry_usd
    assert res.water.cooling.iloc[0] == "evaporative"
    assert res.objective - ref == pytest.approx(evap_usd, rel=REL)
    cx = res.capex
    assert cx.loc[cx.component == "cooling", "overnight_usd"].sum() == pytest.approx(10e6, rel=REL)
    # forced dry (the site lists only dry): the hot-hour load shows in the dispatch as series cooling_dry
    inst = inst.replace(sites=[{**site(), "cooling": "dry"}])
    res = solve_exact(inst)
    assert res.objective - ref == pytest.approx(dry_usd, rel=REL)
    d = res.dispatch
    extra = d.loc[d.tech == "cooling_dry"].power_mw
    assert extra.min() == pytest.approx(-40.0, rel=REL) and (extra > -1e-9).sum() == 18


# -- spur line and fiber -------------------------------------------------------------------------------------

SCALE_2014_TO_2025 = 321.943 / 236.736     # CPI-U annual averages (BLS)


def _spur_usd(km: float) -> float:
    """230 kV single circuit (420 MW carries 120 MW): 959,700 USD/mile (2014) x CPI x 1.3 km of route per km."""
    return 959_700.0 * SCALE_2014_TO_2025 * 1.3 * km / 1.609344


def _spur_case(km: float | None):
    grid = dict(grid_mw=120.0, grid_year=2026)
    a = {**site(site="a", site_capex_usd=1e6, **grid), "substation_km": km}
    b = site(site="b", lat=31.0, site_capex_usd=41e6, **grid)
    return make_instance(sites=[a, b])


def _opened(res) -> set:
    s = res.sites
    return set(s.loc[s.open > 0, "site"])


def test_spur_line_distance_makes_the_second_site_cheaper():
    """Known answer. Sites a and b are alike but for their site capital: 1 M USD at a, 41 M USD at b, and a's
    substation lies km away (b sits at its substation). a's 120 MW connection needs a 230 kV single circuit
    (rated 420 MW, the cheapest class; Black & Veatch 2014: 959,700 USD/mile in 2014 dollars, x 321.943 /
    236.736 to 2025 dollars) over 1.3 km of route per km: 1,054,254 USD per km of distance. a stays cheaper
    while that is below the 40 M USD difference: up to 37.94 km. At 30 km a opens and the objective rises by
    crf(5 %, 30) x 31.6 M USD; at 45 km b opens."""
    per_km = _spur_usd(1.0)
    assert per_km == pytest.approx(1_054_254, rel=1e-5)
    assert 40e6 / per_km == pytest.approx(37.94, abs=0.01)
    line = spur_line(30.0, 120.0, dollar_year=2025)
    assert (line.kv, line.circuits, line.lines) == (230, 1, 1) and line.usd == pytest.approx(_spur_usd(30.0))
    ref = solve_exact(_spur_case(None))
    assert _opened(ref) == {"a"}
    near = solve_exact(_spur_case(30.0))
    assert _opened(near) == {"a"}
    assert near.objective - ref.objective == pytest.approx(crf(0.05, 30.0) * _spur_usd(30.0), rel=REL)
    c = near.connection.set_index("site")
    assert c.loc["a", "spur_kv"] == 230 and c.loc["a", "spur_usd"] == pytest.approx(_spur_usd(30.0), rel=1e-9)
    far = solve_exact(_spur_case(45.0))
    assert _opened(far) == {"b"}
    assert far.objective - ref.objective == pytest.approx(crf(0.05, 30.0) * 40e6, rel=REL)


def test_spur_line_class_and_lead_time():
    """The import sets the voltage: 1,000 MW needs 345 kV (rated 1,200 MW: 1,343,800 USD/mile beats two 230 kV
    double circuits); 3,000 MW a 500 kV double circuit. Short lines cost more per mile (x 1.5 under 3 miles).
    A lead time of 2 years per 100 km of route puts a 30 km spur (39 km of route) in service one year after
    the first planning year: no grid import in 2026."""
    assert spur_line(50.0, 1000.0).kv == 345 and spur_line(50.0, 3000.0).circuits == 2
    big = spur_line(50.0, 6000.0)  # three 500 kV single circuits (5.76 M USD/mile) beat two double ones (6.14 M)
    assert spur_line(50.0, 3000.0).kv == 500 and (big.kv, big.circuits, big.lines) == (500, 1, 3)
    assert spur_line(1.0, 100.0).usd == pytest.approx(1.5 * 959_700.0 * 1.3 / 1.609344)
    inst = _spur_case(30.0)
    inst = inst.replace(scenario={**inst.scenario, "years": [2026, 2027],
                                  "connection": {"spur_years_per_100km": 2.0}}, targets=[
        {"year": 2026, "it_gw": 0.1}, {"year": 2027, "it_gw": 0.1}])
    m = build_model(inst)
    assert ("a", 2026) not in set(m.GRID_SITE_YEARS) and ("a", 2027) in set(m.GRID_SITE_YEARS)
    assert ("b", 2026) in set(m.GRID_SITE_YEARS)


def test_fiber_route_cost():
    """fiber_km 10 at 50,000 USD/km and route factor 1.3: 650,000 USD when the site opens, annualised by
    crf(5 %, 30)."""
    base = make_instance()
    ref = solve_exact(base).objective
    inst = base.replace(scenario={**base.scenario, "connection": {"fiber_usd_per_km": 50_000.0}},
                        sites=[{**site(), "fiber_km": 10.0}])
    res = solve_exact(inst)
    assert res.objective - ref == pytest.approx(crf(0.05, 30.0) * 650_000.0, rel=REL)
    assert res.connection.fiber_usd.iloc[0] == pytest.approx(650_000.0)
    cx = res.capex
    assert cx.loc[cx.component == "fiber", "overnight_usd"].sum() == pytest.approx(650_000.0)


# -- latency -------------------------------------------------------------------------------------------------

DALLAS = {"metro": "dallas", "lat": 32.7767, "lon": -96.7970}


def _latency_case(metros=None, budget=None):
    near = site(site="near", lat=32.90, lon=-97.00, site_capex_usd=3e6)
    far = site(site="far", lat=31.85, lon=-102.37, site_capex_usd=1e6)
    inst = make_instance(sites=[far, near])
    if metros is None:
        return inst
    sc = {**inst.scenario, "latency": {"budget_ms": budget}} if budget is not None else None
    return inst.replace(scenario=sc, metros=metros)


def test_latency_budget_forces_a_costlier_site():
    """Known answer. A Dallas metro needs 50 MW of inference within 5 ms round trip. The far site (Odessa, 533.7 km
    away: 2 x 2.1 x 533.7 / 204.19 = 10.98 ms) costs 1 M USD to open, the near one (23.4 km: 0.48 ms) 3 M USD; both
    hold the whole 100 MW. Without the metro the far site opens; with it the cheapest plan puts all 100 MW at
    the near site (cheaper than opening both): the objective rises by crf(5 %, 30) x 2 M USD = 130,102.86
    USD. A 15 ms budget reaches both sites and changes nothing; it_share 0.5 asks the same 50 MW."""
    ref = solve_exact(_latency_case())
    assert _opened(ref) == {"far"}
    far_ms = float(rtt_ms(great_circle_km(DALLAS["lat"], DALLAS["lon"], 31.85, -102.37)))
    near_ms = float(rtt_ms(great_circle_km(DALLAS["lat"], DALLAS["lon"], 32.90, -97.00)))
    assert far_ms == pytest.approx(2 * 2.1 * 533.69 / FIBER_KM_PER_MS, rel=1e-5) and near_ms < 0.5
    res = solve_exact(_latency_case([{**DALLAS, "inference_mw": 50.0}], budget=5.0))
    assert _opened(res) == {"near"}
    assert res.objective - ref.objective == pytest.approx(crf(0.05, 30.0) * 2e6, rel=REL)
    mt = res.metros.iloc[0]
    assert mt.inference_it_mw == pytest.approx(50.0) and mt.served_it_mw == pytest.approx(50.0, rel=REL)
    assert mt.max_latency_ms == pytest.approx(near_ms) and mt.budget_ms == 5.0
    assert set(res.latency.site) == {"near"}
    loose = solve_exact(_latency_case([{**DALLAS, "inference_mw": 50.0, "budget_ms": 15.0}], budget=5.0))
    assert loose.objective == pytest.approx(ref.objective, rel=1e-9)
    share = solve_exact(_latency_case([{**DALLAS, "it_share": 0.5}], budget=5.0))
    assert share.objective == pytest.approx(res.objective, rel=1e-9)


def test_latency_under_benders_gives_the_same_plan():
    """The assignment variables are of the investment stage: the decomposition reaches the same objective."""
    inst = _latency_case([{**DALLAS, "inference_mw": 50.0}], budget=5.0)
    mono = solve_exact(inst)
    dec = siting.solve(inst, mip_gap=1e-9, method="benders")
    assert dec.objective == pytest.approx(mono.objective, rel=1e-6)
    m = build_model(inst)
    for name in ("Serve", "Metro_Demand", "Site_Serve_Limit"):
        assert m.ledger.stages[name] == "investment"


# -- without the new inputs nothing changes; every component is documented -----------------------------------

def test_neutral_inputs_leave_the_model_unchanged():
    """Blank new columns, empty cooling.csv and metros.csv and empty [water]/[connection]/[latency] tables give
    the toy's LP exactly (same columns, rows, coefficients)."""
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    inst = siting.load_instance("toy")
    sites = pd.DataFrame(inst.sites).drop(columns="geometry").assign(
        cooling=None, water_price_usd_per_m3=None, water_limit_m3_per_yr=None, water_stress=None,
        substation_km=None, substation_kv=None, fiber_km=None)
    zones = inst.zones.assign(water_price_usd_per_m3=None, water_limit_m3_per_yr=None)
    neutral = inst.replace(scenario={**inst.scenario, "water": {}, "connection": {}, "latency": {}}, sites=sites,
                           zones=zones, cooling=pd.DataFrame(columns=["option", "water_l_per_kwh"]),
                           metros=pd.DataFrame(columns=["metro", "lat", "lon"]))
    ma, mb = build_model(inst), build_model(neutral)
    a = LinearStandardFormCompiler().write(ma, mixed_form=True)
    b = LinearStandardFormCompiler().write(mb, mixed_form=True)
    assert [v.name for v in a.columns] == [v.name for v in b.columns]
    assert np.array_equal(a.rhs, b.rhs) and np.array_equal(a.c.toarray(), b.c.toarray())
    assert (a.A != b.A).nnz == 0


def _everything_on():
    """Cooling with a profile, site and zone water limits, a spur line, fiber and two metros."""
    from builders import daily_profile

    a = {**site(site="a", grid_mw=120.0), "substation_km": 20.0, "water_limit_m3_per_yr": 1e7, "fiber_km": 5.0}
    b = {**site(site="b", lat=31.0), "cooling": "dry", "water_stress": 2.0}
    inst = make_instance(targets=0.15)
    sc = {**inst.scenario, "water": {"stress_usd_per_m3": 0.1, "max_stress": 3.0},
          "connection": {"fiber_usd_per_km": 1e4, "spur_years_per_100km": 1.0}, "latency": {"budget_ms": 5.0}}
    return inst.replace(scenario=sc, sites=[a, b], zones=[{**zone(), "water_limit_m3_per_yr": 1e8}],
                        profiles=daily_profile([0.0] * 12 + [1.0] * 12, "hot"),
                        cooling=[EVAPORATIVE, {**DRY, "pue_profile": "hot", "capex_usd_per_kw": 10.0}],
                        metros=[{"metro": "m1", "lat": 30.1, "lon": -100.0, "inference_mw": 20.0},
                                {"metro": "m2", "lat": 31.0, "lon": -100.1, "it_share": 0.1}])


def _documented() -> set[str]:
    """Names in the 'Site-attribute component' column of docs/formulation.md's tables."""
    import re
    from pathlib import Path

    split = re.compile(r"(?<!\\)\|")
    name = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)")
    names, col = set(), None
    text = (Path(__file__).resolve().parents[1] / "docs" / "formulation.md").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.startswith("|"):
            col = None
            continue
        cells = [c.strip() for c in split.split(line.strip())[1:-1]]
        if col is None:
            col = cells.index("Site-attribute component") if "Site-attribute component" in cells else -1
        elif 0 <= col < len(cells) and not set(cells[col]) <= set("-: "):
            names.update(name.findall(cells[col]))
    return names


def test_everything_on_solves_balances_and_is_documented():
    """All the site attributes at once: optimal, costs add up, dispatch closes, every Var and Constraint has a
    stage, and the components they add are exactly those of docs/formulation.md section 15."""
    inst = _everything_on()
    m = build_model(inst)
    kinds = (pyo.Constraint, pyo.Var, pyo.Expression, pyo.Set)
    toy = {c.local_name for c in build_model(siting.load_instance("toy")).component_objects(kinds)}
    added = {c.local_name for c in m.component_objects(kinds)} - toy
    added = {n for n in added if not n.endswith("_index")}
    documented = _documented()
    assert not sorted(added - documented), f"undocumented: {sorted(added - documented)}"
    assert not sorted(documented - added), f"documented but never built: {sorted(documented - added)}"
    names = {c.local_name for c in m.component_objects((pyo.Var, pyo.Constraint))}
    assert names <= set(m.ledger.stages)
    res = solve_exact(inst)
    assert res.status == "optimal"
    assert res.costs.cost_usd_discounted.sum() == pytest.approx(res.objective, rel=1e-9)
    net = res.dispatch.groupby(["site", "year", "slice"]).power_mw.sum()
    assert (net >= -1e-6).all()
    assert {"water", "connection", "latency", "metros"} <= set(res.tables)
    w = res.water.set_index("site")
    assert w.loc["b", "cooling"] == "dry" and w.loc["b", "water_price_usd_per_m3"] == pytest.approx(0.2)
    for name in ("water", "connection", "latency", "metros"):
        assert all(("_" in c or c in ("site", "year", "metro", "cooling", "opened")) for c in res.tables[name])


# -- validation ------------------------------------------------------------------------------------------------

def _errors(fn) -> str:
    with pytest.raises(siting.InstanceError) as e:
        fn()
    return "\n".join(e.value.problems)


def test_validation_names_file_column_and_row():
    base = make_instance()
    msg = _errors(lambda: base.replace(sites=[{**site(), "cooling": "evaporative; swamp"}],
                                       cooling=[EVAPORATIVE, EVAPORATIVE]))
    assert "sites.csv: column 'cooling', row 1 (site a): unknown cooling option 'swamp'" in msg
    assert "cooling.csv: column 'option', row 2: duplicate id 'evaporative'" in msg
    msg = _errors(lambda: base.replace(sites=[{**site(), "cooling": "dry", "water_limit_m3_per_yr": 5.0}]))
    assert "column 'cooling', row 1 (site a): names cooling options but there is no cooling.csv" in msg
    assert "column 'water_limit_m3_per_yr', row 1 (site a): a water limit needs cooling.csv" in msg
    msg = _errors(lambda: base.replace(cooling=[{**DRY, "pue_profile": "hot", "water_l_per_kwh": -1}]))
    assert "cooling.csv: column 'water_l_per_kwh', row 1 (option dry): value -1 is negative" in msg
    assert "cooling.csv: column 'pue_profile', row 1 (option dry): profile 'hot' is not in profiles.csv" in msg
    msg = _errors(lambda: base.replace(sites=[{**site(), "substation_km": 5.0, "fiber_km": 1.0}]))
    assert "sites.csv: column 'substation_km', row 1 (site a): the site has no grid connection" in msg
    assert "sites.csv: column 'fiber_km', row 1 (site a): needs scenario.toml [connection] fiber_usd_per_km" in msg
    msg = _errors(lambda: base.replace(sites=[{**site(grid_mw=1000.0), "substation_km": 5.0, "substation_kv": 230}]))
    assert "column 'substation_kv', row 1 (site a): 230 kV is below the 345 kV line" in msg
    msg = _errors(lambda: base.replace(scenario={**base.scenario, "latency": {"route_factor": 0.5}}, metros=[
        {"metro": "x", "lat": 30.0, "lon": -100.0, "inference_mw": 1.0, "it_share": 0.1},
        {"metro": "x", "lat": 31.0, "lon": -100.0, "year": 2031},
        {"metro": "far", "lat": 45.0, "lon": -70.0, "inference_mw": 1.0, "budget_ms": 2.0}]))
    for part in ("metros.csv: row 1 (metro x): give exactly one of inference_mw and it_share",
                 "metros.csv: column 'budget_ms', row 1 (metro x): no budget",
                 "metros.csv: column 'year', row 2 (metro x): year 2031 is not one of scenario.toml years",
                 "metros.csv: column 'lat', row 2 (metro x): coordinates differ",
                 "metros.csv: metro far: no candidate site within its 2 ms budget (nearest: a at",
                 "[latency] 'route_factor' must be >= 1"):
        assert part in msg, (part, msg)


def test_cooling_and_metros_read_from_the_folder(tmp_path):
    import shutil

    folder = tmp_path / "toy"
    shutil.copytree(siting.instance.bundled_root() / "toy", folder)
    (folder / "cooling.csv").write_text("option,water_l_per_kwh,pue_adder\nevaporative,1.8,\ndry,0,0.1\n")
    (folder / "metros.csv").write_text("metro,lat,lon,year,it_share,budget_ms\ndallas,32.78,-96.80,,0.2,50\n")
    inst = siting.load_instance(folder)
    assert list(inst.cooling.option) == ["evaporative", "dry"] and inst.cooling.pue_adder.tolist() == [0.0, 0.1]
    assert inst.metros.it_share.tolist() == [0.2] and len(inst.validated().metros) == 1
    (folder / "metros.csv").write_text("metro,lat,lon,it_share\ndallas,132.78,-96.80,0.2\n")
    assert "metros.csv: column 'lat', row 1: value 132.78 is above 90" in _errors(
        lambda: siting.load_instance(folder))


def test_builder_writes_substation_distances_for_the_model(tmp_path):
    """InstanceBuilder.add_substations(spur_line=True): the nearest substation at or above 230 kV gives each site
    its substation_km and substation_kv (the geodesic distance of reports/substations.csv); site_capex_usd
    stays the land, and the model prices each spur line by voltage class."""
    from pathlib import Path

    from siting.attributes import spur_lines
    from siting.data import DEFAULT_CHIPS, InstanceBuilder

    s = Path(__file__).parent / "data" / "samples"
    b = InstanceBuilder(s / "sites_sample.geojson", s / "zones_sample.geojson", name="spur", profile_year=2019,
                        utc_offset=-6).set_chips(DEFAULT_CHIPS)
    b.add_atb(s / "ATBe_2024_sample.csv", year=2026, techs={"gas_ct": {"unit_mw": 50}})
    b.add_substations(s / "substations_sample.geojson", min_kv=230, spur_line=True)
    b.set_targets({2026: 0.1})
    inst = b.build()
    sites = inst.sites.set_index("site")
    sub = b.reports["substations"].set_index("site")
    np.testing.assert_allclose(sites["substation_km"], sub["distance_km"])
    assert (sites["substation_kv"] >= 230).all()
    np.testing.assert_allclose(sites["site_capex_usd"], 0.8 * 244_000 * sites["max_it_mw"], rtol=0.2)
    lines = spur_lines(inst)
    assert set(lines) == set(sites.index[sites["grid_mw"] > 0])
    assert all(sp.kv == 230 and sp.usd > 0 for sp in lines.values())
    m = build_model(inst)
    assert "spur_line" in m.ledger.costs and "spur_line" in m.ledger.capex
