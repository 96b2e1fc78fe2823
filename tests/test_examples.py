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


def test_solve_bundled(tmp_path):
    p = run("solve_bundled.py", "us_regions_small", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "optimal" in p.stdout and "2030: IT 10.00 GW" in p.stdout
    assert (tmp_path / "out" / "summary.csv").is_file()


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
