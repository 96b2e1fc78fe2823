"""Figures, the map and the HTML report (issues 4 and 17).

The toy is solved once for the module, through the command line (``siting solve toy --out
OUT --report``); the figure tests draw from that folder read back with ``read_results``, and
from us_regions_small (planning years 2026, 2028, 2030), solved once for the module too. The
figure tests compare what the Axes hold (bar heights, line data, marker positions and sizes) with
values computed from the result tables in the test.
"""

from __future__ import annotations

import base64
import html
import json
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
    """A Figure whose every axes has a title, x and y labels with units, and a legend (its own or the
    figure's), with plain tick labels: no offset ("1e6") and no power of ten."""
    assert isinstance(fig, Figure), what
    assert fig.axes, f"{what}: no axes"
    _agg(fig).draw()
    for ax in fig.axes:
        where = f"{what}, axes {ax.get_title()!r}"
        assert ax.get_title().strip(), f"{what}: an axes has no title"
        assert UNIT.search(ax.get_xlabel()), f"{where}: x label {ax.get_xlabel()!r} has no unit in brackets"
        assert UNIT.search(ax.get_ylabel()), f"{where}: y label {ax.get_ylabel()!r} has no unit in brackets"
        leg = ax.get_legend() or (fig.legends[0] if fig.legends else None)
        assert leg is not None, f"{where}: no legend"
        assert [t.get_text() for t in leg.get_texts() if t.get_text().strip()], f"{where}: empty legend"
        for axis in (ax.xaxis, ax.yaxis):
            assert axis.get_offset_text().get_text() == "", f"{where}: offset label {axis.get_offset_text()}"
            labels = [t.get_text() for t in axis.get_ticklabels()]
            assert not [t for t in labels if re.search(r"\de[+-]?\d|×10|\$\\times", t)], (where, labels)
    assert "USD million" not in " ".join(ax.get_ylabel() for ax in fig.axes), what


def _agg(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    return FigureCanvasAgg(fig)


def legend_texts(fig) -> list[str]:
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()] + list(fig.legends)
    return [t.get_text() for leg in legends for t in leg.get_texts()]


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
    for bad in ("<link", "<iframe", "@import", "url(", "fetch(", "xmlhttprequest", "import(", "<img src=\"http"):
        assert bad not in page.lower(), bad
    # scripts are inline: the map's, and its data
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts and all("src" not in attrs for attrs in scripts), scripts


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


def html_table(page: str, cls: str) -> pd.DataFrame:
    """The HTML table of class ``cls`` as text cells (bars dropped)."""
    m = re.search(rf'<table class="{cls}">(.*?)</table>', page, re.S)
    assert m, f"no table {cls}"
    heads = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th>(.*?)</th>", m.group(1))]
    rows = [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
            for r in re.findall(r"<tr>(.*?)</tr>", m.group(1).split("<tbody>")[1])]
    return pd.DataFrame(rows, columns=heads)


def num(text: str) -> float:
    return float(text.replace(",", "").replace("–", "nan"))


def test_html_summary_in_b_and_gw_with_both_costs_per_gw(res, page):
    t = html_table(page, "summary")
    s = res.summary
    assert list(t["year"].astype(int)) == list(s["year"])
    np.testing.assert_allclose(t["IT (GW)"].map(num), s["it_gw"], atol=0.005)
    np.testing.assert_allclose(t["cost ($B/yr, undiscounted)"].map(num), s["cost_usd"] / 1e9, rtol=0.01)
    np.testing.assert_allclose(t["cost per GW of IT ($B/GW-yr)"].map(num), s["cost_usd_per_gw_it_yr"] / 1e9,
                               rtol=0.01)
    np.testing.assert_allclose(t["capex per GW of IT ($B/GW)"].map(num), s["capex_usd_per_gw_it"] / 1e9, rtol=0.01)
    assert "compute target (EFLOPS)" not in t.columns  # none set in the toy
    per = siting.results.plan_per_gw(s)
    assert f"overnight capex ${per['capex_usd_per_gw_it'] / 1e9:,.2f} B per GW of IT commissioned" in page
    assert f"${per['cost_usd_per_gw_it_yr'] / 1e9:,.2f} B per GW-year of IT in service" in page
    assert "cost_usd_per_gw_it_yr" in page and "capex_usd_per_gw_it" in page


def test_html_sites_are_compact_and_capacity_has_its_own_table(res, page):
    sites = html_table(page, "sites")
    # one number a cell after site and zone: no list of technologies inside a cell
    assert sites.iloc[:, 2:].apply(lambda col: col.str.fullmatch(r"[\d,.–]+")).all().all(), sites
    assert "<br" not in page.split('<table class="sites">')[1].split("</table>")[0]
    cap = html_table(page, "capacity")
    last = res.capacity["year"].max()
    want = res.capacity[res.capacity["year"] == last].pivot_table(index="site", columns="tech",
                                                                 values="capacity_mw", aggfunc="sum").fillna(0.0)
    assert cap.columns[0] == f"site ({last})" and cap.columns[1] == "total (MW)"
    for _, row in cap.iterrows():
        site = row.iloc[0]
        for tech in want.columns:
            assert num(row[f"{tech} (MW)"]) == pytest.approx(want.at[site, tech], abs=0.5)
        assert num(row["total (MW)"]) == pytest.approx(want.loc[site].sum(), abs=0.5)
    assert '<span class="bar">' in page


def test_html_sections_for_binding_and_capex(res, page):
    assert 'id="binding"' in page and "What limits the plan" in page
    b = html_table(page, "binding")
    # the toy's hubs left closed (abilene, new_albany: no IT) price the decision not to open them: left out
    open_ = res.binding[~res.binding["where"].isin(["abilene", "new_albany"])]
    top = open_.sort_values(["year", "marginal_usd"], ascending=[True, False]).groupby("year").head(5)
    assert list(b["where"]) == list(top["where"])
    assert set(res.sites.loc[res.sites.it_mw > 0, "site"]) == {"midland"}
    assert b["value of one more (discounted)"].str.startswith("$").all()
    assert 'id="capex"' in page
    x = html_table(page, "capex")
    tot = res.capex.groupby("year")["overnight_usd"].sum() / 1e9
    np.testing.assert_allclose(x["total ($B)"].map(num), tot.to_numpy(), rtol=0.01)


def test_html_hourly_check_section_when_present(res):
    hc = pd.DataFrame({"site": ["midland", "midland"], "year": [2026, 2027], "unserved_mwh": [0.0, 1234.6],
                       "unserved_hours": [0, 7], "operating_cost_usd": [1.5e8, 2.5e8],
                       "plan_operating_cost_usd": [1.4e8, 2.4e8]})
    with_hc = siting.Results(tables={**res.tables, "hourly_check": hc}, status=res.status, objective=res.objective,
                             mip_gap=res.mip_gap, solve_seconds=res.solve_seconds, scenario=res.scenario,
                             instance_name="toy")
    page = report.report_html(with_hc, images={})
    t = html_table(page, "hourly")
    assert list(t.columns) == ["site", "year", "unserved (MWh)", "hours with unserved", "operating cost, 8760 h ($M)",
                               "operating cost, plan ($M)"]
    assert list(t["unserved (MWh)"]) == ["0", "1,235"] and list(t["hours with unserved"]) == ["0", "7"]
    assert list(t["operating cost, 8760 h ($M)"]) == ["150", "250"]
    assert 'id="hourly"' in report.report_html(with_hc, images={})
    without = report.report_html(res, images={})
    assert 'id="hourly"' not in without and 'id="binding"' in without


def test_html_without_binding_or_capex_has_no_such_section(res):
    bare = siting.Results(tables={k: v for k, v in res.tables.items() if k not in ("binding", "capex")},
                          status=res.status, objective=res.objective, mip_gap=res.mip_gap,
                          solve_seconds=res.solve_seconds, scenario=res.scenario, instance_name="toy")
    page = report.report_html(bare, images={})
    assert 'id="binding"' not in page and 'id="capex"' not in page and 'id="summary"' in page


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
    assert 'class="zone"' in (copy / "report.html").read_text(encoding="utf-8")  # the zones on the live map too


def test_report_subcommand_on_a_folder_that_is_not_results(tmp_path):
    p = run_cli("report", tmp_path, check=False)
    assert p.returncode == 2
    assert "not a results folder" in p.stderr
    assert not (tmp_path / "report.html").exists()


# -- the figure functions ----------------------------------------------------------------------
#
# The figures are checked against the result tables: each expected value is computed here from
# res.tables with pandas, independently of siting.report, and compared with what the Axes hold
# (bar patches, line data, scatter offsets and sizes). Power is drawn in GW and money in $B.

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
    atol = ATOL * scale + 1e-9 * float(want.abs().to_numpy().max(initial=0.0))
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


def test_units_people_read(res):
    """GW and $B on the axes, EFLOPS without an offset, even when the values are large."""
    big = siting.Results(tables={**res.tables, "chips": res.chips.assign(pflops=res.chips["pflops"] * 1e4)},
                         status=res.status, objective=res.objective, mip_gap=res.mip_gap,
                         solve_seconds=res.solve_seconds, scenario=res.scenario, instance_name="big")
    ylabels = {n: [ax.get_ylabel() for ax in getattr(report, f"plot_{n}")(big).axes]
               for n in ("capacity", "fleet", "costs")}
    assert all("(GW)" in y for y in ylabels["capacity"])
    assert ylabels["fleet"][1] == "IT load (GW)" and ylabels["fleet"][2] == "compute (EFLOPS)"
    assert ylabels["costs"] == ["cost, undiscounted ($B)", "cost, discounted ($B)",
                                "cost per GW of IT ($B per GW-year)"]
    fig = report.plot_fleet(big)
    check_figure(fig, "fleet with 10,000x the compute")
    labels = [t.get_text() for t in fig.axes[2].get_yticklabels()]
    assert any("," in t for t in labels), labels  # thousands separators, not "1e6"


def capacity_of(res, site_caps: dict) -> siting.Results:
    """``res`` with its capacity table replaced: site -> {tech: MW} in every year."""
    years = sorted(res.summary["year"])
    rows = [(s, k, y, mw) for s, caps in site_caps.items() for k, mw in caps.items() for y in years]
    cap = pd.DataFrame(rows, columns=["site", "tech", "year", "capacity_mw"])
    sites = pd.concat([res.sites.assign(site=s) for s in site_caps], ignore_index=True)
    return siting.Results(tables={**res.tables, "capacity": cap, "sites": sites}, status=res.status,
                          objective=res.objective, mip_gap=res.mip_gap, solve_seconds=res.solve_seconds,
                          scenario=res.scenario, instance_name="ranked")


def test_capacity_ranks_sites_by_total_and_shows_it(res):
    """The us_250gw case: every site's largest technology is 7,500 MW; the largest site in total (13 GW) is
    drawn first and named with its total, whatever the alphabet says."""
    caps = {f"a{i}": {"gas_cc": 7500.0} for i in range(6)}
    caps["shackelford_tx"] = {"gas_cc": 7500.0, "recip": 4000.0, "solar": 1500.0}
    caps["b_second"] = {"gas_cc": 7500.0, "recip": 2000.0}
    fig = report.plot_capacity(capacity_of(res, caps))
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0].startswith("All sites")
    assert titles[1] == "shackelford_tx (peak 13.0 GW)" and titles[2] == "b_second (peak 9.50 GW)"
    assert [t.split(" ")[0] for t in titles[3:]] == ["a0", "a1", "a2"]  # ties in site order
    assert "(3 more sites not shown)" in fig._suptitle.get_text()
    ax = fig.axes[1]
    stack_check(ax, pd.DataFrame({"gas_cc": 7500.0, "recip": 4000.0, "solar": 1500.0},
                                 index=sorted(res.summary["year"])), scale=1e-3)
    assert [t.get_text() for t in ax.texts] == ["13.0"] * res.summary["year"].nunique()  # the total on each bar
    assert report.figures.site_capacity_totals(capacity_of(res, caps)).iloc[0] == pytest.approx(13000.0)


def test_capacity_bars_are_the_capacity_table(plan):
    fig = report.plot_capacity(plan)
    cap = plan.capacity
    years = sorted(plan.summary["year"])
    total = cap.groupby(["site", "year"])["capacity_mw"].sum().groupby("site").max()
    order = {s: i for i, s in enumerate(dict.fromkeys(plan.sites["site"]))}
    ranked = sorted(total.index, key=lambda s: (-total[s], order[s]))[:5]
    assert [ax.get_title().split(" (")[0] for ax in fig.axes] == ["All sites"] + ranked
    assert len(fig.axes) >= 2  # the plans build something

    def want(df):
        return df.pivot_table(index="year", columns="tech", values="capacity_mw", aggfunc="sum").reindex(years)\
            .fillna(0.0).sort_index(axis=1)

    b = stack_check(fig.axes[0], want(cap), scale=1e-3)
    assert sorted(b["x"].round(6).unique()) == years  # a bar per planning year, at the year
    tot = b.groupby(b["x"].round(6))["height"].sum()
    np.testing.assert_allclose(tot.to_numpy(), cap.groupby("year")["capacity_mw"].sum().reindex(years, fill_value=0)
                               / 1e3, rtol=RTOL)
    for ax, s in zip(fig.axes[1:], ranked, strict=True):
        stack_check(ax, want(cap[cap["site"] == s]), scale=1e-3)
    assert fig.axes[0].get_xlim()[0] < years[0] < years[-1] < fig.axes[0].get_xlim()[1]


def test_capacity_of_the_toy_by_numbers(res):
    """The toy builds gas_ct at midland only: 150, 250 and 350 MW in 2026-2028, drawn in GW."""
    fig = report.plot_capacity(res)
    b = bars(fig.axes[0])
    np.testing.assert_allclose(series(b, "gas_ct").reindex([2026, 2027, 2028]), [0.150, 0.250, 0.350])
    assert "gas_ct" in legend_texts(fig)
    assert fig.axes[1].get_title() == "midland (peak 0.350 GW)"


def test_fleet_bars_and_targets_are_the_chips_and_summary_tables(plan):
    fig = report.plot_fleet(plan)
    ch, summ = plan.chips, plan.summary.set_index("year")
    years = sorted(summ.index)

    def want(col):
        return ch.pivot_table(index="year", columns="generation", values=col, aggfunc="sum").reindex(years)\
            .fillna(0.0)

    gens = list(ch.sort_values(["year", "generation"], kind="stable")["generation"].drop_duplicates())
    stack_check(fig.axes[0], want("units_in_service")[gens], scale=1e-3)
    b = stack_check(fig.axes[1], want("it_mw")[gens], scale=1e-3)
    stack_check(fig.axes[2], want("pflops")[gens], scale=1e-3)
    # the IT target line: the summary's targets in GW, at the planning years; the fleet meets it
    it = line(fig.axes[1], "IT target")
    np.testing.assert_allclose(it.get_xdata(), years)
    np.testing.assert_allclose(it.get_ydata(), summ["target_it_gw"].reindex(years), rtol=RTOL)
    fleet_gw = b.groupby(b["x"].round(6))["height"].sum().reindex(years)
    np.testing.assert_allclose(fleet_gw, summ["it_gw"].reindex(years), rtol=1e-6, atol=1e-6)
    assert (fleet_gw >= it.get_ydata() - 1e-6).all()
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
        b = stack_check(ax, want, scale=1e-9)
        total = b.groupby(b["x"].round(6))["height"].sum().reindex(years)
        np.testing.assert_allclose(total, c.groupby("year")[col].sum().reindex(years) / 1e9, rtol=RTOL)
    # undiscounted per year: the summary's cost
    b = bars(fig.axes[0])
    np.testing.assert_allclose(b.groupby(b["x"].round(6))["height"].sum().reindex(years),
                               plan.summary.set_index("year")["cost_usd"].reindex(years) / 1e9, rtol=1e-6)
    # discounted bars add up to the objective
    assert bars(fig.axes[1])["height"].sum() == pytest.approx(plan.objective / 1e9, rel=1e-6)
    texts = legend_texts(fig)
    for comp in c["component"].unique():
        assert comp in texts


def expected_cost_per_gw(res) -> tuple[pd.Series, float]:
    """$B per GW-year by planning year (annual cost less the soft-target penalty over IT GW), and the plan's
    figure (weighted by the calendar years each planning year stands for), from the costs and summary tables."""
    c = res.costs[res.costs["component"] != "shortfall"]
    annual = c.groupby("year")["cost_usd"].sum()
    gw = res.summary.set_index("year")["it_gw"]
    ys = sorted(gw.index)
    n = pd.Series(np.r_[np.diff(ys), 1], index=ys)
    return annual / gw / 1e9, (n * annual).sum() / (n * gw).sum() / 1e9


def test_cost_per_gw_is_annual_cost_over_it_gw(plan):
    fig = report.plot_costs(plan)
    ax = fig.axes[2]
    want, avg = expected_cost_per_gw(plan)
    b = bars(ax)
    assert list(b["label"].unique()) == ["annual cost per GW of IT"]
    np.testing.assert_allclose(b["x"], want.index)
    np.testing.assert_allclose(b["height"], want.to_numpy(), rtol=1e-9)
    mean = line(ax, f"plan ({avg:,.2f})")
    np.testing.assert_allclose(mean.get_ydata(), [avg, avg], rtol=1e-9)
    # the same numbers as the summary's column and the plan's figure of the same name
    np.testing.assert_allclose(b["height"], plan.summary["cost_usd_per_gw_it_yr"] / 1e9, rtol=1e-8)
    assert avg == pytest.approx(siting.results.plan_per_gw(plan.summary)["cost_usd_per_gw_it_yr"] / 1e9, rel=1e-8)


def test_cost_per_gw_with_gapped_years_is_not_divided_by_the_gap(gapped):
    """costs.cost_usd is the cost of one calendar year: a planning year that stands for two calendar years
    (2026 and 2028 here) shows its annual cost per GW, not half of it (the bug: 3.81 for 2026 instead of 7.62)."""
    ax = report.plot_costs(gapped).axes[2]
    costs, summ = gapped.costs, gapped.summary
    heights = {round(p.get_x() + p.get_width() / 2): p.get_height() for p in ax.patches}
    assert sorted(heights) == [2026, 2028, 2030]
    for y in (2026, 2028, 2030):
        annual_usd = costs.loc[costs["year"] == y, "cost_usd"].sum()
        it_gw = float(summ.loc[summ["year"] == y, "it_gw"].iloc[0])
        assert annual_usd == pytest.approx(float(summ.loc[summ["year"] == y, "cost_usd"].iloc[0]), rel=1e-9)
        assert heights[y] == pytest.approx(annual_usd / it_gw / 1e9, rel=1e-9), y
    # not halved: the bar is the annual cost over the GW, which is more than half the next year's
    assert heights[2026] > 0.5 * heights[2028]
    # the plan's figure weighs 2026 and 2028 twice (each stands for two calendar years), 2030 once
    n = {2026: 2, 2028: 2, 2030: 1}
    avg = (sum(n[y] * costs.loc[costs["year"] == y, "cost_usd"].sum() for y in n)
           / sum(n[y] * float(summ.loc[summ["year"] == y, "it_gw"].iloc[0]) for y in n) / 1e9)
    (mean,) = [li for li in ax.get_lines() if li.get_label().startswith("plan")]
    assert mean.get_ydata()[0] == pytest.approx(avg, rel=1e-9)
    assert min(heights.values()) <= avg <= max(heights.values())


# -- dispatch ----------------------------------------------------------------------------------

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


def check_panel(ax, plan, site, year, period, scale) -> set[str]:
    """The bars and the load line of one dispatch panel are the dispatch table; returns the series drawn."""
    t, load, hours = dispatch_want(plan, site, year, period)
    b = bars(ax)
    tiny = 1e-3 * np.abs(load).max()
    atol = 1e-6 * max(1.0, float(np.abs(load).max()))
    drawn = set()
    for k in t.columns:
        v = t[k].to_numpy()
        v = np.where(np.abs(v) >= tiny, v, 0.0)
        name = k.replace("_", " ")
        pos = b[b["label"].str.startswith(name) & ~b["label"].str.endswith("(charge)")]
        neg = b[b["label"] == f"{name} (charge)"]
        got_pos = pos.set_index("left")["height"].reindex(hours, fill_value=0.0).to_numpy() if len(pos) else 0 * v
        got_neg = neg.set_index("left")["height"].reindex(hours, fill_value=0.0).to_numpy() if len(neg) else 0 * v
        np.testing.assert_allclose(got_pos, v.clip(min=0) * scale, atol=atol * scale, err_msg=k)
        np.testing.assert_allclose(got_neg, v.clip(max=0) * scale, atol=atol * scale, err_msg=k)
        drawn |= set(pos["label"]) | set(neg["label"])
    fl = line(ax, "facility load")
    np.testing.assert_allclose(fl.get_xdata(), np.r_[hours, hours[-1] + 1])
    np.testing.assert_allclose(fl.get_ydata()[:-1], load * scale, rtol=1e-9, atol=1e-9)
    w = float(plan.slices.loc[plan.slices["period"] == period, "weight_h"].iloc[0])
    assert ax.get_title() == f"{site}, day {period} ({w:,.0f} days)"
    assert ax.get_xlabel() == "clock hour (h)"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["00:00", "06:00", "12:00", "18:00", "00:00"]
    return drawn | {"facility load"}


@pytest.mark.parametrize("case", ["toy", "us_regions_small"])
def test_dispatch_every_day_at_the_largest_sites(case, request):
    plan = request.getfixturevalue("res" if case == "toy" else "gapped")
    fig = report.plot_dispatch(plan)
    sites = plan.sites
    year = int(sites.loc[sites["open"] > 0, "year"].max())
    last = sites[(sites["open"] > 0) & (sites["year"] == year)]
    largest = list(last.sort_values("it_mw", ascending=False, kind="stable")["site"].iloc[:3])
    periods = sorted(plan.slices["period"].unique())
    assert len(fig.axes) == len(largest) * len(periods)
    load = plan.dispatch.query("tech == 'facility_load' and year == @year and site in @largest")["power_mw"]
    scale = 1e-3 if -load.min() >= 1000 else 1.0
    drawn = set()
    panels = iter(fig.axes)
    for s in largest:
        for p in periods:
            drawn |= check_panel(next(panels), plan, s, year, p, scale)
    # one legend for the figure, with the series drawn and nothing else
    assert not [ax for ax in fig.axes if ax.get_legend()]
    assert sorted(legend_texts(fig)) == sorted(drawn)
    assert fig.axes[0].get_ylabel() == f"power ({'GW' if scale < 1 else 'MW'})"
    assert f"Dispatch in {year}" in fig._suptitle.get_text()


def test_dispatch_at_a_chosen_site_year_and_period(res):
    fig = report.plot_dispatch(res, site="midland", year=2027, period=1)
    check_figure(fig, "dispatch")
    assert len(fig.axes) == 1
    check_panel(fig.axes[0], res, "midland", 2027, 1, 1.0)
    ax = fig.axes[0]
    t, load, hours = dispatch_want(res, "midland", 2027, 1)
    b = bars(ax)
    np.testing.assert_allclose(b.groupby("left")["height"].sum().reindex(hours, fill_value=0.0), load, atol=1e-6)
    assert ax.get_xlim() == (hours[0], hours[-1] + 1)


def test_dispatch_legend_lists_only_series_that_appear(res):
    """A series that is zero (or a hairline) in every panel has no legend entry."""
    d = res.dispatch.copy()
    extra = d[d["tech"] == "facility_load"].assign(tech="battery", power_mw=1e-7)
    plan = siting.Results(tables={**res.tables, "dispatch": pd.concat([d, extra], ignore_index=True)},
                          status=res.status, objective=res.objective, mip_gap=res.mip_gap,
                          solve_seconds=res.solve_seconds, scenario=res.scenario, instance_name="toy")
    texts = legend_texts(report.plot_dispatch(plan))
    assert not [t for t in texts if "battery" in t] and "facility load" in texts


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
    np.testing.assert_allclose(line(fleet.axes[1], "IT target").get_ydata(), res.summary["target_it_gw"])
    # costs: no cost, so a cost per GW of 0 every year and a plan figure of 0
    costs = report.plot_costs(empty)
    assert [p.get_height() for p in costs.axes[2].patches] == [0.0] * res.summary["year"].nunique()
    np.testing.assert_array_equal(line(costs.axes[2], "plan (0.00)").get_ydata(), [0.0, 0.0])


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


def site_labels(ax, sites) -> dict:
    """The annotations naming sites: name -> Annotation."""
    return {t.get_text(): t for t in ax.texts if t.get_text() in set(sites)}


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
    names = site_labels(ax, cand.index)
    for site, (lon, lat) in cand.iterrows():
        assert names[site].xy == pytest.approx((lon, lat))
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert x0 < cand["lon"].min() and cand["lon"].max() < x1
    assert y0 < cand["lat"].min() and cand["lat"].max() < y1
    assert ax.get_title().startswith(f"Sites: {len(it_max)} of {len(cand)} candidates chosen")


def test_map_draws_state_boundaries_and_shades_zones(plan):
    fig = report.plot_map(plan)
    ax = fig.axes[0]
    states = report.map.us_states()
    assert states is not None and len(states) >= 50  # shipped with the package: no network
    assert report.map.STATES_FILE.stat().st_size < 400_000
    patches = [c for c in ax.collections if not isinstance(c, PathCollection)]
    assert patches and len(patches[0].get_paths()) >= len(states)
    faces = {tuple(np.round(f, 3)) for f in patches[0].get_facecolors()}
    assert len(faces) >= 2  # the plain face and at least one zone's shade
    zones = list(dict.fromkeys(plan.sites["zone"]))
    shaded = report.map.zone_states(plan.sites_geo(), states)
    assert set(shaded) <= set(zones) and len(shaded) >= 1
    # each shaded zone is named on the map
    assert set(shaded) <= {t.get_text() for t in ax.texts}
    assert "zone (states with its sites)" in legend_texts(fig)


def test_map_labels_do_not_overlap(plan):
    fig = report.plot_map(plan)
    ax = fig.axes[0]
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(r) for t in ax.texts]
    assert len(boxes) >= plan.sites["site"].nunique()
    pairs = [(ax.texts[i].get_text(), ax.texts[j].get_text()) for i in range(len(boxes))
             for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]
    assert not pairs, pairs
    frame = ax.get_window_extent(r)
    assert all(frame.x0 - 1 <= b.x0 and b.x1 <= frame.x1 + 1 for b in boxes)


def test_label_placement_keeps_crowded_names_apart():
    """Twelve sites within a few pixels: every name gets its own place, with leader lines for those moved out."""
    from siting.report._labels import overlaps, place_labels

    rng = np.random.default_rng(3)
    xy = np.array([500.0, 300.0]) + rng.normal(scale=6.0, size=(12, 2))
    radius = np.full(12, 5.0)
    sizes = {i: (60.0 + 5 * i, 12.0) for i in range(12)}
    out = place_labels(xy, radius, sizes, (0.0, 0.0, 1000.0, 600.0))
    assert [p.index for p in out] == list(range(12))
    assert not overlaps(p.box for p in out)
    markers = [(x - 5, y - 5, x + 5, y + 5) for x, y in xy]
    assert not [p for p in out for m in markers if overlaps([p.box, m])]
    assert any(p.leader for p in out)


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
    # a regional map writes the state codes
    assert {"TX", "OH"} <= {t.get_text() for t in fig.axes[0].texts}


def test_map_outlines_zones_given_as_a_geodataframe(res):
    zones = gpd.GeoDataFrame({"zone": ["ERCOT", "PJM"]},
                             geometry=[box(-106.6, 25.8, -93.5, 36.5), box(-90.0, 36.5, -74.0, 42.3)],
                             crs="EPSG:4326").to_crs("EPSG:3857")  # any CRS; drawn in lon/lat
    fig = report.plot_map(res, zones=zones)
    check_figure(fig, "map with zones")
    assert "zone" in legend_texts(fig)
    ax = fig.axes[0]
    labels = {t.get_text(): t.get_position() for t in ax.texts}
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


def test_interactive_map_holds_every_site_with_its_plan(plan):
    from siting.report.interactive import interactive_map, site_plans

    frag = interactive_map(plan)
    circles = re.findall(r'<circle class="site (chosen|other)"[^>]*data-site="([^"]+)"[^>]*data-it-mw="([^"]+)"',
                         frag)
    g = plan.sites_geo()
    assert sorted(s for _, s, _ in circles) == sorted(g["site"])
    it = g.set_index("site")["it_mw"]
    for kind, s, mw in circles:
        assert (kind == "chosen") == bool(g.set_index("site").at[s, "chosen"])
        assert float(mw) == pytest.approx(it[s], rel=1e-5, abs=1e-6)
    assert len(re.findall(r'<path class="state"', frag)) >= 5
    data = json.loads(re.search(r'<script type="application/json" id="sitemap-data">(.*?)</script>', frag,
                                re.S).group(1))
    assert data == json.loads(json.dumps(site_plans(plan)))
    big = it.idxmax()
    want = plan.sites[plan.sites["site"] == big].set_index("year")["it_mw"]
    assert {int(y): v for y, v in data[big]["it_mw"].items()} == pytest.approx(want.to_dict(), abs=1e-3)
    cap = plan.capacity[(plan.capacity["site"] == big) & (plan.capacity["year"] == plan.capacity["year"].max())]
    assert data[big]["power_mw"] == pytest.approx(dict(zip(cap["tech"], cap["capacity_mw"], strict=True)), abs=1e-3)
    assert "wheel" in frag and "pointermove" in frag and "mouseover" in frag


# -- the report as a planner sees it: every bundled instance in headless Chromium, offline ------------------

def trimmed(name: str, dest: Path, n_years: int = 2) -> Path:
    """A copy of a bundled instance with its first ``n_years`` planning years only (rows of later years
    dropped from every table with a year column) and one typical day, to solve in seconds."""
    d = dest / name
    shutil.copytree(bundled_root() / name, d)
    toml = (d / "scenario.toml").read_text(encoding="utf-8")
    m = re.search(r"^years\s*=\s*\[([^\]]*)\]", toml, re.M)
    years = [int(y) for y in re.findall(r"\d{4}", m.group(1))][:n_years]
    toml = toml[:m.start()] + f"years = {years}" + toml[m.end():]
    (d / "scenario.toml").write_text(re.sub(r"^typical_days\s*=\s*\d+", "typical_days = 1", toml, flags=re.M),
                                     encoding="utf-8")
    for f in d.glob("*.csv"):
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        if "year" not in df.columns or not len(df):
            continue
        keep = df[(df["year"] == "") | df["year"].isin([str(y) for y in years])]
        if len(keep):
            keep.to_csv(f, index=False)
        else:
            f.unlink()
    return d


BUNDLED = ("toy", "us_regions_small", "ercot_campus", "us_250gw")


@pytest.fixture(scope="module")
def bundled_plans(tmp_path_factory, res, gapped) -> dict:
    """Every bundled instance solved: the small ones as they are, the large ones on their first two years
    (a 2 % gap)."""
    out = {"toy": res, "us_regions_small": gapped}
    dest = tmp_path_factory.mktemp("bundled")
    for name in BUNDLED[2:]:
        out[name] = siting.solve(siting.load_instance(trimmed(name, dest)), mip_gap=0.02, time_limit=120)
    assert set(out) == {p.name for p in bundled_root().iterdir() if (p / "scenario.toml").is_file()}
    return out


def chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    """Headless Chromium with the network off: every host unresolvable and a proxy that is not there."""
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
           "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
           "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
           f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def rgb_share(img: np.ndarray, colour: str, tol: int = 6) -> float:
    from matplotlib.colors import to_rgb

    want = np.array(to_rgb(colour)) * 255
    return float((np.abs(img[..., :3].astype(int) - want).max(axis=-1) <= tol).mean())


@pytest.mark.slow
@pytest.mark.parametrize("name", BUNDLED)
def test_report_in_headless_chromium_offline(name, bundled_plans, tmp_path):
    """Each bundled instance's report opened offline in Chromium: the live map draws its states and every site,
    hover shows the site's plan, zoom and pan work, the tables show the plan's numbers, and the screenshot
    holds the map's colours."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (install Debian's package: apt-get install -y chromium)")
    import os

    from matplotlib import image as mpimg

    from siting.report.map import STATE_FACE

    plan = bundled_plans[name]
    figures = {"map": report.plot_map(plan)}
    page = report.report_html(plan, figures=figures)
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    # the page after its script has run, and the script's own check of hover, zoom and pan
    p = chromium(["--virtual-time-budget=5000", "--window-size=1280,1600", "--dump-dom",
                  path.resolve().as_uri() + "#map-selftest"], tmp_path)
    assert p.returncode == 0, p.stderr[-2000:]
    dom = p.stdout
    svg = re.search(r"<svg [^>]*data-ready=\"1\"[^>]*>", dom)
    assert svg, "the map's script did not run"
    g = plan.sites_geo()
    assert int(re.search(r'data-sites="(\d+)"', svg.group(0)).group(1)) == len(g)
    assert int(re.search(r'data-states="(\d+)"', svg.group(0)).group(1)) >= 5
    check = json.loads(html.unescape(re.search(r'data-map-selftest="([^"]*)"', dom).group(1)))
    largest = g.loc[g["chosen"]].sort_values("it_mw", ascending=False, kind="stable")["site"].iloc[0]
    assert check["hover"] == largest and check["tip_shown"], check
    assert check["tip"].startswith(largest)
    last = plan.sites[(plan.sites["site"] == largest)].sort_values("year")["it_mw"].iloc[-1]
    assert f"{last:,.0f}" in check["tip"], (last, check["tip"])
    assert check["zoomed"] and check["zoom"] == pytest.approx(1.25) and check["panned"] and check["reset"], check
    # the summary table as drawn: the plan's IT GW and annual cost, year by year
    t = html_table(html.unescape(dom), "summary")
    np.testing.assert_allclose(t["IT (GW)"].map(num), plan.summary["it_gw"], rtol=0.01, atol=0.01)
    # the plan's own cost: with soft targets (us_250gw) the summary's cost_usd also holds the shortfall penalty
    cost = plan.summary["plan_cost_usd" if "plan_cost_usd" in plan.summary.columns else "cost_usd"]
    np.testing.assert_allclose(t["cost ($B/yr, undiscounted)"].map(num), cost / 1e9, rtol=0.01, atol=0.01)
    # a screenshot as a planner sees it: the map's state face and the first-year colour of the largest site
    shot = tmp_path / f"{name}.png"
    p = chromium(["--virtual-time-budget=5000", "--window-size=1280,2400", f"--screenshot={shot}",
                  path.resolve().as_uri()], tmp_path)
    assert p.returncode == 0 and shot.is_file(), p.stderr[-2000:]
    img = (mpimg.imread(shot) * 255).astype(np.uint8)
    assert img.shape[:2] == (2400, 1280)
    assert rgb_share(img, STATE_FACE) > 0.01  # the states of the live map
    fy = int(g.set_index("site").at[largest, "first_year"])
    colour = report.map._year_colours(sorted(plan.summary["year"]))[fy]
    assert rgb_share(img, colour, tol=12) > 1e-5  # the largest site's circle
    keep = os.environ.get("SITING_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)


def test_costs_leave_the_shortfall_penalty_out_and_say_so(tmp_path):
    """Soft targets: the penalty is no spending. The cost bars are the plan's costs (every component but
    ``shortfall``), the titles give the penalty's total, the summary table's cost is plan_cost_usd and the
    penalty has its own column."""
    from test_ux import toy_copy

    res = siting.solve(siting.load_instance(toy_copy(tmp_path, target_2027=1.0, soft=True)))
    c = res.costs
    pen = c[c["component"] == "shortfall"]
    assert pen["cost_usd"].sum() > 0
    spent = c[c["component"] != "shortfall"]
    years = sorted(res.summary["year"])
    fig = report.plot_costs(res)
    for ax, col in ((fig.axes[0], "cost_usd"), (fig.axes[1], "cost_usd_discounted")):
        want = spent.pivot_table(index="year", columns="component", values=col, aggfunc="sum").reindex(years)\
            .fillna(0.0).sort_index(axis=1)
        stack_check(ax, want, scale=1e-9)
        assert f"(shortfall penalty left out: ${pen[col].sum() / 1e9:,.0f} B)" in ax.get_title()
    assert "shortfall" not in legend_texts(fig)
    assert bars(fig.axes[1])["height"].sum() == pytest.approx((res.objective - pen["cost_usd_discounted"].sum())
                                                              / 1e9, rel=1e-6)
    t = report.tables.summary_table(res).set_index("year")
    s = res.summary.set_index("year")
    np.testing.assert_allclose(t["cost ($B/yr, undiscounted)"], s["plan_cost_usd"] / 1e9, rtol=1e-12)
    np.testing.assert_allclose(t["shortfall penalty ($B/yr, undiscounted)"], s["shortfall_penalty_usd"] / 1e9,
                               rtol=1e-12)
    np.testing.assert_allclose(t["cost, discounted ($B)"],
                               spent.groupby("year")["cost_usd_discounted"].sum().reindex(years) / 1e9, rtol=1e-12)
