"""The model's standard form, compiled here: each constraint's sum of monomials flattened straight
into sparse arrays.

Pyomo's ``LinearStandardFormCompiler`` walks every row's expression tree through a general
visitor (about 7 us per nonzero). The model's rows are almost all one ``LinearExpression`` of
``coefficient * variable`` terms and constants; :func:`compile_linear` reads those in one loop and
hands any other node (a product with a parameter, a division, a function) to Pyomo's
``generate_standard_repn``; a named Expression is flattened once and copied where it appears.
The result is the compiler's, entry for entry: the same columns in the same order (whole Var
components in the order first met, the objective first, each in its index order, fixed variables
and columns with no entry left out), the same rows (one per bound, ``=`` when both bounds are
equal, in component order and within a component in the order its rows were built: its index
order for a component built by a rule, as all of siting's are), duplicates summed and zeros
dropped; a constraint with no variable is checked and left out (``InfeasibleConstraintException``
when it can never hold). tests/test_compile.py compares the two on every bundled instance and
every optional block.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np

__all__ = ["StandardForm", "Rows", "compile_linear", "component_values", "dense_data"]


@dataclass
class StandardForm:
    """A compiled model in mixed form: min ``c`` x + ``c_offset`` s.t. row i of ``A`` x (=, <=, >=)
    ``rhs[i]``; ``rows[i]`` is ``(constraint, sense)`` with sense 0 (=), 1 (<=) or -1 (>=) and
    ``columns[j]`` the Pyomo variable of column j (the attributes of Pyomo's
    ``LinearStandardFormInfo`` that siting reads); ``spans`` lists each constraint component with
    its rows ``start:stop`` (they are consecutive). ``layout`` maps the full name of each Var
    component met to the column of each of its variables in the component's own order (-1: fixed,
    or in no row). ``expressions`` (when asked for) maps each name to :class:`Rows`."""

    c: object
    c_offset: np.ndarray
    A: object
    rhs: np.ndarray
    rows: list
    columns: list
    spans: list
    layout: dict | None = None
    expressions: dict | None = None

    def objective(self) -> tuple[np.ndarray, float]:
        """The objective's cost per column (zeros without an objective) and its constant."""
        cost = self.c.toarray()[0] if self.c.shape[0] else np.zeros(len(self.columns))
        return cost, (float(self.c_offset[0]) if len(self.c_offset) else 0.0)


@dataclass
class Rows:
    """Linear expressions compiled over the columns: expression i is ``const[i]`` plus the sum of
    ``data[k] * x[index[k]]`` for k in ``ptr[i]:ptr[i+1]``; ``index`` -1 stands for a variable that is
    not a column (its value is not read: it counts 0). ``keys[i]`` is the expression's index."""

    keys: list
    ptr: np.ndarray
    index: np.ndarray
    data: np.ndarray
    const: np.ndarray

    def values(self, x: np.ndarray) -> np.ndarray:
        """The expressions' values at the column values ``x``."""
        xe = np.append(np.asarray(x, dtype=float), 0.0)  # index -1 reads the 0 appended
        rowid = np.repeat(np.arange(len(self.keys)), np.diff(self.ptr))
        return self.const + np.bincount(rowid, weights=self.data * xe[self.index], minlength=len(self.keys))


class _Walker:
    """Flattens linear expressions into (column, coefficient) entries appended to two arrays."""

    def __init__(self):
        import pyomo.core.expr as E
        from pyomo.common.numeric_types import native_numeric_types
        from pyomo.core.base.expression import ExpressionData, ScalarExpression
        from pyomo.core.base.var import ScalarVar, VarData

        self.col = {}  # id(variable) -> column, whole components at once
        self.seen = set()  # id of the Var components recorded
        self.columns: list = []
        self.index = array("i")
        self.data = array("d")
        self.named: dict = {}  # id(named expression) -> (columns, coefficients, constant)
        self.component_columns: list = []  # (Var component, array of its variables' columns, -1 when fixed)
        self.var_types = (VarData, ScalarVar)
        self.sum_types = (E.LinearExpression, E.SumExpression)
        self.mono = E.MonomialTermExpression
        self.neg = E.NegationExpression
        self.prod = E.ProductExpression
        self.div = E.DivisionExpression
        self.named_types = (ExpressionData, ScalarExpression)
        self.numbers = native_numeric_types
        self.terms = self._terms()

    def _terms(self):
        """``terms(args, mult)``: append ``mult *`` the variable terms of a sum's ``args``, return ``mult *``
        their constant. The loop every row goes through: a closure over the walker's arrays and types
        (no attribute look-ups per call), monomials and variables read inline, any other term walked."""
        index, data, col, column, walk = self.index, self.data, self.col, self.column, self.walk
        mono, vtypes, numbers = self.mono, self.var_types, self.numbers

        def terms(args, mult: float) -> float:
            const = 0.0
            for a in args:
                ta = type(a)
                if ta is mono:
                    c, v = a.args
                    if type(c) not in numbers:
                        c = c()
                    if not c:
                        continue
                    j = col.get(id(v))
                    if j is not None:
                        index.append(j)
                        data.append(mult * c)
                    elif v.fixed:
                        const += mult * c * v.value
                    else:
                        index.append(column(v))
                        data.append(mult * c)
                elif ta in vtypes:
                    j = col.get(id(a))
                    if j is not None:
                        index.append(j)
                        data.append(mult)
                    elif a.fixed:
                        const += mult * a.value
                    else:
                        index.append(column(a))
                        data.append(mult)
                elif ta in numbers:
                    const += mult * a
                else:
                    const += walk(a, mult)
            return const

        return terms

    def column(self, v) -> int:
        """The column of the (unfixed) variable ``v``, recording its whole component when first met."""
        j = self.col.get(id(v))
        if j is not None:
            return j
        comp = v.parent_component()
        if id(comp) in self.seen:  # a variable unfixed after its component was recorded
            raise ValueError(f"variable {v.name} has no column")
        self.seen.add(id(comp))
        col, columns = self.col, self.columns
        at = array("i")
        for d in component_values(comp):
            if d.fixed:
                at.append(-1)
            else:
                col[id(d)] = len(columns)
                at.append(len(columns))
                columns.append(d)
        self.component_columns.append((comp, at))
        return col[id(v)]

    def walk(self, e, mult: float) -> float:
        """Append ``mult * e``'s variable terms; return ``mult *`` its constant."""
        native_numeric_types = self.numbers
        t = type(e)
        if t in native_numeric_types:
            return mult * e
        if t in self.sum_types:
            return self.terms(e.args, mult)
        if t is self.mono:
            return self.walk_product(e.args[0], e.args[1], mult)
        if t in self.var_types:
            if e.fixed:
                return mult * e.value
            self.index.append(self.column(e))
            self.data.append(mult)
            return 0.0
        if t in self.named_types:
            return self.walk_named(e, mult)
        if not hasattr(e, "is_potentially_variable"):  # a number of another type (numpy's)
            return mult * float(e)
        if not e.is_potentially_variable():  # parameters and expressions of parameters
            return mult * e()
        if t is self.neg:
            return self.walk(e.args[0], -mult)
        if t is self.prod:
            return self.walk_product(e.args[0], e.args[1], mult)
        if t is self.div:
            d = e.args[1]
            if type(d) in native_numeric_types or not d.is_potentially_variable():
                return self.walk(e.args[0], mult / (d if type(d) in native_numeric_types else d()))
        return self.walk_other(e, mult)

    def walk_product(self, a, b, mult: float) -> float:
        native_numeric_types = self.numbers
        if type(a) in native_numeric_types or not a.is_potentially_variable():
            c = a if type(a) in native_numeric_types else a()
            return self.walk(b, mult * c) if c else 0.0
        if type(b) in native_numeric_types or not b.is_potentially_variable():
            c = b if type(b) in native_numeric_types else b()
            return self.walk(a, mult * c) if c else 0.0
        return self.walk_other(a * b, mult)

    def walk_named(self, e, mult: float) -> float:
        """A named Expression: flattened once, its entries copied wherever it appears."""
        got = self.named.get(id(e))
        if got is None:
            start = len(self.index)
            const = self.walk(e.expr, 1.0)
            got = self.named[id(e)] = (self.index[start:], self.data[start:], const)
            del self.index[start:], self.data[start:]
        idx, val, const = got
        self.index.extend(idx)
        if mult == 1.0:
            self.data.extend(val)
        else:
            self.data.extend(array("d", (mult * x for x in val)))
        return mult * const

    def walk_other(self, e, mult: float) -> float:
        """Any other expression, through Pyomo's own linear representation."""
        from pyomo.repn import generate_standard_repn

        repn = generate_standard_repn(e, compute_values=True, quadratic=False)
        if not repn.is_linear():
            raise ValueError(f"a nonlinear expression cannot be compiled to standard form: {e}")
        for v, c in zip(repn.linear_vars, repn.linear_coefs):
            if c:
                self.index.append(self.column(v))
                self.data.append(mult * c)
        return mult * repn.constant


def compile_linear(m, expressions: dict | None = None) -> StandardForm:
    """The standard form of the linear model ``m`` in mixed form (see the module's docstring).

    ``expressions`` (name -> iterable of (key, linear expression)) are compiled over the same
    columns into ``sf.expressions`` (:class:`Rows`): how the result tables read the model's named
    expressions from the solution array once the model is freed (:mod:`siting.solution`).
    """
    from pyomo.common.gc_manager import PauseGC

    with PauseGC():  # the rows' tuples would start the cyclic collector over the model's objects again and again
        return _compile(m, expressions)


def _compile(m, expressions: dict | None = None) -> StandardForm:
    import pyomo.environ as pyo
    import scipy.sparse as sp
    from pyomo.common.errors import InfeasibleConstraintException
    from pyomo.common.numeric_types import native_types
    from pyomo.core.base import SortComponents
    from pyomo.core.expr.relational_expr import EqualityExpression, InequalityExpression

    w = _Walker()
    sorter = SortComponents.ORDERED_INDICES
    offsets, c_ptr = [], [0]
    for obj in m.component_data_objects(pyo.Objective, active=True, descend_into=True, sort=sorter):
        sign = 1.0 if obj.sense == pyo.minimize else -1.0
        offsets.append(w.walk(obj.expr, sign))
        c_ptr.append(len(w.index))
    index, data = w.index, w.data  # the same arrays throughout: w.terms appends to them
    c_index, c_data = index[:], data[:]
    del index[:], data[:]

    rows, rhs, ptr = [], [], [0]
    linear, terms = w.sum_types[0], w.terms
    ineq, eq, numbers = InequalityExpression, EqualityExpression, w.numbers
    spans = []  # (component, first row, end)
    for comp in m.component_objects(pyo.Constraint, active=True, descend_into=True, sort=sorter):
        first = len(rows)
        for con in _component_rows(comp, sorter):
            e = con._expr  # a body compared to a number (siting's rows) read directly, else Pyomo's standard form
            if e.__class__ is ineq and e._args_[1].__class__ in numbers:
                body, ub = e._args_
                lb = None
            elif e.__class__ is ineq and e._args_[0].__class__ in numbers:
                lb, body = e._args_
                ub = None
            elif e.__class__ is eq and e._args_[1].__class__ in numbers:
                body, ub = e._args_
                lb = ub
            else:
                lb, body, ub = con.to_bounded_expression()
                if lb is None and ub is None:
                    continue
            if lb.__class__ not in native_types:
                lb = pyo.value(lb)
            if ub.__class__ not in native_types:
                ub = pyo.value(ub)
            start = len(index)
            offset = terms(body.args, 1.0) if type(body) is linear else w.walk(body, 1.0)
            n = len(index) - start
            if not n:
                if (lb is None or lb <= offset) and (ub is None or ub >= offset):
                    continue
                raise InfeasibleConstraintException(f"model contains a trivially infeasible constraint, '{con.name}'")
            if lb == ub:
                rows.append((con, 0))
                rhs.append(ub - offset)
                ptr.append(len(index))
                continue
            if ub is not None:
                rows.append((con, 1))
                rhs.append(ub - offset)
                ptr.append(len(index))
            if lb is not None:
                if ub is not None:  # the row's entries once more, for its second bound
                    index.extend(index[start:start + n])
                    data.extend(data[start:start + n])
                rows.append((con, -1))
                rhs.append(lb - offset)
                ptr.append(len(index))
        if len(rows) > first:
            spans.append((comp, first, len(rows)))

    ncol = len(w.columns)
    c = _csc(c_data, c_index, c_ptr, ncol)
    A = _csc(data, index, ptr, ncol)
    del c_index, c_data
    del index[:], data[:]
    named = {}
    for name, items in (expressions or {}).items():  # appended to the same arrays (w.terms writes to them)
        keys, consts, eptr = [], [], [len(index)]
        for k, e in items:
            keys.append(k)
            consts.append(w.walk(e, 1.0))
            eptr.append(len(index))
        named[name] = (keys, np.asarray(eptr, dtype=np.int64), np.asarray(consts, dtype=float))
    e_index = np.frombuffer(index, dtype=np.int32).copy() if named else None
    e_data = np.frombuffer(data, dtype=np.float64).copy() if named else None
    w.terms = None  # the closure refers back to the walker: free the arrays now, not at the next collection
    del w.index, w.data, index, data, terms
    used = (np.diff(A.indptr) > 0) | (np.diff(c.indptr) > 0)
    columns = w.columns[:ncol]  # expressions may have met variables of no row: they are not columns
    if not used.all():
        keep = np.concatenate((used, [True]))
        columns = [v for k, v in zip(used.tolist(), columns) if k]
        c = sp.csc_matrix((c.data, c.indices, c.indptr[keep]), shape=(c.shape[0], len(columns)))
        A = sp.csc_matrix((A.data, A.indices, A.indptr[keep]), shape=(A.shape[0], len(columns)))
    # old column -> new (-1: dropped, or met only in an expression); the last entry maps -1 to -1
    new = np.full(len(w.columns) + 1, -1, dtype=np.int32)
    new[:ncol][used] = np.arange(int(used.sum()), dtype=np.int32)
    layout = {comp.name: new[np.frombuffer(at, dtype=np.int32)] for comp, at in w.component_columns}
    out = None
    if named:
        e_index = new[e_index]
        out = {name: Rows(keys=keys, ptr=eptr, index=e_index[eptr[0]:eptr[-1]],
                          data=e_data[eptr[0]:eptr[-1]], const=consts)
               for name, (keys, eptr, consts) in named.items()}
        for r in out.values():
            r.ptr = r.ptr - r.ptr[0]
    return StandardForm(c=c, c_offset=np.array(offsets, dtype=float), A=A, rhs=np.array(rhs, dtype=float),
                        rows=rows, columns=columns, spans=spans, layout=layout, expressions=out)


def dense_data(comp) -> dict | None:
    """A component's data dict (index -> data object) when every index has its object, else None.
    Filled as the component was constructed over its index set, it is in index order; reading it
    directly skips Pyomo's per-call index handling (``comp[i]``, about 1 us) and its ordered
    iteration, which goes through the index set and flattens each index tuple again (3 s for a
    million rows)."""
    d = getattr(comp, "_data", None)
    if type(d) is dict and (not comp.is_indexed() or len(d) == len(comp.index_set())):
        return d
    return None


def component_values(comp):
    """The data objects of a component in its index order (:func:`dense_data`, else Pyomo's ordered
    iteration)."""
    d = dense_data(comp)
    if d is not None:
        return d.values()
    from pyomo.core.base import SortComponents

    return comp.values(SortComponents.ORDERED_INDICES)


def _component_rows(comp, sorter):
    """The active rows of a constraint component in the order they were built (its index order for a
    component built by a rule over its index set, as all of siting's are)."""
    d = getattr(comp, "_data", None)
    for con in (d.values() if type(d) is dict else comp.values(sorter)):
        if con.active:
            yield con


def _csc(data, index, ptr, ncol: int):
    """Rows given as CSR arrays, in CSC with duplicates summed and zeros dropped."""
    import scipy.sparse as sp

    # copies, made here: a view of the growing arrays handed to scipy stays alive in its frames for as long
    # as anything holds them (a profiler, a traceback; Dask's sampling profiler does), and the arrays could
    # then not be emptied for the expressions (BufferError)
    values, columns = np.frombuffer(data, dtype=np.float64).copy(), np.frombuffer(index, dtype=np.int32).copy()
    A = sp.csr_matrix((values, columns, np.asarray(ptr, dtype=np.int64)), shape=(len(ptr) - 1, ncol)).tocsc()
    A.sum_duplicates()
    A.eliminate_zeros()
    return A
