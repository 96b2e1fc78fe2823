"""siting.data.InstanceBuilder end to end: sample files -> instance folder -> load_instance -> solve."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

import siting
from siting.data import (
    DEFAULT_CHIPS,
    DataWarning,
    InstanceBuilder,
    NonCommercialLicenceWarning,
    read_cambium,
    read_eia930_balance,
)
from siting.data.money import CPI_U

S = Path(__file__).parent / "data" / "samples"
ROOT = Path(__file__).resolve().parent.parent


def builder(chips: bool = True, **kw) -> InstanceBuilder:
    """The sample builder; ``chips``: give chips.csv rows (the defaults' values) so that no warning is expected."""
    args = dict(name="sample_region", profile_year=2019, utc_offset=-6)
    args.update(kw)
    b = InstanceBuilder(S / "sites_sample.geojson", S / "zones_sample.geojson", **args)
    return b.set_chips(DEFAULT_CHIPS) if chips else b


def test_builder_writes_loads_and_solves(tmp_path):
    b = builder()
    with pytest.warns(NonCommercialLicenceWarning):
        b.add_ninja(S / "ninja_pv_2019_full_year.csv", profile="solar")
    b.add_atb(S / "ATBe_2024_sample.csv", year=2026, techs={"solar": {}, "gas_ct": {"unit_mw": 50}})
    b.add_substations(S / "substations_sample.geojson", min_kv=230)
    b.set_targets({2026: 0.1})
    b.set_scenario(time={"mode": "typical_days", "typical_days": 1}, solver={"mip_gap": 0.01})
    inst = b.write(tmp_path / "inst")
    for f in ("scenario.toml", "targets.csv", "sites.csv", "zones.csv", "techs.csv", "chips.csv", "profiles.csv",
              "README.md", "reports/substations.csv", "reports/site_zones.csv"):
        assert (tmp_path / "inst" / f).is_file(), f
    again = siting.load_instance(tmp_path / "inst")
    assert list(again.sites["site"]) == ["abilene", "sweetwater", "midland", "odessa", "waco"]
    assert dict(zip(again.sites["site"], again.sites["zone"], strict=True))["waco"] == "CENTRAL"
    prof = again.profiles
    assert set(prof["zone"]) == {"WEST", "CENTRAL"} and len(prof) == 2 * 8760
    s = again.sites.set_index("site")
    sub = pd.read_csv(tmp_path / "inst" / "reports" / "substations.csv").set_index("site")
    land = 0.8 * 244_000 * s["max_it_mw"]
    np.testing.assert_allclose(s["site_capex_usd"], land + sub["interconnect_usd"], atol=1)
    assert s.loc["sweetwater", "grid_mw"] == math.ceil(200 * 1.15)      # defaults: 200 MW, PUE 1.15
    assert s.loc["midland", "grid_year"] == 2028                        # given in the GeoJSON
    readme = (tmp_path / "inst" / "README.md").read_text()
    assert "CC BY-NC 4.0" in readme and "ATBe_2024_sample.csv" in readme and "695.8 $/MW-km" in readme
    res = siting.solve(inst)
    assert res.status == "optimal"
    assert res.summary["it_gw"].iloc[0] == pytest.approx(0.1)
    with pytest.raises(FileExistsError):
        b.write(tmp_path / "inst")


def test_builder_grid_readers_set_zone_values_and_profiles(tmp_path):
    b = builder(profile_year=2024, utc_offset=-6, dollar_year=2025)
    b.add_cambium(S / "Cambium24_MidCase_hourly_p60_2030.csv", zone="WEST", fill="hour_of_day",
                  source_dollar_year=2023)
    b.add_eia930(S / "EIA930_BALANCE_2024_Jan_Jun_sample.csv", zone="CENTRAL", ba="ERCO", fill="hour_of_day")
    b.set_zone("CENTRAL", headroom_mw=5000)
    b.add_lines(S / "transmission_lines_sample.geojson", min_kv=230)
    b.add_existing_plants(S / "3_1_Generator_Y2023_sample.xlsx", S / "2___Plant_Y2023_sample.xlsx", radius_km=30)
    b.add_atb(S / "ATBe_2024_sample.csv", year=2026, techs=["gas_ct"])
    b.set_targets({2026: 0.1})
    f = b.frames()
    z = f["zones"].set_index("zone")
    cam = read_cambium(S / "Cambium24_MidCase_hourly_p60_2030.csv", year=2024, utc_offset=-6, fill="hour_of_day")
    assert z.loc["WEST", "grid_price_usd_per_mwh"] == pytest.approx(
        cam.zones.loc[0, "grid_price_usd_per_mwh"] * CPI_U[2025] / CPI_U[2023])
    assert z.loc["WEST", "grid_co2_t_per_mwh"] == pytest.approx(cam.zones.loc[0, "grid_co2_t_per_mwh"])
    eia = read_eia930_balance(S / "EIA930_BALANCE_2024_Jan_Jun_sample.csv", year=2024, ba="ERCO", utc_offset=-6,
                              fill="hour_of_day")
    assert z.loc["CENTRAL", "grid_clean_share"] == pytest.approx(eia.zones.loc[0, "grid_clean_share"])
    assert z.loc["CENTRAL", "grid_co2_t_per_mwh"] == pytest.approx(eia.zones.loc[0, "grid_co2_t_per_mwh"])
    assert z.loc["CENTRAL", "grid_price_usd_per_mwh"] == 66.0          # from the zones file
    assert z.loc["CENTRAL", "headroom_mw"] == 5000
    p = f["profiles"]
    assert set(zip(p["zone"], p["profile"], strict=True)) == {("WEST", "grid_price"), ("CENTRAL", "grid_clean_share")}
    inst = b.write(tmp_path / "grid")
    hourly = pd.read_csv(tmp_path / "grid" / "reports" / "grid_hourly.csv", index_col=0)
    assert {"WEST|grid_co2", "CENTRAL|grid_co2", "CENTRAL|grid_clean_share"} <= set(hourly.columns)
    assert len(hourly) == 8760
    assert "grid_co2" not in set(inst.profiles["profile"])                # profiles.csv does not take it
    # the hourly clean share goes to profiles.csv as a shape of mean 1: the zone value times it is the share read
    share = eia.profiles[eia.profiles["profile"] == "grid_clean_share"].sort_values("hour")["value"].to_numpy()
    prof = inst.profiles
    shape = prof[(prof["zone"] == "CENTRAL") & (prof["profile"] == "grid_clean_share")].sort_values("hour")
    assert list(shape["hour"]) == list(range(8760))
    assert shape["value"].mean() == pytest.approx(1.0, rel=1e-5)
    zone_share = inst.zones.set_index("zone").loc["CENTRAL", "grid_clean_share"]
    np.testing.assert_allclose(zone_share * shape["value"].to_numpy(), share, rtol=1e-5, atol=1e-6)
    for r in ("lines", "plants_near", "capacity_near", "site_zones"):
        assert (tmp_path / "grid" / "reports" / f"{r}.csv").is_file(), r
    assert "weekdays rotated" in (tmp_path / "grid" / "README.md").read_text()
    iso = builder(profile_year=2024, utc_offset=-5)
    iso.add_iso_prices(S / "gridstatus_lmp_day_ahead_hourly_sample.csv", zone="CENTRAL", location="HUB_A",
                       price_level=70.3, fill="hour_of_day")
    assert iso._zones.loc["CENTRAL", "grid_price_usd_per_mwh"] == 70.3


def test_builder_grid_clean_share_profile_options():
    eia = read_eia930_balance(S / "EIA930_BALANCE_2024_Jan_Jun_sample.csv", year=2024, ba="ERCO", utc_offset=-6,
                              fill="hour_of_day")
    b = builder(profile_year=2024, utc_offset=-6)
    b.add_grid(eia, zone="CENTRAL", clean_share=False)                  # CO2 only: no clean share anywhere
    b.add_atb(S / "ATBe_2024_sample.csv", year=2026, techs=["gas_ct"]).set_targets({2026: 0.1})
    f = b.frames()
    assert "grid_clean_share" not in set(f["profiles"]["profile"])
    assert pd.isna(f["zones"].set_index("zone").loc["CENTRAL"].get("grid_clean_share", np.nan))
    # rows given with add_profiles are profiles.csv rows as they are (a multiplier of the zone's value)
    rows = pd.DataFrame({"profile": "grid_clean_share", "hour": np.arange(8760), "value": 0.5 + (np.arange(8760) % 2)})
    b.set_zone("CENTRAL", grid_clean_share=0.4)
    b.add_profiles(rows, zone="CENTRAL")
    inst = b.build()
    got = inst.profiles[inst.profiles["profile"] == "grid_clean_share"].sort_values("hour")
    assert set(got["zone"]) == {"CENTRAL"}
    np.testing.assert_allclose(got["value"].to_numpy(), rows["value"].to_numpy())
    # an hourly share that is 0 in every hour gives a flat shape (the zone value, 0, counts)
    zero = eia.profiles.assign(value=np.where(eia.profiles["profile"] == "grid_clean_share", 0.0,
                                              eia.profiles["value"]))
    z = builder(profile_year=2024, utc_offset=-6)
    z.add_grid(type(eia)(profiles=zero, zones=eia.zones.assign(grid_clean_share=0.0)), zone="CENTRAL")
    z.add_atb(S / "ATBe_2024_sample.csv", year=2026, techs=["gas_ct"]).set_targets({2026: 0.1})
    p = z.frames()["profiles"]
    assert (p.loc[p["profile"] == "grid_clean_share", "value"] == 1.0).all()


def test_builder_defaults_queue_and_dollar_year():
    b = builder(dollar_year=2024)
    b.add_queue(S / "LBNL_Ix_Queue_Data_File_thru2024_sample.xlsx", region="ERCOT")   # median wait 3.0 years
    b.set_site_defaults(pue=1.3)
    b.set_site("odessa", max_it_mw=100)
    b.add_atb(S / "ATBe_2024_sample.csv", year=2026, techs=["gas_ct"])
    b.set_targets({2026: 0.1, 2030: 0.2})
    s = b.frames()["sites"].set_index("site")
    assert s.loc["sweetwater", "grid_year"] == 2029 and s.loc["midland", "grid_year"] == 2028
    assert s.loc["sweetwater", "pue"] == 1.3 and s.loc["abilene", "pue"] == 1.15   # given values win
    assert s.loc["odessa", "max_it_mw"] == 100
    f = CPI_U[2024] / CPI_U[2025]
    assert s.loc["sweetwater", "site_capex_usd"] == pytest.approx(0.8 * 244_000 * 200 * f)
    assert s.loc["sweetwater", "building_capex_usd_per_kw"] == pytest.approx(11_700 * f)
    assert b.build().years == [2026, 2030]


def test_builder_errors():
    b = builder()
    with pytest.raises(siting.InstanceError, match="no targets"):
        b.frames()
    b.set_targets({2026: 0.1})
    with pytest.raises(siting.InstanceError, match="no techs"):
        b.frames()
    b.add_atb(S / "ATBe_2024_sample.csv", year=2026, techs=["solar", "gas_ct"])
    with pytest.raises(siting.InstanceError, match="profile 'solar' .* is not given for zone"):
        b.build()                                                        # solar tech but no solar profile
    b.set_site("abilene", max_it_mw=120)                               # not a multiple of module_mw 50
    with pytest.warns(NonCommercialLicenceWarning):
        b.add_ninja(S / "ninja_pv_2019_full_year.csv", profile="solar")
    with pytest.raises(siting.InstanceError, match=r"sites.csv: column 'max_it_mw', row 1 \(site abilene\): 120 MW "
                                                   r"is not a whole multiple"):
        b.build()
    with pytest.raises(siting.InstanceError, match="zone 'EAST' holds no candidate site"):
        b.set_zone("EAST", grid_price_usd_per_mwh=50.0)
    bare = gpd.GeoDataFrame({"zone": ["WEST", "CENTRAL"]},
                            geometry=[box(-104, 29, -100, 34.5), box(-100, 29, -96, 34.5)], crs="EPSG:4326")
    nb = InstanceBuilder(S / "sites_sample.geojson", bare, profile_year=2019, utc_offset=-6)
    nb.add_atb(S / "ATBe_2024_sample.csv", year=2026, techs=["gas_ct"]).set_targets({2026: 0.1})
    with pytest.raises(siting.InstanceError, match=r"zone 'WEST' has no grid_price_usd_per_mwh; .*set_zone\('WEST'"):
        nb.build()
    small = bare.iloc[:1]
    with pytest.raises(siting.InstanceError, match="lies in no zone polygon"):
        InstanceBuilder(S / "sites_sample.geojson", small, profile_year=2019)
    near = InstanceBuilder(S / "sites_sample.geojson", small, profile_year=2019, nearest_zone=True)
    assert near.zones == ["WEST"]


def test_builder_drops_profiles_no_tech_uses():
    b = builder(profile_year=2019)
    with pytest.warns(NonCommercialLicenceWarning):
        b.add_ninja(S / "ninja_pv_2019_full_year.csv", profile="solar")
    with pytest.warns(NonCommercialLicenceWarning), pytest.warns(DataWarning, match="capacity factor above 1"):
        b.add_ninja(S / "ninja_wind_sample.csv", zone="WEST", fill="hour_of_day")
    b.add_atb(S / "ATBe_2024_sample.csv", year=2026, techs=["solar"]).set_targets({2026: 0.1})
    with pytest.warns(DataWarning, match=r"profiles \['wind'\] are used by no tech; left out"):
        inst = b.build()
    assert set(inst.profiles["profile"]) == {"solar"}


def test_worked_example_builds(tmp_path):
    spec = importlib.util.spec_from_file_location("own_region", ROOT / "examples" / "own_region.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with pytest.warns(DataWarning, match="set_chips was not called"):    # the example keeps the default chips
        inst = mod.build(tmp_path / "own_region")
    assert len(inst.sites) == 5 and set(inst.techs["tech"]) == {"solar", "battery", "gas_ct"}
    assert inst.scenario["solver"]["mip_gap"] == 0.005
    assert siting.load_instance(tmp_path / "own_region").name == "own_region"
