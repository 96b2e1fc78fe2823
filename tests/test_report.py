"""Figures, the map and the HTML report (issue 4).

The toy is solved once for the module, through the command line (``siting solve toy --out
OUT --report``); the figure tests draw from that folder read back with ``read_results``, and
from us_regions_small (planning years 2026, 2028, 2030), solved once for the module too. The
figure tests compare what the Axes hold (bar heights, line data, marker positions and sizes) with
values computed from the result tables in the test.
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
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from shapely.geometry import box

import siting
from siting import report
from siting.instance import bundled_root

CHROMIUM = Path("/usr/bin/chromium")
UNIT = re.compile(r"[(\[][^)\]]+[)\]]")  # "(MW)", "[USD million]"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


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
#
# The figures are checked against the result tables: each expected value is computed here from
# res.tables with pandas, independently of siting.report, and compared with what the Axes hold
# (bar patches, line data, scatter offsets and sizes).

RTOL, ATOL = 1e-6, 1e-6


@pytest.fixture(scope="module")
def gapped():
    """us_regions_small solved once: planning years 2026, 2028 and 2030 (each stands for two calendar years
    but the last)."""
    res = siting.solve(siting.load_instance("us_regions_small"))
    assert sorted(res.summary["year"]) == [2026, 2028, 2030]
    return res


@pytest.fixture(scope="module", params=["toy", "us_regions_small"])
def plan(request):
    """Each small plan in turn: the toy (years 2026-2028) and us_regions_small (gapped years)."""
    return request.getfixturevalue("res" if request.param == "toy" else "gapped")


def bars(ax) -> pd.DataFrame:
    """Every bar drawn on ``ax``: its container's label, x (centre and left edge), bottom and height."""
    rows = [(c.get_label(), i, p.get_x() + p.get_width() / 2, p.get_x(), p.get_y(), p.get_height())
            for i, c in enumerate(ax.containers) for p in c.patches]
    return pd.DataFrame(rows, columns=["label", "container", "x", "left", "bottom", "height"])


def series(b: pd.DataFrame, label: str, at: str = "x") -> pd.Series:
    """Heights of the bars of one labelled series, by x."""
    s = b[b["label"] == label]
    return s.set_index(s[at].round(6))["height"]


def stack_check(ax, want: pd.DataFrame, scale: float = 1.0, at: str = "x", rtol: float = RTOL) -> pd.DataFrame:
    """The stacked bars of ``ax`` show ``want`` (index: x, columns: series) times ``scale``.

    Each non-zero series is one labelled set of bars with its values' positive part; series that
    are zero everywhere are not drawn; at each x the bars add up to the net sum of the row, and
    the positive bars stack from 0 without gap to the sum of the positives.
    """
    want = want.astype(float) * scale
    want.index = np.round(np.asarray(want.index, dtype=float), 6)
    b = bars(ax)
    shown = [k for k in want.columns if (want[k].abs() > 1e-12).any()]
    labelled = [k for k in dict.fromkeys(b["label"]) if not k.startswith("_")]
    assert labelled == [str(k) for k in shown], (labelled, shown)
    atol = ATOL + 1e-9 * float(want.abs().to_numpy().max(initial=0.0))
    for k in shown:
        got = series(b, str(k), at).reindex(want.index)
        np.testing.assert_allclose(got, want[k].clip(lower=0), rtol=rtol, atol=atol, err_msg=str(k))
    if len(b):
        net = b.groupby(b[at].round(6))["height"].sum().reindex(want.index, fill_value=0.0)
        np.testing.assert_allclose(net, want.sum(axis=1), rtol=rtol, atol=atol, err_msg="net total")
        up = b[b["height"] > 0]
        top = (up["bottom"] + up["height"]).groupby(up[at].round(6)).max().reindex(want.index, fill_value=0.0)
        np.testing.assert_allclose(top, want.clip(lower=0).sum(axis=1), rtol=rtol, atol=atol, err_msg="stack top")
    else:
        assert not shown
    return b


def line(ax, label: str):
    found = [li for li in ax.get_lines() if li.get_label() == label]
    assert len(found) == 1, (label, [li.get_label() for li in ax.get_lines()])
    return found[0]


@pytest.mark.parametrize("name", report.FIGURES)
def test_figure_has_title_labels_units_and_legend(plan, name):
    fig = getattr(report, f"plot_{name}")(plan)
    check_figure(fig, name)


def test_capacity_bars_are_the_capacity_table(plan):
    fig = report.plot_capacity(plan)
    cap = plan.capacity
    years = sorted(plan.summary["year"])
    most = cap.groupby("site")["capacity_mw"].max().sort_values(ascending=False, kind="stable")
    sites = list(most.index[:5])
    assert [ax.get_title() for ax in fig.axes] == (["Power capacity, all sites"]
                                                   + [f"Power capacity at {s}" for s in sites])
    assert len(fig.axes) >= 2  # the plans build something

    def want(df):
        return df.pivot_table(index="year", columns="tech", values="capacity_mw", aggfunc="sum").reindex(years)\
            .fillna(0.0).sort_index(axis=1)

    b = stack_check(fig.axes[0], want(cap))
    assert sorted(b["x"].round(6).unique()) == years  # a bar per planning year, at the year
    total = b.groupby(b["x"].round(6))["height"].sum()
    np.testing.assert_allclose(total.to_numpy(), cap.groupby("year")["capacity_mw"].sum().reindex(years, fill_value=0),
                               rtol=RTOL)
    for ax, s in zip(fig.axes[1:], sites, strict=True):
        stack_check(ax, want(cap[cap["site"] == s]))
    assert fig.axes[0].get_xlim()[0] < years[0] < years[-1] < fig.axes[0].get_xlim()[1]


def test_capacity_of_the_toy_by_numbers(res):
    """The toy builds gas_ct at midland only: 150, 250 and 350 MW in 2026-2028."""
    fig = report.plot_capacity(res)
    b = bars(fig.axes[0])
    np.testing.assert_allclose(series(b, "gas_ct").reindex([2026, 2027, 2028]), [150.0, 250.0, 350.0])
    assert "gas_ct" in legend_texts(fig)


def test_fleet_bars_and_targets_are_the_chips_and_summary_tables(plan):
    fig = report.plot_fleet(plan)
    ch, summ = plan.chips, plan.summary.set_index("year")
    years = sorted(summ.index)

    def want(col):
        return ch.pivot_table(index="year", columns="generation", values=col, aggfunc="sum").reindex(years)\
            .fillna(0.0)

    gens = list(ch.sort_values(["year", "generation"], kind="stable")["generation"].drop_duplicates())
    stack_check(fig.axes[0], want("units_in_service")[gens], scale=1e-3)
    b = stack_check(fig.axes[1], want("it_mw")[gens])
    stack_check(fig.axes[2], want("pflops")[gens], scale=1e-3)
    # the IT target line: the summary's targets in MW, at the planning years; the fleet meets it
    it = line(fig.axes[1], "IT target")
    np.testing.assert_allclose(it.get_xdata(), years)
    np.testing.assert_allclose(it.get_ydata(), summ["target_it_gw"].reindex(years) * 1000.0, rtol=RTOL)
    fleet_mw = b.groupby(b["x"].round(6))["height"].sum().reindex(years)
    np.testing.assert_allclose(fleet_mw, summ["it_gw"].reindex(years) * 1000.0, rtol=1e-6, atol=1e-3)
    assert (fleet_mw >= it.get_ydata() - 1e-3).all()
    # no compute target in either plan: no line, and the title says so
    assert summ["target_eflops"].isna().all()
    assert not fig.axes[2].get_lines() and fig.axes[2].get_title() == "Compute (no compute target set)"
    texts = legend_texts(fig)
    for g in gens:
        assert g in texts


def test_costs_bars_are_the_costs_table(plan):
    fig = report.plot_costs(plan)
    c = plan.costs
    years = sorted(plan.summary["year"])
    for ax, col in ((fig.axes[0], "cost_usd"), (fig.axes[1], "cost_usd_discounted")):
        want = c.pivot_table(index="year", columns="component", values=col, aggfunc="sum").reindex(years)\
            .fillna(0.0).sort_index(axis=1)
        b = stack_check(ax, want, scale=1e-6)
        total = b.groupby(b["x"].round(6))["height"].sum().reindex(years)
        np.testing.assert_allclose(total, c.groupby("year")[col].sum().reindex(years) / 1e6, rtol=RTOL)
    # undiscounted per year: the summary's cost
    b = bars(fig.axes[0])
    np.testing.assert_allclose(b.groupby(b["x"].round(6))["height"].sum().reindex(years),
                               plan.summary.set_index("year")["cost_usd"].reindex(years) / 1e6, rtol=1e-6)
    # discounted bars add up to the objective
    assert bars(fig.axes[1])["height"].sum() == pytest.approx(plan.objective / 1e6, rel=1e-6)
    texts = legend_texts(fig)
    for comp in c["component"].unique():
        assert comp in texts


def expected_cost_per_gw(res) -> tuple[pd.Series, float]:
    """USD million per GW-year by planning year (annual cost over IT GW), and the plan average (sum of the
    planning years' annual costs over the sum of their IT GW), from the costs and summary tables."""
    annual = res.costs.groupby("year")["cost_usd"].sum()
    gw = res.summary.set_index("year")["it_gw"]
    return annual / gw / 1e6, annual.sum() / gw.sum() / 1e6


def test_cost_per_gw_is_annual_cost_over_it_gw(plan):
    fig = report.plot_costs(plan)
    ax = fig.axes[2]
    want, avg = expected_cost_per_gw(plan)
    b = bars(ax)
    assert list(b["label"].unique()) == ["annual cost per GW of IT"]
    np.testing.assert_allclose(b["x"], want.index)
    np.testing.assert_allclose(b["height"], want.to_numpy(), rtol=1e-9)
    mean = line(ax, f"plan average ({avg:,.0f})")
    np.testing.assert_allclose(mean.get_ydata(), [avg, avg], rtol=1e-9)


def test_cost_per_gw_with_gapped_years_is_not_divided_by_the_gap(gapped):
    """costs.cost_usd is the cost of one calendar year: a planning year that stands for two calendar years
    (2026 and 2028 here) shows its annual cost per GW, not half of it (the bug: 3,812 for 2026 instead of
    7,625)."""
    ax = report.plot_costs(gapped).axes[2]
    costs, summ = gapped.costs, gapped.summary
    heights = {round(p.get_x() + p.get_width() / 2): p.get_height() for p in ax.patches}
    assert sorted(heights) == [2026, 2028, 2030]
    for y in (2026, 2028, 2030):
        annual_usd = costs.loc[costs["year"] == y, "cost_usd"].sum()
        it_gw = float(summ.loc[summ["year"] == y, "it_gw"].iloc[0])
        assert annual_usd == pytest.approx(float(summ.loc[summ["year"] == y, "cost_usd"].iloc[0]), rel=1e-9)
        assert heights[y] == pytest.approx(annual_usd / it_gw / 1e6, rel=1e-9), y
    # the known figure for 2026: USD 15,250 million over 2 GW
    assert heights[2026] == pytest.approx(7_625, rel=1e-3)
    avg = sum(costs["cost_usd"]) / sum(summ["it_gw"]) / 1e6
    (mean,) = [li for li in ax.get_lines() if li.get_label().startswith("plan average")]
    assert mean.get_ydata()[0] == pytest.approx(avg, rel=1e-9)
    assert mean.get_label() == f"plan average ({avg:,.0f})"
    # the average lies between the cheapest and the dearest year
    assert min(heights.values()) <= avg <= max(heights.values())


def dispatch_want(res, site, year, period) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Power by tech (columns) and hour (index) at a site, year and period, the facility load and the hours."""
    d, sl = res.dispatch, res.slices
    sp = sl[sl["period"] == period].sort_values("slice")
    d = d[(d["site"] == site) & (d["year"] == year) & d["slice"].isin(sp["slice"])]
    t = d.pivot_table(index="slice", columns="tech", values="power_mw", aggfunc="sum").reindex(sp["slice"])\
        .fillna(0.0)
    hours = sp["hour"].to_numpy()
    load = -t.pop("facility_load").to_numpy()
    t.index = hours
    return t, load, hours


@pytest.mark.parametrize("case", ["toy", "us_regions_small"])
def test_dispatch_bars_and_load_are_the_dispatch_table(case, request):
    plan = request.getfixturevalue("res" if case == "toy" else "gapped")
    fig = report.plot_dispatch(plan)
    ax = fig.axes[0]
    # the defaults: the site with the most IT in the last year, its last open year, the heaviest period
    sites = plan.sites
    last = sites[(sites["open"] > 0) & (sites["year"] == sites.loc[sites["open"] > 0, "year"].max())]
    site = last.sort_values("it_mw", ascending=False, kind="stable")["site"].iloc[0]
    year = int(sites.loc[(sites["site"] == site) & (sites["open"] > 0), "year"].max())
    period = int(plan.slices.groupby("period")["weight_h"].mean().idxmax())
    assert f"Dispatch at {site} in {year}, representative day {period}" in ax.get_title()
    t, load, hours = dispatch_want(plan, site, year, period)
    b = bars(ax)
    atol = 1e-6 * max(1.0, float(np.abs(load).max()))
    for k in t.columns:
        v = t[k].to_numpy()
        name = k.replace("_", " ")
        pos = b[b["label"].str.startswith(name) & ~b["label"].str.endswith("(charge)")]
        neg = b[b["label"] == f"{name} (charge)"]
        got_pos = pos.set_index("left")["height"].reindex(hours, fill_value=0.0).to_numpy() if len(pos) else 0 * v
        got_neg = neg.set_index("left")["height"].reindex(hours, fill_value=0.0).to_numpy() if len(neg) else 0 * v
        np.testing.assert_allclose(got_pos, v.clip(min=0) * (v.clip(min=0) > 1e-9).any(), atol=atol, err_msg=k)
        np.testing.assert_allclose(got_neg, v.clip(max=0) * (v.clip(max=0) < -1e-9).any(), atol=atol, err_msg=k)
    fl = line(ax, "facility load")
    np.testing.assert_allclose(fl.get_xdata(), np.r_[hours, hours[-1] + 1])
    np.testing.assert_allclose(fl.get_ydata()[:-1], load, rtol=1e-9, atol=1e-9)
    # the bars meet the load: supply less charging is the facility load in every hour
    net = b.groupby("left")["height"].sum().reindex(hours, fill_value=0.0).to_numpy()
    np.testing.assert_allclose(net, load, atol=atol)
    assert len(hours) == 24 and (load > 0).all()


def test_dispatch_at_a_chosen_site_year_and_period(res):
    fig = report.plot_dispatch(res, site="midland", year=2027, period=1)
    check_figure(fig, "dispatch")
    ax = fig.axes[0]
    assert "midland in 2027" in ax.get_title() and "day 1" in ax.get_title()
    t, load, hours = dispatch_want(res, "midland", 2027, 1)
    fl = line(ax, "facility load")
    np.testing.assert_allclose(fl.get_ydata()[:-1], load)
    b = bars(ax)
    np.testing.assert_allclose(b.groupby("left")["height"].sum().reindex(hours, fill_value=0.0), load, atol=1e-6)
    assert fl.get_ydata()[-1] == load[-1]  # the step line holds the last hour to its end
    assert ax.get_xlim() == (hours[0], hours[-1] + 1)


def test_figures_draw_when_a_table_is_empty(res):
    empty = siting.Results(tables={**res.tables, "capacity": res.capacity.iloc[:0], "costs": res.costs.iloc[:0],
                                   "chips": res.chips.iloc[:0]},
                           status=res.status, objective=res.objective, mip_gap=res.mip_gap,
                           solve_seconds=res.solve_seconds, scenario=res.scenario, instance_name="empty")
    for name in ("capacity", "fleet", "costs"):
        fig = getattr(report, f"plot_{name}")(empty)
        check_figure(fig, name)
        for ax in fig.axes:
            assert all(abs(p.get_height()) < 1e-12 for p in ax.patches), (name, ax.get_title())
    fleet = report.plot_fleet(empty)
    assert legend_texts(fleet)[0] == "(nothing to show)"
    # the IT target is still drawn, from the summary
    np.testing.assert_allclose(line(fleet.axes[1], "IT target").get_ydata(), res.summary["target_it_gw"] * 1000.0)
    # costs: no cost, so a cost per GW of 0 every year and a plan average of 0
    costs = report.plot_costs(empty)
    assert [p.get_height() for p in costs.axes[2].patches] == [0.0] * res.summary["year"].nunique()
    np.testing.assert_array_equal(line(costs.axes[2], "plan average (0)").get_ydata(), [0.0, 0.0])


def test_save_figures_png_svg_and_pdf(res, tmp_path):
    paths = report.save_figures(res, tmp_path / "figs", formats=("png", "svg", "pdf"),
                                figures={"dispatch": report.plot_dispatch(res)})
    assert list(paths) == ["dispatch"]
    assert paths["dispatch"]["png"].read_bytes()[:8] == PNG_MAGIC
    assert paths["dispatch"]["svg"].read_text(encoding="utf-8").count("<svg") == 1
    assert paths["dispatch"]["pdf"].read_bytes()[:5] == b"%PDF-"


# -- the map -----------------------------------------------------------------------------------

def map_points(ax) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Offsets (lon, lat) of the hollow candidates, and offsets and sizes of the filled chosen sites."""
    colls = [c for c in ax.collections if isinstance(c, PathCollection)]
    hollow = [c for c in colls if np.allclose(c.get_facecolors()[:, 3], 0.0)]
    filled = [c for c in colls if c not in hollow]
    assert len(hollow) <= 1 and len(filled) <= 1, (len(hollow), len(filled))
    other = np.asarray(hollow[0].get_offsets()) if hollow else np.empty((0, 2))
    chosen = np.asarray(filled[0].get_offsets()) if filled else np.empty((0, 2))
    sizes = np.asarray(filled[0].get_sizes()) if filled else np.empty(0)
    return other, chosen, sizes


def test_map_points_are_the_sites(plan):
    fig = report.plot_map(plan)
    ax = fig.axes[0]
    s = plan.sites
    cand = s.groupby("site", sort=False)[["lon", "lat"]].first()
    opened = s[s["open"] > 0]
    it_max = opened.groupby("site")["it_mw"].max().sort_values(ascending=False, kind="stable")
    first = opened.groupby("site")["year"].min()
    other, chosen, sizes = map_points(ax)
    # every candidate once: the chosen ones filled, the others hollow
    assert len(other) + len(chosen) == len(cand)
    np.testing.assert_allclose(np.sort(other, axis=0),
                               np.sort(cand.drop(index=it_max.index)[["lon", "lat"]].to_numpy(), axis=0))
    at = {(round(lon, 6), round(lat, 6)): site for site, (lon, lat) in cand.iterrows()}
    drawn = [at[(round(x, 6), round(y, 6))] for x, y in chosen]
    assert sorted(drawn) == sorted(it_max.index)
    # marker area: 30 + 600 x the site's IT MW (largest over the years) / the largest IT MW; largest drawn first
    np.testing.assert_allclose(sizes, 30.0 + 600.0 * it_max[drawn].to_numpy() / it_max.max())
    assert (np.diff(sizes) <= 1e-9).all()
    # colour by first year: one colour per first year, and one legend entry for each
    filled = next(c for c in ax.collections if isinstance(c, PathCollection) and len(c.get_offsets()) == len(chosen)
                  and not np.allclose(c.get_facecolors()[:, 3], 0.0))
    by_year: dict[int, set] = {}
    for colour, site in zip(filled.get_facecolors(), drawn, strict=True):
        by_year.setdefault(int(first[site]), set()).add(tuple(np.round(colour, 4)))
    assert all(len(v) == 1 for v in by_year.values())
    assert len(set().union(*by_year.values())) == len(by_year)
    texts = legend_texts(fig)
    assert [t for t in texts if t.startswith("in service from")] == [f"in service from {y}" for y in sorted(by_year)]
    # every site named at its point, and inside the frame
    names = {t.get_text(): t.xy for t in ax.texts}
    for site, (lon, lat) in cand.iterrows():
        assert names[site] == pytest.approx((lon, lat))
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert x0 < cand["lon"].min() and cand["lon"].max() < x1
    assert y0 < cand["lat"].min() and cand["lat"].max() < y1
    assert ax.get_title().startswith(f"Sites: {len(it_max)} of {len(cand)} candidates chosen")


def test_map_of_the_toy(res):
    fig = report.plot_map(res)
    check_figure(fig, "map")
    texts = legend_texts(fig)
    assert "candidate, not chosen" in texts
    assert "in service from 2026" in texts
    assert any(t.endswith("MW IT") for t in texts)  # marker sizes
    other, chosen, sizes = map_points(fig.axes[0])
    assert len(chosen) == 1 and len(other) == res.sites["site"].nunique() - 1
    assert sizes == pytest.approx([630.0])  # the one chosen site is the largest


def test_map_outlines_zones_given_as_a_geodataframe(res):
    zones = gpd.GeoDataFrame({"zone": ["ERCOT", "PJM"]},
                             geometry=[box(-106.6, 25.8, -93.5, 36.5), box(-90.0, 36.5, -74.0, 42.3)],
                             crs="EPSG:4326").to_crs("EPSG:3857")  # any CRS; drawn in lon/lat
    fig = report.plot_map(res, zones=zones)
    check_figure(fig, "map with zones")
    assert "zone" in legend_texts(fig)
    ax = fig.axes[0]
    labels = {t.get_text(): t.xy for t in ax.texts}
    assert {"ERCOT", "PJM"} <= set(labels)
    # each zone's name inside its box, back in lon/lat
    assert -106.6 < labels["ERCOT"][0] < -93.5 and 25.8 < labels["ERCOT"][1] < 36.5
    assert -90.0 < labels["PJM"][0] < -74.0 and 36.5 < labels["PJM"][1] < 42.3
    assert ax.get_xlim()[0] <= -106.6 and ax.get_ylim()[1] >= 42.3
    # the sites are still drawn once each
    other, chosen, _ = map_points(ax)
    assert len(other) + len(chosen) == res.sites["site"].nunique()


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
    res = siting.solve(inst)
    fig = report.plot_map(res)
    check_figure(fig, "map (GeoJSON sites)")
    g = res.sites_geo()
    assert list(g["site"]) == list(sites["site"])
    np.testing.assert_allclose(g.geometry.x, sites["lon"].astype(float))
    np.testing.assert_allclose(g.geometry.y, sites["lat"].astype(float))
    assert {t.get_text() for t in fig.axes[0].texts} >= set(sites["site"])
