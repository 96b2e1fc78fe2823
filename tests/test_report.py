"""Figures, the map and the HTML report (issue 4).

The toy is solved once for the module, through the command line (``siting solve toy --out
OUT --report``); the figure tests draw from that folder read back with ``read_results``.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from shapely.geometry import box

import siting
from siting import report
from siting.instance import bundled_root

CHROMIUM = Path("/usr/bin/chromium")
UNIT = re.compile(r"[(\[][^)\]]+[)\]]")  # "(MW)", "[USD million]"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def solve(inst, **kw):
    """``siting.solve``; after its first call the name may be shadowed by the ``siting.solve`` submodule
    (bug shown by tests/test_toy.py::test_public_solve_still_callable_after_a_solve): fall back to the function."""
    f = siting.solve
    return (f if callable(f) else f.solve)(inst, **kw)


def run_cli(*args, check: bool = True) -> subprocess.CompletedProcess:
    p = subprocess.run([sys.executable, "-m", "siting", *map(str, args)], capture_output=True, text=True,
                       timeout=600)
    if check:
        assert p.returncode == 0, f"siting {' '.join(map(str, args))} exited {p.returncode}:\n{p.stderr}"
    return p


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    """`siting solve toy --out OUT --report`: the folder and the command's output."""
    out = tmp_path_factory.mktemp("cli") / "out"
    p = run_cli("solve", "toy", "--out", out, "--report")
    return out, p


@pytest.fixture(scope="module")
def out(solved) -> Path:
    return solved[0]


@pytest.fixture(scope="module")
def res(out):
    return siting.read_results(out)


@pytest.fixture(scope="module")
def page(out) -> str:
    return (out / "report.html").read_text(encoding="utf-8")


def check_figure(fig, what: str) -> None:
    """A Figure whose every axes has a title, x and y labels with units, and a legend."""
    assert isinstance(fig, Figure), what
    assert fig.axes, f"{what}: no axes"
    for ax in fig.axes:
        where = f"{what}, axes {ax.get_title()!r}"
        assert ax.get_title().strip(), f"{what}: an axes has no title"
        assert UNIT.search(ax.get_xlabel()), f"{where}: x label {ax.get_xlabel()!r} has no unit in brackets"
        assert UNIT.search(ax.get_ylabel()), f"{where}: y label {ax.get_ylabel()!r} has no unit in brackets"
        leg = ax.get_legend()
        assert leg is not None, f"{where}: no legend"
        assert [t.get_text() for t in leg.get_texts() if t.get_text().strip()], f"{where}: empty legend"


def legend_texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]


# -- the command line --------------------------------------------------------------------------

def test_solve_report_writes_html_and_figures(out, solved):
    _, p = solved
    assert (out / "report.html").is_file()
    for name in report.FIGURES:
        for fmt in ("png", "svg"):
            f = out / "figures" / f"{name}.{fmt}"
            assert f.is_file() and f.stat().st_size > 2000, f
        assert (out / "figures" / f"{name}.png").read_bytes()[:8] == PNG_MAGIC
        assert "<svg" in (out / "figures" / f"{name}.svg").read_text(encoding="utf-8")[:2000]
    assert "report written to" in p.stdout
    # progress on the terminal: the figure and report stages are logged
    assert "figure 1/5" in p.stderr and "report.html" in p.stderr
    # the tables are still there, and read back
    assert (out / "results.json").is_file() and (out / "summary.csv").is_file()


def test_html_embeds_every_figure(out, page):
    for name in report.FIGURES:
        m = re.search(rf'<figure id="fig-{name}"[^>]*><img [^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"',
                      page)
        assert m, f"figure {name} is not embedded"
        png = base64.b64decode(m.group(1), validate=True)
        assert png[:8] == PNG_MAGIC
        assert png == (out / "figures" / f"{name}.png").read_bytes(), f"{name}: embedded PNG differs from the file"


def test_html_refers_to_nothing_outside(page):
    assert not re.search(r"https?://", page, re.I), re.search(r".{40}https?://.{40}", page, re.I | re.S)
    assert not re.search(r"//[a-z0-9.-]+\.[a-z]{2,}/", page, re.I)  # protocol-relative
    srcs = re.findall(r'\b(?:src|href)="([^"]*)"', page)
    assert all(s.startswith(("data:", "#")) for s in srcs), [s[:60] for s in srcs if not s.startswith("data:")]
    for bad in ("<script", "<link", "<iframe", "@import", "url("):
        assert bad not in page.lower(), bad


def test_html_has_summary_sites_and_scenario(res, page):
    assert "Summary by year" in page
    for y in res.summary["year"]:
        assert f"<td class=\"num\">{y}</td>" in page
    chosen = res.sites.loc[res.sites["open"] > 0, "site"].unique()
    assert len(chosen) >= 1
    assert f"Chosen sites ({len(chosen)} of {res.sites['site'].nunique()} candidates)" in page
    for s in chosen:
        assert f"<td>{s}</td>" in page
    # the scenario's settings, carried through results.json
    assert res.scenario["discount_rate"] == 0.07
    assert "<td>discount_rate</td><td>0.07</td>" in page
    assert "<td>time.mode</td><td>typical_days</td>" in page
    assert res.instance_name == "toy" and "siting report: toy" in page


def test_report_renders_headless_in_chromium(out, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (install Debian's package: apt-get install -y chromium)")
    shot = tmp_path / "report.png"
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1280,2000",
           (out / "report.html").resolve().as_uri()]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    assert shot.is_file(), p.stderr[-2000:]
    assert shot.stat().st_size > 20_000
    import matplotlib.image as mpimg

    img = mpimg.imread(shot)
    assert img.shape[:2] == (2000, 1280)
    rgb = (img[..., :3] * 255).astype(np.uint8).reshape(-1, 3)
    # text, tables and the embedded figures: many colours, and a good share of non-white pixels
    assert len(np.unique(rgb, axis=0)) > 200
    assert (rgb.min(axis=1) < 200).mean() > 0.05


def test_report_subcommand(out, tmp_path):
    copy = tmp_path / "results"
    shutil.copytree(out, copy, ignore=shutil.ignore_patterns("figures", "report.html"))
    p = run_cli("report", copy)
    assert (copy / "report.html").is_file()
    assert sorted(f.name for f in (copy / "figures").iterdir()) == sorted(
        f"{n}.{x}" for n in report.FIGURES for x in ("png", "svg"))
    assert "figure 5/5: map" in p.stderr  # progress
    assert "report written to" in p.stdout


def test_report_subcommand_quiet_with_zones(out, tmp_path):
    zones = tmp_path / "zones.geojson"
    gpd.GeoDataFrame({"zone": ["ERCOT", "PJM"]}, geometry=[box(-106.6, 25.8, -93.5, 36.5), box(-90.0, 36.5,
                     -74.0, 42.3)], crs="EPSG:4326").to_file(zones)
    copy = tmp_path / "results"
    shutil.copytree(out, copy, ignore=shutil.ignore_patterns("figures", "report.html"))
    q = run_cli("report", copy, "--zones", zones, "--quiet")
    assert q.stdout == "" and q.stderr == ""
    assert (copy / "report.html").is_file() and (copy / "figures" / "map.svg").is_file()


def test_report_subcommand_on_a_folder_that_is_not_results(tmp_path):
    p = run_cli("report", tmp_path, check=False)
    assert p.returncode == 2
    assert "not a results folder" in p.stderr
    assert not (tmp_path / "report.html").exists()


# -- the figure functions ----------------------------------------------------------------------

@pytest.mark.parametrize("name", report.FIGURES)
def test_figure_has_title_labels_units_and_legend(res, name):
    fig = getattr(report, f"plot_{name}")(res)
    check_figure(fig, name)


def test_capacity_has_a_total_and_a_panel_per_site(res):
    fig = report.plot_capacity(res)
    titles = [ax.get_title() for ax in fig.axes]
    built = res.capacity["site"].unique()
    assert titles[0] == "Power capacity, all sites"
    assert titles[1:] == [f"Power capacity at {s}" for s in built]
    assert "gas_ct" in legend_texts(fig)


def test_fleet_shows_generations_and_targets(res):
    fig = report.plot_fleet(res)
    texts = legend_texts(fig)
    for g in res.chips["generation"].unique():
        assert g in texts
    assert "IT target" in texts  # the toy has IT targets, no compute target
    assert fig.axes[2].get_ylabel() == "compute (EFLOPS)"


def test_costs_cover_every_component(res):
    fig = report.plot_costs(res)
    texts = legend_texts(fig)
    for c in res.costs["component"].unique():
        assert c in texts
    assert any(t.startswith("plan average") for t in texts)


def test_dispatch_at_a_chosen_site_year_and_period(res):
    fig = report.plot_dispatch(res, site="midland", year=2027, period=1)
    check_figure(fig, "dispatch")
    ax = fig.axes[0]
    assert "midland in 2027" in ax.get_title() and "day 1" in ax.get_title()
    texts = legend_texts(fig)
    assert "facility load" in texts
    # the facility load line is the site's load in that year and period
    d = res.dispatch
    sl = res.slices
    want = -d[(d.site == "midland") & (d.year == 2027) & (d.tech == "facility_load")
              & d.slice.isin(sl.loc[sl.period == 1, "slice"])]["power_mw"].to_numpy()
    line = next(li for li in ax.get_lines() if li.get_label() == "facility load")
    np.testing.assert_allclose(line.get_ydata()[:-1], want)


def test_figures_draw_when_a_table_is_empty(res):
    empty = siting.Results(tables={**res.tables, "capacity": res.capacity.iloc[:0], "costs": res.costs.iloc[:0],
                                   "chips": res.chips.iloc[:0]},
                           status=res.status, objective=res.objective, mip_gap=res.mip_gap,
                           solve_seconds=res.solve_seconds, scenario=res.scenario, instance_name="empty")
    for name in ("capacity", "fleet", "costs"):
        check_figure(getattr(report, f"plot_{name}")(empty), name)


def test_save_figures_png_svg_and_pdf(res, tmp_path):
    paths = report.save_figures(res, tmp_path / "figs", formats=("png", "svg", "pdf"),
                                figures={"dispatch": report.plot_dispatch(res)})
    assert list(paths) == ["dispatch"]
    assert paths["dispatch"]["png"].read_bytes()[:8] == PNG_MAGIC
    assert paths["dispatch"]["svg"].read_text(encoding="utf-8").count("<svg") == 1
    assert paths["dispatch"]["pdf"].read_bytes()[:5] == b"%PDF-"


# -- the map -----------------------------------------------------------------------------------

def test_map_of_the_toy(res):
    fig = report.plot_map(res)
    check_figure(fig, "map")
    texts = legend_texts(fig)
    assert "candidate, not chosen" in texts
    assert "in service from 2026" in texts
    assert any(t.endswith("MW IT") for t in texts)  # marker sizes
    ax = fig.axes[0]
    names = {t.get_text() for t in ax.texts}
    assert set(res.sites["site"]) <= names  # every candidate is on the map
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert x0 < res.sites["lon"].min() and res.sites["lon"].max() < x1
    assert y0 < res.sites["lat"].min() and res.sites["lat"].max() < y1


def test_map_outlines_zones_given_as_a_geodataframe(res):
    zones = gpd.GeoDataFrame({"zone": ["ERCOT", "PJM"]},
                             geometry=[box(-106.6, 25.8, -93.5, 36.5), box(-90.0, 36.5, -74.0, 42.3)],
                             crs="EPSG:4326").to_crs("EPSG:3857")  # any CRS; drawn in lon/lat
    fig = report.plot_map(res, zones=zones)
    check_figure(fig, "map with zones")
    assert "zone" in legend_texts(fig)
    ax = fig.axes[0]
    assert {"ERCOT", "PJM"} <= {t.get_text() for t in ax.texts}
    assert ax.get_xlim()[0] <= -106.6 and ax.get_ylim()[1] >= 42.3


def test_map_of_an_instance_whose_sites_come_from_geojson(tmp_path):
    folder = tmp_path / "toy_geo"
    shutil.copytree(bundled_root() / "toy", folder)
    sites = pd.read_csv(folder / "sites.csv", dtype=str, keep_default_na=False)
    geo = gpd.GeoDataFrame(sites.drop(columns=["lat", "lon"]),
                           geometry=gpd.points_from_xy(sites["lon"].astype(float), sites["lat"].astype(float)),
                           crs="EPSG:4326")
    geo.to_file(folder / "sites.geojson", driver="GeoJSON")
    (folder / "sites.csv").unlink()
    inst = siting.load_instance(folder)
    res = solve(inst)
    fig = report.plot_map(res)
    check_figure(fig, "map (GeoJSON sites)")
    g = res.sites_geo()
    assert list(g["site"]) == list(sites["site"])
    np.testing.assert_allclose(g.geometry.x, sites["lon"].astype(float))
    np.testing.assert_allclose(g.geometry.y, sites["lat"].astype(float))
    assert {t.get_text() for t in fig.axes[0].texts} >= set(sites["site"])
