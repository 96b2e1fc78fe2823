"""The ``siting`` command: list, validate, solve, report."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import warnings

from . import __version__
from .errors import SitingError

__all__ = ["main"]

#: widest line ``siting list`` prints
LINE = 100
#: how output-folder messages name the switches of Results.to_folder on the command line
FORCE = ("--force", "--force")


def _num(v, fmt: str) -> str:
    return "-" if v is None or v != v else format(v, fmt)


def _fmt_summary(res) -> str:
    """The per-year summary a planner reads: IT and compute against the targets, annual cost, the two
    cost-per-GW figures (summary columns cost_usd_per_gw_it_yr, capex_usd_per_gw_it), emissions, and
    what limits the plan."""
    from .results import plan_cost, plan_per_gw

    s = res.summary.copy()
    if "cost_usd_per_gw_it_yr" not in s.columns:  # results written before the column existed
        s["cost_usd_per_gw_it_yr"] = (s["cost_usd"] / s["it_gw"].where(s["it_gw"] > 1e-9)).to_numpy()
    ef_target = bool(s["target_eflops"].notna().any())
    cap = "capex_usd" in s.columns and "capex_usd_per_gw_it" in s.columns
    short = [c for c in ("shortfall_it_mw", "shortfall_pflops") if c in s.columns]
    cols = [("year", 6, lambda r: f"{r.year}"),
            ("IT GW", 8, lambda r: _num(r.it_gw, ",.3f")),
            ("target", 8, lambda r: _num(r.target_it_gw, ",.3f")),
            ("EFLOPS", 9, lambda r: _num(r.eflops, ",.1f"))]
    if ef_target:
        cols.append(("target", 9, lambda r: _num(r.target_eflops, ",.1f")))
    # with soft targets the year's cost holds the shortfall penalty: the column shows the plan's own cost, the one
    # that $B/GW-yr divides (cost_usd_per_gw_it_yr), and the penalty is said apart
    s["plan_cost_usd"] = plan_cost(s)
    penalty = "shortfall_penalty_usd" in s.columns
    cols += [("cost $B/yr", 10, lambda r: _num(r.plan_cost_usd / 1e9, ",.2f")),
             ("$B/GW-yr", 9, lambda r: _num(r.cost_usd_per_gw_it_yr / 1e9, ",.2f"))]
    if cap:
        cols += [("capex $B", 9, lambda r: _num(r.capex_usd / 1e9, ",.2f")),
                 ("capex $B/GW", 11, lambda r: _num(r.capex_usd_per_gw_it / 1e9, ",.2f"))]
    cols += [("ktCO2", 9, lambda r: _num(r.tco2 / 1e3, ",.1f")),
             ("clean", 6, lambda r: _num(r.clean_share, ".0%"))]
    heads = {"shortfall_it_mw": ("short MW", ",.1f"), "shortfall_pflops": ("short PFLOPS", ",.1f")}
    for c in short:
        cols.append((heads[c][0], 12, lambda r, c=c: _num(getattr(r, c), heads[c][1])))
    lines = [" ".join(f"{h:>{w}}" for h, w, _ in cols)]
    for r in s.itertuples(index=False):
        lines.append(" ".join(f"{f(r):>{w}}" for _, w, f in cols))
    if penalty:
        total = float(s["shortfall_penalty_usd"].sum())
        lines.append("cost $B/yr: the plan's cost in the year, undiscounted (plan_cost_usd), without the soft-target "
                     f"penalty (shortfall_penalty_usd: ${_num(total / 1e9, ',.2f')} B over the years, undiscounted);")
        lines.append("$B/GW-yr: that cost per GW of IT in service (cost_usd_per_gw_it_yr)")
    else:
        lines.append("cost $B/yr: the year's cost, undiscounted; $B/GW-yr: that cost per GW of IT in service "
                     "(cost_usd_per_gw_it_yr)")
    if cap:
        lines.append("capex $B: overnight capex commissioned in the year; capex $B/GW: per GW of IT commissioned "
                     "(capex_usd_per_gw_it)")
    per = plan_per_gw(s)
    ys = s["year"]
    plan = [f"${_num(per['cost_usd_per_gw_it_yr'] / 1e9, ',.2f')} B per GW-year of IT in service (undiscounted)"]
    if cap:
        plan.insert(0, f"overnight capex ${_num(per['capex_usd_per_gw_it'] / 1e9, ',.2f')} B per GW of IT "
                       "commissioned")
    lines.append(f"plan {ys.min()}-{ys.max()}: " + "; ".join(plan))
    if "binding" in res.tables and len(res.binding):
        from .model.binding import at_open_hubs, limits_in_words

        lines.append("what limits the plan (value of one more unit, discounted; hubs left closed left out):")
        lines += [f"  {line}" for line in limits_in_words(at_open_hubs(res.binding, res.tables.get("sites")))]
    return "\n".join(lines)


def _cmd_list(args) -> int:
    import textwrap

    from .instance import bundled_instances

    items = bundled_instances()
    w = max((len(n) for n in items), default=0) + 2
    for name, desc in items.items():  # one line each, within 100 characters
        print(f"{name:<{w}}" + textwrap.shorten(" ".join(str(desc).split()), width=LINE - w, placeholder=" ..."))
    return 0


def _load(path):
    """load_instance, with a missing file named by its path in the instance folder."""
    import re

    from .errors import InstanceError
    from .instance import instance_path, load_instance

    try:
        return load_instance(path)
    except InstanceError as e:
        try:
            folder = instance_path(path)
        except SitingError:
            raise e from None
        lines = [re.sub(r"^([^/\\\s:]+): missing file", lambda m: f"{folder / m.group(1)}: missing file", ln)
                 for ln in e.problems]
        if lines == e.problems:
            raise
        raise InstanceError(lines) from None


def _cmd_validate(args) -> int:
    """Checks only: exit 0 (soft targets out of reach are notes), or exit 2 with one line per problem,
    a hard target out of reach being one (as solve would stop on it)."""
    from .checks import findings
    from .errors import InfeasibleError
    from .model.targets import target_mode

    inst = _load(args.path)
    found = findings(inst)
    if found and target_mode(inst) != "soft":
        raise InfeasibleError([f.text for f in found] + [
            'solve would stop on these targets; set [targets] mode = "soft" in scenario.toml for the cheapest '
            "plan with the shortfall reported"])
    print(f"{inst.name}: valid ({len(inst.sites)} sites, {len(inst.zones)} zones, {len(inst.techs)} techs, "
          f"{len(inst.chips)} chip generations, years {inst.years[0]}-{inst.years[-1]})")
    for f in found:
        print(f"note: {f.text}")
    if found:
        print("note: [targets] mode is \"soft\": solve will report these shortfalls in the summary")
    return 0


def _cmd_solve(args) -> int:
    from pathlib import Path

    from .results import check_out_folder, clean_table
    from .solving import solve

    out = Path(args.out)
    # before the solve, not after it: earlier results are replaced; any other non-empty folder only with --force
    check_out_folder(out, overwrite=True, force=args.force, flags=FORCE)
    t0 = time.perf_counter()
    inst = _load(args.path)
    logging.getLogger("siting").info("loaded %s in %.1f s", inst.name, time.perf_counter() - t0)
    if args.scheduler is not None or args.workers:
        from ._extras import require

        require("distributed", "sweep", "--scheduler and --workers")
        logging.getLogger("distributed").setLevel(logging.ERROR)  # Dask's INFO and shutdown notices are noise here
    res = solve(inst, time_limit=args.time_limit, mip_gap=args.mip_gap, threads=args.threads,
                log_solver=args.solver_log or None, method=args.method, client=args.scheduler,
                workers=args.workers, progress=not args.quiet and sys.stderr.isatty())
    check = None
    if args.check_hourly:
        from .hourly import check_hourly

        check = check_hourly(inst, res, threads=args.threads, client=args.scheduler, workers=args.workers)
        res.tables["hourly_check"], res.tables["hourly_zones"] = clean_table(check.table), clean_table(check.zones)
    res.to_folder(out, overwrite=True, force=args.force, flags=FORCE)
    if not args.quiet:
        gap = f", gap {res.mip_gap:.2%}" if res.status != "optimal" else ""
        how = f"{res.method}, {res.iterations} iterations" if res.method == "benders" else res.method
        print(f"{inst.name}: {res.status}{gap}, total discounted cost ${res.objective / 1e9:,.3f} B "
              f"(solved in {res.solve_seconds:.1f} s, {how})")
        print(_fmt_summary(res))
        if check is not None:
            print(check.summary_line())
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
    if not folder.exists():
        raise SitingError([f"{folder}: no such folder; give a folder written by siting solve --out"])
    if not folder.is_dir():
        raise SitingError([f"{folder}: not a folder; give a folder written by siting solve --out"])
    if not (folder / "results.json").is_file():
        raise SitingError([f"{folder}: not a results folder (no results.json); write one with siting solve --out"])
    res = read_results(folder)
    zones = None
    if args.zones and not Path(args.zones).is_file():
        raise SitingError([f"{args.zones}: no such file (--zones, in {Path(args.zones).parent.resolve()})"])
    if args.zones:
        import geopandas as gpd

        try:
            zones = gpd.read_file(args.zones)
        except Exception as e:  # GDAL reports many kinds of failure; name the file and stop
            raise SitingError([f"{args.zones}: cannot be read as a vector file: {' '.join(str(e).split())[:200]}"]) \
                from None
    _write_report(res, folder, args.quiet, zones=zones)
    return 0


def _cmd_check_hourly(args) -> int:
    """Run a solved plan on every hour of its years; write hourly_check.csv and hourly_zones.csv beside it."""
    from pathlib import Path

    from ._io import atomic_write
    from .hourly import check_hourly
    from .instance import load_instance
    from .results import read_results

    folder = Path(args.results)
    if not (folder / "results.json").is_file():
        raise SitingError(f"{folder}: not a results folder (no results.json); write one with siting solve --out")
    inst = load_instance(args.path)
    res = read_results(folder)
    chk = check_hourly(inst, res, years=args.years, client=args.scheduler, threads=args.threads)
    atomic_write(folder / "hourly_check.csv", lambda p: chk.table.to_csv(p, index=False))
    atomic_write(folder / "hourly_zones.csv", lambda p: chk.zones.to_csv(p, index=False))
    if not args.quiet:
        print(chk.table.to_string(index=False, float_format=lambda v: f"{v:,.6g}"))
        print(chk.summary_line())
        print(f"written to {folder / 'hourly_check.csv'} and {folder / 'hourly_zones.csv'}")
    return 0


def _cmd_sweep(args) -> int:
    """Solve the scenarios of a scenarios file on Dask; resumable, failures recorded, summary and figure."""
    from pathlib import Path

    import matplotlib

    matplotlib.use("Agg")  # a command line draws to files only
    from ._extras import require
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
    require("distributed", "sweep", "siting sweep")  # it sets up its loggers on import; quieten them after
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
                   help="replace the --out folder even when it is not empty and holds no siting results (earlier "
                        "results there are always replaced)")
    s.add_argument("--check-hourly", action="store_true",
                   help="also run the plan on all 8760 hours of each year (investments fixed): hourly_check.csv")
    s.add_argument("--method", choices=("auto", "monolithic", "benders"), default="auto",
                   help="one MIP, Benders decomposition (a master and one operations LP per year), or auto (by "
                        "model size; the choice is printed)")
    s.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="Benders, and the hourly check: solve the yearly subproblems on this Dask scheduler "
                        "(address or scheduler file)")
    s.add_argument("--workers", type=int, default=None,
                   help="Benders, and the hourly check: solve the yearly subproblems on a local Dask cluster of N "
                        "processes")
    s.set_defaults(func=_cmd_solve)
    h = sub.add_parser("check-hourly", help="run a solved plan on every hour of its years, investments fixed")
    h.add_argument("path", help="instance folder or bundled instance name (the one solved)")
    h.add_argument("results", metavar="RESULTS_DIR", help="folder written by siting solve --out")
    h.add_argument("--years", type=int, nargs="+", default=None, help="planning years to check (default all)")
    h.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="Dask scheduler address or scheduler file: check the years in parallel there")
    h.add_argument("--threads", type=int, default=None, help="solver threads")
    h.add_argument("--quiet", action="store_true", help="print nothing but errors")
    h.set_defaults(func=_cmd_check_hourly)
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


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A warning on the command line: ``siting: warning: <message>``, not the source line that raised it."""
    logging.getLogger("siting").warning("warning: %s", " ".join(str(message).split()))


def _from_interrupt(e: BaseException) -> bool:
    """True when ``e`` was raised while handling, or because of, a KeyboardInterrupt."""
    seen = set()
    while e is not None and id(e) not in seen:
        if isinstance(e, KeyboardInterrupt):
            return True
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    return False


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 for a problem reported in words)."""
    args = _parser().parse_args(argv)
    quiet = getattr(args, "quiet", False)
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="siting: %(message)s",
                        stream=sys.stderr)
    warnings.showwarning = _show_warning
    started = time.time()
    try:
        try:
            return args.func(args)
        except Exception as e:  # an import or a C extension interrupted by Ctrl-C raises its own error
            if _from_interrupt(e):
                raise KeyboardInterrupt from e
            raise
    except SitingError as e:
        kind = type(e).__name__
        head = {"InstanceError": "invalid instance", "InfeasibleError": "infeasible",
                "SolveError": "solve failed", "OutputFolderError": "output folder"}.get(kind, "error")
        print(f"siting: {head}:", file=sys.stderr)
        for line in e.problems:
            print(f"  {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # the solver has stopped (siting.solver.run); a folder written is whole
        out = getattr(args, "out", None) if args.command == "solve" else None
        try:
            written = out is not None and os.stat(os.path.join(out, "results.json")).st_mtime >= started
        except OSError:
            written = False
        print(f"siting: interrupted after the tables were written to {out}" if written else
              "siting: interrupted; nothing written", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
