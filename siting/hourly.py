"""Check a plan on every hour of the year: its investments fixed, its operations solved at full resolution.

A plan is chosen on representative days; :func:`check_hourly` takes its investment decisions
(the ``decisions`` table: sites, modules, capacity, chip installs, flexibility choices), builds
the same model at full time resolution one planning year at a time (``build_model(...,
op_years=[y])``: the operations of that year only, the investment rows dropped as they hold by
construction), fixes the decisions, and solves the operations LP with unserved energy allowed at
a high price. What the representative days hid shows up as energy unserved, an operating cost
that differs from the plan's estimate, or a headroom at its limit for longer than the days said.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .instance import Instance

__all__ = ["HourlyCheck", "check_hourly", "unserved_price", "OPERATING_COMPONENTS", "DEFAULT_UNSERVED_USD_PER_MWH"]

log = logging.getLogger("siting")

#: cost components that the operations decide (compared between the plan and the hourly check)
OPERATING_COMPONENTS = ("power_vom", "fuel", "grid_energy", "grid_demand", "lost_compute", "carbon")
#: least price of unserved energy in the check (the decomposition's own); see :func:`unserved_price`
DEFAULT_UNSERVED_USD_PER_MWH = 50_000.0


def unserved_price(inst: Instance) -> float:
    """The check's price of unserved energy, USD/MWh: above any marginal cost of supply in one hour.

    A demand charge ``d`` (USD/kW-yr) paid on the year's peak import makes one MW imported in the
    peak hour cost ``1000 d`` USD: at ERCOT's 4CP 50 USD/kW-yr, 50,000 USD for that hour. A price at
    or below it lets the check shed load in the peak hour instead of importing (a tie at 50,000,
    which left 42 MWh unserved in the 4CP hours of us_250gw's 2028). Hence twice the largest demand
    charge per MW, and at least :data:`DEFAULT_UNSERVED_USD_PER_MWH`."""
    d = [pd.to_numeric(t["demand_charge_usd_per_kw_yr"], errors="coerce").max()
         for t in (inst.zones, inst.sites) if "demand_charge_usd_per_kw_yr" in t.columns]
    d = max([v for v in d if v == v] or [0.0])
    return max(DEFAULT_UNSERVED_USD_PER_MWH, 2.0 * 1000.0 * float(d))
#: energy below this (MWh per slice) does not count as unserved
TOL_MW = 1e-6

TABLE_COLUMNS = ["site", "year", "unserved_mwh", "unserved_hours", "operating_cost_usd", "plan_operating_cost_usd",
                 "tco2", "clean_share", "cfe_score"]
ZONE_COLUMNS = ["zone", "year", "headroom_mw", "peak_import_mw", "hours_at_headroom"]


@dataclass
class HourlyCheck:
    """The hourly check of a plan.

    Attributes
    ----------
    table : one row per site and year: ``unserved_mwh``, ``unserved_hours``, ``operating_cost_usd``
        (8760 h, investments fixed), ``plan_operating_cost_usd`` (the plan's estimate of the same
        components, from its representative days), ``tco2``, ``clean_share`` (1 - non-clean energy
        / energy served) and ``cfe_score`` (hourly-matched share, where [policy] cfe_share is set).
    zones : one row per zone with a headroom and year: the peak total import and the hours at the
        headroom.
    seconds : solve time per year.
    """

    table: pd.DataFrame
    zones: pd.DataFrame
    seconds: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True when no energy is unserved in any year."""
        return bool((self.table["unserved_mwh"] <= TOL_MW).all())

    def summary_line(self) -> str:
        """One line for the CLI and the report."""
        t = self.table
        bad = t[t.unserved_mwh > TOL_MW]
        years = sorted(t.year.unique())
        span = f"{years[0]}-{years[-1]}" if len(years) > 1 else f"{years[0]}" if years else "no year"
        if bad.empty:
            return f"hourly check {span}: every hour served (8760 h per year, investments fixed)"
        worst = bad.groupby("year").unserved_mwh.sum()
        y = int(worst.idxmax())
        return (f"hourly check {span}: energy UNSERVED in {len(worst)} year(s), {worst.sum():,.0f} MWh in all "
                f"(worst {y}: {worst.max():,.0f} MWh at {', '.join(sorted(bad[bad.year == y].site))})")


def _plan_operating_cost(res) -> pd.Series:
    c = res.tables["costs"]
    c = c[c.component.isin(OPERATING_COMPONENTS)]
    return c.groupby(["site", "year"]).cost_usd.sum()


def _check_year(inst: Instance, decisions: pd.DataFrame, year: int, settings: dict) -> dict:
    """The full-resolution operations of one year with the plan fixed: per-site rows and zone rows."""
    import pyomo.environ as pyo

    from .model import build_model
    from .model.ledger import INVESTMENT, energy_mwh, served_mwh
    from .model.plan import fix_decisions
    from .solution import free_model
    from .solving import solve_model
    from .timeseries import make_slices

    t0 = time.perf_counter()
    slices = make_slices(inst, mode="full_year")
    m = build_model(inst, slices=slices, op_years=[year],
                    unserved_usd_per_mwh=settings.get("unserved_usd_per_mwh", DEFAULT_UNSERVED_USD_PER_MWH))
    fix_decisions(m, decisions)
    for name, fam in m.ledger.families.items():  # rows of fixed decisions alone hold by construction
        if fam.stage == INVESTMENT:
            getattr(m, name).deactivate()
    res = solve_model(m, {"marginal_values": False, **{k: v for k, v in settings.items()
                                                        if k in ("threads", "time_limit", "log")}})
    ix = m.ix
    unserved = {k: v for k, v in (m.Unserved.extract_values().items() if hasattr(m, "Unserved") else [])}
    ann = {k: pyo.value(e, exception=False) or 0.0 for k, e in m.AnnualCost.items()}
    em = {k: pyo.value(e, exception=False) or 0.0 for k, e in m.Emissions.items()}
    cfe_on = inst.policy("cfe_share", year) is not None
    vals = {f.var: getattr(m, f.var).extract_values() for f in m.ledger.flows}
    rows = []
    for s, y in ix.op_site_years:
        u = np.array([unserved.get((s, y, t)) or 0.0 for t in range(ix.n)])
        u[u <= TOL_MW] = 0.0  # the solver's tolerances, not energy unserved (as the hours counted)
        served = float(served_mwh(m, ix, s, y, vals))
        dirty = float(energy_mwh(m, ix, s, y, "dirty", "annual", vals))
        hourly_dirty = float(energy_mwh(m, ix, s, y, "dirty", "hourly", vals)) if cfe_on else np.nan
        cost = sum(ann.get((c, s, y), 0.0) for c in OPERATING_COMPONENTS if c in m.COST_COMPONENTS)
        rows.append((s, y, float(u.sum()), int((u > TOL_MW).sum()), cost, em.get((s, y), 0.0),
                     1.0 - dirty / served if served > 1e-9 else np.nan,
                     (served - hourly_dirty) / served if cfe_on and served > 1e-9 else np.nan))
    zones = _zone_rows(m, res, year)
    free_model(m)  # a full year's model: taken apart now rather than left to the cyclic collector
    return {"rows": rows, "zones": zones, "seconds": time.perf_counter() - t0, "status": res.status}


def _zone_rows(m, res, year: int) -> list:
    """Per zone with a headroom: the peak total import of its sites and the hours at the headroom."""
    z = m.inst.zones.set_index("zone")["headroom_mw"]
    d = res.tables["dispatch"]
    imp = d[(d.tech == "grid_import") & (d.year == year)]
    if imp.empty:
        return []
    imp = imp.assign(zone=imp.site.map(m.ix.zone_of)).groupby(["zone", "slice"]).power_mw.sum()
    out = []
    for zone, g in imp.groupby(level="zone"):
        head = z.get(zone)
        if head is None or head != head:
            continue
        out.append((zone, year, float(head), float(g.max()), int((g >= float(head) - 1e-6).sum())))
    return out


def check_hourly(inst: Instance, res, years=None, client=None, *, unserved_usd_per_mwh: float | None = None,
                 threads: int | None = None, time_limit: float | None = None,
                 workers: int | None = None) -> HourlyCheck:
    """Run the plan of ``res`` (its ``decisions`` table) on every hour of each year of ``inst``.

    Parameters
    ----------
    inst : the instance the plan was solved for (its profiles give the 8760 hours).
    res : :class:`~siting.Results` of a solve (or read back with :func:`siting.read_results`).
    years : planning years to check (default all).
    client : None (in this process, one year after the other), or a Dask ``Client``, a scheduler
        address or a scheduler file (years in parallel on the cluster's workers).
    workers : with ``client`` None, run the years on a local Dask cluster of this many processes.
    unserved_usd_per_mwh : the price of unserved energy (default :func:`unserved_price`: twice the
        largest demand charge per MW-hour, at least 50,000 USD/MWh).
    """
    decisions = res.tables.get("decisions")
    if decisions is None or decisions.empty:
        from .errors import SitingError

        raise SitingError("the results hold no decisions table (solved with an older siting?): solve again")
    years = list(inst.years) if years is None else [int(y) for y in years]
    unknown = sorted(set(years) - set(inst.years))
    if unknown:
        from .errors import SitingError

        raise SitingError(f"years {unknown} are not planning years of {inst.name} ({inst.years})")
    settings = {"unserved_usd_per_mwh": unserved_usd_per_mwh or unserved_price(inst),
                "threads": threads, "time_limit": time_limit}
    settings = {k: v for k, v in settings.items() if v is not None}
    t0 = time.perf_counter()
    if client is None and not workers:
        parts = []
        for y in years:
            parts.append(_check_year(inst, decisions, y, settings))
            log.info("hourly check %s: %d of %d years (%.0f s)", y, len(parts), len(years), time.perf_counter() - t0)
    else:
        from ._dask import connect as _connect

        with _connect(client, workers, len(years)) as c:
            futures = [c.submit(_check_year, inst, decisions, y, settings, pure=False, retries=2) for y in years]
            parts = c.gather(futures)
    table = pd.DataFrame([r for p in parts for r in p["rows"]],
                         columns=[c for c in TABLE_COLUMNS if c != "plan_operating_cost_usd"])
    plan = _plan_operating_cost(res)
    table.insert(5, "plan_operating_cost_usd",
                 [float(plan.get((s, y), 0.0)) for s, y in zip(table.site, table.year)])
    zones = pd.DataFrame([r for p in parts for r in p["zones"]], columns=ZONE_COLUMNS)
    return HourlyCheck(table=table.sort_values(["year", "site"], ignore_index=True), zones=zones,
                       seconds={y: p["seconds"] for y, p in zip(years, parts)})
