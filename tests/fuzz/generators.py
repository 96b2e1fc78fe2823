"""Random small instances, random corruptions of an instance folder, and the invariants of a solved plan.

Shared by the property-based tests (tests/test_robustness.py, driven by hypothesis) and the
fuzz script (tests/fuzz/run.py, driven by seeded ``random.Random``). Every draw goes through
the ``random.Random`` passed in, so a seed reproduces an instance or a corruption exactly.
"""

from __future__ import annotations

import csv
import io
import math
import os
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # tests/ for builders
    sys.path.insert(0, str(HERE.parent))

from builders import chip, daily_profile, gas, generator, make_instance, site, storage, zone  # noqa: E402

import siting  # noqa: E402

__all__ = ["random_spec", "build", "write_folder", "CORRUPTIONS", "corrupt", "check_refusal", "check_invariants",
           "Outcome", "CONTRACT_FILES"]

#: file names an InstanceError line may start with
CONTRACT_FILES = ("scenario.toml", "targets.csv", "sites.csv", "sites.geojson", "sites.gpkg", "zones.csv", "techs.csv",
                  "chips.csv", "profiles.csv", "supply.csv")

SOLAR_DAY = [0, 0, 0, 0, 0, 0, 0.05, 0.2, 0.4, 0.6, 0.75, 0.85, 0.9, 0.85, 0.75, 0.6, 0.4, 0.2, 0.05, 0, 0, 0, 0, 0]


# ---------------------------------------------------------------------------------------------
# random valid instances
# ---------------------------------------------------------------------------------------------
def random_spec(r: random.Random) -> dict:
    """Keyword arguments of :func:`builders.make_instance` for a random small valid instance.

    1-3 planning years (with gaps at times), 1-2 zones, 1-3 sites, gas plus at times a
    capped clean generator, solar with a daily profile and a battery, 1-2 chip generations
    (supply caps at times), IT or compute targets from 0 to 130 % of the site capacity (so that
    some are out of reach), and at times a CO2 cap, a clean share, a carbon price and headroom.
    """
    years = sorted(r.sample(range(2026, 2032), r.randint(1, 3)))
    zones = ["z"] if r.random() < 0.6 else ["z", "w"]
    zrows = [zone(zone=z, grid_price_usd_per_mwh=r.choice([30.0, 50.0, 90.0]),
                  grid_co2_t_per_mwh=r.choice([0.0, 0.2, 0.4]),
                  headroom_mw=r.choice([None, None, 20.0, 80.0]), grid_clean_share=r.choice([0.0, 0.0, 0.5]))
             for z in zones]
    sites = []
    for i in range(r.randint(1, 3)):
        module = r.choice([10.0, 25.0, 50.0])
        sites.append(site(site=f"s{i}", zone=r.choice(zones), max_it_mw=module * r.randint(1, 4), module_mw=module,
                          site_capex_usd=r.choice([0.0, 1e6, 5e7]), building_capex_usd_per_kw=r.choice([500.0, 1e4]),
                          pue=r.choice([1.0, 1.1, 1.3]), earliest_year=r.choice(years[:2]),
                          grid_mw=r.choice([0.0, 0.0, 30.0, 150.0]), grid_year=r.choice(years) + r.choice([0, 1])))
    techs = [gas(unit_mw=r.choice([None, None, 20.0]), max_mw_per_site=r.choice([None, None, 40.0, 200.0]))]
    profiles = []
    if r.random() < 0.4:
        techs.append(generator("solar", r.choice([800.0, 1500.0]), 20.0, profile="solar",
                               max_mw_per_site=r.choice([None, 300.0])))
        profiles = [daily_profile(SOLAR_DAY, "solar", zone=z) for z in zones]
    if r.random() < 0.3:
        techs.append(storage(capex_usd_per_kw=r.choice([300.0, 1500.0]), max_mw_per_site=r.choice([None, 50.0])))
    if r.random() < 0.3:
        techs.append(generator("smr", 6000.0, 100.0, earliest_year=r.choice(years), max_mw_per_site=100.0))
    chips = [chip(generation="g1", first_year=2024, last_year=r.choice([years[0], 2040]),
                  max_units_per_year=r.choice([None, None, 30000.0, 200000.0]))]
    if r.random() < 0.5:
        chips.append(chip(generation="g2", first_year=r.choice(years), last_year=2040, watts=1500.0, pflops=3.0,
                          price_usd=20000.0, life_years=r.choice([3.0, 5.0]),
                          max_units_per_year=r.choice([None, 50000.0])))
    cap = sum(s["max_it_mw"] for s in sites)
    targets = []
    compute = r.random() < 0.25
    for y in years:
        frac = r.choice([0.0, 0.2, 0.5, 0.8, 1.0, 1.3])
        row = {"year": y, "it_gw": round(frac * cap / 1000.0, 6)}
        if compute:  # g1 gives 1 EFLOPS per MW of IT, g2 2 EFLOPS per MW
            row = {"year": y, "compute_eflops": round(frac * cap * r.choice([0.5, 1.0, 1.5]), 6)}
        targets.append(row)
    policy = {}
    if r.random() < 0.2:
        policy["carbon_price_usd_per_t"] = r.choice([50.0, 200.0])
    if r.random() < 0.2:
        policy["co2_cap_t"] = r.choice([0.0, 1e5, 1e6])
    if r.random() < 0.2:
        policy["clean_share"] = r.choice([0.3, 0.8])
    spec = dict(sites=sites, zones=zrows, techs=techs, chips=chips, targets=targets, years=years,
                profiles=profiles or None, policy=policy or None)
    return spec


def build(spec: dict, **scenario) -> siting.Instance:
    """The Instance of a spec; ``scenario`` adds scenario.toml tables (e.g. targets={"mode": "soft"})."""
    inst = make_instance(**spec)
    if scenario:
        sc = {k: (dict(v) if isinstance(v, dict) else v) for k, v in inst.scenario.items()}
        for k, v in scenario.items():
            sc.setdefault(k, {}).update(v)
        inst = siting.Instance.from_frames(sc, inst.targets, inst.sites, inst.zones, inst.techs, inst.chips,
                                           inst.profiles, name=inst.name)
    return inst


def scaled(spec: dict, factor: float) -> dict:
    """The spec with every target multiplied by ``factor``."""
    out = dict(spec)
    out["targets"] = [{k: (v * factor if k != "year" else v) for k, v in row.items()} for row in spec["targets"]]
    return out


# ---------------------------------------------------------------------------------------------
# instance folders
# ---------------------------------------------------------------------------------------------
def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v) if not isinstance(v, float) or math.isfinite(v) else ("nan" if v != v else "inf")
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f'"{k}" = {_toml_value(x)}' for k, x in v.items()) + " }"
    raise TypeError(type(v))


def toml_text(sc: dict) -> str:
    """A scenario dict as TOML (scalars first, then one [table] per dict)."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in sc.items() if not isinstance(v, dict)]
    for k, v in sc.items():
        if isinstance(v, dict) and v:
            lines.append(f"\n[{k}]")
            lines += [f"{kk} = {_toml_value(vv)}" for kk, vv in v.items() if vv is not None]
    return "\n".join(lines) + "\n"


def write_folder(inst: siting.Instance, folder: Path) -> Path:
    """Write ``inst`` as an instance folder (scenario.toml and the CSV files)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sc = {k: v for k, v in inst.scenario.items() if k in ("name", "description", "years", "discount_rate",
                                                          "dollar_year", "time", "policy", "targets")}
    (folder / "scenario.toml").write_text(toml_text(sc), encoding="utf-8")
    tables = {"targets": inst.targets, "sites": pd.DataFrame(inst.sites).drop(columns="geometry"),
              "zones": inst.zones, "techs": inst.techs, "chips": inst.chips, "profiles": inst.profiles}
    for name, df in tables.items():
        df = df.copy()
        for c in df.columns:
            if df[c].dtype == bool:
                df[c] = df[c].map({True: "true", False: "false"})
        df.to_csv(folder / f"{name}.csv", index=False, na_rep="")
    return folder


# ---------------------------------------------------------------------------------------------
# corruptions of a folder
# ---------------------------------------------------------------------------------------------
def _read(p: Path) -> list[list[str]]:
    with open(p, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _write(p: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    p.write_text(buf.getvalue(), encoding="utf-8")


def _csvs(folder: Path, r: random.Random, need_rows: int = 1) -> Path:
    files = [p for p in sorted(folder.glob("*.csv")) if len(_read(p)) > need_rows]
    return r.choice(files)


BAD_CELLS = ["", "abc", "-5", "-0.5", "1e400", "nan", "NaN", "inf", "-inf", "-0", "3.5", "\u0661\u0662", "NULL",
             " 12 ", "0x10", "1,000", "TRUE", "\u00e9t\u00e9", "x" * 300, "2026.0", "99999999999999999999", "None",
             "\u202e", "=1+1", "'; DROP TABLE sites; --", "1e-320", "+7", ".5", "5.", "1_000"]


@dataclass
class Corruption:
    """What was done, and what the loader must answer: "refuse", "accept" or "either"."""

    name: str
    detail: str
    expect: str


def _cell(folder, r):
    p = _csvs(folder, r)
    rows = _read(p)
    i = r.randrange(1, len(rows))
    j = r.randrange(len(rows[0]))
    v = r.choice(BAD_CELLS)
    old = rows[i][j] if j < len(rows[i]) else ""
    rows[i][j:j + 1] = [v]
    _write(p, rows)
    return Corruption("cell", f"{p.name} row {i} column {rows[0][j]!r}: {old!r} -> {v!r}", "either")


def _negate(folder, r):
    p = _csvs(folder, r)
    rows = _read(p)
    cand = [(i, j) for i in range(1, len(rows)) for j in range(len(rows[i]))
            if _num(rows[i][j]) not in (None, 0.0)]
    if not cand:
        return _cell(folder, r)
    i, j = r.choice(cand)
    rows[i][j] = "-" + rows[i][j]
    _write(p, rows)
    return Corruption("negate", f"{p.name} row {i} column {rows[0][j]!r}", "either")


def _num(s):
    try:
        return float(s)
    except ValueError:
        return None


REQUIRED = {"targets.csv": {"year"}, "sites.csv": {"site", "zone", "lat", "lon", "max_it_mw", "module_mw",
                                                    "site_capex_usd", "building_capex_usd_per_kw", "pue",
                                                    "earliest_year", "grid_mw", "grid_year"},
            "zones.csv": {"zone", "grid_price_usd_per_mwh", "grid_co2_t_per_mwh"},
            "techs.csv": {"tech", "kind", "capex_usd_per_kw", "fom_usd_per_kw_yr", "vom_usd_per_mwh",
                          "fuel_usd_per_mmbtu", "heat_rate_mmbtu_per_mwh", "co2_t_per_mwh", "life_years",
                          "earliest_year", "max_mw_per_site", "unit_mw", "profile", "clean"},
            "chips.csv": {"generation", "first_year", "last_year", "watts", "pflops", "price_usd", "life_years",
                          "max_units_per_year"},
            "profiles.csv": {"profile", "hour", "value"}}


def _drop_column(folder, r):
    p = _csvs(folder, r, 0)
    rows = _read(p)
    j = r.randrange(len(rows[0]))
    col = rows[0][j]
    for row in rows:
        del row[j:j + 1]
    _write(p, rows)
    expect = "refuse" if col in REQUIRED.get(p.name, ()) else "either"
    return Corruption("drop_column", f"{p.name} column {col!r}", expect)


def _extra_column(folder, r):
    p = _csvs(folder, r, 0)
    rows = _read(p)
    name = r.choice(["notes", "source", "comment_usd", "x"])
    rows[0].append(name)
    for row in rows[1:]:
        row.append(r.choice(["", "see README", "12", "\u00e9"]))
    _write(p, rows)
    return Corruption("extra_column", f"{p.name} column {name!r}", "accept")


def _rename_column(folder, r):
    p = _csvs(folder, r, 0)
    rows = _read(p)
    j = r.randrange(len(rows[0]))
    col = rows[0][j]
    rows[0][j] = col.upper() + "_"
    _write(p, rows)
    expect = "refuse" if col in REQUIRED.get(p.name, ()) else "either"
    return Corruption("rename_column", f"{p.name} column {col!r}", expect)


def _duplicate_row(folder, r):
    p = _csvs(folder, r)
    rows = _read(p)
    i = r.randrange(1, len(rows))
    rows.insert(r.randrange(1, len(rows) + 1), list(rows[i]))
    _write(p, rows)
    return Corruption("duplicate_row", f"{p.name} row {i}", "refuse")


def _shuffle_rows(folder, r):
    p = _csvs(folder, r)
    rows = _read(p)
    body = rows[1:]
    r.shuffle(body)
    _write(p, [rows[0]] + body)
    return Corruption("shuffle_rows", p.name, "accept")


def _swap_columns(folder, r):
    p = _csvs(folder, r, 0)
    rows = _read(p)
    order = list(range(len(rows[0])))
    r.shuffle(order)
    _write(p, [[row[j] if j < len(row) else "" for j in order] for row in rows])
    return Corruption("swap_columns", p.name, "accept")


def _delete_row(folder, r):
    p = _csvs(folder, r)
    rows = _read(p)
    i = r.randrange(1, len(rows))
    del rows[i]
    _write(p, rows)
    return Corruption("delete_row", f"{p.name} row {i}", "either")


def _unknown_reference(folder, r):
    choices = []
    for fname, col in (("sites.csv", "zone"), ("techs.csv", "profile"), ("profiles.csv", "zone"),
                       ("targets.csv", "year")):
        rows = _read(folder / fname)
        if col in rows[0] and len(rows) > 1:
            j = rows[0].index(col)
            idx = [i for i in range(1, len(rows)) if rows[i][j] != ""]
            if idx:
                choices.append((fname, j, idx))
    if not choices:
        return _cell(folder, r)
    fname, j, idx = r.choice(choices)
    rows = _read(folder / fname)
    new = "1999" if fname == "targets.csv" else "nowhere"
    for i in idx if fname == "profiles.csv" else [r.choice(idx)]:
        rows[i][j] = new
    _write(folder / fname, rows)
    return Corruption("unknown_reference", f"{fname} column {rows[0][j]!r} -> {new!r}", "refuse")


def _encoding(folder, r):
    p = _csvs(folder, r, 0)
    text = p.read_text(encoding="utf-8")
    how = r.choice(["utf-16", "latin-1", "bom", "crlf", "cp1252-name"])
    if how == "utf-16":
        p.write_bytes(text.encode("utf-16"))
        return Corruption("encoding", f"{p.name} as UTF-16", "refuse")
    if how == "latin-1":
        rows = _read(p)
        if len(rows) > 1:
            rows[1][0] = rows[1][0] + "\u00e9"
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        p.write_bytes(buf.getvalue().encode("latin-1", errors="replace"))
        return Corruption("encoding", f"{p.name} as Latin-1 with an accent", "refuse" if len(rows) > 1 else "either")
    if how == "bom":
        p.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
        return Corruption("encoding", f"{p.name} with a UTF-8 BOM", "accept")
    if how == "crlf":
        p.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
        return Corruption("encoding", f"{p.name} with CRLF line ends", "accept")
    p.write_bytes(text.encode("utf-8") + "caf\u00e9\n".encode("cp1252"))
    return Corruption("encoding", f"{p.name} with a cp1252 line appended", "refuse")


def _truncate(folder, r):
    p = _csvs(folder, r, 0)
    data = p.read_bytes()
    cut = r.randrange(0, max(1, len(data)))
    p.write_bytes(data[:cut])
    return Corruption("truncate", f"{p.name} at byte {cut} of {len(data)}", "refuse" if cut == 0 else "either")


def _garbage(folder, r):
    p = _csvs(folder, r, 0)
    p.write_bytes(bytes(r.randrange(256) for _ in range(r.randrange(1, 400))))
    return Corruption("garbage", p.name, "either")


def _remove_file(folder, r):
    p = r.choice(sorted(folder.glob("*.csv")) + [folder / "scenario.toml"])
    p.unlink()
    return Corruption("remove_file", p.name, "refuse")


def _whitespace(folder, r):
    p = _csvs(folder, r)
    rows = _read(p)
    i = r.randrange(1, len(rows))
    rows[i] = [f"  {v} " if v else v for v in rows[i]]
    _write(p, rows)
    return Corruption("whitespace", f"{p.name} row {i}", "accept")


def _blank_lines(folder, r):
    p = _csvs(folder, r, 0)
    p.write_text(p.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    return Corruption("blank_lines", p.name, "accept")


def _scenario(folder, r):
    import tomllib

    p = folder / "scenario.toml"
    sc = tomllib.loads(p.read_text(encoding="utf-8"))
    how = r.choice(["drop", "type", "syntax", "unknown", "years", "mode", "penalty", "nan", "time", "table"])
    expect = "refuse"
    if how == "drop":
        k = r.choice(["name", "description", "years", "discount_rate", "dollar_year"])
        sc.pop(k, None)
        detail = f"without {k}"
    elif how == "type":
        k = r.choice(["years", "discount_rate", "dollar_year", "name"])
        sc[k] = r.choice(["soon", [], {"a": 1}, True]) if k != "name" else 12
        detail = f"{k} of the wrong type"
    elif how == "syntax":
        p.write_text(p.read_text(encoding="utf-8") + r.choice(["\nyears = [2026,\n", "\n[time\n", "\n= 3\n"]),
                     encoding="utf-8")
        return Corruption("scenario", "broken TOML", "refuse")
    elif how == "unknown":
        sc["colour"] = "blue"
        detail = "unknown key"
    elif how == "years":
        sc["years"] = list(reversed(sc["years"])) + [sc["years"][0]]
        detail = "years not increasing"
    elif how == "mode":
        sc.setdefault("targets", {})["mode"] = r.choice(["medium", "SOFT", 1])
        detail = "bad [targets] mode"
    elif how == "penalty":
        sc.setdefault("targets", {})["penalty_usd_per_mw"] = r.choice([-1.0, "high", True])
        detail = "bad penalty"
    elif how == "nan":
        k = r.choice([("", "discount_rate"), ("solver", "mip_gap"), ("solver", "time_limit"),
                      ("targets", "penalty_usd_per_mw"), ("policy", "carbon_price_usd_per_t")])
        (sc if k[0] == "" else sc.setdefault(k[0], {}))[k[1]] = r.choice([math.nan, math.inf, -math.inf])
        detail = f"{k} not finite"
    elif how == "time":
        sc["time"] = {"mode": r.choice(["weekly", "full_year"]), "typical_days": r.choice([0, 400, 2])}
        detail = f"time {sc['time']}"
        expect = "either"
    else:
        sc["policy"] = r.choice(["none", 3, [1, 2]])
        detail = "[policy] not a table"
    p.write_text(toml_text(sc), encoding="utf-8")
    return Corruption("scenario", detail, expect)


def _symlink_outside(folder, r):
    p = _csvs(folder, r, 0)
    outside = folder.parent / f"outside_{p.name}"
    os.replace(p, outside)
    os.symlink(outside, p)
    return Corruption("symlink_outside", p.name, "refuse")


CORRUPTIONS = {f.__name__[1:]: f for f in (_cell, _negate, _drop_column, _extra_column, _rename_column,
                                           _duplicate_row, _shuffle_rows, _swap_columns, _delete_row,
                                           _unknown_reference, _encoding, _truncate, _garbage, _remove_file,
                                           _whitespace, _blank_lines, _scenario, _symlink_outside)}


def corrupt(folder: Path, r: random.Random, name: str | None = None) -> Corruption:
    """Apply one random corruption (or the one called ``name``) to the instance ``folder``."""
    name = name or r.choice(sorted(CORRUPTIONS))
    return CORRUPTIONS[name](Path(folder), r)


# ---------------------------------------------------------------------------------------------
# what must hold
# ---------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    """How a load (and solve) ended: "accepted", "refused", "solved", "infeasible", or "crash" with the error."""

    kind: str
    detail: str = ""


def check_refusal(err: siting.InstanceError) -> list[str]:
    """What is wrong with an InstanceError's lines (empty: they are fine one-line errors naming a file)."""
    bad = []
    if not err.problems:
        bad.append("no problem lines")
    for line in err.problems:
        if not isinstance(line, str) or not line.strip():
            bad.append(f"empty line {line!r}")
        elif "\n" in line or "\r" in line:
            bad.append(f"line breaks inside {line!r}")
        elif "Traceback" in line:
            bad.append(f"traceback in {line!r}")
        elif not (line.split(":", 1)[0] in CONTRACT_FILES or line.startswith(("/", "."))):
            bad.append(f"line names no file: {line!r}")
    return bad


def check_invariants(inst: siting.Instance, res: siting.Results, tol: float = 1e-5) -> list[str]:
    """Broken invariants of a solved plan (empty: all hold).

    Costs sum to the objective; the power balance closes in every slice; IT load within the
    modules built; hard targets met (soft: met up to the shortfall); open and modules integral
    and non-decreasing.
    """
    bad = []
    total = float(res.costs["cost_usd_discounted"].sum())
    if not math.isclose(total, res.objective, rel_tol=1e-6, abs_tol=1e-3):
        bad.append(f"costs sum to {total!r}, objective {res.objective!r}")
    d = res.dispatch
    if len(d):
        net = d.groupby(["site", "year", "slice"])["power_mw"].sum()
        if (net < -tol * max(1.0, d["power_mw"].abs().max())).any():
            bad.append(f"power balance open by {net.min()!r} MW")
    s = res.sites
    mod = inst.sites.set_index("site")["module_mw"]
    over = s["it_mw"] - s["modules"] * s["site"].map(mod)
    if (over > tol * max(1.0, s["it_mw"].max())).any():
        bad.append(f"IT load above the modules by {over.max()!r} MW")
    for col in ("open", "modules"):
        v = s[col].to_numpy(dtype=float)
        if not np.array_equal(v, np.round(v)):
            bad.append(f"{col} not integral")
        dec = s.sort_values(["site", "year"]).groupby("site")[col].diff().dropna()
        if (dec < 0).any():
            bad.append(f"{col} decreases")
    sm = res.summary.set_index("year")
    short_it = sm["shortfall_it_mw"] if "shortfall_it_mw" in sm else pd.Series(0.0, index=sm.index)
    short_pf = sm["shortfall_pflops"] if "shortfall_pflops" in sm else pd.Series(0.0, index=sm.index)
    for y, row in sm.iterrows():
        if row["target_it_gw"] == row["target_it_gw"]:
            got = row["it_gw"] * 1000 + float(np.nan_to_num(short_it.get(y, 0.0)))
            if got < row["target_it_gw"] * 1000 * (1 - 1e-6) - 1e-4:
                bad.append(f"{y}: IT {row['it_gw']!r} GW below the target {row['target_it_gw']!r} GW")
        if row["target_eflops"] == row["target_eflops"]:
            got = row["eflops"] * 1000 + float(np.nan_to_num(short_pf.get(y, 0.0)))
            if got < row["target_eflops"] * 1000 * (1 - 1e-6) - 1e-4:
                bad.append(f"{y}: compute {row['eflops']!r} EFLOPS below the target {row['target_eflops']!r}")
    return bad
