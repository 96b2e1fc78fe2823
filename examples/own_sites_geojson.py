"""Plug in your own candidate sites (a GeoJSON file of points) and your own zone prices, then solve.

Usage::

    python examples/own_sites_geojson.py                       # demo: writes a GeoJSON, then solves
    python examples/own_sites_geojson.py --sites my_sites.geojson --price PJM=95 --price ERCOT=70
    python examples/own_sites_geojson.py --base us_250gw --sites my_sites.geojson --workdir my_case

How it works: the example copies a bundled instance folder (default ``us_regions_small``)
to a work folder, drops its ``sites.csv`` and puts your ``sites.geojson`` in its place
(siting reads any vector file geopandas reads: GeoJSON, GeoPackage, Shapefile; lat/lon come
from the point geometry), overwrites ``grid_price_usd_per_mwh`` in ``zones.csv`` for the
zones you name, loads the folder (every column is checked) and solves it.

Your GeoJSON needs one Point feature per candidate site with the properties of sites.csv
except lat/lon: site, zone (a zone of the base instance), max_it_mw, module_mw,
site_capex_usd, building_capex_usd_per_kw, pue, earliest_year, grid_mw, grid_year (see
docs/data-format.md). Without ``--sites`` the example writes a demo file: the base
instance's sites moved 0.2 degrees north-east, with a second, smaller candidate next to each.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

import siting
from siting.instance import instance_path


def demo_geojson(base: Path, path: Path) -> Path:
    """Write a demo GeoJSON of candidate sites derived from ``base``'s sites.csv."""
    s = pd.read_csv(base / "sites.csv")
    near = s.assign(lat=s.lat + 0.2, lon=s.lon + 0.2)
    small = s.assign(site=s.site + "_b", lat=s.lat - 0.3, lon=s.lon - 0.3,
                     max_it_mw=s.module_mw * (s.max_it_mw // s.module_mw // 2).clip(lower=1),
                     grid_mw=(s.grid_mw / 2).round(), grid_year=s.grid_year + 1)
    df = pd.concat([near, small], ignore_index=True)
    g = gpd.GeoDataFrame(df.drop(columns=["lat", "lon"]), geometry=gpd.points_from_xy(df.lon, df.lat),
                         crs="EPSG:4326")
    g.to_file(path, driver="GeoJSON")
    return path


def make_case(base: str, sites_file: Path | None, prices: dict[str, float], workdir: Path,
              typical_days: int | None) -> Path:
    """Copy ``base`` to ``workdir`` with your sites and zone prices; returns the new instance folder."""
    src = instance_path(base)
    if workdir.exists():
        shutil.rmtree(workdir)
    shutil.copytree(src, workdir)
    (workdir / "sites.csv").unlink()
    if sites_file is None:
        sites_file = demo_geojson(src, workdir.parent / f"{workdir.name}_demo_sites.geojson")
        print(f"wrote demo candidate sites to {sites_file}")
    shutil.copy(sites_file, workdir / ("sites" + sites_file.suffix.lower()))
    zones = pd.read_csv(workdir / "zones.csv")
    unknown = set(prices) - set(zones.zone)
    if unknown:
        raise SystemExit(f"--price: unknown zone(s) {sorted(unknown)}; zones are {list(zones.zone)}")
    for z, p in prices.items():
        zones.loc[zones.zone == z, "grid_price_usd_per_mwh"] = p
    zones.to_csv(workdir / "zones.csv", index=False)
    if typical_days is not None:
        toml = (workdir / "scenario.toml").read_text()
        lines = [f"typical_days = {typical_days}" if ln.strip().startswith("typical_days") else ln
                 for ln in toml.splitlines()]
        (workdir / "scenario.toml").write_text("\n".join(lines) + "\n")
    return workdir


def parse_price(text: str) -> tuple[str, float]:
    zone, _, value = text.partition("=")
    try:
        return zone.strip(), float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: write ZONE=USD_PER_MWH, e.g. PJM=95") from None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="us_regions_small", help="bundled instance (or folder) to start from")
    ap.add_argument("--sites", type=Path, default=None, help="your GeoJSON (or .gpkg/.shp) of candidate sites")
    ap.add_argument("--price", type=parse_price, action="append", default=[], metavar="ZONE=USD_PER_MWH",
                    help="your average grid price for a zone (repeat for several zones)")
    ap.add_argument("--workdir", type=Path, default=None, help="folder for the new instance (default: temporary)")
    ap.add_argument("--typical-days", type=int, default=None, help="override the number of representative days")
    ap.add_argument("--mip-gap", type=float, default=0.01, help="relative MIP gap (default 1 %%)")
    args = ap.parse_args(argv)
    prices = dict(args.price) or {"PJM": 95.0, "ERCOT": 70.0}  # the demo's own prices
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="siting-own-")) / "my_instance"
    folder = make_case(args.base, args.sites, prices, workdir, args.typical_days)
    try:
        inst = siting.load_instance(folder)
    except siting.InstanceError as e:
        print("your data do not fit the instance contract:", *e.problems, sep="\n  ", file=sys.stderr)
        return 2
    print(f"instance {folder}: {len(inst.sites)} candidate sites from {inst.files['sites']}, "
          f"zone prices {prices}")
    try:
        res = siting.solve(inst, mip_gap=args.mip_gap)
    except siting.InfeasibleError as e:
        print("the targets cannot be met:", *e.problems, sep="\n  ", file=sys.stderr)
        return 2
    print(f"{res.status}, gap {res.mip_gap:.2%}, total discounted cost ${res.objective / 1e9:,.2f} B")
    last = res.sites.year.max()
    chosen = res.sites[(res.sites.year == last) & (res.sites.open == 1)]
    print(f"sites open in {last}:")
    print(chosen[["site", "zone", "lat", "lon", "modules", "it_mw"]].round(2).to_string(index=False))
    print(res.summary[["year", "it_gw", "target_it_gw", "cost_usd", "tco2"]].to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
