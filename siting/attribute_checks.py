"""Checks of the site-attribute inputs (cooling.csv, metros.csv, the water, spur-line and fiber columns,
scenario.toml [water], [connection] and [latency]); called by :func:`siting.validate.check_instance`.

One line per problem, naming the file, the column and the row (1-based, header not counted), as the
rest of :mod:`siting.validate`. Imports nothing of siting but :mod:`siting.attributes` (no cycle).
"""

from __future__ import annotations

import math

from .attributes import (
    FIBER_KM_PER_MS,
    LATENCY_ROUTE_FACTOR,
    SPUR_ROUTE_FACTOR,
    great_circle_km,
    option_list,
    rtt_ms,
    spur_line,
)

__all__ = ["check_site_attributes", "cooling_profiles"]


def _num(v) -> bool:
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def _broken(df, *cols):
    b = df.attrs.get("broken", {}) if df is not None else {}
    out = [False] * (len(df) if df is not None else 0)
    for c in cols:
        if c in b:
            out = [x or bool(y) for x, y in zip(out, b[c])]
    return out


def _where(fname, col, i, key=None, v=None) -> str:
    who = f" ({key} {v})" if key and isinstance(v, str) else ""
    return f"{fname}: column '{col}', row {i + 1}{who}"


def cooling_profiles(tables: dict) -> set:
    """Profile names cooling.csv pue_profile uses (profiles.csv may hold them)."""
    cool = tables.get("cooling")
    if cool is None or not len(cool) or "pue_profile" not in cool.columns:
        return set()
    return {p for p in cool["pue_profile"].dropna() if isinstance(p, str) and p}


def _setting(scenario, table, key):
    tab = scenario.get(table) if isinstance(scenario, dict) else None
    return tab.get(key) if isinstance(tab, dict) else None


def check_site_attributes(scenario: dict, tables: dict, f: dict, problems: list[str]) -> None:
    sites, zones = tables["sites"], tables["zones"]
    fs = f.get("sites", "sites.csv")
    cool = tables.get("cooling")
    has_cool = cool is not None and len(cool) > 0
    fc = f.get("cooling", "cooling.csv")
    # scenario settings the generic type checks do not bound
    for tab, key, lo in (("water", "stress_usd_per_m3", 0.0), ("water", "max_stress", 0.0),
                         ("connection", "route_factor", 1.0), ("connection", "spur_years_per_100km", 0.0),
                         ("connection", "fiber_usd_per_km", 0.0), ("latency", "budget_ms", 0.0),
                         ("latency", "route_factor", 1.0)):
        v = _setting(scenario, tab, key)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v < lo:
            problems.append(f"scenario.toml: key [{tab}] '{key}' must be >= {lo:g}, got {v}")
    # cooling.csv and the sites' cooling lists
    options = set()
    if has_cool:
        seen = {}
        for i, o in enumerate(cool["option"]):
            if o is None:
                continue
            if o in seen:
                problems.append(f"{_where(fc, 'option', i)}: duplicate id '{o}'")
            seen.setdefault(o, i)
        options = set(seen)
        _check_cooling_profiles(cool, sites, zones, tables.get("profiles"), f, problems)
    bad = _broken(sites, "cooling")
    for i, (s, text) in enumerate(zip(sites["site"], sites.get("cooling", [None] * len(sites)))):
        names = option_list(text)
        if not names or bad[i]:
            continue
        if not has_cool:
            problems.append(f"{_where(fs, 'cooling', i, 'site', s)}: names cooling options but there is no cooling.csv")
            continue
        for o in names:
            if o not in options:
                problems.append(f"{_where(fs, 'cooling', i, 'site', s)}: unknown cooling option '{o}' (not in {fc})")
    if not has_cool:
        for df, fname, key in ((sites, fs, "site"), (zones, f.get("zones", "zones.csv"), "zone")):
            if "water_limit_m3_per_yr" not in df.columns:
                continue
            for i, (k, v) in enumerate(zip(df[key], df["water_limit_m3_per_yr"])):
                if _num(v):
                    problems.append(f"{_where(fname, 'water_limit_m3_per_yr', i, key, k)}: a water limit needs "
                                    "cooling.csv (water use comes from the cooling options)")
    _check_connection(scenario, sites, fs, problems)
    _check_metros(scenario, tables, f, problems)


def _check_cooling_profiles(cool, sites, zones, profiles, f, problems) -> None:
    """A pue_profile must be given (zone or site rows of profiles.csv) for every site that may choose it."""
    if profiles is None or "pue_profile" not in cool.columns:
        return
    fc, fp = f.get("cooling", "cooling.csv"), f.get("profiles", "profiles.csv")
    names = set(profiles["profile"].dropna())
    zone_has = set(zip(profiles["zone"].dropna(), profiles.loc[profiles["zone"].notna(), "profile"]))
    site_has = set(zip(profiles["site"].dropna(), profiles.loc[profiles["site"].notna(), "profile"]))
    for i, (o, p) in enumerate(zip(cool["option"], cool["pue_profile"])):
        if not isinstance(p, str) or not p:
            continue
        if p not in names:
            problems.append(f"{_where(fc, 'pue_profile', i, 'option', o)}: profile '{p}' is not in {fp}")
            continue
        for s, z, text in zip(sites["site"], sites["zone"], sites.get("cooling", [None] * len(sites))):
            allowed = option_list(text)
            if allowed and o not in allowed:
                continue
            if (z, p) not in zone_has and (s, p) not in site_has:
                problems.append(f"{_where(fc, 'pue_profile', i, 'option', o)}: profile '{p}' is not given for zone "
                                f"'{z}' (site {s}) in {fp}")


def _check_connection(scenario, sites, fs, problems) -> None:
    rf = _setting(scenario, "connection", "route_factor") or SPUR_ROUTE_FACTOR
    per_km = _setting(scenario, "connection", "fiber_usd_per_km")
    bad = _broken(sites, "substation_km", "substation_kv", "grid_mw")
    for i, row in enumerate(sites.itertuples(index=False)):
        km = getattr(row, "substation_km", None)
        if _num(km) and not bad[i]:
            if not _num(row.grid_mw) or float(row.grid_mw) <= 0:
                problems.append(f"{_where(fs, 'substation_km', i, 'site', row.site)}: the site has no grid connection "
                                "(grid_mw is 0)")
            else:
                kv = getattr(row, "substation_kv", None)
                try:
                    line = spur_line(float(km), float(row.grid_mw), route_factor=float(rf))
                except ValueError:
                    line = None
                if line is not None and _num(kv) and float(kv) < line.kv:
                    problems.append(f"{_where(fs, 'substation_kv', i, 'site', row.site)}: {float(kv):g} kV is below "
                                    f"the {line.kv} kV line that {float(row.grid_mw):g} MW of grid_mw needs; connect "
                                    "to a substation of at least that voltage")
        fk = getattr(row, "fiber_km", None)
        if _num(fk) and per_km is None:
            problems.append(f"{_where(fs, 'fiber_km', i, 'site', row.site)}: needs scenario.toml [connection] "
                            "fiber_usd_per_km")


def _check_metros(scenario, tables, f, problems) -> None:
    mt = tables.get("metros")
    if mt is None or not len(mt):
        return
    fm = f.get("metros", "metros.csv")
    years = scenario.get("years") if isinstance(scenario.get("years"), list) else None
    default = _setting(scenario, "latency", "budget_ms")
    seen: dict = {}
    coords: dict = {}
    share: dict = {}
    bad = _broken(mt, "metro", "year", "lat", "lon", "inference_mw", "it_share", "budget_ms")
    for i, r in enumerate(mt.itertuples(index=False)):
        if bad[i] or r.metro is None:
            continue
        where = f"{fm}: row {i + 1} (metro {r.metro})"
        y = int(r.year) if _num(r.year) else None
        if y is not None and years is not None and y not in years:
            problems.append(f"{_where(fm, 'year', i, 'metro', r.metro)}: year {y} is not one of scenario.toml "
                            f"years {years}")
        key = (r.metro, y)
        if key in seen:
            problems.append(f"{where}: duplicate of row {seen[key] + 1} (same metro and year)")
        seen.setdefault(key, i)
        mw, sh = _num(r.inference_mw), _num(r.it_share)
        if mw == sh:
            problems.append(f"{where}: give exactly one of inference_mw and it_share")
        if sh:
            share[y] = share.get(y, 0.0) + float(r.it_share)
        c = (float(r.lat), float(r.lon))
        if r.metro in coords and coords[r.metro] != c:
            problems.append(f"{_where(fm, 'lat', i, 'metro', r.metro)}: coordinates differ from the metro's first "
                            "row")
        coords.setdefault(r.metro, c)
        if not _num(r.budget_ms) and default is None:
            problems.append(f"{_where(fm, 'budget_ms', i, 'metro', r.metro)}: no budget (give budget_ms or "
                            "scenario.toml [latency] budget_ms)")
    for y, v in share.items():
        total = v + (share.get(None, 0.0) if y is not None else 0.0)
        if total > 1 + 1e-9:
            problems.append(f"{fm}: column 'it_share': the shares of year {y if y is not None else '(blank)'} add up "
                            f"to {total:g}, more than 1")
    _check_reach(scenario, tables["sites"], mt, coords, default, fm, problems)


def _check_reach(scenario, sites, mt, coords, default, fm, problems) -> None:
    """A metro whose budget no candidate site meets cannot be served: say which site is nearest."""
    if not coords or not len(sites) or sites["lat"].isna().any() or sites["lon"].isna().any():
        return
    rf = _setting(scenario, "latency", "route_factor") or LATENCY_ROUTE_FACTOR
    budgets = {}
    for r in mt.itertuples(index=False):
        if _num(r.budget_ms):
            budgets.setdefault(r.metro, float(r.budget_ms))
    for m, (lat, lon) in coords.items():
        b = budgets.get(m, float(default) if _num(default) else math.inf)
        ms = rtt_ms(great_circle_km(lat, lon, sites["lat"].to_numpy(float), sites["lon"].to_numpy(float)), rf)
        j = int(ms.argmin())
        if ms[j] > b + 1e-9:
            problems.append(f"{fm}: metro {m}: no candidate site within its {b:g} ms budget (nearest: "
                            f"{sites['site'].iloc[j]} at {ms[j]:.2f} ms round trip, {FIBER_KM_PER_MS:.1f} km/ms x "
                            f"route factor {float(rf):g})")

