"""Write the sample files of siting.data's tests and worked example (seeded: the output is reproducible).

Every file imitates the *shape* of a public source (column names, header quirks, time
stamps, units) as each source publishes them (docs/own-data.md); every *value* is invented.
None of them is, or is cut from, a real dataset.

    python tests/data/samples/make_samples.py          # rewrites the files next to this script

Needs numpy, pandas, geopandas and openpyxl (for the .xlsx samples).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SEED = 20240229

# candidate sites of the worked example (approximate town coordinates in West/Central Texas)
SITES = [
    dict(site="abilene", lat=32.45, lon=-99.73, max_it_mw=200, pue=1.15),
    dict(site="sweetwater", lat=32.47, lon=-100.41, max_it_mw=None, pue=None),
    dict(site="midland", lat=31.99, lon=-102.08, max_it_mw=300, pue=1.20, grid_year=2028),
    dict(site="odessa", lat=31.85, lon=-102.37, max_it_mw=150, pue=None),
    dict(site="waco", lat=31.55, lon=-97.15, max_it_mw=250, pue=1.12),
]


def _fmt_mw(x: float | None) -> str:
    """EIA-930 style number: thousands separators, blank when missing."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    return f"{int(round(x)):,}"


def _eia_time(t: pd.Timestamp) -> str:
    h12 = t.hour % 12 or 12
    return f"{t:%m/%d/%Y} {h12}:{t:%M:%S} {'AM' if t.hour < 12 else 'PM'}"


def _hour_ends(local_days: list[str], tz: str) -> pd.DatetimeIndex:
    """Hour-ending stamps (tz-aware) of whole local days (23 or 25 hours on DST days)."""
    out = []
    for d in local_days:
        start = pd.Timestamp(d, tz=tz)
        end = pd.Timestamp(pd.Timestamp(d) + pd.Timedelta(days=1), tz=tz)
        rng = pd.date_range(start.tz_convert("UTC"), end.tz_convert("UTC"), freq="h")
        out.extend(rng[1:])
    return pd.DatetimeIndex(out)


def _gen_mix(local: pd.DatetimeIndex, rng) -> dict[str, np.ndarray]:
    h = local.hour.to_numpy() + 0.5
    sun = np.clip(np.sin((h - 6.5) / 12 * np.pi), 0, None)
    n = len(local)
    return {
        "coal": 8000 + 300 * rng.standard_normal(n),
        "gas": 22000 + 6000 * np.sin((h - 10) / 24 * 2 * np.pi) + 500 * rng.standard_normal(n),
        "nuclear": np.full(n, 5000.0),
        "oil": np.zeros(n),
        "hydro": 120 + 10 * rng.standard_normal(n),
        "solar": 14000 * sun - 15 * (sun == 0),  # a little negative at night, as EIA-930 reports
        "wind": 11000 + 3000 * rng.standard_normal(n),
        "other": np.full(n, 350.0),
        "unknown": np.zeros(n),
    }


FUELS_2018 = {"coal": "Coal", "gas": "Natural Gas", "nuclear": "Nuclear", "oil": "All Petroleum Products",
              "hydro": "Hydropower and Pumped Storage", "solar": "Solar", "wind": "Wind",
              "other": "Other Fuel Sources", "unknown": "Unknown Fuel Sources"}


def eia930(rng) -> None:
    tz = "America/Chicago"
    # 2024 H1: a leap day (Feb 28 - Mar 1) and the spring-forward day (Mar 10, 23 local hours)
    ends = _hour_ends(["2024-02-28", "2024-02-29", "2024-03-01", "2024-03-10"], tz)
    rows = []
    local = ends.tz_convert(tz)
    mix = _gen_mix((local - pd.Timedelta(hours=1)), rng)
    hour_no = {}
    for i, (e, lt) in enumerate(zip(ends, local, strict=True)):
        day = (lt - pd.Timedelta(hours=1)).strftime("%m/%d/%Y")
        hour_no[day] = hour_no.get(day, 0) + 1
        gen = {f: mix[f][i] for f in FUELS_2018}
        ng = sum(gen.values())
        demand = ng - 1500
        r = {"Balancing Authority": "ERCO", "Data Date": day, "Hour Number": str(hour_no[day]),
             "Local Time at End of Hour": _eia_time(lt.tz_localize(None)),
             "UTC Time at End of Hour": _eia_time(e.tz_convert("UTC").tz_localize(None)),
             "Demand Forecast (MW)": _fmt_mw(demand * 1.01), "Demand (MW)": _fmt_mw(demand),
             "Net Generation (MW)": _fmt_mw(ng), "Total Interchange (MW)": _fmt_mw(ng - demand),
             "Sum(Valid DIBAs) (MW)": _fmt_mw(ng - demand),
             "Demand (MW) (Adjusted)": _fmt_mw(demand), "Net Generation (MW) (Adjusted)": _fmt_mw(ng),
             "Total Interchange (MW) (Adjusted)": _fmt_mw(ng - demand)}
        for f, label in FUELS_2018.items():
            r[f"Net Generation (MW) from {label}"] = _fmt_mw(gen[f])
        for f, label in FUELS_2018.items():
            r[f"Net Generation (MW) from {label} (Adjusted)"] = _fmt_mw(gen[f])
        r["Region"] = "TEX"
        rows.append(r)
    df = pd.DataFrame(rows)
    # a blank reported cell (the adjusted value is there) and a blank hour in both (a gap to interpolate)
    df.loc[5, "Net Generation (MW) from Wind"] = ""
    for c in df.columns:
        if c.startswith("Net Generation (MW) from"):
            df.loc[50, c] = ""
    # three rows of another BA, so that ba= must be given
    other = df.iloc[:3].copy()
    other["Balancing Authority"] = "SWPP"
    other["Region"] = "CENT"
    pd.concat([df, other]).to_csv(HERE / "EIA930_BALANCE_2024_Jan_Jun_sample.csv", index=False, quoting=1)

    # 2024 H2 layout: split hydro/solar/wind, storage columns, the two reported header typos;
    # the fall-back day (Nov 3, 25 local hours) and the last day of the year
    ends = _hour_ends(["2024-11-03", "2024-12-31"], tz)
    local = ends.tz_convert(tz)
    mix = _gen_mix((local - pd.Timedelta(hours=1)), rng)
    split = {"coal": "Coal", "gas": "Natural Gas", "nuclear": "Nuclear", "oil": "All Petroleum Products",
             "hydro": "Hydropower Excluding Pumped Storage", "ps": "Pumped Storage",
             "solar_nb": "Solar without Integrated Battery Storage", "solar_b": "Solar with Integrated Battery Storage",
             "wind_nb": "Wind without Integrated Battery Storage", "wind_b": "Wind with Integrated Battery Storage",
             "battery": "Battery Storage", "geo": "Geothermal", "other_storage": "Other Energy Storage",
             "unknown_storage": "Unknown Energy Storage", "other": "Other Fuel Sources",
             "unknown": "Unknown Fuel Sources"}
    adjusted_names = dict(split)
    adjusted_names["solar_nb"] = "Solar witho Integrated Battery Storage"  # typo reported in the wild
    adjusted_names["ps"] = "Pumped Storage "                              # double space before (Adjusted)
    rows = []
    hour_no = {}
    for i, (e, lt) in enumerate(zip(ends, local, strict=True)):
        day = (lt - pd.Timedelta(hours=1)).strftime("%m/%d/%Y")
        hour_no[day] = hour_no.get(day, 0) + 1
        g = {"coal": mix["coal"][i], "gas": mix["gas"][i], "nuclear": mix["nuclear"][i], "oil": 0.0,
             "hydro": mix["hydro"][i], "ps": -50.0, "solar_nb": 0.8 * mix["solar"][i],
             "solar_b": 0.2 * mix["solar"][i], "wind_nb": 0.9 * mix["wind"][i], "wind_b": 0.1 * mix["wind"][i],
             "battery": 400.0 if lt.hour in (19, 20) else -100.0, "geo": 0.0, "other_storage": 0.0,
             "unknown_storage": 0.0, "other": mix["other"][i], "unknown": 0.0}
        ng = sum(g.values())
        r = {"Balancing Authority": "ERCO", "Data Date": day, "Hour Number": str(hour_no[day]),
             "Local Time at End of Hour": _eia_time(lt.tz_localize(None)),
             "UTC Time at End of Hour": _eia_time(e.tz_convert("UTC").tz_localize(None)),
             "Demand (MW)": _fmt_mw(ng - 1000), "Net Generation (MW)": _fmt_mw(ng),
             "Total Interchange (MW)": _fmt_mw(1000)}
        for k, label in split.items():
            r[f"Net Generation (MW) from {label}"] = _fmt_mw(g[k])
        for k, label in adjusted_names.items():
            r[f"Net Generation (MW) from {label} (Adjusted)"] = _fmt_mw(g[k])
        r["Region"] = "TEX"
        rows.append(r)
    pd.DataFrame(rows).to_csv(HERE / "EIA930_BALANCE_2024_Jul_Dec_sample.csv", index=False, quoting=1)

    # before 2018 H2: no fuel columns
    ends = _hour_ends(["2017-08-01"], tz)[:4]
    rows = [{"Balancing Authority": "ERCO", "Data Date": "08/01/2017", "Hour Number": str(i + 1),
             "Local Time at End of Hour": _eia_time(e.tz_convert(tz).tz_localize(None)),
             "UTC Time at End of Hour": _eia_time(e.tz_convert("UTC").tz_localize(None)),
             "Demand Forecast (MW)": "45,000", "Demand (MW)": "44,100", "Net Generation (MW)": "45,300",
             "Total Interchange (MW)": "1,200", "Sum(Valid DIBAs) (MW)": "1,200", "Region": "TEX"}
            for i, e in enumerate(ends)]
    pd.DataFrame(rows).to_csv(HERE / "EIA930_BALANCE_2017_Jul_Dec_sample.csv", index=False, quoting=1)

    # an INTERCHANGE file (the wrong kind for the BALANCE reader)
    rows = [{"Balancing Authority": "ERCO", "Data Date": "03/10/2024", "Hour Number": str(i + 1),
             "Directly Interconnected Balancing Authority": d, "Interchange (MW)": v,
             "Local Time at End of Hour": f"03/10/2024 {i + 1}:00:00 AM",
             "UTC Time at End of Hour": f"03/10/2024 {i + 7}:00:00 AM", "Region": "TEX", "DIBA_Region": "MEX"}
            for i, (d, v) in enumerate([("CEN", "120"), ("CEN", "-80"), ("SWPP", "1,050")])]
    pd.DataFrame(rows).to_csv(HERE / "EIA930_INTERCHANGE_2024_Jan_Jun_sample.csv", index=False, quoting=1)


def atb() -> None:
    """ATBe rows in the 2024 layout with a leading unnamed index column (a quirk of some copies).

    Values are invented; they were set near EIA AEO2026 figures restated to 2022$ so that the
    worked example's costs look like the toy instance's.
    """
    cols = ["atb_year", "core_metric_key", "core_metric_parameter", "core_metric_case", "tax_credit_case",
            "crpyears", "technology", "technology_alias", "techdetail", "techdetail2", "resourcedetail",
            "display_name", "default", "maturity", "scale", "scenario", "core_metric_variable", "units", "value"]
    techs = [
        ("UtilityPV", "Utility PV", "Class5", "Utility PV - Class 5", "Y", "Utility",
         {"OCC": (1349.0, "$/kW"), "CAPEX": (1402.0, "$/kW"), "Fixed O&M": (21.45, "$/kW-yr"),
          "CF": (0.27, "%")}),
        ("LandbasedWind", "Land-Based Wind", "Class5", "Land-Based Wind - Class 5", "Y", "Utility",
         {"OCC": (1480.0, "$/kW"), "CAPEX": (1560.0, "$/kW"), "Fixed O&M": (31.0, "$/kW-yr"),
          "CF": (0.38, "%")}),
        ("Utility-Scale Battery Storage", "Storage", "4Hr", "Utility-Scale Battery Storage - 4Hr", "Y", "Utility",
         {"OCC": (1.383, "$/W"), "CAPEX": (1450.0, "$/kW"), "Fixed O&M": (38.03, "$/kW-yr")}),
        ("NaturalGas_FE", "Natural Gas", "NG Combustion Turbine (F-Frame)", "NG CT F-Frame", "Y", "Utility",
         {"OCC": (1053.0, "$/kW"), "CAPEX": (1120.0, "$/kW"), "Fixed O&M": (6.53, "$/kW-yr"),
          "Variable O&M": (3.79, "$/MWh"), "Fuel": (29.25, "$/MWh"), "Heat Rate": (9142.0, "Btu/kWh")}),
    ]
    rows = []
    key = 0
    for scen, mult in (("Moderate", 1.0), ("Advanced", 0.9)):
        for case in ("Market", "R&D"):
            for year in (2026, 2030):
                f = mult * (1.0 if year == 2026 else 0.93)
                for tech, alias, detail, display, mat, scale, params in techs:
                    for prm, (val, unit) in params.items():
                        money = prm not in ("CF", "Heat Rate")
                        v = round(val * f, 4) if money and prm != "Fuel" else val
                        for crp in (("20", "30") if prm in ("CAPEX", "CF") else ("*",)):
                            for tcc in (("None", "IRA") if prm == "CF" else ("None",)):
                                key += 1
                                rows.append([2024, f"K{key}", prm, case, tcc, crp, tech, alias, detail, "*", "*",
                                             display, "True", mat, scale, scen, year, unit,
                                             v if tcc == "None" else round(v * 1.05, 4)])
    df = pd.DataFrame(rows, columns=cols)
    df.index.name = None
    df.to_csv(HERE / "ATBe_2024_sample.csv", index=True)  # leading unnamed index column


def _ninja_header(kind: str, lat: float, lon: float, tz: str | None, capacity: float, extra_units: dict) -> str:
    title = "Solar PV" if kind == "pv" else "Wind"
    units = {"time": "UTC", **({"local_time": tz} if tz else {}), "electricity": "kW", **extra_units}
    params = {"lat": f"{lat}", "lon": f"{lon}", "date_from": "", "date_to": "", "dataset": "merra2",
              "capacity": f"{capacity:g}", "system_loss": "0.1", "tracking": "0", "tilt": "35", "azim": "180"}
    line3 = json.dumps({"units": units, "params": params})
    tz_part = f"local_time in {tz}, " if tz else ""
    return (f"# Renewables.ninja {title} (Point API) - {lat:.3f}, {lon:.3f} - Version: 1.1 (sample written for "
            f"siting's tests; values invented) - License: https://creativecommons.org/licenses/by-nc/4.0/ - "
            f"Reference: https://doi.org/10.1016/j.energy.2016.08.060\n"
            f"# Units: time in UTC, {tz_part}electricity in kW\n# {line3}\n")


def _pv_cf(t_utc: pd.DatetimeIndex, lat: float, lon: float, rng, days_clear=None) -> np.ndarray:
    """A crude clear-sky PV capacity factor with seeded daily clearness (not a physical model)."""
    doy = t_utc.dayofyear.to_numpy()
    solar_h = (t_utc.hour.to_numpy() + 0.5 + lon / 15.0) % 24
    decl = np.radians(23.44) * np.sin(2 * np.pi * (284 + doy) / 365)
    ha = np.radians(15 * (solar_h - 12))
    la = np.radians(lat)
    sin_el = np.sin(la) * np.sin(decl) + np.cos(la) * np.cos(decl) * np.cos(ha)
    clear = np.clip(sin_el, 0, None) ** 0.9
    ndays = int(doy.max()) + 1
    k = days_clear if days_clear is not None else np.clip(rng.beta(5, 1.6, ndays), 0.15, 1.0)
    return np.clip(0.88 * clear * k[doy], 0, 1)


def ninja(rng) -> None:
    lat, lon = 32.45, -99.73
    # PV, 2020 (leap year): 28 Feb - 2 Mar UTC, with the local_time column
    t = pd.date_range("2020-02-28 00:00", "2020-03-02 23:00", freq="h", tz="UTC")
    cf = _pv_cf(t, lat, lon, rng)
    local = t.tz_convert("America/Chicago").tz_localize(None)
    body = "time,local_time,electricity\n" + "".join(
        f"{a:%Y-%m-%d %H:%M},{b:%Y-%m-%d %H:%M},{v:.3f}\n" for a, b, v in zip(t, local, cf, strict=True))
    (HERE / "ninja_pv_sample.csv").write_text(_ninja_header("pv", lat, lon, "America/Chicago", 1, {}) + body)

    # wind, 2019: around the spring-forward day (10 Mar), capacity 1000 kW, raw wind_speed column
    t = pd.date_range("2019-03-09 00:00", "2019-03-11 23:00", freq="h", tz="UTC")
    ws = np.clip(7 + 3 * np.sin(np.arange(len(t)) / 7) + rng.standard_normal(len(t)), 0, None)
    kw = np.clip(1000 * ((ws - 3) / 9) ** 3, 0, 1000)
    kw[10] = 1003.0  # a value just above capacity (clipped with a warning)
    local = t.tz_convert("America/Chicago").tz_localize(None)
    body = "time,local_time,electricity,wind_speed\n" + "".join(
        f"{a:%Y-%m-%d %H:%M},{b:%Y-%m-%d %H:%M},{v:.1f},{w:.2f}\n"
        for a, b, v, w in zip(t, local, kw, ws, strict=True))
    (HERE / "ninja_wind_sample.csv").write_text(
        _ninja_header("wind", lat, lon, "America/Chicago", 1000, {"wind_speed": "m/s"}) + body)

    # the older layout: one metadata line, a row of names and a row of units
    t = pd.date_range("2019-07-01 00:00", "2019-07-02 23:00", freq="h", tz="UTC")
    cf = _pv_cf(t, lat, lon, rng)
    body = ("Renewables.ninja Solar PV - 32.450, -99.730 - sample in the older layout (values invented)\n"
            "time,electricity\nUTC,kW\n" + "".join(f"{a:%Y-%m-%d %H:%M},{v:.3f}\n" for a, v in zip(t, cf, strict=True)))
    (HERE / "ninja_pv_old_layout_sample.csv").write_text(body)


def ninja_full_year(rng) -> None:
    """Full-year 2019 PV file of the worked example (no local_time column: pass utc_offset)."""
    lat, lon = 32.2, -100.9
    t = pd.date_range("2019-01-01 00:00", "2019-12-31 23:00", freq="h", tz="UTC")
    cf = _pv_cf(t, lat, lon, rng)
    cf = np.clip(cf * 0.25 / cf.mean(), 0, 1)  # annual capacity factor ~0.25 (ERCOT-like, as the toy)
    body = "time,electricity\n" + "".join(
        f"{a:%Y-%m-%d %H:%M},{v:.3f}\n".replace(",0.000\n", ",0\n") for a, v in zip(t, cf, strict=True))
    (HERE / "ninja_pv_2019_full_year.csv").write_text(_ninja_header("pv", lat, lon, None, 1, {}) + body)


def cambium(rng) -> None:
    """Four days of a Cambium 2030 file (five metadata lines; Jan 1 2030 is a Tuesday, the data start on a Sunday)."""
    meta = ["Cambium 2024 hourly data - sample written for siting's tests (values invented)",
            "Scenario: MidCase; Region: p60 (ReEDS balancing area); Year: 2030",
            "Costs in 2023 US dollars per MWh; emission rates: CO2 and CO2e in kg/MWh, CH4 and N2O in g/MWh",
            "timestamp: Eastern Standard Time, hour-beginning; timestamp_local: local standard time",
            "Every series starts on a Sunday; leap days are dropped"]
    ts = pd.date_range("2030-01-01 00:00", periods=96, freq="h")
    day = np.arange(96) // 24
    hour = np.arange(96) % 24
    total = 40.0 + 10 * day + hour                     # encodes (day, hour) for the alignment tests
    energy = 0.7 * total
    aer = 400.0 + 5 * hour
    df = pd.DataFrame({"timestamp": ts.strftime("%Y-%m-%d %H:%M:%S"),
                       "timestamp_local": (ts - pd.Timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S"),
                       "total_cost_enduse": total.round(2), "energy_cost_enduse": energy.round(2),
                       "aer_load_co2e": aer.round(1), "aer_load_co2": (aer * 0.98).round(1),
                       "srmer_co2e": (600 + rng.standard_normal(96)).round(1),
                       "lrmer_co2e": (350 + rng.standard_normal(96)).round(1)})
    with open(HERE / "Cambium24_MidCase_hourly_p60_2030.csv", "w", newline="") as f:
        f.write("\n".join(meta) + "\n")
        df.to_csv(f, index=False)


def gridstatus() -> None:
    """Day-ahead hourly LMPs as gridstatus returns them (US/Eastern, PJM-like), written to CSV."""
    tz = "US/Eastern"
    rows = []
    for loc in ("HUB_A", "HUB_B"):
        k = 0
        for d in ("2024-01-15", "2024-03-10", "2024-11-03"):
            start = pd.Timestamp(d, tz=tz)
            end = pd.Timestamp(pd.Timestamp(d) + pd.Timedelta(days=1), tz=tz)
            for s in pd.date_range(start.tz_convert("UTC"), end.tz_convert("UTC"), freq="h", inclusive="left"):
                s = s.tz_convert(tz)
                e = (s.tz_convert("UTC") + pd.Timedelta(hours=1)).tz_convert(tz)
                lmp = 100.0 + k if loc == "HUB_A" else 30.0 + 0.5 * k
                if loc == "HUB_B" and k == 5:
                    lmp = -12.5                            # a negative price hour
                rows.append({"Time": s.isoformat(sep=" "), "Interval Start": s.isoformat(sep=" "),
                             "Interval End": e.isoformat(sep=" "), "Market": "DAY_AHEAD_HOURLY", "Location": loc,
                             "Location Type": "Hub", "LMP": round(lmp, 2), "Energy": round(lmp - 0.5, 2),
                             "Congestion": 0.3, "Loss": 0.2})
                k += 1
    pd.DataFrame(rows).to_csv(HERE / "gridstatus_lmp_day_ahead_hourly_sample.csv", index=False)


def _xlsx(path: Path, sheets: dict[str, tuple[list[str], list[str], list[list]]]) -> None:
    """Workbook with, per sheet, title rows, a header row and data rows."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, (titles, header, rows) in sheets.items():
        ws = wb.create_sheet(name)
        for t in titles:
            ws.append([t])
        ws.append(header)
        for r in rows:
            ws.append(r)
    wb.save(path)


def eia860() -> None:
    plant_hdr = ["Utility ID", "Utility Name", "Plant Code", "Plant Name", "Street Address", "City", "State", "Zip",
                 "County", "Latitude", "Longitude", "NERC Region", "Balancing Authority Code",
                 "Balancing Authority Name"]
    plants = [
        [90001, "Example Wind LLC", 70001, "Mesquite Ridge Wind", "", "Abilene", "TX", 79601, "Taylor", 32.52, -99.80,
         "TRE", "ERCO", "Electric Reliability Council of Texas, Inc."],
        [90002, "Example Power Co", 70002, "Permian Peakers", "", "Midland", "TX", 79701, "Midland", 32.05, -102.02,
         "TRE", "ERCO", "Electric Reliability Council of Texas, Inc."],
        [90003, "Example Solar LLC", 70003, "Ector Sun", "", "Odessa", "TX", 79761, "Ector", 31.80, -102.45,
         "TRE", "ERCO", "Electric Reliability Council of Texas, Inc."],
        [90004, "Example Power Co", 70004, "Brazos Combined Cycle", "", "Waco", "TX", 76701, "McLennan", 31.60,
         -97.10, "TRE", "ERCO", "Electric Reliability Council of Texas, Inc."],
        [90005, "Example Ohio Gen", 70005, "Far Away Station", "", "Columbus", "OH", 43004, "Franklin", 40.00,
         -82.90, "RFC", "PJM", "PJM Interconnection, LLC"],
    ]
    _xlsx(HERE / "2___Plant_Y2023_sample.xlsx", {
        "Plant": (["Form EIA-860 Data - Schedule 2 - 'Plant Data' (sample written for siting's tests)"],
                  plant_hdr, plants)})
    gen_hdr = ["Utility ID", "Utility Name", "Plant Code", "Plant Name", "State", "County", "Generator ID",
               "Technology", "Prime Mover", "Unit Code", "Ownership", "Duct Burners", "Nameplate Capacity (MW)",
               "Summer Capacity (MW)", "Winter Capacity (MW)", "Status", "Operating Month", "Operating Year",
               "Planned Retirement Month", "Planned Retirement Year", "Energy Source 1"]

    def g(pc, name, st, co, gid, tech, pm, mw, smw, status, yr, es):
        return [90000 + pc - 70000, "x", pc, name, st, co, gid, tech, pm, "", "S", "N", mw, smw, smw, status, 6, yr,
                "", "", es]

    operable = [
        g(70001, "Mesquite Ridge Wind", "TX", "Taylor", "WT1", "Onshore Wind Turbine", "WT", 150.0, 148.0, "OP", 2012,
          "WND"),
        g(70001, "Mesquite Ridge Wind", "TX", "Taylor", "WT2", "Onshore Wind Turbine", "WT", 100.5, 99.0, "OP", 2015,
          "WND"),
        g(70002, "Permian Peakers", "TX", "Midland", "GT1", "Natural Gas Fired Combustion Turbine", "GT", 210.0,
          180.5, "OP", 2005, "NG"),
        g(70002, "Permian Peakers", "TX", "Midland", "GT2", "Natural Gas Fired Combustion Turbine", "GT", 210.0,
          180.5, "SB", 2005, "NG"),
        g(70003, "Ector Sun", "TX", "Ector", "PV1", "Solar Photovoltaic", "PV", 180.0, 180.0, "OP", 2021, "SUN"),
        g(70004, "Brazos Combined Cycle", "TX", "McLennan", "CT1", "Natural Gas Fired Combined Cycle", "CT", 250.0,
          230.0, "OP", 2002, "NG"),
        g(70004, "Brazos Combined Cycle", "TX", "McLennan", "CA1", "Natural Gas Fired Combined Cycle", "CA", 1250.0,
          1130.0, "OP", 2002, "NG"),
        g(70005, "Far Away Station", "OH", "Franklin", "1", "Conventional Steam Coal", "ST", 600.0, 580.0, "OP", 1975,
          "BIT"),
    ]
    proposed = [g(70003, "Ector Sun", "TX", "Ector", "BA1", "Batteries", "BA", 100.0, 100.0, "TS", 2026, "MWH")]
    retired = [g(70002, "Permian Peakers", "TX", "Midland", "ST1", "Natural Gas Steam Turbine", "ST", 90.0, 85.0,
                 "RE", 1968, "NG")]
    title = "Form EIA-860 Data - Schedule 3, 'Generator Data' (sample written for siting's tests)"
    _xlsx(HERE / "3_1_Generator_Y2023_sample.xlsx", {
        "Operable": ([title], gen_hdr, operable), "Proposed": ([title], gen_hdr, proposed),
        "Retired and Canceled": ([title], gen_hdr, retired)})
    # EIA-860M: locations in the generator sheet, two title rows
    m_hdr = ["Entity ID", "Entity Name", "Plant ID", "Plant Name", "Plant State", "County",
             "Balancing Authority Code", "Sector", "Generator ID", "Unit Code", "Nameplate Capacity (MW)",
             "Net Summer Capacity (MW)", "Net Winter Capacity (MW)", "Technology", "Energy Source Code",
             "Prime Mover Code", "Operating Month", "Operating Year", "Status", "Latitude", "Longitude"]
    m_rows = [[90001, "Example Wind LLC", 70001, "Mesquite Ridge Wind", "TX", "Taylor", "ERCO", "IPP", "WT1", "",
               150.0, 148.0, 150.0, "Onshore Wind Turbine", "WND", "WT", 6, 2012, "(OP) Operating", 32.52, -99.80],
              [90002, "Example Power Co", 70002, "Permian Peakers", "TX", "Midland", "ERCO", "IPP", "GT1", "", 210.0,
               180.5, 200.0, "Natural Gas Fired Combustion Turbine", "NG", "GT", 6, 2005, "(OP) Operating", 32.05,
               -102.02]]
    _xlsx(HERE / "august_generator2025_sample.xlsx", {
        "Operating": (["U.S. Energy Information Administration", "Monthly Update to Annual Electric Generator "
                       "Report (sample written for siting's tests)"], m_hdr, m_rows)})


def _serial(d: str | None):
    return None if d is None else (pd.Timestamp(d) - pd.Timestamp("1899-12-30")).days


def queued_up() -> None:
    hdr = ["q_id", "q_status", "q_date", "prop_date", "on_date", "wd_date", "ia_date", "IA_status_raw",
           "IA_status_clean", "county", "state", "poi_name", "region", "project_name", "utility", "entity",
           "developer", "service", "project_type", "type1", "type2", "type3", "mw1", "mw2", "mw3", "type_clean",
           "q_year", "prop_year"]
    data = [  # q_id, status, q_date, on_date, wd_date, region, state, mw, type
        ("J100", "operational", "2018-03-01", "2021-03-01", None, "ERCOT", "TX", 200, "Solar"),   # 3.00 y
        ("J101", "operational", "2017-06-15", "2019-12-15", None, "ERCOT", "TX", 150, "Wind"),    # 2.50 y
        ("J102", "operational", "2019-01-10", "2023-01-10", None, "ERCOT", "TX", 300, "Gas"),     # 4.00 y
        ("J103", "active", "2023-05-01", None, None, "ERCOT", "TX", 250, "Battery"),
        ("J104", "withdrawn", "2020-02-01", None, "2022-02-01", "ERCOT", "TX", 100, "Solar"),
        ("P200", "operational", "2015-01-01", "2021-01-01", None, "PJM", "OH", 500, "Gas"),       # 6.00 y
        ("P201", "operational", "2016-07-01", "2021-07-01", None, "PJM", "PA", 80, "Solar"),      # 5.00 y
        ("P202", "suspended", "2021-01-01", None, None, "PJM", "VA", 120, "Solar"),
    ]

    def row(d, serial: bool):
        q, st, qd, od, wd, reg, state, mw, typ = d
        conv = _serial if serial else (lambda x: None if x is None else pd.Timestamp(x).to_pydatetime())
        return [q, st, conv(qd), None, conv(od), conv(wd), None, "", "", "County", state, "POI", reg,
                f"Project {q}", "Utility", reg, "DevCo", "NRIS", "gen", typ, None, None, mw, None, None, typ,
                int(qd[:4]), None]

    title = "Queued Up: interconnection queue data (sample written for siting's tests; values invented)"
    _xlsx(HERE / "LBNL_Ix_Queue_Data_File_thru2024_sample.xlsx", {
        "01. Introduction": (["About this file (sample)"], ["note"], [["values invented"]]),
        "03. Complete Queue Data": ([title], hdr, [row(d, True) for d in data])})
    hdr25 = [{"mw1": "mw_1", "mw2": "mw_2", "mw3": "mw_3", "IA_status_clean": "IA_phase_clean"}.get(c, c) for c in hdr]
    _xlsx(HERE / "LBNL_Ix_Queue_Data_File_thru2025_sample.xlsx", {
        "03. Complete Queue Data": ([title], hdr25, [row(d, False) for d in data])})


def geo() -> None:
    import geopandas as gpd
    from shapely.geometry import MultiLineString, Point, box

    sites = gpd.GeoDataFrame(
        [{k: v for k, v in s.items() if k not in ("lat", "lon")} for s in SITES],
        geometry=[Point(s["lon"], s["lat"]) for s in SITES], crs="EPSG:4326")
    sites.to_file(HERE / "sites_sample.geojson", driver="GeoJSON")
    # two zones split at 100 W; zone values as in the toy instance's ERCOT row (EIA EPA 2023, Electricity Maps 2024)
    zones = gpd.GeoDataFrame(
        [dict(zone="WEST", grid_price_usd_per_mwh=66.0, grid_co2_t_per_mwh=0.377),
         dict(zone="CENTRAL", grid_price_usd_per_mwh=66.0, grid_co2_t_per_mwh=0.377)],
        geometry=[box(-104.0, 29.0, -100.0, 34.5), box(-100.0, 29.0, -96.0, 34.5)], crs="EPSG:4326")
    zones.to_file(HERE / "zones_sample.geojson", driver="GeoJSON")
    subs = [  # HIFLD-style attributes; voltages in kV, -999999 = unknown
        ("300001", "ABILENE NORTH", "ABILENE", 32.50, -99.74, 345.0, 138.0, "IN SERVICE"),
        ("300002", "TYE", "TYE", 32.45, -99.87, 138.0, 69.0, "IN SERVICE"),
        ("300003", "SWEETWATER EAST", "SWEETWATER", 32.48, -100.38, 138.0, 69.0, "IN SERVICE"),
        ("300004", "MIDLAND 345", "MIDLAND", 32.02, -102.10, 345.0, 138.0, "IN SERVICE"),
        ("300005", "ODESSA SOUTH", "ODESSA", 31.80, -102.36, -999999.0, -999999.0, "IN SERVICE"),
        ("300006", "ODESSA EHV", "ODESSA", 31.95, -102.30, 345.0, 138.0, "IN SERVICE"),
        ("300007", "WACO WEST", "WACO", 31.56, -97.20, 345.0, 138.0, "IN SERVICE"),
        ("300008", "WACO RETIRED", "WACO", 31.55, -97.151, 345.0, 138.0, "NOT AVAILABLE"),
    ]
    g = gpd.GeoDataFrame(
        [dict(ID=i, NAME=n, CITY=c, STATE="TX", ZIP="NOT AVAILABLE", TYPE="SUBSTATION", STATUS=st,
              COUNTY="NOT AVAILABLE", COUNTYFIPS="NOT AVAILABLE", COUNTRY="USA", LATITUDE=la, LONGITUDE=lo,
              NAICS_CODE="221121", SOURCE="SAMPLE", SOURCEDATE="2020/01/01", VAL_METHOD="IMAGERY",
              VAL_DATE="2020/01/01", LINES=2, MAX_VOLT=mx, MIN_VOLT=mn, MAX_INFER="N", MIN_INFER="N")
         for i, n, c, la, lo, mx, mn, st in subs],
        geometry=[Point(lo, la) for _, _, _, la, lo, _, _, _ in subs], crs="EPSG:4326")
    g.to_file(HERE / "substations_sample.geojson", driver="GeoJSON")
    lines = [
        ("100001", "AC; OVERHEAD", "IN SERVICE", 345.0, "345", "ABILENE NORTH", "TAP100002",
         [[(-99.74, 32.50), (-100.38, 32.48)]]),
        ("100002", "AC; OVERHEAD", "IN SERVICE", 138.0, "100-161", "TYE", "UNKNOWN123",
         [[(-99.87, 32.45), (-99.60, 32.30)]]),
        ("100003", "AC; OVERHEAD", "IN SERVICE", 345.0, "345", "MIDLAND 345", "ODESSA EHV",
         [[(-102.10, 32.02), (-102.30, 31.95)]]),
        ("100004", "AC; OVERHEAD", "IN SERVICE", -999999.0, "NOT AVAILABLE", "UNKNOWN7", "UNKNOWN8",
         [[(-97.3, 31.5), (-97.0, 31.6)]]),
    ]
    lg = gpd.GeoDataFrame(
        [dict(ID=i, TYPE=t, STATUS=s, NAICS_CODE="221121", SOURCE="SAMPLE", SOURCEDATE="2020/01/01",
              VAL_METHOD="IMAGERY", VAL_DATE="2020/01/01", OWNER="EXAMPLE CO", VOLTAGE=v, VOLT_CLASS=vc,
              INFERRED="N", SUB_1=s1, SUB_2=s2, SHAPE__Length=0.0) for i, t, s, v, vc, s1, s2, _ in lines],
        geometry=[MultiLineString(c) for *_, c in lines], crs="EPSG:4326")
    lg.to_file(HERE / "transmission_lines_sample.geojson", driver="GeoJSON")


def main() -> None:
    rng = np.random.default_rng(SEED)
    eia930(rng)
    atb()
    ninja(rng)
    ninja_full_year(np.random.default_rng(SEED + 1))
    cambium(rng)
    gridstatus()
    eia860()
    queued_up()
    geo()
    for p in sorted(HERE.iterdir()):
        if p.suffix != ".py" and p.name != "__pycache__":
            print(f"{p.stat().st_size / 1024:8.1f} kB  {p.name}")


if __name__ == "__main__":
    main()
