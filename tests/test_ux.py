"""What a new user meets (issue 17): validate's exit code, output folders, the summary that answers, values
without floating-point noise, running the README's first command twice, and plain messages.

The command-line runs are subprocesses (``python -m siting``), started together for the module; the rest
runs in-process on the toy, solved once.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import siting
from siting.results import OutputFolderError, check_out_folder, clean_table, clean_values, plan_per_gw

TOY = Path(__file__).resolve().parents[1] / "instances" / "toy"


def toy_copy(dest: Path, target_2027: float | None = None, soft: bool = False, drop: str | None = None) -> Path:
    d = dest / "case"
    shutil.copytree(TOY, d)
    if target_2027 is not None:
        t = pd.read_csv(d / "targets.csv")
        t.loc[t["year"] == 2027, "it_gw"] = target_2027
        t.to_csv(d / "targets.csv", index=False)
    if soft:
        with open(d / "scenario.toml", "a", encoding="utf-8") as fh:
            fh.write('\n[targets]\nmode = "soft"\n')
    if drop:
        (d / drop).unlink()
    return d


def _run(args, cwd: Path, umask: int | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "siting", *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env=dict(os.environ, PYTHONWARNINGS="default"),
                          umask=-1 if umask is None else umask)


def _twice(cwd: Path) -> list[subprocess.CompletedProcess]:
    """The README's first command, twice in a row, then once more on a folder that holds no results."""
    first = _run(["solve", "toy", "--out", "out/"], cwd)
    stamp = (cwd / "out" / "results.json").stat().st_mtime_ns if first.returncode == 0 else None
    (cwd / "out" / "stale.txt").write_text("from the first run")
    second = _run(["solve", "toy", "--out", "out/"], cwd)
    notes = cwd / "notes"
    notes.mkdir()
    (notes / "a.txt").write_text("keep")
    refused = _run(["solve", "toy", "--out", "notes", "--quiet"], cwd)
    forced = _run(["solve", "toy", "--out", "notes", "--force", "--quiet"], cwd)
    return [first, second, refused, forced, stamp]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """name -> (process, working folder): every command of this module, run concurrently."""
    jobs = {}
    d = tmp_path_factory.mktemp("hard")
    jobs["validate-hard"] = (["validate", toy_copy(d, target_2027=1.0)], d)
    d = tmp_path_factory.mktemp("soft")
    jobs["validate-soft"] = (["validate", toy_copy(d, target_2027=1.0, soft=True)], d)
    d = tmp_path_factory.mktemp("missing")
    jobs["validate-missing-file"] = (["validate", toy_copy(d, drop="techs.csv")], d)
    d = tmp_path_factory.mktemp("report")
    jobs["report-missing-folder"] = (["report", d / "no_such_results"], d)
    d = tmp_path_factory.mktemp("list")
    jobs["list"] = (["list"], d)
    d = tmp_path_factory.mktemp("umask")
    jobs["solve-umask"] = (["solve", "toy", "--out", "out", "--quiet"], d)
    twice = tmp_path_factory.mktemp("twice")
    with ThreadPoolExecutor(max_workers=3) as pool:
        futs = {k: pool.submit(_run, args, cwd, 0o027 if k == "solve-umask" else None)
                for k, (args, cwd) in jobs.items()}
        fut_twice = pool.submit(_twice, twice)
        out = {k: (f.result(), jobs[k][1]) for k, f in futs.items()}
        out["twice"] = (fut_twice.result(), twice)
    return out


@pytest.fixture(scope="module")
def res():
    return siting.solve(siting.load_instance("toy"))


def no_traceback(p) -> None:
    assert "Traceback" not in p.stdout + p.stderr, p.stdout + p.stderr


# -- 3: validate exits 2 on a hard target out of reach, 0 with a note when targets are soft ----------------------

@pytest.mark.slow
def test_validate_exits_2_on_a_hard_target_out_of_reach(runs):
    p, _ = runs["validate-hard"]
    assert p.returncode == 2, (p.stdout, p.stderr)
    no_traceback(p)
    assert "valid" not in p.stdout
    lines = p.stderr.splitlines()
    assert "siting: infeasible:" in lines
    problem = next(ln for ln in lines if "year 2027" in ln)
    assert "250 MW out of reach" in problem and problem.rstrip().endswith("is 750 MW")
    assert any('mode = "soft"' in ln for ln in lines)


@pytest.mark.slow
def test_validate_notes_a_soft_target_out_of_reach_and_exits_0(runs):
    p, _ = runs["validate-soft"]
    assert p.returncode == 0, p.stderr
    no_traceback(p)
    assert ": valid (" in p.stdout
    notes = [ln for ln in p.stdout.splitlines() if ln.startswith("note:")]
    assert any("year 2027" in ln and "250 MW out of reach" in ln for ln in notes), p.stdout
    assert any("soft" in ln and "shortfall" in ln for ln in notes)


# -- 4: output folders take the user's umask -----------------------------------------------------------------

def test_results_folder_has_the_umask_mode(res, tmp_path):
    old = os.umask(0o022)
    try:
        a = res.to_folder(tmp_path / "a")
        os.umask(0o077)
        b = res.to_folder(tmp_path / "b")
        os.umask(0o002)
        res.to_folder(a)  # replacing earlier results: the new folder's mode, from the umask now
    finally:
        os.umask(old)
    assert stat.S_IMODE(a.stat().st_mode) == 0o775
    assert stat.S_IMODE(b.stat().st_mode) == 0o700
    assert stat.S_IMODE((a / "summary.csv").stat().st_mode) == 0o664


@pytest.mark.slow
def test_cli_output_folder_has_the_umask_mode(runs):
    p, cwd = runs["solve-umask"]
    assert p.returncode == 0, p.stderr
    assert stat.S_IMODE((cwd / "out").stat().st_mode) == 0o750  # umask 027, as mkdir would make it
    assert stat.S_IMODE((cwd / "out" / "sites.csv").stat().st_mode) == 0o640


# -- 5: the summary answers the planner's questions, with one meaning of "cost per GW" ----------------------------

def test_summary_has_both_costs_per_gw(res):
    s = res.summary
    assert {"capex_usd", "it_gw_installed", "capex_usd_per_gw_it", "cost_usd_per_gw_it_yr"} <= set(s.columns)
    np.testing.assert_allclose(s["capex_usd_per_gw_it"], s["capex_usd"] / s["it_gw_installed"], rtol=1e-8)
    np.testing.assert_allclose(s["cost_usd_per_gw_it_yr"], s["cost_usd"] / s["it_gw"], rtol=1e-8)
    per = plan_per_gw(s)
    assert per["capex_usd_per_gw_it"] == pytest.approx(s["capex_usd"].sum() / s["it_gw_installed"].sum(), rel=1e-8)
    # the toy's years are consecutive: each stands for one calendar year
    assert per["cost_usd_per_gw_it_yr"] == pytest.approx(s["cost_usd"].sum() / s["it_gw"].sum(), rel=1e-8)


def test_plan_cost_per_gw_weighs_the_calendar_years_of_each_planning_year():
    s = pd.DataFrame({"year": [2026, 2028, 2030], "it_gw": [1.0, 2.0, 4.0], "cost_usd": [10e9, 30e9, 40e9],
                      "capex_usd": [50e9, 60e9, 90e9], "it_gw_installed": [1.0, 1.0, 2.0]})
    per = plan_per_gw(s)
    assert per["cost_usd_per_gw_it_yr"] == pytest.approx((2 * 10e9 + 2 * 30e9 + 40e9) / (2 * 1 + 2 * 2 + 4))
    assert per["capex_usd_per_gw_it"] == pytest.approx(200e9 / 4.0)


def test_cost_per_gw_leaves_out_the_soft_target_penalty(tmp_path):
    res = siting.solve(siting.load_instance(toy_copy(tmp_path, target_2027=1.0, soft=True)))
    s = res.summary.set_index("year")
    pen = res.costs[res.costs["component"] == "shortfall"].groupby("year")["cost_usd"].sum()
    assert pen.get(2027, 0.0) > 0
    spent = s["cost_usd"] - pen.reindex(s.index, fill_value=0.0)
    np.testing.assert_allclose(s["cost_usd_per_gw_it_yr"], spent / s["it_gw"], rtol=1e-8)


@pytest.mark.slow
def test_cli_prints_the_answers(runs):
    p, cwd = runs["twice"][0][0], runs["twice"][1]
    out = p.stdout
    lines = out.splitlines()
    s = pd.read_csv(cwd / "out" / "summary.csv")
    head = next(ln for ln in lines if ln.split()[:1] == ["year"])
    for col in ("IT GW", "target", "EFLOPS", "cost $B/yr", "$B/GW-yr", "capex $B", "capex $B/GW", "ktCO2"):
        assert col in head, head
    rows = {int(ln.split()[0]): ln.split() for ln in lines if re.match(r"\s*20\d\d\s", ln)}
    assert sorted(rows) == list(s["year"])
    for r in s.itertuples():
        got = rows[r.year]
        assert got[1] == f"{r.it_gw:,.3f}" and got[2] == f"{r.target_it_gw:,.3f}"
        assert got[4] == f"{r.cost_usd / 1e9:,.2f}" and got[5] == f"{r.cost_usd_per_gw_it_yr / 1e9:,.2f}"
        assert got[6] == f"{r.capex_usd / 1e9:,.2f}" and got[7] == f"{r.capex_usd_per_gw_it / 1e9:,.2f}"
    assert "undiscounted" in out and "cost_usd_per_gw_it_yr" in out and "capex_usd_per_gw_it" in out
    per = plan_per_gw(s)
    assert (f"overnight capex ${per['capex_usd_per_gw_it'] / 1e9:,.2f} B per GW of IT commissioned; "
            f"${per['cost_usd_per_gw_it_yr'] / 1e9:,.2f} B per GW-year of IT in service (undiscounted)") in out
    # the binding limits, in words
    from siting.model.binding import at_open_hubs, limits_in_words

    back = siting.read_results(cwd / "out")
    assert "what limits the plan (value of one more unit, discounted; hubs left closed left out):" in out
    assert "abilene" not in out.split("what limits the plan")[1]  # the toy leaves abilene closed
    for line in limits_in_words(at_open_hubs(back.binding, back.sites)):
        assert f"  {line}" in lines


def test_cli_summary_shows_the_compute_target_when_set(res):
    from siting.cli import _fmt_summary

    s = res.summary.assign(target_eflops=[200.0, 800.0, 1400.0])
    with_target = siting.Results(tables={**res.tables, "summary": s}, status=res.status, objective=res.objective,
                                 mip_gap=res.mip_gap, solve_seconds=res.solve_seconds, scenario=res.scenario)
    text = _fmt_summary(with_target)
    head = text.splitlines()[0].split()
    assert head[:6] == ["year", "IT", "GW", "target", "EFLOPS", "target"]
    row = next(ln for ln in text.splitlines() if ln.strip().startswith("2027")).split()
    assert row[3] == f"{s['eflops'].iloc[1]:,.1f}" and row[4] == "800.0"
    assert _fmt_summary(res).splitlines()[0].split()[:6] == ["year", "IT", "GW", "target", "EFLOPS", "cost"]


def test_scenario_summary_uses_the_same_names(res):
    from siting.sweep.results import SweepResults
    from siting.sweep.spec import Scenario

    sr = SweepResults.combine([Scenario("base"), Scenario("lost")], {"base": res}, {"lost": "failed on purpose"})
    ss = sr.scenario_summary.set_index("scenario")
    assert "cost_usd_per_gw" not in ss.columns
    per = plan_per_gw(res.summary)
    assert ss.at["base", "capex_usd_per_gw_it"] == pytest.approx(per["capex_usd_per_gw_it"])
    assert ss.at["base", "cost_usd_per_gw_it_yr"] == pytest.approx(per["cost_usd_per_gw_it_yr"])
    assert np.isnan(ss.at["lost", "capex_usd_per_gw_it"]) and np.isnan(ss.at["lost", "cost_usd_per_gw_it_yr"])
    ax = sr.plot_costs().axes[1]
    assert ax.get_xlabel() == "annual cost per GW of IT in service, undiscounted ($B per GW-year)"


def test_docs_define_cost_per_gw_once():
    text = (Path(__file__).resolve().parents[1] / "docs" / "data-format.md").read_text(encoding="utf-8")
    for col in ("capex_usd_per_gw_it", "cost_usd_per_gw_it_yr"):
        assert re.search(rf"^\| {col} \| float \|", text, re.M), col


# -- 6: no floating-point noise --------------------------------------------------------------------------------

def test_clean_values_snaps_and_rounds():
    got = clean_values([1999.9999999999986, -9.09e-13, 2.2e-16, 0.1 + 0.2, -0.0, np.nan, np.inf, 2 / 3,
                        1.7976931348623157e308, 123456.789012345678, -5e-9])
    want = [2000.0, 0.0, 0.0, 0.3, 0.0, np.nan, np.inf, 0.6666666667, 1.7976931348623157e308, 123456.789, -5e-9]
    np.testing.assert_array_equal(got, want)
    assert not np.signbit(got[4])
    assert [repr(float(v)) for v in got[:4]] == ["2000.0", "0.0", "0.0", "0.3"]
    rng = np.random.default_rng(0)
    x = rng.normal(size=2000) * 10.0 ** rng.integers(-6, 12, 2000)
    y = clean_values(x)
    np.testing.assert_array_equal(clean_values(y), y)  # idempotent
    big = np.abs(x) >= 1e-9
    assert (np.abs(y - x)[big] <= 5e-10 * np.abs(x[big])).all()  # within a relative 1e-9


def test_results_are_cleaned_when_made(res):
    noisy = res.sites.assign(it_mw=res.sites["it_mw"] + np.where(res.sites["it_mw"] > 0, -1.4e-13, -9.09e-13))
    summ = res.summary.assign(clean_share=2.2e-16)
    r = siting.Results(tables={**res.tables, "sites": noisy, "summary": summ}, status=res.status,
                       objective=res.objective, mip_gap=res.mip_gap, solve_seconds=res.solve_seconds)
    pd.testing.assert_series_equal(r.sites["it_mw"], res.sites["it_mw"])
    assert (r.summary["clean_share"] == 0.0).all()
    assert clean_table(r.sites) is r.sites  # nothing left to clean: the same frame


def _is_clean(df: pd.DataFrame) -> list[str]:
    bad = []
    for c in df.columns:
        if df[c].dtype == np.float64:
            v = df[c].to_numpy()
            if not np.array_equal(clean_values(v), v, equal_nan=True):
                bad.append(c)
    return bad


def test_every_table_is_clean_at_extraction(res, tmp_path):
    from siting.model.extract import extract_tables

    m = siting.build_model(siting.load_instance("toy"))
    siting.solve(m)
    for name, df in extract_tables(m).items():
        assert not _is_clean(df), (name, _is_clean(df))
    for name, df in res.tables.items():
        assert not _is_clean(df), (name, _is_clean(df))
    out = res.to_folder(tmp_path / "out")
    for f in out.glob("*.csv"):
        text = f.read_text()
        assert not re.search(r"\d\.\d*(?:0{6,}[1-9]|9{6,})\d*", text), (f.name, re.search(r".{20}(?:0{6,}[1-9]|9{6,})"
                                                                                        r".{5}", text))
        assert not re.search(r"\de-(?:1\d|[2-9]\d)\b", text), f.name


# -- 15: the README's first command twice ------------------------------------------------------------------------

@pytest.mark.slow
def test_readme_first_command_twice_replaces_the_results(runs):
    (first, second, refused, forced, stamp), cwd = runs["twice"]
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    no_traceback(second)
    out = cwd / "out"
    assert (out / "results.json").stat().st_mtime_ns != stamp
    assert not (out / "stale.txt").exists()  # replaced as a whole
    assert sorted(p.name for p in cwd.iterdir()) == ["notes", "out"]  # no temporary folder left beside it
    # a folder that holds no results needs --force, and the message names the flag
    assert refused.returncode == 2, refused.stderr
    no_traceback(refused)
    assert "--force" in refused.stderr and "overwrite=True" not in refused.stderr
    assert "building the model" not in refused.stderr  # refused before solving
    assert forced.returncode == 0, forced.stderr
    assert (cwd / "notes" / "results.json").is_file() and not (cwd / "notes" / "a.txt").exists()


def test_force_never_replaces_the_working_or_home_folder(res, tmp_path, monkeypatch):
    (tmp_path / "mine.txt").write_text("keep")
    monkeypatch.chdir(tmp_path)
    for p in (tmp_path, Path.cwd().parent if Path.cwd().parent != Path("/") else tmp_path):
        with pytest.raises(OutputFolderError, match="never replaced"):
            check_out_folder(p, force=True)
    with pytest.raises(OutputFolderError, match="never replaced"):
        res.to_folder(".", force=True)
    assert (tmp_path / "mine.txt").read_text() == "keep"
    with pytest.raises(OutputFolderError, match=r"force=True"):
        sub = tmp_path / "notes"
        sub.mkdir()
        (sub / "x").write_text("x")
        res.to_folder(sub)


# -- 19: messages ------------------------------------------------------------------------------------------------

def test_warning_prints_the_message_alone(caplog):
    import logging

    from siting.cli import _show_warning
    from siting.data import DataWarning

    with caplog.at_level(logging.WARNING, logger="siting"):
        _show_warning(DataWarning("profiles wind are used by no tech"), DataWarning, "/x/siting/data/builder.py",
                      225, line="rows = read_ninja(src)")
    assert [r.getMessage() for r in caplog.records] == ["warning: profiles wind are used by no tech"]
    text = warnings.formatwarning("profiles wind are used by no tech", DataWarning, "/x/siting/data/builder.py",
                                  225, "rows = read_ninja(src)")
    assert text == "DataWarning: profiles wind are used by no tech\n"
    p = subprocess.run([sys.executable, "-W", "default", "-c",
                        "import siting.data._common as c\ndef f():\n    c.warn('sites: 2 sites moved')\nf()"],
                       capture_output=True, text=True, timeout=120)
    assert p.stderr.strip() == "DataWarning: sites: 2 sites moved", p.stderr


@pytest.mark.slow
def test_missing_file_names_its_folder(runs):
    p, cwd = runs["validate-missing-file"]
    assert p.returncode == 2
    no_traceback(p)
    assert f"  {cwd / 'case' / 'techs.csv'}: missing file" in p.stderr.splitlines(), p.stderr


@pytest.mark.slow
def test_report_on_a_folder_that_does_not_exist(runs):
    p, cwd = runs["report-missing-folder"]
    assert p.returncode == 2
    no_traceback(p)
    assert f"{cwd / 'no_such_results'}: no such folder" in p.stderr


@pytest.mark.slow
def test_list_fits_in_100_characters(runs):
    p, _ = runs["list"]
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert len(lines) == len(siting.instance.bundled_instances())
    assert all(len(ln) <= 100 for ln in lines), max(lines, key=len)
    assert {ln.split()[0] for ln in lines} >= {"toy", "us_250gw"}


def test_limits_at_hubs_left_closed_are_left_out():
    """A closed hub's limits (no IT that year) leave the table; an open hub's and the site-free rows stay."""
    import pandas as pd

    from siting.model.binding import at_open_hubs

    b = pd.DataFrame({"constraint": ["IT_Module_Limit", "Cap_Site_Limit", "IT_Target", "Grid_Import_Limit"],
                      "year": [2030, 2030, 2030, 2031], "where": ["closed", "gas / closed", "all", "open"],
                      "marginal_usd": [1e9, 4e8, 3e5, 1e4]})
    sites = pd.DataFrame({"site": ["closed", "open", "closed", "open"], "year": [2030, 2030, 2031, 2031],
                          "it_mw": [0.0, 500.0, 0.0, 600.0]})
    kept = at_open_hubs(b, sites)
    assert kept.constraint.tolist() == ["IT_Target", "Grid_Import_Limit"]
