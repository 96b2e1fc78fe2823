"""The results of a sweep: the stacked tables, the per-scenario summary, site frequency and the cost figure."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._io import atomic_write
from ..results import TABLE_NAMES, Results, plan_per_gw
from .spec import Scenario

#: table of a scenario's own record, stored in its results folder (fingerprint for resuming)
RECORD_TABLE = "sweep_scenario"

#: names of the tables a sweep adds to the stacked result tables
SUMMARY_TABLES = ("scenario_summary", "site_frequency")


@dataclass(eq=False)
class SweepResults:
    """The results of a sweep.

    Attributes
    ----------
    tables : the result tables of every solved scenario stacked, each with a ``scenario``
        key column first (``summary`` also carries the override columns), plus
        ``scenario_summary`` (one row per scenario, failed ones included, with the override
        columns) and ``site_frequency`` (one row per site). Also reachable as attributes.
    failed : one row per failed scenario: scenario, error.
    results : the :class:`Results` of each solved scenario, by name.
    scenarios : the scenarios, in definition order.
    info : scenarios ``solved`` in this call, ``reused`` from the output folder, ``failed``,
        number of ``workers``, wall-clock ``seconds``.
    """

    tables: dict
    failed: pd.DataFrame
    results: dict = field(default_factory=dict, repr=False)
    scenarios: list = field(default_factory=list, repr=False)
    info: dict = field(default_factory=dict)

    def __getattr__(self, name):
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    @classmethod
    def combine(cls, scenarios: list[Scenario], done: dict[str, Results], errors: dict[str, str],
                info: dict | None = None) -> SweepResults:
        """Stack per-scenario results (in scenario order) and summarise them."""
        order = [s for s in scenarios if s.name in done]
        ov_cols = list(dict.fromkeys(c for s in scenarios for c in s.values()))
        tables: dict[str, pd.DataFrame] = {}
        names = list(TABLE_NAMES) + sorted({n for r in done.values() for n in r.tables} - set(TABLE_NAMES)
                                           - {RECORD_TABLE})
        for name in names:
            parts = []
            for s in order:
                df = done[s.name].tables.get(name)
                if df is None:
                    continue
                df = df.copy()
                df.insert(0, "scenario", s.name)
                if name == "summary":
                    vals = s.values()
                    for i, c in enumerate(ov_cols):
                        df.insert(1 + i, c, _column_value(vals.get(c), len(df)))
                parts.append(df)
            if parts:
                nonempty = [p for p in parts if len(p)]
                tables[name] = (pd.concat(nonempty, ignore_index=True) if nonempty
                                else parts[0].iloc[0:0].reset_index(drop=True))
        tables["scenario_summary"] = _scenario_summary(scenarios, done, errors, ov_cols)
        tables["site_frequency"] = _site_frequency(order, done)
        failed = pd.DataFrame({"scenario": [s.name for s in scenarios if s.name in errors],
                               "error": [errors[s.name] for s in scenarios if s.name in errors]},
                              columns=["scenario", "error"])
        return cls(tables=tables, failed=failed, results=dict(done), scenarios=list(scenarios),
                   info=dict(info or {}))

    def with_overrides(self, table: str) -> pd.DataFrame:
        """A stacked table with the override columns of each scenario joined on ``scenario``."""
        ss = self.tables["scenario_summary"]
        cols = ["scenario"] + [c for s in self.scenarios for c in s.values()]
        cols = list(dict.fromkeys(cols))
        df = self.tables[table]
        keep = [c for c in cols if c not in df.columns or c == "scenario"]
        return df.merge(ss[keep], on="scenario", how="left")

    def to_folder(self, path) -> Path:
        """Write the stacked tables (``<table>.csv``), ``failed.csv`` and ``cost_distribution.png`` to ``path``.

        Each file is written beside its final name and moved into place. The per-scenario
        folders ``path/scenarios/<name>/`` are written by :func:`sweep` itself (``out=``).
        """
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for name, df in list(self.tables.items()) + [("failed", self.failed)]:
            atomic_write(path / f"{name}.csv", lambda p, df=df: df.to_csv(p, index=False))
        text = json.dumps(self.info, indent=2, default=str) + "\n"
        atomic_write(path / "sweep.json", lambda p: p.write_text(text, encoding="utf-8"))
        atomic_write(path / "cost_distribution.png", lambda p: self.plot_costs().savefig(p, dpi=120, format="png"))
        return path

    def plot_costs(self):
        """A matplotlib Figure: distribution of total discounted cost and of the annual cost per GW-year of IT
        (``cost_usd_per_gw_it_yr``, undiscounted) over the scenarios."""
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator

        ss = self.tables["scenario_summary"]
        ok = ss[ss["status"] != "failed"]
        fig = Figure(figsize=(10, 4), layout="constrained")
        ax1, ax2 = fig.subplots(1, 2)
        for ax, col, scale, label in ((ax1, "objective_usd", 1e9, "total discounted cost, billion USD"),
                                      (ax2, "cost_usd_per_gw_it_yr", 1e9, "annual cost per GW of IT in "
                                                                          "service, undiscounted ($B per GW-year)")):
            x = ok[col].dropna().to_numpy(dtype=float) / scale
            if len(x) == 0:
                ax.text(0.5, 0.5, "no solved scenario", ha="center", va="center", transform=ax.transAxes)
            else:
                bins = min(30, max(5, int(np.sqrt(len(x))) * 2))
                ax.hist(x, bins=bins, color="#4C72B0", alpha=0.8, edgecolor="white")
                if len(x) >= 2:
                    for q, ls in ((10, ":"), (50, "-"), (90, ":")):
                        v = np.percentile(x, q)
                        ax.axvline(v, color="#C44E52", ls=ls, lw=1.2, label=f"P{q} {v:,.3g}")
                    ax.legend(fontsize=8, frameon=False)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel(label)
            ax.set_ylabel("scenarios")
        n_failed = int((ss["status"] == "failed").sum())
        fig.suptitle(f"Cost over {len(ok)} solved scenarios" + (f" ({n_failed} failed)" if n_failed else ""))
        return fig


def _column_value(v, n: int):
    if v is None:
        v = np.nan
    elif isinstance(v, list | dict):
        v = json.dumps(v)
    return [v] * n


def _scenario_summary(scenarios, done, errors, ov_cols) -> pd.DataFrame:
    rows = []
    for s in scenarios:
        r = done.get(s.name)
        row = {"scenario": s.name, "kind": s.kind, "group": s.group, "description": s.description}
        if r is None:
            row |= {"status": "failed", "objective_usd": np.nan, "mip_gap": np.nan, "peak_it_gw": np.nan,
                    "capex_usd_per_gw_it": np.nan, "cost_usd_per_gw_it_yr": np.nan, "n_sites_chosen": pd.NA,
                    "sites_chosen": "",
                    "solve_seconds": np.nan, "error": errors.get(s.name, "not solved")}
        else:
            peak = float(r.tables["summary"]["it_gw"].max()) if len(r.tables.get("summary", ())) else np.nan
            chosen = _chosen_sites(r)
            per = plan_per_gw(r.tables["summary"]) if len(r.tables.get("summary", ())) else {}
            row |= {"status": r.status, "objective_usd": r.objective, "mip_gap": r.mip_gap, "peak_it_gw": peak,
                    "capex_usd_per_gw_it": per.get("capex_usd_per_gw_it", np.nan),
                    "cost_usd_per_gw_it_yr": per.get("cost_usd_per_gw_it_yr", np.nan),
                    "n_sites_chosen": len(chosen), "sites_chosen": ";".join(chosen),
                    "solve_seconds": r.solve_seconds, "error": ""}
        vals = s.values()
        for c in ov_cols:
            v = vals.get(c, np.nan)
            row[c] = json.dumps(v) if isinstance(v, list | dict) else v
        rows.append(row)
    df = pd.DataFrame(rows)
    df["n_sites_chosen"] = df["n_sites_chosen"].astype("Int64")
    return df


def _chosen_sites(r: Results) -> list[str]:
    s = r.tables["sites"]
    opened = s.loc[s["open"] > 0, "site"]
    return [x for x in dict.fromkeys(s["site"]) if x in set(opened)]


def _site_frequency(order, done) -> pd.DataFrame:
    cols = ["site", "zone", "scenarios_chosen", "scenarios_solved", "share", "mean_peak_it_mw"]
    if not order:
        return pd.DataFrame(columns=cols)
    frames = []
    for s in order:
        st = done[s.name].tables["sites"]
        g = st.groupby("site", sort=False).agg(zone=("zone", "first"), opened=("open", "max"), peak=("it_mw", "max"))
        frames.append(g)
    allf = pd.concat(frames)
    n = len(order)
    agg = allf.groupby(level=0, sort=False).agg(zone=("zone", "first"), scenarios_chosen=("opened", lambda x: int(
        (x > 0).sum())), mean_peak_it_mw=("peak", "sum"))
    agg["mean_peak_it_mw"] = agg["mean_peak_it_mw"] / n
    agg["scenarios_solved"] = n
    agg["share"] = agg["scenarios_chosen"] / n
    agg = agg.rename_axis("site").reset_index()
    agg["scenarios_chosen"] = agg["scenarios_chosen"].astype("int64")
    return agg[cols]
