"""Regression: a fresh solve of the bundled toy against stored results in tests/regression/toy/.

Stored files: ``results.json`` (objective, status), ``summary.csv``, ``sites.csv``,
``capacity.csv``, ``chips.csv``, and the flag file ``UNIQUE_OPTIMUM``.

What is compared, and why
-------------------------
* The solve uses ``mip_gap=1e-9`` (not the toy's 1e-4), so the objective is the optimum itself
  and not any plan within 0.01 % of it; only then does a 1e-6 relative comparison make sense
  on every platform and HiGHS version.
* The objective and the ``summary`` table are always compared (rtol 1e-6; absolute 1e-6 for
  values that are zero up to round-off, such as a clean share of 2e-16).
* A MIP optimum may be reached by several plans of the same cost. ``sites``, ``capacity`` and
  ``chips`` are compared only when ``UNIQUE_OPTIMUM`` exists. ``--regenerate`` decides by
  probing: it caps the cost at the optimum (+1e-9 relative) and then minimises and maximises a
  random linear function of every decision variable (Open, Modules, Build, Units,
  Install). Any other optimal plan differing in those variables would move that
  function, so if both probes give the stored tables back (within the same tolerances), the
  plan is unique and the flag is written; otherwise it is removed and the probe's differences
  are printed. Rows that exist in only one of two tables count as zero in the other, so a
  capacity of 1e-5 MW left by the cost slack does not count as a different plan.

Regenerate (after a deliberate change of the model or of the toy data) with::

    python tests/test_regression.py --regenerate

and review the diff of tests/regression/toy/ before committing it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import siting

HERE = Path(__file__).resolve().parent
TOY = HERE.parent / "instances" / "toy"
STORE = HERE / "regression" / "toy"
FLAG = STORE / "UNIQUE_OPTIMUM"
MIP_GAP = 1e-9
RTOL = 1e-6
#: key columns of the stored tables; every other column is compared as a value
KEYS = {"summary": ["year"], "sites": ["site", "year"], "capacity": ["site", "tech", "year"],
        "chips": ["site", "generation", "year"]}
PLAN_TABLES = ("sites", "capacity", "chips")


def solve_toy(model=None):
    """A tight-gap solve of the toy (or of a built model of it)."""
    return siting.solve(model if model is not None else siting.load_instance(TOY), mip_gap=MIP_GAP)


def table_differences(name: str, new: pd.DataFrame, old: pd.DataFrame, atol: float | None = None) -> list[str]:
    """Plain lines describing where ``new`` differs from ``old`` (empty: equal within tolerance).

    Value columns are compared with rtol 1e-6 and an absolute tolerance of ``atol``, by default
    1e-6 of the column's largest magnitude (1e-6 absolute for the summary). Non-numeric value
    columns must match exactly. Rows present in one table only count as zeros in the other.
    """
    keys = KEYS[name]
    new = new.reset_index(drop=True)
    old = old.reset_index(drop=True)
    if list(new.columns) != list(old.columns):
        return [f"{name}: columns {list(new.columns)} != stored {list(old.columns)}"]
    for df in (new, old):
        if df.duplicated(keys).any():
            return [f"{name}: duplicated keys {keys}"]
    m = new.merge(old, on=keys, how="outer", suffixes=("", "_stored"), indicator=True)
    out = []
    for col in new.columns:
        if col in keys:
            continue
        a, b = m[col], m[f"{col}_stored"]
        if pd.api.types.is_numeric_dtype(old[col]) and pd.api.types.is_numeric_dtype(new[col]):
            a = a.astype(float).where(m["_merge"] != "right_only", 0.0).to_numpy()
            b = b.astype(float).where(m["_merge"] != "left_only", 0.0).to_numpy()
            scale = np.nanmax(np.abs(np.r_[a, b, 0.0]))
            tol = atol if atol is not None else 1e-6 * max(scale, 1.0)
            bad = ~(np.isclose(a, b, rtol=RTOL, atol=tol) | (np.isnan(a) & np.isnan(b)))
        else:
            both = m["_merge"] == "both"
            bad = (both & (a.astype(str) != b.astype(str))).to_numpy()
        for i in np.flatnonzero(bad)[:10]:
            key = ", ".join(f"{k}={m.at[i, k]}" for k in keys)
            out.append(f"{name} [{key}] {col}: {_fmt(a[i])} (stored {_fmt(b[i])})")
    return out


def _fmt(v) -> str:
    return f"{v:.10g}" if isinstance(v, (float, np.floating)) else repr(v)


def stored(name: str) -> pd.DataFrame:
    return pd.read_csv(STORE / f"{name}.csv")


# -- the test --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fresh():
    if not (STORE / "results.json").is_file():
        pytest.fail(f"no stored results in {STORE}; run: python tests/test_regression.py --regenerate")
    return solve_toy()


def test_objective(fresh):
    meta = json.loads((STORE / "results.json").read_text())
    assert fresh.status == meta["status"] == "optimal"
    assert fresh.objective == pytest.approx(meta["objective_usd"], rel=RTOL)


def test_summary(fresh):
    diffs = table_differences("summary", fresh.summary, stored("summary"), atol=1e-6)
    assert not diffs, "\n".join(diffs)


@pytest.mark.parametrize("name", PLAN_TABLES)
def test_plan_tables(fresh, name):
    if not FLAG.is_file():
        pytest.skip(f"the stored optimum is not known to be unique (no {FLAG.name}): only the objective and the "
                    "summary are compared")
    diffs = table_differences(name, fresh.tables[name], stored(name))
    assert not diffs, "\n".join(diffs)


# -- regeneration ----------------------------------------------------------------------------------

def _probe_unique(res, seed: int = 20250101) -> tuple[bool, list[str]]:
    """Minimise and maximise a random linear function of the decisions at (nearly) optimal cost."""
    import pyomo.environ as pyo

    m = siting.build_model(siting.load_instance(TOY))
    solve_toy(m)
    # the cap in the model's own units (the objective may be scaled inside the model)
    cap = pyo.value(m.Total_Cost)
    rng = np.random.default_rng(seed)
    terms = []
    for n in ("Open", "Modules", "Build", "Units", "Install"):
        for v in getattr(m, n, {}).values() if hasattr(m, n) else ():
            terms.append(float(rng.uniform(0.5, 1.5) * rng.choice([-1.0, 1.0])) * v)
    m.RegressionCostCap = pyo.Constraint(expr=m.Total_Cost.expr <= cap + 1e-9 * abs(cap))
    m.Total_Cost.deactivate()
    diffs: list[str] = []
    for label, sense in (("min", 1.0), ("max", -1.0)):
        probe_obj = pyo.Objective(expr=sense * sum(terms), sense=pyo.minimize)
        m.add_component(f"RegressionProbe_{label}", probe_obj)
        probe = solve_toy(m)
        probe_obj.deactivate()
        for name in PLAN_TABLES:
            diffs += [f"probe {label}: {d}" for d in table_differences(name, probe.tables[name], res.tables[name])]
    return not diffs, diffs


def regenerate() -> None:
    res = solve_toy()
    if res.status != "optimal":
        raise SystemExit(f"the toy solve ended with status {res.status}; nothing written")
    STORE.mkdir(parents=True, exist_ok=True)
    for name in KEYS:
        res.tables[name].to_csv(STORE / f"{name}.csv", index=False)
    meta = {"instance": "toy", "status": res.status, "objective_usd": res.objective, "mip_gap_setting": MIP_GAP,
            "siting_version": siting.__version__}
    (STORE / "results.json").write_text(json.dumps(meta, indent=2) + "\n")
    unique, diffs = _probe_unique(res)
    if unique:
        FLAG.write_text("The optimum of the toy is unique in Open, Modules, Build, Units and Install: minimising and\n"
                        "maximising a random linear function of them at optimal cost gave the stored plan back.\n"
                        "Written by `python tests/test_regression.py --regenerate`; while this file exists the\n"
                        "sites, capacity and chips tables are compared too.\n")
    elif FLAG.exists():
        FLAG.unlink()
    print(f"wrote {', '.join(f'{n}.csv' for n in KEYS)} and results.json to {STORE}")
    print(f"objective {res.objective:,.2f} USD; optimum {'unique' if unique else 'NOT unique'}")
    for d in diffs[:20]:
        print("  " + d)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regenerate", action="store_true", help="rewrite the stored results in tests/regression/toy")
    if not ap.parse_args().regenerate:
        ap.print_help()
        sys.exit(0)
    regenerate()
