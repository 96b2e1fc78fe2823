"""The ledger: what the model blocks register, and the one place that reads it back.

Every block writes into ``m.ledger`` (a :class:`Ledger`) instead of leaving attributes on the
model for other blocks to find:

- **components** (:meth:`Ledger.add`): each Var and each constraint family, tagged with its
  stage, :data:`INVESTMENT` (decided once per planning year: sites, modules, builds, chip
  installs, flexibility choices) or :data:`OPERATIONS` (per slice, or annual limits over the
  slices of a year). Constraint families also carry their unit, the limit in words, how to
  name a place, and, for diagnosis, a tier and a slack weight (:class:`Family`).
- **flows** (:meth:`Ledger.add_flow`): per-slice power at a site, injected (+1) or withdrawn
  (-1) from its power balance, with the role of the flow (``supply``, ``storage``, ``load``,
  ``load_reduction``), its clean share (annual and per slice) and its CO2 intensity. The power
  balance, the emissions, the clean-energy rows (annual and 24/7), the dispatch table, the
  clean share in the summary and the CFE table are all computed from the flows.
- **costs** (:meth:`Ledger.add_cost`): component -> list of terms, each a callable of (s, y)
  in USD per calendar year; a component's annual cost is the sum of its terms.
- **emission terms** (:meth:`Ledger.add_emission`) that are not a flow's CO2 (embodied carbon).
- **capex** (:meth:`Ledger.add_capex`): component -> list of terms, each a callable of (s, y):
  the overnight capital commissioned in planning year y (the capex table, the capital budget).

The order of :data:`siting.model.BLOCKS` matters only as documented there: a block reads the
Vars of the blocks before it (chips read sites' Modules, generators read Cap), and the power
balance and the objective come last because they sum what every block registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from pyomo.core.base.constraint import ConstraintData, IndexedConstraint
from pyomo.core.base.var import IndexedVar
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression
from pyomo.core.expr.relational_expr import EqualityExpression, InequalityExpression, RangedExpression

__all__ = ["INVESTMENT", "OPERATIONS", "Family", "Flow", "Ledger", "place_words", "lookup", "linear_sum",
           "balance_rule", "DirectConstraint", "DirectVar", "product_sets"]

INVESTMENT = "investment"
OPERATIONS = "operations"
STAGES = (INVESTMENT, OPERATIONS)
ROLES = ("supply", "storage", "load", "load_reduction")


def place_words(pattern: str) -> Callable[[tuple], str]:
    """A place namer from a pattern over the index, e.g. ``"at {0} in {1}"``."""
    return lambda idx: pattern.format(*[str(v) for v in idx])


@dataclass(frozen=True)
class Family:
    """A constraint family: its name, stage, unit and words.

    Attributes
    ----------
    name : the Pyomo Constraint's name.
    stage : :data:`INVESTMENT` or :data:`OPERATIONS`.
    unit : the unit of one unit of the row (what a slack or a marginal value is per).
    what : the limit in words, naming its input (``"the grid connection (sites.csv grid_mw)"``).
    place : index (without the slice for per-slice families) -> words (``"at s1 in 2030"``).
    per_slice : True when the last index is the slice.
    tier : diagnosis weight tier (None: the family is not relaxed when explaining infeasibility).
    weight : MW-year equivalent of one unit of slack, a number or a callable of the index.
    way : which way the limit would have to move to admit a plan (``"more"``, ``"less"``...).
    limit : a limit a planner can move (a target, cap, headroom, budget, permit, policy share): its
        marginal value is reported in the ``binding`` table when it binds.
    """

    name: str
    stage: str
    unit: str = ""
    what: str = ""
    place: Callable[[tuple], str] = place_words("in {0}")
    per_slice: bool = False
    tier: float | None = None
    weight: float | Callable[[tuple], float] = 1.0
    way: str = "more"
    limit: bool = False

    def slack_weight(self, idx: tuple) -> float:
        return float(self.weight(idx) if callable(self.weight) else self.weight)


@dataclass(frozen=True)
class Flow:
    """Per-slice power at sites, in MW, from one Pyomo Var (or Expression).

    ``keys`` lists ``(label, site, year, index)``: the variable is ``var[index + (t,)]`` per
    slice (``var[index]`` for every slice when ``per_slice`` is False, as the facility load
    pue_s(t) x ITLoad[s, y]). ``scale`` is a per-site factor per slice (the PUE), ``sign`` +1
    for an injection into the site's power balance and -1 for a withdrawal. ``label`` names the
    series in the dispatch table (a tech, ``grid_import``, ``curtailment``...).
    """

    name: str
    var: str
    keys: list
    sign: float = 1.0
    role: str = "supply"
    per_slice: bool = True
    scale: Callable | None = None            # site -> per-slice factors
    clean_annual: Callable | None = None     # (label, site) -> share of the energy counted clean (annual rows)
    clean_hourly: Callable | None = None     # (label, site) -> per-slice clean share (24/7 CFE)
    co2: Callable | None = None              # (label, site) -> tCO2 per MWh
    _at: dict = field(default_factory=dict, repr=False, compare=False)

    def at(self, s, y) -> list:
        """[(label, index)] of this flow at (s, y)."""
        if not self._at and self.keys:
            for label, s2, y2, idx in self.keys:
                self._at.setdefault((s2, y2), []).append((label, idx))
        return self._at.get((s, y), [])

    def series(self, var, idx, n: int) -> list:
        """The flow's terms per slice (unscaled): Pyomo terms, or numbers when ``var`` holds values
        (an array for a :class:`siting.solution.ValueTable`)."""
        if self.per_slice:
            if hasattr(var, "row"):
                return var.row(idx)
            return [var[idx + (t,)] for t in range(n)]
        return [var[idx]] * n


@dataclass
class Ledger:
    """What the blocks registered (see the module docstring and docs/formulation.md section 1.1)."""

    stages: dict = field(default_factory=dict)        # component name -> stage
    families: dict = field(default_factory=dict)      # constraint name -> Family
    flows: list = field(default_factory=list)
    costs: dict = field(default_factory=dict)         # component -> [callable (s, y) -> USD/yr]
    emissions: dict = field(default_factory=dict)     # name -> (kind, callable (s, y) -> tCO2/yr)
    capex: dict = field(default_factory=dict)         # component -> [callable (s, y) -> overnight USD]

    # -- registration ---------------------------------------------------------------------------
    def add(self, m, name: str, component, stage: str, **family):
        """Attach ``component`` to ``m`` as ``name`` with its stage; constraints take :class:`Family` fields."""
        if stage not in STAGES:
            raise ValueError(f"stage must be one of {STAGES}, not {stage!r}")
        is_row = component.ctype.__name__ == "Constraint"
        setattr(m, name, component)
        self.stages[name] = stage
        if family or is_row:
            self.families[name] = Family(name=name, stage=stage, **family)
        return component

    def add_flow(self, flow: Flow) -> None:
        if flow.role not in ROLES:
            raise ValueError(f"flow role must be one of {ROLES}, not {flow.role!r}")
        self.flows.append(flow)

    def add_cost(self, component: str, term: Callable) -> None:
        """Add a term (callable of (s, y), USD per calendar year) to a cost component."""
        self.costs.setdefault(component, []).append(term)

    def add_capex(self, component: str, term: Callable) -> None:
        """Add a term (callable of (s, y), overnight USD commissioned in planning year y) to a capex component."""
        self.capex.setdefault(component, []).append(term)

    def add_emission(self, name: str, term: Callable, kind: str = "operational") -> None:
        """An emission term (callable of (s, y), tCO2 per calendar year): ``operational`` or ``embodied``."""
        self.emissions[name] = (kind, term)

    # -- reading --------------------------------------------------------------------------------
    def of_stage(self, stage: str) -> list[str]:
        return [k for k, v in self.stages.items() if v == stage]

    def cost(self, component: str, s, y):
        return sum(f(s, y) for f in self.costs[component])

    def supply(self, role: str | None = None) -> list[Flow]:
        return [f for f in self.flows if role is None or f.role == role]


# -- the sums every reader shares: in the model (Pyomo terms) and on solved values (numbers) ------------
def _weighted(w, coef, xs):
    """sum_t w_t coef_t x_t over the slices with a non-zero coefficient."""
    return sum(w[t] * coef[t] * xs[t] for t in range(len(w)) if coef[t])


def _flows_at(m, s, y, roles, values=None):
    """(flow, label, index, variable or values) of every registered flow with a role in ``roles`` at (s, y)."""
    for f in m.ledger.flows:
        if f.role not in roles:
            continue
        at = f.at(s, y)
        if not at:
            continue
        v = values[f.var] if values is not None else getattr(m, f.var)
        for label, idx in at:
            yield f, label, idx, v


def product_sets(comp) -> list:
    """The sets whose product indexes ``comp`` (one set when it is not a product)."""
    from pyomo.core.base.set import SetProduct

    ix = comp.index_set()
    return list(ix.subsets(expand_all_set_operators=False)) if isinstance(ix, SetProduct) else [ix]


def _indices(sets: list):
    """The members of ``sets[0] x sets[1] x ...`` in the order and the flattened form in which Pyomo's
    ``SetProduct`` iterates them, without its per-member layers (1.3 us a member against 0.15)."""
    if len(sets) == 1:
        yield from sets[0]
        return
    parts = [[p if p.__class__ is tuple else (p,) for p in s] for s in sets]
    if len(parts) == 2:
        tails = parts[1]
        for b in parts[0]:
            for t in tails:
                yield b + t
        return
    import itertools

    for combo in itertools.product(*parts):
        yield sum(combo, ())


class DirectConstraint(IndexedConstraint):
    """An indexed Pyomo ``Constraint`` over ``*sets`` whose ``rule(m, *index)`` returns each row's
    relational expression (``<=``, ``>=``, ``==``), for the model's most numerous rows (the per-slice
    families). Its rows are made as Pyomo's own construction makes them (a ``ConstraintData`` holding
    the expression, in the index set's order) without its per-row call layers and checks (about
    3 us of the 6-10 us a row cost); anything else a rule returns (a tuple, ``Constraint.Skip``, a
    strict inequality) goes through Pyomo's construction, with its checks and messages. The component
    is an ordinary ``Constraint`` afterwards (tests/test_compile.py compiles it against Pyomo's
    compiler)."""

    _plain = (InequalityExpression, EqualityExpression, RangedExpression)

    def __init__(self, *sets, rule, **kwds):
        super().__init__(*sets, **kwds)
        self._row_rule = rule

    def construct(self, data=None):
        if self._constructed:
            return
        self._constructed = True
        if self._anonymous_sets is not None:
            for s in self._anonymous_sets:
                s.construct()
        import weakref

        rule, block, d = self._row_rule, self.parent_block(), self._data
        ref, new, plain = weakref.ref(self), ConstraintData.__new__, self._plain
        for index in _indices(product_sets(self)):
            expr = rule(block, *index) if index.__class__ is tuple else rule(block, index)
            if expr.__class__ in plain and getattr(expr, "strict", False) is False:
                row = new(ConstraintData)
                row._component, row._active, row._index, row._expr = ref, True, index, expr
                d[index] = row
            else:
                self._setitem_when_not_present(index, expr)


class DirectVar(IndexedVar):
    """An indexed Pyomo ``Var`` (the per-slice variables) whose variables are made as Pyomo's dense
    construction makes them (the first one made, the others copied from it, in the index set's order)
    without iterating Pyomo's product set (1.3 us a member). A domain, bounds or initial value given
    by a rule per index go through Pyomo's construction."""

    def construct(self, data=None):
        if self._constructed:
            return
        simple = (self._dense and self._rule_init is None and self._rule_domain.constant()
                  and (self._rule_bounds is None or self._rule_bounds.constant()))
        if not simple:
            return super().construct(data)
        self._constructed = True
        if self._anonymous_sets is not None:
            for s in self._anonymous_sets:
                s.construct()
        it = _indices(product_sets(self))
        first = next(it, None)
        if first is None:
            return
        ref = self._getitem_when_not_present(first)
        copy, d = self._ComponentDataClass.copy, self._data
        for index in it:
            v = d[index] = copy(ref)
            v._index = index


def lookup(comp):
    """index -> data object of an indexed Var component, for rules that look up many of them: its data
    dict (:func:`siting.compile.dense_data`; ``comp[i]`` normalises the index on every call, about
    1 us of the 5-10 us a row costs to build), else the component itself."""
    from ..compile import dense_data

    d = dense_data(comp) if comp.is_indexed() else None
    return comp if d is None else d


def linear_sum(terms: list):
    """A Pyomo ``LinearExpression`` of ``terms`` (variables and ``MonomialTermExpression``), made in one
    step instead of by adding the terms one by one."""
    return LinearExpression(terms)


def balance_rule(m):
    """The rule of Power_Balance[s, y, t]: the signed, scaled terms of every flow at (s, y, t) in one
    ``LinearExpression``, >= 0. The flows present at (s, y), their variables and per-slice factors are
    gathered once per (s, y) and reused for each of its slices."""
    flows_at: dict = {}

    def gathered(s, y) -> list:
        got = []
        for f in m.ledger.flows:
            at = f.at(s, y)
            if not at:
                continue
            v = lookup(getattr(m, f.var))
            coef = [f.sign * float(sc) for sc in f.scale(s)] if f.scale is not None else None
            for _label, idx in at:
                got.append((v, idx, f.per_slice, coef, f.sign * 1.0))
        return got

    def rule(m, s, y, t):
        terms = flows_at.get((s, y))
        if terms is None:
            terms = flows_at[s, y] = gathered(s, y)
        out = []
        for v, idx, per_slice, coef, sign in terms:
            x = v[idx + (t,)] if per_slice else v[idx]
            c = coef[t] if coef is not None else sign
            out.append(x if c == 1.0 else MonomialTermExpression((c, x)))
        return LinearExpression(out) >= 0.0

    return rule


def energy_mwh(m, ix, s, y, clean: str, basis: str, values: dict | None = None):
    """Supply energy at (s, y), MWh per calendar year, counted ``clean`` or ``"dirty"``.

    ``basis`` ``"annual"`` uses each flow's annual clean share (the annual clean-share row, the
    summary); ``"hourly"`` its per-slice clean share (24/7 CFE). With ``values`` (component
    name -> {index: value}) the sum is a number; without, a Pyomo expression.
    """
    w = ix.weight_h
    n = len(w)
    total = 0
    for f, label, idx, v in _flows_at(m, s, y, ("supply",), values):
        if basis == "hourly" and f.clean_hourly is not None:
            share = np.asarray(f.clean_hourly(label, s), dtype=float)
        else:
            share = np.full(n, float(f.clean_annual(label, s)) if f.clean_annual is not None else 0.0)
        coef = share if clean == "clean" else 1.0 - share
        if not coef.any():
            continue
        if basis == "annual" and len(set(coef.tolist())) == 1:
            # one share for the year: c x sum_t w_t x_t
            c = float(coef[0])
            total = total + c * sum(w[t] * x for t, x in enumerate(f.series(v, idx, n)))
        else:
            total = total + _weighted(w, coef, f.series(v, idx, n))
    return total


def served_mwh(m, ix, s, y, values: dict | None = None):
    """Facility energy served at (s, y), MWh/yr: the load flows less the load reductions (curtailment)."""
    w = ix.weight_h
    n = len(w)
    total = 0
    for f, _label, idx, v in _flows_at(m, s, y, ("load", "load_reduction"), values):
        if not f.per_slice:
            weight = float(np.dot(w, f.scale(s))) if f.scale is not None else float(sum(w))
            term = weight * v[idx]
        else:
            sc = f.scale(s) if f.scale is not None else np.ones(n)
            term = sum(w[t] * float(sc[t]) * v[idx + (t,)] for t in range(n))
        total = total + (term if f.role == "load" else -term)
    return total


def emission_terms(m, ix, s, y, kind: str = "operational"):
    """tCO2/yr at (s, y): the flows' CO2 (operational) and the registered terms of ``kind``."""
    total = 0
    if kind == "operational":
        w = ix.weight_h
        n = len(w)
        for f, label, idx, v in _flows_at(m, s, y, ROLES):
            c = float(f.co2(label, s)) if f.co2 is not None else 0.0
            if c:
                total = total + c * sum(w[t] * x for t, x in enumerate(f.series(v, idx, n)))
    for k, term in m.ledger.emissions.values():
        if k == kind:
            total = total + term(s, y)
    return total
