"""The hourly check: a plan's investments fixed, its operations run on all 8760 hours."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from builders import HOURS, daily_profile, gas, generator, make_instance, site, solve_exact, storage, zone

import siting
from siting.hourly import check_hourly

SUN = [0.0] * 6 + [1.0] * 12 + [0.0] * 6


def _solar_battery(profile: pd.DataFrame):
    """One site, 100 MW of IT at PUE 1.2 (120 MW); solar (1.0 from 06:00 to 18:00) and a 12-hour battery
    with a round trip of 1; no gas (max 0 MW)."""
    techs = [generator("solar", 500.0, profile="solar"), storage(storage_hours=12.0, roundtrip_efficiency=1.0),
             gas(max_mw_per_site=0.0)]
    return make_instance(techs=techs, profiles=[profile])


@pytest.mark.slow
def test_identical_days_give_the_plan_back():
    """Every day is the same, so the representative day is exact: the hourly check's operating cost equals
    the plan's for every site and year, and nothing is unserved."""
    inst = make_instance(techs=[gas(), generator("solar", 800.0, profile="solar")],
                         profiles=[daily_profile(SUN, "solar")], years=(2026, 2027), targets=0.1)
    res = solve_exact(inst)
    chk = check_hourly(inst, res)
    t = chk.table
    assert len(t) == 2 and chk.passed
    assert (t.unserved_mwh == 0).all() and (t.unserved_hours == 0).all()
    assert t.operating_cost_usd.to_numpy() == pytest.approx(t.plan_operating_cost_usd.to_numpy(), rel=1e-6)
    assert (t.plan_operating_cost_usd > 0).all()
    assert "every hour served" in chk.summary_line()


@pytest.mark.slow
def test_a_dark_week_leaves_the_energy_a_hand_count_gives_unserved():
    """The plan sees identical sunny days: 240 MW of solar (120 MW for the load and 120 MW to charge for
    the night) and a 120 MW, 12-hour battery with a round trip of 1. Every day the solar energy, 12 h x
    240 MW = 2,880 MWh, equals the day's load, 24 h x 120 MW, and nothing is spilled. Checked on a year
    with a week (days 100-106) of no sun at all, 7 x 2,880 = 20,160 MWh of solar is missing, and with
    no other source and a lossless battery (which can only move energy, not make it) exactly that much
    load goes unserved: 20,160 MWh. Each hour can lose at most the 120 MW load, so that takes at least
    168 hours (the battery shifts when, not how much: here the dark week's last 162 hours and the 6
    night hours after it, when the battery is empty)."""
    sunny = daily_profile(SUN, "solar")
    inst = _solar_battery(sunny)
    res = solve_exact(inst)
    cap = res.capacity.groupby("tech").capacity_mw.sum()
    assert cap["solar"] == pytest.approx(240.0, rel=1e-6) and cap["battery"] == pytest.approx(120.0, rel=1e-6)
    dark = sunny.copy()
    days = (dark.hour // 24).between(100, 106)
    dark.loc[days, "value"] = 0.0
    chk = check_hourly(_solar_battery(dark), res)
    t = chk.table.iloc[0]
    assert t.unserved_mwh == pytest.approx(7 * 12 * 240.0, rel=1e-6)
    assert t.unserved_hours >= 168
    assert not chk.passed and "UNSERVED" in chk.summary_line()
    # the plan's operating cost (no fuel, no grid) is 0, and so is the check's
    assert t.operating_cost_usd == pytest.approx(0.0, abs=1e-6)


def test_check_hourly_reads_results_back_from_a_folder(tmp_path):
    """The decisions table round-trips through to_folder / read_results, so a stored plan can be checked."""
    inst = make_instance(techs=[gas()], targets=0.1)
    res = solve_exact(inst)
    res.to_folder(tmp_path / "r")
    back = siting.read_results(tmp_path / "r")
    chk = check_hourly(inst, back)
    assert chk.passed
    assert chk.table.operating_cost_usd.iloc[0] == pytest.approx(120.0 * HOURS * 29.0, rel=1e-6)


def test_zone_headroom_hours_are_counted():
    """A zone headroom of 50 MW binds in every hour when the grid is cheaper than gas: 8,760 hours at it."""
    from builders import site, zone

    inst = make_instance(sites=[site(grid_mw=200.0)], zones=[zone(grid_price_usd_per_mwh=20.0, headroom_mw=50.0)])
    res = solve_exact(inst)
    chk = check_hourly(inst, res)
    z = chk.zones.iloc[0]
    assert z.peak_import_mw == pytest.approx(50.0) and z.hours_at_headroom == HOURS
    assert np.isclose(chk.table.operating_cost_usd.iloc[0], chk.table.plan_operating_cost_usd.iloc[0], rtol=1e-6)


@pytest.mark.slow
def test_cli_check_hourly_writes_its_tables(tmp_path):
    """`siting solve --check-hourly` prints the one-line verdict; `siting check-hourly` writes its CSVs."""
    import subprocess
    import sys

    out = tmp_path / "out"
    p = subprocess.run([sys.executable, "-m", "siting", "solve", "toy", "--out", str(out), "--check-hourly"],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    assert "hourly check 2026-2028: every hour served" in p.stdout
    assert (out / "hourly_check.csv").is_file()
    p = subprocess.run([sys.executable, "-m", "siting", "check-hourly", "toy", str(out), "--years", "2027"],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    t = pd.read_csv(out / "hourly_check.csv")
    assert set(t.year) == {2027} and (t.unserved_mwh == 0).all()
    p = subprocess.run([sys.executable, "-m", "siting", "check-hourly", "toy", str(tmp_path / "nope")],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 2 and "not a results folder" in p.stderr and "Traceback" not in p.stderr


@pytest.mark.slow
def test_the_check_serves_a_peak_hour_that_a_demand_charge_prices_above_50000():
    """Grid only (20 USD/MWh, a 60 USD/kW-yr demand charge on the year's peak import), 100 MW of IT at PUE
    1.2, and one hot hour (PUE x 1.5 at hour 5000: 180 MW) that the one typical day leaves out. In the
    check, serving that hour raises the peak import by 60 MW: 60 x 60,000 = 3.6 M USD. At 50,000 USD/MWh
    shedding the 60 MWh costs 3.0 M USD, so the check would report 60 MWh unserved; its default price
    (twice 1000 x 60 = 120,000 USD/MWh) serves it, as a planner would."""
    from siting.hourly import unserved_price

    pue = np.ones(HOURS)
    pue[5000] = 1.5
    prof = pd.DataFrame({"zone": "z", "hour": np.arange(HOURS), "value": pue, "profile": "pue"})
    inst = make_instance(techs=[gas(max_mw_per_site=0.0)], sites=[site(grid_mw=200.0)],
                         zones=[zone(grid_price_usd_per_mwh=20.0)], profiles=prof)
    inst = inst.replace(zones=inst.zones.assign(demand_charge_usd_per_kw_yr=60.0, demand_charge_basis="peak"))
    assert unserved_price(inst) == pytest.approx(120_000.0)
    res = solve_exact(inst)
    chk = check_hourly(inst, res)
    assert chk.passed, chk.table
    cheap = check_hourly(inst, res, unserved_usd_per_mwh=50_000.0)
    assert cheap.table.unserved_mwh.sum() == pytest.approx(60.0, rel=1e-6)
    assert cheap.table.unserved_hours.sum() == 1
