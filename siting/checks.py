"""Reachability checks before solving: is each year's target within what the data allows?

Each check is an upper bound computed from the data alone, so a failed check proves the
target out of reach and the message names the year, the limiting resource and the numbers.
"""

from __future__ import annotations

import math

import numpy as np

from .instance import Instance

__all__ = ["reachability", "year_bounds"]


def year_bounds(inst: Instance) -> dict[int, dict[str, float]]:
    """Per year: the most IT MW the sites, the chips and the power options allow, and the most PFLOPS."""
    years = inst.years
    sites = inst.sites
    chips = inst.chips
    techs = inst.techs
    zones = inst.zones.set_index("zone")
    first_open = int(sites["earliest_year"].min()) if len(sites) else years[0]
    out = {}
    prof = inst.profiles
    for y in years:
        avail = sites[sites["earliest_year"] <= y]
        site_mw = float(avail["max_it_mw"].sum())
        chip_mw = chip_pf = 0.0
        for c in chips.itertuples(index=False):
            inst_years = [yi for yi in years if c.first_year <= yi <= c.last_year and yi <= y
                          and y - yi < c.life_years and yi >= first_open]
            if not inst_years:
                continue
            if c.max_units_per_year != c.max_units_per_year:  # NaN: no supply cap
                chip_mw = chip_pf = math.inf
                break
            n_y = inst.years_represented()
            units = c.max_units_per_year * sum(
                sum(1 for cy in range(yi, yi + n_y[yi]) if c.first_year <= cy <= c.last_year) for yi in inst_years)
            chip_mw += units * c.watts / 1e6
            chip_pf += units * c.pflops
        # power: grid (capped by zonal headroom) + on-site generators at their best hour
        power_it = 0.0
        grid_by_zone: dict = {}
        for s in avail.itertuples(index=False):
            onsite = 0.0
            for k in techs.itertuples(index=False):
                if k.kind != "generator" or k.earliest_year > y:
                    continue
                if k.max_mw_per_site != k.max_mw_per_site:
                    onsite = math.inf
                    break
                peak = 1.0
                if isinstance(k.profile, str) and k.profile:
                    sel = prof[(prof["profile"] == k.profile) & ((prof["site"] == s.site) | (prof["zone"] == s.zone))]
                    peak = float(sel["value"].max()) if len(sel) else 0.0
                onsite += k.max_mw_per_site * min(peak, 1.0)
            grid = s.grid_mw if y >= s.grid_year else 0.0
            grid_by_zone.setdefault(s.zone, []).append((s, onsite, grid))
        for z, lst in grid_by_zone.items():
            head = zones.at[z, "headroom_mw"] if "headroom_mw" in zones else np.nan
            zone_grid = sum(g for _, _, g in lst)
            if head == head:
                zone_grid = min(zone_grid, head)
            zone_onsite = sum(o for _, o, _ in lst)
            pue_min = min(s.pue * _min_multiplier(prof, s.site, s.zone, "pue") for s, _, _ in lst)
            power_it += (zone_onsite + zone_grid) / pue_min
        out[y] = {"sites_it_mw": site_mw, "chips_it_mw": chip_mw, "power_it_mw": power_it, "chips_pflops": chip_pf}
    return out


def _min_multiplier(prof, site: str, zone: str, name: str) -> float:
    """Smallest value of a site's own profile ``name``, else its zone's; 1 when neither exists."""
    for col, key in (("site", site), ("zone", zone)):
        sel = prof.loc[(prof["profile"] == name) & (prof[col] == key), "value"]
        if len(sel):
            return float(sel.min())
    return 1.0


def reachability(inst: Instance) -> list[str]:
    """One sentence per year whose target exceeds an upper bound from the data (empty: nothing found)."""
    bounds = year_bounds(inst)
    msgs = []
    t = inst.targets.set_index("year")
    for y in inst.years:
        if y not in t.index:
            continue
        b = bounds[y]
        it = t.at[y, "it_gw"]
        if it == it and it is not None:
            need = 1000.0 * float(it)
            for key, what in (("sites_it_mw", "the candidate sites can host (sum of max_it_mw of sites with "
                                              f"earliest_year <= {y})"),
                              ("chips_it_mw", "the accelerators that can be in service allow (supply caps "
                                              "within each generation's window and life)"),
                              ("power_it_mw", "the power that can be delivered allows (grid from grid_year "
                                              "within headroom, plus on-site generators at max_mw_per_site, "
                                              "divided by PUE)")):
                if need > b[key] * (1 + 1e-9) + 1e-9:
                    msgs.append(f"year {y}: the IT target of {need:,.0f} MW cannot be met: the most "
                                f"{what} is {b[key]:,.0f} MW")
        ef = t.at[y, "compute_eflops"]
        if ef == ef and ef is not None:
            need = 1000.0 * float(ef)
            if need > b["chips_pflops"] * (1 + 1e-9) + 1e-9:
                msgs.append(f"year {y}: the compute target of {ef:,.3f} EFLOPS cannot be met: the accelerators "
                            f"that can be in service give at most {b['chips_pflops'] / 1000:,.3f} EFLOPS")
    return msgs
