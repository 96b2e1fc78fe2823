"""siting.data hourly and cost readers on their sample files: units, time alignment, header quirks, wrong files.

The samples (tests/data/samples/, written by make_samples.py) imitate each source's shape
with invented values. Expected values here are recomputed from the sample files
themselves or written as literal hour indices, so that the readers' conventions
(fixed-offset clock, hour-beginning, 29 February dropped) are checked independently.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import siting
from siting.data import (
    DataFormatError,
    DataWarning,
    NonCommercialLicenceWarning,
    read_atb,
    read_cambium,
    read_eia930_balance,
    read_iso_prices,
    read_ninja,
)
from siting.data.eia930 import EIA930_CO2_T_PER_MWH as F
from siting.data.money import CPI_U

S = Path(__file__).parent / "data" / "samples"
H1 = S / "EIA930_BALANCE_2024_Jan_Jun_sample.csv"
H2 = S / "EIA930_BALANCE_2024_Jul_Dec_sample.csv"
ATB = S / "ATBe_2024_sample.csv"
CAMBIUM = S / "Cambium24_MidCase_hourly_p60_2030.csv"
LMP = S / "gridstatus_lmp_day_ahead_hourly_sample.csv"


def doy_hour(month: int, day: int, hour: int = 0, *, leap: bool) -> int:
    """Hour index written out by hand: days before the date (29 Feb never counted) x 24 + hour."""
    days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return (sum(days[: month - 1]) + day - 1) * 24 + hour


def prof(df: pd.DataFrame, name: str) -> np.ndarray:
    p = df[df["profile"] == name].sort_values("hour")
    assert list(p["hour"]) == list(range(8760))
    return p["value"].to_numpy()


def num(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s.astype(str).str.replace(",", ""), errors="coerce").to_numpy(float)


# -- EIA-930 -----------------------------------------------------------------------------------------------------
def _h1_rows(version: str = "Adjusted") -> pd.DataFrame:
    """Expected clean share and CO2 rate per row of the H1 sample, recomputed from its columns."""
    raw = pd.read_csv(H1, dtype=str, keep_default_na=False)
    raw = raw[raw["Balancing Authority"] == "ERCO"].reset_index(drop=True)
    suf = " (Adjusted)" if version == "Adjusted" else ""

    def col(f):
        return np.clip(num(raw[f"Net Generation (MW) from {f}{suf}"]), 0, None)

    fuels = {"Coal": "coal", "Natural Gas": "gas", "Nuclear": "nuclear", "All Petroleum Products": "oil",
             "Hydropower and Pumped Storage": "hydro", "Solar": "solar", "Wind": "wind",
             "Other Fuel Sources": "other", "Unknown Fuel Sources": "unknown"}
    total = sum(col(f) for f in fuels)
    clean = sum(col(f) for f, c in fuels.items() if c in ("nuclear", "hydro", "solar", "wind"))
    co2 = sum(col(f) * F[c] for f, c in fuels.items())
    end = pd.to_datetime(raw["UTC Time at End of Hour"], format="%m/%d/%Y %I:%M:%S %p")
    return pd.DataFrame({"start_utc": end - pd.Timedelta(hours=1), "share": clean / total, "co2": co2 / total})


def test_eia930_units_clean_share_and_co2_per_hour():
    g = read_eia930_balance(H1, year=2024, ba="ERCO", fill="hour_of_day")
    share, co2 = prof(g.profiles, "grid_clean_share"), prof(g.profiles, "grid_co2")
    exp = _h1_rows()
    # first row: hour ending 28 Feb 07:00 UTC = 00:00-01:00 CST on 28 Feb (offset -6 inferred from winter rows)
    h = doy_hour(2, 28, 0, leap=True)
    assert h == 1392
    assert share[h] == pytest.approx(exp["share"][0])
    assert co2[h] == pytest.approx(exp["co2"][0])
    assert 0 < share.min() and share.max() < 1
    assert g.zones.loc[0, "zone"] == "ERCO"
    assert g.zones.loc[0, "grid_co2_t_per_mwh"] == pytest.approx(co2.mean())
    assert g.zones.loc[0, "grid_clean_share"] == pytest.approx(share.mean())
    assert F["gas"] == pytest.approx(53.07 * 7.740 / 1000, rel=1e-3)


def test_eia930_leap_day_is_dropped():
    g = read_eia930_balance(H1, year=2024, ba="ERCO", fill="hour_of_day")
    share = prof(g.profiles, "grid_clean_share")
    exp = _h1_rows().set_index("start_utc")["share"]
    # 28 Feb 23:00 CST is hour 1415; the next hour of the index is 1 Mar 00:00 CST (29 Feb dropped)
    assert share[1415] == pytest.approx(exp[pd.Timestamp("2024-02-29 05:00")])
    assert share[1416] == pytest.approx(exp[pd.Timestamp("2024-03-01 06:00")])
    assert doy_hour(3, 1, 0, leap=True) == 1416
    feb29 = exp[(exp.index >= "2024-02-29 06:00") & (exp.index < "2024-03-01 06:00")]
    assert len(feb29) == 24 and not np.isin(np.round(feb29.to_numpy(), 12), np.round(share, 12)).any()


def test_eia930_spring_forward_day_has_24_standard_hours():
    g = read_eia930_balance(H1, year=2024, ba="ERCO", fill="hour_of_day")
    share = prof(g.profiles, "grid_clean_share")
    exp = _h1_rows().set_index("start_utc")["share"]
    # the file's local day 10 Mar has 23 rows (02:00 CDT skipped); on the CST clock they are the
    # 23 consecutive hours 00:00..22:00 of 10 Mar, each once
    h0 = doy_hour(3, 10, 0, leap=True)
    for k in range(23):
        t = pd.Timestamp("2024-03-10 06:00") + pd.Timedelta(hours=k)
        assert share[h0 + k] == pytest.approx(exp[t]), k
    same = read_eia930_balance(H1, year=2024, ba="ERCO", utc_offset="America/Chicago", fill="hour_of_day")
    pd.testing.assert_frame_equal(same.profiles, g.profiles)
    shifted = read_eia930_balance(H1, year=2024, ba="ERCO", utc_offset=-5, fill="hour_of_day")
    assert prof(shifted.profiles, "grid_clean_share")[h0 + 1] == pytest.approx(share[h0])


def test_eia930_fall_back_day_and_2024h2_header_quirks():
    g = read_eia930_balance(H2, year=2024, fill="hour_of_day")
    share = prof(g.profiles, "grid_clean_share")
    raw = pd.read_csv(H2, dtype=str, keep_default_na=False)

    def col(label):
        return np.clip(num(raw[f"Net Generation (MW) from {label} (Adjusted)"]), 0, None)

    clean = (col("Nuclear") + col("Hydropower Excluding Pumped Storage") + col("Solar witho Integrated Battery Storage")
             + col("Solar with Integrated Battery Storage") + col("Wind without Integrated Battery Storage")
             + col("Wind with Integrated Battery Storage") + col("Geothermal"))
    total = clean + col("Coal") + col("Natural Gas") + col("All Petroleum Products") + col("Other Fuel Sources") \
        + col("Unknown Fuel Sources")  # storage (pumped, battery, other, unknown) left out
    exp = clean / total
    # 3 Nov: 25 local rows (01:00 CDT and 01:00 CST both appear) -> 25 distinct CST hours, from 2 Nov 23:00
    h0 = doy_hour(11, 2, 23, leap=True)
    np.testing.assert_allclose(share[h0:h0 + 25], exp[:25])
    # 31 Dec is kept: its 24 CST hours are the last of the index
    np.testing.assert_allclose(share[8760 - 24:], exp[25:])


def test_eia930_blank_cells_and_versions():
    adj = prof(read_eia930_balance(H1, year=2024, ba="ERCO", fill="hour_of_day").profiles, "grid_clean_share")
    rep = prof(read_eia930_balance(H1, year=2024, ba="ERCO", version="reported", fill="hour_of_day").profiles,
               "grid_clean_share")
    exp = _h1_rows()
    h5 = 1392 + 5  # row 5: reported wind blank (adjusted given) -> the hour is interpolated in "reported"
    assert adj[h5] == pytest.approx(exp["share"][5])
    assert rep[h5] == pytest.approx((rep[h5 - 1] + rep[h5 + 1]) / 2)
    # row 50: every fuel blank -> interpolated in both (rows 24-47 are 29 Feb: row 50 is 1 Mar 02:00 CST)
    h50 = doy_hour(3, 1, 2, leap=True)
    assert adj[h50] == pytest.approx((adj[h50 - 1] + adj[h50 + 1]) / 2)
    assert not np.isfinite(exp["share"][50])


def test_eia930_dataframe_input_and_list_of_halves():
    df = pd.read_csv(H1, dtype=str, keep_default_na=False)
    a = read_eia930_balance(df, year=2024, ba="ERCO", fill="hour_of_day")
    b = read_eia930_balance([H1, H2], year=2024, ba="ERCO", zone="ERCOT", fill="hour_of_day")
    assert b.zones.loc[0, "zone"] == "ERCOT"
    share_a, share_b = prof(a.profiles, "grid_clean_share"), prof(b.profiles, "grid_clean_share")
    assert share_a[1392] == pytest.approx(share_b[1392])


def test_eia930_wrong_files_and_editions():
    with pytest.raises(DataFormatError, match="INTERCHANGE"):
        read_eia930_balance(S / "EIA930_INTERCHANGE_2024_Jan_Jun_sample.csv", year=2024)
    with pytest.raises(DataFormatError, match=r"EIA930_BALANCE_2017_Jul_Dec_sample.csv: this looks like an EIA-930 "
                                              r"file from before 2018 H2: no fuel columns"):
        read_eia930_balance(S / "EIA930_BALANCE_2017_Jul_Dec_sample.csv", year=2017)
    with pytest.raises(DataFormatError, match=r"ATBe_2024_sample.csv: not an EIA-930 BALANCE CSV: missing column"):
        read_eia930_balance(ATB, year=2024)
    with pytest.raises(DataFormatError, match="2 balancing authorities .*pass ba="):
        read_eia930_balance(H1, year=2024)
    with pytest.raises(DataFormatError, match="no rows for balancing authority 'PJM'"):
        read_eia930_balance(H1, year=2024, ba="PJM")
    with pytest.raises(DataFormatError, match=r"covers 71 of the 8760 hours of 2024"):
        read_eia930_balance(H1, year=2024, ba="ERCO")
    with pytest.raises(DataFormatError, match="no value falls in 2023"):
        read_eia930_balance(H1, year=2023, ba="ERCO", fill="hour_of_day")
    assert issubclass(DataFormatError, siting.InstanceError)


# -- NREL ATB ----------------------------------------------------------------------------------------------------
def test_atb_units_scenario_and_dollar_year():
    t = read_atb(ATB, year=2026, techs=["solar", "battery", "gas_ct"]).set_index("tech")
    assert t.loc["solar", "capex_usd_per_kw"] == pytest.approx(1349.0)          # OCC, $/kW, 2022$
    assert t.loc["battery", "capex_usd_per_kw"] == pytest.approx(1383.0)        # 1.383 $/W -> $/kW
    assert t.loc["gas_ct", "heat_rate_mmbtu_per_mwh"] == pytest.approx(9.142)   # 9142 Btu/kWh
    assert t.loc["gas_ct", "fuel_usd_per_mmbtu"] == pytest.approx(29.25 / 9.142)  # $/MWh / heat rate
    assert t.loc["gas_ct", "co2_t_per_mwh"] == pytest.approx(9.142 * 53.07 / 1000, rel=1e-5)
    assert t.loc["gas_ct", "vom_usd_per_mwh"] == pytest.approx(3.79)
    assert t.loc["solar", "vom_usd_per_mwh"] == 0.0 and t.loc["solar", "profile"] == "solar"
    assert t.loc["battery", "kind"] == "storage" and t.loc["battery", "storage_hours"] == 4.0
    assert list(t.columns) == [c.name for c in siting.schema.TABLES["techs"].columns][1:]
    f = CPI_U[2025] / CPI_U[2022]
    t25 = read_atb(ATB, year=2026, techs=["solar", "gas_ct"], dollar_year=2025).set_index("tech")
    assert t25.loc["solar", "capex_usd_per_kw"] == pytest.approx(1349.0 * f)
    assert t25.loc["gas_ct", "fom_usd_per_kw_yr"] == pytest.approx(6.53 * f)
    assert t25.loc["gas_ct", "heat_rate_mmbtu_per_mwh"] == pytest.approx(9.142)  # not money
    adv = read_atb(ATB, year=2030, scenario="Advanced", techs=["solar"]).set_index("tech")
    assert adv.loc["solar", "capex_usd_per_kw"] == pytest.approx(1349.0 * 0.9 * 0.93)
    capex = read_atb(ATB, year=2026, techs=["solar"], capex_parameter="CAPEX", crpyears=20).set_index("tech")
    assert capex.loc["solar", "capex_usd_per_kw"] == pytest.approx(1402.0)
    fuel = read_atb(ATB, year=2026, techs=["gas_ct"], fuel_usd_per_mmbtu={"gas": 3.52}).set_index("tech")
    assert fuel.loc["gas_ct", "fuel_usd_per_mmbtu"] == 3.52


def test_atb_header_quirks_and_defaults():
    # leading unnamed index column, crpyears kept as strings, '*' rows, tax_credit_case rows
    raw = pd.read_csv(ATB)
    assert raw.columns[0].startswith("Unnamed")
    t = read_atb(ATB, year=2026)                      # every default tech found in the file
    assert set(t["tech"]) == {"solar", "wind", "battery", "gas_ct"}
    spec = read_atb(ATB, year=2026, techs={"pv": {"technology": "UtilityPV", "techdetail": "Class5",
                                                  "profile": "solar", "clean": True, "life_years": 25}})
    assert spec.loc[0, "tech"] == "pv" and spec.loc[0, "life_years"] == 25


def test_atb_wrong_files_and_missing_rows():
    with pytest.raises(DataFormatError, match=r"ninja_pv_sample.csv: not an NREL ATB flat file \(ATBe\): missing"):
        read_atb(S / "ninja_pv_sample.csv", year=2026)
    with pytest.raises(DataFormatError, match=r"scenario = 'Mid'.*found: Advanced, Moderate"):
        read_atb(ATB, year=2026, scenario="Mid")
    with pytest.raises(DataFormatError, match="no rows for year 2040"):
        read_atb(ATB, year=2040)
    with pytest.raises(DataFormatError, match=r"tech 'gas_cc': no rows .*found: NaturalGas_FE/NG Combustion"):
        read_atb(ATB, year=2026, techs=["gas_cc"])
    dup = pd.read_csv(ATB, dtype=str, keep_default_na=False)
    extra = dup[(dup["technology"] == "UtilityPV") & (dup["core_metric_parameter"] == "OCC")].copy()
    extra["scale"] = "Distributed"
    extra["value"] = "2000"
    with pytest.raises(DataFormatError, match=r"OCC: \d+ rows with different values \(scale: Distributed, Utility\)"):
        read_atb(pd.concat([dup, extra]), year=2026, techs=["solar"])
    ok = read_atb(pd.concat([dup, extra]), year=2026, techs=["solar"], filters={"scale": "Utility"})
    assert ok.loc[0, "capex_usd_per_kw"] == pytest.approx(1349.0)
    bad_unit = dup.copy()
    bad_unit.loc[bad_unit["core_metric_parameter"] == "Fixed O&M", "units"] = "EUR/kW-yr"
    with pytest.raises(DataFormatError, match="unit 'EUR/kW-yr'"):
        read_atb(bad_unit, year=2026, techs=["solar"])


# -- renewables.ninja --------------------------------------------------------------------------------------------
def test_ninja_pv_leap_year_and_licence_warning():
    with pytest.warns(NonCommercialLicenceWarning, match="CC BY-NC 4.0"):
        p = read_ninja(S / "ninja_pv_sample.csv", zone="WEST", fill="hour_of_day")
    assert set(p.columns) == {"zone", "profile", "hour", "value"} and p["profile"].iloc[0] == "solar"
    cf = prof(p, "solar")
    raw = pd.read_csv(S / "ninja_pv_sample.csv", comment="#")
    by_utc = raw.set_index("time")["electricity"]
    # year 2020 (leap) read from the data; clock: America/Chicago standard time = UTC-6
    assert cf[doy_hour(2, 28, 23, leap=True)] == pytest.approx(by_utc["2020-02-29 05:00"])
    assert cf[doy_hour(3, 1, 12, leap=True)] == pytest.approx(by_utc["2020-03-01 18:00"])
    assert doy_hour(3, 1, 12, leap=True) == 1428
    assert 0 <= cf.min() and cf.max() <= 1


def test_ninja_wind_capacity_units_and_dst():
    with pytest.warns(NonCommercialLicenceWarning), pytest.warns(DataWarning, match="1 hours have a capacity factor "
                                                                               "above 1"):
        w = read_ninja(S / "ninja_wind_sample.csv", site="abilene", fill="hour_of_day")
    assert "site" in w.columns and w["profile"].iloc[0] == "wind"
    cf = prof(w, "wind")
    raw = pd.read_csv(S / "ninja_wind_sample.csv", comment="#").set_index("time")["electricity"]
    # 10 Mar 2019 is the spring-forward day; the local_time column jumps, the clock does not:
    # 12:00 UTC is 06:00 CST
    assert cf[doy_hour(3, 10, 6, leap=False)] == pytest.approx(raw["2019-03-10 12:00"] / 1000)
    assert cf[doy_hour(3, 10, 2, leap=False)] == pytest.approx(raw["2019-03-10 08:00"] / 1000)
    assert cf.max() == 1.0


def test_ninja_old_layout_and_full_year():
    with pytest.warns(NonCommercialLicenceWarning):
        with pytest.raises(DataFormatError, match="names no local time zone.*pass utc_offset"):
            read_ninja(S / "ninja_pv_old_layout_sample.csv", fill="hour_of_day")
    with pytest.warns(NonCommercialLicenceWarning):
        o = read_ninja(S / "ninja_pv_old_layout_sample.csv", utc_offset=-6, fill="hour_of_day")
    raw = pd.read_csv(S / "ninja_pv_old_layout_sample.csv", skiprows=[0, 2]).set_index("time")["electricity"]
    assert prof(o, "solar")[doy_hour(7, 1, 12, leap=False)] == pytest.approx(raw["2019-07-01 18:00"])
    with pytest.warns(NonCommercialLicenceWarning):
        f = read_ninja(S / "ninja_pv_2019_full_year.csv", utc_offset=-6)   # fill="error": nothing may be missing
    cf = prof(f, "solar")
    # a UTC-year file leaves the last 6 CST hours of the year uncovered: copied from the day before
    np.testing.assert_allclose(cf[-6:], cf[-30:-24])
    assert cf.mean() == pytest.approx(0.25, abs=0.01)


def test_ninja_wrong_file_and_short_sample():
    with pytest.raises(DataFormatError, match="EIA930_BALANCE_2024_Jan_Jun_sample.csv: not a renewables.ninja point"):
        read_ninja(H1)
    with pytest.warns(NonCommercialLicenceWarning):
        with pytest.raises(DataFormatError, match=r"covers 72 of the 8760 hours of 2020.*fill='hour_of_day'"):
            read_ninja(S / "ninja_pv_sample.csv")


# -- NREL Cambium ------------------------------------------------------------------------------------------------
def _price(g) -> np.ndarray:
    return prof(g.profiles, "grid_price") * g.zones.loc[0, "grid_price_usd_per_mwh"]


def test_cambium_metadata_lines_units_and_weekday_alignment():
    # EST clock (utc_offset=-5: no shift); 1 Jan 2030 is a Tuesday, Cambium day 0 a Sunday: rotate by 2 days
    g = read_cambium(CAMBIUM, utc_offset=-5, fill="hour_of_day")
    assert g.zones.loc[0, "zone"] == "p60"                       # region from the file name
    p = _price(g)
    np.testing.assert_allclose(p[:24], 40 + 10 * 2 + np.arange(24))      # target day 0 <- Cambium day 2 (Tue)
    np.testing.assert_allclose(p[24:48], 40 + 10 * 3 + np.arange(24))
    np.testing.assert_allclose(p[363 * 24:364 * 24], 40 + np.arange(24))  # Cambium day 0 wraps to the end
    assert prof(g.profiles, "grid_price").mean() == pytest.approx(1.0)
    co2 = prof(g.profiles, "grid_co2")
    np.testing.assert_allclose(co2[:24], (400 + 5 * np.arange(24)) / 1000)  # kg/MWh -> t/MWh
    plain = read_cambium(CAMBIUM, utc_offset=-5, align_weekdays=False, fill="hour_of_day")
    np.testing.assert_allclose(_price(plain)[:24], 40 + np.arange(24))


def test_cambium_local_standard_time_and_leap_target_year():
    g = read_cambium(CAMBIUM, fill="hour_of_day")   # timestamp_local is 1 h behind EST: UTC-6
    assert "UTC-6" in g.notes[0]
    p = _price(g)
    assert p[0] == pytest.approx(40 + 10 * 2 + 1)   # 00:00 CST = 01:00 EST of Cambium day 2
    # target 2024 (leap; 1 Jan a Monday): rotate by 1 day; still 8760 hours
    g24 = read_cambium(CAMBIUM, year=2024, utc_offset=-5, fill="hour_of_day")
    np.testing.assert_allclose(_price(g24)[:24], 40 + 10 * 1 + np.arange(24))


def test_cambium_dollar_year_and_errors():
    base = read_cambium(CAMBIUM, utc_offset=-5, fill="hour_of_day")
    g = read_cambium(CAMBIUM, utc_offset=-5, fill="hour_of_day", dollar_year=2025, source_dollar_year=2023)
    assert g.zones.loc[0, "grid_price_usd_per_mwh"] == pytest.approx(
        base.zones.loc[0, "grid_price_usd_per_mwh"] * CPI_U[2025] / CPI_U[2023])
    with pytest.raises(ValueError, match="source_dollar_year"):
        read_cambium(CAMBIUM, fill="hour_of_day", dollar_year=2025)
    with pytest.raises(DataFormatError, match="not a Cambium hourly CSV: no header row with a 'timestamp'"):
        read_cambium(H1)
    with pytest.raises(DataFormatError, match="no price column 'busbar_price'.*total_cost_enduse"):
        read_cambium(CAMBIUM, price_column="busbar_price")
    with pytest.raises(DataFormatError, match="covers 96 of the 8760 hours"):
        read_cambium(CAMBIUM)


# -- ISO prices (gridstatus shape) -------------------------------------------------------------------------------
def test_iso_prices_dst_days_from_csv_with_offsets():
    g = read_iso_prices(LMP, location="HUB_A", fill="hour_of_day")
    assert g.zones.loc[0, "zone"] == "HUB_A"
    p = _price(g)
    # LMP = 100 + k, k counting the UTC hours of the file. Clock: EST (US/Eastern standard, from January rows)
    jan = doy_hour(1, 15, 0, leap=True)
    np.testing.assert_allclose(p[jan:jan + 24], 100 + np.arange(24))
    mar = doy_hour(3, 10, 0, leap=True)              # leap 2024: 29 Feb dropped
    assert mar == 1632
    np.testing.assert_allclose(p[mar:mar + 23], 124 + np.arange(23))   # 23-hour local day, each hour once
    nov = doy_hour(11, 2, 23, leap=True)             # 3 Nov 00:00 EDT = 2 Nov 23:00 EST
    np.testing.assert_allclose(p[nov:nov + 25], 147 + np.arange(25))   # 25-hour local day, no overlap


def test_iso_prices_tz_aware_frame_matches_csv_and_subhourly():
    csv = read_iso_prices(LMP, location="HUB_A", fill="hour_of_day")
    df = pd.read_csv(LMP)
    for c in ("Time", "Interval Start", "Interval End"):
        df[c] = pd.to_datetime(df[c], utc=True).dt.tz_convert("US/Eastern")
    frame = read_iso_prices(df, location="HUB_A", fill="hour_of_day")
    pd.testing.assert_frame_equal(frame.profiles, csv.profiles)
    # 5-minute real-time prices average to the hour
    t = pd.date_range("2024-07-01", periods=24 * 12, freq="5min", tz="US/Central")
    rt = pd.DataFrame({"Time": t, "Interval Start": t, "Interval End": t + pd.Timedelta(minutes=5),
                       "Market": "REAL_TIME_5_MIN", "Location": "HB_WEST", "LMP": np.arange(24 * 12, dtype=float)})
    g = read_iso_prices(rt, utc_offset=-6, fill="hour_of_day")
    h = doy_hour(7, 1, 0, leap=True) - 1            # 00:00 CDT = 23:00 CST the day before
    assert _price(g)[h] == pytest.approx(np.arange(12).mean())


def test_iso_prices_negative_prices_and_errors():
    with pytest.warns(DataWarning, match="1 hours of LMP at HUB_B are negative; clipped to 0"):
        g = read_iso_prices(LMP, location="HUB_B", fill="hour_of_day")
    assert prof(g.profiles, "grid_price").min() == 0.0
    with pytest.raises(DataFormatError, match=r"holds 2 locations \(HUB_A, HUB_B\); pass location="):
        read_iso_prices(LMP, fill="hour_of_day")
    load = pd.DataFrame({"Time": pd.date_range("2024-01-01", periods=3, freq="h", tz="US/Eastern"),
                         "Load": [1.0, 2.0, 3.0]})
    with pytest.raises(DataFormatError, match="this is a load frame"):
        read_iso_prices(load)
    naive = pd.read_csv(LMP)
    naive["Interval Start"] = pd.to_datetime(naive["Interval Start"].str[:19])
    with pytest.raises(DataFormatError, match="has no time zone"):
        read_iso_prices(naive, location="HUB_A")
    with pytest.raises(DataFormatError, match="not a gridstatus-shaped frame"):
        read_iso_prices(ATB)
