"""Every example script runs to the end on a small setting (exit code 0)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(script: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, str(EXAMPLES / script), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.slow
def test_solve_bundled(tmp_path):
    p = run("solve_bundled.py", "us_regions_small", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "optimal" in p.stdout and "2030: IT 10.00 GW" in p.stdout
    assert (tmp_path / "out" / "summary.csv").is_file()


@pytest.mark.slow
def test_own_sites_geojson(tmp_path):
    p = run("own_sites_geojson.py", "--workdir", str(tmp_path / "case"), "--price", "PJM=95",
            "--price", "ERCOT=70", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    case = tmp_path / "case"
    assert (case / "sites.geojson").is_file() and not (case / "sites.csv").exists()
    assert "sites open in 2030" in p.stdout
    zones = (case / "zones.csv").read_text()
    assert "PJM,95.0" in zones and "ERCOT,70.0" in zones


def test_own_sites_geojson_reports_bad_data(tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": '
                   '{"type": "Point", "coordinates": [-97, 31]}, "properties": {"site": "x", "zone": "NOWHERE"}}]}')
    p = run("own_sites_geojson.py", "--sites", str(bad), "--workdir", str(tmp_path / "case"), cwd=tmp_path)
    assert p.returncode == 2
    assert "sites.geojson: required column 'max_it_mw' is missing" in p.stderr


@pytest.mark.slow
@pytest.mark.parametrize("price", ["100"])
def test_compare_scenarios(tmp_path, price):
    p = run("compare_scenarios.py", "us_regions_small", "--carbon-price", price, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "no carbon price" in p.stdout and "100 USD/t" in p.stdout
    assert "power capacity in 2030" in p.stdout


def _steps(stderr: str, name: str, n: int) -> None:
    """The plain progress lines of a long example (stderr is not a terminal here): one per solve."""
    lines = [ln for ln in stderr.splitlines() if ln.startswith(f"{name}: [")]
    assert [ln.split()[1] for ln in lines] == [f"[{i}/{n}]" for i in range(1, n + 1)], stderr
    assert all("elapsed, about" in ln and ln.endswith(" left") for ln in lines)
    assert f"{name}: {n} solve(s) in " in stderr


@pytest.mark.slow
def test_cfe_premium(tmp_path):
    p = run("cfe_premium.py", "--quick", cwd=tmp_path)  # ercot_campus, 90 %, one day, 1 % gap
    assert p.returncode == 0, p.stderr
    _steps(p.stderr, "cfe_premium", 4)
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith(("none", "90 %")) and ":" not in ln]
    assert len(lines) == 2
    vol, cons, cfe, premium = (float(v) for v in lines[1].split()[2:6])
    # each target costs at least the unconstrained plan, and the hourly match at least the volumetric one
    assert min(vol, cons, cfe) >= float(lines[0].split()[1]) - 1e-6
    assert cfe >= vol - 0.5 and premium == pytest.approx(cfe - vol, abs=0.02)


@pytest.mark.slow
def test_flex_levels(tmp_path):
    p = run("flex_levels.py", "--quick", cwd=tmp_path)  # us_regions_small, none and 0p5pct
    assert p.returncode == 0, p.stderr
    _steps(p.stderr, "flex_levels", 2)
    assert "GW reached 2030" in p.stdout
    rows = {ln.split()[0]: ln.split() for ln in p.stdout.splitlines() if ln.startswith(("none ", "0p5pct "))}
    assert set(rows) == {"none", "0p5pct"} and all(r[1] == "optimal" for r in rows.values())
    # us_regions_small reaches its 10 GW in 2030 either way, with no shortfall
    assert all(float(r[3]) == 10.0 and float(r[4]) == 0.0 for r in rows.values())


def test_progress_bar_with_tqdm(capsys):
    """On a terminal the long examples show a tqdm bar on stderr; their result lines still go to stdout."""
    pytest.importorskip("tqdm")
    import importlib.util

    spec = importlib.util.spec_from_file_location("_progress", EXAMPLES / "_progress.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with mod.Progress(3, "demo", bar=True) as prog:
        assert prog.bar is not None
        for i in range(3):
            prog.step(f"result {i}")
    out, err = capsys.readouterr()
    assert out.splitlines() == ["result 0", "result 1", "result 2"]
    assert "demo: 100%" in err and "3/3" in err and "demo: 3 solve(s) in " in err


# -- the answers of us_250gw and ercot_campus (examples/us_250gw_answer.py, examples/ercot_campus_answer.py) --

ANSWER_FILES = ("answer.md", "answer.json", "state.pkl", "gw_by_year.csv", "gw_by_site.csv", "energy_shares.csv",
                "capacity_gw_by_tech.csv", "capex_per_gw.csv", "binding.csv", "sensitivity.csv", "hourly_check.csv",
                "map.png", "energy.png", "sensitivity.png")


def _answer(tmp_path: Path, script: str, *args: str):
    """Run an answer script with --quick; its output folder and headline figures."""
    import json

    out = tmp_path / "answer"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    p = subprocess.run([sys.executable, str(EXAMPLES / script), "--quick", "--out", str(out), *args], cwd=tmp_path,
                       env=env, capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stderr
    for f in ANSWER_FILES:
        assert (out / f).is_file() and (out / f).stat().st_size > 0, f
    return p, out, json.loads((out / "answer.json").read_text())


def _check_answer(out: Path, head: dict, n_cases: int) -> None:
    import pandas as pd

    gw = {int(y): v for y, v in head["gw"].items()}
    target = {int(y): v for y, v in head["target_gw"].items()}
    last = max(gw)
    assert gw[last] <= target[last] + 1e-6
    assert all(v >= 0 for v in gw.values())
    # energy shares: every source >= 0, each year's shares sum to 1
    shares = pd.read_csv(out / "energy_shares.csv", index_col=0)
    assert (shares.to_numpy() >= -1e-9).all()
    assert shares.sum(axis=1).to_numpy() == pytest.approx(1.0, abs=1e-9)
    assert all(v == pytest.approx(1.0, abs=1e-9) for v in head["shares_sum"].values())
    # overnight capex per GW of IT within the published range, widened ($35-60 B per GW, docs/sources.md)
    assert 20e9 <= head["capex_usd_per_gw_it"] <= 80e9
    cx = pd.read_csv(out / "capex_per_gw.csv", index_col=0)
    assert cx.loc["all", "total_per_gw"] == pytest.approx(
        cx.loc["all", ["chips_per_gw", "building_per_gw", "site_per_gw", "power_per_gw"]].sum(), rel=1e-9)
    sens = pd.read_csv(out / "sensitivity.csv", index_col=0)
    assert sens.index[0] == "base" and len(sens) == n_cases + 1
    assert sens.loc["base", "plan cost vs base %"] == pytest.approx(0.0, abs=1e-9)
    assert len(pd.read_csv(out / "hourly_check.csv"))
    md = (out / "answer.md").read_text()
    for fig in ("figures/map.png", "figures/energy.png", "figures/sensitivity.png"):
        assert fig in md
    assert "--quick settings: not the answer" in md


@pytest.mark.study
@pytest.mark.slow
def test_us_250gw_answer_quick(tmp_path):
    import pandas as pd

    p, out, head = _answer(tmp_path, "us_250gw_answer.py")
    _steps(p.stderr, "us_250gw_answer", 6)  # 2 steps, 1 hourly year, chip_supply_x2 (2 steps), gas_x1.5 (step 2)
    _check_answer(out, head, 2)
    # soft targets: two steps; the second's objective is the plan's cost alone, within its gap of the first's
    assert [s[0][:1] for s in head["steps"]] == ["1", "2"]
    (_, _, g1, obj1, plan1, _), (_, _, g2, obj2, plan2, _) = head["steps"]
    assert obj2 == pytest.approx(plan2, rel=1e-9) and obj1 > plan1
    assert plan2 <= plan1 * (1 + g2) + g1 * obj1
    # the IT reached never passes the accelerator supply, and meets it in the years short of the path
    gw = pd.read_csv(out / "gw_by_year.csv", index_col=0)
    assert (gw["IT GW in service"] <= gw["chip-supply bound GW"] + 1e-6).all()
    short = gw[gw["short GW"] > 1e-3]
    assert len(short) and (short["IT GW in service"] - short["chip-supply bound GW"]).abs().max() <= 2e-3
    assert "Step 1 is the instance as shipped" in (out / "answer.md").read_text()


@pytest.mark.slow
def test_ercot_campus_answer_quick(tmp_path):
    p, out, head = _answer(tmp_path, "ercot_campus_answer.py")
    _steps(p.stderr, "ercot_campus_answer", 4)  # 1 solve (hard targets), 1 hourly year, 2 cases
    _check_answer(out, head, 2)
    assert len(head["steps"]) == 1 and head["steps"][0][0] == "hard targets"
    # hard targets: the IT target is met every year
    assert all(head["gw"][y] >= head["target_gw"][y] - 1e-6 for y in head["gw"])


def test_answer_step_two_lowers_the_targets_by_the_shortfall():
    """The lexicographic second step: hard targets lowered by each year's shortfall plus 1 MW, penalty gone."""
    import importlib.util

    sys.path.insert(0, str(EXAMPLES))
    try:
        spec = importlib.util.spec_from_file_location("us_250gw_answer", EXAMPLES / "us_250gw_answer.py")
        mod = importlib.util.module_from_spec(spec)
        sys.modules["us_250gw_answer"] = mod  # its dataclasses look their module up there
        spec.loader.exec_module(mod)
    finally:
        sys.path.remove(str(EXAMPLES))
        sys.modules.pop("us_250gw_answer", None)
    import siting

    inst = siting.load_instance("toy")
    sc = dict(inst.scenario)
    sc["targets"] = {"mode": "soft", "penalty_usd_per_mw": 1e8}
    soft = inst.replace(sc)
    y0, y1 = soft.years[:2]
    low = mod.lowered(soft, {y0: 40.0, y1: 0.0})
    assert low.scenario["targets"]["mode"] == "hard" and not mod.soft(low)
    t0, t1 = (soft.targets.set_index("year")["it_gw"][y] for y in (y0, y1))
    new = low.targets.set_index("year")["it_gw"]
    assert new[y0] == pytest.approx(t0 - 0.041) and new[y1] == pytest.approx(t1)


# -- water limits and a latency budget on us_250gw (examples/us_250gw_site_attributes.py) ---------------------

@pytest.mark.study
@pytest.mark.slow
def test_us_250gw_site_attributes(tmp_path):
    """--quick: 2026 and 2030, four solves; cooling costs at least the base plan, a zero water limit in ERCOT and
    SOUTHWEST uses no more water and costs at least the cooling plan, and the latency plan serves every metro
    exactly its demand within its 10 ms."""
    p = run("us_250gw_site_attributes.py", "--quick", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    _steps(p.stderr, "site_attributes", 4)
    rows = {ln.split("  ")[0].strip(): ln.split() for ln in p.stdout.splitlines()
            if ln.startswith(("base ", "cooling ", "water limits ", "latency "))}
    assert set(rows) == {"base", "cooling", "water limits", "latency"}
    cost = {k: float(v[-5]) for k, v in rows.items()}   # discounted $B
    gap = 0.05 * max(cost.values())
    assert cost["cooling"] >= cost["base"] - gap and cost["water limits"] >= cost["cooling"] - gap
    assert cost["latency"] >= cost["cooling"] - gap
    assert float(rows["water limits"][-3]) <= float(rows["cooling"][-3]) + 1e-9   # water Mm3 in the last year
    metros = [ln.split() for ln in p.stdout.splitlines()
              if ln.strip().startswith(("new_york", "los_angeles", "chicago", "dallas", "washington"))]
    assert len(metros) == 5 and all(float(m[3]) <= 10.0 + 1e-9 for m in metros)
    assert all(float(m[2]) == pytest.approx(float(m[1]), rel=1e-6) for m in metros)


def test_soft_summary_splits_plan_cost_and_penalty():
    """Soft targets: summary plan_cost_usd + shortfall_penalty_usd = cost_usd, and the Results properties add up
    to the objective; a hard-target summary keeps its columns."""
    import siting

    inst = siting.load_instance("toy")
    hard = siting.solve(inst, mip_gap=1e-6)
    assert "plan_cost_usd" not in hard.summary.columns and hard.shortfall_penalty_usd == 0.0
    assert hard.plan_cost_usd == pytest.approx(hard.objective)
    sc = dict(inst.scenario)
    sc["targets"] = {"mode": "soft", "penalty_usd_per_mw": 1e8}
    t = inst.targets.copy()
    t["it_gw"] = t["it_gw"] * 20  # far out of reach
    res = siting.solve(inst.replace(sc, targets=t), mip_gap=1e-6)
    s = res.summary
    assert list(s.columns[-2:]) == ["plan_cost_usd", "shortfall_penalty_usd"]
    assert (s.plan_cost_usd + s.shortfall_penalty_usd).to_numpy() == pytest.approx(s.cost_usd.to_numpy(), rel=1e-9)
    assert (s.shortfall_penalty_usd.to_numpy() == pytest.approx(1e8 * s.shortfall_it_mw.to_numpy(), rel=1e-6))
    assert res.plan_cost_usd + res.shortfall_penalty_usd == pytest.approx(res.objective, rel=1e-12)
    assert 0 < res.plan_cost_usd < res.shortfall_penalty_usd
