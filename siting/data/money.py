"""Dollar years: the deflator the readers use to restate costs in the instance's dollar year.

The index is the US Bureau of Labor Statistics **CPI-U**, U.S. city average, all items,
not seasonally adjusted, annual average (series CUUR0000SA0, 1982-84 = 100). Values
2015-2024 agree across several independent public copies of the BLS annual averages;
the 2025 value (321.943) is the BLS annual average as pinned by a third-party copy and
was not checked against bls.gov here. Pass your own ``index`` (year -> level) to use
another deflator, e.g. the BEA GDP implicit price deflator.
"""

from __future__ import annotations

__all__ = ["CPI_U", "deflate", "deflator"]

#: BLS CPI-U annual averages (1982-84 = 100); 2025 unconfirmed (see module doc)
CPI_U: dict[int, float] = {
    2015: 237.017, 2016: 240.007, 2017: 245.120, 2018: 251.107, 2019: 255.657, 2020: 258.811,
    2021: 270.970, 2022: 292.655, 2023: 304.702, 2024: 313.689, 2025: 321.943,
}


def deflator(from_year: int, to_year: int, index: dict[int, float] | None = None) -> float:
    """Factor that restates ``from_year`` dollars in ``to_year`` dollars (index[to] / index[from])."""
    idx = CPI_U if index is None else index
    missing = [y for y in (from_year, to_year) if int(y) not in idx]
    if missing:
        raise ValueError(f"no deflator value for {missing}; the index covers {min(idx)}-{max(idx)}. Pass "
                         "index={year: level, ...} with the years you need")
    return idx[int(to_year)] / idx[int(from_year)]


def deflate(value, from_year: int, to_year: int, index: dict[int, float] | None = None):
    """``value`` in ``from_year`` dollars restated in ``to_year`` dollars."""
    return value * deflator(from_year, to_year, index)
