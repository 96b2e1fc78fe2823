"""siting.data spatial readers: zones, substations, lines, EIA-860 plants and the LBNL queue workbook."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from siting.data import (
    ROUTE_FACTOR,
    USD_PER_MW_KM,
    DataFormatError,
    assign_zones,
    capacity_near,
    geodesic_km,
    nearest_lines,
    nearest_substations,
    plants_near,
    queue_wait_years,
    read_eia860,
    read_queued_up,
    read_sites,
)

S = Path(__file__).parent / "data" / "samples"
SUBS = S / "substations_sample.geojson"
GEN = S / "3_1_Generator_Y2023_sample.xlsx"
PLANT = S / "2___Plant_Y2023_sample.xlsx"
Q24 = S / "LBNL_Ix_Queue_Data_File_thru2024_sample.xlsx"
Q25 = S / "LBNL_Ix_Queue_Data_File_thru2025_sample.xlsx"


@pytest.fixture(scope="module")
def sites():
    return read_sites(S / "sites_sample.geojson")


def haversine_km(lon1, lat1, lon2, lat2, r=6371.0088):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * r * np.arcsin(np.sqrt(a))


def test_geodesic_distance_units():
    # one degree of latitude at 32 N is about 110.9 km on WGS84; a sphere gives 111.2 km
    assert geodesic_km(-99.0, 32.0, -99.0, 33.0) == pytest.approx(110.9, abs=0.2)
    assert geodesic_km(-99.73, 32.45, -99.74, 32.50) == pytest.approx(
        haversine_km(-99.73, 32.45, -99.74, 32.50), rel=5e-3)


def test_sites_and_zones(sites, tmp_path):
    assert list(sites["site"]) == ["abilene", "sweetwater", "midland", "odessa", "waco"]
    z = assign_zones(sites, S / "zones_sample.geojson").set_index("site")["zone"]
    assert z.to_dict() == {"abilene": "CENTRAL", "sweetwater": "WEST", "midland": "WEST", "odessa": "WEST",
                           "waco": "CENTRAL"}
    small = gpd.GeoDataFrame({"zone": ["WEST"]}, geometry=[box(-104, 29, -100, 34.5)], crs="EPSG:4326")
    with pytest.raises(DataFormatError, match="site abilene .* lies in no zone polygon; .*nearest=True"):
        assign_zones(sites, small)
    near = assign_zones(sites, small, nearest=True).set_index("site")
    assert near.loc["abilene", "zone"] == "WEST"
    assert near.loc["abilene", "zone_distance_km"] == pytest.approx(geodesic_km(-99.73, 32.45, -100.0, 32.45), rel=1e-3)
    pts = gpd.GeoDataFrame({"zone": ["W", "E"]}, geometry=[Point(-102, 32), Point(-97, 31.5)], crs="EPSG:4326")
    assert list(assign_zones(sites, pts)["zone"]) == ["W", "W", "W", "W", "E"]
    # sites from CSV, and from a projected GeoPackage (reprojected to WGS84)
    csv = tmp_path / "s.csv"
    pd.DataFrame({"id": ["a"], "lat": [32.45], "lon": [-99.73]}).to_csv(csv, index=False)
    assert read_sites(csv, site_column="id").loc[0, "site"] == "a"
    gpkg = tmp_path / "s.gpkg"
    sites[["site", "geometry"]].to_crs("EPSG:5070").to_file(gpkg, driver="GPKG")
    back = read_sites(gpkg)
    assert back.loc[2, "lat"] == pytest.approx(31.99, abs=1e-6)
    with pytest.raises(DataFormatError, match="no site id column 'name'"):
        read_sites(S / "sites_sample.geojson", site_column="name")
    with pytest.raises(DataFormatError, match="sites must be points"):
        read_sites(S / "zones_sample.geojson", site_column="zone")
    with pytest.raises(DataFormatError, match="no zone id column 'ZONE_ID'"):
        assign_zones(sites, S / "zones_sample.geojson", zone_column="ZONE_ID")


def test_nearest_substation_voltage_status_and_cost_rule(sites, tmp_path):
    sub = nearest_substations(sites, SUBS, min_kv=230, grid_mw=100).set_index("site")
    assert sub.loc["abilene", "substation_name"] == "ABILENE NORTH"
    d = geodesic_km(-99.73, 32.45, -99.74, 32.50)
    assert sub.loc["abilene", "distance_km"] == pytest.approx(float(d))
    assert sub.loc["abilene", "interconnect_usd"] == pytest.approx(USD_PER_MW_KM * ROUTE_FACTOR * d * 100)
    assert sub.loc["sweetwater", "max_kv"] == 345                 # the 138 kV one next door is too small
    assert sub.loc["odessa", "substation_name"] == "ODESSA EHV"    # MAX_VOLT -999999 (unknown) is not >= 230
    assert sub.loc["waco", "substation_name"] == "WACO WEST"       # STATUS NOT AVAILABLE is skipped
    any_kv = nearest_substations(sites, SUBS).set_index("site")
    assert any_kv.loc["odessa", "substation_name"] == "ODESSA SOUTH" and np.isnan(any_kv.loc["odessa", "max_kv"])
    assert any_kv["interconnect_usd"].isna().all()                 # no grid_mw: cost per MW only
    own = nearest_substations(sites, SUBS, min_kv=230, grid_mw={"abilene": 50}, usd_per_mw_km=2000,
                              route_factor=1.0).set_index("site")
    assert own.loc["abilene", "interconnect_usd"] == pytest.approx(2000 * d * 50)
    # the same layer as a Shapefile (10-character field names) and a GeoPackage
    g = gpd.read_file(SUBS).drop(columns=["SOURCEDATE", "VAL_DATE"])  # dates: not a Shapefile field type
    for ext, driver in ((".shp", "ESRI Shapefile"), (".gpkg", "GPKG")):
        f = tmp_path / f"subs{ext}"
        g.to_file(f, driver=driver)
        again = nearest_substations(sites, f, min_kv=230).set_index("site")
        assert again.loc["abilene", "distance_km"] == pytest.approx(float(d))
    with pytest.raises(DataFormatError, match=r"no voltage column 'KV' \(voltage-like columns: MAX_VOLT, MIN_VOLT\)"):
        nearest_substations(sites, SUBS, voltage_column="KV")
    with pytest.raises(DataFormatError, match="no substation at or above 800 kV"):
        nearest_substations(sites, SUBS, min_kv=800)
    with pytest.raises(DataFormatError, match="ATBe_2024_sample.csv: cannot be read as a substations vector file"):
        nearest_substations(sites, S / "ATBe_2024_sample.csv")


def test_nearest_line(sites):
    ln = nearest_lines(sites, S / "transmission_lines_sample.geojson", min_kv=230).set_index("site")
    # sweetwater's nearest point of line 100001 is its west end (-100.38, 32.48)
    assert ln.loc["sweetwater", "line_id"] == "100001"
    assert ln.loc["sweetwater", "distance_km"] == pytest.approx(float(geodesic_km(-100.41, 32.47, -100.38, 32.48)),
                                                                rel=1e-6)
    # waco: the nearby line has VOLTAGE -999999 (unknown), so the nearest >= 230 kV one is far away
    assert ln.loc["waco", "distance_km"] > 200
    assert nearest_lines(sites, S / "transmission_lines_sample.geojson").set_index("site").loc[
        "waco", "line_id"] == "100004"


def test_eia860_plants_near_sites(sites):
    gen = read_eia860(GEN, PLANT)                                 # title row above each header
    assert {"plant_code", "lat", "lon", "nameplate_mw", "energy_source", "status"} <= set(gen.columns)
    assert len(gen) == 8 and gen["nameplate_mw"].dtype == float
    near = plants_near(sites, gen, radius_km=30)
    a = near[near["site"] == "abilene"].iloc[0]
    assert a["plant_name"] == "Mesquite Ridge Wind" and a["nameplate_mw"] == pytest.approx(250.5)
    assert a["generators"] == 2
    assert a["distance_km"] == pytest.approx(float(geodesic_km(-99.73, 32.45, -99.80, 32.52)))
    assert "Far Away Station" not in set(near["plant_name"])
    op = read_eia860(GEN, PLANT, statuses=("OP",))
    cap = capacity_near(sites, op, radius_km=30).set_index(["site", "energy_source"])
    assert cap.loc[("midland", "NG"), "nameplate_mw"] == pytest.approx(210.0)   # the standby GT2 is dropped
    proposed = read_eia860(GEN, PLANT, sheet="Proposed")
    assert list(proposed["technology"]) == ["Batteries"]
    m = read_eia860(S / "august_generator2025_sample.xlsx", statuses=("OP",))   # 860M: two title rows, own lat/lon
    assert list(m["status"]) == ["OP", "OP"] and m.loc[0, "lat"] == pytest.approx(32.52)


def test_eia860_wrong_files():
    with pytest.raises(DataFormatError, match=r"2___Plant_Y2023_sample.xlsx\[Plant\]: not an EIA-860 sheet"):
        read_eia860(PLANT)
    with pytest.raises(DataFormatError, match="has no Latitude/Longitude; pass the plant workbook"):
        read_eia860(GEN)
    with pytest.raises(DataFormatError, match="ATBe_2024_sample.csv: not an Excel workbook"):
        read_eia860(S / "ATBe_2024_sample.csv")
    with pytest.raises(DataFormatError, match="no sheet 'Operating'"):
        read_eia860(GEN, PLANT, sheet="Operating")
    with pytest.raises(DataFormatError, match=r"3_1_Generator_Y2023_sample.xlsx\[Operable\]: not an EIA-860 plant "
                                              r"sheet: missing 'Latitude', 'Longitude'"):
        read_eia860(GEN, GEN)


def test_queue_wait_both_editions():
    q = read_queued_up(Q24)                                        # Excel serial dates, title row
    assert q.loc[0, "q_date"] == pd.Timestamp("2018-03-01") and q.loc[0, "mw"] == 200
    assert queue_wait_years(Q24, region="ERCOT") == pytest.approx(3.0, abs=0.01)   # median of 3.0, 2.5, 4.0
    assert queue_wait_years(Q24, region="pjm", statistic="mean") == pytest.approx(5.5, abs=0.01)
    assert queue_wait_years(q, region="ERCOT", min_mw=200) == pytest.approx(3.5, abs=0.01)
    q25 = read_queued_up(Q25)                                      # real dates, mw_1 and IA_phase_clean renamed
    assert "mw1" in q25.columns and "IA_status_clean" in q25.columns
    assert queue_wait_years(Q25, region="ERCOT") == pytest.approx(queue_wait_years(Q24, region="ERCOT"))


def test_queue_wrong_files():
    with pytest.raises(DataFormatError, match="not an LBNL Queued Up workbook: no sheet with a 'q_id'"):
        read_queued_up(GEN)
    with pytest.raises(DataFormatError, match=r"no operational requests in region 'CAISO' \(regions: ERCOT, PJM\)"):
        queue_wait_years(Q24, region="CAISO")
    with pytest.raises(DataFormatError, match="not an LBNL Queued Up table: missing column"):
        read_queued_up(pd.DataFrame({"q_id": ["a"], "q_status": ["active"]}))
