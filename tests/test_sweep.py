"""Scenario sweeps on Dask (siting.sweep).

Without a solver: parsing scenarios.toml (named scenarios, grids, seeded samples), applying
overrides (by id, by filter, settings) and errors that name the scenario.

With the solver, the toy swept over six scenarios:
1. on an embedded LocalCluster of 2 workers: every scenario keeps the invariants of a single
   solve, and its objective equals solving that scenario alone;
2. through the address of a separate ``dask scheduler`` and ``dask worker`` started here:
   the same objectives; failed scenarios are recorded and the sweep goes on;
3. ``siting sweep`` on the output folder of (1) with one scenario folder deleted solves only
   that scenario.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from daskcluster import dask_cluster

import siting
from siting.instance import Instance
from siting.solving import solve
from siting.sweep import Override, Scenario, apply_scenario, load_scenarios, parse_scenarios, sweep

TOY = Path(__file__).resolve().parents[1] / "instances" / "toy"
GAP = 1e-9  # solve every scenario to optimality, so that objectives compare at 1e-6

#: six scenarios: three named, a grid of two, one seeded sample
SIX_TOML = """\
[scenario.base]
description = "the toy as it is"

[scenario.carbon_100]
"policy.carbon_price_usd_per_t" = 100

[scenario.delay]
description = "midland's grid a year later, Rubin 20 % dearer"
"sites[midland].grid_year" = { add = 1 }
"chips[Rubin].price_usd" = { scale = 1.2 }

[grid.gas]
"techs[gas_ct].fuel_usd_per_mmbtu" = [2.0, 6.0]

[sample.mc]
n = 1
seed = 7
"policy.carbon_price_usd_per_t" = { dist = "triangular", low = 0, mode = 50, high = 200 }
"zones[zone=ERCOT].grid_price_usd_per_mwh" = { dist = "uniform", low = 0.8, high = 1.2, op = "scale" }
"""
NAMES = ["base", "carbon_100", "delay", "gas_000", "gas_001", "mc_000"]

@pytest.fixture(scope="module")
def toy():
    return siting.load_instance(TOY)


@pytest.fixture(scope="module")
def scenarios_file(tmp_path_factory):
    p = tmp_path_factory.mktemp("defs") / "scenarios.toml"
    p.write_text(SIX_TOML, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def swept(toy, scenarios_file, tmp_path_factory):
    """The six scenarios solved on an embedded LocalCluster of 2 workers, written to a folder."""
    pytest.importorskip("distributed")
    out = tmp_path_factory.mktemp("sweep") / "out"
    sr = sweep(toy, scenarios_file, workers=2, out=out, mip_gap=GAP)
    return sr, out


@pytest.fixture(scope="module")
def alone(toy, scenarios_file):
    """Each scenario solved on its own, in this process."""
    return {s.name: solve(apply_scenario(toy, s), mip_gap=GAP, threads=1) for s in load_scenarios(scenarios_file)}


# ------------------------------------------------------------------------------------------
# scenario definitions, without a solver
# ------------------------------------------------------------------------------------------
def test_file_expands_in_order(scenarios_file):
    scs = load_scenarios(scenarios_file)
    assert [s.name for s in scs] == NAMES
    assert [s.kind for s in scs] == ["scenario"] * 3 + ["grid"] * 2 + ["sample"]
    assert scs[2].values() == {"sites[midland].grid_year (add)": 1, "chips[Rubin].price_usd (scale)": 1.2}
    assert [s.values() for s in scs[3:5]] == [{"techs[gas_ct].fuel_usd_per_mmbtu": 2.0},
                                              {"techs[gas_ct].fuel_usd_per_mmbtu": 6.0}]


def test_grid_is_cartesian_with_fixed_values():
    scs = parse_scenarios({"grid": {"g": {"policy.carbon_price_usd_per_t": [0, 50, 100],
                                          "chips.price_usd": [{"scale": 0.9}, {"scale": 1.1}],
                                          "sites[abilene].pue": 1.2}}})
    assert [s.name for s in scs] == [f"g_{i:03d}" for i in range(6)]
    assert [(s.values()["policy.carbon_price_usd_per_t"], s.values()["chips.price_usd (scale)"]) for s in scs] == [
        (0, 0.9), (0, 1.1), (50, 0.9), (50, 1.1), (100, 0.9), (100, 1.1)]
    assert all(s.values()["sites[abilene].pue"] == 1.2 for s in scs)


def test_samples_are_seeded_and_within_their_ranges():
    block = {"n": 200, "seed": 3,
             "techs[gas_ct].fuel_usd_per_mmbtu": {"dist": "uniform", "low": 2, "high": 6},
             "chips.price_usd": {"dist": "normal", "mean": 1.0, "sd": 0.1, "op": "scale", "min": 0.8},
             "policy.carbon_price_usd_per_t": {"dist": "triangular", "low": 0, "mode": 50, "high": 200},
             "zones.grid_price_usd_per_mwh": {"dist": "lognormal", "median": 60, "sigma": 0.2},
             "sites[midland].grid_year": {"dist": "uniform", "low": 2026, "high": 2029},
             "time.typical_days": {"dist": "choice", "values": [2, 3], "weights": [3, 1]}}
    a = parse_scenarios({"sample": {"s": block}})
    b = parse_scenarios({"sample": {"s": dict(block)}})
    c = parse_scenarios({"sample": {"s": dict(block, seed=4)}})
    va, vb, vc = ([s.values() for s in x] for x in (a, b, c))
    assert va == vb and va != vc
    df = pd.DataFrame(va)
    assert df["techs[gas_ct].fuel_usd_per_mmbtu"].between(2, 6).all()
    assert df["chips.price_usd (scale)"].min() >= 0.8
    assert df["policy.carbon_price_usd_per_t"].between(0, 200).all()
    assert df["zones.grid_price_usd_per_mwh"].median() == pytest.approx(60, rel=0.1)
    years = df["sites[midland].grid_year"]
    assert set(years) <= {2026, 2027, 2028, 2029} and all(isinstance(y, int) for y in years)  # whole years
    assert 0.6 < (df["time.typical_days"] == 2).mean() < 0.9


@pytest.mark.parametrize("data, words", [
    ({"scenario": {"x": {"techs.capex": 1}}}, "no column 'capex'"),
    ({"scenario": {"x": {"plants.capex_usd_per_kw": 1}}}, "unknown table or setting 'plants'"),
    ({"scenario": {"x": {"policy.carbon_tax": 1}}}, "unknown setting"),
    ({"scenario": {"x": {"sites[abilene].site": "a"}}}, "ids cannot be overridden"),
    ({"scenario": {"x": {"chips.price_usd": {"times": 2}}}}, "{scale = F}"),
    ({"scenario": {"x": {"chips.price_usd": {"scale": "2"}}}}, "scale needs a number"),
    ({"scenario": {"x": {"policy.carbon_price_usd_per_t": [0, 50]}}}, "[grid.NAME]"),
    ({"scenario": {"x": {"profiles[ERCOT].value": 1}}}, "select them with filters"),
    ({"scenario": {"bad name": {}}}, "names a folder"),
    ({"grid": {"g": {"chips.price_usd": 1}}}, "at least one list"),
    ({"sample": {"s": {"n": 3, "chips.price_usd": {"dist": "uniform", "low": 1, "high": 2}}}}, "'seed'"),
    ({"sample": {"s": {"n": 3, "seed": 1, "chips.price_usd": {"dist": "beta", "a": 1}}}}, "unknown dist"),
    ({"sample": {"s": {"n": 3, "seed": 1, "chips.price_usd": {"dist": "normal", "mean": 1}}}}, "missing sd"),
    ({"scenarios": {"x": {}}}, "unknown entry 'scenarios'"),
    ({"scenario": {"gas_000": {}}, "grid": {"gas": {"chips.price_usd": [1, 2]}}}, "more than once"),
])
def test_bad_definitions_are_instance_errors(data, words):
    with pytest.raises(siting.InstanceError) as e:
        parse_scenarios(data)
    assert any(words in p for p in e.value.problems), e.value.problems


def test_apply_by_id_filter_and_setting(toy):
    s = Scenario("x", {"sites[midland,abilene].grid_year": {"add": 1},
                       "techs[kind=generator,capex_usd_per_kw>1200].capex_usd_per_kw": {"scale": 2},
                       "targets[year>=2027].it_gw": {"scale": 1.5},
                       "zones[PJM].headroom_mw": 100,
                       "policy.co2_cap_t.2028": 1e7,
                       "discount_rate": 0.05})
    new = apply_scenario(toy, s)
    assert isinstance(new, Instance)
    g = new.sites.set_index("site")["grid_year"]
    assert g.to_dict() == {"abilene": 2027, "midland": 2029, "new_albany": 2027}
    cap = new.techs.set_index("tech")["capex_usd_per_kw"]
    base = toy.techs.set_index("tech")["capex_usd_per_kw"]
    assert cap["solar"] == 2 * base["solar"] and cap["gas_ct"] == base["gas_ct"] and cap["battery"] == base["battery"]
    np.testing.assert_allclose(new.targets["it_gw"], [0.1, 0.3, 0.45])
    assert new.zones.set_index("zone")["headroom_mw"]["PJM"] == 100
    assert new.policy("co2_cap_t", 2028) == 1e7 and new.policy("co2_cap_t", 2026) is None
    assert new.discount_rate == 0.05
    # the base instance is untouched
    assert toy.discount_rate == 0.07 and toy.targets["it_gw"].tolist() == [0.1, 0.2, 0.3]


def test_targets_names_a_table_and_a_settings_section(toy):
    from siting.schema import SCENARIO_KEYS, TABLES

    assert ("targets", "mode") in SCENARIO_KEYS and "mode" not in {c.name for c in TABLES["targets"].columns}
    new = apply_scenario(toy, Scenario("x", {"targets.mode": "soft", "targets[2028].it_gw": 0.4}))
    assert new.scenario["targets"]["mode"] == "soft" and new.targets["it_gw"].tolist() == [0.1, 0.2, 0.4]


def test_no_override_gives_the_same_tables(toy):
    same = apply_scenario(toy, Scenario("base"))
    for t in ("targets", "sites", "zones", "techs", "chips", "profiles"):
        pd.testing.assert_frame_equal(getattr(same, t).reset_index(drop=True), getattr(toy, t).reset_index(drop=True))
    assert same.scenario == toy.scenario


@pytest.mark.parametrize("ov, words", [
    ({"sites[dallas].pue": 1.3}, "no site 'dallas'"),
    ({"sites[zone=MISO].pue": 1.3}, "no row of sites.csv matches"),
    ({"sites[midland].pue": 0.5}, "pue"),
    ({"policy.carbon_price_usd_per_t": -5}, "carbon_price_usd_per_t"),
    ({"techs[gas_ct].kind": {"scale": 2}}, "cannot scale"),
])
def test_bad_override_names_the_scenario(toy, ov, words):
    with pytest.raises(siting.InstanceError) as e:
        apply_scenario(toy, Scenario("oops", ov))
    assert all(p.startswith("scenario oops: ") for p in e.value.problems), e.value.problems
    assert any(words in p for p in e.value.problems), e.value.problems


def test_docs_example_file_parses_and_applies_to_the_toy(toy):
    """The first scenarios.toml of docs/sweeps.md stays valid: it parses, and its scenarios apply to the toy."""
    import re
    import tomllib

    doc = (Path(__file__).resolve().parents[1] / "docs" / "sweeps.md").read_text(encoding="utf-8")
    text = re.search(r"```toml\n(.*?)```", doc, re.S).group(1)
    scs = parse_scenarios(tomllib.loads(text))
    assert len(scs) == 3 + 12 + 100
    firsts = {}
    for s in scs:
        firsts.setdefault(s.group or s.name, s)
    for s in firsts.values():
        assert isinstance(apply_scenario(toy, s), Instance), s.name


def test_override_object_checks_its_path():
    assert Override("chips[GB200].price_usd", "scale", 2).column == "chips[GB200].price_usd (scale)"
    with pytest.raises(siting.InstanceError, match="operation"):
        Override("chips.price_usd", "times", 2)


# ------------------------------------------------------------------------------------------
# 1. six scenarios on a LocalCluster of 2 workers
# ------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_local_sweep_tables(swept, toy):
    sr, out = swept
    assert sr.info["workers"] == 2
    assert sorted(sr.info["solved"]) == sorted(NAMES) and sr.info["reused"] == [] and sr.info["failed"] == []
    ss = sr.scenario_summary
    assert ss["scenario"].tolist() == NAMES
    assert (ss["status"] == "optimal").all() and sr.failed.empty
    for name in ("sites", "capacity", "dispatch", "chips", "costs", "emissions", "summary"):
        df = sr.tables[name]
        assert df.columns[0] == "scenario" and df["scenario"].unique().tolist() == NAMES, name
    # invariants of a single solve, per scenario
    costs = sr.costs.groupby("scenario")["cost_usd_discounted"].sum()
    obj = ss.set_index("scenario")["objective_usd"]
    np.testing.assert_allclose(costs[NAMES], obj[NAMES], rtol=1e-6)
    s = sr.summary
    assert (s["it_gw"] >= s["target_it_gw"] - 1e-6).all()
    assert len(s) == 6 * len(toy.years)
    # overrides as columns: of the summary and of the per-scenario table
    for df in (ss.set_index("scenario"), s.drop_duplicates("scenario").set_index("scenario")):
        assert df.at["carbon_100", "policy.carbon_price_usd_per_t"] == 100
        assert np.isnan(df.at["base", "policy.carbon_price_usd_per_t"])
        assert df.at["gas_001", "techs[gas_ct].fuel_usd_per_mmbtu"] == 6.0
    # summary of the sweep
    from siting.results import plan_per_gw

    for sc, g in s.groupby("scenario"):
        per = plan_per_gw(g)
        row = ss.set_index("scenario").loc[sc]
        np.testing.assert_allclose([row["capex_usd_per_gw_it"], row["cost_usd_per_gw_it_yr"]],
                                   [per["capex_usd_per_gw_it"], per["cost_usd_per_gw_it_yr"]], rtol=1e-9)
    freq = sr.site_frequency.set_index("site")
    for site, row in freq.iterrows():
        chosen = ss["sites_chosen"].str.split(";").apply(lambda x, site=site: site in x).sum()
        assert row["scenarios_chosen"] == chosen and row["share"] == pytest.approx(chosen / 6)
    # files
    for f in ("costs.csv", "summary.csv", "scenario_summary.csv", "site_frequency.csv", "failed.csv",
              "cost_distribution.png"):
        assert (out / f).is_file(), f
    assert sorted(p.name for p in (out / "scenarios").iterdir()) == sorted(NAMES)
    assert pd.read_csv(out / "failed.csv").empty
    back = siting.read_results(out / "scenarios" / "delay")
    assert back.objective == obj["delay"]


@pytest.mark.slow
def test_local_sweep_equals_solving_alone(swept, alone, toy):
    sr, _ = swept
    obj = sr.scenario_summary.set_index("scenario")["objective_usd"]
    for name, res in alone.items():
        assert obj[name] == pytest.approx(res.objective, rel=1e-6), name
    # the overrides did something, and did what a hand-made instance does
    assert len({round(v / 1e3) for v in obj}) == 6
    sc = {**toy.scenario, "policy": {**toy.scenario["policy"], "carbon_price_usd_per_t": 100}}
    by_hand = Instance.from_frames(sc, toy.targets, toy.sites, toy.zones, toy.techs, toy.chips, toy.profiles)
    assert solve(by_hand, mip_gap=GAP, threads=1).objective == pytest.approx(obj["carbon_100"], rel=1e-6)


# ------------------------------------------------------------------------------------------
# 2. a separate scheduler and worker, reached by address
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    """A separate ``dask scheduler`` and one ``dask worker``, reached by the scheduler's address."""
    with dask_cluster(tmp_path_factory.mktemp("dask"), 1) as sched:
        yield json.loads(sched.read_text())["address"]


@pytest.mark.slow
def test_sweep_through_a_scheduler_address(scheduler, swept, toy, scenarios_file):
    sr = sweep(toy, scenarios_file, client=scheduler, mip_gap=GAP)
    assert sr.info["workers"] == 1 and sorted(sr.info["solved"]) == sorted(NAMES)
    local = swept[0].scenario_summary.set_index("scenario")
    remote = sr.scenario_summary.set_index("scenario")
    assert remote.index.tolist() == NAMES and (remote["status"] == "optimal").all()
    np.testing.assert_allclose(remote["objective_usd"], local.loc[NAMES, "objective_usd"], rtol=1e-6)
    assert remote["sites_chosen"].tolist() == local.loc[NAMES, "sites_chosen"].tolist()
    costs = sr.costs.groupby("scenario")["cost_usd_discounted"].sum()
    np.testing.assert_allclose(costs[NAMES], remote.loc[NAMES, "objective_usd"], rtol=1e-6)


@pytest.mark.slow
def test_failed_scenarios_are_recorded(scheduler, toy):
    scs = [Scenario("bad_pue", {"sites[midland].pue": 0.5}),
           Scenario("too_big", {"targets.it_gw": {"scale": 100}}),
           Scenario("no_row", {"sites[zone=MISO].pue": 1.3}),
           Scenario("fine", {"policy.carbon_price_usd_per_t": 30})]
    sr = sweep(toy, scs, client=scheduler)
    assert sr.info["failed"] == ["bad_pue", "too_big", "no_row"] and sr.info["solved"] == ["fine"]
    err = sr.failed.set_index("scenario")["error"]
    assert err["bad_pue"].startswith("InstanceError: scenario bad_pue: ") and "pue" in err["bad_pue"]
    assert err["too_big"].startswith("InfeasibleError: ")
    assert "no row of sites.csv matches" in err["no_row"]
    ss = sr.scenario_summary.set_index("scenario")
    assert ss.loc[["bad_pue", "too_big", "no_row"], "status"].eq("failed").all()
    assert ss.at["fine", "status"] == "optimal" and sr.costs["scenario"].unique().tolist() == ["fine"]


@pytest.mark.slow
def test_sweep_survives_a_lost_worker(swept, toy, scenarios_file, tmp_path):
    """On a scheduler with two workers, the worker process that holds the instance is killed (SIGKILL, by
    PID) while it solves a scenario. Dask solves that scenario again on a live worker (and makes the
    instance again: it is a task's result, not scattered data): every scenario is solved and recorded
    once, none fails, and the results equal the undisturbed run."""
    Client = pytest.importorskip("distributed").Client
    with dask_cluster(tmp_path / "dask", 2) as sched, Client(scheduler_file=str(sched)) as c:
        box: dict = {}

        def run():
            try:
                box["sr"] = sweep(toy, scenarios_file, client=str(sched), mip_gap=GAP, out=tmp_path / "out")
            except BaseException as e:  # noqa: BLE001 - re-raised in the test's thread
                box["error"] = e

        t = threading.Thread(target=run, daemon=True)
        t.start()
        victim = None
        deadline = time.monotonic() + 600
        while victim is None and t.is_alive() and time.monotonic() < deadline:
            busy = {w for w, keys in c.processing().items() if any("siting-sweep" in str(k) for k in keys)}
            holds = {w for w, keys in c.has_what().items() if any("siting-instance" in str(k) for k in keys)}
            if busy & holds:
                victim = sorted(busy & holds)[0]
            else:
                time.sleep(0.1)
        assert victim is not None, "no worker was solving a scenario"
        pid = c.run(os.getpid, workers=[victim])[victim]
        time.sleep(0.5)  # into the solve
        os.kill(pid, signal.SIGKILL)
        t.join(900)
        assert not t.is_alive()
        if "error" in box:
            raise box["error"]
        assert victim not in c.scheduler_info()["workers"]  # it was lost (its nanny started a new one)
    sr = box["sr"]
    assert sorted(sr.info["solved"]) == sorted(NAMES) and len(sr.info["solved"]) == len(NAMES)
    assert sr.info["failed"] == [] and sr.failed.empty
    assert sorted(p.name for p in (tmp_path / "out" / "scenarios").iterdir()) == sorted(NAMES)
    mine, undisturbed = (x.scenario_summary.set_index("scenario").loc[NAMES] for x in (sr, swept[0]))
    assert (mine["status"] == "optimal").all()
    np.testing.assert_allclose(mine["objective_usd"], undisturbed["objective_usd"], rtol=1e-6)
    assert mine["sites_chosen"].tolist() == undisturbed["sites_chosen"].tolist()
    for name in ("capacity", "chips", "summary"):
        a, b = (x.tables[name].drop(columns=["solve_seconds"], errors="ignore") for x in (sr, swept[0]))
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=False,
                                      rtol=1e-6, atol=1e-6)


# ------------------------------------------------------------------------------------------
# 3. resuming: only the missing scenario is solved
# ------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_rerun_with_everything_present_solves_nothing(swept, toy, scenarios_file):
    sr0, out = swept
    sr = sweep(toy, scenarios_file, out=out, mip_gap=GAP)
    # no cluster was started: nothing was left to solve
    assert sr.info["solved"] == [] and sorted(sr.info["reused"]) == sorted(NAMES) and sr.info["workers"] == 0
    pd.testing.assert_frame_equal(sr.costs, sr0.costs)
    # other solver options make the stored results stale: they would be solved again
    from siting.sweep.run import _fingerprint, _reuse, instance_fingerprint

    s = load_scenarios(scenarios_file)[0]
    fp = _fingerprint(instance_fingerprint(toy), s, {"mip_gap": 1e-3})
    assert _reuse(out / "scenarios" / s.name, fp) is None


@pytest.mark.slow
def test_cli_rerun_solves_only_the_missing_scenario(swept, scenarios_file, tmp_path):
    sr0, done = swept
    out = tmp_path / "out"
    shutil.copytree(done, out)
    shutil.rmtree(out / "scenarios" / "delay")
    (out / "costs.csv").unlink()
    stamps = {p.name: (p / "results.json").stat().st_mtime_ns for p in (out / "scenarios").iterdir()}
    proc = subprocess.run([sys.executable, "-m", "siting", "sweep", str(TOY), "--scenarios", str(scenarios_file),
                           "--out", str(out), "--workers", "1", "--mip-gap", str(GAP), "--quiet"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.stdout == "" and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    info = json.loads((out / "sweep.json").read_text())
    assert info["solved"] == ["delay"] and sorted(info["reused"]) == sorted(set(NAMES) - {"delay"})
    assert {p.name: (p / "results.json").stat().st_mtime_ns for p in (out / "scenarios").iterdir()
            if p.name != "delay"} == stamps
    costs = pd.read_csv(out / "costs.csv")
    assert costs["scenario"].unique().tolist() == NAMES
    np.testing.assert_allclose(costs.groupby("scenario")["cost_usd_discounted"].sum()[NAMES],
                               sr0.scenario_summary.set_index("scenario").loc[NAMES, "objective_usd"], rtol=1e-6)
    assert pd.read_csv(out / "failed.csv").columns.tolist() == ["scenario", "error"]
