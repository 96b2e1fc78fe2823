"""Solve the bundled instances as a user would and print size, status, gap and times.

Each instance is loaded, built and solved through the public API with its own scenario.toml
settings (the defaults a user gets from ``siting solve NAME``), unless an override is given
per instance with ``--mip-gap NAME=GAP`` or ``--time-limit NAME=SECONDS``:

    python benchmarks/instances.py                       # toy, us_regions_small, ercot_campus
    python benchmarks/instances.py us_250gw --mip-gap us_250gw=0.01 --time-limit us_250gw=600

Prints one line per instance: rows, columns, nonzeros, integers, load / build / solve / whole
seconds, peak resident memory of the process so far, status, MIP gap and objective.
"""

from __future__ import annotations

import argparse
import resource
import time

import siting

DEFAULT = ["toy", "us_regions_small", "ercot_campus"]


def _per_instance(pairs: list[str]) -> dict[str, float]:
    out = {}
    for p in pairs:
        name, _, value = p.partition("=")
        out[name] = float(value)
    return out


def run(name: str, mip_gap: float | None, time_limit: float | None) -> dict:
    t0 = time.perf_counter()
    inst = siting.load_instance(name)
    t1 = time.perf_counter()
    m = siting.build_model(inst)
    t2 = time.perf_counter()
    res = siting.solve(m, mip_gap=mip_gap, time_limit=time_limit)
    t3 = time.perf_counter()
    size = res.model_size
    return {"instance": name, "rows": size["rows"], "columns": size["columns"], "nonzeros": size["nonzeros"],
            "integers": size["integers"], "load_s": t1 - t0, "build_s": t2 - t1, "solve_s": t3 - t2,
            "whole_s": t3 - t0, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "status": res.status, "gap": res.mip_gap, "objective_usd": res.objective}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("instances", nargs="*", default=DEFAULT)
    ap.add_argument("--mip-gap", nargs="*", default=[], metavar="NAME=GAP")
    ap.add_argument("--time-limit", nargs="*", default=[], metavar="NAME=SECONDS")
    a = ap.parse_args()
    gaps, limits = _per_instance(a.mip_gap), _per_instance(a.time_limit)
    print(f"{'instance':<17} {'rows':>8} {'columns':>8} {'nonzeros':>9} {'ints':>5} {'load s':>7} {'build s':>8} "
          f"{'solve s':>8} {'whole s':>8} {'peak MB':>8} {'status':<10} {'gap':>8} {'objective $B':>13}")
    for name in a.instances:
        r = run(name, gaps.get(name), limits.get(name))
        gap = f"{r['gap']:.4%}" if r["gap"] is not None else "-"
        print(f"{r['instance']:<17} {r['rows']:>8,} {r['columns']:>8,} {r['nonzeros']:>9,} {r['integers']:>5} "
              f"{r['load_s']:>7.1f} {r['build_s']:>8.1f} {r['solve_s']:>8.1f} {r['whole_s']:>8.1f} "
              f"{r['peak_mb']:>8.0f} {r['status']:<10} {gap:>8} {r['objective_usd'] / 1e9:>13.3f}", flush=True)


if __name__ == "__main__":
    main()
