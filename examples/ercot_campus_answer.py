"""ercot_campus's answer, as it goes into its README: the plan year by year, where, with what power,
capex per GW against published figures, binding limits, the hourly check and a sensitivity sweep.

Usage::

    python examples/ercot_campus_answer.py --quick --out out/ercot_answer_quick   # tiny settings, ~1 minute
    python examples/ercot_campus_answer.py --out out/ercot_campus_answer          # shipped settings
    python examples/ercot_campus_answer.py --out out/ercot_campus_answer --write-readme

The same machinery as ``us_250gw_answer.py`` (see its docstring for every step and option). ercot_campus
has hard targets, so the plan is one solve (no shortfall to fix first); its sensitivity cases are a
tight cap on gas turbines, Rubin a year late, gas x 1.5, the wholesale price x 1.5 and no grid
headroom (a campus that accepts no curtailment gets none of Duke's curtailment-enabled headroom).
"""

from __future__ import annotations

import sys

from us_250gw_answer import parse, run


def main(argv: list[str] | None = None) -> int:
    st, out, write = parse(
        argv, "ercot_campus", quick_years=[2026, 2027], quick_sites=None,
        cases=["turbine_cap_tight", "rubin_late", "gas_x1.5", "wholesale_x1.5", "duke_none"],
        quick_cases=["gas_x1.5", "duke_none"], hourly=[2026, 2030], quick_hourly=[2027],
        case_gap=None, case_limit=None)
    run(st, out, write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
