"""The ``siting`` command, run as a subprocess (``python -m siting`` and the ``siting`` script).

list / validate / solve on the toy; corrupted copies of the toy make validate and solve exit 2
with one line per problem (file, column, row) on stderr, no traceback and no output folder;
an out-of-reach target and a missing path exit 2 with a plain message.

On failure the command prints a header line ``siting: <kind>:`` and then one indented line
per problem; "one line per problem" below counts the indented lines.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

TOY = Path(__file__).resolve().parents[1] / "instances" / "toy"
RESULT_FILES = ("sites.csv", "capacity.csv", "dispatch.csv", "chips.csv", "costs.csv", "emissions.csv",
                "summary.csv", "results.json")


def _script() -> str | None:
    """The ``siting`` console script of this interpreter's environment (else any on PATH)."""
    here = shutil.which("siting", path=str(Path(sys.executable).parent))
    return here or shutil.which("siting")


SCRIPT = _script()
LAUNCHERS: dict[str, list[str] | None] = {"module": [sys.executable, "-m", "siting"],
                                          "script": [SCRIPT] if SCRIPT else None}


def run(launcher: str, *args, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONWARNINGS="default")
    return subprocess.run([*LAUNCHERS[launcher], *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env=env)


def problem_lines(stderr: str) -> list[str]:
    """The indented problem lines under the error header ``siting: <kind>:`` (log lines left out)."""
    lines = stderr.splitlines()
    heads = [i for i, ln in enumerate(lines) if re.fullmatch(r"siting: [a-z ]+:", ln)]
    assert len(heads) == 1, stderr
    return [ln.strip() for ln in lines[heads[0] + 1:] if ln.startswith("  ") and ln.strip()]


def error_header(stderr: str) -> str:
    return next(ln for ln in stderr.splitlines() if re.fullmatch(r"siting: [a-z ]+:", ln))


def assert_no_traceback(p: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in p.stdout + p.stderr, p.stdout + p.stderr


# -- every command of this module, run once and concurrently (each one is mostly start-up time) -----

def _drop_column(d: Path) -> None:
    df = pd.read_csv(d / "sites.csv", dtype=str, keep_default_na=False)
    df.drop(columns="grid_year").to_csv(d / "sites.csv", index=False)


def _replace(fname: str, old: str, new: str):
    def edit(d: Path) -> None:
        text = (d / fname).read_text()
        assert old in text, (fname, old)
        (d / fname).write_text(text.replace(old, new, 1))
    return edit


def _drop_profile_hour(d: Path) -> None:
    lines = (d / "profiles.csv").read_text().splitlines(keepends=True)
    target = "PJM,grid_price,100,"
    (d / "profiles.csv").write_text("".join(ln for ln in lines if not ln.startswith(target)))


CORRUPTIONS = {
    # name: (edit, parts every reported line must hold: file, column, row or id)
    "dropped-column": (_drop_column, ("sites.csv", "'grid_year'", "missing")),
    "negative-capex": (_replace("techs.csv", "solar,generator,1484", "solar,generator,-1484"),
                       ("techs.csv", "column 'capex_usd_per_kw'", "row 2 (tech solar)", "negative")),
    "unknown-zone": (_replace("sites.csv", "new_albany,PJM", "new_albany,MISO"),
                     ("sites.csv", "column 'zone'", "row 3 (site new_albany)", "'MISO'")),
    "duplicate-site": (_replace("sites.csv", "midland,ERCOT", "abilene,ERCOT"),
                       ("sites.csv", "column 'site'", "row 2", "duplicate id 'abilene'")),
    "not-a-number": (_replace("zones.csv", "ERCOT,66.0", "ERCOT,cheap"),
                     ("zones.csv", "column 'grid_price_usd_per_mwh'", "row 1 (zone ERCOT)", "'cheap'")),
    "missing-profile-hour": (_drop_profile_hour,
                             ("profiles.csv", "column 'hour'", "zone PJM, profile grid_price", "100")),
}



def _jobs() -> dict[str, tuple[str, list, object]]:
    """name -> (launcher, arguments, how to prepare the working folder)."""
    jobs: dict[str, tuple[str, list, object]] = {}
    for launcher in LAUNCHERS:
        jobs[f"list-{launcher}"] = (launcher, ["list"], None)
        jobs[f"validate-{launcher}"] = (launcher, ["validate", "toy"], None)
        jobs[f"solve-{launcher}"] = (launcher, ["solve", "toy", "--out", "OUT"], None)
    for name, (edit, _parts) in CORRUPTIONS.items():
        jobs[f"validate-{name}"] = ("module", ["validate", "bad"], edit)
        jobs[f"solve-{name}"] = ("module", ["solve", "bad", "--out", "OUT"], edit)
    jobs["solve-unknown-zone-script"] = ("script", ["solve", "bad", "--out", "OUT"], CORRUPTIONS["unknown-zone"][0])
    jobs["solve-infeasible"] = ("module", ["solve", "bad", "--out", "OUT"],
                                _replace("targets.csv", "2026,0.1", "2026,1000"))
    jobs["validate-missing-path"] = ("module", ["validate", "no/such/folder"], None)
    jobs["solve-missing-path"] = ("module", ["solve", "no/such/folder", "--out", "OUT"], None)
    return {k: v for k, v in jobs.items() if LAUNCHERS[v[0]] is not None}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[subprocess.CompletedProcess, Path, list[str]]]:
    """name -> (finished process, its working folder, the folder's listing before the run)."""
    prepared = {}
    for name, (launcher, args, edit) in _jobs().items():
        cwd = tmp_path_factory.mktemp(name)
        if edit is not None:
            shutil.copytree(TOY, cwd / "bad")
            edit(cwd / "bad")
        prepared[name] = (launcher, args, cwd, sorted(q.name for q in cwd.iterdir()))
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(run, launcher, *args, cwd=cwd)
                   for name, (launcher, args, cwd, _before) in prepared.items()}
        return {name: (f.result(), prepared[name][2], prepared[name][3]) for name, f in futures.items()}


def get(runs, name):
    if name not in runs:
        pytest.skip("the siting console script is not installed")
    return runs[name]


# -- the happy path --------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("launcher", list(LAUNCHERS))
def test_list(runs, launcher):
    p, _, _ = get(runs, f"list-{launcher}")
    assert p.returncode == 0, p.stderr
    names = [ln.split()[0] for ln in p.stdout.splitlines() if ln.strip()]
    assert "toy" in names
    assert_no_traceback(p)


@pytest.mark.slow
@pytest.mark.parametrize("launcher", list(LAUNCHERS))
def test_validate_toy(runs, launcher):
    p, _, _ = get(runs, f"validate-{launcher}")
    assert p.returncode == 0, p.stderr
    assert "toy: valid" in p.stdout
    assert_no_traceback(p)


@pytest.mark.slow
@pytest.mark.parametrize("launcher", list(LAUNCHERS))
def test_solve_toy_writes_tables(runs, launcher):
    p, cwd, _ = get(runs, f"solve-{launcher}")
    out = cwd / "OUT"
    assert p.returncode == 0, p.stderr
    assert_no_traceback(p)
    assert "toy: optimal" in p.stdout
    for name in RESULT_FILES:
        assert (out / name).is_file(), name
    meta = json.loads((out / "results.json").read_text())
    assert meta["status"] == "optimal"
    costs = pd.read_csv(out / "costs.csv")
    assert costs["cost_usd_discounted"].sum() == pytest.approx(meta["objective_usd"], rel=1e-6)
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["year"]) == [2026, 2027, 2028]
    assert (summary["it_gw"] >= summary["target_it_gw"] - 1e-6).all()
    # no temporary folder left beside the output
    assert sorted(q.name for q in cwd.iterdir()) == ["OUT"]


# -- corrupted instances ---------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("command", ["validate", "solve"])
@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_corrupted_instance_exits_2(runs, corruption, command):
    p, cwd, before = get(runs, f"{command}-{corruption}")
    parts = CORRUPTIONS[corruption][1]
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert_no_traceback(p)
    assert p.stdout == ""
    assert error_header(p.stderr) == "siting: invalid instance:"
    lines = problem_lines(p.stderr)
    assert len(lines) == 1, p.stderr
    assert all(part in lines[0] for part in parts), (parts, lines[0])
    assert sorted(q.name for q in cwd.iterdir()) == before, "an output folder was written"


@pytest.mark.slow
def test_corrupted_instance_script(runs):
    """The console script reports the same way (one corruption is enough)."""
    p, cwd, before = get(runs, "solve-unknown-zone-script")
    assert p.returncode == 2, p.stderr
    assert_no_traceback(p)
    assert problem_lines(p.stderr) == ["sites.csv: column 'zone', row 3 (site new_albany): unknown zone 'MISO' "
                                       "(not in zones.csv)"]
    assert sorted(q.name for q in cwd.iterdir()) == before


# -- out of reach, missing path --------------------------------------------------------------------

@pytest.mark.slow
def test_infeasible_target(runs):
    p, cwd, before = get(runs, "solve-infeasible")
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert_no_traceback(p)
    assert error_header(p.stderr) == "siting: infeasible:"
    lines = [ln for ln in problem_lines(p.stderr) if "2026" in ln]
    assert lines, p.stderr
    # the most 2026 allows: abilene 200 MW + midland 300 MW (new_albany opens in 2027)
    m = re.search(r"is ([\d,]+(?:\.\d+)?) MW\s*$", lines[0])
    assert m, lines[0]
    assert float(m.group(1).replace(",", "")) == pytest.approx(500.0)
    assert "year 2026" in lines[0] and "1,000,000 MW" in lines[0]
    assert sorted(q.name for q in cwd.iterdir()) == before


@pytest.mark.slow
@pytest.mark.parametrize("command", ["validate", "solve"])
def test_missing_path(runs, command):
    p, cwd, before = get(runs, f"{command}-missing-path")
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert_no_traceback(p)
    lines = problem_lines(p.stderr)
    assert len(lines) == 1, p.stderr
    assert "no/such/folder" in lines[0] and "no such folder" in lines[0]
    assert sorted(q.name for q in cwd.iterdir()) == before
