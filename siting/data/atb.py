"""NREL ATB flat file (``ATBe.csv``): techs.csv rows for a scenario, cost case, year and dollar year.

The long "ATBe" table has one value per row, keyed by ``technology, techdetail,
core_metric_parameter, core_metric_case, scenario, core_metric_variable (the year),
crpyears`` with its ``units``. Columns are matched by name (order and the columns added
by later editions do not matter; a leading unnamed index column is dropped). Values are
converted by their ``units`` string, never by an assumed unit:

===================  ==========================  ===========================
techs.csv column     ATB parameter               units understood
===================  ==========================  ===========================
capex_usd_per_kw     OCC (else CAPEX)            $/kW, $/MW, $/W
fom_usd_per_kw_yr    Fixed O&M                   $/kW-yr ($/kW-year, $/kW/yr), $/MW-yr
vom_usd_per_mwh      Variable O&M (0 if absent)  $/MWh, $/kWh
heat_rate_...        Heat Rate (0 if absent)     MMBtu/MWh, Btu/kWh
fuel_usd_per_mmbtu   Fuel (0 if absent)          $/MMBtu, or $/MWh divided by the heat rate
===================  ==========================  ===========================

**Dollar year.** ATB editions state costs in the dollars of two years before the
edition (ATB 2024 in 2022$, ATB 2025 in 2023$ as ReEDS records it); this reader takes
``atb_year - 2`` unless ``source_dollar_year`` says otherwise, and restates the money
columns in ``dollar_year`` with the CPI-U deflator of :mod:`siting.data.money`.

**Tech mapping.** ATB does not say which siting tech a row is, nor its life, profile,
clean flag or storage duration: :data:`ATB_TECHS` maps each tech id to ATB
``technology``/``techdetail`` names (alternatives tried in order, since names changed
between editions; they are believed right for recent editions but not confirmed) and to
those columns. CO2 per MWh is the heat rate times the fuel's carbon coefficient (natural
gas 53.07 kg CO2/MMBtu, EIA; docs/sources.md#eia-co2).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..schema import TABLES
from ._common import DataFormatError, source_name
from .money import deflator

__all__ = ["read_atb", "ATB_TECHS", "FUEL_CO2_KG_PER_MMBTU"]

#: kg CO2 per MMBtu by fuel (EIA CO2 emissions coefficients)
FUEL_CO2_KG_PER_MMBTU = {"gas": 53.07, "coal": 95.35, "oil": 73.16}

#: default tech mapping: id -> ATB names (alternatives in order) and the techs.csv columns ATB lacks
ATB_TECHS: dict[str, dict] = {
    "solar": dict(technology=("UtilityPV",), techdetail=("Class5", "Class 5"), kind="generator", profile="solar",
                  clean=True, life_years=30),
    "wind": dict(technology=("LandbasedWind", "Land-Based Wind"), techdetail=("Class5", "Class 5", "Class4"),
                 kind="generator", profile="wind", clean=True, life_years=30),
    "battery": dict(technology=("Utility-Scale Battery Storage", "Battery"), techdetail=("4Hr", "4hr", "4-Hour"),
                    kind="storage", clean=False, life_years=15, storage_hours=4.0, roundtrip_efficiency=0.85),
    "gas_cc": dict(technology=("NaturalGas_FE", "NaturalGas", "Natural Gas"),
                   techdetail=("NG Combined Cycle (F-Frame)", "NG F-Frame CC", "CCAvgCF", "Gas-CC"),
                   kind="generator", clean=False, life_years=30, fuel="gas"),
    "gas_ct": dict(technology=("NaturalGas_FE", "NaturalGas", "Natural Gas"),
                   techdetail=("NG Combustion Turbine (F-Frame)", "NG F-Frame CT", "CTAvgCF", "Gas-CT"),
                   kind="generator", clean=False, life_years=30, fuel="gas"),
    "nuclear": dict(technology=("Nuclear",), techdetail=("Large", "Nuclear - Large", "AP1000", "NuclearLarge"),
                    kind="generator", clean=True, life_years=30, fuel=None),
    "geothermal": dict(technology=("Geothermal",), techdetail=("HydroFlash", "Hydro / Flash", "NF-EGS / Flash"),
                       kind="generator", clean=True, life_years=30),
}

REQUIRED = ("technology", "techdetail", "core_metric_parameter", "core_metric_case", "scenario",
            "core_metric_variable", "units", "value")
PARAMS = {"capex": ("OCC", "CAPEX"), "fom": ("Fixed O&M",), "vom": ("Variable O&M",), "fuel": ("Fuel",),
          "heat_rate": ("Heat Rate",)}
DISAMBIGUATE = ("tax_credit_case", "techdetail2", "resourcedetail", "maturity", "scale", "revision", "default")


def _norm_unit(u: str) -> str:
    return "".join(str(u).lower().split()).replace("year", "yr").replace("/yr", "-yr")


def _convert(param: str, unit: str, value: float, heat_rate: float | None, where: str) -> float:
    u = _norm_unit(unit)
    if param == "capex":
        f = {"$/kw": 1.0, "$/mw": 1e-3, "$/w": 1e3}.get(u)
    elif param == "fom":
        f = {"$/kw-yr": 1.0, "$/mw-yr": 1e-3, "$/kw": 1.0}.get(u)
    elif param == "vom":
        f = {"$/mwh": 1.0, "$/kwh": 1e3}.get(u)
    elif param == "heat_rate":
        f = {"mmbtu/mwh": 1.0, "btu/kwh": 1e-3}.get(u)
    elif param == "fuel":
        if u == "$/mmbtu":
            f = 1.0
        elif u in ("$/mwh", "$/kwh"):
            if not heat_rate:
                return 0.0 if value == 0 else np.nan
            f = (1.0 if u == "$/mwh" else 1e3) / heat_rate
        else:
            f = None
    else:  # pragma: no cover
        f = None
    if f is None:
        raise DataFormatError(f"{where}: unit '{unit}' is not one this reader converts for {param}")
    return value * f


def _load(src, techs_wanted: set[str]) -> tuple[pd.DataFrame, str]:
    name = source_name(src)
    if isinstance(src, pd.DataFrame):
        df = src.copy()
        df.columns = [str(c).strip() for c in df.columns]
    else:
        p = Path(src)
        if not p.is_file():
            raise DataFormatError(f"{p}: no such file")
        try:
            head = pd.read_csv(p, nrows=0, encoding="utf-8-sig")
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
            raise DataFormatError(f"{name}: cannot be read as CSV: {' '.join(str(e).split())[:160]}") from None
        cols = [str(c).strip() for c in head.columns]
        missing = [c for c in REQUIRED if c not in cols]
        if missing:
            raise DataFormatError(f"{name}: not an NREL ATB flat file (ATBe): missing column(s) "
                                  + ", ".join(f"'{c}'" for c in missing))
        chunks = []
        for ch in pd.read_csv(p, dtype=str, keep_default_na=False, chunksize=200_000, encoding="utf-8-sig"):
            ch.columns = [str(c).strip() for c in ch.columns]
            chunks.append(ch[ch["technology"].isin(techs_wanted)])
        df = pd.concat(chunks, ignore_index=True)
    df = df.loc[:, [c for c in df.columns if c and not c.startswith("Unnamed")]]
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise DataFormatError(f"{name}: not an NREL ATB flat file (ATBe): missing column(s) "
                              + ", ".join(f"'{c}'" for c in missing))
    return df.astype(str).apply(lambda s: s.str.strip()), name


def read_atb(src, *, year: int, scenario: str = "Moderate", case: str = "Market",
             techs: Iterable[str] | Mapping[str, dict] | None = None, crpyears: int | str = 30,
             atb_year: int | None = None, dollar_year: int | None = None, source_dollar_year: int | None = None,
             capex_parameter: str = "OCC", filters: Mapping[str, str] | None = None,
             fuel_usd_per_mmbtu: Mapping[str, float] | None = None, earliest_year: int | None = None,
             deflator_index: dict | None = None) -> pd.DataFrame:
    """techs.csv rows from an ATBe flat file.

    Parameters
    ----------
    src : path of ``ATBe.csv`` (read in chunks, keeping only the technologies asked for)
        or a DataFrame of it.
    year : cost year (``core_metric_variable``).
    scenario : ``Advanced``, ``Moderate`` or ``Conservative``.
    case : ``core_metric_case``: ``Market`` or ``R&D`` (``Exp`` is reported in 2025).
    techs : tech ids of :data:`ATB_TECHS`, or a mapping ``id -> spec`` (keys as in
        :data:`ATB_TECHS`; a spec naming an id of ATB_TECHS may override only some keys).
        Default: every default tech found in the file.
    crpyears : capital-recovery period of the rows kept (``*`` rows are always kept).
    atb_year : edition, when the file holds several (column ``atb_year``).
    dollar_year, source_dollar_year : restate money columns from ``source_dollar_year``
        (default ``atb_year - 2``) to ``dollar_year`` dollars (CPI-U).
    capex_parameter : ``OCC`` (overnight, the default: the techs.csv contract) or ``CAPEX``.
        When absent, the other one is used.
    filters : extra ``column -> value`` filters, e.g. ``{"tax_credit_case": "None"}``, for
        rows that still differ after the filters above (the error says which column).
    fuel_usd_per_mmbtu : fuel price by fuel (``{"gas": 3.52}``) in ``dollar_year``
        dollars, replacing ATB's fuel cost.
    earliest_year : techs.csv earliest_year (default ``year``).

    Returns
    -------
    DataFrame with every techs.csv column, one row per tech.

    Raises
    ------
    DataFormatError : not an ATBe file, a scenario/case/year/technology not in it (the
        message lists what is), rows that stay ambiguous, or a unit it cannot convert.
    """
    specs: dict[str, dict] = {}
    explicit = techs is not None
    if techs is None:
        techs = list(ATB_TECHS)
    if isinstance(techs, Mapping):
        for k, spec in techs.items():
            specs[k] = {**ATB_TECHS.get(k, {}), **dict(spec)}
    else:
        for k in techs:
            if k not in ATB_TECHS:
                raise ValueError(f"unknown tech '{k}'; the defaults are {sorted(ATB_TECHS)} (or pass a mapping)")
            specs[k] = dict(ATB_TECHS[k])
    for k, spec in specs.items():
        for key in ("technology", "techdetail"):
            if isinstance(spec.get(key), str):
                spec[key] = (spec[key],)
            if not spec.get(key):
                raise ValueError(f"tech '{k}': spec needs '{key}'")
    wanted = {t for s in specs.values() for t in s["technology"]}
    df, name = _load(src, wanted)

    def narrow(d: pd.DataFrame, col: str, value, what: str) -> pd.DataFrame:
        vals = sorted(set(d[col]))
        out = d[d[col] == str(value)]
        if out.empty:
            raise DataFormatError(f"{name}: no rows with {col} = '{value}' ({what}; found: {', '.join(vals[:20])})")
        return out

    if "atb_year" in df.columns:
        editions = sorted(set(df["atb_year"]))
        if atb_year is None:
            if len(editions) > 1:
                raise DataFormatError(f"{name}: holds several editions (atb_year {', '.join(editions)}); "
                                      "pass atb_year=")
            atb_year = int(float(editions[0])) if editions and editions[0] else None
        else:
            df = narrow(df, "atb_year", atb_year, "edition")
    if df.empty:
        raise DataFormatError(f"{name}: no rows for technologies {sorted(wanted)}")
    df = narrow(df, "scenario", scenario, "scenario")
    df = narrow(df, "core_metric_case", case, "cost case")
    yr = df["core_metric_variable"].str.replace(r"\.0$", "", regex=True)
    if not (yr == str(year)).any():
        raise DataFormatError(f"{name}: no rows for year {year} (core_metric_variable; found "
                              f"{', '.join(sorted(set(yr))[:10])} ...)")
    df = df[yr == str(year)]
    if "crpyears" in df.columns:
        df = df[df["crpyears"].str.replace(r"\.0$", "", regex=True).isin({str(crpyears), "*", "", "nan"})]
    for col, val in (filters or {}).items():
        if col not in df.columns:
            raise DataFormatError(f"{name}: no column '{col}' to filter on")
        df = df[df[col] == str(val)]
    if "tax_credit_case" in df.columns and not (filters and "tax_credit_case" in filters):
        base = df["tax_credit_case"].isin({"None", "*", "", "nan"})
        if base.any():
            df = df[base]

    if source_dollar_year is None:
        if atb_year is None:
            raise DataFormatError(f"{name}: no atb_year column to tell the dollar year; pass source_dollar_year")
        source_dollar_year = int(atb_year) - 2
    money = 1.0 if dollar_year is None else deflator(source_dollar_year, dollar_year, deflator_index)

    rows = []
    for tech, spec in specs.items():
        sub = None
        for t in spec["technology"]:
            for d in spec["techdetail"]:
                s = df[(df["technology"] == t) & (df["techdetail"] == d)]
                if not s.empty:
                    sub = s
                    break
            if sub is not None:
                break
        if sub is None:
            if not explicit:
                continue
            have = df[df["technology"].isin(spec["technology"])]
            pairs = sorted(set(zip(have["technology"], have["techdetail"], strict=False)))
            raise DataFormatError(f"{name}: tech '{tech}': no rows for technology {list(spec['technology'])} with "
                                  f"techdetail {list(spec['techdetail'])} ({scenario}, {case}, {year}); found: "
                                  + (", ".join(f"{a}/{b}" for a, b in pairs[:20]) or "none"))
        got: dict[str, tuple[float, str]] = {}
        for key, params in PARAMS.items():
            order = params
            if key == "capex":
                order = (capex_parameter,) + tuple(p for p in params if p != capex_parameter)
            for prm in order:
                r = sub[sub["core_metric_parameter"] == prm]
                if r.empty:
                    continue
                vals = pd.to_numeric(r["value"], errors="coerce")
                if vals.isna().all():
                    raise DataFormatError(f"{name}: tech '{tech}', {prm}: value '{r['value'].iloc[0]}' is not a number")
                if vals.nunique() > 1 or r["units"].nunique() > 1:
                    diff = [c for c in DISAMBIGUATE + ("crpyears",) if c in r.columns and r[c].nunique() > 1]
                    hint = "; ".join(f"{c}: {', '.join(sorted(set(r[c])))}" for c in diff)
                    hint = hint or "no column tells them apart"
                    raise DataFormatError(f"{name}: tech '{tech}', {prm}: {len(r)} rows with different values "
                                          f"({hint}); pass filters={{column: value}}")
                got[key] = (float(vals.iloc[0]), r["units"].iloc[0])
                break
        where = f"{name}: tech '{tech}'"
        if "capex" not in got or "fom" not in got:
            lack = [p for p, k in (("capital cost (OCC/CAPEX)", "capex"), ("Fixed O&M", "fom")) if k not in got]
            raise DataFormatError(f"{where}: no {' or '.join(lack)} rows for {scenario}, {case}, {year}")
        hr = _convert("heat_rate", got["heat_rate"][1], got["heat_rate"][0], None, where) if "heat_rate" in got else 0.0
        fuel_kind = spec.get("fuel")
        if fuel_usd_per_mmbtu and fuel_kind in fuel_usd_per_mmbtu:
            fuel = float(fuel_usd_per_mmbtu[fuel_kind])
        elif "fuel" in got:
            fuel = _convert("fuel", got["fuel"][1], got["fuel"][0], hr, where) * money
            if np.isnan(fuel):
                raise DataFormatError(f"{where}: fuel cost in {got['fuel'][1]} but no heat rate to turn it into "
                                      "$/MMBtu")
        else:
            fuel = 0.0
        co2 = hr * FUEL_CO2_KG_PER_MMBTU.get(fuel_kind, 0.0) / 1000.0 if fuel_kind else 0.0
        row = {
            "tech": tech, "kind": spec.get("kind", "generator"),
            "capex_usd_per_kw": _convert("capex", got["capex"][1], got["capex"][0], None, where) * money,
            "fom_usd_per_kw_yr": _convert("fom", got["fom"][1], got["fom"][0], None, where) * money,
            "vom_usd_per_mwh": (_convert("vom", got["vom"][1], got["vom"][0], None, where) * money
                                if "vom" in got else 0.0),
            "fuel_usd_per_mmbtu": fuel, "heat_rate_mmbtu_per_mwh": hr, "co2_t_per_mwh": round(co2, 6),
            "life_years": spec.get("life_years", 30), "earliest_year": earliest_year or year,
            "max_mw_per_site": spec.get("max_mw_per_site"), "unit_mw": spec.get("unit_mw"),
            "profile": spec.get("profile"), "clean": bool(spec.get("clean", False)),
            "storage_hours": spec.get("storage_hours"), "roundtrip_efficiency": spec.get("roundtrip_efficiency"),
        }
        rows.append(row)
    if not rows:
        techs_here = sorted(set(zip(df["technology"], df["techdetail"], strict=False)))
        raise DataFormatError(f"{name}: none of the default techs is in the file ({scenario}, {case}, {year}); "
                              f"found: {', '.join(f'{a}/{b}' for a, b in techs_here[:20]) or 'none'}")
    out = pd.DataFrame(rows, columns=[c.name for c in TABLES["techs"].columns])
    out.attrs["notes"] = [f"NREL ATB {name} (edition {atb_year}): {scenario}, {case}, cost year {year}, crpyears "
                          f"{crpyears}, {capex_parameter}; {source_dollar_year}$ -> "
                          f"{dollar_year if dollar_year is not None else source_dollar_year}$ (CPI-U); techs "
                          f"{', '.join(out['tech'])}. Licence: Creative Commons Attribution (data.gov)."]
    return out
