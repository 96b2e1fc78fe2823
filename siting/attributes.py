"""What a site weighs besides power: cooling and water, the grid spur line and fiber by distance, and the
latency to the metros its inference serves. Pyomo-free: the numbers the blocks :mod:`siting.model.water`,
:mod:`siting.model.connection` and :mod:`siting.model.latency`, the index and the validation read.

Every part is off unless its input is given (cooling.csv; sites.csv ``substation_km`` / ``fiber_km``;
metros.csv): then the functions here return empty maps and no component exists. Constants and their
sources are listed in docs/formulation.md section 15 and docs/sources.md.

Units: water in m3 (1 L/kWh = 1 m3/MWh), distances in km, latency in ms, money in the instance's
dollar year (the spur-line costs are restated from 2014 dollars by CPI-U).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["great_circle_km", "rtt_ms", "spur_line", "SpurLine", "LINE_CLASSES", "cooling_options",
           "water_prices", "water_limits", "spur_lines", "fiber_costs", "spur_lead_years", "Latency", "latency",
           "metro_demand", "LATENCY_ROUTE_FACTOR", "FIBER_KM_PER_MS", "SPUR_ROUTE_FACTOR", "option_list"]

# -- latency -----------------------------------------------------------------------------------------------
#: speed of light in vacuum, km per ms (exact, SI)
C_KM_PER_MS = 299.792458
#: group index of standard single-mode fibre at 1550 nm (Corning SMF-28 Ultra product information)
FIBER_GROUP_INDEX = 1.4682
#: speed of light in fibre, km per ms (about 204.2)
FIBER_KM_PER_MS = C_KM_PER_MS / FIBER_GROUP_INDEX
#: fibre route length / great-circle distance (Bozkurt et al. 2018: Internet latency is about the line-of-sight
#: distance x 2.1 at the speed of light in fibre; shortest paths through the long-haul conduits: 1.3)
LATENCY_ROUTE_FACTOR = 2.1
#: mean Earth radius, km (IUGG)
EARTH_RADIUS_KM = 6371.0088

# -- spur lines ---------------------------------------------------------------------------------------------
#: spur-line route length / straight-line length (MISO's planning estimates: straight line + 30 %)
SPUR_ROUTE_FACTOR = 1.3
MILE_KM = 1.609344
#: the dollar year of LINE_CLASSES and the CPI-U annual average of that year (BLS series CUUR0000SA0)
LINE_DOLLAR_YEAR, CPI_U_2014 = 2014, 236.736


@dataclass(frozen=True)
class LineClass:
    """A new overhead AC line: voltage, circuits, capital cost per mile (2014 USD, lines over 10 miles) and the
    most MW it carries over a spur's distance (short-line loadability: 3 x surge impedance loading)."""

    kv: int
    circuits: int
    usd_per_mile: float
    rating_mw: float


#: Black & Veatch for WECC (2014), Table 2-1 (new line cost per mile, ACSR conductor); ratings 3 x SIL of
#: 140 / 400 / 900 MW per circuit at 230 / 345 / 500 kV (the St. Clair curve for lines up to about 80 km)
LINE_CLASSES: tuple[LineClass, ...] = (
    LineClass(230, 1, 959_700.0, 420.0), LineClass(230, 2, 1_536_400.0, 840.0),
    LineClass(345, 1, 1_343_800.0, 1_200.0), LineClass(345, 2, 2_150_300.0, 2_400.0),
    LineClass(500, 1, 1_919_450.0, 2_700.0), LineClass(500, 2, 3_071_750.0, 5_400.0),
)


def _length_multiplier(miles: float) -> float:
    """Black & Veatch (2014) Table 2-4: a line under 3 miles costs 1.5 x per mile, 3-10 miles 1.2 x."""
    return 1.5 if miles < 3 else 1.2 if miles <= 10 else 1.0


@dataclass(frozen=True)
class SpurLine:
    """The spur line of one site: its class, how many lines, route length, cost and lead time."""

    kv: int
    circuits: int
    lines: int
    route_km: float
    usd: float
    lead_years: int


def _cpi(dollar_year: int) -> float:
    from .data.money import CPI_U

    if dollar_year == LINE_DOLLAR_YEAR:
        return CPI_U_2014
    if dollar_year not in CPI_U:
        raise ValueError(f"no CPI-U value for dollar_year {dollar_year} (known: 2014, {min(CPI_U)}-{max(CPI_U)})")
    return CPI_U[dollar_year]


def spur_line(distance_km: float, grid_mw: float, *, route_factor: float = SPUR_ROUTE_FACTOR,
              dollar_year: int = LINE_DOLLAR_YEAR, years_per_100km: float = 0.0) -> SpurLine:
    """The cheapest new line from a site to its substation that carries ``grid_mw``.

    Route = ``distance_km`` x ``route_factor``. For each class of :data:`LINE_CLASSES`, n =
    ceil(grid_mw / rating) parallel lines cost n x usd_per_mile x length multiplier x route miles
    (restated from 2014 dollars to ``dollar_year`` by CPI-U); the cheapest class is chosen, which
    sets the voltage a given import needs. Lead time = ceil(route_km x years_per_100km / 100).
    """
    route_km = float(distance_km) * float(route_factor)
    miles = route_km / MILE_KM
    scale = _cpi(int(dollar_year)) / CPI_U_2014
    best = None
    for c in LINE_CLASSES:
        n = max(1, math.ceil(float(grid_mw) / c.rating_mw - 1e-9))
        usd = n * c.usd_per_mile * _length_multiplier(miles) * miles * scale
        if best is None or usd < best[0] - 1e-6:
            best = (usd, c, n)
    usd, c, n = best
    lead = math.ceil(route_km * float(years_per_100km) / 100.0 - 1e-9) if years_per_100km else 0
    return SpurLine(kv=c.kv, circuits=c.circuits, lines=n, route_km=route_km, usd=usd if route_km > 0 else 0.0,
                    lead_years=max(0, lead))


# -- helpers ------------------------------------------------------------------------------------------------
def _finite(v) -> bool:
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    return df[name] if name in df.columns else pd.Series([None] * len(df), index=df.index, dtype=object)


def _setting(scenario: dict, table: str, key: str, default=None):
    tab = scenario.get(table) or {}
    v = tab.get(key) if isinstance(tab, dict) else None
    return default if v is None else v


def option_list(text) -> list[str]:
    """The options a sites.csv ``cooling`` cell names ("evaporative; dry"), in order; [] for a blank cell."""
    if not isinstance(text, str):
        return []
    return [p.strip() for p in text.split(";") if p.strip()]


def great_circle_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle (haversine) distance on a sphere of the mean Earth radius, km (arrays broadcast)."""
    p1, p2 = np.radians(np.asarray(lat1, dtype=float)), np.radians(np.asarray(lat2, dtype=float))
    dl = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    a = np.sin((p2 - p1) / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def rtt_ms(distance_km, route_factor: float = LATENCY_ROUTE_FACTOR):
    """Round-trip time over fibre: 2 x distance x route_factor / speed of light in fibre, ms."""
    return 2.0 * np.asarray(distance_km, dtype=float) * float(route_factor) / FIBER_KM_PER_MS


# -- cooling and water --------------------------------------------------------------------------------------
def cooling_options(inst) -> dict[str, list[str]]:
    """site -> the cooling.csv options it chooses among (sites.csv ``cooling``, blank: all); {} without cooling.csv."""
    cool = getattr(inst, "cooling", None)
    if cool is None or not len(cool):
        return {}
    every = list(cool["option"])
    sites = inst.sites
    return {s: (option_list(c) or every) for s, c in zip(sites["site"], _col(sites, "cooling"))}


def water_prices(inst) -> dict[str, float]:
    """site -> USD per m3: sites.csv water_price_usd_per_m3, else its zone's (else 0), plus [water]
    stress_usd_per_m3 x water_stress."""
    sites = inst.sites.set_index("site")
    zones = inst.zones.set_index("zone")
    zp = _col(zones, "water_price_usd_per_m3")
    per_stress = float(_setting(inst.scenario, "water", "stress_usd_per_m3", 0.0))
    out = {}
    for s, row in sites.iterrows():
        v = row.get("water_price_usd_per_m3")
        if not _finite(v):
            v = zp.get(row["zone"])
        price = float(v) if _finite(v) else 0.0
        stress = row.get("water_stress")
        if per_stress and _finite(stress):
            price += per_stress * float(stress)
        out[s] = price
    return out


def water_limits(inst) -> tuple[dict[str, float], dict[str, float]]:
    """(site -> most m3 per year, zone -> most m3 per year). A site whose water_stress is above [water]
    max_stress may use no water (limit 0)."""
    sites = inst.sites
    site_lim = {s: float(v) for s, v in zip(sites["site"], _col(sites, "water_limit_m3_per_yr")) if _finite(v)}
    mx = _setting(inst.scenario, "water", "max_stress")
    if mx is not None:
        for s, v in zip(sites["site"], _col(sites, "water_stress")):
            if _finite(v) and float(v) > float(mx):
                site_lim[s] = 0.0
    zones = inst.zones
    zone_lim = {z: float(v) for z, v in zip(zones["zone"], _col(zones, "water_limit_m3_per_yr")) if _finite(v)}
    return site_lim, zone_lim


# -- spur lines and fiber -----------------------------------------------------------------------------------
def spur_lines(inst) -> dict[str, SpurLine]:
    """site -> its spur line, for grid-connected sites with a sites.csv substation_km."""
    sites = inst.sites
    rf = float(_setting(inst.scenario, "connection", "route_factor", SPUR_ROUTE_FACTOR))
    per100 = float(_setting(inst.scenario, "connection", "spur_years_per_100km", 0.0))
    dy = int(inst.scenario.get("dollar_year", LINE_DOLLAR_YEAR))
    out = {}
    for s, km, mw in zip(sites["site"], _col(sites, "substation_km"), sites["grid_mw"]):
        if _finite(km) and float(mw) > 0:
            out[s] = spur_line(float(km), float(mw), route_factor=rf, dollar_year=dy, years_per_100km=per100)
    return out


def spur_lead_years(inst) -> dict[str, int]:
    """site -> years from the first planning year before its spur line can carry power (sites with a lead)."""
    return {s: sp.lead_years for s, sp in spur_lines(inst).items() if sp.lead_years > 0}


def fiber_costs(inst) -> dict[str, float]:
    """site -> USD to reach long-haul fibre or an internet exchange: fiber_km x route factor x [connection]
    fiber_usd_per_km (sites with a fiber_km)."""
    sites = inst.sites
    per_km = _setting(inst.scenario, "connection", "fiber_usd_per_km")
    if per_km is None:
        return {}
    rf = float(_setting(inst.scenario, "connection", "route_factor", SPUR_ROUTE_FACTOR))
    return {s: float(km) * rf * float(per_km) for s, km in zip(sites["site"], _col(sites, "fiber_km"))
            if _finite(km)}


# -- latency ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Latency:
    """Metros, the round-trip time to each site, each metro's budget and the sites within it."""

    metros: list
    rtt: dict        # (metro, site) -> ms
    budget: dict     # metro -> ms
    reach: dict      # metro -> [sites within the budget], in sites.csv order


def latency(inst) -> Latency | None:
    """The latency data of an instance with a metros.csv (None without)."""
    mt = getattr(inst, "metros", None)
    if mt is None or not len(mt):
        return None
    rf = float(_setting(inst.scenario, "latency", "route_factor", LATENCY_ROUTE_FACTOR))
    default = _setting(inst.scenario, "latency", "budget_ms")
    first = mt.drop_duplicates("metro")
    metros = list(first["metro"])
    sites = inst.sites
    d = great_circle_km(first["lat"].to_numpy(float)[:, None], first["lon"].to_numpy(float)[:, None],
                        sites["lat"].to_numpy(float)[None, :], sites["lon"].to_numpy(float)[None, :])
    ms = rtt_ms(d, rf)
    rtt = {(mtr, s): float(ms[i, j]) for i, mtr in enumerate(metros) for j, s in enumerate(sites["site"])}
    budget = {}
    for mtr, g in mt.groupby("metro", sort=False):
        b = [float(v) for v in _col(g, "budget_ms") if _finite(v)]
        budget[mtr] = b[0] if b else (float(default) if default is not None else math.inf)
    reach = {mtr: [s for s in sites["site"] if rtt[mtr, s] <= budget[mtr] + 1e-9] for mtr in metros}
    return Latency(metros=metros, rtt=rtt, budget=budget, reach=reach)


def metro_demand(inst) -> dict:
    """(metro, year) -> ("mw", MW of IT) or ("share", share of the year's IT load in service); a row with a
    blank year applies to every planning year the metro has no row of its own for."""
    mt = getattr(inst, "metros", None)
    if mt is None or not len(mt):
        return {}
    out = {}
    years = list(inst.years)
    for blank_pass in (False, True):
        for r in mt.itertuples(index=False):
            yr = getattr(r, "year", None)
            has_year = _finite(yr)
            if has_year == blank_pass:
                continue
            value = ("mw", float(r.inference_mw)) if _finite(getattr(r, "inference_mw", None)) else (
                "share", float(r.it_share) if _finite(getattr(r, "it_share", None)) else 0.0)
            for y in ([int(yr)] if has_year else years):
                if has_year or (r.metro, y) not in out:
                    out[r.metro, y] = value
    return {k: v for k, v in out.items() if k[1] in set(years) and v[1] > 0}
