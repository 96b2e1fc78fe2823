"""A solved model's values without the Pyomo model: what the result tables read.

:func:`siting.solving.hand_off` compiles the model and frees it before HiGHS runs. What the result
tables need of it is recorded first (:func:`record`, a :class:`Skeleton` of a few numbers per
variable): the column of every variable in each Var component's index order (the compile's
layout), each component's index (for a per-slice component, ``Var(X, SLICES)``, only X), the
members of the model's sets, every named Expression compiled over the columns
(:class:`siting.compile.Rows`, as the ledger's emission terms), the objective's cost vector and
the instance, index and ledger. After the solve, :meth:`Skeleton.solved` turns HiGHS's column
values into a :class:`SolvedModel`, which :func:`siting.model.extract.extract_tables` reads as it
reads a solved Pyomo model: ``m.Open``, ``m.AnnualCost`` are :class:`ValueTable` (index -> value),
``m.SITES`` a list. No model is built a second time. The model itself is taken apart
(:func:`free_model`) and the freed pages returned to the system (:func:`release_memory`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

__all__ = ["Skeleton", "SolvedModel", "ValueTable", "record", "expressions_of"]


class ValueTable:
    """The values of one indexed Var or Expression component, by index (``nan``: no value).

    A per-slice component (indexed by ``X x SLICES``) keeps its values as one row of ``n`` slices
    per member of X: ``row(x)`` is that row, ``table[x + (t,)]`` one value.
    """

    def __init__(self, name: str, kind: str, keys: list, values: np.ndarray, per_slice: int | None = None):
        import pyomo.environ as pyo

        self.name = name
        self.ctype = pyo.Var if kind == "Var" else pyo.Expression  # as a Pyomo component's
        if per_slice:  # X's members as tuples, whatever X's dimension
            keys = [k if isinstance(k, tuple) else (k,) for k in keys]
        self._keys = keys
        self._n = per_slice
        self._vals = values.reshape(len(keys), per_slice) if per_slice else values
        self._pos: dict | None = None

    def _at(self) -> dict:
        if self._pos is None:
            self._pos = {k: i for i, k in enumerate(self._keys)}
        return self._pos

    def row(self, base) -> np.ndarray:
        """The slice values at ``base`` (the index without the slice) of a per-slice component."""
        return self._vals[self._at()[base if isinstance(base, tuple) else (base,)]]

    def __getitem__(self, k) -> float:
        if self._n:
            return float(self._vals[self._at()[k[:-1]], k[-1]])
        return float(self._vals[self._at()[k]])

    def __contains__(self, k) -> bool:
        if self._n:
            return isinstance(k, tuple) and k[:-1] in self._at() and k[-1] in range(self._n)
        return k in self._at()

    def __len__(self) -> int:
        return len(self._keys) * (self._n or 1)

    def keys(self):
        if not self._n:
            return iter(self._keys)
        return (b + (t,) for b in self._keys for t in range(self._n))

    __iter__ = keys

    def values(self):
        return iter(self._vals.ravel().tolist())

    def items(self):
        return zip(self.keys(), self.values())

    def get(self, k, default=None):
        return self[k] if k in self else default

    def extract_values(self) -> dict:
        """index -> value (None where there is no value), as Pyomo's ``extract_values``."""
        return {k: (None if v != v else v) for k, v in self.items()}


@dataclass
class _VarShape:
    keys: list            # the component's index, or X of a per-slice component X x SLICES
    per_slice: int | None  # the number of slices of a per-slice component
    columns: np.ndarray   # the column of each variable in index order, -1 when it is none
    fixed: tuple          # (positions, values) of the variables that are no column but have a value

    def values(self, x: np.ndarray) -> np.ndarray:
        if not len(x):
            return np.full(len(self.columns), np.nan)
        vals = x[self.columns]
        if len(vals):
            vals[self.columns < 0] = np.nan  # no value (x[-1] was read)
            vals[self.fixed[0]] = self.fixed[1]
        return vals


@dataclass
class Skeleton:
    """What the result tables read of a model (see the module docstring), recorded before it is freed."""

    inst: object
    ix: object
    slices: object
    ledger: object
    sets: dict
    variables: dict
    expressions: dict
    cost: np.ndarray
    cost_offset: float
    attributes: dict

    def solved(self, x: np.ndarray) -> SolvedModel:
        """The model's values at the column values ``x``."""
        return SolvedModel(self, np.asarray(x, dtype=float))


class SolvedModel:
    """The values of a solved model, read as a solved Pyomo model is read by the result tables."""

    def __init__(self, skeleton: Skeleton, x: np.ndarray):
        self._sk = skeleton
        self._x = x
        self._tables: dict = {}
        self.inst, self.ix, self.slices = skeleton.inst, skeleton.ix, skeleton.slices
        for k, v in skeleton.attributes.items():
            setattr(self, k, v)
        emissions = {}
        for name, (kind, _term) in skeleton.ledger.emissions.items():
            emissions[name] = (kind, (lambda s, y, name=name: self._table(f"ledger.emissions.{name}")[(s, y)]))
        self.ledger = dataclasses.replace(skeleton.ledger, emissions=emissions, costs={}, capex={})

    @property
    def objective(self) -> float:
        """The objective's value (the model's objective units)."""
        return float(self._sk.cost @ self._x) + self._sk.cost_offset

    def _table(self, name: str) -> ValueTable:
        t = self._tables.get(name)
        if t is not None:
            return t
        sk = self._sk
        if name in sk.variables:
            v = sk.variables[name]
            t = ValueTable(name, "Var", v.keys, v.values(self._x), v.per_slice)
        else:
            r = sk.expressions[name]
            t = ValueTable(name, "Expression", r.keys, r.values(self._x))
        self._tables[name] = t
        return t

    def component(self, name: str):
        try:
            return getattr(self, name)
        except AttributeError:
            return None

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        sk = self.__dict__.get("_sk")
        if sk is None:
            raise AttributeError(name)
        if name in sk.variables or name in sk.expressions:
            return self._table(name)
        if name in sk.sets:
            return sk.sets[name]
        raise AttributeError(f"the solved model has no component {name!r}")


def expressions_of(m) -> dict:
    """What :func:`record` needs compiled: every active Expression component (name -> its items in
    index order) and the ledger's emission terms per site-year (``ledger.emissions.<name>``)."""
    import pyomo.environ as pyo

    out = {}
    for comp in m.component_objects(pyo.Expression, active=True, descend_into=True):
        out[comp.name] = list(comp.items())
    ledger = getattr(m, "ledger", None)
    if ledger is not None and ledger.emissions:
        site_years = list(m.ix.site_years)
        for name, (_kind, term) in ledger.emissions.items():
            out[f"ledger.emissions.{name}"] = [((s, y), term(s, y)) for s, y in site_years]
    return out


def _per_slice(comp, slices) -> list | None:
    """X of a component indexed by ``X x SLICES`` (its keys in the product's order), else None."""
    from .model.ledger import product_sets

    sets = product_sets(comp)
    if slices is None or len(sets) != 2 or sets[1] is not slices:
        return None
    base = list(sets[0])
    return base if len(comp) == len(base) * len(slices) else None


def record(m, sf) -> Skeleton:
    """The :class:`Skeleton` of ``m`` from its standard form ``sf`` (compiled with
    ``expressions=expressions_of(m)``)."""
    import pyomo.environ as pyo
    from pyomo.core.base.set import SetOperator

    from .compile import component_values

    slices = getattr(m, "SLICES", None)
    variables = {}
    for comp in m.component_objects(pyo.Var, descend_into=True):
        n = len(comp)
        cols = sf.layout.get(comp.name)
        if cols is None:
            cols = np.full(n, -1, dtype=np.int32)
        at, val = [], []
        if (cols < 0).any():
            data = list(component_values(comp))
            for i in np.flatnonzero(cols < 0).tolist():
                if data[i].value is not None:
                    at.append(i)
                    val.append(float(data[i].value))
        fixed = (np.asarray(at, dtype=np.int64), np.asarray(val, dtype=float))
        base = _per_slice(comp, slices)
        if base is not None:
            variables[comp.name] = _VarShape(base, len(slices), cols, fixed)
        else:
            keys = list(comp.keys()) if comp.is_indexed() else [None]
            variables[comp.name] = _VarShape(keys, None, cols, fixed)
    sets = {s.name: list(s) for s in m.component_objects(pyo.Set, descend_into=True)
            if not isinstance(s, SetOperator)}
    cost, offset = sf.objective()
    attributes = {k: getattr(m, k) for k in ("unavoidable_shortfall_usd",) if hasattr(m, k)}
    ledger = dataclasses.replace(m.ledger, costs={}, capex={})  # their terms are Pyomo expressions
    return Skeleton(inst=m.inst, ix=m.ix, slices=m.slices, ledger=ledger, sets=sets, variables=variables,
                    expressions=dict(sf.expressions or {}), cost=cost, cost_offset=offset, attributes=attributes)


def free_model(m) -> None:
    """Take ``m`` apart (every component deleted and emptied, the instance, index and ledger dropped)
    so that reference counting frees it at once. Left whole, the model is held in reference cycles
    (the ledger's terms refer back to it; a scalar component, as the objective, holds itself in its
    data dict, and with it its expression and every variable in it) and only Python's cyclic
    collector frees it, after walking its millions of objects: 4 s at 1.2M nonzeros, against 0.7 s
    taken apart, and no collection is needed after it (a few hundred small objects are left)."""
    for c in list(m.component_objects(descend_into=False)):
        m.del_component(c)
        data = getattr(c, "_data", None)  # a scalar component's holds itself (a cycle, which would keep the
        if type(data) is dict:  # objective's expression, and every variable in it, until a collection)
            data.clear()
    for name in ("ledger", "ix", "inst", "slices"):
        m.__dict__.pop(name, None)


def release_memory(collect: bool = True) -> None:
    """Collect Python's garbage (unless ``collect`` is False: after :func:`free_model` there is
    next to none, and a collection walks every live object, 0.2 s at 3M nonzeros) and give the
    freed heap pages back to the system (glibc's ``malloc_trim``; elsewhere only the collection),
    so that HiGHS's allocations, which go to fresh pages, do not add to memory that Python no
    longer uses."""
    import ctypes
    import gc

    if collect:
        gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
