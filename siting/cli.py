"""The ``siting`` command: list, validate, solve, report."""

from __future__ import annotations

import argparse
import logging
import sys
import time

from . import __version__
from .errors import SitingError

__all__ = ["main"]


def _fmt_summary(res) -> str:
    s = res.summary
    short = [c for c in ("shortfall_it_mw", "shortfall_pflops") if c in s.columns]
    heads = {"shortfall_it_mw": "short MW", "shortfall_pflops": "short PFLOPS"}
    cap = "capex_usd" in s.columns
    lines = [f"{'year':>6} {'IT GW':>8} {'target':>8} {'EFLOPS':>10} {'cost $M':>10} {'ktCO2':>9} {'clean':>6}"
             + (f" {'capex $B':>9} {'$B/GW IT':>9}" if cap else "") + "".join(f" {heads[c]:>12}" for c in short)]
    for r in s.itertuples(index=False):
        tgt = "-" if r.target_it_gw != r.target_it_gw else f"{r.target_it_gw:.3f}"
        clean = "-" if r.clean_share != r.clean_share else f"{r.clean_share:.0%}"
        extra = ""
        for c in short:
            v = getattr(r, c)
            extra += f" {'-' if v != v else f'{v:,.1f}':>12}"
        capex = ""
        if cap:
            per = "-" if r.capex_usd_per_gw_it != r.capex_usd_per_gw_it else f"{r.capex_usd_per_gw_it / 1e9:.2f}"
            capex = f" {r.capex_usd / 1e9:>9.2f} {per:>9}"
        lines.append(f"{r.year:>6} {r.it_gw:>8.3f} {tgt:>8} {r.eflops:>10.1f} {r.cost_usd / 1e6:>10.1f} "
                     f"{r.tco2 / 1e3:>9.1f} {clean:>6}{capex}{extra}")
    lines.append("cost: undiscounted, per calendar year; capex: overnight, commissioned in the year; $B/GW IT: "
                 "capex per GW of IT installed that year")
    if "binding" in res.tables and len(res.binding):
        from .model.binding import limits_in_words

        lines.append("what limits the plan (value of one more unit, discounted):")
        lines += [f"  {line}" for line in limits_in_words(res.binding)]
    return "\n".join(lines)


def _cmd_list(args) -> int:
    from .instance import bundled_instances

    for name, desc in bundled_instances().items():
        print(f"{name:<20} {desc}")
    return 0


def _cmd_validate(args) -> int:
    from .checks import findings
    from .instance import load_instance
    from .model.targets import target_mode

    inst = load_instance(args.path)
    print(f"{inst.name}: valid ({len(inst.sites)} sites, {len(inst.zones)} zones, {len(inst.techs)} techs, "
          f"{len(inst.chips)} chip generations, years {inst.years[0]}-{inst.years[-1]})")
    found = findings(inst)
    for f in found:
        print(f"note: {f.text}")
    if found:
        if target_mode(inst) == "soft":
            print("note: [targets] mode is \"soft\": solve will report these shortfalls in the summary")
        else:
            print("note: solve will stop on these targets; set [targets] mode = \"soft\" in scenario.toml for "
                  "the cheapest plan with the shortfall reported")
    return 0


def _cmd_solve(args) -> int:
    from pathlib import Path

    from .instance import load_instance
    from .results import check_out_folder
    from .solving import solve

    out = Path(args.out)
    check_out_folder(out, overwrite=args.force)  # before the solve, not after it
    t0 = time.perf_counter()
    inst = load_instance(args.path)
    logging.getLogger("siting").info("loaded %s in %.1f s", inst.name, time.perf_counter() - t0)
    res = solve(inst, time_limit=args.time_limit, mip_gap=args.mip_gap, threads=args.threads,
                log_solver=args.solver_log or None)
    res.to_folder(out, overwrite=args.force)
    if not args.quiet:
        gap = f", gap {res.mip_gap:.2%}" if res.status != "optimal" else ""
        print(f"{inst.name}: {res.status}{gap}, total discounted cost ${res.objective / 1e9:,.3f} B "
              f"(solved in {res.solve_seconds:.1f} s)")
        print(_fmt_summary(res))
        print(f"tables written to {out}/")
    if args.report:
        _write_report(res, out, args.quiet)
    return 0


def _write_report(res, folder, quiet: bool, zones=None) -> None:
    """Figures (PNG, SVG) in folder/figures/ and the self-contained folder/report.html."""
    import matplotlib

    matplotlib.use("Agg")  # a command line draws to files only
    from .report import write_report

    page = write_report(res, folder, zones=zones)
    if not quiet:
        print(f"report written to {page} (figures in {page.parent / 'figures'}/)")


def _cmd_report(args) -> int:
    from pathlib import Path

    from .results import read_results

    folder = Path(args.results)
    if not (folder / "results.json").is_file():
        raise SitingError([f"{folder}: not a results folder (no results.json); write one with siting solve --out"])
    res = read_results(folder)
    zones = None
    if args.zones:
        import geopandas as gpd

        try:
            zones = gpd.read_file(args.zones)
        except Exception as e:  # GDAL reports many kinds of failure; name the file and stop
            raise SitingError([f"{args.zones}: cannot be read as a vector file: {' '.join(str(e).split())[:200]}"]) \
                from None
    _write_report(res, folder, args.quiet, zones=zones)
    return 0


def _cmd_sweep(args) -> int:
    """Solve the scenarios of a scenarios file on Dask; resumable, failures recorded, summary and figure."""
    from pathlib import Path

    import matplotlib

    matplotlib.use("Agg")  # a command line draws to files only
    from .instance import instance_path, load_instance
    from .sweep import sweep

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise SitingError(f"{out}: exists and is not a folder")
    scenarios = args.scenarios
    if scenarios is None:
        scenarios = instance_path(args.path) / "scenarios.toml"
        if not scenarios.is_file():
            raise SitingError(f"{scenarios}: no such file; give the scenarios with --scenarios FILE")
    try:
        import distributed  # noqa: F401 - it sets up its loggers on import; quieten them after
    except ImportError:
        raise SitingError("siting sweep runs on Dask, which is not installed: pip install 'dask[distributed]' tqdm") \
            from None
    logging.getLogger("distributed").setLevel(logging.ERROR)  # Dask's INFO and shutdown notices are noise here
    inst = load_instance(args.path)
    try:
        sr = sweep(inst, scenarios, client=args.scheduler, out=out, workers=args.workers,
                   time_limit=args.time_limit, mip_gap=args.mip_gap, progress=not args.quiet)
    except KeyboardInterrupt:
        print(f"siting: interrupted; finished scenarios are kept in {out / 'scenarios'}/: run the same command "
              "again to solve the rest", file=sys.stderr)
        return 130
    info = sr.info
    if not args.quiet:
        ss = sr.scenario_summary
        ok = ss[ss["status"] != "failed"]
        print(f"{inst.name}: {len(ss)} scenarios: {len(info['solved'])} solved now, {len(info['reused'])} already "
              f"solved, {len(info['failed'])} failed ({info['seconds']:.1f} s)")
        if len(ok):
            q = ok["objective_usd"].quantile([0.1, 0.5, 0.9]) / 1e9
            print(f"total discounted cost, $B: P10 {q.iloc[0]:,.3f}  P50 {q.iloc[1]:,.3f}  P90 {q.iloc[2]:,.3f}")
            freq = sr.site_frequency
            print("sites chosen: " + ", ".join(f"{r.site} {r.share:.0%}" for r in freq.itertuples(index=False)))
        print(f"tables written to {out}/ (scenario_summary.csv, site_frequency.csv, cost_distribution.png)")
    if info["failed"]:
        print(f"siting: {len(info['failed'])} scenario(s) failed, listed with their errors in {out / 'failed.csv'}",
              file=sys.stderr)
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="siting", description="Site, power and equip AI campuses at least cost.")
    p.add_argument("--version", action="version", version=f"siting {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the bundled instances").set_defaults(func=_cmd_list)
    v = sub.add_parser("validate", help="check an instance folder; one line per problem")
    v.add_argument("path", help="instance folder or bundled instance name")
    v.set_defaults(func=_cmd_validate)
    s = sub.add_parser("solve", help="solve an instance and write the result tables")
    s.add_argument("path", help="instance folder or bundled instance name")
    s.add_argument("--out", required=True, help="folder for the result tables (CSV)")
    s.add_argument("--time-limit", type=float, default=None, help="solver time limit, seconds")
    s.add_argument("--mip-gap", type=float, default=None, help="relative MIP gap (default 1e-4)")
    s.add_argument("--threads", type=int, default=None, help="solver threads")
    s.add_argument("--solver-log", action="store_true", help="print the HiGHS log")
    s.add_argument("--quiet", action="store_true", help="print nothing but errors")
    s.add_argument("--report", action="store_true", help="also write figures/ and report.html into --out")
    s.add_argument("--force", action="store_true",
                   help="replace the --out folder if it holds earlier results (it is never replaced otherwise)")
    s.set_defaults(func=_cmd_solve)
    r = sub.add_parser("report", help="write figures and a self-contained report.html for a results folder")
    r.add_argument("results", metavar="RESULTS_DIR", help="folder written by siting solve --out")
    r.add_argument("--zones", default=None, help="zone polygons to outline on the map (GeoJSON, GeoPackage, ...)")
    r.add_argument("--quiet", action="store_true", help="print nothing but errors")
    r.set_defaults(func=_cmd_report)
    w = sub.add_parser("sweep", help="solve many scenarios of an instance on Dask (resumable)")
    w.add_argument("path", help="instance folder or bundled instance name")
    w.add_argument("--scenarios", default=None, metavar="FILE",
                   help="scenarios file (default: scenarios.toml in the instance folder)")
    w.add_argument("--out", required=True, help="output folder; re-running on it solves only what is missing")
    w.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786, or its scheduler file "
                        "(default: a local cluster)")
    w.add_argument("--workers", type=int, default=None, help="workers of the local cluster (default: one per CPU)")
    w.add_argument("--time-limit", type=float, default=None, help="solver time limit per scenario, seconds")
    w.add_argument("--mip-gap", type=float, default=None, help="relative MIP gap (default 1e-4)")
    w.add_argument("--quiet", action="store_true", help="no progress bar; print nothing but errors")
    w.set_defaults(func=_cmd_sweep)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 for a problem reported in words)."""
    args = _parser().parse_args(argv)
    quiet = getattr(args, "quiet", False)
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="siting: %(message)s",
                        stream=sys.stderr)
    try:
        return args.func(args)
    except SitingError as e:
        kind = type(e).__name__
        head = {"InstanceError": "invalid instance", "InfeasibleError": "infeasible",
                "SolveError": "solve failed", "OutputFolderError": "output folder"}.get(kind, "error")
        print(f"siting: {head}:", file=sys.stderr)
        for line in e.problems:
            print(f"  {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("siting: interrupted; nothing written", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
