"""Exports: Results.to_folder in csv / parquet / xlsx, read_results round trips, sites_geo (issue 4)."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import siting
from siting.results import TABLE_NAMES, Results


@pytest.fixture(scope="module")
def res():
    return siting.solve(siting.load_instance("toy"))


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_round_trip_is_exact(res, tmp_path, fmt):
    out = res.to_folder(tmp_path / "out", format=fmt)
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{n}.{fmt}" for n in TABLE_NAMES] + ["results.json"])
    back = siting.read_results(out)
    assert list(back.tables) == list(TABLE_NAMES)
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(back.tables[name], res.tables[name], check_dtype=True, check_exact=True,
                                      obj=f"{fmt} {name}")
        assert isinstance(back.tables[name].index, pd.RangeIndex)
    assert back.scenario == res.scenario
    assert back.meta() == res.meta()
    assert back == res


def test_results_json_carries_scenario_and_dtypes(res, tmp_path):
    out = res.to_folder(tmp_path / "out")
    meta = json.loads((out / "results.json").read_text())
    assert meta["format"] == "csv"
    assert meta["scenario"] == json.loads(json.dumps(res.scenario))
    assert meta["instance"] == "toy" and meta["status"] == res.status
    assert [c for c, _ in meta["schema"]["sites"]] == list(res.sites.columns)


def test_equality_sees_a_changed_value_or_dtype(res):
    same = Results(tables={k: v.copy() for k, v in res.tables.items()}, status=res.status, objective=res.objective,
                   mip_gap=res.mip_gap, solve_seconds=res.solve_seconds, model_size=res.model_size,
                   timings=res.timings, scenario=res.scenario, instance_name=res.instance_name)
    assert same == res
    same.tables["summary"] = res.summary.assign(year=res.summary["year"].astype("int32"))
    assert same != res
    same.tables["summary"] = res.summary.assign(it_gw=res.summary["it_gw"] + 1e-12)
    assert same != res


def awkward_results() -> Results:
    """Dtypes and values a CSV round trip can get wrong."""
    t = pd.DataFrame({
        "name": pd.array(["a", None, "c,d", 'say "hi"'], dtype="str"),
        "count": np.array([1, -2, 3, 2**40], dtype="int64"),
        "maybe": pd.array([1, None, 3, 4], dtype="Int64"),
        "flag": np.array([True, False, True, False]),
        "x": np.array([0.1 + 0.2, -0.0, np.nan, 1e-310]),
        "big": np.array([np.inf, -np.inf, 1.7976931348623157e308, 2.0 / 3.0]),
        "small": np.array([1.5, 2.5, 3.5, 4.5], dtype="float32"),
        "kind": pd.Categorical(["u", "v", "u", None], categories=["v", "u"]),
        "when": pd.to_datetime(["2026-01-01 00:00", "2027-06-30 12:00", None, "2028-12-31 23:59:59.5"],
                               format="ISO8601").as_unit("ns"),
        "obj": pd.Series(["p", "q", None, "s"], dtype=object),
    })
    r = Results(tables={}, status="optimal", objective=1.0 / 3.0, mip_gap=0.0, solve_seconds=0.5,
                scenario={"years": [2026, 2027], "nested": {"k": 0.07}}, instance_name="awkward")
    r.tables = {"summary": t, "empty": t.iloc[:0]}  # as they are: Results(tables=...) would clean the floats
    return r


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_round_trip_of_awkward_dtypes(tmp_path, fmt):
    r = awkward_results()
    back = siting.read_results(r.to_folder(tmp_path / "out", format=fmt))
    for name in ("summary", "empty"):
        pd.testing.assert_frame_equal(back.tables[name], r.tables[name], check_dtype=True, check_exact=True,
                                      check_categorical=True, obj=f"{fmt} {name}")
    assert back == r


def test_xlsx_has_one_sheet_per_table(res, tmp_path):
    from openpyxl import load_workbook

    out = res.to_folder(tmp_path / "out", format="xlsx")
    assert sorted(p.name for p in out.iterdir()) == ["results.json", "results.xlsx"]
    wb = load_workbook(out / "results.xlsx", read_only=True)
    assert wb.sheetnames == list(TABLE_NAMES)
    for name in TABLE_NAMES:
        rows = list(wb[name].iter_rows(values_only=True))
        assert list(rows[0]) == list(res.tables[name].columns), name
        assert len(rows) == len(res.tables[name]) + 1, name
    wb.close()
    # read back: same tables and dtypes; Excel keeps about 15 significant digits
    back = siting.read_results(out)
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(back.tables[name], res.tables[name], check_dtype=True, rtol=1e-12,
                                      atol=1e-9, obj=f"xlsx {name}")


def test_to_folder_is_atomic_and_replaces(res, tmp_path):
    out = tmp_path / "out"
    res.to_folder(out, format="parquet")
    (out / "stale.txt").write_text("old")
    res.to_folder(out, format="csv")
    assert not (out / "stale.txt").exists() and not list(out.glob("*.parquet"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder left beside it
    with pytest.raises(FileExistsError):
        res.to_folder(out, overwrite=False)
    with pytest.raises(ValueError, match="format"):
        res.to_folder(tmp_path / "other", format="json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_reads_a_folder_written_before_the_schema(res, tmp_path):
    out = res.to_folder(tmp_path / "out")
    meta = json.loads((out / "results.json").read_text())
    old = {k: meta[k] for k in ("instance", "status", "objective_usd", "mip_gap", "solve_seconds", "model_size",
                                "timings")}
    (out / "results.json").write_text(json.dumps(old))
    back = siting.read_results(out)
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(back.tables[name], res.tables[name], check_dtype=False, check_exact=True)
    assert back.scenario == {}


def test_sites_geo(res, tmp_path):
    g = res.sites_geo()
    assert isinstance(g, gpd.GeoDataFrame)
    assert g.crs.to_epsg() == 4326
    assert (g.geometry.geom_type == "Point").all()
    sites = res.sites.drop_duplicates("site")
    assert list(g["site"]) == list(sites["site"])  # every candidate, in order
    np.testing.assert_array_equal(g.geometry.x, sites["lon"])
    np.testing.assert_array_equal(g.geometry.y, sites["lat"])
    opened = res.sites[res.sites["open"] > 0]
    assert set(g.loc[g["chosen"], "site"]) == set(opened["site"])
    first = opened.groupby("site")["year"].min()
    for s, fy in zip(g["site"], g["first_year"], strict=True):
        assert (pd.isna(fy) and s not in first) or fy == first[s]
    for y in res.sites["year"].unique():
        col = res.sites[res.sites["year"] == y].set_index("site")["it_mw"]
        np.testing.assert_array_equal(g[f"it_mw_{y}"], col.reindex(g["site"]).to_numpy())

    g.to_file(tmp_path / "sites.geojson", driver="GeoJSON")
    g.to_file(tmp_path / "sites.gpkg", layer="sites", driver="GPKG")
    for f in ("sites.geojson", "sites.gpkg"):
        back = gpd.read_file(tmp_path / f)
        assert list(back["site"]) == list(g["site"]), f
        assert back.crs.to_epsg() == 4326, f
        np.testing.assert_allclose(back.geometry.x, g.geometry.x)
        np.testing.assert_allclose(back.geometry.y, g.geometry.y)
        assert list(back["chosen"]) == list(g["chosen"]), f
        np.testing.assert_allclose(back["it_mw"], g["it_mw"])


def test_results_clean_their_floats_but_read_back_what_was_written(tmp_path):
    """Made with noise, Results hold clean values (1999.9999999999986 -> 2000, 2.2e-16 -> 0); a folder is read
    back exactly as written, even one holding noise."""
    t = pd.DataFrame({"it_mw": [1999.9999999999986, -9.09e-13, 0.1 + 0.2], "share": [2.2e-16, 0.5, 1.0]})
    r = Results(tables={"summary": t}, status="optimal", objective=1.0, mip_gap=0.0, solve_seconds=0.0)
    assert r.summary["it_mw"].tolist() == [2000.0, 0.0, 0.3] and r.summary["share"].tolist() == [0.0, 0.5, 1.0]
    assert "1999.99" not in (r.to_folder(tmp_path / "clean") / "summary.csv").read_text()
    raw = awkward_results()
    back = siting.read_results(raw.to_folder(tmp_path / "raw"))
    assert back.summary["x"].iloc[0] == 0.1 + 0.2
