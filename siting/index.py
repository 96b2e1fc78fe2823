"""The Pyomo-free index of an instance: sparse tuples, the ``*_at`` maps, per-site profiles and
the numbers the model blocks and the checks before solving read.

:func:`build_index` computes it once from an :class:`~siting.Instance` and its operating
slices. The model (``m.ix``) and :mod:`siting.checks` read it; nothing here imports Pyomo.
Every list keeps the order of the input tables (sites.csv, techs.csv, chips.csv rows, then
planning years), which is the order of the model's sets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .attributes import spur_lead_years
from .instance import Instance, crf
from .schema import FLEX_LEVELS
from .timeseries import Slices
from .units import mw_per_unit

__all__ = ["Index", "build_index", "group", "target_mode"]


def group(keys, by, item) -> dict:
    """``{by(key): [item(key), ...]}`` over ``keys``, in their order."""
    out: dict = {}
    for k in keys:
        out.setdefault(by(k), []).append(item(k))
    return out


def _isna(v) -> bool:
    try:
        return bool(np.isnan(float(v)))
    except (TypeError, ValueError):
        return True


@dataclass
class Index:
    """Sets, maps and numbers of one instance at one set of operating slices (no Pyomo objects).

    Sets are lists of tuples; ``*_at`` maps give, per (site, year), the techs, generators,
    storage techs and chip generations present; per-site profiles are numpy arrays over the
    slices. Money values are per calendar year; power in MW; energy in MWh.
    """

    years: list
    slices: Slices
    weight_h: list
    n_y: dict                    # calendar years each planning year stands for
    discount_factor: dict
    sites: list
    zones: list
    techs: list
    chips: list
    kind: dict                   # tech -> kind (techs.csv)
    zone_of: dict                # site -> zone
    site_years: list
    sites_in: dict               # year -> [sites that exist]
    site_prev: dict              # (s, y) -> (s, previous planning year of s)
    tech_site_years: list        # (k, s, y) where tech k can be in service at s in y
    techs_at: dict               # (s, y) -> [k]
    tech_build_years: dict       # (k, s, y) -> [build years in service in y]
    chip_install: list           # (g, s, y)
    chip_service: dict           # (g, s, y) -> [install years in service in y]
    chips_at: dict               # (s, y) -> [g in service]
    grid_site_years: list        # (s, y) with a grid connection
    grid_first_year: dict        # site -> first year of grid import (flex_grid_year for flexible sites)
    flex_levels: dict            # site -> [levels it may choose]
    crf_site: dict
    crf_building: dict
    crf_tech: dict
    crf_chip: dict
    chip_mw_per_unit: dict       # g -> MW of IT per unit
    fuel_usd_per_mwh: dict       # k -> fuel price x heat rate
    clean: dict                  # k -> bool
    cf: dict                     # (k, s) -> availability per slice (techs with a profile)
    pue_t: dict                  # s -> facility PUE per slice
    pue_peak: dict               # s -> the year's highest facility PUE (full-year profile, not only the slices)
    grid_price_t: dict           # s -> USD/MWh per slice
    grid_clean_t: dict           # s -> hourly clean share per slice, or None (flat annual share)
    grid_clean_share: dict       # zone -> annual clean share (blank = 0)
    load_weight: dict            # s -> sum_t w_t pue_s(t): facility MWh per IT MW and year
    target_it_mw: dict           # year -> IT target, MW (years with an it_gw)
    target_pflops: dict          # year -> compute target, PFLOPS (years with a compute_eflops)
    soft_targets: bool           # scenario.toml [targets] mode = "soft"
    fuel_usd_per_mwh_at: dict    # (k, s, y) -> fuel cost per MWh where fuels.csv sets it (else fuel_usd_per_mwh)
    demand_charge: dict          # s -> USD/kW/yr on its peak import (sites with a charge and a grid connection)
    peak_slices: dict            # s -> slices whose import sets the demand charge
    chip_cap: dict               # (g, y) -> most units installed in planning year y (capped (g, y) only)
    capex_budget: dict           # y -> most overnight capex commissioned in planning year y, USD
    fossil_permit: dict          # zone -> most non-clean on-site MW in service
    op_years: list = field(default_factory=list)  # years whose operations are modelled (default: all)
    _of_kind: dict = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        """Number of operating slices."""
        return self.slices.n

    def of_kind(self, kind: str) -> list:
        """(k, s, y) of :attr:`tech_site_years` whose tech is of ``kind`` (techs.csv), in order, in the
        years whose operations are modelled (:attr:`op_years`): the index of a kind's dispatch."""
        if kind not in self._of_kind:
            ops = set(self.op_years)
            self._of_kind[kind] = [i for i in self.tech_site_years if self.kind[i[0]] == kind and i[2] in ops]
        return self._of_kind[kind]

    @property
    def op_site_years(self) -> list:
        """(s, y) of :attr:`site_years` in the years whose operations are modelled."""
        ops = set(self.op_years)
        return [(s, y) for s, y in self.site_years if y in ops]

    def at(self, kind: str) -> dict:
        """(s, y) -> [techs of ``kind`` present]."""
        key = ("at", kind)
        if key not in self._of_kind:
            self._of_kind[key] = group(self.of_kind(kind), lambda i: (i[1], i[2]), lambda i: i[0])
        return self._of_kind[key]

    def fuel_cost(self, k, s, y) -> float:
        """Fuel cost of tech ``k`` at site ``s`` in year ``y``, USD per MWh generated."""
        return self.fuel_usd_per_mwh_at.get((k, s, y), self.fuel_usd_per_mwh[k])

    def grid_clean_share_t(self, s) -> np.ndarray:
        """Clean share of grid energy at site ``s`` per slice: the profile (capped at 1) or the flat share."""
        k = self.grid_clean_t.get(s)
        if k is not None:
            return np.asarray(k, dtype=float)
        return np.full(self.n, float(self.grid_clean_share[self.zone_of[s]]))


def build_index(inst: Instance, slices: Slices, op_years=None) -> Index:
    """The :class:`Index` of ``inst`` at ``slices`` (see docs/formulation.md section 2 for the sets).

    ``op_years``: the planning years whose operations (dispatch, grid import, the power balance,
    the annual policy rows) are modelled; default all. Investment sets keep every year. The
    hourly check builds one year's operations at full resolution this way.
    """
    op = list(inst.years) if op_years is None else [y for y in inst.years if y in set(op_years)]
    r = inst.discount_rate
    years = inst.years
    sites = inst.sites.set_index("site")
    techs = inst.techs.set_index("tech")
    chips = inst.chips.set_index("generation")
    zones = inst.zones.set_index("zone")
    site_ix, tech_ix, chip_ix = list(sites.index), list(techs.index), list(chips.index)

    earliest = sites["earliest_year"].to_dict()
    site_years = [(s, y) for s in site_ix for y in years if y >= earliest[s]]
    prev, last = {}, {}
    for s, y in site_years:
        if s in last:
            prev[(s, y)] = (s, last[s])
        last[s] = y
    # a commitment is made from the first planning year on and serves lead_time_years later
    lead = techs["lead_time_years"].fillna(0).to_dict()
    tsy = [(k, s, y) for k in tech_ix for s, y in site_years
           if y >= techs.at[k, "earliest_year"] and y >= years[0] + lead[k]]
    # power capacity built in y' is in service in y when y' <= y and y - y' < life_years
    life_k = techs["life_years"].to_dict()
    by_ks = group(tsy, lambda i: (i[0], i[1]), lambda i: i[2])
    build_years = {(k, s, y): [yi for yi in by_ks[(k, s)] if yi <= y and y - yi < life_k[k]] for k, s, y in tsy}
    install = [(g, s, y) for g in chip_ix for s, y in site_years
               if chips.at[g, "first_year"] <= y <= chips.at[g, "last_year"]]
    # installs of (g, s) in year y' serve year y when y' <= y and y - y' < life_years
    life_g = chips["life_years"].to_dict()
    by_gs = group(install, lambda i: (i[0], i[1]), lambda i: i[2])
    service = {}
    for (g, s), ys in by_gs.items():
        for y in years:
            src = [yi for yi in ys if yi <= y and y - yi < life_g[g]]
            if src:
                service[(g, s, y)] = src
    # flexible load: the levels each site may choose (those its zone offers, if it has a grid connection)
    flex_levels = {}
    for s in site_ix:
        z = sites.at[s, "zone"]
        lv = [lv for lv in FLEX_LEVELS if zones.at[z, f"headroom_mw_flex_{lv}"] > 0]  # NaN > 0 is False
        if lv and sites.at[s, "grid_mw"] > 0:
            flex_levels[s] = lv
    fy = sites["flex_grid_year"]
    first_grid = {s: (int(fy[s]) if s in flex_levels and not _isna(fy[s]) else int(sites.at[s, "grid_year"]))
                  for s in site_ix}
    for s, lead in spur_lead_years(inst).items():  # a spur line's lead time (sites.csv substation_km)
        first_grid[s] = max(first_grid[s], years[0] + lead)
    grid = [(s, y) for s, y in site_years if sites.at[s, "grid_mw"] > 0 and y >= first_grid[s] and y in op]
    zone_of = sites["zone"].to_dict()

    # hourly data as numpy arrays, one per site (profiles already resolved site -> zone)
    ones = np.ones(slices.n)
    cf = {}
    for k in tech_ix:
        prof = techs.at[k, "profile"]
        if isinstance(prof, str) and prof:
            for s in site_ix:
                cf[k, s] = slices.profile(s, zone_of[s], prof)
    pue_t = {s: sites.at[s, "pue"] * _or(slices.profile(s, zone_of[s], "pue"), ones) for s in site_ix}
    pue_peak = {s: max(float(np.max(pue_t[s])),
                       float(sites.at[s, "pue"]) * (slices.peak(s, zone_of[s], "pue") or 1.0)) for s in site_ix}
    adder = zones["grid_adder_usd_per_mwh"].fillna(0.0)
    grid_price_t = {s: zones.at[zone_of[s], "grid_price_usd_per_mwh"]
                    * _or(slices.profile(s, zone_of[s], "grid_price"), ones) for s in site_ix}
    for s in site_ix:
        if adder[zone_of[s]]:
            grid_price_t[s] = grid_price_t[s] + float(adder[zone_of[s]])
    gcs = zones["grid_clean_share"].fillna(0.0)
    grid_clean_t = {}
    for s in site_ix:
        prof = slices.profile(s, zone_of[s], "grid_clean_share")
        grid_clean_t[s] = None if prof is None else np.minimum(1.0, gcs[zone_of[s]] * prof)
    weight_h = np.asarray(slices.weight_h, dtype=float).tolist()
    w = np.asarray(weight_h)
    return Index(
        years=list(years), slices=slices, weight_h=weight_h, n_y=inst.years_represented(),
        discount_factor=inst.discount_factors(), sites=site_ix, zones=list(zones.index), techs=tech_ix,
        chips=chip_ix, kind=techs["kind"].to_dict(), zone_of=zone_of, site_years=site_years,
        sites_in={y: [s for s, yy in site_years if yy == y] for y in years},
        site_prev=prev, tech_site_years=tsy, techs_at=group(tsy, lambda i: (i[1], i[2]), lambda i: i[0]),
        tech_build_years=build_years, chip_install=install, chip_service=service,
        chips_at=group(service, lambda i: (i[1], i[2]), lambda i: i[0]), grid_site_years=grid,
        grid_first_year=first_grid, flex_levels=flex_levels,
        crf_site={s: float(crf(r, float(sites.at[s, "site_life_years"]))) for s in site_ix},
        crf_building={s: float(crf(r, float(sites.at[s, "building_life_years"]))) for s in site_ix},
        crf_tech={k: float(crf(r, float(techs.at[k, "life_years"]))) for k in tech_ix},
        crf_chip={g: float(crf(r, float(chips.at[g, "life_years"]))) for g in chip_ix},
        chip_mw_per_unit={g: mw_per_unit(chips.at[g, "watts"]) for g in chip_ix},
        fuel_usd_per_mwh=(techs["fuel_usd_per_mmbtu"] * techs["heat_rate_mmbtu_per_mwh"]).astype(float).to_dict(),
        clean=techs["clean"].astype(bool).to_dict(), cf=cf, pue_t=pue_t, pue_peak=pue_peak, grid_price_t=grid_price_t,
        grid_clean_t=grid_clean_t, grid_clean_share=gcs.astype(float).to_dict(),
        load_weight={s: float(w @ pue_t[s]) for s in site_ix},
        target_it_mw={y: 1000.0 * v for y, v in _targets(inst, "it_gw").items()},
        target_pflops={y: 1000.0 * v for y, v in _targets(inst, "compute_eflops").items()},
        soft_targets=target_mode(inst) == "soft",
        fuel_usd_per_mwh_at=_fuel_costs(inst, tsy, zone_of),
        **_tariff(inst, slices, site_ix, zone_of, grid),
        chip_cap=_chip_caps(inst, install, inst.years_represented()),
        capex_budget=_per_year(inst, "budget", "capex_usd_per_year"),
        fossil_permit={z: float(v) for z, v in zones["max_new_fossil_mw"].items() if finite(v)},
        op_years=op,
    )


def _per_year(inst: Instance, table: str, key: str) -> dict:
    """A scenario.toml value per planning year (a scalar applies to every year); years without one left out."""
    v = (inst.scenario.get(table) or {}).get(key)
    if v is None:
        return {}
    if isinstance(v, dict):
        return {y: float(v.get(str(y), v.get(y))) for y in inst.years if v.get(str(y), v.get(y)) is not None}
    return dict.fromkeys(inst.years, float(v))


def _fuel_costs(inst: Instance, tsy: list, zone_of: dict) -> dict:
    """(k, s, y) -> fuels.csv price x heat rate for techs that name a fuel with rows for the site's zone
    (or blank-zone rows): the price of calendar year y, linear between the years given, flat beyond."""
    fu = inst.fuels
    techs = inst.techs.set_index("tech")
    if fu is None or not len(fu) or "fuel" not in techs.columns:
        return {}
    named = {k: f for k, f in techs["fuel"].items() if isinstance(f, str) and f}
    curves: dict = {}
    for (fuel, zone), g in fu.assign(zone=fu["zone"].fillna("")).groupby(["fuel", "zone"], sort=False):
        g = g.sort_values("year")
        curves[fuel, zone] = (g["year"].to_numpy(dtype=float), g["usd_per_mmbtu"].to_numpy(dtype=float))
    hr = techs["heat_rate_mmbtu_per_mwh"].astype(float)
    out = {}
    for k, s, y in tsy:
        f = named.get(k)
        if f is None:
            continue
        c = curves.get((f, zone_of[s])) or curves.get((f, ""))
        if c is not None:
            out[k, s, y] = float(np.interp(float(y), c[0], c[1])) * float(hr[k])
    return out


def _tariff(inst: Instance, slices: Slices, site_ix: list, zone_of: dict, grid: list) -> dict:
    """Demand charge per site (USD/kW/yr; the site's value, else its zone's) and the slices that set it."""
    sites = inst.sites.set_index("site")
    zones = inst.zones.set_index("zone")
    connected = {s for s, _ in grid}
    charge, peak = {}, {}
    for s in site_ix:
        z = zone_of[s]
        v = sites.at[s, "demand_charge_usd_per_kw_yr"]
        v = v if finite(v) else zones.at[z, "demand_charge_usd_per_kw_yr"]
        if not finite(v) or float(v) <= 0 or s not in connected:
            continue
        charge[s] = float(v)
        basis = zones.at[z, "demand_charge_basis"]
        if basis == "coincident":
            cp = slices.profile(s, z, "coincident_peak")
            peak[s] = [] if cp is None else [t for t in range(slices.n) if cp[t] > 0]
        else:
            peak[s] = list(range(slices.n))
    return {"demand_charge": charge, "peak_slices": peak}


def _chip_caps(inst: Instance, install: list, n_y: dict) -> dict:
    """(g, y) -> units installable in planning year y: per calendar year of the n_y it stands for within the
    generation's window, chip_supply.csv's max_units, else chips.csv max_units_per_year; uncapped (left out)
    when a calendar year has neither."""
    chips = inst.chips.set_index("generation")
    cs = inst.chip_supply
    per_year = {}
    if cs is not None and len(cs):
        per_year = {(r.generation, int(r.year)): float(r.max_units) for r in cs.itertuples(index=False)}
    years_of = {(g, y) for g, _s, y in install}
    out = {}
    for g, y in sorted(years_of, key=lambda i: (list(chips.index).index(i[0]), i[1])):
        lo, hi = chips.at[g, "first_year"], chips.at[g, "last_year"]
        base = chips.at[g, "max_units_per_year"]
        total = 0.0
        for c in range(y, y + n_y[y]):
            if not lo <= c <= hi:
                continue
            v = per_year.get((g, c), base)
            if not finite(v):
                total = None
                break
            total += float(v)
        if total is not None:
            out[g, y] = total
    return out


def target_mode(inst: Instance) -> str:
    """``"hard"`` (default) or ``"soft"``: scenario.toml [targets] mode."""
    return str((inst.scenario.get("targets") or {}).get("mode", "hard"))


def _targets(inst: Instance, col: str) -> dict:
    t = inst.targets.set_index("year")[col]
    return {int(y): float(v) for y, v in t.items() if v is not None and v == v}


def _or(a, b):
    return b if a is None else a


def finite(v) -> bool:
    """True for a number that is not NaN/inf (a blank optional cell reads as NaN)."""
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False
