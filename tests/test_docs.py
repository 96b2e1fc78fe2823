"""The docs stay true to the code: generated schema tables, Pyomo component names, the example runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pyomo.environ as pyo
import pytest

import siting
from siting.schema import data_format_markdown

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
BEGIN = re.compile(r"<!-- BEGIN GENERATED[^>]*-->\n")
END = "<!-- END GENERATED -->"
CELL_SPLIT = re.compile(r"(?<!\\)\|")
NAME = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)")


def _generated_block(text: str) -> str:
    m = BEGIN.search(text)
    assert m and END in text[m.end() :], "docs/data-format.md lost its BEGIN/END GENERATED markers"
    return text[m.end() : text.index(END, m.end())]


def test_schema_tables_match_schema():
    doc = _generated_block((DOCS / "data-format.md").read_text(encoding="utf-8"))
    assert doc.strip() == data_format_markdown().strip(), (
        "docs/data-format.md is out of date with siting/schema.py: regenerate the block between the "
        "GENERATED markers with `python -m siting.schema` and paste it in"
    )


def _documented_components(text: str) -> set[str]:
    """Names in the 'Pyomo component' column of every Markdown table of the page."""
    names: set[str] = set()
    col = None
    for line in text.splitlines():
        if not line.startswith("|"):
            col = None
            continue
        cells = [c.strip() for c in CELL_SPLIT.split(line.strip())[1:-1]]
        if col is None:
            col = cells.index("Pyomo component") if "Pyomo component" in cells else -1
        elif col >= 0 and col < len(cells) and not set(cells[col]) <= set("-: "):
            names.update(NAME.findall(cells[col]))
    return names


@pytest.fixture(scope="module")
def toy_model():
    return siting.build_model(siting.load_instance("toy"))


def test_formulation_names_match_model(toy_model):
    documented = _documented_components((DOCS / "formulation.md").read_text(encoding="utf-8"))
    assert len(documented) > 30, "no 'Pyomo component' tables found in docs/formulation.md"
    missing_on_model = sorted(n for n in documented if toy_model.component(n) is None)
    assert not missing_on_model, f"docs/formulation.md names components the toy model lacks: {missing_on_model}"
    kinds = (pyo.Constraint, pyo.Var, pyo.Expression, pyo.Objective)
    on_model = {c.local_name for c in toy_model.component_objects(kinds, descend_into=True)}
    undocumented = sorted(on_model - documented)
    assert not undocumented, f"components missing from docs/formulation.md 'Pyomo component' tables: {undocumented}"


def test_quickstart_runs(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py"), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / "costs.csv").is_file() and (out / "results.json").is_file()
