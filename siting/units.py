"""Units and conversions used across the package: one definition each."""

from __future__ import annotations

#: hours in a modelled year (profiles are 8760 rows; leap days are not modelled)
HOURS = 8760

#: watts in a megawatt (chips.csv gives watts per unit; the model works in MW)
W_PER_MW = 1e6


def mw_per_unit(watts: float) -> float:
    """IT MW drawn by one accelerator unit of ``watts`` W (all-in: chip, host, network share)."""
    return float(watts) / W_PER_MW
