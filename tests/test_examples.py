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


def test_cfe_premium(tmp_path):
    p = run("cfe_premium.py", "ercot_campus", "--targets", "0.9", "--typical-days", "1", "--mip-gap", "0.01",
            cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith(("none", "90 %")) and ":" not in ln]
    assert len(lines) == 2
    vol, cons, cfe, premium = (float(v) for v in lines[1].split()[2:6])
    # each target costs at least the unconstrained plan, and the hourly match at least the volumetric one
    assert min(vol, cons, cfe) >= float(lines[0].split()[1]) - 1e-6
    assert cfe >= vol - 0.5 and premium == pytest.approx(cfe - vol, abs=0.02)


def test_flex_levels(tmp_path):
    p = run("flex_levels.py", "us_regions_small", "--levels", "none", "0p5pct", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "GW reached 2030" in p.stdout
    rows = {ln.split()[0]: ln.split() for ln in p.stdout.splitlines() if ln.startswith(("none ", "0p5pct "))}
    assert set(rows) == {"none", "0p5pct"} and all(r[1] == "optimal" for r in rows.values())
    # us_regions_small reaches its 10 GW in 2030 either way, with no shortfall
    assert all(float(r[3]) == 10.0 and float(r[4]) == 0.0 for r in rows.values())
