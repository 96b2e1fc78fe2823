"""The light install (issue 17, point 14): ``pip install siting`` brings what solving and reporting need,
the rest comes with extras, and a missing extra is named in one line with the command that installs it.

The plain install is checked by hiding the optional packages from a fresh interpreter (a finder first
on ``sys.meta_path`` fails their imports as if they were absent): the toy solves, its tables and report
are written, and each optional feature then says which extra it needs. (The size and time of a real
plain install against ``.[dev]`` are measured by hand, in fresh virtual environments.)
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: optional packages (import names) that the plain install does not bring
OPTIONAL = ["dask", "distributed", "pvlib", "openpyxl", "pyarrow", "hypothesis"]


def _name(req: str) -> str:
    return re.split(r"[\[<>=!~; ]", req, maxsplit=1)[0].lower()


def test_plain_install_leaves_the_extras_out():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = {_name(r) for r in meta["dependencies"]}
    assert {"pyomo", "highspy", "pandas", "tsam", "matplotlib", "geopandas"} <= core
    assert not core & {"dask", "distributed", "tqdm", "pvlib", "scikit-learn", "openpyxl", "pyarrow", "ruff",
                       "hypothesis", "pytest", "pytest-xdist"}, core
    extras = meta["optional-dependencies"]
    assert {_name(r) for r in extras["sweep"]} == {"dask", "tqdm"}
    assert {_name(r) for r in extras["data"]} == {"openpyxl"}
    assert {_name(r) for r in extras["export"]} == {"pyarrow", "openpyxl"}
    assert {_name(r) for r in extras["profiles"]} == {"pvlib"}
    # dev: every other extra, and what the tests and the linter need
    dev = extras["dev"]
    assert "siting[sweep,data,export,profiles]" in dev
    assert {"pytest", "pytest-xdist", "ruff", "hypothesis"} <= {_name(r) for r in dev}
    from siting._extras import EXTRAS

    assert set(EXTRAS.values()) <= set(extras) and set(extras) - set(EXTRAS.values()) == {"dev"}


_WITHOUT_EXTRAS = r"""
import importlib.abc
import sys


class Hide(importlib.abc.MetaPathFinder):  # the optional packages, as if not installed
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in {optional!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)


sys.meta_path.insert(0, Hide())
import matplotlib
matplotlib.use("Agg")
from pathlib import Path
import siting
from siting._extras import MissingExtra
from siting.cli import main
from siting.report import write_report

res = siting.solve(siting.load_instance("toy"))
res.to_folder("out")
write_report(res, "out")
assert Path("out/report.html").is_file() and Path("out/summary.csv").is_file()
back = siting.read_results("out")
print("solved and reported:", res.status)


def hint(call):
    try:
        call()
    except MissingExtra as e:
        assert isinstance(e, ImportError) and len(str(e).splitlines()) == 1, str(e)
        print("hint:", e)
    else:
        raise AssertionError("no MissingExtra")


from siting.sweep import Scenario, sweep

hint(lambda: sweep(siting.load_instance("toy"), [Scenario("base")]))
hint(lambda: res.to_folder("out_parquet", format="parquet"))
hint(lambda: res.to_folder("out_xlsx", format="xlsx"))
Path("book.xlsx").write_bytes(b"PK")
from siting.data.eia860 import read_eia860

hint(lambda: read_eia860("book.xlsx"))
Path("scenarios.toml").write_text("[scenario.base]\n")
code = main(["sweep", "toy", "--scenarios", "scenarios.toml", "--out", "sweep_out"])
print("sweep exit code:", code)
leaked = sorted(n for n in {optional!r} if n in sys.modules)
print("imported anyway:", leaked)
"""


def test_missing_extras_give_a_one_line_hint(tmp_path):
    """With every optional package hidden: solve, tables and report work; a sweep, Parquet and Excel
    exports and the Excel readers each raise MissingExtra (an ImportError) in one line naming the extra;
    ``siting sweep`` exits 2 with that line."""
    pytest.importorskip("openpyxl")  # the reader's name is checked below; it exists in the dev install
    code = _WITHOUT_EXTRAS.format(optional=OPTIONAL)
    p = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr[-3000:]
    out = p.stdout
    assert "solved and reported: optimal" in out
    hints = [ln for ln in out.splitlines() if ln.startswith("hint: ")]
    assert hints == [
        'hint: a sweep needs distributed, which is not installed: pip install "siting[sweep]"',
        'hint: the parquet format needs pyarrow, which is not installed: pip install "siting[export]"',
        'hint: the xlsx format needs openpyxl, which is not installed: pip install "siting[export]"',
        'hint: reading EIA-860 .xlsx workbooks needs openpyxl, which is not installed: pip install "siting[data]"',
    ], out
    assert "sweep exit code: 2" in out
    assert 'siting sweep needs distributed, which is not installed: pip install "siting[sweep]"' in p.stderr
    assert "Traceback" not in p.stderr
    assert "imported anyway: []" in out
    assert not (tmp_path / "out_parquet").exists() and not (tmp_path / "out_xlsx").exists()


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    two = text.split("## Two commands", 1)[1]
    return re.findall(r"```bash\n(.*?)\n```", two, re.S)[:2]


def test_readme_commands_and_ci_agree():
    """The README's first command installs the plain package; its second installs ``.[dev]`` and runs the
    tests without the slow studies, two at a time; CI runs that same test command, then the slow ones but
    the longest (marked ``study``)."""
    first, second = _readme_commands()
    assert "pip install -e . " in first and "[dev]" not in first and "siting solve toy --out out/" in first
    install, test = second.split(" && ")
    assert install == 'pip install -e ".[dev]"'
    assert test == 'python -m pytest -q -n 2 -m "not slow"'
    ci = [ln.strip() for ln in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
          if ln.strip() and not ln.lstrip().startswith("#")]
    assert 'python -m pip install --quiet -e ".[dev]"' in ci
    i = ci.index(test)  # the README's command, word for word
    assert ci[i + 1] == 'python -m pytest -q -n 2 -m "slow and not study"'
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    markers = pyproject["tool"]["pytest"]["ini_options"]["markers"]
    assert any(m.startswith("slow:") for m in markers) and any(m.startswith("study:") for m in markers)
