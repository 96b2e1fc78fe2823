"""InstanceBuilder: from candidate sites, zone polygons and public data files to an instance folder.

A builder starts from candidate sites (points) and grid zones (polygons, or points for
"nearest zone"), gives each site its zone by spatial join, collects profiles, zone
values and techs from the readers of :mod:`siting.data`, fills every column the user did
not give with a documented default (:data:`SITE_DEFAULTS`, :data:`DEFAULT_CHIPS`,
:data:`SCENARIO_DEFAULTS`), validates the result with the same checks as
:func:`siting.load_instance`, and writes the folder. The tables are assembled in
:mod:`siting.data.assemble` and written by :mod:`siting.data.folder`.

All hourly readers called through the builder share its ``profile_year`` and
``utc_offset``, so every profile of the instance is on the same clock (see
:mod:`siting.data._common`); a source of another year is refused, or aligned by day of
year with ``align_year=True``. Messages name a frame passed in memory by what it is and
where it was passed (``sites (GeoDataFrame passed to InstanceBuilder)``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..errors import InstanceError
from ..schema import TABLES
from ._common import DataWarning, GridProfiles, checked_sites, clear_instance_folder, frame_label, naming, reading
from .assemble import (
    DEFAULT_CHIPS,
    DEFAULTS_DOLLAR_YEAR,
    REPORT_PROFILES,
    SCENARIO_DEFAULTS,
    SITE_DEFAULTS,
    ZONE_VALUE_COLUMNS,
    grid_profiles,
    profile_table,
    scenario_dict,
    site_table,
    zone_table,
)
from .folder import readme_text, toml_text, write_csv
from .geo import ROUTE_FACTOR, USD_PER_MW_KM, assign_zones, nearest_lines, nearest_substations, read_sites, read_vector

__all__ = ["InstanceBuilder", "SITE_DEFAULTS", "DEFAULT_CHIPS", "SCENARIO_DEFAULTS", "DEFAULTS_DOLLAR_YEAR"]


class InstanceBuilder:
    """Build an instance folder from your own sites, zones and public data files.

    Parameters
    ----------
    sites : candidate sites: a vector file (GeoJSON, GeoPackage, Shapefile) of points, a
        GeoDataFrame, or a CSV/DataFrame with ``lat``/``lon``. Any sites.csv column present
        (``max_it_mw``, ``pue``, ``grid_year`` ...) is kept; blanks take the defaults.
    zones : zone polygons (or points) with a ``zone_column`` id. Columns named like
        zones.csv columns (``grid_price_usd_per_mwh``, ``grid_co2_t_per_mwh``,
        ``headroom_mw``, ``grid_clean_share``) are taken as zone values.
    name : instance name (scenario.toml ``name``).
    profile_year : calendar year of the hour index of every profile read.
    utc_offset : clock of every profile (hours east of UTC, or a time-zone name whose
        standard offset is used). ``None`` lets each reader use the local standard time its
        file states; give it explicitly when zones or sources differ.
    dollar_year : dollar year of every money column (ATB costs are restated to it).
    site_column, zone_column : id columns of the two files.
    nearest_zone : a site outside every zone polygon takes the nearest zone instead of
        raising.
    align_year : default of :meth:`add_ninja`, :meth:`add_eia930`, :meth:`add_iso_prices`: map a source
        of another year onto ``profile_year`` by day of year, with a warning (docs/own-data.md section 3).

    Examples
    --------
    >>> b = InstanceBuilder("sites.geojson", "zones.geojson", profile_year=2019, utc_offset=-6)
    >>> b.add_ninja("ninja_pv.csv", profile="solar")            # doctest: +SKIP
    >>> b.add_atb("ATBe.csv", year=2026, techs=["solar", "battery", "gas_ct"])  # doctest: +SKIP
    >>> b.set_chips(my_chips)                                   # doctest: +SKIP
    >>> b.set_targets({2026: 0.1, 2027: 0.2})                   # doctest: +SKIP
    >>> inst = b.write("my_region")                             # doctest: +SKIP
    """

    def __init__(self, sites, zones, *, name: str = "my_region", profile_year: int, utc_offset=None,
                 dollar_year: int = DEFAULTS_DOLLAR_YEAR, site_column: str = "site", zone_column: str = "zone",
                 nearest_zone: bool = False, align_year: bool = False):
        self.name = name
        self.profile_year = int(profile_year)
        self.utc_offset = utc_offset
        self.dollar_year = int(dollar_year)
        self.align_year = bool(align_year)
        sites_label, zones_label = (Path(x).name if isinstance(x, (str, Path)) else
                                    frame_label(x, what, "InstanceBuilder") or what
                                    for x, what in ((sites, "sites"), (zones, "zones")))
        with naming(sites_label):
            self.sites = read_sites(checked_sites(sites, sites_label, site_column), site_column=site_column)
        with naming(zones_label, ((r"pass nearest=True", "pass nearest_zone=True to InstanceBuilder"),)):
            zg = read_vector(zones, "zones vector file")
            assigned = assign_zones(self.sites, zg, zone_column=zone_column, nearest=nearest_zone)
        given_zone = self.sites["zone"].copy() if "zone" in self.sites.columns else None
        self.sites["zone"] = assigned["zone"].to_numpy()
        if given_zone is not None:
            differ = given_zone.notna() & (given_zone.astype(str) != self.sites["zone"])
            if differ.any():
                warnings.warn(f"sites: the 'zone' column of {int(differ.sum())} site(s) differs from the zone "
                              "polygons; the polygons win", DataWarning, stacklevel=2)
        used = list(dict.fromkeys(self.sites["zone"]))
        zt = pd.DataFrame(zg.drop(columns="geometry"))
        zt = zt.rename(columns={zone_column: "zone"})
        zt["zone"] = zt["zone"].astype(str).str.strip()
        zt = zt.drop_duplicates("zone").set_index("zone")
        self._zones = pd.DataFrame({"zone": used}).set_index("zone")
        for c in ZONE_VALUE_COLUMNS:
            if c in zt.columns:
                self._zones[c] = pd.to_numeric(zt[c], errors="coerce").reindex(self._zones.index)
        self._zone_sources: dict[str, list[str]] = {z: [] for z in used}
        self._profiles: list[pd.DataFrame] = []
        self._extra: list[pd.DataFrame] = []
        self._techs: pd.DataFrame | None = None
        self._chips: pd.DataFrame = DEFAULT_CHIPS.copy()
        self._chips_default = True
        self._targets: pd.DataFrame | None = None
        self._scenario: dict = {}
        self._site_defaults: dict = {}
        self._queue_wait: float | None = None
        self._request_year: int | None = None
        self._substations: dict | None = None
        self.reports: dict[str, pd.DataFrame] = {"site_zones": assigned}
        self.notes: list[str] = [f"Sites: {sites_label} ({len(self.sites)} sites); zones: {zones_label} by "
                                 "spatial join"
                                 + (" (nearest zone outside the polygons)" if nearest_zone else "") + "."]

    # -- zones -------------------------------------------------------------------------------------------------
    @property
    def zones(self) -> list[str]:
        """Zone ids that hold at least one candidate site."""
        return list(self._zones.index)

    def _zone(self, zone: str) -> str:
        if zone not in self._zones.index:
            raise InstanceError(f"zone '{zone}' holds no candidate site (zones with sites: {', '.join(self.zones)})")
        return zone

    def set_zone(self, zone: str, **values) -> InstanceBuilder:
        """Set zones.csv values of a zone (``grid_price_usd_per_mwh``, ``grid_co2_t_per_mwh``, ...)."""
        self._zone(zone)
        for k, v in values.items():
            if k not in ZONE_VALUE_COLUMNS:
                raise TypeError(f"unknown zone value '{k}' (known: {', '.join(ZONE_VALUE_COLUMNS)})")
            self._zones.loc[zone, k] = v
        return self

    def add_grid(self, grid: GridProfiles, *, zone: str | None = None, price: bool = True, co2: bool = True,
                 clean_share: bool = True) -> InstanceBuilder:
        """Take zone values and hourly profiles from a grid reader (Cambium, EIA-930, ISO prices).

        ``zone`` names the builder zone the data are for (default: the zone id the reader
        wrote, which must then be one of :attr:`zones`). ``price``/``co2``/``clean_share``
        choose what is taken. The zone values are the readers' means of the hourly series.
        profiles.csv gets the ``grid_price`` multiplier and the ``grid_clean_share`` shape
        (the hourly clean share divided by its mean, so that the zone's ``grid_clean_share``
        times the profile gives the hourly share back; used by the 24/7 CFE match); the hourly
        ``grid_co2`` and clean share as read go to ``reports/grid_hourly.csv``.
        """
        src_zones = list(dict.fromkeys(grid.zones["zone"]))
        if zone is not None and len(src_zones) != 1:
            raise ValueError("zone= renames one zone; this grid data holds several")
        for zsrc in src_zones:
            z = self._zone(zone or zsrc)
            row = grid.zones[grid.zones["zone"] == zsrc].iloc[0]
            take = {"grid_price_usd_per_mwh": price, "grid_co2_t_per_mwh": co2, "grid_clean_share": clean_share}
            for col, ok in take.items():
                if ok and col in row.index and pd.notna(row[col]):
                    self._zones.loc[z, col] = float(row[col])
            p = grid.profiles[grid.profiles["zone"] == zsrc].assign(zone=z)
            prof, report = grid_profiles(p, price=price, clean_share=clean_share, co2=co2)
            self._profiles.append(prof)
            self._extra.append(report)
        self.notes.extend(grid.notes)
        return self

    # -- profiles ----------------------------------------------------------------------------------------------
    def add_profiles(self, rows: pd.DataFrame, *, zone: str | None = None, site: str | None = None,
                     ) -> InstanceBuilder:
        """Add long profile rows (``zone`` or ``site``, ``profile``, ``hour``, ``value``).

        Rows without an owner go to ``zone`` or ``site`` if given, else to every zone. Rows
        are taken as profiles.csv rows: a ``grid_clean_share`` or ``grid_price`` row is a
        multiplier of the zone's value (give a reader's hourly clean share through
        :meth:`add_grid` instead, which turns it into that shape); ``grid_co2`` rows, which
        profiles.csv does not take, go to ``reports/grid_hourly.csv``.
        """
        df = pd.DataFrame(rows).copy()
        if site is not None:
            if site not in set(self.sites["site"]):
                raise InstanceError(f"site '{site}' is not a candidate site")
            df = df.drop(columns=["zone"], errors="ignore").assign(site=site)
        elif "site" in df.columns and df["site"].notna().any():
            pass
        else:
            if zone is not None:
                df["zone"] = self._zone(zone)
            elif "zone" not in df.columns or df["zone"].isna().all():
                df = pd.concat([df.assign(zone=z) for z in self.zones], ignore_index=True)
            else:
                for z in set(df["zone"].dropna()):
                    self._zone(z)
        extra = df["profile"].isin(REPORT_PROFILES)
        if extra.any():
            self._extra.append(df[extra])
        self._profiles.append(df[~extra])
        self.notes.extend(rows.attrs.get("notes", []) if hasattr(rows, "attrs") else [])
        return self

    def _reading(self, src, what: str, method: str, *, align_year: bool | None = None):
        """:func:`~siting.data._common.reading` for one reader call: a frame named ``what (... passed to method)``,
        ``utc_offset`` named as the builder's, and the year alignment asked for (default: the builder's)."""
        hints = ((r"pass utc_offset\b(?!=)", "pass utc_offset= to InstanceBuilder"),) if self.utc_offset is None else ()
        align = self.align_year if align_year is None else bool(align_year)
        return reading(frame_label(src, what, method), hints, align,
                       f"align_year=True to {method}() (or to InstanceBuilder, for every source)")

    def add_ninja(self, src, *, zone: str | None = None, site: str | None = None, profile: str | None = None,
                  align_year: bool | None = None, **kw) -> InstanceBuilder:
        """:func:`siting.data.read_ninja` on the builder's clock, then :meth:`add_profiles` (warns: CC BY-NC).
        ``align_year``: as the builder's (its default)."""
        from .ninja import read_ninja

        with self._reading(src, "renewables.ninja table", "add_ninja", align_year=align_year) as read:
            rows = read_ninja(src, year=self.profile_year, profile=profile, utc_offset=self.utc_offset, **kw)
        rows.attrs["notes"] = read.notes(rows.attrs.get("notes", []))
        return self.add_profiles(rows, zone=zone, site=site)

    def add_cambium(self, src, *, zone: str | None = None, **kw) -> InstanceBuilder:
        """:func:`siting.data.read_cambium` on the builder's clock (prices restated to ``dollar_year`` when
        ``source_dollar_year`` is given), then :meth:`add_grid`. A Cambium year is a typical year, always
        moved onto ``profile_year``: ``align_year`` does not apply."""
        from .cambium import read_cambium

        if kw.get("source_dollar_year") is not None:
            kw.setdefault("dollar_year", self.dollar_year)
        with self._reading(src, "Cambium table", "add_cambium") as read:
            g = read_cambium(src, year=self.profile_year, zone=zone, utc_offset=self.utc_offset, **kw)
        g.notes = read.notes(g.notes)
        return self.add_grid(g)

    def add_eia930(self, src, *, zone: str, ba: str | None = None, align_year: bool | None = None,
                   **kw) -> InstanceBuilder:
        """:func:`siting.data.read_eia930_balance` on the builder's clock, then :meth:`add_grid` for ``zone``.
        ``align_year``: as the builder's (its default)."""
        from .eia930 import read_eia930_balance

        with self._reading(src, "EIA-930 table", "add_eia930", align_year=align_year) as read:
            g = read_eia930_balance(src, year=self.profile_year, ba=ba, zone=zone, utc_offset=self.utc_offset,
                                    **kw)
        g.notes = read.notes(g.notes)
        return self.add_grid(g)

    def add_iso_prices(self, src, *, zone: str, price_level: float | None = None, align_year: bool | None = None,
                       **kw) -> InstanceBuilder:
        """:func:`siting.data.read_iso_prices` on the builder's clock, then :meth:`add_grid` for ``zone``.

        Wholesale LMPs give the hourly *shape*; a campus pays a retail or contract price,
        so ``price_level`` ($/MWh) may replace the LMP mean as the zone's price. ``align_year``:
        as the builder's (its default).
        """
        from .iso import read_iso_prices

        with self._reading(src, "ISO prices", "add_iso_prices", align_year=align_year) as read:
            g = read_iso_prices(src, year=self.profile_year, zone=zone, utc_offset=self.utc_offset, **kw)
        g.notes = read.notes(g.notes)
        if price_level is not None:
            g.zones["grid_price_usd_per_mwh"] = float(price_level)
            g.notes.append(f"zone {zone}: price level set to {price_level} $/MWh (the LMPs give the shape only)")
        return self.add_grid(g)

    # -- techs, chips, targets, scenario -------------------------------------------------------------------------
    def add_techs(self, techs: pd.DataFrame) -> InstanceBuilder:
        """Add techs.csv rows (a tech id given again replaces the earlier row)."""
        df = pd.DataFrame(techs).copy()
        if "tech" not in df.columns:
            raise InstanceError(f"add_techs: techs.csv rows need a 'tech' column (columns given: "
                                f"{', '.join(map(str, df.columns)) or 'none'})")
        self._techs = df if self._techs is None else pd.concat(
            [self._techs[~self._techs["tech"].isin(df["tech"])], df], ignore_index=True)
        self.notes.extend(techs.attrs.get("notes", []) if hasattr(techs, "attrs") else [])
        return self

    def add_atb(self, src, *, year: int, **kw) -> InstanceBuilder:
        """:func:`siting.data.read_atb` restated to the builder's ``dollar_year``, then :meth:`add_techs`."""
        from .atb import read_atb

        kw.setdefault("dollar_year", self.dollar_year)
        with naming(frame_label(src, "ATB table", "add_atb")) as fix:
            techs = read_atb(src, year=year, **kw)
        techs.attrs["notes"] = [fix(n) for n in techs.attrs.get("notes", [])]
        return self.add_techs(techs)

    def set_chips(self, chips: pd.DataFrame) -> InstanceBuilder:
        """Replace the default accelerator generations (:data:`DEFAULT_CHIPS`) by chips.csv rows; without
        this call, :meth:`build` and :meth:`write` say in a :class:`DataWarning` that the defaults are used."""
        self._chips = pd.DataFrame(chips).copy()
        self._chips_default = False
        return self

    def set_targets(self, targets) -> InstanceBuilder:
        """Targets: ``{year: it_gw}``, or targets.csv rows (``year``, ``it_gw`` and/or ``compute_eflops``).

        The planning years of scenario.toml are the target years unless ``set_scenario(years=...)``.
        """
        if isinstance(targets, Mapping):
            targets = pd.DataFrame({"year": list(targets), "it_gw": list(targets.values())})
        self._targets = pd.DataFrame(targets).copy()
        return self

    def set_scenario(self, **keys) -> InstanceBuilder:
        """scenario.toml keys: ``description``, ``years``, ``discount_rate``, ``time={...}``, ``policy={...}``,
        ``solver={...}``."""
        self._scenario.update(keys)
        return self

    # -- sites -------------------------------------------------------------------------------------------------
    def set_site_defaults(self, **values) -> InstanceBuilder:
        """Values for every site that does not give them (sites.csv columns, or ``land_usd_per_acre`` /
        ``acres_per_mw`` of the site-capital rule)."""
        known = {c.name for c in TABLES["sites"].columns} | set(SITE_DEFAULTS)
        bad = set(values) - known
        if bad:
            raise TypeError(f"unknown site value(s) {sorted(bad)}")
        self._site_defaults.update(values)
        return self

    def set_site(self, site: str, **values) -> InstanceBuilder:
        """Set sites.csv values of one site (not ``site``, ``zone``, ``lat`` or ``lon``, which come from the
        sites and zones given to the builder)."""
        mask = self.sites["site"] == site
        if not mask.any():
            raise InstanceError(f"site '{site}' is not a candidate site")
        bad = set(values) - ({c.name for c in TABLES["sites"].columns} - {"site", "zone", "lat", "lon"})
        if bad:
            raise TypeError(f"set_site: unknown or fixed site value(s) {sorted(bad)} (site, zone, lat and lon come "
                            "from the sites and zones given to InstanceBuilder)")
        for k, v in values.items():
            self.sites.loc[mask, k] = v
        return self

    def set_queue_wait(self, years: float, *, request_year: int | None = None) -> InstanceBuilder:
        """Default ``grid_year`` = ``request_year`` (default: first planning year) + round(``years``)."""
        self._queue_wait = float(years)
        self._request_year = request_year
        return self

    def add_queue(self, src, *, region: str | None = None, request_year: int | None = None, **kw) -> InstanceBuilder:
        """Typical queue wait from an LBNL Queued Up workbook (:func:`siting.data.queue_wait_years`)."""
        from .queue import queue_wait_years

        label = frame_label(src, "queue table", "add_queue")
        with naming(label):
            w = queue_wait_years(src, region=region, **kw)
        self.notes.append(f"Queue wait {w:.2f} years (median q_date -> on_date, region {region}) from "
                          f"{label or Path(src).name}: default grid_year = request year + {round(w)}.")
        return self.set_queue_wait(w, request_year=request_year)

    def add_substations(self, src, *, min_kv: float = 0.0, usd_per_mw_km: float = USD_PER_MW_KM,
                        route_factor: float = ROUTE_FACTOR, voltage_column: str = "MAX_VOLT",
                        statuses: tuple[str, ...] | None = ("IN SERVICE",), add_to_site_capex: bool = True,
                        spur_line: bool = False) -> InstanceBuilder:
        """Nearest substation at or above ``min_kv`` per site (:func:`siting.data.nearest_substations`).

        By default its interconnection cost (``usd_per_mw_km`` x route x grid_mw) is added to
        ``site_capex_usd``. With ``spur_line=True`` the distance and the substation's voltage go to
        sites.csv ``substation_km`` and ``substation_kv`` instead: the model prices the spur line by
        voltage class for the site's grid_mw, with its lead time (docs/formulation.md section 15.2).
        Give ``min_kv`` at least the voltage the sites' imports need (validation says when it is not).
        """
        if spur_line:
            sub = nearest_substations(self.sites, src, min_kv=min_kv, voltage_column=voltage_column,
                                      statuses=statuses, grid_mw=1.0, usd_per_mw_km=usd_per_mw_km,
                                      route_factor=route_factor)
            self.sites["substation_km"] = sub["distance_km"].to_numpy()
            self.sites["substation_kv"] = sub["max_kv"].to_numpy()
            self.reports["substations"] = sub
            self.notes.append(f"Substations {getattr(src, 'name', src)}: nearest at >= {min_kv:g} kV "
                              f"({voltage_column}), geodesic WGS84 distance -> sites.csv substation_km and "
                              "substation_kv; the spur line is priced by voltage class in the model.")
            self._substations = None
            return self
        self._substations = dict(src=src, min_kv=min_kv, usd_per_mw_km=usd_per_mw_km, route_factor=route_factor,
                                 voltage_column=voltage_column, statuses=statuses, add=add_to_site_capex)
        # fail early on a bad file
        nearest_substations(self.sites, src, min_kv=min_kv, voltage_column=voltage_column, statuses=statuses,
                            grid_mw=1.0, usd_per_mw_km=usd_per_mw_km, route_factor=route_factor)
        return self

    def add_lines(self, src, *, min_kv: float = 0.0, **kw) -> InstanceBuilder:
        """Nearest transmission line at or above ``min_kv`` per site, for the report (``reports/lines.csv``)."""
        with naming(frame_label(src, "lines", "add_lines")):
            self.reports["lines"] = nearest_lines(self.sites, src, min_kv=min_kv, **kw)
        return self

    def add_existing_plants(self, generators, plants=None, *, radius_km: float = 50.0, **kw) -> InstanceBuilder:
        """EIA-860 plants within ``radius_km`` of each site, for the report (``reports/plants_near.csv`` and
        ``reports/capacity_near.csv``)."""
        from .eia860 import capacity_near, plants_near, read_eia860

        gen = read_eia860(generators, plants, **kw)
        self.reports["plants_near"] = plants_near(self.sites, gen, radius_km=radius_km)
        self.reports["capacity_near"] = capacity_near(self.sites, gen, radius_km=radius_km)
        return self

    # -- assemble ----------------------------------------------------------------------------------------------
    def _years(self) -> list[int]:
        if "years" in self._scenario:
            return [int(y) for y in self._scenario["years"]]
        if self._targets is None:
            raise InstanceError("no targets: call set_targets({year: it_gw, ...})")
        return sorted(int(y) for y in self._targets["year"])

    def frames(self) -> dict:
        """The scenario dict and the six tables, with defaults filled (not yet validated)."""
        years = self._years()
        if self._targets is None:
            raise InstanceError("no targets: call set_targets({year: it_gw, ...})")
        if self._techs is None or self._techs.empty:
            raise InstanceError("no techs: call add_atb(...) or add_techs(...) (grid import needs no tech row, but "
                                "techs.csv must list at least one)")
        with naming(frame_label((self._substations or {}).get("src"), "substations", "add_substations")):
            sites, sub = site_table(self.sites, years, site_defaults=self._site_defaults,
                                    dollar_year=self.dollar_year, queue_wait=self._queue_wait,
                                    request_year=self._request_year, substations=self._substations)
        if sub is not None:
            self.reports["substations"] = sub
        zones = zone_table(self._zones)
        prof = profile_table(self._profiles, {p for p in self._techs["profile"].dropna() if p})
        sc = scenario_dict(self.name, self._scenario, years, dollar_year=self.dollar_year, n_sites=len(sites),
                           n_zones=len(zones))
        return {"scenario": sc, "targets": self._targets.copy(), "sites": sites, "zones": zones,
                "techs": self._techs.copy(), "chips": self._chips.copy(), "profiles": prof}

    def _validated(self):
        """The tables (:meth:`frames`) and the :class:`siting.Instance` they validate to."""
        from ..instance import Instance

        f = self.frames()
        return f, Instance.from_frames(f["scenario"], f["targets"], f["sites"], f["zones"], f["techs"], f["chips"],
                                       f["profiles"], name=self.name)

    def _warn_default_chips(self) -> None:
        if self._chips_default:
            gens = ", ".join(f"{r.generation} ({r.first_year}-{r.last_year})" for r in DEFAULT_CHIPS.itertuples())
            warnings.warn(f"chips: set_chips was not called; chips.csv is siting.data.DEFAULT_CHIPS, the toy "
                          f"instance's {gens}", DataWarning, stacklevel=3)

    def build(self):
        """A validated :class:`siting.Instance` (raises :class:`siting.InstanceError` listing every problem);
        warns (:class:`DataWarning`) when :meth:`set_chips` was not called (chips: :data:`DEFAULT_CHIPS`)."""
        _, inst = self._validated()
        self._warn_default_chips()
        return inst

    def write(self, folder, *, overwrite: bool = False):
        """Validate, write the instance folder and load it back with :func:`siting.load_instance`.

        Writes scenario.toml, the six tables, a README.md with the provenance of every table and
        ``reports/`` (site zones, substations, nearby plants, hourly grid CO2 and clean share); returns
        the loaded :class:`siting.Instance`; warns like :meth:`build`. A non-empty folder needs
        ``overwrite=True`` (:func:`~siting.data._common.clear_instance_folder`, docs/own-data.md section 8).
        """
        from ..instance import load_instance

        f, _ = self._validated()  # validate before touching the disk
        out = clear_instance_folder(Path(folder), overwrite)
        self._warn_default_chips()
        out.mkdir(parents=True, exist_ok=True)
        (out / "scenario.toml").write_text(toml_text(f["scenario"]), encoding="utf-8")
        for t in ("targets", "sites", "zones", "techs", "chips", "profiles"):
            write_csv(f[t], out / f"{t}.csv", t)
        rep = dict(self.reports)
        extra = [e for e in self._extra if len(e)]
        if extra:
            ex = pd.concat(extra, ignore_index=True)
            rep["grid_hourly"] = ex.pivot_table(index="hour", columns=["zone", "profile"], values="value")
            rep["grid_hourly"].columns = [f"{z}|{p}" for z, p in rep["grid_hourly"].columns]
        if rep:
            (out / "reports").mkdir(exist_ok=True)
            for k, df in rep.items():
                df.to_csv(out / "reports" / f"{k}.csv", index=(k == "grid_hourly"))
        subs = self._substations  # the README names a frame passed in memory by what it is
        subs = subs and dict(subs, src=frame_label(subs["src"], "substations", "add_substations") or subs["src"])
        readme = readme_text(name=self.name, dollar_year=self.dollar_year, profile_year=self.profile_year,
                             utc_offset=self.utc_offset, notes=self.notes, substations=subs,
                             site_defaults=SITE_DEFAULTS | self._site_defaults,
                             defaults_dollar_year=DEFAULTS_DOLLAR_YEAR, queue_wait=self._queue_wait,
                             chips_default=self._chips_default, discount_rate=f["scenario"]["discount_rate"],
                             reports=list(rep))
        (out / "README.md").write_text(readme, encoding="utf-8")
        return load_instance(out)
