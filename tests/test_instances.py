"""The bundled instances: each validates, its profiles match their documented targets, and the
small multi-region case solves to optimality.

Profile targets live in ``instances/<name>/profile_targets.csv`` (zone, profile, target_cf,
source); the loader ignores that file, and scripts/make_profiles.py calibrates to it.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import siting
from siting.instance import bundled_root

ROOT = bundled_root()
NAMES = ["toy", "ercot_campus", "us_regions_small", "us_250gw"]
WITH_TARGETS = ["ercot_campus", "us_regions_small", "us_250gw"]


@pytest.fixture(scope="module")
def instances() -> dict[str, siting.Instance]:
    return {}


def _load(cache: dict, name: str) -> siting.Instance:
    if name not in cache:
        cache[name] = siting.load_instance(name)
    return cache[name]


def test_all_bundled_instances_are_listed_with_a_description():
    listed = siting.bundled_instances()
    for name in NAMES:
        assert name in listed
        assert len(listed[name]) > 40, f"{name}: description too short to say what it answers"


@pytest.mark.parametrize("name", NAMES)
def test_bundled_instance_validates(name, instances):
    inst = _load(instances, name)
    assert inst.scenario["dollar_year"] == 2025
    assert (inst.path / "README.md").is_file()


@pytest.mark.parametrize("name", WITH_TARGETS)
def test_profile_capacity_factors_match_targets(name):
    folder = ROOT / name
    prof = pd.read_csv(folder / "profiles.csv")
    targets = pd.read_csv(folder / "profile_targets.csv")
    cf = prof.groupby(["zone", "profile"])["value"].mean()
    sites = pd.read_csv(folder / "sites.csv")
    techs = pd.read_csv(folder / "techs.csv")
    # every (zone with a site, tech profile) pair has a written target
    needed = {(z, p) for z in sites.zone.unique() for p in techs.profile.dropna().unique()}
    have = set(zip(targets.zone, targets.profile))
    assert needed <= have, f"no target for {sorted(needed - have)}"
    for r in targets.itertuples(index=False):
        assert 0 < r.target_cf < 1
        got = cf.loc[(r.zone, r.profile)]
        assert abs(got - r.target_cf) <= 0.01, f"{name} {r.zone} {r.profile}: CF {got:.4f} vs target {r.target_cf}"
    # the reserved multipliers keep their means at 1, and CFs stay within 0..1
    for (z, p), v in cf.items():
        if p in ("grid_price", "pue"):
            assert abs(v - 1.0) < 1e-3, (z, p, v)
    assert prof.value.min() >= 0
    assert prof.loc[prof.profile.isin(["solar", "wind"]), "value"].max() <= 1


def test_profiles_have_at_most_four_decimals():
    for name in WITH_TARGETS:
        text = (ROOT / name / "profiles.csv").read_text().splitlines()[1:2000]
        assert all(len(line.rsplit(",", 1)[1].partition(".")[2]) <= 4 for line in text), name


def test_us_250gw_shape(instances):
    inst = _load(instances, "us_250gw")
    t = inst.targets.set_index("year")["it_gw"]
    assert list(t.index) == list(range(2026, 2034))
    assert t[2033] == pytest.approx(250.0)
    # a steady exponential path from 2.4 GW at the end of 2025: constant growth factor
    growth = (250.0 / 2.4) ** (1 / 8)
    for y, v in t.items():
        assert v == pytest.approx(2.4 * growth ** (y - 2025), rel=2e-3)
    assert len(inst.sites) >= 30 and inst.sites.zone.nunique() >= 8
    techs = inst.techs.set_index("tech")
    assert techs.at["smr", "earliest_year"] >= 2031
    gens = set(inst.chips.generation)
    assert {"Rubin_Ultra", "Feynman"} <= gens
    assert inst.chips.max_units_per_year.notna().all()
    assert inst.zones.headroom_mw.notna().all()


def test_us_250gw_reachability_verdict(instances):
    """The data pass the pre-solve check; with half the Feynman supply, 2033 is reported out of reach."""
    from siting.checks import reachability

    inst = _load(instances, "us_250gw")
    assert reachability(inst) == []
    chips = inst.chips.copy()
    chips.loc[chips.generation == "Feynman", "max_units_per_year"] /= 2
    half = siting.Instance.from_frames(inst.scenario, inst.targets, inst.sites, inst.zones, inst.techs, chips,
                                       inst.profiles, name="half")
    msgs = reachability(half)
    assert msgs and all("2033" in m or "2032" in m for m in msgs)
    assert any("accelerators" in m for m in msgs)
    with pytest.raises(siting.InfeasibleError, match="year 2033"):
        siting.solve(half)


def test_ercot_campus_shape(instances):
    inst = _load(instances, "ercot_campus")
    assert inst.years == [2026, 2027, 2028, 2029, 2030]
    assert set(inst.sites.zone) <= {"ERCOT_WEST", "ERCOT_NORTH"}
    assert {"H100", "H200", "B200", "GB200", "GB300", "Rubin"} == set(inst.chips.generation)
    lumpy = inst.techs.set_index("tech").unit_mw.dropna()
    assert "frame_ct" in lumpy.index


def test_us_regions_small_solves_to_optimality():
    inst = siting.load_instance("us_regions_small")
    assert inst.sites.groupby("zone").size().eq(1).all() and len(inst.sites) == len(inst.zones)
    res = siting.solve(inst)
    assert res.status == "optimal"
    s = res.summary
    assert (s.it_gw >= s.target_it_gw - 1e-6).all()
    assert math.isclose(res.costs.cost_usd_discounted.sum(), res.objective, rel_tol=1e-6)
    # power balance closes in every slice of every open site-year (dispatch includes the load, negative)
    bal = res.dispatch.groupby(["site", "year", "slice"]).power_mw.sum()
    assert (bal >= -1e-4 * np.maximum(1.0, bal.abs().max())).all()
    chips = res.chips.groupby(["generation", "year"]).units_installed.sum()
    caps = inst.chips.set_index("generation").max_units_per_year
    n_y = inst.years_represented()
    for (g, y), n in chips.items():
        assert n <= caps[g] * n_y[y] * (1 + 1e-6) + 1e-3


def test_readmes_cover_size_and_sources():
    for name in WITH_TARGETS:
        text = Path(ROOT / name / "README.md").read_text()
        for word in ("Sources", "judgement", "Size and solve time", "2025"):
            assert word in text, f"{name}/README.md lacks '{word}'"
