"""Checks of an instance before any model is built.

Two layers: :func:`coerce_table` turns the raw text cells of one file into typed
columns following its contract in :mod:`siting.schema`; :func:`check_instance`
checks the tables against each other. Both append one plain line per problem to
a list, naming the file, the column and the row (1-based data row, the header not
counted) or the id, so that every problem is reported together.

:func:`coerce_table` records which cells had a problem of their own (``attrs["broken"]``:
column -> row mask). :func:`check_instance` runs every cross-table check it still can on
such tables and skips only what depends on a broken cell: a row check skips the rows
whose cells it reads are broken, a reference check (an id that must exist in another
table) is skipped when the referenced id column has a broken cell, and checks against
scenario.toml ``years`` are skipped when ``years`` is not a valid list of years. A
problem of one file therefore never hides a cross-table problem elsewhere, and a broken
cell does not add a second, derived complaint.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .schema import FLEX_LEVELS, RESERVED_PROFILES, TECH_KINDS, Table

__all__ = ["coerce_table", "check_instance", "HOURS"]

HOURS = 8760
#: at most this many lines are reported per file and column for the same kind of problem
MAX_LINES = 10
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def _row_label(df: pd.DataFrame, i: int, key: str | None) -> str:
    label = f"row {i + 1}"
    if key is not None and key in df.columns:
        v = df[key].iloc[i]
        if isinstance(v, str) and v != "":
            label += f" ({key} {v})"
    return label


def _report(problems: list[str], fname: str, col: str, df: pd.DataFrame, bad: np.ndarray, key: str | None,
            what) -> None:
    idx = np.flatnonzero(bad)
    for i in idx[:MAX_LINES]:
        problems.append(f"{fname}: column '{col}', {_row_label(df, int(i), key)}: {what(int(i))}")
    if len(idx) > MAX_LINES:
        problems.append(f"{fname}: column '{col}': {len(idx) - MAX_LINES} more rows with the same problem")


def coerce_table(raw: pd.DataFrame, table: Table, fname: str, problems: list[str]) -> pd.DataFrame:
    """Type the text cells of ``raw`` following ``table``'s contract.

    Blank cells become missing values (or the column default); cells that cannot
    be read as the column's type, blanks in columns that do not allow them and
    values outside the column's range are reported in ``problems``. Columns the
    contract does not know are kept as they are.
    """
    key = table.key[0] if len(table.key) == 1 else None
    out = pd.DataFrame(index=raw.index)
    broken: dict[str, np.ndarray] = {}

    def mark(col: str, bad) -> None:
        bad = np.asarray(bad, dtype=bool)
        if bad.any():
            broken[col] = broken[col] | bad if col in broken else bad.copy()

    for c in table.columns:
        if c.name not in raw.columns:
            if c.required:
                problems.append(f"{fname}: required column '{c.name}' is missing")
                mark(c.name, np.ones(len(raw), dtype=bool))
            n = len(raw)
            if c.dtype == "str":
                out[c.name] = pd.Series([c.default] * n, index=raw.index, dtype=object)
            else:
                out[c.name] = pd.Series(np.full(n, np.nan if c.default is None else c.default), index=raw.index)
            continue
        text = raw[c.name].astype(str).str.strip()
        blank = (text == "").to_numpy()
        if c.dtype == "str":
            vals = text.astype(object).where(~blank, None)
        elif c.dtype == "bool":
            low = text.str.lower()
            ok = low.isin(_TRUE | _FALSE).to_numpy() | blank
            _report(problems, fname, c.name, raw, ~ok, key,
                    lambda i, t=text: f"value '{t.iloc[i]}' is not true or false")
            mark(c.name, ~ok)
            vals = pd.Series(np.where(low.isin(_TRUE), True, False), index=raw.index, dtype=object)
            vals[blank] = None
        else:
            num = pd.to_numeric(text.where(~blank, None), errors="coerce")
            bad_type = num.isna().to_numpy() & ~blank
            kind = "an integer" if c.dtype == "int" else "a number"
            _report(problems, fname, c.name, raw, bad_type, key,
                    lambda i, t=text, k=kind: f"value '{t.iloc[i]}' is not {k}")
            mark(c.name, bad_type)
            if c.dtype == "int":
                with np.errstate(invalid="ignore"):  # inf % 1 is NaN: reported as "not finite" below
                    frac = num.notna().to_numpy() & (np.abs(num.fillna(0).to_numpy() % 1) > 1e-9)
                _report(problems, fname, c.name, raw, frac, key,
                        lambda i, t=text: f"value '{t.iloc[i]}' is not a whole number")
                mark(c.name, frac)
            arr = num.to_numpy(dtype=float)
            finite = np.isfinite(arr)
            inf = ~finite & ~np.isnan(arr)
            _report(problems, fname, c.name, raw, inf, key, lambda i, t=text: f"value '{t.iloc[i]}' is not finite")
            mark(c.name, inf)
            if c.min is not None:
                below = finite & (arr < c.min)
                word = "negative" if c.min == 0 else f"below {c.min:g}"
                _report(problems, fname, c.name, raw, below, key,
                        lambda i, t=text, w=word: f"value {t.iloc[i]} is {w}; it must be >= {c.min:g}")
                mark(c.name, below)
            if c.max is not None:
                above = finite & (arr > c.max)
                _report(problems, fname, c.name, raw, above, key,
                        lambda i, t=text: f"value {t.iloc[i]} is above {c.max:g}")
                mark(c.name, above)
            vals = pd.Series(np.where(finite, arr, np.nan), index=raw.index)
        if not c.nullable:
            _report(problems, fname, c.name, raw, blank, key, lambda i: "value is missing")
            mark(c.name, blank)
        elif c.default is not None:
            vals = vals.where(~blank, c.default)
        out[c.name] = vals
    for col in raw.columns:
        if col not in out.columns:
            out[col] = raw[col]
    out.attrs["broken"] = broken
    return out


def _bad(df: pd.DataFrame, *cols: str) -> np.ndarray:
    """Rows of ``df`` where any of ``cols`` has a cell with a problem of its own (see :func:`coerce_table`)."""
    broken = df.attrs.get("broken", {})
    bad = np.zeros(len(df), dtype=bool)
    for c in cols:
        if c in broken:
            bad |= broken[c]
    return bad


def _intact(df: pd.DataFrame, col: str) -> bool:
    """True when no cell of ``col`` has a problem of its own: references to its ids can be checked."""
    return not _bad(df, col).any()


def _years(scenario: dict) -> list[int] | None:
    """scenario.toml ``years`` when it is a valid list of years (checks against it are skipped otherwise)."""
    ys = scenario.get("years")
    if (isinstance(ys, list) and ys and all(isinstance(y, int) and not isinstance(y, bool) for y in ys)
            and all(b > a for a, b in zip(ys, ys[1:]))):
        return ys
    return None


def _duplicates(df: pd.DataFrame, col: str, fname: str, problems: list[str]) -> None:
    vals = df[col]
    dup = vals.duplicated(keep="first") & vals.notna()
    for i in np.flatnonzero(dup.to_numpy())[:MAX_LINES]:
        v = vals.iloc[i]
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        problems.append(f"{fname}: column '{col}', row {i + 1}: duplicate id '{v}'")


def check_instance(scenario: dict, tables: dict[str, pd.DataFrame], files: dict[str, str],
                   problems: list[str]) -> None:
    """Cross-table checks; appends one line per problem to ``problems`` (lines already there are not repeated).

    Runs on tables typed by :func:`coerce_table` whether or not they had problems of their
    own, skipping only the checks that depend on a broken cell or on an invalid scenario.toml
    ``years`` (see the module docstring).
    """
    found: list[str] = []
    _check_tables(scenario, tables, files, found)
    from .attribute_checks import check_site_attributes, cooling_profiles

    _check_profiles(tables["sites"], tables["zones"], tables["techs"], tables["profiles"], files, found,
                    cooling_profiles(tables))
    _check_features(scenario, tables, files, found)  # optional features (docs/features.md)
    check_site_attributes(scenario, tables, files, found)  # water, spur lines, fiber, latency
    seen = set(problems)
    for line in found:
        if line not in seen:
            problems.append(line)
            seen.add(line)


def _check_tables(scenario: dict, tables: dict[str, pd.DataFrame], f: dict[str, str], problems: list[str]) -> None:
    """Ids, targets, sites, techs and chips."""
    years = _years(scenario)
    sites, zones, techs = tables["sites"], tables["zones"], tables["techs"]
    chips, targets = tables["chips"], tables["targets"]

    for name, col in (("sites", "site"), ("zones", "zone"), ("techs", "tech"), ("chips", "generation"),
                      ("targets", "year")):
        _duplicates(tables[name], col, f[name], problems)  # compares the ids that could be read

    # targets
    if "it_gw" not in targets.attrs.get("present", ()) and "compute_eflops" not in targets.attrs.get("present", ()):
        problems.append(f"{f['targets']}: needs a column 'it_gw' or 'compute_eflops'")
    if years is not None:
        for i, y in enumerate(targets["year"]):
            if pd.notna(y) and int(y) not in years:
                problems.append(f"{f['targets']}: column 'year', row {i + 1}: year {int(y)} is not one of "
                                f"scenario.toml years {years}")

    # sites
    if _intact(zones, "zone"):
        zone_ids = set(zones["zone"].dropna())
        for i, (s, z) in enumerate(zip(sites["site"], sites["zone"])):
            if z is not None and z not in zone_ids:
                problems.append(f"{f['sites']}: column 'zone', row {i + 1} (site {s}): unknown zone '{z}' "
                                f"(not in {f['zones']})")
    skip = _bad(sites, "max_it_mw", "module_mw")
    for i, row in enumerate(sites.itertuples(index=False)):
        mx, mod = row.max_it_mw, row.module_mw
        if skip[i] or pd.isna(mx) or pd.isna(mod):
            continue
        if mod <= 0:
            problems.append(f"{f['sites']}: column 'module_mw', row {i + 1} (site {row.site}): must be > 0")
        else:
            n = mx / mod
            if abs(n - round(n)) > 1e-6:
                problems.append(f"{f['sites']}: column 'max_it_mw', row {i + 1} (site {row.site}): "
                                f"{mx:g} MW is not a whole multiple of module_mw {mod:g} MW")

    # techs
    bad_kind = _bad(techs, "kind")
    for i, row in enumerate(techs.itertuples(index=False)):
        if bad_kind[i]:
            continue
        if row.kind is not None and row.kind not in TECH_KINDS:
            problems.append(f"{f['techs']}: column 'kind', row {i + 1} (tech {row.tech}): '{row.kind}' is not "
                            + " or ".join(f"'{k}'" for k in TECH_KINDS))
        if row.kind == "storage":
            for col in ("storage_hours", "roundtrip_efficiency"):
                v = getattr(row, col)
                if not _bad(techs, col)[i] and (pd.isna(v) or v <= 0):
                    problems.append(f"{f['techs']}: column '{col}', row {i + 1} (tech {row.tech}): a storage "
                                    f"tech needs a value > 0")
            if isinstance(row.profile, str) and row.profile:
                problems.append(f"{f['techs']}: column 'profile', row {i + 1} (tech {row.tech}): a storage "
                                "tech takes no profile")
    skip = _bad(techs, "unit_mw")
    for i, row in enumerate(techs.itertuples(index=False)):
        if not skip[i] and pd.notna(row.unit_mw) and row.unit_mw <= 0:
            problems.append(f"{f['techs']}: column 'unit_mw', row {i + 1} (tech {row.tech}): must be > 0 or blank")

    # chips
    skip = _bad(chips, "first_year", "last_year")
    for i, row in enumerate(chips.itertuples(index=False)):
        if (not skip[i] and pd.notna(row.first_year) and pd.notna(row.last_year)
                and row.first_year > row.last_year):
            problems.append(f"{f['chips']}: column 'first_year', row {i + 1} (generation {row.generation}): "
                            f"first_year {int(row.first_year)} is after last_year {int(row.last_year)}")


def _check_features(scenario: dict, tables: dict[str, pd.DataFrame], f: dict[str, str], problems: list[str]) -> None:
    """Flexible load, supply caps, 24/7 CFE and firm-capacity settings."""
    years = _years(scenario)
    sites, zones, techs = tables["sites"], tables["zones"], tables["techs"]
    # flexible load: an earlier grid year needs a flexibility level offered in the site's zone
    flex_cols = [f"headroom_mw_flex_{lv}" for lv in FLEX_LEVELS]
    offers_known = _intact(zones, "zone") and not _bad(zones, *flex_cols).any()
    offered = {z for z, *vals in zip(zones["zone"], *(zones[c] for c in flex_cols)) if any(pd.notna(v) for v in vals)}
    skip_years = _bad(sites, "flex_grid_year", "grid_year")
    skip_mw = _bad(sites, "grid_mw")
    for i, row in enumerate(sites.itertuples(index=False)):
        fy = row.flex_grid_year
        if pd.isna(fy) or _bad(sites, "flex_grid_year")[i]:
            continue
        where = f"{f['sites']}: column 'flex_grid_year', row {i + 1} (site {row.site})"
        if not skip_years[i] and pd.notna(row.grid_year) and fy > row.grid_year:
            problems.append(f"{where}: {int(fy)} is after grid_year {int(row.grid_year)}; a flexible connection "
                            "can only come earlier")
        if offers_known and row.zone in set(zones["zone"]) and row.zone not in offered:
            problems.append(f"{where}: zone '{row.zone}' offers no flexible headroom (give one of "
                            f"{', '.join(flex_cols)} in {f['zones']})")
        if not skip_mw[i] and pd.notna(row.grid_mw) and row.grid_mw <= 0:
            problems.append(f"{where}: the site has no grid connection (grid_mw is 0)")
    # supply caps
    supply = tables.get("supply")
    if supply is not None and len(supply):
        fname = f.get("supply", "supply.csv")
        tech_ids, zone_ids = set(techs["tech"].dropna()), set(zones["zone"].dropna())
        techs_ok, zones_ok = _intact(techs, "tech"), _intact(zones, "zone")
        skip_key = _bad(supply, "tech", "year", "region")
        seen: dict = {}
        groups = set(techs["supply_group"].dropna()) if "supply_group" in techs.columns else set()
        for i, row in enumerate(supply.itertuples(index=False)):
            if techs_ok and row.tech is not None and row.tech not in tech_ids and row.tech not in groups:
                problems.append(f"{fname}: column 'tech', row {i + 1}: unknown tech '{row.tech}' (neither a tech nor "
                                f"a supply_group of {f['techs']})")
            if years is not None and pd.notna(row.year) and int(row.year) not in years:
                problems.append(f"{fname}: column 'year', row {i + 1}: year {int(row.year)} is not one of "
                                f"scenario.toml years {years}")
            if zones_ok and row.region is not None and row.region not in zone_ids:
                problems.append(f"{fname}: column 'region', row {i + 1}: unknown zone '{row.region}' (not in "
                                f"{f['zones']})")
            if skip_key[i]:
                continue
            key = (row.tech, row.year, row.region)
            if key in seen:
                problems.append(f"{fname}: row {i + 1}: duplicate of row {seen[key] + 1} (same tech, year and "
                                "region)")
            seen.setdefault(key, i)
    _check_keyed(tables.get("fuels"), "zone", zones, "zone", f, "fuels", "zones", problems)
    _check_keyed(tables.get("chip_supply"), "generation", tables["chips"], "generation", f, "chip_supply", "chips",
                 problems)
    _check_tariff(zones, tables.get("profiles"), f, problems)
    # scenario settings whose values the type checks do not cover
    pol = scenario.get("policy", {}) if isinstance(scenario.get("policy", {}), dict) else {}
    cfe = pol.get("cfe_share")
    vals = cfe.values() if isinstance(cfe, dict) else [cfe]
    if any(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 1 for v in vals):
        problems.append("scenario.toml: key [policy] 'cfe_share' must be between 0 and 1")
    scope = pol.get("cfe_scope")
    if isinstance(scope, str) and scope not in ("site", "portfolio"):
        problems.append(f"scenario.toml: [policy] 'cfe_scope' must be \"site\" or \"portfolio\", got {scope!r}")
    basis = pol.get("clean_share_basis")
    if isinstance(basis, str) and basis not in ("consumption", "generation"):
        problems.append("scenario.toml: [policy] 'clean_share_basis' must be \"consumption\" or \"generation\", "
                        f"got {basis!r}")
    flex = scenario.get("flexibility", {}) if isinstance(scenario.get("flexibility", {}), dict) else {}
    mode = flex.get("curtailment")
    if isinstance(mode, str) and mode not in ("at_most", "exact"):
        problems.append(f"scenario.toml: [flexibility] 'curtailment' must be \"at_most\" or \"exact\", got {mode!r}")
    v = flex.get("lost_compute_usd_per_mwh")
    if isinstance(v, (int, float)) and not isinstance(v, bool) and v < 0:
        problems.append(f"scenario.toml: key [flexibility] 'lost_compute_usd_per_mwh' must be >= 0, got {v}")


def _check_profiles(sites, zones, techs, profiles, f, problems, other: set = frozenset()) -> None:
    fname = f["profiles"]
    site_ids = set(sites["site"].dropna())
    zone_ids = set(zones["zone"].dropna())
    has_zone = profiles["zone"].notna().to_numpy()
    has_site = profiles["site"].notna().to_numpy()
    both = has_zone & has_site
    neither = ~has_zone & ~has_site
    _report(problems, fname, "zone", profiles, both, None, lambda i: "give a zone or a site, not both")
    _report(problems, fname, "zone", profiles, neither, None, lambda i: "give a zone or a site")
    for col, ids, has, ref, ref_df, ref_col in (("zone", zone_ids, has_zone, f["zones"], zones, "zone"),
                                                ("site", site_ids, has_site, f["sites"], sites, "site")):
        if not _intact(ref_df, ref_col):
            continue
        unknown = has & ~profiles[col].isin(ids).to_numpy()
        if unknown.any():
            vals = profiles[col].to_numpy()[unknown]
            rows = np.flatnonzero(unknown)
            for v in sorted(set(vals))[:MAX_LINES]:
                first = rows[np.flatnonzero(vals == v)[0]]
                n = int((vals == v).sum())
                problems.append(f"{fname}: column '{col}', row {first + 1}: unknown {col} '{v}' (not in {ref}; "
                                f"{n} row{'s' if n > 1 else ''})")
    tech_profiles = {p for p in techs["profile"].dropna() if p}
    known = tech_profiles | set(RESERVED_PROFILES) | set(other)  # other: cooling.csv pue_profile names
    names = profiles["profile"]
    unknown_p = names.notna().to_numpy() & ~names.isin(known).to_numpy()
    if unknown_p.any():
        for p in sorted(set(names[unknown_p])):
            problems.append(f"{fname}: column 'profile': profile '{p}' is used by no tech and is not one of "
                            f"{sorted(RESERVED_PROFILES)}")

    cf_rows = names.isin(tech_profiles).to_numpy() & (profiles["value"].to_numpy(dtype=float) > 1.0)
    _report(problems, fname, "value", profiles, cf_rows, None,
            lambda i: f"capacity factor {profiles['value'].iloc[i]:g} of profile '{names.iloc[i]}' is above 1")

    # hours 0..8759 exactly once per owner and profile (skipped for an owner and profile with a broken hour)
    owned = (has_zone ^ has_site) & names.notna().to_numpy()
    q = profiles.loc[owned]
    owner = np.where(q["zone"].notna(), "zone " + q["zone"].astype(str), "site " + q["site"].astype(str))
    q = q.assign(_owner=owner, _bad_hour=_bad(profiles, "hour")[owned])
    for (o, name), g in q.groupby(["_owner", "profile"], sort=True):
        if g["_bad_hour"].any():
            continue
        hours = g["hour"].to_numpy(dtype=float)
        hours = hours[~np.isnan(hours)]
        counts = np.bincount(hours[(hours >= 0) & (hours < HOURS)].astype(int), minlength=HOURS)
        missing = np.flatnonzero(counts == 0)
        dup = np.flatnonzero(counts > 1)
        if len(missing):
            problems.append(f"{fname}: column 'hour' ({o}, profile {name}): {len(missing)} "
                            f"hour{'s' if len(missing) > 1 else ''} missing "
                            f"(first: {', '.join(str(h) for h in missing[:5])})")
        if len(dup):
            problems.append(f"{fname}: column 'hour' ({o}, profile {name}): {len(dup)} "
                            f"hour{'s' if len(dup) > 1 else ''} given more than "
                            f"once (first: {', '.join(str(h) for h in dup[:5])})")

    # a tech profile must exist for every zone that has a candidate site (or for the site itself); a profile
    # row whose name is broken could be any profile, and a broken zone id any zone: then this is not checked
    if _bad(profiles, "profile").any() or not _intact(zones, "zone"):
        return
    zone_prof = set(zip(q["zone"].dropna(), q.loc[q["zone"].notna(), "profile"]))
    site_prof = set(zip(q["site"].dropna(), q.loc[q["site"].notna(), "profile"]))
    for prof in sorted(tech_profiles):
        for s, z in zip(sites["site"], sites["zone"]):
            if z is None or s is None or z not in zone_ids:
                continue
            if (z, prof) not in zone_prof and (s, prof) not in site_prof:
                users = ", ".join(techs.loc[techs["profile"] == prof, "tech"])
                problems.append(f"{fname}: column 'profile': profile '{prof}' (used by tech {users}) is not "
                                f"given for zone '{z}' (site {s})")


def _check_keyed(df, col: str, ref, ref_col: str, f: dict, name: str, ref_name: str, problems: list[str]) -> None:
    """Rows of an optional table whose ``col`` names an id that ``ref`` lacks, and duplicate keys."""
    if df is None or not len(df):
        return
    from .schema import TABLES

    fname = f.get(name, TABLES[name].file)
    ids = set(ref[ref_col].dropna())
    key = TABLES[name].key
    skip = _bad(df, *key)
    seen: dict = {}
    for i, row in enumerate(df.itertuples(index=False)):
        v = getattr(row, col)
        if _intact(ref, ref_col) and v is not None and not (isinstance(v, float) and v != v) and v not in ids:
            problems.append(f"{fname}: column '{col}', row {i + 1}: unknown {ref_col} '{v}' (not in "
                            f"{f.get(ref_name, TABLES[ref_name].file)})")
        if skip[i]:
            continue
        k = tuple(getattr(row, c) for c in key)
        if k in seen:
            problems.append(f"{fname}: row {i + 1}: duplicate of row {seen[k] + 1} (same {', '.join(key)})")
        seen.setdefault(k, i)


def _check_tariff(zones, profiles, f: dict, problems: list[str]) -> None:
    """demand_charge_basis is "peak" or "coincident"; a coincident charge needs the zone's coincident_peak profile."""
    if "demand_charge_basis" not in zones.columns:
        return
    marked = set()
    if profiles is not None and len(profiles) and "profile" in profiles.columns:
        cp = profiles[profiles["profile"] == "coincident_peak"]
        marked = set(cp["zone"].dropna())
    for i, row in enumerate(zones.itertuples(index=False)):
        basis = getattr(row, "demand_charge_basis", None)
        if basis is None or (isinstance(basis, float) and basis != basis):
            continue
        if basis not in ("peak", "coincident"):
            problems.append(f"{f['zones']}: column 'demand_charge_basis', row {i + 1} (zone {row.zone}): "
                            f"'{basis}' is not 'peak' or 'coincident'")
        elif basis == "coincident" and row.zone not in marked:
            problems.append(f"{f['zones']}: column 'demand_charge_basis', row {i + 1} (zone {row.zone}): "
                            f"'coincident' needs a coincident_peak profile for the zone in {f['profiles']}")
