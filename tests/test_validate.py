"""Bad input: one test per error message of siting/validate.py and siting/instance.py.

Each test copies the bundled toy instance to a temporary folder, corrupts one thing and
checks that :func:`siting.load_instance` raises :class:`siting.InstanceError` whose
``problems`` hold a line naming the file, the column and the row (or the id) the way the
message does. Most tests also check that the corruption gives exactly the lines expected,
so a problem does not drown in follow-on noise.

At the end: several problems are reported together, an unknown extra column is accepted,
and sites given as GeoJSON / GeoPackage (in WGS84 and in a projected CRS) load to the same
coordinates and solve to the same objective as the CSV.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import siting

TOY = Path(__file__).resolve().parents[1] / "instances" / "toy"


# -- helpers ---------------------------------------------------------------------------------------

@pytest.fixture
def toy(tmp_path) -> Path:
    """A fresh copy of the toy instance."""
    d = tmp_path / "toy"
    shutil.copytree(TOY, d)
    return d


def replace(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in a text file (failing loudly if it is not there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}: the toy changed, update the test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(folder) -> list[str]:
    with pytest.raises(siting.InstanceError) as ei:
        siting.load_instance(folder)
    problems = ei.value.problems
    assert problems, "InstanceError without any problem line"
    assert str(ei.value) == "\n".join(problems)
    return problems


def lines_with(problems: list[str], *parts: str) -> list[str]:
    return [line for line in problems if all(p in line for p in parts)]


def expect(problems: list[str], *parts: str, count: int | None = 1, total: int | None = 1) -> None:
    """``count`` lines contain every one of ``parts``; ``total`` lines in all (None: do not check)."""
    hits = lines_with(problems, *parts)
    assert hits, f"no line contains {parts}; got:\n" + "\n".join(problems)
    if count is not None:
        assert len(hits) == count, f"{len(hits)} lines contain {parts}, expected {count}:\n" + "\n".join(problems)
    if total is not None:
        assert len(problems) == total, f"{len(problems)} lines, expected {total}:\n" + "\n".join(problems)


def edit_csv(path: Path, fn) -> None:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    fn(df).to_csv(path, index=False)


def with_site_column(p: pd.DataFrame) -> pd.DataFrame:
    p = p.copy()
    p.insert(1, "site", "")
    return p


# -- files -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("fname", ["targets.csv", "zones.csv", "techs.csv", "chips.csv", "profiles.csv"])
def test_missing_csv_file(toy, fname):
    (toy / fname).unlink()
    expect(problems_of(toy), f"{fname}: missing file")


def test_missing_sites_file(toy):
    (toy / "sites.csv").unlink()
    expect(problems_of(toy), "sites.csv: missing file", "sites.geojson")


def test_two_sites_files(toy):
    shutil.copy(toy / "sites.csv", toy / "sites.geojson")
    expect(problems_of(toy), "more than one sites file", "sites.csv", "sites.geojson")


def test_csv_not_utf8(toy):
    p = toy / "zones.csv"
    p.write_bytes(p.read_bytes().replace(b"PJM,70.3", "PJ\u00c9,70.3".encode("latin-1")))
    expect(problems_of(toy), "zones.csv: not UTF-8")


def test_csv_with_utf8_bom_is_accepted(toy):
    p = toy / "zones.csv"
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    assert list(siting.load_instance(toy).zones["zone"]) == ["ERCOT", "PJM"]


def test_csv_empty(toy):
    (toy / "chips.csv").write_text("")
    expect(problems_of(toy), "chips.csv: the file is empty")


def test_csv_duplicated_header_column(toy):
    # pandas renames a repeated header to 'headroom_mw.1'; the loader must still see the repeat
    replace(toy / "zones.csv", "grid_co2_t_per_mwh,headroom_mw", "grid_co2_t_per_mwh,headroom_mw,headroom_mw")
    replace(toy / "zones.csv", "ERCOT,66.0,0.377,", "ERCOT,66.0,0.377,,")
    replace(toy / "zones.csv", "PJM,70.3,0.403,", "PJM,70.3,0.403,,")
    expect(problems_of(toy), "zones.csv", "'headroom_mw'", "more than once")


def test_csv_unreadable(toy):
    replace(toy / "zones.csv", "PJM,70.3,0.403,", "PJM,70.3,0.403,,1,2")
    expect(problems_of(toy), "zones.csv: cannot be read as CSV", "line 3")


# -- sites as a vector file --------------------------------------------------------------------------

def write_sites_vector(folder: Path, suffix: str, crs: str = "EPSG:4326", geoms=None) -> Path:
    """Replace folder/sites.csv by a vector file with the same rows (points from lat/lon)."""
    import geopandas as gpd

    df = pd.read_csv(folder / "sites.csv")
    geometry = geoms if geoms is not None else gpd.points_from_xy(df["lon"], df["lat"])
    g = gpd.GeoDataFrame(df.drop(columns=["lat", "lon"]), geometry=geometry, crs="EPSG:4326")
    if crs != "EPSG:4326":
        g = g.to_crs(crs)
    (folder / "sites.csv").unlink()
    out = folder / f"sites{suffix}"
    g.to_file(out)
    return out


def test_sites_vector_unreadable(toy):
    (toy / "sites.csv").unlink()
    (toy / "sites.geojson").write_text("this is not GeoJSON")
    expect(problems_of(toy), "sites.geojson: cannot be read as a vector file")


def toy_points(folder: Path) -> list:
    import geopandas as gpd

    df = pd.read_csv(folder / "sites.csv")
    return list(gpd.points_from_xy(df["lon"], df["lat"]))


def test_sites_vector_non_point(toy):
    from shapely.geometry import LineString

    geoms = toy_points(toy)
    geoms[1] = LineString([(-102.1, 31.9), (-102.0, 32.0)])
    write_sites_vector(toy, ".geojson", geoms=geoms)
    expect(problems_of(toy), "sites.geojson: column 'geometry', row 2", "LineString", "must be points", total=None)


def test_sites_vector_null_geometry_is_named_plainly(toy):
    geoms = toy_points(toy)
    geoms[1] = None
    write_sites_vector(toy, ".geojson", geoms=geoms)
    problems = problems_of(toy)
    hits = lines_with(problems, "sites.geojson: column 'geometry', row 2")
    assert len(hits) == 1, problems
    # the line should say the geometry is missing, not print a Python repr of it
    assert " nan " not in hits[0] and "None" not in hits[0], hits[0]


# -- one column of one file ------------------------------------------------------------------------

def test_missing_required_column(toy):
    edit_csv(toy / "sites.csv", lambda d: d.drop(columns="pue"))
    expect(problems_of(toy), "sites.csv: required column 'pue' is missing")


CELL_CASES = [
    # id, file, old text, new text, expected line prefix, expected phrase
    ("not-a-number", "sites.csv", "39040000", "39M",
     "sites.csv: column 'site_capex_usd', row 1 (site abilene):", "value '39M' is not a number"),
    ("nan-is-not-a-number", "zones.csv", "PJM,70.3", "PJM,nan",
     "zones.csv: column 'grid_price_usd_per_mwh', row 2 (zone PJM):", "value 'nan' is not a number"),
    ("not-an-integer", "chips.csv", "Rubin,2027", "Rubin,soon",
     "chips.csv: column 'first_year', row 2 (generation Rubin):", "value 'soon' is not an integer"),
    ("not-a-whole-number", "chips.csv", "Rubin,2027", "Rubin,2027.5",
     "chips.csv: column 'first_year', row 2 (generation Rubin):", "value '2027.5' is not a whole number"),
    ("not-true-false", "techs.csv", ",solar,true", ",solar,maybe",
     "techs.csv: column 'clean', row 2 (tech solar):", "value 'maybe' is not true or false"),
    ("not-finite", "zones.csv", "PJM,70.3", "PJM,inf",
     "zones.csv: column 'grid_price_usd_per_mwh', row 2 (zone PJM):", "value 'inf' is not finite"),
    ("negative", "sites.csv", "39040000", "-39040000",
     "sites.csv: column 'site_capex_usd', row 1 (site abilene):", "is negative; it must be >= 0"),
    ("below-min", "sites.csv", "1.15,2026", "0.9,2026",
     "sites.csv: column 'pue', row 1 (site abilene):", "value 0.9 is below 1; it must be >= 1"),
    ("above-max", "sites.csv", "abilene,ERCOT,32.45", "abilene,ERCOT,95",
     "sites.csv: column 'lat', row 1 (site abilene):", "value 95 is above 90"),
    ("above-max-efficiency", "techs.csv", "4,0.85", "4,1.2",
     "techs.csv: column 'roundtrip_efficiency', row 3 (tech battery):", "value 1.2 is above 1"),
    ("value-missing", "sites.csv", "abilene,ERCOT", "abilene,",
     "sites.csv: column 'zone', row 1 (site abilene):", "value is missing"),
    ("hour-above-8759", "profiles.csv", "ERCOT,solar,0,", "ERCOT,solar,8760,",
     "profiles.csv: column 'hour', row 1:", "value 8760 is above 8759"),
]


@pytest.mark.parametrize("fname, old, new, prefix, phrase", [c[1:] for c in CELL_CASES],
                         ids=[c[0] for c in CELL_CASES])
def test_bad_cell(toy, fname, old, new, prefix, phrase):
    replace(toy / fname, old, new)
    problems = problems_of(toy)
    expect(problems, prefix, phrase, total=None)
    assert len(problems) == 1, problems


def test_many_rows_with_one_problem_are_summarised(toy):
    lines = (toy / "profiles.csv").read_text().splitlines()
    for i in range(1, 26):  # 25 data rows with a negative value
        z, prof, h, _ = lines[i].split(",")
        lines[i] = f"{z},{prof},{h},-1"
    (toy / "profiles.csv").write_text("\n".join(lines) + "\n")
    problems = problems_of(toy)
    expect(problems, "profiles.csv: column 'value', row ", "is negative", count=10, total=None)
    expect(problems, "profiles.csv: column 'value': 15 more rows with the same problem", total=11)


# -- cross-table checks ----------------------------------------------------------------------------

DUPLICATE_CASES = [
    ("sites.csv", "midland,ERCOT", "abilene,ERCOT", "sites.csv: column 'site', row 2:", "duplicate id 'abilene'"),
    ("zones.csv", "PJM,70.3", "ERCOT,70.3", "zones.csv: column 'zone', row 2:", "duplicate id 'ERCOT'"),
    ("techs.csv", "solar,generator", "gas_ct,generator", "techs.csv: column 'tech', row 2:",
     "duplicate id 'gas_ct'"),
    ("chips.csv", "Rubin,", "GB200,", "chips.csv: column 'generation', row 2:", "duplicate id 'GB200'"),
    ("targets.csv", "2027,0.2", "2026,0.2", "targets.csv: column 'year', row 2:", "duplicate id '2026'"),
]


@pytest.mark.parametrize("fname, old, new, prefix, phrase", DUPLICATE_CASES,
                         ids=[c[0].removesuffix(".csv") for c in DUPLICATE_CASES])
def test_duplicate_id(toy, fname, old, new, prefix, phrase):
    replace(toy / fname, old, new)
    # a duplicated zone id also leaves PJM unknown: those follow-on lines are expected there
    expect(problems_of(toy), prefix, phrase, total=None if fname == "zones.csv" else 1)


def test_targets_without_target_column(toy):
    (toy / "targets.csv").write_text("year\n2026\n2027\n")
    expect(problems_of(toy), "targets.csv: needs a column 'it_gw' or 'compute_eflops'")


def test_target_year_not_in_scenario_years(toy):
    replace(toy / "targets.csv", "2028,0.3", "2029,0.3")
    expect(problems_of(toy), "targets.csv: column 'year', row 3:", "year 2029 is not one of scenario.toml years")


def test_site_in_unknown_zone(toy):
    replace(toy / "sites.csv", "midland,ERCOT", "midland,MISO")
    expect(problems_of(toy), "sites.csv: column 'zone', row 2 (site midland):", "unknown zone 'MISO'", "zones.csv")


def test_max_it_mw_not_a_multiple_of_module_mw(toy):
    replace(toy / "sites.csv", "abilene,ERCOT,32.45,-99.73,200", "abilene,ERCOT,32.45,-99.73,210")
    expect(problems_of(toy), "sites.csv: column 'max_it_mw', row 1 (site abilene):",
           "210 MW is not a whole multiple of module_mw 50 MW")


def test_module_mw_zero(toy):
    replace(toy / "sites.csv", "abilene,ERCOT,32.45,-99.73,200,50", "abilene,ERCOT,32.45,-99.73,200,0")
    expect(problems_of(toy), "sites.csv: column 'module_mw', row 1 (site abilene):", "must be > 0")


def test_kind_not_generator_or_storage(toy):
    replace(toy / "techs.csv", "solar,generator", "solar,generater")
    expect(problems_of(toy), "techs.csv: column 'kind', row 2 (tech solar):", "'generater' is not 'generator' or "
           "'storage'")


@pytest.mark.parametrize("new, col", [
    ("15,2026,,,,false,,0.85", "storage_hours"),
    ("15,2026,,,,false,0,0.85", "storage_hours"),
    ("15,2026,,,,false,4,", "roundtrip_efficiency"),
    ("15,2026,,,,false,4,0", "roundtrip_efficiency"),
], ids=["hours-blank", "hours-zero", "efficiency-blank", "efficiency-zero"])
def test_storage_needs_hours_and_efficiency(toy, new, col):
    replace(toy / "techs.csv", "15,2026,,,,false,4,0.85", new)
    expect(problems_of(toy), f"techs.csv: column '{col}', row 3 (tech battery):", "a storage tech needs a value > 0")


def test_storage_with_a_profile(toy):
    replace(toy / "techs.csv", "15,2026,,,,false,4,0.85", "15,2026,,,solar,false,4,0.85")
    expect(problems_of(toy), "techs.csv: column 'profile', row 3 (tech battery):", "a storage tech takes no profile")


def test_unit_mw_zero(toy):
    replace(toy / "techs.csv", "30,2026,,50,,false", "30,2026,,0,,false")
    expect(problems_of(toy), "techs.csv: column 'unit_mw', row 1 (tech gas_ct):", "must be > 0 or blank")


def test_chip_first_year_after_last_year(toy):
    replace(toy / "chips.csv", "Rubin,2027,2030", "Rubin,2031,2030")
    expect(problems_of(toy), "chips.csv: column 'first_year', row 2 (generation Rubin):",
           "first_year 2031 is after last_year 2030")


# -- profiles --------------------------------------------------------------------------------------

def test_profile_row_with_zone_and_site(toy):
    edit_csv(toy / "profiles.csv", lambda p: with_site_column(p).assign(
        site=lambda d: ["midland"] + [""] * (len(d) - 1)))
    # the row is set aside, so its hour is also reported missing (one follow-on line)
    expect(problems_of(toy), "profiles.csv: column 'zone', row 1:", "give a zone or a site, not both", total=2)


def test_profile_row_with_neither_zone_nor_site(toy):
    edit_csv(toy / "profiles.csv", lambda p: p.assign(zone=lambda d: [""] + list(d["zone"][1:])))
    expect(problems_of(toy), "profiles.csv: column 'zone', row 1:", "give a zone or a site", total=2)


def test_profile_unknown_zone(toy):
    edit_csv(toy / "profiles.csv", lambda p: p.assign(zone=p["zone"].replace("PJM", "MISO")))
    problems = problems_of(toy)
    # PJM rows start at data row 17521 (two ERCOT profiles of 8760 hours come first)
    expect(problems, "profiles.csv: column 'zone', row 17521:", "unknown zone 'MISO'", "zones.csv", "17520 rows",
           total=None)
    assert len(lines_with(problems, "unknown zone")) == 1, problems


def test_profile_unknown_site(toy):
    def add(p):
        p = with_site_column(p)
        extra = p[(p["zone"] == "PJM") & (p["profile"] == "solar")].assign(zone="", site="nowhere")
        return pd.concat([p, extra])

    edit_csv(toy / "profiles.csv", add)
    expect(problems_of(toy), "profiles.csv: column 'site', row 35041:", "unknown site 'nowhere'", "sites.csv",
           total=None)


def test_site_profile_overrides_zone_profile(toy):
    def add(p):
        p = with_site_column(p)
        extra = p[(p["zone"] == "PJM") & (p["profile"] == "solar")].assign(zone="", site="new_albany")
        return pd.concat([p, extra])

    edit_csv(toy / "profiles.csv", add)
    inst = siting.load_instance(toy)
    assert (inst.profiles["site"] == "new_albany").sum() == 8760


def test_profile_used_by_no_tech(toy):
    edit_csv(toy / "profiles.csv", lambda p: pd.concat(
        [p, p[(p["zone"] == "PJM") & (p["profile"] == "solar")].assign(profile="wind")]))
    expect(problems_of(toy), "profiles.csv: column 'profile':", "profile 'wind' is used by no tech")


def test_profile_hours_missing(toy):
    lines = (toy / "profiles.csv").read_text().splitlines()
    del lines[6:8]  # ERCOT solar hours 5 and 6
    (toy / "profiles.csv").write_text("\n".join(lines) + "\n")
    expect(problems_of(toy), "profiles.csv: column 'hour' (zone ERCOT, profile solar):", "2 hours missing",
           "5, 6")


def test_profile_hours_duplicated(toy):
    with open(toy / "profiles.csv", "a") as f:
        f.write("ERCOT,solar,7,0.0\n")
    expect(problems_of(toy), "profiles.csv: column 'hour' (zone ERCOT, profile solar):",
           "1 hour given more than once", "(first: 7)")


def test_profile_not_given_for_a_zone(toy):
    edit_csv(toy / "profiles.csv", lambda p: p[~((p["zone"] == "PJM") & (p["profile"] == "solar"))])
    expect(problems_of(toy), "profiles.csv: column 'profile':", "profile 'solar' (used by tech solar) is not given "
           "for zone 'PJM' (site new_albany)")


# -- scenario.toml ---------------------------------------------------------------------------------

def test_scenario_missing_file(toy):
    (toy / "scenario.toml").unlink()
    expect(problems_of(toy), "scenario.toml: missing file")


def test_scenario_not_utf8(toy):
    p = toy / "scenario.toml"
    p.write_bytes(p.read_bytes().replace(b'name = "toy"', b'name = "to\xe9"'))
    problems = problems_of(toy)
    expect(problems, "scenario.toml: not UTF-8 text", total=None)
    # the keys may well be in the file: "required key ... is missing" would mislead
    assert not lines_with(problems, "required key"), problems


def test_scenario_invalid_toml(toy):
    replace(toy / "scenario.toml", 'name = "toy"', "name = toy")
    problems = problems_of(toy)
    expect(problems, "scenario.toml: not valid TOML", "line 4", total=None)
    # the keys are in the file, it only failed to parse: "required key ... is missing" would mislead
    assert not lines_with(problems, "required key"), problems


def test_scenario_missing_key(toy):
    replace(toy / "scenario.toml", "dollar_year = 2025", "")
    expect(problems_of(toy), "scenario.toml: required key 'dollar_year' is missing")


@pytest.mark.parametrize("old, new, phrase", [
    ('name = "toy"', "name = 3", "key 'name' must be a string"),
    ("dollar_year = 2025", "dollar_year = 2025.5", "key 'dollar_year' must be a whole number, got 2025.5"),
    ("discount_rate = 0.07", 'discount_rate = "7%"', "key 'discount_rate' must be a number, got '7%'"),
    ("discount_rate = 0.07", "discount_rate = true", "key 'discount_rate' must be a number, got True"),
    ("typical_days = 2", 'typical_days = "2"', "key [time] 'typical_days' must be a whole number, got '2'"),
    ("mip_gap = 1e-4", 'mip_gap = 1e-4\nlog = "yes"', "key [solver] 'log' must be true or false, got 'yes'"),
    ("carbon_price_usd_per_t = 0.0", 'carbon_price_usd_per_t = "a"',
     "key [policy] 'carbon_price_usd_per_t' must be a number, got 'a'"),
], ids=["str", "int", "float", "float-not-bool", "time-int", "solver-bool", "policy-float"])
def test_scenario_wrong_type(toy, old, new, phrase):
    replace(toy / "scenario.toml", old, new)
    expect(problems_of(toy), f"scenario.toml: {phrase}")


def test_scenario_section_not_a_table(toy):
    replace(toy / "scenario.toml", '[time]\nmode = "typical_days"\ntypical_days = 2', "time = 3")
    # one problem, one line (not one per key the table may hold)
    expect(problems_of(toy), "scenario.toml: [time] must be a table")


@pytest.mark.parametrize("years", ["[]", '"2026"', "[2026, 2027.5]"], ids=["empty", "string", "fraction"])
def test_scenario_years_not_a_list_of_years(toy, years):
    replace(toy / "scenario.toml", "years = [2026, 2027, 2028]", f"years = {years}")
    expect(problems_of(toy), "scenario.toml: key 'years' must be a non-empty list of whole years")


@pytest.mark.parametrize("years", ['"2026"', "2026"], ids=["string", "number"])
def test_scenario_years_not_a_list_with_a_per_year_policy(toy, years):
    # the per-year policy check must not crash on years that are not a list
    replace(toy / "scenario.toml", "years = [2026, 2027, 2028]", f"years = {years}")
    replace(toy / "scenario.toml", "carbon_price_usd_per_t = 0.0", "clean_share = {2026 = 0.5}")
    expect(problems_of(toy), "scenario.toml: key 'years' must be a non-empty list of whole years", total=None)


def test_scenario_years_not_increasing(toy):
    replace(toy / "scenario.toml", "years = [2026, 2027, 2028]", "years = [2026, 2028, 2027]")
    expect(problems_of(toy), "scenario.toml: key 'years': years must be strictly increasing",
           "[2026, 2028, 2027]")


@pytest.mark.parametrize("rate", ["1.5", "-0.01", "1"])
def test_scenario_discount_rate_out_of_range(toy, rate):
    replace(toy / "scenario.toml", "discount_rate = 0.07", f"discount_rate = {rate}")
    expect(problems_of(toy), "scenario.toml: key 'discount_rate' must be in [0, 1)", f"got {rate}")


def test_scenario_bad_time_mode(toy):
    replace(toy / "scenario.toml", 'mode = "typical_days"', 'mode = "weekly"')
    expect(problems_of(toy), "scenario.toml: [time] 'mode' must be \"typical_days\" or \"full_year\"", "'weekly'")


@pytest.mark.parametrize("k", [0, 366])
def test_scenario_typical_days_out_of_range(toy, k):
    replace(toy / "scenario.toml", "typical_days = 2", f"typical_days = {k}")
    expect(problems_of(toy), "scenario.toml: [time] 'typical_days' must be between 1 and 365", f"got {k}")


def test_scenario_unknown_top_level_key(toy):
    replace(toy / "scenario.toml", "dollar_year = 2025", 'dollar_year = 2025\ncolour = "red"')
    expect(problems_of(toy), "scenario.toml: unknown key 'colour'")


def test_scenario_unknown_key_in_a_table(toy):
    replace(toy / "scenario.toml", "mip_gap = 1e-4", "mip_gap = 1e-4\ngap = 0.1")
    expect(problems_of(toy), "scenario.toml: unknown key [solver] 'gap'")


@pytest.mark.parametrize("new, phrase", [
    ('co2_cap_t = "a lot"', "key [policy] 'co2_cap_t' must be a number or a table of year = number"),
    ('co2_cap_t = {2026 = "x"}', "key [policy] 'co2_cap_t' must be a number or a table of year = number"),
    ("co2_cap_t = -1", "key [policy] 'co2_cap_t' must be >= 0"),
    ("clean_share = {2026 = -0.5}", "key [policy] 'clean_share' must be >= 0"),
    ("clean_share = 1.5", "key [policy] 'clean_share' must be between 0 and 1"),
    ("clean_share = {2030 = 0.5}", "key [policy] 'clean_share': '2030' is not one of the years [2026, 2027, 2028]"),
    ("co2_cap_t = {next = 1e6}", "key [policy] 'co2_cap_t': 'next' is not one of the years"),
], ids=["not-a-number", "table-not-numbers", "negative", "negative-in-table", "share-above-1", "unknown-year",
        "not-a-year"])
def test_scenario_policy_values(toy, new, phrase):
    replace(toy / "scenario.toml", "carbon_price_usd_per_t = 0.0", new)
    expect(problems_of(toy), f"scenario.toml: {phrase}")


def test_scenario_policy_per_year_is_accepted(toy):
    replace(toy / "scenario.toml", "carbon_price_usd_per_t = 0.0",
            "carbon_price_usd_per_t = 0.0\nco2_cap_t = {2026 = 1e7, 2028 = 5e6}\nclean_share = 0.1")
    inst = siting.load_instance(toy)
    assert inst.policy("co2_cap_t", 2028) == 5e6
    assert inst.policy("co2_cap_t", 2027) is None
    assert inst.policy("clean_share", 2027) == 0.1


def test_scenario_negative_carbon_price(toy):
    # a negative price would pay the plan for every tonne it emits
    replace(toy / "scenario.toml", "carbon_price_usd_per_t = 0.0", "carbon_price_usd_per_t = -50.0")
    expect(problems_of(toy), "scenario.toml:", "'carbon_price_usd_per_t'")


def test_scenario_solver_values_out_of_range(toy):
    # HiGHS rejects these (setOptionValue returns kError) and keeps its defaults, which siting does not
    # check: a time limit of -5 s then means no time limit at all. The loader must catch them.
    replace(toy / "scenario.toml", "mip_gap = 1e-4", "mip_gap = -1\ntime_limit = -5\nthreads = -2")
    problems = problems_of(toy)
    for key in ("mip_gap", "time_limit", "threads"):
        expect(problems, "scenario.toml:", f"[solver] '{key}'", total=3)


# -- the path itself -------------------------------------------------------------------------------

def test_no_such_folder(tmp_path):
    expect(problems_of(tmp_path / "nope"), "nope: no such folder, and no bundled instance of that name",
           "(bundled: ", "toy")


def test_path_is_a_file(toy):
    expect(problems_of(toy / "sites.csv"), "sites.csv: not a folder")


# -- several problems, extra columns -----------------------------------------------------------------

def test_several_problems_reported_together(toy):
    replace(toy / "sites.csv", "39040000", "-39040000")            # sites: negative
    replace(toy / "techs.csv", ",solar,true", ",solar,maybe")      # techs: not true/false
    replace(toy / "chips.csv", "Rubin,2027", "Rubin,soon")         # chips: not an integer
    replace(toy / "zones.csv", "PJM,70.3", "PJM,")                 # zones: missing value
    replace(toy / "scenario.toml", "typical_days = 2", "typical_days = 0")  # scenario
    (toy / "targets.csv").unlink()                                  # missing file
    problems = problems_of(toy)
    assert len(problems) == 6, problems
    for parts in (("sites.csv", "'site_capex_usd'", "row 1"), ("techs.csv", "'clean'", "row 2"),
                  ("chips.csv", "'first_year'", "row 2"), ("zones.csv", "'grid_price_usd_per_mwh'", "row 2"),
                  ("scenario.toml", "'typical_days'"), ("targets.csv", "missing file")):
        assert len(lines_with(problems, *parts)) == 1, (parts, problems)


def test_several_cross_table_problems_reported_together(toy):
    replace(toy / "sites.csv", "midland,ERCOT", "midland,MISO")
    replace(toy / "techs.csv", "solar,generator", "solar,generater")
    replace(toy / "chips.csv", "Rubin,2027,2030", "Rubin,2031,2030")
    replace(toy / "targets.csv", "2028,0.3", "2029,0.3")
    problems = problems_of(toy)
    assert len(problems) == 4, problems
    for parts in (("sites.csv", "'zone'", "row 2"), ("techs.csv", "'kind'", "row 2"),
                  ("chips.csv", "'first_year'", "row 2"), ("targets.csv", "'year'", "row 3")):
        assert len(lines_with(problems, *parts)) == 1, (parts, problems)


def test_type_error_does_not_hide_a_cross_table_problem(toy):
    """A type error in one file and a cross-table problem in another: both are reported."""
    replace(toy / "techs.csv", "gas_ct,generator,1158", "gas_ct,generator,cheap")     # techs: not a number
    replace(toy / "sites.csv", "midland,ERCOT", "midland,MISO")                       # sites: unknown zone
    problems = problems_of(toy)
    assert len(problems) == 2, problems
    expect(problems, "techs.csv: column 'capex_usd_per_kw', row 1 (tech gas_ct):", "'cheap' is not a number",
           total=2)
    expect(problems, "sites.csv: column 'zone', row 2 (site midland):", "unknown zone 'MISO'", total=2)


def test_type_error_and_cross_table_problem_in_the_same_file(toy):
    """The cross-table check of another column of the same file still runs; a scenario.toml problem
    does not stop the cross-table checks either."""
    replace(toy / "sites.csv", "1.15,2026", "warm,2026")                              # sites: pue not a number
    replace(toy / "sites.csv", "midland,ERCOT", "midland,MISO")                       # sites: unknown zone
    replace(toy / "scenario.toml", "typical_days = 2", "typical_days = 0")           # scenario: out of range
    replace(toy / "targets.csv", "2028,0.3", "2029,0.3")                              # targets: not a year
    problems = problems_of(toy)
    assert len(problems) == 4, problems
    for parts in (("sites.csv", "'pue'", "row 1"), ("sites.csv", "'zone'", "row 2", "unknown zone 'MISO'"),
                  ("scenario.toml", "'typical_days'"), ("targets.csv", "'year'", "row 3", "2029")):
        assert len(lines_with(problems, *parts)) == 1, (parts, problems)


def test_broken_cell_skips_only_the_checks_that_read_it(toy):
    """A broken cell gives its own line and no derived one: an unreadable hour is not also 'missing',
    an unreadable last_year is not compared with first_year, an invalid years list is not used to
    judge targets.csv; checks that do not read the broken cell still run."""
    replace(toy / "profiles.csv", "ERCOT,solar,1,", "ERCOT,solar,one,")               # profiles: hour
    replace(toy / "chips.csv", "Rubin,2027,2030", "Rubin,2031,later")                  # chips: last_year
    replace(toy / "scenario.toml", "years = [2026, 2027, 2028]", "years = [2028, 2026]")
    replace(toy / "techs.csv", "solar,generator", "solar,generater")                  # techs: kind (cross-table)
    problems = problems_of(toy)
    assert len(problems) == 4, problems
    for parts in (("profiles.csv", "'hour'", "row 2", "'one' is not an integer"),
                  ("chips.csv", "'last_year'", "row 2", "'later' is not an integer"),
                  ("scenario.toml", "'years'"), ("techs.csv", "'kind'", "row 2", "'generater'")):
        assert len(lines_with(problems, *parts)) == 1, (parts, problems)


def test_unknown_extra_column_is_accepted(toy):
    edit_csv(toy / "sites.csv", lambda d: d.assign(owner=["a", "b", "c"]))
    edit_csv(toy / "techs.csv", lambda d: d.assign(notes="from EIA"))
    inst = siting.load_instance(toy)
    assert list(inst.sites["owner"]) == ["a", "b", "c"]
    assert len(inst.techs) == 3


# -- sites as GeoJSON / GeoPackage -------------------------------------------------------------------

@pytest.fixture(scope="module")
def csv_solution():
    inst = siting.load_instance(TOY)
    return inst, siting.solve(inst)


@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:3857"], ids=["wgs84", "web-mercator"])
@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_sites_vector_file_same_coordinates(toy, csv_solution, suffix, crs):
    base, _ = csv_solution
    write_sites_vector(toy, suffix, crs)
    inst = siting.load_instance(toy)
    assert inst.files["sites"] == f"sites{suffix}"
    assert list(inst.sites["site"]) == list(base.sites["site"])
    np.testing.assert_allclose(inst.sites[["lat", "lon"]].to_numpy(), base.sites[["lat", "lon"]].to_numpy(),
                               rtol=0, atol=1e-6)
    assert inst.sites.crs.to_epsg() == 4326
    cols = [c for c in base.sites.columns if c not in ("geometry", "lat", "lon")]
    pd.testing.assert_frame_equal(pd.DataFrame(inst.sites[cols]), pd.DataFrame(base.sites[cols]), check_dtype=False)


@pytest.mark.parametrize("suffix, crs", [(".geojson", "EPSG:4326"), (".gpkg", "EPSG:3857")])
def test_sites_vector_file_same_objective(toy, csv_solution, suffix, crs):
    _, res_csv = csv_solution
    write_sites_vector(toy, suffix, crs)
    res = siting.solve(siting.load_instance(toy))
    assert res.status == "optimal"
    assert res.objective == pytest.approx(res_csv.objective, rel=1e-6)
    pd.testing.assert_frame_equal(res.sites, res_csv.sites, check_dtype=False, atol=1e-6)
