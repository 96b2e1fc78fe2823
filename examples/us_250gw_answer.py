"""The answer of a bundled instance, as it goes into its README: GW per year, where, with what power,
capex per GW against published figures, binding limits, the hourly check and a sensitivity sweep.

Usage::

    python examples/us_250gw_answer.py --quick --out out/answer_quick      # ~1-2 minutes, tiny settings
    python examples/us_250gw_answer.py --out out/us_250gw_answer           # shipped settings (about 70 minutes)
    python examples/us_250gw_answer.py --out out/us_250gw_answer --write-readme
    python examples/ercot_campus_answer.py ...                             # the same for ercot_campus

Steps (one progress line per solve or check on stderr; the results on stdout and in ``--out``):

1. **The plan, in two steps when the targets are soft.** us_250gw's targets are soft (1e9 USD per MW
   short per year) and out of reach, so ~99.6 % of the objective is penalty, and a MIP gap of 1e-3
   on that objective is larger than the whole plan's cost. Step 1 solves as shipped (the least
   shortfall first); step 2 lowers each year's IT target to what step 1 reached (target - shortfall
   - 1 MW) and makes the targets hard, so the shortfall per year cannot grow and the objective is the
   plan's cost alone; the gap of step 2 then bounds the plan's cost (:func:`lexicographic`). The
   plan-cost uncertainty of step 1 (gap x (objective - objective_floor_usd): the gap is net of the
   penalty no plan avoids) is reported beside it.
2. **Tables**: IT GW per year against the path; GW by region and site; energy shares and capacity by
   technology; overnight capex per IT GW by component against the published figures; the binding
   limits with their marginal values (``res.tables['binding']``, of the step-2 plan).
3. **Map** of the plan (``siting.report.plot_map``).
4. **Hourly check** of the plan on every hour of the chosen years (:func:`siting.hourly.check_hourly`).
5. **Sensitivity**: one solve per case (turbine cap, chip supply, gas price, wholesale price level,
   Duke flexibility level), each in two steps as above. A case that cannot add accelerators
   starts from the base case's shortfall (step 2 only, the least shortfall cannot fall below the
   base one's: chips bind); if that hard solve has no plan, the case is solved in two steps.

``--out DIR`` receives ``answer.md`` (the generated README block), the tables as CSV, the
figures as PNG and ``answer.json`` (headline figures). ``--write-readme`` also copies the
figures to ``instances/<name>/figures/`` and replaces the block between ``<!-- answer:start -->``
and ``<!-- answer:end -->`` in the instance's README (appended at the end when absent).
``--quick`` is a small setting to try the script (the first years, a few hubs, one typical day,
a loose gap, two sensitivity cases); it never writes the README unless asked.
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from _progress import Progress

import siting

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- answer:start -->", "<!-- answer:end -->"
#: tolerance on the shortfall fixed in step 2, MW (and PFLOPS for a compute target)
TOL_MW = 1.0
#: Duke curtailment-enabled headroom, MW (docs/sources.md#duke-2025): 0.25 / 0.5 / 1 % levels, per zone
DUKE_MW = {
    "ERCOT": (6500, 10000, 14700), "PJM": (13300, 17800, 23600), "MISO": (11600, 14800, 18500),
    "SPP": (7700, 9700, 12000), "CAISO": (4200, 5000, 5900), "NYISO": (3200, 4000, 4800),
    "ISONE": (2800, 3500, 4300), "SOUTHEAST": (19000, 23900, 30200), "NORTHWEST": (3200, 3800, 4600),
    "SOUTHWEST": (4400, 5800, 7200), "ERCOT_WEST": (6500, 10000, 14700), "ERCOT_NORTH": (6500, 10000, 14700)}
#: published overnight capex per GW of IT, $B (each with its entry in docs/sources.md)
PUBLISHED = [
    ("Nvidia (Huang, Aug-2025): AI factory, all-in", 50, 60, "huang-2025"),
    ("Nvidia (Huang, Aug-2025): of which Nvidia hardware", 35, 35, "huang-2025"),
    ("Nvidia (Huang, 2026): Rubin-era factory", 80, 100, "huang-2026"),
    ("Bernstein (Oct-2025): GB200 NVL72 campus", 35, 35, "bernstein-2025"),
    ("Epoch AI (2026): 1 GW of GB200 NVL72", 38, 38, "epoch-tco-2026"),
    ("Epoch AI (Nov-2025): per GW of facility power", 29, 32, "epoch-fdc-2025"),
    ("OpenAI (Reuters, Oct-2025): each GW", 40, 40, "reuters-openai-2025"),
]
GAS_TECHS = ("aero_ct", "frame_ct", "gas_cc", "recip", "fuel_cell")
FIGURES = ("map", "sensitivity", "energy")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# -- settings -------------------------------------------------------------------------------------

@dataclass
class Settings:
    name: str
    quick: bool
    mip_gap: float | None
    time_limit: float | None
    case_gap: float | None
    case_time_limit: float | None
    hourly_years: list[int]
    cases: list[str]
    years: list[int] | None = None
    sites: list[str] | None = None
    extra: dict = field(default_factory=dict)


def quick_instance(inst: siting.Instance, years: list[int], sites: list[str] | None) -> siting.Instance:
    """``inst`` cut to ``years`` (and ``sites``), one typical day: the --quick setting."""
    sc = copy.deepcopy(inst.scenario)
    sc["years"] = list(years)
    sc["time"] = {**sc.get("time", {}), "mode": "typical_days", "typical_days": 1}
    tabs = {"targets": inst.targets[inst.targets.year.isin(years)].reset_index(drop=True)}
    for k in ("supply", "chip_supply"):
        df = getattr(inst, k)
        if df is not None and len(df):
            tabs[k] = df[df.year.isin(years)].reset_index(drop=True)
    if sites:
        s = pd.DataFrame(inst.sites).drop(columns="geometry", errors="ignore")
        tabs["sites"] = s[s.site.isin(sites)].reset_index(drop=True)
    return inst.replace(sc, **tabs)


# -- the two-step (lexicographic) solve ---------------------------------------------------------------

@dataclass
class Plan:
    res: siting.Results
    steps: list = field(default_factory=list)  # (label, status, gap, objective, plan cost, seconds)
    step1_uncertainty_usd: float = float("nan")
    #: step 1's objective_floor_usd (the penalty no plan avoids, of which its gap is net); NaN for a run with
    #: a siting whose gap was relative to the whole objective
    step1_floor_usd: float = float("nan")
    shortfall_mw: dict = field(default_factory=dict)


def _solve(inst, gap, limit):
    t = time.perf_counter()
    res = siting.solve(inst, mip_gap=gap, time_limit=limit)
    return res, time.perf_counter() - t


def soft(inst: siting.Instance) -> bool:
    return (inst.scenario.get("targets") or {}).get("mode", "hard") == "soft"


def lowered(inst: siting.Instance, short_mw: dict, short_pf: dict | None = None) -> siting.Instance:
    """``inst`` with hard targets lowered by each year's shortfall (+ TOL_MW): the step-2 instance."""
    sc = copy.deepcopy(inst.scenario)
    sc["targets"] = {k: v for k, v in (sc.get("targets") or {}).items() if not k.startswith("penalty")}
    sc["targets"]["mode"] = "hard"
    t = inst.targets.copy()
    if "it_gw" in t.columns:
        s = t.year.map(lambda y: short_mw.get(int(y), 0.0)).to_numpy(dtype=float)
        low = t["it_gw"].to_numpy(dtype=float) - np.where(s > 1e-6, (s + TOL_MW) / 1000.0, 0.0)
        t["it_gw"] = np.maximum(0.0, low)
    if short_pf and "compute_eflops" in t.columns:
        s = t.year.map(lambda y: short_pf.get(int(y), 0.0)).to_numpy(dtype=float)
        low = t["compute_eflops"].to_numpy(dtype=float) - np.where(s > 1e-6, (s + TOL_MW) / 1000.0, 0.0)
        t["compute_eflops"] = np.where(t["compute_eflops"].notna(), np.maximum(0.0, low), np.nan)
    return inst.replace(sc, targets=t)


def lexicographic(inst: siting.Instance, gap=None, limit=None, shortfall_mw: dict | None = None,
                  progress: Progress | None = None, label: str = "") -> Plan:
    """The least shortfall first, then the least cost with the shortfall per year fixed there (+1 MW).

    With hard targets: one solve. With soft targets: step 1 (as given) unless ``shortfall_mw`` (a
    year -> MW short known to be least) is passed, then step 2 on :func:`lowered`. When the step-2
    solve started from a given shortfall has no plan, step 1 is run after all. The Results returned
    are the step-2 plan, its summary's ``shortfall_it_mw`` measured against the original targets.
    """
    def tick(msg):
        if progress is not None:
            progress.step(f"{label}{msg}")

    if not soft(inst):
        res, sec = _solve(inst, gap, limit)
        tick(f"solved ({res.status}, gap {res.mip_gap:.2%}, {sec:.0f} s)")
        return Plan(res, [("hard targets", res.status, res.mip_gap, res.objective, res.plan_cost_usd, sec)],
                    step1_uncertainty_usd=res.mip_gap * abs(res.objective - getattr(res, "objective_floor_usd", 0.0)))
    steps = []
    unc = float("nan")
    short_pf = None
    r1 = None
    if shortfall_mw is None:
        r1, sec = _solve(inst, gap, limit)
        shortfall_mw = {int(y): float(v) for y, v in zip(r1.summary.year, r1.summary.shortfall_it_mw.fillna(0.0))}
        if "shortfall_pflops" in r1.summary.columns:
            short_pf = {int(y): float(v) for y, v in zip(r1.summary.year, r1.summary.shortfall_pflops.fillna(0.0))}
        unc = r1.mip_gap * abs(r1.objective - getattr(r1, "objective_floor_usd", 0.0))  # the gap is net of it
        steps.append(("1: least shortfall (soft)", r1.status, r1.mip_gap, r1.objective, r1.plan_cost_usd, sec))
        tick(f"step 1 ({r1.status}, gap {r1.mip_gap:.3%}, short {sum(shortfall_mw.values()) / 1e3:,.1f} GW-yr, "
             f"{sec:.0f} s)")
    try:
        r2, sec = _solve(lowered(inst, shortfall_mw, short_pf), gap, limit)
    except (siting.InfeasibleError, siting.SolveError) as e:
        if steps:
            raise
        log(f"{label}step 2 from the base shortfall has no plan ({str(e).splitlines()[0][:120]}): two steps")
        if progress is not None:
            progress.total += 1
        return lexicographic(inst, gap, limit, None, progress, label)
    steps.append(("2: least cost at that shortfall (hard)", r2.status, r2.mip_gap, r2.objective, r2.plan_cost_usd,
                  sec))
    tick(f"step 2 ({r2.status}, gap {r2.mip_gap:.3%}, {sec:.0f} s)")
    # report the shortfall against the original path
    s = r2.summary.copy()
    target = inst.targets.set_index("year")["it_gw"] if "it_gw" in inst.targets.columns else pd.Series(dtype=float)
    s["target_it_gw"] = s.year.map(target).to_numpy(dtype=float)
    s["shortfall_it_mw"] = np.maximum(0.0, (s["target_it_gw"] - s["it_gw"]).to_numpy() * 1000.0)
    r2.tables["summary"] = s
    floor = float(getattr(r1, "objective_floor_usd", float("nan"))) if steps else float("nan")
    return Plan(r2, steps, step1_uncertainty_usd=unc, shortfall_mw=shortfall_mw, step1_floor_usd=floor)


# -- the answer tables ------------------------------------------------------------------------------

def energy_by_tech(res: siting.Results) -> pd.DataFrame:
    """Energy per year and source (TWh): generators and grid import; storage (net losses) left out."""
    d = res.dispatch
    w = d.slice.map(res.slices.set_index("slice").weight_h)
    d = d.assign(mwh=d.power_mw * w)
    d = d[~d.tech.isin(["facility_load", "curtailment"])]
    return d.groupby(["year", "tech"]).mwh.sum().unstack(fill_value=0.0) / 1e6


def energy_shares(res: siting.Results, storage: set) -> pd.DataFrame:
    e = energy_by_tech(res)
    e = e[[c for c in e.columns if c not in storage]]
    return e.div(e.sum(axis=1), axis=0)


def capacity_by_tech(res: siting.Results) -> pd.DataFrame:
    c = res.capacity.groupby(["year", "tech"]).capacity_mw.sum().unstack(fill_value=0.0) / 1000.0
    return c.reindex(sorted(res.summary.year)).fillna(0.0)


def capex_per_gw(res: siting.Results) -> pd.DataFrame:
    """Overnight capex commissioned per year by component ($B) and per GW of IT installed."""
    cx = res.capex.groupby(["year", "component"]).overnight_usd.sum().unstack(fill_value=0.0) / 1e9
    years = sorted(res.summary.year)
    cx = cx.reindex(years).fillna(0.0)
    for c in ("chips", "building", "site", "power"):
        if c not in cx.columns:
            cx[c] = 0.0
    cx = cx[["chips", "building", "site", "power"]]
    gw = res.summary.set_index("year")["it_gw_installed"].reindex(years)
    out = cx.copy()
    out["total"] = cx.sum(axis=1)
    out["it_gw_installed"] = gw
    for c in ("chips", "building", "site", "power", "total"):
        out[f"{c}_per_gw"] = np.where(gw > 1e-9, out[c] / gw.where(gw > 1e-9, 1.0), np.nan)
    tot = out[["chips", "building", "site", "power", "total", "it_gw_installed"]].sum()
    row = {**tot.to_dict()}
    for c in ("chips", "building", "site", "power", "total"):
        row[f"{c}_per_gw"] = tot[c] / tot["it_gw_installed"] if tot["it_gw_installed"] > 1e-9 else np.nan
    out.loc["all"] = pd.Series(row)
    return out


def gw_by_site(res: siting.Results) -> pd.DataFrame:
    s = res.sites
    w = s.pivot_table(index=["zone", "site"], columns="year", values="it_mw", aggfunc="sum").fillna(0.0) / 1000.0
    return w[w.max(axis=1) > 1e-6]


def useful_binding(res: siting.Results) -> pd.DataFrame:
    """The binding table less the rows at hubs with no IT that year (:func:`siting.model.binding.at_open_hubs`:
    their duals price the decision not to open them, not a limit of the plan)."""
    from siting.model.binding import at_open_hubs

    b = res.tables.get("binding", pd.DataFrame())
    return at_open_hubs(b, res.sites) if len(b) else b


def chip_bound_gw(inst: siting.Instance) -> dict:
    """The most IT in service per year that the accelerator supply allows (GW), by arithmetic on
    chip_supply.csv (else chips.csv max_units_per_year): each generation's units of the planning
    years within its install window and its life. Empty when no supply is capped."""
    chips = inst.chips.set_index("generation")
    cs = inst.chip_supply if inst.chip_supply is not None else pd.DataFrame()
    years = list(inst.years)
    have = {}
    for g, r in chips.iterrows():
        for y in years:
            if not (r.first_year <= y <= r.last_year):
                continue
            row = cs[(cs.generation == g) & (cs.year == y)] if len(cs) else cs
            if len(row):
                u = float(row.max_units.iloc[0])
            elif pd.notna(r.max_units_per_year):
                u = float(r.max_units_per_year)
            else:
                return {}
            have[(g, y)] = u * float(r.watts) / 1e9
    out = {}
    for y in years:
        out[y] = sum(v for (g, y0), v in have.items() if y0 <= y < y0 + int(chips.at[g, "life_years"]))
    return out


def _md(df: pd.DataFrame, fmt: dict | None = None, index: bool = True) -> str:
    fmt = fmt or {}
    d = df.reset_index() if index else df
    cols = list(d.columns)
    lines = ["| " + " | ".join(str(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    for r in d.itertuples(index=False):
        cells = []
        for c, v in zip(cols, r):
            f = fmt.get(c)
            if isinstance(v, float) and np.isnan(v):
                cells.append("-")
            elif f is not None and isinstance(v, (int, float, np.integer, np.floating)):
                cells.append(format(v, f))
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _b(v: float) -> str:
    return f"{v / 1e9:,.1f}"


# -- sensitivity cases ----------------------------------------------------------------------------------

CASES = {
    "turbine_cap_half": "heavy-duty gas-turbine cap (supply.csv) x 0.5",
    "turbine_cap_tight": "gas turbines (aeroderivative + frame) capped at 500 MW a year",
    "chip_supply_x2": "accelerator supply (chip_supply.csv) x 2: a 40 % buyer share",
    "chip_supply_half": "accelerator supply (chip_supply.csv) x 0.5: a 10 % buyer share",
    "rubin_late": "Rubin a year late (first install year + 1)",
    "gas_x1.5": "gas price (fuels.csv) x 1.5",
    "wholesale_x1.5": "wholesale grid price (zones.csv grid_price_usd_per_mwh) x 1.5",
    "duke_none": "Duke level none: no curtailment accepted, no grid headroom (headroom_mw = 0)",
    "duke_1pct": "Duke level 1 %: headroom of the 1 % curtailment level",
}
#: cases that add no accelerators: their least shortfall is at least the base case's
NO_MORE_CHIPS = {"turbine_cap_half", "turbine_cap_tight", "gas_x1.5", "wholesale_x1.5", "duke_none", "duke_1pct",
                 "chip_supply_half", "rubin_late"}


def case_instance(base: siting.Instance, case: str) -> siting.Instance:
    if case == "turbine_cap_half":
        s = base.supply.copy()
        s["max_new_mw"] = s["max_new_mw"] * 0.5
        return base.replace(supply=s)
    if case == "turbine_cap_tight":
        rows = [{"tech": k, "year": y, "max_new_mw": 500.0, "region": ""} for k in ("aero_ct", "frame_ct")
                if k in set(base.techs.tech) for y in base.years]
        keep = base.supply[~base.supply.tech.isin(["aero_ct", "frame_ct"])] if len(base.supply) else base.supply
        return base.replace(supply=pd.concat([keep, pd.DataFrame(rows)], ignore_index=True))
    if case in ("chip_supply_x2", "chip_supply_half"):
        f = 2.0 if case.endswith("x2") else 0.5
        c = base.chips.copy()
        c["max_units_per_year"] = c["max_units_per_year"] * f
        tabs = {"chips": c}
        if base.chip_supply is not None and len(base.chip_supply):
            cs = base.chip_supply.copy()
            cs["max_units"] = cs["max_units"] * f
            tabs["chip_supply"] = cs
        return base.replace(**tabs)
    if case == "rubin_late":
        c = base.chips.copy()
        c.loc[c.generation == "Rubin", "first_year"] += 1
        c.loc[c.generation == "Rubin", "last_year"] = np.maximum(c.loc[c.generation == "Rubin", "last_year"],
                                                                 c.loc[c.generation == "Rubin", "first_year"])
        return base.replace(chips=c)
    if case == "gas_x1.5":
        t = base.techs.copy()
        t["fuel_usd_per_mmbtu"] = t["fuel_usd_per_mmbtu"] * 1.5
        tabs = {"techs": t}
        if base.fuels is not None and len(base.fuels):
            fu = base.fuels.copy()
            fu["usd_per_mmbtu"] = fu["usd_per_mmbtu"] * 1.5
            tabs["fuels"] = fu
        return base.replace(**tabs)
    if case == "wholesale_x1.5":
        z = base.zones.copy()
        z["grid_price_usd_per_mwh"] = z["grid_price_usd_per_mwh"] * 1.5
        return base.replace(zones=z)
    if case in ("duke_none", "duke_1pct"):
        z = base.zones.copy()
        z["headroom_mw"] = 0.0 if case == "duke_none" else z.zone.map(lambda k: float(DUKE_MW[k][2]))
        return base.replace(zones=z)
    raise ValueError(f"unknown case {case!r}")


def headline(inst: siting.Instance, plan: Plan, storage: set) -> dict:
    res = plan.res
    s = res.summary.set_index("year")
    last = int(s.index.max())
    sh = energy_shares(res, storage).loc[last]
    gas = float(sh[[c for c in sh.index if c in GAS_TECHS]].sum())
    grid = float(sh.get("grid_import", 0.0))
    per = siting.results.plan_per_gw(res.summary)
    zones = res.sites[(res.sites.year == last) & (res.sites.it_mw > 1e-6)]
    return {"it_gw_last": float(s.at[last, "it_gw"]), "target_gw_last": float(s.at[last, "target_it_gw"]),
            "short_gw_last": max(0.0, float(s.at[last, "target_it_gw"] - s.at[last, "it_gw"])),
            "plan_cost_usd": res.plan_cost_usd, "capex_usd_per_gw_it": per["capex_usd_per_gw_it"],
            "gas_share_last": gas, "grid_share_last": grid, "zones_last": ", ".join(sorted(zones.zone.unique())),
            "sites_last": int(zones.site.nunique()), "status": res.status, "gap": res.mip_gap}


# -- figures --------------------------------------------------------------------------------------------

def _figure(w=9.0, h=4.0, ncols=2):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(w, h), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots(1, ncols)


def sensitivity_figure(table: pd.DataFrame, last: int, name: str):
    """GW reached in the last year per case (labelled with the plan cost against base) and the last year's
    energy by source per case."""
    fig, (a, b) = _figure(11.0, 0.45 * len(table) + 1.8)
    labels = list(table.index)
    y = np.arange(len(labels))
    gw = table["GW reached"].to_numpy(dtype=float)
    a.barh(y, gw, color="#4c72b0")
    a.set_yticks(y, labels)
    a.invert_yaxis()
    a.set_xlabel(f"IT GW in service, {last}")
    a.set_title(f"{name}: GW reached in {last} (plan cost vs base)")
    for yi, g, d in zip(y, gw, table["plan cost vs base %"].to_numpy(dtype=float)):
        a.text(g, yi, f" {d:+.1f} %", va="center", fontsize=8)
    a.set_xlim(0, max(gw.max() * 1.25, 1e-3))
    tgt = table["target GW"].iloc[0]
    if tgt <= 1.25 * gw.max():
        a.axvline(tgt, color="k", ls="--", lw=1, label=f"target {tgt:,.1f} GW")
        a.legend(loc="lower right")
    gas = table[f"on-site gas {last} %"].to_numpy(dtype=float)
    grid = table[f"grid {last} %"].to_numpy(dtype=float)
    rest = np.clip(100.0 - gas - grid, 0.0, None)
    b.barh(y, gas, color="#c44e52", label="on-site gas")
    b.barh(y, grid, left=gas, color="#7f7f7f", label="grid")
    b.barh(y, rest, left=gas + grid, color="#e6c229", label="solar, wind, other")
    b.set_yticks(y, [""] * len(labels))
    b.invert_yaxis()
    b.set_xlim(0, 100)
    b.set_xlabel(f"% of the energy supplied, {last}")
    b.set_title(f"energy by source, {last}")
    b.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=3, fontsize=8)
    return fig


def energy_figure(shares: pd.DataFrame, cap: pd.DataFrame, name: str):
    fig, (a, b) = _figure(11.0, 4.2)
    cols = [c for c in shares.columns if shares[c].max() > 1e-4]
    bottom = np.zeros(len(shares))
    x = np.arange(len(shares))
    cmap = {"grid_import": "#7f7f7f", "gas_cc": "#c44e52", "frame_ct": "#dd8452", "aero_ct": "#f0a35e",
            "recip": "#8c564b", "fuel_cell": "#9467bd", "solar": "#e6c229", "wind": "#4c9fd8", "smr": "#2ca02c",
            "battery": "#17becf"}
    for c in cols:
        a.bar(x, shares[c].to_numpy() * 100, bottom=bottom, label=c, color=cmap.get(c))
        bottom += shares[c].to_numpy() * 100
    a.set_xticks(x, [str(v) for v in shares.index])
    a.set_ylabel("% of energy supplied")
    a.set_title(f"{name}: energy by source")
    a.set_ylim(0, 100)
    cols = [c for c in cap.columns if cap[c].max() > 1e-3]
    bottom = np.zeros(len(cap))
    x = np.arange(len(cap))
    for c in cols:
        b.bar(x, cap[c].to_numpy(), bottom=bottom, label=c, color=cmap.get(c))
        bottom += cap[c].to_numpy()
    b.set_xticks(x, [str(v) for v in cap.index])
    b.set_ylabel("GW of capacity in service")
    b.set_title("on-site power capacity by technology")
    seen = {}
    for ax in (a, b):
        for h, lab in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lab, h)
    fig.legend(list(seen.values()), list(seen), loc="outside right upper", fontsize=8)
    return fig


# -- main ---------------------------------------------------------------------------------------------

def run(st: Settings, out: Path, write_readme: bool) -> dict:
    inst = siting.load_instance(st.name)
    if st.quick:
        inst = quick_instance(inst, st.years or inst.years[:3], st.sites)
    storage = set(inst.techs.loc[inst.techs.kind == "storage", "tech"]) if "kind" in inst.techs else set()
    last = int(inst.years[-1])
    if st.extra.get("render_only"):
        import pickle

        with open(out / "state.pkl", "rb") as fh:
            s = pickle.load(fh)
        return render(st, inst, storage, last, s["base"], s["checks"], s["rows"], s["took"], out, write_readme)
    n_solves = (2 if soft(inst) else 1) + len(st.hourly_years) + len(st.cases) * (1 if soft(inst) else 1)
    if soft(inst):
        n_solves += sum(1 for c in st.cases if c not in NO_MORE_CHIPS)
    desc = f"{st.name}_answer"
    out.mkdir(parents=True, exist_ok=True)
    t_all = time.perf_counter()
    with Progress(n_solves, desc, bar=False) as progress:
        base = lexicographic(inst, st.mip_gap, st.time_limit, progress=progress, label="base: ")
        res = base.res
        res.to_folder(out / "plan", force=True)
        # hourly check
        from siting.hourly import check_hourly

        checks = []
        for y in st.hourly_years:
            t = time.perf_counter()
            chk = check_hourly(inst, res, years=[y])
            checks.append((y, chk, time.perf_counter() - t))
            progress.step(f"{chk.summary_line()} ({time.perf_counter() - t:.0f} s)")
        # sensitivity
        rows = []
        hb = headline(inst, base, storage)
        rows.append({"case": "base", "what": "as bundled", **hb})
        for case in st.cases:
            ci = case_instance(inst, case)
            start = base.shortfall_mw if (soft(inst) and case in NO_MORE_CHIPS and base.shortfall_mw) else None
            try:
                p = lexicographic(ci, st.case_gap, st.case_time_limit, shortfall_mw=start, progress=progress,
                                  label=f"{case}: ")
                rows.append({"case": case, "what": CASES[case], **headline(ci, p, storage)})
            except (siting.InfeasibleError, siting.SolveError) as e:
                progress.step(f"{case}: no plan ({str(e).splitlines()[0][:100]})")
                rows.append({"case": case, "what": CASES[case], "status": "no plan"})
    took = time.perf_counter() - t_all
    import pickle

    with open(out / "state.pkl", "wb") as fh:
        pickle.dump({"base": base, "checks": checks, "rows": rows, "took": took}, fh)
    return render(st, inst, storage, last, base, checks, rows, took, out, write_readme)


def render(st, inst, storage, last, base, checks, rows, took, out, write_readme) -> dict:
    """The tables, figures and markdown of a finished run (also from ``--render-only``: state.pkl)."""
    res = base.res
    # --- tables
    s = res.summary.set_index("year")
    bound = chip_bound_gw(inst)
    gw = pd.DataFrame({"IT GW in service": s.it_gw, "path GW": s.target_it_gw,
                       "short GW": np.maximum(0.0, s.target_it_gw - s.it_gw)})
    if bound:
        gw["chip-supply bound GW"] = pd.Series(bound)
    if "target_eflops" in s.columns and s.target_eflops.notna().any():
        gw["EFLOPS"] = s.eflops
        gw["EFLOPS target"] = s.target_eflops
    gw["IT GW installed"] = s.it_gw_installed
    gw["plan cost $B/yr"] = (s.cost_usd / 1e9)
    sites = gw_by_site(res)
    zones = sites.groupby(level="zone").sum()
    shares = energy_shares(res, storage)
    cap = capacity_by_tech(res)
    cx = capex_per_gw(res)
    binding = useful_binding(res)
    sens = pd.DataFrame(rows).set_index("case")
    bp = sens.at["base", "plan_cost_usd"]
    sens["plan cost vs base %"] = (sens["plan_cost_usd"] / bp - 1.0) * 100.0
    sens_t = pd.DataFrame({"what": sens["what"], "GW reached": sens.get("it_gw_last"),
                           "target GW": sens.get("target_gw_last"), "short GW": sens.get("short_gw_last"),
                           "plan cost $B": sens.get("plan_cost_usd") / 1e9,
                           "plan cost vs base %": sens["plan cost vs base %"],
                           "capex $B per GW": sens.get("capex_usd_per_gw_it") / 1e9,
                           f"on-site gas {last} %": sens.get("gas_share_last") * 100,
                           f"grid {last} %": sens.get("grid_share_last") * 100,
                           f"regions {last}": sens.get("zones_last"), "status (gap)": [
                               f"{r.status} ({r.gap:.2%})" if isinstance(r.gap, float) and r.gap == r.gap
                               else str(r.status) for r in sens.itertuples()]})
    chk_tab = pd.concat([c.table for _, c, _ in checks], ignore_index=True) if checks else pd.DataFrame()

    for name, df in (("gw_by_year", gw), ("gw_by_site", sites), ("energy_shares", shares),
                     ("capacity_gw_by_tech", cap), ("capex_per_gw", cx), ("binding", binding),
                     ("sensitivity", sens_t), ("hourly_check", chk_tab)):
        df.to_csv(out / f"{name}.csv", index=name not in ("binding", "hourly_check"))

    # --- figures
    from siting.report import plot_map

    figs = {"map": plot_map(res), "sensitivity": sensitivity_figure(sens_t.dropna(subset=["GW reached"]), last,
                                                                     st.name),
            "energy": energy_figure(shares, cap, st.name)}
    for k, f in figs.items():
        f.savefig(out / f"{k}.png", dpi=110, bbox_inches="tight")

    # --- markdown
    md = answer_markdown(st, inst, base, gw, sites, zones, shares, cap, cx, binding, checks, sens_t, last, took)
    (out / "answer.md").write_text(md)
    head = {"instance": st.name, "quick": st.quick, "seconds": took,
            "steps": [list(x) for x in base.steps], "step1_uncertainty_usd": base.step1_uncertainty_usd,
            "plan_cost_usd": res.plan_cost_usd, "gw": {int(k): float(v) for k, v in s.it_gw.items()},
            "target_gw": {int(k): float(v) for k, v in s.target_it_gw.items()},
            "shares_sum": {int(k): float(v) for k, v in shares.sum(axis=1).items()},
            "capex_usd_per_gw_it": float(cx.at["all", "total_per_gw"]) * 1e9,
            "hourly": {int(y): c.summary_line() for y, c, _ in checks},
            "hourly_seconds": {int(y): sec for y, _, sec in checks},
            "sensitivity": {k: {kk: (vv if not isinstance(vv, float) or vv == vv else None) for kk, vv in r.items()}
                            for k, r in sens_t.to_dict(orient="index").items()}}
    (out / "answer.json").write_text(json.dumps(head, indent=2, default=str) + "\n")
    print(md)
    if write_readme:
        write_into_readme(st.name, md, out)
    return head


def answer_markdown(st, inst, base, gw, sites, zones, shares, cap, cx, binding, checks, sens_t, last, took) -> str:
    res = base.res
    today = time.strftime("%Y-%m-%d")
    L = []
    quick = " (**--quick settings: not the answer**)" if st.quick else ""
    cmd = f"python examples/{st.name}_answer.py --out out/{st.name}_answer --write-readme"
    L.append(f"_Generated by `{cmd}` on {today}{quick}; {took / 60:.0f} minutes on the project's 2-core machine. "
             "Do not edit between the markers: rerun the script._")
    L.append("")
    # how it was solved
    L.append("**How the plan was solved.**")
    L.append("")
    steps = pd.DataFrame(base.steps, columns=["step", "status", "gap", "objective $B", "plan cost $B", "seconds"])
    steps["gap"] = steps["gap"].map(lambda v: f"{v:.3%}")
    steps["objective $B"] = steps["objective $B"] / 1e9
    steps["plan cost $B"] = steps["plan cost $B"] / 1e9
    L.append(_md(steps, {"objective $B": ",.1f", "plan cost $B": ",.1f", "seconds": ".0f"}, index=False))
    L.append("")
    if len(base.steps) == 2:
        u = base.step1_uncertainty_usd
        pc1 = base.steps[0][4]
        g2 = base.steps[1][2]
        floor = getattr(base, "step1_floor_usd", float("nan"))
        if floor == floor and floor > 0:
            how = (f"its gap (net of the ${floor / 1e9:,.0f} B of penalty no plan avoids) leaves the plan's cost "
                   f"open by **${u / 1e9:,.1f} B**")
        else:
            how = (f"its gap was measured on that whole objective (the siting of this run): gap x objective = "
                   f"**${u / 1e9:,.1f} B**")
        L.append(f"Step 1 is the instance as shipped (soft targets); its objective is "
                 f"{(1 - pc1 / base.steps[0][3]):.1%} shortfall penalty, and {how}, "
                 f"{u / pc1:.1%} of its plan cost (${pc1 / 1e9:,.1f} B). Step 2 keeps each year's shortfall at "
                 f"step 1's (+{TOL_MW:g} MW: the targets lowered by the "
                 f"shortfall, made hard) and minimises the cost alone: its gap of {g2:.3%} bounds the plan cost "
                 f"within **${g2 * res.plan_cost_usd / 1e9:,.1f} B** (discounted, 2025$). Everything below is the "
                 "step-2 plan.")
        L.append("")
    # GW per year
    L.append("**GW reached per year against the path.**")
    L.append("")
    L.append(_md(gw.rename_axis("year"), {c: ",.2f" for c in gw.columns}))
    L.append("")
    short = gw[gw["short GW"] > 1e-3]
    if "chip-supply bound GW" in gw.columns and len(short):
        diff = (short["chip-supply bound GW"] - short["IT GW in service"]).abs().max()
        L.append(f"The chip-supply bound is arithmetic on the accelerator supply (every unit the buyer can get, "
                 f"installed in the year it is made, in service for its life). In every year with a shortfall "
                 f"({', '.join(str(y) for y in short.index)}) the plan reaches it within {diff * 1000:,.0f} MW: "
                 "no plan can have a smaller shortfall.")
        L.append("")
    # where
    L.append("**Where.** IT GW in service by region and hub ([map](figures/map.png)):")
    L.append("")
    L.append(_md(sites.rename(columns=str), {c: ",.2f" for c in map(str, sites.columns)}))
    L.append("")
    L.append(f"![{st.name}: the plan's hubs](figures/map.png)")
    L.append("")
    # power
    L.append("**With what power.** Share of the energy supplied per year (generation and grid import; "
             "storage's net losses left out) and capacity in service (GW):")
    L.append("")
    sh = shares[[c for c in shares.columns if shares[c].max() > 5e-4]] * 100
    L.append(_md(sh.rename_axis("year % energy"), {c: ".1f" for c in sh.columns}))
    L.append("")
    cp = cap[[c for c in cap.columns if cap[c].max() > 1e-3]]
    L.append(_md(cp.rename_axis("year GW"), {c: ",.2f" for c in cp.columns}))
    L.append("")
    L.append(f"![{st.name}: energy and capacity by technology](figures/energy.png)")
    L.append("")
    # capex
    L.append("**Overnight capex per GW of IT installed**, by component ($B per GW; the year's capex "
             "commissioned over the IT of the accelerators installed that year):")
    L.append("")
    c2 = cx[["it_gw_installed", "total", "chips_per_gw", "building_per_gw", "site_per_gw", "power_per_gw",
             "total_per_gw"]].rename(columns={"it_gw_installed": "IT GW installed", "total": "capex $B",
                                              "chips_per_gw": "chips", "building_per_gw": "buildings",
                                              "site_per_gw": "land", "power_per_gw": "power",
                                              "total_per_gw": "**total $B/GW**"})
    L.append(_md(c2.rename_axis("year"), {c: ",.1f" for c in c2.columns} | {"IT GW installed": ",.2f"}))
    L.append("")
    pub = pd.DataFrame([(n, f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}", f"[{ref}](../../docs/sources.md#{ref})")
                        for n, lo, hi, ref in PUBLISHED], columns=["published", "$B per GW", "source"])
    L.append(_md(pub, index=False))
    L.append("")
    if inst.chip_supply is not None and len(inst.chip_supply):
        L.append("Morgan Stanley: the repository holds its CoWoS estimate (~5.4 M Nvidia packages in 2026, "
                 "[cowos-2025](../../docs/sources.md#cowos-2025)), which chip_supply.csv matches, but no cost per "
                 "GW figure of its own; it is therefore compared on volume, not on cost.")
    else:
        L.append("Morgan Stanley: the repository holds only its CoWoS volume estimate "
                 "([cowos-2025](../../docs/sources.md#cowos-2025), used by us_250gw's accelerator supply), no cost "
                 "per GW figure; this instance has no accelerator supply cap to compare it with.")
    L.append("")
    # binding
    L.append("**The binding limits and their marginal values** (the plan's LP with its integer decisions fixed: "
             "discounted USD per unit of the limit; the three largest per year, leaving out the limits of hubs "
             "left closed, whose duals price the choice not to open them; full table in binding.csv):")
    L.append("")
    if len(binding):
        b = binding.copy()
        b = b.sort_values(["year", "marginal_usd"], ascending=[True, False]).groupby("year").head(3)
        b = b.assign(value=b.marginal_usd.map(lambda v: f"${v / 1e6:,.2f} M" if v >= 1e5 else f"${v:,.0f}"))
        L.append(_md(b[["year", "constraint", "where", "value", "per", "what"]], index=False))
    else:
        L.append("(no binding table)")
    L.append("")
    # hourly
    L.append("**The hourly check** (the plan's investments fixed, its operations solved on all 8,760 hours of "
             "the year; `siting.hourly.check_hourly`):")
    L.append("")
    energy = energy_by_tech(res).sum(axis=1)
    rows_h = []
    for y, chk, sec in checks:
        t = chk.table
        op, plan = t.operating_cost_usd.sum(), t.plan_operating_cost_usd.sum()
        uns = float(t.unserved_mwh.sum())
        bad = t[t.unserved_mwh > 1e-6]
        rows_h.append({"year": y, "unserved MWh": uns,
                       "% of the year's energy": 100 * uns / (energy.get(y, np.nan) * 1e6),
                       "hours with unserved energy (worst hub)": int(t.unserved_hours.max()) if len(t) else 0,
                       "hubs short": ", ".join(f"{r.site} ({r.unserved_mwh / 1e3:,.0f} GWh, {r.unserved_hours} h)"
                                               for r in bad.itertuples()) or "none",
                       "operating cost $B (typical days)": f"{op / 1e9:,.2f} ({plan / 1e9:,.2f})",
                       "minutes": sec / 60})
    if rows_h:
        L.append(_md(pd.DataFrame(rows_h), {"unserved MWh": ",.0f", "% of the year's energy": ".2f",
                                            "minutes": ".1f"}, index=False))
        L.append("")
        L.append("; ".join(chk.summary_line() for _, chk, _ in checks) + ".")
    else:
        L.append("- (not run)")
    L.append("")
    # sensitivity
    L.append(f"**Sensitivity** (one case at a time; each solved like the base: least shortfall, then least cost"
             f"{'' if st.case_gap is None else f', mip gap {st.case_gap:g}'}"
             f"{'' if st.case_time_limit is None else f', {st.case_time_limit:g} s limit a solve'}):")
    L.append("")
    L.append(_md(sens_t, {"GW reached": ",.2f", "target GW": ",.1f", "short GW": ",.2f", "plan cost $B": ",.0f",
                          "plan cost vs base %": "+.1f", "capex $B per GW": ".1f", f"on-site gas {last} %": ".0f",
                          f"grid {last} %": ".0f"}))
    L.append("")
    L.append(f"![{st.name}: sensitivity](figures/sensitivity.png)")
    return "\n".join(L) + "\n"


def write_into_readme(name: str, md: str, out: Path) -> Path:
    folder = ROOT / "instances" / name
    figs = folder / "figures"
    figs.mkdir(exist_ok=True)
    for k in FIGURES:
        if (out / f"{k}.png").is_file():
            shutil.copyfile(out / f"{k}.png", figs / f"{k}.png")
    readme = folder / "README.md"
    text = readme.read_text()
    block = f"{START}\n{md}{END}"
    if START in text and END in text:
        a, b = text.index(START), text.index(END) + len(END)
        text = text[:a] + block + text[b:]
    else:
        text = text.rstrip("\n") + "\n\n## The answer (generated)\n\n" + block + "\n"
    readme.write_text(text)
    log(f"{readme}: answer block written; figures in {figs}")
    return readme


def parse(argv, name: str, quick_years: list[int], quick_sites: list[str] | None, cases: list[str],
          quick_cases: list[str], hourly: list[int], quick_hourly: list[int], case_gap: float | None,
          case_limit: float | None) -> tuple[Settings, Path, bool]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny settings (first years, few hubs, loose gap)")
    ap.add_argument("--out", default=None, help=f"output folder (default out/{name}_answer[_quick])")
    ap.add_argument("--write-readme", action="store_true",
                    help=f"replace the generated block of instances/{name}/README.md and its figures")
    ap.add_argument("--mip-gap", type=float, default=None, help="gap of the base solves (default: scenario.toml)")
    ap.add_argument("--time-limit", type=float, default=None, help="seconds per base solve (default: scenario.toml)")
    ap.add_argument("--case-gap", type=float, default=None, help=f"gap of the sensitivity solves (default {case_gap})")
    ap.add_argument("--case-time-limit", type=float, default=None,
                    help=f"seconds per sensitivity solve (default {case_limit})")
    ap.add_argument("--cases", nargs="*", default=None, help="sensitivity cases: " + " ".join(CASES))
    ap.add_argument("--hourly-years", nargs="*", type=int, default=None, help="years of the hourly check")
    ap.add_argument("--render-only", action="store_true",
                    help="no solve: redo the tables, figures and markdown from --out's state.pkl of an earlier run")
    a = ap.parse_args(argv)
    q = a.quick
    st = Settings(name=name, quick=q,
                  mip_gap=a.mip_gap if a.mip_gap is not None else (1e-2 if q else None),
                  time_limit=a.time_limit if a.time_limit is not None else (60 if q else None),
                  case_gap=a.case_gap if a.case_gap is not None else (1e-2 if q else case_gap),
                  case_time_limit=a.case_time_limit if a.case_time_limit is not None else (60 if q else case_limit),
                  hourly_years=a.hourly_years if a.hourly_years is not None else (quick_hourly if q else hourly),
                  cases=a.cases if a.cases is not None else (quick_cases if q else cases),
                  years=quick_years, sites=quick_sites, extra={"render_only": a.render_only})
    out = Path(a.out or f"out/{name}_answer{'_quick' if q else ''}")
    return st, out, a.write_readme


def main(argv: list[str] | None = None) -> int:
    st, out, write = parse(
        argv, "us_250gw", quick_years=[2026, 2027, 2028],
        quick_sites=["abilene_tx", "shackelford_tx", "milam_tx", "midland_tx", "new_albany_oh", "pryor_ok"],
        cases=["turbine_cap_half", "chip_supply_x2", "gas_x1.5", "wholesale_x1.5", "duke_none", "duke_1pct"],
        quick_cases=["chip_supply_x2", "gas_x1.5"], hourly=[2028, 2033], quick_hourly=[2026],
        case_gap=None, case_limit=300)
    run(st, out, write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
