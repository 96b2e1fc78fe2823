"""siting.compile.compile_linear against Pyomo's LinearStandardFormCompiler: the same rows, columns,
matrix, right-hand sides and objective, on the bundled instances, on every optional block, and on
small models with each kind of expression the compiler reads itself or hands to Pyomo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest
from pyomo.common.errors import InfeasibleConstraintException
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

import siting
from siting.compile import compile_linear, component_values

INSTANCES = Path(__file__).resolve().parents[1] / "instances"


def pyomo_form(m):
    return LinearStandardFormCompiler().write(m, mixed_form=True)


def assert_same_form(a, b, rows_in_order=True):
    """``b`` (ours) equals ``a`` (Pyomo's): columns by identity and order, rows by constraint and sense
    (in order, or as a permutation when ``rows_in_order`` is False), every matrix entry exactly."""
    assert len(a.columns) == len(b.columns)
    assert all(x is y for x, y in zip(a.columns, b.columns)), "columns differ"
    key = {(id(c), s): i for i, (c, s) in enumerate(a.rows)}
    assert len(a.rows) == len(b.rows)
    perm = np.array([key[(id(c), s)] for c, s in b.rows], dtype=np.int64)
    if rows_in_order:
        assert np.array_equal(perm, np.arange(len(perm))), "rows in another order"
    A = a.A.tocsr()[perm].tocsc()
    A.sort_indices()
    B = b.A.tocsc()
    B.sort_indices()
    assert A.shape == B.shape
    assert np.array_equal(A.indptr, B.indptr) and np.array_equal(A.indices, B.indices)
    assert np.array_equal(A.data, B.data)
    assert np.array_equal(np.asarray(a.rhs, dtype=float)[perm], b.rhs)
    # the objective's duplicates are summed in another order: equal to the last bits
    ca, cb = a.c.toarray(), b.c.toarray()
    np.testing.assert_allclose(cb, ca, rtol=1e-13, atol=0)
    np.testing.assert_allclose(b.c_offset, np.asarray(a.c_offset, dtype=float), rtol=1e-13, atol=0)


@pytest.mark.parametrize("name", ["toy", "us_regions_small", "ercot_campus"])
def test_bundled_instances_compile_as_pyomo_does(name):
    m = siting.build_model(siting.load_instance(INSTANCES / name))
    b = compile_linear(m)
    assert_same_form(pyomo_form(m), b)
    # spans: each constraint component's rows, consecutive, covering every row once
    assert [sp[1] for sp in b.spans] == [0] + [sp[2] for sp in b.spans[:-1]] and b.spans[-1][2] == len(b.rows)
    assert all(b.rows[i][0].parent_component() is comp for comp, lo, hi in b.spans for i in range(lo, hi))


@pytest.mark.slow
def test_flagship_compiles_as_pyomo_does():
    m = siting.build_model(siting.load_instance(INSTANCES / "us_250gw"))
    assert_same_form(pyomo_form(m), compile_linear(m))


@pytest.mark.parametrize("case", ["features", "features_portfolio", "site_attributes", "benders"])
def test_every_optional_block_compiles_as_pyomo_does(case):
    from test_features import _all_features_instance
    from test_site_attributes import _everything_on

    inst = {"features": lambda: _all_features_instance(), "benders": lambda: _all_features_instance(),
            "features_portfolio": lambda: _all_features_instance("portfolio", "at_most", 50.0),
            "site_attributes": _everything_on}[case]()
    opts = {"unserved_usd_per_mwh": 10_000.0} if case == "benders" else {}
    m = siting.build_model(inst, **opts)
    assert_same_form(pyomo_form(m), compile_linear(m))


def small_model():
    """Every kind of node: parameters, products and divisions by constants, negation, a named
    expression used twice and scaled, a fixed variable, a ranged row, an equality with variables
    on both sides, a repeated variable, an unused variable, a zero coefficient and a power (read
    by Pyomo's own representation)."""
    m = pyo.ConcreteModel()
    m.I = pyo.Set(initialize=[1, 2, 3])
    m.p = pyo.Param(m.I, initialize={1: 2.0, 2: 3.0, 3: 0.5}, mutable=True)
    m.one = pyo.Param(initialize=1, mutable=True)
    m.x = pyo.Var(m.I, bounds=(0, 10))
    m.y = pyo.Var(within=pyo.NonNegativeIntegers)
    m.unused = pyo.Var(m.I)
    m.z = pyo.Var()
    m.z.fix(4.0)
    m.e = pyo.Expression(expr=2 * m.x[1] + m.p[2] * m.x[2] + 1.0)
    m.obj = pyo.Objective(expr=sum(m.p[i] * m.x[i] for i in m.I) + 3 * m.e + m.y + 7.0)
    m.c1 = pyo.Constraint(m.I, rule=lambda m, i: m.x[i] + m.p[i] * m.y + m.z >= i)
    m.c2 = pyo.Constraint(expr=pyo.inequality(1.0, m.x[1] - m.x[2] / 4 + m.e, 9.0))
    m.c3 = pyo.Constraint(expr=m.x[1] + m.x[2] == m.x[3] + 2 * m.y)
    m.c4 = pyo.Constraint(expr=-(m.x[1] + m.x[1] + 0 * m.x[3]) <= 5 - m.e)
    m.c5 = pyo.Constraint(expr=(m.x[2] + 1) * 3 + m.p[1] * (m.x[3] - m.y) <= 12)
    m.c6 = pyo.Constraint(expr=m.z + 1 <= 6)  # a constant row that holds: left out
    m.c7 = pyo.Constraint(expr=m.x[3] * m.p[3] - m.y / m.p[1] + 2 * m.z + m.x[1] ** m.one == 1)  # x**1: through Pyomo
    return m


def test_every_kind_of_expression_compiles_as_pyomo_does():
    m = small_model()
    a, b = pyomo_form(m), compile_linear(m)
    assert_same_form(a, b)
    assert all(v is not m.unused[1] and v is not m.z for v in b.columns)
    assert [s for c, s in b.rows if c is m.c2] == [1, -1]  # a ranged row: <= then >=
    assert all(c is not m.c6 for c, _ in b.rows)


def test_maximisation_is_negated_as_pyomo_does():
    m = small_model()
    m.obj.sense = pyo.maximize
    assert_same_form(pyomo_form(m), compile_linear(m))


def test_a_constant_row_that_can_never_hold_raises():
    m = small_model()
    m.bad = pyo.Constraint(expr=m.z >= 5)
    with pytest.raises(InfeasibleConstraintException, match="bad"):
        compile_linear(m)


def test_a_nonlinear_row_raises():
    m = small_model()
    m.nl = pyo.Constraint(expr=m.x[1] * m.x[2] <= 3)
    with pytest.raises(ValueError, match="nonlinear"):
        compile_linear(m)


def test_rows_built_out_of_index_order_are_the_same_rows():
    """A component whose rows were added out of its index order: the same rows, in the order built."""
    m = small_model()
    m.late = pyo.Constraint(m.I)
    for i in (3, 1, 2):
        m.late[i] = m.x[i] + m.y <= 10 + i
    b = compile_linear(m)
    assert_same_form(pyomo_form(m), b, rows_in_order=False)
    assert [c.index() for c, _ in b.rows if c.parent_component() is m.late] == [3, 1, 2]


def test_component_values_follow_the_index_order():
    """Read from the data dict when every index has its object, through the index set otherwise."""
    m = pyo.ConcreteModel()
    m.I = pyo.Set(initialize=[1, 2, 3, 4])
    m.x = pyo.Var(m.I)
    m.c = pyo.Constraint(m.I)
    m.c[4] = m.x[4] <= 1
    m.c[2] = m.x[2] <= 1
    m.y = pyo.Var(m.I, dense=False)
    m.y[3].value, m.y[1].value = 1.0, 1.0
    assert [d.index() for d in component_values(m.x)] == [1, 2, 3, 4]
    assert [d.index() for d in component_values(m.c)] == [2, 4]
    assert [d.index() for d in component_values(m.y)] == [1, 3]


def test_lookup_gives_the_components_own_data_objects():
    """The rules' fast lookup returns exactly what indexing the component returns, dense or not."""
    from siting.model.ledger import lookup

    m = pyo.ConcreteModel()
    m.I = pyo.Set(initialize=[("a", 1), ("b", 2)], dimen=2)
    m.x = pyo.Var(m.I, pyo.RangeSet(3))
    m.y = pyo.Var(m.I, dense=False)
    fx, fy = lookup(m.x), lookup(m.y)
    assert type(fx) is dict and fy is m.y  # a sparse component is indexed as usual (it creates on access)
    assert all(fx[i] is m.x[i] for i in m.x.index_set())
    assert fy["b", 2] is m.y["b", 2]


def test_direct_constraint_makes_the_rows_pyomo_makes():
    """DirectConstraint (the per-slice families) against pyo.Constraint with the same rule: the same
    indices in the same order, the same expressions and bounds, the same compiled form; Skip, tuples and
    ranged rows through Pyomo's construction; a strict inequality refused with Pyomo's message."""
    from siting.model.ledger import DirectConstraint

    def rule(m, a, b, t):
        if t == 0:
            return pyo.Constraint.Skip
        if t == 1:
            return (0.0, m.x[a, b, t] + m.x[a, b, 0], 5.0)  # a tuple: a ranged row
        if t == 2:
            return m.x[a, b, t] == 2.0 * m.x[a, b, 1]
        return 1.0 >= m.x[a, b, t] - m.x[a, b, 2]

    def model(cls):
        m = pyo.ConcreteModel()
        m.A = pyo.Set(initialize=[("a", 1), ("b", 2)], dimen=2, ordered=True)
        m.S = pyo.Set(initialize=range(4), ordered=True)
        m.x = pyo.Var(m.A, m.S, bounds=(0, 10))
        m.c = cls(m.A, m.S, rule=rule)
        m.o = pyo.Objective(expr=sum(m.x.values()))
        return m

    a, b = model(pyo.Constraint), model(DirectConstraint)
    assert list(a.c.keys()) == list(b.c.keys())
    for (_, ca), (kb, cb) in zip(a.c.items(), b.c.items()):
        assert str(ca.expr) == str(cb.expr) and ca.lb == cb.lb and ca.ub == cb.ub
        assert cb.name == f"c[{','.join(map(str, kb))}]" and cb.index() == kb and cb.parent_component() is b.c
    fa, fb = compile_linear(a), compile_linear(b)
    assert np.array_equal(fa.A.toarray(), fb.A.toarray()) and np.array_equal(fa.rhs, fb.rhs)
    assert [s for _, s in fa.rows] == [s for _, s in fb.rows]
    assert_same_form(pyomo_form(b), fb)
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(2))
    with pytest.raises(ValueError, match="strict inequality"):
        m.c = DirectConstraint(range(2), rule=lambda m, i: m.x[i] < 1)


def test_direct_var_makes_the_variables_pyomo_makes():
    """DirectVar (the per-slice variables) against pyo.Var: the same indices in the same order, domains and
    bounds, for products of one, two and three sets; bounds by a rule per index through Pyomo's construction."""
    from siting.model.ledger import DirectVar

    m = pyo.ConcreteModel()
    m.A = pyo.Set(initialize=[("a", 1), ("b", 2)], dimen=2, ordered=True)
    m.S = pyo.Set(initialize=range(3), ordered=True)
    m.B = pyo.Set(initialize=["p", "q"], ordered=True)
    m.E = pyo.Set(initialize=[], dimen=2, ordered=True)
    cases = [((m.A, m.S), {"domain": pyo.NonNegativeReals}), ((m.B, m.S), {"bounds": (0, 4)}),
             ((m.B, m.A, m.S), {"domain": pyo.Binary}), ((m.B,), {"bounds": lambda m, b: (0, len(b))}),
             ((m.E, m.S), {})]
    for i, (sets, kw) in enumerate(cases):
        setattr(m, f"ref{i}", pyo.Var(*sets, **kw))
        setattr(m, f"new{i}", DirectVar(*sets, **kw))
        a, b = getattr(m, f"ref{i}"), getattr(m, f"new{i}")
        assert list(a.keys()) == list(b.keys())
        assert [(v.bounds, v.domain, v.value, v.fixed, v.index()) for v in a.values()] == \
            [(v.bounds, v.domain, v.value, v.fixed, v.index()) for v in b.values()]
        assert all(v.parent_component() is b for v in b.values())


@pytest.mark.parametrize("name", ["toy", "us_regions_small"])
def test_column_data_equals_each_variables_own_bounds(name):
    """siting.solver.column_data (asked once per distinct domain and bounds) against each variable's own
    ``bounds`` and ``is_integer``, on the bundled instances' columns and on variables of every kind."""
    from siting.solver import column_data

    m = siting.build_model(siting.load_instance(INSTANCES / name))
    m.p = pyo.Param(initialize=3.0, mutable=True)
    m.extra = pyo.Var(range(4), domain=pyo.Integers, bounds=lambda m, i: (None if i % 2 else -i, m.p if i else None))
    m.bin = pyo.Var(domain=pyo.Binary)
    cols = compile_linear(m).columns + list(m.extra.values()) + [m.bin]
    lower, upper, is_int = column_data(cols)
    own = [v.bounds for v in cols]
    assert lower.tolist() == [-np.inf if b[0] is None else b[0] for b in own]
    assert upper.tolist() == [np.inf if b[1] is None else b[1] for b in own]
    assert is_int.tolist() == [v.is_integer() for v in cols]
    assert is_int[-5:].all() and upper[-5] == np.inf and upper[-4] == 3.0


def test_the_compile_holds_under_a_profiler_that_keeps_every_frame():
    """A profiler that keeps frames (Dask's sampling profiler does, for a moment) keeps their local
    variables alive: the compile must not hand scipy a view of the arrays it then empties (it did, and a
    scenario of a sweep on a Dask cluster failed with ``BufferError`` now and then)."""
    import sys

    from siting.solution import expressions_of

    m = siting.build_model(siting.load_instance(INSTANCES / "toy"))
    held = []
    sys.setprofile(lambda frame, event, arg: held.append(frame) if event == "return" else None)
    try:
        b = compile_linear(m, expressions=expressions_of(m))
    finally:
        sys.setprofile(None)
    assert held, "the profiler saw no frame"
    assert_same_form(pyomo_form(m), b)
    assert b.expressions
