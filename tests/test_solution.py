"""siting.solution: the result tables read from the solution array and the model's skeleton equal the
tables read from the solved Pyomo model, on the bundled instances and every optional block; the value
tables, the compiled expressions and the variables that are no column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import pytest

import siting
from siting.compile import compile_linear
from siting.model.extract import extract_tables
from siting.model.plan import decisions_table
from siting.solution import ValueTable, expressions_of, record
from siting.solving import _settings, solve_model

INSTANCES = Path(__file__).resolve().parents[1] / "instances"


def _instance(case: str):
    from test_features import _all_features_instance
    from test_site_attributes import _everything_on

    return {"toy": lambda: siting.load_instance(INSTANCES / "toy"),
            "us_regions_small": lambda: siting.load_instance(INSTANCES / "us_regions_small"),
            "features": lambda: _all_features_instance(),
            "features_portfolio": lambda: _all_features_instance("portfolio", "at_most", 50.0),
            "site_attributes": _everything_on}[case]()


@pytest.mark.parametrize("case", ["toy", "us_regions_small", "features", "features_portfolio", "site_attributes"])
def test_tables_from_the_solution_array_equal_the_pyomo_models(case):
    """solve_model reads the tables from the skeleton and also loads the values into the Pyomo variables:
    the tables extracted from the Pyomo model then (every expression evaluated by Pyomo) are the same,
    to the summation order of the last bits."""
    inst = _instance(case)
    m = siting.build_model(inst)
    res = solve_model(m, _settings(inst))
    ref = extract_tables(m)
    ref["decisions"] = decisions_table(m)
    for name, df in ref.items():
        pd.testing.assert_frame_equal(res.tables[name], df, check_exact=False, rtol=1e-9, atol=1e-6, obj=name)
    assert res.objective == pytest.approx(pyo.value(m.Total_Cost) * 1e6, rel=1e-12)


def test_value_tables_of_per_slice_and_plain_components():
    m = pyo.ConcreteModel()
    m.SLICES = pyo.Set(initialize=range(3), ordered=True)
    m.A = pyo.Set(initialize=["a", "b"], ordered=True)
    m.B = pyo.Set(initialize=[("a", 1), ("b", 2)], dimen=2, ordered=True)
    m.x = pyo.Var(m.A, m.SLICES, bounds=(0, 10))
    m.y = pyo.Var(m.B, m.SLICES, bounds=(0, 10))
    m.z = pyo.Var(m.B, bounds=(0, 10))
    m.unused = pyo.Var(m.A)
    m.fixed = pyo.Var(m.A)
    m.fixed["a"].fix(7.0)
    m.e = pyo.Expression(m.A, rule=lambda m, a: 2 * m.x[a, 0] + m.fixed[a] + 1)
    m.c = pyo.Constraint(expr=sum(m.x.values()) + sum(m.y.values()) + sum(m.z.values()) + m.fixed["b"] >= 1)
    m.o = pyo.Objective(expr=sum(m.x.values()))
    m.inst = m.ix = m.slices = None
    m.ledger = siting.model.ledger.Ledger()
    sf = compile_linear(m, expressions_of(m))
    sk = record(m, sf)
    x = np.arange(len(sf.columns), dtype=float)
    for v, val in zip(sf.columns, x.tolist()):
        v.set_value(val)
    sm = sk.solved(x)
    for name in ("x", "y", "z", "fixed"):
        t, comp = getattr(sm, name), getattr(m, name)
        assert isinstance(t, ValueTable) and len(t) == len(comp)
        assert list(t.keys()) == list(comp.keys())
        assert t.extract_values() == comp.extract_values()
        assert all(k in t for k in comp.keys())
    assert sm.x.row("a").tolist() == [m.x["a", t].value for t in range(3)]
    assert sm.y.row(("b", 2)).tolist() == [m.y["b", 2, t].value for t in range(3)]
    assert sm.y["b", 2, 1] == m.y["b", 2, 1].value and ("c", 3, 0) not in sm.y and ("a", 1, 3) not in sm.y
    assert sm.unused.extract_values() == {"a": None, "b": None}  # in no row: no value, as in Pyomo
    assert sm.fixed["a"] == 7.0  # fixed: its value, not a column
    assert dict(sm.e.items()) == {k: pyo.value(e) for k, e in m.e.items()}
    assert sm.A == ["a", "b"] and sm.component("nothing") is None
    assert sm.objective == pytest.approx(pyo.value(m.o))


def test_the_decomposition_reads_its_tables_from_the_skeleton_and_frees_the_model():
    """solve_benders keeps the skeleton: its tables at the best plan equal those Pyomo evaluates on the kept
    model with the plan's values loaded; with ``free=True`` the model is taken apart before the iterations,
    and the plan is the same."""
    from siting.benders import UNSERVED_USD_PER_MWH, solve_benders
    from siting.solver import compile_model

    inst = siting.load_instance(INSTANCES / "toy")
    m = siting.build_model(inst, unserved_usd_per_mwh=UNSERVED_USD_PER_MWH)
    sk, x, best, *_ = solve_benders(m, {"mip_gap": 1e-6})
    for v, val in zip(compile_model(m).columns, x.tolist()):  # the same columns, compiled again
        v.set_value(val, skip_validation=True)
    sm = sk.solved(x)
    got, ref = extract_tables(sm), extract_tables(m)
    got["decisions"], ref["decisions"] = decisions_table(sm), decisions_table(m)
    for name, df in ref.items():
        pd.testing.assert_frame_equal(got[name], df, check_exact=False, rtol=1e-9, atol=1e-6, obj=name)
    assert sm.objective == pytest.approx(pyo.value(m.Total_Cost), rel=1e-12)
    assert sm.objective == pytest.approx(best, rel=1e-12)

    m2 = siting.build_model(inst, unserved_usd_per_mwh=UNSERVED_USD_PER_MWH)
    _, x2, best2, *_ = solve_benders(m2, {"mip_gap": 1e-6}, free=True)
    assert not list(m2.component_objects()) and not hasattr(m2, "ledger")
    assert best2 == pytest.approx(best, rel=1e-9)
