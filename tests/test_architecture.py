"""Structure: the ledger and its stage tags, a new technology kind in three files, no import cycle,
no module over 500 lines."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pyomo.environ as pyo
import pytest
from builders import crf, daily_profile, gas, generator, make_instance, solve_exact

import siting
from siting.model import build_model
from siting.model.ledger import INVESTMENT, OPERATIONS

PKG = Path(siting.__file__).resolve().parent
MAX_LINES = 500


def _modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages([str(PKG)], prefix="siting."))


def _imports(path: Path, name: str) -> set[str]:
    """siting modules imported anywhere in the file (module level or inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pkg = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("siting")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if not mod.startswith("siting"):
                continue
            for a in node.names:  # "from . import x" may name a submodule
                out.add(f"{mod}.{a.name}")
            out.add(mod)
    return out


def _graph() -> dict[str, set[str]]:
    mods = set(_modules()) | {"siting"}
    files = {}
    for mod in mods:
        rel = mod.split(".")[1:]
        p = PKG.joinpath(*rel)
        files[mod] = p / "__init__.py" if p.is_dir() else p.with_suffix(".py")
    graph = {}
    for mod, f in files.items():
        deps = {d for d in _imports(f, mod) if d in mods and d != mod}
        # a package's own __init__ importing its submodules is how packages re-export; not a cycle
        graph[mod] = {d for d in deps if not (mod != "siting" and d.startswith(mod + "."))}
    return graph


def test_no_import_cycle_in_siting():
    """No siting module imports, directly or through others, a module that imports it back.

    The graph counts every import (module level and inside functions), from the source (ast).
    Packages re-exporting their own submodules are not edges; ``siting/__init__`` is left out
    as a target (every module's parent package is imported first by Python anyway).
    """
    graph = {k: {d for d in v if d != "siting"} for k, v in _graph().items()}
    cycles = []
    state: dict = {}

    def visit(n, stack):
        state[n] = 1
        stack.append(n)
        for d in sorted(graph.get(n, ())):
            if state.get(d) == 1:
                cycles.append(stack[stack.index(d):] + [d])
            elif d not in state:
                visit(d, stack)
        stack.pop()
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n, [])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


@pytest.mark.slow
def test_every_module_imports_on_its_own():
    """Each module imports in a fresh interpreter (importlib), so none relies on another being imported first."""
    code = ("import importlib, sys\n"
            "for name in sys.argv[1:]:\n"
            "    for k in [k for k in sys.modules if k == 'siting' or k.startswith('siting.')]:\n"
            "        del sys.modules[k]\n"
            "    importlib.import_module(name)\n")
    mods = [m for m in _modules() if m != "siting.__main__"]  # __main__ runs the CLI
    r = subprocess.run([sys.executable, "-c", code, *mods], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert callable(siting.solve)


def test_no_module_over_500_lines():
    long = {str(p.relative_to(PKG)): n for p in PKG.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


@pytest.mark.parametrize("policy", [None, {"clean_share": 0.5, "co2_cap_t": 1e9, "cfe_share": 0.3,
                                           "reserve_margin": 0.1}])
def test_every_var_and_constraint_has_a_stage(policy):
    """The decomposition splits the model by the ledger's stage tags: every Var and Constraint carries one."""
    inst = siting.load_instance("toy")
    if policy:
        inst = siting.Instance.from_frames({**inst.scenario, "policy": policy}, inst.targets, inst.sites.drop(
            columns="geometry"), inst.zones, inst.techs, inst.chips, inst.profiles, name="toy")
    m = build_model(inst)
    L = m.ledger
    names = {c.local_name for c in m.component_objects((pyo.Var, pyo.Constraint), descend_into=True)}
    assert names and names <= set(L.stages), sorted(names - set(L.stages))
    assert set(L.stages.values()) == {INVESTMENT, OPERATIONS}
    for name in ("Open", "Modules", "Install", "Build", "Cap", "ITLoad"):
        assert L.stages[name] == INVESTMENT
    for name in ("Gen", "Power_Balance"):
        assert L.stages[name] == OPERATIONS
    for name in names:
        if isinstance(getattr(m, name), pyo.Constraint):
            fam = L.families[name]
            assert fam.unit and fam.what, name
    if policy:
        assert L.families["CO2_Cap"].stage == OPERATIONS and L.families["Firm_Capacity"].stage == INVESTMENT


# -- a new kind of technology ------------------------------------------------------------------------
SOLAR_DAY = [0.0] * 6 + [1.0] * 12 + [0.0] * 6


def _smr_case(min_output_share: float, vom: float = 5.0):
    smr = generator("smr", 3000.0, life_years=40.0, vom_usd_per_mwh=vom)
    smr.update(kind="baseload", min_output_share=min_output_share)
    solar = generator("solar", 1.0, profile="solar")
    inst = make_instance(techs=[gas(), smr, solar], profiles=[daily_profile(SOLAR_DAY, "solar")], targets=0.1)
    return inst, solve_exact(inst)


def _cap(res, tech) -> float:
    c = res.capacity
    return float(c.loc[c.tech == tech, "capacity_mw"].sum())


def test_new_technology_kind_in_three_files():
    """A new kind, ``baseload`` (load-following nuclear), added by touching three files under siting/:

    1. siting/model/baseload.py (new): its block, built on power.add_dispatchable (output within
       availability, VOM, fuel, the supply flow) plus its own row Baseload_Min_Output;
    2. siting/model/__init__.py: its place in BLOCKS;
    3. siting/schema.py: ``baseload`` in TECH_KINDS and the ``min_output_share`` column.

    Nothing else names it: emissions, the clean share, 24/7 CFE, the dispatch table, the capacity
    table, the pre-solve checks and the diagnosis read the ledger and the index.

    Known answer. One site, 100 MW of IT at PUE 1.2: 120 MW of facility load in every hour.
    Solar (1 USD/kW, available 06:00-18:00) is nearly free, so it carries the 12 daylight hours;
    the 12 night hours (4,380 h a year) need 120 MW of gas or of the SMR (r = 5 %):

    - gas: crf(5 %, 30) x 1,000,000 + 10,000 USD/MW-yr fixed + (2 + 27) USD/MWh x 4,380 h
      = 65,051.44 + 10,000 + 127,020 = 202,071.44 USD per MW-yr;
    - SMR, no minimum output: crf(5 %, 40) x 3,000,000 + 5 USD/MWh x 4,380 h
      = 174,833.43 + 21,900 = 196,733.43 USD per MW-yr: the SMR pays, and is built;
    - SMR that must run at 50 % in daylight too (min_output_share 0.5): + 5 x 0.5 x 4,380
      = 10,950 more, 207,683.43 USD per MW-yr: gas is cheaper, and the SMR is not built.

    The objective moves by 120 MW x (202,071.44 - 196,733.43) between the two cases.
    """
    inst, free = _smr_case(0.0)
    assert _cap(free, "smr") == pytest.approx(120.0, rel=1e-6) and _cap(free, "gas") == pytest.approx(0.0, abs=1e-6)
    assert _cap(free, "solar") == pytest.approx(120.0, rel=1e-6)
    _, must_run = _smr_case(0.5)
    assert _cap(must_run, "gas") == pytest.approx(120.0, rel=1e-6)
    assert _cap(must_run, "smr") == pytest.approx(0.0, abs=1e-6)
    night = 4380.0
    gas_mw_yr = crf(0.05, 30.0) * 1e6 + 10_000.0 + 29.0 * night
    smr_mw_yr = crf(0.05, 40.0) * 3e6 + 5.0 * night
    assert must_run.objective - free.objective == pytest.approx(120.0 * (gas_mw_yr - smr_mw_yr), rel=1e-6)
    # the new kind flows through every reader of the ledger: dispatch, emissions, clean share
    d = free.dispatch
    smr_mw = d.loc[d.tech == "smr"].groupby("slice").power_mw.sum()
    assert smr_mw.max() == pytest.approx(120.0, rel=1e-6)
    assert free.emissions.tco2.sum() == pytest.approx(0.0, abs=1e-6)
    assert free.summary.clean_share.iloc[0] == pytest.approx(1.0, abs=1e-9)
    assert free.costs.cost_usd_discounted.sum() == pytest.approx(free.objective, rel=1e-9)


def test_baseload_keeps_its_minimum_output():
    """With min_output_share 0.5 and an SMR cheap enough to build (no VOM), it runs at >= 60 MW in
    daylight while solar covers the load: the surplus is spilled, the row holds in every slice."""
    inst, res = _smr_case(0.5, vom=0.0)
    cap = _cap(res, "smr")
    assert cap == pytest.approx(120.0, rel=1e-6)
    d = res.dispatch
    smr = d.loc[d.tech == "smr"].set_index("slice").power_mw
    assert (smr >= 0.5 * cap - 1e-6).all()
