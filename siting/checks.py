"""Reachability checks before solving: is each year's target within what the data allows?

Each check is an upper bound computed from the data alone (and the operating slices the
model will use), so a failed check proves the target out of reach. A finding names the
year, the limiting resource and the numbers: what the target needs, the most the resource
allows and the gap between them.

Per planning year y the bounds are:

- ``sites_it_mw``: the most IT the candidate sites open-able by y can host (sum of max_it_mw);
- ``chips_it_mw`` / ``chips_pflops``: the most IT load and compute the accelerators that can be
  in service in y give, from the supply caps within each generation's install window and life
  (infinite when a generation that can serve y has no cap);
- ``power_it_mw``: the most IT load the power that can be delivered carries: grid import from
  grid_year (flex_grid_year for flexible load; within the zone's headroom, plus its flexible
  headroom) plus on-site generators up to max_mw_per_site from their earliest_year, at their
  availability in each slice, divided by the facility PUE; slice by slice, or as yearly energy
  where storage can shift energy between slices or flexible load can be curtailed;
- ``best_w_per_pflops``: the fewest watts per PFLOPS of the generations that can serve y, which
  turns a compute target into the least IT load it needs (checked against sites and power).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .index import Index, build_index
from .instance import Instance

__all__ = ["Finding", "findings", "reachability", "year_bounds"]

#: a target exceeds a bound when need > bound x (1 + REL) + ABS
REL, ABS = 1e-9, 1e-9

_RESOURCE = {
    "sites": "site capacity",
    "chips": "accelerators",
    "power": "power",
}
_WHAT = {
    "sites": "the candidate sites can host (sum of max_it_mw of sites with earliest_year <= {y})",
    "chips": "the accelerators that can be in service allow (supply caps: chip_supply.csv, else max_units_per_year, "
             "within each "
             "generation's install window and life)",
    "power": "the power that can be delivered carries (grid from grid_year within zonal headroom, plus on-site "
             "generators up to max_mw_per_site from their earliest_year at their availability, divided by PUE)",
}


@dataclass(frozen=True)
class Finding:
    """A year's target that exceeds what one resource allows.

    Attributes
    ----------
    year : the planning year.
    target : ``"it"`` (targets.csv it_gw) or ``"compute"`` (compute_eflops).
    resource : ``"sites"``, ``"chips"`` or ``"power"``: the limiting resource.
    need : what the target needs of that resource, in ``unit``.
    most : the most the resource allows, in ``unit``.
    unit : ``"MW"`` (IT load) or ``"PFLOPS"``.
    text : the finding in one sentence.
    """

    year: int
    target: str
    resource: str
    need: float
    most: float
    unit: str
    text: str

    @property
    def gap(self) -> float:
        """How far the target is out of reach, in ``unit``."""
        return self.need - self.most

    def __str__(self) -> str:
        return self.text


def _window_years(c, years: list[int], y: int, first_open: float) -> list[int]:
    """Planning years in which units of generation ``c`` can be installed and still serve year ``y``."""
    return [yi for yi in years if c.first_year <= yi <= c.last_year and yi <= y and y - yi < c.life_years
            and yi >= first_open]


def year_bounds(inst: Instance, slices=None) -> dict[int, dict[str, float]]:
    """Per year: the most IT MW the sites, the chips and the power allow, the most PFLOPS, and the best W/PFLOPS.

    ``slices`` are the operating slices the model uses (:func:`siting.make_slices` by default).
    ``best_w_per_pflops`` is NaN in a year no generation can serve.
    """
    if slices is None:
        from .timeseries import make_slices

        slices = make_slices(inst)
    ix = build_index(inst, slices)
    years = ix.years
    sites = inst.sites
    chips = inst.chips
    first_open = float(sites["earliest_year"].min()) if len(sites) else math.inf
    out = {}
    for y in years:
        avail = sites[sites["earliest_year"] <= y]
        site_mw = float(avail["max_it_mw"].sum())
        chip_mw = chip_pf = 0.0
        best = math.inf
        for c in chips.itertuples(index=False):
            inst_years = _window_years(c, years, y, first_open)
            if not inst_years:
                continue
            if c.pflops > 0:
                best = min(best, c.watts / c.pflops)
            caps = [ix.chip_cap.get((c.generation, yi)) for yi in inst_years]  # chip_supply.csv, else chips.csv
            if any(v is None for v in caps):  # a year without a supply cap
                chip_mw = chip_pf = math.inf
                continue
            units = sum(caps)
            chip_mw += units * ix.chip_mw_per_unit[c.generation]
            chip_pf += units * c.pflops
        out[y] = {"sites_it_mw": site_mw, "chips_it_mw": chip_mw, "power_it_mw": _power_bound(inst, ix, y, avail),
                  "chips_pflops": chip_pf, "best_w_per_pflops": best if best < math.inf else math.nan}
    return out


def _flex_levels(zones: pd.DataFrame, z) -> list[float]:
    """Curtailment shares of the flexibility levels zone ``z`` offers (zones.csv headroom_mw_flex_* > 0)."""
    from .schema import FLEX_LEVELS

    out = []
    for lv, share in FLEX_LEVELS.items():
        col = f"headroom_mw_flex_{lv}"
        if col in zones.columns and zones.at[z, col] > 0:  # NaN > 0 is False
            out.append((share, float(zones.at[z, col])))
    return out


def _power_bound(inst: Instance, ix: Index, y: int, avail: pd.DataFrame) -> float:
    """The most IT MW the power deliverable in year ``y`` to the sites in ``avail`` can carry.

    Per zone and slice t: available power P_z(t) = sum over the zone's sites of the generators'
    max_mw_per_site x availability(t) (infinite without a limit where the availability is > 0),
    plus the grid: the sum of grid_mw of the sites connected by y (from grid_year, or from
    flex_grid_year for a site that may choose a flexibility level), capped by the zone's
    headroom_mw plus its largest flexible headroom. The facility load of the zone's sites is at
    least (their IT) x min_s pue_s(t). Without storage or flexible load every slice must be
    served: IT_z <= min_t P_z(t) / min_s pue_s(t). With storage (energy moves between slices
    but does not grow) or flexible load (at most a share c of facility energy curtailed):
    IT_z <= sum_t w_t P_z(t) / ((1 - c) x min_s sum_t w_t pue_s(t)).
    """
    techs = inst.techs
    zones = inst.zones.set_index("zone")
    w = np.asarray(ix.weight_h, dtype=float)
    n = ix.n
    # every kind but storage supplies power (an upper bound for any new kind of supply)
    gens = [k for k in techs.itertuples(index=False) if k.kind != "storage" and k.earliest_year <= y]
    stores = [k for k in techs.itertuples(index=False) if k.kind == "storage" and k.earliest_year <= y
              and not (k.max_mw_per_site == k.max_mw_per_site and k.max_mw_per_site <= 0)]
    total = 0.0
    for z, grp in avail.groupby("zone", sort=True):
        levels = _flex_levels(zones, z)
        onsite = np.zeros(n)
        grid = 0.0
        pue_t = []
        flexible = False
        for s in grp.itertuples(index=False):
            for k in gens:
                a = np.ones(n)
                if isinstance(k.profile, str) and k.profile:
                    a = ix.cf.get((k.tech, s.site))
                    a = np.zeros(n) if a is None else np.asarray(a, dtype=float)
                if k.max_mw_per_site != k.max_mw_per_site:  # NaN: no limit
                    onsite = onsite + np.where(a > 0, math.inf, 0.0)
                else:
                    onsite = onsite + k.max_mw_per_site * a
            if s.site in ix.flex_levels:
                flexible = True
            if s.grid_mw > 0 and y >= ix.grid_first_year[s.site]:
                grid += float(s.grid_mw)
            pue_t.append(np.asarray(ix.pue_t[s.site], dtype=float))
        head = zones.at[z, "headroom_mw"] if "headroom_mw" in zones.columns else math.nan
        if head == head:
            grid = min(grid, float(head) + (max(h for _, h in levels) if flexible else 0.0))
        supply = onsite + grid
        pue_t = np.vstack(pue_t)
        if stores or flexible:
            shed = max(c for c, _ in levels) if flexible else 0.0
            energy = float(w @ supply) if np.isfinite(supply).all() else math.inf
            load = float(np.min(pue_t @ w)) * (1.0 - shed)
            bound = energy / load if load > 0 else math.inf
        else:
            low = np.min(pue_t, axis=0)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(low > 0, supply / np.where(low > 0, low, 1.0), math.inf)
            bound = float(np.min(ratio)) if len(ratio) else math.inf
        total += bound
    return total


def _exceeds(need: float, most: float) -> bool:
    return need > most * (1 + REL) + ABS


def findings(inst: Instance, slices=None) -> list[Finding]:
    """Every year whose target exceeds what the sites, the accelerators or the power allow (empty: none)."""
    bounds = year_bounds(inst, slices)
    chips = inst.chips
    out: list[Finding] = []
    t = inst.targets.set_index("year")
    for y in inst.years:
        if y not in t.index:
            continue
        b = bounds[y]
        if b["sites_it_mw"] <= 0:  # no site can be open: that alone says it (chips and power are then 0 too)
            out += _no_site(y, t.at[y, "it_gw"], t.at[y, "compute_eflops"], inst)
            continue
        it = t.at[y, "it_gw"]
        if it is not None and it == it:
            need = 1000.0 * float(it)
            for res, key in (("sites", "sites_it_mw"), ("chips", "chips_it_mw"), ("power", "power_it_mw")):
                most = b[key]
                if not _exceeds(need, most):
                    continue
                what = _WHAT[res].format(y=y)
                if res == "chips" and most == 0:
                    what = ("the accelerators allow, as no generation can be installed by then and still be in "
                            "service (chips.csv first_year, last_year and life_years)")
                text = (f"year {y}: the IT target of {need:,.0f} MW is {need - most:,.0f} MW out of reach; "
                        f"limiting resource: {_RESOURCE[res]}: the most IT load {what} is {most:,.0f} MW")
                out.append(Finding(y, "it", res, need, most, "MW", text))
        ef = t.at[y, "compute_eflops"]
        if ef is not None and ef == ef:
            need = 1000.0 * float(ef)
            most = b["chips_pflops"]
            if _exceeds(need, most):
                if most == 0:
                    why = ("no accelerator generation can be installed by then and still be in service (chips.csv "
                           "first_year, last_year and life_years)")
                else:
                    why = (f"the accelerators that can be in service give at most {most / 1000:,.3f} EFLOPS "
                           "(supply caps: chip_supply.csv, else max_units_per_year, within each generation's install "
                           "window and life)")
                text = (f"year {y}: the compute target of {need / 1000:,.3f} EFLOPS is {(need - most) / 1000:,.3f} "
                        f"EFLOPS out of reach; limiting resource: {_RESOURCE['chips']}: {why}")
                out.append(Finding(y, "compute", "chips", need, most, "PFLOPS", text))
            wpf = b["best_w_per_pflops"]
            if wpf == wpf and need > 0:
                need_mw = need * wpf / 1e6
                best = chips.loc[(chips["watts"] / chips["pflops"]).sub(wpf).abs() <= 1e-12 * wpf, "generation"]
                name = str(best.iloc[0]) if len(best) else "best generation"
                for res, key in (("sites", "sites_it_mw"), ("power", "power_it_mw")):
                    most_mw = b[key]
                    if not _exceeds(need_mw, most_mw):
                        continue
                    text = (f"year {y}: the compute target of {need / 1000:,.3f} EFLOPS needs at least "
                            f"{need_mw:,.0f} MW of IT load even with the most efficient generation that can serve "
                            f"it ({name}, {wpf:,.1f} W per PFLOPS), {need_mw - most_mw:,.0f} MW out of reach; "
                            f"limiting resource: {_RESOURCE[res]}: the most IT load {_WHAT[res].format(y=y)} is "
                            f"{most_mw:,.0f} MW")
                    out.append(Finding(y, "compute", res, need_mw, most_mw, "MW", text))
    return out


def _no_site(y: int, it, ef, inst: Instance) -> list[Finding]:
    first = inst.sites["earliest_year"].min() if len(inst.sites) else None
    when = f"the first opens in {int(first)}" if first is not None and first == first else "there is none"
    out = []
    why = f"limiting resource: site capacity: no candidate site can be open by {y} (sites.csv earliest_year; {when})"
    for target, value, unit, head, tail in (
            ("it", it, "MW", lambda n: f"the IT target of {n:,.0f} MW is {n:,.0f} MW out of reach",
             "the most IT load is 0 MW"),
            ("compute", ef, "PFLOPS", lambda n: f"the compute target of {n / 1000:,.3f} EFLOPS is out of reach",
             "the most compute is 0 EFLOPS")):
        if value is not None and value == value and value > 0:
            need = 1000.0 * float(value)
            out.append(Finding(y, target, "sites", need, 0.0, unit, f"year {y}: {head(need)}; {why}, so {tail}"))
    return out


def reachability(inst: Instance, slices=None) -> list[str]:
    """One sentence per year and limiting resource whose bound a target exceeds (empty: nothing found)."""
    return [f.text for f in findings(inst, slices)]
