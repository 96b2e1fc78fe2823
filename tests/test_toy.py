"""Invariants of the bundled toy instance, solved once for the module.

Status, costs adding up to the objective, targets met, integral and monotone site decisions,
IT load within the built modules, the power balance closing in every slice, slice weights,
writing and reading the tables back, determinism, and finding the toy by name from any folder.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import siting
from siting.instance import bundled_root
from siting.results import TABLE_NAMES

TOY = Path(__file__).resolve().parents[1] / "instances" / "toy"


@pytest.fixture(scope="module")
def inst():
    return siting.load_instance(TOY)


@pytest.fixture(scope="module")
def res(inst):
    return siting.solve(inst)


def test_status_optimal(res):
    assert res.status == "optimal"
    assert res.mip_gap <= 1e-4
    assert set(TABLE_NAMES) <= set(res.tables)


def test_costs_sum_to_objective(res):
    total = res.costs["cost_usd_discounted"].sum()
    assert total == pytest.approx(res.objective, rel=1e-6)
    assert res.objective > 0


def test_summary_cost_matches_costs_table(res):
    per_year = res.costs.groupby("year")["cost_usd"].sum()
    s = res.summary.set_index("year")
    np.testing.assert_allclose(s.loc[per_year.index, "cost_usd"], per_year, rtol=1e-9)


def test_targets_met(inst, res):
    s = res.summary.set_index("year")
    targets = inst.targets.set_index("year")["it_gw"].dropna()
    assert len(targets) == 3
    for y, tgt in targets.items():
        assert s.at[y, "target_it_gw"] == pytest.approx(tgt)
        assert s.at[y, "it_gw"] >= s.at[y, "target_it_gw"] - 1e-6, y
    # the summary's IT load is the sum of the sites table
    it = res.sites.groupby("year")["it_mw"].sum() / 1000.0
    np.testing.assert_allclose(s.loc[it.index, "it_gw"], it, rtol=1e-9)


def test_site_decisions_integral(res):
    sites = res.sites
    for col in ("open", "modules"):
        v = sites[col].to_numpy(dtype=float)
        assert np.array_equal(v, np.round(v)), col
    assert set(sites["open"].unique()) <= {0, 1}
    assert (sites["modules"] >= 0).all()
    assert sites["open"].sum() > 0


def test_open_and_modules_non_decreasing(res):
    for site, g in res.sites.sort_values("year").groupby("site"):
        assert (np.diff(g["open"].to_numpy()) >= 0).all(), site
        assert (np.diff(g["modules"].to_numpy()) >= 0).all(), site


def test_closed_sites_host_nothing(res):
    closed = res.sites[res.sites["open"] == 0]
    assert (closed["modules"] == 0).all()
    assert (closed["it_mw"].abs() <= 1e-6).all()


def test_it_load_within_modules(inst, res):
    module_mw = inst.sites.set_index("site")["module_mw"]
    max_it = inst.sites.set_index("site")["max_it_mw"]
    s = res.sites
    assert (s["it_mw"] <= s["modules"] * s["site"].map(module_mw) + 1e-6).all()
    assert (s["modules"] * s["site"].map(module_mw) <= s["site"].map(max_it) + 1e-6).all()
    # the chips table carries the same IT load
    chips_it = res.chips.groupby(["site", "year"])["it_mw"].sum()
    sites_it = s.set_index(["site", "year"])["it_mw"]
    np.testing.assert_allclose(sites_it.reindex(chips_it.index), chips_it, rtol=1e-6, atol=1e-6)


def test_power_balance_closes_in_every_slice(res):
    d = res.dispatch
    # every open site-year carries its facility load, so the check below covers them all
    open_sy = set(map(tuple, res.sites.loc[res.sites["open"] == 1, ["site", "year"]].to_numpy()))
    load_sy = set(map(tuple, d.loc[d["tech"] == "facility_load", ["site", "year"]].drop_duplicates().to_numpy()))
    assert open_sy == load_sy
    n_slices = len(res.slices)
    net = d.groupby(["site", "year", "slice"])["power_mw"].sum()
    assert len(net) == len(open_sy) * n_slices
    assert net.min() >= -1e-6, net[net < -1e-6]
    assert (d.loc[d["tech"] == "facility_load", "power_mw"] <= 1e-9).all()


def test_slice_weights(res):
    w = res.slices["weight_h"]
    assert w.sum() == pytest.approx(8760.0, abs=1e-6)
    assert (w > 0).all()
    assert len(res.slices) == 2 * 24  # 2 typical days in scenario.toml


def test_round_trip_through_folder(res, tmp_path):
    out = res.to_folder(tmp_path / "out")
    for name in TABLE_NAMES:
        assert (out / f"{name}.csv").is_file(), name
    assert (out / "results.json").is_file()
    back = siting.read_results(out)
    assert back.status == res.status
    assert back.objective == pytest.approx(res.objective, rel=1e-12)
    assert back.mip_gap == pytest.approx(res.mip_gap)
    assert set(back.tables) == set(res.tables)
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(back.tables[name], res.tables[name], check_dtype=False, obj=name)


def test_deterministic(inst, res):
    again = siting.solve(inst)
    assert again.status == res.status
    assert again.objective == res.objective
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(again.tables[name], res.tables[name], check_exact=True, obj=name)


def test_bundled_toy_found_by_name_from_elsewhere(inst, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert not (tmp_path / "toy").exists()
    assert "toy" in siting.bundled_instances()
    other = siting.load_instance("toy")
    assert other.name == "toy"
    assert other.path is not None and other.path.resolve() == (bundled_root() / "toy").resolve()
    for name in ("targets", "zones", "techs", "chips", "profiles"):
        pd.testing.assert_frame_equal(getattr(other, name), getattr(inst, name), obj=name)
    pd.testing.assert_frame_equal(pd.DataFrame(other.sites), pd.DataFrame(inst.sites), obj="sites")
