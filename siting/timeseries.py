"""Hourly profiles -> operating slices (the full year, or representative days by tsam)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .instance import Instance

__all__ = ["Slices", "make_slices"]

HOURS = 8760


@dataclass(frozen=True)
class Slices:
    """Operating slices of one hour each.

    Attributes
    ----------
    weight_h : hours of the year each slice stands for (they sum to 8760).
    period : representative period of each slice (storage is cyclic within a period).
    hour : hour of the day (typical days) or of the year (full year) of each slice.
    values : one column per profile, named ``"zone:<zone>|<profile>"`` or ``"site:<site>|<profile>"``.
    annual_max : per column of ``values``, the highest value of its full-year profile (the
        representative days may leave the year's peak hour out).
    """

    weight_h: np.ndarray
    period: np.ndarray
    hour: np.ndarray
    values: pd.DataFrame
    annual_max: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.weight_h)

    def prev(self) -> np.ndarray:
        """Index of the slice before each slice, cyclic within its period."""
        idx = np.arange(self.n)
        prev = idx - 1
        starts = np.r_[True, self.period[1:] != self.period[:-1]]
        # first slice of a period wraps to the last slice of the same period
        ends = np.r_[self.period[1:] != self.period[:-1], True]
        prev[starts] = idx[ends]
        return prev

    def profile(self, site: str, zone: str, name: str) -> np.ndarray | None:
        """The site's own profile ``name``, else its zone's, else None."""
        for key in (f"site:{site}|{name}", f"zone:{zone}|{name}"):
            if key in self.values.columns:
                return self.values[key].to_numpy()
        return None

    def peak(self, site: str, zone: str, name: str) -> float | None:
        """The full-year maximum of the site's own profile ``name``, else its zone's (the slices' maximum when
        the year's is not known), else None."""
        for key in (f"site:{site}|{name}", f"zone:{zone}|{name}"):
            if key in self.values.columns:
                return float(self.annual_max.get(key, self.values[key].max()))
        return None

    def table(self) -> pd.DataFrame:
        """The slices as a tidy table: slice, period, hour, weight_h."""
        return pd.DataFrame({"slice": np.arange(self.n), "period": self.period, "hour": self.hour,
                             "weight_h": self.weight_h})


def _wide(inst: Instance) -> pd.DataFrame:
    p = inst.profiles
    if len(p) == 0:
        return pd.DataFrame(index=pd.RangeIndex(HOURS, name="hour"))
    key = [f"site:{s}|{n}" if isinstance(s, str) else f"zone:{z}|{n}"
           for s, z, n in zip(p["site"].tolist(), p["zone"].tolist(), p["profile"].tolist())]
    wide = pd.DataFrame({"key": key, "hour": p["hour"].to_numpy(), "value": p["value"].to_numpy(dtype=float)})
    wide = wide.pivot(index="hour", columns="key", values="value").sort_index()
    wide.columns = [str(c) for c in wide.columns]
    return wide.reindex(columns=sorted(wide.columns))


def make_slices(inst: Instance, mode: str | None = None, typical_days: int | None = None) -> Slices:
    """Operating slices following scenario.toml [time] (or the arguments, which take precedence).

    ``full_year``: 8760 slices of weight 1 in one cyclic period. ``typical_days``:
    k representative days from tsam (hierarchical clustering, medoids, column means
    preserved), each hour weighted by the number of days its cluster stands for.
    """
    time = inst.scenario.get("time", {})
    mode = mode or time.get("mode", "typical_days")
    k = int(typical_days or time.get("typical_days", 4))
    wide = _wide(inst)
    if wide.shape[1] == 0:
        wide = pd.DataFrame({"_flat": np.ones(HOURS)})
    if mode == "full_year":
        return Slices(weight_h=np.ones(HOURS), period=np.zeros(HOURS, dtype=int), hour=np.arange(HOURS),
                      values=wide.reset_index(drop=True), annual_max=wide.max().to_dict())
    if mode != "typical_days":
        raise ValueError(f"unknown time mode {mode!r}")
    k = min(k, 365)
    data = wide.iloc[: 365 * 24].copy()
    data.index = pd.date_range("2025-01-01", periods=len(data), freq="h")
    lo, hi = data.min(), data.max()
    const = (hi - lo) <= 1e-12
    varying = data.loc[:, ~const]
    if varying.shape[1] == 0 or k == 365:
        reps = [data.iloc[d * 24:(d + 1) * 24].to_numpy() for d in range(365)] if k == 365 else [
            data.iloc[:24].to_numpy()]
        counts = [1.0] * 365 if k == 365 else [365.0]
        values = np.vstack(reps)
    else:
        import tsam

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            agg = tsam.aggregate(varying, k, period_duration=24, temporal_resolution=1.0)
        reps_df = agg.cluster_representatives
        clusters = sorted(agg.cluster_counts)
        counts = [float(agg.cluster_counts[c]) for c in clusters]
        cols = []
        for c in data.columns:
            if const[c]:
                cols.append(np.full(24 * len(clusters), lo[c]))
            else:
                cols.append(np.concatenate([reps_df.loc[c_id, c].to_numpy() for c_id in clusters]))
        values = np.column_stack(cols)
        values = np.clip(values, lo.to_numpy(), hi.to_numpy())
    n_p = len(counts)
    weight = np.repeat(np.asarray(counts, dtype=float), 24)
    weight *= HOURS / weight.sum()
    return Slices(weight_h=weight, period=np.repeat(np.arange(n_p), 24), hour=np.tile(np.arange(24), n_p),
                  values=pd.DataFrame(values, columns=data.columns), annual_max=data.max().to_dict())
