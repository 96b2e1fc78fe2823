"""docs/own-data.md and InstanceBuilder agree: messages name real arguments and in-memory inputs,
chips defaults are announced, sources of another year are aligned by day of year on request,
write's overwrite, the data extra, every public method documented, and load_instance's
missing-file message. One test per message."""

from __future__ import annotations

import ast
import calendar
import inspect
import re
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, box

import siting
from siting.data import (
    DEFAULT_CHIPS,
    DataFormatError,
    DataWarning,
    InstanceBuilder,
    NonCommercialLicenceWarning,
    read_eia930_balance,
    read_ninja,
)

S = Path(__file__).parent / "data" / "samples"
ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "own-data.md"
SITES, ZONES = S / "sites_sample.geojson", S / "zones_sample.geojson"
PV_2019 = S / "ninja_pv_2019_full_year.csv"
H1_2024 = S / "EIA930_BALANCE_2024_Jan_Jun_sample.csv"


def builder(**kw) -> InstanceBuilder:
    args = dict(profile_year=2019, utc_offset=-6)
    args.update(kw)
    return InstanceBuilder(SITES, ZONES, **args)


def ready(b: InstanceBuilder, chips: bool = True) -> InstanceBuilder:
    """Techs (gas only: no profile needed), targets and, unless ``chips=False``, chips."""
    b.add_atb(S / "ATBe_2024_sample.csv", year=2026, techs=["gas_ct"]).set_targets({2026: 0.1})
    return b.set_chips(DEFAULT_CHIPS) if chips else b


def solar_values(b: InstanceBuilder, zone: str = "WEST") -> np.ndarray:
    """The solar profile of ``zone`` in the tables the builder assembles."""
    b.add_atb(S / "ATBe_2024_sample.csv", year=2026, techs=["solar"]).set_targets({2026: 0.1})
    p = b.frames()["profiles"]
    return p[(p["zone"] == zone) & (p["profile"] == "solar")].sort_values("hour")["value"].to_numpy()


def ninja_csv(path: Path, year: int, value) -> Path:
    """A renewables.ninja-style PV file of every UTC hour of ``year``, ``value(timestamp)`` in 0..1."""
    t = pd.date_range(f"{year}-01-01", f"{year}-12-31 23:00", freq="h")
    head = ['# Renewables.ninja Solar PV (Point API) - test file', "# Units: time in UTC, electricity in kW",
            '# {"units": {"time": "UTC", "electricity": "kW"}, "params": {"capacity": "1"}}', "time,electricity"]
    rows = [f"{ts:%Y-%m-%d %H:%M},{value(ts):.6f}" for ts in t]
    path.write_text("\n".join(head + rows) + "\n", encoding="utf-8")
    return path


def code(ts) -> float:
    """A value telling the calendar day and hour apart: (month, day, hour) -> 0..1."""
    return ((ts.month * 31 + ts.day) * 24 + ts.hour) / (14 * 31 * 24)


# -- argument names in messages ------------------------------------------------------------------------------

def test_site_outside_every_zone_names_nearest_zone():
    west = gpd.read_file(ZONES).iloc[:1]
    with pytest.raises(DataFormatError, match=r"lies in no zone polygon; fix the polygons or pass nearest_zone=True "
                                              r"to InstanceBuilder") as ei:
        InstanceBuilder(SITES, west, profile_year=2019)
    assert "pass nearest=True" not in str(ei.value)
    assert InstanceBuilder(SITES, west, profile_year=2019, nearest_zone=True).zones == ["WEST"]


def test_missing_clock_names_the_builders_utc_offset():
    b = InstanceBuilder(SITES, ZONES, profile_year=2019)              # no utc_offset; the PV file names no zone
    with pytest.warns(NonCommercialLicenceWarning), \
            pytest.raises(DataFormatError, match=r"ninja_pv_2019_full_year.csv: the file names no local time zone "
                                                 r".*; pass utc_offset= to InstanceBuilder \(e.g. -6"):
        b.add_ninja(PV_2019, profile="solar")


def test_messages_in_siting_data_name_existing_arguments():
    """Every ``pass NAME=`` of siting/data names an argument of a reader or of the builder."""
    import siting.data as data

    names = set()
    for f in (data.read_eia930_balance, data.read_atb, data.read_ninja, data.read_cambium, data.read_iso_prices,
              data.read_eia860, data.queue_wait_years, data.read_sites, data.assign_zones, data.nearest_substations,
              data.nearest_lines, *(m for n, m in inspect.getmembers(InstanceBuilder, inspect.isfunction))):
        names |= set(inspect.signature(f).parameters)
    asked = set()
    for p in (ROOT / "siting" / "data").glob("*.py"):
        asked |= set(re.findall(r"pass (\w+)", p.read_text(encoding="utf-8")))
    asked -= {"the", "a"}                                              # "pass the plant workbook", "pass a mapping"
    assert len(asked) > 10 and asked <= names, sorted(asked - names)


# -- in-memory inputs are named, with column and row ---------------------------------------------------------

def test_sites_geodataframe_rows_named():
    g = gpd.read_file(SITES)
    g.loc[1, "geometry"] = LineString([(-100.4, 32.4), (-100.3, 32.5)])
    g.loc[2, "geometry"] = None
    with pytest.raises(DataFormatError) as ei:
        InstanceBuilder(g, ZONES, profile_year=2019)
    assert ei.value.problems == [
        "sites (GeoDataFrame passed to InstanceBuilder): column 'geometry', row 2 (site sweetwater): a LineString "
        "geometry; sites must be points",
        "sites (GeoDataFrame passed to InstanceBuilder): column 'geometry', row 3 (site midland): missing geometry; "
        "sites must be points"]


def test_sites_dataframe_lat_lon_named():
    df = pd.DataFrame({"site": ["a", "b", "c", "d"], "lat": [32.4, "x", None, 32.0], "lon": [-99.7, -99.0, -99.0,
                                                                                               -190.0]})
    with pytest.raises(DataFormatError) as ei:
        InstanceBuilder(df, ZONES, profile_year=2019)
    assert ei.value.problems == [
        "sites (DataFrame passed to InstanceBuilder): column 'lat', row 2 (site b): 'x' is not a number",
        "sites (DataFrame passed to InstanceBuilder): column 'lat', row 3 (site c): blank",
        "sites (DataFrame passed to InstanceBuilder): column 'lon', row 4 (site d): -190 is outside -180..180 degrees"]


def test_sites_geodataframe_without_id_column_named():
    g = gpd.read_file(SITES).rename(columns={"site": "name"})
    with pytest.raises(DataFormatError, match=r"^sites \(GeoDataFrame passed to InstanceBuilder\): no site id column "
                                              r"'site' \(columns: name, .*\); pass site_column=$"):
        InstanceBuilder(g, ZONES, profile_year=2019)
    assert InstanceBuilder(g, ZONES, profile_year=2019, site_column="name").sites["site"].iloc[0] == "abilene"


def test_zones_geodataframe_named_and_in_readme(tmp_path):
    z = gpd.read_file(ZONES)
    with pytest.raises(DataFormatError, match=r"^zones \(GeoDataFrame passed to InstanceBuilder\): no zone id column "
                                              r"'zone'"):
        InstanceBuilder(SITES, z.rename(columns={"zone": "z"}), profile_year=2019)
    b = ready(InstanceBuilder(gpd.read_file(SITES), z, profile_year=2019, utc_offset=-6))
    b.write(tmp_path / "inst")
    readme = (tmp_path / "inst" / "README.md").read_text(encoding="utf-8")
    assert "Sites: sites (GeoDataFrame passed to InstanceBuilder) (5 sites); zones: zones (GeoDataFrame passed to " \
           "InstanceBuilder) by spatial join" in readme
    assert "<GeoDataFrame>" not in readme


def test_reader_frames_named_by_the_call():
    b = builder(profile_year=2024)
    lmp = pd.read_csv(S / "gridstatus_lmp_day_ahead_hourly_sample.csv")
    with pytest.raises(DataFormatError, match=r"^ISO prices \(DataFrame passed to add_iso_prices\): holds 2 "
                                              r"locations \(HUB_A, HUB_B\); pass location=$"):
        b.add_iso_prices(lmp, zone="CENTRAL")
    atb = pd.read_csv(S / "ATBe_2024_sample.csv")
    with pytest.raises(DataFormatError, match=r"^ATB table \(DataFrame passed to add_atb\): no rows with scenario = "
                                              r"'Mid'"):
        b.add_atb(atb, year=2026, scenario="Mid")
    b.add_atb(atb, year=2026, techs=["gas_ct"])
    assert not any("<DataFrame>" in n for n in b.notes) and any("DataFrame passed to add_atb" in n for n in b.notes)


def test_other_reader_frames_named_by_the_call():
    b = builder(profile_year=2024)
    lines = gpd.read_file(S / "transmission_lines_sample.geojson").rename(columns={"VOLTAGE": "V"})
    with pytest.raises(DataFormatError, match=r"^lines \(GeoDataFrame passed to add_lines\): no voltage column "
                                              r"'VOLTAGE' .*; pass voltage_column=$"):
        b.add_lines(lines)
    eia = pd.read_csv(H1_2024, dtype=str, keep_default_na=False)
    with pytest.raises(DataFormatError, match=r"^EIA-930 table \(DataFrame passed to add_eia930\): no rows for "
                                              r"balancing authority 'PJM'"):
        b.add_eia930(eia, zone="CENTRAL", ba="PJM")
    with pytest.raises(DataFormatError, match=r"^queue table \(DataFrame passed to add_queue\): not an LBNL Queued "
                                              r"Up table"):
        b.add_queue(pd.DataFrame({"x": [1]}), region="ERCOT")
    cambium = pd.read_csv(S / "Cambium24_MidCase_hourly_p60_2030.csv", skiprows=5, dtype=str)
    with pytest.raises(DataFormatError, match=r"^Cambium table \(DataFrame passed to add_cambium\): cannot read the "
                                              r"region from the file name; pass zone=$"):
        b.add_cambium(cambium)


def test_add_techs_without_tech_column():
    with pytest.raises(siting.InstanceError, match=r"add_techs: techs.csv rows need a 'tech' column \(columns given: "
                                                   r"name, kind\)"):
        builder().add_techs(pd.DataFrame({"name": ["gas"], "kind": ["generator"]}))


def test_set_site_refuses_unknown_and_fixed_values():
    b = builder()
    with pytest.raises(TypeError, match=r"set_site: unknown or fixed site value\(s\) \['max_it_mwx', 'zone'\]"):
        b.set_site("abilene", max_it_mwx=300, zone="CENTRAL")
    b.set_site("abilene", max_it_mw=300)
    assert b.sites.set_index("site").loc["abilene", "max_it_mw"] == 300


# -- chips default -------------------------------------------------------------------------------------------

def test_default_chips_warn_once_per_build_and_write(tmp_path):
    b = ready(builder(), chips=False)
    msg = (r"^chips: set_chips was not called; chips.csv is siting.data.DEFAULT_CHIPS, the toy instance's GB200 "
           r"\(2025-2027\), Rubin \(2027-2030\)$")
    with pytest.warns(DataWarning, match=msg) as rec:
        inst = b.build()
    assert len([w for w in rec if "set_chips" in str(w.message)]) == 1
    assert list(inst.chips["generation"]) == list(DEFAULT_CHIPS["generation"])
    with pytest.warns(DataWarning, match=msg) as rec:
        b.write(tmp_path / "inst")
    assert len([w for w in rec if "set_chips" in str(w.message)]) == 1
    assert "- chips: siting.data.DEFAULT_CHIPS (the toy instance)" in (tmp_path / "inst" / "README.md").read_text()
    b.set_chips(DEFAULT_CHIPS.iloc[:1])                                 # given: no warning (filterwarnings=error)
    assert list(b.build().chips["generation"]) == ["GB200"]


# -- write: overwrite ----------------------------------------------------------------------------------------

def test_write_twice_needs_overwrite(tmp_path):
    b = ready(builder())
    out = tmp_path / "inst"
    b.write(out)
    with pytest.raises(FileExistsError, match=r"inst: the folder exists and is not empty; pass overwrite=True to "
                                              r"write\(\) to replace the instance in it"):
        b.write(out)
    shutil.copy(out / "sites.csv", out / "supply.csv")                 # stale instance files ...
    (out / "sites.geojson").write_text("{}", encoding="utf-8")
    (out / "notes.txt").write_text("mine", encoding="utf-8")           # ... and a file of the user's
    (out / "reports" / "old.csv").write_text("x\n1\n", encoding="utf-8")
    b.set_site("abilene", max_it_mw=300)
    inst = b.write(out, overwrite=True)
    assert inst.sites.set_index("site").loc["abilene", "max_it_mw"] == 300
    assert not (out / "supply.csv").exists() and not (out / "sites.geojson").exists()
    assert not (out / "reports" / "old.csv").exists() and (out / "reports" / "site_zones.csv").is_file()
    assert (out / "notes.txt").read_text() == "mine"
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    with pytest.raises(FileExistsError, match=r"afile: is a file, not a folder"):
        b.write(tmp_path / "afile", overwrite=True)


# -- sources of another year ---------------------------------------------------------------------------------

def test_year_mismatch_names_align_year():
    b = builder(profile_year=2021)
    with pytest.warns(NonCommercialLicenceWarning), pytest.raises(
            DataFormatError, match=r"^ninja_pv_2019_full_year.csv: solar capacity factor: the data are from 2019 "
                                   r"\(they span 2018-12-31 18:00:00 to 2019-12-31 17:00:00 on a UTC-6 clock\) but "
                                   r"the profile year is 2021; pass align_year=True to add_ninja\(\) \(or to "
                                   r"InstanceBuilder, for every source\) to map them onto 2021 by day of year"):
        b.add_ninja(PV_2019, profile="solar")
    with pytest.warns(NonCommercialLicenceWarning), pytest.raises(DataFormatError, match="pass align_year=True"):
        builder(profile_year=2021, align_year=True).add_ninja(PV_2019, profile="solar", align_year=False)


def test_direct_reader_year_mismatch_mentions_the_builder_option():
    with pytest.warns(NonCommercialLicenceWarning), pytest.raises(
            DataFormatError, match=r"no value falls in 2021 .*choose the year the file covers \(year=\), or build "
                                   r"with InstanceBuilder\(\.\.\., align_year=True\)"):
        read_ninja(PV_2019, year=2021, utc_offset=-6)


def test_align_year_maps_2019_onto_2021():
    with pytest.warns(NonCommercialLicenceWarning):
        ref = read_ninja(PV_2019, year=2019, utc_offset=-6).sort_values("hour")["value"].to_numpy()
    msg = (r"^ninja_pv_2019_full_year.csv: 2019 data aligned to 2021 by day of year \(same calendar day and clock "
           r"hour; weekdays not matched\)$")
    for b, option in ((builder(profile_year=2021).set_chips(DEFAULT_CHIPS), True),       # on the call
                      (builder(profile_year=2021, align_year=True).set_chips(DEFAULT_CHIPS), None)):  # builder's
        with pytest.warns(NonCommercialLicenceWarning), pytest.warns(DataWarning, match=msg) as rec:
            b.add_ninja(PV_2019, profile="solar", align_year=option)
        assert len([w for w in rec if "aligned" in str(w.message)]) == 1
        np.testing.assert_array_equal(solar_values(b), ref)
        assert any(n.startswith("ninja_pv_2019_full_year.csv: 2019 data aligned to 2021") for n in b.notes)


@pytest.mark.parametrize(("own", "target"), [(2020, 2021), (2019, 2024)])
def test_align_year_keeps_calendar_day_across_leap_years(tmp_path, own, target):
    src = ninja_csv(tmp_path / f"pv_{own}.csv", own, code)
    b = builder(profile_year=target, utc_offset=0, align_year=True)
    leap = r"; 29 February 2020 dropped" if calendar.isleap(own) else ""
    with pytest.warns(NonCommercialLicenceWarning), pytest.warns(
            DataWarning, match=rf"pv_{own}.csv: {own} data aligned to {target} by day of year \(same calendar day "
                               rf"and clock hour{leap}; weekdays not matched\)"):
        b.add_ninja(src, profile="solar")
    got = solar_values(b.set_chips(DEFAULT_CHIPS))
    hours = pd.date_range(f"{target}-01-01", f"{target}-12-31 23:00", freq="h")
    hours = hours[~((hours.month == 2) & (hours.day == 29))]           # the target's clock: 29 Feb dropped
    np.testing.assert_allclose(got, [code(t) for t in hours], atol=1e-6)
    assert got[59 * 24] == pytest.approx(code(pd.Timestamp(f"{target}-03-01")), abs=1e-6)   # 1 March on 1 March


def test_align_year_for_grid_readers():
    with pytest.raises(DataFormatError, match=r"the data are from 2024 .* pass align_year=True to add_eia930\(\)"):
        builder(profile_year=2025).add_eia930(H1_2024, zone="CENTRAL", ba="ERCO", fill="hour_of_day")
    b = builder(profile_year=2025, align_year=True)
    with pytest.warns(DataWarning, match=r"EIA930_BALANCE_2024_Jan_Jun_sample.csv: 2024 data aligned to 2025 by day "
                                         r"of year \(same calendar day and clock hour; 29 February 2024 dropped"):
        b.add_eia930(H1_2024, zone="CENTRAL", ba="ERCO", fill="hour_of_day")
    ref = read_eia930_balance(H1_2024, year=2024, ba="ERCO", utc_offset=-6, fill="hour_of_day")
    assert b._zones.loc["CENTRAL", "grid_co2_t_per_mwh"] == pytest.approx(ref.zones.loc[0, "grid_co2_t_per_mwh"])
    with pytest.warns(DataWarning, match=r"gridstatus_lmp_day_ahead_hourly_sample.csv: 2024 data aligned to 2025"):
        b.add_iso_prices(S / "gridstatus_lmp_day_ahead_hourly_sample.csv", zone="WEST", location="HUB_A",
                         fill="hour_of_day")


# -- load_instance: a missing file names its folder ----------------------------------------------------------

@pytest.mark.parametrize("fname", ["techs.csv", "scenario.toml", "sites.csv"])
def test_load_instance_missing_file_names_folder(tmp_path, fname):
    toy = tmp_path / "toy"
    shutil.copytree(ROOT / "instances" / "toy", toy)
    (toy / fname).unlink()
    with pytest.raises(siting.InstanceError) as ei:
        siting.load_instance(toy)
    assert any(p.startswith(f"{toy / fname}: missing file") for p in ei.value.problems), ei.value.problems


# -- the page itself -----------------------------------------------------------------------------------------

def _reference(text: str) -> dict[str, str | None]:
    """Section 11 of own-data.md: method name -> its documented argument list (None for a property)."""
    sec = text.split("## 11. InstanceBuilder reference", 1)[1].split("\n## ", 1)[0]
    return {m.group(1): m.group(2) for m in re.finditer(r"^\*\*`(\w+)(\(.*?\))?`\*\*", sec, re.M)}


def _documented_args(args: str) -> list[tuple[str, str, object]]:
    """(kind, name, default) of a documented argument list, read as a Python ``def``."""
    fn = ast.parse(f"def f{args}: pass").body[0].args
    out = [("positional", a.arg, inspect.Parameter.empty) for a in fn.args[:len(fn.args) - len(fn.defaults)]]
    out += [("positional", a.arg, ast.literal_eval(d)) for a, d in zip(fn.args[len(fn.args) - len(fn.defaults):],
                                                                       fn.defaults)]
    out += [("keyword", a.arg, inspect.Parameter.empty if d is None else ast.literal_eval(d))
            for a, d in zip(fn.kwonlyargs, fn.kw_defaults)]
    if fn.kwarg:
        out.append(("**", fn.kwarg.arg, inspect.Parameter.empty))
    return out


def test_doc_documents_every_public_method_with_its_signature():
    documented = _reference(DOC.read_text(encoding="utf-8"))
    public = {n for n in dir(InstanceBuilder) if not n.startswith("_")}
    assert public <= set(documented), sorted(public - set(documented))
    assert documented.pop("zones") is None and isinstance(InstanceBuilder.zones, property)
    for name, args in documented.items():
        fn = InstanceBuilder.__init__ if name == "InstanceBuilder" else getattr(InstanceBuilder, name)
        kinds = {inspect.Parameter.POSITIONAL_OR_KEYWORD: "positional", inspect.Parameter.KEYWORD_ONLY: "keyword",
                 inspect.Parameter.VAR_KEYWORD: "**"}
        real = [(kinds[p.kind], p.name, p.default) for p in inspect.signature(fn).parameters.values()
                if p.name != "self"]
        assert _documented_args(args) == real, name


def test_doc_install_names_the_data_extra():
    text = DOC.read_text(encoding="utf-8")
    assert "pip install openpyxl" not in text
    assert 'pip install "siting[data]"' in text and 'pip install -e ".[data]"' in text
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert any(d.startswith("openpyxl") for d in extras["data"])
    from siting._extras import EXTRAS

    assert EXTRAS["openpyxl"] == "data"


def test_doc_states_the_messages_the_code_gives():
    text = DOC.read_text(encoding="utf-8")
    for line in ("pass overwrite=True to write() to replace the instance in it",
                 "chips: set_chips was not called; chips.csv is siting.data.DEFAULT_CHIPS, the toy instance's GB200 "
                 "(2025-2027), Rubin (2027-2030)",
                 "2019 data aligned to 2021 by day of year (same calendar day and clock hour; weekdays not matched)",
                 "pass nearest_zone=True to InstanceBuilder", "pass utc_offset= to InstanceBuilder",
                 "sites (GeoDataFrame passed to InstanceBuilder): column 'geometry', row 2 (site sweetwater)"):
        assert line in text, line
    assert "nearest=True" not in text.replace("nearest_zone=True", "")
    assert "http" not in text.split("## 11. InstanceBuilder reference")[1].split("## 12.")[0]


def test_zone_geodataframe_outside_polygons_named():
    bare = gpd.GeoDataFrame({"zone": ["WEST"]}, geometry=[box(-104, 29, -100, 34.5)], crs="EPSG:4326")
    with pytest.raises(DataFormatError, match=r"^zones \(GeoDataFrame passed to InstanceBuilder\): site abilene "):
        InstanceBuilder(SITES, bare, profile_year=2019)
