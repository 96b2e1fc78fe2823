"""Readers for the public US grid-data sources planners already use, and a builder of instance folders.

Each reader takes a path (or a DataFrame where a user's library returns one) and
returns the instance table it feeds, units converted and timestamps placed on the
0..8759 hour index of a chosen year (fixed UTC offset, no daylight saving, 29 February
dropped; see :mod:`siting.data._common`):

=====================================  ===============================================
reader                                 feeds
=====================================  ===============================================
:func:`read_eia930_balance`            zones (grid CO2, clean share) + hourly profiles
:func:`read_atb`                       techs.csv rows
:func:`read_ninja`                     profiles (PV / wind capacity factors); CC BY-NC
:func:`read_cambium`                   zones (price, CO2) + grid_price profile
:func:`read_iso_prices`                zones (price) + grid_price profile (gridstatus)
:func:`read_eia860`, :func:`plants_near`  existing plants near sites (report)
:func:`queue_wait_years`               typical queue wait (grid_year default)
:func:`nearest_substations`            distance and interconnection cost per site
=====================================  ===============================================

:class:`InstanceBuilder` puts them together and writes an instance folder. See
docs/own-data.md ("Bring your own data").
"""

from ._common import (
    HOURS,
    DataFormatError,
    DataWarning,
    GridProfiles,
    NonCommercialLicenceWarning,
    align_hourly,
    fill_gaps,
    hour_of_year,
    resolve_utc_offset,
)
from .atb import ATB_TECHS, read_atb
from .builder import DEFAULT_CHIPS, SCENARIO_DEFAULTS, SITE_DEFAULTS, InstanceBuilder
from .cambium import read_cambium
from .eia860 import capacity_near, plants_near, read_eia860
from .eia930 import EIA930_CLEAN_FUELS, EIA930_CO2_T_PER_MWH, read_eia930_balance
from .geo import (
    ROUTE_FACTOR,
    USD_PER_MW_KM,
    assign_zones,
    geodesic_km,
    interconnection_cost_usd,
    nearest_lines,
    nearest_substations,
    read_sites,
)
from .iso import read_iso_prices
from .money import CPI_U, deflate, deflator
from .ninja import read_ninja
from .queue import queue_wait_years, read_queued_up

__all__ = [
    "InstanceBuilder", "DataFormatError", "DataWarning", "NonCommercialLicenceWarning", "GridProfiles",
    "read_eia930_balance", "read_atb", "read_ninja", "read_cambium", "read_iso_prices", "read_eia860",
    "plants_near", "capacity_near", "read_queued_up", "queue_wait_years", "read_sites", "assign_zones",
    "nearest_substations", "nearest_lines", "geodesic_km", "interconnection_cost_usd",
    "align_hourly", "fill_gaps", "hour_of_year", "resolve_utc_offset", "deflate", "deflator",
    "HOURS", "ATB_TECHS", "EIA930_CO2_T_PER_MWH", "EIA930_CLEAN_FUELS", "CPI_U", "SITE_DEFAULTS",
    "DEFAULT_CHIPS", "SCENARIO_DEFAULTS", "USD_PER_MW_KM", "ROUTE_FACTOR",
]
